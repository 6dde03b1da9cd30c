//! The Deployment controller, as far as a rollout shows: a new pod template (a generation the
//! controller has not observed yet) starts a rollout, the scenario moves it one replica every
//! few ticks (UP-TO-DATE climbing to the desired count, the Progressing condition saying so),
//! and it ends with `NewReplicaSetAvailable`. Old pods keep serving meanwhile (READY and
//! AVAILABLE stay); no pods are created: the simulator is not a full controller.

use serde_json::{Value, json};

use super::resources::Kind;
use super::store::{Key, Store};

/// Ticks between two replicas of a rollout.
pub const TICKS_PER_REPLICA: u64 = 5;

fn progressing(status: &str, reason: &str, message: String) -> Value {
    json!({"type": "Progressing", "status": status, "reason": reason, "message": message})
}

fn set_condition(obj: &mut Value, cond: Value) {
    let mut conds: Vec<Value> = obj["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c["type"] != cond["type"])
        .collect();
    conds.push(cond);
    obj["status"]["conditions"] = Value::Array(conds);
}

/// Start a rollout of `key` (its template changed): nothing updated yet. `false` if there is no
/// such Deployment.
pub fn start(store: &Store, key: &Key) -> bool {
    store
        .update(Kind::Deployment, key, |d| {
            let generation = d["metadata"]["generation"].as_i64().unwrap_or(1).max(1);
            d["metadata"]["generation"] = json!(generation);
            d["status"]["observedGeneration"] = json!(generation);
            d["status"]["updatedReplicas"] = json!(0);
            let name = d["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            set_condition(
                d,
                progressing(
                    "True",
                    "ReplicaSetUpdated",
                    format!("ReplicaSet \"{name}\" is progressing."),
                ),
            );
            true
        })
        .is_some()
}

/// A client changed a Deployment: a generation not observed yet starts its rollout, with the
/// ReplicaSet of its new template (see [`new_revision`]).
pub fn react(store: &Store, key: &Key) -> bool {
    let Some(d) = store.get(Kind::Deployment, key) else {
        return false;
    };
    let generation = d["metadata"]["generation"].as_i64().unwrap_or(1);
    let observed = d["status"]["observedGeneration"].as_i64().unwrap_or(0);
    if generation <= observed {
        return false;
    }
    new_revision(store, &d);
    start(store, key)
}

const REVISION: &str = "deployment.kubernetes.io/revision";

/// The ReplicaSets a Deployment controls, by its uid.
fn owned_sets(store: &Store, d: &Value) -> Vec<std::sync::Arc<Value>> {
    let ns = d["metadata"]["namespace"].as_str().unwrap_or_default();
    let uid = &d["metadata"]["uid"];
    store
        .snapshot(Kind::ReplicaSet)
        .items
        .into_iter()
        .filter(|rs| {
            rs["metadata"]["namespace"].as_str() == Some(ns)
                && rs["metadata"]["ownerReferences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|o| o["uid"] == *uid && o["controller"] == true)
        })
        .collect()
}

fn revision_of(rs: &Value) -> i64 {
    rs["metadata"]["annotations"][REVISION]
        .as_str()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// A short stable hash of a pod template, as the controller's `pod-template-hash`.
fn template_hash(template: &Value) -> String {
    let h = template
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut n = h;
    (0..10)
        .map(|_| {
            let c = ALPHABET[(n % ALPHABET.len() as u64) as usize];
            n /= ALPHABET.len() as u64;
            c as char
        })
        .collect()
}

/// The Deployment controller's bookkeeping for a new template: the ReplicaSet whose template
/// it is (an old revision, on a rollback) becomes the newest revision, or a new one is made;
/// it takes the desired replicas and the others are scaled to 0.
pub fn new_revision(store: &Store, d: &Value) {
    let ns = d["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = d["metadata"]["name"].as_str().unwrap_or_default();
    let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
    let template = &d["spec"]["template"];
    let sets = owned_sets(store, d);
    let newest = sets.iter().map(|rs| revision_of(rs)).max().unwrap_or(0);
    // The newest of those with this template (a pause, a scale: the current one).
    let same = sets
        .iter()
        .filter(|rs| rs["spec"]["template"]["spec"] == template["spec"])
        .max_by_key(|rs| revision_of(rs))
        .cloned();
    // The newest template again (a scale, a label): no new revision.
    let next = match &same {
        Some(rs) if revision_of(rs) == newest && newest > 0 => newest,
        _ => newest + 1,
    };
    let current = match same {
        Some(rs) => super::store::key_of(&rs),
        None => {
            let hash = template_hash(&template["spec"]);
            let mut t = template.clone();
            t["metadata"]["labels"]["pod-template-hash"] = json!(hash);
            let mut selector = d["spec"]["selector"]["matchLabels"].clone();
            selector["pod-template-hash"] = json!(hash);
            let rs_name = format!("{name}-{hash}");
            store.put(
                Kind::ReplicaSet,
                json!({"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "metadata": {"name": rs_name, "namespace": ns,
                        "uid": super::model::owner_uid(ns, "ReplicaSet", &rs_name),
                        "creationTimestamp": jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                        "labels": t["metadata"]["labels"],
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                            "name": name, "uid": d["metadata"]["uid"], "controller": true,
                            "blockOwnerDeletion": true}]},
                    "spec": {"replicas": 0, "selector": {"matchLabels": selector}, "template": t},
                    "status": {"replicas": 0}}),
            );
            (ns.to_string(), rs_name)
        }
    };
    for rs in owned_sets(store, d) {
        let key = super::store::key_of(&rs);
        let mine = key == current;
        store.update(Kind::ReplicaSet, &key, |rs| {
            let replicas = if mine { want } else { 0 };
            rs["spec"]["replicas"] = json!(replicas);
            rs["status"]["replicas"] = json!(replicas);
            if mine {
                rs["metadata"]["annotations"][REVISION] = json!(next.to_string());
            }
            true
        });
    }
    let key = (ns.to_string(), name.to_string());
    store.update(Kind::Deployment, &key, |d| {
        d["metadata"]["annotations"][REVISION] = json!(next.to_string());
        true
    });
}

/// The seeded Deployments' ReplicaSets as the controller leaves them: owned by uid, each with
/// its revision (oldest first), the Deployment at the newest.
pub fn number_revisions(store: &Store) {
    for d in store.snapshot(Kind::Deployment).items {
        let ns = d["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = d["metadata"]["name"].as_str().unwrap_or_default();
        let mut sets: Vec<std::sync::Arc<Value>> = store
            .snapshot(Kind::ReplicaSet)
            .items
            .into_iter()
            .filter(|rs| {
                rs["metadata"]["namespace"].as_str() == Some(ns)
                    && rs["metadata"]["ownerReferences"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|o| o["kind"] == "Deployment" && o["name"].as_str() == Some(name))
            })
            .collect();
        sets.sort_by(|a, b| {
            a["metadata"]["creationTimestamp"]
                .as_str()
                .cmp(&b["metadata"]["creationTimestamp"].as_str())
        });
        for (i, rs) in sets.iter().enumerate() {
            store.update(Kind::ReplicaSet, &super::store::key_of(rs), |rs| {
                rs["metadata"]["ownerReferences"][0]["uid"] = d["metadata"]["uid"].clone();
                rs["metadata"]["annotations"][REVISION] = json!((i + 1).to_string());
                true
            });
        }
        let newest = sets.len().max(1);
        store.update(Kind::Deployment, &(ns.to_string(), name.to_string()), |d| {
            d["metadata"]["annotations"][REVISION] = json!(newest.to_string());
            true
        });
    }
}

/// One tick: every rollout in `rollouts` moves on; finished ones leave the list.
pub fn step(store: &Store, rollouts: &mut Vec<Key>, tick: u64) {
    if !tick.is_multiple_of(TICKS_PER_REPLICA) {
        return;
    }
    rollouts.retain(|key| {
        let mut going = false;
        store.update(Kind::Deployment, key, |d| {
            let want = d["spec"]["replicas"].as_i64().unwrap_or(1);
            let updated = (d["status"]["updatedReplicas"].as_i64().unwrap_or(0) + 1).min(want);
            d["status"]["updatedReplicas"] = json!(updated);
            let name = d["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if updated >= want {
                set_condition(
                    d,
                    progressing(
                        "True",
                        "NewReplicaSetAvailable",
                        format!("ReplicaSet \"{name}\" has successfully progressed."),
                    ),
                );
            } else {
                going = true;
            }
            true
        });
        going
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(image: &str, generation: i64) -> Value {
        json!({"metadata": {"name": "web", "namespace": "demo", "uid": "d-web", "generation": generation},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": image}]}}},
            "status": {"observedGeneration": generation - 1}})
    }

    #[test]
    fn a_new_template_is_a_new_revision_and_a_rollback_renumbers_the_old_one() {
        let store = Store::new(100);
        let key = ("demo".to_string(), "web".to_string());
        store.put(Kind::Deployment, deployment("web:1", 1));
        assert!(react(&store, &key));
        store.put(Kind::Deployment, deployment("web:2", 2));
        assert!(react(&store, &key));
        let sets = store.snapshot(Kind::ReplicaSet).items;
        assert_eq!(sets.len(), 2);
        let by_image = |image: &str| {
            store
                .snapshot(Kind::ReplicaSet)
                .items
                .into_iter()
                .find(|rs| rs["spec"]["template"]["spec"]["containers"][0]["image"] == image)
                .unwrap_or_default()
        };
        assert_eq!(by_image("web:1")["metadata"]["annotations"][REVISION], "1");
        assert_eq!(by_image("web:2")["metadata"]["annotations"][REVISION], "2");
        assert_eq!(by_image("web:1")["spec"]["replicas"], 0);
        assert_eq!(by_image("web:2")["spec"]["replicas"], 2);
        // A scale is no new revision.
        let mut scaled = deployment("web:2", 3);
        scaled["spec"]["replicas"] = json!(4);
        store.put(Kind::Deployment, scaled);
        assert!(react(&store, &key));
        assert_eq!(by_image("web:2")["metadata"]["annotations"][REVISION], "2");
        assert_eq!(by_image("web:2")["spec"]["replicas"], 4);
        // Back to web:1: its ReplicaSet is revision 3, no new one.
        store.put(Kind::Deployment, deployment("web:1", 4));
        assert!(react(&store, &key));
        assert_eq!(store.snapshot(Kind::ReplicaSet).items.len(), 2);
        assert_eq!(by_image("web:1")["metadata"]["annotations"][REVISION], "3");
        assert_eq!(by_image("web:1")["spec"]["replicas"], 2);
        assert_eq!(by_image("web:2")["spec"]["replicas"], 0);
        let d = store.get(Kind::Deployment, &key).unwrap_or_default();
        assert_eq!(d["metadata"]["annotations"][REVISION], "3");
    }

    #[test]
    fn a_new_generation_rolls_out_replica_by_replica() {
        let store = Store::new(100);
        store.put(
            Kind::Deployment,
            json!({"metadata": {"name": "web", "namespace": "demo", "generation": 2},
                   "spec": {"replicas": 2}, "status": {"observedGeneration": 1, "updatedReplicas": 2}}),
        );
        let key = ("demo".to_string(), "web".to_string());
        assert!(react(&store, &key));
        let d = store.get(Kind::Deployment, &key).unwrap_or_default();
        assert_eq!(d["status"]["updatedReplicas"], 0);
        assert_eq!(d["status"]["conditions"][0]["reason"], "ReplicaSetUpdated");
        // Observed now: the same generation does not start another.
        assert!(!react(&store, &key));
        let mut rollouts = vec![key.clone()];
        for tick in 1..=(3 * TICKS_PER_REPLICA) {
            step(&store, &mut rollouts, tick);
        }
        let d = store.get(Kind::Deployment, &key).unwrap_or_default();
        assert_eq!(d["status"]["updatedReplicas"], 2);
        assert_eq!(
            d["status"]["conditions"][0]["reason"],
            "NewReplicaSetAvailable"
        );
        assert!(rollouts.is_empty());
    }
}
