//! Moving between views: the history behind `Esc` and the breadcrumb, drilling into the
//! selection (Enter), jumping to an object in its own view, describe/YAML/events of the
//! selection, and the views `:` reaches (which start clean).

use super::action::Effect;
use super::detail::{Detail, DetailKind};
use super::filter::Filter;
use super::logs::open as logs;
use super::notice::Notice;
use super::selection::selected_object;
use super::sessions::update as sessions;
use super::state::{App, Screen, View};
use super::table::{Table, TableRow, TableState};
use crate::app::columns::PodCol;
use crate::kube::ids::Scope;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;

/// History entries kept for `Esc`.
const HISTORY: usize = 64;

/// Run `$body` with `$t` bound to the current view's table (None for the detail pane).
macro_rules! on_table {
    ($app:expr, $view:expr, $t:ident => $body:expr) => {
        match $view {
            $crate::app::state::View::Triage => {
                let $t = &mut $app.tables.triage;
                Some($body)
            }
            $crate::app::state::View::Pods => {
                let $t = &mut $app.tables.pods;
                Some($body)
            }
            $crate::app::state::View::PipelineRuns => {
                let $t = &mut $app.tables.runs;
                Some($body)
            }
            $crate::app::state::View::TaskRuns => {
                let $t = &mut $app.tables.taskruns;
                Some($body)
            }
            $crate::app::state::View::Events => {
                let $t = &mut $app.tables.events;
                Some($body)
            }
            $crate::app::state::View::Nodes => {
                let $t = &mut $app.tables.nodes;
                Some($body)
            }
            $crate::app::state::View::Namespaces => {
                let $t = &mut $app.tables.namespaces;
                Some($body)
            }
            $crate::app::state::View::Contexts => {
                let $t = &mut $app.tables.contexts;
                Some($body)
            }
            $crate::app::state::View::Sessions => {
                let $t = &mut $app.tables.sessions;
                Some($body)
            }
            $crate::app::state::View::Captured => {
                let $t = &mut $app.tables.captured;
                Some($body)
            }
            $crate::app::state::View::Resource => {
                let $t = &mut $app.tables.resource;
                Some($body)
            }
            $crate::app::state::View::ApiResources => {
                let $t = &mut $app.tables.api_resources;
                Some($body)
            }
            $crate::app::state::View::Forwards => {
                let $t = &mut $app.tables.forwards;
                Some($body)
            }
            $crate::app::state::View::CanI => {
                let $t = &mut $app.tables.can_i;
                Some($body)
            }
            $crate::app::state::View::WhoCan => {
                let $t = &mut $app.tables.who_can;
                Some($body)
            }
            $crate::app::state::View::Helm => {
                let $t = &mut $app.tables.helm;
                Some($body)
            }
            $crate::app::state::View::HelmHistory => {
                let $t = &mut $app.tables.helm_history;
                Some($body)
            }
            $crate::app::state::View::Xray => {
                let $t = &mut $app.tables.xray;
                Some($body)
            }
            $crate::app::state::View::Timeline => {
                let $t = &mut $app.tables.timeline;
                Some($body)
            }
            $crate::app::state::View::AsOf => {
                let $t = &mut $app.tables.as_of;
                Some($body)
            }
            $crate::app::state::View::Containers => {
                let $t = &mut $app.tables.containers;
                Some($body)
            }
            $crate::app::state::View::Detail => None,
        }
    };
}
pub(crate) use on_table;

fn screen(app: &mut App) -> Screen {
    Screen {
        view: app.view,
        table: on_table!(app, app.view, t => t.state()),
        detail: app.detail.clone(),
        taskruns_of: app.taskruns_of.clone(),
        resource: app.resource.clone(),
        containers_of: app.containers_of.clone(),
    }
}

/// Go to `view`, remembering where we were.
pub fn navigate(app: &mut App, view: View) {
    let here = screen(app);
    app.history.push(here);
    if app.history.len() > HISTORY {
        app.history.remove(0);
    }
    app.view = view;
    app.notice = None;
}

