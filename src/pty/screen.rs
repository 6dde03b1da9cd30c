//! A session's terminal screen: its [`Emulator`] (vt100 and the gaps we fill around it) shared
//! between the session's task (which feeds it) and the UI (which draws it). Output is parsed in
//! slices so the UI never waits long for the lock, however fast a program writes.

use std::sync::{Arc, Mutex, MutexGuard};

use super::emulator::marks::UnderlineColours;
use super::emulator::{Emulator, nz};
use super::keys::Modes;

/// Bytes parsed per hold of the lock.
const SLICE: usize = 4096;

#[derive(Clone)]
pub struct Screen(Arc<Mutex<Emulator>>);

impl std::fmt::Debug for Screen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (rows, cols) = self.size();
        write!(f, "Screen({rows}x{cols})")
    }
}

impl PartialEq for Screen {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Screen {}

impl Screen {
    pub fn new(rows: u16, cols: u16, scrollback: usize) -> Self {
        Self(Arc::new(Mutex::new(Emulator::new(rows, cols, scrollback))))
    }

    fn lock(&self) -> MutexGuard<'_, Emulator> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Parse program output; the answers to what it asked (cursor position, attributes…), to
    /// send back to it.
    pub fn feed(&self, bytes: &[u8]) -> Vec<u8> {
        let mut replies = Vec::new();
        for slice in bytes.chunks(SLICE) {
            let mut e = self.lock();
            e.process(slice);
            replies.append(&mut e.take_replies());
        }
        replies
    }

    pub fn size(&self) -> (u16, u16) {
        let (rows, cols) = self.lock().screen().size();
        (rows.get(), cols.get())
    }

    /// Resize; true when the size changed.
    pub fn resize(&self, rows: u16, cols: u16) -> bool {
        let mut p = self.lock();
        let (rows, cols) = (rows.max(1), cols.max(1));
        if p.screen().size() == (nz(rows), nz(cols)) {
            return false;
        }
        p.set_size(rows, cols);
        true
    }

    pub fn modes(&self) -> Modes {
        let p = self.lock();
        let s = p.screen();
        Modes {
            application_cursor: s.application_cursor(),
            bracketed_paste: s.bracketed_paste(),
        }
    }

    /// Look at the screen scrolled back `offset` rows (clamped to what scrollback holds);
    /// `f` also gets the underline colours its cells name and the offset used.
    pub fn view<R>(
        &self,
        offset: usize,
        f: impl FnOnce(&vt100::Screen, &UnderlineColours, usize) -> R,
    ) -> R {
        let mut p = self.lock();
        p.screen_mut().set_scrollback(offset);
        let used = p.screen().scrollback();
        let r = f(p.screen(), p.underline_colours(), used);
        p.screen_mut().set_scrollback(0);
        r
    }

    /// The visible text, rows joined by newlines (for tests and copying), without the
    /// emulator's attribute marks.
    pub fn contents(&self) -> String {
        super::emulator::marks::strip(&self.lock().screen().contents()).into_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn feeds_resizes_and_scrolls_back() {
        let s = Screen::new(3, 10, 100);
        s.feed(b"one\r\ntwo\r\nthree\r\nfour");
        assert_eq!(s.contents(), "two\nthree\nfour");
        let first = s.view(1, |screen, _, used| {
            assert_eq!(used, 1);
            screen.contents()
        });
        assert_eq!(first, "one\ntwo\nthree");
        // Scrolling past the history stops at its start; the live view is back afterwards.
        assert_eq!(s.view(50, |_, _, used| used), 1);
        assert_eq!(s.contents(), "two\nthree\nfour");
        assert!(s.resize(5, 20));
        assert!(!s.resize(5, 20));
        assert_eq!(s.size(), (5, 20));
    }

    #[test]
    fn modes_follow_the_program() {
        let s = Screen::new(24, 80, 0);
        assert_eq!(s.modes(), Modes::default());
        s.feed(b"\x1b[?1h\x1b[?2004h");
        assert!(s.modes().application_cursor && s.modes().bracketed_paste);
    }

    #[test]
    fn large_output_is_parsed_in_slices_with_the_same_result() {
        let s = Screen::new(2, 5, 0);
        // More than one slice; 5003 characters end with three on the last row.
        let data = "x".repeat(5003);
        s.feed(data.as_bytes());
        let mut whole = vt100::Parser::new(nz(2), nz(5), 0);
        whole.process(data.as_bytes());
        assert_eq!(s.contents(), whole.screen().contents());
        // The last row holds the three left over (rows that wrap are joined by `contents`).
        assert_eq!(s.contents(), "xxxxxxxx");
    }
}
