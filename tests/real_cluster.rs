//! The end-to-end tests against a real cluster, run only when KUBEDECK_E2E_KUBECONFIG names a
//! kubeconfig. They only read (list/watch pods); nothing on the cluster is changed.

mod common;

use std::path::PathBuf;

use common::term::Term;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

fn kubeconfig() -> Option<PathBuf> {
    match std::env::var_os("KUBEDECK_E2E_KUBECONFIG").filter(|v| !v.is_empty()) {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            eprintln!(
                "SKIP: set KUBEDECK_E2E_KUBECONFIG to a kubeconfig to run the real-cluster tests"
            );
            None
        }
    }
}

async fn first_pods(path: &PathBuf) -> Vec<(String, String)> {
    let kc = kube::config::Kubeconfig::read_from(path).unwrap_or_else(|e| panic!("{e}"));
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let client = kube::Client::try_from(cfg).unwrap_or_else(|e| panic!("{e}"));
    let pods: Api<Pod> = Api::all(client);
    let list = pods
        .list(&ListParams::default())
        .await
        .unwrap_or_else(|e| panic!("list pods: {e}"));
    let mut keys: Vec<_> = list
        .items
        .iter()
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn real_cluster_pods_view_shows_and_filters() {
    let Some(path) = kubeconfig() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap_or_else(|e| panic!("{e}"));
    let keys = rt.block_on(first_pods(&path));
    assert!(!keys.is_empty(), "the real cluster has no pods to show");
    let mut t = Term::with_kubeconfig(&path, &["-A", "--readonly"], 200, 60);
    t.wait_for(&keys[0].1);
    t.send("/");
    t.send(&keys[0].1);
    t.send("\r");
    let title = format!(" /{} ", keys[0].1);
    t.wait_until("the filtered pod", |s| {
        s.contains(&keys[0].1) && s.contains(&title)
    });
    t.send(":q\r");
    assert_eq!(t.wait_exit(), 0);
}

#[test]
fn real_cluster_renders_at_80x24() {
    let Some(path) = kubeconfig() else { return };
    let mut t = Term::with_kubeconfig(&path, &["-A", "--readonly"], 80, 24);
    t.wait_until("the pods view with its status bar", |s| {
        s.contains("pods(all)") && s.contains("pods ") && s.contains("nodes")
    });
    t.send("\x03");
    assert_eq!(t.wait_exit(), 0);
}
