//! `update`: the only place the app state changes in response to the user. Synchronous, no I/O.

use super::action::{Action, Effect};
use super::detail::{Detail, DetailKind};
use super::filter::Filter;
use super::log_update;
use super::state::{App, Mode, Pending, Screen, Severity, View};
use super::table::{Table, TableRow, TableState};
use crate::kube::cluster::Scope;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;

/// The pods table's MEM (usage) and MEM R/L columns (sorted highest first).
const POD_MEM_USAGE: usize = 6;
const POD_MEM_REQUEST: usize = 11;

/// History entries kept for `Esc`.
const HISTORY: usize = 64;

/// Run `$body` with `$t` bound to the current view's table (None for the detail pane).
macro_rules! on_table {
    ($app:expr, $view:expr, $t:ident => $body:expr) => {
        match $view {
            View::Triage => {
                let $t = &mut $app.tables.triage;
                Some($body)
            }
            View::Pods => {
                let $t = &mut $app.tables.pods;
                Some($body)
            }
            View::PipelineRuns => {
                let $t = &mut $app.tables.runs;
                Some($body)
            }
            View::TaskRuns => {
                let $t = &mut $app.tables.taskruns;
                Some($body)
            }
            View::Events => {
                let $t = &mut $app.tables.events;
                Some($body)
            }
            View::Nodes => {
                let $t = &mut $app.tables.nodes;
                Some($body)
            }
            View::Namespaces => {
                let $t = &mut $app.tables.namespaces;
                Some($body)
            }
            View::Contexts => {
                let $t = &mut $app.tables.contexts;
                Some($body)
            }
            View::Sessions => {
                let $t = &mut $app.tables.sessions;
                Some($body)
            }
            View::Captured => {
                let $t = &mut $app.tables.captured;
                Some($body)
            }
            View::Detail => None,
        }
    };
}
pub(crate) use on_table;

fn info(app: &mut App, text: impl Into<String>) {
    app.message = Some((Severity::Info, text.into()));
}

fn error(app: &mut App, text: impl Into<String>) {
    app.message = Some((Severity::Error, text.into()));
}

/// The object under the cursor (or shown in the detail pane).
pub fn selected_object(app: &mut App) -> Option<ObjectRef> {
    if app.view == View::Detail {
        return app.detail.as_ref().map(|d| d.target.clone());
    }
    on_table!(app, app.view, t => t.selected_row().and_then(TableRow::object)).flatten()
}

fn screen(app: &mut App) -> Screen {
    Screen {
        view: app.view,
        table: on_table!(app, app.view, t => t.state()),
        detail: app.detail.clone(),
        taskruns_of: app.taskruns_of.clone(),
    }
}

/// Go to `view`, remembering where we were.
fn navigate(app: &mut App, view: View) {
    let here = screen(app);
    app.history.push(here);
    if app.history.len() > HISTORY {
        app.history.remove(0);
    }
    app.view = view;
    app.message = None;
}

/// Return to the previous screen with its filter and selection.
fn back(app: &mut App) -> Vec<Effect> {
    let Some(prev) = app.history.pop() else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    if app.taskruns_of != prev.taskruns_of {
        effects.push(Effect::WatchTaskRuns(prev.taskruns_of.clone()));
    }
    app.view = prev.view;
    app.detail = prev.detail;
    app.taskruns_of = prev.taskruns_of;
    if let Some(state) = prev.table {
        on_table!(app, app.view, t => t.restore(state));
    }
    effects
}

/// Put `table`'s cursor on the row `is` picks, clearing a filter that would hide it.
fn select_in<R: TableRow>(table: &mut Table<R>, is: impl Fn(&R) -> bool) {
    let find = |t: &Table<R>| (0..t.len()).find(|&i| t.row(i).is_some_and(&is));
    if find(table).is_none() && !table.filter.is_empty() {
        table.set_filter(Filter::default());
    }
    if find(table).is_none() && table.pin.is_some() {
        table.set_pin(None);
    }
    if let Some(pos) = find(table) {
        table.select(pos);
    }
}

