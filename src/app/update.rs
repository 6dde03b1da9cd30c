//! `update`: the one way in for every change of state. Keys (mapped by mode and focus), task
//! results, informer signals, log and session events all arrive as a [`Msg`]; `update`
//! changes the app and returns the effects the runtime must carry out. Synchronous, no I/O.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Effect, OnConfirm};
use super::detail::DetailKind;
use super::filter::Filter;
use super::keymap::{self, Section};
use super::logs::update as logs;
use super::msg::Msg;
use super::navigate::{self, on_table};
use super::notice::Notice;
use super::state::{App, Mode, View};
use super::{mutations, nodes, picker, results, sessions::update as sessions};

/// Apply `msg`; the effects for the runtime.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => on_key(app, &key),
        Msg::Action(action) => on_action(app, action),
        Msg::Paste(text) if app.prompt.mode == Mode::Table => sessions::paste(app, &text),
        Msg::Paste(_) => Vec::new(),
        Msg::Informer(u) => results::informer(app, u),
        Msg::Metrics(cluster, m) => results::metrics(app, cluster, m),
        Msg::Log(ev) => {
            logs::reported(app, ev);
            Vec::new()
        }
        Msg::Session(ev) => sessions::reported(app, ev),
        Msg::Done(done) => {
            let mut effects = results::done(app, done);
            // An action that waited for the user's rights in its namespace goes on now.
            if let Some(action) = app.access.rerun.take() {
                effects.extend(on_action(app, action));
            }
            effects
        }
        Msg::Tick(now) => results::tick(app, now),
        Msg::Start { view, contexts } => results::start(app, view, contexts),
        Msg::Frame(now) => {
            app.now = now;
            Vec::new()
        }
        Msg::K9sFiles(files) => results::k9s_files(app, &files),
    }
}

