//! The namespaces table row: NAME, STATUS (Active / Terminating), AGE.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Namespace;

use super::pod_row::Health;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceRow {
    pub name: String,
    pub uid: String,
    pub status: String,
    pub created: Option<Timestamp>,
    /// The "(all)" row that switches to every namespace, kept first whatever the sort.
    pub every: bool,
}

/// How the all-namespaces row is shown (not a valid namespace name, so never a real one).
pub const ALL_NAMESPACES: &str = "(all)";

impl NamespaceRow {
    /// The row that switches to every namespace.
    pub fn every() -> Self {
        Self {
            name: ALL_NAMESPACES.into(),
            uid: ALL_NAMESPACES.into(),
            status: String::new(),
            created: None,
            every: true,
        }
    }

    pub fn health(&self) -> Health {
        if self.every || self.status == "Active" {
            Health::Ok
        } else {
            Health::Warning
        }
    }
}

pub fn namespace_row(ns: &Namespace) -> NamespaceRow {
    NamespaceRow {
        name: ns.metadata.name.clone().unwrap_or_default(),
        uid: ns
            .metadata
            .uid
            .clone()
            .or_else(|| ns.metadata.name.clone())
            .unwrap_or_default(),
        status: ns
            .status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Active".into()),
        created: ns.metadata.creation_timestamp.as_ref().map(|t| t.0),
        every: false,
    }
}
