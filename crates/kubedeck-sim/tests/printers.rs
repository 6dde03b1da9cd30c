//! The simulator's server-side Tables against a real Kubernetes 1.36 apiserver's: the objects
//! of `tests/fixtures/real-cluster/kinds` (what `kubectl get -o json` returned) printed by the
//! simulator must give the cells the real server gave for them (`KIND.table.json`, captured in
//! the same second), column definitions included. Ages are compared as durations within two
//! seconds (the two captures are a fraction of a second apart).
// Helpers outside the test functions unwrap too: a panic is the failure, with its line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use kubedeck_sim::resources::{SERVED, View};
use kubedeck_sim::table;
use serde_json::{Value, json};

const KINDS: &[&str] = &[
    "deployments",
    "replicasets",
    "statefulsets",
    "daemonsets",
    "jobs",
    "cronjobs",
    "pods",
    "services",
    "endpointslices",
    "endpoints",
    "ingresses",
    "configmaps",
    "secrets",
    "persistentvolumeclaims",
    "persistentvolumes",
    "horizontalpodautoscalers",
    "poddisruptionbudgets",
    "serviceaccounts",
    "roles",
    "rolebindings",
    "clusterroles",
    "customresourcedefinitions",
    "widgets",
    "events",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/real-cluster/kinds")
}

fn json_file(name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The objects of a captured list.
fn items(name: &str) -> Vec<Arc<Value>> {
    json_file(name)["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(Arc::new)
        .collect()
}

/// When each kind's capture started (`capture-times.txt`): the server's "now" for its ages.
fn capture_times() -> HashMap<String, Timestamp> {
    std::fs::read_to_string(dir().join("capture-times.txt"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
        })
        .collect()
}

/// `5m12s`, `2d3h`, `70s` as seconds (None for anything that is not a duration).
fn duration(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    let (mut total, mut number) = (0i64, String::new());
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: i64 = number.parse().ok()?;
        number.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'y' => 365 * 86400,
            _ => return None,
        };
    }
    number.is_empty().then_some(total)
}

fn same_cell(ours: &Value, theirs: &Value) -> bool {
    if ours == theirs {
        return true;
    }
    match (
        ours.as_str().and_then(duration),
        theirs.as_str().and_then(duration),
    ) {
        (Some(a), Some(b)) => (a - b).abs() <= 2,
        _ => false,
    }
}

#[test]
fn every_kind_prints_as_the_real_apiserver_does() {
    let times = capture_times();
    let crd = json_file("customresourcedefinitions.json")["items"]
        .as_array()
        .and_then(|items| items.first().cloned())
        .unwrap_or_default();
    let mut failures = Vec::new();
    let mut compared = 0;
    for kind in KINDS {
        let served = SERVED
            .iter()
            .find(|s| s.plural == *kind && s.view == View::Stored && s.group != "events.k8s.io")
            .unwrap_or_else(|| panic!("{kind} is not served"));
        let objects = items(&format!("{kind}.json"));
        let real = json_file(&format!("{kind}.table.json"));
        let now = times[*kind];
        let crd = (*kind == "widgets").then_some(&crd);
        let ours = table::table(
            served,
            crd,
            &objects,
            json!({}),
            now,
            table::Include::Metadata,
        );
        assert_eq!(
            ours["columnDefinitions"], real["columnDefinitions"],
            "{kind}: column definitions"
        );
        let by_name: HashMap<String, &Value> = ours["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| Some((r["object"]["metadata"]["name"].as_str()?.to_string(), r)))
            .collect();
        for row in real["rows"].as_array().into_iter().flatten() {
            let name = row["object"]["metadata"]["name"]
                .as_str()
                .unwrap_or_default();
            // CronJob Jobs come and go between the two captures.
            let Some(our_row) = by_name.get(name) else {
                assert!(
                    name.starts_with("report-"),
                    "{kind}/{name} is in the Table but not in the objects"
                );
                continue;
            };
            compared += 1;
            let (o, t) = (
                our_row["cells"].as_array().cloned().unwrap_or_default(),
                row["cells"].as_array().cloned().unwrap_or_default(),
            );
            if o.len() != t.len() || !o.iter().zip(&t).all(|(a, b)| same_cell(a, b)) {
                failures.push(format!("{kind}/{name}:\n  ours: {o:?}\n  real: {t:?}"));
            }
        }
    }
    assert!(compared > 200, "only {compared} rows compared");
    assert!(
        failures.is_empty(),
        "{} rows differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn durations_are_read_as_kubectl_writes_them() {
    assert_eq!(duration("5m12s"), Some(312));
    assert_eq!(duration("2d3h"), Some(2 * 86400 + 3 * 3600));
    assert_eq!(duration("Running"), None);
    assert_eq!(duration("3"), None);
    assert!(!same_cell(&json!("5m12s"), &json!("5m20s")));
    assert!(same_cell(&json!("5m12s"), &json!("5m13s")));
}

/// `?includeObject=`: what each row carries of its object, as the real apiserver answered the
/// same list (pods.table.none.json, pods.table.metadata.json, pods.table.object.json).
#[test]
fn rows_carry_their_object_as_include_object_asks_like_the_real_server() {
    let served = SERVED
        .iter()
        .find(|s| s.plural == "pods" && s.view == View::Stored)
        .unwrap();
    let objects = items("pods.json");
    let now = Timestamp::now();
    let shape = |v: &Value| -> Vec<String> {
        let mut keys: Vec<String> = v
            .as_object()
            .map_or(Vec::new(), |o| o.keys().cloned().collect());
        keys.sort();
        keys
    };
    for (include, file) in [
        (table::Include::None, "pods.table.none.json"),
        (table::Include::Metadata, "pods.table.metadata.json"),
        (table::Include::Object, "pods.table.object.json"),
    ] {
        let ours = table::table(served, None, &objects, json!({}), now, include);
        let real = json_file(file);
        let (ours, real) = (&ours["rows"][0]["object"], &real["rows"][0]["object"]);
        assert_eq!(ours.is_null(), real.is_null(), "{file}");
        assert_eq!(shape(ours), shape(real), "{file}");
        assert_eq!(ours["kind"], real["kind"], "{file}");
        assert_eq!(ours["apiVersion"], real["apiVersion"], "{file}");
    }
    assert_eq!(
        table::Include::of(Some("Object")),
        Ok(table::Include::Object)
    );
    assert_eq!(table::Include::of(None), Ok(table::Include::Metadata));
    let refused = table::Include::of(Some("Everything")).unwrap_err();
    assert!(refused.contains("supported values"), "{refused}");
}
