//! Several clusters in one view (issue 17), end to end: the real binary in a PTY against three
//! simulators at once (one healthy, one that goes unreachable, one forbidden on pods), each a
//! context of one kubeconfig.

use crate::common;

use std::io::Write;
use std::time::Duration;

use common::term::Term;
use kubedeck_sim::{Kind, Sim};
use serde_json::{Value, json};

/// A running pod in `demo` whose one container can be exec'd into and prints logs.
fn pod(name: &str) -> Value {
    common::pods::pod("demo", name)
        .image("busybox:1.37")
        .container_id(&format!("containerd://{name}"))
        .started_secs_ago(120)
        .json()
}

struct Fleet {
    /// Runs the simulators; kept alive for the test.
    _rt: tokio::runtime::Runtime,
    eu: Sim,
    us: Sim,
    ap: Sim,
    kubeconfig: tempfile::TempPath,
    config: tempfile::TempPath,
}

/// Three simulators (eu healthy, us to go down, ap forbidden on pods), each with a pod of its
/// own and a pod named the same in all three; eu is marked production-like.
fn fleet() -> Fleet {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let (eu, us, ap) = rt.block_on(async {
        (
            common::start(common::frozen(4)).await,
            common::start(common::frozen(4)).await,
            common::start(common::frozen(4)).await,
        )
    });
    for (sim, own) in [
        (&eu, "only-in-eu"),
        (&us, "only-in-us"),
        (&ap, "only-in-ap"),
    ] {
        sim.store().put(Kind::Pod, pod(own));
        sim.store().put(Kind::Pod, pod("twin"));
    }
    ap.faults().forbid("pods");
    let kubeconfig = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    let text = kubedeck_sim::kubeconfig_of(&[("eu", &eu), ("us", &us), ("ap", &ap)]);
    std::fs::write(&kubeconfig, text.to_string()).unwrap();
    let mut config = tempfile::NamedTempFile::new().unwrap();
    writeln!(
        config,
        "production = [\"eu\"]\n[clusters]\nall3 = [\"eu\", \"us\", \"ap\"]"
    )
    .unwrap();
    Fleet {
        _rt: rt,
        eu,
        us,
        ap,
        kubeconfig,
        config: config.into_temp_path(),
    }
}

/// The screen line with `name` as one of its cells (the CLUSTER cell comes first).
fn row<'a>(screen: &'a str, name: &str) -> &'a str {
    screen
        .lines()
        .find(|l| {
            l.trim_start_matches('│')
                .split_whitespace()
                .any(|w| w == name)
        })
        .unwrap_or_default()
}

/// The CLUSTER cell of the row named `name`.
fn cluster_of<'a>(screen: &'a str, name: &str) -> &'a str {
    row(screen, name)
        .trim_start_matches('│')
        .split_whitespace()
        .next()
        .unwrap_or_default()
}

/// The status bar (the last line).
fn bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

fn start(f: &Fleet, contexts: &[&str]) -> Term {
    let config = f.config.to_string_lossy().to_string();
    let mut args = vec!["--config", config.as_str(), "-n", "demo"];
    for c in contexts {
        args.extend(["--context", c]);
    }
    Term::with_kubeconfig(&f.kubeconfig, &args, 200, 45)
}

