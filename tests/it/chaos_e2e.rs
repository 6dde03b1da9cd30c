//! The chaos soak: the real binary in a PTY against the simulator, reached through a loopback
//! proxy, while a fault schedule drawn at random from a seed plays: the apiserver down and
//! back, 410 Gone, a watch from the future (a restored etcd), a token rotated with a 401, a
//! silent connection, a kind that becomes forbidden, the Tekton API removed and added, a
//! storm of 200 PATCHes a second, and an etcd restore.
//!
//! Checked all along, from the screen and the stores:
//! - a fault that leaves the cluster unreachable for longer than the detection bound is shown
//!   NOT LIVE before it ends (nothing looks live that is not);
//! - every key sent gets an answer on screen;
//! - kubedeck's RSS stays under a bound;
//! - within 30 s of the last fault, every kind is live and its count is the simulator's, and
//!   the pods born during the soak are on screen (nothing lost, no ghosts).
//!
//! `KUBEDECK_SOAK_SECS` (120 by default, as `.ci/run` runs it) and `KUBEDECK_SOAK_SEED` choose
//! the length and the schedule; docs/testing.md records a 30-minute run.

use crate::common;

use std::time::{Duration, Instant};

use common::proxy::SilentProxy;
use common::term::Term;
use kubedeck_sim::Kind;

/// kubedeck's resident memory must stay under this (MiB) at this world's size.
const RSS_BOUND_MIB: u64 = 300;

#[derive(Debug, Clone, Copy)]
enum Fault {
    Down,
    Gone,
    FromTheFuture,
    TokenRotated,
    Silent,
    Forbidden,
    TektonRemoved,
    Storm,
    EtcdRestore,
}

const FAULTS: [Fault; 9] = [
    Fault::Down,
    Fault::Gone,
    Fault::FromTheFuture,
    Fault::TokenRotated,
    Fault::Silent,
    Fault::Forbidden,
    Fault::TektonRemoved,
    Fault::Storm,
    Fault::EtcdRestore,
];

fn bar(screen: &str) -> &str {
    screen.lines().last().unwrap_or_default()
}

fn title(screen: &str) -> &str {
    screen.lines().nth(1).unwrap_or_default()
}

