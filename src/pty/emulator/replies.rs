//! Answers to what a program asks its terminal (cursor position, device attributes, size,
//! colours, mode states), as tmux 3.x answers them. The answers go back to the program through
//! the session's input. They carry nothing from outside the pane: no title, no clipboard, no
//! host information; what a program sets (titles, the clipboard) is swallowed here and never
//! reaches the outer terminal.

/// The pane's default colours, as OSC 10/11 queries are answered (fixed: the outer terminal's
/// are never asked for or passed on).
const DEFAULT_FG: &str = "rgb:e5e5/e5e5/e5e5";
const DEFAULT_BG: &str = "rgb:0000/0000/0000";

/// Modes the emulator keeps itself (vt100 does not know them), for DECRQM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnModes {
    pub autowrap: bool,
    pub insert: bool,
}

impl Default for OwnModes {
    fn default() -> Self {
        Self {
            autowrap: true,
            insert: false,
        }
    }
}

/// vt100's callbacks: collects answers, swallows what must not leave the pane.
#[derive(Debug, Default)]
pub struct Replies {
    /// Answers not yet sent to the program.
    pub pending: Vec<u8>,
    pub own: OwnModes,
}

fn first(params: &[&[u16]]) -> Option<u16> {
    params.first().and_then(|p| p.first()).copied()
}

/// DECRQM's answer for a mode: 1 set, 2 reset, 0 not recognised.
fn private_mode(screen: &vt100::Screen, own: OwnModes, mode: u16) -> u8 {
    use vt100::{MouseProtocolEncoding as Enc, MouseProtocolMode as Mouse};
    let on = |b: bool| if b { 1 } else { 2 };
    match mode {
        1 => on(screen.application_cursor()),
        7 => on(own.autowrap),
        25 => on(!screen.hide_cursor()),
        47 | 1047 | 1049 => on(screen.alternate_screen()),
        66 => on(screen.application_keypad()),
        9 => on(screen.mouse_protocol_mode() == Mouse::Press),
        1000 => on(screen.mouse_protocol_mode() == Mouse::PressRelease),
        1002 => on(screen.mouse_protocol_mode() == Mouse::ButtonMotion),
        1003 => on(screen.mouse_protocol_mode() == Mouse::AnyMotion),
        1005 => on(screen.mouse_protocol_encoding() == Enc::Utf8),
        1006 => on(screen.mouse_protocol_encoding() == Enc::Sgr),
        2004 => on(screen.bracketed_paste()),
        _ => 0,
    }
}

impl Replies {
    fn say(&mut self, text: &str) {
        self.pending.extend_from_slice(text.as_bytes());
    }

    /// The cursor as a program counts it: 1-based, on the last column while a wrap is pending.
    fn cursor(screen: &vt100::Screen) -> (u16, u16) {
        let (row, col) = screen.cursor_position();
        let (_, cols) = screen.size();
        (row + 1, col.min(cols.get().saturating_sub(1)) + 1)
    }
}

impl vt100::Callbacks for Replies {
    fn unhandled_csi(
        &mut self,
        screen: &mut vt100::Screen,
        i1: Option<u8>,
        i2: Option<u8>,
        params: &[&[u16]],
        c: char,
    ) {
        match (i1, i2, c, first(params)) {
            // DSR: status, cursor position (also the DEC form).
            (None, None, 'n', Some(5)) => self.say("\x1b[0n"),
            (None, None, 'n', Some(6)) => {
                let (r, c) = Self::cursor(screen);
                self.say(&format!("\x1b[{r};{c}R"));
            }
            (Some(b'?'), None, 'n', Some(6)) => {
                let (r, c) = Self::cursor(screen);
                self.say(&format!("\x1b[?{r};{c}R"));
            }
            // Primary and secondary device attributes, as tmux answers them.
            (None, None, 'c', None | Some(0)) => self.say("\x1b[?1;2c"),
            (Some(b'>'), None, 'c', None | Some(0)) => self.say("\x1b[>84;0;0c"),
            // The text area's size in characters.
            (None, None, 't', Some(18)) => {
                let (rows, cols) = screen.size();
                self.say(&format!("\x1b[8;{rows};{cols}t"));
            }
            // DECRQM, private and ANSI modes.
            (Some(b'?'), Some(b'$'), 'p', Some(mode)) => {
                let state = private_mode(screen, self.own, mode);
                self.say(&format!("\x1b[?{mode};{state}$y"));
            }
            (Some(b'$'), None, 'p', Some(mode)) => {
                let state = match mode {
                    4 => {
                        if self.own.insert {
                            1
                        } else {
                            2
                        }
                    }
                    _ => 0,
                };
                self.say(&format!("\x1b[{mode};{state}$y"));
            }
            // XTVERSION: the terminal's name, nothing about the host.
            (Some(b'>'), None, 'q', None | Some(0)) => self.say("\x1bP>|kubedeck\x1b\\"),
            _ => {}
        }
    }

    fn unhandled_osc(&mut self, _: &mut vt100::Screen, params: &[&[u8]]) {
        match params {
            [b"10", b"?"] => self.say(&format!("\x1b]10;{DEFAULT_FG}\x1b\\")),
            [b"11", b"?"] => self.say(&format!("\x1b]11;{DEFAULT_BG}\x1b\\")),
            _ => {}
        }
    }
}
