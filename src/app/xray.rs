//! `:xray KIND [NS|all] [/FILTER]`: what belongs to what, as trees (see `kube::xray`), one per
//! object of KIND, in every cluster shown. Read again every few seconds while shown (and on
//! `R`), so the colours follow the cluster. `Enter` opens or closes a node, `h`/`←` closes it
//! (or goes to its parent), `→` opens it, and `l` opens a closed node or shows the logs of a
//! pod or container; `d`, `y`, `s`, `D` and `Ctrl-d` act on the node under the cursor as
//! anywhere else.

use std::sync::Arc;

use jiff::SignedDuration;

use super::action::Effect;
use super::filter::Filter;
use super::navigate::{go_view, switch_scope};
use super::notice::Notice;
use super::state::{App, View};
use super::view_args::{NamespaceArg, ViewArgs};
use super::xray_rows::{XrayRow, flatten};
use crate::kube::error::ApiError;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::xray::{XKind, XObject, tree};

/// How often the trees are read again while shown.
pub const REFRESH: SignedDuration = SignedDuration::from_secs(5);

/// The kinds, for messages.
fn kinds() -> String {
    XKind::ROOTS
        .iter()
        .map(|k| k.names().1)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `:xray KIND [NS|all] [/FILTER]`.
pub fn open(app: &mut App, args: &[String]) -> Vec<Effect> {
    let Some((word, rest)) = args.split_first() else {
        app.say(Notice::Invalid(format!(
            ":xray KIND [NAMESPACE|all] [/FILTER], KIND one of {}",
            kinds()
        )));
        return Vec::new();
    };
    let Some(root) = XKind::root(word) else {
        app.say(Notice::Invalid(format!(
            ":xray {word}: trees start from {}",
            kinds()
        )));
        return Vec::new();
    };
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let parsed = ViewArgs::parse(&rest).and_then(|a| {
        if a.context.is_some() || a.labels.is_some() {
            Err(":xray takes a namespace and a /filter (no @context or -l)".to_string())
        } else {
            Ok(a)
        }
    });
    let args = match parsed {
        Ok(a) => a,
        Err(why) => {
            app.say(Notice::Invalid(why));
            return Vec::new();
        }
    };
    let filter = match args.filter.as_deref().map(Filter::parse).transpose() {
        Ok(f) => f,
        Err(e) => {
            app.say(Notice::BadFilter(e));
            return Vec::new();
        }
    };
    let mut effects = Vec::new();
    // The namespace is the views' (so the pods a tree shows have their rows for l, s, D).
    if let Some(ns) = args.namespace {
        let scope = match ns {
            NamespaceArg::All => Scope::All,
            NamespaceArg::Named(n) => Scope::Namespace(n),
        };
        if scope != app.fleet.scope {
            effects = switch_scope(app, scope);
        }
    }
    if app.xray.root != Some(root) {
        app.xray.toggled.clear();
        app.tables.xray = Default::default();
    }
    app.xray.root = Some(root);
    app.xray.objects.clear();
    app.xray.failed.clear();
    go_view(app, View::Xray);
    if let Some(f) = filter {
        app.tables.xray.set_filter(f);
    }
    refresh(app);
    effects.extend(ask(app));
    effects
}

/// Ask every cluster shown for the objects (the views' namespace).
fn ask(app: &mut App) -> Vec<Effect> {
    let Some(root) = app.xray.root else {
        return Vec::new();
    };
    app.xray.asked = Some(app.now);
    app.xray.waiting = app.fleet.clusters.len();
    let namespace = app.fleet.scope.namespace().map(str::to_string);
    app.fleet
        .clusters
        .iter()
        .map(|c| Effect::LoadXray(c.clone(), root, namespace.clone()))
        .collect()
}

/// Each second: read again when shown and due (and nothing is on its way).
pub fn tick(app: &mut App) -> Vec<Effect> {
    let due = app
        .xray
        .asked
        .is_none_or(|at| app.now.duration_since(at) >= REFRESH);
    if app.view == View::Xray && app.xray.waiting == 0 && due {
        return ask(app);
    }
    Vec::new()
}

/// `R` on the xray: read again now.
pub fn again(app: &mut App) -> Vec<Effect> {
    ask(app)
}

/// A cluster answered.
pub fn loaded(
    app: &mut App,
    cluster: ClusterId,
    root: XKind,
    result: Result<Vec<XObject>, ApiError>,
) {
    app.xray.waiting = app.xray.waiting.saturating_sub(1);
    if app.xray.root != Some(root) {
        return;
    }
    match result {
        Ok(objects) => {
            app.xray.failed.remove(&cluster);
            app.xray.objects.insert(cluster, objects);
        }
        Err(e) => {
            if app.xray.failed.get(&cluster) != Some(&e) {
                app.say(Notice::XrayFailed(e.clone()));
            }
            app.xray.failed.insert(cluster, e);
        }
    }
    refresh(app);
}

/// The rows from the objects: one tree per object of the root kind, per cluster.
pub fn refresh(app: &mut App) {
    let Some(root) = app.xray.root else {
        return;
    };
    let mut rows = Vec::new();
    for (cluster, objects) in &app.xray.objects {
        flatten(
            cluster,
            root,
            &tree(root, objects),
            &app.xray.toggled,
            &mut rows,
        );
    }
    app.tables
        .xray
        .set_rows(rows.into_iter().map(Arc::new).collect());
}

/// How `Enter`, `h`, `l` and the arrows move through a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    Toggle,
    Open,
    Close,
}

