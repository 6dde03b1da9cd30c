//! A process that looks like a container to the agent, for tests and for kubedeck's simulated
//! cluster (never used by the agent itself): PID 1 of its own PID, network, UTS, IPC and mount
//! namespaces (`unshare`), with a hostname, `lo` and a veth interface with an address of its
//! own, a tmpfs only its mount namespace sees (with a marker file), and a cgroup whose last
//! segment is the containerd systemd layout's `cri-containerd-<id>.scope`. Needs root.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// A writable cgroup hierarchy: the v2 one, or v1's `pids`.
fn cgroup_base() -> Result<PathBuf, String> {
    for candidate in [
        "/sys/fs/cgroup/unified",
        "/sys/fs/cgroup",
        "/sys/fs/cgroup/pids",
    ] {
        let p = Path::new(candidate);
        let probe = p.join(format!("kubedeck-probe-{}", std::process::id()));
        if p.join("cgroup.procs").exists() && std::fs::create_dir(&probe).is_ok() {
            let _ = std::fs::remove_dir(&probe);
            return Ok(p.to_path_buf());
        }
    }
    Err("no writable cgroup hierarchy (a fake container needs root)".into())
}

/// Remove the empty cgroups of fake containers whose owner was killed before it could clean
/// up (a cgroup with a process or a child in it cannot be removed, so live ones stay; and one
/// younger than a minute is left alone).
fn sweep(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for group in entries.filter_map(Result::ok).map(|e| e.path()) {
        let ours = group
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("kubedeck-fake-"));
        // A young one may be another fake container's, created but not yet entered.
        let old = std::fs::metadata(&group)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > std::time::Duration::from_secs(60));
        if !ours || !old {
            continue;
        }
        if let Ok(children) = std::fs::read_dir(&group) {
            for child in children
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
            {
                let _ = std::fs::remove_dir(child);
            }
        }
        let _ = std::fs::remove_dir(&group);
    }
}

/// What a fake container is given.
pub struct Spec<'a> {
    /// 64 hex digits.
    pub hex: &'a str,
    pub hostname: &'a str,
    /// The address on its veth (`10.77.0.1/24`).
    pub address: &'a str,
    /// A directory (created if absent) on which it mounts its own tmpfs with `marker` inside.
    pub private_dir: &'a Path,
}

/// A running fake container; killed and its cgroup removed when dropped.
pub struct FakeContainer {
    child: Child,
    cgroup: PathBuf,
    private_dir: PathBuf,
}

impl FakeContainer {
    pub fn start(spec: &Spec<'_>) -> Result<Self, String> {
        let valid_hex = spec.hex.len() == 64 && spec.hex.bytes().all(|b| b.is_ascii_hexdigit());
        let valid_host = !spec.hostname.is_empty()
            && spec.hostname.len() <= 63
            && spec
                .hostname
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid_hex || !valid_host {
            return Err(format!(
                "bad fake container {:?} {:?}",
                spec.hex, spec.hostname
            ));
        }
        let base = cgroup_base()?;
        sweep(&base);
        let group = base.join(format!("kubedeck-fake-{}", &spec.hex[..16]));
        let cgroup = group.join(format!("cri-containerd-{}.scope", spec.hex));
        std::fs::create_dir_all(&cgroup).map_err(|e| format!("{}: {e}", cgroup.display()))?;
        std::fs::create_dir_all(spec.private_dir).map_err(|e| e.to_string())?;
        // PID 1 of the new namespace moves itself into the cgroup (a PID is read in the
        // writer's namespace), so the container's init is what the cgroup holds, as under a
        // runtime, and its parent (unshare) is outside.
        let script = format!(
            "set -e
echo 1 > '{procs}'
hostname '{host}'
ip link set lo up
ip link add kd0 type veth peer name kd1
ip addr add '{addr}' dev kd0
ip link set kd0 up
mount -t tmpfs tmpfs '{dir}'
echo only-in-the-target > '{dir}/marker'
echo ready
exec sleep 2147483647",
            procs = cgroup.join("cgroup.procs").display(),
            host = spec.hostname,
            addr = spec.address,
            dir = spec.private_dir.display(),
        );
        let mut child = Command::new("unshare")
            .args([
                "--fork",
                "--kill-child",
                "--pid",
                "--mount-proc",
                "--net",
                "--uts",
                "--ipc",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                &script,
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("unshare (util-linux): {e}"))?;
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let container = Self {
            child,
            cgroup,
            private_dir: spec.private_dir.to_path_buf(),
        };
        if line.trim() != "ready" {
            return Err("the fake container did not start (needs root, unshare and ip)".into());
        }
        Ok(container)
    }
}

impl Drop for FakeContainer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // The cgroup can be removed once the kernel has reaped its last process.
        for _ in 0..250 {
            if std::fs::remove_dir(&self.cgroup).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        if let Some(parent) = self.cgroup.parent() {
            let _ = std::fs::remove_dir(parent);
        }
        let _ = std::fs::remove_dir(&self.private_dir);
    }
}
