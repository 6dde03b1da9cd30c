//! Any resource table. Only the visible rows are formatted (the table is virtualized), so
//! 10,000 rows cost the same per frame as 40.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Row, Table as TableWidget, Wrap};

use super::text::clean;
use super::theme::Theme;
use crate::app::App;
use crate::app::table::{Col, Table, TableRow};
use crate::kube::informer::{InformerState, ResourceKind};
use crate::kube::pod_row::Health;

pub fn health_style(theme: &Theme, h: Health) -> Style {
    match h {
        Health::Ok => theme.ok,
        Health::Pending => theme.pending,
        Health::Warning => theme.warning,
        Health::Error => theme.error,
        Health::Done => theme.done,
    }
}

/// Column indices shown at this width (every one when `wide`).
pub fn columns(cols: &[Col], all_namespaces: bool, width: u16, wide: bool) -> Vec<usize> {
    (0..cols.len())
        .filter(|&i| {
            (all_namespaces || !cols[i].namespace) && (wide || width >= cols[i].hide_below)
        })
        .collect()
}

/// Rows of the table area that hold data (the area less its border and header).
pub fn body_height(area: Rect) -> usize {
    usize::from(area.height.saturating_sub(3))
}

/// The block around a table or pane: the breadcrumb and `extra` (counts, filter) as its title.
pub fn block<'a>(app: &App, extra: &str, theme: &Theme, width: u16) -> Block<'a> {
    let crumbs = app.breadcrumb();
    let mut title = String::new();
    // Keep the newest crumbs when the path is too long for the width.
    let budget = usize::from(width).saturating_sub(extra.chars().count() + 6);
    for (i, c) in crumbs.iter().enumerate().rev() {
        let piece = if i + 1 == crumbs.len() {
            c.clone()
        } else {
            format!("{c} › ")
        };
        if title.chars().count() + piece.chars().count() > budget && i + 1 != crumbs.len() {
            title.insert_str(0, "… ");
            break;
        }
        title.insert_str(0, &piece);
    }
    // With several panes, the focused one has the accent border.
    let border = if app.panes.layout.is_split() && app.panes.dashboard_focused() {
        theme.accent
    } else {
        theme.muted
    };
    Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Line::styled(
            clean(&format!(" {title}{extra} ")).into_owned(),
            theme.accent,
        ))
}

pub struct Empty {
    pub style: Style,
    pub text: String,
}

