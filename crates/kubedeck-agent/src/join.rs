//! Joining a container: the agent (in its own process, single-threaded) opens the target
//! process's network, PID, IPC and UTS namespaces, checks again that the process is still the
//! container's (a PID reused in between is refused), enters them, and starts itself as
//! `__enter`: that child is born in the target's PID namespace, takes a private copy of the
//! agent's mount namespace, mounts a fresh /proc there (so `ps` lists the container's processes
//! and `/proc/<pid>/root` is the container's filesystem), and becomes the shell. The mount
//! namespace stays the agent's image, so its tools are at hand; the container's files are under
//! `/proc/<pid>/root`, and the shell's first line says so.

use std::fs::File;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use nix::mount::{MsFlags, mount};
use nix::sched::{CloneFlags, setns, unshare};

use crate::finder::{self, FindError};
use crate::sessions::{self, SessionError};
use crate::target::Target;

/// The namespaces joined, in the order they are entered (PID last: it applies to children).
const NAMESPACES: &[(&str, CloneFlags)] = &[
    ("ipc", CloneFlags::CLONE_NEWIPC),
    ("uts", CloneFlags::CLONE_NEWUTS),
    ("net", CloneFlags::CLONE_NEWNET),
    ("pid", CloneFlags::CLONE_NEWPID),
];

