//! Pure views: `(&App, &Theme) -> widgets`. They never call the API.

pub mod detail;
pub mod empty;
pub mod help;
pub mod logs;
pub mod status;
pub mod table;
pub mod terminal;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::keymap::Keymap;
use crate::app::{App, Mode, View};
use crate::kube::informer::ResourceKind;
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
            || empty::triage(app, theme),
            theme,
        ),
        View::Pods => table::draw(
            frame,
            area,
            app,
            &t.pods,
            || empty::message(app, &t.pods, ResourceKind::Pods, theme),
            theme,
        ),
        View::PipelineRuns => table::draw(
            frame,
            area,
            app,
            &t.runs,
            || empty::message(app, &t.runs, ResourceKind::PipelineRuns, theme),
            theme,
        ),
        View::TaskRuns => table::draw(
            frame,
            area,
            app,
            &t.taskruns,
            || empty::message(app, &t.taskruns, ResourceKind::TaskRuns, theme),
            theme,
        ),
        View::Events => table::draw(
            frame,
            area,
            app,
            &t.events,
            || empty::message(app, &t.events, ResourceKind::Events, theme),
            theme,
        ),
        View::Nodes => table::draw(
            frame,
            area,
            app,
            &t.nodes,
            || empty::message(app, &t.nodes, ResourceKind::Nodes, theme),
            theme,
        ),
        View::Namespaces => table::draw(
            frame,
            area,
            app,
            &t.namespaces,
            || empty::message(app, &t.namespaces, ResourceKind::Namespaces, theme),
            theme,
        ),
        View::Contexts => table::draw(
            frame,
            area,
            app,
            &t.contexts,
            || table::Empty {
                style: theme.muted,
                text: "No contexts in the kubeconfig".into(),
            },
            theme,
        ),
        View::Captured => table::draw(
            frame,
            area,
            app,
            &t.captured,
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
            || {
                table::Empty {
                style: theme.muted,
                text: "No sessions: s opens a shell in a pod, D a debug container, :shell a local shell".into(),
            }
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
fn draw_confirm(frame: &mut Frame, area: Rect, prompt: &str, theme: &Theme) {
    let width = (prompt.chars().count() as u16 + 6).clamp(30, area.width.max(1));
    let [popup] = Layout::vertical([Constraint::Length(5)])
        .flex(Flex::Center)
        .areas(area);
    let [popup] = Layout::horizontal([Constraint::Length(width)])
        .flex(Flex::Center)
        .areas(popup);
    frame.render_widget(Clear, popup);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.warning)
        .title(Line::styled(" confirm ", theme.warning));
    let text = vec![
        Line::raw(text::clean(prompt).into_owned()),
        Line::styled("y: yes   any other key: no", theme.muted),
    ];
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
        popup,
    );
}

/// The container picker.
fn draw_picker(frame: &mut Frame, area: Rect, picker: &crate::app::state::Picker, theme: &Theme) {
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
    let footer = if picker.purpose == crate::app::sessions::PickFor::Logs {
        " Enter: open  a: all  Esc"
    } else {
        " Enter: open  Esc"
    };
    lines.push(Line::styled(footer, theme.muted));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}

