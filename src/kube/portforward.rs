//! Port-forwards: a local port (on 127.0.0.1 only) whose every connection is carried to a port
//! of a pod through the apiserver (kube-rs's `portforward`, one stream per connection). A
//! forward to a Service or a workload picks, for each new connection, a running and ready pod
//! its selector picks now, so it survives the pod being replaced behind it. A Service's port is
//! resolved as kubectl resolves it: to its `targetPort`, a number or a name looked up in the
//! picked pod's container ports. Each forward reports where it listens, its connections (open
//! and total, and where the last one went) and why the last one failed (the kubelet's own words
//! from the error channel, when nothing listens on the pod's port). Stopping a forward closes
//! its open connections too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::{Api, ListParams};
use tokio::net::TcpListener;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::backoff::PathSignal;
use super::credentials::ClientHandle;
use super::error::ApiError;
use super::object_ref::ObjectRef;

pub type ForwardId = u32;

/// What to forward to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardTarget {
    Pod(ObjectRef),
    /// A Service: the pods its selector (`app=web`) picks; the port asked for is one of the
    /// Service's ports, carried to its `targetPort`.
    Service {
        object: ObjectRef,
        selector: String,
    },
    /// A workload: the pods its selector picks, in its namespace; the port is the pod's own.
    Selected {
        object: ObjectRef,
        selector: String,
    },
}

impl ForwardTarget {
    pub fn object(&self) -> &ObjectRef {
        match self {
            Self::Pod(o) | Self::Service { object: o, .. } | Self::Selected { object: o, .. } => o,
        }
    }

