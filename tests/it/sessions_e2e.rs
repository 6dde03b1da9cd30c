//! Terminal sessions end to end: the real binary in a PTY, exec/attach and ephemeral containers
//! served by the simulator (real local processes behind them), keys typed, the screen read back.

use crate::common;

use common::term::{Term, pane_line, wait_prompt};
use common::world;
use kubedeck_sim::Kind;
use serde_json::{Value, json};

const PREFIX: &str = "\x01";

/// Select pod `name` in the pods view (by filter) and press `key`.
fn on_pod(t: &mut Term, name: &str, key: &str) {
    t.wait_for(name);
    t.send(&format!("/{name}\r"));
    t.wait_for(&format!("/{name}"));
    t.send(key);
}

#[test]
fn exec_shell_in_a_pane_while_the_dashboard_stays_live() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "shell-one")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    on_pod(&mut t, "shell-one", "s");
    t.wait_for("exec demo/shell-one:app running");
    wait_prompt(&t);
    t.send("echo $((6*7))\r");
    t.wait_until("42 printed by the shell", |s| pane_line(s, "42"));
    wait_prompt(&t);

    // The dashboard pane beside it still follows the cluster.
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "shell-one-b")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    t.wait_for("shell-one-b");

    // The prefix twice sends the prefix key itself.
    // (Typed only once cat reads: keys typed while the shell's line editor still owns the
    // terminal are read with its settings, as in any terminal.)
    t.send("echo cat-ready; cat -v\r");
    t.wait_until("cat runs", |s| pane_line(s, "cat-ready"));
    t.send(&format!("{PREFIX}{PREFIX}\r"));
    t.wait_until("Ctrl-a reached the program", |s| pane_line(s, "^A"));
    // End of input ends cat.
    t.send("\x04");
    wait_prompt(&t);

    // The remote TTY follows the pane: 120x40 leaves 36 rows and 58 columns inside it.
    // The shell polls for the new size (a bounded wait: the test times out if it never comes);
    // the resize comes once the loop runs, so it does not race the typed command.
    t.send(
        "until [ \"$(stty size)\" = \"36 58\" ]; do sleep 0.05; done; echo resized-$((36*58))\r",
    );
    // The whole line echoed (its end too), so the resize never comes while its keys are still
    // on their way.
    t.wait_until("the polling loop typed", |s| {
        s.contains("until [ \"$(stty size)") && s.contains("$((36*58))")
    });
    t.resize(120, 40);
    t.wait_until("stty reports the new size", |s| {
        pane_line(s, "resized-2088")
    });

    // A full-screen program takes the pane, and the shell comes back after it.
    // (The marker is assembled by printf so the typed command line does not contain it.)
    t.send(
        "printf '\\033[?1049h\\033[2J\\033[3;5H%s-%s' ALT SCREEN; read x; printf '\\033[?1049l'\r",
    );
    let screen = t.wait_screen("the program drew at row 3, column 5 of the pane", |s| {
        s.contents().lines().any(|l| l.contains("ALT-SCREEN"))
    });
    let row = screen
        .lines()
        .position(|l| l.contains("ALT-SCREEN"))
        .unwrap_or_default();
    let line = screen.lines().nth(row).unwrap_or_default();
    let pane_left = line
        .rfind("││")
        .map_or(0, |i| line[..i].chars().count() + 1);
    let col = line[..line.find("ALT-SCREEN").unwrap_or_default()]
        .chars()
        .count();
    // Top bar (1) + pane border (1) + row 3 → screen row 4 (0-based); column 5 → 4 after the border.
    assert_eq!(row, 4, "{screen}");
    assert_eq!(col - pane_left, 5, "{screen}");
    t.send("\r");
    t.wait_gone("ALT-SCREEN");
    t.wait_until("the prompt is back", |s| pane_line(s, "42"));
}

#[test]
fn vi_runs_in_a_pane() {
    // .ci/run installs vi: without it this test fails and says so.
    assert!(
        std::process::Command::new("vi")
            .arg("--version")
            .output()
            .is_ok(),
        "no vi on this machine: install it (.ci/run does)"
    );
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "vi-one")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 100, 30);
    on_pod(&mut t, "vi-one", "s");
    t.wait_for("exec demo/vi-one:app running");
    wait_prompt(&t);
    t.send("vi -u NONE notes.txt\r");
    t.wait_until("vi's empty lines", |s| {
        s.lines().filter(|l| l.contains("│~ ")).count() > 5
    });
    t.send("ihello from vi\x1b:wq\r");
    wait_prompt(&t);
    t.send("cat notes.txt\r");
    t.wait_until("the file vi wrote", |s| pane_line(s, "hello from vi"));
}

