//! Carrying out effects: everything that touches the cluster, the disk, a process or the
//! terminal. Each runs on its own task (or at once when it cannot block); what comes of it
//! goes back to `update` as a message. Every effect on the cluster takes its client from the
//! cluster its object belongs to.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use tokio::sync::mpsc;

use super::terminals::Terminals;
use crate::app::msg::{Done, Msg, SessionStartError};
use crate::app::sessions::SessionSpec;
use crate::app::sessions::update::initial_recording;
use crate::app::{App, Effect};
use crate::kube::actions::{self, ActionError};
use crate::kube::client::{ConnectError, KubeconfigSource};
use crate::kube::cluster::{Cluster, TaskRunWatch};
use crate::kube::credentials::ClientHandle;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use crate::kube::logs::{LogEvent, LogTask, StreamKey};
use crate::kube::metrics::{MetricsTask, MetricsUpdate};
use crate::kube::step_capture::CaptureTask;
use crate::kube::step_store::StepStore;
use crate::pty::Backend;
use crate::pty::session::{SessionEvent, SessionId};
use crate::views::theme::Theme;

/// What only the runtime can receive: a context's new client (not plain data, so it never
/// enters the app; the app hears `Done::Context`).
pub enum Internal {
    /// The clients of a context switch, each ready or not.
    Clients(Vec<(ClusterId, ClientResult)>),
}

/// A context's client and its default namespace, or why there is none.
pub type ClientResult = Result<(ClientHandle, String), ConnectError>;

/// Where background work reports.
#[derive(Clone)]
pub struct Channels {
    pub informers: mpsc::UnboundedSender<InformerUpdate>,
    pub done: mpsc::UnboundedSender<Msg>,
    pub internal: mpsc::UnboundedSender<Internal>,
    /// Bounded: a flooding container waits for the UI instead of filling memory.
    pub logs: mpsc::Sender<LogEvent>,
    pub metrics: mpsc::UnboundedSender<(ClusterId, MetricsUpdate)>,
    pub sessions: mpsc::UnboundedSender<SessionEvent>,
}

/// How the runner starts.
pub struct RunnerConfig {
    pub kubeconfig: KubeconfigSource,
    /// The clusters shown, the first first (at least that one).
    pub cluster: Cluster,
    pub others: Vec<Cluster>,
    /// `[watch]`: the kinds watched per context pattern when several clusters are shown.
    pub watch: std::collections::BTreeMap<String, Vec<String>>,
    /// Each context's own namespace, as its kubeconfig entry names it.
    pub context_namespaces: HashMap<ClusterId, String>,
    pub theme: Theme,
    /// The colours the terminal shows (a theme switched to later is capped to it too).
    pub terminal_depth: crate::views::theme::Depth,
    pub readonly: bool,
    pub metrics_interval: Duration,
    pub step_capture: Option<(std::path::PathBuf, u64)>,
    pub scrollback: usize,
}

/// What the runtime owns besides the app: clients, informers, stream and session tasks.
pub struct Runner {
    pub kubeconfig: KubeconfigSource,
    /// A client per cluster connected so far (log panes and sessions keep talking to the
    /// cluster they were opened on after a context switch).
    clients: HashMap<ClusterId, ClientHandle>,
    /// Each connected context's own namespace (for `Scope::ContextDefaults`).
    context_namespaces: HashMap<ClusterId, String>,
    /// The first cluster shown, and the others (several clusters in one view).
    pub cluster: Cluster,
    others: Vec<Cluster>,
    watch: std::collections::BTreeMap<String, Vec<String>>,
    taskruns: Option<TaskRunWatch>,
    /// The kind the resource view shows, watched in every cluster shown while it does.
    resource: Vec<crate::kube::cluster::ResourceWatch>,
    /// Port-forwards' tasks, by id (aborted when stopped, or when kubedeck exits).
    forwards: HashMap<crate::kube::portforward::ForwardId, tokio::task::JoinHandle<()>>,
    forward_reports: mpsc::UnboundedSender<crate::kube::portforward::ForwardReport>,
    /// Files of edits in progress (private; removed once applied or abandoned, and on exit).
    edits: Arc<
        std::sync::Mutex<
            HashMap<std::path::PathBuf, crate::kube::shell_kubeconfig::PrivateKubeconfig>,
        >,
    >,
    channels: Channels,
    log_tasks: HashMap<StreamKey, LogTask>,
    pub terminals: Terminals,
    /// Each shown cluster's metrics poller.
    metrics_tasks: HashMap<ClusterId, MetricsTask>,
    metrics_interval: Duration,
    /// Whether a view shows pod usage now (the metrics poller lists PodMetrics only then).
    pod_usage_shown: tokio::sync::watch::Sender<crate::kube::metrics::PodMetricsWanted>,
    step_capture: Option<(std::path::PathBuf, u64)>,
    /// The current cluster's captured step logs, and the task capturing them.
    step_store: Option<Arc<StepStore>>,
    capture_task: Option<CaptureTask>,
    pub theme: Theme,
    terminal_depth: crate::views::theme::Depth,
    readonly: bool,
}

