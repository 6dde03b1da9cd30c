//! The columns of every resource table: titles, widths, sort orders and cell text, as
//! `TableRow` implementations over the pure row derivations in `kube`.

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::age;
use crate::kube::event_row::EventRow;
use crate::kube::ids::ClusterId;
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

columns! {
    /// The columns of the PodRow table, in display order.
    pub enum PodCol {
        Namespace = Col::new("NAMESPACE", 40).shrink(200, 6).namespace(),
        Name = Col::new("NAME", 64).shrink(250, 12),
        Ready = Col::new("READY", 7).shrink(4, 3),
        Status = Col::new("STATUS", 40).shrink(2, 9),
        Restarts = Col::new("RESTARTS", 16).shrink(3, 5),
        Cpu = Col::new("CPU", 6).hide_below(100),
        Mem = Col::new("MEM", 6).hide_below(100),
        Age = Col::new("AGE", 8),
        Node = Col::new("NODE", 40).shrink(1, 8).hide_below(90),
        Ip = Col::new("IP", 40).hide_below(130),
        CpuRl = Col::new("CPU R/L", 12).hide_below(150),
        MemRl = Col::new("MEM R/L", 14).hide_below(150),
        Qos = Col::new("QOS", 10).hide_below(150),
    }
}

impl TableRow for PodRow {
    type Column = PodCol;

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let f = [
            &self.namespace,
            &self.name,
            &self.status,
            &self.node,
            &self.ip,
        ];
        f.into_iter().map(|s| s.as_str().into()).collect()
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key)
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            PodCol::Namespace => self.namespace.cmp(&o.namespace),
            PodCol::Name => self.name.cmp(&o.name),
            PodCol::Ready => self.ready.cmp(&o.ready),
            PodCol::Status => self.status.cmp(&o.status),
            PodCol::Restarts => self.restarts.cmp(&o.restarts),
            PodCol::Cpu => desc(self.usage.map(|u| u.0), o.usage.map(|u| u.0)),
            PodCol::Mem => desc(self.usage.map(|u| u.1), o.usage.map(|u| u.1)),
            PodCol::Age => newest_first(self.created, o.created),
            PodCol::Node => self.node.cmp(&o.node),
            PodCol::Ip => self.ip.cmp(&o.ip),
            PodCol::CpuRl => desc(
                Some(self.resources.cpu_request),
                Some(o.resources.cpu_request),
            ),
            PodCol::MemRl => desc(
                Some(self.resources.memory_request),
                Some(o.resources.memory_request),
            ),
            _ => self.qos.cmp(&o.qos),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        ns_name((&self.namespace, &self.name), (&o.namespace, &o.name))
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            PodCol::Namespace => self.namespace.clone(),
            PodCol::Name => self.name.clone(),
            PodCol::Ready => self.ready.clone(),
            PodCol::Status => self.status.clone(),
            PodCol::Restarts => self.restarts_text(now),
            PodCol::Cpu => self.usage.map_or("-".into(), |u| quantity::cpu_text(u.0)),
            PodCol::Mem => self.usage.map_or("-".into(), |u| quantity::bytes_text(u.1)),
            PodCol::Age => self.age_text(now),
            PodCol::Node => self.node.clone(),
            PodCol::Ip => self.ip.clone(),
            // ∞: no limit (the pod may take the whole node).
            PodCol::CpuRl => format!(
                "{}/{}",
                quantity::cpu_text(self.resources.cpu_request),
                self.resources
                    .cpu_limit
                    .map_or("∞".into(), quantity::cpu_text)
            ),
            PodCol::MemRl => format!(
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
            ResourceKind::Namespaces => self.namespace == obj.name,
            // A claim's pods: those whose volumes use it.
            ResourceKind::Generic if obj.kind_name() == "PersistentVolumeClaim" => {
                self.namespace == obj.namespace && self.claims.contains(&obj.name)
            }
            // A workload's pods: those it controls.
            ResourceKind::Generic => {
                self.namespace == obj.namespace
                    && self
                        .owner
                        .as_ref()
                        .is_some_and(|(kind, name)| kind == obj.kind_name() && *name == obj.name)
            }
            _ => true,
        }
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            &self.cluster,
            ResourceKind::Pods,
            &self.namespace,
            &self.name,
        ))
    }
}

