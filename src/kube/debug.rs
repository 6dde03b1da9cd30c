//! Ephemeral debug containers: patch the pod's `ephemeralcontainers` subresource with a profile's
//! image and `targetContainerName` (so the debugger shares the target's process namespace), wait
//! for it to run while showing the kubelet's progress, then attach with a TTY. A debugger of the
//! same profile that still runs against the same target is re-attached instead of adding another.

use std::collections::HashSet;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::{Event, Pod};
use kube::api::{Api, ListParams, Patch, PatchParams};
use serde::Deserialize;
use serde_json::{Value, json};

use super::exec::{Attach, Target};
use crate::pty::{Backend, Connection, Progress, SessionError, Size};

/// A debugging tool: one image for one job.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub name: String,
    pub image: String,
    /// The command to run (the image's entrypoint when empty).
    #[serde(default)]
    pub command: Vec<String>,
    /// Linux capabilities to add (the cluster's Pod Security level must allow them).
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Run as Pod Security `restricted` asks ([`RESTRICTED_CONTEXT`]), so a namespace that
    /// enforces it admits the debugger.
    #[serde(default)]
    pub restricted: bool,
    #[serde(default)]
    pub description: String,
}

/// The user a `restricted` debugger runs as: nobody (the images' root would be refused).
pub const NOBODY: i64 = 65534;

/// What a `restricted` profile's container says, `kubectl debug --profile=restricted`'s
/// settings plus a user (kubectl's keeps the image's, which the kubelet refuses when it is
/// root: "container has runAsNonRoot and image will run as root").
pub fn restricted_context() -> Value {
    json!({
        "allowPrivilegeEscalation": false,
        "capabilities": {"drop": ["ALL"]},
        "runAsNonRoot": true,
        "runAsUser": NOBODY,
        "runAsGroup": NOBODY,
        "seccompProfile": {"type": "RuntimeDefault"},
    })
}

/// The profiles kubedeck ships; the config's `[[debug.profiles]]` add to them or replace one of
/// the same name.
pub fn default_profiles() -> Vec<Profile> {
    let p = |name: &str, image: &str, command: &[&str], caps: &[&str], description: &str| Profile {
        name: name.into(),
        image: image.into(),
        command: command.iter().map(ToString::to_string).collect(),
        capabilities: caps.iter().map(ToString::to_string).collect(),
        restricted: false,
        description: description.into(),
    };
    vec![
        p(
            "net",
            "nicolaka/netshoot:v0.13",
            &["bash"],
            &["NET_ADMIN", "NET_RAW"],
            "network: tcpdump, dig, curl, ss, iperf in the pod's network namespace",
        ),
        p(
            "busybox",
            "busybox:1.37",
            &["sh"],
            &[],
            "a small shell with ps, top, wget, nslookup",
        ),
        p(
            "jvm",
            "hengyunabc/arthas:4.0.5",
            &["sh"],
            &["SYS_PTRACE"],
            "JVM: run java -jar /opt/arthas/arthas-boot.jar to attach to the target's JVM",
        ),
        p(
            "distroless-helper",
            "busybox:1.37",
            &["sh", "-c", "cd /proc/1/root 2>/dev/null; exec sh"],
            &["SYS_PTRACE"],
            "a shell for images without one: the target's files are under /proc/1/root",
        ),
        Profile {
            restricted: true,
            ..p(
                "restricted",
                "busybox:1.37",
                &["sh"],
                &[],
                "a shell Pod Security restricted admits: as nobody, no capabilities (ps, wget, nslookup)",
            )
        },
    ]
}

/// Merge configured profiles over the defaults (same name replaces, new names are added).
pub fn merge_profiles(configured: &[Profile]) -> Vec<Profile> {
    let mut all = default_profiles();
    for p in configured {
        match all.iter_mut().find(|d| d.name == p.name) {
            Some(d) => *d = p.clone(),
            None => all.push(p.clone()),
        }
    }
    all
}

/// Why a pod cannot take an ephemeral container, before asking the server.
pub fn unsupported(pod: &Value) -> Option<String> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    if pod["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string() {
        return Some(format!(
            "{name} is a static pod (managed by its node's kubelet): it cannot take ephemeral containers; use exec (s) or a debug pod on the node"
        ));
    }
    if pod["spec"]["os"]["name"].as_str() == Some("windows") {
        return Some(format!(
            "{name} runs on Windows: ephemeral containers cannot share a Windows container's process namespace; use exec (s)"
        ));
    }
    None
}

fn name_prefix(profile: &Profile) -> String {
    format!("kubedeck-{}-", profile.name)
}

