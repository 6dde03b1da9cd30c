//! Watch streams: newline-delimited watch events over a chunked response, resuming from a
//! resourceVersion, with BOOKMARKs, in-stream 410 Expired, timeouts and simulated drops.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::{Filter, json_response, present, status_body};
use crate::Shared;
use crate::resources::Served;
use crate::store::{Change, ChangeType, Unresumable, WatchStart};

/// How long a watch from a resourceVersion this server has not reached waits for it, as the
/// apiserver's watch cache does (`waitUntilFreshAndBlock`), before "Too large resource version".
const FRESH_WAIT: Duration = Duration::from_secs(3);

/// How a watch's objects are written: as they are, or (kubectl's `as=Table`) each as a Table of
/// one row, the column definitions in the first event only, as the apiserver's
/// `watchEmbeddedEncoder` does (`NoHeaders` after the first; bookmarks are transformed too).
struct Encoding {
    table: Option<TableEncoding>,
}

struct TableEncoding {
    crd: Option<Arc<Value>>,
    headers_sent: bool,
    include: crate::table::Include,
}

impl Encoding {
    fn line(&mut self, served: &Served, kind: &str, obj: &Value) -> Bytes {
        let Some(t) = self.table.as_mut() else {
            return event_line(kind, obj);
        };
        let rv = obj["metadata"]["resourceVersion"].clone();
        let mut table = crate::table::table(
            served,
            t.crd.as_deref(),
            &[Arc::new(obj.clone())],
            json!({"resourceVersion": rv}),
            jiff::Timestamp::now(),
            t.include,
        );
        if t.headers_sent {
            table["columnDefinitions"] = Value::Null;
        }
        t.headers_sent = true;
        event_line(kind, &table)
    }
}

fn event_line(kind: &str, obj: &Value) -> Bytes {
    let mut buf = Vec::with_capacity(1024);
    buf.extend_from_slice(b"{\"type\":\"");
    buf.extend_from_slice(kind.as_bytes());
    buf.extend_from_slice(b"\",\"object\":");
    if serde_json::to_writer(&mut buf, obj).is_err() {
        buf.extend_from_slice(b"null");
    }
    buf.extend_from_slice(b"}\n");
    Bytes::from(buf)
}

fn gone_line(from: u64, current: u64) -> Bytes {
    let status = status_body(
        410,
        "Expired",
        &format!("too old resource version: {from} ({current})"),
        None,
    );
    event_line("ERROR", &status)
}

/// What the apiserver says after [`FRESH_WAIT`] (`storage.NewTooLargeResourceVersionError`).
fn too_large_line(from: u64, current: u64) -> Bytes {
    let status = status_body(
        504,
        "Timeout",
        &format!("Timeout: Too large resource version: {from}, current: {current}"),
        Some(json!({
            "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
            "retryAfterSeconds": 1
        })),
    );
    event_line("ERROR", &status)
}

/// Wait (at most [`FRESH_WAIT`]) until the store reaches `rv`, then start from it.
async fn when_reached(sim: &Shared, kind: crate::resources::Kind, rv: u64) -> Option<WatchStart> {
    let deadline = tokio::time::Instant::now() + FRESH_WAIT;
    let mut changes = sim.store.subscribe();
    loop {
        match sim.store.watch_from(kind, rv) {
            Ok(start) => return Some(start),
            Err(Unresumable::Expired { .. }) => return None,
            Err(Unresumable::TooLarge { .. }) => {}
        }
        tokio::select! {
            _ = changes.recv() => {}
            () = tokio::time::sleep_until(deadline) => return None,
        }
    }
}

/// The lines replaying `backlog` for this watch; the last resourceVersion in it.
fn replay(
    backlog: &[Arc<Change>],
    served: &Served,
    filter: &Filter,
    from: u64,
    lines: &mut Vec<Bytes>,
    encoding: &mut Encoding,
) -> u64 {
    let mut last = from;
    for c in backlog {
        last = last.max(c.rv);
        let obj = present(served, &c.object);
        if filter.matches(&obj) {
            lines.push(encoding.line(served, c.change.as_str(), &obj));
        }
    }
    last
}

