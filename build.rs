//! The real-cluster tests run when their cluster is named: `KUBEDECK_E2E_KUBECONFIG` (and, for
//! the opt-in session tests, `KUBEDECK_E2E_EXEC_POD` / `KUBEDECK_E2E_DEBUG_POD`) set at build
//! time turns on a cfg that un-ignores them, so a plain `cargo test` runs them then, and
//! without them they show as ignored with the reason, never as passed.

fn main() {
    // The agent's end-to-end test needs root (its fake containers use namespaces and cgroups).
    println!("cargo::rustc-check-cfg=cfg(as_root)");
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2));
    if uid == Some("0") {
        println!("cargo::rustc-cfg=as_root");
    }
    for (var, cfg) in [
        ("KUBEDECK_E2E_KUBECONFIG", "real_cluster"),
        ("KUBEDECK_E2E_EXEC_POD", "real_cluster_exec"),
        ("KUBEDECK_E2E_DEBUG_POD", "real_cluster_debug"),
        ("KUBEDECK_E2E_AGENT_POD", "real_cluster_agent"),
    ] {
        println!("cargo::rerun-if-env-changed={var}");
        println!("cargo::rustc-check-cfg=cfg({cfg})");
        if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
            println!("cargo::rustc-cfg={cfg}");
        }
    }
}
