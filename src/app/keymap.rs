//! The keymap as data: every binding has a description, and the help screen is made from this
//! table, so help can never disagree with the keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::pods_table::Column;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
}

impl Key {
    const fn plain(code: KeyCode) -> Self {
        Self { code, ctrl: false }
    }

    const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            ctrl: true,
        }
    }

    pub fn from_event(ev: &KeyEvent) -> Self {
        Self {
            code: ev.code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
        }
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Enter => "Enter".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

pub struct Binding {
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: &'static str,
}

/// Bindings in the table (normal) mode, in help order.
pub fn table_bindings() -> Vec<Binding> {
    use KeyCode::*;
    vec![
        Binding {
            keys: vec![Key::ch('j'), Key::plain(Down)],
            action: Action::Down,
            desc: "move down",
        },
        Binding {
            keys: vec![Key::ch('k'), Key::plain(Up)],
            action: Action::Up,
            desc: "move up",
        },
        Binding {
            keys: vec![Key::ctrl('f'), Key::plain(PageDown)],
            action: Action::PageDown,
            desc: "page down",
        },
        Binding {
            keys: vec![Key::ctrl('b'), Key::plain(PageUp)],
            action: Action::PageUp,
            desc: "page up",
        },
        Binding {
            keys: vec![Key::ch('g'), Key::plain(Home)],
            action: Action::Top,
            desc: "first row",
        },
        Binding {
            keys: vec![Key::ch('G'), Key::plain(End)],
            action: Action::Bottom,
            desc: "last row",
        },
        Binding {
            keys: vec![Key::ch('/')],
            action: Action::StartFilter,
            desc: "filter rows (text; !text inverts)",
        },
        Binding {
            keys: vec![Key::ch(':')],
            action: Action::StartCommand,
            desc: "command line (:pods :ns :ctx :q)",
        },
        Binding {
            keys: vec![Key::ch('?')],
            action: Action::ToggleHelp,
            desc: "this help",
        },
        Binding {
            keys: vec![Key::plain(Esc)],
            action: Action::Back,
            desc: "close help / clear filter",
        },
        Binding {
            keys: vec![Key::ch('1')],
            action: Action::SortBy(Column::Namespace),
            desc: "sort by NAMESPACE (again: reverse)",
        },
        Binding {
            keys: vec![Key::ch('2')],
            action: Action::SortBy(Column::Name),
            desc: "sort by NAME",
        },
        Binding {
            keys: vec![Key::ch('3')],
            action: Action::SortBy(Column::Ready),
            desc: "sort by READY",
        },
        Binding {
            keys: vec![Key::ch('4')],
            action: Action::SortBy(Column::Status),
            desc: "sort by STATUS",
        },
        Binding {
            keys: vec![Key::ch('5')],
            action: Action::SortBy(Column::Restarts),
            desc: "sort by RESTARTS",
        },
        Binding {
            keys: vec![Key::ch('6')],
            action: Action::SortBy(Column::Age),
            desc: "sort by AGE (youngest first)",
        },
        Binding {
            keys: vec![Key::ch('7')],
            action: Action::SortBy(Column::Node),
            desc: "sort by NODE",
        },
        Binding {
            keys: vec![Key::ch('8')],
            action: Action::SortBy(Column::Ip),
            desc: "sort by IP",
        },
        Binding {
            keys: vec![Key::ctrl('c')],
            action: Action::Quit,
            desc: "quit (also :q)",
        },
    ]
}

/// The commands typed after `:`, for help.
pub const COMMANDS: &[(&str, &str)] = &[
    (":pods  :po", "show pods"),
    (":ns NAME", "one namespace; :ns all for every namespace"),
    (":ctx NAME", "switch context; :ctx alone lists them"),
    (":q  :quit", "quit"),
];

/// What a key does when the user is typing into the filter or command line.
pub fn input_action(ev: &KeyEvent) -> Option<Action> {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Char('c') if ctrl => Some(Action::Quit),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Char(c) if !ctrl => Some(Action::Input(c)),
        _ => None,
    }
}

pub fn table_action(bindings: &[Binding], ev: &KeyEvent) -> Option<Action> {
    let key = Key::from_event(ev);
    bindings
        .iter()
        .find(|b| b.keys.contains(&key))
        .map(|b| b.action.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn vim_and_arrow_keys_map_to_the_same_action() {
        let b = table_bindings();
        assert_eq!(
            table_action(&b, &key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            table_action(&b, &key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            table_action(&b, &key(KeyCode::Char('f'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
        assert_eq!(
            table_action(&b, &key(KeyCode::Char('f'), KeyModifiers::NONE)),
            None
        );
        assert_eq!(
            table_action(&b, &key(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn no_key_is_bound_twice() {
        let b = table_bindings();
        let mut seen = Vec::new();
        for binding in &b {
            for k in &binding.keys {
                assert!(!seen.contains(k), "{} bound twice", k.label());
                seen.push(*k);
            }
        }
    }

    #[test]
    fn typing_mode_keeps_letters_as_text() {
        assert_eq!(
            input_action(&key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Input('j'))
        );
        assert_eq!(
            input_action(&key(KeyCode::Enter, KeyModifiers::NONE)),
            Some(Action::Submit)
        );
    }
}
