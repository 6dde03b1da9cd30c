//! What time travel (`:at`) holds: the moment, the kind shown, and each cluster's snapshot as
//! its journal read back (or why not). Data only: `travel` acts on it.

use jiff::Timestamp;

use crate::journal_travel::{Snapshot, TravelError};
use crate::kube::ids::ClusterId;

#[derive(Debug, Clone)]
pub struct Travel {
    pub at: Timestamp,
    /// The kind the table shows (`pod`, `node`, …; see `kube::recorded::KINDS`).
    pub kind: &'static str,
    /// Each cluster's snapshot, as it arrives.
    pub snapshots: Vec<(ClusterId, Result<Snapshot, TravelError>)>,
    /// Clusters still being read.
    pub waiting: usize,
}

/// A moment as `:at` and `--at` take it, in UTC (as the timeline shows times): `now`,
/// `-15m`/`-2h`/`-90s`/`-1d` before now, `HH:MM[:SS]` (today; yesterday when that is still to
/// come), `YYYY-MM-DD HH:MM[:SS]`, or RFC 3339. `None`: now (travel ends).
pub fn parse_moment(text: &str, now: Timestamp) -> Result<Option<Timestamp>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("when? (HH:MM, -15m, YYYY-MM-DD HH:MM, or now)".into());
    }
    if text == "now" {
        return Ok(None);
    }
    if let Some(ago) = text.strip_prefix('-') {
        let digits: String = ago.chars().take_while(char::is_ascii_digit).collect();
        let unit = &ago[digits.len()..];
        let n: i64 = digits
            .parse()
            .map_err(|_| format!("{text:?}: a number then s, m, h or d (-15m)"))?;
        let seconds = match unit {
            "s" => n,
            "m" | "" => n * 60,
            "h" => n * 3600,
            "d" => n * 86_400,
            _ => return Err(format!("{text:?}: the unit is s, m, h or d (-15m)")),
        };
        return now
            .checked_sub(jiff::SignedDuration::from_secs(seconds))
            .map(Some)
            .map_err(|e| e.to_string());
    }
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(Some(t));
    }
    let utc = jiff::tz::TimeZone::UTC;
    let full = text.replacen('T', " ", 1);
    for format in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = jiff::civil::DateTime::strptime(format, &full) {
            return dt
                .to_zoned(utc.clone())
                .map(|z| Some(z.timestamp()))
                .map_err(|e| e.to_string());
        }
    }
    for format in ["%H:%M:%S", "%H:%M"] {
        if let Ok(time) = jiff::civil::Time::strptime(format, text) {
            let today = now.to_zoned(utc.clone()).date();
            let at = today
                .to_datetime(time)
                .to_zoned(utc.clone())
                .map_err(|e| e.to_string())?
                .timestamp();
            // Still to come today: yesterday's.
            return Ok(Some(if at > now {
                at.checked_sub(jiff::SignedDuration::from_hours(24))
                    .unwrap_or(at)
            } else {
                at
            }));
        }
    }
    Err(format!(
        "{text:?} is not a time (HH:MM, -15m, YYYY-MM-DD HH:MM, RFC 3339, or now; UTC)"
    ))
}

/// The kind a word names, among those recorded.
pub fn kind_of(word: &str) -> Option<&'static str> {
    Some(match word.to_ascii_lowercase().as_str() {
        "po" | "pod" | "pods" => "pod",
        "no" | "node" | "nodes" => "node",
        "ev" | "event" | "events" => "event",
        "pr" | "pipelinerun" | "pipelineruns" | "pipelineruns.tekton.dev" => "pipelinerun",
        "deploy" | "deployment" | "deployments" | "deployments.apps" => "deployment",
        "sts" | "statefulset" | "statefulsets" | "statefulsets.apps" => "statefulset",
        "ds" | "daemonset" | "daemonsets" | "daemonsets.apps" => "daemonset",
        _ => return None,
    })
}

/// What `:diff` read: the object's fields at both times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diffed {
    pub cluster: ClusterId,
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub times: (Timestamp, Timestamp),
    pub before: Option<Vec<String>>,
    pub after: Option<Vec<String>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn moments() {
        let now = t("2026-12-06T10:00:00Z");
        let at = |s: &str| parse_moment(s, now);
        assert_eq!(at("now"), Ok(None));
        assert_eq!(at("-15m"), Ok(Some(t("2026-12-06T09:45:00Z"))));
        assert_eq!(at("-2h"), Ok(Some(t("2026-12-06T08:00:00Z"))));
        assert_eq!(at("-1d"), Ok(Some(t("2026-12-05T10:00:00Z"))));
        assert_eq!(at("03:12"), Ok(Some(t("2026-12-06T03:12:00Z"))));
        assert_eq!(at("09:59:30"), Ok(Some(t("2026-12-06T09:59:30Z"))));
        // Later than now today: yesterday's.
        assert_eq!(at("23:00"), Ok(Some(t("2026-12-05T23:00:00Z"))));
        assert_eq!(at("2026-12-01 03:12"), Ok(Some(t("2026-12-01T03:12:00Z"))));
        assert_eq!(
            at("2026-12-01T03:12:05Z"),
            Ok(Some(t("2026-12-01T03:12:05Z")))
        );
        assert!(at("yesterday").is_err());
        assert!(at("-15x").is_err());
        assert!(at("").is_err());
        assert_eq!(kind_of("deploy"), Some("deployment"));
        assert_eq!(kind_of("svc"), None);
    }
}
