//! `describe` for every kind kubedeck shows, laid out like `kubectl describe`: the fields a person
//! reads first, containers with their state and last state, probes, resources, conditions,
//! volumes, and the object's events at the bottom. Pure: objects in, styled lines out.

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

fn probe(p: &Probe) -> String {
    let how = if let Some(h) = &p.http_get {
        let port = match &h.port {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        format!(
            "http-get {}://:{port}{}",
            h.scheme.as_deref().unwrap_or("HTTP").to_lowercase(),
            h.path.as_deref().unwrap_or("/")
        )
    } else if let Some(t) = &p.tcp_socket {
        let port = match &t.port {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        format!("tcp-socket :{port}")
    } else if let Some(e) = &p.exec {
        format!(
            "exec [{}]",
            e.command.as_deref().unwrap_or_default().join(" ")
        )
    } else if let Some(g) = &p.grpc {
        format!("grpc <pod>:{}", g.port)
    } else {
        "unknown".into()
    };
    format!(
        "{how} delay={}s timeout={}s period={}s #success={} #failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.timeout_seconds.unwrap_or(1),
        p.period_seconds.unwrap_or(10),
        p.success_threshold.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    )
}

fn state(doc: &mut Doc, key: &str, s: Option<&ContainerState>, now: Timestamp, last: bool) {
    let Some(s) = s else {
        if !last {
            doc.field(4, key, "Waiting");
        }
        return;
    };
    if let Some(r) = &s.running {
        doc.field_as(4, key, "Running", if last { Role::Plain } else { Role::Ok });
        doc.field(6, "Started", time(r.started_at.as_ref().map(|t| t.0), now));
    } else if let Some(w) = &s.waiting {
        doc.field_as(4, key, "Waiting", Role::Warning);
        let reason = w.reason.clone().unwrap_or_default();
        let role = if reason.contains("BackOff") || reason.starts_with("Err") {
            Role::Error
        } else {
            Role::Warning
        };
        doc.field_as(6, "Reason", reason, role);
        if let Some(m) = &w.message {
            doc.field(6, "Message", m.clone());
        }
    } else if let Some(t) = &s.terminated {
        let bad = t.exit_code != 0;
        doc.field_as(
            4,
            key,
            "Terminated",
            if bad { Role::Error } else { Role::Plain },
        );
        doc.field_as(
            6,
            "Reason",
            t.reason.clone().unwrap_or_default(),
            if bad { Role::Error } else { Role::Plain },
        );
        if let Some(m) = &t.message {
            doc.field(
                6,
                "Message",
                m.lines().next().unwrap_or_default().to_string(),
            );
        }
        doc.field(6, "Exit Code", t.exit_code.to_string());
        doc.field(6, "Started", time(t.started_at.as_ref().map(|t| t.0), now));
        doc.field(
            6,
            "Finished",
            time(t.finished_at.as_ref().map(|t| t.0), now),
        );
    } else if !last {
        doc.field(4, key, "Waiting");
    }
}

fn containers(
    doc: &mut Doc,
    title: &str,
    specs: &[Container],
    statuses: &[ContainerStatus],
    now: Timestamp,
) {
    if specs.is_empty() {
        return;
    }
    doc.heading(0, title);
    for c in specs {
        let st = statuses.iter().find(|s| s.name == c.name);
        doc.heading(2, &format!("{}:", c.name));
        if let Some(id) = st.and_then(|s| s.container_id.clone()) {
            doc.field(4, "Container ID", id);
        }
        doc.field(4, "Image", c.image.clone().unwrap_or_default());
        let ports: Vec<String> = c
            .ports
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|p| {
                format!(
                    "{}/{}",
                    p.container_port,
                    p.protocol.as_deref().unwrap_or("TCP")
                )
            })
            .collect();
        if !ports.is_empty() {
            doc.field(4, "Ports", ports.join(", "));
        }
        if let Some(cmd) = &c.command {
            doc.field(4, "Command", cmd.join(" "));
        }
        if let Some(args) = &c.args {
            doc.field(4, "Args", args.join(" "));
        }
        state(doc, "State", st.and_then(|s| s.state.as_ref()), now, false);
        state(
            doc,
            "Last State",
            st.and_then(|s| s.last_state.as_ref()),
            now,
            true,
        );
        let ready = st.is_some_and(|s| s.ready);
        doc.field_as(
            4,
            "Ready",
            if ready { "True" } else { "False" },
            if ready { Role::Ok } else { Role::Warning },
        );
        let restarts = st.map_or(0, |s| s.restart_count);
        doc.field_as(
            4,
            "Restart Count",
            restarts.to_string(),
            if restarts > 0 {
                Role::Warning
            } else {
                Role::Plain
            },
        );
        let res = c.resources.as_ref();
        match quantities(res.and_then(|r| r.limits.as_ref())) {
            Some(l) => doc.field(4, "Limits", l),
            None => doc.field_as(4, "Limits", "<none>", Role::Muted),
        }
        match quantities(res.and_then(|r| r.requests.as_ref())) {
            Some(r) => doc.field(4, "Requests", r),
            None => doc.field_as(4, "Requests", "<none>", Role::Muted),
        }
        for (key, p) in [
            ("Liveness", &c.liveness_probe),
            ("Readiness", &c.readiness_probe),
            ("Startup", &c.startup_probe),
        ] {
            if let Some(p) = p {
                doc.field(4, key, probe(p));
            }
        }
        let env: Vec<String> = c
            .env
            .as_deref()
            .unwrap_or_default()
            .iter()
            .map(|e| {
                if e.value_from.is_some() {
                    format!("{} (from a reference)", e.name)
                } else {
                    // Values can be secrets pasted in plain text: show names only.
                    e.name.clone()
                }
            })
            .collect();
        doc.field(
            4,
            "Environment",
            if env.is_empty() {
                "<none>".into()
            } else {
                env.join(", ")
            },
        );
        let mounts = c.volume_mounts.as_deref().unwrap_or_default();
        if mounts.is_empty() {
            doc.field(4, "Mounts", "<none>");
        } else {
            doc.text(4, "Mounts:", Role::Key);
            for m in mounts {
                let ro = if m.read_only == Some(true) {
                    "ro"
                } else {
                    "rw"
                };
                doc.text(
                    6,
                    format!("{} from {} ({ro})", m.mount_path, m.name),
                    Role::Plain,
                );
            }
        }
    }
}

fn events_section(doc: &mut Doc, events: &[&EventRow], now: Timestamp) {
    doc.heading(0, "Events:");
    if events.is_empty() {
        doc.text(2, "<none>", Role::Muted);
        return;
    }
    doc.lines.push(vec![span(
        Role::Muted,
        format!(
            "  {:<8} {:<24} {:<8} {:<6} {}",
            "Type", "Reason", "Age", "Count", "Message"
        ),
    )]);
    let mut sorted: Vec<&&EventRow> = events.iter().collect();
    sorted.sort_by_key(|e| e.last_seen);
    for e in sorted {
        doc.text(
            2,
            format!(
                "{:<8} {:<24} {:<8} {:<6} {}",
                e.type_,
                e.reason,
                age::since(e.last_seen, now),
                e.count,
                e.message
            ),
            if e.warning {
                Role::Warning
            } else {
                Role::Plain
            },
        );
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

pub fn pod(p: &Pod, events: &[&EventRow], now: Timestamp) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let status = p.status.clone().unwrap_or_default();
    let spec = p.spec.clone().unwrap_or_default();
    meta_fields(&mut doc, &p.metadata, now);
    doc.field(
        0,
        "Node",
        match (&spec.node_name, &status.host_ip) {
            (Some(n), Some(ip)) => format!("{n}/{ip}"),
            (Some(n), None) => n.clone(),
            _ => "<none>".into(),
        },
    );
    doc.field(
        0,
        "Start Time",
        time(status.start_time.as_ref().map(|t| t.0), now),
    );
    let row = crate::kube::pod_row::pod_row(p);
    let role = match row.health {
        crate::kube::pod_row::Health::Ok | crate::kube::pod_row::Health::Done => Role::Ok,
        crate::kube::pod_row::Health::Error => Role::Error,
        _ => Role::Warning,
    };
    doc.field_as(0, "Status", row.status.clone(), role);
    if let Some(r) = &status.reason {
        doc.field(0, "Reason", r.clone());
    }
    if let Some(m) = &status.message {
        doc.field(0, "Message", m.clone());
    }
    doc.field(0, "IP", status.pod_ip.clone().unwrap_or_default());
    if let Some(owner) = p
        .metadata
        .owner_references
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|o| o.controller == Some(true))
    {
        doc.field(0, "Controlled By", format!("{}/{}", owner.kind, owner.name));
    }
    if let Some(q) = &status.qos_class {
        doc.field(0, "QoS Class", q.clone());
    }
    containers(
        &mut doc,
        "Init Containers:",
        spec.init_containers.as_deref().unwrap_or_default(),
        status
            .init_container_statuses
            .as_deref()
            .unwrap_or_default(),
        now,
    );
    containers(
        &mut doc,
        "Containers:",
        &spec.containers,
        status.container_statuses.as_deref().unwrap_or_default(),
        now,
    );
    let ephemeral: Vec<Container> = spec
        .ephemeral_containers
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|e| Container {
            name: e.name.clone(),
            image: e.image.clone(),
            command: e.command.clone(),
            args: e.args.clone(),
            ..Container::default()
        })
        .collect();
    containers(
        &mut doc,
        "Ephemeral Containers:",
        &ephemeral,
        status
            .ephemeral_container_statuses
            .as_deref()
            .unwrap_or_default(),
        now,
    );
    doc.heading(0, "Conditions:");
    for c in status.conditions.as_deref().unwrap_or_default() {
        doc.text(
            2,
            format!("{:<26} {}", c.type_, c.status),
            if c.status == "True" {
                Role::Ok
            } else {
                Role::Warning
            },
        );
    }
    doc.heading(0, "Volumes:");
    let volumes = spec.volumes.as_deref().unwrap_or_default();
    if volumes.is_empty() {
        doc.text(2, "<none>", Role::Muted);
    }
    for v in volumes {
        let kind = if let Some(c) = &v.config_map {
            format!("ConfigMap {}", c.name)
        } else if let Some(s) = &v.secret {
            format!("Secret {}", s.secret_name.clone().unwrap_or_default())
        } else if let Some(c) = &v.persistent_volume_claim {
            format!("PersistentVolumeClaim {}", c.claim_name)
        } else if v.empty_dir.is_some() {
            "EmptyDir".into()
        } else if let Some(h) = &v.host_path {
            format!("HostPath {}", h.path)
        } else if v.projected.is_some() {
            "Projected".into()
        } else {
            "other".into()
        };
        doc.text(2, format!("{}: {kind}", v.name), Role::Plain);
    }
    if let Some(tol) = &spec.tolerations {
        let t: Vec<String> = tol
            .iter()
            .map(|t| {
                format!(
                    "{}{}{}",
                    t.key.clone().unwrap_or_default(),
                    t.effect
                        .as_ref()
                        .map(|e| format!(":{e}"))
                        .unwrap_or_default(),
                    t.toleration_seconds
                        .map(|s| format!(" for {s}s"))
                        .unwrap_or_default()
                )
            })
            .collect();
        doc.field(0, "Tolerations", t.join(", "));
    }
    events_section(&mut doc, events, now);
    doc.lines
}

