//! Any kind by name: `:KIND [NAMESPACE]` resolved through discovery (asked again for a name
//! it does not know yet, a CRD added since), the resource view opened on it and watching only
//! it, `:api-resources`, (Tab completion is the command line's: `command::complete`.)

use std::sync::Arc;

use super::action::Effect;
use super::navigate::{go_view, navigate};
use super::resource::{ApiResourceRow, ResourceShown};
use super::state::{App, Discovery, Severity, View};
use super::table::Table;
use crate::kube::discovery::ApiResourceInfo;
use crate::kube::informer::ResourceKind;

/// Show `api` in the resource view (`:KIND [NS]`), watching only it.
pub fn show(app: &mut App, api: Arc<ApiResourceInfo>, namespace: Option<String>) -> Vec<Effect> {
    let shown = ResourceShown { api, namespace };
    app.layout.focus = super::layout::DASHBOARD;
    app.layout.zoomed = false;
    if app.view == View::Resource && app.resource.as_ref() == Some(&shown) {
        return Vec::new();
    }
    navigate(app, View::Resource);
    app.resource = Some(shown.clone());
    app.tables.resource = Table::default();
    // What the previous kind's informer said is not this one's.
    app.informers.remove(&ResourceKind::Generic);
    app.not_live_since.remove(&ResourceKind::Generic);
    app.stale.kinds.insert(ResourceKind::Generic);
    vec![Effect::WatchResource(Some(shown))]
}

/// `:NAME [NAMESPACE]` for a name no view of kubedeck's own has: resolved through discovery
/// (asked first, or again when the name is new: a CRD added since).
pub fn command(app: &mut App, name: &str, namespace: Option<String>) -> Vec<Effect> {
    let pending = Some((name.to_string(), namespace.clone()));
    match &app.discovery {
        Discovery::Running { .. } => {
            app.discovery = Discovery::Running { then: pending };
            app.message = Some((Severity::Info, "asking the server what it serves…".into()));
            return Vec::new();
        }
        Discovery::NotYet | Discovery::Failed(_) if app.catalog.is_empty() => {
            return discover(app, pending);
        }
        _ => {}
    }
    match app.catalog.resolve(name) {
        Ok(api) => show(app, api, namespace),
        // Not known (yet): a CRD installed since discovery ran. Ask once more.
        Err(_) => discover(app, pending),
    }
}

/// Run discovery (again), then `then`.
pub fn discover(app: &mut App, then: Option<(String, Option<String>)>) -> Vec<Effect> {
    if then.is_some() {
        app.message = Some((Severity::Info, "asking the server what it serves…".into()));
    }
    app.discovery = Discovery::Running { then };
    vec![Effect::Discover(app.cluster.clone())]
}

/// Discovery answered.
pub fn discovered(
    app: &mut App,
    result: Result<crate::kube::discovery::ApiCatalog, String>,
) -> Vec<Effect> {
    let then = match std::mem::take(&mut app.discovery) {
        Discovery::Running { then } => then,
        _ => None,
    };
    match result {
        Ok(catalog) => {
            app.catalog = Arc::new(catalog);
            app.discovery = Discovery::Done;
            let rows = app
                .catalog
                .all()
                .iter()
                .map(|a| Arc::new(ApiResourceRow::new(a.clone())))
                .collect();
            app.tables.api_resources.set_rows(rows);
            if let Some((name, namespace)) = then {
                match app.catalog.resolve(&name) {
                    Ok(api) => return show(app, api, namespace),
                    Err(e) => app.message = Some((Severity::Error, e)),
                }
            } else if app
                .message
                .as_ref()
                .is_some_and(|m| m.1.starts_with("asking the server"))
            {
                app.message = None;
            }
        }
        Err(e) => {
            // Said when someone asked (`:KIND`); at start the informers say what is wrong.
            if then.is_some() || app.view == View::ApiResources {
                app.message = Some((
                    Severity::Error,
                    format!("cannot ask the server what it serves: {e}"),
                ));
            }
            app.discovery = Discovery::Failed(e);
        }
    }
    Vec::new()
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
