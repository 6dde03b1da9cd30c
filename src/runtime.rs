//! The UI task: one `select!` over terminal input, informer updates, results of actions, a
//! one-second clock and termination signals. It never awaits the network: informers and actions
//! run on their own tasks and report back over channels. A frame is drawn only when something
//! changed, at most ~60 per second.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use jiff::Timestamp;
use ratatui::DefaultTerminal;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::contexts::ContextRow;
use crate::app::detail::DetailKind;
use crate::app::keymap::{self, Keymap};
use crate::app::state::{Screen, View};
use crate::app::update::update;
use crate::app::{App, Effect, Mode, Severity, describe, sessions, triage, yaml};
use crate::clipboard;
use crate::kube::actions;
use crate::kube::client::KubeconfigSource;
use crate::kube::cluster::{Cluster, Scope, TaskRunWatch};
use crate::kube::event_row::EventRow;
use crate::kube::informer::{InformerState, InformerUpdate, ResourceKind};
use crate::kube::logs::{LogEvent, LogReport, LogTask};
use crate::kube::namespace_row::{NamespaceRow, namespace_row};
use crate::kube::node_row::{NodeRow, node_row};
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::PodRow;
use crate::kube::row_cache::RowCache;
use crate::kube::tekton_row::{PipelineRunRow, TaskRunRow, pipelinerun_row, taskrun_row};
use crate::pty::session::{self as pty_session, Input, SessionEvent, SessionId};
use crate::views::{self, theme::Theme};

const FRAME: Duration = Duration::from_millis(16);

/// Everything the UI task needs to (re)connect.
pub struct Session {
    pub kubeconfig: KubeconfigSource,
    pub cluster: Cluster,
}

/// Which view to show first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartView {
    /// Triage when something is broken once the first sync is done, else pods.
    Auto,
    View(View),
}

/// How the UI looks and reacts: fixed at start, except the theme (`:theme`).
pub struct Options {
    pub theme: Theme,
    pub keymap: Keymap,
    pub start: StartView,
    /// How often to poll metrics.k8s.io.
    pub metrics_interval: Duration,
    /// Where Tekton step logs are captured and the bound in bytes (`None`: capture is off).
    pub step_capture: Option<(std::path::PathBuf, u64)>,
}

/// Why the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal,
    TerminalGone,
}

/// What background tasks report.
enum Done {
    /// An action finished: a message for the status bar.
    Action(Result<String, String>),
    Yaml(ObjectRef, Result<Value, String>),
    /// The pod the describe pane shows, fetched.
    Pod(ObjectRef, Result<Value, String>),
    /// The captured Tekton runs, read from disk.
    Captured(Vec<crate::kube::step_store::CapturedRun>),
    Context(String, Result<(kube::Client, String), String>),
}