columns! {
    /// The columns of the EventRow table, in display order.
    pub enum EventCol {
        Namespace = Col::new("NAMESPACE", 30).shrink(200, 6).namespace(),
        LastSeen = Col::new("LAST SEEN", 9),
        // Warning/Normal and the reason are what a reader scans: squeezed last and least.
        Type = Col::new("TYPE", 7),
        Reason = Col::new("REASON", 28).shrink(3, 12),
        Object = Col::new("OBJECT", 56).shrink(4, 14),
        Count = Col::new("COUNT", 5).shrink(1, 3),
        Message = Col::new("MESSAGE", 400).shrink(0, 16),
    }
}

impl TableRow for EventRow {
    type Column = EventCol;
    const DEFAULT_SORT: (usize, bool) = (EventCol::LastSeen as usize, false);

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let f = [&self.namespace, &self.type_, &self.reason, &self.message];
        let mut f: Vec<Cow<'_, str>> = f.into_iter().map(|s| s.as_str().into()).collect();
        f.push(self.object().into());
        f
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            EventCol::Namespace => self.namespace.cmp(&o.namespace),
            EventCol::LastSeen => newest_first(self.last_seen, o.last_seen),
            EventCol::Type => o.warning.cmp(&self.warning),
            EventCol::Reason => self.reason.cmp(&o.reason),
            EventCol::Object => self.object().cmp(&o.object()),
            EventCol::Count => o.count.cmp(&self.count),
            _ => self.message.cmp(&o.message),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        newest_first(self.last_seen, o.last_seen)
            .then_with(|| ns_name((&self.namespace, &self.name), (&o.namespace, &o.name)))
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            EventCol::Namespace => self.namespace.clone(),
            EventCol::LastSeen => age::since(self.last_seen, now),
            EventCol::Type => self.type_.clone(),
            EventCol::Reason => self.reason.clone(),
            EventCol::Object => self.object(),
            EventCol::Count => self.count.to_string(),
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

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            &self.cluster,
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

columns! {
    /// The columns of the NodeRow table, in display order.
    pub enum NodeCol {
        Name = Col::new("NAME", 64).shrink(250, 12),
        Status = Col::new("STATUS", 30).shrink(3, 8),
        Cpu = Col::new("CPU", 9),
        Mem = Col::new("MEM", 9),
        CpuRequest = Col::new("CPU/R", 6),
        MemRequest = Col::new("MEM/R", 6),
        CpuLimit = Col::new("CPU/L", 7).hide_below(110),
        MemLimit = Col::new("MEM/L", 7).hide_below(110),
        Pods = Col::new("PODS", 8).hide_below(90),
        Pressure = Col::new("PRESSURE", 24).shrink(2, 6),
        Taints = Col::new("TAINTS", 40).shrink(1, 6).hide_below(150),
        Roles = Col::new("ROLES", 30).shrink(1, 6).hide_below(130),
        Age = Col::new("AGE", 8).hide_below(100),
        Version = Col::new("VERSION", 20).shrink(0, 7).hide_below(170),
    }
}

impl TableRow for NodeRow {
    // Resource columns first, so the sort keys 1-9 reach them.
    type Column = NodeCol;

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let f = [&self.name, &self.status, &self.roles, &self.version];
        let mut f: Vec<Cow<'_, str>> = f.into_iter().map(|s| s.as_str().into()).collect();
        f.extend(self.taints.iter().map(|t| t.as_str().into()));
        f.extend(self.pressure.iter().map(|p| Cow::Borrowed(*p)));
        f
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            NodeCol::Name => self.name.cmp(&o.name),
            NodeCol::Status => self.status.cmp(&o.status),
            NodeCol::Cpu => desc(self.cpu_use_pct(), o.cpu_use_pct()),
            NodeCol::Mem => desc(self.memory_use_pct(), o.memory_use_pct()),
            NodeCol::CpuRequest => desc(self.cpu_request_pct(), o.cpu_request_pct()),
            NodeCol::MemRequest => desc(self.memory_request_pct(), o.memory_request_pct()),
            NodeCol::CpuLimit => desc(self.cpu_limit_pct(), o.cpu_limit_pct()),
            NodeCol::MemLimit => desc(self.memory_limit_pct(), o.memory_limit_pct()),
            NodeCol::Pods => o.pods.cmp(&self.pods),
            NodeCol::Pressure => o.pressure.len().cmp(&self.pressure.len()),
            NodeCol::Taints => o.taints.len().cmp(&self.taints.len()),
            NodeCol::Roles => self.roles.cmp(&o.roles),
            NodeCol::Age => newest_first(self.created, o.created),
            _ => self.version.cmp(&o.version),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        let pct = |p: Option<i64>| p.map_or("-".into(), |p| format!("{p}%"));
        match col {
            NodeCol::Name => self.name.clone(),
            NodeCol::Status => self.status.clone(),
            NodeCol::Cpu => gauge(self.cpu_use_pct()),
            NodeCol::Mem => gauge(self.memory_use_pct()),
            NodeCol::CpuRequest => pct(self.cpu_request_pct()),
            NodeCol::MemRequest => pct(self.memory_request_pct()),
            NodeCol::CpuLimit => limit_text(self.cpu_limit_pct(), self.load.cpu_unlimited),
            NodeCol::MemLimit => limit_text(self.memory_limit_pct(), self.load.memory_unlimited),
            NodeCol::Pods if self.allocatable.pods > 0 => {
                format!("{}/{}", self.pods, self.allocatable.pods)
            }
            NodeCol::Pods => self.pods.to_string(),
            NodeCol::Pressure => self.pressure_held(now),
            NodeCol::Taints if self.taints.is_empty() => "-".into(),
            NodeCol::Taints => self.taints.join(","),
            NodeCol::Roles => self.roles.clone(),
            NodeCol::Age => age::since(self.created, now),
            _ => self.version.clone(),
        }
    }

