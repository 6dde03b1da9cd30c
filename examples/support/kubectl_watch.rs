//! `kubectl get pods -A -w` as an SRE leaves it running, for the benchmarks to compare with:
//! the lines it prints after its initial list, each with when it arrived.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Lines printed after the initial list, with their arrival times.
pub type Stamped = Arc<Mutex<Vec<(String, Instant)>>>;

/// Start `kubectl get pods -A -w` (namespace, name and IP columns) and return once it has
/// printed its initial list of `pods` lines (`None` if kubectl cannot start or never does
/// within `deadline`).
pub fn start(kubeconfig: &Path, pods: usize, deadline: Duration) -> Option<(Child, Stamped)> {
    let mut proc = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "pods", "-A", "-w", "--no-headers", "-o"])
        .arg("custom-columns=NS:.metadata.namespace,NAME:.metadata.name,IP:.status.podIP")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let out = proc.stdout.take()?;
    let seen: Stamped = Arc::default();
    let (listed_tx, listed_rx) = std::sync::mpsc::channel();
    let stamped = seen.clone();
    std::thread::spawn(move || {
        let mut n = 0;
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { return };
            n += 1;
            if n == pods {
                let _ = listed_tx.send(());
            }
            if n > pods
                && let Ok(mut s) = stamped.lock()
            {
                s.push((line, Instant::now()));
            }
        }
    });
    if listed_rx.recv_timeout(deadline).is_err() {
        let _ = proc.kill();
        let _ = proc.wait();
        return None;
    }
    Some((proc, seen))
}
