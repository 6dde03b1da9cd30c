//! The resource view: any kind the server serves (found by discovery), as the server's own
//! Table, the columns `kubectl get` prints, with a NAMESPACE column across namespaces and the
//! `-o wide` columns on wide terminals. Ages tick (the server computes them when it sends a
//! row). And the rows of `:api-resources`, the list of every kind. (Opening them: `kinds`.)

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::k9s_files::{ViewColumn, ViewSetting};
use crate::kube::age;
use crate::kube::discovery::ApiResourceInfo;
use crate::kube::ids::ClusterId;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::Health;
use crate::kube::server_table::{Cell, ColumnDef, GenericRow};

/// Which resource the view shows, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceShown {
    pub api: Arc<ApiResourceInfo>,
    /// `:KIND NAMESPACE`: this namespace whatever the scope; `None`: the scope's.
    pub namespace: Option<String>,
    /// The user's own columns for this kind (k9s's views.yaml), if any.
    pub view: Option<Arc<crate::k9s_files::ViewSetting>>,
}

impl ResourceShown {
    /// The paths the user's own columns read from the objects, in their order.
    pub fn paths(&self) -> Vec<String> {
        self.view
            .iter()
            .flat_map(|v| v.columns.iter())
            .filter_map(|c| match c {
                crate::k9s_files::ViewColumn::Path { path, .. } => Some(path.clone()),
                crate::k9s_files::ViewColumn::Named(_) => None,
            })
            .collect()
    }

    /// The namespace to list in (`None`: all, or a cluster-scoped resource).
    pub fn list_namespace(&self, scope: &crate::kube::ids::Scope) -> Option<String> {
        if !self.api.namespaced {
            return None;
        }
        self.namespace
            .clone()
            .or_else(|| scope.namespace().map(str::to_string))
    }
}

/// Where a column of the view reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// The object's namespace.
    Namespace,
    /// The server's column at this index.
    Server(usize),
    /// The user's own column at this index (a path read from the object).
    Extra(usize),
}

/// How a server Table's columns (and the user's own, views.yaml) map onto the view's.
#[derive(Debug, Clone)]
pub struct Layout {
    pub api: Arc<ApiResourceInfo>,
    /// A NAMESPACE column comes first (namespaced kinds).
    pub namespace_col: bool,
    pub columns: Arc<Vec<ColumnDef>>,
    /// The server column that is the object's age (computed here, so it ticks).
    pub age: Option<usize>,
    /// The user's own columns this layout was made with.
    pub view: Option<Arc<ViewSetting>>,
    /// Each view column's source, in order.
    slots: Vec<Slot>,
    /// The view's columns, made once per set of server columns.
    cols: Arc<[Col]>,
}

impl Layout {
    pub fn new(
        api: Arc<ApiResourceInfo>,
        columns: Arc<Vec<ColumnDef>>,
        view: Option<Arc<ViewSetting>>,
    ) -> Self {
        let age = columns.iter().position(|c| c.name == "Age");
        let (slots, cols) = match &view {
            Some(v) => custom_cols(api.namespaced, &columns, v),
            None => {
                let slots = api
                    .namespaced
                    .then_some(Slot::Namespace)
                    .into_iter()
                    .chain((0..columns.len()).map(Slot::Server))
                    .collect();
                (slots, view_cols(api.namespaced, &columns))
            }
        };
        Self {
            namespace_col: api.namespaced,
            api,
            columns,
            age,
            view,
            slots,
            cols,
        }
    }

    pub fn cols(&self) -> Arc<[Col]> {
        self.cols.clone()
    }

    /// Where the view column at `i` reads from.
    fn slot(&self, i: usize) -> Option<Slot> {
        self.slots.get(i).copied()
    }

    /// The server column at view index `i`.
    pub fn server_index(&self, i: usize) -> Option<usize> {
        match self.slot(i) {
            Some(Slot::Server(s)) => Some(s),
            _ => None,
        }
    }

