//! The triage screen's rows: what is broken now, across the cluster, most urgent first. A pure
//! function of the other tables' rows, so it costs nothing extra from the API server.
//!
//! Most urgent is the widest blast radius ([`rank`]): a node NotReady or under pressure (every
//! pod on it at risk), then what fails for a whole workload (a failed PipelineRun, several
//! replicas of one workload in trouble), then single pods, then warning events; within a rank,
//! the newer problem first. A crash-looping pod stays while its restarts grew within
//! [`RESTART_WINDOW`], even while its container is briefly up between two crashes, and the
//! order is held while rows update ([`hold_order`]): a flapping row neither leaves nor moves.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};

use super::table::{Col, TableRow, columns};
use crate::kube::age;
use crate::kube::event_row::EventRow;
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;
use crate::kube::node_row::NodeRow;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::{Health, PodRow};
use crate::kube::tekton_row::{PipelineRunRow, RunState};

/// Pending longer than this is worth a look.
pub const PENDING_AFTER: SignedDuration = SignedDuration::from_secs(60);
/// Failed PipelineRuns stay on the screen this long.
pub const FAILED_RUN_WINDOW: SignedDuration = SignedDuration::from_secs(3600);
/// How many of the newest warning events are listed.
pub const WARNING_EVENTS: usize = 10;
/// A pod whose restarts grew this recently is crash-looping, whatever its container does now.
pub const RESTART_WINDOW: SignedDuration = SignedDuration::from_secs(600);

/// The ranks, lower first: by how much is at risk.
pub mod rank {
    /// A node NotReady: every pod on it.
    pub const NODE_NOT_READY: u8 = 0;
    /// A node under memory, disk or PID pressure: every pod on it may be evicted.
    pub const NODE_PRESSURE: u8 = 1;
    /// A failed PipelineRun, or a pod of a workload with several replicas in trouble.
    pub const WORKLOAD: u8 = 2;
    /// One pod.
    pub const POD: u8 = 3;
    /// A warning event of an object not listed above.
    pub const EVENT: u8 = 4;
}

/// A crash loop's restarts, its detail drawn with the time since the last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restarts {
    pub count: u32,
    pub last: Option<Timestamp>,
    pub reason: Option<String>,
    pub exit_code: Option<i32>,
}

impl Restarts {
    fn of(p: &PodRow) -> Self {
        Self {
            count: p.restarts,
            last: p.last_restart,
            reason: p.last_terminated_reason.clone(),
            exit_code: p.last_exit_code,
        }
    }

    /// `(Error, exit 1)`, or nothing when the kubelet said nothing.
    fn how(&self) -> String {
        match (&self.reason, self.exit_code) {
            (Some(r), Some(c)) => format!(" ({r}, exit {c})"),
            (Some(r), None) => format!(" ({r})"),
            (None, Some(c)) => format!(" (exit {c})"),
            (None, None) => String::new(),
        }
    }

