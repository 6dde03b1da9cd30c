//! The application state: plain data (no channels, no locks, no clients), changed only by
//! `update` and by the projection that copies in what the informers' stores hold.

use std::collections::BTreeMap;

use jiff::Timestamp;
use ratatui::layout::Rect;

use super::action::OnConfirm;
use super::contexts::ContextRow;
use super::detail::Detail;
use super::keymap::Keymap;
use super::layout::{DASHBOARD, Layout, PaneId};
use super::logs::buffer::Limits;
use super::logs::pane::LogPane;
use super::picker::Picker;
use super::resource::{ApiResourceRow, ResourceRow, ResourceShown};
use super::sessions::{SessionInfo, SessionSettings, TermPane};
use super::table::{Table, TableState};
use super::triage::TriageRow;
use crate::kube::discovery::ApiCatalog;
use crate::kube::event_row::EventRow;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{InformerState, ResourceKind};
use crate::kube::log_request::LogOptions;
use crate::kube::namespace_row::NamespaceRow;
use crate::kube::node_row::NodeRow;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::PodRow;
use crate::kube::tekton_row::{PipelineRunRow, TaskRunRow};
use crate::pty::session::SessionId;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Table,
    Filter,
    Command,
    Help,
    /// A destructive action waits for `y`.
    Confirm,
    /// Typing a search in the describe/YAML pane or a log pane.
    Search,
    /// Choosing from a list (a pod's containers).
    Pick,
    /// Typing the file to save a log pane to.
    Save,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    Triage,
    Pods,
    PipelineRuns,
    /// The TaskRuns of one PipelineRun.
    TaskRuns,
    Events,
    Nodes,
    Namespaces,
    Contexts,
    /// Terminal sessions.
    Sessions,
    /// Tekton runs whose step logs kubedeck captured.
    Captured,
    /// Describe or YAML of one object.
    Detail,
    /// Any other kind, as the server prints it (`app.resource` says which).
    Resource,
    /// Every kind the server serves.
    ApiResources,
    /// Port-forwards.
    Forwards,
}

impl View {
    pub fn title(self) -> &'static str {
        match self {
            View::Triage => "triage",
            View::Pods => "pods",
            View::PipelineRuns => "pipelineruns",
            View::TaskRuns => "taskruns",
            View::Events => "events",
            View::Nodes => "nodes",
            View::Namespaces => "namespaces",
            View::Contexts => "contexts",
            View::Sessions => "sessions",
            View::Captured => "captured",
            View::Resource => "resource",
            View::ApiResources => "api-resources",
            View::Forwards => "port-forwards",
            View::Detail => "detail",
        }
    }

    /// A view by the name `--view` and `start_view` use.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            View::Triage,
            View::Pods,
            View::PipelineRuns,
            View::Events,
            View::Nodes,
            View::Namespaces,
            View::Contexts,
        ]
        .into_iter()
        .find(|v| v.title() == name)
    }

    /// The informer kinds this view draws from.
    pub fn needs(self) -> &'static [ResourceKind] {
        match self {
            View::Triage => &[
                ResourceKind::Pods,
                ResourceKind::Events,
                ResourceKind::Nodes,
                ResourceKind::PipelineRuns,
            ],
            View::Pods => &[ResourceKind::Pods],
            View::PipelineRuns => &[ResourceKind::PipelineRuns],
            View::TaskRuns => &[ResourceKind::TaskRuns],
            View::Events => &[ResourceKind::Events],
            View::Nodes => &[ResourceKind::Nodes, ResourceKind::Pods],
            View::Namespaces => &[ResourceKind::Namespaces],
            View::Resource => &[ResourceKind::Generic],
            // The describe pane reads the stores directly, not the tables.
            View::Contexts
            | View::Sessions
            | View::Captured
            | View::Detail
            | View::ApiResources
            | View::Forwards => &[],
        }
    }
}

/// One entry of the navigation history: where we were and how that table looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub view: View,
    pub table: Option<TableState>,
    pub detail: Option<Detail>,
    pub taskruns_of: Option<ObjectRef>,
    pub resource: Option<ResourceShown>,
}

pub use super::notice::Severity;

