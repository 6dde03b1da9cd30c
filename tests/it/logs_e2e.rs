//! Log panes end to end: the real binary in a PTY, log streams from the simulator.

use crate::common;

use common::term::Term;
use common::world;
use jiff::{SignedDuration, Timestamp};
use kubedeck_sim::Kind;
use serde_json::{Value, json};

/// Open the logs of pod `name` (already in the demo namespace) from the pods view.
fn open_logs_of(t: &mut Term, name: &str) {
    t.wait_for(name);
    t.send(&format!("/{name}\r"));
    t.wait_for(&format!("/{name}"));
    t.send("l");
}

/// Save the pane with `S` (replacing the suggested path with a temporary one) and return the
/// file's text.
fn save(t: &mut Term) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.log");
    t.send("S");
    t.wait_for("save to: kubedeck-");
    t.send(&"\u{7f}".repeat(120));
    t.wait_until("the prompt emptied", |s| s.contains("save to: █"));
    t.send(&format!("{}\r", path.to_string_lossy()));
    t.wait_for("saved ");
    std::fs::read_to_string(&path).unwrap()
}

fn step_numbers(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|l| l.split("step ").nth(1))
        .filter_map(|rest| rest.split(':').next())
        .filter_map(|n| n.parse().ok())
        .collect()
}

#[test]
fn single_pod_logs_follow_pause_search_and_save() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "logtest-one")
            .app("one")
            .logs("task")
            .containers(&["app"])
            .started_secs_ago(20)
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    open_logs_of(&mut t, "logtest-one");
    let screen = t.wait_until("lines and the follow marker", |s| {
        s.contains("logs logtest-one/app") && s.contains("[app] step") && s.contains("● following")
    });
    assert!(!screen.contains("choose"), "one container: no picker");

    // Pause: new lines are counted, not shown; G follows again.
    t.send("f");
    t.wait_until("the paused counter", |s| s.contains("new (G follows)"));
    t.send("G");
    t.wait_for("● following");

    // Search jumps to the newest match and pauses there.
    t.send("/step 1\r");
    let screen = t.wait_until("the search in the status", |s| s.contains("search step 1"));
    let cursor = screen.lines().find(|l| l.contains('›')).unwrap_or_default();
    assert!(
        cursor.contains("step 1"),
        "cursor on a match: {cursor}\n{screen}"
    );

    // Save what is shown.
    let saved = save(&mut t);
    let steps = step_numbers(&saved);
    assert!(steps.len() >= 40, "20 s at 400 ms a line: {saved}");
    assert!(
        steps.windows(2).all(|w| w[1] == w[0] + 1),
        "in order, none missing or twice: {steps:?}"
    );
    assert!(
        saved
            .lines()
            .all(|l| l.starts_with("2026-") || l.starts_with("20")),
        "timestamps first: {saved}"
    );
}

#[test]
fn all_containers_and_the_previous_instance_after_a_crash() {
    let w = world(common::frozen(10));
    let mut pod = common::pods::pod("demo", "logtest-two")
        .app("two")
        .logs("worker")
        .containers(&["app", "sidecar"])
        .started_secs_ago(30)
        .json();
    let before = Timestamp::now() - SignedDuration::from_secs(600);
    pod["status"]["containerStatuses"][0]["restartCount"] = json!(1);
    pod["status"]["containerStatuses"][0]["lastState"] = json!({"terminated": {
        "exitCode": 3, "reason": "Error",
        "startedAt": before.to_string(),
        "finishedAt": (before + SignedDuration::from_secs(60)).to_string()}});
    w.sim.store().put(Kind::Pod, pod);
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    open_logs_of(&mut t, "logtest-two");
    t.wait_until("the container picker", |s| {
        s.contains("sidecar") && s.contains("all containers")
    });
    t.send("a");
    t.wait_until("both containers' lines", |s| {
        s.contains("logs logtest-two (all containers)")
            && s.contains("2 streams")
            && s.contains(" app ")
            && s.contains(" sidecar ")
    });

    // The previous instance of each container: app's ended with code 3, sidecar never crashed.
    t.send("p");
    let screen = t.wait_until("the previous instance's last words", |s| {
        s.contains("fatal: exiting with code 3")
    });
    assert!(screen.contains("(previous)"), "{screen}");
    t.wait_for("logtest-two/sidecar: no previous instance");
    // Nothing more can arrive: the pane does not claim to follow.
    let screen = t.wait_for("■ previous instance");
    assert!(!screen.contains("● following"), "{screen}");
}

