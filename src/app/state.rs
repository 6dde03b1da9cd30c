//! The application state: plain data, changed only by `update` and by the runtime copying in
//! what the informers hold.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::pods_table::PodTable;
use crate::kube::informer::{InformerState, ResourceKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Table,
    Filter,
    Command,
    Help,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Error,
}

#[derive(Debug, Clone)]
pub struct App {
    pub context: String,
    pub contexts: Vec<String>,
    pub server: String,
    /// `all` or a namespace name.
    pub scope: String,
    pub readonly: bool,
    pub mode: Mode,
    /// Text being typed into the filter or command line.
    pub input: String,
    pub pods: PodTable,
    pub informers: BTreeMap<ResourceKind, InformerState>,
    pub counts: BTreeMap<ResourceKind, usize>,
    pub message: Option<(Severity, String)>,
    pub now: Timestamp,
    /// Rows the table showed last frame, for paging.
    pub page_rows: usize,
    /// First help line shown (help scrolls with the movement keys on small terminals).
    pub help_scroll: usize,
    pub should_quit: bool,
}

impl App {
    pub fn new(
        context: String,
        contexts: Vec<String>,
        server: String,
        scope: String,
        readonly: bool,
    ) -> Self {
        Self {
            context,
            contexts,
            server,
            scope,
            readonly,
            mode: Mode::Table,
            input: String::new(),
            pods: PodTable::default(),
            informers: BTreeMap::new(),
            counts: BTreeMap::new(),
            message: None,
            now: Timestamp::now(),
            page_rows: 20,
            help_scroll: 0,
            should_quit: false,
        }
    }

    pub fn informer(&self, kind: ResourceKind) -> InformerState {
        self.informers
            .get(&kind)
            .cloned()
            .unwrap_or(InformerState::Syncing)
    }

    pub fn all_namespaces(&self) -> bool {
        self.scope == "all"
    }
}
