//! Node shells end to end: `s` on a node. Without the agent, a pod as `kubectl debug node`
//! makes it (checked in the simulator's store), deleted when the shell ends and when kubedeck
//! is ended by SIGTERM or SIGHUP; one left by a kubedeck killed outright is deleted at the next
//! start. With the agent (needs root), a shell in the node's own namespaces.

use std::time::Duration;

use crate::common;

use common::term::{Term, pane_line, pane_text, wait_prompt};
use common::world;
use kubedeck_sim::{Kind, Sim};
use serde_json::{Value, json};

/// The node-shell pods in the simulator's store.
fn node_shell_pods(sim: &Sim) -> Vec<Value> {
    sim.store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .filter(|p| p["metadata"]["labels"]["kubedeck.dev/node-shell"] == "true")
        .map(|p| (**p).clone())
        .collect()
}

/// Wait until no node-shell pod is left (deleted through the API: no signal to wait on here).
fn wait_none_left(w: &common::World, after: &str) {
    w.rt.block_on(common::eventually(
        &format!("the node-shell pod gone after {after}"),
        Duration::from_secs(15),
        || node_shell_pods(&w.sim).is_empty(),
    ));
}

/// The nodes view with its first node selected, and `s` on it.
fn open_node_shell(w: &common::World) -> Term {
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "nodes"], 160, 45);
    t.wait_for("nodes(all)");
    t.wait_for("control-plane");
    t.send("s");
    t
}

#[test]
fn without_the_agent_a_node_shell_is_a_debug_pod_deleted_when_the_shell_ends() {
    let w = world(common::frozen(10));
    let mut t = open_node_shell(&w);
    t.wait_for("via debug pod node-debugger-control-plane-");
    t.wait_for("the kubedeck agent is not installed");
    wait_prompt(&t);
    let screen = t.contents();
    assert!(
        pane_line(
            &screen,
            "The node's files are at /host (chroot /host for its tools)."
        ),
        "the banner: {screen}"
    );
    // The pod kubectl debug node makes (sysadmin profile), labelled as this kubedeck's.
    let pods = node_shell_pods(&w.sim);
    assert_eq!(pods.len(), 1, "{pods:?}");
    let pod = &pods[0];
    let spec = &pod["spec"];
    assert_eq!(pod["metadata"]["namespace"], "default");
    assert_eq!(spec["nodeName"], "control-plane");
    for host in ["hostPID", "hostNetwork", "hostIPC"] {
        assert_eq!(spec[host], true, "{host}: {spec}");
    }
    assert_eq!(spec["containers"][0]["securityContext"]["privileged"], true);
    assert_eq!(
        spec["containers"][0]["volumeMounts"][0]["mountPath"],
        "/host"
    );
    assert_eq!(spec["volumes"][0]["hostPath"]["path"], "/");
    assert_eq!(spec["tolerations"], json!([{"operator": "Exists"}]));
    // The instance label is the one kept (private) in the data directory.
    let kept = t.cache.path().join("data/kubedeck/instance");
    let id = std::fs::read_to_string(&kept).unwrap_or_default();
    assert_eq!(
        pod["metadata"]["labels"]["kubedeck.dev/instance"],
        id.trim()
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&kept)
            .expect("instance file")
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
    // The shell runs in that pod (the simulator's shell prompts with the pod's name).
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    t.send("echo typed\r");
    t.wait_until("the shell in the pod", |s| {
        s.lines()
            .any(|l| l.contains(&format!("{name}$ echo typed")))
    });
    t.send("exit\r");
    t.wait_for("exited (0)");
    wait_none_left(&w, "the shell exited");
}

#[test]
fn closing_the_pane_deletes_the_debug_pod() {
    let w = world(common::frozen(10));
    let mut t = open_node_shell(&w);
    t.wait_for("via debug pod");
    wait_prompt(&t);
    assert_eq!(node_shell_pods(&w.sim).len(), 1);
    // Back to the dashboard, then end the session from the sessions view.
    t.send("\x01\t");
    t.send(":sessions\r");
    t.wait_until("the session is listed as running", |s| {
        s.lines()
            .any(|l| l.contains("control-plane") && l.contains("running"))
    });
    t.send("\x04");
    t.wait_for("is still running: end it?");
    t.send("y");
    t.wait_for("No sessions");
    wait_none_left(&w, "the session was ended");
}

#[test]
fn sigterm_and_sighup_delete_the_debug_pod() {
    for signal in ["-TERM", "-HUP"] {
        let w = world(common::frozen(10));
        let mut t = open_node_shell(&w);
        t.wait_for("via debug pod");
        wait_prompt(&t);
        assert_eq!(node_shell_pods(&w.sim).len(), 1, "{signal}");
        let pid = t.pid().expect("no pid");
        let sent = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(sent, "kill {signal}");
        t.wait_exit();
        // kubedeck waits for the deletion before it exits: nothing to wait for here.
        let left = node_shell_pods(&w.sim);
        assert!(left.is_empty(), "left after {signal}: {left:?}");
    }
}

