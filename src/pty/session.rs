//! The task behind every session: connects the backend, feeds output into the session's screen
//! (and the recording, when on), forwards keys and resizes, and reports state changes. The UI only
//! ever `try_send`s to it and reads the screen, so a slow or flooding session never holds the UI.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{Notify, mpsc};

use super::record::Recorder;
use super::screen::Screen;
use super::{Backend, Connection, Ended, Size};

pub type SessionId = u32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Connecting; the last progress line.
    Connecting(String),
    Running,
    Exited(i32),
    /// Could not start (refused, image pull failed, no shell…).
    Failed(String),
    /// The connection broke while running.
    Disconnected(String),
}

impl SessionState {
    pub fn is_live(&self) -> bool {
        matches!(self, SessionState::Connecting(_) | SessionState::Running)
    }

    pub fn label(&self) -> String {
        match self {
            SessionState::Connecting(p) if p.is_empty() => "connecting".into(),
            SessionState::Connecting(p) => format!("connecting: {p}"),
            SessionState::Running => "running".into(),
            SessionState::Exited(code) => format!("exited ({code})"),
            SessionState::Failed(e) => format!("failed: {e}"),
            SessionState::Disconnected(e) => format!("disconnected: {e}"),
        }
    }
}

/// What the UI sends a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Bytes(Vec<u8>),
    Resize(Size),
    /// Start recording to this file, or stop (None).
    Record(Option<PathBuf>),
    Close,
}

/// What a session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    State(SessionId, SessionState),
    /// The program changed the terminal modes keys are encoded for.
    Modes(SessionId, super::keys::Modes),
    /// Recording started (the path), stopped (None) or failed.
    Recording(SessionId, Result<Option<PathBuf>, RecordError>),
    /// The way the backend carried it (see `Connection::via`).
    Via(SessionId, String),
}

pub struct Started {
    pub input: mpsc::Sender<Input>,
    pub task: tokio::task::JoinHandle<()>,
}

/// Feeds `screen`; `wake` is notified after each change to it (one stored permit: a flood of
/// output costs the UI at most one wake-up per frame).
pub struct Wiring {
    pub screen: Screen,
    pub events: mpsc::UnboundedSender<SessionEvent>,
    pub wake: Arc<Notify>,
    pub record: Option<PathBuf>,
}

type FileRecorder = Recorder<BufWriter<File>>;

/// A recording that could not be written: the file (or its directory), and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {error}", path.display())]
pub struct RecordError {
    pub path: PathBuf,
    pub error: crate::os_error::OsError,
}

fn record_error(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> RecordError + '_ {
    move |e| RecordError {
        path: path.to_path_buf(),
        error: e.into(),
    }
}

fn open_recording(path: &PathBuf, size: Size, title: &str) -> Result<FileRecorder, RecordError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(record_error(dir))?;
    }
    // Only the owner may read a recording: terminal output can hold secrets.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path).map_err(record_error(path))?;
    Recorder::new(BufWriter::new(file), size.cols, size.rows, title).map_err(record_error(path))
}

struct Driver {
    id: SessionId,
    title: String,
    /// The modes last reported.
    modes: super::keys::Modes,
    w: Wiring,
    recorder: Option<(PathBuf, FileRecorder)>,
}

impl Driver {
    fn state(&self, s: SessionState) {
        let _ = self.w.events.send(SessionEvent::State(self.id, s));
        self.w.wake.notify_one();
    }

    /// Show program output; the answers to its queries, to send back to it.
    fn show(&mut self, bytes: &[u8]) -> Vec<u8> {
        let replies = self.w.screen.feed(bytes);
        let modes = self.w.screen.modes();
        if modes != self.modes {
            self.modes = modes;
            let _ = self.w.events.send(SessionEvent::Modes(self.id, modes));
        }
        if let Some((path, r)) = self.recorder.as_mut()
            && let Err(e) = r.output(bytes)
        {
            let failed = record_error(path)(e);
            self.recorder = None;
            let _ = self
                .w
                .events
                .send(SessionEvent::Recording(self.id, Err(failed)));
        }
        self.w.wake.notify_one();
        replies
    }

    /// A line of our own in the pane (dim, so it does not pass for the program's output).
    fn note(&mut self, text: &str) {
        let clean: String = text.chars().filter(|c| !c.is_control()).collect();
        self.w
            .screen
            .feed(format!("\x1b[2m{clean}\x1b[0m\r\n").as_bytes());
        self.w.wake.notify_one();
    }

    fn record(&mut self, path: Option<PathBuf>) {
        if let Some((_, r)) = self.recorder.take() {
            let _ = r.finish();
        }
        let Some(path) = path else {
            let _ = self
                .w
                .events
                .send(SessionEvent::Recording(self.id, Ok(None)));
            return;
        };
        let (rows, cols) = self.w.screen.size();
        let result = open_recording(&path, Size { rows, cols }, &self.title);
        let report = match result {
            Ok(r) => {
                self.recorder = Some((path.clone(), r));
                Ok(Some(path))
            }
            Err(e) => Err(e),
        };
        let _ = self.w.events.send(SessionEvent::Recording(self.id, report));
        self.w.wake.notify_one();
    }

