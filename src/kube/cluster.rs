//! One connected cluster: its informers and their stores, scoped to a namespace or to all.
//! Dropping it stops every informer (used when switching context or namespace).

use std::sync::{Arc, RwLock};

use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};
use kube::Client;
use kube::api::{Api, DynamicObject};
use kube::core::ApiResource;
use kube::runtime::reflector::store::Writer;
use kube::runtime::reflector::{self, Store};
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::answered::QUICK_ANSWER;
use super::backoff::{Backoff, RetryNow};
use super::credentials::ClientHandle;
use super::discovery::ApiResourceInfo;
use super::event_row::{EventRow, event_row};
use super::ids::ClusterId;
use super::informer::{Change, InformerState, InformerUpdate, ResourceKind, Sink, Updates};
use super::lean_pod::LeanPod;
use super::list_watch::{self, Ended, Fault, Target};
use super::node_row::{NodeRow, node_row};
use super::object_ref::ObjectRef;
use super::pod_row::{PodRow, lean_row, pod_row};
use super::recorded::{self, Tap};
use super::row_store::{RowStore, RowWriter};
use super::server_table::TableStore;
use super::table_informer::TableSource;
use super::tekton::{self, TektonApi};
use super::tekton_row::{PipelineRunRow, pipelinerun_row};
use super::timeline;
use super::timeline_workloads::{Rollouts, WorkloadFacts};
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};

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
    /// Nodes as their rows: a node's object is several kilobytes (tens with a real node's
    /// image list), its row a few hundred bytes; describe fetches the one it shows.
    pub nodes: RowStore<NodeRow>,
    pub namespaces: Store<Namespace>,
    /// PipelineRuns as their rows (derived on the informer's task; empty until discovery finds
    /// Tekton): a run's object is many times its row, and describe fetches the one it shows.
    pub pipelineruns: RowStore<PipelineRunRow>,
    /// The TaskRuns of the PipelineRun shown, while one is.
    pub taskruns: Option<Store<DynamicObject>>,
    /// The rows of the resource the resource view shows (server-side Table), while it does.
    pub generic: Option<TableStore>,
}

/// The writing ends of a set of stores, for feeding watch events by hand (tests, benchmarks).
pub struct StoreWriters {
    pub pods: RowWriter<Pod, PodRow>,
    pub events: RowWriter<Event, EventRow>,
    pub nodes: RowWriter<Node, NodeRow>,
    pub namespaces: Writer<Namespace>,
}

impl Stores {
    /// Empty stores of `cluster` and their writers (no informers).
    pub fn with_writers(cluster: &ClusterId) -> (Self, StoreWriters) {
        let stamp = cluster.clone();
        let pods = RowWriter::<Pod, PodRow>::new(move |p| PodRow {
            cluster: stamp.clone(),
            ..pod_row(p)
        });
        let stamp = cluster.clone();
        let events = RowWriter::<Event, EventRow>::new(move |e| EventRow {
            cluster: stamp.clone(),
            ..event_row(e)
        });
        let nodes = node_writer(cluster);
        let (namespaces_r, namespaces) = reflector::store::<Namespace>();
        let stores = Stores {
            pods: pods.as_reader(),
            events: events.as_reader(),
            nodes: nodes.as_reader(),
            namespaces: namespaces_r,
            pipelineruns: RowStore::default(),
            taskruns: None,
            generic: None,
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
            ResourceKind::PipelineRuns => self.pipelineruns.len(),
            ResourceKind::TaskRuns => self.taskruns.as_ref().map_or(0, Store::len),
            ResourceKind::Generic => self.generic.as_ref().map_or(0, TableStore::len),
            // Watched for the timeline only: no store.
            ResourceKind::Workloads => 0,
        }
    }
}

/// The nodes' rows, stamped with their cluster.
fn node_writer(cluster: &ClusterId) -> RowWriter<Node, NodeRow> {
    let stamp = cluster.clone();
    RowWriter::new(move |n| NodeRow {
        cluster: stamp.clone(),
        ..node_row(n)
    })
}

