//! The columns of every resource table: titles, widths, sort orders and cell text, as
//! `TableRow` implementations over the pure row derivations in `kube`.

use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow};
use crate::kube::age;
use crate::kube::event_row::EventRow;
use crate::kube::informer::ResourceKind;
use crate::kube::namespace_row::NamespaceRow;
use crate::kube::node_row::NodeRow;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::{Health, PodRow};
use crate::kube::quantity;
use crate::kube::step_store::CapturedRun;
use crate::kube::tekton_row::{PipelineRunRow, TaskRunRow};

/// Newest first; unknown times last.
fn newest_first(a: Option<Timestamp>, b: Option<Timestamp>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => b.cmp(&a),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Oldest first; unknown times last.
fn oldest_first(a: Option<Timestamp>, b: Option<Timestamp>) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        other => newest_first(other.0, other.1),
    }
}

fn ns_name(a: (&str, &str), b: (&str, &str)) -> Ordering {
    a.0.cmp(b.0).then_with(|| a.1.cmp(b.1))
}

impl TableRow for PodRow {
    const COLUMNS: &'static [Col] = &[
        Col::new("NAMESPACE", 40).shrink(0, 6).namespace(),
        Col::new("NAME", 64).shrink(250, 12),
        Col::new("READY", 7).shrink(4, 3),
        Col::new("STATUS", 40).shrink(2, 9),
        Col::new("RESTARTS", 16).shrink(3, 5),
        Col::new("CPU", 6).hide_below(100),
        Col::new("MEM", 6).hide_below(100),
        Col::new("AGE", 8),
        Col::new("NODE", 40).shrink(1, 8).hide_below(90),
        Col::new("IP", 40).hide_below(130),
        Col::new("CPU R/L", 12).hide_below(150),
        Col::new("MEM R/L", 14).hide_below(150),
        Col::new("QOS", 10).hide_below(150),
    ];

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<&str> {
        vec![
            &self.namespace,
            &self.name,
            &self.status,
            &self.node,
            &self.ip,
        ]
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.namespace.cmp(&o.namespace),
            1 => self.name.cmp(&o.name),
            2 => self.ready.cmp(&o.ready),
            3 => self.status.cmp(&o.status),
            4 => self.restarts.cmp(&o.restarts),
            5 => desc(self.usage.map(|u| u.0), o.usage.map(|u| u.0)),
            6 => desc(self.usage.map(|u| u.1), o.usage.map(|u| u.1)),
            7 => newest_first(self.created, o.created),
            8 => self.node.cmp(&o.node),
            9 => self.ip.cmp(&o.ip),
            10 => desc(
                Some(self.resources.cpu_request),
                Some(o.resources.cpu_request),
            ),
            11 => desc(
                Some(self.resources.memory_request),
                Some(o.resources.memory_request),
            ),
            _ => self.qos.cmp(&o.qos),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        ns_name((&self.namespace, &self.name), (&o.namespace, &o.name))
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        match col {
            0 => self.namespace.clone(),
            1 => self.name.clone(),
            2 => self.ready.clone(),
            3 => self.status.clone(),
            4 => self.restarts_text(now),
            5 => self.usage.map_or("-".into(), |u| quantity::cpu_text(u.0)),
            6 => self.usage.map_or("-".into(), |u| quantity::bytes_text(u.1)),
            7 => self.age_text(now),
            8 => self.node.clone(),
            9 => self.ip.clone(),
            // ∞: no limit (the pod may take the whole node).
            10 => format!(
                "{}/{}",
                quantity::cpu_text(self.resources.cpu_request),
                self.resources
                    .cpu_limit
                    .map_or("∞".into(), quantity::cpu_text)
            ),
            11 => format!(
                "{}/{}",
                quantity::bytes_text(self.resources.memory_request),
                self.resources
                    .memory_limit
                    .map_or("∞".into(), quantity::bytes_text)
            ),
            _ => self.qos.label().to_string(),
        }
    }

    fn health(&self) -> Health {
        self.health
    }

    fn belongs_to(&self, obj: &ObjectRef) -> bool {
        match obj.kind {
            ResourceKind::Nodes => self.node == obj.name,
            _ => true,
        }
    }

    fn object(&self) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            ResourceKind::Pods,
            &self.namespace,
            &self.name,
        ))
    }
}

