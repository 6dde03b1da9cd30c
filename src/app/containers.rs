//! The containers view: one pod's containers (init, regular and ephemeral), each with its
//! image, readiness, state and why, restarts, how it last ended, its probes and ports. Rows are
//! read from the pod as last fetched (the describe pane's fetch, followed live).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerState, ContainerStatus, Pod, Probe,
};

use super::table::{Col, TableRow, columns};
use crate::kube::age;
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::Health;

/// Which list of the pod's spec a container is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    /// An init container that keeps running (`restartPolicy: Always`).
    Sidecar,
    Regular,
    Ephemeral,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerRow {
    pub pod: ObjectRef,
    pub name: String,
    pub kind: ContainerKind,
    pub image: String,
    pub ready: bool,
    /// Running, Waiting, Terminated (or unknown before the kubelet reports).
    pub state: String,
    /// The state's reason (CrashLoopBackOff, Completed, OOMKilled…), if any.
    pub reason: String,
    pub restarts: i32,
    /// How its previous instance ended: reason, exit code, when.
    pub last: Option<(String, i32, Option<Timestamp>)>,
    /// Liveness, readiness and startup probes, shortly.
    pub probes: String,
    /// Its ports (`8080/TCP`, named ones with their name).
    pub ports: String,
    pub started: Option<Timestamp>,
}

columns! {
    /// The columns of the containers view.
    pub enum ContainerCol {
        Name = Col::new("NAME", 40).shrink(3, 8),
        Kind = Col::new("KIND", 9).hide_below(100),
        Image = Col::new("IMAGE", 70).shrink(2, 10),
        Ready = Col::new("READY", 5),
        State = Col::new("STATE", 10),
        Reason = Col::new("REASON", 24).shrink(1, 6),
        Restarts = Col::new("RESTARTS", 8),
        Last = Col::new("LAST TERMINATION", 32).shrink(1, 8).hide_below(110),
        Probes = Col::new("PROBES", 40).shrink(1, 6).hide_below(130),
        Ports = Col::new("PORTS", 30).shrink(1, 6).hide_below(90),
        Age = Col::new("AGE", 8),
    }
}

impl TableRow for ContainerRow {
    type Column = ContainerCol;

    fn key(&self) -> &str {
        &self.name
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.pod.cluster)
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        super::table::timeless_fields(self)
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            ContainerCol::Restarts => self.restarts.cmp(&o.restarts),
            ContainerCol::Age => o.started.cmp(&self.started),
            _ => super::table::cmp_text(self, o, col),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            ContainerCol::Name => self.name.clone(),
            ContainerCol::Kind => match self.kind {
                ContainerKind::Init => "init",
                ContainerKind::Sidecar => "sidecar",
                ContainerKind::Regular => "",
                ContainerKind::Ephemeral => "ephemeral",
            }
            .into(),
            ContainerCol::Image => self.image.clone(),
            ContainerCol::Ready => if self.ready { "true" } else { "false" }.into(),
            ContainerCol::State => self.state.clone(),
            ContainerCol::Reason => self.reason.clone(),
            ContainerCol::Restarts => self.restarts.to_string(),
            ContainerCol::Last => match &self.last {
                Some((reason, code, at)) => match at {
                    Some(_) => format!("{reason} ({code}) {} ago", age::since(*at, now)),
                    None => format!("{reason} ({code})"),
                },
                None => String::new(),
            },
            ContainerCol::Probes => self.probes.clone(),
            ContainerCol::Ports => self.ports.clone(),
            ContainerCol::Age => self
                .started
                .map(|t| age::since(Some(t), now))
                .unwrap_or_default(),
        }
    }

    fn health(&self) -> Health {
        match (self.state.as_str(), self.reason.as_str()) {
            (_, "CrashLoopBackOff" | "ImagePullBackOff" | "ErrImagePull" | "OOMKilled") => {
                Health::Error
            }
            ("Terminated", "Completed") => Health::Done,
            ("Terminated", _) => Health::Error,
            ("Running", _) if self.ready || self.kind != ContainerKind::Regular => Health::Ok,
            ("Running", _) => Health::Warning,
            _ => Health::Pending,
        }
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(self.pod.clone())
    }
}

