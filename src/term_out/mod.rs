//! What kubedeck writes to its terminal, with the 16 basic colours sent as the basic SGR codes.
//! crossterm writes every colour as a 256-colour index (`ESC[38;5;1m` for red, and
//! `ESC[38;5;7;49m` for a pair), which a 16-colour terminal may not take and which terminals
//! treat differently from `ESC[31m` (bold brightening, the user's 16-colour palette). This
//! writer turns `38;5;N` / `48;5;N` with N below 16 inside any SGR sequence into `3N`/`9N` and
//! `4N`/`10N`, across write boundaries; every other byte passes as is.

pub mod extended;
pub mod frame_gate;

use std::io::{self, Write};

/// The longest SGR sequence held back to be rewritten (longer ones pass as they are).
const LONGEST: usize = 64;

pub struct BasicSgr<W: Write> {
    inner: W,
    /// The start of an SGR sequence (`ESC [ digits ; … m`) still being written.
    held: Vec<u8>,
}

impl<W: Write> BasicSgr<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            held: Vec::with_capacity(LONGEST),
        }
    }

    /// Whether `seq` can still become an SGR sequence (`ESC [`, parameters, `m`).
    fn may_become(seq: &[u8]) -> bool {
        seq.len() <= LONGEST
            && seq.iter().enumerate().all(|(i, &b)| match i {
                0 => b == 0x1b,
                1 => b == b'[',
                _ => b.is_ascii_digit() || b == b';' || b == b':',
            })
    }

    /// A complete SGR sequence with basic colours as basic codes.
    fn rewrite(seq: &[u8]) -> Vec<u8> {
        let Some(params) = seq
            .get(2..seq.len() - 1)
            .and_then(|p| std::str::from_utf8(p).ok())
        else {
            return seq.to_vec();
        };
        let parts: Vec<&str> = params.split(';').collect();
        let mut out: Vec<String> = Vec::with_capacity(parts.len());
        let mut i = 0;
        while i < parts.len() {
            let basic = match (parts[i], parts.get(i + 1), parts.get(i + 2)) {
                (fg_or_bg @ ("38" | "48"), Some(&"5"), Some(n)) => n
                    .parse::<u8>()
                    .ok()
                    .filter(|n| *n < 16)
                    .map(|n| match (fg_or_bg, n) {
                        ("38", 0..=7) => 30 + n,
                        ("38", _) => 90 + n - 8,
                        (_, 0..=7) => 40 + n,
                        (_, _) => 100 + n - 8,
                    }),
                _ => None,
            };
            match basic {
                Some(code) => {
                    out.push(code.to_string());
                    i += 3;
                }
                None => {
                    out.push(parts[i].to_string());
                    i += 1;
                }
            }
        }
        format!("\x1b[{}m", out.join(";")).into_bytes()
    }

    fn feed(&mut self, b: u8, out: &mut Vec<u8>) {
        if self.held.is_empty() {
            if b == 0x1b {
                self.held.push(b);
            } else {
                out.push(b);
            }
            return;
        }
        if b == b'm' && self.held.len() >= 2 {
            self.held.push(b);
            let seq = std::mem::take(&mut self.held);
            out.extend_from_slice(&Self::rewrite(&seq));
            return;
        }
        self.held.push(b);
        if !Self::may_become(&self.held) {
            // Not an SGR sequence: let it through, but a new ESC may start one.
            let last = self.held.pop();
            out.append(&mut self.held);
            if let Some(last) = last {
                self.feed(last, out);
            }
        }
    }
}

impl<W: Write> Write for BasicSgr<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut out = Vec::with_capacity(buf.len() + self.held.len());
        for &b in buf {
            self.feed(b, &mut out);
        }
        self.inner.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let held = std::mem::take(&mut self.held);
        self.inner.write_all(&held)?;
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through(chunks: &[&[u8]]) -> Vec<u8> {
        let mut w = BasicSgr::new(Vec::new());
        for c in chunks {
            let _ = w.write_all(c);
        }
        let _ = w.flush();
        w.inner
    }

    #[test]
    fn basic_colours_become_basic_codes_across_writes() {
        assert_eq!(through(&[b"\x1b[38;5;1mred"]), b"\x1b[31mred");
        assert_eq!(through(&[b"\x1b[", b"38;5;", b"9", b"m!"]), b"\x1b[91m!");
        assert_eq!(
            through(&[b"\x1b[48;5;2m\x1b[48;5;15m"]),
            b"\x1b[42m\x1b[107m"
        );
        // Pairs, as crossterm writes them.
        assert_eq!(through(&[b"\x1b[38;5;7;49m"]), b"\x1b[37;49m");
        assert_eq!(through(&[b"\x1b[38;5;2;", b"48;5;15m"]), b"\x1b[32;107m");
        assert_eq!(through(&[b"\x1b[38;5;200;48;5;1m"]), b"\x1b[38;5;200;41m");
        assert_eq!(
            through(&[b"\x1b[38;5;196m"]),
            b"\x1b[38;5;196m",
            "256 colours stay"
        );
        assert_eq!(
            through(&[b"\x1b[38;2;1;2;3m"]),
            b"\x1b[38;2;1;2;3m",
            "RGB stays"
        );
        assert_eq!(through(&[b"\x1b[1;1H\x1b[0mtext"]), b"\x1b[1;1H\x1b[0mtext");
        assert_eq!(through(&[b"a\x1b\x1b[38;5;3mb"]), b"a\x1b\x1b[33mb");
        // Cut off at the end: flushed as it came.
        assert_eq!(through(&[b"x\x1b[38;5"]), b"x\x1b[38;5");
    }
}
