//! Saving an edit after someone else changed the object, as `kubectl edit` does: the user's
//! own changes (what they changed from the version they read) are applied onto the version
//! there now, so both people's work is kept; only when both changed the same field is the user
//! asked, with the current version and the clash named.
//!
//! Changes are found field by field, and lists of named items (containers, env, ports,
//! volumes…) by name, as a strategic merge patch keys them: one person changing a container's
//! image and another its env do not clash. `status` and the server's bookkeeping
//! (resourceVersion, generation, managedFields) are never changes of the user's.

use serde_json::Value;

/// One step into an object: a field, or the item of a list with that `name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Field(String),
    Named(String),
}

/// One change: at `path`, the new value (`None`: removed).
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub path: Vec<Step>,
    pub value: Option<Value>,
}

/// `spec.template.spec.containers[app].image`: a path as a person reads it.
pub fn path_text(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Field(f) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(f);
            }
            Step::Named(n) => {
                out.push('[');
                out.push_str(n);
                out.push(']');
            }
        }
    }
    out
}

/// Whether a change at `path` is the server's, never the user's.
fn ignored(path: &[Step]) -> bool {
    let field = |i: usize| match path.get(i) {
        Some(Step::Field(f)) => f.as_str(),
        _ => "",
    };
    field(0) == "status"
        || (field(0) == "metadata"
            && matches!(
                field(1),
                "resourceVersion" | "generation" | "managedFields" | "creationTimestamp" | "uid"
            ))
}

/// The names of a list whose every item is an object with a distinct `name`.
fn names(items: &[Value]) -> Option<Vec<&str>> {
    let names: Vec<&str> = items
        .iter()
        .map(|i| i.get("name").and_then(Value::as_str))
        .collect::<Option<_>>()?;
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == names.len()).then_some(names)
}

fn named<'a>(items: &'a [Value], name: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|i| i.get("name").and_then(Value::as_str) == Some(name))
}

/// What changed from `from` to `to`.
pub fn diff(from: &Value, to: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff_at(&mut Vec::new(), from, to, &mut out);
    out.retain(|c| !ignored(&c.path));
    out
}

fn diff_at(path: &mut Vec<Step>, from: &Value, to: &Value, out: &mut Vec<Change>) {
    match (from, to) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, av) in a {
                path.push(Step::Field(k.clone()));
                match b.get(k) {
                    Some(bv) => diff_at(path, av, bv, out),
                    None => out.push(Change {
                        path: path.clone(),
                        value: None,
                    }),
                }
                path.pop();
            }
            for (k, bv) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                path.push(Step::Field(k.clone()));
                out.push(Change {
                    path: path.clone(),
                    value: Some(bv.clone()),
                });
                path.pop();
            }
        }
        (Value::Array(a), Value::Array(b)) if a != b => match (names(a), names(b)) {
            (Some(an), Some(bn)) => {
                for name in &an {
                    path.push(Step::Named((*name).to_string()));
                    match (named(a, name), named(b, name)) {
                        (Some(av), Some(bv)) => diff_at(path, av, bv, out),
                        _ => out.push(Change {
                            path: path.clone(),
                            value: None,
                        }),
                    }
                    path.pop();
                }
                for name in bn.iter().filter(|n| !an.contains(n)) {
                    path.push(Step::Named((*name).to_string()));
                    out.push(Change {
                        path: path.clone(),
                        value: named(b, name).cloned(),
                    });
                    path.pop();
                }
            }
            _ => out.push(Change {
                path: path.clone(),
                value: Some(to.clone()),
            }),
        },
        _ if from != to => out.push(Change {
            path: path.clone(),
            value: Some(to.clone()),
        }),
        _ => {}
    }
}

/// Make `change` in `target` (creating the fields on the way; a named item not there is
/// added at the end).
pub fn apply(target: &mut Value, change: &Change) {
    let Some((last, parents)) = change.path.split_last() else {
        if let Some(v) = &change.value {
            *target = v.clone();
        }
        return;
    };
    let mut at = target;
    for step in parents {
        at = match step {
            Step::Field(f) => {
                if !at.is_object() {
                    *at = Value::Object(serde_json::Map::new());
                }
                match at.as_object_mut() {
                    Some(map) => map.entry(f.clone()).or_insert(Value::Null),
                    None => return,
                }
            }
            Step::Named(n) => {
                let Some(items) = at.as_array_mut() else {
                    return;
                };
                let pos = items
                    .iter()
                    .position(|i| i.get("name").and_then(Value::as_str) == Some(n));
                match pos {
                    Some(p) => &mut items[p],
                    None => return,
                }
            }
        };
    }
    match (last, &change.value) {
        (Step::Field(f), Some(v)) => {
            if !at.is_object() {
                *at = Value::Object(serde_json::Map::new());
            }
            if let Some(map) = at.as_object_mut() {
                map.insert(f.clone(), v.clone());
            }
        }
        (Step::Field(f), None) => {
            if let Some(map) = at.as_object_mut() {
                map.remove(f);
            }
        }
        (Step::Named(n), value) => {
            let Some(items) = at.as_array_mut() else {
                return;
            };
            let pos = items
                .iter()
                .position(|i| i.get("name").and_then(Value::as_str) == Some(n));
            match (pos, value) {
                (Some(p), Some(v)) => items[p] = v.clone(),
                (Some(p), None) => {
                    items.remove(p);
                }
                (None, Some(v)) => items.push(v.clone()),
                (None, None) => {}
            }
        }
    }
}