/// What a node's describe shows beyond the object: its pods and what the metrics said.
pub struct NodeExtras<'a> {
    /// The pods bound to the node.
    pub pods: &'a [std::sync::Arc<crate::kube::pod_row::PodRow>],
    pub load: crate::kube::node_load::Load,
    pub usage: Option<(i64, i64)>,
    /// Samples, oldest first (millicores, bytes).
    pub history: Option<&'a std::collections::VecDeque<(i64, i64)>>,
}

/// A sparkline of `values` scaled to `max`: `▁▂▄▇`.
pub fn sparkline(values: impl Iterator<Item = i64>, max: i64) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .map(|v| {
            let i = if max > 0 {
                (v.clamp(0, max) * 7 / max) as usize
            } else {
                0
            };
            BARS[i]
        })
        .collect()
}

fn node_resources(doc: &mut Doc, row: &crate::kube::node_row::NodeRow, x: &NodeExtras<'_>) {
    use crate::kube::quantity::{bytes_text, cpu_text, percent};
    let a = row.allocatable;
    let with_pct = |text: String, v: i64, whole: i64| match percent(v, whole) {
        Some(p) => format!("{text} ({p}%)"),
        None => text,
    };
    doc.heading(0, "Allocated resources:");
    doc.text(
        2,
        format!(
            "{:<10} {:<18} {:<26} {}",
            "Resource", "Requests", "Limits", "Usage"
        ),
        Role::Heading,
    );
    let l = x.load;
    let unlimited = |n: u32| {
        if n > 0 {
            format!(" +{n} unlimited")
        } else {
            String::new()
        }
    };
    /// One resource's line: what is asked, capped, used and allocatable, and how to print it.
    struct Line {
        name: &'static str,
        req: i64,
        lim: i64,
        unbounded: u32,
        used: Option<i64>,
        whole: i64,
        show: fn(i64) -> String,
    }
    let rows = [
        Line {
            name: "cpu",
            req: l.cpu_requests,
            lim: l.cpu_limits,
            unbounded: l.cpu_unlimited,
            used: x.usage.map(|u| u.0),
            whole: a.cpu,
            show: cpu_text,
        },
        Line {
            name: "memory",
            req: l.memory_requests,
            lim: l.memory_limits,
            unbounded: l.memory_unlimited,
            used: x.usage.map(|u| u.1),
            whole: a.memory,
            show: bytes_text,
        },
    ];
    for Line {
        name,
        req,
        lim,
        unbounded,
        used,
        whole,
        show,
    } in rows
    {
        doc.text(
            2,
            format!(
                "{:<10} {:<18} {:<26} {}",
                name,
                with_pct(show(req), req, whole),
                format!(
                    "{}{}",
                    with_pct(show(lim), lim, whole),
                    unlimited(unbounded)
                ),
                used.map_or("-".into(), |u| with_pct(show(u), u, whole)),
            ),
            Role::Plain,
        );
    }
    if let Some(storage) = a.ephemeral_storage {
        doc.text(
            2,
            format!(
                "{:<10} {:<18} {:<26} {}",
                "storage",
                with_pct(bytes_text(l.storage_requests), l.storage_requests, storage),
                "-",
                "-"
            ),
            Role::Plain,
        );
    }
    doc.text(
        2,
        format!("{:<10} {}/{}", "pods", l.pods, a.pods),
        Role::Plain,
    );
    if let Some(h) = x.history.filter(|h| !h.is_empty()) {
        doc.heading(
            0,
            &format!("Usage history ({} samples, oldest first):", h.len()),
        );
        doc.text(
            2,
            format!("cpu    {}", sparkline(h.iter().map(|u| u.0), a.cpu)),
            Role::Plain,
        );
        doc.text(
            2,
            format!("memory {}", sparkline(h.iter().map(|u| u.1), a.memory)),
            Role::Plain,
        );
    }
    let mut pods: Vec<&std::sync::Arc<crate::kube::pod_row::PodRow>> =
        x.pods.iter().filter(|p| p.occupies_node()).collect();
    pods.sort_by_key(|p| std::cmp::Reverse(p.usage.map_or(p.resources.memory_request, |u| u.1)));
    doc.heading(
        0,
        &format!("Pods ({}, the biggest memory user first):", pods.len()),
    );
    doc.text(
        2,
        format!(
            "{:<44} {:>6} {:>7} {:<16} {:<16} {}",
            "NAMESPACE/NAME", "CPU", "MEM", "CPU R/L", "MEM R/L", "QOS"
        ),
        Role::Heading,
    );
    for p in pods.iter().take(20) {
        let r = &p.resources;
        let flag = match (r.cpu_limit.is_none(), r.memory_limit.is_none()) {
            (true, true) => "  (no limits)",
            (false, true) => "  (no memory limit)",
            (true, false) => "  (no cpu limit)",
            (false, false) => "",
        };
        doc.text(
            2,
            format!(
                "{:<44} {:>6} {:>7} {:<16} {:<16} {}{}",
                format!("{}/{}", p.namespace, p.name),
                p.usage.map_or("-".into(), |u| cpu_text(u.0)),
                p.usage.map_or("-".into(), |u| bytes_text(u.1)),
                format!(
                    "{}/{}",
                    cpu_text(r.cpu_request),
                    r.cpu_limit.map_or("∞".into(), cpu_text)
                ),
                format!(
                    "{}/{}",
                    bytes_text(r.memory_request),
                    r.memory_limit.map_or("∞".into(), bytes_text)
                ),
                p.qos.label(),
                flag,
            ),
            // Memory without a limit is what squeezes a node.
            if r.memory_limit.is_none() {
                Role::Warning
            } else {
                Role::Plain
            },
        );
    }
    let hurt: Vec<_> = x
        .pods
        .iter()
        .filter(|p| {
            p.status == "Evicted" || p.last_terminated_reason.as_deref() == Some("OOMKilled")
        })
        .collect();
    if !hurt.is_empty() {
        doc.heading(0, "Evicted and OOM-killed pods:");
        for p in hurt {
            let what = if p.status == "Evicted" {
                "Evicted"
            } else {
                "OOMKilled"
            };
            doc.text(
                2,
                format!("{what:<10} {}/{}", p.namespace, p.name),
                Role::Warning,
            );
        }
    }
}

