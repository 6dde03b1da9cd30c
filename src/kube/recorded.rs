//! What the flight recorder keeps of each object for time travel (`:at`, `:diff`): a few
//! fields per kind, the columns of its table, as text. Never a Secret, never data: a pod's
//! ready count and status, a node's conditions and taints, an event's reason and message, a
//! run's state, a workload's replicas and images. A [`StateLine`] is one object's fields at a
//! time (or that it is gone); a list of a kind starts with a line saying so, and replaces what
//! was known of that kind.

use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::event_row::EventRow;
use super::pod_row::PodRow;
use super::tekton_row::PipelineRunRow;
use super::timeline::NodeFacts;
use super::timeline_workloads::WorkloadFacts;

/// One object's recorded fields at a time. Serialized with `s` first, so a reader tells these
/// lines from the timeline's by their start (`{"s":`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateLine {
    /// The kind: `pod`, `node`, `event`, `pipelinerun`, `deployment`, `statefulset`,
    /// `daemonset`.
    pub s: String,
    pub at: Timestamp,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ns: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub n: String,
    /// The fields, in [`columns`] order; none: the object is gone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub f: Option<Vec<String>>,
    /// A full list of the kind starts here: what was known of it before is dropped.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub list: bool,
}

impl StateLine {
    pub fn of(
        kind: &str,
        ns: &str,
        name: &str,
        fields: Option<Vec<String>>,
        at: Timestamp,
    ) -> Self {
        Self {
            s: kind.to_string(),
            at,
            ns: ns.to_string(),
            n: name.to_string(),
            f: fields,
            list: false,
        }
    }

    /// The start of a full list of `kind`.
    pub fn list(kind: &str, at: Timestamp) -> Self {
        Self {
            list: true,
            ..Self::of(kind, "", "", None, at)
        }
    }
}

/// The kinds recorded, in the order `:at` offers them.
pub const KINDS: [&str; 7] = [
    "pod",
    "node",
    "event",
    "pipelinerun",
    "deployment",
    "statefulset",
    "daemonset",
];

/// The titles of a kind's recorded fields (after NAMESPACE and NAME).
pub fn columns(kind: &str) -> &'static [&'static str] {
    match kind {
        "pod" => &[
            "READY", "STATUS", "RESTARTS", "IP", "NODE", "CREATED", "OWNER",
        ],
        "node" => &["STATUS", "CONDITIONS", "TAINTS"],
        "event" => &["TYPE", "REASON", "OBJECT", "COUNT", "LAST SEEN", "MESSAGE"],
        "pipelinerun" => &["PIPELINE", "STATUS", "STARTED", "COMPLETED", "MESSAGE"],
        "deployment" | "statefulset" | "daemonset" => &[
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "IMAGES",
            "REVISION",
            "PAUSED",
        ],
        _ => &[],
    }
}

/// An object's namespace, name and recorded fields.
pub type Fields = (String, String, Vec<String>);

