//! Builders for the JSON objects the simulator stores, shaped like the real apiserver's
//! (see tests/fixtures/real-cluster). Seeding and the scenario engine both use them.

use jiff::Timestamp;
use serde_json::{Value, json};

/// Annotation naming a pod's scripted behaviour in the scenario.
pub const ROLE: &str = "sim.kubedeck.dev/role";
/// Annotation naming the kind of log lines a pod's containers print.
pub const LOG_STYLE: &str = "sim.kubedeck.dev/logs";

pub fn ts(t: Timestamp) -> Value {
    Value::String(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A deterministic UID from a seed-derived number.
/// The UID of the controller `kind`/`name` in `ns`: the same wherever it is named (the object
/// itself, and the `ownerReferences` of what it owns), as an apiserver's owner references carry
/// the owner's real UID.
pub fn owner_uid(ns: &str, kind: &str, name: &str) -> String {
    let n = ns
        .bytes()
        .chain([b'/'])
        .chain(kind.bytes())
        .chain([b'/'])
        .chain(name.bytes())
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    uid(n)
}

/// Bits from a name (FNV-1a), to tell apart objects made from one number: a run's tasks.
pub fn name_bits(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub fn uid(n: u64) -> String {
    let h = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (n >> 7);
    let l = h.rotate_left(29).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    format!(
        "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
        (h >> 32) as u32,
        (h >> 16) as u16,
        (h & 0xfff) as u16,
        (l >> 52) as u16,
        l & 0xffff_ffff_ffff
    )
}

pub fn namespace(name: &str, created: Timestamp, n: u64) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "uid": uid(n), "creationTimestamp": ts(created),
                     "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"}
    })
}

pub struct NodeShape<'a> {
    pub name: &'a str,
    pub ip: String,
    pub control_plane: bool,
    pub cpu_cores: u32,
    pub memory_gi: u32,
    pub created: Timestamp,
    pub n: u64,
}

pub fn node(s: &NodeShape<'_>) -> Value {
    let mut labels = json!({
        "kubernetes.io/hostname": s.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": "amd64",
    });
    if s.control_plane {
        labels["node-role.kubernetes.io/control-plane"] = json!("");
    }
    let alloc_mem = u64::from(s.memory_gi) * 1024 * 1024 - 512 * 1024;
    json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": s.name, "uid": uid(s.n), "creationTimestamp": ts(s.created), "labels": labels},
        "spec": {"podCIDR": format!("10.244.{}.0/24", s.n % 250)},
        "status": {
            "addresses": [{"type": "InternalIP", "address": s.ip}, {"type": "Hostname", "address": s.name}],
            "capacity": {"cpu": s.cpu_cores.to_string(), "memory": format!("{}Ki", u64::from(s.memory_gi) * 1024 * 1024), "pods": "110", "ephemeral-storage": "102626232Ki"},
            "allocatable": {"cpu": format!("{}m", s.cpu_cores * 1000 - 100), "memory": format!("{alloc_mem}Ki"), "pods": "110", "ephemeral-storage": "94580335255"},
            "conditions": node_conditions(s.created, false),
            "nodeInfo": {"kubeletVersion": "v1.36.2", "kubeProxyVersion": "", "osImage": "Debian GNU/Linux 12 (bookworm)",
                          "kernelVersion": "6.12.48-generic", "containerRuntimeVersion": "containerd://1.6.20",
                          "operatingSystem": "linux", "architecture": "amd64", "machineID": "", "systemUUID": "", "bootID": ""}
        }
    })
}

pub fn node_conditions(since: Timestamp, memory_pressure: bool) -> Value {
    let cond = |t: &str, status: &str, reason: &str, msg: &str| {
        json!({"type": t, "status": status, "reason": reason, "message": msg,
               "lastHeartbeatTime": ts(since), "lastTransitionTime": ts(since)})
    };
    let (mp_status, mp_reason, mp_msg) = if memory_pressure {
        (
            "True",
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
        )
    } else {
        (
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        )
    };
    json!([
        cond("MemoryPressure", mp_status, mp_reason, mp_msg),
        cond(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure"
        ),
        cond(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available"
        ),
        cond(
            "Ready",
            "True",
            "KubeletReady",
            "kubelet is posting ready status"
        ),
    ])
}

