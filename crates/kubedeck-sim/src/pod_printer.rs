//! The apiserver's pod printer (`printPod` in Kubernetes 1.36's
//! `pkg/printers/internalversion/printers.go`) on the JSON the simulator stores: the cells of
//! a pod's Table row, which kubectl prints as they come. Written from the Go source, branch for
//! branch, and checked against a real cluster's Tables (`tests/printers.rs`); it shares nothing
//! with kubedeck's own pod rows, which it exists to check.

use jiff::Timestamp;
use serde_json::{Value, json};

use crate::age;

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn list(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn time(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|t| t.parse().ok())
}

/// `isRestartableInitContainer`: a sidecar (an init container with restartPolicy Always).
fn restartable(init_spec: Option<&Value>) -> bool {
    init_spec.is_some_and(|c| c["restartPolicy"] == "Always")
}

/// `lastRestartDate.Before(&terminatedDate)` kept as the newest of the two.
fn newer(current: Option<Timestamp>, status: &Value) -> Option<Timestamp> {
    let finished = time(&status["lastState"]["terminated"]["finishedAt"]);
    match (current, finished) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn condition_true(status: &Value, kind: &str) -> bool {
    list(&status["conditions"])
        .iter()
        .any(|c| c["type"] == kind && c["status"] == "True")
}

/// A terminated state's reason, or `Signal:N` / `ExitCode:N` when it gives none.
fn terminated_reason(t: &Value, prefix: &str) -> String {
    match text(&t["reason"]) {
        "" => match t["signal"].as_i64().unwrap_or(0) {
            0 => format!("{prefix}ExitCode:{}", t["exitCode"].as_i64().unwrap_or(0)),
            signal => format!("{prefix}Signal:{signal}"),
        },
        reason => format!("{prefix}{reason}"),
    }
}

/// READY, STATUS and RESTARTS with the time of the newest restart.
struct Counted {
    ready: usize,
    total: usize,
    reason: String,
    restarts: i64,
    last_restart: Option<Timestamp>,
}

fn count(pod: &Value) -> Counted {
    let spec = &pod["spec"];
    let status = &pod["status"];
    let phase = text(&status["phase"]);
    let mut reason = match text(&status["reason"]) {
        "" => phase.to_string(),
        r => r.to_string(),
    };
    if list(&status["conditions"])
        .iter()
        .any(|c| c["type"] == "PodScheduled" && c["reason"] == "SchedulingGated")
    {
        reason = "SchedulingGated".to_string();
    }
    let init_specs = list(&spec["initContainers"]);
    let init_spec = |name: &Value| init_specs.iter().find(|c| c["name"] == *name);
    let total = list(&spec["containers"]).len()
        + init_specs.iter().filter(|c| restartable(Some(c))).count();

    let mut ready = 0;
    let mut restarts = 0;
    let mut last_restart = None;
    let mut sidecar_restarts = 0;
    let mut last_sidecar_restart = None;
    let mut initializing = false;
    for (i, c) in list(&status["initContainerStatuses"]).iter().enumerate() {
        let n = c["restartCount"].as_i64().unwrap_or(0);
        restarts += n;
        last_restart = newer(last_restart, c);
        let sidecar = restartable(init_spec(&c["name"]));
        if sidecar {
            sidecar_restarts += n;
            last_sidecar_restart = newer(last_sidecar_restart, c);
        }
        let state = &c["state"];
        let terminated = &state["terminated"];
        let waiting = text(&state["waiting"]["reason"]);
        if terminated.is_object() && terminated["exitCode"].as_i64().unwrap_or(0) == 0 {
            continue;
        } else if sidecar && c["started"] == true {
            if c["ready"] == true {
                ready += 1;
            }
            continue;
        } else if terminated.is_object() {
            reason = terminated_reason(terminated, "Init:");
        } else if !waiting.is_empty() && waiting != "PodInitializing" {
            reason = format!("Init:{waiting}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    if !initializing || condition_true(status, "Initialized") {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for c in list(&status["containerStatuses"]).iter().rev() {
            restarts += c["restartCount"].as_i64().unwrap_or(0);
            last_restart = newer(last_restart, c);
            let state = &c["state"];
            let waiting = text(&state["waiting"]["reason"]);
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if state["terminated"].is_object() {
                reason = terminated_reason(&state["terminated"], "");
            } else if c["ready"] == true && state["running"].is_object() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = if condition_true(status, "Ready") {
                "Running"
            } else {
                "NotReady"
            }
            .to_string();
        }
    }

    let deleting = !pod["metadata"]["deletionTimestamp"].is_null();
    if deleting && status["reason"] == "NodeLost" {
        reason = "Unknown".to_string();
    } else if deleting && phase != "Succeeded" && phase != "Failed" {
        reason = "Terminating".to_string();
    }
    Counted {
        ready,
        total,
        reason,
        restarts,
        last_restart,
    }
}

/// `<none>` for an empty cell, as the printer writes it.
fn or_none(v: &str) -> String {
    if v.is_empty() {
        "<none>".to_string()
    } else {
        v.to_string()
    }
}

/// READINESS GATES: how many of the pod's gates have a True condition, or `<none>`.
fn readiness_gates(pod: &Value) -> String {
    let gates = list(&pod["spec"]["readinessGates"]);
    if gates.is_empty() {
        return "<none>".to_string();
    }
    let conditions = list(&pod["status"]["conditions"]);
    let met = gates
        .iter()
        .filter(|g| {
            conditions
                .iter()
                .find(|c| c["type"] == g["conditionType"])
                .is_some_and(|c| c["status"] == "True")
        })
        .count();
    format!("{met}/{}", gates.len())
}

/// The cells of a pod's row: NAME, READY, STATUS, RESTARTS, AGE, IP, NODE, NOMINATED NODE,
/// READINESS GATES (the server always sends the wide ones; kubectl hides them without -o wide).
pub fn cells(pod: &Value, now: Timestamp) -> Vec<Value> {
    let c = count(pod);
    let restarts = match c.last_restart {
        Some(at) if c.restarts != 0 => {
            format!("{} ({} ago)", c.restarts, age::since(Some(at), now))
        }
        _ => c.restarts.to_string(),
    };
    let status = &pod["status"];
    // The internal type's podIPs, which conversion fills from podIP when absent.
    let ip = list(&status["podIPs"])
        .first()
        .map(|p| text(&p["ip"]))
        .unwrap_or_else(|| text(&status["podIP"]));
    vec![
        json!(text(&pod["metadata"]["name"])),
        json!(format!("{}/{}", c.ready, c.total)),
        json!(c.reason),
        json!(restarts),
        json!(age::since(time(&pod["metadata"]["creationTimestamp"]), now)),
        json!(or_none(ip)),
        json!(or_none(text(&pod["spec"]["nodeName"]))),
        json!(or_none(text(&status["nominatedNodeName"]))),
        json!(readiness_gates(pod)),
    ]
}

/// STATUS alone (the simulator's own tests read its pods through it).
pub fn status(pod: &Value) -> String {
    count(pod).reason
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: &str) -> Timestamp {
        t.parse().unwrap_or_else(|_| unreachable!("a fixed time"))
    }

    fn pod(status: Value) -> Value {
        json!({"metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"},
               "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "n1"},
               "status": status})
    }

    #[test]
    fn the_last_container_in_trouble_names_the_status() {
        let p = pod(json!({"phase": "Running", "containerStatuses": [
            {"name": "a", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:09:00Z"}}},
            {"name": "b", "ready": true, "restartCount": 0, "state": {"running": {}}}]}));
        let cells = cells(&p, at("2026-01-01T00:10:00Z"));
        assert_eq!(cells[1], "1/2");
        assert_eq!(cells[2], "CrashLoopBackOff");
        assert_eq!(cells[3], "3 (60s ago)");
        assert_eq!(cells[4], "10m");
        assert_eq!(cells[5], "<none>");
        assert_eq!(cells[6], "n1");
    }

    #[test]
    fn init_containers_and_sidecars() {
        let mut p = pod(json!({"phase": "Pending", "initContainerStatuses": [
            {"name": "side", "ready": true, "started": true, "restartCount": 1, "state": {"running": {}}},
            {"name": "migrate", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 2, "signal": 0}}}]}));
        p["spec"]["initContainers"] =
            json!([{"name": "side", "restartPolicy": "Always"}, {"name": "migrate"}]);
        let cells = cells(&p, at("2026-01-01T00:10:00Z"));
        assert_eq!(cells[1], "1/3");
        assert_eq!(cells[2], "Init:ExitCode:2");
        assert_eq!(cells[3], "1");
    }

    #[test]
    fn deletion_and_node_loss() {
        let mut p = pod(json!({"phase": "Running"}));
        p["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:05:00Z");
        assert_eq!(status(&p), "Terminating");
        p["status"]["reason"] = json!("NodeLost");
        assert_eq!(status(&p), "Unknown");
        p["status"] = json!({"phase": "Succeeded", "reason": ""});
        assert_eq!(status(&p), "Succeeded");
    }

    #[test]
    fn readiness_gates_count_true_conditions() {
        let mut p = pod(
            json!({"phase": "Running", "conditions": [{"type": "x", "status": "True"}, {"type": "y", "status": "False"}]}),
        );
        p["spec"]["readinessGates"] = json!([{"conditionType": "x"}, {"conditionType": "y"}]);
        assert_eq!(cells(&p, at("2026-01-01T00:10:00Z"))[8], "1/2");
    }
}
