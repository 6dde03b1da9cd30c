//! The log ring: a pane's entries, bounded in lines and in bytes. The oldest entries go first;
//! a multi-line record (a stack trace) is one entry and leaves as a whole.

use std::collections::VecDeque;

use jiff::Timestamp;

use crate::logline::record::{Level, Line};
use crate::logline::source::{NoteKind, SourceId};

/// Bytes counted per stored line on top of its text, so the byte cap bounds real memory.
const LINE_OVERHEAD: usize = 48;
/// Continuation lines kept in one entry; past this a record starts a new entry.
const MAX_ENTRY_LINES: usize = 1000;
/// How far back a continuation looks for its source's record, and an out-of-order line for its
/// place in time.
const LOOK_BACK: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable identity for selection and scrolling while old entries leave.
    pub seq: u64,
    pub source: SourceId,
    pub ts: Option<Timestamp>,
    pub level: Option<Level>,
    /// The first line, then its continuation lines.
    pub lines: Vec<String>,
    /// A note from kubedeck (reconnected, pod gone), not a line from the container.
    pub note: Option<NoteKind>,
    /// The first line as shown, when that differs from its text (a JSON object).
    pub shown: Option<String>,
}

impl Entry {
    fn bytes(&self) -> usize {
        let shown = self.shown.as_ref().map_or(0, String::len);
        shown
            + self
                .lines
                .iter()
                .map(|l| l.len() + LINE_OVERHEAD)
                .sum::<usize>()
    }

    /// The lines as a pane shows them (what search and filters match).
    pub fn shown_lines(&self) -> impl Iterator<Item = &str> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| match (i, &self.shown) {
                (0, Some(s)) => s.as_str(),
                _ => l.as_str(),
            })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_lines: usize,
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_lines: 20_000,
            max_bytes: 32 << 20,
        }
    }
}

/// What a push did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// A new entry (at the end, or earlier when it is older than the newest).
    New(u64),
    /// Added to an existing entry as a continuation line.
    Joined(u64),
}

#[derive(Debug, Clone, Default)]
pub struct LogBuffer {
    entries: VecDeque<Entry>,
    lines: usize,
    bytes: usize,
    limits: Limits,
    next_seq: u64,
    /// Lines that left the ring because of the limits.
    evicted: u64,
}

impl LogBuffer {
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            ..Self::default()
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn lines(&self) -> usize {
        self.lines
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator {
        self.entries.iter()
    }

    pub fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    /// Position of the entry with this seq.
    pub fn position(&self, seq: u64) -> Option<usize> {
        // Entries are mostly in seq order; look from the end, where the cursor usually is.
        self.entries.iter().rposition(|e| e.seq == seq)
    }

    pub fn clear(&mut self) {
        self.entries.clear();
        self.lines = 0;
        self.bytes = 0;
    }

    /// Add a line from `source`, joining its record when it is a continuation, else placing it
    /// by time among the entries already held.
    pub fn push(&mut self, source: SourceId, line: Line) -> Pushed {
        if line.continuation
            && let Some(i) = self
                .entries
                .iter()
                .rev()
                .take(LOOK_BACK)
                .position(|e| e.source == source)
                .map(|back| self.entries.len() - 1 - back)
            && self.entries[i].note.is_none()
            && self.entries[i].lines.len() < MAX_ENTRY_LINES
        {
            let e = &mut self.entries[i];
            self.lines += 1;
            self.bytes += line.text.len() + LINE_OVERHEAD;
            e.lines.push(line.text);
            if e.level.is_none() {
                e.level = line.level;
            }
            let seq = e.seq;
            self.evict();
            return Pushed::Joined(seq);
        }
        let seq = self.insert(Entry {
            seq: 0,
            source,
            ts: line.ts,
            level: line.level,
            lines: vec![line.text],
            note: None,
            shown: line.shown,
        });
        Pushed::New(seq)
    }

    /// Add a note of kubedeck's own (placed at the end).
    pub fn note(&mut self, source: SourceId, kind: NoteKind, text: String) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let e = Entry {
            seq,
            source,
            ts: self.entries.back().and_then(|e| e.ts),
            level: None,
            lines: vec![text],
            note: Some(kind),
            shown: None,
        };
        self.lines += 1;
        self.bytes += e.bytes();
        self.entries.push_back(e);
        self.evict();
        seq
    }

    /// Add a note in time order at `ts` (after every entry not newer than it).
    pub fn note_at(
        &mut self,
        source: SourceId,
        kind: NoteKind,
        text: String,
        ts: Timestamp,
    ) -> u64 {
        self.insert(Entry {
            seq: 0,
            source,
            ts: Some(ts),
            level: None,
            lines: vec![text],
            note: Some(kind),
            shown: None,
        })
    }

