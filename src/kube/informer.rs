//! Informers: a kube-runtime watcher feeding a reflector Store per resource kind (or, for pods and
//! events, a store of their rows), each reporting its state (syncing, live, reconnecting with the last
//! error, forbidden, not installed) and a data-less "kind changed" signal to the UI, which then
//! reads the store itself.

use std::fmt::Debug;
use std::hash::Hash;

use futures::{StreamExt, TryStreamExt};
use kube::api::Api;
use kube::runtime::reflector;
use kube::runtime::watcher::{self, Event};
use kube::runtime::{WatchStreamExt, watcher as watch_fn};
use kube::{Resource, ResourceExt};
use serde::de::DeserializeOwned;
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
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 5] = [
        Self::Pods,
        Self::Events,
        Self::Nodes,
        Self::Namespaces,
        Self::PipelineRuns,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Pods => "pods",
            Self::Events => "events",
            Self::Nodes => "nodes",
            Self::Namespaces => "namespaces",
            Self::PipelineRuns => "pipelineruns",
            Self::TaskRuns => "taskruns",
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
    /// RBAC refuses this kind; retried with backoff in case it is granted.
    Forbidden(String),
    /// The API is not served by this cluster (e.g. no Tekton).
    NotInstalled,
}

impl InformerState {
    pub fn short(&self) -> &'static str {
        match self {
            Self::Syncing => "syncing",
            Self::Live => "live",
            Self::Reconnecting(_) => "reconnecting",
            Self::Forbidden(_) => "forbidden",
            Self::NotInstalled => "not installed",
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
}

/// Where a cluster's informers report.
#[derive(Debug, Clone)]
pub struct Updates {
    pub cluster: ClusterId,
    pub tx: UnboundedSender<InformerUpdate>,
}

impl Updates {
    pub fn new(cluster: ClusterId, tx: UnboundedSender<InformerUpdate>) -> Self {
        Self { cluster, tx }
    }

    /// Report; `false` once no one listens.
    pub fn send(&self, kind: ResourceKind, change: Change) -> bool {
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
}

/// A readable summary of a watcher error: the part a person can act on.
pub fn describe_error(e: &watcher::Error) -> (bool, String) {
    let api = match e {
        watcher::Error::InitialListFailed(k)
        | watcher::Error::WatchStartFailed(k)
        | watcher::Error::WatchFailed(k) => k,
        watcher::Error::WatchError(status) => {
            return (status.code == 403, status.message.clone());
        }
        watcher::Error::NoResourceVersion => return (false, e.to_string()),
    };
    match api {
        kube::Error::Api(status) if status.code == 403 => (true, status.message.clone()),
        kube::Error::Api(status) if status.code == 401 => {
            (false, "unauthorized: the server rejected the credentials (token expired or invalid); refresh them and kubedeck reconnects".into())
        }
        kube::Error::Api(status) => (false, format!("{} ({})", status.message, status.code)),
        other => {
            let mut text = other.to_string();
            let mut src = std::error::Error::source(other);
            while let Some(s) = src {
                text = s.to_string();
                src = s.source();
            }
            (false, format!("cannot reach the API server: {text}"))
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

/// Run an informer for `api` until the task is aborted, filling `sink` (typed resources and
/// DynamicObject alike).
pub async fn run<K>(api: Api<K>, sink: impl Sink<K>, kind: ResourceKind, tx: Updates)
where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Clone + Eq + Hash,
{
    run_with(api, sink, kind, tx, watcher::Config::default()).await;
}

/// `run` with a watcher config (e.g. a label selector).
pub async fn run_with<K>(
    api: Api<K>,
    mut sink: impl Sink<K>,
    kind: ResourceKind,
    tx: Updates,
    config: watcher::Config,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
    K::DynamicType: Clone + Eq + Hash,
{
    let send = |c: Change| {
        tx.send(kind, c);
    };
    send(Change::State(InformerState::Syncing));
    let stream = watch_fn(api, config)
        // Fields no view shows but that dominate memory on real clusters.
        .modify(|o| {
            o.managed_fields_mut().clear();
            o.annotations_mut()
                .remove("kubectl.kubernetes.io/last-applied-configuration");
        })
        .default_backoff()
        .inspect_ok(move |event| sink.apply(event));
    let mut stream = std::pin::pin!(stream);
    let mut state = InformerState::Syncing;
    while let Some(item) = stream.next().await {
        let next = match item {
            Ok(Event::InitDone) => {
                send(Change::Changed);
                InformerState::Live
            }
            Ok(Event::Init | Event::InitApply(_)) => {
                if state == InformerState::Live {
                    InformerState::Live
                } else {
                    InformerState::Syncing
                }
            }
            Ok(Event::Apply(_) | Event::Delete(_)) => {
                send(Change::Changed);
                InformerState::Live
            }
            Err(e) => {
                let (forbidden, text) = describe_error(&e);
                if forbidden {
                    InformerState::Forbidden(text)
                } else {
                    InformerState::Reconnecting(text)
                }
            }
        };
        if next != state {
            state = next.clone();
            send(Change::State(next));
        }
    }
}