    /// The UI has resized the screen already (it draws it); pass the size on.
    fn resize(&mut self, size: Size, conn: Option<&Connection>) {
        self.w.screen.resize(size.rows, size.cols);
        if let Some(c) = conn {
            let _ = c.resize.try_send(size);
        }
        if let Some((_, r)) = self.recorder.as_mut() {
            let _ = r.resize(size.cols, size.rows);
        }
    }

    async fn run(mut self, backend: Box<dyn Backend>, mut input: mpsc::Receiver<Input>) {
        let (rows, cols) = self.w.screen.size();
        let (progress_tx, mut progress) = mpsc::unbounded_channel();
        self.state(SessionState::Connecting(String::new()));
        let connect = backend.connect(Size { rows, cols }, progress_tx);
        tokio::pin!(connect);
        let conn = loop {
            tokio::select! {
                result = &mut connect => break result,
                Some(line) = progress.recv() => {
                    self.note(&line);
                    self.state(SessionState::Connecting(line));
                }
                msg = input.recv() => match msg {
                    Some(Input::Resize(size)) => self.resize(size, None),
                    Some(Input::Record(path)) => self.record(path),
                    // Typing before the session is up goes nowhere, as in a terminal still dialing.
                    Some(Input::Bytes(_)) => {}
                    Some(Input::Close) | None => return,
                },
            }
        };
        while let Ok(line) = progress.try_recv() {
            self.note(&line);
        }
        let mut conn = match conn {
            Ok(c) => c,
            Err(e) => {
                self.note(&e.to_string());
                self.state(SessionState::Failed(e.to_string()));
                return;
            }
        };
        if let Some(via) = conn.via.take() {
            let _ = self.w.events.send(SessionEvent::Via(self.id, via));
        }
        // The size may have changed while connecting.
        let (rows, cols) = self.w.screen.size();
        let _ = conn.resize.try_send(Size { rows, cols });
        self.state(SessionState::Running);
        let ended = loop {
            tokio::select! {
                out = conn.output.recv() => match out {
                    Some(bytes) => {
                        // A program that asked its terminal something (the cursor position,
                        // what it is) waits for the answer: it goes in as if typed.
                        let answer = self.show(&bytes);
                        if !answer.is_empty() {
                            let _ = conn.input.send(answer).await;
                        }
                    }
                    None => break (&mut conn.exit).await.unwrap_or(Ended::Lost("connection closed".into())),
                },
                ended = &mut conn.exit => {
                    // The program has ended, but what it wrote last may still be on its way
                    // (a PTY's reader is a thread of its own): take it until the output
                    // closes, or a moment passes (a child it left may hold the terminal).
                    // Nobody waits for answers now.
                    while let Ok(Some(bytes)) =
                        tokio::time::timeout(LAST_OUTPUT, conn.output.recv()).await
                    {
                        let _ = self.show(&bytes);
                    }
                    break ended.unwrap_or(Ended::Lost("connection closed".into()));
                }
                msg = input.recv() => match msg {
                    Some(Input::Bytes(b)) => {
                        // Waits when the remote is slow to take input; the UI's queue fills and
                        // it drops keys rather than waiting itself.
                        if conn.input.send(b).await.is_err() {
                            continue;
                        }
                    }
                    Some(Input::Resize(size)) => self.resize(size, Some(&conn)),
                    Some(Input::Record(path)) => self.record(path),
                    Some(Input::Close) | None => {
                        self.record(None);
                        return;
                    }
                },
            }
        };
        if let Some((_, r)) = self.recorder.take() {
            let _ = r.finish();
        }
        let state = match ended {
            Ended::Exited(code) => {
                self.note(&format!("[exited with code {code}]"));
                SessionState::Exited(code)
            }
            Ended::Lost(why) => {
                self.note(&format!("[disconnected: {why}]"));
                SessionState::Disconnected(why)
            }
        };
        self.state(state);
    }
}

/// How long an ended program's last output may take to arrive.
const LAST_OUTPUT: std::time::Duration = std::time::Duration::from_millis(500);

