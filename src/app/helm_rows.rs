//! The rows of `:helm` (each release's newest revision, as `helm list` prints it) and of a
//! release's history (as `helm history` prints it).

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::helm::Summary;
use crate::kube::ids::ClusterId;
use crate::kube::pod_row::Health;

columns! {
    /// The columns of `:helm`, as `helm list` prints them.
    pub enum HelmCol {
        Name = Col::new("NAME", 30).shrink(9, 10),
        Namespace = Col::new("NAMESPACE", 20).shrink(5, 8),
        Revision = Col::new("REVISION", 8),
        Updated = Col::new("UPDATED", 8),
        Status = Col::new("STATUS", 14),
        Chart = Col::new("CHART", 30).shrink(4, 10),
        AppVersion = Col::new("APP VERSION", 12).shrink(1, 6),
    }
}

columns! {
    /// The columns of a release's history, as `helm history` prints them.
    pub enum HistoryCol {
        Revision = Col::new("REVISION", 8),
        Updated = Col::new("UPDATED", 8),
        Status = Col::new("STATUS", 14),
        Chart = Col::new("CHART", 24).shrink(2, 10),
        AppVersion = Col::new("APP VERSION", 12).shrink(1, 6),
        Description = Col::new("DESCRIPTION", 80).shrink(9, 12),
    }
}

fn health(status: &str) -> Health {
    match status {
        "deployed" | "superseded" | "uninstalled" => Health::Ok,
        "failed" => Health::Error,
        _ => Health::Pending,
    }
}

/// One release (its newest revision), or one revision in a history.
#[derive(Debug, Clone)]
pub struct HelmRow {
    pub cluster: ClusterId,
    pub release: Summary,
    key: String,
}

impl HelmRow {
    pub fn new(cluster: ClusterId, release: Summary) -> Self {
        let key = release.secret.clone();
        Self {
            cluster,
            release,
            key,
        }
    }

    /// How long ago it was deployed, as AGE columns say it (narrow terminals keep it whole).
    fn updated(&self, now: Timestamp) -> String {
        self.release
            .updated
            .map(|t| crate::kube::age::since(Some(t), now))
            .unwrap_or_default()
    }
}

impl TableRow for HelmRow {
    type Column = HelmCol;

    fn key(&self) -> &str {
        &self.key
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        super::table::timeless_fields(self)
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            HelmCol::Revision => self.release.revision.cmp(&o.release.revision),
            HelmCol::Updated => o.release.updated.cmp(&self.release.updated),
            _ => super::table::cmp_text(self, o, col),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        (&self.release.namespace, &self.release.name).cmp(&(&o.release.namespace, &o.release.name))
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        let r = &self.release;
        match col {
            HelmCol::Name => r.name.clone(),
            HelmCol::Namespace => r.namespace.clone(),
            HelmCol::Revision => r.revision.to_string(),
            HelmCol::Updated => self.updated(now),
            HelmCol::Status => r.status.clone(),
            HelmCol::Chart => r.chart.clone(),
            HelmCol::AppVersion => r.app_version.clone(),
        }
    }

    fn health(&self) -> Health {
        health(&self.release.status)
    }
}

/// One revision of the release whose history is shown.
#[derive(Debug, Clone)]
pub struct RevisionRow(pub HelmRow);

impl TableRow for RevisionRow {
    type Column = HistoryCol;
    /// Newest first.
    const DEFAULT_SORT: (usize, bool) = (0, true);

    fn key(&self) -> &str {
        self.0.key()
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.0.cluster)
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        super::table::timeless_fields(self)
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            HistoryCol::Revision => self.0.release.revision.cmp(&o.0.release.revision),
            _ => super::table::cmp_text(self, o, col),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        o.0.release.revision.cmp(&self.0.release.revision)
    }

    fn cell(&self, col: Self::Column, now: Timestamp) -> String {
        let r = &self.0.release;
        match col {
            HistoryCol::Revision => r.revision.to_string(),
            HistoryCol::Updated => self.0.updated(now),
            HistoryCol::Status => r.status.clone(),
            HistoryCol::Chart => r.chart.clone(),
            HistoryCol::AppVersion => r.app_version.clone(),
            HistoryCol::Description => r.description.clone(),
        }
    }

    fn health(&self) -> Health {
        health(&self.0.release.status)
    }
}