/// The strategic merge patch that adds the debugger (the shape `kubectl debug` sends).
pub fn patch_for(profile: &Profile, target: &str, name: &str) -> Value {
    let mut c = json!({
        "name": name,
        "image": profile.image,
        "stdin": true,
        "tty": true,
        "targetContainerName": target,
        "terminationMessagePolicy": "File",
        "resources": {},
    });
    if !profile.command.is_empty() {
        c["command"] = json!(profile.command);
    }
    if profile.restricted {
        c["securityContext"] = restricted_context();
    }
    if !profile.capabilities.is_empty() {
        c["securityContext"]["capabilities"]["add"] = json!(profile.capabilities);
    }
    json!({"spec": {"ephemeralContainers": [c]}})
}

/// Where an ephemeral container is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Not in the status yet.
    Pending,
    Waiting {
        reason: String,
        message: String,
    },
    Running,
    Terminated(i64),
}

/// Waiting reasons that will not get better by waiting.
const FATAL: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerError",
    "CreateContainerConfigError",
    "RunContainerError",
];

pub fn phase(pod: &Value, name: &str) -> Phase {
    let Some(s) = pod["status"]["ephemeralContainerStatuses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["name"] == name)
    else {
        return Phase::Pending;
    };
    let state = &s["state"];
    if state["running"].is_object() {
        return Phase::Running;
    }
    if let Some(t) = state["terminated"].as_object() {
        return Phase::Terminated(t.get("exitCode").and_then(Value::as_i64).unwrap_or(-1));
    }
    Phase::Waiting {
        reason: state["waiting"]["reason"]
            .as_str()
            .unwrap_or("Waiting")
            .into(),
        message: state["waiting"]["message"]
            .as_str()
            .unwrap_or_default()
            .into(),
    }
}

/// A running debugger of this profile against this target, to re-attach to.
pub fn reusable(pod: &Value, profile: &Profile, target: &str) -> Option<String> {
    pod["spec"]["ephemeralContainers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| {
            c["name"]
                .as_str()
                .is_some_and(|n| n.starts_with(&name_prefix(profile)))
                && c["image"] == profile.image.as_str()
                && c["targetContainerName"] == target
        })
        .filter_map(|c| c["name"].as_str())
        .find(|n| phase(pod, n) == Phase::Running)
        .map(String::from)
}

pub struct Ephemeral {
    pub target: Target,
    pub profile: Profile,
    /// How long to wait for the debugger to run (image pulls can be slow).
    pub timeout: Duration,
}

fn refused(target: &Target, what: String) -> SessionError {
    SessionError::Refused(format!("debug {}: {what}", target.label()))
}

fn patch_error(target: &Target, e: kube::Error) -> SessionError {
    let pod_security = match &e {
        kube::Error::Api(s) if s.code == 403 => super::pod_security::refusal(&s.message),
        _ => None,
    };
    let why = match &e {
        _ if let Some(r) = &pod_security => {
            super::pod_security::advice_for_debugger(&target.namespace, r)
        }
        kube::Error::Api(s) if s.code == 404 => {
            "this cluster does not serve pods/ephemeralcontainers (ephemeral containers are disabled or the cluster is older than 1.23); use exec (s) instead".to_string()
        }
        kube::Error::Api(s) if s.code == 403 => format!(
            "not allowed: your RBAC role cannot patch pods/ephemeralcontainers in {} ({}); ask for that permission or use exec (s)",
            target.namespace, s.message
        ),
        kube::Error::Api(s) if s.code == 422 => {
            format!("the cluster refused the debug container: {}", s.message)
        }
        other => other.to_string(),
    };
    // Where ephemeral containers cannot go, the node agent may.
    refused(target, format!("{why}. {AGENT_HINT}"))
}

/// What to try when a debug container is refused.
pub const AGENT_HINT: &str = "Where the kubedeck agent is installed, D then `agent` opens a shell in the container's namespaces through it";

/// The pod's events about this debugger, by a key to report each once.
fn event_lines(events: &[Event], image: &str, name: &str) -> Vec<(String, String)> {
    // In the order they happened (a list comes in name order).
    let mut events: Vec<&Event> = events.iter().collect();
    events.sort_by_key(|e| {
        let rv = e.metadata.resource_version.as_deref().unwrap_or_default();
        (rv.len(), rv.to_string())
    });
    events
        .into_iter()
        .filter_map(|e| {
            let msg = e.message.as_deref().unwrap_or_default();
            let reason = e.reason.as_deref().unwrap_or_default();
            let ours = msg.contains(image) || msg.contains(name);
            ours.then(|| {
                let key = format!("{reason}|{msg}|{}", e.count.unwrap_or(1));
                (key, format!("{reason}: {msg}"))
            })
        })
        .collect()
}

