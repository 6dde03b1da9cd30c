//! What the timeline follows of Deployments, StatefulSets and DaemonSets, and the changes
//! between two of their states: a scale (from → to), a rollout started (revision, old → new
//! image) or finished, paused or resumed.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use serde::{Deserialize, Serialize};

use super::timeline::{Change, Record};

const REVISION: &str = "deployment.kubernetes.io/revision";

/// A workload's facts (small: its object is not kept).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WorkloadFacts {
    /// `deployment`, `statefulset` or `daemonset`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// Desired replicas (a DaemonSet: the nodes it should run on).
    pub desired: i64,
    pub ready: i64,
    pub updated: i64,
    pub available: i64,
    /// `container=image`, in spec order.
    pub images: Vec<String>,
    /// The revision (a Deployment's annotation, a StatefulSet's update revision).
    pub revision: String,
    pub paused: bool,
    /// A rollout is under way (not every replica is of the newest template and available).
    pub rolling: bool,
}

fn images(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> Vec<String> {
    spec.map(|s| {
        s.containers
            .iter()
            .map(|c| format!("{}={}", c.name, c.image.as_deref().unwrap_or_default()))
            .collect()
    })
    .unwrap_or_default()
}

fn meta(m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> (String, String) {
    (
        m.namespace.clone().unwrap_or_default(),
        m.name.clone().unwrap_or_default(),
    )
}

impl WorkloadFacts {
    pub fn of_deployment(d: &Deployment) -> Self {
        let (namespace, name) = meta(&d.metadata);
        let spec = d.spec.clone().unwrap_or_default();
        let status = d.status.clone().unwrap_or_default();
        let desired = i64::from(spec.replicas.unwrap_or(1));
        // The controller says a rollout is done with Progressing/NewReplicaSetAvailable; before
        // it has seen the new generation, or while that condition says otherwise, it is going.
        let progressing = status
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == "Progressing");
        let seen = status.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
        let rolling = !seen
            || progressing.is_some_and(|c| c.reason.as_deref() != Some("NewReplicaSetAvailable"));
        Self {
            kind: "deployment".into(),
            namespace,
            name,
            desired,
            ready: i64::from(status.ready_replicas.unwrap_or(0)),
            updated: i64::from(status.updated_replicas.unwrap_or(0)),
            available: i64::from(status.available_replicas.unwrap_or(0)),
            images: images(spec.template.spec.as_ref()),
            revision: d
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(REVISION))
                .cloned()
                .unwrap_or_default(),
            paused: spec.paused.unwrap_or(false),
            rolling,
        }
    }

    pub fn of_statefulset(s: &StatefulSet) -> Self {
        let (namespace, name) = meta(&s.metadata);
        let spec = s.spec.clone().unwrap_or_default();
        let status = s.status.clone().unwrap_or_default();
        let update = status.update_revision.clone().unwrap_or_default();
        let current = status.current_revision.clone().unwrap_or_default();
        Self {
            kind: "statefulset".into(),
            namespace,
            name,
            desired: i64::from(spec.replicas.unwrap_or(1)),
            ready: i64::from(status.ready_replicas.unwrap_or(0)),
            updated: i64::from(status.updated_replicas.unwrap_or(0)),
            available: i64::from(status.available_replicas.unwrap_or(0)),
            images: images(spec.template.spec.as_ref()),
            rolling: !update.is_empty() && update != current,
            revision: update,
            paused: false,
        }
    }

    pub fn of_daemonset(d: &DaemonSet) -> Self {
        let (namespace, name) = meta(&d.metadata);
        let spec = d.spec.clone().unwrap_or_default();
        let status = d.status.clone().unwrap_or_default();
        let desired = i64::from(status.desired_number_scheduled);
        let updated = i64::from(status.updated_number_scheduled.unwrap_or(0));
        Self {
            kind: "daemonset".into(),
            namespace,
            name,
            desired,
            ready: i64::from(status.number_ready),
            updated,
            available: i64::from(status.number_available.unwrap_or(0)),
            images: images(spec.template.spec.as_ref()),
            revision: d.metadata.generation.unwrap_or(0).to_string(),
            paused: false,
            rolling: updated < desired,
        }
    }
}

