//! A k9s user's habits (issue 26), each tried in the real binary in a PTY against the
//! simulator: marks and an action on many rows, `:po NS`, `-`, the CSV of the table shown, and
//! k9s's own `plugins.yaml` (a foreground plugin in a pane, a background one in the status
//! bar, a dangerous one refused read-only, `$COL-STATUS`, a command that does not exist).

use std::time::{Duration, Instant};

use crate::common;

use common::pods;
use common::term::{Term, rows};
use common::world;
use kubedeck_sim::Kind;

/// A frozen world with four pods of our own in `marks` and one in `other`.
fn marks_world() -> common::World {
    let w = world(common::frozen(4));
    for (i, name) in ["mk-1", "mk-2", "mk-3", "mk-4"].iter().enumerate() {
        let pod = pods::pod("marks", name).started_secs_ago(600 - 100 * i as i64);
        w.sim.store().put(Kind::Pod, pod.json());
    }
    w.sim
        .store()
        .put(Kind::Pod, pods::pod("other", "elsewhere-1").json());
    w
}

fn exists(w: &common::World, name: &str) -> bool {
    w.sim
        .store()
        .get(Kind::Pod, &("marks".to_string(), name.to_string()))
        .is_some_and(|p| p["metadata"]["deletionTimestamp"].is_null())
}

#[test]
fn three_marked_pods_survive_a_sort_and_a_filter_and_are_deleted_together() {
    let w = marks_world();
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "marks"], 160, 45);
    t.wait_for("pods(marks)");
    t.wait_for("mk-4");
    // Mark the three the filter keeps, then take the filter away.
    t.send("/mk-[123]\r");
    t.wait_for("[3/4]");
    t.send("g j j ");
    t.wait_for("[3 marked]");
    t.send("\x1b");
    t.wait_for("[4/4]");
    // Sort by AGE (the eighth pod column, NAMESPACE counted though hidden), reversed: the
    // marks stay with their pods.
    t.send("8");
    t.send("8");
    t.wait_for("AGE↓");
    t.wait_for("[3 marked]");
    // One confirmation lists each object; y deletes the three, not the fourth.
    t.send("\x04");
    let asked = t.wait_for("Delete 3 marked (context kubedeck-sim)?");
    for name in ["mk-1", "mk-2", "mk-3"] {
        assert!(
            asked.contains(&format!("delete   pod/marks/{name}")),
            "{asked}"
        );
    }
    assert!(!asked.contains("pod/marks/mk-4"), "{asked}");
    t.send("y");
    t.wait_for("3 done: deleted pod/marks/");
    for name in ["mk-1", "mk-2", "mk-3"] {
        assert!(!exists(&w, name), "{name} was deleted");
    }
    assert!(exists(&w, "mk-4"), "the unmarked pod stays");
    t.wait_gone("[3 marked]");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn po_with_a_namespace_shows_that_namespace_and_dash_goes_back_and_forth() {
    let w = marks_world();
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "marks"], 120, 30);
    t.wait_for("pods(marks)");
    t.wait_for("mk-1");
    // `:po other`: the namespace asked for, not the current one (a defect a k9s user hit).
    t.send(":po other\r");
    let screen = t.wait_for("elsewhere-1");
    assert!(screen.contains("pods(other)"), "{screen}");
    assert!(!screen.contains("mk-1"), "{screen}");
    // An argument that is not understood is said.
    t.send(":po other --bogus\r");
    t.wait_for("\"--bogus\" is not understood");
    // `-` toggles between the two last views.
    t.send(":no\r");
    t.wait_for("nodes(other)");
    t.send("-");
    t.wait_for("elsewhere-1");
    t.send("-");
    t.wait_for("nodes(other)");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

