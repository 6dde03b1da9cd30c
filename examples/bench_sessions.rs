//! Terminal-session flood benchmark (not a test). In one run it measures:
//!
//! 1. parse throughput: the same output (plain `yes` lines, coloured `ls`-like lines and a
//!    full-screen `top`-like redraw) fed to a bare `vt100::Parser` and to kubedeck's shared
//!    screen (which parses in 4 KiB slices, taking its lock per slice);
//! 2. a flooding exec session end to end: `yes | head -c N` in a pod of the simulator, through
//!    the WebSocket, the session driver and the screen, while a stand-in for the UI draws the
//!    screen every 16 ms; against the bare kube-rs exec reading the same stream and
//!    `kubectl exec` (when installed). It reports MB/s, the ratios and the longest draw.
//!
//! Run: cargo run --release --example bench_sessions -- [megabytes]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kubedeck::kube::exec::{Exec, Target};
use kubedeck::pty::emulator::nz;
use kubedeck::pty::screen::Screen;
use kubedeck::pty::session::{self, SessionEvent, SessionState, Wiring};
use kubedeck::views::terminal::render_screen;
use kubedeck::views::theme::Depth;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use tokio::io::AsyncReadExt;
use tokio::sync::{Notify, mpsc};

mod support {
    pub mod exec_sim;
}

fn sample(total: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(total + 4096);
    let mut i = 0u64;
    while out.len() < total {
        match i % 3 {
            0 => {
                for _ in 0..200 {
                    out.extend_from_slice(b"y\r\n");
                }
            }
            1 => {
                for n in 0..40 {
                    out.extend_from_slice(
                        format!("\x1b[01;34mdir-{n}\x1b[0m  \x1b[01;32mrun.sh\x1b[0m  \x1b[38;5;208mnotes-{i}.md\x1b[0m  日本語\r\n")
                            .as_bytes(),
                    );
                }
            }
            _ => {
                out.extend_from_slice(b"\x1b[?1049h\x1b[H\x1b[2J");
                for row in 1..24 {
                    out.extend_from_slice(
                        format!(
                            "\x1b[{row};1H\x1b[7m{row:>5} root 20 0 {i:>8} S  0.{row} \x1b[0m\x1b[K"
                        )
                        .as_bytes(),
                    );
                }
                out.extend_from_slice(b"\x1b[?1049l");
            }
        }
        i += 1;
    }
    out
}

fn parse_bench(mb: usize) {
    let data = sample(mb << 20);
    let chunks: Vec<&[u8]> = data.chunks(64 * 1024).collect();
    let t = Instant::now();
    let mut bare = vt100::Parser::new(nz(24), nz(80), 5000);
    for c in &chunks {
        bare.process(c);
    }
    let bare_s = t.elapsed().as_secs_f64();
    let screen = Screen::new(24, 80, 5000);
    let t = Instant::now();
    for c in &chunks {
        screen.feed(c);
    }
    let ours_s = t.elapsed().as_secs_f64();
    let mbs = |s: f64| data.len() as f64 / s / 1e6;
    println!("## parse ({} MB of mixed output)", data.len() >> 20);
    println!("| path | MB/s | ratio |\n|---|---|---|");
    println!("| bare vt100::Parser::process | {:.0} | 1 |", mbs(bare_s));
    println!(
        "| kubedeck Screen::feed (4 KiB slices, locked) | {:.0} | {:.2}× bare |",
        mbs(ours_s),
        bare_s / ours_s
    );
}

fn command(bytes: usize) -> Vec<String> {
    vec![
        "sh".into(),
        "-c".into(),
        format!("yes kubedeck-flood-line | head -c {bytes}"),
    ]
}

async fn bare_exec(client: kube::Client, bytes: usize) -> (f64, usize) {
    let api: Api<Pod> = Api::namespaced(client, "demo");
    let t = Instant::now();
    let Ok(mut proc) = api
        .exec(
            "flood",
            command(bytes),
            &AttachParams::interactive_tty().container("app"),
        )
        .await
    else {
        return (0.0, 0);
    };
    let mut out = proc.stdout();
    let mut n = 0;
    let mut buf = vec![0u8; 64 * 1024];
    if let Some(o) = out.as_mut() {
        while let Ok(k) = o.read(&mut buf).await {
            if k == 0 {
                break;
            }
            n += k;
        }
    }
    (t.elapsed().as_secs_f64(), n)
}