/// Jump to an object in its own view.
fn go_to(app: &mut App, obj: &ObjectRef) -> Vec<Effect> {
    match obj.kind {
        ResourceKind::Pods => {
            navigate(app, View::Pods);
            select_in(&mut app.tables.pods, |r| {
                r.namespace == obj.namespace && r.name == obj.name
            });
        }
        ResourceKind::Nodes => {
            navigate(app, View::Nodes);
            select_in(&mut app.tables.nodes, |r| r.name == obj.name);
        }
        ResourceKind::Namespaces => {
            navigate(app, View::Namespaces);
            select_in(&mut app.tables.namespaces, |r| r.name == obj.name);
        }
        ResourceKind::Events => {
            navigate(app, View::Events);
            select_in(&mut app.tables.events, |r| {
                r.namespace == obj.namespace && r.name == obj.name
            });
        }
        ResourceKind::PipelineRuns => return open_taskruns(app, obj.clone()),
        ResourceKind::TaskRuns => open_detail(app, obj.clone(), DetailKind::Describe),
    }
    Vec::new()
}

fn open_taskruns(app: &mut App, run: ObjectRef) -> Vec<Effect> {
    navigate(app, View::TaskRuns);
    app.taskruns_of = Some(run.clone());
    app.tables.taskruns = Table::default();
    vec![Effect::WatchTaskRuns(Some(run))]
}

fn open_detail(app: &mut App, obj: ObjectRef, kind: DetailKind) {
    if app.view == View::Detail {
        // Switching between describe and YAML of the same object replaces the pane.
        app.detail = Some(Detail::new(obj, kind));
        return;
    }
    navigate(app, View::Detail);
    app.detail = Some(Detail::new(obj, kind));
}

fn open_events(app: &mut App, obj: ObjectRef) {
    if obj.kind == ResourceKind::Events {
        return;
    }
    navigate(app, View::Events);
    let t = &mut app.tables.events;
    t.restore(TableState {
        pin: Some(obj),
        ..TableState::default()
    });
    t.select(0);
}

/// Enter on the selection.
fn open(app: &mut App) -> Vec<Effect> {
    match app.view {
        View::Triage => {
            if let Some(target) = app.tables.triage.selected_row().map(|r| r.target.clone()) {
                return go_to(app, &target);
            }
        }
        View::TaskRuns => {
            // Straight to its steps' logs, as `l` does.
            if let Some(tr) = app.tables.taskruns.selected_row() {
                if tr.pod.is_empty() {
                    info(app, "this TaskRun has no pod yet");
                } else {
                    return log_update::open_logs(app);
                }
            }
        }
        View::Namespaces => {
            if app
                .tables
                .namespaces
                .selected_row()
                .is_some_and(|r| r.every)
            {
                app.scope = "all".into();
                navigate(app, View::Pods);
                return vec![Effect::SwitchScope(Scope::All)];
            }
            if let Some(ns) = app.tables.namespaces.selected_row().map(|r| r.name.clone()) {
                app.scope = ns.clone();
                navigate(app, View::Pods);
                return vec![Effect::SwitchScope(Scope::Namespace(ns))];
            }
        }
        View::Pods => {
            if let Some(obj) = selected_object(app) {
                open_detail(app, obj, DetailKind::Describe);
            }
        }
        View::PipelineRuns => {
            if let Some(obj) = selected_object(app) {
                return open_taskruns(app, obj);
            }
        }
        View::Events => {
            let target = app.tables.events.selected_row().and_then(|e| {
                ResourceKind::from_kind_name(&e.object_kind)
                    .map(|k| ObjectRef::new(k, &e.object_namespace, &e.object_name))
            });
            match target {
                Some(t) => return go_to(app, &t),
                None => info(app, "kubedeck has no view for this event's object"),
            }
        }
        View::Nodes => {
            if let Some(obj) = selected_object(app) {
                navigate(app, View::Pods);
                app.tables.pods.set_pin(Some(obj));
                // The hog on top: memory usage, highest first (requests when no metrics).
                let col = if app.metrics.sample.is_some() {
                    POD_MEM_USAGE
                } else {
                    POD_MEM_REQUEST
                };
                app.tables.pods.sort_by_col(col, false);
            }
        }
        View::Contexts => {
            if let Some(name) = app.tables.contexts.selected_row().map(|r| r.name.clone()) {
                navigate(app, View::Pods);
                return vec![Effect::SwitchContext(name)];
            }
        }
        View::Sessions => super::sessions::reopen(app),
        View::Captured => return super::log_update::open_captured(app),
        View::Detail => {}
    }
    Vec::new()
}

