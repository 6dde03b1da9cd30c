//! Terminal end-to-end: the real binary in a PTY against the simulator, read back through vt100.

mod common;

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::term::Term;
use kubedeck::sim::{Kind, Sim, SimOptions};

struct World {
    rt: tokio::runtime::Runtime,
    sim: Sim,
    kubeconfig: tempfile::TempPath,
}

fn world(opts: SimOptions) -> World {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("runtime: {e}"));
    let sim = rt.block_on(common::start(opts));
    let kubeconfig = tempfile::NamedTempFile::new()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_temp_path();
    sim.write_kubeconfig(&kubeconfig)
        .unwrap_or_else(|e| panic!("{e}"));
    World {
        rt,
        sim,
        kubeconfig,
    }
}

/// (namespace, name) of every pod, in the table's default order.
fn pod_keys(sim: &Sim) -> Vec<(String, String)> {
    let mut keys: Vec<_> = sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .map(|p| kubedeck::sim::store::key_of(p))
        .collect();
    keys.sort();
    keys
}

fn pod_json(ns: &str, name: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"), "creationTimestamp": "2026-11-22T10:00:00Z"},
        "spec": {"containers": [{"name": "app", "image": "busybox"}], "nodeName": "worker-01"},
        "status": {"phase": "Running", "podIP": "10.9.9.9", "containerStatuses": [
            {"name": "app", "ready": true, "restartCount": 0, "image": "busybox", "imageID": "", "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}}}]}
    })
}

#[test]
fn pods_view_shows_seeded_pods_and_filter_narrows() {
    let w = world(common::frozen(30));
    let keys = pod_keys(&w.sim);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 160, 45);
    let total = keys.len();
    t.wait_for(&format!("[{total}/{total}]"));
    let screen = t.wait_until("the first rows", |s| {
        s.contains(&keys[0].1) && s.contains(&keys[1].1)
    });
    assert!(
        screen.contains("NAMESPACE") && screen.contains("RESTARTS") && screen.contains("NODE"),
        "{screen}"
    );

    // Filter to one crash-looping pod by name: only it remains.
    let target = w
        .sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .find(|p| p["metadata"]["annotations"]["sim.kubedeck.dev/role"] == "crashloop")
        .and_then(|p| p["metadata"]["name"].as_str().map(String::from))
        .unwrap_or_else(|| panic!("a crash-looping pod"));
    t.send("/");
    t.send(&target);
    t.send("\r");
    let screen = t.wait_until("the filtered row", |s| {
        s.contains(&format!("[1/{total}]")) && s.contains(&target) && s.contains("CrashLoopBackOff")
    });
    assert!(!screen.contains(&keys[0].1) || keys[0].1 == target);

    // Esc clears the filter.
    t.send("\x1b");
    t.wait_for(&format!("[{total}/{total}]"));
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
    assert!(t.left_alternate_screen());
    drop(w.rt);
}

