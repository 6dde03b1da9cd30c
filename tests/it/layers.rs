//! The layers point one way (docs/architecture.md): three crates (the product, the simulator,
//! the agent) that never reach into each other except through the agent's contract and the
//! `demo` glue; inside the product views -> app -> kube / pty / logline, config a leaf, data
//! modules of the app never reaching into behaviour, and no module circle. Read from the
//! sources, so a stray `use` fails here rather than in a review. A folder this reads that is
//! missing fails the test: a rename must not turn the rules off.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`; panics when there is none (a renamed folder would otherwise
/// make every rule below pass by checking nothing).
fn sources(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{} cannot be read: {e}", dir.display()));
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out);
    assert!(!out.is_empty(), "no Rust file under {}", dir.display());
    out.sort();
    out
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn src() -> PathBuf {
    root().join("src")
}

/// The code of a file, without comments and without its `#[cfg(test)] mod tests` (tests may
/// build what they like; a file of tests, `tests.rs`, `*_tests.rs` or `fixture.rs`, has none).
fn code(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if name == "tests.rs" || name.ends_with("_tests.rs") || name == "fixture.rs" {
        return String::new();
    }
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()));
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Files under `dir` (a folder or one file) that mention any of `forbidden`, but for `except`.
fn offenders_in(dir: &Path, forbidden: &[&str], except: &[&str]) -> Vec<String> {
    let files = if dir.is_file() {
        vec![dir.to_path_buf()]
    } else {
        sources(dir)
    };
    let mut bad = Vec::new();
    for f in files {
        let rel = f.strip_prefix(root()).unwrap_or(&f).display().to_string();
        if except.contains(&rel.as_str()) {
            continue;
        }
        let text = code(&f);
        for word in forbidden {
            if text.contains(word) {
                bad.push(format!("{rel} uses {word}"));
            }
        }
    }
    bad
}

/// Files under `src/<layer>` that mention any of `forbidden`.
fn offenders(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let path = src().join(layer);
    assert!(path.exists(), "{} is missing", path.display());
    offenders_in(&path, forbidden, &[])
}

#[test]
fn the_crates_never_import_each_other() {
    let mut bad = Vec::new();
    // The product reaches the simulator only in its demo glue (the `demo` feature).
    bad.extend(offenders_in(&src(), &["kubedeck_sim"], &["src/demo.rs"]));
    // The simulator checks the product: it never borrows its code.
    bad.extend(offenders_in(
        &root().join("crates/kubedeck-sim/src"),
        &["kubedeck::", "use kubedeck;"],
        &[],
    ));
    // The agent links nothing of either.
    bad.extend(offenders_in(
        &root().join("crates/kubedeck-agent/src"),
        &["kubedeck::", "kubedeck_sim"],
        &[],
    ));
    assert!(bad.is_empty(), "imports across crates:\n{}", bad.join("\n"));
    let manifest = |path: &str| {
        std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let sim = manifest("crates/kubedeck-sim/Cargo.toml");
    assert!(
        !sim.contains("kubedeck = "),
        "the simulator depends on kubedeck"
    );
    let product = manifest("Cargo.toml");
    let sim_dep = product
        .lines()
        .find(|l| l.starts_with("kubedeck-sim") && !l.contains("dev"))
        .unwrap_or_default();
    assert!(
        sim_dep.contains("optional = true"),
        "the product links the simulator only through the demo feature: {sim_dep}"
    );
}

#[test]
fn lower_layers_never_import_upper_ones() {
    let mut bad = Vec::new();
    bad.extend(offenders(
        "kube",
        &["crate::app", "crate::views", "crate::runtime"],
    ));
    bad.extend(offenders(
        "pty",
        &[
            "crate::kube",
            "crate::app",
            "crate::views",
            "crate::runtime",
            "kube::",
        ],
    ));
    bad.extend(offenders(
        "logline",
        &[
            "crate::kube",
            "crate::app",
            "crate::views",
            "crate::runtime",
            "crate::pty",
        ],
    ));
    bad.extend(offenders("app", &["crate::views", "crate::runtime"]));
    bad.extend(offenders("views", &["crate::runtime"]));
    // config is a leaf: TOML in, plain values out; the app reads it at one boundary
    // (app::settings), nowhere else.
    bad.extend(offenders("config.rs", &["crate::"]));
    // k9s's files are read as plain values too (app::extensions turns them into the app's).
    bad.extend(offenders("k9s_files", &["crate::"]));
    // The journal keeps the timeline's records: below the app, beside the cluster code.
    bad.extend(offenders(
        "journal.rs",
        &["crate::app", "crate::views", "crate::runtime", "crate::pty"],
    ));
    bad.extend(
        offenders("app", &["crate::config"])
            .into_iter()
            .filter(|b| !b.starts_with("src/app/settings.rs")),
    );
    assert!(
        bad.is_empty(),
        "imports against the layers:\n{}",
        bad.join("\n")
    );
}

/// The module a file is within its tree (`update`, `sessions::update`, `logs::pane`; the
/// tree's own `mod.rs` or `lib.rs` is the root, "").
fn module_of(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path).with_extension("");
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .filter(|p| p != "mod")
        .collect();
    if parts == ["lib"] {
        return String::new();
    }
    parts.join("::")
}

