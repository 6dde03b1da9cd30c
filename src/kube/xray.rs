//! `:xray`: what belongs to what. The objects of one namespace (or all) are read with plain
//! LISTs of the kinds a tree needs, reduced to [`XObject`]s (kind, name, owners, labels, a
//! health and a short status), and [`tree`] links them: Deployment → ReplicaSets → Pods →
//! containers; StatefulSet, DaemonSet and Job → Pods; CronJob → Jobs → Pods; Service → the Pods
//! its selector picks and its EndpointSlices; Pod → containers, ConfigMaps, Secrets, PVCs and
//! its ServiceAccount.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;
use kube::api::{Api, ListParams};
use serde::de::DeserializeOwned;

use super::error::ApiError;
use super::pod_row::Health;

/// The kinds a tree holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum XKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    CronJob,
    Job,
    Service,
    EndpointSlice,
    Pod,
    Container,
    ConfigMap,
    Secret,
    PersistentVolumeClaim,
    ServiceAccount,
}

impl XKind {
    /// The kinds `:xray` starts from.
    pub const ROOTS: [XKind; 7] = [
        XKind::Deployment,
        XKind::StatefulSet,
        XKind::DaemonSet,
        XKind::Job,
        XKind::CronJob,
        XKind::Service,
        XKind::Pod,
    ];

    /// `:xray deploy`, `:xray statefulsets`, `:xray svc`…
    pub fn root(word: &str) -> Option<XKind> {
        let w = word.to_ascii_lowercase();
        XKind::ROOTS.into_iter().find(|k| {
            let (plural, short) = k.names();
            w == plural || w == short || w == k.kind().to_ascii_lowercase()
        })
    }

    /// The resource's plural and short name, as kubectl knows them.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            XKind::Deployment => ("deployments", "deploy"),
            XKind::ReplicaSet => ("replicasets", "rs"),
            XKind::StatefulSet => ("statefulsets", "sts"),
            XKind::DaemonSet => ("daemonsets", "ds"),
            XKind::CronJob => ("cronjobs", "cj"),
            XKind::Job => ("jobs", "job"),
            XKind::Service => ("services", "svc"),
            XKind::EndpointSlice => ("endpointslices", "eps"),
            XKind::Pod => ("pods", "po"),
            XKind::Container => ("containers", "container"),
            XKind::ConfigMap => ("configmaps", "cm"),
            XKind::Secret => ("secrets", "secret"),
            XKind::PersistentVolumeClaim => ("persistentvolumeclaims", "pvc"),
            XKind::ServiceAccount => ("serviceaccounts", "sa"),
        }
    }

    pub fn kind(self) -> &'static str {
        match self {
            XKind::Deployment => "Deployment",
            XKind::ReplicaSet => "ReplicaSet",
            XKind::StatefulSet => "StatefulSet",
            XKind::DaemonSet => "DaemonSet",
            XKind::CronJob => "CronJob",
            XKind::Job => "Job",
            XKind::Service => "Service",
            XKind::EndpointSlice => "EndpointSlice",
            XKind::Pod => "Pod",
            XKind::Container => "Container",
            XKind::ConfigMap => "ConfigMap",
            XKind::Secret => "Secret",
            XKind::PersistentVolumeClaim => "PersistentVolumeClaim",
            XKind::ServiceAccount => "ServiceAccount",
        }
    }

    /// The API group and version (a container is not an API object).
    pub fn group_version(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            XKind::Deployment | XKind::ReplicaSet | XKind::StatefulSet | XKind::DaemonSet => {
                ("apps", "v1")
            }
            XKind::CronJob | XKind::Job => ("batch", "v1"),
            XKind::EndpointSlice => ("discovery.k8s.io", "v1"),
            XKind::Container => return None,
            _ => ("", "v1"),
        })
    }

    /// The kinds listed to build a tree from this root (pods always: the leaves).
    fn needs(self) -> &'static [XKind] {
        match self {
            XKind::Deployment => &[XKind::Deployment, XKind::ReplicaSet],
            XKind::CronJob => &[XKind::CronJob, XKind::Job],
            XKind::Service => &[XKind::Service, XKind::EndpointSlice],
            XKind::StatefulSet => &[XKind::StatefulSet],
            XKind::DaemonSet => &[XKind::DaemonSet],
            XKind::Job => &[XKind::Job],
            _ => &[],
        }
    }
}

