//! The rows of `:can-i` (a resource, and which verbs the current user has on it) and of
//! `:who-can` (a subject, the binding that grants it and the role).

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::access::{Grantee, ResourceVerbs};
use crate::kube::ids::ClusterId;
use crate::kube::pod_row::Health;

/// The verbs `:can-i` gives a column each; any other is listed under OTHER.
pub const VERB_COLUMNS: [&str; 7] = [
    "get", "list", "watch", "create", "update", "patch", "delete",
];

columns! {
    /// The columns of `:can-i`.
    pub enum CanICol {
        Resource = Col::new("RESOURCE", 48).shrink(9, 16),
        Get = Col::new("GET", 4),
        List = Col::new("LIST", 4),
        Watch = Col::new("WATCH", 5),
        Create = Col::new("CREATE", 6),
        Update = Col::new("UPDATE", 6),
        Patch = Col::new("PATCH", 5),
        Delete = Col::new("DELETE", 6),
        Other = Col::new("OTHER", 30).shrink(1, 5),
        Names = Col::new("ONLY NAMES", 30).shrink(0, 10).hide_below(100),
    }
}

/// One resource the current user has verbs on.
#[derive(Debug, Clone)]
pub struct CanIRow {
    pub cluster: ClusterId,
    pub rule: ResourceVerbs,
    key: String,
}

impl CanIRow {
    pub fn new(cluster: ClusterId, rule: ResourceVerbs) -> Self {
        let key = format!("{}/{}", rule.resource, rule.names.join(","));
        Self { cluster, rule, key }
    }

    fn has(&self, verb: &str) -> bool {
        self.rule.verbs.iter().any(|v| v == verb || v == "*")
    }

    fn mark(&self, verb: &str) -> String {
        if self.has(verb) { "✓" } else { "·" }.to_string()
    }
}

impl TableRow for CanIRow {
    type Column = CanICol;

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
        super::table::cmp_text(self, o, col)
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.key.cmp(&o.key)
    }

    fn cell(&self, col: Self::Column, _now: Timestamp) -> String {
        match col {
            CanICol::Resource => self.rule.resource.clone(),
            CanICol::Get => self.mark("get"),
            CanICol::List => self.mark("list"),
            CanICol::Watch => self.mark("watch"),
            CanICol::Create => self.mark("create"),
            CanICol::Update => self.mark("update"),
            CanICol::Patch => self.mark("patch"),
            CanICol::Delete => self.mark("delete"),
            CanICol::Other => self
                .rule
                .verbs
                .iter()
                .filter(|v| !VERB_COLUMNS.contains(&v.as_str()))
                .cloned()
                .collect::<Vec<_>>()
                .join(","),
            CanICol::Names => self.rule.names.join(","),
        }
    }

    /// Full rights (`*`) stand out; a rule limited to names is dimmer news.
    fn health(&self) -> Health {
        if self.has("*") {
            Health::Warning
        } else {
            Health::Ok
        }
    }
}

columns! {
    /// The columns of `:who-can`.
    pub enum WhoCanCol {
        Kind = Col::new("KIND", 14),
        Subject = Col::new("SUBJECT", 50).shrink(4, 12),
        Namespace = Col::new("SA NAMESPACE", 16).shrink(1, 8),
        Binding = Col::new("BINDING", 60).shrink(3, 12),
        Role = Col::new("ROLE", 50).shrink(2, 12),
    }
}

/// One subject that may do what was asked.
#[derive(Debug, Clone)]
pub struct WhoCanRow {
    pub cluster: ClusterId,
    pub grantee: Grantee,
    key: String,
}

impl WhoCanRow {
    pub fn new(cluster: ClusterId, grantee: Grantee) -> Self {
        let key = format!(
            "{}/{}/{}/{}",
            grantee.kind, grantee.name, grantee.binding_kind, grantee.binding
        );
        Self {
            cluster,
            grantee,
            key,
        }
    }
}

impl TableRow for WhoCanRow {
    type Column = WhoCanCol;

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
        super::table::cmp_text(self, o, col)
    }

    /// The order the bindings were found in (cluster-wide first).
    fn tiebreak(&self, _o: &Self) -> Ordering {
        Ordering::Equal
    }

    fn cell(&self, col: Self::Column, _now: Timestamp) -> String {
        let g = &self.grantee;
        match col {
            WhoCanCol::Kind => g.kind.clone(),
            WhoCanCol::Subject => g.name.clone(),
            WhoCanCol::Namespace => g.namespace.clone().unwrap_or_default(),
            WhoCanCol::Binding => format!("{}/{}", g.binding_kind, g.binding),
            WhoCanCol::Role => g.role.clone(),
        }
    }

    fn health(&self) -> Health {
        Health::Ok
    }
}
