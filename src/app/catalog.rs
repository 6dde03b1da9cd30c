//! What the first cluster serves, as discovery found it, and where discovery is (`:KIND` for
//! any kind, `:api-resources`).

use std::sync::Arc;

use crate::kube::discovery::ApiCatalog;

/// Where discovery is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Discovery {
    #[default]
    NotYet,
    /// Asked; `then` is a `:KIND` waiting for it (a CRD added since the last time).
    Running {
        then: Option<PendingKind>,
    },
    Done,
    Failed(crate::kube::error::ApiError),
}

/// A `:KIND [NS] [/FILTER]` waiting for discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingKind {
    pub name: String,
    pub namespace: Option<String>,
    pub filter: Option<super::filter::Filter>,
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The resources the server serves (empty until discovery answers).
    pub api: Arc<ApiCatalog>,
    pub discovery: Discovery,
}
