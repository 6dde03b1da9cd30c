//! `update` for terminal sessions: opening shells and debug containers from the selection, the
//! prefix key, keys and pastes for the focused session (sent as effects), scrollback,
//! recording, detaching, ending, and what the session tasks report.

use crossterm::event::{KeyCode, KeyEvent};
use jiff::Timestamp;

use super::{SessionInfo, SessionRow, SessionSpec, TermPane, recording_path};
use crate::app::action::{Action, Effect, OnConfirm};
use crate::app::layout::PaneId;
use crate::app::notice::Notice;
use crate::app::panes::Panes;
use crate::app::picker::{PickFor, Picked, Picker};
use crate::app::prompt::Question;
use crate::app::selection::{pod_row, selected_pod};
use crate::app::state::{App, Mode, Pending, View};
use crate::kube::pod_row::PodRow;
use crate::pty::keys::{self, Modes};
use crate::pty::session::{Input, SessionEvent, SessionId, SessionState};

/// Open a new pane beside the focused one showing `session`.
fn show_in_pane(panes: &mut Panes, session: SessionId) -> PaneId {
    let id = panes.new_pane();
    panes.terms.insert(id, TermPane { session, scroll: 0 });
    panes.split_beside_focus(id);
    id
}

/// Refuse sessions that run commands in the cluster in read-only mode; true when refused.
fn refused(app: &mut App, kind: &'static str) -> bool {
    if app.readonly {
        app.say(Notice::SessionsRefused(kind));
    }
    app.readonly
}

/// Start a session in a new pane (the runtime connects it).
pub fn open_session(app: &mut App, spec: SessionSpec) -> Vec<Effect> {
    if spec.mutates() && refused(app, spec.kind()) {
        return Vec::new();
    }
    let id = app.sessions.next_id;
    app.sessions.next_id += 1;
    // Several clusters shown: the pane and `:sessions` say which one.
    let label = if app.fleet.multi() {
        format!("{}: {}", spec.cluster(), spec.target())
    } else {
        spec.target()
    };
    let info = SessionInfo {
        label,
        spec: spec.clone(),
        state: SessionState::Connecting(String::new()),
        started: app.now,
        modes: Modes::default(),
        recording: None,
        via: None,
    };
    app.sessions.open.insert(id, info);
    show_in_pane(&mut app.panes, id);
    app.notice = None;
    refresh_rows(app);
    let record = initial_recording(app, &spec, id, app.now);
    vec![Effect::OpenSession { id, spec, record }]
}

/// A local shell with the current cluster and namespace.
pub fn open_local(app: &mut App) -> Vec<Effect> {
    let spec = SessionSpec::Local {
        cluster: app.fleet.cluster.clone(),
        scope: app.fleet.scope.clone(),
    };
    open_session(app, spec)
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
    let pod = row_ref(app, row);
    app.prompt.open_picker(Picker {
        title,
        items: containers.clone(),
        values: containers,
        selected: 0,
        pod,
        purpose,
    });
}

fn row_ref(_app: &App, row: &PodRow) -> crate::kube::object_ref::ObjectRef {
    crate::kube::object_ref::ObjectRef::new(
        &row.cluster,
        crate::kube::informer::ResourceKind::Pods,
        &row.namespace,
        &row.name,
    )
}

/// `s`: a shell in the selected pod's container (a picker when it has several).
pub fn open_shell(app: &mut App) -> Vec<Effect> {
    if refused(app, "exec") {
        return Vec::new();
    }
    let Some(row) = selected_pod(app) else {
        app.say(Notice::Tip("select a pod to open a shell in"));
        return Vec::new();
    };
    // In the containers view: the container under the cursor.
    if let Some(container) = crate::app::selection::selected_container(app) {
        let pod = row_ref(app, &row);
        return open_session(app, SessionSpec::Exec { pod, container });
    }
    let containers = main_containers(&row);
    if let [container] = containers.as_slice() {
        let pod = row_ref(app, &row);
        let container = container.clone();
        return open_session(app, SessionSpec::Exec { pod, container });
    }
    container_picker(app, &row, format!("shell in {}", row.name), PickFor::Shell);
    Vec::new()
}