/// A frozen world with a running pod `name` in `namespace`, and kubedeck on it with the debug
/// picker open for that pod.
fn debug_picker_on(namespace: &str, name: &str) -> (common::World, Term) {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod(namespace, name)
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", namespace], 160, 45);
    on_pod(&mut t, name, "D");
    t.wait_for(&format!("debug {name} with"));
    (w, t)
}

#[test]
fn ephemeral_debug_container_with_a_profile() {
    let (w, mut t) = debug_picker_on("demo", "dbg-one");
    // The first profile is `net` (netshoot).
    t.send("\r");
    t.wait_for("is running; attaching");
    wait_prompt(&t);
    t.send("echo dbg-$((1+1))\r");
    t.wait_until("the debugger's shell answers", |s| pane_line(s, "dbg-2"));
    let pod = w
        .sim
        .store()
        .get(Kind::Pod, &("demo".into(), "dbg-one".into()))
        .expect("pod gone");
    let eph = &pod["spec"]["ephemeralContainers"][0];
    assert_eq!(eph["targetContainerName"], "app", "{pod}");
    assert_eq!(eph["image"], "nicolaka/netshoot:v0.13");
    assert_eq!(
        eph["securityContext"]["capabilities"]["add"],
        json!(["NET_ADMIN", "NET_RAW"])
    );
    assert!(
        eph["name"]
            .as_str()
            .unwrap_or_default()
            .starts_with("kubedeck-net-")
    );

    // The sessions list shows it; ending it asks first while it runs.
    t.send(&format!("{PREFIX}\t"));
    t.send(":sessions\r");
    t.wait_for("debug");
    t.wait_until("the session is listed as running", |s| {
        s.lines()
            .any(|l| l.contains("dbg-one:app [net]") && l.contains("running"))
    });
    t.send("\x04");
    t.wait_for("is still running: end it?");
    t.send("y");
    t.wait_for("No sessions");
}

#[test]
fn a_failed_image_pull_says_why() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "pull-one")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[[debug.profiles]]\nname = \"broken\"\nimage = \"registry.local/does-not-exist:1\"\n",
    )
    .unwrap();
    let cfg = config.to_string_lossy().to_string();
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo", "--config", &cfg], 160, 45);
    on_pod(&mut t, "pull-one", "D");
    t.wait_for("broken");
    // The configured profile comes after the five built-in ones.
    t.send("jjjjj\r");
    t.wait_for("ErrImagePull");
    t.wait_for("failed:");
}

#[test]
fn a_flooding_session_does_not_hold_the_keyboard() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "flood-one")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 120, 40);
    on_pod(&mut t, "flood-one", "s");
    t.wait_for("exec demo/flood-one:app running");
    wait_prompt(&t);
    t.send("yes kubedeck-flood-line\r");
    t.wait_for("kubedeck-flood-line");
    // While it floods, the dashboard takes keys: focus it and switch views.
    t.send(&format!("{PREFIX}\t"));
    t.send(":events\r");
    t.wait_for("events(");
    // Back in the pane, Ctrl-C stops the flood and the shell answers.
    t.send("\t\x03");
    wait_prompt(&t);
    t.send("echo after-$((5*5))\r");
    t.wait_until("the shell after the flood", |s| pane_line(s, "after-25"));
}

#[test]
fn recording_writes_a_valid_asciicast() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "rec-one")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    let casts = dir.path().join("casts");
    std::fs::write(
        &config,
        format!("[sessions]\nrecord_dir = {:?}\n", casts.to_string_lossy()),
    )
    .unwrap();
    let cfg = config.to_string_lossy().to_string();
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo", "--config", &cfg], 160, 45);
    on_pod(&mut t, "rec-one", "s");
    t.wait_for("exec demo/rec-one:app running");
    wait_prompt(&t);
    t.send(&format!("{PREFIX}r"));
    t.wait_for("● REC");
    t.send("echo rec-$((2+3))\r");
    t.wait_until("output while recording", |s| pane_line(s, "rec-5"));
    t.send(&format!("{PREFIX}r"));
    t.wait_for("recording saved");
    let files: Vec<_> = std::fs::read_dir(&casts)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(lines[0]["version"], 2);
    assert!(lines[0]["width"].as_u64().is_some_and(|w| w > 10));
    let output: String = lines[1..]
        .iter()
        .filter(|l| l[1] == "o")
        .filter_map(|l| l[2].as_str())
        .collect();
    assert!(output.contains("rec-5"), "{text}");
    let times: Vec<f64> = lines[1..].iter().filter_map(|l| l[0].as_f64()).collect();
    assert!(times.windows(2).all(|p| p[0] <= p[1]), "{times:?}");
}