    /// `40 restarts, last 5s ago (Error, exit 1)`.
    pub fn text(&self, now: Timestamp) -> String {
        let last = match self.last {
            Some(_) => format!(", last {} ago", age::since(self.last, now)),
            None => String::new(),
        };
        format!("{} restarts{last}{}", self.count, self.how())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriageRow {
    pub problem: &'static str,
    /// Lower is more urgent.
    pub rank: u8,
    pub severity: Health,
    pub target: ObjectRef,
    /// What a filter matches (a crash loop's without the time since its last restart).
    pub detail: String,
    pub since: Option<Timestamp>,
    /// A crash loop's restarts: the detail is drawn from them.
    pub restarts: Option<Restarts>,
    /// Where the row sorts within its rank, newer first: when the problem was first seen
    /// ([`hold_order`]), so a row does not move while it updates.
    pub order: Option<Timestamp>,
    /// Said after the detail: how many pods of its workload are in trouble.
    pub note: Option<String>,
    /// Its last changes as the timeline saw them, newest first (see [`with_history`]).
    pub history: Vec<(Timestamp, &'static str)>,
    key: String,
}

impl TriageRow {
    fn new(
        problem: &'static str,
        rank: u8,
        severity: Health,
        target: ObjectRef,
        detail: String,
        since: Option<Timestamp>,
    ) -> Self {
        // The object, not the problem: a pod going from CrashLoop to Failing is the same row,
        // and the cursor stays on it.
        let key = format!("{}/{}", target.cluster, target.label());
        Self {
            problem,
            rank,
            severity,
            target,
            detail,
            since,
            restarts: None,
            order: since,
            note: None,
            history: Vec::new(),
            key,
        }
    }

    fn with_restarts(mut self, restarts: Restarts) -> Self {
        self.detail = format!("{} restarts{}", restarts.count, restarts.how());
        self.restarts = Some(restarts);
        self
    }
}

/// Changes of a row's object shown in its HISTORY cell (each kind of change once).
const HISTORY: usize = 3;

/// Each row's last changes from the timeline (one pass over it, newest first).
pub fn with_history(
    rows: Vec<Arc<TriageRow>>,
    timeline: &super::timeline_state::TimelineState,
) -> Vec<Arc<TriageRow>> {
    type Key<'a> = (&'a ClusterId, &'a str, &'a str, &'a str);
    let mut found: HashMap<Key<'_>, Vec<(Timestamp, &'static str)>> = rows
        .iter()
        .map(|r| {
            let t = &r.target;
            (
                (
                    &t.cluster,
                    t.singular(),
                    t.namespace.as_str(),
                    t.name.as_str(),
                ),
                Vec::new(),
            )
        })
        .collect();
    let mut wanting = found.len();
    for (c, r) in timeline.changes.iter().rev() {
        if wanting == 0 {
            break;
        }
        let key = (c, r.kind.as_str(), r.namespace.as_str(), r.name.as_str());
        // The newest of each kind of change (a warning repeated every 10s says it once).
        if let Some(h) = found.get_mut(&key)
            && h.len() < HISTORY
            && !h.iter().any(|(_, c)| *c == r.change.text())
        {
            h.push((r.at, r.change.text()));
            if h.len() == HISTORY {
                wanting -= 1;
            }
        }
    }
    let histories: Vec<Vec<(Timestamp, &'static str)>> = rows
        .iter()
        .map(|r| {
            let t = &r.target;
            let key = (
                &t.cluster,
                t.singular(),
                t.namespace.as_str(),
                t.name.as_str(),
            );
            found.get(&key).cloned().unwrap_or_default()
        })
        .collect();
    rows.into_iter()
        .zip(histories)
        .map(|(row, history)| {
            if history.is_empty() {
                row
            } else {
                Arc::new(TriageRow {
                    history,
                    ..(*row).clone()
                })
            }
        })
        .collect()
}

/// `restarted 5s · not ready 2m`: the last changes and how long ago.
fn history_text(history: &[(Timestamp, &'static str)], now: Timestamp) -> String {
    history
        .iter()
        .map(|(at, change)| format!("{change} {}", age::since(Some(*at), now)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Hold each row's place: a row keeps the order it was first given for as long as it is
/// listed (`seen` remembers it, and forgets the rows no longer listed).
pub fn hold_order(
    rows: Vec<Arc<TriageRow>>,
    seen: &mut HashMap<String, Option<Timestamp>>,
) -> Vec<Arc<TriageRow>> {
    let mut held = HashMap::with_capacity(rows.len());
    let rows = rows
        .into_iter()
        .map(|row| {
            let order = *seen.get(&row.key).unwrap_or(&row.order);
            held.insert(row.key.clone(), order);
            if order == row.order {
                row
            } else {
                let mut row = Arc::unwrap_or_clone(row);
                row.order = order;
                Arc::new(row)
            }
        })
        .collect();
    *seen = held;
    rows
}

fn older_than(t: Option<Timestamp>, now: Timestamp, d: SignedDuration) -> bool {
    t.is_some_and(|t| now.duration_since(t) > d)
}

pub(super) fn pod_problem(
    p: &PodRow,
    unhealthy: &HashMap<(&str, &str), &EventRow>,
    now: Timestamp,
    cluster: &ClusterId,
) -> Option<TriageRow> {
    // Made only for a pod with a problem: most pods have none, and triage reads every pod.
    let target = || ObjectRef::new(cluster, ResourceKind::Pods, &p.namespace, &p.name);
    if let Some(e) = &p.evicted {
        // kubectl may print ContainerStatusUnknown for it; what happened is the eviction.
        let detail = if e.message.is_empty() {
            "evicted by the kubelet".to_string()
        } else {
            e.message.clone()
        };
        return Some(TriageRow::new(
            "Evicted",
            rank::POD,
            Health::Error,
            target(),
            detail,
            e.at,
        ));
    }
    let oom = p.status == "OOMKilled"
        || (p.last_terminated_reason.as_deref() == Some("OOMKilled") && p.restarts > 0);
    // Restarting lately: in back-off, or up for a moment between two crashes.
    let looping = p.status == "CrashLoopBackOff"
        || (p.restarts > 0
            && p.last_restart
                .is_some_and(|t| now.duration_since(t) <= RESTART_WINDOW));
    if oom || looping {
        let problem = if oom { "OOMKilled" } else { "CrashLoop" };
        let row = TriageRow::new(
            problem,
            rank::POD,
            Health::Error,
            target(),
            String::new(),
            p.last_restart,
        );
        return Some(row.with_restarts(Restarts::of(p)));
    }
    let (problem, severity, detail, since) = match p.status.as_str() {
        "ImagePullBackOff" | "ErrImagePull" | "InvalidImageName" | "ErrImageNeverPull" => {
            ("ImagePull", Health::Error, p.status.clone(), p.created)
        }
        "Running" if p.health == Health::Warning => {
            let event = unhealthy.get(&(p.namespace.as_str(), p.name.as_str()));
            (
                "ProbeFailing",
                Health::Warning,
                match event {
                    Some(e) => e.message.clone(),
                    None => format!("{} ready", p.ready),
                },
                event.and_then(|e| e.last_seen),
            )
        }
        _ if p.phase == "Pending"
            && p.health == Health::Pending
            && older_than(p.created, now, PENDING_AFTER) =>
        {
            (
                "Pending",
                Health::Pending,
                format!("{} for {}", p.status, age::since(p.created, now)),
                p.created,
            )
        }
        // A failed TaskRun's pod is covered by its PipelineRun's row.
        _ if p.health == Health::Error && !p.labels.contains_key("tekton.dev/taskRun") => (
            "Failing",
            Health::Error,
            match p.restarts {
                0 => p.status.clone(),
                n => format!("{}, {n} restarts", p.status),
            },
            p.last_restart.or(p.created),
        ),
        _ => return None,
    };
    Some(TriageRow::new(
        problem,
        rank::POD,
        severity,
        target(),
        detail,
        since,
    ))
}

/// Pods of one workload (their controller) with several replicas in trouble rise to the
/// workload's rank, and say how many.
fn promote_workloads(rows: &mut [(TriageRow, Option<&(String, String)>)]) {
    let owner = |(r, o): &(TriageRow, Option<&(String, String)>)| {
        (r.target.kind == ResourceKind::Pods && r.problem != "Evicted")
            .then_some(*o)
            .flatten()
            .map(|o| (r.target.namespace.clone(), o.clone()))
    };
    let mut down: HashMap<(String, (String, String)), usize> = HashMap::new();
    for r in rows.iter() {
        if let Some(o) = owner(r) {
            *down.entry(o).or_default() += 1;
        }
    }
    for row in rows.iter_mut() {
        let Some(o) = owner(row) else { continue };
        let r = &mut row.0;
        let n = down.get(&o).copied().unwrap_or(0);
        if n >= 2 {
            let (_, (kind, name)) = &o;
            r.rank = rank::WORKLOAD;
            r.note = Some(format!(
                "; {n} pods of {} {name} in trouble",
                kind.to_lowercase()
            ));
        }
    }
}

pub fn triage(
    pods: &[Arc<PodRow>],
    runs: &[Arc<PipelineRunRow>],
    nodes: &[Arc<NodeRow>],
    events: &[Arc<EventRow>],
    now: Timestamp,
    cluster: &ClusterId,
) -> Vec<Arc<TriageRow>> {
    let mut out = Vec::new();
    for n in nodes {
        let target = ObjectRef::new(cluster, ResourceKind::Nodes, "", &n.name);
        if !n.ready {
            out.push(TriageRow::new(
                "NodeNotReady",
                rank::NODE_NOT_READY,
                Health::Error,
                target,
                n.status.clone(),
                n.ready_since,
            ));
        } else if !n.pressure.is_empty() {
            // Since the condition first held (its lastTransitionTime), as the nodes view says.
            let since = n.pressure_since.iter().flatten().min().copied();
            out.push(TriageRow::new(
                "NodePressure",
                rank::NODE_PRESSURE,
                Health::Warning,
                target,
                format!("{} pressure", n.pressure_text()),
                since,
            ));
        }
    }
    let mut unhealthy: HashMap<(&str, &str), &EventRow> = HashMap::new();
    for e in events
        .iter()
        .filter(|e| e.warning && e.reason == "Unhealthy" && e.object_kind == "Pod")
    {
        let slot = unhealthy
            .entry((e.object_namespace.as_str(), e.object_name.as_str()))
            .or_insert(e);
        if e.last_seen > slot.last_seen {
            *slot = e;
        }
    }
    let mut pod_rows: Vec<(TriageRow, Option<&(String, String)>)> = pods
        .iter()
        .filter_map(|p| Some((pod_problem(p, &unhealthy, now, cluster)?, p.owner.as_ref())))
        .collect();
    promote_workloads(&mut pod_rows);
    out.extend(pod_rows.into_iter().map(|(r, _)| r));
    for r in runs {
        let failed = matches!(r.state, RunState::Failed(_) | RunState::TimedOut);
        let recent = r
            .completed
            .is_some_and(|c| now.duration_since(c) <= FAILED_RUN_WINDOW);
        if failed && recent {
            out.push(TriageRow::new(
                "RunFailed",
                rank::WORKLOAD,
                Health::Error,
                ObjectRef::new(cluster, ResourceKind::PipelineRuns, &r.namespace, &r.name),
                format!("{}: {}", r.state.text(), r.message),
                r.completed,
            ));
        }
    }
    let mut warnings: Vec<&Arc<EventRow>> = events.iter().filter(|e| e.warning).collect();
    warnings.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
    // An object listed already (a failed run, a crash-looping pod) is not listed again for
    // its warning events: the row above leads to them.
    let listed: std::collections::HashSet<ObjectRef> =
        out.iter().map(|r| r.target.clone()).collect();
    let targets = warnings.into_iter().map(|e| {
        let target = match ResourceKind::from_kind_name(&e.object_kind) {
            Some(kind) if kind != ResourceKind::Events => {
                ObjectRef::new(cluster, kind, &e.object_namespace, &e.object_name)
            }
            _ => ObjectRef::new(cluster, ResourceKind::Events, &e.namespace, &e.name),
        };
        (e, target)
    });
    let fresh = targets.filter(|(_, t)| !listed.contains(t));
    for (e, target) in fresh.take(WARNING_EVENTS) {
        let mut row = TriageRow::new(
            "WarningEvent",
            rank::EVENT,
            Health::Warning,
            target,
            format!("{}: {}", e.reason, e.message),
            e.last_seen,
        );
        // Several events can point at one object: keep rows distinct.
        row.key = format!("{cluster}/event/{}", e.uid);
        out.push(row);
    }
    out.into_iter().map(Arc::new).collect()
}

columns! {
    /// The columns of the TriageRow table, in display order.
    pub enum TriageCol {
        Problem = Col::new("PROBLEM", 12),
        Namespace = Col::new("NAMESPACE", 30).shrink(200, 6),
        Object = Col::new("OBJECT", 64).shrink(250, 14),
        Detail = Col::new("DETAIL", 400).shrink(0, 12),
        Since = Col::new("SINCE", 8),
        History = Col::new("HISTORY", 48).shrink(1, 8).hide_below(150),
    }
}

impl TableRow for TriageRow {
    type Column = TriageCol;

    fn key(&self) -> &str {
        &self.key
    }

    fn fields(&self) -> Vec<std::borrow::Cow<'_, str>> {
        let object = format!("{}/{}", self.target.kind.singular(), self.target.name);
        let mut fields = vec![
            self.problem.into(),
            self.target.namespace.as_str().into(),
            object.into(),
        ];
        // What the detail cell shows, less the time since the last restart.
        match &self.restarts {
            Some(r) => {
                fields.push(format!("{} restarts", r.count).into());
                fields.push(r.how().trim().to_string().into());
            }
            None => fields.push(self.detail.as_str().into()),
        }
        if let Some(note) = &self.note {
            fields.push(note.trim_start_matches("; ").into());
        }
        fields.extend(
            self.history
                .iter()
                .map(|(_, c)| std::borrow::Cow::Borrowed(*c)),
        );
        fields
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            TriageCol::Problem => self.rank.cmp(&o.rank),
            TriageCol::Namespace => self.target.namespace.cmp(&o.target.namespace),
            TriageCol::Object => self.target.name.cmp(&o.target.name),
            TriageCol::Detail => self.detail.cmp(&o.detail),
            TriageCol::History => o.history.first().cmp(&self.history.first()),
            _ => o.since.cmp(&self.since),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.rank
            .cmp(&o.rank)
            .then_with(|| o.order.cmp(&self.order))
            .then_with(|| self.key.cmp(&o.key))
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        match col {
            TriageCol::Problem => self.problem.to_string(),
            TriageCol::Namespace => self.target.namespace.clone(),
            TriageCol::Object => format!("{}/{}", self.target.kind.singular(), self.target.name),
            TriageCol::Detail => {
                let detail = match &self.restarts {
                    Some(r) => r.text(now),
                    None => self.detail.clone(),
                };
                match &self.note {
                    Some(note) => format!("{detail}{note}"),
                    None => detail,
                }
            }
            TriageCol::History => history_text(&self.history, now),
            _ => match self.since {
                Some(_) => age::since(self.since, now),
                None => "-".into(),
            },
        }
    }

    fn health(&self) -> Health {
        self.severity
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.target.cluster)
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(self.target.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-22T12:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn pod(name: &str, status: &str, phase: &str, health: Health, age_secs: i64) -> Arc<PodRow> {
        Arc::new(PodRow {
            cluster: crate::app::fixture::cluster(),
            namespace: "demo".into(),
            name: name.into(),
            uid: name.into(),
            ready: if health == Health::Ok { "1/1" } else { "0/1" }.into(),
            status: status.into(),
            restarts: 0,
            last_restart: None,
            created: now().checked_sub(SignedDuration::from_secs(age_secs)).ok(),
            node: "n1".into(),
            ip: "10.0.0.1".into(),
            health,
            phase: phase.into(),
            labels: Default::default(),
            last_terminated_reason: None,
            last_exit_code: None,
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

    fn ago(secs: i64) -> Option<Timestamp> {
        now().checked_sub(SignedDuration::from_secs(secs)).ok()
    }

    /// A pod that restarted `restarts` times, the last `secs` ago (Error, exit 1).
    fn restarted(name: &str, status: &str, health: Health, restarts: u32, secs: i64) -> PodRow {
        let mut p = (*pod(name, status, "Running", health, 7200)).clone();
        p.restarts = restarts;
        p.last_restart = ago(secs);
        p.last_terminated_reason = Some("Error".into());
        p.last_exit_code = Some(1);
        p
    }

    fn shown(rows: Vec<Arc<TriageRow>>) -> Vec<(String, String)> {
        let mut t: super::super::table::Table<TriageRow> = Default::default();
        t.set_rows(rows);
        (0..t.len())
            .filter_map(|i| t.row(i))
            .map(|r| (r.problem.to_string(), r.target.name.clone()))
            .collect()
    }

    #[test]
    fn lists_what_is_broken_most_urgent_first() {
        let mut oom = restarted("oom", "Running", Health::Ok, 2, 900);
        oom.last_terminated_reason = Some("OOMKilled".into());
        let mut probe = (*pod("probe", "Running", "Running", Health::Warning, 600)).clone();
        probe.created = ago(100);
        let pods = vec![
            pod("fine", "Running", "Running", Health::Ok, 600),
            Arc::new(restarted("crash", "CrashLoopBackOff", Health::Error, 5, 30)),
            pod("pull", "ImagePullBackOff", "Pending", Health::Error, 200),
            pod("young", "Pending", "Pending", Health::Pending, 10),
            pod("stuck", "Pending", "Pending", Health::Pending, 172_800),
            Arc::new(probe),
            Arc::new(oom),
        ];
        let rows = triage(&pods, &[], &[], &[], now(), &ClusterId::new("test"));
        // Single pods, one rank: the newer problem first (a probe failing without an event
        // has no time, and comes last).
        assert_eq!(
            shown(rows),
            [
                ("CrashLoop", "crash"),
                ("ImagePull", "pull"),
                ("OOMKilled", "oom"),
                ("Pending", "stuck"),
                ("ProbeFailing", "probe"),
            ]
            .map(|(a, b)| (a.to_string(), b.to_string()))
        );
    }

    /// The demo's shape: a node under MemoryPressure came 8th, behind a pod Pending for two
    /// days and an evicted one. By blast radius: the node, then a workload with several
    /// replicas down and a failed run, then single pods newest first, then events.
    #[test]
    fn the_widest_blast_radius_comes_first() {
        let mut pressured = (*crate::app::fixture::node("n1", true, vec!["Memory"], 3)).clone();
        pressured.pressure_since = vec![ago(60)];
        let owned = |name: &str, secs| {
            let mut p = restarted(name, "CrashLoopBackOff", Health::Error, 3, secs);
            p.owner = Some(("ReplicaSet".into(), "api-7d9".into()));
            Arc::new(p)
        };
        let mut evicted = (*pod("cache", "Error", "Failed", Health::Error, 9000)).clone();
        evicted.evicted = Some(Box::new(crate::kube::pod_row::Evicted {
            message: "The node was low on resource: memory.".into(),
            at: ago(3000),
        }));
        let pods = vec![
            pod("stuck", "Pending", "Pending", Health::Pending, 172_800),
            Arc::new(evicted),
            owned("api-1", 20),
            owned("api-2", 40),
            Arc::new(restarted(
                "lonely",
                "CrashLoopBackOff",
                Health::Error,
                9,
                10,
            )),
        ];
        let event = Arc::new(EventRow {
            namespace: "demo".into(),
            name: "e1".into(),
            uid: "e1".into(),
            last_seen: Some(now()),
            warning: true,
            reason: "FailedMount".into(),
            object_kind: "Pod".into(),
            object_namespace: "demo".into(),
            object_name: "elsewhere".into(),
            ..Default::default()
        });
        let rows = triage(
            &pods,
            &[],
            &[Arc::new(pressured)],
            &[event],
            now(),
            &ClusterId::new("test"),
        );
        let got = shown(rows.clone());
        let names: Vec<&str> = got.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "n1",
                "api-1",
                "api-2",
                "lonely",
                "cache",
                "stuck",
                "elsewhere"
            ]
        );
        let api = rows.iter().find(|r| r.target.name == "api-1").unwrap();
        assert_eq!(
            api.cell(TriageCol::Detail, now()),
            "3 restarts, last 20s ago (Error, exit 1); 2 pods of replicaset api-7d9 in trouble"
        );
    }

    /// A crash-looping pod up for a moment between two crashes stays, where it was, until it
    /// has stayed up longer than the window.
    #[test]
    fn a_crash_loop_stays_put_while_it_flaps() {
        let c = ClusterId::new("test");
        let other = Arc::new(restarted(
            "other",
            "CrashLoopBackOff",
            Health::Error,
            2,
            100,
        ));
        let backoff = restarted("web-1", "CrashLoopBackOff", Health::Error, 40, 200);
        let mut seen = HashMap::new();
        let first = hold_order(
            triage(
                &[other.clone(), Arc::new(backoff)],
                &[],
                &[],
                &[],
                now(),
                &c,
            ),
            &mut seen,
        );
        assert_eq!(
            shown(first)[..2]
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>(),
            ["other", "web-1"]
        );
        // It restarts again (newer than `other` now) and is Running for a moment: same row,
        // same place.
        let up = restarted("web-1", "Running", Health::Ok, 41, 5);
        let rows = hold_order(
            triage(&[other.clone(), Arc::new(up)], &[], &[], &[], now(), &c),
            &mut seen,
        );
        let row = rows.iter().find(|r| r.target.name == "web-1").unwrap();
        assert_eq!(row.problem, "CrashLoop");
        assert_eq!(
            row.cell(TriageCol::Detail, now()),
            "41 restarts, last 5s ago (Error, exit 1)"
        );
        assert_eq!(
            shown(rows)
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>(),
            ["other", "web-1"],
            "the row did not move"
        );
        // Up for longer than the window: it leaves, and its place is forgotten.
        let settled = restarted("web-1", "Running", Health::Ok, 41, 601);
        let rows = hold_order(
            triage(&[other, Arc::new(settled)], &[], &[], &[], now(), &c),
            &mut seen,
        );
        assert_eq!(rows.len(), 1);
        assert_eq!(seen.len(), 1);
    }

    #[test]
    fn failed_runs_recent_only_nodes_and_warning_events() {
        use crate::kube::tekton_row::pipelinerun_row;
        let run = |name: &str, completed: &str| {
            Arc::new(pipelinerun_row(&serde_json::json!({
                "metadata": {"name": name, "namespace": "ci", "uid": name},
                "status": {"startTime": "2026-11-22T09:00:00Z", "completionTime": completed,
                           "conditions": [{"type": "Succeeded", "status": "False", "reason": "Failed", "message": "boom"}]}
            })))
        };
        let runs = vec![
            run("recent", "2026-11-22T11:30:00Z"),
            run("old", "2026-11-22T09:30:00Z"),
        ];
        let node = |name: &str, ready: bool, pressure: Vec<&'static str>| {
            Arc::new(NodeRow {
                cluster: crate::app::fixture::cluster(),
                name: name.into(),
                uid: name.into(),
                status: if ready { "Ready" } else { "NotReady" }.into(),
                ready,
                cordoned: false,
                roles: "<none>".into(),
                created: None,
                version: "v1.36.2".into(),
                pressure,
                pods: 0,
                pressure_since: Vec::new(),
                ready_since: None,
                allocatable: Default::default(),
                load: Default::default(),
                usage: None,
                taints: Vec::new(),
                heat: Health::Ok,
                resource_version: "1".into(),
            })
        };
        let nodes = vec![
            node("ok", true, vec![]),
            node("down", false, vec![]),
            node("hot", true, vec!["Memory"]),
        ];
        let event = Arc::new(EventRow {
            namespace: "demo".into(),
            name: "e1".into(),
            uid: "e1".into(),
            last_seen: Some(now()),
            warning: true,
            type_: "Warning".into(),
            reason: "BackOff".into(),
            object_kind: "Pod".into(),
            object_namespace: "demo".into(),
            object_name: "crash".into(),
            count: 3,
            message: "Back-off restarting failed container".into(),
            ..Default::default()
        });
        // The failed run's own warning event does not list the run a second time.
        let run_event = Arc::new(EventRow {
            name: "e2".into(),
            uid: "e2".into(),
            reason: "Failed".into(),
            object_kind: "PipelineRun".into(),
            object_namespace: "ci".into(),
            object_name: "recent".into(),
            ..(*event).clone()
        });
        let rows = triage(
            &[],
            &runs,
            &nodes,
            &[event, run_event],
            now(),
            &ClusterId::new("test"),
        );
        let problems: Vec<(&str, String)> =
            rows.iter().map(|r| (r.problem, r.target.label())).collect();
        let run_rows = problems
            .iter()
            .filter(|(_, l)| l == "pipelinerun/ci/recent")
            .count();
        assert_eq!(run_rows, 1, "{problems:?}");
        assert!(problems.contains(&("RunFailed", "pipelinerun/ci/recent".into())));
        assert!(!problems.iter().any(|(_, l)| l.contains("old")));
        assert!(problems.contains(&("NodeNotReady", "node/down".into())));
        assert!(problems.contains(&("NodePressure", "node/hot".into())));
        assert!(
            problems.contains(&("WarningEvent", "pod/demo/crash".into())),
            "{problems:?}"
        );
        assert_eq!(rows.len(), 4);
    }

    #[test]
    fn an_evicted_pod_says_evicted_with_why_and_when() {
        let raw: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "cache-1", "namespace": "demo", "uid": "u1",
                         "creationTimestamp": "2026-11-09T12:00:00Z"},
            "spec": {"nodeName": "n1", "containers": [{"name": "app"}]},
            "status": {"phase": "Failed", "reason": "Evicted",
                       "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi.",
                       "conditions": [{"type": "DisruptionTarget", "status": "True",
                                       "reason": "TerminationByKubelet",
                                       "lastTransitionTime": "2026-11-22T11:50:00Z"}],
                       "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0,
                           "image": "", "imageID": "",
                           "state": {"terminated": {"exitCode": 137, "reason": "ContainerStatusUnknown",
                                                    "finishedAt": "2026-11-22T11:50:05Z"}}}]}
        }))
        .unwrap_or_default();
        let row = Arc::new(crate::kube::pod_row::pod_row(&raw));
        let rows = triage(&[row], &[], &[], &[], now(), &ClusterId::new("test"));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].problem, "Evicted");
        assert!(
            rows[0].detail.contains("low on resource: memory"),
            "{}",
            rows[0].detail
        );
        assert_eq!(
            rows[0].since.map(|t| t.to_string()).as_deref(),
            Some("2026-11-22T11:50:00Z"),
            "when it was evicted, not the pod's age"
        );
    }

