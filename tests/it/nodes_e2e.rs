//! Node pressure end to end: the real binary in a PTY against the simulator's nodes, pods and
//! metrics.k8s.io.

use crate::common;

use common::term::Term;
use common::world;
use jiff::Timestamp;
use kubedeck_sim::Kind;
use kubedeck_sim::model::node_conditions;
use serde_json::json;

/// A pod on `node` asking for 100m CPU and `memory` (limited to that when `limits`).
fn pod_on(node: &str, name: &str, memory: &str, limits: bool) -> common::pods::TestPod {
    common::pods::pod("demo", name)
        .node(node)
        .image("app:1")
        .memory(memory, limits)
        .started_secs_ago(600)
}

/// The screen row (0-based) whose text contains `text`.
fn row_of(t: &Term, text: &str) -> Option<u16> {
    t.contents()
        .lines()
        .position(|l| l.contains(text))
        .and_then(|r| u16::try_from(r).ok())
}

#[test]
fn a_node_under_pressure_stands_out_and_its_hog_is_listed_first() {
    let w = world(common::frozen(10));
    let store = w.sim.store();
    let node = "worker-01";
    store.update(Kind::Node, &(String::new(), node.into()), |n| {
        n["status"]["conditions"] = node_conditions(Timestamp::now(), true);
        true
    });
    store.put(Kind::Pod, pod_on(node, "small-a", "64Mi", true).json());
    store.put(Kind::Pod, pod_on(node, "memory-hog", "6Gi", false).json());
    store.put(Kind::Pod, pod_on(node, "small-b", "128Mi", true).json());
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "nodes"], 170, 40);
    t.wait_until("the node's pressure", |s| {
        s.lines().any(|l| l.contains(node) && l.contains("Memory"))
    });
    // Usage arrives from metrics.k8s.io.
    t.wait_until("usage gauges", |s| {
        s.lines()
            .any(|l| l.contains(node) && l.contains('%') && l.contains('█'))
    });
    let screen = t.wait_screen("the pressured row in the warning colour", |s| {
        let rows: Vec<String> = s.contents().lines().map(String::from).collect();
        let Some(r) = rows.iter().position(|l| l.contains(node)) else {
            return false;
        };
        // The name cell's colour differs from a calm node's (worker-02 has no pressure).
        let calm = rows.iter().position(|l| l.contains("worker-02"));
        let (Ok(r), Some(Ok(c))) = (u16::try_from(r), calm.map(u16::try_from)) else {
            return false;
        };
        s.cell(r, 3).map(|x| x.fgcolor()) != s.cell(c, 3).map(|x| x.fgcolor())
    });
    assert!(screen.contains("Memory"), "{screen}");
    assert!(row_of(&t, node).is_some_and(|r| r > 1));

    // Its detail: the pods on it, the hog first, flagged as having no limit.
    t.send(&format!("/{node}\r"));
    t.wait_for(&format!("/{node}"));
    t.send("\r");
    t.wait_for(&format!("node/{node}"));
    let screen = t.wait_until("the hog on top", |s| {
        let first = s
            .lines()
            .skip_while(|l| !l.contains("NAMESPACE"))
            .nth(1)
            .unwrap_or_default();
        first.contains("memory-hog")
    });
    let hog = screen
        .lines()
        .find(|l| l.contains("memory-hog"))
        .unwrap_or_default();
    assert!(hog.contains("6Gi/∞"), "no limit is flagged: {hog}");
    assert!(hog.contains("Burstable"), "{hog}");
}

#[test]
fn without_metrics_the_view_says_so_and_still_works() {
    let w = world(common::frozen(10));
    w.sim.faults().set_metrics_enabled(false);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "nodes"], 170, 40);
    t.wait_for("usage unavailable: metrics.k8s.io not served");
    // Requests still show once the pods are counted (before that they are
    // honestly 0%); usage (CPU, MEM: the columns after STATUS) is a dash.
    let screen = t.wait_until("worker-01 with its pods counted", |s| {
        s.lines()
            .find(|l| l.contains("worker-01"))
            .is_some_and(|l| !l.contains(" 0/"))
    });
    let line = screen
        .lines()
        .find(|l| l.contains("worker-01"))
        .unwrap_or_default();
    let cells: Vec<&str> = line.trim_matches('│').split_whitespace().collect();
    assert_eq!(
        cells.get(2..4),
        Some(&["-", "-"][..]),
        "usage is not shown as zero: {line}"
    );
    assert!(
        cells.get(4).is_some_and(|r| r.ends_with('%') && *r != "0%"),
        "requests still show: {line}"
    );
    t.send(":po\r");
    t.wait_for("pods(all)");
    t.wait_for("usage unavailable");
}

#[test]
fn cordon_and_uncordon_in_the_ui() {
    let w = world(common::frozen(10));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "nodes"], 170, 40);
    t.wait_for("worker-02");
    t.send("/worker-02\r");
    t.wait_for("/worker-02");
    t.send("C");
    t.wait_for("Cordon node/worker-02?");
    t.send("y");
    t.wait_for("Ready,SchedulingDisabled");
    let node = w
        .sim
        .store()
        .get(Kind::Node, &(String::new(), "worker-02".into()))
        .expect("node gone");
    assert_eq!(node["spec"]["unschedulable"], true);
    t.send("U");
    t.wait_for("Uncordon node/worker-02?");
    t.send("y");
    t.wait_gone("SchedulingDisabled");
}