/// Open or close the node under the cursor; closing a node that is closed (or has no
/// children) goes to its parent. Returns whether it did something.
pub fn fold(app: &mut App, how: Fold) -> bool {
    let Some(row) = app.tables.xray.selected_row().cloned() else {
        return false;
    };
    let want_open = match how {
        Fold::Toggle => !row.open,
        Fold::Open => true,
        Fold::Close => false,
    };
    if !row.parent || row.open == want_open {
        if how == Fold::Close {
            to_parent(app, &row);
            return true;
        }
        return false;
    }
    // The default is kept as no entry, so a refresh's new objects open as the rest do.
    if !app.xray.toggled.remove(&row.key) {
        app.xray.toggled.insert(row.key.clone());
    }
    refresh(app);
    true
}

/// Put the cursor on `row`'s parent.
fn to_parent(app: &mut App, row: &XrayRow) {
    app.tables.xray.select_key(&row.parent_key);
}

/// `l` on the xray: open a closed node, else the logs of a pod or container (`None`: the
/// caller shows the logs as anywhere else).
pub fn l_key(app: &mut App) -> Option<Vec<Effect>> {
    let row = app.tables.xray.selected_row().cloned()?;
    if row.parent && !row.open {
        fold(app, Fold::Open);
        return Some(Vec::new());
    }
    if !matches!(row.kind, XKind::Pod | XKind::Container) {
        app.say(Notice::Tip("l shows the logs of a pod or a container"));
        return Some(Vec::new());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture::app;
    use crate::kube::pod_row::Health;

    fn obj(kind: XKind, name: &str, uid: &str, owner: Option<&str>) -> XObject {
        XObject {
            kind,
            namespace: "demo".into(),
            name: name.into(),
            uid: uid.into(),
            owners: owner.map(|o| vec![o.to_string()]).unwrap_or_default(),
            labels: Default::default(),
            selector: Default::default(),
            health: Health::Ok,
            status: String::new(),
            detail: String::new(),
            order: 0,
            parts: Vec::new(),
        }
    }

    fn world() -> Vec<XObject> {
        vec![
            obj(XKind::StatefulSet, "db", "s1", None),
            obj(XKind::Pod, "db-0", "p0", Some("s1")),
            obj(XKind::Pod, "db-1", "p1", Some("s1")),
        ]
    }

    /// Several clusters: one tree per cluster, each row with its cluster and a key of its own;
    /// folding one cluster's node leaves the other's as it was.
    #[test]
    fn one_tree_per_cluster_folded_apart() {
        let mut a = app();
        let (one, two) = (ClusterId::new("one"), ClusterId::new("two"));
        a.view = View::Xray;
        a.xray.root = Some(XKind::StatefulSet);
        a.xray.objects.insert(one.clone(), world());
        a.xray.objects.insert(two.clone(), world());
        refresh(&mut a);
        let rows = a.tables.xray.all_rows().to_vec();
        assert_eq!(rows.len(), 6);
        assert_eq!(rows.iter().filter(|r| r.cluster == one).count(), 3);
        let keys: std::collections::BTreeSet<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys.len(), 6);
        // Close the first cluster's set: its pods go, the other cluster's stay.
        a.tables.xray.select(0);
        assert!(fold(&mut a, Fold::Toggle));
        let rows = a.tables.xray.all_rows().to_vec();
        assert_eq!(rows.len(), 4);
        assert!(!rows[0].open && rows[0].cluster == one);
        assert_eq!(rows.iter().filter(|r| r.cluster == two).count(), 3);
        // A refresh with the same objects keeps it closed.
        loaded(&mut a, one.clone(), XKind::StatefulSet, Ok(world()));
        assert_eq!(a.tables.xray.all_rows().len(), 4);
        // Another root's answer, late, is not taken.
        loaded(&mut a, one, XKind::Deployment, Ok(Vec::new()));
        assert_eq!(a.tables.xray.all_rows().len(), 4);
    }

    #[test]
    fn it_is_read_again_while_shown_and_not_otherwise() {
        let mut a = app();
        a.xray.root = Some(XKind::Pod);
        a.view = View::Xray;
        let first = tick(&mut a);
        assert!(
            matches!(&first[..], [Effect::LoadXray(_, XKind::Pod, None)]),
            "{first:?}"
        );
        // Waiting for the answer: nothing more; answered and not yet due: nothing.
        assert!(tick(&mut a).is_empty());
        let cluster = a.fleet.cluster.clone();
        loaded(&mut a, cluster, XKind::Pod, Ok(Vec::new()));
        assert!(tick(&mut a).is_empty());
        a.now += REFRESH;
        assert_eq!(tick(&mut a).len(), 1);
        a.xray.waiting = 0;
        a.now += REFRESH;
        a.view = View::Pods;
        assert!(tick(&mut a).is_empty());
    }
}
