//! The StatefulSet and DaemonSet controllers' history: each pod template a set has had is a
//! ControllerRevision it owns, named `SET-HASH`, numbered in order, its `data` the patch that
//! brings the template back (`{"spec":{"template":{...,"$patch":"replace"}}}`, as the
//! controllers write it). A template seen before gets its old revision renumbered as the
//! newest, as the controllers do after `rollout undo`. The simulator then finishes the rollout
//! at once: the set's pods carry the template's images and the revision's hash.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::model;
use super::resources::Kind;
use super::store::{Key, Store, key_of};

/// `owner-HASH`, the hash of the template as 10 lowercase hex digits.
fn name_of(owner: &str, template: &Value) -> String {
    let text = template.to_string();
    let h = text.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    format!("{owner}-{:010x}", h & 0xff_ffff_ffff)
}

/// The template a revision's data brings back (without the directive).
fn template_in(data: &Value) -> Value {
    let mut t = data["spec"]["template"].clone();
    if let Some(o) = t.as_object_mut() {
        o.remove("$patch");
    }
    t
}

/// Record the current template of the set `kind`/`key` as its newest revision.
pub fn record(store: &Store, kind: Kind, key: &Key, now: Timestamp) {
    let Some(set) = store.get(kind, key) else {
        return;
    };
    let (ns, name) = key;
    let uid = set["metadata"]["uid"].clone();
    let template = set["spec"]["template"].clone();
    let owned: Vec<std::sync::Arc<Value>> = store
        .snapshot(Kind::ControllerRevision)
        .items
        .into_iter()
        .filter(|r| {
            r["metadata"]["namespace"].as_str() == Some(ns.as_str())
                && r["metadata"]["ownerReferences"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|o| o["uid"] == uid)
        })
        .collect();
    let newest = owned
        .iter()
        .filter_map(|r| r["revision"].as_i64())
        .max()
        .unwrap_or(0);
    let same = owned.iter().find(|r| template_in(&r["data"]) == template);
    let revision_name = match same {
        Some(r) => {
            if r["revision"].as_i64() != Some(newest) {
                store.update(Kind::ControllerRevision, &key_of(r), |r| {
                    r["revision"] = json!(newest + 1);
                    true
                });
            }
            r["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        }
        None => {
            let revision_name = name_of(name, &template);
            let hash = revision_name.rsplit('-').next().unwrap_or_default();
            let mut labels = template["metadata"]["labels"].clone();
            if !labels.is_object() {
                labels = json!({});
            }
            labels["controller-revision-hash"] = json!(hash);
            let mut data_template = template.clone();
            data_template["$patch"] = json!("replace");
            store.put(
                Kind::ControllerRevision,
                json!({"apiVersion": "apps/v1", "kind": "ControllerRevision",
                    "metadata": {"name": revision_name, "namespace": ns,
                        "uid": model::owner_uid(ns, "ControllerRevision", &revision_name),
                        "creationTimestamp": model::ts(now), "labels": labels,
                        "annotations": set["metadata"]["annotations"]
                            .get("kubernetes.io/change-cause")
                            .map_or(json!({}), |c| json!({"kubernetes.io/change-cause": c})),
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": set["kind"],
                            "name": name, "uid": uid, "controller": true, "blockOwnerDeletion": true}]},
                    "data": {"spec": {"template": data_template}},
                    "revision": newest + 1}),
            );
            revision_name
        }
    };
    if kind == Kind::StatefulSet {
        store.update(kind, key, |s| {
            s["status"]["currentRevision"] = json!(revision_name);
            s["status"]["updateRevision"] = json!(revision_name);
            true
        });
    }
    roll_pods(store, ns, &uid, &template, &revision_name);
}

/// The set's pods as a finished rollout leaves them: the template's images, the revision's
/// label (a StatefulSet's pods carry the revision's name, a DaemonSet's its hash).
fn roll_pods(store: &Store, ns: &str, uid: &Value, template: &Value, revision: &str) {
    let hash = revision.rsplit('-').next().unwrap_or_default().to_string();
    for pod in store.snapshot(Kind::Pod).items {
        let mine = pod["metadata"]["namespace"].as_str() == Some(ns)
            && pod["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["uid"] == *uid);
        if !mine {
            continue;
        }
        let sts = pod["metadata"]["ownerReferences"][0]["kind"] == "StatefulSet";
        store.update(Kind::Pod, &key_of(&pod), |p| {
            p["metadata"]["labels"]["controller-revision-hash"] = json!(if sts {
                revision.to_string()
            } else {
                hash.clone()
            });
            for c in template["spec"]["containers"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(own) = p["spec"]["containers"]
                    .as_array_mut()
                    .into_iter()
                    .flatten()
                    .find(|o| o["name"] == c["name"])
                {
                    own["image"] = c["image"].clone();
                }
            }
            true
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "db", "namespace": "demo", "uid": "u-db"},
            "spec": {"template": {"metadata": {"labels": {"app": "db"}},
                "spec": {"containers": [{"name": "postgres", "image": image}]}}}})
    }

    fn revisions(store: &Store) -> Vec<(String, i64)> {
        let mut v: Vec<(String, i64)> = store
            .snapshot(Kind::ControllerRevision)
            .items
            .iter()
            .map(|r| {
                (
                    template_in(&r["data"])["spec"]["containers"][0]["image"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    r["revision"].as_i64().unwrap_or_default(),
                )
            })
            .collect();
        v.sort_by_key(|(_, n)| *n);
        v
    }

    #[test]
    fn each_template_is_a_revision_and_an_old_one_comes_back_renumbered() {
        let store = Store::new(10);
        let key = ("demo".to_string(), "db".to_string());
        let now = Timestamp::UNIX_EPOCH;
        store.put(Kind::StatefulSet, set("postgres:16.3"));
        record(&store, Kind::StatefulSet, &key, now);
        store.put(Kind::StatefulSet, set("postgres:16.4"));
        record(&store, Kind::StatefulSet, &key, now);
        assert_eq!(
            revisions(&store),
            [("postgres:16.3".into(), 1), ("postgres:16.4".into(), 2)]
        );
        // Back to 16.3: its revision is the newest now; nothing new is made.
        store.put(Kind::StatefulSet, set("postgres:16.3"));
        record(&store, Kind::StatefulSet, &key, now);
        assert_eq!(
            revisions(&store),
            [("postgres:16.4".into(), 2), ("postgres:16.3".into(), 3)]
        );
        let s = store.get(Kind::StatefulSet, &key).expect("set");
        assert!(
            s["status"]["updateRevision"]
                .as_str()
                .is_some_and(|r| r.starts_with("db-"))
        );
    }
}
