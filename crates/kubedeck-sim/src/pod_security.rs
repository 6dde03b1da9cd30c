//! Pod Security admission, as the apiserver's built-in `PodSecurity` plugin enforces it: a
//! namespace's `pod-security.kubernetes.io/enforce` label (privileged, baseline or restricted;
//! an unknown level counts as restricted) refuses a pod created there, or an ephemeral
//! container added to one, that breaks the level's Pod Security Standard. The answer is the
//! apiserver's 403: `pods "NAME" is forbidden: violates PodSecurity "baseline:latest": host
//! namespaces (hostNetwork=true), privileged (container "c" must not set
//! securityContext.privileged=true)`, the checks in the plugin's order with its words.
//!
//! A namespace's `pod-security.kubernetes.io/warn` label (and `warn-version`) admits such a
//! pod and says so in a `Warning` header instead: `would violate PodSecurity
//! "restricted:latest": allowPrivilegeEscalation != false (…), …` (kubectl prints it as
//! `Warning: would violate …`). Workload templates (a Deployment's) are not warned about here,
//! which the plugin does.
//!
//! Checked: baseline's capabilities, host namespaces, hostPath volumes, host ports and
//! privileged; restricted's allowPrivilegeEscalation, capabilities, volume types, runAsNonRoot,
//! runAsUser and seccompProfile. Not checked (nothing kubedeck makes sets them): AppArmor,
//! procMount, SELinux, sysctls, Windows host processes, baseline's seccomp.

use serde_json::Value;

/// The namespace label that sets the enforced level.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";
/// The label that pins the standard's version (`latest` without it).
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
/// The namespace label that sets the level warned about.
pub const WARN_LABEL: &str = "pod-security.kubernetes.io/warn";
const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// Capabilities baseline lets a container add.
const BASELINE_CAPABILITIES: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// Volume types restricted admits.
const RESTRICTED_VOLUMES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Privileged,
    Baseline,
    Restricted,
}

/// The level and version a namespace enforces, from its labels.
fn enforced(namespace: &Value) -> (Level, String) {
    level_of(namespace, ENFORCE_LABEL, ENFORCE_VERSION_LABEL)
}

/// The level and version a namespace sets with `label` and `version_label`.
fn level_of(namespace: &Value, label: &str, version_label: &str) -> (Level, String) {
    let labels = &namespace["metadata"]["labels"];
    let level = match labels[label].as_str() {
        None | Some("privileged") => Level::Privileged,
        Some("baseline") => Level::Baseline,
        // restricted, and (as the plugin does with a label it cannot parse) anything else
        Some(_) => Level::Restricted,
    };
    let version = labels[version_label]
        .as_str()
        .filter(|v| *v == "latest" || v.starts_with("v1."))
        .unwrap_or("latest")
        .to_string();
    (level, version)
}

/// Why `pod` (a whole pod, its ephemeral containers included) may not be admitted in
/// `namespace`: the message after `pods "NAME" is forbidden: `.
pub fn violation(namespace: &Value, pod: &Value) -> Option<String> {
    let (level, version) = enforced(namespace);
    judged(level, &version, pod).map(|why| format!("violates {why}"))
}

/// What the namespace's `warn` level says of `pod` (admitted): the `Warning` header's text.
pub fn warning(namespace: &Value, pod: &Value) -> Option<String> {
    let (level, version) = level_of(namespace, WARN_LABEL, WARN_VERSION_LABEL);
    judged(level, &version, pod).map(|why| format!("would violate {why}"))
}