#[test]
fn three_clusters_in_one_view_each_row_and_action_in_its_own_cluster() {
    let f = fleet();
    // A set from the config names all three.
    let mut t = start(&f, &["all3"]);
    let screen = t.wait_until("rows of eu and us, ap forbidden on pods", |s| {
        s.contains("only-in-eu")
            && s.contains("only-in-us")
            && bar(s).contains("ap: pods forbidden")
            && bar(s).contains("eu: live")
    });
    assert!(screen.contains("CLUSTER"), "{screen}");
    assert_eq!(cluster_of(&screen, "only-in-eu"), "eu", "{screen}");
    assert_eq!(cluster_of(&screen, "only-in-us"), "us", "{screen}");
    assert!(
        !screen.contains("only-in-ap"),
        "ap's pods are forbidden: {screen}"
    );
    // The pod named the same in two clusters is two rows, one per cluster.
    let twins: Vec<&str> = screen.lines().filter(|l| l.contains(" twin ")).collect();
    assert_eq!(twins.len(), 2, "{screen}");
    // The top bar names every cluster shown.
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|l| l.contains("eu, us, ap")),
        "{screen}"
    );

    // `/cluster=us`: only us's rows.
    t.send("/cluster=us\r");
    let screen = t.wait_until("only us", |s| {
        !s.contains("only-in-eu") && s.contains("only-in-us")
    });
    assert!(
        screen.lines().filter(|l| l.contains(" twin ")).count() == 1,
        "{screen}"
    );
    t.send("/\r");
    t.wait_for("only-in-eu");

    // Logs of a pod only us has: asked of us (eu or ap would answer 404).
    t.send("/only-in-us\r");
    t.wait_until("filtered", |s| !s.contains("only-in-eu"));
    t.send("l");
    let screen = t.wait_for("job step done");
    assert!(screen.contains("logs us: only-in-us/app"), "{screen}");
    assert!(!screen.contains("not found"), "{screen}");
    t.send("x");
    t.wait_gone("job step done");

    // A shell in it: us's exec.
    t.send("s");
    let screen = t.wait_for("only-in-us$");
    assert!(screen.contains("us: demo/only-in-us:app"), "{screen}");
    t.send("exit\r");
    t.wait_until("the session ended", |s| s.contains("exited"));
    t.send("\x01x");
    t.wait_gone("only-in-us$");
    t.send("/\r");

    // us goes away: its rows stay; eu stays live, and a deletion in eu shows up meanwhile.
    f.us.begin_restart(Duration::from_secs(600), false);
    t.wait_until("us unreachable in the bar", |s| {
        bar(s).contains("us: ") && bar(s).contains("reconnecting")
    });
    f.eu.store()
        .remove(Kind::Pod, &("demo".into(), "twin".into()));
    let screen = t.wait_until("eu's twin gone", |s| {
        s.lines().filter(|l| l.contains(" twin ")).count() == 1
    });
    assert_eq!(
        cluster_of(&screen, "twin"),
        "us",
        "the one left is us's: {screen}"
    );
    assert!(
        screen.contains("only-in-us"),
        "us's rows are kept: {screen}"
    );

    // Deleting in eu (marked production-like): the prompt names the cluster and the name must
    // be typed.
    t.send("/only-in-eu\r");
    t.wait_until("filtered", |s| !s.contains("only-in-us"));
    t.send("\x04");
    let screen = t.wait_for("type only-in-eu");
    assert!(screen.contains("context eu"), "{screen}");
    assert!(screen.contains("PRODUCTION"), "{screen}");
    t.send("y");
    t.send("\r");
    let screen = t.wait_for("type only-in-eu exactly");
    assert!(
        f.eu.store()
            .get(Kind::Pod, &("demo".into(), "only-in-eu".into()))
            .is_some(),
        "a y is not the name: {screen}"
    );
    t.send("\x7fonly-in-eu\r");
    t.wait_until("its row gone", |s| row(s, "only-in-eu").is_empty());
    assert!(
        f.eu.store()
            .get(Kind::Pod, &("demo".into(), "only-in-eu".into()))
            .is_none(),
        "deleted in eu"
    );
    for (sim, own) in [(&f.us, "only-in-us"), (&f.ap, "only-in-ap")] {
        let key = ("demo".into(), own.into());
        assert!(
            sim.store().get(Kind::Pod, &key).is_some(),
            "{own} untouched"
        );
    }
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn the_contexts_view_marks_several_with_space_and_ctx_names_a_list() {
    let f = fleet();
    let mut t = start(&f, &["eu"]);
    let screen = t.wait_for("only-in-eu");
    assert!(
        !screen.contains("CLUSTER"),
        "one cluster, no CLUSTER column: {screen}"
    );
    // `:ctx eu,us`.
    t.send(":ctx eu,us\r");
    let screen = t.wait_until("both", |s| {
        s.contains("only-in-eu") && s.contains("only-in-us")
    });
    assert!(screen.contains("CLUSTER"), "{screen}");
    // The contexts view: Space marks, Enter shows the marked ones.
    t.send(":ctx\r");
    t.wait_for("(current)");
    t.send("/ap\r");
    t.wait_until("ap selected", |s| !s.contains("us (current)"));
    t.send(" ");
    t.wait_for("[1 marked]");
    t.send("/\r");
    t.send("/^us\r");
    t.wait_for("/^us");
    t.send(" ");
    t.send("/\r");
    t.wait_for("[2 marked]");
    t.send("\r");
    let screen = t.wait_until("us and ap", |s| {
        s.contains("only-in-us")
            && bar(s).contains("ap: pods forbidden")
            && !s.contains("only-in-eu")
    });
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|l| l.contains("ap, us") || l.contains("us, ap")),
        "{screen}"
    );
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// A SOCKS5 proxy (no authentication, CONNECT only) counting the connections it carried.
fn socks5_proxy() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::net::{Ipv4Addr, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    let carried = std::sync::Arc::new(AtomicUsize::new(0));
    let count = carried.clone();
    let serve = move |mut client: TcpStream| -> std::io::Result<()> {
        let mut head = [0u8; 2];
        client.read_exact(&mut head)?;
        let mut methods = vec![0u8; usize::from(head[1])];
        client.read_exact(&mut methods)?;
        client.write_all(&[5, 0])?;
        let mut req = [0u8; 4];
        client.read_exact(&mut req)?;
        let host = match req[3] {
            1 => {
                let mut ip = [0u8; 4];
                client.read_exact(&mut ip)?;
                Ipv4Addr::from(ip).to_string()
            }
            3 => {
                let mut len = [0u8; 1];
                client.read_exact(&mut len)?;
                let mut name = vec![0u8; usize::from(len[0])];
                client.read_exact(&mut name)?;
                String::from_utf8_lossy(&name).into_owned()
            }
            _ => return Ok(()),
        };
        let mut port = [0u8; 2];
        client.read_exact(&mut port)?;
        let target = format!("{host}:{}", u16::from_be_bytes(port));
        let upstream = TcpStream::connect(target)?;
        client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0])?;
        count.fetch_add(1, Ordering::SeqCst);
        let (mut c2, mut u2) = (client.try_clone()?, upstream.try_clone()?);
        std::thread::spawn(move || std::io::copy(&mut u2, &mut c2));
        let mut upstream = upstream;
        std::io::copy(&mut client, &mut upstream)?;
        Ok(())
    };
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            let serve = serve.clone();
            std::thread::spawn(move || serve(client));
        }
    });
    (port, carried)
}

