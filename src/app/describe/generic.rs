//! Any other kind, described as `kubectl describe` does for kinds it has no describer for:
//! the metadata, who controls it, then every other field with readable labels (`readyReplicas`
//! as `Ready Replicas`), nested by indentation, and the object's events. A Secret's values are
//! never shown here, only their sizes.

use base64::Engine;

use super::*;

/// `readyReplicas` -> `Ready Replicas`, `apiVersion` -> `API Version`, as kubectl labels them
/// (its `smartLabelFor`). A key with anything but letters and `-` (a ConfigMap's
/// `postgresql.conf`, a label's `app.kubernetes.io/name`) is data, kept as it is.
fn label(key: &str) -> String {
    if key.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return key.to_string();
    }
    let mut out = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(' ');
        }
        if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(*c);
        }
    }
    out.replace("Api ", "API ")
        .replace("Ip", "IP")
        .replace("Uid", "UID")
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

fn value(doc: &mut Doc, indent: usize, key: &str, v: &Value) {
    match v {
        Value::Object(m) if m.is_empty() => doc.field(indent, &label(key), "<none>"),
        Value::Object(m) => {
            doc.heading(indent, &format!("{}:", label(key)));
            for (k, v) in m {
                value(doc, indent + 2, k, v);
            }
        }
        Value::Array(items) if items.is_empty() => doc.field(indent, &label(key), "<none>"),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let joined = items.iter().map(scalar).collect::<Vec<_>>().join(", ");
            doc.field(indent, &label(key), joined);
        }
        Value::Array(items) => {
            doc.heading(indent, &format!("{}:", label(key)));
            for item in items {
                match item {
                    Value::Object(m) => {
                        let mut first = true;
                        for (k, v) in m {
                            // The item's first field carries the list's dash.
                            let pad = if first { "- " } else { "  " };
                            first = false;
                            match v {
                                Value::Object(_) | Value::Array(_) => {
                                    doc.text(
                                        indent + 2,
                                        format!("{pad}{}:", label(k)),
                                        Role::Heading,
                                    );
                                    if let Value::Object(inner) = v {
                                        for (k2, v2) in inner {
                                            value(doc, indent + 6, k2, v2);
                                        }
                                    } else {
                                        value(doc, indent + 4, k, v);
                                    }
                                }
                                _ => doc.text(
                                    indent + 2,
                                    format!("{pad}{}:  {}", label(k), scalar(v)),
                                    Role::Plain,
                                ),
                            }
                        }
                    }
                    other => doc.text(indent + 2, format!("- {}", scalar(other)), Role::Plain),
                }
            }
        }
        other => doc.field(indent, &label(key), scalar(other)),
    }
}

/// A Secret's data as kubectl describes it: keys and sizes; the values only when revealed.
fn secret_data(doc: &mut Doc, obj: &Value, reveal: bool) {
    doc.heading(0, "Data");
    doc.text(0, "====", Role::Heading);
    let data = obj["data"].as_object();
    match data.filter(|d| !d.is_empty()) {
        None => doc.text(0, "<none>", Role::Muted),
        Some(d) => {
            for (k, v) in d {
                let bytes = v
                    .as_str()
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .unwrap_or_default();
                let shown = match (reveal, std::str::from_utf8(&bytes)) {
                    (true, Ok(text)) => text.to_string(),
                    _ => format!("{} bytes", bytes.len()),
                };
                doc.field(0, k, shown);
            }
            if !reveal {
                doc.text(0, "(X shows the values)", Role::Muted);
            }
        }
    }
}

pub fn generic(obj: &Value, events: &[&EventRow], now: Timestamp, reveal: bool) -> Vec<DocLine> {
    let mut doc = Doc::default();
    let mut shown = obj.clone();
    // The last-applied annotation repeats the whole object: kubectl describe leaves it out.
    if let Some(a) = shown["metadata"]["annotations"].as_object_mut() {
        a.remove("kubectl.kubernetes.io/last-applied-configuration");
    }
    json_meta(&mut doc, &shown, now);
    let controller = obj["metadata"]["ownerReferences"]
        .as_array()
        .and_then(|o| o.iter().find(|r| r["controller"] == true).or(o.first()))
        .map(|r| format!("{}/{}", scalar(&r["kind"]), scalar(&r["name"])));
    if let Some(c) = controller {
        doc.field(0, "Controlled By", c);
    }
    let secret = obj["kind"] == "Secret";
    if let Some(fields) = obj.as_object() {
        for (k, v) in fields {
            if matches!(k.as_str(), "apiVersion" | "kind" | "metadata") {
                continue;
            }
            if secret && matches!(k.as_str(), "data" | "stringData") {
                continue;
            }
            value(&mut doc, 0, k, v);
        }
    }
    if secret {
        secret_data(&mut doc, obj, reveal);
    }
    events_section(&mut doc, events, now);
    doc.lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[DocLine]) -> String {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn fixture(kind: &str) -> Vec<Value> {
        let path = format!(
            "{}/tests/fixtures/real-cluster/kinds/{kind}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let v: Value = serde_json::from_str(&text).unwrap();
        v["items"].as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn labels_read_like_kubectl() {
        assert_eq!(label("readyReplicas"), "Ready Replicas");
        assert_eq!(label("apiVersion"), "API Version");
        assert_eq!(label("clusterIP"), "Cluster IP");
        assert_eq!(label("replicas"), "Replicas");
        // Data keys stay as they are.
        assert_eq!(label("postgresql.conf"), "postgresql.conf");
        assert_eq!(label("max_connections"), "max_connections");
        assert_eq!(label("ipv4"), "ipv4");
    }

    #[test]
    fn a_deployment_is_described_with_its_fields_and_owner_free_metadata() {
        let d = fixture("deployments").remove(0);
        let out = text(&generic(&d, &[], Timestamp::UNIX_EPOCH, false));
        assert!(out.contains("Name:") && out.contains("web"), "{out}");
        assert!(out.contains("Spec:") && out.contains("Replicas:") && out.contains("Status:"));
        assert!(out.contains("Ready Replicas:"), "{out}");
        assert!(!out.contains("last-applied-configuration"));
        assert!(out.contains("Events:"));
        let rs = fixture("replicasets").remove(0);
        let out = text(&generic(&rs, &[], Timestamp::UNIX_EPOCH, false));
        assert!(
            out.contains("Controlled By:") && out.contains("Deployment/web"),
            "{out}"
        );
    }

    #[test]
    fn a_secret_shows_sizes_never_values() {
        let secret = fixture("secrets")
            .into_iter()
            .find(|s| s["metadata"]["name"] == "db-credentials")
            .unwrap_or_default();
        let out = text(&generic(&secret, &[], Timestamp::UNIX_EPOCH, false));
        assert!(out.contains("bytes"), "{out}");
        for (_, v) in secret["data"].as_object().into_iter().flatten() {
            let encoded = v.as_str().unwrap_or_default();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default();
            assert!(!out.contains(encoded), "encoded value shown");
            // (A value as short as "app" appears in ordinary text too.)
            assert!(decoded.len() <= 4 || !out.contains(&decoded), "value shown");
        }
        // Asked for: the values, decoded.
        let out = text(&generic(&secret, &[], Timestamp::UNIX_EPOCH, true));
        assert!(out.contains("not-a-real-password"), "{out}");
    }
}
