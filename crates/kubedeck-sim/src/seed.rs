//! Deterministic seeding: namespaces, nodes, pods with scripted behaviour, PipelineRuns with
//! TaskRuns, and a history of events, all derived from `Scale::seed`.

use std::sync::Arc;

use jiff::Timestamp;

use super::events::EventLog;
use super::model::{self, CState, CStatus, EventShape, NodeShape, PodShape, RunShape, TaskState};
use super::resources::Kind;
use super::store::Store;
use super::world::{NodeActor, PodActor, RunActor, Scale, Script, World};

const BASE_NAMESPACES: &[&str] = &[
    "default",
    "demo",
    "payments",
    "web",
    "monitoring",
    "kube-system",
    "ci",
];
const APPS: &[(&str, &str, &str)] = &[
    ("web", "nginx:1.27", "web"),
    ("api", "ghcr.io/acme/api:2.14.1", "json"),
    ("billing", "ghcr.io/acme/billing:5.2.0", "java"),
    ("worker", "ghcr.io/acme/worker:2.14.1", "worker"),
    ("cache", "redis:7.4", "worker"),
    ("search", "ghcr.io/acme/search:0.9.3", "json"),
];
pub const PIPELINES: &[(&str, &[&str])] = &[
    ("build-and-test", &["fetch", "build", "test"]),
    ("deploy", &["fetch", "build", "push", "deploy"]),
    ("nightly-e2e", &["fetch", "provision", "e2e", "teardown"]),
];

fn alnum(rng: &mut fastrand::Rng, len: usize) -> String {
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..len)
        .map(|_| char::from(CHARS[rng.usize(..CHARS.len())]))
        .collect()
}

/// The Pod Security levels a seeded namespace enforces and warns at: payments is hardened
/// (enforces baseline, warns at restricted, the setting Kubernetes' docs suggest), as a PCI
/// namespace often is, so the demo shows what such a namespace refuses and warns of.
fn pod_security_level(namespace: &str) -> Option<(&'static str, &'static str)> {
    (namespace == "payments").then_some(("baseline", "restricted"))
}

fn namespaces(scale: &Scale) -> Vec<String> {
    let mut ns: Vec<String> = BASE_NAMESPACES.iter().map(|s| s.to_string()).collect();
    for i in 0..scale.pods / 400 {
        ns.push(format!("team-{i:02}"));
    }
    ns
}

/// Build the world and fill the store. `now` anchors every timestamp.
pub fn seed(scale: &Scale, store: &Store, events: &mut EventLog, now: Timestamp) -> World {
    let mut w = World {
        rng: fastrand::Rng::with_seed(scale.seed),
        now,
        tick: 0,
        next_n: scale.seed.wrapping_mul(1_000_003),
        namespaces: namespaces(scale),
        nodes: Vec::new(),
        pods: Vec::new(),
        runs: Vec::new(),
        rollouts: Vec::new(),
    };
    let cluster_age = 86_400 * 40;
    for name in w.namespaces.clone() {
        let n = w.n();
        let mut namespace = model::namespace(&name, w.ago(cluster_age), n);
        if let Some((enforced, warned)) = pod_security_level(&name) {
            let labels = &mut namespace["metadata"]["labels"];
            labels[super::pod_security::ENFORCE_LABEL] = enforced.into();
            labels[super::pod_security::WARN_LABEL] = warned.into();
        }
        store.put(Kind::Namespace, namespace);
    }
    seed_nodes(&mut w, scale, store);
    seed_pods(&mut w, scale, store, events);
    seed_runs(&mut w, scale, store, events);
    seed_history(&mut w, scale, store, events);
    seed_squeeze(&mut w, scale, store);
    super::owners::seed_owners(store);
    super::kinds_seed::seed_kinds(store, now, scale.pods >= 50);
    super::rbac::seed(store, &model::ts(w.ago(cluster_age)));
    if scale.pods >= 50 {
        // The demo's rollout in progress: `api` in demo, a new template going out.
        let key = ("demo".to_string(), "api".to_string());
        if super::rollout::start(store, &key) {
            w.rollouts.push(key);
        }
    }
    w
}

