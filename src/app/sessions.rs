//! Terminal sessions as the app sees them: the sessions (each with its screen and the sender its
//! task reads keys from), the panes showing them, the prefix key, and opening shells and debug
//! containers from the selection. No I/O: keys are handed to the session's task with `try_send`.

use std::cmp::Ordering;
use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;
use tokio::sync::mpsc;

use super::action::{Action, Effect};
use super::layout::PaneId;
use super::state::{App, Mode, Pending, Picker, Severity, View};
use super::table::{Col, TableRow};
use crate::kube::debug::Profile;
use crate::kube::pod_row::{Health, PodRow};
use crate::pty::keys::{self, Modes};
use crate::pty::screen::Screen;
use crate::pty::session::{Input, SessionId, SessionState};

/// What a session is connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionSpec {
    Exec {
        namespace: String,
        pod: String,
        container: String,
    },
    Debug {
        namespace: String,
        pod: String,
        target: String,
        profile: Profile,
    },
    Local,
}

impl SessionSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            SessionSpec::Exec { .. } => "exec",
            SessionSpec::Debug { .. } => "debug",
            SessionSpec::Local => "local",
        }
    }

    pub fn target(&self, context: &str) -> String {
        match self {
            SessionSpec::Exec {
                namespace,
                pod,
                container,
            } => format!("{namespace}/{pod}:{container}"),
            SessionSpec::Debug {
                namespace,
                pod,
                target,
                profile,
            } => format!("{namespace}/{pod}:{target} [{}]", profile.name),
            SessionSpec::Local => format!("shell ({context})"),
        }
    }

    /// Whether opening it changes the cluster or runs commands in it (refused read-only).
    pub fn mutates(&self) -> bool {
        !matches!(self, SessionSpec::Local)
    }
}

/// One session.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub spec: SessionSpec,
    pub label: String,
    /// The context it was opened in (it keeps talking to that cluster after `:ctx`).
    pub context: String,
    pub state: SessionState,
    pub started: Timestamp,
    pub screen: Screen,
    /// Where keys go; set by the runtime once the task runs.
    pub input: Option<mpsc::Sender<Input>>,
    pub recording: Option<PathBuf>,
}

/// A pane showing a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermPane {
    pub session: SessionId,
    /// Rows scrolled back into the history (0: live).
    pub scroll: usize,
}

/// `[sessions]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSettings {
    /// The key that turns the next key into a kubedeck command in a terminal pane.
    pub prefix: KeyEvent,
    pub prefix_label: String,
    pub scrollback: usize,
    pub record_dir: PathBuf,
    /// Record every session from its start.
    pub record_all: bool,
    pub profiles: Vec<Profile>,
}

impl Default for SessionSettings {
    fn default() -> Self {
        Self {
            prefix: KeyEvent::new(KeyCode::Char('a'), KeyModifiers::CONTROL),
            prefix_label: "ctrl-a".into(),
            scrollback: 5000,
            record_dir: std::env::temp_dir().join("kubedeck-recordings"),
            record_all: false,
            profiles: crate::kube::debug::default_profiles(),
        }
    }
}

fn say(app: &mut App, severity: Severity, text: impl Into<String>) {
    app.message = Some((severity, text.into()));
}

/// Open a new pane beside the focused one showing `session`.
fn show_in_pane(app: &mut App, session: SessionId) -> PaneId {
    let id = app.next_pane;
    app.next_pane += 1;
    app.terms.insert(id, TermPane { session, scroll: 0 });
    app.split_beside_focus(id);
    id
}

/// Start a session in a new pane (the runtime connects it).
pub fn open_session(app: &mut App, spec: SessionSpec) -> Vec<Effect> {
    if spec.mutates() && app.readonly {
        say(
            app,
            Severity::Error,
            format!("read-only mode: {} sessions are refused", spec.kind()),
        );
        return Vec::new();
    }
    let id = app.next_session;
    app.next_session += 1;
    let label = spec.target(&app.context);
    // The real size comes with the first frame; 24x80 until then.
    let info = SessionInfo {
        spec: spec.clone(),
        label,
        context: app.context.clone(),
        state: SessionState::Connecting(String::new()),
        started: app.now,
        screen: Screen::new(24, 80, app.session_settings.scrollback),
        input: None,
        recording: None,
    };
    app.sessions.insert(id, info);
    show_in_pane(app, id);
    app.message = None;
    vec![Effect::OpenSession { id, spec }]
}

