//! One connected cluster: its informers and their stores, scoped to a namespace or to all.
//! Dropping it stops every informer (used when switching context or namespace).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};
use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::core::ApiResource;
use kube::runtime::reflector::store::Writer;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::event_row::{EventRow, event_row};
use super::ids::ClusterId;
use super::informer::{self, Change, InformerState, InformerUpdate, ResourceKind, Updates};
use super::object_ref::ObjectRef;
use super::pod_row::{PodRow, pod_row};
use super::row_store::{RowStore, RowWriter};
use super::tekton::{self, TektonApi};

pub use super::ids::Scope;

/// What a cluster's informers hold: read by the UI's projection, written by the informers.
/// Cheap to clone (readers share the data).
#[derive(Clone)]
pub struct Stores {
    /// Pods, as events, are kept as their rows (derived on the informer's task); describe
    /// fetches the one pod it shows.
    pub pods: RowStore<PodRow>,
    /// Events are kept as their rows: tens of thousands of typed events cost several times
    /// their rows, and every view of them needs only the row.
    pub events: RowStore<EventRow>,
    pub nodes: Store<Node>,
    pub namespaces: Store<Namespace>,
    /// Set once discovery finds Tekton.
    pub pipelineruns: Arc<OnceLock<Store<DynamicObject>>>,
    /// The TaskRuns of the PipelineRun shown, while one is.
    pub taskruns: Option<Store<DynamicObject>>,
}

/// The writing ends of a set of stores, for feeding watch events by hand (tests, benchmarks).
pub struct StoreWriters {
    pub pods: RowWriter<Pod, PodRow>,
    pub events: RowWriter<Event, EventRow>,
    pub nodes: Writer<Node>,
    pub namespaces: Writer<Namespace>,
}

impl Stores {
    /// Empty stores and their writers (no informers).
    pub fn with_writers() -> (Self, StoreWriters) {
        let pods = RowWriter::<Pod, PodRow>::new(pod_row);
        let events = RowWriter::<Event, EventRow>::new(event_row);
        let (nodes_r, nodes) = reflector::store::<Node>();
        let (namespaces_r, namespaces) = reflector::store::<Namespace>();
        let stores = Stores {
            pods: pods.as_reader(),
            events: events.as_reader(),
            nodes: nodes_r,
            namespaces: namespaces_r,
            pipelineruns: Arc::new(OnceLock::new()),
            taskruns: None,
        };
        let writers = StoreWriters {
            pods,
            events,
            nodes,
            namespaces,
        };
        (stores, writers)
    }

    /// How many objects each kind's store holds.
    pub fn count(&self, kind: ResourceKind) -> usize {
        match kind {
            ResourceKind::Pods => self.pods.len(),
            ResourceKind::Events => self.events.len(),
            ResourceKind::Nodes => self.nodes.len(),
            ResourceKind::Namespaces => self.namespaces.len(),
            ResourceKind::PipelineRuns => self.pipelineruns.get().map_or(0, Store::len),
            ResourceKind::TaskRuns => self.taskruns.as_ref().map_or(0, Store::len),
        }
    }
}

pub struct Cluster {
    pub id: ClusterId,
    pub scope: Scope,
    pub stores: Stores,
    /// The PipelineRun resource discovery found (v1 or v1beta1).
    pub tekton: Arc<OnceLock<ApiResource>>,
    pub client: Client,
    tasks: Vec<JoinHandle<()>>,
}

fn scoped<K>(client: &Client, scope: &Scope) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match scope {
        Scope::All => Api::all(client.clone()),
        Scope::Namespace(ns) => Api::namespaced(client.clone(), ns),
    }
}

/// The longest the events and PipelineRun informers wait for the pods list to settle.
const AFTER_PODS_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

