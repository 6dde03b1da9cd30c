//! Refusals by Pod Security admission (a namespace's `pod-security.kubernetes.io/enforce`
//! level), read apart from RBAC's: both are a 403 `Forbidden`, but one asks for a role and the
//! other for a different pod or namespace. The apiserver words them `pods "web-1" is
//! forbidden: violates PodSecurity "baseline:latest": non-default capabilities (…)`.

/// The namespace label that sets the enforced level.
pub const ENFORCE_LABEL: &str = "pod-security.kubernetes.io/enforce";

/// Capabilities Pod Security `baseline` lets a container add.
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

/// Why a namespace enforcing `level` would refuse a debugger adding `capabilities` (and
/// running as restricted asks when `restricted`), judged on the debugger alone (the apiserver
/// weighs the whole pod, so an admitted one can still be refused for the pod's own
/// containers): `None` when it admits it.
pub fn refuses(level: &str, capabilities: &[String], restricted: bool) -> Option<String> {
    let outside = |allowed: &[&str]| -> Vec<String> {
        capabilities
            .iter()
            .filter(|c| !allowed.contains(&c.as_str()))
            .cloned()
            .collect()
    };
    match level {
        "privileged" => None,
        "baseline" => {
            let caps = outside(BASELINE_CAPABILITIES);
            (!caps.is_empty()).then(|| format!("adds {}", caps.join(", ")))
        }
        // restricted, and a level the apiserver cannot read (it enforces restricted then)
        _ if !restricted => Some("runs as root".into()),
        _ => {
            let caps = outside(&["NET_BIND_SERVICE"]);
            (!caps.is_empty()).then(|| format!("adds {}", caps.join(", ")))
        }
    }
}

/// A Pod Security refusal, in the apiserver's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal<'a> {
    /// `baseline` or `restricted`.
    pub level: &'a str,
    /// The level and version: `baseline:latest`.
    pub standard: &'a str,
    /// The checks the pod failed: `non-default capabilities (container "x" must not …)`.
    pub checks: &'a str,
}

/// The Pod Security refusal in a 403's message, if it is one.
pub fn refusal(message: &str) -> Option<Refusal<'_>> {
    let (_, rest) = message.split_once("violates PodSecurity \"")?;
    let (standard, checks) = rest.split_once("\": ")?;
    let level = standard.split(':').next().unwrap_or(standard);
    Some(Refusal {
        level,
        standard,
        checks,
    })
}

/// Why an ephemeral debugger was refused, and which one the namespace admits.
pub fn advice_for_debugger(namespace: &str, r: &Refusal<'_>) -> String {
    let admitted = if r.level == "baseline" {
        "a profile adding none of these capabilities (busybox) is admitted there, and `restricted` anywhere"
    } else {
        "only a debugger that runs as restricted asks is admitted there: the `restricted` profile (as nobody, no capabilities)"
    };
    format!(
        "Pod Security refuses it: namespace {namespace} enforces \"{}\": {}; {admitted}",
        r.standard, r.checks
    )
}

/// Why a node shell's pod was refused, and where it would be admitted.
pub fn advice_for_node_shell(namespace: &str, r: &Refusal<'_>) -> String {
    format!(
        "Pod Security refuses the privileged pod a node shell needs: namespace {namespace} enforces \"{}\": {}; set [nodes] shell_namespace to a namespace that admits privileged pods (pod-security.kubernetes.io/enforce privileged or unset), or install the kubedeck agent (kubedeck agent install)",
        r.standard, r.checks
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A refusal as a real apiserver words it (kubectl debug node in a baseline namespace).
    const NODE_DEBUGGER: &str = "pods \"node-debugger-worker-1-x7k2p\" is forbidden: violates PodSecurity \"baseline:latest\": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), hostPath volumes (volume \"host-root\"), privileged (container \"debugger\" must not set securityContext.privileged=true)";

    #[test]
    fn a_pod_security_refusal_is_read_and_an_rbac_one_is_not() {
        let r = refusal(NODE_DEBUGGER).unwrap();
        assert_eq!(r.level, "baseline");
        assert_eq!(r.standard, "baseline:latest");
        assert!(r.checks.starts_with("host namespaces (hostNetwork=true"));
        assert!(r.checks.ends_with("securityContext.privileged=true)"));
        let rbac = "pods \"web-1\" is forbidden: User \"viewer\" cannot patch resource \"pods/ephemeralcontainers\" in API group \"\" in the namespace \"demo\"";
        assert_eq!(refusal(rbac), None);
    }

    #[test]
    fn the_advice_names_what_the_level_admits() {
        let baseline = "pods \"web-1\" is forbidden: violates PodSecurity \"baseline:latest\": non-default capabilities (container \"kubedeck-net-abcde\" must not include \"NET_ADMIN\", \"NET_RAW\" in securityContext.capabilities.add)";
        let advice = |ns: &str, m: &str| {
            let r = refusal(m).expect("a Pod Security refusal");
            advice_for_debugger(ns, &r)
        };
        let text = advice("payments", baseline);
        assert!(text.starts_with("Pod Security refuses it: namespace payments enforces \"baseline:latest\": non-default capabilities"), "{text}");
        assert!(text.contains("(busybox)"), "{text}");
        let restricted = baseline.replace("baseline:latest", "restricted:v1.36");
        let text = advice("vault", &restricted);
        assert!(text.contains("\"restricted:v1.36\""), "{text}");
        assert!(text.contains("the `restricted` profile"), "{text}");
        assert!(!text.contains("busybox"), "{text}");
        let text = advice_for_node_shell(
            "default",
            &refusal(NODE_DEBUGGER).expect("a Pod Security refusal"),
        );
        assert!(
            text.contains("namespace default enforces \"baseline:latest\": host namespaces"),
            "{text}"
        );
        assert!(text.contains("set [nodes] shell_namespace"), "{text}");
    }
}