impl TableRow for EventRow {
    const COLUMNS: &'static [Col] = &[
        Col::new("NAMESPACE", 30).shrink(0, 6).namespace(),
        Col::new("LAST SEEN", 9),
        // Warning/Normal and the reason are what a reader scans: squeezed last and least.
        Col::new("TYPE", 7),
        Col::new("REASON", 28).shrink(3, 12),
        Col::new("OBJECT", 56).shrink(4, 14),
        Col::new("COUNT", 5).shrink(1, 3),
        Col::new("MESSAGE", 400).shrink(0, 16),
    ];
    const DEFAULT_SORT: (usize, bool) = (1, false);

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<&str> {
        vec![
            &self.namespace,
            &self.type_,
            &self.reason,
            &self.object_kind,
            &self.object_name,
            &self.message,
        ]
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.namespace.cmp(&o.namespace),
            1 => newest_first(self.last_seen, o.last_seen),
            2 => o.warning.cmp(&self.warning),
            3 => self.reason.cmp(&o.reason),
            4 => self.object().cmp(&o.object()),
            5 => o.count.cmp(&self.count),
            _ => self.message.cmp(&o.message),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        newest_first(self.last_seen, o.last_seen)
            .then_with(|| ns_name((&self.namespace, &self.name), (&o.namespace, &o.name)))
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        match col {
            0 => self.namespace.clone(),
            1 => age::since(self.last_seen, now),
            2 => self.type_.clone(),
            3 => self.reason.clone(),
            4 => self.object(),
            5 => self.count.to_string(),
            _ => self.message.clone(),
        }
    }

    fn health(&self) -> Health {
        EventRow::health(self)
    }

    fn belongs_to(&self, obj: &ObjectRef) -> bool {
        obj.is(&self.object_kind, &self.object_namespace, &self.object_name)
    }

    fn flagged(&self) -> bool {
        self.warning
    }

    fn object(&self) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            ResourceKind::Events,
            &self.namespace,
            &self.name,
        ))
    }
}

/// A percentage with a 4-cell bar, `███▌ 87%`; `-` when unknown.
pub fn gauge(pct: Option<i64>) -> String {
    const EIGHTHS: [&str; 9] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"];
    let Some(p) = pct else {
        return "-".into();
    };
    let filled = (p.clamp(0, 100) * 32 / 100) as usize; // 4 cells x 8 eighths
    let mut bar = "█".repeat(filled / 8);
    bar.push_str(EIGHTHS[filled % 8]);
    format!("{bar:<4} {p:>3}%")
}

/// A sum of limits as a percentage; `+` when some pods have no limit (they may use more).
fn limit_text(pct: Option<i64>, unlimited: u32) -> String {
    match pct {
        Some(p) if unlimited > 0 => format!("{p}%+"),
        Some(p) => format!("{p}%"),
        None => "-".into(),
    }
}

/// Highest first; unknown last.
fn desc(a: Option<i64>, b: Option<i64>) -> Ordering {
    b.unwrap_or(i64::MIN).cmp(&a.unwrap_or(i64::MIN))
}

