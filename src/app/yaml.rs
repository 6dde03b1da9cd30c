//! An object as YAML, coloured by token (keys, strings, numbers, literals), with managedFields
//! hidden unless asked for.

use base64::Engine;
use serde_json::Value;

use super::detail::{DocLine, Role, Span, span};

fn value_role(v: &str) -> Role {
    let v = v.trim();
    if v.is_empty() {
        Role::Plain
    } else if matches!(v, "true" | "false" | "null" | "~" | "{}" | "[]") {
        Role::Literal
    } else if v.parse::<f64>().is_ok() {
        Role::Number
    } else {
        Role::Str
    }
}

/// Split one YAML line into coloured spans.
fn colour(line: &str) -> DocLine {
    let indent_len = line.len() - line.trim_start().len();
    let (indent, mut rest) = line.split_at(indent_len);
    let mut spans: Vec<Span> = vec![span(Role::Plain, indent)];
    while let Some(after) = rest.strip_prefix("- ") {
        spans.push(span(Role::Muted, "- "));
        rest = after;
    }
    if rest == "-" {
        spans.push(span(Role::Muted, "-"));
        return spans;
    }
    // A key is a plain or quoted scalar followed by ": " or a trailing ":".
    let key_end = if rest.starts_with('"') || rest.starts_with('\'') {
        None
    } else {
        rest.find(": ")
            .or_else(|| rest.strip_suffix(':').map(str::len))
    };
    match key_end {
        Some(end) => {
            spans.push(span(Role::Key, &rest[..=end.min(rest.len() - 1)]));
            let value = &rest[(end + 1).min(rest.len())..];
            if !value.is_empty() {
                spans.push(span(value_role(value), value));
            }
        }
        None => spans.push(span(value_role(rest), rest)),
    }
    spans
}

/// A Secret's `data` and `stringData` values: masked (their size), or decoded when `reveal`.
/// Every other object is untouched.
pub fn secret_values(obj: &mut Value, reveal: bool) {
    if obj["kind"] != "Secret" {
        return;
    }
    for (field, encoded) in [("data", true), ("stringData", false)] {
        let Some(map) = obj.get_mut(field).and_then(Value::as_object_mut) else {
            continue;
        };
        for v in map.values_mut() {
            let raw = v.as_str().unwrap_or_default();
            let bytes = if encoded {
                base64::engine::general_purpose::STANDARD
                    .decode(raw)
                    .unwrap_or_default()
            } else {
                raw.as_bytes().to_vec()
            };
            *v = Value::String(match (reveal, std::str::from_utf8(&bytes)) {
                (true, Ok(text)) => text.to_string(),
                (true, Err(_)) => format!("<binary, {} bytes>", bytes.len()),
                (false, _) => format!("<hidden: {} bytes; X reveals>", bytes.len()),
            });
        }
    }
}

pub fn yaml_lines(
    obj: &Value,
    show_managed_fields: bool,
    reveal: bool,
) -> Result<Vec<DocLine>, serde_yaml_ng::Error> {
    let mut obj = obj.clone();
    secret_values(&mut obj, reveal);
    if !show_managed_fields
        && let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut)
    {
        meta.remove("managedFields");
    }
    let text = serde_yaml_ng::to_string(&obj)?;
    Ok(text.lines().map(colour).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::detail::Detail;

    #[test]
    fn yaml_hides_managed_fields_and_colours_tokens() {
        let obj = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "managedFields": [{"manager": "kubectl"}], "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}],
                     "hostNetwork": false, "note": "true"}
        });
        let lines = yaml_lines(&obj, false, false).unwrap_or_default();
        let text: Vec<String> = lines.iter().map(Detail::line_text).collect();
        assert!(
            !text.iter().any(|l| l.contains("managedFields")),
            "{text:?}"
        );
        assert!(text.iter().any(|l| l == "kind: Pod"));
        let with = yaml_lines(&obj, true, false).unwrap_or_default();
        assert!(
            with.iter()
                .any(|l| Detail::line_text(l).contains("managedFields"))
        );
        let find = |needle: &str| {
            lines
                .iter()
                .find(|l| Detail::line_text(l).contains(needle))
                .cloned()
                .unwrap_or_default()
        };
        let port = find("containerPort");
        assert_eq!(
            port.iter().map(|s| s.role).collect::<Vec<_>>(),
            [Role::Plain, Role::Muted, Role::Key, Role::Number]
        );
        assert_eq!(
            find("hostNetwork").last().map(|s| s.role),
            Some(Role::Literal)
        );
        // A quoted "true" is a string, and serde_yaml quotes it.
        let note = find("note");
        assert_eq!(
            note.last().map(|s| (s.role, s.text.trim())),
            Some((Role::Str, "'true'"))
        );
        assert_eq!(find("name: web").get(1).map(|s| s.role), Some(Role::Key));
    }

    #[test]
    fn secret_values_are_masked_until_revealed() {
        let secret = serde_json::json!({"kind": "Secret", "metadata": {"name": "db"},
            "data": {"password": "bm90LWEtcmVhbC1wYXNzd29yZA==", "blob": "//79"},
            "stringData": {"plain": "hello"}});
        let text = |reveal| {
            yaml_lines(&secret, false, reveal)
                .unwrap_or_default()
                .iter()
                .map(|l| l.iter().map(|s| s.text.as_str()).collect::<String>())
                .collect::<Vec<_>>()
                .join("\n")
        };
        let masked = text(false);
        assert!(
            !masked.contains("bm90") && !masked.contains("not-a-real") && !masked.contains("hello"),
            "{masked}"
        );
        assert!(masked.contains("<hidden: 19 bytes; X reveals>"), "{masked}");
        let shown = text(true);
        assert!(
            shown.contains("not-a-real-password") && shown.contains("hello"),
            "{shown}"
        );
        assert!(shown.contains("<binary, 3 bytes>"), "{shown}");
        // Other kinds are untouched.
        let cm = serde_json::json!({"kind": "ConfigMap", "data": {"k": "v"}});
        let lines = yaml_lines(&cm, false, false).unwrap_or_default();
        assert!(lines.iter().any(|l| l.iter().any(|s| s.text.contains('v'))));
    }
}
