//! Test fixtures: rows built the way the derivations build them (for the fields a test cares
//! about), and an `App` holding a small, varied cluster ("prod": a crash-looping pod, a
//! warning event, a node under memory pressure, a failed and a running PipelineRun), shared by
//! the `update`, projection and view tests instead of hand-built literals in each.

use std::sync::Arc;

use jiff::Timestamp;

use super::contexts::ContextRow;
use super::state::App;
use crate::kube::event_row::EventRow;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{InformerState, ResourceKind};
use crate::kube::namespace_row::NamespaceRow;
use crate::kube::node_row::NodeRow;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::{Health, PodRow};
use crate::kube::tekton_row::{pipelinerun_row, taskrun_row};

/// The fixture's cluster.
pub fn cluster() -> ClusterId {
    ClusterId::new("prod")
}

/// `kind/namespace/name` in the fixture's cluster.
pub fn obj(kind: ResourceKind, namespace: &str, name: &str) -> ObjectRef {
    ObjectRef::new(&cluster(), kind, namespace, name)
}

pub fn now() -> Timestamp {
    "2026-11-22T12:00:00Z"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

pub fn ts(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

pub fn pod(ns: &str, name: &str, status: &str, health: Health, restarts: u32) -> Arc<PodRow> {
    Arc::new(PodRow {
        cluster: cluster(),
        namespace: ns.into(),
        name: name.into(),
        uid: name.into(),
        ready: if health == Health::Ok {
            "1/1".into()
        } else {
            "0/1".into()
        },
        status: status.into(),
        restarts,
        last_restart: (restarts > 0).then(|| ts("2026-11-22T11:58:00Z")).flatten(),
        created: ts("2026-11-20T12:00:00Z"),
        node: "worker-01".into(),
        ip: "10.244.1.7".into(),
        health,
        phase: if status == "Pending" {
            "Pending"
        } else {
            "Running"
        }
        .into(),
        labels: [("app".to_string(), name.to_string())]
            .into_iter()
            .collect(),
        last_terminated_reason: (restarts > 0).then(|| "Error".to_string()),
        last_exit_code: (restarts > 0).then_some(1),
        containers: vec!["app".into()],
        init_containers: 0,
        owner: None,
        claims: Box::default(),
        resources: Default::default(),
        qos: crate::kube::pod_resources::Qos::BestEffort,
        usage: None,
        evicted: None,
    })
}

pub fn event(
    name: &str,
    warning: bool,
    reason: &str,
    object: &str,
    count: i32,
    message: &str,
) -> Arc<EventRow> {
    Arc::new(EventRow {
        cluster: cluster(),
        namespace: "demo".into(),
        name: name.into(),
        uid: name.into(),
        last_seen: ts("2026-11-22T11:59:00Z"),
        warning,
        type_: if warning { "Warning" } else { "Normal" }.into(),
        reason: reason.into(),
        object_kind: "Pod".into(),
        object_namespace: "demo".into(),
        object_name: object.into(),
        count,
        message: message.into(),
        ..Default::default()
    })
}

pub fn node(name: &str, ready: bool, pressure: Vec<&'static str>, pods: usize) -> Arc<NodeRow> {
    Arc::new(NodeRow {
        cluster: cluster(),
        name: name.into(),
        uid: name.into(),
        status: if ready { "Ready" } else { "NotReady" }.into(),
        ready,
        cordoned: false,
        roles: "worker".into(),
        created: ts("2026-11-01T12:00:00Z"),
        version: "v1.36.2".into(),
        pressure,
        pods,
        pressure_since: Vec::new(),
        ready_since: None,
        allocatable: Default::default(),
        load: Default::default(),
        usage: None,
        taints: Vec::new(),
        heat: Health::Ok,
        resource_version: "1".into(),
    })
}

pub fn run(
    name: &str,
    status: &str,
    reason: &str,
    message: &str,
    done: bool,
) -> Arc<crate::kube::tekton_row::PipelineRunRow> {
    let mut obj = serde_json::json!({
        "metadata": {"name": name, "namespace": "ci", "uid": name, "creationTimestamp": "2026-11-22T11:50:00Z"},
        "spec": {"pipelineRef": {"name": "build-and-test"}},
        "status": {"startTime": "2026-11-22T11:50:00Z",
                   "conditions": [{"type": "Succeeded", "status": status, "reason": reason, "message": message}]}
    });
    if done {
        obj["status"]["completionTime"] = serde_json::json!("2026-11-22T11:55:00Z");
    }
    Arc::new(crate::kube::tekton_row::PipelineRunRow {
        cluster: cluster(),
        ..pipelinerun_row(&obj)
    })
}

/// A log pane on pod demo/web-1's container `app`, empty, with `options`.
pub fn log_pane(options: crate::kube::log_request::LogOptions) -> crate::app::logs::pane::LogPane {
    use crate::kube::log_request::{LogRequest, LogTarget};
    let request = LogRequest {
        cluster: cluster(),
        target: LogTarget::Pod {
            namespace: "demo".into(),
            name: "web-1".into(),
            container: Some("app".into()),
        },
        options,
    };
    crate::app::logs::pane::LogPane::new(
        crate::kube::logs::StreamKey(1),
        request,
        crate::app::logs::buffer::LogBuffer::default(),
    )
}

pub fn app() -> App {
    let mut a = App::new(cluster(), "https://10.0.0.1:6443".into(), Scope::All, false);
    a.now = now();
    let t = &mut a.tables;
    t.pods.set_rows(vec![
        pod("demo", "crasher", "CrashLoopBackOff", Health::Error, 5),
        pod("demo", "web-1", "Running", Health::Ok, 0),
    ]);
    t.events.set_rows(vec![
        event(
            "e1",
            true,
            "BackOff",
            "crasher",
            12,
            "Back-off restarting failed container app in pod crasher_demo",
        ),
        event(
            "e2",
            false,
            "Pulled",
            "web-1",
            1,
            "Container image \"nginx:1.27\" already present on machine",
        ),
    ]);
    t.nodes.set_rows(vec![
        node("worker-01", true, vec!["Memory"], 2),
        node("worker-02", false, vec![], 0),
    ]);
    t.runs.set_rows(vec![
        run(
            "build-1",
            "Unknown",
            "Running",
            "Tasks Completed: 1 (Failed: 0, Cancelled 0), Incomplete: 2, Skipped: 0",
            false,
        ),
        run(
            "build-2",
            "False",
            "PipelineRunTimeout",
            "PipelineRun \"build-2\" failed to finish within \"1h0m0s\"",
            true,
        ),
    ]);
    t.taskruns.set_rows(vec![Arc::new(crate::kube::tekton_row::TaskRunRow {
        cluster: cluster(),
        ..taskrun_row(&serde_json::json!({
        "metadata": {"name": "build-1-fetch", "namespace": "ci", "uid": "tr1", "labels": {"tekton.dev/pipelineTask": "fetch"}},
        "status": {"podName": "build-1-fetch-pod", "startTime": "2026-11-22T11:50:00Z", "completionTime": "2026-11-22T11:51:30Z",
                   "conditions": [{"type": "Succeeded", "status": "True", "reason": "Succeeded"}]}
        }))
    })]);
    t.namespaces.set_rows(
        ["ci", "default", "demo"]
            .iter()
            .map(|n| {
                Arc::new(NamespaceRow {
                    name: (*n).into(),
                    uid: (*n).into(),
                    status: "Active".into(),
                    created: ts("2026-11-01T12:00:00Z"),
                    every: false,
                })
            })
            .chain([Arc::new(NamespaceRow::every())])
            .collect(),
    );
    t.captured.set_rows(vec![
        Arc::new(crate::kube::step_store::CapturedRun {
            key: "ci/PipelineRun/build-2".into(),
            namespace: "ci".into(),
            kind: "PipelineRun",
            name: "build-2".into(),
            pods: 2,
            steps: 3,
            failed: vec!["test/unit".into()],
            captured_at: ts("2026-11-22T11:55:00Z"),
        }),
        Arc::new(crate::kube::step_store::CapturedRun {
            key: "ci/PipelineRun/build-1".into(),
            namespace: "ci".into(),
            kind: "PipelineRun",
            name: "build-1".into(),
            pods: 2,
            steps: 2,
            failed: Vec::new(),
            captured_at: ts("2026-11-22T11:40:00Z"),
        }),
    ]);
    t.contexts.set_rows(vec![
        Arc::new(ContextRow {
            name: "prod".into(),
            cluster: "prod-eu".into(),
            user: "sre".into(),
            namespace: "default".into(),
            server: "https://10.0.0.1:6443".into(),
            current: true,
        }),
        Arc::new(ContextRow {
            name: "staging".into(),
            cluster: "stg".into(),
            user: "sre".into(),
            namespace: "demo".into(),
            server: "https://10.0.0.2:6443".into(),
            current: false,
        }),
    ]);
    let rows = crate::app::triage::triage(
        t.pods.all_rows(),
        t.runs.all_rows(),
        t.nodes.all_rows(),
        t.events.all_rows(),
        now(),
        &cluster(),
    );
    t.triage.set_rows(rows);
    for k in ResourceKind::ALL {
        a.fleet
            .primary_status()
            .informers
            .insert(k, InformerState::Live);
        a.fleet.primary_status().counts.insert(k, 2);
    }
    a.fleet
        .primary_status()
        .informers
        .insert(ResourceKind::TaskRuns, InformerState::Live);
    // An administrator's rights in the fixture's namespaces, as if asked a moment ago (the
    // RBAC checks have their own tests).
    for ns in ["ci", "default", "demo"] {
        a.access.reviews.insert(
            (cluster(), ns.to_string()),
            crate::app::access::Review::Known(std::sync::Arc::new(admin_access()), a.now),
        );
    }
    a
}

/// What an administrator may do: anything.
pub fn admin_access() -> crate::kube::access::Access {
    crate::kube::access::Access {
        rules: vec![k8s_openapi::api::rbac::v1::PolicyRule {
            api_groups: Some(vec!["*".into()]),
            resources: Some(vec!["*".into()]),
            verbs: vec!["*".into()],
            ..Default::default()
        }],
        incomplete: false,
    }
}
