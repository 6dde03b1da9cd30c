//! The UI under a big cluster (not a test): a simulator with 10,000 pods, 500 nodes, 2,000
//! PipelineRuns and 50,000 events runs in its own process, and the real `kubedeck` binary runs
//! in a 160x45 PTY against it, read back through vt100 as a person would see it. Measured:
//! - idle CPU: kubedeck's CPU time over 10 s with every informer synced and the world still;
//! - key to frame: from writing a key to the PTY until the screen shows its effect (the cursor
//!   row moves; a typed filter character is applied to the 10,000 rows);
//! - watch to screen at 200 updates/s: PATCHes to random pods at 200/s, and, among them, one
//!   pod's IP changed every 100 ms; the time from that PATCH until the new IP is on screen;
//!   kubedeck's CPU over that load.
//!
//! Run: cargo build --release && cargo run --release --example bench_ui -- [pods] [events]

use std::sync::Arc;
use std::time::{Duration, Instant};

use color_eyre::eyre::Result;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, Patch, PatchParams};

mod support {
    pub mod big_sim;
    pub mod kubectl_watch;
    pub mod proc_stats;
    pub mod pty_app;
}
use support::big_sim::{self, BigSim, kubedeck_bin};
use support::kubectl_watch;
use support::proc_stats::cpu_seconds;
use support::pty_app::{DEADLINE, PtyApp};

const COLS: u16 = 160;
const ROWS: u16 = 45;

