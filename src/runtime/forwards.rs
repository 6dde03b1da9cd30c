//! The runner's port-forwards (a task each, aborted when stopped) and edits in `$EDITOR` (the
//! object fetched into a private file, applied with the version it was read at; the file goes
//! once the edit is applied or given up).

use std::collections::VecDeque;

use super::runner::Runner;
use crate::app::msg::{Done, Msg};
use crate::kube::edit::{Applied, EditJob};
use crate::kube::error::ApiError;
use crate::kube::object_ref::ObjectRef;
use crate::kube::on_path::Asked;
use crate::kube::portforward::{ForwardId, ForwardReport, ForwardSpec};

impl Runner {
    pub(super) fn start_forward(&mut self, spec: ForwardSpec, out: &mut VecDeque<Msg>) {
        let cluster = spec.target.object().cluster.clone();
        let Some(clients) = self.clients.get(&cluster).cloned() else {
            let why = ApiError::NotConnected(cluster).to_string();
            let report = ForwardReport::Stopped(spec.id, why);
            return out.push_back(Msg::Done(Done::Forward(report)));
        };
        let id = spec.id;
        let path = self.path_of(&cluster);
        let task =
            crate::kube::portforward::spawn(clients, path, spec, self.forward_reports.clone());
        if let Some(old) = self.forwards.insert(id, task) {
            old.abort();
        }
    }

    pub(super) fn stop_forward(&mut self, id: ForwardId) {
        if let Some(task) = self.forwards.remove(&id) {
            task.abort();
        }
    }

    /// Fetch `obj` into a private file for the editor (kept until the edit is done with). Not
    /// asked while the path is silent: an editor opening minutes after the key would surprise.
    pub(super) fn prepare_edit(&self, obj: ObjectRef, out: &mut VecDeque<Msg>) {
        let tekton = self.tekton_of(&obj.cluster);
        let edits = self.edits.clone();
        let cluster = obj.cluster.clone();
        self.spawn_unless_silent(
            &cluster,
            out,
            |client| async move {
                let (job, guard) = crate::kube::edit::prepare(client, obj, tekton).await?;
                edits
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(job.path.clone(), guard);
                Ok(job)
            },
            |asked| {
                Msg::Done(Done::EditReady(match asked {
                    Asked::Answered(r) => r,
                    Asked::NotSent | Asked::Cut => Err(ApiError::Lost.into()),
                }))
            },
        );
    }

    /// Apply what the editor saved; a refusal reopens the editor on the same file.
    pub(super) fn apply_edit(&self, job: EditJob, out: &mut VecDeque<Msg>) {
        let client = match self.client(&job.obj.cluster) {
            Ok(c) => c,
            Err(e) => {
                let outcome = Applied::Reopen {
                    job,
                    why: e.to_string(),
                };
                return out.push_back(Msg::Done(Done::Edited(outcome)));
            }
        };
        let (tx, edits) = (self.channels.done.clone(), self.edits.clone());
        tokio::spawn(super::actions::said_with_warnings(tx, async move {
            let path = job.path.clone();
            let outcome = crate::kube::edit::apply(client, job).await;
            if !matches!(outcome, Applied::Reopen { .. }) {
                // Done with: the file (the object, perhaps a Secret) goes.
                edits
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&path);
            }
            Msg::Done(Done::Edited(outcome))
        }));
    }
}
