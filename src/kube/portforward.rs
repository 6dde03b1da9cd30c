//! Port-forwards: a local port (on 127.0.0.1 only) whose every connection is carried to a port
//! of a pod through the apiserver (kube-rs's `portforward`, one stream per connection). A
//! forward to a Service picks, for each new connection, a running and ready pod its selector
//! picks now, so it survives the pod being replaced behind the Service. Each forward reports
//! where it listens, its connections (open and total) and its last error.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use tokio::net::TcpListener;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use super::credentials::ClientHandle;
use super::object_ref::ObjectRef;

pub type ForwardId = u32;

/// What to forward to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardTarget {
    Pod(ObjectRef),
    /// A Service (or a workload): the pods its selector (`app=web`) picks, in its namespace.
    Selected {
        object: ObjectRef,
        selector: String,
    },
}

impl ForwardTarget {
    pub fn object(&self) -> &ObjectRef {
        match self {
            Self::Pod(o) | Self::Selected { object: o, .. } => o,
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
    /// Connections open now and in all, and the pod the last one went to.
    Connections {
        id: ForwardId,
        open: u64,
        total: u64,
        pod: String,
    },
    Error(ForwardId, String),
    /// It cannot go on (the local port is taken): stopped.
    Stopped(ForwardId, String),
}

fn ready(pod: &Pod) -> bool {
    let status = pod.status.as_ref();
    status.and_then(|s| s.phase.as_deref()) == Some("Running")
        && pod.metadata.deletion_timestamp.is_none()
        && status
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|c| c.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// Why a connection found no pod to go to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickError {
    #[error("{0}")]
    Api(#[from] super::error::ApiError),
    #[error("no running, ready pod behind {object} ({selector})")]
    NoReadyPod { object: String, selector: String },
}

/// The pod a new connection goes to.
async fn pick_pod(client: kube::Client, target: &ForwardTarget) -> Result<String, PickError> {
    match target {
        ForwardTarget::Pod(p) => Ok(p.name.clone()),
        ForwardTarget::Selected { object, selector } => {
            let pods: Api<Pod> = Api::namespaced(client, &object.namespace);
            let list = pods
                .list(&ListParams::default().labels(selector))
                .await
                .map_err(super::error::ApiError::from)?;
            list.items
                .iter()
                .find(|p| ready(p))
                .and_then(|p| p.metadata.name.clone())
                .ok_or_else(|| PickError::NoReadyPod {
                    object: object.label(),
                    selector: selector.clone(),
                })
        }
    }
}

/// Start a forward; it runs until the handle is aborted (or the local port cannot be had).
pub fn spawn(
    clients: ClientHandle,
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
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                continue;
            };
            let (clients, spec, tx) = (clients.clone(), spec.clone(), tx.clone());
            let (open, total) = (open.clone(), total.clone());
            tokio::spawn(async move {
                let client = clients.client();
                let pod = match pick_pod(client.clone(), &spec.target).await {
                    Ok(p) => p,
                    Err(why) => {
                        let _ = tx.send(ForwardReport::Error(spec.id, why.to_string()));
                        return;
                    }
                };
                let report = |tx: &UnboundedSender<ForwardReport>| {
                    let _ = tx.send(ForwardReport::Connections {
                        id: spec.id,
                        open: open.load(Ordering::Relaxed),
                        total: total.load(Ordering::Relaxed),
                        pod: pod.clone(),
                    });
                };
                open.fetch_add(1, Ordering::Relaxed);
                total.fetch_add(1, Ordering::Relaxed);
                report(&tx);
                let ns = &spec.target.object().namespace;
                let pods: Api<Pod> = Api::namespaced(client, ns);
                let result = match pods.portforward(&pod, &[spec.remote_port]).await {
                    Ok(mut pf) => match pf.take_stream(spec.remote_port) {
                        Some(mut upstream) => {
                            tokio::io::copy_bidirectional(&mut socket, &mut upstream)
                                .await
                                .map(|_| ())
                                .map_err(|e| format!("connection to {pod}: {e}"))
                        }
                        None => Err(format!("no stream for port {}", spec.remote_port)),
                    },
                    Err(e) => Err(format!(
                        "{pod}:{}: {}",
                        spec.remote_port,
                        super::error::ApiError::from(e)
                    )),
                };
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
}
