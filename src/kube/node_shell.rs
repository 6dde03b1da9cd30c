//! Node shells: a shell on a node itself. Through the node's kubedeck agent when it has one
//! (`kubedeck-agent host`: the node init's mount, network, PID, IPC and UTS namespaces, an
//! exec into the agent pod that the apiserver authorises and the agent logs); otherwise as
//! `kubectl debug node` does it, with a pod on the node sharing its namespaces and the node's
//! root at /host.
//!
//! That pod is privileged, so it must not outlive the shell (k9s leaves them behind when the
//! connection drops, derailed/k9s#978): it is deleted when the shell ends or its pane closes,
//! and on every way kubedeck leaves (quit, SIGHUP, SIGTERM, a vanished terminal, a panic:
//! [`reap_blocking`]). A pod left by a kubedeck that was killed outright is removed at the
//! next start ([`sweep`]): each carries this user's instance label and its owner's host and PID.

use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use tokio::sync::{mpsc, oneshot};

use super::agent::{CONTAINER as AGENT_CONTAINER, NAMESPACE as AGENT_NAMESPACE, agent_pod_on};
use super::exec::{Exec, Target};
use crate::pty::{Backend, Connection, Progress, SessionError, Size};

/// Every node-shell pod carries this label (value `true`).
pub const SHELL_LABEL: &str = "kubedeck.dev/node-shell";
/// The kubedeck instance (one per user's data directory) that made it.
pub const INSTANCE_LABEL: &str = "kubedeck.dev/instance";
/// `HOST/PID` of the kubedeck process that made it.
pub const OWNER_ANNOTATION: &str = "kubedeck.dev/owner";
/// The pod's one container.
pub const CONTAINER: &str = "debugger";
/// How long the pod may take to run (an image pull included).
const START: Duration = Duration::from_secs(120);

/// Who kubedeck is here: the instance (kept in the data directory) and this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    pub id: String,
    pub host: String,
    pub pid: u32,
}

impl Instance {
    /// The instance kept in `data_dir/instance` (made, 0600, on first use), this host and PID.
    /// Without a data directory the instance is this process alone.
    pub fn load(data_dir: Option<&std::path::Path>) -> Self {
        let pid = std::process::id();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| label_safe(h.trim()))
            .unwrap_or_else(|_| "unknown".into());
        let fresh = || {
            let mut bytes = [0u8; 8];
            let random = std::fs::File::open("/dev/urandom")
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes));
            if random.is_err() {
                bytes =
                    (u64::from(pid) ^ jiff::Timestamp::now().as_nanosecond() as u64).to_be_bytes();
            }
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let id = data_dir
            .and_then(|dir| {
                let path = dir.join("instance");
                let kept = std::fs::read_to_string(&path)
                    .ok()
                    .map(|t| t.trim().to_string())
                    .filter(|t| t.len() == 16 && t.bytes().all(|b| b.is_ascii_hexdigit()));
                kept.or_else(|| {
                    let id = fresh();
                    write_private(dir, &path, &id).ok()?;
                    Some(id)
                })
            })
            .unwrap_or_else(fresh);
        Self { id, host, pid }
    }

    fn owner(&self) -> String {
        format!("{}/{}", self.host, self.pid)
    }
}

fn write_private(dir: &std::path::Path, path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(text.as_bytes())
}

/// A label value's characters only (a hostname may hold others), at most 63.
fn label_safe(text: &str) -> String {
    let s: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(63)
        .collect();
    s.trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string()
}

