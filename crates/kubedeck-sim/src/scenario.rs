//! The scenario engine: one `step` moves the world a tick forward and writes what changed to the
//! store, with the events a real cluster would emit. Deterministic for a given seed.

use jiff::Timestamp;
use serde_json::json;

use super::events::EventLog;
use super::model::{self, CState, CStatus, EventShape, TaskState};
use super::resources::Kind;
use super::seed::{self, PIPELINES};
use super::store::Store;
use super::world::{PodActor, RunActor, Script, World};

/// New PipelineRuns start this often (ticks), and finished ones beyond the cap are pruned.
const NEW_RUN_EVERY: u64 = 25;
const NEW_JOB_EVERY: u64 = 30;
const MAX_JOB_ACTORS: usize = 12;

pub fn step(w: &mut World, store: &Store, events: &mut EventLog, now: Timestamp) {
    w.tick += 1;
    w.now = now;
    step_pods(w, store, events);
    step_runs(w, store, events);
    step_nodes(w, store, events);
    super::rollout::step(store, &mut w.rollouts, w.tick);
    super::endpoints::sync(store);
    if w.tick.is_multiple_of(NEW_JOB_EVERY) {
        start_job(w, store);
    }
    if w.tick.is_multiple_of(60) {
        events.prune(store, now);
    }
}

fn pod_event(
    w: &World,
    store: &Store,
    events: &mut EventLog,
    a: &PodActor,
    type_: &str,
    reason: &str,
    message: String,
) {
    let uid = model::uid(a.shape.n);
    events.record(
        store,
        w.now,
        &EventShape {
            namespace: &a.shape.namespace,
            object_kind: "Pod",
            object_name: &a.shape.name,
            object_uid: &uid,
            type_,
            reason,
            message,
            component: if reason == "FailedScheduling" {
                "default-scheduler"
            } else {
                "kubelet"
            },
            host: a.shape.node.as_deref(),
            first: w.now,
            last: w.now,
            count: 1,
            n: a.shape.n,
        },
    );
}

/// False when the pod was deleted (or is being deleted) through the API: the script stops.
fn still_ours(store: &Store, a: &PodActor) -> bool {
    store
        .get(
            Kind::Pod,
            &(a.shape.namespace.clone(), a.shape.name.clone()),
        )
        .is_some_and(|p| {
            p["metadata"]["deletionTimestamp"].is_null() && p["status"]["reason"] != "Evicted"
        })
}

/// Store a rebuilt pod, keeping what clients added that the model does not know: ephemeral
/// containers and their statuses.
fn put_pod(store: &Store, pod: serde_json::Value) {
    let key = super::store::key_of(&pod);
    // In one step under the store's lock, so a status the kubelet writes meanwhile is not lost.
    let replaced = store.update(Kind::Pod, &key, |old| {
        let mut next = pod.clone();
        for (part, field) in [
            ("spec", "ephemeralContainers"),
            ("status", "ephemeralContainerStatuses"),
        ] {
            if !old[part][field].is_null() {
                next[part][field] = old[part][field].clone();
            }
        }
        *old = next;
        true
    });
    if replaced.is_none() {
        store.put(Kind::Pod, pod);
    }
}

fn step_pods(w: &mut World, store: &Store, events: &mut EventLog) {
    let mut actors = std::mem::take(&mut w.pods);
    actors.retain(|a| still_ours(store, a));
    for a in &mut actors {
        a.age += 1;
        if advance(w, a, store, events) {
            put_pod(store, seed::actor_pod(a));
        }
    }
    w.pods = actors;
}