    /// The column the user's view sorts by (views.yaml `sortColumn`), and whether descending.
    pub fn sort(&self) -> Option<(usize, bool)> {
        let (title, descending) = self.view.as_ref()?.sort.clone()?;
        let at = self.cols.iter().position(|c| c.title == title)?;
        Some((at, descending))
    }
}

/// A server column as the view shows it: its title upper-cased as kubectl does, the name
/// squeezed last, then from the right (kubectl puts what matters first); `-o wide` ones on
/// wide terminals only.
fn server_col(i: usize, c: &ColumnDef) -> Col {
    let mut col = Col::new("", 60);
    col.title = Cow::Owned(c.name.to_uppercase());
    col.max = if c.format == "name" { 64 } else { 60 };
    let rank = if c.format == "name" {
        250
    } else {
        100u8.saturating_sub(u8::try_from(i).unwrap_or(100))
    };
    col = col.shrink(rank, 5);
    if c.priority > 0 {
        col = col.hide_below(150);
    }
    col
}

fn namespace_col() -> Col {
    Col::new("NAMESPACE", 30).shrink(200, 6).namespace()
}

/// The view's columns: NAMESPACE (hidden in one namespace), the server's (priority-0 ones
/// always, the `-o wide` ones on wide terminals).
fn view_cols(namespaced: bool, columns: &[ColumnDef]) -> Arc<[Col]> {
    let ns = namespaced.then(namespace_col);
    let server = columns.iter().enumerate().map(|(i, c)| server_col(i, c));
    ns.into_iter().chain(server).collect()
}

/// The user's own columns (k9s's views.yaml), in their order: the server's columns they name,
/// the paths they read; NAMESPACE first unless they place it; the server's other columns
/// after them, shown only wide (Ctrl-w), as k9s does.
fn custom_cols(
    namespaced: bool,
    columns: &[ColumnDef],
    view: &ViewSetting,
) -> (Vec<Slot>, Arc<[Col]>) {
    let mut slots = Vec::new();
    let mut cols = Vec::new();
    let named = |title: &str| {
        view.columns
            .iter()
            .any(|c| matches!(c, ViewColumn::Named(t) if t == title))
    };
    if namespaced && !named("NAMESPACE") {
        slots.push(Slot::Namespace);
        cols.push(namespace_col());
    }
    let mut extra = 0;
    for c in &view.columns {
        match c {
            ViewColumn::Named(title) if title == "NAMESPACE" && namespaced => {
                slots.push(Slot::Namespace);
                cols.push(namespace_col());
            }
            ViewColumn::Named(title) => {
                if let Some(i) = columns.iter().position(|d| d.name.to_uppercase() == *title) {
                    slots.push(Slot::Server(i));
                    let mut col = server_col(i, &columns[i]);
                    // Chosen: shown at any width the table has room for.
                    col.hide_below = 0;
                    cols.push(col);
                }
            }
            ViewColumn::Path { title, wide, .. } => {
                slots.push(Slot::Extra(extra));
                extra += 1;
                let mut col = Col::new("", 40).shrink(50, 5);
                col.title = Cow::Owned(title.clone());
                if *wide {
                    col = col.hide_below(u16::MAX);
                }
                cols.push(col);
            }
        }
    }
    for (i, d) in columns.iter().enumerate() {
        if !slots.contains(&Slot::Server(i)) {
            slots.push(Slot::Server(i));
            cols.push(server_col(i, d).hide_below(u16::MAX));
        }
    }
    (slots, cols.into())
}

/// One row of the resource view: the server's row and how to read it.
#[derive(Debug, Clone)]
pub struct ResourceRow {
    /// The cluster the row came from (stamped by its informer; empty outside one).
    pub cluster: crate::kube::ids::ClusterId,
    pub row: Arc<GenericRow>,
    pub layout: Arc<Layout>,
}

impl ResourceRow {
    /// The cell of the server column named `name` (`Selector`, `Reference`).
    pub fn cell_named(&self, name: &str) -> Option<String> {
        let i = self.layout.columns.iter().position(|c| c.name == name)?;
        self.row.cells.get(i).map(Cell::text)
    }

