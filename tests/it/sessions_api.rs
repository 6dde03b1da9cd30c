//! The session backends against the simulator, below the UI: exec's shell fallback and exit
//! codes, the ephemeral-container flow and its refusals, attach re-use.

use crate::common;

use std::time::Duration;

use kubedeck::kube::debug::{Ephemeral, default_profiles};
use kubedeck::kube::exec::{Exec, Target};
use kubedeck::pty::{Backend, Connection, Ended, SessionError, Size};
use kubedeck_sim::Kind;
use serde_json::json;
use tokio::sync::mpsc;

const SIZE: Size = Size { rows: 24, cols: 80 };

fn target(client: kube::Client, pod: &str) -> Target {
    Target {
        client,
        namespace: "demo".into(),
        pod: pod.into(),
        container: "app".into(),
    }
}

/// A built-in debug profile.
fn builtin(name: &str) -> kubedeck::kube::debug::Profile {
    default_profiles()
        .into_iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no built-in profile {name}"))
}

/// A running nginx pod with no labels and no IP.
fn plain_pod(namespace: &str, name: &str) -> serde_json::Value {
    common::pods::pod(namespace, name)
        .image("nginx:1")
        .no_labels()
        .no_ip()
        .json()
}

async fn connect(b: impl Backend) -> (Result<Connection, SessionError>, Vec<String>) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = Box::new(b).connect(SIZE, tx).await;
    let mut progress = Vec::new();
    while let Ok(line) = rx.try_recv() {
        progress.push(line);
    }
    (conn, progress)
}

