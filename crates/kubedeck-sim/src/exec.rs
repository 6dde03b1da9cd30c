//! `pods/exec` and `pods/attach` over WebSocket, as the kubelet serves them through the apiserver:
//! the `v5.channel.k8s.io` and `v4.channel.k8s.io` subprotocols, one byte of channel before each
//! frame (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize; v5 adds 255 = close a channel),
//! and the exit status as a `Status` object on channel 3. Behind it a real local process
//! (`procs`), under a PTY when the client asks for a TTY.

use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Shared;
use super::http::{json_response, status_body};
use super::procs::{Proc, Spawn, Stream};
use super::resources::Kind;

const STDIN: u8 = 0;
const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const ERROR: u8 = 3;
const RESIZE: u8 = 4;
const CLOSE: u8 = 255;

pub const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// What the request asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub container: Option<String>,
    pub command: Vec<String>,
    pub stdin: bool,
    pub tty: bool,
}

impl Request {
    pub fn parse(query: &str) -> Self {
        let mut r = Request::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let yes = v == "true" || v == "1";
            match &*k {
                "container" => r.container = Some(v.into_owned()),
                "command" => r.command.push(v.into_owned()),
                "stdin" => r.stdin = yes,
                "tty" => r.tty = yes,
                _ => {}
            }
        }
        r
    }
}

/// A Status response (also for the other WebSocket subresources, `portforward`).
pub(super) fn error(code: u16, reason: &str, message: &str) -> Response {
    let sc = axum::http::StatusCode::from_u16(code)
        .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
    json_response(sc, &status_body(code, reason, message, None))
}

