//! Informers at scale (not a test): a simulator with 10,000 pods, 500 nodes, 2,000
//! PipelineRuns and 50,000 events runs in its own process (so its memory is not counted), and
//! in one run this measures, for listing every pod:
//! - the bare API call: a paginated LIST (limit 500, as kubectl does) decoded into `Pod`s;
//! - kubedeck's path: the pod informer's initial list into its store, then the pods view's rows
//!   derived and sorted (what the screen needs to show the populated view);
//! - `kubectl get pods -A` (when installed);
//!
//! and first, in the fresh process, with every informer synced and the scenario moving (5 ticks
//! a second): the steady RSS, the latency from a PATCH to the pods view's rows, and the time to
//! draw the full dashboard at 160x45 over 10,000 pods.
//!
//! Run: cargo build --release && cargo run --release --example bench_informers -- [pods] [events]

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};
mod support {
    pub mod big_sim;
}
use support::big_sim::{self, BigSim};

use kubedeck::app::state::App;
use kubedeck::kube::cluster::{Cluster, Scope};
use kubedeck::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use kubedeck::kube::pod_row::PodRow;
use kubedeck::kube::row_store::RowDiff;

fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
        / 1024
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn bare_list(api: &Api<Pod>) -> (Duration, usize) {
    let t = Instant::now();
    let mut n = 0;
    let mut params = ListParams::default().limit(500);
    loop {
        let page = match api.list(&params).await {
            Ok(p) => p,
            Err(e) => panic!("list: {e}"),
        };
        n += page.items.len();
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => params = params.continue_token(&c),
            None => break,
        }
    }
    (t.elapsed(), n)
}

/// Start the informers and wait until the pods view's rows are built.
struct Started {
    took: Duration,
    cluster: Cluster,
    rows: Vec<Arc<PodRow>>,
    /// What changed among the rows, as the UI tracks it for the per-node sums.
    diff: RowDiff<PodRow>,
    updates: tokio::sync::mpsc::UnboundedReceiver<InformerUpdate>,
    /// The informers that reported Live so far.
    live: std::collections::HashSet<ResourceKind>,
}

async fn ours(client: kube::Client) -> Started {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let t = Instant::now();
    let cluster = Cluster::start(
        kubedeck::kube::credentials::ClientHandle::fixed(client),
        "bench".into(),
        Scope::All,
        tx,
    );
    let mut live = std::collections::HashSet::new();
    while let Some(u) = rx.recv().await {
        if let Change::State(InformerState::Live) = u.change {
            live.insert(u.kind);
            if u.kind == ResourceKind::Pods {
                break;
            }
        }
    }
    let mut diff = RowDiff::default();
    let rows = cluster.stores.pods.rows();
    let _ = diff.changes(&rows, |r| r.uid.as_str());
    let mut table: kubedeck::app::table::Table<PodRow> = Default::default();
    table.set_rows(rows.clone());
    Started {
        took: t.elapsed(),
        cluster,
        rows,
        diff,
        updates: rx,
        live,
    }
}

fn kubectl(kubeconfig: &std::path::Path) -> Option<(Duration, usize)> {
    let t = Instant::now();
    let out = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "pods", "-A", "--no-headers"])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status.success().then(|| {
        (
            t.elapsed(),
            out.stdout.iter().filter(|&&b| b == b'\n').count(),
        )
    })
}

