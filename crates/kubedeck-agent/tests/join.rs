//! The join, for real: a "target container" is started as a process in its own network, PID,
//! UTS, IPC and mount namespaces (`unshare`), with its own hostname, a network interface and
//! address of its own, a file only its mount namespace sees, and a cgroup path carrying a
//! containerd-style ID. The agent binary, under a PTY as the kubelet would run it, must find it
//! by that ID and give a shell that sees the target's hostname, interfaces, processes (PID 1 is
//! the target's) and files (through /proc/PID/root). Needs root: ignored otherwise.
// Helpers outside the test functions unwrap too: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use kubedeck_agent::testbed::{FakeContainer, Spec};

struct Target {
    _container: FakeContainer,
    hex: String,
    marker_dir: PathBuf,
}

fn start_target(hostname: &str) -> Target {
    // A container-like ID unique to this target (tests run in parallel in one process).
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let seed = format!("{:08x}{:04x}", std::process::id(), n);
    let hex: String = seed.chars().cycle().take(64).collect();
    let marker_dir = std::env::temp_dir().join(format!("kd-target-{seed}"));
    let container = FakeContainer::start(&Spec {
        hex: &hex,
        hostname,
        address: "10.77.0.1/24",
        private_dir: &marker_dir,
    })
    .unwrap();
    Target {
        _container: container,
        hex,
        marker_dir,
    }
}

/// `kubedeck-agent join` of demo/web-1:app with container ID `id`, then `extra` flags.
fn join_args<'a>(id: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "join",
        "--namespace",
        "demo",
        "--pod",
        "web-1",
        "--container",
        "app",
        "--container-id",
        id,
    ];
    args.extend_from_slice(extra);
    args
}

/// Run the agent's join under a PTY, type `input`, and return (output, exit code).
fn agent_session(args: &[&str], input: &str, run_dir: &Path) -> (String, u32) {
    agent_session_env(args, input, run_dir, &[])
}

/// The same, with `env` set for the agent (as its pod's spec would).
fn agent_session_env(
    args: &[&str],
    input: &str,
    run_dir: &Path,
    env: &[(&str, String)],
) -> (String, u32) {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 40,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_kubedeck-agent"));
    cmd.args(args);
    cmd.env("KUBEDECK_AGENT_RUN", run_dir);
    cmd.env("TERM", "dumb");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let mut reader = pty.master.try_clone_reader().unwrap();
    let mut writer = pty.master.take_writer().unwrap();
    writer.write_all(input.as_bytes()).unwrap();
    let reading = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        // Until the PTY closes (EIO once the session's processes are gone).
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    });
    let status = child.wait().unwrap();
    drop(writer);
    drop(pty.master);
    let out = reading.join().unwrap_or_default();
    // The input is written before the shell starts, so the terminal echoes it at once, which
    // can land in the middle of the agent's banner (a clean CI run saw "kubedeck-agent: in "
    // + the echo + "demo/web-1:app"): the echo is taken out, whole, where it landed.
    let echo = input.replace('\n', "\r\n");
    (
        String::from_utf8_lossy(&out).replacen(&echo, "", 1),
        status.exit_code(),
    )
}

#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (namespaces, cgroups, mounts): run as root, as .ci/run does"
)]
fn the_shell_sees_the_targets_hostname_network_processes_and_files() {
    let target = start_target("kd-target");
    let run = tempfile::tempdir().unwrap();
    let id = format!("containerd://{}", target.hex);
    let marker = target.marker_dir.join("marker");
    let input = format!(
        "echo host=$(hostname); ip -o addr show; ps -e -o pid=,comm= | sed 's/^ */ps: /'; cat $KUBEDECK_TARGET_ROOT{m}; test -e {m} || echo not-in-the-agents-view; exit 7\n",
        m = marker.display()
    );
    let (out, code) = agent_session(
        &join_args(&id, &["--shell", "/bin/sh", "--requested-by", "alice"]),
        &input,
        run.path(),
    );
    assert_eq!(code, 7, "{out}");
    assert!(out.contains("in demo/web-1:app"), "{out}");
    assert!(
        out.contains("The container's files are at /proc/1/root"),
        "{out}"
    );
    assert!(out.contains("host=kd-target\r"), "hostname: {out}");
    assert!(
        out.contains("kd0") && out.contains("10.77.0.1/24"),
        "interfaces: {out}"
    );
    // The target's processes only: its init is PID 1, and the node's are not there.
    let pids: Vec<(u32, String)> = out
        .lines()
        .filter_map(|l| {
            let mut w = l.strip_prefix("ps: ")?.split_whitespace();
            let pid = w.next()?.parse().ok()?;
            Some((pid, w.next()?.to_string()))
        })
        .collect();
    assert!(pids.contains(&(1, "sleep".to_string())), "{out}");
    assert!(
        pids.len() <= 5,
        "more than the target's processes: {pids:?}"
    );
    assert!(out.contains("only-in-the-target"), "{out}");
    assert!(out.contains("not-in-the-agents-view"), "{out}");
    // The session is logged, start and end, with the exit status.
    let log = std::fs::read_to_string(run.path().join("sessions.log")).unwrap_or_default();
    assert!(
        log.contains("\"event\":\"session-start\"") && log.contains("\"requested_by\":\"alice\""),
        "{log}"
    );
    assert!(
        log.contains("\"event\":\"session-end\"") && log.contains("\"exit_code\":7"),
        "{log}"
    );
}

