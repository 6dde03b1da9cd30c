//! A log pane: entries turned into rows (prefix, optional time, text or compact JSON), wrapped
//! to the pane's width, with search matches highlighted. Only the entries around the viewport
//! are formatted, so a full ring costs the same per frame as a short one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use unicode_width::UnicodeWidthChar;

use super::theme::Theme;
use crate::app::logs::buffer::Entry;
use crate::app::logs::pane::LogPane;
use crate::app::logs::pattern::Pattern;
use crate::logline::json;
use crate::logline::record::Level;
use crate::logline::source::{NoteKind, SourceState};

/// Widest source prefix before it is cut.
const PREFIX_MAX: usize = 24;

/// The area inside the pane's border.
pub fn inner(area: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(area)
}

fn level_style(theme: &Theme, level: Option<Level>) -> Style {
    match level {
        Some(Level::Error) => theme.error,
        Some(Level::Warn) => theme.warning,
        Some(Level::Debug | Level::Trace) => theme.muted,
        _ => Style::default(),
    }
}

/// Split `text` into spans, highlighting the search matches.
fn highlighted(
    text: String,
    style: Style,
    search: Option<&Pattern>,
    theme: &Theme,
) -> Vec<Span<'static>> {
    let Some(p) = search else {
        return vec![Span::styled(text, style)];
    };
    let ranges = p.ranges(&text);
    if ranges.is_empty() {
        return vec![Span::styled(text, style)];
    }
    let mut out = Vec::new();
    let mut at = 0;
    for r in ranges {
        if r.start > at {
            out.push(Span::styled(text[at..r.start].to_string(), style));
        }
        out.push(Span::styled(text[r.clone()].to_string(), theme.highlight));
        at = r.end;
    }
    if at < text.len() {
        out.push(Span::styled(text[at..].to_string(), style));
    }
    out
}

fn prefix_width(pane: &LogPane) -> usize {
    if pane.sources.len() <= 1 && !pane.request.target.is_many() {
        return 0;
    }
    pane.sources
        .iter()
        .map(|s| s.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(PREFIX_MAX)
}

/// The logical lines (before wrapping) of one entry.
fn entry_lines(
    pane: &LogPane,
    e: &Entry,
    theme: &Theme,
    selected: bool,
    marked: bool,
) -> Vec<Line<'static>> {
    let search = pane.search.as_ref();
    let width = prefix_width(pane);
    let gutter = if selected {
        Span::styled("›", theme.accent)
    } else if marked {
        Span::styled("┃", theme.accent)
    } else {
        Span::raw(" ")
    };
    let mut head: Vec<Span<'static>> = vec![gutter];
    if width > 0 {
        let label = pane
            .source(e.source)
            .map(|s| s.label.as_str())
            .unwrap_or("");
        let label: String = label.chars().take(width).collect();
        let style = theme.sources[usize::from(e.source) % theme.sources.len()];
        head.push(Span::styled(format!("{label:<width$} "), style));
    }
    if pane.timestamps {
        let ts =
            e.ts.map(|t| t.strftime("%m-%d %H:%M:%S%.3f ").to_string())
                .unwrap_or_else(|| " ".repeat(19));
        head.push(Span::styled(ts, theme.muted));
    }
    if let Some(kind) = e.note {
        let style = match kind {
            NoteKind::Info => theme.accent,
            NoteKind::Warning => theme.warning,
        };
        let mut spans = head;
        spans.push(Span::styled(format!("── {} ──", e.lines.join(" ")), style));
        return vec![Line::from(spans)];
    }
    let indent: Vec<Span<'static>> = head
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i == 0 {
                Span::styled(if marked { "┃" } else { " " }, theme.accent)
            } else {
                Span::raw(" ".repeat(s.content.chars().count()))
            }
        })
        .collect();
    let base = level_style(theme, e.level);
    let mut out = Vec::new();
    for (i, text) in e.lines.iter().enumerate() {
        let mut spans = if i == 0 { head.clone() } else { indent.clone() };
        match json::parse(text).filter(|_| i == 0) {
            Some(j) => {
                if let Some(t) = j.clock() {
                    spans.extend(highlighted(t + " ", theme.muted, search, theme));
                }
                if let Some(l) = j.level {
                    let style =
                        level_style(theme, Level::from_word(&l)).add_modifier(Modifier::BOLD);
                    spans.extend(highlighted(
                        format!("{} ", l.to_uppercase()),
                        style,
                        search,
                        theme,
                    ));
                }
                if let Some(m) = j.msg {
                    spans.extend(highlighted(
                        m,
                        base.add_modifier(Modifier::BOLD),
                        search,
                        theme,
                    ));
                }
                for (k, v) in j.fields {
                    spans.push(Span::styled(format!(" {k}="), theme.muted));
                    spans.extend(highlighted(v, base, search, theme));
                }
                out.push(Line::from(spans));
                if pane.expanded.contains(&e.seq)
                    && let Some(pretty) = json::pretty(text)
                {
                    for p in pretty {
                        let mut row = indent.clone();
                        row.extend(highlighted(p, theme.muted, search, theme));
                        out.push(Line::from(row));
                    }
                }
            }
            None => {
                spans.extend(highlighted(text.clone(), base, search, theme));
                out.push(Line::from(spans));
            }
        }
    }
    out
}

