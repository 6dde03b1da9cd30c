//! A pane's terminal: vt100 parses and keeps the screen; this module fills the gaps around it
//! so programs behave as under tmux. Output passes through a small escape-sequence reader on
//! its way to vt100 that
//!
//! - draws DEC line drawing (`ESC ( 0`, `ESC ) 0`, SO/SI) as box characters;
//! - keeps what vt100 does not: tab stops (`ESC H`, `CSI g`, `CSI 3 g`, `CSI I`, `CSI Z`),
//!   insert mode (`CSI 4 h`), autowrap off (`CSI ? 7 l`), conceal (drawn as blanks);
//! - rewrites what vt100 takes differently: `CSI s`/`CSI u` (save/restore cursor), `ESC D`
//!   (index), `ESC E` (next line), `ESC # 8` (fill with `E`), SGR with attributes vt100 would
//!   stop at (see `sgr`);
//! - swallows the screen title (`ESC k … ESC \`) and charset designations;
//!
//! and vt100's callbacks answer the program's queries (`replies`). Everything here treats the
//! output as untrusted: nothing passes to the outer terminal, and answers carry nothing from
//! outside the pane.

mod charset;
pub mod marks;
mod replies;
mod sgr;

use charset::{Charset, Charsets};
use marks::Marks;
use replies::{OwnModes, Replies};

/// `n` as vt100's sizes want it (at least 1).
pub fn nz(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

/// Longest escape sequence held back; a longer one is passed on as it is (vt100 ignores it).
const LONGEST_SEQUENCE: usize = 512;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ground,
    /// After ESC, reading intermediates. `in_string`: the ESC came inside a string, where
    /// `ESC \` ends it.
    Escape {
        in_string: bool,
    },
    Csi,
    /// OSC, DCS, SOS, PM, APC: passed through until BEL or ST.
    Str,
    /// The screen title (`ESC k`): swallowed until ST.
    Title,
    /// A sequence too long to hold: passed through until its final byte.
    CsiPassing,
}

/// Tab stops, every 8 columns until a program sets its own.
#[derive(Debug, Clone)]
struct TabStops(Vec<bool>);

impl TabStops {
    fn new(cols: u16) -> Self {
        Self((0..cols).map(|c| c > 0 && c % 8 == 0).collect())
    }

    fn resize(&mut self, cols: u16) {
        let old = self.0.len();
        self.0
            .extend((old..usize::from(cols)).map(|c| c > 0 && c % 8 == 0));
        self.0.truncate(usize::from(cols));
    }

    fn set(&mut self, col: u16, on: bool) {
        if let Some(s) = self.0.get_mut(usize::from(col)) {
            *s = on;
        }
    }

    fn clear_all(&mut self) {
        self.0.iter_mut().for_each(|s| *s = false);
    }

    /// The `n`th stop after `col` (the last column when there are no more).
    fn forward(&self, col: u16, n: u16) -> u16 {
        let last = u16::try_from(self.0.len().saturating_sub(1)).unwrap_or(u16::MAX);
        let mut at = col.min(last);
        for _ in 0..n.max(1) {
            at = (at + 1..=last)
                .find(|&c| self.0.get(usize::from(c)).copied().unwrap_or(false))
                .unwrap_or(last);
        }
        at
    }

    /// The `n`th stop before `col` (the first column when there are no more).
    fn back(&self, col: u16, n: u16) -> u16 {
        let mut at = col;
        for _ in 0..n.max(1) {
            at = (0..at)
                .rev()
                .find(|&c| self.0.get(usize::from(c)).copied().unwrap_or(false))
                .unwrap_or(0);
        }
        at
    }
}

pub struct Emulator {
    parser: vt100::Parser<Replies>,
    state: State,
    /// The escape sequence being read, held until it is known what to do with it.
    seq: Vec<u8>,
    /// Bytes on their way to vt100.
    out: Vec<u8>,
    /// A UTF-8 character being read.
    utf8: Vec<u8>,
    charsets: Charsets,
    tabs: TabStops,
    insert: bool,
    autowrap: bool,
    conceal: bool,
    /// Attributes kept as marks in the cells (vt100 has no room for them).
    strike: bool,
    blink: bool,
    bold: bool,
    dim: bool,
    overline: bool,
    underline: marks::UnderlineStyle,
    underline_colour: Option<vt100::Color>,
    underline_colours: marks::UnderlineColours,
    /// Inside a screen title (`ESC k`), which is swallowed.
    in_title: bool,
}