#[test]
fn label_selector_logs_follow_pods_that_come_and_go() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "sel-app-x2b4q")
            .app("sel")
            .logs("task")
            .containers(&["app"])
            .started_secs_ago(10)
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("sel-app-x2b4q");
    t.send(":logs -l app=sel\r");
    t.wait_until("the first pod's lines", |s| {
        s.contains("logs -l app=sel") && s.contains("x2b4q [app] step")
    });

    // A pod that appears later joins the stream with its own prefix.
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "sel-app-k7m9z")
            .app("sel")
            .logs("task")
            .containers(&["app"])
            .started_secs_ago(2)
            .json(),
    );
    t.wait_until("the new pod's lines", |s| {
        s.contains("k7m9z [app] step") && s.contains("2 streams")
    });

    // A pod that goes away is marked.
    w.sim.store().remove(
        Kind::Pod,
        &("demo".to_string(), "sel-app-x2b4q".to_string()),
    );
    t.wait_until("the gone marker", |s| {
        s.contains("pod sel-app-x2b4q is gone") && s.contains("1 gone")
    });
}

/// In all-namespaces mode a selector's pods are read in their own namespaces (each request
/// used to go to `/api/v1/pods/NAME/log`, a 404), and the same pod name in two namespaces is
/// two sources.
#[test]
fn label_selector_logs_in_all_namespaces_read_each_pod_in_its_namespace() {
    let w = world(common::frozen(10));
    for ns in ["demo", "staging"] {
        w.sim.store().put(
            Kind::Pod,
            common::pods::pod(ns, "twin-app-x2b4q")
                .app("twin")
                .logs("task")
                .containers(&["app"])
                .started_secs_ago(10)
                .json(),
        );
    }
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 160, 45);
    t.wait_for("twin-app-x2b4q");
    t.send(":logs -l app=twin\r");
    let screen = t.wait_until("both pods' lines", |s| {
        s.contains("logs -l app=twin")
            && s.contains("2 streams")
            && s.contains("demo/x2b4q    [app] step")
            && s.contains("staging/x2b4q [app] step")
    });
    // What the failing requests said (a bare "404" could be a pod's memory, 404Mi).
    assert!(!screen.contains("404 page not found"), "{screen}");
    assert!(
        !screen.contains("could not find the requested resource"),
        "{screen}"
    );
    assert!(!screen.contains("not found"), "{screen}");
}

/// A JSON line is shown as `clock LEVEL msg key=value`; search and filters match that, not the
/// raw JSON (`&order_id=` used to say "no lines match"), and a filter says how many lines it
/// keeps.
#[test]
fn log_filters_match_json_lines_as_shown() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "orders-json")
            .app("orders")
            .logs("json")
            .containers(&["app"])
            .started_secs_ago(30)
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    open_logs_of(&mut t, "orders-json");
    t.wait_until("JSON lines shown compactly", |s| s.contains(" order_id="));
    t.send("&order_id=\r");
    let screen = t.wait_until("the filter's count", |s| s.contains("lines match"));
    assert!(!screen.contains("no lines match"), "{screen}");
    assert!(screen.contains(" of "), "{screen}");
    let shown: Vec<&str> = screen
        .lines()
        .filter(|l| {
            l.contains("INFO") || l.contains("WARN") || l.contains("ERROR") || l.contains("DEBUG")
        })
        .collect();
    assert!(!shown.is_empty(), "{screen}");
    assert!(shown.iter().all(|l| l.contains("order_id=")), "{screen}");
}

