//! Nagle's delay on an exec session (not a test): `cat` in a pod of the simulator, through
//! kubedeck's client (TCP_NODELAY, `kube/client_stack.rs`) and through kube-rs's own (Nagle
//! on), each round writing two small pieces of stdin back to back (two keys typed within a
//! round trip, or a request written in two writes) and waiting for both to come back. Prints
//! the median and p95 round per client, interleaved, and their ratio.
//!
//! On loopback the round trip is microseconds, so Nagle's wait is too; give the link a round
//! trip first (as root), and take it away after:
//!
//!   tc qdisc add dev lo root netem delay 10ms
//!   cargo run --release --example bench_nodelay -- [rounds]
//!   tc qdisc del dev lo root

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, AttachParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

mod support {
    pub mod exec_sim;
}
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One exec session; each round's time from the first write to the answer read back.
struct Echo {
    /// Kept: dropping it ends the session.
    _proc: kube::api::AttachedProcess,
    stdin: Box<dyn tokio::io::AsyncWrite + Unpin + Send>,
    stdout: Box<dyn tokio::io::AsyncRead + Unpin + Send>,
}

impl Echo {
    async fn open(client: kube::Client) -> Option<Echo> {
        let api: Api<Pod> = Api::namespaced(client, "demo");
        // No TTY: the answer comes only once both pieces are in (as a server answers a
        // request), so nothing of the answer carries the first piece's acknowledgement.
        let params = AttachParams::default()
            .container("app")
            .stdin(true)
            .stdout(true)
            .stderr(false);
        let script = "while read a && read b; do echo \"$a$b\"; done";
        let mut proc = api.exec("echo", ["sh", "-c", script], &params).await.ok()?;
        Some(Echo {
            stdin: Box::new(proc.stdin()?),
            stdout: Box::new(proc.stdout()?),
            _proc: proc,
        })
    }

    async fn round(&mut self) -> Option<Duration> {
        let t = Instant::now();
        self.stdin.write_all(b"a\n").await.ok()?;
        self.stdin.flush().await.ok()?;
        // Apart, so they travel as two WebSocket frames (at once they would be read as one).
        tokio::time::sleep(Duration::from_millis(2)).await;
        self.stdin.write_all(b"b\n").await.ok()?;
        self.stdin.flush().await.ok()?;
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while !got.ends_with(b"ab\n") {
            let n = self.stdout.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            got.extend_from_slice(&buf[..n]);
        }
        Some(t.elapsed())
    }
}

fn quantile(sorted: &[Duration], q: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let Some(sim) = support::exec_sim::start("echo").await else {
        eprintln!("the simulator did not start");
        return;
    };
    let Ok(kcfg) = Kubeconfig::from_yaml(&sim.kubeconfig().to_string()) else {
        return;
    };
    let config = || async {
        kube::Config::from_custom_kubeconfig(kcfg.clone(), &KubeConfigOptions::default()).await
    };
    let (Ok(a), Ok(b)) = (config().await, config().await) else {
        return;
    };
    let (Ok(ours), Ok(theirs)) = (
        kubedeck::kube::client_stack::build(a),
        kube::Client::try_from(b),
    ) else {
        return;
    };
    let (Some(mut ours), Some(mut theirs)) = (Echo::open(ours).await, Echo::open(theirs).await)
    else {
        eprintln!("exec of cat failed");
        return;
    };
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let (Some(x), Some(y)) = (ours.round().await, theirs.round().await) else {
            eprintln!("a session ended early");
            return;
        };
        with.push(x);
        without.push(y);
    }
    with.sort();
    without.sort();
    let (m1, p1) = (quantile(&with, 0.5), quantile(&with, 0.95));
    let (m2, p2) = (quantile(&without, 0.5), quantile(&without, 0.95));
    println!("{rounds} rounds of two stdin writes echoed back (ms):");
    println!("  kubedeck (TCP_NODELAY)   median {m1:7.2}  p95 {p1:7.2}");
    println!("  kube-rs's stack (Nagle)  median {m2:7.2}  p95 {p2:7.2}");
    if m1 > 0.0 {
        println!("  ratio kube-rs / kubedeck: median {:.2}x", m2 / m1);
    }
}
