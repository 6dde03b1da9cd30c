//! Local processes standing in for a container's processes: exec and attach in the simulator reach
//! a real PTY (or plain pipes without a TTY) running the requested command in a scratch directory.
//! Reader threads push output to everyone attached (as the kubelet does); with nobody attached a small backlog is kept
//! (like bytes waiting in a PTY) and older output is dropped.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use tokio::sync::{mpsc, watch};

/// Output kept for the next attacher while nobody is attached.
const BACKLOG_BYTES: usize = 64 * 1024;
/// Frames in flight to an attacher; a slow client slows the process, as a real PTY would.
const OUTPUT_QUEUE: usize = 64;
const READ_CHUNK: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

pub type Chunk = (Stream, Vec<u8>);

/// What to run.
#[derive(Debug, Clone)]
pub struct Spawn {
    pub command: Vec<String>,
    pub tty: bool,
    pub dir: PathBuf,
    /// The pod's name, for HOSTNAME and the prompt.
    pub hostname: String,
    pub rows: u16,
    pub cols: u16,
    /// More environment for the process.
    pub env: Vec<(String, String)>,
    /// Keep every byte of output until the first reader attaches: an exec's command, which a
    /// kubelet starts only once its stream is up, so none of it may be lost (a container's
    /// main process keeps only the last [`BACKLOG_BYTES`] while no one is attached).
    pub hold: bool,
    /// The user and group the container runs as (its `runAsUser`/`runAsGroup`). Honoured when
    /// the simulator runs as root (through `setpriv`, the scratch directory given to that
    /// user); otherwise the process runs as the simulator's own user.
    pub user: Option<(u32, u32)>,
}

/// The command line that runs `command` as `user`, when this process may switch to it.
fn as_user(command: &[String], user: Option<(u32, u32)>, dir: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    match user {
        Some((uid, gid)) if root && uid != 0 => {
            let _ = std::os::unix::fs::chown(dir, Some(uid), Some(gid));
            let mut line = vec![
                "setpriv".to_string(),
                format!("--reuid={uid}"),
                format!("--regid={gid}"),
                "--clear-groups".to_string(),
                "--".to_string(),
            ];
            line.extend(command.iter().cloned());
            line
        }
        _ => command.to_vec(),
    }
}

#[derive(Default)]
struct Outlet {
    /// Every connected reader: the kubelet hands a container's output to all its attachers.
    attached: Vec<mpsc::Sender<Chunk>>,
    backlog: Vec<Chunk>,
    backlog_bytes: usize,
    /// Nothing is dropped from the backlog until a reader attaches (`Spawn::hold`).
    hold: bool,
}

impl Outlet {
    fn keep(&mut self, chunk: Chunk) {
        self.backlog_bytes += chunk.1.len();
        self.backlog.push(chunk);
        while !self.hold && self.backlog_bytes > BACKLOG_BYTES && !self.backlog.is_empty() {
            let dropped = self.backlog.remove(0);
            self.backlog_bytes -= dropped.1.len();
        }
    }
}

