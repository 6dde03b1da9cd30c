//! While kubedeck runs, capture the logs of every Tekton step that finishes in its scope, so a
//! failed run stays readable after Tekton prunes its pods or the cluster deletes them.
//!
//! One watch on pods labelled `tekton.dev/taskRun` (no extra list of anything else); a step
//! container is read once, when its status says it terminated, with `limitBytes` and
//! `tailLines`. At start, steps that finished more than an hour ago are left alone: the capture
//! is for what happens while kubedeck watches, not a backfill of the whole cluster's history.
//!
//! Tekton deletes the pod of a cancelled or timed-out TaskRun while its step still runs; the log
//! would go with it. So a step still running when its pod is marked for deletion is read then
//! (marked interrupted), and read again if it terminates before the pod is gone.

use std::collections::HashSet;
use std::sync::Arc;

use futures::AsyncReadExt;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use kube::runtime::watcher::Event;

use super::cluster::Scope;
use super::credentials::ClientHandle;
use super::ids::ClusterId;
use super::informer::{ResourceKind, Sink, Updates};
use super::list_watch::{self, Target};
use super::step_store::{PodMeta, StepMeta, StepStore};

/// Bytes read of one step's log; the start is kept (a step's setup is often what explains it).
pub const STEP_LIMIT_BYTES: i64 = 4 << 20;
/// Lines read of one step's log.
pub const STEP_TAIL_LINES: i64 = 50_000;
/// Steps that finished longer ago than this when first seen are not captured.
const BACKFILL: SignedDuration = SignedDuration::from_hours(1);

/// The capture task; dropping it stops the watch.
pub struct CaptureTask(tokio::task::JoinHandle<()>);

impl Drop for CaptureTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A finished step of a Tekton pod, to be captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedStep {
    pub namespace: String,
    pub pod: PodMeta,
    pub step: StepMeta,
}

/// The step containers of `pod` that have terminated since `after`, in step order; when the
/// pod is being deleted, its running steps too (interrupted, as of the deletion).
pub fn finished_steps(pod: &Pod, after: Timestamp) -> Vec<FinishedStep> {
    let meta = &pod.metadata;
    let (Some(name), Some(namespace)) = (meta.name.clone(), meta.namespace.clone()) else {
        return Vec::new();
    };
    let label = |k: &str| meta.labels.as_ref().and_then(|l| l.get(k)).cloned();
    let pod_meta = PodMeta {
        pod: name,
        pipeline_run: label("tekton.dev/pipelineRun"),
        task_run: label("tekton.dev/taskRun"),
        pipeline_task: label("tekton.dev/pipelineTask"),
        steps: Vec::new(),
    };
    let order: Vec<&str> = pod
        .spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.as_str()).collect())
        .unwrap_or_default();
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref());
    let mut steps: Vec<FinishedStep> = statuses
        .into_iter()
        .flatten()
        .filter(|s| s.name.starts_with("step-"))
        .filter_map(|s| {
            let state = s.state.as_ref()?;
            let (exit_code, finished, interrupted) = match (&state.terminated, &state.running) {
                (Some(t), _) => (t.exit_code, t.finished_at.as_ref()?.0, false),
                (None, Some(_)) => (0, meta.deletion_timestamp.as_ref()?.0, true),
                (None, None) => return None,
            };
            (finished >= after).then(|| FinishedStep {
                namespace: namespace.clone(),
                pod: pod_meta.clone(),
                step: StepMeta {
                    container: s.name.clone(),
                    order: order
                        .iter()
                        .position(|c| *c == s.name)
                        .unwrap_or(order.len()),
                    exit_code,
                    interrupted,
                    finished_at: finished.to_string(),
                    captured_at: String::new(),
                    truncated: false,
                },
            })
        })
        .collect();
    steps.sort_by_key(|s| s.step.order);
    steps
}

/// Watch Tekton pods in `scope` and capture each step as it finishes, until dropped. The pods
/// are watched by kubedeck's own list-watch loop (`list_watch`), as every informer is: a
/// resumed watch, a relist after 410 or a restored etcd, a 401 with the credentials read
/// again, a silent connection (`retry`'s path changes), all handled there; what it sees goes
/// to a worker that reads each finished step's log.
pub fn spawn(
    clients: ClientHandle,
    scope: Scope,
    store: Arc<StepStore>,
    retry: crate::kube::backoff::RetrySignal,
) -> CaptureTask {
    CaptureTask(tokio::spawn(async move {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let worker = tokio::spawn(capture_loop(clients.clone(), store, rx));
        let target = Target {
            clients,
            api: Box::new(move |client| match &scope {
                Scope::All | Scope::ContextDefaults => Api::all(client),
                Scope::Namespace(ns) => Api::namespaced(client, ns),
            }),
            kind: ResourceKind::Pods,
            label_selector: Some("tekton.dev/taskRun".into()),
        };
        // Nobody reads this loop's states: the capture is silent unless asked (`:captured`).
        let (states, _) = tokio::sync::mpsc::unbounded_channel();
        let updates = Updates::new(ClusterId::new("step-capture"), states);
        let mut sink = Forward(tx);
        let _ = list_watch::run(&target, &mut sink, updates, retry).await;
        // Tekton's pods are never "gone" as an API; if the loop ends anyway, so does the worker.
        worker.abort();
    }))
}

