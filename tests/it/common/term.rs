//! Terminal end-to-end harness: the real `kubedeck` binary in a PTY, its output parsed by vt100,
//! the screen read back like a person reading a terminal. Waits are signalled by the reader
//! thread whenever new bytes arrive, with a deadline; there are no fixed sleeps.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

struct Screen {
    parser: vt100::Parser,
    /// Bumped on every read, so waiters know something changed.
    generation: u64,
    /// Every byte kubedeck wrote, to check what reached the terminal.
    raw: Vec<u8>,
    closed: bool,
    /// Inside a synchronized update (a frame being drawn): the screen is not read then, so a
    /// wait never sees half a frame.
    in_frame: bool,
    /// Frames that ended with nothing on the screen (a blank frame is a visible flicker).
    blank_frames: u64,
}

const BEGIN_FRAME: &[u8] = b"\x1b[?2026h";
const END_FRAME: &[u8] = b"\x1b[?2026l";

/// Whether the output ends inside a frame, given the newest bytes (with some before them).
fn ends_in_frame(tail: &[u8], was: bool) -> bool {
    let last = |p: &[u8]| tail.windows(p.len()).rposition(|w| w == p);
    match (last(BEGIN_FRAME), last(END_FRAME)) {
        (Some(b), Some(e)) => b > e,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => was,
    }
}

