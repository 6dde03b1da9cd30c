//! The runner's clusters: clients (built on a task for a context switch, renewed after a 401),
//! informers started for what `update` chose, discovery, the kind the resource view watches,
//! the TaskRuns of one run, the metrics pollers and the capture of Tekton step logs.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use super::runner::{Internal, Runner};
use crate::app::action::Watched;
use crate::app::msg::{Done, Msg};
use crate::app::resource::ResourceShown;
use crate::kube::cluster::Cluster;
use crate::kube::credentials::ClientHandle;
use crate::kube::error::ApiError;
use crate::kube::ids::ClusterId;
use crate::kube::informer::{Change, InformerUpdate, ResourceKind};
use crate::kube::metrics::{MetricsTask, PodMetricsWanted, WantedByCluster};
use crate::kube::object_ref::ObjectRef;
use crate::kube::step_store::StepStore;

impl Runner {
    /// `cluster`'s current client (renewed after a 401), or why there is none.
    pub(super) fn client(&self, cluster: &ClusterId) -> Result<kube::Client, ApiError> {
        self.clients
            .get(cluster)
            .map(ClientHandle::client)
            .ok_or_else(|| ApiError::NotConnected(cluster.clone()))
    }

    /// Start the informers `update` chose, one cluster each (the old ones stop first). A
    /// cluster without a client was never switched to; `update` does not ask for one.
    pub(super) fn connect(&mut self, watched: Vec<Watched>) {
        // Dropping the old clusters stops their informers before the new ones start.
        self.taskruns = None;
        self.resource.clear();
        self.others.clear();
        let taps: Vec<_> = watched.iter().map(|w| self.tap(&w.cluster)).collect();
        let mut started = watched.into_iter().zip(taps).filter_map(|(w, tap)| {
            let client = self.clients.get(&w.cluster)?.clone();
            let tx = self.channels.informers.clone();
            Some(Cluster::start_watching(
                client, w.cluster, w.scope, tx, &w.kinds, tap,
            ))
        });
        if let Some(first) = started.next() {
            let others = started.collect();
            self.cluster = first;
            self.others = others;
        }
        self.start_metrics();
        self.start_capture();
    }

    /// Build clients for other contexts on a task; the loop hands them to [`Runner::client_ready`].
    pub(super) fn switch_context(&self, clusters: Vec<ClusterId>) {
        let source = self.kubeconfig.clone();
        let tx = self.channels.internal.clone();
        tokio::spawn(async move {
            // The kubeconfig is read again: a token renewed since start is used. Each
            // context's client is built on its own (an exec plugin may be slow).
            let source = source.reload();
            let each = clusters.into_iter().map(|cluster| {
                let source = source.clone();
                async move {
                    let result = match source {
                        Ok(source) => source.client(cluster.context()).await.map(|(c, ns)| {
                            (ClientHandle::renewable(c, source, cluster.context()), ns)
                        }),
                        Err(e) => Err(e),
                    };
                    (cluster, result)
                }
            });
            let results = futures::future::join_all(each).await;
            let _ = tx.send(Internal::Clients(results));
        });
    }

    /// A context switch's clients are ready (or not): keep them; the app hears each
    /// context's namespace, or why it has no client.
    pub fn client_ready(&mut self, internal: Internal) -> Msg {
        let Internal::Clients(results) = internal;
        let answers = results
            .into_iter()
            .map(|(cluster, result)| {
                let answer = result.map(|(client, ns)| {
                    self.clients.insert(cluster.clone(), client);
                    ns
                });
                (cluster, answer)
            })
            .collect();
        Msg::Done(Done::Context(answers))
    }

    /// Cut `cluster`'s backoffs short; its metrics poller starts again (a sample at once).
    pub(super) fn retry_now(&mut self, cluster: &ClusterId) {
        if let Some(c) = self.shown(cluster) {
            c.retry.now();
            let task = self.metrics_poller(c);
            self.metrics_tasks.insert(cluster.clone(), task);
        }
    }

    /// Ask `cluster` what it serves; the answer comes back as a message.
    pub(super) fn discover(&self, cluster: ClusterId, out: &mut VecDeque<Msg>) {
        let answer = cluster.clone();
        self.spawn_with(
            &cluster,
            out,
            |client| async move {
                crate::kube::discovery::discover(&client)
                    .await
                    .map_err(ApiError::from)
            },
            move |result| Msg::Done(Done::Discovered(answer, result)),
        );
    }

