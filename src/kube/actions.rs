//! The API calls behind user actions: fetch an object for YAML, delete, cancel and rerun a
//! PipelineRun. Each runs on its own task; the result goes back to the UI as text.

use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};
use kube::Client;
use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams, PostParams};
use kube::core::ApiResource;
use serde_json::{Value, json};

use super::error::ApiError;
use super::informer::ResourceKind;
use super::object_ref::ObjectRef;
use super::tekton;

/// Why an action failed: the server's answer stays typed (a 403 is not a 404).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ActionError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("Tekton has not been discovered on this cluster")]
    NoTekton,
    #[error("cannot decode the object: {0}")]
    Decode(String),
    /// kubedeck deletes pods, PipelineRuns, TaskRuns and the kinds discovery found, no other.
    #[error("deleting {} is not supported", .0.label())]
    CannotDelete(ResourceKind),
    /// The object's resource was not found by discovery.
    #[error("{0}: unknown resource")]
    UnknownResource(String),
    /// `--readonly`: a change to the cluster, refused.
    #[error("read-only mode: refused")]
    ReadOnly,
    /// A private file for the editor could not be written.
    #[error("cannot write the file to edit: {0}")]
    EditFile(String),
    /// The path to the API server went silent after the change was sent, before its answer.
    #[error(
        "connection lost before the answer: whether the change was made is not known; look before doing it again"
    )]
    OutcomeUnknown,
    /// A drain that left pods behind: what happened.
    #[error("{0}")]
    Incomplete(Box<DrainReport>),
}

/// Where a drain is, or how it ended: the status bar says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DrainReport {
    pub node: String,
    pub evicted: usize,
    pub total: usize,
    /// `namespace/name` of the pods a disruption budget keeps, and the first budget's answer.
    pub blocked: Vec<String>,
    pub budget_says: Option<String>,
    /// `namespace/name: why` of evictions that failed otherwise.
    pub failed: Vec<String>,
    /// While it goes on: the round and how many rounds there may be.
    pub attempt: Option<(u32, u32)>,
}

impl std::fmt::Display for DrainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (node, evicted, total) = (&self.node, self.evicted, self.total);
        if let Some((attempt, attempts)) = self.attempt {
            return write!(
                f,
                "drain node/{node}: {evicted}/{total} evicted; {} blocked by a disruption budget (attempt {attempt}/{attempts}): {}",
                self.blocked.len(),
                self.blocked.join(", ")
            );
        }
        write!(f, "drained node/{node}: {evicted}/{total} evicted")?;
        if !self.blocked.is_empty() {
            write!(
                f,
                "; still blocked by a disruption budget: {} ({})",
                self.blocked.join(", "),
                self.budget_says.as_deref().unwrap_or_default()
            )?;
        }
        if !self.failed.is_empty() {
            write!(f, "; failed: {}", self.failed.join("; "))?;
        }
        Ok(())
    }
}

/// What an action did (the status bar says it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acted {
    Scaled {
        obj: ObjectRef,
        replicas: i32,
    },
    Restarting(ObjectRef),
    Deleted(ObjectRef),
    /// A node cordoned (`true`) or uncordoned.
    Cordoned {
        node: String,
        on: bool,
    },
    CancelRequested(ObjectRef),
    /// A PipelineRun started again: the new run's name.
    Rerun {
        of: ObjectRef,
        started: String,
    },
    /// A drain began: the node is being cordoned.
    DrainStarted(String),
    /// A drain finished with every pod evicted.
    Drained(DrainReport),
    /// A drain goes on: where it is.
    Draining(DrainReport),
    /// A container's image set in a workload's pod template (a rollout starts).
    ImageSet {
        obj: ObjectRef,
        container: String,
        image: String,
    },
    /// A Deployment rolled back to a revision (a rollout starts).
    RolledBack {
        obj: ObjectRef,
        revision: i64,
    },
    /// A CronJob triggered by hand: the Job created.
    Triggered {
        cronjob: ObjectRef,
        job: String,
    },
    /// A CronJob suspended (`true`) or resumed.
    Suspended {
        obj: ObjectRef,
        on: bool,
    },
}

