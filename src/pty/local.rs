//! A program on the machine kubedeck runs on, under a PTY (portable-pty): the local shell. What
//! it is started with (a private kubeconfig, the context) is decided by the caller
//! (`kube::shell_kubeconfig`); this module knows nothing of clusters.

use std::io::{Read, Write};
use std::path::PathBuf;

use futures::FutureExt;
use futures::future::BoxFuture;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use tokio::sync::{mpsc, oneshot};

use super::{Backend, Connection, Ended, Progress, SessionError, Size};

pub struct Local {
    /// The program and its arguments (the user's `$SHELL` by default).
    pub command: Vec<String>,
    pub cwd: Option<PathBuf>,
    /// Extra environment (KUBECONFIG, KUBEDECK_CONTEXT, …).
    pub env: Vec<(String, String)>,
    /// Kept alive with the session and dropped when it ends (e.g. a private kubeconfig).
    pub keep: Option<Box<dyn std::any::Any + Send>>,
    pub label: String,
    /// Said in the pane before the shell starts (e.g. that read-only does not reach it).
    pub banner: Option<String>,
}

/// The user's shell, else `/bin/sh`.
pub fn default_shell() -> Vec<String> {
    vec![std::env::var("SHELL").unwrap_or_else(|_| "/bin/sh".into())]
}

fn pty_size(size: Size) -> PtySize {
    PtySize {
        rows: size.rows.max(1),
        cols: size.cols.max(1),
        pixel_width: 0,
        pixel_height: 0,
    }
}

impl Backend for Local {
    fn label(&self) -> String {
        self.label.clone()
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        _progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        async move {
            // Opening a PTY and forking are quick local system calls, but keep them off the
            // async workers anyway.
            tokio::task::spawn_blocking(move || spawn(*self, size))
                .await
                .map_err(|e| SessionError::Start {
                    what: "local shell".into(),
                    why: e.to_string(),
                })?
        }
        .boxed()
    }
}

fn spawn(local: Local, size: Size) -> Result<Connection, SessionError> {
    let fail = |why: String| SessionError::Start {
        what: local.command.join(" "),
        why,
    };
    let Some(program) = local.command.first() else {
        return Err(fail("no command".into()));
    };
    let pair = native_pty_system()
        .openpty(pty_size(size))
        .map_err(|e| fail(e.to_string()))?;
    let mut cmd = CommandBuilder::new(program);
    cmd.args(&local.command[1..]);
    if let Some(dir) = &local.cwd {
        cmd.cwd(dir);
    }
    cmd.env("TERM", "xterm-256color");
    for (k, v) in &local.env {
        cmd.env(k, v);
    }
    let mut child = pair
        .slave
        .spawn_command(cmd)
        .map_err(|e| fail(e.to_string()))?;
    drop(pair.slave);
    let mut reader = pair
        .master
        .try_clone_reader()
        .map_err(|e| fail(e.to_string()))?;
    let mut writer = pair.master.take_writer().map_err(|e| fail(e.to_string()))?;
    let master = pair.master;

    let (out_tx, output) = mpsc::channel::<Vec<u8>>(super::OUTPUT_QUEUE);
    if let Some(banner) = &local.banner {
        // The queue is empty: this never waits.
        let _ = out_tx.try_send(banner.clone().into_bytes());
    }
    let (input, mut in_rx) = mpsc::channel::<Vec<u8>>(super::INPUT_QUEUE);
    let (resize, mut resize_rx) = mpsc::channel::<Size>(8);
    let (exit_tx, exit) = oneshot::channel();
    let mut killer = child.clone_killer();

    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if out_tx.blocking_send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        while let Some(bytes) = in_rx.blocking_recv() {
            if writer
                .write_all(&bytes)
                .and_then(|()| writer.flush())
                .is_err()
            {
                break;
            }
        }
        // The session was closed: the shell goes with it.
        let _ = killer.kill();
    });
    std::thread::spawn(move || {
        while let Some(size) = resize_rx.blocking_recv() {
            let _ = master.resize(pty_size(size));
        }
    });
    let keep = local.keep;
    std::thread::spawn(move || {
        let ended = match child.wait() {
            Ok(status) => Ended::Exited(i32::try_from(status.exit_code()).unwrap_or(1)),
            Err(e) => Ended::Lost(e.to_string()),
        };
        drop(keep);
        let _ = exit_tx.send(ended);
    });
    Ok(Connection {
        output,
        input,
        resize,
        exit,
        via: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_local_shell_runs_in_a_pty_with_our_environment() {
        let local = Local {
            command: vec!["sh".into()],
            cwd: None,
            env: vec![("KUBEDECK_NAMESPACE".into(), "demo".into())],
            keep: None,
            label: "local".into(),
            banner: Some("hello from kubedeck\r\n".into()),
        };
        let (progress, _p) = mpsc::unbounded_channel();
        let mut conn = Box::new(local)
            .connect(Size { rows: 24, cols: 80 }, progress)
            .await
            .unwrap();
        conn.input
            .send(b"echo ns=$KUBEDECK_NAMESPACE term=$TERM; stty size; exit 4\n".to_vec())
            .await
            .unwrap();
        let mut out = Vec::new();
        while let Some(b) = conn.output.recv().await {
            out.extend(b);
        }
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("hello from kubedeck"), "{text}");
        assert!(text.contains("ns=demo term=xterm-256color"), "{text}");
        assert!(text.contains("24 80"), "{text}");
        assert_eq!(conn.exit.await.unwrap(), Ended::Exited(4));
    }
}
