//! Changes to workloads an on-call reaches for, done as kubectl does them, through the
//! apiserver only: set a container's image, list a Deployment's, StatefulSet's or DaemonSet's
//! revisions and roll back to one (`kubectl rollout undo`), trigger a CronJob now (`kubectl create job --from=cronjob/X`)
//! and suspend or resume it.

use k8s_openapi::api::apps::v1::{ControllerRevision, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use serde_json::{Value, json};

use super::actions::{Acted, ActionError};
use super::object_ref::ObjectRef;

const REVISION: &str = "deployment.kubernetes.io/revision";
const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";

fn params() -> PatchParams {
    PatchParams {
        field_manager: Some("kubedeck".into()),
        ..PatchParams::default()
    }
}

fn api_of(client: &Client, obj: &ObjectRef) -> Result<Api<DynamicObject>, ActionError> {
    let api = obj
        .api
        .as_ref()
        .ok_or_else(|| ActionError::UnknownResource(obj.label()))?;
    let ar = api.api_resource();
    Ok(Api::namespaced_with(client.clone(), &obj.namespace, &ar))
}

/// `kubectl set image`: the container's image in the pod template (a strategic merge patch,
/// the containers merged by name), which starts a rollout.
pub async fn set_image(
    client: Client,
    obj: ObjectRef,
    container: String,
    image: String,
) -> Result<Acted, ActionError> {
    let patch = set_image_patch(&container, &image);
    api_of(&client, &obj)?
        .patch(&obj.name, &params(), &Patch::Strategic(&patch))
        .await?;
    Ok(Acted::ImageSet {
        obj,
        container,
        image,
    })
}

pub fn set_image_patch(container: &str, image: &str) -> Value {
    json!({"spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}}})
}

/// One revision of a workload: a Deployment's ReplicaSet, or a StatefulSet's or DaemonSet's
/// ControllerRevision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub number: i64,
    /// The ReplicaSet or ControllerRevision that holds it.
    pub source: String,
    pub images: Vec<String>,
    pub change_cause: Option<String>,
    pub created: Option<jiff::Timestamp>,
    /// Pods the ReplicaSet has now.
    pub pods: i32,
}

/// The revisions of Deployment `uid` from its namespace's ReplicaSets, newest first.
pub fn revisions_of(uid: &str, replica_sets: &[ReplicaSet]) -> Vec<Revision> {
    let mut out: Vec<Revision> = replica_sets
        .iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == uid && o.controller == Some(true))
        })
        .filter_map(|rs| {
            let annotations = rs.metadata.annotations.as_ref();
            let number = annotations?.get(REVISION)?.parse().ok()?;
            let template = rs.spec.as_ref().and_then(|s| s.template.as_ref());
            let images = template
                .and_then(|t| t.spec.as_ref())
                .map(|s| {
                    s.containers
                        .iter()
                        .filter_map(|c| c.image.clone())
                        .collect()
                })
                .unwrap_or_default();
            Some(Revision {
                number,
                source: rs.metadata.name.clone().unwrap_or_default(),
                images,
                change_cause: annotations.and_then(|a| a.get(CHANGE_CAUSE).cloned()),
                created: rs.metadata.creation_timestamp.as_ref().map(|t| t.0),
                pods: rs.status.as_ref().map_or(0, |s| s.replicas),
            })
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.number));
    out
}

/// The revisions of StatefulSet or DaemonSet `uid` from its namespace's ControllerRevisions
/// (the images of each one's template), newest first; a revision's pods are those labelled with
/// it (a StatefulSet's pods carry its name, a DaemonSet's its hash).
pub fn controller_revisions_of(
    uid: &str,
    revisions: &[ControllerRevision],
    pods: &[Pod],
) -> Vec<Revision> {
    let mut out: Vec<Revision> = revisions
        .iter()
        .filter(|r| {
            r.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.uid == uid && o.controller == Some(true))
        })
        .map(|r| {
            let name = r.metadata.name.clone().unwrap_or_default();
            let hash = name.rsplit('-').next().unwrap_or_default().to_string();
            let data = r.data.as_ref().map(|d| &d.0);
            let images = data
                .and_then(|d| d["spec"]["template"]["spec"]["containers"].as_array())
                .into_iter()
                .flatten()
                .filter_map(|c| c["image"].as_str().map(str::to_string))
                .collect();
            let pods = pods
                .iter()
                .filter(|p| {
                    p.metadata
                        .labels
                        .as_ref()
                        .and_then(|l| l.get("controller-revision-hash"))
                        .is_some_and(|h| *h == name || *h == hash)
                })
                .count();
            Revision {
                number: r.revision,
                images,
                change_cause: r
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(CHANGE_CAUSE).cloned()),
                created: r.metadata.creation_timestamp.as_ref().map(|t| t.0),
                pods: i32::try_from(pods).unwrap_or(i32::MAX),
                source: name,
            }
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.number));
    out
}