pub fn node(
    n: &Node,
    extras: &NodeExtras<'_>,
    events: &[&EventRow],
    now: Timestamp,
) -> Vec<DocLine> {
    let pods = extras.pods.len();
    let mut doc = Doc::default();
    let row = crate::kube::node_row::node_row(n);
    meta_fields(&mut doc, &n.metadata, now);
    doc.field(0, "Roles", row.roles.clone());
    doc.field_as(
        0,
        "Status",
        row.status.clone(),
        if row.ready { Role::Ok } else { Role::Error },
    );
    let spec = n.spec.clone().unwrap_or_default();
    let taints: Vec<String> = spec
        .taints
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|t| {
            format!(
                "{}{}:{}",
                t.key,
                t.value
                    .as_ref()
                    .map(|v| format!("={v}"))
                    .unwrap_or_default(),
                t.effect
            )
        })
        .collect();
    doc.field(0, "Taints", taints.join(", "));
    doc.field(
        0,
        "Unschedulable",
        if row.cordoned { "true" } else { "false" },
    );
    let status = n.status.clone().unwrap_or_default();
    doc.heading(0, "Conditions:");
    for c in status.conditions.as_deref().unwrap_or_default() {
        let bad = (c.type_ == "Ready") != (c.status == "True");
        doc.text(
            2,
            format!(
                "{:<20} {:<8} {:<10} {:<28} {}",
                c.type_,
                c.status,
                age::since(c.last_transition_time.as_ref().map(|t| t.0), now),
                c.reason.clone().unwrap_or_default(),
                c.message.clone().unwrap_or_default()
            ),
            if bad { Role::Error } else { Role::Plain },
        );
    }
    doc.heading(0, "Addresses:");
    for a in status.addresses.as_deref().unwrap_or_default() {
        doc.text(2, format!("{}: {}", a.type_, a.address), Role::Plain);
    }
    for (title, q) in [
        ("Capacity:", &status.capacity),
        ("Allocatable:", &status.allocatable),
    ] {
        doc.heading(0, title);
        for (k, v) in q.iter().flatten() {
            doc.text(2, format!("{k}: {}", v.0), Role::Plain);
        }
    }
    if let Some(info) = &status.node_info {
        doc.heading(0, "System Info:");
        doc.field(2, "Kubelet", info.kubelet_version.clone());
        doc.field(2, "OS Image", info.os_image.clone());
        doc.field(2, "Kernel", info.kernel_version.clone());
        doc.field(2, "Runtime", info.container_runtime_version.clone());
        doc.field(2, "Architecture", info.architecture.clone());
    }
    doc.field(0, "Pods", pods.to_string());
    node_resources(&mut doc, &row, extras);
    events_section(&mut doc, events, now);
    doc.lines
}

