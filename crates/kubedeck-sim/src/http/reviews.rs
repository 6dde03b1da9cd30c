//! POST of the authorization reviews: SelfSubjectRulesReview (what the caller may do in a
//! namespace), SelfSubjectAccessReview (may the caller do this?) and SubjectAccessReview (may
//! that user?), answered from the stored RBAC objects as the apiserver's RBAC authorizer does.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Shared, forbidden, json_response, status};
use crate::denied::Denied;
use crate::rbac::{self, Identity};
use crate::route::Review;

pub(super) fn answer(sim: &Shared, review: Review, body: &[u8]) -> Response {
    let who = sim.identity();
    let asked = Denied {
        verb: "create",
        group: "authorization.k8s.io",
        plural: review.plural(),
        subresource: None,
        name: None,
        namespace: None,
    };
    if !rbac::authorize(&sim.store, &who, &asked.attributes()).allowed {
        return forbidden(sim, asked);
    }
    // kubectl's typed clients send protobuf; others JSON.
    let request = serde_json::from_slice::<Value>(body)
        .ok()
        .or_else(|| super::proto::review(body, review));
    let Some(request) = request else {
        return status(400, "BadRequest", "the review could not be decoded", None);
    };
    let spec = &request["spec"];
    let answer = match review {
        Review::SelfRules => {
            let Some(ns) = spec["namespace"].as_str().filter(|ns| !ns.is_empty()) else {
                return status(400, "BadRequest", "no namespace on request", None);
            };
            rbac::rules_review(&sim.store, &who, ns)
        }
        Review::SelfAccess => rbac::access_review(&sim.store, &who, spec),
        Review::Access => {
            let Some(user) = spec["user"].as_str() else {
                return status(
                    422,
                    "Invalid",
                    "SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified",
                    None,
                );
            };
            // The groups as the review gives them (none added, as the apiserver adds none).
            let named = Identity {
                user: user.to_string(),
                groups: spec["groups"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
            };
            rbac::access_review(&sim.store, &named, spec)
        }
    };
    json_response(
        StatusCode::CREATED,
        &json!({"kind": review.kind(), "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": null}, "spec": spec, "status": answer}),
    )
}
