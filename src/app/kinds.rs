//! Any kind by name: `:KIND [NAMESPACE]` resolved through discovery (asked again for a name
//! it does not know yet, a CRD added since), the resource view opened on it and watching only
//! it, `:api-resources`, (Tab completion is the command line's: `command::complete`.)

use std::sync::Arc;

use super::action::Effect;
use super::catalog::PendingKind;
use super::detail::DetailKind;
use super::filter::Filter;
use super::navigate::{go_view, navigate, with_current_view};
use super::notice::Notice;
use super::resource::{ApiResourceRow, ResourceShown};
use super::state::{App, Discovery, View};
use super::table::{Table, TableRow, TableState};
use crate::kube::discovery::ApiResourceInfo;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;

/// Show `api` in the resource view (`:KIND [NS]`), watching only it.
pub fn show(app: &mut App, api: Arc<ApiResourceInfo>, namespace: Option<String>) -> Vec<Effect> {
    let listed = namespace
        .clone()
        .or_else(|| app.fleet.scope.namespace().map(str::to_string));
    let view = app.extensions.view_for(&api, listed.as_deref());
    let shown = ResourceShown {
        api,
        namespace,
        view,
    };
    app.panes.layout.focus = super::layout::DASHBOARD;
    app.panes.layout.zoomed = false;
    if app.view == View::Resource && app.resource.as_ref() == Some(&shown) {
        return Vec::new();
    }
    navigate(app, View::Resource);
    app.resource = Some(shown.clone());
    app.tables.resource = Table::default();
    // What the previous kind's informer said is not this one's.
    for status in app.fleet.status.values_mut() {
        status.informers.remove(&ResourceKind::Generic);
        status.not_live_since.remove(&ResourceKind::Generic);
    }
    app.stale.kinds.insert(ResourceKind::Generic);
    vec![Effect::WatchResource(Some(shown))]
}

/// The kind on screen, shown again when the user's own columns for it (views.yaml) are not
/// the ones it was opened with: the files are read after start and again when edited.
pub fn follow_view_setting(app: &mut App) -> Vec<Effect> {
    let Some(before) = app.resource.clone() else {
        return Vec::new();
    };
    let shown = with_current_view(app, before.clone());
    if shown == before {
        return Vec::new();
    }
    app.resource = Some(shown.clone());
    if app.view != View::Resource {
        // Watched again with the new columns when it is opened.
        return Vec::new();
    }
    let filter = app.tables.resource.filter.clone();
    app.tables.resource = Table::default();
    app.tables.resource.filter = filter;
    for status in app.fleet.status.values_mut() {
        status.informers.remove(&ResourceKind::Generic);
        status.not_live_since.remove(&ResourceKind::Generic);
    }
    app.stale.kinds.insert(ResourceKind::Generic);
    vec![Effect::WatchResource(Some(shown))]
}

/// `:NAME [NAMESPACE] [/FILTER]` for a name no view of kubedeck's own has: resolved through
/// discovery (asked first, or again when the name is new: a CRD added since).
pub fn command(
    app: &mut App,
    name: &str,
    namespace: Option<String>,
    filter: Option<Filter>,
) -> Vec<Effect> {
    let pending = Some(PendingKind {
        name: name.to_string(),
        namespace: namespace.clone(),
        filter: filter.clone(),
    });
    match &app.catalog.discovery {
        Discovery::Running { .. } => {
            app.catalog.discovery = Discovery::Running { then: pending };
            app.say(Notice::Discovering);
            return Vec::new();
        }
        Discovery::NotYet | Discovery::Failed(_) if app.catalog.api.is_empty() => {
            return discover(app, pending);
        }
        _ => {}
    }
    match app.catalog.api.resolve(name) {
        Ok(api) => show_filtered(app, api, namespace, filter),
        // Not known (yet): a CRD installed since discovery ran. Ask once more.
        Err(_) => discover(app, pending),
    }
}

/// `show`, with the table's filter set.
fn show_filtered(
    app: &mut App,
    api: Arc<ApiResourceInfo>,
    namespace: Option<String>,
    filter: Option<Filter>,
) -> Vec<Effect> {
    let effects = show(app, api, namespace);
    if let Some(f) = filter {
        app.tables.resource.set_filter(f);
    }
    effects
}

/// Run discovery (again), then `then`.
pub fn discover(app: &mut App, then: Option<PendingKind>) -> Vec<Effect> {
    if then.is_some() {
        app.say(Notice::Discovering);
    }
    app.catalog.discovery = Discovery::Running { then };
    vec![Effect::Discover(app.fleet.cluster.clone())]
}

