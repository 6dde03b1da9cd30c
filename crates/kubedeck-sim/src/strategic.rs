//! Strategic merge patch, as the apiserver applies it to built-in kinds: lists with a merge key
//! (containers by `name`, ports by `containerPort`, ...) are merged element by element, and the
//! directives kubectl writes are honoured: `$setElementOrder/FIELD`, `$patch: delete|replace`,
//! `$deleteFromPrimitiveList/FIELD` and `$retainKeys`. kubectl edit of a container's image sends
//! `{"containers": [{"name": "app", "image": "…"}], "$setElementOrder/containers": [...]}`,
//! which a plain merge would turn into a container with only a name and an image.

use serde_json::{Map, Value};

/// The `patchMergeKey` of a list field in the Kubernetes types (the field name is enough to
/// tell them apart in the kinds the simulator serves); other lists are replaced whole. `ports`
/// is keyed by `containerPort` or `port`, decided per element.
fn merge_key(field: &str) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "ownerReferences" => "uid",
        "conditions" => "type",
        "topologySpreadConstraints" => "topologyKey",
        _ => return None,
    })
}

/// The key of a `ports` element: containers' ports by `containerPort`, Services' by `port`.
fn element_key<'a>(field: &str, element: &'a Value) -> Option<(&'static str, &'a Value)> {
    let key = match merge_key(field) {
        Some(k) => k,
        None if field == "ports" && element.get("containerPort").is_some() => "containerPort",
        None if field == "ports" && element.get("port").is_some() => "port",
        None => return None,
    };
    element.get(key).map(|v| (key, v))
}

/// Apply `patch` to `target` in place.
pub fn apply(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => merge_object(target, p),
        other => *target = strip(other),
    }
}

fn directive(patch: &Map<String, Value>) -> Option<&str> {
    patch.get("$patch").and_then(Value::as_str)
}

fn merge_object(target: &mut Value, patch: &Map<String, Value>) {
    match directive(patch) {
        Some("replace") => {
            *target = strip(&Value::Object(patch.clone()));
            return;
        }
        Some("delete") => {
            *target = Value::Null;
            return;
        }
        _ => {}
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(map) = target.as_object_mut() else {
        return;
    };
    if let Some(Value::Array(keep)) = patch.get("$retainKeys") {
        map.retain(|k, _| keep.iter().any(|x| x.as_str() == Some(k.as_str())));
    }
    for (field, value) in patch.iter().filter(|(k, _)| !k.starts_with('$')) {
        if value.is_null() {
            map.remove(field);
            continue;
        }
        match (map.get_mut(field), value) {
            (Some(current @ Value::Object(_)), Value::Object(p)) => {
                merge_object(current, p);
                if current.is_null() {
                    map.remove(field);
                }
            }
            (Some(Value::Array(current)), Value::Array(p))
                if p.iter().all(|e| element_key(field, e).is_some()) && !p.is_empty() =>
            {
                merge_list(field, current, p);
            }
            (_, Value::Object(p)) if directive(p) == Some("delete") => {
                map.remove(field);
            }
            _ => {
                map.insert(field.clone(), strip(value));
            }
        }
    }
    for (name, value) in patch {
        if let (Some(field), Value::Array(drop)) =
            (name.strip_prefix("$deleteFromPrimitiveList/"), value)
            && let Some(Value::Array(list)) = map.get_mut(field)
        {
            list.retain(|v| !drop.contains(v));
        }
    }
    for (name, value) in patch {
        if let (Some(field), Value::Array(order)) = (name.strip_prefix("$setElementOrder/"), value)
            && let Some(Value::Array(list)) = map.get_mut(field)
        {
            reorder(field, list, order);
        }
    }
}

fn merge_list(field: &str, current: &mut Vec<Value>, patch: &[Value]) {
    for element in patch {
        let Some((key, id)) = element_key(field, element) else {
            continue;
        };
        let found = current.iter().position(|c| c.get(key) == Some(id));
        let delete = element
            .as_object()
            .is_some_and(|e| directive(e) == Some("delete"));
        match (found, delete) {
            (Some(i), true) => {
                current.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => apply(&mut current[i], element),
            (None, false) => current.push(strip(element)),
        }
    }
}

/// Order `list` as `order` names its elements (by merge key, or by value for primitives);
/// elements it does not name keep their relative order after the named ones.
fn reorder(field: &str, list: &mut [Value], order: &[Value]) {
    let rank = |v: &Value| -> usize {
        order
            .iter()
            .position(|o| match (element_key(field, o), element_key(field, v)) {
                (Some((_, a)), Some((_, b))) => a == b,
                _ => o == v,
            })
            .unwrap_or(order.len())
    };
    list.sort_by_key(|v| rank(v));
}

/// `value` without directives, for content a patch adds whole.
fn strip(value: &Value) -> Value {
    match value {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patched(target: Value, patch: Value) -> Value {
        let mut t = target;
        apply(&mut t, &patch);
        t
    }

    #[test]
    fn kubectl_edit_of_one_containers_image_keeps_the_rest() {
        // The body kubectl 1.36 sent for an edit of the first container's image.
        let before = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "api:1", "ports": [{"containerPort": 8080}]},
            {"name": "envoy", "image": "envoy:1"}]}}}});
        let after = patched(
            before,
            json!({"spec": {"template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}, {"name": "envoy"}],
                "containers": [{"image": "api:2", "name": "app"}]}}}}),
        );
        assert_eq!(
            after,
            json!({"spec": {"template": {"spec": {"containers": [
                {"name": "app", "image": "api:2", "ports": [{"containerPort": 8080}]},
                {"name": "envoy", "image": "envoy:1"}]}}}})
        );
    }

    #[test]
    fn directives_delete_replace_order_and_primitive_lists() {
        let before = json!({"metadata": {"finalizers": ["a", "b"], "labels": {"x": "1", "y": "2"}},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
                     "ports": [{"port": 80, "name": "http"}], "selector": {"app": "web", "tier": "fe"}}});
        let after = patched(
            before,
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"], "labels": {"y": null}},
                "spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}],
                         "containers": [{"name": "b", "$patch": "delete"}],
                         "ports": [{"port": 443, "name": "https"}],
                         "selector": {"$patch": "replace", "app": "api"}}}),
        );
        assert_eq!(
            after,
            json!({"metadata": {"finalizers": ["b"], "labels": {"x": "1"}},
                "spec": {"containers": [{"name": "c"}, {"name": "a"}],
                         "ports": [{"port": 80, "name": "http"}, {"port": 443, "name": "https"}],
                         "selector": {"app": "api"}}})
        );
        // A list without a merge key is replaced, as is a list of primitives.
        let args = patched(
            json!({"args": ["-v"], "tolerations": [{"key": "a"}]}),
            json!({"args": ["-q"], "tolerations": [{"key": "b"}]}),
        );
        assert_eq!(args, json!({"args": ["-q"], "tolerations": [{"key": "b"}]}));
    }
}