    fn selector(&self) -> Option<&str> {
        match self {
            Self::Pod(_) => None,
            Self::Service { selector, .. } | Self::Selected { selector, .. } => Some(selector),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardSpec {
    pub id: ForwardId,
    pub target: ForwardTarget,
    /// 0: any free port.
    pub local_port: u16,
    pub remote_port: u16,
}

/// What a forward's task says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardReport {
    Listening(ForwardId, SocketAddr),
    /// Connections open now and in all, and the pod and port the last one went to.
    Connections {
        id: ForwardId,
        open: u64,
        total: u64,
        pod: String,
        port: u16,
    },
    Error(ForwardId, ForwardError),
    /// It cannot go on (the local port is taken): stopped.
    Stopped(ForwardId, String),
}

/// Why one connection through a forward failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ForwardError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("no running, ready pod behind {object} ({selector})")]
    NoReadyPod { object: String, selector: String },
    /// kubectl's words: `Service app does not have a service port 81`.
    #[error("Service {service} does not have a service port {port}")]
    NoServicePort { service: String, port: u16 },
    /// kubectl's words, for a named `targetPort` the pod does not declare.
    #[error("Pod '{pod}' does not have a named port '{name}'")]
    NoNamedPort { pod: String, name: String },
    /// What the kubelet wrote on the port's error channel (nothing listens there, typically).
    #[error("{pod}:{port}: {message}")]
    Refused {
        pod: String,
        port: u16,
        message: String,
    },
    /// The cluster's connection went silent: the forwarded connection is closed, not frozen.
    #[error("{pod}:{port}: {}", super::liveness::SILENT)]
    Lost { pod: String, port: u16 },
    #[error("connection to {pod}:{port}: {error}")]
    Io {
        pod: String,
        port: u16,
        error: String,
    },
}

fn ready(pod: &Pod) -> bool {
    let status = pod.status.as_ref();
    status.and_then(|s| s.phase.as_deref()) == Some("Running")
        && pod.metadata.deletion_timestamp.is_none()
        && status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The pod a new connection goes to (its name, and the pod itself when it was listed).
async fn pick_pod(
    client: kube::Client,
    target: &ForwardTarget,
) -> Result<(String, Option<Pod>), ForwardError> {
    let Some(selector) = target.selector() else {
        return Ok((target.object().name.clone(), None));
    };
    let object = target.object();
    let pods: Api<Pod> = Api::namespaced(client, &object.namespace);
    let list = pods
        .list(&ListParams::default().labels(selector))
        .await
        .map_err(ApiError::from)?;
    list.items
        .into_iter()
        .find(ready)
        .and_then(|p| Some((p.metadata.name.clone()?, Some(p))))
        .ok_or_else(|| ForwardError::NoReadyPod {
            object: object.label(),
            selector: selector.to_string(),
        })
}

/// The pod's port a Service's `port` is carried to, as kubectl resolves it
/// (`LookupContainerPortNumberByServicePort`): the matching Service port's `targetPort`, a
/// number (0 or absent: the port itself), or a name looked up in the pod's container ports; a
/// headless Service's port is the pod's.
pub fn service_target_port(service: &Service, pod: &Pod, port: u16) -> Result<u16, ForwardError> {
    let name = service.metadata.name.clone().unwrap_or_default();
    let spec = service.spec.as_ref();
    let entry = spec
        .and_then(|s| s.ports.as_ref())
        .and_then(|ports| ports.iter().find(|p| p.port == i32::from(port)))
        .ok_or_else(|| ForwardError::NoServicePort {
            service: name.clone(),
            port,
        })?;
    if spec.and_then(|s| s.cluster_ip.as_deref()) == Some("None") {
        return Ok(port);
    }
    match &entry.target_port {
        None => Ok(port),
        Some(IntOrString::Int(0)) => Ok(port),
        Some(IntOrString::Int(n)) => u16::try_from(*n).map_err(|_| ForwardError::NoServicePort {
            service: name,
            port,
        }),
        Some(IntOrString::String(named)) => named_port(pod, named),
    }
}

/// A named container port of the pod (kubectl's `LookupContainerPortNumberByName`).
fn named_port(pod: &Pod, name: &str) -> Result<u16, ForwardError> {
    pod.spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .flat_map(|c| c.ports.iter().flatten())
        .find(|p| p.name.as_deref() == Some(name))
        .and_then(|p| u16::try_from(p.container_port).ok())
        .ok_or_else(|| ForwardError::NoNamedPort {
            pod: pod.metadata.name.clone().unwrap_or_default(),
            name: name.to_string(),
        })
}

/// Where a new connection goes: a pod, and the port on it.
async fn destination(
    client: kube::Client,
    spec: &ForwardSpec,
) -> Result<(String, u16), ForwardError> {
    let (pod_name, pod) = pick_pod(client.clone(), &spec.target).await?;
    let ForwardTarget::Service { object, .. } = &spec.target else {
        return Ok((pod_name, spec.remote_port));
    };
    let services: Api<Service> = Api::namespaced(client, &object.namespace);
    let service = services.get(&object.name).await.map_err(ApiError::from)?;
    let pod = pod.unwrap_or_default();
    Ok((
        pod_name,
        service_target_port(&service, &pod, spec.remote_port)?,
    ))
}

/// How long a finished connection waits for the kubelet's word on its error channel.
const ERROR_GRACE: Duration = Duration::from_secs(1);

/// Carry one accepted connection to its pod; `Err` says why it failed. A silent cluster
/// connection (`path`) ends it as lost.
async fn carry(
    client: kube::Client,
    spec: &ForwardSpec,
    pod: &str,
    port: u16,
    socket: &mut tokio::net::TcpStream,
    path: &mut PathSignal,
) -> Result<(), ForwardError> {
    let lost = || ForwardError::Lost {
        pod: pod.to_string(),
        port,
    };
    let ns = &spec.target.object().namespace;
    let pods: Api<Pod> = Api::namespaced(client, ns);
    let ports = [port];
    let mut pf = tokio::select! {
        pf = pods.portforward(pod, &ports) => pf.map_err(ApiError::from)?,
        () = super::on_path::silent(path) => return Err(lost()),
    };
    let io = |error: String| ForwardError::Io {
        pod: pod.to_string(),
        port,
        error,
    };
    let errors = pf.take_error(port);
    let mut upstream = pf
        .take_stream(port)
        .ok_or_else(|| io("no stream for the port".into()))?;
    let copied = tokio::select! {
        copied = tokio::io::copy_bidirectional(socket, &mut upstream) => copied,
        () = super::on_path::silent(path) => {
            pf.abort();
            return Err(lost());
        }
    };
    // The kubelet's refusal ("connection refused" inside the pod) comes on the error channel
    // and closes the stream: a connection that ended is asked for it, briefly.
    let refused = match errors {
        Some(e) => tokio::time::timeout(ERROR_GRACE, e).await.ok().flatten(),
        None => None,
    };
    pf.abort();
    if let Some(message) = refused {
        return Err(ForwardError::Refused {
            pod: pod.to_string(),
            port,
            message: message.trim().to_string(),
        });
    }
    copied.map(|_| ()).map_err(|e| io(e.to_string()))
}

/// Start a forward; it runs until the handle is aborted (or the local port cannot be had).
/// Its connections close, saying so, when the cluster's `path` goes silent.
pub fn spawn(
    clients: ClientHandle,
    path: PathSignal,
    spec: ForwardSpec,
    tx: UnboundedSender<ForwardReport>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let id = spec.id;
        let listener =
            match TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], spec.local_port))).await {
                Ok(l) => l,
                Err(e) => {
                    let why = format!("cannot listen on 127.0.0.1:{}: {e}", spec.local_port);
                    let _ = tx.send(ForwardReport::Stopped(id, why));
                    return;
                }
            };
        if let Ok(addr) = listener.local_addr() {
            let _ = tx.send(ForwardReport::Listening(id, addr));
        }
        let open = Arc::new(AtomicU64::new(0));
        let total = Arc::new(AtomicU64::new(0));
        let spec = Arc::new(spec);
        // The connections are this task's: stopping the forward (aborting it) drops the set,
        // which aborts every open connection, as kubectl's Ctrl-C does.
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                Some(_) = connections.join_next() => continue,
            };
            let Ok((mut socket, _)) = accepted else {
                continue;
            };
            // As kubectl's: a small write (a database's reply in two parts) goes out at once,
            // not after the local client's delayed ACK (40 ms on Linux).
            let _ = socket.set_nodelay(true);
            let (clients, spec, tx) = (clients.clone(), spec.clone(), tx.clone());
            let (open, total) = (open.clone(), total.clone());
            let mut path = path.fresh();
            connections.spawn(async move {
                let client = clients.client();
                let (pod, port) = match destination(client.clone(), &spec).await {
                    Ok(d) => d,
                    Err(why) => {
                        let _ = tx.send(ForwardReport::Error(spec.id, why));
                        return;
                    }
                };
                let report = |tx: &UnboundedSender<ForwardReport>| {
                    let _ = tx.send(ForwardReport::Connections {
                        id: spec.id,
                        open: open.load(Ordering::Relaxed),
                        total: total.load(Ordering::Relaxed),
                        pod: pod.clone(),
                        port,
                    });
                };
                open.fetch_add(1, Ordering::Relaxed);
                total.fetch_add(1, Ordering::Relaxed);
                report(&tx);
                let result = carry(client, &spec, &pod, port, &mut socket, &mut path).await;
                open.fetch_sub(1, Ordering::Relaxed);
                report(&tx);
                if let Err(why) = result {
                    let _ = tx.send(ForwardReport::Error(spec.id, why));
                }
            });
        }
    })
}

