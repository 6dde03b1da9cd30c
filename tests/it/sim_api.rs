//! The kube layer against the simulator: the wire protocol as kube-rs sees it, and the faults.

use crate::common;

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, LogParams, WatchEvent, WatchParams};
use kube::core::Status;
use kubedeck::kube::cluster::{Cluster, Scope};
use kubedeck::kube::credentials::ClientHandle;
use kubedeck::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use kubedeck::kube::metrics::PodMetricsWanted;
use kubedeck::kube::tekton::{self, TektonApi};
use kubedeck_sim::Kind;

fn api_error(e: kube::Error) -> Status {
    match e {
        kube::Error::Api(s) => *s,
        other => panic!("expected an API error, got {other}"),
    }
}

/// The pods informer decodes pods lean (only what a row reads): every simulated pod, listed
/// over the wire both ways, makes the same row, and the rows show the states the simulator
/// plays (so the comparison covers more than running pods).
#[tokio::test]
async fn lean_pods_make_the_rows_of_whole_ones() {
    use kubedeck::kube::lean_pod::LeanPod;
    use kubedeck::kube::pod_row::{lean_row, pod_row};
    let sim = common::start(common::frozen(300)).await;
    let client = common::client_for(&sim).await;
    let whole = Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    let lean = Api::<LeanPod>::all(client)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(whole.items.len(), lean.items.len());
    assert!(whole.items.len() >= 300);
    let mut statuses = std::collections::BTreeSet::new();
    for (w, l) in whole.items.iter().zip(&lean.items) {
        let row = pod_row(w);
        assert_eq!(lean_row(l), row, "{}", row.name);
        statuses.insert(row.status);
    }
    for played in ["Running", "CrashLoopBackOff", "Pending", "Completed"] {
        assert!(statuses.contains(played), "no {played} pod: {statuses:?}");
    }
}

#[tokio::test]
async fn lists_paginate_and_select() {
    let sim = common::start(common::frozen(40)).await;
    let client = common::client_for(&sim).await;
    let pods: Api<Pod> = Api::all(client.clone());
    let all = pods.list(&ListParams::default()).await.unwrap();
    let expected = sim.store().count(Kind::Pod);
    assert_eq!(all.items.len(), expected);

    // Pages of 7 add up to the same set.
    let mut names = Vec::new();
    let mut lp = ListParams::default().limit(7);
    loop {
        let page = pods.list(&lp).await.unwrap();
        names.extend(page.items.iter().filter_map(|p| p.metadata.name.clone()));
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => lp = lp.continue_token(&c),
            None => break,
        }
    }
    assert_eq!(names.len(), expected);

    let demo: Api<Pod> = Api::namespaced(client.clone(), "demo");
    let demo_pods = demo.list(&ListParams::default()).await.unwrap();
    assert!(!demo_pods.items.is_empty());
    assert!(
        demo_pods
            .items
            .iter()
            .all(|p| p.metadata.namespace.as_deref() == Some("demo"))
    );

    let node = all
        .items
        .iter()
        .find_map(|p| p.spec.as_ref()?.node_name.clone())
        .unwrap_or_default();
    let on_node = pods
        .list(&ListParams::default().fields(&format!("spec.nodeName={node}")))
        .await
        .unwrap();
    assert!(!on_node.items.is_empty() && on_node.items.len() < expected);
    assert!(
        on_node
            .items
            .iter()
            .all(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(node.as_str()))
    );

    let web = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    assert!(web.items.iter().all(|p| {
        p.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("app"))
            .map(String::as_str)
            == Some("web")
    }));

    let one = all
        .items
        .first()
        .and_then(|p| p.metadata.name.clone())
        .unwrap_or_default();
    let by_name = pods
        .list(&ListParams::default().fields(&format!("metadata.name={one}")))
        .await
        .unwrap();
    assert_eq!(by_name.items.len(), 1);

    let bad = pods
        .list(&ListParams::default().fields("spec.bogus=1"))
        .await
        .err()
        .map(api_error);
    assert_eq!(
        bad.map(|s| (s.code, s.message)),
        Some((
            400,
            "unable to parse requirement: field label not supported: spec.bogus".into()
        ))
    );

    let events: Api<Event> = Api::all(client.clone());
    let about = events
        .list(&ListParams::default().fields("involvedObject.kind=PipelineRun"))
        .await
        .unwrap();
    assert!(
        about
            .items
            .iter()
            .all(|e| e.involved_object.kind.as_deref() == Some("PipelineRun"))
    );

    let missing = demo.get("does-not-exist").await.err().map(api_error);
    assert_eq!(
        missing.map(|s| (s.code, s.reason)),
        Some((404, "NotFound".into()))
    );
}

