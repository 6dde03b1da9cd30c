//! The runner: what the runtime owns besides the app (clients, informers, streams, sessions,
//! port-forwards, the theme) and [`Runner::run`], which hands each effect to the part that
//! does that job (`clusters`, `actions`, `forwards`, `streams`, `sessions`, `local`). It
//! decides nothing: what it needs travels in the effect, and what comes of it goes back to
//! `update` as a message.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::terminals::Terminals;
use crate::app::Effect;
use crate::app::msg::{Done, Msg};
use crate::kube::actions::ActionError;
use crate::kube::client::{ConnectError, KubeconfigSource};
use crate::kube::cluster::{Cluster, ResourceWatch, TaskRunWatch};
use crate::kube::credentials::ClientHandle;
use crate::kube::ids::ClusterId;
use crate::kube::informer::InformerUpdate;
use crate::kube::logs::{LogEvent, LogTask, StreamKey};
use crate::kube::metrics::{MetricsTask, MetricsUpdate, PodMetricsWanted, WantedByCluster};
use crate::kube::portforward::{ForwardId, ForwardReport};
use crate::kube::shell_kubeconfig::PrivateKubeconfig;
use crate::kube::step_capture::CaptureTask;
use crate::kube::step_store::StepStore;
use crate::pty::session::SessionEvent;
use crate::views::theme::{Depth, Theme};

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
    pub theme: Theme,
    /// The colours the terminal shows (a theme switched to later is capped to it too).
    pub terminal_depth: Depth,
    pub readonly: bool,
    pub metrics_interval: Duration,
    /// Where Tekton step logs are captured, and how many bytes they may take.
    pub step_capture: Option<(std::path::PathBuf, u64)>,
    pub scrollback: usize,
    /// Where k9s's files are (its plugins, hotkeys and aliases).
    pub k9s_dirs: crate::k9s_files::Dirs,
    /// Who this kubedeck is, for the node-shell pods it makes.
    pub instance: crate::kube::node_shell::Instance,
    /// Where the timeline's journals go and each one's bound (none: not recording).
    pub journal: Option<(std::path::PathBuf, u64)>,
    /// The journals' writer (started before the first informers, which record through it).
    pub recorder: Option<crate::journal::Recorder>,
    /// `--low-bandwidth`: fewer frames, and ages redrawn by the clock once a minute.
    pub low_bandwidth: bool,
}

/// Files of edits in progress (private; removed once applied or abandoned, and on exit).
pub(super) type Edits = Arc<std::sync::Mutex<HashMap<std::path::PathBuf, PrivateKubeconfig>>>;

/// What the runtime owns besides the app.
pub struct Runner {
    pub kubeconfig: KubeconfigSource,
    /// A client per cluster connected so far (log panes and sessions keep talking to the
    /// cluster they were opened on after a context switch).
    pub(super) clients: HashMap<ClusterId, ClientHandle>,
    /// The first cluster shown, and the others (several clusters in one view).
    pub cluster: Cluster,
    pub(super) others: Vec<Cluster>,
    pub(super) taskruns: Option<TaskRunWatch>,
    /// The kind the resource view shows, watched in every cluster shown while it does.
    pub(super) resource: Vec<ResourceWatch>,
    /// Port-forwards' tasks, by id (aborted when stopped, or when kubedeck exits).
    pub(super) forwards: HashMap<ForwardId, tokio::task::JoinHandle<()>>,
    pub(super) forward_reports: mpsc::UnboundedSender<ForwardReport>,
    pub(super) edits: Edits,
    pub(super) channels: Channels,
    pub(super) log_tasks: HashMap<StreamKey, LogTask>,
    pub terminals: Terminals,
    /// Each shown cluster's metrics poller.
    pub(super) metrics_tasks: HashMap<ClusterId, MetricsTask>,
    pub(super) metrics_interval: Duration,
    /// Which pods' usage is on screen (the metrics pollers list PodMetrics for those only).
    pub(super) pod_usage_shown: tokio::sync::watch::Sender<WantedByCluster>,
    pub(super) step_capture: Option<(std::path::PathBuf, u64)>,
    /// The first cluster's captured step logs, and the task capturing them.
    pub(super) step_store: Option<Arc<StepStore>>,
    pub(super) capture_task: Option<CaptureTask>,
    pub theme: Theme,
    pub(super) terminal_depth: Depth,
    pub(super) readonly: bool,
    pub(super) k9s_dirs: crate::k9s_files::Dirs,
    /// The task reading k9s's files for the context shown.
    pub(super) k9s_files: Option<tokio::task::JoinHandle<()>>,
    pub(super) instance: crate::kube::node_shell::Instance,
    pub(super) journal: Option<(std::path::PathBuf, u64)>,
    pub(super) recorder: Option<crate::journal::Writes>,
}

