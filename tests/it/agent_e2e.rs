//! Agent sessions end to end: the real binary in a PTY against the simulator with the agent
//! installed; `D` then `agent` on a pod opens a pane whose shell runs, through the real
//! `kubedeck-agent` binary exec'd in the agent pod of the pod's node, inside a fake container
//! of the target (real namespaces: needs root). Refusals (not installed, RBAC) need no root.

use crate::common;

use common::term::{Term, pane_line, pane_text, wait_prompt};
use common::world;
use kubedeck_sim::Kind;
use serde_json::Value;

/// A running pod with one container `app` on worker-01, with a container ID.
fn running_pod(name: &str, hex_seed: u32) -> Value {
    let id = format!("{hex_seed:08x}").repeat(8);
    common::pods::pod("demo", name)
        .image("gcr.io/distroless/static:nonroot")
        .ready()
        .container_id(&format!("containerd://{id}"))
        .json()
}

/// `D` on pod `name`, then the picker's last entry: the agent.
fn open_agent(t: &mut Term, name: &str) {
    t.wait_for(name);
    t.send(&format!("/{name}\r"));
    t.wait_for(&format!("/{name}"));
    t.send("D");
    t.wait_for(&format!("debug {name} with"));
    t.wait_for("nodes ready)");
    t.send("jjjjj\r");
}

