//! `/openapi/v3`: the index of group-versions and, per group-version, the paths the simulator
//! serves with their operations, as the apiserver publishes them. kubectl reads them before a
//! write with `--validate=strict` (its default, e.g. `kubectl edit`, `wire-edit.txt`): when the
//! PATCH or PUT operation of the object's kind lists the `fieldValidation` query parameter, it
//! leaves validation to the server. Schemas of the objects are not published (kubectl only falls
//! back to them when the server cannot validate).

use serde_json::{Value, json};

use super::resources::{SERVED, Served};

/// The path under `/openapi/v3/` for a group-version: `api/v1` or `apis/GROUP/VERSION`.
fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// A short, stable digest of a document, the index's `hash` (the apiserver's is a SHA-512; any
/// digest that changes with the document does: clients only use it as a cache key).
fn digest(doc: &Value) -> String {
    let bytes = serde_json::to_vec(doc).unwrap_or_default();
    // FNV-1a, 64 bits.
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016X}")
}

/// Every group-version with at least one resource `serves` allows, in discovery order.
fn group_versions(serves: &impl Fn(&str, &str) -> bool) -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for s in SERVED.iter().filter(|s| serves(s.group, s.version)) {
        if !out.contains(&(s.group, s.version)) {
            out.push((s.group, s.version));
        }
    }
    out
}

/// `GET /openapi/v3`: `{"paths": {"apis/apps/v1": {"serverRelativeURL": "/openapi/v3/apis/apps/v1?hash=…"}}}`.
pub fn index(serves: impl Fn(&str, &str) -> bool) -> Value {
    let mut paths = serde_json::Map::new();
    for (group, version) in group_versions(&serves) {
        let Some(doc) = document(group, version) else {
            continue;
        };
        let path = gv_path(group, version);
        paths.insert(
            path.clone(),
            json!({"serverRelativeURL": format!("/openapi/v3/{path}?hash={}", digest(&doc))}),
        );
    }
    json!({ "paths": paths })
}

fn query_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description, "schema": {"type": "string", "uniqueItems": true}})
}

/// The parameters a write takes (`dryRun`, `fieldManager`, `fieldValidation`, and `force` for
/// a PATCH), as the apiserver lists them on each write operation.
fn write_params(patch: bool) -> Vec<Value> {
    let mut params = vec![
        query_param(
            "dryRun",
            "When present, indicates that modifications should not be persisted.",
        ),
        query_param(
            "fieldManager",
            "fieldManager is a name associated with the actor or entity that is making these changes.",
        ),
        query_param(
            "fieldValidation",
            "fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.",
        ),
    ];
    if patch {
        params.push(json!({"name": "force", "in": "query", "description": "Force is going to \"force\" Apply requests.", "schema": {"type": "boolean", "uniqueItems": true}}));
    }
    params
}

fn operation(s: &Served, action: &str, verb_title: &str, params: Vec<Value>) -> Value {
    let scope = if s.namespaced { "Namespaced" } else { "" };
    let group_title: String = s
        .group
        .split('.')
        .map(|part| {
            let mut c = part.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect();
    let version_title = {
        let mut c = s.version.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    };
    let group_title = if s.group.is_empty() {
        "Core".to_string()
    } else {
        group_title
    };
    let mut op = json!({
        "tags": [format!("{}_{}", if s.group.is_empty() { "core" } else { s.group }, s.version)],
        "operationId": format!("{verb_title}{group_title}{version_title}{scope}{}", s.kind_name),
        "responses": {"200": {"description": "OK"}, "401": {"description": "Unauthorized"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {"group": s.group, "version": s.version, "kind": s.kind_name},
    });
    if !params.is_empty() {
        op["parameters"] = Value::Array(params);
    }
    op
}

/// `GET /openapi/v3/api/v1` or `/openapi/v3/apis/GROUP/VERSION`: the collection and object
/// paths of every writable resource of that group-version. `None` when nothing is served there.
pub fn document(group: &str, version: &str) -> Option<Value> {
    let served: Vec<&Served> = SERVED
        .iter()
        .filter(|s| s.group == group && s.version == version)
        .collect();
    if served.is_empty() {
        return None;
    }
    let base = format!("/{}", gv_path(group, version));
    let mut paths = serde_json::Map::new();
    for s in served {
        let collection = if s.namespaced {
            format!("{base}/namespaces/{{namespace}}/{}", s.plural)
        } else {
            format!("{base}/{}", s.plural)
        };
        let writable = s.verbs().contains(&"patch");
        let mut coll = json!({"get": operation(s, "list", "list", Vec::new())});
        let mut item = json!({"get": operation(s, "get", "read", Vec::new())});
        if writable {
            coll["post"] = operation(s, "post", "create", write_params(false));
            item["put"] = operation(s, "put", "replace", write_params(false));
            item["patch"] = operation(s, "patch", "patch", write_params(true));
            item["delete"] = operation(s, "delete", "delete", Vec::new());
        }
        paths.insert(format!("{collection}/{{name}}"), item);
        paths.insert(collection, coll);
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "1.36"},
        "paths": paths,
        "components": {"schemas": {}},
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_names_each_group_version_with_a_hash() {
        let index = index(|_, _| true);
        let url = index["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap_or_default();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="), "{url}");
        assert!(index["paths"]["api/v1"].is_object());
        let hidden = super::index(|g, _| g != "tekton.dev");
        assert!(hidden["paths"]["apis/tekton.dev/v1"].is_null());
    }

    #[test]
    fn a_patch_operation_names_its_kind_and_takes_field_validation() {
        let doc = document("apps", "v1").unwrap_or_default();
        let patch =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment"})
        );
        assert_eq!(patch["operationId"], "patchAppsV1NamespacedDeployment");
        let names: Vec<&str> = patch["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert!(names.contains(&"fieldValidation"), "{names:?}");
        // Read-only resources have no write operations.
        let metrics = document("metrics.k8s.io", "v1beta1").unwrap_or_default();
        assert!(
            metrics["paths"]["/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}"]
                ["patch"]
                .is_null()
        );
        assert!(document("nope", "v1").is_none());
    }
}
