//! Writes: patch (merge, strategic, JSON patch), create (with generateName), delete,
//! the eviction subresource and ephemeral containers.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::super::field_validation as fields;
use super::super::resources::{self, Kind, Served, View};
use super::super::store::Key;
use super::super::{Shared, model};

type Params = HashMap<String, String>;

use super::read::not_found;
use super::*;

/// The disruption budget in `namespace` that selects `pod` and allows no disruption now, as the
/// apiserver's eviction check finds it.
fn blocking_budget(sim: &Arc<Shared>, namespace: &str, pod: &Value) -> Option<String> {
    let labels = pod["metadata"]["labels"].as_object();
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    sim.store
        .snapshot(resources::Kind::PodDisruptionBudget)
        .items
        .iter()
        .filter(|b| b["metadata"]["namespace"] == namespace)
        .filter(|b| b["status"]["disruptionsAllowed"].as_i64().unwrap_or(0) <= 0)
        .find(|b| {
            let want = b["spec"]["selector"]["matchLabels"].as_object();
            // An empty selector selects every pod of the namespace.
            want.is_none_or(|m| {
                m.iter()
                    .all(|(k, v)| label(k).is_some_and(|have| Some(have) == v.as_str()))
            })
        })
        .and_then(|b| b["metadata"]["name"].as_str().map(str::to_string))
}

/// POST `pods/NAME/eviction`: a graceful delete unless a disruption budget forbids it.
pub(super) fn evict(sim: &Arc<Shared>, namespace: &str, name: &str, params: &Params) -> Response {
    let Some(pods) = resources::find("", "v1", "pods") else {
        return not_found_page();
    };
    let fault = sim.faults.is_forbidden("pods/eviction");
    if let Some(r) = refuse(
        sim,
        fault,
        Denied::pod("create", "eviction", namespace, name),
    ) {
        return r;
    }
    let key = (namespace.to_string(), name.to_string());
    let Some(pod) = sim.store.get(resources::Kind::Pod, &key) else {
        return not_found(pods, name);
    };
    if let Some(pdb) = blocking_budget(sim, namespace, &pod) {
        return status(
            429,
            "TooManyRequests",
            "Cannot evict pod as it would violate the pod's disruption budget.",
            Some(json!({"causes": [{"reason": "DisruptionBudget",
                "message": format!("The disruption budget {pdb} needs 1 healthy pods and has 1 currently")}]})),
        );
    }
    let deleted = delete(sim, pods, Some(namespace.to_string()), name, params, b"");
    if !deleted.status().is_success() {
        return deleted;
    }
    json_response(
        StatusCode::CREATED,
        &json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}),
    )
}

