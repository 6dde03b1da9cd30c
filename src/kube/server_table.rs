//! The apiserver's own rendering of any kind (`meta.k8s.io/v1` Table, what kubectl prints):
//! its columns, and per object only the cells and the metadata views need (not the object), so
//! a kind kubedeck has no code for shows exactly what `kubectl get` shows, and 10,000 of them
//! cost their cells. Kept in a [`TableStore`] the informer fills and the UI reads.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use serde_json_path::JsonPath;

/// What kubectl sends: the Table, or the plain list from a server that cannot make one.
pub const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

/// One column as the server defines it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ColumnDef {
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub format: String,
    /// 0: shown by `kubectl get`; higher: only with `-o wide`.
    #[serde(default)]
    pub priority: i64,
}

/// A cell as the server sent it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// JSON null (a CRD column whose path is absent): printed blank, as kubectl does.
    Null,
}

impl Cell {
    fn from_json(v: &Value) -> Self {
        match v {
            Value::String(s) => Self::Text(s.clone()),
            Value::Bool(b) => Self::Bool(*b),
            Value::Number(n) => n
                .as_i64()
                .map(Self::Int)
                .unwrap_or_else(|| Self::Float(n.as_f64().unwrap_or(0.0))),
            Value::Null => Self::Null,
            // kubectl prints other values as JSON.
            other => Self::Text(other.to_string()),
        }
    }

    pub fn text(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Int(n) => n.to_string(),
            Self::Float(f) => f.to_string(),
            Self::Bool(b) => b.to_string(),
            Self::Null => String::new(),
        }
    }
}

/// A reference to an owner, from `metadata.ownerReferences`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Owner {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub controller: Option<bool>,
}

/// One object: its identity, what views and drill-downs read of its metadata, and its cells.
#[derive(Debug, Clone, PartialEq)]
pub struct GenericRow {
    pub uid: String,
    pub namespace: String,
    pub name: String,
    pub resource_version: String,
    pub created: Option<Timestamp>,
    pub deleting: bool,
    pub labels: BTreeMap<String, String>,
    pub owners: Vec<Owner>,
    pub cells: Vec<Cell>,
    /// Cells read from the object at the paths of the user's own columns (views.yaml); the
    /// object itself is not kept.
    pub extra: Vec<String>,
}

impl GenericRow {
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// The metadata kept of a row's object (serde skips the rest, managedFields included).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    uid: String,
    #[serde(default)]
    resource_version: String,
    creation_timestamp: Option<String>,
    deletion_timestamp: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    owner_references: Vec<Owner>,
}

#[derive(Debug, Default, Deserialize)]
struct PartialObject {
    #[serde(default)]
    metadata: Meta,
}

#[derive(Debug, Default, Deserialize)]
struct WireRow {
    #[serde(default)]
    cells: Vec<Value>,
    #[serde(default)]
    object: Option<PartialObject>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListMeta {
    #[serde(default)]
    resource_version: String,
    #[serde(rename = "continue", default)]
    continue_: Option<String>,
}

/// A Table as it comes over the wire: a list page, or one watch event's object.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireTable {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    metadata: Value,
    /// In a watch, only the first event carries them (`null` after).
    #[serde(default)]
    column_definitions: Option<Vec<ColumnDef>>,
    #[serde(default)]
    rows: Option<Vec<Value>>,
    /// A server that answered with a plain list (no Table for this resource).
    #[serde(default)]
    items: Option<Vec<Value>>,
}

/// A page or event, read.
#[derive(Debug, Default)]
pub struct Page {
    pub columns: Option<Vec<ColumnDef>>,
    pub rows: Vec<GenericRow>,
    pub resource_version: String,
    pub continue_token: Option<String>,
}

fn row(meta: Meta, cells: Vec<Cell>, extra: Vec<String>) -> GenericRow {
    GenericRow {
        uid: meta.uid,
        namespace: meta.namespace,
        name: meta.name,
        resource_version: meta.resource_version,
        created: meta.creation_timestamp.and_then(|t| t.parse().ok()),
        deleting: meta.deletion_timestamp.is_some(),
        labels: meta.labels,
        owners: meta.owner_references,
        cells,
        extra,
    }
}

