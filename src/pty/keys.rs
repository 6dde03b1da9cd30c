//! Keys typed into a terminal pane, turned into the bytes an xterm would send, so shells, `vim`
//! and `htop` in the session see exactly what they would in a terminal of their own.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Terminal modes the running program asked for (from the session's screen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Modes {
    /// DECCKM: arrows send `ESC O A` instead of `ESC [ A`.
    pub application_cursor: bool,
    /// Paste is wrapped in `ESC [200~ … ESC [201~`.
    pub bracketed_paste: bool,
}

/// xterm's modifier parameter: 1 + shift + 2·alt + 4·ctrl.
fn modifier_param(m: KeyModifiers) -> u8 {
    1 + u8::from(m.contains(KeyModifiers::SHIFT))
        + 2 * u8::from(m.contains(KeyModifiers::ALT))
        + 4 * u8::from(m.contains(KeyModifiers::CONTROL))
}

/// `CSI 1;m X` with modifiers, else `CSI X` (or `SS3 X` in application cursor mode).
fn cursor_key(letter: char, m: KeyModifiers, modes: Modes) -> Vec<u8> {
    let p = modifier_param(m);
    if p > 1 {
        format!("\x1b[1;{p}{letter}").into_bytes()
    } else if modes.application_cursor {
        format!("\x1bO{letter}").into_bytes()
    } else {
        format!("\x1b[{letter}").into_bytes()
    }
}

/// `CSI n ~` keys (Insert, Delete, PageUp, F5…), with `;m` when modified.
fn tilde_key(n: u8, m: KeyModifiers) -> Vec<u8> {
    let p = modifier_param(m);
    if p > 1 {
        format!("\x1b[{n};{p}~").into_bytes()
    } else {
        format!("\x1b[{n}~").into_bytes()
    }
}

fn function_key(n: u8, m: KeyModifiers) -> Vec<u8> {
    let p = modifier_param(m);
    match n {
        // F1-F4 are SS3 P..S, or CSI 1;m P..S with modifiers.
        1..=4 => {
            let letter = char::from(b'P' + n - 1);
            if p > 1 {
                format!("\x1b[1;{p}{letter}").into_bytes()
            } else {
                format!("\x1bO{letter}").into_bytes()
            }
        }
        5 => tilde_key(15, m),
        6..=10 => tilde_key(n + 11, m),
        11 | 12 => tilde_key(n + 12, m),
        _ => Vec::new(),
    }
}

/// The control byte for Ctrl+`c`, if there is one.
fn control_byte(c: char) -> Option<u8> {
    match c {
        'a'..='z' => Some(c as u8 - b'a' + 1),
        'A'..='Z' => Some(c.to_ascii_lowercase() as u8 - b'a' + 1),
        '@' | ' ' | '2' => Some(0),
        '[' | '3' => Some(0x1b),
        '\\' | '4' => Some(0x1c),
        ']' | '5' => Some(0x1d),
        '^' | '6' => Some(0x1e),
        '_' | '/' | '7' => Some(0x1f),
        '8' | '?' => Some(0x7f),
        _ => None,
    }
}

/// The bytes for one key press (empty for keys a terminal does not send).
pub fn encode(key: &KeyEvent, modes: Modes) -> Vec<u8> {
    let m = key.modifiers;
    let alt = m.contains(KeyModifiers::ALT);
    // Alt prefixes the plain key with ESC, as xterm does with metaSendsEscape.
    let with_alt = |mut bytes: Vec<u8>| {
        if alt {
            bytes.insert(0, 0x1b);
        }
        bytes
    };
    match key.code {
        KeyCode::Char(c) if m.contains(KeyModifiers::CONTROL) => match control_byte(c) {
            Some(b) => with_alt(vec![b]),
            None => with_alt(c.to_string().into_bytes()),
        },
        KeyCode::Char(c) => with_alt(c.to_string().into_bytes()),
        KeyCode::Enter => with_alt(vec![b'\r']),
        KeyCode::Tab => with_alt(vec![b'\t']),
        KeyCode::BackTab => b"\x1b[Z".to_vec(),
        KeyCode::Backspace if m.contains(KeyModifiers::CONTROL) => with_alt(vec![0x08]),
        KeyCode::Backspace => with_alt(vec![0x7f]),
        KeyCode::Esc => with_alt(vec![0x1b]),
        KeyCode::Up => cursor_key('A', m, modes),
        KeyCode::Down => cursor_key('B', m, modes),
        KeyCode::Right => cursor_key('C', m, modes),
        KeyCode::Left => cursor_key('D', m, modes),
        KeyCode::Home => cursor_key('H', m, modes),
        KeyCode::End => cursor_key('F', m, modes),
        KeyCode::Insert => tilde_key(2, m),
        KeyCode::Delete => tilde_key(3, m),
        KeyCode::PageUp => tilde_key(5, m),
        KeyCode::PageDown => tilde_key(6, m),
        KeyCode::F(n) => function_key(n, m),
        KeyCode::Null => vec![0],
        _ => Vec::new(),
    }
}

