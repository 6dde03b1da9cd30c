//! `kubedeck-agent ready`, the agent pod's readiness probe: it checks what a join needs, and
//! says precisely what is missing when something is.
//!
//! A join needs the node's /proc (hostPID), the capabilities to open and enter another
//! process's namespaces (CAP_SYS_ADMIN, CAP_SYS_PTRACE), and that opening them works here. That
//! last part is tried on a process other than the node's init: some nodes protect PID 1
//! (sandboxed VMs, hardened kernels) while containers' processes can still be joined, and there
//! a probe on PID 1 kept the agent unready although every join would work. The kubelet's
//! process is preferred, then any container's main process, then any process outside the
//! agent's own container.

use std::fs::File;
use std::path::Path;

/// The namespaces a join opens.
const NAMESPACES: [&str; 4] = ["net", "pid", "ipc", "uts"];

/// The capabilities a join uses: their bit in `CapEff`, and their name.
const CAPABILITIES: [(u32, &str); 2] = [(21, "CAP_SYS_ADMIN"), (19, "CAP_SYS_PTRACE")];

/// At most this many processes are tried before giving up (a node runs thousands).
const TRIES: usize = 32;

/// The process whose namespaces could be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ready {
    pub pid: u32,
    /// Its command name (`kubelet`).
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotReady {
    #[error("cannot read {0}: the agent needs the node's /proc (hostPID: true)")]
    NoProc(String),
    #[error(
        "lacks {}: a join enters other processes' namespaces (the DaemonSet's container must be privileged)",
        .0.join(" and ")
    )]
    Capabilities(Vec<&'static str>),
    #[error(
        "sees no process outside its own container in {0}: the agent needs the node's PID namespace (hostPID: true)"
    )]
    OnlyOwnProcesses(String),
    #[error(
        "cannot open {path} ({name}, PID {pid}): {error}; no other process's namespaces could be opened either"
    )]
    CannotOpen {
        path: String,
        pid: u32,
        name: String,
        error: String,
    },
}

/// The effective capabilities `CapEff:` of a `/proc/PID/status` text lacks, of those a join
/// uses (none when the line is absent: nothing can be said).
pub fn missing_capabilities(status: &str) -> Vec<&'static str> {
    let Some(bits) = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
    else {
        return Vec::new();
    };
    CAPABILITIES
        .iter()
        .filter(|(bit, _)| bits & (1 << bit) == 0)
        .map(|(_, name)| *name)
        .collect()
}

fn read(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut text = String::new();
    File::open(path)
        .ok()?
        .take(64 * 1024)
        .read_to_string(&mut text)
        .ok()?;
    Some(text)
}

/// The processes worth trying under `proc_root`, best first: the kubelet, containers' main
/// processes (a `kubepods` cgroup), then any other; never PID 1, the agent itself, or a
/// process in the agent's own cgroup (its own container).
fn candidates(proc_root: &Path, own_cgroup: &str) -> Result<Vec<(u32, String)>, NotReady> {
    let entries = std::fs::read_dir(proc_root)
        .map_err(|_| NotReady::NoProc(proc_root.display().to_string()))?;
    let own = std::process::id();
    let mut found: Vec<(u8, u32, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != 1 && *pid != own)
        .filter_map(|pid| {
            let dir = proc_root.join(pid.to_string());
            let cgroup = read(&dir.join("cgroup"))?;
            if !own_cgroup.is_empty() && cgroup == own_cgroup {
                return None;
            }
            let name = read(&dir.join("comm"))
                .unwrap_or_default()
                .trim()
                .to_string();
            let rank = if name == "kubelet" {
                0
            } else if cgroup.contains("kubepods") {
                1
            } else {
                2
            };
            Some((rank, pid, name))
        })
        .collect();
    found.sort();
    Ok(found
        .into_iter()
        .map(|(_, pid, name)| (pid, name))
        .collect())
}

/// Whether every namespace a join opens can be opened for `pid`; the first failure otherwise.
fn open_namespaces(proc_root: &Path, pid: u32) -> Result<(), (String, std::io::Error)> {
    for ns in NAMESPACES {
        let path = proc_root.join(pid.to_string()).join("ns").join(ns);
        File::open(&path).map_err(|e| (path.display().to_string(), e))?;
    }
    Ok(())
}

