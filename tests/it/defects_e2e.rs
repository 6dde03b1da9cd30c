//! Defects a new user hit (issue 15), each checked where it was visible: the real binary in a
//! PTY against the simulator, the screen read back.

use crate::common;

use common::term::{Term, rows};
use common::world;
use jiff::{SignedDuration, Timestamp};
use kubedeck_sim::Kind;
use serde_json::json;

const PREFIX: &str = "\x01";

/// The table's `[shown/total]` from the title.
fn counts(screen: &str) -> Option<(usize, usize)> {
    let l = screen.lines().nth(1)?;
    let inside = l.split('[').nth(1)?.split(']').next()?;
    let (a, b) = inside.split_once('/')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// `:q` with a session running asks, as Ctrl-c does.
#[test]
fn quitting_by_command_asks_while_a_session_runs() {
    let w = world(common::frozen(10));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 120, 35);
    t.wait_for("pods(demo)");
    t.send(":shell\r");
    t.wait_for("local shell");
    t.send(&format!("{PREFIX}\t"));
    t.send(":q\r");
    t.wait_for("1 session(s) still running: quit and end them?");
    t.send("n");
    t.wait_for("cancelled");
    t.send(":q\r");
    t.wait_for("still running: quit and end them?");
    t.send("y");
    assert_eq!(t.wait_exit(), 0);
}

/// A node's pods, then `:po`: every pod again (the node pin stayed, `:ns all` did not clear
/// it); a filter set in the pods view does not follow a drill-down into a node.
#[test]
fn scope_and_filter_stay_with_the_view_they_were_set_in() {
    let w = world(common::frozen(20));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 140, 40);
    t.wait_for("pods(all)");
    let all = t.wait_until("the pods counted", |s| counts(s).is_some_and(|c| c.1 > 0));
    let total = counts(&all).map_or(0, |c| c.1);
    // Drill into a node: its pods only.
    t.send(":no\r");
    t.wait_for("nodes(all)");
    t.send("\r");
    t.wait_until("the node's pods", |s| s.contains("node/"));
    // `:po` starts clean: every pod, no node.
    t.send(":po\r");
    let screen = t.wait_until("every pod again", |s| {
        !s.lines().nth(1).is_some_and(|l| l.contains("node/")) && counts(s) == Some((total, total))
    });
    assert!(!screen.contains("No pods for node"), "{screen}");
    // A filter in the pods view does not follow into a node's pods.
    t.send("/Pending\r");
    t.wait_for("/Pending");
    t.send(":no\r");
    t.wait_for("nodes(all)");
    t.send("j\r");
    let screen = t.wait_until("the second node's pods", |s| s.contains("node/"));
    assert!(!screen.contains("No pods match the filter"), "{screen}");
    assert!(
        !screen
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains("/Pending")),
        "{screen}"
    );
}

/// `/Failed` in the PipelineRuns keeps the runs whose STATUS says so (the controller's message
/// of every run mentions "Failed: 0"); regular expressions and the label-selector grammar work,
/// and an invalid selector says why.
#[test]
fn table_filters_match_what_is_shown_with_regexes_and_full_selectors() {
    let w = world(common::frozen(20));
    // One run that failed, beside the seeded ones (whose messages say "Failed: 0").
    let failed_run = json!({
        "apiVersion": "tekton.dev/v1", "kind": "PipelineRun",
        "metadata": {"name": "broken-run", "namespace": "ci", "uid": "uid-broken-run",
                     "creationTimestamp": "2026-11-22T11:00:00Z",
                     "labels": {"tekton.dev/pipeline": "build"}},
        "spec": {"pipelineRef": {"name": "build"}},
        "status": {"startTime": "2026-11-22T11:00:00Z", "completionTime": "2026-11-22T11:05:00Z",
                   "conditions": [{"type": "Succeeded", "status": "False", "reason": "Failed",
                                   "message": "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0"}]}
    });
    w.sim.store().put(Kind::PipelineRun, failed_run);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 160, 45);
    t.wait_for("pods(all)");
    t.send(":pr\r");
    let screen = t.wait_until("the runs", |s| {
        counts(s).is_some_and(|c| c.1 >= 7) && s.contains("broken-run")
    });
    let total = counts(&screen).map_or(0, |c| c.1);
    let failed = rows(&screen)
        .iter()
        .filter(|r| r.contains("Failed"))
        .count();
    t.send("/Failed\r");
    assert!(failed >= 1, "{screen}");
    t.wait_until("only the failed runs", |s| {
        s.contains("/Failed")
            && counts(s) == Some((failed, total))
            && rows(s).iter().all(|r| r.contains("Failed"))
    });
    // A regex anchored to a cell: the runs in namespace ci (every seeded run is there).
    t.send(":po\r");
    t.wait_for("pods(all)");
    t.send("/^ci\r");
    // Waiting for the whole frame (a screen read mid-frame still shows the old rows).
    t.wait_until("only namespace ci, anchored", |s| {
        let shown = rows(s);
        s.contains("/^ci") && !shown.is_empty() && shown.iter().all(|r| r.starts_with("ci "))
    });
    // The apiserver's selector grammar. `/` starts a new filter (it used to append to the
    // one applied).
    t.send("/-l app in (web,billing)\r");
    t.wait_until("only the web and billing pods", |s| {
        let shown = rows(s);
        s.contains("-l app in (web,billing)")
            && !shown.is_empty()
            && shown
                .iter()
                .all(|r| r.contains(" web-") || r.contains(" billing-"))
    });
    // An invalid selector says why instead of matching nothing.
    t.send("/-l app in web\r");
    t.wait_for("invalid label selector");
}