    fn text(&self, i: usize, now: Timestamp) -> String {
        match self.layout.slot(i) {
            Some(Slot::Namespace) => self.row.namespace.clone(),
            Some(Slot::Server(s)) if Some(s) == self.layout.age && self.row.created.is_some() => {
                age::since(self.row.created, now)
            }
            Some(Slot::Server(s)) => self.row.cells.get(s).map(Cell::text).unwrap_or_default(),
            Some(Slot::Extra(e)) => self.row.extra.get(e).cloned().unwrap_or_default(),
            None => String::new(),
        }
    }
}

/// `5m12s` as seconds (for sorting ages and durations as times, not text).
fn duration(text: &str) -> Option<i64> {
    let (mut total, mut number, mut any) = (0i64, 0i64, false);
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            number = number * 10 + i64::from(d);
            any = true;
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'y' => 365 * 86_400,
            _ => return None,
        };
        total += number * unit;
        number = 0;
    }
    (any && number == 0).then_some(total)
}

/// Numbers as numbers, durations as durations, `3/4` by its first number, else as text.
fn natural(a: &Cell, b: &Cell) -> Ordering {
    let number = |c: &Cell| match c {
        Cell::Int(n) => Some(*n as f64),
        Cell::Float(f) => Some(*f),
        Cell::Text(t) => duration(t).map(|d| d as f64).or_else(|| {
            t.split('/')
                .next()
                .and_then(|n| n.trim().parse::<f64>().ok())
        }),
        _ => None,
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => a.text().cmp(&b.text()),
    }
}

columns! {
    /// Placeholder: a resource table's columns are the server's, set at run time.
    pub enum ResourceCol {
        Cell = Col::new("NAME", 64),
    }
}

impl TableRow for ResourceRow {
    type Column = ResourceCol;

    fn key(&self) -> &str {
        &self.row.uid
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        // Every cell but the age (which ticks: a filter on it would flicker).
        (0..self.layout.slots.len())
            .filter(|i| self.layout.slot(*i) != self.layout.age.map(Slot::Server))
            .map(|i| Cow::Owned(self.text(i, Timestamp::UNIX_EPOCH)))
            .collect()
    }

    fn label(&self, key: &str) -> Option<&str> {
        self.row.labels.get(key).map(String::as_str)
    }

    fn cmp_col(&self, other: &Self, _col: Self::Column) -> Ordering {
        self.cmp_at(other, 0)
    }

    fn cmp_at(&self, other: &Self, index: usize) -> Ordering {
        match self.layout.slot(index) {
            Some(Slot::Namespace) => self.row.namespace.cmp(&other.row.namespace),
            // Youngest first, as ages ascending.
            Some(Slot::Server(s)) if Some(s) == self.layout.age => {
                other.row.created.cmp(&self.row.created)
            }
            Some(Slot::Server(s)) => match (self.row.cells.get(s), other.row.cells.get(s)) {
                (Some(a), Some(b)) => natural(a, b),
                _ => Ordering::Equal,
            },
            Some(Slot::Extra(e)) => {
                let cell = |r: &Self| Cell::Text(r.row.extra.get(e).cloned().unwrap_or_default());
                natural(&cell(self), &cell(other))
            }
            None => Ordering::Equal,
        }
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        (&self.row.namespace, &self.row.name).cmp(&(&o.row.namespace, &o.row.name))
    }

    fn cell(&self, _col: Self::Column, now: Timestamp) -> String {
        self.text(0, now)
    }

    fn cell_at(&self, index: usize, now: Timestamp) -> String {
        self.text(index, now)
    }