/// What `paths` find in `object` (none asked: nothing read).
fn extra(paths: &[JsonPath], object: Option<&Value>) -> Vec<String> {
    match object {
        Some(o) if !paths.is_empty() => paths
            .iter()
            .map(|p| crate::k9s_files::read_path(p, o))
            .collect(),
        _ => vec![String::new(); paths.len()],
    }
}

/// The columns a plain list gets (a resource the server has no Table for): NAME and AGE.
fn plain_columns() -> Vec<ColumnDef> {
    ["Name", "Age"]
        .into_iter()
        .map(|n| ColumnDef {
            name: n.into(),
            kind: "string".into(),
            format: if n == "Name" {
                "name".into()
            } else {
                String::new()
            },
            priority: 0,
        })
        .collect()
}

impl WireTable {
    pub fn read(self) -> Page {
        self.read_with(&[])
    }

    /// Read the page, and what `paths` find in each row's object (asked for with
    /// `includeObject=Object` when there are paths).
    pub fn read_with(self, paths: &[JsonPath]) -> Page {
        let meta: ListMeta = serde_json::from_value(self.metadata).unwrap_or_default();
        let continue_token = meta.continue_.filter(|c| !c.is_empty());
        if self.kind != "Table"
            && let Some(items) = self.items
        {
            let rows = items
                .into_iter()
                .map(|item| {
                    let extra = extra(paths, Some(&item));
                    let obj: PartialObject = serde_json::from_value(item).unwrap_or_default();
                    let name = Cell::Text(obj.metadata.name.clone());
                    row(obj.metadata, vec![name, Cell::Null], extra)
                })
                .collect();
            return Page {
                columns: Some(plain_columns()),
                rows,
                resource_version: meta.resource_version,
                continue_token,
            };
        }
        let rows = self
            .rows
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let extra = extra(paths, r.get("object"));
                let r: WireRow = serde_json::from_value(r).unwrap_or_default();
                let meta = r.object.map(|o| o.metadata).unwrap_or_default();
                row(meta, r.cells.iter().map(Cell::from_json).collect(), extra)
            })
            .collect();
        Page {
            columns: self.column_definitions,
            rows,
            resource_version: meta.resource_version,
            continue_token,
        }
    }
}

/// The rows of one resource, readable from the UI task while the informer task writes them.
#[derive(Debug, Clone, Default)]
pub struct TableStore {
    inner: Arc<RwLock<TableData>>,
}

#[derive(Debug, Default)]
struct TableData {
    columns: Arc<Vec<ColumnDef>>,
    rows: HashMap<String, Arc<GenericRow>>,
    /// Rows of a relist in progress: they replace `rows` once complete, so a relist never
    /// shows a half-empty table.
    relist: Option<HashMap<String, Arc<GenericRow>>>,
}

