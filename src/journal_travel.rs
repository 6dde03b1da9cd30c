//! Reading a journal back for time travel: what the recorded objects were at a moment (`:at`),
//! and one object's fields at two moments (`:diff`). Each segment starts with a checkpoint (every
//! object as last recorded), so a moment is read from the newest segment that starts before it.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;

use crate::journal::{JournalError, STATE_PREFIX, lines, segments};
use crate::kube::recorded::StateLine;
use crate::kube::timeline::{Change, Record};

/// What the journal says the objects were at a moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub at: Timestamp,
    /// Per kind, per (namespace, name): the recorded fields.
    pub kinds: BTreeMap<String, BTreeMap<(String, String), Vec<String>>>,
    /// The last thing the journal heard at or before the moment (a change, a state, a
    /// heartbeat): long before it, kubedeck was not watching then.
    pub heard: Option<Timestamp>,
    /// From when the journal has data.
    pub since: Option<Timestamp>,
}

/// Why there is no snapshot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TravelError {
    #[error("the journal has nothing yet (it starts when kubedeck first watches a cluster)")]
    Empty,
    #[error("the journal starts at {} (older segments were dropped or never written)", .0.strftime("%Y-%m-%d %H:%M:%S UTC"))]
    Before(Timestamp),
    #[error("{0}")]
    Read(#[from] JournalError),
}

fn first_time(path: &Path) -> Option<Timestamp> {
    lines(path).ok()?.find_map(|l| time_of(&l))
}

/// A line's time: both kinds of line carry `at`.
fn time_of(line: &str) -> Option<Timestamp> {
    #[derive(serde::Deserialize)]
    struct At {
        at: Timestamp,
    }
    serde_json::from_str::<At>(line).ok().map(|a| a.at)
}

/// The recorded objects at `at`, from the journal in `dir`.
pub fn state_at(dir: &Path, at: Timestamp) -> Result<Snapshot, TravelError> {
    let all = segments(dir);
    let firsts: Vec<Option<Timestamp>> = all.iter().map(|(_, p, _)| first_time(p)).collect();
    let since = firsts.iter().flatten().min().copied();
    let Some(since) = since else {
        return Err(TravelError::Empty);
    };
    if at < since {
        return Err(TravelError::Before(since));
    }
    // The newest segment that starts at or before the moment.
    let start = firsts
        .iter()
        .rposition(|t| t.is_some_and(|t| t <= at))
        .unwrap_or(0);
    let mut snap = Snapshot {
        at,
        since: Some(since),
        ..Snapshot::default()
    };
    'segments: for (_, path, _) in &all[start..] {
        for line in lines(path)? {
            if line.starts_with(STATE_PREFIX) {
                let Ok(s) = serde_json::from_str::<StateLine>(&line) else {
                    continue;
                };
                if s.at > at {
                    break 'segments;
                }
                snap.heard = Some(s.at);
                let kind = snap.kinds.entry(s.s).or_default();
                if s.list {
                    kind.clear();
                    continue;
                }
                match s.f {
                    Some(f) => {
                        kind.insert((s.ns, s.n), f);
                    }
                    None => {
                        kind.remove(&(s.ns, s.n));
                    }
                }
            } else if let Some(t) = time_of(&line) {
                // Changes are stamped with when they happened (an event's last time), which
                // may be before they were written: only the markers say when it watched.
                let marker = serde_json::from_str::<Record>(&line)
                    .is_ok_and(|r| matches!(r.change, Change::Alive | Change::Watching));
                if t > at && marker {
                    break 'segments;
                }
                if t <= at {
                    snap.heard = snap.heard.max(Some(t));
                }
            }
        }
    }
    Ok(snap)
}

/// How long the journal may be silent while kubedeck watches (its heartbeat is a minute).
pub const WATCHING_GAP: i64 = 150;