/// The row index drawn with a background colour (the table's cursor), if any.
fn cursor_row(screen: &vt100::Screen) -> Option<u16> {
    (2..ROWS - 1).find(|&r| {
        screen
            .cell(r, 2)
            .is_some_and(|c| c.bgcolor() != vt100::Color::Default)
    })
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> Result<()> {
    let (pods, events) = big_sim::world_size();
    // A still world (tick 0): what moves is what this benchmark PATCHes.
    let sim = BigSim::start(pods, events, 0)?;
    let kubeconfig = sim.kubeconfig().to_path_buf();
    let dir = tempfile::tempdir()?;
    let client = sim.client().await?;
    let (names, target) = big_sim::pod_names(&client).await?;

    // kubedeck in a PTY, read back by a thread into vt100.
    let kubeconfig_arg = kubeconfig.to_string_lossy().to_string();
    let home = dir.path().to_string_lossy().to_string();
    let mut app = PtyApp::spawn(
        &kubedeck_bin(),
        &["--kubeconfig", &kubeconfig_arg, "-A", "--view", "pods"],
        &[("XDG_CACHE_HOME", &home), ("XDG_CONFIG_HOME", &home)],
        COLS,
        ROWS,
    )?;
    let pid = app.pid;

    let started = Instant::now();
    // The status bar counts each store: every one is full when the counts reach the world's.
    let count = |c: &str, what: &str| -> usize {
        c.split(&format!("{what} "))
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    app.wait(started, "every informer synced", |s| {
        let c = s.contents();
        let last = c.lines().last().unwrap_or_default();
        count(last, "pods") >= pods
            && count(last, "events") >= events
            && count(last, "nodes") >= 500
            && count(last, "pipelineruns") >= 2000
    })?;
    let synced = started.elapsed();
    eprintln!("synced after {}", ms(synced));
    // Let the last lists settle (event backlog, first metrics poll) before measuring idle.
    tokio::time::sleep(Duration::from_secs(3)).await;

    // Idle CPU.
    let idle_window = Duration::from_secs(10);
    let c0 = cpu_seconds(pid);
    tokio::time::sleep(idle_window).await;
    let idle_cpu = (cpu_seconds(pid) - c0) / idle_window.as_secs_f64() * 100.0;

    eprintln!("idle CPU measured");
    // Key to frame: the cursor moving down and up the 10,000-row table.
    let mut moves = Vec::new();
    for i in 0..100 {
        let before = app.read(cursor_row)?;
        let t = app.send(if i % 2 == 0 { b"j" } else { b"k" })?;
        moves.push(app.wait(t, "the cursor to move", |s| cursor_row(s) != before)?);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Key to frame: typing a filter, each character re-filtering every row.
    let mut typed = Vec::new();
    let t = app.send(b"/")?;
    app.wait(t, "the filter prompt", |s| {
        s.contents()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with('/'))
    })?;
    let word = "web-";
    for (i, ch) in word.char_indices() {
        let shown = format!("/{}", &word[..i + ch.len_utf8()]);
        let t = app.send(ch.to_string().as_bytes())?;
        typed.push(app.wait(t, "the typed character", |s| {
            s.contents()
                .lines()
                .last()
                .is_some_and(|l| l.contains(&shown))
        })?);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Esc closes the prompt; wait for it, or the next keys would read as Alt-/.
    let t = app.send(b"\x1b")?;
    app.wait(t, "the prompt closed", |s| {
        s.contents()
            .lines()
            .last()
            .is_some_and(|l| !l.starts_with('/'))
    })?;

    eprintln!("keys measured");
    // Watch to screen at 200 updates/s: filter to the target, PATCH its IP every 100 ms while
    // 200 PATCHes a second go to random pods.
    let t = app.send(format!("/{}\r", target.1).as_bytes())?;
    app.wait(t, "the target alone", |s| {
        s.contents().contains(&format!("/{}", target.1))
    })?;
    let load = big_sim::patch_storm(client.clone(), Arc::new(names.clone()));
    // The same changes seen by `kubectl get pods -A -w` (watching every pod, as kubedeck does):
    // a thread stamps each line of the target's new IPs as it arrives.
    let kubectl = kubectl_watch::start(&kubeconfig, pods, DEADLINE);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let target_api: Api<Pod> = Api::namespaced(client.clone(), &target.0);
    let c1 = cpu_seconds(pid);
    let load_started = Instant::now();
    let mut watch = Vec::new();
    let mut patched = Vec::new();
    for i in 0..50u32 {
        let ip = format!("10.250.{}.{}", i / 200, i % 200 + 10);
        let patch = serde_json::json!({"status": {"podIP": ip, "podIPs": [{"ip": ip}]}});
        let t = Instant::now();
        target_api
            .patch(&target.1, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        patched.push((ip.clone(), t));
        let shown = format!(" {ip} ");
        watch.push(app.wait(t, "the new IP on screen", |s| s.contents().contains(&shown))?);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let load_cpu = (cpu_seconds(pid) - c1) / load_started.elapsed().as_secs_f64() * 100.0;
    // Give kubectl a moment to print the last change, then match its lines to the PATCHes.
    tokio::time::sleep(Duration::from_secs(2)).await;
    load.abort();
    let kubectl_watch: Option<Vec<Duration>> = kubectl.map(|(mut proc, seen)| {
        let _ = proc.kill();
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        patched
            .iter()
            .filter_map(|(ip, t)| {
                seen.iter()
                    .find(|(line, _)| line.split_whitespace().any(|w| w == ip))
                    .map(|(_, at)| at.saturating_duration_since(*t))
            })
            .collect()
    });

    app.stop(b":q\r");
    drop(sim);

    println!(
        "kubedeck UI, {pods} pods / {events} events / 500 nodes / 2,000 PipelineRuns, {COLS}x{ROWS} PTY"
    );
    println!("  all informers synced on screen after {}", ms(synced));
    println!("  idle CPU (world still, 10 s): {idle_cpu:.1}% of one core");
    println!(
        "  key to frame, cursor j/k over 100 presses: median {}, p95 {}, max {}",
        ms(percentile(moves.clone(), 0.5)),
        ms(percentile(moves.clone(), 0.95)),
        ms(percentile(moves, 1.0))
    );
    println!(
        "  key to frame, filter typing ({} characters, each re-filtering every row): median {}, max {}",
        word.len(),
        ms(percentile(typed.clone(), 0.5)),
        ms(percentile(typed, 1.0))
    );
    let watch_copy = watch.clone();
    println!(
        "  watch to screen under 200 PATCHes/s, 50 samples: median {}, p95 {}, max {}; kubedeck CPU {load_cpu:.0}% of one core",
        ms(percentile(watch.clone(), 0.5)),
        ms(percentile(watch.clone(), 0.95)),
        ms(percentile(watch, 1.0))
    );
    match kubectl_watch {
        Some(k) if k.len() == 50 => {
            let (ours, theirs) = (
                percentile(watch_copy.clone(), 0.5),
                percentile(k.clone(), 0.5),
            );
            println!(
                "  the same changes printed by `kubectl get pods -A -w`: median {}, p95 {}, max {}; kubedeck's screen {:.2}x kubectl's (median)",
                ms(theirs),
                ms(percentile(k.clone(), 0.95)),
                ms(percentile(k, 1.0)),
                ours.as_secs_f64() / theirs.as_secs_f64().max(1e-9)
            );
        }
        Some(k) => println!(
            "  kubectl -w printed {} of the 50 changes (not compared)",
            k.len()
        ),
        None => println!("  kubectl not found: no comparison"),
    }
    Ok(())
}