/// A running (or finished) process.
pub struct Proc {
    stdin: Mutex<Option<Box<dyn Write + Send>>>,
    master: Mutex<Option<Box<dyn MasterPty + Send>>>,
    outlet: Mutex<Outlet>,
    /// Set once the process has exited and its output has been read: the exit code.
    exit: watch::Sender<Option<i32>>,
    kill: Mutex<Option<Box<dyn FnMut() + Send>>>,
    pub tty: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Proc {
    /// Start `spawn`; the error is what the container runtime would say.
    pub fn start(spawn: &Spawn) -> Result<Arc<Self>, String> {
        let Some(program) = spawn.command.first() else {
            return Err("no command given".into());
        };
        if !program.contains('/') && which(program).is_none() {
            return Err(not_found(program));
        }
        std::fs::create_dir_all(&spawn.dir).map_err(|e| e.to_string())?;
        if spawn.tty {
            start_tty(spawn)
        } else {
            start_pipes(spawn)
        }
    }

    /// Become one of the attached readers: the backlog (kept while no one was attached) first,
    /// then live output.
    pub fn attach(&self) -> mpsc::Receiver<Chunk> {
        let mut outlet = lock(&self.outlet);
        // Room for the whole backlog: a held one (an exec's output before its stream is up)
        // can be many small reads, and `try_send` into a fuller channel would drop its end.
        let (tx, rx) = mpsc::channel(OUTPUT_QUEUE.max(outlet.backlog.len()) + 8);
        for chunk in outlet.backlog.drain(..) {
            let _ = tx.try_send(chunk);
        }
        outlet.backlog_bytes = 0;
        outlet.hold = false;
        // A quick command can exit before its client is connected: then keep no sender, so
        // the channel ends after the backlog instead of waiting forever.
        if self.exit.borrow().is_none() {
            outlet.attached.push(tx);
        }
        rx
    }

    pub fn write(&self, bytes: &[u8]) {
        let bytes = if self.tty {
            without_cursor_reports(bytes)
        } else {
            bytes.to_vec()
        };
        if let Some(w) = lock(&self.stdin).as_mut() {
            let _ = w.write_all(&bytes).and_then(|()| w.flush());
        }
    }

    /// Close stdin (pipes: EOF for the process; a TTY keeps its line open).
    pub fn close_stdin(&self) {
        if !self.tty {
            lock(&self.stdin).take();
        }
    }

    pub fn resize(&self, rows: u16, cols: u16) {
        if let Some(m) = lock(&self.master).as_ref() {
            let _ = m.resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            });
        }
    }

    pub fn exited(&self) -> watch::Receiver<Option<i32>> {
        self.exit.subscribe()
    }

    pub fn exit_code(&self) -> Option<i32> {
        *self.exit.borrow()
    }

    pub fn kill(&self) {
        if let Some(k) = lock(&self.kill).as_mut() {
            k();
        }
    }

    fn new(
        stdin: Box<dyn Write + Send>,
        master: Option<Box<dyn MasterPty + Send>>,
        kill: Box<dyn FnMut() + Send>,
        tty: bool,
        hold: bool,
    ) -> Arc<Self> {
        Arc::new(Self {
            stdin: Mutex::new(Some(stdin)),
            master: Mutex::new(master),
            outlet: Mutex::new(Outlet {
                hold,
                ..Outlet::default()
            }),
            exit: watch::channel(None).0,
            kill: Mutex::new(Some(kill)),
            tty,
        })
    }

    /// Read `from` until EOF, handing chunks to the attached reader (waiting for it: back-pressure).
    fn pump(
        self: &Arc<Self>,
        mut from: Box<dyn Read + Send>,
        stream: Stream,
    ) -> mpsc::Receiver<()> {
        let (done_tx, done_rx) = mpsc::channel(1);
        let me = self.clone();
        std::thread::spawn(move || {
            let mut buf = vec![0u8; READ_CHUNK];
            loop {
                let n = match from.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let chunk = (stream, buf[..n].to_vec());
                let readers = lock(&me.outlet).attached.clone();
                let mut delivered = false;
                for tx in &readers {
                    // Waiting for each reader is the back-pressure; a gone one is dropped.
                    if tx.blocking_send(chunk.clone()).is_ok() {
                        delivered = true;
                    } else {
                        lock(&me.outlet).attached.retain(|a| !a.same_channel(tx));
                    }
                }
                if !delivered {
                    lock(&me.outlet).keep(chunk);
                }
            }
            drop(done_tx);
        });
        done_rx
    }

    /// Once the process has exited, wait (briefly) for its output to drain, then publish the code.
    fn finish_when(
        self: &Arc<Self>,
        wait: impl FnOnce() -> i32 + Send + 'static,
        mut readers: Vec<mpsc::Receiver<()>>,
    ) {
        let me = self.clone();
        std::thread::spawn(move || {
            let code = wait();
            // A background child may hold the PTY open: do not wait for it forever.
            let deadline = std::time::Instant::now() + Duration::from_secs(1);
            for r in &mut readers {
                while std::time::Instant::now() < deadline {
                    match r.try_recv() {
                        Err(mpsc::error::TryRecvError::Empty) => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        _ => break,
                    }
                }
            }
            lock(&me.stdin).take();
            lock(&me.master).take();
            // Publish the exit first, then drop the reader's channel: an `attach` racing with
            // this either sees the exit (and keeps no sender) or has its sender dropped here.
            // `send_replace`, not `send`: with no receiver yet (the client's upgrade still under
            // way when a quick command ends) `send` drops the value, and the connection that
            // subscribes next would wait for an exit that never comes.
            me.exit.send_replace(Some(code));
            lock(&me.outlet).attached.clear();
        });
    }
}

