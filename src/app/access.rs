//! RBAC in the app: `:can-i [NS]` (what the current user may do there, by resource and verb),
//! `:who-can VERB RESOURCE[/SUB] [NS]` (who may, through which binding and role), and the
//! check before a pod action that needs a right (exec, attach, debug, logs, port-forward):
//! refused with the reason before any picker opens, from the namespace's
//! SelfSubjectRulesReview (asked once, then again after a few minutes; the action waits for
//! the first answer).

use std::sync::Arc;

pub use super::access_data::{AccessState, Capability, REVIEW_SECONDS, Review};
use super::access_rows::{CanIRow, WhoCanRow};
use super::action::{Action, Effect};
use super::detail::{DocLine, Role, span};
use super::navigate::go_view;
use super::notice::Notice;
use super::state::{App, View};
pub use crate::kube::access::WhoCanQuery;
use crate::kube::access::{Access, Ask, Grantee, Permission};
use crate::kube::error::ApiError;
use crate::kube::ids::ClusterId;
use crate::kube::object_ref::ObjectRef;

/// What a check says about an action.
#[derive(Debug, PartialEq)]
pub enum Gate {
    Go,
    /// Refused (said), or held until the review comes (the effects ask for it).
    Stop(Vec<Effect>),
}

/// The known review of `namespace`, when fresh.
fn known<'a>(app: &'a App, cluster: &ClusterId, namespace: &str) -> Option<&'a Access> {
    match app
        .access
        .reviews
        .get(&(cluster.clone(), namespace.to_string()))
    {
        Some(Review::Known(a, at)) if app.now.as_second() - at.as_second() < REVIEW_SECONDS => {
            Some(a)
        }
        _ => None,
    }
}

/// Whether the current user may use `cap` on pods of `namespace`, as far as is known.
pub fn permission(app: &App, cluster: &ClusterId, namespace: &str, cap: Capability) -> Permission {
    known(app, cluster, namespace).map_or(Permission::Unknown, |a| a.permits(&cap.ask()))
}

/// The review of `namespace` asked for, unless it is known and fresh or being asked.
fn ask_review(app: &mut App, cluster: &ClusterId, namespace: &str) -> Vec<Effect> {
    let key = (cluster.clone(), namespace.to_string());
    let fresh = known(app, cluster, namespace).is_some();
    if fresh || matches!(app.access.reviews.get(&key), Some(Review::Asking)) {
        return Vec::new();
    }
    app.access.reviews.insert(key, Review::Asking);
    vec![Effect::ReviewAccess(cluster.clone(), namespace.to_string())]
}

/// Before `action` (which needs `cap`) on `pod`: go, refuse (said), or wait for the review.
pub fn check(app: &mut App, pod: &ObjectRef, cap: Capability, action: Action) -> Gate {
    let key = (pod.cluster.clone(), pod.namespace.clone());
    match app.access.reviews.get(&key) {
        Some(Review::Failed(_)) => return Gate::Go,
        Some(Review::Asking) => {
            app.access.held = Some((key.0, key.1, action));
            return Gate::Stop(Vec::new());
        }
        _ => {}
    }
    match known(app, &pod.cluster, &pod.namespace) {
        Some(access) => match access.permits(&cap.ask()) {
            Permission::Denied => {
                app.say(Notice::NotAllowed {
                    what: cap.label(),
                    resource: cap.ask().resource_text(),
                    namespace: pod.namespace.clone(),
                });
                Gate::Stop(Vec::new())
            }
            Permission::Allowed | Permission::Unknown => Gate::Go,
        },
        None => {
            app.access.held = Some((key.0.clone(), key.1.clone(), action));
            Gate::Stop(ask_review(app, &key.0, &key.1))
        }
    }
}