/// Whether `obj` keeps its revisions in ControllerRevisions (a StatefulSet or a DaemonSet).
fn by_controller_revisions(obj: &ObjectRef) -> bool {
    obj.api
        .as_ref()
        .is_some_and(|a| a.plural == "statefulsets" || a.plural == "daemonsets")
}

/// The revisions of a Deployment, StatefulSet or DaemonSet (`kubectl rollout history`).
pub async fn revisions(client: Client, obj: ObjectRef) -> Result<Vec<Revision>, ActionError> {
    let workload = api_of(&client, &obj)?.get(&obj.name).await?;
    let uid = workload.metadata.uid.clone().unwrap_or_default();
    if by_controller_revisions(&obj) {
        let revisions = Api::<ControllerRevision>::namespaced(client.clone(), &obj.namespace)
            .list(&ListParams::default())
            .await?;
        // Only the pods that carry a revision label, to count them.
        let pods = Api::<Pod>::namespaced(client, &obj.namespace)
            .list(&ListParams::default().labels("controller-revision-hash"))
            .await?;
        return Ok(controller_revisions_of(&uid, &revisions.items, &pods.items));
    }
    let sets = Api::<ReplicaSet>::namespaced(client, &obj.namespace)
        .list(&ListParams::default())
        .await?;
    Ok(revisions_of(&uid, &sets.items))
}

/// The Deployment as `kubectl rollout undo` leaves it: the revision's pod template (without
/// the ReplicaSet's `pod-template-hash` label) in place of its own, whole (not merged), and the
/// revision's change-cause with it. Sent as a replace at the version read, so a change made
/// meanwhile is a conflict, not overwritten.
pub fn rolled_back(mut deployment: Value, replica_set: &Value) -> Result<Value, ActionError> {
    let mut template = replica_set["spec"]["template"].clone();
    if template.is_null() {
        return Err(ActionError::Decode(
            "the revision's ReplicaSet has no pod template".into(),
        ));
    }
    if let Some(labels) = template["metadata"]["labels"].as_object_mut() {
        labels.remove("pod-template-hash");
    }
    deployment["spec"]["template"] = template;
    let mut annotations = deployment["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    match replica_set["metadata"]["annotations"][CHANGE_CAUSE].as_str() {
        Some(cause) => {
            annotations.insert(CHANGE_CAUSE.into(), json!(cause));
        }
        None => {
            annotations.remove(CHANGE_CAUSE);
        }
    }
    deployment["metadata"]["annotations"] = Value::Object(annotations);
    Ok(deployment)
}

/// `kubectl rollout undo --to-revision=N`: a Deployment's template replaced by its
/// ReplicaSet's; a StatefulSet or DaemonSet patched with its ControllerRevision's data (a
/// strategic merge patch that replaces the template, as kubectl sends it).
pub async fn rollback(client: Client, obj: ObjectRef, to: Revision) -> Result<Acted, ActionError> {
    let api = api_of(&client, &obj)?;
    let decode = |e: serde_json::Error| ActionError::Decode(e.to_string());
    if by_controller_revisions(&obj) {
        let revision = Api::<ControllerRevision>::namespaced(client, &obj.namespace)
            .get(&to.source)
            .await?;
        let data = revision.data.map(|d| d.0).ok_or_else(|| {
            ActionError::Decode(format!("revision {} holds no template", to.source))
        })?;
        api.patch(&obj.name, &params(), &Patch::Strategic(data))
            .await?;
        return Ok(Acted::RolledBack {
            obj,
            revision: to.number,
        });
    }
    let deployment = serde_json::to_value(api.get(&obj.name).await?).map_err(decode)?;
    let rs = Api::<ReplicaSet>::namespaced(client, &obj.namespace)
        .get(&to.source)
        .await?;
    let rs = serde_json::to_value(rs).map_err(decode)?;
    let updated: DynamicObject =
        serde_json::from_value(rolled_back(deployment, &rs)?).map_err(decode)?;
    api.replace(&obj.name, &PostParams::default(), &updated)
        .await?;
    Ok(Acted::RolledBack {
        obj,
        revision: to.number,
    })
}