/// The pod `kubectl debug node/NODE -it --image IMAGE --profile sysadmin` makes: on the node,
/// in its network, PID and IPC namespaces, privileged, the node's root at /host, tolerating
/// every taint; labelled as kubedeck's.
pub fn debug_pod(node: &str, image: &str, instance: &Instance) -> Pod {
    let prefix: String = format!("node-debugger-{}", label_safe(node))
        .chars()
        .take(50)
        .collect();
    let value = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": format!("{}-", prefix.trim_end_matches(['-', '.'])),
            "labels": {
                SHELL_LABEL: "true",
                INSTANCE_LABEL: instance.id,
                "app.kubernetes.io/managed-by": "kubedeck",
            },
            "annotations": { OWNER_ANNOTATION: instance.owner() },
        },
        "spec": {
            "nodeName": node,
            "hostIPC": true,
            "hostNetwork": true,
            "hostPID": true,
            "restartPolicy": "Never",
            "terminationGracePeriodSeconds": 0,
            "tolerations": [{"operator": "Exists"}],
            "containers": [{
                "name": CONTAINER,
                "image": image,
                "stdin": true,
                "tty": true,
                "securityContext": {"privileged": true},
                "volumeMounts": [{"name": "host-root", "mountPath": "/host"}],
            }],
            "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}],
        },
    });
    serde_json::from_value(value).unwrap_or_default()
}

/// Whether `pod` is a node-shell pod this user's kubedeck left behind: our instance, made on
/// this host by a process that is gone (`alive` says whether a PID still runs kubedeck).
pub fn is_leftover(pod: &Pod, instance: &Instance, alive: impl Fn(u32) -> bool) -> bool {
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    if labels.get(SHELL_LABEL).map(String::as_str) != Some("true")
        || labels.get(INSTANCE_LABEL) != Some(&instance.id)
    {
        return false;
    }
    let owner = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(OWNER_ANNOTATION))
        .and_then(|o| o.rsplit_once('/'))
        .and_then(|(host, pid)| Some((host.to_string(), pid.parse::<u32>().ok()?)));
    match owner {
        Some((host, pid)) if host == instance.host => pid != instance.pid && !alive(pid),
        // Another host's (a shared home directory): not ours to judge.
        Some(_) => false,
        None => true,
    }
}

/// Whether a kubedeck process runs as `pid` on this host (a zombie, killed and not yet
/// reaped, does not count).
pub fn kubedeck_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `PID (COMM) STATE ...`: the name may hold spaces and parentheses, so split at the last.
    let Some((head, tail)) = stat.rsplit_once(')') else {
        return false;
    };
    let comm = head.split_once('(').map_or("", |(_, c)| c);
    let state = tail.split_whitespace().next().unwrap_or("");
    comm.starts_with("kubedeck") && !matches!(state, "Z" | "X")
}

/// Node-shell pods placed and not yet deleted, for every way out.
struct Placed {
    client: Client,
    namespace: String,
    name: String,
}

fn placed() -> &'static Mutex<Vec<Placed>> {
    static PLACED: OnceLock<Mutex<Vec<Placed>>> = OnceLock::new();
    PLACED.get_or_init(|| Mutex::new(Vec::new()))
}

fn lock() -> std::sync::MutexGuard<'static, Vec<Placed>> {
    placed().lock().unwrap_or_else(|e| e.into_inner())
}

async fn delete(client: Client, namespace: &str, name: &str) -> bool {
    let pods: Api<Pod> = Api::namespaced(client, namespace);
    let now = DeleteParams {
        grace_period_seconds: Some(0),
        ..DeleteParams::default()
    };
    match pods.delete(name, &now).await {
        Ok(_) => true,
        Err(kube::Error::Api(s)) => s.code == 404,
        Err(_) => false,
    }
}

/// Delete every node-shell pod still placed, waiting at most `within`; returns how many were
/// deleted. Safe from a panic hook and after the async runtime has stopped: it runs on a
/// thread of its own with a runtime of its own.
pub fn reap_blocking(within: Duration) -> usize {
    let pods: Vec<Placed> = std::mem::take(&mut *lock());
    if pods.is_empty() {
        return 0;
    }
    let worker = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return 0;
        };
        rt.block_on(async move {
            let all = futures::future::join_all(
                pods.into_iter()
                    .map(|p| async move { delete(p.client, &p.namespace, &p.name).await }),
            );
            match tokio::time::timeout(within, all).await {
                Ok(done) => done.into_iter().filter(|d| *d).count(),
                Err(_) => 0,
            }
        })
    });
    worker.join().unwrap_or(0)
}

