//! The scale suite (not a test): kubedeck against its peers as the cluster grows, each run from
//! outside as a user would, against one still simulator process per scale (its own memory is
//! reported too). Per scale, `--reps` rounds, each running every tool in turn (interleaved):
//! - bare: the paginated LIST of every pod (500 a page, as kubedeck asks) decoded into typed
//!   pods, in this process: the floor for "populated";
//! - kubectl: `get pods -A` to completion, then `get pods -A -w` (what an SRE leaves running);
//! - kubedeck (release, 160x45 PTY read back through vt100, `-A --view pods`);
//! - kdash, when found (`--kdash PATH`, `$KDASH`, or on PATH; `cargo install kdash --locked
//!   --root DIR` installs it), in the same PTY on its pods list.
//!
//! Measured: time to a populated pods list; RSS then and after `--minutes`; CPU and bytes read
//! over an idle window after that; key to screen (cursor down/up); watch to screen (one pod's
//! IP PATCHed while 200 other PATCHes a second go to random pods, until the IP is shown).
//! Medians over the rounds, and ratios, printed as markdown for docs/benchmarks.md.
//!
//! Run: cargo build --release --examples && target/release/examples/bench_scale
//!        [--scales 1000,10000,50000,100000] [--reps 3] [--minutes 1] [--idle-secs 30]
//!        [--tools kubedeck,kubedeck-off,kubedeck-low,kubedeck-unwell,kdash,kubectl,bare]
//!        [--kdash PATH]
//!        [--storm labels|ready] [--after-filter-ms 0]
//! Also measured: the bytes each TUI writes to its terminal (what an SSH link to a jump host
//! carries) while idle and during the storm (over 10 s with the whole pods list shown, then
//! while the list is filtered to the watched pod), and its full-screen clears then; `kubedeck-low`
//! is kubedeck with `--low-bandwidth`. `kubedeck-unwell` is kubedeck showing two more clusters
//! beside the measured one (`--context` each): one slow (a small simulator answering everything
//! 3 s late), one down (an address that takes connections and never answers): its keys and
//! watch to screen should be those of kubedeck alone.
//! `kubedeck-off` is kubedeck with its flight recorder off (`[timeline] record = false`), to
//! measure what recording costs; `--storm ready` makes the storm 200 readiness flips a second
//! (the simulator's `/_sim/churn`: changes the recorder records) instead of label PATCHes (which
//! it does not). The journal written during the storm is reported per hour.
//! `--after-filter-ms N` waits N ms after the list is filtered before the first watch round.
//! `--smoke` runs every step once at 200 pods in seconds (CI runs it; no timing is asserted).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, eyre};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, Patch, PatchParams};

mod support {
    pub mod big_sim;
    pub mod kubectl_watch;
    pub mod proc_stats;
    pub mod pty_app;
}
use support::big_sim::{BigSim, Size, kubedeck_bin, patch_storm, pod_names};
use support::kubectl_watch;
use support::proc_stats::{bytes_received, cpu_seconds, rss_mib};
use support::pty_app::{DEADLINE, PtyApp};

const COLS: u16 = 160;
const ROWS: u16 = 45;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tool {
    Kubedeck,
    /// kubedeck with its flight recorder off.
    KubedeckOff,
    /// kubedeck with `--low-bandwidth`.
    KubedeckLow,
    /// kubedeck showing two more clusters beside the measured one: one slow (every answer 3 s
    /// late), one down (its address accepts connections and never answers).
    KubedeckUnwell,
    Kdash,
    Kubectl,
    Bare,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Self::Kubedeck => "kubedeck",
            Self::KubedeckOff => "kubedeck, recorder off",
            Self::KubedeckLow => "kubedeck --low-bandwidth",
            Self::KubedeckUnwell => "kubedeck + a slow and a down cluster",
            Self::Kdash => "kdash",
            Self::Kubectl => "kubectl",
            Self::Bare => "bare LIST",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        if s == "kubedeck-off" {
            return Some(Self::KubedeckOff);
        }
        if s == "kubedeck-low" {
            return Some(Self::KubedeckLow);
        }
        if s == "kubedeck-unwell" {
            return Some(Self::KubedeckUnwell);
        }
        [Self::Kubedeck, Self::Kdash, Self::Kubectl, Self::Bare]
            .into_iter()
            .find(|t| t.name().starts_with(s))
    }
}

