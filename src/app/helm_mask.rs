//! What `:helm` hides until `X`: values whose key names a credential (`password`, `token`,
//! `apiKey`, `clientSecret`, …; not the name of a Secret holding one, as `existingSecret` or
//! `passwordSecretName`), and the data of the Secrets in a rendered manifest, as a Secret's own
//! YAML is shown. A release's values often carry a database password; pairing over tmux or a
//! shared screen should not show it by opening the release.

use serde_json::Value;

/// Key name parts that make a value a credential (compared without case, `-` or `_`).
const SENSITIVE: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "credential",
    "accesskey",
    "connectionstring",
];

/// Whether a value under `key` is a credential (and not a reference to one).
fn sensitive(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect();
    let names_one = k.starts_with("existing")
        || ["name", "ref", "path", "file", "enabled", "key"]
            .iter()
            .any(|end| k.ends_with(end) && !SENSITIVE.iter().any(|s| k.ends_with(s)));
    SENSITIVE.iter().any(|s| k.contains(s)) && !names_one
}

/// The values with every credential replaced by `<hidden: N chars; X reveals>` (booleans and
/// nulls are kept: `password: null` and `tls.secret: true` say nothing).
pub fn values(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let shown = match v {
                        Value::String(_) | Value::Number(_) if sensitive(k) => hidden(v),
                        // A list of credentials (`tokens: [a, b]`) hides each.
                        Value::Array(items) if sensitive(k) => {
                            Value::Array(items.iter().map(hidden).collect())
                        }
                        other => values(other),
                    };
                    (k.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(values).collect()),
        other => other.clone(),
    }
}

fn hidden(v: &Value) -> Value {
    let len = match v {
        Value::String(s) => s.chars().count(),
        Value::Object(_) | Value::Array(_) => return values(v),
        other => other.to_string().chars().count(),
    };
    Value::String(format!("<hidden: {len} chars; X reveals>"))
}

/// A rendered manifest with each Secret's `data`/`stringData` masked as a Secret's YAML is;
/// the other documents as they were written.
pub fn manifest(text: &str) -> String {
    let mut out = Vec::new();
    for doc in split_documents(text) {
        let parsed: Option<Value> = serde_yaml_ng::from_str(doc).ok();
        match parsed {
            Some(mut obj) if obj["kind"] == "Secret" => {
                super::yaml::secret_values(&mut obj, false);
                let body = serde_yaml_ng::to_string(&obj).unwrap_or_default();
                // Helm's `# Source:` line stays above the document.
                let comments: Vec<&str> = doc
                    .lines()
                    .take_while(|l| l.starts_with('#') || l.trim().is_empty())
                    .collect();
                let mut masked = comments.join("\n");
                if !masked.is_empty() {
                    masked.push('\n');
                }
                masked.push_str(body.trim_end());
                out.push(masked);
            }
            _ => out.push(doc.trim_end_matches('\n').to_string()),
        }
    }
    out.join("\n---\n")
}

/// The documents of a multi-document YAML text, split at `---` lines.
fn split_documents(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            docs.push(&text[start..at]);
            start = at + line.len();
        }
        at += line.len();
    }
    docs.push(&text[start..]);
    docs.into_iter().filter(|d| !d.trim().is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_are_hidden_and_references_to_them_are_not() {
        let given = json!({
            "auth": {"postgresPassword": "hunter2", "existingSecret": "pg-auth",
                     "secretKeys": {"adminPasswordKey": "admin-password"}, "username": "app"},
            "api": {"token": "abc123", "tokenSecretName": "api-token", "apiKey": 12345},
            "tls": {"secret": true, "privateKey": null},
            "s3": {"access_key": "AKIA", "secret-access-key": "wJal"},
            "tokens": ["one", "two"],
            "replicas": 3,
        });
        let shown = values(&given);
        let h = |n: usize| json!(format!("<hidden: {n} chars; X reveals>"));
        assert_eq!(shown["auth"]["postgresPassword"], h(7));
        assert_eq!(shown["auth"]["existingSecret"], "pg-auth");
        assert_eq!(
            shown["auth"]["secretKeys"]["adminPasswordKey"],
            "admin-password"
        );
        assert_eq!(shown["auth"]["username"], "app");
        assert_eq!(shown["api"]["token"], h(6));
        assert_eq!(shown["api"]["tokenSecretName"], "api-token");
        assert_eq!(shown["api"]["apiKey"], h(5));
        assert_eq!(shown["tls"], json!({"secret": true, "privateKey": null}));
        assert_eq!(shown["s3"]["access_key"], h(4));
        assert_eq!(shown["s3"]["secret-access-key"], h(4));
        assert_eq!(shown["tokens"], json!([h(3), h(3)]));
        assert_eq!(shown["replicas"], 3);
        assert!(
            !serde_json::to_string(&shown)
                .unwrap_or_default()
                .contains("hunter2")
        );
    }

    #[test]
    fn a_manifests_secrets_are_masked_and_the_rest_kept_as_written() {
        let text = "---\n# Source: shop/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-db\ndata:\n  password: aHVudGVyMg==\n---\n# Source: shop/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\ndata:\n  mode:   fast\n";
        let shown = manifest(text);
        assert!(!shown.contains("aHVudGVyMg=="), "{shown}");
        assert!(
            shown.contains("password: '<hidden: 7 bytes; X reveals>'")
                || shown.contains("password: <hidden: 7 bytes; X reveals>"),
            "{shown}"
        );
        assert!(
            shown.contains("# Source: shop/templates/secret.yaml\napiVersion: v1"),
            "{shown}"
        );
        // Not a Secret: byte for byte, its odd spacing included.
        assert!(shown.ends_with("# Source: shop/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shop\ndata:\n  mode:   fast"), "{shown}");
    }
}
