//! Log streams for a pane. A manager task watches the pods the target names (one pod by field
//! selector, or a label selector) and starts one stream per container instance; streams parse
//! and sanitise lines off the UI task and send them in batches over a bounded channel, so a
//! flooding container slows its own TCP stream, not the UI.
//!
//! A follow stream that breaks reconnects with `sinceTime` (the last line's second, as the
//! apiserver only takes whole seconds) and drops the lines it already has; the pane is told
//! whether the replay proved that nothing was lost.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::io::{AsyncBufRead, AsyncBufReadExt};
use futures::{FutureExt, StreamExt};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use kube::api::{Api, LogParams};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::log_request::{LogOptions, LogRequest, LogTarget, step_label};
use super::step_store::StepStore;
use crate::app::layout::PaneId;
use crate::app::logs::buffer::{NoteKind, SourceId};
use crate::app::logs::pane::{Source, SourceState};
use crate::app::logs::record::{Grouper, Line, MAX_LINE_BYTES, parse_line};

/// Lines sent to the UI in one message at most.
const BATCH: usize = 2048;
/// Bytes of a timestamp prefix kept on top of a line's cap.
const TS_PREFIX: usize = 40;

/// What a pane's streams report to the UI task.
#[derive(Debug)]
pub enum LogEvent {
    Source {
        pane: PaneId,
        id: SourceId,
        source: Source,
    },
    State {
        pane: PaneId,
        id: SourceId,
        state: SourceState,
    },
    Lines {
        pane: PaneId,
        id: SourceId,
        lines: Vec<Line>,
    },
    Note {
        pane: PaneId,
        id: SourceId,
        kind: NoteKind,
        text: String,
        /// The time the note belongs at among the lines (`None`: now, at the end).
        at: Option<Timestamp>,
    },
    /// The target cannot be streamed at all (not found, forbidden).
    Failed { pane: PaneId, error: String },
    /// Some sources are replayed from the step capture, not streamed live: when they were read.
    Captured { pane: PaneId, at: String },
}

/// A running pane stream; dropping it stops every request it made.
pub struct LogTask(tokio::task::JoinHandle<()>);

impl Drop for LogTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Send a note of kubedeck's own to a pane (from source `id`; 0 when it is about the pane).
async fn note(
    tx: &mpsc::Sender<LogEvent>,
    pane: PaneId,
    id: SourceId,
    kind: NoteKind,
    text: String,
) {
    let _ = tx
        .send(LogEvent::Note {
            pane,
            id,
            kind,
            text,
            at: None,
        })
        .await;
}

/// Start streaming `request` for `pane`.
pub fn spawn(
    client: kube::Client,
    pane: PaneId,
    request: LogRequest,
    tx: mpsc::Sender<LogEvent>,
    captured: Option<Arc<StepStore>>,
) -> LogTask {
    LogTask(tokio::spawn(manage(client, pane, request, tx, captured)))
}

type Pods = Arc<HashMap<String, Pod>>;

/// When a container instance started: the key that tells a restart from a reconnect.
fn instance_of(status: &ContainerStatus, previous: bool) -> Option<Timestamp> {
    let state = status.state.as_ref();
    let last = status
        .last_state
        .as_ref()
        .and_then(|s| s.terminated.as_ref());
    let started = |t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time| t.0;
    if previous {
        return last.and_then(|t| t.started_at.as_ref()).map(started);
    }
    state
        .and_then(|s| s.running.as_ref())
        .and_then(|r| r.started_at.as_ref())
        .or_else(|| {
            state
                .and_then(|s| s.terminated.as_ref())
                .and_then(|t| t.started_at.as_ref())
        })
        // Waiting after a crash: the kubelet serves the instance that last ran.
        .or_else(|| last.and_then(|t| t.started_at.as_ref()))
        .map(started)
}