pub struct Cluster {
    pub id: ClusterId,
    pub scope: Scope,
    pub stores: Stores,
    /// The PipelineRun resource discovery found (v1 or v1beta1), while it is served.
    pub tekton: Discovered,
    /// The cluster's client, renewed after a 401.
    pub clients: ClientHandle,
    /// Wakes every informer waiting out a backoff (the retry key).
    pub retry: RetryNow,
    tasks: Vec<JoinHandle<()>>,
}

/// An API resource found by discovery, or `None` while it is not served.
#[derive(Clone, Default)]
pub struct Discovered(Arc<RwLock<Option<ApiResource>>>);

impl Discovered {
    pub fn get(&self) -> Option<ApiResource> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, ar: Option<ApiResource>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = ar;
    }
}

fn scoped<K>(client: Client, scope: &Scope) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match scope {
        // Resolved per cluster by the runner before it starts; all if it ever is not.
        Scope::All | Scope::ContextDefaults => Api::all(client),
        Scope::Namespace(ns) => Api::namespaced(client, ns),
    }
}

/// The longest the events and PipelineRun informers wait for the pods list to settle.
const AFTER_PODS_WITHIN: std::time::Duration = std::time::Duration::from_secs(5);

/// Run a core kind's informer for as long as the task lives: if its API ever answers 404, it
/// is tried again after a wait.
async fn run_core<K>(target: Target<K>, mut sink: impl Sink<K>, tx: Updates, retry: RetryNow)
where
    K: kube::Resource
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
{
    let mut backoff = Backoff::default();
    loop {
        let Ended::Gone(_) =
            list_watch::run(&target, &mut sink, tx.clone(), retry.subscribe()).await;
        retry.subscribe().sleep(backoff.wait()).await;
    }
}

/// A row writer that also tells the flight recorder (when there is one) each list and each
/// change of a recorded field.
fn recorded<K: kube::Resource, R: Send + Sync + 'static>(
    w: RowWriter<K, R>,
    tap: Option<&Tap>,
    kind: &'static str,
    fields: fn(&R) -> recorded::Fields,
) -> RowWriter<K, R> {
    match tap {
        Some(t) => {
            let (lists, changes) = (t.kind(kind, fields), t.kind(kind, fields));
            w.on_list(move |rows| lists.listed(rows))
                .observe(move |old, new| changes.changed(old, new))
        }
        None => w,
    }
}

/// One workload kind's informer, telling the timeline what changed (its facts only are kept).
fn workload_informer<K>(
    clients: &ClientHandle,
    scope: &Scope,
    tx: &Updates,
    retry: &RetryNow,
    facts: fn(&K) -> WorkloadFacts,
    tap: Option<&Tap>,
    kind: &'static str,
) -> futures::future::BoxFuture<'static, ()>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug
        + Send
        + Sync
        + 'static,
    K::DynamicType: Default,
{
    let told = tx.clone();
    let mut rollouts = Rollouts::default();
    let w = recorded(
        RowWriter::<K, WorkloadFacts>::new(facts),
        tap,
        kind,
        recorded::workload_fields,
    );
    let w = w.observe(move |old, new| {
        told.timeline(
            ResourceKind::Workloads,
            rollouts.changes(old, new, jiff::Timestamp::now()),
        );
    });
    let scope = scope.clone();
    Box::pin(run_core(
        Target {
            clients: clients.clone(),
            api: Box::new(move |c| scoped::<K>(c, &scope)),
            kind: ResourceKind::Workloads,
            label_selector: None,
        },
        w,
        tx.clone(),
        retry.clone(),
    ))
}

impl Cluster {
    /// Start every informer. Returns at once; progress arrives on `tx`.
    pub fn start(
        clients: ClientHandle,
        id: ClusterId,
        scope: Scope,
        tx: UnboundedSender<InformerUpdate>,
    ) -> Self {
        Self::start_watching(clients, id, scope, tx, &ResourceKind::WATCHABLE, None)
    }

