//! Log panes: what containers print, made safe, grouped, bounded and searchable.

pub mod buffer;
pub mod json;
pub mod pane;
pub mod pattern;
pub mod record;
pub mod sanitize;
