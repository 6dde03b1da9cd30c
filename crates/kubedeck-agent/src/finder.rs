//! Finding a container's main process on the node: the process whose `/proc/PID/cgroup` names
//! the container ID in a path segment of the runtime's layout, and whose parent is not in that
//! container (the container's init; its parent is the runtime's shim). The layouts:
//!
//! | runtime | cgroupfs driver | systemd driver | nested (kind, cgroup namespaces) |
//! |---|---|---|---|
//! | containerd | `…/pod<uid>/<id>` | `…/cri-containerd-<id>.scope` | `…:cri-containerd:<id>` |
//! | CRI-O | `…/pod<uid>/crio-<id>` | `…/crio-<id>.scope` | `…:crio:<id>` |
//! | Docker | `…/docker/<id>`, `…/pod<uid>/<id>` | `…/docker-<id>.scope` | `…:docker:<id>` |
//!
//! in cgroup v1 (one line per hierarchy) and v2 (the `0::` line) alike. A segment must be one
//! of these exactly: an ID inside a longer name (`crio-conmon-<id>.scope`, the monitor, or a
//! crafted `x-<id>`) never matches.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::target::{ContainerId, Runtime};

/// A cgroup file longer than this is not read (real ones are a few hundred bytes).
const MAX_CGROUP_FILE: u64 = 64 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FindError {
    #[error("cannot read {0}: the agent needs the node's /proc (hostPID)")]
    Proc(String),
    #[error(
        "no process of container {0} runs on this node (is the pod on this node, and running?)"
    )]
    NotFound(String),
}

/// The container's main process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Its PID as this node's /proc shows it.
    pub pid: u32,
    /// Its PID inside its own PID namespace (1 for a container's init), from `NSpid`.
    pub pid_in_container: u32,
}

/// Whether one cgroup path segment names `id` in its runtime's layouts.
fn segment_names(segment: &str, id: &ContainerId) -> bool {
    let h = id.hex.as_str();
    let (prefixes, bare): (&[&str], bool) = match id.runtime {
        Runtime::Containerd => (&["cri-containerd"], true),
        Runtime::CriO => (&["crio"], false),
        Runtime::Docker => (&["docker"], true),
    };
    if bare && segment == h {
        return true;
    }
    prefixes.iter().any(|p| {
        segment == format!("{p}-{h}.scope")
            || segment == format!("{p}:{h}")
            || segment.ends_with(&format!(":{p}:{h}"))
            || (id.runtime == Runtime::CriO && segment == format!("{p}-{h}"))
    })
}

/// Whether a `/proc/PID/cgroup` text puts the process in container `id`.
pub fn cgroup_names(text: &str, id: &ContainerId) -> bool {
    text.lines().any(|line| {
        // hierarchy-ID:controllers:path; the path may itself hold ':' (nested layouts).
        let mut parts = line.splitn(3, ':');
        let path = parts.nth(2).unwrap_or_default();
        path.split('/').any(|segment| segment_names(segment, id))
    })
}

fn read_small(path: &Path) -> Option<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut text = String::new();
    file.take(MAX_CGROUP_FILE).read_to_string(&mut text).ok()?;
    Some(text)
}

/// The parent PID from `/proc/PID/stat` (the fields after the command's closing parenthesis).
fn parent_of(proc_root: &Path, pid: u32) -> Option<u32> {
    let stat = read_small(&proc_root.join(pid.to_string()).join("stat"))?;
    let after = stat.rsplit_once(')')?.1;
    after.split_whitespace().nth(1)?.parse().ok()
}

/// The innermost PID of `NSpid:` in `/proc/PID/status`.
fn pid_in_namespace(proc_root: &Path, pid: u32) -> Option<u32> {
    let status = read_small(&proc_root.join(pid.to_string()).join("status"))?;
    let line = status.lines().find(|l| l.starts_with("NSpid:"))?;
    line.split_whitespace().last()?.parse().ok()
}

/// Whether process `pid` is (still) in container `id`: checked again after its namespaces are
/// opened, so a PID reused in between is never joined.
pub fn still_in(proc_root: &Path, pid: u32, id: &ContainerId) -> bool {
    read_small(&proc_root.join(pid.to_string()).join("cgroup"))
        .is_some_and(|t| cgroup_names(&t, id))
}

/// Find container `id`'s main process under `proc_root` (`/proc` on a node).
pub fn find(proc_root: &Path, id: &ContainerId) -> Result<Found, FindError> {
    let entries = std::fs::read_dir(proc_root)
        .map_err(|_| FindError::Proc(proc_root.display().to_string()))?;
    let own = std::process::id();
    let members: Vec<u32> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| *pid != own)
        .filter(|pid| still_in(proc_root, *pid, id))
        .collect();
    let parents: HashMap<u32, Option<u32>> = members
        .iter()
        .map(|pid| (*pid, parent_of(proc_root, *pid)))
        .collect();
    // The container's init: in the container, its parent outside it. Lowest PID if several.
    let main = members
        .iter()
        .copied()
        .filter(|pid| {
            parents
                .get(pid)
                .copied()
                .flatten()
                .is_none_or(|pp| !members.contains(&pp))
        })
        .min()
        .ok_or_else(|| FindError::NotFound(id.to_string()))?;
    Ok(Found {
        pid: main,
        pid_in_container: pid_in_namespace(proc_root, main).unwrap_or(main),
    })
}