    fn health(&self) -> Health {
        NodeRow::health(self)
    }

    fn flagged(&self) -> bool {
        NodeRow::health(self) != Health::Ok
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            &self.cluster,
            ResourceKind::Nodes,
            "",
            &self.name,
        ))
    }
}

columns! {
    /// The columns of the PipelineRunRow table, in display order.
    pub enum RunCol {
        Namespace = Col::new("NAMESPACE", 30).shrink(200, 6).namespace(),
        Name = Col::new("NAME", 64).shrink(250, 12),
        Pipeline = Col::new("PIPELINE", 40).shrink(1, 8),
        Status = Col::new("STATUS", 40).shrink(2, 9),
        Tasks = Col::new("TASKS", 7),
        Started = Col::new("STARTED", 12).shrink(3, 5),
        Duration = Col::new("DURATION", 9),
    }
}

impl TableRow for PipelineRunRow {
    type Column = RunCol;
    const DEFAULT_SORT: (usize, bool) = (RunCol::Started as usize, false);

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let f = [&self.namespace, &self.name, &self.pipeline];
        let mut f: Vec<Cow<'_, str>> = f.into_iter().map(|s| s.as_str().into()).collect();
        // The STATUS cell, not the controller's message (which names every state in passing:
        // "Tasks Completed: 3 (Failed: 0, …)").
        f.push(self.state.text().into());
        f
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            RunCol::Namespace => self.namespace.cmp(&o.namespace),
            RunCol::Name => self.name.cmp(&o.name),
            RunCol::Pipeline => self.pipeline.cmp(&o.pipeline),
            RunCol::Status => self.state.text().cmp(&o.state.text()),
            RunCol::Tasks => self.progress.cmp(&o.progress),
            RunCol::Started => newest_first(self.started.or(self.created), o.started.or(o.created)),
            _ => o.took_secs().cmp(&self.took_secs()),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        ns_name((&self.namespace, &self.name), (&o.namespace, &o.name))
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            RunCol::Namespace => self.namespace.clone(),
            RunCol::Name => self.name.clone(),
            RunCol::Pipeline => self.pipeline.clone(),
            RunCol::Status => self.state.text(),
            RunCol::Tasks => self.progress_text(),
            RunCol::Started => self.started_text(now),
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

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            &self.cluster,
            ResourceKind::PipelineRuns,
            &self.namespace,
            &self.name,
        ))
    }
}