impl Ephemeral {
    async fn create_or_reuse(&self, progress: &Progress) -> Result<String, SessionError> {
        let t = &self.target;
        let api: Api<Pod> = Api::namespaced(t.client.clone(), &t.namespace);
        let pod = api.get(&t.pod).await.map_err(|e| match e {
            kube::Error::Api(s) if s.code == 404 => refused(t, format!("pod {} not found", t.pod)),
            other => refused(t, other.to_string()),
        })?;
        let pod = serde_json::to_value(&pod).unwrap_or(Value::Null);
        if let Some(why) = unsupported(&pod) {
            return Err(refused(t, why));
        }
        if let Some(name) = reusable(&pod, &self.profile, &t.container) {
            let _ = progress.send(format!("re-attaching to the running debugger {name}"));
            return Ok(name);
        }
        let suffix: String = (0..5)
            .map(|_| char::from(b"bcdfghjklmnpqrstvwxz2456789"[fastrand::usize(..27)]))
            .collect();
        let name = format!("{}{suffix}", name_prefix(&self.profile));
        let _ = progress.send(format!(
            "adding ephemeral container {name} ({}) targeting {}",
            self.profile.image, t.container
        ));
        api.patch_ephemeral_containers(
            &t.pod,
            &PatchParams::default(),
            &Patch::Strategic(patch_for(&self.profile, &t.container, &name)),
        )
        .await
        .map_err(|e| patch_error(t, e))?;
        Ok(name)
    }

    /// Poll the pod (and its events, for the image pull) until the debugger runs.
    async fn wait_running(&self, name: &str, progress: &Progress) -> Result<(), SessionError> {
        let t = &self.target;
        let pods: Api<Pod> = Api::namespaced(t.client.clone(), &t.namespace);
        let events: Api<Event> = Api::namespaced(t.client.clone(), &t.namespace);
        let selector = format!("involvedObject.name={},involvedObject.kind=Pod", t.pod);
        let mut seen = HashSet::new();
        let mut last_phase = None;
        let deadline = tokio::time::Instant::now() + self.timeout;
        loop {
            // Events are a nicety: a forbidden or failed list only costs the progress lines.
            if let Ok(list) = events.list(&ListParams::default().fields(&selector)).await {
                for (key, line) in event_lines(&list.items, &self.profile.image, name) {
                    if seen.insert(key) {
                        let _ = progress.send(line);
                    }
                }
            }
            let pod = pods
                .get(&t.pod)
                .await
                .map_err(|e| refused(t, format!("pod {} went away: {e}", t.pod)))?;
            let pod = serde_json::to_value(&pod).unwrap_or(Value::Null);
            let now = phase(&pod, name);
            if last_phase.as_ref() != Some(&now) {
                if let Phase::Waiting { reason, .. } = &now {
                    let _ = progress.send(format!("{name}: {reason}"));
                }
                last_phase = Some(now.clone());
            }
            match now {
                Phase::Running => return Ok(()),
                Phase::Terminated(code) => {
                    return Err(refused(
                        t,
                        format!("{name} exited with code {code} before it could be attached"),
                    ));
                }
                Phase::Waiting { reason, message } if FATAL.contains(&reason.as_str()) => {
                    let hint = if reason.contains("Image") {
                        " (check the profile's image name, and that the node can reach its registry)"
                    } else {
                        ""
                    };
                    return Err(refused(
                        t,
                        format!("{name} cannot start: {reason}: {message}{hint}"),
                    ));
                }
                _ => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(refused(
                    t,
                    format!("{name} did not start within {}s", self.timeout.as_secs()),
                ));
            }
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    }
}

impl Backend for Ephemeral {
    fn label(&self) -> String {
        format!("debug[{}] {}", self.profile.name, self.target.label())
    }

    fn connect(
        self: Box<Self>,
        size: Size,
        progress: Progress,
    ) -> BoxFuture<'static, Result<Connection, SessionError>> {
        async move {
            let name = self.create_or_reuse(&progress).await?;
            self.wait_running(&name, &progress).await?;
            let _ = progress.send(format!("{name} is running; attaching"));
            let attach = Attach {
                target: Target {
                    container: name,
                    ..self.target.clone()
                },
            };
            Box::new(attach).connect(size, progress).await
        }
        .boxed()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn profile(name: &str) -> Profile {
        default_profiles()
            .into_iter()
            .find(|p| p.name == name)
            .unwrap()
    }

