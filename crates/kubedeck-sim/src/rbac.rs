//! RBAC as the apiserver's authorizer applies it, computed from the stored (Cluster)Roles and
//! (Cluster)RoleBindings: whether a request is allowed (and by which binding), what a user may
//! do in a namespace (SelfSubjectRulesReview), and the answer to a SubjectAccessReview.
//!
//! The rules follow `k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac`: `*` matches any
//! verb, group or resource; `*/SUB` any resource's subresource SUB; an empty `resourceNames`
//! any name. Members of `system:masters` are allowed everything without a rule, as the
//! apiserver's privileged-group authorizer does.

use serde_json::{Value, json};

use crate::resources::Kind;
use crate::store::Store;

/// The simulator's default user (the name its forbidden messages use).
pub const ADMIN_USER: &str = "kubedeck-sim";

/// Who a request comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub user: String,
    pub groups: Vec<String>,
}

impl Identity {
    /// The simulator's default user: an administrator, as kubeadm's admin.conf is.
    pub fn admin() -> Self {
        Self {
            user: ADMIN_USER.to_string(),
            groups: vec!["system:masters".into(), "system:authenticated".into()],
        }
    }

    /// A user with only what bindings give it (and `system:authenticated`'s).
    pub fn user(name: &str) -> Self {
        Self {
            user: name.to_string(),
            groups: vec!["system:authenticated".into()],
        }
    }

    fn superuser(&self) -> bool {
        self.groups.iter().any(|g| g == "system:masters")
    }
}

/// What is asked: a verb on a resource (with its subresource and name) in a namespace.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    pub verb: &'a str,
    pub group: &'a str,
    pub resource: &'a str,
    pub subresource: Option<&'a str>,
    pub name: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

/// One rule of a role.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rule {
    pub verbs: Vec<String>,
    pub api_groups: Vec<String>,
    pub resources: Vec<String>,
    pub resource_names: Vec<String>,
    pub non_resource_urls: Vec<String>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

impl Rule {
    fn read(v: &Value) -> Self {
        Self {
            verbs: strings(&v["verbs"]),
            api_groups: strings(&v["apiGroups"]),
            resources: strings(&v["resources"]),
            resource_names: strings(&v["resourceNames"]),
            non_resource_urls: strings(&v["nonResourceURLs"]),
        }
    }

    /// Whether this rule allows `a` (rbac's `RuleAllows`).
    pub fn allows(&self, a: &Attributes<'_>) -> bool {
        let any = |list: &[String], want: &str| list.iter().any(|x| x == "*" || x == want);
        if !any(&self.verbs, a.verb) || !any(&self.api_groups, a.group) {
            return false;
        }
        let combined = match a.subresource {
            Some(sub) => format!("{}/{sub}", a.resource),
            None => a.resource.to_string(),
        };
        let resource_ok = self.resources.iter().any(|r| {
            r == "*"
                || *r == combined
                || a.subresource
                    .is_some_and(|sub| r.strip_prefix("*/") == Some(sub))
        });
        let name_ok = self.resource_names.is_empty()
            || a.name
                .is_some_and(|n| self.resource_names.iter().any(|x| x == n));
        resource_ok && name_ok
    }

    fn to_json(&self) -> Value {
        if !self.non_resource_urls.is_empty() {
            return json!({"nonResourceURLs": self.non_resource_urls, "verbs": self.verbs});
        }
        let mut v = json!({"verbs": self.verbs, "apiGroups": self.api_groups,
            "resources": self.resources});
        if !self.resource_names.is_empty() {
            v["resourceNames"] = json!(self.resource_names);
        }
        v
    }
}

/// A binding that applies, with the role it grants and the rules of that role.
struct Grant {
    binding_kind: &'static str,
    binding: String,
    role_kind: String,
    role: String,
    subject: String,
    rules: Vec<Rule>,
}