/// The modules of its tree a file refers to (`super::x`, `crate::app::x::y`), resolved to
/// module names. `prefix` is how the tree's root is named from anywhere (`crate::app::`).
fn refs(root: &Path, prefix: &str, path: &Path, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let me = module_of(root, path);
    let text = code(path);
    let mut found_refs = BTreeSet::new();
    let mut look = |from: &str, base: Vec<String>| {
        for (i, _) in text.match_indices(from) {
            // `super::` inside a longer path (`crate::app::super::`) is not this one.
            if from == "super::" && text[..i].ends_with("::") {
                continue;
            }
            let rest = &text[i + from.len()..];
            let path: Vec<&str> = rest
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or("")
                .split("::")
                .filter(|s| !s.is_empty())
                .collect();
            // The longest prefix of the path that is a module.
            let mut full = base.clone();
            let mut found = None;
            for seg in path {
                full.push(seg.to_string());
                let name = full.join("::");
                if modules.contains(&name) {
                    found = Some(name);
                }
            }
            if let Some(m) = found.filter(|m| *m != me) {
                found_refs.insert(m);
            }
        }
    };
    look(prefix, Vec::new());
    // `super::` from `a::b` (a file `a/b.rs`) is `a`; from `a` (`a.rs`, `a/mod.rs`) the root.
    let parent: Vec<String> = me.split("::").map(str::to_string).collect();
    look("super::", parent[..parent.len().saturating_sub(1)].to_vec());
    found_refs
}

/// Every module of the tree under `root` and the modules it refers to.
fn graph(root: &Path, prefix: &str) -> BTreeMap<String, BTreeSet<String>> {
    let files = sources(root);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(root, f)).collect();
    files
        .iter()
        .map(|f| (module_of(root, f), refs(root, prefix, f, &modules)))
        .collect()
}

fn app_graph() -> BTreeMap<String, BTreeSet<String>> {
    graph(&src().join("app"), "crate::app::")
}

/// Plain data: what `App` is made of and what `update` returns. They must not depend on
/// behaviour, or data and behaviour start to circle.
const DATA: &[&str] = &[
    "state",
    "action",
    "msg",
    "picker",
    "table",
    "columns",
    "detail",
    "drain_preview",
    "filter",
    "keymap",
    "layout",
    "contexts",
    "triage",
    "sessions",
    "logs::buffer",
    "logs::pane",
    "logs::pattern",
    "resource",
    "forwards",
    "settings",
    "notice",
    "errors",
    "fleet",
    "panes",
    "prompt",
    "catalog",
    "view_args",
    "view",
    "extensions",
    "extensions::job",
    "containers",
    "access_data",
    "workload_state",
    "helm_state",
    "helm_rows",
    "xray_state",
    "xray_rows",
    "timeline_state",
    "timeline_rows",
    "travel_rows",
    "travel_state",
    "access_rows",
];

#[test]
fn app_data_modules_do_not_depend_on_behaviour() {
    let graph = app_graph();
    let mut bad = Vec::new();
    for m in DATA {
        let Some(refs) = graph.get(*m) else {
            bad.push(format!("{m}: no such module"));
            continue;
        };
        for r in refs {
            let allowed = DATA.contains(&r.as_str()) || r == "fixture";
            if !allowed {
                bad.push(format!("{m} uses {r}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "data modules reaching behaviour:\n{}",
        bad.join("\n")
    );
}

/// A circle among the modules of `graph`, if there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == m) {
            let mut circle = path[i..].to_vec();
            circle.push(m.to_string());
            return Some(circle);
        }
        if done.contains(m) {
            return None;
        }
        path.push(m.to_string());
        for r in graph.get(m).into_iter().flatten() {
            // A parent module declaring its children (`pub mod update;`) is not a use.
            if m.is_empty() || r.starts_with(&format!("{m}::")) {
                continue;
            }
            if let Some(c) = visit(r, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(m.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|m| visit(m, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_tree_has_an_import_circle() {
    let trees = [
        (src().join("app"), "crate::app::"),
        (src().join("kube"), "crate::kube::"),
        (src().join("pty"), "crate::pty::"),
        (src().join("views"), "crate::views::"),
        (src().join("runtime"), "crate::runtime::"),
        (src().join("logline"), "crate::logline::"),
        (root().join("crates/kubedeck-sim/src"), "crate::"),
        (root().join("crates/kubedeck-agent/src"), "crate::"),
    ];
    for (dir, prefix) in trees {
        if let Some(c) = circle(&graph(&dir, prefix)) {
            panic!(
                "an import circle among the modules of {}: {}",
                dir.display(),
                c.join(" -> ")
            );
        }
    }
}

#[test]
fn the_circle_check_finds_a_circle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(m, rs)| (m.to_string(), rs.into_iter().map(String::from).collect()))
    .collect();
    assert!(
        circle(&graph).is_some_and(|c| c.len() == 4),
        "{:?}",
        circle(&graph)
    );
    let mut open = graph.clone();
    open.insert("c".into(), BTreeSet::new());
    assert_eq!(circle(&open), None);
}

#[test]
fn the_agent_crate_links_nothing_of_the_tui() {
    let manifest = root().join("crates/kubedeck-agent/Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    for dep in ["kubedeck =", "ratatui", "axum", "crossterm", "kube ="] {
        assert!(!text.contains(dep), "the agent depends on {dep}");
    }
}