/// A shell on the node under the cursor: through its agent, else a debug pod that is deleted
/// when the shell ends.
pub fn open_node_shell(app: &mut App) -> Vec<Effect> {
    let Some(node) = crate::app::selection::selected_node(app) else {
        return Vec::new();
    };
    let settings = &app.sessions.settings;
    let spec = SessionSpec::Node {
        node,
        namespace: settings.node_shell_namespace.clone(),
        image: settings.node_shell_image.clone(),
    };
    open_session(app, spec)
}

/// Attach to the selected pod's container (the one under the cursor in the containers view,
/// the only one, or picked).
pub fn open_attach(app: &mut App) -> Vec<Effect> {
    if refused(app, "attach") {
        return Vec::new();
    }
    let Some(row) = selected_pod(app) else {
        app.say(Notice::Tip("select a pod to attach to"));
        return Vec::new();
    };
    if let Some(container) = crate::app::selection::selected_container(app) {
        let pod = row_ref(app, &row);
        return open_session(app, SessionSpec::Attach { pod, container });
    }
    let containers = main_containers(&row);
    if let [container] = containers.as_slice() {
        let pod = row_ref(app, &row);
        let container = container.clone();
        return open_session(app, SessionSpec::Attach { pod, container });
    }
    container_picker(
        app,
        &row,
        format!("attach to {}", row.name),
        PickFor::Attach,
    );
    Vec::new()
}

/// The debug picker's value for a session through the node agent (not a profile name: those
/// are plain words).
pub const AGENT_CHOICE: &str = "@agent";

/// A live debug session already opened on `row`'s pod.
fn debug_session_of(app: &App, row: &PodRow) -> Option<SessionId> {
    let pod = row_ref(app, row);
    app.sessions
        .open
        .iter()
        .find(|(_, s)| {
            s.state.is_live() && matches!(&s.spec, SessionSpec::Debug { pod: p, .. } if *p == pod)
        })
        .map(|(id, _)| *id)
}

/// `D`: a debug container in the selected pod: pick a profile, then the target container. A
/// pod that already has a live debug session gets it back (shown again if detached).
pub fn open_debug(app: &mut App) -> Vec<Effect> {
    if refused(app, "debug") {
        return Vec::new();
    }
    let Some(row) = selected_pod(app) else {
        app.say(Notice::Tip("select a pod to debug"));
        return Vec::new();
    };
    if let Some(id) = debug_session_of(app, &row) {
        show(app, id);
        let notice = Notice::BackToDebug {
            pod: row.name.clone(),
            prefix: app.sessions.settings.prefix_label.clone(),
            end_key: app
                .keymap
                .key_for(Action::EndSession)
                .unwrap_or_else(|| "K".into()),
        };
        app.say(notice);
        return Vec::new();
    }
    let profiles = &app.sessions.settings.profiles;
    // The pod's namespace's Pod Security level (in the pod's cluster): each profile it would
    // refuse says so, and the first it admits is chosen.
    let level = app
        .fleet
        .pod_security
        .get(&row.cluster)
        .and_then(|levels| levels.get(&row.namespace))
        .cloned();
    let refusals: Vec<Option<String>> = profiles
        .iter()
        .map(|p| {
            let level = level.as_deref()?;
            let why = crate::kube::pod_security::refuses(level, &p.capabilities, p.restricted)?;
            Some(format!("Pod Security {level} refuses it: {why}"))
        })
        .collect();
    let mut items: Vec<String> = profiles
        .iter()
        .zip(&refusals)
        // What it is for first (a narrow terminal clips the end), then its image; a refusal
        // before both.
        .map(|(p, refused)| {
            let what = match (refused, p.description.as_str()) {
                (Some(r), "") => format!("({r})"),
                (Some(r), what) => format!("({r}) {what}"),
                (None, what) => what.to_string(),
            };
            match what.as_str() {
                "" => format!("{:<18} {}", p.name, p.image),
                what => format!("{:<18} {what} [{}]", p.name, p.image),
            }
        })
        .collect();
    let selected = refusals.iter().position(Option::is_none).unwrap_or(0);
    let mut values: Vec<String> = profiles.iter().map(|p| p.name.clone()).collect();
    // Where ephemeral containers are not allowed: the node agent, said whether it is installed
    // (checked again now; the lines change when the answer comes).
    for (item, value) in agent_items(app, &row.cluster) {
        items.push(item);
        values.push(value);
    }
    let pod = row_ref(app, &row);
    app.prompt.open_picker(Picker {
        title: format!("debug {} with", row.name),
        items,
        values,
        selected,
        pod,
        purpose: PickFor::Profile,
    });
    vec![Effect::CheckAgent(row.cluster.clone())]
}

