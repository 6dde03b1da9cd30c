//! The nodes table row: kubectl's STATUS, ROLES, AGE and VERSION, plus the pressure conditions
//! that are true and the number of pods scheduled on the node.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Node;

use super::pod_row::Health;
use super::quantity;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    /// The cluster the row came from (stamped by its informer; empty outside one).
    pub cluster: crate::kube::ids::ClusterId,
    pub name: String,
    pub uid: String,
    /// `Ready`, `NotReady`, `Unknown`, with `,SchedulingDisabled` when cordoned.
    pub status: String,
    pub ready: bool,
    pub cordoned: bool,
    pub roles: String,
    pub created: Option<Timestamp>,
    pub version: String,
    /// `Memory`, `Disk`, `PID`, `Network` for each pressure condition that holds.
    pub pressure: Vec<&'static str>,
    /// When each pressure condition began to hold (same order as `pressure`).
    pub pressure_since: Vec<Option<Timestamp>>,
    /// When the Ready condition last changed (how long a node has been NotReady).
    pub ready_since: Option<Timestamp>,
    /// Pods bound to this node (filled from the pod store).
    pub pods: usize,
    /// What the scheduler may hand out (status.allocatable): millicores, bytes, pods.
    pub allocatable: Allocatable,
    /// Requests and limits of the pods on the node (filled from the pod rows).
    pub load: super::node_load::Load,
    /// Live usage from metrics.k8s.io (millicores, bytes), when known.
    pub usage: Option<(i64, i64)>,
    /// `key=value:Effect` for each NoSchedule / NoExecute / PreferNoSchedule taint.
    pub taints: Vec<String>,
    /// How hot the node runs against the configured thresholds (set with usage and load).
    pub heat: Health,
    /// The object's `metadata.resourceVersion`: describe fetches the node again when it moves
    /// (the store keeps rows, not nodes).
    pub resource_version: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Allocatable {
    pub cpu: i64,
    pub memory: i64,
    pub pods: i64,
    pub ephemeral_storage: Option<i64>,
}

/// Usage thresholds (percent of allocatable) for highlighting nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub warn: i64,
    pub critical: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            warn: 80,
            critical: 95,
        }
    }
}

impl NodeRow {
    pub fn health(&self) -> Health {
        if !self.ready || self.heat == Health::Error {
            Health::Error
        } else if !self.pressure.is_empty() || self.heat == Health::Warning {
            Health::Warning
        } else if self.cordoned {
            Health::Pending
        } else {
            Health::Ok
        }
    }

    pub fn pressure_text(&self) -> String {
        if self.pressure.is_empty() {
            "-".into()
        } else {
            self.pressure.join(",")
        }
    }

