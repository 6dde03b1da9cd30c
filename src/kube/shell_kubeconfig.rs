//! The kubeconfig a local shell gets: a copy of the user's, with kubedeck's context and
//! namespace current, so `kubectl` in that shell talks to what the dashboard shows.
//!
//! The copy holds credentials (bearer tokens, client keys). It is written 0600 in a 0700
//! directory under the user's runtime directory (`$XDG_RUNTIME_DIR/kubedeck`, else the user's
//! cache directory), never in a shared /tmp; removed when the shell ends, when kubedeck leaves
//! by any path ([`remove_ours`], called on quit, signals, a vanished terminal and panics), and a
//! copy left by a process that died without cleaning (SIGKILL, power loss) is removed at the
//! next start ([`sweep_stale`]).

use std::fs::{DirBuilder, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::client::KubeconfigSource;
use super::cluster::Scope;
use crate::pty::local::{Local, default_shell};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShellConfigError {
    #[error("no private directory for the local shell's kubeconfig: {0}")]
    NoPrivateDir(String),
    #[error(
        "{path} is not private (mode {mode:o}, or not ours): refusing to put credentials there"
    )]
    NotPrivate { path: PathBuf, mode: u32 },
    #[error("cannot write a kubeconfig for the local shell at {path}: {why}")]
    Write { path: PathBuf, why: String },
}

/// Where the copies live: private to the user.
pub fn root() -> Result<PathBuf, ShellConfigError> {
    let dirs = directories::ProjectDirs::from("", "", "kubedeck")
        .ok_or_else(|| ShellConfigError::NoPrivateDir("no home directory".into()))?;
    Ok(match dirs.runtime_dir() {
        Some(run) => run.to_path_buf(),
        None => dirs.cache_dir().join("run"),
    })
}

/// Create `path` (and its parents) as 0700, or check that an existing one is ours and 0700.
fn private_dir(path: &Path) -> Result<(), ShellConfigError> {
    let fail = |e: std::io::Error| ShellConfigError::Write {
        path: path.to_path_buf(),
        why: e.to_string(),
    };
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(fail)?;
    let meta = std::fs::symlink_metadata(path).map_err(fail)?;
    let mode = meta.permissions().mode() & 0o777;
    let ours = std::os::unix::fs::MetadataExt::uid(&meta) == current_uid(path)?;
    if !meta.is_dir() || !ours {
        return Err(ShellConfigError::NotPrivate {
            path: path.to_path_buf(),
            mode,
        });
    }
    if mode != 0o700 {
        // Created by an older kubedeck or by hand: tighten it rather than refuse.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
    }
    Ok(())
}

/// Our uid: the owner of `/proc/self` (std has no getuid without unsafe code or libc).
fn current_uid(near: &Path) -> Result<u32, ShellConfigError> {
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
        .map_err(|e| ShellConfigError::Write {
            path: near.to_path_buf(),
            why: format!("cannot tell who we are: {e}"),
        })
}

/// A written copy; dropping it removes it.
#[derive(Debug)]
pub struct PrivateKubeconfig {
    dir: PathBuf,
    path: PathBuf,
}

impl PrivateKubeconfig {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PrivateKubeconfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The prefix of this process's copies: `shell-PID-`.
fn prefix_of(pid: u32) -> String {
    format!("shell-{pid}-")
}

/// The process that wrote a copy, from its directory's name.
fn writer_pid(name: &str) -> Option<u32> {
    name.strip_prefix("shell-")?.split('-').next()?.parse().ok()
}

/// Write `text` as a new private kubeconfig under `root`.
pub fn write_private(root: &Path, text: &str) -> Result<PrivateKubeconfig, ShellConfigError> {
    write_private_named(root, "kubeconfig", text)
}

/// Write `text` as `name` in a new private directory under `root` (0700 directory, 0600
/// file, removed when the guard drops, when kubedeck exits, or by a later kubedeck if this one
/// died): for a kubeconfig, or an object being edited (it may hold a Secret).
pub fn write_private_named(
    root: &Path,
    name: &str,
    text: &str,
) -> Result<PrivateKubeconfig, ShellConfigError> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    private_dir(root)?;
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = root.join(format!("{}{n}", prefix_of(std::process::id())));
    let fail = |path: &Path, e: std::io::Error| ShellConfigError::Write {
        path: path.to_path_buf(),
        why: e.to_string(),
    };
    // A leftover of the same name (a reused pid) is ours to replace.
    let _ = std::fs::remove_dir_all(&dir);
    DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .map_err(|e| fail(&dir, e))?;
    let written = PrivateKubeconfig {
        path: dir.join(name),
        dir,
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&written.path)
        .map_err(|e| fail(&written.path, e))?;
    file.write_all(text.as_bytes())
        .map_err(|e| fail(&written.path, e))?;
    Ok(written)
}

/// Remove every copy this process wrote (on every way out: the shells' own cleanup may never
/// run when the process leaves while they do).
pub fn remove_ours(root: &Path) {
    remove_where(root, |pid| pid == std::process::id());
}

/// Remove copies whose writer is no longer running (it died without cleaning up).
pub fn sweep_stale(root: &Path) {
    remove_where(root, |pid| !alive(pid));
}