/// The dashboard and every log pane in their areas.
fn draw_panes(frame: &mut Frame, main: Rect, app: &App, theme: &Theme) {
    for (id, rect) in app.layout.rects(main) {
        let focused = app.layout.focus == id;
        if let Some(pane) = app.logs.get(&id) {
            logs::draw(frame, rect, pane, focused, theme);
        } else if let Some(t) = app.terms.get(&id) {
            match app.sessions.get(&t.session) {
                Some(s) => terminal::draw(frame, rect, s, t, focused, theme),
                None => frame.render_widget(Block::default().borders(Borders::ALL), rect),
            }
        } else {
            draw_main(frame, rect, app, theme);
        }
    }
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme, keymap: &Keymap) {
    let [top, main, bottom] = layout(frame.area());
    status::draw_top(frame, top, app, theme);
    draw_panes(frame, main, app, theme);
    status::draw_bottom(frame, bottom, app, theme);
    if app.mode == Mode::Pick
        && let Some(p) = &app.picker
    {
        draw_picker(frame, main, p, theme);
    }
    if app.mode == Mode::Help {
        help::draw(frame, main, app.help_scroll, theme, keymap, app.readonly);
    }
    if app.mode == Mode::Confirm
        && let Some(p) = &app.pending
    {
        draw_confirm(frame, main, &p.prompt, theme);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use jiff::Timestamp;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::style::Color;

    use super::*;
    use crate::app::Action;
    use crate::app::contexts::ContextRow;
    use crate::app::detail::{Detail, DetailKind, Role, span};
    use crate::app::update::update;
    use crate::kube::event_row::EventRow;
    use crate::kube::informer::{InformerState, ResourceKind};
    use crate::kube::namespace_row::NamespaceRow;
    use crate::kube::node_row::NodeRow;
    use crate::kube::object_ref::ObjectRef;
    use crate::kube::pod_row::{Health, PodRow};
    use crate::kube::tekton_row::{pipelinerun_row, taskrun_row};

    fn now() -> Timestamp {
        "2026-11-22T12:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn ts(s: &str) -> Option<Timestamp> {
        s.parse().ok()
    }

    fn row(ns: &str, name: &str, status: &str, health: Health, restarts: u32) -> Arc<PodRow> {
        Arc::new(PodRow {
            namespace: ns.into(),
            name: name.into(),
            uid: name.into(),
            ready: if health == Health::Ok {
                "1/1".into()
            } else {
                "0/1".into()
            },
            status: status.into(),
            restarts,
            last_restart: (restarts > 0).then(|| ts("2026-11-22T11:58:00Z")).flatten(),
            created: ts("2026-11-20T12:00:00Z"),
            node: "worker-01".into(),
            ip: "10.244.1.7".into(),
            health,
            phase: if status == "Pending" {
                "Pending"
            } else {
                "Running"
            }
            .into(),
            labels: [("app".to_string(), name.to_string())]
                .into_iter()
                .collect(),
            last_terminated_reason: (restarts > 0).then(|| "Error".to_string()),
            containers: vec!["app".into()],
            init_containers: 0,
            owner: None,
            resources: Default::default(),
            qos: crate::kube::pod_resources::Qos::BestEffort,
            usage: None,
        })
    }

    fn event(
        name: &str,
        warning: bool,
        reason: &str,
        object: &str,
        count: i32,
        message: &str,
    ) -> Arc<EventRow> {
        Arc::new(EventRow {
            namespace: "demo".into(),
            name: name.into(),
            uid: name.into(),
            last_seen: ts("2026-11-22T11:59:00Z"),
            warning,
            type_: if warning { "Warning" } else { "Normal" }.into(),
            reason: reason.into(),
            object_kind: "Pod".into(),
            object_namespace: "demo".into(),
            object_name: object.into(),
            count,
            message: message.into(),
            ..Default::default()
        })
    }

    fn node(name: &str, ready: bool, pressure: Vec<&'static str>, pods: usize) -> Arc<NodeRow> {
        Arc::new(NodeRow {
            name: name.into(),
            uid: name.into(),
            status: if ready { "Ready" } else { "NotReady" }.into(),
            ready,
            cordoned: false,
            roles: "worker".into(),
            created: ts("2026-11-01T12:00:00Z"),
            version: "v1.36.2".into(),
            pressure,
            pods,
            pressure_since: Vec::new(),
            allocatable: Default::default(),
            load: Default::default(),
            usage: None,
            taints: Vec::new(),
            heat: Health::Ok,
        })
    }

    fn run(
        name: &str,
        status: &str,
        reason: &str,
        message: &str,
        done: bool,
    ) -> Arc<crate::kube::tekton_row::PipelineRunRow> {
        let mut obj = serde_json::json!({
            "metadata": {"name": name, "namespace": "ci", "uid": name, "creationTimestamp": "2026-11-22T11:50:00Z"},
            "spec": {"pipelineRef": {"name": "build-and-test"}},
            "status": {"startTime": "2026-11-22T11:50:00Z",
                       "conditions": [{"type": "Succeeded", "status": status, "reason": reason, "message": message}]}
        });
        if done {
            obj["status"]["completionTime"] = serde_json::json!("2026-11-22T11:55:00Z");
        }
        Arc::new(pipelinerun_row(&obj))
    }

    fn app() -> App {
        let mut a = App::new(
            "prod".into(),
            "https://10.0.0.1:6443".into(),
            "all".into(),
            false,
        );
        a.now = now();
        let t = &mut a.tables;
        t.pods.set_rows(vec![
            row("demo", "crasher", "CrashLoopBackOff", Health::Error, 5),
            row("demo", "web-1", "Running", Health::Ok, 0),
        ]);
        t.events.set_rows(vec![
            event(
                "e1",
                true,
                "BackOff",
                "crasher",
                12,
                "Back-off restarting failed container app in pod crasher_demo",
            ),
            event(
                "e2",
                false,
                "Pulled",
                "web-1",
                1,
                "Container image \"nginx:1.27\" already present on machine",
            ),
        ]);
        t.nodes.set_rows(vec![
            node("worker-01", true, vec!["Memory"], 2),
            node("worker-02", false, vec![], 0),
        ]);
        t.runs.set_rows(vec![
            run(
                "build-1",
                "Unknown",
                "Running",
                "Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0",
                false,
            ),
            run(
                "build-2",
                "False",
                "PipelineRunTimeout",
                "PipelineRun \"build-2\" failed to finish within \"1h0m0s\"",
                true,
            ),
        ]);
        t.taskruns.set_rows(vec![Arc::new(taskrun_row(&serde_json::json!({
            "metadata": {"name": "build-1-fetch", "namespace": "ci", "uid": "tr1", "labels": {"tekton.dev/pipelineTask": "fetch"}},
            "status": {"podName": "build-1-fetch-pod", "startTime": "2026-11-22T11:50:00Z", "completionTime": "2026-11-22T11:51:30Z",
                       "conditions": [{"type": "Succeeded", "status": "True", "reason": "Succeeded"}]}
        })))]);
        t.namespaces.set_rows(
            ["ci", "default", "demo"]
                .iter()
                .map(|n| {
                    Arc::new(NamespaceRow {
                        name: (*n).into(),
                        uid: (*n).into(),
                        status: "Active".into(),
                        created: ts("2026-11-01T12:00:00Z"),
                        every: false,
                    })
                })
                .chain([Arc::new(NamespaceRow::every())])
                .collect(),
        );
        t.captured.set_rows(vec![
            Arc::new(crate::kube::step_store::CapturedRun {
                key: "ci/PipelineRun/build-2".into(),
                namespace: "ci".into(),
                kind: "PipelineRun",
                name: "build-2".into(),
                pods: 2,
                steps: 3,
                failed: vec!["test/unit".into()],
                captured_at: ts("2026-11-22T11:55:00Z"),
            }),
            Arc::new(crate::kube::step_store::CapturedRun {
                key: "ci/PipelineRun/build-1".into(),
                namespace: "ci".into(),
                kind: "PipelineRun",
                name: "build-1".into(),
                pods: 2,
                steps: 2,
                failed: Vec::new(),
                captured_at: ts("2026-11-22T11:40:00Z"),
            }),
        ]);
        t.contexts.set_rows(vec![
            Arc::new(ContextRow {
                name: "prod".into(),
                cluster: "prod-eu".into(),
                user: "sre".into(),
                namespace: "default".into(),
                server: "https://10.0.0.1:6443".into(),
                current: true,
            }),
            Arc::new(ContextRow {
                name: "staging".into(),
                cluster: "stg".into(),
                user: "sre".into(),
                namespace: "demo".into(),
                server: "https://10.0.0.2:6443".into(),
                current: false,
            }),
        ]);
        let rows = crate::app::triage::triage(
            t.pods.all_rows(),
            t.runs.all_rows(),
            t.nodes.all_rows(),
            t.events.all_rows(),
            now(),
        );
        t.triage.set_rows(rows);
        for k in ResourceKind::ALL {
            a.informers.insert(k, InformerState::Live);
            a.counts.insert(k, 2);
        }
        a.informers
            .insert(ResourceKind::TaskRuns, InformerState::Live);
        a
    }

    fn theme() -> Theme {
        Theme::from_toml(theme::DEFAULT_THEME).unwrap_or_else(|_| Theme::monochrome())
    }

    fn render_with(app: &App, w: u16, h: u16, theme: &Theme) -> ratatui::buffer::Buffer {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
        term.draw(|f| draw(f, app, theme, &Keymap::default()))
            .unwrap_or_else(|e| panic!("{e}"));
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
            });
        }
        a.view = view;
        if view == View::TaskRuns {
            a.taskruns_of = Some(ObjectRef::new(ResourceKind::PipelineRuns, "ci", "build-1"));
        }
        if view == View::Detail {
            let mut d = Detail::new(
                ObjectRef::new(ResourceKind::Pods, "demo", "crasher"),
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
        update(&mut a, Action::ToggleFlagged);
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
                update(a, Action::Input(c));
            }
        };
        // A filter applied with Enter stays.
        update(&mut a, Action::StartFilter);
        typed(&mut a, "web");
        update(&mut a, Action::Submit);
        // Editing it applies live, and Esc undoes the edit, not the filter.
        update(&mut a, Action::StartFilter);
        assert_eq!(a.input, "web");
        typed(&mut a, "xyz");
        let live = screen(&render(&a, 160, 45));
        assert!(!live.contains("web-1"), "{live}");
        update(&mut a, Action::Back);
        let text = screen(&render(&a, 160, 45));
        assert!(
            text.contains("web-1") && !text.contains("crasher") && text.contains("/web "),
            "{text}"
        );
        // Opened again, the prompt holds the filter in force, not the cancelled text.
        update(&mut a, Action::StartFilter);
        assert_eq!(a.input, "web");
    }

    #[test]
    fn breadcrumb_shows_where_esc_goes() {
        let mut a = app();
        a.view = View::Triage;
        update(&mut a, Action::Open);
        let text = screen(&render(&a, 160, 45));
        // The first triage row is the NotReady node: Enter opened the nodes view.
        assert!(text.contains("triage › nodes(all)"), "{text}");
    }

    #[test]
    fn confirm_dialog_and_readonly_marker() {
        let mut a = at(View::PipelineRuns);
        a.tables.runs.select(0);
        update(&mut a, Action::CancelRun);
        let text = screen(&render(&a, 80, 24));
        assert!(
            text.contains("Cancel pipelinerun/ci/build-1?") && text.contains("y: yes"),
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
        a.informers.insert(
            ResourceKind::Pods,
            InformerState::Reconnecting("cannot reach the API server: connection refused".into()),
        );
        let text = screen(&render(&a, 80, 24));
        assert!(
            text.contains("connection refused") && text.contains("Retrying"),
            "{text}"
        );
        a.informers.insert(
            ResourceKind::Pods,
            InformerState::Forbidden("pods is forbidden".into()),
        );
        let text = screen(&render(&a, 80, 24));
        assert!(text.contains("Forbidden: pods is forbidden"), "{text}");
        let mut a = at(View::PipelineRuns);
        a.tables.runs.set_rows(Vec::new());
        a.informers
            .insert(ResourceKind::PipelineRuns, InformerState::NotInstalled);
        let text = screen(&render(&a, 80, 24));
        assert!(text.contains("Tekton is not installed"), "{text}");
    }

    #[test]
    fn help_overlay_lists_every_binding_and_hides_mutations_when_read_only() {
        let mut a = app();
        a.mode = Mode::Help;
        let text = screen(&render(&a, 140, 100));
        for b in crate::app::keymap::default_bindings() {
            assert!(text.contains(b.desc), "help lacks {:?}", b.desc);
        }
        assert!(!text.contains("for more"), "everything fits at 100 rows");
        a.readonly = true;
        let text = screen(&render(&a, 140, 100));
        assert!(
            !text.contains("delete the selected") && text.contains("Read-only mode"),
            "{text}"
        );
    }

    #[test]
    fn help_scrolls_on_a_small_terminal() {
        let mut a = app();
        a.mode = Mode::Help;
        let top = screen(&render(&a, 80, 24));
        assert!(
            top.contains("j/↓ for more") && !top.contains(":contexts"),
            "{top}"
        );
        a.help_scroll = 100;
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
        let light = render_with(
            &a,
            80,
            24,
            &crate::config::theme_by_name("light").unwrap_or_else(|_| Theme::monochrome()),
        );
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
        a.tables.pods.set_rows(vec![row(
            "demo",
            "evil\u{1b}]0;pwned\u{7}",
            "Running",
            Health::Ok,
            0,
        )]);
        let text = screen(&render(&a, 80, 24));
        assert!(
            !text.contains('\u{1b}')
                && !text.contains('\u{7}')
                && text.contains("evil\u{fffd}]0;pwned\u{fffd}"),
            "{text}"
        );
    }
}