struct Opts {
    scales: Vec<usize>,
    reps: usize,
    /// How long after populated the "after" RSS and the idle window start.
    settle: Duration,
    idle: Duration,
    keys: usize,
    watch: usize,
    /// How long the terminal's bytes are counted under the storm with the whole list shown.
    storm_window: Duration,
    tools: Vec<Tool>,
    kdash: Option<PathBuf>,
    /// The storm: readiness flips (recorded) instead of label PATCHes (not recorded).
    ready_storm: bool,
    /// A pause between the filter and the first watch round (0 by default: a user's change
    /// may come at once), to tell what the filter sets off from the storm's own tail.
    after_filter: Duration,
}

impl Opts {
    fn parse() -> Result<Self> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let value = |flag: &str| {
            args.iter()
                .position(|a| a == flag)
                .and_then(|i| args.get(i + 1))
                .cloned()
        };
        let smoke = args.iter().any(|a| a == "--smoke");
        let number = |flag: &str, default: f64| -> Result<f64> {
            value(flag).map_or(Ok(default), |v| {
                v.parse().map_err(|_| eyre!("{flag}: not a number: {v}"))
            })
        };
        let scales = match value("--scales") {
            Some(v) => v
                .split(',')
                .map(|s| s.trim().parse().map_err(|_| eyre!("--scales: {s}")))
                .collect::<Result<Vec<usize>>>()?,
            None if smoke => vec![200],
            None => vec![1_000, 10_000, 50_000, 100_000],
        };
        let tools = match value("--tools") {
            Some(v) => v
                .split(',')
                .map(|s| Tool::parse(s.trim()).ok_or_else(|| eyre!("--tools: {s}")))
                .collect::<Result<Vec<Tool>>>()?,
            None => vec![Tool::Bare, Tool::Kubectl, Tool::Kubedeck, Tool::Kdash],
        };
        let kdash = value("--kdash")
            .or_else(|| std::env::var("KDASH").ok())
            .map(PathBuf::from)
            .or_else(|| find_on_path("kdash"));
        Ok(Self {
            scales,
            reps: number("--reps", if smoke { 1.0 } else { 3.0 })? as usize,
            settle: Duration::from_secs_f64(
                number("--minutes", if smoke { 0.0 } else { 1.0 })? * 60.0,
            ),
            idle: Duration::from_secs_f64(number("--idle-secs", if smoke { 2.0 } else { 30.0 })?),
            keys: if smoke { 4 } else { 40 },
            watch: if smoke { 2 } else { 10 },
            storm_window: Duration::from_secs(if smoke { 1 } else { 10 }),
            tools,
            kdash,
            ready_storm: match value("--storm").as_deref() {
                None | Some("labels") => false,
                Some("ready") => true,
                Some(other) => return Err(eyre!("--storm: labels or ready, not {other}")),
            },
            after_filter: Duration::from_secs_f64(number("--after-filter-ms", 0.0)? / 1e3),
        })
    }
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}

/// What one run of one tool measured (`None`: not measured for that tool).
#[derive(Debug, Default, Clone)]
struct Measured {
    /// CPU while the storm runs (during the watch-to-screen rounds).
    storm_cpu: Option<f64>,
    /// Journal bytes written during the storm, per hour.
    journal_mb_per_hour: Option<f64>,
    populated: Option<Duration>,
    rss_populated: Option<f64>,
    rss_after: Option<f64>,
    idle_cpu: Option<f64>,
    idle_mb_per_min: Option<f64>,
    key: Option<Duration>,
    watch: Option<Duration>,
    watch_p95: Option<Duration>,
    /// Every watch-to-screen round, pooled over the runs in the report.
    watch_rounds: Vec<Duration>,
    /// Bytes written to the terminal while idle on the pods list, per minute.
    term_idle_kb_per_min: Option<f64>,
    /// Bytes written to the terminal during the storm (the list filtered to the watched pod),
    /// per second, and full-screen clears then.
    term_storm_kb_per_s: Option<f64>,
    term_storm_clears: Option<f64>,
    /// Bytes written to the terminal over a fixed window of the storm with the whole pods
    /// list shown (what a link carries, whatever the tool's refresh rate), per second.
    term_storm_list_kb_per_s: Option<f64>,
}

/// The world of a scale: events as many as pods (at most 100,000), a node per 20 pods, a
/// PipelineRun per 10.
fn size_of(pods: usize) -> Size {
    Size {
        pods,
        events: pods.min(100_000),
        nodes: (pods / 20).max(5),
        pipelineruns: (pods / 10).max(10),
    }
}