/// `PodSecurity "LEVEL:VERSION": reasons` for what `pod` breaks of `level`, if anything.
fn judged(level: Level, version: &str, pod: &Value) -> Option<String> {
    if level == Level::Privileged {
        return None;
    }
    let name = match level {
        Level::Baseline => "baseline",
        _ => "restricted",
    };
    let spec = &pod["spec"];
    let mut failed: Vec<(&str, String)> = Vec::new();
    // The plugin's order: baseline's checks by name, then restricted's; a restricted check
    // that replaces a baseline one (capabilities, volumes) is said in restricted's place.
    if level == Level::Baseline {
        failed.extend(capabilities_baseline(spec));
    }
    failed.extend(host_namespaces(spec));
    if level == Level::Baseline {
        failed.extend(host_path_volumes(spec));
    }
    failed.extend(host_ports(spec));
    failed.extend(privileged(spec));
    if level == Level::Restricted {
        failed.extend(allow_privilege_escalation(spec));
        failed.extend(capabilities_restricted(spec));
        failed.extend(restricted_volumes(spec));
        failed.extend(run_as_non_root(spec));
        failed.extend(run_as_user(spec));
        failed.extend(seccomp_restricted(spec));
    }
    if failed.is_empty() {
        return None;
    }
    let reasons: Vec<String> = failed
        .iter()
        .map(|(reason, detail)| format!("{reason} ({detail})"))
        .collect();
    Some(format!(
        "PodSecurity \"{name}:{version}\": {}",
        reasons.join(", ")
    ))
}

/// Init containers, containers, then ephemeral containers: the plugin's visiting order.
fn containers(spec: &Value) -> impl Iterator<Item = &Value> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |field| spec[field].as_array().into_iter().flatten())
}

fn name_of(c: &Value) -> String {
    c["name"].as_str().unwrap_or_default().to_string()
}

fn pluralize<'a>(one: &'a str, many: &'a str, n: usize) -> &'a str {
    if n == 1 { one } else { many }
}

