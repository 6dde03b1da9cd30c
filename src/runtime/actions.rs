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
use crate::kube::on_path::{self, Asked};
use crate::kube::workload_ops;

/// Evictions a disruption budget blocks are tried again this often, this many times.
const DRAIN_RETRY: Duration = Duration::from_secs(5);
const DRAIN_ATTEMPTS: u32 = 12;

/// What a change on a path that can go silent says: not sent, the connection is lost; cut
/// before its answer, whether it was made is not known.
fn said_of<T>(asked: Asked<Result<T, ActionError>>) -> Result<T, ActionError> {
    match asked {
        Asked::Answered(result) => result,
        Asked::NotSent => Err(ApiError::Lost.into()),
        Asked::Cut => Err(ActionError::OutcomeUnknown),
    }
}

/// Run `work` (a change the user asked for) and send what it came to through `tx`, then what
/// the API server warned of meanwhile (Pod Security's `warn` mode, say), if anything.
pub(super) async fn said_with_warnings(
    tx: mpsc::UnboundedSender<Msg>,
    work: impl Future<Output = Msg>,
) {
    let (said, warnings) = crate::kube::server_warnings::heard_during(work).await;
    let _ = tx.send(said);
    if !warnings.is_empty() {
        let _ = tx.send(Msg::Done(Done::ServerWarned(warnings)));
    }
}

/// A change to the cluster, under way.
type ActionFuture = std::pin::Pin<Box<dyn Future<Output = Result<Acted, ActionError>> + Send>>;