/// What a simulated pod is and does.
#[derive(Debug, Clone)]
pub struct PodShape {
    pub name: String,
    pub namespace: String,
    pub app: String,
    pub owner: Option<(String, String)>,
    pub node: Option<String>,
    pub ip: String,
    pub containers: Vec<String>,
    pub init_containers: Vec<String>,
    pub image: String,
    pub created: Timestamp,
    pub role: String,
    pub log_style: String,
    pub n: u64,
    pub memory_request_mi: u32,
    pub cpu_request_m: u32,
}

/// A container's observed state, in the words of the pod status API.
#[derive(Debug, Clone)]
pub enum CState {
    Waiting(&'static str, String),
    Running(Timestamp),
    Terminated {
        reason: &'static str,
        exit_code: i32,
        started: Timestamp,
        finished: Timestamp,
    },
}

impl CState {
    fn to_json(&self) -> Value {
        match self {
            CState::Waiting(reason, msg) if msg.is_empty() => {
                json!({"waiting": {"reason": reason}})
            }
            CState::Waiting(reason, msg) => json!({"waiting": {"reason": reason, "message": msg}}),
            CState::Running(at) => json!({"running": {"startedAt": ts(*at)}}),
            CState::Terminated {
                reason,
                exit_code,
                started,
                finished,
            } => json!({"terminated": {
                "exitCode": exit_code, "reason": reason, "startedAt": ts(*started), "finishedAt": ts(*finished),
                "containerID": "containerd://0000000000000000000000000000000000000000000000000000000000000000"}}),
        }
    }
}

/// Status of one container: its state, its last termination, restarts.
#[derive(Debug, Clone)]
pub struct CStatus {
    pub state: CState,
    pub last: Option<CState>,
    pub restarts: u32,
}

impl CStatus {
    pub fn running(at: Timestamp) -> Self {
        Self {
            state: CState::Running(at),
            last: None,
            restarts: 0,
        }
    }
}

fn container_status(p: &PodShape, name: &str, i: usize, st: &CStatus) -> Value {
    let ready = matches!(st.state, CState::Running(_));
    let mut v = json!({
        "name": name, "image": p.image, "imageID": format!("{}@sha256:{:064x}", p.image, p.n),
        "ready": ready, "restartCount": st.restarts, "started": ready,
        "state": st.state.to_json(), "lastState": st.last.as_ref().map_or(json!({}), CState::to_json),
    });
    if !matches!(st.state, CState::Waiting(..)) {
        v["containerID"] = json!(format!("containerd://{:016x}{:048x}", p.n, i));
    }
    v
}

/// Build the full pod object for a shape in a given phase, with one status per container.
pub fn pod(
    p: &PodShape,
    phase: &str,
    statuses: &[CStatus],
    init_done: bool,
    deleting: Option<Timestamp>,
) -> Value {
    let mut meta = json!({
        "name": p.name, "namespace": p.namespace, "uid": uid(p.n), "creationTimestamp": ts(p.created),
        "labels": {"app": p.app},
        "annotations": {ROLE: p.role, LOG_STYLE: p.log_style},
    });
    if let Some((kind, owner)) = &p.owner {
        meta["ownerReferences"] = json!([{"apiVersion": if kind == "Job" { "batch/v1" } else { "apps/v1" },
            "kind": kind, "name": owner, "uid": owner_uid(&p.namespace, kind, owner), "controller": true, "blockOwnerDeletion": true}]);
        if kind == "ReplicaSet" {
            meta["labels"]["pod-template-hash"] =
                json!(owner.rsplit('-').next().unwrap_or_default());
        }
    }
    if let Some(t) = deleting {
        meta["deletionTimestamp"] = ts(t);
        meta["deletionGracePeriodSeconds"] = json!(30);
    }
    let requests = json!({"cpu": format!("{}m", p.cpu_request_m), "memory": format!("{}Mi", p.memory_request_mi)});
    let resources = match p.role.as_str() {
        // The scenario's memory hog has no limit; the best-effort pod asks for nothing.
        "hog" => json!({"requests": requests}),
        "besteffort" => json!({}),
        _ => {
            json!({"requests": requests, "limits": {"memory": format!("{}Mi", p.memory_request_mi * 2)}})
        }
    };
    let runs_to_completion = p.role == "job" || p.role == "task";
    let mut containers: Vec<Value> = p.containers.iter().map(|c| json!({"name": c, "image": p.image, "resources": resources, "imagePullPolicy": "IfNotPresent"})).collect();
    // Services target the named port `http` (as in the real cluster's fixture): the serving
    // container declares it, so kubectl port-forward svc/… resolves it.
    if let Some(first) = containers.first_mut().filter(|_| !runs_to_completion) {
        first["ports"] = json!([{"name": "http", "containerPort": 8080, "protocol": "TCP"}]);
    }
    let mut spec = json!({
        "containers": containers, "restartPolicy": if runs_to_completion { "Never" } else { "Always" },
        "serviceAccountName": "default", "schedulerName": "default-scheduler", "terminationGracePeriodSeconds": 30,
    });
    if !p.init_containers.is_empty() {
        spec["initContainers"] = json!(
            p.init_containers
                .iter()
                .map(|c| json!({"name": c, "image": "busybox:1.36"}))
                .collect::<Vec<_>>()
        );
    }
    if let Some(n) = &p.node {
        spec["nodeName"] = json!(n);
    }

    let scheduled = p.node.is_some();
    let all_running = statuses
        .iter()
        .all(|s| matches!(s.state, CState::Running(_)));
    let cond = |t: &str, ok: bool| json!({"type": t, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": ts(p.created)});
    let mut status = json!({"phase": phase, "qosClass": "Burstable"});
    if !scheduled {
        status["conditions"] = json!([{"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "lastProbeTime": null,
            "lastTransitionTime": ts(p.created),
            "message": format!("0/5 nodes are available: 5 Insufficient memory. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.")}]);
        return json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status});
    }
    let ready = all_running && phase == "Running";
    status["conditions"] = json!([
        cond("PodReadyToStartContainers", true),
        cond("Initialized", init_done),
        cond("Ready", ready),
        cond("ContainersReady", ready),
        cond("PodScheduled", true)
    ]);
    status["hostIP"] = json!(format!("172.18.{}.{}", p.n % 3, 2 + p.n % 200));
    if phase != "Pending" || init_done {
        status["podIP"] = json!(p.ip);
        status["podIPs"] = json!([{"ip": p.ip}]);
    }
    status["startTime"] = ts(p.created);
    if !p.init_containers.is_empty() {
        let n_init = p.init_containers.len();
        let inits: Vec<Value> = p
            .init_containers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let st = if init_done || i == 0 && n_init > 1 {
                    CStatus {
                        state: CState::Terminated {
                            reason: "Completed",
                            exit_code: 0,
                            started: p.created,
                            finished: p.created,
                        },
                        last: None,
                        restarts: 0,
                    }
                } else if i == 0 || i == 1 {
                    CStatus::running(p.created)
                } else {
                    CStatus {
                        state: CState::Waiting("PodInitializing", String::new()),
                        last: None,
                        restarts: 0,
                    }
                };
                let mut v = container_status(p, c, i, &st);
                v["image"] = json!("busybox:1.36");
                v
            })
            .collect();
        status["initContainerStatuses"] = json!(inits);
    }
    let cs: Vec<Value> = p
        .containers
        .iter()
        .zip(statuses)
        .enumerate()
        .map(|(i, (c, st))| container_status(p, c, i, st))
        .collect();
    status["containerStatuses"] = json!(cs);
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})
}