/// Where port-forwards report: passed on to the app as messages.
fn forward_reports(channels: &Channels) -> mpsc::UnboundedSender<ForwardReport> {
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

impl Runner {
    pub fn new(config: RunnerConfig, channels: Channels) -> Self {
        let clients = std::iter::once(&config.cluster)
            .chain(&config.others)
            .map(|c| (c.id.clone(), c.clients.clone()))
            .collect();
        let terminals = Terminals::new(channels.sessions.clone(), config.scrollback);
        let recorder = config.recorder.map(|r| {
            let done = channels.done.clone();
            let mut failed = r.failed;
            tokio::spawn(async move {
                if let Some(e) = failed.recv().await {
                    let _ = done.send(Msg::Done(Done::RecorderFailed(e)));
                }
            });
            r.writes
        });
        let mut runner = Self {
            kubeconfig: config.kubeconfig,
            clients,
            cluster: config.cluster,
            others: config.others,
            taskruns: None,
            resource: Vec::new(),
            edits: Edits::default(),
            forwards: HashMap::new(),
            forward_reports: forward_reports(&channels),
            channels,
            log_tasks: HashMap::new(),
            terminals,
            metrics_tasks: HashMap::new(),
            metrics_interval: config.metrics_interval,
            // No pod's usage until a frame says which rows are on screen (it polls at once
            // then): a first poll of every pod's at 100,000 pods made every row again with
            // its usage in the first frame (0.9 s) and held each row twice until the next.
            pod_usage_shown: tokio::sync::watch::Sender::new(WantedByCluster::every(
                PodMetricsWanted::None,
            )),
            step_capture: config.step_capture,
            step_store: None,
            capture_task: None,
            theme: config.theme,
            terminal_depth: config.terminal_depth,
            readonly: config.readonly,
            k9s_dirs: config.k9s_dirs,
            k9s_files: None,
            instance: config.instance,
            recorder,
            journal: config.journal,
        };
        runner.start_metrics();
        runner.start_capture();
        runner
    }

    /// Carry out `effect`; what it says at once goes to `out` (handled in this same turn),
    /// the rest comes back on the done channel.
    pub fn run(&mut self, effect: Effect, out: &mut VecDeque<Msg>) {
        // `update` refuses these already; this is the second lock on the door.
        if effect.mutates() && self.readonly {
            return out.push_back(Msg::Done(Done::Action(Err(ActionError::ReadOnly))));
        }
        match effect {
            Effect::Connect(watched) => self.connect(watched),
            Effect::SwitchContext(clusters) => self.switch_context(clusters),
            Effect::RetryNow(cluster) => self.retry_now(&cluster),
            Effect::WatchResource(shown) => self.watch_resource(shown, out),
            Effect::WatchTaskRuns(run) => self.watch_taskruns(run, out),
            Effect::Discover(cluster) => self.discover(cluster, out),
            Effect::StartForward(spec) => self.start_forward(spec, out),
            Effect::StopForward(id) => self.stop_forward(id),
            Effect::PrepareEdit(obj) => self.prepare_edit(obj, out),
            Effect::ApplyEdit(job) => self.apply_edit(job, out),
            Effect::FetchYaml(obj) => self.fetch_yaml(obj, out),
            Effect::FetchForDrill(obj) => self.fetch_for_drill(obj, out),
            Effect::FetchPod(obj) => self.fetch_pod(obj, out),
            Effect::Delete(_)
            | Effect::Scale(..)
            | Effect::RolloutRestart(_)
            | Effect::SetImage { .. }
            | Effect::Rollback(..)
            | Effect::TriggerCronJob(_)
            | Effect::SuspendCronJob(..)
            | Effect::CancelRun(_)
            | Effect::Rerun(_)
            | Effect::Cordon(..) => self.act(effect, out),
            Effect::Many(effects) => self.act_many(effects, out),
            Effect::Drain(cluster, plan) => self.drain(&cluster, plan, out),
            Effect::CheckAgent(cluster) => self.check_agent(cluster, out),
            Effect::LoadBudgets(cluster) => self.load_budgets(cluster, out),
            Effect::LoadRevisions(obj) => self.load_revisions(obj, out),
            Effect::LoadHelm(cluster, namespace) => self.load_helm(cluster, namespace, out),
            Effect::Record(cluster, records) => self.record(&cluster, records),
            Effect::LoadJournal(cluster) => self.load_journal(cluster),
            Effect::LoadState(cluster, at) => self.load_state(cluster, at),
            Effect::LoadDiff {
                cluster,
                kind,
                namespace,
                name,
                times,
            } => self.load_diff(cluster, kind, namespace, name, times),
            Effect::LoadXray(cluster, root, namespace) => {
                let answer = cluster.clone();
                self.spawn_with(
                    &cluster,
                    out,
                    move |client| crate::kube::xray::fetch(client, root, namespace),
                    move |result| Msg::Done(Done::Xray(answer, root, result)),
                );
            }
            Effect::SweepNodeShells(cluster, namespace) => {
                self.sweep_node_shells(cluster, namespace, out);
            }
            Effect::CopyOut(cluster, spec) => self.copy_out(cluster, spec, out),
            Effect::FetchHelmRelease {
                cluster,
                namespace,
                secret,
            } => self.fetch_helm(cluster, namespace, secret, out),
            Effect::ReviewAccess(cluster, namespace) => {
                self.review_access(cluster, namespace, out);
            }
            Effect::WhoCan(cluster, query) => self.who_can(cluster, query, out),
            Effect::OpenLogs { key, request } => self.open_logs(key, request, out),
            Effect::StopLogs(key) => self.stop_logs(key),
            Effect::LoadCaptured => self.load_captured(out),
            Effect::OpenSession { id, spec, record } => self.open_session(id, spec, record, out),
            Effect::SessionInput(id, input) => self.session_input(id, input, out),
            Effect::EndSession(id) => self.terminals.end(id),
            Effect::Clipboard(text) => self.clipboard(&text, out),
            Effect::SaveFile { path, text } => self.save_file(path, text),
            Effect::SetTheme(name) => self.set_theme(name, out),
            Effect::WatchK9sFiles(context) => self.watch_k9s_files(context),
            Effect::SaveFavourites { path, favourites } => self.save_favourites(path, favourites),
            Effect::RunPlugin(run) => self.run_plugin(run, out),
        }
    }

    /// The clusters shown, the first first.
    pub fn clusters(&self) -> impl Iterator<Item = &Cluster> {
        std::iter::once(&self.cluster).chain(&self.others)
    }

    pub(super) fn clusters_mut(&mut self) -> impl Iterator<Item = &mut Cluster> {
        std::iter::once(&mut self.cluster).chain(&mut self.others)
    }

    /// Each shown cluster with its stores, for the projection.
    pub fn sources(&self) -> Vec<(&ClusterId, &crate::kube::cluster::Stores)> {
        self.clusters().map(|c| (&c.id, &c.stores)).collect()
    }

    pub(super) fn shown(&self, id: &ClusterId) -> Option<&Cluster> {
        self.clusters().find(|c| c.id == *id)
    }

    /// Told when the path to `id`'s API server goes silent or comes back (never for a cluster
    /// not shown).
    pub(super) fn path_of(&self, id: &ClusterId) -> crate::kube::backoff::PathSignal {
        self.shown(id)
            .map_or_else(crate::kube::backoff::PathSignal::never, |c| {
                c.retry.path_signal()
            })
    }

    /// The PipelineRun resource `cluster` serves, if any.
    pub(super) fn tekton_of(&self, cluster: &ClusterId) -> Option<kube::core::ApiResource> {
        self.shown(cluster).and_then(|c| c.tekton.get())
    }
}
