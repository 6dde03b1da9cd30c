//! The namespace-join tests need root (namespaces, cgroups, mounts). Built as root (CI is),
//! the cfg `as_root` un-ignores them; otherwise they show as ignored with the reason.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(as_root)");
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let root = status
        .lines()
        .find(|l| l.starts_with("Uid:"))
        .and_then(|l| l.split_whitespace().nth(2))
        == Some("0");
    if root {
        println!("cargo::rustc-cfg=as_root");
    }
}