fn selected_pod(app: &mut App) -> Option<std::sync::Arc<PodRow>> {
    let obj = match app.view {
        View::Triage => app.tables.triage.selected_row().map(|r| r.target.clone()),
        _ => super::update::selected_object(app),
    }?;
    if obj.kind != crate::kube::informer::ResourceKind::Pods {
        return None;
    }
    app.tables
        .pods
        .all_rows()
        .iter()
        .find(|p| p.namespace == obj.namespace && p.name == obj.name)
        .cloned()
}

/// What a picker is choosing for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PickFor {
    #[default]
    Logs,
    Shell,
    Profile,
    DebugTarget(Profile),
}

/// The regular (not init) containers of a pod.
fn main_containers(row: &PodRow) -> Vec<String> {
    row.containers
        .iter()
        .skip(row.init_containers)
        .cloned()
        .collect()
}

fn container_picker(app: &mut App, row: &PodRow, title: String, purpose: PickFor) {
    let containers = main_containers(row);
    app.picker = Some(Picker {
        title,
        items: containers.clone(),
        values: containers,
        selected: 0,
        namespace: row.namespace.clone(),
        pod: row.name.clone(),
        purpose,
    });
    app.mode = Mode::Pick;
}

/// `s`: a shell in the selected pod's container (a picker when it has several).
pub fn open_shell(app: &mut App) -> Vec<Effect> {
    let Some(row) = selected_pod(app) else {
        say(app, Severity::Info, "select a pod to open a shell in");
        return Vec::new();
    };
    let containers = main_containers(&row);
    if containers.len() == 1 {
        return open_session(
            app,
            SessionSpec::Exec {
                namespace: row.namespace.clone(),
                pod: row.name.clone(),
                container: containers[0].clone(),
            },
        );
    }
    container_picker(app, &row, format!("shell in {}", row.name), PickFor::Shell);
    Vec::new()
}

/// `D`: a debug container in the selected pod: pick a profile, then the target container.
pub fn open_debug(app: &mut App) -> Vec<Effect> {
    let Some(row) = selected_pod(app) else {
        say(app, Severity::Info, "select a pod to debug");
        return Vec::new();
    };
    let profiles = &app.session_settings.profiles;
    app.picker = Some(Picker {
        title: format!("debug {} with", row.name),
        items: profiles
            .iter()
            .map(|p| format!("{:<18} {}", p.name, p.image))
            .collect(),
        values: profiles.iter().map(|p| p.name.clone()).collect(),
        selected: 0,
        namespace: row.namespace.clone(),
        pod: row.name.clone(),
        purpose: PickFor::Profile,
    });
    app.mode = Mode::Pick;
    Vec::new()
}

/// A picker choice for a session (the logs picker is handled by the log code).
pub fn picked(app: &mut App, picker: Picker, value: String) -> Vec<Effect> {
    match picker.purpose {
        PickFor::Logs => Vec::new(),
        PickFor::Shell => open_session(
            app,
            SessionSpec::Exec {
                namespace: picker.namespace,
                pod: picker.pod,
                container: value,
            },
        ),
        PickFor::Profile => {
            let Some(profile) = app
                .session_settings
                .profiles
                .iter()
                .find(|p| p.name == value)
                .cloned()
            else {
                return Vec::new();
            };
            let row = app
                .tables
                .pods
                .all_rows()
                .iter()
                .find(|p| p.namespace == picker.namespace && p.name == picker.pod)
                .cloned();
            let Some(row) = row else {
                say(app, Severity::Error, format!("pod {} is gone", picker.pod));
                return Vec::new();
            };
            let containers = main_containers(&row);
            if containers.len() == 1 {
                return open_session(
                    app,
                    SessionSpec::Debug {
                        namespace: row.namespace.clone(),
                        pod: row.name.clone(),
                        target: containers[0].clone(),
                        profile,
                    },
                );
            }
            let title = format!("{} in {}: target container", profile.name, row.name);
            container_picker(app, &row, title, PickFor::DebugTarget(profile));
            Vec::new()
        }
        PickFor::DebugTarget(profile) => open_session(
            app,
            SessionSpec::Debug {
                namespace: picker.namespace,
                pod: picker.pod,
                target: value,
                profile,
            },
        ),
    }
}