/// Cut a line into rows of at most `width` columns.
fn wrap(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    if width == 0 {
        return vec![line];
    }
    let mut rows = Vec::new();
    let mut row: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !piece.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut piece), span.style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            piece.push(c);
            used += w;
        }
        if !piece.is_empty() {
            row.push(Span::styled(piece, span.style));
        }
    }
    rows.push(Line::from(row));
    rows
}

fn rows_of(
    pane: &LogPane,
    e: &Entry,
    theme: &Theme,
    width: usize,
    selected: bool,
    marked: bool,
) -> Vec<Line<'static>> {
    let lines = entry_lines(pane, e, theme, selected, marked);
    if !pane.wrap {
        return lines;
    }
    let mut rows: Vec<Line<'static>> = lines.into_iter().flat_map(|l| wrap(l, width)).collect();
    // A giant record (a 16 KiB line wraps to hundreds of rows) would push every other line
    // out of the pane: it keeps a few rows and says how much more there is; Enter opens it.
    if rows.len() > WRAPPED_ROWS_MAX && !pane.expanded.contains(&e.seq) {
        let more = rows.len() - (WRAPPED_ROWS_MAX - 1);
        rows.truncate(WRAPPED_ROWS_MAX - 1);
        rows.push(Line::styled(
            format!("  … {more} more rows of this record (Enter shows it whole)"),
            theme.muted,
        ));
    }
    rows
}

/// The most rows a wrapped record takes until it is opened with Enter.
pub const WRAPPED_ROWS_MAX: usize = 8;

/// Fix the pane's scroll position for an area before drawing: the cursor stays in view.
pub fn settle(pane: &mut LogPane, area: Rect, theme: &Theme) {
    let inner = inner(area);
    let height = usize::from(inner.height);
    let width = usize::from(inner.width);
    pane.page = height.max(1);
    if pane.follow {
        pane.top = None;
        return;
    }
    let visible = pane.visible();
    let Some(cur) = pane.cursor_index(&visible) else {
        return;
    };
    let seq = |i: usize| pane.buffer.get(visible[i]).map(|e| e.seq);
    let index_of = |s: u64| {
        pane.buffer
            .position(s)
            .and_then(|p| visible.binary_search(&p).ok())
    };
    let rows = |i: usize| {
        pane.buffer
            .get(visible[i])
            .map_or(1, |e| rows_of(pane, e, theme, width, false, false).len())
    };
    let mut top = pane.top.and_then(index_of).unwrap_or(cur).min(cur);
    // Scroll down until the cursor's entry fits below `top`.
    let mut used: usize = (top..=cur).map(rows).sum();
    while used > height && top < cur {
        used -= rows(top);
        top += 1;
    }
    // Never leave blank rows at the bottom while older entries exist (just paused, or a filter
    // left few entries after the cursor): pull the view down.
    let mut filled = used;
    for i in cur + 1..visible.len() {
        if filled >= height {
            break;
        }
        filled += rows(i);
    }
    while top > 0 && filled + rows(top - 1) <= height {
        top -= 1;
        filled += rows(top);
    }
    // The cursor's own entry may be filtered out: it moves to the one shown in its place.
    let (cursor, top) = (seq(cur), seq(top));
    pane.cursor = cursor;
    pane.top = top;
}

