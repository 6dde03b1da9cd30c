//! The agent's command line, the only input a session gives it: bounded in count and size
//! before anything is parsed, every value checked (see `target`).

use crate::contract::{host, join};
use crate::target::{Target, TargetError, node_name};

/// More arguments, or a longer one, than any real request has: refused unread.
pub const MAX_ARGS: usize = 16;
pub const MAX_ARG_LEN: usize = 512;

pub const USAGE: &str = "usage:
  kubedeck-agent join --namespace NS --pod POD --container NAME --container-id RUNTIME://ID
                      [--shell PATH] [--requested-by USER]
      a shell in that container's network, PID, IPC and UTS namespaces (run by kubedeck
      through `exec` into the agent pod on the pod's node)
  kubedeck-agent host --node NODE [--shell PATH] [--requested-by USER]
      a shell in the node's own mount, network, PID, IPC and UTS namespaces (PID 1's), run
      by kubedeck through `exec` into the agent pod on that node
  kubedeck-agent idle      the agent pod's main process: copies the session log to stdout
  kubedeck-agent ready     readiness: exits 0 when a join can work (the node's /proc, the
                           capabilities, another process's namespaces); says what is missing
  kubedeck-agent version";

#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Join {
        target: Target,
        shell: Option<String>,
        requested_by: Option<String>,
    },
    Host {
        node: String,
        shell: Option<String>,
        requested_by: Option<String>,
    },
    /// Internal: the child of a host session that enters the node's mount namespace (the
    /// node's init PID, as the agent sees it) and becomes the shell.
    HostEnter {
        init_pid: u32,
        node: String,
        shell: Option<String>,
    },
    /// Internal: the child that becomes the shell (shell, PID in the container, label).
    Enter {
        shell: String,
        pid_in_container: String,
        label: String,
    },
    Idle,
    Ready,
    Version,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CliError {
    #[error("too many arguments (at most {MAX_ARGS})")]
    TooMany,
    #[error("an argument is longer than {MAX_ARG_LEN} bytes")]
    TooLong,
    #[error("unknown argument {0:?}\n{USAGE}")]
    Unknown(String),
    #[error("{0} needs a value\n{USAGE}")]
    Missing(&'static str),
    #[error(transparent)]
    Target(#[from] TargetError),
}

pub fn parse(args: &[String]) -> Result<Command, CliError> {
    if args.len() > MAX_ARGS {
        return Err(CliError::TooMany);
    }
    if args.iter().any(|a| a.len() > MAX_ARG_LEN) {
        return Err(CliError::TooLong);
    }
    let Some((first, rest)) = args.split_first() else {
        return Ok(Command::Version);
    };
    match first.as_str() {
        "version" | "--version" | "-V" => Ok(Command::Version),
        "idle" => Ok(Command::Idle),
        "ready" => Ok(Command::Ready),
        "__enter" => match rest {
            [shell, pid, label] => Ok(Command::Enter {
                shell: shell.clone(),
                pid_in_container: pid.clone(),
                label: label.clone(),
            }),
            _ => Err(CliError::Unknown(first.clone())),
        },
        "__host-enter" => match rest {
            [pid, node, shell @ ..] if shell.len() <= 1 => Ok(Command::HostEnter {
                init_pid: pid.parse().map_err(|_| CliError::Unknown(first.clone()))?,
                node: node_name(node)?,
                shell: shell.first().cloned(),
            }),
            _ => Err(CliError::Unknown(first.clone())),
        },
        host::COMMAND => {
            let flags = flags_of(rest, &host::FLAGS)?;
            let get = |name: &'static str| flags.get(name).cloned();
            Ok(Command::Host {
                node: node_name(&get(host::NODE).ok_or(CliError::Missing(host::NODE))?)?,
                shell: get(host::SHELL),
                requested_by: get(host::REQUESTED_BY),
            })
        }
        join::COMMAND => {
            let mut flags: Vec<(&str, Option<String>)> =
                join::FLAGS.into_iter().map(|f| (f, None)).collect();
            let mut it = rest.iter();
            while let Some(flag) = it.next() {
                let slot = flags
                    .iter_mut()
                    .find(|(f, _)| *f == flag.as_str())
                    .ok_or_else(|| CliError::Unknown(flag.chars().take(100).collect()))?;
                slot.1 = Some(it.next().cloned().ok_or(CliError::Missing(slot.0))?);
            }
            let get = |name: &'static str| {
                flags
                    .iter()
                    .find(|(f, _)| *f == name)
                    .and_then(|(_, v)| v.clone())
            };
            let need = |name: &'static str| get(name).ok_or(CliError::Missing(name));
            Ok(Command::Join {
                target: Target::new(
                    &need(join::NAMESPACE)?,
                    &need(join::POD)?,
                    &need(join::CONTAINER)?,
                    &need(join::CONTAINER_ID)?,
                )?,
                shell: get(join::SHELL),
                requested_by: get(join::REQUESTED_BY),
            })
        }
        other => Err(CliError::Unknown(other.chars().take(100).collect())),
    }
}

/// `--flag value` pairs, each flag one of `known`.
fn flags_of(
    rest: &[String],
    known: &[&'static str],
) -> Result<std::collections::HashMap<&'static str, String>, CliError> {
    let mut flags = std::collections::HashMap::new();
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        let name = known
            .iter()
            .find(|f| **f == flag.as_str())
            .ok_or_else(|| CliError::Unknown(flag.chars().take(100).collect()))?;
        flags.insert(*name, it.next().cloned().ok_or(CliError::Missing(name))?);
    }
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    const ID: &str =
        "containerd://3f1c0e2b7a9d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";

    /// `join` of demo/web-1:app, with `id` as its container ID when given.
    fn join(id: Option<&str>) -> Vec<String> {
        let mut a = args(&[
            "join",
            "--namespace",
            "demo",
            "--pod",
            "web-1",
            "--container",
            "app",
        ]);
        if let Some(id) = id {
            a.extend(args(&["--container-id", id]));
        }
        a
    }

    #[test]
    fn a_host_request_and_its_refusals() {
        let ok = parse(&args(&[
            "host",
            "--node",
            "node-1",
            "--requested-by",
            "alice",
        ]));
        assert_eq!(
            ok,
            Ok(Command::Host {
                node: "node-1".into(),
                shell: None,
                requested_by: Some("alice".into())
            })
        );
        assert_eq!(parse(&args(&["host"])), Err(CliError::Missing("--node")));
        assert!(matches!(
            parse(&args(&["host", "--node", "../etc"])),
            Err(CliError::Target(_))
        ));
        assert!(matches!(
            parse(&args(&["host", "--node", "n", "--pid", "1"])),
            Err(CliError::Unknown(_))
        ));
        // What kubedeck sends is what the agent takes.
        let sent = crate::contract::host_argv("node-1", Some("alice"));
        assert!(matches!(parse(&sent[1..]), Ok(Command::Host { .. })));
    }

    #[test]
    fn a_join_request_and_its_refusals() {
        let ok = parse(&join(Some(ID)));
        assert!(matches!(ok, Ok(Command::Join { ref target, .. }) if target.pod == "web-1"));
        assert_eq!(parse(&join(None)), Err(CliError::Missing("--container-id")));
        assert!(matches!(
            parse(&args(&["join", "--pid", "1"])),
            Err(CliError::Unknown(_))
        ));
        assert!(matches!(
            parse(&join(Some("containerd://../../../proc/1"))),
            Err(CliError::Target(_))
        ));
        let long = "a".repeat(MAX_ARG_LEN + 1);
        assert_eq!(
            parse(&args(&["join", "--pod", &long])),
            Err(CliError::TooLong)
        );
        let many: Vec<String> = (0..=MAX_ARGS).map(|_| "x".to_string()).collect();
        assert_eq!(parse(&many), Err(CliError::TooMany));
    }
}
