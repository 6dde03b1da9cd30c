//! The kubelet's part for pods created through the API and bound to a node (`spec.nodeName`
//! set, as `kubectl debug node` and kubedeck's node-shell pod do): the node's kubelet starts
//! them, so they become Running with a status per container. A pod bound to a node that does
//! not exist stays Pending, as no kubelet takes it. Pods the scenario made are its own.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::model;
use super::resources::Kind;
use super::store::Store;

/// Whether a just-created pod is the kubelet's to start: bound to a node the store has, and
/// with no status yet.
pub fn takes(store: &Store, pod: &Value) -> bool {
    let Some(node) = pod["spec"]["nodeName"].as_str() else {
        return false;
    };
    pod["status"]["phase"].is_null()
        && pod["metadata"]["deletionTimestamp"].is_null()
        && store
            .get(Kind::Node, &(String::new(), node.to_string()))
            .is_some()
}

/// `pod` as its node's kubelet reports it once its containers run.
pub fn started(pod: &Value, node_ip: &str, now: Timestamp, n: u64) -> Value {
    let mut pod = pod.clone();
    let at = model::ts(now);
    let statuses: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| {
            let image = c["image"].as_str().unwrap_or_default();
            json!({
                "name": c["name"], "image": image,
                "imageID": format!("{image}@sha256:{n:064x}"),
                "containerID": format!("containerd://{n:016x}{i:048x}"),
                "ready": true, "started": true, "restartCount": 0,
                "state": {"running": {"startedAt": at}}, "lastState": {},
            })
        })
        .collect();
    let host_network = pod["spec"]["hostNetwork"] == json!(true);
    let pod_ip = if host_network {
        node_ip.to_string()
    } else {
        format!("10.244.{}.{}", (n / 250) % 250, 2 + n % 250)
    };
    let condition = |t: &str| json!({"type": t, "status": "True", "lastTransitionTime": at});
    pod["status"] = json!({
        "phase": "Running",
        "conditions": [condition("PodReadyToStartContainers"), condition("Initialized"),
            condition("Ready"), condition("ContainersReady"), condition("PodScheduled")],
        "hostIP": node_ip, "hostIPs": [{"ip": node_ip}],
        "podIP": pod_ip, "podIPs": [{"ip": pod_ip}],
        "startTime": at, "qosClass": "BestEffort",
        "containerStatuses": statuses,
    });
    pod
}

/// The node's InternalIP.
pub fn node_ip(store: &Store, node: &str) -> String {
    store
        .get(Kind::Node, &(String::new(), node.to_string()))
        .and_then(|n| {
            n["status"]["addresses"]
                .as_array()?
                .iter()
                .find(|a| a["type"] == "InternalIP")?["address"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_else(|| "10.0.0.1".into())
}

/// A kubelet under a storm: while `/_sim/churn?per_sec=N` says so, N running pods a second
/// have their readiness flipped (the Ready condition and their containers' `ready`), as
/// failing and passing probes do. For the benchmarks: the changes a recorder records.
pub async fn churn(sim: std::sync::Arc<super::Shared>) {
    let mut rate = sim.faults.churn();
    loop {
        let per_sec = *rate.borrow_and_update();
        let pods: Vec<super::store::Key> = if per_sec == 0 {
            Vec::new()
        } else {
            sim.store
                .snapshot(Kind::Pod)
                .items
                .iter()
                .filter(|p| p["status"]["phase"] == "Running")
                .map(|p| super::store::key_of(p))
                .collect()
        };
        if pods.is_empty() {
            if rate.changed().await.is_err() {
                return;
            }
            continue;
        }
        let mut every =
            tokio::time::interval(std::time::Duration::from_secs_f64(1.0 / per_sec as f64));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = every.tick() => {}
                changed = rate.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    break;
                }
            }
            let key = &pods[fastrand::usize(..pods.len())];
            sim.store.update(Kind::Pod, key, flip_ready);
        }
    }
}

/// Ready ↔ not ready: the Ready and ContainersReady conditions and each container's `ready`.
fn flip_ready(p: &mut Value) -> bool {
    let ready = !p["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True");
    let status = if ready { "True" } else { "False" };
    for c in p["status"]["conditions"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        if c["type"] == "Ready" || c["type"] == "ContainersReady" {
            c["status"] = json!(status);
        }
    }
    for c in p["status"]["containerStatuses"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        c["ready"] = json!(ready);
    }
    true
}
