//! What a pod asks of its node: effective CPU and memory requests and limits (the scheduler's
//! rules for init and sidecar containers and pod overhead) and its QoS class.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::lean_pod::{LeanContainer, LeanPod};
use super::quantity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Qos {
    BestEffort,
    Burstable,
    Guaranteed,
}

impl Qos {
    pub fn label(self) -> &'static str {
        match self {
            Qos::Guaranteed => "Guaranteed",
            Qos::Burstable => "Burstable",
            Qos::BestEffort => "BestEffort",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "Guaranteed" => Some(Qos::Guaranteed),
            "Burstable" => Some(Qos::Burstable),
            "BestEffort" => Some(Qos::BestEffort),
            _ => None,
        }
    }
}

/// A pod's effective requests and limits. A limit is `None` when some container has none for
/// that resource: the pod may use the whole node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PodResources {
    pub cpu_request: i64,
    pub cpu_limit: Option<i64>,
    pub memory_request: i64,
    pub memory_limit: Option<i64>,
    /// Ephemeral-storage requests of the app containers (the scheduler's sum).
    pub storage_request: i64,
}

impl PodResources {
    pub fn has_limits(&self) -> bool {
        self.cpu_limit.is_some() && self.memory_limit.is_some()
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Amounts {
    cpu_req: i64,
    cpu_lim: Option<i64>,
    mem_req: i64,
    mem_lim: Option<i64>,
}

fn get(
    map: Option<&BTreeMap<String, Quantity>>,
    key: &str,
    parse: fn(&str) -> Option<i64>,
) -> Option<i64> {
    map.and_then(|m| m.get(key)).and_then(|q| parse(&q.0))
}

/// A container's requests and limits; an unset request defaults to the limit (as the apiserver
/// defaults it).
fn container(c: &LeanContainer) -> Amounts {
    let r = c.resources.as_ref();
    let req = r.and_then(|r| r.requests.as_ref());
    let lim = r.and_then(|r| r.limits.as_ref());
    let cpu_lim = get(lim, "cpu", quantity::millicores);
    let mem_lim = get(lim, "memory", quantity::bytes);
    Amounts {
        cpu_req: get(req, "cpu", quantity::millicores)
            .or(cpu_lim)
            .unwrap_or(0),
        cpu_lim,
        mem_req: get(req, "memory", quantity::bytes).or(mem_lim).unwrap_or(0),
        mem_lim,
    }
}

fn add(a: Amounts, b: Amounts) -> Amounts {
    Amounts {
        cpu_req: a.cpu_req + b.cpu_req,
        cpu_lim: a.cpu_lim.zip(b.cpu_lim).map(|(x, y)| x + y),
        mem_req: a.mem_req + b.mem_req,
        mem_lim: a.mem_lim.zip(b.mem_lim).map(|(x, y)| x + y),
    }
}

fn max(a: Amounts, b: Amounts) -> Amounts {
    let m = |x: Option<i64>, y: Option<i64>| x.zip(y).map(|(x, y)| x.max(y));
    Amounts {
        cpu_req: a.cpu_req.max(b.cpu_req),
        cpu_lim: m(a.cpu_lim, b.cpu_lim),
        mem_req: a.mem_req.max(b.mem_req),
        mem_lim: m(a.mem_lim, b.mem_lim),
    }
}

/// The scheduler's effective request: the app containers plus sidecars (init containers with
/// `restartPolicy: Always`), or the largest ordinary init container together with the sidecars
/// started before it, whichever is larger; plus the pod's overhead.
pub fn pod_resources(pod: &LeanPod) -> PodResources {
    let Some(spec) = &pod.spec else {
        return PodResources::default();
    };
    let zero = Amounts {
        cpu_lim: Some(0),
        mem_lim: Some(0),
        ..Amounts::default()
    };
    let mut sidecars = zero;
    let mut init_peak = zero;
    for c in spec.init_containers.iter().flatten() {
        let a = container(c);
        if c.restart_policy.as_deref() == Some("Always") {
            sidecars = add(sidecars, a);
        } else {
            init_peak = max(init_peak, add(sidecars, a));
        }
    }
    let app = spec.containers.iter().map(container).fold(zero, add);
    let mut total = max(add(app, sidecars), init_peak);
    if let Some(overhead) = &spec.overhead {
        let cpu = overhead
            .get("cpu")
            .and_then(|q| quantity::millicores(&q.0))
            .unwrap_or(0);
        let mem = overhead
            .get("memory")
            .and_then(|q| quantity::bytes(&q.0))
            .unwrap_or(0);
        total = add(
            total,
            Amounts {
                cpu_req: cpu,
                cpu_lim: Some(cpu),
                mem_req: mem,
                mem_lim: Some(mem),
            },
        );
    }
    let storage_request = spec
        .containers
        .iter()
        .filter_map(|c| {
            let r = c.resources.as_ref()?;
            let q = r
                .requests
                .as_ref()
                .and_then(|m| m.get("ephemeral-storage"))
                .or_else(|| r.limits.as_ref().and_then(|m| m.get("ephemeral-storage")))?;
            quantity::bytes(&q.0)
        })
        .sum();
    PodResources {
        cpu_request: total.cpu_req,
        cpu_limit: total.cpu_lim,
        memory_request: total.mem_req,
        memory_limit: total.mem_lim,
        storage_request,
    }
}

/// The pod's QoS class: `status.qosClass` when the apiserver set it, else derived the same way.
pub fn qos(pod: &LeanPod) -> Qos {
    if let Some(q) = pod
        .status
        .as_ref()
        .and_then(|s| s.qos_class.as_deref())
        .and_then(Qos::parse)
    {
        return q;
    }
    let Some(spec) = &pod.spec else {
        return Qos::BestEffort;
    };
    let all: Vec<&LeanContainer> = spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
        .collect();
    let mut any = false;
    let mut guaranteed = true;
    for c in &all {
        let r = c.resources.as_ref();
        let req = r.and_then(|r| r.requests.as_ref());
        let lim = r.and_then(|r| r.limits.as_ref());
        for (key, parse) in [
            ("cpu", quantity::millicores as fn(&str) -> Option<i64>),
            ("memory", quantity::bytes),
        ] {
            let l = get(lim, key, parse);
            let q = get(req, key, parse).or(l);
            any |= l.is_some() || q.is_some();
            if l.is_none() || q != l {
                guaranteed = false;
            }
        }
    }
    match (any, guaranteed) {
        (false, _) => Qos::BestEffort,
        (true, true) => Qos::Guaranteed,
        (true, false) => Qos::Burstable,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(spec: serde_json::Value) -> LeanPod {
        serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": spec})).unwrap()
    }

    fn c(name: &str, req: serde_json::Value, lim: serde_json::Value) -> serde_json::Value {
        json!({"name": name, "resources": {"requests": req, "limits": lim}})
    }

    #[test]
    fn sums_containers_and_defaults_requests_to_limits() {
        let p = pod(json!({"containers": [
            c("a", json!({"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "1Gi"}), json!({"cpu": "200m", "memory": "256Mi"})),
            c("b", json!({}), json!({"cpu": "1", "memory": "1Gi"})),
        ]}));
        let r = pod_resources(&p);
        assert_eq!(r.cpu_request, 1100);
        assert_eq!(r.cpu_limit, Some(1200));
        assert_eq!(r.memory_request, (128 << 20) + (1 << 30));
        assert_eq!(r.memory_limit, Some((256 << 20) + (1 << 30)));
        assert_eq!(r.storage_request, 1 << 30);
        assert!(r.has_limits());
        assert_eq!(qos(&p), Qos::Burstable);
    }

    #[test]
    fn a_container_without_a_limit_leaves_the_pod_unbounded() {
        let p = pod(json!({"containers": [
            c("a", json!({"cpu": "100m"}), json!({"cpu": "100m", "memory": "64Mi"})),
            c("hog", json!({"memory": "64Mi"}), json!({})),
        ]}));
        let r = pod_resources(&p);
        assert_eq!(r.cpu_limit, None);
        assert_eq!(r.memory_limit, None);
        assert!(!r.has_limits());
    }

    #[test]
    fn init_containers_and_sidecars_follow_the_scheduler() {
        let p = pod(json!({
            "initContainers": [
                c("migrate", json!({"cpu": "2", "memory": "1Gi"}), json!({})),
                {"name": "proxy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}},
            ],
            "containers": [c("app", json!({"cpu": "500m", "memory": "256Mi"}), json!({}))],
            "overhead": {"cpu": "10m", "memory": "1Mi"},
        }));
        let r = pod_resources(&p);
        // max(app 500m + proxy 100m, migrate 2000m) + overhead 10m
        assert_eq!(r.cpu_request, 2010);
        // max(256Mi + 64Mi, 1Gi) + 1Mi
        assert_eq!(r.memory_request, (1 << 30) + (1 << 20));
    }

    #[test]
    fn qos_classes() {
        let guaranteed = pod(json!({"containers": [
            c("a", json!({}), json!({"cpu": "1", "memory": "1Gi"})),
            c("b", json!({"cpu": "500m", "memory": "64Mi"}), json!({"cpu": "500m", "memory": "64Mi"})),
        ]}));
        assert_eq!(qos(&guaranteed), Qos::Guaranteed);
        let best = pod(json!({"containers": [{"name": "a"}]}));
        assert_eq!(qos(&best), Qos::BestEffort);
        assert_eq!(
            pod_resources(&best),
            PodResources {
                cpu_limit: None,
                memory_limit: None,
                ..PodResources::default()
            }
        );
        let partial = pod(json!({"containers": [c("a", json!({}), json!({"cpu": "1"}))]}));
        assert_eq!(qos(&partial), Qos::Burstable);
        // The apiserver's answer wins.
        let mut stated = best.clone();
        stated.status = serde_json::from_value(json!({"qosClass": "Guaranteed"})).unwrap();
        assert_eq!(qos(&stated), Qos::Guaranteed);
    }

    #[test]
    fn real_cluster_pods() {
        let list: serde_json::Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/real-cluster/pods-demo.json"
        ))
        .unwrap();
        for item in list["items"].as_array().unwrap() {
            let p: LeanPod = serde_json::from_value(item.clone()).unwrap();
            let stated = item["status"]["qosClass"].as_str().unwrap_or_default();
            let mut bare = p.clone();
            if let Some(s) = bare.status.as_mut() {
                s.qos_class = None;
            }
            assert_eq!(qos(&bare).label(), stated, "{}", item["metadata"]["name"]);
        }
    }
}
