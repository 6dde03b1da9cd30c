//! The rows of `:timeline`: TIME, (CLUSTER,) OBJECT, CHANGE, DETAIL, newest first. A row's
//! filter text also holds `kind=KIND` and `ns=NAMESPACE`, so `/kind=pod` and `/ns=demo` pick
//! them out.

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::Health;
use crate::kube::timeline::{Change, Record};

columns! {
    /// The columns of `:timeline`.
    pub enum TimelineCol {
        Time = Col::new("TIME", 19),
        Object = Col::new("OBJECT", 60).shrink(6, 16),
        Change = Col::new("CHANGE", 13),
        Detail = Col::new("DETAIL", 120).shrink(2, 10),
    }
}

#[derive(Debug, Clone)]
pub struct TimelineRow {
    pub cluster: ClusterId,
    pub record: Record,
    /// Its place in the timeline (unique, increasing with time of arrival).
    pub seq: u64,
    key: String,
    filter: String,
}

impl TimelineRow {
    pub fn new(cluster: ClusterId, record: Record, seq: u64) -> Self {
        let key = seq.to_string();
        let filter = format!("kind={} ns={}", record.kind, record.namespace);
        Self {
            cluster,
            record,
            seq,
            key,
            filter,
        }
    }
}

impl TimelineRow {
    /// The object it is about, when `Enter`, `d` and `y` can reach it (pods, nodes,
    /// PipelineRuns, Deployments, StatefulSets, DaemonSets).
    pub fn object(&self) -> Option<ObjectRef> {
        use crate::kube::xray::{XKind, api_info};
        let workload = |k: XKind| {
            Some(ObjectRef::of_api(
                &self.cluster,
                &std::sync::Arc::new(api_info(k)),
                &self.record.namespace,
                &self.record.name,
            ))
        };
        let kind = match self.record.kind.as_str() {
            "pod" => ResourceKind::Pods,
            "node" => ResourceKind::Nodes,
            "pipelinerun" => ResourceKind::PipelineRuns,
            "deployment" => return workload(XKind::Deployment),
            "statefulset" => return workload(XKind::StatefulSet),
            "daemonset" => return workload(XKind::DaemonSet),
            _ => return None,
        };
        Some(ObjectRef::new(
            &self.cluster,
            kind,
            &self.record.namespace,
            &self.record.name,
        ))
    }
}

/// The timeline as shown (filter and sort), each change whole: as CSV (TIME in RFC 3339,
/// CLUSTER, KIND, NAMESPACE, NAME, CHANGE, DETAIL, ATTENTION) or as JSON lines (the journal's
/// own fields and the cluster).
pub fn export(table: &super::table::Table<TimelineRow>, jsonl: bool) -> String {
    let field = |t: &str| {
        if t.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", t.replace('"', "\"\""))
        } else {
            t.to_string()
        }
    };
    let mut out = if jsonl {
        String::new()
    } else {
        "TIME,CLUSTER,KIND,NAMESPACE,NAME,CHANGE,DETAIL,ATTENTION\n".to_string()
    };
    for i in 0..table.len() {
        let Some(row) = table.row(i) else { continue };
        let r = &row.record;
        if jsonl {
            let mut v = serde_json::to_value(r).unwrap_or_default();
            v["cluster"] = row.cluster.context().into();
            out.push_str(&v.to_string());
        } else {
            let cells = [
                r.at.to_string(),
                row.cluster.context().to_string(),
                r.kind.clone(),
                r.namespace.clone(),
                r.name.clone(),
                r.change.text().to_string(),
                r.detail.clone(),
                r.attention.to_string(),
            ];
            out.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
        }
        out.push('\n');
    }
    out
}

/// `HH:MM:SS` today, else `YYYY-MM-DD HH:MM` (UTC, as the "as of" times are).
pub fn when(at: Timestamp, now: Timestamp) -> String {
    if now.as_second() - at.as_second() < 20 * 3600 {
        at.strftime("%H:%M:%S").to_string()
    } else {
        at.strftime("%Y-%m-%d %H:%M").to_string()
    }
}

impl TableRow for TimelineRow {
    type Column = TimelineCol;
    /// Newest first.
    const DEFAULT_SORT: (usize, bool) = (0, true);

    fn key(&self) -> &str {
        &self.key
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let r = &self.record;
        vec![
            Cow::Owned(r.object()),
            Cow::Borrowed(r.change.text()),
            Cow::Borrowed(r.detail.as_str()),
            Cow::Borrowed(self.filter.as_str()),
        ]
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            TimelineCol::Time => (self.record.at, self.seq).cmp(&(o.record.at, o.seq)),
            _ => super::table::cmp_text(self, o, col),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        o.seq.cmp(&self.seq)
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        let r = &self.record;
        match col {
            TimelineCol::Time => when(r.at, now),
            TimelineCol::Object => r.object(),
            TimelineCol::Change => r.change.text().to_string(),
            TimelineCol::Detail => r.detail.clone(),
        }
    }

    fn health(&self) -> Health {
        match self.record.change {
            Change::Failed | Change::Evicted | Change::NotReady | Change::Warning => Health::Error,
            _ if self.record.attention => Health::Warning,
            Change::Deleted | Change::Watching => Health::Done,
            _ => Health::Ok,
        }
    }

    fn flagged(&self) -> bool {
        self.record.attention
    }
}
