//! Log streams for a pane. A manager task watches the pods the target names (one pod by field
//! selector, or a label selector) and starts one stream per container instance; streams parse
//! and sanitise lines off the UI task and send them in batches over a bounded channel, so a
//! flooding container slows its own TCP stream, not the UI.
//!
//! A follow stream that breaks reconnects with `sinceTime` (the last line's second, as the
//! apiserver only takes whole seconds) and drops the lines it already has; the pane is told
//! whether the replay proved that nothing was lost.
//!
//! What to stream is decided by a pure planner (`plan`), the watch loop that feeds it lives in
//! `manager`, one container's request and resume in `stream`, captured Tekton steps in `replay`.
//! Everything is reported under an opaque [`StreamKey`]: the app maps keys to its panes.

mod manager;
mod plan;
mod replay;
mod stream;

use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::mpsc;

use super::log_request::LogRequest;
use super::owner::OwnerError;
use super::step_store::StepStore;
use crate::logline::record::Line;
use crate::logline::source::{NoteKind, Source, SourceId, SourceState};

/// Lines sent to the UI in one message at most.
const BATCH: usize = 2048;
/// Bytes of a timestamp prefix kept on top of a line's cap.
const TS_PREFIX: usize = 40;

/// Names one stream (one request of one pane, restarted streams get a new key): what the
/// stream reports carries it, and the app maps it to the pane showing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamKey(pub u64);

/// One report from a stream.
#[derive(Debug)]
pub struct LogEvent {
    pub key: StreamKey,
    pub report: LogReport,
}

/// What a stream reports about its sources.
#[derive(Debug)]
pub enum LogReport {
    Source {
        id: SourceId,
        source: Source,
    },
    State {
        id: SourceId,
        state: SourceState,
    },
    Lines {
        id: SourceId,
        lines: Vec<Line>,
    },
    Note {
        id: SourceId,
        kind: NoteKind,
        text: String,
        /// The time the note belongs at among the lines (`None`: now, at the end).
        at: Option<Timestamp>,
    },
    /// The target cannot be streamed at all.
    Failed(LogFailure),
    /// Some sources are replayed from the step capture, not streamed live: when they were read.
    Captured {
        at: String,
    },
}

/// Why a target cannot be streamed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogFailure {
    #[error("pod {0} not found")]
    PodNotFound(String),
    /// The pod watch was refused (403) or the credentials were (401).
    #[error("{0}")]
    Refused(super::error::ApiError),
    #[error("{0}")]
    Owner(#[from] OwnerError),
}

/// A running stream; dropping it stops every request it made.
pub struct LogTask(tokio::task::JoinHandle<()>);

impl Drop for LogTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Start streaming `request`, reporting under `key`; requests go through `clients`' current
/// client and give up when the cluster's `path` goes silent (then resume).
pub fn spawn(
    clients: super::credentials::ClientHandle,
    path: super::backoff::PathSignal,
    key: StreamKey,
    request: LogRequest,
    tx: mpsc::Sender<LogEvent>,
    captured: Option<Arc<StepStore>>,
) -> LogTask {
    let report = Reporter { key, tx };
    LogTask(tokio::spawn(manager::manage(
        clients, path, request, report, captured,
    )))
}

/// Sends one stream's reports; `false` once the UI has gone.
#[derive(Clone)]
struct Reporter {
    key: StreamKey,
    tx: mpsc::Sender<LogEvent>,
}

impl Reporter {
    async fn send(&self, report: LogReport) -> bool {
        let key = self.key;
        self.tx.send(LogEvent { key, report }).await.is_ok()
    }

    async fn state(&self, id: SourceId, state: SourceState) -> bool {
        self.send(LogReport::State { id, state }).await
    }

    /// A note of kubedeck's own (from source `id`; 0 when it is about the whole stream).
    async fn note(&self, id: SourceId, kind: NoteKind, text: String) -> bool {
        self.note_at(id, kind, text, None).await
    }

    /// A note placed among the lines at `at` (e.g. an exit right after the source's last line).
    async fn note_at(
        &self,
        id: SourceId,
        kind: NoteKind,
        text: String,
        at: Option<Timestamp>,
    ) -> bool {
        self.send(LogReport::Note { id, kind, text, at }).await
    }
}
