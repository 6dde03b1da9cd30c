//! `describe` for every kind kubedeck shows, laid out like `kubectl describe`: the fields a person
//! reads first, containers with their state and last state, probes, resources, conditions,
//! volumes, and the object's events at the bottom. Pure: objects in, styled lines out.
//!
//! `mod.rs` holds the document builder and what every kind shares (times, metadata, events);
//! each kind's layout is in its own file.

mod generic;
mod node;
mod other;
mod pod;
mod tekton;

pub use generic::generic;
pub use node::{NodeExtras, node, sparkline};
pub use other::{event, namespace};
pub use pod::pod;
pub use tekton::{pipelinerun, taskrun};

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, Namespace, Node, Pod, Probe,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde_json::Value;

use super::detail::{DocLine, Role, span};
use crate::kube::age;
use crate::kube::event_row::EventRow;
use crate::kube::tekton_row::{pipelinerun_row, taskrun_row};

const KEY_WIDTH: usize = 16;

#[derive(Default)]
struct Doc {
    lines: Vec<DocLine>,
}

impl Doc {
    fn field_as(&mut self, indent: usize, key: &str, value: impl Into<String>, role: Role) {
        let pad = " ".repeat(indent);
        let label = format!("{key}:");
        let width = KEY_WIDTH.saturating_sub(indent).max(label.len() + 1);
        self.lines.push(vec![
            span(Role::Key, format!("{pad}{label:<width$}")),
            span(role, value.into()),
        ]);
    }

    fn field(&mut self, indent: usize, key: &str, value: impl Into<String>) {
        let value = value.into();
        let value = if value.is_empty() {
            "<none>".to_string()
        } else {
            value
        };
        self.field_as(indent, key, value, Role::Plain);
    }

    fn heading(&mut self, indent: usize, text: &str) {
        self.lines.push(vec![span(
            Role::Heading,
            format!("{}{text}", " ".repeat(indent)),
        )]);
    }

    fn text(&mut self, indent: usize, text: impl Into<String>, role: Role) {
        self.lines.push(vec![span(
            role,
            format!("{}{}", " ".repeat(indent), text.into()),
        )]);
    }

    /// A map (labels, annotations) as kubectl prints it: first entry beside the key, the rest below.
    fn map(&mut self, key: &str, map: Option<&BTreeMap<String, String>>) {
        match map.filter(|m| !m.is_empty()) {
            None => self.field(0, key, "<none>"),
            Some(m) => {
                for (i, (k, v)) in m.iter().enumerate() {
                    let text = format!("{k}={v}");
                    if i == 0 {
                        self.field(0, key, text);
                    } else {
                        self.text(KEY_WIDTH, text, Role::Plain);
                    }
                }
            }
        }
    }
}

fn time(t: Option<Timestamp>, now: Timestamp) -> String {
    match t {
        Some(t) => format!(
            "{} ({} ago)",
            t.strftime("%a, %d %b %Y %H:%M:%S +0000"),
            age::since(Some(t), now)
        ),
        None => "<unknown>".into(),
    }
}