/// The Job `kubectl create job NAME --from=cronjob/X` creates: the CronJob's job template,
/// annotated as instantiated by hand and owned by the CronJob.
pub fn job_from_cronjob(cronjob: &Value, name: &str) -> Value {
    let template = &cronjob["spec"]["jobTemplate"];
    let mut annotations = template["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), json!("manual"));
    let mut metadata = json!({
        "name": name,
        "annotations": annotations,
        "ownerReferences": [{
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": cronjob["metadata"]["name"],
            "uid": cronjob["metadata"]["uid"],
            "controller": true,
        }],
    });
    if let Some(labels) = template["metadata"]["labels"].as_object() {
        metadata["labels"] = json!(labels);
    }
    json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata,
        "spec": template["spec"]})
}

/// A name for a Job started by hand: the CronJob's, `-manual-`, and the time (base 36), kept
/// within the 63 characters a label value may have (the job-name label).
pub fn manual_job_name(cronjob: &str, now: jiff::Timestamp) -> String {
    let mut n = u64::try_from(now.as_second()).unwrap_or(0);
    let mut suffix = Vec::new();
    while n > 0 {
        let d = u8::try_from(n % 36).unwrap_or(0);
        suffix.push(if d < 10 { b'0' + d } else { b'a' + d - 10 });
        n /= 36;
    }
    suffix.reverse();
    let suffix = String::from_utf8(suffix).unwrap_or_default();
    let keep = 63 - "-manual-".len() - suffix.len();
    let base: String = cronjob.chars().take(keep).collect();
    format!("{}-manual-{suffix}", base.trim_end_matches('-'))
}

/// Trigger a CronJob now.
pub async fn trigger(client: Client, obj: ObjectRef) -> Result<Acted, ActionError> {
    let cronjob = serde_json::to_value(api_of(&client, &obj)?.get(&obj.name).await?)
        .map_err(|e| ActionError::Decode(e.to_string()))?;
    let name = manual_job_name(&obj.name, jiff::Timestamp::now());
    let job: DynamicObject = serde_json::from_value(job_from_cronjob(&cronjob, &name))
        .map_err(|e| ActionError::Decode(e.to_string()))?;
    let jobs = kube::core::ApiResource {
        group: "batch".into(),
        version: "v1".into(),
        api_version: "batch/v1".into(),
        kind: "Job".into(),
        plural: "jobs".into(),
    };
    Api::<DynamicObject>::namespaced_with(client, &obj.namespace, &jobs)
        .create(&PostParams::default(), &job)
        .await?;
    Ok(Acted::Triggered {
        cronjob: obj,
        job: name,
    })
}