/// Host mode: a shell in the node's own namespaces, mount included. A fake container stands in
/// for the node (this machine's PID 1 is not ours to join), named to the agent as the node's
/// init as its pod spec would in the simulator.
#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (namespaces, cgroups, mounts): run as root, as .ci/run does"
)]
fn a_host_shell_is_in_the_nodes_own_namespaces_files_included() {
    let node = start_target("kd-node-1");
    let id =
        kubedeck_agent::target::ContainerId::parse(&format!("containerd://{}", node.hex)).unwrap();
    let init = kubedeck_agent::finder::find(&kubedeck_agent::finder::proc_root(), &id)
        .unwrap()
        .pid;
    let run = tempfile::tempdir().unwrap();
    let marker = node.marker_dir.join("marker");
    // The marker is on a tmpfs only the node's mount namespace sees: read as a plain path.
    let input = format!(
        "echo host=$(hostname); ip -o addr show; ps -e -o pid=,comm= | sed 's/^ */ps: /'; cat {m}; echo node=$KUBEDECK_NODE; exit 5\n",
        m = marker.display()
    );
    let (out, code) = agent_session_env(
        &["host", "--node", "kd-node-1", "--requested-by", "alice"],
        &input,
        run.path(),
        &[("KUBEDECK_AGENT_HOST_PID", init.to_string())],
    );
    assert_eq!(code, 5, "{out}");
    assert!(out.contains("on node kd-node-1"), "{out}");
    assert!(out.contains("host=kd-node-1\r"), "hostname: {out}");
    assert!(out.contains("10.77.0.1/24"), "interfaces: {out}");
    assert!(out.contains("only-in-the-target"), "files: {out}");
    assert!(out.contains("node=kd-node-1\r"), "{out}");
    let pids: Vec<(u32, String)> = out
        .lines()
        .filter_map(|l| {
            let mut w = l.strip_prefix("ps: ")?.split_whitespace();
            Some((w.next()?.parse().ok()?, w.next()?.to_string()))
        })
        .collect();
    assert!(pids.contains(&(1, "sleep".to_string())), "{out}");
    let log = std::fs::read_to_string(run.path().join("sessions.log")).unwrap_or_default();
    assert!(
        log.contains("\"event\":\"host-session-start\"")
            && log.contains("\"node\":\"kd-node-1\"")
            && log.contains("\"requested_by\":\"alice\""),
        "{log}"
    );
    assert!(
        log.contains("\"event\":\"host-session-end\"") && log.contains("\"exit_code\":5"),
        "{log}"
    );
}

#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (namespaces, cgroups, mounts): run as root, as .ci/run does"
)]
fn an_unknown_or_disguised_container_is_refused() {
    let target = start_target("kd-target-2");
    let run = tempfile::tempdir().unwrap();
    // Another runtime's layout for the same hex, and an ID no process has.
    let other: String = target.hex.chars().rev().collect();
    for id in [
        format!("cri-o://{}", target.hex),
        format!("containerd://{other}"),
    ] {
        let (out, code) = agent_session(&join_args(&id, &[]), "", run.path());
        assert_eq!(code, 1, "{out}");
        assert!(out.contains("no process of container"), "{out}");
    }
    let own = format!("containerd://{}", target.hex);
    let (out, code) = agent_session(
        &join_args(&own, &["--shell", "/proc/self/root/bin/sh"]),
        "",
        run.path(),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("refused"), "{out}");
    let log = std::fs::read_to_string(run.path().join("sessions.log")).unwrap_or_default();
    assert_eq!(log.matches("session-refused").count(), 3, "{log}");
}

/// The readiness probe, for real: with a container on the node it is ready (it opened that
/// container's namespaces, not PID 1's), and without the capabilities a join uses it says which.
#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (namespaces, cgroups, mounts): run as root, as .ci/run does"
)]
fn the_readiness_probe_checks_what_a_join_needs() {
    let _target = start_target("kd-target-3");
    let agent = env!("CARGO_BIN_EXE_kubedeck-agent");
    let out = std::process::Command::new(agent)
        .arg("ready")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("can join: opened the namespaces of PID "),
        "{said}"
    );
    // The same probe without CAP_SYS_ADMIN and CAP_SYS_PTRACE (dropped from the bounding set,
    // so the exec'd probe cannot have them).
    let out = std::process::Command::new("setpriv")
        .args([
            "--bounding-set",
            "-sys_admin,-sys_ptrace",
            "--",
            agent,
            "ready",
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("lacks CAP_SYS_ADMIN and CAP_SYS_PTRACE"),
        "{said}"
    );
}
