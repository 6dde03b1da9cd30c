//! Editing an object in the user's editor: fetched and written as YAML to a private file, then,
//! when the editor exits, applied with a PUT carrying the resourceVersion it was read at, so a
//! change made meanwhile by someone else is never silently overwritten: on a 409 the user's own
//! changes are applied onto the version there now (`edit_merge`, as kubectl edit does), and
//! only when both changed the same fields does the editor reopen, on the current version with
//! the user's other changes in it and the clashing fields named. A rejected object keeps the
//! user's text: it is written back with the reason on top; nothing typed is lost.
//!
//! The PUT asks for strict field validation (`fieldValidation=Strict`, as kubectl edit asks):
//! by default the apiserver drops a field its kind does not have and answers 200, so a typo
//! (`replcas: 5`) would be lost while the edit said "applied"; strict, it is refused and the
//! editor reopens with the server's `unknown field "spec.replcas"`.

use std::path::PathBuf;

use kube::Client;
use kube::api::{DynamicObject, PostParams};
use serde_json::Value;

use super::actions::{self, ActionError};
use super::edit_merge;
use super::object_ref::ObjectRef;
use super::shell_kubeconfig::{PrivateKubeconfig, root, write_private_named};

/// One edit in progress: the object, its file, what it held when the editor opened, and the
/// version a save is applied against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditJob {
    pub obj: ObjectRef,
    pub path: PathBuf,
    pub original: String,
    pub resource_version: String,
}

/// What applying an edit came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Saved and accepted.
    Done(ObjectRef),
    /// Nothing changed (or everything was deleted): nothing is sent.
    Unchanged,
    /// Refused (conflict, invalid, not YAML): the editor reopens on `job` with the reason on
    /// top of the user's text.
    Reopen { job: EditJob, why: String },
}

const HEADER: &str = "# kubedeck: edit and save to apply; quit without saving (or empty the file) to cancel.\n\
# Lines starting with '#' are ignored. If the object changes meanwhile, your own changes are\n\
# applied onto the new version; where you both changed a field you are asked.\n";

