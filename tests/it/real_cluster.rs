//! The end-to-end tests against a real cluster, run only when KUBEDECK_E2E_KUBECONFIG names a
//! kubeconfig. They only read (list/watch pods); nothing on the cluster is changed — except the
//! opt-in session tests: `KUBEDECK_E2E_EXEC_POD=ns/pod:container` runs `echo` in a shell there,
//! and `KUBEDECK_E2E_DEBUG_POD=ns/pod:container` adds an ephemeral busybox container to that pod
//! (which stays in its spec until the pod is replaced: point it at a disposable pod).

use crate::common;

use std::path::PathBuf;

use common::term::Term;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

/// The real cluster's kubeconfig; run without one, the test fails and says why (it never
/// passes without having looked).
fn kubeconfig() -> PathBuf {
    match std::env::var_os("KUBEDECK_E2E_KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => panic!("set KUBEDECK_E2E_KUBECONFIG to a kubeconfig to run the real-cluster tests"),
    }
}

/// The real cluster's kubeconfig and the first pods it lists.
fn cluster_and_pods() -> (PathBuf, Vec<(String, String)>) {
    let path = kubeconfig();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let keys = rt.block_on(first_pods(&path));
    (path, keys)
}

async fn first_pods(path: &PathBuf) -> Vec<(String, String)> {
    let kc = kube::config::Kubeconfig::read_from(path).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    let pods: Api<Pod> = Api::all(client);
    let list = pods.list(&ListParams::default()).await.expect("list pods");
    let mut keys: Vec<_> = list
        .items
        .iter()
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
#[cfg_attr(
    not(real_cluster),
    ignore = "needs a real cluster: KUBEDECK_E2E_KUBECONFIG=PATH cargo test --test it real_cluster"
)]
fn real_cluster_pods_view_shows_and_filters() {
    let (path, keys) = cluster_and_pods();
    assert!(!keys.is_empty(), "the real cluster has no pods to show");
    let mut t = Term::with_kubeconfig(&path, &["-A", "--readonly"], 200, 60);
    t.wait_for(&keys[0].1);
    t.send("/");
    t.send(&keys[0].1);
    t.send("\r");
    let title = format!(" /{} ", keys[0].1);
    t.wait_until("the filtered pod", |s| {
        s.contains(&keys[0].1) && s.contains(&title)
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
#[cfg_attr(
    not(real_cluster),
    ignore = "needs a real cluster: KUBEDECK_E2E_KUBECONFIG=PATH cargo test --test it real_cluster"
)]
fn real_cluster_describe_fetches_the_pod() {
    let (path, keys) = cluster_and_pods();
    assert!(!keys.is_empty(), "the real cluster has no pods to show");
    let (ns, name) = &keys[0];
    let mut t = Term::with_kubeconfig(&path, &["-A", "--readonly"], 200, 60);
    t.wait_for(name);
    t.send(&format!("/{name}\r"));
    t.wait_for(&format!(" /{name} "));
    // Describe reads the pod from the API (the store keeps rows): its containers show.
    t.send("d");
    t.wait_until("the described pod", |s| {
        s.contains(&format!("describe {name}"))
            && s.contains(&format!("Namespace:      {ns}"))
            && s.contains("Containers:")
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
#[cfg_attr(
    not(real_cluster),
    ignore = "needs a real cluster: KUBEDECK_E2E_KUBECONFIG=PATH cargo test --test it real_cluster"
)]
fn real_cluster_renders_at_80x24() {
    let path = kubeconfig();
    let mut t = Term::with_kubeconfig(&path, &["-A", "--readonly"], 80, 24);
    t.wait_until("the pods view with its status bar", |s| {
        s.contains("pods(all)") && s.contains("pods ") && s.contains("nodes")
    });
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
#[cfg_attr(
    not(real_cluster),
    ignore = "needs a real cluster: KUBEDECK_E2E_KUBECONFIG=PATH cargo test --test it real_cluster"
)]
fn real_cluster_every_view_by_command() {
    let path = kubeconfig();
    let mut t = Term::with_kubeconfig(&path, &["-A", "--readonly"], 200, 60);
    t.wait_for("pods(all)");
    // PipelineRuns: rows, or a clear "not installed" / "forbidden" when Tekton is absent.
    let views = [
        (":ev", "events(all)", "LAST SEEN"),
        (":no", "nodes(all)", "PRESSURE"),
        (":ns", "namespaces(all)", "(all)"),
        (":ctx", "contexts(all)", "CLUSTER"),
        (":triage", "triage(all)", "PROBLEM"),
        (":pr", "pipelineruns(all)", "pipelineruns"),
        (":po", "pods(all)", "RESTARTS"),
    ];
    for (cmd, title, text) in views {
        t.send(&format!("{cmd}\r"));
        // (`:po` goes back to the first view, so its title has no breadcrumb.)
        t.wait_until(&format!("{cmd} to show {title}"), |s| {
            s.contains(title) && s.contains(text)
        });
    }
    // Node usage, or why there is none, never zeros passed off as usage.
    t.send(":no\r");
    t.wait_until("usage or the reason it is unavailable", |s| {
        s.contains('%') || s.contains("usage unavailable")
    });
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
#[cfg_attr(
    not(real_cluster),
    ignore = "needs a real cluster: KUBEDECK_E2E_KUBECONFIG=PATH cargo test --test it real_cluster"
)]
fn real_cluster_pod_logs_in_a_pane() {
    let (path, keys) = cluster_and_pods();
    let Some((ns, name)) = keys.first().cloned() else {
        panic!("the real cluster has no pods to show");
    };
    let mut t = Term::with_kubeconfig(&path, &["-n", &ns, "--readonly"], 200, 60);
    t.wait_for(&name);
    t.send(&format!("/{name}\r"));
    t.wait_for(&format!("/{name}"));
    t.send("l");
    // Several containers: take them all.
    let screen = t.wait_until("a log pane or the container picker", |s| {
        s.contains(&format!("logs {name}")) || s.contains("choose")
    });
    if screen.contains("choose") {
        t.send("a");
    }
    t.wait_until("the pane's status line", |s| {
        s.contains(&format!("logs {name}")) && s.contains(" lines")
    });
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

/// `ns/pod:container` from an opt-in variable.
fn session_target(var: &str) -> (String, String, String) {
    let v = std::env::var(var).ok().filter(|v| !v.is_empty());
    let Some(v) = v else {
        panic!("set {var}=namespace/pod:container to run this real-cluster session test");
    };
    let parsed = v.split_once('/').and_then(|(ns, rest)| {
        let (pod, container) = rest.split_once(':')?;
        Some((ns.to_string(), pod.to_string(), container.to_string()))
    });
    parsed.unwrap_or_else(|| panic!("{var}={v:?}: expected namespace/pod:container"))
}

async fn client_from(path: &PathBuf) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(path).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    kube::Client::try_from(cfg).unwrap()
}