/// A probe in a few words: `http-get :8080/healthz`, `tcp :5432`, `exec cat /ready`, `grpc
/// :9000`.
fn probe(kind: &str, p: Option<&Probe>) -> Option<String> {
    let p = p?;
    let port = |v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match v {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    };
    let what = if let Some(h) = &p.http_get {
        format!(
            "http-get :{}{}",
            port(&h.port),
            h.path.clone().unwrap_or_default()
        )
    } else if let Some(t) = &p.tcp_socket {
        format!("tcp :{}", port(&t.port))
    } else if let Some(e) = &p.exec {
        format!("exec {}", e.command.clone().unwrap_or_default().join(" "))
    } else if let Some(g) = &p.grpc {
        format!("grpc :{}", g.port)
    } else {
        "?".into()
    };
    Some(format!("{kind}:{what}"))
}

fn ports(ports: Option<&Vec<ContainerPort>>) -> String {
    ports
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    let proto = p.protocol.as_deref().unwrap_or("TCP");
                    match &p.name {
                        Some(name) => format!("{name}:{}/{proto}", p.container_port),
                        None => format!("{}/{proto}", p.container_port),
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn state_of(s: Option<&ContainerState>) -> (String, String, Option<Timestamp>) {
    let Some(s) = s else {
        return ("Unknown".into(), String::new(), None);
    };
    if let Some(r) = &s.running {
        return (
            "Running".into(),
            String::new(),
            r.started_at.as_ref().map(|t| t.0),
        );
    }
    if let Some(t) = &s.terminated {
        let reason = t
            .reason
            .clone()
            .unwrap_or_else(|| format!("exit {}", t.exit_code));
        return (
            "Terminated".into(),
            reason,
            t.started_at.as_ref().map(|t| t.0),
        );
    }
    if let Some(w) = &s.waiting {
        return ("Waiting".into(), w.reason.clone().unwrap_or_default(), None);
    }
    ("Unknown".into(), String::new(), None)
}

fn row(
    pod: &ObjectRef,
    c: &Container,
    kind: ContainerKind,
    status: Option<&ContainerStatus>,
) -> Arc<ContainerRow> {
    let (state, reason, started) = state_of(status.and_then(|s| s.state.as_ref()));
    let last = status
        .and_then(|s| s.last_state.as_ref())
        .and_then(|l| l.terminated.as_ref())
        .map(|t| {
            (
                t.reason.clone().unwrap_or_else(|| "Terminated".into()),
                t.exit_code,
                t.finished_at.as_ref().map(|f| f.0),
            )
        });
    let probes = [
        probe("L", c.liveness_probe.as_ref()),
        probe("R", c.readiness_probe.as_ref()),
        probe("S", c.startup_probe.as_ref()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    Arc::new(ContainerRow {
        pod: pod.clone(),
        name: c.name.clone(),
        kind,
        image: c.image.clone().unwrap_or_default(),
        ready: status.is_some_and(|s| s.ready),
        state,
        reason,
        restarts: status.map_or(0, |s| s.restart_count),
        last,
        probes,
        ports: ports(c.ports.as_ref()),
        started,
    })
}

/// The rows of `pod`'s containers: init ones first, then the regular and ephemeral ones.
pub fn rows(cluster: &ClusterId, pod: &Pod) -> Vec<Arc<ContainerRow>> {
    let target = ObjectRef::new(
        cluster,
        ResourceKind::Pods,
        pod.metadata.namespace.as_deref().unwrap_or_default(),
        pod.metadata.name.as_deref().unwrap_or_default(),
    );
    let Some(spec) = &pod.spec else {
        return Vec::new();
    };
    let status = pod.status.as_ref();
    fn find<'a>(list: Option<&'a Vec<ContainerStatus>>, name: &str) -> Option<&'a ContainerStatus> {
        list.and_then(|l| l.iter().find(|s| s.name == name))
    }
    let mut out = Vec::new();
    for c in spec.init_containers.iter().flatten() {
        let kind = if c.restart_policy.as_deref() == Some("Always") {
            ContainerKind::Sidecar
        } else {
            ContainerKind::Init
        };
        let s = find(
            status.and_then(|s| s.init_container_statuses.as_ref()),
            &c.name,
        );
        out.push(row(&target, c, kind, s));
    }
    for c in &spec.containers {
        let s = find(status.and_then(|s| s.container_statuses.as_ref()), &c.name);
        out.push(row(&target, c, ContainerKind::Regular, s));
    }
    for e in spec.ephemeral_containers.iter().flatten() {
        // An ephemeral container has a container's fields; read it as one.
        let c = Container {
            name: e.name.clone(),
            image: e.image.clone(),
            ports: e.ports.clone(),
            ..Container::default()
        };
        let s = find(
            status.and_then(|s| s.ephemeral_container_statuses.as_ref()),
            &e.name,
        );
        out.push(row(&target, &c, ContainerKind::Ephemeral, s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/real-cluster/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A pod of the list the real cluster returned (Kubernetes 1.36).
    fn captured_pod(name: &str) -> Pod {
        let list: serde_json::Value = serde_json::from_str(&fixture("pods-demo.json")).unwrap();
        let item = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("{name} in pods-demo.json"));
        serde_json::from_value(item.clone()).unwrap()
    }

    #[test]
    fn a_crashing_container_says_why_and_how_it_last_ended_as_kubectl_counts_it() {
        let rows = rows(&ClusterId::new("c"), &captured_pod("crasher"));
        let [crasher] = &rows[..] else {
            panic!("{rows:?}")
        };
        // kubectl's own text for this pod: `5 (113s ago)` restarts, CrashLoopBackOff.
        let kubectl = fixture("pods-demo.kubectl.txt");
        let line = kubectl.lines().find(|l| l.starts_with("crasher ")).unwrap();
        let restarts: i32 = line.split_whitespace().nth(3).unwrap().parse().unwrap();
        assert_eq!(crasher.restarts, restarts);
        assert_eq!(crasher.reason, "CrashLoopBackOff");
        assert!(line.contains(&crasher.reason));
        assert_eq!(crasher.health(), Health::Error);
        let last = crasher.cell(ContainerCol::Last, Timestamp::now());
        assert!(last.contains("ago") && last.contains('('), "{last}");
    }

    #[test]
    fn every_container_of_a_multi_container_pod_and_an_ephemeral_one() {
        let multi = rows(&ClusterId::new("c"), &captured_pod("multi"));
        let regular: Vec<_> = multi
            .iter()
            .filter(|r| r.kind == ContainerKind::Regular)
            .collect();
        assert_eq!(regular.len(), 2, "kubectl says 2/2");
        assert!(regular.iter().all(|r| r.ready && r.state == "Running"));
        // Its init container ran first, and is listed first.
        assert_eq!(multi[0].kind, ContainerKind::Init);
        assert_eq!(multi[0].state, "Terminated");
        assert_eq!(multi[0].reason, "Completed");
        assert_eq!(multi[0].health(), Health::Done);
        let pod: Pod = serde_json::from_str(&fixture("pod-with-ephemeral.json")).unwrap();
        let with = rows(&ClusterId::new("c"), &pod);
        let debugger = with
            .iter()
            .find(|r| r.kind == ContainerKind::Ephemeral)
            .expect("the ephemeral container");
        assert_eq!(debugger.name, "debugger-wqwwx");
        assert_eq!(
            debugger.cell(ContainerCol::Kind, Timestamp::now()),
            "ephemeral"
        );
    }
}
