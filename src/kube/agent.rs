//! Agent sessions: a shell in a container's namespaces through kubedeck's node agent, for
//! where ephemeral containers cannot go. kubedeck finds the target's node and container ID,
//! finds the agent pod on that node, and execs `kubedeck-agent join …` in it with a TTY: the
//! apiserver authenticates and authorises that exec (RBAC `create pods/exec` on the agent pod),
//! the kubelet carries the terminal, resizes and exit status, and the agent does the join
//! (crates/kubedeck-agent). See docs/agent.md and docs/security.md.

use futures::FutureExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

use super::exec::{Exec, Target};
use crate::pty::{Backend, Connection, Progress, SessionError, Size};

// Where the agent runs and how its pods are labelled: the agent's contract, kept in its crate.
pub use kubedeck_agent::contract::{CONTAINER, NAMESPACE, PROFILE_LABEL, SELECTOR};

/// A session in `target`'s container through the agent on its node.
pub struct AgentSession {
    pub target: Target,
    /// What the session log records as the requester when the apiserver cannot say who we are
    /// (informational either way: the apiserver's audit log of the exec has the authenticated
    /// user).
    pub requested_by: Option<String>,
    /// Which agent profile (tool image) to go through; any when `None`.
    pub profile: Option<String>,
}

fn refused(target: &Target, why: impl std::fmt::Display) -> SessionError {
    SessionError::Refused(format!("agent {}: {why}", target.label()))
}

/// Why the agent cannot join a container yet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotJoinable {
    #[error("pod {0} is not scheduled on a node yet")]
    NotScheduled(String),
    #[error("container {container} of {pod} has no status yet")]
    NoStatus { pod: String, container: String },
    #[error(
        "container {container} of {pod} is not running: the agent joins a running container's namespaces"
    )]
    NotRunning { pod: String, container: String },
}

/// The target's node and its container's ID, from the pod's status.
pub fn node_and_container_id(pod: &Pod, container: &str) -> Result<(String, String), NotJoinable> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let node = pod
        .spec
        .as_ref()
        .and_then(|s| s.node_name.clone())
        .ok_or_else(|| NotJoinable::NotScheduled(name.clone()))?;
    let status = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.name == container)
        .ok_or_else(|| NotJoinable::NoStatus {
            pod: name.clone(),
            container: container.to_string(),
        })?;
    let running = status
        .state
        .as_ref()
        .and_then(|s| s.running.as_ref())
        .is_some();
    match status.container_id.clone().filter(|_| running) {
        Some(id) => Ok((node, id)),
        None => Err(NotJoinable::NotRunning {
            pod: name,
            container: container.to_string(),
        }),
    }
}

/// The agent's command line for the join.
pub fn join_command(
    target: &Target,
    container_id: &str,
    requested_by: Option<&str>,
) -> Vec<String> {
    kubedeck_agent::contract::join_argv(
        &target.namespace,
        &target.pod,
        &target.container,
        container_id,
        requested_by,
    )
}

/// The user name the apiserver authenticated us as (a SelfSubjectReview).
pub async fn whoami(client: kube::Client) -> Option<String> {
    use k8s_openapi::api::authentication::v1::SelfSubjectReview;
    let reviews: Api<SelfSubjectReview> = Api::all(client);
    let review = reviews
        .create(
            &kube::api::PostParams::default(),
            &SelfSubjectReview::default(),
        )
        .await
        .ok()?;
    review.status?.user_info?.username.filter(|u| !u.is_empty())
}

/// Whether the agent is installed, for offering it (the session checks again on its node).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentPresence {
    /// Agent pods exist: how many are ready, and their profiles (sorted).
    Installed { ready: usize, profiles: Vec<String> },
    /// No agent pods: not installed.
    Absent,
    /// Cannot tell (forbidden to list them, unreachable, not connected): why.
    Unknown(crate::kube::error::ApiError),
}