/// Where port-forwards report: passed on to the app as messages.
fn forward_reports(
    channels: &Channels,
) -> mpsc::UnboundedSender<crate::kube::portforward::ForwardReport> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let done = channels.done.clone();
    tokio::spawn(async move {
        while let Some(r) = rx.recv().await {
            if done.send(Msg::Done(Done::Forward(r))).is_err() {
                return;
            }
        }
    });
    tx
}

fn say(out: &mut VecDeque<Msg>, result: Result<String, ActionError>) {
    out.push_back(Msg::Done(Done::Action(result)));
}

impl Runner {
    pub fn new(config: RunnerConfig, channels: Channels) -> Self {
        let mut clients = HashMap::new();
        for c in std::iter::once(&config.cluster).chain(&config.others) {
            clients.insert(c.id.clone(), c.clients.clone());
        }
        let terminals = Terminals::new(channels.sessions.clone(), config.scrollback);
        let mut runner = Self {
            kubeconfig: config.kubeconfig,
            clients,
            cluster: config.cluster,
            others: config.others,
            watch: config.watch,
            context_namespaces: config.context_namespaces,
            taskruns: None,
            resource: Vec::new(),
            edits: Arc::default(),
            forwards: HashMap::new(),
            forward_reports: forward_reports(&channels),
            channels,
            log_tasks: HashMap::new(),
            terminals,
            metrics_tasks: HashMap::new(),
            metrics_interval: config.metrics_interval,
            pod_usage_shown: tokio::sync::watch::Sender::new(
                crate::kube::metrics::PodMetricsWanted::All,
            ),
            step_capture: config.step_capture,
            step_store: None,
            capture_task: None,
            theme: config.theme,
            terminal_depth: config.terminal_depth,
            readonly: config.readonly,
        };
        runner.start_metrics();
        runner.start_capture();
        let first = runner.cluster.id.clone();
        runner.discover(first);
        runner
    }

    /// Ask `cluster` what it serves; the answer comes back as a message.
    fn discover(&self, cluster: ClusterId) {
        let Some(handle) = self.clients.get(&cluster).cloned() else {
            let why = format!("{cluster} is not connected");
            let _ = self
                .channels
                .done
                .send(Msg::Done(Done::Discovered(cluster, Err(why))));
            return;
        };
        let tx = self.channels.done.clone();
        tokio::spawn(async move {
            let result = crate::kube::discovery::discover(&handle.client())
                .await
                .map_err(|e| crate::kube::error::ApiError::from(e).to_string());
            let _ = tx.send(Msg::Done(Done::Discovered(cluster, result)));
        });
    }

