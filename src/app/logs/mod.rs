//! Log panes: the bounded ring of lines, a pane's state, and the patterns that search and filter
//! it. What the lines are made of lives in `crate::logline`.

pub mod buffer;
pub mod pane;
pub mod pattern;
