//! The resource kinds the simulator serves, and their discovery documents.

use serde_json::{Value, json};

/// Every stored kind. Metrics are derived, not stored, so they are not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Namespace,
    Node,
    Pod,
    Event,
    PipelineRun,
    TaskRun,
    /// Pod owners, served for what kubedeck reads of them (a selector for `:logs deploy/NAME`).
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    /// A StatefulSet's or DaemonSet's revisions (what `rollout history` and `undo` read).
    ControllerRevision,
    Job,
    /// Evictions honour them (429 when no disruption is allowed).
    PodDisruptionBudget,
    CronJob,
    Service,
    Endpoints,
    EndpointSlice,
    Ingress,
    ConfigMap,
    Secret,
    PersistentVolumeClaim,
    PersistentVolume,
    HorizontalPodAutoscaler,
    ServiceAccount,
    Role,
    RoleBinding,
    ClusterRole,
    ClusterRoleBinding,
    CustomResourceDefinition,
    /// `widgets.example.com`: a custom resource, printed from its CRD's columns.
    Widget,
}

/// Every stored kind, for tests and loops.
pub const KINDS: &[Kind] = &[
    Kind::Namespace,
    Kind::Node,
    Kind::Pod,
    Kind::Event,
    Kind::PipelineRun,
    Kind::TaskRun,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::ControllerRevision,
    Kind::Job,
    Kind::PodDisruptionBudget,
    Kind::CronJob,
    Kind::Service,
    Kind::Endpoints,
    Kind::EndpointSlice,
    Kind::Ingress,
    Kind::ConfigMap,
    Kind::Secret,
    Kind::PersistentVolumeClaim,
    Kind::PersistentVolume,
    Kind::HorizontalPodAutoscaler,
    Kind::ServiceAccount,
    Kind::Role,
    Kind::RoleBinding,
    Kind::ClusterRole,
    Kind::ClusterRoleBinding,
    Kind::CustomResourceDefinition,
    Kind::Widget,
];

/// A stored resource as the apiserver serves it (`View::Stored`).
#[allow(clippy::too_many_arguments)]
const fn stored_entry(
    group: &'static str,
    version: &'static str,
    plural: &'static str,
    singular: &'static str,
    kind_name: &'static str,
    namespaced: bool,
    short_names: &'static [&'static str],
    kind: Kind,
    categories: &'static [&'static str],
) -> Served {
    Served {
        group,
        version,
        plural,
        singular,
        kind_name,
        namespaced,
        short_names,
        store: Some(kind),
        categories,
        view: View::Stored,
    }
}

/// One served group/version/resource. `EventsV1` serves the core events converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    pub group: &'static str,
    pub version: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub kind_name: &'static str,
    pub namespaced: bool,
    pub short_names: &'static [&'static str],
    pub store: Option<Kind>,
    pub categories: &'static [&'static str],
    pub view: View,
}

/// How stored objects are shown through this endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Stored,
    EventsV1,
    /// Tekton's older API version, converted from the stored v1 objects.
    TektonV1beta1,
    NodeMetrics,
    PodMetrics,
}

const VERBS_RW: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