/// The container `req` names in `pod` (the only one when unnamed), with its image, if it runs.
fn running_container(
    pod: &Value,
    name: &str,
    req: &Request,
) -> Result<(String, String), Box<Response>> {
    let spec = &pod["spec"];
    let all: Vec<&Value> = spec["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(spec["ephemeralContainers"].as_array().into_iter().flatten())
        .collect();
    let names: Vec<&str> = all.iter().filter_map(|c| c["name"].as_str()).collect();
    let container = match &req.container {
        Some(c) => c.clone(),
        None if spec["containers"].as_array().is_some_and(|c| c.len() == 1) => {
            names.first().map(ToString::to_string).unwrap_or_default()
        }
        None => {
            return Err(Box::new(error(
                400,
                "BadRequest",
                &format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    names.join(" ")
                ),
            )));
        }
    };
    let Some(c) = all.iter().find(|c| c["name"] == json!(container)) else {
        return Err(Box::new(error(
            400,
            "BadRequest",
            &format!("container {container} is not valid for pod {name}"),
        )));
    };
    let status = pod["status"]["containerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            pod["status"]["ephemeralContainerStatuses"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .find(|s| s["name"] == json!(container));
    if !status.is_some_and(|s| s["state"]["running"].is_object()) {
        return Err(Box::new(error(
            400,
            "BadRequest",
            &format!("unable to upgrade connection: container not found (\"{container}\")"),
        )));
    }
    Ok((
        container,
        c["image"].as_str().unwrap_or_default().to_string(),
    ))
}

/// Programs an image does not have: distroless images have no shell, busybox and alpine no bash.
pub fn image_lacks(image: &str, program: &str) -> bool {
    let base = program.rsplit('/').next().unwrap_or(program);
    if image.contains("distroless") {
        return true;
    }
    (image.contains("busybox") || image.contains("alpine")) && base == "bash"
}

fn check(
    sim: &Shared,
    namespace: &str,
    name: &str,
    req: &Request,
    verb: &str,
) -> Result<(Value, String, String), Box<Response>> {
    let fault = sim.faults.is_forbidden(&format!("pods/{verb}"));
    let denied = crate::denied::Denied::pod("create", verb, namespace, name);
    if let Some(r) = crate::http::refuse(sim, fault, denied) {
        return Err(Box::new(r));
    }
    let Some(pod) = sim
        .store
        .get(Kind::Pod, &(namespace.to_string(), name.to_string()))
    else {
        return Err(Box::new(error(
            404,
            "NotFound",
            &format!("pods \"{name}\" not found"),
        )));
    };
    let (container, image) = running_container(&pod, name, req)?;
    Ok(((*pod).clone(), container, image))
}

pub async fn exec(
    State(sim): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let req = Request::parse(query.as_deref().unwrap_or_default());
    let (pod, container, image) = match check(&sim, &namespace, &name, &req, "exec") {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Ok(ws) = ws else {
        return upgrade_required(&headers);
    };
    if req.command.is_empty() {
        return error(400, "BadRequest", "you must specify at least 1 command");
    }
    let dir = super::procs::scratch(sim.scratch(), &namespace, &name, &container);
    let mut spawn = Spawn {
        command: req.command.clone(),
        tty: req.tty,
        dir: dir.clone(),
        hostname: name.clone(),
        rows: 24,
        cols: 80,
        env: Vec::new(),
        hold: true,
        user: super::debug::user_of(&pod, &container),
    };
    // The agent's pods run the real agent; a join's target gets a fake container first.
    if super::agent::is_agent_pod(&pod) && req.command[0] == kubedeck_agent::contract::NAME {
        let Some(binary) = super::agent::binary() else {
            return error(
                500,
                "InternalError",
                "the simulator cannot find the kubedeck-agent binary next to its own (build the workspace)",
            );
        };
        spawn.command[0] = binary.display().to_string();
        spawn.env.push((
            "KUBEDECK_AGENT_RUN".into(),
            dir.join("run").display().to_string(),
        ));
        if req.command.get(1).is_some_and(|c| c == "join") {
            let (sim, command) = (sim.clone(), req.command.clone());
            // Starting a fake container waits for it: off the async workers.
            let _ = tokio::task::spawn_blocking(move || sim.agent_target(&command)).await;
        }
        if req.command.get(1).is_some_and(|c| c == "host") {
            let (sim, command) = (sim.clone(), req.command.clone());
            // The node's init is a fake one, as the agent's pod spec would name it.
            let init = tokio::task::spawn_blocking(move || sim.agent_node(&command)).await;
            if let Ok(Some(pid)) = init {
                spawn
                    .env
                    .push(("KUBEDECK_AGENT_HOST_PID".into(), pid.to_string()));
            }
        }
    }
    let started = if image_lacks(&image, &req.command[0]) {
        Err(super::procs::not_found(&req.command[0]))
    } else {
        Proc::start(&spawn)
    };
    let cut = sim.faults.restarts();
    ws.protocols(PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let open = crate::OpenStream::new(&sim);
            match started {
                Ok(proc) => serve(socket, proc, req.stdin, true, cut, open).await,
                Err(message) => refuse(socket, &message).await,
            }
        })
        .into_response()
}

pub async fn attach(
    State(sim): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let req = Request::parse(query.as_deref().unwrap_or_default());
    let (_, container, _) = match check(&sim, &namespace, &name, &req, "attach") {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let Ok(ws) = ws else {
        return upgrade_required(&headers);
    };
    let proc = sim.container_process(&namespace, &name, &container, req.tty);
    let cut = sim.faults.restarts();
    ws.protocols(PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let open = crate::OpenStream::new(&sim);
            match proc {
                // Detaching leaves the container's process running.
                Ok(proc) => serve(socket, proc, req.stdin, false, cut, open).await,
                Err(message) => refuse(socket, &message).await,
            }
        })
        .into_response()
}

/// Plain HTTP (SPDY clients, curl) gets what an apiserver without SPDY would say.
fn upgrade_required(headers: &HeaderMap) -> Response {
    let upgrade = headers
        .get("upgrade")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none");
    error(
        400,
        "BadRequest",
        &format!("Upgrade request required (this server speaks WebSocket only; got {upgrade:?})"),
    )
}

/// A close frame with status 1000: clients treat a close without a status as an error.
fn normal_close() -> Message {
    Message::Close(Some(axum::extract::ws::CloseFrame {
        code: axum::extract::ws::close_code::NORMAL,
        reason: "".into(),
    }))
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut v = Vec::with_capacity(data.len() + 1);
    v.push(channel);
    v.extend_from_slice(data);
    Message::Binary(v.into())
}

/// The exit status the kubelet puts on the error channel.
pub fn exit_status(code: i32) -> Value {
    if code == 0 {
        json!({"metadata": {}, "status": "Success"})
    } else {
        json!({"metadata": {}, "status": "Failure",
            "message": format!("command terminated with non-zero exit code: command terminated with exit code {code}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]}})
    }
}

async fn refuse(mut socket: WebSocket, message: &str) {
    let status = json!({"metadata": {}, "status": "Failure", "message": message,
        "reason": "InternalError", "code": 500,
        "details": {"causes": [{"message": message}]}});
    let _ = socket.send(frame(STDOUT, &[])).await;
    let _ = socket
        .send(frame(ERROR, status.to_string().as_bytes()))
        .await;
    let _ = socket.send(normal_close()).await;
}

#[derive(serde::Deserialize)]
struct TermSize {
    #[serde(rename = "Width")]
    width: u16,
    #[serde(rename = "Height")]
    height: u16,
}

/// Pump one connection. `owned`: the process belongs to this connection (exec) and dies with it.
/// A restart of the apiserver (`cut`) drops the connection without a word, as it would.
async fn serve(
    mut socket: WebSocket,
    proc: Arc<Proc>,
    stdin: bool,
    owned: bool,
    mut cut: tokio::sync::watch::Receiver<u64>,
    _open: crate::OpenStream,
) {
    let v5 = socket
        .protocol()
        .is_some_and(|p| p.as_bytes() == PROTOCOLS[0].as_bytes());
    let mut output = proc.attach();
    let mut exited = proc.exited();
    if socket.send(frame(STDOUT, &[])).await.is_err() {
        if owned {
            proc.kill();
        }
        return;
    }
    let code = loop {
        tokio::select! {
            _ = cut.changed() => break None,
            chunk = output.recv() => match chunk {
                Some((stream, bytes)) => {
                    let ch = if stream == Stream::Stderr { STDERR } else { STDOUT };
                    if socket.send(frame(ch, &bytes)).await.is_err() {
                        break None;
                    }
                }
                // Output ends when the process has exited.
                None => {
                    let _ = exited.wait_for(Option::is_some).await;
                    break proc.exit_code();
                }
            },
            changed = exited.changed() => {
                if changed.is_err() || proc.exit_code().is_some() {
                    while let Ok((stream, bytes)) = output.try_recv() {
                        let ch = if stream == Stream::Stderr { STDERR } else { STDOUT };
                        let _ = socket.send(frame(ch, &bytes)).await;
                    }
                    break proc.exit_code();
                }
            }
            msg = socket.recv() => match msg {
                Some(Ok(Message::Binary(b))) if !b.is_empty() => match b[0] {
                    STDIN if stdin => proc.write(&b[1..]),
                    RESIZE => {
                        if let Ok(size) = serde_json::from_slice::<TermSize>(&b[1..]) {
                            proc.resize(size.height, size.width);
                        }
                    }
                    CLOSE if v5 && b.get(1) == Some(&STDIN) => proc.close_stdin(),
                    _ => {}
                },
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                Some(Ok(_)) => {}
            },
        }
    };
    match code {
        Some(code) => {
            let _ = socket
                .send(frame(ERROR, exit_status(code).to_string().as_bytes()))
                .await;
            let _ = socket.send(normal_close()).await;
            // The closing handshake: read what the client still sends until its own close.
            // Dropping the socket with its frames unread (a resize, typed input) makes the kernel
            // reset the connection, and the client can lose the output and the exit status it
            // has not read yet ("connection reset by peer" from `kubectl exec -it`).
            let drain = async {
                while let Some(Ok(m)) = socket.recv().await {
                    if matches!(m, Message::Close(_)) {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
        }
        // The client went away: an exec's process goes with it; an attached one keeps running.
        None if owned => proc.kill(),
        None => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn query_with_repeated_commands() {
        let r = Request::parse(
            "container=app&command=sh&command=-c&command=echo+out%3B+exit+3&stdin=true&stdout=true&tty=true",
        );
        assert_eq!(r.container.as_deref(), Some("app"));
        assert_eq!(r.command, ["sh", "-c", "echo out; exit 3"]);
        assert!(r.stdin && r.tty);
    }

    #[test]
    fn exit_status_matches_the_capture() {
        let text = include_str!("../../../tests/fixtures/real-cluster/wire-exec-websocket.json");
        let captures: Value = serde_json::from_str(text).unwrap();
        let last = |i: usize| -> Value {
            let frames = captures[i]["frames_from_server"].as_array().unwrap();
            let data = frames.last().unwrap()["data"].as_str().unwrap();
            serde_json::from_str(data).unwrap()
        };
        assert_eq!(exit_status(3), last(0));
        assert_eq!(exit_status(0), last(1));
    }

    #[test]
    fn images_without_shells() {
        assert!(image_lacks("gcr.io/distroless/static:nonroot", "sh"));
        assert!(image_lacks("busybox:1.36", "bash"));
        assert!(!image_lacks("busybox:1.36", "sh"));
        assert!(!image_lacks("nicolaka/netshoot", "bash"));
    }
}
