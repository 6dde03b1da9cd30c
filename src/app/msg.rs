//! Everything that can change the app's state, as one type: what the user typed, what the
//! informers, log streams, sessions and the metrics poller reported, what a background task
//! finished with, and the clock. `update` is the only consumer.

use std::sync::Arc;

use crossterm::event::KeyEvent;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use super::action::Action;
pub use super::errors::{SessionStartError, ThemeError};
use crate::kube::actions::{Acted, ActionError};
use crate::kube::client::ConnectError;
use crate::kube::error::ApiError;
use crate::kube::ids::ClusterId;
use crate::kube::informer::InformerUpdate;
use crate::kube::logs::LogEvent;
use crate::kube::metrics::MetricsUpdate;
use crate::kube::object_ref::ObjectRef;
use crate::kube::step_store::CapturedRun;
use crate::pty::session::{SessionEvent, SessionId};

#[derive(Debug)]
pub enum Msg {
    /// A key pressed in the terminal (mapped by mode and focus).
    Key(KeyEvent),
    /// An action, as a key would map to (tests, and keys after mapping).
    Action(Action),
    /// Text pasted into the terminal.
    Paste(String),
    Informer(InformerUpdate),
    Metrics(ClusterId, MetricsUpdate),
    Log(LogEvent),
    Session(SessionEvent),
    Done(Done),
    /// The one-second clock.
    Tick(Timestamp),
    /// The loop starts: the view asked for, and the kubeconfig's contexts.
    Start {
        view: StartView,
        contexts: Vec<Arc<super::contexts::ContextRow>>,
    },
    /// A frame is about to be drawn at this time (ages are drawn as of it).
    Frame(Timestamp),
    /// k9s's plugins, hotkeys and aliases, read (again: a file changed).
    K9sFiles(Box<crate::k9s_files::K9sFiles>),
}

impl Msg {
    /// Its variant, for the debug log (its data may be large, and is the cluster's).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Key(_) => "Key",
            Self::Action(_) => "Action",
            Self::Paste(_) => "Paste",
            Self::Informer(_) => "Informer",
            Self::Metrics(..) => "Metrics",
            Self::Log(_) => "Log",
            Self::Session(_) => "Session",
            Self::Done(_) => "Done",
            Self::Tick(_) => "Tick",
            Self::Start { .. } => "Start",
            Self::Frame(_) => "Frame",
            Self::K9sFiles(_) => "K9sFiles",
        }
    }
}

/// Which view to show first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartView {
    /// Triage when something is broken once the first sync is done, else pods.
    Auto,
    View(super::state::View),
}

