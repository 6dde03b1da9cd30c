//! What changed: each change kubedeck's informers see, as one [`Record`] — a pod created,
//! scheduled, started, Ready gained or lost, a container restarted (with why), evicted or
//! deleted; a node's condition changed, cordoned or uncordoned, a taint added or removed; a
//! PipelineRun started, succeeded or failed; a Warning event. Derived from the rows before and
//! after a change (on the informer's task), never from what a view shows. Secrets never enter.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::event_row::EventRow;
use super::pod_row::PodRow;
use super::tekton_row::{PipelineRunRow, RunState};

/// What kind of change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Created,
    Scheduled,
    Started,
    Ready,
    NotReady,
    Restarted,
    Evicted,
    Deleted,
    Condition,
    Cordoned,
    Uncordoned,
    Tainted,
    Untainted,
    RunStarted,
    Succeeded,
    Failed,
    Warning,
    Scaled,
    RolloutStarted,
    RolloutFinished,
    Paused,
    Resumed,
    /// kubedeck started watching (a journal marker: before it, a gap).
    Watching,
    /// kubedeck still watches (a journal marker each minute, never shown).
    Alive,
}

impl Change {
    /// As the CHANGE column says it.
    pub fn text(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Scheduled => "scheduled",
            Change::Started => "started",
            Change::Ready => "ready",
            Change::NotReady => "not ready",
            Change::Restarted => "restarted",
            Change::Evicted => "evicted",
            Change::Deleted => "deleted",
            Change::Condition => "condition",
            Change::Cordoned => "cordoned",
            Change::Uncordoned => "uncordoned",
            Change::Tainted => "taint added",
            Change::Untainted => "taint removed",
            Change::RunStarted => "started",
            Change::Succeeded => "succeeded",
            Change::Failed => "failed",
            Change::Warning => "warning",
            Change::Scaled => "scaled",
            Change::RolloutStarted => "rollout",
            Change::RolloutFinished => "rolled out",
            Change::Paused => "paused",
            Change::Resumed => "resumed",
            Change::Watching => "watching",
            Change::Alive => "alive",
        }
    }
}

/// One change of one object, as the journal keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub at: Timestamp,
    /// `pod`, `node`, `pipelinerun`, `event`, or `kubedeck` for markers.
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    pub name: String,
    pub change: Change,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// Needs attention (a lost Ready, a restart, a failure, a warning...): `w` shows these.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub attention: bool,
}

impl Record {
    /// A change of `kind/namespace/name` at `at`, needing attention when its kind of change does.
    pub fn of(kind: &str, namespace: &str, name: &str, change: Change, at: Timestamp) -> Self {
        Self::new(kind, namespace, name, change, at)
    }

    fn new(kind: &str, namespace: &str, name: &str, change: Change, at: Timestamp) -> Self {
        Self {
            at,
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            change,
            detail: String::new(),
            attention: matches!(
                change,
                Change::NotReady
                    | Change::Restarted
                    | Change::Evicted
                    | Change::Failed
                    | Change::Warning
                    | Change::Cordoned
                    | Change::Tainted
            ),
        }
    }