    /// Watch the kind the resource view shows (none: stop).
    fn watch_resource(
        &mut self,
        shown: Option<crate::app::resource::ResourceShown>,
        out: &mut VecDeque<Msg>,
    ) {
        self.resource.clear();
        let tx = self.channels.informers.clone();
        for cluster in std::iter::once(&mut self.cluster).chain(&mut self.others) {
            cluster.stores.generic = None;
            if let Some(shown) = &shown {
                let namespace = shown.list_namespace(&cluster.scope);
                let w = cluster.watch_resource(shown.api.clone(), namespace, tx.clone());
                cluster.stores.generic = Some(w.store.clone());
                self.resource.push(w);
            }
        }
        out.push_back(Msg::Informer(InformerUpdate {
            cluster: self.cluster.id.clone(),
            kind: ResourceKind::Generic,
            change: Change::Changed,
        }));
    }

    /// `cluster`'s current client (renewed after a 401).
    fn client(&self, cluster: &ClusterId) -> Result<kube::Client, ActionError> {
        self.clients
            .get(cluster)
            .map(ClientHandle::client)
            .ok_or_else(|| ActionError::NotConnected(cluster.to_string()))
    }

    /// The clusters shown, the first first.
    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        std::iter::once(&self.cluster).chain(&self.others)
    }

    /// Each shown cluster with its stores, for the projection.
    pub fn sources(&self) -> Vec<(&ClusterId, &crate::kube::cluster::Stores)> {
        self.clusters().map(|c| (&c.id, &c.stores)).collect()
    }

    fn shown(&self, id: &ClusterId) -> Option<&Cluster> {
        self.clusters().find(|c| c.id == *id)
    }

    /// The PipelineRun resource `cluster` serves, if any.
    fn tekton_of(&self, cluster: &ClusterId) -> Option<kube::core::ApiResource> {
        self.shown(cluster).and_then(|c| c.tekton.get())
    }

    /// Run `work` with `cluster`'s client on its own task and report what it says.
    fn spawn_action<F, Fut>(&self, cluster: &ClusterId, out: &mut VecDeque<Msg>, work: F)
    where
        F: FnOnce(kube::Client) -> Fut,
        Fut: std::future::Future<Output = Result<String, ActionError>> + Send + 'static,
    {
        let client = match self.client(cluster) {
            Ok(c) => c,
            Err(e) => return say(out, Err(e)),
        };
        let fut = work(client);
        let tx = self.channels.done.clone();
        tokio::spawn(async move {
            let _ = tx.send(Msg::Done(Done::Action(fut.await)));
        });
    }

    /// A context switch's clients are ready (or not): keep them (the app hears that the
    /// switch can go on).
    pub fn client_ready(&mut self, internal: Internal) -> Msg {
        let Internal::Clients(results) = internal;
        let answers = results
            .into_iter()
            .map(|(cluster, result)| {
                let answer = result.map(|(client, ns)| {
                    self.clients.insert(cluster.clone(), client);
                    self.context_namespaces.insert(cluster.clone(), ns.clone());
                    ns
                });
                (cluster, answer)
            })
            .collect();
        Msg::Done(Done::Context(answers))
    }

    /// Carry out `effect`; what it says at once goes to `out` (handled in this same turn).
    pub fn run(&mut self, effect: Effect, app: &App, out: &mut VecDeque<Msg>) {
        if effect.mutates() && self.readonly {
            let refused = ActionError::Unsupported("read-only mode: refused".into());
            return say(out, Err(refused));
        }
        match effect {
            Effect::Connect { clusters, scope } => self.connect(clusters, scope, out),
            Effect::SwitchContext(clusters) => {
                let names: Vec<String> = clusters.iter().map(ToString::to_string).collect();
                say(out, Ok(format!("connecting to {} …", names.join(", "))));
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
                                Ok(source) => {
                                    source.client(cluster.context()).await.map(|(c, ns)| {
                                        (ClientHandle::renewable(c, source, cluster.context()), ns)
                                    })
                                }
                                Err(e) => Err(e),
                            };
                            (cluster, result)
                        }
                    });
                    let results = futures::future::join_all(each).await;
                    let _ = tx.send(Internal::Clients(results));
                });
            }
            Effect::RetryNow(cluster) => {
                if let Some(c) = self.shown(&cluster) {
                    c.retry.now();
                    // Its poller starts again: a sample at once, not after its backoff.
                    let task = self.metrics_poller(c);
                    self.metrics_tasks.insert(cluster, task);
                }
            }
            Effect::WatchResource(shown) => self.watch_resource(shown, out),
            Effect::StartForward(spec) => {
                let cluster = spec.target.object().cluster.clone();
                let Some(clients) = self.clients.get(&cluster).cloned() else {
                    let why = format!("{cluster} is not connected");
                    let report = crate::kube::portforward::ForwardReport::Stopped(spec.id, why);
                    return out.push_back(Msg::Done(Done::Forward(report)));
                };
                let id = spec.id;
                let task =
                    crate::kube::portforward::spawn(clients, spec, self.forward_reports.clone());
                if let Some(old) = self.forwards.insert(id, task) {
                    old.abort();
                }
            }
            Effect::StopForward(id) => {
                if let Some(task) = self.forwards.remove(&id) {
                    task.abort();
                }
            }
            Effect::PrepareEdit(obj) => {
                let tekton = self.tekton_of(&obj.cluster);
                let Ok(client) = self.client(&obj.cluster) else {
                    let e = ActionError::NotConnected(obj.cluster.to_string());
                    return out.push_back(Msg::Done(Done::EditReady(Err(e))));
                };
                let (tx, edits, tekton) = (self.channels.done.clone(), self.edits.clone(), tekton);
                tokio::spawn(async move {
                    let result = crate::kube::edit::prepare(client, obj, tekton).await.map(
                        |(job, guard)| {
                            edits
                                .lock()
                                .unwrap_or_else(|e| e.into_inner())
                                .insert(job.path.clone(), guard);
                            job
                        },
                    );
                    let _ = tx.send(Msg::Done(Done::EditReady(result)));
                });
            }
            Effect::ApplyEdit(job) => {
                let Ok(client) = self.client(&job.obj.cluster) else {
                    let why = format!("{} is not connected", job.obj.cluster);
                    let outcome = crate::kube::edit::Applied::Reopen { job, why };
                    return out.push_back(Msg::Done(Done::Edited(outcome)));
                };
                let (tx, edits) = (self.channels.done.clone(), self.edits.clone());
                tokio::spawn(async move {
                    let path = job.path.clone();
                    let outcome = crate::kube::edit::apply(client, job).await;
                    if !matches!(outcome, crate::kube::edit::Applied::Reopen { .. }) {
                        // Done with: the file (the object, perhaps a Secret) goes.
                        edits
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .remove(&path);
                    }
                    let _ = tx.send(Msg::Done(Done::Edited(outcome)));
                });
            }
            Effect::Discover(cluster) => self.discover(cluster),
            Effect::WatchTaskRuns(run) => {
                let runs = app.informer(ResourceKind::PipelineRuns);
                self.watch_taskruns(run, runs, out);
            }
            Effect::FetchYaml(obj) => {
                let tekton = self.tekton_of(&obj.cluster);
                let Ok(client) = self.client(&obj.cluster) else {
                    let e = ActionError::NotConnected(obj.cluster.to_string());
                    return out.push_back(Msg::Done(Done::Yaml(obj, Err(e))));
                };
                let tx = self.channels.done.clone();
                tokio::spawn(async move {
                    let result = actions::fetch(client, obj.clone(), tekton).await;
                    let _ = tx.send(Msg::Done(Done::Yaml(obj, result)));
                });
            }
            Effect::FetchForDrill(obj) => {
                let Ok(client) = self.client(&obj.cluster) else {
                    let e = ActionError::NotConnected(obj.cluster.to_string());
                    return out.push_back(Msg::Done(Done::DrillFetched(obj, Err(e))));
                };
                let tx = self.channels.done.clone();
                tokio::spawn(async move {
                    let result = actions::fetch(client, obj.clone(), None).await;
                    let _ = tx.send(Msg::Done(Done::DrillFetched(obj, result)));
                });
            }
            Effect::FetchPod(obj) => {
                let Ok(client) = self.client(&obj.cluster) else {
                    let e = ActionError::NotConnected(obj.cluster.to_string());
                    return out.push_back(Msg::Done(Done::Pod(obj, Err(e))));
                };
                let tx = self.channels.done.clone();
                tokio::spawn(async move {
                    let result = actions::fetch(client, obj.clone(), None)
                        .await
                        .and_then(|v| {
                            serde_json::from_value::<Pod>(v)
                                .map_err(|e| ActionError::Decode(e.to_string()))
                        })
                        .map(Arc::new);
                    let _ = tx.send(Msg::Done(Done::Pod(obj, result)));
                });
            }
            Effect::Delete(obj) => {
                let tekton = self.tekton_of(&obj.cluster);
                let cluster = obj.cluster.clone();
                self.spawn_action(&cluster, out, |c| actions::delete(c, obj, tekton));
            }
            Effect::Scale(obj, replicas) => {
                let cluster = obj.cluster.clone();
                self.spawn_action(&cluster, out, |c| actions::scale(c, obj, replicas));
            }
            Effect::RolloutRestart(obj) => {
                let cluster = obj.cluster.clone();
                self.spawn_action(&cluster, out, |c| actions::rollout_restart(c, obj));
            }
            Effect::CancelRun(obj) => {
                let tekton = self.tekton_of(&obj.cluster);
                let cluster = obj.cluster.clone();
                self.spawn_action(&cluster, out, |c| actions::cancel(c, obj, tekton));
            }
            Effect::Rerun(obj) => {
                let tekton = self.tekton_of(&obj.cluster);
                let cluster = obj.cluster.clone();
                self.spawn_action(&cluster, out, |c| actions::rerun(c, obj, tekton));
            }
            Effect::Cordon(node, on) => {
                let name = node.name.clone();
                self.spawn_action(&node.cluster, out, |c| actions::cordon(c, name, on));
            }
            Effect::Drain(cluster, plan) => self.drain(&cluster, plan, out),
            Effect::CheckAgent(cluster) => {
                let Ok(client) = self.client(&cluster) else {
                    return;
                };
                let tx = self.channels.done.clone();
                tokio::spawn(async move {
                    let presence = crate::kube::agent::presence(client).await;
                    let _ = tx.send(Msg::Done(Done::Agent(cluster, presence)));
                });
            }
            Effect::LoadBudgets(cluster) => {
                let Ok(client) = self.client(&cluster) else {
                    let e = crate::kube::error::ApiError::Unreachable(format!(
                        "{cluster} is not connected"
                    ));
                    return out.push_back(Msg::Done(Done::Budgets(cluster, Err(e))));
                };
                let tx = self.channels.done.clone();
                tokio::spawn(async move {
                    let result = crate::kube::pdb::list(client).await;
                    let _ = tx.send(Msg::Done(Done::Budgets(cluster, result)));
                });
            }
            Effect::OpenLogs { key, request } => {
                let Some(client) = self.clients.get(&request.cluster).map(ClientHandle::client)
                else {
                    return say(
                        out,
                        Err(ActionError::NotConnected(request.cluster.to_string())),
                    );
                };
                let captured = self
                    .step_store
                    .clone()
                    .filter(|_| request.target.is_tekton() && request.cluster == self.cluster.id);
                let logs = self.channels.logs.clone();
                let task = crate::kube::logs::spawn(client, key, request, logs, captured);
                self.log_tasks.insert(key, task);
            }
            Effect::StopLogs(key) => {
                // Dropping the task stops every request it made.
                self.log_tasks.remove(&key);
            }
            Effect::LoadCaptured => match self.step_store.clone() {
                Some(store) => {
                    let tx = self.channels.done.clone();
                    tokio::task::spawn_blocking(move || {
                        let _ = tx.send(Msg::Done(Done::Captured(store.runs())));
                    });
                }
                None => out.push_back(Msg::Done(Done::CaptureOff)),
            },
            Effect::OpenSession { id, spec } => self.open_session(app, id, spec, out),
            Effect::SessionInput(id, input) => {
                if self.terminals.send(id, input).is_err() {
                    out.push_back(Msg::Done(Done::InputDropped(id)));
                }
            }
            Effect::EndSession(id) => self.terminals.end(id),
            Effect::Clipboard(text) => {
                if let Err(e) = crate::clipboard::copy(&text) {
                    out.push_back(Msg::Done(Done::ClipboardFailed(e.to_string())));
                }
            }
            Effect::SaveFile { path, text } => {
                let tx = self.channels.done.clone();
                tokio::task::spawn_blocking(move || {
                    let lines = text.lines().count();
                    let result = std::fs::write(&path, text)
                        .map(|()| format!("saved {lines} lines to {path}"))
                        .map_err(|e| format!("cannot save to {path}: {e}"));
                    let _ = tx.send(Msg::Done(Done::Saved(result)));
                });
            }
            Effect::SetTheme(name) => {
                let depth = self.terminal_depth;
                let result = crate::views::theme::by_name(&name).map(|theme| {
                    self.theme = theme.capped(depth);
                });
                out.push_back(Msg::Done(Done::Theme(name, result)));
            }
        }
    }

    /// Start the informers of `clusters` for `scope` (dropping the old ones first). A
    /// cluster without a client is left out, and said so.
    fn connect(&mut self, clusters: Vec<ClusterId>, scope: Scope, out: &mut VecDeque<Msg>) {
        let mut started = Vec::new();
        // Dropping the old clusters stops their informers before the new ones start.
        self.taskruns = None;
        self.resource.clear();
        self.others.clear();
        let multi = clusters.len() > 1;
        for cluster in clusters {
            let Some(client) = self.clients.get(&cluster).cloned() else {
                say(out, Err(ActionError::NotConnected(cluster.to_string())));
                continue;
            };
            let kinds = if multi {
                crate::app::contexts::watched_kinds(&self.watch, cluster.context())
            } else {
                ResourceKind::WATCHABLE.to_vec()
            };
            let tx = self.channels.informers.clone();
            let own = match &scope {
                Scope::ContextDefaults => self
                    .context_namespaces
                    .get(&cluster)
                    .map_or(Scope::All, |ns| Scope::Namespace(ns.clone())),
                other => other.clone(),
            };
            started.push(Cluster::start_watching(client, cluster, own, tx, &kinds));
        }
        let mut started = started.into_iter();
        if let Some(first) = started.next() {
            self.cluster = first;
        }
        self.others = started.collect();
        self.start_metrics();
        self.start_capture();
    }

    /// Watch the TaskRuns of `run` (none: stop). Until Tekton is discovered the TaskRuns are
    /// in the PipelineRuns' state (`runs`).
    fn watch_taskruns(
        &mut self,
        run: Option<crate::kube::object_ref::ObjectRef>,
        runs: InformerState,
        out: &mut VecDeque<Msg>,
    ) {
        self.taskruns = None;
        for c in std::iter::once(&mut self.cluster).chain(&mut self.others) {
            c.stores.taskruns = None;
        }
        let kind = ResourceKind::TaskRuns;
        let Some(run) = run else {
            return;
        };
        let tx = self.channels.informers.clone();
        let Some(cluster) = std::iter::once(&mut self.cluster)
            .chain(&mut self.others)
            .find(|c| c.id == run.cluster)
        else {
            return;
        };
        self.taskruns = cluster.watch_taskruns(&run, tx);
        match &self.taskruns {
            Some(w) => cluster.stores.taskruns = Some(w.store.clone()),
            // Tekton not discovered (yet, or at all): say what the PipelineRuns say.
            None => {
                out.push_back(Msg::Informer(InformerUpdate {
                    cluster: run.cluster.clone(),
                    kind,
                    change: Change::State(runs),
                }));
            }
        }
        out.push_back(Msg::Informer(InformerUpdate {
            cluster: run.cluster.clone(),
            kind,
            change: Change::Changed,
        }));
    }

    fn drain(
        &self,
        cluster: &ClusterId,
        plan: crate::kube::drain::DrainPlan,
        out: &mut VecDeque<Msg>,
    ) {
        let client = match self.client(cluster) {
            Ok(c) => c,
            Err(e) => return say(out, Err(e)),
        };
        say(out, Ok(format!("draining node/{} …", plan.node)));
        let tx = self.channels.done.clone();
        tokio::spawn(async move {
            // Progress lines and then the result, in order, as status messages.
            let (progress, mut lines) = mpsc::unbounded_channel();
            let work =
                crate::kube::drain::drain(client, plan, Duration::from_secs(5), 12, progress);
            tokio::pin!(work);
            let line = |l: String| Msg::Done(Done::Action(Ok(l)));
            let result = loop {
                tokio::select! {
                    Some(l) = lines.recv() => { let _ = tx.send(line(l)); }
                    result = &mut work => break result,
                }
            };
            while let Ok(l) = lines.try_recv() {
                let _ = tx.send(line(l));
            }
            let _ = tx.send(Msg::Done(Done::Action(result)));
        });
    }

    fn open_session(
        &mut self,
        app: &App,
        id: SessionId,
        spec: SessionSpec,
        out: &mut VecDeque<Msg>,
    ) {
        let backend: Box<dyn Backend> = match self.backend(&spec) {
            Ok(b) => b,
            Err(why) => return out.push_back(Msg::Done(Done::SessionFailed(id, why))),
        };
        let record = initial_recording(app, &spec, id, app.now);
        self.terminals.start(id, backend, record);
    }

    /// The backend that connects `spec`, with the client of the cluster it names.
    fn backend(&self, spec: &SessionSpec) -> Result<Box<dyn Backend>, SessionStartError> {
        use crate::kube::exec::Target;
        let client = self.client(spec.cluster());
        Ok(match spec {
            SessionSpec::Exec { pod, container } => Box::new(crate::kube::exec::Exec {
                target: Target::of(client?, pod, container),
                command: None,
            }),
            SessionSpec::Debug {
                pod,
                target,
                profile,
            } => Box::new(crate::kube::debug::Ephemeral {
                target: Target::of(client?, pod, target),
                profile: profile.clone(),
                timeout: Duration::from_secs(300),
            }),
            SessionSpec::Agent {
                pod,
                container,
                profile,
            } => Box::new(crate::kube::agent::AgentSession {
                target: Target::of(client?, pod, container),
                requested_by: Some(format!("kubeconfig context {}", pod.cluster.context())),
                profile: profile.clone(),
            }),
            SessionSpec::Edit(job) => Box::new(crate::pty::local::Local {
                command: crate::kube::edit::editor_command(&job.path),
                cwd: None,
                env: Vec::new(),
                keep: None,
                label: format!("edit {}", job.obj.label()),
                banner: None,
            }),
            SessionSpec::Local { cluster, scope } => {
                Box::new(crate::kube::shell_kubeconfig::local_shell(
                    &self.kubeconfig,
                    cluster.context(),
                    scope,
                    self.readonly,
                )?)
            }
        })
    }

    /// Tell the metrics pollers which pods' usage is on screen (after each frame).
    pub fn pod_usage_shown(&self, wanted: crate::kube::metrics::PodMetricsWanted) {
        self.pod_usage_shown.send_if_modified(|v| {
            let changed = *v != wanted;
            *v = wanted;
            changed
        });
    }

    /// (Re)start polling metrics.k8s.io for every cluster shown, in its scope.
    fn start_metrics(&mut self) {
        let tasks = self
            .clusters()
            .map(|c| (c.id.clone(), self.metrics_poller(c)))
            .collect();
        self.metrics_tasks = tasks;
    }

    /// A metrics poller for `c`, in its scope.
    fn metrics_poller(&self, c: &Cluster) -> MetricsTask {
        let namespace = c.scope.namespace().map(str::to_string);
        let cluster = c.id.clone();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let forward = self.channels.metrics.clone();
        // Tag each update with the cluster it is about.
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
            self.pod_usage_shown.subscribe(),
            tx,
        )
    }

    /// (Re)start capturing Tekton step logs for the current cluster and scope.
    fn start_capture(&mut self) {
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
            ));
        }
    }
}