fn join_quote(items: &[String]) -> String {
    items
        .iter()
        .map(|i| format!("{i:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `container "a"` or `containers "a", "b"`.
fn which(names: &[String]) -> String {
    format!(
        "{} {}",
        pluralize("container", "containers", names.len()),
        join_quote(names)
    )
}

fn added_capabilities(c: &Value) -> Vec<String> {
    c["securityContext"]["capabilities"]["add"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_str().map(str::to_string))
        .collect()
}

/// Containers adding a capability outside `allowed`, and those capabilities (sorted, once).
fn adding_outside(spec: &Value, allowed: &[&str]) -> (Vec<String>, Vec<String>) {
    let mut bad = Vec::new();
    let mut caps = std::collections::BTreeSet::new();
    for c in containers(spec) {
        let outside: Vec<String> = added_capabilities(c)
            .into_iter()
            .filter(|a| !allowed.contains(&a.as_str()))
            .collect();
        if !outside.is_empty() {
            bad.push(name_of(c));
            caps.extend(outside);
        }
    }
    (bad, caps.into_iter().collect())
}

fn capabilities_baseline(spec: &Value) -> Option<(&'static str, String)> {
    let (bad, caps) = adding_outside(spec, BASELINE_CAPABILITIES);
    (!bad.is_empty()).then(|| {
        (
            "non-default capabilities",
            format!(
                "{} must not include {} in securityContext.capabilities.add",
                which(&bad),
                join_quote(&caps)
            ),
        )
    })
}

fn host_namespaces(spec: &Value) -> Option<(&'static str, String)> {
    let set: Vec<&str> = [
        ("hostNetwork", "hostNetwork=true"),
        ("hostPID", "hostPID=true"),
        ("hostIPC", "hostIPC=true"),
    ]
    .into_iter()
    .filter(|(field, _)| spec[*field] == Value::Bool(true))
    .map(|(_, said)| said)
    .collect();
    (!set.is_empty()).then(|| ("host namespaces", set.join(", ")))
}

fn volumes(spec: &Value) -> impl Iterator<Item = &Value> {
    spec["volumes"].as_array().into_iter().flatten()
}

fn host_path_volumes(spec: &Value) -> Option<(&'static str, String)> {
    let bad: Vec<String> = volumes(spec)
        .filter(|v| v.get("hostPath").is_some())
        .map(name_of)
        .collect();
    (!bad.is_empty()).then(|| {
        (
            "hostPath volumes",
            format!(
                "{} {}",
                pluralize("volume", "volumes", bad.len()),
                join_quote(&bad)
            ),
        )
    })
}

fn host_ports(spec: &Value) -> Option<(&'static str, String)> {
    let mut bad = Vec::new();
    let mut ports = Vec::new();
    for c in containers(spec) {
        let mine: Vec<String> = c["ports"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["hostPort"].as_i64())
            .filter(|p| *p != 0)
            .map(|p| p.to_string())
            .collect();
        if !mine.is_empty() {
            bad.push(name_of(c));
            ports.extend(mine);
        }
    }
    (!bad.is_empty()).then(|| {
        (
            "hostPort",
            format!(
                "{} {} {} {}",
                which(&bad),
                pluralize("uses", "use", bad.len()),
                pluralize("hostPort", "hostPorts", ports.len()),
                ports.join(", ")
            ),
        )
    })
}

fn privileged(spec: &Value) -> Option<(&'static str, String)> {
    let bad: Vec<String> = containers(spec)
        .filter(|c| c["securityContext"]["privileged"] == Value::Bool(true))
        .map(name_of)
        .collect();
    (!bad.is_empty()).then(|| {
        (
            "privileged",
            format!(
                "{} must not set securityContext.privileged=true",
                which(&bad)
            ),
        )
    })
}

fn allow_privilege_escalation(spec: &Value) -> Option<(&'static str, String)> {
    let bad: Vec<String> = containers(spec)
        .filter(|c| c["securityContext"]["allowPrivilegeEscalation"] != Value::Bool(false))
        .map(name_of)
        .collect();
    (!bad.is_empty()).then(|| {
        (
            "allowPrivilegeEscalation != false",
            format!(
                "{} must set securityContext.allowPrivilegeEscalation=false",
                which(&bad)
            ),
        )
    })
}

fn capabilities_restricted(spec: &Value) -> Option<(&'static str, String)> {
    let not_dropping_all: Vec<String> = containers(spec)
        .filter(|c| {
            !c["securityContext"]["capabilities"]["drop"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|d| d == "ALL")
        })
        .map(name_of)
        .collect();
    let (adding, caps) = adding_outside(spec, &["NET_BIND_SERVICE"]);
    let mut details = Vec::new();
    if !not_dropping_all.is_empty() {
        details.push(format!(
            "{} must set securityContext.capabilities.drop=[\"ALL\"]",
            which(&not_dropping_all)
        ));
    }
    if !adding.is_empty() {
        details.push(format!(
            "{} must not include {} in securityContext.capabilities.add",
            which(&adding),
            join_quote(&caps)
        ));
    }
    (!details.is_empty()).then(|| ("unrestricted capabilities", details.join("; ")))
}

fn restricted_volumes(spec: &Value) -> Option<(&'static str, String)> {
    let mut bad = Vec::new();
    let mut types = std::collections::BTreeSet::new();
    for v in volumes(spec) {
        let kind = v.as_object().and_then(|o| {
            o.keys()
                .find(|k| k.as_str() != "name")
                .map(String::to_string)
        });
        if let Some(kind) = kind.filter(|k| !RESTRICTED_VOLUMES.contains(&k.as_str())) {
            bad.push(name_of(v));
            types.insert(kind);
        }
    }
    let types: Vec<String> = types.into_iter().collect();
    (!bad.is_empty()).then(|| {
        (
            "restricted volume types",
            format!(
                "{} {} {} restricted volume {} {}",
                pluralize("volume", "volumes", bad.len()),
                join_quote(&bad),
                pluralize("uses", "use", bad.len()),
                pluralize("type", "types", types.len()),
                join_quote(&types)
            ),
        )
    })
}

/// The checks where the pod's securityContext may answer for its containers: who set the
/// field to a bad value (`pod`, `container "a"`), and which containers left it unset while
/// the pod did not set a good one.
fn pod_or_containers(
    spec: &Value,
    field: &str,
    good: impl Fn(&Value) -> bool,
) -> (Vec<String>, Vec<String>) {
    let pod_value = &spec["securityContext"][field];
    let mut setters = Vec::new();
    let pod_good = !pod_value.is_null() && good(pod_value);
    if !pod_value.is_null() && !pod_good {
        setters.push("pod".to_string());
    }
    let mut explicit = Vec::new();
    let mut implicit = Vec::new();
    for c in containers(spec) {
        let value = &c["securityContext"][field];
        if value.is_null() {
            if !pod_good {
                implicit.push(name_of(c));
            }
        } else if !good(value) {
            explicit.push(name_of(c));
        }
    }
    if !explicit.is_empty() {
        setters.push(which(&explicit));
    }
    (setters, implicit)
}

fn run_as_non_root(spec: &Value) -> Option<(&'static str, String)> {
    let (setters, unset) = pod_or_containers(spec, "runAsNonRoot", |v| *v == Value::Bool(true));
    let detail = if !setters.is_empty() {
        format!(
            "{} must not set securityContext.runAsNonRoot=false",
            setters.join(" and ")
        )
    } else if !unset.is_empty() {
        format!(
            "pod or {} must set securityContext.runAsNonRoot=true",
            which(&unset)
        )
    } else {
        return None;
    };
    Some(("runAsNonRoot != true", detail))
}

fn run_as_user(spec: &Value) -> Option<(&'static str, String)> {
    let mut setters = Vec::new();
    if spec["securityContext"]["runAsUser"].as_i64() == Some(0) {
        setters.push("pod".to_string());
    }
    let bad: Vec<String> = containers(spec)
        .filter(|c| c["securityContext"]["runAsUser"].as_i64() == Some(0))
        .map(name_of)
        .collect();
    if !bad.is_empty() {
        setters.push(which(&bad));
    }
    (!setters.is_empty()).then(|| {
        (
            "runAsUser=0",
            format!("{} must not set runAsUser=0", setters.join(" and ")),
        )
    })
}

fn seccomp_restricted(spec: &Value) -> Option<(&'static str, String)> {
    let valid = |v: &Value| matches!(v["type"].as_str(), Some("RuntimeDefault" | "Localhost"));
    let (setters, unset) = pod_or_containers(spec, "seccompProfile", valid);
    let detail = if !setters.is_empty() {
        let mut types: Vec<String> = std::iter::once(&spec["securityContext"])
            .chain(containers(spec).map(|c| &c["securityContext"]))
            .map(|sc| &sc["seccompProfile"])
            .filter(|p| !p.is_null() && !valid(p))
            .map(|p| p["type"].as_str().unwrap_or_default().to_string())
            .collect();
        types.sort();
        types.dedup();
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            setters.join(" and "),
            join_quote(&types)
        )
    } else if !unset.is_empty() {
        format!(
            "pod or {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            which(&unset)
        )
    } else {
        return None;
    };
    Some(("seccompProfile", detail))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ns(labels: Value) -> Value {
        json!({"metadata": {"name": "x", "labels": labels}})
    }

    /// The pod `kubectl debug node` makes, as kubedeck's node shell makes it.
    fn node_debugger() -> Value {
        json!({"spec": {
            "hostIPC": true, "hostNetwork": true, "hostPID": true,
            "containers": [{"name": "debugger", "image": "busybox",
                "securityContext": {"privileged": true},
                "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]}],
            "volumes": [{"name": "host-root", "hostPath": {"path": "/"}}]}})
    }

    #[test]
    fn an_unlabelled_or_privileged_namespace_admits_anything() {
        assert_eq!(violation(&ns(json!({})), &node_debugger()), None);
        let privileged = ns(json!({ENFORCE_LABEL: "privileged"}));
        assert_eq!(violation(&privileged, &node_debugger()), None);
    }

    #[test]
    fn baseline_refuses_a_node_debugger_in_the_plugins_words() {
        // The order and words of a real refusal (kubectl debug node in a baseline namespace;
        // cilium/pwru#583 shows the same order: host namespaces, hostPath volumes, privileged).
        let baseline = ns(json!({ENFORCE_LABEL: "baseline"}));
        assert_eq!(
            violation(&baseline, &node_debugger()).as_deref(),
            Some(
                "violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), hostPath volumes (volume \"host-root\"), privileged (container \"debugger\" must not set securityContext.privileged=true)"
            )
        );
    }

    #[test]
    fn restricted_says_every_check_a_root_debugger_breaks() {
        // As OpenShift's `oc debug node` refusal in a restricted namespace reads
        // (red-hat-storage/ocs-ci#11776), for the checks this pod breaks.
        let restricted = ns(json!({ENFORCE_LABEL: "restricted", ENFORCE_VERSION_LABEL: "v1.36"}));
        let text = violation(&restricted, &node_debugger()).unwrap_or_default();
        assert_eq!(
            text,
            "violates PodSecurity \"restricted:v1.36\": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), privileged (container \"debugger\" must not set securityContext.privileged=true), allowPrivilegeEscalation != false (container \"debugger\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"debugger\" must set securityContext.capabilities.drop=[\"ALL\"]), restricted volume types (volume \"host-root\" uses restricted volume type \"hostPath\"), runAsNonRoot != true (pod or container \"debugger\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \"debugger\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")"
        );
    }

    #[test]
    fn baseline_refuses_an_ephemeral_container_adding_network_capabilities() {
        let pod = json!({"spec": {
            "containers": [{"name": "web", "image": "nginx"}],
            "ephemeralContainers": [{"name": "kubedeck-net-abcde", "image": "netshoot",
                "securityContext": {"capabilities": {"add": ["NET_RAW", "NET_ADMIN", "CHOWN"]}}}]}});
        let baseline = ns(json!({ENFORCE_LABEL: "baseline"}));
        assert_eq!(
            violation(&baseline, &pod).as_deref(),
            Some(
                "violates PodSecurity \"baseline:latest\": non-default capabilities (container \"kubedeck-net-abcde\" must not include \"NET_ADMIN\", \"NET_RAW\" in securityContext.capabilities.add)"
            )
        );
        // A debugger adding nothing is baseline's kind of container.
        let plain = json!({"spec": {"containers": [{"name": "web"}],
            "ephemeralContainers": [{"name": "kubedeck-busybox-abcde"}]}});
        assert_eq!(violation(&baseline, &plain), None);
    }

    #[test]
    fn restricted_admits_a_container_that_runs_as_it_asks_and_pod_settings_count() {
        let locked = json!({"allowPrivilegeEscalation": false, "runAsNonRoot": true,
            "capabilities": {"drop": ["ALL"]}, "seccompProfile": {"type": "RuntimeDefault"}});
        let restricted = ns(json!({ENFORCE_LABEL: "restricted"}));
        let pod = json!({"spec": {"containers": [{"name": "a", "securityContext": locked}]}});
        assert_eq!(violation(&restricted, &pod), None);
        // The pod's runAsNonRoot and seccompProfile answer for a container that does not say.
        let pod = json!({"spec": {
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false,
                "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}]}});
        assert_eq!(violation(&restricted, &pod), None);
        // A container saying false is refused even under a pod saying true.
        let pod = json!({"spec": {"securityContext": {"runAsNonRoot": true,
                "seccompProfile": {"type": "Unconfined"}, "runAsUser": 0},
            "containers": [{"name": "a", "securityContext": {"allowPrivilegeEscalation": false,
                "runAsNonRoot": false, "capabilities": {"drop": ["ALL"]}}}]}});
        assert_eq!(
            violation(&restricted, &pod).as_deref(),
            Some(
                "violates PodSecurity \"restricted:latest\": runAsNonRoot != true (container \"a\" must not set securityContext.runAsNonRoot=false), runAsUser=0 (pod must not set runAsUser=0), seccompProfile (pod must not set securityContext.seccompProfile.type to \"Unconfined\")"
            )
        );
    }

    #[test]
    fn an_unknown_level_is_restricted_and_host_ports_are_counted() {
        let odd = ns(json!({ENFORCE_LABEL: "strict"}));
        let pod = json!({"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}});
        let text = violation(&odd, &pod).unwrap_or_default();
        assert!(
            text.starts_with("violates PodSecurity \"restricted:latest\": hostPort (container \"a\" uses hostPort 8080), allowPrivilegeEscalation"),
            "{text}"
        );
    }
}
