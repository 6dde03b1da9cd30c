//! Port-forwards against the simulator: kube-rs's portforward protocol end to end (the
//! simulator answers as the real cluster's busybox httpd did, `wire-portforward.txt`), a forward
//! to a Service surviving its pod being replaced, and the errors a user is told.

use crate::common;

use std::time::Duration;

use kubedeck::kube::credentials::ClientHandle;
use kubedeck::kube::ids::ClusterId;
use kubedeck::kube::informer::ResourceKind;
use kubedeck::kube::object_ref::ObjectRef;
use kubedeck::kube::portforward::{ForwardReport, ForwardSpec, ForwardTarget, spawn};
use kubedeck_sim::Kind;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_and_a_service_are_forwarded_and_a_replaced_pod_is_followed() {
    let sim = common::start(common::frozen(4)).await;
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "web-a")
            .app("pfweb")
            .ready()
            .json(),
    );
    let client = common::client_for(&sim).await;
    let clients = ClientHandle::fixed(client);
    let cluster = ClusterId::new("sim");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let pod = ObjectRef::new(&cluster, ResourceKind::Pods, "demo", "web-a");
    let _pod_forward = spawn(
        clients.clone(),
        ForwardSpec {
            id: 1,
            target: ForwardTarget::Pod(pod),
            local_port: 0,
            remote_port: 8080,
        },
        tx.clone(),
    );
    let ForwardReport::Listening(1, addr) = next(&mut rx).await else {
        panic!("not listening")
    };
    let ok = get(addr, "/").await;
    assert!(
        ok.starts_with("HTTP/1.1 200 OK") && ok.ends_with("hello from web-a\n"),
        "{ok:?}"
    );
    let missing = get(addr, "/missing").await;
    assert!(missing.starts_with("HTTP/1.1 404 Not Found"), "{missing:?}");

    // Through the Service's selector: web-a now; once it is gone, web-b.
    let svc = ObjectRef::new(&cluster, ResourceKind::Generic, "demo", "pfweb");
    let _svc_forward = spawn(
        clients.clone(),
        ForwardSpec {
            id: 2,
            target: ForwardTarget::Selected {
                object: svc,
                selector: "app=pfweb".into(),
            },
            local_port: 0,
            remote_port: 80,
        },
        tx.clone(),
    );
    let addr = loop {
        if let ForwardReport::Listening(2, a) = next(&mut rx).await {
            break a;
        }
    };
    assert!(get(addr, "/").await.ends_with("hello from web-a\n"));
    sim.store()
        .remove(Kind::Pod, &("demo".into(), "web-a".into()));
    sim.store().put(
        Kind::Pod,
        common::pods::pod("demo", "web-b")
            .app("pfweb")
            .ready()
            .json(),
    );
    assert!(get(addr, "/").await.ends_with("hello from web-b\n"));
    // No ready pod: the connection is closed and the forward says why.
    sim.store()
        .remove(Kind::Pod, &("demo".into(), "web-b".into()));
    let nothing = get(addr, "/").await;
    assert!(nothing.is_empty(), "{nothing:?}");
    let why = loop {
        if let ForwardReport::Error(2, why) = next(&mut rx).await {
            break why;
        }
    };
    assert!(why.contains("no running, ready pod behind"), "{why}");
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
    let _g = spawn(
        clients,
        ForwardSpec {
            id: 4,
            target: ForwardTarget::Pod(pod),
            local_port: 0,
            remote_port: 80,
        },
        tx,
    );
    let ForwardReport::Listening(4, addr) = next(&mut rx).await else {
        panic!("not listening")
    };
    assert!(get(addr, "/").await.is_empty());
    let why = loop {
        if let ForwardReport::Error(4, why) = next(&mut rx).await {
            break why;
        }
    };
    assert!(why.contains("no-such-pod"), "{why}");
}