pub fn namespace(ns: &Namespace, events: &[&EventRow], now: Timestamp) -> Vec<DocLine> {
    let mut doc = Doc::default();
    meta_fields(&mut doc, &ns.metadata, now);
    doc.field(
        0,
        "Status",
        ns.status
            .as_ref()
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Active".into()),
    );
    events_section(&mut doc, events, now);
    doc.lines
}

pub fn event(row: &EventRow, now: Timestamp) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let some = |m: &std::collections::BTreeMap<String, String>| (!m.is_empty()).then(|| m.clone());
    let meta = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: Some(row.name.clone()),
        namespace: (!row.namespace.is_empty()).then(|| row.namespace.clone()),
        creation_timestamp: row
            .created
            .map(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time),
        labels: some(&row.labels),
        annotations: some(&row.annotations),
        ..Default::default()
    };
    meta_fields(&mut doc, &meta, now);
    doc.field_as(
        0,
        "Type",
        row.type_.clone(),
        if row.warning {
            Role::Warning
        } else {
            Role::Plain
        },
    );
    doc.field(0, "Reason", row.reason.clone());
    doc.field(0, "Object", row.object());
    doc.field(0, "Count", row.count.to_string());
    doc.field(0, "First Seen", time(row.first_seen, now));
    doc.field(0, "Last Seen", time(row.last_seen, now));
    doc.field(0, "From", row.source.clone());
    doc.field(0, "Message", row.message.clone());
    doc.lines
}

