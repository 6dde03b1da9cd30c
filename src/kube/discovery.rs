//! What the server serves: every resource of every group (core, aggregated APIs, CRDs), with
//! the names kubectl accepts for it. Read as kubectl does, from aggregated discovery (`/api`
//! and `/apis` as `APIGroupDiscoveryList`, two requests), falling back to the older documents
//! (`/api/v1`, `/apis`, then each group's preferred version) on servers that do not offer it.
//! `resolve` turns what a user types (`deploy`, `svc`, `certificates.cert-manager.io`) into a
//! resource the way kubectl does: core and built-in groups before the others, in the server's
//! own group order.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

/// One listable resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiResourceInfo {
    /// Empty for the core group.
    pub group: String,
    pub version: String,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    pub verbs: Vec<String>,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// Its subresources (`scale`, `status`, `log`, …).
    pub subresources: Vec<String>,
}

impl ApiResourceInfo {
    /// The core kinds kubedeck watches, as discovery lists them: known before discovery has
    /// answered (an edit asked in the first second after start).
    pub fn builtin(kind: super::informer::ResourceKind) -> Option<Self> {
        use super::informer::ResourceKind as K;
        let (plural, singular, kind, namespaced, short) = match kind {
            K::Pods => ("pods", "pod", "Pod", true, "po"),
            K::Nodes => ("nodes", "node", "Node", false, "no"),
            K::Events => ("events", "event", "Event", true, "ev"),
            K::Namespaces => ("namespaces", "namespace", "Namespace", false, "ns"),
            _ => return None,
        };
        let verbs = [
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ];
        Some(Self {
            group: String::new(),
            version: "v1".into(),
            plural: plural.into(),
            singular: singular.into(),
            kind: kind.into(),
            namespaced,
            verbs: verbs.iter().map(ToString::to_string).collect(),
            short_names: vec![short.into()],
            categories: Vec::new(),
            subresources: Vec::new(),
        })
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`, or `pods` for the core group: unambiguous, as kubectl prints it.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The collection's path, in `namespace` or across all of them.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let base = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|_| self.namespaced) {
            Some(ns) => format!("{base}/namespaces/{ns}/{}", self.plural),
            None => format!("{base}/{}", self.plural),
        }
    }

    pub fn can(&self, verb: &str) -> bool {
        self.verbs.iter().any(|v| v == verb)
    }

    /// kube-rs's description of it, for dynamic requests.
    pub fn api_resource(&self) -> kube::api::ApiResource {
        kube::api::ApiResource {
            group: self.group.clone(),
            version: self.version.clone(),
            api_version: self.api_version(),
            kind: self.kind.clone(),
            plural: self.plural.clone(),
        }
    }

    /// Every name it answers to (lower case).
    fn names(&self) -> impl Iterator<Item = String> + '_ {
        [
            self.plural.clone(),
            self.singular.clone(),
            self.kind.to_lowercase(),
        ]
        .into_iter()
        .chain(self.short_names.iter().cloned())
        .filter(|n| !n.is_empty())
    }
}

/// Names k9s users type that kubectl does not know.
const ALIASES: &[(&str, &str)] = &[
    ("sec", "secrets"),
    ("rb", "rolebindings"),
    ("crb", "clusterrolebindings"),
    ("cr", "clusterroles"),
];

/// Built-in groups first, as kubectl's RESTMapper orders them; then the server's order.
fn group_rank(group: &str) -> u8 {
    match group {
        "" => 0,
        "apps" => 1,
        "batch" | "autoscaling" | "policy" => 2,
        g if !g.contains('.') || g.ends_with(".k8s.io") => 3,
        _ => 4,
    }
}

/// Every listable resource the server serves, in resolution order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiCatalog {
    resources: Vec<Arc<ApiResourceInfo>>,
}

impl ApiCatalog {
    pub fn new(mut resources: Vec<ApiResourceInfo>) -> Self {
        // Stable: within a rank, the server's order (its group priority) is kept.
        resources.sort_by_key(|r| group_rank(&r.group));
        Self {
            resources: resources.into_iter().map(Arc::new).collect(),
        }
    }

    pub fn all(&self) -> &[Arc<ApiResourceInfo>] {
        &self.resources
    }

    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// The resource `name` means, as kubectl reads it: plural, singular, kind or short name,
    /// `plural.group` or `plural.version.group` (also `kind.group`).
    /// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
    pub fn resolve(&self, name: &str) -> Result<Arc<ApiResourceInfo>, String> {
        let name = name.trim().to_lowercase();
        if name.is_empty() {
            return Err("which kind? (`:api-resources` lists them)".into());
        }
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name.clone(), |(_, plural)| plural.to_string());
        if let Some(r) = self.resources.iter().find(|r| r.names().any(|n| n == name)) {
            return Ok(r.clone());
        }
        // `plural.group` / `plural.version.group`.
        if let Some((head, rest)) = name.split_once('.') {
            let found = self.resources.iter().find(|r| {
                r.names().any(|n| n == head)
                    && (r.group == rest || format!("{}.{}", r.version, r.group) == rest)
            });
            if let Some(r) = found {
                return Ok(r.clone());
            }
        }
        Err(format!(
            "the server doesn't have a resource type \"{name}\" (`:api-resources` lists them)"
        ))
    }

    /// Names starting with `prefix` that `resolve` accepts, shortest first (Tab completion).
    pub fn completions(&self, prefix: &str) -> Vec<String> {
        let prefix = prefix.to_lowercase();
        let mut names: Vec<String> = self
            .resources
            .iter()
            .flat_map(|r| {
                [r.plural.clone(), r.qualified()]
                    .into_iter()
                    .chain(r.short_names.iter().cloned())
            })
            .filter(|n| n.starts_with(&prefix))
            .collect();
        names.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
        names.dedup();
        names
    }
}

// ---- aggregated discovery (apidiscovery.k8s.io/v2) ----

#[derive(Deserialize)]
struct GroupDiscoveryList {
    kind: Option<String>,
    #[serde(default)]
    items: Vec<GroupDiscovery>,
}

#[derive(Deserialize)]
struct GroupDiscovery {
    #[serde(default)]
    metadata: NameOnly,
    #[serde(default)]
    versions: Vec<VersionDiscovery>,
}

#[derive(Deserialize, Default)]
struct NameOnly {
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct VersionDiscovery {
    version: String,
    #[serde(default)]
    resources: Vec<ResourceDiscovery>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceDiscovery {
    resource: String,
    #[serde(default)]
    response_kind: Option<GroupVersionKind>,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    singular_resource: String,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    short_names: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    subresources: Vec<SubresourceDiscovery>,
}

#[derive(Deserialize)]
struct GroupVersionKind {
    #[serde(default)]
    kind: String,
}

#[derive(Deserialize)]
struct SubresourceDiscovery {
    subresource: String,
}

/// The media type kubectl asks `/api` and `/apis` for.
pub const AGGREGATED_ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/// The resources of an aggregated discovery document (the preferred, first-listed version of
/// each group); `None` when the server answered with something else (the older documents).
pub fn parse_aggregated(body: &Value) -> Option<Vec<ApiResourceInfo>> {
    let list: GroupDiscoveryList = serde_json::from_value(body.clone()).ok()?;
    if list.kind.as_deref() != Some("APIGroupDiscoveryList") {
        return None;
    }
    let mut out = Vec::new();
    for group in list.items {
        let Some(version) = group.versions.into_iter().next() else {
            continue;
        };
        for r in version.resources {
            out.push(ApiResourceInfo {
                group: group.metadata.name.clone(),
                version: version.version.clone(),
                kind: r.response_kind.map(|k| k.kind).unwrap_or_default(),
                namespaced: r.scope == "Namespaced",
                singular: r.singular_resource,
                plural: r.resource,
                verbs: r.verbs,
                short_names: r.short_names,
                categories: r.categories,
                subresources: r.subresources.into_iter().map(|s| s.subresource).collect(),
            });
        }
    }
    Some(out)
}

// ---- the older documents ----

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceList {
    #[serde(default)]
    resources: Vec<LegacyResource>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LegacyResource {
    name: String,
    #[serde(default)]
    singular_name: String,
    #[serde(default)]
    namespaced: bool,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    verbs: Vec<String>,
    #[serde(default)]
    short_names: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
}

/// The resources of `/api/v1` or `/apis/GROUP/VERSION`, subresources folded into their parent.
pub fn parse_resource_list(group: &str, version: &str, body: &Value) -> Vec<ApiResourceInfo> {
    let Ok(list) = serde_json::from_value::<ResourceList>(body.clone()) else {
        return Vec::new();
    };
    let mut out: Vec<ApiResourceInfo> = Vec::new();
    let mut subs: Vec<(String, String)> = Vec::new();
    for r in list.resources {
        if let Some((parent, sub)) = r.name.split_once('/') {
            subs.push((parent.to_string(), sub.to_string()));
            continue;
        }
        let singular = if r.singular_name.is_empty() {
            r.kind.to_lowercase()
        } else {
            r.singular_name
        };
        out.push(ApiResourceInfo {
            group: group.to_string(),
            version: version.to_string(),
            plural: r.name,
            singular,
            kind: r.kind,
            namespaced: r.namespaced,
            verbs: r.verbs,
            short_names: r.short_names,
            categories: r.categories,
            subresources: Vec::new(),
        });
    }
    for (parent, sub) in subs {
        if let Some(p) = out.iter_mut().find(|r| r.plural == parent) {
            p.subresources.push(sub);
        }
    }
    out
}

/// `/apis`' groups and their preferred versions, in the server's order.
pub fn parse_group_list(body: &Value) -> Vec<(String, String)> {
    body["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|g| {
            let name = g["name"].as_str()?.to_string();
            let version = g["preferredVersion"]["version"]
                .as_str()
                .or_else(|| g["versions"][0]["version"].as_str())?
                .to_string();
            Some((name, version))
        })
        .collect()
}

async fn get_json(client: &kube::Client, path: &str, accept: &str) -> Result<Value, kube::Error> {
    let request = http::Request::get(path)
        .header(http::header::ACCEPT, accept)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    client.request::<Value>(request).await
}

/// Ask the server what it serves. Only listable resources are kept.
pub async fn discover(client: &kube::Client) -> Result<ApiCatalog, kube::Error> {
    let core = get_json(client, "/api", AGGREGATED_ACCEPT).await?;
    let groups = get_json(client, "/apis", AGGREGATED_ACCEPT).await?;
    let resources = match (parse_aggregated(&core), parse_aggregated(&groups)) {
        (Some(mut core), Some(groups)) => {
            // The core group's document names it "".
            for r in &mut core {
                r.group.clear();
            }
            core.into_iter().chain(groups).collect()
        }
        _ => legacy(client, &groups).await?,
    };
    Ok(ApiCatalog::new(
        resources.into_iter().filter(|r| r.can("list")).collect(),
    ))
}

/// The older way: `/api/v1` and each group's preferred version, a few at a time.
async fn legacy(
    client: &kube::Client,
    groups: &Value,
) -> Result<Vec<ApiResourceInfo>, kube::Error> {
    use futures::StreamExt;
    let core = get_json(client, "/api/v1", "application/json").await?;
    let mut out = parse_resource_list("", "v1", &core);
    let lists: Vec<Vec<ApiResourceInfo>> = futures::stream::iter(parse_group_list(groups))
        .map(|(group, version)| async move {
            let path = format!("/apis/{group}/{version}");
            // A group that fails (an aggregated API whose backend is down) is left out, as
            // kubectl does, rather than failing discovery.
            match get_json(client, &path, "application/json").await {
                Ok(body) => parse_resource_list(&group, &version, &body),
                Err(_) => Vec::new(),
            }
        })
        .buffered(8)
        .collect()
        .await;
    out.extend(lists.into_iter().flatten());
    Ok(out)
}

/// The real 1.36 cluster's catalog (`tests/fixtures/real-cluster/kinds`), for tests.
#[cfg(test)]
pub fn real_catalog() -> ApiCatalog {
    tests::real()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/real-cluster/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// The real 1.36 cluster's aggregated discovery (`kubectl api-resources` is printed from it).
    pub(super) fn real() -> ApiCatalog {
        let mut core = parse_aggregated(&fixture("kinds/wire-aggregated-discovery-api.json"))
            .unwrap_or_default();
        for r in &mut core {
            r.group.clear();
        }
        let groups = parse_aggregated(&fixture("kinds/wire-aggregated-discovery-apis.json"))
            .unwrap_or_default();
        ApiCatalog::new(
            core.into_iter()
                .chain(groups)
                .filter(|r| r.can("list"))
                .collect(),
        )
    }

    #[test]
    fn names_resolve_as_kubectl_resolves_them() {
        let c = real();
        let q = |name: &str| c.resolve(name).map(|r| r.qualified()).unwrap_or_else(|e| e);
        for (typed, want) in [
            ("deploy", "deployments.apps"),
            ("deployments", "deployments.apps"),
            ("deployment", "deployments.apps"),
            ("Deployment", "deployments.apps"),
            ("svc", "services"),
            ("cm", "configmaps"),
            ("sec", "secrets"),
            ("ing", "ingresses.networking.k8s.io"),
            ("sts", "statefulsets.apps"),
            ("ds", "daemonsets.apps"),
            ("job", "jobs.batch"),
            ("cj", "cronjobs.batch"),
            ("pvc", "persistentvolumeclaims"),
            ("pv", "persistentvolumes"),
            ("hpa", "horizontalpodautoscalers.autoscaling"),
            ("pdb", "poddisruptionbudgets.policy"),
            ("sa", "serviceaccounts"),
            ("crd", "customresourcedefinitions.apiextensions.k8s.io"),
            ("wd", "widgets.example.com"),
            ("widgets.example.com", "widgets.example.com"),
            ("widgets.v1.example.com", "widgets.example.com"),
            ("pr", "pipelineruns.tekton.dev"),
            // Two groups serve `events`: the core one wins, as in kubectl.
            ("ev", "events"),
            ("events.events.k8s.io", "events.events.k8s.io"),
        ] {
            assert_eq!(q(typed), want, "{typed}");
        }
        assert!(c.resolve("nosuchkind").is_err());
        assert!(c.resolve("").is_err());
        // Not listable (bindings: create only) is not offered.
        assert!(c.resolve("bindings").is_err());
    }

    #[test]
    fn aggregated_discovery_reads_scope_subresources_and_categories() {
        let c = real();
        let deploy = c.resolve("deploy").unwrap();
        assert!(deploy.namespaced && deploy.kind == "Deployment" && deploy.version == "v1");
        assert!(deploy.subresources.contains(&"scale".to_string()));
        assert!(deploy.categories.contains(&"all".to_string()));
        let pv = c.resolve("pv").unwrap();
        assert!(!pv.namespaced);
        assert_eq!(
            deploy.collection_path(Some("kinds")),
            "/apis/apps/v1/namespaces/kinds/deployments"
        );
        assert_eq!(
            pv.collection_path(Some("kinds")),
            "/api/v1/persistentvolumes"
        );
        assert_eq!(
            c.completions("dep"),
            vec![
                "deploy".to_string(),
                "deployments".into(),
                "deployments.apps".into()
            ]
        );
        // Everything kubectl api-resources lists (and can list) is here.
        let listed = std::fs::read_to_string(format!(
            "{}/tests/fixtures/real-cluster/kinds/wire-api-resources.wide.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_default();
        let mut checked = 0;
        for line in listed.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(name), Some(verbs)) = (cols.first(), cols.iter().find(|c| c.contains("get")))
            else {
                continue;
            };
            if verbs.split(',').any(|v| v == "list") {
                let api = cols
                    .iter()
                    .find(|c| c.contains('/') || **c == "v1")
                    .copied();
                let found = c
                    .all()
                    .iter()
                    .any(|r| r.plural == *name && Some(r.api_version().as_str()) == api);
                assert!(found, "{name} {api:?}");
                checked += 1;
            }
        }
        assert!(checked > 50, "{checked}");
    }

    #[test]
    fn older_documents_are_read_too() {
        let core = parse_resource_list("", "v1", &fixture("wire-api-v1-resources.json"));
        let pods = core.iter().find(|r| r.plural == "pods");
        assert!(pods.is_some_and(
            |p| p.subresources.contains(&"log".to_string()) && p.short_names == ["po"]
        ));
        let groups = parse_group_list(&fixture("wire-apis.json"));
        assert!(groups.contains(&("apps".to_string(), "v1".to_string())));
        // The older `/apis` document is not mistaken for aggregated discovery.
        assert!(parse_aggregated(&fixture("wire-apis.json")).is_none());
    }
}