/// A pod with the node-shell label, `instance` and `owner` (HOST/PID).
fn left_pod(name: &str, instance: &str, owner: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"),
            "creationTimestamp": "2026-12-01T00:00:00Z",
            "labels": {"kubedeck.dev/node-shell": "true", "kubedeck.dev/instance": instance},
            "annotations": {"kubedeck.dev/owner": owner}},
        "spec": {"nodeName": "worker-01", "containers": [{"name": "debugger", "image": "busybox"}]},
        "status": {"phase": "Running"},
    })
}

#[test]
fn a_pod_left_by_a_killed_kubedeck_is_deleted_at_start_and_no_other() {
    let w = world(common::frozen(10));
    let data = tempfile::tempdir().expect("tempdir");
    let ours = "0123456789abcdef";
    std::fs::create_dir_all(data.path().join("kubedeck")).expect("data dir");
    std::fs::write(data.path().join("kubedeck/instance"), ours).expect("instance");
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host = host.trim();
    // Ours, from a process gone; ours on another host; another user's instance.
    let store = w.sim.store();
    store.put(
        Kind::Pod,
        left_pod("left-by-us", ours, &format!("{host}/999999")),
    );
    store.put(
        Kind::Pod,
        left_pod("from-another-host", ours, "elsewhere/1"),
    );
    store.put(
        Kind::Pod,
        left_pod(
            "someone-elses",
            "fedcba9876543210",
            &format!("{host}/999999"),
        ),
    );
    let kubeconfig = w.kubeconfig.to_string_lossy().to_string();
    let data_home = data.path().to_string_lossy().to_string();
    let t = Term::spawn(
        &["--kubeconfig", &kubeconfig, "--view", "pods", "-A"],
        160,
        45,
        &[("XDG_DATA_HOME", &data_home)],
    );
    t.wait_for("deleted 1 node-shell pod(s) an earlier kubedeck left: left-by-us");
    let names: Vec<String> = node_shell_pods(&w.sim)
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(!names.contains(&"left-by-us".to_string()), "{names:?}");
}

#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (the simulator's fake node uses namespaces and cgroups): run as root, as .ci/run does"
)]
fn with_the_agent_a_node_shell_is_in_the_nodes_own_namespaces() {
    let w = world(common::frozen(10));
    w.sim.install_agent();
    let mut t = open_node_shell(&w);
    t.wait_for("via agent pod kubedeck-agent-");
    t.wait_for("kubedeck-agent: on node control-plane");
    wait_prompt(&t);
    // The node's hostname (the simulator's fake node is named after it), and no pod made.
    t.send("echo host=$(hostname) node=$KUBEDECK_NODE\r");
    t.wait_until("the node's hostname", |s| {
        pane_line(s, "host=control-plane node=control-plane")
    });
    assert!(node_shell_pods(&w.sim).is_empty());
    t.send("exit 4\r");
    t.wait_for("exited (4)");
    let log = w.sim.agent_session_log();
    assert!(
        log.contains("\"event\":\"host-session-start\"")
            && log.contains("\"node\":\"control-plane\""),
        "{log}"
    );
    assert!(
        log.contains("\"event\":\"host-session-end\"") && log.contains("\"exit_code\":4"),
        "{log}"
    );
}

#[test]
fn a_namespace_whose_pod_security_refuses_the_pod_is_named_with_the_way_out() {
    // payments enforces Pod Security baseline in the simulated world.
    let w = world(common::frozen(10));
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "[nodes]\nshell_namespace = \"payments\"\n").expect("config");
    let cfg = config.to_string_lossy().to_string();
    let mut t = Term::with_kubeconfig(
        &w.kubeconfig,
        &["-A", "--view", "nodes", "--config", &cfg],
        200,
        45,
    );
    t.wait_for("nodes(all)");
    t.wait_for("control-plane");
    t.send("s");
    t.wait_for("Pod Security refuses the privileged pod a node shell needs");
    // Compared without spaces: the pane wraps the sentence anywhere.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    t.wait_until("the level, the checks and the way out", |s| {
        let text = squeeze(&pane_text(s));
        [
            "namespace payments enforces \"baseline:latest\": host namespaces (hostNetwork=true",
            "set [nodes] shell_namespace to a namespace that admits privileged pods",
            "or install the kubedeck agent (kubedeck agent install)",
        ]
        .iter()
        .all(|needle| text.contains(&squeeze(needle)))
    });
    assert!(node_shell_pods(&w.sim).is_empty());
}
