//! The keymap as data: every binding has a name (its key in the config file's `[keys]` table) and
//! a description, and the help screen is made from this table, so help can never disagree with
//! the keys.
//!
//! The default bindings (the table every key's help line comes from) are in `defaults.rs`.

mod defaults;

pub use defaults::{default_bindings, is_mutation};

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::Action;
use super::view::View;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    /// Alt (Meta): only k9s plugins and hotkeys bind it.
    pub alt: bool,
}

impl Key {
    const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            ctrl: false,
            alt: false,
        }
    }

    const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// The key event this key is (for keys compared outside the keymap, like the prefix).
    pub fn event(self) -> KeyEvent {
        let mut m = KeyModifiers::NONE;
        if self.ctrl {
            m |= KeyModifiers::CONTROL;
        }
        if self.alt {
            m |= KeyModifiers::ALT;
        }
        KeyEvent::new(self.code, m)
    }

    pub fn from_event(ev: &KeyEvent) -> Self {
        let code = match ev.code {
            // Terminals report Ctrl-letters in either case; bindings use lower case.
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        Self {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        }
    }

    /// A k9s `shortCut`: `a`, `Shift-A` (the capital), `Ctrl-A`, `Alt-A`, `F5`...
    /// A parser of what a user wrote in a k9s file: its `Err` is the sentence they read.
    pub fn parse_k9s(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let lower = t.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("shift-") {
            let mut chars = t[t.len() - rest.len()..].chars();
            return match (chars.next(), chars.next()) {
                (Some(c), None) if c.is_ascii_alphabetic() => Ok(Self::ch(c.to_ascii_uppercase())),
                // A shifted digit is the symbol above it (a US layout, as terminals send it).
                (Some(c), None) if c.is_ascii_digit() => {
                    let shifted = [')', '!', '@', '#', '$', '%', '^', '&', '*', '('];
                    Ok(Self::ch(shifted[usize::from(c as u8 - b'0')]))
                }
                // `Shift-Tab`, a named key.
                _ => Self::parse(t).map_err(|_| {
                    format!("unknown key {text:?} (Shift- goes with a letter, a digit or Tab)")
                }),
            };
        }
        if let Some(rest) = lower.strip_prefix("alt-") {
            let mut key = Self::parse(rest)?;
            key.alt = true;
            return Ok(key);
        }
        Self::parse(t)
    }

    /// Parse `j`, `G`, `ctrl-d`, `enter`, `esc`, `pgdn`, `f5`, `space`...
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    pub fn parse(text: &str) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        let (ctrl, rest) = match lower
            .strip_prefix("ctrl-")
            .or_else(|| lower.strip_prefix("c-"))
        {
            Some(_) => (true, &text[text.find('-').map_or(0, |i| i + 1)..]),
            None => (false, text),
        };
        let named = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => Some(KeyCode::Enter),
            "esc" | "escape" => Some(KeyCode::Esc),
            "up" => Some(KeyCode::Up),
            "down" => Some(KeyCode::Down),
            "left" => Some(KeyCode::Left),
            "right" => Some(KeyCode::Right),
            "pgup" | "pageup" => Some(KeyCode::PageUp),
            "pgdn" | "pagedown" => Some(KeyCode::PageDown),
            "home" => Some(KeyCode::Home),
            "end" => Some(KeyCode::End),
            "tab" => Some(KeyCode::Tab),
            "backtab" | "shift-tab" => Some(KeyCode::BackTab),
            "backspace" => Some(KeyCode::Backspace),
            "delete" | "del" => Some(KeyCode::Delete),
            "space" => Some(KeyCode::Char(' ')),
            f if f.len() >= 2 && f.starts_with('f') => f[1..]
                .parse::<u8>()
                .ok()
                .filter(|n| (1..=12).contains(n))
                .map(KeyCode::F),
            _ => None,
        };
        let code = match named {
            Some(code) => code,
            None => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) if !c.is_control() => {
                        KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
                    }
                    _ => {
                        return Err(format!(
                            "unknown key {text:?} (expected a character, ctrl-X, enter, esc, up, down, left, right, pgup, pgdn, home, end, tab, space, backspace, delete or f1-f12)"
                        ));
                    }
                }
            }
        };
        Ok(Self {
            code,
            ctrl,
            alt: false,
        })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, true) => format!("Ctrl-Alt-{base}"),
            (true, false) => format!("Ctrl-{base}"),
            (false, true) => format!("Alt-{base}"),
            (false, false) => base,
        }
    }
}