/// Before a pod action from the dashboard: refused (said) when the user's rules do not allow
/// it on the selected pod, or held while they are asked for. `None`: go on. (In read-only
/// mode the changes are refused as such first; only logs are checked.)
pub fn gate_action(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let cap = Capability::of(action)?;
    if app.readonly && cap != Capability::Logs {
        return None;
    }
    let pod = super::selection::selected_object(app)
        .filter(|o| o.kind == crate::kube::informer::ResourceKind::Pods)?;
    match check(app, &pod, cap, action) {
        Gate::Go => None,
        Gate::Stop(effects) => Some(effects),
    }
}

/// A namespace's review came: kept; the action that waited for it is to run again
/// (`rerun`); `:can-i` shows it.
pub fn reviewed(
    app: &mut App,
    cluster: ClusterId,
    namespace: String,
    result: Result<Access, ApiError>,
) {
    let key = (cluster, namespace);
    let review = match result {
        Ok(access) => Review::Known(Arc::new(access), app.now),
        Err(e) => {
            if app.view == View::CanI && app.access.can_i.as_deref() == Some(key.1.as_str()) {
                app.say(Notice::AccessReviewFailed(e.clone()));
            }
            Review::Failed(e)
        }
    };
    app.access.reviews.insert(key.clone(), review);
    refresh_can_i(app);
    app.stale.describe = true;
    match app.access.held.take() {
        Some((c, ns, action)) if c == key.0 && ns == key.1 => app.access.rerun = Some(action),
        other => app.access.held = other,
    }
}

/// `:can-i [NS]`: what the current user may do in NS (else the namespace shown, else
/// `default`), in every cluster shown.
pub fn can_i(app: &mut App, namespace: Option<String>) -> Vec<Effect> {
    let namespace = namespace
        .or_else(|| app.fleet.scope.namespace().map(str::to_string))
        .unwrap_or_else(|| "default".into());
    app.access.can_i = Some(namespace.clone());
    go_view(app, View::CanI);
    // Asked again each time: the point is to know now.
    let clusters = app.fleet.clusters.clone();
    let mut effects = Vec::new();
    for c in clusters {
        app.access.reviews.remove(&(c.clone(), namespace.clone()));
        effects.extend(ask_review(app, &c, &namespace));
    }
    refresh_can_i(app);
    effects
}

fn refresh_can_i(app: &mut App) {
    let Some(ns) = app.access.can_i.clone() else {
        return;
    };
    let mut rows = Vec::new();
    for c in &app.fleet.clusters {
        if let Some(Review::Known(a, _)) = app.access.reviews.get(&(c.clone(), ns.clone())) {
            rows.extend(
                a.by_resource()
                    .into_iter()
                    .map(|r| Arc::new(CanIRow::new(c.clone(), r))),
            );
        }
    }
    app.tables.can_i.set_rows(rows);
}

/// The title's words for `:can-i`: the namespace, and whether the list may be incomplete.
pub fn can_i_title(app: &App) -> String {
    let ns = app.access.can_i.clone().unwrap_or_default();
    let incomplete = app.fleet.clusters.iter().any(|c| {
        matches!(app.access.reviews.get(&(c.clone(), ns.clone())),
            Some(Review::Known(a, _)) if a.incomplete)
    });
    if incomplete {
        format!("{ns}, incomplete: a webhook may allow more")
    } else {
        ns
    }
}

/// The words of `:who-can` for its title.
pub fn who_can_title(app: &App) -> String {
    app.access.who_can.as_ref().map_or_else(String::new, |q| {
        let scope = q
            .namespace
            .as_deref()
            .map_or_else(|| "cluster-wide".to_string(), |ns| format!("in {ns}"));
        format!("{} {} {scope}", q.ask.verb, q.ask.resource_text())
    })
}

/// `:who-can VERB RESOURCE[/SUB] [NS]`.
pub fn who_can(app: &mut App, args: &[String]) -> Vec<Effect> {
    let query = match parse_who_can(app, args) {
        Ok(q) => q,
        Err(why) => {
            app.say(Notice::Invalid(format!(":who-can {why}")));
            return Vec::new();
        }
    };
    app.access.who_can = Some(query.clone());
    app.access.who_can_failed = None;
    app.tables.who_can.set_rows(Vec::new());
    go_view(app, View::WhoCan);
    app.fleet
        .clusters
        .iter()
        .map(|c| Effect::WhoCan(c.clone(), query.clone()))
        .collect()
}

