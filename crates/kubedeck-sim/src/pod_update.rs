//! What an update may change in a pod's spec, as the apiserver's validation allows it: the
//! images, `activeDeadlineSeconds` (set, or shortened), tolerations (only added),
//! `terminationGracePeriodSeconds` (only a negative one set to 1) and scheduling gates (only
//! removed). Anything else is its 422: `Pod "web-1" is invalid: spec: Forbidden: pod updates
//! may not change fields other than …`. (The real message goes on with a Go diff of the two
//! specs, which the simulator does not write.)

use serde_json::{Value, json};

/// The fields an update may change, as the apiserver lists them.
pub const UPDATABLE: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// The apiserver's refusal text when `next`'s spec changes what may not change, else `None`.
pub fn refusal(current: &Value, next: &Value) -> Option<String> {
    let old = &current["spec"];
    let mut new = next["spec"].clone();
    // Put back what may change, where it changed as allowed; what is left must be equal.
    for list in ["containers", "initContainers"] {
        let (Some(olds), Some(news)) = (old[list].as_array(), new[list].as_array_mut()) else {
            continue;
        };
        if olds.len() == news.len() {
            for (o, n) in olds.iter().zip(news.iter_mut()) {
                if o["name"] == n["name"] {
                    n["image"] = o["image"].clone();
                }
            }
        }
    }
    let deadline_ok = match (
        old["activeDeadlineSeconds"].as_i64(),
        new["activeDeadlineSeconds"].as_i64(),
    ) {
        (None, Some(n)) => n > 0,
        (Some(o), Some(n)) => n > 0 && n <= o,
        _ => false,
    };
    if deadline_ok {
        new["activeDeadlineSeconds"] = old["activeDeadlineSeconds"].clone();
    }
    let added_only = |field: &str| {
        let olds = old[field].as_array().cloned().unwrap_or_default();
        let news = new[field].as_array().cloned().unwrap_or_default();
        olds.iter().all(|t| news.contains(t))
    };
    if added_only("tolerations") {
        new["tolerations"] = old["tolerations"].clone();
    }
    let removed_only = {
        let olds = old["schedulingGates"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let news = new["schedulingGates"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        news.iter().all(|g| olds.contains(g))
    };
    if removed_only {
        new["schedulingGates"] = old["schedulingGates"].clone();
    }
    if old["terminationGracePeriodSeconds"]
        .as_i64()
        .is_some_and(|g| g < 0)
        && new["terminationGracePeriodSeconds"] == json!(1)
    {
        new["terminationGracePeriodSeconds"] = old["terminationGracePeriodSeconds"].clone();
    }
    if without_nulls(&new) == without_nulls(old) {
        return None;
    }
    let name = current["metadata"]["name"].as_str().unwrap_or_default();
    Some(format!(
        "Pod \"{name}\" is invalid: spec: Forbidden: pod updates may not change fields other than {UPDATABLE}"
    ))
}

/// A field set to null is a field not set (a merge patch's `null` removes it).
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Value {
        json!({"metadata": {"name": "web-1"}, "spec": {
            "containers": [{"name": "app", "image": "nginx:1.27", "env": [{"name": "A", "value": "1"}]}],
            "tolerations": [{"key": "a", "operator": "Exists"}],
            "restartPolicy": "Always", "terminationGracePeriodSeconds": 30}})
    }

    #[test]
    fn images_deadlines_and_added_tolerations_may_change() {
        let mut next = pod();
        next["spec"]["containers"][0]["image"] = json!("nginx:1.28");
        next["spec"]["activeDeadlineSeconds"] = json!(600);
        if let Some(t) = next["spec"]["tolerations"].as_array_mut() {
            t.push(json!({"key": "b", "operator": "Exists"}));
        }
        next["metadata"]["labels"] = json!({"x": "y"});
        assert_eq!(refusal(&pod(), &next), None);
        let mut longer = next.clone();
        longer["spec"]["activeDeadlineSeconds"] = json!(601);
        assert!(
            refusal(&next, &longer).is_some(),
            "a deadline only shortens"
        );
    }

    #[test]
    fn anything_else_is_refused_in_the_apiservers_words() {
        for change in [
            json!({"restartPolicy": "Never"}),
            json!({"tolerations": []}),
            json!({"terminationGracePeriodSeconds": 5}),
        ] {
            let mut next = pod();
            if let (Some(spec), Some(c)) = (next["spec"].as_object_mut(), change.as_object()) {
                spec.extend(c.clone());
            }
            assert_eq!(
                refusal(&pod(), &next).as_deref(),
                Some(
                    "Pod \"web-1\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
                ),
                "{change}"
            );
        }
        let mut env = pod();
        env["spec"]["containers"][0]["env"][0]["value"] = json!("2");
        assert!(refusal(&pod(), &env).is_some());
    }
}