    /// Pressure conditions with how long each has held: `Memory 5m,PID 1h`.
    pub fn pressure_held(&self, now: Timestamp) -> String {
        if self.pressure.is_empty() {
            return "-".into();
        }
        self.pressure
            .iter()
            .zip(self.pressure_since.iter().chain(std::iter::repeat(&None)))
            .map(|(p, since)| match since {
                Some(t) => format!("{p} {}", super::age::since(Some(*t), now)),
                None => p.to_string(),
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    pub fn cpu_use_pct(&self) -> Option<i64> {
        self.usage
            .and_then(|(c, _)| quantity::percent(c, self.allocatable.cpu))
    }

    pub fn memory_use_pct(&self) -> Option<i64> {
        self.usage
            .and_then(|(_, m)| quantity::percent(m, self.allocatable.memory))
    }

    pub fn cpu_request_pct(&self) -> Option<i64> {
        quantity::percent(self.load.cpu_requests, self.allocatable.cpu)
    }

    pub fn memory_request_pct(&self) -> Option<i64> {
        quantity::percent(self.load.memory_requests, self.allocatable.memory)
    }

    pub fn cpu_limit_pct(&self) -> Option<i64> {
        quantity::percent(self.load.cpu_limits, self.allocatable.cpu)
    }

    pub fn memory_limit_pct(&self) -> Option<i64> {
        quantity::percent(self.load.memory_limits, self.allocatable.memory)
    }

    /// How hot the node is: usage (or, without metrics, requests) against the thresholds.
    pub fn heat_for(&self, t: Thresholds) -> Health {
        let worst = [
            self.cpu_use_pct(),
            self.memory_use_pct(),
            self.cpu_request_pct(),
            self.memory_request_pct(),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
        if worst >= t.critical {
            Health::Error
        } else if worst >= t.warn {
            Health::Warning
        } else {
            Health::Ok
        }
    }
}

fn allocatable(node: &Node) -> Allocatable {
    let a = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
    let get = |k: &str, parse: fn(&str) -> Option<i64>| {
        a.and_then(|m| m.get(k)).and_then(|q| parse(&q.0))
    };
    Allocatable {
        cpu: get("cpu", quantity::millicores).unwrap_or(0),
        memory: get("memory", quantity::bytes).unwrap_or(0),
        pods: get("pods", quantity::count).unwrap_or(0),
        ephemeral_storage: get("ephemeral-storage", quantity::bytes),
    }
}

fn taints(node: &Node) -> Vec<String> {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .into_iter()
        .flatten()
        .map(|t| match &t.value {
            Some(v) if !v.is_empty() => format!("{}={v}:{}", t.key, t.effect),
            _ => format!("{}:{}", t.key, t.effect),
        })
        .collect()
}

const PRESSURES: [(&str, &str); 4] = [
    ("MemoryPressure", "Memory"),
    ("DiskPressure", "Disk"),
    ("PIDPressure", "PID"),
    ("NetworkUnavailable", "Network"),
];

/// kubectl's ROLES: every `node-role.kubernetes.io/ROLE` label and `kubernetes.io/role`.
fn roles(node: &Node) -> String {
    let mut roles: Vec<String> = Vec::new();
    if let Some(labels) = &node.metadata.labels {
        for (k, v) in labels {
            if let Some(role) = k.strip_prefix("node-role.kubernetes.io/") {
                if !role.is_empty() {
                    roles.push(role.to_string());
                }
            } else if k == "kubernetes.io/role" && !v.is_empty() {
                roles.push(v.clone());
            }
        }
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.join(",")
    }
}

pub fn node_row(node: &Node) -> NodeRow {
    let conditions = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    let ready = conditions.iter().find(|c| c.type_ == "Ready");
    let mut status = match ready {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    let cordoned = node
        .spec
        .as_ref()
        .and_then(|s| s.unschedulable)
        .unwrap_or(false);
    if cordoned {
        status.push_str(",SchedulingDisabled");
    }
    let held: Vec<(&'static str, Option<Timestamp>)> = PRESSURES
        .iter()
        .filter_map(|(t, short)| {
            conditions
                .iter()
                .find(|c| c.type_ == *t && c.status == "True")
                .map(|c| (*short, c.last_transition_time.as_ref().map(|t| t.0)))
        })
        .collect();
    let pressure = held.iter().map(|(p, _)| *p).collect();
    let pressure_since = held.iter().map(|(_, t)| *t).collect();
    NodeRow {
        cluster: crate::kube::ids::ClusterId::default(),
        name: node.metadata.name.clone().unwrap_or_default(),
        uid: node
            .metadata
            .uid
            .clone()
            .or_else(|| node.metadata.name.clone())
            .unwrap_or_default(),
        status,
        ready: ready.is_some_and(|c| c.status == "True"),
        cordoned,
        roles: roles(node),
        created: node.metadata.creation_timestamp.as_ref().map(|t| t.0),
        version: node
            .status
            .as_ref()
            .and_then(|s| s.node_info.as_ref())
            .map(|i| i.kubelet_version.clone())
            .unwrap_or_default(),
        pressure,
        pressure_since,
        ready_since: ready
            .and_then(|c| c.last_transition_time.as_ref())
            .map(|t| t.0),
        pods: 0,
        allocatable: allocatable(node),
        load: Default::default(),
        usage: None,
        taints: taints(node),
        heat: Health::Ok,
        resource_version: node.metadata.resource_version.clone().unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Default)]
    struct Items {
        items: Vec<Node>,
    }

    #[test]
    fn real_node_reads_like_kubectl() {
        let items: Items =
            serde_json::from_str(include_str!("../../tests/fixtures/real-cluster/nodes.json"))
                .unwrap_or_default();
        let printed = include_str!("../../tests/fixtures/real-cluster/nodes.kubectl.txt");
        let r = items.items.first().map(node_row);
        let r = r.expect("no node in fixture");
        let line: Vec<&str> = printed
            .lines()
            .nth(1)
            .unwrap_or_default()
            .split_whitespace()
            .collect();
        assert_eq!(
            [r.name.as_str(), r.status.as_str(), r.roles.as_str()],
            [line[0], line[1], line[2]]
        );
        assert_eq!(r.version, line[4]);
        assert_eq!((r.health(), r.pressure_text()), (Health::Ok, "-".into()));
        let raw: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/real-cluster/nodes.json"))
                .unwrap_or_default();
        let alloc = &raw["items"][0]["status"]["allocatable"];
        assert_eq!(
            Some(r.allocatable.cpu),
            alloc["cpu"].as_str().and_then(quantity::millicores)
        );
        assert_eq!(
            Some(r.allocatable.memory),
            alloc["memory"].as_str().and_then(quantity::bytes)
        );
        assert!(r.allocatable.pods > 0);
    }

    #[test]
    fn percentages_heat_and_taints() {
        let node: Node = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "w1"},
            "spec": {"taints": [{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
                                {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}]},
            "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                       "conditions": [{"type": "Ready", "status": "True"},
                                      {"type": "MemoryPressure", "status": "True", "lastTransitionTime": "2026-11-22T10:00:00Z"}]}
        }))
        .unwrap_or_default();
        let mut r = node_row(&node);
        assert_eq!(
            r.taints,
            [
                "dedicated=gpu:NoSchedule",
                "node.kubernetes.io/unreachable:NoExecute"
            ]
        );
        let now: Timestamp = "2026-11-22T10:05:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(r.pressure_held(now), "Memory 5m");
        r.load.cpu_requests = 3000;
        r.load.memory_requests = 2 << 30;
        r.usage = Some((1000, 7 << 30));
        assert_eq!(r.cpu_request_pct(), Some(75));
        assert_eq!(r.memory_request_pct(), Some(25));
        assert_eq!(r.cpu_use_pct(), Some(25));
        assert_eq!(r.memory_use_pct(), Some(87));
        assert_eq!(r.heat_for(Thresholds::default()), Health::Warning);
        r.usage = Some((3900, 1 << 30));
        assert_eq!(r.heat_for(Thresholds::default()), Health::Error);
        r.usage = None;
        r.load.cpu_requests = 100;
        assert_eq!(r.heat_for(Thresholds::default()), Health::Ok);
    }

    #[test]
    fn pressure_cordon_roles_and_not_ready() {
        let node: Node = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "w1", "labels": {"node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": ""}},
            "spec": {"unschedulable": true},
            "status": {"conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "MemoryPressure", "status": "True"},
                {"type": "DiskPressure", "status": "False"},
                {"type": "PIDPressure", "status": "True"}
            ]}
        }))
        .unwrap_or_default();
        let r = node_row(&node);
        assert_eq!(r.status, "Ready,SchedulingDisabled");
        assert_eq!(r.roles, "control-plane,worker");
        assert_eq!(r.pressure_text(), "Memory,PID");
        assert_eq!(r.health(), Health::Warning);
        let down: Node = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "w2"},
            "status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}
        }))
        .unwrap_or_default();
        let r = node_row(&down);
        assert_eq!((r.status.as_str(), r.health()), ("NotReady", Health::Error));
        let bare: Node = serde_json::from_value(serde_json::json!({"metadata": {"name": "w3"}}))
            .unwrap_or_default();
        assert_eq!(node_row(&bare).status, "Unknown");
    }
}