/// List the agent's pods once.
pub async fn presence(client: kube::Client) -> AgentPresence {
    let agents: Api<Pod> = Api::namespaced(client, NAMESPACE);
    match agents.list(&ListParams::default().labels(SELECTOR)).await {
        Ok(list) if list.items.is_empty() => AgentPresence::Absent,
        Ok(list) => {
            let mut profiles: Vec<String> = list.items.iter().map(profile_of).collect();
            profiles.sort();
            profiles.dedup();
            AgentPresence::Installed {
                ready: list.items.iter().filter(|p| ready(p)).count(),
                profiles,
            }
        }
        Err(kube::Error::Api(s)) if s.code == 404 => AgentPresence::Absent,
        Err(e) => AgentPresence::Unknown(e.into()),
    }
}

/// An agent pod's profile (`default` when unlabelled).
fn profile_of(pod: &Pod) -> String {
    pod.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(PROFILE_LABEL))
        .cloned()
        .unwrap_or_else(|| "default".into())
}

fn ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

fn list_error(e: kube::Error) -> String {
    match e {
        kube::Error::Api(s) if s.code == 403 => format!(
            "not allowed to list the agent's pods in {NAMESPACE} ({}): the agent serves only users who may exec into its pods (docs/security.md)",
            s.message
        ),
        other => format!("cannot list the agent's pods in {NAMESPACE}: {other}"),
    }
}

/// What the newest `Unhealthy` event of a readiness probe says (`Readiness probe failed: …`),
/// from the events of one pod, as the kubelet words them: its first line (the views draw
/// what a cluster sends with its control characters made visible).
pub fn probe_failure(events: &[k8s_openapi::api::core::v1::Event]) -> Option<String> {
    let when = |e: &k8s_openapi::api::core::v1::Event| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0)
            .or_else(|| e.event_time.as_ref().map(|t| t.0))
    };
    events
        .iter()
        .filter(|e| e.reason.as_deref() == Some("Unhealthy"))
        .filter(|e| {
            e.message
                .as_deref()
                .is_some_and(|m| m.starts_with("Readiness probe failed"))
        })
        .max_by_key(|e| when(e))
        .and_then(|e| e.message.as_deref())
        .and_then(|m| m.trim().lines().next())
        .map(str::to_string)
}

/// Why no agent pod on a node can take a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoAgent {
    #[error(
        "the kubedeck agent is not installed in this cluster (no pods labelled {SELECTOR} in {NAMESPACE}): `kubedeck agent install` installs it (docs/agent.md)"
    )]
    NotInstalled,
    #[error("no agent pod runs on node {0}: check the DaemonSet's tolerations and node selector")]
    NotOnNode(String),
    /// The agent pod on the node, and what its readiness probe said when it can be read.
    #[error("{}", not_ready(.pod, .node, .said.as_deref()))]
    NotReady {
        pod: String,
        node: String,
        said: Option<String>,
    },
    /// Its pods could not be listed (forbidden, unreachable): the words.
    #[error("{0}")]
    Unlisted(String),
}

fn not_ready(pod: &str, node: &str, said: Option<&str>) -> String {
    match said {
        // What the agent's readiness probe said is missing (kubedeck-agent ready).
        Some(said) => format!("the agent pod {pod} on node {node} is not ready: {said}"),
        None => format!("the agent pod on node {node} is not ready yet; retry in a moment"),
    }
}

/// Why the agent pod `name` is not ready, from its readiness probe's events (nothing when
/// they cannot be read: a user may exec without reading events).
async fn probe_failure_of(client: kube::Client, name: &str) -> Option<String> {
    let events: Api<k8s_openapi::api::core::v1::Event> = Api::namespaced(client, NAMESPACE);
    let fields = format!("involvedObject.kind=Pod,involvedObject.name={name}");
    let list = events
        .list(&ListParams::default().fields(&fields))
        .await
        .ok()?;
    probe_failure(&list.items)
}

