//! Any kind, end to end: the real binary in a PTY against the simulator, `:KIND` typed as a
//! user would, the screen read back and compared with what real `kubectl get` prints against
//! the same simulator (kubectl renders the server's Table; so must we), then kept live through
//! the Table watch when an object is deleted. Needs kubectl (`.ci/run` installs it).

use crate::common;

use common::term::Term;
use common::world;
use common::{kubectl_rows, line_of};

/// kubectl's stdout; it must succeed.
fn kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> String {
    let (ok, out, err) = common::kubectl(kubeconfig, args);
    assert!(ok, "kubectl {args:?}: {err}");
    out
}

/// `:KIND` in namespace demo, then the cursor on `name` alone (a filter keeps one row).
fn select_one(t: &mut Term, command: &str, kind: &str, name: &str) {
    t.send(&format!(":{command}\r"));
    t.wait_for(&format!("{kind}(demo)"));
    t.send(&format!("/^{name}$\r"));
    t.wait_until(&format!("only {name}"), |s| s.contains("[1/"));
}

/// The API server's warnings about a change are said after it, as kubectl prints them: a
/// restart in a namespace whose Pod Security `warn` level the template breaks.
#[test]
fn a_change_the_server_warns_of_says_the_warning() {
    let w = world(common::frozen(120));
    let labelled = kubectl(
        &w.kubeconfig,
        &[
            "label",
            "ns",
            "demo",
            "pod-security.kubernetes.io/warn=restricted",
        ],
    );
    assert!(labelled.contains("labeled"), "{labelled}");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 200, 40);
    t.wait_for("pods(demo)");
    select_one(&mut t, "deploy", "deployments", "worker");
    t.send("A");
    t.wait_for("Restart every pod of deployment/demo/worker");
    t.send("y");
    let screen = t.wait_for(
        "the server warned: would violate PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false",
    );
    // First on the status line (the rollout's progress after it, cut here: its table
    // shows it too).
    assert!(
        screen
            .lines()
            .last()
            .is_some_and(|l| l.starts_with(" the server warned: would violate")),
        "{screen}"
    );
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn deployments_services_and_a_custom_resource_show_what_kubectl_shows() {
    let w = world(common::frozen(120));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 200, 50);
    t.wait_for("pods(demo)");
    for (command, kind) in [
        (":deploy\r", "deployments"),
        (":svc\r", "services"),
        (":wd\r", "widgets"),
        (":cj\r", "cronjobs"),
    ] {
        let expected = kubectl_rows(&kubectl(&w.kubeconfig, &["get", kind, "-n", "demo"]));
        assert!(!expected.is_empty(), "kubectl listed no {kind}");
        t.send(command);
        let first = expected[0][0].clone();
        let screen = t.wait_until(&format!("{kind} listed"), |s| {
            s.contains(&format!("{kind}(demo)")) && line_of(s, &first).is_some()
        });
        for row in &expected {
            let line = line_of(&screen, &row[0])
                .unwrap_or_else(|| panic!("{kind}/{} not on screen:\n{screen}", row[0]));
            // Every cell kubectl printed is on the row, in kubectl's order.
            let mut rest = line;
            for cell in row {
                let at = rest.find(cell.as_str()).unwrap_or_else(|| {
                    panic!("{kind}: {cell:?} missing or out of order in {line:?}")
                });
                rest = &rest[at + cell.len()..];
            }
        }
    }
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_deleted_object_leaves_the_view_live_and_an_unknown_kind_is_explained() {
    let w = world(common::frozen(120));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 40);
    t.wait_for("pods(demo)");
    t.send(":cm\r");
    t.wait_for("api-config");
    t.wait_for("billing-config");
    kubectl(
        &w.kubeconfig,
        &["delete", "configmap", "api-config", "-n", "demo"],
    );
    let screen = t.wait_gone("api-config");
    assert!(screen.contains("billing-config"), "{screen}");
    t.send(":certificates.cert-manager.io\r");
    t.wait_for("the server doesn't have a resource type \"certificates.cert-manager.io\"");
    // `:api-resources` lists what the server serves; Enter opens one.
    t.send(":api-resources\r");
    t.wait_for("persistentvolumeclaims");
    t.send("/^widgets$\r");
    t.wait_for("example.com/v1");
    t.send("\r");
    t.wait_for("Provisioning");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_deployment_is_scaled_and_restarted_from_its_view() {
    let w = world(common::frozen(120));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 40);
    t.wait_for("pods(demo)");
    select_one(&mut t, "deploy", "deployments", "worker");
    t.send("a");
    t.wait_for(":scale ");
    t.send("4\r");
    t.wait_for("Scale deployment/demo/worker to 4 replicas");
    t.send("y");
    // Followed until rolled out (the simulator's status converges at once on a scale).
    t.wait_for("deployment/demo/worker rolled out: 4 of 4 updated and available");
    // The server has it, and the view shows it live.
    let printed = kubectl(&w.kubeconfig, &["get", "deploy", "worker", "-n", "demo"]);
    assert!(printed.contains("4/4"), "{printed}");
    t.wait_until("4/4 on screen", |s| {
        line_of(s, "worker").is_some_and(|l| l.contains("4/4"))
    });
    t.send("A");
    t.wait_for("Restart every pod of deployment/demo/worker");
    t.send("y");
    // The new template goes out: followed live (the frozen simulator does not move it on).
    t.wait_for("rolling out deployment/demo/worker: 0 of 4 updated, 4 available");
    let annotations = kubectl(
        &w.kubeconfig,
        &[
            "get",
            "deploy",
            "worker",
            "-n",
            "demo",
            "-o",
            "jsonpath={.spec.template.metadata.annotations}",
        ],
    );
    assert!(
        annotations.contains("kubectl.kubernetes.io/restartedAt"),
        "{annotations}"
    );
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn a_configmap_is_deleted_and_a_secret_revealed_from_their_views() {
    let w = world(common::frozen(120));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 200, 40);
    t.wait_for("pods(demo)");
    select_one(&mut t, "cm", "configmaps", "api-config");
    t.send("\x04");
    // The confirmation names the object, the context and the propagation.
    t.wait_for("Delete configmap/demo/api-config (context");
    t.wait_for("propagation: Background");
    t.send("y");
    t.wait_until("the row gone", |s| line_of(s, "api-config").is_none());
    let (ok, _, err) = common::kubectl(&w.kubeconfig, &["get", "cm", "api-config", "-n", "demo"]);
    assert!(!ok && err.contains("NotFound"), "{err}");

    // A Secret's values are masked in describe until X, and masked again by X.
    select_one(&mut t, "secret", "secrets", "api-credentials");
    t.send("d");
    let masked = t.wait_for("password:");
    assert!(!masked.contains("s3cr3t-not-real"), "{masked}");
    t.send("X");
    t.wait_for("s3cr3t-not-real");
    t.send("X");
    t.wait_gone("s3cr3t-not-real");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// An "editor" for the tests: a script run as `$KUBE_EDITOR FILE`.
