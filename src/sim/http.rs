//! The apiserver's HTTP surface: discovery, list (JSON or Table, paginated), get, delete,
//! watch, pod logs, Status error bodies, and the `/_sim/` fault-injection endpoints.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::logs::{self, LogError, LogQuery};
use super::resources::{self, Served, View};
use super::route::{self, Target};
use super::selector::{FieldSelector, LabelSelector};
use super::store::Key;
use super::{Ctrl, Shared, metrics, model, table, watch};

type Params = HashMap<String, String>;

pub fn status_body(code: u16, reason: &str, message: &str, details: Option<Value>) -> Value {
    let mut v = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code});
    if let Some(d) = details {
        v["details"] = d;
    }
    v
}

pub fn json_response(code: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    (code, [(header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

fn status(code: u16, reason: &str, message: &str, details: Option<Value>) -> Response {
    let sc = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json_response(sc, &status_body(code, reason, message, details))
}

fn not_found_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "404 page not found\n",
    )
        .into_response()
}

fn bad_request(message: &str) -> Response {
    status(400, "BadRequest", message, None)
}

fn resource_name(served: &Served) -> String {
    if served.group.is_empty() {
        served.plural.to_string()
    } else {
        format!("{}.{}", served.plural, served.group)
    }
}

fn forbidden(served: &Served, verb: &str, namespace: Option<&str>) -> Response {
    let scope = namespace.map_or_else(
        || "at the cluster scope".to_string(),
        |ns| format!("in the namespace \"{ns}\""),
    );
    let message = format!(
        "{} is forbidden: User \"system:serviceaccount:demo:nobody\" cannot {verb} resource \"{}\" in API group \"{}\" {scope}",
        resource_name(served),
        served.plural,
        served.group
    );
    status(
        403,
        "Forbidden",
        &message,
        Some(json!({"group": served.group, "kind": served.plural})),
    )
}

pub async fn handle(
    State(sim): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<Params>,
    body: axum::body::Bytes,
) -> Response {
    let latency = sim.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(target) = route::parse(uri.path()) else {
        return not_found_page();
    };
    if let Target::Admin(cmd) = &target {
        return admin(&sim, cmd, &params);
    }
    if let Some(token) = &sim.token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        // Anonymous requests are allowed (client-go sends no token over plain HTTP); a wrong token
        // is refused as an expired or revoked one would be.
        if presented.is_some_and(|p| p != token.as_str()) {
            return status(401, "Unauthorized", "Unauthorized", None);
        }
    }
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    match (method, target) {
        (Method::GET, Target::Version) => json_response(StatusCode::OK, &super::version_info()),
        (Method::GET, Target::ApiVersions) => json_response(
            StatusCode::OK,
            &json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": sim.addr_text()}]}),
        ),
        (Method::GET, Target::ApiGroups) => json_response(
            StatusCode::OK,
            &resources::group_list(|g, v| sim.faults.serves(g, v)),
        ),
        (Method::GET, Target::GroupVersion { group, version }) => {
            if !sim.faults.serves(&group, &version) {
                return not_found_page();
            }
            match resources::resource_list(&group, &version) {
                Some(list) => json_response(StatusCode::OK, &list),
                None => not_found_page(),
            }
        }
        (method, Target::Collection { served, namespace }) => {
            if let Some(r) = gate(
                &sim,
                served,
                namespace.as_deref(),
                if method == Method::GET { "list" } else { "" },
            ) {
                return r;
            }
            if method == Method::POST {
                if let Some(r) = gate(&sim, served, namespace.as_deref(), "create") {
                    return r;
                }
                return create(&sim, served, namespace, &body);
            }
            if method != Method::GET {
                return status(
                    405,
                    "MethodNotAllowed",
                    "the server does not allow this method on the requested resource",
                    None,
                );
            }
            let watching = matches!(params.get("watch").map(String::as_str), Some("true" | "1"));
            if watching {
                if served.store.is_none() {
                    return status(
                        405,
                        "MethodNotAllowed",
                        "the server does not allow this method on the requested resource",
                        None,
                    );
                }
                if let Some(r) = gate(&sim, served, namespace.as_deref(), "watch") {
                    return r;
                }
                return match Filter::new(served, namespace, &params) {
                    Ok(filter) => watch::respond(sim, served, filter, &params),
                    Err(r) => *r,
                };
            }
            list(&sim, served, namespace, &params, &accept)
        }
        (
            Method::GET,
            Target::Object {
                served,
                namespace,
                name,
            },
        ) => {
            if let Some(r) = gate(&sim, served, namespace.as_deref(), "get") {
                return r;
            }
            get(&sim, served, namespace, &name)
        }
        (
            Method::DELETE,
            Target::Object {
                served,
                namespace,
                name,
            },
        ) => {
            if let Some(r) = gate(&sim, served, namespace.as_deref(), "delete") {
                return r;
            }
            delete(&sim, served, namespace, &name, &params)
        }
        (
            Method::PATCH,
            Target::Object {
                served,
                namespace,
                name,
            },
        ) => {
            if let Some(r) = gate(&sim, served, namespace.as_deref(), "patch") {
                return r;
            }
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            patch(&sim, served, namespace, &name, &content_type, &body)
        }
        (Method::GET, Target::Log { namespace, name }) => {
            let Some(pods) = resources::find("", "v1", "pods") else {
                return not_found_page();
            };
            if sim.faults.is_forbidden("pods/log") || sim.faults.is_forbidden("pods") {
                return forbidden(pods, "get", Some(&namespace));
            }
            pod_log(sim, &namespace, &name, &params)
        }
        (Method::POST, Target::Eviction { namespace, name }) => {
            evict(&sim, &namespace, &name, &params)
        }
        (method, Target::Ephemeral { namespace, name }) => {
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            ephemeral(&sim, &method, &namespace, &name, &content_type, &body)
        }
        _ => status(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            None,
        ),
    }
}

/// A pod carrying this label is protected by a (simulated) PodDisruptionBudget that allows no
/// disruption now: its evictions get the apiserver's 429.
pub const PDB_BLOCKED: &str = "sim.kubedeck.dev/pdb-blocked";

/// POST `pods/NAME/eviction`: a graceful delete unless a disruption budget forbids it.
fn evict(sim: &Arc<Shared>, namespace: &str, name: &str, params: &Params) -> Response {
    let Some(pods) = resources::find("", "v1", "pods") else {
        return not_found_page();
    };
    if sim.faults.is_forbidden("pods/eviction") {
        return forbidden(pods, "create", Some(namespace));
    }
    let key = (namespace.to_string(), name.to_string());
    let Some(pod) = sim.store.get(resources::Kind::Pod, &key) else {
        return not_found(pods, name);
    };
    if pod["metadata"]["labels"][PDB_BLOCKED].is_string() {
        return status(
            429,
            "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget.",
            Some(json!({"causes": [{"reason": "DisruptionBudget",
                "message": format!("The disruption budget {name}-pdb needs 1 healthy pods and has 1 currently")}]})),
        );
    }
    let deleted = delete(sim, pods, Some(namespace.to_string()), name, params);
    if !deleted.status().is_success() {
        return deleted;
    }
    json_response(
        StatusCode::CREATED,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    )
}

/// GET, PATCH or PUT `pods/NAME/ephemeralcontainers`.
fn ephemeral(
    sim: &Arc<Shared>,
    method: &Method,
    namespace: &str,
    name: &str,
    content_type: &str,
    body: &[u8],
) -> Response {
    let Some(pods) = resources::find("", "v1", "pods") else {
        return not_found_page();
    };
    if !sim.faults.ephemeral_enabled() {
        return not_found_page();
    }
    if sim.faults.is_forbidden("pods/ephemeralcontainers") {
        let verb = if *method == Method::GET {
            "get"
        } else {
            "patch"
        };
        return status(
            403,
            "Forbidden",
            &format!(
                "pods \"{name}\" is forbidden: User \"kubedeck-sim\" cannot {verb} resource \"pods/ephemeralcontainers\" in API group \"\" in the namespace \"{namespace}\""
            ),
            Some(json!({"name": name, "kind": "pods"})),
        );
    }
    let key = (namespace.to_string(), name.to_string());
    let Some(pod) = sim.store.get(resources::Kind::Pod, &key) else {
        return not_found(pods, name);
    };
    let current: Vec<Value> = pod["spec"]["ephemeralContainers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let doc = if *method == Method::GET {
        Value::Null
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(d) => d,
            Err(_) => return bad_request("the body of the request was in an unknown format"),
        }
    };
    let media = content_type.split(';').next().unwrap_or_default().trim();
    let mut next = match (method.clone(), media) {
        (Method::GET, _) => return json_response(StatusCode::OK, &present(pods, &pod)),
        (Method::PATCH, "application/strategic-merge-patch+json") => super::debug::merge_by_name(
            &current,
            doc["spec"]["ephemeralContainers"]
                .as_array()
                .map_or(&[][..], Vec::as_slice),
        ),
        (Method::PATCH, "application/merge-patch+json") => {
            let mut whole = (*pod).clone();
            json_patch::merge(&mut whole, &doc);
            whole["spec"]["ephemeralContainers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        }
        (Method::PATCH, "application/json-patch+json") => {
            let ops: json_patch::Patch = match serde_json::from_value(doc) {
                Ok(p) => p,
                Err(e) => return bad_request(&e.to_string()),
            };
            let mut whole = (*pod).clone();
            if let Err(e) = json_patch::patch(&mut whole, &ops) {
                return status(422, "Invalid", &e.to_string(), None);
            }
            whole["spec"]["ephemeralContainers"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        }
        (Method::PUT, _) => doc["spec"]["ephemeralContainers"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        (Method::PATCH, other) => {
            return status(
                415,
                "UnsupportedMediaType",
                &format!("the body of the request was in an unknown format (got {other:?})"),
                None,
            );
        }
        _ => {
            return status(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
                None,
            );
        }
    };
    if let Err((code, reason, message)) = super::debug::validate(&pod, &mut next) {
        return status(
            code,
            reason,
            &message,
            Some(json!({"name": name, "kind": "Pod"})),
        );
    }
    match super::debug::apply(sim, &key, next) {
        Some(o) => json_response(StatusCode::OK, &present(pods, &o)),
        None => not_found(pods, name),
    }
}

/// Faults and availability that apply before any verb: 403 and unserved metrics.
fn gate(
    sim: &Shared,
    served: &'static Served,
    namespace: Option<&str>,
    verb: &str,
) -> Option<Response> {
    if !sim.faults.serves(served.group, served.version) {
        return Some(not_found_page());
    }
    if sim.faults.is_forbidden(served.plural) {
        return Some(forbidden(
            served,
            if verb.is_empty() { "list" } else { verb },
            namespace,
        ));
    }
    None
}

/// What a list or watch selects: namespace, label and field selectors.
#[derive(Clone)]
pub struct Filter {
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    pub fn new(
        served: &Served,
        namespace: Option<String>,
        params: &Params,
    ) -> Result<Self, Box<Response>> {
        let labels = LabelSelector::parse(params.get("labelSelector").map_or("", String::as_str))
            .map_err(|e| Box::new(bad_request(&e.to_string())))?;
        let fields = FieldSelector::parse(
            params.get("fieldSelector").map_or("", String::as_str),
            served.field_labels(),
        )
        .map_err(|e| Box::new(bad_request(&e.to_string())))?;
        Ok(Self {
            namespace,
            labels,
            fields,
        })
    }

    /// Match on the object as served (so events.k8s.io selectors see `regarding`).
    pub fn matches(&self, obj: &Value) -> bool {
        if let Some(ns) = &self.namespace
            && obj["metadata"]["namespace"].as_str() != Some(ns.as_str())
        {
            return false;
        }
        self.labels.matches_json(&obj["metadata"]["labels"]) && self.fields.matches(obj)
    }

    /// True when only the namespace narrows the selection.
    fn has_selectors(&self) -> bool {
        !self.labels.is_empty() || !self.fields.is_empty()
    }
}

/// Convert a stored object to the endpoint's view.
pub fn present(served: &Served, obj: &Arc<Value>) -> Arc<Value> {
    match served.view {
        View::EventsV1 => Arc::new(model::event_v1(obj)),
        View::TektonV1beta1 => Arc::new(model::tekton_v1beta1(obj)),
        _ => obj.clone(),
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ContinueToken {
    v: String,
    rv: u64,
    start: String,
}

fn encode_continue(rv: u64, key: &Key) -> String {
    let token = ContinueToken {
        v: "meta.k8s.io/v1".into(),
        rv,
        start: format!("{}/{}\u{0}", key.0, key.1),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&token).unwrap_or_default())
}

fn decode_continue(token: &str) -> Result<(u64, Key), String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|e| format!("invalid continue token: continue key is not valid: {e}"))?;
    let t: ContinueToken =
        serde_json::from_slice(&bytes).map_err(|e| format!("invalid continue token: {e}"))?;
    let start = t.start.trim_end_matches('\u{0}');
    let (ns, name) = start
        .split_once('/')
        .ok_or_else(|| "invalid continue token: continue key is not valid".to_string())?;
    Ok((t.rv, (ns.to_string(), name.to_string())))
}

/// The items a list returns (before pagination), as served.
/// Objects that are computed on request (metrics), not stored.
fn computed(sim: &Shared, served: &Served) -> (u64, Vec<(Key, Arc<Value>)>) {
    let now = Timestamp::now();
    match (served.view, served.store) {
        (View::NodeMetrics, _) => {
            let w = sim.world();
            let mut items: Vec<_> = metrics::node_metrics(&w, now)
                .into_iter()
                .map(|v| (super::store::key_of(&v), v))
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            (sim.store.resource_version(), items)
        }
        (View::PodMetrics, _) => {
            let pods = sim.store.snapshot(resources::Kind::Pod).items;
            let (tick, hog) = {
                let w = sim.world();
                (w.tick, metrics::hog_bytes(&w))
            };
            let items = metrics::pod_metrics(&pods, tick, hog, now)
                .into_iter()
                .map(|v| (super::store::key_of(&v), v))
                .collect();
            (sim.store.resource_version(), items)
        }
        _ => (sim.store.resource_version(), Vec::new()),
    }
}

fn list(
    sim: &Shared,
    served: &'static Served,
    namespace: Option<String>,
    params: &Params,
    accept: &str,
) -> Response {
    let filter = match Filter::new(served, namespace, params) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let continued = match params.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => match decode_continue(token) {
            Ok(c) => Some(c),
            Err(message) => return bad_request(&message),
        },
        None => None,
    };
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0);
    let start = continued.as_ref().map(|(_, k)| k);
    let mut selected: Vec<(Key, Arc<Value>)> = Vec::new();
    // Objects left after a full page: counted exactly without selectors (the apiserver's
    // remainingItemCount); with selectors only their existence is known, as in the apiserver.
    let mut remaining = 0usize;
    let mut more = false;
    let mut visit = |key: &Key, obj: &Arc<Value>| -> bool {
        if filter.namespace.as_ref().is_some_and(|ns| *ns != key.0) {
            return true;
        }
        if limit.is_some_and(|l| selected.len() >= l) {
            more = true;
            remaining += 1;
            return !filter.has_selectors();
        }
        let shown = present(served, obj);
        if filter.matches(&shown) {
            selected.push((key.clone(), shown));
        }
        true
    };
    let rv_now = match (served.view, served.store) {
        (View::Stored | View::EventsV1 | View::TektonV1beta1, Some(kind)) => {
            sim.store.scan_after(kind, start, &mut visit)
        }
        _ => {
            let (rv, items) = computed(sim, served);
            items
                .iter()
                .filter(|(k, _)| start.is_none_or(|s| k > s))
                .all(|(k, v)| visit(k, v));
            rv
        }
    };
    let rv = continued.as_ref().map_or(rv_now, |(rv, _)| *rv);
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if more && let Some((k, _)) = selected.last() {
        meta["continue"] = json!(encode_continue(rv, k));
        if !filter.has_selectors() {
            meta["remainingItemCount"] = json!(remaining);
        }
    }
    let items: Vec<Arc<Value>> = selected.into_iter().map(|(_, v)| v).collect();
    if table::wants_table(accept) {
        return json_response(
            StatusCode::OK,
            &table::table(served, &items, meta, Timestamp::now()),
        );
    }
    // Items are already serialised JSON values; write the envelope around them.
    let mut body = Vec::with_capacity(items.len() * 2048 + 256);
    body.extend_from_slice(
        format!(
            "{{\"kind\":\"{}\",\"apiVersion\":\"{}\",\"metadata\":",
            served.list_kind(),
            served.api_version()
        )
        .as_bytes(),
    );
    body.extend_from_slice(&serde_json::to_vec(&meta).unwrap_or_default());
    body.extend_from_slice(b",\"items\":[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        if serde_json::to_writer(&mut body, item.as_ref()).is_err() {
            return status(500, "InternalError", "failed to encode list item", None);
        }
    }
    body.extend_from_slice(b"]}");
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn not_found(served: &Served, name: &str) -> Response {
    status(
        404,
        "NotFound",
        &format!("{} \"{name}\" not found", resource_name(served)),
        Some(json!({"name": name, "group": served.group, "kind": served.plural})),
    )
}

fn get(sim: &Shared, served: &'static Served, namespace: Option<String>, name: &str) -> Response {
    let key = (namespace.unwrap_or_default(), name.to_string());
    let found = match served.store {
        Some(kind) => sim.store.get(kind, &key).map(|o| present(served, &o)),
        None => computed(sim, served)
            .1
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v),
    };
    match found {
        Some(obj) => json_response(StatusCode::OK, &obj),
        None => not_found(served, name),
    }
}

