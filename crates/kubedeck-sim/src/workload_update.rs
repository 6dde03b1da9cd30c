//! The apiserver's validation of a workload's selector (Deployments, ReplicaSets,
//! StatefulSets, DaemonSets): it may not change once set, and it must select the pods its
//! template makes. Refused with the 422 the apiserver writes (Go's `%#v` of the value):
//!
//! `Deployment.apps "web" is invalid: spec.selector: Invalid value:
//! v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"},
//! MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable`
//!
//! (as Helm upgrades quote it in many public issues), and `spec.template.metadata.labels:
//! Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels``.
//! Only `matchLabels` is compared with the template's labels.

use serde_json::Value;

/// The kinds whose selector this weighs.
const WORKLOADS: &[&str] = &["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"];

/// Why a create (`current` none) or an update of a workload `kind` named `name` is invalid:
/// the Status message and each cause (its message and field), in the apiserver's order.
pub fn refusal(
    kind: &str,
    name: &str,
    current: Option<&Value>,
    next: &Value,
) -> Option<(String, Vec<(String, String)>)> {
    if !WORKLOADS.contains(&kind) {
        return None;
    }
    let selector = &next["spec"]["selector"];
    let mut causes = Vec::new();
    // The spec's own validation first, then what an update may not change.
    let labels = &next["spec"]["template"]["metadata"]["labels"];
    let selects = selector["matchLabels"]
        .as_object()
        .is_none_or(|wanted| wanted.iter().all(|(k, v)| labels.get(k) == Some(v)));
    if !selects {
        causes.push((
            format!(
                "Invalid value: {}: `selector` does not match template `labels`",
                string_map(labels)
            ),
            "spec.template.metadata.labels".to_string(),
        ));
    }
    if current.is_some_and(|c| c["spec"]["selector"] != *selector) {
        causes.push((
            format!(
                "Invalid value: {}: field is immutable",
                label_selector(selector)
            ),
            "spec.selector".to_string(),
        ));
    }
    let said: Vec<String> = causes
        .iter()
        .map(|(cause, field)| format!("{field}: {cause}"))
        .collect();
    // One error is said as it is; several as Go's aggregate, in brackets.
    let said = match said.as_slice() {
        [] => return None,
        [one] => one.clone(),
        many => format!("[{}]", many.join(", ")),
    };
    Some((format!("{kind}.apps \"{name}\" is invalid: {said}"), causes))
}

/// Go's `%#v` of a `v1.LabelSelector`.
fn label_selector(selector: &Value) -> String {
    let expressions = match selector["matchExpressions"].as_array() {
        Some(list) if !list.is_empty() => format!(
            "[]v1.LabelSelectorRequirement{{{}}}",
            list.iter()
                .map(|e| format!(
                    "v1.LabelSelectorRequirement{{Key:{}, Operator:{}, Values:{}}}",
                    go_string(&e["key"]),
                    go_string(&e["operator"]),
                    string_slice(&e["values"])
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => "[]v1.LabelSelectorRequirement(nil)".into(),
    };
    format!(
        "v1.LabelSelector{{MatchLabels:{}, MatchExpressions:{expressions}}}",
        string_map(&selector["matchLabels"])
    )
}

/// Go's `%#v` of a `map[string]string` (keys sorted, as `fmt` prints maps).
fn string_map(map: &Value) -> String {
    let Some(map) = map.as_object() else {
        return "map[string]string(nil)".into();
    };
    let mut pairs: Vec<(&String, &Value)> = map.iter().collect();
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    format!(
        "map[string]string{{{}}}",
        pairs
            .iter()
            .map(|(k, v)| format!("{}:{}", super::field_validation::go_quote(k), go_string(v)))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Go's `%#v` of a `[]string`.
fn string_slice(values: &Value) -> String {
    match values.as_array() {
        Some(list) => format!(
            "[]string{{{}}}",
            list.iter().map(go_string).collect::<Vec<_>>().join(", ")
        ),
        None => "[]string(nil)".into(),
    }
}

/// Go's `%q` of a string value.
fn go_string(v: &Value) -> String {
    super::field_validation::go_quote(v.as_str().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(selector: Value, labels: Value) -> Value {
        json!({"spec": {"selector": selector, "template": {"metadata": {"labels": labels}}}})
    }

    /// The words of the refusals quoted in public issues (Helm upgrades of charts whose
    /// selector changed: kube-state-metrics, grafana, minio).
    #[test]
    fn a_changed_selector_is_refused_in_the_apiservers_words() {
        let before = deployment(
            json!({"matchLabels": {"app": "minio"}}),
            json!({"app": "minio"}),
        );
        let after = deployment(
            json!({"matchLabels": {"release": "minio", "app": "minio"}}),
            json!({"app": "minio", "release": "minio"}),
        );
        let (message, causes) =
            refusal("Deployment", "ahibbert-minio", Some(&before), &after).expect("refused");
        assert_eq!(
            message,
            r#"Deployment.apps "ahibbert-minio" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"minio", "release":"minio"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"#
        );
        assert_eq!(causes.len(), 1);
        assert!(message.ends_with(&causes[0].0));
        assert_eq!(causes[0].1, "spec.selector");
        // Both at once: Go's aggregate.
        let both = deployment(
            json!({"matchLabels": {"app": "x"}}),
            json!({"app": "minio"}),
        );
        let (message, causes) = refusal("Deployment", "m", Some(&before), &both).expect("refused");
        assert_eq!(causes.len(), 2);
        assert!(
            message.starts_with(r#"Deployment.apps "m" is invalid: [spec.template.metadata.labels: Invalid value: map[string]string{"app":"minio"}: `selector` does not match template `labels`, spec.selector: "#),
            "{message}"
        );
        assert_eq!(refusal("Deployment", "x", Some(&before), &before), None);
        assert_eq!(refusal("Pod", "x", Some(&before), &after), None);
    }

    #[test]
    fn a_template_its_selector_does_not_select_is_refused() {
        let d = deployment(
            json!({"matchLabels": {"app": "web"}}),
            json!({"app": "web2"}),
        );
        let (message, causes) = refusal("StatefulSet", "web", None, &d).expect("refused");
        assert_eq!(
            message,
            r#"StatefulSet.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"web2"}: `selector` does not match template `labels`"#
        );
        assert_eq!(causes[0].1, "spec.template.metadata.labels");
        let fine = deployment(
            json!({"matchLabels": {"app": "web"}}),
            json!({"app": "web", "v": "2"}),
        );
        assert_eq!(refusal("StatefulSet", "web", None, &fine), None);
    }
}