#[test]
fn local_shell_has_the_context_and_namespace() {
    let w = world(common::frozen(10));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    t.send(":shell\r");
    t.wait_for("local shell");
    wait_prompt(&t);
    t.send("echo ns=$KUBEDECK_NAMESPACE ctx=$KUBEDECK_CONTEXT\r");
    t.wait_until("the environment", |s| {
        pane_line(s, "ns=demo ctx=kubedeck-sim")
    });
    wait_prompt(&t);
    let kubectl = std::process::Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        kubectl,
        "kubectl is not installed: install it (.ci/run does)"
    );
    // kubectl in that shell talks to the same cluster and namespace.
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "seen-by-kubectl")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    t.send("kubectl get pods -o name | grep seen-by\r");
    t.wait_until("kubectl's answer", |s| pane_line(s, "pod/seen-by-kubectl"));
}

/// The local shell's kubeconfig copy holds credentials: it is private (0600 in a 0700
/// directory under the user's own directories, not /tmp) and gone once kubedeck is, even when
/// a SIGHUP ends kubedeck while the shell still runs. With `--readonly`, the shell says that
/// kubedeck's read-only mode does not reach it.
#[test]
fn local_shell_kubeconfig_is_private_and_removed_on_sighup() {
    let w = world(common::frozen(10));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo", "--readonly"], 160, 45);
    t.wait_for("pods(demo)");
    t.send(":shell\r");
    t.wait_for("kubectl here can change the cluster");
    wait_prompt(&t);
    t.send("printf 'at:%s:\\n' \"$KUBECONFIG\"; stat -c 'mode=%a' \"$KUBECONFIG\" \"$(dirname \"$KUBECONFIG\")\"\r");
    let screen = t.wait_until("the file's modes", |s| {
        pane_line(s, "mode=600") && pane_line(s, "mode=700")
    });
    let path = screen
        .split("at:/")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .map(|p| format!("/{}", p.trim()))
        .unwrap_or_else(|| panic!("no path on screen:\n{screen}"))
        .to_string();
    assert!(!path.starts_with("/tmp/kubedeck-shell"), "{path}");
    assert!(
        path.starts_with(&t.cache.path().display().to_string()),
        "under the user's own directories: {path}"
    );
    assert!(std::path::Path::new(&path).exists());
    let pid = t.pid().expect("no pid");
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(hup, "kill -HUP");
    t.wait_exit();
    assert!(
        !std::path::Path::new(&path).exists(),
        "{path} left behind after SIGHUP"
    );
}

#[test]
fn scrollback_shows_what_scrolled_off_and_returns_to_live() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "scroll-one")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 100, 30);
    on_pod(&mut t, "scroll-one", "s");
    t.wait_for("exec demo/scroll-one:app running");
    wait_prompt(&t);
    t.send("for i in $(seq 1 120); do echo line-$i; done\r");
    t.wait_until("the last line", |s| pane_line(s, "line-120"));
    assert!(!pane_line(&t.contents(), "line-3"));
    // Prefix [ goes one page up; g to the top of the history.
    t.send(&format!("{PREFIX}["));
    t.wait_for("[scrolled");
    t.send("g");
    t.wait_until("the first lines again", |s| pane_line(s, "line-3"));
    // Esc returns to the live screen.
    t.send("\x1b");
    t.wait_gone("[scrolled");
    t.wait_until("live again", |s| pane_line(s, "line-120"));
}