/// The session shown in the focused pane.
pub fn focused_session(app: &App) -> Option<SessionId> {
    app.terms.get(&app.layout.focus).map(|t| t.session)
}

fn send(app: &mut App, id: SessionId, input: Input) {
    let full = app
        .sessions
        .get(&id)
        .and_then(|s| s.input.as_ref())
        .map(|tx| tx.try_send(input).is_err());
    if full == Some(true) {
        say(
            app,
            Severity::Error,
            "the session is not taking input fast enough: key dropped",
        );
    }
}

/// A key typed into the focused terminal pane (not the prefix, not after it): scrolls when the
/// pane is scrolled back, else goes to the session byte-exact.
pub fn forward_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    let pane = app.layout.focus;
    let Some(term) = app.terms.get(&pane).copied() else {
        return Vec::new();
    };
    if term.scroll > 0 && scroll_key(app, pane, key) {
        return Vec::new();
    }
    let Some(session) = app.sessions.get(&term.session) else {
        return Vec::new();
    };
    let bytes = keys::encode(key, session.screen.modes());
    if !bytes.is_empty() {
        send(app, term.session, Input::Bytes(bytes));
    }
    Vec::new()
}

/// The prefix pressed twice: the prefix key itself goes to the program.
pub fn send_prefix(app: &mut App) {
    if let Some(id) = focused_session(app) {
        let bytes = keys::encode(&app.session_settings.prefix, Modes::default());
        send(app, id, Input::Bytes(bytes));
    }
}

/// Whether `key` is the prefix key.
pub fn is_prefix(app: &App, key: &KeyEvent) -> bool {
    use super::keymap::Key;
    Key::from_event(key) == Key::from_event(&app.session_settings.prefix)
}

/// Pasted text into the focused terminal pane; false when no terminal pane has the focus.
pub fn paste(app: &mut App, text: &str) -> bool {
    let Some(id) = focused_session(app) else {
        return false;
    };
    let Some(modes) = app.sessions.get(&id).map(|s| s.screen.modes()) else {
        return false;
    };
    send(app, id, Input::Bytes(keys::paste(text, modes)));
    true
}

fn page_of(app: &App, pane: PaneId) -> usize {
    app.pane_areas
        .iter()
        .find(|(p, _)| *p == pane)
        .map_or(10, |(_, r)| usize::from(r.height.saturating_sub(2)).max(1))
}

/// Keys while scrolled back: move through the history; false for any other key (which returns
/// the pane to live and goes to the program).
fn scroll_key(app: &mut App, pane: PaneId, key: &KeyEvent) -> bool {
    let page = page_of(app, pane);
    let Some(t) = app.terms.get_mut(&pane) else {
        return false;
    };
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => t.scroll += 1,
        KeyCode::Down | KeyCode::Char('j') => t.scroll = t.scroll.saturating_sub(1),
        KeyCode::PageUp => t.scroll += page,
        KeyCode::PageDown => t.scroll = t.scroll.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => t.scroll = usize::MAX / 2,
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('G') | KeyCode::End => t.scroll = 0,
        _ => {
            t.scroll = 0;
            return false;
        }
    }
    true
}

/// The terminal-pane actions (after the prefix); `None` when `action` is not one of them or no
/// terminal pane has the focus.
pub fn terminal_action(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let pane = app.layout.focus;
    let term = app.terms.get(&pane).copied()?;
    match action {
        Action::Scrollback => {
            let page = page_of(app, pane);
            if let Some(t) = app.terms.get_mut(&pane) {
                t.scroll = page;
            }
            say(
                app,
                Severity::Info,
                "scrollback: ↑↓ PgUp PgDn g G, Esc returns",
            );
            Some(Vec::new())
        }
        Action::Record => Some(toggle_recording(app, term.session)),
        Action::Detach => {
            app.layout.close(pane);
            app.terms.remove(&pane);
            say(
                app,
                Severity::Info,
                "detached: the session runs on (:sessions re-opens it)",
            );
            Some(Vec::new())
        }
        Action::EndSession => Some(ask_close(app, term.session)),
        _ => None,
    }
}