/// The terminal's answers to the prompt's cursor-position query (`ESC [ ROW ; COL R`) taken out
/// of what was typed, as busybox's line editor reads them (the local shell standing in for it
/// would take them as typed text). Only answers whole within one write: a lone Escape key is
/// never held back waiting for what follows it.
fn without_cursor_reports(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(len) = cursor_report_at(&bytes[i..]) {
            i += len;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// The length of a cursor-position report at the start of `b`, if one is there.
fn cursor_report_at(b: &[u8]) -> Option<usize> {
    let rest = b.strip_prefix(b"\x1b[")?;
    let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    let row = digits(rest);
    let rest = rest.get(row..)?.strip_prefix(b";")?;
    let col = digits(rest);
    (row > 0 && col > 0 && rest.get(col) == Some(&b'R')).then_some(2 + row + 1 + col + 1)
}

/// What the container runtime says when the program is missing.
pub fn not_found(program: &str) -> String {
    format!(
        "OCI runtime exec failed: exec failed: unable to start container process: exec: \"{program}\": executable file not found in $PATH: unknown"
    )
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

fn environment(spawn: &Spawn) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "PATH".to_string(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".into()),
        ),
        ("HOME".into(), spawn.dir.display().to_string()),
        ("HOSTNAME".into(), spawn.hostname.clone()),
        ("PS1".into(), format!("{}$ ", spawn.hostname)),
        ("LANG".into(), "C.UTF-8".into()),
    ];
    // The container runtime sets TERM for a TTY. There the prompt is followed by a
    // cursor-position query, as busybox's shell (busybox, alpine and many debug images) writes
    // it: a client must answer as a terminal, or read the screen, to see a prompt at the end.
    if spawn.tty {
        env.push(("TERM".into(), "xterm".into()));
        env[3].1.push_str("\x1b[6n");
    }
    env.extend(spawn.env.iter().cloned());
    env
}

fn start_tty(spawn: &Spawn) -> Result<Arc<Proc>, String> {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: spawn.rows.max(1),
            cols: spawn.cols.max(1),
            pixel_width: 0,
            pixel_height: 0,
        })
        .map_err(|e| e.to_string())?;
    let command = as_user(&spawn.command, spawn.user, &spawn.dir);
    let mut cmd = CommandBuilder::new(&command[0]);
    cmd.args(&command[1..]);
    cmd.cwd(&spawn.dir);
    cmd.env_clear();
    for (k, v) in environment(spawn) {
        cmd.env(k, v);
    }
    let mut child = pair
        .slave
        .spawn_command(cmd)
        .map_err(|e| format!("{}: {e}", not_found(&spawn.command[0])))?;
    // Our copy of the slave must go, or the reader never sees EOF.
    drop(pair.slave);
    let reader = pair.master.try_clone_reader().map_err(|e| e.to_string())?;
    let writer = pair.master.take_writer().map_err(|e| e.to_string())?;
    let mut killer = child.clone_killer();
    let proc = Proc::new(
        writer,
        Some(pair.master),
        Box::new(move || {
            let _ = killer.kill();
        }),
        true,
        spawn.hold,
    );
    let out = proc.pump(reader, Stream::Stdout);
    proc.finish_when(
        move || {
            child
                .wait()
                .map(|s| i32::try_from(s.exit_code()).unwrap_or(1))
                .unwrap_or(1)
        },
        vec![out],
    );
    Ok(proc)
}

