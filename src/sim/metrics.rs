//! metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, derived from the world's usage model.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::model;
use super::world::World;
use crate::kube::quantity;

pub fn node_metrics(w: &World, now: Timestamp) -> Vec<Arc<Value>> {
    w.nodes
        .iter()
        .map(|n| {
            let u = w.usage(n);
            Arc::new(json!({
                "kind": "NodeMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {"name": n.name, "creationTimestamp": model::ts(now), "labels": {"kubernetes.io/hostname": n.name}},
                "timestamp": model::ts(now), "window": "20.05s",
                "usage": {"cpu": format!("{}n", u.cpu_milli * 1_000_000), "memory": format!("{}Ki", u.memory_bytes / 1024)},
            }))
        })
        .collect()
}

/// Usage for each running pod: a stable fraction of its requests that drifts with the tick.
pub fn pod_metrics(pods: &[Arc<Value>], tick: u64, now: Timestamp) -> Vec<Arc<Value>> {
    pods.iter()
        .filter(|p| p["status"]["phase"] == "Running")
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or_default();
            let h = name.bytes().fold(tick, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
            let containers: Vec<Value> = p["spec"]["containers"].as_array().into_iter().flatten().map(|c| {
                let req = &c["resources"]["requests"];
                let mem_ki = req["memory"].as_str().and_then(quantity::bytes).map_or(64 * 1024, |b| b / 1024).max(0) as u64;
                let cpu = req["cpu"].as_str().and_then(quantity::millicores).unwrap_or(50).max(0) as u64;
                json!({"name": c["name"], "usage": {"cpu": format!("{}n", cpu * (20 + h % 90) * 10_000), "memory": format!("{}Ki", mem_ki * (40 + h % 70) / 100)}})
            }).collect();
            Arc::new(json!({
                "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {"name": name, "namespace": p["metadata"]["namespace"], "creationTimestamp": model::ts(now), "labels": p["metadata"]["labels"]},
                "timestamp": model::ts(now), "window": "17.9s", "containers": containers,
            }))
        })
        .collect()
}