fn status_line(pane: &LogPane) -> String {
    let mut parts = Vec::new();
    if let Some(c) = &pane.captured {
        parts.push(format!("captured {c}"));
    }
    // "following" only where lines can still arrive: not for a previous instance, a one-shot
    // read, a replayed capture, or once every source has ended.
    let streaming =
        |s: &SourceState| matches!(s, SourceState::Streaming | SourceState::Reconnecting(_));
    let live = pane.request.options.follow
        && !pane.request.options.previous
        && (pane.sources.is_empty() || pane.sources.iter().any(|s| streaming(&s.state)));
    if !live {
        // Short: the status line is narrow in a split pane.
        let why = if pane.request.options.previous {
            "■ previous instance"
        } else if pane.captured.is_some() {
            "■ not live"
        } else {
            "■ ended"
        };
        parts.push(why.into());
    } else if pane.follow {
        parts.push("● following".into());
    } else if pane.unseen > 0 {
        parts.push(format!("⏸ paused · {} new (G follows)", pane.unseen));
    } else {
        parts.push("⏸ paused".into());
    }
    parts.push(format!("{} lines", pane.buffer.lines()));
    if pane.buffer.evicted() > 0 {
        parts.push(format!("{} dropped (cap)", pane.buffer.evicted()));
    }
    if let Some(f) = &pane.filter {
        parts.push(format!("filter {}", f.label()));
    }
    if let Some(s) = &pane.search {
        parts.push(format!("search {}", s.text));
    }
    if let Some(l) = pane.min_level {
        parts.push(format!("{}+", l.label()));
    }
    if pane.failed_only {
        parts.push("failed steps".into());
    }
    if let Some(since) = pane.request.options.since {
        parts.push(format!(
            "since {}",
            crate::kube::log_request::since_label(since)
        ));
    }
    let count = |f: fn(&SourceState) -> bool| pane.sources.iter().filter(|s| f(&s.state)).count();
    let reconnecting = count(|s| matches!(s, SourceState::Reconnecting(_)));
    let lost = count(
        |s| matches!(s, SourceState::Reconnecting(why) if why == crate::kube::liveness::SILENT),
    );
    let gone = count(|s| matches!(s, SourceState::Gone));
    let failed = count(|s| matches!(s, SourceState::Failed(_)));
    let interrupted = count(|s| matches!(s, SourceState::Interrupted));
    if pane.sources.len() > 1 {
        parts.push(format!("{} streams", pane.sources.len()));
    }
    if lost > 0 {
        parts.push("connection lost".into());
    }
    if reconnecting > 0 {
        parts.push(format!("{reconnecting} reconnecting"));
    }
    if gone > 0 {
        parts.push(format!("{gone} gone"));
    }
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    if interrupted > 0 {
        parts.push(format!("{interrupted} interrupted"));
    }
    if !pane.wrap {
        parts.push("nowrap".into());
    }
    format!(" {} ", parts.join(" │ "))
}

