//! The `scale` subresource of Deployments, StatefulSets and ReplicaSets: GET answers the
//! `autoscaling/v1` Scale as the apiserver does (`wire-scale-subresource.http`), PATCH (a merge
//! patch of `spec.replicas`, what `kubectl scale` sends) sets the replicas. The simulator is not
//! a controller: the status converges at once (no pods are created or removed).

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::super::Shared;
use super::super::resources::{Kind, Served};
use super::read::{not_found, present};
use super::{bad_request, json_response, status};

fn scale_of(obj: &Value) -> Value {
    let m = &obj["metadata"];
    json!({
        "kind": "Scale", "apiVersion": "autoscaling/v1",
        "metadata": {"name": m["name"], "namespace": m["namespace"], "uid": m["uid"],
                     "resourceVersion": m["resourceVersion"], "creationTimestamp": m["creationTimestamp"]},
        "spec": {"replicas": obj["spec"]["replicas"].as_i64().unwrap_or(0)},
        "status": {"replicas": obj["status"]["replicas"].as_i64().unwrap_or(0), "selector": super::super::printers::format_selector(&obj["spec"]["selector"])}
    })
}

pub(super) fn scale(
    sim: &Arc<Shared>,
    method: &Method,
    served: &'static Served,
    namespace: String,
    name: &str,
    body: &[u8],
) -> Response {
    let Some(kind) = served
        .store
        .filter(|k| matches!(k, Kind::Deployment | Kind::StatefulSet | Kind::ReplicaSet))
    else {
        return not_found(served, name);
    };
    let key = (namespace, name.to_string());
    let Some(current) = sim.store.get(kind, &key) else {
        return not_found(served, name);
    };
    match *method {
        Method::GET => json_response(StatusCode::OK, &scale_of(&present(served, &current))),
        Method::PATCH | Method::PUT => {
            let Ok(doc) = serde_json::from_slice::<Value>(body) else {
                return bad_request("the body of the request was in an unknown format");
            };
            let Some(replicas) = doc["spec"]["replicas"].as_i64() else {
                return status(422, "Invalid", "spec.replicas: Required value", None);
            };
            if replicas < 0 {
                return status(
                    422,
                    "Invalid",
                    &format!(
                        "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
                    ),
                    None,
                );
            }
            sim.store.update(kind, &key, |o| {
                o["spec"]["replicas"] = json!(replicas);
                let s = &mut o["status"];
                for field in status_counts(kind) {
                    s[*field] = json!(replicas);
                }
                true
            });
            match sim.store.get(kind, &key) {
                Some(o) => json_response(StatusCode::OK, &scale_of(&present(served, &o))),
                None => not_found(served, name),
            }
        }
        _ => status(
            405,
            "MethodNotAllowed",
            "the server does not allow this method on the requested resource",
            None,
        ),
    }
}

/// The replica counts a workload's status has, converged at once (no controller here): only
/// its own kind's (a Deployment has no `currentReplicas`; a field its kind lacks would be
/// refused when a client sends the object back with strict field validation).
pub(super) fn status_counts(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::StatefulSet => &[
            "replicas",
            "readyReplicas",
            "availableReplicas",
            "updatedReplicas",
            "currentReplicas",
        ],
        Kind::ReplicaSet => &[
            "replicas",
            "readyReplicas",
            "availableReplicas",
            "fullyLabeledReplicas",
        ],
        _ => &[
            "replicas",
            "readyReplicas",
            "availableReplicas",
            "updatedReplicas",
        ],
    }
}