/// A core/v1 Event about an object.
pub struct EventShape<'a> {
    pub namespace: &'a str,
    pub object_kind: &'a str,
    pub object_name: &'a str,
    pub object_uid: &'a str,
    pub type_: &'a str,
    pub reason: &'a str,
    pub message: String,
    pub component: &'a str,
    pub host: Option<&'a str>,
    pub first: Timestamp,
    pub last: Timestamp,
    pub count: u32,
    pub n: u64,
}

pub fn event_name(object: &str, n: u64) -> String {
    format!(
        "{object}.{:016x}",
        n.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 4
    )
}

pub fn event(e: &EventShape<'_>) -> Value {
    let api_version = match e.object_kind {
        "PipelineRun" | "TaskRun" => "tekton.dev/v1",
        "ReplicaSet" | "Deployment" => "apps/v1",
        "Job" => "batch/v1",
        _ => "v1",
    };
    let mut source = json!({"component": e.component});
    if let Some(h) = e.host {
        source["host"] = json!(h);
    }
    json!({
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": event_name(e.object_name, e.n), "namespace": e.namespace, "uid": uid(e.n ^ 0xe7e7), "creationTimestamp": ts(e.first)},
        "involvedObject": {"apiVersion": api_version, "kind": e.object_kind, "name": e.object_name,
                           "namespace": if e.object_kind == "Node" { "" } else { e.namespace }, "uid": e.object_uid},
        "reason": e.reason, "message": e.message, "type": e.type_, "count": e.count,
        "firstTimestamp": ts(e.first), "lastTimestamp": ts(e.last), "eventTime": null,
        "source": source, "reportingComponent": e.component, "reportingInstance": e.host.unwrap_or_default(),
    })
}