/// A destructive action waiting for confirmation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub prompt: String,
    pub on_confirm: OnConfirm,
    /// What a drain will do, pod by pod, shown (and scrolled) before the answer.
    pub preview: Option<super::drain_preview::DrainPreview>,
    /// The first preview line shown.
    pub scroll: usize,
    /// A production-like cluster's delete: the object's name must be typed (then Enter)
    /// instead of `y`.
    pub typed: Option<String>,
}

impl Pending {
    /// A question with nothing more to show.
    pub fn ask(prompt: String, on_confirm: OnConfirm) -> Self {
        Self {
            prompt,
            on_confirm,
            preview: None,
            scroll: 0,
            typed: None,
        }
    }
}

/// What changed since the projection last brought the tables and the detail pane up to date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stale {
    /// Stores changed since their table was rebuilt.
    pub kinds: std::collections::BTreeSet<ResourceKind>,
    /// A triage input changed since the triage rows were computed.
    pub triage: bool,
    /// The detail pane's object (or what it shows with it) may have changed.
    pub describe: bool,
}

impl Stale {
    /// Everything: after a (re)connect.
    pub fn all() -> Self {
        Self {
            kinds: ResourceKind::ALL.into_iter().collect(),
            triage: true,
            describe: true,
        }
    }
}

/// The pod the describe pane shows: its store keeps rows, so describe fetches the pod, and
/// fetches it again whenever its row is replaced (so the pane follows the pod live).
#[derive(Debug, Clone)]
pub struct DescribedPod {
    pub target: ObjectRef,
    /// The row last fetched for: another row means the pod changed.
    pub row: Option<std::sync::Arc<PodRow>>,
    pub pod: Option<std::sync::Arc<k8s_openapi::api::core::v1::Pod>>,
    pub in_flight: bool,
    /// The last fetch failed: tried again only when the row changes, not every frame.
    pub failed: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub triage: Table<TriageRow>,
    pub pods: Table<PodRow>,
    pub runs: Table<PipelineRunRow>,
    pub taskruns: Table<TaskRunRow>,
    pub events: Table<EventRow>,
    pub nodes: Table<NodeRow>,
    pub namespaces: Table<NamespaceRow>,
    pub contexts: Table<ContextRow>,
    pub sessions: Table<super::sessions::SessionRow>,
    pub captured: Table<crate::kube::step_store::CapturedRun>,
    pub resource: Table<ResourceRow>,
    pub api_resources: Table<ApiResourceRow>,
    pub forwards: Table<super::forwards::ForwardRow>,
}

/// Where discovery is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Discovery {
    #[default]
    NotYet,
    /// Asked; `then` is a `:KIND [NS]` waiting for it (a CRD added since the last time).
    Running {
        then: Option<(String, Option<String>)>,
    },
    Done,
    Failed(crate::kube::error::ApiError),
}

/// A generic object the describe pane shows: fetched, and fetched again when its row changes.
#[derive(Debug, Clone)]
pub struct DescribedObject {
    pub target: ObjectRef,
    /// The resourceVersion of the row last fetched for.
    pub version: Option<String>,
    pub object: Option<std::sync::Arc<serde_json::Value>>,
    pub in_flight: bool,
    pub failed: bool,
}

/// What one shown cluster's informers and metrics poller last said.
#[derive(Debug, Clone, Default)]
pub struct ClusterStatus {
    pub informers: BTreeMap<ResourceKind, InformerState>,
    /// Kinds whose rows are last-known, not live: since when (the moment they stopped being
    /// live). A kind never live has no rows to mark.
    pub not_live_since: BTreeMap<ResourceKind, Timestamp>,
    pub counts: BTreeMap<ResourceKind, usize>,
    /// Live usage: the newest sample, or why there is none.
    pub metrics: MetricsStatus,
}

impl ClusterStatus {
    pub fn informer(&self, kind: ResourceKind) -> InformerState {
        self.informers
            .get(&kind)
            .cloned()
            .unwrap_or(InformerState::Syncing)
    }
}

