//! The EndpointSlice controller's part: each Service's slice lists the running pods its
//! selector picks, each `ready` as the pod's Ready condition says, so a Service whose pods
//! crash shows no ready endpoint (as `kubectl get endpointslices` would). A slice is written
//! only when what it lists changed.

use serde_json::{Value, json};

use super::resources::Kind;
use super::store::Store;

/// Worlds larger than this keep their slices as seeded (the per-tick walk would cost the
/// benchmarks' big worlds more than it tells).
pub const MAX_PODS: usize = 5_000;

fn ready(pod: &Value) -> bool {
    pod["status"]["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|c| c["type"] == "Ready" && c["status"] == "True")
}

/// The endpoints `service`'s selector picks among `pods` (its namespace's), by pod name.
fn endpoints(service: &Value, pods: &[std::sync::Arc<Value>]) -> Vec<Value> {
    let Some(sel) = service["spec"]["selector"]
        .as_object()
        .filter(|s| !s.is_empty())
    else {
        return Vec::new();
    };
    let ns = service["metadata"]["namespace"].as_str();
    let mut out: Vec<Value> = pods
        .iter()
        .filter(|p| p["metadata"]["namespace"].as_str() == ns)
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .filter(|p| {
            sel.iter()
                .all(|(k, v)| &p["metadata"]["labels"][k.as_str()] == v)
        })
        .filter_map(|p| {
            let ip = p["status"]["podIP"].as_str()?;
            let r = ready(p);
            Some(json!({"addresses": [ip],
                "conditions": {"ready": r, "serving": r, "terminating": false},
                "nodeName": p["spec"]["nodeName"],
                "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"],
                    "uid": p["metadata"]["uid"]}}))
        })
        .collect();
    out.sort_by(|a, b| {
        a["targetRef"]["name"]
            .as_str()
            .cmp(&b["targetRef"]["name"].as_str())
    });
    out
}

/// Bring every Service's slices up to date with its pods.
pub fn sync(store: &Store) {
    let pods = store.snapshot(Kind::Pod).items;
    if pods.len() > MAX_PODS {
        return;
    }
    let slices = store.snapshot(Kind::EndpointSlice).items;
    for service in store.snapshot(Kind::Service).items {
        let name = service["metadata"]["name"].as_str().unwrap_or_default();
        let ns = service["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default();
        if service["spec"]["selector"]
            .as_object()
            .is_none_or(|s| s.is_empty())
        {
            continue;
        }
        let want = json!(endpoints(&service, &pods));
        for slice in slices.iter().filter(|s| {
            s["metadata"]["namespace"].as_str() == Some(ns)
                && s["metadata"]["labels"]["kubernetes.io/service-name"].as_str() == Some(name)
        }) {
            if slice["endpoints"] != want {
                let key = super::store::key_of(slice);
                store.update(Kind::EndpointSlice, &key, |s| {
                    s["endpoints"] = want.clone();
                    true
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(name: &str, app: &str, ip: &str, ready: bool) -> Value {
        json!({"kind": "Pod", "metadata": {"name": name, "namespace": "demo", "uid": name,
            "labels": {"app": app}},
            "spec": {"nodeName": "worker-01"},
            "status": {"podIP": ip, "conditions": [{"type": "Ready", "status": if ready { "True" } else { "False" }}]}})
    }

    #[test]
    fn a_slice_follows_its_pods_readiness() {
        let store = Store::new(10);
        store.put(Kind::Service, json!({"kind": "Service",
            "metadata": {"name": "web", "namespace": "demo"}, "spec": {"selector": {"app": "web"}}}));
        store.put(
            Kind::EndpointSlice,
            json!({"kind": "EndpointSlice",
            "metadata": {"name": "web-abcde", "namespace": "demo",
                "labels": {"kubernetes.io/service-name": "web"}}, "endpoints": []}),
        );
        store.put(Kind::Pod, pod("web-1", "web", "10.0.0.1", true));
        store.put(Kind::Pod, pod("web-2", "web", "10.0.0.2", false));
        store.put(Kind::Pod, pod("db-1", "db", "10.0.0.3", true));
        sync(&store);
        let key = ("demo".to_string(), "web-abcde".to_string());
        let slice = store.get(Kind::EndpointSlice, &key).expect("slice");
        let got: Vec<(&str, bool)> = slice["endpoints"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                (
                    e["targetRef"]["name"].as_str().unwrap_or_default(),
                    e["conditions"]["ready"].as_bool().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(got, [("web-1", true), ("web-2", false)]);
    }
}