/// GET, PATCH or PUT `pods/NAME/ephemeralcontainers`.
pub(super) fn ephemeral(
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
    let verb = if *method == Method::GET {
        "get"
    } else {
        "patch"
    };
    let fault = sim.faults.is_forbidden("pods/ephemeralcontainers");
    if let Some(r) = refuse(
        sim,
        fault,
        Denied::pod(verb, "ephemeralcontainers", namespace, name),
    ) {
        return r;
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
        (Method::PATCH, "application/strategic-merge-patch+json") => {
            super::super::debug::merge_by_name(
                &current,
                doc["spec"]["ephemeralContainers"]
                    .as_array()
                    .map_or(&[][..], Vec::as_slice),
            )
        }
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
    if let Err((code, reason, message)) = super::super::debug::validate(&pod, &mut next) {
        return status(
            code,
            reason,
            &message,
            Some(json!({"name": name, "kind": "Pod"})),
        );
    }
    // Pod Security weighs the whole pod when a debugger is added (not when the list is sent
    // again unchanged), as the plugin does for this subresource.
    let added = next
        .iter()
        .any(|c| !current.iter().any(|old| old["name"] == c["name"]));
    let mut warnings = Vec::new();
    if added {
        let mut whole = (*pod).clone();
        whole["spec"]["ephemeralContainers"] = json!(next);
        if let Some(refused) = pod_security_refusal(sim, namespace, name, &whole) {
            return refused;
        }
        warnings.extend(pod_security_warning(sim, namespace, &whole));
    }
    match super::super::debug::apply(sim, &key, next) {
        Some(o) => with_warnings(json_response(StatusCode::OK, &present(pods, &o)), &warnings),
        None => not_found(pods, name),
    }
}

/// The pod a workload's template makes (its metadata and spec), for Pod Security's `warn`
/// mode, which weighs workloads' templates as it weighs pods.
fn template_pod(kind: Kind, obj: &Value) -> Option<Value> {
    let template = match kind {
        Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::DaemonSet | Kind::Job => {
            &obj["spec"]["template"]
        }
        Kind::CronJob => &obj["spec"]["jobTemplate"]["spec"]["template"],
        _ => return None,
    };
    template.is_object().then(|| template.clone())
}

/// What the `warn` level of `namespace` says of a workload created or whose template changed
/// (`before`: what it was; a change outside the template, a scale, is not weighed).
fn workload_warning(
    sim: &Shared,
    kind: Kind,
    namespace: &str,
    before: Option<&Value>,
    after: &Value,
) -> Option<String> {
    let pod = template_pod(kind, after)?;
    if before.and_then(|b| template_pod(kind, b)).as_ref() == Some(&pod) {
        return None;
    }
    pod_security_warning(sim, namespace, &pod)
}

/// What the namespace's Pod Security `warn` level says of `pod`, admitted.
fn pod_security_warning(sim: &Shared, namespace: &str, pod: &Value) -> Option<String> {
    let ns = sim.store.get(
        resources::Kind::Namespace,
        &(String::new(), namespace.to_string()),
    )?;
    super::super::pod_security::warning(&ns, pod)
}

/// The 403 Pod Security admission answers for `pod` (named `name`) in `namespace`, if any.
fn pod_security_refusal(
    sim: &Shared,
    namespace: &str,
    name: &str,
    pod: &Value,
) -> Option<Response> {
    let ns = sim.store.get(
        resources::Kind::Namespace,
        &(String::new(), namespace.to_string()),
    )?;
    let why = super::super::pod_security::violation(&ns, pod)?;
    Some(status(
        403,
        "Forbidden",
        &format!("pods \"{name}\" is forbidden: {why}"),
        Some(json!({"name": name, "kind": "pods"})),
    ))
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

/// A write to an existing object: its kind, key, what it is now, and the request's body.
fn existing(
    sim: &Shared,
    served: &'static Served,
    namespace: Option<String>,
    name: &str,
    body: &[u8],
) -> Result<(Kind, Key, Arc<Value>, Value), Box<Response>> {
    let kind = writable(served)?;
    let key = (namespace.unwrap_or_default(), name.to_string());
    let Some(current) = sim.store.get(kind, &key) else {
        return Err(Box::new(not_found(served, name)));
    };
    let Ok(doc) = serde_json::from_slice::<Value>(body) else {
        return Err(Box::new(bad_request(
            "the body of the request was in an unknown format",
        )));
    };
    Ok((kind, key, current, doc))
}

/// Store `next` as the object, let the controllers react, and answer with it.
fn store_and_answer(
    sim: &Arc<Shared>,
    served: &'static Served,
    kind: Kind,
    key: &Key,
    next: Value,
) -> Response {
    let updated = sim.store.update(kind, key, |o| {
        *o = next.clone();
        true
    });
    sim.react(kind, key);
    match sim.store.get(kind, key).or(updated) {
        Some(o) => json_response(StatusCode::OK, &present(served, &o)),
        None => not_found(served, &key.1),
    }
}

/// Why the decoder refuses a write.
enum Undecodable {
    /// Fields the kind does not have, under `Strict`.
    Unknown(Vec<String>),
    /// A value its field cannot hold (any directive).
    Unreadable(String),
}

/// The fields of `next` its kind does not have, leaving out those `before` had already (a
/// patch is not refused for what it did not bring); `Err` for an object its kind cannot hold.
fn unknown_in(
    served: &Served,
    before: Option<&Value>,
    next: &Value,
) -> Result<Vec<String>, String> {
    if served.view != View::Stored {
        return Ok(Vec::new());
    }
    let of = |obj: &Value| fields::decode(served.group, served.version, served.kind_name, obj);
    let before = before.map(of);
    match of(next) {
        fields::Decoded::Unchecked => Ok(Vec::new()),
        // What was stored already unreadable is not this write's doing.
        fields::Decoded::Unreadable(_)
            if matches!(before, Some(fields::Decoded::Unreadable(_))) =>
        {
            Ok(Vec::new())
        }
        fields::Decoded::Unreadable(why) => Err(why),
        fields::Decoded::Read(found) => {
            let already = match before {
                Some(fields::Decoded::Read(had)) => had,
                _ => Vec::new(),
            };
            Ok(found.into_iter().filter(|f| !already.contains(f)).collect())
        }
    }
}

/// What `directive` makes of the unknown fields of `obj`: `Err` to refuse (`Strict`, or a
/// value its field cannot hold), else `obj` without them and the warnings to send (`Warn`'s).
fn validate(
    served: &Served,
    before: Option<&Value>,
    obj: &mut Value,
    directive: Directive,
) -> Result<Vec<String>, Undecodable> {
    let unknown = unknown_in(served, before, obj).map_err(Undecodable::Unreadable)?;
    if unknown.is_empty() {
        return Ok(Vec::new());
    }
    if directive == Directive::Strict {
        return Err(Undecodable::Unknown(unknown));
    }
    fields::drop_fields(obj, &unknown);
    Ok(if directive == Directive::Warn {
        fields::words(&unknown)
    } else {
        Vec::new()
    })
}

/// `response` with a `Warning` header for each of `warnings`, as the apiserver adds them.
fn with_warnings(mut response: Response, warnings: &[String]) -> Response {
    for w in warnings {
        if let Ok(value) = axum::http::HeaderValue::from_bytes(fields::warning_header(w).as_bytes())
        {
            response.headers_mut().append("warning", value);
        }
    }
    response
}

/// PATCH: JSON merge patch, strategic merge patch (built-in kinds only, as on a real
/// apiserver), or an RFC 6902 JSON patch.
pub(super) fn patch(
    sim: &Arc<Shared>,
    served: &'static Served,
    namespace: Option<String>,
    name: &str,
    content_type: &str,
    body: &[u8],
    directive: Directive,
) -> Response {
    let (kind, key, current, doc) = match existing(sim, served, namespace, name, body) {
        Ok(found) => found,
        Err(r) => return *r,
    };
    let mut next = (*current).clone();
    let patch_doc = doc.clone();
    let media = content_type.split(';').next().unwrap_or_default().trim();
    match media {
        "application/merge-patch+json" => json_patch::merge(&mut next, &doc),
        "application/strategic-merge-patch+json" if !served.is_custom() => {
            super::super::strategic::apply(&mut next, &doc);
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
    let patched = next.clone();
    let mut warnings = match validate(served, Some(&current), &mut next, directive) {
        Ok(w) => w,
        Err(refused) => {
            let strategic = media == "application/strategic-merge-patch+json";
            let shown = fields::patch_shown(strategic, &patch_doc, &patched);
            let (message, cause) = match refused {
                Undecodable::Unknown(unknown) => fields::refused_patch(&shown, &unknown),
                Undecodable::Unreadable(why) => fields::unreadable_patch(&shown, &why),
            };
            return status(
                422,
                "Invalid",
                &message,
                Some(
                    json!({"causes": [{"reason": "FieldValueInvalid", "message": cause, "field": "patch"}]}),
                ),
            );
        }
    };
    if let Some(refused) = update_refusal(kind, name, &current, &next) {
        return refused;
    }
    warnings.extend(workload_warning(sim, kind, &key.0, Some(&current), &next));
    bump_generation(&current, &mut next);
    // Identity is not patchable.
    next["metadata"]["name"] = current["metadata"]["name"].clone();
    next["metadata"]["namespace"] = current["metadata"]["namespace"].clone();
    next["metadata"]["uid"] = current["metadata"]["uid"].clone();
    with_warnings(store_and_answer(sim, served, kind, &key, next), &warnings)
}

/// A create's or update's refusal by the decoder: its 400.
fn strictly_refused(served: &Served, refused: Undecodable) -> Response {
    let message = match refused {
        Undecodable::Unknown(unknown) => {
            fields::refused_body(served.kind_name, served.version, &unknown)
        }
        Undecodable::Unreadable(why) => {
            fields::unreadable_body(served.kind_name, served.version, &why)
        }
    };
    status(400, "BadRequest", &message, None)
}

/// The apiserver's 422 for an update its validation refuses: a pod's spec beyond what may
/// change (`pod_update`).
fn update_refusal(kind: Kind, name: &str, current: &Value, next: &Value) -> Option<Response> {
    if kind != Kind::Pod {
        return workload_refusal(kind, name, Some(current), next);
    }
    let message = super::super::pod_update::refusal(current, next)?;
    let cause = message.split_once("spec: ").map_or("", |(_, c)| c);
    Some(status(
        422,
        "Invalid",
        &message,
        Some(json!({"name": name, "kind": "Pod",
            "causes": [{"reason": "FieldValueForbidden", "message": cause, "field": "spec"}]})),
    ))
}

/// The 422 for a workload whose selector changed or does not select its template's pods.
fn workload_refusal(
    kind: Kind,
    name: &str,
    current: Option<&Value>,
    next: &Value,
) -> Option<Response> {
    let kind_name = resources::SERVED
        .iter()
        .find(|s| s.store == Some(kind) && s.view == View::Stored)?
        .kind_name;
    let (message, causes) = super::super::workload_update::refusal(kind_name, name, current, next)?;
    let causes: Vec<Value> = causes
        .into_iter()
        .map(|(cause, field)| json!({"reason": "FieldValueInvalid", "message": cause, "field": field}))
        .collect();
    Some(status(
        422,
        "Invalid",
        &message,
        Some(json!({"name": name, "group": "apps", "kind": kind_name, "causes": causes})),
    ))
}

/// `metadata.generation` counts changes to the spec, as the apiserver keeps it.
fn bump_generation(current: &Value, next: &mut Value) {
    let generation = current["metadata"]["generation"].as_i64().unwrap_or(1);
    let changed = next["spec"] != current["spec"];
    next["metadata"]["generation"] = json!(generation + i64::from(changed));
}

/// PUT: replace the object. A resourceVersion in the body is a precondition: another one is
/// the apiserver's 409 Conflict (`wire-conflict-409.http`); identity fields are kept.
pub(super) fn replace(
    sim: &Arc<Shared>,
    served: &'static Served,
    namespace: Option<String>,
    name: &str,
    body: &[u8],
    directive: Directive,
) -> Response {
    let (kind, key, current, mut next) = match existing(sim, served, namespace, name, body) {
        Ok(found) => found,
        Err(r) => return *r,
    };
    // The body is decoded first (a typo refused before any precondition is weighed).
    let mut warnings = match validate(served, None, &mut next, directive) {
        Ok(w) => w,
        Err(refused) => return strictly_refused(served, refused),
    };
    if let Some(body_name) = next["metadata"]["name"].as_str()
        && body_name != name
    {
        return bad_request(&format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        ));
    }
    let asked = next["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default();
    let now = current["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default();
    if !asked.is_empty() && asked != now {
        return status(
            409,
            "Conflict",
            &format!(
                "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
                resource_name(served)
            ),
            Some(json!({"name": name, "group": served.group, "kind": served.plural})),
        );
    }
    if let Some(replicas) = next["spec"]["replicas"].as_i64()
        && replicas < 0
        && served.group == "apps"
    {
        return status(
            422,
            "Invalid",
            &format!(
                "{}.{} \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0",
                served.kind_name, served.group
            ),
            Some(
                json!({"name": name, "group": served.group, "kind": served.kind_name,
                "causes": [{"reason": "FieldValueInvalid", "message": format!("Invalid value: {replicas}: must be greater than or equal to 0"), "field": "spec.replicas"}]}),
            ),
        );
    }
    if let Some(refused) = update_refusal(kind, name, &current, &next) {
        return refused;
    }
    warnings.extend(workload_warning(sim, kind, &key.0, Some(&current), &next));
    bump_generation(&current, &mut next);
    // Identity is not replaceable.
    for field in ["name", "namespace", "uid", "creationTimestamp"] {
        next["metadata"][field] = current["metadata"][field].clone();
    }
    if next["status"].is_null() {
        next["status"] = current["status"].clone();
    }
    // Not a controller: a workload's status converges to its replicas at once (as `scale`).
    if let (Some(replicas), "apps") = (next["spec"]["replicas"].as_i64(), served.group)
        && next["spec"]["replicas"] != current["spec"]["replicas"]
    {
        for field in super::scale::status_counts(kind) {
            next["status"][*field] = json!(replicas);
        }
    }
    with_warnings(store_and_answer(sim, served, kind, &key, next), &warnings)
}

/// POST: create, with `generateName` turned into a name as the apiserver does.
pub(super) fn create(
    sim: &Arc<Shared>,
    served: &'static Served,
    namespace: Option<String>,
    body: &[u8],
    directive: Directive,
) -> Response {
    let kind = match writable(served) {
        Ok(k) => k,
        Err(r) => return *r,
    };
    let Ok(mut obj) = serde_json::from_slice::<Value>(body) else {
        return bad_request("the body of the request was in an unknown format");
    };
    let mut warnings = match validate(served, None, &mut obj, directive) {
        Ok(w) => w,
        Err(refused) => return strictly_refused(served, refused),
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
    // The namespace must exist (the NamespaceLifecycle admission plugin).
    if !ns.is_empty()
        && sim
            .store
            .get(resources::Kind::Namespace, &(String::new(), ns.clone()))
            .is_none()
    {
        return status(
            404,
            "NotFound",
            &format!("namespaces \"{ns}\" not found"),
            Some(json!({"name": ns, "kind": "namespaces"})),
        );
    }
    if kind == resources::Kind::Pod {
        if let Some(refused) = pod_security_refusal(sim, &ns, &name, &obj) {
            return refused;
        }
        warnings.extend(pod_security_warning(sim, &ns, &obj));
    }
    if let Some(refused) = workload_refusal(kind, &name, None, &obj) {
        return refused;
    }
    warnings.extend(workload_warning(sim, kind, &ns, None, &obj));
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
        Some(o) => with_warnings(
            json_response(StatusCode::CREATED, &present(served, &o)),
            &warnings,
        ),
        None => not_found(served, &name),
    }
}

pub(super) fn delete(
    sim: &Arc<Shared>,
    served: &'static Served,
    namespace: Option<String>,
    name: &str,
    params: &Params,
    body: &[u8],
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
    // The query's `gracePeriodSeconds`, else the DeleteOptions body's (kube-rs sends that).
    let options: Value = serde_json::from_slice(body).unwrap_or_default();
    let grace = params
        .get("gracePeriodSeconds")
        .and_then(|g| g.parse::<u64>().ok())
        .or_else(|| options["gracePeriodSeconds"].as_u64());
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
