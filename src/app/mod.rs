//! Application state, actions, the keymap and `update`: plain data and pure functions.

pub mod action;
pub mod columns;
pub mod contexts;
pub mod describe;
pub mod detail;
pub mod filter;
pub mod keymap;
pub mod layout;
pub mod log_update;
pub mod logs;
pub mod sessions;
pub mod state;
pub mod table;
pub mod triage;
pub mod update;
pub mod yaml;

pub use action::{Action, Effect};
pub use state::{App, Mode, Severity, View};
