//! Port-forwards against the simulator: kube-rs's portforward protocol end to end (the
//! simulator answers as the real cluster's busybox httpd did, `wire-portforward.txt`), a forward
//! to a Service carried to its targetPort (numeric and named, as the real cluster's Services
//! `app` and `app-named` in ops/services-targetport.json) and surviving its pod being replaced,
//! a port nothing listens on refused with the kubelet's words, and the errors a user is told.

use crate::common;

use std::time::Duration;

use kubedeck::kube::credentials::ClientHandle;
use kubedeck::kube::ids::ClusterId;
use kubedeck::kube::informer::ResourceKind;
use kubedeck::kube::object_ref::ObjectRef;
use kubedeck::kube::portforward::{ForwardError, ForwardReport, ForwardSpec, ForwardTarget, spawn};
use kubedeck_sim::Kind;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut c = tokio::net::TcpStream::connect(addr).await.unwrap();
    c.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), c.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "no answer through the forward");
    String::from_utf8_lossy(&out).into_owned()
}

async fn next(rx: &mut tokio::sync::mpsc::UnboundedReceiver<ForwardReport>) -> ForwardReport {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .ok()
        .flatten()
        .expect("the forward said nothing")
}

/// A Service `name` selecting `app=pfweb`, its port 80 carried to `target` (as in the real
/// cluster's ops/services-targetport.json).
fn service(name: &str, target: serde_json::Value) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "demo", "uid": format!("uid-{name}")},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.7.7", "selector": {"app": "pfweb"},
            "ports": [{"name": "web", "port": 80, "protocol": "TCP", "targetPort": target}]}})
}

/// Start forward `id` to `target`'s port `remote` on any free local port: its task, and where
/// it listens.
async fn forward(
    clients: &ClientHandle,
    tx: &tokio::sync::mpsc::UnboundedSender<ForwardReport>,
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<ForwardReport>,
    id: u32,
    target: ForwardTarget,
    remote: u16,
) -> (tokio::task::JoinHandle<()>, std::net::SocketAddr) {
    let spec = ForwardSpec {
        id,
        target,
        local_port: 0,
        remote_port: remote,
    };
    let never = kubedeck::kube::backoff::PathSignal::never();
    let task = spawn(clients.clone(), never, spec, tx.clone());
    loop {
        if let ForwardReport::Listening(i, addr) = next(rx).await
            && i == id
        {
            return (task, addr);
        }
    }
}

/// The next connection report of forward `id`: the pod and port it went to.
async fn went_to(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<ForwardReport>,
    id: u32,
) -> (String, u16) {
    loop {
        if let ForwardReport::Connections {
            id: i, pod, port, ..
        } = next(rx).await
            && i == id
        {
            return (pod, port);
        }
    }
}

