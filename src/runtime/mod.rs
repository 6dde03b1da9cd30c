//! The UI task: one `select!` over terminal input, informer signals, log and session events,
//! metrics, task results, a one-second clock and termination signals. Everything it receives
//! becomes a [`Msg`] for `update`; it carries out the effects `update` returns (`effects`) and
//! draws a frame when something changed, at most ~60 per second, and at once after a key. It
//! never awaits the network:
//! informers, streams, sessions and actions run on their own tasks and report over channels.

mod actions;
mod clusters;
mod forwards;
mod input;
mod local;
mod plugins;
mod recorder;
mod runner;
mod sessions;
mod streams;
mod terminals;
#[cfg(test)]
mod tests;

use std::collections::VecDeque;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyEventKind};
use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::time::Instant;

pub use crate::app::msg::StartView;
pub use local::load_favourites;
pub use runner::RunnerConfig;
use runner::{Channels, Runner};

use crate::app::msg::Msg;
use crate::app::projection::Projection;
use crate::app::update::update;
use crate::app::{App, layout};
use crate::kube::informer::InformerUpdate;
use crate::views;

const FRAME: Duration = Duration::from_millis(16);
/// The frame pace with `--low-bandwidth`: at most 4 a second.
const LOW_BANDWIDTH_FRAME: Duration = Duration::from_millis(250);

/// The terminal kubedeck draws on: crossterm (with the attributes ratatui has no room for),
/// through the writer that sends basic colours as basic SGR codes.
pub type Terminal = ratatui::Terminal<
    crate::term_out::extended::ExtendedBackend<
        crate::term_out::BasicSgr<crate::term_out::frame_gate::FrameGate<std::io::Stdout>>,
    >,
>;

/// Put the terminal in raw mode on the alternate screen (restored by `ratatui::restore`, also
/// from the panic hook `ratatui::init` installs) and open it for drawing.
pub fn open_terminal() -> std::io::Result<Terminal> {
    // Raw mode, the alternate screen and the panic hook; its own handle is not drawn on.
    drop(ratatui::init());
    let backend = crate::term_out::extended::ExtendedBackend::new(crate::term_out::BasicSgr::new(
        crate::term_out::frame_gate::FrameGate::new(std::io::stdout()),
    ));
    ratatui::Terminal::new(backend)
}

/// How often frames may be drawn, and whether the clock alone redraws.
struct Pace {
    frame: Duration,
    low_bandwidth: bool,
    /// The minute the clock last redrew in (low bandwidth: once a minute).
    minute: i64,
}

impl Pace {
    fn new(low_bandwidth: bool) -> Self {
        Self {
            frame: if low_bandwidth {
                LOW_BANDWIDTH_FRAME
            } else {
                FRAME
            },
            low_bandwidth,
            minute: i64::MIN,
        }
    }

    /// Whether a clock tick at `now` redraws: every second (the ages of young objects), or
    /// with `--low-bandwidth` on the first tick of each minute only (over a slow link, a
    /// second's ages cost more than they tell).
    fn clock_redraws(&mut self, now: Timestamp) -> bool {
        if !self.low_bandwidth {
            return true;
        }
        let minute = now.as_second().div_euclid(60);
        minute != std::mem::replace(&mut self.minute, minute)
    }
}

#[cfg(test)]
mod pace_tests {
    use super::*;

    #[test]
    fn low_bandwidth_draws_four_frames_a_second_and_the_clock_once_a_minute() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        let mut normal = Pace::new(false);
        assert!(normal.clock_redraws(at("2026-12-06T10:00:01Z")));
        assert!(normal.clock_redraws(at("2026-12-06T10:00:02Z")));
        let mut low = Pace::new(true);
        assert_eq!(low.frame, Duration::from_millis(250));
        assert!(low.clock_redraws(at("2026-12-06T10:00:59Z")));
        assert!(
            low.clock_redraws(at("2026-12-06T10:01:00Z")),
            "a new minute"
        );
        for s in 1..60 {
            let t = at(&format!("2026-12-06T10:01:{s:02}Z"));
            assert!(!low.clock_redraws(t), "second {s}");
        }
        assert!(low.clock_redraws(at("2026-12-06T10:02:00Z")));
    }
}

/// Why the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal,
    TerminalGone,
}

/// Log events handled per wake-up before the loop looks at keys again (each holds up to 2048
/// lines), so a flood never keeps a key press waiting for long.
pub const LOG_EVENTS_PER_TURN: usize = 32;