#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (the simulator's fake container uses namespaces and cgroups): run as root, as .ci/run does"
)]
fn an_agent_session_joins_the_containers_namespaces() {
    let w = world(common::frozen(10));
    w.sim.install_agent();
    w.sim
        .store()
        .put(Kind::Pod, running_pod("agent-one", std::process::id()));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    open_agent(&mut t, "agent-one");
    t.wait_for("through agent pod kubedeck-agent-");
    t.wait_for("kubedeck-agent: in demo/agent-one:app");
    wait_prompt(&t);
    // The target's hostname, its address, its processes (its init is PID 1).
    t.send("echo host=$(hostname); ip -br addr | grep -c 10.9.9.9; ps -e -o pid=,comm= | sed 's/^ */ps:/'\r");
    t.wait_until("the target's hostname", |s| pane_line(s, "host=agent-one"));
    t.wait_until("the target's address", |s| pane_line(s, "1"));
    t.wait_until("the target's init as PID 1", |s| pane_line(s, "ps:1 sleep"));
    // A file only the target's mount namespace has (the fake container's own tmpfs under the
    // simulator's scratch directory), through the target's root.
    let tmp = std::env::temp_dir();
    t.send(&format!(
        "cat $KUBEDECK_TARGET_ROOT{}/kubedeck-sim-*/agent-target-*/marker 2>/dev/null\r",
        tmp.display()
    ));
    t.wait_until("the target's own file", |s| {
        pane_line(s, "only-in-the-target")
    });
    // The sessions list names it an agent session; the shell's exit status is kept.
    t.send("exit 3\r");
    t.wait_for("exited (3)");
    // The agent logged the session, with the user the apiserver says kubedeck is.
    let log = w.sim.agent_session_log();
    assert!(
        log.contains("\"event\":\"session-start\"") && log.contains("\"pod\":\"agent-one\""),
        "{log}"
    );
    assert!(log.contains("\"requested_by\":\"kubedeck-sim\""), "{log}");
    assert!(
        log.contains("\"event\":\"session-end\"") && log.contains("\"exit_code\":3"),
        "{log}"
    );
    t.send("\x01\t");
    t.send(":sessions\r");
    t.wait_until("listed as an agent session", |s| {
        s.lines()
            .any(|l| l.contains("agent-one:app [agent: netshoot]") && l.contains("exited (3)"))
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn an_agent_session_says_why_it_cannot_start() {
    let w = world(common::frozen(10));
    w.sim.store().put(Kind::Pod, running_pod("agent-two", 7));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 200, 45);
    t.wait_for("pods(demo)");
    // Not installed: the picker's line says so, and picking it says how to install.
    t.wait_for("agent-two");
    t.send("/agent-two\r");
    t.wait_for("/agent-two");
    t.send("D");
    t.wait_for("node agent: not installed (kubedeck agent install)");
    t.send("jjjjj\r");
    t.wait_for("`kubedeck agent install` installs it");
    // Installed, but this user may not exec into the agent's pods: the pane says so.
    w.sim.install_agent();
    w.sim.faults().forbid("pods/exec");
    t.send("D");
    t.wait_for("nodes ready)");
    t.send("jjjjj\r");
    t.wait_until("refused by RBAC on the agent's pods", |s| {
        let text = pane_text(s);
        text.contains("exec kubedeck-system/kubedeck-agent-")
            && text.contains("your RBAC role cannot create pods/exec in kubedeck-system")
    });
    // The agent pod on the pod's node is not ready: the pane says what its readiness probe
    // said (the kubelet's Unhealthy event), not just "not ready".
    w.sim.faults().allow("pods/exec");
    let agent = w
        .sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .into_iter()
        .find(|p| {
            p["metadata"]["namespace"] == "kubedeck-system" && p["spec"]["nodeName"] == "worker-01"
        })
        .expect("an agent pod on worker-01");
    let name = agent["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut unready = (*agent).clone();
    unready["status"]["conditions"] = serde_json::json!([{"type": "Ready", "status": "False"}]);
    w.sim.store().put(Kind::Pod, unready);
    let said = "Readiness probe failed: kubedeck-agent: not ready: lacks CAP_SYS_PTRACE: a join enters other processes' namespaces (the DaemonSet's container must be privileged)\n";
    w.sim.store().put(
        Kind::Event,
        serde_json::json!({"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": format!("{name}.18ee8bceca769b35"), "namespace": "kubedeck-system"},
            "involvedObject": {"kind": "Pod", "namespace": "kubedeck-system", "name": name,
                "fieldPath": "spec.containers{agent}"},
            "reason": "Unhealthy", "type": "Warning", "count": 3, "message": said,
            "lastTimestamp": "2026-12-06T03:17:29Z", "source": {"component": "kubelet"}}),
    );
    // The failed pane closed (it has the focus), back on the table.
    t.send("\x01x");
    t.wait_until("the failed pane closed", |s| {
        !s.contains("keys go to the shell")
    });
    t.send("D");
    t.wait_for("debug agent-two with");
    t.wait_for("nodes ready)");
    t.send("jjjjj\r");
    t.wait_until("the probe's words", |s| {
        let text = pane_text(s);
        text.contains(&format!(
            "the agent pod {name} on node worker-01 is not ready"
        )) && text.contains("lacks CAP_SYS_PTRACE")
    });
}

#[test]
fn agent_install_applies_the_manifests_after_confirmation_and_uninstall_removes_them() {
    use std::io::Write;
    let w = world(common::frozen(5));
    let run = |args: &[&str], answer: &str| {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kubedeck"))
            .arg("--kubeconfig")
            .arg(&w.kubeconfig)
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(answer.as_bytes());
        }
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let daemonset = || {
        w.sim.store().get(
            Kind::DaemonSet,
            &("kubedeck-system".into(), "kubedeck-agent".into()),
        )
    };
    // A "no" changes nothing.
    let (ok, out) = run(&["agent", "install"], "n\n");
    assert!(ok && out.contains("Nothing applied"), "{out}");
    assert!(daemonset().is_none());
    let (ok, out) = run(&["--readonly", "agent", "install", "--yes"], "");
    assert!(!ok && out.contains("read-only"), "{out}");
    let (ok, out) = run(&["agent", "install"], "y\n");
    assert!(
        ok && out.contains("daemonset/kubedeck-system/kubedeck-agent created"),
        "{out}"
    );
    let ds = daemonset().unwrap_or_else(|| panic!("no DaemonSet after install: {out}"));
    assert_eq!(ds["spec"]["template"]["spec"]["hostPID"], true);
    // Again: replaced at the version read, not duplicated.
    let (ok, out) = run(&["agent", "install", "--yes"], "");
    assert!(
        ok && out.contains("daemonset/kubedeck-system/kubedeck-agent configured"),
        "{out}"
    );
    let (ok, out) = run(&["agent", "uninstall"], "y\n");
    assert!(
        ok && out.contains("namespace/kubedeck-system deleted"),
        "{out}"
    );
    assert!(
        w.sim
            .store()
            .get(Kind::Namespace, &(String::new(), "kubedeck-system".into()))
            .is_none()
    );
}