    /// Start the informers of `kinds` (among [`ResourceKind::WATCHABLE`]; namespaces always);
    /// the others say they are not watched. The events and PipelineRun lists wait for the
    /// pods list (the first screen) unless they are listed before pods in `kinds`.
    pub fn start_watching(
        clients: ClientHandle,
        id: ClusterId,
        scope: Scope,
        tx: UnboundedSender<InformerUpdate>,
        kinds: &[ResourceKind],
        tap: Option<Tap>,
    ) -> Self {
        let tx = Updates::new(id.clone(), tx);
        let retry = RetryNow::default();
        let mut tasks = Vec::new();
        let watched = |k: ResourceKind| {
            let on = kinds.contains(&k);
            if !on {
                tx.state(k, InformerState::NotWatched);
            }
            on
        };
        let stamp = id.clone();
        let told = tx.clone();
        // Who deleted a pod, when an event says it (the events' informer hears it).
        let witnesses = timeline::Witnesses::default();
        let heard = witnesses.clone();
        // Pods are decoded lean: only the fields their rows read (see lean_pod.rs).
        let w = recorded(
            RowWriter::<LeanPod, PodRow>::new(move |p| PodRow {
                cluster: stamp.clone(),
                ..lean_row(p)
            }),
            tap.as_ref(),
            "pod",
            recorded::pod_fields,
        );
        let w = w.observe(move |old, new| {
            let mut records = timeline::pod_changes(old, new, jiff::Timestamp::now());
            witnesses.attribute(&mut records);
            told.timeline(ResourceKind::Pods, records);
        });
        let pods = w.as_reader();
        // The pods view is the first screen: the event list, often many times larger, and the
        // PipelineRuns are asked for once the pods list has settled (listed, forbidden or
        // failing), or after a few seconds, so they do not compete with it.
        let (pods_settled, settled) = tokio::sync::watch::channel(false);
        let (pods_tx, mut pods_updates) = tokio::sync::mpsc::unbounded_channel();
        let pods_scope = scope.clone();
        let watch_pods = watched(ResourceKind::Pods);
        if !watch_pods {
            pods_settled.send_replace(true);
        }
        tasks.extend(watch_pods.then(|| {
            tokio::spawn(run_core(
                Target {
                    clients: clients.clone(),
                    api: Box::new(move |c| scoped::<LeanPod>(c, &pods_scope)),
                    kind: ResourceKind::Pods,
                    label_selector: None,
                },
                w,
                Updates::new(id.clone(), pods_tx),
                retry.clone(),
            ))
        }));
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
        let stamp = id.clone();
        let told = tx.clone();
        let w = recorded(
            RowWriter::<Event, EventRow>::new(move |e| EventRow {
                cluster: stamp.clone(),
                ..event_row(e)
            }),
            tap.as_ref(),
            "event",
            recorded::event_fields,
        );
        let w = w.observe(move |old, new| {
            if let Some(n) = new {
                heard.heard(n);
            }
            if let Some(r) =
                new.and_then(|n| timeline::event_change(old, n, jiff::Timestamp::now()))
            {
                told.timeline(ResourceKind::Events, vec![r]);
            }
        });
        let events = w.as_reader();
        let events_scope = scope.clone();
        let events_target = Target {
            clients: clients.clone(),
            api: Box::new(move |c| scoped::<Event>(c, &events_scope)),
            kind: ResourceKind::Events,
            label_selector: None,
        };
        let (events_tx, wait, events_retry) = (tx.clone(), after_pods(), retry.clone());
        if watched(ResourceKind::Events) {
            tasks.push(tokio::spawn(async move {
                wait.await;
                run_core(events_target, w, events_tx, events_retry).await;
            }));
        }
        let w = node_writer(&id);
        let nodes = w.as_reader();
        let w = super::timeline_sink::NodeSink::new(w, tx.clone())
            .recorded(tap.as_ref().map(|t| t.kind("node", recorded::node_fields)));
        tasks.extend(watched(ResourceKind::Nodes).then(|| {
            tokio::spawn(run_core(
                Target {
                    clients: clients.clone(),
                    api: Box::new(Api::<Node>::all),
                    kind: ResourceKind::Nodes,
                    label_selector: None,
                },
                w,
                tx.clone(),
                retry.clone(),
            ))
        }));
        let (namespaces, w) = reflector::store::<Namespace>();
        tasks.push(tokio::spawn(run_core(
            Target {
                clients: clients.clone(),
                api: Box::new(Api::<Namespace>::all),
                kind: ResourceKind::Namespaces,
                label_selector: None,
            },
            w,
            tx.clone(),
            retry.clone(),
        )));
        let stamp = id.clone();
        let told = tx.clone();
        let w = recorded(
            RowWriter::<DynamicObject, PipelineRunRow>::new(move |o| PipelineRunRow {
                cluster: stamp.clone(),
                ..pipelinerun_row(&serde_json::to_value(o).unwrap_or_default())
            }),
            tap.as_ref(),
            "pipelinerun",
            recorded::run_fields,
        );
        let w = w.observe(move |old, new| {
            told.timeline(
                ResourceKind::PipelineRuns,
                timeline::run_changes(old, new, jiff::Timestamp::now()),
            );
        });
        let pipelineruns = w.as_reader();
        let tekton = Discovered::default();
        let watch_runs = watched(ResourceKind::PipelineRuns);
        let runs = pipelinerun_informer(
            clients.clone(),
            scope.clone(),
            w,
            tekton.clone(),
            tx.clone(),
            retry.clone(),
        );
        let runs_first = kinds
            .iter()
            .position(|k| *k == ResourceKind::PipelineRuns)
            .zip(kinds.iter().position(|k| *k == ResourceKind::Pods))
            .is_some_and(|(runs, pods)| runs < pods);
        let wait = after_pods();
        if watch_runs {
            tasks.push(tokio::spawn(async move {
                if !runs_first {
                    wait.await;
                }
                runs.await;
            }));
        }
        // Deployments, StatefulSets and DaemonSets, for the timeline (rollouts, scales, pauses).
        if watched(ResourceKind::Workloads) {
            let wait = after_pods();
            // One state for the three: a forbidden Deployments list is not hidden by live
            // StatefulSets.
            let parts = super::informer::SharedKind::new(3);
            let workloads = [
                workload_informer::<Deployment>(
                    &clients,
                    &scope,
                    &tx.part(&parts, 0),
                    &retry,
                    WorkloadFacts::of_deployment,
                    tap.as_ref(),
                    "deployment",
                ),
                workload_informer::<StatefulSet>(
                    &clients,
                    &scope,
                    &tx.part(&parts, 1),
                    &retry,
                    WorkloadFacts::of_statefulset,
                    tap.as_ref(),
                    "statefulset",
                ),
                workload_informer::<DaemonSet>(
                    &clients,
                    &scope,
                    &tx.part(&parts, 2),
                    &retry,
                    WorkloadFacts::of_daemonset,
                    tap.as_ref(),
                    "daemonset",
                ),
            ];
            tasks.push(tokio::spawn(async move {
                wait.await;
                futures::future::join_all(workloads).await;
            }));
        }
        // The path to the server, probed when nothing comes (see `liveness`).
        tasks.push(tokio::spawn(super::liveness::watch_path(
            id.clone(),
            clients.clone(),
            retry.clone(),
        )));
        let stores = Stores {
            pods,
            events,
            nodes,
            namespaces,
            pipelineruns,
            taskruns: None,
            generic: None,
        };
        Self {
            id,
            scope,
            stores,
            tekton,
            clients,
            retry,
            tasks,
        }
    }

