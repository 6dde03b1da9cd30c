//! A pod, as `kubectl describe pod` lays it out: containers with their state and last state,
//! probes, resources, conditions, volumes, events.

use super::*;

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
