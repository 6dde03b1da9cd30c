//! The UI task: one `select!` over terminal input, informer updates, a one-second clock and
//! termination signals. It never awaits the network: informers run on their own tasks and the
//! UI reads their stores. A frame is drawn only when something changed, at most ~60 per second.

use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream, KeyEventKind};
use futures::StreamExt;
use jiff::Timestamp;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::app::keymap::{self, Binding};
use crate::app::update::update;
use crate::app::{App, Effect, Mode, Severity};
use crate::kube::client::KubeconfigSource;
use crate::kube::cluster::{Cluster, Scope};
use crate::kube::informer::{InformerUpdate, ResourceKind};
use crate::kube::pod_row::RowCache;
use crate::views::{self, theme::Theme};

const FRAME: Duration = Duration::from_millis(16);

/// Everything the UI task needs to (re)connect.
pub struct Session {
    pub kubeconfig: KubeconfigSource,
    pub cluster: Cluster,
}

/// Why the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal,
    TerminalGone,
}

fn handle_key(
    app: &mut App,
    bindings: &[Binding],
    key: &crossterm::event::KeyEvent,
) -> Vec<Effect> {
    let action = match app.mode {
        Mode::Filter | Mode::Command => keymap::input_action(key),
        Mode::Table | Mode::Help => keymap::table_action(bindings, key),
    };
    match action {
        Some(a) => update(app, a),
        None => Vec::new(),
    }
}

async fn apply(
    effect: Effect,
    app: &mut App,
    session: &mut Session,
    tx: &mpsc::UnboundedSender<InformerUpdate>,
) {
    match effect {
        Effect::SwitchScope(scope) => {
            let client = session.cluster.client.clone();
            let context = session.cluster.context.clone();
            restart(app, session, client, context, scope, tx);
        }
        Effect::SwitchContext(name) => match session.kubeconfig.client(&name).await {
            Ok((client, ns)) => {
                app.server = server_of(&session.kubeconfig, &name);
                app.context = name.clone();
                let scope = if app.all_namespaces() {
                    Scope::All
                } else {
                    Scope::Namespace(ns.clone())
                };
                app.scope = scope.label().to_string();
                restart(app, session, client, name, scope, tx);
            }
            Err(e) => app.message = Some((Severity::Error, e.to_string())),
        },
    }
}

/// The API server URL of a context, for display.
pub fn server_of(src: &KubeconfigSource, context: &str) -> String {
    let cluster = src
        .config
        .contexts
        .iter()
        .find(|c| c.name == context)
        .and_then(|c| c.context.as_ref())
        .map(|c| c.cluster.clone());
    cluster
        .and_then(|name| src.config.clusters.iter().find(|c| c.name == name))
        .and_then(|c| c.cluster.as_ref())
        .and_then(|c| c.server.clone())
        .unwrap_or_default()
}

fn restart(
    app: &mut App,
    session: &mut Session,
    client: kube::Client,
    context: String,
    scope: Scope,
    tx: &mpsc::UnboundedSender<InformerUpdate>,
) {
    // Dropping the old cluster stops its informers before the new ones start.
    session.cluster = Cluster::start(client, context, scope, tx.clone());
    app.informers.clear();
    app.counts.clear();
    app.pods.set_rows(Vec::new());
}

fn refresh_counts(app: &mut App, cluster: &Cluster) {
    for kind in ResourceKind::ALL {
        app.counts.insert(kind, cluster.count(kind));
    }
}

pub async fn run(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    theme: &Theme,
    mut session: Session,
    mut updates: mpsc::UnboundedReceiver<InformerUpdate>,
    tx: mpsc::UnboundedSender<InformerUpdate>,
) -> std::io::Result<Exit> {
    let bindings = keymap::table_bindings();
    let mut input = EventStream::new();
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stop = crate::signals::wait_for_termination();
    tokio::pin!(stop);
    let mut dirty = true;
    let mut pods_changed = true;
    let mut last_frame = Instant::now() - FRAME;
    let mut row_cache = RowCache::default();
    let mut repaint = false;
    loop {
        let frame_due = last_frame + FRAME;
        tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(TermEvent::Key(key))) if key.kind == KeyEventKind::Press => {
                    for effect in handle_key(app, &bindings, &key) {
                        apply(effect, app, &mut session, &tx).await;
                        pods_changed = true;
                    }
                    dirty = true;
                }
                // Repaint everything: during a resize storm the size may end where it began,
                // so a diff against the old frame would leave what the terminal dropped.
                Some(Ok(TermEvent::Resize(..))) => {
                    repaint = true;
                    dirty = true;
                }
                Some(Ok(_)) => {}
                // The terminal went away (SSH dropped): leave now.
                Some(Err(_)) | None => return Ok(Exit::TerminalGone),
            },
            Some(update) = updates.recv() => {
                match update {
                    InformerUpdate::Changed(ResourceKind::Pods) => pods_changed = true,
                    InformerUpdate::Changed(_) => {}
                    InformerUpdate::State(kind, state) => { app.informers.insert(kind, state); }
                }
                dirty = true;
            }
            _ = clock.tick() => dirty = true,
            () = tokio::time::sleep_until(frame_due), if dirty => {
                if pods_changed {
                    let rows = row_cache.refresh(&session.cluster.pods.state());
                    app.pods.set_rows(rows);
                    pods_changed = false;
                }
                refresh_counts(app, &session.cluster);
                app.now = Timestamp::now();
                let size = terminal.size()?;
                let area = ratatui::layout::Rect::new(0, 0, size.width, size.height);
                let [_, main, _] = views::layout(area);
                let height = views::pods::body_height(main);
                app.page_rows = height;
                app.pods.scroll_into_view(height);
                if std::mem::take(&mut repaint) {
                    // `resize` clears and resets the back buffer without asking the terminal
                    // for its cursor position (which `clear` does, and some terminals never answer).
                    terminal.resize(area)?;
                }
                terminal.draw(|f| views::draw(f, app, theme))?;
                last_frame = Instant::now();
                dirty = false;
            }
            () = &mut stop => return Ok(Exit::Signal),
        }
        if app.should_quit {
            return Ok(Exit::Quit);
        }
    }
}
