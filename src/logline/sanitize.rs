//! Container output is untrusted: it may carry escape sequences that would move our cursor, set
//! the window title, write the clipboard (OSC 52), clear the screen or hide text. Every log line
//! passes through [`sanitize`] before it is stored, so nothing but printable text ever reaches
//! the terminal.
//!
//! - SGR colour sequences (`ESC [ ... m`) are dropped: colours are ours to choose.
//! - Every other escape (cursor moves, `CSI 2J`, OSC titles and clipboard writes, DCS, ...) keeps
//!   its text but its ESC is shown as `␛`, so the reader sees what the program tried to do.
//! - C0 controls and DEL become their Unicode "control pictures" (`␀`, `␇`, `␡`); tabs expand to
//!   spaces; 8-bit C1 controls and the bidi/zero-width characters that reorder or hide text are
//!   shown as `<U+XXXX>`.
//! - Invalid UTF-8 becomes U+FFFD.

/// Tab stops every this many columns.
const TAB: usize = 4;

/// Whether `c` reorders or hides text (bidi overrides and isolates, zero-width characters), or
/// is one of the variation selectors kubedeck's terminal writer reads as a drawing mark
/// (`term_out::extended`), which text from outside must not forge.
fn hides_text(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        | '\u{061C}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{E01E0}'..='\u{E01E4}')
}

/// Sanitise one line of container output (without its newline).
pub fn sanitize(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut col = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' if chars.peek() == Some(&'[') => {
                // CSI: parameters and intermediates, then one final byte in 0x40..=0x7E.
                let mut seq = String::from("[");
                chars.next();
                let mut last = None;
                while let Some(&n) = chars.peek() {
                    if ('\u{20}'..='\u{3f}').contains(&n) {
                        seq.push(n);
                        chars.next();
                    } else {
                        if ('\u{40}'..='\u{7e}').contains(&n) {
                            last = Some(n);
                            chars.next();
                        }
                        break;
                    }
                }
                if last == Some('m') {
                    continue;
                }
                out.push('␛');
                out.push_str(&seq);
                col += 1 + seq.chars().count();
                if let Some(f) = last {
                    out.push(f);
                    col += 1;
                }
            }
            '\t' => {
                let n = TAB - col % TAB;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\u{1b}' => {
                out.push('␛');
                col += 1;
            }
            '\u{7f}' => {
                out.push('␡');
                col += 1;
            }
            c if (c as u32) < 0x20 => {
                out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'));
                col += 1;
            }
            c if ('\u{80}'..='\u{9f}').contains(&c) || hides_text(c) => {
                let shown = format!("<U+{:04X}>", c as u32);
                col += shown.len();
                out.push_str(&shown);
            }
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// Whether `s` is safe to print as it is (what [`sanitize`] guarantees).
pub fn is_clean(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() || hides_text(c) || c == '\u{1b}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(
            sanitize(b"GET /healthz 200 \xc3\xa9t\xc3\xa9"),
            "GET /healthz 200 été"
        );
        assert_eq!(sanitize("日本語 ok".as_bytes()), "日本語 ok");
    }

    #[test]
    fn drawing_marks_cannot_be_forged() {
        let forged = "pod\u{E01E2}";
        assert!(!is_clean(forged));
        assert!(!sanitize(forged.as_bytes()).contains('\u{E01E2}'));
        // An emoji's own presentation selector is text, kept.
        assert!(is_clean("ok \u{2764}\u{FE0F}"));
    }

    #[test]
    fn sgr_colours_are_dropped() {
        assert_eq!(sanitize(b"\x1b[1;31mERROR\x1b[0m done\x1b[m"), "ERROR done");
    }

    #[test]
    fn other_escapes_are_made_visible() {
        assert_eq!(sanitize(b"a\x1b[2Jb"), "a␛[2Jb");
        assert_eq!(sanitize(b"\x1b[10;20Hx"), "␛[10;20Hx");
        assert_eq!(sanitize(b"\x1b]0;pwned\x07rest"), "␛]0;pwned␇rest");
        assert_eq!(
            sanitize(b"\x1b]52;c;aGVsbG8=\x1b\\tail"),
            "␛]52;c;aGVsbG8=␛\\tail"
        );
        assert_eq!(sanitize(b"\x1bPq#0\x1b\\"), "␛Pq#0␛\\");
        assert_eq!(sanitize(b"trailing\x1b["), "trailing␛[");
    }

    #[test]
    fn controls_become_pictures() {
        assert_eq!(sanitize(b"nul\x00bell\x07cr\rdel\x7f"), "nul␀bell␇cr␍del␡");
        assert_eq!(sanitize(b"a\tb"), "a   b");
        assert_eq!(sanitize(b"abcd\tb"), "abcd    b");
    }

    #[test]
    fn c1_and_hiding_characters_are_spelled_out() {
        // U+009B is the 8-bit CSI when sent as valid UTF-8.
        assert_eq!(sanitize("x\u{9b}2Jy".as_bytes()), "x<U+009B>2Jy");
        assert_eq!(sanitize("abc\u{202e}fed".as_bytes()), "abc<U+202E>fed");
        assert_eq!(
            sanitize("zero\u{200b}width".as_bytes()),
            "zero<U+200B>width"
        );
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        // A raw 8-bit CSI byte is not valid UTF-8.
        assert_eq!(
            sanitize(b"a\x9b2J\xff\xfeb"),
            "a\u{fffd}2J\u{fffd}\u{fffd}b"
        );
    }

    #[test]
    fn output_is_always_clean() {
        let hostile: Vec<u8> = (0u8..=255)
            .chain(b"\x1b[5n\x1b]8;;http://x\x07".iter().copied())
            .collect();
        let s = sanitize(&hostile);
        assert!(is_clean(&s), "{s:?}");
        assert!(is_clean(&sanitize("\u{85}\u{2028}\u{feff}".as_bytes())));
    }
}