/// On the hot node, the pressure story: a cache warmer without a memory limit (its usage grows
/// with the node's memory wave until the node reports MemoryPressure) and a best-effort batch
/// pod, which the kubelet evicts first. Only at demo scale and above (small test worlds keep
/// their exact pod counts).
fn seed_squeeze(w: &mut World, scale: &Scale, store: &Store) {
    if scale.pods < 50 {
        return;
    }
    let Some(hot) = w.nodes.iter().find(|n| n.hot).map(|n| n.name.clone()) else {
        return;
    };
    for (role, app, mem) in [
        ("hog", "cache-warmer", 256),
        ("besteffort", "batch-report", 0),
    ] {
        let mut shape = new_shape(w, "demo", 0, role, 86_400 * 2);
        let rs = format!("{app}-{}", alnum(&mut w.rng, 10));
        shape.name = format!("{rs}-{}", alnum(&mut w.rng, 5));
        shape.app = app.into();
        shape.owner = Some(("ReplicaSet".into(), rs));
        shape.node = Some(hot.clone());
        shape.containers = vec!["app".into()];
        shape.memory_request_mi = mem;
        let actor = PodActor::running(shape.clone(), Script::Steady, shape.created);
        store.put(Kind::Pod, actor_pod(&actor));
        w.pods.push(actor);
    }
}

fn seed_nodes(w: &mut World, scale: &Scale, store: &Store) {
    let count = scale.nodes.max(1);
    let width = if count > 99 { 3 } else { 2 };
    for i in 0..count {
        let (name, control_plane) = if i == 0 {
            ("control-plane".to_string(), true)
        } else {
            (format!("worker-{i:0width$}"), false)
        };
        let n = w.n();
        let memory_gi = if control_plane {
            8
        } else {
            [16, 32, 64][i % 3]
        };
        let cpu_cores = if control_plane { 4 } else { [8, 16, 32][i % 3] };
        let created = w.ago(86_400 * 40 - i as i64 * 600);
        let ip = format!("172.18.{}.{}", i / 250, 2 + i % 250);
        store.put(
            Kind::Node,
            model::node(&NodeShape {
                name: &name,
                ip,
                control_plane,
                cpu_cores,
                memory_gi,
                created,
                n,
            }),
        );
        // The first worker is the one whose memory swings into pressure.
        w.nodes.push(NodeActor {
            name,
            n,
            cpu_cores,
            memory_gi,
            hot: i == 1 || count == 1,
            pressure: false,
        });
    }
}

fn pick_node(w: &mut World) -> String {
    let workers = if w.nodes.len() > 1 {
        &w.nodes[1..]
    } else {
        &w.nodes[..]
    };
    let i = w.rng.usize(..workers.len());
    workers[i].name.clone()
}

/// A pod shape for `app` in `namespace`, owned by a ReplicaSet.
pub fn new_shape(
    w: &mut World,
    namespace: &str,
    app_index: usize,
    script_name: &str,
    age_secs: i64,
) -> PodShape {
    let (app, image, log_style) = APPS[app_index % APPS.len()];
    let rs = format!("{app}-{}", alnum(&mut w.rng, 10));
    let name = format!("{rs}-{}", alnum(&mut w.rng, 5));
    let n = w.n();
    let node = Some(pick_node(w));
    let containers = if app == "api" {
        vec!["app".to_string(), "envoy".to_string()]
    } else {
        vec!["app".to_string()]
    };
    PodShape {
        name,
        namespace: namespace.to_string(),
        app: app.to_string(),
        owner: Some(("ReplicaSet".into(), rs)),
        node,
        ip: format!("10.244.{}.{}", (n / 250) % 250, 2 + n % 250),
        containers,
        init_containers: Vec::new(),
        image: image.to_string(),
        created: w.ago(age_secs),
        role: script_name.to_string(),
        log_style: log_style.to_string(),
        n,
        memory_request_mi: [64, 128, 256, 512][(n % 4) as usize],
        cpu_request_m: [50, 100, 250][(n % 3) as usize],
    }
}