#[derive(Debug, thiserror::Error)]
pub enum JoinError {
    #[error(transparent)]
    Find(#[from] FindError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(
        "cannot open the {0} namespace of PID {1}: {2} (the agent needs hostPID and privileges)"
    )]
    Open(&'static str, u32, std::io::Error),
    #[error("PID {0} left container {1} while joining it; retry")]
    Changed(u32, String),
    #[error("cannot enter the {0} namespace: {1} (the agent needs CAP_SYS_ADMIN)")]
    Enter(&'static str, nix::Error),
    #[error("cannot start the shell: {0}")]
    Spawn(std::io::Error),
    #[error("shell {0:?} refused: give an absolute path listed in /etc/shells")]
    Shell(String),
}

/// A host session's namespaces before it starts its child (the mount namespace is entered by
/// the child: the agent's own binary must still be at hand to start it).
const HOST_NAMESPACES: &[(&str, CloneFlags)] = &[
    ("ipc", CloneFlags::CLONE_NEWIPC),
    ("uts", CloneFlags::CLONE_NEWUTS),
    ("net", CloneFlags::CLONE_NEWNET),
    ("pid", CloneFlags::CLONE_NEWPID),
];

/// The node's init, whose namespaces a host session joins: PID 1 as the agent sees it (it runs
/// with hostPID). `KUBEDECK_AGENT_HOST_PID` names another process, for the agent's tests and
/// the simulated cluster, where a fake node stands in (it is set in the agent pod's spec, not
/// by a session: an exec gives only arguments).
pub fn node_init() -> u32 {
    std::env::var("KUBEDECK_AGENT_HOST_PID")
        .ok()
        .and_then(|p| p.parse().ok())
        .filter(|p| *p > 0)
        .unwrap_or(1)
}

/// Run a shell on `node` itself, in its init's mount, network, PID, IPC and UTS namespaces,
/// and return its exit code. Logged like a join, with the node.
pub fn host_session(
    node: &str,
    shell: Option<&str>,
    requested_by: Option<&str>,
) -> Result<i32, JoinError> {
    let proc_root = finder::proc_root();
    let init = node_init();
    let _slot = sessions::take_slot()?;
    let mut opened: Vec<(&'static str, CloneFlags, File)> = Vec::new();
    for (name, flag) in HOST_NAMESPACES
        .iter()
        .chain([("mnt", CloneFlags::CLONE_NEWNS)].iter())
    {
        let path = proc_root.join(init.to_string()).join("ns").join(name);
        let file = File::open(&path).map_err(|e| JoinError::Open(name, init, e))?;
        opened.push((name, *flag, file));
    }
    let who = requested_by.unwrap_or("unknown");
    let fields = |extra: Vec<(&'static str, String)>| {
        let mut f = vec![
            ("requested_by", sessions::s(who)),
            ("node", sessions::s(node)),
            ("node_pid", init.to_string()),
            ("session", std::process::id().to_string()),
        ];
        f.extend(extra);
        f
    };
    sessions::log("host-session-start", &fields(Vec::new()));
    let started = Instant::now();
    // The mount namespace is the child's to enter (it was opened here to fail early).
    for (name, flag, file) in opened.iter().filter(|(n, ..)| *n != "mnt") {
        setns(file, *flag).map_err(|e| JoinError::Enter(name, e))?;
    }
    let exe = std::env::current_exe().map_err(JoinError::Spawn)?;
    let mut child = Command::new(exe);
    child.arg("__host-enter").arg(init.to_string()).arg(node);
    if let Some(shell) = shell {
        child.arg(shell);
    }
    let status = child.status().map_err(JoinError::Spawn)?;
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    sessions::log(
        "host-session-end",
        &fields(vec![
            ("seconds", format!("{:.1}", started.elapsed().as_secs_f64())),
            ("exit_code", code.to_string()),
        ]),
    );
    Ok(code)
}

/// The `__host-enter` child: already in the node's PID namespace. Enter its init's mount
/// namespace (root and working directory become the node's), choose a shell from the node's
/// own files, say where it is, and become it. Returns only on failure.
pub fn host_enter(init_pid: u32, node: &str, shell: Option<&str>) -> JoinError {
    let path = finder::proc_root()
        .join(init_pid.to_string())
        .join("ns")
        .join("mnt");
    let entered = File::open(&path)
        .map_err(|e| JoinError::Open("mnt", init_pid, e))
        .and_then(|f| setns(&f, CloneFlags::CLONE_NEWNS).map_err(|e| JoinError::Enter("mnt", e)));
    if let Err(e) = entered {
        return e;
    }
    let shell = match choose_shell(shell) {
        Ok(s) => s,
        Err(e) => return e,
    };
    take_the_terminal();
    eprintln!(
        "kubedeck-agent: on node {node}: its files, network, processes, IPC and hostname (the namespaces of its PID {init_pid}); the node's own tools.\r"
    );
    JoinError::Spawn(
        Command::new(&shell)
            .env("KUBEDECK_NODE", node)
            .current_dir("/")
            .exec(),
    )
}

/// The shell to run: an absolute, plain path that /etc/shells lists (or /bin/sh); by default
/// bash when the image has it.
pub fn choose_shell(requested: Option<&str>) -> Result<String, JoinError> {
    let listed = std::fs::read_to_string("/etc/shells").unwrap_or_default();
    let allowed = |p: &str| p == "/bin/sh" || listed.lines().any(|l| l.trim() == p);
    match requested {
        Some(p) => {
            let plain = p.starts_with('/')
                && p.len() < 256
                && p.split('/').skip(1).all(|c| {
                    !c.is_empty()
                        && c != "."
                        && c != ".."
                        && c.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                });
            if plain && allowed(p) && Path::new(p).exists() {
                Ok(p.to_string())
            } else {
                Err(JoinError::Shell(p.chars().take(100).collect()))
            }
        }
        None => Ok(["/bin/bash", "/bin/sh"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .unwrap_or("/bin/sh")
            .to_string()),
    }
}

/// Run one session against `target` and return the shell's exit code (128+N for signal N).
/// `requested_by` is what kubedeck says about its user: logged for the record, never trusted
/// (the apiserver's audit log of the exec into the agent pod has the authenticated user).
pub fn session(target: &Target, shell: &str, requested_by: Option<&str>) -> Result<i32, JoinError> {
    let proc_root = finder::proc_root();
    let found = finder::find(&proc_root, &target.id)?;
    let _slot = sessions::take_slot()?;
    let mut opened: Vec<(&'static str, CloneFlags, File)> = Vec::new();
    for (name, flag) in NAMESPACES {
        let path = proc_root.join(found.pid.to_string()).join("ns").join(name);
        let file = File::open(&path).map_err(|e| JoinError::Open(name, found.pid, e))?;
        opened.push((name, *flag, file));
    }
    // The namespaces are held open now: if the PID still belongs to the container, they are
    // the container's, whatever happens to the PID later.
    if !finder::still_in(&proc_root, found.pid, &target.id) {
        return Err(JoinError::Changed(found.pid, target.id.to_string()));
    }
    let who = requested_by.unwrap_or("unknown");
    let fields = |extra: Vec<(&'static str, String)>| {
        let mut f = vec![
            ("requested_by", sessions::s(who)),
            ("namespace", sessions::s(&target.namespace)),
            ("pod", sessions::s(&target.pod)),
            ("container", sessions::s(&target.container)),
            ("container_id", sessions::s(&target.id.to_string())),
            ("node_pid", found.pid.to_string()),
            ("session", std::process::id().to_string()),
        ];
        f.extend(extra);
        f
    };
    sessions::log(
        "session-start",
        &fields(vec![("shell", sessions::s(shell))]),
    );
    let started = Instant::now();
    for (name, flag, file) in &opened {
        setns(file, *flag).map_err(|e| JoinError::Enter(name, e))?;
    }
    let exe = std::env::current_exe().map_err(JoinError::Spawn)?;
    let status = Command::new(exe)
        .arg("__enter")
        .arg(shell)
        .arg(found.pid_in_container.to_string())
        .arg(target.label())
        .status()
        .map_err(JoinError::Spawn)?;
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    sessions::log(
        "session-end",
        &fields(vec![
            ("seconds", format!("{:.1}", started.elapsed().as_secs_f64())),
            ("exit_code", code.to_string()),
        ]),
    );
    Ok(code)
}

/// The `__enter` child: already in the target's PID namespace. Mount a /proc of it in a
/// private mount namespace, say where things are, and become the shell.
pub fn enter(shell: &str, pid_in_container: &str, label: &str) -> std::io::Error {
    let root = format!("/proc/{pid_in_container}/root");
    let private = unshare(CloneFlags::CLONE_NEWNS).and_then(|()| {
        mount(
            None::<&str>,
            "/",
            None::<&str>,
            MsFlags::MS_REC | MsFlags::MS_PRIVATE,
            None::<&str>,
        )
    });
    let proc = private.and_then(|()| {
        mount(
            Some("proc"),
            "/proc",
            Some("proc"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            None::<&str>,
        )
    });
    take_the_terminal();
    match proc {
        Ok(()) => eprintln!(
            "kubedeck-agent: in {label}: its network, processes, IPC and hostname; this image's tools.\r\nThe container's files are at {root} (cd {root}).\r"
        ),
        Err(e) => eprintln!(
            "kubedeck-agent: in {label}: its network, IPC and hostname; /proc could not be remounted ({e}), so ps shows the node's processes.\r"
        ),
    }
    Command::new(shell)
        .env("KUBEDECK_TARGET_ROOT", &root)
        .env("KUBEDECK_TARGET", label)
        .exec()
}

/// Lead a process group of our own and make it the terminal's foreground group: the shell's
/// job control then works inside the target's PID namespace (the agent's group is not visible
/// there, so a shell that kept it could not give the terminal back on exit). SIGTTOU is
/// blocked meanwhile, as a background group may only take the terminal so.
fn take_the_terminal() {
    use nix::sys::signal::{SigSet, SigmaskHow, Signal, sigprocmask};
    use nix::unistd::{Pid, getpid, isatty, setpgid, tcsetpgrp};
    let stdin = std::io::stdin();
    if !isatty(&stdin).unwrap_or(false) {
        return;
    }
    let mut ttou = SigSet::empty();
    ttou.add(Signal::SIGTTOU);
    if sigprocmask(SigmaskHow::SIG_BLOCK, Some(&ttou), None).is_err() {
        return;
    }
    if setpgid(Pid::from_raw(0), Pid::from_raw(0)).is_ok() {
        let _ = tcsetpgrp(&stdin, getpid());
    }
    let _ = sigprocmask(SigmaskHow::SIG_UNBLOCK, Some(&ttou), None);
}