#[derive(Debug, Clone)]
pub struct App {
    /// The cluster shown first (its kubeconfig context): discovery, namespaces and `:ctx`
    /// start from it.
    pub cluster: ClusterId,
    /// Every cluster shown, `cluster` first; more than one adds a CLUSTER column everywhere.
    pub clusters: Vec<ClusterId>,
    /// Each shown cluster's informer states, counts and metrics.
    pub fleet: BTreeMap<ClusterId, ClusterStatus>,
    /// Contexts marked production-like in the config (a distinct colour, typed deletes).
    pub production: Vec<String>,
    /// Named sets of contexts from the config (`:ctx SET`).
    pub cluster_sets: BTreeMap<String, Vec<String>>,
    /// `[watch]`: the kinds watched per context pattern when several clusters are shown.
    pub watch: BTreeMap<String, Vec<String>>,
    /// Each connected context's own namespace, as its kubeconfig entry names it (for
    /// `Scope::ContextDefaults`).
    pub context_namespaces: BTreeMap<ClusterId, String>,
    pub server: String,
    pub scope: Scope,
    pub readonly: bool,
    pub keymap: Keymap,
    pub mode: Mode,
    pub view: View,
    pub history: Vec<Screen>,
    /// Text being typed into the filter, command line or search.
    pub input: String,
    /// What a filter or search prompt held when it opened: Esc puts it back (typing applies
    /// live, so cancelling has to undo).
    pub input_before: String,
    pub tables: Tables,
    /// The PipelineRun whose TaskRuns are shown.
    pub taskruns_of: Option<ObjectRef>,
    pub detail: Option<Detail>,
    pub pending: Option<Pending>,
    /// What the status line says.
    pub notice: Option<super::notice::Notice>,
    /// The notice last seen by the clock, and when it appeared (information expires).
    pub notice_seen: Option<(super::notice::Notice, Timestamp)>,
    pub now: Timestamp,
    /// Rows the table showed last frame, for paging.
    pub page_rows: usize,
    /// First help line shown (help scrolls with the movement keys on small terminals).
    pub help_scroll: usize,
    /// The theme's name, for the status line.
    pub theme_name: String,
    /// Cleared by the first key press: the start view may still switch to triage until then.
    pub untouched: bool,
    /// Open triage once the first sync is done, if something is broken and the user has not
    /// moved yet.
    pub auto_triage: bool,
    pub stale: Stale,
    pub described: Option<DescribedPod>,
    pub should_quit: bool,
    /// Panes: the dashboard and log panes.
    pub layout: Layout,
    pub logs: BTreeMap<PaneId, LogPane>,
    pub next_pane: PaneId,
    /// The next log stream's key.
    pub next_stream: u64,
    /// Each pane's area in the last frame (for splitting the right way).
    pub pane_areas: Vec<(PaneId, Rect)>,
    pub picker: Option<Picker>,
    /// Ring limits and request defaults for new log panes.
    pub log_limits: Limits,
    pub log_options: LogOptions,
    /// Terminal sessions, and the panes showing them.
    pub sessions: BTreeMap<SessionId, SessionInfo>,
    pub terms: BTreeMap<PaneId, TermPane>,
    pub next_session: SessionId,
    /// The prefix key was pressed in a terminal pane: the next key is kubedeck's.
    pub prefix_armed: bool,
    pub session_settings: SessionSettings,
    pub thresholds: crate::kube::node_row::Thresholds,
    /// What the server serves (discovery), for `:KIND`.
    pub catalog: std::sync::Arc<ApiCatalog>,
    pub discovery: Discovery,
    /// The kind the resource view shows.
    pub resource: Option<ResourceShown>,
    pub described_object: Option<DescribedObject>,
    /// Port-forwards, by id (they outlive views, scopes and context switches).
    pub forwards: BTreeMap<crate::kube::portforward::ForwardId, super::forwards::ForwardInfo>,
    pub next_forward: crate::kube::portforward::ForwardId,
    /// Workloads restarted or scaled from here, followed until rolled out.
    pub rollouts: Vec<ObjectRef>,
    /// Whether the node agent is installed in the shown cluster, as last checked (on `D`).
    pub agent: Option<(ClusterId, crate::kube::agent::AgentPresence)>,
}

/// What the metrics poller last said.
#[derive(Debug, Clone, Default)]
pub struct MetricsStatus {
    pub sample: Option<std::sync::Arc<crate::kube::metrics::Sample>>,
    /// Bumped with each sample (rows with usage are re-made once per sample).
    pub generation: u64,
    /// Why usage is not shown, when it is not.
    pub unavailable: Option<String>,
    /// The last samples per node (millicores, bytes), oldest first, for the sparklines.
    pub history: std::collections::HashMap<String, std::collections::VecDeque<(i64, i64)>>,
}