    /// Read from the cells a person reads: a status or phase that says it failed, a ready
    /// count short of its total; an object being deleted.
    fn health(&self) -> Health {
        if self.row.deleting {
            return Health::Pending;
        }
        let mut health = Health::Ok;
        for (c, cell) in self.layout.columns.iter().zip(&self.row.cells) {
            let text = cell.text();
            match c.name.as_str() {
                "Status" | "Phase" | "STATUS" => {
                    let t = text.to_lowercase();
                    if ["fail", "error", "crash", "backoff", "lost"]
                        .iter()
                        .any(|w| t.contains(w))
                    {
                        return Health::Error;
                    }
                    if ["pending", "progress", "terminating", "unknown"]
                        .iter()
                        .any(|w| t.contains(w))
                    {
                        health = Health::Pending;
                    }
                    if t == "complete" || t == "completed" || t == "succeeded" {
                        health = Health::Done;
                    }
                }
                "Ready" => {
                    if let Some((have, want)) = text.split_once('/')
                        && have.trim().parse::<i64>().ok() < want.trim().parse::<i64>().ok()
                    {
                        health = Health::Warning;
                    }
                }
                _ => {}
            }
        }
        health
    }

    /// Drilled from an owner: the objects it controls.
    fn belongs_to(&self, obj: &ObjectRef) -> bool {
        (obj.namespace.is_empty() || obj.namespace == self.row.namespace)
            && self
                .row
                .owners
                .iter()
                .any(|o| o.kind == obj.kind_name() && o.name == obj.name)
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(ObjectRef::of_api(
            &self.cluster,
            &self.layout.api,
            &self.row.namespace,
            &self.row.name,
        ))
    }
}

/// The rows of a store, read through `layout`.
pub fn rows(
    cluster: &ClusterId,
    store_rows: Vec<Arc<GenericRow>>,
    layout: &Arc<Layout>,
) -> Vec<Arc<ResourceRow>> {
    store_rows
        .into_iter()
        .map(|row| {
            Arc::new(ResourceRow {
                cluster: cluster.clone(),
                row,
                layout: layout.clone(),
            })
        })
        .collect()
}

// ---- :api-resources ----

columns! {
    /// The columns of `:api-resources`, as `kubectl api-resources` prints them.
    pub enum ApiCol {
        Name = Col::new("NAME", 40).shrink(250, 10),
        Short = Col::new("SHORTNAMES", 16).shrink(2, 4),
        ApiVersion = Col::new("APIVERSION", 40).shrink(3, 8),
        Namespaced = Col::new("NAMESPACED", 10),
        Kind = Col::new("KIND", 36).shrink(4, 8),
        Verbs = Col::new("VERBS", 60).shrink(1, 5).hide_below(150),
        Categories = Col::new("CATEGORIES", 20).shrink(0, 4).hide_below(170),
    }
}

/// One resource of the catalog, as a row.
#[derive(Debug, Clone)]
pub struct ApiResourceRow {
    pub api: Arc<ApiResourceInfo>,
    key: String,
}

impl ApiResourceRow {
    pub fn new(api: Arc<ApiResourceInfo>) -> Self {
        let key = api.qualified();
        Self { api, key }
    }
}

impl TableRow for ApiResourceRow {
    type Column = ApiCol;

    fn key(&self) -> &str {
        &self.key
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        super::table::timeless_fields(self)
    }

    fn cmp_col(&self, o: &Self, col: Self::Column) -> Ordering {
        super::table::cmp_text(self, o, col)
    }

    /// The catalog's own order (resolution order) among equals.
    fn tiebreak(&self, _o: &Self) -> Ordering {
        Ordering::Equal
    }

    fn cell(&self, col: Self::Column, _now: Timestamp) -> String {
        let a = &self.api;
        match col {
            ApiCol::Name => a.plural.clone(),
            ApiCol::Short => a.short_names.join(","),
            ApiCol::ApiVersion => a.api_version(),
            ApiCol::Namespaced => a.namespaced.to_string(),
            ApiCol::Kind => a.kind.clone(),
            ApiCol::Verbs => a.verbs.join(","),
            ApiCol::Categories => a.categories.join(","),
        }
    }

