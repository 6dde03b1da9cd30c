//! Application state, actions, the keymap and `update`: plain data and pure functions.

pub mod action;
pub mod keymap;
pub mod pods_table;
pub mod state;
pub mod update;

pub use action::{Action, Effect};
pub use state::{App, Mode, Severity};