fn handle_key(app: &mut App, keymap: &Keymap, key: &crossterm::event::KeyEvent) -> Vec<Effect> {
    if app.mode == Mode::Table && app.terminal_focused() {
        // Keys go to the session, except the prefix and the one key after it.
        if std::mem::take(&mut app.prefix_armed) {
            if sessions::is_prefix(app, key) {
                sessions::send_prefix(app);
                return Vec::new();
            }
            return match keymap.action_in(key, keymap::Section::Terminal) {
                Some(a) => update(app, a),
                None => Vec::new(),
            };
        }
        if sessions::is_prefix(app, key) {
            app.prefix_armed = true;
            return Vec::new();
        }
        return sessions::forward_key(app, key);
    }
    let action = match app.mode {
        Mode::Filter | Mode::Command | Mode::Search | Mode::Save => keymap::input_action(key),
        Mode::Confirm => Some(keymap::confirm_action(key)),
        Mode::Pick => keymap::pick_action(key),
        Mode::Table | Mode::Help => {
            let focus = if app.dashboard_focused() {
                keymap::Section::Table
            } else {
                keymap::Section::Logs
            };
            keymap.action_in(key, focus)
        }
    };
    match action {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

/// The API server URL of a context, for display.
pub fn server_of(src: &KubeconfigSource, context: &str) -> String {
    let cluster = src
        .config
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone());
    cluster
        .and_then(|name| src.config.clusters.iter().find(|c| c.name == name))
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default()
}

/// The contexts table's rows.
pub fn context_rows(src: &KubeconfigSource, current: &str) -> Vec<Arc<ContextRow>> {
    src.config
        .contexts
        .iter()
        .map(|c| {
            let ctx = c.context.clone().unwrap_or_default();
            Arc::new(ContextRow {
                name: c.name.clone(),
                cluster: ctx.cluster.clone(),
                user: ctx.user.clone().unwrap_or_default(),
                namespace: ctx.namespace.clone().unwrap_or_default(),
                server: server_of(src, &c.name),
                current: c.name == current,
            })
        })
        .collect()
}

/// Rows derived from the stores, re-derived only for objects whose resourceVersion changed.
#[derive(Default)]
struct Caches {
    /// What changed among the pod rows, for the per-node sums.
    pods: crate::kube::row_store::RowDiff<PodRow>,
    nodes: RowCache<NodeRow>,
    namespaces: RowCache<NamespaceRow>,
    runs: RowCache<PipelineRunRow>,
    taskruns: RowCache<TaskRunRow>,
    /// Requests and limits per node, kept by delta from the pod rows.
    node_loads: crate::kube::node_load::NodeLoads,
    pod_usage: crate::kube::metrics::PodUsage,
}

fn dynamic_value(o: &kube::api::DynamicObject) -> Value {
    serde_json::to_value(o).unwrap_or(Value::Null)
}

/// A pod fetched for the describe pane, fetched again when its row changes.
struct DescribedPod {
    target: ObjectRef,
    /// The row last fetched for: another row means the pod changed.
    row: Arc<PodRow>,
    pod: Option<Arc<k8s_openapi::api::core::v1::Pod>>,
    in_flight: bool,
    /// The last fetch failed: tried again only when the row changes, not every frame.
    failed: bool,
}

/// The UI loop's own state besides the app.
struct Ui {
    session: Session,
    taskruns: Option<TaskRunWatch>,
    caches: Caches,
    /// Kinds changed since their table was last rebuilt.
    stale: BTreeSet<ResourceKind>,
    informer_tx: mpsc::UnboundedSender<InformerUpdate>,
    done_tx: mpsc::UnboundedSender<Done>,
    theme: Theme,
    auto_triage: bool,
    /// A triage input changed since the triage rows were computed.
    triage_stale: bool,
    /// Something changed since the describe pane was built (it reads the stores directly).
    describe_stale: bool,
    /// The pod the describe pane shows: the store keeps rows, so describe fetches it.
    described: Option<DescribedPod>,
    /// The stream of every open log pane.
    log_tasks: HashMap<crate::kube::logs::StreamKey, LogTask>,
    log_tx: mpsc::Sender<LogEvent>,
    /// Every session's task (aborted when the session is closed).
    session_tasks: HashMap<SessionId, tokio::task::JoinHandle<()>>,
    session_tx: mpsc::UnboundedSender<SessionEvent>,
    /// Notified when a session's screen changed (one permit: a flood wakes the UI once).
    wake: Arc<tokio::sync::Notify>,
    metrics_task: Option<crate::kube::metrics::MetricsTask>,
    metrics_tx: mpsc::UnboundedSender<crate::kube::metrics::MetricsUpdate>,
    metrics_interval: Duration,
    step_capture: Option<(std::path::PathBuf, u64)>,
    /// The current cluster's captured step logs, and the task capturing them.
    step_store: Option<Arc<crate::kube::step_store::StepStore>>,
    capture_task: Option<crate::kube::step_capture::CaptureTask>,
}

impl Ui {
    fn tekton(&self) -> Option<kube::core::ApiResource> {
        self.session.cluster.tekton.get().cloned()
    }

    /// Run `fut` on its own task and report its message.
    fn spawn_action<F>(&self, fut: F)
    where
        F: std::future::Future<Output = Result<String, actions::ActionError>> + Send + 'static,
    {
        let tx = self.done_tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(Done::Action(fut.await.map_err(|e| e.to_string())));
        });
    }

    fn apply(&mut self, effect: Effect, app: &mut App) {
        if effect.mutates() && app.readonly {
            app.message = Some((Severity::Error, "read-only mode: refused".into()));
            return;
        }
        let client = self.session.cluster.client.clone();
        match effect {
            Effect::SwitchScope(scope) => {
                let context = self.session.cluster.context.clone();
                self.restart(app, client, context, scope);
            }
            Effect::SwitchContext(name) => {
                app.message = Some((Severity::Info, format!("connecting to {name} …")));
                let source = self.session.kubeconfig.clone();
                let tx = self.done_tx.clone();
                tokio::spawn(async move {
                    let result = source.client(&name).await.map_err(|e| e.to_string());
                    let _ = tx.send(Done::Context(name, result));
                });
            }
            Effect::WatchTaskRuns(run) => {
                self.taskruns = None;
                self.caches.taskruns = RowCache::default();
                app.informers.remove(&ResourceKind::TaskRuns);
                if let Some(run) = run {
                    self.taskruns = self
                        .session
                        .cluster
                        .watch_taskruns(&run, self.informer_tx.clone());
                    if self.taskruns.is_none() {
                        app.informers.insert(
                            ResourceKind::TaskRuns,
                            app.informer(ResourceKind::PipelineRuns),
                        );
                    }
                }
                self.stale.insert(ResourceKind::TaskRuns);
            }
            Effect::FetchYaml(obj) => {
                let tx = self.done_tx.clone();
                let tekton = self.tekton();
                tokio::spawn(async move {
                    let result = actions::fetch(client, obj.clone(), tekton)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Done::Yaml(obj, result));
                });
            }
            Effect::Delete(obj) => self.spawn_action(actions::delete(client, obj, self.tekton())),
            Effect::CancelRun(obj) => {
                self.spawn_action(actions::cancel(client, obj, self.tekton()))
            }
            Effect::Rerun(obj) => self.spawn_action(actions::rerun(client, obj, self.tekton())),
            Effect::Cordon(node, on) => self.spawn_action(actions::cordon(client, node, on)),
            Effect::Drain(plan) => {
                app.message = Some((Severity::Info, format!("draining node/{} …", plan.node)));
                let tx = self.done_tx.clone();
                tokio::spawn(async move {
                    // Progress lines and then the result, in order, as status messages.
                    let (progress, mut lines) = mpsc::unbounded_channel();
                    let work = crate::kube::drain::drain(
                        client,
                        plan,
                        Duration::from_secs(5),
                        12,
                        progress,
                    );
                    tokio::pin!(work);
                    let result = loop {
                        tokio::select! {
                            Some(line) = lines.recv() => {
                                let _ = tx.send(Done::Action(Ok(line)));
                            }
                            result = &mut work => break result,
                        }
                    };
                    while let Ok(line) = lines.try_recv() {
                        let _ = tx.send(Done::Action(Ok(line)));
                    }
                    let _ = tx.send(Done::Action(result.map_err(|e| e.to_string())));
                });
            }
            Effect::OpenLogs { key, request } => {
                let captured = self
                    .step_store
                    .clone()
                    .filter(|_| request.target.is_tekton());
                let task =
                    crate::kube::logs::spawn(client, key, request, self.log_tx.clone(), captured);
                self.log_tasks.insert(key, task);
            }
            Effect::StopLogs(key) => {
                self.log_tasks.remove(&key);
            }
            Effect::LoadCaptured => match self.step_store.clone() {
                Some(store) => {
                    let tx = self.done_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let _ = tx.send(Done::Captured(store.runs()));
                    });
                }
                None => {
                    app.message = Some((
                        Severity::Info,
                        "step capture is off ([logs] capture_steps = false)".into(),
                    ));
                }
            },
            Effect::OpenSession { id, spec } => self.open_session(app, id, spec, client),
            Effect::Quit => app.should_quit = true,
            Effect::CloseSession(id) => {
                sessions::close(app, id);
                if let Some(task) = self.session_tasks.remove(&id) {
                    task.abort();
                }
            }
            Effect::Clipboard(text) => {
                if let Err(e) = clipboard::copy(&text) {
                    app.message = Some((Severity::Error, format!("cannot copy: {e}")));
                }
            }
            Effect::SaveFile { path, text } => {
                let tx = self.done_tx.clone();
                tokio::task::spawn_blocking(move || {
                    let lines = text.lines().count();
                    let result = std::fs::write(&path, text)
                        .map(|()| format!("saved {lines} lines to {path}"))
                        .map_err(|e| format!("cannot save to {path}: {e}"));
                    let _ = tx.send(Done::Action(result));
                });
            }
            Effect::SetTheme(name) => match crate::config::theme_by_name(&name) {
                Ok(theme) => {
                    self.theme = theme;
                    app.theme_name = name.clone();
                    app.message = Some((Severity::Info, format!("theme: {name}")));
                }
                Err(e) => app.message = Some((Severity::Error, e)),
            },
        }
    }

    fn open_session(
        &mut self,
        app: &mut App,
        id: SessionId,
        spec: sessions::SessionSpec,
        client: kube::Client,
    ) {
        let Some(info) = app.sessions.get(&id) else {
            return;
        };
        let backend: Box<dyn crate::pty::Backend> = match &spec {
            sessions::SessionSpec::Exec {
                namespace,
                pod,
                container,
            } => Box::new(crate::kube::exec::Exec {
                target: crate::kube::exec::Target {
                    client,
                    namespace: namespace.clone(),
                    pod: pod.clone(),
                    container: container.clone(),
                },
                command: None,
            }),
            sessions::SessionSpec::Debug {
                namespace,
                pod,
                target,
                profile,
            } => Box::new(crate::kube::debug::Ephemeral {
                target: crate::kube::exec::Target {
                    client,
                    namespace: namespace.clone(),
                    pod: pod.clone(),
                    container: target.clone(),
                },
                profile: profile.clone(),
                timeout: Duration::from_secs(300),
            }),
            sessions::SessionSpec::Local => {
                let scope = if app.all_namespaces() {
                    Scope::All
                } else {
                    Scope::Namespace(app.scope.clone())
                };
                match crate::kube::shell_kubeconfig::local_shell(
                    &self.session.kubeconfig,
                    &app.context,
                    &scope,
                    app.readonly,
                ) {
                    Ok(local) => Box::new(local),
                    Err(e) => {
                        app.message = Some((Severity::Error, e.to_string()));
                        sessions::close(app, id);
                        return;
                    }
                }
            }
        };
        let settings = &app.session_settings;
        let record = settings
            .record_all
            .then(|| sessions::recording_path(&settings.record_dir, &spec, id, app.now));
        let started = pty_session::start(
            id,
            backend,
            pty_session::Wiring {
                screen: info.screen.clone(),
                events: self.session_tx.clone(),
                wake: self.wake.clone(),
                record,
            },
        );
        if let Some(info) = app.sessions.get_mut(&id) {
            info.input = Some(started.input);
        }
        self.session_tasks.insert(id, started.task);
    }

    /// (Re)start polling metrics.k8s.io for the current cluster and scope.
    fn start_metrics(&mut self, app: &mut App) {
        let namespace = match &self.session.cluster.scope {
            Scope::All => None,
            Scope::Namespace(ns) => Some(ns.clone()),
        };
        app.metrics = crate::app::state::MetricsStatus::default();
        self.metrics_task = Some(crate::kube::metrics::spawn(
            self.session.cluster.client.clone(),
            namespace,
            self.metrics_interval,
            self.metrics_tx.clone(),
        ));
    }

    /// (Re)start capturing Tekton step logs for the current cluster and scope.
    fn start_capture(&mut self, app: &App) {
        self.capture_task = None;
        self.step_store = self.step_capture.as_ref().map(|(root, max)| {
            Arc::new(crate::kube::step_store::StepStore::new(
                root,
                &self.session.cluster.context,
                &app.server,
                *max,
            ))
        });
        if let Some(store) = &self.step_store {
            self.capture_task = Some(crate::kube::step_capture::spawn(
                self.session.cluster.client.clone(),
                self.session.cluster.scope.clone(),
                store.clone(),
            ));
        }
    }

    fn restart(&mut self, app: &mut App, client: kube::Client, context: String, scope: Scope) {
        // Dropping the old cluster stops its informers before the new ones start.
        self.taskruns = None;
        self.session.cluster = Cluster::start(client, context, scope, self.informer_tx.clone());
        self.caches = Caches::default();
        app.informers.clear();
        app.counts.clear();
        let t = &mut app.tables;
        t.pods.set_rows(Vec::new());
        t.events.set_rows(Vec::new());
        t.nodes.set_rows(Vec::new());
        t.runs.set_rows(Vec::new());
        t.taskruns.set_rows(Vec::new());
        t.namespaces.set_rows(Vec::new());
        t.triage.set_rows(Vec::new());
        self.stale.extend(ResourceKind::ALL);
        self.start_metrics(app);
        self.start_capture(app);
        if let Some(run) = app.taskruns_of.clone() {
            self.apply(Effect::WatchTaskRuns(Some(run)), app);
        }
    }

    fn finished(&mut self, done: Done, app: &mut App) {
        match done {
            Done::Action(Ok(msg)) => app.message = Some((Severity::Info, msg)),
            Done::Action(Err(e)) => app.message = Some((Severity::Error, e)),
            Done::Captured(runs) => {
                app.tables
                    .captured
                    .set_rows(runs.into_iter().map(Arc::new).collect());
            }
            Done::Pod(obj, result) => {
                let Some(d) = self.described.as_mut().filter(|d| d.target == obj) else {
                    return;
                };
                d.in_flight = false;
                match result.and_then(|v| serde_json::from_value(v).map_err(|e| e.to_string())) {
                    Ok(pod) => {
                        d.pod = Some(Arc::new(pod));
                        // Rebuilt now; fetched again if the pod changed meanwhile.
                        self.describe_stale = true;
                    }
                    Err(e) => {
                        d.failed = true;
                        if let Some(detail) = app.detail.as_mut().filter(|x| x.target == obj) {
                            detail.status = Some(format!("cannot get {}: {e}", obj.label()));
                        }
                    }
                }
            }
            Done::Yaml(obj, result) => {
                if let Some(d) = app
                    .detail
                    .as_mut()
                    .filter(|d| d.target == obj && d.kind == DetailKind::Yaml)
                {
                    match result.and_then(|v| yaml::yaml_lines(&v, d.show_managed_fields)) {
                        Ok(lines) => d.set_lines(lines),
                        Err(e) => d.status = Some(format!("cannot get {}: {e}", obj.label())),
                    }
                }
            }
            Done::Context(name, Ok((client, ns))) => {
                app.server = server_of(&self.session.kubeconfig, &name);
                app.context = name.clone();
                let scope = if app.all_namespaces() {
                    Scope::All
                } else {
                    Scope::Namespace(ns)
                };
                app.scope = scope.label().to_string();
                app.message = Some((Severity::Info, format!("switched to {name}")));
                app.tables
                    .contexts
                    .set_rows(context_rows(&self.session.kubeconfig, &name));
                self.restart(app, client, name, scope);
            }
            Done::Context(name, Err(e)) => {
                app.message = Some((Severity::Error, format!("cannot switch to {name}: {e}")));
            }
        }
    }

    fn refresh(&mut self, kind: ResourceKind, app: &mut App) {
        let c = &self.session.cluster;
        let t = &mut app.tables;
        match kind {
            ResourceKind::Pods => {
                // Derived as they arrived, on the informer's task.
                let rows = c.pods.rows();
                let changes = self.caches.pods.changes(&rows, |r| r.uid.as_str());
                self.caches.node_loads.apply(&changes);
                let m = &app.metrics;
                let rows = self
                    .caches
                    .pod_usage
                    .apply(rows, m.sample.as_deref(), m.generation);
                t.pods.set_rows(rows);
            }
            // Derived as they arrived, on the informer's task.
            ResourceKind::Events => t.events.set_rows(c.events.rows()),
            ResourceKind::Nodes => {
                let rows = self.caches.nodes.refresh(&c.nodes.state(), node_row);
                let loads = &self.caches.node_loads;
                let sample = app.metrics.sample.as_deref();
                let thresholds = app.thresholds;
                let rows = rows
                    .into_iter()
                    .map(|r| {
                        let load = loads.get(&r.name);
                        let usage = sample.and_then(|s| s.nodes.get(&r.name).copied());
                        let mut next = (*r).clone();
                        next.load = load;
                        next.pods = load.pods as usize;
                        next.usage = usage;
                        next.heat = next.heat_for(thresholds);
                        if next == *r { r } else { Arc::new(next) }
                    })
                    .collect();
                t.nodes.set_rows(rows);
            }
            ResourceKind::Namespaces => {
                let mut rows = self
                    .caches
                    .namespaces
                    .refresh(&c.namespaces.state(), namespace_row);
                rows.insert(0, Arc::new(NamespaceRow::every()));
                t.namespaces.set_rows(rows);
            }
            ResourceKind::PipelineRuns => {
                if let Some(store) = c.pipelineruns.get() {
                    t.runs.set_rows(
                        self.caches
                            .runs
                            .refresh(&store.state(), |o| pipelinerun_row(&dynamic_value(o))),
                    );
                }
            }
            ResourceKind::TaskRuns => match &self.taskruns {
                Some(w) => t.taskruns.set_rows(
                    self.caches
                        .taskruns
                        .refresh(&w.store.state(), |o| taskrun_row(&dynamic_value(o))),
                ),
                None => t.taskruns.set_rows(Vec::new()),
            },
        }
    }

    /// Bring the tables the current view reads up to date with the stores.
    fn refresh_view(&mut self, app: &mut App) {
        let mut needed: Vec<ResourceKind> = app.view.needs().to_vec();
        if self.auto_triage {
            needed.extend(View::Triage.needs());
        }
        // Node pod counts read the pod rows, so pods go first.
        needed.sort();
        needed.dedup();
        for kind in needed {
            if kind == ResourceKind::Pods && self.stale.contains(&kind) {
                // Node rows count pods.
                self.stale.insert(ResourceKind::Nodes);
            }
            if self.stale.remove(&kind) {
                self.refresh(kind, app);
                self.triage_stale |= View::Triage.needs().contains(&kind);
            }
        }
        if self.triage_stale && (app.view == View::Triage || self.auto_triage) {
            self.triage_stale = false;
            let t = &app.tables;
            let rows = triage::triage(
                t.pods.all_rows(),
                t.runs.all_rows(),
                t.nodes.all_rows(),
                t.events.all_rows(),
                app.now,
            );
            app.tables.triage.set_rows(rows);
        }
        if self.describe_stale && app.view == View::Detail {
            self.describe_stale = false;
            self.refresh_describe(app);
        }
    }

    fn events_of(&self, target: &ObjectRef) -> Vec<EventRow> {
        self.session
            .cluster
            .events
            .rows()
            .iter()
            .filter(|r| target.is(&r.object_kind, &r.object_namespace, &r.object_name))
            .map(|r| (**r).clone())
            .collect()
    }

    /// The pod to describe, as last fetched; fetches it (again) when its row is new. `None`
    /// when it is gone; `Some(None)` while the first fetch is in flight.
    fn describe_pod(
        &mut self,
        target: &ObjectRef,
    ) -> Option<Option<Arc<k8s_openapi::api::core::v1::Pod>>> {
        let row = self
            .session
            .cluster
            .pods
            .get(&target.namespace, &target.name)?;
        let d = match self.described.as_mut().filter(|d| d.target == *target) {
            Some(d) => d,
            None => self.described.insert(DescribedPod {
                target: target.clone(),
                row: row.clone(),
                pod: None,
                in_flight: false,
                failed: false,
            }),
        };
        let changed = !Arc::ptr_eq(&d.row, &row) || (d.pod.is_none() && !d.failed);
        if changed && !d.in_flight {
            d.row = row;
            d.in_flight = true;
            d.failed = false;
            let (tx, client, obj) = (
                self.done_tx.clone(),
                self.session.cluster.client.clone(),
                target.clone(),
            );
            tokio::spawn(async move {
                let result = actions::fetch(client, obj.clone(), None)
                    .await
                    .map_err(|e| e.to_string());
                let _ = tx.send(Done::Pod(obj, result));
            });
        }
        Some(d.pod.clone())
    }

    fn refresh_describe(&mut self, app: &mut App) {
        let Some(d) = app
            .detail
            .as_ref()
            .filter(|d| d.kind == DetailKind::Describe)
        else {
            return;
        };
        let target = d.target.clone();
        let pod = if target.kind == ResourceKind::Pods {
            match self.describe_pod(&target) {
                Some(None) => {
                    let failed = self.described.as_ref().is_some_and(|d| d.failed);
                    if let Some(d) = app.detail.as_mut().filter(|_| !failed) {
                        d.status = Some("loading…".into());
                    }
                    return;
                }
                found => found.flatten(),
            }
        } else {
            None
        };
        let c = &self.session.cluster;
        let events = self.events_of(&target);
        let events: Vec<&EventRow> = events.iter().collect();
        let now = app.now;
        let same = |ns: Option<&str>, name: Option<&str>| {
            name == Some(target.name.as_str()) && ns.unwrap_or_default() == target.namespace
        };
        let lines = match target.kind {
            ResourceKind::Pods => pod.map(|p| describe::pod(&p, &events, now)),
            ResourceKind::Nodes => c
                .nodes
                .state()
                .iter()
                .find(|n| same(None, n.metadata.name.as_deref()))
                .map(|n| {
                    let pods: Vec<Arc<PodRow>> = app
                        .tables
                        .pods
                        .all_rows()
                        .iter()
                        .filter(|p| p.node == target.name)
                        .cloned()
                        .collect();
                    let extras = describe::NodeExtras {
                        pods: &pods,
                        load: self.caches.node_loads.get(&target.name),
                        usage: app
                            .metrics
                            .sample
                            .as_ref()
                            .and_then(|s| s.nodes.get(&target.name).copied()),
                        history: app.metrics.history.get(&target.name),
                    };
                    describe::node(n, &extras, &events, now)
                }),
            ResourceKind::Namespaces => c
                .namespaces
                .state()
                .iter()
                .find(|n| same(None, n.metadata.name.as_deref()))
                .map(|n| describe::namespace(n, &events, now)),
            ResourceKind::Events => c
                .events
                .get(&target.namespace, &target.name)
                .map(|e| describe::event(&e, now)),
            ResourceKind::PipelineRuns => c.pipelineruns.get().and_then(|s| {
                s.state()
                    .iter()
                    .find(|o| same(o.metadata.namespace.as_deref(), o.metadata.name.as_deref()))
                    .map(|o| {
                        // From the store, not the pods table (not refreshed while describing).
                        let rows: Vec<Arc<PodRow>> = c
                            .pods
                            .rows()
                            .into_iter()
                            .filter(|p| {
                                p.namespace == target.namespace
                                    && p.labels.get("tekton.dev/pipelineRun") == Some(&target.name)
                            })
                            .collect();
                        let pods: Vec<&PodRow> = rows.iter().map(|r| &**r).collect();
                        describe::pipelinerun(&dynamic_value(o), &pods, &events, now)
                    })
            }),
            ResourceKind::TaskRuns => self.taskruns.as_ref().and_then(|w| {
                w.store
                    .state()
                    .iter()
                    .find(|o| same(o.metadata.namespace.as_deref(), o.metadata.name.as_deref()))
                    .map(|o| describe::taskrun(&dynamic_value(o), &events, now))
            }),
        };
        if let Some(d) = app.detail.as_mut() {
            match lines {
                Some(lines) => d.set_lines(lines),
                None => d.status = Some(format!("{} is gone (or not loaded yet)", target.label())),
            }
        }
    }

    /// On the first sync, open triage if something is broken and the user has not moved yet.
    fn maybe_auto_triage(&mut self, app: &mut App) {
        if !self.auto_triage {
            return;
        }
        if !app.untouched || app.view != View::Pods {
            self.auto_triage = false;
            return;
        }
        let synced = [
            ResourceKind::Pods,
            ResourceKind::Nodes,
            ResourceKind::Events,
        ]
        .into_iter()
        .all(|k| app.informer(k) == InformerState::Live);
        if !synced {
            return;
        }
        self.auto_triage = false;
        if !app.tables.triage.is_empty() {
            app.history.push(Screen {
                view: View::Pods,
                table: Some(app.tables.pods.state()),
                detail: None,
                taskruns_of: None,
            });
            app.view = View::Triage;
        }
    }
}