pub struct Term {
    screen: Arc<(Mutex<Screen>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    /// The run's own cache dir (captured step logs, recordings), so tests do not share one.
    pub cache: tempfile::TempDir,
}

pub const DEADLINE: Duration = Duration::from_secs(30);

impl Term {
    /// Start `kubedeck` with `args` in a `cols`x`rows` terminal.
    pub fn spawn(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Self {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kubedeck"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("KUBECONFIG");
        let cache = tempfile::tempdir().unwrap();
        cmd.env("XDG_CACHE_HOME", cache.path());
        // Nor the user's k9s plugins, hotkeys and aliases, saved tables or favourite
        // namespaces: a test gives its own K9S_CONFIG_DIR when it wants some.
        cmd.env("K9S_CONFIG_DIR", cache.path().join("k9s"));
        cmd.env("XDG_DATA_HOME", cache.path().join("data"));
        // The local shell is $SHELL: a plain sh, so the tests do not depend on (or wait for)
        // the user's shell start-up files (a pyenv rehash lock left by a killed shell once
        // stalled every bash here).
        cmd.env("SHELL", "/bin/sh");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn kubedeck");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let screen = Arc::new((
            Mutex::new(Screen {
                parser: vt100::Parser::new(nz(rows), nz(cols), 0),
                generation: 0,
                raw: Vec::new(),
                closed: false,
                in_frame: false,
                blank_frames: 0,
            }),
            Condvar::new(),
        ));
        let shared = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            loop {
                let n = reader.read(&mut buf).unwrap_or(0);
                let (lock, cv) = &*shared;
                let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
                if n == 0 {
                    s.closed = true;
                    cv.notify_all();
                    return;
                }
                s.parser.process(&buf[..n]);
                s.raw.extend_from_slice(&buf[..n]);
                let from = s.raw.len().saturating_sub(n + BEGIN_FRAME.len());
                let was_in_frame = s.in_frame;
                s.in_frame = ends_in_frame(&s.raw[from..], s.in_frame);
                // A frame that ended here: what the screen showed then.
                if was_in_frame && !s.in_frame && s.parser.screen().contents().trim().is_empty() {
                    s.blank_frames += 1;
                }
                s.generation += 1;
                cv.notify_all();
            }
        });
        Self {
            screen,
            writer,
            child,
            master: pair.master,
            cache,
        }
    }

    /// Run kubedeck against a kubeconfig file.
    /// Start against `path`. Tests start in the pods view (`--view pods`) unless they pass
    /// `--view`, so the automatic switch to triage does not race their first assertions.
    pub fn with_kubeconfig(path: &Path, extra: &[&str], cols: u16, rows: u16) -> Self {
        let p = path.to_string_lossy().to_string();
        let mut args = vec!["--kubeconfig", p.as_str()];
        if !extra.contains(&"--view") {
            args.extend(["--view", "pods"]);
        }
        args.extend_from_slice(extra);
        Self::spawn(&args, cols, rows, &[])
    }

    /// The bytes kubedeck wrote right after the first `needle` (for a failing test to show).
    pub fn wrote_after(&self, needle: &[u8], n: usize) -> Vec<u8> {
        let (lock, _) = &*self.screen;
        let s = lock.lock().unwrap_or_else(|e| e.into_inner());
        match s.raw.windows(needle.len()).position(|w| w == needle) {
            Some(i) => s.raw[i..(i + needle.len() + n).min(s.raw.len())].to_vec(),
            None => Vec::new(),
        }
    }

    /// Whether kubedeck ever wrote `needle` to the terminal.
    pub fn wrote(&self, needle: &[u8]) -> bool {
        let (lock, _) = &*self.screen;
        let s = lock.lock().unwrap_or_else(|e| e.into_inner());
        s.raw.windows(needle.len()).any(|w| w == needle)
    }

    /// How many frames ended with a blank screen.
    pub fn blank_frames(&self) -> u64 {
        let (lock, _) = &*self.screen;
        lock.lock().unwrap_or_else(|e| e.into_inner()).blank_frames
    }

    pub fn contents(&self) -> String {
        let (lock, _) = &*self.screen;
        let s = lock.lock().unwrap_or_else(|e| e.into_inner());
        s.parser.screen().contents()
    }

    /// Wait until `pred` holds for the whole screen (text and attributes).
    pub fn wait_screen(&self, what: &str, pred: impl Fn(&vt100::Screen) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        let (lock, cv) = &*self.screen;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if !s.in_frame && pred(s.parser.screen()) {
                return s.parser.screen().contents();
            }
            let now = Instant::now();
            if now >= deadline || s.closed {
                panic!(
                    "waited for {what}; the screen was:\n{}",
                    s.parser.screen().contents()
                );
            }
            let generation = s.generation;
            let (guard, _) = cv
                .wait_timeout_while(s, deadline - now, |st| {
                    st.generation == generation && !st.closed
                })
                .unwrap_or_else(|e| e.into_inner());
            s = guard;
        }
    }

    /// Wait until `pred` holds for the screen text, or fail with the screen shown.
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        self.wait_screen(what, |s| pred(&s.contents()))
    }

    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?}"), |s| s.contains(text))
    }

    pub fn wait_gone(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} to disappear"), |s| !s.contains(text))
    }

    pub fn send(&mut self, bytes: &str) {
        self.writer
            .write_all(bytes.as_bytes())
            .expect("write to pty");
        let _ = self.writer.flush();
    }

    pub fn resize(&mut self, cols: u16, rows: u16) {
        // The parser first: whatever the program draws after it sees the new size must be
        // parsed at that size, or a full redraw would be clipped and never resent.
        let (lock, _) = &*self.screen;
        lock.lock()
            .unwrap_or_else(|e| e.into_inner())
            .parser
            .screen_mut()
            .set_size(nz(rows), nz(cols));
        let _ = self.master.resize(PtySize {
            rows,
            cols,
            pixel_width: 0,
            pixel_height: 0,
        });
    }

    /// Wait for the process to exit; its exit code.
    pub fn wait_exit(&mut self) -> u32 {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "kubedeck did not exit; screen:\n{}",
                self.contents()
            );
            // Exit has no signal on this API; poll the process table briefly.
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// After exit: whether the program left the alternate screen (restored the terminal).
    /// Waits for the PTY to close so every byte written before exit has been parsed.
    pub fn left_alternate_screen(&self) -> bool {
        let deadline = Instant::now() + DEADLINE;
        let (lock, cv) = &*self.screen;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        while !s.closed && Instant::now() < deadline {
            let (guard, _) = cv
                .wait_timeout(s, Duration::from_millis(200))
                .unwrap_or_else(|e| e.into_inner());
            s = guard;
        }
        !s.parser.screen().alternate_screen()
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.process_id()
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The text of the first row drawn with a background colour at column `col` (the table's
/// cursor row).
pub fn highlighted_row(screen: &vt100::Screen, col: u16) -> Option<String> {
    let (rows, cols) = screen.size();
    let (rows, cols) = (rows.get(), cols.get());
    (2..rows.saturating_sub(1)).find_map(|r| {
        let cell = screen.cell(r, col)?;
        (cell.bgcolor() != vt100::Color::Default).then(|| screen.contents_between(r, 0, r, cols))
    })
}

/// The background colour of one cell, for checking theme changes.
pub fn bg_at(screen: &vt100::Screen, row: u16, col: u16) -> Option<vt100::Color> {
    screen.cell(row, col).map(|c| c.bgcolor())
}

/// `n` as vt100's sizes want it (at least 1).
fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

/// A line of the screen that is exactly `text` inside a pane border.
pub fn pane_line(screen: &str, text: &str) -> bool {
    screen
        .lines()
        .any(|l| l.split('│').any(|cell| cell.trim_end() == text))
}

/// Wait until the terminal pane's last line is a bare prompt before typing: keys typed while a
/// shell starts or takes its terminal back from a program can be dropped, as in any terminal.
/// (The terminal pane is the right one, or the bottom one when stacked.)
pub fn wait_prompt(t: &Term) {
    t.wait_until("a shell prompt", |s| {
        let last = s
            .lines()
            .rev()
            // Pane lines only (the status line also has separators).
            .filter(|l| l.starts_with('│'))
            .filter_map(|l| {
                let cells: Vec<&str> = l.split('│').collect();
                (cells.len() >= 3).then(|| cells[cells.len() - 2].trim_end())
            })
            .find(|c| !c.is_empty());
        last.is_some_and(|c| c.ends_with('#') || c.ends_with('$') || c.ends_with('%'))
    });
}

/// The table's data rows (between the header and the bottom border of the dashboard).
pub fn rows(screen: &str) -> Vec<String> {
    screen
        .lines()
        .skip(3)
        .take_while(|l| !l.starts_with('└'))
        .map(|l| l.trim_matches('│').trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The right-hand pane's text with its wrapped lines joined.
pub fn pane_text(screen: &str) -> String {
    screen
        .lines()
        .filter_map(|l| {
            l.split_once("││")
                .map(|(_, r)| r.trim_end().trim_end_matches('│').trim_end())
        })
        .collect::<Vec<_>>()
        .join("")
}