    /// Watch the kind the resource view shows in every cluster shown (none: stop).
    pub(super) fn watch_resource(&mut self, shown: Option<ResourceShown>, out: &mut VecDeque<Msg>) {
        self.resource.clear();
        let tx = self.channels.informers.clone();
        let mut watches = Vec::new();
        for cluster in self.clusters_mut() {
            cluster.stores.generic = None;
            if let Some(shown) = &shown {
                let namespace = shown.list_namespace(&cluster.scope);
                let w = cluster.watch_resource(
                    shown.api.clone(),
                    namespace,
                    &shown.paths(),
                    tx.clone(),
                );
                cluster.stores.generic = Some(w.store.clone());
                watches.push(w);
            }
        }
        self.resource = watches;
        out.push_back(Msg::Informer(InformerUpdate {
            cluster: self.cluster.id.clone(),
            kind: ResourceKind::Generic,
            change: Change::Changed,
        }));
    }

    /// Watch the TaskRuns of `run` (none: stop). A cluster that has not discovered Tekton
    /// cannot: the app hears so (and shows the PipelineRuns' state for them).
    pub(super) fn watch_taskruns(&mut self, run: Option<ObjectRef>, out: &mut VecDeque<Msg>) {
        self.taskruns = None;
        for c in self.clusters_mut() {
            c.stores.taskruns = None;
        }
        let Some(run) = run else {
            // Stopped: what its informer last said (a problem, a count) is cleared with it.
            for c in self.clusters() {
                out.push_back(Msg::Informer(InformerUpdate {
                    cluster: c.id.clone(),
                    kind: ResourceKind::TaskRuns,
                    change: Change::State(crate::kube::informer::InformerState::NotWatched),
                }));
            }
            return;
        };
        let tx = self.channels.informers.clone();
        let Some(cluster) = self.clusters_mut().find(|c| c.id == run.cluster) else {
            return;
        };
        let watch = cluster.watch_taskruns(&run, tx);
        if let Some(w) = &watch {
            cluster.stores.taskruns = Some(w.store.clone());
        }
        self.taskruns = watch;
        if self.taskruns.is_none() {
            out.push_back(Msg::Done(Done::NoTekton(run.clone())));
        }
        out.push_back(Msg::Informer(InformerUpdate {
            cluster: run.cluster,
            kind: ResourceKind::TaskRuns,
            change: Change::Changed,
        }));
    }

    /// Tell the metrics pollers which pods' usage is on screen (after each frame).
    pub fn pod_usage_shown(&self, wanted: WantedByCluster) {
        self.pod_usage_shown.send_if_modified(|v| {
            let changed = *v != wanted;
            *v = wanted;
            changed
        });
    }

    /// (Re)start polling metrics.k8s.io for every cluster shown, in its scope.
    pub(super) fn start_metrics(&mut self) {
        let tasks = self
            .clusters()
            .map(|c| (c.id.clone(), self.metrics_poller(c)))
            .collect();
        self.metrics_tasks = tasks;
    }

    /// A metrics poller for `c`, in its scope, its samples tagged with its cluster.
    fn metrics_poller(&self, c: &Cluster) -> MetricsTask {
        let namespace = c.scope.namespace().map(str::to_string);
        let cluster = c.id.clone();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let forward = self.channels.metrics.clone();
        tokio::spawn(async move {
            while let Some(u) = rx.recv().await {
                if forward.send((cluster.clone(), u)).is_err() {
                    return;
                }
            }
        });
        crate::kube::metrics::spawn(
            c.clients.clone(),
            namespace,
            self.metrics_interval,
            self.pod_usage_wanted_by(&c.id),
            tx,
        )
    }

    /// What `cluster`'s poller is to list of pod usage, told as the screen changes.
    fn pod_usage_wanted_by(&self, cluster: &ClusterId) -> watch::Receiver<PodMetricsWanted> {
        let mut fleet = self.pod_usage_shown.subscribe();
        let (own, rx) = watch::channel(fleet.borrow_and_update().of(cluster));
        let cluster = cluster.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    changed = fleet.changed() => {
                        if changed.is_err() {
                            return;
                        }
                        let wanted = fleet.borrow_and_update().of(&cluster);
                        own.send_if_modified(|v| {
                            let changed = *v != wanted;
                            *v = wanted;
                            changed
                        });
                    }
                    // The poller stopped (a context switch restarts them).
                    () = own.closed() => return,
                }
            }
        });
        rx
    }

    /// (Re)start capturing Tekton step logs for the first cluster, in its scope.
    pub(super) fn start_capture(&mut self) {
        self.capture_task = None;
        let context = self.cluster.id.context().to_string();
        let server = self.kubeconfig.server_of(&context);
        self.step_store = self
            .step_capture
            .as_ref()
            .map(|(root, max)| Arc::new(StepStore::new(root, &context, &server, *max)));
        if let Some(store) = &self.step_store {
            self.capture_task = Some(crate::kube::step_capture::spawn(
                self.cluster.clients.clone(),
                self.cluster.scope.clone(),
                store.clone(),
                self.cluster.retry.subscribe(),
            ));
        }
    }
}
