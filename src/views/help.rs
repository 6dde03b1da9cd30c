//! The help overlay, generated from the keymap and the command table so it lists every key and
//! command that exists (mutations are left out in read-only mode, where they are refused).

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::theme::Theme;
use crate::app::keymap::{Keymap, Section, is_mutation};
use crate::app::update::COMMANDS;

pub fn lines(theme: &Theme, keymap: &Keymap, readonly: bool) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let sections = [
        Section::Global,
        Section::Table,
        Section::Logs,
        Section::Panes,
        Section::Terminal,
    ];
    for (section, b) in sections.iter().flat_map(|s| {
        keymap
            .bindings
            .iter()
            .filter(move |b| b.section == *s)
            .map(move |b| (*s, b))
    }) {
        if b.desc.is_empty() || (readonly && is_mutation(b.action)) || b.keys.is_empty() {
            continue;
        }
        let title = section.title();
        if !out.iter().any(|l: &Line| l.to_string() == title) {
            if !out.is_empty() {
                out.push(Line::raw(""));
            }
            out.push(Line::styled(title, theme.header));
        }
        let keys = b
            .keys
            .iter()
            .map(|k| k.label())
            .collect::<Vec<_>>()
            .join(" ");
        let keys = if b.name == "sort_1" {
            format!("{keys}-9")
        } else {
            keys
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {keys:<16}"), theme.accent),
            Span::raw(b.desc),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled("Commands", theme.header));
    for (names, arg, desc) in COMMANDS {
        let cmd = format!(
            ":{} {arg}",
            names.iter().take(2).copied().collect::<Vec<_>>().join(" :")
        );
        out.push(Line::from(vec![
            Span::styled(format!("  {cmd:<24}"), theme.accent),
            Span::raw(*desc),
        ]));
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        "While typing a filter or command: Enter applies, Esc cancels.",
        theme.muted,
    ));
    out.push(Line::styled(
        "Log search and filters: plain text (smart case), ~regex; Esc clears them.",
        theme.muted,
    ));
    out.push(Line::styled(
        "Tekton step logs are captured as steps end; gone pods replay (\"captured\").",
        theme.muted,
    ));
    if readonly {
        out.push(Line::styled(
            "Read-only mode: delete, cancel and rerun are disabled.",
            theme.warning,
        ));
    }
    out
}

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    scroll: usize,
    theme: &Theme,
    keymap: &Keymap,
    readonly: bool,
) {
    let content = lines(theme, keymap, readonly);
    let height = u16::try_from(content.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let visible = usize::from(height.saturating_sub(2));
    let scroll = scroll.min(content.len().saturating_sub(visible));
    let more = if scroll + visible < content.len() {
        "; j/↓ for more"
    } else {
        ""
    };
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(110.min(area.width))])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" help (Esc or ? closes{more}) "))
        .border_style(theme.accent);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(content).block(block).scroll((scroll, 0)),
        popup,
    );
}
