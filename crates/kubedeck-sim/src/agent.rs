//! The node agent in the simulated cluster: `kubedeck agent install` as the simulator shows it
//! (the `kubedeck-system` namespace, the DaemonSet, one ready agent pod per node), and exec into
//! an agent pod running the real `kubedeck-agent` binary (built with kubedeck, found next to
//! it). A `join` first gets a fake container for its target (the agent crate's testbed:
//! real namespaces and a cgroup carrying the pod's container ID), so the agent's own join logic
//! runs for real; that needs root, and without it the agent says it found no such container,
//! as it would on a node without it.

use std::path::PathBuf;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::model::{self, CStatus, PodShape};
use super::resources::Kind;
use super::store::Store;
use kubedeck_agent::contract::{CONTAINER, NAME, NAME_LABEL, NAMESPACE, PROFILE_LABEL};

const IMAGE: &str = "ghcr.io/kubedeck/kubedeck-agent:0.1.0";

/// Whether `pod` is one of the agent's pods.
pub fn is_agent_pod(pod: &Value) -> bool {
    pod["metadata"]["namespace"] == NAMESPACE && pod["metadata"]["labels"][NAME_LABEL] == NAME
}

/// Put the agent's namespace, DaemonSet and one pod per node into the store.
pub fn install(store: &Store, now: Timestamp, mut next_n: impl FnMut() -> u64) {
    let created = now - jiff::SignedDuration::from_hours(2);
    // As deploy/agent.yaml makes it: privileged, so Pod Security admits the agent's pods.
    let mut namespace = model::namespace(NAMESPACE, created, next_n());
    namespace["metadata"]["labels"][super::pod_security::ENFORCE_LABEL] = "privileged".into();
    store.put(Kind::Namespace, namespace);
    let nodes: Vec<String> = store
        .snapshot(Kind::Node)
        .items
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
        .collect();
    let count = nodes.len();
    let labels = json!({ NAME_LABEL: NAME });
    store.put(
        Kind::DaemonSet,
        json!({
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": labels,
                "uid": super::model::owner_uid(NAMESPACE, "DaemonSet", NAME),
                "creationTimestamp": created.to_string(), "generation": 1},
            "spec": {"selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels},
                    "spec": {"hostPID": true, "containers": [{"name": CONTAINER, "image": IMAGE,
                        "command": ["kubedeck-agent", "idle"]}]}}},
            "status": {"currentNumberScheduled": count, "desiredNumberScheduled": count,
                "numberAvailable": count, "numberMisscheduled": 0, "numberReady": count,
                "observedGeneration": 1, "updatedNumberScheduled": count},
        }),
    );
    for node in nodes {
        let n = next_n();
        let shape = PodShape {
            name: format!("{NAME}-{:05x}", n % 0xfffff),
            namespace: NAMESPACE.to_string(),
            app: NAME.to_string(),
            owner: Some(("DaemonSet".into(), NAME.into())),
            node: Some(node),
            ip: format!("10.250.{}.{}", (n / 250) % 250, 2 + n % 250),
            containers: vec![CONTAINER.to_string()],
            init_containers: Vec::new(),
            image: IMAGE.to_string(),
            created,
            role: "agent".into(),
            log_style: "worker".into(),
            n,
            memory_request_mi: 32,
            cpu_request_m: 10,
        };
        let mut pod = model::pod(&shape, "Running", &[CStatus::running(created)], true, None);
        pod["metadata"]["labels"][NAME_LABEL] = json!(NAME);
        pod["metadata"]["labels"][PROFILE_LABEL] = json!("netshoot");
        pod["spec"]["hostPID"] = json!(true);
        pod["spec"]["containers"][0]["command"] = json!(["kubedeck-agent", "idle"]);
        if let Some(c) = pod["spec"]["containers"][0].as_object_mut() {
            c.remove("ports");
        }
        store.put(Kind::Pod, pod);
    }
}

/// The `kubedeck-agent` binary built alongside this one (cargo puts workspace binaries in one
/// directory; test binaries run from its `deps/`).
pub fn binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    [dir.join(NAME), dir.parent()?.join(NAME)]
        .into_iter()
        .find(|p| p.is_file())
}

/// The target of an agent `join` command line (`kubedeck-agent join …`), read with the agent's
/// own parser (so the simulator takes exactly what the agent would).
pub fn join_target(command: &[String]) -> Option<kubedeck_agent::target::Target> {
    match kubedeck_agent::cli::parse(command.get(1..)?) {
        Ok(kubedeck_agent::cli::Command::Join { target, .. }) => Some(target),
        _ => None,
    }
}

/// The node of an agent `host` command line (`kubedeck-agent host --node N …`), read with the
/// agent's own parser.
pub fn host_node(command: &[String]) -> Option<String> {
    match kubedeck_agent::cli::parse(command.get(1..)?) {
        Ok(kubedeck_agent::cli::Command::Host { node, .. }) => Some(node),
        _ => None,
    }
}

/// The fake container ID a simulated node's init carries (a hash of its name).
pub fn node_init_hex(node: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    ("kubedeck-sim-node", node).hash(&mut h);
    let seed = format!("{:016x}", h.finish());
    seed.chars().cycle().take(64).collect()
}

/// A fake node for a host session: its name as hostname, `address` on its interface, and a
/// mount namespace of its own. Returns it with its init's PID.
pub fn fake_node(
    scratch: &std::path::Path,
    node: &str,
    address: &str,
) -> Option<(kubedeck_agent::testbed::FakeContainer, u32)> {
    let hex = node_init_hex(node);
    let host: String = node
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(63)
        .collect();
    let dir = scratch.join(format!("agent-node-{}", &hex[..16]));
    let container = kubedeck_agent::testbed::FakeContainer::start(&kubedeck_agent::testbed::Spec {
        hex: &hex,
        hostname: &host,
        address,
        private_dir: &dir,
    })
    .ok()?;
    let id = kubedeck_agent::target::ContainerId::parse(&format!("containerd://{hex}")).ok()?;
    let found = kubedeck_agent::finder::find(&kubedeck_agent::finder::proc_root(), &id).ok()?;
    Some((container, found.pid))
}

/// A fake container for a join's target (its pod's name as hostname, `address` on its veth).
pub fn fake_container(
    scratch: &std::path::Path,
    target: &kubedeck_agent::target::Target,
    address: &str,
) -> Option<kubedeck_agent::testbed::FakeContainer> {
    let hex = &target.id.hex;
    // The testbed takes a plain hostname (a pod name may also hold dots).
    let host: String = target
        .pod
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(63)
        .collect();
    let dir = scratch.join(format!("agent-target-{}", &hex[..16]));
    kubedeck_agent::testbed::FakeContainer::start(&kubedeck_agent::testbed::Spec {
        hex,
        hostname: &host,
        address,
        private_dir: &dir,
    })
    .ok()
}