/// `D` on a pod whose debug session was detached goes back to it, no second debugger.
#[test]
fn debugging_a_pod_again_reattaches_its_session() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "dbg-two")
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("dbg-two");
    t.send("/dbg-two\r");
    t.wait_for("/dbg-two");
    t.send("D");
    t.wait_for("debug dbg-two with");
    t.send("\r");
    t.wait_for("is running; attaching");
    // Detach: the pane goes, the session runs on.
    t.send(&format!("{PREFIX}d"));
    t.wait_for("detached");
    t.send("D");
    t.wait_for("back to the debug session in dbg-two");
    t.send(&format!("{PREFIX}\t"));
    t.send(":sessions\r");
    t.wait_for("sessions(demo)");
    let screen = t.wait_until("the sessions list", |s| s.contains("sessions(demo)"));
    assert_eq!(counts(&screen), Some((1, 1)), "one session: {screen}");
    let pod = w
        .sim
        .store()
        .get(Kind::Pod, &("demo".into(), "dbg-two".into()))
        .expect("pod gone");
    let added = pod["spec"]["ephemeralContainers"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(added, 1, "one ephemeral container: {pod}");
}

/// Text from the cluster goes through one neutraliser in every view: a bidi override in a
/// name or a label is spelled `<U+202E>` in the table and in describe, as in log panes; a long
/// name is cut with a visible `…`.
#[test]
fn hostile_and_long_names_are_shown_truthfully() {
    let w = world(common::frozen(10));
    let mut evil = common::pods::pod("demo", "abc\u{202e}def")
        .image("ghcr.io/acme/app:1")
        .json();
    evil["metadata"]["labels"]["team"] = json!("abc\u{202e}def");
    w.sim.store().put(Kind::Pod, evil);
    let long = format!("{}-endmark", "a".repeat(120));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", &long)
            .image("ghcr.io/acme/app:1")
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    let screen = t.wait_until("both pods", |s| {
        s.contains("abc<U+202E>def") && s.contains("aaaa…")
    });
    assert!(!screen.contains('\u{202e}'), "{screen}");
    assert!(
        !t.wrote("\u{202e}".as_bytes()),
        "U+202E reached the terminal"
    );
    assert!(!screen.contains("endmark"), "cut, and marked: {screen}");
    // Describe says the same (it used to drop the character silently: `abcdef`).
    t.send("/abc\r");
    t.wait_for("/abc");
    t.send("d");
    let screen = t.wait_until("the describe", |s| {
        s.contains("Labels:") && s.contains("team=")
    });
    assert!(screen.contains("team=abc<U+202E>def"), "{screen}");
    assert!(!screen.contains("team=abcdef"), "{screen}");
}

