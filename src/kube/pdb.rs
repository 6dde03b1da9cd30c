//! PodDisruptionBudgets as the drain preview needs them: which budget selects a pod, and
//! whether it allows a disruption now (an eviction it blocks waits).

use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, ListParams};

use super::error::ApiError;

/// One budget: where, what it selects, and how many disruptions it allows now.
#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub namespace: String,
    pub name: String,
    pub selector: LabelSelector,
    pub disruptions_allowed: i32,
}

impl Budget {
    pub fn of(pdb: &PodDisruptionBudget) -> Self {
        Self {
            namespace: pdb.metadata.namespace.clone().unwrap_or_default(),
            name: pdb.metadata.name.clone().unwrap_or_default(),
            selector: pdb
                .spec
                .as_ref()
                .and_then(|s| s.selector.clone())
                .unwrap_or_default(),
            disruptions_allowed: pdb
                .status
                .as_ref()
                .and_then(|s| s.disruptions_allowed)
                .unwrap_or(0),
        }
    }

    /// Whether the budget selects a pod of `namespace` with `labels` (the selector semantics of
    /// the apiserver: matchLabels and matchExpressions all hold; an empty selector selects
    /// every pod of the namespace).
    pub fn selects(&self, namespace: &str, labels: &crate::kube::labels::Labels) -> bool {
        if namespace != self.namespace {
            return false;
        }
        let labels_ok = self
            .selector
            .match_labels
            .iter()
            .flatten()
            .all(|(k, v)| labels.get(k) == Some(v.as_str()));
        let exprs_ok = self.selector.match_expressions.iter().flatten().all(|e| {
            let have = labels.get(&e.key);
            let values = e.values.clone().unwrap_or_default();
            match e.operator.as_str() {
                "In" => have.is_some_and(|v| values.iter().any(|s| s == v)),
                "NotIn" => !have.is_some_and(|v| values.iter().any(|s| s == v)),
                "Exists" => have.is_some(),
                "DoesNotExist" => have.is_none(),
                _ => false,
            }
        });
        labels_ok && exprs_ok
    }
}

/// Every budget the client may list (all namespaces).
pub async fn list(client: kube::Client) -> Result<Vec<Budget>, ApiError> {
    let api: Api<PodDisruptionBudget> = Api::all(client);
    let list = api.list(&ListParams::default()).await?;
    Ok(list.items.iter().map(Budget::of).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn budget(spec: serde_json::Value, allowed: i32) -> Budget {
        let pdb: PodDisruptionBudget = serde_json::from_value(json!({
            "metadata": {"name": "web-pdb", "namespace": "shop"},
            "spec": spec,
            "status": {"disruptionsAllowed": allowed, "currentHealthy": 2, "desiredHealthy": 2, "expectedPods": 2}
        }))
        .unwrap_or_default();
        Budget::of(&pdb)
    }

    fn labels(pairs: &[(&str, &str)]) -> crate::kube::labels::Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_budget_selects_by_labels_and_expressions_in_its_namespace() {
        let b = budget(
            json!({"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}),
            0,
        );
        assert!(b.selects("shop", &labels(&[("app", "web"), ("x", "y")])));
        assert!(!b.selects("other", &labels(&[("app", "web")])));
        assert!(!b.selects("shop", &labels(&[("app", "api")])));
        assert_eq!(b.disruptions_allowed, 0);
        let e = budget(
            json!({"selector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "edge"]}]}}),
            1,
        );
        assert!(e.selects("shop", &labels(&[("tier", "edge")])));
        assert!(!e.selects("shop", &labels(&[("tier", "back")])));
        let all = budget(json!({"selector": {}}), 0);
        assert!(all.selects("shop", &labels(&[])));
    }
}
