//! `update`: the only place the app state changes in response to the user. Synchronous, no I/O.

use super::action::{Action, Effect};
use super::pods_table::Filter;
use super::state::{App, Mode, Severity};
use crate::kube::cluster::Scope;

pub fn update(app: &mut App, action: Action) -> Vec<Effect> {
    let page = app.page_rows.max(1) as isize;
    if app.mode == Mode::Help {
        // Movement keys scroll the help; the view clamps to its length.
        let scroll = &mut app.help_scroll;
        match action {
            Action::Down => *scroll = scroll.saturating_add(1),
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::PageDown => *scroll = scroll.saturating_add(page as usize),
            Action::PageUp => *scroll = scroll.saturating_sub(page as usize),
            Action::Top => *scroll = 0,
            Action::Bottom => *scroll = usize::MAX / 2,
            _ => {}
        }
        if matches!(
            action,
            Action::Down
                | Action::Up
                | Action::PageDown
                | Action::PageUp
                | Action::Top
                | Action::Bottom
        ) {
            return Vec::new();
        }
    }
    match action {
        Action::Quit => app.should_quit = true,
        Action::Up => app.pods.move_by(-1),
        Action::Down => app.pods.move_by(1),
        Action::PageUp => app.pods.move_by(-page),
        Action::PageDown => app.pods.move_by(page),
        Action::Top => app.pods.select(0),
        Action::Bottom => app.pods.select(usize::MAX),
        Action::SortBy(col) => app.pods.sort_by(col),
        Action::StartFilter => {
            app.mode = Mode::Filter;
            app.input = app.pods.filter.text.clone();
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
            Mode::Help | Mode::Command => app.mode = Mode::Table,
            Mode::Filter => {
                app.mode = Mode::Table;
                app.input.clear();
            }
            Mode::Table => {
                app.message = None;
                if !app.pods.filter.is_empty() {
                    app.pods.set_filter(Filter::default());
                }
            }
        },
        Action::Input(c) => {
            app.input.push(c);
            if app.mode == Mode::Filter {
                // Filter as you type.
                app.pods.set_filter(Filter::new(&app.input));
            }
        }
        Action::Backspace => {
            app.input.pop();
            if app.mode == Mode::Filter {
                app.pods.set_filter(Filter::new(&app.input));
            }
        }
        Action::Submit => {
            let mode = app.mode;
            app.mode = Mode::Table;
            let input = std::mem::take(&mut app.input);
            match mode {
                Mode::Filter => app.pods.set_filter(Filter::new(&input)),
                Mode::Command => return command(app, &input),
                Mode::Table | Mode::Help => {}
            }
        }
    }
    Vec::new()
}

fn info(app: &mut App, text: String) {
    app.message = Some((Severity::Info, text));
}

fn error(app: &mut App, text: String) {
    app.message = Some((Severity::Error, text));
}

/// Run a `:` command.
pub fn command(app: &mut App, line: &str) -> Vec<Effect> {
    let mut words = line.split_whitespace();
    let Some(cmd) = words.next() else {
        return Vec::new();
    };
    let arg = words.next();
    match (cmd, arg) {
        ("q" | "quit" | "q!" | "exit", _) => app.should_quit = true,
        ("pods" | "po" | "pod", _) => app.mode = Mode::Table,
        ("ns" | "namespace", None) => info(
            app,
            format!("namespace: {} (use :ns NAME, or :ns all)", app.scope),
        ),
        ("ns" | "namespace", Some("all" | "-A" | "*")) => {
            app.scope = "all".into();
            return vec![Effect::SwitchScope(Scope::All)];
        }
        ("ns" | "namespace", Some(ns)) => {
            app.scope = ns.to_string();
            return vec![Effect::SwitchScope(Scope::Namespace(ns.to_string()))];
        }
        ("ctx" | "context", None) => info(
            app,
            format!(
                "contexts: {} (current: {})",
                app.contexts.join(", "),
                app.context
            ),
        ),
        ("ctx" | "context", Some(name)) if app.contexts.iter().any(|c| c == name) => {
            return vec![Effect::SwitchContext(name.to_string())];
        }
        ("ctx" | "context", Some(name)) => error(
            app,
            format!("no context {name:?}; known: {}", app.contexts.join(", ")),
        ),
        (other, _) => error(app, format!("unknown command :{other} (press ? for help)")),
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        App::new(
            "sim".into(),
            vec!["sim".into(), "prod".into()],
            "http://x".into(),
            "all".into(),
            false,
        )
    }

    fn typed(app: &mut App, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        for c in text.chars() {
            effects.extend(update(app, Action::Input(c)));
        }
        effects.extend(update(app, Action::Submit));
        effects
    }

    #[test]
    fn ns_and_ctx_commands_produce_effects() {
        let mut a = app();
        update(&mut a, Action::StartCommand);
        assert_eq!(
            typed(&mut a, "ns demo"),
            vec![Effect::SwitchScope(Scope::Namespace("demo".into()))]
        );
        assert_eq!(a.scope, "demo");
        update(&mut a, Action::StartCommand);
        assert_eq!(
            typed(&mut a, "ns all"),
            vec![Effect::SwitchScope(Scope::All)]
        );
        update(&mut a, Action::StartCommand);
        assert_eq!(
            typed(&mut a, "ctx prod"),
            vec![Effect::SwitchContext("prod".into())]
        );
        update(&mut a, Action::StartCommand);
        assert!(typed(&mut a, "ctx nope").is_empty());
        assert!(matches!(&a.message, Some((Severity::Error, m)) if m.contains("nope")));
        update(&mut a, Action::StartCommand);
        typed(&mut a, "bogus");
        assert!(matches!(&a.message, Some((Severity::Error, m)) if m.contains(":bogus")));
        update(&mut a, Action::StartCommand);
        typed(&mut a, "q");
        assert!(a.should_quit);
    }

    #[test]
    fn filter_applies_while_typing_and_esc_clears() {
        let mut a = app();
        update(&mut a, Action::StartFilter);
        update(&mut a, Action::Input('w'));
        assert_eq!(a.pods.filter.text, "w");
        update(&mut a, Action::Submit);
        assert_eq!((a.mode, a.pods.filter.text.as_str()), (Mode::Table, "w"));
        update(&mut a, Action::Back);
        assert!(a.pods.filter.is_empty());
    }

    #[test]
    fn help_toggles_and_esc_closes() {
        let mut a = app();
        update(&mut a, Action::ToggleHelp);
        assert_eq!(a.mode, Mode::Help);
        update(&mut a, Action::Down);
        update(&mut a, Action::Down);
        assert_eq!(
            (a.help_scroll, a.pods.selected),
            (2, 0),
            "movement scrolls help, not the table"
        );
        update(&mut a, Action::Top);
        assert_eq!(a.help_scroll, 0);
        update(&mut a, Action::Back);
        assert_eq!(a.mode, Mode::Table);
    }
}
