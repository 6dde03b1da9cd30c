//! The clipboard through OSC 52: the terminal (or tmux with `set-clipboard on`) stores the text,
//! so it works over SSH on a jump host where no clipboard daemon runs.

use std::io::Write;

use base64::Engine;

/// Terminals and tmux cap OSC 52 payloads; beyond this the copy is cut.
pub const MAX_BYTES: usize = 512 * 1024;

/// The escape sequence that sets the clipboard to `text` (cut at `MAX_BYTES`).
pub fn osc52(text: &str) -> String {
    let mut end = text.len().min(MAX_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(&text.as_bytes()[..end]);
    format!("\u{1b}]52;c;{b64}\u{7}")
}

/// Write the sequence to the terminal.
pub fn copy(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_osc52() {
        assert_eq!(osc52("hello"), "\u{1b}]52;c;aGVsbG8=\u{7}");
        let big = "é".repeat(MAX_BYTES);
        let seq = osc52(&big);
        assert!(seq.len() < MAX_BYTES * 4 / 3 + 16);
    }
}