/// A user entry whose token comes from an exec plugin printing `token`.
fn exec_user(token: &str) -> Value {
    let credential = json!({
        "apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
        "status": {"token": token}
    });
    json!({"exec": {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "command": "/bin/sh",
        "args": ["-c", format!("echo '{credential}'")],
        "interactiveMode": "Never"
    }})
}

#[test]
fn each_context_keeps_its_own_exec_plugin_and_proxy() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // Each simulator accepts only its own token.
    let sim_with = |token: &str| kubedeck_sim::SimOptions {
        token: Some(token.into()),
        ..common::frozen(4)
    };
    let (eu, us) = rt.block_on(async {
        (
            common::start(sim_with("token-eu")).await,
            common::start(sim_with("token-us")).await,
        )
    });
    eu.store().put(Kind::Pod, pod("only-in-eu"));
    let mut in_ci = pod("only-in-us");
    in_ci["metadata"]["namespace"] = json!("ci");
    us.store().put(Kind::Pod, in_ci);
    let (proxy_port, carried) = socks5_proxy();
    let mut kc = kubedeck_sim::kubeconfig_of(&[("eu", &eu), ("us", &us)]);
    kc["users"][0]["user"] = exec_user("token-eu");
    kc["users"][1]["user"] = exec_user("token-us");
    // us is reached through a SOCKS5 proxy, as a jump host reaches a private API server.
    kc["clusters"][1]["cluster"]["proxy-url"] = json!(format!("socks5://127.0.0.1:{proxy_port}"));
    // Each context its own namespace: no -n, so each cluster shows its context's.
    kc["contexts"][0]["context"]["namespace"] = json!("demo");
    kc["contexts"][1]["context"]["namespace"] = json!("ci");
    let path = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    std::fs::write(&path, kc.to_string()).unwrap();
    let mut t = Term::with_kubeconfig(&path, &["--context", "eu", "--context", "us"], 200, 45);
    let screen = t.wait_until("both clusters live", |s| {
        s.contains("only-in-eu")
            && s.contains("only-in-us")
            && bar(s).contains("eu: live")
            && bar(s).contains("us: live")
    });
    assert_eq!(cluster_of(&screen, "only-in-us"), "us", "{screen}");
    // CLUSTER, NAMESPACE, NAME...: eu's rows are all in demo, us's all in ci.
    let rows: Vec<Vec<&str>> = screen
        .lines()
        .map(|l| {
            l.trim_start_matches('│')
                .split_whitespace()
                .collect::<Vec<_>>()
        })
        .filter(|w| matches!(w.first(), Some(&"eu" | &"us")))
        .collect();
    assert!(rows.len() > 2, "{screen}");
    for r in &rows {
        let want = if r[0] == "eu" { "demo" } else { "ci" };
        assert_eq!(r.get(1), Some(&want), "{r:?} in {screen}");
    }
    assert!(screen.contains("ns: each context's"), "{screen}");
    assert!(
        carried.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "us's requests went through its proxy"
    );
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_slow_cluster_does_not_hold_back_the_others() {
    let f = fleet();
    // Every answer from us takes seconds: eu (and ap's verdict) arrive meanwhile.
    f.us.faults().set_latency(Duration::from_secs(8));
    let mut t = start(&f, &["eu", "us"]);
    let screen = t.wait_until("eu live while us still syncing", |s| {
        bar(s).contains("eu: live") && bar(s).contains("us: syncing")
    });
    assert!(screen.contains("only-in-eu"), "{screen}");
    assert!(!screen.contains("only-in-us"), "{screen}");
    f.us.faults().set_latency(Duration::ZERO);
    t.wait_until("us live too", |s| {
        bar(s).contains("us: live") && s.contains("only-in-us")
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// The debug picker marks what a pod's namespace's Pod Security refuses in the pod's own
/// cluster: us enforces baseline in demo, eu does not (before, only the first cluster's
/// namespaces were read, and us's pods got no marks).
#[test]
fn the_debug_picker_reads_pod_security_in_the_pods_own_cluster() {
    let f = fleet();
    let key = (String::new(), "demo".to_string());
    let mut demo = (*f.us.store().get(Kind::Namespace, &key).expect("demo in us")).clone();
    demo["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] = "baseline".into();
    f.us.store().put(Kind::Namespace, demo);
    let mut t = start(&f, &["eu", "us"]);
    t.wait_until("both clusters' pods", |s| {
        s.contains("only-in-eu") && s.contains("only-in-us")
    });
    let marked = "(Pod Security baseline refuses it: adds NET_ADMIN, NET_RAW)";
    t.send("/only-in-us\r");
    t.wait_until("only us's pod", |s| !s.contains("only-in-eu"));
    t.send("D");
    t.wait_for(marked);
    t.send("\x1b");
    t.wait_gone("debug only-in-us with");
    t.send("\x1b/only-in-eu\r");
    t.wait_until("only eu's pod", |s| !s.contains("only-in-us"));
    t.send("D");
    let screen = t.wait_for("debug only-in-eu with");
    assert!(!screen.contains("refuses it"), "{screen}");
}