/// events.k8s.io/v1 view of a core/v1 Event (the apiserver converts between the two).
pub fn event_v1(core: &Value) -> Value {
    let mut meta = core["metadata"].clone();
    if let Some(m) = meta.as_object_mut() {
        m.remove("managedFields");
    }
    let mut v = json!({
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": meta,
        "regarding": core["involvedObject"], "reason": core["reason"], "note": core["message"], "type": core["type"],
        "reportingController": core["reportingComponent"], "reportingInstance": core["reportingInstance"],
        "deprecatedSource": core["source"], "deprecatedFirstTimestamp": core["firstTimestamp"],
        "deprecatedLastTimestamp": core["lastTimestamp"], "deprecatedCount": core["count"], "eventTime": core["eventTime"],
    });
    if v["eventTime"].is_null() {
        v["eventTime"] = json!(null);
    }
    v
}

/// tekton.dev/v1beta1 view of a stored v1 PipelineRun or TaskRun (Tekton's conversion webhook
/// does this on a real cluster): the apiVersion, and the service account's v1beta1 place.
pub fn tekton_v1beta1(v1: &Value) -> Value {
    let mut obj = v1.clone();
    obj["apiVersion"] = json!("tekton.dev/v1beta1");
    let sa = obj["spec"]["taskRunTemplate"]["serviceAccountName"].clone();
    if !sa.is_null() {
        obj["spec"]["serviceAccountName"] = sa;
        if let Some(spec) = obj["spec"].as_object_mut() {
            spec.remove("taskRunTemplate");
        }
    }
    obj
}

/// A Tekton PipelineRun's step through time.
#[derive(Debug, Clone)]
pub struct RunShape {
    pub name: String,
    pub namespace: String,
    pub pipeline: String,
    pub tasks: Vec<String>,
    pub created: Timestamp,
    pub n: u64,
}

/// Outcome so far of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    NotStarted,
    Running(Timestamp),
    Succeeded(Timestamp, Timestamp),
    Failed(Timestamp, Timestamp),
    /// Stopped by a cancel of its PipelineRun while it ran.
    Cancelled(Timestamp, Timestamp),
}

pub fn taskrun_name(run: &RunShape, task: &str) -> String {
    format!("{}-{task}", run.name)
}

fn succeeded_condition(status: &str, reason: &str, message: &str, at: Timestamp) -> Value {
    json!([{"type": "Succeeded", "status": status, "reason": reason, "message": message, "lastTransitionTime": ts(at)}])
}

