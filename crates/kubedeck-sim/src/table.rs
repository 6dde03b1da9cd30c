//! `meta.k8s.io/v1` Table responses, which kubectl asks for (`Accept: ...;as=Table`) and prints
//! as-is. Columns are the apiserver's for each kind (and the CRD printer columns for Tekton).

use std::sync::Arc;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::printers::{self, s, since};
use super::resources::{Kind, Served, View};

fn col(name: &str, type_: &str, priority: u8, description: &str) -> Value {
    json!({"name": name, "type": type_, "format": if name == "Name" { "name" } else { "" }, "description": description, "priority": priority})
}

fn columns(served: &Served, crd: Option<&Value>) -> Vec<Value> {
    if let (Some(crd), View::Stored) = (crd, served.view) {
        return printers::crd_columns(crd, served.version);
    }
    if served.view == View::Stored
        && let Some(columns) = printers::columns(served.plural)
    {
        return columns;
    }
    match (served.store, served.view) {
        (Some(Kind::Node), _) => vec![
            col("Name", "string", 0, ""),
            col("Status", "string", 0, ""),
            col("Roles", "string", 0, ""),
            col("Age", "string", 0, ""),
            col("Version", "string", 0, ""),
            col("Internal-IP", "string", 1, ""),
            col("External-IP", "string", 1, ""),
            col("OS-Image", "string", 1, ""),
            col("Kernel-Version", "string", 1, ""),
            col("Container-Runtime", "string", 1, ""),
        ],
        (Some(Kind::Namespace), _) => vec![
            col("Name", "string", 0, ""),
            col("Status", "string", 0, ""),
            col("Age", "string", 0, ""),
        ],
        (Some(Kind::PipelineRun | Kind::TaskRun), _) => vec![
            col("Name", "string", 0, ""),
            col("Succeeded", "string", 0, ""),
            col("Reason", "string", 0, ""),
            col("StartTime", "date", 0, ""),
            col("CompletionTime", "date", 0, ""),
        ],
        _ => vec![col("Name", "string", 0, ""), col("Age", "string", 0, "")],
    }
}

fn cells(served: &Served, crd: Option<&Value>, obj: &Value, now: Timestamp) -> Vec<Value> {
    if let (Some(crd), View::Stored) = (crd, served.view) {
        return printers::crd_cells(crd, served.version, obj, now);
    }
    if let (Some(kind), View::Stored) = (served.store, served.view)
        && kind != Kind::Pod
        && let Some(cells) = printers::cells(kind, obj, now)
    {
        return cells;
    }
    let meta = &obj["metadata"];
    match (served.store, served.view) {
        (Some(Kind::Pod), View::Stored) => crate::pod_printer::cells(obj, now),
        (Some(Kind::Node), _) => {
            let conds = obj["status"]["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let ready = conds
                .iter()
                .find(|c| c["type"] == "Ready")
                .map(|c| c["status"].clone());
            let mut status = match ready.as_ref().and_then(Value::as_str) {
                Some("True") => "Ready",
                Some("False") => "NotReady",
                _ => "Unknown",
            }
            .to_string();
            if obj["spec"]["unschedulable"] == true {
                status.push_str(",SchedulingDisabled");
            }
            let mut roles: Vec<String> = meta["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .filter_map(|(k, _)| k.strip_prefix("node-role.kubernetes.io/").map(String::from))
                .collect();
            roles.sort();
            let roles = if roles.is_empty() {
                "<none>".to_string()
            } else {
                roles.join(",")
            };
            let ip = obj["status"]["addresses"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["type"] == "InternalIP")
                .map(|a| s(&a["address"]))
                .unwrap_or_else(|| "<none>".into());
            let info = &obj["status"]["nodeInfo"];
            vec![
                json!(s(&meta["name"])),
                json!(status),
                json!(roles),
                json!(since(&meta["creationTimestamp"], now)),
                json!(s(&info["kubeletVersion"])),
                json!(ip),
                json!("<none>"),
                json!(s(&info["osImage"])),
                json!(s(&info["kernelVersion"])),
                json!(s(&info["containerRuntimeVersion"])),
            ]
        }
        (Some(Kind::Namespace), _) => vec![
            json!(s(&meta["name"])),
            json!(s(&obj["status"]["phase"])),
            json!(since(&meta["creationTimestamp"], now)),
        ],
        (Some(Kind::PipelineRun | Kind::TaskRun), _) => {
            let cond = obj["status"]["conditions"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["type"] == "Succeeded"))
                .cloned()
                .unwrap_or_default();
            let date = |v: &Value| {
                if v.is_null() {
                    String::new()
                } else {
                    since(v, now)
                }
            };
            vec![
                json!(s(&meta["name"])),
                json!(s(&cond["status"])),
                json!(s(&cond["reason"])),
                json!(date(&obj["status"]["startTime"])),
                json!(date(&obj["status"]["completionTime"])),
            ]
        }
        _ => vec![
            json!(s(&meta["name"])),
            json!(since(&meta["creationTimestamp"], now)),
        ],
    }
}

/// What each row of a Table carries of its object (`?includeObject=`), as the apiserver
/// reads it: `Metadata` by default, the whole object, or nothing (`"object": null`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    /// The request's `includeObject`, or the apiserver's refusal of an unknown one (its
    /// TableOptions validation: a 400 naming the supported values).
    pub fn of(param: Option<&str>) -> Result<Self, String> {
        match param {
            None | Some("") | Some("Metadata") => Ok(Self::Metadata),
            Some("Object") => Ok(Self::Object),
            Some("None") => Ok(Self::None),
            Some(other) => Err(format!(
                "includeObject: Unsupported value: \"{other}\": supported values: \"Metadata\", \"None\", \"Object\""
            )),
        }
    }
}

/// The Table for `items`, with `metadata` carried through from the list (resourceVersion,
/// continue); a custom resource's columns come from its `crd`; each row's object as
/// `include` asks.
pub fn table(
    served: &Served,
    crd: Option<&Value>,
    items: &[Arc<Value>],
    list_meta: Value,
    now: Timestamp,
    include: Include,
) -> Value {
    let rows: Vec<Value> = items
        .iter()
        .map(|obj| {
            let object = match include {
                // The whole metadata, managedFields included, as the apiserver sends it.
                Include::Metadata => {
                    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"].clone()})
                }
                // The whole object, with its kind and version as a get returns it.
                Include::Object => {
                    let mut o = (**obj).clone();
                    o["kind"] = json!(served.kind_name);
                    o["apiVersion"] = json!(served.api_version());
                    o
                }
                Include::None => Value::Null,
            };
            json!({"cells": cells(served, crd, obj, now), "object": object})
        })
        .collect();
    json!({"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": list_meta, "columnDefinitions": columns(served, crd), "rows": rows})
}

/// Whether the client asked for a Table (kubectl does; kube-rs does not).
pub fn wants_table(accept: &str) -> bool {
    accept
        .split(',')
        .next()
        .is_some_and(|first| first.contains("as=Table"))
}