async fn error_of(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<ForwardReport>,
    id: u32,
) -> ForwardError {
    loop {
        if let ForwardReport::Error(i, why) = next(rx).await
            && i == id
        {
            return why;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_and_a_service_are_forwarded_and_a_replaced_pod_is_followed() {
    let sim = common::start(common::frozen(4)).await;
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "web-a")
            .app("pfweb")
            .port("http", 8080)
            .ready()
            .json(),
    );
    sim.store()
        .put(Kind::Service, service("pfweb", json!("http")));
    sim.store()
        .put(Kind::Service, service("pfweb-num", json!(8080)));
    let client = common::client_for(&sim).await;
    let clients = ClientHandle::fixed(client);
    let cluster = ClusterId::new("sim");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pod = ObjectRef::new(&cluster, ResourceKind::Pods, "demo", "web-a");
    let (_pod_forward, addr) = forward(
        &clients,
        &tx,
        &mut rx,
        1,
        ForwardTarget::Pod(pod.clone()),
        8080,
    )
    .await;
    let ok = get(addr, "/").await;
    assert!(
        ok.starts_with("HTTP/1.1 200 OK") && ok.ends_with("hello from web-a\n"),
        "{ok:?}"
    );
    let missing = get(addr, "/missing").await;
    assert!(missing.starts_with("HTTP/1.1 404 Not Found"), "{missing:?}");

    // Port 80 of the pod: nothing listens there. The connection closes, and the forward says
    // why in the kubelet's words.
    let (_refused, addr) = forward(
        &clients,
        &tx,
        &mut rx,
        5,
        ForwardTarget::Pod(pod.clone()),
        80,
    )
    .await;
    assert_eq!(get(addr, "/").await, "");
    let why = error_of(&mut rx, 5).await;
    assert!(
        matches!(&why, ForwardError::Refused { pod, port: 80, message }
            if pod == "web-a" && message.contains("connect: connection refused")),
        "{why:?}"
    );

    // Through each Service: its port 80 is the pod's 8080, by number and by name.
    let svc = ObjectRef::new(&cluster, ResourceKind::Generic, "demo", "pfweb-num");
    let (_num, addr) = forward(
        &clients,
        &tx,
        &mut rx,
        6,
        ForwardTarget::Service {
            object: svc,
            selector: "app=pfweb".into(),
        },
        80,
    )
    .await;
    assert!(get(addr, "/").await.ends_with("hello from web-a\n"));
    assert_eq!(went_to(&mut rx, 6).await, ("web-a".to_string(), 8080));

    // The named one: web-a now; once it is gone, web-b.
    let svc = ObjectRef::new(&cluster, ResourceKind::Generic, "demo", "pfweb");
    let (_svc_forward, addr) = forward(
        &clients,
        &tx,
        &mut rx,
        2,
        ForwardTarget::Service {
            object: svc.clone(),
            selector: "app=pfweb".into(),
        },
        80,
    )
    .await;
    assert!(get(addr, "/").await.ends_with("hello from web-a\n"));
    assert_eq!(went_to(&mut rx, 2).await, ("web-a".to_string(), 8080));
    sim.store()
        .remove(Kind::Pod, &("demo".into(), "web-a".into()));
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "web-b")
            .app("pfweb")
            .port("http", 8080)
            .ready()
            .json(),
    );
    assert!(get(addr, "/").await.ends_with("hello from web-b\n"));
    // A pod without the named port: kubectl's words.
    sim.store()
        .remove(Kind::Pod, &("demo".into(), "web-b".into()));
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "web-c")
            .app("pfweb")
            .ready()
            .json(),
    );
    assert_eq!(get(addr, "/").await, "");
    let why = error_of(&mut rx, 2).await;
    assert_eq!(
        why.to_string(),
        "Pod 'web-c' does not have a named port 'http'"
    );
    // No ready pod: the connection is closed and the forward says why.
    sim.store()
        .remove(Kind::Pod, &("demo".into(), "web-c".into()));
    let nothing = get(addr, "/").await;
    assert!(nothing.is_empty(), "{nothing:?}");
    let why = error_of(&mut rx, 2).await.to_string();
    assert!(why.contains("no running, ready pod behind"), "{why}");

    // A port the Service does not have.
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "web-d")
            .app("pfweb")
            .port("http", 8080)
            .ready()
            .json(),
    );
    let (_wrong, addr) = forward(
        &clients,
        &tx,
        &mut rx,
        7,
        ForwardTarget::Service {
            object: svc,
            selector: "app=pfweb".into(),
        },
        8080,
    )
    .await;
    assert_eq!(get(addr, "/").await, "");
    assert_eq!(
        error_of(&mut rx, 7).await.to_string(),
        "Service pfweb does not have a service port 8080"
    );

    // Stopping a forward closes its open connections (a request still being sent here).
    let pod = ObjectRef::new(&cluster, ResourceKind::Pods, "demo", "web-d");
    let (task, addr) = forward(&clients, &tx, &mut rx, 9, ForwardTarget::Pod(pod), 8080).await;
    let mut open = tokio::net::TcpStream::connect(addr).await.unwrap();
    open.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    assert_eq!(went_to(&mut rx, 9).await, ("web-d".to_string(), 8080));
    task.abort();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(10), open.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the connection stayed open after the forward stopped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_stops_the_forward_and_a_missing_pod_is_an_error() {
    let sim = common::start(common::frozen(4)).await;
    let client = common::client_for(&sim).await;
    let clients = ClientHandle::fixed(client);
    let cluster = ClusterId::new("sim");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().map(|a| a.port()).unwrap_or(1);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pod = ObjectRef::new(&cluster, ResourceKind::Pods, "demo", "no-such-pod");
    let _f = spawn(
        clients.clone(),
        kubedeck::kube::backoff::PathSignal::never(),
        ForwardSpec {
            id: 3,
            target: ForwardTarget::Pod(pod.clone()),
            local_port: port,
            remote_port: 80,
        },
        tx.clone(),
    );
    let ForwardReport::Stopped(3, why) = next(&mut rx).await else {
        panic!("a taken port must stop the forward")
    };
    assert!(why.contains(&format!("127.0.0.1:{port}")), "{why}");
    let (_g, addr) = forward(&clients, &tx, &mut rx, 4, ForwardTarget::Pod(pod), 80).await;
    assert!(get(addr, "/").await.is_empty());
    let why = error_of(&mut rx, 4).await.to_string();
    assert!(why.contains("no-such-pod"), "{why}");
}
