//! Pod logs: the query (follow, tailLines, limitBytes, previous, timestamps, since) and the
//! streamed body.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use serde_json::json;

use super::super::Shared;
use super::super::logs::{self, LogError, LogQuery};
use super::super::resources::{self};
use super::super::store::Key;

type Params = HashMap<String, String>;

use super::*;

fn log_query(params: &Params) -> Result<LogQuery, String> {
    let flag = |k: &str| matches!(params.get(k).map(String::as_str), Some("true" | "1"));
    let int = |k: &str| -> Result<Option<i64>, String> {
        params
            .get(k)
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| format!("{k}: invalid value {v:?}"))
            })
            .transpose()
    };
    let since_time = params
        .get("sinceTime")
        .map(|v| {
            v.parse::<Timestamp>()
                .map_err(|_| format!("sinceTime: invalid value {v:?}"))
        })
        .transpose()?;
    Ok(LogQuery {
        container: params.get("container").cloned(),
        follow: flag("follow"),
        tail_lines: int("tailLines")?,
        limit_bytes: int("limitBytes")?,
        since_seconds: int("sinceSeconds")?,
        since_time,
        timestamps: flag("timestamps"),
        previous: flag("previous"),
    })
}

pub(super) fn pod_log(sim: Arc<Shared>, namespace: &str, name: &str, params: &Params) -> Response {
    let q = match log_query(params) {
        Ok(q) => q,
        Err(m) => return bad_request(&m),
    };
    let key = (namespace.to_string(), name.to_string());
    let Some(pod) = sim.store.get(resources::Kind::Pod, &key) else {
        return status(
            404,
            "NotFound",
            &format!("pods \"{name}\" not found"),
            Some(json!({"name": name, "kind": "pods"})),
        );
    };
    let src = match logs::source(&pod, &q) {
        Ok(s) => s,
        Err(LogError::BadRequest(m)) => return bad_request(&m),
    };
    let mut drops = sim.faults.watch_drops();
    let stream = async_stream_lines(src, q, sim.clone(), key, async move {
        let _ = drops.changed().await;
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| status(500, "InternalError", "failed to build log response", None))
}

/// The log body: the selected lines, then (with `follow`) new lines as they are written until
/// the container instance ends, the byte limit is reached, or the connection is cut.
fn async_stream_lines(
    src: logs::LogSource,
    q: LogQuery,
    sim: Arc<Shared>,
    key: Key,
    cut: impl std::future::Future<Output = ()> + Send + 'static,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    let (first, mut end) = src.selection(&q, Timestamp::now());
    let limit = q.limit_bytes.filter(|l| *l > 0).map(|l| l as usize);
    tokio::spawn(async move {
        let mut sent = 0usize;
        let mut next = first;
        tokio::pin!(cut);
        loop {
            let mut chunk = Vec::new();
            while next < end {
                chunk.extend(src.render(next, q.timestamps));
                next += 1;
                if chunk.len() > 64 * 1024 {
                    break;
                }
            }
            if !chunk.is_empty() {
                let mut bytes = chunk;
                if let Some(l) = limit {
                    bytes.truncate(l.saturating_sub(sent));
                }
                sent += bytes.len();
                if bytes.is_empty() || tx.send(Ok(Bytes::from(bytes))).await.is_err() {
                    return;
                }
                if limit.is_some_and(|l| sent >= l) {
                    return;
                }
                continue;
            }
            if !q.follow || src.end.is_some() {
                return;
            }
            let wake = src.time_of(next);
            let wait = wake
                .duration_since(Timestamp::now())
                .unsigned_abs()
                .min(Duration::from_secs(1));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = &mut cut => {
                    let _ = tx.send(Err(std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "simulated connection drop"))).await;
                    return;
                }
            }
            // Stop following when this container instance is gone (restarted, deleted).
            let same = sim
                .store
                .get(resources::Kind::Pod, &key)
                .and_then(|p| logs::source(&p, &q).ok())
                .is_some_and(|s| s.start == src.start && s.end.is_none());
            if !same {
                return;
            }
            end = src.available(Timestamp::now()).1;
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
