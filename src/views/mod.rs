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
        help::draw(frame, main, theme);
    }
}
