//! The benchmarks' big world: the simulator in a process of its own (so its memory and CPU are
//! not counted as kubedeck's), started from the `kubedeck` binary beside the example, sized by
//! the example's arguments `[pods] [events]` (500 nodes and 2,000 PipelineRuns either way).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use color_eyre::eyre::{Result, eyre};

/// The `kubedeck` binary beside this example (target/release/kubedeck).
pub fn kubedeck_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent()
        .and_then(|examples| examples.parent())
        .map(|d| d.join("kubedeck"))
        .unwrap_or_default()
}

/// Pods and events asked for on the command line (default 10,000 and 50,000).
pub fn world_size() -> (usize, usize) {
    let arg = |n: usize, default: usize| {
        std::env::args()
            .nth(n)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    (arg(1, 10_000), arg(2, 50_000))
}

/// A running simulator process and a kubeconfig for it; killed when dropped.
pub struct BigSim {
    child: Child,
    /// Kept open: the simulator's later output must not meet a closed pipe.
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
    kubeconfig: PathBuf,
    /// Holds the kubeconfig.
    _dir: tempfile::TempDir,
}

impl BigSim {
    /// Start it with `pods` and `events`, its scenario ticking every `tick_ms` (0: still), and
    /// return once it serves.
    pub fn start(pods: usize, events: usize, tick_ms: u64) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let kubeconfig = dir.path().join("sim.kubeconfig");
        let mut child = Command::new(kubedeck_bin())
            .args(["sim", "--pods", &pods.to_string(), "--nodes", "500"])
            .args(["--pipelineruns", "2000", "--events", &events.to_string()])
            .args(["--tick-ms", &tick_ms.to_string(), "--kubeconfig-out"])
            .arg(&kubeconfig)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| {
                let bin = kubedeck_bin();
                eyre!("start {}: {e} (cargo build --release first)", bin.display())
            })?;
        let out = child.stdout.take().ok_or_else(|| eyre!("no stdout"))?;
        let mut stdout = BufReader::new(out).lines();
        for line in stdout.by_ref() {
            if line?.contains("serving on") {
                break;
            }
        }
        Ok(Self {
            child,
            _stdout: stdout,
            kubeconfig,
            _dir: dir,
        })
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// A client for it.
    pub async fn client(&self) -> Result<kube::Client> {
        let kc = kube::config::Kubeconfig::read_from(&self.kubeconfig)?;
        let options = kube::config::KubeConfigOptions::default();
        let cfg = kube::Config::from_custom_kubeconfig(kc, &options).await?;
        Ok(kube::Client::try_from(cfg)?)
    }
}

impl Drop for BigSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