/// The agent pod on `node`, running and ready.
pub async fn agent_pod_on(client: &kube::Client, node: &str) -> Result<String, NoAgent> {
    let agents: Api<Pod> = Api::namespaced(client.clone(), NAMESPACE);
    let on_node = agents
        .list(
            &ListParams::default()
                .labels(SELECTOR)
                .fields(&format!("spec.nodeName={node}")),
        )
        .await
        .map_err(|e| NoAgent::Unlisted(list_error(e)))?;
    if let Some(pod) = on_node.items.iter().find(|p| ready(p)) {
        return Ok(pod.metadata.name.clone().unwrap_or_default());
    }
    if let Some(pod) = on_node.items.first() {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let said = probe_failure_of(client.clone(), &name).await;
        return Err(NoAgent::NotReady {
            pod: name,
            node: node.to_string(),
            said,
        });
    }
    let anywhere = agents
        .list(&ListParams::default().labels(SELECTOR).limit(1))
        .await
        .map_err(|e| NoAgent::Unlisted(list_error(e)))?;
    Err(if anywhere.items.is_empty() {
        NoAgent::NotInstalled
    } else {
        NoAgent::NotOnNode(node.to_string())
    })
}

impl Backend for AgentSession {
    fn label(&self) -> String {
        format!("agent {}", self.target.label())
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        async move {
            let t = &self.target;
            let pods: Api<Pod> = Api::namespaced(t.client.clone(), &t.namespace);
            let pod = pods.get(&t.pod).await.map_err(|e| match e {
                kube::Error::Api(s) if s.code == 404 => {
                    refused(t, format!("pod {} not found", t.pod))
                }
                other => refused(t, other),
            })?;
            let (node, container_id) =
                node_and_container_id(&pod, &t.container).map_err(|why| refused(t, why))?;
            let agent = agent_pod_on(&t.client, &node)
                .await
                .map_err(|e| refused(t, e))?;
            // Who the apiserver says we are, for the agent's log (a cluster older than 1.28, or
            // a role without it, leaves what kubedeck knows).
            let requested_by = whoami(t.client.clone())
                .await
                .or_else(|| self.requested_by.clone());
            let _ = progress.send(format!(
                "joining {} through agent pod {agent} on node {node}",
                t.label()
            ));
            let exec = Exec {
                target: Target {
                    client: t.client.clone(),
                    namespace: NAMESPACE.to_string(),
                    pod: agent,
                    container: CONTAINER.to_string(),
                },
                command: Some(join_command(t, &container_id, requested_by.as_deref())),
            };
            Box::new(exec).connect(size, progress).await
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real node's agent events (ops/agent-events-readiness.json): the probe's own words,
    /// not the later "errored" one of a container being stopped.
    #[test]
    fn the_probe_failure_is_read_from_the_pods_events() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/real-cluster/ops/agent-events-readiness.json"
        );
        let list: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default())
                .unwrap_or_default();
        let events: Vec<k8s_openapi::api::core::v1::Event> =
            serde_json::from_value(list["items"].clone()).unwrap_or_default();
        assert!(!events.is_empty());
        assert_eq!(
            probe_failure(&events).as_deref(),
            Some(
                "Readiness probe failed: kubedeck-agent: cannot open /proc/1/ns/net: needs hostPID and privileges"
            )
        );
        assert_eq!(probe_failure(&events[..1]), None);
    }

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap_or_default()
    }

    #[test]
    fn the_node_and_id_come_from_the_pods_status() {
        let running = pod(serde_json::json!({
            "metadata": {"name": "web-1"}, "spec": {"nodeName": "node-3", "containers": []},
            "status": {"containerStatuses": [{"name": "app", "ready": true, "restartCount": 0, "image": "x", "imageID": "",
                "containerID": "containerd://abc", "state": {"running": {}}}]}}));
        assert_eq!(
            node_and_container_id(&running, "app"),
            Ok(("node-3".into(), "containerd://abc".into()))
        );
        assert!(node_and_container_id(&running, "sidecar").is_err());
        let waiting = pod(serde_json::json!({
            "metadata": {"name": "web-1"}, "spec": {"nodeName": "node-3", "containers": []},
            "status": {"containerStatuses": [{"name": "app", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}));
        assert!(
            node_and_container_id(&waiting, "app")
                .is_err_and(|e| matches!(e, NotJoinable::NotRunning { .. }))
        );
        let unscheduled =
            pod(serde_json::json!({"metadata": {"name": "web-1"}, "spec": {"containers": []}}));
        assert!(
            node_and_container_id(&unscheduled, "app")
                .is_err_and(|e| matches!(e, NotJoinable::NotScheduled(_)))
        );
    }
}