/// Suspend (`true`) or resume a CronJob.
pub async fn suspend(client: Client, obj: ObjectRef, on: bool) -> Result<Acted, ActionError> {
    let patch = json!({"spec": {"suspend": on}});
    api_of(&client, &obj)?
        .patch(&obj.name, &params(), &Patch::Merge(&patch))
        .await?;
    Ok(Acted::Suspended { obj, on })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(path: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/real-cluster/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    /// A DaemonSet's revisions as the controller writes them: owned by UID, numbered, the
    /// template in `data`; its pods carry the revision's hash.
    #[test]
    fn controller_revisions_are_listed_newest_first_with_their_pods() {
        let revision = |name: &str, n: i64, image: &str, owner: &str| -> ControllerRevision {
            serde_json::from_value(
                json!({"metadata": {"name": name, "namespace": "kube-system",
                "creationTimestamp": "2026-12-01T00:00:00Z",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "agent",
                    "uid": owner, "controller": true}]},
                "revision": n,
                "data": {"spec": {"template": {"$patch": "replace",
                    "spec": {"containers": [{"name": "agent", "image": image}]}}}}}),
            )
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let pod = |hash: &str| -> Pod {
            serde_json::from_value(json!({"metadata": {"name": format!("agent-{hash}"),
                "labels": {"controller-revision-hash": hash}}}))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let revisions = [
            revision("agent-5d8f9c7b6d", 1, "agent:1.0", "u1"),
            revision("agent-7c6b5d4f3a", 2, "agent:1.1", "u1"),
            revision("other-1111111111", 9, "other:1", "u2"),
        ];
        let pods = [pod("7c6b5d4f3a"), pod("7c6b5d4f3a"), pod("5d8f9c7b6d")];
        let got = controller_revisions_of("u1", &revisions, &pods);
        let summary: Vec<(i64, &str, Vec<String>, i32)> = got
            .iter()
            .map(|r| (r.number, r.source.as_str(), r.images.clone(), r.pods))
            .collect();
        assert_eq!(
            summary,
            [
                (2, "agent-7c6b5d4f3a", vec!["agent:1.1".to_string()], 2),
                (1, "agent-5d8f9c7b6d", vec!["agent:1.0".to_string()], 1),
            ]
        );
    }

    #[test]
    fn a_triggered_job_is_what_kubectl_create_job_from_cronjob_made() {
        let recorded = fixture("ops/job-from-cronjob.json");
        // The CronJob it came from, as the recorded Job names it (its template is the Job's).
        let owner = &recorded["metadata"]["ownerReferences"][0];
        let cronjob = json!({"metadata": {"name": owner["name"], "uid": owner["uid"]},
            "spec": {"jobTemplate": {"metadata": {}, "spec": {"template": recorded["spec"]["template"]}}}});
        let ours = job_from_cronjob(&cronjob, "nightly-manual");
        assert_eq!(ours["metadata"]["name"], recorded["metadata"]["name"]);
        assert_eq!(
            ours["metadata"]["annotations"],
            recorded["metadata"]["annotations"]
        );
        assert_eq!(
            ours["metadata"]["ownerReferences"],
            recorded["metadata"]["ownerReferences"]
        );
        assert_eq!(
            ours["spec"]["template"]["spec"],
            recorded["spec"]["template"]["spec"]
        );
    }

    #[test]
    fn manual_job_names_fit_a_label_value() {
        let now: jiff::Timestamp = "2026-12-06T03:44:15Z".parse().unwrap();
        let name = manual_job_name("nightly", now);
        assert!(name.starts_with("nightly-manual-"), "{name}");
        let long = manual_job_name(&"x".repeat(80), now);
        assert!(long.len() <= 63, "{long}");
        assert!(long.contains("-manual-"));
    }

    #[test]
    fn revisions_of_the_recorded_rollout_newest_first() {
        let sets = fixture("ops/replicasets-app-history.json");
        let sets: Vec<ReplicaSet> = serde_json::from_value(sets["items"].clone()).unwrap();
        let uid = sets[0].metadata.owner_references.as_ref().unwrap()[0]
            .uid
            .clone();
        let revs = revisions_of(&uid, &sets);
        // As `kubectl rollout history` listed them (rollout-history.kubectl.txt): 1 and 2.
        let numbers: Vec<i64> = revs.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [2, 1]);
        assert_eq!(revs[0].pods, 3);
        assert_eq!(revs[1].pods, 0);
        assert_eq!(revs[0].images, ["busybox:local"]);
        assert!(revisions_of("another", &sets).is_empty());
    }

    #[test]
    fn rollback_replaces_the_template_without_the_hash_label() {
        let sets = fixture("ops/replicasets-app-history.json");
        let first = sets["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metadata"]["annotations"][REVISION] == "1")
            .unwrap();
        let second = sets["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["metadata"]["annotations"][REVISION] == "2")
            .unwrap();
        let deployment = json!({"metadata": {"name": "app", "resourceVersion": "7",
            "annotations": {REVISION: "2", CHANGE_CAUSE: "restart"}},
            "spec": {"replicas": 3, "template": second["spec"]["template"]}});
        let back = rolled_back(deployment, first).unwrap();
        let labels = &back["spec"]["template"]["metadata"]["labels"];
        assert!(labels.get("pod-template-hash").is_none(), "{labels}");
        assert!(labels.get("app").is_some(), "{labels}");
        // Revision 2's restartedAt is gone: the template is replaced, not merged.
        assert!(
            back["spec"]["template"]["metadata"]["annotations"]
                .get("kubectl.kubernetes.io/restartedAt")
                .is_none(),
            "{back}"
        );
        // The old revision had no change-cause: the current one's goes; the rest stays.
        assert!(back["metadata"]["annotations"].get(CHANGE_CAUSE).is_none());
        assert_eq!(back["metadata"]["resourceVersion"], "7");
        assert_eq!(back["spec"]["replicas"], 3);
    }
}