/// Discovery answered.
pub fn discovered(
    app: &mut App,
    result: Result<crate::kube::discovery::ApiCatalog, crate::kube::error::ApiError>,
) -> Vec<Effect> {
    let then = match std::mem::take(&mut app.catalog.discovery) {
        Discovery::Running { then } => then,
        _ => None,
    };
    match result {
        Ok(catalog) => {
            app.catalog.api = Arc::new(catalog);
            app.catalog.discovery = Discovery::Done;
            let rows = app
                .catalog
                .api
                .all()
                .iter()
                .map(|a| Arc::new(ApiResourceRow::new(a.clone())))
                .collect();
            app.tables.api_resources.set_rows(rows);
            if let Some(pending) = then {
                match app.catalog.api.resolve(&pending.name) {
                    Ok(api) => {
                        return show_filtered(app, api, pending.namespace, pending.filter);
                    }
                    Err(e) => app.say(Notice::NoSuchKind(e)),
                }
            } else if app.notice == Some(Notice::Discovering) {
                app.notice = None;
            }
        }
        Err(e) => {
            // Said when someone asked (`:KIND`); at start the informers say what is wrong.
            if then.is_some() || app.view == View::ApiResources {
                app.say(Notice::DiscoveryFailed(e.clone()));
            }
            app.catalog.discovery = Discovery::Failed(e);
        }
    }
    Vec::new()
}

/// `show`, then only what a drill-down was drilled with: the objects `pin` owns, or those
/// `filter` keeps.
fn show_only(
    app: &mut App,
    api: Arc<ApiResourceInfo>,
    namespace: Option<String>,
    pin: Option<ObjectRef>,
    filter: &str,
) -> Vec<Effect> {
    let effects = show(app, api, namespace);
    app.tables.resource.restore(TableState {
        pin,
        filter: Filter::parse(filter).unwrap_or_default(),
        ..TableState::default()
    });
    effects
}

/// The pods view with only `pin`'s pods (a workload's), or those `selector` picks in a namespace.
fn pods_of(app: &mut App, pin: ObjectRef, selector: Option<&str>) -> Vec<Effect> {
    navigate(app, View::Pods);
    let filter = selector.map_or(Filter::default(), |s| {
        Filter::parse(&format!("-l {s}")).unwrap_or_default()
    });
    app.tables.pods.restore(TableState {
        pin: Some(pin),
        filter,
        ..TableState::default()
    });
    Vec::new()
}

/// Enter on a row of the resource view: along the relations an SRE follows (a Deployment's
/// ReplicaSets, a workload's pods, a CronJob's Jobs, a Service's pods, an HPA's target, a
/// CRD's objects); describe for the rest.
pub fn open_row(app: &mut App) -> Vec<Effect> {
    let Some(row) = app.tables.resource.selected_row().cloned() else {
        return Vec::new();
    };
    let Some(obj) = TableRow::object(&row, &app.fleet.cluster) else {
        return Vec::new();
    };
    let api = &row.layout.api;
    let ns = Some(row.row.namespace.clone()).filter(|n| !n.is_empty());
    let child = |app: &App, name: &str| app.catalog.api.resolve(name).ok();
    match (api.group.as_str(), api.plural.as_str()) {
        ("apps", "deployments") => {
            if let Some(rs) = child(app, "replicasets.apps") {
                return show_only(app, rs, ns, Some(obj), "");
            }
        }
        ("batch", "cronjobs") => {
            if let Some(jobs) = child(app, "jobs.batch") {
                return show_only(app, jobs, ns, Some(obj), "");
            }
        }
        ("apps", "replicasets" | "statefulsets" | "daemonsets")
        | ("batch", "jobs")
        | ("", "persistentvolumeclaims") => {
            return pods_of(app, obj, None);
        }
        ("", "services") => {
            let selector = row.cell_named("Selector").filter(|s| s != "<none>");
            let Some(selector) = selector else {
                app.say(Notice::SelectsNoPods(obj.label()));
                return Vec::new();
            };
            let namespace = ObjectRef::new(
                &obj.cluster,
                ResourceKind::Namespaces,
                "",
                &row.row.namespace,
            );
            return pods_of(app, namespace, Some(&selector));
        }
        ("autoscaling", "horizontalpodautoscalers") => {
            // `Deployment/web`: that object in its own view.
            if let Some((kind, name)) = row.cell_named("Reference").and_then(|r| {
                r.split_once('/')
                    .map(|(k, n)| (k.to_string(), n.to_string()))
            }) && let Some(target) = child(app, &kind)
            {
                return show_only(
                    app,
                    target,
                    ns,
                    None,
                    &format!("^{}$", regex::escape(&name)),
                );
            }
        }
        // Its Services are in its spec: fetched first.
        ("networking.k8s.io", "ingresses") => {
            app.say(Notice::Reading(obj.label()));
            return vec![Effect::FetchForDrill(obj)];
        }
        ("apiextensions.k8s.io", "customresourcedefinitions") => {
            if let Some(instances) = child(app, &row.row.name) {
                return show(app, instances, None);
            }
        }
        _ => {}
    }
    super::navigate::open_detail(app, obj, DetailKind::Describe)
}