/// Start a session's task.
pub fn start(id: SessionId, backend: Box<dyn Backend>, wiring: Wiring) -> Started {
    let (tx, rx) = mpsc::channel(super::INPUT_QUEUE);
    let record = wiring.record.clone();
    let mut driver = Driver {
        id,
        modes: super::keys::Modes::default(),
        title: backend.label(),
        w: wiring,
        recorder: None,
    };
    if record.is_some() {
        driver.record(record);
    }
    let task = tokio::spawn(driver.run(backend, rx));
    Started { input: tx, task }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use futures::FutureExt;
    use tokio::sync::oneshot;

    /// A backend whose program echoes input back upper-cased and exits on "q".
    struct Echo;

    impl Backend for Echo {
        fn label(&self) -> String {
            "echo".into()
        }

        fn connect(
            self: Box<Self>,
            _size: Size,
            progress: super::super::Progress,
        ) -> futures::future::BoxFuture<'static, Result<Connection, super::super::SessionError>>
        {
            async move {
                let _ = progress.send("warming up".into());
                let (out_tx, output) = mpsc::channel(8);
                let (input, mut in_rx) = mpsc::channel::<Vec<u8>>(8);
                let (resize, _resize_rx) = mpsc::channel(8);
                let (exit_tx, exit) = oneshot::channel();
                tokio::spawn(async move {
                    let _keep = _resize_rx;
                    while let Some(b) = in_rx.recv().await {
                        if b == b"q" {
                            let _ = exit_tx.send(Ended::Exited(7));
                            return;
                        }
                        let _ = out_tx.send(b.to_ascii_uppercase()).await;
                    }
                });
                Ok(Connection {
                    output,
                    input,
                    resize,
                    exit,
                    via: None,
                })
            }
            .boxed()
        }
    }

    /// A program whose exit is known before its last words arrive (a PTY's reader thread is
    /// still reading them when the waiter sees the exit).
    struct LateWords;

    impl Backend for LateWords {
        fn label(&self) -> String {
            "late".into()
        }

        fn connect(
            self: Box<Self>,
            _size: Size,
            _progress: super::super::Progress,
        ) -> futures::future::BoxFuture<'static, Result<Connection, super::super::SessionError>>
        {
            async move {
                let (out_tx, output) = mpsc::channel(8);
                let (input, _in_rx) = mpsc::channel::<Vec<u8>>(8);
                let (resize, _resize_rx) = mpsc::channel(8);
                let (exit_tx, exit) = oneshot::channel();
                tokio::spawn(async move {
                    let _keep = (_in_rx, _resize_rx);
                    let _ = exit_tx.send(Ended::Exited(0));
                    // As a PTY's reader thread, a little behind the exit.
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    let _ = out_tx.send(b"last words".to_vec()).await;
                });
                Ok(Connection {
                    output,
                    input,
                    resize,
                    exit,
                    via: None,
                })
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn what_a_program_wrote_last_is_shown_though_its_exit_came_first() {
        let screen = Screen::new(5, 30, 10);
        let (events, mut rx) = mpsc::unbounded_channel();
        let started = start(
            1,
            Box::new(LateWords),
            Wiring {
                screen: screen.clone(),
                events,
                wake: Arc::new(Notify::new()),
                record: None,
            },
        );
        while next_state(&mut rx).await != SessionState::Exited(0) {}
        started.task.await.unwrap();
        let text = screen.contents();
        assert!(text.contains("last words"), "{text}");
        assert!(text.contains("exited with code 0"), "{text}");
    }

    async fn next_state(rx: &mut mpsc::UnboundedReceiver<SessionEvent>) -> SessionState {
        loop {
            match rx.recv().await {
                Some(SessionEvent::State(_, s)) => return s,
                Some(_) => {}
                None => panic!("session ended without a state"),
            }
        }
    }

    #[tokio::test]
    async fn a_session_runs_shows_output_records_and_reports_its_exit() {
        let dir = tempfile::tempdir().unwrap();
        let cast = dir.path().join("s.cast");
        let screen = Screen::new(5, 20, 10);
        let (events, mut rx) = mpsc::unbounded_channel();
        let started = start(
            1,
            Box::new(Echo),
            Wiring {
                screen: screen.clone(),
                events,
                wake: Arc::new(Notify::new()),
                record: Some(cast.clone()),
            },
        );
        assert_eq!(
            next_state(&mut rx).await,
            SessionState::Connecting(String::new())
        );
        let mut state = next_state(&mut rx).await;
        // The progress line may or may not be reported as a state before the connection is up.
        if state == SessionState::Connecting("warming up".into()) {
            state = next_state(&mut rx).await;
        }
        assert_eq!(state, SessionState::Running);
        started
            .input
            .send(Input::Bytes(b"hi".to_vec()))
            .await
            .unwrap();
        started
            .input
            .send(Input::Bytes(b"q".to_vec()))
            .await
            .unwrap();
        assert_eq!(next_state(&mut rx).await, SessionState::Exited(7));
        let text = screen.contents();
        assert!(text.contains("warming up"), "{text}");
        assert!(text.contains("HI"), "{text}");
        assert!(text.contains("exited with code 7"), "{text}");
        started.task.await.unwrap();
        let cast_text = std::fs::read_to_string(&cast).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&cast).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "recordings are private");
        }
        let lines: Vec<serde_json::Value> = cast_text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines[0]["version"], 2);
        assert!(lines[1..].iter().any(|l| l[2] == "HI"), "{cast_text}");
    }
}