columns! {
    /// The columns of the TaskRunRow table, in display order.
    pub enum TaskRunCol {
        Name = Col::new("NAME", 64).shrink(250, 12),
        Task = Col::new("TASK", 30).shrink(1, 6),
        Status = Col::new("STATUS", 40).shrink(2, 9),
        Started = Col::new("STARTED", 12),
        Duration = Col::new("DURATION", 9),
        Pod = Col::new("POD", 64).shrink(0, 8).hide_below(100),
    }
}

impl TableRow for TaskRunRow {
    type Column = TaskRunCol;
    const DEFAULT_SORT: (usize, bool) = (TaskRunCol::Started as usize, false);

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let f = [&self.name, &self.task, &self.pod];
        let mut f: Vec<Cow<'_, str>> = f.into_iter().map(|s| s.as_str().into()).collect();
        f.push(self.state.text().into());
        f
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            TaskRunCol::Name => self.name.cmp(&o.name),
            TaskRunCol::Task => self.task.cmp(&o.task),
            TaskRunCol::Status => self.state.text().cmp(&o.state.text()),
            // Execution order: the first task to start first.
            TaskRunCol::Started => oldest_first(self.started, o.started),
            TaskRunCol::Duration => o.took_secs().cmp(&self.took_secs()),
            _ => self.pod.cmp(&o.pod),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            TaskRunCol::Name => self.name.clone(),
            TaskRunCol::Task => self.task.clone(),
            TaskRunCol::Status => self.state.text(),
            TaskRunCol::Started => self.started_text(now),
            TaskRunCol::Duration => self.duration_text(now),
            _ => self.pod.clone(),
        }
    }

    fn health(&self) -> Health {
        TaskRunRow::health(self)
    }

    fn flagged(&self) -> bool {
        matches!(TaskRunRow::health(self), Health::Error | Health::Warning)
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(ObjectRef::new(
            &self.cluster,
            ResourceKind::TaskRuns,
            &self.namespace,
            &self.name,
        ))
    }
}

columns! {
    /// The columns of the NamespaceRow table, in display order.
    pub enum NamespaceCol {
        Name = Col::new("NAME", 64).shrink(250, 12),
        Status = Col::new("STATUS", 12),
        Age = Col::new("AGE", 8),
    }
}

impl TableRow for NamespaceRow {
    type Column = NamespaceCol;

    fn key(&self) -> &str {
        &self.uid
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        vec![self.name.as_str().into(), self.status.as_str().into()]
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            NamespaceCol::Name => self.name.cmp(&o.name),
            NamespaceCol::Status => self.status.cmp(&o.status),
            _ => newest_first(self.created, o.created),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            NamespaceCol::Name => self.name.clone(),
            NamespaceCol::Status => self.status.clone(),
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

    fn object(&self, cluster: &ClusterId) -> Option<ObjectRef> {
        if self.every {
            return None;
        }
        Some(ObjectRef::new(
            cluster,
            ResourceKind::Namespaces,
            "",
            &self.name,
        ))
    }
}

columns! {
    /// The columns of the CapturedRun table, in display order.
    pub enum CapturedCol {
        Namespace = Col::new("NAMESPACE", 30).shrink(200, 6).namespace(),
        Run = Col::new("RUN", 64).shrink(250, 16),
        Kind = Col::new("KIND", 11).shrink(1, 2),
        Steps = Col::new("STEPS", 5),
        FailedSteps = Col::new("FAILED STEPS", 200).shrink(0, 12),
        Captured = Col::new("CAPTURED", 8),
    }
}

impl TableRow for CapturedRun {
    type Column = CapturedCol;
    const DEFAULT_SORT: (usize, bool) = (CapturedCol::Captured as usize, false);

