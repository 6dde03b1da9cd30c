//! `update` for open log panes and the pane layout: focus, zoom, resize and close, the keys of
//! a focused log pane, `:since`/`:tail`, typed search and filter, and what the streams report.

use jiff::Timestamp;

use super::pane::LogPane;
use super::pattern::{LineFilter, Pattern};
use crate::app::action::{Action, Effect};
use crate::app::layout::DASHBOARD;
use crate::app::notice::Notice;
use crate::app::state::{App, Mode};
use crate::kube::log_request::{LogRequest, LogTarget, parse_since, since_label};
use crate::kube::logs::{LogEvent, LogReport};

/// Pane layout keys; `None` when the action is not one of them.
pub fn pane_keys(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let l = &mut app.panes.layout;
    match action {
        Action::FocusNext => l.cycle(true),
        Action::FocusPrev => l.cycle(false),
        Action::Zoom => l.toggle_zoom(),
        Action::Grow => l.resize(5),
        Action::Shrink => l.resize(-5),
        Action::Flip => l.flip(),
        Action::ClosePane => {
            let id = l.focus;
            if id == DASHBOARD || !l.close(id) {
                app.say(Notice::Tip("the dashboard pane stays open"));
                return Some(Vec::new());
            }
            let stream = app.panes.logs.remove(&id).map(|p| p.stream);
            if app.panes.terms.remove(&id).is_some() {
                // A terminal pane closes; its session runs on (:sessions).
                app.say(Notice::Tip("pane closed: the session runs on (:sessions)"));
                return Some(Vec::new());
            }
            return Some(stream.map(Effect::StopLogs).into_iter().collect());
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn restart(app: &mut App, change: impl FnOnce(&mut LogRequest)) -> Vec<Effect> {
    let id = app.panes.layout.focus;
    let key = app.panes.new_stream_key();
    let Some(pane) = app.panes.logs.get_mut(&id) else {
        return Vec::new();
    };
    let mut request = pane.request.clone();
    change(&mut request);
    let old = pane.stream;
    pane.reset(key, request.clone());
    vec![Effect::StopLogs(old), Effect::OpenLogs { key, request }]
}

/// A default file name for saving a pane.
fn save_path(pane: &LogPane, now: Timestamp) -> String {
    let who: String = match &pane.request.target {
        LogTarget::Pod { name, .. } => name.clone(),
        LogTarget::Selector { selector, .. } => selector.clone(),
        LogTarget::Pods { pods, .. } => format!("{}-pods", pods.len()),
        LogTarget::Tekton { name, .. } | LogTarget::Owner { name, .. } => name.clone(),
    }
    .chars()
    .map(|c| {
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            c
        } else {
            '_'
        }
    })
    .collect();
    format!("kubedeck-{who}-{}.log", now.strftime("%Y%m%d-%H%M%S"))
}

/// Keys of a focused log pane (in `Mode::Table`); `None` when the key is not the pane's.
pub fn log_keys(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let now = app.now;
    let pane = app.panes.focused_log_mut()?;
    let page = pane.page.max(1) as isize;
    let mut msg: Option<Notice> = None;
    match action {
        Action::Down => pane.move_by(1),
        Action::Up => pane.move_by(-1),
        Action::PageDown => pane.move_by(page),
        Action::PageUp => pane.move_by(-page),
        Action::Top => pane.to_top(),
        Action::Bottom => pane.resume(),
        Action::ToggleFollow => pane.toggle_follow(),
        Action::ToggleWrap => pane.wrap = !pane.wrap,
        Action::ToggleTimestamps => pane.timestamps = !pane.timestamps,
        Action::CycleLevel => {
            pane.cycle_level();
            msg = Some(Notice::MinLevel(pane.min_level));
        }
        Action::FailedOnly => {
            if pane.request.target.is_tekton() {
                pane.failed_only = !pane.failed_only;
                msg = Some(Notice::Tip(if pane.failed_only {
                    "only failed steps"
                } else {
                    "all steps"
                }));
            } else {
                msg = Some(Notice::Refused(
                    "failed-steps-only applies to PipelineRun/TaskRun logs",
                ));
            }
        }
        Action::Expand => pane.toggle_expanded(),
        Action::Mark => {
            if pane.mark.is_some() {
                pane.mark = None;
            } else {
                pane.pause();
                pane.mark = pane.cursor;
                msg = Some(Notice::Tip(
                    "mark set: move, then c copies the lines between",
                ));
            }
        }
        Action::Copy => {
            let text = pane.selection_text();
            pane.mark = None;
            if text.is_empty() {
                return Some(Vec::new());
            }
            let n = text.lines().count();
            app.say(Notice::Copied(n));
            return Some(vec![Effect::Clipboard(text)]);
        }
        Action::Save => {
            app.prompt.input = save_path(pane, now);
            app.prompt.mode = Mode::Save;
        }
        Action::StartFilter => {
            let current = pane
                .search
                .as_ref()
                .map(|p| p.text.clone())
                .unwrap_or_default();
            app.prompt.open(Mode::Search, current);
        }
        Action::FilterLines => {
            let current = pane
                .filter
                .as_ref()
                .map(LineFilter::label)
                .unwrap_or_default();
            app.prompt.open(Mode::Filter, current);
        }
        Action::NextMatch | Action::PrevMatch => {
            if !pane.jump(action == Action::NextMatch) {
                let what = pane.search.as_ref().map(|p| p.text.clone());
                msg = Some(match what {
                    Some(t) => Notice::NoMoreMatches(t),
                    None => Notice::Tip("/ to search"),
                });
            }
        }
        Action::Previous => {
            let was = pane.request.options.previous;
            let effects = restart(app, |r| {
                r.options.previous = !was;
                r.options.follow = was;
            });
            app.say(Notice::PreviousLog(!was));
            return Some(effects);
        }
        Action::Back => {
            if pane.search.is_some()
                || pane.filter.is_some()
                || pane.min_level.is_some()
                || pane.mark.is_some()
            {
                pane.search = None;
                pane.filter = None;
                pane.min_level = None;
                pane.mark = None;
                msg = Some(Notice::Tip("search and filters cleared"));
            } else {
                app.panes.layout.focus = DASHBOARD;
                app.panes.layout.zoomed = false;
            }
        }
        _ => return None,
    }
    if let Some(m) = msg {
        app.say(m);
    }
    Some(Vec::new())
}

/// Text typed into the search or filter line of a focused log pane (`submit`: Enter).
pub fn log_typed(app: &mut App, mode: Mode, input: &str, submit: bool) -> bool {
    let Some(pane) = app.panes.focused_log_mut() else {
        return false;
    };
    let result = match mode {
        Mode::Search => Pattern::new(input).map(|p| {
            pane.search = p;
            if pane.search.is_some() && (submit || !pane.follow) {
                pane.jump(false);
            }
        }),
        Mode::Filter => LineFilter::new(input).map(|f| pane.filter = f),
        _ => return false,
    };
    match (result, submit) {
        (Err(e), true) => app.say(Notice::Invalid(e)),
        (Ok(()), true) if mode == Mode::Filter => {
            // Say how much the filter keeps (of the lines held, notes aside).
            if let Some(p) = app.panes.focused_log()
                && p.filter.is_some()
            {
                let held = p.buffer.iter().filter(|e| e.note.is_none()).count();
                let kept = p
                    .buffer
                    .iter()
                    .filter(|e| e.note.is_none() && p.shows(e))
                    .count();
                app.say(Notice::FilterKeeps { kept, held });
            }
        }
        _ => {}
    }
    true
}

/// Whether a log pane has the focus, else says that `:cmd` needs one.
fn needs_pane(app: &mut App, cmd: &'static str) -> bool {
    if app.panes.focused_log().is_none() {
        app.say(Notice::NeedsLogPane(cmd));
        return false;
    }
    true
}

/// `:since 5m|off`: restart the focused pane's stream from then.
pub fn since_command(app: &mut App, args: &[&str]) -> Vec<Effect> {
    if !needs_pane(app, "since") {
        return Vec::new();
    }
    match args {
        ["off" | "all"] => restart(app, |r| r.options.since = None),
        [d] => match parse_since(d) {
            Ok(d) => {
                let effects = restart(app, |r| r.options.since = Some(d));
                app.say(Notice::LogsSince(since_label(d)));
                effects
            }
            Err(e) => {
                app.say(Notice::Invalid(e));
                Vec::new()
            }
        },
        _ => {
            app.say(Notice::Refused("usage: :since 5m|1h|off"));
            Vec::new()
        }
    }
}

/// `:tail N`: restart the focused pane's stream with N lines of backlog.
pub fn tail_command(app: &mut App, args: &[&str]) -> Vec<Effect> {
    if !needs_pane(app, "tail") {
        return Vec::new();
    }
    match args {
        [n] => match n.parse::<i64>() {
            Ok(n) if n > 0 => restart(app, |r| r.options.tail_lines = n),
            _ => {
                app.say(Notice::BadLineCount(n.to_string()));
                Vec::new()
            }
        },
        _ => {
            app.say(Notice::Refused("usage: :tail LINES"));
            Vec::new()
        }
    }
}

/// What a stream reported, into the pane it feeds (ignored once the pane has closed or been
/// given another stream).
pub fn reported(app: &mut App, ev: LogEvent) {
    let Some(p) = app.panes.logs.values_mut().find(|p| p.stream == ev.key) else {
        return;
    };
    match ev.report {
        LogReport::Source { id, source } => p.set_source(id, source),
        LogReport::State { id, state } => p.set_state(id, state),
        LogReport::Lines { id, lines } => p.push_lines(id, lines),
        LogReport::Note { id, kind, text, at } => p.note_at(id, kind, text, at),
        LogReport::Failed(error) => p.error = Some(error),
        LogReport::Captured { at } => p.captured = Some(at),
    }
}
