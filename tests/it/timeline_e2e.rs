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
    let segment = dirs[0].join("00000001.jsonl.gz");
    assert_eq!(mode(&segment), 0o600);
    let text: String = kubedeck::journal::lines(&segment)
        .unwrap()
        .collect::<Vec<_>>()
        .join("\n");
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

/// Wait until a journal under `data` holds `text` (it is flushed every 200 ms).
fn journal_holds(data: &std::path::Path, text: &str) {
    let root = data.join("kubedeck/journal");
    let deadline = std::time::Instant::now() + common::term::DEADLINE;
    loop {
        let found = std::fs::read_dir(&root)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .flat_map(|d| kubedeck::journal::segments(&d.path()))
            .any(|(_, path, _)| {
                kubedeck::journal::lines(&path).is_ok_and(|mut l| l.any(|l| l.contains(text)))
            });
        if found {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the journal never held {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// A workload of the simulator's (namespace, name).
fn a_deployment(w: &common::World) -> (String, String) {
    w.sim
        .store()
        .snapshot(Kind::Deployment)
        .items
        .iter()
        .map(|d| kubedeck_sim::store::key_of(d))
        .next()
        .expect("a deployment")
}

/// What an SRE does with kubectl (a delete, a scale, an image change, a cordon) is on the
/// timeline as it happens, each with what changed.
#[test]
fn kubectl_deletes_scales_image_changes_and_cordons_are_on_the_timeline() {
    let w = world(common::frozen(10));
    let data = tempfile::tempdir().unwrap();
    let mut t = start(&w, data.path());
    t.send(":timeline\r");
    t.wait_for("kubedeck started watching");
    let (dns, deploy) = a_deployment(&w);
    let (pns, pod) = a_pod(&w);
    let kc = &w.kubeconfig;
    let run = |args: &[&str]| {
        let (ok, out, err) = common::kubectl(kc, args);
        assert!(ok, "kubectl {args:?}: {out}{err}");
    };
    run(&[
        "-n",
        &dns,
        "scale",
        &format!("deploy/{deploy}"),
        "--replicas=7",
    ]);
    let container = w
        .sim
        .store()
        .get(Kind::Deployment, &(dns.clone(), deploy.clone()))
        .and_then(|d| {
            d["spec"]["template"]["spec"]["containers"][0]["name"]
                .as_str()
                .map(str::to_string)
        })
        .expect("a container");
    run(&[
        "-n",
        &dns,
        "set",
        "image",
        &format!("deploy/{deploy}"),
        &format!("{container}=registry.example/new:2.0"),
    ]);
    run(&["cordon", "worker-02"]);
    run(&["-n", &pns, "delete", "pod", &pod, "--wait=false"]);
    let object = format!("deployment/{dns}/{deploy}");
    let screen = t.wait_until("the four changes", |s| {
        s.lines()
            .any(|l| l.contains(&object) && l.contains("scaled") && l.contains("→ 7"))
            && s.lines().any(|l| {
                l.contains(&object)
                    && l.contains("rollout")
                    && l.contains("→ registry.example/new:2.0")
            })
            && s.lines()
                .any(|l| l.contains("node/worker-02") && l.contains("cordoned"))
            && s.lines()
                .any(|l| l.contains(&format!("pod/{pns}/{pod}")) && l.contains("deleted"))
    });
    // The rollout is told once, not once for the template and again for its revision.
    let rollouts = screen
        .lines()
        .filter(|l| l.contains(&object) && l.contains(" rollout "))
        .count();
    assert_eq!(rollouts, 1, "{screen}");
    // Saved for a postmortem, whole: JSON lines with the full time and the cluster.
    t.send(":export jsonl\r");
    t.wait_for("saved");
    let tables = data.path().join("kubedeck/tables");
    let saved = std::fs::read_dir(&tables)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().ends_with(".jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .expect("the export");
    let scaled: serde_json::Value = saved
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["change"] == "scaled" && v["name"] == deploy.as_str())
        .expect("the scale in the export");
    assert_eq!(scaled["kind"], "deployment");
    assert!(
        scaled["at"].as_str().is_some_and(|t| t.contains('T')),
        "{scaled}"
    );
    assert!(scaled["cluster"].is_string(), "{scaled}");
}

/// Killed outright and started again `--at` a moment before a deletion: the deleted pod is
/// there with its status then, under the banner; `:at now` returns; the timeline still has
/// the first run's changes and says where nothing watched; `:diff` says the pod went.
#[test]
fn after_a_sigkill_at_shows_a_deleted_pod_as_it_was_and_the_gap_is_said() {
    let w = world(common::frozen(10));
    let data = tempfile::tempdir().unwrap();
    let (ns, pod) = a_pod(&w);
    let before = {
        let mut t = start(&w, data.path());
        t.wait_until("the pod listed", |s| s.contains(&pod));
        // Listed (and so recorded) by now; deleted after.
        let before = jiff::Timestamp::now();
        let (ok, _, err) = common::kubectl(
            &w.kubeconfig,
            &["-n", &ns, "delete", "pod", &pod, "--wait=false"],
        );
        assert!(ok, "{err}");
        t.send(":tl\r");
        t.wait_until("the deletion", |s| {
            s.lines()
                .any(|l| l.contains(&format!("pod/{ns}/{pod}")) && l.contains("deleted"))
        });
        // On disk (the writer flushes every 200 ms) before the kill.
        journal_holds(
            data.path(),
            &format!("\"name\":\"{pod}\",\"change\":\"deleted\""),
        );
        let pid = t.pid().expect("kubedeck's pid");
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        assert!(killed);
        t.wait_exit();
        before
    };
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let at = before.to_string();
    let env = data.path().to_string_lossy().to_string();
    let mut t = Term::spawn(
        &["--kubeconfig", &kc, "-A", "--at", &at],
        200,
        45,
        &[("XDG_DATA_HOME", &env)],
    );
    let screen = t.wait_until("the pod as it was", |s| {
        s.contains("AS OF") && s.lines().any(|l| l.contains(&pod) && l.contains("Running"))
    });
    assert!(screen.contains("read-only"), "{screen}");
    // Nothing acts on the past.
    t.send("/");
    t.send(&pod);
    t.send("\r");
    t.wait_for("[1/");
    t.send("\x04");
    t.wait_for("read-only, nothing acts on the past");
    assert!(
        w.sim
            .store()
            .get(Kind::Pod, &(ns.clone(), pod.clone()))
            .is_none(),
        "gone in the cluster, as before"
    );
    // What changed in it since then.
    t.send(&format!(":diff po/{ns}/{pod} {at}\r"));
    t.wait_for("(deleted since)");
    t.send(":at now\r");
    t.wait_for("back to now: live");
    t.wait_gone("AS OF");
    t.send(":tl\r");
    t.wait_until("the first run's deletion and the gap", |s| {
        s.lines()
            .any(|l| l.contains(&format!("pod/{ns}/{pod}")) && l.contains("deleted"))
            && s.contains("not watching since")
    });
}

/// A journal on a disk that fills (a tiny tmpfs): the recorder turns off with one message;
/// the tables and the timeline go on.
#[test]
#[cfg_attr(
    not(as_root),
    ignore = "needs root (mounts a tiny tmpfs for the journal): run as root, as .ci/run does"
)]
fn a_full_disk_turns_the_recorder_off_and_nothing_else_breaks() {
    struct Mounted(std::path::PathBuf);
    impl Drop for Mounted {
        fn drop(&mut self) {
            let _ = std::process::Command::new("umount").arg(&self.0).status();
        }
    }
    let w = world(common::frozen(300));
    let data = tempfile::tempdir().unwrap();
    let journal = data.path().join("kubedeck/journal");
    std::fs::create_dir_all(&journal).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4k", "tmpfs"])
        .arg(&journal)
        .status()
        .is_ok_and(|s| s.success());
    assert!(mounted, "mount a tmpfs at {}", journal.display());
    let _guard = Mounted(journal.clone());
    let mut t = start(&w, data.path());
    t.wait_for("the flight recorder is off");
    let screen = t.wait_for("No space left on device");
    assert!(screen.contains("pods(all)"), "{screen}");
    let (ns, pod) = a_pod(&w);
    w.sim.store().remove(Kind::Pod, &(ns.clone(), pod.clone()));
    t.wait_gone(&pod);
    t.send(":timeline\r");
    t.wait_until("the deletion, in memory", |s| {
        s.contains(&format!("pod/{ns}/{pod}")) && s.contains("deleted")
    });
}