fn quantities(q: Option<&BTreeMap<String, Quantity>>) -> Option<String> {
    q.filter(|m| !m.is_empty()).map(|m| {
        m.iter()
            .map(|(k, v)| format!("{k}: {}", v.0))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

fn events_section(doc: &mut Doc, events: &[&EventRow], now: Timestamp) {
    doc.heading(0, "Events:");
    if events.is_empty() {
        doc.text(2, "<none>", Role::Muted);
        return;
    }
    let mut sorted: Vec<&&EventRow> = events.iter().collect();
    sorted.sort_by_key(|e| e.last_seen);
    let rows: Vec<[String; 5]> = sorted
        .iter()
        .map(|e| {
            [
                e.type_.clone(),
                e.reason.clone(),
                age::since(e.last_seen, now),
                e.count.to_string(),
                e.message.clone(),
            ]
        })
        .collect();
    // Each column as wide as its widest cell (a long reason must not push the rest out of line).
    let titles = ["Type", "Reason", "Age", "Count", "Message"];
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([titles[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: [&str; 5]| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate().take(4) {
            out.push_str(&format!("{c:<w$}  ", w = widths[i]));
        }
        out.push_str(cells[4]);
        out
    };
    doc.text(2, line(titles), Role::Muted);
    for (e, r) in sorted.iter().zip(&rows) {
        let cells = [
            r[0].as_str(),
            r[1].as_str(),
            r[2].as_str(),
            r[3].as_str(),
            r[4].as_str(),
        ];
        let role = if e.warning {
            Role::Warning
        } else {
            Role::Plain
        };
        doc.text(2, line(cells), role);
    }
}

fn meta_fields(
    doc: &mut Doc,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    now: Timestamp,
) {
    doc.field(0, "Name", meta.name.clone().unwrap_or_default());
    if let Some(ns) = &meta.namespace {
        doc.field(0, "Namespace", ns.clone());
    }
    doc.field(
        0,
        "Created",
        time(meta.creation_timestamp.as_ref().map(|t| t.0), now),
    );
    doc.map("Labels", meta.labels.as_ref());
    doc.map("Annotations", meta.annotations.as_ref());
}

fn json_meta(doc: &mut Doc, obj: &Value, now: Timestamp) {
    let meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta =
        serde_json::from_value(obj["metadata"].clone()).unwrap_or_default();
    meta_fields(doc, &meta, now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::detail::Detail;

    fn text(lines: &[DocLine]) -> String {
        lines
            .iter()
            .map(Detail::line_text)
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn an_event_is_described_from_its_row() {
        let e: k8s_openapi::api::core::v1::Event = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web.17a", "namespace": "demo", "creationTimestamp": "2026-11-22T11:00:00Z",
                         "labels": {"team": "sre"}},
            "involvedObject": {"kind": "Pod", "name": "web", "namespace": "demo"},
            "reason": "BackOff", "type": "Warning", "count": 7,
            "message": "Back-off restarting\nfailed container",
            "firstTimestamp": "2026-11-22T11:00:00Z", "lastTimestamp": "2026-11-22T11:58:00Z",
            "source": {"component": "kubelet", "host": "worker-01"}
        }))
        .unwrap_or_default();
        let now: Timestamp = "2026-11-22T12:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        let out = text(&event(&crate::kube::event_row::event_row(&e), now));
        for want in [
            "Name:",
            "web.17a",
            "team=sre",
            "Reason:",
            "BackOff",
            "Object:",
            "pod/web",
            "Count:",
            "First Seen:",
            "(60m ago)",
            "(2m ago)",
            "From:",
            "kubelet, worker-01",
            "Back-off restarting failed container",
        ] {
            assert!(out.contains(want), "{want:?} missing from:\n{out}");
        }
    }

    #[test]
    fn crash_looping_pod_reads_like_kubectl_describe() {
        #[derive(serde::Deserialize, Default)]
        struct Items {
            items: Vec<Pod>,
        }
        let items: Items = serde_json::from_str(include_str!(
            "../../../tests/fixtures/real-cluster/pods-demo.json"
        ))
        .unwrap_or_default();
        let crasher = items
            .items
            .iter()
            .find(|p| p.metadata.name.as_deref() == Some("crasher"))
            .cloned()
            .unwrap_or_default();
        let ev = crate::kube::event_row::EventRow {
            namespace: "demo".into(),
            name: "e".into(),
            uid: "e".into(),
            last_seen: None,
            warning: true,
            type_: "Warning".into(),
            reason: "BackOff".into(),
            object_kind: "Pod".into(),
            object_namespace: "demo".into(),
            object_name: "crasher".into(),
            count: 7,
            message: "Back-off restarting failed container".into(),
            ..Default::default()
        };
        let now = Timestamp::UNIX_EPOCH;
        let lines = pod(&crasher, &[&ev], now);
        let t = text(&lines);
        for needle in [
            "Name:           crasher",
            "Namespace:      demo",
            "Containers:",
            "State:",
            "Last State:",
            "Exit Code:",
            "Restart Count:",
            "Conditions:",
            "Volumes:",
            "Events:",
            "BackOff",
        ] {
            assert!(t.contains(needle), "missing {needle:?} in\n{t}");
        }
        // Events come last.
        assert!(t.rfind("BackOff") > t.find("Volumes:"));
        // The waiting reason is flagged as an error.
        let reason = lines
            .iter()
            .find(|l| Detail::line_text(l).contains("CrashLoopBackOff"));
        assert_eq!(
            reason.and_then(|l| l.last()).map(|s| s.role),
            Some(Role::Error)
        );
    }

    #[test]
    fn node_and_runs_describe() {
        #[derive(serde::Deserialize, Default)]
        struct Items<T> {
            items: Vec<T>,
        }
        let nodes: Items<Node> = serde_json::from_str(include_str!(
            "../../../tests/fixtures/real-cluster/nodes.json"
        ))
        .unwrap_or_default();
        let n = nodes.items.first().cloned().unwrap_or_default();
        let node_name = n.metadata.name.clone().unwrap_or_default();
        let pod_json = |name: &str, mem: &str, limit: bool| {
            let mut res = serde_json::json!({"requests": {"cpu": "100m", "memory": mem}});
            if limit {
                res["limits"] = serde_json::json!({"cpu": "100m", "memory": mem});
            }
            serde_json::from_value::<k8s_openapi::api::core::v1::Pod>(serde_json::json!({
                "metadata": {"name": name, "namespace": "demo", "uid": name},
                "spec": {"nodeName": node_name, "containers": [{"name": "c", "resources": res}]},
                "status": {"phase": "Running"}
            }))
            .unwrap_or_default()
        };
        let pods: Vec<std::sync::Arc<crate::kube::pod_row::PodRow>> = [
            pod_json("small", "64Mi", true),
            pod_json("hog", "2Gi", false),
        ]
        .iter()
        .map(|p| std::sync::Arc::new(crate::kube::pod_row::pod_row(p)))
        .collect();
        let history: std::collections::VecDeque<(i64, i64)> =
            [(100, 1 << 30), (2000, 2 << 30)].into_iter().collect();
        let extras = NodeExtras {
            pods: &pods,
            load: crate::kube::node_load::NodeLoads::recount(&pods).get(&node_name),
            usage: Some((500, 1 << 30)),
            history: Some(&history),
            now: Timestamp::UNIX_EPOCH,
        };
        let t = text(&node(&n, &extras, &[], Timestamp::UNIX_EPOCH));
        for needle in [
            "Conditions:",
            "MemoryPressure",
            "Allocatable:",
            "Kubelet:",
            "Pods:           2",
            "Allocated resources:",
            "memory     2.1Gi (8%)",
            "+1 unlimited",
            "Usage history (2 samples",
            "the biggest memory user first",
            "Evicted and OOM-killed pods:",
        ] {
            assert!(t.contains(needle), "missing {needle:?} in\n{t}");
        }
        // The hog is listed before the small pod, flagged.
        let hog = t.find("demo/hog").unwrap_or(usize::MAX);
        let small = t.find("demo/small").unwrap_or(0);
        assert!(hog < small, "{t}");
        assert!(t.contains("(no limits)"), "{t}");
        let runs: Items<Value> = serde_json::from_str(include_str!(
            "../../../tests/fixtures/real-cluster/tekton-ci.json"
        ))
        .unwrap_or_default();
        let failed = runs
            .items
            .iter()
            .find(|o| o["metadata"]["name"] == "build-and-test-run-2")
            .cloned()
            .unwrap_or_default();
        let mut failed = failed;
        failed["status"]["childReferences"] = serde_json::json!([
            {"name": "build-and-test-run-2-build", "pipelineTaskName": "build"},
            {"name": "build-and-test-run-2-test", "pipelineTaskName": "test"}]);
        let first = "build-and-test-run-2-build".to_string();
        // The first TaskRun's pod failed; the others' pods are gone.
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{first}-pod"), "namespace": "ci",
                         "labels": {"tekton.dev/taskRun": first, "tekton.dev/pipelineRun": "build-and-test-run-2"}},
            "spec": {"containers": [{"name": "step-build"}]},
            "status": {"phase": "Failed", "containerStatuses": [{"name": "step-build", "ready": false,
                "restartCount": 0, "image": "", "imageID": "",
                "state": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}
        }))
        .unwrap_or_default();
        let row = crate::kube::pod_row::pod_row(&pod);
        let t = text(&pipelinerun(&failed, &[&row], &[], Timestamp::UNIX_EPOCH));
        assert!(
            t.contains("Pipeline:       build-and-test") && t.contains("Status:         Failed"),
            "{t}"
        );
        let line = t.lines().find(|l| l.contains(&first)).unwrap_or_default();
        assert!(line.ends_with(&format!("  {}", row.status)), "{line}");
        assert!(t.contains("no pod"), "{t}");
    }
}
