//! After a fault, the informers' stores and states are true: the wire the simulator speaks for
//! each fault as the apiserver does, and the informers' answer to it.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use futures::TryStreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, WatchEvent, WatchParams};
use kubedeck::kube::client::KubeconfigSource;
use kubedeck::kube::cluster::{Cluster, Scope};
use kubedeck::kube::credentials::ClientHandle;
use kubedeck::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use kubedeck::kube::object_ref::ObjectRef;
use kubedeck::kube::on_path::OnPath;
use kubedeck::kube::portforward::{self, ForwardError, ForwardReport, ForwardSpec, ForwardTarget};
use kubedeck_sim::{Kind, Sim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use common::until_state;

type Updates = tokio::sync::mpsc::UnboundedReceiver<InformerUpdate>;

/// Wait until every kind in `kinds` has reported `state` (in any order), starting now.
async fn all_reach(rx: &mut Updates, kinds: &[ResourceKind], state: &InformerState) {
    let mut missing: BTreeSet<ResourceKind> = kinds.iter().copied().collect();
    let wait = async {
        while let Some(u) = rx.recv().await {
            if matches!(&u.change, Change::State(s) if s == state) {
                missing.remove(&u.kind);
                if missing.is_empty() {
                    return true;
                }
            }
        }
        // The informers went away before saying so: that is a failure, not a wait that ended.
        false
    };
    let reached = tokio::time::timeout(Duration::from_secs(30), wait).await;
    assert_eq!(
        reached,
        Ok(true),
        "never {state:?} (Err: timed out; false: the channel closed): {missing:?}"
    );
}

fn pod_keys_in_store(cluster: &Cluster) -> BTreeSet<String> {
    cluster
        .stores
        .pods
        .rows()
        .iter()
        .map(|r| format!("{}/{}", r.namespace, r.name))
        .collect()
}

fn pod_keys_on_server(sim: &Sim) -> BTreeSet<String> {
    sim.store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .map(|p| {
            let (ns, name) = kubedeck_sim::store::key_of(p);
            format!("{ns}/{name}")
        })
        .collect()
}

#[tokio::test]
async fn a_watch_from_a_version_the_server_has_not_reached_is_too_large() {
    let sim = common::start(common::frozen(3)).await;
    let pods: Api<Pod> = Api::all(common::client_for(&sim).await);
    let current = sim.store().resource_version();
    let from = (current + 1000).to_string();
    let mut stream = Box::pin(pods.watch(&WatchParams::default(), &from).await.unwrap());
    match stream.try_next().await.unwrap() {
        Some(WatchEvent::Error(s)) => {
            assert_eq!((s.code, s.reason.as_str()), (504, "Timeout"));
            assert_eq!(
                s.message,
                format!("Timeout: Too large resource version: {from}, current: {current}")
            );
            let causes: Vec<_> = s
                .details
                .iter()
                .flat_map(|d| d.causes.iter().map(|c| c.reason.clone()))
                .collect();
            assert_eq!(causes, ["ResourceVersionTooLarge"]);
        }
        other => panic!("expected a 504 ERROR event, got {other:?}"),
    }
}

#[tokio::test]
async fn a_watch_from_a_version_reached_while_it_waits_goes_on() {
    let sim = common::start(common::frozen(3)).await;
    let pods: Api<Pod> = Api::all(common::client_for(&sim).await);
    let next = (sim.store().resource_version() + 1).to_string();
    let mut stream = Box::pin(pods.watch(&WatchParams::default(), &next).await.unwrap());
    // The version is reached (and passed) within the server's wait: the changes after it come.
    sim.store()
        .put(Kind::Pod, common::pods::pod("demo", "first").json());
    sim.store()
        .put(Kind::Pod, common::pods::pod("demo", "second").json());
    loop {
        match stream.try_next().await.unwrap() {
            Some(WatchEvent::Added(p)) => {
                assert_eq!(p.metadata.name.as_deref(), Some("second"));
                break;
            }
            Some(WatchEvent::Bookmark(_)) => {}
            other => panic!("expected the second pod, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_is_live_again_after_a_restart_though_nothing_changes() {
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(ClientHandle::fixed(client), "sim".into(), Scope::All, tx);
    all_reach(&mut rx, &ResourceKind::ALL, &InformerState::Live).await;

    sim.restart(Duration::from_secs(3)).await;
    // The watches broke and the pods' could not resume while the server was down (a kind whose
    // task ran only once the server was back may have resumed without a gap: it stays live)...
    let mut latest: std::collections::BTreeMap<ResourceKind, InformerState> = ResourceKind::ALL
        .into_iter()
        .map(|k| (k, InformerState::Live))
        .collect();
    let mut pods_reconnected = false;
    let wait = async {
        while let Some(u) = rx.recv().await {
            if let Change::State(s) = u.change {
                pods_reconnected |= u.kind == ResourceKind::Pods
                    && matches!(&s, InformerState::Reconnecting(e) if e.contains("cannot reach the API server"));
                latest.insert(u.kind, s);
            }
            // ... and every kind is live again once its watch resumes, with no object
            // changing (the scenario is frozen).
            if pods_reconnected && latest.values().all(|s| *s == InformerState::Live) {
                return;
            }
        }
    };
    let ok = tokio::time::timeout(Duration::from_secs(30), wait).await;
    assert!(
        ok.is_ok(),
        "not all live again: {latest:?} (pods reconnected: {pods_reconnected})"
    );
    assert_eq!(pod_keys_in_store(&cluster), pod_keys_on_server(&sim));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_versions_went_backwards_is_relisted() {
    let sim = common::start(common::frozen(10)).await;
    let client = common::client_for(&sim).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(ClientHandle::fixed(client), "sim".into(), Scope::All, tx);
    eprintln!("step: not installed at first");
    until_state(&mut rx, ResourceKind::Pods, Duration::from_secs(20), |s| {
        *s == InformerState::Live
    })
    .await;
    sim.store().checkpoint();
    // After the checkpoint: one pod created, one deleted; the client sees both.
    let doomed = pod_keys_on_server(&sim)
        .into_iter()
        .next()
        .unwrap_or_default();
    let (ns, name) = doomed.split_once('/').unwrap_or_default();
    sim.store()
        .remove(Kind::Pod, &(ns.to_string(), name.to_string()));
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "born-after-checkpoint").json(),
    );
    common::eventually(
        "the client to see both changes",
        Duration::from_secs(20),
        || pod_keys_in_store(&cluster) == pod_keys_on_server(&sim),
    )
    .await;
    assert!(pod_keys_in_store(&cluster).contains("demo/born-after-checkpoint"));

    // etcd restored: the pod created since is gone, the deleted one is back, and the server's
    // versions are behind the client's.
    sim.restart_restored(Duration::from_millis(300)).await;
    let server = pod_keys_on_server(&sim);
    assert!(server.contains(&doomed) && !server.contains("demo/born-after-checkpoint"));
    common::eventually(
        "the store to equal the restored server",
        Duration::from_secs(30),
        || pod_keys_in_store(&cluster) == server,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewed_token_in_the_kubeconfig_is_picked_up() {
    let sim = common::start(common::frozen(6)).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    sim.write_kubeconfig(&path).unwrap();
    let source = KubeconfigSource::load(Some(&path)).unwrap();
    let (client, _) = source.client("kubedeck-sim").await.unwrap();
    let clients = ClientHandle::renewable(client, source, "kubedeck-sim");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(clients, "sim".into(), Scope::All, tx);
    until_state(&mut rx, ResourceKind::Pods, Duration::from_secs(20), |s| {
        *s == InformerState::Live
    })
    .await;

    // The token expires: the next requests are refused. (An open watch is not checked again,
    // as on a real apiserver: watches are dropped until the pods' next one has been refused; a
    // watch authorised just before the token changed may slip past one drop.)
    sim.set_token(Some("renewed-token"));
    let mut refused = false;
    for _ in 0..20 {
        sim.faults().drop_all_watches();
        let wait = async {
            while let Some(u) = rx.recv().await {
                if u.kind == ResourceKind::Pods
                    && matches!(u.change, Change::State(InformerState::Unauthorized(_)))
                {
                    return true;
                }
            }
            false
        };
        if tokio::time::timeout(Duration::from_secs(1), wait).await == Ok(true) {
            refused = true;
            break;
        }
    }
    assert!(
        refused,
        "the pods informer never reported the refused token"
    );

    // A login in another pane writes the new token; the retry key makes it try at once.
    sim.write_kubeconfig(&path).unwrap();
    cluster.retry.now();
    until_state(&mut rx, ResourceKind::Pods, Duration::from_secs(20), |s| {
        *s == InformerState::Live
    })
    .await;
    sim.store()
        .put(Kind::Pod, common::pods::pod("demo", "after-login").json());
    common::eventually("the store to follow again", Duration::from_secs(20), || {
        pod_keys_in_store(&cluster) == pod_keys_on_server(&sim)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tekton_installed_later_appears_and_removed_goes_away() {
    let sim = common::start(common::frozen(6)).await;
    for gv in ["tekton.dev/v1", "tekton.dev/v1beta1"] {
        sim.faults().set_api_served(gv, false);
    }
    let client = common::client_for(&sim).await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(ClientHandle::fixed(client), "sim".into(), Scope::All, tx);
    until_state(
        &mut rx,
        ResourceKind::PipelineRuns,
        Duration::from_secs(20),
        |s| *s == InformerState::NotInstalled,
    )
    .await;

    // Installed: discovery is looked at again (backoff at most 30 s), without any key.
    sim.faults().set_api_served("tekton.dev/v1", true);
    eprintln!("step: installed");
    until_state(
        &mut rx,
        ResourceKind::PipelineRuns,
        Duration::from_secs(45),
        |s| *s == InformerState::Live,
    )
    .await;
    let runs = sim.store().count(Kind::PipelineRun);
    assert!(runs > 0);
    assert_eq!(cluster.stores.count(ResourceKind::PipelineRuns), runs);
    assert!(cluster.tekton.get().is_some());

    // Removed: the runs go with it, and it says so.
    sim.faults().set_api_served("tekton.dev/v1", false);
    eprintln!("step: removed");
    until_state(
        &mut rx,
        ResourceKind::PipelineRuns,
        Duration::from_secs(20),
        |s| *s == InformerState::NotInstalled,
    )
    .await;
    assert_eq!(cluster.stores.count(ResourceKind::PipelineRuns), 0);
    // Forgotten by discovery right after the informer said so.
    common::eventually("Tekton forgotten", Duration::from_secs(5), || {
        cluster.tekton.get().is_none()
    })
    .await;
}

/// A channel whose senders are all gone fails the wait (it once counted as every kind live).
#[tokio::test]
#[should_panic(expected = "the channel closed")]
async fn a_closed_channel_fails_all_reach() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<InformerUpdate>();
    drop(tx);
    all_reach(&mut rx, &[ResourceKind::Pods], &InformerState::Live).await;
}

/// A connection that goes silent without closing (a dropped VPN, a jump host that forgot the
/// flow), through a proxy on loopback: every kind says it lost the connection and is not live,
/// long before a watch's idle timeout (minutes); once the path is back, every kind is live
/// again and what changed meanwhile is in the store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_is_noticed_and_recovered_from() {
    let sim = common::start(common::frozen(6)).await;
    let proxy = common::proxy::SilentProxy::start(sim.addr()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    sim.write_kubeconfig(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(&sim.url(), &proxy.url())).unwrap();
    let source = KubeconfigSource::load(Some(&path)).unwrap();
    let (client, _) = source.client("kubedeck-sim").await.unwrap();
    let clients = ClientHandle::renewable(client, source, "kubedeck-sim");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(clients, "sim".into(), Scope::All, tx);
    let kinds = [
        ResourceKind::Pods,
        ResourceKind::Events,
        ResourceKind::Nodes,
        ResourceKind::Namespaces,
    ];
    all_reach(&mut rx, &kinds, &InformerState::Live).await;

    // A port-forward with a connection open (a request still being sent), and a shell.
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "held")
            .port("http", 8080)
            .ready()
            .json(),
    );
    let (ftx, mut frx) = tokio::sync::mpsc::unbounded_channel();
    let held = ObjectRef::new(&"sim".into(), ResourceKind::Pods, "demo", "held");
    let _forward = portforward::spawn(
        cluster.clients.clone(),
        cluster.retry.path_signal(),
        ForwardSpec {
            id: 1,
            target: ForwardTarget::Pod(held),
            local_port: 0,
            remote_port: 8080,
        },
        ftx,
    );
    let Some(ForwardReport::Listening(_, addr)) = frx.recv().await else {
        panic!("the forward is not listening")
    };
    let mut open = tokio::net::TcpStream::connect(addr).await.unwrap();
    open.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    let shell: Box<dyn kubedeck::pty::Backend> = Box::new(OnPath {
        inner: Box::new(kubedeck::kube::exec::Exec {
            target: kubedeck::kube::exec::Target {
                client: cluster.clients.client(),
                namespace: "demo".into(),
                pod: "held".into(),
                container: "app".into(),
            },
            command: None,
        }),
        path: cluster.retry.path_signal(),
    });
    let (progress, _p) = tokio::sync::mpsc::unbounded_channel();
    let session = shell
        .connect(kubedeck::pty::Size { rows: 24, cols: 80 }, progress)
        .await
        .unwrap();

    proxy.blackhole();
    let silent = InformerState::Reconnecting(kubedeck::kube::liveness::SILENT.to_string());
    all_reach(&mut rx, &kinds, &silent).await;
    // The forwarded connection is closed and the forward says why; the shell ends as lost.
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(30), open.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the forwarded connection froze");
    let why = loop {
        match tokio::time::timeout(Duration::from_secs(30), frx.recv()).await {
            Ok(Some(ForwardReport::Error(_, why))) => break why,
            Ok(Some(_)) => {}
            other => panic!("the forward said nothing of the lost connection: {other:?}"),
        }
    };
    assert!(
        matches!(&why, ForwardError::Lost { pod, port: 8080 } if pod == "held"),
        "{why:?}"
    );
    let ended = tokio::time::timeout(Duration::from_secs(30), session.exit).await;
    assert_eq!(
        ended,
        Ok(Ok(kubedeck::pty::Ended::Lost(
            kubedeck::kube::liveness::SILENT.into()
        )))
    );
    // Meanwhile the cluster changes.
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "born-while-silent").json(),
    );

    proxy.restore();
    all_reach(&mut rx, &kinds, &InformerState::Live).await;
    common::eventually(
        "the pod made while the connection was silent",
        Duration::from_secs(30),
        || pod_keys_in_store(&cluster).contains("demo/born-while-silent"),
    )
    .await;
    assert_eq!(pod_keys_in_store(&cluster), pod_keys_on_server(&sim));
}

/// An apiserver restart cuts the streams it carries, as a real one does: an exec session ends
/// as lost (not with an exit status it never had), a forwarded connection is closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_cuts_exec_and_port_forward_streams() {
    let sim = common::start(common::frozen(6)).await;
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "held")
            .port("http", 8080)
            .ready()
            .json(),
    );
    let client = common::client_for(&sim).await;
    let shell: Box<dyn kubedeck::pty::Backend> = Box::new(kubedeck::kube::exec::Exec {
        target: kubedeck::kube::exec::Target {
            client: client.clone(),
            namespace: "demo".into(),
            pod: "held".into(),
            container: "app".into(),
        },
        command: None,
    });
    let (progress, _p) = tokio::sync::mpsc::unbounded_channel();
    let session = shell
        .connect(kubedeck::pty::Size { rows: 24, cols: 80 }, progress)
        .await
        .unwrap();
    // A port-forward stream, established (the upgrade answered) before the restart, with a
    // request still being sent on it.
    let pods: Api<Pod> = Api::namespaced(client, "demo");
    let mut pf = pods.portforward("held", &[8080]).await.unwrap();
    let mut open = pf.take_stream(8080).unwrap();
    open.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();

    sim.restart(Duration::from_millis(200)).await;
    let ended = tokio::time::timeout(Duration::from_secs(30), session.exit).await;
    assert!(
        matches!(ended, Ok(Ok(kubedeck::pty::Ended::Lost(_)))),
        "the exec session outlived the restart: {ended:?}"
    );
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(30), open.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the forwarded connection outlived the restart"
    );
}