fn median_duration(mut v: Vec<Duration>) -> Option<Duration> {
    v.sort();
    v.get(v.len() / 2).copied()
}

/// The `p` percentile by nearest rank (of ten rounds, the p95 is the slowest).
fn percentile_duration(v: &[Duration], p: f64) -> Option<Duration> {
    let mut v = v.to_vec();
    v.sort();
    let rank = (v.len() as f64 * p).ceil() as usize;
    v.get(rank.max(1) - 1).copied()
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// One pod's IP PATCHed; the pods every other PATCH goes to.
struct World<'a> {
    sim: &'a BigSim,
    client: kube::Client,
    names: Arc<Vec<(String, String)>>,
    target: (String, String),
}

impl World<'_> {
    /// 200 label PATCHes a second to random pods, or (`ready`) 200 readiness flips a second
    /// by the simulator's kubelet, until stopped.
    async fn load(&self, ready: bool) -> Result<Storm> {
        if ready {
            churn(&self.client, 200).await?;
            Ok(Storm::Churn(self.client.clone()))
        } else {
            Ok(Storm::Patches(patch_storm(
                self.client.clone(),
                self.names.clone(),
            )))
        }
    }

    /// Give the target pod a new IP (the `n`th of this run); the IP.
    async fn new_ip(&self, round: usize, n: usize) -> Result<(String, Instant)> {
        let ip = format!("10.{}.{}.{}", 200 + round % 50, n / 200, n % 200 + 10);
        let patch = serde_json::json!({"status": {"podIP": ip, "podIPs": [{"ip": ip}]}});
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &self.target.0);
        let t = Instant::now();
        api.patch(
            &self.target.1,
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
        Ok((ip, t))
    }
}

/// A storm under way.
enum Storm {
    Patches(tokio::task::JoinHandle<()>),
    Churn(kube::Client),
}

impl Storm {
    async fn stop(self) -> Result<()> {
        match self {
            Storm::Patches(task) => task.abort(),
            Storm::Churn(client) => churn(&client, 0).await?,
        }
        Ok(())
    }
}

/// The simulator's kubelet flips `per_sec` pods' readiness a second (0: stops).
async fn churn(client: &kube::Client, per_sec: u64) -> Result<()> {
    let req = http::Request::post(format!("/_sim/churn?per_sec={per_sec}")).body(Vec::new())?;
    client.request_text(req).await?;
    Ok(())
}

