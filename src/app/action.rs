//! What a key can ask for, and what `update` asks the runtime to do.

use super::pods_table::Column;
use crate::kube::cluster::Scope;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    SortBy(Column),
    StartFilter,
    StartCommand,
    ToggleHelp,
    /// Back out: close help, leave input, clear the filter.
    Back,
    /// Text typed into the filter or command line.
    Input(char),
    Backspace,
    Submit,
}

/// Work only the runtime can do (it touches the cluster); results come back as events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    SwitchScope(Scope),
    SwitchContext(String),
}
