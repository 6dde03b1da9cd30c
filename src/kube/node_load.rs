//! Requests and limits per node, summed from the pod rows and kept by delta: a pod added,
//! changed or gone adjusts its node's sums, so 10,000 pods on 500 nodes cost nothing per frame
//! and one subtraction and addition per changed pod.

use std::collections::HashMap;
use std::sync::Arc;

use super::pod_row::PodRow;
use super::row_cache::Change;

/// What the pods bound to a node ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Load {
    pub cpu_requests: i64,
    /// Sum of the pods' CPU limits; pods without one are counted in `cpu_unlimited`.
    pub cpu_limits: i64,
    pub cpu_unlimited: u32,
    pub memory_requests: i64,
    pub memory_limits: i64,
    pub memory_unlimited: u32,
    pub storage_requests: i64,
    pub pods: u32,
}

impl Load {
    fn of(row: &PodRow) -> Self {
        let r = &row.resources;
        Self {
            cpu_requests: r.cpu_request,
            cpu_limits: r.cpu_limit.unwrap_or(0),
            cpu_unlimited: u32::from(r.cpu_limit.is_none()),
            memory_requests: r.memory_request,
            memory_limits: r.memory_limit.unwrap_or(0),
            memory_unlimited: u32::from(r.memory_limit.is_none()),
            storage_requests: r.storage_request,
            pods: 1,
        }
    }

    fn add(&mut self, o: &Self, sign: i64) {
        let s32 = |a: u32, b: u32| {
            if sign > 0 { a + b } else { a.saturating_sub(b) }
        };
        self.cpu_requests += sign * o.cpu_requests;
        self.cpu_limits += sign * o.cpu_limits;
        self.cpu_unlimited = s32(self.cpu_unlimited, o.cpu_unlimited);
        self.memory_requests += sign * o.memory_requests;
        self.memory_limits += sign * o.memory_limits;
        self.memory_unlimited = s32(self.memory_unlimited, o.memory_unlimited);
        self.storage_requests += sign * o.storage_requests;
        self.pods = s32(self.pods, o.pods);
    }
}

#[derive(Debug, Default)]
pub struct NodeLoads {
    by_node: HashMap<String, Load>,
    /// Nodes whose sums changed since [`NodeLoads::take_changed`]: the nodes view re-makes
    /// only their rows.
    changed: std::collections::HashSet<String>,
}

impl NodeLoads {
    fn apply_one(&mut self, row: &PodRow, sign: i64) {
        if !row.occupies_node() {
            return;
        }
        let load = Load::of(row);
        if !self.changed.contains(&row.node) {
            self.changed.insert(row.node.clone());
        }
        let entry = self.by_node.entry(row.node.clone()).or_default();
        entry.add(&load, sign);
        if entry.pods == 0 {
            self.by_node.remove(&row.node);
        }
    }

    /// Apply the changes of one refresh of the pod rows.
    pub fn apply(&mut self, changes: &[Change<PodRow>]) {
        for (old, new) in changes {
            if let Some(o) = old {
                self.apply_one(o, -1);
            }
            if let Some(n) = new {
                self.apply_one(n, 1);
            }
        }
    }

    /// The nodes whose sums changed since the last call.
    pub fn take_changed(&mut self) -> std::collections::HashSet<String> {
        std::mem::take(&mut self.changed)
    }

    pub fn get(&self, node: &str) -> Load {
        self.by_node.get(node).copied().unwrap_or_default()
    }

    /// The sums recomputed from scratch (for checking the deltas).
    pub fn recount(rows: &[Arc<PodRow>]) -> Self {
        let mut loads = Self::default();
        for r in rows {
            loads.apply_one(r, 1);
        }
        loads
    }

    pub fn is_empty(&self) -> bool {
        self.by_node.is_empty()
    }
}

impl PartialEq for NodeLoads {
    fn eq(&self, o: &Self) -> bool {
        self.by_node == o.by_node
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::kube::pod_row::pod_row;
    use crate::kube::row_cache::RowCache;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    fn pod(
        name: &str,
        rv: u32,
        node: &str,
        phase: &str,
        cpu: &str,
        mem_limit: Option<&str>,
    ) -> Arc<Pod> {
        let mut limits = json!({});
        if let Some(m) = mem_limit {
            limits["memory"] = json!(m);
            limits["cpu"] = json!(cpu);
        }
        Arc::new(
            serde_json::from_value(json!({
                "metadata": {"name": name, "namespace": "ns", "uid": name, "resourceVersion": rv.to_string()},
                "spec": {"nodeName": node, "containers": [{"name": "c",
                    "resources": {"requests": {"cpu": cpu, "memory": "100Mi"}, "limits": limits}}]},
                "status": {"phase": phase}
            }))
            .unwrap(),
        )
    }

    #[test]
    fn deltas_follow_add_update_move_finish_and_delete() {
        let mut cache = RowCache::default();
        let mut loads = NodeLoads::default();
        let mut step = |pods: &[Arc<Pod>]| {
            let (rows, changes) = cache.refresh_changes(pods, pod_row);
            loads.apply(&changes);
            assert_eq!(
                loads,
                NodeLoads::recount(&rows),
                "deltas agree with a recount"
            );
            (loads.get("n1"), loads.get("n2"))
        };
        let (n1, _) = step(&[
            pod("a", 1, "n1", "Running", "100m", Some("1Gi")),
            pod("b", 1, "n1", "Running", "250m", None),
        ]);
        assert_eq!(n1.pods, 2);
        assert_eq!(n1.cpu_requests, 350);
        assert_eq!(n1.memory_requests, 200 << 20);
        assert_eq!(n1.memory_limits, 1 << 30);
        assert_eq!(n1.memory_unlimited, 1, "b has no limit");
        // b grows its request.
        let (n1, _) = step(&[
            pod("a", 1, "n1", "Running", "100m", Some("1Gi")),
            pod("b", 2, "n1", "Running", "1", None),
        ]);
        assert_eq!(n1.cpu_requests, 1100);
        // b is rescheduled onto n2; a finishes (no longer holds n1).
        let (n1, n2) = step(&[
            pod("a", 2, "n1", "Succeeded", "100m", Some("1Gi")),
            pod("b", 3, "n2", "Running", "1", None),
        ]);
        assert_eq!(n1, Load::default());
        assert_eq!((n2.pods, n2.cpu_requests), (1, 1000));
        // Everything deleted.
        let (n1, n2) = step(&[]);
        assert_eq!((n1, n2), (Load::default(), Load::default()));
        assert!(loads.is_empty());
    }
}
