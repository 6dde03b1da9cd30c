//! Just enough of the apiserver's protobuf encoding to read what kubectl's typed clients send
//! as protobuf: the `k8s\0` envelope (`runtime.Unknown`) and the authorization reviews' specs.
//! Answers go back as JSON, which client-go decodes by the response's content type.

use serde_json::{Value, json};

use crate::route::Review;

/// The envelope's magic (`k8s` and a zero byte), before the `runtime.Unknown` message.
const MAGIC: &[u8] = b"k8s\0";

/// One field of a message: its bytes (length-delimited), or a number (not read here).
#[derive(Debug, Clone, Copy)]
enum Field<'a> {
    Number,
    Bytes(&'a [u8]),
}

fn varint(buf: &[u8], at: &mut usize) -> Option<u64> {
    let mut out = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*at)?;
        *at += 1;
        out |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(out);
        }
    }
    None
}

/// The fields of one message, in order; `None` when it does not parse.
fn fields(buf: &[u8]) -> Option<Vec<(u64, Field<'_>)>> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < buf.len() {
        let key = varint(buf, &mut at)?;
        let field = match key & 7 {
            0 => {
                varint(buf, &mut at)?;
                Field::Number
            }
            2 => {
                let len = usize::try_from(varint(buf, &mut at)?).ok()?;
                let bytes = buf.get(at..at.checked_add(len)?)?;
                at += len;
                Field::Bytes(bytes)
            }
            1 => {
                at += 8;
                Field::Number
            }
            5 => {
                at += 4;
                Field::Number
            }
            _ => return None,
        };
        out.push((key >> 3, field));
    }
    (at == buf.len()).then_some(out)
}

fn bytes_of<'a>(fields: &[(u64, Field<'a>)], number: u64) -> Option<&'a [u8]> {
    fields.iter().find_map(|(n, f)| match f {
        Field::Bytes(b) if *n == number => Some(*b),
        _ => None,
    })
}

fn text_of(fields: &[(u64, Field<'_>)], number: u64) -> Option<String> {
    bytes_of(fields, number).map(|b| String::from_utf8_lossy(b).into_owned())
}

/// `resourceAttributes` (namespace 1, verb 2, group 3, version 4, resource 5, subresource 6,
/// name 7), as its JSON.
fn resource_attributes(buf: &[u8]) -> Option<Value> {
    let f = fields(buf)?;
    let mut out = serde_json::Map::new();
    for (n, key) in [
        (1, "namespace"),
        (2, "verb"),
        (3, "group"),
        (4, "version"),
        (5, "resource"),
        (6, "subresource"),
        (7, "name"),
    ] {
        if let Some(t) = text_of(&f, n).filter(|t| !t.is_empty()) {
            out.insert(key.into(), json!(t));
        }
    }
    Some(Value::Object(out))
}

/// A review sent as protobuf, read into the JSON object it stands for (`spec` only: the rest
/// is not read). `None` when the body is not a protobuf envelope or does not parse.
pub fn review(body: &[u8], review: Review) -> Option<Value> {
    let envelope = fields(body.strip_prefix(MAGIC)?)?;
    let raw = bytes_of(&envelope, 2)?;
    let object = fields(raw)?;
    let spec = fields(bytes_of(&object, 2).unwrap_or_default())?;
    let mut out = serde_json::Map::new();
    match review {
        Review::SelfRules => {
            if let Some(ns) = text_of(&spec, 1) {
                out.insert("namespace".into(), json!(ns));
            }
        }
        Review::SelfAccess | Review::Access => {
            if let Some(ra) = bytes_of(&spec, 1) {
                out.insert("resourceAttributes".into(), resource_attributes(ra)?);
            }
            if review == Review::Access {
                if let Some(user) = text_of(&spec, 3) {
                    out.insert("user".into(), json!(user));
                }
                let groups: Vec<String> = spec
                    .iter()
                    .filter(|(n, _)| *n == 4)
                    .filter_map(|(_, f)| match f {
                        Field::Bytes(b) => Some(String::from_utf8_lossy(b).into_owned()),
                        Field::Number => None,
                    })
                    .collect();
                if !groups.is_empty() {
                    out.insert("groups".into(), json!(groups));
                }
            }
        }
    }
    Some(json!({"spec": Value::Object(out)}))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What kubectl 1.32 sent for `kubectl auth can-i --list -n demo`.
    const RULES: &[u8] = b"k8s\0\n1\n\x17authorization.k8s.io/v1\x12\x16SelfSubjectRulesReview\x12 \n\x10\n\0\x12\0\x1a\0\"\0*\x002\x008\0B\0\x12\x06\n\x04demo\x1a\x04\x18\0\"\0\x1a\0\"\0";

    #[test]
    fn reads_kubectls_rules_review() {
        let v = review(RULES, Review::SelfRules);
        assert_eq!(v, Some(json!({"spec": {"namespace": "demo"}})));
        assert_eq!(review(b"{\"spec\":{}}", Review::SelfRules), None);
        assert_eq!(review(&RULES[..20], Review::SelfRules), None);
    }

    #[test]
    fn reads_an_access_review() {
        // spec { resourceAttributes { namespace: "demo", verb: "create", resource: "pods",
        // subresource: "exec" }, user: "viewer", groups: ["g1"] }
        let ra = b"\n\x04demo\x12\x06create*\x04pods2\x04exec";
        let mut spec = vec![0x0a, ra.len() as u8];
        spec.extend_from_slice(ra);
        spec.extend_from_slice(b"\x1a\x06viewer\"\x02g1");
        let mut object = vec![0x12, spec.len() as u8];
        object.extend_from_slice(&spec);
        let mut body = b"k8s\0".to_vec();
        body.extend_from_slice(&[0x12, object.len() as u8]);
        body.extend_from_slice(&object);
        let v = review(&body, Review::Access);
        assert_eq!(
            v,
            Some(
                json!({"spec": {"resourceAttributes": {"namespace": "demo", "verb": "create",
                "resource": "pods", "subresource": "exec"}, "user": "viewer", "groups": ["g1"]}})
            )
        );
    }
}
