//! The runner's flight recorder: one thread writes every cluster's journal (so a slow or full
//! disk never holds the UI or the informers); a write that fails turns it off and is said
//! once. Reading a journal back runs on a blocking task.

use std::path::PathBuf;

use super::runner::Runner;
use crate::app::msg::{Done, Msg};
use crate::journal;
use crate::kube::ids::ClusterId;
use crate::kube::timeline::Record;

impl Runner {
    /// The journal directory of `cluster` (its context and API server).
    fn journal_dir(&self, cluster: &ClusterId) -> Option<PathBuf> {
        let (root, _) = self.journal.as_ref()?;
        let context = cluster.context();
        Some(journal::dir_for(
            root,
            context,
            &self.kubeconfig.server_of(context),
        ))
    }

    /// Where `cluster`'s informers record what its objects are (none: not recording).
    pub(super) fn tap(&self, cluster: &ClusterId) -> Option<crate::kube::recorded::Tap> {
        Some(journal::tap(
            self.recorder.as_ref()?,
            self.journal_dir(cluster)?,
        ))
    }

    pub(super) fn record(&self, cluster: &ClusterId, records: Vec<Record>) {
        if let (Some(dir), Some(tx)) = (self.journal_dir(cluster), self.recorder.as_ref()) {
            let _ = tx.send(journal::WriterMsg::Write(
                dir,
                journal::Batch::Records(records),
            ));
        }
    }

    /// `:at`: the cluster's objects at `at`, read on a blocking task.
    pub(super) fn load_state(&self, cluster: ClusterId, at: jiff::Timestamp) {
        let dir = self.journal_dir(&cluster);
        let done = self.channels.done.clone();
        tokio::task::spawn_blocking(move || {
            let result = match dir {
                Some(dir) => crate::journal_travel::state_at(&dir, at),
                None => Err(crate::journal_travel::TravelError::Empty),
            };
            let _ = done.send(Msg::Done(Done::State(cluster, at, result)));
        });
    }

    /// `:diff`: one object's recorded fields at two moments.
    pub(super) fn load_diff(
        &self,
        cluster: ClusterId,
        kind: &'static str,
        namespace: String,
        name: String,
        times: (jiff::Timestamp, jiff::Timestamp),
    ) {
        let dir = self.journal_dir(&cluster);
        let done = self.channels.done.clone();
        tokio::task::spawn_blocking(move || {
            let read = |at| match &dir {
                Some(dir) => crate::journal_travel::state_at(dir, at),
                None => Err(crate::journal_travel::TravelError::Empty),
            };
            let fields =
                |s: crate::journal_travel::Snapshot| s.object(kind, &namespace, &name).cloned();
            let result = read(times.0).and_then(|a| {
                let b = read(times.1)?;
                Ok(crate::app::travel_state::Diffed {
                    cluster: cluster.clone(),
                    kind,
                    namespace: namespace.clone(),
                    name: name.clone(),
                    times,
                    before: fields(a),
                    after: fields(b),
                })
            });
            let _ = done.send(Msg::Done(Done::Diff(result)));
        });
    }

    pub(super) fn load_journal(&self, cluster: ClusterId) {
        let Some(dir) = self.journal_dir(&cluster) else {
            return;
        };
        let done = self.channels.done.clone();
        tokio::task::spawn_blocking(move || {
            let loaded = if dir.exists() {
                journal::load(&dir, crate::app::timeline::READ_BACK)
            } else {
                Ok(journal::Loaded::default())
            };
            let _ = done.send(Msg::Done(Done::Journal(cluster, loaded)));
        });
    }
}
