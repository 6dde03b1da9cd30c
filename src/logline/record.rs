//! What one log line carries besides its text: the kubelet's timestamp, a severity when the line
//! names one, and whether it continues the record before it (stack traces, Go panics).

use jiff::Timestamp;

use super::sanitize::sanitize;

/// Longest line kept; the rest is cut with a marker (a 1 MiB line must not hang the pane).
pub const MAX_LINE_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }

    /// A level named by a word as programs write it (`warn`, `WARNING`, `err`, `fatal`...).
    pub fn from_word(w: &str) -> Option<Self> {
        Some(match w.to_ascii_lowercase().as_str() {
            "trace" => Level::Trace,
            "debug" | "dbg" => Level::Debug,
            "info" | "information" | "notice" => Level::Info,
            "warn" | "warning" => Level::Warn,
            "error" | "err" | "fatal" | "panic" | "critical" | "crit" | "severe" | "alert"
            | "emerg" | "emergency" => Level::Error,
            _ => return None,
        })
    }
}

/// One line from a container, made safe to display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// When the kubelet wrote it (from `timestamps=true`).
    pub ts: Option<Timestamp>,
    /// Sanitised text, at most [`MAX_LINE_BYTES`] plus a marker.
    pub text: String,
    pub level: Option<Level>,
    /// Continues the previous record of the same source.
    pub continuation: bool,
    /// What a pane shows when it differs from `text` (a JSON object's compact form), made
    /// once, off the UI task: search and filters match it.
    pub shown: Option<String>,
}

/// Split the kubelet's `RFC3339Nano ` prefix from a raw line.
pub fn split_timestamp(raw: &[u8]) -> (Option<Timestamp>, &[u8]) {
    let Some(space) = raw.iter().take(40).position(|&b| b == b' ') else {
        return (None, raw);
    };
    let ts = std::str::from_utf8(&raw[..space])
        .ok()
        .and_then(|s| s.parse::<Timestamp>().ok());
    match ts {
        Some(ts) => (Some(ts), &raw[space + 1..]),
        None => (None, raw),
    }
}

/// Cut `raw` to [`MAX_LINE_BYTES`], returning how many bytes were dropped.
fn cut(raw: &[u8], dropped_already: usize) -> (&[u8], usize) {
    if raw.len() <= MAX_LINE_BYTES {
        return (raw, dropped_already);
    }
    (
        &raw[..MAX_LINE_BYTES],
        dropped_already + raw.len() - MAX_LINE_BYTES,
    )
}

/// The marker appended to a cut line.
pub fn cut_marker(dropped: usize) -> String {
    format!(" … [line cut: {dropped} more bytes]")
}

/// The severity a line names, if any: JSON `level`/`severity`, logfmt `level=`, klog's `E1122`
/// prefix, or an upper-case word such as `ERROR` or `WARN` near the start.
pub fn detect_level(text: &str) -> Option<Level> {
    let head = match text.char_indices().nth(160) {
        Some((i, _)) => &text[..i],
        None => text,
    };
    if head.starts_with('{') {
        for key in ["\"level\"", "\"lvl\"", "\"severity\"", "\"log.level\""] {
            if let Some(at) = head.find(key) {
                let rest = head[at + key.len()..].trim_start();
                let value = rest.strip_prefix(':').map(str::trim_start);
                if let Some(v) = value.and_then(|v| v.strip_prefix('"')) {
                    let word: String = v.chars().take_while(|c| *c != '"').collect();
                    return Level::from_word(&word);
                }
            }
        }
    }
    for key in ["level=", "lvl=", "severity="] {
        if let Some(at) = head.find(key) {
            let word: String = head[at + key.len()..]
                .trim_start_matches('"')
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect();
            if let Some(l) = Level::from_word(&word) {
                return Some(l);
            }
        }
    }
    // klog: "E1122 10:00:00.000000   1 file.go:12] msg"
    let b = head.as_bytes();
    if b.len() > 6 && b[1..5].iter().all(u8::is_ascii_digit) && b[5] == b' ' {
        match b[0] {
            b'E' | b'F' => return Some(Level::Error),
            b'W' => return Some(Level::Warn),
            b'I' => return Some(Level::Info),
            _ => {}
        }
    }
    head.split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_uppercase()))
        .find_map(Level::from_word)
}

/// Per source: whether the record being built is a stack trace, so unindented frame lines
/// (Go's `main.main()`) stay with it.
#[derive(Debug, Default, Clone)]
pub struct Grouper {
    in_trace: bool,
}

fn is_exception_line(t: &str) -> bool {
    let head = t.split(':').next().unwrap_or_default();
    !head.contains(' ')
        && head.contains('.')
        && (head.ends_with("Exception") || head.ends_with("Error") || head.ends_with("Throwable"))
}

fn is_go_frame(t: &str) -> bool {
    (t.ends_with(')') && t.contains('(') && !t.contains(' ')) || t.starts_with("created by ")
}