fn start_pipes(spawn: &Spawn) -> Result<Arc<Proc>, String> {
    let command = as_user(&spawn.command, spawn.user, &spawn.dir);
    let mut child = Command::new(&command[0])
        .args(&command[1..])
        .current_dir(&spawn.dir)
        .env_clear()
        .envs(environment(spawn))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", not_found(&spawn.command[0])))?;
    let (Some(stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err("cannot open the process's pipes".into());
    };
    let pid = child.id();
    let proc = Proc::new(
        Box::new(stdin),
        None,
        Box::new(move || {
            // The child may be gone already; `kill` then fails harmlessly.
            let _ = Command::new("kill")
                .arg("-KILL")
                .arg(pid.to_string())
                .stderr(Stdio::null())
                .status();
        }),
        false,
        spawn.hold,
    );
    let a = proc.pump(Box::new(stdout), Stream::Stdout);
    let b = proc.pump(Box::new(stderr), Stream::Stderr);
    proc.finish_when(
        move || child.wait().ok().and_then(|s| s.code()).unwrap_or(137),
        vec![a, b],
    );
    Ok(proc)
}

/// Where a container's scratch directory lives under the simulator's root.
pub fn scratch(root: &Path, namespace: &str, pod: &str, container: &str) -> PathBuf {
    // Names come from clients: keep only safe characters so nothing escapes the root.
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
            .trim_start_matches('.')
            .to_string()
    };
    root.join(clean(namespace))
        .join(clean(pod))
        .join(clean(container))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn spawn(command: &[&str], tty: bool, dir: &Path) -> Spawn {
        Spawn {
            command: command.iter().map(ToString::to_string).collect(),
            tty,
            dir: dir.to_path_buf(),
            hostname: "web-1".into(),
            rows: 24,
            cols: 80,
            env: Vec::new(),
            hold: false,
            user: None,
        }
    }

    #[tokio::test]
    async fn an_exec_keeps_all_its_output_until_its_stream_attaches() {
        let dir = tempfile::tempdir().unwrap();
        // 300 KB, more than the backlog a container's main process keeps.
        let mut s = spawn(&["head", "-c", "300000", "/dev/zero"], false, dir.path());
        s.hold = true;
        let proc = Proc::start(&s).unwrap();
        let mut exited = proc.exited();
        let _ = exited.wait_for(Option::is_some).await;
        let (out, _, code) = collect(&proc, proc.attach()).await;
        assert_eq!(code, 0);
        assert_eq!(out.len(), 300_000);
    }

    #[tokio::test]
    async fn a_held_backlog_of_many_small_reads_reaches_the_first_attacher_whole() {
        // A pipe read returns what one write put there: a busy machine turns 300 KB into
        // hundreds of chunks, more than the live queue holds (a clean CI run lost the last).
        let proc = Proc::new(
            Box::new(std::io::sink()),
            None,
            Box::new(|| {}),
            false,
            true,
        );
        let chunks = OUTPUT_QUEUE * 4;
        for _ in 0..chunks {
            lock(&proc.outlet).keep((Stream::Stdout, vec![b'x'; 992]));
        }
        proc.exit.send_replace(Some(0));
        let (out, _, code) = collect(&proc, proc.attach()).await;
        assert_eq!(code, 0);
        assert_eq!(out.len(), chunks * 992);
    }

    async fn collect(proc: &Proc, mut rx: mpsc::Receiver<Chunk>) -> (Vec<u8>, Vec<u8>, i32) {
        let mut exited = proc.exited();
        let code = loop {
            if let Some(c) = *exited.borrow_and_update() {
                break c;
            }
            if exited.changed().await.is_err() {
                break -1;
            }
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        while let Ok((s, bytes)) = rx.try_recv() {
            match s {
                Stream::Stdout => out.extend(bytes),
                Stream::Stderr => err.extend(bytes),
            }
        }
        (out, err, code)
    }

    #[tokio::test]
    async fn pipes_keep_stdout_and_stderr_apart_and_report_the_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let p = Proc::start(&spawn(
            &["sh", "-c", "echo out; echo err >&2; exit 3"],
            false,
            dir.path(),
        ))
        .unwrap();
        let rx = p.attach();
        let (out, err, code) = collect(&p, rx).await;
        assert_eq!(out, b"out\n");
        assert_eq!(err, b"err\n");
        assert_eq!(code, 3);
    }

    #[tokio::test]
    async fn a_tty_reports_its_size_and_takes_input() {
        let dir = tempfile::tempdir().unwrap();
        let p = Proc::start(&spawn(
            &["sh", "-c", "stty size; read x; echo got-$x"],
            true,
            dir.path(),
        ))
        .unwrap();
        let rx = p.attach();
        p.write(b"hello\r");
        let (out, _, code) = collect(&p, rx).await;
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("24 80"), "{text:?}");
        assert!(text.contains("got-hello"), "{text:?}");
        assert_eq!(code, 0);
    }

    /// As busybox's shell: the prompt, then a cursor-position query; the terminal's answer is
    /// read, never taken as typed text.
    #[tokio::test]
    async fn a_tty_prompt_asks_where_the_cursor_is_and_its_answer_is_not_typed() {
        let dir = tempfile::tempdir().unwrap();
        let p = Proc::start(&spawn(&["sh", "-i"], true, dir.path())).unwrap();
        let mut rx = p.attach();
        let mut out = Vec::new();
        let asked = tokio::time::timeout(Duration::from_secs(20), async {
            while let Some((_, b)) = rx.recv().await {
                out.extend(b);
                if out.ends_with(b"$ \x1b[6n") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(asked, Ok(true), "{:?}", String::from_utf8_lossy(&out));
        p.write(b"\x1b[1;9R");
        p.write(b"echo typed-$((20+22)); exit 0\r");
        let (rest, _, code) = collect(&p, rx).await;
        let text = String::from_utf8_lossy(&rest);
        assert!(text.contains("typed-42"), "{text:?}");
        assert!(!text.contains("9R"), "the answer was typed: {text:?}");
        assert_eq!(code, 0);
        assert_eq!(
            without_cursor_reports(b"a\x1b[12;3Rb\x1b[A\x1b"),
            b"ab\x1b[A\x1b"
        );
    }

    #[tokio::test]
    async fn an_exit_before_anyone_watches_is_still_recorded() {
        let dir = tempfile::tempdir().unwrap();
        // Nobody subscribes to the exit before the process ends (an exec whose WebSocket
        // upgrade completes after its quick command is done).
        let p = Proc::start(&spawn(&["sh", "-c", "echo quick"], true, dir.path())).unwrap();
        // No receiver means no signal to wait on: poll the recorded code, bounded.
        let recorded = tokio::time::timeout(Duration::from_secs(20), async {
            while p.exit_code().is_none() {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(recorded.is_ok(), "the exit code was never recorded");
        let (out, _, code) = collect(&p, p.attach()).await;
        assert!(String::from_utf8_lossy(&out).contains("quick"));
        assert_eq!(code, 0);
    }

    #[tokio::test]
    async fn attaching_after_the_process_exited_still_ends() {
        let dir = tempfile::tempdir().unwrap();
        let p = Proc::start(&spawn(
            &["sh", "-c", "echo early; exit 5"],
            false,
            dir.path(),
        ))
        .unwrap();
        let mut exited = p.exited();
        let _ = exited.wait_for(Option::is_some).await;
        let mut rx = p.attach();
        // The backlog, then the end of the channel (not a wait for output that never comes).
        let mut out = Vec::new();
        while let Some((_, bytes)) = rx.recv().await {
            out.extend(bytes);
        }
        assert_eq!(out, b"early\n");
        assert_eq!(p.exit_code(), Some(5));
    }

    #[tokio::test]
    async fn every_attacher_sees_the_output_in_any_order_of_attaching() {
        let dir = tempfile::tempdir().unwrap();
        let p = Proc::start(&spawn(
            &["sh", "-c", "read x; echo got-$x"],
            false,
            dir.path(),
        ))
        .unwrap();
        let first = p.attach();
        let second = p.attach();
        p.write(b"both\n");
        let (out, _, _) = collect(&p, second).await;
        assert_eq!(out, b"got-both\n");
        let (out, _, code) = collect(&p, first).await;
        assert_eq!(out, b"got-both\n");
        assert_eq!(code, 0);
    }

    #[test]
    fn a_missing_program_reads_like_the_runtime() {
        let dir = tempfile::tempdir().unwrap();
        let e = Proc::start(&spawn(&["no-such-shell-here"], true, dir.path()))
            .err()
            .unwrap();
        assert!(e.contains("executable file not found"), "{e}");
    }

    #[test]
    fn scratch_paths_stay_under_the_root() {
        let root = Path::new("/tmp/root");
        let p = scratch(root, "../..", "a/b", "..");
        assert!(p.starts_with(root));
        assert!(!p.components().any(|c| c == std::path::Component::ParentDir));
    }
}
