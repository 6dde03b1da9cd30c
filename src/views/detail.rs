//! The describe / YAML pane: styled lines from the app state, scrolled, with search matches
//! highlighted.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::table::block;
use super::text::clean;
use super::theme::Theme;
use crate::app::App;
use crate::app::detail::{Detail, DetailKind, DetailStatus, Role};
use crate::app::filter::contains_ci;

pub fn role_style(theme: &Theme, role: Role) -> Style {
    match role {
        Role::Plain => Style::default(),
        Role::Heading => theme.heading,
        Role::Key => theme.key,
        Role::Str => theme.string,
        Role::Number => theme.number,
        Role::Literal => theme.literal,
        Role::Muted => theme.muted,
        Role::Ok => theme.ok,
        Role::Warning => theme.warning,
        Role::Error => theme.error,
    }
}

/// Rows of text the pane shows (less its border).
pub fn body_height(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(2))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, d: &Detail, theme: &Theme) {
    let mut extra = String::new();
    if d.kind == DetailKind::Yaml && d.show_managed_fields {
        extra.push_str(" +managedFields");
    }
    if !d.search.is_empty() {
        extra.push_str(&format!(" /{} ({} matches)", d.search, d.matches.len()));
    }
    if !d.lines.is_empty() {
        extra.push_str(&format!(
            " [{}-{}/{}]",
            d.scroll + 1,
            (d.scroll + body_height(area)).min(d.lines.len()),
            d.lines.len()
        ));
    }
    // A describe follows its informer: when that is not live, it says so as the table does.
    if d.kind == DetailKind::Describe
        && let Some((at, state)) = app.fleet.not_live(&[d.target.kind])
    {
        extra.push_str(&format!(
            " · NOT LIVE ({}) as of {}",
            state.short(),
            super::table::clock_time(at)
        ));
    }
    let block = block(app, &extra, theme, area.width);
    if let Some(status) = &d.status {
        let text = match status {
            DetailStatus::Loading => "loading…".to_string(),
            DetailStatus::NotShown(cluster) => format!("{cluster} is no longer shown"),
            DetailStatus::Gone => format!("{} is gone (or not loaded yet)", d.target.label()),
            DetailStatus::CannotGet(e) => format!("cannot get {}: {e}", d.target.label()),
        };
        frame.render_widget(
            Paragraph::new(clean(&text).into_owned())
                .style(theme.pending)
                .alignment(Alignment::Center)
                .block(block),
            area,
        );
        return;
    }
    let needle = d.search.to_lowercase();
    let lines: Vec<Line> = d
        .lines
        .iter()
        .skip(d.scroll)
        .take(body_height(area))
        .map(|l| {
            let text = Detail::line_text(l);
            let hit = !needle.is_empty() && contains_ci(&text, &needle);
            let spans: Vec<Span> = l
                .iter()
                .map(|s| {
                    let style = if hit {
                        theme.highlight
                    } else {
                        role_style(theme, s.role)
                    };
                    Span::styled(clean(&s.text).into_owned(), style)
                })
                .collect();
            Line::from(spans)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