/// The debug picker's lines for the node agent, as far as kubedeck knows: one per installed
/// profile (tool image), or one line saying why there is none.
fn agent_items(app: &App, cluster: &crate::kube::ids::ClusterId) -> Vec<(String, String)> {
    use crate::kube::agent::AgentPresence;
    let known = app
        .fleet
        .agent
        .as_ref()
        .filter(|(c, _)| c == cluster)
        .map(|(_, p)| p);
    let line = |what: String| (format!("{:<18} {what}", "agent"), AGENT_CHOICE.to_string());
    match known {
        None => vec![line("node agent shell (checking…)".into())],
        Some(AgentPresence::Installed { ready, profiles }) => {
            let nodes = format!("{ready} node{} ready", if *ready == 1 { "" } else { "s" });
            if profiles.is_empty() {
                return vec![line(format!("node agent shell ({nodes})"))];
            }
            profiles
                .iter()
                .map(|p| {
                    (
                        format!(
                            "{:<18} node agent shell, {p} tools ({nodes})",
                            format!("agent: {p}")
                        ),
                        format!("{AGENT_CHOICE}:{p}"),
                    )
                })
                .collect()
        }
        Some(AgentPresence::Absent) => {
            vec![line(
                "node agent: not installed (kubedeck agent install)".into(),
            )]
        }
        Some(AgentPresence::Unknown(why)) => vec![line(format!(
            "node agent (cannot tell whether it is installed in {}: {why})",
            crate::kube::agent::NAMESPACE
        ))],
    }
}

/// Whether a picker value is one of the agent's, and its profile.
fn agent_choice(value: &str) -> Option<Option<String>> {
    if value == AGENT_CHOICE {
        return Some(None);
    }
    value
        .strip_prefix(AGENT_CHOICE)
        .and_then(|rest| rest.strip_prefix(':'))
        .map(|p| Some(p.to_string()))
}

/// The agent check's answer: kept, and the open debug picker's agent lines replaced.
pub fn agent_checked(
    app: &mut App,
    cluster: crate::kube::ids::ClusterId,
    presence: crate::kube::agent::AgentPresence,
) {
    app.fleet.agent = Some((cluster.clone(), presence));
    let lines = agent_items(app, &cluster);
    if let Some(picker) = app
        .prompt
        .picker
        .as_mut()
        .filter(|p| p.purpose == PickFor::Profile && p.pod.cluster == cluster)
    {
        let keep: Vec<usize> = (0..picker.values.len())
            .filter(|i| agent_choice(&picker.values[*i]).is_none())
            .collect();
        picker.items = keep.iter().map(|i| picker.items[*i].clone()).collect();
        picker.values = keep.iter().map(|i| picker.values[*i].clone()).collect();
        for (item, value) in lines {
            picker.items.push(item);
            picker.values.push(value);
        }
        picker.selected = picker.selected.min(picker.items.len().saturating_sub(1));
    }
}