impl TableRow for NodeRow {
    // Resource columns first, so the sort keys 1-9 reach them.
    const COLUMNS: &'static [Col] = &[
        Col::new("NAME", 64).shrink(250, 12),
        Col::new("STATUS", 30).shrink(3, 8),
        Col::new("CPU", 9),
        Col::new("MEM", 9),
        Col::new("CPU/R", 6),
        Col::new("MEM/R", 6),
        Col::new("CPU/L", 7).hide_below(110),
        Col::new("MEM/L", 7).hide_below(110),
        Col::new("PODS", 8).hide_below(90),
        Col::new("PRESSURE", 24).shrink(2, 6),
        Col::new("TAINTS", 40).shrink(1, 6).hide_below(150),
        Col::new("ROLES", 30).shrink(1, 6).hide_below(130),
        Col::new("AGE", 8).hide_below(100),
        Col::new("VERSION", 20).shrink(0, 7).hide_below(170),
    ];

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<&str> {
        let mut f = vec![
            self.name.as_str(),
            self.status.as_str(),
            self.roles.as_str(),
            self.version.as_str(),
        ];
        f.extend(self.taints.iter().map(String::as_str));
        f
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.name.cmp(&o.name),
            1 => self.status.cmp(&o.status),
            2 => desc(self.cpu_use_pct(), o.cpu_use_pct()),
            3 => desc(self.memory_use_pct(), o.memory_use_pct()),
            4 => desc(self.cpu_request_pct(), o.cpu_request_pct()),
            5 => desc(self.memory_request_pct(), o.memory_request_pct()),
            6 => desc(self.cpu_limit_pct(), o.cpu_limit_pct()),
            7 => desc(self.memory_limit_pct(), o.memory_limit_pct()),
            8 => o.pods.cmp(&self.pods),
            9 => o.pressure.len().cmp(&self.pressure.len()),
            10 => o.taints.len().cmp(&self.taints.len()),
            11 => self.roles.cmp(&o.roles),
            12 => newest_first(self.created, o.created),
            _ => self.version.cmp(&o.version),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        let pct = |p: Option<i64>| p.map_or("-".into(), |p| format!("{p}%"));
        match col {
            0 => self.name.clone(),
            1 => self.status.clone(),
            2 => gauge(self.cpu_use_pct()),
            3 => gauge(self.memory_use_pct()),
            4 => pct(self.cpu_request_pct()),
            5 => pct(self.memory_request_pct()),
            6 => limit_text(self.cpu_limit_pct(), self.load.cpu_unlimited),
            7 => limit_text(self.memory_limit_pct(), self.load.memory_unlimited),
            8 if self.allocatable.pods > 0 => format!("{}/{}", self.pods, self.allocatable.pods),
            8 => self.pods.to_string(),
            9 => self.pressure_held(now),
            10 if self.taints.is_empty() => "-".into(),
            10 => self.taints.join(","),
            11 => self.roles.clone(),
            12 => age::since(self.created, now),
            _ => self.version.clone(),
        }
    }

    fn health(&self) -> Health {
        NodeRow::health(self)
    }

    fn flagged(&self) -> bool {
        NodeRow::health(self) != Health::Ok
    }

    fn object(&self) -> Option<ObjectRef> {
        Some(ObjectRef::new(ResourceKind::Nodes, "", &self.name))
    }
}

impl TableRow for PipelineRunRow {
    const COLUMNS: &'static [Col] = &[
        Col::new("NAMESPACE", 30).shrink(0, 6).namespace(),
        Col::new("NAME", 64).shrink(250, 12),
        Col::new("PIPELINE", 40).shrink(1, 8),
        Col::new("STATUS", 40).shrink(2, 9),
        Col::new("TASKS", 7),
        Col::new("STARTED", 12).shrink(3, 5),
        Col::new("DURATION", 9),
    ];
    const DEFAULT_SORT: (usize, bool) = (5, false);

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<&str> {
        vec![&self.namespace, &self.name, &self.pipeline, &self.message]
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.namespace.cmp(&o.namespace),
            1 => self.name.cmp(&o.name),
            2 => self.pipeline.cmp(&o.pipeline),
            3 => self.state.text().cmp(&o.state.text()),
            4 => self.progress.cmp(&o.progress),
            5 => newest_first(self.started.or(self.created), o.started.or(o.created)),
            _ => o.took_secs().cmp(&self.took_secs()),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        ns_name((&self.namespace, &self.name), (&o.namespace, &o.name))
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        match col {
            0 => self.namespace.clone(),
            1 => self.name.clone(),
            2 => self.pipeline.clone(),
            3 => self.state.text(),
            4 => self.progress_text(),
            5 => self.started_text(now),
            _ => self.duration_text(now),
        }
    }

    fn health(&self) -> Health {
        PipelineRunRow::health(self)
    }

    fn flagged(&self) -> bool {
        matches!(
            PipelineRunRow::health(self),
            Health::Error | Health::Warning
        )
    }

    fn object(&self) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            ResourceKind::PipelineRuns,
            &self.namespace,
            &self.name,
        ))
    }
}

