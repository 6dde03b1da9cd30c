//! A frame's cost against the cluster's size, under the same storm (not a test): stores of
//! 10,000, 50,000 and 100,000 pods (on 20 pods a node), fed by hand as the pod informer feeds
//! them, then frame after frame: the changes of 1/60 s of a 200 PATCH/s storm (3 or 4 pods,
//! each a new row; some moved to another node, some deleted and made again), the projection
//! that brings the pods view up to date (the table, the per-node sums, the usage overlay),
//! and the draw of the screen at 160x45. The frame's work should follow the changes, not the
//! cluster: flat from 10,000 to 100,000 pods.
//!
//! Each on the pods view, then on the nodes view (the per-node sums shown) and on triage (the
//! pods that are or may become a problem and the warning events, kept by changes; as many
//! events as pods, one in 50 a warning).
//!
//! Run: cargo run --release --example bench_frame -- [frames]

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::runtime::watcher::Event;

use kubedeck::app::projection::Projection;
use kubedeck::app::state::App;
use kubedeck::app::view::View;
use kubedeck::kube::cluster::Stores;
use kubedeck::kube::ids::{ClusterId, Scope};
use kubedeck::kube::informer::ResourceKind;

const SIZES: [usize; 3] = [10_000, 50_000, 100_000];
const PODS_PER_NODE: usize = 20;

fn pod(i: usize, node: usize, version: u64, uid_round: u64) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("app-{i:06}"), "namespace": format!("ns-{}", i % 50),
                     "uid": format!("uid-{i}-{uid_round}"), "resourceVersion": version.to_string(),
                     "creationTimestamp": "2026-11-22T11:00:00Z",
                     "labels": {"app": format!("app-{}", i % 300)}},
        "spec": {"nodeName": format!("node-{node:05}"), "containers": [{"name": "app", "image": "busybox",
                 "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
        "status": {"phase": "Running", "podIP": format!("10.{}.{}.{}", i >> 16, (i >> 8) & 255, i & 255),
                   "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
                   "image": "busybox", "imageID": "",
                   "state": {"running": {"startedAt": "2026-11-22T11:00:00Z"}}}]}
    }))
    .unwrap_or_default()
}

fn node(i: usize) -> Node {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("node-{i:05}"), "uid": format!("node-uid-{i}"),
                     "resourceVersion": "1", "creationTimestamp": "2026-11-01T00:00:00Z"},
        "status": {"allocatable": {"cpu": "32", "memory": "128Gi", "pods": "110"},
                   "conditions": [{"type": "Ready", "status": "True"}]}
    }))
    .unwrap_or_default()
}

/// One event a pod, as the simulators make them: one in 50 a warning.
fn event(i: usize) -> k8s_openapi::api::core::v1::Event {
    let warning = i.is_multiple_of(50);
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("app-{i:06}.1"), "namespace": format!("ns-{}", i % 50),
                     "uid": format!("event-{i}"), "resourceVersion": "1"},
        "involvedObject": {"kind": "Pod", "namespace": format!("ns-{}", i % 50),
                           "name": format!("app-{i:06}")},
        "type": if warning { "Warning" } else { "Normal" },
        "reason": if warning { "Unhealthy" } else { "Started" },
        "message": "Readiness probe failed", "count": 1,
        "lastTimestamp": "2026-11-22T11:30:00Z"
    }))
    .unwrap_or_default()
}

fn percentile(v: &[Duration], p: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or_default()
}

struct Measured {
    pods: usize,
    view: View,
    project: Vec<Duration>,
    draw: Vec<Duration>,
}

fn measure(pods: usize, view: View, frames: usize) -> color_eyre::Result<Measured> {
    let cluster = ClusterId::new("bench");
    let (stores, mut w) = Stores::with_writers(&cluster);
    let nodes = pods / PODS_PER_NODE;
    for n in 0..nodes {
        w.nodes.apply(&Event::Apply(node(n)));
    }
    w.pods.apply(&Event::Init);
    for i in 0..pods {
        w.pods.apply(&Event::InitApply(pod(i, i % nodes, 1, 0)));
    }
    w.pods.apply(&Event::InitDone);
    w.events.apply(&Event::Init);
    for i in 0..pods {
        w.events.apply(&Event::InitApply(event(i)));
    }
    w.events.apply(&Event::InitDone);
    let mut app = App::new(cluster.clone(), "sim".into(), Scope::All, false);
    app.view = view;
    let mut projection = Projection::default();
    projection.project(&mut app, &stores);
    let theme = match kubedeck::views::theme::builtin("default") {
        Some(Ok(t)) => t,
        _ => kubedeck::views::theme::Theme::monochrome(),
    };
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45))?;
    terminal.draw(|f| kubedeck::views::draw(f, &app, &Default::default(), &theme))?;
    let mut rng = fastrand::Rng::with_seed(29);
    let mut version = 1;
    let (mut project, mut draw) = (Vec::new(), Vec::new());
    for frame in 0..frames {
        // 200 changes a second at 60 frames a second.
        let changes = if frame % 3 == 0 { 4 } else { 3 };
        for _ in 0..changes {
            version += 1;
            let i = rng.usize(..pods);
            let node = if rng.u8(..10) == 0 {
                rng.usize(..nodes)
            } else {
                i % nodes
            };
            let uid_round = if rng.u8(..20) == 0 { version } else { 0 };
            w.pods
                .apply(&Event::Apply(pod(i, node, version, uid_round)));
        }
        app.stale.kinds.insert(ResourceKind::Pods);
        let t = Instant::now();
        projection.project(&mut app, &stores);
        project.push(t.elapsed());
        let t = Instant::now();
        terminal.draw(|f| kubedeck::views::draw(f, &app, &Default::default(), &theme))?;
        draw.push(t.elapsed());
    }
    Ok(Measured {
        pods,
        view,
        project,
        draw,
    })
}

fn main() -> color_eyre::Result<()> {
    let frames: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(600);
    println!("frames under a 200 changes/s storm ({frames} frames of 1/60 s each size)");
    println!(
        "| view | pods | projection median / p95 | draw median / p95 | frame (both) median / p95 | median against 10,000 pods |"
    );
    println!("|---|---|---|---|---|---|");
    for view in [View::Pods, View::Nodes, View::Triage] {
        let mut first: Option<Duration> = None;
        for pods in SIZES {
            let m = measure(pods, view, frames)?;
            let both: Vec<Duration> = m
                .project
                .iter()
                .zip(&m.draw)
                .map(|(a, b)| *a + *b)
                .collect();
            let median = percentile(&both, 0.5);
            let ratio = *first.get_or_insert(median);
            println!(
                "| {:?} | {} | {:.3?} / {:.3?} | {:.3?} / {:.3?} | {:.3?} / {:.3?} | {:.2}x |",
                m.view,
                m.pods,
                percentile(&m.project, 0.5),
                percentile(&m.project, 0.95),
                percentile(&m.draw, 0.5),
                percentile(&m.draw, 0.95),
                median,
                percentile(&both, 0.95),
                median.as_secs_f64() / ratio.as_secs_f64().max(1e-9),
            );
        }
    }
    Ok(())
}