/// Connect `backend`, type `input`, return the output and how it ended.
async fn session_output(
    backend: Box<dyn kubedeck::pty::Backend>,
    input: &str,
) -> (String, kubedeck::pty::Ended) {
    let (tx, _progress) = tokio::sync::mpsc::unbounded_channel();
    let size = kubedeck::pty::Size { rows: 24, cols: 80 };
    let conn = backend.connect(size, tx).await.unwrap();
    common::type_and_finish(conn, input).await
}

#[test]
#[cfg_attr(
    not(all(real_cluster, real_cluster_exec)),
    ignore = "opt-in: KUBEDECK_E2E_KUBECONFIG and KUBEDECK_E2E_EXEC_POD=ns/pod:container"
)]
fn real_cluster_exec_shell() {
    let path = kubeconfig();
    let (namespace, pod, container) = session_target("KUBEDECK_E2E_EXEC_POD");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (out, ended) = rt.block_on(async {
        let client = client_from(&path).await;
        let exec = kubedeck::kube::exec::Exec {
            target: kubedeck::kube::exec::Target {
                client,
                namespace,
                pod,
                container,
            },
            command: None,
        };
        session_output(Box::new(exec), "echo $((6*7)); exit 0\r").await
    });
    assert!(out.contains("42"), "{out}");
    assert_eq!(ended, kubedeck::pty::Ended::Exited(0));
}

#[test]
#[cfg_attr(
    not(all(real_cluster, real_cluster_debug)),
    ignore = "opt-in: KUBEDECK_E2E_KUBECONFIG and KUBEDECK_E2E_DEBUG_POD=ns/pod:container (adds an ephemeral container)"
)]
fn real_cluster_ephemeral_debug() {
    let (out, ended) = real_debug_session("busybox", "echo dbg-$((1+1)); exit 0\r");
    assert!(out.contains("dbg-2"), "{out}");
    assert_eq!(ended, kubedeck::pty::Ended::Exited(0));
}

