//! The I/O loop of one stream: watch the target's pods, keep the newest of them, and carry out
//! what the planner decides (announce sources, notes, start one reader per container instance,
//! mark the sources of pods that went away).

use std::sync::Arc;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::plan::{Planner, PodKey, Pods, Step};
use super::replay::replay_captured;
use super::stream::Stream;
use super::{LogFailure, LogReport, Reporter};
use crate::kube::backoff::PathSignal;
use crate::kube::credentials::ClientHandle;
use crate::kube::error::ApiError;
use crate::kube::log_request::{LogRequest, LogTarget};
use crate::kube::step_store::StepStore;
use crate::logline::source::NoteKind;

/// The API error a watcher error carries, if the server answered.
fn refused(e: &watcher::Error) -> Option<ApiError> {
    let error = match e {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => ApiError::from(e),
        watcher::Error::WatchError(s) => ApiError::from(kube::Error::Api(s.clone())),
        watcher::Error::NoResourceVersion => return None,
    };
    matches!(error, ApiError::Forbidden(_) | ApiError::Unauthorized).then_some(error)
}

/// The label selector to watch, reading a workload's from the cluster first.
async fn selector_of(
    client: &kube::Client,
    target: &LogTarget,
    report: &Reporter,
) -> Result<Option<String>, LogFailure> {
    let LogTarget::Owner {
        namespace,
        kind,
        name,
    } = target
    else {
        return Ok(target.selector());
    };
    let sel = crate::kube::owner::owner_selector(client.clone(), namespace, *kind, name).await?;
    let text = format!("{target}: pods matching {sel}");
    report.note(0, NoteKind::Info, text).await;
    Ok(Some(sel))
}

pub(super) async fn manage(
    clients: ClientHandle,
    mut path: PathSignal,
    request: LogRequest,
    report: Reporter,
    captured: Option<Arc<StepStore>>,
) {
    let LogRequest {
        target, options, ..
    } = request;
    let client = clients.client();
    let selector = match selector_of(&client, &target, &report).await {
        Ok(s) => s,
        Err(failure) => {
            report.send(LogReport::Failed(failure)).await;
            return;
        }
    };
    let config = match (&target, selector) {
        (LogTarget::Pod { name, .. }, _) => {
            watcher::Config::default().fields(&format!("metadata.name={name}"))
        }
        (LogTarget::Pods { pods, .. }, _) if pods.len() == 1 => {
            watcher::Config::default().fields(&format!("metadata.name={}", pods[0].1))
        }
        (_, Some(sel)) => watcher::Config::default().labels(&sel),
        (_, None) => watcher::Config::default(),
    };
    let pods_api = |client: kube::Client| -> Api<Pod> {
        match target.namespace() {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    };
    let (snapshot_tx, snapshot_rx) = watch::channel::<Arc<Pods>>(Arc::default());
    let mut pods = Pods::new();
    let mut planner = Planner::new(target.clone(), &options);
    let mut streams = JoinSet::new();
    let mut listing: Option<Vec<PodKey>> = None;
    let mut synced = false;
    let mut events = watcher(pods_api(client), config.clone())
        .default_backoff()
        .boxed();
    loop {
        let ev = tokio::select! {
            ev = events.next() => ev,
            // Reap finished streams so the set does not grow.
            Some(_) = streams.join_next(), if !streams.is_empty() => continue,
            // The connection went silent or came back: watch again on the current client
            // (the old watch may wait on a dead connection for minutes).
            () = path.changed() => {
                events = watcher(pods_api(clients.client()), config.clone())
                    .default_backoff()
                    .boxed();
                continue;
            }
        };
        let Some(ev) = ev else { return };
        let mut steps = Vec::new();
        match ev {
            Ok(watcher::Event::Init) => listing = Some(Vec::new()),
            Ok(watcher::Event::InitApply(p)) => {
                if let Some(key) = PodKey::of(&p).filter(|k| target.admits(&k.namespace, &k.name)) {
                    if let Some(l) = listing.as_mut() {
                        l.push(key.clone());
                    }
                    pods.insert(key, Arc::new(p));
                }
            }
            Ok(watcher::Event::InitDone) => {
                // A relist after a break: pods missing from it are gone.
                if let Some(listed) = listing.take() {
                    let gone: Vec<PodKey> = pods
                        .keys()
                        .filter(|k| !listed.contains(k))
                        .cloned()
                        .collect();
                    for key in gone {
                        pods.remove(&key);
                        steps.extend(planner.gone(&key));
                    }
                }
                // Steps whose pods are gone come from the capture, once, when the pane opens.
                let replayed = match (&captured, synced) {
                    (Some(store), false) => {
                        let live = pods.keys().map(|k| k.name.clone()).collect();
                        let new_id = || planner.new_id();
                        replay_captured(&report, store.clone(), &target, live, new_id).await
                    }
                    _ => 0,
                };
                if !synced && pods.is_empty() && replayed == 0 {
                    if let LogTarget::Pod { name, .. } = &target {
                        let failure = LogFailure::PodNotFound(name.clone());
                        report.send(LogReport::Failed(failure)).await;
                        return;
                    }
                    let text = "no pods match yet; waiting for some to appear".to_string();
                    report.note(0, NoteKind::Info, text).await;
                }
                synced = true;
            }
            Ok(watcher::Event::Apply(p)) => {
                if let Some(key) = PodKey::of(&p).filter(|k| target.admits(&k.namespace, &k.name)) {
                    pods.insert(key, Arc::new(p));
                }
            }
            Ok(watcher::Event::Delete(p)) => {
                if let Some(key) = PodKey::of(&p) {
                    pods.remove(&key);
                    steps.extend(planner.gone(&key));
                }
            }
            Err(e) => {
                if let Some(error) = refused(&e) {
                    report
                        .send(LogReport::Failed(LogFailure::Refused(error)))
                        .await;
                    return;
                }
                continue;
            }
        }
        if listing.is_some() {
            continue;
        }
        let snapshot = Arc::new(pods.clone());
        snapshot_tx.send_replace(snapshot.clone());
        steps.extend(planner.plan(&snapshot));
        for step in steps {
            let sent = match step {
                Step::Announce { id, source } => {
                    report.send(LogReport::Source { id, source }).await
                }
                Step::State { id, state } => report.state(id, state).await,
                Step::Note { id, kind, text } => report.note(id, kind, text).await,
                Step::Start(start) => {
                    // Each pod's log is read in the pod's own namespace (a selector can span
                    // them all).
                    let stream = Stream {
                        clients: clients.clone(),
                        path: path.fresh(),
                        report: report.clone(),
                        id: start.id,
                        pod: start.pod,
                        container: start.container,
                        instance: start.instance,
                        options: options.clone(),
                        pods: snapshot_rx.clone(),
                    };
                    streams.spawn(stream.run(start.restart));
                    true
                }
            };
            if !sent {
                return;
            }
        }
    }
}