/// A picker choice for a session.
pub fn picked(app: &mut App, picked: Picked) -> Vec<Effect> {
    let Picked { picker, value } = picked;
    if value.is_empty() {
        // "All containers" means nothing for a shell.
        return Vec::new();
    }
    let pod = picker.pod;
    match picker.purpose {
        // Routed elsewhere by `update` (logs, workloads).
        PickFor::Logs | PickFor::PreviousLogs | PickFor::ImageOf | PickFor::Revision => Vec::new(),
        PickFor::Shell => open_session(
            app,
            SessionSpec::Exec {
                pod,
                container: value,
            },
        ),
        PickFor::Attach => open_session(
            app,
            SessionSpec::Attach {
                pod,
                container: value,
            },
        ),
        PickFor::Profile
            if value == AGENT_CHOICE
                && matches!(&app.fleet.agent, Some((c, crate::kube::agent::AgentPresence::Absent)) if *c == pod.cluster) =>
        {
            app.say(Notice::Refused(
                "the kubedeck agent is not installed in this cluster: `kubedeck agent install` installs it (docs/agent.md)",
            ));
            Vec::new()
        }
        PickFor::Profile if agent_choice(&value).is_some() => {
            let profile = agent_choice(&value).flatten();
            let then = PickFor::AgentTarget(profile.clone());
            in_target_container(app, pod, "agent", then, |pod, container| {
                SessionSpec::Agent {
                    pod,
                    container,
                    profile,
                }
            })
        }
        PickFor::AgentTarget(profile) => open_session(
            app,
            SessionSpec::Agent {
                pod,
                container: value,
                profile,
            },
        ),
        PickFor::Profile => {
            let profiles = &app.sessions.settings.profiles;
            let Some(profile) = profiles.iter().find(|p| p.name == value).cloned() else {
                return Vec::new();
            };
            let (what, then) = (profile.name.clone(), PickFor::DebugTarget(profile.clone()));
            in_target_container(app, pod, &what, then, |pod, target| SessionSpec::Debug {
                pod,
                target,
                profile,
            })
        }
        PickFor::DebugTarget(profile) => open_session(
            app,
            SessionSpec::Debug {
                pod,
                target: value,
                profile,
            },
        ),
    }
}

/// A session in the pod's only main container (`spec_for` it), or a picker of its
/// containers answered as `then` (`what`: the picker's title, `agent`, a profile's name).
fn in_target_container(
    app: &mut App,
    pod: crate::kube::object_ref::ObjectRef,
    what: &str,
    then: PickFor,
    spec_for: impl FnOnce(crate::kube::object_ref::ObjectRef, String) -> SessionSpec,
) -> Vec<Effect> {
    let Some(row) = pod_row(app, &pod) else {
        app.say(Notice::PodGone(pod.name.clone()));
        return Vec::new();
    };
    // From the containers view: the container under the cursor is the target.
    if let Some(container) = crate::app::selection::selected_container(app) {
        return open_session(app, spec_for(pod, container));
    }
    if let [container] = main_containers(&row).as_slice() {
        let spec = spec_for(pod, container.clone());
        return open_session(app, spec);
    }
    let title = format!("{what} in {}: target container", row.name);
    container_picker(app, &row, title, then);
    Vec::new()
}

/// The session shown in the focused pane.
pub fn focused_session(app: &App) -> Option<SessionId> {
    app.panes
        .terms
        .get(&app.panes.layout.focus)
        .map(|t| t.session)
}

fn send(id: SessionId, bytes: Vec<u8>) -> Vec<Effect> {
    if bytes.is_empty() {
        return Vec::new();
    }
    vec![Effect::SessionInput(id, Input::Bytes(bytes))]
}

/// Whether `key` is the prefix key.
pub fn is_prefix(app: &App, key: &KeyEvent) -> bool {
    use crate::app::keymap::Key;
    Key::from_event(key) == Key::from_event(&app.sessions.settings.prefix)
}

