//! The benchmarks' big world: the simulator in a process of its own (so its memory and CPU are
//! not counted as kubedeck's), started from the `kubedeck` binary beside the example, sized by
//! the example's arguments `[pods] [events]` (500 nodes and 2,000 PipelineRuns either way).

// Shared by several benchmarks, each using some of it.
#![allow(dead_code)]

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

/// How big a world to simulate.
pub struct Size {
    pub pods: usize,
    pub events: usize,
    pub nodes: usize,
    pub pipelineruns: usize,
}

/// A running simulator process and a kubeconfig for it; killed when dropped.
pub struct BigSim {
    child: Child,
    /// Kept open: the simulator's later output must not meet a closed pipe.
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
    kubeconfig: PathBuf,
    port: u16,
    /// Holds the kubeconfig.
    _dir: tempfile::TempDir,
}

impl BigSim {
    /// Start it with `pods` and `events` (500 nodes, 2,000 PipelineRuns), its scenario ticking
    /// every `tick_ms` (0: still), and return once it serves.
    pub fn start(pods: usize, events: usize, tick_ms: u64) -> Result<Self> {
        Self::start_sized(
            &Size {
                pods,
                events,
                nodes: 500,
                pipelineruns: 2000,
            },
            tick_ms,
        )
    }

    /// Start a world of `size`, its scenario ticking every `tick_ms` (0: still), and return
    /// once it serves.
    pub fn start_sized(size: &Size, tick_ms: u64) -> Result<Self> {
        let dir = tempfile::tempdir()?;
        let kubeconfig = dir.path().join("sim.kubeconfig");
        let mut child = Command::new(kubedeck_bin())
            .args(["sim", "--pods", &size.pods.to_string()])
            .args(["--nodes", &size.nodes.to_string()])
            .args(["--pipelineruns", &size.pipelineruns.to_string()])
            .args(["--events", &size.events.to_string()])
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
        let mut port = 0;
        for line in stdout.by_ref() {
            let line = line?;
            if let Some((_, rest)) = line.split_once("serving on http://") {
                port = rest
                    .split_whitespace()
                    .next()
                    .and_then(|a| a.rsplit_once(':'))
                    .and_then(|(_, p)| p.parse().ok())
                    .unwrap_or(0);
                break;
            }
        }
        Ok(Self {
            child,
            _stdout: stdout,
            kubeconfig,
            port,
            _dir: dir,
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Its process id (to read its own memory).
    pub fn pid(&self) -> u32 {
        self.child.id()
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

/// Every pod's (namespace, name), and the pod whose IP a benchmark changes (the first in
/// `demo`).
pub async fn pod_names(client: &kube::Client) -> Result<(Vec<(String, String)>, (String, String))> {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, ListParams};
    let names: Vec<(String, String)> = Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .filter_map(|p| Some((p.metadata.namespace?, p.metadata.name?)))
        .collect();
    let target = names
        .iter()
        .find(|(ns, _)| ns == "demo")
        .or(names.first())
        .cloned()
        .ok_or_else(|| eyre!("the simulator has no pods"))?;
    Ok((names, target))
}

impl Drop for BigSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// 200 label PATCHes a second to pods picked at random among `names` (namespace, name), until
/// the task is aborted: the benchmarks' watch storm.
pub fn patch_storm(
    client: kube::Client,
    names: std::sync::Arc<Vec<(String, String)>>,
) -> tokio::task::JoinHandle<()> {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::{Api, Patch, PatchParams};
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_millis(5));
        let mut sent = 0u64;
        loop {
            tick.tick().await;
            let (ns, name) = &names[fastrand::usize(..names.len())];
            let api: Api<Pod> = Api::namespaced(client.clone(), ns);
            let patch =
                serde_json::json!({"metadata": {"labels": {"bench-tick": sent.to_string()}}});
            let name = name.clone();
            tokio::spawn(async move {
                let _ = api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await;
            });
            sent += 1;
        }
    })
}
