//! kubedeck-agent: see the library's documentation and docs/agent.md.

use kubedeck_agent::cli::{self, Command};
use kubedeck_agent::{finder, join, sessions};

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
        Command::Ready => {
            let proc_root = finder::proc_root();
            let reachable = std::fs::File::open(proc_root.join("1/ns/net")).is_ok();
            if !reachable {
                eprintln!(
                    "kubedeck-agent: cannot open {}/1/ns/net: needs hostPID and privileges",
                    proc_root.display()
                );
                std::process::exit(1);
            }
        }
        Command::Enter {
            shell,
            pid_in_container,
            label,
        } => {
            let err = join::enter(&shell, &pid_in_container, &label);
            eprintln!("kubedeck-agent: cannot run {shell}: {err}");
            std::process::exit(127);
        }
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