/// `8080:80`, `:80` or `80` (the same port locally; `0:80` any free one).
/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
pub fn parse_ports(text: &str) -> Result<(u16, u16), String> {
    let port = |p: &str| {
        p.trim()
            .parse::<u16>()
            .map_err(|_| format!("not a port: {p:?} (LOCAL:REMOTE, or REMOTE)"))
    };
    match text.split_once(':') {
        Some((local, remote)) => {
            let remote = port(remote)?;
            let local = if local.trim().is_empty() {
                0
            } else {
                port(local)?
            };
            (remote > 0)
                .then_some((local, remote))
                .ok_or_else(|| "the remote port cannot be 0".into())
        }
        None => {
            let p = port(text)?;
            (p > 0)
                .then_some((p, p))
                .ok_or_else(|| "the port cannot be 0".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_as_kubectl_takes_them() {
        assert_eq!(parse_ports("8080:80"), Ok((8080, 80)));
        assert_eq!(parse_ports("5432"), Ok((5432, 5432)));
        assert_eq!(parse_ports(":80"), Ok((0, 80)));
        assert!(parse_ports("x:80").is_err() && parse_ports("80:0").is_err());
    }

    fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> Vec<T> {
        let path = format!(
            "{}/tests/fixtures/real-cluster/ops/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let list: serde_json::Value = serde_json::from_str(&text).unwrap();
        serde_json::from_value(list["items"].clone()).unwrap()
    }

    /// The real cluster's Services `app` (80 -> 8080) and `app-named` (80 -> `http`, the pods'
    /// named port 8080): kubectl forwarded `svc/app-named 18090:80` to 8080
    /// (portforward-named.kubectl.txt).
    #[test]
    fn a_service_port_is_carried_to_its_target_port_as_kubectl_does() {
        let services: Vec<Service> = fixture("services-targetport.json");
        let pods: Vec<Pod> = fixture("pods-app.json");
        let svc = |name: &str| {
            services
                .iter()
                .find(|s| s.metadata.name.as_deref() == Some(name))
                .unwrap()
        };
        let pod = &pods[0];
        assert_eq!(service_target_port(svc("app"), pod, 80), Ok(8080));
        assert_eq!(service_target_port(svc("app-named"), pod, 80), Ok(8080));
        assert_eq!(
            service_target_port(svc("app"), pod, 8080)
                .unwrap_err()
                .to_string(),
            "Service app does not have a service port 8080"
        );
        let mut unnamed = pod.clone();
        if let Some(spec) = unnamed.spec.as_mut() {
            spec.containers.iter_mut().for_each(|c| c.ports = None);
        }
        let pod_name = unnamed.metadata.name.clone().unwrap();
        assert_eq!(
            service_target_port(svc("app-named"), &unnamed, 80)
                .unwrap_err()
                .to_string(),
            format!("Pod '{pod_name}' does not have a named port 'http'")
        );
        // No targetPort, or a headless Service: the port itself.
        let mut plain = svc("app").clone();
        if let Some(p) = plain.spec.as_mut().and_then(|s| s.ports.as_mut()) {
            p[0].target_port = None;
        }
        assert_eq!(service_target_port(&plain, pod, 80), Ok(80));
        let mut headless = svc("app").clone();
        if let Some(s) = headless.spec.as_mut() {
            s.cluster_ip = Some("None".into());
        }
        assert_eq!(service_target_port(&headless, pod, 80), Ok(80));
    }
}
