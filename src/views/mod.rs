//! Pure views: `(&App, &Screens, &Theme) -> widgets`. They never call the API and never change
//! state (the screens of terminal sessions are read, under their own short lock).

pub mod detail;
pub mod empty;
pub mod help;
pub mod logs;
pub mod notice;
pub mod palette;
pub mod status;
pub mod table;
pub mod terminal;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::{App, Mode, View};
use crate::kube::informer::ResourceKind;
use crate::pty::screen::Screen;
use crate::pty::session::SessionId;
use theme::Theme;

/// The screen's three regions: top bar, main area, bottom bar.
pub fn layout(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area)
}

fn draw_main(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let t = &app.tables;
    match app.view {
        View::Triage => table::draw(
            frame,
            area,
            app,
            &t.triage,
            &[
                ResourceKind::Pods,
                ResourceKind::Events,
                ResourceKind::Nodes,
                ResourceKind::PipelineRuns,
            ],
            || empty::triage(app, theme),
            theme,
        ),
        View::Pods => table::draw(
            frame,
            area,
            app,
            &t.pods,
            &[ResourceKind::Pods],
            || empty::message(app, &t.pods, ResourceKind::Pods, theme),
            theme,
        ),
        View::PipelineRuns => table::draw(
            frame,
            area,
            app,
            &t.runs,
            &[ResourceKind::PipelineRuns],
            || empty::message(app, &t.runs, ResourceKind::PipelineRuns, theme),
            theme,
        ),
        View::TaskRuns => table::draw(
            frame,
            area,
            app,
            &t.taskruns,
            &[ResourceKind::TaskRuns],
            || empty::message(app, &t.taskruns, ResourceKind::TaskRuns, theme),
            theme,
        ),
        View::Events => table::draw(
            frame,
            area,
            app,
            &t.events,
            &[ResourceKind::Events],
            || empty::message(app, &t.events, ResourceKind::Events, theme),
            theme,
        ),
        View::Nodes => table::draw(
            frame,
            area,
            app,
            &t.nodes,
            &[ResourceKind::Nodes],
            || empty::message(app, &t.nodes, ResourceKind::Nodes, theme),
            theme,
        ),
        View::Namespaces => table::draw(
            frame,
            area,
            app,
            &t.namespaces,
            &[ResourceKind::Namespaces],
            || empty::message(app, &t.namespaces, ResourceKind::Namespaces, theme),
            theme,
        ),
        View::Contexts => table::draw(
            frame,
            area,
            app,
            &t.contexts,
            &[],
            || table::Empty {
                style: theme.muted,
                text: "No contexts in the kubeconfig".into(),
            },
            theme,
        ),
        View::Resource => table::draw(
            frame,
            area,
            app,
            &t.resource,
            &[ResourceKind::Generic],
            || empty::message(app, &t.resource, ResourceKind::Generic, theme),
            theme,
        ),
        View::ApiResources => table::draw(
            frame,
            area,
            app,
            &t.api_resources,
            &[],
            || table::Empty {
                style: theme.pending,
                text: match &app.catalog.discovery {
                    crate::app::state::Discovery::Failed(e) => {
                        format!(
                            "Cannot ask the server what it serves: {}",
                            text::clean(&e.to_string())
                        )
                    }
                    _ => format!("Asking {} what it serves …", app.fleet.server),
                },
            },
            theme,
        ),
        View::Helm => table::draw(
            frame,
            area,
            app,
            &t.helm,
            &[],
            || match app.helm.failed.values().next() {
                Some(e) => table::Empty {
                    style: theme.error,
                    text: format!(
                        "Cannot list Helm's release Secrets (it needs list and get on secrets): {}",
                        text::clean(&e.to_string())
                    ),
                },
                None => table::Empty {
                    style: theme.muted,
                    text: "No Helm releases here (or the list is still coming)".into(),
                },
            },
            theme,
        ),
        View::Timeline => table::draw(
            frame,
            area,
            app,
            &t.timeline,
            &[],
            || table::Empty {
                style: theme.muted,
                text: "No change seen yet (changes appear as the informers see them)".into(),
            },
            theme,
        ),
        View::AsOf => table::draw(
            frame,
            area,
            app,
            &t.as_of,
            &[],
            || table::Empty {
                style: theme.muted,
                text: match &app.travel {
                    Some(t) if t.waiting > 0 => "Reading the journal…".into(),
                    Some(t) => format!("No {} recorded at that moment", t.kind),
                    None => "Not travelling (:at TIME)".into(),
                },
            },
            theme,
        ),
        View::Xray => table::draw(
            frame,
            area,
            app,
            &t.xray,
            &[],
            || match app.xray.failed.values().next() {
                Some(e) => table::Empty {
                    style: theme.error,
                    text: format!(
                        "Cannot read what the trees need: {}",
                        text::clean(&e.to_string())
                    ),
                },
                None if app.xray.waiting > 0 && app.xray.objects.is_empty() => table::Empty {
                    style: theme.muted,
                    text: "Reading what belongs to what …".into(),
                },
                None => table::Empty {
                    style: theme.muted,
                    text: format!(
                        "No {} here",
                        app.xray.root.map_or("objects", |k| k.names().0)
                    ),
                },
            },
            theme,
        ),
        View::HelmHistory => table::draw(
            frame,
            area,
            app,
            &t.helm_history,
            &[],
            || table::Empty {
                style: theme.muted,
                text: "No revisions".into(),
            },
            theme,
        ),
        View::CanI => table::draw(
            frame,
            area,
            app,
            &t.can_i,
            &[],
            || table::Empty {
                style: theme.pending,
                text: "Asking the server what you may do here …".into(),
            },
            theme,
        ),
        View::WhoCan => table::draw(
            frame,
            area,
            app,
            &t.who_can,
            &[],
            || match &app.access.who_can_failed {
                Some(e) => table::Empty {
                    style: theme.error,
                    text: format!(
                        "Cannot answer: listing (Cluster)Roles and their bindings was refused or failed: {}",
                        text::clean(&e.to_string())
                    ),
                },
                None => table::Empty {
                    style: theme.muted,
                    text: "No binding grants it (or the answer is still coming)".into(),
                },
            },
            theme,
        ),
        View::Forwards => table::draw(
            frame,
            area,
            app,
            &t.forwards,
            &[],
            || {
                table::Empty {
                style: theme.muted,
                text: "No port-forwards: select a pod, a Service or a workload and press P (or :pf 8080:80)".into(),
            }
            },
            theme,
        ),
        View::Captured => table::draw(
            frame,
            area,
            app,
            &t.captured,
            &[],
            || {
                table::Empty {
                style: theme.muted,
                text: "No captured runs: Tekton step logs are captured as steps end while kubedeck runs".into(),
            }
            },
            theme,
        ),
        View::Sessions => table::draw(
            frame,
            area,
            app,
            &t.sessions,
            &[],
            || {
                table::Empty {
                style: theme.muted,
                text: "No sessions: s opens a shell in a pod, D a debug container, :shell a local shell".into(),
            }
            },
            theme,
        ),
        View::Containers => table::draw(
            frame,
            area,
            app,
            &t.containers,
            &[ResourceKind::Pods],
            || table::Empty {
                style: theme.pending,
                text: match &app.containers_of {
                    Some(pod) => {
                        format!("Reading the containers of {} …", text::clean(&pod.label()))
                    }
                    None => "No pod chosen: Enter on a pod lists its containers".into(),
                },
            },
            theme,
        ),
        View::Detail => match &app.detail {
            Some(d) => detail::draw(frame, area, app, d, theme),
            None => frame.render_widget(Block::default().borders(Borders::ALL), area),
        },
    }
}

