//! The `pods/NAME/ephemeralcontainers` subresource: validation as the apiserver does it, then a
//! kubelet-like lifecycle (Pulling, then Pulled/Created/Started and `running`, or ErrImagePull
//! and ImagePullBackOff), with a real local process behind the running container so attach
//! reaches a PTY. The process's exit turns the status to `terminated`.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::Shared;
use super::model::{self, EventShape};
use super::procs::{Proc, Spawn};
use super::resources::Kind;
use super::store::Key;

/// How long the simulated kubelet takes for each step.
const PULL: Duration = Duration::from_millis(300);
const BACKOFF: Duration = Duration::from_millis(1500);

/// Why a change to the ephemeral containers was refused: (HTTP code, reason, message).
pub type Refusal = (u16, &'static str, String);

/// Images the simulated registry does not have.
pub fn image_missing(image: &str) -> bool {
    image.contains("does-not-exist") || image.contains("invalid") || image.ends_with(":missing")
}

fn invalid(pod: &str, causes: &[String]) -> Refusal {
    (
        422,
        "Invalid",
        format!("Pod \"{pod}\" is invalid: {}", causes.join(", ")),
    )
}

/// The kubelet's refusal of a container whose runAsNonRoot cannot hold: it (or its pod) asks
/// for non-root while its user (its runAsUser, else its pod's, else the image's: root) is 0.
pub fn runs_as_root_against_policy(pod: &Value, container: &Value) -> Option<String> {
    let effective = |field: &str| {
        let own = &container["securityContext"][field];
        if own.is_null() {
            pod["spec"]["securityContext"][field].clone()
        } else {
            own.clone()
        }
    };
    if effective("runAsNonRoot") != json!(true) {
        return None;
    }
    let who = format!(
        "(pod: \"{}_{}({})\", container: {})",
        pod["metadata"]["name"].as_str().unwrap_or_default(),
        pod["metadata"]["namespace"].as_str().unwrap_or_default(),
        pod["metadata"]["uid"].as_str().unwrap_or_default(),
        container["name"].as_str().unwrap_or_default()
    );
    match effective("runAsUser").as_i64() {
        Some(0) => Some(format!(
            "container's runAsUser breaks non-root policy {who}"
        )),
        Some(_) => None,
        None => Some(format!(
            "container has runAsNonRoot and image will run as root {who}"
        )),
    }
}

/// The user and group a container of `pod` runs as, when its securityContext (or its pod's)
/// names a user: `runAsUser`, and `runAsGroup` (the image's group, 0, without it).
pub fn user_of(pod: &Value, container: &str) -> Option<(u32, u32)> {
    let spec = &pod["spec"];
    let c = ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .flat_map(|f| spec[*f].as_array().into_iter().flatten())
        .find(|c| c["name"] == container)?;
    let field = |name: &str| {
        c["securityContext"][name]
            .as_u64()
            .or_else(|| spec["securityContext"][name].as_u64())
            .and_then(|v| u32::try_from(v).ok())
    };
    Some((field("runAsUser")?, field("runAsGroup").unwrap_or(0)))
}

/// Merge the patch's ephemeral containers into the pod's, by name (strategic merge on a list
/// whose merge key is `name`).
pub fn merge_by_name(current: &[Value], patch: &[Value]) -> Vec<Value> {
    let mut out = current.to_vec();
    for p in patch {
        match out.iter_mut().find(|c| c["name"] == p["name"]) {
            Some(existing) => json_patch::merge(existing, p),
            None => out.push(p.clone()),
        }
    }
    out
}

/// Check the new list against the pod and fill in the defaults the apiserver adds.
pub fn validate(pod: &Value, next: &mut [Value]) -> Result<(), Refusal> {
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    if pod["metadata"]["annotations"]["kubernetes.io/config.mirror"].is_string() {
        return Err(invalid(
            name,
            &["spec.ephemeralContainers: Forbidden: static pods do not support ephemeral containers".into()],
        ));
    }
    let containers: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(
            pod["spec"]["initContainers"]
                .as_array()
                .into_iter()
                .flatten(),
        )
        .filter_map(|c| c["name"].as_str())
        .collect();
    let current = pod["spec"]["ephemeralContainers"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut causes = Vec::new();
    for old in &current {
        let old_name = old["name"].as_str().unwrap_or_default();
        match next.iter().find(|c| c["name"] == old["name"]) {
            None => causes.push(format!(
                "spec.ephemeralContainers: Forbidden: existing ephemeral containers \"{old_name}\" may not be removed"
            )),
            Some(c) if c != old => causes.push(format!(
                "spec.ephemeralContainers[\"{old_name}\"]: Forbidden: existing ephemeral containers may not be changed"
            )),
            Some(_) => {}
        }
    }
    for (i, c) in next.iter_mut().enumerate() {
        if current.iter().any(|o| o["name"] == c["name"]) {
            continue;
        }
        let field = format!("spec.ephemeralContainers[{i}]");
        let cname = c["name"].as_str().unwrap_or_default().to_string();
        if cname.is_empty() {
            causes.push(format!("{field}.name: Required value"));
        } else if containers.contains(&cname.as_str()) {
            causes.push(format!("{field}.name: Duplicate value: \"{cname}\""));
        }
        let image = c["image"].as_str().unwrap_or_default().to_string();
        if image.is_empty() {
            causes.push(format!("{field}.image: Required value"));
        }
        if let Some(target) = c["targetContainerName"].as_str()
            && !containers.contains(&target)
        {
            causes.push(format!(
                "{field}.targetContainerName: Not found: \"{target}\""
            ));
        }
        for forbidden in ["ports", "livenessProbe", "readinessProbe", "startupProbe"] {
            if c.get(forbidden).is_some_and(|v| !v.is_null()) {
                causes.push(format!(
                    "{field}.{forbidden}: Forbidden: cannot be set for an Ephemeral Container"
                ));
            }
        }
        // The apiserver's defaults.
        let latest = !image.contains(':') || image.ends_with(":latest");
        let defaults = json!({
            "imagePullPolicy": if latest { "Always" } else { "IfNotPresent" },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "resources": {},
        });
        if let (Some(obj), Some(d)) = (c.as_object_mut(), defaults.as_object()) {
            for (k, v) in d {
                obj.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(invalid(name, &causes))
    }
}

/// Store the new list; start the kubelet's work for the containers that are new.
pub fn apply(sim: &Arc<Shared>, key: &Key, next: Vec<Value>) -> Option<Arc<Value>> {
    let mut added = Vec::new();
    let stored = sim.store.update(Kind::Pod, key, |pod| {
        let before: Vec<Value> = pod["spec"]["ephemeralContainers"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for c in &next {
            if !before.iter().any(|b| b["name"] == c["name"]) {
                added.push(c.clone());
            }
        }
        pod["spec"]["ephemeralContainers"] = json!(next);
        true
    });
    for c in added {
        let sim = sim.clone();
        let key = key.clone();
        tokio::spawn(async move { lifecycle(sim, key, c).await });
    }
    stored
}

fn set_status(sim: &Shared, key: &Key, name: &str, status: Value) {
    sim.store.update(Kind::Pod, key, |pod| {
        let list = &mut pod["status"]["ephemeralContainerStatuses"];
        if !list.is_array() {
            *list = json!([]);
        }
        let Some(items) = list.as_array_mut() else {
            return false;
        };
        match items.iter_mut().find(|s| s["name"] == json!(name)) {
            Some(s) => *s = status.clone(),
            None => items.push(status.clone()),
        }
        true
    });
}

/// The container waits, for `reason`.
fn set_waiting(sim: &Shared, key: &Key, c: &Value, reason: &str, message: &str) {
    let name = c["name"].as_str().unwrap_or_default();
    let state = json!({"waiting": {"reason": reason, "message": message}});
    set_status(sim, key, name, status(c, state, None));
}

fn status(c: &Value, state: Value, id: Option<&str>) -> Value {
    let mut s = json!({
        "name": c["name"], "image": c["image"], "imageID": "", "lastState": {},
        "ready": false, "restartCount": 0, "resources": {}, "state": state,
    });
    if let Some(id) = id {
        s["containerID"] = json!(id);
        s["imageID"] = json!(format!("sha256:{:064x}", 0x5eed_u64));
    }
    s
}

fn event(sim: &Shared, pod: &Value, type_: &str, reason: &str, message: String) {
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
    let name = pod["metadata"]["name"].as_str().unwrap_or_default();
    let uid = pod["metadata"]["uid"].as_str().unwrap_or_default();
    let host = pod["spec"]["nodeName"].as_str();
    let now = Timestamp::now();
    let shape = EventShape {
        namespace: ns,
        object_kind: "Pod",
        object_name: name,
        object_uid: uid,
        type_,
        reason,
        message,
        component: "kubelet",
        host,
        first: now,
        last: now,
        count: 1,
        n: fastrand::u64(..),
    };
    sim.events().record(&sim.store, now, &shape);
}

/// What the kubelet does for a new ephemeral container.
async fn lifecycle(sim: Arc<Shared>, key: Key, c: Value) {
    let name = c["name"].as_str().unwrap_or_default().to_string();
    let image = c["image"].as_str().unwrap_or_default().to_string();
    set_status(
        &sim,
        &key,
        &name,
        status(
            &c,
            json!({"waiting": {"reason": "ContainerCreating"}}),
            None,
        ),
    );
    let Some(pod) = sim.store.get(Kind::Pod, &key) else {
        return;
    };
    event(
        &sim,
        &pod,
        "Normal",
        "Pulling",
        format!("Pulling image \"{image}\""),
    );
    tokio::time::sleep(PULL).await;
    if image_missing(&image) {
        let why = format!(
            "Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found"
        );
        event(&sim, &pod, "Warning", "Failed", why.clone());
        event(
            &sim,
            &pod,
            "Warning",
            "Failed",
            "Error: ErrImagePull".into(),
        );
        set_waiting(&sim, &key, &c, "ErrImagePull", &why);
        tokio::time::sleep(BACKOFF).await;
        let back_off = format!("Back-off pulling image \"{image}\"");
        event(&sim, &pod, "Normal", "BackOff", back_off.clone());
        set_waiting(&sim, &key, &c, "ImagePullBackOff", &back_off);
        return;
    }
    event(
        &sim,
        &pod,
        "Normal",
        "Pulled",
        format!(
            "Successfully pulled image \"{image}\" in 280ms (280ms including waiting). Image size: 1843212 bytes."
        ),
    );
    // The kubelet will not start a container told to run as non-root as root (the simulated
    // images all run as root unless runAsUser says otherwise).
    if let Some(why) = runs_as_root_against_policy(&pod, &c) {
        event(&sim, &pod, "Warning", "Failed", format!("Error: {why}"));
        set_waiting(&sim, &key, &c, "CreateContainerConfigError", &why);
        return;
    }
    event(
        &sim,
        &pod,
        "Normal",
        "Created",
        format!("Created container: {name}"),
    );
    let mut command: Vec<String> = c["command"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(c["args"].as_array().into_iter().flatten())
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    if command.is_empty() {
        // The image's entrypoint: a shell for the debugging images.
        command = vec!["sh".into()];
    }
    let spawn = Spawn {
        command,
        tty: c["tty"].as_bool().unwrap_or(false),
        dir: super::procs::scratch(sim.scratch(), &key.0, &key.1, &name),
        hostname: key.1.clone(),
        rows: 24,
        cols: 80,
        env: Vec::new(),
        hold: false,
        user: user_of(&pod, &name),
    };
    let proc = match Proc::start(&spawn) {
        Ok(p) => p,
        Err(message) => {
            event(&sim, &pod, "Warning", "Failed", format!("Error: {message}"));
            set_waiting(&sim, &key, &c, "RunContainerError", &message);
            return;
        }
    };
    let id = format!("containerd://{:064x}", fastrand::u64(..));
    let started = model::ts(Timestamp::now());
    sim.register_process(&key, &name, proc.clone());
    event(
        &sim,
        &pod,
        "Normal",
        "Started",
        format!("Started container {name}"),
    );
    set_status(
        &sim,
        &key,
        &name,
        status(&c, json!({"running": {"startedAt": started}}), Some(&id)),
    );
    let mut exited = proc.exited();
    let code = match exited.wait_for(Option::is_some).await {
        Ok(code) => code.unwrap_or(1),
        Err(_) => return,
    };
    let reason = if code == 0 { "Completed" } else { "Error" };
    set_status(
        &sim,
        &key,
        &name,
        status(
            &c,
            json!({"terminated": {"exitCode": code, "reason": reason, "startedAt": started,
                "finishedAt": model::ts(Timestamp::now()), "containerID": id}}),
            Some(&id),
        ),
    );
}

/// The attachable process of a container: an ephemeral container's own, or (for the pod's
/// regular containers, which the simulator does not run) a shell started on first attach.
pub fn container_process(
    sim: &Shared,
    key: &Key,
    container: &str,
    tty: bool,
) -> Result<Arc<Proc>, String> {
    if let Some(p) = sim.process(key, container) {
        return Ok(p);
    }
    let user = sim
        .store
        .get(Kind::Pod, key)
        .and_then(|pod| user_of(&pod, container));
    let spawn = Spawn {
        command: vec!["sh".into()],
        tty,
        dir: super::procs::scratch(sim.scratch(), &key.0, &key.1, container),
        hostname: key.1.clone(),
        rows: 24,
        cols: 80,
        env: Vec::new(),
        hold: false,
        user,
    };
    let proc = Proc::start(&spawn)?;
    sim.register_process(key, container, proc.clone());
    Ok(proc)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pod() -> Value {
        json!({"metadata": {"name": "web-1", "namespace": "demo"},
            "spec": {"containers": [{"name": "web", "image": "nginx"}]}})
    }

    #[test]
    fn kubectl_debugs_patch_validates_and_gains_defaults() {
        let patch: Value = serde_json::from_str(
            r#"{"spec":{"ephemeralContainers":[{"command":["sh","-c","echo dbg"],"image":"docker.io/library/busybox:local","name":"debugger-wqwwx","resources":{},"securityContext":{"capabilities":{"add":["SYS_PTRACE"]}},"targetContainerName":"web","terminationMessagePolicy":"File"}]}}"#,
        )
        .unwrap();
        let mut next = merge_by_name(
            &[],
            patch["spec"]["ephemeralContainers"].as_array().unwrap(),
        );
        validate(&pod(), &mut next).unwrap();
        assert_eq!(next[0]["imagePullPolicy"], "IfNotPresent");
        assert_eq!(next[0]["terminationMessagePath"], "/dev/termination-log");
        assert_eq!(next[0]["targetContainerName"], "web");
    }

    #[test]
    fn the_kubelet_refuses_root_where_non_root_is_asked() {
        let mut pod = pod();
        pod["metadata"]["uid"] = json!("u-1");
        let c = |sc: Value| json!({"name": "dbg", "securityContext": sc});
        assert_eq!(runs_as_root_against_policy(&pod, &c(json!({}))), None);
        assert_eq!(
            runs_as_root_against_policy(&pod, &c(json!({"runAsNonRoot": true}))).as_deref(),
            Some(
                "container has runAsNonRoot and image will run as root (pod: \"web-1_demo(u-1)\", container: dbg)"
            )
        );
        let asked = json!({"runAsNonRoot": true, "runAsUser": 65534});
        assert_eq!(runs_as_root_against_policy(&pod, &c(asked)), None);
        // The pod's runAsNonRoot holds for the container; its own runAsUser 0 breaks it.
        pod["spec"]["securityContext"] = json!({"runAsNonRoot": true});
        assert_eq!(
            runs_as_root_against_policy(&pod, &c(json!({"runAsUser": 0}))).as_deref(),
            Some(
                "container's runAsUser breaks non-root policy (pod: \"web-1_demo(u-1)\", container: dbg)"
            )
        );
    }

    #[test]
    fn refusals_read_like_the_apiserver() {
        let mut bad = vec![json!({"name": "web", "image": "", "targetContainerName": "nope"})];
        let (code, reason, msg) = validate(&pod(), &mut bad).unwrap_err();
        assert_eq!((code, reason), (422, "Invalid"));
        assert!(msg.contains("Duplicate value: \"web\""), "{msg}");
        assert!(msg.contains("image: Required value"), "{msg}");
        assert!(
            msg.contains("targetContainerName: Not found: \"nope\""),
            "{msg}"
        );

        let mut with_old = pod();
        with_old["spec"]["ephemeralContainers"] = json!([{"name": "dbg", "image": "busybox"}]);
        let mut removed = vec![];
        let (_, _, msg) = validate(&with_old, &mut removed).unwrap_err();
        assert!(msg.contains("may not be removed"), "{msg}");

        let mut mirror = pod();
        mirror["metadata"]["annotations"] = json!({"kubernetes.io/config.mirror": "abc"});
        let mut one = vec![json!({"name": "dbg", "image": "busybox"})];
        let (_, _, msg) = validate(&mirror, &mut one).unwrap_err();
        assert!(msg.contains("static pods"), "{msg}");
    }

    #[test]
    fn merge_keeps_existing_and_adds_new() {
        let old = vec![json!({"name": "a", "image": "x"})];
        let merged = merge_by_name(
            &old,
            &[
                json!({"name": "b", "image": "y"}),
                json!({"name": "a", "image": "x"}),
            ],
        );
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[1]["name"], "b");
    }
}