/// Apply what a log stream reported to its pane (ignored when the pane has closed).
fn log_event(app: &mut App, ev: LogEvent) {
    let Some(p) = app.logs.values_mut().find(|p| p.stream == ev.key) else {
        return;
    };
    match ev.report {
        LogReport::Source { id, source } => p.set_source(id, source),
        LogReport::State { id, state } => p.set_state(id, state),
        LogReport::Lines { id, lines } => p.push_lines(id, lines),
        LogReport::Note { id, kind, text, at } => p.note_at(id, kind, text, at),
        LogReport::Failed(error) => p.error = Some(error),
        LogReport::Captured { at } => p.captured = Some(at),
    }
}

/// Apply what a session reported.
fn session_event(app: &mut App, ev: SessionEvent) {
    match ev {
        SessionEvent::State(id, state) => {
            if let Some(s) = app.sessions.get_mut(&id) {
                s.state = state;
            }
        }
        SessionEvent::Recording(id, result) => {
            let label = app.sessions.get(&id).map(|s| s.label.clone());
            let previous = app.sessions.get_mut(&id).and_then(|s| match &result {
                Ok(path) => std::mem::replace(&mut s.recording, path.clone()),
                Err(_) => s.recording.take(),
            });
            app.message = Some(match (result, previous) {
                (Ok(Some(path)), _) => (
                    Severity::Info,
                    format!(
                        "recording {} to {}",
                        label.unwrap_or_default(),
                        path.display()
                    ),
                ),
                (Ok(None), Some(path)) => (
                    Severity::Info,
                    format!("recording saved: {} (asciinema play FILE)", path.display()),
                ),
                (Ok(None), None) => (Severity::Info, "not recording".into()),
                (Err(e), _) => (Severity::Error, format!("cannot record: {e}")),
            });
        }
    }
    if app.view == View::Sessions {
        let rows = sessions::session_rows(app);
        app.tables.sessions.set_rows(rows);
    }
}

