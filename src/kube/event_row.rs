//! The events table row, derived from a core/v1 Event as `kubectl get events` does: LAST SEEN from
//! the newest of lastTimestamp, series and eventTime; the repeat count from `count` or `series`.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;

use super::pod_row::Health;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventRow {
    /// The cluster the row came from (stamped by its informer; empty outside one).
    pub cluster: crate::kube::ids::ClusterId,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub last_seen: Option<Timestamp>,
    pub warning: bool,
    pub type_: String,
    pub reason: String,
    /// The involved object's kind, namespace and name.
    pub object_kind: String,
    pub object_namespace: String,
    pub object_name: String,
    pub count: i32,
    /// The message on one line (events can carry newlines).
    pub message: String,
    // What describe shows besides the columns: the store keeps rows, not events.
    pub first_seen: Option<Timestamp>,
    pub created: Option<Timestamp>,
    /// The reporting component and host (`kubelet, worker-01`).
    pub source: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

impl EventRow {
    /// `pod/crasher`, as kubectl prints the OBJECT column.
    pub fn object(&self) -> String {
        format!("{}/{}", self.object_kind.to_lowercase(), self.object_name)
    }

    pub fn health(&self) -> Health {
        if self.warning {
            Health::Warning
        } else {
            Health::Ok
        }
    }
}

/// kubectl's "last seen" for an event: series, then lastTimestamp, then eventTime, then first
/// seen and creation.
fn last_seen(e: &Event) -> Option<Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0)
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

pub fn event_row(e: &Event) -> EventRow {
    let count = e
        .series
        .as_ref()
        .and_then(|s| s.count)
        .or(e.count)
        .unwrap_or(1)
        .max(1);
    let type_ = e.type_.clone().unwrap_or_else(|| "Normal".into());
    let obj = &e.involved_object;
    EventRow {
        cluster: crate::kube::ids::ClusterId::default(),
        namespace: e.metadata.namespace.clone().unwrap_or_default(),
        name: e.metadata.name.clone().unwrap_or_default(),
        uid: e
            .metadata
            .uid
            .clone()
            .or_else(|| e.metadata.name.clone())
            .unwrap_or_default(),
        last_seen: last_seen(e),
        warning: type_ == "Warning",
        type_,
        reason: e.reason.clone().unwrap_or_default(),
        object_kind: obj.kind.clone().unwrap_or_default(),
        object_namespace: obj
            .namespace
            .clone()
            .or_else(|| e.metadata.namespace.clone())
            .unwrap_or_default(),
        object_name: obj.name.clone().unwrap_or_default(),
        count,
        message: e
            .message
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        first_seen: e.first_timestamp.as_ref().map(|t| t.0),
        created: e.metadata.creation_timestamp.as_ref().map(|t| t.0),
        source: match e.source.as_ref().map(|s| (&s.component, &s.host)) {
            Some((Some(c), Some(h))) => format!("{c}, {h}"),
            Some((Some(c), None)) => c.clone(),
            _ => e.reporting_component.clone().unwrap_or_default(),
        },
        labels: e.metadata.labels.clone().unwrap_or_default(),
        annotations: e.metadata.annotations.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::age;

    #[derive(serde::Deserialize, Default)]
    struct Items {
        items: Vec<Event>,
    }

    #[test]
    fn rows_match_what_kubectl_printed() {
        let items: Items = serde_json::from_str(include_str!(
            "../../tests/fixtures/real-cluster/events-demo.json"
        ))
        .unwrap_or_default();
        let now: Timestamp = include_str!("../../tests/fixtures/real-cluster/captured_at.txt")
            .trim()
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let printed = include_str!("../../tests/fixtures/real-cluster/events-demo.kubectl.txt");
        assert!(!items.items.is_empty());
        let mut matched = 0;
        for e in &items.items {
            let r = event_row(e);
            // kubectl prints one line per event: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE.
            // Several events can print alike (same reason, object and message): any of
            // kubectl's matching lines may be this one.
            let candidates: Vec<&str> = printed
                .lines()
                .filter(|l| {
                    let cols: Vec<&str> = l.split_whitespace().collect();
                    cols.get(1) == Some(&r.type_.as_str())
                        && cols.get(2) == Some(&r.reason.as_str())
                        && cols.get(3) == Some(&r.object().as_str())
                        && l.contains(&r.message)
                })
                .collect();
            assert!(!candidates.is_empty(), "no kubectl line for {r:?}");
            let ours = age::since(r.last_seen, now);
            // kubectl printed these a few seconds after captured_at (e.g. 5m11s for an
            // eventTime 5m9s before it), so allow that much.
            let secs = |s: &str| -> i64 {
                let mut total = 0;
                let mut n = 0;
                for c in s.chars() {
                    match c {
                        '0'..='9' => n = n * 10 + i64::from(c as u8 - b'0'),
                        's' => total += std::mem::take(&mut n),
                        'm' => total += std::mem::take(&mut n) * 60,
                        'h' => total += std::mem::take(&mut n) * 3600,
                        _ => {}
                    }
                }
                total
            };
            let close = candidates.iter().any(|l| {
                let seen = l.split_whitespace().next().unwrap_or_default();
                (0..=3).contains(&(secs(seen) - secs(&ours)))
            });
            assert!(close, "{ours} for {} not in {candidates:?}", r.reason);
            matched += 1;
        }
        assert_eq!(matched, items.items.len());
        let warning = items.items.iter().map(event_row).find(|r| r.warning);
        assert_eq!(
            warning.map(|r| (r.reason.clone(), r.count, r.health())),
            Some(("MissingClusterDNS".to_string(), 19, Health::Warning))
        );
    }

    #[test]
    fn series_wins_over_legacy_fields_and_messages_lose_newlines() {
        let e: Event = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "x.1", "namespace": "demo"},
            "involvedObject": {"kind": "Node", "name": "worker-1"},
            "count": 2,
            "lastTimestamp": "2026-11-22T10:00:00Z",
            "series": {"count": 40, "lastObservedTime": "2026-11-22T11:00:00.000000Z"},
            "message": "line one\nline two",
            "reason": "Rebooted", "type": "Warning"
        }))
        .unwrap_or_default();
        let r = event_row(&e);
        assert_eq!(r.count, 40);
        assert_eq!(
            r.last_seen.map(|t| t.to_string()).as_deref(),
            Some("2026-11-22T11:00:00Z")
        );
        assert_eq!(r.message, "line one line two");
        assert_eq!(r.object(), "node/worker-1");
    }
}
