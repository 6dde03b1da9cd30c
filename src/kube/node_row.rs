//! The nodes table row: kubectl's STATUS, ROLES, AGE and VERSION, plus the pressure conditions
//! that are true and the number of pods scheduled on the node.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Node;

use super::pod_row::Health;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
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
    /// Pods bound to this node (filled from the pod store).
    pub pods: usize,
}

impl NodeRow {
    pub fn health(&self) -> Health {
        if !self.ready {
            Health::Error
        } else if !self.pressure.is_empty() {
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
    let pressure = PRESSURES
        .iter()
        .filter(|(t, _)| {
            conditions
                .iter()
                .any(|c| c.type_ == *t && c.status == "True")
        })
        .map(|(_, short)| *short)
        .collect();
    NodeRow {
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
        pods: 0,
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
        let r = r.unwrap_or_else(|| panic!("no node in fixture"));
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
