//! The panes beside the dashboard: how the screen is split, the log panes and terminal panes
//! it holds, where each was last drawn, and what a new log pane asks for and keeps.

use std::collections::BTreeMap;

use ratatui::layout::Rect;

use super::layout::{DASHBOARD, Layout, PaneId};
use super::logs::buffer::Limits;
use super::logs::pane::LogPane;
use super::sessions::TermPane;
use crate::kube::log_request::LogOptions;
use crate::kube::logs::StreamKey;

#[derive(Debug, Clone)]
pub struct Panes {
    pub layout: Layout,
    pub logs: BTreeMap<PaneId, LogPane>,
    pub terms: BTreeMap<PaneId, TermPane>,
    pub next_pane: PaneId,
    /// The next log stream's key.
    pub next_stream: u64,
    /// Each pane's area in the last frame (for splitting the right way).
    pub pane_areas: Vec<(PaneId, Rect)>,
    /// Ring limits and request defaults for new log panes.
    pub log_limits: Limits,
    pub log_options: LogOptions,
}

impl Default for Panes {
    fn default() -> Self {
        Self {
            layout: Layout::default(),
            logs: BTreeMap::new(),
            terms: BTreeMap::new(),
            next_pane: 1,
            next_stream: 1,
            pane_areas: Vec::new(),
            log_limits: Limits::default(),
            log_options: LogOptions::default(),
        }
    }
}

impl Panes {
    /// The focused log pane, if a log pane has the focus.
    pub fn focused_log(&self) -> Option<&LogPane> {
        self.logs.get(&self.layout.focus)
    }

    pub fn focused_log_mut(&mut self) -> Option<&mut LogPane> {
        self.logs.get_mut(&self.layout.focus)
    }

    /// A key for a new log stream.
    pub fn new_stream_key(&mut self) -> StreamKey {
        let key = StreamKey(self.next_stream);
        self.next_stream += 1;
        key
    }

    /// A new pane's id.
    pub fn new_pane(&mut self) -> PaneId {
        let id = self.next_pane;
        self.next_pane += 1;
        id
    }

    /// Whether keys go to the dashboard (not to a log or terminal pane).
    pub fn dashboard_focused(&self) -> bool {
        let f = self.layout.focus;
        f == DASHBOARD || !(self.logs.contains_key(&f) || self.terms.contains_key(&f))
    }

    /// Split the focused pane to show the new pane `id` beside it (side by side when wide).
    pub fn split_beside_focus(&mut self, id: PaneId) {
        let target = self.layout.focus;
        let area = self
            .pane_areas
            .iter()
            .find(|(p, _)| *p == target)
            .map(|(_, r)| *r)
            .unwrap_or_default();
        self.layout.split(target, id, super::layout::dir_for(area));
    }

    /// Whether a terminal pane has the focus.
    pub fn terminal_focused(&self) -> bool {
        self.terms.contains_key(&self.layout.focus)
    }
}
