//! The pods table. Only the visible rows are formatted (the table is virtualized), so 10,000 pods
//! cost the same per frame as 40.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table, Wrap};

use super::text::clean;
use super::theme::Theme;
use crate::app::App;
use crate::app::pods_table::Column;
use crate::kube::informer::{InformerState, ResourceKind};
use crate::kube::pod_row::{Health, PodRow};

pub fn health_style(theme: &Theme, h: Health) -> Style {
    match h {
        Health::Ok => theme.ok,
        Health::Pending => theme.pending,
        Health::Warning => theme.warning,
        Health::Error => theme.error,
        Health::Done => theme.done,
    }
}

/// Columns shown at this width: IP, then NODE, go first when space is short.
pub fn columns(app: &App, width: u16) -> Vec<Column> {
    Column::ALL
        .into_iter()
        .filter(|c| *c != Column::Namespace || app.all_namespaces())
        .filter(|c| *c != Column::Ip || width >= 120)
        .filter(|c| *c != Column::Node || width >= 90)
        .collect()
}

fn cell(row: &PodRow, col: Column, app: &App) -> String {
    match col {
        Column::Namespace => clean(&row.namespace).into_owned(),
        Column::Name => clean(&row.name).into_owned(),
        Column::Ready => row.ready.clone(),
        Column::Status => clean(&row.status).into_owned(),
        Column::Restarts => row.restarts_text(app.now),
        Column::Age => row.age_text(app.now),
        Column::Node => clean(&row.node).into_owned(),
        Column::Ip => row.ip.clone(),
    }
}

/// Rows of the table area that hold pods (the area less its border and header).
pub fn body_height(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let sort_mark = if app.pods.descending { "↓" } else { "↑" };
    let filter = if app.pods.filter.is_empty() {
        String::new()
    } else {
        format!(" /{}", clean(&app.pods.filter.text))
    };
    let title = format!(
        " pods({}) [{}/{}]{} ",
        app.scope,
        app.pods.len(),
        app.pods.total(),
        filter
    );
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.muted)
        .title(Line::styled(title, theme.accent));

    if app.pods.is_empty() {
        let (style, text) = empty_message(app, theme);
        let p = Paragraph::new(text)
            .style(style)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(block);
        frame.render_widget(p, area);
        return;
    }

    let cols = columns(app, area.width);
    let height = body_height(area);
    let first = app.pods.offset;
    let visible: Vec<(usize, &PodRow)> = (first..(first + height).min(app.pods.len()))
        .filter_map(|i| app.pods.row(i).map(|r| (i, r)))
        .collect();
    let texts: Vec<Vec<String>> = visible
        .iter()
        .map(|(_, r)| cols.iter().map(|c| cell(r, *c, app)).collect())
        .collect();
    let widths: Vec<Constraint> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = texts
                .iter()
                .map(|t| t[i].chars().count())
                .max()
                .unwrap_or(0)
                .max(c.title().len() + usize::from(*c == app.pods.sort));
            let cap = if *c == Column::Name { 64 } else { 40 };
            Constraint::Length(u16::try_from(widest.min(cap)).unwrap_or(40))
        })
        .collect();
    let header = Row::new(cols.iter().map(|c| {
        let mark = if *c == app.pods.sort { sort_mark } else { "" };
        format!("{}{mark}", c.title())
    }))
    .style(theme.header);
    let rows = visible.iter().zip(texts).map(|((i, r), t)| {
        let style = if *i == app.pods.selected {
            theme.selection
        } else {
            health_style(theme, r.health)
        };
        Row::new(t).style(style)
    });
    let table = Table::new(rows, widths)
        .header(header)
        .block(block)
        .column_spacing(2)
        .flex(ratatui::layout::Flex::Start);
    frame.render_widget(table, area);
}

/// Why there is nothing to show, in words a person can act on.
fn empty_message(app: &App, theme: &Theme) -> (Style, String) {
    if !app.pods.filter.is_empty() && app.pods.total() > 0 {
        return (
            theme.muted,
            format!(
                "No pods match the filter {:?} (Esc clears it)",
                app.pods.filter.text
            ),
        );
    }
    match app.informer(ResourceKind::Pods) {
        InformerState::Syncing => (theme.pending, format!("Loading pods from {} …", app.server)),
        InformerState::Live => (
            theme.muted,
            format!(
                "No pods in {}",
                if app.all_namespaces() {
                    "any namespace".into()
                } else {
                    format!("namespace {}", app.scope)
                }
            ),
        ),
        InformerState::Reconnecting(e) => (
            theme.error,
            format!("{} — {}\nRetrying with backoff…", app.server, clean(&e)),
        ),
        InformerState::Forbidden(e) => (
            theme.error,
            format!(
                "Forbidden: {}\nAsk for list/watch on pods, or pick a namespace with :ns NAME",
                clean(&e)
            ),
        ),
        InformerState::NotInstalled => (
            theme.error,
            "The pods API is not served by this cluster".into(),
        ),
    }
}
