//! The runner's side of plugins and k9s's files: a background plugin run with its private
//! kubeconfig (its exit status and output come back), and k9s's files read for the context
//! shown, then read again whenever one of them changes.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::runner::Runner;
use crate::app::extensions::PluginRun;
use crate::app::msg::{Done, Msg};
use crate::k9s_files::{Files, K9sFiles};
use crate::os_error::OsError;

/// How often k9s's files are looked at for a change.
const K9S_FILES_POLL: Duration = Duration::from_secs(2);
/// The most of a background plugin's output kept (its end: the last line is what is said).
const OUTPUT_KEPT: usize = 64 << 10;

impl Runner {
    /// Read k9s's files for `context` (cluster, context) now, and again when they change;
    /// the watch of the context shown before stops.
    pub(super) fn watch_k9s_files(&mut self, context: Option<(String, String)>) {
        if let Some(old) = self.k9s_files.take() {
            old.abort();
        }
        let dirs = self.k9s_dirs.clone();
        let tx = self.channels.done.clone();
        self.k9s_files = Some(tokio::spawn(async move {
            let mut shown: Option<K9sFiles> = None;
            loop {
                let was = shown.clone();
                let dirs = dirs.clone();
                let context = context.clone();
                // The file list is made again each time: a plugin file dropped into a plugins
                // folder is read too.
                let read = tokio::task::spawn_blocking(move || {
                    let files = Files::of(
                        &dirs,
                        context.as_ref().map(|(c, x)| (c.as_str(), x.as_str())),
                    );
                    let changed = was.as_ref().is_none_or(|w| w.changed(&files));
                    changed.then(|| K9sFiles::load(&files))
                })
                .await;
                match read {
                    Ok(Some(loaded)) => {
                        shown = Some(loaded.clone());
                        if tx.send(Msg::K9sFiles(Box::new(loaded))).is_err() {
                            return;
                        }
                    }
                    Ok(None) => {}
                    Err(_) => return,
                }
                tokio::time::sleep(K9S_FILES_POLL).await;
            }
        }));
    }

    /// A background plugin: `/bin/sh -c` its script with its private kubeconfig, its output
    /// (both streams) kept to the last 64 KiB; one `Done::Plugin` when it ends.
    pub(super) fn run_plugin(&self, run: Box<PluginRun>, out: &mut VecDeque<Msg>) {
        let private = crate::kube::shell_kubeconfig::for_plugin(
            &self.kubeconfig,
            run.cluster.context(),
            run.namespace.as_deref(),
        );
        let written = match private {
            Ok(w) => w,
            Err(e) => {
                let outcome = Err(OsError {
                    kind: std::io::ErrorKind::Other,
                    reason: e.to_string(),
                });
                out.push_back(Msg::Done(Done::Plugin { run, outcome }));
                return;
            }
        };
        let tx = self.channels.done.clone();
        tokio::spawn(async move {
            let outcome = background(&run.script, written.path()).await;
            drop(written);
            let _ = tx.send(Msg::Done(Done::Plugin { run, outcome }));
        });
    }
}

/// Run `script` to its end: its exit code (`None`: a signal) and the end of its output.
async fn background(
    script: &str,
    kubeconfig: &std::path::Path,
) -> Result<(Option<i32>, String), OsError> {
    let mut child = tokio::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{{ {script}\n}} 2>&1"))
        .env("KUBECONFIG", kubeconfig)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut kept: Vec<u8> = Vec::new();
    if let Some(mut stdout) = child.stdout.take() {
        let mut buf = vec![0u8; 8192];
        loop {
            let n = stdout.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            kept.extend_from_slice(&buf[..n]);
            if kept.len() > OUTPUT_KEPT {
                kept.drain(..kept.len() - OUTPUT_KEPT);
            }
        }
    }
    let status = child.wait().await?;
    Ok((status.code(), String::from_utf8_lossy(&kept).into_owned()))
}
