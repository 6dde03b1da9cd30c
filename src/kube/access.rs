//! RBAC, asked and answered: what the current user may do in a namespace (a
//! SelfSubjectRulesReview, read as the apiserver's RBAC authorizer reads rules), and who may
//! do something (every (Cluster)RoleBinding whose role allows it, as kubectl-who-can finds
//! them).
//!
//! Rule matching follows `plugin/pkg/auth/authorizer/rbac`: `*` matches any verb, group or
//! resource, `*/SUB` any resource's subresource SUB, and an empty `resourceNames` any name.

use std::collections::BTreeMap;

use k8s_openapi::api::authorization::v1::{
    SelfSubjectRulesReview, SelfSubjectRulesReviewSpec, SubjectRulesReviewStatus,
};
use k8s_openapi::api::rbac::v1::{
    ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject,
};
use kube::Client;
use kube::api::{Api, ListParams, PostParams};

use super::error::ApiError;

/// What is asked: a verb on a resource (and subresource, and name) of an API group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ask {
    pub verb: String,
    pub group: String,
    pub resource: String,
    pub subresource: Option<String>,
    pub name: Option<String>,
}

impl Ask {
    pub fn new(verb: &str, group: &str, resource: &str, subresource: Option<&str>) -> Self {
        Self {
            verb: verb.into(),
            group: group.into(),
            resource: resource.into(),
            subresource: subresource.map(str::to_string),
            name: None,
        }
    }

    /// `pods/exec`, `deployments.apps`: the resource as kubectl writes it.
    pub fn resource_text(&self) -> String {
        let mut out = self.resource.clone();
        if !self.group.is_empty() {
            out = format!("{out}.{}", self.group);
        }
        if let Some(sub) = &self.subresource {
            out = format!("{out}/{sub}");
        }
        out
    }
}

/// Whether a rule allows `ask` (rbac's `RuleAllows` for resource requests).
pub fn rule_allows(rule: &PolicyRule, ask: &Ask) -> bool {
    let any = |list: &[String], want: &str| list.iter().any(|x| x == "*" || x == want);
    if !any(&rule.verbs, &ask.verb) || !any(rule.api_groups.as_deref().unwrap_or(&[]), &ask.group) {
        return false;
    }
    let combined = match &ask.subresource {
        Some(sub) => format!("{}/{sub}", ask.resource),
        None => ask.resource.clone(),
    };
    let resource_ok = rule.resources.iter().flatten().any(|r| {
        r == "*"
            || *r == combined
            || ask
                .subresource
                .as_deref()
                .is_some_and(|sub| r.strip_prefix("*/") == Some(sub))
    });
    let names = rule.resource_names.as_deref().unwrap_or(&[]);
    let name_ok = names.is_empty()
        || ask
            .name
            .as_deref()
            .is_some_and(|n| names.iter().any(|x| x == n));
    resource_ok && name_ok
}

/// What the current user may do in one namespace, as the apiserver listed it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Access {
    pub rules: Vec<PolicyRule>,
    /// The apiserver could not list everything (a webhook authorizer): what is not listed
    /// may still be allowed.
    pub incomplete: bool,
}

/// Whether an action is allowed, as far as the rules tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Allowed,
    Denied,
    /// Not in the rules, and the rules are incomplete: only trying tells.
    Unknown,
}

impl Access {
    pub fn of(status: &SubjectRulesReviewStatus) -> Self {
        Self {
            rules: status
                .resource_rules
                .iter()
                .map(|r| PolicyRule {
                    api_groups: r.api_groups.clone(),
                    resources: r.resources.clone(),
                    resource_names: r.resource_names.clone(),
                    verbs: r.verbs.clone(),
                    non_resource_urls: None,
                })
                .collect(),
            incomplete: status.incomplete,
        }
    }

    pub fn permits(&self, ask: &Ask) -> Permission {
        if self.rules.iter().any(|r| rule_allows(r, ask)) {
            Permission::Allowed
        } else if self.incomplete {
            Permission::Unknown
        } else {
            Permission::Denied
        }
    }