/// Pasted text, bracketed when the program asked for it. The closing marker is removed from
/// the text so a paste cannot end the bracket early and have the rest typed as commands.
pub fn paste(text: &str, modes: Modes) -> Vec<u8> {
    let text = text.replace("\r\n", "\r").replace('\n', "\r");
    if modes.bracketed_paste {
        let inner = text.replace("\x1b[201~", "");
        format!("\x1b[200~{inner}\x1b[201~").into_bytes()
    } else {
        text.into_bytes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> Vec<u8> {
        encode(&KeyEvent::new(code, m), Modes::default())
    }

    const NONE: KeyModifiers = KeyModifiers::NONE;

    #[test]
    fn printable_and_editing_keys() {
        assert_eq!(key(KeyCode::Char('a'), NONE), b"a");
        assert_eq!(key(KeyCode::Char('A'), KeyModifiers::SHIFT), b"A");
        assert_eq!(key(KeyCode::Char('é'), NONE), "é".as_bytes());
        assert_eq!(key(KeyCode::Enter, NONE), b"\r");
        assert_eq!(key(KeyCode::Tab, NONE), b"\t");
        assert_eq!(key(KeyCode::BackTab, KeyModifiers::SHIFT), b"\x1b[Z");
        assert_eq!(key(KeyCode::Backspace, NONE), b"\x7f");
        assert_eq!(key(KeyCode::Esc, NONE), b"\x1b");
    }

    #[test]
    fn control_and_alt() {
        assert_eq!(key(KeyCode::Char('c'), KeyModifiers::CONTROL), [3]);
        assert_eq!(key(KeyCode::Char('a'), KeyModifiers::CONTROL), [1]);
        assert_eq!(key(KeyCode::Char('['), KeyModifiers::CONTROL), [0x1b]);
        assert_eq!(key(KeyCode::Char(' '), KeyModifiers::CONTROL), [0]);
        assert_eq!(key(KeyCode::Char('x'), KeyModifiers::ALT), b"\x1bx");
        assert_eq!(
            key(
                KeyCode::Char('d'),
                KeyModifiers::ALT | KeyModifiers::CONTROL
            ),
            [0x1b, 4]
        );
        assert_eq!(key(KeyCode::Backspace, KeyModifiers::ALT), b"\x1b\x7f");
    }

    #[test]
    fn arrows_follow_the_cursor_mode_and_modifiers() {
        assert_eq!(key(KeyCode::Up, NONE), b"\x1b[A");
        assert_eq!(key(KeyCode::Left, NONE), b"\x1b[D");
        let app = Modes {
            application_cursor: true,
            ..Modes::default()
        };
        assert_eq!(encode(&KeyEvent::new(KeyCode::Up, NONE), app), b"\x1bOA");
        assert_eq!(encode(&KeyEvent::new(KeyCode::Home, NONE), app), b"\x1bOH");
        assert_eq!(key(KeyCode::Right, KeyModifiers::CONTROL), b"\x1b[1;5C");
        assert_eq!(key(KeyCode::Down, KeyModifiers::SHIFT), b"\x1b[1;2B");
        assert_eq!(key(KeyCode::End, KeyModifiers::ALT), b"\x1b[1;3F");
    }

    #[test]
    fn navigation_and_function_keys() {
        assert_eq!(key(KeyCode::PageUp, NONE), b"\x1b[5~");
        assert_eq!(key(KeyCode::PageDown, NONE), b"\x1b[6~");
        assert_eq!(key(KeyCode::Insert, NONE), b"\x1b[2~");
        assert_eq!(key(KeyCode::Delete, KeyModifiers::CONTROL), b"\x1b[3;5~");
        assert_eq!(key(KeyCode::F(1), NONE), b"\x1bOP");
        assert_eq!(key(KeyCode::F(4), NONE), b"\x1bOS");
        assert_eq!(key(KeyCode::F(2), KeyModifiers::SHIFT), b"\x1b[1;2Q");
        assert_eq!(key(KeyCode::F(5), NONE), b"\x1b[15~");
        assert_eq!(key(KeyCode::F(6), NONE), b"\x1b[17~");
        assert_eq!(key(KeyCode::F(10), NONE), b"\x1b[21~");
        assert_eq!(key(KeyCode::F(11), NONE), b"\x1b[23~");
        assert_eq!(key(KeyCode::F(12), NONE), b"\x1b[24~");
        assert!(key(KeyCode::F(13), NONE).is_empty());
        assert!(key(KeyCode::CapsLock, NONE).is_empty());
    }

    #[test]
    fn paste_is_bracketed_only_when_asked_and_cannot_escape() {
        assert_eq!(paste("ls\nrm x", Modes::default()), b"ls\rrm x");
        let bracketed = Modes {
            bracketed_paste: true,
            ..Modes::default()
        };
        assert_eq!(paste("a\x1b[201~b", bracketed), b"\x1b[200~ab\x1b[201~");
    }
}
