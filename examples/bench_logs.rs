//! Log ingest benchmark (not a test): a container in the simulator prints as fast as the
//! simulator can write. In one run and on the same stream it measures the bare API call
//! (kube-rs `log_stream`, counting newlines), kubedeck's path (stream task: split, sanitise,
//! parse; UI side: push into a pane's ring) and `kubectl logs -f` (when installed), and reports
//! lines/s, the ratios, the longest UI turn and peak memory.
//!
//! Run: cargo run --release --example bench_logs -- [seconds]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::AsyncBufReadExt;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kubedeck::app::logs::buffer::{Limits, LogBuffer};
use kubedeck::app::logs::pane::LogPane;
use kubedeck::kube::log_request::{LogOptions, LogRequest, LogTarget};
use kubedeck::kube::logs::{self, LogEvent};
use kubedeck::sim::{Kind, Scale, Sim, SimOptions};
use serde_json::json;

fn rss_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn flood_pod() -> serde_json::Value {
    let started = Timestamp::now() - SignedDuration::from_secs(1);
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "flood", "namespace": "demo", "uid": "uid-flood",
                     "creationTimestamp": started.to_string(), "labels": {"app": "flood"},
                     "annotations": {"sim.kubedeck.dev/logs": "flood"}},
        "spec": {"containers": [{"name": "app", "image": "busybox"}], "nodeName": "worker-01"},
        "status": {"phase": "Running", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
            "image": "busybox", "imageID": "", "state": {"running": {"startedAt": started.to_string()}}}]}
    })
}

async fn bare(api: &Api<Pod>, secs: u64) -> u64 {
    let params = LogParams {
        follow: true,
        tail_lines: Some(0),
        timestamps: true,
        ..LogParams::default()
    };
    let Ok(stream) = api.log_stream("flood", &params).await else {
        return 0;
    };
    let mut lines = stream.lines();
    let end = Instant::now() + Duration::from_secs(secs);
    let mut n = 0u64;
    use futures::StreamExt;
    while Instant::now() < end {
        match tokio::time::timeout_at(end.into(), lines.next()).await {
            Ok(Some(Ok(_))) => n += 1,
            _ => break,
        }
    }
    n
}

async fn ours(client: kube::Client, secs: u64) -> (u64, Duration, usize) {
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let request = LogRequest {
        target: LogTarget::Pod {
            namespace: "demo".into(),
            name: "flood".into(),
            container: Some("app".into()),
        },
        options: LogOptions {
            tail_lines: 1,
            ..LogOptions::default()
        },
    };
    let mut pane = LogPane::new(request.clone(), LogBuffer::new(Limits::default()));
    let _task = logs::spawn(client, 1, request, tx, None);
    let end = Instant::now() + Duration::from_secs(secs);
    let mut n = 0u64;
    let mut worst = Duration::ZERO;
    while let Ok(Some(ev)) = tokio::time::timeout_at(end.into(), rx.recv()).await {
        // One UI turn: this event and as many more as the runtime takes per wake-up.
        let t = Instant::now();
        let mut handle = |ev: LogEvent| {
            if let LogEvent::Lines { id, lines, .. } = ev {
                n += lines.len() as u64;
                pane.push_lines(id, lines);
            }
        };
        handle(ev);
        for _ in 0..kubedeck::runtime::LOG_EVENTS_PER_TURN {
            match rx.try_recv() {
                Ok(ev) => handle(ev),
                Err(_) => break,
            }
        }
        worst = worst.max(t.elapsed());
    }
    (n, worst, pane.buffer.lines())
}

fn kubectl(kubeconfig: &std::path::Path, secs: u64) -> Option<u64> {
    let mut child = Command::new("kubectl")
        .args(["--kubeconfig"])
        .arg(kubeconfig)
        .args(["logs", "-f", "--tail=0", "-n", "demo", "flood"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let out = child.stdout.take()?;
    let counter = std::thread::spawn(move || BufReader::new(out).lines().count() as u64);
    std::thread::sleep(Duration::from_secs(secs));
    let _ = child.kill();
    let _ = child.wait();
    counter.join().ok()
}

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    let secs: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let opts = SimOptions {
        scale: Scale {
            pods: 10,
            nodes: 3,
            pipelineruns: 0,
            events: 10,
            seed: 1,
        },
        tick: None,
        ..SimOptions::default()
    };
    let sim = Sim::start(opts, "127.0.0.1:0".parse()?).await?;
    sim.store().put(Kind::Pod, flood_pod());
    let kubeconfig = tempfile::NamedTempFile::new()?.into_temp_path();
    sim.write_kubeconfig(&kubeconfig)?;
    let kc = Kubeconfig::from_yaml(&sim.kubeconfig().to_string())?;
    let cfg = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await?;
    let client = kube::Client::try_from(cfg)?;
    let api: Api<Pod> = Api::namespaced(client.clone(), "demo");
    let rss_before = rss_kib("VmRSS:");

    let bare_lines = bare(&api, secs).await;
    let (our_lines, worst_turn, held) = ours(client, secs).await;
    let peak = rss_kib("VmHWM:");
    let kubectl_lines = tokio::task::spawn_blocking({
        let path = kubeconfig.to_path_buf();
        move || kubectl(&path, secs)
    })
    .await?;

    let rate = |n: u64| n as f64 / secs as f64;
    println!("log ingest, {secs} s per path, one flooding container in the simulator");
    println!(
        "  bare API call (kube-rs log_stream, count lines): {:>10.0} lines/s",
        rate(bare_lines)
    );
    println!(
        "  kubedeck pane (parse, sanitise, ring):           {:>10.0} lines/s  ({:.2}x bare)",
        rate(our_lines),
        rate(our_lines) / rate(bare_lines).max(1.0)
    );
    match kubectl_lines {
        Some(k) => println!(
            "  kubectl logs -f (count lines):                   {:>10.0} lines/s  (kubedeck {:.2}x kubectl)",
            rate(k),
            rate(our_lines) / rate(k).max(1.0)
        ),
        None => println!("  kubectl logs -f: kubectl not found"),
    }
    println!(
        "  longest UI turn ({} batches of up to 2048 lines):  {worst_turn:?}",
        kubedeck::runtime::LOG_EVENTS_PER_TURN + 1
    );
    println!("  lines held in the pane at the end:               {held} (cap 20000)");
    println!(
        "  RSS before: {} MiB, peak: {} MiB (simulator included)",
        rss_before / 1024,
        peak / 1024
    );
    Ok(())
}