/// Move one scripted pod; true when its object changed.
fn advance(w: &World, a: &mut PodActor, store: &Store, events: &mut EventLog) -> bool {
    let now = w.now;
    match a.script.clone() {
        Script::Steady | Script::Task => false,
        Script::CrashLoop { run, oom } => {
            let st = &mut a.statuses[0];
            match st.state.clone() {
                CState::Running(started) if a.age >= run => {
                    let (reason, code) = if oom {
                        ("OOMKilled", 137)
                    } else {
                        ("Error", 1)
                    };
                    st.state = CState::Terminated {
                        reason,
                        exit_code: code,
                        started,
                        finished: now,
                    };
                    a.age = 0;
                    if oom {
                        let node = a.shape.node.clone().unwrap_or_default();
                        let uid = format!("node-{node}");
                        events.record(
                            store,
                            now,
                            &EventShape {
                                namespace: "default",
                                object_kind: "Node",
                                object_name: &node,
                                object_uid: &uid,
                                type_: "Warning",
                                reason: "SystemOOM",
                                message: format!(
                                    "System OOM encountered, victim process: {}, pid: {}",
                                    a.shape.app,
                                    4000 + a.shape.n % 5000
                                ),
                                component: "kubelet",
                                host: Some(&node),
                                first: now,
                                last: now,
                                count: 1,
                                n: a.shape.n,
                            },
                        );
                    }
                    true
                }
                CState::Terminated { .. } => {
                    let last = st.state.clone();
                    st.last = Some(last);
                    st.restarts += 1;
                    st.state = CState::Waiting(
                        "CrashLoopBackOff",
                        format!(
                            "back-off {}s restarting failed container=app pod={}_{}({})",
                            10 * st.restarts.min(30),
                            a.shape.name,
                            a.shape.namespace,
                            model::uid(a.shape.n)
                        ),
                    );
                    a.age = 0;
                    let msg = format!(
                        "Back-off restarting failed container app in pod {}_{}({})",
                        a.shape.name,
                        a.shape.namespace,
                        model::uid(a.shape.n)
                    );
                    pod_event(w, store, events, a, "Warning", "BackOff", msg);
                    true
                }
                CState::Waiting(..) if a.age >= 2 + a.statuses[0].restarts.min(6) => {
                    a.statuses[0].state = CState::Running(now);
                    a.age = 0;
                    pod_event(
                        w,
                        store,
                        events,
                        a,
                        "Normal",
                        "Pulled",
                        format!(
                            "Container image \"{}\" already present on machine and can be accessed by the pod",
                            a.shape.image
                        ),
                    );
                    pod_event(
                        w,
                        store,
                        events,
                        a,
                        "Normal",
                        "Started",
                        "Container started".into(),
                    );
                    true
                }
                _ => false,
            }
        }
        Script::Unschedulable => {
            if a.age.is_multiple_of(15) {
                pod_event(w, store, events, a, "Warning", "FailedScheduling",
                    "0/5 nodes are available: 5 Insufficient memory. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.".into());
            }
            false
        }
        Script::ImagePull => {
            if !a.age.is_multiple_of(5) {
                return false;
            }
            let pulling = matches!(a.statuses[0].state, CState::Waiting("ImagePullBackOff", _));
            let image = a.shape.image.clone();
            if pulling {
                let msg = format!(
                    "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found"
                );
                a.statuses[0].state = CState::Waiting("ErrImagePull", msg.clone());
                pod_event(w, store, events, a, "Warning", "Failed", msg);
            } else {
                a.statuses[0].state = CState::Waiting(
                    "ImagePullBackOff",
                    format!("Back-off pulling image \"{image}\""),
                );
                pod_event(
                    w,
                    store,
                    events,
                    a,
                    "Normal",
                    "BackOff",
                    format!("Back-off pulling image \"{image}\""),
                );
            }
            true
        }
        Script::Starting { init_ticks } => {
            if a.age == 2 && !a.init_done {
                // Scheduled and sandbox ready: init containers run (Init:0/2, then Init:1/2).
                a.statuses
                    .iter_mut()
                    .for_each(|s| s.state = CState::Waiting("PodInitializing", String::new()));
                pod_event(
                    w,
                    store,
                    events,
                    a,
                    "Normal",
                    "Started",
                    "Started container migrate".into(),
                );
                true
            } else if a.age == 2 + init_ticks {
                a.init_done = true;
                a.phase = "Running".into();
                a.statuses
                    .iter_mut()
                    .for_each(|s| *s = CStatus::running(now));
                a.script = Script::Steady;
                pod_event(
                    w,
                    store,
                    events,
                    a,
                    "Normal",
                    "Started",
                    "Container started".into(),
                );
                true
            } else {
                false
            }
        }
        Script::Job { ticks } => {
            if a.phase == "Running" && a.age >= ticks {
                let started = match a.statuses[0].state {
                    CState::Running(s) => s,
                    _ => now,
                };
                a.statuses[0].state = CState::Terminated {
                    reason: "Completed",
                    exit_code: 0,
                    started,
                    finished: now,
                };
                a.phase = "Succeeded".into();
                true
            } else {
                false
            }
        }
    }
}

