//! The contexts table: every context in the kubeconfig, the current one marked.

use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::client::KubeconfigSource;
use crate::kube::pod_row::Health;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextRow {
    pub name: String,
    pub cluster: String,
    pub user: String,
    pub namespace: String,
    pub server: String,
    /// Shown now (one of the clusters in view).
    pub current: bool,
    /// Chosen with Space in the contexts view, to be shown together (Enter).
    pub marked: bool,
}

columns! {
    /// The columns of the ContextRow table, in display order.
    pub enum ContextCol {
        Name = Col::new("NAME", 64).shrink(250, 12),
        Cluster = Col::new("CLUSTER", 40).shrink(1, 8),
        User = Col::new("USER", 40).shrink(0, 6).hide_below(90),
        Namespace = Col::new("NAMESPACE", 30).shrink(2, 8),
        Server = Col::new("SERVER", 60).shrink(3, 10).hide_below(110),
    }
}

impl TableRow for ContextRow {
    type Column = ContextCol;

    fn key(&self) -> &str {
        &self.name
    }

    fn fields(&self) -> Vec<std::borrow::Cow<'_, str>> {
        let f = [
            &self.name,
            &self.cluster,
            &self.user,
            &self.namespace,
            &self.server,
        ];
        f.into_iter().map(|s| s.as_str().into()).collect()
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        match col {
            ContextCol::Name => self.name.cmp(&o.name),
            ContextCol::Cluster => self.cluster.cmp(&o.cluster),
            ContextCol::User => self.user.cmp(&o.user),
            ContextCol::Namespace => self.namespace.cmp(&o.namespace),
            _ => self.server.cmp(&o.server),
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.name.cmp(&o.name)
    }

    fn cell(&self, col: Self::Column, _now: Timestamp) -> String {
        match col {
            ContextCol::Name => {
                let mark = if self.marked { "[x] " } else { "" };
                let current = if self.current { " (current)" } else { "" };
                format!("{mark}{}{current}", self.name)
            }
            ContextCol::Cluster => self.cluster.clone(),
            ContextCol::User => self.user.clone(),
            ContextCol::Namespace => self.namespace.clone(),
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

/// The contexts table's rows: every context in the kubeconfig, those shown `current`.
pub fn context_rows(
    src: &KubeconfigSource,
    current: &[crate::kube::ids::ClusterId],
) -> Vec<std::sync::Arc<ContextRow>> {
    src.config
        .contexts
        .iter()
        .map(|c| {
            let ctx = c.context.clone().unwrap_or_default();
            std::sync::Arc::new(ContextRow {
                name: c.name.clone(),
                cluster: ctx.cluster.clone(),
                user: ctx.user.clone().unwrap_or_default(),
                namespace: ctx.namespace.clone().unwrap_or_default(),
                server: src.server_of(&c.name),
                current: current.iter().any(|id| id.context() == c.name),
                marked: false,
            })
        })
        .collect()
}

/// Change every context row with `f` (the table keeps its cursor and sort).
pub fn change_rows(table: &mut super::table::Table<ContextRow>, f: impl Fn(&mut ContextRow)) {
    let rows = table
        .all_rows()
        .iter()
        .map(|r| {
            let mut r = (**r).clone();
            f(&mut r);
            std::sync::Arc::new(r)
        })
        .collect();
    table.set_rows(rows);
}