/// Samples of history kept per node (40 × 15 s = 10 minutes at the default interval).
pub const HISTORY_SAMPLES: usize = 40;

impl MetricsStatus {
    /// No usage now: the last sample is dropped, so no column shows old usage as current.
    pub fn lost(&mut self, why: String) {
        self.unavailable = Some(why);
        if self.sample.take().is_some() {
            self.generation += 1;
        }
    }

    pub fn record(&mut self, sample: std::sync::Arc<crate::kube::metrics::Sample>) {
        for (node, usage) in &sample.nodes {
            let h = self.history.entry(node.clone()).or_default();
            h.push_back(*usage);
            while h.len() > HISTORY_SAMPLES {
                h.pop_front();
            }
        }
        self.history.retain(|n, _| sample.nodes.contains_key(n));
        self.unavailable = sample.note.clone();
        self.sample = Some(sample);
        self.generation += 1;
    }
}

impl App {
    /// Whether pod usage (the CPU and MEM columns) is on screen: only the pods table shows
    /// it, so the metrics poller lists PodMetrics only then.
    pub fn shows_pod_usage(&self) -> bool {
        self.view == View::Pods
    }

    /// Which pods' usage the screen needs: none off the pods table; every pod's when the table
    /// is sorted by CPU or MEM (or many namespaces are on screen); else only the namespaces of
    /// the rows on screen, so a still cluster of any size costs a screenful's metrics.
    pub fn pod_metrics_wanted(&self) -> crate::kube::metrics::PodMetricsWanted {
        use crate::kube::metrics::PodMetricsWanted;
        /// More namespaces on screen than this: one list of every pod is cheaper.
        const MAX_NAMESPACES: usize = 8;
        if !self.shows_pod_usage() {
            return PodMetricsWanted::None;
        }
        let t = &self.tables.pods;
        let by_usage = t
            .columns()
            .get(t.sort)
            .is_some_and(|c| c.title == "CPU" || c.title == "MEM");
        if by_usage {
            return PodMetricsWanted::All;
        }
        let on_screen: std::collections::BTreeSet<String> = (t.offset..t.offset + self.page_rows)
            .filter_map(|i| t.row(i))
            .map(|r| r.namespace.clone())
            .collect();
        if on_screen.len() > MAX_NAMESPACES {
            return PodMetricsWanted::All;
        }
        PodMetricsWanted::Namespaces(on_screen)
    }

    pub fn new(cluster: ClusterId, server: String, scope: Scope, readonly: bool) -> Self {
        Self {
            clusters: vec![cluster.clone()],
            fleet: BTreeMap::new(),
            production: Vec::new(),
            cluster_sets: BTreeMap::new(),
            watch: BTreeMap::new(),
            context_namespaces: BTreeMap::new(),
            cluster,
            server,
            scope,
            readonly,
            keymap: Keymap::default(),
            mode: Mode::Table,
            view: View::Pods,
            history: Vec::new(),
            input: String::new(),
            input_before: String::new(),
            tables: Tables::default(),
            taskruns_of: None,
            detail: None,
            pending: None,
            notice_seen: None,
            notice: None,
            now: Timestamp::now(),
            page_rows: 20,
            help_scroll: 0,
            theme_name: "default".into(),
            untouched: true,
            auto_triage: false,
            stale: Stale::all(),
            described: None,
            should_quit: false,
            layout: Layout::default(),
            logs: BTreeMap::new(),
            next_pane: 1,
            next_stream: 1,
            pane_areas: Vec::new(),
            picker: None,
            log_limits: Limits::default(),
            log_options: LogOptions::default(),
            sessions: BTreeMap::new(),
            terms: BTreeMap::new(),
            next_session: 1,
            prefix_armed: false,
            session_settings: SessionSettings::default(),
            thresholds: Default::default(),
            catalog: Default::default(),
            discovery: Discovery::default(),
            resource: None,
            described_object: None,
            forwards: BTreeMap::new(),
            next_forward: 1,
            rollouts: Vec::new(),
            agent: None,
        }
    }