/// An object fetched for a relation its row does not show: an Ingress's backend Services.
pub fn drill_fetched(
    app: &mut App,
    obj: ObjectRef,
    result: Result<serde_json::Value, crate::kube::actions::ActionError>,
) -> Vec<Effect> {
    let ingress = match result {
        Ok(v) => v,
        Err(e) => {
            let label = obj.label();
            app.say(Notice::CannotRead { label, error: e });
            return Vec::new();
        }
    };
    let spec = &ingress["spec"];
    let mut names: Vec<String> = spec["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|r| r["http"]["paths"].as_array().cloned().unwrap_or_default())
        .chain(
            [spec["defaultBackend"].clone()]
                .into_iter()
                .map(|b| serde_json::json!({"backend": b})),
        )
        .filter_map(|p| p["backend"]["service"]["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        app.say(Notice::NoServiceBackends(obj.label()));
        return Vec::new();
    }
    let Ok(services) = app.catalog.api.resolve("services") else {
        return Vec::new();
    };
    let pattern = names
        .iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|");
    let ns = Some(obj.namespace.clone()).filter(|n| !n.is_empty());
    show_only(app, services, ns, None, &format!("^({pattern})$"))
}

/// `o`: the selection's owner (its controller), in the owner's own view.
pub fn owner(app: &mut App) -> Vec<Effect> {
    let owner = match app.view {
        View::Resource => app.tables.resource.selected_row().and_then(|r| {
            let o = r
                .row
                .owners
                .iter()
                .find(|o| o.controller == Some(true))
                .or(r.row.owners.first())?;
            Some((o.kind.clone(), o.name.clone(), r.row.namespace.clone()))
        }),
        View::Pods => app.tables.pods.selected_row().and_then(|p| {
            let (kind, name) = p.owner.clone()?;
            Some((kind, name, p.namespace.clone()))
        }),
        _ => None,
    };
    let Some((kind, name, namespace)) = owner else {
        app.say(Notice::Tip("no owner: nothing controls this object"));
        return Vec::new();
    };
    match app.catalog.api.resolve(&kind) {
        Ok(api) => {
            let ns = Some(namespace).filter(|n| !n.is_empty() && api.namespaced);
            show_only(app, api, ns, None, &format!("^{}$", regex::escape(&name)))
        }
        Err(e) => {
            app.say(Notice::OwnerUnknown { kind, name, why: e });
            Vec::new()
        }
    }
}

/// Enter on an event about an object of a kind without a view of its own (a Deployment, a
/// PVC…): that object in the resource view. `None` for kinds that have their own view.
pub fn open_event_object(app: &mut App) -> Option<Vec<Effect>> {
    let e = app.tables.events.selected_row()?.clone();
    if ResourceKind::from_kind_name(&e.object_kind).is_some() {
        return None;
    }
    let api = app.catalog.api.resolve(&e.object_kind).ok()?;
    let ns = Some(e.object_namespace.clone()).filter(|n| !n.is_empty() && api.namespaced);
    Some(show_only(
        app,
        api,
        ns,
        None,
        &format!("^{}$", regex::escape(&e.object_name)),
    ))
}

/// `rollout status`, live: each workload restarted or scaled from here, read from its row in
/// the resource view (READY, UP-TO-DATE, AVAILABLE as the server prints them), said in the
/// status line until it has rolled out.
pub fn follow_rollouts(app: &mut App) {
    if app.rollouts.is_empty() || app.view != View::Resource {
        return;
    }
    let number = |s: Option<String>| s.and_then(|t| t.trim().parse::<i64>().ok());
    let mut said = None;
    let mut done = Vec::new();
    for obj in &app.rollouts {
        let Some(row) = app.tables.resource.all_rows().iter().find(|r| {
            r.row.name == obj.name
                && r.row.namespace == obj.namespace
                && Some(&r.layout.api) == obj.api.as_ref()
        }) else {
            continue;
        };
        let (ready, want) = row
            .cell_named("Ready")
            .and_then(|r| {
                let (a, b) = r.split_once('/')?;
                Some((a.trim().parse::<i64>().ok()?, b.trim().parse::<i64>().ok()?))
            })
            .unwrap_or((0, 0));
        let updated = number(row.cell_named("Up-to-date")).unwrap_or(want);
        let available = number(row.cell_named("Available")).unwrap_or(ready);
        let label = obj.label();
        if updated >= want && available >= want && ready >= want {
            said = Some(Notice::RolledOut { label, want });
            done.push(obj.clone());
        } else {
            said = Some(Notice::RollingOut {
                label,
                updated,
                want,
                available,
                ready,
            });
        }
    }
    app.rollouts.retain(|o| !done.contains(o));
    if let Some(notice) = said {
        app.say_progress(notice);
    }
}

/// Enter in `:api-resources`: that kind's objects.
pub fn open_selected(app: &mut App) -> Vec<Effect> {
    match app
        .tables
        .api_resources
        .selected_row()
        .map(|r| r.api.clone())
    {
        Some(api) => show(app, api, None),
        None => Vec::new(),
    }
}

/// `:api-resources`: every kind, asked for again.
pub fn api_resources(app: &mut App) -> Vec<Effect> {
    go_view(app, View::ApiResources);
    discover(app, None)
}
