//! What a log stream reports about its sources: which container a line came from, how that
//! stream stands, and kubedeck's own notes among the lines. Shared by the stream tasks
//! (`kube::logs`) that produce them and the panes (`app::logs`) that show them.

/// Which stream a line came from (index into the pane's sources).
pub type SourceId = u16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// Said for information: a stream resumed without loss, a pod joined.
    Info,
    /// Lines may be missing or a source went away.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceState {
    Streaming,
    /// The connection broke; retrying.
    Reconnecting(String),
    /// The container instance ended (exit code when known).
    Ended(Option<i32>),
    /// A captured step that still ran when its pod was deleted (a cancel or a timeout).
    Interrupted,
    /// The pod went away.
    Gone,
    Failed(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub pod: String,
    pub container: String,
    /// Short prefix shown before each line when the pane has several sources.
    pub label: String,
    pub state: SourceState,
}

impl Source {
    /// A step or container that ended with a non-zero code.
    pub fn failed(&self) -> bool {
        matches!(self.state, SourceState::Ended(Some(c)) if c != 0)
            || matches!(
                self.state,
                SourceState::Failed(_) | SourceState::Interrupted
            )
    }
}
