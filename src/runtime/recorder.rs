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

    pub(super) fn record(&self, cluster: &ClusterId, records: Vec<Record>) {
        if let (Some(dir), Some(tx)) = (self.journal_dir(cluster), self.recorder.as_ref()) {
            let _ = tx.send((dir, records));
        }
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
