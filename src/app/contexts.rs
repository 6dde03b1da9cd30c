//! The contexts table: every context in the kubeconfig, the current one marked.

use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow};
use crate::kube::pod_row::Health;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRow {
    pub name: String,
    pub cluster: String,
    pub user: String,
    pub namespace: String,
    pub server: String,
    pub current: bool,
}

impl TableRow for ContextRow {
    const COLUMNS: &'static [Col] = &[
        Col::new("NAME", 64).shrink(250, 12),
        Col::new("CLUSTER", 40).shrink(1, 8),
        Col::new("USER", 40).shrink(0, 6).hide_below(90),
        Col::new("NAMESPACE", 30).shrink(2, 8),
        Col::new("SERVER", 60).shrink(3, 10).hide_below(110),
    ];

    fn key(&self) -> &str {
        &self.name
    }

    fn fields(&self) -> Vec<&str> {
        vec![&self.name, &self.cluster, &self.user, &self.server]
    }

    fn cmp_col(&self, o: &Self, col: usize) -> Ordering {
        match col {
            0 => self.name.cmp(&o.name),
            1 => self.cluster.cmp(&o.cluster),
            2 => self.user.cmp(&o.user),
            3 => self.namespace.cmp(&o.namespace),
            _ => self.server.cmp(&o.server),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: usize, _now: Timestamp) -> String {
        match col {
            0 if self.current => format!("{} (current)", self.name),
            0 => self.name.clone(),
            1 => self.cluster.clone(),
            2 => self.user.clone(),
            3 => self.namespace.clone(),
            _ => self.server.clone(),
        }
    }

    fn health(&self) -> Health {
        if self.current {
            Health::Ok
        } else {
            Health::Done
        }
    }
}