/// Start or stop recording a session.
pub fn toggle_recording(app: &mut App, id: SessionId) -> Vec<Effect> {
    let Some(s) = app.sessions.get(&id) else {
        return Vec::new();
    };
    let path = if s.recording.is_some() {
        None
    } else {
        Some(recording_path(
            &app.session_settings.record_dir,
            &s.spec,
            id,
            app.now,
        ))
    };
    send(app, id, Input::Record(path));
    Vec::new()
}

/// `DIR/kubedeck-<when>-<id>-<kind>-<pod>.cast`, with only safe characters from the pod name.
pub fn recording_path(
    dir: &std::path::Path,
    spec: &SessionSpec,
    id: SessionId,
    now: Timestamp,
) -> PathBuf {
    let what = match spec {
        SessionSpec::Exec { pod, .. } | SessionSpec::Debug { pod, .. } => pod.as_str(),
        SessionSpec::Local => "local",
    };
    let safe: String = what
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(60)
        .collect();
    let when = now.strftime("%Y%m%dT%H%M%SZ");
    dir.join(format!("kubedeck-{when}-{id}-{}-{safe}.cast", spec.kind()))
}

/// Close a session: right away when it has ended, after confirmation while it runs.
pub fn ask_close(app: &mut App, id: SessionId) -> Vec<Effect> {
    let Some(s) = app.sessions.get(&id) else {
        return Vec::new();
    };
    if s.state.is_live() {
        app.pending = Some(Pending {
            prompt: format!("{} is still running: end it? (y/N)", s.label),
            effect: Effect::CloseSession(id),
        });
        app.mode = Mode::Confirm;
        return Vec::new();
    }
    close(app, id);
    Vec::new()
}

/// Forget a session and its panes (its task stops when its input closes).
pub fn close(app: &mut App, id: SessionId) {
    if let Some(s) = app.sessions.remove(&id)
        && let Some(tx) = s.input
    {
        let _ = tx.try_send(Input::Close);
    }
    let panes: Vec<PaneId> = app
        .terms
        .iter()
        .filter(|(_, t)| t.session == id)
        .map(|(p, _)| *p)
        .collect();
    for p in panes {
        app.layout.close(p);
        app.terms.remove(&p);
    }
    app.tables.sessions.set_rows(session_rows(app));
}

/// Enter in `:sessions`: show the session (focus its pane, or open one).
pub fn reopen(app: &mut App) {
    let Some(row) = app.tables.sessions.selected_row() else {
        return;
    };
    let id = row.id;
    if let Some((&pane, _)) = app.terms.iter().find(|(_, t)| t.session == id) {
        app.layout.focus = pane;
        return;
    }
    if app.sessions.contains_key(&id) {
        show_in_pane(app, id);
    }
}

/// A row of `:sessions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: SessionId,
    pub key: String,
    pub kind: &'static str,
    pub target: String,
    pub context: String,
    pub state: SessionState,
    pub started: Timestamp,
    pub shown: bool,
    pub recording: bool,
}

pub fn session_rows(app: &App) -> Vec<std::sync::Arc<SessionRow>> {
    app.sessions
        .iter()
        .map(|(id, s)| {
            std::sync::Arc::new(SessionRow {
                id: *id,
                key: id.to_string(),
                kind: s.spec.kind(),
                target: s.label.clone(),
                context: s.context.clone(),
                state: s.state.clone(),
                started: s.started,
                shown: app.terms.values().any(|t| t.session == *id),
                recording: s.recording.is_some(),
            })
        })
        .collect()
}