    fn key(&self) -> &str {
        &self.key
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let mut f: Vec<Cow<'_, str>> = vec![
            self.namespace.as_str().into(),
            self.name.as_str().into(),
            self.kind.into(),
        ];
        f.extend(self.failed.iter().map(|s| s.as_str().into()));
        f
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            CapturedCol::Namespace => self.namespace.cmp(&o.namespace),
            CapturedCol::Run => self.name.cmp(&o.name),
            CapturedCol::Kind => self.kind.cmp(o.kind),
            CapturedCol::Steps => self.steps.cmp(&o.steps),
            CapturedCol::FailedSteps => o.failed.len().cmp(&self.failed.len()),
            _ => newest_first(self.captured_at, o.captured_at),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        (&self.namespace, &self.name).cmp(&(&o.namespace, &o.name))
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            CapturedCol::Namespace => self.namespace.clone(),
            CapturedCol::Run => self.name.clone(),
            CapturedCol::Kind => self.kind.to_string(),
            CapturedCol::Steps => self.steps.to_string(),
            CapturedCol::FailedSteps if self.failed.is_empty() => "-".into(),
            CapturedCol::FailedSteps => self.failed.join(", "),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture::{app, now};

    /// What the `/` filter searches is text the row shows: every field is in one of its cells.
    fn searched_is_shown<R: TableRow>(rows: &[std::sync::Arc<R>]) {
        assert!(!rows.is_empty());
        for r in rows {
            let cells: Vec<String> = (0..R::COLUMNS.len()).map(|i| r.cell_at(i, now())).collect();
            for f in r.fields() {
                assert!(
                    cells.iter().any(|c| c.contains(f.as_ref())),
                    "{f:?} is searched but not shown in {cells:?}"
                );
            }
        }
    }

    #[test]
    fn every_kind_searches_only_what_it_shows() {
        let a = app();
        let t = &a.tables;
        searched_is_shown(t.pods.all_rows());
        searched_is_shown(t.events.all_rows());
        searched_is_shown(t.nodes.all_rows());
        searched_is_shown(t.runs.all_rows());
        searched_is_shown(t.taskruns.all_rows());
        searched_is_shown(t.namespaces.all_rows());
        searched_is_shown(t.captured.all_rows());
        searched_is_shown(t.contexts.all_rows());
        searched_is_shown(t.triage.all_rows());
    }

    #[test]
    fn a_status_filter_keeps_only_the_runs_in_that_state() {
        let mut a = app();
        // build-1 runs and build-2 timed out; their controller messages mention "Failed: 0".
        let failed = crate::app::fixture::run(
            "build-3",
            "False",
            "Failed",
            "Tasks Completed: 3 (Failed: 1, Cancelled 0), Skipped: 0",
            true,
        );
        let mut rows = a.tables.runs.all_rows().to_vec();
        rows.push(failed);
        a.tables.runs.set_rows(rows);
        a.tables
            .runs
            .set_filter(crate::app::filter::Filter::new("Failed"));
        let names: Vec<&str> = (0..a.tables.runs.len())
            .filter_map(|i| a.tables.runs.row(i).map(|r| r.name.as_str()))
            .collect();
        assert_eq!(names, ["build-3"], "only the run that failed");
    }
}