/// Delete this user's leftover node-shell pods in `namespace` (a kubedeck killed outright left
/// them). Returns their names.
pub async fn sweep(
    client: Client,
    namespace: &str,
    instance: &Instance,
) -> Result<Vec<String>, super::error::ApiError> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let selector = format!("{SHELL_LABEL}=true,{INSTANCE_LABEL}={}", instance.id);
    let list = pods.list(&ListParams::default().labels(&selector)).await?;
    let mut removed = Vec::new();
    for pod in list.items {
        if !is_leftover(&pod, instance, kubedeck_alive) {
            continue;
        }
        let name = pod.metadata.name.clone().unwrap_or_default();
        if delete(client.clone(), namespace, &name).await {
            removed.push(name);
        }
    }
    Ok(removed)
}

/// Deletes its pod when dropped (the shell ended, its pane closed, or connecting stopped).
struct PodGuard {
    client: Client,
    namespace: String,
    name: String,
}

impl PodGuard {
    fn place(client: &Client, namespace: &str, name: &str) -> Self {
        lock().push(Placed {
            client: client.clone(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        });
        Self {
            client: client.clone(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }
}

impl Drop for PodGuard {
    fn drop(&mut self) {
        let (client, namespace, name) = (
            self.client.clone(),
            self.namespace.clone(),
            self.name.clone(),
        );
        // Without a runtime (kubedeck is leaving) the exit path's reap deletes it.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if delete(client, &namespace, &name).await {
                    lock().retain(|p| !(p.namespace == namespace && p.name == name));
                }
            });
        }
    }
}

/// A shell on `node`.
pub struct NodeShell {
    pub client: Client,
    pub node: String,
    /// Where the debug pod goes when there is no agent.
    pub namespace: String,
    pub image: String,
    pub instance: Instance,
    pub requested_by: Option<String>,
}

impl NodeShell {
    async fn through_agent(
        &self,
        agent: String,
        size: Size,
        progress: Progress,
    ) -> Result<Connection, SessionError> {
        let who = super::agent::whoami(self.client.clone())
            .await
            .or_else(|| self.requested_by.clone());
        let _ = progress.send(format!(
            "a shell on node {} through agent pod {agent}",
            self.node
        ));
        let exec = Exec {
            target: Target {
                client: self.client.clone(),
                namespace: AGENT_NAMESPACE.to_string(),
                pod: agent.clone(),
                container: AGENT_CONTAINER.to_string(),
            },
            command: Some(kubedeck_agent::contract::host_argv(
                &self.node,
                who.as_deref(),
            )),
        };
        let mut conn = Box::new(exec).connect(size, progress).await?;
        conn.via = Some(format!("agent pod {agent}"));
        Ok(conn)
    }

    async fn through_pod(
        &self,
        why: String,
        size: Size,
        progress: Progress,
    ) -> Result<Connection, SessionError> {
        let refused = |what: String| SessionError::Refused(format!("node {}: {what}", self.node));
        let _ = progress.send(format!(
            "{why}; starting a debug pod on node {} as kubectl debug node does",
            self.node
        ));
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), &self.namespace);
        let pod = debug_pod(&self.node, &self.image, &self.instance);
        let created = pods
            .create(&PostParams::default(), &pod)
            .await
            .map_err(|e| match &e {
                kube::Error::Api(s)
                    if s.code == 403
                        && let Some(r) = super::pod_security::refusal(&s.message) =>
                {
                    refused(super::pod_security::advice_for_node_shell(
                        &self.namespace,
                        &r,
                    ))
                }
                _ => refused(format!(
                    "cannot create a debug pod in {}: {}",
                    self.namespace,
                    super::error::ApiError::from(e)
                )),
            })?;
        let name = created.metadata.name.clone().unwrap_or_default();
        // From here on the pod is deleted whatever happens.
        let guard = PodGuard::place(&self.client, &self.namespace, &name);
        let _ = progress.send(format!("waiting for pod {name} on node {}", self.node));
        let running = tokio::time::timeout(START, wait_running(&pods, &name, &progress)).await;
        match running {
            Ok(Ok(())) => {}
            Ok(Err(why)) => return Err(refused(why)),
            Err(_) => {
                return Err(refused(format!(
                    "pod {name} did not run within {} s; it is deleted",
                    START.as_secs()
                )));
            }
        }
        let exec = Exec {
            target: Target {
                client: self.client.clone(),
                namespace: self.namespace.clone(),
                pod: name.clone(),
                container: CONTAINER.to_string(),
            },
            command: None,
        };
        let conn = Box::new(exec).connect(size, progress).await?;
        let banner = format!(
            "kubedeck: on node {} through debug pod {}/{name}\r\n({why}).\r\nThe node's files are at /host (chroot /host for its tools).\r\nThe pod is deleted when this shell ends.\r\n",
            self.node, self.namespace
        );
        let mut conn = guarded(conn, guard, banner);
        conn.via = Some(format!("debug pod {name}"));
        Ok(conn)
    }
}