/// Hand `msg` to `update` and carry out the effects, and whatever they answer at once.
fn dispatch(app: &mut App, runner: &mut Runner, msg: Msg) {
    let mut queue = VecDeque::from([msg]);
    while let Some(msg) = queue.pop_front() {
        let started = Instant::now();
        let name = msg.name();
        for effect in update(app, msg) {
            runner.run(effect, &mut queue);
        }
        let took = started.elapsed();
        tracing::trace!(?took, msg = name, "update");
        if took > SLOW {
            tracing::debug!(?took, msg = name, "slow update");
        }
    }
}

/// At most this many terminal events (keys typed ahead) are taken before a frame is drawn.
const INPUT_PER_FRAME: usize = 64;

/// An update or frame longer than this is written to the debug log, with what it was.
const SLOW: std::time::Duration = std::time::Duration::from_millis(30);

/// Before a frame: the panes' areas, each terminal the size of its pane, log panes settled on
/// what fits, and the tables' page sizes. The geometry only the views know.
fn lay_out(app: &mut App, runner: &Runner, area: ratatui::layout::Rect) {
    let [_, main, _] = views::layout(area);
    app.panes.pane_areas = app.panes.layout.rects(main);
    // The dashboard's own area (all of `main` when it is the only pane or hidden).
    let main = app
        .panes
        .pane_areas
        .iter()
        .find(|(id, _)| *id == layout::DASHBOARD)
        .map_or(main, |(_, r)| *r);
    for (id, rect) in app.panes.pane_areas.clone() {
        if let Some(pane) = app.panes.logs.get_mut(&id) {
            views::logs::settle(pane, rect, &runner.theme);
        }
        if let Some(t) = app.panes.terms.get(&id) {
            let inner = views::terminal::inner(rect);
            runner.terminals.fit(t.session, inner.height, inner.width);
        }
    }
    let height = views::table::body_height(main);
    app.page_rows = height;
    crate::app::navigate::on_table!(app, app.view, t => t.scroll_into_view(height));
    if let Some(d) = app.detail.as_mut() {
        d.page = views::detail::body_height(main);
        d.scroll = d.scroll.min(d.max_scroll());
    }
}

/// One frame: the projection of what changed, its effects, the layout, then the screen (one
/// synchronized update, only the cells that changed).
fn draw_frame(
    terminal: &mut Terminal,
    app: &mut App,
    runner: &mut Runner,
    projection: &mut Projection,
    repaint: bool,
) -> std::io::Result<()> {
    let started = Instant::now();
    let stale = tracing::enabled!(tracing::Level::DEBUG).then(|| format!("{:?}", app.stale.kinds));
    dispatch(app, runner, Msg::Frame(Timestamp::now()));
    let mut queue = VecDeque::new();
    let effects = projection.project_all(app, &runner.sources());
    let projected = started.elapsed();
    for effect in effects {
        runner.run(effect, &mut queue);
    }
    for msg in queue {
        dispatch(app, runner, msg);
    }
    let size = terminal.size()?;
    let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    lay_out(app, runner, area);
    if repaint {
        // `resize` clears and resets the back buffer without asking the terminal for its
        // cursor position (which `clear` does, and some terminals never answer).
        terminal.resize(area)?;
    }
    let screens = &runner.terminals.screens;
    // One synchronized update per frame: terminals (and tmux) that know it show the frame
    // whole, never half drawn over a slow link.
    crossterm::queue!(
        terminal.backend_mut(),
        crossterm::terminal::BeginSynchronizedUpdate
    )?;
    terminal.draw(|f| views::draw(f, app, screens, &runner.theme))?;
    crossterm::execute!(
        terminal.backend_mut(),
        crossterm::terminal::EndSynchronizedUpdate
    )?;
    if let Some(stale) = stale {
        let took = started.elapsed();
        tracing::trace!(?took, ?projected, "frame");
        if took > SLOW {
            tracing::debug!(?took, ?projected, %stale, view = ?app.view,
                whole_pod_reads = projection.pods_whole_reads(), "slow frame");
        }
    }
    runner.pod_usage_shown(app.pod_metrics_wanted());
    Ok(())
}