fn json_meta(doc: &mut Doc, obj: &Value, now: Timestamp) {
    let meta: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta =
        serde_json::from_value(obj["metadata"].clone()).unwrap_or_default();
    meta_fields(doc, &meta, now);
}

fn health_role(health: crate::kube::pod_row::Health) -> Role {
    match health {
        crate::kube::pod_row::Health::Error => Role::Error,
        crate::kube::pod_row::Health::Warning => Role::Warning,
        crate::kube::pod_row::Health::Ok | crate::kube::pod_row::Health::Done => Role::Ok,
        crate::kube::pod_row::Health::Pending => Role::Plain,
    }
}

fn run_state_role(state: &crate::kube::tekton_row::RunState) -> Role {
    health_role(state.health())
}

/// Describe a PipelineRun; `pods` are its TaskRuns' pods (from the pod store), which give each
/// TaskRun's state without watching TaskRuns.
pub fn pipelinerun(
    obj: &Value,
    pods: &[&crate::kube::pod_row::PodRow],
    events: &[&EventRow],
    now: Timestamp,
) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let r = pipelinerun_row(obj);
    json_meta(&mut doc, obj, now);
    doc.field(0, "Pipeline", r.pipeline.clone());
    doc.field_as(0, "Status", r.state.text(), run_state_role(&r.state));
    doc.field(0, "Message", r.message.clone());
    doc.field(0, "Started", time(r.started, now));
    doc.field(0, "Duration", r.duration_text(now));
    doc.field(0, "Tasks", r.progress_text());
    if let Some(sa) = obj["spec"]["taskRunTemplate"]["serviceAccountName"]
        .as_str()
        .or_else(|| obj["spec"]["serviceAccountName"].as_str())
    {
        doc.field(0, "Service Account", sa);
    }
    if let Some(params) = obj["spec"]["params"].as_array().filter(|p| !p.is_empty()) {
        doc.heading(0, "Params:");
        for p in params {
            doc.text(
                2,
                format!("{}: {}", p["name"].as_str().unwrap_or_default(), p["value"]),
                Role::Plain,
            );
        }
    }
    doc.heading(0, "TaskRuns:");
    let children = obj["status"]["childReferences"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if children.is_empty() {
        doc.text(2, "<none>", Role::Muted);
    }
    for c in children {
        let name = c["name"].as_str().unwrap_or_default();
        let pod = pods
            .iter()
            .find(|p| p.labels.get("tekton.dev/taskRun").map(String::as_str) == Some(name));
        let (state, role) = match pod {
            Some(p) => (p.status.clone(), health_role(p.health)),
            None => ("no pod".to_string(), Role::Muted),
        };
        doc.text(
            2,
            format!(
                "{name} ({})  {state}",
                c["pipelineTaskName"].as_str().unwrap_or_default()
            ),
            role,
        );
    }
    events_section(&mut doc, events, now);
    doc.lines
}