/// Lines that are ours (or comments): left out before parsing and comparing.
fn content(text: &str) -> String {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The object as the user edits it: without managedFields (as `kubectl edit` shows it).
pub fn editable_yaml(obj: &Value) -> Result<String, serde_yaml_ng::Error> {
    let mut obj = obj.clone();
    if let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    serde_yaml_ng::to_string(&obj)
}

/// Fetch `obj` and write it for the editor. The guard keeps the file until it drops.
pub async fn prepare(
    client: Client,
    obj: ObjectRef,
    tekton: Option<kube::core::ApiResource>,
) -> Result<(EditJob, PrivateKubeconfig), ActionError> {
    let value = actions::fetch(client, obj.clone(), tekton).await?;
    let resource_version = value["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let yaml = editable_yaml(&value).map_err(|e| ActionError::Decode(e.to_string()))?;
    let text = format!("{HEADER}{yaml}");
    let name = format!("{}-{}.yaml", obj.singular(), safe(&obj.name));
    let guard = root()
        .and_then(|r| write_private_named(&r, &name, &text))
        .map_err(|e| ActionError::EditFile(e.to_string()))?;
    let job = EditJob {
        obj,
        path: guard.path().to_path_buf(),
        original: text,
        resource_version,
    };
    Ok((job, guard))
}

/// Only characters safe in a file name.
fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The user's text again, with why it was not applied on top (earlier reasons replaced).
fn with_reason(text: &str, why: &str) -> String {
    let mine: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("# kubedeck:") && !l.starts_with("# !"))
        .collect();
    let why: Vec<String> = why.lines().map(|l| format!("# ! {l}")).collect();
    format!(
        "# kubedeck: NOT APPLIED. Fix it and save again, or quit without saving to give up.\n{}\n{}\n",
        why.join("\n"),
        mine.join("\n")
    )
}

/// Apply what the editor left in `job`'s file.
pub async fn apply(client: Client, job: EditJob) -> Applied {
    let text = match std::fs::read_to_string(&job.path) {
        Ok(t) => t,
        Err(e) => {
            let why = format!("cannot read {}: {e}", job.path.display());
            return Applied::Reopen { job, why };
        }
    };
    let edited = content(&text);
    if edited.is_empty() || edited == content(&job.original) {
        return Applied::Unchanged;
    }
    let reopen = |job: EditJob, why: String| {
        let _ = std::fs::write(&job.path, with_reason(&text, &why));
        Applied::Reopen { job, why }
    };
    let edited_value: Value = match serde_yaml_ng::from_str(&edited) {
        Ok(v) => v,
        Err(e) => return reopen(job, format!("not valid YAML: {e}")),
    };
    let Some(api) = job.obj.api.as_ref() else {
        return reopen(
            job.clone(),
            format!("{}: unknown resource", job.obj.label()),
        );
    };
    let ar = api.api_resource();
    let dynamic = if api.namespaced {
        kube::Api::<DynamicObject>::namespaced_with(client, &job.obj.namespace, &ar)
    } else {
        kube::Api::<DynamicObject>::all_with(client, &ar)
    };
    // Applied against what was read: a change since is a conflict, never overwritten.
    let mut value = edited_value.clone();
    value["metadata"]["resourceVersion"] = Value::String(job.resource_version.clone());
    let mut status = match put(&dynamic, &job.obj.name, value).await {
        Ok(()) => return Applied::Done(job.obj),
        Err(Put::Conflict(status)) => status,
        Err(Put::Refused(why)) => return reopen(job, why),
    };
    // Someone changed it meanwhile: the user's own changes go onto the version there now
    // (as kubectl edit does), unless both changed the same fields. A version that moves on
    // again while this is done is merged again, a few times.
    let original: Value = serde_yaml_ng::from_str(&content(&job.original)).unwrap_or_default();
    for _ in 0..MERGE_ATTEMPTS {
        let current = match dynamic.get(&job.obj.name).await {
            Ok(o) => serde_json::to_value(o).unwrap_or_default(),
            Err(e) => {
                let why = format!(
                    "{}\nIt changed since you opened it, and reading it again failed: {}",
                    status.message,
                    super::error::ApiError::from(e)
                );
                return reopen(job, why);
            }
        };
        let latest = current["metadata"]["resourceVersion"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        match edit_merge::three_way(&original, &edited_value, &current) {
            edit_merge::Merged::Clean(merged) => match put(&dynamic, &job.obj.name, merged).await {
                Ok(()) => return Applied::Done(job.obj),
                Err(Put::Conflict(again)) => status = again,
                Err(Put::Refused(why)) => return reopen(job, why),
            },
            edit_merge::Merged::Clashing(merged, clashes) => {
                return clashed(job, &current, &merged, &clashes, &latest);
            }
        }
    }
    let why = format!(
        "{}\nIt keeps changing while your edit is applied; save again to try once more.",
        status.message
    );
    reopen(job, why)
}

/// Attempts at merging onto a version that keeps moving.
const MERGE_ATTEMPTS: usize = 3;

enum Put {
    Conflict(Box<kube::core::Status>),
    Refused(String),
}

/// PUT `value` (carrying the resourceVersion it applies to), unknown fields refused.
async fn put(api: &kube::Api<DynamicObject>, name: &str, value: Value) -> Result<(), Put> {
    let body =
        serde_json::to_vec(&value).map_err(|e| Put::Refused(format!("not an object: {e}")))?;
    let params = PostParams {
        field_manager: Some("kubedeck".into()),
        ..PostParams::default()
    };
    let request = kube::core::Request::new(api.resource_url())
        .replace(name, &params, body)
        .map_err(|e| Put::Refused(e.to_string()))
        .and_then(|r| strict(r).map_err(|e| Put::Refused(e.to_string())))?;
    match api
        .clone()
        .into_client()
        .request::<DynamicObject>(request)
        .await
    {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 409 => Err(Put::Conflict(status)),
        Err(kube::Error::Api(status)) => Err(Put::Refused(status.message.clone())),
        Err(e) => Err(Put::Refused(super::error::ApiError::from(e).to_string())),
    }
}

/// `request` with `fieldValidation=Strict` added to its query (kube-rs's `PostParams` has no
/// field for it; its `PatchParams` has).
fn strict(request: http::Request<Vec<u8>>) -> Result<http::Request<Vec<u8>>, http::Error> {
    let (mut parts, body) = request.into_parts();
    let uri = parts.uri.to_string();
    let joined = if uri.contains('?') { '&' } else { '?' };
    parts.uri = format!("{uri}{joined}fieldValidation=Strict").parse()?;
    Ok(http::Request::from_parts(parts, body))
}

/// Both changed the same fields: the editor reopens on the current version with the user's
/// other changes in it, the clashing fields named with both values; saving applies against
/// the current version.
fn clashed(
    job: EditJob,
    current: &Value,
    merged: &Value,
    clashes: &[edit_merge::Clash],
    latest: &str,
) -> Applied {
    let show = |v: &Option<Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => "(removed)".into(),
    };
    let mut why = format!(
        "Someone else changed it since you opened it (version {} then, {latest} now), and changed the same fields as you:",
        job.resource_version
    );
    for c in clashes {
        why.push_str(&format!(
            "\n  {}: yours {}, theirs {}",
            c.path,
            show(&c.yours),
            show(&c.theirs)
        ));
    }
    why.push_str("\nBelow is the current version with your other changes in it; those fields hold theirs. Set them and save, or quit without saving to keep theirs.");
    let (Ok(current_yaml), Ok(merged_yaml)) = (editable_yaml(current), editable_yaml(merged))
    else {
        return Applied::Reopen {
            job,
            why: "cannot write the current version".into(),
        };
    };
    let job = EditJob {
        original: format!("{HEADER}{current_yaml}"),
        resource_version: latest.to_string(),
        ..job
    };
    let _ = std::fs::write(
        &job.path,
        with_reason(&format!("{HEADER}{merged_yaml}"), &why),
    );
    Applied::Reopen { job, why }
}

/// The editor to run: `$KUBE_EDITOR`, `$EDITOR`, else `vi` (as kubectl chooses), split into
/// words, with the file last.
pub fn editor_command(path: &std::path::Path) -> Vec<String> {
    let editor = std::env::var("KUBE_EDITOR")
        .ok()
        .or_else(|| std::env::var("EDITOR").ok())
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| "vi".into());
    editor
        .split_whitespace()
        .map(str::to_string)
        .chain([path.display().to_string()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_ignored_and_a_reason_replaces_the_last() {
        assert_eq!(
            content("# a\nkind: X\n  # b\nspec: 1\n"),
            "kind: X\nspec: 1"
        );
        let once = with_reason("# kubedeck: edit\nkind: X\n", "conflict 1");
        assert!(once.contains("# ! conflict 1") && once.contains("kind: X"));
        let twice = with_reason(&once, "invalid 2");
        assert!(
            twice.contains("# ! invalid 2") && !twice.contains("conflict 1"),
            "{twice}"
        );
        assert_eq!(content(&twice), "kind: X");
    }

    #[test]
    fn managed_fields_are_left_out_and_names_are_made_safe() {
        let obj = serde_json::json!({"kind": "ConfigMap", "metadata": {"name": "a", "managedFields": [{"manager": "x"}]}});
        let y = editable_yaml(&obj).unwrap_or_default();
        assert!(y.contains("name: a") && !y.contains("managedFields"));
        assert_eq!(safe("../x y"), ".._x_y");
    }
}