fn start_job(w: &mut World, store: &Store) {
    let jobs: Vec<usize> = w
        .pods
        .iter()
        .enumerate()
        .filter(|(_, a)| matches!(a.script, Script::Job { .. }))
        .map(|(i, _)| i)
        .collect();
    if jobs.len() >= MAX_JOB_ACTORS {
        // The CronJob's history limit: the oldest finished job pod goes.
        if let Some(&i) = jobs.iter().find(|&&i| w.pods[i].phase == "Succeeded") {
            let a = w.pods.remove(i);
            store.remove(Kind::Pod, &(a.shape.namespace, a.shape.name));
        }
    }
    let mut a = seed::scripted_pod(w, "demo", "job", 0);
    a.phase = "Running".into();
    a.statuses = a
        .shape
        .containers
        .iter()
        .map(|_| CStatus::running(w.now))
        .collect();
    store.put(Kind::Pod, seed::actor_pod(&a));
    w.pods.push(a);
}

fn run_event(
    w: &World,
    store: &Store,
    events: &mut EventLog,
    r: &RunActor,
    type_: &str,
    reason: &str,
    message: String,
) {
    let uid = model::uid(r.shape.n);
    events.record(
        store,
        w.now,
        &EventShape {
            namespace: &r.shape.namespace,
            object_kind: "PipelineRun",
            object_name: &r.shape.name,
            object_uid: &uid,
            type_,
            reason,
            message,
            component: "PipelineRun",
            host: None,
            first: w.now,
            last: w.now,
            count: 1,
            n: r.shape.n,
        },
    );
}

fn step_runs(w: &mut World, store: &Store, events: &mut EventLog) {
    let mut runs = std::mem::take(&mut w.runs);
    for r in runs.iter_mut().filter(|r| !r.finished()) {
        let Some(current) = r
            .tasks
            .iter()
            .position(|t| matches!(t, TaskState::Running(_)))
        else {
            // Not started yet: start the first task.
            if let Some(first) = r.tasks.first_mut() {
                *first = TaskState::Running(w.now);
                run_event(w, store, events, r, "Normal", "Started", String::new());
                seed::write_run(w, store, r, true);
            }
            continue;
        };
        r.ticks_in_task += 1;
        if r.ticks_in_task < r.ticks_per_task {
            continue;
        }
        r.ticks_in_task = 0;
        let TaskState::Running(started) = r.tasks[current] else {
            continue;
        };
        if r.fails_at == Some(current) {
            r.tasks[current] = TaskState::Failed(started, w.now);
            let msg = format!(
                "Tasks Completed: {} (Failed: 1, Cancelled 0), Skipped: {}",
                current + 1,
                r.tasks.len() - current - 1
            );
            run_event(w, store, events, r, "Warning", "Failed", msg);
        } else {
            r.tasks[current] = TaskState::Succeeded(started, w.now);
            if let Some(next) = r.tasks.get_mut(current + 1) {
                *next = TaskState::Running(w.now);
            } else {
                let msg = format!(
                    "Tasks Completed: {} (Failed: 0, Cancelled 0), Skipped: 0",
                    r.tasks.len()
                );
                run_event(w, store, events, r, "Normal", "Succeeded", msg);
            }
        }
        seed::write_run(w, store, r, true);
    }
    if w.tick.is_multiple_of(NEW_RUN_EVERY) {
        let (pipeline, tasks) = PIPELINES[(w.tick / NEW_RUN_EVERY) as usize % PIPELINES.len()];
        let shape = seed::new_run(w, pipeline, tasks, "ci", 0);
        let fails_at = (w.rng.u8(..4) == 0).then(|| w.rng.usize(..tasks.len()));
        let run = RunActor {
            shape,
            tasks: vec![TaskState::NotStarted; tasks.len()],
            fails_at,
            ticks_per_task: w.rng.u32(3..8),
            ticks_in_task: 0,
            reason_override: None,
        };
        store.put(
            Kind::PipelineRun,
            model::pipelinerun(&run.shape, &run.tasks, None, w.now),
        );
        runs.push(run);
        prune_runs(&mut runs, store);
    }
    w.runs = runs;
}

