//! After a fault, the screen tells the truth (issue 14): the real binary in a PTY against the
//! simulator's faults, read back during the fault and after it.

use crate::common;

use std::time::Duration;

use common::term::Term;
use common::world;
use kubedeck_sim::Kind;

/// The status bar (the last line).
fn bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

/// The table's title line.
fn title(screen: &str) -> &str {
    screen.lines().nth(1).unwrap_or_default()
}

/// Every kind live with its count, as the status bar shows them.
fn all_live(screen: &str, pods: usize, runs: usize) -> bool {
    let b = bar(screen);
    b.contains(&format!("pods {pods} │"))
        && b.contains(&format!("pipelineruns {runs} │"))
        && ["events ", "nodes ", "namespaces "].iter().all(|k| {
            b.split('│').any(|part| {
                part.trim()
                    .strip_prefix(k)
                    .is_some_and(|n| n.parse::<usize>().is_ok())
            })
        })
}

#[test]
fn a_restart_shows_not_live_then_everything_is_live_again_with_nothing_changing() {
    let w = world(common::frozen(12));
    let runs = w.sim.store().count(Kind::PipelineRun);
    let pods = w.sim.store().count(Kind::Pod);
    let all = format!("[{pods}/{pods}]");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 200, 45);
    t.wait_until("every kind live", |s| all_live(s, pods, runs));

    // Down for a while: the rows stay, marked as last-known, and the bar says why.
    w.sim.begin_restart(Duration::from_secs(4), false);
    let screen = t.wait_until("the reconnect shown", |s| {
        title(s).contains("NOT LIVE (reconnecting) as of")
            && bar(s).contains("cannot reach the API server")
    });
    assert!(title(&screen).contains(&all), "{screen}");

    // Back, and the world is frozen: no object changes, yet every kind turns live and the
    // marks and errors go.
    let screen = t.wait_until("every kind live again", |s| {
        all_live(s, pods, runs) && !s.contains("NOT LIVE") && !s.contains("cannot reach")
    });
    assert!(title(&screen).contains(&all), "{screen}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// A connection that goes silent without closing, through a loopback proxy (what a dropped VPN
/// or a jump host does): the screen says NOT LIVE and "connection lost" long before a watch's
/// idle timeout, and is live again once the path returns.
#[test]
fn a_silent_connection_is_shown_not_live_then_live_again() {
    let w = world(common::frozen(12));
    let proxy =
        w.rt.block_on(common::proxy::SilentProxy::start(w.sim.addr()));
    let kubeconfig = proxy.kubeconfig_for(&w.kubeconfig, &w.sim.url());
    let pods = w.sim.store().count(Kind::Pod);
    let runs = w.sim.store().count(Kind::PipelineRun);
    let mut t = Term::with_kubeconfig(&kubeconfig, &["-A"], 220, 45);
    t.wait_until("every kind live", |s| all_live(s, pods, runs));
    // A log pane following a running pod's log (the default namespace's pods run).
    t.send("/default\r");
    t.wait_for("/default");
    t.send("l");
    t.wait_for("● following");

    proxy.blackhole();
    let screen = t.wait_until("the silence shown", |s| {
        title(s).contains("NOT LIVE (reconnecting) as of")
            && bar(s).contains("connection lost")
            && s.contains("connection lost │ 1 reconnecting")
    });
    assert!(
        screen.contains("connection lost: the API server stopped answering"),
        "the log pane says so among its lines: {screen}"
    );
    proxy.restore();
    t.wait_until("every kind live again", |s| {
        all_live(s, pods, runs) && !s.contains("NOT LIVE") && !s.contains("1 reconnecting")
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// A one-shot request (a pod's YAML) asked as the connection goes silent is not left loading
/// until the client's read timeout (minutes): once the silence is found it says the
/// connection is lost, and asked again after the path is back it answers.
#[test]
fn a_yaml_asked_on_a_silent_connection_says_it_is_lost() {
    let w = world(common::frozen(12));
    let proxy =
        w.rt.block_on(common::proxy::SilentProxy::start(w.sim.addr()));
    let kubeconfig = proxy.kubeconfig_for(&w.kubeconfig, &w.sim.url());
    let pods = w.sim.store().count(Kind::Pod);
    let runs = w.sim.store().count(Kind::PipelineRun);
    let mut t = Term::with_kubeconfig(&kubeconfig, &["-A"], 200, 45);
    t.wait_until("every kind live", |s| all_live(s, pods, runs));

    proxy.blackhole();
    t.send("y");
    t.wait_for("loading…");
    let screen = t.wait_until("the YAML's request given up", |s| {
        s.contains("cannot get pod/") && title(s).contains("yaml")
    });
    assert!(
        screen.contains("connection lost: the API server stopped answering"),
        "{screen}"
    );
    proxy.restore();
    t.wait_until("every kind live again", |s| {
        all_live(s, pods, runs) && !s.contains("NOT LIVE")
    });
    // Asked again (Esc back to the list, y): the YAML comes.
    t.send("\x1b");
    t.wait_gone("cannot get pod/");
    t.send("y");
    t.wait_for("apiVersion: v1");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_server_whose_versions_went_backwards_is_shown_as_it_is_now() {
    let w = world(common::frozen(12));
    let pods = w.sim.store().count(Kind::Pod);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 200, 45);
    t.wait_for(&format!("[{pods}/{pods}]"));
    w.sim.store().checkpoint();
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "born-after-checkpoint").json(),
    );
    let more = pods + 1;
    t.wait_until("the new pod", |s| {
        s.contains("born-after-checkpoint") && s.contains(&format!("[{more}/{more}]"))
    });

    // etcd restored: the pod never existed there; the table must not keep it.
    w.sim.begin_restart(Duration::from_millis(500), true);
    let screen = t.wait_until("the restored list", |s| {
        !s.contains("born-after-checkpoint")
            && title(s).contains(&format!("[{pods}/{pods}]"))
            && !s.contains("NOT LIVE")
    });
    assert!(bar(&screen).contains(&format!("pods {pods} │")), "{screen}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn every_problem_shows_at_once_and_information_does_not_push_them_out() {
    let w = world(common::frozen(12));
    let pods = w.sim.store().count(Kind::Pod);
    let all = format!("[{pods}/{pods}]");
    let live = format!("pods {pods} │");
    w.sim.faults().forbid("pipelineruns");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 240, 45);
    t.wait_for("pipelineruns: forbidden:");
    t.wait_for(&all);

    // Pods become forbidden too: the table is marked, both problems are in the bar.
    w.sim.faults().forbid("pods");
    w.sim.faults().drop_all_watches();
    let screen = t.wait_until("both problems", |s| {
        bar(s).contains("pods: forbidden: pods is forbidden")
            && bar(s).contains("pipelineruns: forbidden:")
            && title(s).contains("NOT LIVE (forbidden)")
    });
    assert!(title(&screen).contains(&all), "{screen}");

    // Information (a switch, a retry) shows beside the problems, then goes; they stay.
    w.sim.faults().allow("pods");
    t.send("R");
    let screen = t.wait_until("the retry and its effect", |s| {
        !title(s).contains("NOT LIVE") && bar(s).contains(&live)
    });
    assert!(
        bar(&screen).contains("pipelineruns: forbidden:"),
        "{screen}"
    );
    t.send(":theme\r");
    let screen = t.wait_for("theme: ");
    assert!(
        bar(&screen).contains("pipelineruns: forbidden:"),
        "{screen}"
    );
    let screen = t.wait_gone("theme: ");
    assert!(
        bar(&screen).contains("pipelineruns: forbidden:"),
        "{screen}"
    );
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_token_renewed_in_the_kubeconfig_brings_it_back() {
    let w = world(common::frozen(12));
    let live = format!("pods {} │", w.sim.store().count(Kind::Pod));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 200, 45);
    t.wait_for(&live);

    // The token expires.
    w.sim.set_token(Some("renewed-token"));
    w.sim.faults().drop_all_watches();
    let screen = t.wait_until("unauthorized shown", |s| {
        bar(s).contains("pods, events, nodes, namespaces, pipelineruns: unauthorized: credentials")
            && title(s).contains("NOT LIVE (unauthorized)")
    });
    assert!(
        bar(&screen).contains("kubedeck rereads the kubeconfig"),
        "{screen}"
    );

    // A login elsewhere writes the new token; R tries at once instead of waiting.
    w.sim.write_kubeconfig(&w.kubeconfig).unwrap();
    t.send("R");
    t.wait_until("live again", |s| {
        bar(s).contains(&live) && !s.contains("unauthorized") && !s.contains("NOT LIVE")
    });
    w.sim
        .store()
        .put(Kind::Pod, common::pods::pod("demo", "after-login").json());
    t.wait_for("after-login");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn tekton_installed_after_start_appears_and_removed_goes() {
    let w = world(common::frozen(12));
    for gv in ["tekton.dev/v1", "tekton.dev/v1beta1"] {
        w.sim.faults().set_api_served(gv, false);
    }
    let runs = w.sim.store().count(Kind::PipelineRun);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "pipelineruns"], 200, 45);
    t.wait_for("Tekton is not installed");
    assert!(bar(&t.contents()).contains("pipelineruns not installed"));

    w.sim.faults().set_api_served("tekton.dev/v1", true);
    t.send("R");
    let screen = t.wait_until("the runs", |s| {
        bar(s).contains(&format!("pipelineruns {runs} │"))
    });
    assert!(
        title(&screen).contains(&format!("[{runs}/{runs}]")),
        "{screen}"
    );

    // Removed mid-session: the runs go, not shown as if they were still there.
    w.sim.faults().set_api_served("tekton.dev/v1", false);
    let screen = t.wait_for("Tekton is not installed");
    assert!(title(&screen).contains("[0/0]"), "{screen}");
    assert!(!screen.contains("404"), "{screen}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn usage_that_is_not_available_any_more_is_not_shown() {
    let w = world(common::frozen(12));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "nodes"], 200, 45);
    let screen = t.wait_until("usage", |s| s.contains('%') && s.contains("worker-01"));
    assert!(!screen.contains("usage unavailable"), "{screen}");

    w.sim.faults().set_metrics_enabled(false);
    t.send("R");
    let screen = t.wait_for("usage unavailable: metrics.k8s.io not served");
    // The usage columns (CPU, MEM) are the ones with bars; without a sample none is drawn.
    let worker = screen
        .lines()
        .find(|l| l.contains("worker-01"))
        .unwrap_or_default();
    assert!(!worker.contains('█') && !worker.contains('▏'), "{screen}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn an_exec_plugin_that_returns_a_new_token_brings_it_back() {
    let w = world(common::frozen(6));
    let live = format!("pods {} │", w.sim.store().count(Kind::Pod));
    let dir = tempfile::tempdir().unwrap();
    // The plugin prints whatever token a login last wrote (as aws/gcloud plugins read their cache).
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "kubedeck-sim-token").unwrap();
    let mut kc = w.sim.kubeconfig();
    let script = format!(
        r#"printf '{{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{{"token":"%s"}}}}' "$(cat {})""#,
        token_file.display()
    );
    kc["users"][0]["user"] = serde_json::json!({"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "/bin/sh", "args": ["-c", script], "interactiveMode": "Never"
    }});
    let path = dir.path().join("config.json");
    std::fs::write(&path, kc.to_string()).unwrap();
    let mut t = Term::with_kubeconfig(&path, &["-A"], 200, 45);
    t.wait_for(&live);

    w.sim.set_token(Some("token-after-login"));
    w.sim.faults().drop_all_watches();
    t.wait_for("unauthorized: credentials rejected");
    // The kubeconfig does not change; the plugin's answer does.
    std::fs::write(&token_file, "token-after-login").unwrap();
    t.send("R");
    t.wait_until("live again", |s| {
        bar(s).contains(&live) && !s.contains("unauthorized") && !s.contains("NOT LIVE")
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}
