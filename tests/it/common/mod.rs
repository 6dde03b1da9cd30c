//! Shared test helpers: a simulator with a kube-rs client pointed at it, and the terminal
//! end-to-end harness.

pub mod pods;
pub mod proxy;
pub mod term;

use std::time::Duration;

use kube::Client;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kubedeck::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use kubedeck_sim::{Scale, Sim, SimOptions};

/// A small, frozen world (the scenario only moves when a test steps it).
pub fn frozen(pods: usize) -> SimOptions {
    SimOptions {
        scale: Scale {
            pods,
            nodes: 3,
            pipelineruns: 6,
            events: 50,
            seed: 7,
        },
        tick: None,
        bookmark_every: Duration::from_millis(200),
        max_grace: Duration::from_secs(1),
        ..SimOptions::default()
    }
}

pub async fn start(opts: SimOptions) -> Sim {
    match Sim::start(
        opts,
        "127.0.0.1:0".parse().unwrap_or_else(|_| unreachable!()),
    )
    .await
    {
        Ok(s) => s,
        Err(e) => panic!("simulator did not start: {e}"),
    }
}

pub async fn client_for(sim: &Sim) -> Client {
    let text = sim.kubeconfig().to_string();
    let kc = Kubeconfig::from_yaml(&text).expect("kubeconfig");
    let mut cfg = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .expect("config");
    // As kubedeck builds its clients (see kube/client.rs).
    cfg.default_retry = false;
    Client::try_from(cfg).expect("client")
}

