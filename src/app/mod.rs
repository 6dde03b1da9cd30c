//! The application: plain data (`state`), the messages that change it (`msg`), the one function
//! that applies them (`update`, with its parts: navigation, commands, results, log panes,
//! sessions, node actions and mutations), the projection of the stores into what the views
//! show, and the effects it asks the runtime for. No I/O anywhere here.

pub mod access;
pub mod access_data;
pub mod access_rows;
#[cfg(test)]
mod access_tests;
pub mod action;
pub mod catalog;
pub mod columns;
pub mod command;
pub mod containers;
pub mod contexts;
pub mod copy;
pub mod describe;
pub mod detail;
pub mod drain_preview;
pub mod errors;
pub mod extensions;
pub mod filter;
#[cfg(test)]
pub mod fixture;
pub mod fleet;
pub mod forwarding;
pub mod forwards;
pub mod habits;
pub mod helm;
pub mod helm_mask;
pub mod helm_rows;
pub mod helm_state;
pub mod keymap;
pub mod kinds;
#[cfg(test)]
mod kinds_tests;
pub mod layout;
pub mod logs;
pub mod msg;
pub mod mutations;
pub mod navigate;
pub mod nodes;
pub mod notice;
pub mod panes;
pub mod picker;
pub mod projection;
pub mod prompt;
pub mod resource;
pub mod results;
pub mod selection;
pub mod sessions;
pub mod settings;
pub mod state;
pub mod table;
pub mod timeline;
pub mod timeline_rows;
pub mod timeline_state;
pub mod travel;
pub mod travel_rows;
pub mod travel_state;
pub mod triage;
pub mod triage_rows;
pub mod update;
#[cfg(test)]
mod update_tests;
pub mod view;
pub mod view_args;
pub mod workload_state;
pub mod workloads;
pub mod xray;
pub mod xray_rows;
pub mod xray_state;
pub mod yaml;

pub use action::{Action, Effect};
pub use state::{App, Mode, Severity, View};
