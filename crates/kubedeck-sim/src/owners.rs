//! The pods' owners (Deployments and their ReplicaSets, Jobs), derived from the seeded pods, so
//! what a client reads of an owner (its selector, replica counts, containers, a Job's outcome)
//! matches the pods it owns.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::model::{owner_uid, ts};
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
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": ns, "uid": owner_uid(ns, kind, name), "creationTimestamp": created,
                     "labels": {"app": app}, "generation": 1},
        "spec": {"selector": {"matchLabels": selector},
                 "template": {"metadata": {"labels": selector}}},
    })
}

/// What the pods of one owner add up to.
#[derive(Default)]
struct Owned {
    app: String,
    hash: String,
    created: Value,
    pods: i64,
    ready: i64,
    succeeded: i64,
    failed: i64,
    /// The first pod's containers (names and images), for the owner's template.
    containers: Value,
    /// The latest container finish among the pods (a Job's completion).
    finished: Option<String>,
}

fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

fn template_containers(pod: &Value) -> Value {
    let containers: Vec<Value> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| json!({"name": c["name"], "image": c["image"]}))
        .collect();
    json!(containers)
}

fn latest_finish(pod: &Value) -> Option<String> {
    pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["state"]["terminated"]["finishedAt"].as_str())
        .max()
        .map(str::to_string)
}

/// Store an owner for every pod's controller the store does not hold yet: a ReplicaSet
/// (`app` + `pod-template-hash`) under a Deployment named after the app (`app`), or a Job.
pub fn seed_owners(store: &Store) {
    let mut owners: BTreeMap<(String, String, String), Owned> = BTreeMap::new();
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
        if !matches!(kind, "ReplicaSet" | "Job") {
            continue;
        }
        let o = owners
            .entry((ns.to_string(), kind.to_string(), name.to_string()))
            .or_insert_with(|| Owned {
                app: app.to_string(),
                hash: meta["labels"]["pod-template-hash"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                created: meta["creationTimestamp"].clone(),
                containers: template_containers(&pod),
                ..Owned::default()
            });
        // The owner is as old as its oldest pod.
        if meta["creationTimestamp"].as_str() < o.created.as_str() {
            o.created = meta["creationTimestamp"].clone();
        }
        o.pods += 1;
        o.ready += i64::from(is_ready(&pod));
        match pod["status"]["phase"].as_str() {
            Some("Succeeded") => o.succeeded += 1,
            Some("Failed") => o.failed += 1,
            _ => {}
        }
        o.finished = o.finished.take().max(latest_finish(&pod));
    }
    // Deployments: the sum of their ReplicaSets, as old as the oldest.
    let mut deployments: BTreeMap<(String, String), (Value, i64, i64, Value)> = BTreeMap::new();
    for ((ns, kind, name), o) in &owners {
        let selector = json!({"app": o.app, "pod-template-hash": o.hash});
        match kind.as_str() {
            "ReplicaSet" => {
                let mut rs = owner_object(
                    "ReplicaSet",
                    "apps/v1",
                    ns,
                    name,
                    &o.created,
                    selector,
                    &o.app,
                );
                rs["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1",
                    "kind": "Deployment", "name": o.app, "uid": owner_uid(ns, "Deployment", &o.app),
                    "controller": true}]);
                rs["spec"]["replicas"] = json!(o.pods);
                rs["spec"]["template"]["spec"] = json!({"containers": o.containers});
                rs["status"] = json!({"replicas": o.pods, "fullyLabeledReplicas": o.pods,
                    "readyReplicas": o.ready, "availableReplicas": o.ready,
                    "observedGeneration": 1});
                store.put(Kind::ReplicaSet, rs);
                let d = deployments
                    .entry((ns.clone(), o.app.clone()))
                    .or_insert_with(|| (o.created.clone(), 0, 0, o.containers.clone()));
                if o.created.as_str() < d.0.as_str() {
                    d.0 = o.created.clone();
                }
                d.1 += o.pods;
                d.2 += o.ready;
            }
            "Job" => {
                let mut job = owner_object(
                    "Job",
                    "batch/v1",
                    ns,
                    name,
                    &o.created,
                    json!({"app": o.app}),
                    &o.app,
                );
                if o.app == "report" {
                    // The CronJob's runs (`kinds_seed` stores the CronJob).
                    job["metadata"]["ownerReferences"] = json!([{"apiVersion": "batch/v1",
                        "kind": "CronJob", "name": "report", "uid": owner_uid(ns, "CronJob", "report"),
                        "controller": true}]);
                }
                job["spec"]["completions"] = json!(1);
                job["spec"]["parallelism"] = json!(1);
                job["spec"]["backoffLimit"] = json!(0);
                job["spec"]["template"]["spec"] =
                    json!({"containers": o.containers, "restartPolicy": "Never"});
                let finished = o.finished.clone().map_or(Value::Null, Value::String);
                job["status"] = if o.succeeded > 0 {
                    json!({"startTime": o.created, "completionTime": finished, "succeeded": o.succeeded,
                        "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": finished}]})
                } else if o.failed > 0 {
                    json!({"startTime": o.created, "failed": o.failed,
                        "conditions": [
                            {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded",
                             "message": "Job has reached the specified backoff limit", "lastTransitionTime": finished},
                            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
                             "message": "Job has reached the specified backoff limit", "lastTransitionTime": finished}]})
                } else {
                    json!({"startTime": o.created, "active": o.pods, "ready": o.ready})
                };
                store.put(Kind::Job, job);
            }
            _ => {}
        }
    }
    for ((ns, app), (created, pods, ready, containers)) in deployments {
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
        d["spec"]["replicas"] = json!(pods);
        d["spec"]["template"]["spec"] = json!({"containers": containers});
        let available = if ready >= pods { "True" } else { "False" };
        d["status"] = json!({"observedGeneration": 1, "replicas": pods, "updatedReplicas": pods,
            "readyReplicas": ready, "availableReplicas": ready,
            "conditions": [
                {"type": "Available", "status": available,
                 "reason": if available == "True" { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" }},
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}]});
        store.put(Kind::Deployment, d);
    }
    super::rollout::number_revisions(store);
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
