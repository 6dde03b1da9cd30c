//! The rows of the time-travel table (`:at`): one object of one kind as the journal recorded
//! it, with that kind's columns (set at run time). Times are shown as ages at the moment.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::ids::ClusterId;
use crate::kube::pod_row::Health;

columns! {
    /// Placeholder: the columns are the kind's, set at run time.
    pub enum AsOfCol {
        Name = Col::new("NAME", 64),
    }
}

#[derive(Debug, Clone)]
pub struct AsOfRow {
    pub cluster: ClusterId,
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub fields: Vec<String>,
    /// The moment: times are shown as ages then.
    pub at: Timestamp,
    key: String,
}

/// The recorded columns holding times (shown as ages at the moment).
const TIMES: [&str; 4] = ["CREATED", "LAST SEEN", "STARTED", "COMPLETED"];

impl AsOfRow {
    pub fn new(
        cluster: ClusterId,
        kind: &'static str,
        (namespace, name): (String, String),
        fields: Vec<String>,
        at: Timestamp,
    ) -> Self {
        let key = format!("{}/{kind}/{namespace}/{name}", cluster.context());
        Self {
            cluster,
            kind,
            namespace,
            name,
            fields,
            at,
            key,
        }
    }

    fn namespaced(&self) -> bool {
        self.kind != "node"
    }

    /// The text of the column at `index` (NAMESPACE, NAME, then the recorded fields).
    fn text(&self, index: usize) -> String {
        let first = usize::from(self.namespaced());
        if self.namespaced() && index == 0 {
            return self.namespace.clone();
        }
        if index == first {
            return self.name.clone();
        }
        let i = index - first - 1;
        let value = self.fields.get(i).cloned().unwrap_or_default();
        let title = crate::kube::recorded::columns(self.kind).get(i).copied();
        match (title, value.parse::<Timestamp>()) {
            (Some(t), Ok(when)) if TIMES.contains(&t) => {
                crate::kube::age::since(Some(when), self.at)
            }
            _ => value,
        }
    }
}

/// A kind's columns: NAMESPACE (namespaced kinds), NAME, its recorded fields (a pod's
/// CREATED as AGE, at the moment).
pub fn columns_of(kind: &str) -> Arc<[Col]> {
    let mut cols = Vec::new();
    if kind != "node" {
        cols.push(Col::new("NAMESPACE", 30).shrink(200, 6).namespace());
    }
    // An event's name says nothing a person reads (kubectl's event list leaves it out).
    cols.push(if kind == "event" {
        Col::new("NAME", 64).shrink(1, 6).hide_below(200)
    } else {
        Col::new("NAME", 64).shrink(250, 10)
    });
    // What a narrow terminal keeps: the state (READY, STATUS...) before where (IP, NODE) and
    // the long texts, which are squeezed first.
    for title in crate::kube::recorded::columns(kind) {
        let col = match *title {
            "CREATED" => Col::new("AGE", 8).shrink(215, 3),
            "READY" | "STATUS" | "TYPE" | "REASON" | "COUNT" => Col::new(title, 30).shrink(230, 5),
            "RESTARTS" | "UP-TO-DATE" | "AVAILABLE" | "REVISION" => {
                Col::new(title, 12).shrink(220, 3)
            }
            "IP" => Col::new(title, 16).shrink(100, 4).hide_below(110),
            "OWNER" => Col::new(title, 40).shrink(50, 4).hide_below(130),
            "MESSAGE" | "IMAGES" | "TAINTS" | "CONDITIONS" => Col::new(title, 80).shrink(0, 8),
            t => Col::new(t, 30).shrink(100, 4),
        };
        cols.push(col);
    }
    cols.into()
}

impl TableRow for AsOfRow {
    type Column = AsOfCol;

    fn key(&self) -> &str {
        &self.key
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        let mut out = vec![
            Cow::Borrowed(self.namespace.as_str()),
            Cow::Borrowed(self.name.as_str()),
        ];
        out.extend(self.fields.iter().map(|f| Cow::Borrowed(f.as_str())));
        out
    }

    fn cmp_col(&self, other: &Self, _col: Self::Column) -> Ordering {
        self.cmp_at(other, 0)
    }

    fn cmp_at(&self, other: &Self, index: usize) -> Ordering {
        self.text(index).cmp(&other.text(index))
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        (&self.namespace, &self.name).cmp(&(&o.namespace, &o.name))
    }

    fn cell(&self, _col: Self::Column, _now: Timestamp) -> String {
        self.text(0)
    }

    fn cell_at(&self, index: usize, _now: Timestamp) -> String {
        self.text(index)
    }

    fn health(&self) -> Health {
        let text = self.fields.join(" ").to_ascii_lowercase();
        if [
            "crash",
            "error",
            "failed",
            "notready",
            "oomkilled",
            "evicted",
            "pressure=true",
        ]
        .iter()
        .any(|w| text.contains(w))
        {
            Health::Error
        } else if self.kind == "event" && self.fields.first().is_some_and(|t| t == "Warning") {
            Health::Warning
        } else if ["pending", "terminating", "schedulingdisabled", "running"]
            .iter()
            .any(|w| text.contains(w))
            && self.kind != "pod"
        {
            Health::Pending
        } else {
            Health::Ok
        }
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pods_row_then() {
        let at: Timestamp = "2026-12-06T03:12:00Z".parse().unwrap_or_default();
        let row = AsOfRow::new(
            ClusterId::new("prod"),
            "pod",
            ("demo".into(), "web-1".into()),
            vec![
                "0/1".into(),
                "CrashLoopBackOff".into(),
                "7".into(),
                "10.0.0.5".into(),
                "worker-1".into(),
                "2026-12-06T01:12:00Z".into(),
                "replicaset/web-7d".into(),
            ],
            at,
        );
        let cells: Vec<String> = (0..9).map(|i| row.cell_at(i, Timestamp::now())).collect();
        assert_eq!(
            cells,
            [
                "demo",
                "web-1",
                "0/1",
                "CrashLoopBackOff",
                "7",
                "10.0.0.5",
                "worker-1",
                "120m",
                "replicaset/web-7d"
            ]
        );
        assert_eq!(columns_of("pod").len(), 9);
        assert_eq!(columns_of("node")[0].title, "NAME");
        assert_eq!(row.health(), Health::Error);
    }
}
