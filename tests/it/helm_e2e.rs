//! `:helm` end to end: the simulator's demo keeps two releases as Helm 3 does (Secrets of type
//! helm.sh/release.v1, gzipped JSON, built by the simulator's own code); kubedeck lists them as
//! `helm list` does, shows a release's history, a revision's values (and every computed value),
//! manifest and notes, and runs `helm rollback` in a pane after confirmation (a stand-in helm
//! on PATH records its arguments and kubeconfig; without helm the pane says it is needed). A
//! view-only user, who may not read Secrets, is told what `:helm` needs.

use crate::common;

use common::term::{Term, rows};
use common::world;

fn bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

/// A directory with a `helm` that prints what it was asked and which kubeconfig it had.
fn fake_helm() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let helm = dir.path().join("helm");
    std::fs::write(
        &helm,
        "#!/bin/sh\necho \"fake-helm $*\"\ntest -r \"$KUBECONFIG\" && echo kubeconfig-readable\nsleep 30\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn releases_history_values_and_a_rollback_through_helm() {
    let w = world(common::frozen(120));
    let helm = fake_helm();
    let path = format!("{}:/usr/bin:/bin", helm.path().display());
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let mut t = Term::spawn(
        &["--kubeconfig", kc.as_str(), "-n", "demo"],
        160,
        45,
        &[("PATH", path.as_str())],
    );
    t.wait_for("pods(demo)");
    t.send(":helm\r");
    let screen = t.wait_until("two releases", |s| {
        s.contains("helm(demo)") && rows(s).len() == 2
    });
    let shop = rows(&screen)
        .into_iter()
        .find(|r| r.starts_with("shop "))
        .unwrap_or_default();
    let cells: Vec<&str> = shop.split_whitespace().collect();
    // NAME NAMESPACE REVISION UPDATED(2 words) STATUS CHART APP VERSION
    assert_eq!(cells[..3], ["shop", "demo", "3"], "{shop}");
    assert!(
        shop.contains("deployed") && shop.contains("shop-1.4.1") && shop.ends_with("2.0.1"),
        "{shop}"
    );

    // Enter: the history, newest first, the failed upgrade said.
    t.send("/shop\r");
    t.wait_until("only shop", |s| rows(s).len() == 1);
    t.send("\r");
    let screen = t.wait_until("three revisions", |s| {
        s.contains("history(demo/shop)") && rows(s).len() == 3
    });
    let revisions: Vec<String> = rows(&screen)
        .iter()
        .map(|r| r.split_whitespace().next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(revisions, ["3", "2", "1"]);
    assert!(screen.contains("context deadline exceeded"), "{screen}");

    // v: the values given; a: every computed value; / searches.
    t.send("v");
    let screen = t.wait_for("USER-SUPPLIED VALUES");
    assert!(screen.contains("replicaCount: 3"), "{screen}");
    assert!(!screen.contains("pullPolicy"), "{screen}");
    // The database password is hidden until X, and hidden again by X.
    assert!(screen.contains("hidden: 18 chars; X reveals"), "{screen}");
    assert!(!screen.contains("s3cr3t-from-values"), "{screen}");
    t.send("X");
    t.wait_for("password: s3cr3t-from-values");
    t.send("X");
    t.wait_gone("s3cr3t-from-values");
    t.send("a");
    let screen = t.wait_for("COMPUTED VALUES");
    assert!(screen.contains("pullPolicy: IfNotPresent"), "{screen}");
    t.send("/repository\r");
    t.wait_until("found", |s| {
        s.contains("/repository") || bar(s).contains("match")
    });
    t.send("\x1b");
    t.wait_for("history(demo/shop)");
    // y: the manifest (the YAML it rendered).
    t.send("y");
    t.wait_for("# Source: shop/templates/deployment.yaml");
    t.send("\x1b");
    t.wait_for("history(demo/shop)");

    // :rollback on revision 1 (under the cursor): asked, then helm in a pane.
    t.send("G");
    t.send(":rollback\r");
    t.wait_for("Roll Helm release demo/shop back to revision 1 with helm rollback");
    t.send("y");
    let screen = t.wait_for("fake-helm rollback shop 1 --namespace demo --wait");
    t.wait_for("kubeconfig-readable");
    drop(screen);
    t.send("\x01K");
    t.wait_for("y/N");
    t.send("y");
    t.wait_gone("fake-helm");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn without_helm_the_rollback_pane_says_it_is_needed() {
    let w = world(common::frozen(120));
    let empty = tempfile::tempdir().unwrap();
    let path = empty.path().display().to_string();
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let mut t = Term::spawn(
        &["--kubeconfig", kc.as_str(), "-n", "demo"],
        120,
        40,
        &[("PATH", path.as_str())],
    );
    t.wait_for("pods(demo)");
    t.send(":helm\r");
    t.wait_until("two releases", |s| rows(s).len() == 2);
    t.send("/shop\r");
    t.wait_until("only shop", |s| rows(s).len() == 1);
    t.send("\r");
    t.wait_until("three revisions", |s| rows(s).len() == 3);
    t.send(":rollback 2\r");
    t.wait_for("back to revision 2");
    t.send("y");
    t.wait_for("needs helm on PATH");
    // The pane's program has ended: back to the dashboard, and out.
    t.send("\x01\t");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_user_who_may_not_read_secrets_is_told_what_helm_needs() {
    let w = world(common::frozen(120));
    w.sim.act_as(kubedeck_sim::rbac::Identity::user("viewer"));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 120, 40);
    t.wait_for("pods(demo)");
    t.send(":helm\r");
    // (The words wrap in the table's frame: read them without it.)
    let words = |s: &str| {
        s.replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    t.wait_until("refused, with what it needs and the server's words", |s| {
        let w = words(s);
        w.contains("needs list and get on secrets")
            && w.contains("User \"viewer\" cannot list resource \"secrets\"")
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}
