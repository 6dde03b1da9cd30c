//! Contexts: the contexts table (every context in the kubeconfig, those shown current), and
//! what the config says of contexts: named sets, production-like patterns (`*` matches any
//! text) and the kinds watched per context.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::client::KubeconfigSource;
use crate::kube::informer::ResourceKind;
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
                let current = if self.current { " (current)" } else { "" };
                format!("{}{current}", self.name)
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

/// `*` in `pattern` matches any text (kubeconfig context names are free-form).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// The contexts `name` stands for among `sets` (`[clusters]`): its set, or itself.
pub fn expand_set(sets: &BTreeMap<String, Vec<String>>, name: &str) -> Vec<String> {
    sets.get(name)
        .cloned()
        .unwrap_or_else(|| vec![name.to_string()])
}

/// The kinds `[watch]` gives `context`: those of the first entry whose pattern matches, or
/// every kind.
pub fn watched_kinds(watch: &BTreeMap<String, Vec<String>>, context: &str) -> Vec<ResourceKind> {
    match watch
        .iter()
        .find(|(pattern, _)| glob_match(pattern, context))
    {
        Some((_, kinds)) => ResourceKind::WATCHABLE
            .into_iter()
            .filter(|k| kinds.iter().any(|n| n == k.label()))
            .collect(),
        None => ResourceKind::WATCHABLE.to_vec(),
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    #[test]
    fn sets_patterns_and_watched_kinds() {
        let sets = BTreeMap::from([("prod".to_string(), vec!["eu-1".into(), "us-1".into()])]);
        assert_eq!(expand_set(&sets, "prod"), ["eu-1", "us-1"]);
        assert_eq!(expand_set(&sets, "test"), ["test"]);
        let watch = BTreeMap::from([(
            "staging-*".to_string(),
            vec!["pods".to_string(), "nodes".to_string()],
        )]);
        use ResourceKind as K;
        assert_eq!(watched_kinds(&watch, "staging-eu"), [K::Pods, K::Nodes]);
        assert_eq!(watched_kinds(&watch, "prod-eu"), K::WATCHABLE);
        assert!(glob_match("prod-*", "prod-eu-1"));
        assert!(glob_match("*-prod-*", "eu-prod-1"));
        assert!(!glob_match("prod-*", "staging"));
        assert!(!glob_match("eu-1", "eu-10"));
    }
}
