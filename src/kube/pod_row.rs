//! The pods table row, derived from a Pod exactly as `kubectl get pods -o wide` derives it
//! (a port of kubectl's `printPod`). Time-dependent text (AGE, "(5m ago)") is formatted at draw
//! time from the timestamps kept here, so only visible rows pay for it.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerState, Pod};

use super::age;
use super::lean_pod::{LeanContainer, LeanContainerStatus, LeanPod, LeanStatus};

/// How a row should look: drives the theme role, never a raw colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Health {
    Ok,
    Pending,
    Warning,
    Error,
    Done,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    /// The cluster the row came from (stamped by its informer; empty outside one).
    pub cluster: crate::kube::ids::ClusterId,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    pub ready: String,
    pub status: String,
    pub restarts: u32,
    pub last_restart: Option<Timestamp>,
    pub created: Option<Timestamp>,
    pub node: String,
    pub ip: String,
    pub health: Health,
    pub phase: String,
    pub labels: super::labels::Labels,
    /// The newest `lastState.terminated.reason` of any container (e.g. `OOMKilled`).
    pub last_terminated_reason: Option<String>,
    /// That termination's exit code.
    pub last_exit_code: Option<i32>,
    /// Container names in spec order (init containers first, marked by `init_containers`).
    pub containers: Vec<String>,
    pub init_containers: usize,
    /// The controlling owner: kind and name (ReplicaSet, StatefulSet, Job...).
    pub owner: Option<(String, String)>,
    /// The PersistentVolumeClaims its volumes use (a claim's pods, from the claim).
    pub claims: Box<[String]>,
    /// Effective requests and limits, and the QoS class.
    pub resources: super::pod_resources::PodResources,
    pub qos: super::pod_resources::Qos,
    /// Live usage from metrics.k8s.io (millicores, bytes), when known.
    pub usage: Option<(i64, i64)>,
    /// The kubelet evicted the pod: why and when (kubectl's STATUS may read
    /// `ContainerStatusUnknown` then).
    pub evicted: Option<Box<Evicted>>,
}

/// An eviction: `status.reason` Evicted, its message, and when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evicted {
    pub message: String,
    pub at: Option<Timestamp>,
}

/// The eviction of a pod, if it was evicted: when is the DisruptionTarget condition's
/// transition, else the newest container end.
fn evicted(status: &LeanStatus) -> Option<Evicted> {
    if status.reason.as_deref() != Some("Evicted") {
        return None;
    }
    let conditions = status.conditions.as_deref().unwrap_or_default();
    let disrupted = conditions
        .iter()
        .find(|c| c.type_ == "DisruptionTarget")
        .and_then(|c| c.last_transition_time.as_ref())
        .map(|t| t.0);
    let ended = status
        .container_statuses
        .iter()
        .flatten()
        .filter_map(|s| s.state.as_ref()?.terminated.as_ref()?.finished_at.as_ref())
        .map(|t| t.0)
        .max();
    Some(Evicted {
        message: status.message.clone().unwrap_or_default(),
        at: disrupted.or(ended),
    })
}

impl PodRow {
    /// Whether the pod holds its node's resources (bound and not finished).
    pub fn occupies_node(&self) -> bool {
        !self.node.is_empty() && !self.has_ended()
    }

    /// Whether every container ran to its end for good (phase Succeeded or Failed).
    pub fn has_ended(&self) -> bool {
        self.phase == "Succeeded" || self.phase == "Failed"
    }
}

impl PodRow {
    /// RESTARTS as kubectl prints it: `5 (113s ago)` once a container has restarted.
    pub fn restarts_text(&self, now: Timestamp) -> String {
        match (self.restarts, self.last_restart) {
            (0, _) | (_, None) => self.restarts.to_string(),
            (n, Some(t)) => format!("{n} ({} ago)", age::since(Some(t), now)),
        }
    }

    pub fn age_text(&self, now: Timestamp) -> String {
        age::since(self.created, now)
    }
}

