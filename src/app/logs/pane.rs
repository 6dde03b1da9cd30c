//! A log pane's state: the ring, its sources, follow/pause, the cursor, search, filter, level
//! and display switches. Changed only by `update` (keys) and by the runtime (new lines).

use std::collections::HashSet;

use super::buffer::{Entry, LogBuffer};
use super::pattern::{LineFilter, Pattern};
use crate::kube::log_request::LogRequest;
use crate::kube::logs::{LogFailure, StreamKey};
use crate::logline::record::{Level, Line};
use crate::logline::source::{NoteKind, Source, SourceId, SourceState};

/// Where one stream stands.
#[derive(Debug, Clone)]
pub struct LogPane {
    /// The stream feeding this pane (a restart gets a new one, so late lines of the old
    /// stream never land here).
    pub stream: StreamKey,
    pub request: LogRequest,
    pub sources: Vec<Source>,
    pub buffer: LogBuffer,
    pub follow: bool,
    /// The selected entry (by seq) while not following.
    pub cursor: Option<u64>,
    /// First entry shown (by seq) while not following; kept by the view so the screen is steady.
    pub top: Option<u64>,
    /// Lines that arrived while paused.
    pub unseen: u64,
    pub wrap: bool,
    pub timestamps: bool,
    pub search: Option<Pattern>,
    pub filter: Option<LineFilter>,
    pub min_level: Option<Level>,
    pub failed_only: bool,
    /// Entries whose JSON is shown in full.
    pub expanded: HashSet<u64>,
    /// Start of a copy selection (by seq).
    pub mark: Option<u64>,
    /// Set when the pane shows logs captured earlier instead of a live stream.
    pub captured: Option<String>,
    /// Why the pane has no stream (forbidden, not found...).
    pub error: Option<LogFailure>,
    /// Rows shown last frame, for paging.
    pub page: usize,
    /// Several clusters are shown: the title names the request's.
    pub show_cluster: bool,
}

impl LogPane {
    pub fn new(stream: StreamKey, request: LogRequest, buffer: LogBuffer) -> Self {
        Self {
            stream,
            request,
            sources: Vec::new(),
            buffer,
            follow: true,
            cursor: None,
            top: None,
            unseen: 0,
            wrap: true,
            timestamps: false,
            search: None,
            filter: None,
            min_level: None,
            failed_only: false,
            expanded: HashSet::new(),
            mark: None,
            captured: None,
            error: None,
            page: 10,
            show_cluster: false,
        }
    }

    pub fn title(&self) -> String {
        let prev = if self.request.options.previous {
            " (previous)"
        } else {
            ""
        };
        if self.show_cluster {
            return format!(
                "logs {}: {}{prev}",
                self.request.cluster, self.request.target
            );
        }
        format!("logs {}{prev}", self.request.target)
    }

    /// Add lines from a source.
    pub fn push_lines(&mut self, source: SourceId, lines: Vec<Line>) {
        for line in lines {
            self.buffer.push(source, line);
            if !self.follow {
                self.unseen += 1;
            }
        }
        self.forget_evicted();
    }

    pub fn note(&mut self, source: SourceId, kind: NoteKind, text: String) {
        self.note_at(source, kind, text, None);
    }

    /// A note placed among the lines at `at`, or at the end.
    pub fn note_at(
        &mut self,
        source: SourceId,
        kind: NoteKind,
        text: String,
        at: Option<jiff::Timestamp>,
    ) {
        match at {
            Some(ts) => self.buffer.note_at(source, kind, text, ts),
            None => self.buffer.note(source, kind, text),
        };
        self.forget_evicted();
    }

    /// The cursor and top may point at entries the ring dropped: move them to the oldest.
    fn forget_evicted(&mut self) {
        let oldest = self.buffer.iter().next().map(|e| e.seq);
        for slot in [&mut self.cursor, &mut self.top] {
            if let Some(seq) = *slot
                && self.buffer.position(seq).is_none()
            {
                *slot = oldest;
            }
        }
    }

    pub fn source(&self, id: SourceId) -> Option<&Source> {
        self.sources.get(usize::from(id))
    }

    pub fn set_source(&mut self, id: SourceId, source: Source) {
        let i = usize::from(id);
        if self.sources.len() <= i {
            self.sources.resize(
                i + 1,
                Source {
                    pod: String::new(),
                    container: String::new(),
                    label: String::new(),
                    state: SourceState::Streaming,
                },
            );
        }
        self.sources[i] = source;
    }

    pub fn set_state(&mut self, id: SourceId, state: SourceState) {
        if let Some(s) = self.sources.get_mut(usize::from(id)) {
            s.state = state;
        }
    }

    /// Whether an entry passes the filter, the level and the failed-steps switch.
    pub fn shows(&self, e: &Entry) -> bool {
        if e.note.is_some() {
            return true;
        }
        if self.failed_only && !self.source(e.source).is_some_and(Source::failed) {
            return false;
        }
        if let Some(min) = self.min_level
            && e.level.is_none_or(|l| l < min)
        {
            return false;
        }
        match &self.filter {
            Some(f) => f.keeps(e.shown_lines()),
            None => true,
        }
    }