/// `web=nginx:1.25 → nginx:1.26` for each container whose image changed (or was added).
fn image_changes(old: &[String], new: &[String]) -> Vec<String> {
    new.iter()
        .filter(|n| !old.contains(n))
        .map(|n| {
            let (c, image) = n.split_once('=').unwrap_or(("", n));
            match old.iter().find_map(|o| o.strip_prefix(&format!("{c}="))) {
                Some(before) => format!("{c}: {before} → {image}"),
                None => format!("{c}: {image}"),
            }
        })
        .collect()
}

/// A workload's changes between two states (`None`: not there).
pub fn workload_changes(
    old: Option<&WorkloadFacts>,
    new: Option<&WorkloadFacts>,
    now: Timestamp,
) -> Vec<Record> {
    let mut out = Vec::new();
    let (a, b) = match (old, new) {
        (Some(a), Some(b)) => (a, b),
        (None, Some(b)) => {
            return vec![Record::of(
                &b.kind,
                &b.namespace,
                &b.name,
                Change::Created,
                now,
            )];
        }
        (Some(a), None) => {
            return vec![Record::of(
                &a.kind,
                &a.namespace,
                &a.name,
                Change::Deleted,
                now,
            )];
        }
        (None, None) => return out,
    };
    let rec = |c: Change| Record::of(&b.kind, &b.namespace, &b.name, c, now);
    // A DaemonSet's desired count follows its nodes: not a scale anyone made.
    if a.desired != b.desired && b.kind != "daemonset" {
        out.push(rec(Change::Scaled).with(format!("{} → {}", a.desired, b.desired)));
    }
    let changed = image_changes(&a.images, &b.images);
    let revision = (a.revision != b.revision && !b.revision.is_empty() && b.kind != "daemonset")
        .then(|| format!("revision {}", b.revision));
    if !changed.is_empty() || revision.is_some() {
        let mut detail: Vec<String> = revision.into_iter().collect();
        if changed.is_empty() {
            detail.push("same images (a restart or another template change)".into());
        }
        detail.extend(changed);
        out.push(rec(Change::RolloutStarted).with(detail.join(", ")));
    }
    if a.rolling && !b.rolling {
        let revision = if b.revision.is_empty() || b.kind == "daemonset" {
            String::new()
        } else {
            format!("revision {}, ", b.revision)
        };
        out.push(
            rec(Change::RolloutFinished).with(format!("{revision}{}/{} ready", b.ready, b.desired)),
        );
    }
    if !a.paused && b.paused {
        out.push(rec(Change::Paused));
    }
    if a.paused && !b.paused {
        out.push(rec(Change::Resumed));
    }
    out
}

/// The workloads whose rollout the timeline saw start, so that its end is told and a scale's
/// settling (the controller says "progressing" for a scale too) is not.
#[derive(Debug, Default)]
pub struct Rollouts(std::collections::HashSet<(String, String, String)>);

impl Rollouts {
    /// [`workload_changes`], with "rolled out" only for a rollout seen starting.
    pub fn changes(
        &mut self,
        old: Option<&WorkloadFacts>,
        new: Option<&WorkloadFacts>,
        now: Timestamp,
    ) -> Vec<Record> {
        let mut records = workload_changes(old, new, now);
        let Some(f) = new.or(old) else {
            return records;
        };
        let key = (f.kind.clone(), f.namespace.clone(), f.name.clone());
        if new.is_none() {
            self.0.remove(&key);
        }
        // A new template comes first, its revision number a moment later from the controller:
        // one rollout, told once (with its images).
        let images_same = old.zip(new).is_some_and(|(a, b)| a.images == b.images);
        if images_same && self.0.contains(&key) {
            records.retain(|r| r.change != Change::RolloutStarted);
        }
        if records.iter().any(|r| r.change == Change::RolloutStarted) {
            self.0.insert(key.clone());
        }
        records.retain(|r| r.change != Change::RolloutFinished || self.0.remove(&key));
        records
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Deployment from the real cluster's objects (tests/fixtures/real-cluster/kinds).
    fn real_deployment() -> Deployment {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real-cluster/kinds/deployments.json"
        );
        let list: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
                .unwrap_or_default();
        serde_json::from_value(list["items"][0].clone()).unwrap_or_default()
    }