/// What discovery would say of `kind`'s resource (the xray's kinds are built in, so a row can
/// be described, shown as YAML or deleted before discovery answers).
pub fn api_info(kind: XKind) -> super::discovery::ApiResourceInfo {
    let (group, version) = kind.group_version().unwrap_or(("", "v1"));
    let (plural, short) = kind.names();
    super::discovery::ApiResourceInfo {
        group: group.to_string(),
        version: version.to_string(),
        plural: plural.to_string(),
        singular: kind.kind().to_ascii_lowercase(),
        kind: kind.kind().to_string(),
        namespaced: true,
        verbs: ["get", "list", "watch", "delete"]
            .map(String::from)
            .to_vec(),
        short_names: vec![short.to_string()],
        categories: Vec::new(),
        subresources: Vec::new(),
    }
}

/// One object as a tree shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XObject {
    pub kind: XKind,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// The UIDs of its owners.
    pub owners: Vec<String>,
    pub labels: BTreeMap<String, String>,
    /// A Service's selector (empty: it selects nothing itself).
    pub selector: BTreeMap<String, String>,
    pub health: Health,
    /// READY-like words: `3/3`, `Running`, `Complete`, `2/3 endpoints ready`.
    pub status: String,
    /// More: the image, the revision, the node.
    pub detail: String,
    /// For sorting ReplicaSets (their revision), newest first.
    pub order: i64,
    /// A pod's containers and what it uses (ConfigMaps, Secrets, PVCs, its ServiceAccount).
    pub parts: Vec<XObject>,
}

impl XObject {
    fn new(kind: XKind, meta: &ObjectMeta) -> Self {
        Self {
            kind,
            namespace: meta.namespace.clone().unwrap_or_default(),
            name: meta.name.clone().unwrap_or_default(),
            uid: meta.uid.clone().unwrap_or_default(),
            owners: meta
                .owner_references
                .iter()
                .flatten()
                .map(|o| o.uid.clone())
                .collect(),
            labels: meta.labels.clone().unwrap_or_default(),
            selector: BTreeMap::new(),
            health: Health::Ok,
            status: String::new(),
            detail: String::new(),
            order: 0,
            parts: Vec::new(),
        }
    }

    fn part(kind: XKind, namespace: &str, name: &str, detail: &str) -> Self {
        Self {
            kind,
            namespace: namespace.to_string(),
            name: name.to_string(),
            uid: String::new(),
            owners: Vec::new(),
            labels: BTreeMap::new(),
            selector: BTreeMap::new(),
            health: Health::Done,
            status: String::new(),
            detail: detail.to_string(),
            order: 0,
            parts: Vec::new(),
        }
    }
}

/// `ready` of `want`: all is well, some are missing, or none is there.
fn replicas_health(ready: i32, want: i32) -> Health {
    if ready >= want {
        Health::Ok
    } else if ready == 0 {
        Health::Error
    } else {
        Health::Warning
    }
}

