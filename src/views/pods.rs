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
    let desired: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = texts
                .iter()
                .map(|t| t[i].chars().count())
                .max()
                .unwrap_or(0);
            let title = c.title().len() + usize::from(*c == app.pods.sort);
            widest
                .max(title)
                .min(if *c == Column::Name { 64 } else { 40 })
        })
        .collect();
    let (widths, spacing) = fit_columns(&cols, &desired, usize::from(area.width.saturating_sub(2)));
    let widths: Vec<Constraint> = widths
        .into_iter()
        .map(|w| Constraint::Length(u16::try_from(w).unwrap_or(u16::MAX)))
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
        .column_spacing(spacing)
        .flex(ratatui::layout::Flex::Start);
    frame.render_widget(table, area);
}

/// Fit the columns into `available` cells: full widths with two spaces between columns if they
/// fit, else one space, else shrink the least important columns first so NAME is cut last.
pub fn fit_columns(cols: &[Column], desired: &[usize], available: usize) -> (Vec<usize>, u16) {
    let total: usize = desired.iter().sum();
    let gaps = cols.len().saturating_sub(1);
    if total + 2 * gaps <= available {
        return (desired.to_vec(), 2);
    }
    let mut widths = desired.to_vec();
    let mut over = (total + gaps).saturating_sub(available);
    // Shrink order and the narrowest each column may become.
    let order = [
        (Column::Namespace, 6),
        (Column::Node, 8),
        (Column::Status, 9),
        (Column::Restarts, 5),
        (Column::Ready, 3),
        (Column::Name, 12),
    ];
    for (col, min) in order {
        if over == 0 {
            break;
        }
        if let Some(i) = cols.iter().position(|c| *c == col) {
            let cut = widths[i].saturating_sub(min).min(over);
            widths[i] -= cut;
            over -= cut;
        }
    }
    (widths, 1)
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

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 6] = [
        Column::Namespace,
        Column::Name,
        Column::Ready,
        Column::Status,
        Column::Restarts,
        Column::Age,
    ];

    #[test]
    fn wide_enough_keeps_everything_with_two_spaces() {
        let (w, gap) = fit_columns(&COLS, &[10, 34, 5, 9, 8, 5], 200);
        assert_eq!((w, gap), (vec![10, 34, 5, 9, 8, 5], 2));
    }

    #[test]
    fn narrow_tightens_spacing_then_shrinks_namespace_before_name() {
        // 71 cells of content + 5 gaps in 78: one space between columns is enough.
        assert_eq!(
            fit_columns(&COLS, &[10, 34, 5, 9, 8, 5], 78),
            (vec![10, 34, 5, 9, 8, 5], 1)
        );
        // 10 cells short: NAMESPACE gives 4 (down to 6), STATUS 0 (at 9), RESTARTS 3, READY 2, then NAME 1.
        let (w, _) = fit_columns(&COLS, &[10, 34, 5, 9, 8, 5], 66);
        assert_eq!(w, vec![6, 33, 3, 9, 5, 5]);
        assert_eq!(w.iter().sum::<usize>() + 5, 66);
    }
}