fn is_restartable_init(c: Option<&LeanContainer>) -> bool {
    c.and_then(|c| c.restart_policy.as_deref()) == Some("Always")
}

fn later(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

fn last_terminated_at(cs: &LeanContainerStatus) -> Option<Timestamp> {
    cs.last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .and_then(|t| t.finished_at.as_ref())
        .map(|t| t.0)
}

/// Derive the row for one whole pod (fetched, or a test's).
pub fn pod_row(pod: &Pod) -> PodRow {
    lean_row(&LeanPod::from(pod))
}

/// Derive the row for one pod. Mirrors kubectl's printPod, branch for branch.
pub fn lean_row(pod: &LeanPod) -> PodRow {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let empty_status = LeanStatus::default();
    let status = pod.status.as_ref().unwrap_or(&empty_status);
    let phase = status.phase.clone().unwrap_or_default();
    let mut reason = status
        .reason
        .clone()
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| phase.clone());

    let conditions = status.conditions.as_deref().unwrap_or_default();
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_string();
    }

    let init_specs: &[LeanContainer] = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or_default();
    let mut total = spec.map(|s| s.containers.len()).unwrap_or(0);
    total += init_specs
        .iter()
        .filter(|c| is_restartable_init(Some(c)))
        .count();
    let find_init = |name: &str| init_specs.iter().find(|c| c.name == name);

    let mut ready = 0usize;
    let mut restarts: u32 = 0;
    let mut sidecar_restarts: u32 = 0;
    let mut last_restart: Option<Timestamp> = None;
    let mut last_sidecar_restart: Option<Timestamp> = None;
    let mut initializing = false;

    let init_statuses = status
        .init_container_statuses
        .as_deref()
        .unwrap_or_default();
    let no_state = ContainerState::default();
    for (i, c) in init_statuses.iter().enumerate() {
        let count = u32::try_from(c.restart_count).unwrap_or(0);
        restarts += count;
        last_restart = later(last_restart, last_terminated_at(c));
        let restartable = is_restartable_init(find_init(&c.name));
        if restartable {
            sidecar_restarts += count;
            last_sidecar_restart = later(last_sidecar_restart, last_terminated_at(c));
        }
        let state = c.state.as_ref().unwrap_or(&no_state);
        if state.terminated.as_ref().is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable && c.started == Some(true) {
            if c.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = state.terminated.as_ref() {
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match t.signal.filter(|s| *s != 0) {
                    Some(sig) => format!("Init:Signal:{sig}"),
                    None => format!("Init:ExitCode:{}", t.exit_code),
                },
            };
        } else if let Some(r) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = conditions
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        let statuses = status.container_statuses.as_deref().unwrap_or_default();
        for c in statuses.iter().rev() {
            restarts += u32::try_from(c.restart_count).unwrap_or(0);
            last_restart = later(last_restart, last_terminated_at(c));
            let state = c.state.as_ref().unwrap_or(&no_state);
            let waiting = state
                .waiting
                .as_ref()
                .and_then(|w| w.reason.clone())
                .filter(|r| !r.is_empty());
            if let Some(r) = waiting {
                reason = r;
            } else if let Some(t) = state.terminated.as_ref() {
                reason = match t.reason.clone().filter(|r| !r.is_empty()) {
                    Some(r) => r,
                    None => match t.signal.filter(|s| *s != 0) {
                        Some(sig) => format!("Signal:{sig}"),
                        None => format!("ExitCode:{}", t.exit_code),
                    },
                };
            } else if c.ready && state.running.is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_string();
        }
    }

    let terminal = phase == "Succeeded" || phase == "Failed";
    if meta.deletion_timestamp.is_some() && status.reason.as_deref() == Some("NodeLost") {
        reason = "Unknown".to_string();
    } else if meta.deletion_timestamp.is_some() && !terminal {
        reason = "Terminating".to_string();
    }

    let ip = status
        .pod_ips
        .as_ref()
        .and_then(|ips| ips.first())
        .map(|p| p.ip.clone())
        .or_else(|| status.pod_ip.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "<none>".to_string());
    let node = spec
        .and_then(|s| s.node_name.clone())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "<none>".to_string());

    let health = classify(&reason, &phase, ready, total);
    let (last_terminated_reason, last_exit_code) = status
        .container_statuses
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let t = c.last_state.as_ref()?.terminated.as_ref()?;
            Some((
                t.finished_at.as_ref().map(|f| f.0),
                t.reason.clone()?,
                t.exit_code,
            ))
        })
        .max_by_key(|(at, _, _)| *at)
        .map_or((None, None), |(_, r, code)| (Some(r), Some(code)));
    let containers: Vec<String> = init_specs
        .iter()
        .chain(spec.map(|s| s.containers.as_slice()).unwrap_or_default())
        .map(|c| c.name.clone())
        .collect();
    let owner = meta
        .owner_references
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| (o.kind.clone(), o.name.clone()));
    let claims = spec
        .and_then(|s| s.volumes.as_deref())
        .unwrap_or_default()
        .iter()
        .filter_map(|v| Some(v.persistent_volume_claim.as_ref()?.claim_name.clone()))
        .collect();
    PodRow {
        cluster: crate::kube::ids::ClusterId::default(),
        containers,
        init_containers: init_specs.len(),
        owner,
        claims,
        phase,
        labels: meta.labels.as_ref().map(Into::into).unwrap_or_default(),
        last_terminated_reason,
        last_exit_code,
        namespace: meta.namespace.clone().unwrap_or_default(),
        name: meta.name.clone().unwrap_or_default(),
        uid: meta.uid.clone().unwrap_or_default(),
        ready: format!("{ready}/{total}"),
        status: reason,
        restarts,
        last_restart,
        created: meta.creation_timestamp.as_ref().map(|t| t.0),
        node,
        ip,
        health,
        resources: super::pod_resources::pod_resources(pod),
        qos: super::pod_resources::qos(pod),
        usage: None,
        evicted: evicted(status).map(Box::new),
    }
}