fn alive(pid: u32) -> bool {
    Path::new("/proc").join(pid.to_string()).exists()
}

fn remove_where(root: &Path, doomed: impl Fn(u32) -> bool) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if writer_pid(&name.to_string_lossy()).is_some_and(&doomed) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The kubeconfig text for a shell on `context`, with the namespace of `scope` (all
/// namespaces: the context's own).
pub fn shell_config_text(
    source: &KubeconfigSource,
    context: &str,
    scope: &Scope,
) -> Result<String, ShellConfigError> {
    let mut config = source.config.clone();
    config.current_context = Some(context.to_string());
    if let Scope::Namespace(ns) = scope {
        for c in &mut config.contexts {
            if c.name == context
                && let Some(ctx) = c.context.as_mut()
            {
                ctx.namespace = Some(ns.clone());
            }
        }
    }
    serde_json::to_string_pretty(&config).map_err(|e| ShellConfigError::Write {
        path: PathBuf::from("kubeconfig"),
        why: e.to_string(),
    })
}

/// A local shell whose `kubectl` uses `context` and the namespace of `scope`. With
/// `readonly`, the shell is told that kubedeck's read-only mode does not reach it.
pub fn local_shell(
    source: &KubeconfigSource,
    context: &str,
    scope: &Scope,
    readonly: bool,
) -> Result<Local, ShellConfigError> {
    let text = shell_config_text(source, context, scope)?;
    let written = write_private(&root()?, &text)?;
    let mut env = vec![
        (
            "KUBECONFIG".to_string(),
            written.path().display().to_string(),
        ),
        ("KUBEDECK_CONTEXT".to_string(), context.to_string()),
    ];
    if let Scope::Namespace(ns) = scope {
        env.push(("KUBEDECK_NAMESPACE".to_string(), ns.clone()));
    }
    let mut banner = None;
    if readonly {
        env.push(("KUBEDECK_READONLY".to_string(), "1".to_string()));
        banner = Some(
            "kubedeck is read-only; this shell is not:\r\nkubectl here can change the cluster.\r\n"
                .to_string(),
        );
    }
    Ok(Local {
        command: default_shell(),
        cwd: None,
        env,
        keep: Some(Box::new(written)),
        label: format!("local shell ({context})"),
        banner,
    })
}

/// The private kubeconfig a plugin gets as `$KUBECONFIG`: the same copy a local shell gets,
/// with `context` current and `namespace` its default (removed when the guard drops).
pub fn for_plugin(
    source: &KubeconfigSource,
    context: &str,
    namespace: Option<&str>,
) -> Result<PrivateKubeconfig, ShellConfigError> {
    let scope = match namespace {
        Some(ns) => Scope::Namespace(ns.to_string()),
        None => Scope::All,
    };
    let text = shell_config_text(source, context, &scope)?;
    write_private(&root()?, &text)
}

/// A plugin's script under a PTY, with its private kubeconfig.
pub fn plugin_session(
    source: &KubeconfigSource,
    context: &str,
    namespace: Option<&str>,
    name: &str,
    script: &str,
) -> Result<Local, ShellConfigError> {
    let written = for_plugin(source, context, namespace)?;
    Ok(Local {
        command: vec!["/bin/sh".into(), "-c".into(), script.to_string()],
        cwd: None,
        env: vec![
            (
                "KUBECONFIG".to_string(),
                written.path().display().to_string(),
            ),
            ("KUBEDECK_CONTEXT".to_string(), context.to_string()),
        ],
        keep: Some(Box::new(written)),
        label: format!("plugin {name}"),
        banner: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0)
    }

    #[test]
    fn copies_are_private_and_removed_when_dropped() {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("kubedeck");
        let written = write_private(&root, "token: secret").unwrap();
        assert_eq!(mode(&root), 0o700);
        assert_eq!(mode(written.path().parent().unwrap_or(&root)), 0o700);
        assert_eq!(mode(written.path()), 0o600);
        let dir = written.dir.clone();
        drop(written);
        assert!(!dir.exists(), "removed with the shell");
    }

    #[test]
    fn a_loose_root_is_tightened() {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("kubedeck");
        std::fs::create_dir(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o755)).unwrap();
        let _w = write_private(&root, "x").unwrap();
        assert_eq!(mode(&root), 0o700);
    }

    #[test]
    fn ours_go_on_exit_and_stale_ones_at_the_next_start() {
        let base = tempfile::tempdir().unwrap();
        let root = base.path().join("kubedeck");
        let ours = write_private(&root, "x").unwrap();
        let ours_dir = ours.dir.clone();
        // Kept alive past the process's exit (as a shell's thread would hold it).
        std::mem::forget(ours);
        // A copy from a process that no longer runs (pid far above pid_max), and one from a
        // running process (pid 1) that is not ours.
        let dead = root.join("shell-99999999-0");
        let other = root.join("shell-1-0");
        for d in [&dead, &other] {
            std::fs::create_dir_all(d).unwrap();
        }
        sweep_stale(&root);
        assert!(!dead.exists(), "its writer is gone");
        assert!(other.exists(), "its writer still runs");
        assert!(ours_dir.exists(), "we still run");
        remove_ours(&root);
        assert!(!ours_dir.exists(), "removed on the way out");
        assert!(other.exists());
    }
}