    /// An app configured by the config file's `settings`.
    pub fn configured(
        cluster: ClusterId,
        server: String,
        scope: Scope,
        settings: super::settings::Settings,
    ) -> Self {
        let mut app = Self::new(cluster, server, scope, settings.readonly);
        app.keymap = settings.keymap;
        app.session_settings = settings.sessions;
        app.log_limits = settings.log_limits;
        app.log_options.tail_lines = settings.tail_lines;
        app.thresholds = settings.thresholds;
        app.production = settings.production;
        app.cluster_sets = settings.cluster_sets;
        app.watch = settings.watch;
        app
    }

    /// The kinds watched in `cluster`: every kind when it is the only one shown, else those
    /// `[watch]` gives its context.
    pub fn watched_kinds(&self, cluster: &ClusterId, multi: bool) -> Vec<ResourceKind> {
        if multi {
            super::contexts::watched_kinds(&self.watch, cluster.context())
        } else {
            ResourceKind::WATCHABLE.to_vec()
        }
    }

    /// Put `notice` in the status line.
    pub fn say(&mut self, notice: super::notice::Notice) {
        self.notice = Some(notice);
    }

    /// Whether several clusters are shown.
    pub fn multi(&self) -> bool {
        self.clusters.len() > 1
    }

    /// Whether `cluster` is one of those shown.
    pub fn shows(&self, cluster: &ClusterId) -> bool {
        self.clusters.contains(cluster)
    }

    /// Whether `context` is marked production-like in the config (`*` matches any text).
    pub fn is_production(&self, cluster: &ClusterId) -> bool {
        self.production
            .iter()
            .any(|p| super::contexts::glob_match(p, cluster.context()))
    }