/// A field both people changed, differently.
#[derive(Debug, Clone, PartialEq)]
pub struct Clash {
    pub path: String,
    pub yours: Option<Value>,
    pub theirs: Option<Value>,
}

fn within(a: &[Step], b: &[Step]) -> bool {
    a.len() <= b.len() && b[..a.len()] == *a
}

/// The changes of `mine` that touch what `theirs` changed, unless both made the same change.
pub fn clashes(mine: &[Change], theirs: &[Change]) -> Vec<Clash> {
    let mut out = Vec::new();
    for m in mine {
        for t in theirs {
            let overlap = within(&m.path, &t.path) || within(&t.path, &m.path);
            if overlap && m != t {
                out.push(Clash {
                    path: path_text(&m.path),
                    yours: m.value.clone(),
                    theirs: t.value.clone(),
                });
                break;
            }
        }
    }
    out
}

/// What three-way merging came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Merged {
    /// The current version with the user's changes in it: ready to save.
    Clean(Value),
    /// Both changed the same fields: the current version with the user's other changes in it,
    /// and the clashes.
    Clashing(Value, Vec<Clash>),
}

/// The user read `original`, saved `edited`; the server has `current`.
pub fn three_way(original: &Value, edited: &Value, current: &Value) -> Merged {
    let mine = diff(original, edited);
    let theirs = diff(original, current);
    let clashing = clashes(&mine, &theirs);
    let mut merged = current.clone();
    for change in &mine {
        let clashes_here = clashing.iter().any(|c| c.path == path_text(&change.path));
        if !clashes_here {
            apply(&mut merged, change);
        }
    }
    if clashing.is_empty() {
        Merged::Clean(merged)
    } else {
        Merged::Clashing(merged, clashing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(replicas: i64, image: &str, env: Value) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "demo", "resourceVersion": "10",
                "labels": {"app": "web"}},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "app", "image": image, "env": env},
                {"name": "sidecar", "image": "envoy:1"}]}}},
            "status": {"replicas": replicas}})
    }

    #[test]
    fn changes_to_different_fields_are_both_kept() {
        let original = deployment(2, "web:1", json!([]));
        // You: a new image and a label. They: more replicas, an env var, and the status moved.
        let mut edited = deployment(2, "web:2", json!([]));
        edited["metadata"]["labels"]["tier"] = json!("front");
        let mut current = deployment(5, "web:1", json!([{"name": "MODE", "value": "fast"}]));
        current["metadata"]["resourceVersion"] = json!("11");
        current["status"]["replicas"] = json!(4);
        let Merged::Clean(merged) = three_way(&original, &edited, &current) else {
            panic!("no clash expected")
        };
        assert_eq!(merged["spec"]["replicas"], 5, "theirs kept");
        let app = &merged["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(app["image"], "web:2", "yours kept");
        assert_eq!(
            app["env"][0]["name"], "MODE",
            "theirs in the same container kept"
        );
        assert_eq!(merged["metadata"]["labels"]["tier"], "front");
        assert_eq!(merged["metadata"]["resourceVersion"], "11");
        assert_eq!(
            merged["spec"]["template"]["spec"]["containers"][1]["image"],
            "envoy:1"
        );
    }

    #[test]
    fn the_same_field_changed_on_both_sides_is_a_clash() {
        let original = deployment(2, "web:1", json!([]));
        let edited = deployment(3, "web:2", json!([]));
        let current = deployment(5, "web:1", json!([]));
        let Merged::Clashing(merged, clashes) = three_way(&original, &edited, &current) else {
            panic!("a clash expected")
        };
        assert_eq!(
            clashes,
            vec![Clash {
                path: "spec.replicas".into(),
                yours: Some(json!(3)),
                theirs: Some(json!(5)),
            }]
        );
        assert_eq!(
            merged["spec"]["replicas"], 5,
            "theirs stays where both changed"
        );
        assert_eq!(
            merged["spec"]["template"]["spec"]["containers"][0]["image"], "web:2",
            "your other changes are in"
        );
        // The same change on both sides is no clash.
        assert!(matches!(
            three_way(&original, &current, &current),
            Merged::Clean(_)
        ));
    }

    #[test]
    fn named_items_are_added_and_removed_by_name() {
        let original = deployment(2, "web:1", json!([{"name": "A", "value": "1"}]));
        let edited = deployment(2, "web:1", json!([{"name": "B", "value": "2"}]));
        let current = deployment(
            2,
            "web:1",
            json!([{"name": "A", "value": "1"}, {"name": "C", "value": "3"}]),
        );
        let Merged::Clean(merged) = three_way(&original, &edited, &current) else {
            panic!("no clash expected")
        };
        let env = &merged["spec"]["template"]["spec"]["containers"][0]["env"];
        assert_eq!(
            env,
            &json!([{"name": "C", "value": "3"}, {"name": "B", "value": "2"}])
        );
    }
}