impl std::fmt::Display for Acted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Acted::Scaled { obj, replicas } => write!(f, "scaled {} to {replicas}", obj.label()),
            Acted::Restarting(obj) => write!(f, "restarting the pods of {}", obj.label()),
            Acted::Deleted(obj) => write!(f, "deleted {}", obj.label()),
            Acted::Cordoned { node, on: true } => write!(f, "node/{node} cordoned"),
            Acted::Cordoned { node, on: false } => write!(f, "node/{node} uncordoned"),
            Acted::CancelRequested(obj) => write!(f, "cancel requested for {}", obj.label()),
            Acted::Rerun { of, started } => write!(f, "started {started} (rerun of {})", of.name),
            Acted::DrainStarted(node) => write!(f, "draining node/{node} …"),
            Acted::Drained(report) | Acted::Draining(report) => write!(f, "{report}"),
            Acted::ImageSet {
                obj,
                container,
                image,
            } => write!(f, "{}: {container} set to {image}", obj.label()),
            Acted::RolledBack { obj, revision } => {
                write!(f, "{} rolled back to revision {revision}", obj.label())
            }
            Acted::Triggered { cronjob, job } => {
                write!(f, "job/{job} created from {}", cronjob.label())
            }
            Acted::Suspended { obj, on: true } => write!(f, "{} suspended", obj.label()),
            Acted::Suspended { obj, on: false } => write!(f, "{} resumed", obj.label()),
        }
    }
}

impl From<kube::Error> for ActionError {
    fn from(e: kube::Error) -> Self {
        ActionError::Api(ApiError::from(e))
    }
}

fn dynamic(
    client: &Client,
    obj: &ObjectRef,
    pipelineruns: Option<&ApiResource>,
) -> Result<Api<DynamicObject>, ActionError> {
    let pr = pipelineruns.ok_or(ActionError::NoTekton)?;
    let ar = match obj.kind {
        ResourceKind::TaskRuns => tekton::taskrun_resource(pr),
        _ => pr.clone(),
    };
    Ok(Api::namespaced_with(client.clone(), &obj.namespace, &ar))
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, ActionError> {
    serde_json::to_value(v).map_err(|e| ActionError::Decode(e.to_string()))
}

/// The object as the API server has it now (managedFields included).
pub async fn fetch(
    client: Client,
    obj: ObjectRef,
    tekton: Option<ApiResource>,
) -> Result<Value, ActionError> {
    let ns = obj.namespace.as_str();
    match obj.kind {
        ResourceKind::Pods => to_value(&Api::<Pod>::namespaced(client, ns).get(&obj.name).await?),
        ResourceKind::Events => {
            to_value(&Api::<Event>::namespaced(client, ns).get(&obj.name).await?)
        }
        ResourceKind::Nodes => to_value(&Api::<Node>::all(client).get(&obj.name).await?),
        ResourceKind::Namespaces => to_value(&Api::<Namespace>::all(client).get(&obj.name).await?),
        ResourceKind::PipelineRuns | ResourceKind::TaskRuns => {
            let api = dynamic(&client, &obj, tekton.as_ref())?;
            to_value(&api.get(&obj.name).await?)
        }
        ResourceKind::Generic | ResourceKind::Workloads => {
            to_value(&discovered(&client, &obj)?.get(&obj.name).await?)
        }
    }
}

/// `kubectl scale`: a merge patch of the scale subresource.
pub async fn scale(client: Client, obj: ObjectRef, replicas: i32) -> Result<Acted, ActionError> {
    let patch = serde_json::json!({"spec": {"replicas": replicas}});
    discovered(&client, &obj)?
        .patch_scale(&obj.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    Ok(Acted::Scaled { obj, replicas })
}

/// `kubectl rollout restart`: a new pod-template annotation, so the controller replaces
/// every pod.
pub async fn rollout_restart(client: Client, obj: ObjectRef) -> Result<Acted, ActionError> {
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let patch = serde_json::json!({"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": now}}}}});
    let params = PatchParams {
        field_manager: Some("kubedeck".into()),
        ..PatchParams::default()
    };
    discovered(&client, &obj)?
        .patch(&obj.name, &params, &Patch::Strategic(&patch))
        .await?;
    Ok(Acted::Restarting(obj))
}

/// The Api for an object of a resource discovery found.
fn discovered(client: &Client, obj: &ObjectRef) -> Result<Api<DynamicObject>, ActionError> {
    let api = obj
        .api
        .as_ref()
        .ok_or_else(|| ActionError::UnknownResource(obj.label()))?;
    let ar = api.api_resource();
    Ok(if api.namespaced {
        Api::namespaced_with(client.clone(), &obj.namespace, &ar)
    } else {
        Api::all_with(client.clone(), &ar)
    })
}

pub async fn delete(
    client: Client,
    obj: ObjectRef,
    tekton: Option<ApiResource>,
) -> Result<Acted, ActionError> {
    match obj.kind {
        ResourceKind::Pods => {
            Api::<Pod>::namespaced(client, &obj.namespace)
                .delete(&obj.name, &DeleteParams::default())
                .await?;
        }
        ResourceKind::PipelineRuns | ResourceKind::TaskRuns => {
            dynamic(&client, &obj, tekton.as_ref())?
                .delete(&obj.name, &DeleteParams::background())
                .await?;
        }
        // Dependents go in the background, as kubectl deletes them.
        ResourceKind::Generic => {
            discovered(&client, &obj)?
                .delete(&obj.name, &DeleteParams::background())
                .await?;
        }
        other => return Err(ActionError::CannotDelete(other)),
    }
    Ok(Acted::Deleted(obj))
}