/// `:pr ci` from another namespace: the runs of ci (a defect found on the real cluster, where
/// the table stayed on the current namespace and said "No PipelineRuns").
#[test]
fn pr_with_a_namespace_shows_that_namespaces_runs() {
    let w = common::world(common::frozen(30));
    let ci_run = w
        .sim
        .store()
        .snapshot(kubedeck_sim::Kind::PipelineRun)
        .items
        .into_iter()
        .find(|r| r["metadata"]["namespace"] == "ci")
        .and_then(|r| r["metadata"]["name"].as_str().map(str::to_string))
        .expect("a PipelineRun in ci");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    t.send(":pr ci\r");
    let screen = t.wait_for(&ci_run);
    assert!(screen.contains("pipelineruns(ci)"), "{screen}");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn ctrl_s_saves_the_table_as_shown() {
    let w = marks_world();
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "marks"], 160, 45);
    t.wait_for("mk-4");
    // Filtered and sorted by name, reversed: the CSV has the same rows in the same order.
    t.send("/mk-[234]\r");
    t.wait_for("[3/4]");
    // NAME is the second pod column (NAMESPACE, hidden here, is the first).
    t.send("2");
    t.send("2");
    let shown = t.wait_until("sorted by name, descending", |s| {
        let r = rows(s);
        r.len() == 3 && r[0].contains("mk-4") && r[2].contains("mk-2")
    });
    t.send("\x13");
    let said = t.wait_for("saved 4 lines to ");
    let path = said
        .lines()
        .find_map(|l| l.split("saved 4 lines to ").nth(1))
        .map(|p| p.split_whitespace().next().unwrap_or_default().to_string())
        .expect("the path said");
    let csv = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{path}");
    assert!(path.contains("tables/kubedeck-sim-pods-"), "{path}");
    let lines: Vec<&str> = csv.lines().collect();
    // Every column (NAMESPACE too, which one namespace hides on screen).
    assert!(lines[0].starts_with("NAMESPACE,NAME,READY,STATUS"), "{csv}");
    let names: Vec<&str> = lines[1..]
        .iter()
        .map(|l| l.split(',').nth(1).unwrap_or_default())
        .collect();
    assert_eq!(names, ["mk-4", "mk-3", "mk-2"], "{csv}");
    // Each CSV row is the screen's row, cell by cell (NAME, READY, STATUS, RESTARTS).
    for (line, row) in lines[1..].iter().zip(rows(&shown)) {
        let screen_cells: Vec<&str> = row.split_whitespace().collect();
        for cell in line.split(',').skip(1).take(4) {
            assert!(
                screen_cells.contains(&cell),
                "{cell:?} of {line:?} not in {row:?}"
            );
        }
    }
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

/// k9s's plugins.yaml, as a k9s user has it.
const PLUGINS: &str = r#"
plugins:
  hello:
    shortCut: Shift-Z
    description: say hello
    scopes: [po]
    command: echo
    args: [hello-$NAME, "status=$COL-STATUS", "ns=${NAMESPACE}"]
  private:
    shortCut: Shift-V
    description: the kubeconfig it gets
    scopes: [pods]
    command: sh
    args: [-c, 'stat -c "mode=%a" "$KUBECONFIG"; echo "at=$KUBECONFIG"']
  later:
    shortCut: Shift-B
    description: in the background
    scopes: [all]
    background: true
    command: sh
    args: [-c, "echo working; echo bye-$NAME; exit 3"]
  kill:
    shortCut: Shift-K
    description: force kill
    scopes: [pods]
    dangerous: true
    command: echo
    args: [killed, $NAME]
  missing:
    shortCut: Shift-M
    description: a tool that is not installed
    scopes: [pods]
    command: definitely-not-installed-xyz
    args: [$NAME]
  clash:
    shortCut: l
    description: takes kubedeck's l
    scopes: [pods]
    command: echo
"#;

fn k9s_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plugins.yaml"), PLUGINS).unwrap();
    dir
}

fn with_plugins(w: &common::World, dir: &tempfile::TempDir, extra: &[&str]) -> Term {
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let k9s = dir.path().to_string_lossy().to_string();
    let mut args = vec!["--kubeconfig", kc.as_str(), "--view", "pods", "-n", "marks"];
    args.extend_from_slice(extra);
    Term::spawn(&args, 160, 45, &[("K9S_CONFIG_DIR", k9s.as_str())])
}

