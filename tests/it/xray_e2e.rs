//! `:xray` end to end against the simulator: a Deployment's tree (its ReplicaSets by
//! revision, their pods, a pod's containers), folding with l, h and Enter, the tree following
//! the cluster (a pod deleted there leaves it), acting on a node (describe, delete), and the
//! other roots: a StatefulSet, a Service with its EndpointSlice, a pod with what it uses.

use crate::common;

use common::term::{Term, highlighted_row, rows};
use common::world;
use kubedeck_sim::Kind;
use serde_json::Value;

/// A Deployment in `demo` whose newest ReplicaSet has a pod: (deployment, rs, pod).
fn a_deployment_with_a_pod(w: &common::World) -> (String, String, String) {
    let store = w.sim.store();
    let name = |o: &Value| {
        o["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let uid = |o: &Value| {
        o["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let owned_by = |o: &Value, owner: &Value| {
        o["metadata"]["namespace"] == "demo"
            && o["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r["uid"].as_str() == Some(uid(owner).as_str()))
    };
    let sets = store.snapshot(Kind::ReplicaSet).items;
    let pods = store.snapshot(Kind::Pod).items;
    for d in store.snapshot(Kind::Deployment).items {
        if d["metadata"]["namespace"] != "demo" {
            continue;
        }
        let newest = sets.iter().filter(|rs| owned_by(rs, &d)).max_by_key(|rs| {
            rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
                .as_str()
                .and_then(|r| r.parse::<i64>().ok())
        });
        if let Some(rs) = newest
            && let Some(p) = pods.iter().find(|p| owned_by(p, rs))
        {
            return (name(&d), name(rs), name(p));
        }
    }
    panic!("no Deployment in demo with a pod");
}

/// The index of the first table row containing `text`.
fn row_of(screen: &str, text: &str) -> usize {
    rows(screen)
        .iter()
        .position(|r| r.contains(text))
        .unwrap_or_else(|| panic!("no row with {text}:\n{screen}"))
}

#[test]
fn a_deployments_tree_folds_follows_the_cluster_and_acts_on_a_node() {
    let w = world(common::frozen(120));
    let (deploy, rs, pod) = a_deployment_with_a_pod(&w);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    t.send(":xray deploy\r");
    let screen = t.wait_until("the deployment's tree", |s| {
        s.contains(&format!("▾ demo/{deploy} ")) && s.contains(&pod)
    });
    // The ReplicaSet under its Deployment with its revision, the pod under it, closed.
    let rs_row = &rows(&screen)[row_of(&screen, &format!("▾ {rs} "))];
    assert!(
        rs_row.contains("ReplicaSet") && rs_row.contains("revision "),
        "{rs_row}"
    );
    let pod_at = row_of(&screen, &pod);
    assert!(
        rows(&screen)[pod_at].contains(&format!("▸ {pod}")),
        "{screen}"
    );
    assert!(row_of(&screen, &format!("▾ {rs} ")) < pod_at);

    // l opens the pod: its container, with its image; h closes it; h again goes to the set.
    t.send(&"j".repeat(pod_at));
    t.send("l");
    let screen = t.wait_until("the pod's container", |s| {
        s.contains(&format!("▾ {pod}")) && s.contains("Container")
    });
    let image = w
        .sim
        .store()
        .get(Kind::Pod, &("demo".to_string(), pod.clone()))
        .and_then(|p| {
            p["spec"]["containers"][0]["image"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_default();
    let container = &rows(&screen)[pod_at + 1];
    assert!(
        container.contains("Container") && container.contains(&image),
        "{container}"
    );
    t.send("h");
    t.wait_until("the pod closed", |s| {
        s.contains(&format!("▸ {pod}")) && !s.contains("Container")
    });
    t.send("h");
    t.wait_screen("the cursor on the ReplicaSet", |s| {
        highlighted_row(s, 5).is_some_and(|r| r.contains(&rs) && r.contains("ReplicaSet"))
    });

    // The tree follows the cluster: a pod gone there leaves it.
    let gone = w
        .sim
        .store()
        .remove(Kind::Pod, &("demo".to_string(), pod.clone()));
    assert!(gone.is_some());
    t.wait_gone(&pod);

    // d on the Deployment describes it; Ctrl-d on a pod deletes that pod after asking.
    t.send("g");
    t.send(&"j".repeat(row_of(&t.contents(), &format!("demo/{deploy} "))));
    t.send("d");
    t.wait_for(&format!("describe {deploy}"));
    t.wait_for("Replicas:");
}

#[test]
fn sets_services_and_pods_show_what_they_hold_and_use() {
    let w = world(common::frozen(120));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    // A StatefulSet and its two pods.
    t.send(":xray sts\r");
    let screen = t.wait_until("the set's pods", |s| {
        s.contains("▸ db-0") && s.contains("▸ db-1")
    });
    assert!(rows(&screen)[0].contains("▾ demo/db") && rows(&screen)[0].contains("2/2 ready"));
    // From pods, what each uses, open at once.
    t.send(":xray po /db-0\r");
    let screen = t.wait_until("db-0 and what it uses", |s| s.contains("db-config"));
    for (name, kind, how) in [
        ("postgres", "Container", "postgres:16.4"),
        ("db-config", "ConfigMap", "volume"),
        ("db ", "Secret", "envFrom"),
        ("data-db-0", "PVC", "volume"),
        ("default", "ServiceAccount", "runs as"),
    ] {
        let row = &rows(&screen)[row_of(&screen, name)];
        assert!(row.contains(kind) && row.contains(how), "{row}");
    }
    // A Service: the pods its selector picks and its EndpointSlice.
    t.send(":xray svc\r");
    let screen = t.wait_until("a service's slice", |s| s.contains("EndpointSlice"));
    assert!(screen.contains("endpoints ready"), "{screen}");
    // A kind it does not start from is said.
    t.send(":xray ingress\r");
    t.wait_for("trees start from deploy, sts, ds, job, cj, svc, po");
}

#[test]
fn deleting_from_the_tree_asks_and_deletes_the_pod_under_the_cursor() {
    let w = world(common::frozen(120));
    let (_, _, pod) = a_deployment_with_a_pod(&w);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    t.send(&format!(":xray po /{pod}\r"));
    let screen = t.wait_until("the pod's tree", |s| s.contains(&format!("▾ demo/{pod}")));
    // On its container: not deletable, said.
    t.send("j");
    t.send("\x04");
    t.wait_for("a container cannot be deleted: select its pod");
    assert!(screen.contains("Container"));
    t.send("k");
    t.send("\x04");
    t.wait_for(&format!("Delete pod/demo/{pod}"));
    t.send("y");
    let key = ("demo".to_string(), pod.clone());
    w.rt.block_on(common::eventually(
        "the pod deleted in the simulator",
        std::time::Duration::from_secs(15),
        || {
            w.sim
                .store()
                .get(Kind::Pod, &key)
                .is_none_or(|p| !p["metadata"]["deletionTimestamp"].is_null())
        },
    ));
}
