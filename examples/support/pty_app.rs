//! A program run in a PTY of its own and read back through vt100, as a person would see it:
//! the benchmarks' way of measuring a TUI (kubedeck or a peer) from outside.

use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, eyre};
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

/// The screen as the reader thread last parsed it, with a counter bumped on every read.
struct Screen {
    parser: vt100::Parser,
    generation: u64,
    /// What the program wrote to its terminal: bytes, and full-screen clears (`ESC [ 2 J`).
    written: Written,
}

/// What a program wrote to its terminal so far (what an SSH link carries).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub bytes: u64,
    pub clears: u64,
}

const CLEAR: &[u8] = b"\x1b[2J";

type Shared = Arc<(Mutex<Screen>, Condvar)>;

/// The PTY's input: keys typed, and the answers a terminal gives to queries.
type Keys = Arc<Mutex<Box<dyn Write + Send>>>;

/// A cursor position query (DSR 6), which a terminal answers with `ESC [ row ; col R`;
/// crossterm programs (kdash) wait for the answer at start-up.
const CURSOR_QUERY: &[u8] = b"\x1b[6n";

/// How long a wait may take before the benchmark gives up, showing the screen.
pub const DEADLINE: Duration = Duration::from_secs(180);

pub struct PtyApp {
    pub pid: u32,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    keys: Keys,
    screen: Shared,
    /// Kept open: dropping the master hangs the program up.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

impl PtyApp {
    /// Start `program args` in a `cols`x`rows` PTY with `env` added.
    pub fn spawn(
        program: &std::path::Path,
        args: &[&str],
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Result<Self> {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .map_err(|e| eyre!("openpty: {e}"))?;
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair
            .slave
            .spawn_command(cmd)
            .map_err(|e| eyre!("spawn {}: {e}", program.display()))?;
        drop(pair.slave);
        let pid = child.process_id().ok_or_else(|| eyre!("no pid"))?;
        let mut reader = pair.master.try_clone_reader().map_err(|e| eyre!("{e}"))?;
        let keys: Keys = Arc::new(Mutex::new(
            pair.master.take_writer().map_err(|e| eyre!("{e}"))?,
        ));
        let answers = keys.clone();
        let screen: Shared = Arc::new((
            Mutex::new(Screen {
                parser: vt100::Parser::new(nz(rows), nz(cols), 0),
                generation: 0,
                written: Written::default(),
            }),
            Condvar::new(),
        ));
        let shared = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 65536];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let (lock, cv) = &*shared;
                let Ok(mut s) = lock.lock() else { return };
                if n == 0 {
                    return;
                }
                s.parser.process(&buf[..n]);
                s.generation += 1;
                s.written.bytes += n as u64;
                s.written.clears += buf[..n]
                    .windows(CLEAR.len())
                    .filter(|w| *w == CLEAR)
                    .count() as u64;
                if buf[..n]
                    .windows(CURSOR_QUERY.len())
                    .any(|w| w == CURSOR_QUERY)
                {
                    let (row, col) = s.parser.screen().cursor_position();
                    if let Ok(mut w) = answers.lock() {
                        let _ = write!(w, "\x1b[{};{}R", row + 1, col + 1);
                        let _ = w.flush();
                    }
                }
                cv.notify_all();
            }
        });
        Ok(Self {
            pid,
            child,
            keys,
            screen,
            _master: pair.master,
        })
    }

    /// Write `bytes` as typed keys; when they were written.
    pub fn send(&mut self, bytes: &[u8]) -> Result<Instant> {
        let mut keys = self.keys.lock().map_err(|_| eyre!("keys lock"))?;
        let t = Instant::now();
        keys.write_all(bytes)?;
        keys.flush()?;
        Ok(t)
    }

    /// What it wrote to its terminal so far.
    #[allow(
        dead_code,
        reason = "bench_scale reads it, the other benchmarks do not"
    )]
    pub fn written(&self) -> Result<Written> {
        let (lock, _) = &*self.screen;
        let s = lock.lock().map_err(|_| eyre!("screen lock"))?;
        Ok(s.written)
    }

    /// Read the screen as it is now.
    pub fn read<T>(&self, f: impl Fn(&vt100::Screen) -> T) -> Result<T> {
        let (lock, _) = &*self.screen;
        let s = lock.lock().map_err(|_| eyre!("screen lock"))?;
        Ok(f(s.parser.screen()))
    }

    /// Block until `pred` holds for the screen; how long it took from `since`.
    pub fn wait(
        &self,
        since: Instant,
        what: &str,
        pred: impl Fn(&vt100::Screen) -> bool,
    ) -> Result<Duration> {
        let (lock, cv) = &*self.screen;
        let mut s = lock.lock().map_err(|_| eyre!("screen lock"))?;
        loop {
            if pred(s.parser.screen()) {
                return Ok(since.elapsed());
            }
            if since.elapsed() > DEADLINE {
                return Err(eyre!(
                    "timed out waiting for {what}:\n{}",
                    s.parser.screen().contents()
                ));
            }
            let seen = s.generation;
            let (next, _) = cv
                .wait_timeout_while(s, Duration::from_millis(500), |s| s.generation == seen)
                .map_err(|_| eyre!("screen lock"))?;
            s = next;
        }
    }

    /// Stop it: `quit` typed, then killed if it is still there after a moment.
    pub fn stop(mut self, quit: &[u8]) {
        let _ = self.send(quit);
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