    /// Watch the TaskRuns of one PipelineRun (by Tekton's `tekton.dev/pipelineRun` label).
    /// `None` while discovery has not found Tekton.
    pub fn watch_taskruns(
        &self,
        run: &ObjectRef,
        tx: UnboundedSender<InformerUpdate>,
    ) -> Option<TaskRunWatch> {
        let tx = Updates::new(self.id.clone(), tx);
        let ar = tekton::taskrun_resource(&self.tekton.get()?);
        let mut writer = Writer::new(ar.clone());
        let store = writer.as_reader();
        let namespace = run.namespace.clone();
        let target = Target {
            clients: self.clients.clone(),
            api: Box::new(move |c| Api::namespaced_with(c, &namespace, &ar)),
            kind: ResourceKind::TaskRuns,
            label_selector: Some(format!("tekton.dev/pipelineRun={}", run.name)),
        };
        let retry = self.retry.subscribe();
        let task = tokio::spawn(async move {
            // Gone (Tekton removed): the PipelineRuns' informer says so; the view is closed.
            let _ = list_watch::run(&target, &mut writer, tx, retry).await;
        });
        Some(TaskRunWatch {
            run: run.clone(),
            store,
            task,
        })
    }
}

impl Cluster {
    /// Watch any resource as server-side Tables, in `namespace` or everywhere, for the
    /// resource view; dropping what this returns stops the watch.
    pub fn watch_resource(
        &self,
        resource: Arc<ApiResourceInfo>,
        namespace: Option<String>,
        paths: &[String],
        tx: UnboundedSender<InformerUpdate>,
    ) -> ResourceWatch {
        let tx = Updates::new(self.id.clone(), tx);
        let store = TableStore::default();
        let mut source = TableSource {
            resource: resource.clone(),
            namespace: namespace.clone(),
            label_selector: None,
            store: store.clone(),
            // Checked when views.yaml was read; one that does not parse (it cannot get here)
            // would read nothing, in its own place.
            paths: Arc::new(
                paths
                    .iter()
                    .filter_map(|p| {
                        crate::k9s_files::json_path(p)
                            .or_else(|_| crate::k9s_files::json_path(".__unreadable__"))
                            .ok()
                    })
                    .collect(),
            ),
        };
        let clients = self.clients.clone();
        let retry = self.retry.subscribe();
        let task = tokio::spawn(async move {
            // Gone (a CRD deleted): the view says "not installed" and shows nothing.
            let _ = list_watch::run_source(&clients, ResourceKind::Generic, &mut source, tx, retry)
                .await;
        });
        ResourceWatch {
            resource,
            namespace,
            store,
            task,
        }
    }
}