/// A pod's container statuses, init containers first, in spec order.
fn statuses(pod: &Pod) -> Vec<&ContainerStatus> {
    let st = pod.status.as_ref();
    st.and_then(|s| s.init_container_statuses.as_ref())
        .into_iter()
        .flatten()
        .chain(
            st.and_then(|s| s.container_statuses.as_ref())
                .into_iter()
                .flatten(),
        )
        .collect()
}

fn status_of<'a>(
    pods: &'a HashMap<String, Pod>,
    pod: &str,
    container: &str,
) -> Option<&'a ContainerStatus> {
    pods.get(pod)
        .and_then(|p| statuses(p).into_iter().find(|s| s.name == container))
}

/// How an instance stands in the newest pod snapshot.
#[derive(Debug, PartialEq, Eq)]
enum Standing {
    Running,
    Ended(Option<i32>),
    Gone,
}

fn standing(
    pods: &HashMap<String, Pod>,
    pod: &str,
    container: &str,
    instance: Timestamp,
) -> Standing {
    let Some(s) = status_of(pods, pod, container) else {
        return if pods.contains_key(pod) {
            Standing::Running
        } else {
            Standing::Gone
        };
    };
    let state = s.state.as_ref();
    if let Some(r) = state.and_then(|s| s.running.as_ref())
        && r.started_at.as_ref().map(|t| t.0) == Some(instance)
    {
        return Standing::Running;
    }
    let terminated = state
        .and_then(|s| s.terminated.as_ref())
        .filter(|t| t.started_at.as_ref().map(|t| t.0) == Some(instance))
        .or_else(|| {
            s.last_state
                .as_ref()
                .and_then(|l| l.terminated.as_ref())
                .filter(|t| t.started_at.as_ref().map(|t| t.0) == Some(instance))
        });
    Standing::Ended(terminated.map(|t| t.exit_code))
}

/// The short prefix for a source: enough to tell pods and containers apart.
fn label_for(target: &LogTarget, pod: &Pod, container: &str) -> String {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let containers = pod.spec.as_ref().map_or(1, |s| s.containers.len());
    match target {
        LogTarget::Pod { .. } => container.to_string(),
        LogTarget::Tekton { kind, .. } => {
            let task = pod
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("tekton.dev/pipelineTask"));
            step_label(kind, task.map(String::as_str), container)
        }
        LogTarget::Selector { .. } | LogTarget::Owner { .. } => {
            // Generated names end in a random suffix, which is what tells replicas apart.
            let short = if name.matches('-').count() >= 2 {
                name.rsplit('-').next().unwrap_or(name)
            } else {
                name
            };
            if containers > 1 {
                format!("{short}/{container}")
            } else {
                short.to_string()
            }
        }
    }
}

fn api_error(e: &kube::Error) -> Option<(u16, String)> {
    match e {
        kube::Error::Api(s) => Some((s.code, s.message.clone())),
        _ => None,
    }
}

fn watch_error(e: &watcher::Error) -> Option<(u16, String)> {
    match e {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => api_error(e),
        watcher::Error::WatchError(s) => Some((s.code, s.message.clone())),
        watcher::Error::NoResourceVersion => None,
    }
}

struct Slot {
    id: SourceId,
    instance: Timestamp,
}

