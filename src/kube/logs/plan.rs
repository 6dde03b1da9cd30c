//! What to stream, decided from the newest pods the watch holds: which container instances are
//! new, which restarted, which are not started yet, and which pods went away. Pure, so each case
//! is a unit test; the manager carries the steps out.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use super::super::log_request::{LogOptions, LogTarget, step_label};
use crate::logline::source::{NoteKind, Source, SourceId, SourceState};

/// A pod by namespace and name: with a selector over all namespaces, names alone can clash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct PodKey {
    pub namespace: String,
    pub name: String,
}

impl PodKey {
    pub fn of(pod: &Pod) -> Option<Self> {
        Some(Self {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone()?,
        })
    }
}

/// The newest pods the watch holds.
pub(super) type Pods = HashMap<PodKey, Arc<Pod>>;

/// When a container instance started: the key that tells a restart from a reconnect.
pub(super) fn instance_of(status: &ContainerStatus, previous: bool) -> Option<Timestamp> {
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
pub(super) fn statuses(pod: &Pod) -> Vec<&ContainerStatus> {
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

/// How an instance stands in the newest pod snapshot.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Standing {
    Running,
    Ended(Option<i32>),
    Gone,
}

pub(super) fn standing(
    pods: &Pods,
    pod: &PodKey,
    container: &str,
    instance: Timestamp,
) -> Standing {
    let Some(p) = pods.get(pod) else {
        return Standing::Gone;
    };
    let Some(s) = statuses(p).into_iter().find(|s| s.name == container) else {
        return Standing::Running;
    };
    let state = s.state.as_ref();
    if let Some(r) = state.and_then(|s| s.running.as_ref())
        && r.started_at.as_ref().map(|t| t.0) == Some(instance)
    {
        return Standing::Running;
    }
    let started_here = |t: &&k8s_openapi::api::core::v1::ContainerStateTerminated| {
        t.started_at.as_ref().map(|t| t.0) == Some(instance)
    };
    let terminated = state
        .and_then(|s| s.terminated.as_ref())
        .filter(started_here)
        .or_else(|| {
            s.last_state
                .as_ref()
                .and_then(|l| l.terminated.as_ref())
                .filter(started_here)
        });
    Standing::Ended(terminated.map(|t| t.exit_code))
}

/// Whether the last part of a name was generated (`x7k2p`, `5s79z`): Kubernetes draws these
/// from an alphabet without vowels, so `pod` in a Tekton pod's name (`build-1-compile-pod`) or
/// `server` in `api-server` are not.
fn random_suffix(part: &str) -> bool {
    const GENERATED: &str = "bcdfghjklmnpqrstvwxz2456789";
    (4..=10).contains(&part.len()) && part.chars().all(|c| GENERATED.contains(c))
}

/// The short prefix for a source: enough to tell pods and containers apart.
pub(super) fn label_for(target: &LogTarget, pod: &Pod, container: &str) -> String {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let containers = pod.spec.as_ref().map_or(1, |s| s.containers.len());
    let labels = pod.metadata.labels.as_ref();
    let task = labels.and_then(|l| l.get("tekton.dev/pipelineTask"));
    match target {
        LogTarget::Pod { .. } => container.to_string(),
        LogTarget::Tekton { kind, .. } => step_label(kind, task.map(String::as_str), container),
        LogTarget::Selector { .. } | LogTarget::Owner { .. } | LogTarget::Pods { .. } => {
            let short = match name.rsplit('-').next() {
                // A Tekton pod: its task and step say what it is.
                _ if task.is_some() => {
                    step_label("PipelineRun", task.map(String::as_str), container)
                }
                Some(last) if last != name && random_suffix(last) => {
                    if containers > 1 {
                        format!("{last}/{container}")
                    } else {
                        last.to_string()
                    }
                }
                _ if containers > 1 => format!("{name}/{container}"),
                _ => name.to_string(),
            };
            // Across namespaces, the same name can be two pods.
            match (target.namespace(), pod.metadata.namespace.as_deref()) {
                (None, Some(ns)) => format!("{ns}/{short}"),
                _ => short,
            }
        }
    }
}

/// One container instance to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Start {
    pub id: SourceId,
    pub pod: PodKey,
    pub container: String,
    pub instance: Timestamp,
    /// A new instance of a container already read (read from its start).
    pub restart: bool,
}

