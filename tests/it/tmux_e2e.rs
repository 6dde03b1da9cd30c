//! Pairing over tmux, with tmux itself: kubedeck in a tmux session that two clients of
//! different sizes share (`window-size smallest`, as a pair at two desks): it is drawn for the
//! size tmux gives the window, and again when the smaller client leaves.

use crate::common;

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A tmux server of its own (`-L`), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A control-mode client of `size` (`80x24`): attached until dropped.
    fn client(&self, size: &str) -> Child {
        let mut c = Command::new("tmux")
            .args(["-L", &self.socket, "-C", "attach", "-t", "pair"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("attach a tmux client");
        if let Some(stdin) = c.stdin.as_mut() {
            writeln!(stdin, "refresh-client -C {size}").expect("size the client");
        }
        c
    }

    fn window_size(&self) -> String {
        self.run(&[
            "display",
            "-p",
            "-t",
            "pair",
            "#{window_width}x#{window_height}",
        ])
        .trim()
        .to_string()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "pair"])
    }

    /// Wait (polling tmux, bounded) until `pred` holds for the pane's screen.
    fn wait(&self, what: &str, pred: impl Fn(&str, &str) -> bool) -> String {
        let until = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let (size, screen) = (self.window_size(), self.screen());
            if pred(&size, &screen) {
                return screen;
            }
            assert!(
                std::time::Instant::now() < until,
                "waited for {what}; window {size}, the pane was:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
#[cfg_attr(
    not(has_tmux),
    ignore = "needs tmux (apt-get install tmux; .ci/run installs it)"
)]
fn two_tmux_clients_of_different_sizes_see_it_drawn_right() {
    let w = common::world(common::frozen(12));
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("tmux.conf");
    std::fs::write(
        &conf,
        "set -g default-terminal tmux-256color\nset -g window-size smallest\n",
    )
    .unwrap();
    let tmux = Tmux {
        socket: format!("kd-pair-{}", std::process::id()),
    };
    let kubedeck = env!("CARGO_BIN_EXE_kubedeck");
    let command = format!(
        "{kubedeck} --kubeconfig {} -A --view pods",
        w.kubeconfig.display()
    );
    let cache = dir.path().display().to_string();
    let started = Command::new("tmux")
        .args(["-L", &tmux.socket, "-f"])
        .arg(&conf)
        .args(["new-session", "-d", "-s", "pair", "-x", "200", "-y", "50"])
        .args(["-e", &format!("XDG_CACHE_HOME={cache}")])
        .args(["-e", &format!("XDG_DATA_HOME={cache}/data")])
        .args(["-e", &format!("K9S_CONFIG_DIR={cache}/k9s")])
        .arg(&command)
        .status()
        .expect("start tmux");
    assert!(started.success());
    tmux.wait("kubedeck drawn", |_, s| s.contains("pods(all)"));

    // Two clients: the window is the smaller one's size, and kubedeck is drawn for it.
    let mut small = tmux.client("80x24");
    let mut large = tmux.client("160x45");
    let screen = tmux.wait("drawn at 80x24", |size, s| {
        size == "80x24" && s.contains("pods(all)") && s.contains("STATUS") && !s.contains("NODE")
    });
    assert!(
        screen.lines().all(|l| l.chars().count() <= 80),
        "a line wider than the window:\n{screen}"
    );
    assert!(
        screen.lines().last().is_some_and(|l| l.contains("pods ")),
        "the status bar is on the last line:\n{screen}"
    );

    // The smaller client leaves: drawn again at the larger size, wider columns back.
    let _ = small.kill();
    let _ = small.wait();
    tmux.wait("drawn at 160x45", |size, s| {
        size == "160x45" && s.contains("NODE") && s.contains("pods(all)")
    });
    let _ = large.kill();
    let _ = large.wait();
}