/// A debug session with a built-in `profile` in `KUBEDECK_E2E_DEBUG_POD`'s container: what
/// typing `typed` printed, and how it ended.
fn real_debug_session(profile: &str, typed: &str) -> (String, kubedeck::pty::Ended) {
    let path = kubeconfig();
    let (namespace, pod, container) = session_target("KUBEDECK_E2E_DEBUG_POD");
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = client_from(&path).await;
        let profile = kubedeck::kube::debug::default_profiles()
            .into_iter()
            .find(|p| p.name == profile)
            .expect("a built-in profile");
        let debug = kubedeck::kube::debug::Ephemeral {
            target: kubedeck::kube::exec::Target {
                client,
                namespace,
                pod,
                container,
            },
            profile,
            timeout: std::time::Duration::from_secs(300),
        };
        session_output(Box::new(debug), typed).await
    })
}

/// The `restricted` profile on a real kubelet: admitted (any Pod Security level admits it) and
/// run as nobody, where the simulator's process runs as its own user.
#[test]
#[cfg_attr(
    not(all(real_cluster, real_cluster_debug)),
    ignore = "opt-in: KUBEDECK_E2E_KUBECONFIG and KUBEDECK_E2E_DEBUG_POD=ns/pod:container (adds an ephemeral container)"
)]
fn real_cluster_restricted_debugger_runs_as_nobody() {
    let (out, ended) = real_debug_session("restricted", "echo uid-$(id -u); exit 0\r");
    assert!(out.contains("uid-65534"), "{out}");
    assert_eq!(ended, kubedeck::pty::Ended::Exited(0));
}

#[test]
#[cfg_attr(
    not(real_cluster),
    ignore = "needs a real cluster and kubectl: KUBEDECK_E2E_KUBECONFIG=PATH cargo test --test it real_cluster"
)]
fn real_cluster_kinds_show_what_kubectl_shows() {
    let path = kubeconfig();
    let mut t = Term::with_kubeconfig(&path, &["-A", "--readonly"], 250, 60);
    t.wait_for("pods(all)");
    for (command, kind) in [
        ("deploy", "deployments"),
        ("svc", "services"),
        ("cm", "configmaps"),
        ("sa", "serviceaccounts"),
    ] {
        let (ok, out, err) = common::kubectl(&path, &["get", kind, "-A"]);
        assert!(ok, "kubectl get {kind} -A: {err}");
        // The first object kubectl lists (columns: NAMESPACE NAME ...), AGE left out.
        let Some(row) = common::kubectl_rows(&out).into_iter().next() else {
            continue;
        };
        t.send(&format!(":{command}\r"));
        t.wait_for(&format!("{kind}(all)"));
        t.send(&format!("/^{}$\r", row[1]));
        let screen = t.wait_until(&format!("{kind}/{} on screen", row[1]), |s| {
            s.lines()
                .any(|l| l.contains(&row[0]) && l.contains(&row[1]))
        });
        let line = screen
            .lines()
            .find(|l| l.contains(&row[0]) && l.contains(&row[1]))
            .unwrap_or_default();
        let mut rest = line;
        for cell in &row {
            let at = rest
                .find(cell.as_str())
                .unwrap_or_else(|| panic!("{kind}: {cell:?} missing or out of order in {line:?}"));
            rest = &rest[at + cell.len()..];
        }
        t.send("\x1b");
    }
    // Every kind the server serves is listed.
    t.send(":api-resources\r");
    t.wait_for("persistentvolumeclaims");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
#[cfg_attr(
    not(all(real_cluster, real_cluster_agent)),
    ignore = "opt-in: KUBEDECK_E2E_KUBECONFIG and KUBEDECK_E2E_AGENT_POD=ns/pod:container (the agent installed: kubedeck agent install)"
)]
fn real_cluster_agent_session() {
    let path = kubeconfig();
    let (namespace, pod, container) = session_target("KUBEDECK_E2E_AGENT_POD");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let expected_host = pod.clone();
    let (out, ended) = rt.block_on(async {
        let client = client_from(&path).await;
        let agent = kubedeck::kube::agent::AgentSession {
            target: kubedeck::kube::exec::Target {
                client,
                namespace,
                pod,
                container,
            },
            requested_by: Some("kubedeck real-cluster test".into()),
            profile: None,
        };
        session_output(
            Box::new(agent),
            "echo host=$(hostname); ps -e -o pid=,comm= | head -3; exit 0\r",
        )
        .await
    });
    // The container's hostname (the pod's name, unless it sets its own) and its processes.
    assert!(out.contains(&format!("host={expected_host}")), "{out}");
    assert!(out.contains("kubedeck-agent: in "), "{out}");
    assert_eq!(ended, kubedeck::pty::Ended::Exited(0));
}