pub fn taskrun(obj: &Value, events: &[&EventRow], now: Timestamp) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let r = taskrun_row(obj);
    json_meta(&mut doc, obj, now);
    doc.field(0, "Task", r.task.clone());
    doc.field_as(0, "Status", r.state.text(), run_state_role(&r.state));
    doc.field(0, "Message", r.message.clone());
    doc.field(0, "Pod", r.pod.clone());
    doc.field(0, "Started", time(r.started, now));
    doc.field(0, "Duration", r.duration_text(now));
    doc.field(0, "Steps", r.steps.join(", "));
    events_section(&mut doc, events, now);
    doc.lines
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
            "../../tests/fixtures/real-cluster/pods-demo.json"
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
        let nodes: Items<Node> =
            serde_json::from_str(include_str!("../../tests/fixtures/real-cluster/nodes.json"))
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
        ] {
            assert!(t.contains(needle), "missing {needle:?} in\n{t}");
        }
        // The hog is listed before the small pod, flagged.
        let hog = t.find("demo/hog").unwrap_or(usize::MAX);
        let small = t.find("demo/small").unwrap_or(0);
        assert!(hog < small, "{t}");
        assert!(t.contains("(no limits)"), "{t}");
        let runs: Items<Value> = serde_json::from_str(include_str!(
            "../../tests/fixtures/real-cluster/tekton-ci.json"
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