/// Keep the run count flat: the oldest finished run goes (with its TaskRuns and pods), as
/// Tekton's pruner would.
fn prune_runs(runs: &mut Vec<RunActor>, store: &Store) {
    if let Some(i) = runs.iter().position(RunActor::finished) {
        let r = runs.remove(i);
        let ns = r.shape.namespace.clone();
        store.remove(Kind::PipelineRun, &(ns.clone(), r.shape.name.clone()));
        for task in &r.shape.tasks {
            let tr = model::taskrun_name(&r.shape, task);
            store.remove(Kind::Pod, &(ns.clone(), format!("{tr}-pod")));
            store.remove(Kind::TaskRun, &(ns.clone(), tr));
        }
    }
}

fn step_nodes(w: &mut World, store: &Store, events: &mut EventLog) {
    let hot = World::hot_fraction(w.tick);
    let now = w.now;
    let mut nodes = std::mem::take(&mut w.nodes);
    for node in nodes.iter_mut().filter(|n| n.hot) {
        let key = (String::new(), node.name.clone());
        let uid = model::uid(node.n);
        let mut node_event = |type_: &str, reason: &str, message: String| {
            events.record(
                store,
                now,
                &EventShape {
                    namespace: "default",
                    object_kind: "Node",
                    object_name: &node.name,
                    object_uid: &uid,
                    type_,
                    reason,
                    message,
                    component: "kubelet",
                    host: Some(&node.name),
                    first: now,
                    last: now,
                    count: 1,
                    n: node.n,
                },
            );
        };
        if hot >= 0.92 && !node.pressure {
            node.pressure = true;
            node_event(
                "Normal",
                "NodeHasInsufficientMemory",
                format!(
                    "Node {} status is now: NodeHasInsufficientMemory",
                    node.name
                ),
            );
            node_event(
                "Warning",
                "EvictionThresholdMet",
                "Attempting to reclaim memory".into(),
            );
            store.update(Kind::Node, &key, |n| {
                n["status"]["conditions"] = model::node_conditions(now, true);
                true
            });
            evict_one(store, events, &node.name, now);
        } else if hot <= 0.75 && node.pressure {
            node.pressure = false;
            node_event(
                "Normal",
                "NodeHasSufficientMemory",
                format!("Node {} status is now: NodeHasSufficientMemory", node.name),
            );
            store.update(Kind::Node, &key, |n| {
                n["status"]["conditions"] = model::node_conditions(now, false);
                true
            });
        }
    }
    w.nodes = nodes;
}