fn bookmark(served: &Served, rv: u64, initial_end: bool, encoding: &mut Encoding) -> Bytes {
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if initial_end {
        meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    encoding.line(
        served,
        "BOOKMARK",
        &json!({"kind": served.kind_name, "apiVersion": served.api_version(), "metadata": meta}),
    )
}

enum Start {
    /// No resourceVersion: synthetic ADDED for what exists, then changes.
    Fresh,
    From(u64),
}

pub fn respond(
    sim: Arc<Shared>,
    served: &'static Served,
    filter: Filter,
    params: &HashMap<String, String>,
    accept: &str,
) -> Response {
    let include = match crate::table::Include::of(params.get("includeObject").map(String::as_str)) {
        Ok(i) => i,
        Err(message) => return super::bad_request(&message),
    };
    let mut encoding = Encoding {
        table: crate::table::wants_table(accept).then(|| TableEncoding {
            crd: super::crd_of(&sim, served),
            headers_sent: false,
            include,
        }),
    };
    let Some(kind) = served.store else {
        return json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &status_body(405, "MethodNotAllowed", "watch is not supported", None),
        );
    };
    let start = match params.get("resourceVersion").map(String::as_str) {
        None | Some("") | Some("0") => Start::Fresh,
        Some(rv) => match rv.parse::<u64>() {
            Ok(rv) => Start::From(rv),
            Err(_) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &status_body(
                        400,
                        "BadRequest",
                        &format!("invalid resource version: {rv}"),
                        None,
                    ),
                );
            }
        },
    };
    let bookmarks = matches!(
        params.get("allowWatchBookmarks").map(String::as_str),
        Some("true" | "1")
    );
    let send_initial = matches!(
        params.get("sendInitialEvents").map(String::as_str),
        Some("true" | "1")
    );
    let timeout = params
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map(Duration::from_secs);
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    let gone_now = sim.faults.take_gone();
    let mut drops = sim.faults.watch_drops();
    drops.mark_unchanged();

    // Take the starting point synchronously, so no change can slip between it and the stream.
    let mut initial: Vec<Bytes> = Vec::new();
    // A resourceVersion this server has not reached: waited for on the stream's task.
    let mut not_reached: Option<u64> = None;
    let (mut seen_rv, live) = if gone_now {
        let rv = sim.store.resource_version();
        initial.push(gone_line(
            match start {
                Start::From(r) => r,
                Start::Fresh => 1,
            },
            rv,
        ));
        (rv, None)
    } else {
        match start {
            Start::Fresh => {
                let (snap, rx) = sim.store.snapshot_and_subscribe(kind);
                for obj in &snap.items {
                    let obj = present(served, obj);
                    if filter.matches(&obj) {
                        initial.push(encoding.line(served, "ADDED", &obj));
                    }
                }
                if bookmarks && send_initial {
                    initial.push(bookmark(served, snap.rv, true, &mut encoding));
                }
                (snap.rv, Some(rx))
            }
            Start::From(rv) => match sim.store.watch_from(kind, rv) {
                Ok((backlog, rx)) => (
                    replay(&backlog, served, &filter, rv, &mut initial, &mut encoding),
                    Some(rx),
                ),
                Err(Unresumable::Expired { .. }) => {
                    initial.push(gone_line(rv, sim.store.resource_version()));
                    (rv, None)
                }
                Err(Unresumable::TooLarge { .. }) => {
                    not_reached = Some(rv);
                    (rv, None)
                }
            },
        }
    };
    let bookmark_every = sim.bookmark_every;
    tokio::spawn(async move {
        let mut live = live;
        if let Some(rv) = not_reached {
            match when_reached(&sim, kind, rv).await {
                Some((backlog, rx)) => {
                    seen_rv = replay(&backlog, served, &filter, rv, &mut initial, &mut encoding);
                    live = Some(rx);
                }
                None => initial.push(too_large_line(rv, sim.store.resource_version())),
            }
        }
        for line in initial {
            if tx.send(Ok(line)).await.is_err() {
                return;
            }
        }
        let Some(mut live) = live else { return };
        let deadline = timeout.map(|t| tokio::time::Instant::now() + t);
        let mut ticker = tokio::time::interval(bookmark_every);
        ticker.tick().await;
        loop {
            let until_deadline = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            let line = tokio::select! {
                change = live.recv() => match change {
                    Ok(c) => match forward(&c, kind, served, &filter, seen_rv, &mut encoding) {
                        Some(line) => { seen_rv = seen_rv.max(c.rv); line }
                        None => { seen_rv = seen_rv.max(c.rv); continue }
                    },
                    // This watcher fell too far behind: like the apiserver, expire it.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let _ = tx.send(Ok(gone_line(seen_rv, sim.store.resource_version()))).await;
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                },
                _ = ticker.tick(), if bookmarks => bookmark(served, seen_rv, false, &mut encoding),
                () = until_deadline => return,
                _ = drops.changed() => {
                    let _ = tx.send(Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "simulated watch drop"))).await;
                    return;
                }
                () = tx.closed() => return,
            };
            if tx.send(Ok(line)).await.is_err() {
                return;
            }
        }
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(
            tokio_stream::wrappers::ReceiverStream::new(rx),
        ))
        .unwrap_or_else(|_| {
            json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &status_body(500, "InternalError", "watch", None),
            )
        })
}

fn forward(
    c: &Arc<Change>,
    kind: crate::resources::Kind,
    served: &Served,
    filter: &Filter,
    seen_rv: u64,
    encoding: &mut Encoding,
) -> Option<Bytes> {
    if c.kind != kind || c.rv <= seen_rv {
        return None;
    }
    let obj = present(served, &c.object);
    if !filter.matches(&obj) {
        return None;
    }
    let kind_text = match c.change {
        ChangeType::Added => "ADDED",
        ChangeType::Modified => "MODIFIED",
        ChangeType::Deleted => "DELETED",
    };
    Some(encoding.line(served, kind_text, &obj))
}
