//! Terminal sessions rendered in panes: one `Backend` trait, several backends (a local shell under
//! a PTY, `pods/exec` and `pods/attach` over WebSocket, ephemeral debug containers in
//! `kube::debug`, the node agent later), a driver task per session that feeds the session's
//! `vt100` screen off the UI path, key encoding and asciicast recording.

pub mod emulator;
pub mod keys;
pub mod local;
pub mod record;
pub mod screen;
pub mod session;

use futures::future::BoxFuture;
use tokio::sync::{mpsc, oneshot};

/// A terminal size in cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub rows: u16,
    pub cols: u16,
}

/// How a session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The program exited with this code.
    Exited(i32),
    /// The connection broke or the server reported an error.
    Lost(String),
}

/// A connected session's plumbing, the same for every backend. Dropping it ends the session
/// (an exec'd shell dies with its connection; an attached container keeps running).
pub struct Connection {
    /// What the program prints; closes when it has nothing more to say.
    pub output: mpsc::Receiver<Vec<u8>>,
    /// What the user types.
    pub input: mpsc::Sender<Vec<u8>>,
    pub resize: mpsc::Sender<Size>,
    pub exit: oneshot::Receiver<Ended>,
    /// Which way the session was carried when the backend chose among several (a node shell
    /// through the agent or a debug pod): shown in the pane's title.
    pub via: Option<String>,
}

/// Progress lines shown in the pane while a backend connects ("pulling image …").
pub type Progress = mpsc::UnboundedSender<String>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Something the user can act on, already worded for them.
    #[error("{0}")]
    Refused(String),
    #[error("cannot start {what}: {why}")]
    Start { what: String, why: String },
}

/// A way to open a terminal session. The driver (`session::start`) does the rest.
pub trait Backend: Send + 'static {
    /// What the session is attached to, for titles and the sessions list.
    fn label(&self) -> String;
    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>>;
}

/// Channel sizes shared by the backends: output chunks in flight (back-pressure on a flood) and
/// typed input waiting to be sent.
pub const OUTPUT_QUEUE: usize = 64;
pub const INPUT_QUEUE: usize = 256;