/// A key typed into the focused terminal pane: the prefix arms kubedeck's next key (twice
/// sends it to the program), a scrolled-back pane scrolls, anything else goes to the session
/// byte-exact. `None` when the key after the prefix is kubedeck's: `update` maps it.
pub fn terminal_key(app: &mut App, key: &KeyEvent) -> Option<Vec<Effect>> {
    let pane = app.panes.layout.focus;
    let term = app.panes.terms.get(&pane).copied()?;
    if std::mem::take(&mut app.sessions.prefix_armed) {
        if is_prefix(app, key) {
            let bytes = keys::encode(&app.sessions.settings.prefix, Modes::default());
            return Some(send(term.session, bytes));
        }
        return None;
    }
    if is_prefix(app, key) {
        app.sessions.prefix_armed = true;
        return Some(Vec::new());
    }
    if term.scroll > 0 && scroll_key(app, pane, key) {
        return Some(Vec::new());
    }
    let modes = app.sessions.open.get(&term.session)?.modes;
    Some(send(term.session, keys::encode(key, modes)))
}

/// Pasted text into the focused terminal pane.
pub fn paste(app: &App, text: &str) -> Vec<Effect> {
    let Some(id) = focused_session(app) else {
        return Vec::new();
    };
    let Some(modes) = app.sessions.open.get(&id).map(|s| s.modes) else {
        return Vec::new();
    };
    send(id, keys::paste(text, modes))
}

fn page_of(app: &App, pane: PaneId) -> usize {
    app.panes
        .pane_areas
        .iter()
        .find(|(p, _)| *p == pane)
        .map_or(10, |(_, r)| usize::from(r.height.saturating_sub(2)).max(1))
}