/// Type `input`, then read until the session ends; its output and how it ended.
async fn run(conn: Connection, input: &str) -> (String, Ended) {
    common::type_and_finish(conn, input).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_falls_back_to_sh_and_reports_the_exit_code() {
    let sim = common::start(common::frozen(5)).await;
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "tiny")
            .image("busybox:1.37")
            .no_labels()
            .no_ip()
            .json(),
    );
    let client = common::client_for(&sim).await;
    let (conn, progress) = connect(Exec {
        target: target(client.clone(), "tiny"),
        command: None,
    })
    .await;
    let conn = conn.unwrap();
    assert!(
        progress.iter().any(|p| p.contains("bash not found")),
        "{progress:?}"
    );
    let (out, ended) = run(conn, "echo $((6*7)); exit 4\r").await;
    assert!(out.contains("42"), "{out}");
    assert_eq!(ended, Ended::Exited(4));

    // No shell at all: a message that says so and points at a debug container.
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "bare")
            .image("gcr.io/distroless/static:nonroot")
            .no_labels()
            .no_ip()
            .json(),
    );
    let (conn, _) = connect(Exec {
        target: target(client, "bare"),
        command: None,
    })
    .await;
    let err = conn.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("no shell in the image"), "{err}");
    assert!(err.contains("(D)"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_into_a_missing_or_stopped_container_is_refused_clearly() {
    let sim = common::start(common::frozen(5)).await;
    let mut stopped = plain_pod("demo", "stopped");
    stopped["status"]["containerStatuses"][0]["state"] =
        json!({"waiting": {"reason": "CrashLoopBackOff"}});
    sim.store().put(Kind::Pod, stopped);
    let client = common::client_for(&sim).await;
    let (conn, _) = connect(Exec {
        target: target(client.clone(), "stopped"),
        command: None,
    })
    .await;
    let err = conn.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("not running"), "{err}");
    sim.faults().forbid("pods/exec");
    sim.store().put(Kind::Pod, plain_pod("demo", "fine"));
    let (conn, _) = connect(Exec {
        target: target(client, "fine"),
        command: None,
    })
    .await;
    let err = conn.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("not allowed"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ephemeral_debug_runs_then_reattaches_instead_of_adding_another() {
    let sim = common::start(common::frozen(5)).await;
    sim.store().put(Kind::Pod, plain_pod("demo", "web"));
    let client = common::client_for(&sim).await;
    let busybox = builtin("busybox");
    let debug = |client: kube::Client| Ephemeral {
        target: target(client, "web"),
        profile: busybox.clone(),
        timeout: Duration::from_secs(30),
    };
    let (conn, progress) = connect(debug(client.clone())).await;
    let first = conn.unwrap();
    let text = progress.join("\n");
    assert!(text.contains("Pulling image \"busybox:1.37\""), "{text}");
    assert!(text.contains("is running; attaching"), "{text}");

    // Still running: the second session attaches to the same debugger.
    let (conn, progress) = connect(debug(client)).await;
    let second = conn.unwrap();
    assert!(
        progress.iter().any(|p| p.contains("re-attaching")),
        "{progress:?}"
    );
    let stored = sim
        .store()
        .get(Kind::Pod, &("demo".into(), "web".into()))
        .expect("pod gone");
    assert_eq!(
        stored["spec"]["ephemeralContainers"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    drop(first);
    let (out, ended) = run(second, "echo reused-$((3*3)); exit 0\r").await;
    assert!(out.contains("reused-9"), "{out}");
    assert_eq!(ended, Ended::Exited(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ephemeral_refusals_name_the_cause() {
    let sim = common::start(common::frozen(5)).await;
    sim.store().put(Kind::Pod, plain_pod("demo", "web"));
    let client = common::client_for(&sim).await;
    let profile = builtin("busybox");
    let attempt = |client: kube::Client| Ephemeral {
        target: target(client, "web"),
        profile: profile.clone(),
        timeout: Duration::from_secs(30),
    };

    sim.faults().forbid("pods/ephemeralcontainers");
    let err = connect(attempt(client.clone())).await.0.err();
    let err = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.contains("RBAC") && err.contains("pods/ephemeralcontainers"),
        "{err}"
    );
    sim.faults().allow("pods/ephemeralcontainers");

    sim.faults().set_ephemeral_enabled(false);
    let err = connect(attempt(client.clone())).await.0.err();
    let err = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.contains("does not serve pods/ephemeralcontainers"),
        "{err}"
    );
    sim.faults().set_ephemeral_enabled(true);

    let mut mirror = common::pods::pod("demo", "etcd-cp")
        .image("registry.k8s.io/etcd:3.5")
        .no_labels()
        .no_ip()
        .json();
    mirror["metadata"]["annotations"] = json!({"kubernetes.io/config.mirror": "abc"});
    sim.store().put(Kind::Pod, mirror);
    let err = connect(Ephemeral {
        target: target(client.clone(), "etcd-cp"),
        profile: profile.clone(),
        timeout: Duration::from_secs(30),
    })
    .await
    .0
    .err();
    let err = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("static pod"), "{err}");

    let mut broken = profile.clone();
    broken.image = "registry.local/tools:does-not-exist".into();
    let err = connect(Ephemeral {
        target: target(client, "web"),
        profile: broken,
        timeout: Duration::from_secs(30),
    })
    .await
    .0
    .err();
    let err = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("ErrImagePull"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_the_pod_ends_its_debug_session() {
    let sim = common::start(common::frozen(5)).await;
    sim.store().put(Kind::Pod, plain_pod("demo", "doomed"));
    let client = common::client_for(&sim).await;
    let profile = builtin("busybox");
    let (conn, _) = connect(Ephemeral {
        target: target(client.clone(), "doomed"),
        profile,
        timeout: Duration::from_secs(30),
    })
    .await;
    let mut conn = conn.unwrap();
    let api: kube::Api<k8s_openapi::api::core::v1::Pod> = kube::Api::namespaced(client, "demo");
    api.delete("doomed", &kube::api::DeleteParams::default())
        .await
        .unwrap();
    let drained = async { while conn.output.recv().await.is_some() {} };
    tokio::time::timeout(Duration::from_secs(20), drained)
        .await
        .unwrap_or_else(|_| panic!("the session outlived its pod"));
    let ended = conn.exit.await.unwrap_or(Ended::Lost("no exit".into()));
    assert!(
        !matches!(ended, Ended::Exited(0)),
        "a killed debugger does not exit cleanly: {ended:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_security_refusals_say_so_and_name_a_debugger_the_level_admits() {
    let sim = common::start(common::frozen(5)).await;
    // payments enforces baseline in the simulated world; vault is made restricted here.
    let mut vault = (*sim
        .store()
        .get(Kind::Namespace, &(String::new(), "demo".into()))
        .expect("demo namespace"))
    .clone();
    vault["metadata"]["name"] = json!("vault");
    vault["metadata"]["labels"] = json!({"pod-security.kubernetes.io/enforce": "restricted"});
    sim.store().put(Kind::Namespace, vault);
    for ns in ["payments", "vault"] {
        let mut pod = common::pods::pod(ns, "web")
            .image("nginx:1")
            .no_labels()
            .no_ip()
            .json();
        // Admitted where it runs: a restricted namespace's pods run as restricted asks (the
        // plugin weighs every container of the pod when a debugger is added).
        pod["spec"]["containers"][0]["securityContext"] =
            kubedeck::kube::debug::restricted_context();
        sim.store().put(Kind::Pod, pod);
    }
    let client = common::client_for(&sim).await;
    let profile = |name: &str| {
        default_profiles()
            .into_iter()
            .find(|p| p.name == name)
            .expect("a built-in profile")
    };
    let attempt = |ns: &str, name: &str| Ephemeral {
        target: Target {
            namespace: ns.into(),
            ..target(client.clone(), "web")
        },
        profile: profile(name),
        timeout: Duration::from_secs(30),
    };

    // netshoot's capabilities break baseline: said as Pod Security's, not as RBAC's.
    let err = connect(attempt("payments", "net")).await.0.err();
    let err = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.contains("Pod Security refuses it: namespace payments enforces \"baseline:latest\": non-default capabilities (container \"kubedeck-net-"),
        "{err}"
    );
    assert!(
        err.contains("must not include \"NET_ADMIN\", \"NET_RAW\""),
        "{err}"
    );
    assert!(!err.contains("RBAC"), "{err}");
    // busybox adds nothing: baseline admits it.
    let (conn, _) = connect(attempt("payments", "busybox")).await;
    let (out, _) = run(conn.unwrap(), "echo baseline-$((2*3)); exit 0\r").await;
    assert!(out.contains("baseline-6"), "{out}");

    // restricted refuses busybox (root, privilege escalation) and admits `restricted`.
    let err = connect(attempt("vault", "busybox")).await.0.err();
    let err = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.contains("enforces \"restricted:latest\": allowPrivilegeEscalation != false"),
        "{err}"
    );
    assert!(err.contains("the `restricted` profile"), "{err}");
    let (conn, _) = connect(attempt("vault", "restricted")).await;
    let (out, _) = run(conn.unwrap(), "echo restricted-$((3*3)); exit 0\r").await;
    assert!(out.contains("restricted-9"), "{out}");
    let stored = sim
        .store()
        .get(Kind::Pod, &("vault".into(), "web".into()))
        .expect("pod gone");
    let debugger = &stored["spec"]["ephemeralContainers"][0];
    assert_eq!(debugger["securityContext"]["runAsUser"], 65534);
}

/// The `restricted` debugger runs as the user it asks for, as a kubelet runs it (the simulator
/// switches to it with setpriv when it runs as root), and its shell works there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (the simulator switches the debugger's process to its runAsUser): run as root, as .ci/run does"
)]
async fn a_restricted_debugger_runs_as_nobody() {
    let sim = common::start(common::frozen(5)).await;
    sim.store().put(Kind::Pod, plain_pod("demo", "web"));
    let client = common::client_for(&sim).await;
    let profile = builtin("restricted");
    let (conn, _) = connect(Ephemeral {
        target: target(client, "web"),
        profile,
        timeout: Duration::from_secs(30),
    })
    .await;
    let (out, ended) = run(
        conn.unwrap(),
        "echo uid-$(id -u) gid-$(id -g); touch mine && echo wrote; exit 0\r",
    )
    .await;
    assert!(out.contains("uid-65534 gid-65534"), "{out}");
    assert!(
        out.contains("wrote"),
        "its own directory is writable: {out}"
    );
    assert_eq!(ended, Ended::Exited(0));
}