fn editor_script(dir: &std::path::Path, body: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("editor.sh");
    std::fs::write(&path, format!("#!/bin/sh\nset -e\nf=\"$1\"\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// An editor that makes one change (a sed expression) the first time it opens, and the second
/// time (the change refused, the editor reopened) keeps the file as `reason.yaml` in `dir` and
/// empties it (giving up).
fn refused_once_editor(dir: &std::path::Path, change: &str) -> std::path::PathBuf {
    let body = format!(
        "if [ ! -e {mark} ]; then touch {mark}; sed -i '{change}' \"$f\"; else cp \"$f\" {evidence}; : > \"$f\"; fi",
        mark = dir.join("once").display(),
        evidence = dir.join("reason.yaml").display(),
    );
    editor_script(dir, &body)
}

fn start_with_editor(w: &common::World, editor: &std::path::Path) -> Term {
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let editor = editor.to_string_lossy().to_string();
    Term::spawn(
        &["--kubeconfig", &kc, "--view", "pods", "-n", "demo"],
        160,
        40,
        &[("KUBE_EDITOR", &editor)],
    )
}

/// Saving after someone else changed the object keeps both people's work, as kubectl edit
/// does: their annotation and your data change are both in; where you both changed the same
/// field, the editor reopens on the current version with the clash named, and your choice wins.
#[test]
fn an_edit_after_someone_elses_change_keeps_both_and_asks_only_where_they_clash() {
    let w = world(common::frozen(120));
    let dir = tempfile::tempdir().unwrap();
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let evidence = dir.path().join("second-open.yaml");
    // api-config: someone annotates it while you change LOG_LEVEL. worker-config: someone sets
    // LOG_LEVEL to warn while you set it to debug; the second open is kept as evidence and
    // set to debug again.
    let body = format!(
        "case \"$f\" in\n*api-config*)\n  kubectl --kubeconfig {kc} -n demo annotate configmap api-config meanwhile=yes >/dev/null\n  sed -i 's/LOG_LEVEL: info/LOG_LEVEL: debug/' \"$f\" ;;\n*worker-config*)\n  if [ ! -e {mark} ]; then\n    touch {mark}\n    kubectl --kubeconfig {kc} -n demo patch configmap worker-config -p '{{\"data\":{{\"LOG_LEVEL\":\"warn\"}}}}' >/dev/null\n    sed -i 's/LOG_LEVEL: info/LOG_LEVEL: debug/' \"$f\"\n  else\n    cp \"$f\" {evidence}\n    sed -i 's/^  LOG_LEVEL: warn$/  LOG_LEVEL: debug/' \"$f\"\n  fi ;;\nesac",
        mark = dir.path().join("opened-once").display(),
        evidence = evidence.display(),
    );
    let editor = editor_script(dir.path(), &body);
    let mut t = start_with_editor(&w, &editor);
    t.wait_for("pods(demo)");
    let get = |name: &str, path: &str| {
        kubectl(
            &w.kubeconfig,
            &[
                "get",
                "configmap",
                name,
                "-n",
                "demo",
                "-o",
                &format!("jsonpath={path}"),
            ],
        )
    };
    // Different fields: applied at once, both kept, the editor not reopened.
    select_one(&mut t, "cm", "configmaps", "api-config");
    t.send("E");
    t.wait_for("applied your edit of configmap/demo/api-config");
    assert_eq!(
        get(
            "api-config",
            "{.data.LOG_LEVEL} {.metadata.annotations.meanwhile}"
        )
        .trim(),
        "debug yes"
    );
    assert!(!evidence.exists(), "the editor reopened without a clash");

    // The same field: asked, with both values; the current version with theirs in it.
    // (Esc clears the filter; waited for, so it is not read with the next key as Alt.)
    t.send("\x1b");
    t.wait_gone("/^api-config$");
    select_one(&mut t, "cm", "configmaps", "worker-config");
    t.send("E");
    t.wait_for("applied your edit of configmap/demo/worker-config");
    let second = std::fs::read_to_string(&evidence).unwrap();
    assert!(second.contains("NOT APPLIED"), "{second}");
    assert!(
        second.contains("# !   data.LOG_LEVEL: yours debug, theirs warn"),
        "{second}"
    );
    assert!(second.contains("\n  LOG_LEVEL: warn\n"), "{second}");
    assert_eq!(get("worker-config", "{.data.LOG_LEVEL}").trim(), "debug");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn an_unchanged_edit_sends_nothing_and_an_invalid_one_is_explained() {
    let w = world(common::frozen(120));
    let dir = tempfile::tempdir().unwrap();
    let quit = editor_script(dir.path(), "true");
    let mut t = start_with_editor(&w, &quit);
    t.wait_for("pods(demo)");
    select_one(&mut t, "deploy", "deployments", "worker");
    t.send("E");
    t.wait_for("edit cancelled: nothing changed, nothing sent");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);

    let replicas = || {
        kubectl(
            &w.kubeconfig,
            &[
                "get",
                "deploy",
                "worker",
                "-n",
                "demo",
                "-o",
                "jsonpath={.spec.replicas}",
            ],
        )
    };
    let before = replicas();
    // Negative replicas: refused by the server; the second open gives up (empties the file).
    let reason = refused_edit_of_worker(&w, dir.path(), "s/^  replicas: .*/  replicas: -1/");
    assert!(
        reason.contains("must be greater than or equal to 0"),
        "{reason}"
    );
    assert_eq!(replicas(), before, "nothing was applied");
}

/// Edit deploy/worker with `change` (a sed script) refused once: the file the editor reopened
/// on, with the server's reason on top.
fn refused_edit_of_worker(w: &common::World, dir: &std::path::Path, change: &str) -> String {
    let editor = refused_once_editor(dir, change);
    let mut t = start_with_editor(w, &editor);
    t.wait_for("pods(demo)");
    select_one(&mut t, "deploy", "deployments", "worker");
    t.send("E");
    t.wait_for("edit cancelled");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
    std::fs::read_to_string(dir.join("reason.yaml")).unwrap_or_default()
}

/// A misspelt field (`replcas`) is refused by the server (kubedeck asks for strict field
/// validation, as kubectl edit does) and shown when the editor reopens; without it the server
/// drops the field, answers 200, and kubedeck said "applied" while the change was lost.
#[test]
fn an_edit_with_a_misspelt_field_is_refused_not_silently_dropped() {
    let w = world(common::frozen(120));
    let dir = tempfile::tempdir().unwrap();
    let replicas = || {
        w.sim
            .store()
            .get(
                kubedeck_sim::Kind::Deployment,
                &("demo".into(), "worker".into()),
            )
            .map(|d| {
                (
                    d["spec"]["replicas"].clone(),
                    d["spec"].get("replcas").cloned(),
                )
            })
    };
    let before = replicas();
    let reason = refused_edit_of_worker(
        &w,
        dir.path(),
        "0,/^  replicas: /s/^  replicas: .*/  replcas: 5/",
    );
    assert!(
        reason.contains("# ! ")
            && reason.contains(
                r#"Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replcas""#
            ),
        "{reason}"
    );
    assert!(
        reason.contains("replcas: 5"),
        "the user's text is kept: {reason}"
    );
    assert_eq!(replicas(), before, "nothing was applied");
    // A label's value written as a number (YAML's `1.5`) is not a string: refused too.
    let dir = tempfile::tempdir().unwrap();
    let reason = refused_edit_of_worker(
        &w,
        dir.path(),
        "0,/^    app: worker$/s//    app: worker\\n    version: 1.5/",
    );
    assert!(
        reason.contains(
            r#"Deployment in version "v1" cannot be handled as a Deployment: metadata.labels.version: invalid type: floating point"#
        ),
        "{reason}"
    );
}

/// A workload's selector may not change once set, as the apiserver says (Helm upgrades quote
/// the words in many public issues): the edit reopens with them, nothing applied.
#[test]
fn an_edit_of_a_deployments_selector_is_refused_as_immutable() {
    let w = world(common::frozen(120));
    let dir = tempfile::tempdir().unwrap();
    let reason = refused_edit_of_worker(&w, dir.path(), "s/app: worker$/app: worker2/");
    assert!(
        reason.contains(
            r#"# ! Deployment.apps "worker" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"worker2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#
        ),
        "{reason}"
    );
    let stored = w
        .sim
        .store()
        .get(
            kubedeck_sim::Kind::Deployment,
            &("demo".into(), "worker".into()),
        )
        .expect("deploy/worker");
    assert_eq!(stored["spec"]["selector"]["matchLabels"]["app"], "worker");
}

/// A pod's spec may change only in its images (and a few fields): an edit of anything else is
/// the apiserver's refusal, shown on top of the user's text when the editor reopens.
#[test]
fn an_edit_of_what_a_pod_may_not_change_is_refused_with_the_servers_reason() {
    let w = world(common::frozen(120));
    let dir = tempfile::tempdir().unwrap();
    let editor = refused_once_editor(dir.path(), "s/^  restartPolicy: .*/  restartPolicy: Never/");
    let pod = w
        .sim
        .store()
        .snapshot(kubedeck_sim::Kind::Pod)
        .items
        .iter()
        .find(|p| p["metadata"]["namespace"] == "demo" && p["spec"]["restartPolicy"] == "Always")
        .and_then(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .expect("a pod that restarts always");
    let mut t = start_with_editor(&w, &editor);
    t.wait_for("pods(demo)");
    t.send(&format!("/^{pod}$\r"));
    t.wait_until(&format!("only {pod}"), |s| s.contains("[1/"));
    t.send("E");
    t.wait_for("edit cancelled");
    let reason = std::fs::read_to_string(dir.path().join("reason.yaml")).unwrap_or_default();
    assert!(
        reason.contains("# ! ")
            && reason.contains(
                "is invalid: spec: Forbidden: pod updates may not change fields other than"
            ),
        "{reason}"
    );
    assert!(
        reason.contains("restartPolicy: Never"),
        "the user's text is kept: {reason}"
    );
    let kept = w
        .sim
        .store()
        .snapshot(kubedeck_sim::Kind::Pod)
        .items
        .iter()
        .filter(|p| p["metadata"]["name"] == pod.as_str())
        .all(|p| p["spec"]["restartPolicy"] == "Always");
    assert!(kept, "nothing was applied");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// The local port a new forward to `target` listens on, as the status line says it.
fn forwarded_port(t: &Term, target: &str) -> u16 {
    let arrow = format!("→ {target}");
    let screen = t.wait_for(&arrow);
    screen
        .lines()
        .find(|l| l.contains(&arrow))
        .and_then(|l| l.split("127.0.0.1:").nth(1))
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port on screen:\n{screen}"))
}

/// A plain HTTP GET on 127.0.0.1:`port`: the answer, or the error.
fn http_get(port: u16, path: &str) -> Result<String, String> {
    use std::io::{Read, Write};
    let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    c.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    c.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .map_err(|e| e.to_string())?;
    let mut out = String::new();
    c.read_to_string(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

#[test]
fn a_service_is_port_forwarded_listed_and_stopped() {
    let w = world(common::frozen(120));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 160, 40);
    t.wait_for("pods(demo)");
    select_one(&mut t, "svc", "services", "api");
    t.send("P");
    t.wait_for(":pf ");
    // Any free local port: the status line says which.
    t.send(":80\r");
    let port = forwarded_port(&t, "service/demo/api:80");
    let answer = http_get(port, "/").unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 200 OK") && answer.contains("hello from api-"),
        "{answer}"
    );
    t.send(":pf\r");
    t.wait_for("port-forwards(demo)");
    t.wait_until("one connection counted", |s| {
        line_of(s, &format!("127.0.0.1:{port}"))
            .is_some_and(|l| l.contains("0/1") && l.contains("listening"))
    });
    t.send("\x04");
    t.wait_for("forward stopped");
    assert!(
        http_get(port, "/").is_err(),
        "the port still answers after stop"
    );
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn rbac_and_read_only_refusals_are_said() {
    let w = world(common::frozen(120));
    // A user who may list deployments but not change them, nor forward ports.
    w.sim.faults().forbid("patch:deployments");
    w.sim.faults().forbid("pods/portforward");
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo"], 200, 40);
    t.wait_for("pods(demo)");
    select_one(&mut t, "deploy", "deployments", "worker");
    t.send("a");
    t.wait_for(":scale ");
    t.send("3\r");
    t.wait_for("Scale deployment/demo/worker to 3 replicas");
    t.send("y");
    t.wait_for("deployments.apps \"worker\" is forbidden: User \"kubedeck-sim\" cannot patch resource \"deployments/scale\"");
    t.send("A");
    t.wait_for("Restart every pod of deployment/demo/worker");
    t.send("y");
    t.wait_until("restart refused", |s| {
        s.lines().filter(|l| l.contains("is forbidden")).count() == 1
            && !s.contains("restarting the pods")
    });
    select_one(&mut t, "svc", "services", "api");
    t.send("P");
    t.wait_for(":pf ");
    t.send("0:80\r");
    let port = forwarded_port(&t, "service/demo/api:80");
    // The connection is refused by RBAC: closed, and :pf says why.
    assert_eq!(http_get(port, "/").unwrap_or_default(), "");
    t.send(":pf\r");
    t.wait_for("forbidden: pods \"api-");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);

    // Read-only: nothing is even asked.
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-n", "demo", "--readonly"], 200, 40);
    t.wait_for("pods(demo)");
    select_one(&mut t, "deploy", "deployments", "worker");
    t.send(":scale 2\r");
    t.wait_for("read-only mode");
    t.send(":pf 80\r");
    t.wait_for("read-only mode: port-forwards are disabled");
    t.send("E");
    t.wait_for("read-only");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}