    #[test]
    fn the_patch_has_kubectl_debugs_shape() {
        let p = patch_for(&profile("jvm"), "web", "kubedeck-jvm-abcde");
        let c = &p["spec"]["ephemeralContainers"][0];
        assert_eq!(c["targetContainerName"], "web");
        assert_eq!(c["name"], "kubedeck-jvm-abcde");
        assert_eq!(
            c["securityContext"]["capabilities"]["add"],
            json!(["SYS_PTRACE"])
        );
        assert_eq!(
            (c["stdin"].as_bool(), c["tty"].as_bool()),
            (Some(true), Some(true))
        );
        let plain = patch_for(&profile("busybox"), "web", "x");
        assert!(plain["spec"]["ephemeralContainers"][0]["securityContext"].is_null());
    }

    #[test]
    fn a_restricted_profile_runs_as_pod_security_restricted_asks() {
        let p = patch_for(&profile("restricted"), "web", "x");
        let sc = &p["spec"]["ephemeralContainers"][0]["securityContext"];
        assert_eq!(sc["allowPrivilegeEscalation"], false);
        assert_eq!(sc["capabilities"]["drop"], json!(["ALL"]));
        assert_eq!(sc["runAsNonRoot"], true);
        assert_eq!(sc["runAsUser"], NOBODY);
        assert_eq!(sc["seccompProfile"]["type"], "RuntimeDefault");
        // A configured restricted profile may still add what restricted allows.
        let web = Profile {
            capabilities: vec!["NET_BIND_SERVICE".into()],
            ..profile("restricted")
        };
        let p = patch_for(&web, "web", "x");
        let caps = &p["spec"]["ephemeralContainers"][0]["securityContext"]["capabilities"];
        assert_eq!(caps["add"], json!(["NET_BIND_SERVICE"]));
        assert_eq!(caps["drop"], json!(["ALL"]));
    }

    #[test]
    fn defaults_cover_the_five_jobs_and_config_overrides_by_name() {
        let names: Vec<String> = default_profiles().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            ["net", "busybox", "jvm", "distroless-helper", "restricted"]
        );
        let mine = Profile {
            name: "net".into(),
            image: "registry.local/netshoot:1".into(),
            command: vec![],
            capabilities: vec![],
            restricted: false,
            description: String::new(),
        };
        let extra = Profile {
            name: "py".into(),
            ..mine.clone()
        };
        let all = merge_profiles(&[mine, extra]);
        assert_eq!(all.len(), 6);
        assert_eq!(all[0].image, "registry.local/netshoot:1");
        assert_eq!(all[5].name, "py");
    }

    #[test]
    fn phases_and_reuse_follow_the_status() {
        let fixture: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/real-cluster/pod-with-ephemeral.json"
        ))
        .unwrap();
        // The captured debugger ran `echo dbg` and completed.
        assert_eq!(phase(&fixture, "debugger-wqwwx"), Phase::Terminated(0));
        assert_eq!(phase(&fixture, "nope"), Phase::Pending);

        let busybox = profile("busybox");
        let mut pod = json!({"metadata": {"name": "web-1"}, "spec": {"ephemeralContainers": [
            {"name": "kubedeck-busybox-aaaaa", "image": busybox.image, "targetContainerName": "web"},
            {"name": "kubedeck-busybox-bbbbb", "image": busybox.image, "targetContainerName": "web"}
        ]}, "status": {"ephemeralContainerStatuses": [
            {"name": "kubedeck-busybox-aaaaa", "state": {"terminated": {"exitCode": 0}}},
            {"name": "kubedeck-busybox-bbbbb", "state": {"running": {"startedAt": "2026-11-22T10:00:00Z"}}}
        ]}});
        assert_eq!(
            reusable(&pod, &busybox, "web").as_deref(),
            Some("kubedeck-busybox-bbbbb")
        );
        assert_eq!(reusable(&pod, &busybox, "sidecar"), None);
        assert_eq!(reusable(&pod, &profile("net"), "web"), None);
        pod["status"]["ephemeralContainerStatuses"][1]["state"] =
            json!({"waiting": {"reason": "ImagePullBackOff", "message": "Back-off"}});
        assert_eq!(reusable(&pod, &busybox, "web"), None);
        assert!(
            matches!(phase(&pod, "kubedeck-busybox-bbbbb"), Phase::Waiting { reason, .. } if reason == "ImagePullBackOff")
        );
    }

    #[test]
    fn static_and_windows_pods_are_refused_up_front() {
        let mirror = json!({"metadata": {"name": "etcd-cp", "annotations": {"kubernetes.io/config.mirror": "x"}}});
        assert!(unsupported(&mirror).unwrap().contains("static pod"));
        let win = json!({"metadata": {"name": "iis"}, "spec": {"os": {"name": "windows"}}});
        assert!(unsupported(&win).unwrap().contains("Windows"));
        assert_eq!(unsupported(&json!({"metadata": {"name": "ok"}})), None);
    }
}