/// Whether `subject` (a binding's subject) is `who`; the words of the reason when it is.
fn subject_matches(subject: &Value, who: &Identity, binding_ns: &str) -> Option<String> {
    let name = subject["name"].as_str()?;
    match subject["kind"].as_str()? {
        "User" if name == who.user => Some(format!("User \"{name}\"")),
        "Group" if who.groups.iter().any(|g| g == name) => Some(format!("Group \"{name}\"")),
        "ServiceAccount" => {
            let ns = subject["namespace"].as_str().unwrap_or(binding_ns);
            let user = format!("system:serviceaccount:{ns}:{name}");
            (user == who.user).then(|| format!("ServiceAccount \"{name}/{ns}\""))
        }
        _ => None,
    }
}

fn role_rules(store: &Store, kind: &str, name: &str, namespace: &str) -> Vec<Rule> {
    let (stored, key) = match kind {
        "ClusterRole" => (Kind::ClusterRole, (String::new(), name.to_string())),
        "Role" => (Kind::Role, (namespace.to_string(), name.to_string())),
        _ => return Vec::new(),
    };
    store
        .get(stored, &key)
        .and_then(|role| {
            role["rules"]
                .as_array()
                .map(|r| r.iter().map(Rule::read).collect())
        })
        .unwrap_or_default()
}

