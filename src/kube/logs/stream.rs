//! One container instance's log: the request (tail, since, limitBytes, previous), lines cut
//! and parsed as they arrive, and the resume after a break (`sinceTime`, skipping the lines
//! already shown, and saying whether the replay proved that nothing was lost).

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::io::{AsyncBufRead, AsyncBufReadExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use tokio::sync::watch;

use super::plan::{PodKey, Pods, Standing, standing};
use super::{BATCH, LogReport, Reporter, TS_PREFIX};
use crate::kube::backoff::PathSignal;
use crate::kube::credentials::ClientHandle;
use crate::kube::error::ApiError;
use crate::kube::log_request::LogOptions;
use crate::logline::record::{Grouper, Line, MAX_LINE_BYTES, parse_line};
use crate::logline::source::{NoteKind, SourceId, SourceState};

/// Where a broken stream resumes: the last line's time and how many lines carried it.
#[derive(Debug, Clone, Copy)]
struct Resume {
    last_ts: Timestamp,
    at_last: usize,
}

struct ReadStats {
    bytes: u64,
}

#[derive(Debug, thiserror::Error)]
enum ReadError {
    #[error("{0}")]
    Request(#[from] kube::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The cluster's connection went silent while this waited on it.
    #[error("{}", crate::kube::liveness::SILENT)]
    Lost,
    /// It came back while this waited on a request made while it was silent: ask again.
    #[error("the connection is back")]
    Back,
}

pub(super) struct Stream {
    /// The cluster's client, taken afresh for each request (rebuilt after a silence).
    pub clients: ClientHandle,
    /// The cluster's path changes: a read waiting on a silent connection gives up.
    pub path: PathSignal,
    pub report: Reporter,
    pub id: SourceId,
    pub pod: PodKey,
    pub container: String,
    pub instance: Timestamp,
    pub options: LogOptions,
    pub pods: watch::Receiver<Arc<Pods>>,
}

/// Whole seconds at or before `t` (kube-rs rounds `sinceTime` to the nearest second, which
/// could skip lines).
fn floor_second(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

impl Stream {
    async fn state(&self, state: SourceState) -> bool {
        self.report.state(self.id, state).await
    }

    async fn note(&self, kind: NoteKind, text: String) -> bool {
        self.report.note(self.id, kind, text).await
    }

    async fn note_at(&self, kind: NoteKind, text: String, at: Option<Timestamp>) -> bool {
        self.report.note_at(self.id, kind, text, at).await
    }

    fn params(&self, resume: Option<Resume>, fresh_instance: bool) -> LogParams {
        let o = &self.options;
        LogParams {
            container: Some(self.container.clone()),
            follow: o.follow,
            previous: o.previous,
            timestamps: true,
            limit_bytes: Some(o.limit_bytes),
            // A restarted container is read from its start (still bounded by limitBytes).
            tail_lines: match (resume, fresh_instance) {
                (None, false) => Some(o.tail_lines),
                _ => None,
            },
            since_seconds: if resume.is_none() && !fresh_instance {
                o.since.map(|d| d.as_secs())
            } else {
                None
            },
            since_time: resume.map(|r| floor_second(r.last_ts)),
            ..LogParams::default()
        }
    }

    pub async fn run(self, fresh_instance: bool) {
        let mut resume: Option<Resume> = None;
        let mut grouper = Grouper::default();
        let mut broke = false;
        let mut backoff = Duration::from_millis(250);
        let what = format!("{}/{}", self.pod.name, self.container);
        loop {
            let params = self.params(resume, fresh_instance);
            let result = self
                .read(
                    &params,
                    &mut resume,
                    &mut grouper,
                    std::mem::take(&mut broke),
                )
                .await;
            if !self.options.follow {
                let _ = match result {
                    Err(e) => self.state(SourceState::Failed(e.to_string())).await,
                    Ok(_) => self.state(SourceState::Ended(None)).await,
                };
                return;
            }
            match result {
                Ok(stats) if stats.bytes >= self.options.limit_bytes as u64 => continue,
                Ok(_) => {
                    // A clean end: the container stopped, or the server closed the stream.
                    match self.settled().await {
                        Standing::Running => {}
                        Standing::Ended(code) => {
                            let text = match code {
                                Some(c) => format!("{what} exited with code {c}"),
                                None => format!("{what} ended"),
                            };
                            let kind = if code.is_some_and(|c| c != 0) {
                                NoteKind::Warning
                            } else {
                                NoteKind::Info
                            };
                            // Right after its last line, not after other sources' later ones.
                            self.note_at(kind, text, resume.map(|r| r.last_ts)).await;
                            self.state(SourceState::Ended(code)).await;
                            return;
                        }
                        Standing::Gone => {
                            self.state(SourceState::Gone).await;
                            return;
                        }
                    }
                }
                Err(ReadError::Request(e))
                    if ApiError::from(&e)
                        .code()
                        .is_some_and(|c| c != 429 && c < 500) =>
                {
                    let error = ApiError::from(&e);
                    let msg = match &error {
                        ApiError::Status { message, .. }
                        | ApiError::NotFound(message)
                        | ApiError::Forbidden(message)
                        | ApiError::Conflict(message) => message.clone(),
                        other => other.to_string(),
                    };
                    if matches!(error.code(), Some(404 | 400)) {
                        // The pod or instance went away between the watch and the request.
                        if self.settled().await == Standing::Gone {
                            self.state(SourceState::Gone).await;
                            return;
                        }
                    }
                    self.note(NoteKind::Warning, format!("{what}: {msg}")).await;
                    self.state(SourceState::Failed(msg)).await;
                    return;
                }
                Err(ReadError::Back) => {
                    broke = true;
                    continue;
                }
                Err(ReadError::Lost) => {
                    // Said once, and nothing is asked of a silent connection: the stream
                    // resumes when the cluster answers again.
                    broke = true;
                    let why = ReadError::Lost.to_string();
                    self.note(NoteKind::Warning, format!("{what}: {why}")).await;
                    if !self.state(SourceState::Reconnecting(why)).await {
                        return;
                    }
                    let mut path = self.path.fresh();
                    while path.silent() {
                        path.changed().await;
                    }
                    self.state(SourceState::Streaming).await;
                    continue;
                }
                Err(e) => {
                    broke = true;
                    if !self.state(SourceState::Reconnecting(e.to_string())).await {
                        return;
                    }
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(10));
                    if self.settled().await == Standing::Gone {
                        self.state(SourceState::Gone).await;
                        return;
                    }
                    self.state(SourceState::Streaming).await;
                    continue;
                }
            }
            backoff = Duration::from_millis(250);
        }
    }

    /// How the instance stands, giving the pod watch a moment to catch up with a stream that
    /// ended before the status said so.
    async fn settled(&self) -> Standing {
        let mut pods = self.pods.clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        loop {
            let now = standing(
                &pods.borrow_and_update(),
                &self.pod,
                &self.container,
                self.instance,
            );
            if now != Standing::Running {
                return now;
            }
            match tokio::time::timeout_at(deadline, pods.changed()).await {
                Ok(Ok(())) => continue,
                _ => return Standing::Running,
            }
        }
    }

    async fn read(
        &self,
        params: &LogParams,
        resume: &mut Option<Resume>,
        grouper: &mut Grouper,
        after_break: bool,
    ) -> Result<ReadStats, ReadError> {
        let mut path = self.path.fresh();
        let api: Api<Pod> = Api::namespaced(self.clients.client(), &self.pod.namespace);
        let lost = |path: &PathSignal| {
            if path.silent() {
                ReadError::Lost
            } else {
                ReadError::Back
            }
        };
        let reader = match path.cut(api.log_stream(&self.pod.name, params)).await {
            Some(reader) => reader?,
            None => return Err(lost(&path)),
        };
        futures::pin_mut!(reader);
        let mut stats = ReadStats { bytes: 0 };
        let mut replay = *resume;
        let mut replayed = 0usize;
        let mut batch: Vec<Line> = Vec::new();
        let mut partial: Vec<u8> = Vec::new();
        let mut dropped = 0usize;
        let cap = MAX_LINE_BYTES + TS_PREFIX;
        let mut emit = |raw: &[u8],
                        dropped: usize,
                        batch: &mut Vec<Line>,
                        notes: &mut Vec<(NoteKind, String)>| {
            let line = parse_line(raw, dropped, grouper);
            if let Some(r) = replay {
                match line.ts {
                    Some(ts) if ts < r.last_ts => return,
                    Some(ts) if ts == r.last_ts && replayed < r.at_last => {
                        replayed += 1;
                        return;
                    }
                    _ => {
                        replay = None;
                        notes.extend(replay_note(r, replayed, after_break));
                    }
                }
            }
            match (line.ts, resume.as_mut()) {
                (Some(ts), Some(r)) if ts == r.last_ts => r.at_last += 1,
                (Some(ts), _) => {
                    *resume = Some(Resume {
                        last_ts: ts,
                        at_last: 1,
                    })
                }
                (None, _) => {}
            }
            batch.push(line);
        };
        let mut notes: Vec<(NoteKind, String)> = Vec::new();
        loop {
            if reader.fill_buf().now_or_never().is_none() && !batch.is_empty() {
                self.flush(&mut batch, &mut notes).await;
            }
            let Some(chunk) = path.cut(reader.fill_buf()).await else {
                // Nothing comes on a silent connection: what was read is shown, and the
                // stream resumes after it once the cluster answers.
                self.flush(&mut batch, &mut notes).await;
                return Err(lost(&path));
            };
            let chunk = chunk?;
            if chunk.is_empty() {
                break;
            }
            let n = chunk.len();
            stats.bytes += n as u64;
            let mut rest = chunk;
            while let Some(pos) = rest.iter().position(|&b| b == b'\n') {
                let piece = &rest[..pos];
                if partial.is_empty() && piece.len() <= cap {
                    emit(piece, dropped, &mut batch, &mut notes);
                } else {
                    take_capped(&mut partial, &mut dropped, piece, cap);
                    emit(&partial, dropped, &mut batch, &mut notes);
                    partial.clear();
                }
                dropped = 0;
                rest = &rest[pos + 1..];
                if batch.len() >= BATCH {
                    self.flush(&mut batch, &mut notes).await;
                }
            }
            take_capped(&mut partial, &mut dropped, rest, cap);
            reader.as_mut().consume(n);
        }
        if !partial.is_empty() {
            emit(&partial, dropped, &mut batch, &mut notes);
        }
        if let Some(r) = replay
            && after_break
        {
            // Nothing came back past the resume point: fine if the replay was whole.
            notes.extend(replay_note(r, replayed, after_break));
        }
        self.flush(&mut batch, &mut notes).await;
        Ok(stats)
    }

    /// Send notes (they come before the lines that follow them) and the batch.
    async fn flush(&self, batch: &mut Vec<Line>, notes: &mut Vec<(NoteKind, String)>) {
        for (kind, text) in notes.drain(..) {
            self.note(kind, text).await;
        }
        if !batch.is_empty() {
            let lines = std::mem::take(batch);
            let id = self.id;
            self.report.send(LogReport::Lines { id, lines }).await;
        }
    }
}

/// What to tell the pane once a resumed stream has passed its replay: a warning when the server
/// did not send back every line that carried the last timestamp (a gap is possible), and after
/// a broken connection, that nothing was lost.
fn replay_note(r: Resume, replayed: usize, after_break: bool) -> Option<(NoteKind, String)> {
    let at = r.last_ts.strftime("%H:%M:%S");
    if replayed < r.at_last {
        Some((
            NoteKind::Warning,
            format!(
                "reconnected after {at}: lines may be missing (the server did not replay the last line)"
            ),
        ))
    } else if after_break {
        Some((
            NoteKind::Info,
            format!("reconnected: resumed after {at}, no lines lost"),
        ))
    } else {
        None
    }
}

/// Append up to `cap` bytes of `piece` to `partial`, counting what does not fit.
fn take_capped(partial: &mut Vec<u8>, dropped: &mut usize, piece: &[u8], cap: usize) {
    let room = cap.saturating_sub(partial.len());
    let keep = piece.len().min(room);
    partial.extend_from_slice(&piece[..keep]);
    *dropped += piece.len() - keep;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_reads_count_what_they_drop() {
        let mut partial = Vec::new();
        let mut dropped = 0;
        take_capped(&mut partial, &mut dropped, b"abcdef", 4);
        take_capped(&mut partial, &mut dropped, b"gh", 4);
        assert_eq!((partial.as_slice(), dropped), (&b"abcd"[..], 4));
    }

    #[test]
    fn since_time_never_rounds_up() {
        let t: Timestamp = "2026-11-22T10:00:05.7Z".parse().unwrap_or_default();
        assert_eq!(floor_second(t).to_string(), "2026-11-22T10:00:05Z");
    }
}
