//! What the first cluster serves, as discovery found it, and where discovery is (`:KIND` for
//! any kind, `:api-resources`).

use std::sync::Arc;

use crate::kube::discovery::ApiCatalog;

/// Where discovery is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Discovery {
    #[default]
    NotYet,
    /// Asked; `then` is a `:KIND [NS]` waiting for it (a CRD added since the last time).
    Running {
        then: Option<(String, Option<String>)>,
    },
    Done,
    Failed(crate::kube::error::ApiError),
}

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// The resources the server serves (empty until discovery answers).
    pub api: Arc<ApiCatalog>,
    pub discovery: Discovery,
}
