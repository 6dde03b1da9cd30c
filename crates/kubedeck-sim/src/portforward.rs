//! `pods/portforward` over WebSocket, in both protocols the apiserver serves: to kube-rs the
//! channel protocol (per requested port a data channel `2i` and an error channel `2i+1`, each
//! opened by the server with the port number, two bytes little-endian; then `[channel][bytes]`
//! frames), and to kubectl SPDY/3.1 tunnelled in WebSocket (`SPDY/3.1+portforward.k8s.io`: per
//! local connection an error stream and a data stream, headers `port` and `requestid`).
//! Behind every port a running pod's containers declare (`containerPort`) the simulator answers
//! like the busybox httpd of the real cluster's fixture (`wire-portforward.txt`): `GET /` is
//! `hello from POD`, any other path a 404 page, and the connection closes after the answer. On a
//! port nothing declares, nothing listens: the kubelet's refusal is written on that port's error
//! stream and the connection is closed, as a real kubelet does (so a client that forwards a
//! Service's port instead of its targetPort gets what it would get on a real cluster).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};

use super::Shared;
use super::exec::error;
use super::resources::Kind;
use super::spdy;

/// `ports=80,8080` (also repeated `ports=`).
fn ports(query: &str) -> Result<Vec<u16>, String> {
    let mut out = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == "ports" {
            for p in v.split(',').filter(|p| !p.is_empty()) {
                let port = p
                    .trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("invalid port: {p:?}"))?;
                out.push(port);
            }
        }
    }
    if out.is_empty() {
        return Err("at least one port must be specified".into());
    }
    Ok(out)
}

/// The TCP ports the pod's containers declare: where its servers listen.
fn listening(pod: &serde_json::Value) -> Vec<u16> {
    pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .filter(|p| p["protocol"].as_str().is_none_or(|proto| proto == "TCP"))
        .filter_map(|p| p["containerPort"].as_u64())
        .filter_map(|p| u16::try_from(p).ok())
        .collect()
}

/// What the kubelet writes on a port's error stream when nothing listens there: its
/// `error forwarding port P to pod SANDBOX, uid : ERR`, with containerd's dial error (the
/// words of kubelet's and containerd's sources; the sandbox ID made from the pod's UID).
pub fn refusal(pod: &serde_json::Value, port: u16) -> String {
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let hex: String = uid.chars().filter(char::is_ascii_hexdigit).collect();
    let sandbox: String = hex.chars().cycle().take(64).collect();
    let netns = uid.get(..36).unwrap_or(uid);
    format!(
        "error forwarding port {port} to pod {sandbox}, uid : failed to execute portforward in network namespace \"/var/run/netns/cni-{netns}\": failed to connect to localhost:{port} inside namespace \"{sandbox}\", IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused "
    )
}

