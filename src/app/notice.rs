//! What the status line says, as data: what happened (an action's outcome, a file saved, a
//! context switched), or what the user should know now (nothing selected, read-only, a usage).
//! Only the status bar turns it into words (`views::notice`); nothing branches on its text.
//! Fixed sentences are `Tip` and `Refused` constants; everything that carries data is a variant
//! of its own.

use std::path::PathBuf;

use super::errors::{SessionStartError, ThemeError};
use super::filter::FilterError;
use crate::kube::actions::{Acted, ActionError};
use crate::kube::client::ConnectError;
use crate::kube::error::ApiError;
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;

/// Information expires from the status line; an error stays until something replaces it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// A fixed piece of information (a hint, a mode just entered).
    Tip(&'static str),
    /// A fixed refusal: what was asked cannot be done here, or not like that.
    Refused(&'static str),
    /// A user's input that does not parse, in its parser's words.
    Invalid(String),
    /// What in the config file (or a theme it names) could not be used; defaults were kept.
    ConfigProblems {
        file: String,
        problems: Vec<String>,
    },

    // What the cluster, the disk or the terminal answered.
    Acted(Acted),
    ActionFailed(ActionError),
    /// A change to many objects: those it was done to, and those it failed for (and why).
    ManyActed {
        done: Vec<Acted>,
        failed: Vec<(crate::kube::object_ref::ObjectRef, ActionError)>,
    },
    Saved {
        path: String,
        lines: usize,
    },
    SaveFailed {
        path: String,
        reason: crate::os_error::OsError,
    },
    ClipboardFailed(crate::os_error::OsError),
    Copied(usize),
    ThemeSet(String),
    ThemeFailed(ThemeError),
    ThemeIs(String),
    /// A session's input queue was full: a key was dropped.
    InputDropped,
    SessionFailed(SessionStartError),
    /// The API server's warnings about the change just made, after what was said of it.
    ServerWarned {
        warnings: Vec<String>,
        after: Option<Box<Notice>>,
    },

    // Clusters and contexts.
    Connecting(Vec<ClusterId>),
    /// The clusters now shown, and those that could not be switched to.
    Switched {
        to: Vec<ClusterId>,
        failed: Vec<(ClusterId, ConnectError)>,
    },
    RetryingNow(Vec<ClusterId>),
    /// `:ns NAME` for a namespace the namespaces list does not have: switched anyway.
    UnknownNamespace(String),
    ContextsMarked(usize),
    Discovering,
    DiscoveryFailed(ApiError),
    /// `:KIND` the server does not serve (discovery's words).
    NoSuchKind(String),

    // The `:` line.
    NothingStartsWith(String),
    Completions {
        shown: Vec<String>,
        more: bool,
    },
    BadFilter(FilterError),

    // The dashboard.
    Cancelled,
    /// A number key in the namespaces view with no favourite of that rank.
    NoFavourite(usize),
    /// `n` on an object that lives in no namespace.
    NotNamespaced(String),
    /// `c`/`n`: what went to the clipboard.
    CopiedText(String),
    /// Ctrl-w: every column, or those that fit.
    Wide(bool),
    /// A typed confirmation (production-like cluster) that does not match the name.
    TypeToConfirm(String),
    NoMatch(String),
    SecretValues {
        shown: bool,
    },
    /// Only rows needing attention (`w`), or every row again.
    OnlyFlagged {
        events: bool,
        on: bool,
    },
    /// A workload action on something that is not one of `kinds`.
    WorkloadsOnly {
        what: &'static str,
        kinds: &'static [&'static str],
    },
    CannotDelete(ResourceKind),
    /// A plugin not run, and why.
    PluginRefused {
        name: String,
        why: String,
    },
    /// A background plugin started.
    PluginStarted {
        name: String,
        target: String,
    },
    /// A background plugin ended: its exit code (`None`: killed by a signal) and what it said
    /// (its last line, or all of it with `overwriteOutput`); or why it could not run.
    PluginFinished {
        name: String,
        outcome: Result<(Option<i32>, String), crate::os_error::OsError>,
    },
    /// k9s's files read again after a change: what they hold now.
    ExtensionsRead {
        plugins: usize,
        hotkeys: usize,
        aliases: usize,
        views: usize,
    },
    /// What in k9s's files (or the config's `[plugins]`) could not be used.
    ExtensionProblems(Vec<String>),
    /// An action on the marked rows that applies to none of them.
    NoneApplies {
        marked: usize,
    },
    AlreadyFinished(String),
    /// A rollout followed after a restart or a scale.
    RollingOut {
        label: String,
        updated: i64,
        want: i64,
        available: i64,
        ready: i64,
    },
    RolledOut {
        label: String,
        want: i64,
    },
    // Relations followed from a row.
    SelectsNoPods(String),
    Reading(String),
    CannotRead {
        label: String,
        error: ActionError,
    },
    NoServiceBackends(String),
    /// The owner's kind is not one discovery found.
    OwnerUnknown {
        kind: String,
        name: String,
        why: String,
    },

    // Port-forwards.
    Forwarding {
        local: u16,
        target: String,
        remote: u16,
    },
    ForwardListening {
        addr: std::net::SocketAddr,
        target: String,
        remote: u16,
    },
    ForwardStopped(Option<String>),
    /// A connection through a forward failed (the forward goes on listening).
    ForwardFailed {
        target: String,
        why: crate::kube::portforward::ForwardError,
    },

    // Log panes.
    NoLogs(ResourceKind),
    NoOwner(String),
    NoLabels {
        kind: String,
        owner: String,
    },
    OwnerLogs {
        kind: String,
        owner: String,
    },
    NotAWorkload(String),
    LogsUsage(String),
    WhichNamespace {
        kind: String,
        name: String,
    },
    NoMoreMatches(String),
    /// The lowest level a log pane shows (`None`: every level).
    MinLevel(Option<crate::logline::record::Level>),
    /// The previous container instance's log (`true`), or the current one again.
    PreviousLog(bool),
    FilterKeeps {
        kept: usize,
        held: usize,
    },
    NeedsLogPane(&'static str),
    LogsSince(String),
    BadLineCount(String),

    // Sessions.
    SessionsRefused(&'static str),
    /// Node-shell pods an earlier kubedeck left, deleted at start.
    NodeShellsSwept {
        cluster: ClusterId,
        names: Vec<String>,
    },
    BackToDebug {
        pod: String,
        prefix: String,
        end_key: String,
    },
    PodGone(String),
    ApplyingEdit(String),
    Recording {
        label: String,
        path: PathBuf,
    },
    RecordingSaved(PathBuf),
    NotRecording,
    CannotRecord(crate::pty::session::RecordError),
    CannotEditYet(String),
    FetchingToEdit(String),
    Editing(String),
    CannotEdit(ActionError),
    EditApplied(String),
    EditNotApplied {
        label: String,
        why: String,
    },

    // RBAC.
    /// The current user's rules say no: refused before asking the server.
    NotAllowed {
        what: &'static str,
        resource: String,
        namespace: String,
    },
    AccessReviewFailed(ApiError),
    WhoCanFailed(ApiError),

    // Copies out of containers.
    Copying {
        from: String,
        bytes: u64,
    },
    CopiedOut(crate::kube::copy::CopyReport),
    CopyFailed(crate::kube::copy::CopyError),

    // Helm.
    HelmFailed(ApiError),
    /// `:xray` could not read a cluster's objects.
    XrayFailed(ApiError),
    /// The journal could not be read back at start.
    JournalUnreadable(crate::journal::JournalError),
    /// A journal write failed: the flight recorder is off.
    RecorderOff(crate::journal::JournalError),
    /// `:timeline` opened: from when it has data, and whether the recorder writes.
    TimelineSince {
        since: jiff::Timestamp,
        recorder: super::timeline_state::Recorder,
    },
    /// `Enter` on a change of an object that is gone.
    TimelineGone(String),
    /// `:at` or `:diff` could not read the journal (why).
    TravelFailed(String),
    /// `:at` read every cluster's journal; those not watched at the moment are named.
    Travelled {
        at: jiff::Timestamp,
        not_watching: Vec<String>,
    },
    /// `:at now`: live again.
    TravelEnded,
    /// An action while travelling: read-only.
    AsOfReadOnly(jiff::Timestamp),
    /// `Enter` on a change of a kind the timeline cannot open.
    TimelineCannotOpen(String),
    HelmUnreadable {
        count: usize,
        first: String,
    },
}

impl Notice {
    /// Errors stay until something replaces them; information expires.
    pub fn severity(&self) -> Severity {
        use Notice::*;
        match self {
            Refused(_)
            | Invalid(_)
            | ConfigProblems { .. }
            | ActionFailed(_)
            | SaveFailed { .. }
            | ClipboardFailed(_)
            | ThemeFailed(_)
            | InputDropped
            | SessionFailed(_)
            | UnknownNamespace(_)
            | DiscoveryFailed(_)
            | NoSuchKind(_)
            | BadFilter(_)
            | TypeToConfirm(_)
            | NotNamespaced(_)
            | NoMatch(_)
            | WorkloadsOnly { .. }
            | CannotDelete(_)
            | NoneApplies { .. }
            | PluginRefused { .. }
            | ExtensionProblems(_)
            | PluginFinished {
                outcome: Err(_), ..
            }
            | AlreadyFinished(_)
            | CannotRead { .. }
            | OwnerUnknown { .. }
            | ForwardStopped(Some(_))
            | ForwardFailed { .. }
            | NoLogs(_)
            | NoOwner(_)
            | NoLabels { .. }
            | NotAWorkload(_)
            | LogsUsage(_)
            | WhichNamespace { .. }
            | NoMoreMatches(_)
            | NeedsLogPane(_)
            | BadLineCount(_)
            | SessionsRefused(_)
            | PodGone(_)
            | CannotRecord(_)
            | CannotEditYet(_)
            | CannotEdit(_)
            | EditNotApplied { .. }
            | NotAllowed { .. }
            | AccessReviewFailed(_)
            | WhoCanFailed(_)
            | HelmFailed(_)
            | XrayFailed(_)
            | JournalUnreadable(_)
            | RecorderOff(_)
            | TimelineGone(_)
            | TimelineCannotOpen(_)
            | TravelFailed(_)
            | AsOfReadOnly(_)
            | CopyFailed(_)
            | HelmUnreadable { .. }
            | ServerWarned { .. } => Severity::Error,
            Switched { failed, .. } if !failed.is_empty() => Severity::Error,
            ManyActed { failed, .. } if !failed.is_empty() => Severity::Error,
            PluginFinished {
                outcome: Ok((code, _)),
                ..
            } if *code != Some(0) => Severity::Error,
            _ => Severity::Info,
        }
    }
}
