//! What a debug session asks for, checked before anything touches the node: the pod and
//! container names as Kubernetes allows them, and the container ID as the kubelet reports it
//! (`containerd://<64 hex>`, `cri-o://…`, `docker://…`). Nothing else from the request reaches
//! a path or a command line.

use std::fmt;

/// The container runtimes whose IDs and cgroup layouts the agent knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    Containerd,
    CriO,
    Docker,
}

impl Runtime {
    pub fn scheme(self) -> &'static str {
        match self {
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Docker => "docker",
        }
    }
}

/// A container ID from a pod's status: the runtime and 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerId {
    pub runtime: Runtime,
    pub hex: String,
}

impl fmt::Display for ContainerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.runtime.scheme(), self.hex)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error(
        "container ID {0:?} is not RUNTIME://ID with RUNTIME containerd, cri-o or docker and ID 64 hex digits (as the pod's status.containerStatuses[].containerID)"
    )]
    ContainerId(String),
    #[error("{what} {value:?} is not a valid Kubernetes name")]
    Name { what: &'static str, value: String },
}

impl ContainerId {
    pub fn parse(text: &str) -> Result<Self, TargetError> {
        let bad = || TargetError::ContainerId(text.chars().take(100).collect());
        let (scheme, hex) = text.split_once("://").ok_or_else(bad)?;
        let runtime = match scheme {
            "containerd" => Runtime::Containerd,
            "cri-o" => Runtime::CriO,
            "docker" => Runtime::Docker,
            _ => return Err(bad()),
        };
        let valid = hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !valid {
            return Err(bad());
        }
        Ok(Self {
            runtime,
            hex: hex.to_string(),
        })
    }
}

/// A DNS-1123 subdomain (pod names) or label (namespaces, containers): lowercase
/// alphanumerics, `-` (and `.` in subdomains), starting and ending alphanumeric.
fn check_name(what: &'static str, value: &str, dots: bool) -> Result<(), TargetError> {
    let max = if dots { 253 } else { 63 };
    let ok_char =
        |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || (dots && c == b'.');
    let bytes = value.as_bytes();
    let valid = !bytes.is_empty()
        && bytes.len() <= max
        && bytes.iter().all(|c| ok_char(*c))
        && bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric);
    if valid {
        Ok(())
    } else {
        Err(TargetError::Name {
            what,
            value: value.chars().take(100).collect(),
        })
    }
}

/// A node's name as the `host` command takes it (a DNS-1123 subdomain, as Kubernetes names
/// nodes), or why it is not one.
pub fn node_name(value: &str) -> Result<String, TargetError> {
    check_name("node", value, true).map(|()| value.to_string())
}

/// The container a session joins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub id: ContainerId,
}

impl Target {
    pub fn new(namespace: &str, pod: &str, container: &str, id: &str) -> Result<Self, TargetError> {
        check_name("namespace", namespace, false)?;
        check_name("pod", pod, true)?;
        check_name("container", container, false)?;
        Ok(Self {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            container: container.to_string(),
            id: ContainerId::parse(id)?,
        })
    }

    pub fn label(&self) -> String {
        format!("{}/{}:{}", self.namespace, self.pod, self.container)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "3f1c0e2b7a9d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6";

    #[test]
    fn ids_as_the_kubelet_reports_them() {
        for scheme in ["containerd", "cri-o", "docker"] {
            let id = ContainerId::parse(&format!("{scheme}://{HEX}")).unwrap();
            assert_eq!(id.to_string(), format!("{scheme}://{HEX}"));
        }
    }

    #[test]
    fn hostile_ids_and_names_are_refused() {
        for bad in [
            "",
            HEX,
            &format!("containerd://{}", &HEX[..63]),
            &format!("containerd://{HEX}0"),
            &format!("containerd://{}", HEX.to_uppercase()),
            &format!("containerd://../../{}", &HEX[6..]),
            &format!("containerd://{}/x", &HEX[..62]),
            &format!("podman://{HEX}"),
            &format!("containerd://{}*", &HEX[..63]),
        ] {
            assert!(ContainerId::parse(bad).is_err(), "{bad:?} accepted");
        }
        let id = format!("containerd://{HEX}");
        for (ns, pod, c) in [
            ("../etc", "web", "app"),
            ("demo", "web/../../x", "app"),
            ("demo", "web", "app\n"),
            ("Demo", "web", "app"),
            ("demo", "-web", "app"),
            ("demo", "web", "a.b"),
            ("demo", &"w".repeat(254), "app"),
        ] {
            assert!(
                Target::new(ns, pod, c, &id).is_err(),
                "{ns} {pod} {c} accepted"
            );
        }
        assert!(Target::new("demo", "web-1.x", "app", &id).is_ok());
    }
}