    fn insert(&mut self, mut e: Entry) -> u64 {
        e.seq = self.next_seq;
        self.next_seq += 1;
        let seq = e.seq;
        self.lines += e.lines.len();
        self.bytes += e.bytes();
        // Sources arrive one by one (each with its own backlog): keep the ring in time order.
        let at = match e.ts {
            Some(ts) => {
                let newer = self
                    .entries
                    .iter()
                    .rev()
                    .take(LOOK_BACK)
                    .take_while(|o| o.ts.is_some_and(|t| t > ts))
                    .count();
                self.entries.len() - newer
            }
            None => self.entries.len(),
        };
        self.entries.insert(at, e);
        self.evict();
        seq
    }

    fn evict(&mut self) {
        while self.entries.len() > 1
            && (self.lines > self.limits.max_lines || self.bytes > self.limits.max_bytes)
        {
            if let Some(old) = self.entries.pop_front() {
                self.lines -= old.lines.len();
                self.bytes -= old.bytes();
                self.evicted += old.lines.len() as u64;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, secs: i64, continuation: bool) -> Line {
        Line {
            ts: Timestamp::from_second(secs).ok(),
            text: text.into(),
            level: None,
            continuation,
            shown: None,
        }
    }

    fn texts(b: &LogBuffer) -> Vec<String> {
        b.iter().map(|e| e.lines.join("|")).collect()
    }

    #[test]
    fn bounded_in_lines() {
        let mut b = LogBuffer::new(Limits {
            max_lines: 3,
            max_bytes: usize::MAX,
        });
        for i in 0..10 {
            b.push(0, line(&format!("l{i}"), i, false));
        }
        assert_eq!(texts(&b), ["l7", "l8", "l9"]);
        assert_eq!((b.lines(), b.evicted()), (3, 7));
        assert_eq!(b.iter().map(|e| e.seq).collect::<Vec<_>>(), [7, 8, 9]);
    }

    #[test]
    fn bounded_in_bytes() {
        let limit = 10 * (100 + LINE_OVERHEAD);
        let mut b = LogBuffer::new(Limits {
            max_lines: usize::MAX,
            max_bytes: limit,
        });
        for i in 0..1000 {
            b.push(0, line(&"x".repeat(100), i, false));
            assert!(b.bytes() <= limit);
        }
        assert_eq!(b.len(), 10);
    }

    #[test]
    fn continuations_join_their_own_sources_record() {
        let mut b = LogBuffer::default();
        b.push(0, line("ERROR failed", 1, false));
        b.push(1, line("other pod says hi", 1, false));
        assert_eq!(b.push(0, line("\tat Foo.bar", 2, true)), Pushed::Joined(0));
        assert_eq!(
            texts(&b),
            ["ERROR failed|\tat Foo.bar", "other pod says hi"]
        );
        // Evicting the record takes its whole trace.
        assert_eq!(b.lines(), 3);
    }

    #[test]
    fn a_continuation_without_a_record_starts_one() {
        let mut b = LogBuffer::default();
        assert_eq!(b.push(0, line("\tat orphan", 1, true)), Pushed::New(0));
        b.note(0, NoteKind::Info, "reconnected".into());
        // A note is never continued.
        assert_eq!(b.push(0, line("\tat again", 2, true)), Pushed::New(2));
    }

    #[test]
    fn lines_from_several_sources_merge_by_time() {
        let mut b = LogBuffer::default();
        for s in [10, 20, 30] {
            b.push(0, line(&format!("a{s}"), s, false));
        }
        // The second source's backlog arrives later but belongs in between.
        for s in [5, 15, 25, 35] {
            b.push(1, line(&format!("b{s}"), s, false));
        }
        assert_eq!(texts(&b), ["b5", "a10", "b15", "a20", "b25", "a30", "b35"]);
        assert_eq!(b.position(3), Some(0), "seq 3 (b5) went to the front");
    }

    #[test]
    fn one_huge_entry_is_kept_alone() {
        let mut b = LogBuffer::new(Limits {
            max_lines: 2,
            max_bytes: usize::MAX,
        });
        b.push(0, line("head", 1, false));
        for i in 0..5 {
            b.push(0, line(&format!("\tframe {i}"), 1, true));
        }
        assert_eq!(b.len(), 1, "the newest entry stays even when over the cap");
        b.push(0, line("next", 2, false));
        assert_eq!(texts(&b), ["next"]);
    }

    #[test]
    fn a_timed_note_sits_after_its_sources_last_line() {
        let mut b = LogBuffer::new(Limits::default());
        b.push(0, line("a1", 10, false));
        b.push(0, line("a2", 20, false));
        b.push(1, line("b1", 15, false));
        b.push(1, line("b2", 30, false));
        // Source 0 exited after its line at 20: the note goes there, not after b2.
        b.note_at(
            0,
            NoteKind::Warning,
            "a exited".into(),
            Timestamp::from_second(20).unwrap_or_default(),
        );
        b.note(1, NoteKind::Info, "now".into());
        let texts: Vec<&str> = b.iter().map(|e| e.lines[0].as_str()).collect();
        assert_eq!(texts, ["a1", "b1", "a2", "a exited", "b2", "now"]);
        assert_eq!(b.lines(), 6);
    }
}