/// The list-watch loop's events, handed to the capture worker.
struct Forward(tokio::sync::mpsc::UnboundedSender<Event<Pod>>);

impl Sink<Pod> for Forward {
    fn apply(&mut self, event: &Event<Pod>) {
        let _ = self.0.send(event.clone());
    }
}

/// Capture each finished step of the pods the loop sees.
async fn capture_loop(
    clients: ClientHandle,
    store: Arc<StepStore>,
    mut events: tokio::sync::mpsc::UnboundedReceiver<Event<Pod>>,
) {
    let after = Timestamp::now() - BACKFILL;
    let mut done = Captured::default();
    while let Some(event) = events.recv().await {
        let pod = match event {
            Event::Apply(pod) | Event::InitApply(pod) => pod,
            Event::Delete(pod) => {
                done.forget(&pod);
                continue;
            }
            Event::Init => {
                done.relisting();
                continue;
            }
            Event::InitDone => {
                done.relisted();
                continue;
            }
        };
        done.seen(&pod);
        for f in finished_steps(&pod, after) {
            let key = (
                f.namespace.clone(),
                f.pod.pod.clone(),
                f.step.container.clone(),
                f.step.finished_at.clone(),
            );
            if done.contains(&key) {
                continue;
            }
            let on_disk = {
                let (store, k) = (store.clone(), key.clone());
                tokio::task::spawn_blocking(move || store.has(&k.0, &k.1, &k.2, &k.3))
                    .await
                    .unwrap_or(false)
            };
            // A failed read (the pod went already) is not retried: its log is gone.
            if on_disk || capture(&clients.client(), &store, f).await {
                done.insert(key);
            }
        }
    }
}

/// (namespace, pod, container, finishedAt) of a captured step instance.
type InstanceKey = (String, String, String, String);

/// The step instances captured (or found on disk) while the watch runs, forgotten with their
/// pods so a long session does not grow it without bound.
#[derive(Default)]
struct Captured {
    keys: HashSet<InstanceKey>,
    /// Pods listed by a relist in progress: what the watch missed deleting is dropped after.
    relist: Option<HashSet<(String, String)>>,
}

impl Captured {
    fn contains(&self, key: &InstanceKey) -> bool {
        self.keys.contains(key)
    }

    fn insert(&mut self, key: InstanceKey) {
        self.keys.insert(key);
    }

    fn seen(&mut self, pod: &Pod) {
        if let (Some(relist), Some((ns, name))) = (self.relist.as_mut(), pod_key(pod)) {
            relist.insert((ns, name));
        }
    }

    fn forget(&mut self, pod: &Pod) {
        if let Some((ns, name)) = pod_key(pod) {
            self.keys.retain(|k| k.0 != ns || k.1 != name);
        }
    }

    fn relisting(&mut self) {
        self.relist = Some(HashSet::new());
    }

    fn relisted(&mut self) {
        if let Some(live) = self.relist.take() {
            self.keys
                .retain(|k| live.contains(&(k.0.clone(), k.1.clone())));
        }
    }
}

fn pod_key(pod: &Pod) -> Option<(String, String)> {
    Some((pod.metadata.namespace.clone()?, pod.metadata.name.clone()?))
}