#[tokio::main]
async fn main() -> color_eyre::Result<()> {
    let (pods, events) = big_sim::world_size();
    let sim = BigSim::start(pods, events, 200)?;
    let kubeconfig = sim.kubeconfig().to_path_buf();
    let client = sim.client().await?;
    let api: Api<Pod> = Api::all(client.clone());
    let rss_start = rss_mib();

    // Steady state first, in a fresh process: every informer synced, the scenario moving, rows
    // re-derived as the UI does. (Measured before the timing rounds, whose dropped stores would
    // otherwise stay in the allocator's high-water mark.)
    let (rss_steady, refreshes, mean_draw, worst_draw, mut latencies) = {
        let Started {
            cluster,
            rows,
            mut diff,
            updates: mut rx,
            mut live,
            ..
        } = ours(client.clone()).await;
        while live.len() < 5 {
            match rx.recv().await {
                Some(InformerUpdate {
                    kind,
                    change: Change::State(InformerState::Live),
                    ..
                }) => {
                    live.insert(kind);
                }
                Some(_) => {}
                None => break,
            }
        }
        let steady_until = Instant::now() + Duration::from_secs(10);
        let mut refreshes = 0;
        while Instant::now() < steady_until {
            if let Ok(Some(_)) = tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
                let rows = cluster.stores.pods.rows();
                let _ = diff.changes(&rows, |r| r.uid.as_str());
                refreshes += 1;
            }
        }
        let rss_steady = rss_mib();

        // Watch to rows: label one pod through the API and time until the pods view's rows
        // (re-derived on each change, as the UI does) carry the label, while the scenario keeps
        // the watch busy.
        let target = rows
            .iter()
            .find(|r| r.namespace == "demo")
            .map(|r| (r.namespace.clone(), r.name.clone()));
        let mut latencies = Vec::new();
        if let Some((ns, name)) = target {
            let pods_api: Api<Pod> = Api::namespaced(client.clone(), &ns);
            for i in 0..50 {
                let value = format!("v{i}");
                let patch = serde_json::json!({"metadata": {"labels": {"bench": value}}});
                let t = Instant::now();
                if pods_api
                    .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                    .await
                    .is_err()
                {
                    break;
                }
                let seen = loop {
                    match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
                        Ok(Some(InformerUpdate {
                            kind: ResourceKind::Pods,
                            change: Change::Changed,
                            ..
                        })) => {
                            let rows = cluster.stores.pods.rows();
                            if rows
                                .iter()
                                .any(|r| r.name == name && r.labels.get("bench") == Some(&value))
                            {
                                break true;
                            }
                        }
                        Ok(Some(_)) => {}
                        _ => break false,
                    }
                };
                if seen {
                    latencies.push(t.elapsed());
                }
            }
        }

        // Drawing the dashboard over every pod.
        let mut app = App::new("bench".into(), "sim".into(), Scope::All, false);
        app.tables.pods.set_rows(rows);
        let theme = match kubedeck::views::theme::builtin("default") {
            Some(Ok(t)) => t,
            _ => kubedeck::views::theme::Theme::monochrome(),
        };
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 45))?;
        let mut draws = Vec::new();
        for i in 0..200 {
            app.tables.pods.move_by(if i % 2 == 0 { 37 } else { -11 });
            let t = Instant::now();
            terminal.draw(|f| kubedeck::views::draw(f, &app, &Default::default(), &theme))?;
            draws.push(t.elapsed());
        }
        let worst_draw = draws.iter().max().copied().unwrap_or_default();
        let mean_draw = draws.iter().sum::<Duration>() / draws.len().max(1) as u32;
        (rss_steady, refreshes, mean_draw, worst_draw, latencies)
    };

    // Alternate the paths, three rounds, and take each one's median.
    let (mut bare, mut mine, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
    let mut listed = 0;
    let mut kubectl_lines = None;
    for _ in 0..3 {
        let (d, n) = bare_list(&api).await;
        bare.push(d);
        listed = n;
        mine.push(ours(client.clone()).await.took);
        if let Some((d, n)) = tokio::task::spawn_blocking({
            let k = kubeconfig.clone();
            move || kubectl(&k)
        })
        .await?
        {
            theirs.push(d);
            kubectl_lines = Some(n);
        }
    }

    drop(sim);

    let (b, m) = (median(bare), median(mine));
    println!("informers at scale: {listed} pods, 500 nodes, 2000 PipelineRuns, {events} events");
    println!("  bare LIST + decode (limit 500):          {b:>10.1?}");
    println!(
        "  kubedeck informer to pods view rows:     {m:>10.1?}  ({:.2}x bare)",
        m.as_secs_f64() / b.as_secs_f64()
    );
    match (theirs.is_empty(), kubectl_lines) {
        (false, Some(n)) => {
            let k = median(theirs);
            println!(
                "  kubectl get pods -A ({n} lines):       {k:>10.1?}  (kubedeck {:.2}x kubectl)",
                m.as_secs_f64() / k.as_secs_f64()
            );
        }
        _ => println!("  kubectl: not found"),
    }
    println!(
        "  RSS: {rss_start} MiB before, {rss_steady} MiB steady (all informers synced, {refreshes} row refreshes in 10 s)"
    );
    println!("  dashboard draw at 160x45: mean {mean_draw:.1?}, longest {worst_draw:.1?}");
    latencies.sort();
    match latencies.len() {
        0 => println!("  watch to rows: not measured (the label patches failed)"),
        n => println!(
            "  watch to rows (PATCH a label until the pods view's rows show it, {n} times): median {:.1?}, p95 {:.1?}",
            latencies[n / 2],
            latencies[(n * 95 / 100).min(n - 1)]
        ),
    }
    Ok(())
}
