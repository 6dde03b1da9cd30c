//! Draining a node as `kubectl drain` does: cordon it, then evict its pods through the Eviction
//! API (so PodDisruptionBudgets are respected: a blocked eviction is retried), skipping DaemonSet
//! pods (their controller would put them straight back) and static (mirror) pods, and leaving
//! finished pods alone.

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, EvictParams};
use tokio::sync::mpsc;

use super::actions::DrainReport;
use super::pod_row::PodRow;

/// What a drain would do, shown before it is confirmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainPlan {
    pub node: String,
    /// (namespace, name) to evict.
    pub evict: Vec<(String, String)>,
    /// DaemonSet-managed pods, left in place.
    pub daemonsets: Vec<String>,
    /// Static (mirror) pods, which the API cannot evict.
    pub mirrors: Vec<String>,
}

impl DrainPlan {
    /// The plan for `node` from the pod rows.
    pub fn for_node(node: &str, pods: &[std::sync::Arc<PodRow>]) -> Self {
        let mut plan = DrainPlan {
            node: node.into(),
            ..DrainPlan::default()
        };
        for p in pods.iter().filter(|p| p.node == node && p.occupies_node()) {
            let label = format!("{}/{}", p.namespace, p.name);
            match p.owner.as_ref().map(|(kind, _)| kind.as_str()) {
                Some("DaemonSet") => plan.daemonsets.push(label),
                Some("Node") => plan.mirrors.push(label),
                _ => plan.evict.push((p.namespace.clone(), p.name.clone())),
            }
        }
        plan.evict.sort();
        plan
    }
}

/// How one eviction went.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Evicted,
    Gone,
    /// A PodDisruptionBudget said not now (429): try again later.
    Blocked(String),
    Failed(String),
}

async fn evict_one(api: &Api<Pod>, name: &str) -> Outcome {
    match api.evict(name, &EvictParams::default()).await {
        Ok(_) => Outcome::Evicted,
        Err(kube::Error::Api(s)) if s.code == 404 => Outcome::Gone,
        Err(kube::Error::Api(s)) if s.code == 429 => Outcome::Blocked(s.message),
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// Carry out `plan`, reporting each blocked round on `progress`; the final report is returned
/// (an error when pods were left behind). Evictions a disruption budget blocks are retried
/// every `retry` up to `attempts` times.
pub async fn drain(
    client: Client,
    plan: DrainPlan,
    retry: Duration,
    attempts: u32,
    progress: mpsc::UnboundedSender<DrainReport>,
) -> Result<DrainReport, super::actions::ActionError> {
    super::actions::cordon(client.clone(), plan.node.clone(), true).await?;
    let mut pending = plan.evict.clone();
    let mut report = DrainReport {
        node: plan.node.clone(),
        total: plan.evict.len(),
        ..DrainReport::default()
    };
    for attempt in 1..=attempts.max(1) {
        report.blocked.clear();
        for (ns, name) in std::mem::take(&mut pending) {
            let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
            match evict_one(&api, &name).await {
                Outcome::Evicted | Outcome::Gone => report.evicted += 1,
                Outcome::Blocked(why) => {
                    report.blocked.push(format!("{ns}/{name}"));
                    report.budget_says.get_or_insert(why);
                    pending.push((ns, name));
                }
                Outcome::Failed(why) => report.failed.push(format!("{ns}/{name}: {why}")),
            }
        }
        if pending.is_empty() {
            break;
        }
        let _ = progress.send(DrainReport {
            attempt: Some((attempt, attempts)),
            ..report.clone()
        });
        if attempt < attempts {
            tokio::time::sleep(retry).await;
        }
    }
    if report.blocked.is_empty() && report.failed.is_empty() {
        Ok(report)
    } else {
        Err(super::actions::ActionError::Incomplete(Box::new(report)))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kube::pod_row::pod_row;
    use serde_json::json;
    use std::sync::Arc;

    fn pod(name: &str, node: &str, owner: Option<&str>, phase: &str) -> Arc<PodRow> {
        let mut meta = json!({"name": name, "namespace": "ns", "uid": name});
        if let Some(kind) = owner {
            meta["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": kind, "name": "o", "uid": "o", "controller": true}]);
        }
        let p: Pod = serde_json::from_value(json!({"metadata": meta,
            "spec": {"nodeName": node, "containers": [{"name": "c"}]}, "status": {"phase": phase}}))
        .unwrap();
        Arc::new(pod_row(&p))
    }

    #[test]
    fn the_plan_skips_daemonsets_mirrors_finished_and_other_nodes() {
        let pods = vec![
            pod("web", "n1", Some("ReplicaSet"), "Running"),
            pod("agent", "n1", Some("DaemonSet"), "Running"),
            pod("etcd", "n1", Some("Node"), "Running"),
            pod("job-done", "n1", Some("Job"), "Succeeded"),
            pod("bare", "n1", None, "Running"),
            pod("elsewhere", "n2", Some("ReplicaSet"), "Running"),
        ];
        let plan = DrainPlan::for_node("n1", &pods);
        assert_eq!(
            plan.evict,
            [
                ("ns".to_string(), "bare".to_string()),
                ("ns".into(), "web".into())
            ]
        );
        assert_eq!(plan.daemonsets, ["ns/agent"]);
        assert_eq!(plan.mirrors, ["ns/etcd"]);
    }
}
