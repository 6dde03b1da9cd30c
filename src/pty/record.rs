//! Recording a session to an asciicast v2 file (`asciinema play FILE` replays it): a JSON header
//! line, then one `[seconds, "o", text]` line per output chunk and `[seconds, "r", "COLSxROWS"]`
//! per resize. Input is never recorded (it may hold passwords). Output is cut at UTF-8 character
//! boundaries, as the format's strings must be valid UTF-8.

use std::io::Write;
use std::time::Instant;

use serde_json::json;

pub struct Recorder<W: Write> {
    out: W,
    started: Instant,
    /// The start of a UTF-8 character split across chunks.
    pending: Vec<u8>,
}

impl<W: Write> Recorder<W> {
    pub fn new(mut out: W, cols: u16, rows: u16, title: &str) -> std::io::Result<Self> {
        let header = json!({
            "version": 2,
            "width": cols,
            "height": rows,
            "timestamp": jiff::Timestamp::now().as_second(),
            "title": title,
            "env": {"TERM": "xterm-256color"},
        });
        writeln!(out, "{header}")?;
        Ok(Self {
            out,
            started: Instant::now(),
            pending: Vec::new(),
        })
    }

    fn at(&self) -> f64 {
        // Microsecond precision, as asciinema writes.
        (self.started.elapsed().as_micros() as f64) / 1e6
    }

    pub fn output(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let mut data = std::mem::take(&mut self.pending);
        data.extend_from_slice(bytes);
        let cut = complete_prefix(&data);
        self.pending = data.split_off(cut);
        if data.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&data);
        let line = json!([self.at(), "o", text]);
        writeln!(self.out, "{line}")
    }

    pub fn resize(&mut self, cols: u16, rows: u16) -> std::io::Result<()> {
        let line = json!([self.at(), "r", format!("{cols}x{rows}")]);
        writeln!(self.out, "{line}")
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        if !self.pending.is_empty() {
            let text = String::from_utf8_lossy(&self.pending).into_owned();
            let line = json!([self.at(), "o", text]);
            writeln!(self.out, "{line}")?;
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The length of `data` without a trailing, incomplete UTF-8 sequence (at most 3 bytes held back).
fn complete_prefix(data: &[u8]) -> usize {
    let n = data.len();
    for back in 1..=3.min(n) {
        let b = data[n - back];
        if b & 0b1100_0000 == 0b1000_0000 {
            continue; // a continuation byte: look further back for the lead byte
        }
        let need = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => return n,
        };
        return if back < need { n - back } else { n };
    }
    n
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn lines(bytes: &[u8]) -> Vec<Value> {
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn header_events_and_resizes_are_valid_asciicast_v2() {
        let mut r = Recorder::new(Vec::new(), 80, 24, "exec demo/web").unwrap();
        r.output(b"$ echo hi\r\nhi\r\n").unwrap();
        r.resize(100, 30).unwrap();
        let out = r.finish().unwrap();
        let l = lines(&out);
        assert_eq!(l[0]["version"], 2);
        assert_eq!(
            (l[0]["width"].as_u64(), l[0]["height"].as_u64()),
            (Some(80), Some(24))
        );
        assert_eq!(l[0]["title"], "exec demo/web");
        assert_eq!(l[1][1], "o");
        assert_eq!(l[1][2], "$ echo hi\r\nhi\r\n");
        assert!(l[1][0].as_f64().unwrap() >= 0.0);
        assert_eq!(l[2][1], "r");
        assert_eq!(l[2][2], "100x30");
        assert!(l[2][0].as_f64() >= l[1][0].as_f64());
    }

    #[test]
    fn characters_split_across_chunks_are_joined() {
        let euro = "€".as_bytes(); // 3 bytes
        let mut r = Recorder::new(Vec::new(), 80, 24, "t").unwrap();
        r.output(&[b'a', euro[0]]).unwrap();
        r.output(&euro[1..]).unwrap();
        r.output(b"\xff").unwrap();
        let l = lines(&r.finish().unwrap());
        assert_eq!(l[1][2], "a");
        assert_eq!(l[2][2], "€");
        assert_eq!(l[3][2], "\u{fffd}");
    }

    #[test]
    fn complete_prefix_holds_back_only_an_unfinished_character() {
        assert_eq!(complete_prefix(b"abc"), 3);
        assert_eq!(complete_prefix(&[b'a', 0xE2, 0x82]), 1);
        assert_eq!(complete_prefix(&[b'a', 0xE2, 0x82, 0xAC]), 4);
        assert_eq!(complete_prefix(&[0xF0, 0x9F]), 0);
        assert_eq!(complete_prefix(&[0x80, 0x80, 0x80, 0x80]), 4);
    }
}