/// The kubelet evicts a running pod on `node`: best-effort pods first (they asked for nothing),
/// else the steady pod with the largest memory request.
fn evict_one(store: &Store, events: &mut EventLog, node: &str, now: Timestamp) {
    let running: Vec<_> = store
        .snapshot(Kind::Pod)
        .items
        .into_iter()
        .filter(|p| p["spec"]["nodeName"] == node && p["status"]["phase"] == "Running")
        .collect();
    let role = |p: &serde_json::Value, r: &str| p["metadata"]["annotations"][model::ROLE] == r;
    let victim = running
        .iter()
        .find(|p| role(p, "besteffort"))
        .cloned()
        .or_else(|| {
            running
                .iter()
                .filter(|p| role(p, "steady"))
                .max_by_key(|p| {
                    p["spec"]["containers"][0]["resources"]["requests"]["memory"]
                        .as_str()
                        .and_then(crate::quantity::bytes)
                        .unwrap_or(0)
                })
                .cloned()
        });
    let Some(victim) = victim else { return };
    let key = super::store::key_of(&victim);
    let message = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91036Ki. Container app was using 1843200Ki, request is 512Mi, has larger consumption of memory.";
    store.update(Kind::Pod, &key, |p| {
        p["status"]["phase"] = json!("Failed");
        p["status"]["reason"] = json!("Evicted");
        p["status"]["message"] = json!(message);
        if let Some(cs) = p["status"]["containerStatuses"].as_array_mut() {
            for c in cs {
                c["ready"] = json!(false);
                c["state"] = json!({"terminated": {"exitCode": 137, "reason": "ContainerStatusUnknown",
                    "message": "The container could not be located when the pod was terminated", "startedAt": null, "finishedAt": model::ts(now)}});
            }
        }
        true
    });
    let uid = victim["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    events.record(
        store,
        now,
        &EventShape {
            namespace: &key.0,
            object_kind: "Pod",
            object_name: &key.1,
            object_uid: &uid,
            type_: "Warning",
            reason: "Evicted",
            message: message.into(),
            component: "kubelet",
            host: Some(node),
            first: now,
            last: now,
            count: 1,
            n: 0,
        },
    );
}

/// The Tekton controller's reaction to a PipelineRun someone else wrote: a cancel request
/// (`spec.status: Cancelled`) stops the run; a new run (POSTed) starts running.
pub fn react_to_pipelinerun(
    w: &mut World,
    store: &Store,
    events: &mut EventLog,
    key: &(String, String),
) {
    let Some(obj) = store.get(Kind::PipelineRun, key) else {
        return;
    };
    let mut runs = std::mem::take(&mut w.runs);
    match runs
        .iter_mut()
        .find(|r| r.shape.namespace == key.0 && r.shape.name == key.1)
    {
        Some(r) => {
            let cancel = matches!(
                obj["spec"]["status"].as_str(),
                Some("Cancelled" | "CancelledRunFinally" | "StoppedRunFinally")
            );
            if cancel && !r.finished() {
                r.reason_override = Some(("Cancelled", "PipelineRun was cancelled"));
                // Tekton stops the TaskRuns that were running.
                for t in &mut r.tasks {
                    if let TaskState::Running(started) = *t {
                        *t = TaskState::Cancelled(started, w.now);
                    }
                }
                run_event(
                    w,
                    store,
                    events,
                    r,
                    "Warning",
                    "Cancelled",
                    "PipelineRun was cancelled".into(),
                );
                seed::write_run(w, store, r, true);
            }
        }
        None if obj["status"].is_null() => {
            let pipeline = obj["spec"]["pipelineRef"]["name"]
                .as_str()
                .unwrap_or("inline")
                .to_string();
            let tasks: Vec<&str> = PIPELINES
                .iter()
                .find(|(p, _)| *p == pipeline)
                .map_or(vec!["run"], |(_, t)| t.to_vec());
            let n = w.n();
            let shape = super::model::RunShape {
                name: key.1.clone(),
                namespace: key.0.clone(),
                pipeline,
                tasks: tasks.iter().map(|t| t.to_string()).collect(),
                created: w.now,
                n,
            };
            let mut tasks_state = vec![TaskState::NotStarted; tasks.len()];
            tasks_state[0] = TaskState::Running(w.now);
            let run = RunActor {
                shape,
                tasks: tasks_state,
                fails_at: None,
                ticks_per_task: w.rng.u32(3..8),
                ticks_in_task: 0,
                reason_override: None,
            };
            seed::write_run(w, store, &run, true);
            runs.push(run);
        }
        None => {}
    }
    w.runs = runs;
}
