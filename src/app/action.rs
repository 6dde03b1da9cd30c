//! What a key can ask for, and what `update` asks the runtime to do.

use super::sessions::SessionSpec;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::logs::StreamKey;
use crate::kube::object_ref::ObjectRef;
use crate::pty::session::{Input, SessionId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Sort by the table's Nth column (0-based).
    SortBy(usize),
    StartFilter,
    StartCommand,
    ToggleHelp,
    /// Every informer and the metrics poller waiting out a backoff try again now.
    RetryNow,
    /// Back out: close help, leave input, clear the filter, then go back in the history.
    Back,
    /// Drill into the selection.
    Open,
    /// `:xray`: close the node under the cursor (or go to its parent), or open it.
    FoldClose,
    FoldOpen,
    Describe,
    Yaml,
    Events,
    Delete,
    CancelRun,
    Rerun,
    /// Events: only warnings. Other tables: only rows needing attention.
    ToggleFlagged,
    /// Mark (or unmark) the row under the cursor: actions then act on every marked row (the
    /// contexts view shows the marked contexts together).
    MarkRow,
    /// Mark every row from the last one marked to the cursor.
    MarkRange,
    ClearMarks,
    /// Back to the view shown before this one, and again to return (as `cd -`).
    PreviousView,
    /// Copy the selected object's name, or its namespace (OSC 52).
    CopyName,
    CopyNamespace,
    /// Save the table as shown to a CSV file.
    SaveTable,
    /// Every column (as `-o wide`), or those that fit.
    ToggleWide,
    /// The namespaces view: the favourite namespace of this rank (0: every namespace).
    Favourite(usize),
    NextMatch,
    PrevMatch,
    ToggleManagedFields,
    /// A Secret's describe/YAML, or a Helm release's values and manifest: show the hidden
    /// values (decoded), or hide them again.
    RevealSecret,
    /// Text typed into the filter, command line or search.
    Input(char),
    Backspace,
    /// Tab on the command line: complete the command or kind.
    Complete,
    /// Scale the selection (opens `:scale` on the command line).
    Scale,
    RolloutRestart,
    /// The selection's owner, in its own view.
    Owner,
    /// The selection's YAML in the user's editor; applied on exit.
    Edit,
    /// Port-forward to the selection (opens `:pf` on the command line).
    PortForward,
    Submit,
    Confirm,
    /// Logs of the selection (a container picker when a pod has several).
    Logs,
    /// Logs of every pod of the selected pod's owner (a rollout's new pods join).
    OwnerLogs,
    // Panes.
    FocusNext,
    FocusPrev,
    Zoom,
    ClosePane,
    Grow,
    Shrink,
    Flip,
    // Log panes.
    ToggleFollow,
    ToggleWrap,
    ToggleTimestamps,
    CycleLevel,
    Previous,
    FailedOnly,
    FilterLines,
    Expand,
    Mark,
    Copy,
    Save,
    /// Container picker: every container.
    AllContainers,
    // Sessions.
    /// Nodes: cordon / uncordon the selected node (asks first).
    Cordon,
    Uncordon,
    /// Exec a shell in the selected pod.
    Shell,
    /// An ephemeral debug container in the selected pod.
    Debug,
    /// Attach to a container's main process (`kubectl attach -it`).
    Attach,
    /// Helm: the selected revision's values.
    HelmValues,
    /// A shell on this machine with the current context.
    LocalShell,
    /// Terminal pane (after the prefix key): scroll back into the history.
    Scrollback,
    /// Terminal pane: start/stop recording to an asciicast file.
    Record,
    /// Terminal pane: close the pane, keep the session running.
    Detach,
    /// Terminal pane: end the session (asks while it runs).
    EndSession,
}

/// One cluster's informers to start: in which namespace (or all), watching which kinds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub cluster: ClusterId,
    /// A namespace or all of them (each context's own namespace is resolved by then).
    pub scope: Scope,
    pub kinds: Vec<crate::kube::informer::ResourceKind>,
}

