//! The application state: plain data (no channels, no locks, no clients), changed only by
//! `update` and by the projection that copies in what the informers' stores hold.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::contexts::ContextRow;
use super::detail::Detail;
use super::keymap::Keymap;
use super::resource::{ApiResourceRow, ResourceRow, ResourceShown};
use super::table::{Table, TableState};
use super::triage::TriageRow;
use crate::kube::event_row::EventRow;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::ResourceKind;
use crate::kube::namespace_row::NamespaceRow;
use crate::kube::node_row::NodeRow;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::PodRow;
use crate::kube::tekton_row::{PipelineRunRow, TaskRunRow};

pub use super::catalog::Discovery;
pub use super::fleet::{ClusterStatus, HISTORY_SAMPLES, MetricsStatus};
pub use super::prompt::{Mode, Pending};

pub use super::view::View;

/// One entry of the navigation history: where we were and how that table looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    pub view: View,
    pub table: Option<TableState>,
    pub detail: Option<Detail>,
    pub taskruns_of: Option<ObjectRef>,
    pub resource: Option<ResourceShown>,
    pub containers_of: Option<ObjectRef>,
}

pub use super::notice::Severity;

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
    pub containers: Table<super::containers::ContainerRow>,
    pub can_i: Table<super::access_rows::CanIRow>,
    pub who_can: Table<super::access_rows::WhoCanRow>,
    pub helm: Table<super::helm_rows::HelmRow>,
    pub helm_history: Table<super::helm_rows::RevisionRow>,
    pub xray: Table<super::xray_rows::XrayRow>,
    pub timeline: Table<super::timeline_rows::TimelineRow>,
    pub as_of: Table<super::travel_rows::AsOfRow>,
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

#[derive(Debug, Clone)]
pub struct App {
    /// The clusters shown and what each last said.
    pub fleet: super::fleet::Fleet,
    pub readonly: bool,
    pub keymap: Keymap,
    /// What is being typed or answered.
    pub prompt: super::prompt::Prompt,
    pub view: View,
    pub history: Vec<Screen>,
    pub tables: Tables,
    /// The PipelineRun whose TaskRuns are shown.
    pub taskruns_of: Option<ObjectRef>,
    /// The pod whose containers are shown.
    pub containers_of: Option<ObjectRef>,
    pub detail: Option<Detail>,
    /// What the status line says.
    pub notice: Option<super::notice::Notice>,
    /// The notice last seen by the clock, and when it appeared (information expires).
    pub notice_seen: Option<(super::notice::Notice, Timestamp)>,
    pub now: Timestamp,
    /// Rows the table showed last frame, for paging.
    pub page_rows: usize,
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
    /// The dashboard, log panes and terminal panes.
    pub panes: super::panes::Panes,
    /// Terminal sessions.
    pub sessions: super::sessions::Sessions,
    pub thresholds: crate::kube::node_row::Thresholds,
    /// What the server serves (discovery), for `:KIND`.
    pub catalog: super::catalog::Catalog,
    /// The kind the resource view shows.
    pub resource: Option<ResourceShown>,
    pub described_object: Option<DescribedObject>,
    /// Port-forwards, by id (they outlive views, scopes and context switches).
    pub forwards: BTreeMap<crate::kube::portforward::ForwardId, super::forwards::ForwardInfo>,
    pub next_forward: crate::kube::portforward::ForwardId,
    /// Workloads restarted or scaled from here, followed until rolled out.
    pub rollouts: Vec<ObjectRef>,
    /// What a `:KIND @CONTEXT` does once the context's client is ready (the view, with its
    /// namespace and filter).
    pub after_switch: Option<(super::view_args::ViewTarget, super::view_args::ViewArgs)>,
    /// Where saved tables and logs go (the user's data directory), if there is one.
    pub data_dir: Option<std::path::PathBuf>,
    /// Plugins, hotkeys and aliases (k9s's files and the config's `[plugins]`).
    pub extensions: super::extensions::Extensions,
    /// The config's own `[plugins]`, resolved again with k9s's files when those change.
    pub own_plugins: Vec<(String, crate::k9s_files::Plugin)>,
    /// What the current user may do (RBAC reviews), and `:can-i`/`:who-can`'s questions.
    pub access: super::access_data::AccessState,
    /// The rollback picker's revisions and `:rollback N`'s number.
    pub workloads: super::workload_state::WorkloadState,
    /// Helm releases listed, the history shown, the revision in the pane.
    pub helm: super::helm_state::HelmState,
    pub xray: super::xray_state::XrayState,
    pub timeline: super::timeline_state::TimelineState,
    /// `:at`: travelling back (none: live).
    pub travel: Option<super::travel_state::Travel>,
    /// `--at`: where to travel once started.
    pub start_at: Option<String>,
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
    /// Per cluster: a cluster with no row on screen lists none.
    pub fn pod_metrics_wanted(&self) -> crate::kube::metrics::WantedByCluster {
        use crate::kube::metrics::{PodMetricsWanted, WantedByCluster};
        /// More namespaces on screen than this: one list of every pod is cheaper.
        const MAX_NAMESPACES: usize = 8;
        if !self.shows_pod_usage() {
            return WantedByCluster::every(PodMetricsWanted::None);
        }
        let t = &self.tables.pods;
        let by_usage = t
            .columns()
            .get(t.sort)
            .is_some_and(|c| c.title == "CPU" || c.title == "MEM");
        if by_usage {
            return WantedByCluster::every(PodMetricsWanted::All);
        }
        let mut on_screen: std::collections::BTreeMap<
            ClusterId,
            std::collections::BTreeSet<String>,
        > = std::collections::BTreeMap::new();
        for r in (t.offset..t.offset + self.page_rows).filter_map(|i| t.row(i)) {
            on_screen
                .entry(r.cluster.clone())
                .or_default()
                .insert(r.namespace.clone());
        }
        let mut wanted = WantedByCluster::every(PodMetricsWanted::None);
        for (cluster, namespaces) in on_screen {
            let w = if namespaces.len() > MAX_NAMESPACES {
                PodMetricsWanted::All
            } else {
                PodMetricsWanted::Namespaces(namespaces)
            };
            wanted.clusters.insert(cluster, w);
        }
        wanted
    }