/// The probe: `own_status` and `own_cgroup` are the agent's own `/proc/self/status` and
/// `/proc/self/cgroup`; `proc_root` the node's /proc.
pub fn check(proc_root: &Path, own_status: &str, own_cgroup: &str) -> Result<Ready, NotReady> {
    let missing = missing_capabilities(own_status);
    if !missing.is_empty() {
        return Err(NotReady::Capabilities(missing));
    }
    let candidates = candidates(proc_root, own_cgroup)?;
    let mut first_failure = None;
    for (pid, name) in candidates.into_iter().take(TRIES) {
        match open_namespaces(proc_root, pid) {
            Ok(()) => return Ok(Ready { pid, name }),
            Err((path, error)) => {
                first_failure.get_or_insert(NotReady::CannotOpen {
                    path,
                    pid,
                    name,
                    error: error.to_string(),
                });
            }
        }
    }
    Err(first_failure
        .unwrap_or_else(|| NotReady::OnlyOwnProcesses(proc_root.display().to_string())))
}

/// The probe as the agent runs it, on itself.
pub fn check_self(proc_root: &Path) -> Result<Ready, NotReady> {
    let status = read(Path::new("/proc/self/status")).unwrap_or_default();
    let cgroup = read(Path::new("/proc/self/cgroup")).unwrap_or_default();
    check(proc_root, &status, &cgroup)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: &str = "Name:\tkubedeck-agent\nCapEff:\t000001ffffffffff\n";

    /// A node's /proc as the agent sees it: `pids` with their command and cgroup, each with
    /// its namespace files when `open` says so.
    fn fake_proc(pids: &[(u32, &str, &str, bool)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (pid, comm, cgroup, open) in pids {
            let dir = root.path().join(pid.to_string());
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("comm"), format!("{comm}\n")).unwrap();
            std::fs::write(dir.join("cgroup"), cgroup).unwrap();
            if *open {
                std::fs::create_dir_all(dir.join("ns")).unwrap();
                for ns in NAMESPACES {
                    std::fs::write(dir.join("ns").join(ns), "").unwrap();
                }
            }
        }
        root
    }

    const OWN: &str = "0::/kubepods/besteffort/podagent/cri-containerd-aaaa.scope\n";

    /// The real node's case: PID 1's namespaces cannot be opened, a container's can.
    #[test]
    fn a_protected_init_does_not_keep_the_agent_unready() {
        let container =
            include_str!("../../../tests/fixtures/real-cluster/ops/proc-cgroup-containerd-v1.txt");
        let proc = fake_proc(&[
            (1, "systemd", "0::/init.scope\n", false),
            (2735, "httpd", container, true),
            (4100, "kubedeck-agent", OWN, true),
        ]);
        let ready = check(proc.path(), ALL, OWN).unwrap();
        assert_eq!(
            ready,
            Ready {
                pid: 2735,
                name: "httpd".into()
            }
        );
    }

    #[test]
    fn the_kubelet_is_tried_first() {
        let proc = fake_proc(&[
            (300, "httpd", "0::/kubepods/pod1/abc\n", true),
            (900, "kubelet", "0::/system.slice/kubelet.service\n", true),
        ]);
        assert_eq!(check(proc.path(), ALL, OWN).unwrap().name, "kubelet");
    }

    #[test]
    fn what_is_missing_is_said() {
        // Without privileges: the capabilities a join uses, by name.
        let plain = "CapEff:\t00000000a80425fb\n";
        assert_eq!(
            missing_capabilities(plain),
            ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"]
        );
        let proc = fake_proc(&[(1, "systemd", "0::/init.scope\n", true)]);
        let err = check(proc.path(), plain, OWN).unwrap_err().to_string();
        assert!(
            err.contains("lacks CAP_SYS_ADMIN and CAP_SYS_PTRACE"),
            "{err}"
        );
        // Without hostPID: only its own container's processes (PID 1 is never enough).
        let proc = fake_proc(&[(1, "pause", OWN, true), (7, "kubedeck-agent", OWN, true)]);
        let err = check(proc.path(), ALL, OWN).unwrap_err().to_string();
        assert!(err.contains("hostPID: true"), "{err}");
        // Processes seen but none can be opened: the first one named, with why.
        let proc = fake_proc(&[(900, "kubelet", "0::/system.slice/kubelet.service\n", false)]);
        let err = check(proc.path(), ALL, OWN).unwrap_err();
        assert!(
            matches!(&err, NotReady::CannotOpen { pid: 900, name, .. } if name == "kubelet"),
            "{err:?}"
        );
        assert!(err.to_string().contains("/900/ns/net"), "{err}");
        // No /proc at all.
        let err = check(Path::new("/nonexistent-proc"), ALL, OWN).unwrap_err();
        assert!(matches!(err, NotReady::NoProc(_)), "{err:?}");
    }
}