#[tokio::test]
async fn watch_resumes_from_resource_version_and_sends_bookmarks() {
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    let pods: Api<Pod> = Api::namespaced(client, "demo");
    let list = pods.list(&ListParams::default()).await.unwrap();
    let rv = list.metadata.resource_version.clone().unwrap_or_default();
    let victim = list
        .items
        .first()
        .and_then(|p| p.metadata.name.clone())
        .unwrap_or_default();
    // A change made before the watch starts is replayed from history.
    pods.delete(&victim, &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    let wp = WatchParams::default().timeout(10);
    let mut stream = pods.watch(&wp, &rv).await.unwrap().boxed();
    let mut saw_delete = false;
    let mut saw_bookmark = false;
    while let Some(ev) = stream.try_next().await.unwrap() {
        match ev {
            WatchEvent::Deleted(p) if p.metadata.name.as_deref() == Some(victim.as_str()) => {
                saw_delete = true
            }
            WatchEvent::Bookmark(b) => {
                assert!(b.metadata.resource_version.parse::<u64>().is_ok());
                saw_bookmark = true;
            }
            WatchEvent::Error(e) => panic!("unexpected error event {e:?}"),
            _ => {}
        }
        if saw_delete && saw_bookmark {
            break;
        }
    }
    assert!(saw_delete && saw_bookmark);
}

#[tokio::test]
async fn compacted_resource_version_gets_410_in_stream() {
    let sim = common::start(common::frozen(5)).await;
    let client = common::client_for(&sim).await;
    let pods: Api<Pod> = Api::all(client);
    sim.store().compact();
    let mut stream = pods
        .watch(&WatchParams::default(), "1")
        .await
        .unwrap()
        .boxed();
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Error(e)) => {
            assert_eq!((e.code, e.reason.as_str()), (410, "Expired"));
            assert!(
                e.message.starts_with("too old resource version: 1 ("),
                "{}",
                e.message
            );
        }
        other => panic!("expected a 410 ERROR event, got {other:?}"),
    }
}