fn first_image(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> String {
    let images: Vec<&str> = spec
        .into_iter()
        .flat_map(|s| s.containers.iter())
        .filter_map(|c| c.image.as_deref())
        .collect();
    images.join(", ")
}

pub fn of_deployment(d: &Deployment) -> XObject {
    let mut x = XObject::new(XKind::Deployment, &d.metadata);
    let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let st = d.status.clone().unwrap_or_default();
    let ready = st.ready_replicas.unwrap_or(0);
    x.health = replicas_health(ready, want);
    if want == 0 {
        x.health = Health::Done;
    }
    x.status = format!(
        "{ready}/{want} ready, {} up to date",
        st.updated_replicas.unwrap_or(0)
    );
    x.detail = first_image(d.spec.as_ref().and_then(|s| s.template.spec.as_ref()));
    x
}

pub fn of_replicaset(r: &ReplicaSet) -> XObject {
    let mut x = XObject::new(XKind::ReplicaSet, &r.metadata);
    let want = r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let ready = r
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    let revision = r
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .cloned()
        .unwrap_or_default();
    x.order = revision.parse().unwrap_or(0);
    x.health = if want == 0 {
        Health::Done
    } else {
        replicas_health(ready, want)
    };
    x.status = format!("{ready}/{want} ready");
    let image = first_image(
        r.spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .and_then(|t| t.spec.as_ref()),
    );
    x.detail = if revision.is_empty() {
        image
    } else {
        format!("revision {revision}: {image}")
    };
    x
}

pub fn of_statefulset(s: &StatefulSet) -> XObject {
    let mut x = XObject::new(XKind::StatefulSet, &s.metadata);
    let want = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let ready = s
        .status
        .as_ref()
        .and_then(|s| s.ready_replicas)
        .unwrap_or(0);
    x.health = if want == 0 {
        Health::Done
    } else {
        replicas_health(ready, want)
    };
    x.status = format!("{ready}/{want} ready");
    x.detail = first_image(s.spec.as_ref().and_then(|s| s.template.spec.as_ref()));
    x
}

pub fn of_daemonset(d: &DaemonSet) -> XObject {
    let mut x = XObject::new(XKind::DaemonSet, &d.metadata);
    let st = d.status.clone().unwrap_or_default();
    x.health = replicas_health(st.number_ready, st.desired_number_scheduled);
    x.status = format!("{}/{} ready", st.number_ready, st.desired_number_scheduled);
    x.detail = first_image(d.spec.as_ref().and_then(|s| s.template.spec.as_ref()));
    x
}

pub fn of_job(j: &Job) -> XObject {
    let mut x = XObject::new(XKind::Job, &j.metadata);
    let st = j.status.clone().unwrap_or_default();
    let condition = |t: &str| {
        st.conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == t && c.status == "True")
    };
    let want = j.spec.as_ref().and_then(|s| s.completions).unwrap_or(1);
    let done = st.succeeded.unwrap_or(0);
    (x.health, x.status) = if condition("Failed") {
        (Health::Error, "Failed".to_string())
    } else if condition("Complete") {
        (Health::Done, "Complete".to_string())
    } else if st.failed.unwrap_or(0) > 0 {
        (
            Health::Warning,
            format!("Running, {} failed", st.failed.unwrap_or(0)),
        )
    } else {
        (Health::Pending, "Running".to_string())
    };
    x.status = format!("{}: {done}/{want}", x.status);
    x
}

pub fn of_cronjob(c: &CronJob) -> XObject {
    let mut x = XObject::new(XKind::CronJob, &c.metadata);
    let spec = c.spec.clone();
    let suspended = spec.suspend.unwrap_or(false);
    x.health = if suspended {
        Health::Warning
    } else {
        Health::Ok
    };
    x.status = if suspended {
        "suspended".into()
    } else {
        "active".into()
    };
    x.detail = spec.schedule;
    x
}

pub fn of_service(s: &Service) -> XObject {
    let mut x = XObject::new(XKind::Service, &s.metadata);
    let spec = s.spec.clone().unwrap_or_default();
    x.selector = spec.selector.unwrap_or_default();
    x.detail = spec
        .ports
        .iter()
        .flatten()
        .map(|p| format!("{}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP")))
        .collect::<Vec<_>>()
        .join(",");
    x.status = spec.type_.unwrap_or_else(|| "ClusterIP".into());
    x
}

