//! The apiserver's HTTP surface: discovery, list (JSON or Table, paginated), get, delete,
//! watch, pod logs, Status error bodies, and the `/_sim/` fault-injection endpoints.
//!
//! `mod.rs` routes a request and answers errors; reads (list, get, Table, continue tokens),
//! writes (patch, create, delete, eviction, ephemeral containers), pod logs and the `/_sim/`
//! endpoints each have their own file.

mod admin;
mod logs;
mod proto;
mod read;
mod reviews;
mod scale;
mod watch;
mod write;

use admin::admin;
use logs::pod_log;
pub use read::{Filter, crd_of, present};
use read::{get, list};
use write::{create, delete, ephemeral, evict, patch, replace};

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::denied::Denied;
use super::field_validation::Directive;
use super::resources::{self, Served};
use super::route::{self, Target};

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

/// A 403 as the apiserver words it.
pub(crate) fn forbidden(sim: &Shared, denied: Denied<'_>) -> Response {
    forbidden_for(&sim.identity().user, denied)
}

fn forbidden_for(user: &str, denied: Denied<'_>) -> Response {
    status(
        403,
        "Forbidden",
        &denied.message_for(user),
        Some(denied.details()),
    )
}

/// The 403 for `denied` when a test forbids it (`fault`) or RBAC does not allow the
/// current identity to do it.
pub(crate) fn refuse(sim: &Shared, fault: bool, denied: Denied<'_>) -> Option<Response> {
    (fault || !sim.authorize(&denied.attributes())).then(|| forbidden(sim, denied))
}

/// Responses at least this large are gzipped for a client that accepts it, as the apiserver
/// does (APIResponseCompression, 128 KiB); streams (watches, followed logs) never are.
const GZIP_THRESHOLD: usize = 128 * 1024;

pub async fn handle(
    state: State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    params: Query<Params>,
    body: axum::body::Bytes,
) -> Response {
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let sim = state.0.clone();
    let response = respond(state, method, uri, headers, params, body).await;
    if !gzip {
        return response;
    }
    let response = compress(response).await;
    if response.headers().contains_key(header::CONTENT_ENCODING) {
        sim.gzipped
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    response
}

/// `response` gzipped, when its whole body is known and large enough.
async fn compress(response: Response) -> Response {
    use axum::body::HttpBody;
    let (mut parts, body) = response.into_parts();
    let size = body
        .size_hint()
        .exact()
        .and_then(|n| usize::try_from(n).ok());
    if size.is_none_or(|n| n < GZIP_THRESHOLD) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &status_body(500, "InternalError", "response body", None),
        );
    };
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let compressed = std::io::Write::write_all(&mut gz, &bytes).and_then(|()| gz.finish());
    match compressed {
        Ok(out) => {
            parts.headers.insert(
                header::CONTENT_ENCODING,
                header::HeaderValue::from_static("gzip"),
            );
            parts.headers.insert(
                header::VARY,
                header::HeaderValue::from_static("Accept-Encoding"),
            );
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, axum::body::Body::from(out))
        }
        Err(_) => Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}