/// The node under the cursor (nodes view, or a node's describe).
fn selected_node(app: &mut App) -> Option<String> {
    match app.view {
        View::Nodes => app.tables.nodes.selected_row().map(|n| n.name.clone()),
        _ => selected_object(app)
            .filter(|o| o.kind == ResourceKind::Nodes)
            .map(|o| o.name),
    }
}

/// `:drain`: show what would be evicted, and drain after confirmation.
fn drain(app: &mut App) {
    let Some(node) = selected_node(app) else {
        error(app, "select a node to drain");
        return;
    };
    let plan = crate::kube::drain::DrainPlan::for_node(&node, app.tables.pods.all_rows());
    let prompt = plan.summary();
    confirm(app, Effect::Drain(plan), prompt);
}

/// Cordon or uncordon the selected node, after confirmation.
fn cordon(app: &mut App, on: bool) {
    let Some(node) = selected_node(app) else {
        error(app, "select a node to cordon or uncordon");
        return;
    };
    let prompt = if on {
        format!("Cordon node/{node}? New pods will not be scheduled on it.")
    } else {
        format!("Uncordon node/{node}? Pods may be scheduled on it again.")
    };
    confirm(app, Effect::Cordon(node, on), prompt);
}

/// Ask before a destructive action; refuse it outright in read-only mode.
fn confirm(app: &mut App, effect: Effect, prompt: String) {
    if app.readonly {
        error(app, "read-only mode: changes to the cluster are disabled");
        return;
    }
    app.pending = Some(Pending { prompt, effect });
    app.mode = Mode::Confirm;
}

fn mutation(app: &mut App, action: Action) {
    let Some(obj) = selected_object(app) else {
        return;
    };
    match (action, obj.kind) {
        (
            Action::Delete,
            ResourceKind::Pods | ResourceKind::PipelineRuns | ResourceKind::TaskRuns,
        ) => {
            let prompt = format!("Delete {}?", obj.label());
            confirm(app, Effect::Delete(obj), prompt);
        }
        (Action::Delete, kind) => error(
            app,
            format!("kubedeck does not delete {} (use kubectl)", kind.label()),
        ),
        (Action::CancelRun, ResourceKind::PipelineRuns) => {
            let finished = app
                .tables
                .runs
                .selected_row()
                .is_some_and(|r| r.state.finished());
            if finished && app.view == View::PipelineRuns {
                error(app, format!("{} has already finished", obj.name));
            } else {
                let prompt = format!("Cancel {}?", obj.label());
                confirm(app, Effect::CancelRun(obj), prompt);
            }
        }
        (Action::Rerun, ResourceKind::PipelineRuns) => {
            let prompt = format!("Start a new run of {} with the same spec?", obj.label());
            confirm(app, Effect::Rerun(obj), prompt);
        }
        (Action::CancelRun | Action::Rerun, _) => {
            error(app, "cancel and rerun apply to PipelineRuns");
        }
        _ => {}
    }
}

