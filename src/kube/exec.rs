//! Remote session backends: `pods/exec` and `pods/attach` with a TTY, over kube-rs's WebSocket client (channel.k8s.io v5,
//! falling back to v4). The exec shell tries `bash`, then `sh` when the image has no bash.

use futures::future::BoxFuture;
use futures::{FutureExt, SinkExt};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{Api, AttachParams, AttachedProcess, TerminalSize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};

use crate::pty::{Backend, Connection, Ended, Progress, SessionError, Size};

/// The shells tried in order.
pub const SHELLS: [&str; 2] = ["bash", "sh"];

#[derive(Clone)]
pub struct Target {
    pub client: kube::Client,
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

impl Target {
    /// `container` of `pod`, reached with `client`.
    pub fn of(client: kube::Client, pod: &super::object_ref::ObjectRef, container: &str) -> Self {
        Self {
            client,
            namespace: pod.namespace.clone(),
            pod: pod.name.clone(),
            container: container.to_string(),
        }
    }

    fn api(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    fn params(&self) -> AttachParams {
        AttachParams::interactive_tty().container(self.container.clone())
    }

    pub fn label(&self) -> String {
        format!("{}/{}:{}", self.namespace, self.pod, self.container)
    }
}

/// An exec'd shell (or command) in a container.
pub struct Exec {
    pub target: Target,
    /// None: a shell (bash, else sh).
    pub command: Option<Vec<String>>,
}

/// Attach to a container's main process (an ephemeral debug container's shell).
pub struct Attach {
    pub target: Target,
}

/// The exit code in the Status the kubelet sends on the error channel.
pub fn exit_of(status: &Status) -> Ended {
    if status.status.as_deref() == Some("Success") {
        return Ended::Exited(0);
    }
    let code = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.reason.as_deref() == Some("ExitCode"))
        .and_then(|c| c.message.as_deref())
        .and_then(|m| m.parse().ok());
    match code {
        Some(code) => Ended::Exited(code),
        None => Ended::Lost(
            status
                .message
                .clone()
                .unwrap_or_else(|| "the session ended with an unknown error".into()),
        ),
    }
}

/// Whether a failed exec means the program is not in the image.
pub fn program_missing(status: &Status) -> bool {
    let m = status.message.as_deref().unwrap_or_default();
    m.contains("executable file not found") || m.contains("no such file or directory")
}

fn connect_error(target: &Target, verb: &str, e: kube::Error) -> SessionError {
    use kube::client::UpgradeConnectionError as U;
    let why = match &e {
        kube::Error::Api(s) if s.code == 403 => format!(
            "not allowed: your RBAC role cannot create pods/{verb} in {} ({})",
            target.namespace, s.message
        ),
        kube::Error::Api(s) if s.message.contains("container not found") => format!(
            "container {} is not running ({})",
            target.container, s.message
        ),
        kube::Error::Api(s) => s.message.clone(),
        kube::Error::UpgradeConnection(U::ProtocolSwitch(code)) if code.as_u16() == 403 => {
            format!(
                "not allowed: your RBAC role cannot create pods/{verb} in {}",
                target.namespace
            )
        }
        kube::Error::UpgradeConnection(U::ProtocolSwitch(code)) if code.as_u16() == 404 => {
            format!("pod {} not found", target.pod)
        }
        kube::Error::UpgradeConnection(U::ProtocolSwitch(code)) if code.as_u16() == 400 => {
            format!(
                "container {} is not running (or not in pod {})",
                target.container, target.pod
            )
        }
        other => other.to_string(),
    };
    SessionError::Refused(format!("{verb} {}: {why}", target.label()))
}

type StatusFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Option<Status>> + Send>>;

/// Wire an attached process to the session's channels.
fn wire(mut proc: AttachedProcess, size: Size) -> Connection {
    let stdout = proc.stdout();
    let status: StatusFuture = match proc.take_status() {
        Some(s) => Box::pin(s),
        None => Box::pin(async { None }),
    };
    rewire(proc, stdout, Vec::new(), status, size)
}

impl Backend for Exec {
    fn label(&self) -> String {
        format!("exec {}", self.target.label())
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        async move {
            let api = self.target.api();
            let params = self.target.params();
            let tries: Vec<Vec<String>> = match self.command {
                Some(c) => vec![c],
                None => SHELLS.iter().map(|s| vec![s.to_string()]).collect(),
            };
            let mut last = String::new();
            for command in tries {
                let mut proc = api
                    .exec(&self.target.pod, command.clone(), &params)
                    .await
                    .map_err(|e| connect_error(&self.target, "exec", e))?;
                // A missing program is reported on the error channel straight away, before any
                // output; a shell prints its prompt first.
                let Some(status) = proc.take_status() else {
                    return Ok(wire(proc, size));
                };
                let mut status: StatusFuture = Box::pin(status);
                let mut stdout = proc.stdout();
                let mut first = vec![0u8; 4096];
                let got = tokio::select! {
                    s = &mut status => Err(s),
                    n = async {
                        match stdout.as_mut() {
                            Some(o) => o.read(&mut first).await.unwrap_or(0),
                            None => std::future::pending().await,
                        }
                    } => Ok(n),
                };
                // Output ended before anything was printed: the status says why.
                let got = match got {
                    Ok(0) => Err((&mut status).await),
                    other => other,
                };
                match got {
                    Err(Some(s)) if program_missing(&s) => {
                        last = s.message.clone().unwrap_or_default();
                        let _ = progress.send(format!("{} not found, trying the next shell", command[0]));
                        continue;
                    }
                    Err(s) => {
                        // The program ended before its output was read; what it printed may
                        // still be in the pipe, and rewire drains it before the exit.
                        let status: StatusFuture = Box::pin(std::future::ready(s));
                        return Ok(rewire(proc, stdout, Vec::new(), status, size));
                    }
                    Ok(n) => {
                        return Ok(rewire(proc, stdout, first[..n].to_vec(), status, size));
                    }
                }
            }
            Err(SessionError::Refused(format!(
                "exec {}: no shell in the image (tried {}): {last}. Try an ephemeral debug container (D) instead.",
                self.target.label(),
                SHELLS.join(", ")
            )))
        }
        .boxed()
    }
}

/// How long the exit waits for the output that preceded it.
const OUTPUT_DRAIN: std::time::Duration = std::time::Duration::from_secs(2);

/// Wire a process whose stdout and status were taken (and `first` already read from stdout).
fn rewire(
    mut proc: AttachedProcess,
    stdout: Option<tokio::io::ReadHalf<tokio::io::SimplexStream>>,
    first: Vec<u8>,
    status: StatusFuture,
    size: Size,
) -> Connection {
    let (out_tx, output) = mpsc::channel::<Vec<u8>>(crate::pty::OUTPUT_QUEUE);
    let (input, mut in_rx) = mpsc::channel::<Vec<u8>>(crate::pty::INPUT_QUEUE);
    let (resize, mut resize_rx) = mpsc::channel::<Size>(8);
    let (exit_tx, exit) = oneshot::channel();
    let mut stdin = proc.stdin();
    let mut sizes = proc.terminal_size();
    // Sent when the session lets go of its connection (detached, or its pane closed).
    let (hangup_tx, hangup) = oneshot::channel::<()>();
    let forwarder = tokio::spawn(async move {
        if !first.is_empty() && out_tx.send(first).await.is_err() {
            return;
        }
        let Some(mut out) = stdout else { return };
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match out.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if out_tx.send(buf[..n].to_vec()).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    tokio::spawn(async move {
        if let Some(tx) = sizes.as_mut() {
            let _ = tx
                .send(TerminalSize {
                    width: size.cols,
                    height: size.rows,
                })
                .await;
        }
        loop {
            tokio::select! {
                bytes = in_rx.recv() => match (bytes, stdin.as_mut()) {
                    (Some(b), Some(w)) => {
                        if w.write_all(&b).await.is_err() {
                            break;
                        }
                    }
                    (Some(_), None) => {}
                    (None, _) => {
                        let _ = hangup_tx.send(());
                        break;
                    }
                },
                Some(s) = resize_rx.recv() => {
                    if let Some(tx) = sizes.as_mut() {
                        let _ = tx.send(TerminalSize { width: s.cols, height: s.rows }).await;
                    }
                }
            }
        }
    });
    tokio::spawn(async move {
        let status = tokio::select! {
            s = status => s,
            // Nobody reads this session any more: close its WebSocket now (dropping the
            // process aborts kube-rs's task), as `kubectl attach` does when it detaches,
            // rather than when the container next prints, which may be hours away.
            Ok(()) = hangup => {
                drop(proc);
                return;
            }
        };
        let ended = match status {
            Some(s) => exit_of(&s),
            None => match proc.join().await {
                Ok(()) => Ended::Lost("the connection closed without an exit status".into()),
                Err(e) => Ended::Lost(e.to_string()),
            },
        };
        // kube-rs demultiplexes stdout and the status into separate pipes, so the status can be
        // seen before the last output is forwarded. The exit is published only once the output
        // is drained (stdout closes right after the status), bounded for a connection that
        // never closes it.
        let _ = tokio::time::timeout(OUTPUT_DRAIN, forwarder).await;
        let _ = exit_tx.send(ended);
    });
    Connection {
        output,
        input,
        resize,
        exit,
        via: None,
    }
}

impl Backend for Attach {
    fn label(&self) -> String {
        format!("attach {}", self.target.label())
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        _progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        async move {
            let proc = self
                .target
                .api()
                .attach(&self.target.pod, &self.target.params())
                .await
                .map_err(|e| connect_error(&self.target, "attach", e))?;
            let conn = wire(proc, size);
            // The shell printed its prompt before we attached: ask it for a fresh one.
            let _ = conn.input.try_send(b"\n".to_vec());
            Ok(conn)
        }
        .boxed()
    }
}

/// Attach to a running container's main process, as `kubectl attach -it` does: with stdin and
/// a TTY only when the container's spec has them (otherwise its output only, said in the
/// pane). Ending the session detaches: the process goes on.
pub struct AttachMain {
    pub target: Target,
}

/// Why a container cannot be attached to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttachRefused {
    #[error("pod has no container {0}")]
    NoContainer(String),
    #[error("container {0} has terminated: nothing to attach to")]
    Terminated(String),
    #[error("container {0} is not running yet")]
    NotRunning(String),
}

/// How to attach to `container` of `pod`: its spec's stdin and tty, or why it cannot be.
pub fn attach_mode(pod: &Pod, container: &str) -> Result<(bool, bool), AttachRefused> {
    let spec = pod.spec.as_ref();
    let declared = spec
        .into_iter()
        .flat_map(|s| s.containers.iter())
        .find(|c| c.name == container)
        .map(|c| (c.stdin.unwrap_or(false), c.tty.unwrap_or(false)))
        .or_else(|| {
            spec.and_then(|s| s.ephemeral_containers.as_ref())
                .into_iter()
                .flatten()
                .find(|c| c.name == container)
                .map(|c| (c.stdin.unwrap_or(false), c.tty.unwrap_or(false)))
        });
    let Some(mode) = declared else {
        return Err(AttachRefused::NoContainer(container.to_string()));
    };
    let status = pod.status.as_ref();
    let state = status
        .into_iter()
        .flat_map(|s| {
            s.container_statuses
                .iter()
                .flatten()
                .chain(s.ephemeral_container_statuses.iter().flatten())
        })
        .find(|c| c.name == container)
        .and_then(|c| c.state.clone());
    match state {
        Some(s) if s.running.is_some() => Ok(mode),
        Some(s) if s.terminated.is_some() => Err(AttachRefused::Terminated(container.to_string())),
        _ => Err(AttachRefused::NotRunning(container.to_string())),
    }
}

impl Backend for AttachMain {
    fn label(&self) -> String {
        format!("attach {}", self.target.label())
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        async move {
            let api = self.target.api();
            let pod = api
                .get(&self.target.pod)
                .await
                .map_err(|e| connect_error(&self.target, "attach", e))?;
            let (stdin, tty) = attach_mode(&pod, &self.target.container)
                .map_err(|e| SessionError::Refused(e.to_string()))?;
            if !stdin {
                let _ = progress.send(format!(
                    "container {} was not started with stdin: its output only (as kubectl attach)",
                    self.target.container
                ));
            }
            // As kubectl: stderr apart only without a TTY (a TTY merges them).
            let params = AttachParams::default()
                .container(self.target.container.clone())
                .stdin(stdin)
                .stdout(true)
                .stderr(!tty)
                .tty(tty);
            let proc = api
                .attach(&self.target.pod, &params)
                .await
                .map_err(|e| connect_error(&self.target, "attach", e))?;
            let conn = wire(proc, size);
            if stdin && tty {
                // A shell printed its prompt before we attached: ask it for a fresh one.
                let _ = conn.input.try_send(b"\n".to_vec());
            }
            Ok(conn)
        }
        .boxed()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn status(json: &str) -> Status {
        serde_json::from_str(json).unwrap()
    }

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn attach_takes_stdin_and_tty_from_the_container_and_needs_it_running() {
        let p = pod(serde_json::json!({"metadata": {"name": "p"},
            "spec": {"containers": [
                {"name": "repl", "image": "python", "stdin": true, "tty": true},
                {"name": "server", "image": "nginx"}]},
            "status": {"containerStatuses": [
                {"name": "repl", "ready": true, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {"startedAt": "2026-12-01T00:00:00Z"}}},
                {"name": "server", "ready": false, "restartCount": 1, "image": "", "imageID": "",
                 "state": {"terminated": {"exitCode": 1}}}]}}));
        assert_eq!(attach_mode(&p, "repl"), Ok((true, true)));
        assert_eq!(
            attach_mode(&p, "server"),
            Err(AttachRefused::Terminated("server".into()))
        );
        assert_eq!(
            attach_mode(&p, "nope"),
            Err(AttachRefused::NoContainer("nope".into()))
        );
    }

    #[test]
    fn exit_codes_from_the_error_channel() {
        assert_eq!(
            exit_of(&status(r#"{"metadata":{},"status":"Success"}"#)),
            Ended::Exited(0)
        );
        let failed = status(
            r#"{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}"#,
        );
        assert_eq!(exit_of(&failed), Ended::Exited(3));
        let missing = status(
            r#"{"metadata":{},"status":"Failure","message":"OCI runtime exec failed: exec failed: unable to start container process: exec: \"bash\": executable file not found in $PATH: unknown","reason":"InternalError","code":500}"#,
        );
        assert!(program_missing(&missing));
        assert!(matches!(exit_of(&missing), Ended::Lost(m) if m.contains("bash")));
    }
}
