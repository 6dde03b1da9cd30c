//! Terminal panes behave like a terminal (issue 18): the real binary in a PTY, a program in a
//! pane that asks its terminal questions and waits for the answers.

use crate::common;

use std::os::unix::fs::PermissionsExt;

use common::term::{Term, pane_line, wait_prompt};
use common::world;

/// A program that asks for the cursor position and the device attributes and waits (at most
/// 10 s each) for the answers, as fzf, vim and shell prompts do.
const ASKS: &str = r#"#!/bin/bash
IFS='[;' read -p $'\e[6n' -d R -rs -t 10 _ row col || { echo "no cursor answer"; exit 1; }
echo "cursor at row $row"
IFS= read -p $'\e[c' -d c -rs -t 10 da || { echo "no attributes answer"; exit 1; }
echo "attributes ${da#*[}"
printf '\e(0lqqk\e(B\n'
"#;

#[test]
fn a_program_waiting_for_its_terminal_answers_completes() {
    let bash = std::path::Path::new("/bin/bash");
    assert!(bash.exists(), "bash is needed for this test's program");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("asks.sh");
    std::fs::write(&script, ASKS).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let w = world(common::frozen(6));
    let mut t = local_shell(&w.kubeconfig);
    // Clear the pane first, so the cursor is on a known row when it asks.
    t.send(&format!("clear; {}\r", script.display()));
    let screen = t.wait_until("the answers", |s| pane_line(s, "attributes ?1;2"));
    assert!(pane_line(&screen, "cursor at row 1"), "{screen}");
    // Its line drawing is drawn as a box.
    t.wait_until("the box", |s| pane_line(s, "┌──┐"));
}

/// Pairing over tmux: the mouse is never captured, so tmux's own selection and copy work.
/// (Shift and Ctrl with the arrows reach a pane's program as xterm encodes them: `pty::keys`.)
#[test]
fn the_mouse_is_left_to_tmux() {
    let w = world(common::frozen(12));
    let mut t = Term::with_kubeconfig(&w.kubeconfig, &["-A"], 160, 40);
    t.wait_for("pods(all)");
    t.send("?");
    t.wait_for("help (Esc or ? closes");
    for enable in ["\x1b[?1000h", "\x1b[?1002h", "\x1b[?1003h", "\x1b[?1006h"] {
        assert!(
            !t.wrote(enable.as_bytes()),
            "mouse reporting turned on ({enable:?})"
        );
    }
    t.send("\x1b");
    t.wait_gone("help (Esc or ? closes");
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

/// Pairing over tmux: under tmux's and screen's TERM (256 colours) nothing is sent as RGB, and
/// in a 16-colour terminal nothing past the 16 basic colours; the screen is drawn either way.
/// (With the light theme, whose colours are RGB and 256-colour ones: they are brought down.)
#[test]
fn colours_fit_tmux_screen_and_16_colour_terminals() {
    let w = world(common::frozen(10));
    let kc = w.kubeconfig.to_string_lossy().to_string();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("kubedeck.toml");
    std::fs::write(&config, "theme = \"light\"\n").unwrap();
    let cfg = config.to_string_lossy().to_string();
    let rgb = ["38;2;", "48;2;"];
    let indexed = ["38;5;", "48;5;"];
    for (term, forbidden) in [
        ("tmux-256color", &rgb[..]),
        ("screen-256color", &rgb[..]),
        ("screen", &[rgb, indexed].concat()[..]),
        ("xterm", &[rgb, indexed].concat()[..]),
    ] {
        let t = Term::spawn(
            &[
                "--kubeconfig",
                &kc,
                "--config",
                &cfg,
                "-A",
                "--view",
                "triage",
            ],
            120,
            30,
            &[("TERM", term), ("COLORTERM", "")],
        );
        t.wait_until("the triage view drawn", |s| {
            s.contains("triage(all)") && s.contains("PROBLEM")
        });
        for code in forbidden {
            assert!(!t.wrote(code.as_bytes()), "TERM={term}: wrote {code}");
        }
        assert!(t.wrote(b"\x1b[3"), "TERM={term}: no colour at all");
        if term.ends_with("256color") {
            assert!(
                t.wrote(b"38;5;"),
                "TERM={term}: the theme's colours were not kept"
            );
        }
    }
}

/// kubedeck with a local shell in a pane, at its prompt.
fn local_shell(kubeconfig: &std::path::Path) -> Term {
    let mut t = Term::with_kubeconfig(kubeconfig, &["-n", "demo"], 160, 45);
    t.wait_for("pods(demo)");
    t.send(":shell\r");
    t.wait_for("local shell");
    wait_prompt(&t);
    t
}

/// Shift and Ctrl with the arrows, as tmux sends them, reach a pane's program as xterm encodes
/// them (k9s#3773: they were lost): readline's word moves work in a shell beside the dashboard.
#[test]
fn shift_and_ctrl_arrows_reach_the_program_in_a_pane() {
    let w = world(common::frozen(6));
    let mut t = local_shell(&w.kubeconfig);
    // Echo goes off before `ready` is printed: keys sent once it shows are never echoed, even
    // if they arrive before `read` starts (they wait in the terminal's input).
    t.send("clear; bash -c 'stty -echo; echo ready; read -rn12 k; stty echo; printf \"got %q\\n\" \"$k\"'\r");
    t.wait_until("the reader ready", |s| pane_line(s, "ready"));
    // Ctrl-Left, then Shift-Up.
    t.send("\x1b[1;5D\x1b[1;2A");
    t.wait_until("the keys as xterm encodes them", |s| {
        pane_line(s, r"got $'\E[1;5D\E[1;2A'")
    });
}

/// Keys typed ahead (one write of 300, as a fast typist or a held key over a slow link sends
/// them) reach a pane's program whole and in order: kubedeck takes what the terminal has
/// already sent before each frame, a bounded share at a time.
#[test]
fn keys_typed_ahead_reach_the_program_whole() {
    let w = world(common::frozen(6));
    let mut t = local_shell(&w.kubeconfig);
    t.send("clear; bash -c 'stty -echo; echo ready; read -rn300 k; stty echo; echo \"got ${#k} ${k:0:3}${k: -3}\"'\r");
    t.wait_until("the reader ready", |s| pane_line(s, "ready"));
    let typed: String = (0..300)
        .map(|i| char::from(b'a' + u8::try_from(i % 26).unwrap_or(0)))
        .collect();
    t.send(&typed);
    // 300 letters a..z over and over: the first three `abc`, the last three (297-299) `lmn`.
    t.wait_until("every key, in order", |s| pane_line(s, "got 300 abclmn"));
}