#[test]
fn attach_reaches_the_main_process_and_ending_it_only_detaches() {
    let w = world(common::frozen(10));
    // A container started as `kubectl run -it` starts one: stdin and a TTY.
    let mut repl = common::pods::pod("demo", "repl-1").json();
    repl["spec"]["containers"][0]["stdin"] = json!(true);
    repl["spec"]["containers"][0]["tty"] = json!(true);
    w.sim.store().put(Kind::Pod, repl);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    on_pod(&mut t, "repl-1", "i");
    t.wait_for("attach demo/repl-1:app");
    wait_prompt(&t);
    t.send("KEPT=$((6*7))\r");
    // Run by the shell (the prompt before it may still be the last line for a moment).
    t.send("echo set-$KEPT\r");
    // (Typed ahead, its output may follow the prompt on the same line.)
    t.wait_until("the variable set", |s| {
        s.lines()
            .any(|l| l.split('│').any(|c| c.trim_end().ends_with("set-42")))
    });
    assert_eq!(w.sim.open_streams(), 1);
    // Ending the session detaches (asked first): the process goes on, and the connection is
    // closed at once rather than when the container next prints.
    t.send(&format!("{PREFIX}K"));
    t.wait_for("y/N");
    t.send("y");
    t.wait_gone("attach demo/repl-1:app");
    common::wait_until("the attach stream closed", || w.sim.open_streams() == 0);
    // Attached again: the same process, with what was set before.
    t.send("i");
    t.wait_for("attach demo/repl-1:app");
    wait_prompt(&t);
    t.send("echo kept-$KEPT\r");
    t.wait_until("the same process", |s| pane_line(s, "kept-42"));
    t.send(&format!("{PREFIX}K"));
    t.wait_for("y/N");
    t.send("y");
    t.wait_gone("attach demo/repl-1:app");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn attach_to_a_container_without_stdin_shows_its_output_only() {
    let w = world(common::frozen(10));
    w.sim
        .store()
        .put(Kind::Pod, common::pods::pod("demo", "server-1").json());
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    on_pod(&mut t, "server-1", "i");
    t.wait_for("was not started with stdin: its output only");
    t.send(&format!("{PREFIX}K"));
    t.wait_for("y/N");
    t.send("y");
    t.wait_gone("attach demo/server-1:app");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn cp_copies_a_file_out_asks_before_replacing_and_says_a_failure() {
    let w = world(common::frozen(10));
    w.sim
        .store()
        .put(Kind::Pod, common::pods::pod("demo", "files-1").json());
    // The simulator's containers run real processes: tar reads this machine's files.
    let remote = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(remote.path().join("data.bin"), &data).unwrap();
    std::fs::create_dir_all(remote.path().join("logs/old")).unwrap();
    std::fs::write(remote.path().join("logs/a.log"), "a\n").unwrap();
    std::fs::write(remote.path().join("logs/old/b.log"), "b\n").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", remote.path().join("logs/passwd")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("data.bin");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("files-1");
    let src = remote.path().join("data.bin");
    t.send(&format!(
        ":cp files-1:{} {}\r",
        src.display(),
        local.display()
    ));
    t.wait_for("copied 1 file(s), 293.0 KiB");
    assert_eq!(std::fs::read(&local).unwrap(), data);
    // Again: the file is there, so it asks; no leaves it as it is.
    std::fs::write(&local, "mine").unwrap();
    t.send(&format!(
        ":cp files-1:{} {}\r",
        src.display(),
        local.display()
    ));
    t.wait_for("exists: replace it with the copy?");
    t.send("n");
    t.wait_gone("exists: replace it");
    assert_eq!(std::fs::read(&local).unwrap(), b"mine");
    t.send(&format!(
        ":cp files-1:{} {}\r",
        src.display(),
        local.display()
    ));
    t.wait_for("exists: replace it with the copy?");
    t.send("y");
    t.wait_for("copied 1 file(s)");
    assert_eq!(std::fs::read(&local).unwrap(), data);
    // A folder: its tree, the link skipped and said.
    let logs = dir.path().join("logs-copy");
    t.send(&format!(
        ":cp files-1:{} {}\r",
        remote.path().join("logs").display(),
        logs.display()
    ));
    t.wait_for("copied 2 file(s)");
    t.wait_for("a link (not followed)");
    assert_eq!(std::fs::read(logs.join("a.log")).unwrap(), b"a\n");
    assert_eq!(std::fs::read(logs.join("old/b.log")).unwrap(), b"b\n");
    assert!(!logs.join("passwd").exists());
    // A path that is not there: tar's own words.
    t.send(":cp files-1:/no/such/file\r");
    t.wait_for("copy failed: tar in the container failed");
    // No spool file is left behind.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["data.bin", "logs-copy"]);
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// In a namespace enforcing Pod Security baseline (the simulated world's payments), the debug
/// picker says which profiles it refuses before one is tried, from the namespace's label.
#[test]
fn the_debug_picker_says_what_the_namespaces_pod_security_refuses() {
    let (_w, t) = debug_picker_on("payments", "pay-one");
    let screen = t.wait_for("(Pod Security baseline refuses it: adds NET_ADMIN, NET_RAW)");
    let line = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(&format!("│ {name} ")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(!line("busybox").contains("refuses"), "{screen}");
    assert!(!line("restricted").contains("refuses"), "{screen}");
    assert!(line("jvm").contains("adds SYS_PTRACE"), "{screen}");
}

/// A debugger the namespace admits but warns of (payments enforces baseline and warns at
/// restricted) opens, and its pane says the server's warning first, as kubectl debug prints it.
#[test]
fn a_debugger_the_namespace_warns_of_says_the_warning_in_its_pane() {
    let (_w, mut t) = debug_picker_on("payments", "pay-one");
    // The picker starts on the first profile baseline admits (busybox).
    t.send("\r");
    // The whole pod is weighed (its own container too), as the plugin weighs it.
    let screen = t.wait_for("Warning: would violate PodSecurity \"restricted:latest\": allow");
    assert!(
        screen.contains("(containers \"app\", \"kubedeck-busybox-"),
        "{screen}"
    );
    // Said as it arrives (with the debugger's PATCH), before the container is waited for.
    let screen = t.wait_for("is running; attaching");
    let at = |s: &str| screen.find(s).unwrap_or(usize::MAX);
    assert!(
        at("Warning: would violate") < at("is running; attaching"),
        "{screen}"
    );
}