impl TableStore {
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, TableData> {
        self.inner.write().unwrap_or_else(|e| e.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, TableData> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn columns(&self) -> Arc<Vec<ColumnDef>> {
        self.read().columns.clone()
    }

    pub fn rows(&self) -> Vec<Arc<GenericRow>> {
        self.read().rows.values().cloned().collect()
    }

    pub fn len(&self) -> usize {
        self.read().rows.len()
    }

    /// The row of `namespace/name` (`/name` for a cluster-scoped object).
    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<GenericRow>> {
        self.read()
            .rows
            .get(&format!("{namespace}/{name}"))
            .cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A list starts: its pages gather apart until it completes.
    pub fn begin_list(&self) {
        self.write().relist = Some(HashMap::new());
    }

    pub fn list_page(&self, page: Page) {
        let mut d = self.write();
        if let Some(columns) = page.columns {
            d.columns = Arc::new(columns);
        }
        let relist = d.relist.get_or_insert_with(HashMap::new);
        for r in page.rows {
            relist.insert(r.key(), Arc::new(r));
        }
    }

    pub fn end_list(&self) {
        let mut d = self.write();
        if let Some(rows) = d.relist.take() {
            d.rows = rows;
        }
    }

    /// A watch event's object, added or modified; its columns if it carries them.
    pub fn upsert(&self, columns: Option<Vec<ColumnDef>>, row: GenericRow) {
        let mut d = self.write();
        if let Some(columns) = columns.filter(|c| !c.is_empty()) {
            d.columns = Arc::new(columns);
        }
        d.rows.insert(row.key(), Arc::new(row));
    }

    pub fn remove(&self, key: &str) {
        self.write().rows.remove(key);
    }

    pub fn clear(&self) {
        let mut d = self.write();
        d.rows.clear();
        d.relist = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/real-cluster/kinds/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn table(name: &str) -> Page {
        let t: WireTable =
            serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        t.read()
    }

    #[test]
    fn a_real_table_is_read_with_its_columns_cells_and_metadata() {
        let p = table("deployments.table.json");
        let cols = p.columns.unwrap_or_default();
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Name",
                "Ready",
                "Up-to-date",
                "Available",
                "Age",
                "Containers",
                "Images",
                "Selector"
            ]
        );
        assert_eq!(cols[5].priority, 1);
        assert_eq!(p.resource_version, "4626");
        let web = &p.rows[0];
        assert_eq!(
            (web.namespace.as_str(), web.name.as_str()),
            ("kinds", "web")
        );
        assert_eq!(web.cells[1], Cell::Text("4/4".into()));
        assert_eq!(web.cells[2], Cell::Int(4));
        assert_eq!(web.labels.get("app").map(String::as_str), Some("web"));
        assert!(web.created.is_some() && !web.uid.is_empty());
        // A custom resource's absent status is null, printed blank as kubectl prints it.
        let w = table("widgets.table.json");
        let gamma = w.rows.iter().find(|r| r.name == "gamma");
        assert!(gamma.is_some_and(|g| g.cells[3] == Cell::Null && g.cells[3].text().is_empty()));
        assert!(w.rows.iter().any(|r| r.cells.contains(&Cell::Bool(true))));
        // Owners come through for drill-downs.
        let rs = table("replicasets.table.json");
        assert!(rs.rows.iter().all(|r| {
            r.owners
                .iter()
                .any(|o| o.kind == "Deployment" && o.name == "web")
        }));
    }

    #[test]
    fn watch_events_carry_columns_first_and_null_after() {
        let store = TableStore::default();
        let mut events = 0;
        for line in fixture("wire-watch-table-deployments.jsonl").lines() {
            let ev: Value = serde_json::from_str(line).unwrap();
            let t: WireTable = serde_json::from_value(ev["object"].clone()).unwrap_or_default();
            let page = t.read();
            assert_eq!(page.columns.is_some(), events == 0, "event {events}");
            for r in page.rows {
                store.upsert(page.columns.clone(), r);
            }
            events += 1;
        }
        assert!(events >= 2);
        assert_eq!(store.columns().len(), 8);
        let rows = store.rows();
        assert_eq!(rows.len(), 1);
        // The last event: the deployment at 4 of 4.
        assert_eq!(rows[0].cells[1], Cell::Text("4/4".into()));
    }

    #[test]
    fn a_relist_replaces_rows_only_when_complete() {
        let store = TableStore::default();
        let mut p = table("configmaps.table.json");
        let n = p.rows.len();
        store.begin_list();
        store.list_page(std::mem::take(&mut p));
        store.end_list();
        assert_eq!(store.len(), n);
        store.begin_list();
        assert_eq!(store.len(), n, "the old rows stay while the relist runs");
        store.end_list();
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn a_plain_list_gets_name_and_age() {
        let t: WireTable = serde_json::from_value(serde_json::json!({
            "kind": "FooList", "apiVersion": "x/v1", "metadata": {"resourceVersion": "9"},
            "items": [{"metadata": {"name": "a", "namespace": "n", "uid": "u"}}]
        }))
        .unwrap_or_default();
        let p = t.read();
        assert_eq!(p.columns.map(|c| c.len()), Some(2));
        assert_eq!(p.rows[0].cells[0], Cell::Text("a".into()));
        assert_eq!(p.resource_version, "9");
    }
}
