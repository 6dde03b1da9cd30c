//! What `:timeline` holds: the changes seen (this run's, and the journal's from before it),
//! newest last, bounded; from when there is data; and whether the recorder writes. Data only:
//! `timeline` acts on it.

use std::collections::VecDeque;

use jiff::Timestamp;

use crate::journal::JournalError;
use crate::kube::ids::ClusterId;
use crate::kube::timeline::Record;

/// Changes kept in memory (the journal keeps more on disk).
pub const KEPT: usize = 20_000;

/// Whether the journal is being written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Recorder {
    #[default]
    On,
    /// No data directory, or turned off in the config.
    Off,
    /// A write failed (a full or read-only disk): off from then on, said once.
    Failed(JournalError),
}

#[derive(Debug, Clone, Default)]
pub struct TimelineState {
    /// Every change kept, oldest first, with its cluster.
    pub changes: VecDeque<(ClusterId, Record)>,
    /// From when there is data, per cluster (the journal's oldest line, or this start).
    pub since: Vec<(ClusterId, Timestamp)>,
    pub recorder: Recorder,
    /// Where the journals go and each one's bound (none: not recording).
    pub journal: Option<(std::path::PathBuf, u64)>,
    /// When the journals last heard that kubedeck watches (the start, or an `alive` marker).
    pub alive: Option<Timestamp>,
}

impl TimelineState {
    /// Keep `records` of `cluster` (dropping the oldest past [`KEPT`]).
    pub fn push(&mut self, cluster: &ClusterId, records: impl IntoIterator<Item = Record>) {
        for r in records {
            self.changes.push_back((cluster.clone(), r));
        }
        while self.changes.len() > KEPT {
            self.changes.pop_front();
        }
    }

    /// The last changes of one object, newest first.
    pub fn of(
        &self,
        cluster: &ClusterId,
        kind: &str,
        namespace: &str,
        name: &str,
        n: usize,
    ) -> Vec<&Record> {
        self.changes
            .iter()
            .rev()
            .filter(|(c, r)| {
                c == cluster && r.kind == kind && r.namespace == namespace && r.name == name
            })
            .map(|(_, r)| r)
            .take(n)
            .collect()
    }
}