fn seed_pods(w: &mut World, scale: &Scale, store: &Store, events: &mut EventLog) {
    let total = scale.pods;
    let scripted = |div: usize, cap: usize| (total / div).clamp(1, cap).min(total);
    let plan: Vec<(&str, usize)> = vec![
        ("crashloop", scripted(40, 40)),
        ("oom", scripted(80, 20)),
        ("unschedulable", scripted(100, 15)),
        ("imagepull", scripted(100, 10)),
        ("starting", scripted(60, 10)),
        ("job", scripted(50, 10)),
    ];
    let mut made = 0usize;
    for (role, count) in plan {
        for k in 0..count {
            if made >= total {
                return;
            }
            made += 1;
            // The first of each role lives in `demo` so the demo shows one of everything.
            let ns = if k == 0 {
                "demo".to_string()
            } else {
                w.namespaces[w.rng.usize(..w.namespaces.len())].clone()
            };
            let age = w.rng.i64(600..86_400 * 3);
            let actor = scripted_pod(w, &ns, role, age);
            store.put(Kind::Pod, actor_pod(&actor));
            if role == "unschedulable" {
                let uid = model::uid(actor.shape.n);
                events.record(store, w.now, &EventShape {
                    namespace: &ns, object_kind: "Pod", object_name: &actor.shape.name, object_uid: &uid, type_: "Warning",
                    reason: "FailedScheduling", message: "0/5 nodes are available: 5 Insufficient memory. preemption: 0/5 nodes are available: 5 No preemption victims found for incoming pod.".into(),
                    component: "default-scheduler", host: None, first: actor.shape.created, last: w.now, count: 1, n: 0,
                });
            }
            w.pods.push(actor);
        }
    }
    for _ in made..total {
        let ns = w.namespaces[w.rng.usize(..w.namespaces.len())].clone();
        let app = w.rng.usize(..APPS.len());
        let age = w.rng.i64(3600..86_400 * 30);
        let shape = new_shape(w, &ns, app, "steady", age);
        let actor = PodActor::running(shape.clone(), Script::Steady, shape.created);
        store.put(Kind::Pod, actor_pod(&actor));
    }
}

pub fn scripted_pod(w: &mut World, ns: &str, role: &str, age: i64) -> PodActor {
    let app = w.rng.usize(..APPS.len());
    let mut shape = new_shape(w, ns, app, role, age);
    let t = shape.created;
    match role {
        "crashloop" | "oom" => {
            let oom = role == "oom";
            let restarts = w.rng.u32(3..40);
            let last = CState::Terminated {
                reason: if oom { "OOMKilled" } else { "Error" },
                exit_code: if oom { 137 } else { 1 },
                started: w.ago(200),
                finished: w.ago(150),
            };
            let mut a = PodActor::running(
                shape,
                Script::CrashLoop {
                    run: w.rng.u32(4..10),
                    oom,
                },
                t,
            );
            a.statuses[0] = CStatus {
                state: CState::Waiting("CrashLoopBackOff", String::new()),
                last: Some(last),
                restarts,
            };
            a
        }
        "unschedulable" => {
            shape.node = None;
            shape.memory_request_mi = 96 * 1024;
            let mut a = PodActor::waiting(shape, Script::Unschedulable, "ContainerCreating", "");
            a.statuses.clear();
            a
        }
        "imagepull" => {
            shape.image = format!("ghcr.io/acme/{}:does-not-exist", shape.app);
            let msg = format!("Back-off pulling image \"{}\"", shape.image);
            PodActor::waiting(shape, Script::ImagePull, "ImagePullBackOff", &msg)
        }
        "starting" => {
            shape.init_containers = vec!["migrate".into(), "warm-cache".into()];
            shape.created = w.now;
            let mut a = PodActor::waiting(
                shape,
                Script::Starting { init_ticks: 6 },
                "ContainerCreating",
                "",
            );
            a.init_done = false;
            a
        }
        _ => {
            shape.owner = Some(("Job".into(), format!("report-{}", alnum(&mut w.rng, 8))));
            // The CronJob's pod template labels: every run's pod carries them.
            shape.app = "report".into();
            shape.log_style = "worker".into();
            let mut a = PodActor::running(
                shape,
                Script::Job {
                    ticks: w.rng.u32(5..20),
                },
                t,
            );
            if w.rng.bool() {
                a.phase = "Succeeded".into();
                a.statuses[0].state = CState::Terminated {
                    reason: "Completed",
                    exit_code: 0,
                    started: t,
                    finished: t,
                };
            }
            a
        }
    }
}

pub fn actor_pod(a: &PodActor) -> serde_json::Value {
    model::pod(&a.shape, &a.phase, &a.statuses, a.init_done, None)
}