#[test]
fn deleted_pod_disappears_and_new_pod_appears() {
    let w = world(common::frozen(12));
    let keys = pod_keys(&w.sim);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 160, 45);
    let victim = keys[0].clone();
    t.wait_for(&victim.1);
    w.sim.store().remove(Kind::Pod, &victim);
    t.wait_gone(&victim.1);
    w.sim
        .store()
        .put(Kind::Pod, pod_json("aaa", "brand-new-pod"));
    t.wait_for("brand-new-pod");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn view_recovers_after_dropped_watch_and_410() {
    let w = world(common::frozen(12));
    let keys = pod_keys(&w.sim);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 160, 45);
    t.wait_for(&keys[0].1);

    // Dropped watch, then a change while the informer reconnects.
    w.sim.faults().drop_all_watches();
    w.sim.store().remove(Kind::Pod, &keys[0]);
    w.sim.store().put(Kind::Pod, pod_json("aaa", "after-drop"));
    t.wait_until("drop recovery", |s| {
        s.contains("after-drop") && !s.contains(&keys[0].1)
    });

    // 410 Expired on the next watch: the informer relists and the view stays right.
    w.sim.faults().gone_next_watches(1);
    w.sim.store().compact();
    w.sim.faults().drop_all_watches();
    w.sim.store().remove(Kind::Pod, &keys[1]);
    w.sim.store().put(Kind::Pod, pod_json("aaa", "after-gone"));
    let total = w.sim.store().count(Kind::Pod);
    let screen = t.wait_until("410 recovery", |s| {
        s.contains("after-gone")
            && !s.contains(&keys[1].1)
            && s.contains(&format!("[{total}/{total}]"))
    });
    assert!(screen.contains("after-drop"));
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn forbidden_pipelineruns_show_a_clear_state() {
    let w = world(common::frozen(8));
    w.sim.faults().forbid("pipelineruns");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 200, 60);
    let screen = t.wait_for("pipelineruns forbidden");
    assert!(
        screen.contains("pods 8") || screen.contains("pods "),
        "{screen}"
    );
    t.wait_for("forbidden: pipelineruns.tekton.dev is forbidden");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn cluster_without_tekton_says_not_installed() {
    let w = world(common::frozen(5));
    w.sim.faults().set_api_served("tekton.dev/v1", false);
    w.sim.faults().set_api_served("tekton.dev/v1beta1", false);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 160, 40);
    let screen = t.wait_for("pipelineruns not installed");
    assert!(screen.contains("pods(all)"), "{screen}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn kubeconfig_for(port: u16) -> tempfile::TempPath {
    let text = serde_json::json!({
        "apiVersion": "v1", "kind": "Config", "current-context": "down",
        "clusters": [{"name": "down", "cluster": {"server": format!("http://127.0.0.1:{port}")}}],
        "users": [{"name": "u", "user": {}}],
        "contexts": [{"name": "down", "context": {"cluster": "down", "user": "u"}}],
    });
    let path = tempfile::NamedTempFile::new()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_temp_path();
    std::fs::write(&path, text.to_string()).unwrap_or_else(|e| panic!("{e}"));
    path
}

#[test]
fn unreachable_server_is_explained_and_retried_until_it_comes_up() {
    let port = free_port();
    let kc = kubeconfig_for(port);
    let mut t = Term::with_kubeconfig(&kc, &["-A"], 160, 45);
    // The message spans lines: wait for all of it, not just its first line.
    let server = format!("127.0.0.1:{port}");
    t.wait_until("the unreachable-server message", |s| {
        s.contains("cannot reach the API server") && s.contains("Retrying") && s.contains(&server)
    });
    // The server comes up on that address: kubedeck connects by itself.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let sim = rt.block_on(Sim::start(
        common::frozen(6),
        format!("127.0.0.1:{port}")
            .parse()
            .unwrap_or_else(|_| unreachable!()),
    ));
    let sim = sim.unwrap_or_else(|e| panic!("{e}"));
    let first = pod_keys(&sim)[0].1.clone();
    t.wait_for(&first);
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn retries_do_not_busy_loop() {
    // A server that accepts connections and hangs up at once: count the attempts.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    let kc = kubeconfig_for(port);
    let mut t = Term::with_kubeconfig(&kc, &["-A"], 160, 45);
    t.wait_for("reconnecting");
    let before = attempts.load(Ordering::SeqCst);
    // A window of wall time in which a busy loop would make thousands of attempts.
    std::thread::sleep(Duration::from_secs(3));
    let during = attempts.load(Ordering::SeqCst) - before;
    assert!(
        during < 60,
        "{during} connection attempts in 3s: retries are not backing off"
    );
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn small_and_large_terminals_render_and_survive_resize() {
    let w = world(common::frozen(20));
    let keys = pod_keys(&w.sim);
    let count = format!("pods {}", keys.len());
    let mut small = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 80, 24);
    let screen = small.wait_until("80x24 table and status bar", |s| {
        s.contains(&keys[0].1) && s.contains(&count) && s.contains("namespaces")
    });
    assert!(
        screen.contains("pods(all)") && screen.contains("STATUS") && !screen.contains("NODE"),
        "80x24 drops NODE and IP:\n{screen}"
    );

    let mut large = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 200, 60);
    // Every pod fits at 60 rows.
    let screen = large.wait_until("every pod at 200x60", |s| {
        keys.iter().all(|k| s.contains(&k.1))
    });
    assert!(screen.contains("NODE") && screen.contains("IP"), "{screen}");

    large.resize(80, 24);
    large.wait_until("NODE column to go after shrinking", |s| {
        !s.contains("NODE") && s.contains("pods(all)")
    });
    large.resize(200, 60);
    large.wait_for("NODE");
    small.send(":q\r");
    large.send(":q\r");
    assert_eq!(small.wait_exit(), 0);
    assert_eq!(large.wait_exit(), 0);
}