impl TableRow for SessionRow {
    const COLUMNS: &'static [Col] = &[
        Col::new("#", 4).shrink(0, 2),
        Col::new("KIND", 6).shrink(0, 5),
        Col::new("TARGET", 70).shrink(250, 16),
        Col::new("STATE", 40).shrink(2, 10),
        Col::new("AGE", 6).shrink(0, 4),
        Col::new("PANE", 6).shrink(0, 4).hide_below(70),
        Col::new("REC", 4).shrink(0, 3).hide_below(70),
        Col::new("CONTEXT", 30).shrink(1, 6).hide_below(100),
    ];

    fn key(&self) -> &str {
        &self.key
    }

    fn fields(&self) -> Vec<&str> {
        vec![self.kind, &self.target, &self.context]
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            1 => self.kind.cmp(o.kind),
            2 => self.target.cmp(&o.target),
            3 => self.state.label().cmp(&o.state.label()),
            4 => o.started.cmp(&self.started),
            7 => self.context.cmp(&o.context),
            _ => self.id.cmp(&o.id),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.id.cmp(&o.id)
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        match col {
            0 => self.id.to_string(),
            1 => self.kind.to_string(),
            2 => self.target.clone(),
            3 => self.state.label(),
            4 => crate::kube::age::since(Some(self.started), now),
            5 => if self.shown { "shown" } else { "-" }.to_string(),
            6 => if self.recording { "●" } else { "" }.to_string(),
            _ => self.context.clone(),
        }
    }

    fn health(&self) -> Health {
        match self.state {
            SessionState::Running => Health::Ok,
            SessionState::Connecting(_) => Health::Pending,
            SessionState::Exited(0) => Health::Done,
            SessionState::Exited(_) => Health::Warning,
            SessionState::Failed(_) | SessionState::Disconnected(_) => Health::Error,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn recording_names_are_safe_and_say_what_they_hold() {
        let spec = SessionSpec::Exec {
            namespace: "demo".into(),
            pod: "../web/1".into(),
            container: "app".into(),
        };
        let now: Timestamp = "2026-11-22T10:00:00Z".parse().unwrap();
        let p = recording_path(std::path::Path::new("/rec"), &spec, 3, now);
        assert_eq!(
            p,
            PathBuf::from("/rec/kubedeck-20261122T100000Z-3-exec-___web_1.cast")
        );
    }

    fn app_with_session(state: SessionState) -> App {
        let mut app = App::new("ctx".into(), "srv".into(), "demo".into(), false);
        app.sessions.insert(
            1,
            SessionInfo {
                spec: SessionSpec::Local,
                label: "local".into(),
                context: "ctx".into(),
                state,
                started: app.now,
                screen: Screen::new(24, 80, 0),
                input: None,
                recording: None,
            },
        );
        app
    }

    #[test]
    fn quitting_asks_while_a_session_runs() {
        let mut app = app_with_session(SessionState::Running);
        super::super::update::update(&mut app, Action::Quit);
        assert!(!app.should_quit);
        assert_eq!(app.mode, Mode::Confirm);
        super::super::update::update(&mut app, Action::Confirm);
        assert!(app.should_quit);

        let mut app = app_with_session(SessionState::Exited(0));
        super::super::update::update(&mut app, Action::Quit);
        assert!(app.should_quit, "nothing runs: quit at once");
    }

    #[test]
    fn sessions_open_in_a_pane_and_closing_a_running_one_asks() {
        let mut app = App::new("ctx".into(), "srv".into(), "demo".into(), true);
        let effects = open_session(&mut app, SessionSpec::Local);
        assert!(matches!(
            effects.as_slice(),
            [Effect::OpenSession { id: 1, .. }]
        ));
        assert!(app.terminal_focused());
        // Read-only refuses exec.
        let refused = open_session(
            &mut app,
            SessionSpec::Exec {
                namespace: "a".into(),
                pod: "b".into(),
                container: "c".into(),
            },
        );
        assert!(refused.is_empty());
        assert_eq!(app.sessions.len(), 1);
        // Detach keeps the session; ending it while it connects asks first.
        assert!(terminal_action(&mut app, Action::Detach).is_some());
        assert!(app.terms.is_empty() && app.sessions.len() == 1);
        let effects = ask_close(&mut app, 1);
        assert!(effects.is_empty());
        assert_eq!(app.mode, Mode::Confirm);
        assert_eq!(
            app.pending.as_ref().map(|p| p.effect.clone()),
            Some(Effect::CloseSession(1))
        );
    }

    #[test]
    fn only_local_shells_are_allowed_read_only() {
        assert!(!SessionSpec::Local.mutates());
        assert!(
            SessionSpec::Exec {
                namespace: "a".into(),
                pod: "b".into(),
                container: "c".into()
            }
            .mutates()
        );
    }
}