fn detail_keys(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let d = app.detail.as_mut()?;
    let page = d.page.max(1) as isize;
    match action {
        Action::Down => d.scroll_by(1),
        Action::Up => d.scroll_by(-1),
        Action::PageDown => d.scroll_by(page),
        Action::PageUp => d.scroll_by(-page),
        Action::Top => d.scroll = 0,
        Action::Bottom => d.scroll = d.max_scroll(),
        Action::NextMatch | Action::PrevMatch => {
            if !d.jump(action == Action::NextMatch) && !d.search.is_empty() {
                let s = d.search.clone();
                error(app, format!("no match for {s:?}"));
            }
        }
        Action::StartFilter => {
            let current = d.search.clone();
            app.open_prompt(Mode::Search, current);
        }
        Action::ToggleManagedFields if d.kind == DetailKind::Yaml => {
            d.show_managed_fields = !d.show_managed_fields;
            d.status = Some("loading…".into());
            return Some(vec![Effect::FetchYaml(d.target.clone())]);
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn help_keys(app: &mut App, action: Action) -> bool {
    let page = app.page_rows.max(1);
    let scroll = &mut app.help_scroll;
    match action {
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll = scroll.saturating_add(page),
        Action::PageUp => *scroll = scroll.saturating_sub(page),
        Action::Top => *scroll = 0,
        Action::Bottom => *scroll = usize::MAX / 2,
        _ => return false,
    }
    true
}

fn typed(app: &mut App) {
    if !app.dashboard_focused() {
        let input = app.input.clone();
        log_update::log_typed(app, app.mode, &input, false);
        return;
    }
    match app.mode {
        Mode::Filter => {
            let f = Filter::new(&app.input);
            on_table!(app, app.view, t => t.set_filter(f));
        }
        Mode::Search => {
            if let Some(d) = app.detail.as_mut() {
                d.search = app.input.clone();
                d.find();
                d.jump(true);
            }
        }
        _ => {}
    }
}

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    app.untouched = false;
    let page = app.page_rows.max(1) as isize;
    if app.mode == Mode::Help && help_keys(app, action) {
        return Vec::new();
    }
    if app.mode == Mode::Pick {
        return log_update::picker_keys(app, action);
    }
    if app.mode == Mode::Table {
        if let Some(effects) = super::sessions::terminal_action(app, action) {
            return effects;
        }
        if let Some(effects) = log_update::pane_keys(app, action) {
            return effects;
        }
        if !app.dashboard_focused()
            && let Some(effects) = log_update::log_keys(app, action)
        {
            return effects;
        }
    }
    if app.mode == Mode::Confirm {
        app.mode = Mode::Table;
        let pending = app.pending.take();
        return match (action, pending) {
            (Action::Confirm, Some(p)) if p.effect == Effect::Quit => {
                app.should_quit = true;
                Vec::new()
            }
            (Action::Confirm, Some(p)) if !app.readonly => vec![p.effect],
            (Action::Quit, _) => {
                app.should_quit = true;
                Vec::new()
            }
            _ => {
                info(app, "cancelled");
                Vec::new()
            }
        };
    }
    if app.mode == Mode::Table
        && app.view == View::Detail
        && let Some(effects) = detail_keys(app, action)
    {
        return effects;
    }
    match action {
        Action::Quit => {
            let live = app.sessions.values().filter(|s| s.state.is_live()).count();
            if live == 0 {
                app.should_quit = true;
            } else {
                // Quitting ends every session: a debug shell lost by accident costs an incident
                // its context.
                app.pending = Some(Pending {
                    prompt: format!("{live} session(s) still running: quit and end them? (y/N)"),
                    effect: Effect::Quit,
                });
                app.mode = Mode::Confirm;
            }
        }
        Action::Up => {
            on_table!(app, app.view, t => t.move_by(-1));
        }
        Action::Down => {
            on_table!(app, app.view, t => t.move_by(1));
        }
        Action::PageUp => {
            on_table!(app, app.view, t => t.move_by(-page));
        }
        Action::PageDown => {
            on_table!(app, app.view, t => t.move_by(page));
        }
        Action::Top => {
            on_table!(app, app.view, t => t.select(0));
        }
        Action::Bottom => {
            on_table!(app, app.view, t => t.select(usize::MAX));
        }
        Action::SortBy(col) => {
            on_table!(app, app.view, t => t.sort_by(col));
        }
        Action::ToggleFlagged => {
            let on = on_table!(app, app.view, t => { t.toggle_flagged(); t.only_flagged });
            if let Some(on) = on {
                let what = if app.view == View::Events {
                    "warnings"
                } else {
                    "rows needing attention"
                };
                info(
                    app,
                    if on {
                        format!("showing only {what} (w: all)")
                    } else {
                        "showing all rows".into()
                    },
                );
            }
        }
        Action::StartFilter => {
            let current = on_table!(app, app.view, t => t.filter.text.clone()).unwrap_or_default();
            app.open_prompt(Mode::Filter, current);
        }
        Action::StartCommand => {
            app.mode = Mode::Command;
            app.input.clear();
        }
        Action::ToggleHelp => {
            app.help_scroll = 0;
            app.mode = if app.mode == Mode::Help {
                Mode::Table
            } else {
                Mode::Help
            }
        }
        Action::Back => match app.mode {
            Mode::Help | Mode::Command | Mode::Confirm => app.mode = Mode::Table,
            Mode::Filter | Mode::Search => {
                // Typing applied live: cancelling puts back what was there before.
                app.input = std::mem::take(&mut app.input_before);
                typed(app);
                app.mode = Mode::Table;
                app.input.clear();
            }
            Mode::Save => {
                app.mode = Mode::Table;
                app.input.clear();
            }
            Mode::Pick => {
                app.mode = Mode::Table;
                app.picker = None;
            }
            Mode::Table => {
                let filtered = on_table!(app, app.view, t => !t.filter.is_empty()).unwrap_or(false);
                if filtered {
                    on_table!(app, app.view, t => t.set_filter(Filter::default()));
                } else if app.message.take().is_none() || !app.history.is_empty() {
                    return back(app);
                }
            }
        },
        Action::Open => return open(app),
        Action::Describe | Action::Yaml => {
            if let Some(obj) = selected_object(app) {
                let yaml = action == Action::Yaml;
                let kind = if yaml {
                    DetailKind::Yaml
                } else {
                    DetailKind::Describe
                };
                open_detail(app, obj.clone(), kind);
                if yaml {
                    return vec![Effect::FetchYaml(obj)];
                }
            }
        }
        Action::Events => {
            let target = match app.view {
                View::Triage => app.tables.triage.selected_row().map(|r| r.target.clone()),
                _ => selected_object(app),
            };
            if let Some(obj) = target {
                open_events(app, obj);
            }
        }
        Action::Delete if app.view == View::Sessions => {
            if let Some(id) = app.tables.sessions.selected_row().map(|r| r.id) {
                return super::sessions::ask_close(app, id);
            }
        }
        Action::Delete | Action::CancelRun | Action::Rerun => mutation(app, action),
        Action::Cordon | Action::Uncordon => cordon(app, action == Action::Cordon),
        Action::Shell => return super::sessions::open_shell(app),
        Action::Debug => return super::sessions::open_debug(app),
        Action::LocalShell => {
            return super::sessions::open_session(app, super::sessions::SessionSpec::Local);
        }
        Action::Logs => return log_update::open_logs(app),
        Action::OwnerLogs => return log_update::owner_logs(app),
        Action::NextMatch
        | Action::PrevMatch
        | Action::ToggleManagedFields
        | Action::Confirm
        | Action::FocusNext
        | Action::FocusPrev
        | Action::Zoom
        | Action::ClosePane
        | Action::Grow
        | Action::Shrink
        | Action::Flip
        | Action::ToggleFollow
        | Action::ToggleWrap
        | Action::ToggleTimestamps
        | Action::CycleLevel
        | Action::Previous
        | Action::FailedOnly
        | Action::FilterLines
        | Action::Expand
        | Action::Mark
        | Action::Copy
        | Action::Save
        | Action::AllContainers
        | Action::Scrollback
        | Action::Record
        | Action::Detach
        | Action::EndSession => {}
        Action::Input(c) => {
            app.input.push(c);
            typed(app);
        }
        Action::Backspace => {
            app.input.pop();
            typed(app);
        }
        Action::Submit => {
            let mode = app.mode;
            app.mode = Mode::Table;
            let input = std::mem::take(&mut app.input);
            if matches!(mode, Mode::Filter | Mode::Search) && !app.dashboard_focused() {
                log_update::log_typed(app, mode, &input, true);
                return Vec::new();
            }
            match mode {
                Mode::Save => {
                    let path = input.trim().to_string();
                    return match app.focused_log() {
                        Some(pane) if !path.is_empty() => vec![Effect::SaveFile {
                            path,
                            text: pane.export(),
                        }],
                        _ => Vec::new(),
                    };
                }
                Mode::Filter => {
                    let f = Filter::new(&input);
                    on_table!(app, app.view, t => t.set_filter(f));
                }
                Mode::Command => return command(app, &input),
                Mode::Search => {
                    if let Some(d) = app.detail.as_mut() {
                        d.search = input;
                        d.find();
                    }
                }
                Mode::Table | Mode::Help | Mode::Confirm | Mode::Pick => {}
            }
        }
    }
    Vec::new()
}

/// The `:` commands: name, aliases, argument, what it does (help is built from this).
pub const COMMANDS: &[(&[&str], &str, &str)] = &[
    (&["triage", "tri"], "", "what is broken now"),
    (&["pods", "po", "pod"], "", "pods"),
    (
        &["pipelineruns", "pr", "pipelinerun", "prs"],
        "",
        "Tekton PipelineRuns",
    ),
    (&["events", "ev", "event"], "", "events, newest first"),
    (&["nodes", "no", "node"], "", "nodes"),
    (
        &["namespaces", "ns", "namespace"],
        "[NAME|all]",
        "pick a namespace, or switch to NAME",
    ),
    (
        &["contexts", "ctx", "context"],
        "[NAME]",
        "pick a context, or switch to NAME",
    ),
    (
        &["theme"],
        "NAME",
        "switch theme (default, light, high-contrast, 16, no-color)",
    ),
    (
        &["logs", "log"],
        "[-l SEL | deploy/NAME]",
        "logs of the selection, of a label selector's pods, or of a workload's pods (deploy, sts, ds, rs, job)",
    ),
    (
        &["since"],
        "5m|1h|off",
        "log pane: only lines newer than this (restarts the stream)",
    ),
    (
        &["tail"],
        "LINES",
        "log pane: lines of backlog per container",
    ),
    (
        &["drain"],
        "",
        "nodes: cordon the selected node and evict its pods (a preview asks first)",
    ),
    (
        &["captured"],
        "",
        "Tekton runs whose step logs were captured (Enter: their logs, even once deleted)",
    ),
    (
        &["sessions", "ss"],
        "",
        "terminal sessions: Enter shows one, Ctrl-d ends one",
    ),
    (
        &["shell", "sh"],
        "",
        "a shell on this machine with the current context (KUBECONFIG set)",
    ),
    (&["quit", "q", "q!", "exit"], "", "quit"),
];

fn go_view(app: &mut App, view: View) {
    app.layout.focus = super::layout::DASHBOARD;
    app.layout.zoomed = false;
    if app.view != view || app.view == View::Detail {
        navigate(app, view);
    }
}

/// Run a `:` command.
pub fn command(app: &mut App, line: &str) -> Vec<Effect> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&cmd, args)) = words.split_first() else {
        return Vec::new();
    };
    let arg = args.first().copied();
    let name = COMMANDS
        .iter()
        .find(|(names, _, _)| names.contains(&cmd))
        .map(|(names, _, _)| names[0]);
    if let Some(name @ ("logs" | "since" | "tail")) = name
        && let Some(effects) = log_update::log_command(app, name, args)
    {
        return effects;
    }
    match (name, arg) {
        (Some("quit"), _) => app.should_quit = true,
        (Some("triage"), _) => go_view(app, View::Triage),
        (Some("pods"), _) => go_view(app, View::Pods),
        (Some("pipelineruns"), _) => go_view(app, View::PipelineRuns),
        (Some("events"), _) => {
            go_view(app, View::Events);
            if app.tables.events.pin.is_some() {
                app.tables.events.set_pin(None);
            }
        }
        (Some("nodes"), _) => go_view(app, View::Nodes),
        (Some("namespaces"), None) => go_view(app, View::Namespaces),
        (Some("namespaces"), Some("all" | "-A" | "*")) => {
            app.scope = "all".into();
            return vec![Effect::SwitchScope(Scope::All)];
        }
        (Some("namespaces"), Some(ns)) => {
            app.scope = ns.to_string();
            return vec![Effect::SwitchScope(Scope::Namespace(ns.to_string()))];
        }
        (Some("contexts"), None) => go_view(app, View::Contexts),
        (Some("contexts"), Some(name)) if app.context_names().iter().any(|c| c == name) => {
            return vec![Effect::SwitchContext(name.to_string())];
        }
        (Some("contexts"), Some(name)) => error(
            app,
            format!(
                "no context {name:?}; known: {}",
                app.context_names().join(", ")
            ),
        ),
        (Some("sessions"), _) => {
            app.tables
                .sessions
                .set_rows(super::sessions::session_rows(app));
            go_view(app, View::Sessions);
        }
        (Some("captured"), _) => {
            go_view(app, View::Captured);
            return vec![Effect::LoadCaptured];
        }
        (Some("drain"), _) => drain(app),
        (Some("shell"), _) => {
            return super::sessions::open_session(app, super::sessions::SessionSpec::Local);
        }
        (Some("theme"), Some(theme)) => return vec![Effect::SetTheme(theme.to_string())],
        (Some("theme"), None) => info(
            app,
            format!("theme: {} (:theme NAME to switch)", app.theme_name),
        ),
        _ => error(app, format!("unknown command :{cmd} (press ? for help)")),
    }
    Vec::new()
}