/// The confirmation dialog for a destructive action.
fn draw_confirm(
    frame: &mut Frame,
    area: Rect,
    pending: &crate::app::state::Pending,
    typed: &str,
    theme: &Theme,
) {
    let question = notice::question(pending);
    let prompt = question.as_str();
    let preview = notice::listed(pending);
    if preview.is_empty() {
        let width = (prompt.chars().count() as u16 + 6).clamp(30, area.width.max(1));
        // A production delete: the prompt wraps, and the name is typed below it.
        let height = if pending.typed.is_some() { 7 } else { 5 };
        let [popup] = Layout::vertical([Constraint::Length(height)])
            .flex(Flex::Center)
            .areas(area);
        let [popup] = Layout::horizontal([Constraint::Length(width)])
            .flex(Flex::Center)
            .areas(popup);
        frame.render_widget(Clear, popup);
        let style = if pending.typed.is_some() {
            theme.error
        } else {
            theme.warning
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(style)
            .title(Line::styled(" confirm ", style));
        let answer = match &pending.typed {
            Some(_) => Line::from(vec![
                ratatui::text::Span::styled("name: ", theme.accent),
                ratatui::text::Span::raw(text::clean(typed).into_owned()),
                ratatui::text::Span::styled("█", theme.muted),
            ]),
            None => Line::styled("y: yes   any other key: no", theme.muted),
        };
        let text = vec![Line::raw(text::clean(prompt).into_owned()), answer];
        frame.render_widget(
            Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
            popup,
        );
        return;
    }
    // A preview (every pod a drain will evict): as big as the area allows, scrolled with j/k.
    let popup = area.inner(ratatui::layout::Margin::new(2, 1));
    frame.render_widget(Clear, popup);
    let style = if pending.typed.is_some() {
        theme.error
    } else {
        theme.warning
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(style)
        .title(Line::styled(" confirm ", style));
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    // The question wraps (a narrow pane must still show "evict N pods"); the preview fills the rest.
    let question = text::wrap_words(&text::clean(prompt), usize::from(inner.width).max(1));
    let rows = usize::from(inner.height).saturating_sub(question.len() + 1);
    let scroll = pending
        .scroll
        .min(preview.len().saturating_sub(rows.max(1)));
    let mut text: Vec<Line> = question
        .into_iter()
        .map(|l| Line::styled(l, style))
        .collect();
    text.extend(
        preview
            .iter()
            .skip(scroll)
            .take(rows)
            .map(|l| Line::raw(text::fit(&text::clean(l), usize::from(inner.width)).into_owned())),
    );
    let shown_to = (scroll + rows).min(preview.len());
    let lines = format!(
        "lines {}-{} of {}",
        (scroll + 1).min(shown_to),
        shown_to,
        preview.len()
    );
    // A production delete of many: their number is typed (no scrolling: j and k are typed).
    text.push(match &pending.typed {
        Some(_) => Line::from(vec![
            ratatui::text::Span::styled(format!("{lines}   count: "), theme.accent),
            ratatui::text::Span::raw(text::clean(typed).into_owned()),
            ratatui::text::Span::styled("█", theme.muted),
        ]),
        None => Line::styled(
            format!("{lines}   j/k PgUp/PgDn scroll   y: yes   any other key: no"),
            theme.muted,
        ),
    });
    frame.render_widget(Paragraph::new(text), inner);
}

/// The container picker.
fn draw_picker(frame: &mut Frame, area: Rect, picker: &crate::app::picker::Picker, theme: &Theme) {
    let width = picker
        .items
        .iter()
        .map(|i| i.chars().count())
        .chain([picker.title.chars().count()])
        .max()
        .unwrap_or(10) as u16
        + 8;
    let height = (picker.items.len() as u16 + 3).min(area.height);
    let [popup] = Layout::vertical([Constraint::Length(height)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(Line::styled(
            format!(" {} ", text::clean(&picker.title)),
            theme.accent,
        ));
    let mut lines: Vec<Line> = picker
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let style = if i == picker.selected {
                theme.selection
            } else {
                ratatui::style::Style::default()
            };
            Line::styled(format!(" {} ", text::clean(item)), style)
        })
        .collect();
    let footer = if matches!(
        picker.purpose,
        crate::app::picker::PickFor::Logs | crate::app::picker::PickFor::PreviousLogs
    ) {
        " Enter: open  a: all  Esc"
    } else {
        " Enter: open  Esc"
    };
    lines.push(Line::styled(footer, theme.muted));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// The screens of the terminal sessions, by session (the runtime owns them).
pub type Screens = std::collections::BTreeMap<SessionId, Screen>;

/// The dashboard and every log and terminal pane in their areas.
fn draw_panes(frame: &mut Frame, main: Rect, app: &App, screens: &Screens, theme: &Theme) {
    for (id, rect) in app.panes.layout.rects(main) {
        let focused = app.panes.layout.focus == id;
        if let Some(pane) = app.panes.logs.get(&id) {
            logs::draw(frame, rect, pane, focused, theme);
        } else if let Some(t) = app.panes.terms.get(&id) {
            match (app.sessions.open.get(&t.session), screens.get(&t.session)) {
                (Some(s), Some(screen)) => {
                    terminal::draw(frame, rect, s, screen, t, focused, theme)
                }
                _ => frame.render_widget(Block::default().borders(Borders::ALL), rect),
            }
        } else {
            draw_main(frame, rect, app, theme);
        }
    }
}

/// The smallest terminal the layout fits: below it a message says so instead of garbling.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 8;

pub fn draw(frame: &mut Frame, app: &App, screens: &Screens, theme: &Theme) {
    let keymap = &app.keymap;
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let text = format!(
            "terminal too small: {}x{}, kubedeck needs {MIN_WIDTH}x{MIN_HEIGHT} (enlarge it; :q quits)",
            area.width, area.height
        );
        frame.render_widget(
            Paragraph::new(text)
                .style(theme.warning)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let [top, main, bottom] = layout(area);
    status::draw_top(frame, top, app, theme);
    // Travelling back: a banner no one can miss, above everything the past fills.
    let main = match crate::app::travel::banner(app) {
        Some(text) => {
            let [banner, rest] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(2)]).areas(main);
            frame.render_widget(
                Paragraph::new(text::clean(&text).into_owned()).style(theme.warning.add_modifier(
                    ratatui::style::Modifier::REVERSED | ratatui::style::Modifier::BOLD,
                )),
                banner,
            );
            rest
        }
        None => main,
    };
    draw_panes(frame, main, app, screens, theme);
    status::draw_bottom(frame, bottom, app, theme);
    if app.prompt.mode == Mode::Pick
        && let Some(p) = &app.prompt.picker
    {
        draw_picker(frame, main, p, theme);
    }
    if app.prompt.mode == Mode::Help {
        help::draw(
            frame,
            main,
            app.prompt.help_scroll,
            theme,
            keymap,
            app.readonly,
            &help::extras(app),
        );
    }
    if app.prompt.mode == Mode::Confirm
        && let Some(p) = &app.prompt.pending
    {
        draw_confirm(frame, main, p, &app.prompt.input, theme);
    }
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;

    use super::*;
    use crate::app::Action;
    use crate::app::detail::{Detail, DetailKind, Role, span};
    use crate::app::fixture::{self, app, obj};
    use crate::app::update::on_action;
    use crate::kube::informer::{InformerState, ResourceKind};
    use crate::kube::pod_row::Health;

    fn theme() -> Theme {
        Theme::from_toml(theme::DEFAULT_THEME).unwrap_or_else(|_| Theme::monochrome())
    }

    fn render_with(app: &App, w: u16, h: u16, theme: &Theme) -> ratatui::buffer::Buffer {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| draw(f, app, &Screens::new(), theme)).unwrap();
        term.backend().buffer().clone()
    }

    fn render(app: &App, w: u16, h: u16) -> ratatui::buffer::Buffer {
        render_with(app, w, h, &theme())
    }

    fn line(buf: &ratatui::buffer::Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
    }

    fn screen(buf: &ratatui::buffer::Buffer) -> String {
        (0..buf.area.height)
            .map(|y| line(buf, y).trim_end().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The app showing `view` (with a detail pane for `View::Detail`).
    fn at(view: View) -> App {
        let mut a = app();
        if view != View::Pods {
            a.history.push(crate::app::state::Screen {
                view: View::Pods,
                table: None,
                detail: None,
                taskruns_of: None,
                containers_of: None,
                resource: None,
            });
        }
        a.view = view;
        if view == View::TaskRuns {
            a.taskruns_of = Some(obj(ResourceKind::PipelineRuns, "ci", "build-1"));
        }
        if view == View::Detail {
            let mut d = Detail::new(
                obj(ResourceKind::Pods, "demo", "crasher"),
                DetailKind::Describe,
            );
            d.set_lines(vec![
                vec![
                    span(Role::Key, "Name:           "),
                    span(Role::Plain, "crasher"),
                ],
                vec![
                    span(Role::Key, "Status:         "),
                    span(Role::Error, "CrashLoopBackOff"),
                ],
                vec![span(Role::Heading, "Events:")],
                vec![span(
                    Role::Warning,
                    "  Warning  BackOff  1m  12  Back-off restarting failed container",
                )],
            ]);
            a.detail = Some(d);
        }
        a
    }

    #[test]
    fn every_view_at_80x24_and_160x45() {
        let views = [
            View::Triage,
            View::Pods,
            View::PipelineRuns,
            View::TaskRuns,
            View::Events,
            View::Nodes,
            View::Namespaces,
            View::Contexts,
            View::Captured,
            View::Detail,
        ];
        for view in views {
            for (w, h) in [(80, 24), (160, 45)] {
                let text = screen(&render(&at(view), w, h));
                insta::assert_snapshot!(format!("{}_{w}x{h}", view.title()), text);
            }
        }
    }

    /// Travelling back, a banner under the top bar says when, and that nothing acts.
    #[test]
    fn the_past_has_a_banner() {
        let mut a = app();
        a.timeline.journal = Some(("/nowhere".into(), 1 << 20));
        let _ = crate::app::travel::at(&mut a, "2026-12-06 03:12");
        let buf = render(&a, 80, 24);
        let banner = line(&buf, 1);
        assert!(
            banner.starts_with(" AS OF 2026-12-06 03:12:00 UTC · pod · read-only"),
            "{banner}"
        );
        assert!(line(&buf, 2).contains("as-of"), "{}", line(&buf, 2));
    }

    #[test]
    fn pods_view_at_80x24() {
        let buf = render(&app(), 80, 24);
        assert_eq!(
            line(&buf, 0).trim_end(),
            " kubedeck  ctx: prod  ns: all  https://10.0.0.1:6443   ? help"
        );
        assert!(
            line(&buf, 1).starts_with("┌ pods(all) [2/2] "),
            "{}",
            line(&buf, 1)
        );
        assert_eq!(
            line(&buf, 2),
            "│NAMESPACE↑  NAME     READY  STATUS            RESTARTS    AGE                 │"
        );
        assert!(line(&buf, 23).starts_with(" pods 2 │ events 2 │ nodes 2 │"));
        // The cursor is on the first row; the second is coloured by its health.
        assert_eq!(buf[(1, 3)].bg, Color::Cyan);
        assert_eq!(buf[(1, 4)].fg, Color::Green);
    }

    #[test]
    fn several_clusters_show_a_cluster_column_and_production_stands_out() {
        let mut a = app();
        a.fleet.clusters = vec![
            fixture::cluster(),
            crate::kube::ids::ClusterId::new("staging"),
        ];
        a.fleet.production = vec!["pro*".into()];
        a.tables.pods.set_by_cluster(true);
        // The second row (not under the cursor): a healthy pod of prod.
        a.tables.pods.select(0);
        let buf = render(&a, 80, 24);
        assert!(
            line(&buf, 0).contains("ctx: prod, staging"),
            "{}",
            line(&buf, 0)
        );
        assert!(line(&buf, 2).starts_with("│CLUSTER"), "{}", line(&buf, 2));
        assert!(line(&buf, 4).starts_with("│prod "), "{}", line(&buf, 4));
        let error = theme().error.fg.unwrap_or(Color::Reset);
        assert_eq!(buf[(1, 4)].fg, error, "prod is production-like");
        assert_ne!(
            buf[(10, 4)].fg,
            error,
            "the rest of the row keeps its health colour"
        );
        assert_eq!(buf[(17, 0)].fg, error, "and its name in the top bar");
        a.fleet.production.clear();
        let buf = render(&a, 80, 24);
        assert_ne!(buf[(1, 4)].fg, error);
    }

    #[test]
    fn pods_view_at_160x45_shows_node_and_ip() {
        let mut a = app();
        a.tables.pods.move_by(1);
        let buf = render(&a, 160, 45);
        assert!(line(&buf, 2).contains("NODE") && line(&buf, 2).contains("IP"));
        assert!(line(&buf, 3).contains("worker-01") && line(&buf, 3).contains("10.244.1.7"));
        assert_eq!(
            buf[(1, 3)].fg,
            Color::LightRed,
            "the crash-looping row uses the error role"
        );
        assert_eq!(
            buf[(1, 4)].bg,
            Color::Cyan,
            "the cursor moved to the second row"
        );
    }

    #[test]
    fn warnings_stand_out_and_filter_to_warnings_with_one_key() {
        let mut a = at(View::Events);
        a.tables.events.select(1);
        let buf = render(&a, 160, 45);
        let warning_row = (0..45)
            .find(|&y| line(&buf, y).contains("BackOff"))
            .unwrap_or(0);
        assert_eq!(buf[(1, warning_row)].fg, Color::Yellow);
        on_action(&mut a, Action::ToggleFlagged);
        let text = screen(&render(&a, 160, 45));
        assert!(
            text.contains("BackOff") && !text.contains("Pulled"),
            "{text}"
        );
    }

    #[test]
    fn esc_in_the_filter_prompt_puts_back_the_filter_it_had() {
        let mut a = app();
        a.view = View::Pods;
        let typed = |a: &mut App, text: &str| {
            for c in text.chars() {
                on_action(a, Action::Input(c));
            }
        };
        // A filter applied with Enter stays.
        on_action(&mut a, Action::StartFilter);
        typed(&mut a, "web");
        on_action(&mut a, Action::Submit);
        // A new filter starts empty (it used to append to the one applied), applies live,
        // and Esc undoes it, putting back the filter in force.
        on_action(&mut a, Action::StartFilter);
        assert_eq!(a.prompt.input, "");
        typed(&mut a, "xyz");
        let live = screen(&render(&a, 160, 45));
        assert!(!live.contains("web-1"), "{live}");
        on_action(&mut a, Action::Back);
        let text = screen(&render(&a, 160, 45));
        assert!(
            text.contains("web-1") && !text.contains("crasher") && text.contains("/web "),
            "{text}"
        );
        // Opened again and cancelled at once, the filter in force stays.
        on_action(&mut a, Action::StartFilter);
        on_action(&mut a, Action::Back);
        assert_eq!(a.tables.pods.filter.text, "web");
    }

    #[test]
    fn breadcrumb_shows_where_esc_goes() {
        let mut a = app();
        a.view = View::Triage;
        on_action(&mut a, Action::Open);
        let text = screen(&render(&a, 160, 45));
        // The first triage row is the NotReady node: Enter opened the nodes view.
        assert!(text.contains("triage › nodes(all)"), "{text}");
    }

    #[test]
    fn confirm_dialog_and_readonly_marker() {
        let mut a = at(View::PipelineRuns);
        a.tables.runs.select(0);
        on_action(&mut a, Action::CancelRun);
        let text = screen(&render(&a, 80, 24));
        assert!(
            text.contains("Cancel pipelinerun/ci/build-1 (context prod)?")
                && text.contains("y: yes"),
            "{text}"
        );
        let mut ro = app();
        ro.readonly = true;
        let text = screen(&render(&ro, 80, 24));
        assert!(text.contains("[read-only]"), "{text}");
    }

    #[test]
    fn empty_states_explain_themselves() {
        let mut a = app();
        a.tables.pods.set_rows(Vec::new());
        a.fleet.primary_status().informers.insert(
            ResourceKind::Pods,
            InformerState::Reconnecting("cannot reach the API server: connection refused".into()),
        );
        let text = screen(&render(&a, 80, 24));
        assert!(
            text.contains("connection refused") && text.contains("Retrying"),
            "{text}"
        );
        a.fleet.primary_status().informers.insert(
            ResourceKind::Pods,
            InformerState::Forbidden("pods is forbidden".into()),
        );
        let text = screen(&render(&a, 80, 24));
        assert!(text.contains("Forbidden: pods is forbidden"), "{text}");
        let mut a = at(View::PipelineRuns);
        a.tables.runs.set_rows(Vec::new());
        a.fleet
            .primary_status()
            .informers
            .insert(ResourceKind::PipelineRuns, InformerState::NotInstalled);
        let text = screen(&render(&a, 80, 24));
        assert!(text.contains("Tekton is not installed"), "{text}");
    }

    #[test]
    fn a_kind_views_problem_is_in_the_status_bar_by_its_name() {
        let mut a = app();
        a.view = View::Resource;
        a.resource = Some(crate::app::resource::ResourceShown {
            view: None,
            api: std::sync::Arc::new(crate::kube::discovery::ApiResourceInfo {
                group: "apps".into(),
                version: "v1".into(),
                plural: "deployments".into(),
                singular: "deployment".into(),
                kind: "Deployment".into(),
                namespaced: true,
                verbs: vec!["list".into()],
                short_names: vec![],
                categories: vec![],
                subresources: vec![],
            }),
            namespace: None,
        });
        a.fleet.primary_status().informers.insert(
            ResourceKind::Generic,
            InformerState::Forbidden("deployments.apps is forbidden".into()),
        );
        let text = screen(&render(&a, 160, 24));
        assert!(
            text.contains("deployments: forbidden: deployments.apps is forbidden"),
            "{text}"
        );
        // Elsewhere it is not the view's concern.
        a.view = View::Pods;
        let text = screen(&render(&a, 160, 24));
        assert!(!text.contains("deployments: forbidden"), "{text}");
    }

    /// A narrow-RBAC user who may not list Deployments: the timeline says its rollouts and
    /// scales are missing (it looked complete); the other views do not carry it.
    #[test]
    fn the_timeline_says_when_the_workloads_cannot_be_watched() {
        let mut a = at(View::Timeline);
        a.fleet.primary_status().informers.insert(
            ResourceKind::Workloads,
            InformerState::Forbidden("deployments.apps is forbidden".into()),
        );
        let text = screen(&render(&a, 200, 24));
        assert!(
            text.contains("workloads (rollouts, scales): forbidden: deployments.apps is forbidden"),
            "{text}"
        );
        a.view = View::Pods;
        let text = screen(&render(&a, 200, 24));
        assert!(!text.contains("workloads"), "{text}");
    }

    /// With several clusters the bar speaks per cluster; the timeline still says which
    /// cluster's workloads cannot be watched (it said nothing before).
    #[test]
    fn with_several_clusters_the_timeline_names_the_one_whose_workloads_are_refused() {
        let mut a = at(View::Timeline);
        let staging = crate::kube::ids::ClusterId::new("staging");
        a.fleet.clusters = vec![fixture::cluster(), staging.clone()];
        for c in a.fleet.clusters.clone() {
            let status = a.fleet.status_mut(&c);
            for k in ResourceKind::ALL {
                status.informers.insert(k, InformerState::Live);
            }
        }
        a.fleet.status_mut(&staging).informers.insert(
            ResourceKind::Workloads,
            InformerState::Forbidden("deployments.apps is forbidden".into()),
        );
        let text = screen(&render(&a, 200, 24));
        assert!(
            text.contains(
                "staging: workloads (rollouts, scales) forbidden (deployments.apps is forbidden)"
            ),
            "{text}"
        );
        assert!(text.contains("prod: live"), "{text}");
        a.view = View::Pods;
        let text = screen(&render(&a, 200, 24));
        assert!(!text.contains("workloads"), "{text}");
        assert!(text.contains("staging: live"), "{text}");
    }

    #[test]
    fn help_overlay_lists_every_binding_and_hides_mutations_when_read_only() {
        let mut a = app();
        a.prompt.mode = Mode::Help;
        let text = screen(&render(&a, 140, 180));
        for b in crate::app::keymap::default_bindings() {
            if b.name.starts_with("sort_")
                || (b.name.starts_with("favourite_") && b.name != "favourite_1")
            {
                // The sort keys and the favourites on their default digits are one line each.
                assert!(text.contains("1-9 0"), "help lacks the sort keys");
                continue;
            }
            assert!(!b.desc.is_empty(), "{} has no description", b.name);
            assert!(text.contains(b.desc), "help lacks {:?}", b.desc);
        }
        assert!(!text.contains("for more"), "everything fits at 180 rows");
        a.readonly = true;
        let text = screen(&render(&a, 140, 180));
        assert!(
            !text.contains("delete the selected") && text.contains("Read-only mode"),
            "{text}"
        );
    }

    #[test]
    fn help_scrolls_on_a_small_terminal() {
        let mut a = app();
        a.prompt.mode = Mode::Help;
        let top = screen(&render(&a, 80, 24));
        assert!(
            top.contains("j/↓ for more") && !top.contains(":contexts"),
            "{top}"
        );
        a.prompt.help_scroll = 1000;
        let bottom = screen(&render(&a, 80, 24));
        assert!(
            bottom.contains(":quit") && !bottom.contains("for more"),
            "{bottom}"
        );
    }

    #[test]
    fn themes_change_the_screen() {
        let a = app();
        let dark = render(&a, 80, 24);
        let light = render_with(&a, 80, 24, &super::theme::by_name("light").expect("light"));
        let mono = render_with(&a, 80, 24, &Theme::monochrome());
        assert_eq!(screen(&dark), screen(&light), "same text");
        assert_ne!(
            dark[(1, 3)].bg,
            light[(1, 3)].bg,
            "different selection colour"
        );
        assert_eq!(
            (mono[(1, 4)].fg, mono[(1, 4)].bg),
            (Color::Reset, Color::Reset)
        );
    }

    #[test]
    fn hostile_names_are_neutralised() {
        let mut a = app();
        a.tables.pods.set_rows(vec![fixture::pod(
            "demo",
            "evil\u{1b}]0;pwned\u{7}",
            "Running",
            Health::Ok,
            0,
        )]);
        let text = screen(&render(&a, 80, 24));
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}') && text.contains("evil␛]0;pwned␇"),
            "{text}"
        );
    }
    #[test]
    fn a_drain_question_wraps_in_a_small_pane_above_its_preview() {
        use crate::app::drain_preview::{DrainPreview, EvictLine};
        let mut a = app();
        let evict = (0..18)
            .map(|i| EvictLine {
                namespace: "demo".into(),
                name: format!("api-{i}"),
                owner: Some(("ReplicaSet".into(), "api-7f9c".into())),
                labels: Default::default(),
            })
            .collect();
        a.prompt.pending = Some(crate::app::state::Pending {
            question: crate::app::prompt::Question::Drain {
                node: "worker-01".into(),
                cluster: crate::kube::ids::ClusterId::new("kubedeck-sim"),
                evict: 18,
            },
            on_confirm: crate::app::action::OnConfirm::Quit,
            typed: None,
            preview: Some(DrainPreview {
                cluster: crate::kube::ids::ClusterId::new("kubedeck-sim"),
                node: "worker-01".into(),
                evict,
                stay: vec![],
                budgets: None,
            }),
            scroll: 0,
        });
        a.prompt.mode = Mode::Confirm;
        let text = screen(&render(&a, 80, 24));
        assert!(text.contains("then evict 18"), "{text}");
        assert!(text.contains("pod(s). j/k scroll."), "{text}");
        assert!(
            text.contains("18 pod(s) to evict from node/worker-01"),
            "{text}"
        );
        assert!(text.contains("y: yes"), "{text}");
    }

    #[test]
    fn rows_that_are_not_live_are_dimmed_and_say_as_of_when() {
        let mut a = app();
        let theme = theme();
        let live = render_with(&a, 120, 24, &theme);
        assert!(!screen(&live).contains("NOT LIVE"));
        // The clock moves on three days after pods stopped being live.
        let stopped = a.now;
        a.now = stopped + jiff::SignedDuration::from_hours(72);
        a.fleet.primary_status().informers.insert(
            ResourceKind::Pods,
            InformerState::Reconnecting("cannot reach the API server".into()),
        );
        a.fleet
            .primary_status()
            .not_live_since
            .insert(ResourceKind::Pods, stopped);
        let buf = render_with(&a, 120, 24, &theme);
        let text = screen(&buf);
        let as_of = stopped.strftime("%H:%M:%S UTC").to_string();
        assert!(
            line(&buf, 1).contains(&format!("NOT LIVE (reconnecting) as of {as_of}")),
            "{text}"
        );
        // Ages are as of then, not ticking on: the rows read as they did when live, and
        // differ from what a live table shows three days later.
        let web = |t: &str| {
            t.lines()
                .find(|l| l.contains("web-1"))
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(web(&text), web(&screen(&live)));
        let mut ticking = a.clone();
        ticking.fleet.primary_status().not_live_since.clear();
        assert_ne!(
            web(&screen(&render_with(&ticking, 120, 24, &theme))),
            web(&text)
        );
        // A row that is not selected is drawn muted instead of its health colour; the bar
        // names the problem.
        let row = (0..buf.area.height)
            .find(|&y| line(&buf, y).contains("web-1"))
            .unwrap_or(0);
        assert_eq!(buf[(3, row)].fg, theme.muted.fg.unwrap_or(Color::Reset));
        assert!(
            text.contains("pods: reconnecting: cannot reach the API server"),
            "{text}"
        );
    }

    /// Several clusters, one not live: its rows are dimmed, each with its "as of" in the
    /// CLUSTER column, while the live cluster's rows keep their colours and live ages.
    #[test]
    fn only_the_rows_of_a_cluster_that_is_not_live_are_dimmed() {
        let mut a = app();
        let theme = theme();
        let staging = crate::kube::ids::ClusterId::new("staging");
        a.fleet.clusters = vec![fixture::cluster(), staging.clone()];
        let mut rows: Vec<_> = a.tables.pods.all_rows().to_vec();
        let mut other = (*rows[0]).clone();
        other.cluster = staging.clone();
        other.name = "staging-web".into();
        rows.push(std::sync::Arc::new(other));
        a.tables.pods.set_rows(rows);
        a.tables.pods.set_by_cluster(true);
        a.tables.pods.select(0);
        let stopped = a.now;
        a.now = stopped + jiff::SignedDuration::from_hours(1);
        let status = a.fleet.status_mut(&staging);
        status.informers.insert(
            ResourceKind::Pods,
            InformerState::Reconnecting("connection lost".into()),
        );
        status.not_live_since.insert(ResourceKind::Pods, stopped);
        let buf = render_with(&a, 160, 24, &theme);
        let text = screen(&buf);
        let as_of = stopped.strftime("%H:%M:%S").to_string();
        assert!(
            line(&buf, 1).contains(&format!(
                "NOT LIVE: staging (reconnecting) as of {as_of} UTC"
            )),
            "{text}"
        );
        let row_of = |name: &str| {
            (0..buf.area.height)
                .find(|&y| line(&buf, y).contains(name))
                .unwrap_or(0)
        };
        let staging_row = row_of("staging-web");
        assert!(
            line(&buf, staging_row).contains(&format!("staging (as of {as_of})")),
            "{text}"
        );
        let muted = theme.muted.fg.unwrap_or(Color::Reset);
        assert_eq!(buf[(30, staging_row)].fg, muted);
        let live_row = row_of("web-1");
        assert!(!line(&buf, live_row).contains("as of"), "{text}");
        assert_ne!(
            buf[(30, live_row)].fg,
            muted,
            "the live cluster's rows stay live"
        );
    }

    #[test]
    fn a_terminal_too_small_says_so() {
        let a = app();
        let text = screen(&render(&a, 20, 5));
        assert!(text.starts_with("terminal too small:"), "{text}");
        assert!(text.contains("20x5") && text.contains("40x8"), "{text}");
        let text = screen(&render(&a, 40, 8));
        assert!(
            !text.contains("too small") && text.contains("pods"),
            "{text}"
        );
    }
}
