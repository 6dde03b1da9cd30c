//! `:timeline` end to end: changes made in the simulator (a container restarted after an OOM
//! kill, a node under memory pressure and cordoned, a pod deleted) appear as the informers see
//! them, newest first, filtered by `/kind=`, and `w` keeps what needs attention; `Enter` on a
//! deleted pod says it is gone. The flight recorder: what one run saw is there after a
//! restart, with the gap said, in private files; a journal that cannot be written turns the
//! recorder off with one message and the timeline goes on in memory.

use crate::common;

use common::term::{Term, rows};
use common::world;
use kubedeck_sim::Kind;
use serde_json::json;

fn start(w: &common::World, data: &std::path::Path) -> Term {
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let data = data.to_string_lossy().to_string();
    let t = Term::spawn(
        &["--kubeconfig", &kc, "-A", "--view", "pods"],
        200,
        45,
        &[("XDG_DATA_HOME", &data)],
    );
    t.wait_for("pods(all)");
    t
}

fn a_pod(w: &common::World) -> (String, String) {
    w.sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .find(|p| p["status"]["phase"] == "Running")
        .map(|p| kubedeck_sim::store::key_of(p))
        .expect("a running pod")
}

#[test]
fn restarts_pressure_cordons_and_deletions_are_on_the_timeline() {
    let w = world(common::frozen(10));
    let data = tempfile::tempdir().unwrap();
    let mut t = start(&w, data.path());
    t.send(":timeline\r");
    t.wait_for("timeline(all)");
    t.wait_for("kubedeck started watching");
    let store = w.sim.store();
    // A container killed for its memory, restarted.
    let (ns, pod) = a_pod(&w);
    store.update(Kind::Pod, &(ns.clone(), pod.clone()), |p| {
        let c = &mut p["status"]["containerStatuses"][0];
        c["restartCount"] = json!(c["restartCount"].as_i64().unwrap_or(0) + 1);
        c["lastState"] = json!({"terminated": {"reason": "OOMKilled", "exitCode": 137,
            "startedAt": "2026-12-06T00:00:00Z", "finishedAt": "2026-12-06T00:01:00Z"}});
        true
    });
    t.wait_until("the restart", |s| {
        s.lines().any(|l| {
            l.contains(&format!("pod/{ns}/{pod}"))
                && l.contains("restarted")
                && l.contains("OOMKilled, exit code 137")
        })
    });
    // A node under memory pressure, then cordoned.
    let node = ("".to_string(), "worker-01".to_string());
    store.update(Kind::Node, &node, |n| {
        for c in n["status"]["conditions"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if c["type"] == "MemoryPressure" {
                c["status"] = json!("True");
            }
        }
        n["spec"]["unschedulable"] = json!(true);
        true
    });
    t.wait_until("the node's changes", |s| {
        s.contains("MemoryPressure: False → True") && s.contains("cordoned")
    });
    // A pod deleted.
    store.remove(Kind::Pod, &(ns.clone(), pod.clone()));
    let screen = t.wait_until("the deletion", |s| {
        s.lines()
            .any(|l| l.contains(&format!("pod/{ns}/{pod}")) && l.contains("deleted"))
    });
    // Newest first: the deletion is the first row.
    assert!(rows(&screen)[0].contains("deleted"), "{screen}");
    // Enter on it: gone.
    t.send("g");
    t.send("\r");
    t.wait_for(&format!("pod/{ns}/{pod} is gone"));
    // Only the node's.
    t.send("/kind=node\r");
    let screen = t.wait_until("the node's rows only", |s| {
        rows(s).iter().all(|r| r.contains("node/worker-01")) && s.contains("cordoned")
    });
    assert!(!screen.contains("restarted"), "{screen}");
    t.send("\x1b");
    t.wait_gone("kind=node");
    // What needs attention: the restart, the pressure and the cordon; not the start marker.
    t.send("w");
    let screen = t.wait_until("attention only", |s| !s.contains("started watching"));
    assert!(
        screen.contains("restarted") && screen.contains("cordoned"),
        "{screen}"
    );
}

#[test]
fn the_journal_keeps_what_was_seen_across_a_restart_and_says_the_gap() {
    let w = world(common::frozen(10));
    let data = tempfile::tempdir().unwrap();
    let (ns, pod) = a_pod(&w);
    {
        let mut t = start(&w, data.path());
        t.send(":tl\r");
        t.wait_for("kubedeck started watching");
        w.sim.store().remove(Kind::Pod, &(ns.clone(), pod.clone()));
        t.wait_until("the deletion", |s| s.contains(&format!("pod/{ns}/{pod}")));
        t.send(":q\r");
        assert_eq!(t.wait_exit(), 0);
    }
    // The journal: private, one per cluster.
    let root = data.path().join("kubedeck/journal");
    let dirs: Vec<std::path::PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dirs[0]), 0o700);
    let segment = dirs[0].join("00000001.jsonl");
    assert_eq!(mode(&segment), 0o600);
    let text = std::fs::read_to_string(&segment).unwrap();
    assert!(
        text.contains(&format!("\"name\":\"{pod}\"")) && text.contains("\"deleted\""),
        "{text}"
    );

    // Started again: what the first run saw is there, and this start says the gap.
    let mut t = start(&w, data.path());
    t.send(":timeline\r");
    let screen = t.wait_until("the earlier deletion and the gap", |s| {
        s.contains(&format!("pod/{ns}/{pod}")) && s.contains("not watching since")
    });
    assert!(screen.contains("deleted"), "{screen}");
}

#[test]
fn a_journal_that_cannot_be_written_turns_the_recorder_off_and_the_timeline_goes_on() {
    let w = world(common::frozen(10));
    let data = tempfile::tempdir().unwrap();
    // Where the journals would go is a file: no directory can be made there.
    std::fs::create_dir_all(data.path().join("kubedeck")).unwrap();
    std::fs::write(data.path().join("kubedeck/journal"), "not a directory").unwrap();
    let mut t = start(&w, data.path());
    t.wait_for("the flight recorder is off");
    let (ns, pod) = a_pod(&w);
    w.sim.store().remove(Kind::Pod, &(ns.clone(), pod.clone()));
    t.send(":timeline\r");
    t.wait_until("the deletion, in memory", |s| {
        s.contains(&format!("pod/{ns}/{pod}")) && s.contains("deleted")
    });
}