fn seed_runs(w: &mut World, scale: &Scale, store: &Store, events: &mut EventLog) {
    let count = scale.pipelineruns;
    for i in 0..count {
        let (pipeline, tasks) = PIPELINES[i % PIPELINES.len()];
        // Oldest first; the last two are still running.
        let running = i + 2 >= count;
        let age = ((count - i) as i64) * 300 + 60;
        let run = new_run(w, pipeline, tasks, "ci", age);
        let mut actor = RunActor {
            shape: run,
            tasks: vec![TaskState::NotStarted; tasks.len()],
            fails_at: None,
            ticks_per_task: w.rng.u32(4..9),
            ticks_in_task: 0,
            reason_override: None,
        };
        let start = actor.shape.created;
        if running {
            let done = w.rng.usize(..tasks.len());
            for (t, state) in actor.tasks.iter_mut().enumerate().take(done) {
                *state = TaskState::Succeeded(
                    start,
                    start
                        .saturating_add(jiff::SignedDuration::from_secs(60 * (t as i64 + 1)))
                        .unwrap_or(start),
                );
            }
            actor.tasks[done] = TaskState::Running(w.now);
            actor.fails_at = (w.rng.u8(..4) == 0).then(|| tasks.len() - 1);
        } else {
            let roll = w.rng.u8(..20);
            let fail_at = match roll {
                0..=3 => Some(w.rng.usize(..tasks.len())),
                _ => None,
            };
            let mut t0 = start;
            for (t, state) in actor.tasks.iter_mut().enumerate() {
                let t1 = t0
                    .saturating_add(jiff::SignedDuration::from_secs(40 + (t as i64) * 25))
                    .unwrap_or(t0);
                *state = if fail_at == Some(t) {
                    TaskState::Failed(t0, t1)
                } else {
                    TaskState::Succeeded(t0, t1)
                };
                t0 = t1;
                if fail_at == Some(t) {
                    break;
                }
            }
            match roll {
                4 => {
                    actor.reason_override = Some((
                        "PipelineRunTimeout",
                        "PipelineRun \"run\" failed to finish within \"1h0m0s\"",
                    ))
                }
                5 => {
                    actor.reason_override = Some(("Cancelled", "PipelineRun \"run\" was cancelled"))
                }
                _ => {}
            }
            if fail_at.is_some() {
                let uid = model::uid(actor.shape.n);
                events.record(
                    store,
                    w.now,
                    &EventShape {
                        namespace: "ci",
                        object_kind: "PipelineRun",
                        object_name: &actor.shape.name,
                        object_uid: &uid,
                        type_: "Warning",
                        reason: "Failed",
                        message: "Tasks Completed: 1 (Failed: 1, Cancelled 0), Skipped: 1".into(),
                        component: "PipelineRun",
                        host: None,
                        first: t0,
                        last: t0,
                        count: 1,
                        n: 0,
                    },
                );
            }
        }
        write_run(w, store, &actor, i + 10 >= count);
        w.runs.push(actor);
    }
}

pub fn new_run(w: &mut World, pipeline: &str, tasks: &[&str], ns: &str, age: i64) -> RunShape {
    let n = w.n();
    RunShape {
        name: format!("{pipeline}-run-{}", alnum(&mut w.rng, 5)),
        namespace: ns.to_string(),
        pipeline: pipeline.to_string(),
        tasks: tasks.iter().map(|s| s.to_string()).collect(),
        created: w.ago(age),
        n,
    }
}