/// Cordon (`spec.unschedulable: true`) or uncordon a node, as `kubectl cordon` does.
pub async fn cordon(client: Client, node: String, on: bool) -> Result<Acted, ActionError> {
    let api: Api<k8s_openapi::api::core::v1::Node> = Api::all(client);
    let patch = json!({"spec": {"unschedulable": on}});
    api.patch(&node, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    Ok(Acted::Cordoned { node, on })
}

/// Tekton's cancel: `spec.status: Cancelled`; the controller stops the TaskRuns.
pub async fn cancel(
    client: Client,
    obj: ObjectRef,
    tekton: Option<ApiResource>,
) -> Result<Acted, ActionError> {
    let api = dynamic(&client, &obj, tekton.as_ref())?;
    let patch = json!({"spec": {"status": "Cancelled"}});
    api.patch(&obj.name, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    Ok(Acted::CancelRequested(obj))
}

/// The new run `rerun` creates: the same spec, labels and annotations (less what the system
/// owns), under `generateName`.
pub fn rerun_object(original: &Value) -> Value {
    let meta = &original["metadata"];
    let base = meta["generateName"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("{}-r-", meta["name"].as_str().unwrap_or("run")));
    let mut spec = original["spec"].clone();
    if let Some(s) = spec.as_object_mut() {
        // A cancelled run's spec says so; the new run must start.
        s.remove("status");
    }
    let mut labels = meta["labels"].clone();
    if let Some(l) = labels.as_object_mut() {
        l.retain(|k, _| !k.starts_with("tekton.dev/pipelineRun"));
    }
    let mut annotations = meta["annotations"].clone();
    if let Some(a) = annotations.as_object_mut() {
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    let mut out = json!({
        "apiVersion": original["apiVersion"],
        "kind": "PipelineRun",
        "metadata": {"generateName": base, "namespace": meta["namespace"]},
        "spec": spec,
    });
    if labels.is_object() {
        out["metadata"]["labels"] = labels;
    }
    if annotations.as_object().is_some_and(|a| !a.is_empty()) {
        out["metadata"]["annotations"] = annotations;
    }
    out
}

pub async fn rerun(
    client: Client,
    obj: ObjectRef,
    tekton: Option<ApiResource>,
) -> Result<Acted, ActionError> {
    let api = dynamic(&client, &obj, tekton.as_ref())?;
    let original = to_value(&api.get(&obj.name).await?)?;
    let new: DynamicObject = serde_json::from_value(rerun_object(&original))
        .map_err(|e| ActionError::Decode(e.to_string()))?;
    let created = api.create(&PostParams::default(), &new).await?;
    Ok(Acted::Rerun {
        started: created.metadata.name.unwrap_or_default(),
        of: obj,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rerun_keeps_spec_and_drops_cancel_and_system_fields() {
        let original = json!({
            "apiVersion": "tekton.dev/v1", "kind": "PipelineRun",
            "metadata": {"name": "build-x7k2p", "generateName": "build-", "namespace": "ci", "uid": "u", "resourceVersion": "9",
                         "labels": {"app": "web", "tekton.dev/pipelineRun": "build-x7k2p", "tekton.dev/pipeline": "build"},
                         "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{}"}},
            "spec": {"pipelineRef": {"name": "build"}, "status": "Cancelled", "params": [{"name": "rev", "value": "abc"}]},
            "status": {"conditions": []}
        });
        let new = rerun_object(&original);
        assert_eq!(new["metadata"]["generateName"], "build-");
        assert_eq!(new["metadata"]["namespace"], "ci");
        assert!(
            new["metadata"]["name"].is_null()
                && new["metadata"]["uid"].is_null()
                && new["status"].is_null()
        );
        assert!(new["spec"]["status"].is_null());
        assert_eq!(new["spec"]["params"][0]["value"], "abc");
        assert_eq!(
            new["metadata"]["labels"],
            json!({"app": "web", "tekton.dev/pipeline": "build"})
        );
        assert!(new["metadata"]["annotations"].is_null());
        let named = json!({"apiVersion": "tekton.dev/v1", "metadata": {"name": "nightly", "namespace": "ci"}, "spec": {}});
        assert_eq!(
            rerun_object(&named)["metadata"]["generateName"],
            "nightly-r-"
        );
    }
}