/// Read one step's log and store it; whether it was stored.
async fn capture(client: &kube::Client, store: &Arc<StepStore>, mut f: FinishedStep) -> bool {
    let api: Api<Pod> = Api::namespaced(client.clone(), &f.namespace);
    let params = LogParams {
        container: Some(f.step.container.clone()),
        timestamps: true,
        limit_bytes: Some(STEP_LIMIT_BYTES),
        tail_lines: Some(STEP_TAIL_LINES),
        ..LogParams::default()
    };
    let Ok(reader) = api.log_stream(&f.pod.pod, &params).await else {
        return false;
    };
    futures::pin_mut!(reader);
    let mut log = Vec::new();
    // The server honours limitBytes; the take is for one that does not.
    let limit = STEP_LIMIT_BYTES as u64;
    if reader.take(limit).read_to_end(&mut log).await.is_err() {
        return false;
    }
    f.step.truncated = log.len() as u64 >= limit;
    f.step.captured_at = Timestamp::now().to_string();
    let store = store.clone();
    tokio::task::spawn_blocking(move || store.save(&f.namespace, &f.pod, f.step, &log).is_ok())
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tekton_pod(finished: &str) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "ci-run-x-test-pod", "namespace": "ci",
                "labels": {"tekton.dev/pipelineRun": "ci-run-x", "tekton.dev/taskRun": "ci-run-x-test",
                           "tekton.dev/pipelineTask": "test"}},
            "spec": {"containers": [{"name": "step-fetch"}, {"name": "step-test"}, {"name": "sidecar-db"}]},
            "status": {"containerStatuses": [
                {"name": "sidecar-db", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"terminated": {"exitCode": 0, "finishedAt": finished}}},
                {"name": "step-test", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": finished}}},
                {"name": "step-fetch", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"terminated": {"exitCode": 0, "finishedAt": finished}}}
            ]}
        }))
        .unwrap()
    }

    #[test]
    fn finished_steps_in_step_order_with_their_run() {
        let after: Timestamp = "2026-11-22T09:00:00Z".parse().unwrap();
        let steps = finished_steps(&tekton_pod("2026-11-22T10:00:00Z"), after);
        let names: Vec<(&str, usize, i32)> = steps
            .iter()
            .map(|s| (s.step.container.as_str(), s.step.order, s.step.exit_code))
            .collect();
        // Sidecars are not steps; steps keep the spec's order, not the status order.
        assert_eq!(names, [("step-fetch", 0, 0), ("step-test", 1, 1)]);
        assert_eq!(steps[0].pod.pipeline_run.as_deref(), Some("ci-run-x"));
        assert_eq!(steps[0].pod.task_run.as_deref(), Some("ci-run-x-test"));
        assert_eq!(steps[0].pod.pipeline_task.as_deref(), Some("test"));
        assert_eq!(steps[0].namespace, "ci");
    }

    #[test]
    fn a_running_step_of_a_pod_being_deleted_is_captured_as_interrupted() {
        let after: Timestamp = "2026-11-22T09:00:00Z".parse().unwrap();
        let mut pod = tekton_pod("2026-11-22T10:00:00Z");
        if let Some(s) = pod
            .status
            .as_mut()
            .and_then(|s| s.container_statuses.as_mut())
            .and_then(|s| s.iter_mut().find(|c| c.name == "step-test"))
        {
            s.state =
                serde_json::from_value(json!({"running": {"startedAt": "2026-11-22T10:00:00Z"}}))
                    .unwrap();
        }
        // Not being deleted: only the finished step.
        let names = |steps: &[FinishedStep]| -> Vec<(String, bool)> {
            steps
                .iter()
                .map(|s| (s.step.container.clone(), s.step.interrupted))
                .collect()
        };
        assert_eq!(
            names(&finished_steps(&pod, after)),
            [("step-fetch".to_string(), false)]
        );
        pod.metadata.deletion_timestamp =
            serde_json::from_value(json!("2026-11-22T10:05:00Z")).unwrap();
        let steps = finished_steps(&pod, after);
        assert_eq!(
            names(&steps),
            [
                ("step-fetch".to_string(), false),
                ("step-test".to_string(), true)
            ]
        );
        // Identified by the deletion time, so its end (if it comes) is read again.
        assert_eq!(steps[1].step.finished_at, "2026-11-22T10:05:00Z");
    }

    #[test]
    fn captured_instances_are_forgotten_with_their_pods() {
        let pod = |name: &str| -> Pod {
            serde_json::from_value(json!({"metadata": {"name": name, "namespace": "ci"}})).unwrap()
        };
        let key =
            |name: &str| -> InstanceKey { ("ci".into(), name.into(), "step-a".into(), "t".into()) };
        let mut done = Captured::default();
        for p in ["a", "b", "c"] {
            done.insert(key(p));
        }
        done.forget(&pod("a"));
        assert!(!done.contains(&key("a")) && done.contains(&key("b")));
        // A relist that no longer lists c (its delete was missed while disconnected).
        done.relisting();
        done.seen(&pod("b"));
        done.relisted();
        assert!(done.contains(&key("b")));
        assert!(!done.contains(&key("c")));
        // Outside a relist, nothing is dropped for not being seen.
        done.insert(key("d"));
        done.relisted();
        assert!(done.contains(&key("d")));
    }

    #[test]
    fn old_and_running_steps_are_not_captured() {
        let after: Timestamp = "2026-11-22T09:00:00Z".parse().unwrap();
        assert!(finished_steps(&tekton_pod("2026-11-22T08:59:59Z"), after).is_empty());
        let mut running = tekton_pod("2026-11-22T10:00:00Z");
        if let Some(s) = running
            .status
            .as_mut()
            .and_then(|s| s.container_statuses.as_mut())
        {
            for c in s {
                c.state = Some(Default::default());
            }
        }
        assert!(finished_steps(&running, after).is_empty());
    }
}