/// Store the run, its TaskRuns, and (when `with_pods`) the TaskRuns' pods.
pub fn write_run(w: &World, store: &Store, a: &RunActor, with_pods: bool) {
    let mut run = model::pipelinerun(&a.shape, &a.tasks, a.reason_override, w.now);
    // A run someone wrote (POSTed, or patched) keeps its spec, labels and annotations: the
    // controller writes status, and `spec.status` only when it cancels.
    let key = (a.shape.namespace.clone(), a.shape.name.clone());
    if let Some(stored) = store.get(Kind::PipelineRun, &key) {
        let mut spec = stored["spec"].clone();
        if spec.is_object() {
            if !run["spec"]["status"].is_null() {
                spec["status"] = run["spec"]["status"].clone();
            }
            run["spec"] = spec;
        }
        if let (Some(ours), Some(theirs)) = (
            run["metadata"]["labels"].as_object_mut(),
            stored["metadata"]["labels"].as_object(),
        ) {
            ours.extend(theirs.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        for field in ["annotations", "generateName"] {
            if !stored["metadata"][field].is_null() {
                run["metadata"][field] = stored["metadata"][field].clone();
            }
        }
    }
    store.put(Kind::PipelineRun, run);
    for (task, state) in a.shape.tasks.iter().zip(&a.tasks) {
        if *state == TaskState::NotStarted {
            continue;
        }
        store.put(Kind::TaskRun, model::taskrun(&a.shape, task, *state, w.now));
        if with_pods {
            store.put(Kind::Pod, task_pod(w, a, task, *state));
        }
    }
}

pub fn task_pod(w: &World, a: &RunActor, task: &str, state: TaskState) -> serde_json::Value {
    let shape = PodShape {
        name: format!("{}-pod", model::taskrun_name(&a.shape, task)),
        namespace: a.shape.namespace.clone(),
        app: a.shape.pipeline.clone(),
        owner: None,
        node: w.nodes.last().map(|n| n.name.clone()),
        ip: format!("10.244.200.{}", 2 + a.shape.n % 250),
        containers: vec![format!("step-{task}")],
        init_containers: vec![],
        image: "ghcr.io/acme/ci-tools:1.8".into(),
        created: match state {
            TaskState::Running(s)
            | TaskState::Succeeded(s, _)
            | TaskState::Failed(s, _)
            | TaskState::Cancelled(s, _) => s,
            TaskState::NotStarted => a.shape.created,
        },
        role: "task".into(),
        log_style: "task".into(),
        // Each task's pod its own uid (tasks of one length shared one, as no apiserver would).
        n: a.shape.n ^ model::name_bits(task).rotate_left(24),
        memory_request_mi: 512,
        cpu_request_m: 500,
    };
    let (phase, st) = match state {
        TaskState::Running(s) => ("Running", CStatus::running(s)),
        TaskState::NotStarted => (
            "Pending",
            CStatus {
                state: CState::Waiting("PodInitializing", String::new()),
                last: None,
                restarts: 0,
            },
        ),
        TaskState::Succeeded(s, f) => (
            "Succeeded",
            CStatus {
                state: CState::Terminated {
                    reason: "Completed",
                    exit_code: 0,
                    started: s,
                    finished: f,
                },
                last: None,
                restarts: 0,
            },
        ),
        TaskState::Failed(s, f) => (
            "Failed",
            CStatus {
                state: CState::Terminated {
                    reason: "Error",
                    exit_code: 1,
                    started: s,
                    finished: f,
                },
                last: None,
                restarts: 0,
            },
        ),
        // The step was killed when the run was cancelled.
        TaskState::Cancelled(s, f) => (
            "Failed",
            CStatus {
                state: CState::Terminated {
                    reason: "Error",
                    exit_code: 137,
                    started: s,
                    finished: f,
                },
                last: None,
                restarts: 0,
            },
        ),
    };
    let mut pod = model::pod(&shape, phase, &[st], true, None);
    pod["metadata"]["labels"]["tekton.dev/pipelineRun"] = serde_json::json!(a.shape.name);
    pod["metadata"]["labels"]["tekton.dev/pipelineTask"] = serde_json::json!(task);
    pod["metadata"]["labels"]["tekton.dev/taskRun"] =
        serde_json::json!(model::taskrun_name(&a.shape, task));
    pod["metadata"]["ownerReferences"] = serde_json::json!([{"apiVersion": "tekton.dev/v1", "kind": "TaskRun",
        "name": model::taskrun_name(&a.shape, task), "uid": model::uid(a.shape.n ^ 0xabc), "controller": true}]);
    pod
}

/// Background history: the routine events of a cluster's last hour, spread over its pods.
fn seed_history(w: &mut World, scale: &Scale, store: &Store, events: &mut EventLog) {
    let pods = store.snapshot(Kind::Pod).items;
    if pods.is_empty() {
        return;
    }
    const ROUTINE: &[(&str, &str, &str)] = &[
        (
            "Normal",
            "Scheduled",
            "Successfully assigned {ns}/{pod} to {node}",
        ),
        (
            "Normal",
            "Pulled",
            "Container image \"{image}\" already present on machine and can be accessed by the pod",
        ),
        ("Normal", "Created", "Container created"),
        ("Normal", "Started", "Container started"),
        (
            "Warning",
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
        ),
        ("Normal", "Killing", "Stopping container app"),
    ];
    for i in 0..scale.events {
        let pod: &Arc<serde_json::Value> = &pods[i % pods.len()];
        let (type_, reason, template) = ROUTINE[(i / pods.len() + i) % ROUTINE.len()];
        let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
        let node = pod["spec"]["nodeName"].as_str().unwrap_or("<none>");
        let image = pod["spec"]["containers"][0]["image"]
            .as_str()
            .unwrap_or_default();
        let message = template
            .replace("{ns}", ns)
            .replace("{pod}", name)
            .replace("{node}", node)
            .replace("{image}", image);
        let n = w.n();
        let back = w.rng.i64(300..3300);
        let first = w.ago(back);
        let component = if reason == "Scheduled" {
            "default-scheduler"
        } else {
            "kubelet"
        };
        events.put_unique(
            store,
            &EventShape {
                namespace: ns,
                object_kind: "Pod",
                object_name: name,
                object_uid: uid,
                type_,
                reason,
                message,
                component,
                host: (component == "kubelet").then_some(node),
                first,
                last: first,
                count: 1,
                n,
            },
        );
    }
}