/// Map a STATUS text to how alarming it is.
pub fn classify(status: &str, phase: &str, ready: usize, total: usize) -> Health {
    match status {
        "Completed" | "Succeeded" => Health::Done,
        "Running" if ready == total => Health::Ok,
        "Running" | "NotReady" | "Terminating" => Health::Warning,
        "Pending" | "ContainerCreating" | "PodInitializing" | "SchedulingGated" => Health::Pending,
        s if s.starts_with("Init:")
            && s[5..].chars().next().is_some_and(|c| c.is_ascii_digit()) =>
        {
            Health::Pending
        }
        _ if phase == "Pending" && status == "Pending" => Health::Pending,
        _ => Health::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `kubectl get -o json` output: a `kind: List` of pods.
    #[derive(serde::Deserialize, Default)]
    struct Items {
        items: Vec<Pod>,
    }

    fn captured_now() -> Timestamp {
        let text = include_str!("../../tests/fixtures/real-cluster/captured_at.txt");
        text.trim().parse().unwrap_or(Timestamp::UNIX_EPOCH)
    }

    /// Each pod's NAME READY STATUS RESTARTS AGE IP NODE, as kubectl printed it.
    fn kubectl_rows(text: &str) -> Vec<Vec<String>> {
        text.lines()
            .skip(1)
            .map(|l| {
                // RESTARTS may contain spaces ("5 (113s ago)"): split on runs of 2+ spaces.
                l.split("  ")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .collect()
    }

    fn check(json: &str, kubectl: &str) {
        let list: Items = serde_json::from_str(json).unwrap_or_default();
        assert!(!list.items.is_empty(), "fixture has pods");
        let now = captured_now();
        let expected = kubectl_rows(kubectl);
        assert_eq!(list.items.len(), expected.len());
        for (pod, want) in list.items.iter().zip(expected) {
            let row = pod_row(pod);
            let got = [
                row.name.clone(),
                row.ready.clone(),
                row.status.clone(),
                row.restarts_text(now),
                row.age_text(now),
                row.ip.clone(),
                row.node.clone(),
            ];
            // Ages may differ by a second between the capture and kubectl's print.
            for (i, (g, w)) in got.iter().zip(want.iter()).enumerate() {
                if i == 3 || i == 4 {
                    assert!(
                        same_age(g, w),
                        "{} column {i}: got {g:?}, kubectl printed {w:?}",
                        row.name
                    );
                } else {
                    assert_eq!(g, w, "{} column {i}", row.name);
                }
            }
        }
    }

    /// Equal, or differing only by one second in the seconds field.
    fn same_age(a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        let digits = |s: &str| -> Vec<i64> {
            s.split(|c: char| !c.is_ascii_digit())
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.parse().ok())
                .collect()
        };
        let (da, db) = (digits(a), digits(b));
        let shape = |s: &str| {
            s.chars()
                .filter(|c| !c.is_ascii_digit())
                .collect::<String>()
        };
        shape(a) == shape(b)
            && da.len() == db.len()
            && da.iter().zip(&db).filter(|(x, y)| x != y).count() == 1
            && da
                .last()
                .zip(db.last())
                .is_some_and(|(x, y)| (x - y).abs() <= 1)
    }

    #[test]
    fn demo_namespace_matches_kubectl() {
        check(
            include_str!("../../tests/fixtures/real-cluster/pods-demo.json"),
            include_str!("../../tests/fixtures/real-cluster/pods-demo.kubectl.txt"),
        );
    }

    #[test]
    fn default_namespace_matches_kubectl() {
        check(
            include_str!("../../tests/fixtures/real-cluster/pods-default.json"),
            include_str!("../../tests/fixtures/real-cluster/pods-default.kubectl.txt"),
        );
    }

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn init_progress_is_shown_as_fraction() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p", "namespace": "n"},
            "spec": {"initContainers": [{"name": "a"}, {"name": "b"}], "containers": [{"name": "c"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "a", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"waiting": {"reason": "PodInitializing"}}}
            ]}
        }));
        let row = pod_row(&p);
        assert_eq!(row.status, "Init:0/2");
        assert_eq!(row.ready, "0/1");
        assert_eq!(row.health, Health::Pending);
    }

    #[test]
    fn init_failure_and_crashloop() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"initContainers": [{"name": "a"}], "containers": [{"name": "c"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "a", "ready": false, "restartCount": 3, "image": "", "imageID": "",
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}
        }));
        let row = pod_row(&p);
        assert_eq!(row.status, "Init:CrashLoopBackOff");
        assert_eq!(row.restarts, 3);
        assert_eq!(row.health, Health::Error);
    }

    #[test]
    fn oomkilled_terminating_and_exit_codes() {
        let oom = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "c", "ready": false, "restartCount": 1, "image": "", "imageID": "",
                 "state": {"terminated": {"exitCode": 137, "reason": "OOMKilled"}},
                 "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
                    "finishedAt": "2026-11-22T10:30:00Z"}}}
            ]}
        }));
        let row = pod_row(&oom);
        assert_eq!(row.status, "OOMKilled");
        let now: Timestamp = "2026-11-22T10:35:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(row.restarts_text(now), "1 (5m ago)");

        let signal = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "c", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"terminated": {"exitCode": 0, "signal": 9}}}
            ]}
        }));
        assert_eq!(pod_row(&signal).status, "Signal:9");

        let deleting = pod(serde_json::json!({
            "metadata": {"name": "p", "deletionTimestamp": "2026-11-22T10:30:00Z"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "c", "ready": true, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {}}}
            ]}
        }));
        let row = pod_row(&deleting);
        assert_eq!(row.status, "Terminating");
        assert_eq!(row.ready, "1/1");
    }

    #[test]
    fn row_cache_rederives_only_changed_pods() {
        let mk = |name: &str, rv: &str, phase: &str| {
            std::sync::Arc::new(pod(serde_json::json!({
                "metadata": {"name": name, "uid": name, "resourceVersion": rv},
                "spec": {"containers": [{"name": "c"}]},
                "status": {"phase": phase}
            })))
        };
        let mut cache = crate::kube::row_cache::RowCache::default();
        let first = cache.refresh(&[mk("a", "1", "Pending"), mk("b", "1", "Pending")], pod_row);
        let second = cache.refresh(
            &[mk("a", "1", "Pending"), mk("b", "2", "Succeeded")],
            pod_row,
        );
        assert!(
            std::sync::Arc::ptr_eq(&first[0], &second[0]),
            "unchanged pod reused"
        );
        assert_eq!(second[1].status, "Succeeded");
        let third = cache.refresh(&[mk("b", "2", "Succeeded")], pod_row);
        assert_eq!(third.len(), 1);
        assert!(std::sync::Arc::ptr_eq(&second[1], &third[0]));
    }

    #[test]
    fn pending_without_node_shows_none() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Pending"}
        }));
        let row = pod_row(&p);
        assert_eq!(
            (row.status.as_str(), row.node.as_str(), row.ip.as_str()),
            ("Pending", "<none>", "<none>")
        );
        assert_eq!(row.health, Health::Pending);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod lean_tests {
    use super::*;

    /// Every pod recorded from the real cluster, and the simulator's, as `kind: List` JSON.
    fn recorded_pods() -> Vec<(&'static str, serde_json::Value)> {
        let lists = [
            (
                "pods-demo",
                include_str!("../../tests/fixtures/real-cluster/pods-demo.json"),
            ),
            (
                "pods-default",
                include_str!("../../tests/fixtures/real-cluster/pods-default.json"),
            ),
            (
                "ops/pods-app",
                include_str!("../../tests/fixtures/real-cluster/ops/pods-app.json"),
            ),
            (
                "ops/agent-pods",
                include_str!("../../tests/fixtures/real-cluster/ops/agent-pods.json"),
            ),
            (
                "wire-list-pods-limit2",
                include_str!("../../tests/fixtures/real-cluster/wire-list-pods-limit2.json"),
            ),
        ];
        let mut pods = Vec::new();
        for (name, text) in lists {
            let list: serde_json::Value = serde_json::from_str(text).unwrap();
            for item in list["items"].as_array().unwrap() {
                pods.push((name, item.clone()));
            }
        }
        let one = include_str!("../../tests/fixtures/real-cluster/pod-with-ephemeral.json");
        pods.push(("pod-with-ephemeral", serde_json::from_str(one).unwrap()));
        let kinds = include_str!("../../tests/fixtures/real-cluster/kinds/pods.json");
        let list: serde_json::Value = serde_json::from_str(kinds).unwrap();
        for item in list["items"].as_array().unwrap() {
            pods.push(("kinds/pods", item.clone()));
        }
        pods
    }

    #[test]
    fn rows_of_lean_pods_are_the_rows_of_whole_ones() {
        let pods = recorded_pods();
        assert!(pods.len() > 20, "{} recorded pods", pods.len());
        for (from, json) in pods {
            let whole: Pod = serde_json::from_value(json.clone()).unwrap();
            let lean: LeanPod = serde_json::from_value(json).unwrap();
            assert_eq!(lean, LeanPod::from(&whole), "{from}");
            // The row of the lean decode, against the row of the whole pod made lean.
            assert_eq!(lean_row(&lean), pod_row(&whole), "{from}");
        }
    }
}

#[cfg(test)]
mod size_tests {
    /// A row is held in an `Arc` (two counters before it): kept at or under 496 bytes, the
    /// allocation is jemalloc's 512-byte class, not 640 (13 MB at 100,000 pods). Fields seldom
    /// set (an eviction) are boxed to keep it so.
    #[test]
    fn a_pod_row_in_its_arc_fits_512_bytes() {
        let size = std::mem::size_of::<super::PodRow>();
        assert!(size <= 496, "PodRow is {size} bytes");
    }
}