/// Return to the previous screen with its filter and selection.
pub fn back(app: &mut App) -> Vec<Effect> {
    let Some(prev) = app.history.pop() else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    if app.taskruns_of != prev.taskruns_of {
        effects.push(Effect::WatchTaskRuns(prev.taskruns_of.clone()));
    }
    // The resource view watches only the kind it shows: back to another kind, watch that.
    // (With the user's own columns as they are now: views.yaml may have changed since.)
    let wanted = (prev.view == View::Resource)
        .then(|| prev.resource.clone())
        .flatten()
        .map(|shown| with_current_view(app, shown));
    if prev.view == View::Resource && wanted != app.resource {
        app.tables.resource = Table::default();
        effects.push(Effect::WatchResource(wanted.clone()));
    }
    if prev.view == View::Resource {
        app.resource = wanted;
    }
    app.view = prev.view;
    app.detail = prev.detail;
    app.taskruns_of = prev.taskruns_of;
    if app.containers_of != prev.containers_of {
        app.tables.containers = Table::default();
        app.containers_of = prev.containers_of;
    }
    if let Some(state) = prev.table {
        on_table!(app, app.view, t => t.restore(state));
    }
    if app.view == View::Detail {
        app.stale.describe = true;
    }
    effects
}

/// `-`: the view shown before this one, and `-` again comes back (as `cd -`): the two screens
/// swap places, each with its filter, sort and selection.
pub fn previous_view(app: &mut App) -> Vec<Effect> {
    if app.history.is_empty() {
        app.say(Notice::Tip("no previous view yet"));
        return Vec::new();
    }
    let here = screen(app);
    let effects = back(app);
    app.history.push(here);
    effects
}

/// A view reached by `:`: the focus goes back to the dashboard, and the view starts clean
/// (no filter or pin left from a drill-down). Going to a view already in the trail goes back
/// to it, so the breadcrumb never repeats a view.
pub fn go_view(app: &mut App, view: View) {
    app.panes.layout.focus = super::layout::DASHBOARD;
    app.panes.layout.zoomed = false;
    if let Some(at) = app.history.iter().rposition(|s| s.view == view) {
        app.history.truncate(at);
        app.view = view;
        app.notice = None;
    } else if app.view != view {
        navigate(app, view);
    }
    on_table!(app, view, t => {
        let sort = t.state().sort;
        t.restore(TableState {
            sort,
            ..TableState::default()
        });
    });
}

/// Put `table`'s cursor on the row `is` picks, clearing a filter that would hide it.
fn select_in<R: TableRow>(table: &mut Table<R>, is: impl Fn(&R) -> bool) {
    let find = |t: &Table<R>| (0..t.len()).find(|&i| t.row(i).is_some_and(&is));
    if find(table).is_none() && !table.filter.is_empty() {
        table.set_filter(Filter::default());
    }
    if find(table).is_none() && table.pin.is_some() {
        table.set_pin(None);
    }
    if let Some(pos) = find(table) {
        table.select(pos);
    }
}

/// Jump to an object in its own view.
pub fn go_to(app: &mut App, obj: &ObjectRef) -> Vec<Effect> {
    match obj.kind {
        ResourceKind::Pods => {
            navigate(app, View::Pods);
            select_in(&mut app.tables.pods, |r| {
                r.namespace == obj.namespace && r.name == obj.name
            });
        }
        ResourceKind::Nodes => {
            navigate(app, View::Nodes);
            select_in(&mut app.tables.nodes, |r| r.name == obj.name);
        }
        ResourceKind::Namespaces => {
            navigate(app, View::Namespaces);
            select_in(&mut app.tables.namespaces, |r| r.name == obj.name);
        }
        ResourceKind::Events => {
            navigate(app, View::Events);
            select_in(&mut app.tables.events, |r| {
                r.namespace == obj.namespace && r.name == obj.name
            });
        }
        ResourceKind::PipelineRuns => return open_taskruns(app, obj.clone()),
        ResourceKind::TaskRuns | ResourceKind::Generic | ResourceKind::Workloads => {
            return open_detail(app, obj.clone(), DetailKind::Describe);
        }
    }
    Vec::new()
}

/// The containers of `pod` (Enter on a pod, `:containers`).
pub fn open_containers(app: &mut App, pod: ObjectRef) {
    navigate(app, View::Containers);
    if app.containers_of.as_ref() != Some(&pod) {
        app.tables.containers = Table::default();
    }
    app.containers_of = Some(pod);
    app.stale.kinds.insert(ResourceKind::Pods);
}

fn open_taskruns(app: &mut App, run: ObjectRef) -> Vec<Effect> {
    navigate(app, View::TaskRuns);
    app.taskruns_of = Some(run.clone());
    app.tables.taskruns = Table::default();
    vec![Effect::WatchTaskRuns(Some(run))]
}