impl Snapshot {
    /// Whether kubedeck was watching at the moment (it heard something shortly before).
    pub fn watching(&self) -> bool {
        self.heard
            .is_some_and(|h| self.at.as_second() - h.as_second() <= WATCHING_GAP)
    }

    /// One object's fields.
    pub fn object(&self, kind: &str, ns: &str, name: &str) -> Option<&Vec<String>> {
        self.kinds
            .get(kind)?
            .get(&(ns.to_string(), name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::{Journal, marker};

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(s).unwrap_or_default()
    }

    fn pod(s: i64, name: &str, status: Option<&str>) -> StateLine {
        StateLine::of(
            "pod",
            "demo",
            name,
            status.map(|st| vec!["1/1".to_string(), st.to_string()]),
            at(s),
        )
    }

    /// A list, changes and a deletion read back at moments between them; a moment before the
    /// journal is refused; a gap in watching is told.
    #[test]
    fn the_objects_at_a_moment() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join("j");
        let mut j =
            Journal::open(&dir, crate::journal::DEFAULT_CAP).unwrap_or_else(|e| panic!("{e}"));
        let ok = |r: Result<(), JournalError>| r.unwrap_or_else(|e| panic!("{e}"));
        ok(j.append(&[marker(Change::Watching, at(1000))]));
        ok(j.append_states(&[
            StateLine::list("pod", at(1000)),
            pod(1000, "a", Some("Running")),
            pod(1000, "b", Some("Running")),
        ]));
        ok(j.append_states(&[pod(1100, "a", Some("CrashLoopBackOff"))]));
        ok(j.append(&[marker(Change::Alive, at(1140))]));
        ok(j.append_states(&[pod(1200, "b", None)]));
        ok(j.flush());
        let fields = |s: &Snapshot, n: &str| s.object("pod", "demo", n).map(|f| f[1].clone());
        let s = state_at(&dir, at(1050)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fields(&s, "a").as_deref(), Some("Running"));
        assert_eq!(fields(&s, "b").as_deref(), Some("Running"));
        assert!(s.watching());
        let s = state_at(&dir, at(1150)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fields(&s, "a").as_deref(), Some("CrashLoopBackOff"));
        assert_eq!(
            fields(&s, "b").as_deref(),
            Some("Running"),
            "not deleted yet"
        );
        let s = state_at(&dir, at(1250)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(fields(&s, "b"), None, "deleted at 1200");
        // Long after the last thing heard: not watching then.
        let s = state_at(&dir, at(5000)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!s.watching());
        assert_eq!(state_at(&dir, at(10)), Err(TravelError::Before(at(1000))));
        assert_eq!(
            state_at(&root.path().join("none"), at(10)),
            Err(TravelError::Empty)
        );
    }

    /// A new segment starts with every object as last recorded, so a moment in it needs no
    /// older segment (they may be dropped past the bound).
    #[test]
    fn each_segment_starts_with_a_checkpoint() {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = root.path().join("j");
        let mut j = Journal::open(&dir, 16 << 10).unwrap_or_else(|e| panic!("{e}"));
        let now = Timestamp::now().as_second();
        j.append_states(&[
            StateLine::list("pod", at(now - 100)),
            pod(now - 100, "keep", Some("Running")),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        // Enough churn of another pod to start new segments.
        for i in 0..4000 {
            let status = format!("status-{i}");
            j.append_states(&[pod(now - 50, "churn", Some(&status))])
                .and_then(|()| j.flush())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        // The bound dropped the first segment (where "keep" was listed): it is still known,
        // from the checkpoint the newer segments start with.
        assert!(
            segments(&dir).first().is_some_and(|s| s.0 > 1),
            "{:?}",
            segments(&dir)
        );
        let s = state_at(&dir, Timestamp::now()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            s.object("pod", "demo", "keep").map(|f| f[1].as_str()),
            Some("Running")
        );
        assert!(s.object("pod", "demo", "churn").is_some());
    }
}