/// Step capture runs on kubedeck's own list-watch loop: after the apiserver comes back from a
/// restored etcd (its versions went backwards, so a watch from ours is "too large" forever),
/// the capture relists and goes on capturing steps that finish after it, where kube-runtime's
/// watcher retried the too-large version forever and captured nothing more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_capture_goes_on_after_a_restored_etcd() {
    use kubedeck::kube::step_store::StepStore;
    let sim = common::start(common::frozen(6)).await;
    let client = common::client_for(&sim).await;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(StepStore::new(dir.path(), "sim", "http://sim", 1 << 30));
    let retry = kubedeck::kube::backoff::RetryNow::default();
    let _capture = kubedeck::kube::step_capture::spawn(
        ClientHandle::fixed(client),
        Scope::All,
        store.clone(),
        retry.subscribe(),
    );
    let step_pod = |name: &str| {
        let finished = jiff::Timestamp::now().to_string();
        serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "ci", "uid": format!("uid-{name}"),
                "creationTimestamp": finished,
                "labels": {"tekton.dev/pipelineRun": "late-run", "tekton.dev/taskRun": format!("{name}-tr"),
                           "tekton.dev/pipelineTask": "test"}},
            "spec": {"containers": [{"name": "step-test", "image": "busybox"}], "nodeName": "worker-01"},
            "status": {"phase": "Failed", "containerStatuses": [
                {"name": "step-test", "ready": false, "restartCount": 0, "image": "busybox", "imageID": "",
                 "state": {"terminated": {"exitCode": 1, "reason": "Error",
                     "startedAt": finished, "finishedAt": finished}}}]}})
    };
    let steps = || {
        store
            .runs()
            .iter()
            .find(|r| r.name == "late-run")
            .map_or(0, |r| r.steps)
    };
    // Captured while the world is as it was. (Other changes after the checkpoint put the
    // capture's version well past what the restored store reaches again.)
    sim.store().checkpoint();
    for i in 0..5 {
        sim.store().put(
            Kind::Pod,
            common::pods::pod("demo", &format!("filler-{i}")).json(),
        );
    }
    sim.store().put(Kind::Pod, step_pod("before-restore"));
    common::eventually("the first step captured", Duration::from_secs(30), || {
        steps() == 1
    })
    .await;
    // etcd restored: versions go backwards. A step that finishes afterwards is captured too.
    sim.restart_restored(Duration::from_millis(300)).await;
    sim.store().put(Kind::Pod, step_pod("after-restore"));
    common::eventually(
        "a step finishing after the restore captured",
        Duration::from_secs(30),
        || steps() == 2,
    )
    .await;
}