pub async fn run(
    terminal: &mut Terminal,
    app: &mut App,
    config: RunnerConfig,
    start: StartView,
    (mut updates, informer_tx): (
        mpsc::UnboundedReceiver<InformerUpdate>,
        mpsc::UnboundedSender<InformerUpdate>,
    ),
    mut stop: crate::signals::Termination,
) -> std::io::Result<Exit> {
    let (done_tx, mut done_rx) = mpsc::unbounded_channel();
    let (internal_tx, mut internal_rx) = mpsc::unbounded_channel();
    let (log_tx, mut log_rx) = mpsc::channel(64);
    let (session_tx, mut session_rx) = mpsc::unbounded_channel();
    let (metrics_tx, mut metrics_rx) = mpsc::unbounded_channel();
    let channels = Channels {
        informers: informer_tx,
        done: done_tx,
        internal: internal_tx,
        logs: log_tx,
        metrics: metrics_tx,
        sessions: session_tx,
    };
    let mut pace = Pace::new(config.low_bandwidth);
    let mut runner = Runner::new(config, channels);
    let contexts = crate::app::contexts::context_rows(&runner.kubeconfig, &app.fleet.clusters);
    dispatch(
        app,
        &mut runner,
        Msg::Start {
            view: start,
            contexts,
        },
    );
    let mut projection = Projection::default();
    let wake = runner.terminals.wake.clone();
    let mut input = input::spawn();
    let tty = input::Tty::open();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut last_frame = Instant::now() - pace.frame;
    let mut repaint = false;
    loop {
        let frame_due = last_frame + pace.frame;
        // A frame is drawn this turn: its time has come, or a key (or a paste) came. A key is
        // not paced to the ~60 frames a second of informer updates (under a watch storm a frame
        // is nearly always just drawn), nor drawn through a timer due now: tokio's timers round
        // up to the next millisecond and fire when the runtime next parks.
        let mut draw_now = false;
        tokio::select! {
            ev = input.recv() => {
                let (mut ev, mut taken) = (ev, 0);
                loop {
                    match ev {
                        Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
                            dispatch(app, &mut runner, Msg::Key(key));
                            dirty = true;
                            draw_now = !pace.low_bandwidth;
                        }
                        // Repaint everything: during a resize storm the size may end where it
                        // began, so a diff against the old frame would leave what the terminal
                        // dropped.
                        Some(Ok(TermEvent::Resize(..))) => {
                            repaint = true;
                            dirty = true;
                        }
                        Some(Ok(TermEvent::Paste(text))) => {
                            dispatch(app, &mut runner, Msg::Paste(text));
                            dirty = true;
                            draw_now = !pace.low_bandwidth;
                        }
                        Some(Ok(_)) => {}
                        // The terminal went away (SSH dropped): leave now.
                        Some(Err(_)) | None => return Ok(Exit::TerminalGone),
                    }
                    // What the terminal has already sent (keys typed ahead, a key held down) is
                    // taken before the frame, which then shows it all.
                    taken += 1;
                    if taken == INPUT_PER_FRAME || app.should_quit {
                        break;
                    }
                    match input.try_recv() {
                        Ok(next) => ev = Some(next),
                        Err(_) => break,
                    }
                }
            }
            Some(u) = updates.recv() => {
                dispatch(app, &mut runner, Msg::Informer(u));
                dirty = true;
            }
            Some(ev) = log_rx.recv() => {
                dispatch(app, &mut runner, Msg::Log(ev));
                for _ in 0..LOG_EVENTS_PER_TURN {
                    match log_rx.try_recv() {
                        Ok(ev) => dispatch(app, &mut runner, Msg::Log(ev)),
                        Err(_) => break,
                    }
                }
                dirty = true;
            }
            Some((cluster, m)) = metrics_rx.recv() => {
                dispatch(app, &mut runner, Msg::Metrics(cluster, m));
                dirty = true;
            }
            Some(ev) = session_rx.recv() => {
                dispatch(app, &mut runner, Msg::Session(ev));
                dirty = true;
            }
            () = wake.notified() => dirty = true,
            Some(msg) = done_rx.recv() => {
                dispatch(app, &mut runner, msg);
                dirty = true;
            }
            Some(internal) = internal_rx.recv() => {
                let msg = runner.client_ready(internal);
                dispatch(app, &mut runner, msg);
                dirty = true;
            }
            _ = clock.tick() => {
                // The terminal went away without a SIGHUP reaching kubedeck: leave now.
                if tty.hung_up() {
                    return Ok(Exit::TerminalGone);
                }
                let now = Timestamp::now();
                dispatch(app, &mut runner, Msg::Tick(now));
                dirty |= pace.clock_redraws(now);
            }
            () = tokio::time::sleep_until(frame_due), if dirty => draw_now = true,
            () = stop.wait() => return Ok(Exit::Signal),
        }
        if app.should_quit {
            return Ok(Exit::Quit);
        }
        if draw_now && dirty {
            draw_frame(
                terminal,
                app,
                &mut runner,
                &mut projection,
                std::mem::take(&mut repaint),
            )?;
            last_frame = Instant::now();
            dirty = false;
        }
    }
}