    /// The rules as kubectl's `auth can-i --list` shows them: one row per resource (with its
    /// group, and the names it is limited to), the verbs of every rule that names it together.
    pub fn by_resource(&self) -> Vec<ResourceVerbs> {
        let mut rows: BTreeMap<(String, Vec<String>), Vec<String>> = BTreeMap::new();
        for rule in &self.rules {
            let names = rule.resource_names.clone().unwrap_or_default();
            for group in rule.api_groups.iter().flatten() {
                for resource in rule.resources.iter().flatten() {
                    let qualified = qualify(resource, group);
                    let verbs = rows.entry((qualified, names.clone())).or_default();
                    for v in &rule.verbs {
                        if !verbs.contains(v) {
                            verbs.push(v.clone());
                        }
                    }
                }
            }
        }
        rows.into_iter()
            .map(|((resource, names), verbs)| ResourceVerbs {
                resource,
                names,
                verbs,
            })
            .collect()
    }
}

/// `resource.group/sub`, as kubectl prints a rule's resource (`*.*` for any in any group).
fn qualify(resource: &str, group: &str) -> String {
    let (base, sub) = match resource.split_once('/') {
        Some((b, s)) => (b, Some(s)),
        None => (resource, None),
    };
    let mut out = base.to_string();
    if !group.is_empty() {
        out = format!("{out}.{group}");
    }
    if let Some(sub) = sub {
        out = format!("{out}/{sub}");
    }
    out
}

/// One row of `:can-i`: a resource and the verbs allowed on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceVerbs {
    pub resource: String,
    /// The only names it applies to (empty: any).
    pub names: Vec<String>,
    pub verbs: Vec<String>,
}

/// Ask the apiserver what the current user may do in `namespace`.
pub async fn review(client: Client, namespace: String) -> Result<Access, ApiError> {
    let api: Api<SelfSubjectRulesReview> = Api::all(client);
    let asked = SelfSubjectRulesReview {
        spec: SelfSubjectRulesReviewSpec {
            namespace: Some(namespace),
        },
        ..SelfSubjectRulesReview::default()
    };
    let answer = api
        .create(&PostParams::default(), &asked)
        .await
        .map_err(ApiError::from)?;
    Ok(answer.status.as_ref().map(Access::of).unwrap_or_default())
}

/// `:who-can`'s question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoCanQuery {
    pub ask: Ask,
    /// `None`: cluster-wide (ClusterRoleBindings only).
    pub namespace: Option<String>,
}

/// Who may do something: one subject, through one binding of one role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grantee {
    /// `User`, `Group` or `ServiceAccount`.
    pub kind: String,
    pub name: String,
    /// A ServiceAccount's namespace.
    pub namespace: Option<String>,
    /// `ClusterRoleBinding` or `RoleBinding`, and its name (`NS/NAME` for a RoleBinding).
    pub binding_kind: String,
    pub binding: String,
    /// `ClusterRole/NAME` or `Role/NAME`.
    pub role: String,
}

/// The cluster's RBAC objects, as listed for `:who-can`.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub cluster_roles: Vec<ClusterRole>,
    pub cluster_role_bindings: Vec<ClusterRoleBinding>,
    pub roles: Vec<Role>,
    pub role_bindings: Vec<RoleBinding>,
}