/// The stored kind behind a writable resource, or a 405 response.
fn writable(served: &Served) -> Result<resources::Kind, Box<Response>> {
    served
        .store
        .filter(|_| matches!(served.view, View::Stored | View::TektonV1beta1))
        .ok_or_else(|| {
            Box::new(status(
                405,
                "MethodNotAllowed",
                "the server does not allow this method on the requested resource",
                None,
            ))
        })
}

/// PATCH: JSON merge patch and strategic merge patch (as a merge: enough for the fields
/// kubectl and kubedeck patch), or an RFC 6902 JSON patch.
fn patch(
    sim: &Arc<Shared>,
    served: &'static Served,
    namespace: Option<String>,
    name: &str,
    content_type: &str,
    body: &[u8],
) -> Response {
    let kind = match writable(served) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let key = (namespace.unwrap_or_default(), name.to_string());
    let Some(current) = sim.store.get(kind, &key) else {
        return not_found(served, name);
    };
    let Ok(doc) = serde_json::from_slice::<Value>(body) else {
        return bad_request("the body of the request was in an unknown format");
    };
    let mut next = (*current).clone();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    match media {
        "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
            json_patch::merge(&mut next, &doc);
        }
        "application/json-patch+json" => {
            let ops: json_patch::Patch = match serde_json::from_value(doc) {
                Ok(p) => p,
                Err(e) => return bad_request(&e.to_string()),
            };
            if let Err(e) = json_patch::patch(&mut next, &ops) {
                return status(422, "Invalid", &e.to_string(), None);
            }
        }
        other => {
            return status(
                415,
                "UnsupportedMediaType",
                &format!(
                    "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got {other:?})"
                ),
                None,
            );
        }
    }
    // Identity is not patchable.
    next["metadata"]["name"] = current["metadata"]["name"].clone();
    next["metadata"]["namespace"] = current["metadata"]["namespace"].clone();
    next["metadata"]["uid"] = current["metadata"]["uid"].clone();
    let updated = sim.store.update(kind, &key, |o| {
        *o = next.clone();
        true
    });
    sim.react(kind, &key);
    match sim.store.get(kind, &key).or(updated) {
        Some(o) => json_response(StatusCode::OK, &present(served, &o)),
        None => not_found(served, name),
    }
}

