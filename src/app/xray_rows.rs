//! The rows of `:xray`: its trees flattened in order, each node indented under its parent
//! with ▾ (open) or ▸ (closed) when it has children. The order is the tree's: sorting does not
//! apply (every column compares the rows' places).

use std::borrow::Cow;
use std::cmp::Ordering;

use jiff::Timestamp;

use super::table::{Col, TableRow, columns};
use crate::kube::ids::ClusterId;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::Health;
use crate::kube::xray::{XKind, XNode};

columns! {
    /// The columns of `:xray`.
    pub enum XrayCol {
        Name = Col::new("NAME", 60).shrink(8, 16),
        Kind = Col::new("KIND", 14),
        Status = Col::new("STATUS", 30).shrink(4, 10),
        Detail = Col::new("DETAIL", 60).shrink(1, 6),
    }
}

/// One node of a tree, in its place.
#[derive(Debug, Clone)]
pub struct XrayRow {
    pub cluster: ClusterId,
    /// Its path from the tree's root (unique in the view), and its parent's.
    pub key: String,
    pub parent_key: String,
    pub depth: usize,
    pub kind: XKind,
    pub namespace: String,
    pub name: String,
    /// For a container: its pod.
    pub pod: Option<String>,
    pub health: Health,
    pub status: String,
    pub detail: String,
    /// Whether it has children, and whether they are shown.
    pub parent: bool,
    pub open: bool,
    pub place: usize,
    /// Its ancestors' names and its own: a filter that names a node keeps what it holds.
    pub lineage: String,
}

impl XrayRow {
    /// The object it stands for (a container: its pod).
    pub fn object(&self) -> ObjectRef {
        use crate::kube::informer::ResourceKind;
        match (self.kind, &self.pod) {
            (XKind::Pod, _) => ObjectRef::new(
                &self.cluster,
                ResourceKind::Pods,
                &self.namespace,
                &self.name,
            ),
            (XKind::Container, Some(pod)) => {
                ObjectRef::new(&self.cluster, ResourceKind::Pods, &self.namespace, pod)
            }
            (kind, _) => ObjectRef::of_api(
                &self.cluster,
                &std::sync::Arc::new(crate::kube::xray::api_info(kind)),
                &self.namespace,
                &self.name,
            ),
        }
    }
}

/// Whether a node starts open: everything down to the pods (a pod's containers and what it
/// uses are one `l` away), and a pod when the trees start from pods.
pub fn open_by_default(kind: XKind, root: XKind) -> bool {
    kind != XKind::Pod || root == XKind::Pod
}

/// `trees` as rows: each node, then (when open) its children. `toggled` holds the keys whose
/// state differs from [`open_by_default`].
pub fn flatten(
    cluster: &ClusterId,
    root: XKind,
    trees: &[XNode],
    toggled: &std::collections::BTreeSet<String>,
    out: &mut Vec<XrayRow>,
) {
    #[allow(clippy::too_many_arguments)]
    fn walk(
        cluster: &ClusterId,
        root: XKind,
        node: &XNode,
        parent: &str,
        lineage: &str,
        pod: Option<&str>,
        depth: usize,
        toggled: &std::collections::BTreeSet<String>,
        out: &mut Vec<XrayRow>,
    ) {
        let o = &node.obj;
        let key = format!("{parent}/{}:{}/{}", o.kind.names().1, o.namespace, o.name);
        let has = !node.children.is_empty();
        let lineage = format!("{lineage} {}", o.name);
        let open = has && (open_by_default(o.kind, root) != toggled.contains(&key));
        out.push(XrayRow {
            cluster: cluster.clone(),
            key: key.clone(),
            parent_key: parent.to_string(),
            depth,
            kind: o.kind,
            namespace: o.namespace.clone(),
            name: o.name.clone(),
            pod: pod.map(str::to_string),
            health: o.health,
            status: o.status.clone(),
            detail: o.detail.clone(),
            parent: has,
            open,
            place: out.len(),
            lineage: lineage.clone(),
        });
        if open {
            let pod = (o.kind == XKind::Pod).then_some(o.name.as_str());
            for child in &node.children {
                walk(
                    cluster,
                    root,
                    child,
                    &key,
                    &lineage,
                    pod,
                    depth + 1,
                    toggled,
                    out,
                );
            }
        }
    }
    for t in trees {
        walk(
            cluster,
            root,
            t,
            cluster.context(),
            "",
            None,
            0,
            toggled,
            out,
        );
    }
}

impl TableRow for XrayRow {
    type Column = XrayCol;

    fn key(&self) -> &str {
        &self.key
    }

    fn cluster(&self) -> Option<&ClusterId> {
        Some(&self.cluster)
    }

    fn fields(&self) -> Vec<Cow<'_, str>> {
        vec![
            Cow::Borrowed(self.name.as_str()),
            Cow::Borrowed(self.kind.kind()),
            Cow::Borrowed(self.status.as_str()),
            Cow::Borrowed(self.detail.as_str()),
            Cow::Borrowed(self.namespace.as_str()),
            Cow::Borrowed(self.lineage.as_str()),
        ]
    }

    fn cmp_col(&self, o: &Self, _col: Self::Column) -> Ordering {
        self.place.cmp(&o.place)
    }

    fn tiebreak(&self, o: &Self) -> Ordering {
        self.place.cmp(&o.place)
    }

    fn cell(&self, col: Self::Column, _now: Timestamp) -> String {
        match col {
            XrayCol::Name => {
                let mark = match (self.parent, self.open) {
                    (false, _) => "  ",
                    (true, true) => "▾ ",
                    (true, false) => "▸ ",
                };
                let ns = if self.depth == 0 && !self.namespace.is_empty() {
                    format!("{}/", self.namespace)
                } else {
                    String::new()
                };
                format!("{}{mark}{ns}{}", "  ".repeat(self.depth), self.name)
            }
            // The one kind name longer than the column: kubectl's short name.
            XrayCol::Kind if self.kind == XKind::PersistentVolumeClaim => "PVC".into(),
            XrayCol::Kind => self.kind.kind().to_string(),
            XrayCol::Status => self.status.clone(),
            XrayCol::Detail => self.detail.clone(),
        }
    }

    fn health(&self) -> Health {
        self.health
    }

    fn object(&self, _shown: &ClusterId) -> Option<ObjectRef> {
        Some(XrayRow::object(self))
    }
}