/// List what `:who-can` reads: every ClusterRole and ClusterRoleBinding, and the Roles and
/// RoleBindings of `namespace` (none when it is asked cluster-wide).
pub async fn policy(client: Client, namespace: Option<String>) -> Result<Policy, ApiError> {
    let lp = ListParams::default();
    let wrap = ApiError::from;
    let cluster_roles = Api::<ClusterRole>::all(client.clone())
        .list(&lp)
        .await
        .map_err(wrap)?
        .items;
    let cluster_role_bindings = Api::<ClusterRoleBinding>::all(client.clone())
        .list(&lp)
        .await
        .map_err(wrap)?
        .items;
    let (roles, role_bindings) = match &namespace {
        Some(ns) => (
            Api::<Role>::namespaced(client.clone(), ns)
                .list(&lp)
                .await
                .map_err(wrap)?
                .items,
            Api::<RoleBinding>::namespaced(client, ns)
                .list(&lp)
                .await
                .map_err(wrap)?
                .items,
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Policy {
        cluster_roles,
        cluster_role_bindings,
        roles,
        role_bindings,
    })
}

fn grantee(s: &Subject, binding_kind: &str, binding: String, role: String) -> Grantee {
    let namespace = (s.kind == "ServiceAccount")
        .then(|| s.namespace.clone())
        .flatten();
    Grantee {
        kind: s.kind.clone(),
        name: s.name.clone(),
        namespace,
        binding_kind: binding_kind.into(),
        binding,
        role,
    }
}

/// The subjects whose bindings grant `ask` in `namespace` (cluster-wide when `None`): each
/// ClusterRoleBinding of a ClusterRole that allows it, then each RoleBinding of the namespace
/// whose Role or ClusterRole allows it.
pub fn who_can(policy: &Policy, ask: &Ask, namespace: Option<&str>) -> Vec<Grantee> {
    let cluster_role_allows = |name: &str| {
        policy
            .cluster_roles
            .iter()
            .find(|r| r.metadata.name.as_deref() == Some(name))
            .is_some_and(|r| r.rules.iter().flatten().any(|rule| rule_allows(rule, ask)))
    };
    let mut out = Vec::new();
    for b in &policy.cluster_role_bindings {
        if b.role_ref.kind != "ClusterRole" || !cluster_role_allows(&b.role_ref.name) {
            continue;
        }
        let name = b.metadata.name.clone().unwrap_or_default();
        for s in b.subjects.iter().flatten() {
            let role = format!("ClusterRole/{}", b.role_ref.name);
            out.push(grantee(s, "ClusterRoleBinding", name.clone(), role));
        }
    }
    let Some(ns) = namespace else {
        return out;
    };
    for b in &policy.role_bindings {
        if b.metadata.namespace.as_deref() != Some(ns) {
            continue;
        }
        let allows = match b.role_ref.kind.as_str() {
            "ClusterRole" => cluster_role_allows(&b.role_ref.name),
            "Role" => policy
                .roles
                .iter()
                .find(|r| {
                    r.metadata.name.as_deref() == Some(&b.role_ref.name)
                        && r.metadata.namespace.as_deref() == Some(ns)
                })
                .is_some_and(|r| r.rules.iter().flatten().any(|rule| rule_allows(rule, ask))),
            _ => false,
        };
        if !allows {
            continue;
        }
        let name = format!("{ns}/{}", b.metadata.name.as_deref().unwrap_or_default());
        for s in b.subjects.iter().flatten() {
            let mut g = grantee(
                s,
                "RoleBinding",
                name.clone(),
                format!("{}/{}", b.role_ref.kind, b.role_ref.name),
            );
            // A ServiceAccount named without a namespace is the binding's.
            if g.kind == "ServiceAccount" && g.namespace.is_none() {
                g.namespace = Some(ns.to_string());
            }
            out.push(g);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::authorization::v1::SelfSubjectRulesReview;
    use serde_json::json;

    fn fixture<T: serde::de::DeserializeOwned>(name: &str) -> T {
        let path = format!(
            "{}/tests/fixtures/real-cluster/ops/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn access(name: &str) -> Access {
        let review: SelfSubjectRulesReview = fixture(name);
        Access::of(review.status.as_ref().unwrap())
    }

    /// kubectl's `auth can-i --list` rows (resource, names, verbs) from its recorded text.
    fn kubectl_rows(name: &str) -> Vec<(String, String)> {
        let path = format!(
            "{}/tests/fixtures/real-cluster/ops/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rows: Vec<(String, String)> = text
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with(' '))
            .filter_map(|l| {
                let resource = l.split_whitespace().next()?.to_string();
                let verbs = l.rsplit_once('[')?.1.trim_end_matches(']');
                let mut verbs: Vec<&str> = verbs.split(' ').collect();
                verbs.sort_unstable();
                Some((resource, verbs.join(" ")))
            })
            .collect();
        rows.sort();
        rows
    }

    fn ours(a: &Access) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = a
            .by_resource()
            .into_iter()
            .map(|r| {
                let mut verbs = r.verbs.clone();
                verbs.sort();
                (r.resource, verbs.join(" "))
            })
            .collect();
        rows.sort();
        rows
    }

    #[test]
    fn rows_by_resource_are_kubectls_for_the_recorded_users() {
        for who in ["viewer", "admin"] {
            let a = access(&format!("selfsubjectrulesreview-{who}-demo.json"));
            let real = kubectl_rows(&format!("can-i-list-{who}-demo.kubectl.txt"));
            assert!(!real.is_empty());
            assert_eq!(ours(&a), real, "{who}");
        }
    }

    #[test]
    fn the_viewer_may_read_but_not_exec_the_admin_may_do_anything() {
        let viewer = access("selfsubjectrulesreview-viewer-demo.json");
        let exec = Ask::new("create", "", "pods", Some("exec"));
        assert_eq!(viewer.permits(&exec), Permission::Denied);
        assert_eq!(
            viewer.permits(&Ask::new("get", "", "pods", Some("log"))),
            Permission::Allowed
        );
        assert_eq!(
            viewer.permits(&Ask::new("patch", "apps", "deployments", None)),
            Permission::Denied
        );
        let admin = access("selfsubjectrulesreview-admin-demo.json");
        assert_eq!(admin.permits(&exec), Permission::Allowed);
        let unsure = Access {
            incomplete: true,
            ..viewer
        };
        assert_eq!(unsure.permits(&exec), Permission::Unknown);
    }

    /// The recorded cluster's bindings, with cluster-admin's rules and `view`'s as the viewer's
    /// review listed them.
    fn recorded_policy() -> Policy {
        let bindings: serde_json::Value = fixture("bindings.json");
        let mut policy = Policy::default();
        for b in bindings["items"].as_array().unwrap() {
            if b["kind"] == "ClusterRoleBinding" {
                policy
                    .cluster_role_bindings
                    .push(serde_json::from_value(b.clone()).unwrap());
            } else {
                policy
                    .role_bindings
                    .push(serde_json::from_value(b.clone()).unwrap());
            }
        }
        let viewer: SelfSubjectRulesReview = fixture("selfsubjectrulesreview-viewer-demo.json");
        let view_rules = Access::of(viewer.status.as_ref().unwrap()).rules;
        policy.cluster_roles = vec![
            serde_json::from_value(json!({"metadata": {"name": "cluster-admin"},
                "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]}))
            .unwrap(),
            ClusterRole {
                metadata: kube::api::ObjectMeta {
                    name: Some("view".into()),
                    ..Default::default()
                },
                rules: Some(view_rules),
                ..Default::default()
            },
        ];
        policy
    }

    #[test]
    fn who_can_on_the_recorded_bindings() {
        let policy = recorded_policy();
        let list_pods = Ask::new("list", "", "pods", None);
        let who = who_can(&policy, &list_pods, Some("demo"));
        let names: Vec<(&str, &str, &str)> = who
            .iter()
            .map(|g| (g.kind.as_str(), g.name.as_str(), g.role.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("Group", "system:masters", "ClusterRole/cluster-admin"),
                ("User", "viewer", "ClusterRole/view")
            ]
        );
        assert_eq!(who[1].binding, "viewer-view");
        // Exec: only the administrators.
        let exec = Ask::new("create", "", "pods", Some("exec"));
        let who = who_can(&policy, &exec, Some("demo"));
        assert_eq!(who.len(), 1);
        assert_eq!(who[0].name, "system:masters");
    }

    #[test]
    fn a_role_binding_grants_in_its_namespace_with_its_service_account() {
        let mut policy = recorded_policy();
        policy.roles.push(
            serde_json::from_value(
                json!({"metadata": {"name": "pod-reader", "namespace": "kinds"},
                "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
            )
            .unwrap(),
        );
        let ask = Ask::new("get", "", "pods", None);
        let who = who_can(&policy, &ask, Some("kinds"));
        let sa = who.iter().find(|g| g.kind == "ServiceAccount");
        let sa = sa.expect("the recorded app-sa-pod-reader binding");
        assert_eq!(sa.name, "app-sa");
        assert_eq!(sa.namespace.as_deref(), Some("kinds"));
        assert_eq!(sa.binding, "kinds/app-sa-pod-reader");
        assert_eq!(sa.role, "Role/pod-reader");
        // Not in another namespace; not for a verb the role lacks.
        let elsewhere = who_can(&policy, &ask, Some("demo"));
        assert!(elsewhere.iter().all(|g| g.kind != "ServiceAccount"));
        let delete = Ask::new("delete", "", "pods", None);
        let who = who_can(&policy, &delete, Some("kinds"));
        assert!(who.iter().all(|g| g.kind != "ServiceAccount"));
    }
}