/// Keys while scrolled back: move through the history; false for any other key (which returns
/// the pane to live and goes to the program).
fn scroll_key(app: &mut App, pane: PaneId, key: &KeyEvent) -> bool {
    let page = page_of(app, pane);
    let Some(t) = app.panes.terms.get_mut(&pane) else {
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
    let pane = app.panes.layout.focus;
    let term = app.panes.terms.get(&pane).copied()?;
    match action {
        Action::Scrollback => {
            let page = page_of(app, pane);
            if let Some(t) = app.panes.terms.get_mut(&pane) {
                t.scroll = page;
            }
            app.say(Notice::Tip("scrollback: ↑↓ PgUp PgDn g G, Esc returns"));
            Some(Vec::new())
        }
        Action::Record => Some(toggle_recording(app, term.session)),
        Action::Detach => {
            app.panes.layout.close(pane);
            app.panes.terms.remove(&pane);
            app.say(Notice::Tip(
                "detached: the session runs on (:sessions re-opens it)",
            ));
            refresh_rows(app);
            Some(Vec::new())
        }
        Action::EndSession => Some(ask_close(app, term.session)),
        _ => None,
    }
}

/// Start or stop recording a session.
pub fn toggle_recording(app: &mut App, id: SessionId) -> Vec<Effect> {
    let Some(s) = app.sessions.open.get(&id) else {
        return Vec::new();
    };
    if matches!(s.spec, SessionSpec::Edit(_)) {
        // The object (a Secret, perhaps) would be written to disk in the clear.
        app.say(Notice::Refused("an editor is never recorded"));
        return Vec::new();
    }
    let path = match s.recording {
        Some(_) => None,
        None => Some(recording_path(
            &app.sessions.settings.record_dir,
            &s.spec,
            id,
            app.now,
        )),
    };
    vec![Effect::SessionInput(id, Input::Record(path))]
}

/// Where a session records from its start, if every session is recorded.
pub fn initial_recording(
    app: &App,
    spec: &SessionSpec,
    id: SessionId,
    now: Timestamp,
) -> Option<std::path::PathBuf> {
    let settings = &app.sessions.settings;
    // An editor is never recorded: the object (a Secret, perhaps) would be on disk.
    (settings.record_all && !matches!(spec, SessionSpec::Edit(_)))
        .then(|| recording_path(&settings.record_dir, spec, id, now))
}

/// Close a session: right away when it has ended, after confirmation while it runs.
pub fn ask_close(app: &mut App, id: SessionId) -> Vec<Effect> {
    let Some(s) = app.sessions.open.get(&id) else {
        return Vec::new();
    };
    if s.state.is_live() {
        app.prompt.pending = Some(Pending::ask(
            Question::EndSession(s.label.clone()),
            OnConfirm::EndSession(id),
        ));
        app.prompt.mode = Mode::Confirm;
        return Vec::new();
    }
    close(app, id)
}

/// Forget a session and its panes, and end its task.
pub fn close(app: &mut App, id: SessionId) -> Vec<Effect> {
    app.sessions.open.remove(&id);
    let panes: Vec<PaneId> = app
        .panes
        .terms
        .iter()
        .filter(|(_, t)| t.session == id)
        .map(|(p, _)| *p)
        .collect();
    for p in panes {
        app.panes.layout.close(p);
        app.panes.terms.remove(&p);
    }
    refresh_rows(app);
    vec![Effect::EndSession(id)]
}

/// Show a session: focus its pane, or open one.
fn show(app: &mut App, id: SessionId) {
    if let Some((&pane, _)) = app.panes.terms.iter().find(|(_, t)| t.session == id) {
        app.panes.layout.focus = pane;
        return;
    }
    if app.sessions.open.contains_key(&id) {
        show_in_pane(&mut app.panes, id);
        refresh_rows(app);
    }
}

/// Enter in `:sessions`: show the selected session.
pub fn reopen(app: &mut App) {
    if let Some(id) = app.tables.sessions.selected_row().map(|r| r.id) {
        show(app, id);
    }
}

/// The rows of `:sessions`.
pub fn session_rows(app: &App) -> Vec<std::sync::Arc<SessionRow>> {
    app.sessions
        .open
        .iter()
        .map(|(id, s)| {
            std::sync::Arc::new(SessionRow {
                id: *id,
                key: id.to_string(),
                kind: s.spec.kind(),
                target: s.label.clone(),
                cluster: s.spec.cluster().to_string(),
                state: s.state.clone(),
                started: s.started,
                shown: app.panes.terms.values().any(|t| t.session == *id),
                recording: s.recording.is_some(),
            })
        })
        .collect()
}

/// The `:sessions` table follows the sessions.
pub fn refresh_rows(app: &mut App) {
    let rows = session_rows(app);
    app.tables.sessions.set_rows(rows);
}

/// How many sessions still run (quitting ends them).
pub fn live_count(app: &App) -> usize {
    app.sessions
        .open
        .values()
        .filter(|s| s.state.is_live())
        .count()
}

/// Quit, asking first while sessions run (every way out asks the same question).
pub fn ask_quit(app: &mut App) {
    let live = live_count(app);
    if live == 0 {
        app.should_quit = true;
        return;
    }
    // Quitting ends every session: a debug shell lost by accident costs an incident its context.
    app.prompt.pending = Some(Pending::ask(
        Question::Quit { sessions: live },
        OnConfirm::Quit,
    ));
    app.prompt.mode = Mode::Confirm;
}

/// What a session's task reported.
pub fn reported(app: &mut App, ev: SessionEvent) -> Vec<Effect> {
    match ev {
        SessionEvent::State(id, state) => {
            let ended = matches!(
                state,
                SessionState::Exited(_) | SessionState::Failed(_) | SessionState::Disconnected(_)
            );
            if let Some(s) = app.sessions.open.get_mut(&id) {
                s.state = state;
            }
            // An editor that exited: its pane closes and what it saved is applied.
            let edit = app.sessions.open.get(&id).and_then(|s| match &s.spec {
                SessionSpec::Edit(job) if ended => Some(job.clone()),
                _ => None,
            });
            if let Some(job) = edit {
                let mut effects = close(app, id);
                app.say(Notice::ApplyingEdit(job.obj.label()));
                effects.push(Effect::ApplyEdit(job));
                return effects;
            }
        }
        SessionEvent::Modes(id, modes) => {
            if let Some(s) = app.sessions.open.get_mut(&id) {
                s.modes = modes;
            }
        }
        SessionEvent::Via(id, via) => {
            if let Some(s) = app.sessions.open.get_mut(&id) {
                s.via = Some(via);
            }
        }
        SessionEvent::Recording(id, result) => {
            let label = app.sessions.open.get(&id).map(|s| s.label.clone());
            let previous = app.sessions.open.get_mut(&id).and_then(|s| match &result {
                Ok(path) => std::mem::replace(&mut s.recording, path.clone()),
                Err(_) => s.recording.take(),
            });
            app.say(match (result, previous) {
                (Ok(Some(path)), _) => Notice::Recording {
                    label: label.unwrap_or_default(),
                    path,
                },
                (Ok(None), Some(path)) => Notice::RecordingSaved(path),
                (Ok(None), None) => Notice::NotRecording,
                (Err(e), _) => Notice::CannotRecord(e),
            });
        }
    }
    if app.view == View::Sessions {
        refresh_rows(app);
    }
    Vec::new()
}

/// `E` / `:edit`: the selection's YAML in the user's editor, in a pane; applied on exit.
pub fn edit(app: &mut App) -> Vec<Effect> {
    let Some(mut obj) = crate::app::selection::selected_object(app) else {
        return Vec::new();
    };
    if refused(app, "edit") {
        return Vec::new();
    }
    // Applied through the dynamic API: the resource from discovery, for any kind (the core
    // kinds are known before discovery answers).
    if obj.api.is_none() {
        obj.api = app.catalog.api.resolve(obj.kind.label()).ok().or_else(|| {
            crate::kube::discovery::ApiResourceInfo::builtin(obj.kind).map(std::sync::Arc::new)
        });
    }
    if obj.api.is_none() {
        app.say(Notice::CannotEditYet(obj.label()));
        return Vec::new();
    }
    app.say(Notice::FetchingToEdit(obj.label()));
    vec![Effect::PrepareEdit(obj)]
}

/// The object is ready in its file: the editor opens on it.
pub fn edit_ready(
    app: &mut App,
    result: Result<crate::kube::edit::EditJob, crate::kube::actions::ActionError>,
) -> Vec<Effect> {
    match result {
        Ok(job) => {
            let label = job.obj.label();
            let effects = open_session(app, SessionSpec::Edit(job));
            app.say(Notice::Editing(label));
            effects
        }
        Err(e) => {
            app.say(Notice::CannotEdit(e));
            Vec::new()
        }
    }
}

/// What applying an edit came to: done, nothing to do, or the editor again with the reason.
pub fn edited(app: &mut App, outcome: crate::kube::edit::Applied) -> Vec<Effect> {
    use crate::kube::edit::Applied;
    match outcome {
        Applied::Done(obj) => {
            app.say(Notice::EditApplied(obj.label()));
            Vec::new()
        }
        Applied::Unchanged => {
            app.say(Notice::Tip("edit cancelled: nothing changed, nothing sent"));
            Vec::new()
        }
        Applied::Reopen { job, why } => {
            let label = job.obj.label();
            let effects = open_session(app, SessionSpec::Edit(job));
            let why = why.lines().next().unwrap_or_default().to_string();
            app.say(Notice::EditNotApplied { label, why });
            effects
        }
    }
}

/// A session that could not be started at all: said, and forgotten.
pub fn failed(
    app: &mut App,
    id: SessionId,
    why: crate::app::msg::SessionStartError,
) -> Vec<Effect> {
    let effects = close(app, id);
    app.say(Notice::SessionFailed(why));
    effects
}
