//! The runtime's side of terminal sessions: each session's screen (fed by its task, drawn by
//! the views), the channel its task reads input from, and the task itself. The app never
//! holds these; it asks for input, resizes and endings through effects.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use tokio::sync::{Notify, mpsc};

use crate::pty::screen::Screen;
use crate::pty::session::{self, Input, SessionEvent, SessionId};
use crate::pty::{Backend, Size};
use crate::views::Screens;

/// A session's plumbing.
struct Handle {
    input: mpsc::Sender<Input>,
    task: tokio::task::JoinHandle<()>,
}

pub struct Terminals {
    pub screens: Screens,
    handles: HashMap<SessionId, Handle>,
    events: mpsc::UnboundedSender<SessionEvent>,
    /// Notified when a session's screen changed (one permit: a flood wakes the UI once).
    pub wake: Arc<Notify>,
    scrollback: usize,
}

/// Sending input failed: the session's queue is full (it is not reading fast enough).
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

impl Terminals {
    pub fn new(events: mpsc::UnboundedSender<SessionEvent>, scrollback: usize) -> Self {
        Self {
            screens: BTreeMap::new(),
            handles: HashMap::new(),
            events,
            wake: Arc::new(Notify::new()),
            scrollback,
        }
    }

    /// Start session `id` on `backend`, recording to `record` from the start when given.
    pub fn start(
        &mut self,
        id: SessionId,
        backend: Box<dyn Backend>,
        record: Option<std::path::PathBuf>,
    ) {
        // The real size comes with the first frame; 24x80 until then.
        let screen = Screen::new(24, 80, self.scrollback);
        let started = session::start(
            id,
            backend,
            session::Wiring {
                screen: screen.clone(),
                events: self.events.clone(),
                wake: self.wake.clone(),
                record,
            },
        );
        self.screens.insert(id, screen);
        self.handles.insert(
            id,
            Handle {
                input: started.input,
                task: started.task,
            },
        );
    }

    /// Hand `input` to the session without waiting.
    pub fn send(&self, id: SessionId, input: Input) -> Result<(), Full> {
        match self.handles.get(&id) {
            Some(h) => h.input.try_send(input).map_err(|_| Full),
            None => Ok(()),
        }
    }

    /// End a session: its task stops (closing its connection) and its screen goes.
    pub fn end(&mut self, id: SessionId) {
        if let Some(h) = self.handles.remove(&id) {
            let _ = h.input.try_send(Input::Close);
            h.task.abort();
        }
        self.screens.remove(&id);
    }

    /// Keep a session's screen (and so its remote TTY) the size of the pane showing it.
    pub fn fit(&self, id: SessionId, rows: u16, cols: u16) {
        let Some(screen) = self.screens.get(&id) else {
            return;
        };
        if screen.resize(rows, cols) {
            let (rows, cols) = screen.size();
            let _ = self.send(id, Input::Resize(Size { rows, cols }));
        }
    }
}