/// The grants that apply to `who` in `namespace` (cluster-wide ones first, as the apiserver
/// visits them).
fn grants(store: &Store, who: &Identity, namespace: Option<&str>) -> Vec<Grant> {
    let mut out = Vec::new();
    let mut visit = |kind: Kind, binding_kind: &'static str| {
        for b in store.snapshot(kind).items {
            let ns = b["metadata"]["namespace"].as_str().unwrap_or_default();
            if kind == Kind::RoleBinding && Some(ns) != namespace {
                continue;
            }
            let Some(subject) = b["subjects"]
                .as_array()
                .into_iter()
                .flatten()
                .find_map(|s| subject_matches(s, who, ns))
            else {
                continue;
            };
            let role_kind = b["roleRef"]["kind"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let role = b["roleRef"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            out.push(Grant {
                binding_kind,
                binding: b["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                rules: role_rules(store, &role_kind, &role, ns),
                role_kind,
                role,
                subject,
            });
        }
    };
    visit(Kind::ClusterRoleBinding, "ClusterRoleBinding");
    visit(Kind::RoleBinding, "RoleBinding");
    out
}

/// The authorizer's decision and its reason (empty when denied, as RBAC gives none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub reason: String,
}

pub fn authorize(store: &Store, who: &Identity, a: &Attributes<'_>) -> Decision {
    if who.superuser() {
        return Decision {
            allowed: true,
            reason: String::new(),
        };
    }
    for g in grants(store, who, a.namespace) {
        if g.rules.iter().any(|r| r.allows(a)) {
            // rbac's describers: a RoleBinding is named NAME/NAMESPACE.
            let binding = if g.binding_kind == "RoleBinding" {
                format!("{}/{}", g.binding, a.namespace.unwrap_or_default())
            } else {
                g.binding.clone()
            };
            return Decision {
                allowed: true,
                reason: format!(
                    "RBAC: allowed by {} \"{binding}\" of {} \"{}\" to {}",
                    g.binding_kind, g.role_kind, g.role, g.subject
                ),
            };
        }
    }
    Decision {
        allowed: false,
        reason: String::new(),
    }
}

/// The SelfSubjectRulesReview status for `who` in `namespace`: every rule of every role bound
/// to it there, resource rules and non-resource rules apart.
pub fn rules_review(store: &Store, who: &Identity, namespace: &str) -> Value {
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for g in grants(store, who, Some(namespace)) {
        for r in &g.rules {
            if r.non_resource_urls.is_empty() {
                resource_rules.push(r.to_json());
            } else {
                non_resource_rules.push(r.to_json());
            }
        }
    }
    json!({"resourceRules": resource_rules, "nonResourceRules": non_resource_rules,
        "incomplete": false})
}

/// A SubjectAccessReview's (or a SelfSubjectAccessReview's) `status` for `spec`, asked by
/// `who` (the user and groups of a SubjectAccessReview's spec, when it names them).
pub fn access_review(store: &Store, who: &Identity, spec: &Value) -> Value {
    let ra = &spec["resourceAttributes"];
    let text = |k: &str| ra[k].as_str().filter(|s| !s.is_empty());
    let a = Attributes {
        verb: text("verb").unwrap_or_default(),
        group: text("group").unwrap_or_default(),
        resource: text("resource").unwrap_or_default(),
        subresource: text("subresource"),
        name: text("name"),
        namespace: text("namespace"),
    };
    let d = authorize(store, who, &a);
    if d.reason.is_empty() {
        json!({"allowed": d.allowed})
    } else {
        json!({"allowed": d.allowed, "reason": d.reason})
    }
}

/// The ClusterRoles and bindings every cluster has (as the apiserver's bootstrap policy
/// creates them), and the `view` role given to user `viewer`, as on the recorded cluster.
pub fn seed(store: &Store, created: &Value) {
    let meta = |name: &str| {
        json!({"name": name, "uid": format!("rbac-{name}"), "creationTimestamp": created,
            "labels": {"kubernetes.io/bootstrapping": "rbac-defaults"}})
    };
    let role = |name: &str, rules: Value| {
        let mut v = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": meta(name), "rules": rules});
        v["metadata"]["name"] = json!(name);
        store.put(Kind::ClusterRole, v);
    };
    let binding = |name: &str, role: &str, subjects: Value| {
        store.put(
            Kind::ClusterRoleBinding,
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                "metadata": meta(name),
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": subjects}),
        );
    };
    role(
        "cluster-admin",
        json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
               {"nonResourceURLs": ["*"], "verbs": ["*"]}]),
    );
    role(
        "system:basic-user",
        json!([{"apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], "verbs": ["create"]},
               {"apiGroups": ["authentication.k8s.io"], "resources": ["selfsubjectreviews"], "verbs": ["create"]}]),
    );
    role(
        "system:discovery",
        json!([{"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], "verbs": ["get"]}]),
    );
    role(
        "system:public-info-viewer",
        json!([{"nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]}]),
    );
    // As the recorded cluster has it (its distribution adds it).
    role(
        "system:openshift:public-info-viewer",
        json!([{"nonResourceURLs": ["/.well-known", "/.well-known/*"], "verbs": ["get"]}]),
    );
    // The aggregated `view` role, as the recorded viewer's review lists it.
    let read = json!(["get", "list", "watch"]);
    role(
        "view",
        json!([
            {"apiGroups": [""], "resources": ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], "verbs": read},
            {"apiGroups": [""], "resources": ["bindings", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], "verbs": read},
            {"apiGroups": [""], "resources": ["namespaces"], "verbs": read},
            {"apiGroups": ["", "events.k8s.io"], "resources": ["events"], "verbs": read},
            {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": read},
            {"apiGroups": ["apps"], "resources": ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], "verbs": read},
            {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], "verbs": read},
            {"apiGroups": ["batch"], "resources": ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], "verbs": read},
            {"apiGroups": ["policy"], "resources": ["poddisruptionbudgets", "poddisruptionbudgets/status"], "verbs": read},
            {"apiGroups": ["networking.k8s.io"], "resources": ["ingresses", "ingresses/status", "networkpolicies"], "verbs": read},
            {"apiGroups": ["tekton.dev"], "resources": ["pipelineruns", "taskruns"], "verbs": read}
        ]),
    );
    binding(
        "cluster-admin",
        "cluster-admin",
        json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}]),
    );
    let authenticated = json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"}]);
    binding(
        "system:basic-user",
        "system:basic-user",
        authenticated.clone(),
    );
    binding("system:discovery", "system:discovery", authenticated);
    let anyone = json!([
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:authenticated"},
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:unauthenticated"}]);
    binding(
        "system:public-info-viewer",
        "system:public-info-viewer",
        anyone.clone(),
    );
    binding(
        "system:openshift:public-info-viewer",
        "system:openshift:public-info-viewer",
        anyone,
    );
    binding(
        "viewer-view",
        "view",
        json!([{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "viewer"}]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Value {
        let path = format!(
            "{}/../../tests/fixtures/real-cluster/ops/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn seeded() -> Store {
        let store = Store::new(100);
        seed(&store, &json!("2026-12-01T00:00:00Z"));
        store
    }

    fn sorted_rules(v: &Value) -> Vec<String> {
        let mut out: Vec<String> = v
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let mut r = r.clone();
                for k in ["verbs", "apiGroups", "resources", "resourceNames"] {
                    if let Some(a) = r[k].as_array_mut() {
                        a.sort_by_key(|x| x.to_string());
                    }
                }
                r.to_string()
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn the_viewers_rules_are_what_the_real_apiserver_reviewed() {
        let store = seeded();
        let ours = rules_review(&store, &Identity::user("viewer"), "demo");
        let real = fixture("selfsubjectrulesreview-viewer-demo.json");
        // The real cluster has no Tekton and serves `extensions`; compare what both serve.
        let keep = |rules: &Value| -> Value {
            Value::Array(
                rules
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| {
                        let groups = strings(&r["apiGroups"]);
                        !groups.iter().any(|g| {
                            ["tekton.dev", "extensions", "resource.k8s.io"].contains(&g.as_str())
                        })
                    })
                    .cloned()
                    .collect(),
            )
        };
        assert_eq!(
            sorted_rules(&keep(&ours["resourceRules"])),
            sorted_rules(&keep(&real["status"]["resourceRules"]))
        );
        assert_eq!(
            sorted_rules(&ours["nonResourceRules"]),
            sorted_rules(&real["status"]["nonResourceRules"])
        );
    }

    #[test]
    fn the_viewer_may_not_exec_as_the_recorded_review_says() {
        let store = seeded();
        let recorded = fixture("subjectaccessreview-viewer-exec.json");
        let who = Identity::user(recorded["spec"]["user"].as_str().unwrap_or_default());
        let ours = access_review(&store, &who, &recorded["spec"]);
        assert_eq!(ours, recorded["status"]);
        // Reading pods is allowed, and said through which binding.
        let get =
            json!({"resourceAttributes": {"namespace": "demo", "resource": "pods", "verb": "get"}});
        let ours = access_review(&store, &who, &get);
        assert_eq!(ours["allowed"], true);
        assert_eq!(
            ours["reason"],
            "RBAC: allowed by ClusterRoleBinding \"viewer-view\" of ClusterRole \"view\" to User \"viewer\""
        );
    }

    #[test]
    fn wildcards_subresources_and_names_match_as_rbac_does() {
        let rule = |resources: &[&str], names: &[&str]| Rule {
            verbs: vec!["get".into()],
            api_groups: vec![String::new()],
            resources: resources.iter().map(|s| s.to_string()).collect(),
            resource_names: names.iter().map(|s| s.to_string()).collect(),
            non_resource_urls: vec![],
        };
        let ask = |sub: Option<&'static str>, name: Option<&'static str>| Attributes {
            verb: "get",
            group: "",
            resource: "pods",
            subresource: sub,
            name,
            namespace: Some("demo"),
        };
        assert!(rule(&["pods"], &[]).allows(&ask(None, None)));
        assert!(!rule(&["pods"], &[]).allows(&ask(Some("log"), None)));
        assert!(rule(&["*/log"], &[]).allows(&ask(Some("log"), None)));
        assert!(rule(&["*"], &[]).allows(&ask(Some("exec"), None)));
        assert!(!rule(&["pods"], &["web-1"]).allows(&ask(None, None)));
        assert!(rule(&["pods"], &["web-1"]).allows(&ask(None, Some("web-1"))));
    }

    #[test]
    fn a_role_binding_applies_in_its_namespace_only() {
        let store = seeded();
        store.put(
            Kind::Role,
            json!({"metadata": {"namespace": "ci", "name": "exec"},
                "rules": [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}]}),
        );
        store.put(
            Kind::RoleBinding,
            json!({"metadata": {"namespace": "ci", "name": "viewer-exec"},
                "roleRef": {"kind": "Role", "name": "exec"},
                "subjects": [{"kind": "User", "name": "viewer"}]}),
        );
        let who = Identity::user("viewer");
        let exec = |ns: &'static str| Attributes {
            verb: "create",
            group: "",
            resource: "pods",
            subresource: Some("exec"),
            name: Some("x"),
            namespace: Some(ns),
        };
        let d = authorize(&store, &who, &exec("ci"));
        assert!(d.allowed);
        assert_eq!(
            d.reason,
            "RBAC: allowed by RoleBinding \"viewer-exec/ci\" of Role \"exec\" to User \"viewer\""
        );
        assert!(!authorize(&store, &who, &exec("demo")).allowed);
    }
}
