//! A frame that changes nothing on screen writes nothing. Each frame is wrapped in a
//! synchronized update and ends with ratatui's attribute resets and a cursor hide: some 35
//! bytes that, drawn every second by the clock or 60 times a second under a storm of changes
//! to rows not on screen, were most of what an idle kubedeck sent over an SSH link.
//!
//! Everything written is held until a flush; a flush whose bytes are only those no-ops (a
//! synchronized update not opened, resets, hiding a hidden cursor) is dropped. The end of a
//! synchronized update that was opened always goes through.

use std::io::{self, Write};

const BEGIN_SYNC: &[u8] = b"\x1b[?2026h";
const END_SYNC: &[u8] = b"\x1b[?2026l";
const HIDE: &[u8] = b"\x1b[?25l";
const SHOW: &[u8] = b"\x1b[?25h";
/// The resets ratatui's crossterm backend writes after every frame's cells.
const RESETS: [&[u8]; 4] = [b"\x1b[39m", b"\x1b[49m", b"\x1b[59m", b"\x1b[0m"];

pub struct FrameGate<W: Write> {
    inner: W,
    pending: Vec<u8>,
    /// A synchronized update went through and its end has not yet.
    sync_open: bool,
    /// The cursor as last sent (unknown at first: shown).
    cursor_hidden: bool,
}

impl<W: Write> FrameGate<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            sync_open: false,
            cursor_hidden: false,
        }
    }

    /// Whether `bytes` change anything on the terminal, given what was sent before.
    fn changes_something(&self, mut bytes: &[u8]) -> bool {
        while !bytes.is_empty() {
            // Opening an update changes nothing by itself; closing one not opened neither.
            let no_op = [BEGIN_SYNC]
                .into_iter()
                .chain((!self.sync_open).then_some(END_SYNC))
                .chain(self.cursor_hidden.then_some(HIDE))
                .chain((!self.cursor_hidden).then_some(SHOW))
                .chain(RESETS)
                .find(|seq| bytes.starts_with(seq));
            match no_op {
                Some(seq) => bytes = &bytes[seq.len()..],
                None => return true,
            }
        }
        false
    }

    /// What `bytes` leave the terminal in: the last of each switch wins.
    fn note(&mut self, bytes: &[u8]) {
        let last = |seq: &[u8]| bytes.windows(seq.len()).rposition(|w| w == seq);
        match (last(BEGIN_SYNC), last(END_SYNC)) {
            (Some(b), Some(e)) => self.sync_open = b > e,
            (Some(_), None) => self.sync_open = true,
            (None, Some(_)) => self.sync_open = false,
            (None, None) => {}
        }
        match (last(HIDE), last(SHOW)) {
            (Some(h), Some(s)) => self.cursor_hidden = h > s,
            (Some(_), None) => self.cursor_hidden = true,
            (None, Some(_)) => self.cursor_hidden = false,
            (None, None) => {}
        }
    }
}

impl<W: Write> Write for FrameGate<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        if self.changes_something(&pending) {
            self.note(&pending);
            self.inner.write_all(&pending)?;
        }
        self.pending = pending;
        self.pending.clear();
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame as the UI loop writes it: the synchronized update opened, ratatui's cells,
    /// resets and cursor, flushed; then the update closed, flushed.
    fn frame(gate: &mut FrameGate<Vec<u8>>, cells: &[u8], cursor: &[u8]) {
        let _ = gate.write_all(BEGIN_SYNC);
        let _ = gate.write_all(cells);
        for r in RESETS {
            let _ = gate.write_all(r);
        }
        let _ = gate.write_all(cursor);
        let _ = gate.flush();
        let _ = gate.write_all(END_SYNC);
        let _ = gate.flush();
    }

    #[test]
    fn a_frame_that_changes_nothing_writes_nothing() {
        let mut gate = FrameGate::new(Vec::new());
        frame(&mut gate, b"\x1b[3;4Hhello", HIDE);
        let first = gate.inner.len();
        assert!(gate.inner.ends_with(END_SYNC), "an opened update is closed");
        frame(&mut gate, b"", HIDE);
        assert_eq!(gate.inner.len(), first, "nothing drawn: nothing sent");
        frame(&mut gate, b"\x1b[3;4Hx", HIDE);
        assert!(gate.inner.len() > first);
        assert!(gate.inner.ends_with(END_SYNC));
    }

    #[test]
    fn showing_or_hiding_the_cursor_is_a_change() {
        let mut gate = FrameGate::new(Vec::new());
        frame(&mut gate, b"", SHOW);
        assert!(
            gate.inner.is_empty(),
            "shown at first: showing it is no change"
        );
        frame(&mut gate, b"", HIDE);
        let hidden = gate.inner.len();
        assert!(hidden > 0, "hiding it is");
        frame(&mut gate, b"", HIDE);
        assert_eq!(gate.inner.len(), hidden);
        frame(&mut gate, b"", b"\x1b[5;6H\x1b[?25h");
        assert!(gate.inner.ends_with(END_SYNC) && gate.inner.len() > hidden);
    }
}