pub fn draw<R: TableRow>(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    table: &Table<R>,
    kinds: &[ResourceKind],
    empty: impl FnOnce() -> Empty,
    theme: &Theme,
) {
    // Rows that are last-known, not live, say so: dimmed, "as of" when they stopped being
    // live, and ages as they were then (a stale table must not look fresh). With several
    // clusters, per row: a cluster that is not live has its rows marked while the others'
    // stay live, each marked row with its "as of" in the CLUSTER column.
    let multi = table.by_cluster();
    let not_live = app.fleet.not_live(kinds);
    let row_not_live = |r: &R| -> Option<(jiff::Timestamp, InformerState)> {
        if multi {
            r.cluster().and_then(|c| app.fleet.not_live_in(c, kinds))
        } else {
            not_live.clone()
        }
    };
    // `:KIND NAMESPACE` lists that namespace whatever the scope.
    let pinned_ns = app
        .resource
        .as_ref()
        .filter(|_| app.view == crate::app::View::Resource)
        .and_then(|r| r.namespace.clone());
    // The RBAC views say what they answer (`can-i(demo)`, `who-can(create pods/exec in demo)`).
    let scope_label = match app.view {
        crate::app::View::CanI => crate::app::access::can_i_title(app),
        crate::app::View::WhoCan => crate::app::access::who_can_title(app),
        crate::app::View::Helm => app.helm.namespace.clone().unwrap_or_else(|| "all".into()),
        crate::app::View::HelmHistory => app
            .helm
            .history_of
            .as_ref()
            .map(|(_, ns, name)| format!("{ns}/{name}"))
            .unwrap_or_default(),
        _ => pinned_ns
            .clone()
            .unwrap_or_else(|| app.fleet.scope.label().to_string()),
    };
    // NAMESPACE is shown unless one namespace is (every namespace, or each context's own).
    let all_namespaces = pinned_ns.is_none() && app.fleet.scope.namespace().is_none();
    let mut extra = format!("({scope_label}) [{}/{}]", table.len(), table.total());
    if let Some(pin) = &table.pin {
        extra.push_str(&format!(" {}", pin.label()));
    }
    if table.only_flagged {
        extra.push_str(" [only flagged]");
    }
    // The namespaces view: its number keys' favourites.
    if app.view == crate::app::View::Namespaces && !app.fleet.favourites().is_empty() {
        let favs: Vec<String> = app
            .fleet
            .favourites()
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{}:{n}", i + 1))
            .collect();
        extra.push_str(&format!(" fav {} 0:all", favs.join(" ")));
    }
    if table.marked() > 0 {
        extra.push_str(&format!(" [{} marked]", table.marked()));
    }
    if table.wide {
        extra.push_str(" [wide]");
    }
    if !table.filter.is_empty() {
        extra.push_str(&format!(" /{}", table.filter.text));
    }
    if multi {
        let stale: Vec<String> = app
            .fleet
            .clusters
            .iter()
            .filter_map(|c| {
                let (at, state) = app.fleet.not_live_in(c, kinds)?;
                Some(format!(
                    "{} ({}) as of {}",
                    c.context(),
                    state.short(),
                    clock_time(at)
                ))
            })
            .collect();
        if !stale.is_empty() {
            extra.push_str(&format!(" · NOT LIVE: {}", stale.join(", ")));
        }
    } else if let Some((at, state)) = &not_live {
        extra.push_str(&format!(
            " · NOT LIVE ({}) as of {}",
            state.short(),
            clock_time(*at)
        ));
    }
    let block = block(app, &extra, theme, area.width);
    if table.is_empty() {
        let e = empty();
        let p = Paragraph::new(e.text)
            .style(e.style)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true })
            .block(block);
        frame.render_widget(p, area);
        return;
    }
    let spec = table.columns();
    let cols = columns(spec, all_namespaces, area.width, table.wide);
    let height = body_height(area);
    let first = table.offset;
    let visible: Vec<(usize, &R)> = (first..(first + height).min(table.len()))
        .filter_map(|i| table.row(i).map(|r| (i, r)))
        .collect();
    let stale: Vec<Option<(jiff::Timestamp, InformerState)>> =
        visible.iter().map(|(_, r)| row_not_live(r)).collect();
    let texts: Vec<Vec<String>> = visible
        .iter()
        .zip(&stale)
        .map(|((_, r), stale)| {
            let now = stale.as_ref().map_or(app.now, |(at, _)| *at);
            cols.iter()
                .map(|&c| {
                    let text = clean(&table.cell(r, c, now)).into_owned();
                    match stale {
                        // The CLUSTER column (first when several are shown) says as of when.
                        Some((at, _)) if multi && c == 0 => {
                            format!("{text} (as of {})", short_clock(*at))
                        }
                        _ => text,
                    }
                })
                .collect()
        })
        .collect();
    let desired: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let widest = texts
                .iter()
                .map(|t| unicode_width::UnicodeWidthStr::width(t[i].as_str()))
                .max()
                .unwrap_or(0);
            // The title (with its sort mark) always fits; cells are capped at the column's max.
            let title = spec[c].title.len() + usize::from(c == table.sort);
            widest.min(spec[c].max).max(title)
        })
        .collect();
    let specs: Vec<Col> = cols.iter().map(|&c| spec[c].clone()).collect();
    let (widths, spacing) =
        fit_columns(&specs, &desired, usize::from(area.width.saturating_sub(2)));
    let widths: Vec<u16> = widths
        .into_iter()
        .map(|w| u16::try_from(w).unwrap_or(u16::MAX))
        .collect();
    let constraints: Vec<Constraint> = widths.iter().map(|&w| Constraint::Length(w)).collect();
    let sort_mark = if table.descending { "↓" } else { "↑" };
    let header = Row::new(cols.iter().zip(&widths).map(|(&c, w)| {
        let mark = if c == table.sort { sort_mark } else { "" };
        let title = format!("{}{mark}", spec[c].title);
        super::text::fit(&title, usize::from(*w)).into_owned()
    }))
    .style(theme.header);
    // A cell wider than its column is cut with a visible mark, never silently.
    let texts: Vec<Vec<String>> = texts
        .into_iter()
        .map(|row| {
            row.into_iter()
                .zip(&widths)
                .map(|(t, w)| super::text::fit(&t, usize::from(*w)).into_owned())
                .collect()
        })
        .collect();
    let rows = visible
        .iter()
        .zip(texts)
        .zip(&stale)
        .map(|(((i, r), t), stale)| {
            let marked = table.is_marked(r);
            let style = if *i == table.selected {
                theme.selection
            } else if marked {
                theme.marked
            } else if stale.is_some() {
                theme.muted
            } else {
                health_style(theme, r.health())
            };
            // A production-like cluster's name stands out in the CLUSTER column.
            let production =
                table.by_cluster() && r.cluster().is_some_and(|c| app.fleet.is_production(c));
            let cells = t.into_iter().enumerate().map(|(n, text)| {
                let cell = ratatui::widgets::Cell::from(text);
                if production && cols.get(n) == Some(&0) && *i != table.selected {
                    cell.style(theme.error)
                } else {
                    cell
                }
            });
            Row::new(cells).style(style)
        });
    let widget = TableWidget::new(rows, constraints)
        .header(header)
        .block(block)
        .column_spacing(spacing)
        .flex(ratatui::layout::Flex::Start);
    frame.render_widget(widget, area);
}

