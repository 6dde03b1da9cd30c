//! What a key can ask for, and what `update` asks the runtime to do.

use crate::kube::cluster::Scope;
use crate::kube::object_ref::ObjectRef;

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
    /// Back out: close help, leave input, clear the filter, then go back in the history.
    Back,
    /// Drill into the selection.
    Open,
    Describe,
    Yaml,
    Events,
    Delete,
    CancelRun,
    Rerun,
    /// Events: only warnings. Other tables: only rows needing attention.
    ToggleFlagged,
    NextMatch,
    PrevMatch,
    ToggleManagedFields,
    /// Text typed into the filter, command line or search.
    Input(char),
    Backspace,
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

/// Work only the runtime can do (it touches the cluster); results come back as events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SwitchScope(Scope),
    SwitchContext(String),
    /// Watch the TaskRuns of this PipelineRun (None: stop).
    WatchTaskRuns(Option<ObjectRef>),
    FetchYaml(ObjectRef),
    Delete(ObjectRef),
    CancelRun(ObjectRef),
    Rerun(ObjectRef),
    /// Cordon (true) or uncordon a node.
    Cordon(String, bool),
    /// Cordon a node and evict its pods (confirmed with the plan shown).
    Drain(crate::kube::drain::DrainPlan),
    SetTheme(String),
    /// Start (or restart) the stream of a log pane.
    OpenLogs {
        key: crate::kube::logs::StreamKey,
        request: crate::kube::log_request::LogRequest,
    },
    /// Stop a log stream (its pane closed, or it is replaced).
    StopLogs(crate::kube::logs::StreamKey),
    /// Put text on the clipboard with OSC 52.
    Clipboard(String),
    /// Read the list of captured Tekton runs (from disk, off the UI task).
    LoadCaptured,
    /// Connect a session the app has just created (its pane is open).
    OpenSession {
        id: crate::pty::session::SessionId,
        spec: crate::app::sessions::SessionSpec,
    },
    /// Quit (confirmed while sessions run).
    Quit,
    /// End a session (after confirmation when it still runs).
    CloseSession(crate::pty::session::SessionId),
    /// Write text to a file (off the UI task).
    SaveFile {
        path: String,
        text: String,
    },
}

impl Effect {
    /// Whether this effect changes the cluster (refused in read-only mode).
    pub fn mutates(&self) -> bool {
        match self {
            Effect::Delete(_)
            | Effect::CancelRun(_)
            | Effect::Rerun(_)
            | Effect::Cordon(..)
            | Effect::Drain(_) => true,
            // Exec and debug run commands in the cluster; a local shell does not.
            Effect::OpenSession { spec, .. } => spec.mutates(),
            _ => false,
        }
    }
}