    /// Buffer positions of the entries shown, oldest first.
    pub fn visible(&self) -> Vec<usize> {
        self.buffer
            .iter()
            .enumerate()
            .filter(|(_, e)| self.shows(e))
            .map(|(i, _)| i)
            .collect()
    }

    /// Index into `visible` of the cursor (the last entry when following).
    pub fn cursor_index(&self, visible: &[usize]) -> Option<usize> {
        if visible.is_empty() {
            return None;
        }
        let last = visible.len() - 1;
        if self.follow {
            return Some(last);
        }
        let Some(seq) = self.cursor else {
            return Some(last);
        };
        let pos = self.buffer.position(seq)?;
        // The cursor's entry may be filtered out: take the nearest shown one before it.
        Some(match visible.binary_search(&pos) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1).min(last),
        })
    }

    fn seq_at(&self, visible: &[usize], i: usize) -> Option<u64> {
        visible
            .get(i)
            .and_then(|&p| self.buffer.get(p))
            .map(|e| e.seq)
    }

    /// Move the cursor by `delta` entries; moving up pauses following.
    pub fn move_by(&mut self, delta: isize) {
        let visible = self.visible();
        let Some(at) = self.cursor_index(&visible) else {
            return;
        };
        let last = visible.len() - 1;
        let to = at.saturating_add_signed(delta).min(last);
        if delta < 0 || !self.follow {
            self.pause();
        }
        self.cursor = self.seq_at(&visible, to);
    }

    pub fn to_top(&mut self) {
        let visible = self.visible();
        self.pause();
        self.cursor = self.seq_at(&visible, 0);
    }

    pub fn pause(&mut self) {
        if self.follow {
            self.follow = false;
            self.unseen = 0;
            let visible = self.visible();
            let last = visible.len().saturating_sub(1);
            self.cursor = self.seq_at(&visible, last);
        }
    }

    /// Follow again from the newest line.
    pub fn resume(&mut self) {
        self.follow = true;
        self.cursor = None;
        self.top = None;
        self.unseen = 0;
    }

    pub fn toggle_follow(&mut self) {
        if self.follow {
            self.pause();
        } else {
            self.resume();
        }
    }

    /// Move to the next (or previous) entry matching the search; false when there is none.
    pub fn jump(&mut self, forward: bool) -> bool {
        let Some(search) = self.search.clone() else {
            return false;
        };
        let visible = self.visible();
        let Some(at) = self.cursor_index(&visible) else {
            return false;
        };
        let hit = |i: &usize| {
            self.buffer
                .get(visible[*i])
                .is_some_and(|e| e.shown_lines().any(|l| search.is_match(l)))
        };
        let found = if forward {
            (at + 1..visible.len()).find(hit)
        } else {
            (0..at).rev().find(hit)
        };
        match found {
            Some(i) => {
                self.pause();
                self.cursor = self.seq_at(&visible, i);
                true
            }
            None => false,
        }
    }

    /// The selection as text: the entries from the mark to the cursor (or the cursor's entry).
    pub fn selection_text(&self) -> String {
        let visible = self.visible();
        let Some(at) = self.cursor_index(&visible) else {
            return String::new();
        };
        let from = self
            .mark
            .and_then(|m| self.buffer.position(m))
            .and_then(|p| visible.iter().position(|&v| v >= p))
            .unwrap_or(at);
        let (a, b) = (from.min(at), from.max(at));
        visible[a..=b]
            .iter()
            .filter_map(|&p| self.buffer.get(p))
            .flat_map(|e| e.lines.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every shown entry as plain text for saving: timestamp, source, line.
    pub fn export(&self) -> String {
        let many = self.sources.len() > 1;
        let mut out = String::new();
        for e in self.visible().iter().filter_map(|&p| self.buffer.get(p)) {
            for line in &e.lines {
                if let Some(ts) = e.ts {
                    out.push_str(&format!("{ts:.9} "));
                }
                if many && let Some(s) = self.source(e.source) {
                    out.push_str(&s.label);
                    out.push(' ');
                }
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// Cycle the level filter: all → info+ → warn+ → error → all.
    pub fn cycle_level(&mut self) {
        self.min_level = match self.min_level {
            None => Some(Level::Info),
            Some(Level::Info) => Some(Level::Warn),
            Some(Level::Warn) => Some(Level::Error),
            _ => None,
        };
    }

    /// Toggle the full JSON of the selected entry.
    pub fn toggle_expanded(&mut self) {
        let visible = self.visible();
        if let Some(seq) = self
            .cursor_index(&visible)
            .and_then(|i| self.seq_at(&visible, i))
            && !self.expanded.remove(&seq)
        {
            self.expanded.insert(seq);
        }
    }

    /// Drop what is held (before a restart with other options).
    pub fn reset(&mut self, stream: StreamKey, request: LogRequest) {
        let limits = self.buffer.limits();
        self.stream = stream;
        self.request = request;
        self.buffer = LogBuffer::new(limits);
        self.sources.clear();
        self.expanded.clear();
        self.mark = None;
        self.error = None;
        self.captured = None;
        self.resume();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::log_request::LogOptions;
    use jiff::Timestamp;

    fn pane() -> LogPane {
        crate::app::fixture::log_pane(LogOptions::default())
    }

    fn line(text: &str, secs: i64) -> Line {
        Line {
            ts: Timestamp::from_second(secs).ok(),
            text: text.into(),
            level: crate::logline::record::detect_level(text),
            continuation: false,
            shown: crate::logline::json::shown(text),
        }
    }

    fn fill(p: &mut LogPane, n: i64) {
        p.push_lines(0, (0..n).map(|i| line(&format!("line {i}"), i)).collect());
    }

    fn shown(p: &LogPane) -> Vec<String> {
        p.visible()
            .iter()
            .filter_map(|&i| p.buffer.get(i))
            .map(|e| e.lines[0].clone())
            .collect()
    }

    fn cursor_text(p: &LogPane) -> String {
        let v = p.visible();
        p.cursor_index(&v)
            .and_then(|i| p.buffer.get(v[i]))
            .map(|e| e.lines[0].clone())
            .unwrap_or_default()
    }

    #[test]
    fn pausing_counts_new_lines_and_resuming_jumps_to_the_end() {
        let mut p = pane();
        fill(&mut p, 5);
        assert_eq!(cursor_text(&p), "line 4");
        p.move_by(-1);
        assert!(!p.follow);
        assert_eq!(cursor_text(&p), "line 3");
        p.push_lines(0, vec![line("late 1", 10), line("late 2", 11)]);
        assert_eq!(p.unseen, 2);
        assert_eq!(
            cursor_text(&p),
            "line 3",
            "the cursor stays put while paused"
        );
        p.resume();
        assert_eq!((p.unseen, cursor_text(&p)), (0, "late 2".into()));
    }

    #[test]
    fn search_jumps_between_matches() {
        let mut p = pane();
        p.push_lines(
            0,
            vec![
                line("a ok", 1),
                line("b timeout", 2),
                line("c ok", 3),
                line("d TIMEOUT", 4),
                line("e ok", 5),
            ],
        );
        p.search = Pattern::new("timeout").ok().flatten();
        assert!(p.jump(false));
        assert_eq!(cursor_text(&p), "d TIMEOUT");
        assert!(p.jump(false));
        assert_eq!(cursor_text(&p), "b timeout");
        assert!(!p.jump(false));
        assert!(p.jump(true));
        assert_eq!(cursor_text(&p), "d TIMEOUT");
    }

    #[test]
    fn filter_and_level_hide_entries() {
        let mut p = pane();
        p.push_lines(
            0,
            vec![
                line("INFO started", 1),
                line("WARN slow", 2),
                line("ERROR broke", 3),
                line("no level", 4),
            ],
        );
        p.cycle_level();
        p.cycle_level();
        assert_eq!(p.min_level, Some(Level::Warn));
        assert_eq!(shown(&p), ["WARN slow", "ERROR broke"]);
        p.min_level = None;
        p.filter = LineFilter::new("!e").ok().flatten();
        assert_eq!(shown(&p), ["WARN slow"]);
    }

    #[test]
    fn selection_and_export() {
        let mut p = pane();
        fill(&mut p, 4);
        p.move_by(-2);
        p.mark = p.cursor;
        p.move_by(1);
        assert_eq!(p.selection_text(), "line 1\nline 2");
        let saved = p.export();
        assert_eq!(saved.lines().count(), 4);
        assert!(
            saved.starts_with("1970-01-01T00:00:00.000000000Z line 0\n"),
            "{saved}"
        );
    }

    #[test]
    fn failed_only_shows_failed_sources() {
        let mut p = pane();
        for (id, state) in [
            (0, SourceState::Ended(Some(0))),
            (1, SourceState::Ended(Some(2))),
        ] {
            p.set_source(
                id,
                Source {
                    pod: "p".into(),
                    container: format!("step-{id}"),
                    label: String::new(),
                    state,
                },
            );
        }
        p.push_lines(0, vec![line("fine", 1)]);
        p.push_lines(1, vec![line("broken", 2)]);
        p.failed_only = true;
        assert_eq!(p.visible().len(), 1);
        assert_eq!(cursor_text(&p), "broken");
    }

    #[test]
    fn cursor_survives_eviction() {
        let mut p = pane();
        p.buffer = LogBuffer::new(super::super::buffer::Limits {
            max_lines: 3,
            max_bytes: usize::MAX,
        });
        fill(&mut p, 3);
        p.to_top();
        fill(&mut p, 3);
        assert!(p.cursor.is_some_and(|s| p.buffer.position(s).is_some()));
    }
}