/// What the pod's web server answers to `request` (its first line is enough).
pub fn answer(pod: &str, request: &[u8]) -> Vec<u8> {
    let line = String::from_utf8_lossy(request);
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = if path == "/" || path == "/index.html" {
        ("200 OK", format!("hello from {pod}\n"))
    } else {
        (
            "404 Not Found",
            "<HTML><HEAD><TITLE>404 Not Found</TITLE></HEAD>\n<BODY><H1>404 Not Found</H1>\nThe requested URL was not found\n</BODY></HTML>\n".to_string(),
        )
    };
    format!(
        "HTTP/1.1 {status}\r\nConnection: close\r\nContent-type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

pub async fn portforward(
    State(sim): State<Arc<Shared>>,
    Path((namespace, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let fault = sim.faults.is_forbidden("pods/portforward");
    let denied = crate::denied::Denied::pod("create", "portforward", &namespace, &name);
    if let Some(r) = crate::http::refuse(&sim, fault, denied) {
        return r;
    }
    let Some(pod) = sim.store.get(Kind::Pod, &(namespace.clone(), name.clone())) else {
        return error(404, "NotFound", &format!("pods \"{name}\" not found"));
    };
    if pod["status"]["phase"] != "Running" {
        let phase = pod["status"]["phase"].as_str().unwrap_or("Unknown");
        return error(
            400,
            "BadRequest",
            &format!("pod {name} is not running (phase {phase}): unable to forward"),
        );
    }
    let Ok(ws) = ws else {
        return error(400, "BadRequest", "Upgrade request required");
    };
    let ws = ws.protocols([SPDY_PROTOCOL, "v4.channel.k8s.io", "portforward.k8s.io"]);
    // kubectl names the ports in its SPDY streams, not in the query.
    if ws
        .selected_protocol()
        .is_some_and(|p| p.as_bytes() == SPDY_PROTOCOL.as_bytes())
    {
        let cut = sim.faults.restarts();
        return ws
            .on_upgrade(move |socket| cut_by_restart(serve_spdy(socket, pod), cut))
            .into_response();
    }
    let ports = match ports(query.as_deref().unwrap_or_default()) {
        Ok(p) => p,
        Err(e) => return error(400, "BadRequest", &e),
    };
    let cut = sim.faults.restarts();
    ws.on_upgrade(move |socket| cut_by_restart(serve(socket, pod, ports), cut))
        .into_response()
}

/// Serve a forward until it ends, or until the apiserver restarts: then the connection is
/// dropped without a word, as a restarting apiserver's are.
async fn cut_by_restart(
    serving: impl std::future::Future<Output = ()>,
    mut cut: tokio::sync::watch::Receiver<u64>,
) {
    tokio::select! {
        () = serving => {}
        _ = cut.changed() => {}
    }
}

/// The subprotocol kubectl 1.30+ asks for: SPDY/3.1 inside WebSocket binary messages.
const SPDY_PROTOCOL: &str = "SPDY/3.1+portforward.k8s.io";

/// One forwarded connection of kubectl's: its two streams and the request read so far.
#[derive(Default)]
struct Forwarded {
    error_stream: Option<u32>,
    data_stream: Option<u32>,
    port: u16,
    request: Vec<u8>,
    answered: bool,
}

/// Serve kubectl's SPDY streams: accept each, answer each data stream's request as the pod's
/// web server does, then half-close both of that connection's streams (httpd closes after the
/// answer; kubectl waits for both to end, as in `wire-portforward.txt`).
async fn serve_spdy(socket: WebSocket, pod_object: Arc<serde_json::Value>) {
    let pod = pod_object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let open_ports = listening(&pod_object);
    let (mut tx, mut rx) = socket.split();
    let mut conn = spdy::Connection::default();
    // By request ID (one per local connection); and each stream's request ID.
    let mut forwarded: HashMap<String, Forwarded> = HashMap::new();
    let mut stream_request: HashMap<u32, String> = HashMap::new();
    while let Some(Ok(msg)) = rx.next().await {
        let bytes = match msg {
            Message::Binary(b) => b,
            Message::Close(_) => break,
            _ => continue,
        };
        conn.receive(&bytes);
        let mut out: Vec<Vec<u8>> = Vec::new();
        loop {
            let frame = match conn.next_frame() {
                Ok(Some(f)) => f,
                Ok(None) => break,
                // A client that breaks the framing gets the connection closed, as spdystream does.
                Err(_) => return,
            };
            match frame {
                spdy::Frame::SynStream {
                    stream, headers, ..
                } => {
                    let header = |name: &str| {
                        headers
                            .iter()
                            .find(|(n, _)| n.eq_ignore_ascii_case(name))
                            .map(|(_, v)| v.clone())
                    };
                    let port = header("port")
                        .and_then(|p| p.parse::<u16>().ok())
                        .filter(|p| *p > 0);
                    let (Some(kind), Some(id), Some(port)) =
                        (header("streamtype"), header("requestid"), port)
                    else {
                        out.push(spdy::refuse(stream));
                        continue;
                    };
                    let entry = forwarded.entry(id.clone()).or_default();
                    entry.port = port;
                    match kind.as_str() {
                        "error" => entry.error_stream = Some(stream),
                        "data" => entry.data_stream = Some(stream),
                        _ => {
                            out.push(spdy::refuse(stream));
                            continue;
                        }
                    }
                    stream_request.insert(stream, id.clone());
                    out.push(conn.syn_reply(stream));
                    // Both streams of a connection to a port nothing listens on: the kubelet's
                    // refusal on the error stream, and both streams closed.
                    if let (Some(err), Some(data), false) = (
                        entry.error_stream,
                        entry.data_stream,
                        open_ports.contains(&entry.port),
                    ) {
                        out.push(spdy::data(err, true, refusal(&pod_object, port).as_bytes()));
                        out.push(spdy::data(data, true, &[]));
                        stream_request.retain(|s, _| *s != err && *s != data);
                        forwarded.remove(&id);
                    }
                }
                spdy::Frame::Data { stream, fin, data } => {
                    let Some(entry) = stream_request
                        .get(&stream)
                        .and_then(|id| forwarded.get_mut(id))
                    else {
                        continue;
                    };
                    if entry.data_stream != Some(stream) || entry.answered {
                        continue;
                    }
                    entry.request.extend_from_slice(&data);
                    let complete = entry.request.windows(4).any(|w| w == b"\r\n\r\n");
                    if complete || fin {
                        entry.answered = true;
                        if complete {
                            out.push(spdy::data(stream, false, &answer(&pod, &entry.request)));
                        }
                        out.push(spdy::data(stream, true, &[]));
                        if let Some(err) = entry.error_stream {
                            out.push(spdy::data(err, true, &[]));
                        }
                        // This connection is over: forget it (a long forward serves many).
                        let done = [Some(stream), entry.error_stream];
                        stream_request.retain(|s, _| !done.contains(&Some(*s)));
                        forwarded.retain(|_, f| f.data_stream != Some(stream));
                    }
                }
                spdy::Frame::RstStream { stream } => {
                    stream_request.remove(&stream);
                }
                spdy::Frame::Ping(id) => out.push(spdy::ping(id)),
                spdy::Frame::GoAway => return,
                spdy::Frame::Other => {}
            }
        }
        for frame in out {
            if tx.send(Message::Binary(frame.into())).await.is_err() {
                return;
            }
        }
    }
}

async fn serve(socket: WebSocket, pod_object: Arc<serde_json::Value>, ports: Vec<u16>) {
    let pod = pod_object["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let open_ports = listening(&pod_object);
    let (mut tx, mut rx) = socket.split();
    // Each channel opens with its port.
    for (i, port) in ports.iter().enumerate() {
        for ch in [2 * i, 2 * i + 1] {
            let mut frame = vec![u8::try_from(ch).unwrap_or(u8::MAX)];
            frame.extend_from_slice(&port.to_le_bytes());
            if tx.send(Message::Binary(frame.into())).await.is_err() {
                return;
            }
        }
    }
    // What each port's connection has sent so far, until a request is complete; a port
    // nothing listens on is refused at once on its error channel.
    let mut pending: Vec<Vec<u8>> = vec![Vec::new(); ports.len()];
    let mut answered = vec![false; ports.len()];
    for (i, port) in ports.iter().enumerate() {
        if open_ports.contains(port) {
            continue;
        }
        answered[i] = true;
        let mut frame = vec![u8::try_from(2 * i + 1).unwrap_or(u8::MAX)];
        frame.extend_from_slice(refusal(&pod_object, *port).as_bytes());
        if tx.send(Message::Binary(frame.into())).await.is_err() {
            return;
        }
    }
    while !answered.iter().all(|a| *a)
        && let Some(Ok(msg)) = rx.next().await
    {
        let Message::Binary(bytes) = msg else {
            if matches!(msg, Message::Close(_)) {
                break;
            }
            continue;
        };
        let Some((&ch, data)) = bytes.split_first() else {
            continue;
        };
        let i = usize::from(ch / 2);
        if ch % 2 != 0 || i >= ports.len() || answered[i] {
            continue;
        }
        pending[i].extend_from_slice(data);
        if pending[i].windows(4).any(|w| w == b"\r\n\r\n") {
            answered[i] = true;
            let mut frame = vec![ch];
            frame.extend_from_slice(&answer(&pod, &pending[i]));
            if tx.send(Message::Binary(frame.into())).await.is_err() {
                return;
            }
        }
    }
    // The server closed its side (Connection: close), as httpd does.
    let _ = tx
        .send(Message::Close(Some(axum::extract::ws::CloseFrame {
            code: 1000,
            reason: "".into(),
        })))
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_and_answers() {
        assert_eq!(ports("ports=80%2C8080"), Ok(vec![80, 8080]));
        assert!(ports("ports=0").is_err() && ports("").is_err());
        let ok = String::from_utf8(answer("web-1", b"GET / HTTP/1.1\r\n\r\n")).unwrap_or_default();
        assert!(ok.starts_with("HTTP/1.1 200 OK") && ok.ends_with("hello from web-1\n"));
        let pod = serde_json::json!({"metadata": {"uid": "c5267b2c-d7a4-48dc-81e6-7faa7c7b6347"},
            "spec": {"containers": [{"ports": [{"containerPort": 8080, "protocol": "TCP"}]},
                {"ports": [{"containerPort": 53, "protocol": "UDP"}]}]}});
        assert_eq!(listening(&pod), vec![8080]);
        let refused = refusal(&pod, 80);
        assert!(
            refused.starts_with("error forwarding port 80 to pod c5267b2c"),
            "{refused}"
        );
        assert!(refused.contains("dial tcp4 127.0.0.1:80: connect: connection refused"));
        let missing = String::from_utf8(answer("web-1", b"GET /missing HTTP/1.1\r\n\r\n"))
            .unwrap_or_default();
        assert!(
            missing.starts_with("HTTP/1.1 404 Not Found")
                && missing.contains("<H1>404 Not Found</H1>")
        );
    }
}