    fn health(&self) -> Health {
        Health::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::server_table::WireTable;

    fn page(name: &str) -> crate::kube::server_table::Page {
        let path = format!(
            "{}/tests/fixtures/real-cluster/kinds/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let t: WireTable = serde_json::from_str(&text).unwrap();
        t.read()
    }

    fn api(plural: &str, namespaced: bool) -> Arc<ApiResourceInfo> {
        Arc::new(ApiResourceInfo {
            group: "apps".into(),
            version: "v1".into(),
            plural: plural.into(),
            singular: plural.trim_end_matches('s').into(),
            kind: "Deployment".into(),
            namespaced,
            verbs: vec!["list".into()],
            short_names: vec![],
            categories: vec![],
            subresources: vec![],
        })
    }

    /// What `kubectl get KIND` printed for the same objects: our cells must be its cells.
    fn kubectl_rows(name: &str) -> Vec<Vec<String>> {
        let path = format!(
            "{}/tests/fixtures/real-cluster/kinds/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let mut lines = text.lines();
        let header = lines.next().unwrap_or_default();
        // Column starts from the header: kubectl pads columns with at least three spaces, and
        // a title of two words (ACCESS MODES) has one.
        let b = header.as_bytes();
        let starts: Vec<usize> = (0..b.len())
            .filter(|&i| {
                b[i] != b' ' && (i == 0 || (i >= 2 && b[i - 1] == b' ' && b[i - 2] == b' '))
            })
            .collect();
        lines
            .map(|l| {
                starts
                    .iter()
                    .enumerate()
                    .map(|(k, &s)| {
                        let end = starts.get(k + 1).copied().unwrap_or(l.len()).min(l.len());
                        l.get(s.min(l.len())..end).unwrap_or("").trim().to_string()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn rows_show_what_kubectl_printed_for_the_same_table() {
        for (kind, namespaced) in [
            ("deployments", true),
            ("services", true),
            ("jobs", true),
            ("persistentvolumes", false),
            ("horizontalpodautoscalers", true),
            ("widgets", true),
        ] {
            let p = page(&format!("{kind}.table.json"));
            let layout = Arc::new(Layout::new(
                api(kind, namespaced),
                Arc::new(p.columns.clone().unwrap_or_default()),
                None,
            ));
            // Read at the time of the server's own Age cells: the ages must agree too.
            let rows = rows(
                &ClusterId::default(),
                p.rows.into_iter().map(Arc::new).collect(),
                &layout,
            );
            let cols = layout.cols();
            let shown: Vec<usize> = (0..cols.len())
                .filter(|&i| {
                    i >= usize::from(namespaced)
                        && layout
                            .server_index(i)
                            .is_some_and(|s| layout.columns[s].priority == 0)
                })
                .collect();
            let want = kubectl_rows(&format!("{kind}.kubectl.txt"));
            let header: Vec<String> = shown.iter().map(|&i| cols[i].title.to_string()).collect();
            let kubectl_header = std::fs::read_to_string(format!(
                "{}/tests/fixtures/real-cluster/kinds/{kind}.kubectl.txt",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap_or_default();
            assert_eq!(
                header.join(" "),
                kubectl_header
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                "{kind}"
            );
            for want_row in &want {
                let Some(r) = rows.iter().find(|r| r.row.name == want_row[0]) else {
                    // CronJob runs come and go between captures.
                    continue;
                };
                for (k, &i) in shown.iter().enumerate() {
                    let is_age = layout.server_index(i) == layout.age;
                    if is_age {
                        continue;
                    }
                    let got = r.cell_at(i, Timestamp::UNIX_EPOCH);
                    let got = if got.is_empty() { String::new() } else { got };
                    assert_eq!(
                        got, want_row[k],
                        "{kind}/{} column {}",
                        want_row[0], cols[i].title
                    );
                }
            }
        }
    }

    #[test]
    fn sorting_reads_numbers_and_durations() {
        assert_eq!(
            natural(&Cell::Text("9".into()), &Cell::Text("10".into())),
            Ordering::Less
        );
        assert_eq!(
            natural(&Cell::Text("5m".into()), &Cell::Text("70s".into())),
            Ordering::Greater
        );
        assert_eq!(
            natural(&Cell::Text("3/4".into()), &Cell::Text("10/10".into())),
            Ordering::Less
        );
        assert_eq!(natural(&Cell::Int(2), &Cell::Int(11)), Ordering::Less);
        assert_eq!(
            natural(&Cell::Text("b".into()), &Cell::Text("a".into())),
            Ordering::Greater
        );
        assert_eq!(duration("5m12s"), Some(312));
        assert_eq!(duration("web"), None);
    }

    #[test]
    fn health_reads_status_and_ready() {
        let p = page("jobs.table.json");
        let layout = Arc::new(Layout::new(
            api("jobs", true),
            Arc::new(p.columns.clone().unwrap_or_default()),
            None,
        ));
        let rows = rows(
            &ClusterId::default(),
            p.rows.into_iter().map(Arc::new).collect(),
            &layout,
        );
        let by = |n: &str| rows.iter().find(|r| r.row.name == n).map(|r| r.health());
        assert_eq!(by("migrate-fail"), Some(Health::Error));
        assert_eq!(by("migrate-ok"), Some(Health::Done));
    }

    #[test]
    fn own_columns_choose_order_and_read_paths_as_the_server_prints_them() {
        // includeObject=Object, as the real apiserver answered it: each row's cells and its
        // whole pod.
        let text = std::fs::read_to_string(format!(
            "{}/tests/fixtures/real-cluster/kinds/pods.table.object.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let wire: crate::kube::server_table::WireTable = serde_json::from_str(&text).unwrap();
        let view = crate::k9s_files::ViewSetting {
            columns: vec![
                ViewColumn::Named("NAME".into()),
                ViewColumn::Path {
                    title: "WHERE".into(),
                    path: ".spec.nodeName".into(),
                    wide: false,
                },
                ViewColumn::Named("STATUS".into()),
                ViewColumn::Path {
                    title: "IMAGES".into(),
                    path: ".spec.containers[*].image".into(),
                    wide: true,
                },
            ],
            sort: Some(("WHERE".into(), true)),
        };
        let paths: Vec<_> = ["$.spec.nodeName", "$.spec.containers[*].image"]
            .iter()
            .map(|p| serde_json_path::JsonPath::parse(p).unwrap())
            .collect();
        let p = wire.read_with(&paths);
        let layout = Arc::new(Layout::new(
            api("pods", true),
            Arc::new(p.columns.clone().unwrap_or_default()),
            Some(Arc::new(view)),
        ));
        let cols = layout.cols();
        let titles: Vec<&str> = cols.iter().map(|c| c.title.as_ref()).collect();
        assert_eq!(
            &titles[..5],
            ["NAMESPACE", "NAME", "WHERE", "STATUS", "IMAGES"]
        );
        assert_eq!(layout.sort(), Some((2, true)));
        // The server's other columns follow, shown only wide; IMAGES (|W) too.
        assert!(
            cols[5..].iter().all(|c| c.hide_below == u16::MAX),
            "{titles:?}"
        );
        assert_eq!(cols[4].hide_below, u16::MAX);
        let node_col = layout
            .columns
            .iter()
            .position(|c| c.name == "Node")
            .unwrap();
        let rows = rows(
            &ClusterId::default(),
            p.rows.into_iter().map(Arc::new).collect(),
            &layout,
        );
        assert!(!rows.is_empty());
        for r in &rows {
            // The path read from the object is the server's own NODE cell.
            let server_node = r.row.cells[node_col].text();
            assert_eq!(
                r.cell_at(2, Timestamp::UNIX_EPOCH),
                server_node,
                "{}",
                r.row.name
            );
            assert!(!r.cell_at(4, Timestamp::UNIX_EPOCH).is_empty());
        }
        // Sorting reads the path's cells like any column.
        let mut t = crate::app::table::Table::default();
        t.set_columns(layout.cols());
        t.set_rows(rows);
        t.sort_by(2);
        let first = t.row(0).unwrap().cell_at(2, Timestamp::UNIX_EPOCH);
        let last = t
            .row(t.len() - 1)
            .unwrap()
            .cell_at(2, Timestamp::UNIX_EPOCH);
        assert!(first <= last);
    }
}
