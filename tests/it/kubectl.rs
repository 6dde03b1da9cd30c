//! Real `kubectl` pointed at the simulator: proof that it speaks the wire protocol kubectl expects,
//! and that the Table it serves prints what a real apiserver's did for the same objects
//! (compared with kubectl's recorded printout in `tests/fixtures/real-cluster`, not with our own
//! code). Needs kubectl (`.ci/run` installs it); without it the tests fail and say so.

use crate::common;

use std::process::Command;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kubedeck_sim::Kind;

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .arg("version")
        .arg("--client")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Run kubectl off the async runtime (the simulator serves on it meanwhile).
async fn run(kubeconfig: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    run_with_env(kubeconfig, &[], args).await
}

async fn run_with_env(
    kubeconfig: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> (bool, String, String) {
    let path = kubeconfig.to_path_buf();
    let owned = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<String>>();
    let args = owned(args);
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        common::kubectl_with_env(&path, &env, &args)
    })
    .await
    .unwrap()
}

/// A frozen simulator with `pods` pods and a kubeconfig for it; kubectl must be installed.
async fn sim_for_kubectl(pods: usize) -> (kubedeck_sim::Sim, tempfile::TempPath) {
    // .ci/run installs kubectl: without it these tests fail and say so, never pass unseen.
    assert!(
        kubectl_available(),
        "kubectl is not installed: install it (.ci/run does) to check the simulator against it"
    );
    let sim = common::start(common::frozen(pods)).await;
    let kc = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    sim.write_kubeconfig(&kc).unwrap();
    (sim, kc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_gets_pods_pipelineruns_and_logs() {
    let (sim, kc) = sim_for_kubectl(25).await;
    let path = kc.to_path_buf();

    // get pods -A: kubectl's own columns, and each pod's STATUS/READY as kubedeck derives them.
    let (ok, out, err) = run(&path, &["get", "pods", "-A"]).await;
    assert!(ok, "kubectl get pods -A failed: {err}");
    let mut lines = out.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split_whitespace().collect()).collect();
    let pods = sim.store().snapshot(Kind::Pod).items;
    assert_eq!(rows.len(), pods.len());
    for p in &pods {
        let name = p["metadata"]["name"].as_str().unwrap_or_default();
        assert!(
            rows.iter().any(|row| row.get(1) == Some(&name)),
            "{name} missing from kubectl output"
        );
    }

    // get pipelineruns: the CRD's printer columns.
    let (ok, out, err) = run(&path, &["get", "pipelineruns", "-n", "ci"]).await;
    assert!(ok, "kubectl get pipelineruns failed: {err}");
    let header: Vec<&str> = out
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    assert_eq!(
        header,
        ["NAME", "SUCCEEDED", "REASON", "STARTTIME", "COMPLETIONTIME"]
    );
    assert_eq!(
        out.lines().count() - 1,
        sim.store().count(Kind::PipelineRun)
    );
    assert!(
        out.contains("Succeeded") && out.contains("Running"),
        "{out}"
    );

    // logs --tail: the same lines the API serves.
    let steady = pods
        .iter()
        .find(|p| {
            p["metadata"]["annotations"]["sim.kubedeck.dev/role"] == "steady"
                && p["spec"]["containers"]
                    .as_array()
                    .is_some_and(|c| c.len() == 1)
        })
        .expect("a steady pod");
    let ns = steady["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let name = steady["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (ok, out, err) = run(&path, &["logs", "-n", &ns, &name, "--tail", "3"]).await;
    assert!(ok, "kubectl logs failed: {err}");
    assert_eq!(out.lines().count(), 3, "{out}");
    let client = common::client_for(&sim).await;
    let api: kube::Api<Pod> = kube::Api::namespaced(client, &ns);
    let via_api = api
        .logs(
            &name,
            &kube::api::LogParams {
                tail_lines: Some(3),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_default();
    // Lines are generated per index; the newest may have advanced by one between the calls.
    let first_kubectl = out.lines().next().unwrap_or_default();
    assert!(
        via_api.contains(first_kubectl) || out.contains(via_api.lines().next().unwrap_or("-")),
        "kubectl:\n{out}\napi:\n{via_api}"
    );

    // A missing pod gets kubectl's NotFound message from our Status body.
    let (ok, _, err) = run(&path, &["get", "pod", "-n", "demo", "does-not-exist"]).await;
    assert!(
        !ok && err.contains("pods \"does-not-exist\" not found"),
        "{err}"
    );

    // Pod owners: kubectl finds them by short name, and a Deployment's selector (what
    // kubedeck's `:logs deploy/NAME` reads) selects its app's pods.
    let (ok, out, err) = run(&path, &["get", "deploy,rs", "-n", "demo", "-o", "name"]).await;
    assert!(ok, "kubectl get deploy,rs failed: {err}");
    let deploy = out
        .lines()
        .find(|l| l.starts_with("deployment.apps/"))
        .unwrap_or_else(|| panic!("no deployment: {out}"))
        .trim_start_matches("deployment.apps/")
        .to_string();
    assert!(out.contains("replicaset.apps/"), "{out}");
    let (ok, out, err) = run(
        &path,
        &[
            "get",
            "deploy",
            "-n",
            "demo",
            &deploy,
            "-o",
            "jsonpath={.spec.selector.matchLabels.app}",
        ],
    )
    .await;
    assert!(ok && out == deploy, "{out} {err}");
}

/// Run kubectl with stdin (bounded in time); its exit code, stdout and stderr.
async fn run_with_stdin(
    kubeconfig: &std::path::Path,
    args: &[&str],
    stdin: &str,
) -> (Option<i32>, String, String) {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .env_remove("KUBECONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("run kubectl");
    if let Some(mut i) = child.stdin.take() {
        let _ = i.write_all(stdin.as_bytes()).await;
    }
    // Bounded: a stuck session fails here instead of hanging the run.
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("kubectl {args:?} did not end within 60 s"))
        .expect("kubectl");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_exec_and_debug_work_against_the_simulator() {
    let (sim, kc) = sim_for_kubectl(10).await;
    let pod = sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .find(|p| {
            p["status"]["phase"] == "Running"
                && p["status"]["containerStatuses"][0]["state"]["running"].is_object()
        })
        .cloned()
        .expect("a running pod");
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let container = pod["spec"]["containers"][0]["name"]
        .as_str()
        .unwrap_or_default();

    // stdout, stderr and the exit code travel the v5 channels as kubectl expects.
    let (code, out, err) = run_with_stdin(
        &kc,
        &[
            "exec",
            "-n",
            ns,
            name,
            "-c",
            container,
            "--",
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ],
        "",
    )
    .await;
    assert_eq!(code, Some(3), "{err}");
    assert_eq!(out, "out\n");
    assert!(err.contains("err"), "{err}");

    // stdin reaches the process.
    let (code, out, err) = run_with_stdin(
        &kc,
        &["exec", "-i", "-n", ns, name, "-c", container, "--", "sh"],
        "echo $((6*7))\nexit\n",
    )
    .await;
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), "42");

    // With a TTY (`script` gives kubectl one): the remote side sees a terminal of its size.
    let script = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        script,
        "no `script` (util-linux) here: install it (.ci/run does)"
    );
    {
        let inner = format!(
            "kubectl --kubeconfig {} exec -it -n {ns} {name} -c {container} -- sh -c 'test -t 0 && echo tty-$((6*7))'",
            kc.display()
        );
        // Bounded: a stuck session fails here with what it printed instead of hanging the run.
        let child = tokio::process::Command::new("script")
            .args(["-qec", &inner, "/dev/null"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("script");
        let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
            .await
            .unwrap_or_else(|_| panic!("kubectl exec -it did not end within 60 s"))
            .expect("script");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("tty-42"), "{text}");
    }

    // kubectl debug adds an ephemeral container targeting the app container.
    let (code, _, err) = run_with_stdin(
        &kc,
        &[
            "debug",
            "-n",
            ns,
            name,
            "--image=busybox:1.37",
            "--target",
            container,
            "--container=dbg",
            "--profile=general",
            "--",
            "sh",
            "-c",
            "echo dbg",
        ],
        "",
    )
    .await;
    assert_eq!(code, Some(0), "{err}");
    let updated = sim
        .store()
        .get(Kind::Pod, &(ns.to_string(), name.to_string()))
        .expect("pod gone");
    let eph = &updated["spec"]["ephemeralContainers"][0];
    assert_eq!(eph["name"], "dbg", "{updated}");
    assert_eq!(eph["targetContainerName"], container);
    assert_eq!(
        eph["securityContext"]["capabilities"]["add"][0],
        "SYS_PTRACE"
    );
}

/// A kubectl table's cells by the header's column positions (cells may hold spaces:
/// `5 (113s ago)`).
fn cells(table: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    let mut starts: Vec<(usize, String)> = Vec::new();
    let mut at = 0;
    for word in header.split("   ").flat_map(|w| {
        // Titles are separated by at least three spaces; a title may hold one ("NOMINATED NODE").
        let w = w.trim();
        (!w.is_empty()).then_some(w)
    }) {
        if let Some(i) = header[at..].find(word) {
            starts.push((at + i, word.to_string()));
            at += i + word.len();
        }
    }
    lines
        .map(|l| {
            starts
                .iter()
                .enumerate()
                .map(|(i, (start, title))| {
                    let end = starts.get(i + 1).map_or(l.len(), |n| n.0.min(l.len()));
                    let cell = l.get((*start).min(l.len())..end).unwrap_or_default();
                    (title.clone(), cell.trim().to_string())
                })
                .collect()
        })
        .collect()
}

/// The pods a real cluster served, in the simulator: `kubectl get pods -o wide` prints what it
/// printed against the real apiserver (every column but the ages, which move with the clock).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulators_table_prints_what_a_real_apiserver_did() {
    assert!(
        kubectl_available(),
        "kubectl is not installed: install it (.ci/run does) to check the simulator against it"
    );
    let sim = common::start(common::frozen(5)).await;
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/real-cluster/pods-demo.json")).unwrap();
    let items = fixture["items"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty());
    for pod in items {
        sim.store().put(Kind::Pod, pod);
    }
    let kc = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    sim.write_kubeconfig(&kc).unwrap();
    let (ok, out, err) = run(&kc, &["get", "pods", "-n", "demo", "-o", "wide"]).await;
    assert!(ok, "kubectl get pods -o wide failed: {err}");
    let recorded = cells(include_str!(
        "../fixtures/real-cluster/pods-demo.kubectl.txt"
    ));
    let served = cells(&out);
    let restarts = |c: &str| c.split_whitespace().next().unwrap_or_default().to_string();
    for want in &recorded {
        let name = &want["NAME"];
        let got = served
            .iter()
            .find(|r| r.get("NAME") == Some(name))
            .unwrap_or_else(|| panic!("{name} missing from:\n{out}"));
        for col in [
            "READY",
            "STATUS",
            "IP",
            "NODE",
            "NOMINATED NODE",
            "READINESS GATES",
        ] {
            assert_eq!(got.get(col), want.get(col), "{name} {col}:\n{out}");
        }
        assert_eq!(
            restarts(&got["RESTARTS"]),
            restarts(&want["RESTARTS"]),
            "{name} RESTARTS:\n{out}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_scales_restarts_and_replaces_against_the_simulator() {
    let (_sim, kc) = sim_for_kubectl(120).await;
    let path = kc.to_path_buf();
    let (ok, out, err) = run(
        &path,
        &["scale", "deploy/api", "-n", "demo", "--replicas=5"],
    )
    .await;
    assert!(
        ok && out.contains("deployment.apps/api scaled"),
        "{out}{err}"
    );
    // Who am I: the SelfSubjectReview kubedeck's agent sessions log.
    let (ok, out, err) = run(&path, &["auth", "whoami"]).await;
    assert!(ok && out.contains("kubedeck-sim"), "{out}{err}");
    let (_, out, _) = run(&path, &["get", "deploy", "api", "-n", "demo"]).await;
    assert!(
        out.lines().nth(1).is_some_and(|l| l.contains("5/5")),
        "{out}"
    );
    let (ok, out, err) = run(&path, &["rollout", "restart", "deploy/api", "-n", "demo"]).await;
    assert!(
        ok && out.contains("deployment.apps/api restarted"),
        "{out}{err}"
    );
    // A selector that changes, or does not select the template's pods: the apiserver's 422.
    let patch_api = |json: &'static str| {
        let path = path.clone();
        async move { run(&path, &["patch", "deploy", "api", "-n", "demo", "-p", json]).await }
    };
    let (ok, _, err) = patch_api(
        r#"{"spec":{"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}}}}}"#,
    )
    .await;
    assert!(!ok);
    assert_eq!(
        err.trim(),
        r#"The Deployment "api" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#
    );
    let (ok, _, err) =
        patch_api(r#"{"spec":{"template":{"metadata":{"labels":{"app":"x"}}}}}"#).await;
    assert!(!ok);
    assert_eq!(
        err.trim(),
        r#"The Deployment "api" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`"#
    );
    // A stale object replaced: the apiserver's 409, as kubectl printed it on the real cluster.
    let (_, stale, _) = run(&path, &["get", "deploy", "api", "-n", "demo", "-o", "json"]).await;
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), stale).unwrap();
    run(
        &path,
        &["scale", "deploy/api", "-n", "demo", "--replicas=2"],
    )
    .await;
    let file_arg = file.path().to_string_lossy().to_string();
    let (ok, _, err) = run(&path, &["replace", "-f", &file_arg]).await;
    assert!(!ok);
    let recorded = std::fs::read_to_string(format!(
        "{}/tests/fixtures/real-cluster/kinds/wire-conflict-409.kubectl.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default();
    let real = recorded
        .lines()
        .find(|l| l.starts_with("Error from server (Conflict)"))
        .unwrap_or_default();
    let tail = |s: &str| {
        s.split(": Operation")
            .nth(1)
            .map(|t| t.replace("\"web\"", "\"api\""))
    };
    assert_eq!(tail(err.trim()), tail(real), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_edit_changes_one_container_and_keeps_the_rest() {
    let (_sim, kc) = sim_for_kubectl(120).await;
    let path = kc.to_path_buf();
    let containers = |json: &str| -> Vec<serde_json::Value> {
        serde_json::from_str::<serde_json::Value>(json).unwrap_or_default()["spec"]["template"]
            ["spec"]["containers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let (_, before, _) = run(&path, &["get", "deploy", "api", "-n", "demo", "-o", "json"]).await;
    let before = containers(&before);
    assert!(before.len() >= 2, "{before:?}");
    let first = before[0]["name"].as_str().unwrap_or_default().to_string();
    // The editor changes the first container's image only (kubectl's default validation is
    // strict: it reads /openapi/v3 first, then sends a strategic merge patch).
    let editor = "sed -i -E '0,/^ *- image: /s|^( *)- image: .*|\\1- image: busybox:edited|'";
    let (ok, out, err) = run_with_env(
        &path,
        &[("KUBE_EDITOR", editor)],
        &["edit", "deploy/api", "-n", "demo"],
    )
    .await;
    assert!(
        ok && out.contains("deployment.apps/api edited"),
        "{out}{err}"
    );
    let (_, after, _) = run(&path, &["get", "deploy", "api", "-n", "demo", "-o", "json"]).await;
    assert!(!after.contains("$setElementOrder"), "{after}");
    let after = containers(&after);
    assert_eq!(after.len(), before.len(), "{after:?}");
    assert_eq!(after[0]["name"], first.as_str());
    assert_eq!(after[0]["image"], "busybox:edited");
    // Everything else of the container, and the other containers, are as they were.
    for (i, (b, a)) in before.iter().zip(&after).enumerate() {
        let mut expected = b.clone();
        if i == 0 {
            expected["image"] = "busybox:edited".into();
        }
        assert_eq!(a, &expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_may_change_a_pods_image_and_labels_but_nothing_else_of_its_spec() {
    let (sim, kc) = sim_for_kubectl(10).await;
    let pod = sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .find(|p| p["metadata"]["namespace"] == "demo" && p["spec"]["restartPolicy"] == "Always")
        .cloned()
        .expect("a pod in demo");
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let container = pod["spec"]["containers"][0]["name"]
        .as_str()
        .unwrap_or_default();
    let (ok, out, err) = run(
        &kc,
        &[
            "set",
            "image",
            &format!("pod/{name}"),
            &format!("{container}=busybox:edited"),
            "-n",
            "demo",
        ],
    )
    .await;
    assert!(ok && out.contains("image updated"), "{out}{err}");
    let (ok, out, err) = run(&kc, &["label", "pod", name, "-n", "demo", "triage=yes"]).await;
    assert!(ok && out.contains("labeled"), "{out}{err}");
    let (ok, _, err) = run(
        &kc,
        &[
            "patch",
            "pod",
            name,
            "-n",
            "demo",
            "-p",
            r#"{"spec":{"restartPolicy":"OnFailure"}}"#,
        ],
    )
    .await;
    assert!(!ok);
    assert!(
        err.contains(&format!("The Pod \"{name}\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`")),
        "{err}"
    );
    let stored = sim
        .store()
        .get(Kind::Pod, &("demo".into(), name.into()))
        .expect("the pod");
    assert_eq!(
        stored["spec"]["restartPolicy"],
        pod["spec"]["restartPolicy"]
    );
    assert_eq!(stored["spec"]["containers"][0]["image"], "busybox:edited");
}

/// What an HTTP GET of `path` through a local port answers (the whole response).
fn http_get(port: u16, path: &str) -> String {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", port))
        .unwrap_or_else(|e| panic!("connect to the forwarded port {port}: {e}"));
    conn.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    answer
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_reaches_a_pod_and_a_service() {
    use std::io::BufRead;
    let (sim, kc) = sim_for_kubectl(20).await;
    let pods = sim.store().snapshot(Kind::Pod).items;
    let pod = pods
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "web" && p["status"]["phase"] == "Running")
        .expect("no running web pod");
    let pod_name = pod["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let namespace = pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Behind the Service: any running web pod of the namespace (kubectl picks one).
    let web_pods: Vec<String> = pods
        .iter()
        .filter(|p| {
            p["metadata"]["labels"]["app"] == "web"
                && p["metadata"]["namespace"] == namespace.as_str()
                && p["status"]["phase"] == "Running"
        })
        .filter_map(|p| p["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    for target in [format!("pod/{pod_name}"), "svc/web".to_string()] {
        let expected: Vec<String> = if target.starts_with("svc/") {
            web_pods.clone()
        } else {
            vec![pod_name.clone()]
        };
        let kc_path = kc.to_path_buf();
        let ns = namespace.clone();
        // kubectl picks a free local port (":8080" / ":80") and prints it; the test reads it.
        let remote = if target.starts_with("svc/") {
            ":80"
        } else {
            ":8080"
        };
        let (mut child, port, stdout) = tokio::task::spawn_blocking(move || {
            let mut child = std::process::Command::new("kubectl")
                .arg("--kubeconfig")
                .arg(&kc_path)
                .args([
                    "port-forward",
                    "-n",
                    &ns,
                    &target,
                    remote,
                    "--address",
                    "127.0.0.1",
                ])
                .env_remove("KUBECONFIG")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::null())
                .spawn()
                .expect("run kubectl");
            let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            // "Forwarding from 127.0.0.1:PORT -> 8080"
            let port = line
                .split("127.0.0.1:")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|p| p.parse::<u16>().ok())
                .unwrap_or_else(|| {
                    let _ = child.kill();
                    panic!("kubectl port-forward printed {line:?}")
                });
            assert!(line.trim_end().ends_with("-> 8080"), "{line}");
            (child, port, stdout)
        })
        .await
        .unwrap();
        let (ok, missing) = tokio::task::spawn_blocking(move || {
            // Several connections over one forward, each its own pair of SPDY streams.
            let answers: Vec<String> = (0..3).map(|_| http_get(port, "/")).collect();
            (answers, http_get(port, "/missing"))
        })
        .await
        .unwrap();
        let _ = child.kill();
        let _ = child.wait();
        drop(stdout);
        for answer in &ok {
            assert!(
                answer.starts_with("HTTP/1.1 200 OK")
                    && expected
                        .iter()
                        .any(|p| answer.ends_with(&format!("hello from {p}\n"))),
                "{answer:?} (expected one of {expected:?})"
            );
        }
        assert!(missing.starts_with("HTTP/1.1 404 Not Found"), "{missing}");
    }
}

/// A pod port nothing listens on: real kubectl, against the simulator, reads the kubelet's
/// refusal from the port's error stream (`error forwarding port 80 to pod …: connection
/// refused`), the connection gets nothing, and kubectl stops with "lost connection to pod", as
/// on a real cluster.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_port_forward_to_a_port_nothing_listens_on_is_refused() {
    use std::io::BufRead;
    let (sim, kc) = sim_for_kubectl(20).await;
    let pods = sim.store().snapshot(Kind::Pod).items;
    let pod = pods
        .iter()
        .find(|p| p["metadata"]["labels"]["app"] == "web" && p["status"]["phase"] == "Running")
        .expect("no running web pod");
    let name = format!(
        "pod/{}",
        pod["metadata"]["name"].as_str().unwrap_or_default()
    );
    let namespace = pod["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let kc_path = kc.to_path_buf();
    let (answer, stderr) = tokio::task::spawn_blocking(move || {
        let mut child = std::process::Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&kc_path)
            .args([
                "port-forward",
                "-n",
                &namespace,
                &name,
                ":80",
                "--address",
                "127.0.0.1",
            ])
            .env_remove("KUBECONFIG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("run kubectl");
        let mut stdout = std::io::BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let port = line
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|p| p.parse::<u16>().ok())
            .unwrap_or_else(|| panic!("kubectl port-forward printed {line:?}"));
        let answer = http_get(port, "/");
        // kubectl gives up on the pod after the refusal; its stderr ends then.
        let mut stderr = String::new();
        let mut err = child.stderr.take().expect("stderr");
        std::io::Read::read_to_string(&mut err, &mut stderr).unwrap();
        let _ = child.kill();
        let _ = child.wait();
        (answer, stderr)
    })
    .await
    .unwrap();
    assert_eq!(answer, "");
    assert!(
        stderr.contains("error forwarding port 80 to pod")
            && stderr.contains("dial tcp4 127.0.0.1:80: connect: connection refused"),
        "{stderr}"
    );
    assert!(stderr.contains("lost connection to pod"), "{stderr}");
}

/// The rows of `kubectl auth can-i --list`: resource and verbs (the middle columns are `[]`).
fn can_i_rows(text: &str) -> std::collections::BTreeSet<(String, String)> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let cells: Vec<&str> = l.split_whitespace().collect();
            let resource = cells.first()?.to_string();
            let verbs = l.split_once("   [")?.1;
            let verbs = verbs.rsplit_once('[')?.1.trim_end_matches(']').to_string();
            Some((resource, verbs))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_auth_can_i_as_a_view_only_user_reads_what_the_real_cluster_said() {
    let (sim, kc) = sim_for_kubectl(10).await;
    let path = kc.to_path_buf();
    sim.act_as(kubedeck_sim::rbac::Identity::user("viewer"));
    let (ok, out, err) = run(&path, &["auth", "whoami"]).await;
    assert!(ok && out.contains("viewer"), "{out}{err}");
    let (ok, out, err) = run(&path, &["auth", "can-i", "--list", "-n", "demo"]).await;
    assert!(ok, "{err}");
    let recorded = std::fs::read_to_string(
        "tests/fixtures/real-cluster/ops/can-i-list-viewer-demo.kubectl.txt",
    )
    .unwrap();
    // What neither serves alike: the real cluster has `extensions` and DRA, no Tekton.
    let shared = |rows: std::collections::BTreeSet<(String, String)>| {
        rows.into_iter()
            .filter(|(r, _)| {
                !r.contains(".extensions")
                    && !r.contains(".resource.k8s.io")
                    && !r.contains(".tekton.dev")
            })
            .collect::<std::collections::BTreeSet<_>>()
    };
    let ours = shared(can_i_rows(&out));
    let real = shared(can_i_rows(&recorded));
    assert!(real.len() > 30, "{recorded}");
    assert_eq!(ours, real, "{out}");
    // The refusals, the recorded SubjectAccessReview's answer.
    let (ok, out, _) = run(
        &path,
        &["auth", "can-i", "create", "pods/exec", "-n", "demo"],
    )
    .await;
    assert!(!ok && out.trim() == "no", "{out}");
    let (ok, out, _) = run(&path, &["auth", "can-i", "list", "pods", "-n", "demo"]).await;
    assert!(ok && out.trim() == "yes", "{out}");
    // And the apiserver enforces it: a read works, a change is refused as RBAC words it.
    let (ok, _, err) = run(&path, &["get", "pods", "-n", "demo"]).await;
    assert!(ok, "{err}");
    let (ok, _, err) = run(&path, &["delete", "pod", "api-0", "-n", "demo"]).await;
    assert!(!ok, "a viewer deleted a pod");
    assert!(
        err.contains("User \"viewer\" cannot delete resource \"pods\" in API group \"\" in the namespace \"demo\""),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_cp_of_a_big_file_out_of_the_simulator_is_byte_exact() {
    let (sim, kc) = sim_for_kubectl(10).await;
    sim.store()
        .put(Kind::Pod, common::pods::pod("demo", "files-1").json());
    // The simulator's containers run real processes: tar reads this machine's file. Bigger
    // than the backlog a container's main process keeps, so an exec's output must be held
    // until its stream is up, as a kubelet starts the command only then.
    let remote = tempfile::tempdir().unwrap();
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let src = remote.path().join("data.bin");
    std::fs::write(&src, &data).unwrap();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("copy");
    let (ok, _, err) = run(
        &kc,
        &[
            "cp",
            &format!("demo/files-1:{}", src.display()),
            &dest.display().to_string(),
        ],
    )
    .await;
    assert!(ok, "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_is_refused_what_pod_security_forbids_in_its_words() {
    let (sim, kc) = sim_for_kubectl(10).await;
    let node = sim.store().snapshot(Kind::Node).items[0]["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // The label goes on as kubectl puts it (a patch), and then holds.
    let (ok, out, err) = run(
        &kc,
        &[
            "label",
            "ns",
            "demo",
            "pod-security.kubernetes.io/enforce=baseline",
        ],
    )
    .await;
    assert!(ok && out.contains("namespace/demo labeled"), "{out}{err}");
    let (ok, _, err) = run(
        &kc,
        &[
            "run",
            "peek",
            "-n",
            "demo",
            "--image=busybox:1.37",
            "--restart=Never",
            "--overrides",
            r#"{"spec":{"hostPID":true}}"#,
        ],
    )
    .await;
    assert!(!ok);
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): pods \"peek\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostPID=true)"
    );
    // The pod `kubectl debug node --profile=sysadmin` makes (kubedeck's node shell makes the
    // same); kubectl debug itself sends it as protobuf, which the simulator does not read.
    let sysadmin = serde_json::json!({"spec": {
        "nodeName": node, "hostIPC": true, "hostNetwork": true, "hostPID": true,
        "containers": [{"name": "debugger", "image": "busybox:1.37",
            "securityContext": {"privileged": true},
            "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}],
        "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}]}});
    let (ok, _, err) = run(
        &kc,
        &[
            "run",
            "node-debugger-x7k2p",
            "-n",
            "demo",
            "--image=busybox:1.37",
            "--restart=Never",
            "--overrides",
            &sysadmin.to_string(),
        ],
    )
    .await;
    assert!(!ok);
    assert_eq!(
        err.trim(),
        "Error from server (Forbidden): pods \"node-debugger-x7k2p\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), hostPath volumes (volume \"host-root\"), privileged (container \"debugger\" must not set securityContext.privileged=true)"
    );
    // A plain pod is admitted; where the namespace also warns at restricted, with the
    // warning every plain pod gets there (the common real one); no namespace, no pod.
    let (ok, out, err) = run(
        &kc,
        &[
            "label",
            "ns",
            "demo",
            "pod-security.kubernetes.io/warn=restricted",
        ],
    )
    .await;
    assert!(ok, "{out}{err}");
    let (ok, out, err) = run(
        &kc,
        &[
            "run",
            "plain",
            "-n",
            "demo",
            "--image=busybox:1.37",
            "--restart=Never",
        ],
    )
    .await;
    assert!(ok && out.contains("pod/plain created"), "{out}{err}");
    assert_eq!(
        err.trim(),
        r#"Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "plain" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "plain" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "plain" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "plain" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")"#
    );
    // A workload's template is weighed as a pod is, when it is created or changes.
    let (ok, out, err) = run(&kc, &["rollout", "restart", "deploy/api", "-n", "demo"]).await;
    assert!(ok, "{out}{err}");
    assert!(
        err.starts_with(r#"Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (containers "app", "envoy""#),
        "{err}"
    );
    let (ok, out, err) = run(&kc, &["scale", "deploy/api", "-n", "demo", "--replicas=3"]).await;
    assert!(ok && err.is_empty(), "{out}{err}");
    let (ok, _, err) = run(
        &kc,
        &["run", "lost", "-n", "nowhere", "--image=busybox:1.37"],
    )
    .await;
    assert!(!ok);
    assert_eq!(
        err.trim(),
        "Error from server (NotFound): namespaces \"nowhere\" not found"
    );
}

/// Server-side field validation, as kubectl asks for it (`--validate`, strict by default; `patch`
/// asks nothing, which is the server's `Warn`): a typo is refused in the apiserver's words;
/// `Warn` stores the object without it and kubectl prints the server's `Warning:`; `Ignore`
/// drops it without a word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubectl_is_refused_unknown_fields_or_warned_of_them_as_it_asks() {
    let (sim, kc) = sim_for_kubectl(10).await;
    let replicas = || {
        let d = sim
            .store()
            .get(Kind::Deployment, &("demo".into(), "api".into()))
            .expect("deploy/api");
        (
            d["spec"]["replicas"].clone(),
            d["spec"].get("replcas").cloned(),
        )
    };
    let before = replicas();
    // `kubectl edit` asks for Strict (`wire-edit.txt`): the editor renames `replicas`, and
    // keeps what kubectl reopens it on (the server's reason in its comments).
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("seen");
    let editor = format!(
        "cat \"$1\" >> {}; sed -i -E '0,/^  replicas: /s//  replcas: /' \"$1\"",
        seen.display()
    );
    let script = dir.path().join("editor");
    std::fs::write(&script, format!("#!/bin/sh\n{editor}\n")).unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&script)
        .status()
        .unwrap();
    let (ok, out, err) = run_with_env(
        &kc,
        &[("KUBE_EDITOR", &script.display().to_string())],
        &["edit", "deploy/api", "-n", "demo"],
    )
    .await;
    assert!(!ok, "{out}");
    let reopened = std::fs::read_to_string(&seen).unwrap_or_default();
    assert!(
        err.contains(r#"deployments.apps "api" is invalid"#)
            && reopened.contains(r#"# * patch: Invalid value: "map[spec:map[replcas:2 replicas:<nil>]]": strict decoding error: unknown field "spec.replcas""#),
        "{err}{reopened}"
    );
    assert_eq!(replicas(), before);
    let (ok, out, err) = run(
        &kc,
        &[
            "patch",
            "deploy",
            "api",
            "-n",
            "demo",
            "-p",
            r#"{"spec":{"replcas":7}}"#,
        ],
    )
    .await;
    assert!(ok, "{out}{err}");
    assert!(
        err.contains(r#"Warning: unknown field "spec.replcas""#),
        "{err}"
    );
    assert_eq!(replicas(), before, "the unknown field is not stored");

    // A create and a replace (the body decoded strictly: a 400).
    let config_map = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typo","namespace":"demo"},"dta":{"a":"b"}}"#;
    let (code, out, err) = run_with_stdin(&kc, &["create", "-f", "-"], config_map).await;
    assert_ne!(code, Some(0), "{out}");
    assert!(
        err.contains(r#"Error from server (BadRequest): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta""#),
        "{err}"
    );
    assert!(
        sim.store()
            .get(Kind::ConfigMap, &("demo".into(), "typo".into()))
            .is_none()
    );
    let (code, out, err) =
        run_with_stdin(&kc, &["create", "--validate=ignore", "-f", "-"], config_map).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(!err.contains("Warning"), "{err}");
    let (code, out, err) = run(&kc, &["delete", "cm", "typo", "-n", "demo"]).await;
    assert!(code, "{out}{err}");
    let (code, out, err) =
        run_with_stdin(&kc, &["create", "--validate=warn", "-f", "-"], config_map).await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.contains(r#"Warning: unknown field "dta""#), "{err}");
    let stored = sim
        .store()
        .get(Kind::ConfigMap, &("demo".into(), "typo".into()))
        .expect("created");
    assert!(stored.get("dta").is_none(), "{stored}");
    // A value its field cannot hold is refused whatever is asked, by the apiserver's decoder
    // (Go words the end `json: cannot unmarshal number into Go struct field …`). kubectl
    // refuses it itself before sending; its raw mode sends it as is.
    let numeric_label = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typo2","namespace":"demo","labels":{"version":1.5}}}"#;
    let (code, out, err) = run_with_stdin(
        &kc,
        &[
            "create",
            "--raw",
            "/api/v1/namespaces/demo/configmaps",
            "-f",
            "-",
        ],
        numeric_label,
    )
    .await;
    assert_ne!(code, Some(0), "{out}");
    assert!(
        err.contains(r#"ConfigMap in version "v1" cannot be handled as a ConfigMap: metadata.labels.version: invalid type: floating point"#),
        "{err}"
    );
    let (code, out, err) = run_with_stdin(&kc, &["replace", "-f", "-"], config_map).await;
    assert_ne!(code, Some(0), "{out}");
    assert!(
        err.contains(r#"ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta""#),
        "{err}"
    );
}