    /// The status of `cluster` (empty until it reports).
    pub fn status_of(&self, cluster: &ClusterId) -> std::borrow::Cow<'_, ClusterStatus> {
        self.fleet
            .get(cluster)
            .map_or_else(Default::default, std::borrow::Cow::Borrowed)
    }

    pub fn status_mut(&mut self, cluster: &ClusterId) -> &mut ClusterStatus {
        self.fleet.entry(cluster.clone()).or_default()
    }

    /// The first cluster's status.
    pub fn primary_status(&mut self) -> &mut ClusterStatus {
        let first = self.cluster.clone();
        self.status_mut(&first)
    }

    /// The metrics of the first cluster shown (the nodes view's history, the status bar).
    pub fn metrics(&self) -> std::borrow::Cow<'_, MetricsStatus> {
        match self.fleet.get(&self.cluster) {
            Some(s) => std::borrow::Cow::Borrowed(&s.metrics),
            None => std::borrow::Cow::Owned(MetricsStatus::default()),
        }
    }

    /// A kind's state across the clusters shown: theirs when they agree; live when any is
    /// (its rows are live; the others' problems are in the status bar); else the first
    /// cluster's.
    pub fn informer(&self, kind: ResourceKind) -> InformerState {
        // Drawn every frame: no status is copied, only the state returned.
        let state_of = |c: &ClusterId| {
            self.fleet
                .get(c)
                .and_then(|s| s.informers.get(&kind))
                .unwrap_or(&InformerState::Syncing)
        };
        let mut states = self.clusters.iter().map(state_of);
        let first = states.next().unwrap_or(&InformerState::Syncing);
        let mut live = *first == InformerState::Live;
        let mut agree = true;
        for s in states {
            agree &= s == first;
            live |= *s == InformerState::Live;
        }
        if !agree && live {
            return InformerState::Live;
        }
        first.clone()
    }

    /// How many objects of `kind` the shown clusters' stores hold.
    pub fn count(&self, kind: ResourceKind) -> usize {
        self.clusters
            .iter()
            .filter_map(|c| self.fleet.get(c))
            .filter_map(|s| s.counts.get(&kind))
            .sum()
    }

    /// Whether rows built from `kinds` are last-known rather than live: since when (the
    /// earliest), and the state of the kind that stopped first. With several clusters, only
    /// when no cluster has them live.
    pub fn not_live(&self, kinds: &[ResourceKind]) -> Option<(Timestamp, InformerState)> {
        kinds
            .iter()
            .filter(|k| self.informer(**k) != InformerState::Live)
            .flat_map(|k| {
                self.clusters.iter().filter_map(move |c| {
                    let s = self.fleet.get(c)?;
                    s.not_live_since.get(k).map(|at| (*at, s.informer(*k)))
                })
            })
            .min_by_key(|(at, _)| *at)
    }

    /// The focused log pane, if a log pane has the focus.
    pub fn focused_log(&self) -> Option<&LogPane> {
        self.logs.get(&self.layout.focus)
    }

    pub fn focused_log_mut(&mut self) -> Option<&mut LogPane> {
        self.logs.get_mut(&self.layout.focus)
    }

    /// Open a picker.
    pub fn open_picker(&mut self, picker: Picker) {
        self.picker = Some(picker);
        self.mode = Mode::Pick;
    }

    /// A key for a new log stream.
    pub fn new_stream_key(&mut self) -> crate::kube::logs::StreamKey {
        let key = crate::kube::logs::StreamKey(self.next_stream);
        self.next_stream += 1;
        key
    }

    /// Open a filter or search prompt while `current` is applied.
    /// The prompt starts empty (what is typed replaces the filter, it is not appended to it);
    /// Esc puts `current` back.
    pub fn open_prompt(&mut self, mode: Mode, current: String) {
        self.input_before = current;
        self.input = String::new();
        self.mode = mode;
    }

    /// Whether keys go to the dashboard (not to a log or terminal pane).
    pub fn dashboard_focused(&self) -> bool {
        let f = self.layout.focus;
        f == DASHBOARD || !(self.logs.contains_key(&f) || self.terms.contains_key(&f))
    }

    /// Split the focused pane to show the new pane `id` beside it (side by side when wide).
    pub fn split_beside_focus(&mut self, id: PaneId) {
        let target = self.layout.focus;
        let area = self
            .pane_areas
            .iter()
            .find(|(p, _)| *p == target)
            .map(|(_, r)| *r)
            .unwrap_or_default();
        self.layout.split(target, id, super::layout::dir_for(area));
    }

    /// Whether a terminal pane has the focus.
    pub fn terminal_focused(&self) -> bool {
        self.terms.contains_key(&self.layout.focus)
    }

    /// Forget everything shown of the old cluster or scope: a (re)connect starts from empty
    /// tables and fresh informer states.
    pub fn reset_for_connect(&mut self) {
        self.fleet.clear();
        self.described = None;
        self.stale = Stale::all();
        let t = &mut self.tables;
        t.pods.set_rows(Vec::new());
        t.events.set_rows(Vec::new());
        t.nodes.set_rows(Vec::new());
        t.runs.set_rows(Vec::new());
        t.taskruns = Table::default();
        t.namespaces.set_rows(Vec::new());
        t.triage.set_rows(Vec::new());
        t.resource.set_rows(Vec::new());
        self.described_object = None;
    }

    /// The context of the cluster shown.
    pub fn context(&self) -> &str {
        self.cluster.context()
    }

    pub fn context_names(&self) -> Vec<String> {
        self.tables
            .contexts
            .all_rows()
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The breadcrumb: every view in the history, then the current one.
    pub fn breadcrumb(&self) -> Vec<String> {
        let label = |view: View, detail: Option<&Detail>, of: Option<&ObjectRef>| match view {
            View::Detail => detail.map_or("detail".into(), |d| {
                let what = match d.kind {
                    super::detail::DetailKind::Describe => "describe",
                    super::detail::DetailKind::Yaml => "yaml",
                };
                format!("{what} {}", d.target.name)
            }),
            View::TaskRuns => of.map_or("taskruns".into(), |o| format!("{} taskruns", o.name)),
            other => other.title().into(),
        };
        let shown = |view: View, r: Option<&ResourceShown>, text: String| match (view, r) {
            (View::Resource, Some(r)) => match &r.namespace {
                Some(ns) => format!("{} {ns}", r.api.plural),
                None => r.api.plural.clone(),
            },
            _ => text,
        };
        self.history
            .iter()
            .map(|s| {
                let text = label(s.view, s.detail.as_ref(), s.taskruns_of.as_ref());
                shown(s.view, s.resource.as_ref(), text)
            })
            .chain([shown(
                self.view,
                self.resource.as_ref(),
                label(self.view, self.detail.as_ref(), self.taskruns_of.as_ref()),
            )])
            .collect()
    }
}
