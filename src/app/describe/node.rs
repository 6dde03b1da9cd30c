//! A node: conditions, capacity, what its pods request and use (with the hog first and
//! sparklines of the last samples), its pods and events.

use super::*;

/// What a node's describe shows beyond the object: its pods and what the metrics said.
pub struct NodeExtras<'a> {
    /// The pods bound to the node.
    pub pods: &'a [std::sync::Arc<crate::kube::pod_row::PodRow>],
    pub load: crate::kube::node_load::Load,
    pub usage: Option<(i64, i64)>,
    /// Samples, oldest first (millicores, bytes).
    pub history: Option<&'a std::collections::VecDeque<(i64, i64)>>,
    pub now: jiff::Timestamp,
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
        .filter(|p| p.evicted.is_some() || p.last_terminated_reason.as_deref() == Some("OOMKilled"))
        .collect();
    doc.heading(0, "Evicted and OOM-killed pods:");
    if hurt.is_empty() {
        doc.text(2, "<none>", Role::Muted);
    }
    for p in hurt {
        // An evicted pod's STATUS may read ContainerStatusUnknown; the eviction is what happened.
        let (what, when, why) = match &p.evicted {
            Some(e) => ("Evicted", e.at, e.message.clone()),
            None => (
                "OOMKilled",
                p.last_restart,
                format!("{} restarts", p.restarts),
            ),
        };
        let ago = when.map_or("-".into(), |t| {
            format!("{} ago", crate::kube::age::since(Some(t), x.now))
        });
        doc.text(
            2,
            format!(
                "{what:<10} {:<44} {ago:<10} {why}",
                format!("{}/{}", p.namespace, p.name)
            ),
            Role::Warning,
        );
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
    // As the nodes list counts them: the pods holding the node's resources, of its capacity;
    // finished ones (Succeeded, Failed, evicted) apart.
    let running = extras.pods.iter().filter(|p| p.occupies_node()).count();
    let finished = pods - running;
    let capacity = row.allocatable.pods;
    let mut text = if capacity > 0 {
        format!("{running}/{capacity}")
    } else {
        running.to_string()
    };
    if finished > 0 {
        text.push_str(&format!(" (and {finished} finished)"));
    }
    doc.field(0, "Pods", text);
    node_resources(&mut doc, &row, extras);
    events_section(&mut doc, events, now);
    doc.lines
}