pub fn of_endpointslice(e: &EndpointSlice) -> XObject {
    let mut x = XObject::new(XKind::EndpointSlice, &e.metadata);
    let endpoints = e.endpoints.clone().unwrap_or_default();
    let total = endpoints.len();
    let ready = endpoints
        .iter()
        .filter(|p| p.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
        .count();
    x.health = if total == 0 || ready == 0 {
        Health::Error
    } else if ready < total {
        Health::Warning
    } else {
        Health::Ok
    };
    x.status = format!("{ready}/{total} endpoints ready");
    x
}

pub fn of_pod(p: &Pod) -> XObject {
    let mut x = XObject::new(XKind::Pod, &p.metadata);
    let row = super::pod_row::pod_row(p);
    x.health = row.health;
    x.status = format!("{} {}", row.ready, row.status);
    x.detail = row.node.clone();
    let ns = x.namespace.clone();
    let spec = p.spec.clone().unwrap_or_default();
    let statuses = p
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.clone())
        .unwrap_or_default();
    for c in &spec.containers {
        let mut part = XObject::part(
            XKind::Container,
            &ns,
            &c.name,
            c.image.as_deref().unwrap_or(""),
        );
        let st = statuses.iter().find(|s| s.name == c.name);
        let state = st.and_then(|s| s.state.clone()).unwrap_or_default();
        (part.health, part.status) = match (&state.running, &state.waiting, &state.terminated) {
            (Some(_), _, _) if st.is_some_and(|s| s.ready) => (Health::Ok, "running".into()),
            (Some(_), _, _) => (Health::Warning, "running, not ready".into()),
            (_, Some(w), _) => (
                Health::Error,
                w.reason.clone().unwrap_or_else(|| "waiting".into()),
            ),
            (_, _, Some(t)) if t.exit_code == 0 => (Health::Done, "completed".into()),
            (_, _, Some(t)) => (
                Health::Error,
                format!(
                    "{} (exit {})",
                    t.reason.clone().unwrap_or_else(|| "terminated".into()),
                    t.exit_code
                ),
            ),
            _ => (Health::Pending, "not started".into()),
        };
        if let Some(s) = st.filter(|s| s.restart_count > 0) {
            part.status = format!("{}, {} restarts", part.status, s.restart_count);
        }
        x.parts.push(part);
    }
    x.parts.extend(uses(&spec, &ns));
    x
}

/// What a pod spec uses: ConfigMaps and Secrets (volumes, env, envFrom, projected), PVCs, and
/// its ServiceAccount; each once, with how it is used.
fn uses(spec: &k8s_openapi::api::core::v1::PodSpec, ns: &str) -> Vec<XObject> {
    let mut seen: BTreeMap<(XKind, String), Vec<&'static str>> = BTreeMap::new();
    let mut add = |kind: XKind, name: Option<&str>, how: &'static str| {
        if let Some(n) = name.filter(|n| !n.is_empty()) {
            let hows = seen.entry((kind, n.to_string())).or_default();
            if !hows.contains(&how) {
                hows.push(how);
            }
        }
    };
    for v in spec.volumes.iter().flatten() {
        add(
            XKind::ConfigMap,
            v.config_map.as_ref().map(|c| c.name.as_str()),
            "volume",
        );
        add(
            XKind::Secret,
            v.secret.as_ref().and_then(|s| s.secret_name.as_deref()),
            "volume",
        );
        add(
            XKind::PersistentVolumeClaim,
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.as_str()),
            "volume",
        );
        for source in v.projected.iter().flat_map(|p| p.sources.iter().flatten()) {
            add(
                XKind::ConfigMap,
                source.config_map.as_ref().map(|c| c.name.as_str()),
                "volume",
            );
            add(
                XKind::Secret,
                source.secret.as_ref().map(|s| s.name.as_str()),
                "volume",
            );
        }
    }
    let containers = spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter());
    for c in containers {
        for e in c.env.iter().flatten() {
            let from = e.value_from.as_ref();
            add(
                XKind::ConfigMap,
                from.and_then(|f| f.config_map_key_ref.as_ref())
                    .map(|r| r.name.as_str()),
                "env",
            );
            add(
                XKind::Secret,
                from.and_then(|f| f.secret_key_ref.as_ref())
                    .map(|r| r.name.as_str()),
                "env",
            );
        }
        for e in c.env_from.iter().flatten() {
            add(
                XKind::ConfigMap,
                e.config_map_ref.as_ref().map(|r| r.name.as_str()),
                "envFrom",
            );
            add(
                XKind::Secret,
                e.secret_ref.as_ref().map(|r| r.name.as_str()),
                "envFrom",
            );
        }
    }
    for s in spec.image_pull_secrets.iter().flatten() {
        add(XKind::Secret, Some(s.name.as_str()), "imagePullSecret");
    }
    add(
        XKind::ServiceAccount,
        Some(spec.service_account_name.as_deref().unwrap_or("default")),
        "runs as",
    );
    seen.into_iter()
        .map(|((kind, name), hows)| XObject::part(kind, ns, &name, &hows.join(", ")))
        .collect()
}