/// A key: in a focused terminal pane it goes to the session (but for the prefix and the key
/// after it); elsewhere the mode and the focus decide the action.
fn on_key(app: &mut App, key: &KeyEvent) -> Vec<Effect> {
    if app.prompt.mode == Mode::Table && app.panes.terminal_focused() {
        if let Some(effects) = sessions::terminal_key(app, key) {
            return effects;
        }
        // The key after the prefix is kubedeck's.
        return match app.keymap.action_in(key, Section::Terminal, app.view) {
            Some(a) => on_action(app, a),
            None => Vec::new(),
        };
    }
    if let Some(plain) = escape_then(app, key) {
        let mut effects = on_key(app, &KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        effects.extend(on_key(app, &plain));
        return effects;
    }
    // A plugin's or a hotkey's key, in the view on screen (they never shadow a built-in key
    // unless they say `override`).
    if app.prompt.mode == Mode::Table
        && app.panes.dashboard_focused()
        && let Some(effects) = super::extensions::run::on_key(app, keymap::Key::from_event(key))
    {
        app.untouched = false;
        return effects;
    }
    let action = match app.prompt.mode {
        Mode::Filter | Mode::Command | Mode::Search | Mode::Save | Mode::PluginInput => {
            keymap::input_action(key)
        }
        Mode::Confirm
            if app
                .prompt
                .pending
                .as_ref()
                .is_some_and(|p| p.typed.is_some()) =>
        {
            keymap::input_action(key)
        }
        Mode::Confirm => Some(keymap::confirm_action(key)),
        Mode::Pick => keymap::pick_action(key),
        Mode::Table | Mode::Help => app.keymap.action_in(key, dashboard_section(app), app.view),
    };
    match action {
        Some(a) => on_action(app, a),
        None => Vec::new(),
    }
}

/// The keymap's section for a key outside a shell pane: the table's, or the log pane's.
fn dashboard_section(app: &App) -> Section {
    if app.panes.dashboard_focused() {
        Section::Table
    } else {
        Section::Logs
    }
}

/// An Alt-key that means nothing here, as the Escape and the key it was typed as: tmux hands an
/// Escape and the key typed within its `escape-time` (500 ms by default) over as one Alt-key,
/// and so does a slow link that delivers both bytes in one read; `Esc :` typed fast lost
/// the `:` (or typed it into the filter being left). Alt-keys a plugin, a hotkey or a binding
/// takes keep their meaning; a shell pane gets every Alt-key as it came.
fn escape_then(app: &App, key: &KeyEvent) -> Option<KeyEvent> {
    let KeyCode::Char(_) = key.code else {
        return None;
    };
    if !key.modifiers.contains(KeyModifiers::ALT) || key.modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    let plain = KeyEvent::new(key.code, key.modifiers - KeyModifiers::ALT);
    let bound = match app.prompt.mode {
        Mode::Table | Mode::Help => {
            app.keymap
                .action_in(key, dashboard_section(app), app.view)
                .is_some()
                || super::extensions::run::binds(app, keymap::Key::from_event(key))
        }
        // Typed text and choices take no Alt-keys.
        _ => false,
    };
    (!bound).then_some(plain)
}

/// `y` (or anything else) in a confirmation; the movement keys scroll its preview.
fn confirmed(app: &mut App, action: Action) -> Vec<Effect> {
    // A typed confirmation: the name, then Enter; anything else edits or cancels.
    if let Some(name) = app.prompt.pending.as_ref().and_then(|p| p.typed.clone()) {
        let action = match action {
            Action::Input(c) => {
                app.prompt.input.push(c);
                return Vec::new();
            }
            Action::Backspace => {
                app.prompt.input.pop();
                return Vec::new();
            }
            Action::Submit if app.prompt.input == name => Action::Confirm,
            Action::Submit => {
                app.say(Notice::TypeToConfirm(name.clone()));
                return Vec::new();
            }
            Action::Quit => Action::Quit,
            _ => Action::Back,
        };
        app.prompt.input.clear();
        if let Some(p) = app.prompt.pending.as_mut() {
            p.typed = None;
        }
        return confirmed(app, action);
    }
    if let Some(p) = app.prompt.pending.as_mut().filter(|p| p.listed() > 0) {
        let page = app.page_rows.max(1);
        let scrolled = match action {
            Action::Down => Some(p.scroll.saturating_add(1)),
            Action::Up => Some(p.scroll.saturating_sub(1)),
            Action::PageDown => Some(p.scroll.saturating_add(page)),
            Action::PageUp => Some(p.scroll.saturating_sub(page)),
            Action::Top => Some(0),
            _ => None,
        };
        if let Some(s) = scrolled {
            let lines = p.listed();
            p.scroll = s.min(lines.saturating_sub(1));
            return Vec::new();
        }
    }
    app.prompt.mode = Mode::Table;
    let pending = app.prompt.pending.take();
    match (action, pending.map(|p| p.on_confirm)) {
        // Ctrl-c at "quit and end them?" is a yes.
        (Action::Confirm | Action::Quit, Some(OnConfirm::Quit)) => {
            app.should_quit = true;
            Vec::new()
        }
        (Action::Quit, _) => {
            sessions::ask_quit(app);
            Vec::new()
        }
        (Action::Confirm, Some(OnConfirm::EndSession(id))) => sessions::close(app, id),
        (Action::Confirm, Some(OnConfirm::Plugin { runs, background })) => {
            super::extensions::run::launch(app, runs, background)
        }
        (Action::Confirm, Some(OnConfirm::Run(effect))) if !app.readonly => {
            // A restart or a scale is followed until it has rolled out.
            let each = match effect.as_ref() {
                Effect::Many(effects) => effects.iter().collect(),
                one => vec![one],
            };
            for e in each {
                if let Effect::RolloutRestart(obj)
                | Effect::Scale(obj, _)
                | Effect::SetImage { obj, .. }
                | Effect::Rollback(obj, _) = e
                {
                    app.rollouts.retain(|o| o != obj);
                    app.rollouts.push(obj.clone());
                }
            }
            // The marks have served: what they marked is being changed.
            if matches!(effect.as_ref(), Effect::Many(_)) {
                super::habits::clear_marks(app);
            }
            vec![*effect]
        }
        _ => {
            app.say(Notice::Cancelled);
            Vec::new()
        }
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
                app.say(Notice::NoMatch(s));
            }
        }
        Action::StartFilter => {
            let current = d.search.clone();
            app.prompt.open(Mode::Search, current);
        }
        // `a` in a Helm revision's values: every computed value, and back.
        Action::Scale if matches!(d.kind, DetailKind::Helm(_)) => {
            super::helm::toggle_all_values(app);
        }
        Action::RevealSecret
            if d.target.kind_name() == "Secret" || matches!(d.kind, DetailKind::Helm(_)) =>
        {
            d.revealed = !d.revealed;
            let shown = d.revealed;
            if let (DetailKind::Helm(part), Some(content)) = (d.kind, &app.helm.content) {
                d.set_lines(super::helm::lines(content, part, shown));
            }
            app.notice = Some(Notice::SecretValues { shown });
            return Some(match d.kind {
                DetailKind::Yaml => vec![Effect::FetchYaml(d.target.clone())],
                DetailKind::Helm(_) | DetailKind::Recorded => Vec::new(),
                DetailKind::Describe => {
                    app.stale.describe = true;
                    Vec::new()
                }
            });
        }
        Action::ToggleManagedFields if d.kind == DetailKind::Yaml => {
            d.show_managed_fields = !d.show_managed_fields;
            d.status = Some(super::detail::DetailStatus::Loading);
            return Some(vec![Effect::FetchYaml(d.target.clone())]);
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn help_keys(app: &mut App, action: Action) -> bool {
    let page = app.page_rows.max(1);
    let scroll = &mut app.prompt.help_scroll;
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

/// Keys while the picker is open: move, choose, `a` for all. `Some` when a choice was made.
fn pick_keys(app: &mut App, action: Action) -> Option<picker::Picked> {
    let Some(p) = app.prompt.picker.as_mut() else {
        app.prompt.mode = Mode::Table;
        return None;
    };
    let last = p.items.len().saturating_sub(1);
    let chosen = match action {
        Action::Down => {
            p.selected = (p.selected + 1).min(last);
            return None;
        }
        Action::Up => {
            p.selected = p.selected.saturating_sub(1);
            return None;
        }
        Action::Submit => p.values.get(p.selected).cloned(),
        Action::AllContainers => Some(String::new()),
        _ => None,
    };
    let picker = app.prompt.picker.take();
    app.prompt.mode = Mode::Table;
    Some(picker::Picked {
        picker: picker?,
        value: chosen?,
    })
}

/// Typing into a filter or search applies live.
fn typed(app: &mut App) {
    if !app.panes.dashboard_focused() {
        let input = app.prompt.input.clone();
        logs::log_typed(app, app.prompt.mode, &input, false);
        return;
    }
    match app.prompt.mode {
        Mode::Filter => apply_filter(app, &app.prompt.input.clone(), false),
        Mode::Search => {
            if let Some(d) = app.detail.as_mut() {
                d.search = app.prompt.input.clone();
                d.find();
                d.jump(true);
            }
        }
        _ => {}
    }
}

/// Apply a table filter as typed; a label selector that does not parse says why (once it is
/// submitted, or as soon as it cannot be the start of a valid one) and the table keeps the
/// last filter that did.
fn apply_filter(app: &mut App, text: &str, submitted: bool) {
    match Filter::parse(text) {
        Ok(f) => {
            on_table!(app, app.view, t => t.set_filter(f));
            if matches!(app.notice, Some(Notice::BadFilter(_))) {
                app.notice = None;
            }
        }
        Err(e) if submitted => app.say(Notice::BadFilter(e)),
        Err(_) => {}
    }
}

/// Enter on the input line.
fn submit(app: &mut App) -> Vec<Effect> {
    let mode = app.prompt.mode;
    app.prompt.mode = Mode::Table;
    let input = std::mem::take(&mut app.prompt.input);
    if matches!(mode, Mode::Filter | Mode::Search) && !app.panes.dashboard_focused() {
        logs::log_typed(app, mode, &input, true);
        return Vec::new();
    }
    match mode {
        Mode::Save => {
            let path = input.trim().to_string();
            match app.panes.focused_log() {
                Some(pane) if !path.is_empty() => {
                    let text = pane.export();
                    return vec![Effect::SaveFile { path, text }];
                }
                _ => {}
            }
        }
        Mode::Filter => apply_filter(app, &input, true),
        Mode::Command => return super::command::command(app, &input),
        Mode::Search => {
            if let Some(d) = app.detail.as_mut() {
                d.search = input;
                d.find();
            }
        }
        Mode::PluginInput => return super::extensions::run::answered(app, &input),
        Mode::Table | Mode::Help | Mode::Confirm | Mode::Pick => {}
    }
    Vec::new()
}

/// Esc: close help, leave input (putting back what was applied), clear the filter, then go
/// back in the history.
fn back(app: &mut App) -> Vec<Effect> {
    match app.prompt.mode {
        Mode::Help | Mode::Command | Mode::Confirm => app.prompt.mode = Mode::Table,
        Mode::Filter | Mode::Search => {
            // Typing applied live: cancelling puts back what was there before.
            app.prompt.input = std::mem::take(&mut app.prompt.input_before);
            typed(app);
            app.prompt.mode = Mode::Table;
            app.prompt.input.clear();
        }
        Mode::Save => {
            app.prompt.mode = Mode::Table;
            app.prompt.input.clear();
        }
        Mode::PluginInput => {
            app.prompt.mode = Mode::Table;
            app.prompt.input.clear();
            app.prompt.plugin_ask = None;
            app.say(Notice::Cancelled);
        }
        Mode::Pick => {
            app.prompt.mode = Mode::Table;
            app.prompt.picker = None;
        }
        Mode::Table => {
            let filtered = on_table!(app, app.view, t => !t.filter.is_empty()).unwrap_or(false);
            if filtered {
                on_table!(app, app.view, t => t.set_filter(Filter::default()));
            } else if app.notice.take().is_none() || !app.history.is_empty() {
                return navigate::back(app);
            }
        }
    }
    Vec::new()
}

/// An action, by mode and focus.
pub fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    app.untouched = false;
    if action == Action::Quit && app.prompt.mode != Mode::Confirm {
        // Ctrl-c and `q` leave from anywhere, asking while sessions run.
        app.prompt.mode = Mode::Table;
        app.prompt.picker = None;
        sessions::ask_quit(app);
        return Vec::new();
    }
    if app.prompt.mode == Mode::Confirm {
        return confirmed(app, action);
    }
    if app.prompt.mode == Mode::Help && help_keys(app, action) {
        return Vec::new();
    }
    if app.prompt.mode == Mode::Pick {
        if action == Action::Back {
            return back(app);
        }
        return match pick_keys(app, action) {
            Some(p)
                if matches!(
                    p.picker.purpose,
                    picker::PickFor::Logs | picker::PickFor::PreviousLogs
                ) =>
            {
                super::logs::open::picked(app, p)
            }
            Some(p)
                if matches!(
                    p.picker.purpose,
                    picker::PickFor::ImageOf | picker::PickFor::Revision
                ) =>
            {
                super::workloads::picked(app, p)
            }
            Some(p) => sessions::picked(app, p),
            None => Vec::new(),
        };
    }
    if app.prompt.mode == Mode::Table {
        if let Some(effects) = sessions::terminal_action(app, action) {
            return effects;
        }
        if let Some(effects) = logs::pane_keys(app, action) {
            return effects;
        }
        if !app.panes.dashboard_focused()
            && let Some(effects) = logs::log_keys(app, action)
        {
            return effects;
        }
        if app.view == View::Detail
            && let Some(effects) = detail_keys(app, action)
        {
            return effects;
        }
    }
    table_action(app, action)
}

/// What is left: the dashboard's own actions and the input line.
fn table_action(app: &mut App, action: Action) -> Vec<Effect> {
    let page = app.page_rows.max(1) as isize;
    if let Some(effects) = super::access::gate_action(app, action) {
        return effects;
    }
    if super::travel::refuses(app, action) {
        return Vec::new();
    }
    match action {
        Action::Quit => sessions::ask_quit(app),
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
        Action::MarkRow => super::habits::mark(app, false),
        Action::MarkRange => super::habits::mark(app, true),
        Action::ClearMarks => super::habits::clear_marks(app),
        Action::PreviousView => return navigate::previous_view(app),
        Action::CopyName => return super::habits::copy(app, false),
        Action::CopyNamespace => return super::habits::copy(app, true),
        Action::SaveTable => return super::habits::save_table(app),
        Action::ToggleWide => super::habits::toggle_wide(app),
        Action::Favourite(n) => return navigate::favourite(app, n),
        Action::ToggleFlagged => {
            let on = on_table!(app, app.view, t => { t.toggle_flagged(); t.only_flagged });
            if let Some(on) = on {
                let events = app.view == View::Events;
                app.say(Notice::OnlyFlagged { events, on });
            }
        }
        Action::StartFilter => {
            let current = on_table!(app, app.view, t => t.filter.text.clone()).unwrap_or_default();
            app.prompt.open(Mode::Filter, current);
        }
        Action::StartCommand => {
            app.prompt.mode = Mode::Command;
            app.prompt.input.clear();
        }
        Action::RetryNow if app.view == View::Xray => {
            let mut effects = super::command::retry_now(app);
            effects.extend(super::xray::again(app));
            return effects;
        }
        Action::RetryNow => return super::command::retry_now(app),
        Action::FoldClose => {
            super::xray::fold(app, super::xray::Fold::Close);
        }
        Action::FoldOpen => {
            super::xray::fold(app, super::xray::Fold::Open);
        }
        Action::ToggleHelp => {
            app.prompt.help_scroll = 0;
            app.prompt.mode = if app.prompt.mode == Mode::Help {
                Mode::Table
            } else {
                Mode::Help
            }
        }
        Action::Back => return back(app),
        // Enter on a kind opens its objects (`kinds` is above navigation).
        Action::Open if app.view == View::ApiResources => return super::kinds::open_selected(app),
        Action::Open if app.view == View::Helm => super::helm::open_history(app),
        Action::Open if app.view == View::HelmHistory => {
            return super::helm::show(app, super::detail::HelmPart::Status);
        }
        Action::HelmValues => return super::helm::show(app, super::detail::HelmPart::Values),
        // `y` in Helm's views: the revision's manifest (the YAML it rendered).
        Action::Yaml if super::helm::in_helm(app) => {
            return super::helm::show(app, super::detail::HelmPart::Manifest);
        }
        Action::Open if app.view == View::Resource => return super::kinds::open_row(app),
        Action::Owner => return super::kinds::owner(app),
        Action::Open if app.view == View::Events => {
            if let Some(effects) = super::kinds::open_event_object(app) {
                return effects;
            }
            return navigate::open(app);
        }
        Action::Open if app.view == View::Timeline => return super::timeline::enter(app),
        Action::Open | Action::Describe | Action::Yaml if app.view == View::AsOf => {
            return super::travel::enter(app);
        }
        Action::Open if app.view == View::Xray => {
            super::xray::fold(app, super::xray::Fold::Toggle);
        }
        Action::Open => return navigate::open(app),
        Action::Describe => return navigate::detail_of_selection(app, DetailKind::Describe),
        Action::Yaml => return navigate::detail_of_selection(app, DetailKind::Yaml),
        Action::Events => return navigate::events_of_selection(app),
        Action::Delete if app.view == View::Sessions => {
            if let Some(id) = app.tables.sessions.selected_row().map(|r| r.id) {
                return sessions::ask_close(app, id);
            }
        }
        Action::Delete if app.view == View::Forwards => return super::forwarding::stop(app),
        Action::Rerun if app.view == View::Forwards => return super::forwarding::restart(app),
        // A container node stands for its pod: deleting it would delete what is not under the
        // cursor.
        Action::Delete
            if app.view == View::Xray && super::selection::selected_container(app).is_some() =>
        {
            app.say(Notice::Tip("a container cannot be deleted: select its pod"));
        }
        Action::Delete | Action::CancelRun | Action::Rerun => mutations::ask(app, action),
        Action::Scale => {
            // The count is typed: `:scale ` waits on the command line.
            app.prompt.mode = Mode::Command;
            app.prompt.input = "scale ".into();
        }
        Action::RolloutRestart => mutations::rollout_restart(app),
        Action::Edit => return sessions::edit(app),
        Action::PortForward => {
            app.prompt.mode = Mode::Command;
            let port = super::forwarding::suggested_port(app);
            app.prompt.input = match port {
                Some(p) => format!("pf {p}"),
                None => "pf ".into(),
            };
        }

        Action::Cordon | Action::Uncordon => nodes::cordon(app, action == Action::Cordon),
        Action::Shell if super::selection::selected_node(app).is_some() => {
            return sessions::open_node_shell(app);
        }
        Action::Shell => return sessions::open_shell(app),
        Action::Debug => return sessions::open_debug(app),
        // `i` on a workload sets an image, as in k9s; on a pod it attaches.
        Action::Attach if super::workloads::sets_image_here(app) => {
            super::workloads::start_set_image(app);
        }
        Action::Attach => return sessions::open_attach(app),
        Action::LocalShell => return sessions::open_local(app),
        Action::Logs if app.view == View::Xray => {
            if let Some(effects) = super::xray::l_key(app) {
                return effects;
            }
            return super::logs::open::open_logs(app);
        }
        Action::Logs => return super::logs::open::open_logs(app),
        Action::OwnerLogs => return super::logs::open::owner_logs(app),
        Action::Input(c) => {
            app.prompt.input.push(c);
            typed(app);
        }
        Action::Backspace => {
            app.prompt.input.pop();
            typed(app);
        }
        Action::Complete => match app.prompt.mode {
            Mode::Command => super::command::complete(app),
            Mode::PluginInput => super::extensions::run::next_option(app),
            _ => {}
        },
        Action::Submit => return submit(app),
        // Keys of panes, log panes, terminal panes and the detail pane: handled above when
        // they apply, nothing to do otherwise.
        Action::NextMatch
        | Action::PrevMatch
        | Action::ToggleManagedFields
        | Action::RevealSecret
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
    }
    Vec::new()
}