/// Where a binding applies. Keys may repeat across `Table` and `Logs` (only one of them is
/// active at a time) but never within what is active together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// Everywhere: movement, search, command line, help, quit.
    Global,
    /// When the dashboard has the focus.
    Table,
    /// When a log pane has the focus.
    Logs,
    /// Pane layout, everywhere.
    Panes,
    /// In a terminal pane, the key after the prefix.
    Terminal,
}

impl Section {
    pub fn title(self) -> &'static str {
        match self {
            Section::Global => "Keys",
            Section::Table => "Dashboard",
            Section::Logs => "Log panes",
            Section::Panes => "Panes",
            Section::Terminal => "Terminal panes: prefix (ctrl-a by default; twice sends it), then",
        }
    }

    /// Whether its bindings' views matter: Global and Table bindings answer with the
    /// dashboard focused, where the view decides between two bindings of one key.
    fn is_dashboard_scoped(self) -> bool {
        matches!(self, Section::Global | Section::Table)
    }

    /// Whether bindings of `self` and `other` can be active at the same time.
    fn overlaps(self, other: Section) -> bool {
        // The dashboard, a log pane and a terminal pane never have the focus together.
        let focus = |s: Section| matches!(s, Section::Table | Section::Logs | Section::Terminal);
        self == other || !(focus(self) && focus(other))
    }
}

/// The dashboard's views a binding answers in (a key may mean one thing in most views and
/// another in a few: `c` copies a name, but cancels in the PipelineRuns view).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Views {
    All,
    Only(&'static [View]),
    Except(&'static [View]),
}

impl Views {
    pub fn contains(self, view: View) -> bool {
        match self {
            Views::All => true,
            Views::Only(v) => v.contains(&view),
            Views::Except(v) => !v.contains(&view),
        }
    }

    fn overlaps(self, other: Views) -> bool {
        View::ALL
            .iter()
            .any(|v| self.contains(*v) && other.contains(*v))
    }

    /// For the help: where it applies, when not everywhere.
    pub fn note(self) -> Option<String> {
        let title = |v: &View| match v {
            View::Detail => "describe/YAML",
            other => other.title(),
        };
        let names = |v: &[View]| v.iter().map(title).collect::<Vec<_>>().join(", ");
        match self {
            Views::All => None,
            Views::Only(v) => Some(format!("only in {}", names(v))),
            Views::Except(v) => Some(format!("not in {}", names(v))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    /// The name used in the config file's `[keys]` table.
    pub name: &'static str,
    pub keys: Vec<Key>,
    pub action: Action,
    pub desc: &'static str,
    pub section: Section,
    /// With the dashboard focused, the views it answers in.
    pub views: Views,
}

impl Binding {
    /// Whether `self` and `other` can answer the same key at the same time.
    fn clashes(&self, other: &Binding) -> bool {
        self.section.overlaps(other.section)
            && (!self.section.is_dashboard_scoped()
                || !other.section.is_dashboard_scoped()
                || self.views.overlaps(other.views))
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Self {
            bindings: default_bindings(),
        }
    }
}

impl Keymap {
    /// The defaults with the config's `[keys]` overrides: each named action gets exactly the
    /// keys given. Errors name the binding and say what is wrong.
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut map = Self::default();
        for (name, keys) in overrides {
            let Some(i) = map.bindings.iter().position(|b| b.name == name) else {
                let known: Vec<&str> = map.bindings.iter().map(|b| b.name).collect();
                return Err(format!(
                    "unknown action {name:?} in [keys]; known: {}",
                    known.join(", ")
                ));
            };
            let parsed = keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("[keys] {name}: {e}"))?;
            map.bindings[i].keys = parsed;
        }
        // The overridden keys must not also be bound elsewhere in the same context.
        for (i, a) in map.bindings.iter().enumerate() {
            for k in &a.keys {
                if let Some(other) = map.bindings[i + 1..]
                    .iter()
                    .find(|b| b.keys.contains(k) && b.clashes(a))
                {
                    return Err(format!(
                        "[keys]: {} is bound to both {} and {}",
                        k.label(),
                        a.name,
                        other.name
                    ));
                }
            }
        }
        Ok(map)
    }

    /// The first key bound to `action`, for messages ("press K").
    pub fn key_for(&self, action: Action) -> Option<String> {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .and_then(|b| b.keys.first())
            .map(Key::label)
    }

    /// The name of the built-in binding that answers `key` with the dashboard focused (in
    /// some view), or with any focus (pane keys): a plugin or hotkey may not take it silently.
    pub fn dashboard_binding(&self, key: Key) -> Option<&'static str> {
        self.bindings
            .iter()
            .filter(|b| b.section != Section::Logs && b.section != Section::Terminal)
            .find(|b| b.keys.contains(&key))
            .map(|b| b.name)
    }

    /// The dashboard's action for a key in the pods view.
    pub fn action(&self, ev: &KeyEvent) -> Option<Action> {
        self.action_in(ev, Section::Table, View::Pods)
    }

    /// The action for a key when `focus` (Table or Logs) has the focus and the dashboard shows
    /// `view` (which decides only with the dashboard focused).
    pub fn action_in(&self, ev: &KeyEvent, focus: Section, view: View) -> Option<Action> {
        let key = Key::from_event(ev);
        self.bindings
            .iter()
            .filter(|b| b.section.overlaps(focus))
            .filter(|b| focus != Section::Table || b.views.contains(view))
            .find(|b| b.keys.contains(&key))
            .map(|b| b.action)
    }
}

/// What a key does when the user is typing into the filter, command line or search.
pub fn input_action(ev: &KeyEvent) -> Option<Action> {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Char('c') if ctrl => Some(Action::Quit),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Tab => Some(Action::Complete),
        KeyCode::Char(c) if !ctrl => Some(Action::Input(c)),
        _ => None,
    }
}