/// Describe or YAML of `obj`; YAML is fetched (describe is built from the stores, and a pod's,
/// a node's or a PipelineRun's describe fetches the object).
pub fn open_detail(app: &mut App, obj: ObjectRef, kind: DetailKind) -> Vec<Effect> {
    // Switching between describe and YAML of the same object replaces the pane.
    if app.view != View::Detail {
        navigate(app, View::Detail);
    }
    app.detail = Some(Detail::new(obj.clone(), kind));
    app.stale.describe = true;
    match kind {
        DetailKind::Yaml => vec![Effect::FetchYaml(obj)],
        // These kinds' describe is built from the object, fetched (their stores keep rows).
        DetailKind::Describe
            if matches!(
                obj.kind,
                ResourceKind::Generic | ResourceKind::PipelineRuns | ResourceKind::Nodes
            ) =>
        {
            app.described_object = Some(crate::app::state::DescribedObject {
                target: obj.clone(),
                version: None,
                object: None,
                in_flight: true,
                failed: false,
            });
            vec![Effect::FetchYaml(obj)]
        }
        // Helm's parts are opened by `helm::show`, which fetches the revision.
        DetailKind::Describe | DetailKind::Helm(_) | DetailKind::Recorded => Vec::new(),
    }
}

/// `d` / `y`: describe or YAML of the selection.
pub fn detail_of_selection(app: &mut App, kind: DetailKind) -> Vec<Effect> {
    match selected_object(app) {
        Some(obj) => open_detail(app, obj, kind),
        None => Vec::new(),
    }
}

/// `e`: the events of the selection.
pub fn events_of_selection(app: &mut App) -> Vec<Effect> {
    let Some(obj) = selected_object(app) else {
        return Vec::new();
    };
    if obj.kind == ResourceKind::Events {
        return Vec::new();
    }
    // From a broken pod in triage, what explains it: its warnings (w shows every event).
    let broken_pod = app.view == View::Triage
        && obj.kind == ResourceKind::Pods
        && app
            .tables
            .triage
            .selected_row()
            .is_some_and(|r| r.problem != "WarningEvent");
    navigate(app, View::Events);
    let t = &mut app.tables.events;
    t.restore(TableState {
        pin: Some(obj),
        only_flagged: broken_pod,
        ..TableState::default()
    });
    t.select(0);
    if broken_pod {
        app.say(Notice::Tip("its warning events (w: every event)"));
    }
    Vec::new()
}

/// Show `clusters` (the first first) in `scope`: the tables start empty and the informers
/// start again (and the TaskRuns shown, if any, are watched again).
pub fn connect(
    app: &mut App,
    clusters: Vec<crate::kube::ids::ClusterId>,
    scope: Scope,
) -> Vec<Effect> {
    let Some(cluster) = clusters.first().cloned() else {
        return Vec::new();
    };
    let other_cluster = app.fleet.cluster != cluster;
    app.fleet.cluster = cluster.clone();
    app.fleet.clusters = clusters.clone();
    app.fleet.scope = scope.clone();
    app.reset_for_connect();
    let multi = clusters.len() > 1;
    let watched = clusters
        .iter()
        .map(|cluster| super::action::Watched {
            cluster: cluster.clone(),
            scope: match &scope {
                // Each context in its own namespace, as kubectl --context would.
                Scope::ContextDefaults => app
                    .fleet
                    .context_namespaces
                    .get(cluster)
                    .map_or(Scope::All, |ns| Scope::Namespace(ns.clone())),
                other => other.clone(),
            },
            kinds: app.fleet.watched_kinds(cluster, multi),
        })
        .collect();
    let mut effects = vec![Effect::Connect(watched)];
    if let Some(run) = app
        .taskruns_of
        .as_ref()
        .filter(|r| app.fleet.clusters.contains(&r.cluster))
    {
        effects.push(Effect::WatchTaskRuns(Some(run.clone())));
    }
    // The resource view goes on showing its kind, in the new scope or cluster (a cluster
    // that does not serve it says so).
    if app.view == View::Resource {
        effects.push(Effect::WatchResource(app.resource.clone()));
    }
    if other_cluster {
        app.catalog.api = Default::default();
        app.catalog.discovery = crate::app::state::Discovery::Running { then: None };
        effects.push(Effect::Discover(cluster));
    }
    effects
}

/// Switch the namespaces watched.
pub fn switch_scope(app: &mut App, scope: Scope) -> Vec<Effect> {
    let clusters = app.fleet.clusters.clone();
    let remembered = match &scope {
        Scope::Namespace(ns) => app.fleet.remember_namespace(ns),
        _ => false,
    };
    let mut effects = connect(app, clusters, scope);
    if let Some(path) = app.favourites_file().filter(|_| remembered) {
        effects.push(Effect::SaveFavourites {
            path,
            favourites: app.fleet.favourites.clone(),
        });
    }
    effects
}