/// Poll `check` until it holds, failing after `deadline`. For state reached through the network
/// where no signal exists to wait on; the sleep is only the polling interval.
pub async fn eventually<F: FnMut() -> bool>(what: &str, deadline: Duration, mut check: F) {
    let end = tokio::time::Instant::now() + deadline;
    while !check() {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub struct World {
    pub rt: tokio::runtime::Runtime,
    pub sim: Sim,
    pub kubeconfig: tempfile::TempPath,
}

/// A simulator on its own runtime, with a kubeconfig file pointing at it.
pub fn world(opts: SimOptions) -> World {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sim = rt.block_on(start(opts));
    let kubeconfig = tempfile::NamedTempFile::new().unwrap().into_temp_path();
    sim.write_kubeconfig(&kubeconfig).unwrap();
    World {
        rt,
        sim,
        kubeconfig,
    }
}

/// Wait until `cond` holds (what it is: `what`), checking it every few milliseconds: for state
/// outside the screen (the simulator's), which sends no signal when it changes.
pub fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    let end = std::time::Instant::now() + term::DEADLINE;
    while !cond() {
        assert!(std::time::Instant::now() < end, "waited for {what}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Whether the screen's last line with text is a shell prompt (`$`, `#`, `%` or `>` at its end).
pub fn prompt_shown(screen: &str) -> bool {
    let last = screen.lines().map(str::trim_end).rfind(|l| !l.is_empty());
    last.is_some_and(|l| {
        l.ends_with('$') || l.ends_with('#') || l.ends_with('%') || l.ends_with('>')
    })
}

/// Wait for the shell's prompt, type `input`, then read until the session ends (its output
/// closes or its exit status arrives, as the session driver does); its output and how it ended.
/// The output goes through kubedeck's own emulator, as in a pane: the prompt is read from the
/// screen, and the program's queries are answered (busybox's shell writes its prompt and then
/// asks where the cursor is, so the prompt is not the last bytes).
pub async fn type_and_finish(
    mut conn: kubedeck::pty::Connection,
    input: &str,
) -> (String, kubedeck::pty::Ended) {
    let screen = kubedeck::pty::screen::Screen::new(24, 80, 0);
    // Type only once the shell has printed its prompt: a shell setting up its terminal may
    // drop what was typed before.
    let mut out = Vec::new();
    let prompt = async {
        while let Some(b) = conn.output.recv().await {
            let answer = screen.feed(&b);
            out.extend(b);
            if !answer.is_empty() {
                let _ = conn.input.send(answer).await;
            }
            if prompt_shown(&screen.contents()) {
                break;
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), prompt)
        .await
        .unwrap_or_else(|_| panic!("no prompt: {:?}", String::from_utf8_lossy(&out)));
    conn.input.send(input.as_bytes().to_vec()).await.unwrap();
    // As the session driver does: the session is over when its output closes or its exit
    // status arrives (kube-rs may not close stdout when its connection fails), whichever first.
    let mut exit = conn.exit;
    let wait = async {
        loop {
            tokio::select! {
                chunk = conn.output.recv() => match chunk {
                    Some(b) => {
                        let answer = screen.feed(&b);
                        out.extend(b);
                        if !answer.is_empty() {
                            let _ = conn.input.send(answer).await;
                        }
                    }
                    None => break (&mut exit).await.unwrap_or(kubedeck::pty::Ended::Lost("no exit".into())),
                },
                ended = &mut exit => {
                    while let Ok(b) = conn.output.try_recv() {
                        out.extend(b);
                    }
                    break ended.unwrap_or(kubedeck::pty::Ended::Lost("no exit".into()));
                }
            }
        }
    };
    let ended = tokio::time::timeout(std::time::Duration::from_secs(60), wait)
        .await
        .unwrap_or_else(|_| panic!("the session did not end"));
    (String::from_utf8_lossy(&out).into_owned(), ended)
}

/// Wait (up to `within`) for `kind` to report a state `want` accepts; what came before.
pub async fn until_state(
    rx: &mut tokio::sync::mpsc::UnboundedReceiver<InformerUpdate>,
    kind: ResourceKind,
    within: Duration,
    want: impl Fn(&InformerState) -> bool,
) -> Vec<(ResourceKind, InformerState)> {
    let mut seen = Vec::new();
    let wait = async {
        while let Some(u) = rx.recv().await {
            if let Change::State(s) = u.change {
                let done = u.kind == kind && want(&s);
                seen.push((u.kind, s));
                if done {
                    return true;
                }
            }
        }
        // Every sender is gone: the state can never come.
        false
    };
    match tokio::time::timeout(within, wait).await {
        Ok(true) => seen,
        Ok(false) => panic!("the informers' channel closed before a {kind:?} state; saw {seen:?}"),
        Err(_) => panic!("timed out waiting for a {kind:?} state; saw {seen:?}"),
    }
}

/// Run real kubectl against `kubeconfig` (KUBECONFIG from the environment left out): whether it
/// succeeded, its stdout and its stderr. `.ci/run` installs kubectl.
pub fn kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    kubectl_with_env(kubeconfig, &[], args)
}

/// `kubectl` with extra environment (`KUBE_EDITOR` for `kubectl edit`).
pub fn kubectl_with_env(
    kubeconfig: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> (bool, String, String) {
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .env_remove("KUBECONFIG")
        .envs(env.iter().copied())
        .output()
        .expect("run kubectl (install it; .ci/run does)");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// kubectl's rows as words (the AGE column left out: it ticks between the two reads).
pub fn kubectl_rows(text: &str) -> Vec<Vec<String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let age = header.iter().position(|h| *h == "AGE");
    lines
        .map(|l| {
            l.split_whitespace()
                .enumerate()
                .filter(|(i, _)| Some(*i) != age)
                .map(|(_, w)| w.to_string())
                .collect()
        })
        .collect()
}

/// The screen line showing `name` as its NAME cell.
pub fn line_of<'a>(screen: &'a str, name: &str) -> Option<&'a str> {
    screen.lines().find(|l| {
        l.trim_start_matches('│')
            .split_whitespace()
            .next()
            .is_some_and(|w| w == name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A channel whose senders are all gone is a failure, not a wait that succeeded.
    #[tokio::test]
    #[should_panic(expected = "channel closed")]
    async fn a_closed_channel_fails_until_state() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<InformerUpdate>();
        drop(tx);
        until_state(&mut rx, ResourceKind::Pods, Duration::from_secs(5), |_| {
            true
        })
        .await;
    }
}