/// POST: create, with `generateName` turned into a name as the apiserver does.
fn create(
    sim: &Arc<Shared>,
    served: &'static Served,
    namespace: Option<String>,
    body: &[u8],
) -> Response {
    let kind = match writable(served) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let Ok(mut obj) = serde_json::from_slice::<Value>(body) else {
        return bad_request("the body of the request was in an unknown format");
    };
    let name = match (
        obj["metadata"]["name"].as_str(),
        obj["metadata"]["generateName"].as_str(),
    ) {
        (Some(n), _) if !n.is_empty() => n.to_string(),
        (_, Some(prefix)) => {
            let mut rng = fastrand::Rng::new();
            let suffix: String = (0..5)
                .map(|_| char::from(b"bcdfghjklmnpqrstvwxz2456789"[rng.usize(..27)]))
                .collect();
            format!("{prefix}{suffix}")
        }
        _ => {
            return status(
                422,
                "Invalid",
                "metadata.name: Required value: name or generateName is required",
                None,
            );
        }
    };
    let ns = namespace.unwrap_or_default();
    let key = (ns.clone(), name.clone());
    if sim.store.get(kind, &key).is_some() {
        return status(
            409,
            "AlreadyExists",
            &format!("{} \"{name}\" already exists", resource_name(served)),
            Some(json!({"name": name, "kind": served.plural})),
        );
    }
    obj["metadata"]["name"] = json!(name);
    if !ns.is_empty() {
        obj["metadata"]["namespace"] = json!(ns);
    }
    obj["metadata"]["uid"] = json!(model::uid(fastrand::u64(1 << 40..)));
    obj["metadata"]["creationTimestamp"] = model::ts(Timestamp::now());
    if let Some(status) = obj.as_object_mut() {
        status.remove("status");
    }
    sim.store.put(kind, obj);
    sim.react(kind, &key);
    match sim.store.get(kind, &key) {
        Some(o) => json_response(StatusCode::CREATED, &present(served, &o)),
        None => not_found(served, &name),
    }
}