/// A node of a tree: an object and what belongs to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XNode {
    pub obj: XObject,
    pub children: Vec<XNode>,
}

/// Whether every pair of `selector` is among `labels` (an empty selector picks nothing).
fn selects(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

fn pod_node(p: &XObject) -> XNode {
    XNode {
        obj: XObject {
            parts: Vec::new(),
            ..p.clone()
        },
        children: p
            .parts
            .iter()
            .map(|part| XNode {
                obj: part.clone(),
                children: Vec::new(),
            })
            .collect(),
    }
}

/// The trees of `root`'s objects among `objects`, by namespace and name.
pub fn tree(root: XKind, objects: &[XObject]) -> Vec<XNode> {
    let of = |kind: XKind| objects.iter().filter(move |o| o.kind == kind);
    let owned = |owner: &XObject, kind: XKind| -> Vec<&XObject> {
        let mut v: Vec<&XObject> = of(kind)
            .filter(|o| o.namespace == owner.namespace && o.owners.contains(&owner.uid))
            .collect();
        v.sort_by(|a, b| b.order.cmp(&a.order).then(a.name.cmp(&b.name)));
        v
    };
    let pods_of = |owner: &XObject| -> Vec<XNode> {
        owned(owner, XKind::Pod).into_iter().map(pod_node).collect()
    };
    let node = |obj: &XObject| -> XNode {
        let children = match obj.kind {
            XKind::Deployment => owned(obj, XKind::ReplicaSet)
                .into_iter()
                .map(|rs| XNode {
                    obj: rs.clone(),
                    children: pods_of(rs),
                })
                .collect(),
            XKind::CronJob => owned(obj, XKind::Job)
                .into_iter()
                .map(|job| XNode {
                    obj: job.clone(),
                    children: pods_of(job),
                })
                .collect(),
            XKind::Service => {
                let mut c: Vec<XNode> = of(XKind::Pod)
                    .filter(|p| p.namespace == obj.namespace && selects(&obj.selector, &p.labels))
                    .map(pod_node)
                    .collect();
                c.sort_by(|a, b| a.obj.name.cmp(&b.obj.name));
                c.extend(
                    of(XKind::EndpointSlice)
                        .filter(|e| {
                            e.namespace == obj.namespace
                                && e.labels.get("kubernetes.io/service-name") == Some(&obj.name)
                        })
                        .map(|e| XNode {
                            obj: e.clone(),
                            children: Vec::new(),
                        }),
                );
                c
            }
            XKind::Pod => return pod_node(obj),
            _ => pods_of(obj),
        };
        XNode {
            obj: obj.clone(),
            children,
        }
    };
    let mut roots: Vec<&XObject> = of(root).collect();
    roots.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    let mut trees: Vec<XNode> = roots.into_iter().map(node).collect();
    // A Service with no ready endpoint is in trouble (one without a selector is left as is).
    for t in trees.iter_mut().filter(|t| t.obj.kind == XKind::Service) {
        let slices: Vec<&XNode> = t
            .children
            .iter()
            .filter(|c| c.obj.kind == XKind::EndpointSlice)
            .collect();
        let ready = slices.iter().any(|s| s.obj.health != Health::Error);
        if !t.obj.selector.is_empty() {
            t.obj.health = if ready { Health::Ok } else { Health::Error };
        }
    }
    trees
}

async fn list<K>(client: &Client, namespace: Option<&str>) -> Result<Vec<K>, ApiError>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
    <K as kube::Resource>::DynamicType: Default,
{
    let api: Api<K> = match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    };
    Ok(api.list(&ListParams::default()).await?.items)
}