impl Cluster {
    /// Start every informer. Returns at once; progress arrives on `tx`.
    pub fn start(
        client: Client,
        id: ClusterId,
        scope: Scope,
        tx: UnboundedSender<InformerUpdate>,
    ) -> Self {
        let tx = Updates::new(id.clone(), tx);
        let mut tasks = Vec::new();
        let w = RowWriter::<Pod, PodRow>::new(pod_row);
        let pods = w.as_reader();
        // The pods view is the first screen: the event list, often many times larger, and the
        // PipelineRuns are asked for once the pods list has settled (listed, forbidden or
        // failing), or after a few seconds, so they do not compete with it.
        let (pods_settled, settled) = tokio::sync::watch::channel(false);
        let (pods_tx, mut pods_updates) = tokio::sync::mpsc::unbounded_channel();
        tasks.push(tokio::spawn(informer::run(
            scoped(&client, &scope),
            w,
            ResourceKind::Pods,
            Updates::new(id.clone(), pods_tx),
        )));
        let forward = tx.tx.clone();
        tasks.push(tokio::spawn(async move {
            while let Some(u) = pods_updates.recv().await {
                if matches!(&u.change, Change::State(s) if *s != InformerState::Syncing) {
                    pods_settled.send_replace(true);
                }
                if forward.send(u).is_err() {
                    return;
                }
            }
        }));
        let after_pods = move || {
            let mut settled = settled.clone();
            async move {
                let wait = settled.wait_for(|s| *s);
                let _ = tokio::time::timeout(AFTER_PODS_WITHIN, wait).await;
            }
        };
        let w = RowWriter::<Event, EventRow>::new(event_row);
        let events = w.as_reader();
        let (events_api, events_tx, wait) = (scoped(&client, &scope), tx.clone(), after_pods());
        tasks.push(tokio::spawn(async move {
            wait.await;
            informer::run(events_api, w, ResourceKind::Events, events_tx).await;
        }));
        let (nodes, w) = reflector::store::<Node>();
        tasks.push(tokio::spawn(informer::run(
            Api::all(client.clone()),
            w,
            ResourceKind::Nodes,
            tx.clone(),
        )));
        let (namespaces, w) = reflector::store::<Namespace>();
        tasks.push(tokio::spawn(informer::run(
            Api::all(client.clone()),
            w,
            ResourceKind::Namespaces,
            tx.clone(),
        )));
        let pipelineruns = Arc::new(OnceLock::new());
        let tekton = Arc::new(OnceLock::new());
        let runs = pipelinerun_informer(
            client.clone(),
            scope.clone(),
            pipelineruns.clone(),
            tekton.clone(),
            tx,
        );
        let wait = after_pods();
        tasks.push(tokio::spawn(async move {
            wait.await;
            runs.await;
        }));
        let stores = Stores {
            pods,
            events,
            nodes,
            namespaces,
            pipelineruns,
            taskruns: None,
        };
        Self {
            id,
            scope,
            stores,
            tekton,
            client,
            tasks,
        }
    }

    /// Watch the TaskRuns of one PipelineRun (by Tekton's `tekton.dev/pipelineRun` label).
    /// `None` until discovery has found Tekton.
    pub fn watch_taskruns(
        &self,
        run: &ObjectRef,
        tx: UnboundedSender<InformerUpdate>,
    ) -> Option<TaskRunWatch> {
        let tx = Updates::new(self.id.clone(), tx);
        let ar = tekton::taskrun_resource(self.tekton.get()?);
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), &run.namespace, &ar);
        let writer = Writer::new(ar);
        let store = writer.as_reader();
        let config =
            watcher::Config::default().labels(&format!("tekton.dev/pipelineRun={}", run.name));
        let task = tokio::spawn(informer::run_with(
            api,
            writer,
            ResourceKind::TaskRuns,
            tx,
            config,
        ));
        Some(TaskRunWatch {
            run: run.clone(),
            store,
            task,
        })
    }
}

/// The TaskRuns of one PipelineRun, watched while its view is open. Dropping it stops the watch.
pub struct TaskRunWatch {
    pub run: ObjectRef,
    pub store: Store<DynamicObject>,
    task: JoinHandle<()>,
}

impl Drop for TaskRunWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Discover Tekton (retrying with backoff on transport errors), then watch PipelineRuns.
async fn pipelinerun_informer(
    client: Client,
    scope: Scope,
    slot: Arc<OnceLock<Store<DynamicObject>>>,
    found: Arc<OnceLock<ApiResource>>,
    tx: Updates,
) {
    let kind = ResourceKind::PipelineRuns;
    tx.state(kind, InformerState::Syncing);
    let mut delay = Duration::from_millis(500);
    let ar = loop {
        match tekton::discover(&client).await {
            Ok(TektonApi::Served(ar)) => break ar,
            Ok(TektonApi::NotInstalled) => {
                tx.state(kind, InformerState::NotInstalled);
                return;
            }
            Err(e) => {
                let state = match &e {
                    kube::Error::Api(s) if s.code == 403 => {
                        InformerState::Forbidden(s.message.clone())
                    }
                    other => InformerState::Reconnecting(format!("discovery failed: {other}")),
                };
                tx.state(kind, state);
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    };
    let api: Api<DynamicObject> = match &scope {
        Scope::All => Api::all_with(client, &ar),
        Scope::Namespace(ns) => Api::namespaced_with(client, ns, &ar),
    };
    let _ = found.set(ar.clone());
    let writer = Writer::new(ar);
    let _ = slot.set(writer.as_reader());
    informer::run(api, writer, kind, tx).await;
}