    fn now() -> Timestamp {
        Timestamp::from_second(1_000_000).unwrap_or_default()
    }

    fn told(r: &[Record]) -> Vec<(Change, &str)> {
        r.iter().map(|r| (r.change, r.detail.as_str())).collect()
    }

    #[test]
    fn a_real_deployment_settled() {
        let f = WorkloadFacts::of_deployment(&real_deployment());
        assert_eq!(f.kind, "deployment");
        assert!(!f.name.is_empty() && !f.images.is_empty(), "{f:?}");
        assert!(!f.revision.is_empty(), "{f:?}");
        assert!(!f.rolling, "a settled Deployment: {f:?}");
    }

    #[test]
    fn scale_rollout_pause() {
        let a = WorkloadFacts::of_deployment(&real_deployment());
        let image = a.images[0].clone();
        let container = image.split_once('=').map(|(c, _)| c).unwrap_or_default();
        let old_image = image.split_once('=').map(|(_, i)| i).unwrap_or_default();
        // Scaled.
        let b = WorkloadFacts {
            desired: a.desired + 2,
            ..a.clone()
        };
        let two = format!("{} → {}", a.desired, a.desired + 2);
        assert_eq!(
            told(&workload_changes(Some(&a), Some(&b), now())),
            [(Change::Scaled, two.as_str())]
        );
        // A new image: the rollout starts with the new revision, and finishes.
        let rolling = WorkloadFacts {
            images: vec![format!("{container}=nginx:1.27")],
            revision: "9".into(),
            rolling: true,
            ..a.clone()
        };
        let started = format!("revision 9, {container}: {old_image} → nginx:1.27");
        assert_eq!(
            told(&workload_changes(Some(&a), Some(&rolling), now())),
            [(Change::RolloutStarted, started.as_str())]
        );
        let done = WorkloadFacts {
            rolling: false,
            ..rolling.clone()
        };
        let mut seen = Rollouts::default();
        // The template first, the controller's revision number after: one rollout.
        let template = WorkloadFacts {
            revision: a.revision.clone(),
            ..rolling.clone()
        };
        assert_eq!(seen.changes(Some(&a), Some(&template), now()).len(), 1);
        assert!(
            seen.changes(Some(&template), Some(&rolling), now())
                .is_empty()
        );
        let got = seen.changes(Some(&rolling), Some(&done), now());
        assert_eq!(got[0].change, Change::RolloutFinished);
        assert!(
            got[0].detail.starts_with("revision 9, "),
            "{}",
            got[0].detail
        );
        // Paused and resumed; the same state again is nothing.
        let paused = WorkloadFacts {
            paused: true,
            ..done.clone()
        };
        assert_eq!(
            told(&workload_changes(Some(&done), Some(&paused), now())),
            [(Change::Paused, "")]
        );
        assert_eq!(
            told(&workload_changes(Some(&paused), Some(&done), now())),
            [(Change::Resumed, "")]
        );
        assert!(workload_changes(Some(&done), Some(&done), now()).is_empty());
        // A scale makes the controller say "progressing" too: its settling is no rollout.
        let scaling = WorkloadFacts {
            desired: done.desired + 1,
            rolling: true,
            ..done.clone()
        };
        let scaled = WorkloadFacts {
            rolling: false,
            ..scaling.clone()
        };
        assert_eq!(
            seen.changes(Some(&done), Some(&scaling), now())[0].change,
            Change::Scaled
        );
        assert!(
            seen.changes(Some(&scaling), Some(&scaled), now())
                .is_empty()
        );
        // A DaemonSet's desired count follows its nodes: no scale.
        let ds = WorkloadFacts {
            kind: "daemonset".into(),
            ..done.clone()
        };
        let more = WorkloadFacts {
            desired: ds.desired + 1,
            ..ds.clone()
        };
        assert!(workload_changes(Some(&ds), Some(&more), now()).is_empty());
    }
}
