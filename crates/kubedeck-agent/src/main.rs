//! kubedeck-agent: see the library's documentation and docs/agent.md.

use kubedeck_agent::cli::{self, Command};
use kubedeck_agent::{finder, join, readiness, sessions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubedeck-agent: {e}");
            std::process::exit(2);
        }
    };
    match command {
        Command::Version => println!("kubedeck-agent {}", env!("CARGO_PKG_VERSION")),
        Command::Idle => {
            eprintln!(
                "kubedeck-agent {}: ready for sessions",
                env!("CARGO_PKG_VERSION")
            );
            sessions::follow_log_forever()
        }
        Command::Ready => match readiness::check_self(&finder::proc_root()) {
            Ok(r) => eprintln!(
                "kubedeck-agent: can join: opened the namespaces of PID {} ({})",
                r.pid, r.name
            ),
            Err(e) => {
                eprintln!("kubedeck-agent: not ready: {e}");
                std::process::exit(1);
            }
        },
        Command::Enter {
            shell,
            pid_in_container,
            label,
        } => {
            let err = join::enter(&shell, &pid_in_container, &label);
            eprintln!("kubedeck-agent: cannot run {shell}: {err}");
            std::process::exit(127);
        }
        Command::HostEnter {
            init_pid,
            node,
            shell,
        } => {
            let err = join::host_enter(init_pid, &node, shell.as_deref());
            eprintln!("kubedeck-agent: {err}");
            std::process::exit(127);
        }
        Command::Host {
            node,
            shell,
            requested_by,
        } => match join::host_session(&node, shell.as_deref(), requested_by.as_deref()) {
            Ok(code) => std::process::exit(code),
            Err(e) => {
                sessions::log(
                    "session-refused",
                    &[
                        ("node", sessions::s(&node)),
                        ("reason", sessions::s(&e.to_string())),
                    ],
                );
                eprintln!("kubedeck-agent: {e}");
                std::process::exit(1);
            }
        },
        Command::Join {
            target,
            shell,
            requested_by,
        } => {
            let result = join::choose_shell(shell.as_deref())
                .and_then(|shell| join::session(&target, &shell, requested_by.as_deref()));
            match result {
                Ok(code) => std::process::exit(code),
                Err(e) => {
                    sessions::log(
                        "session-refused",
                        &[
                            ("target", sessions::s(&target.label())),
                            ("reason", sessions::s(&e.to_string())),
                        ],
                    );
                    eprintln!("kubedeck-agent: {e}");
                    std::process::exit(1);
                }
            }
        }
    }
}