fn delete(
    sim: &Arc<Shared>,
    served: &'static Served,
    namespace: Option<String>,
    name: &str,
    params: &Params,
) -> Response {
    let Some(kind) = served.store.filter(|_| served.view == View::Stored) else {
        return status(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            None,
        );
    };
    let key = (namespace.unwrap_or_default(), name.to_string());
    let Some(obj) = sim.store.get(kind, &key) else {
        return not_found(served, name);
    };
    let grace = params
        .get("gracePeriodSeconds")
        .and_then(|g| g.parse::<u64>().ok());
    let default_grace = obj["spec"]["terminationGracePeriodSeconds"]
        .as_u64()
        .unwrap_or(30)
        .min(sim.max_grace.as_secs());
    let grace = grace.unwrap_or(if kind == resources::Kind::Pod {
        default_grace
    } else {
        0
    });
    let terminal = matches!(
        obj["status"]["phase"].as_str(),
        Some("Succeeded" | "Failed")
    );
    if kind == resources::Kind::Pod {
        // The kubelet stops the pod's containers: their stand-in processes go too.
        sim.kill_processes(&key);
    }
    if grace == 0 || kind != resources::Kind::Pod || terminal {
        return match sim.store.remove(kind, &key) {
            Some(gone) => json_response(StatusCode::OK, &gone),
            None => not_found(served, name),
        };
    }
    if !obj["metadata"]["deletionTimestamp"].is_null() {
        return json_response(StatusCode::OK, &obj);
    }
    // Graceful: mark Terminating now, remove when the grace period ends.
    let marked = sim.store.update(kind, &key, |o| {
        o["metadata"]["deletionTimestamp"] = model::ts(Timestamp::now());
        o["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
        true
    });
    let store_owner = sim.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(grace)).await;
        store_owner.store.remove(kind, &key);
    });
    match marked {
        Some(o) => json_response(StatusCode::OK, &o),
        None => not_found(served, name),
    }
}

