//! Log ingest benchmark (not a test): a container in the simulator prints as fast as the
//! simulator can write. In one run and on the same stream it measures the bare API call
//! (kube-rs `log_stream`, counting newlines), kubedeck's path (stream task: split, sanitise,
//! parse; UI side: push into a pane's ring, redrawn at most once a frame as the UI does) and
//! `kubectl logs -f` (when installed), and reports lines/s, the ratios, the longest UI turn,
//! the redraw times and peak memory.
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
use kubedeck::kube::logs::{self, LogEvent, LogReport};
use kubedeck_sim::{Kind, Scale, Sim, SimOptions};
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

/// What kubedeck's path measured.
struct Ours {
    lines: u64,
    worst_turn: Duration,
    held: usize,
    frames: u32,
    worst_frame: Duration,
    mean_frame: Duration,
}

/// Draw the pane as the UI does (settle, then render into a 160x45 buffer), timing it.
fn draw(
    terminal: &mut ratatui::Terminal<ratatui::backend::TestBackend>,
    pane: &mut LogPane,
    theme: &kubedeck::views::theme::Theme,
) -> Duration {
    let t = Instant::now();
    let area = ratatui::layout::Rect::new(0, 0, 160, 45);
    kubedeck::views::logs::settle(pane, area, theme);
    let _ = terminal.draw(|f| kubedeck::views::logs::draw(f, area, pane, true, theme));
    t.elapsed()
}

async fn ours(client: kube::Client, secs: u64) -> Ours {
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let request = LogRequest {
        cluster: "bench".into(),
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
    let mut pane = LogPane::new(
        logs::StreamKey(1),
        request.clone(),
        LogBuffer::new(Limits::default()),
    );
    let theme = match kubedeck::views::theme::builtin("default") {
        Some(Ok(t)) => t,
        _ => kubedeck::views::theme::Theme::monochrome(),
    };
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45))
        .unwrap_or_else(|e| panic!("{e}"));
    let _task = logs::spawn(
        kubedeck::kube::credentials::ClientHandle::fixed(client),
        kubedeck::kube::backoff::PathSignal::never(),
        logs::StreamKey(1),
        request,
        tx,
        None,
    );
    let end = Instant::now() + Duration::from_secs(secs);
    let mut n = 0u64;
    let mut worst = Duration::ZERO;
    // Redraw at most once a frame, as the UI loop does, while the lines pour in.
    let frame = Duration::from_millis(16);
    let mut next_frame = Instant::now() + frame;
    let (mut frames, mut worst_frame, mut frame_total) = (0u32, Duration::ZERO, Duration::ZERO);
    while let Ok(Some(ev)) = tokio::time::timeout_at(end.into(), rx.recv()).await {
        // One UI turn: this event and as many more as the runtime takes per wake-up.
        let t = Instant::now();
        let mut handle = |ev: LogEvent| {
            if let LogReport::Lines { id, lines } = ev.report {
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
        if Instant::now() >= next_frame {
            let took = draw(&mut terminal, &mut pane, &theme);
            frames += 1;
            frame_total += took;
            worst_frame = worst_frame.max(took);
            next_frame = Instant::now() + frame;
        }
    }
    Ours {
        lines: n,
        worst_turn: worst,
        held: pane.buffer.lines(),
        frames,
        worst_frame,
        mean_frame: frame_total / frames.max(1),
    }
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
    let ours = ours(client, secs).await;
    let (our_lines, worst_turn, held) = (ours.lines, ours.worst_turn, ours.held);
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
    println!(
        "  redraws while flooding (160x45, at most 60/s):   {} in {secs} s, mean {:?}, longest {:?}",
        ours.frames, ours.mean_frame, ours.worst_frame
    );
    println!("  lines held in the pane at the end:               {held} (cap 20000)");
    println!(
        "  RSS before: {} MiB, peak: {} MiB (simulator included)",
        rss_before / 1024,
        peak / 1024
    );
    Ok(())
}
