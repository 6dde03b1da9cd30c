//! The pods' owners (Deployments and their ReplicaSets, Jobs), derived from the seeded pods, so
//! what a client reads of an owner (its selector, above all) matches the pods it owns.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::model::{ts, uid};
use super::resources::Kind;
use super::store::Store;

fn owner_object(
    kind: &str,
    api_version: &str,
    ns: &str,
    name: &str,
    created: &Value,
    selector: Value,
    app: &str,
) -> Value {
    let n = name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": ns, "uid": uid(n), "creationTimestamp": created,
                     "labels": {"app": app}},
        "spec": {"selector": {"matchLabels": selector},
                 "template": {"metadata": {"labels": selector}}},
    })
}

/// Store an owner for every pod's controller the store does not hold yet: a ReplicaSet
/// (`app` + `pod-template-hash`) under a Deployment named after the app (`app`), or a Job.
pub fn seed_owners(store: &Store) {
    let mut deployments: BTreeMap<(String, String), Value> = BTreeMap::new();
    for pod in store.snapshot(Kind::Pod).items {
        let meta = &pod["metadata"];
        let (Some(ns), Some(app)) = (meta["namespace"].as_str(), meta["labels"]["app"].as_str())
        else {
            continue;
        };
        let Some(owner) = meta["ownerReferences"].as_array().and_then(|o| o.first()) else {
            continue;
        };
        let (Some(kind), Some(name)) = (owner["kind"].as_str(), owner["name"].as_str()) else {
            continue;
        };
        let created = meta["creationTimestamp"].clone();
        match kind {
            "ReplicaSet" => {
                let hash = meta["labels"]["pod-template-hash"]
                    .as_str()
                    .unwrap_or_default();
                let mut rs = owner_object(
                    "ReplicaSet",
                    "apps/v1",
                    ns,
                    name,
                    &created,
                    json!({"app": app, "pod-template-hash": hash}),
                    app,
                );
                rs["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1",
                    "kind": "Deployment", "name": app, "controller": true}]);
                store.put(Kind::ReplicaSet, rs);
                // The Deployment is as old as its oldest pod.
                let oldest = deployments
                    .entry((ns.to_string(), app.to_string()))
                    .or_insert_with(|| created.clone());
                if created.as_str() < oldest.as_str() {
                    *oldest = created;
                }
            }
            "Job" => {
                let job = owner_object(
                    "Job",
                    "batch/v1",
                    ns,
                    name,
                    &created,
                    json!({"app": app}),
                    app,
                );
                store.put(Kind::Job, job);
            }
            _ => {}
        }
    }
    for ((ns, app), created) in deployments {
        let mut d = owner_object(
            "Deployment",
            "apps/v1",
            &ns,
            &app,
            &created,
            json!({"app": app}),
            &app,
        );
        d["spec"]["strategy"] = json!({"type": "RollingUpdate"});
        store.put(Kind::Deployment, d);
    }
}

/// A Deployment selecting pods by `match_labels`, for tests that build their own worlds.
pub fn deployment(ns: &str, name: &str, match_labels: Value) -> Value {
    owner_object(
        "Deployment",
        "apps/v1",
        ns,
        name,
        &ts(jiff::Timestamp::now()),
        match_labels,
        name,
    )
}