#[test]
fn a_deployments_logs_by_its_own_selector_including_a_rollouts_pods() {
    let w = world(common::frozen(10));
    let mut selector = serde_json::Map::new();
    selector.insert("app".into(), json!("shop"));
    w.sim.store().put(
        Kind::Deployment,
        kubedeck_sim::owners::deployment("demo", "shop", Value::Object(selector)),
    );
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "shop-7d9f-x2b4q")
            .app("shop")
            .logs("task")
            .containers(&["app"])
            .started_secs_ago(10)
            .json(),
    );
    // Not selected: another app's pod in the same namespace.
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "other-7d9f-ccccc")
            .app("other")
            .logs("task")
            .containers(&["app"])
            .started_secs_ago(10)
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("shop-7d9f-x2b4q");
    t.send(":logs deploy/shop\r");
    t.wait_until(
        "the selector read from the Deployment and the pod's lines",
        |s| {
            s.contains("logs deploy/shop")
                && s.contains("pods matching app=shop")
                && s.contains("x2b4q [app] step")
        },
    );
    // The rollout's new pod joins.
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "shop-8e0a-k7m9z")
            .app("shop")
            .logs("task")
            .containers(&["app"])
            .started_secs_ago(2)
            .json(),
    );
    let screen = t.wait_until("the new pod's lines", |s| {
        s.contains("k7m9z [app] step") && s.contains("2 streams")
    });
    assert!(!screen.contains("ccccc [app]"), "{screen}");

    // A selected pod whose container never started says why there is nothing from it.
    let mut stuck = common::pods::pod("demo", "shop-8e0a-ddddd")
        .app("shop")
        .logs("task")
        .containers(&["app"])
        .started_secs_ago(2)
        .json();
    stuck["status"]["containerStatuses"][0]["state"] =
        json!({"waiting": {"reason": "ImagePullBackOff"}});
    w.sim.store().put(Kind::Pod, stuck);
    t.wait_for("shop-8e0a-ddddd/app: not started yet (ImagePullBackOff)");

    // A workload that does not exist says so in its pane.
    t.send(":logs sts/nope\r");
    t.wait_for("sts/nope in demo not found");
}

#[test]
fn a_dropped_follow_stream_resumes_without_duplicates_or_gaps() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "logtest-drop")
            .app("drop")
            .logs("task")
            .containers(&["app"])
            .started_secs_ago(8)
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    open_logs_of(&mut t, "logtest-drop");
    t.wait_for("[app] step");
    w.sim.faults().drop_all_watches();
    t.wait_for("reconnected: resumed after");
    // Let a few lines arrive after the reconnect, then check the whole buffer.
    let before = t.contents().matches("[app] step").count();
    t.wait_until("more lines after the reconnect", |s| {
        s.matches("[app] step").count() > before + 2 || s.contains("step 40")
    });
    let saved = save(&mut t);
    let steps = step_numbers(&saved);
    assert!(
        steps.windows(2).all(|w| w[1] == w[0] + 1),
        "no line twice, none lost: {steps:?}"
    );
}

