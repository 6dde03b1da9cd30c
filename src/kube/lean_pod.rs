//! Pods as their rows read them. The pods list is most of what kubedeck reads at start, and
//! the pods informer keeps rows, not objects: decoding every field of a `Pod` (images, ports,
//! env, probes, volume sources, annotations, managed fields, every condition's probe time) only
//! to drop it was most of the informer's CPU (100,000 of the simulator's pods: 1.4-1.9 s whole,
//! 0.75-0.85 s lean, on this 2-core machine). Serde skips an unread field without allocating,
//! so the informer decodes [`LeanPod`]s, and [`pod_row`](super::pod_row::pod_row) reads one
//! (a whole `Pod` from elsewhere is made one with `LeanPod::from`).
//!
//! Fields keep their Kubernetes names and types (k8s-openapi's, for the parts read whole), so
//! the row's code reads as it would on a `Pod`. A field the row starts reading is added here
//! (the row cannot read one that is not): `pod_row`'s tests derive every recorded pod both ways,
//! and `sim_api` every simulated pod listed both ways.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStatus, PersistentVolumeClaimVolumeSource, Pod,
    PodCondition, PodIP, PodSpec, PodStatus, ResourceRequirements, Volume,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde::{Deserialize, Deserializer};

/// A pod with only the fields its row is made of.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct LeanPod {
    #[serde(default, deserialize_with = "lean_meta")]
    pub metadata: ObjectMeta,
    pub spec: Option<LeanSpec>,
    pub status: Option<LeanStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeanSpec {
    #[serde(default, deserialize_with = "or_default")]
    pub containers: Vec<LeanContainer>,
    pub init_containers: Option<Vec<LeanContainer>>,
    pub node_name: Option<String>,
    pub volumes: Option<Vec<LeanVolume>>,
    pub overhead: Option<BTreeMap<String, Quantity>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeanContainer {
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    pub restart_policy: Option<String>,
    pub resources: Option<ResourceRequirements>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeanVolume {
    pub persistent_volume_claim: Option<PersistentVolumeClaimVolumeSource>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeanStatus {
    pub phase: Option<String>,
    pub reason: Option<String>,
    pub message: Option<String>,
    pub qos_class: Option<String>,
    pub conditions: Option<Vec<LeanCondition>>,
    pub container_statuses: Option<Vec<LeanContainerStatus>>,
    pub init_container_statuses: Option<Vec<LeanContainerStatus>>,
    #[serde(rename = "podIP")]
    pub pod_ip: Option<String>,
    #[serde(rename = "podIPs")]
    pub pod_ips: Option<Vec<PodIP>>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeanCondition {
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    pub type_: String,
    #[serde(default, deserialize_with = "or_default")]
    pub status: String,
    pub reason: Option<String>,
    pub last_transition_time: Option<Time>,
}

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeanContainerStatus {
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    #[serde(default, deserialize_with = "or_default")]
    pub restart_count: i32,
    #[serde(default, deserialize_with = "or_default")]
    pub ready: bool,
    pub started: Option<bool>,
    pub state: Option<ContainerState>,
    pub last_state: Option<ContainerState>,
}

/// A field the API marks required, sent as `null`: its default, as for a missing one (lenient
/// where k8s-openapi would refuse the whole page for one odd object).
fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The metadata a row and the informer read (names, version, labels, owners, times); the rest
/// (annotations, managed fields, finalizers) skipped.
fn lean_meta<'de, D: Deserializer<'de>>(d: D) -> Result<ObjectMeta, D::Error> {
    #[derive(Deserialize, Default)]
    #[serde(rename_all = "camelCase")]
    struct Meta {
        name: Option<String>,
        namespace: Option<String>,
        uid: Option<String>,
        resource_version: Option<String>,
        labels: Option<BTreeMap<String, String>>,
        owner_references: Option<Vec<OwnerReference>>,
        creation_timestamp: Option<Time>,
        deletion_timestamp: Option<Time>,
    }
    let m = Option::<Meta>::deserialize(d)?.unwrap_or_default();
    Ok(ObjectMeta {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resource_version: m.resource_version,
        labels: m.labels,
        owner_references: m.owner_references,
        creation_timestamp: m.creation_timestamp,
        deletion_timestamp: m.deletion_timestamp,
        ..ObjectMeta::default()
    })
}

impl k8s_openapi::Resource for LeanPod {
    const API_VERSION: &'static str = <Pod as k8s_openapi::Resource>::API_VERSION;
    const GROUP: &'static str = <Pod as k8s_openapi::Resource>::GROUP;
    const KIND: &'static str = <Pod as k8s_openapi::Resource>::KIND;
    const VERSION: &'static str = <Pod as k8s_openapi::Resource>::VERSION;
    const URL_PATH_SEGMENT: &'static str = <Pod as k8s_openapi::Resource>::URL_PATH_SEGMENT;
    type Scope = <Pod as k8s_openapi::Resource>::Scope;
}

impl k8s_openapi::Metadata for LeanPod {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

// A whole pod (a GET, a test's fixture) made lean by copying the fields read.

impl From<&Pod> for LeanPod {
    fn from(p: &Pod) -> LeanPod {
        let m = &p.metadata;
        LeanPod {
            metadata: ObjectMeta {
                name: m.name.clone(),
                namespace: m.namespace.clone(),
                uid: m.uid.clone(),
                resource_version: m.resource_version.clone(),
                labels: m.labels.clone(),
                owner_references: m.owner_references.clone(),
                creation_timestamp: m.creation_timestamp.clone(),
                deletion_timestamp: m.deletion_timestamp.clone(),
                ..ObjectMeta::default()
            },
            spec: p.spec.as_ref().map(Into::into),
            status: p.status.as_ref().map(Into::into),
        }
    }
}

impl From<&PodSpec> for LeanSpec {
    fn from(s: &PodSpec) -> LeanSpec {
        let containers = |c: &[Container]| c.iter().map(Into::into).collect();
        LeanSpec {
            containers: containers(&s.containers),
            init_containers: s.init_containers.as_deref().map(containers),
            node_name: s.node_name.clone(),
            volumes: s
                .volumes
                .as_ref()
                .map(|v| v.iter().map(Into::into).collect()),
            overhead: s.overhead.clone(),
        }
    }
}

impl From<&Container> for LeanContainer {
    fn from(c: &Container) -> LeanContainer {
        LeanContainer {
            name: c.name.clone(),
            restart_policy: c.restart_policy.clone(),
            resources: c.resources.clone(),
        }
    }
}

impl From<&Volume> for LeanVolume {
    fn from(v: &Volume) -> LeanVolume {
        LeanVolume {
            persistent_volume_claim: v.persistent_volume_claim.clone(),
        }
    }
}

impl From<&PodStatus> for LeanStatus {
    fn from(s: &PodStatus) -> LeanStatus {
        let statuses = |c: &[ContainerStatus]| c.iter().map(Into::into).collect();
        LeanStatus {
            phase: s.phase.clone(),
            reason: s.reason.clone(),
            message: s.message.clone(),
            qos_class: s.qos_class.clone(),
            conditions: s
                .conditions
                .as_ref()
                .map(|c| c.iter().map(Into::into).collect()),
            container_statuses: s.container_statuses.as_deref().map(statuses),
            init_container_statuses: s.init_container_statuses.as_deref().map(statuses),
            pod_ip: s.pod_ip.clone(),
            pod_ips: s.pod_ips.clone(),
        }
    }
}

impl From<&PodCondition> for LeanCondition {
    fn from(c: &PodCondition) -> LeanCondition {
        LeanCondition {
            type_: c.type_.clone(),
            status: c.status.clone(),
            reason: c.reason.clone(),
            last_transition_time: c.last_transition_time.clone(),
        }
    }
}

impl From<&ContainerStatus> for LeanContainerStatus {
    fn from(c: &ContainerStatus) -> LeanContainerStatus {
        LeanContainerStatus {
            name: c.name.clone(),
            restart_count: c.restart_count,
            ready: c.ready,
            started: c.started,
            state: c.state.clone(),
            last_state: c.last_state.clone(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn what_no_row_reads_is_not_kept() {
        let lean: LeanPod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "n",
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"},
                "managedFields": [{"manager": "kubectl"}], "finalizers": ["x"]},
            "spec": {"containers": [{"name": "c", "image": "nginx", "env": [{"name": "A", "value": "1"}]}],
                "volumes": [{"name": "v", "configMap": {"name": "cm"}}]},
            "status": {"phase": "Running", "hostIP": "10.0.0.1",
                "conditions": [{"type": "Ready", "status": "True", "lastProbeTime": null}]}
        }))
        .unwrap();
        assert_eq!(lean.metadata.annotations, None);
        assert_eq!(lean.metadata.managed_fields, None);
        assert_eq!(lean.metadata.finalizers, None);
        let spec = lean.spec.unwrap();
        assert_eq!(spec.containers[0].name, "c");
        assert_eq!(spec.volumes.unwrap()[0].persistent_volume_claim, None);
        assert_eq!(lean.status.unwrap().conditions.unwrap()[0].type_, "Ready");
    }

    #[test]
    fn required_fields_sent_as_null_are_their_defaults() {
        let lean: LeanPod = serde_json::from_value(serde_json::json!({
            "metadata": null,
            "spec": {"containers": null},
            "status": {"containerStatuses": [{"name": null, "ready": null, "restartCount": null}]}
        }))
        .unwrap();
        assert_eq!(lean.metadata, ObjectMeta::default());
        assert!(lean.spec.unwrap().containers.is_empty());
        let status = &lean.status.unwrap().container_statuses.unwrap()[0];
        assert_eq!(
            (status.name.as_str(), status.ready, status.restart_count),
            ("", false, 0)
        );
    }
}