impl Grouper {
    /// Whether `text` continues the current record; updates the trace state.
    pub fn continues(&mut self, text: &str) -> bool {
        if text.starts_with("panic:") || text.starts_with("fatal error:") {
            self.in_trace = true;
            return false;
        }
        let indented = text.starts_with(' ') || text.starts_with('\t');
        let cont = (indented && !text.trim().is_empty())
            || text.starts_with("Caused by:")
            || (text.starts_with("...") && text.ends_with("more"))
            || is_exception_line(text)
            || (text.starts_with("goroutine ") && text.ends_with("]:"))
            || (self.in_trace
                && (text.trim().is_empty()
                    || is_go_frame(text)
                    || text.starts_with("exit status ")));
        if !cont {
            self.in_trace = false;
        } else if !indented {
            self.in_trace = true;
        }
        cont
    }
}

/// Turn one raw line (as read, without newline, possibly already cut by the reader that dropped
/// `dropped` bytes) into a [`Line`].
pub fn parse_line(raw: &[u8], dropped: usize, grouper: &mut Grouper) -> Line {
    let (ts, rest) = split_timestamp(raw);
    let (rest, dropped) = cut(rest, dropped);
    let mut text = sanitize(rest);
    if dropped > 0 {
        text.push_str(&cut_marker(dropped));
    }
    let continuation = grouper.continues(&text);
    let level = detect_level(&text);
    let shown = super::json::shown(&text);
    Line {
        ts,
        text,
        level,
        continuation,
        shown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(lines: &[&str]) -> Vec<bool> {
        let mut g = Grouper::default();
        lines.iter().map(|l| g.continues(l)).collect()
    }

    #[test]
    fn timestamps_are_split_off() {
        let (ts, rest) = split_timestamp(b"2026-11-22T10:00:01.123456789Z hello world");
        assert_eq!(
            ts.map(|t| t.to_string()),
            Some("2026-11-22T10:00:01.123456789Z".into())
        );
        assert_eq!(rest, b"hello world");
        let (ts, rest) = split_timestamp(b"no timestamp here");
        assert_eq!((ts, rest), (None, &b"no timestamp here"[..]));
    }

    #[test]
    fn levels_from_every_common_format() {
        let cases = [
            (
                r#"{"time":"x","level":"warn","msg":"upstream slow"}"#,
                Some(Level::Warn),
            ),
            (
                r#"{"severity": "ERROR", "message": "boom"}"#,
                Some(Level::Error),
            ),
            ("level=info msg=\"job step done\"", Some(Level::Info)),
            ("time=x lvl=debug msg=y", Some(Level::Debug)),
            (
                "E1122 10:00:00.000000       1 reflector.go:12] failed",
                Some(Level::Error),
            ),
            (
                "W1122 10:00:00.000000       1 x.go:1] slow",
                Some(Level::Warn),
            ),
            (
                "2026-11-22 10:00:00 ERROR [http-nio-8080-exec-1] c.a.Invoice - failed",
                Some(Level::Error),
            ),
            ("2026-11-22 10:00:00 INFO  [main] tick", Some(Level::Info)),
            ("[2026] WARNING: disk almost full", Some(Level::Warn)),
            ("10.0.0.1 - - \"GET / HTTP/1.1\" 500 12", None),
            ("an error happened in lower case", None),
        ];
        for (text, want) in cases {
            assert_eq!(detect_level(text), want, "{text}");
        }
    }

    #[test]
    fn java_stack_traces_stay_together() {
        let got = group(&[
            "2026-11-22 10:00:00 ERROR [main] c.a.Ledger - invoice 12 failed",
            "java.lang.IllegalStateException: ledger locked",
            "\tat com.acme.billing.Ledger.post(Ledger.java:88)",
            "\tat com.acme.billing.InvoiceService.close(InvoiceService.java:142)",
            "Caused by: java.io.IOException: disk",
            "\t... 12 more",
            "2026-11-22 10:00:01 INFO  [main] tick",
        ]);
        assert_eq!(got, [false, true, true, true, true, true, false]);
    }

    #[test]
    fn go_panics_stay_together() {
        let got = group(&[
            "panic: runtime error: index out of range [3] with length 2",
            "",
            "goroutine 1 [running]:",
            "main.handler(0xc000010000)",
            "\t/app/main.go:42 +0x1d",
            "created by net/http.(*Server).Serve",
            "exit status 2",
            "level=info msg=restarted",
            "",
        ]);
        assert_eq!(
            got,
            [false, true, true, true, true, true, true, false, false]
        );
    }

    #[test]
    fn long_lines_are_cut_with_a_marker() {
        let mut raw = b"2026-11-22T10:00:01Z ".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 1 << 20));
        let line = parse_line(&raw, 0, &mut Grouper::default());
        assert!(line.text.len() < MAX_LINE_BYTES + 64);
        assert!(line.text.ends_with(&cut_marker((1 << 20) - MAX_LINE_BYTES)));
        assert!(line.ts.is_some());
        // A reader that already dropped bytes adds them to the count.
        let line = parse_line(b"short", 100, &mut Grouper::default());
        assert_eq!(line.text, format!("short{}", cut_marker(100)));
    }

    #[test]
    fn parsed_text_is_sanitised() {
        let line = parse_line(
            b"2026-11-22T10:00:01Z \x1b[31mERROR\x1b[0m \x1b]0;title\x07",
            0,
            &mut Grouper::default(),
        );
        assert_eq!(line.text, "ERROR ␛]0;title␇");
        assert_eq!(line.level, Some(Level::Error));
    }
}