/// The question, with the resource as discovery knows it (`deploy` is `deployments.apps`).
/// A parser of what a user typed: its `Err` is the sentence they read.
fn parse_who_can(app: &App, args: &[String]) -> Result<WhoCanQuery, String> {
    let (verb, resource, namespace) = match args {
        [verb, resource] => (verb, resource, None),
        [verb, resource, ns] => (verb, resource, Some(ns.clone())),
        _ => return Err("takes VERB RESOURCE[/SUBRESOURCE] [NAMESPACE]".into()),
    };
    let (base, sub) = match resource.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (resource.as_str(), None),
    };
    let (group, plural) = match app.catalog.api.resolve(base) {
        Ok(api) => (api.group.clone(), api.plural.clone()),
        // Not discovered (yet): `plural.group` as written.
        Err(_) => match base.split_once('.') {
            Some((plural, group)) => (group.to_string(), plural.to_string()),
            None if app.catalog.api.is_empty() => (String::new(), base.to_string()),
            None => return Err(format!("{base}: the server has no such resource")),
        },
    };
    let namespace = namespace.or_else(|| app.fleet.scope.namespace().map(str::to_string));
    Ok(WhoCanQuery {
        ask: Ask::new(&verb.to_lowercase(), &group, &plural, sub),
        namespace,
    })
}

/// `:who-can`'s answer from one cluster.
pub fn answered(
    app: &mut App,
    cluster: ClusterId,
    query: &WhoCanQuery,
    result: Result<Vec<Grantee>, ApiError>,
) {
    if app.access.who_can.as_ref() != Some(query) {
        return;
    }
    match result {
        Ok(grantees) => {
            let mut rows: Vec<Arc<WhoCanRow>> = app
                .tables
                .who_can
                .all_rows()
                .iter()
                .filter(|r| r.cluster != cluster)
                .cloned()
                .collect();
            rows.extend(
                grantees
                    .into_iter()
                    .map(|g| Arc::new(WhoCanRow::new(cluster.clone(), g))),
            );
            app.tables.who_can.set_rows(rows);
        }
        Err(e) => {
            app.access.who_can_failed = Some(e.clone());
            app.say(Notice::WhoCanFailed(e));
        }
    }
}

/// The describe pane's lines for a pod: what the current user may do to it (the review is
/// asked for when not known).
pub fn pod_lines(app: &mut App, pod: &ObjectRef) -> (Vec<DocLine>, Vec<Effect>) {
    let effects = ask_review(app, &pod.cluster, &pod.namespace);
    let mut line = vec![span(Role::Heading, "Your access:".to_string())];
    if known(app, &pod.cluster, &pod.namespace).is_none() {
        line.push(span(Role::Muted, " asking the server…".to_string()));
        return (vec![line], effects);
    }
    for cap in Capability::ALL {
        let (mark, role) = match permission(app, &pod.cluster, &pod.namespace, cap) {
            Permission::Allowed => ("yes", Role::Ok),
            Permission::Denied => ("no", Role::Error),
            Permission::Unknown => ("unknown", Role::Warning),
        };
        line.push(span(Role::Plain, format!(" {}: ", cap.word())));
        line.push(span(role, mark.to_string()));
    }
    (vec![line], effects)
}

/// The actions the key help marks as not allowed for the selected pod.
pub fn denied_actions(app: &App) -> Vec<Action> {
    let Some(pod) = super::selection::selected_object(app)
        .filter(|o| o.kind == crate::kube::informer::ResourceKind::Pods)
    else {
        return Vec::new();
    };
    [
        Action::Shell,
        Action::Attach,
        Action::Debug,
        Action::Logs,
        Action::PortForward,
    ]
    .into_iter()
    .filter(|a| {
        Capability::of(*a).is_some_and(|cap| {
            permission(app, &pod.cluster, &pod.namespace, cap) == Permission::Denied
        })
    })
    .collect()
}