#[tokio::test]
async fn logs_honour_tail_limit_timestamps_previous_and_container() {
    let sim = common::start(common::frozen(30)).await;
    let client = common::client_for(&sim).await;
    let pods: Api<Pod> = Api::all(client.clone());
    let all = pods.list(&ListParams::default()).await.unwrap();
    let running = all.items.iter().find(|p| {
        let steady = p
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get("sim.kubedeck.dev/role"))
            .map(String::as_str)
            == Some("steady");
        steady && p.spec.as_ref().is_some_and(|s| s.containers.len() == 1)
    });
    let running = running.expect("a running single-container pod");
    let ns = running.metadata.namespace.clone().unwrap_or_default();
    let name = running.metadata.name.clone().unwrap_or_default();
    let api: Api<Pod> = Api::namespaced(client.clone(), &ns);

    let tail = api
        .logs(
            &name,
            &LogParams {
                tail_lines: Some(3),
                timestamps: true,
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let lines: Vec<&str> = tail.lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(
        lines.iter().all(|l| l
            .split_once(' ')
            .is_some_and(|(ts, _)| ts.parse::<jiff::Timestamp>().is_ok())),
        "{lines:?}"
    );

    let limited = api
        .logs(
            &name,
            &LogParams {
                limit_bytes: Some(40),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(limited.len(), 40);

    let since = api
        .logs(
            &name,
            &LogParams {
                since_seconds: Some(10),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let everything = api.logs(&name, &LogParams::default()).await.unwrap();
    assert!(since.lines().count() < everything.lines().count());

    // Previous: a crash-looping pod has one; its last line is the failure.
    let crasher = all.items.iter().find(|p| {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.restart_count > 0))
    });
    let crasher = crasher.expect("a restarted pod");
    let capi: Api<Pod> = Api::namespaced(
        client.clone(),
        crasher.metadata.namespace.as_deref().unwrap_or_default(),
    );
    let cname = crasher.metadata.name.clone().unwrap_or_default();
    let prev = capi
        .logs(
            &cname,
            &LogParams {
                previous: true,
                container: Some("app".into()),
                tail_lines: Some(1),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    assert!(
        prev.contains("OutOfMemoryError") || prev.contains("exiting with code"),
        "{prev}"
    );
    let no_prev = api
        .logs(
            &name,
            &LogParams {
                previous: true,
                ..LogParams::default()
            },
        )
        .await
        .err()
        .map(api_error);
    assert_eq!(no_prev.map(|s| s.code), Some(400));

    // Two containers and none named: the apiserver's message.
    let multi = all
        .items
        .iter()
        .find(|p| p.spec.as_ref().is_some_and(|s| s.containers.len() > 1))
        .expect("a multi-container pod");
    let mapi: Api<Pod> = Api::namespaced(
        client.clone(),
        multi.metadata.namespace.as_deref().unwrap_or_default(),
    );
    let err = mapi
        .logs(
            multi.metadata.name.as_deref().unwrap_or_default(),
            &LogParams::default(),
        )
        .await
        .err()
        .map(api_error);
    let msg = err.map(|s| s.message).unwrap_or_default();
    assert!(
        msg.starts_with("a container name must be specified for pod ")
            && msg.contains("choose one of: [app envoy]"),
        "{msg}"
    );

    // Follow streams new lines as they are written.
    let mut follow = api
        .log_stream(
            &name,
            &LogParams {
                follow: true,
                tail_lines: Some(0),
                ..LogParams::default()
            },
        )
        .await
        .unwrap();
    let mut buf = Vec::new();
    use futures::AsyncReadExt;
    let mut chunk = [0u8; 256];
    while !buf.contains(&b'\n') {
        let n = tokio::time::timeout(Duration::from_secs(10), follow.read(&mut chunk))
            .await
            .unwrap_or_else(|_| panic!("no followed line"))
            .unwrap_or(0);
        assert!(n > 0, "follow stream ended");
        buf.extend_from_slice(&chunk[..n]);
    }
}

#[tokio::test]
async fn delete_is_graceful_then_gone() {
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    let pods: Api<Pod> = Api::namespaced(client, "demo");
    let list = pods.list(&ListParams::default()).await.unwrap();
    let running = list
        .items
        .iter()
        .find(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
        .expect("running pod");
    let name = running.metadata.name.clone().unwrap_or_default();
    let rv = list.metadata.resource_version.clone().unwrap_or_default();
    let mut stream = pods
        .watch(&WatchParams::default().timeout(10), &rv)
        .await
        .unwrap()
        .boxed();
    let res = pods.delete(&name, &DeleteParams::default()).await.unwrap();
    let marked = res.left().expect("graceful delete returns the object");
    assert!(marked.metadata.deletion_timestamp.is_some());
    let mut modified = false;
    while let Some(ev) = stream.try_next().await.unwrap() {
        match ev {
            WatchEvent::Modified(p) if p.metadata.name.as_deref() == Some(name.as_str()) => {
                modified = p.metadata.deletion_timestamp.is_some()
            }
            WatchEvent::Deleted(p) if p.metadata.name.as_deref() == Some(name.as_str()) => break,
            _ => {}
        }
    }
    assert!(modified, "Terminating was observed before DELETED");
    assert_eq!(
        pods.get(&name).await.err().map(api_error).map(|s| s.code),
        Some(404)
    );
}

#[tokio::test]
async fn tekton_and_metrics_are_discoverable() {
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    let found = tekton::discover(&client).await.unwrap();
    let ar = match found {
        TektonApi::Served(ar) => ar,
        TektonApi::NotInstalled => panic!("tekton should be served"),
    };
    assert_eq!(ar.version, "v1");
    let prs: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let list = prs.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 6);
    let nodes: Api<Node> = Api::all(client.clone());
    assert_eq!(
        nodes
            .list(&ListParams::default())
            .await
            .map(|l| l.items.len())
            .unwrap_or(0),
        3
    );
    let metrics = client
        .list_api_group_resources("metrics.k8s.io/v1beta1")
        .await
        .unwrap();
    assert!(metrics.resources.iter().any(|r| r.name == "nodes"));
    sim.faults().set_metrics_enabled(false);
    assert!(
        client
            .list_api_group_resources("metrics.k8s.io/v1beta1")
            .await
            .is_err()
    );
    let events_v1 = client
        .list_api_group_resources("events.k8s.io/v1")
        .await
        .unwrap();
    assert!(events_v1.resources.iter().any(|r| r.name == "events"));
}

/// Delete the first pod behind the informer's back and wait for its store to follow.
async fn remove_first_pod_and_wait(
    sim: &kubedeck_sim::Sim,
    cluster: &Cluster,
    what: &str,
) -> (String, String) {
    let victim = sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .first()
        .map(|p| kubedeck_sim::store::key_of(p))
        .unwrap_or_default();
    sim.store().remove(Kind::Pod, &victim);
    let want = sim.store().count(Kind::Pod);
    common::eventually(what, Duration::from_secs(30), || {
        cluster.stores.pods.len() == want
    })
    .await;
    victim
}

#[tokio::test]
async fn tekton_falls_back_to_v1beta1_and_reports_not_installed() {
    let sim = common::start(common::frozen(5)).await;
    let client = common::client_for(&sim).await;
    sim.faults().set_api_served("tekton.dev/v1", false);
    let ar = match tekton::discover(&client).await.unwrap() {
        TektonApi::Served(ar) => ar,
        TektonApi::NotInstalled => panic!("v1beta1 is still served"),
    };
    assert_eq!(ar.version, "v1beta1");
    let prs: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let list = prs.list(&ListParams::default()).await.unwrap();
    assert_eq!(list.items.len(), 6);
    assert!(list.items.iter().all(|p| p.types.as_ref().map(|t| t.api_version.as_str()) == Some("tekton.dev/v1beta1")));

    // Neither version: the informer says "not installed" instead of retrying forever.
    sim.faults().set_api_served("tekton.dev/v1beta1", false);
    assert_eq!(
        tekton::discover(&client).await.ok(),
        Some(TektonApi::NotInstalled)
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let _cluster = Cluster::start(ClientHandle::fixed(client), "sim".into(), Scope::All, tx);
    next_state(&mut rx, ResourceKind::PipelineRuns, |s| {
        *s == InformerState::NotInstalled
    })
    .await;
}

async fn next_state(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<InformerUpdate>,
    kind: ResourceKind,
    want: impl Fn(&InformerState) -> bool,
) -> InformerState {
    let wait = async {
        while let Some(u) = rx.recv().await {
            if let Change::State(s) = u.change
                && u.kind == kind
                && want(&s)
            {
                return s;
            }
        }
        panic!("informer channel closed");
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {kind:?} state"))
}

#[tokio::test]
async fn informers_go_live_and_report_forbidden_and_recover_from_faults() {
    let sim = common::start(common::frozen(20)).await;
    sim.faults().forbid("pipelineruns");
    let client = common::client_for(&sim).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(ClientHandle::fixed(client), "sim".into(), Scope::All, tx);
    next_state(&mut rx, ResourceKind::Pods, |s| *s == InformerState::Live).await;
    assert_eq!(cluster.stores.pods.len(), sim.store().count(Kind::Pod));
    let forbidden = next_state(&mut rx, ResourceKind::PipelineRuns, |s| {
        matches!(s, InformerState::Forbidden(_))
    })
    .await;
    assert!(
        matches!(forbidden, InformerState::Forbidden(m) if m.contains("pipelineruns.tekton.dev is forbidden"))
    );

    // A dropped watch: the informer reconnects and keeps the store right.
    sim.faults().drop_all_watches();
    remove_first_pod_and_wait(
        &sim,
        &cluster,
        "store to drop the deleted pod after a dropped watch",
    )
    .await;

    // A 410 on the next watch: the informer relists and stays right.
    sim.faults().gone_next_watches(1);
    sim.faults().drop_all_watches();
    let victim = remove_first_pod_and_wait(&sim, &cluster, "store to recover after 410").await;
    assert!(
        cluster.stores.pods.get(&victim.0, &victim.1).is_none(),
        "the removed pod is not in the store"
    );

    // A full restart keeps resourceVersions, so informers resume.
    sim.restart(Duration::from_millis(200)).await;
    remove_first_pod_and_wait(&sim, &cluster, "store to recover after a server restart").await;
}

#[tokio::test]
async fn an_informer_over_many_pages_holds_every_pod_the_server_lists() {
    // 1,234 pods: two full pages of 500 and a last one of 234, each asked for with the
    // previous page's continue token.
    let sim = common::start(common::frozen(1_234)).await;
    let client = common::client_for(&sim).await;
    let served: std::collections::BTreeSet<(String, String)> = Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|p| Some((p.metadata.namespace?, p.metadata.name?)))
        .collect();
    assert!(
        served.len() > 2 * 500,
        "{} pods: not three pages",
        served.len()
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(ClientHandle::fixed(client), "sim".into(), Scope::All, tx);
    next_state(&mut rx, ResourceKind::Pods, |s| *s == InformerState::Live).await;
    let held: std::collections::BTreeSet<(String, String)> = cluster
        .stores
        .pods
        .rows()
        .iter()
        .map(|r| (r.namespace.clone(), r.name.clone()))
        .collect();
    assert_eq!(held, served);
}

#[tokio::test]
async fn wrong_token_is_unauthorized() {
    let sim = common::start(common::frozen(3)).await;
    let mut kc = sim.kubeconfig();
    kc["users"][0]["user"]["token"] = serde_json::json!("expired-token");
    let parsed = kube::config::Kubeconfig::from_yaml(&kc.to_string()).unwrap();
    let cfg =
        kube::Config::from_custom_kubeconfig(parsed, &kube::config::KubeConfigOptions::default())
            .await
            .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    let pods: Api<Pod> = Api::all(client);
    let err = pods.list(&ListParams::default()).await.err().map(api_error);
    assert_eq!(
        err.map(|s| (s.code, s.reason)),
        Some((401, "Unauthorized".into()))
    );
}

#[tokio::test]
async fn latency_is_added() {
    let sim = common::start(common::frozen(3)).await;
    let client = common::client_for(&sim).await;
    sim.faults().set_latency(Duration::from_millis(300));
    let pods: Api<Pod> = Api::all(client);
    let started = std::time::Instant::now();
    pods.list(&ListParams::default()).await.unwrap();
    // Not a timing budget: the fault's own contract is "at least this much delay".
    assert!(started.elapsed() >= Duration::from_millis(300));
}

/// The admin endpoints are not delayed by the latency they set: one set far too high can be
/// taken back (it held `/_sim/latency?ms=0` itself for the whole latency).
#[tokio::test]
async fn a_latency_set_too_high_can_be_taken_back() {
    let sim = common::start(common::frozen(3)).await;
    let client = common::client_for(&sim).await;
    sim.faults().set_latency(Duration::from_secs(3600));
    let req = http::Request::post("/_sim/latency?ms=0").body(Vec::new());
    let answer = tokio::time::timeout(
        Duration::from_secs(60),
        client.request_text(req.expect("a request")),
    )
    .await
    .expect("the admin request waited for the latency")
    .expect("an answer");
    assert!(answer.contains("latency"), "{answer}");
    assert_eq!(sim.faults().latency(), Duration::ZERO);
}

#[tokio::test]
async fn scenario_moves_the_world_deterministically() {
    let a = common::start(common::frozen(30)).await;
    let b = common::start(common::frozen(30)).await;
    let names = |s: &kubedeck_sim::Sim| -> Vec<String> {
        s.store()
            .snapshot(Kind::Pod)
            .items
            .iter()
            .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
            .collect()
    };
    assert_eq!(names(&a), names(&b), "same seed, same world");
    let restarts = |s: &kubedeck_sim::Sim| -> u64 {
        s.store()
            .snapshot(Kind::Pod)
            .items
            .iter()
            .flat_map(|p| {
                p["status"]["containerStatuses"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|c| c["restartCount"].as_u64().unwrap_or(0))
            .sum()
    };
    let before = restarts(&a);
    let prs_before = a.store().count(Kind::PipelineRun);
    // 45 ticks: the top of the hot node's memory wave.
    a.step(45);
    b.step(45);
    assert!(restarts(&a) > before, "crash-looping pods restart");
    assert_eq!(restarts(&a), restarts(&b), "deterministic");
    assert!(
        a.store().count(Kind::PipelineRun) >= prs_before,
        "new runs start"
    );
    let warnings = a
        .store()
        .snapshot(Kind::Event)
        .items
        .iter()
        .filter(|e| e["type"] == "Warning" && e["reason"] == "BackOff")
        .count();
    assert!(warnings > 0, "BackOff warnings explain the crash loops");
    // The hot node reaches MemoryPressure at the top of its wave and evicts a pod.
    let pressured = a.store().snapshot(Kind::Node).items.iter().any(|n| {
        n["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "MemoryPressure" && c["status"] == "True")
    });
    let evicted = a
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .any(|p| p["status"]["reason"] == "Evicted");
    assert!(
        pressured && evicted,
        "pressure {pressured}, evicted {evicted}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_respects_disruption_budgets() {
    use kubedeck::kube::drain::{DrainPlan, drain};
    let sim = common::start(common::frozen(5)).await;
    let client = common::client_for(&sim).await;
    // A budget over app=guarded that allows no disruption now, as a real apiserver holds it.
    sim.store().put(
        Kind::PodDisruptionBudget,
        serde_json::json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": "guarded-pdb", "namespace": "demo", "uid": "pdb1"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}},
            "status": {"disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1}}),
    );
    let mk = |name: &str, blocked: bool| {
        let mut labels = serde_json::json!({});
        if blocked {
            labels["app"] = serde_json::json!("guarded");
        }
        serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "demo", "uid": name, "labels": labels},
            "spec": {"nodeName": "worker-01", "containers": [{"name": "c", "image": "x"}]},
            "status": {"phase": "Running"}})
    };
    sim.store().put(Kind::Pod, mk("free", false));
    sim.store().put(Kind::Pod, mk("guarded", true));
    let plan = DrainPlan {
        node: "worker-01".into(),
        evict: vec![
            ("demo".into(), "free".into()),
            ("demo".into(), "guarded".into()),
        ],
        ..DrainPlan::default()
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let result = drain(client, plan, std::time::Duration::from_millis(10), 3, tx).await;
    let err = result.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("1/2 evicted"), "{err}");
    assert!(err.contains("demo/guarded"), "{err}");
    assert!(err.contains("disruption budget"), "{err}");
    let mut lines = Vec::new();
    while let Ok(l) = rx.try_recv() {
        lines.push(l);
    }
    assert_eq!(
        lines.len(),
        3,
        "one progress line per blocked round: {lines:?}"
    );
    let node = sim
        .store()
        .get(Kind::Node, &(String::new(), "worker-01".into()))
        .expect("node");
    assert_eq!(node["spec"]["unschedulable"], true, "cordoned first");
    let guarded = sim
        .store()
        .get(Kind::Pod, &("demo".into(), "guarded".into()));
    assert!(guarded.is_some_and(|p| p["metadata"]["deletionTimestamp"].is_null()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_memory_hog_pushes_its_node_into_pressure_and_a_best_effort_pod_is_evicted() {
    use kube::api::{Api, ApiResource, DynamicObject, ListParams};
    use kube::core::GroupVersionKind;
    let sim = common::start(kubedeck_sim::SimOptions {
        tick: None,
        ..kubedeck_sim::SimOptions::default()
    })
    .await;
    let pods = sim.store().snapshot(Kind::Pod).items;
    let role =
        |p: &serde_json::Value, r: &str| p["metadata"]["annotations"]["sim.kubedeck.dev/role"] == r;
    let hog = pods
        .iter()
        .find(|p| role(p, "hog"))
        .cloned()
        .expect("the demo world has a memory hog");
    let node = hog["spec"]["nodeName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        hog["spec"]["containers"][0]["resources"]["limits"].is_null(),
        "the hog has no limit"
    );
    let best_effort = pods
        .iter()
        .find(|p| role(p, "besteffort"))
        .cloned()
        .expect("a best-effort pod");
    assert_eq!(
        best_effort["spec"]["nodeName"].as_str(),
        Some(node.as_str())
    );
    let be_name = best_effort["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Move the world until the node reports MemoryPressure (within one memory wave).
    let pressured = |sim: &kubedeck_sim::Sim| {
        sim.store()
            .get(Kind::Node, &(String::new(), node.clone()))
            .is_some_and(|n| {
                n["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == "MemoryPressure" && c["status"] == "True")
            })
    };
    let mut ticks = 0;
    while !pressured(&sim) {
        sim.step(1);
        ticks += 1;
        assert!(ticks <= 90, "no pressure within a wave");
    }
    // The hog's live usage is well past its request.
    let client = common::client_for(&sim).await;
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "PodMetrics"),
        "pods",
    );
    let metrics: Api<DynamicObject> = Api::namespaced_with(client, "demo", &ar);
    let list = metrics.list(&ListParams::default()).await.unwrap();
    let hog_name = hog["metadata"]["name"].as_str().unwrap_or_default();
    let hog_usage = list
        .items
        .iter()
        .find(|m| m.metadata.name.as_deref() == Some(hog_name))
        .and_then(|m| {
            m.data["containers"][0]["usage"]["memory"]
                .as_str()
                .map(String::from)
        })
        .and_then(|q| kubedeck::kube::quantity::bytes(&q))
        .unwrap_or_default();
    assert!(
        hog_usage > 1 << 30,
        "the hog uses {hog_usage} bytes at pressure"
    );
    // The best-effort pod was evicted, with the kubelet's event.
    let evicted = sim
        .store()
        .get(Kind::Pod, &("demo".into(), be_name.clone()))
        .expect("evicted pods stay");
    assert_eq!(evicted["status"]["reason"], "Evicted", "{evicted}");
    let events = sim.store().snapshot(Kind::Event).items;
    assert!(
        events
            .iter()
            .any(|e| e["involvedObject"]["name"] == be_name.as_str() && e["reason"] == "Evicted")
    );
    assert!(
        events
            .iter()
            .any(|e| e["involvedObject"]["name"] == node.as_str()
                && e["reason"] == "EvictionThresholdMet")
    );
}

/// A metrics poller polling once an hour (so only its first poll, or a change of what is
/// shown, brings a sample), with `pods_shown` as what is on screen.
fn hourly_poller(
    client: kube::Client,
    pods_shown: PodMetricsWanted,
) -> (
    kubedeck::kube::metrics::MetricsTask,
    tokio::sync::watch::Sender<PodMetricsWanted>,
    tokio::sync::mpsc::UnboundedReceiver<kubedeck::kube::metrics::MetricsUpdate>,
) {
    let (shown, wants_pods) = tokio::sync::watch::channel(pods_shown);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let task = kubedeck::kube::metrics::spawn(
        ClientHandle::fixed(client),
        None,
        std::time::Duration::from_secs(3600),
        wants_pods,
        tx,
    );
    (task, shown, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_poller_reports_pod_usage_when_node_metrics_are_forbidden() {
    use kubedeck::kube::metrics::MetricsUpdate;
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    // A namespaced user: node metrics (cluster-scoped) are forbidden, pod metrics are not.
    sim.faults().forbid("nodes");
    let (_task, _shown, mut rx) = hourly_poller(client.clone(), PodMetricsWanted::All);
    match rx.recv().await {
        Some(MetricsUpdate::Sample(s)) => {
            assert!(s.nodes.is_empty());
            assert!(!s.pods.is_empty(), "pod usage still arrives");
            let note = s.note().unwrap_or_default().to_string();
            assert!(note.contains("node usage unavailable: forbidden"), "{note}");
        }
        other => panic!("expected a partial sample, got {other:?}"),
    }
    // Metrics not served at all: the poller says so.
    sim.faults().allow("nodes");
    sim.faults().set_metrics_enabled(false);
    let (_task, _shown, mut rx) = hourly_poller(client, PodMetricsWanted::All);
    match rx.recv().await {
        Some(MetricsUpdate::Unavailable(why)) => {
            assert!(why.contains("metrics.k8s.io not served"), "{why}");
            assert!(why.contains("retrying in"), "{why}");
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pod_metrics_are_polled_only_while_pod_usage_is_shown() {
    use kubedeck::kube::metrics::MetricsUpdate;
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    // An hour between polls: only a change of what is shown can bring the next one.
    let (_task, shown, mut rx) = hourly_poller(client, PodMetricsWanted::None);
    match rx.recv().await {
        Some(MetricsUpdate::Sample(s)) => {
            assert!(!s.nodes.is_empty(), "node usage is always polled");
            assert!(!s.nodes_kept, "the first round lists the nodes");
            assert!(s.pods.is_empty(), "no pod usage while none is shown");
        }
        other => panic!("expected a sample, got {other:?}"),
    }
    // The pods table comes on screen with rows of one namespace: a poll of that namespace's
    // pod usage follows at once, and only of it.
    let demo = |names: &[&str]| {
        PodMetricsWanted::Namespaces(names.iter().map(|n| n.to_string()).collect())
    };
    // Node metrics refused from now on: a poll for rows newly shown lists only pod usage, so
    // it neither meets the refusal nor loses the nodes' usage (kept until the next beat).
    sim.faults().forbid("nodes");
    shown.send_replace(demo(&["demo"]));
    let next = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
        .await
        .unwrap_or_else(|_| panic!("no poll when pod usage came on screen"));
    match next {
        Some(MetricsUpdate::Sample(s)) => {
            assert!(
                s.pods.contains_key("demo"),
                "pod usage now: {:?}",
                s.pods.keys()
            );
            assert_eq!(s.pods.len(), 1, "only demo's: {:?}", s.pods.keys());
            assert!(s.nodes_kept && !s.nodes.is_empty(), "the nodes' usage kept");
            assert_eq!(s.note(), None, "node metrics were not asked for");
        }
        other => panic!("expected a sample, got {other:?}"),
    }
    // Scrolled within what was polled: no poll. Into another namespace: a poll at once.
    shown.send_replace(demo(&["demo"]));
    shown.send_replace(demo(&["ci", "demo"]));
    let next = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
        .await
        .unwrap_or_else(|_| panic!("no poll when another namespace came on screen"));
    match next {
        Some(MetricsUpdate::Sample(s)) => {
            assert!(
                s.pods.contains_key("ci") && s.pods.contains_key("demo"),
                "{:?}",
                s.pods.keys()
            );
        }
        other => panic!("expected a sample, got {other:?}"),
    }
    // Sorted by usage: every pod's.
    shown.send_replace(PodMetricsWanted::All);
    match rx.recv().await {
        Some(MetricsUpdate::Sample(s)) => assert!(s.pods.len() > 2, "{:?}", s.pods.keys()),
        other => panic!("expected a sample, got {other:?}"),
    }
}

#[tokio::test]
async fn seeded_workloads_select_their_own_pods() {
    let sim = common::start(common::frozen(40)).await;
    let client = common::client_for(&sim).await;
    let deploy = kubedeck::kube::owner::owner_kind("deploy").expect("kind");
    let selector = kubedeck::kube::owner::owner_selector(client.clone(), "demo", deploy, "web")
        .await
        .unwrap();
    assert_eq!(selector, "app=web");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "demo");
    let selected = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .unwrap();
    assert!(!selected.items.is_empty());
    // Every pod of the app in the namespace is one of the Deployment's (through a ReplicaSet
    // the simulator serves too).
    for p in &selected.items {
        let owner = p
            .metadata
            .owner_references
            .as_ref()
            .and_then(|o| o.first())
            .map(|o| (o.kind.clone(), o.name.clone()))
            .expect("no owner");
        assert_eq!(owner.0, "ReplicaSet");
        let rs = kubedeck::kube::owner::owner_kind("rs").expect("kind");
        let rs_selector =
            kubedeck::kube::owner::owner_selector(client.clone(), "demo", rs, &owner.1)
                .await
                .unwrap();
        assert!(rs_selector.contains("pod-template-hash="), "{rs_selector}");
    }
    let missing = kubedeck::kube::owner::owner_selector(client, "demo", deploy, "nope").await;
    assert!(
        matches!(
            &missing,
            Err(kubedeck::kube::owner::OwnerError::NotFound { .. })
        ),
        "{missing:?}"
    );
    assert_eq!(
        missing.map_err(|e| e.to_string()),
        Err("deploy/nope in demo not found".into())
    );
}

/// Every informer state update until `kind` reaches a state `done` accepts.
async fn states_until(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<InformerUpdate>,
    kind: ResourceKind,
    done: impl Fn(&InformerState) -> bool,
) -> Vec<(ResourceKind, InformerState)> {
    common::until_state(rx, kind, Duration::from_secs(20), done).await
}

#[tokio::test]
async fn events_are_listed_after_the_pods_settle_even_when_pods_are_forbidden() {
    for forbid_pods in [false, true] {
        let sim = common::start(common::frozen(20)).await;
        if forbid_pods {
            sim.faults().forbid("pods");
        }
        let client = common::client_for(&sim).await;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _cluster = Cluster::start(ClientHandle::fixed(client), "sim".into(), Scope::All, tx);
        let seen = states_until(&mut rx, ResourceKind::Events, |s| *s == InformerState::Live).await;
        let at = |want: &dyn Fn(&(ResourceKind, InformerState)) -> bool| {
            seen.iter()
                .position(want)
                .unwrap_or_else(|| panic!("{seen:?}"))
        };
        // The pods list settled (listed, or refused) before the events were asked for.
        let pods_settled = at(&|(k, s)| *k == ResourceKind::Pods && *s != InformerState::Syncing);
        let events_started = at(&|(k, _)| *k == ResourceKind::Events);
        assert!(pods_settled < events_started, "{seen:?}");
        if forbid_pods {
            assert!(
                matches!(&seen[pods_settled].1, InformerState::Forbidden(_)),
                "{seen:?}"
            );
        }
    }
}

/// A raw HTTP/1.1 GET: the response's headers (lower-cased) and body.
async fn raw_get(sim: &kubedeck_sim::Sim, path: &str, gzip: bool) -> (String, Vec<u8>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = sim.url().trim_start_matches("http://").to_string();
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let encoding = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer kubedeck-sim-token\r\n{encoding}Connection: close\r\n\r\n"
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "no complete answer to {path}");
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(out.len());
    let head = String::from_utf8_lossy(&out[..split]).to_lowercase();
    (head, out.get(split + 4..).unwrap_or_default().to_vec())
}

#[tokio::test]
async fn large_lists_are_gzipped_for_a_client_that_asks_and_kube_rs_reads_them() {
    let sim = common::start(common::frozen(300)).await;
    let (head, body) = raw_get(&sim, "/api/v1/pods", true).await;
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let mut json = String::new();
    let mut gz = flate2::read::GzDecoder::new(body.as_slice());
    std::io::Read::read_to_string(&mut gz, &mut json).unwrap();
    let list: serde_json::Value = serde_json::from_str(&json).unwrap();
    let pods = sim.store().count(Kind::Pod);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(pods));
    assert!(
        json.len() >= 128 * 1024 && body.len() * 4 < json.len(),
        "{} -> {}",
        json.len(),
        body.len()
    );
    // Not asked: plain. Small: plain. A watch: never compressed (a stream).
    let (head, _) = raw_get(&sim, "/api/v1/pods", false).await;
    assert!(!head.contains("content-encoding"), "{head}");
    let (head, _) = raw_get(&sim, "/api/v1/namespaces", true).await;
    assert!(!head.contains("content-encoding"), "{head}");
    let (head, body) = raw_get(&sim, "/api/v1/pods?watch=true&timeoutSeconds=1", true).await;
    assert!(!head.contains("content-encoding"), "{head}");
    assert!(String::from_utf8_lossy(&body).contains("\"type\":\"ADDED\""));
    // kube-rs (with its gzip feature, as kubedeck builds it) asks for it and decodes it.
    let before = sim.gzipped_responses();
    let client = common::client_for(&sim).await;
    let listed = Api::<Pod>::all(client)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), pods);
    assert_eq!(
        sim.gzipped_responses(),
        before + 1,
        "kube-rs asked for gzip"
    );
}

#[tokio::test]
async fn requests_are_counted_watches_apart_and_the_admin_endpoints_not() {
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    let (r0, w0) = sim.requests_served();
    let pods = Api::<Pod>::all(client.clone());
    pods.list(&ListParams::default()).await.unwrap();
    let version = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .metadata
        .resource_version
        .unwrap_or_default();
    let wp = WatchParams::default().timeout(1);
    let stream = pods.watch(&wp, &version).await.unwrap();
    drop(stream);
    assert_eq!(sim.requests_served(), (r0 + 3, w0 + 1));
    // The admin endpoint says the same, and is not counted itself.
    let req = http::Request::get("/_sim/requests")
        .body(Vec::new())
        .unwrap();
    let said: serde_json::Value = client.request(req).await.unwrap();
    assert_eq!(
        said,
        serde_json::json!({"requests": r0 + 3, "watches": w0 + 1})
    );
    assert_eq!(sim.requests_served(), (r0 + 3, w0 + 1));
}

#[tokio::test]
async fn discovery_is_aggregated_when_asked_and_every_kind_resolves() {
    use kubedeck::kube::discovery::{AGGREGATED_ACCEPT, discover};
    let sim = common::start(common::frozen(60)).await;
    let client = common::client_for(&sim).await;
    for (path, first) in [
        ("/api", serde_json::json!({})),
        ("/apis", serde_json::json!({"name": "apps"})),
    ] {
        let req = http::Request::get(path)
            .header("Accept", AGGREGATED_ACCEPT)
            .body(Vec::new())
            .unwrap();
        let v: serde_json::Value = client.request(req).await.unwrap();
        assert_eq!(v["kind"], "APIGroupDiscoveryList", "{path}");
        let items = v["items"].as_array().cloned().unwrap_or_default();
        assert!(items.iter().any(|i| i["metadata"] == first), "{path}: {v}");
    }
    let catalog = discover(&client).await.unwrap();
    for name in [
        "deploy",
        "svc",
        "cm",
        "sec",
        "ing",
        "sts",
        "ds",
        "job",
        "cj",
        "pvc",
        "pv",
        "hpa",
        "pdb",
        "sa",
        "crd",
        "wd",
        "pr",
        "endpointslices",
        "roles",
        "clusterroles",
    ] {
        assert!(catalog.resolve(name).is_ok(), "{name} does not resolve");
    }
    let deploy = catalog.resolve("deploy").unwrap();
    assert!(deploy.subresources.contains(&"scale".to_string()));
}

/// Every owner reference the simulator writes names its owner's real UID (an apiserver requires
/// it, and its garbage collector deletes what points at a UID that does not exist), with the
/// agent installed.
#[test]
fn every_owner_reference_carries_its_owners_uid() {
    let w = common::world(common::frozen(40));
    w.sim.install_agent();
    let store = w.sim.store();
    let mut owners = std::collections::HashMap::new();
    for kind in kubedeck_sim::resources::KINDS {
        for o in store.snapshot(*kind).items {
            let m = &o["metadata"];
            let key = (
                m["namespace"].as_str().unwrap_or_default().to_string(),
                o["kind"].as_str().unwrap_or_default().to_string(),
                m["name"].as_str().unwrap_or_default().to_string(),
            );
            owners.insert(key, m["uid"].as_str().unwrap_or_default().to_string());
        }
    }
    let mut checked = 0;
    for kind in kubedeck_sim::resources::KINDS {
        for o in store.snapshot(*kind).items {
            let ns = o["metadata"]["namespace"].as_str().unwrap_or_default();
            for r in o["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let owner_kind = r["kind"].as_str().unwrap_or_default();
                // Tekton's owners are checked by their own tests (runs and their TaskRuns).
                if matches!(owner_kind, "PipelineRun" | "TaskRun") {
                    continue;
                }
                let key = (
                    ns.to_string(),
                    owner_kind.to_string(),
                    r["name"].as_str().unwrap_or_default().to_string(),
                );
                let Some(uid) = owners.get(&key) else {
                    panic!(
                        "{} points at {key:?}, which does not exist",
                        o["metadata"]["name"]
                    );
                };
                assert_eq!(
                    r["uid"].as_str(),
                    Some(uid.as_str()),
                    "{}: {key:?}",
                    o["metadata"]["name"]
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40, "only {checked} references");
}

/// `/_sim/churn?per_sec=N` flips running pods' readiness (a kubelet under a storm), seen by a
/// client as pods going not ready and ready; `per_sec=0` stops it.
#[tokio::test]
async fn churn_flips_readiness_until_stopped() {
    let sim = common::start(common::frozen(20)).await;
    let client = common::client_for(&sim).await;
    let ready = |sim: &kubedeck_sim::Sim| -> Vec<bool> {
        sim.store()
            .snapshot(Kind::Pod)
            .items
            .iter()
            .filter(|p| p["status"]["phase"] == "Running")
            .map(|p| {
                p["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True")
            })
            .collect()
    };
    let post = |path: &str| {
        let client = client.clone();
        let req = http::Request::post(path.to_string()).body(Vec::new());
        async move { client.request_text(req.expect("a request")).await }
    };
    let before = ready(&sim);
    let answer = post("/_sim/churn?per_sec=100")
        .await
        .expect("churn started");
    assert!(answer.contains("churn"), "{answer}");
    common::eventually("a readiness flipped", Duration::from_secs(10), || {
        ready(&sim) != before
    })
    .await;
    post("/_sim/churn?per_sec=0").await.expect("churn stopped");
}

/// Every pod has its own uid, as an apiserver gives (a run's tasks of one name length shared
/// one, and kubedeck's table, which finds a row by uid, removed the wrong pod).
#[test]
fn every_pod_has_its_own_uid() {
    let w = common::world(common::frozen(12));
    let pods = w.sim.store().snapshot(kubedeck_sim::Kind::Pod).items;
    let uids: std::collections::HashSet<String> = pods
        .iter()
        .filter_map(|p| p["metadata"]["uid"].as_str().map(str::to_string))
        .collect();
    assert!(pods.len() > 12, "the runs' task pods are there too");
    assert_eq!(uids.len(), pods.len());
}

/// A namespace's PodMetrics are that namespace's running pods (the simulator computes only
/// those, as metrics-server answers from them), and one pod's metrics can be read by name.
#[tokio::test]
async fn pod_metrics_of_a_namespace_are_its_running_pods() {
    use kube::api::{Api, ApiResource, DynamicObject, ListParams};
    use kube::core::GroupVersionKind;
    use std::collections::BTreeSet;
    let sim = common::start(kubedeck_sim::SimOptions {
        tick: None,
        ..kubedeck_sim::SimOptions::default()
    })
    .await;
    let pods = sim.store().snapshot(Kind::Pod).items;
    let namespaces: BTreeSet<&str> = pods
        .iter()
        .filter_map(|p| p["metadata"]["namespace"].as_str())
        .collect();
    assert!(
        namespaces.len() > 1,
        "the demo world has pods in {namespaces:?}"
    );
    let client = common::client_for(&sim).await;
    let ar = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "PodMetrics"),
        "pods",
    );
    for ns in namespaces {
        let running: BTreeSet<String> = pods
            .iter()
            .filter(|p| p["metadata"]["namespace"] == ns && p["status"]["phase"] == "Running")
            .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
            .collect();
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), ns, &ar);
        let listed: BTreeSet<String> = api
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter_map(|m| m.metadata.name)
            .collect();
        assert_eq!(listed, running, "PodMetrics of {ns}");
        if let Some(one) = running.iter().next() {
            let got = api.get(one).await.unwrap();
            assert_eq!(got.metadata.namespace.as_deref(), Some(ns));
        }
    }
}
