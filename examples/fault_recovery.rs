//! How long kubedeck's informers take to tell the truth again after each fault (not a test):
//! against an in-process simulator with a frozen world (nothing changes, so only a resumed
//! watch, a bookmark or a relist can make a kind live), each fault once, timed from the moment
//! the fault ends (the server is back, the token renewed, the API installed) until every kind
//! is live again and the pods store equals the server's list. The numbers go to
//! docs/testing.md.
//!
//! Run: cargo run --example fault_recovery [-- --long]   (--long adds a 60 s outage)

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use kubedeck::kube::client::KubeconfigSource;
use kubedeck::kube::cluster::{Cluster, Scope};
use kubedeck::kube::credentials::ClientHandle;
use kubedeck::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use kubedeck_sim::{Kind, Scale, Sim, SimOptions};
use tokio::sync::mpsc::UnboundedReceiver;

type Updates = UnboundedReceiver<InformerUpdate>;

struct Watched {
    cluster: Cluster,
    rx: Updates,
    latest: BTreeMap<ResourceKind, InformerState>,
}

impl Watched {
    /// Take in every state reported so far (the fault's), without waiting.
    fn catch_up(&mut self) {
        while let Ok(u) = self.rx.try_recv() {
            if let Change::State(s) = u.change {
                self.latest.insert(u.kind, s);
            }
        }
    }

    /// Read state reports until `done` holds for the latest states (and the store); how long.
    async fn until(
        &mut self,
        sim: &Sim,
        done: impl Fn(&BTreeMap<ResourceKind, InformerState>) -> bool,
    ) -> Duration {
        let t = Instant::now();
        self.catch_up();
        loop {
            if done(&self.latest) && pods_match(sim, &self.cluster) {
                return t.elapsed();
            }
            let next = tokio::time::timeout(Duration::from_millis(50), self.rx.recv()).await;
            if let Ok(Some(InformerUpdate {
                kind,
                change: Change::State(s),
                ..
            })) = next
            {
                self.latest.insert(kind, s);
            }
            assert!(
                t.elapsed() < Duration::from_secs(120),
                "no recovery: {:?}",
                self.latest
            );
        }
    }

    async fn until_all_live(&mut self, sim: &Sim) -> Duration {
        self.until(sim, |l| {
            ResourceKind::ALL
                .iter()
                .all(|k| l.get(k) == Some(&InformerState::Live))
        })
        .await
    }
}

fn pods_match(sim: &Sim, cluster: &Cluster) -> bool {
    let server: BTreeSet<String> = sim
        .store()
        .snapshot(Kind::Pod)
        .items
        .iter()
        .map(|p| {
            let (ns, n) = kubedeck_sim::store::key_of(p);
            format!("{ns}/{n}")
        })
        .collect();
    let ours: BTreeSet<String> = cluster
        .stores
        .pods
        .rows()
        .iter()
        .map(|r| format!("{}/{}", r.namespace, r.name))
        .collect();
    server == ours
}

async fn start(sim: &Sim, kubeconfig: &std::path::Path) -> Watched {
    let source =
        KubeconfigSource::load(Some(&kubeconfig.to_path_buf())).unwrap_or_else(|e| panic!("{e}"));
    let (client, _) = source
        .client("kubedeck-sim")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let cluster = Cluster::start(
        ClientHandle::renewable(client, source, "kubedeck-sim"),
        "sim".into(),
        Scope::All,
        tx,
    );
    let mut w = Watched {
        cluster,
        rx,
        latest: BTreeMap::new(),
    };
    w.until_all_live(sim).await;
    w
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let long = std::env::args().any(|a| a == "--long");
    let opts = SimOptions {
        scale: Scale {
            pods: 200,
            nodes: 5,
            pipelineruns: 12,
            events: 500,
            seed: 7,
        },
        tick: None,
        ..SimOptions::default()
    };
    let sim = Sim::start(
        opts,
        "127.0.0.1:0".parse().unwrap_or_else(|_| unreachable!()),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let kubeconfig = dir.path().join("config");
    sim.write_kubeconfig(&kubeconfig)
        .unwrap_or_else(|e| panic!("{e}"));
    let mut w = start(&sim, &kubeconfig).await;
    let mut rows = Vec::new();

    let mut outages = vec![2u64, 10];
    if long {
        outages.push(60);
    }
    for secs in outages {
        sim.restart(Duration::from_secs(secs)).await;
        let took = w.until_all_live(&sim).await;
        rows.push((format!("apiserver down {secs} s, still cluster"), took));
    }

    sim.store().checkpoint();
    sim.store()
        .put(Kind::Pod, serde_json::json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "born-after-checkpoint", "namespace": "demo"}, "spec": {"containers": []}}));
    w.until_all_live(&sim).await;
    sim.restart_restored(Duration::from_secs(1)).await;
    let took = w.until_all_live(&sim).await;
    rows.push((
        "resourceVersion went backwards (etcd restore), 1 s down".into(),
        took,
    ));

    for (token, press_retry, what) in [
        (
            "renewed",
            false,
            "token renewed in the kubeconfig, no key pressed",
        ),
        ("renewed-again", true, "token renewed, then R (retry now)"),
    ] {
        sim.set_token(Some(token));
        sim.faults().drop_all_watches();
        w.until(&sim, |l| {
            matches!(
                l.get(&ResourceKind::Pods),
                Some(InformerState::Unauthorized(_))
            )
        })
        .await;
        // Let the backoff grow as it would while someone is logging in.
        tokio::time::sleep(Duration::from_secs(5)).await;
        sim.write_kubeconfig(&kubeconfig)
            .unwrap_or_else(|e| panic!("{e}"));
        if press_retry {
            w.cluster.retry.now();
        }
        rows.push((what.into(), w.until_all_live(&sim).await));
    }

    for gv in ["tekton.dev/v1", "tekton.dev/v1beta1"] {
        sim.faults().set_api_served(gv, false);
    }
    w.until(&sim, |l| {
        l.get(&ResourceKind::PipelineRuns) == Some(&InformerState::NotInstalled)
    })
    .await;
    tokio::time::sleep(Duration::from_secs(20)).await;
    sim.faults().set_api_served("tekton.dev/v1", true);
    let took = w.until_all_live(&sim).await;
    rows.push((
        "Tekton installed 20 s after it went away, no key".into(),
        took,
    ));

    println!("| fault | until every kind is live and the pods store equals the server |");
    println!("|---|---|");
    for (what, took) in rows {
        println!("| {what} | {:.2} s |", took.as_secs_f64());
    }
}