/// What the manager should do, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Step {
    /// A new source: the pane learns it before its lines.
    Announce {
        id: SourceId,
        source: Source,
    },
    State {
        id: SourceId,
        state: SourceState,
    },
    Note {
        id: SourceId,
        kind: NoteKind,
        text: String,
    },
    Start(Start),
}

struct Slot {
    id: SourceId,
    instance: Timestamp,
}

/// Which sources exist and which instance each reads.
pub(super) struct Planner {
    target: LogTarget,
    previous: bool,
    follow: bool,
    slots: HashMap<(PodKey, String), Slot>,
    /// Containers already said to be not started (or without a previous instance): said once.
    noted: HashSet<(PodKey, String)>,
    next_id: SourceId,
}

impl Planner {
    pub fn new(target: LogTarget, options: &LogOptions) -> Self {
        Self {
            target,
            previous: options.previous,
            follow: options.follow,
            slots: HashMap::new(),
            noted: HashSet::new(),
            next_id: 0,
        }
    }

    /// A fresh source id (for sources that are not streamed, such as captured steps).
    pub fn new_id(&mut self) -> SourceId {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        id
    }

    /// The steps that bring the streams in line with `pods`.
    pub fn plan(&mut self, pods: &Pods) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut keys: Vec<&PodKey> = pods.keys().collect();
        keys.sort();
        for key in keys {
            let Some(pod) = pods.get(key) else { continue };
            for status in statuses(pod) {
                if self.target.wants(&status.name) {
                    self.plan_container(key, pod, status, &mut steps);
                }
            }
        }
        steps
    }

    fn plan_container(
        &mut self,
        key: &PodKey,
        pod: &Pod,
        status: &ContainerStatus,
        steps: &mut Vec<Step>,
    ) {
        let name = &key.name;
        let container = &status.name;
        let slot_key = (key.clone(), container.clone());
        let Some(instance) = instance_of(status, self.previous) else {
            let text = if self.previous {
                format!("{name}/{container}: no previous instance (it has not restarted)")
            } else {
                let waiting = status
                    .state
                    .as_ref()
                    .and_then(|s| s.waiting.as_ref())
                    .and_then(|w| w.reason.clone());
                let Some(reason) = waiting else { return };
                // Its lines come when it starts (this same watch starts them).
                format!("{name}/{container}: not started yet ({reason}), no log so far")
            };
            if self.noted.insert(slot_key) {
                let kind = NoteKind::Info;
                steps.push(Step::Note { id: 0, kind, text });
            }
            return;
        };
        let restart = match self.slots.get(&slot_key) {
            Some(s) if s.instance == instance => return,
            Some(_) => true,
            None => false,
        };
        // A one-shot request is made once per container.
        if restart && (self.previous || !self.follow) {
            return;
        }
        let id = match self.slots.get(&slot_key) {
            Some(s) => s.id,
            None => {
                let id = self.new_id();
                let source = Source {
                    pod: name.clone(),
                    container: container.clone(),
                    label: label_for(&self.target, pod, container),
                    state: SourceState::Streaming,
                };
                steps.push(Step::Announce { id, source });
                id
            }
        };
        if restart {
            let text = format!("{name}/{container}: container restarted");
            let kind = NoteKind::Info;
            steps.push(Step::Note { id, kind, text });
            let state = SourceState::Streaming;
            steps.push(Step::State { id, state });
        }
        self.slots.insert(slot_key, Slot { id, instance });
        steps.push(Step::Start(Start {
            id,
            pod: key.clone(),
            container: container.clone(),
            instance,
            restart,
        }));
    }

    /// The steps for a pod that went away: each of its sources is gone, said once.
    pub fn gone(&self, pod: &PodKey) -> Vec<Step> {
        let mut ids: Vec<SourceId> = self
            .slots
            .iter()
            .filter(|((p, _), _)| p == pod)
            .map(|(_, s)| s.id)
            .collect();
        ids.sort_unstable();
        let mut steps: Vec<Step> = ids
            .iter()
            .map(|&id| Step::State {
                id,
                state: SourceState::Gone,
            })
            .collect();
        if let Some(&id) = ids.first() {
            let text = format!("pod {} is gone", pod.name);
            let kind = NoteKind::Warning;
            steps.insert(1, Step::Note { id, kind, text });
        }
        steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn pod(v: Value) -> Arc<Pod> {
        Arc::new(serde_json::from_value(v).unwrap_or_default())
    }

    fn key(ns: &str, name: &str) -> PodKey {
        PodKey {
            namespace: ns.into(),
            name: name.into(),
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap_or_default()
    }

    /// A pod with one container `app` whose current instance started at `started`.
    fn running(ns: &str, name: &str, started: &str) -> Arc<Pod> {
        pod(json!({
            "metadata": {"name": name, "namespace": ns},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"containerStatuses": [
                {"name": "app", "ready": true, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {"startedAt": started}}}
            ]}
        }))
    }

    fn pods(list: &[Arc<Pod>]) -> Pods {
        list.iter()
            .filter_map(|p| Some((PodKey::of(p)?, p.clone())))
            .collect()
    }

    fn selector() -> LogTarget {
        LogTarget::Selector {
            namespace: None,
            selector: "app=web".into(),
        }
    }

    fn starts(steps: &[Step]) -> Vec<(SourceId, PodKey, bool)> {
        steps
            .iter()
            .filter_map(|s| match s {
                Step::Start(s) => Some((s.id, s.pod.clone(), s.restart)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn instances_and_standing() {
        let p = pod(json!({
            "metadata": {"name": "api-6d4f-x7k2p", "namespace": "shop"},
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
        assert_eq!(instance_of(s[0], false), Some(ts("2026-11-22T10:00:00Z")));
        assert_eq!(instance_of(s[0], true), Some(ts("2026-11-22T09:00:00Z")));
        assert_eq!(
            instance_of(s[1], false),
            None,
            "not started: nothing to read"
        );
        let all = pods(std::slice::from_ref(&p));
        let k = key("shop", "api-6d4f-x7k2p");
        let (now, old) = (ts("2026-11-22T10:00:00Z"), ts("2026-11-22T09:00:00Z"));
        assert_eq!(standing(&all, &k, "app", now), Standing::Running);
        assert_eq!(standing(&all, &k, "app", old), Standing::Ended(Some(1)));
        let elsewhere = key("other", "api-6d4f-x7k2p");
        assert_eq!(standing(&all, &elsewhere, "app", now), Standing::Gone);
        assert_eq!(label_for(&selector(), &p, "envoy"), "shop/x7k2p/envoy");
        let here = LogTarget::Selector {
            namespace: Some("shop".into()),
            selector: "app=api".into(),
        };
        assert_eq!(label_for(&here, &p, "envoy"), "x7k2p/envoy");
    }

    #[test]
    fn new_pods_are_announced_then_started_once_each_in_their_own_namespace() {
        let mut plan = Planner::new(selector(), &LogOptions::default());
        let a = running("shop", "web-1", "2026-11-22T10:00:00Z");
        let b = running("staging", "web-1", "2026-11-22T10:00:00Z");
        let steps = plan.plan(&pods(&[a.clone(), b.clone()]));
        assert!(matches!(&steps[0], Step::Announce { id: 0, source } if source.pod == "web-1"));
        assert_eq!(
            starts(&steps),
            [
                (0, key("shop", "web-1"), false),
                (1, key("staging", "web-1"), false)
            ],
            "the same name in two namespaces is two sources"
        );
        assert!(plan.plan(&pods(&[a, b])).is_empty(), "nothing new");
    }

    #[test]
    fn a_restarted_container_keeps_its_source_and_says_so() {
        let mut plan = Planner::new(selector(), &LogOptions::default());
        plan.plan(&pods(&[running("shop", "web-1", "2026-11-22T10:00:00Z")]));
        let steps = plan.plan(&pods(&[running("shop", "web-1", "2026-11-22T10:05:00Z")]));
        assert!(matches!(&steps[0], Step::Note { id: 0, text, .. } if text.contains("restarted")));
        assert_eq!(starts(&steps), [(0, key("shop", "web-1"), true)]);
        let once = LogOptions {
            follow: false,
            ..LogOptions::default()
        };
        let mut plan = Planner::new(selector(), &once);
        plan.plan(&pods(&[running("shop", "web-1", "2026-11-22T10:00:00Z")]));
        let steps = plan.plan(&pods(&[running("shop", "web-1", "2026-11-22T10:05:00Z")]));
        assert!(steps.is_empty(), "a one-shot request reads once: {steps:?}");
    }

    #[test]
    fn waiting_and_missing_previous_instances_are_said_once() {
        let waiting = pod(json!({
            "metadata": {"name": "web-2", "namespace": "shop"},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"containerStatuses": [
                {"name": "app", "ready": false, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"waiting": {"reason": "ContainerCreating"}}}
            ]}
        }));
        let mut plan = Planner::new(selector(), &LogOptions::default());
        let steps = plan.plan(&pods(std::slice::from_ref(&waiting)));
        assert!(
            matches!(&steps[..], [Step::Note { text, .. }] if text == "web-2/app: not started yet (ContainerCreating), no log so far"),
            "{steps:?}"
        );
        assert!(plan.plan(&pods(&[waiting])).is_empty());
        let previous = LogOptions {
            previous: true,
            ..LogOptions::default()
        };
        let mut plan = Planner::new(selector(), &previous);
        let steps = plan.plan(&pods(&[running("shop", "web-1", "2026-11-22T10:00:00Z")]));
        assert!(
            matches!(&steps[..], [Step::Note { text, .. }] if text.contains("no previous instance")),
            "{steps:?}"
        );
    }

    #[test]
    fn a_gone_pod_marks_each_of_its_sources_and_warns_once() {
        let two = pod(json!({
            "metadata": {"name": "api-1", "namespace": "shop"},
            "spec": {"containers": [{"name": "app"}, {"name": "envoy"}]},
            "status": {"containerStatuses": [
                {"name": "app", "ready": true, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}}},
                {"name": "envoy", "ready": true, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}}}
            ]}
        }));
        let mut plan = Planner::new(selector(), &LogOptions::default());
        plan.plan(&pods(&[two]));
        let steps = plan.gone(&key("shop", "api-1"));
        let gone = SourceState::Gone;
        assert_eq!(
            steps,
            [
                Step::State {
                    id: 0,
                    state: gone.clone()
                },
                Step::Note {
                    id: 0,
                    kind: NoteKind::Warning,
                    text: "pod api-1 is gone".into()
                },
                Step::State { id: 1, state: gone },
            ]
        );
        assert!(plan.gone(&key("shop", "never-seen")).is_empty());
    }

    #[test]
    fn a_selector_over_tekton_pods_labels_each_by_task_and_step_not_pod() {
        let p = pod(json!({
            "metadata": {"name": "build-1-compile-pod", "namespace": "ci",
                         "labels": {"tekton.dev/pipelineTask": "compile"}},
            "spec": {"containers": [{"name": "step-make"}]}
        }));
        let here = LogTarget::Selector {
            namespace: Some("ci".into()),
            selector: "tekton.dev/pipelineRun=build-1".into(),
        };
        assert_eq!(label_for(&here, &p, "step-make"), "compile/make");
        let plain = pod(json!({
            "metadata": {"name": "api-server", "namespace": "ci"},
            "spec": {"containers": [{"name": "app"}]}
        }));
        assert_eq!(
            label_for(&here, &plain, "app"),
            "api-server",
            "no random suffix: the name"
        );
    }

    #[test]
    fn tekton_targets_read_only_step_containers() {
        let target = LogTarget::Tekton {
            namespace: "ci".into(),
            kind: "PipelineRun",
            name: "build-1".into(),
        };
        let p = pod(json!({
            "metadata": {"name": "build-1-compile-pod", "namespace": "ci",
                         "labels": {"tekton.dev/pipelineTask": "compile"}},
            "spec": {"containers": [{"name": "step-make"}, {"name": "sidecar"}]},
            "status": {"containerStatuses": [
                {"name": "step-make", "ready": true, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}}},
                {"name": "sidecar", "ready": true, "restartCount": 0, "image": "", "imageID": "",
                 "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}}}
            ]}
        }));
        let mut plan = Planner::new(target, &LogOptions::default());
        let steps = plan.plan(&pods(&[p]));
        assert!(
            matches!(&steps[0], Step::Announce { source, .. } if source.label == "compile/make"),
            "{steps:?}"
        );
        assert_eq!(starts(&steps).len(), 1, "the sidecar is not a step");
    }
}