#[test]
fn read_only_refuses_cordon() {
    let w = world(common::frozen(10));
    let mut t = Term::with_kubeconfig(
        &w.kubeconfig,
        &["-A", "--view", "nodes", "--readonly"],
        170,
        40,
    );
    t.wait_for("worker-02");
    t.send("C");
    t.wait_for("read-only mode");
    let node = w
        .sim
        .store()
        .get(Kind::Node, &(String::new(), "worker-02".into()))
        .expect("node gone");
    assert!(node["spec"]["unschedulable"].is_null());
}

#[test]
fn drain_previews_then_cordons_and_evicts_all_but_daemonsets() {
    let w = world(common::frozen(10));
    let store = w.sim.store();
    let node = "worker-02";
    store.put(
        Kind::Pod,
        pod_on(node, "drain-web", "64Mi", true)
            .owned_by("ReplicaSet")
            .json(),
    );
    store.put(
        Kind::Pod,
        pod_on(node, "drain-agent", "64Mi", true)
            .owned_by("DaemonSet")
            .json(),
    );
    // More pods than a one-line summary can name, one of them under a disruption budget.
    for i in 0..16 {
        store.put(
            Kind::Pod,
            pod_on(node, &format!("drain-many-{i:02}"), "16Mi", true)
                .owned_by("ReplicaSet")
                .json(),
        );
    }
    let guarded = pod_on(node, "drain-guarded", "16Mi", true).app("guarded");
    store.put(Kind::Pod, guarded.json());
    store.put(
        Kind::PodDisruptionBudget,
        json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
               "metadata": {"name": "guarded-pdb", "namespace": "demo", "uid": "pdb-1"},
               "spec": {"minAvailable": 0, "selector": {"matchLabels": {"app": "guarded"}}},
               "status": {"disruptionsAllowed": 1, "currentHealthy": 1, "desiredHealthy": 0, "expectedPods": 1}}),
    );
    let total = store.count(Kind::Pod);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "nodes"], 170, 30);
    t.wait_for(node);
    // The plan is made from the pods listed: every one of them, first.
    t.wait_for(&format!("pods {total} "));
    t.send(&format!("/{node}\r"));
    t.wait_for(&format!("/{node}"));
    t.send(":drain\r");
    // Every pod is listed with its owner and budget (the summary used to name 5 and "12 more").
    let preview = t.wait_until("the preview with the budgets read", |s| {
        s.contains(&format!("Drain node/{node} (context kubedeck-sim)?"))
            && s.contains("demo/drain-guarded")
            && s.contains("PDB guarded-pdb (1 allowed)")
    });
    let first = preview
        .lines()
        .find(|l| l.contains("demo/drain-many-00"))
        .unwrap_or_else(|| panic!("{preview}"));
    assert!(
        first.contains("ReplicaSet/owner") && first.contains("no PDB"),
        "{first}"
    );
    assert!(!preview.contains("more?"), "{preview}");
    // Scrolled to its end: the last pods and those that stay.
    t.send(&"j".repeat(40));
    let end = t.wait_until("the end of the preview", |s| s.contains("pod(s) stay:"));
    assert!(
        end.contains("demo/drain-web") || end.contains("drain-many-15"),
        "{end}"
    );
    assert!(
        end.contains("DaemonSet: its controller would recreate it"),
        "{end}"
    );
    t.send("y");
    t.wait_for(&format!("drained node/{node}"));
    t.wait_for("SchedulingDisabled");
    let web = store.get(Kind::Pod, &("demo".into(), "drain-web".into()));
    assert!(
        web.is_none_or(|p| !p["metadata"]["deletionTimestamp"].is_null()),
        "the ReplicaSet pod is evicted"
    );
    let agent = store
        .get(Kind::Pod, &("demo".into(), "drain-agent".into()))
        .expect("the DaemonSet pod stays");
    assert!(agent["metadata"]["deletionTimestamp"].is_null());
}

/// Started on the pods table, the rows on screen get their usage (the first frame says which
/// namespaces are shown and the poller lists those at once): a running pod's CPU and MEM
/// cells hold amounts, not `-`.
#[test]
fn the_pods_on_screen_get_their_usage_from_the_start() {
    let w = world(common::frozen(12));
    let running: Vec<String> = w
        .sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .filter(|p| p["status"]["phase"] == "Running")
        .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
        .collect();
    let pod = running
        .first()
        .expect("the world has a running pod")
        .clone();
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "pods"], 200, 45);
    // CPU then MEM, as amounts: `26m  440Mi` (the R/L columns hold a '/').
    let usage = regex::Regex::new(r"\s\d+m\s+\d+(Ki|Mi|Gi)\s").unwrap();
    let screen = t.wait_until("the pod's usage", |s| {
        s.lines().any(|l| l.contains(&pod) && usage.is_match(l))
    });
    assert!(!screen.contains("usage unavailable"), "{screen}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}