/// The bytes under `dir` (a journal).
fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_bytes(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// How to drive one TUI.
struct Tui {
    tool: Tool,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    /// Whether the pods list shows every pod (`n`).
    populated: fn(&vt100::Screen, usize) -> bool,
    /// The screen row of the pods list's cursor.
    cursor: fn(&vt100::Screen) -> Option<u16>,
    down: &'static [u8],
    up: &'static [u8],
    quit: &'static [u8],
    /// Where it writes its journal (kubedeck's flight recorder).
    journal: Option<PathBuf>,
}

/// A number after `label` in `text` (`pods 10000`, `Pods (ns: all) [10000]`).
fn number_after(text: &str, label: &str) -> Option<usize> {
    text.split(label)
        .nth(1)
        .map(|r| {
            r.trim_start_matches([' ', '['])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|n| n.parse().ok())
}

/// Two clusters beside the measured one, for [`Tool::KubedeckUnwell`]: a small simulator
/// answering every request 3 s late, and an address that takes connections and never answers.
struct Unwell {
    _slow: BigSim,
    _down: std::net::TcpListener,
    /// Their kubeconfigs (contexts `slow` and `down`).
    kubeconfigs: [PathBuf; 2],
}

impl Unwell {
    async fn start(dir: &Path) -> Result<Self> {
        let slow = BigSim::start_sized(&size_of(1_000), 0)?;
        let req = http::Request::post("/_sim/latency?ms=3000").body(Vec::new())?;
        slow.client().await?.request_text(req).await?;
        // Bound and listening, never accepted: a connection is made and nothing answers.
        let down = std::net::TcpListener::bind("127.0.0.1:0")?;
        let kubeconfig = |context: &str, port: u16| -> Result<PathBuf> {
            let path = dir.join(format!("{context}.kubeconfig"));
            let config = serde_json::json!({
                "apiVersion": "v1", "kind": "Config",
                "clusters": [{"name": context, "cluster": {"server": format!("http://127.0.0.1:{port}")}}],
                "users": [{"name": context, "user": {"token": "kubedeck-sim-token"}}],
                "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
                "current-context": context,
            });
            std::fs::write(&path, serde_json::to_vec_pretty(&config)?)?;
            Ok(path)
        };
        let kubeconfigs = [
            kubeconfig("slow", slow.port())?,
            kubeconfig("down", down.local_addr()?.port())?,
        ];
        Ok(Self {
            _slow: slow,
            _down: down,
            kubeconfigs,
        })
    }
}

/// The pods kubedeck's status bar counts: `pods N` for one cluster; for several, the first
/// cluster's `NAME: live · N pods` (the measured one is named first).
fn kubedeck_pods_held(s: &vt100::Screen) -> Option<usize> {
    let contents = s.contents();
    let last = contents.lines().last().unwrap_or_default();
    number_after(last, "pods ").or_else(|| number_after(last, ": live · "))
}

/// kubedeck, its files in `home` (with its flight recorder `record`ing, or off); with
/// `unwell`, showing those clusters too.
fn kubedeck_tui(
    kubeconfig: &Path,
    home: &Path,
    tool: Tool,
    unwell: Option<&Unwell>,
) -> Result<Tui> {
    let record = tool != Tool::KubedeckOff;
    let config = home.join("kubedeck/config.toml");
    std::fs::create_dir_all(home.join("kubedeck"))?;
    std::fs::write(&config, format!("[timeline]\nrecord = {record}\n"))?;
    let mut env: Vec<(String, String)> = vec![
        ("XDG_CACHE_HOME".into(), home.to_string_lossy().into()),
        ("XDG_CONFIG_HOME".into(), home.to_string_lossy().into()),
        ("XDG_DATA_HOME".into(), home.to_string_lossy().into()),
    ];
    let mut args: Vec<String> = ["-A", "--view", "pods"].map(str::to_string).into();
    match unwell {
        Some(unwell) => {
            let files = std::env::join_paths(
                std::iter::once(kubeconfig).chain(unwell.kubeconfigs.iter().map(PathBuf::as_path)),
            )?;
            env.push(("KUBECONFIG".into(), files.to_string_lossy().into()));
            for context in ["kubedeck-sim", "slow", "down"] {
                args.extend(["--context".to_string(), context.to_string()]);
            }
        }
        None => args.extend([
            "--kubeconfig".to_string(),
            kubeconfig.to_string_lossy().into(),
        ]),
    }
    if tool == Tool::KubedeckLow {
        args.push("--low-bandwidth".into());
    }
    Ok(Tui {
        tool,
        program: kubedeck_bin(),
        args,
        env,
        // The status bar counts the pods held; the table shows them.
        populated: |s, n| {
            kubedeck_pods_held(s).is_some_and(|c| c >= n) && s.contents().contains("NAMESPACE")
        },
        // The cursor row is drawn with a background colour.
        cursor: |s| {
            (2..ROWS - 1).find(|&r| {
                s.cell(r, 2)
                    .is_some_and(|c| c.bgcolor() != vt100::Color::Default)
            })
        },
        down: b"j",
        up: b"k",
        quit: b":q\r",
        journal: Some(home.join("kubedeck/journal")),
    })
}

fn kdash_tui(program: &Path, kubeconfig: &Path, home: &Path) -> Tui {
    Tui {
        tool: Tool::Kdash,
        program: program.to_path_buf(),
        args: Vec::new(),
        env: vec![
            ("KUBECONFIG".into(), kubeconfig.to_string_lossy().into()),
            ("HOME".into(), home.to_string_lossy().into()),
        ],
        populated: |s, n| number_after(&s.contents(), "Pods (ns: all)").is_some_and(|c| c >= n),
        // kdash marks its selected row with `=>`; the pods list is the one below its title.
        cursor: |s| {
            let lines: Vec<String> = s.contents().lines().map(str::to_string).collect();
            let title = lines.iter().position(|l| l.contains("Pods (ns: all)"))?;
            (title + 1..lines.len())
                .find(|&i| lines[i].starts_with("│=> "))
                .and_then(|i| u16::try_from(i).ok())
        },
        down: b"\x1b[B",
        up: b"\x1b[A",
        quit: b"q",
        journal: None,
    }
}

/// Filter the TUI's pods list down to the target pod.
fn filter_to_target(app: &mut PtyApp, tool: Tool, name: &str) -> Result<()> {
    match tool {
        Tool::Kubedeck | Tool::KubedeckOff | Tool::KubedeckLow | Tool::KubedeckUnwell => {
            let t = app.send(format!("/{name}\r").as_bytes())?;
            app.wait(t, "the target alone", |s| {
                s.contents().contains(&format!("/{name}"))
            })?;
        }
        _ => {
            // kdash: `/` filters, Enter opens the pod's containers, Esc comes back filtered.
            let t = app.send(b"/")?;
            app.wait(t, "kdash's filter", |s| {
                s.contents().contains("Pods (ns: all)")
            })?;
            std::thread::sleep(Duration::from_millis(300));
            app.send(name.as_bytes())?;
            std::thread::sleep(Duration::from_millis(300));
            let t = app.send(b"\r")?;
            app.wait(t, "kdash's containers", |s| {
                s.contents().contains("-> Containers")
            })?;
            let t = app.send(b"\x1b")?;
            app.wait(t, "kdash's filtered pods", |s| {
                s.contents().contains(&format!("[{name}]"))
            })?;
        }
    }
    Ok(())
}

async fn run_tui(tui: &Tui, world: &World<'_>, opts: &Opts, round: usize) -> Result<Measured> {
    let mut m = Measured::default();
    let args: Vec<&str> = tui.args.iter().map(String::as_str).collect();
    let env: Vec<(&str, &str)> = tui
        .env
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let pods = world.names.len();
    let mut app = PtyApp::spawn(&tui.program, &args, &env, COLS, ROWS)?;
    let started = Instant::now();
    let populated = tui.populated;
    m.populated = Some(app.wait(started, "a populated pods list", |s| populated(s, pods))?);
    m.rss_populated = rss_mib(app.pid);
    tokio::time::sleep(opts.settle).await;
    m.rss_after = rss_mib(app.pid);
    let (c0, b0, w0) = (
        cpu_seconds(app.pid),
        bytes_received(app.pid, world.sim.port()),
        app.written()?,
    );
    tokio::time::sleep(opts.idle).await;
    let (c1, b1, w1) = (
        cpu_seconds(app.pid),
        bytes_received(app.pid, world.sim.port()),
        app.written()?,
    );
    let secs = opts.idle.as_secs_f64();
    m.term_idle_kb_per_min = Some(w1.bytes.saturating_sub(w0.bytes) as f64 / 1e3 / secs * 60.0);
    m.idle_cpu = Some((c1 - c0) / secs * 100.0);
    m.idle_mb_per_min = b0
        .zip(b1)
        .map(|(b0, b1)| b1.saturating_sub(b0) as f64 / 1e6 / secs * 60.0);

    let mut keys = Vec::new();
    for i in 0..opts.keys {
        let before = app.read(tui.cursor)?;
        let t = app.send(if i % 2 == 0 { tui.down } else { tui.up })?;
        let cursor = tui.cursor;
        keys.push(app.wait(t, "the cursor to move", |s| cursor(s) != before)?);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    m.key = median_duration(keys);

    let journal = || tui.journal.as_deref().map(dir_bytes);
    let (c0, j0, t0) = (cpu_seconds(app.pid), journal(), Instant::now());
    let load = world.load(opts.ready_storm).await?;
    let before = app.written()?;
    tokio::time::sleep(opts.storm_window).await;
    let after = app.written()?;
    m.term_storm_list_kb_per_s = Some(
        after.bytes.saturating_sub(before.bytes) as f64 / 1e3 / opts.storm_window.as_secs_f64(),
    );
    filter_to_target(&mut app, tui.tool, &world.target.1)?;
    tokio::time::sleep(opts.after_filter).await;
    let w0 = app.written()?;
    let t_watch = Instant::now();
    let mut watch = Vec::new();
    for n in 0..opts.watch {
        let (ip, t) = world.new_ip(round, n).await?;
        let shown = format!(" {ip} ");
        let took = app.wait(t, "the new IP on screen", |s| s.contents().contains(&shown))?;
        // Each round with its time, to set beside a debug log (KUBEDECK_LOG).
        eprintln!(
            "  watch round {n}: {} ms (sent {})",
            took.as_millis(),
            jiff::Timestamp::now() - jiff::SignedDuration::try_from(took).unwrap_or_default()
        );
        watch.push(took);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    load.stop().await?;
    let (c1, j1, secs, w1) = (
        cpu_seconds(app.pid),
        journal(),
        t0.elapsed().as_secs_f64(),
        app.written()?,
    );
    m.storm_cpu = Some((c1 - c0) / secs * 100.0);
    let watch_secs = t_watch.elapsed().as_secs_f64();
    m.term_storm_kb_per_s = Some(w1.bytes.saturating_sub(w0.bytes) as f64 / 1e3 / watch_secs);
    m.term_storm_clears = Some(w1.clears.saturating_sub(before.clears) as f64);
    m.journal_mb_per_hour = j0
        .zip(j1)
        .map(|(a, b)| b.saturating_sub(a) as f64 / 1e6 / secs * 3600.0);
    m.watch_p95 = percentile_duration(&watch, 0.95);
    m.watch_rounds = watch.clone();
    m.watch = median_duration(watch);
    app.stop(tui.quit);
    Ok(m)
}

/// `kubectl get pods -A` to completion, then `kubectl get pods -A -w` left running.
async fn run_kubectl(world: &World<'_>, opts: &Opts, round: usize) -> Result<Measured> {
    let kubeconfig = world.sim.kubeconfig();
    let mut m = Measured::default();
    let t = Instant::now();
    let listed = Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "pods", "-A"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()?;
    if !listed.success() {
        return Err(eyre!("kubectl get pods -A failed"));
    }
    m.populated = Some(t.elapsed());

    let (mut proc, lines) = kubectl_watch::start(kubeconfig, world.names.len(), DEADLINE)
        .ok_or_else(|| eyre!("kubectl get -w did not list every pod"))?;
    let measured = async {
        let pid = proc.id();
        m.rss_populated = rss_mib(pid);
        tokio::time::sleep(opts.settle).await;
        m.rss_after = rss_mib(pid);
        let (c0, b0) = (cpu_seconds(pid), bytes_received(pid, world.sim.port()));
        tokio::time::sleep(opts.idle).await;
        let (c1, b1) = (cpu_seconds(pid), bytes_received(pid, world.sim.port()));
        let secs = opts.idle.as_secs_f64();
        m.idle_cpu = Some((c1 - c0) / secs * 100.0);
        m.idle_mb_per_min = b0
            .zip(b1)
            .map(|(b0, b1)| b1.saturating_sub(b0) as f64 / 1e6 / secs * 60.0);
        let load = world.load(opts.ready_storm).await?;
        let mut watch = Vec::new();
        for n in 0..opts.watch {
            let (ip, t) = world.new_ip(round, n).await?;
            loop {
                let at = lines.lock().ok().and_then(|l| {
                    l.iter()
                        .find(|(line, at)| *at >= t && line.split_whitespace().any(|w| w == ip))
                        .map(|(_, at)| *at)
                });
                if let Some(at) = at {
                    watch.push(at.saturating_duration_since(t));
                    break;
                }
                if t.elapsed() > DEADLINE {
                    load.stop().await?;
                    return Err(eyre!("kubectl -w never printed {ip}"));
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        load.stop().await?;
        m.watch_p95 = percentile_duration(&watch, 0.95);
        m.watch_rounds = watch.clone();
        m.watch = median_duration(watch);
        Ok::<_, color_eyre::Report>(())
    }
    .await;
    let _ = proc.kill();
    let _ = proc.wait();
    measured.map(|()| m)
}

/// The floor: every pod listed 500 a page and decoded, in this process.
async fn run_bare(world: &World<'_>) -> Result<Measured> {
    let api: Api<Pod> = Api::all(world.client.clone());
    let t = Instant::now();
    let mut lp = ListParams::default().limit(500);
    let mut n = 0;
    loop {
        let page = api.list(&lp).await?;
        n += page.items.len();
        match page.metadata.continue_.filter(|c| !c.is_empty()) {
            Some(c) => lp = lp.continue_token(&c),
            None => break,
        }
    }
    if n < world.names.len() {
        return Err(eyre!("the bare list brought {n} pods"));
    }
    Ok(Measured {
        populated: Some(t.elapsed()),
        ..Measured::default()
    })
}

/// Markdown for one scale: a column per tool, medians over the rounds, then ratios.
fn report(
    pods: usize,
    size: &Size,
    sim_rss: Option<f64>,
    runs: &[(Tool, Vec<Measured>)],
    opts: &Opts,
) {
    let values = |tool: Tool, f: &dyn Fn(&Measured) -> Option<f64>| -> Vec<f64> {
        runs.iter()
            .find(|(t, _)| *t == tool)
            .map(|(_, ms)| ms.iter().filter_map(f).collect())
            .unwrap_or_default()
    };
    let col = |tool: Tool, f: &dyn Fn(&Measured) -> Option<f64>| median(values(tool, f));
    let secs = |d: Option<Duration>| d.map(|d| d.as_secs_f64());
    type Metric<'a> = (
        &'a str,
        &'a dyn Fn(&Measured) -> Option<f64>,
        &'a dyn Fn(f64) -> String,
    );
    let metrics: [Metric; 14] = [
        ("populated pods list", &|m| secs(m.populated), &|v| {
            format!("{v:.2} s")
        }),
        ("RSS when populated", &|m| m.rss_populated, &|v| {
            format!("{v:.0} MiB")
        }),
        ("RSS after settling", &|m| m.rss_after, &|v| {
            format!("{v:.0} MiB")
        }),
        ("idle CPU", &|m| m.idle_cpu, &|v| format!("{v:.1}%")),
        ("read while idle", &|m| m.idle_mb_per_min, &|v| {
            format!("{v:.2} MB/min")
        }),
        ("key to screen (median)", &|m| secs(m.key), &|v| {
            format!("{:.1} ms", v * 1000.0)
        }),
        (
            "watch to screen, 200 changes/s (median)",
            &|m| secs(m.watch),
            &|v| format!("{:.1} ms", v * 1000.0),
        ),
        (
            "watch to screen, 200 changes/s (p95)",
            &|m| secs(m.watch_p95),
            &|v| format!("{:.1} ms", v * 1000.0),
        ),
        (
            "terminal bytes while idle",
            &|m| m.term_idle_kb_per_min,
            &|v| format!("{v:.1} kB/min"),
        ),
        (
            "terminal bytes during the storm",
            &|m| m.term_storm_kb_per_s,
            &|v| format!("{v:.2} kB/s"),
        ),
        (
            "terminal bytes during the storm, whole list shown",
            &|m| m.term_storm_list_kb_per_s,
            &|v| format!("{v:.2} kB/s"),
        ),
        (
            "full-screen clears during the storm",
            &|m| m.term_storm_clears,
            &|v| format!("{v:.0}"),
        ),
        ("CPU during the storm", &|m| m.storm_cpu, &|v| {
            format!("{v:.1}%")
        }),
        (
            "journal written during the storm",
            &|m| m.journal_mb_per_hour,
            &|v| format!("{v:.1} MB/hour"),
        ),
    ];
    let tools: Vec<Tool> = runs.iter().map(|(t, _)| *t).collect();
    println!(
        "\n### {pods} pods, {} events, {} nodes, {} PipelineRuns ({} rounds; settle {:.0} s, idle window {:.0} s)\n",
        size.events,
        size.nodes,
        size.pipelineruns,
        opts.reps,
        opts.settle.as_secs_f64(),
        opts.idle.as_secs_f64()
    );
    let header: Vec<&str> = tools.iter().map(|t| t.name()).collect();
    println!("| | {} |", header.join(" | "));
    println!("|---|{}", "---|".repeat(tools.len()));
    // Each cell: the median of the rounds, and with several, the lowest and highest.
    for (label, f, show) in &metrics {
        let cells: Vec<String> = tools
            .iter()
            .map(|t| {
                let v = values(*t, *f);
                let (lo, hi) = v
                    .iter()
                    .fold((f64::MAX, f64::MIN), |(lo, hi), x| (lo.min(*x), hi.max(*x)));
                match median(v.clone()) {
                    None => "n/a".into(),
                    Some(m) if v.len() > 1 => format!("{} ({}–{})", show(m), show(lo), show(hi)),
                    Some(m) => show(m),
                }
            })
            .collect();
        println!("| {label} | {} |", cells.join(" | "));
    }
    // Watch to screen over every round of every run: a p95 of one run of ten is its slowest.
    for (tool, ms) in runs {
        let all: Vec<Duration> = ms.iter().flat_map(|m| m.watch_rounds.clone()).collect();
        if let (Some(p95), Some(slowest)) =
            (percentile_duration(&all, 0.95), all.iter().max().copied())
            && let Some(median) = median_duration(all.clone())
        {
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            println!(
                "\n{}: watch to screen, all {} rounds: median {:.1} / p95 {:.1} / slowest {:.1} ms",
                tool.name(),
                all.len(),
                ms(median),
                ms(p95),
                ms(slowest)
            );
        }
    }
    if let Some(rss) = sim_rss {
        println!("\nThe simulator itself: {rss:.0} MiB resident.");
    }
    let ratio = |label: &str, f: &dyn Fn(&Measured) -> Option<f64>, other: Tool| {
        if let (Some(ours), Some(theirs)) = (col(Tool::Kubedeck, f), col(other, f))
            && theirs > 0.0
        {
            println!(
                "- {label}: kubedeck / {} = {:.2}",
                other.name(),
                ours / theirs
            );
        }
    };
    println!();
    ratio("populated", &|m| secs(m.populated), Tool::Bare);
    // What the flight recorder costs: kubedeck against itself with it off.
    let off = |label: &str, f: &dyn Fn(&Measured) -> Option<f64>| {
        if let (Some(on), Some(off)) = (col(Tool::Kubedeck, f), col(Tool::KubedeckOff, f))
            && off > 0.0
        {
            println!("- {label}: recorder on / off = {:.2}", on / off);
        }
    };
    off("idle CPU", &|m| m.idle_cpu);
    off("CPU during the storm", &|m| m.storm_cpu);
    off("key to screen", &|m| secs(m.key));
    off("watch to screen", &|m| secs(m.watch));
    off("RSS after settling", &|m| m.rss_after);
    for other in [Tool::Kdash, Tool::Kubectl] {
        ratio(
            "terminal bytes while idle",
            &|m| m.term_idle_kb_per_min,
            other,
        );
        ratio(
            "terminal bytes during the storm",
            &|m| m.term_storm_kb_per_s,
            other,
        );
        ratio(
            "terminal bytes during the storm, whole list shown",
            &|m| m.term_storm_list_kb_per_s,
            other,
        );
        ratio("populated", &|m| secs(m.populated), other);
        ratio("RSS after settling", &|m| m.rss_after, other);
        ratio("idle CPU", &|m| m.idle_cpu, other);
        ratio("key to screen", &|m| secs(m.key), other);
        ratio("watch to screen", &|m| secs(m.watch), other);
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let opts = Opts::parse()?;
    let mut tools = opts.tools.clone();
    if tools.contains(&Tool::Kdash) && opts.kdash.is_none() {
        println!("kdash not found (--kdash PATH, $KDASH or PATH): measured without it");
        tools.retain(|t| *t != Tool::Kdash);
    }
    if tools.contains(&Tool::Kubectl) && find_on_path("kubectl").is_none() {
        println!("kubectl not found: measured without it");
        tools.retain(|t| *t != Tool::Kubectl);
    }
    for &pods in &opts.scales {
        let size = size_of(pods);
        let sim = BigSim::start_sized(&size, 0)?;
        let client = sim.client().await?;
        let (names, target) = pod_names(&client).await?;
        let world = World {
            sim: &sim,
            client,
            names: Arc::new(names),
            target,
        };
        let home = tempfile::tempdir()?;
        let mut runs: Vec<(Tool, Vec<Measured>)> = tools.iter().map(|t| (*t, Vec::new())).collect();
        for round in 0..opts.reps {
            for (tool, measured) in &mut runs {
                eprintln!("{pods} pods, round {}: {}", round + 1, tool.name());
                let m = match tool {
                    Tool::Bare => run_bare(&world).await?,
                    Tool::Kubectl => run_kubectl(&world, &opts, round).await?,
                    Tool::Kubedeck | Tool::KubedeckOff | Tool::KubedeckLow => {
                        let tui = kubedeck_tui(sim.kubeconfig(), home.path(), *tool, None)?;
                        run_tui(&tui, &world, &opts, round).await?
                    }
                    Tool::KubedeckUnwell => {
                        let unwell = Unwell::start(home.path()).await?;
                        let tui =
                            kubedeck_tui(sim.kubeconfig(), home.path(), *tool, Some(&unwell))?;
                        run_tui(&tui, &world, &opts, round).await?
                    }
                    Tool::Kdash => {
                        let program = opts.kdash.clone().unwrap_or_default();
                        let tui = kdash_tui(&program, sim.kubeconfig(), home.path());
                        run_tui(&tui, &world, &opts, round).await?
                    }
                };
                eprintln!("  {m:?}");
                measured.push(m);
            }
        }
        let sim_rss = rss_mib(sim.pid());
        report(pods, &size, sim_rss, &runs, &opts);
    }
    Ok(())
}