/// The PipelineRun object given each task's state; `reason` overrides the derived outcome
/// (e.g. `PipelineRunTimeout`, `Cancelled`).
pub fn pipelinerun(
    run: &RunShape,
    tasks: &[TaskState],
    reason_override: Option<(&str, &str)>,
    now: Timestamp,
) -> Value {
    let done = tasks
        .iter()
        .filter(|t| matches!(t, TaskState::Succeeded(..)))
        .count();
    let failed = tasks
        .iter()
        .filter(|t| matches!(t, TaskState::Failed(..)))
        .count();
    let started = tasks.iter().find_map(|t| match t {
        TaskState::Running(s)
        | TaskState::Succeeded(s, _)
        | TaskState::Failed(s, _)
        | TaskState::Cancelled(s, _) => Some(*s),
        TaskState::NotStarted => None,
    });
    let finished_at = tasks
        .iter()
        .filter_map(|t| match t {
            TaskState::Succeeded(_, f) | TaskState::Failed(_, f) | TaskState::Cancelled(_, f) => {
                Some(*f)
            }
            _ => None,
        })
        .max();
    let skipped = if failed > 0 {
        tasks
            .iter()
            .filter(|t| matches!(t, TaskState::NotStarted))
            .count()
    } else {
        0
    };
    let complete = failed > 0 || done == tasks.len();
    let mut status = json!({"pipelineSpec": {"tasks": run.tasks.iter().map(|t| json!({"name": t, "taskRef": {"name": t}})).collect::<Vec<_>>()}});
    if let Some(s) = started {
        status["startTime"] = ts(s);
    }
    let (cstatus, reason, message) = match reason_override {
        Some((reason, message)) => ("False", reason.to_string(), message.to_string()),
        None if complete && failed > 0 => (
            "False",
            "Failed".into(),
            format!(
                "Tasks Completed: {} (Failed: {failed}, Cancelled 0), Skipped: {skipped}",
                done + failed
            ),
        ),
        None if complete => (
            "True",
            "Succeeded".into(),
            format!("Tasks Completed: {done} (Failed: 0, Cancelled 0), Skipped: 0"),
        ),
        None if started.is_some() => (
            "Unknown",
            "Running".into(),
            format!(
                "Tasks Completed: {done} (Failed: 0, Cancelled 0), Incomplete: {}, Skipped: 0",
                tasks.len() - done
            ),
        ),
        None => ("Unknown", "Started".into(), String::new()),
    };
    let at = finished_at
        .filter(|_| complete || reason_override.is_some())
        .unwrap_or(now);
    status["conditions"] = succeeded_condition(cstatus, &reason, &message, at);
    if complete || reason_override.is_some() {
        status["completionTime"] = ts(at);
    }
    let children: Vec<Value> = run.tasks.iter().zip(tasks).filter(|(_, s)| **s != TaskState::NotStarted)
        .map(|(t, _)| json!({"apiVersion": "tekton.dev/v1", "kind": "TaskRun", "name": taskrun_name(run, t), "pipelineTaskName": t}))
        .collect();
    status["childReferences"] = json!(children);
    let mut spec = json!({"pipelineRef": {"name": run.pipeline}, "timeouts": {"pipeline": "1h0m0s"}, "taskRunTemplate": {"serviceAccountName": "default"}});
    if matches!(reason_override, Some(("Cancelled", _))) {
        spec["status"] = json!("Cancelled");
    }
    json!({
        "apiVersion": "tekton.dev/v1", "kind": "PipelineRun",
        "metadata": {"name": run.name, "namespace": run.namespace, "uid": uid(run.n), "creationTimestamp": ts(run.created), "generation": 1,
                     "labels": {"tekton.dev/pipeline": run.pipeline}},
        "spec": spec,
        "status": status,
    })
}