    #[test]
    fn node_rows_say_since_when_their_condition_holds() {
        let mut pressured = (*crate::app::fixture::node("n1", true, vec!["Memory"], 3)).clone();
        let at: Timestamp = "2026-11-22T11:59:35Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        pressured.pressure_since = vec![Some(at)];
        let mut down = (*crate::app::fixture::node("n2", false, vec![], 0)).clone();
        down.ready_since = Some(at);
        let rows = triage(
            &[],
            &[],
            &[Arc::new(pressured), Arc::new(down)],
            &[],
            now(),
            &ClusterId::new("test"),
        );
        assert!(rows.iter().all(|r| r.since == Some(at)), "{rows:?}");
        assert_eq!(rows[0].cell(TriageCol::Since, now()), "25s");
    }

    #[test]
    fn a_row_is_its_object_whatever_its_problem() {
        let crashing = pod("web-1", "ImagePullBackOff", "Running", Health::Error, 600);
        let failing = pod("web-1", "Error", "Running", Health::Error, 600);
        let c = ClusterId::new("test");
        let a = triage(&[crashing], &[], &[], &[], now(), &c);
        let b = triage(&[failing], &[], &[], &[], now(), &c);
        assert_ne!(a[0].problem, b[0].problem);
        assert_eq!(a[0].key(), b[0].key(), "the cursor stays on the pod");
    }

