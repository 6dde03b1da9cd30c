//! Log panes: the bounded ring of lines, a pane's state, the patterns that search and filter
//! it, and `update` for panes and log keys. What the lines are made of lives in
//! `crate::logline`.

pub mod buffer;
pub mod open;
pub mod pane;
pub mod pattern;
pub mod update;