/// In the picker: move, choose, `a` for all, Esc to cancel.
pub fn pick_action(ev: &KeyEvent) -> Option<Action> {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Char('c') if ctrl => Some(Action::Quit),
        KeyCode::Esc | KeyCode::Char('q') => Some(Action::Back),
        KeyCode::Enter => Some(Action::Submit),
        KeyCode::Char('j') | KeyCode::Down => Some(Action::Down),
        KeyCode::Char('k') | KeyCode::Up => Some(Action::Up),
        KeyCode::Char('a') => Some(Action::AllContainers),
        _ => None,
    }
}

/// In a confirmation: `y` confirms, the movement keys scroll what it shows (a drain's
/// pods), anything else cancels.
pub fn confirm_action(ev: &KeyEvent) -> Action {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Char('c') if ctrl => Action::Quit,
        KeyCode::Char('y' | 'Y') if !ctrl => Action::Confirm,
        KeyCode::Char('j') | KeyCode::Down if !ctrl => Action::Down,
        KeyCode::Char('k') | KeyCode::Up if !ctrl => Action::Up,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::Home => Action::Top,
        _ => Action::Back,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn vim_and_arrow_keys_map_to_the_same_action() {
        let m = Keymap::default();
        assert_eq!(
            m.action(&key(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            m.action(&key(KeyCode::Down, KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            m.action(&key(KeyCode::Char('f'), KeyModifiers::CONTROL)),
            Some(Action::PageDown)
        );
        assert_eq!(m.action(&key(KeyCode::Char('f'), KeyModifiers::NONE)), None);
        assert_eq!(
            m.action(&key(KeyCode::Char('D'), KeyModifiers::CONTROL)),
            Some(Action::Delete),
            "Ctrl-D reported in upper case is still Ctrl-d"
        );
        assert_eq!(
            m.action(&key(KeyCode::Char('3'), KeyModifiers::NONE)),
            Some(Action::SortBy(2))
        );
    }

    #[test]
    fn no_key_is_bound_twice_and_names_are_unique() {
        let b = default_bindings();
        let mut names = Vec::new();
        for binding in &b {
            assert!(!names.contains(&binding.name), "{} twice", binding.name);
            names.push(binding.name);
        }
        for (i, a) in b.iter().enumerate() {
            for other in &b[i + 1..] {
                for k in &a.keys {
                    assert!(
                        !(other.keys.contains(k) && other.clashes(a)),
                        "{} bound to both {} and {}",
                        k.label(),
                        a.name,
                        other.name
                    );
                }
            }
        }
    }

    #[test]
    fn log_panes_have_their_own_keys() {
        let m = Keymap::default();
        let w = key(KeyCode::Char('w'), KeyModifiers::NONE);
        let pods = View::Pods;
        assert_eq!(
            m.action_in(&w, Section::Table, pods),
            Some(Action::ToggleFlagged)
        );
        assert_eq!(
            m.action_in(&w, Section::Logs, pods),
            Some(Action::ToggleWrap)
        );
        let j = key(KeyCode::Char('j'), KeyModifiers::NONE);
        assert_eq!(m.action_in(&j, Section::Logs, pods), Some(Action::Down));
        let tab = key(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(
            m.action_in(&tab, Section::Logs, pods),
            Some(Action::FocusNext)
        );
        assert_eq!(
            m.action_in(&tab, Section::Table, pods),
            Some(Action::FocusNext)
        );
    }

    #[test]
    fn k9s_shortcuts_as_its_files_write_them() {
        let k = |t: &str| Key::parse_k9s(t).map(|k| k.label());
        assert_eq!(k("Ctrl-L"), Ok("Ctrl-l".into()));
        assert_eq!(k("Shift-D"), Ok("D".into()));
        assert_eq!(k("shift-d"), Ok("D".into()));
        assert_eq!(k("Shift-0"), Ok(")".into()), "k9s's README hotkey");
        assert_eq!(
            k("Alt-K"),
            Ok("Alt-k".into()),
            "as Alt and the key are typed"
        );
        assert_eq!(k("a"), Ok("a".into()));
        assert_eq!(k("F5"), Ok("F5".into()));
        assert!(k("Hyper-Q").is_err());
        assert!(k("Shift-Tab").is_ok_and(|l| l == "Shift-Tab"));
        // Alt-k is not k: a plugin on Alt-k leaves kubedeck's k alone.
        let alt_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::ALT);
        assert_ne!(Key::from_event(&alt_k), Key::ch('k'));
    }

    #[test]
    fn number_keys_sort_except_in_the_namespaces_view() {
        let m = Keymap::default();
        let one = key(KeyCode::Char('1'), KeyModifiers::NONE);
        assert_eq!(
            m.action_in(&one, Section::Table, View::Pods),
            Some(Action::SortBy(0))
        );
        assert_eq!(
            m.action_in(&one, Section::Table, View::Namespaces),
            Some(Action::Favourite(1))
        );
        let zero = key(KeyCode::Char('0'), KeyModifiers::NONE);
        assert_eq!(
            m.action_in(&zero, Section::Table, View::Namespaces),
            Some(Action::Favourite(0))
        );
    }

    #[test]
    fn a_key_may_mean_one_thing_in_most_views_and_another_in_a_few() {
        let m = Keymap::default();
        let c = key(KeyCode::Char('c'), KeyModifiers::NONE);
        let n = key(KeyCode::Char('n'), KeyModifiers::NONE);
        assert_eq!(
            m.action_in(&c, Section::Table, View::Pods),
            Some(Action::CopyName)
        );
        assert_eq!(
            m.action_in(&c, Section::Table, View::PipelineRuns),
            Some(Action::CancelRun)
        );
        assert_eq!(
            m.action_in(&n, Section::Table, View::Pods),
            Some(Action::CopyNamespace)
        );
        assert_eq!(
            m.action_in(&n, Section::Table, View::Detail),
            Some(Action::NextMatch)
        );
        // In a log pane `n` is the next match whatever the dashboard shows.
        assert_eq!(
            m.action_in(&n, Section::Logs, View::Pods),
            Some(Action::NextMatch)
        );
    }

    #[test]
    fn key_strings_parse() {
        assert_eq!(Key::parse("ctrl-d"), Ok(Key::ctrl('d')));
        assert_eq!(Key::parse("Ctrl-D"), Ok(Key::ctrl('d')));
        assert_eq!(Key::parse("G"), Ok(Key::ch('G')));
        assert_eq!(Key::parse("pgdn"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(Key::parse("f5"), Ok(Key::plain(KeyCode::F(5))));
        assert_eq!(Key::parse("space"), Ok(Key::ch(' ')));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f13").is_err());
    }

    #[test]
    fn default_bindings_have_no_conflicts() {
        let none = BTreeMap::new();
        assert!(Keymap::with_overrides(&none).is_ok());
    }

    #[test]
    fn overrides_rebind_and_reject_conflicts() {
        let mut o = BTreeMap::new();
        o.insert(
            "describe".to_string(),
            vec!["I".to_string(), "f4".to_string()],
        );
        let m = Keymap::with_overrides(&o).unwrap_or_default();
        assert_eq!(
            m.action(&key(KeyCode::Char('I'), KeyModifiers::NONE)),
            Some(Action::Describe)
        );
        assert_eq!(
            m.action(&key(KeyCode::F(4), KeyModifiers::NONE)),
            Some(Action::Describe)
        );
        assert_eq!(
            m.action(&key(KeyCode::Char('d'), KeyModifiers::NONE)),
            None,
            "old key freed"
        );
        o.insert("yaml".to_string(), vec!["j".to_string()]);
        let err = Keymap::with_overrides(&o).err().unwrap_or_default();
        assert!(err.contains("bound to both"), "{err}");
        let mut o = BTreeMap::new();
        o.insert("teleport".to_string(), vec!["t".to_string()]);
        let err = Keymap::with_overrides(&o).err().unwrap_or_default();
        assert!(err.contains("unknown action \"teleport\""), "{err}");
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
        assert_eq!(
            confirm_action(&key(KeyCode::Char('y'), KeyModifiers::NONE)),
            Action::Confirm
        );
        assert_eq!(
            confirm_action(&key(KeyCode::Char('n'), KeyModifiers::NONE)),
            Action::Back
        );
    }
}