#[test]
fn hostile_logs_cannot_touch_the_terminal() {
    let w = world(common::frozen(10));
    w.sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "logtest-evil")
            .app("evil")
            .logs("hostile")
            .containers(&["app"])
            .started_secs_ago(12)
            .json(),
    );
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    open_logs_of(&mut t, "logtest-evil");
    t.wait_for("hostile container says hello");
    // Wrapped, the 1 MiB line (cut at 16 KiB) keeps a few rows and says how much more there is,
    // instead of filling the pane and pushing every other line out.
    let screen = t.wait_until("the giant line, capped", |s| {
        s.contains("more rows of this record (Enter shows it whole)")
    });
    let xs = screen
        .lines()
        .filter(|l| l.contains("xxxxxxxxxxxxxxxx"))
        .count();
    assert!(xs <= kubedeck::views::logs::WRAPPED_ROWS_MAX, "{screen}");
    assert!(screen.contains("hostile container says hello"), "{screen}");
    // Without wrapping the 1 MiB line takes one row, so every hostile line is on screen.
    t.send("w");
    let screen = t.wait_until("the hostile lines, made visible", |s| {
        s.contains("nowrap")
            && s.contains("NUL ␀")
            && s.contains("red via SGR")
            && s.contains("␛[2J")
            && s.contains("␛]0;pwned-title␇")
            && s.contains("␛]52;c;cHduZWQ=␇")
            && s.contains("says hello #8")
    });
    // The rest of the screen is intact: top bar, the pods table, the bottom bar.
    let first = screen.lines().next().unwrap_or_default();
    assert!(
        first.contains("kubedeck") && first.contains("ctx:"),
        "{screen}"
    );
    assert!(
        screen.contains("logtest-evil  1/1"),
        "the pods table is still drawn: {screen}"
    );
    // Invalid UTF-8 (a raw 8-bit CSI byte) is drawn as U+FFFD. (vt100, which reads the screen
    // here, drops U+FFFD, so this checks what kubedeck wrote; the terminal gets only the cells
    // that changed, so the line need not arrive in one piece.)
    assert!(screen.contains("8-bit CSI"), "{screen}");
    assert!(
        t.wrote("\u{fffd}2J".as_bytes()),
        "{:?}",
        String::from_utf8_lossy(&t.wrote_after(b"CSI", 40))
    );
    assert!(screen.contains("NUL ␀"), "{screen}");
    // None of it reached the terminal as a live sequence.
    assert!(!t.wrote(b"\x1b]52;c;cHduZWQ="), "clipboard write leaked");
    assert!(!t.wrote(b"\x1b]0;pwned"), "title change leaked");
    assert!(!t.wrote(b"\x1b[10;10Hmoved"), "cursor move leaked");
}

