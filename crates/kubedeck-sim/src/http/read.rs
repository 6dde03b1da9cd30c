//! Reads: list (JSON or the server-side Table, paginated with continue tokens, filtered by
//! label and field selectors) and get.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::super::resources::{Kind, Served, View};
use super::super::selector::{FieldSelector, LabelSelector};
use super::super::store::Key;
use super::super::{Shared, metrics, model, table};

type Params = HashMap<String, String>;

use super::*;

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

/// The pods whose metrics a request can return: those of `namespace` when it names one (as
/// metrics-server answers a namespace from that namespace's pods, not the cluster's: at
/// 100,000 pods computing every pod's usage for a screenful's namespace took the simulator a
/// core for a second, which delayed its watches), else all.
fn pods_in(sim: &Shared, namespace: Option<&str>) -> Vec<Arc<Value>> {
    let Some(ns) = namespace else {
        return sim.store.snapshot(Kind::Pod).items;
    };
    let mut pods = Vec::new();
    let from: Key = (ns.to_string(), String::new());
    sim.store.scan_after(Kind::Pod, Some(&from), |key, pod| {
        let inside = key.0 == ns;
        if inside {
            pods.push(pod.clone());
        }
        inside
    });
    pods
}

/// The items a list returns (before pagination), as served.
/// Objects that are computed on request (metrics), not stored.
fn computed(
    sim: &Shared,
    served: &Served,
    namespace: Option<&str>,
) -> (u64, Vec<(Key, Arc<Value>)>) {
    let now = Timestamp::now();
    match (served.view, served.store) {
        (View::NodeMetrics, _) => {
            let w = sim.world();
            let mut items: Vec<_> = metrics::node_metrics(&w, now)
                .into_iter()
                .map(|v| (super::super::store::key_of(&v), v))
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            (sim.store.resource_version(), items)
        }
        (View::PodMetrics, _) => {
            let pods = pods_in(sim, namespace);
            let (tick, hog) = {
                let w = sim.world();
                (w.tick, metrics::hog_bytes(&w))
            };
            let items = metrics::pod_metrics(&pods, tick, hog, now)
                .into_iter()
                .map(|v| (super::super::store::key_of(&v), v))
                .collect();
            (sim.store.resource_version(), items)
        }
        _ => (sim.store.resource_version(), Vec::new()),
    }
}

pub(super) fn list(
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
            let (rv, items) = computed(sim, served, filter.namespace.as_deref());
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
        let include = match table::Include::of(params.get("includeObject").map(String::as_str)) {
            Ok(i) => i,
            Err(message) => return bad_request(&message),
        };
        let crd = crd_of(sim, served);
        return json_response(
            StatusCode::OK,
            &table::table(
                served,
                crd.as_deref(),
                &items,
                meta,
                Timestamp::now(),
                include,
            ),
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

/// The CustomResourceDefinition that serves `served`, if it is a custom resource.
pub fn crd_of(sim: &Shared, served: &Served) -> Option<Arc<Value>> {
    if served.group.is_empty() {
        return None;
    }
    let name = format!("{}.{}", served.plural, served.group);
    sim.store
        .get(Kind::CustomResourceDefinition, &(String::new(), name))
}

pub(super) fn not_found(served: &Served, name: &str) -> Response {
    status(
        404,
        "NotFound",
        &format!("{} \"{name}\" not found", resource_name(served)),
        Some(json!({"name": name, "group": served.group, "kind": served.plural})),
    )
}

pub(super) fn get(
    sim: &Shared,
    served: &'static Served,
    namespace: Option<String>,
    name: &str,
    params: &Params,
    accept: &str,
) -> Response {
    let key = (namespace.unwrap_or_default(), name.to_string());
    let found = match served.store {
        Some(kind) => sim.store.get(kind, &key).map(|o| present(served, &o)),
        None => computed(
            sim,
            served,
            Some(key.0.as_str()).filter(|ns| !ns.is_empty()),
        )
        .1
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v),
    };
    match found {
        // `kubectl get KIND NAME` asks for a Table of the one object too.
        Some(obj) if table::wants_table(accept) => {
            let include = match table::Include::of(params.get("includeObject").map(String::as_str))
            {
                Ok(i) => i,
                Err(message) => return bad_request(&message),
            };
            let rv = obj["metadata"]["resourceVersion"].clone();
            let crd = crd_of(sim, served);
            let t = table::table(
                served,
                crd.as_deref(),
                &[obj],
                json!({"resourceVersion": rv}),
                Timestamp::now(),
                include,
            );
            json_response(StatusCode::OK, &t)
        }
        Some(obj) => json_response(StatusCode::OK, &obj),
        None => not_found(served, name),
    }
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
}
