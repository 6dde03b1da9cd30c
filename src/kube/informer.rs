//! Informers: the vocabulary of what they watch and report. Each (run by
//! [`list_watch`](super::list_watch)) fills a reflector Store per resource kind (or, for pods and
//! events, a store of their rows) and reports its state (syncing, live, reconnecting with the
//! last error, unauthorized, forbidden, not installed) and a data-less "kind changed" signal to
//! the UI, which then reads the store itself.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use kube::Resource;
use kube::runtime::reflector;
use kube::runtime::watcher::Event;
use tokio::sync::mpsc::UnboundedSender;

use super::ids::ClusterId;

/// The kinds kubedeck watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    Pods,
    Events,
    Nodes,
    Namespaces,
    PipelineRuns,
    /// Watched only while a PipelineRun is open, for its TaskRuns.
    TaskRuns,
    /// Deployments, StatefulSets and DaemonSets, watched for the timeline only (their
    /// rollouts, scales, pauses); no table shows them from here.
    Workloads,
    /// Any other kind (from discovery, as server-side Tables): the one the resource view
    /// shows, watched only while it is shown.
    Generic,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 5] = [
        Self::Pods,
        Self::Events,
        Self::Nodes,
        Self::Namespaces,
        Self::PipelineRuns,
    ];

    /// The kinds `[watch]` can leave out of a cluster (namespaces are always watched).
    pub const WATCHABLE: [ResourceKind; 5] = [
        Self::Pods,
        Self::Events,
        Self::Nodes,
        Self::PipelineRuns,
        Self::Workloads,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Pods => "pods",
            Self::Events => "events",
            Self::Nodes => "nodes",
            Self::Namespaces => "namespaces",
            Self::PipelineRuns => "pipelineruns",
            Self::TaskRuns => "taskruns",
            Self::Workloads => "workloads",
            Self::Generic => "resources",
        }
    }

    /// The kubectl-style singular used in `pod/name`.
    pub fn singular(self) -> &'static str {
        match self {
            Self::Pods => "pod",
            Self::Events => "event",
            Self::Nodes => "node",
            Self::Namespaces => "namespace",
            Self::PipelineRuns => "pipelinerun",
            Self::TaskRuns => "taskrun",
            Self::Workloads => "workload",
            Self::Generic => "object",
        }
    }

    /// The API `kind`, as it appears in an event's involvedObject.
    pub fn kind_name(self) -> &'static str {
        match self {
            Self::Pods => "Pod",
            Self::Events => "Event",
            Self::Nodes => "Node",
            Self::Namespaces => "Namespace",
            Self::PipelineRuns => "PipelineRun",
            Self::TaskRuns => "TaskRun",
            Self::Workloads => "",
            Self::Generic => "",
        }
    }

    pub fn from_kind_name(kind: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .chain([Self::TaskRuns])
            .find(|k| k.kind_name() == kind)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InformerState {
    Syncing,
    Live,
    /// The last attempt failed; the watcher retries with backoff.
    Reconnecting(String),
    /// The server refused the credentials; they are read again before each retry.
    Unauthorized(String),
    /// RBAC refuses this kind; retried with backoff in case it is granted.
    Forbidden(String),
    /// The API is not served by this cluster (e.g. no Tekton).
    NotInstalled,
    /// The config leaves this kind out for this cluster (`[watch]`).
    NotWatched,
}

impl InformerState {
    /// What went wrong, for states that say.
    pub fn problem(&self) -> Option<&str> {
        match self {
            Self::Reconnecting(e) | Self::Unauthorized(e) | Self::Forbidden(e) => Some(e),
            _ => None,
        }
    }

    pub fn short(&self) -> &'static str {
        match self {
            Self::Syncing => "syncing",
            Self::Live => "live",
            Self::Reconnecting(_) => "reconnecting",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotInstalled => "not installed",
            Self::NotWatched => "not watched",
        }
    }
}

/// What an informer tells the UI: data-less, the UI reads the store itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformerUpdate {
    pub cluster: ClusterId,
    pub kind: ResourceKind,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The store changed.
    Changed,
    /// The informer's state changed.
    State(InformerState),
    /// What changed in the store, for the timeline.
    Timeline(Vec<super::timeline::Record>),
}

/// Where a cluster's informers report.
#[derive(Debug, Clone)]
pub struct Updates {
    pub cluster: ClusterId,
    pub tx: UnboundedSender<InformerUpdate>,
    /// This informer is one part of a kind several report as one (see [`SharedKind`]).
    part: Option<(usize, Arc<SharedKind>)>,
}

impl Updates {
    pub fn new(cluster: ClusterId, tx: UnboundedSender<InformerUpdate>) -> Self {
        Self {
            cluster,
            tx,
            part: None,
        }
    }

    /// The same, for the informer of part `index` of `shared`: its states are sent combined
    /// with the other parts'.
    pub fn part(&self, shared: &Arc<SharedKind>, index: usize) -> Self {
        Self {
            part: Some((index, shared.clone())),
            ..self.clone()
        }
    }