/// `at` as a wall-clock time, short (a cell), in UTC.
fn short_clock(at: jiff::Timestamp) -> String {
    at.strftime("%H:%M:%S").to_string()
}

/// `at` as a wall-clock time, in UTC as every other time kubedeck shows.
pub fn clock_time(at: jiff::Timestamp) -> String {
    at.strftime("%H:%M:%S UTC").to_string()
}

/// Fit the columns into `available` cells: full widths with two spaces between columns if they
/// fit, else one space, else squeeze columns in their `shrink` order, down to their `min`.
pub fn fit_columns(cols: &[Col], desired: &[usize], available: usize) -> (Vec<usize>, u16) {
    let total: usize = desired.iter().sum();
    let gaps = cols.len().saturating_sub(1);
    if total + 2 * gaps <= available {
        return (desired.to_vec(), 2);
    }
    let mut widths = desired.to_vec();
    let mut over = (total + gaps).saturating_sub(available);
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|&i| cols[i].shrink);
    for &i in &order {
        if over == 0 {
            break;
        }
        let cut = widths[i].saturating_sub(cols[i].min).min(over);
        widths[i] -= cut;
        over -= cut;
    }
    // Still too wide (a very narrow terminal): below the minimums, in the same order, so
    // every column is as wide as it is drawn and each cut shows its mark.
    for &i in &order {
        if over == 0 {
            break;
        }
        let cut = widths[i].saturating_sub(1).min(over);
        widths[i] -= cut;
        over -= cut;
    }
    (widths, 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::pod_row::PodRow;

    fn pod_cols() -> Vec<Col> {
        PodRow::COLUMNS[..6].to_vec()
    }

    #[test]
    fn wide_enough_keeps_everything_with_two_spaces() {
        let (w, gap) = fit_columns(&pod_cols(), &[10, 34, 5, 9, 8, 5], 200);
        assert_eq!((w, gap), (vec![10, 34, 5, 9, 8, 5], 2));
    }

    #[test]
    fn narrow_tightens_spacing_then_shrinks_namespace_before_name() {
        // 71 cells of content + 5 gaps in 78: one space between columns is enough.
        assert_eq!(
            fit_columns(&pod_cols(), &[10, 34, 5, 9, 8, 5], 78),
            (vec![10, 34, 5, 9, 8, 5], 1)
        );
        // 10 cells short: NAMESPACE gives 4 (down to 6), STATUS 0 (at 9), RESTARTS 3, READY 2, then NAME 1.
        let (w, _) = fit_columns(&pod_cols(), &[10, 34, 5, 9, 8, 5], 66);
        assert_eq!(w, vec![6, 33, 3, 9, 5, 5]);
        assert_eq!(w.iter().sum::<usize>() + 5, 66);
    }

    #[test]
    fn too_narrow_for_the_minimums_still_fits_so_every_cut_is_marked() {
        let cols = pod_cols();
        let desired = [10, 34, 5, 9, 8, 5];
        let (w, gap) = fit_columns(&cols, &desired, 38);
        assert_eq!(gap, 1);
        assert_eq!(w.iter().sum::<usize>() + w.len() - 1, 38, "{w:?}");
        assert!(w.iter().all(|&x| x >= 1), "{w:?}");
    }
}