/// What a background task (or the runtime carrying out an effect) reports back.
#[derive(Debug)]
pub enum Done {
    /// A change to the cluster finished (or a step of it).
    Action(Result<Acted, ActionError>),
    /// A change to many objects: each one's outcome, in the order asked.
    Many(Vec<(ObjectRef, Result<Acted, ActionError>)>),
    Yaml(ObjectRef, Result<Value, ActionError>),
    /// An object fetched into its file for the editor.
    EditReady(Result<crate::kube::edit::EditJob, ActionError>),
    /// What applying an edit came to.
    Edited(crate::kube::edit::Applied),
    /// An object fetched to follow one of its relations.
    DrillFetched(ObjectRef, Result<Value, ActionError>),
    /// A port-forward's task said something.
    Forward(crate::kube::portforward::ForwardReport),
    /// Discovery's answer: what the cluster serves.
    Discovered(
        ClusterId,
        Result<crate::kube::discovery::ApiCatalog, ApiError>,
    ),
    /// The pod the describe pane shows, fetched.
    Pod(ObjectRef, Result<Arc<Pod>, ActionError>),
    /// The captured Tekton runs, read from disk.
    Captured(Vec<CapturedRun>),
    /// The clients of a context switch are ready (the runtime keeps them) or not: each
    /// context's default namespace, or why not.
    Context(Vec<(ClusterId, Result<String, ConnectError>)>),
    /// A theme was loaded (and is now drawn with) or could not be.
    Theme(String, Result<(), ThemeError>),
    /// A file was written: how many lines, or why not.
    Saved {
        path: String,
        outcome: Result<usize, crate::os_error::OsError>,
    },
    /// The TaskRuns of this run cannot be watched: its cluster has not discovered Tekton.
    NoTekton(ObjectRef),
    /// The clipboard could not be written.
    ClipboardFailed(crate::os_error::OsError),
    /// What the API server warned of while a change the user asked for was made (its
    /// `Warning:` headers), sent after the change's own outcome.
    ServerWarned(Vec<String>),
    /// A session's input queue is full: a key was dropped.
    InputDropped(SessionId),
    /// A session could not be started at all.
    SessionFailed(SessionId, SessionStartError),
    /// Step capture is off: nothing to list.
    CaptureOff,
    /// A background plugin ended: its exit code (`None`: a signal) and its output, or why it
    /// could not run.
    Plugin {
        run: Box<super::extensions::job::PluginRun>,
        outcome: Result<(Option<i32>, String), crate::os_error::OsError>,
    },
    /// Whether the node agent is installed.
    Agent(ClusterId, crate::kube::agent::AgentPresence),
    /// A Deployment's revisions, for the rollback picker.
    Revisions(
        crate::kube::object_ref::ObjectRef,
        Result<Vec<crate::kube::workload_ops::Revision>, ActionError>,
    ),
    /// A cluster's journal, read back.
    Journal(
        ClusterId,
        Result<crate::journal::Loaded, crate::journal::JournalError>,
    ),
    /// A journal write failed.
    RecorderFailed(crate::journal::JournalError),
    /// `:at`: a cluster's objects at a moment, from its journal.
    State(
        ClusterId,
        jiff::Timestamp,
        Result<crate::journal_travel::Snapshot, crate::journal_travel::TravelError>,
    ),
    /// `:diff`: an object's fields at two moments.
    Diff(Result<super::travel_state::Diffed, crate::journal_travel::TravelError>),
    /// `:xray`'s objects from a cluster, for trees starting from a kind.
    Xray(
        ClusterId,
        crate::kube::xray::XKind,
        Result<Vec<crate::kube::xray::XObject>, crate::kube::error::ApiError>,
    ),
    /// Node-shell pods an earlier kubedeck left, deleted at start (their names).
    NodeShellsSwept(ClusterId, Result<Vec<String>, crate::kube::error::ApiError>),
    /// A copy out of a container: bytes received so far.
    CopyProgress(crate::kube::copy::CopySpec, u64),
    /// A copy ended.
    Copied(
        ClusterId,
        crate::kube::copy::CopySpec,
        Result<crate::kube::copy::CopyReport, crate::kube::copy::CopyError>,
    ),
    /// A cluster's Helm releases (every revision), and the Secrets that could not be read.
    Helm(
        ClusterId,
        Result<
            (
                Vec<crate::kube::helm::Summary>,
                Vec<crate::kube::helm::HelmError>,
            ),
            crate::kube::error::ApiError,
        >,
    ),
    /// One Helm revision, decoded.
    HelmContent {
        secret: String,
        result: Box<Result<crate::kube::helm::Content, crate::kube::helm::HelmError>>,
    },
    /// What the current user may do in a namespace.
    Access(
        ClusterId,
        String,
        Result<crate::kube::access::Access, crate::kube::error::ApiError>,
    ),
    /// Who may do what `:who-can` asked, in one cluster.
    WhoCan(
        ClusterId,
        crate::kube::access::WhoCanQuery,
        Result<Vec<crate::kube::access::Grantee>, crate::kube::error::ApiError>,
    ),
    /// The PodDisruptionBudgets, for the drain preview.
    Budgets(
        ClusterId,
        Result<Vec<crate::kube::pdb::Budget>, crate::kube::error::ApiError>,
    ),
}

impl From<Action> for Msg {
    fn from(a: Action) -> Self {
        Msg::Action(a)
    }
}