async fn kubedeck_exec(client: kube::Client, bytes: usize) -> (f64, Vec<Duration>) {
    let screen = Screen::new(24, 80, 5000);
    let (events, mut rx) = mpsc::unbounded_channel();
    let wake = Arc::new(Notify::new());
    let done = Arc::new(AtomicBool::new(false));
    // The stand-in UI: wake on output (at most once per 16 ms frame), draw the screen.
    let ui = {
        let screen = screen.clone();
        let wake = wake.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut draws: Vec<Duration> = Vec::new();
            let area = Rect::new(0, 0, 80, 24);
            while !done.load(Ordering::Relaxed) {
                let _ = tokio::time::timeout(Duration::from_millis(16), wake.notified()).await;
                let t = Instant::now();
                let mut buf = Buffer::empty(area);
                screen.view(0, |s, u, _| {
                    render_screen(s, u, area, &mut buf, Depth::TrueColor)
                });
                draws.push(t.elapsed());
                tokio::time::sleep(Duration::from_millis(16)).await;
            }
            draws.sort();
            draws
        })
    };
    let t = Instant::now();
    let started = session::start(
        1,
        Box::new(Exec {
            target: Target {
                client,
                namespace: "demo".into(),
                pod: "flood".into(),
                container: "app".into(),
            },
            command: Some(command(bytes)),
        }),
        Wiring {
            screen,
            events,
            wake,
            record: None,
        },
    );
    while let Some(ev) = rx.recv().await {
        if let SessionEvent::State(_, s) = ev
            && !s.is_live()
        {
            if !matches!(s, SessionState::Exited(0)) {
                eprintln!("session ended: {s:?}");
            }
            break;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    let draws = ui.await.unwrap_or_default();
    drop(started);
    (secs, draws)
}

/// `kubectl exec -it` under `script` (so it has a TTY, as the other two paths do), its output
/// going to /dev/null.
fn kubectl_exec(kubeconfig: &std::path::Path, bytes: usize) -> Option<f64> {
    let inner = format!(
        "kubectl --kubeconfig {} exec -it -n demo flood -c app -- sh -c 'yes kubedeck-flood-line | head -c {bytes}'",
        kubeconfig.display()
    );
    let t = Instant::now();
    let status = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| t.elapsed().as_secs_f64())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    parse_bench(mb);

    let Some(sim) = support::exec_sim::start("flood").await else {
        eprintln!("the simulator did not start");
        return;
    };
    let kc = std::env::temp_dir().join(format!("bench-sessions-{}.kubeconfig", std::process::id()));
    if sim.write_kubeconfig(&kc).is_err() {
        return;
    }
    let text = sim.kubeconfig().to_string();
    let Ok(kcfg) = Kubeconfig::from_yaml(&text) else {
        return;
    };
    let Ok(cfg) = kube::Config::from_custom_kubeconfig(kcfg, &KubeConfigOptions::default()).await
    else {
        return;
    };
    // The bare API on kube-rs's own stack; kubedeck's path on kubedeck's (TCP_NODELAY).
    let Ok(ours_client) = kubedeck::kube::client_stack::build(cfg.clone()) else {
        return;
    };
    let Ok(client) = kube::Client::try_from(cfg) else {
        return;
    };
    let bytes = mb << 20;
    let (bare_s, got) = bare_exec(client.clone(), bytes).await;
    let (ours_s, draws) = kubedeck_exec(ours_client, bytes).await;
    let kc2 = kc.clone();
    let kubectl_s = tokio::task::spawn_blocking(move || kubectl_exec(&kc2, bytes))
        .await
        .ok()
        .flatten();
    let _ = std::fs::remove_file(&kc);
    let mbs = |s: f64| bytes as f64 / s / 1e6;
    println!();
    println!(
        "## flooding exec session ({} MB of `yes` through the simulator)",
        mb
    );
    println!("| path | MB/s | ratio |\n|---|---|---|");
    println!(
        "| bare kube-rs exec, reading stdout ({got} bytes) | {:.0} | 1 |",
        mbs(bare_s)
    );
    println!(
        "| kubedeck session (WebSocket → driver → screen) | {:.0} | {:.2}× bare |",
        mbs(ours_s),
        bare_s / ours_s
    );
    match kubectl_s {
        Some(k) => println!(
            "| `kubectl exec -it` (under `script`, to /dev/null) | {:.0} | kubedeck {:.2}× kubectl |",
            mbs(k),
            k / ours_s
        ),
        None => println!("| `kubectl exec` | not installed | |"),
    }
    let at = |q: f64| {
        let i = ((draws.len() as f64 - 1.0) * q).round() as usize;
        draws.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "\nwhile flooding: {} frames drawn; draw (lock wait + render of 80x24) median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        draws.len(),
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