async fn respond(
    State(sim): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    Query(params): Query<Params>,
    body: axum::body::Bytes,
) -> Response {
    let Some(target) = route::parse(uri.path()) else {
        return not_found_page();
    };
    // The admin endpoints answer at once: a latency set too high can be taken back.
    if let Target::Admin(cmd) = &target {
        return admin(&sim, cmd, &params);
    }
    let latency = sim.faults.latency();
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    sim.count_request(params.get("watch").is_some_and(|w| w == "true" || w == "1"));
    if let Some(token) = sim.token() {
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
        // Who the simulator authenticates the caller as (`Sim::act_as`).
        (Method::POST, Target::SelfSubjectReview) => {
            let who = sim.identity();
            json_response(
                StatusCode::CREATED,
                &json!({"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
                    "metadata": {"creationTimestamp": null},
                    "status": {"userInfo": {"username": who.user, "groups": who.groups}}}),
            )
        }
        (Method::POST, Target::Review(review)) => reviews::answer(&sim, review, &body),
        (Method::GET, t @ (Target::ApiVersions | Target::ApiGroups))
            if resources::wants_aggregated(&accept) =>
        {
            let core = matches!(t, Target::ApiVersions);
            let body = resources::aggregated(core, |g, v| sim.faults.serves(g, v));
            (
                StatusCode::OK,
                [
                    (
                        header::CONTENT_TYPE,
                        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
                    ),
                    (header::VARY, "Accept"),
                ],
                serde_json::to_vec(&body).unwrap_or_default(),
            )
                .into_response()
        }
        (Method::GET, Target::ApiVersions) => json_response(
            StatusCode::OK,
            &json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": sim.addr_text()}]}),
        ),
        (Method::GET, Target::ApiGroups) => json_response(
            StatusCode::OK,
            &resources::group_list(|g, v| sim.faults.serves(g, v)),
        ),
        (Method::GET, Target::OpenApiIndex) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            serde_json::to_vec(&super::openapi::index(|g, v| sim.faults.serves(g, v)))
                .unwrap_or_default(),
        )
            .into_response(),
        (Method::GET, Target::OpenApi { group, version }) => {
            match super::openapi::document(&group, &version)
                .filter(|_| sim.faults.serves(&group, &version))
            {
                Some(doc) => json_response(StatusCode::OK, &doc),
                None => not_found_page(),
            }
        }
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
                None,
            ) {
                return r;
            }
            if method == Method::POST {
                if let Some(r) = gate(&sim, served, namespace.as_deref(), "create", None) {
                    return r;
                }
                let directive = Directive::parse(params.get("fieldValidation").map(String::as_str));
                return create(&sim, served, namespace, &body, directive);
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
                if let Some(r) = gate(&sim, served, namespace.as_deref(), "watch", None) {
                    return r;
                }
                return match Filter::new(served, namespace, &params) {
                    Ok(filter) => watch::respond(sim, served, filter, &params, &accept),
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
            if let Some(r) = gate(
                &sim,
                served,
                namespace.as_deref(),
                "get",
                Some((&name, None)),
            ) {
                return r;
            }
            get(&sim, served, namespace, &name, &params, &accept)
        }
        (
            Method::DELETE,
            Target::Object {
                served,
                namespace,
                name,
            },
        ) => {
            if let Some(r) = gate(
                &sim,
                served,
                namespace.as_deref(),
                "delete",
                Some((&name, None)),
            ) {
                return r;
            }
            delete(&sim, served, namespace, &name, &params, &body)
        }
        (
            Method::PATCH,
            Target::Object {
                served,
                namespace,
                name,
            },
        ) => {
            if let Some(r) = gate(
                &sim,
                served,
                namespace.as_deref(),
                "patch",
                Some((&name, None)),
            ) {
                return r;
            }
            let content_type = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let directive = Directive::parse(params.get("fieldValidation").map(String::as_str));
            patch(
                &sim,
                served,
                namespace,
                &name,
                &content_type,
                &body,
                directive,
            )
        }
        (
            Method::PUT,
            Target::Object {
                served,
                namespace,
                name,
            },
        ) => {
            if let Some(r) = gate(
                &sim,
                served,
                namespace.as_deref(),
                "update",
                Some((&name, None)),
            ) {
                return r;
            }
            let directive = Directive::parse(params.get("fieldValidation").map(String::as_str));
            replace(&sim, served, namespace, &name, &body, directive)
        }
        (Method::GET, Target::Log { namespace, name }) => {
            if resources::find("", "v1", "pods").is_none() {
                return not_found_page();
            }
            let fault = sim.faults.is_forbidden("pods/log") || sim.faults.is_forbidden("pods");
            if let Some(r) = refuse(&sim, fault, Denied::pod("get", "log", &namespace, &name)) {
                return r;
            }
            pod_log(sim, &namespace, &name, &params)
        }
        (Method::POST, Target::Eviction { namespace, name }) => {
            evict(&sim, &namespace, &name, &params)
        }
        (
            method,
            Target::Scale {
                served,
                namespace,
                name,
            },
        ) => {
            let verb = if method == Method::GET {
                "get"
            } else {
                "patch"
            };
            if let Some(r) = gate(
                &sim,
                served,
                Some(&namespace),
                verb,
                Some((&name, Some("scale"))),
            ) {
                return r;
            }
            scale::scale(&sim, &method, served, namespace, &name, &body)
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

/// Faults and availability that apply before any verb: 403 and unserved metrics.
fn gate(
    sim: &Shared,
    served: &'static Served,
    namespace: Option<&str>,
    verb: &str,
    object: Option<(&str, Option<&str>)>,
) -> Option<Response> {
    if !sim.faults.serves(served.group, served.version) {
        return Some(not_found_page());
    }
    // `deployments` forbids every verb; `patch:deployments` only that one (RBAC that lets a user
    // list but not change).
    let fault = sim.faults.is_forbidden(served.plural)
        || (!verb.is_empty()
            && sim
                .faults
                .is_forbidden(&format!("{verb}:{}", served.plural)));
    let denied = Denied {
        verb: if verb.is_empty() { "list" } else { verb },
        group: served.group,
        plural: served.plural,
        subresource: object.and_then(|(_, sub)| sub),
        name: object.map(|(name, _)| name),
        namespace,
    };
    // A method whose verb is not known yet (a POST before `create`) is only faulted here.
    if verb.is_empty() {
        return fault.then(|| forbidden(sim, denied));
    }
    refuse(sim, fault, denied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_body_reads_like_rbac() {
        let pr = resources::find("tekton.dev", "v1", "pipelineruns");
        assert!(pr.is_some());
        if let Some(pr) = pr {
            let r = forbidden_for(
                crate::denied::USER,
                Denied {
                    verb: "list",
                    group: pr.group,
                    plural: pr.plural,
                    subresource: None,
                    name: None,
                    namespace: None,
                },
            );
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
