//! Pods as a test puts them into the simulator's store, from one builder: running on
//! worker-01 with one container `app`, changed only where a test needs it.

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

/// A pod being built.
#[derive(Clone)]
pub struct TestPod {
    namespace: String,
    name: String,
    image: String,
    containers: Vec<String>,
    labels: Value,
    node: String,
    ip: Option<String>,
    started: Timestamp,
    ready: bool,
    container_id: Option<String>,
    logs: Option<String>,
    resources: Option<Value>,
    owner: Option<String>,
    ports: Vec<(String, u16)>,
}

/// `namespace/name`: Running for a minute on worker-01, one ready container `app` (busybox),
/// labelled `app=NAME`, IP 10.9.9.9.
pub fn pod(namespace: &str, name: &str) -> TestPod {
    TestPod {
        namespace: namespace.into(),
        name: name.into(),
        image: "busybox".into(),
        containers: vec!["app".into()],
        labels: json!({ "app": name }),
        node: "worker-01".into(),
        ip: Some("10.9.9.9".into()),
        started: Timestamp::now() - SignedDuration::from_secs(60),
        ready: false,
        container_id: None,
        logs: None,
        resources: None,
        owner: None,
        ports: Vec::new(),
    }
}

impl TestPod {
    pub fn image(mut self, image: &str) -> Self {
        self.image = image.into();
        self
    }

    pub fn containers(mut self, names: &[&str]) -> Self {
        self.containers = names.iter().map(ToString::to_string).collect();
        self
    }

    /// Its first container declares (and so listens on) the named TCP port.
    pub fn port(mut self, name: &str, port: u16) -> Self {
        self.ports.push((name.into(), port));
        self
    }

    /// Labelled `app=APP` (the default is the pod's name).
    pub fn app(mut self, app: &str) -> Self {
        self.labels = json!({ "app": app });
        self
    }

    pub fn no_labels(mut self) -> Self {
        self.labels = json!({});
        self
    }

    pub fn node(mut self, node: &str) -> Self {
        self.node = node.into();
        self
    }

    pub fn no_ip(mut self) -> Self {
        self.ip = None;
        self
    }

    pub fn started_secs_ago(mut self, secs: i64) -> Self {
        self.started = Timestamp::now() - SignedDuration::from_secs(secs);
        self
    }

    /// With a `Ready: True` condition (what a Service's endpoints and the agent look for).
    pub fn ready(mut self) -> Self {
        self.ready = true;
        self
    }

    /// Its container's runtime ID (`containerd://…`).
    pub fn container_id(mut self, id: &str) -> Self {
        self.container_id = Some(id.into());
        self
    }

    /// The simulator's log style for its containers (`task`, `json`, `hostile`…).
    pub fn logs(mut self, style: &str) -> Self {
        self.logs = Some(style.into());
        self
    }

    /// Requests of 100m CPU and `memory`, and the same limits when `limits`.
    pub fn memory(mut self, memory: &str, limits: bool) -> Self {
        let mut resources = json!({"requests": {"cpu": "100m", "memory": memory}});
        if limits {
            resources["limits"] = json!({"cpu": "100m", "memory": memory});
        }
        self.resources = Some(resources);
        self
    }

    /// Controlled by an owner of `kind` (named `owner`).
    pub fn owned_by(mut self, kind: &str) -> Self {
        self.owner = Some(kind.into());
        self
    }

    pub fn json(self) -> Value {
        let started = self.started.to_string();
        let ports: Vec<Value> = self
            .ports
            .iter()
            .map(|(name, port)| json!({"name": name, "containerPort": port, "protocol": "TCP"}))
            .collect();
        let specs: Vec<Value> = self
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut spec = json!({"name": c, "image": self.image});
                if let Some(r) = &self.resources {
                    spec["resources"] = r.clone();
                }
                if i == 0 && !ports.is_empty() {
                    spec["ports"] = json!(ports);
                }
                spec
            })
            .collect();
        let statuses: Vec<Value> = self
            .containers
            .iter()
            .map(|c| {
                let mut status = json!({"name": c, "ready": true, "restartCount": 0,
                    "image": self.image, "imageID": "",
                    "state": {"running": {"startedAt": started}}});
                if let Some(id) = &self.container_id {
                    status["containerID"] = json!(id);
                }
                status
            })
            .collect();
        let mut pod = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": self.name, "namespace": self.namespace,
                         "uid": format!("uid-{}", self.name),
                         "creationTimestamp": started, "labels": self.labels},
            "spec": {"containers": specs, "nodeName": self.node},
            "status": {"phase": "Running", "containerStatuses": statuses}
        });
        if let Some(ip) = self.ip {
            pod["status"]["podIP"] = json!(ip);
        }
        if self.ready {
            pod["status"]["conditions"] = json!([{"type": "Ready", "status": "True"}]);
        }
        if let Some(style) = self.logs {
            pod["metadata"]["annotations"] = json!({ "sim.kubedeck.dev/logs": style });
        }
        if let Some(kind) = self.owner {
            pod["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": kind,
                "name": "owner", "uid": "owner-uid", "controller": true}]);
        }
        pod
    }
}