/// Poll until `check` holds for the files under `dir` (a file system has no signal to wait on).
fn wait_files(what: &str, mut check: impl FnMut() -> bool) {
    let end = std::time::Instant::now() + common::term::DEADLINE;
    while !check() {
        assert!(
            std::time::Instant::now() < end,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// The pod directories captured for `pods` under the capture root (any cluster).
fn captured_pods(root: &std::path::Path, pods: &[String]) -> usize {
    let clusters = std::fs::read_dir(root).into_iter().flatten().flatten();
    clusters
        .flat_map(|c| {
            pods.iter()
                .filter(move |p| c.path().join("ci").join(p).join("meta.json").exists())
        })
        .count()
}

#[test]
fn step_logs_captured_while_running_outlive_the_runs_pods() {
    let w = world(common::frozen(5));
    let runs = w.sim.store().snapshot(Kind::PipelineRun).items;
    let with_reason = |reason: &str| {
        runs.iter()
            .find(|r| r["status"]["conditions"][0]["reason"] == reason)
            .and_then(|r| r["metadata"]["name"].as_str().map(str::to_string))
    };
    let failed = with_reason("Failed");
    let run = failed
        .clone()
        .or_else(|| with_reason("Succeeded"))
        .expect("no finished run");
    let pods: Vec<String> = w
        .sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .filter(|p| p["metadata"]["labels"]["tekton.dev/pipelineRun"] == run.as_str())
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    assert!(!pods.is_empty(), "the run has pods");

    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "pipelineruns"], 160, 45);
    t.wait_for(&run);
    let root = t.cache.path().join("kubedeck").join("step-logs");
    wait_files("every step pod captured", || {
        captured_pods(&root, &pods) == pods.len()
    });

    // Tekton prunes the run's pods; its logs are gone from the cluster.
    for p in &pods {
        w.sim.store().remove(Kind::Pod, &("ci".into(), p.clone()));
    }
    t.send(&format!("/{run}\r"));
    t.wait_until("only that run", |s| s.contains(&format!("/{run}")));
    t.send("l");
    let screen = t.wait_until("the captured steps", |s| {
        s.contains("captured 20") && s.contains("are gone") && s.contains("■ not live")
    });
    assert!(!screen.contains("● following"), "{screen}");
    let last_words = if failed.is_some() {
        "fatal: exiting with code 1"
    } else {
        "] done"
    };
    assert!(screen.contains(last_words), "{screen}");
    assert!(!screen.contains("no pods match"), "{screen}");
    // From the step's first line.
    t.send("g");
    t.wait_for("step 0:");

    // The pruner deletes the run itself too: its captured steps are still one command away.
    t.send("x");
    t.wait_gone("are gone");
    w.sim
        .store()
        .remove(Kind::PipelineRun, &("ci".into(), run.clone()));
    t.send(&format!(":logs -n ci pr/{run}\r"));
    t.wait_until("the gone run's captured steps", |s| {
        s.contains(&format!("logs PipelineRun {run}")) && s.contains("captured 20")
    });

    // Or found in the list of captured runs, which says which steps failed.
    t.send("x");
    t.wait_gone("are gone");
    t.send(":captured\r");
    let screen = t.wait_until("the captured runs", |s| {
        s.contains("captured(all)") && s.contains(&run) && s.contains("FAILED STEPS")
    });
    let row = screen
        .lines()
        .find(|l| l.contains(&run))
        .unwrap_or_default()
        .to_string();
    if failed.is_some() {
        assert!(row.contains("/"), "a failed task/step: {row}");
    }
    t.send(&format!("/{run}\r"));
    t.wait_for(&format!("/{run}"));
    t.send("\r");
    t.wait_until("its captured steps from the list", |s| {
        s.contains(&format!("logs PipelineRun {run}")) && s.contains("captured 20")
    });
}

#[test]
fn a_step_running_when_its_pod_is_deleted_is_captured_up_to_then() {
    let w = world(common::frozen(5));
    // A Tekton pod with a step still running (a run Tekton is about to cancel or time out).
    let pod = w
        .sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .into_iter()
        .find(|p| {
            p["metadata"]["labels"]["tekton.dev/taskRun"].is_string()
                && p["status"]["containerStatuses"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| !c["state"]["running"].is_null())
        })
        .expect("no Tekton pod with a running step");
    let name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let task_run = pod["metadata"]["labels"]["tekton.dev/taskRun"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let key = ("ci".to_string(), name.clone());

    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A", "--view", "pipelineruns"], 160, 45);
    t.wait_for("pipelineruns(all)");
    // Tekton cancels the run: the pod is marked for deletion while its step runs, then goes.
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    w.sim.store().update(Kind::Pod, &key, |o| {
        o["metadata"]["deletionTimestamp"] = serde_json::json!(now);
        true
    });
    let root = t.cache.path().join("kubedeck").join("step-logs");
    let interrupted = |root: &std::path::Path| {
        let clusters = std::fs::read_dir(root).into_iter().flatten().flatten();
        clusters
            .filter_map(|c| {
                std::fs::read_to_string(c.path().join("ci").join(&name).join("meta.json")).ok()
            })
            .any(|m| m.contains("\"interrupted\": true"))
    };
    wait_files("the running step captured at the deletion", || {
        interrupted(&root)
    });
    w.sim.store().remove(Kind::Pod, &key);

    t.send(&format!(":logs -n ci tr/{task_run}\r"));
    let screen = t.wait_until("the interrupted step replayed", |s| {
        s.contains("still running when its pod") && s.contains("captured 20")
    });
    assert!(screen.contains("1 interrupted"), "{screen}");
    // The failed-steps switch keeps it: it did not succeed.
    t.send("F");
    let screen = t.wait_for("failed steps");
    assert!(screen.contains("still running when its pod"), "{screen}");
    // The note follows the step's last line (the step printed on after the deletion mark).
    let lines: Vec<&str> = screen.lines().collect();
    let note = lines
        .iter()
        .position(|l| l.contains("still running when its pod"))
        .unwrap_or_default();
    assert!(
        lines[..note].iter().any(|l| l.contains("[step-")),
        "{screen}"
    );
}

/// Logs of a Tekton pod's owner (`L`, a selector over Tekton pods) are prefixed by task and
/// step, not by the last word of the pod's name (`…-fetch-pod` all read `pod`).
#[test]
fn tekton_pods_by_selector_are_prefixed_by_task_and_step() {
    let w = world(common::frozen(10));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "ci"], 160, 45);
    t.wait_for("-fetch-pod");
    t.send("/-fetch-pod\r");
    t.wait_for("/-fetch-pod");
    t.send("L");
    let screen = t.wait_until("the owner's step lines", |s| {
        s.lines().any(|l| l.contains("││ fetch/"))
    });
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("││ pod ") || l.contains("││ pod/")),
        "{screen}"
    );
}
