//! RBAC answered, end to end: the real binary against the simulator acting as a narrow user
//! (`viewer`, bound to the `view` ClusterRole as on the recorded cluster, its rights enforced
//! by the simulator on every request). `:can-i` lists what real kubectl's `auth can-i --list`
//! lists against the same simulator; `:who-can` names the bindings; a shell is refused before
//! any picker, with the reason; describe says what the user may do to the pod.

use crate::common;

use common::term::{Term, rows};
use common::world;

fn bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

#[test]
fn a_view_only_user_sees_their_rights_who_has_more_and_is_refused_before_a_picker() {
    let w = world(common::frozen(120));
    w.sim.act_as(kubedeck_sim::rbac::Identity::user("viewer"));
    // kubectl's reading of the same rules, from the same simulator.
    let (ok, out, err) = common::kubectl(&w.kubeconfig, &["auth", "can-i", "--list", "-n", "demo"]);
    assert!(ok, "{err}");
    let kubectl_resources: Vec<String> = out
        .lines()
        .skip(1)
        .filter(|l| !l.starts_with(' '))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(kubectl_resources.len() > 20, "{out}");

    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    t.wait_until("pods listed", |s| !rows(s).is_empty());

    // A shell: refused with the reason, no container picker.
    t.send("s");
    let screen = t.wait_until("the shell refused", |s| {
        bar(s).contains("exec: not allowed")
    });
    assert!(bar(&screen).contains("pods/exec in demo"), "{screen}");
    assert!(!screen.contains("shell in "), "a picker opened:\n{screen}");
    // `?` marks it.
    t.send("?");
    t.wait_for("help (Esc");
    // Scrolled down to the sessions' keys.
    let mut help = t.contents();
    for _ in 0..160 {
        if help.contains("not allowed here") {
            break;
        }
        t.send("j");
        help = t.wait_until("the help scrolled", |s| s != help);
    }
    assert!(
        help.lines()
            .any(|l| l.contains("not allowed here") && l.to_lowercase().contains("shell")),
        "{help}"
    );
    t.send("\x1b");
    t.wait_gone("not allowed here");

    // Describe says it too.
    t.send("d");
    let screen = t.wait_for("Your access:");
    let line = screen
        .lines()
        .find(|l| l.contains("Your access:"))
        .unwrap_or_default();
    assert!(line.contains("exec: no"), "{line}");
    assert!(line.contains("logs: yes"), "{line}");
    t.send("\x1b");
    t.wait_for("pods(demo)");

    // :can-i: the same resources kubectl lists (Tab-free, typed as a user would).
    t.send(":can-i demo\r");
    t.wait_for("can-i(demo)");
    t.send("/pods\r");
    // The filter applied (in the title), not only the pods row seen in the whole list: each
    // key's effect is awaited before the next is typed (an Esc and a `:` read together are
    // Alt-:, and the `:` is lost).
    let screen = t.wait_until("pods rules listed", |s| {
        s.contains("] /pods") && rows(s).iter().any(|r| r.starts_with("pods "))
    });
    let pods = rows(&screen)
        .into_iter()
        .find(|r| r.starts_with("pods "))
        .unwrap_or_default();
    let cells: Vec<&str> = pods.split_whitespace().collect();
    // RESOURCE GET LIST WATCH CREATE UPDATE PATCH DELETE
    assert_eq!(
        &cells[..8],
        ["pods", "✓", "✓", "✓", "·", "·", "·", "·"],
        "{screen}"
    );
    t.send("\x1b");
    let all = t.wait_until("every rule listed", |s| {
        s.contains(&format!("[{}/", kubectl_resources.len())) && !s.contains("] /pods")
    });
    for r in rows(&all).iter().take(10) {
        let resource = r.split_whitespace().next().unwrap_or_default();
        assert!(
            kubectl_resources.iter().any(|k| k == resource),
            "{resource} is not in kubectl's list:\n{out}"
        );
    }

    // :who-can needs to list the RBAC objects, which `view` does not allow: said.
    t.send(":");
    t.wait_until("the command line open", |s| bar(s).starts_with(':'));
    t.send("who-can create pods/exec demo\r");
    t.wait_until("who-can refused to a viewer", |s| {
        s.contains("Cannot answer") && s.contains("cannot list resource")
    });
    // An administrator (another user) asks: the administrators, not the viewer.
    w.sim.act_as(kubedeck_sim::rbac::Identity::admin());
    t.send(":who-can create pods/exec demo\r");
    let screen = t.wait_until("who may exec", |s| {
        s.contains("who-can(create pods/exec in demo)") && s.contains("system:masters")
    });
    assert!(screen.contains("ClusterRole/cluster-admin"), "{screen}");
    assert!(
        !rows(&screen).iter().any(|r| r.contains("viewer")),
        "{screen}"
    );
    t.send(":who-can list pods demo\r");
    t.wait_until("who may list pods", |s| {
        rows(s)
            .iter()
            .any(|r| r.contains("viewer") && r.contains("ClusterRole/view"))
    });
    // Small terminal: still readable.
    t.resize(80, 24);
    t.wait_until("80x24", |s| {
        s.lines().count() <= 24 && s.contains("who-can(") && s.contains("viewer")
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}