/// Work only the runtime can do (it touches the cluster, the disk, a process or the terminal);
/// what comes of it returns to `update` as a [`Msg`](super::msg::Msg). Every effect on the
/// cluster names the cluster it goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// (Re)start the informers of these clusters (the first first), each in its scope with
    /// its kinds (a namespace or context switch).
    Connect(Vec<Watched>),
    /// Build clients for other contexts, shown together (their informers start once the
    /// clients are ready).
    SwitchContext(Vec<ClusterId>),
    /// Cut `cluster`'s backoffs short: its informers and metrics poller try again now.
    RetryNow(ClusterId),
    /// Watch the TaskRuns of this PipelineRun (None: stop).
    WatchTaskRuns(Option<ObjectRef>),
    /// Watch this resource for the resource view (`None`: stop).
    WatchResource(Option<super::resource::ResourceShown>),
    /// Ask the cluster what it serves (discovery), again.
    Discover(ClusterId),
    /// Set the replicas through the scale subresource.
    Scale(ObjectRef, i32),
    /// Restart the pods of a workload (a new pod-template annotation, as kubectl does).
    RolloutRestart(ObjectRef),
    /// Set a container's image in a workload's pod template.
    SetImage {
        obj: ObjectRef,
        container: String,
        image: String,
    },
    /// List a Deployment's revisions (for the rollback picker).
    LoadRevisions(ObjectRef),
    /// Roll a Deployment back to a revision.
    Rollback(ObjectRef, crate::kube::workload_ops::Revision),
    /// Create a Job from a CronJob now.
    TriggerCronJob(ObjectRef),
    /// Suspend (`true`) or resume a CronJob.
    SuspendCronJob(ObjectRef, bool),
    /// Fetch an object into a private file for the editor.
    PrepareEdit(ObjectRef),
    /// Apply what the editor saved (PUT with the version it was read at).
    ApplyEdit(crate::kube::edit::EditJob),
    StartForward(crate::kube::portforward::ForwardSpec),
    /// Fetch an object to follow a relation its row does not show (an Ingress's Services).
    FetchForDrill(ObjectRef),
    StopForward(crate::kube::portforward::ForwardId),
    FetchYaml(ObjectRef),
    /// Fetch the pod the describe pane shows (its store keeps rows, not pods).
    FetchPod(ObjectRef),
    Delete(ObjectRef),
    /// The same change to each of many objects (the marked rows), reported together.
    Many(Vec<Effect>),
    /// Read k9s's files for this context (cluster and context names) now, and again whenever
    /// they change.
    WatchK9sFiles(Option<(String, String)>),
    /// Keep the favourite namespaces (per context) for the next start.
    SaveFavourites {
        path: std::path::PathBuf,
        favourites: std::collections::BTreeMap<String, Vec<String>>,
    },
    /// A plugin in the background: its exit status and last line come back.
    RunPlugin(Box<super::extensions::job::PluginRun>),
    CancelRun(ObjectRef),
    Rerun(ObjectRef),
    /// Cordon (true) or uncordon a node.
    Cordon(ObjectRef, bool),
    /// Cordon a node and evict its pods (confirmed with the plan shown).
    Drain(ClusterId, crate::kube::drain::DrainPlan),
    /// Read the PodDisruptionBudgets (for the drain preview).
    LoadBudgets(ClusterId),
    /// Check whether the node agent is installed (for the debug picker).
    CheckAgent(ClusterId),
    /// Write changes to a cluster's journal (the flight recorder).
    Record(ClusterId, Vec<crate::kube::timeline::Record>),
    /// Read a cluster's journal back (at start).
    LoadJournal(ClusterId),
    /// `:at`: what a cluster's journal says its objects were at a moment.
    LoadState(ClusterId, jiff::Timestamp),
    /// `:diff`: one object's recorded fields at two moments.
    LoadDiff {
        cluster: ClusterId,
        kind: &'static str,
        namespace: String,
        name: String,
        times: (jiff::Timestamp, jiff::Timestamp),
    },
    /// Read the objects `:xray`'s trees need in a cluster (a namespace, or every one).
    LoadXray(ClusterId, crate::kube::xray::XKind, Option<String>),
    /// Delete the node-shell pods an earlier kubedeck of this user left in a namespace.
    SweepNodeShells(ClusterId, String),
    /// Copy a file or folder out of a container (`:cp`).
    CopyOut(ClusterId, crate::kube::copy::CopySpec),
    /// List the Helm release Secrets of a namespace (every one when `None`).
    LoadHelm(ClusterId, Option<String>),
    /// Fetch and decode one Helm release revision's Secret.
    FetchHelmRelease {
        cluster: ClusterId,
        namespace: String,
        secret: String,
    },
    /// Ask what the current user may do in a namespace (a SelfSubjectRulesReview).
    ReviewAccess(ClusterId, String),
    /// List the RBAC objects and answer `:who-can`.
    WhoCan(ClusterId, crate::kube::access::WhoCanQuery),
    SetTheme(String),
    /// Start the stream `key` (its pane already waits for it).
    OpenLogs {
        key: StreamKey,
        request: crate::kube::log_request::LogRequest,
    },
    /// Stop a log stream (its pane closed, or it is replaced).
    StopLogs(StreamKey),
    /// Put text on the clipboard with OSC 52.
    Clipboard(String),
    /// Read the list of captured Tekton runs (from disk, off the UI task).
    LoadCaptured,
    /// Connect a session the app has just created (its pane is open), recording it from the
    /// start to `record` when every session is recorded.
    OpenSession {
        id: SessionId,
        spec: SessionSpec,
        record: Option<std::path::PathBuf>,
    },
    /// Keys, a resize or a recording switch for a session.
    SessionInput(SessionId, Input),
    /// End a session's task (the app has already forgotten it).
    EndSession(SessionId),
    /// Write text to a file (off the UI task).
    SaveFile {
        path: String,
        text: String,
    },
}