    pub fn new(cluster: ClusterId, server: String, scope: Scope, readonly: bool) -> Self {
        Self {
            fleet: super::fleet::Fleet::new(cluster, server, scope),
            readonly,
            keymap: Keymap::default(),
            prompt: super::prompt::Prompt::default(),
            view: View::Pods,
            history: Vec::new(),
            tables: Tables::default(),
            taskruns_of: None,
            containers_of: None,
            detail: None,
            notice: None,
            notice_seen: None,
            now: Timestamp::now(),
            page_rows: 20,
            theme_name: "default".into(),
            untouched: true,
            auto_triage: false,
            stale: Stale::all(),
            described: None,
            should_quit: false,
            panes: super::panes::Panes::default(),
            sessions: super::sessions::Sessions::default(),
            thresholds: Default::default(),
            catalog: super::catalog::Catalog::default(),
            resource: None,
            described_object: None,
            forwards: BTreeMap::new(),
            next_forward: 1,
            rollouts: Vec::new(),
            after_switch: None,
            data_dir: None,
            extensions: Default::default(),
            own_plugins: Vec::new(),
            access: super::access_data::AccessState::default(),
            workloads: super::workload_state::WorkloadState::default(),
            helm: super::helm_state::HelmState::default(),
            xray: super::xray_state::XrayState::default(),
            timeline: super::timeline_state::TimelineState::default(),
            travel: None,
            start_at: None,
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
        app.sessions.settings = settings.sessions;
        app.panes.log_limits = settings.log_limits;
        app.panes.log_options.tail_lines = settings.tail_lines;
        app.thresholds = settings.thresholds;
        app.fleet.production = settings.production;
        app.fleet.cluster_sets = settings.cluster_sets;
        app.fleet.watch = settings.watch;
        app.data_dir = settings.data_dir;
        app.timeline.recorder = if settings.journal.is_some() {
            super::timeline_state::Recorder::On
        } else {
            super::timeline_state::Recorder::Off
        };
        app.timeline.journal = settings.journal;
        app.own_plugins = settings.plugins;
        app
    }

    /// Where the favourite namespaces are kept (in the data directory).
    pub fn favourites_file(&self) -> Option<std::path::PathBuf> {
        self.data_dir
            .as_ref()
            .map(|d| d.join("favourite-namespaces.json"))
    }

    /// Put `notice` in the status line.
    pub fn say(&mut self, notice: super::notice::Notice) {
        self.notice = Some(notice);
    }

    /// Say how a change goes on (a rollout followed) without losing what the server warned
    /// of it: the warning stays, the progress after it.
    pub fn say_progress(&mut self, notice: super::notice::Notice) {
        use super::notice::Notice;
        self.notice = Some(match self.notice.take() {
            Some(Notice::ServerWarned { warnings, .. }) => Notice::ServerWarned {
                warnings,
                after: Some(Box::new(notice)),
            },
            _ => notice,
        });
    }

    /// Forget everything shown of the old cluster or scope: a (re)connect starts from empty
    /// tables and fresh informer states.
    pub fn reset_for_connect(&mut self) {
        self.fleet.status.clear();
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
                    super::detail::DetailKind::Helm(part) => part.label(),
                    super::detail::DetailKind::Recorded => "recorded",
                };
                format!("{what} {}", d.target.name)
            }),
            View::TaskRuns => of.map_or("taskruns".into(), |o| format!("{} taskruns", o.name)),
            View::Containers => {
                of.map_or("containers".into(), |o| format!("{} containers", o.name))
            }
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
                let of = if s.view == View::Containers {
                    s.containers_of.as_ref()
                } else {
                    s.taskruns_of.as_ref()
                };
                let text = label(s.view, s.detail.as_ref(), of);
                shown(s.view, s.resource.as_ref(), text)
            })
            .chain([shown(
                self.view,
                self.resource.as_ref(),
                label(
                    self.view,
                    self.detail.as_ref(),
                    if self.view == View::Containers {
                        self.containers_of.as_ref()
                    } else {
                        self.taskruns_of.as_ref()
                    },
                ),
            )])
            .collect()
    }
}
