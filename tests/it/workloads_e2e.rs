//! Workload changes end to end, as an on-call makes them: `i` on a Deployment opens
//! `:set-image` with the current image, the change is confirmed and lands in the simulator's
//! store; `:rollback` lists the revisions (checked against real `kubectl rollout history`
//! of the same simulator) and rolls back to the one picked; `:trigger` creates the Job
//! `kubectl create job --from=cronjob` would; `:suspend` suspends the CronJob. Read-only
//! refuses them all.

use crate::common;

use common::term::{Term, rows};
use common::world;
use kubedeck_sim::Kind;

fn bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

fn image_of(w: &common::World, name: &str) -> String {
    let d = w
        .sim
        .store()
        .get(Kind::Deployment, &("demo".into(), name.into()))
        .unwrap_or_else(|| {
            let names: Vec<String> = w
                .sim
                .store()
                .snapshot(Kind::Deployment)
                .items
                .iter()
                .map(|d| format!("{}/{}", d["metadata"]["namespace"], d["metadata"]["name"]))
                .collect();
            panic!("no deployment {name} in demo: {names:?}")
        });
    d["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The revisions `kubectl rollout history` lists for deploy/billing, oldest first.
fn history(w: &common::World) -> Vec<i64> {
    history_of(w, "deploy/billing")
}

/// The revisions `kubectl rollout history` lists for `target` in demo, oldest first.
fn history_of(w: &common::World, target: &str) -> Vec<i64> {
    let (ok, out, err) =
        common::kubectl(&w.kubeconfig, &["rollout", "history", target, "-n", "demo"]);
    assert!(ok, "{err}");
    out.lines()
        .skip(2)
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

/// `:KIND` (the scope is demo), then the cursor on `name` alone.
fn select(t: &mut Term, kind_command: &str, title: &str, name: &str) {
    t.send(&format!(":{kind_command}\r"));
    t.wait_for(&format!("{title}(demo)"));
    t.send(&format!("/^{name}$\r"));
    t.wait_until(&format!("only {name}"), |s| {
        s.contains("[1/") && rows(s).iter().any(|r| r.starts_with(name))
    });
}

#[test]
fn set_image_rollback_trigger_and_suspend_as_kubectl_would() {
    let w = world(common::frozen(120));
    let before = image_of(&w, "billing");
    let before_revisions = history(&w);
    assert!(!before_revisions.is_empty());
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    select(&mut t, "deploy", "deployments", "billing");

    // `i`: the command line with the current image, edited to a new one.
    t.send("i");
    let screen = t.wait_until("set-image filled in", |s| {
        bar(s).starts_with(":set-image ") && bar(s).contains(&before)
    });
    let line = bar(&screen).trim_end_matches('█').trim().to_string();
    for _ in 0..before.len() {
        t.send("\x7f");
    }
    t.send("ghcr.io/acme/billing:9.9.9\r");
    t.wait_for("ghcr.io/acme/billing:9.9.9 (a rollout starts)?");
    assert!(line.contains('='), "{line}");
    t.send("y");
    t.wait_until("the image set", |s| {
        bar(s).contains("set to ghcr.io/acme/billing:9.9.9")
            || bar(s).contains("rolling out")
            || bar(s).contains("rolled out")
    });
    t.wait_until("in the store", |_| {
        image_of(&w, "billing") == "ghcr.io/acme/billing:9.9.9"
    });

    // kubectl's history of the same Deployment: one revision more than before.
    let after_set = history(&w);
    let newest = *before_revisions.last().unwrap();
    let mut expected = before_revisions.clone();
    expected.push(newest + 1);
    assert_eq!(after_set, expected);

    // :rollback lists them (newest first, the current one said), the previous one under the
    // cursor, and rolls back to it.
    t.send(":rollback\r");
    let screen = t.wait_for("roll billing back to");
    assert!(screen.contains("(current)"), "{screen}");
    for rev in &after_set {
        assert!(
            screen.lines().any(|l| l
                .split('│')
                .any(|cell| cell.trim_start().starts_with(&format!("{rev} ")))),
            "revision {rev} not listed:\n{screen}"
        );
    }
    t.send("\r");
    t.wait_for(&format!("back to revision {newest}"));
    t.send("y");
    t.wait_until("rolled back in the store", |_| {
        image_of(&w, "billing") == before
    });
    // As the controller does: a ReplicaSet of that template is renumbered the newest; no new
    // one is made. (The seeded revisions share one template, so which of them is renumbered
    // is the controller's choice.)
    let after_undo = history(&w);
    assert_eq!(after_undo.len(), after_set.len(), "{after_undo:?}");
    assert_eq!(after_undo.last(), Some(&(newest + 2)), "{after_undo:?}");
    assert!(after_undo.contains(&(newest + 1)), "{after_undo:?}");

    // A CronJob: triggered now, then suspended.
    select(&mut t, "cj", "cronjobs", "report");
    t.send(":trigger\r");
    t.wait_for("Create a Job from");
    t.send("y");
    let screen = t.wait_until("the Job created", |s| bar(s).contains("created from"));
    let job = bar(&screen)
        .split_whitespace()
        .find_map(|w| w.strip_prefix("job/"))
        .unwrap_or_default()
        .to_string();
    let created = w.sim.store().get(Kind::Job, &("demo".into(), job.clone()));
    let created = created.unwrap_or_else(|| panic!("no job {job} in the store:\n{screen}"));
    assert_eq!(
        created["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    let owner = &created["metadata"]["ownerReferences"][0];
    assert_eq!(owner["kind"], "CronJob");
    assert_eq!(owner["name"], "report");
    assert_eq!(owner["controller"], true);
    t.send(":suspend\r");
    t.wait_for("Suspend ");
    t.send("y");
    t.wait_until("suspended in the store", |_| {
        w.sim
            .store()
            .get(Kind::CronJob, &("demo".into(), "report".into()))
            .is_some_and(|c| c["spec"]["suspend"] == true)
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn read_only_refuses_workload_changes() {
    let w = world(common::frozen(120));
    let before = image_of(&w, "billing");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo", "--readonly"], 100, 30);
    t.wait_for("pods(demo)");
    select(&mut t, "deploy", "deployments", "billing");
    t.send("i");
    t.wait_until("refused", |s| bar(s).contains("read-only"));
    t.send(":set-image app=x:1\r");
    t.wait_until("refused", |s| bar(s).contains("read-only"));
    t.send(":rollback\r");
    t.wait_until("refused", |s| bar(s).contains("read-only"));
    assert_eq!(image_of(&w, "billing"), before);
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// The revisions `kubectl rollout history` lists for sts/db, oldest first.
fn sts_history(w: &common::World) -> Vec<i64> {
    history_of(w, "statefulset/db")
}

fn sts_image(w: &common::World) -> String {
    w.sim
        .store()
        .get(Kind::StatefulSet, &("demo".into(), "db".into()))
        .and_then(|s| {
            s["spec"]["template"]["spec"]["containers"][0]["image"]
                .as_str()
                .map(str::to_string)
        })
        .unwrap_or_default()
}

/// A StatefulSet's revisions are its ControllerRevisions: `:rollback` lists them as `kubectl
/// rollout history` does and rolls back as `kubectl rollout undo` does (the revision's patch),
/// after which kubectl sees the old revision renumbered as the newest.
#[test]
fn a_statefulset_rolls_back_through_its_controller_revisions() {
    let w = world(common::frozen(120));
    assert_eq!(sts_history(&w), [1, 2]);
    assert_eq!(sts_image(&w), "postgres:16.4");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    select(&mut t, "sts", "statefulsets", "db");
    t.send(":rollback\r");
    let screen = t.wait_for("roll db back to");
    let current = screen
        .lines()
        .find(|l| l.contains("(current)"))
        .unwrap_or_default();
    assert!(
        current.contains("postgres:16.4") && current.contains("2 pods"),
        "{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.contains("postgres:16.3") && l.contains("0 pods")),
        "{screen}"
    );
    t.send("\r");
    t.wait_for("back to revision 1");
    t.send("y");
    t.wait_until("rolled back in the store", |_| {
        sts_image(&w) == "postgres:16.3"
    });
    assert_eq!(sts_history(&w), [2, 3]);
}
