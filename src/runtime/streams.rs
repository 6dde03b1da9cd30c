//! The runner's log streams (a task per pane, stopped by dropping it) and the list of Tekton
//! runs whose step logs were captured.

use std::collections::VecDeque;

use super::runner::Runner;
use crate::app::msg::{Done, Msg};
use crate::kube::log_request::LogRequest;
use crate::kube::logs::{LogEvent, LogFailure, LogReport, StreamKey};

impl Runner {
    /// Start the stream `key` for its pane (captured steps are read from disk for the first
    /// cluster's Tekton logs); without a client the pane hears it cannot stream.
    pub(super) fn open_logs(
        &mut self,
        key: StreamKey,
        request: LogRequest,
        out: &mut VecDeque<Msg>,
    ) {
        let Some(clients) = self.clients.get(&request.cluster).cloned() else {
            let e = crate::kube::error::ApiError::NotConnected(request.cluster.clone());
            let report = LogReport::Failed(LogFailure::Refused(e));
            return out.push_back(Msg::Log(LogEvent { key, report }));
        };
        let path = self.path_of(&request.cluster);
        let captured = self
            .step_store
            .clone()
            .filter(|_| request.target.is_tekton() && request.cluster == self.cluster.id);
        let task = crate::kube::logs::spawn(
            clients,
            path,
            key,
            request,
            self.channels.logs.clone(),
            captured,
        );
        self.log_tasks.insert(key, task);
    }

    /// Stop a stream: dropping its task stops every request it made.
    pub(super) fn stop_logs(&mut self, key: StreamKey) {
        self.log_tasks.remove(&key);
    }

    /// Read the captured runs off the UI task.
    pub(super) fn load_captured(&self, out: &mut VecDeque<Msg>) {
        match self.step_store.clone() {
            Some(store) => {
                let tx = self.channels.done.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::Done(Done::Captured(store.runs())));
                });
            }
            None => out.push_back(Msg::Done(Done::CaptureOff)),
        }
    }
}