pub fn draw(frame: &mut Frame, area: Rect, pane: &LogPane, focused: bool, theme: &Theme) {
    let border = if focused { theme.accent } else { theme.muted };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::styled(
            format!(" {} ", super::text::clean(&pane.title())),
            border,
        ))
        .title_bottom(Line::styled(status_line(pane), theme.muted));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let height = usize::from(inner.height);
    let width = usize::from(inner.width);
    if let Some(err) = &pane.error {
        let text = vec![Line::styled(
            super::text::clean(&err.to_string()).into_owned(),
            theme.error,
        )];
        frame.render_widget(Paragraph::new(text), inner);
        return;
    }
    // Walk the ring from the viewport's edge, filtering as we go: a frame costs the entries on
    // screen, not a scan of the whole ring.
    let position = |seq: Option<u64>| seq.and_then(|s| pane.buffer.position(s));
    let cursor = if pane.follow {
        None
    } else {
        position(pane.cursor)
    };
    let marked_range = position(pane.mark)
        .zip(cursor)
        .map(|(a, b)| (a.min(b), a.max(b)));
    let entry_rows = |at: usize, e: &Entry| -> Vec<Line<'static>> {
        let marked = marked_range.is_some_and(|(a, b)| (a..=b).contains(&at));
        rows_of(pane, e, theme, width, Some(at) == cursor, marked)
    };
    let shown = |(_, e): &(usize, &Entry)| pane.shows(e);
    let mut rows: Vec<Line<'static>> = Vec::new();
    let top = if pane.follow {
        None
    } else {
        position(pane.top)
    };
    match top {
        Some(top) => {
            for (at, e) in pane.buffer.iter().enumerate().skip(top).filter(shown) {
                if rows.len() >= height {
                    break;
                }
                rows.extend(entry_rows(at, e));
            }
            rows.truncate(height);
        }
        None => {
            // Bottom-aligned: the newest entries, walking back until the pane is full.
            let mut chunks = Vec::new();
            let mut used = 0;
            for (at, e) in pane.buffer.iter().enumerate().rev().filter(shown) {
                if used >= height {
                    break;
                }
                let r = entry_rows(at, e);
                used += r.len();
                chunks.push(r);
            }
            for chunk in chunks.into_iter().rev() {
                rows.extend(chunk);
            }
            let extra = rows.len().saturating_sub(height);
            rows.drain(..extra);
        }
    }
    if rows.is_empty() {
        let text = if pane.buffer.is_empty() {
            "waiting for log lines…"
        } else {
            "no lines match (Esc clears search and filters)"
        };
        frame.render_widget(Paragraph::new(Line::styled(text, theme.muted)), inner);
        return;
    }
    frame.render_widget(Paragraph::new(rows), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_giant_record_keeps_a_few_rows_until_opened() {
        use crate::kube::log_request::LogOptions;
        use crate::logline::record::Line as LogLine;
        let mut pane = crate::app::fixture::log_pane(LogOptions::default());
        let giant = "x".repeat(16 * 1024);
        pane.push_lines(
            0,
            vec![LogLine {
                ts: None,
                text: giant,
                level: None,
                continuation: false,
                shown: None,
            }],
        );
        let theme = Theme::monochrome();
        let e = pane.buffer.get(0).cloned().expect("no entry");
        let rows = rows_of(&pane, &e, &theme, 70, false, false);
        assert_eq!(rows.len(), WRAPPED_ROWS_MAX);
        let last: String = rows[rows.len() - 1]
            .spans
            .iter()
            .map(|s| s.content.as_ref())
            .collect();
        assert!(
            last.contains("more rows of this record (Enter shows it whole)"),
            "{last}"
        );
        pane.expanded.insert(e.seq);
        assert!(rows_of(&pane, &e, &theme, 70, false, false).len() > 200);
    }

    #[test]
    fn wrapping_respects_display_width() {
        let line = Line::from(vec![Span::raw("ab"), Span::raw("日本語x")]);
        let rows = wrap(line, 4);
        let text: Vec<String> = rows
            .iter()
            .map(|r| r.spans.iter().map(|s| s.content.to_string()).collect())
            .collect();
        assert_eq!(text, ["ab日", "本語", "x"]);
    }
}

#[cfg(test)]
mod live_tests {
    use super::*;

    use crate::kube::log_request::LogOptions;

    use crate::logline::source::Source;

    fn pane(options: LogOptions) -> LogPane {
        crate::app::fixture::log_pane(options)
    }

    fn source(state: SourceState) -> Source {
        Source {
            pod: "web-1".into(),
            container: "app".into(),
            label: "app".into(),
            state,
        }
    }

    #[test]
    fn only_a_live_stream_says_following() {
        let mut live = pane(LogOptions::default());
        live.set_source(0, source(SourceState::Streaming));
        assert!(status_line(&live).contains("● following"));
        let previous = pane(LogOptions {
            previous: true,
            follow: false,
            ..LogOptions::default()
        });
        let text = status_line(&previous);
        assert!(
            text.contains("■ previous instance") && !text.contains("following"),
            "{text}"
        );
        let mut captured = pane(LogOptions::default());
        captured.set_source(0, source(SourceState::Ended(Some(1))));
        captured.captured = Some("2026-11-22 10:00:00".into());
        let text = status_line(&captured);
        assert!(
            text.contains("captured 2026")
                && text.contains("■ not live")
                && !text.contains("following"),
            "{text}"
        );
        let mut ended = pane(LogOptions::default());
        ended.set_source(0, source(SourceState::Gone));
        assert!(status_line(&ended).contains("■ ended"));
    }
}