    /// Report; `false` once no one listens.
    pub fn send(&self, kind: ResourceKind, change: Change) -> bool {
        let change = match (change, &self.part) {
            (Change::State(s), Some((index, shared))) => Change::State(shared.combine(*index, s)),
            (change, _) => change,
        };
        let cluster = self.cluster.clone();
        self.tx
            .send(InformerUpdate {
                cluster,
                kind,
                change,
            })
            .is_ok()
    }

    pub fn state(&self, kind: ResourceKind, state: InformerState) -> bool {
        self.send(kind, Change::State(state))
    }

    /// What changed, for the timeline (nothing is sent for no change).
    pub fn timeline(&self, kind: ResourceKind, records: Vec<super::timeline::Record>) {
        if !records.is_empty() {
            self.send(kind, Change::Timeline(records));
        }
    }
}

/// The states of informers that report as one kind (the Deployments, StatefulSets and
/// DaemonSets behind [`ResourceKind::Workloads`]): one's problem is not hidden by another that
/// is live, which reported after it.
#[derive(Debug)]
pub struct SharedKind {
    parts: std::sync::Mutex<Vec<InformerState>>,
}

impl SharedKind {
    /// `parts` informers, each syncing until it says otherwise.
    pub fn new(parts: usize) -> Arc<Self> {
        Arc::new(Self {
            parts: std::sync::Mutex::new(vec![InformerState::Syncing; parts]),
        })
    }

    /// Part `index` is now `state`: the kind's state, every part considered (the first part's
    /// problem, else syncing while one syncs, else live; not watched or not installed only
    /// when every part is).
    fn combine(&self, index: usize, state: InformerState) -> InformerState {
        let mut parts = self.parts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = parts.get_mut(index) {
            *slot = state;
        }
        if let Some(problem) = parts.iter().find(|s| s.problem().is_some()) {
            return problem.clone();
        }
        if parts.contains(&InformerState::Syncing) {
            return InformerState::Syncing;
        }
        match parts.first() {
            Some(first) if parts.iter().all(|s| s == first) => first.clone(),
            _ => InformerState::Live,
        }
    }
}

/// Where an informer puts what it watches: kube's reflector store (the objects), or a
/// [`RowWriter`](super::row_store::RowWriter) (only their rows).
pub trait Sink<K>: Send + 'static {
    fn apply(&mut self, event: &Event<K>);
}

impl<K> Sink<K> for reflector::store::Writer<K>
where
    K: Resource + Clone + Send + Sync + 'static,
    K::DynamicType: Clone + Eq + Hash + Send + Sync,
{
    fn apply(&mut self, event: &Event<K>) {
        self.apply_watcher_event(event);
    }
}

impl<K, R> Sink<K> for super::row_store::RowWriter<K, R>
where
    K: Resource + Send + 'static,
    R: Send + Sync + 'static,
{
    fn apply(&mut self, event: &Event<K>) {
        super::row_store::RowWriter::apply(self, event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parts_problem_is_not_hidden_by_another_that_is_live() {
        let kind = SharedKind::new(3);
        let forbidden = InformerState::Forbidden("deployments.apps is forbidden".into());
        assert_eq!(kind.combine(1, InformerState::Live), InformerState::Syncing);
        assert_eq!(kind.combine(0, forbidden.clone()), forbidden);
        // The StatefulSets and DaemonSets turn live after: the Deployments' refusal stands.
        assert_eq!(kind.combine(2, InformerState::Live), forbidden);
        assert_eq!(kind.combine(1, InformerState::Live), forbidden);
        assert_eq!(kind.combine(0, InformerState::Live), InformerState::Live);
        let off = SharedKind::new(2);
        off.combine(0, InformerState::NotWatched);
        assert_eq!(
            off.combine(1, InformerState::NotWatched),
            InformerState::NotWatched
        );
    }

    /// The informers given a part of a shared kind report through it: what the app hears.
    #[test]
    fn the_parts_states_reach_the_app_combined() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let updates = Updates::new(ClusterId::new("c"), tx);
        let shared = SharedKind::new(2);
        let (deployments, statefulsets) = (updates.part(&shared, 0), updates.part(&shared, 1));
        let forbidden = InformerState::Forbidden("deployments.apps is forbidden".into());
        deployments.state(ResourceKind::Workloads, forbidden.clone());
        statefulsets.state(ResourceKind::Workloads, InformerState::Live);
        statefulsets.send(ResourceKind::Workloads, Change::Changed);
        let heard: Vec<Change> = std::iter::from_fn(|| rx.try_recv().ok())
            .map(|u| u.change)
            .collect();
        assert_eq!(
            heard,
            [
                Change::State(forbidden.clone()),
                Change::State(forbidden),
                Change::Changed
            ]
        );
    }
}