/// Read what `root`'s trees need in `namespace` (every namespace when `None`).
pub async fn fetch(
    client: Client,
    root: XKind,
    namespace: Option<String>,
) -> Result<Vec<XObject>, ApiError> {
    let ns = namespace.as_deref();
    let mut out = Vec::new();
    for kind in root.needs() {
        match kind {
            XKind::Deployment => out.extend(
                list::<Deployment>(&client, ns)
                    .await?
                    .iter()
                    .map(of_deployment),
            ),
            XKind::ReplicaSet => out.extend(
                list::<ReplicaSet>(&client, ns)
                    .await?
                    .iter()
                    .map(of_replicaset),
            ),
            XKind::StatefulSet => out.extend(
                list::<StatefulSet>(&client, ns)
                    .await?
                    .iter()
                    .map(of_statefulset),
            ),
            XKind::DaemonSet => out.extend(
                list::<DaemonSet>(&client, ns)
                    .await?
                    .iter()
                    .map(of_daemonset),
            ),
            XKind::CronJob => {
                out.extend(list::<CronJob>(&client, ns).await?.iter().map(of_cronjob))
            }
            XKind::Job => out.extend(list::<Job>(&client, ns).await?.iter().map(of_job)),
            XKind::Service => {
                out.extend(list::<Service>(&client, ns).await?.iter().map(of_service))
            }
            XKind::EndpointSlice => out.extend(
                list::<EndpointSlice>(&client, ns)
                    .await?
                    .iter()
                    .map(of_endpointslice),
            ),
            _ => {}
        }
    }
    out.extend(list::<Pod>(&client, ns).await?.iter().map(of_pod));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real cluster's objects of `kind` (tests/fixtures/real-cluster/kinds).
    fn real<K: DeserializeOwned>(file: &str) -> Vec<K> {
        let path = format!(
            "{}/tests/fixtures/real-cluster/kinds/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let list: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        serde_json::from_value(list["items"].clone()).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    fn objects() -> Vec<XObject> {
        let mut o: Vec<XObject> = Vec::new();
        o.extend(
            real::<Deployment>("deployments.json")
                .iter()
                .map(of_deployment),
        );
        o.extend(
            real::<ReplicaSet>("replicasets.json")
                .iter()
                .map(of_replicaset),
        );
        o.extend(
            real::<StatefulSet>("statefulsets.json")
                .iter()
                .map(of_statefulset),
        );
        o.extend(
            real::<DaemonSet>("daemonsets.json")
                .iter()
                .map(of_daemonset),
        );
        o.extend(real::<CronJob>("cronjobs.json").iter().map(of_cronjob));
        o.extend(real::<Job>("jobs.json").iter().map(of_job));
        o.extend(real::<Service>("services.json").iter().map(of_service));
        o.extend(
            real::<EndpointSlice>("endpointslices.json")
                .iter()
                .map(of_endpointslice),
        );
        o.extend(real::<Pod>("pods.json").iter().map(of_pod));
        o
    }

    fn names(nodes: &[XNode]) -> Vec<String> {
        nodes.iter().map(|n| n.obj.name.clone()).collect()
    }

    #[test]
    fn a_deployment_holds_its_replicasets_newest_first_and_their_pods() {
        let t = tree(XKind::Deployment, &objects());
        assert_eq!(names(&t), ["web"]);
        let web = &t[0];
        assert_eq!(names(&web.children), ["web-78ff9c8fb4", "web-7975d67ff6"]);
        assert!(
            web.children[0].obj.detail.starts_with("revision 2: "),
            "{:?}",
            web.children[0].obj
        );
        assert_eq!(web.children[0].children.len(), 4);
        assert!(web.children[1].children.is_empty());
        // The old revision scaled to zero is done, not failing.
        assert_eq!(web.children[1].obj.health, Health::Done);
        // A pod's containers, the ServiceAccount it runs as and the CA bundle its token
        // volume projects.
        let pod = &web.children[0].children[0];
        let parts: Vec<(XKind, &str)> = pod
            .children
            .iter()
            .map(|c| (c.obj.kind, c.obj.name.as_str()))
            .collect();
        assert!(parts.contains(&(XKind::ServiceAccount, "app")), "{parts:?}");
        assert!(
            parts.contains(&(XKind::ConfigMap, "kube-root-ca.crt")),
            "{parts:?}"
        );
        assert!(
            parts.iter().any(|(k, _)| *k == XKind::Container),
            "{parts:?}"
        );
    }

    #[test]
    fn cronjobs_hold_their_jobs_and_sets_their_pods() {
        let o = objects();
        let cj = tree(XKind::CronJob, &o);
        let report = cj.iter().find(|n| n.obj.name == "report").expect("report");
        assert_eq!(report.children.len(), 3, "{:?}", names(&report.children));
        assert!(report.children.iter().all(|j| j.children.len() == 1));
        let sts = tree(XKind::StatefulSet, &o);
        assert_eq!(names(&sts[0].children), ["db-0", "db-1"]);
        let jobs = tree(XKind::Job, &o);
        let failed = jobs
            .iter()
            .find(|n| n.obj.name == "migrate-fail")
            .expect("job");
        assert_eq!(failed.obj.health, Health::Error);
        assert_eq!(failed.children.len(), 2);
    }

    #[test]
    fn a_service_holds_the_pods_it_selects_and_its_endpointslices() {
        let t = tree(XKind::Service, &objects());
        let web = t.iter().find(|n| n.obj.name == "web").expect("web");
        let pods: Vec<&XNode> = web
            .children
            .iter()
            .filter(|c| c.obj.kind == XKind::Pod)
            .collect();
        assert_eq!(pods.len(), 4);
        assert!(
            web.children
                .iter()
                .any(|c| c.obj.kind == XKind::EndpointSlice)
        );
        // Without a selector it picks nothing itself.
        let upstream = t
            .iter()
            .find(|n| n.obj.name == "upstream")
            .expect("upstream");
        assert!(upstream.children.iter().all(|c| c.obj.kind != XKind::Pod));
    }

    #[test]
    fn what_a_pod_uses_is_found_everywhere_it_can_be_named() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "demo"},
            "spec": {
                "serviceAccountName": "runner",
                "imagePullSecrets": [{"name": "regcred"}],
                "volumes": [
                    {"name": "a", "configMap": {"name": "settings"}},
                    {"name": "b", "secret": {"secretName": "tls"}},
                    {"name": "c", "persistentVolumeClaim": {"claimName": "data"}},
                    {"name": "d", "projected": {"sources": [{"secret": {"name": "token"}}]}}
                ],
                "containers": [{"name": "app", "image": "app:1",
                    "env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "tls", "key": "k"}}}],
                    "envFrom": [{"configMapRef": {"name": "env"}}]}]
            }
        }))
        .unwrap_or_default();
        let x = of_pod(&pod);
        let got: Vec<(XKind, &str, &str)> = x
            .parts
            .iter()
            .map(|p| (p.kind, p.name.as_str(), p.detail.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (XKind::Container, "app", "app:1"),
                (XKind::ConfigMap, "env", "envFrom"),
                (XKind::ConfigMap, "settings", "volume"),
                (XKind::Secret, "regcred", "imagePullSecret"),
                (XKind::Secret, "tls", "volume, env"),
                (XKind::Secret, "token", "volume"),
                (XKind::PersistentVolumeClaim, "data", "volume"),
                (XKind::ServiceAccount, "runner", "runs as"),
            ]
        );
    }
}