    /// A row's HISTORY: its object's last three changes on the timeline, newest first, with
    /// how long ago; another object's changes are not its.
    #[test]
    fn a_row_carries_its_objects_last_changes() {
        use crate::kube::timeline::{Change, Record};
        let c = ClusterId::new("test");
        let crashing = pod("web-1", "CrashLoopBackOff", "Running", Health::Error, 600);
        let rows = triage(&[crashing], &[], &[], &[], now(), &c);
        let ns = rows[0].target.namespace.clone();
        let mut timeline = crate::app::timeline_state::TimelineState::default();
        let at = |s: i64| {
            now()
                .checked_sub(jiff::SignedDuration::from_secs(s))
                .unwrap_or(now())
        };
        timeline.push(
            &c,
            [
                Record::of("pod", &ns, "web-1", Change::Started, at(600)),
                Record::of("pod", &ns, "web-1", Change::Ready, at(590)),
                Record::of("pod", &ns, "web-2", Change::Deleted, at(100)),
                Record::of("pod", &ns, "web-1", Change::Restarted, at(70)),
                Record::of("pod", &ns, "web-1", Change::Restarted, at(65)),
                Record::of("pod", &ns, "web-1", Change::NotReady, at(60)),
            ],
        );
        let rows = with_history(rows, &timeline);
        assert_eq!(
            rows[0].cell(TriageCol::History, now()),
            "not ready 60s · restarted 65s · ready 9m50s"
        );
        assert!(rows[0].fields().iter().any(|f| f == "restarted"));
    }
}