/// A number key in the namespaces view: `1`…`9` the favourite namespace of that rank, `0`
/// every namespace; then the pods there.
pub fn favourite(app: &mut App, n: usize) -> Vec<Effect> {
    let scope = if n == 0 {
        Scope::All
    } else {
        match app.fleet.favourites().get(n - 1) {
            Some(ns) => Scope::Namespace(ns.clone()),
            None => {
                app.say(Notice::NoFavourite(n));
                return Vec::new();
            }
        }
    };
    go_view(app, View::Pods);
    switch_scope(app, scope)
}

/// A node's pods, the hog on top: memory usage, highest first (requests when no metrics). A
/// drill-down keeps only what it was drilled with: the node.
fn node_pods(app: &mut App, node: ObjectRef) {
    navigate(app, View::Pods);
    app.tables.pods.restore(TableState {
        pin: Some(node),
        ..TableState::default()
    });
    let col = if app.fleet.metrics().sample.is_some() {
        PodCol::Mem
    } else {
        PodCol::MemRl
    };
    app.tables.pods.sort_by_col(col as usize, false);
}

/// Enter on the selection.
pub fn open(app: &mut App) -> Vec<Effect> {
    match app.view {
        View::Triage => {
            let Some(row) = app.tables.triage.selected_row().cloned() else {
                return Vec::new();
            };
            if row.problem == "NodePressure" {
                // The node's pods, the biggest user of the pressured resource first.
                node_pods(app, row.target.clone());
                return Vec::new();
            }
            return go_to(app, &row.target);
        }
        View::TaskRuns => {
            // Straight to its steps' logs, as `l` does.
            if let Some(tr) = app.tables.taskruns.selected_row() {
                if tr.pod.is_empty() {
                    app.say(Notice::Tip("this TaskRun has no pod yet"));
                } else {
                    return logs::open_logs(app);
                }
            }
        }
        View::Namespaces => {
            let Some(row) = app.tables.namespaces.selected_row().cloned() else {
                return Vec::new();
            };
            let scope = if row.every {
                Scope::All
            } else {
                Scope::Namespace(row.name.clone())
            };
            go_view(app, View::Pods);
            return switch_scope(app, scope);
        }
        View::Pods => {
            if let Some(pod) = selected_object(app) {
                open_containers(app, pod);
            }
        }
        // Enter on a container: its log.
        View::Containers => return logs::open_logs(app),
        View::PipelineRuns => {
            if let Some(obj) = selected_object(app) {
                return open_taskruns(app, obj);
            }
        }
        View::Events => {
            let target = app.tables.events.selected_row().and_then(|e| {
                ResourceKind::from_kind_name(&e.object_kind)
                    .map(|k| ObjectRef::new(&e.cluster, k, &e.object_namespace, &e.object_name))
            });
            match target {
                Some(t) => return go_to(app, &t),
                None => app.say(Notice::Tip("kubedeck has no view for this event's object")),
            }
        }
        View::Nodes => {
            if let Some(obj) = selected_object(app) {
                node_pods(app, obj);
            }
        }
        View::Contexts => {
            // The contexts marked with Space, together; else the one under the cursor.
            let marked: Vec<_> = app
                .tables
                .contexts
                .marked_rows()
                .into_iter()
                .map(|r| crate::kube::ids::ClusterId::new(&r.name))
                .collect();
            let chosen = if marked.is_empty() {
                app.tables
                    .contexts
                    .selected_row()
                    .map(|r| vec![crate::kube::ids::ClusterId::new(&r.name)])
                    .unwrap_or_default()
            } else {
                marked
            };
            if !chosen.is_empty() {
                go_view(app, View::Pods);
                app.say(Notice::Connecting(chosen.clone()));
                return vec![Effect::SwitchContext(chosen)];
            }
        }
        View::Sessions => sessions::reopen(app),
        View::Captured => return logs::open_captured(app),
        // Enter in a kind's view and in `:api-resources` is `kinds` (`open_row`,
        // `open_selected`), which `update` calls instead.
        View::Resource
        | View::ApiResources
        | View::Detail
        | View::Forwards
        | View::CanI
        | View::WhoCan
        | View::Helm
        | View::HelmHistory => {}
        // Enter on the xray folds (`update` calls `xray::fold`), on the timeline goes to the
        // object (`timeline::enter`).
        View::Xray | View::Timeline | View::AsOf => {}
    }
    Vec::new()
}

/// `shown` with the user's own columns as the files say now.
pub fn with_current_view(
    app: &App,
    shown: super::resource::ResourceShown,
) -> super::resource::ResourceShown {
    let listed = shown
        .namespace
        .clone()
        .or_else(|| app.fleet.scope.namespace().map(str::to_string));
    let view = app.extensions.view_for(&shown.api, listed.as_deref());
    super::resource::ResourceShown { view, ..shown }
}