#[test]
fn help_lists_keys_and_navigation_moves_the_cursor() {
    let w = world(common::frozen(10));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 120, 40);
    t.wait_for("pods(all)");
    t.send("?");
    let wanted = [
        "help (Esc or ? closes)",
        "move down",
        "filter rows",
        "sort by RESTARTS",
        ":ctx NAME",
        ":ns NAME",
        "quit",
    ];
    t.wait_until("every help entry", |s| wanted.iter().all(|k| s.contains(k)));
    t.send("\x1b");
    t.wait_gone("help (Esc or ? closes");
    t.send(":ns demo\r");
    t.wait_for("pods(demo)");
    t.send(":bogus\r");
    t.wait_for("unknown command :bogus");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn sighup_and_sigterm_exit_promptly_and_restore_the_terminal() {
    let w = world(common::frozen(5));
    for sig in ["-HUP", "-TERM"] {
        let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 100, 30);
        t.wait_for("pods(all)");
        let pid = t.pid().unwrap_or_else(|| panic!("pid"));
        let status = std::process::Command::new("kill")
            .arg(sig)
            .arg(pid.to_string())
            .status();
        assert!(status.is_ok_and(|s| s.success()));
        assert_eq!(t.wait_exit(), 0, "{sig}");
        assert!(t.left_alternate_screen(), "{sig}: terminal restored");
    }
}

#[test]
fn bad_kubeconfig_and_missing_context_fail_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let bad = dir.path().join("broken.yaml");
    std::fs::write(&bad, "clusters: [ {oops").unwrap_or_else(|e| panic!("{e}"));
    let mut t = Term::with_kubeconfig(&bad, &[], 160, 20);
    assert_ne!(t.wait_exit(), 0);
    let screen = t.wait_for("kubedeck: cannot read kubeconfig");
    assert!(
        screen.contains("broken.yaml") && !screen.contains("panicked"),
        "{screen}"
    );

    let w = world(common::frozen(3));
    let cfg = dir.path().join("kubedeck.toml");
    std::fs::write(&cfg, "readonly = true\nthem = \"dark\"\n").unwrap_or_else(|e| panic!("{e}"));
    let cfg_text = cfg.to_string_lossy().to_string();
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["--config", &cfg_text], 200, 20);
    assert_ne!(t.wait_exit(), 0);
    let screen = t.wait_until("a config error naming file and line", |s| {
        s.contains("kubedeck.toml") && s.contains("line 2") && s.contains("unknown field `them`")
    });
    assert!(!screen.contains("panicked"), "{screen}");

    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["--context", "nope"], 160, 20);
    assert_ne!(t.wait_exit(), 0);
    let screen = t.wait_for("context \"nope\" is not in");
    assert!(screen.contains("available: kubedeck-sim"), "{screen}");
}