fn rss_mib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// Wait until the simulator listens again after a restart (its downtime over), bounded.
fn listening_again(addr: std::net::SocketAddr) {
    let until = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < until, "the simulator never came back");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A key gets its answer: `:` opens the command line, Esc closes it (each waited for on
/// screen, so the Esc is not read together with a following key as Alt).
fn keys_answer(t: &mut Term) {
    let prompt = |s: &str| s.lines().last().is_some_and(|l| l.starts_with(":█"));
    t.send(":");
    t.wait_until("the command line to open", prompt);
    t.send("\x1b");
    t.wait_until("the command line to close", |s| !prompt(s));
}

#[test]
fn chaos_soak() {
    let secs: u64 = std::env::var("KUBEDECK_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let seed: u64 = std::env::var("KUBEDECK_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7);
    let mut rng = fastrand::Rng::with_seed(seed);
    let w = common::world(common::frozen(12));
    let proxy = w.rt.block_on(SilentProxy::start(w.sim.addr()));
    let kubeconfig = proxy.kubeconfig_for(&w.kubeconfig, &w.sim.url());
    // What kubedeck decided (the prober's turns, each informer's states), shown on failure.
    let log = DebugLog::new(seed);
    let kc = kubeconfig.to_string_lossy().to_string();
    let mut t = Term::spawn(
        &["--kubeconfig", &kc, "--view", "pods", "-A"],
        200,
        50,
        &[
            ("KUBEDECK_LOG", &log.path.to_string_lossy()),
            ("KUBEDECK_LOG_FILTER", "kubedeck=trace"),
        ],
    );
    t.wait_until("every kind live", |s| {
        bar(s).contains(&format!("pods {} │", w.sim.store().count(Kind::Pod)))
    });
    let pid = t.pid().expect("kubedeck's pid");
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut token = 0u32;
    let mut born = Vec::new();
    let mut played = Vec::new();
    while Instant::now() < deadline {
        let fault = FAULTS[rng.usize(..FAULTS.len())];
        eprintln!("chaos soak: {fault:?}");
        played.push(fault);
        // Something changes in the world before each fault, to be found after it.
        let name = format!("soak-{}", born.len());
        w.sim
            .store()
            .put(Kind::Pod, common::pods::pod("demo", &name).json());
        born.push(name);
        match fault {
            Fault::Down => {
                // Longer than the detection bound: it must be shown before it ends.
                w.sim.begin_restart(Duration::from_secs(16), false);
                t.wait_until("a down apiserver shown", |s| {
                    title(s).contains("NOT LIVE") && bar(s).contains("reconnecting")
                });
                keys_answer(&mut t);
                listening_again(w.sim.addr());
                t.send("R");
            }
            Fault::Gone => {
                w.sim.faults().gone_next_watches(5);
                w.sim.faults().drop_all_watches();
            }
            Fault::FromTheFuture => {
                // The store forgets the newest versions: watches resume from the future.
                w.sim.store().checkpoint();
                let before = w.sim.store().count(Kind::Pod);
                w.sim.store().put(
                    Kind::Pod,
                    common::pods::pod("demo", "soak-ephemeral").json(),
                );
                // kubedeck has seen the version the restore takes away, so its watch resumes
                // from the future (without this wait it may not have, and nothing is tested).
                t.wait_until("the pod a restore will undo seen", |s| {
                    bar(s).contains(&format!("pods {} │", before + 1))
                });
                // Waited for: a restore that came after the next fault's new pod would lose it.
                w.rt.block_on(w.sim.restart_restored(Duration::from_millis(300)));
                // The apiserver waits 3 s for a version it has not reached before "Too large
                // resource version". A write in those 3 s would reach it, and the watch resume
                // past that write, as on an etcd restored without `--bump-revision`: nothing a
                // client can see. The world waits for kubedeck's relist before it changes again.
                t.wait_until("the restore relisted", |s| {
                    !title(s).contains("NOT LIVE") && bar(s).contains(&format!("pods {before} │"))
                });
            }
            Fault::TokenRotated => {
                token += 1;
                let new = format!("soak-token-{token}");
                let old = w
                    .sim
                    .kubeconfig()
                    .pointer("/users/0/user/token")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                w.sim.set_token(Some(&new));
                w.sim.faults().drop_all_watches();
                t.wait_until("the refused token shown", |s| {
                    bar(s).contains("unauthorized")
                });
                // The user logs in again: the kubeconfig has the new token; R retries now.
                let text = std::fs::read_to_string(&kubeconfig).unwrap();
                std::fs::write(&kubeconfig, text.replace(&old, &new)).unwrap();
                t.send("R");
            }
            Fault::Silent => {
                proxy.blackhole();
                // Never as live: said as lost, or still as the problem it had when it went
                // silent (a refused token, a reset connection) whose retry cannot get through.
                t.wait_until("a silent connection shown", |s| {
                    title(s).contains("NOT LIVE")
                });
                proxy.restore();
            }
            Fault::Forbidden => {
                w.sim.faults().forbid("events");
                w.sim.faults().drop_all_watches();
                t.wait_until("events forbidden shown", |s| {
                    bar(s).contains("events: forbidden")
                });
                w.sim.faults().allow("events");
                t.send("R");
            }
            Fault::TektonRemoved => {
                for gv in ["tekton.dev/v1", "tekton.dev/v1beta1"] {
                    w.sim.faults().set_api_served(gv, false);
                }
                w.sim.faults().drop_all_watches();
                t.wait_until("Tekton gone", |s| {
                    bar(s).contains("pipelineruns not installed")
                });
                for gv in ["tekton.dev/v1", "tekton.dev/v1beta1"] {
                    w.sim.faults().set_api_served(gv, true);
                }
                t.send("R");
            }
            Fault::Storm => {
                let client = w.rt.block_on(common::client_for(&w.sim));
                let pods: Vec<(String, String)> = w
                    .sim
                    .store()
                    .snapshot(Kind::Pod)
                    .items
                    .iter()
                    .map(|p| kubedeck_sim::store::key_of(p))
                    .collect();
                let storm = w.rt.spawn(async move {
                    use k8s_openapi::api::core::v1::Pod;
                    use kube::api::{Api, Patch, PatchParams};
                    let mut tick = tokio::time::interval(Duration::from_millis(5));
                    for n in 0u64.. {
                        tick.tick().await;
                        let (ns, name) = &pods[n as usize % pods.len()];
                        let api: Api<Pod> = Api::namespaced(client.clone(), ns);
                        let patch =
                            serde_json::json!({"metadata": {"labels": {"soak": n.to_string()}}});
                        let _ = api
                            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
                            .await;
                    }
                });
                keys_answer(&mut t);
                std::thread::sleep(Duration::from_secs(5));
                keys_answer(&mut t);
                storm.abort();
            }
            Fault::EtcdRestore => {
                w.sim.store().checkpoint();
                w.rt.block_on(w.sim.restart_restored(Duration::from_secs(1)));
            }
        }
        keys_answer(&mut t);
        let rss = rss_mib(pid);
        assert!(rss < RSS_BOUND_MIB, "RSS {rss} MiB after {played:?}");
    }

    // Within 30 s of the last fault: every kind live, each count the simulator's, the pods
    // born during the soak on screen.
    let pods = w.sim.store().count(Kind::Pod);
    let runs = w.sim.store().count(Kind::PipelineRun);
    let nodes = w.sim.store().count(Kind::Node);
    t.send("R");
    t.wait_until("every kind live and true after the soak", |s| {
        let b = bar(s);
        !s.contains("NOT LIVE")
            && b.contains(&format!("pods {pods} │"))
            && b.contains(&format!("pipelineruns {runs} │"))
            && b.contains(&format!("nodes {nodes} │"))
    });
    // The pod an etcd restore undid is gone (filtered: the screen shows only some rows)...
    t.send("/^soak-ephemeral$\r");
    t.wait_until("no pod undone by a restore", |s| {
        title(s).contains("[0/") && title(s).contains("/^soak-ephemeral$")
    });
    t.send("\x1b");
    t.wait_until("the filter cleared", |s| !title(s).contains("/^soak"));
    // ...and every pod born during the soak is there (`soak-N`, exactly: the filtered count).
    t.send("/^soak-[0-9]+$\r");
    t.wait_until("the pods born during the soak", |s| {
        title(s).contains(&format!("[{}/", born.len())) && s.contains(born[0].as_str())
    });
    eprintln!("chaos soak: seed {seed}, {secs} s, faults played: {played:?}");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
    log.passed();
}

/// kubedeck's debug log for one soak: its tail is printed when the soak fails, and it is
/// removed when it passes.
struct DebugLog {
    path: std::path::PathBuf,
    keep: bool,
}

impl DebugLog {
    fn new(seed: u64) -> Self {
        let path =
            std::env::temp_dir().join(format!("kubedeck-soak-{seed}-{}.log", std::process::id()));
        eprintln!("chaos soak: kubedeck's debug log is {}", path.display());
        Self { path, keep: true }
    }

    fn passed(mut self) {
        self.keep = false;
    }
}

impl Drop for DebugLog {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
            return;
        }
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = &lines[lines.len().saturating_sub(80)..];
        eprintln!(
            "chaos soak failed; the last lines of kubedeck's debug log ({}):\n{}",
            self.path.display(),
            tail.join("\n")
        );
    }
}