pub const SERVED: &[Served] = &[
    Served {
        group: "",
        version: "v1",
        plural: "namespaces",
        singular: "namespace",
        kind_name: "Namespace",
        namespaced: false,
        short_names: &["ns"],
        store: Some(Kind::Namespace),
        categories: &[],
        view: View::Stored,
    },
    Served {
        group: "",
        version: "v1",
        plural: "nodes",
        singular: "node",
        kind_name: "Node",
        namespaced: false,
        short_names: &["no"],
        store: Some(Kind::Node),
        categories: &[],
        view: View::Stored,
    },
    Served {
        group: "",
        version: "v1",
        plural: "pods",
        singular: "pod",
        kind_name: "Pod",
        namespaced: true,
        short_names: &["po"],
        store: Some(Kind::Pod),
        categories: &["all"],
        view: View::Stored,
    },
    Served {
        group: "",
        version: "v1",
        plural: "events",
        singular: "event",
        kind_name: "Event",
        namespaced: true,
        short_names: &["ev"],
        store: Some(Kind::Event),
        categories: &[],
        view: View::Stored,
    },
    Served {
        group: "events.k8s.io",
        version: "v1",
        plural: "events",
        singular: "event",
        kind_name: "Event",
        namespaced: true,
        short_names: &["ev"],
        store: Some(Kind::Event),
        categories: &[],
        view: View::EventsV1,
    },
    Served {
        group: "tekton.dev",
        version: "v1",
        plural: "pipelineruns",
        singular: "pipelinerun",
        kind_name: "PipelineRun",
        namespaced: true,
        short_names: &["pr", "prs"],
        store: Some(Kind::PipelineRun),
        categories: &["tekton", "tekton-pipelines"],
        view: View::Stored,
    },
    Served {
        group: "tekton.dev",
        version: "v1",
        plural: "taskruns",
        singular: "taskrun",
        kind_name: "TaskRun",
        namespaced: true,
        short_names: &["tr", "trs"],
        store: Some(Kind::TaskRun),
        categories: &["tekton", "tekton-pipelines"],
        view: View::Stored,
    },
    Served {
        group: "tekton.dev",
        version: "v1beta1",
        plural: "pipelineruns",
        singular: "pipelinerun",
        kind_name: "PipelineRun",
        namespaced: true,
        short_names: &[],
        store: Some(Kind::PipelineRun),
        categories: &["tekton", "tekton-pipelines"],
        view: View::TektonV1beta1,
    },
    Served {
        group: "tekton.dev",
        version: "v1beta1",
        plural: "taskruns",
        singular: "taskrun",
        kind_name: "TaskRun",
        namespaced: true,
        short_names: &[],
        store: Some(Kind::TaskRun),
        categories: &["tekton", "tekton-pipelines"],
        view: View::TektonV1beta1,
    },
    Served {
        group: "apps",
        version: "v1",
        plural: "deployments",
        singular: "deployment",
        kind_name: "Deployment",
        namespaced: true,
        short_names: &["deploy"],
        store: Some(Kind::Deployment),
        categories: &["all"],
        view: View::Stored,
    },
    Served {
        group: "apps",
        version: "v1",
        plural: "replicasets",
        singular: "replicaset",
        kind_name: "ReplicaSet",
        namespaced: true,
        short_names: &["rs"],
        store: Some(Kind::ReplicaSet),
        categories: &["all"],
        view: View::Stored,
    },
    Served {
        group: "apps",
        version: "v1",
        plural: "statefulsets",
        singular: "statefulset",
        kind_name: "StatefulSet",
        namespaced: true,
        short_names: &["sts"],
        store: Some(Kind::StatefulSet),
        categories: &["all"],
        view: View::Stored,
    },
    Served {
        group: "apps",
        version: "v1",
        plural: "daemonsets",
        singular: "daemonset",
        kind_name: "DaemonSet",
        namespaced: true,
        short_names: &["ds"],
        store: Some(Kind::DaemonSet),
        categories: &["all"],
        view: View::Stored,
    },
    Served {
        group: "apps",
        version: "v1",
        plural: "controllerrevisions",
        singular: "controllerrevision",
        kind_name: "ControllerRevision",
        namespaced: true,
        short_names: &[],
        store: Some(Kind::ControllerRevision),
        categories: &[],
        view: View::Stored,
    },
    Served {
        group: "batch",
        version: "v1",
        plural: "jobs",
        singular: "job",
        kind_name: "Job",
        namespaced: true,
        short_names: &[],
        store: Some(Kind::Job),
        categories: &["all"],
        view: View::Stored,
    },
    Served {
        group: "policy",
        version: "v1",
        plural: "poddisruptionbudgets",
        singular: "poddisruptionbudget",
        kind_name: "PodDisruptionBudget",
        namespaced: true,
        short_names: &["pdb"],
        store: Some(Kind::PodDisruptionBudget),
        categories: &[],
        view: View::Stored,
    },
    stored_entry(
        "batch",
        "v1",
        "cronjobs",
        "cronjob",
        "CronJob",
        true,
        &["cj"],
        Kind::CronJob,
        &["all"],
    ),
    stored_entry(
        "",
        "v1",
        "services",
        "service",
        "Service",
        true,
        &["svc"],
        Kind::Service,
        &["all"],
    ),
    stored_entry(
        "",
        "v1",
        "endpoints",
        "endpoints",
        "Endpoints",
        true,
        &["ep"],
        Kind::Endpoints,
        &[],
    ),
    stored_entry(
        "discovery.k8s.io",
        "v1",
        "endpointslices",
        "endpointslice",
        "EndpointSlice",
        true,
        &[],
        Kind::EndpointSlice,
        &[],
    ),
    stored_entry(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        true,
        &["ing"],
        Kind::Ingress,
        &[],
    ),
    stored_entry(
        "",
        "v1",
        "configmaps",
        "configmap",
        "ConfigMap",
        true,
        &["cm"],
        Kind::ConfigMap,
        &[],
    ),
    stored_entry(
        "",
        "v1",
        "secrets",
        "secret",
        "Secret",
        true,
        &[],
        Kind::Secret,
        &[],
    ),
    stored_entry(
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        true,
        &["pvc"],
        Kind::PersistentVolumeClaim,
        &[],
    ),
    stored_entry(
        "",
        "v1",
        "persistentvolumes",
        "persistentvolume",
        "PersistentVolume",
        false,
        &["pv"],
        Kind::PersistentVolume,
        &[],
    ),
    stored_entry(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "horizontalpodautoscaler",
        "HorizontalPodAutoscaler",
        true,
        &["hpa"],
        Kind::HorizontalPodAutoscaler,
        &["all"],
    ),
    stored_entry(
        "",
        "v1",
        "serviceaccounts",
        "serviceaccount",
        "ServiceAccount",
        true,
        &["sa"],
        Kind::ServiceAccount,
        &[],
    ),
    stored_entry(
        "rbac.authorization.k8s.io",
        "v1",
        "roles",
        "role",
        "Role",
        true,
        &[],
        Kind::Role,
        &[],
    ),
    stored_entry(
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "rolebinding",
        "RoleBinding",
        true,
        &[],
        Kind::RoleBinding,
        &[],
    ),
    stored_entry(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterroles",
        "clusterrole",
        "ClusterRole",
        false,
        &[],
        Kind::ClusterRole,
        &[],
    ),
    stored_entry(
        "rbac.authorization.k8s.io",
        "v1",
        "clusterrolebindings",
        "clusterrolebinding",
        "ClusterRoleBinding",
        false,
        &[],
        Kind::ClusterRoleBinding,
        &[],
    ),
    stored_entry(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        false,
        &["crd", "crds"],
        Kind::CustomResourceDefinition,
        &["api-extensions"],
    ),
    stored_entry(
        "example.com",
        "v1",
        "widgets",
        "widget",
        "Widget",
        true,
        &["wd"],
        Kind::Widget,
        &["all"],
    ),
    Served {
        group: "metrics.k8s.io",
        version: "v1beta1",
        plural: "nodes",
        singular: "",
        kind_name: "NodeMetrics",
        namespaced: false,
        short_names: &[],
        store: None,
        categories: &[],
        view: View::NodeMetrics,
    },
    Served {
        group: "metrics.k8s.io",
        version: "v1beta1",
        plural: "pods",
        singular: "",
        kind_name: "PodMetrics",
        namespaced: true,
        short_names: &[],
        store: None,
        categories: &[],
        view: View::PodMetrics,
    },
];