impl Emulator {
    pub fn new(rows: u16, cols: u16, scrollback: usize) -> Self {
        let (rows, cols) = (rows.max(1), cols.max(1));
        Self {
            parser: vt100::Parser::new_with_callbacks(
                nz(rows),
                nz(cols),
                scrollback,
                Replies::default(),
            ),
            state: State::Ground,
            seq: Vec::new(),
            out: Vec::new(),
            utf8: Vec::new(),
            charsets: Charsets::default(),
            tabs: TabStops::new(cols),
            insert: false,
            autowrap: true,
            conceal: false,
            strike: false,
            blink: false,
            bold: false,
            dim: false,
            overline: false,
            underline: marks::UnderlineStyle::Single,
            underline_colour: None,
            underline_colours: marks::UnderlineColours::default(),
            in_title: false,
        }
    }

    pub fn screen(&self) -> &vt100::Screen {
        self.parser.screen()
    }

    /// The underline colours the screen's cells name by slot.
    pub fn underline_colours(&self) -> &marks::UnderlineColours {
        &self.underline_colours
    }

    pub fn screen_mut(&mut self) -> &mut vt100::Screen {
        self.parser.screen_mut()
    }

    pub fn set_size(&mut self, rows: u16, cols: u16) {
        let (rows, cols) = (rows.max(1), cols.max(1));
        self.parser.screen_mut().set_size(nz(rows), nz(cols));
        self.tabs.resize(cols);
    }