    pub fn with(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// `kind/namespace/name`, as OBJECT shows it.
    pub fn object(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// `1/2` → ready when every container is.
fn all_ready(ready: &str) -> bool {
    match ready.split_once('/') {
        Some((a, b)) => a == b && b != "0",
        None => false,
    }
}

/// A pod's changes between two of its rows (`None`: not there).
pub fn pod_changes(old: Option<&PodRow>, new: Option<&PodRow>, now: Timestamp) -> Vec<Record> {
    let mut out = Vec::new();
    match (old, new) {
        (None, None) => {}
        (None, Some(p)) => {
            let at = p.created.unwrap_or(now);
            let owner = p
                .owner
                .as_ref()
                .map(|(k, n)| format!("by {} {n}", k.to_ascii_lowercase()))
                .unwrap_or_default();
            out.push(Record::new("pod", &p.namespace, &p.name, Change::Created, at).with(owner));
            if !p.node.is_empty() {
                out.push(
                    Record::new("pod", &p.namespace, &p.name, Change::Scheduled, now)
                        .with(format!("on {}", p.node)),
                );
            }
        }
        (Some(p), None) => {
            out.push(
                Record::new("pod", &p.namespace, &p.name, Change::Deleted, now).with(format!(
                    "was {} on {}",
                    p.status,
                    or_dash(&p.node)
                )),
            );
        }
        (Some(a), Some(b)) => {
            let rec = |c: Change| Record::new("pod", &b.namespace, &b.name, c, now);
            if a.node.is_empty() && !b.node.is_empty() {
                out.push(rec(Change::Scheduled).with(format!("on {}", b.node)));
            }
            if a.phase != "Running" && b.phase == "Running" {
                out.push(rec(Change::Started).with(format!("on {}", or_dash(&b.node))));
            }
            if b.restarts > a.restarts {
                let why = match (&b.last_terminated_reason, b.last_exit_code) {
                    (Some(r), Some(code)) => format!("{r}, exit code {code}"),
                    (Some(r), None) => r.clone(),
                    (None, Some(code)) => format!("exit code {code}"),
                    (None, None) => String::new(),
                };
                let n = b.restarts;
                let detail = if why.is_empty() {
                    format!("{n} restarts")
                } else {
                    format!("{n} restarts ({why})")
                };
                out.push(rec(Change::Restarted).with(detail));
            }
            // A pod that ran to its end is not "not ready": it succeeded or failed.
            if !a.has_ended() && b.has_ended() {
                let change = if b.phase == "Succeeded" {
                    Change::Succeeded
                } else {
                    Change::Failed
                };
                out.push(rec(change).with(b.status.clone()));
            } else {
                match (all_ready(&a.ready), all_ready(&b.ready)) {
                    (false, true) => out.push(rec(Change::Ready).with(b.ready.clone())),
                    (true, false) => {
                        out.push(rec(Change::NotReady).with(format!("{} {}", b.ready, b.status)));
                    }
                    _ => {}
                }
            }
            if a.evicted.is_none()
                && let Some(e) = &b.evicted
            {
                out.push(rec(Change::Evicted).with(e.message.clone()));
            }
        }
    }
    out
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

/// A Warning event that is new, or seen again (its count grew): one record.
pub fn event_change(old: Option<&EventRow>, new: &EventRow, now: Timestamp) -> Option<Record> {
    if !new.warning || old.is_some_and(|o| o.count >= new.count) {
        return None;
    }
    let at = new.last_seen.unwrap_or(now);
    let kind = new.object_kind.to_ascii_lowercase();
    let detail = if new.count > 1 {
        format!("{}: {} (x{})", new.reason, new.message, new.count)
    } else {
        format!("{}: {}", new.reason, new.message)
    };
    Some(
        Record::new(
            &kind,
            &new.object_namespace,
            &new.object_name,
            Change::Warning,
            at,
        )
        .with(detail),
    )
}

/// Who deleted a pod, when an event says it: a controller's `SuccessfulDelete` (a ReplicaSet,
/// Job, StatefulSet or DaemonSet: `Deleted pod: NAME`, or `delete Pod NAME in StatefulSet S
/// successful`), the taint manager, a preemption. (A `kubectl delete` leaves no event.)
pub fn deletion_witness(e: &EventRow) -> Option<(String, String, String)> {
    let ns = e.object_namespace.clone();
    match (e.reason.as_str(), e.object_kind.as_str()) {
        ("SuccessfulDelete", owner) if owner != "Pod" => {
            let pod = e
                .message
                .strip_prefix("Deleted pod: ")
                .or_else(|| {
                    e.message
                        .strip_prefix("delete Pod ")
                        .and_then(|m| m.split_whitespace().next())
                })?
                .trim();
            let who = format!("by {} {}", owner.to_ascii_lowercase(), e.object_name);
            Some((ns, pod.to_string(), who))
        }
        ("TaintManagerEviction", "Pod") => Some((
            ns,
            e.object_name.clone(),
            "by the taint manager (a NoExecute taint)".into(),
        )),
        ("Preempted", "Pod") => Some((
            ns,
            e.object_name.clone(),
            format!("preempted: {}", e.message),
        )),
        _ => None,
    }
}

/// Who deleted which pod, as the events said (the newest few), shared by a cluster's events
/// and pods informers so a pod's deletion can say by whom.
#[derive(Debug, Clone, Default)]
pub struct Witnesses(
    std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<(String, String, String)>>>,
);

/// Deletions remembered (a burst of a ReplicaSet scaled down is many).
const WITNESSED: usize = 4096;

impl Witnesses {
    /// An event came or changed: remember who it says deleted what.
    pub fn heard(&self, e: &EventRow) {
        if let Some(w) = deletion_witness(e) {
            let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
            q.push_back(w);
            while q.len() > WITNESSED {
                q.pop_front();
            }
        }
    }

    /// Add who deleted a pod to its `deleted` record, when an event said it.
    pub fn attribute(&self, records: &mut [Record]) {
        let q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for r in records.iter_mut().filter(|r| r.change == Change::Deleted) {
            if let Some((_, _, who)) = q
                .iter()
                .rev()
                .find(|(ns, pod, _)| *ns == r.namespace && *pod == r.name)
            {
                r.detail = format!("{who}; {}", r.detail);
            }
        }
    }
}

/// A PipelineRun's changes: started, succeeded, failed (with why).
pub fn run_changes(
    old: Option<&PipelineRunRow>,
    new: Option<&PipelineRunRow>,
    now: Timestamp,
) -> Vec<Record> {
    let (Some(b), old) = (new, old) else {
        return Vec::new();
    };
    let rec = |c: Change, at: Option<Timestamp>| {
        Record::new("pipelinerun", &b.namespace, &b.name, c, at.unwrap_or(now))
    };
    let mut out = Vec::new();
    let was = old.map(|a| &a.state);
    let running = |s: &RunState| matches!(s, RunState::Running);
    if old.is_some() && !was.is_some_and(running) && running(&b.state) {
        out.push(rec(Change::RunStarted, b.started).with(b.pipeline.clone()));
    }
    if old.is_some() && was != Some(&b.state) {
        match &b.state {
            RunState::Succeeded => {
                out.push(rec(Change::Succeeded, b.completed).with(b.pipeline.clone()))
            }
            RunState::Failed(why) => {
                let detail = if b.message.is_empty() {
                    why.clone()
                } else {
                    b.message.clone()
                };
                out.push(rec(Change::Failed, b.completed).with(detail));
            }
            RunState::TimedOut => out.push(rec(Change::Failed, b.completed).with("timed out")),
            _ => {}
        }
    }
    out
}

/// What of a node the timeline follows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NodeFacts {
    pub name: String,
    /// Conditions by type: their status (`True`, `False`, `Unknown`).
    pub conditions: Vec<(String, String)>,
    pub unschedulable: bool,
    /// Taints as `key=value:Effect`.
    pub taints: Vec<String>,
}

impl NodeFacts {
    pub fn of(node: &k8s_openapi::api::core::v1::Node) -> Self {
        let spec = node.spec.clone().unwrap_or_default();
        Self {
            name: node.metadata.name.clone().unwrap_or_default(),
            conditions: node
                .status
                .as_ref()
                .and_then(|s| s.conditions.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|c| (c.type_, c.status))
                .collect(),
            unschedulable: spec.unschedulable.unwrap_or(false),
            taints: spec
                .taints
                .unwrap_or_default()
                .into_iter()
                .map(|t| match t.value {
                    Some(v) => format!("{}={v}:{}", t.key, t.effect),
                    None => format!("{}:{}", t.key, t.effect),
                })
                .collect(),
        }
    }
}

/// A node's changes: a condition's status (Ready, MemoryPressure, DiskPressure, PIDPressure),
/// cordoned or uncordoned, a taint added or removed. A node that went is deleted.
pub fn node_changes(
    old: Option<&NodeFacts>,
    new: Option<&NodeFacts>,
    now: Timestamp,
) -> Vec<Record> {
    let mut out = Vec::new();
    let (a, b) = match (old, new) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => {
            out.push(Record::new("node", "", &a.name, Change::Deleted, now));
            return out;
        }
        _ => return out,
    };
    let rec = |c: Change| Record::new("node", "", &b.name, c, now);
    for (t, status) in &b.conditions {
        let before = a
            .conditions
            .iter()
            .find(|(k, _)| k == t)
            .map(|(_, s)| s.as_str());
        if before.is_some_and(|s| s != status) {
            let bad = if t == "Ready" {
                status != "True"
            } else {
                status == "True"
            };
            let mut r =
                rec(Change::Condition).with(format!("{t}: {} → {status}", before.unwrap_or("?")));
            r.attention = bad;
            out.push(r);
        }
    }
    if !a.unschedulable && b.unschedulable {
        out.push(rec(Change::Cordoned));
    }
    if a.unschedulable && !b.unschedulable {
        out.push(rec(Change::Uncordoned));
    }
    for t in b.taints.iter().filter(|t| !a.taints.contains(t)) {
        out.push(rec(Change::Tainted).with(t.clone()));
    }
    for t in a.taints.iter().filter(|t| !b.taints.contains(t)) {
        out.push(rec(Change::Untainted).with(t.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::from_second(1_000_000).unwrap_or_default()
    }

    /// The real cluster's pods (tests/fixtures/real-cluster/kinds).
    fn real_pods() -> Vec<k8s_openapi::api::core::v1::Pod> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real-cluster/kinds/pods.json"
        );
        let list: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
                .unwrap_or_default();
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| serde_json::from_value(p.clone()).ok())
            .collect()
    }

    /// A pod's row from the real cluster's objects.
    fn real_pod(name: &str) -> PodRow {
        let pod = real_pods()
            .into_iter()
            .find(|p| p.metadata.name.as_deref() == Some(name))
            .unwrap_or_default();
        super::super::pod_row::pod_row(&pod)
    }

    fn changes(records: &[Record]) -> Vec<(Change, &str)> {
        records
            .iter()
            .map(|r| (r.change, r.detail.as_str()))
            .collect()
    }

    #[test]
    fn a_pods_life_as_changes() {
        let running = real_pod("web-78ff9c8fb4-8kxkt");
        assert_eq!(running.phase, "Running");
        // Seen for the first time after the first list: created, and where it is.
        let born = pod_changes(None, Some(&running), now());
        assert_eq!(born[0].change, Change::Created);
        assert_eq!(born[0].detail, "by replicaset web-78ff9c8fb4");
        assert_eq!(born[1].change, Change::Scheduled);
        // Pending, unscheduled → scheduled and running.
        let pending = PodRow {
            node: String::new(),
            phase: "Pending".into(),
            ready: "0/1".into(),
            ..running.clone()
        };
        let got = pod_changes(Some(&pending), Some(&running), now());
        let kinds: Vec<Change> = got.iter().map(|r| r.change).collect();
        assert_eq!(kinds, [Change::Scheduled, Change::Started, Change::Ready]);
        // OOM-killed and restarted: not ready, with why.
        let killed = PodRow {
            restarts: running.restarts + 1,
            last_terminated_reason: Some("OOMKilled".into()),
            last_exit_code: Some(137),
            ready: "0/1".into(),
            status: "CrashLoopBackOff".into(),
            ..running.clone()
        };
        let got = pod_changes(Some(&running), Some(&killed), now());
        let n = killed.restarts;
        assert_eq!(
            changes(&got),
            [
                (
                    Change::Restarted,
                    format!("{n} restarts (OOMKilled, exit code 137)").as_str()
                ),
                (Change::NotReady, "0/1 CrashLoopBackOff"),
            ]
        );
        assert!(got.iter().all(|r| r.attention));
        // Ran to its end: succeeded, not "not ready".
        let done = PodRow {
            phase: "Succeeded".into(),
            ready: "0/1".into(),
            status: "Completed".into(),
            ..running.clone()
        };
        assert_eq!(
            changes(&pod_changes(Some(&running), Some(&done), now())),
            [(Change::Succeeded, "Completed")]
        );
        // Deleted.
        let gone = pod_changes(Some(&running), None, now());
        assert_eq!(gone[0].change, Change::Deleted);
        assert_eq!(gone[0].object(), "pod/kinds/web-78ff9c8fb4-8kxkt");
        // The same row again: nothing.
        assert!(pod_changes(Some(&running), Some(&running), now()).is_empty());
    }

    #[test]
    fn a_nodes_conditions_cordon_and_taints() {
        let before = NodeFacts {
            name: "worker-01".into(),
            conditions: vec![
                ("Ready".into(), "True".into()),
                ("MemoryPressure".into(), "False".into()),
            ],
            unschedulable: false,
            taints: vec![],
        };
        let after = NodeFacts {
            conditions: vec![
                ("Ready".into(), "False".into()),
                ("MemoryPressure".into(), "True".into()),
            ],
            unschedulable: true,
            taints: vec!["node.kubernetes.io/unschedulable:NoSchedule".into()],
            ..before.clone()
        };
        let got = node_changes(Some(&before), Some(&after), now());
        assert_eq!(
            changes(&got),
            [
                (Change::Condition, "Ready: True → False"),
                (Change::Condition, "MemoryPressure: False → True"),
                (Change::Cordoned, ""),
                (
                    Change::Tainted,
                    "node.kubernetes.io/unschedulable:NoSchedule"
                ),
            ]
        );
        assert!(got.iter().all(|r| r.attention));
        let back = node_changes(Some(&after), Some(&before), now());
        assert_eq!(
            back.iter().map(|r| r.change).collect::<Vec<_>>(),
            [
                Change::Condition,
                Change::Condition,
                Change::Uncordoned,
                Change::Untainted
            ]
        );
        // Recovering is not alarming.
        assert!(!back[0].attention && !back[1].attention);
    }

    #[test]
    fn runs_and_warnings() {
        let running = PipelineRunRow {
            cluster: Default::default(),
            namespace: "ci".into(),
            name: "build-1".into(),
            uid: "u".into(),
            resource_version: "1".into(),
            pipeline: "build".into(),
            state: RunState::Running,
            created: None,
            started: Some(now()),
            completed: None,
            progress: None,
            message: String::new(),
        };
        let pending = PipelineRunRow {
            state: RunState::Pending,
            ..running.clone()
        };
        let failed = PipelineRunRow {
            state: RunState::Failed("Failed".into()),
            message: "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0".into(),
            ..running.clone()
        };
        assert_eq!(
            run_changes(Some(&pending), Some(&running), now())[0].change,
            Change::RunStarted
        );
        let f = run_changes(Some(&running), Some(&failed), now());
        assert_eq!(
            changes(&f),
            [(
                Change::Failed,
                "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0"
            )]
        );
        let warning = EventRow {
            cluster: Default::default(),
            namespace: "demo".into(),
            name: "e".into(),
            uid: "u".into(),
            last_seen: Some(now()),
            warning: true,
            type_: "Warning".into(),
            reason: "BackOff".into(),
            object_kind: "Pod".into(),
            object_namespace: "demo".into(),
            object_name: "web-1".into(),
            count: 1,
            message: "Back-off restarting failed container".into(),
            first_seen: None,
            created: None,
            source: String::new(),
            labels: Default::default(),
            annotations: Default::default(),
        };
        let r = event_change(None, &warning, now()).expect("a warning");
        assert_eq!(r.object(), "pod/demo/web-1");
        assert_eq!(r.detail, "BackOff: Back-off restarting failed container");
        // Seen again: the count grew; the same count is no change; Normal events are not.
        let again = EventRow {
            count: 2,
            ..warning.clone()
        };
        assert!(
            event_change(Some(&warning), &again, now()).is_some_and(|r| r.detail.ends_with("(x2)"))
        );
        assert!(event_change(Some(&again), &again, now()).is_none());
        let normal = EventRow {
            warning: false,
            ..warning.clone()
        };
        assert!(event_change(None, &normal, now()).is_none());
        // A ReplicaSet's SuccessfulDelete says who deleted the pod; a kubectl delete says nothing.
        let witnesses = Witnesses::default();
        witnesses.heard(&EventRow {
            warning: false,
            type_: "Normal".into(),
            reason: "SuccessfulDelete".into(),
            object_kind: "ReplicaSet".into(),
            object_name: "web-7d4b9c".into(),
            message: "Deleted pod: web-7d4b9c-x2x1".into(),
            ..warning.clone()
        });
        witnesses.heard(&EventRow {
            reason: "SuccessfulDelete".into(),
            object_kind: "StatefulSet".into(),
            object_name: "db".into(),
            message: "delete Pod db-2 in StatefulSet db successful".into(),
            ..warning.clone()
        });
        let deleted = |name: &str| {
            let mut r = vec![
                Record::of("pod", "demo", name, Change::Deleted, now()).with("was Running on n1"),
            ];
            witnesses.attribute(&mut r);
            r[0].detail.clone()
        };
        assert_eq!(
            deleted("web-7d4b9c-x2x1"),
            "by replicaset web-7d4b9c; was Running on n1"
        );
        assert_eq!(deleted("db-2"), "by statefulset db; was Running on n1");
        assert_eq!(deleted("web-1"), "was Running on n1");
    }

    /// Through an informer's row writer: the first list tells nothing, watch events are told
    /// in the order they come (their resourceVersion order), a relist that changed nothing
    /// tells nothing, and one that misses a pod tells its deletion.
    #[test]
    fn changes_come_in_watch_order_and_a_quiet_relist_tells_nothing() {
        use kube::runtime::watcher::Event;
        let pods: Vec<k8s_openapi::api::core::v1::Pod> = real_pods().into_iter().take(2).collect();
        assert_eq!(pods.len(), 2);
        let told = std::sync::Arc::new(std::sync::Mutex::new(Vec::<(Change, String)>::new()));
        let sink = told.clone();
        let mut w =
            super::super::row_store::RowWriter::<k8s_openapi::api::core::v1::Pod, PodRow>::new(
                super::super::pod_row::pod_row,
            )
            .observe(move |old, new| {
                let mut t = sink.lock().unwrap_or_else(|e| e.into_inner());
                for r in pod_changes(old, new, now()) {
                    t.push((r.change, r.name));
                }
            });
        let take = || std::mem::take(&mut *told.lock().unwrap_or_else(|e| e.into_inner()));
        let list = |w: &mut super::super::row_store::RowWriter<_, PodRow>,
                    pods: &[k8s_openapi::api::core::v1::Pod]| {
            w.apply(&Event::Init);
            for p in pods {
                w.apply(&Event::InitApply(p.clone()));
            }
            w.apply(&Event::InitDone);
        };
        list(&mut w, &pods);
        assert!(take().is_empty(), "the first list is not a change");
        // Not ready, then ready again (resourceVersion 2, then 3): told in that order.
        let name = pods[0].metadata.name.clone().unwrap_or_default();
        let mut unready = pods[0].clone();
        unready.metadata.resource_version = Some("2".into());
        for c in unready
            .status
            .as_mut()
            .and_then(|s| s.container_statuses.as_mut())
            .into_iter()
            .flatten()
        {
            c.ready = false;
        }
        let mut ready = pods[0].clone();
        ready.metadata.resource_version = Some("3".into());
        w.apply(&Event::Apply(unready));
        w.apply(&Event::Apply(ready));
        assert_eq!(
            take(),
            [
                (Change::NotReady, name.clone()),
                (Change::Ready, name.clone())
            ]
        );
        // A relist that changed nothing: nothing.
        list(&mut w, &pods);
        assert!(take().is_empty(), "a quiet relist");
        // A relist without the second pod: it was deleted while nothing watched.
        list(&mut w, &pods[..1]);
        let gone = pods[1].metadata.name.clone().unwrap_or_default();
        assert_eq!(take(), [(Change::Deleted, gone)]);
    }
}
