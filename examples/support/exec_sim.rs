//! A small frozen simulator with one running busybox pod to exec into (`demo/NAME`, container
//! `app`): the session benchmarks' world.

use jiff::{SignedDuration, Timestamp};
use kubedeck_sim::{Kind, Scale, Sim, SimOptions};
use serde_json::json;

/// Start it, with the pod in its store; `None` when the simulator does not start.
pub async fn start(pod: &str) -> Option<Sim> {
    let opts = SimOptions {
        scale: Scale {
            pods: 5,
            nodes: 2,
            pipelineruns: 0,
            events: 10,
            seed: 1,
        },
        tick: None,
        token: None,
        ..SimOptions::default()
    };
    let sim = Sim::start(opts, "127.0.0.1:0".parse().ok()?).await.ok()?;
    let started = Timestamp::now() - SignedDuration::from_secs(1);
    sim.store().put(
        Kind::Pod,
        json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": pod, "namespace": "demo", "uid": format!("uid-{pod}"),
                         "creationTimestamp": started.to_string()},
            "spec": {"containers": [{"name": "app", "image": "busybox"}], "nodeName": "worker-01"},
            "status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": true,
                "restartCount": 0, "image": "busybox", "imageID": "",
                "state": {"running": {"startedAt": started.to_string()}}}]}
        }),
    );
    Some(sim)
}
