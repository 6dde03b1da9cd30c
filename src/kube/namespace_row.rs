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

/// The Pod Security level `ns` enforces (its `pod-security.kubernetes.io/enforce` label), so
/// the debug picker can say which profiles it refuses before one is tried.
pub fn enforced_level(ns: &Namespace) -> Option<String> {
    ns.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(super::pod_security::ENFORCE_LABEL).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enforced_pod_security_level_is_read_from_its_label() {
        let ns: Namespace = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "payments", "uid": "u1",
                "labels": {"pod-security.kubernetes.io/enforce": "baseline",
                           "pod-security.kubernetes.io/warn": "restricted"}},
            "status": {"phase": "Active"}}))
        .unwrap_or_default();
        assert_eq!(enforced_level(&ns).as_deref(), Some("baseline"));
        assert_eq!(namespace_row(&ns).status, "Active");
        let plain: Namespace =
            serde_json::from_value(serde_json::json!({"metadata": {"name": "demo"}}))
                .unwrap_or_default();
        assert_eq!(enforced_level(&plain), None);
    }
}
