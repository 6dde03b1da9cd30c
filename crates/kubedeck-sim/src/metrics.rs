//! metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics, derived from the world's usage model.

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::model;
use super::world::World;
use crate::quantity;

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

/// What the hot node's memory hog uses now: the part of the node's memory wave above its
/// baseline, so the hog's growth is what drives the node into MemoryPressure.
pub fn hog_bytes(w: &World) -> u64 {
    let Some(hot) = w.nodes.iter().find(|n| n.hot) else {
        return 0;
    };
    let total = u64::from(hot.memory_gi) << 30;
    let above = (World::hot_fraction(w.tick) - 0.55).max(0.0);
    (total as f64 * above) as u64 + (300 << 20)
}

/// Usage for each running pod: a stable fraction of its requests that drifts with the tick
/// (the memory hog: `hog` bytes).
pub fn pod_metrics(pods: &[Arc<Value>], tick: u64, hog: u64, now: Timestamp) -> Vec<Arc<Value>> {
    pods.iter()
        .filter(|p| p["status"]["phase"] == "Running")
        .map(|p| {
            let name = p["metadata"]["name"].as_str().unwrap_or_default();
            let h = name.bytes().fold(tick, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
            let is_hog = p["metadata"]["annotations"][model::ROLE] == "hog";
            let containers: Vec<Value> = p["spec"]["containers"].as_array().into_iter().flatten().map(|c| {
                let req = &c["resources"]["requests"];
                let mem_ki = req["memory"].as_str().and_then(quantity::bytes).map_or(64 * 1024, |b| b / 1024).max(0) as u64;
                let cpu = req["cpu"].as_str().and_then(quantity::millicores).unwrap_or(50).max(0) as u64;
                let mem_ki = if is_hog { hog / 1024 } else { mem_ki * (40 + h % 70) / 100 };
                json!({"name": c["name"], "usage": {"cpu": format!("{}n", cpu * (20 + h % 90) * 10_000), "memory": format!("{}Ki", mem_ki)}})
            }).collect();
            Arc::new(json!({
                "kind": "PodMetrics", "apiVersion": "metrics.k8s.io/v1beta1",
                "metadata": {"name": name, "namespace": p["metadata"]["namespace"], "creationTimestamp": model::ts(now), "labels": p["metadata"]["labels"]},
                "timestamp": model::ts(now), "window": "17.9s", "containers": containers,
            }))
        })
        .collect()
}