fn log_query(params: &Params) -> Result<LogQuery, String> {
    let flag = |k: &str| matches!(params.get(k).map(String::as_str), Some("true" | "1"));
    let int = |k: &str| -> Result<Option<i64>, String> {
        params
            .get(k)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| format!("{k}: invalid value {v:?}"))
            })
            .transpose()
    };
    let since_time = params
        .get("sinceTime")
        .map(|v| {
            v.parse::<Timestamp>()
                .map_err(|_| format!("sinceTime: invalid value {v:?}"))
        })
        .transpose()?;
    Ok(LogQuery {
        container: params.get("container").cloned(),
        follow: flag("follow"),
        tail_lines: int("tailLines")?,
        limit_bytes: int("limitBytes")?,
        since_seconds: int("sinceSeconds")?,
        since_time,
        timestamps: flag("timestamps"),
        previous: flag("previous"),
    })
}

fn pod_log(sim: Arc<Shared>, namespace: &str, name: &str, params: &Params) -> Response {
    let q = match log_query(params) {
        Ok(q) => q,
        Err(m) => return bad_request(&m),
    };
    let key = (namespace.to_string(), name.to_string());
    let Some(pod) = sim.store.get(resources::Kind::Pod, &key) else {
        return status(
            404,
            "NotFound",
            &format!("pods \"{name}\" not found"),
            Some(json!({"name": name, "kind": "pods"})),
        );
    };
    let src = match logs::source(&pod, &q) {
        Ok(s) => s,
        Err(LogError::BadRequest(m)) => return bad_request(&m),
    };
    let mut drops = sim.faults.watch_drops();
    let stream = async_stream_lines(src, q, sim.clone(), key, async move {
        let _ = drops.changed().await;
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| status(500, "InternalError", "failed to build log response", None))
}

/// The log body: the selected lines, then (with `follow`) new lines as they are written until
/// the container instance ends, the byte limit is reached, or the connection is cut.
fn async_stream_lines(
    src: logs::LogSource,
    q: LogQuery,
    sim: Arc<Shared>,
    key: Key,
    cut: impl std::future::Future<Output = ()> + Send + 'static,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let (first, mut end) = src.selection(&q, Timestamp::now());
    let limit = q.limit_bytes.filter(|l| *l > 0).map(|l| l as usize);
    tokio::spawn(async move {
        let mut sent = 0usize;
        let mut next = first;
        tokio::pin!(cut);
        loop {
            let mut chunk = Vec::new();
            while next < end {
                chunk.extend(src.render(next, q.timestamps));
                next += 1;
                if chunk.len() > 64 * 1024 {
                    break;
                }
            }
            if !chunk.is_empty() {
                let mut bytes = chunk;
                if let Some(l) = limit {
                    bytes.truncate(l.saturating_sub(sent));
                }
                sent += bytes.len();
                if bytes.is_empty() || tx.send(Ok(Bytes::from(bytes))).await.is_err() {
                    return;
                }
                if limit.is_some_and(|l| sent >= l) {
                    return;
                }
                continue;
            }
            if !q.follow || src.end.is_some() {
                return;
            }
            let wake = src.time_of(next);
            let wait = wake
                .duration_since(Timestamp::now())
                .unsigned_abs()
                .min(Duration::from_secs(1));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut cut => {
                    let _ = tx.send(Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "simulated connection drop"))).await;
                    return;
                }
            }
            // Stop following when this container instance is gone (restarted, deleted).
            let same = sim
                .store
                .get(resources::Kind::Pod, &key)
                .and_then(|p| logs::source(&p, &q).ok())
                .is_some_and(|s| s.start == src.start && s.end.is_none());
            if !same {
                return;
            }
            end = src.available(Timestamp::now()).1;
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}

fn admin(sim: &Shared, cmd: &str, params: &Params) -> Response {
    let num = |k: &str| params.get(k).and_then(|v| v.parse::<u64>().ok());
    match cmd {
        "drop-watches" => sim.faults.drop_all_watches(),
        "gone" => sim
            .faults
            .gone_next_watches(u32::try_from(num("count").unwrap_or(1)).unwrap_or(1)),
        "forbid" => sim
            .faults
            .forbid(params.get("resource").map_or("", String::as_str)),
        "allow" => sim
            .faults
            .allow(params.get("resource").map_or("", String::as_str)),
        "latency" => sim
            .faults
            .set_latency(Duration::from_millis(num("ms").unwrap_or(0))),
        "ephemeral" => sim
            .faults
            .set_ephemeral_enabled(params.get("enabled").is_none_or(|v| v == "true")),
        "metrics" => sim
            .faults
            .set_metrics_enabled(params.get("enabled").is_none_or(|v| v == "true")),
        "api" => sim.faults.set_api_served(
            params.get("gv").map_or("", String::as_str),
            params.get("served").is_none_or(|v| v == "true"),
        ),
        "compact" => sim.store.compact(),
        "step" => sim.step(num("n").unwrap_or(1)),
        "restart" => sim.control(Ctrl::Restart(Duration::from_millis(
            num("downtime_ms").unwrap_or(0),
        ))),
        _ => return not_found_page(),
    }
    json_response(StatusCode::OK, &json!({"ok": cmd}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_tokens_round_trip_and_reject_garbage() {
        let key = ("demo".to_string(), "multi".to_string());
        let token = encode_continue(81341, &key);
        assert_eq!(decode_continue(&token), Ok((81341, key)));
        let err = decode_continue("abc$def").err().unwrap_or_default();
        assert!(
            err.starts_with("invalid continue token: continue key is not valid: "),
            "{err}"
        );
    }

    #[test]
    fn forbidden_body_reads_like_rbac() {
        let pr = resources::find("tekton.dev", "v1", "pipelineruns");
        assert!(pr.is_some());
        if let Some(pr) = pr {
            let r = forbidden(pr, "list", None);
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
        }
        let body = status_body(
            403,
            "Forbidden",
            "pods is forbidden",
            Some(json!({"kind": "pods"})),
        );
        assert_eq!(body["reason"], "Forbidden");
        assert_eq!(body["details"]["kind"], "pods");
    }
}