/// `/proc`, or what `KUBEDECK_AGENT_PROC` names (tests point it at a fake tree).
pub fn proc_root() -> PathBuf {
    std::env::var_os("KUBEDECK_AGENT_PROC")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/proc"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "3f1c0e2b7a9d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";

    fn id(scheme: &str) -> ContainerId {
        ContainerId::parse(&format!("{scheme}://{HEX}")).unwrap()
    }

    #[test]
    fn every_runtime_layout_in_v1_and_v2() {
        let uid = "pod6b1a3c4e_5f60_4a1b_9c2d_0e1f2a3b4c5d";
        let cases = [
            (
                "containerd",
                format!("0::/kubepods/besteffort/pod6b1a/{HEX}\n"),
            ),
            (
                "containerd",
                format!(
                    "0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-{uid}.slice/cri-containerd-{HEX}.scope\n"
                ),
            ),
            (
                "containerd",
                format!(
                    "12:pids:/kubepods/burstable/pod6b1a/{HEX}\n11:memory:/kubepods/burstable/pod6b1a/{HEX}\n0::/\n"
                ),
            ),
            (
                "containerd",
                format!(
                    "0::/system.slice/containerd.service/kubepods-besteffort-{uid}.slice:cri-containerd:{HEX}\n"
                ),
            ),
            (
                "cri-o",
                format!("0::/kubepods.slice/kubepods-{uid}.slice/crio-{HEX}.scope\n"),
            ),
            ("cri-o", format!("4:memory:/kubepods/pod6b1a/crio-{HEX}\n")),
            ("docker", format!("0::/system.slice/docker-{HEX}.scope\n")),
            ("docker", format!("9:cpu,cpuacct:/docker/{HEX}\n")),
        ];
        for (scheme, text) in cases {
            assert!(cgroup_names(&text, &id(scheme)), "{scheme}: {text}");
        }
    }

    #[test]
    fn an_id_inside_a_longer_name_or_another_runtime_does_not_match() {
        for (scheme, text) in [
            // CRI-O's monitor process is not the container.
            (
                "cri-o",
                format!("0::/kubepods.slice/crio-conmon-{HEX}.scope\n"),
            ),
            ("containerd", format!("0::/kubepods/x-{HEX}\n")),
            ("containerd", format!("0::/kubepods/{HEX}0\n")),
            ("containerd", format!("0::/kubepods/{}\n", &HEX[1..])),
            ("containerd", format!("0::/crio-{HEX}.scope\n")),
            ("docker", format!("0::/cri-containerd-{HEX}.scope\n")),
            ("containerd", format!("{HEX}\n")),
        ] {
            assert!(!cgroup_names(&text, &id(scheme)), "{scheme}: {text}");
        }
    }

    /// A fake /proc: (pid, ppid, cgroup text, NSpid).
    fn fake_proc(procs: &[(u32, u32, String, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (pid, ppid, cgroup, nspid) in procs {
            let p = dir.path().join(pid.to_string());
            std::fs::create_dir_all(&p).unwrap();
            let write = |name: &str, text: String| std::fs::write(p.join(name), text).unwrap();
            write("cgroup", cgroup.clone());
            write("stat", format!("{pid} (sh (x) y) S {ppid} 1 1 0 -1"));
            write("status", format!("Name:\tsh\nNSpid:\t{nspid}\n"));
        }
        std::fs::create_dir_all(dir.path().join("self")).unwrap();
        dir
    }

    #[test]
    fn the_main_process_is_the_one_whose_parent_is_outside() {
        let inside = format!("0::/kubepods/besteffort/pod1/{HEX}\n");
        let outside = "0::/system.slice/containerd.service\n".to_string();
        let proc = fake_proc(&[
            (100, 1, outside.clone(), "100"),
            (4200, 100, inside.clone(), "4200 1"),
            (4300, 4200, inside.clone(), "4300 7"),
            (4400, 4300, inside, "4400 9"),
            (
                5000,
                100,
                format!("0::/kubepods/besteffort/pod1/x-{HEX}\n"),
                "5000 1",
            ),
        ]);
        assert_eq!(
            find(proc.path(), &id("containerd")),
            Ok(Found {
                pid: 4200,
                pid_in_container: 1
            })
        );
        assert!(matches!(find(proc.path(), &id("docker")), Ok(f) if f.pid == 4200));
        assert!(matches!(
            find(proc.path(), &id("cri-o")),
            Err(FindError::NotFound(_))
        ));
        assert!(matches!(
            find(&proc.path().join("missing"), &id("containerd")),
            Err(FindError::Proc(_))
        ));
    }
}
