//! Views: pure functions from `(&App, &Theme)` to a frame. They never touch the cluster.

pub mod help;
pub mod pods;
pub mod status;
pub mod text;
pub mod theme;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::{App, Mode};
use theme::Theme;

/// The screen's regions: top bar, main area, bottom bar.
pub fn layout(area: Rect) -> [Rect; 3] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area)
}

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let [top, main, bottom] = layout(frame.area());
    status::draw_top(frame, top, app, theme);
    pods::draw(frame, main, app, theme);
    status::draw_bottom(frame, bottom, app, theme);
    if app.mode == Mode::Help {
        help::draw(frame, main, app.help_scroll, theme);
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
    use crate::kube::informer::{InformerState, ResourceKind};
    use crate::kube::pod_row::{Health, PodRow};

    fn now() -> Timestamp {
        "2026-11-22T12:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH)
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
            last_restart: (restarts > 0).then(|| "2026-11-22T11:58:00Z".parse().unwrap_or(now())),
            created: Some("2026-11-20T12:00:00Z".parse().unwrap_or(now())),
            node: "worker-01".into(),
            ip: "10.244.1.7".into(),
            health,
        })
    }

    fn app() -> App {
        let mut a = App::new(
            "prod".into(),
            vec!["prod".into()],
            "https://10.0.0.1:6443".into(),
            "all".into(),
            false,
        );
        a.now = now();
        a.pods.set_rows(vec![
            row("demo", "crasher", "CrashLoopBackOff", Health::Error, 5),
            row("demo", "web-1", "Running", Health::Ok, 0),
        ]);
        for k in ResourceKind::ALL {
            a.informers.insert(k, InformerState::Live);
        }
        a.counts.insert(ResourceKind::Pods, 2);
        a
    }

    fn render(app: &App, w: u16, h: u16) -> ratatui::buffer::Buffer {
        let theme = Theme::from_toml(theme::DEFAULT_THEME).unwrap_or_else(|_| Theme::monochrome());
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap_or_else(|e| panic!("{e}"));
        term.draw(|f| draw(f, app, &theme))
            .unwrap_or_else(|e| panic!("{e}"));
        term.backend().buffer().clone()
    }

    fn line(buf: &ratatui::buffer::Buffer, y: u16) -> String {
        (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol())
            .collect::<String>()
    }

    #[test]
    fn pods_view_at_80x24() {
        let buf = render(&app(), 80, 24);
        assert_eq!(
            line(&buf, 0).trim_end(),
            " kubedeck  ctx: prod  ns: all  https://10.0.0.1:6443   ? help"
        );
        assert!(line(&buf, 1).starts_with("┌ pods(all) [2/2] "));
        assert_eq!(
            line(&buf, 2),
            "│NAMESPACE↑  NAME     READY  STATUS            RESTARTS    AGE                 │"
        );
        assert_eq!(
            line(&buf, 3),
            "│demo        crasher  0/1    CrashLoopBackOff  5 (2m ago)  2d                  │"
        );
        assert_eq!(
            line(&buf, 4),
            "│demo        web-1    1/1    Running           0           2d                  │"
        );
        assert!(line(&buf, 23).starts_with(" pods 2 │ events 0 │ nodes 0 │"));
        // The cursor is on the first row; the second is coloured by its health.
        assert_eq!(buf[(1, 3)].bg, Color::Cyan);
        assert_eq!(buf[(1, 4)].fg, Color::Green);
    }

    #[test]
    fn pods_view_at_160x45_shows_node_and_ip() {
        let mut a = app();
        a.pods.move_by(1);
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
    fn empty_states_explain_themselves() {
        let mut a = app();
        a.pods.set_rows(Vec::new());
        a.informers.insert(
            ResourceKind::Pods,
            InformerState::Reconnecting("cannot reach the API server: connection refused".into()),
        );
        let text: String = (0..24).map(|y| line(&render(&a, 80, 24), y)).collect();
        assert!(
            text.contains("connection refused") && text.contains("Retrying"),
            "{text}"
        );
        a.informers.insert(
            ResourceKind::Pods,
            InformerState::Forbidden("pods is forbidden".into()),
        );
        let text: String = (0..24).map(|y| line(&render(&a, 80, 24), y)).collect();
        assert!(text.contains("Forbidden: pods is forbidden"), "{text}");
    }

    #[test]
    fn help_overlay_lists_every_binding() {
        let mut a = app();
        a.mode = Mode::Help;
        let buf = render(&a, 100, 40);
        let text: String = (0..40).map(|y| line(&buf, y)).collect();
        for b in crate::app::keymap::table_bindings() {
            assert!(text.contains(b.desc), "help lacks {:?}", b.desc);
        }
        assert!(!text.contains("for more"), "everything fits at 40 rows");
    }

    #[test]
    fn help_scrolls_on_a_small_terminal() {
        let mut a = app();
        a.mode = Mode::Help;
        let text = |a: &App| {
            (0..24)
                .map(|y| line(&render(a, 80, 24), y))
                .collect::<String>()
        };
        let top = text(&a);
        assert!(
            top.contains("j/↓ for more") && !top.contains(":ctx NAME"),
            "{top}"
        );
        a.help_scroll = 100;
        let bottom = text(&a);
        assert!(
            bottom.contains(":ctx NAME") && !bottom.contains("for more"),
            "{bottom}"
        );
    }

    #[test]
    fn hostile_names_are_neutralised() {
        let mut a = app();
        a.pods.set_rows(vec![row(
            "demo",
            "evil\u{1b}]0;pwned\u{7}",
            "Running",
            Health::Ok,
            0,
        )]);
        let buf = render(&a, 80, 24);
        let text: String = (0..24).map(|y| line(&buf, y)).collect();
        assert!(
            !text.contains('\u{1b}')
                && !text.contains('\u{7}')
                && text.contains("evil\u{fffd}]0;pwned\u{fffd}"),
            "{text}"
        );
    }
}