pub fn taskrun(run: &RunShape, task: &str, state: TaskState, now: Timestamp) -> Value {
    let name = taskrun_name(run, task);
    let (cstatus, reason, message, start, end) = match state {
        TaskState::NotStarted => ("Unknown", "Pending", "Pending".to_string(), None, None),
        TaskState::Running(s) => (
            "Unknown",
            "Running",
            "Not all Steps in the Task have finished executing".to_string(),
            Some(s),
            None,
        ),
        TaskState::Succeeded(s, f) => (
            "True",
            "Succeeded",
            "All Steps have completed executing".to_string(),
            Some(s),
            Some(f),
        ),
        TaskState::Failed(s, f) => (
            "False",
            "Failed",
            format!("\"step-{task}\" exited with code 1"),
            Some(s),
            Some(f),
        ),
        TaskState::Cancelled(s, f) => (
            "False",
            "TaskRunCancelled",
            format!("TaskRun \"{name}\" was cancelled. PipelineRun cancelled"),
            Some(s),
            Some(f),
        ),
    };
    let mut status = json!({"podName": format!("{name}-pod"), "conditions": succeeded_condition(cstatus, reason, &message, end.unwrap_or(now)),
                            "steps": [{"name": task, "container": format!("step-{task}")}]});
    if let Some(s) = start {
        status["startTime"] = ts(s);
    }
    if let Some(e) = end {
        status["completionTime"] = ts(e);
    }
    json!({
        "apiVersion": "tekton.dev/v1", "kind": "TaskRun",
        "metadata": {"name": name, "namespace": run.namespace, "uid": uid(run.n ^ name_bits(task).rotate_left(20)), "creationTimestamp": ts(start.unwrap_or(run.created)),
                     "labels": {"tekton.dev/pipeline": run.pipeline, "tekton.dev/pipelineRun": run.name, "tekton.dev/pipelineTask": task},
                     "ownerReferences": [{"apiVersion": "tekton.dev/v1", "kind": "PipelineRun", "name": run.name, "uid": uid(run.n), "controller": true}]},
        "spec": {"taskRef": {"name": task, "kind": "Task"}, "serviceAccountName": "default", "timeout": "1h0m0s"},
        "status": status,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape() -> PodShape {
        PodShape {
            name: "web-abc".into(),
            namespace: "demo".into(),
            app: "web".into(),
            owner: Some(("ReplicaSet".into(), "web-6bbf4d5ff4".into())),
            node: Some("node-1".into()),
            ip: "10.244.1.5".into(),
            containers: vec!["app".into()],
            init_containers: vec![],
            image: "nginx:1.27".into(),
            created: Timestamp::UNIX_EPOCH,
            role: "steady".into(),
            log_style: "web".into(),
            n: 7,
            memory_request_mi: 64,
            cpu_request_m: 50,
        }
    }

    /// READY, STATUS and RESTARTS as the simulator's own printer shows them.
    fn row(v: Value) -> Row {
        let cells = crate::pod_printer::cells(&v, Timestamp::UNIX_EPOCH);
        let cell = |i: usize| cells[i].as_str().unwrap_or_default().to_string();
        Row {
            ready: cell(1),
            status: cell(2),
            restarts: cell(3)
                .split(' ')
                .next()
                .unwrap_or_default()
                .parse()
                .unwrap_or(0),
        }
    }

    struct Row {
        ready: String,
        status: String,
        restarts: u32,
    }

    #[test]
    fn built_pods_read_like_kubectl() {
        let s = shape();
        let t = Timestamp::UNIX_EPOCH;
        assert_eq!(
            row(pod(&s, "Running", &[CStatus::running(t)], true, None)).status,
            "Running"
        );
        let crash = CStatus {
            state: CState::Waiting("CrashLoopBackOff", "back-off".into()),
            last: Some(CState::Terminated {
                reason: "Error",
                exit_code: 1,
                started: t,
                finished: t,
            }),
            restarts: 4,
        };
        let r = row(pod(&s, "Running", &[crash], true, None));
        assert_eq!(
            (r.status.as_str(), r.restarts, r.ready.as_str()),
            ("CrashLoopBackOff", 4, "0/1")
        );
        let mut pending = s.clone();
        pending.node = None;
        assert_eq!(
            row(pod(&pending, "Pending", &[], false, None)).status,
            "Pending"
        );
        let mut init = s.clone();
        init.init_containers = vec!["migrate".into(), "warm".into()];
        let waiting = CStatus {
            state: CState::Waiting("PodInitializing", String::new()),
            last: None,
            restarts: 0,
        };
        assert_eq!(
            row(pod(&init, "Pending", &[waiting], false, None)).status,
            "Init:1/2"
        );
    }

    #[test]
    fn uids_are_stable_and_distinct() {
        assert_eq!(uid(1), uid(1));
        assert_ne!(uid(1), uid(2));
        assert_eq!(uid(3).len(), 36);
    }
}