/// One resource watched for the resource view. Dropping it stops the watch.
pub struct ResourceWatch {
    pub resource: Arc<ApiResourceInfo>,
    pub namespace: Option<String>,
    pub store: TableStore,
    task: JoinHandle<()>,
}

impl Drop for ResourceWatch {
    fn drop(&mut self) {
        self.task.abort();
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

/// Discover Tekton, watch PipelineRuns while it is served, and look again (with backoff) while
/// it is not: installed after kubedeck started, it appears; removed, its runs go with it.
async fn pipelinerun_informer(
    clients: ClientHandle,
    scope: Scope,
    mut sink: RowWriter<DynamicObject, PipelineRunRow>,
    found: Discovered,
    tx: Updates,
    retry: RetryNow,
) {
    let kind = ResourceKind::PipelineRuns;
    // The state last said, so a discovery that keeps failing the same way says it once.
    let mut said: Option<InformerState> = None;
    let say = |said: &mut Option<InformerState>, state: InformerState| {
        if said.as_ref() != Some(&state) {
            *said = Some(state.clone());
            tx.state(kind, state);
        }
    };
    say(&mut said, InformerState::Syncing);
    let mut backoff = Backoff::default();
    let mut signal = retry.subscribe();
    loop {
        let (generation, client) = clients.current();
        // Told of path changes from this attempt on only.
        let mut path = signal.path();
        // Asked on a connection that died unseen, discovery would wait for the client's read
        // timeout (minutes) with no key to cut it: it is abandoned when the path changes (the
        // prober found it silent, or back) or after `QUICK_ANSWER`.
        let asked = tokio::time::timeout(QUICK_ANSWER, path.cut(tekton::discover(&client)));
        let discovered = match asked.await {
            Ok(Some(result)) => result,
            Ok(None) => {
                let why = if path.silent() {
                    super::liveness::SILENT
                } else {
                    super::liveness::BACK
                };
                say(&mut said, InformerState::Reconnecting(why.into()));
                signal.sleep(backoff.wait()).await;
                continue;
            }
            Err(_) => {
                say(
                    &mut said,
                    InformerState::Reconnecting(format!(
                        "discovery got no answer in {QUICK_ANSWER:?}; asking again"
                    )),
                );
                signal.sleep(backoff.wait()).await;
                continue;
            }
        };
        let ar = match discovered {
            Ok(TektonApi::Served(ar)) => ar,
            Ok(TektonApi::NotInstalled) => {
                say(&mut said, InformerState::NotInstalled);
                signal.sleep(backoff.wait()).await;
                continue;
            }
            Err(e) => {
                let state = match list_watch::classify(&e) {
                    Fault::Unauthorized(why) => {
                        let _ = clients.renew(generation).await;
                        InformerState::Unauthorized(why)
                    }
                    Fault::Forbidden(why) => InformerState::Forbidden(why),
                    Fault::Back => InformerState::Reconnecting(super::liveness::BACK.into()),
                    Fault::Relist(why) | Fault::Gone(why) | Fault::Transient(why) => {
                        InformerState::Reconnecting(format!("discovery failed: {why}"))
                    }
                };
                say(&mut said, state);
                signal.sleep(backoff.wait()).await;
                continue;
            }
        };
        backoff.reset();
        found.set(Some(ar.clone()));
        let api_ar = ar.clone();
        let api_scope = scope.clone();
        let target = Target {
            clients: clients.clone(),
            api: Box::new(move |c| match &api_scope {
                Scope::All | Scope::ContextDefaults => Api::all_with(c, &api_ar),
                Scope::Namespace(ns) => Api::namespaced_with(c, ns, &api_ar),
            }),
            kind,
            label_selector: None,
        };
        // The informer reports its own states; it returns only when the API went away.
        let Ended::Gone(_) =
            list_watch::run(&target, &mut sink, tx.clone(), retry.subscribe()).await;
        found.set(None);
        said = Some(InformerState::NotInstalled);
    }
}

#[cfg(test)]
mod discovery_tests {
    use super::*;
    use tokio::io::AsyncReadExt;
    use tokio::net::TcpListener;

    /// A server whose connections are taken and never answered (a connection that died
    /// unseen); `asked` is told of each request.
    async fn never_answers(asked: tokio::sync::mpsc::UnboundedSender<()>) -> Client {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("a bound address");
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                if conn.read(&mut buf).await.is_ok_and(|n| n > 0) {
                    let _ = asked.send(());
                }
                held.push(conn);
            }
        });
        let url = format!("http://{addr}").parse().expect("a loopback url");
        Client::try_from(kube::Config::new(url)).expect("a client")
    }

    /// The soak found it: Tekton's discovery asked while the path went silent waited for the
    /// client's read timeout, and the PipelineRuns said "not installed" long after Tekton was
    /// back. It is abandoned when the path changes, and said.
    #[tokio::test]
    async fn a_discovery_never_answered_is_abandoned_when_the_path_goes_silent() {
        let (asked_tx, mut asked) = tokio::sync::mpsc::unbounded_channel();
        let client = never_answers(asked_tx).await;
        let (tx, mut updates) = tokio::sync::mpsc::unbounded_channel();
        let retry = RetryNow::default();
        let informer = tokio::spawn(pipelinerun_informer(
            ClientHandle::fixed(client),
            Scope::All,
            RowWriter::new(|o: &DynamicObject| {
                pipelinerun_row(&serde_json::to_value(o).unwrap_or_default())
            }),
            Discovered::default(),
            Updates::new(ClusterId::from("c"), tx),
            retry.clone(),
        ));
        // (A guard against a hang, far above the milliseconds this takes.)
        let within = std::time::Duration::from_secs(30);
        let got = tokio::time::timeout(within, async {
            assert!(asked.recv().await.is_some(), "discovery asked nothing");
            retry.path_changed(true);
            while let Some(u) = updates.recv().await {
                if let Change::State(InformerState::Reconnecting(why)) = u.change {
                    return Some(why);
                }
            }
            None
        })
        .await;
        informer.abort();
        assert_eq!(
            got.ok().flatten().as_deref(),
            Some(super::super::liveness::SILENT)
        );
    }
}