/// The 16-colour theme sends only basic colour codes (it used to send `38;5;N`), and the light
/// theme sends no truecolour to a terminal that did not ask for it.
#[test]
fn themes_send_only_the_colours_the_terminal_takes() {
    let w = world(common::frozen(10));
    let kc = w.kubeconfig.to_string_lossy().to_string();
    for (theme, colorterm, forbidden) in [
        ("16", "", &["38;5;", "48;5;", "38;2;", "48;2;"][..]),
        ("light", "", &["38;2;", "48;2;"][..]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kubedeck.toml");
        std::fs::write(&config, format!("theme = \"{theme}\"\n")).unwrap();
        let cfg = config.to_string_lossy().to_string();
        let args = [
            "--kubeconfig",
            &kc,
            "--config",
            &cfg,
            "-A",
            "--view",
            "triage",
        ];
        let t = Term::spawn(&args, 120, 30, &[("COLORTERM", colorterm)]);
        t.wait_until("the triage view drawn", |s| {
            s.contains("triage(all)") && s.contains("PROBLEM")
        });
        t.wait_for("NAMESPACE");
        for code in forbidden {
            assert!(!t.wrote(code.as_bytes()), "theme {theme} wrote {code}");
        }
        assert!(t.wrote(b"\x1b["), "colours were drawn at all");
    }
}

/// Triage says since when a node is under pressure (its condition's lastTransitionTime, as the
/// nodes view does; it said `-`), calls an evicted pod Evicted with the kubelet's reason and
/// when (it said "Failing ContainerStatusUnknown" since the pod's age), and Enter on the
/// pressure row lists the node's pods.
#[test]
fn triage_tells_what_happened_and_since_when() {
    let w = world(common::frozen(10));
    let ago = |s: i64| (Timestamp::now() - SignedDuration::from_secs(s)).to_string();
    let node = json!({
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": "hot-node", "uid": "uid-hot-node", "creationTimestamp": ago(86400 * 30),
                     "labels": {"kubernetes.io/hostname": "hot-node"}},
        "status": {"allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                   "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                   "conditions": [
                       {"type": "MemoryPressure", "status": "True", "reason": "KubeletHasInsufficientMemory",
                        "lastTransitionTime": ago(1500), "lastHeartbeatTime": ago(5)},
                       {"type": "Ready", "status": "True", "reason": "KubeletReady",
                        "lastTransitionTime": ago(86400), "lastHeartbeatTime": ago(5)}]}
    });
    w.sim.store().put(Kind::Node, node);
    let evicted = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "cache-evicted", "namespace": "demo", "uid": "uid-cache-evicted",
                     "creationTimestamp": ago(86400 * 13)},
        "spec": {"nodeName": "hot-node", "containers": [{"name": "app", "image": "redis"}]},
        "status": {"phase": "Failed", "reason": "Evicted",
                   "message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 40Mi.",
                   "conditions": [{"type": "DisruptionTarget", "status": "True",
                                   "reason": "TerminationByKubelet", "lastTransitionTime": ago(600)}],
                   "containerStatuses": [{"name": "app", "ready": false, "restartCount": 0,
                       "image": "redis", "imageID": "",
                       "state": {"terminated": {"exitCode": 137, "reason": "ContainerStatusUnknown",
                                                "finishedAt": ago(600)}}}]}
    });
    w.sim.store().put(Kind::Pod, evicted);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "triage"], 160, 45);
    // Both rows whole (a screen read mid-frame can hold half a row).
    let screen = t.wait_until("both rows", |s| {
        s.contains("node/hot-node") && s.contains("low on resource: memory") && s.contains(" 25m ")
    });
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let pressure = row("node/hot-node");
    assert!(
        pressure.contains("NodePressure")
            && pressure.trim_end_matches('│').trim_end().ends_with("25m"),
        "{pressure}"
    );
    let evicted = row("cache-evicted");
    assert!(
        evicted.contains("Evicted") && evicted.contains("low on resource: memory"),
        "{evicted}"
    );
    assert!(!evicted.contains("ContainerStatusUnknown"), "{evicted}");
    assert!(
        evicted.trim_end_matches('│').trim_end().ends_with("10m"),
        "{evicted}"
    );
    // Enter on the pressure row: the node's pods, the biggest memory user first.
    t.send("/hot-node\r");
    t.wait_for("/hot-node");
    t.send("\r");
    t.wait_until("the node's pods", |s| {
        s.contains("node/hot-node") && s.contains("pods")
    });
}

/// A theme path that is not a theme says where it failed, never what the file holds.
#[test]
fn a_theme_pointing_at_another_file_does_not_echo_it() {
    let w = world(common::frozen(5));
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("passwd");
    std::fs::write(&secret, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    let config = dir.path().join("kubedeck.toml");
    let theme = format!("theme = \"{}\"\n", secret.display());
    std::fs::write(&config, theme).unwrap();
    let cfg = config.to_string_lossy().to_string();
    let t = Term::with_kubeconfig(&w.kubeconfig, &["--config", &cfg], 160, 30);
    let screen = t.wait_until("the theme's error", |s| {
        s.contains("passwd") && s.contains("line 1")
    });
    assert!(!screen.contains("root:x"), "{screen}");
    assert!(
        !t.wrote(b"root:x:0:0"),
        "the file's text reached the terminal"
    );
}
