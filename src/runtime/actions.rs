//! The runner's requests to a cluster: fetches, the changes (delete, scale, restart, cancel,
//! rerun, cordon, drain), the disruption budgets and the agent check. Each takes the client
//! of the cluster its object belongs to through one helper ([`Runner::spawn_with`]), runs on
//! its own task and reports one `Done`.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use tokio::sync::mpsc;

use super::runner::Runner;
use crate::app::Effect;
use crate::app::msg::{Done, Msg};
use crate::kube::actions::{self, Acted, ActionError};
use crate::kube::agent::AgentPresence;
use crate::kube::drain::DrainPlan;
use crate::kube::error::ApiError;
use crate::kube::ids::ClusterId;
use crate::kube::object_ref::ObjectRef;

/// Evictions a disruption budget blocks are tried again this often, this many times.
const DRAIN_RETRY: Duration = Duration::from_secs(5);
const DRAIN_ATTEMPTS: u32 = 12;

impl Runner {
    /// Run `work` with `cluster`'s client on its own task and send what it comes to through
    /// `done`; without a client, `done` hears "not connected" at once.
    pub(super) fn spawn_with<T, E, Fut>(
        &self,
        cluster: &ClusterId,
        out: &mut VecDeque<Msg>,
        work: impl FnOnce(kube::Client) -> Fut,
        done: impl FnOnce(Result<T, E>) -> Msg + Send + 'static,
    ) where
        E: From<ApiError>,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        match self.client(cluster) {
            Err(e) => out.push_back(done(Err(e.into()))),
            Ok(client) => {
                let fut = work(client);
                let tx = self.channels.done.clone();
                tokio::spawn(async move {
                    let _ = tx.send(done(fut.await));
                });
            }
        }
    }

    pub(super) fn fetch_yaml(&self, obj: ObjectRef, out: &mut VecDeque<Msg>) {
        let tekton = self.tekton_of(&obj.cluster);
        let (cluster, target) = (obj.cluster.clone(), obj.clone());
        self.spawn_with(
            &cluster,
            out,
            |c| actions::fetch(c, target, tekton),
            move |r| Msg::Done(Done::Yaml(obj, r)),
        );
    }

    pub(super) fn fetch_for_drill(&self, obj: ObjectRef, out: &mut VecDeque<Msg>) {
        let (cluster, target) = (obj.cluster.clone(), obj.clone());
        self.spawn_with(
            &cluster,
            out,
            |c| actions::fetch(c, target, None),
            move |r| Msg::Done(Done::DrillFetched(obj, r)),
        );
    }

    /// The pod the describe pane shows (pods are stored as rows).
    pub(super) fn fetch_pod(&self, obj: ObjectRef, out: &mut VecDeque<Msg>) {
        let (cluster, target) = (obj.cluster.clone(), obj.clone());
        self.spawn_with(
            &cluster,
            out,
            |c| async move {
                let value = actions::fetch(c, target, None).await?;
                serde_json::from_value::<Pod>(value)
                    .map(Arc::new)
                    .map_err(|e| ActionError::Decode(e.to_string()))
            },
            move |r| Msg::Done(Done::Pod(obj, r)),
        );
    }

    /// A change to one object (delete, scale, restart, cancel, rerun, cordon).
    pub(super) fn act(&self, effect: Effect, out: &mut VecDeque<Msg>) {
        let done = |r: Result<Acted, ActionError>| Msg::Done(Done::Action(r));
        let cluster = match &effect {
            Effect::Delete(o)
            | Effect::Scale(o, _)
            | Effect::RolloutRestart(o)
            | Effect::CancelRun(o)
            | Effect::Rerun(o)
            | Effect::Cordon(o, _) => o.cluster.clone(),
            _ => return,
        };
        let tekton = self.tekton_of(&cluster);
        match effect {
            Effect::Delete(o) => {
                self.spawn_with(&cluster, out, |c| actions::delete(c, o, tekton), done)
            }
            Effect::Scale(o, n) => {
                self.spawn_with(&cluster, out, |c| actions::scale(c, o, n), done)
            }
            Effect::RolloutRestart(o) => {
                self.spawn_with(&cluster, out, |c| actions::rollout_restart(c, o), done)
            }
            Effect::CancelRun(o) => {
                self.spawn_with(&cluster, out, |c| actions::cancel(c, o, tekton), done)
            }
            Effect::Rerun(o) => {
                self.spawn_with(&cluster, out, |c| actions::rerun(c, o, tekton), done)
            }
            Effect::Cordon(node, on) => {
                self.spawn_with(&cluster, out, |c| actions::cordon(c, node.name, on), done)
            }
            _ => {}
        }
    }

    /// Cordon the node and evict its pods: it says it started, each round a disruption budget
    /// blocks, and how it ended.
    pub(super) fn drain(&self, cluster: &ClusterId, plan: DrainPlan, out: &mut VecDeque<Msg>) {
        let node = plan.node.clone();
        let tx = self.channels.done.clone();
        let said = |r: Result<Acted, ActionError>| Msg::Done(Done::Action(r));
        self.spawn_with(
            cluster,
            out,
            |client| async move {
                let _ = tx.send(said(Ok(Acted::DrainStarted(node))));
                let (progress, mut reports) = mpsc::unbounded_channel();
                let work =
                    crate::kube::drain::drain(client, plan, DRAIN_RETRY, DRAIN_ATTEMPTS, progress);
                tokio::pin!(work);
                let result = loop {
                    tokio::select! {
                        Some(r) = reports.recv() => { let _ = tx.send(said(Ok(Acted::Draining(r)))); }
                        result = &mut work => break result,
                    }
                };
                while let Ok(r) = reports.try_recv() {
                    let _ = tx.send(said(Ok(Acted::Draining(r))));
                }
                result.map(Acted::Drained)
            },
            said,
        );
    }

    /// Whether the node agent is installed in `cluster` (for the debug picker).
    pub(super) fn check_agent(&self, cluster: ClusterId, out: &mut VecDeque<Msg>) {
        let answer = cluster.clone();
        self.spawn_with(
            &cluster,
            out,
            |client| async move { Ok::<_, ApiError>(crate::kube::agent::presence(client).await) },
            move |r| {
                let presence = r.unwrap_or_else(AgentPresence::Unknown);
                Msg::Done(Done::Agent(answer, presence))
            },
        );
    }

    /// The PodDisruptionBudgets, for the drain preview.
    pub(super) fn load_budgets(&self, cluster: ClusterId, out: &mut VecDeque<Msg>) {
        let answer = cluster.clone();
        self.spawn_with(&cluster, out, crate::kube::pdb::list, move |r| {
            Msg::Done(Done::Budgets(answer, r))
        });
    }
}