/// Keep each terminal pane's screen (and so the remote TTY) the size of the pane's inside.
fn size_terminals(app: &App) {
    for (id, rect) in &app.pane_areas {
        let Some(t) = app.terms.get(id) else { continue };
        let Some(s) = app.sessions.get(&t.session) else {
            continue;
        };
        let inner = views::terminal::inner(*rect);
        if s.screen.resize(inner.height, inner.width)
            && let Some(tx) = &s.input
        {
            let (rows, cols) = s.screen.size();
            let _ = tx.try_send(Input::Resize(crate::pty::Size { rows, cols }));
        }
    }
}

/// Log events handled per wake-up before the loop looks at keys again (each holds up to 2048
/// lines), so a flood never keeps a key press waiting for long.
pub const LOG_EVENTS_PER_TURN: usize = 32;

fn refresh_counts(app: &mut App, cluster: &Cluster) {
    for kind in ResourceKind::ALL {
        app.counts.insert(kind, cluster.count(kind));
    }
}

pub async fn run(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    options: Options,
    session: Session,
    mut updates: mpsc::UnboundedReceiver<InformerUpdate>,
    informer_tx: mpsc::UnboundedSender<InformerUpdate>,
) -> std::io::Result<Exit> {
    let Options {
        theme,
        keymap,
        start,
        metrics_interval,
        step_capture,
    } = options;
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    // Bounded: a flooding container waits for the UI instead of filling memory.
    let (log_tx, mut log_rx) = mpsc::channel::<LogEvent>(64);
    let (session_tx, mut session_rx) = mpsc::unbounded_channel::<SessionEvent>();
    let (metrics_tx, mut metrics_rx) = mpsc::unbounded_channel();
    app.tables
        .contexts
        .set_rows(context_rows(&session.kubeconfig, &app.context));
    if let StartView::View(v) = start
        && v != View::Detail
        && v != View::TaskRuns
    {
        app.view = v;
    }
    let mut ui = Ui {
        session,
        taskruns: None,
        caches: Caches::default(),
        stale: ResourceKind::ALL.into_iter().collect(),
        informer_tx,
        done_tx,
        theme,
        auto_triage: start == StartView::Auto,
        triage_stale: true,
        describe_stale: true,
        described: None,
        log_tasks: HashMap::new(),
        log_tx,
        session_tasks: HashMap::new(),
        session_tx,
        wake: Arc::new(tokio::sync::Notify::new()),
        metrics_task: None,
        metrics_tx,
        metrics_interval,
        step_capture,
        step_store: None,
        capture_task: None,
    };
    ui.start_metrics(app);
    ui.start_capture(app);
    let wake = ui.wake.clone();
    let mut input = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stop = crate::signals::wait_for_termination();
    tokio::pin!(stop);
    let mut dirty = true;
    let mut last_frame = Instant::now() - FRAME;
    let mut repaint = false;
    loop {
        let frame_due = last_frame + FRAME;
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
                    let before = (app.view, app.detail.as_ref().map(|d| (d.target.clone(), d.kind)));
                    for effect in handle_key(app, &keymap, &key) {
                        ui.apply(effect, app);
                    }
                    let after = (app.view, app.detail.as_ref().map(|d| (d.target.clone(), d.kind)));
                    if before != after && app.view == View::Detail {
                        ui.refresh_describe(app);
                    }
                    dirty = true;
                }
                // Repaint everything: during a resize storm the size may end where it began,
                // so a diff against the old frame would leave what the terminal dropped.
                Some(Ok(TermEvent::Resize(..))) => {
                    repaint = true;
                    dirty = true;
                }
                Some(Ok(TermEvent::Paste(text))) => {
                    if app.mode == Mode::Table {
                        sessions::paste(app, &text);
                    }
                    dirty = true;
                }
                Some(Ok(_)) => {}
                // The terminal went away (SSH dropped): leave now.
                Some(Err(_)) | None => return Ok(Exit::TerminalGone),
            },
            Some(update) = updates.recv() => {
                match update {
                    InformerUpdate::Changed(kind) => {
                        ui.stale.insert(kind);
                        ui.describe_stale = true;
                    }
                    InformerUpdate::State(kind, state) => { app.informers.insert(kind, state); }
                }
                dirty = true;
            }
            Some(ev) = log_rx.recv() => {
                log_event(app, ev);
                for _ in 0..LOG_EVENTS_PER_TURN {
                    match log_rx.try_recv() {
                        Ok(ev) => log_event(app, ev),
                        Err(_) => break,
                    }
                }
                dirty = true;
            }
            Some(update) = metrics_rx.recv() => {
                match update {
                    crate::kube::metrics::MetricsUpdate::Sample(s) => app.metrics.record(s),
                    crate::kube::metrics::MetricsUpdate::Unavailable(why) => {
                        app.metrics.unavailable = Some(why);
                    }
                }
                ui.stale.insert(ResourceKind::Pods);
                ui.stale.insert(ResourceKind::Nodes);
                ui.describe_stale = true;
                dirty = true;
            }
            Some(ev) = session_rx.recv() => {
                session_event(app, ev);
                dirty = true;
            }
            () = wake.notified() => dirty = true,
            Some(done) = done_rx.recv() => {
                ui.finished(done, app);
                dirty = true;
            }
            _ = clock.tick() => {
                dirty = true;
                // The captured-runs list follows new captures while it is shown.
                if app.view == View::Captured && app.now.as_second() % 5 == 0 {
                    ui.apply(Effect::LoadCaptured, app);
                }
            }
            () = tokio::time::sleep_until(frame_due), if dirty => {
                app.now = Timestamp::now();
                ui.refresh_view(app);
                ui.maybe_auto_triage(app);
                refresh_counts(app, &ui.session.cluster);
                let size = terminal.size()?;
                let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
                let [_, main, _] = views::layout(area);
                app.pane_areas = app.layout.rects(main);
                // The dashboard's own area (all of `main` when it is the only pane or hidden).
                let main = app
                    .pane_areas
                    .iter()
                    .find(|(id, _)| *id == crate::app::layout::DASHBOARD)
                    .map_or(main, |(_, r)| *r);
                for (id, rect) in app.pane_areas.clone() {
                    if let Some(pane) = app.logs.get_mut(&id) {
                        views::logs::settle(pane, rect, &ui.theme);
                    }
                }
                size_terminals(app);
                let height = views::table::body_height(main);
                app.page_rows = height;
                crate::app::update::on_table!(app, app.view, t => t.scroll_into_view(height));
                if let Some(d) = app.detail.as_mut() {
                    d.page = views::detail::body_height(main);
                    d.scroll = d.scroll.min(d.max_scroll());
                }
                if std::mem::take(&mut repaint) {
                    // `resize` clears and resets the back buffer without asking the terminal
                    // for its cursor position (which `clear` does, and some terminals never answer).
                    terminal.resize(area)?;
                }
                terminal.draw(|f| views::draw(f, app, &ui.theme, &keymap))?;
                last_frame = Instant::now();
                dirty = false;
            }
            () = &mut stop => return Ok(Exit::Signal),
        }
        if app.should_quit {
            return Ok(Exit::Quit);
        }
    }
}