fn time(t: Option<Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

pub fn pod_fields(p: &PodRow) -> Fields {
    let f = vec![
        p.ready.clone(),
        p.status.clone(),
        p.restarts.to_string(),
        p.ip.clone(),
        p.node.clone(),
        time(p.created),
        p.owner
            .as_ref()
            .map(|(k, n)| format!("{}/{n}", k.to_ascii_lowercase()))
            .unwrap_or_default(),
    ];
    (p.namespace.clone(), p.name.clone(), f)
}

pub fn node_fields(n: &NodeFacts) -> Fields {
    let ready = n
        .conditions
        .iter()
        .find(|(t, _)| t == "Ready")
        .is_some_and(|(_, s)| s == "True");
    let mut status = if ready { "Ready" } else { "NotReady" }.to_string();
    if n.unschedulable {
        status.push_str(",SchedulingDisabled");
    }
    // The conditions that are not as a healthy node has them.
    let odd: Vec<String> = n
        .conditions
        .iter()
        .filter(|(t, s)| (t == "Ready") != (s == "True"))
        .filter(|(t, _)| t != "Ready")
        .map(|(t, s)| format!("{t}={s}"))
        .collect();
    let f = vec![status, odd.join(","), n.taints.join(",")];
    (String::new(), n.name.clone(), f)
}

pub fn event_fields(e: &EventRow) -> Fields {
    let f = vec![
        e.type_.clone(),
        e.reason.clone(),
        format!("{}/{}", e.object_kind.to_ascii_lowercase(), e.object_name),
        e.count.to_string(),
        time(e.last_seen),
        e.message.clone(),
    ];
    (e.namespace.clone(), e.name.clone(), f)
}

pub fn run_fields(r: &PipelineRunRow) -> Fields {
    let f = vec![
        r.pipeline.clone(),
        r.state.text(),
        time(r.started),
        time(r.completed),
        r.message.clone(),
    ];
    (r.namespace.clone(), r.name.clone(), f)
}

pub fn workload_fields(w: &WorkloadFacts) -> Fields {
    let f = vec![
        format!("{}/{}", w.ready, w.desired),
        w.updated.to_string(),
        w.available.to_string(),
        w.images.join(","),
        w.revision.clone(),
        w.paused.to_string(),
    ];
    (w.namespace.clone(), w.name.clone(), f)
}

/// Where a cluster's informers send what they record (the journal's writer, for that
/// cluster's journal). Cheap to clone.
#[derive(Clone)]
pub struct Tap(Arc<dyn Fn(Lines) + Send + Sync>);

/// Lines to record, made where they are written (the journal's writer thread, which runs
/// behind the screen): a list of 100,000 pods is 100,000 lines to format, work the informer's
/// task would otherwise do before its rows reach the screen.
pub struct Lines(Box<dyn FnOnce() -> Vec<StateLine> + Send>);

impl Lines {
    /// Lines already made.
    pub fn made(lines: Vec<StateLine>) -> Self {
        Self(Box::new(move || lines))
    }

    /// Lines `make` makes, when they are written.
    pub fn later(make: impl FnOnce() -> Vec<StateLine> + Send + 'static) -> Self {
        Self(Box::new(make))
    }

    pub fn make(self) -> Vec<StateLine> {
        (self.0)()
    }
}

impl std::fmt::Debug for Lines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Lines")
    }
}

impl Tap {
    pub fn new(send: impl Fn(Lines) + Send + Sync + 'static) -> Self {
        Self(Arc::new(send))
    }

    pub fn send(&self, lines: Vec<StateLine>) {
        if !lines.is_empty() {
            (self.0)(Lines::made(lines))
        }
    }

    /// An informer's recorder for one kind: its changes (when a recorded field changed) and its
    /// lists.
    pub fn kind<R>(&self, kind: &'static str, fields: fn(&R) -> Fields) -> KindTap<R> {
        KindTap {
            tap: self.clone(),
            kind,
            fields,
        }
    }
}

impl std::fmt::Debug for Tap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tap")
    }
}

/// One kind's recorder (see [`Tap::kind`]).
pub struct KindTap<R> {
    tap: Tap,
    kind: &'static str,
    fields: fn(&R) -> Fields,
}

impl<R> KindTap<R> {
    /// A row changed (or came, or went): its fields, when they differ.
    pub fn changed(&self, old: Option<&R>, new: Option<&R>) {
        let at = Timestamp::now();
        let line = match (old, new) {
            (_, Some(n)) => {
                let (ns, name, f) = (self.fields)(n);
                if old.is_some_and(|o| (self.fields)(o).2 == f) {
                    return;
                }
                StateLine::of(self.kind, &ns, &name, Some(f), at)
            }
            (Some(o), None) => {
                let (ns, name, _) = (self.fields)(o);
                StateLine::of(self.kind, &ns, &name, None, at)
            }
            (None, None) => return,
        };
        self.tap.send(vec![line]);
    }