#[test]
fn demo_mode_runs_its_own_cluster() {
    let mut t = Term::spawn(&["--demo"], 160, 45, &[]);
    t.wait_until("the demo cluster's pods", |s| {
        s.contains("ctx: kubedeck-sim") && s.contains("pods(all)") && s.contains("Running")
    });
    // The scenario has crash-looping pods; filtering finds them.
    t.send("/CrashLoop\r");
    t.wait_until("a crash-looping pod", |s| {
        s.contains("CrashLoopBackOff") && s.contains("/CrashLoop")
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn ctx_command_switches_cluster_without_restarting() {
    let a = world(common::frozen(5));
    let mut b_opts = common::frozen(7);
    b_opts.scale.seed = 99;
    let b = world(b_opts);
    // One kubeconfig, two contexts.
    let mut kc = a.sim.kubeconfig();
    let other = b.sim.kubeconfig();
    if let Some(clusters) = kc["clusters"].as_array_mut() {
        clusters.push(serde_json::json!({"name": "other", "cluster": other["clusters"][0]["cluster"].clone()}));
    }
    if let Some(contexts) = kc["contexts"].as_array_mut() {
        contexts.push(serde_json::json!({"name": "other", "context": {"cluster": "other", "user": "kubedeck-sim-admin"}}));
    }
    let path = tempfile::NamedTempFile::new()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_temp_path();
    std::fs::write(&path, kc.to_string()).unwrap_or_else(|e| panic!("{e}"));

    let a_first = pod_keys(&a.sim)[0].1.clone();
    let b_first = pod_keys(&b.sim)[0].1.clone();
    let mut t = Term::with_kubeconfig(&path, &["-A"], 160, 45);
    t.wait_for(&a_first);
    t.send(":ctx other\r");
    t.wait_until("the other cluster's pods", |s| {
        s.contains("ctx: other") && s.contains(&b_first) && !s.contains(&a_first)
    });
    t.send(":ctx\r");
    t.wait_for("contexts: kubedeck-sim, other");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// A kubeconfig whose user gets its token from an exec plugin (as EKS/GKE/OIDC setups do).
fn exec_plugin_kubeconfig(sim: &Sim, token: &str) -> serde_json::Value {
    let mut kc = sim.kubeconfig();
    let credential = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
        "status": {"token": token}
    });
    kc["users"][0]["user"] = serde_json::json!({"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "/bin/sh",
        "args": ["-c", format!("echo '{credential}'")],
        "interactiveMode": "Never"
    }});
    kc
}

#[test]
fn exec_auth_plugins_work_and_rejected_tokens_are_explained() {
    let w = world(common::frozen(6));
    let first = pod_keys(&w.sim)[0].1.clone();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));

    let good = dir.path().join("good.json");
    std::fs::write(
        &good,
        exec_plugin_kubeconfig(&w.sim, "kubedeck-sim-token").to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut t = Term::with_kubeconfig(&good, &["-A"], 160, 40);
    t.wait_for(&first);
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);

    let expired = dir.path().join("expired.json");
    std::fs::write(
        &expired,
        exec_plugin_kubeconfig(&w.sim, "expired-token").to_string(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut t = Term::with_kubeconfig(&expired, &["-A"], 200, 40);
    let screen = t.wait_for("unauthorized: the server rejected the credentials");
    assert!(!screen.contains(&first), "{screen}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn kubeconfig_env_with_several_files_is_merged() {
    let w = world(common::frozen(4));
    let first = pod_keys(&w.sim)[0].1.clone();
    let full = w.sim.kubeconfig();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // One file holds the cluster and user, the other the context that uses them.
    let mut creds = full.clone();
    creds["contexts"] = serde_json::json!([]);
    creds.as_object_mut().map(|o| o.remove("current-context"));
    let ctx = serde_json::json!({"apiVersion": "v1", "kind": "Config", "current-context": "split",
        "contexts": [{"name": "split", "context": {"cluster": "kubedeck-sim", "user": "kubedeck-sim-admin", "namespace": "demo"}}]});
    let (a, b) = (dir.path().join("creds"), dir.path().join("ctx"));
    std::fs::write(&a, creds.to_string()).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&b, ctx.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let joined = format!("{}:{}", b.display(), a.display());
    let mut t = Term::spawn(&[], 160, 40, &[("KUBECONFIG", joined.as_str())]);
    // The context's namespace applies without -n.
    t.wait_until("the merged context", |s| {
        s.contains("ctx: split") && s.contains("pods(demo)")
    });
    t.send(":ns all\r");
    t.wait_for(&first);
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}
