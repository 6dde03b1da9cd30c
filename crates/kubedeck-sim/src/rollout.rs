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

/// A client changed a Deployment: a generation not observed yet starts its rollout.
pub fn react(store: &Store, key: &Key) -> bool {
    let Some(d) = store.get(Kind::Deployment, key) else {
        return false;
    };
    let generation = d["metadata"]["generation"].as_i64().unwrap_or(1);
    let observed = d["status"]["observedGeneration"].as_i64().unwrap_or(0);
    generation > observed && start(store, key)
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