impl TableRow for TaskRunRow {
    const COLUMNS: &'static [Col] = &[
        Col::new("NAME", 64).shrink(250, 12),
        Col::new("TASK", 30).shrink(1, 6),
        Col::new("STATUS", 40).shrink(2, 9),
        Col::new("STARTED", 12),
        Col::new("DURATION", 9),
        Col::new("POD", 64).shrink(0, 8).hide_below(100),
    ];
    const DEFAULT_SORT: (usize, bool) = (3, false);

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<&str> {
        vec![&self.name, &self.task, &self.pod, &self.message]
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.name.cmp(&o.name),
            1 => self.task.cmp(&o.task),
            2 => self.state.text().cmp(&o.state.text()),
            // Execution order: the first task to start first.
            3 => oldest_first(self.started, o.started),
            4 => o.took_secs().cmp(&self.took_secs()),
            _ => self.pod.cmp(&o.pod),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        match col {
            0 => self.name.clone(),
            1 => self.task.clone(),
            2 => self.state.text(),
            3 => self.started_text(now),
            4 => self.duration_text(now),
            _ => self.pod.clone(),
        }
    }

    fn health(&self) -> Health {
        TaskRunRow::health(self)
    }

    fn flagged(&self) -> bool {
        matches!(TaskRunRow::health(self), Health::Error | Health::Warning)
    }

    fn object(&self) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            ResourceKind::TaskRuns,
            &self.namespace,
            &self.name,
        ))
    }
}

impl TableRow for NamespaceRow {
    const COLUMNS: &'static [Col] = &[
        Col::new("NAME", 64).shrink(250, 12),
        Col::new("STATUS", 12),
        Col::new("AGE", 8),
    ];

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<&str> {
        vec![&self.name, &self.status]
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.name.cmp(&o.name),
            1 => self.status.cmp(&o.status),
            _ => newest_first(self.created, o.created),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        match col {
            0 => self.name.clone(),
            1 => self.status.clone(),
            _ if self.every => String::new(),
            _ => age::since(self.created, now),
        }
    }

    fn health(&self) -> Health {
        NamespaceRow::health(self)
    }

    fn pinned_first(&self) -> bool {
        self.every
    }

    fn object(&self) -> Option<ObjectRef> {
        if self.every {
            return None;
        }
        Some(ObjectRef::new(ResourceKind::Namespaces, "", &self.name))
    }
}

impl TableRow for CapturedRun {
    const COLUMNS: &'static [Col] = &[
        Col::new("NAMESPACE", 30).shrink(0, 6).namespace(),
        Col::new("RUN", 64).shrink(250, 16),
        Col::new("KIND", 11).shrink(1, 2),
        Col::new("STEPS", 5),
        Col::new("FAILED STEPS", 200).shrink(0, 12),
        Col::new("CAPTURED", 8),
    ];
    const DEFAULT_SORT: (usize, bool) = (5, false);

    fn key(&self) -> &str {
        &self.key
    }

    fn fields(&self) -> Vec<&str> {
        let mut f = vec![self.namespace.as_str(), self.name.as_str(), self.kind];
        f.extend(self.failed.iter().map(String::as_str));
        f
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.namespace.cmp(&o.namespace),
            1 => self.name.cmp(&o.name),
            2 => self.kind.cmp(o.kind),
            3 => self.steps.cmp(&o.steps),
            4 => o.failed.len().cmp(&self.failed.len()),
            _ => newest_first(self.captured_at, o.captured_at),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        (&self.namespace, &self.name).cmp(&(&o.namespace, &o.name))
    }

    fn cell(&self, col: usize, now: Timestamp) -> String {
        match col {
            0 => self.namespace.clone(),
            1 => self.name.clone(),
            2 => self.kind.to_string(),
            3 => self.steps.to_string(),
            4 if self.failed.is_empty() => "-".into(),
            4 => self.failed.join(", "),
            _ => age::since(self.captured_at, now),
        }
    }

    fn health(&self) -> Health {
        if self.failed.is_empty() {
            Health::Done
        } else {
            Health::Error
        }
    }
}
