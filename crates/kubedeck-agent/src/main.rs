//! kubedeck-agent: the node agent for debug sessions. For now it only reports its version.

fn main() {
    let arg = std::env::args().nth(1);
    match arg.as_deref() {
        None | Some("--version" | "-V" | "version") => {
            println!("kubedeck-agent {}", env!("CARGO_PKG_VERSION"))
        }
        Some(other) => {
            eprintln!(
                "kubedeck-agent: unknown argument {other:?}; only --version is supported so far"
            );
            std::process::exit(2);
        }
    }
}