async fn manage(
    client: kube::Client,
    pane: PaneId,
    request: LogRequest,
    tx: mpsc::Sender<LogEvent>,
    captured: Option<Arc<StepStore>>,
) {
    let LogRequest { target, options } = request;
    let api_client = client.clone();
    let api: Api<Pod> = match target.namespace() {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let selector = match &target {
        LogTarget::Owner {
            namespace,
            kind,
            name,
        } => match super::owner::owner_selector(api_client, namespace, *kind, name).await {
            Ok(sel) => {
                let text = format!("{target}: pods matching {sel}");
                note(&tx, pane, 0, NoteKind::Info, text).await;
                Some(sel)
            }
            Err(error) => {
                let _ = tx.send(LogEvent::Failed { pane, error }).await;
                return;
            }
        },
        _ => target.selector(),
    };
    let config = match (&target, selector) {
        (LogTarget::Pod { name, .. }, _) => {
            watcher::Config::default().fields(&format!("metadata.name={name}"))
        }
        (_, Some(sel)) => watcher::Config::default().labels(&sel),
        (_, None) => watcher::Config::default(),
    };
    let (snapshot_tx, snapshot_rx) = watch::channel::<Pods>(Arc::default());
    let mut pods: HashMap<String, Pod> = HashMap::new();
    let mut slots: HashMap<(String, String), Slot> = HashMap::new();
    let mut next_id: SourceId = 0;
    let mut noted: std::collections::HashSet<(String, String)> = std::collections::HashSet::new();
    let mut streams = JoinSet::new();
    let mut listing: Option<Vec<String>> = None;
    let mut synced = false;
    let mut events = watcher(api.clone(), config).default_backoff().boxed();
    loop {
        let ev = tokio::select! {
            ev = events.next() => ev,
            // Reap finished streams so the set does not grow.
            Some(_) = streams.join_next(), if !streams.is_empty() => continue,
        };
        let Some(ev) = ev else { return };
        match ev {
            Ok(watcher::Event::Init) => listing = Some(Vec::new()),
            Ok(watcher::Event::InitApply(p)) => {
                if let (Some(l), Some(n)) = (listing.as_mut(), p.metadata.name.clone()) {
                    l.push(n);
                }
                if let Some(n) = p.metadata.name.clone() {
                    pods.insert(n, p);
                }
            }
            Ok(watcher::Event::InitDone) => {
                // A relist after a break: pods missing from it are gone.
                if let Some(listed) = listing.take() {
                    let gone: Vec<String> = pods
                        .keys()
                        .filter(|n| !listed.contains(n))
                        .cloned()
                        .collect();
                    for n in gone {
                        pods.remove(&n);
                        gone_note(&tx, pane, &slots, &n).await;
                    }
                }
                // Steps whose pods are gone come from the capture, once, when the pane opens.
                let replayed = match (&captured, synced) {
                    (Some(store), false) => {
                        let live: Vec<String> = pods.keys().cloned().collect();
                        replay_captured(&tx, pane, store.clone(), &target, live, &mut next_id).await
                    }
                    _ => 0,
                };
                if !synced && pods.is_empty() && replayed == 0 {
                    if let LogTarget::Pod { name, .. } = &target {
                        let _ = tx
                            .send(LogEvent::Failed {
                                pane,
                                error: format!("pod {name} not found"),
                            })
                            .await;
                        return;
                    }
                    note(
                        &tx,
                        pane,
                        0,
                        NoteKind::Info,
                        "no pods match yet; waiting for some to appear".into(),
                    )
                    .await;
                }
                synced = true;
            }
            Ok(watcher::Event::Apply(p)) => {
                if let Some(n) = p.metadata.name.clone() {
                    pods.insert(n, p);
                }
            }
            Ok(watcher::Event::Delete(p)) => {
                if let Some(n) = p.metadata.name.clone() {
                    pods.remove(&n);
                    gone_note(&tx, pane, &slots, &n).await;
                }
            }
            Err(e) => {
                if let Some((code, msg)) = watch_error(&e)
                    && (code == 403 || code == 401)
                {
                    let _ = tx.send(LogEvent::Failed { pane, error: msg }).await;
                    return;
                }
                continue;
            }
        }
        if listing.is_some() {
            continue;
        }
        let snapshot: Pods = Arc::new(pods.clone());
        snapshot_tx.send_replace(snapshot.clone());
        // Start a stream for every wanted container instance not streamed yet.
        let mut names: Vec<&String> = snapshot.keys().collect();
        names.sort();
        for name in names {
            let Some(pod) = snapshot.get(name) else {
                continue;
            };
            for status in statuses(pod) {
                if !target.wants(&status.name) {
                    continue;
                }
                let Some(instance) = instance_of(status, options.previous) else {
                    let waiting = status
                        .state
                        .as_ref()
                        .and_then(|s| s.waiting.as_ref())
                        .and_then(|w| w.reason.clone());
                    if !options.previous
                        && let Some(reason) = waiting
                        && noted.insert((name.clone(), status.name.clone()))
                    {
                        // Said once: its lines come when it starts (this same watch starts them).
                        let text = format!(
                            "{name}/{}: not started yet ({reason}), no log so far",
                            status.name
                        );
                        note(&tx, pane, 0, NoteKind::Info, text).await;
                    }
                    if options.previous && noted.insert((name.clone(), status.name.clone())) {
                        note(
                            &tx,
                            pane,
                            0,
                            NoteKind::Info,
                            format!(
                                "{name}/{}: no previous instance (it has not restarted)",
                                status.name
                            ),
                        )
                        .await;
                    }
                    continue;
                };
                let key = (name.clone(), status.name.clone());
                let restart = match slots.get(&key) {
                    Some(s) if s.instance == instance => continue,
                    Some(_) => true,
                    // A one-shot request is made once per container.
                    None => false,
                };
                if restart && (options.previous || !options.follow) {
                    continue;
                }
                let id = match slots.get(&key) {
                    Some(s) => s.id,
                    None => {
                        let id = next_id;
                        next_id = next_id.saturating_add(1);
                        let source = Source {
                            pod: name.clone(),
                            container: status.name.clone(),
                            label: label_for(&target, pod, &status.name),
                            state: SourceState::Streaming,
                        };
                        let _ = tx.send(LogEvent::Source { pane, id, source }).await;
                        id
                    }
                };
                if restart {
                    note(
                        &tx,
                        pane,
                        id,
                        NoteKind::Info,
                        format!("{name}/{}: container restarted", status.name),
                    )
                    .await;
                    let _ = tx
                        .send(LogEvent::State {
                            pane,
                            id,
                            state: SourceState::Streaming,
                        })
                        .await;
                }
                slots.insert(key, Slot { id, instance });
                let stream = Stream {
                    api: api.clone(),
                    pane,
                    id,
                    pod: name.clone(),
                    container: status.name.clone(),
                    instance,
                    options: options.clone(),
                    tx: tx.clone(),
                    pods: snapshot_rx.clone(),
                };
                streams.spawn(stream.run(restart));
            }
        }
    }
}

/// Replay the captured steps of a Tekton target whose pods are not live (`live`); how many
/// steps were replayed.
async fn replay_captured(
    tx: &mpsc::Sender<LogEvent>,
    pane: PaneId,
    store: Arc<StepStore>,
    target: &LogTarget,
    live: Vec<String>,
    next_id: &mut SourceId,
) -> usize {
    let LogTarget::Tekton {
        namespace,
        kind,
        name,
    } = target
    else {
        return 0;
    };
    let found = {
        let (namespace, name) = (namespace.clone(), name.clone());
        let kind: &'static str = kind;
        tokio::task::spawn_blocking(move || store.find(&namespace, kind, &name, &live))
            .await
            .unwrap_or_default()
    };
    let mut steps = 0;
    let mut newest = String::new();
    for pod in &found {
        for (step, bytes) in &pod.logs {
            let id = *next_id;
            *next_id = next_id.saturating_add(1);
            steps += 1;
            newest = newest.max(step.captured_at.clone());
            let source = Source {
                pod: pod.meta.pod.clone(),
                container: step.container.clone(),
                label: step_label(kind, pod.meta.pipeline_task.as_deref(), &step.container),
                state: if step.interrupted {
                    SourceState::Interrupted
                } else {
                    SourceState::Ended(Some(step.exit_code))
                },
            };
            if tx
                .send(LogEvent::Source { pane, id, source })
                .await
                .is_err()
            {
                return steps;
            }
            let lines = captured_lines(bytes);
            let last_ts = lines.iter().rev().find_map(|l| l.ts);
            for chunk in lines.chunks(BATCH) {
                let lines = chunk.to_vec();
                let _ = tx.send(LogEvent::Lines { pane, id, lines }).await;
            }
            if step.interrupted {
                let text = format!(
                    "{}/{} was still running when its pod was deleted: its log up to then",
                    pod.meta.pod, step.container
                );
                // Right after the step's last line: it kept printing after the deletion mark.
                let at = last_ts.or_else(|| step.finished_at.parse::<Timestamp>().ok());
                let kind = NoteKind::Warning;
                let note = LogEvent::Note {
                    pane,
                    id,
                    kind,
                    text,
                    at,
                };
                let _ = tx.send(note).await;
            }
            if step.truncated {
                let text = format!(
                    "{}/{}: only the first {} MiB were captured",
                    pod.meta.pod,
                    step.container,
                    super::step_capture::STEP_LIMIT_BYTES >> 20
                );
                note(tx, pane, id, NoteKind::Warning, text).await;
            }
        }
    }
    if steps > 0 {
        let at = newest
            .parse::<Timestamp>()
            .map(|t| {
                t.to_zoned(jiff::tz::TimeZone::system())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or(newest);
        let pods = found.len();
        let text = format!(
            "{pods} pod(s) of {kind} {name} are gone: {steps} step(s) shown as kubedeck captured them ({at})"
        );
        note(tx, pane, 0, NoteKind::Info, text).await;
        let _ = tx.send(LogEvent::Captured { pane, at }).await;
    }
    steps
}

/// Lines of a captured log, cut and parsed as a live stream's are.
fn captured_lines(bytes: &[u8]) -> Vec<Line> {
    let mut grouper = Grouper::default();
    let cap = MAX_LINE_BYTES + TS_PREFIX;
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if bytes.is_empty() {
        return Vec::new();
    }
    bytes
        .split(|&b| b == b'\n')
        .map(|piece| {
            let (kept, dropped) = if piece.len() > cap {
                (&piece[..cap], piece.len() - cap)
            } else {
                (piece, 0)
            };
            parse_line(kept, dropped, &mut grouper)
        })
        .collect()
}

async fn gone_note(
    tx: &mpsc::Sender<LogEvent>,
    pane: PaneId,
    slots: &HashMap<(String, String), Slot>,
    pod: &str,
) {
    let mut first = true;
    for ((p, _), slot) in slots.iter().filter(|((p, _), _)| p == pod) {
        let _ = tx
            .send(LogEvent::State {
                pane,
                id: slot.id,
                state: SourceState::Gone,
            })
            .await;
        if std::mem::take(&mut first) {
            note(
                tx,
                pane,
                slot.id,
                NoteKind::Warning,
                format!("pod {p} is gone"),
            )
            .await;
        }
    }
}

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
}

struct Stream {
    api: Api<Pod>,
    pane: PaneId,
    id: SourceId,
    pod: String,
    container: String,
    instance: Timestamp,
    options: LogOptions,
    tx: mpsc::Sender<LogEvent>,
    pods: watch::Receiver<Pods>,
}

/// Whole seconds at or before `t` (kube-rs rounds `sinceTime` to the nearest second, which
/// could skip lines).
fn floor_second(t: Timestamp) -> Timestamp {
    Timestamp::from_second(t.as_second()).unwrap_or(t)
}

impl Stream {
    async fn send(&self, ev: LogEvent) -> bool {
        self.tx.send(ev).await.is_ok()
    }

    async fn state(&self, state: SourceState) -> bool {
        self.send(LogEvent::State {
            pane: self.pane,
            id: self.id,
            state,
        })
        .await
    }

    async fn note(&self, kind: NoteKind, text: String) -> bool {
        self.note_at(kind, text, None).await
    }

    /// A note placed among the lines at `at` (e.g. an exit right after the source's last line).
    async fn note_at(&self, kind: NoteKind, text: String, at: Option<Timestamp>) -> bool {
        self.send(LogEvent::Note {
            pane: self.pane,
            id: self.id,
            kind,
            text,
            at,
        })
        .await
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

    async fn run(self, fresh_instance: bool) {
        let mut resume: Option<Resume> = None;
        let mut grouper = Grouper::default();
        let mut broke = false;
        let mut backoff = Duration::from_millis(250);
        let what = format!("{}/{}", self.pod, self.container);
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
                    if api_error(&e).is_some_and(|(c, _)| c != 429 && c < 500) =>
                {
                    let (code, msg) = api_error(&e).unwrap_or((0, e.to_string()));
                    if code == 404 || code == 400 {
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
        let reader = self.api.log_stream(&self.pod, params).await?;
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
            let chunk = reader.fill_buf().await?;
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
            self.send(LogEvent::Lines {
                pane: self.pane,
                id: self.id,
                lines,
            })
            .await;
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
    use serde_json::json;

    fn pod(v: serde_json::Value) -> Pod {
        serde_json::from_value(v).unwrap_or_default()
    }

    #[test]
    fn instances_and_standing() {
        let p = pod(json!({
            "metadata": {"name": "api-6d4f-x7k2p"},
            "spec": {"containers": [{"name": "app"}, {"name": "envoy"}]},
            "status": {"containerStatuses": [
                {"name": "app", "ready": true, "restartCount": 3, "image": "", "imageID": "",
                 "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}},
                 "lastState": {"terminated": {"exitCode": 1, "startedAt": "2026-11-22T09:00:00Z", "finishedAt": "2026-11-22T09:59:00Z"}}},
                {"name": "envoy", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"waiting": {"reason": "ContainerCreating"}}}
            ]}
        }));
        let s = statuses(&p);
        let t = |s: &str| s.parse::<Timestamp>().ok();
        assert_eq!(instance_of(s[0], false), t("2026-11-22T10:00:00Z"));
        assert_eq!(instance_of(s[0], true), t("2026-11-22T09:00:00Z"));
        assert_eq!(
            instance_of(s[1], false),
            None,
            "not started: nothing to read"
        );
        let mut pods = HashMap::new();
        pods.insert("api-6d4f-x7k2p".to_string(), p.clone());
        let now = t("2026-11-22T10:00:00Z").unwrap_or_default();
        let old = t("2026-11-22T09:00:00Z").unwrap_or_default();
        assert_eq!(
            standing(&pods, "api-6d4f-x7k2p", "app", now),
            Standing::Running
        );
        assert_eq!(
            standing(&pods, "api-6d4f-x7k2p", "app", old),
            Standing::Ended(Some(1))
        );
        assert_eq!(standing(&pods, "other", "app", now), Standing::Gone);
        let sel = LogTarget::Selector {
            namespace: None,
            selector: "app=api".into(),
        };
        assert_eq!(label_for(&sel, &p, "envoy"), "x7k2p/envoy");
    }

    #[test]
    fn captured_logs_read_back_as_a_live_stream_would() {
        let mut raw = b"2026-11-22T10:00:00.000000001Z fetching\n".to_vec();
        raw.extend_from_slice(b"2026-11-22T10:00:01Z \x1b]52;c;aGk=\x07panic: boom\n");
        raw.extend_from_slice(b"2026-11-22T10:00:01Z goroutine 1 [running]:\n");
        raw.extend_from_slice(b"2026-11-22T10:00:02Z ");
        raw.extend(std::iter::repeat_n(b'x', MAX_LINE_BYTES + 5000));
        raw.push(b'\n');
        let lines = captured_lines(&raw);
        assert_eq!(lines.len(), 4, "the trailing newline ends the last line");
        assert_eq!(lines[0].text, "fetching");
        assert!(lines[0].ts.is_some());
        assert!(!lines[1].text.contains('\x1b'), "{:?}", lines[1].text);
        assert!(lines[2].continuation, "a panic's frames stay with it");
        assert!(lines[3].text.contains("line cut"), "long lines are cut");
        assert!(lines[3].text.len() < MAX_LINE_BYTES + 200);
        assert!(captured_lines(b"").is_empty());
    }

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