#[test]
fn k9s_plugins_run_in_a_pane_or_in_the_background_and_a_clash_is_said() {
    let w = marks_world();
    let dir = k9s_dir();
    let mut t = with_plugins(&w, &dir, &[]);
    t.wait_for("mk-1");
    // The clash is said once, and `l` stays kubedeck's.
    t.wait_for("plugin clash: l is kubedeck's logs key");
    t.send("/mk-1\r");
    t.wait_for("[1/4]");
    // A foreground plugin: its output in a pane beside the dashboard, $COL-STATUS the cell.
    t.send("Z");
    t.wait_for("hello-mk-1 status=Running ns=marks");
    t.wait_for("plugin hello: pod/marks/mk-1");
    // Back to the dashboard (the prefix, then Tab), and a background one: its exit status and
    // last line in the status bar.
    t.send("\x01\t");
    t.send("B");
    t.wait_for("plugin later: exited 3: bye-mk-1");
    // `?` lists the plugins of the view.
    t.send("?");
    let help = t.wait_for("Plugins of this view");
    assert!(help.contains("hello: say hello"), "{help}");
    assert!(help.contains("kill: force kill (dangerous)"), "{help}");
    t.send("\x1b");
    t.wait_gone("Plugins of this view");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_plugin_gets_a_private_kubeconfig_removed_after_and_a_missing_command_is_said() {
    let w = marks_world();
    let dir = k9s_dir();
    let mut t = with_plugins(&w, &dir, &[]);
    t.wait_for("mk-1");
    t.send("/mk-1\r");
    t.wait_for("[1/4]");
    t.send("V");
    let screen = t.wait_for("mode=600");
    let path = screen
        .lines()
        .find_map(|l| l.split("at=").nth(1))
        .map(|p| p.trim_end_matches('│').trim().to_string())
        .expect("the path printed");
    // The session ended with the script: its copy goes with it.
    let end = Instant::now() + Duration::from_secs(30);
    while std::path::Path::new(&path).exists() {
        assert!(Instant::now() < end, "{path} is still there");
        std::thread::sleep(Duration::from_millis(50));
    }
    // A command that does not exist says so in its pane.
    t.send("\x01\t");
    t.send("M");
    t.wait_until("the shell's not found", |s| {
        s.contains("definitely-not-installed-xyz") && s.contains("not found")
    });
    // The focused pane is the plugin's: the prefix, then `:q`.
    t.send("\x01:");
    t.send("q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_dangerous_plugin_is_refused_read_only_and_hidden_from_help() {
    let w = marks_world();
    let dir = k9s_dir();
    let mut t = with_plugins(&w, &dir, &["--readonly"]);
    t.wait_for("mk-1");
    // The plugin files are read (their one problem said) before the key is pressed.
    t.wait_for("problem(s) in plugins");
    t.send("K");
    t.wait_for("plugin kill not run: it is marked dangerous and kubedeck is read-only");
    t.send("?");
    let help = t.wait_for("Plugins of this view");
    assert!(!help.contains("force kill"), "{help}");
    t.send("\x1b");
    t.wait_gone("Plugins of this view");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn enter_on_a_pod_lists_its_containers_and_l_reads_the_one_under_the_cursor() {
    let w = world(common::frozen(2));
    let pod = pods::pod("marks", "two-box")
        .containers(&["app", "sidecar"])
        .image("nginx:1.27")
        .ready();
    w.sim.store().put(Kind::Pod, pod.json());
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "marks"], 160, 45);
    t.wait_for("two-box");
    t.send("\r");
    let screen = t.wait_until("its containers", |s| {
        s.contains("two-box containers") && rows(s).len() == 2
    });
    let listed = rows(&screen);
    assert!(
        listed[0].starts_with("app ") && listed[0].contains("nginx:1.27"),
        "{listed:?}"
    );
    assert!(listed[1].starts_with("sidecar "), "{listed:?}");
    assert!(listed.iter().all(|r| r.contains("Running")), "{listed:?}");
    // The second container's log, not a picker.
    t.send("j");
    t.send("l");
    t.wait_for("logs two-box/sidecar");
    // Tab back to the dashboard (a log pane has no prefix), Esc back to the pods.
    t.send("\t");
    t.send("\x1b");
    t.wait_for("pods(marks)");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn own_columns_from_views_yaml_read_paths_as_kubectl_does_and_sort() {
    let w = world(common::frozen(120));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("views.yaml"),
        "views:\n  apps/v1/deployments:\n    sortColumn: IMAGE:desc\n    columns:\n      - NAME\n      - IMAGE:.spec.template.spec.containers[0].image\n      - READY\n",
    )
    .unwrap();
    // kubectl's own reading of the same path.
    let (ok, out, err) = common::kubectl(
        &w.kubeconfig,
        &[
            "get",
            "deployments",
            "-n",
            "demo",
            "-o",
            "custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image",
        ],
    );
    assert!(ok, "{err}");
    let expected = common::kubectl_rows(&out);
    assert!(expected.len() > 1, "{out}");
    let image_of: std::collections::HashMap<&str, &str> = expected
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let k9s = dir.path().to_string_lossy().to_string();
    let mut t = Term::spawn(
        &["--kubeconfig", kc.as_str(), "--view", "pods", "-n", "demo"],
        200,
        50,
        &[("K9S_CONFIG_DIR", k9s.as_str())],
    );
    t.wait_for("pods(demo)");
    t.send(":deploy\r");
    // views.yaml is read beside the start: the view takes its columns whenever they come.
    let screen = t.wait_until("the deployments in their own columns", |s| {
        s.contains("deployments(demo)")
            && rows(s).len() == expected.len()
            && s.lines().nth(2).is_some_and(|h| h.contains("IMAGE↓"))
    });
    let header = screen.lines().nth(2).unwrap_or_default();
    let titles: Vec<&str> = header.trim_matches('│').split_whitespace().collect();
    assert_eq!(&titles[..3], ["NAME", "IMAGE↓", "READY"], "{header}");
    // Each deployment's IMAGE is kubectl's reading of the path, and they go down.
    let shown: Vec<(String, String)> = rows(&screen)
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.split_whitespace().collect();
            (cells[0].to_string(), cells[1].to_string())
        })
        .collect();
    for (name, image) in &shown {
        assert_eq!(
            image_of.get(name.as_str()),
            Some(&image.as_str()),
            "{screen}"
        );
    }
    assert!(shown.windows(2).all(|w| w[0].1 >= w[1].1), "{screen}");
    // The server's other columns, wide only.
    assert!(!titles.contains(&"UP-TO-DATE"), "{header}");
    t.send("\x17");
    t.wait_until("wide", |s| {
        s.lines().nth(2).is_some_and(|h| h.contains("UP-TO-DATE"))
    });
    // Filtering reads the path's cells too.
    let image = shown[0].1.clone();
    t.send(&format!("/{image}\r"));
    t.wait_until("filtered by image", |s| {
        rows(s).iter().all(|r| r.contains(&image)) && !rows(s).is_empty()
    });
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn an_alias_and_a_hotkey_written_while_it_runs_are_read_and_used() {
    let w = marks_world();
    let dir = tempfile::tempdir().unwrap();
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let k9s = dir.path().to_string_lossy().to_string();
    let mut t = Term::spawn(
        &["--kubeconfig", kc.as_str(), "--view", "pods", "-n", "marks"],
        120,
        30,
        &[("K9S_CONFIG_DIR", k9s.as_str())],
    );
    t.wait_for("mk-1");
    std::fs::write(
        dir.path().join("aliases.yaml"),
        "aliases:\n  elsewhere: pods other\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hotkeys.yaml"),
        "hotKeys:\n  nodes:\n    shortCut: Shift-0\n    description: the nodes\n    command: nodes\n",
    )
    .unwrap();
    t.wait_for("k9s files read again: 0 plugin(s), 1 hotkey(s), 1 alias(es)");
    // The alias: a whole command with its namespace.
    t.send(":elsewhere\r");
    t.wait_for("elsewhere-1");
    t.wait_for("pods(other)");
    // The hotkey: Shift-0 is `)`.
    t.send(")");
    t.wait_for("nodes(other)");
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}