impl Effect {
    /// The object a change to one object is about.
    pub fn target(&self) -> Option<&ObjectRef> {
        match self {
            Effect::Delete(o)
            | Effect::Scale(o, _)
            | Effect::RolloutRestart(o)
            | Effect::SetImage { obj: o, .. }
            | Effect::Rollback(o, _)
            | Effect::TriggerCronJob(o)
            | Effect::SuspendCronJob(o, _)
            | Effect::CancelRun(o)
            | Effect::Rerun(o)
            | Effect::Cordon(o, _) => Some(o),
            _ => None,
        }
    }

    /// Whether this effect changes the cluster (refused in read-only mode).
    pub fn mutates(&self) -> bool {
        match self {
            Effect::Many(effects) => effects.iter().any(Effect::mutates),
            Effect::Delete(_)
            | Effect::CancelRun(_)
            | Effect::Rerun(_)
            | Effect::Cordon(..)
            | Effect::Drain(..)
            | Effect::Scale(..)
            | Effect::RolloutRestart(_)
            | Effect::SetImage { .. }
            | Effect::Rollback(..)
            | Effect::TriggerCronJob(_)
            | Effect::SuspendCronJob(..)
            | Effect::ApplyEdit(_)
            | Effect::SweepNodeShells(..)
            | Effect::StartForward(_)
            // `tar` run in the container, as `kubectl cp` does.
            | Effect::CopyOut(..) => true,
            // Exec and debug run commands in the cluster; a local shell does not.
            Effect::OpenSession { spec, .. } => spec.mutates(),
            _ => false,
        }
    }
}

/// What a confirmation does when the user says yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnConfirm {
    Run(Box<Effect>),
    /// Quit, ending the sessions that still run.
    Quit,
    /// End a session that still runs.
    EndSession(SessionId),
    /// Run a plugin (in a pane, or in the background): a run per cluster of the rows.
    Plugin {
        runs: Vec<super::extensions::job::PluginRun>,
        background: bool,
    },
}
