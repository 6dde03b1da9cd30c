//! A workload's pods by its own selector: what `:logs deploy/web` streams. The owner is read
//! once (a GET, no watch); its `spec.selector` becomes the label selector of the pod watch, so
//! pods a rollout starts later match too.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, DynamicObject};
use kube::core::{ApiResource, GroupVersionKind};

/// A kind of pod owner kubedeck can stream the logs of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerKind {
    pub kind: &'static str,
    pub group: &'static str,
    pub plural: &'static str,
    /// How `:logs` spells it (kubectl's short name).
    pub short: &'static str,
}

pub const OWNER_KINDS: &[OwnerKind] = &[
    OwnerKind {
        kind: "Deployment",
        group: "apps",
        plural: "deployments",
        short: "deploy",
    },
    OwnerKind {
        kind: "ReplicaSet",
        group: "apps",
        plural: "replicasets",
        short: "rs",
    },
    OwnerKind {
        kind: "StatefulSet",
        group: "apps",
        plural: "statefulsets",
        short: "sts",
    },
    OwnerKind {
        kind: "DaemonSet",
        group: "apps",
        plural: "daemonsets",
        short: "ds",
    },
    OwnerKind {
        kind: "Job",
        group: "batch",
        plural: "jobs",
        short: "job",
    },
];

/// The owner kind for `deploy`, `deployment`, `deployments`, `Deployment`, …
pub fn owner_kind(word: &str) -> Option<OwnerKind> {
    let w = word.to_ascii_lowercase();
    OWNER_KINDS.iter().copied().find(|k| {
        let singular = k.kind.to_ascii_lowercase();
        w == k.short || w == singular || w == k.plural
    })
}

/// Why a workload's selector cannot be used to find its pods.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    #[error("unknown selector operator {0:?}")]
    UnknownOperator(String),
    #[error("its selector is empty (it would select every pod)")]
    Empty,
}

/// A `LabelSelector` in the label-selector query syntax. An empty selector would match every
/// pod in the namespace, which is never what a workload means: refused.
pub fn selector_string(sel: &LabelSelector) -> Result<String, SelectorError> {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default();
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({})", e.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", e.key, values.join(",")),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            other => return Err(SelectorError::UnknownOperator(other.to_string())),
        });
    }
    if parts.is_empty() {
        return Err(SelectorError::Empty);
    }
    Ok(parts.join(","))
}

/// Why a workload's pod selector could not be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OwnerError {
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("cannot read {what}: {error}")]
    Read {
        what: String,
        error: super::error::ApiError,
    },
    #[error("{what} has no spec.selector")]
    NoSelector { what: String },
    #[error("{what}: {why}")]
    BadSelector { what: String, why: SelectorError },
    #[error("{what}: unreadable selector: {why}")]
    UnreadableSelector { what: String, why: String },
}

/// Read the owner and return its pod selector; errors say what to do about them.
pub async fn owner_selector(
    client: kube::Client,
    namespace: &str,
    kind: OwnerKind,
    name: &str,
) -> Result<String, OwnerError> {
    let gvk = GroupVersionKind::gvk(kind.group, "v1", kind.kind);
    let resource = ApiResource::from_gvk_with_plural(&gvk, kind.plural);
    let api: Api<DynamicObject> = Api::namespaced_with(client, namespace, &resource);
    let what = format!("{}/{name} in {namespace}", kind.short);
    let obj = api.get(name).await.map_err(|e| match e {
        kube::Error::Api(s) if s.code == 404 => OwnerError::NotFound { what: what.clone() },
        other => OwnerError::Read {
            what: what.clone(),
            error: other.into(),
        },
    })?;
    let selector = obj
        .data
        .get("spec")
        .and_then(|s| s.get("selector"))
        .cloned()
        .ok_or_else(|| OwnerError::NoSelector { what: what.clone() })?;
    let selector: LabelSelector =
        serde_json::from_value(selector).map_err(|e| OwnerError::UnreadableSelector {
            what: what.clone(),
            why: e.to_string(),
        })?;
    selector_string(&selector).map_err(|why| OwnerError::BadSelector { what, why })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sel(v: serde_json::Value) -> LabelSelector {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn selectors_in_query_syntax() {
        assert_eq!(
            selector_string(&sel(
                json!({"matchLabels": {"app": "web", "tier": "front"}})
            )),
            Ok("app=web,tier=front".into())
        );
        let expr = sel(json!({"matchLabels": {"app": "web"}, "matchExpressions": [
            {"key": "env", "operator": "In", "values": ["prod", "stage"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "zone", "operator": "NotIn", "values": ["a"]},
            {"key": "team", "operator": "Exists"}]}));
        assert_eq!(
            selector_string(&expr),
            Ok("app=web,env in (prod,stage),!canary,zone notin (a),team".into())
        );
        assert!(selector_string(&sel(json!({}))).is_err());
        assert!(
            selector_string(&sel(
                json!({"matchExpressions": [{"key": "a", "operator": "Near"}]})
            ))
            .is_err()
        );
    }

    #[test]
    fn kinds_by_any_spelling() {
        for word in ["deploy", "deployment", "Deployments"] {
            assert_eq!(owner_kind(word).map(|k| k.kind), Some("Deployment"));
        }
        assert_eq!(owner_kind("sts").map(|k| k.plural), Some("statefulsets"));
        assert_eq!(owner_kind("ds").map(|k| k.group), Some("apps"));
        assert_eq!(owner_kind("jobs").map(|k| k.group), Some("batch"));
        assert_eq!(owner_kind("pod"), None);
    }
}