/// Wait until `name` runs; an end or a failure to start is the error, in the kubelet's words.
async fn wait_running(pods: &Api<Pod>, name: &str, progress: &Progress) -> Result<(), String> {
    let mut said = String::new();
    loop {
        let pod = pods
            .get(name)
            .await
            .map_err(|e| format!("pod {name}: {}", super::error::ApiError::from(e)))?;
        let status = pod.status.unwrap_or_default();
        let phase = status.phase.unwrap_or_default();
        let waiting = status
            .container_statuses
            .unwrap_or_default()
            .into_iter()
            .find_map(|c| c.state?.waiting)
            .map(|w| {
                let reason = w.reason.unwrap_or_default();
                match w.message {
                    Some(m) => format!("{reason}: {m}"),
                    None => reason,
                }
            });
        match (phase.as_str(), waiting) {
            ("Running", _) => return Ok(()),
            ("Failed" | "Succeeded", _) => {
                return Err(format!(
                    "pod {name} ended ({phase}) before the shell; it is deleted"
                ));
            }
            (_, Some(w)) if w.starts_with("ErrImagePull") || w.starts_with("ImagePullBackOff") => {
                return Err(format!("pod {name} cannot start: {w}"));
            }
            (_, waiting) => {
                let now = waiting.unwrap_or(phase);
                if now != said && !now.is_empty() {
                    let _ = progress.send(format!("pod {name}: {now}"));
                    said = now;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// `conn` with `banner` said first, and `guard` dropped (its pod deleted) when the shell ends:
/// it exits, or its pane is closed (the session lets go of the input; deleting the pod then
/// ends the shell, as a closed exec would not).
fn guarded(conn: Connection, guard: PodGuard, banner: String) -> Connection {
    let Connection {
        output: mut inner_out,
        input: inner_in,
        resize,
        exit: inner_exit,
        via,
    } = conn;
    let (out_tx, output) = mpsc::channel(crate::pty::OUTPUT_QUEUE);
    tokio::spawn(async move {
        if out_tx.send(banner.into_bytes()).await.is_err() {
            return;
        }
        while let Some(chunk) = inner_out.recv().await {
            if out_tx.send(chunk).await.is_err() {
                break;
            }
        }
    });
    let (input, mut in_rx) = mpsc::channel::<Vec<u8>>(crate::pty::INPUT_QUEUE);
    let (closed_tx, closed) = oneshot::channel::<()>();
    tokio::spawn(async move {
        while let Some(bytes) = in_rx.recv().await {
            if inner_in.send(bytes).await.is_err() {
                return;
            }
        }
        let _ = closed_tx.send(());
    });
    let (exit_tx, exit) = oneshot::channel();
    tokio::spawn(async move {
        tokio::select! {
            ended = inner_exit => {
                drop(guard);
                if let Ok(ended) = ended {
                    let _ = exit_tx.send(ended);
                }
            }
            Ok(()) = closed => drop(guard),
        }
    });
    Connection {
        output,
        input,
        resize,
        exit,
        via,
    }
}

impl Backend for NodeShell {
    fn label(&self) -> String {
        format!("node {}", self.node)
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        async move {
            let _ = progress.send(format!("looking for the agent on node {}", self.node));
            match agent_pod_on(&self.client, &self.node).await {
                Ok(agent) => self.through_agent(agent, size, progress).await,
                Err(no_agent) => {
                    let why = match no_agent {
                        super::agent::NoAgent::NotInstalled => {
                            "the kubedeck agent is not installed".to_string()
                        }
                        other => other.to_string(),
                    };
                    self.through_pod(why, size, progress).await
                }
            }
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance() -> Instance {
        Instance {
            id: "0123456789abcdef".into(),
            host: "jump-1".into(),
            pid: 100,
        }
    }

    fn with(labels: &[(&str, &str)], owner: Option<&str>) -> Pod {
        let mut pod = Pod::default();
        pod.metadata.labels = Some(
            labels
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        pod.metadata.annotations =
            owner.map(|o| [(OWNER_ANNOTATION.to_string(), o.to_string())].into());
        pod
    }

    #[test]
    fn only_our_pods_whose_owner_is_gone_are_leftovers() {
        let me = instance();
        let ours = [(SHELL_LABEL, "true"), (INSTANCE_LABEL, "0123456789abcdef")];
        let gone = |_: u32| false;
        let alive = |_: u32| true;
        assert!(is_leftover(&with(&ours, Some("jump-1/7")), &me, gone));
        // Its owner still runs (another kubedeck of ours): not touched.
        assert!(!is_leftover(&with(&ours, Some("jump-1/7")), &me, alive));
        // Our own, in use.
        assert!(!is_leftover(&with(&ours, Some("jump-1/100")), &me, gone));
        // Made on another host: not ours to judge.
        assert!(!is_leftover(&with(&ours, Some("jump-2/7")), &me, gone));
        // Another user's instance, or not a node shell.
        let theirs = [(SHELL_LABEL, "true"), (INSTANCE_LABEL, "fedcba9876543210")];
        assert!(!is_leftover(&with(&theirs, Some("jump-1/7")), &me, gone));
        assert!(!is_leftover(
            &with(&[(INSTANCE_LABEL, "0123456789abcdef")], None),
            &me,
            gone
        ));
        // Ours without an owner (edited by hand): left by someone of ours, gone.
        assert!(is_leftover(&with(&ours, None), &me, gone));
    }

    #[test]
    fn the_pod_is_kubectl_debug_nodes_and_labelled_ours() {
        let pod = debug_pod("ip-10-0-1-7.ec2.internal", "busybox:1.37", &instance());
        let v = serde_json::to_value(&pod).unwrap_or_default();
        assert_eq!(
            v["metadata"]["generateName"],
            "node-debugger-ip-10-0-1-7.ec2.internal-"
        );
        assert_eq!(v["metadata"]["labels"][INSTANCE_LABEL], "0123456789abcdef");
        assert_eq!(v["metadata"]["annotations"][OWNER_ANNOTATION], "jump-1/100");
        let spec = &v["spec"];
        assert_eq!(spec["nodeName"], "ip-10-0-1-7.ec2.internal");
        assert_eq!(spec["hostPID"], true);
        assert_eq!(spec["hostNetwork"], true);
        assert_eq!(spec["hostIPC"], true);
        assert_eq!(spec["restartPolicy"], "Never");
        assert_eq!(spec["containers"][0]["securityContext"]["privileged"], true);
        assert_eq!(
            spec["containers"][0]["volumeMounts"][0]["mountPath"],
            "/host"
        );
        assert_eq!(spec["volumes"][0]["hostPath"]["path"], "/");
    }

    #[test]
    fn a_process_is_alive_only_when_it_is_kubedeck() {
        // The test binary is `kubedeck-<hash>`.
        assert!(kubedeck_alive(std::process::id()));
        assert!(!kubedeck_alive(1 << 30));
        assert!(
            !kubedeck_alive(1)
                || std::fs::read_to_string("/proc/1/comm").is_ok_and(|c| c.starts_with("kubedeck"))
        );
    }

    #[test]
    fn the_instance_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let data = dir.path().join("kubedeck");
        let first = Instance::load(Some(&data));
        let second = Instance::load(Some(&data));
        assert_eq!(first.id, second.id);
        assert_eq!(first.id.len(), 16);
        let mode = std::os::unix::fs::PermissionsExt::mode(
            &std::fs::metadata(data.join("instance"))
                .map(|m| m.permissions())
                .unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(label_safe("web_01.example (eu)"), "web_01.example--eu");
    }
}