/// Subresources listed in discovery, with the verbs the real apiserver lists for them.
const POD_SUBRESOURCES: &[(&str, &[&str])] = &[
    ("pods/log", &["get"]),
    ("pods/exec", &["create", "get"]),
    ("pods/eviction", &["create"]),
    ("pods/attach", &["create", "get"]),
    ("pods/portforward", &["create", "get"]),
    ("pods/ephemeralcontainers", &["get", "patch", "update"]),
];

impl Served {
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// A custom resource (served from a CRD): no strategic merge patch, as on a real apiserver.
    pub fn is_custom(&self) -> bool {
        matches!(self.group, "tekton.dev" | "example.com")
    }

    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind_name)
    }

    pub fn verbs(&self) -> &'static [&'static str] {
        match self.view {
            View::NodeMetrics | View::PodMetrics => &["get", "list"],
            _ => VERBS_RW,
        }
    }

    /// Field selectors the real apiserver accepts for this resource (besides metadata.*).
    pub fn field_labels(&self) -> &'static [&'static str] {
        match (self.store, self.view) {
            (Some(Kind::Pod), _) => &[
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.nominatedNodeName",
            ],
            (Some(Kind::Event), View::Stored) => &[
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ],
            (Some(Kind::Event), View::EventsV1) => &[
                "regarding.kind",
                "regarding.namespace",
                "regarding.name",
                "regarding.uid",
                "reason",
                "type",
                "reportingController",
            ],
            (Some(Kind::Node), _) => &["spec.unschedulable"],
            (Some(Kind::Namespace), _) => &["status.phase"],
            _ => &[],
        }
    }
}

pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static Served> {
    SERVED
        .iter()
        .find(|s| s.group == group && s.version == version && s.plural == plural)
}

pub fn stored(kind: Kind) -> &'static Served {
    // Every Kind has exactly one Stored entry in SERVED, checked by a unit test.
    SERVED
        .iter()
        .find(|s| s.store == Some(kind) && s.view == View::Stored)
        .unwrap_or(&SERVED[0])
}

fn resource_entry(s: &Served) -> Value {
    let mut v = json!({
        "name": s.plural, "singularName": s.singular, "namespaced": s.namespaced,
        "kind": s.kind_name, "verbs": s.verbs(),
    });
    if !s.short_names.is_empty() {
        v["shortNames"] = json!(s.short_names);
    }
    if !s.categories.is_empty() {
        v["categories"] = json!(s.categories);
    }
    v
}

/// `/api/v1` or `/apis/GROUP/VERSION`.
pub fn resource_list(group: &str, version: &str) -> Option<Value> {
    let mut resources: Vec<Value> = SERVED
        .iter()
        .filter(|s| s.group == group && s.version == version)
        .map(resource_entry)
        .collect();
    if resources.is_empty() {
        return None;
    }
    if group.is_empty() {
        for (name, verbs) in POD_SUBRESOURCES {
            resources.push(json!({"name": name, "singularName": "", "namespaced": true, "kind": "Pod", "verbs": verbs}));
        }
    }
    if group == "apps" {
        for parent in ["deployments", "replicasets", "statefulsets"] {
            resources.push(json!({"name": format!("{parent}/scale"), "singularName": "", "namespaced": true,
                "group": "autoscaling", "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"]}));
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

/// `/apis`: the groups, with `metrics_enabled` deciding whether metrics.k8s.io is announced.
/// `/apis`: every group with the versions `serves` allows, the first one preferred.
pub fn group_list(serves: impl Fn(&str, &str) -> bool) -> Value {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for s in SERVED
        .iter()
        .filter(|s| !s.group.is_empty() && serves(s.group, s.version))
    {
        match groups.iter_mut().find(|(g, _)| *g == s.group) {
            Some((_, versions)) if !versions.contains(&s.version) => versions.push(s.version),
            Some(_) => {}
            None => groups.push((s.group, vec![s.version])),
        }
    }
    let groups: Vec<Value> = groups
        .iter()
        .map(|(g, versions)| {
            let gvs: Vec<Value> = versions
                .iter()
                .map(|v| json!({"groupVersion": format!("{g}/{v}"), "version": v}))
                .collect();
            json!({"name": g, "versions": gvs, "preferredVersion": gvs[0]})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// Subresources by parent: (name, kind it answers with (group, version, kind), verbs).
fn subresources_of(s: &Served) -> Vec<Value> {
    let entry = |name: &str, group: &str, version: &str, kind: &str, verbs: &[&str]| json!({"subresource": name, "responseKind": {"group": group, "version": version, "kind": kind}, "verbs": verbs});
    match (s.group, s.plural) {
        ("", "pods") => POD_SUBRESOURCES
            .iter()
            .filter_map(|(name, verbs)| {
                let sub = name.strip_prefix("pods/")?;
                let kind = match sub {
                    "eviction" => "Eviction",
                    "log" | "exec" | "attach" | "portforward" => "",
                    _ => "Pod",
                };
                Some(entry(sub, "", "", kind, verbs))
            })
            .collect(),
        ("apps", "deployments" | "replicasets" | "statefulsets") => vec![entry(
            "scale",
            "autoscaling",
            "v1",
            "Scale",
            &["get", "patch", "update"],
        )],
        _ => Vec::new(),
    }
}

fn aggregated_entry(s: &Served) -> Value {
    let mut v = json!({
        "resource": s.plural,
        "responseKind": {"group": "", "version": "", "kind": s.kind_name},
        "scope": if s.namespaced { "Namespaced" } else { "Cluster" },
        "singularResource": s.singular, "verbs": s.verbs(),
    });
    if !s.short_names.is_empty() {
        v["shortNames"] = json!(s.short_names);
    }
    if !s.categories.is_empty() {
        v["categories"] = json!(s.categories);
    }
    let subs = subresources_of(s);
    if !subs.is_empty() {
        v["subresources"] = Value::Array(subs);
    }
    v
}

/// Aggregated discovery (`apidiscovery.k8s.io/v2`, what kubectl asks `/api` and `/apis` for
/// first): the core group (`core`) or every other group, each version's resources, the
/// preferred version first, as `wire-aggregated-discovery-*.json` shows it.
pub fn aggregated(core: bool, serves: impl Fn(&str, &str) -> bool) -> Value {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for s in SERVED
        .iter()
        .filter(|s| s.group.is_empty() == core && serves(s.group, s.version))
    {
        match groups.iter_mut().find(|(g, _)| *g == s.group) {
            Some((_, versions)) if !versions.contains(&s.version) => versions.push(s.version),
            Some(_) => {}
            None => groups.push((s.group, vec![s.version])),
        }
    }
    let items: Vec<Value> = groups
        .iter()
        .map(|(g, versions)| {
            let versions: Vec<Value> = versions
                .iter()
                .map(|v| {
                    let resources: Vec<Value> = SERVED
                        .iter()
                        .filter(|s| s.group == *g && s.version == *v)
                        .map(aggregated_entry)
                        .collect();
                    json!({"version": v, "resources": resources, "freshness": "Current"})
                })
                .collect();
            let metadata = if g.is_empty() {
                json!({})
            } else {
                json!({"name": g})
            };
            json!({"metadata": metadata, "versions": versions})
        })
        .collect();
    json!({"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {}, "items": items})
}

/// Whether a request for `/api` or `/apis` asks for aggregated discovery first.
pub fn wants_aggregated(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=APIGroupDiscoveryList"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregated_discovery_reads_like_the_real_servers() {
        let apis = aggregated(false, |_, _| true);
        let catalog: Vec<String> = apis["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["metadata"]["name"].as_str().map(str::to_string))
            .collect();
        assert!(
            catalog.contains(&"apps".to_string()) && catalog.contains(&"example.com".to_string())
        );
        let apps = apis["items"]
            .as_array()
            .and_then(|i| i.iter().find(|g| g["metadata"]["name"] == "apps"))
            .cloned()
            .unwrap_or_default();
        let deploy = apps["versions"][0]["resources"]
            .as_array()
            .and_then(|r| r.iter().find(|r| r["resource"] == "deployments"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(deploy["scope"], "Namespaced");
        assert_eq!(deploy["shortNames"], json!(["deploy"]));
        assert_eq!(deploy["subresources"][0]["subresource"], "scale");
        // Tekton's preferred version first.
        let tekton = apis["items"]
            .as_array()
            .and_then(|i| i.iter().find(|g| g["metadata"]["name"] == "tekton.dev"))
            .cloned()
            .unwrap_or_default();
        assert_eq!(tekton["versions"][0]["version"], "v1");
        let core = aggregated(true, |_, _| true);
        assert_eq!(core["items"][0]["metadata"], json!({}));
        // What kube-rs's discovery (and kubectl's) asks for.
        assert!(wants_aggregated(
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
        ));
        assert!(!wants_aggregated("application/json"));
    }

    #[test]
    fn every_kind_has_one_stored_endpoint() {
        for &k in KINDS {
            let n = SERVED
                .iter()
                .filter(|s| s.store == Some(k) && s.view == View::Stored)
                .count();
            assert_eq!(n, 1, "{k:?}");
            assert_eq!(stored(k).store, Some(k));
        }
    }

    #[test]
    fn discovery_lists_pod_log_and_tekton() {
        let core = resource_list("", "v1").unwrap_or_default();
        let names: Vec<&str> = core["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert!(
            names.contains(&"pods") && names.contains(&"pods/log") && names.contains(&"events")
        );
        let groups = group_list(|g, _| g != "metrics.k8s.io");
        let text = groups.to_string();
        assert!(text.contains("tekton.dev/v1") && !text.contains("metrics.k8s.io"));
        let all = group_list(|_, _| true);
        assert!(all.to_string().contains("metrics.k8s.io/v1beta1"));
        let tekton = all["groups"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|g| g["name"] == "tekton.dev")
            .cloned()
            .unwrap_or_default();
        assert_eq!(tekton["preferredVersion"]["version"], "v1");
        assert_eq!(tekton["versions"].as_array().map(Vec::len), Some(2));
        assert!(resource_list("nope", "v1").is_none());
    }
}