    /// The answers to the program's queries so far, to send to it; taken once.
    pub fn take_replies(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.parser.callbacks_mut().pending)
    }

    /// Parse program output.
    pub fn process(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
        self.flush();
    }

    fn flush(&mut self) {
        if !self.out.is_empty() {
            self.parser.process(&self.out);
            self.out.clear();
        }
    }

    /// The cursor column (on the last column while a wrap is pending) and the width.
    fn cursor_col(&mut self) -> (u16, u16) {
        self.flush();
        let screen = self.parser.screen();
        let (_, cols) = screen.size();
        let (_, col) = screen.cursor_position();
        (col.min(cols.get() - 1), cols.get())
    }

    fn own_modes_changed(&mut self) {
        self.parser.callbacks_mut().own = OwnModes {
            autowrap: self.autowrap,
            insert: self.insert,
        };
    }

    fn byte(&mut self, b: u8) {
        match self.state {
            State::Ground => self.ground(b),
            State::Escape { in_string } => self.escape(b, in_string),
            State::Csi => self.csi(b),
            State::CsiPassing => {
                self.out.push(b);
                if (0x40..=0x7e).contains(&b) {
                    self.state = State::Ground;
                }
            }
            State::Str => match b {
                0x1b => {
                    self.seq = vec![b];
                    self.state = State::Escape { in_string: true };
                }
                0x07 | 0x18 | 0x1a => {
                    self.out.push(b);
                    self.state = State::Ground;
                }
                _ => self.out.push(b),
            },
            State::Title => match b {
                0x1b => {
                    self.seq = vec![b];
                    self.state = State::Escape { in_string: true };
                }
                0x07 | 0x18 | 0x1a => self.state = State::Ground,
                _ => {}
            },
        }
    }

    fn ground(&mut self, b: u8) {
        if !self.utf8.is_empty() || b >= 0x80 {
            return self.utf8_byte(b);
        }
        match b {
            0x1b => {
                self.seq = vec![b];
                self.state = State::Escape { in_string: false };
            }
            // Shift out / in: G1 / G0 (vt100 ignores them).
            0x0e => self.charsets.shifted_out = true,
            0x0f => self.charsets.shifted_out = false,
            0x09 => self.tab_forward(1),
            0x20..=0x7e => {
                let c = self.charsets.active().map(b).unwrap_or(char::from(b));
                self.print(c);
            }
            _ => self.out.push(b),
        }
    }

    fn utf8_byte(&mut self, b: u8) {
        self.utf8.push(b);
        let want = match self.utf8[0] {
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            // Not a lead byte: vt100 shows it as it would.
            _ => 1,
        };
        if self.utf8.len() < want && (self.utf8.len() == 1 || (b & 0xc0) == 0x80) {
            return;
        }
        let bytes = std::mem::take(&mut self.utf8);
        match std::str::from_utf8(&bytes)
            .ok()
            .and_then(|s| s.chars().next())
        {
            Some(c) if bytes.len() == want => self.print(c),
            _ => self.out.extend_from_slice(&bytes),
        }
    }

    /// A printable character, through the modes vt100 does not keep.
    fn print(&mut self, c: char) {
        if marks::strip(c.encode_utf8(&mut [0u8; 4])).is_empty() {
            // The program's own copy of a mark would pass for an attribute: dropped.
            return;
        }
        let width = unicode_width::UnicodeWidthChar::width(c).unwrap_or(1);
        let c = if self.conceal && width > 0 { ' ' } else { c };
        let c_width = if self.conceal { width } else { 1 };
        if !self.autowrap {
            // At the right margin the character replaces the last one instead of wrapping.
            self.flush();
            let screen = self.parser.screen();
            let (_, cols) = screen.size();
            if screen.cursor_position().1 >= cols.get() {
                let last = cols.get();
                self.out
                    .extend_from_slice(format!("\x1b[{last}G").as_bytes());
            }
        }
        if self.insert && width > 0 {
            self.out
                .extend_from_slice(format!("\x1b[{width}@").as_bytes());
        }
        let mut buf = [0u8; 4];
        for _ in 0..c_width {
            self.out
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            if width > 0 {
                let marks = Marks {
                    strike: self.strike,
                    blink: self.blink,
                    dim: self.bold && self.dim,
                    overline: self.overline,
                    underline: self.underline,
                    underline_colour: self
                        .underline_colour
                        .and_then(|c| self.underline_colours.slot(c)),
                };
                for m in marks.chars() {
                    self.out
                        .extend_from_slice(m.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
    }

    fn tab_forward(&mut self, n: u16) {
        let (col, _) = self.cursor_col();
        let to = self.tabs.forward(col, n);
        if to > col {
            self.out
                .extend_from_slice(format!("\x1b[{}C", to - col).as_bytes());
        }
    }

    fn tab_back(&mut self, n: u16) {
        let (col, _) = self.cursor_col();
        let to = self.tabs.back(col, n);
        if to < col {
            self.out
                .extend_from_slice(format!("\x1b[{}D", col - to).as_bytes());
        }
    }

    fn escape(&mut self, b: u8, in_string: bool) {
        let intermediates = self.seq.len() > 1;
        match b {
            b'\\' if in_string && !intermediates => {
                // ST: the string (or the swallowed title) ends.
                if std::mem::take(&mut self.in_title) {
                    self.seq.clear();
                } else {
                    self.out.extend_from_slice(&self.seq);
                    self.out.push(b);
                }
                self.seq.clear();
                self.state = State::Ground;
            }
            0x20..=0x2f => {
                self.seq.push(b);
                self.state = State::Escape { in_string: false };
                self.in_title = false;
            }
            b'[' if !intermediates => {
                self.seq.push(b);
                self.state = State::Csi;
                self.in_title = false;
            }
            b']' | b'P' | b'X' | b'^' | b'_' if !intermediates => {
                self.out.extend_from_slice(&self.seq);
                self.out.push(b);
                self.seq.clear();
                self.state = State::Str;
                self.in_title = false;
            }
            b'k' if !intermediates => {
                self.seq.clear();
                self.state = State::Title;
                self.in_title = true;
            }
            0x30..=0x7e => {
                self.in_title = false;
                self.dispatch_escape(b);
                self.state = State::Ground;
            }
            0x1b => {
                self.in_title = false;
                self.out.extend_from_slice(&self.seq);
                self.seq = vec![b];
                self.state = State::Escape { in_string: false };
            }
            0x18 | 0x1a => {
                self.in_title = false;
                self.seq.clear();
                self.out.push(b);
                self.state = State::Ground;
            }
            // A control inside a sequence is carried out as vt100 would (passed on).
            _ => self.out.push(b),
        }
    }

    fn dispatch_escape(&mut self, fin: u8) {
        let seq = std::mem::take(&mut self.seq);
        let intermediates = &seq[1..];
        match (intermediates, fin) {
            ([b'('], f) => self.charsets.g0 = Charset::designated(f),
            ([b')'], f) => self.charsets.g1 = Charset::designated(f),
            // G2/G3 and other designations: not shifted to by anything we keep.
            ([b'*' | b'+' | b'-' | b'.' | b'/'], _) => {}
            ([b'#'], b'8') => self.fill_with_e(),
            ([], b'D') => self.out.push(b'\n'),
            ([], b'E') => self.out.extend_from_slice(b"\r\n"),
            ([], b'H') => {
                let (col, _) = self.cursor_col();
                self.tabs.set(col, true);
            }
            ([], b'c') => {
                self.reset();
                self.out.extend_from_slice(&seq);
                self.out.push(fin);
            }
            _ => {
                self.out.extend_from_slice(&seq);
                self.out.push(fin);
            }
        }
    }

    /// DECALN: the screen filled with `E` (the margins reset, the cursor home).
    fn fill_with_e(&mut self) {
        self.flush();
        let (rows, cols) = self.parser.screen().size();
        let mut fill = String::from("\x1b7\x1b[0m\x1b[r");
        let line = "E".repeat(usize::from(cols.get()));
        for r in 1..=rows.get() {
            fill.push_str(&format!("\x1b[{r};1H{line}"));
        }
        fill.push_str("\x1b8\x1b[H");
        self.out.extend_from_slice(fill.as_bytes());
    }

    fn reset(&mut self) {
        let cols = self.parser.screen().size().1.get();
        self.charsets = Charsets::default();
        self.tabs = TabStops::new(cols);
        self.insert = false;
        self.autowrap = true;
        self.conceal = false;
        self.strike = false;
        self.blink = false;
        self.bold = false;
        self.dim = false;
        self.overline = false;
        self.underline = marks::UnderlineStyle::Single;
        self.underline_colour = None;
        self.own_modes_changed();
    }

    fn csi(&mut self, b: u8) {
        match b {
            0x20..=0x3f => {
                self.seq.push(b);
                if self.seq.len() > LONGEST_SEQUENCE {
                    self.out.append(&mut self.seq);
                    self.state = State::CsiPassing;
                }
            }
            0x40..=0x7e => {
                self.dispatch_csi(b);
                self.state = State::Ground;
            }
            0x1b => {
                self.out.append(&mut self.seq);
                self.seq = vec![b];
                self.state = State::Escape { in_string: false };
            }
            0x18 | 0x1a => {
                self.out.append(&mut self.seq);
                self.out.push(b);
                self.state = State::Ground;
            }
            _ => self.out.push(b),
        }
    }

    fn dispatch_csi(&mut self, fin: u8) {
        let seq = std::mem::take(&mut self.seq);
        let body = &seq[2..];
        let private = body
            .first()
            .copied()
            .filter(|c| matches!(c, b'<' | b'=' | b'>' | b'?'));
        let params_end = body
            .iter()
            .position(|c| (0x20..=0x2f).contains(c))
            .unwrap_or(body.len());
        let has_intermediates = params_end < body.len();
        let params_text =
            String::from_utf8_lossy(&body[usize::from(private.is_some())..params_end]).into_owned();
        let numbers = || -> Vec<u16> {
            params_text
                .split(';')
                .map(|p| p.split(':').next().unwrap_or("").parse().unwrap_or(0))
                .collect()
        };
        let count = || numbers().first().copied().unwrap_or(0).max(1);
        let pass = |me: &mut Self| {
            me.out.extend_from_slice(&seq);
            me.out.push(fin);
        };
        if has_intermediates {
            return pass(self);
        }
        match (private, fin) {
            (None, b'm') => {
                let r = sgr::rewrite(&sgr::parse(&params_text));
                let keep = |to: &mut bool, change: Option<bool>| {
                    if let Some(on) = change {
                        *to = on;
                    }
                };
                keep(&mut self.conceal, r.conceal);
                keep(&mut self.strike, r.strike);
                keep(&mut self.blink, r.blink);
                keep(&mut self.bold, r.bold);
                keep(&mut self.dim, r.dim);
                keep(&mut self.overline, r.overline);
                if let Some(style) = r.underline {
                    self.underline = style;
                }
                if let Some(colour) = r.underline_colour {
                    self.underline_colour = colour;
                }
                let mut params = r.params;
                // vt100 keeps one intensity: bold, with dim as a mark.
                if self.bold && self.dim {
                    params = Some(params.map_or("1".into(), |p| format!("{p};1")));
                }
                if let Some(p) = params {
                    self.out.extend_from_slice(format!("\x1b[{p}m").as_bytes());
                }
            }
            (None, b's') if params_text.is_empty() => self.out.extend_from_slice(b"\x1b7"),
            (None, b'u') if params_text.is_empty() => self.out.extend_from_slice(b"\x1b8"),
            (None, b'g') => match numbers().first().copied().unwrap_or(0) {
                0 => {
                    let (col, _) = self.cursor_col();
                    self.tabs.set(col, false);
                }
                3 => self.tabs.clear_all(),
                _ => {}
            },
            (None, b'I') => self.tab_forward(count()),
            (None, b'Z') => self.tab_back(count()),
            (None, b'h' | b'l') => {
                if numbers().contains(&4) {
                    self.insert = fin == b'h';
                    self.own_modes_changed();
                }
                pass(self);
            }
            (Some(b'?'), b'h' | b'l') => {
                if numbers().contains(&7) {
                    self.autowrap = fin == b'h';
                    self.own_modes_changed();
                }
                pass(self);
            }
            _ => pass(self),
        }
    }
}

#[cfg(test)]
mod tests;