impl Runner {
    /// Run `work` (a read) with `cluster`'s client on its own task and send what it comes to
    /// through `done`; without a client, `done` hears "not connected" at once. While the path
    /// to the cluster is silent the read waits (and takes the client rebuilt when it is back);
    /// when the path goes silent before the answer, `done` hears "connection lost".
    pub(super) fn spawn_with<T, E, Fut>(
        &self,
        cluster: &ClusterId,
        out: &mut VecDeque<Msg>,
        work: impl FnOnce(kube::Client) -> Fut + Send + 'static,
        done: impl FnOnce(Result<T, E>) -> Msg + Send + 'static,
    ) where
        E: From<ApiError>,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        let Some(clients) = self.clients.get(cluster).cloned() else {
            return out.push_back(done(Err(ApiError::NotConnected(cluster.clone()).into())));
        };
        let path = self.path_of(cluster);
        let tx = self.channels.done.clone();
        tokio::spawn(async move {
            let result = match on_path::read(path, || work(clients.client())).await {
                Asked::Answered(result) => result,
                Asked::NotSent | Asked::Cut => Err(ApiError::Lost.into()),
            };
            let _ = tx.send(done(result));
        });
    }

    /// A change made on its own task (a drain): as [`Runner::spawn_with`], but not sent while
    /// the path is silent, and said as of unknown outcome when the path goes silent before it
    /// ends.
    fn spawn_change<T, Fut>(
        &self,
        cluster: &ClusterId,
        out: &mut VecDeque<Msg>,
        work: impl FnOnce(kube::Client) -> Fut,
        done: impl FnOnce(Result<T, ActionError>) -> Msg + Send + 'static,
    ) where
        Fut: Future<Output = Result<T, ActionError>> + Send + 'static,
    {
        self.spawn_unless_silent(cluster, out, work, move |asked| done(said_of(asked)));
    }

    /// `work` on its own task, not sent while the path to `cluster` is silent and given up
    /// when it goes silent; `done` hears how it came out. Without a client, "not connected".
    pub(super) fn spawn_unless_silent<T, E, Fut>(
        &self,
        cluster: &ClusterId,
        out: &mut VecDeque<Msg>,
        work: impl FnOnce(kube::Client) -> Fut,
        done: impl FnOnce(Asked<Result<T, E>>) -> Msg + Send + 'static,
    ) where
        E: From<ApiError>,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
    {
        match self.client(cluster) {
            Err(e) => out.push_back(done(Asked::Answered(Err(e.into())))),
            Ok(client) => {
                let work = on_path::change(self.path_of(cluster), work(client));
                let tx = self.channels.done.clone();
                tokio::spawn(said_with_warnings(tx, async move { done(work.await) }));
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

    /// What carrying out a change to one object (delete, scale, restart, cancel, rerun,
    /// cordon) comes to, as a future to run; "not connected" at once without a client. `None`
    /// for an effect that is not such a change.
    fn change(&self, effect: Effect) -> Option<Result<ActionFuture, ActionError>> {
        let cluster = match &effect {
            Effect::Delete(o)
            | Effect::Scale(o, _)
            | Effect::RolloutRestart(o)
            | Effect::SetImage { obj: o, .. }
            | Effect::Rollback(o, _)
            | Effect::TriggerCronJob(o)
            | Effect::SuspendCronJob(o, _)
            | Effect::CancelRun(o)
            | Effect::Rerun(o)
            | Effect::Cordon(o, _) => o.cluster.clone(),
            _ => return None,
        };
        let tekton = self.tekton_of(&cluster);
        let c = match self.client(&cluster) {
            Ok(c) => c,
            Err(e) => return Some(Err(e.into())),
        };
        let path = self.path_of(&cluster);
        let work: ActionFuture = match effect {
            Effect::Delete(o) => Box::pin(actions::delete(c, o, tekton)),
            Effect::Scale(o, n) => Box::pin(actions::scale(c, o, n)),
            Effect::RolloutRestart(o) => Box::pin(actions::rollout_restart(c, o)),
            Effect::SetImage {
                obj,
                container,
                image,
            } => Box::pin(workload_ops::set_image(c, obj, container, image)),
            Effect::Rollback(o, to) => Box::pin(workload_ops::rollback(c, o, to)),
            Effect::TriggerCronJob(o) => Box::pin(workload_ops::trigger(c, o)),
            Effect::SuspendCronJob(o, on) => Box::pin(workload_ops::suspend(c, o, on)),
            Effect::CancelRun(o) => Box::pin(actions::cancel(c, o, tekton)),
            Effect::Rerun(o) => Box::pin(actions::rerun(c, o, tekton)),
            Effect::Cordon(node, on) => Box::pin(actions::cordon(c, node.name, on)),
            _ => return None,
        };
        Some(Ok(Box::pin(async move {
            said_of(on_path::change(path, work).await)
        })))
    }

    /// A change to one object: one `Done::Action`.
    pub(super) fn act(&self, effect: Effect, out: &mut VecDeque<Msg>) {
        match self.change(effect) {
            None => {}
            Some(Err(e)) => out.push_back(Msg::Done(Done::Action(Err(e)))),
            Some(Ok(work)) => {
                let tx = self.channels.done.clone();
                tokio::spawn(said_with_warnings(tx, async move {
                    Msg::Done(Done::Action(work.await))
                }));
            }
        }
    }

    /// The same change to many objects (the marked rows): a few at a time, so a hundred
    /// marked pods are not a hundred requests at once, and one `Done::Many` with each
    /// object's outcome, in the order asked.
    pub(super) fn act_many(&self, effects: Vec<Effect>, out: &mut VecDeque<Msg>) {
        use futures::StreamExt;
        /// Requests in flight at once.
        const AT_ONCE: usize = 8;
        let works: Vec<(ObjectRef, Result<ActionFuture, ActionError>)> = effects
            .into_iter()
            .filter_map(|e| {
                let target = e.target()?.clone();
                Some((target, self.change(e)?))
            })
            .collect();
        if works.is_empty() {
            out.push_back(Msg::Done(Done::Many(Vec::new())));
            return;
        }
        type Outcome = (ObjectRef, Result<Acted, ActionError>);
        let each: Vec<std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>>> = works
            .into_iter()
            .map(
                |(target, work)| -> std::pin::Pin<Box<dyn Future<Output = Outcome> + Send>> {
                    match work {
                        Ok(work) => Box::pin(async move { (target, work.await) }),
                        Err(e) => Box::pin(std::future::ready((target, Err(e)))),
                    }
                },
            )
            .collect();
        let tx = self.channels.done.clone();
        tokio::spawn(said_with_warnings(tx, async move {
            let outcomes: Vec<Outcome> = futures::stream::iter(each)
                .buffered(AT_ONCE)
                .collect()
                .await;
            Msg::Done(Done::Many(outcomes))
        }));
    }

    /// Cordon the node and evict its pods: it says it started, each round a disruption budget
    /// blocks, and how it ended.
    pub(super) fn drain(&self, cluster: &ClusterId, plan: DrainPlan, out: &mut VecDeque<Msg>) {
        let node = plan.node.clone();
        let tx = self.channels.done.clone();
        let said = |r: Result<Acted, ActionError>| Msg::Done(Done::Action(r));
        self.spawn_change(
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

    /// What the current user may do in `namespace` (`:can-i`, the pod action checks).
    pub(super) fn review_access(
        &self,
        cluster: ClusterId,
        namespace: String,
        out: &mut VecDeque<Msg>,
    ) {
        let (answer, ns) = (cluster.clone(), namespace.clone());
        self.spawn_with(
            &cluster,
            out,
            |client| crate::kube::access::review(client, ns),
            move |r| Msg::Done(Done::Access(answer, namespace, r)),
        );
    }

    /// `:who-can`: the RBAC objects listed, the question answered from them.
    pub(super) fn who_can(
        &self,
        cluster: ClusterId,
        query: crate::kube::access::WhoCanQuery,
        out: &mut VecDeque<Msg>,
    ) {
        let answer = cluster.clone();
        let asked = query.clone();
        self.spawn_with(
            &cluster,
            out,
            |client| async move {
                let policy = crate::kube::access::policy(client, asked.namespace.clone()).await?;
                Ok::<_, crate::kube::error::ApiError>(crate::kube::access::who_can(
                    &policy,
                    &asked.ask,
                    asked.namespace.as_deref(),
                ))
            },
            move |r| Msg::Done(Done::WhoCan(answer, query, r)),
        );
    }

    /// A Deployment's revisions (the rollback picker).
    pub(super) fn load_revisions(&self, obj: ObjectRef, out: &mut VecDeque<Msg>) {
        let (cluster, target) = (obj.cluster.clone(), obj.clone());
        self.spawn_with(
            &cluster,
            out,
            |c| crate::kube::workload_ops::revisions(c, target),
            move |r| Msg::Done(Done::Revisions(obj, r)),
        );
    }

    /// `:helm`: the release Secrets listed and summarized.
    pub(super) fn load_helm(
        &self,
        cluster: ClusterId,
        namespace: Option<String>,
        out: &mut VecDeque<Msg>,
    ) {
        let answer = cluster.clone();
        self.spawn_with(
            &cluster,
            out,
            |c| crate::kube::helm::list(c, namespace),
            move |r| Msg::Done(Done::Helm(answer, r)),
        );
    }

    /// One Helm revision fetched and decoded (in memory only).
    pub(super) fn fetch_helm(
        &self,
        cluster: ClusterId,
        namespace: String,
        secret: String,
        out: &mut VecDeque<Msg>,
    ) {
        let asked = secret.clone();
        self.spawn_with(
            &cluster,
            out,
            |c| crate::kube::helm::fetch(c, namespace, asked),
            move |result| {
                Msg::Done(Done::HelmContent {
                    secret,
                    result: Box::new(result),
                })
            },
        );
    }

    /// `:cp`: the copy runs on its own task; how far it is goes to the status line at most
    /// four times a second.
    pub(super) fn copy_out(
        &self,
        cluster: ClusterId,
        spec: crate::kube::copy::CopySpec,
        out: &mut VecDeque<Msg>,
    ) {
        let client = match self.client(&cluster) {
            Ok(c) => c,
            Err(e) => {
                out.push_back(Msg::Done(Done::Copied(cluster, spec, Err(e.into()))));
                return;
            }
        };
        let tx = self.channels.done.clone();
        tokio::spawn(async move {
            let (progress, mut received) = mpsc::unbounded_channel();
            let work = crate::kube::copy::copy_out(client, spec.clone(), progress);
            tokio::pin!(work);
            let mut tick = tokio::time::interval(Duration::from_millis(250));
            let mut latest = None;
            let result = loop {
                tokio::select! {
                    r = &mut work => break r,
                    Some(n) = received.recv() => latest = Some(n),
                    _ = tick.tick() => {
                        if let Some(n) = latest.take() {
                            let _ = tx.send(Msg::Done(Done::CopyProgress(spec.clone(), n)));
                        }
                    }
                }
            };
            let _ = tx.send(Msg::Done(Done::Copied(cluster, spec, result)));
        });
    }
}