    /// A full list: every row, replacing what was known of the kind. Its lines are made by
    /// the writer (see [`Lines`]), stamped with the time of the list.
    pub fn listed<T>(&self, rows: Vec<T>)
    where
        T: std::borrow::Borrow<R> + Send + 'static,
        R: 'static,
    {
        let at = Timestamp::now();
        let (kind, fields) = (self.kind, self.fields);
        (self.tap.0)(Lines::later(move || {
            let mut lines = Vec::with_capacity(rows.len() + 1);
            lines.push(StateLine::list(kind, at));
            lines.extend(rows.iter().map(|r| {
                let (ns, name, f) = fields(r.borrow());
                StateLine::of(kind, &ns, &name, Some(f), at)
            }));
            lines
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_line_reads_back_and_starts_with_its_kind() {
        let at = Timestamp::from_second(1_000).unwrap_or_default();
        let line = StateLine::of("pod", "demo", "web-1", Some(vec!["1/1".into()]), at);
        let text = serde_json::to_string(&line).unwrap_or_default();
        assert!(text.starts_with("{\"s\":\"pod\""), "{text}");
        assert_eq!(serde_json::from_str::<StateLine>(&text).ok(), Some(line));
        let gone = serde_json::to_string(&StateLine::of("pod", "demo", "web-1", None, at))
            .unwrap_or_default();
        assert!(!gone.contains("\"f\""), "{gone}");
        // Every kind's fields fit its columns.
        let node = NodeFacts {
            name: "n1".into(),
            conditions: vec![
                ("Ready".into(), "True".into()),
                ("MemoryPressure".into(), "True".into()),
                ("DiskPressure".into(), "False".into()),
            ],
            unschedulable: true,
            taints: vec!["k=v:NoSchedule".into()],
        };
        assert_eq!(
            node_fields(&node).2,
            [
                "Ready,SchedulingDisabled",
                "MemoryPressure=True",
                "k=v:NoSchedule"
            ]
        );
        assert_eq!(columns("node").len(), node_fields(&node).2.len());
        assert_eq!(
            columns("deployment").len(),
            workload_fields(&WorkloadFacts::default()).2.len()
        );
    }

    static FIELDS_MADE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    fn counted_fields(n: &NodeFacts) -> Fields {
        FIELDS_MADE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        node_fields(n)
    }

    /// A list's lines are made where they are written, not where the list was taken in.
    #[test]
    fn a_lists_lines_are_made_by_the_writer() {
        use std::sync::Mutex;
        let sent: Arc<Mutex<Vec<Lines>>> = Arc::default();
        let to = sent.clone();
        let tap = Tap::new(move |l| to.lock().unwrap_or_else(|e| e.into_inner()).push(l));
        let node = |name: &str| NodeFacts {
            name: name.into(),
            conditions: vec![("Ready".into(), "True".into())],
            unschedulable: false,
            taints: Vec::new(),
        };
        tap.kind("node", counted_fields)
            .listed(vec![node("n1"), node("n2")]);
        let mut sent = std::mem::take(&mut *sent.lock().unwrap_or_else(|e| e.into_inner()));
        assert_eq!(sent.len(), 1);
        assert_eq!(FIELDS_MADE.load(std::sync::atomic::Ordering::SeqCst), 0);
        let lines = sent.remove(0).make();
        assert_eq!(FIELDS_MADE.load(std::sync::atomic::Ordering::SeqCst), 2);
        let said: Vec<(&str, &str, Option<&str>)> = lines
            .iter()
            .map(|l| {
                let first = l.f.as_ref().and_then(|f| f.first()).map(String::as_str);
                (l.s.as_str(), l.n.as_str(), first)
            })
            .collect();
        assert_eq!(
            said,
            [
                ("node", "", None),
                ("node", "n1", Some("Ready")),
                ("node", "n2", Some("Ready"))
            ]
        );
        assert!(lines[0].list && lines.iter().all(|l| l.at == lines[0].at));
    }
}
