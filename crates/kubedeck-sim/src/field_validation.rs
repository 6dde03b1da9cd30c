//! Server-side field validation (`?fieldValidation=Strict|Warn|Ignore`), as the apiserver's
//! decoder does it for built-in kinds: a field the kind does not have is dropped from what is
//! stored; `Warn` (the default when a client asks nothing) says so in a `Warning` response
//! header, `Strict` refuses the write, `Ignore` says nothing.
//!
//! Without it a typo in an edit (`replcas: 5`) was stored here as typed, while a real
//! apiserver drops it and answers 200: a client that sends no `fieldValidation=Strict` tells
//! its user "applied" while the change is lost, and only a test against this simulator could
//! never see that.
//!
//! Which fields a kind has is what k8s-openapi's type for it reads back: the object is decoded
//! into that type and encoded again, and a key of the request that did not come back is
//! unknown. Custom resources are not checked (the simulator has no structural schemas for
//! them; Tekton's keep unknown fields).
//!
//! An object the type cannot read at all (a label's value written as a number, a string where
//! a number goes) is refused whatever the directive, as the apiserver's decoder refuses it:
//! before, the simulator stored it, and every client watching then read an object no real
//! cluster would hold. The refusal's shape is the apiserver's; its last words are serde's,
//! with the field's path (`metadata.labels.version: invalid type: floating point `1.5`,
//! expected a string`), where Go says `json: cannot unmarshal number into Go struct field
//! ObjectMeta.metadata.labels of type string`.

use serde_json::{Map, Value, json};

/// What the client asked for with `fieldValidation`; the apiserver's default is `Warn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Directive {
    Ignore,
    #[default]
    Warn,
    Strict,
}

impl Directive {
    /// The query parameter's value (anything else is taken as the default).
    pub fn parse(value: Option<&str>) -> Self {
        match value {
            Some("Ignore") => Self::Ignore,
            Some("Strict") => Self::Strict,
            _ => Self::Warn,
        }
    }
}

/// What the decoder makes of an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// A kind not checked here.
    Unchecked,
    /// Read; the fields its kind does not have, as the decoder names them
    /// (`spec.template.spec.containers[0].imagePullPolic`), in key order.
    Read(Vec<String>),
    /// Not readable as its kind: why, with the field's path.
    Unreadable(String),
}

/// The unknown fields of `obj` (an object of `kind` in `group/version`); `None` for a kind not
/// checked here or an object its type cannot read.
#[cfg(test)]
fn unknown_fields(group: &str, version: &str, kind: &str, obj: &Value) -> Option<Vec<String>> {
    match decode(group, version, kind, obj) {
        Decoded::Read(unknown) => Some(unknown),
        Decoded::Unchecked | Decoded::Unreadable(_) => None,
    }
}

/// What the decoder makes of `obj`, an object of `kind` in `group/version`.
pub fn decode(group: &str, version: &str, kind: &str, obj: &Value) -> Decoded {
    use k8s_openapi::api::{
        apps::v1 as apps, autoscaling::v2 as autoscaling, batch::v1 as batch, core::v1 as core,
        discovery::v1 as discovery, networking::v1 as networking, policy::v1 as policy,
        rbac::v1 as rbac,
    };
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1 as apiextensions;
    let read_back = match (group, version, kind) {
        ("", "v1", "Namespace") => round_trip::<core::Namespace>,
        ("", "v1", "Node") => round_trip::<core::Node>,
        ("", "v1", "Pod") => round_trip::<core::Pod>,
        ("", "v1", "Event") => round_trip::<core::Event>,
        ("", "v1", "Service") => round_trip::<core::Service>,
        ("", "v1", "Endpoints") => round_trip::<core::Endpoints>,
        ("", "v1", "ConfigMap") => round_trip::<core::ConfigMap>,
        ("", "v1", "Secret") => round_trip::<core::Secret>,
        ("", "v1", "PersistentVolumeClaim") => round_trip::<core::PersistentVolumeClaim>,
        ("", "v1", "PersistentVolume") => round_trip::<core::PersistentVolume>,
        ("", "v1", "ServiceAccount") => round_trip::<core::ServiceAccount>,
        ("apps", "v1", "Deployment") => round_trip::<apps::Deployment>,
        ("apps", "v1", "ReplicaSet") => round_trip::<apps::ReplicaSet>,
        ("apps", "v1", "StatefulSet") => round_trip::<apps::StatefulSet>,
        ("apps", "v1", "DaemonSet") => round_trip::<apps::DaemonSet>,
        ("apps", "v1", "ControllerRevision") => round_trip::<apps::ControllerRevision>,
        ("batch", "v1", "Job") => round_trip::<batch::Job>,
        ("batch", "v1", "CronJob") => round_trip::<batch::CronJob>,
        ("policy", "v1", "PodDisruptionBudget") => round_trip::<policy::PodDisruptionBudget>,
        ("discovery.k8s.io", "v1", "EndpointSlice") => round_trip::<discovery::EndpointSlice>,
        ("networking.k8s.io", "v1", "Ingress") => round_trip::<networking::Ingress>,
        ("autoscaling", "v2", "HorizontalPodAutoscaler") => {
            round_trip::<autoscaling::HorizontalPodAutoscaler>
        }
        ("rbac.authorization.k8s.io", "v1", "Role") => round_trip::<rbac::Role>,
        ("rbac.authorization.k8s.io", "v1", "RoleBinding") => round_trip::<rbac::RoleBinding>,
        ("rbac.authorization.k8s.io", "v1", "ClusterRole") => round_trip::<rbac::ClusterRole>,
        ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding") => {
            round_trip::<rbac::ClusterRoleBinding>
        }
        ("apiextensions.k8s.io", "v1", "CustomResourceDefinition") => {
            round_trip::<apiextensions::CustomResourceDefinition>
        }
        _ => return Decoded::Unchecked,
    };
    // The decoder takes the kind from the URL: a body without (or with another) apiVersion
    // and kind is not what this looks at.
    let mut typed = obj.clone();
    if let Some(map) = typed.as_object_mut() {
        let api_version = if group.is_empty() {
            version.to_string()
        } else {
            format!("{group}/{version}")
        };
        map.insert("apiVersion".into(), json!(api_version));
        map.insert("kind".into(), json!(kind));
    }
    match read_back(&typed) {
        Ok(back) => {
            let mut unknown = Vec::new();
            missing_from(&typed, &back, "", &mut unknown);
            Decoded::Read(unknown)
        }
        Err(why) => Decoded::Unreadable(why),
    }
}

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    obj: &Value,
) -> Result<Value, String> {
    let typed: T = serde_path_to_error::deserialize(obj.clone()).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            e.inner().to_string()
        } else {
            format!("{path}: {}", e.inner())
        }
    })?;
    serde_json::to_value(typed).map_err(|e| e.to_string())
}

/// The keys of `sent` (under `path`) that `back` lacks. A null is not looked at: the type
/// reads it as absent, known or not.
fn missing_from(sent: &Value, back: &Value, path: &str, unknown: &mut Vec<String>) {
    match (sent, back) {
        (Value::Object(sent), Value::Object(back)) => {
            for (key, value) in sent {
                let here = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match back.get(key) {
                    Some(kept) => missing_from(value, kept, &here, unknown),
                    None if !value.is_null() => unknown.push(here),
                    None => {}
                }
            }
        }
        (Value::Array(sent), Value::Array(back)) => {
            for (i, (value, kept)) in sent.iter().zip(back).enumerate() {
                missing_from(value, kept, &format!("{path}[{i}]"), unknown);
            }
        }
        _ => {}
    }
}

/// Drop the fields named by `unknown_fields` from `obj` (what `Warn` and `Ignore` store).
pub fn drop_fields(obj: &mut Value, fields: &[String]) {
    for field in fields {
        remove_at(obj, &steps_of(field));
    }
}

fn remove_at(at: &mut Value, steps: &[Step]) {
    match steps {
        [Step::Key(k)] => {
            if let Some(map) = at.as_object_mut() {
                map.remove(k);
            }
        }
        [first, rest @ ..] => {
            let next = match first {
                Step::Key(k) => at.get_mut(k.as_str()),
                Step::Index(i) => at.get_mut(*i),
            };
            if let Some(next) = next {
                remove_at(next, rest);
            }
        }
        [] => {}
    }
}

enum Step {
    Key(String),
    Index(usize),
}

/// `a.b[0].c` as its steps. Keys with a dot in them (`metadata.annotations` keys) are never
/// unknown fields: the maps that hold them take any key.
fn steps_of(field: &str) -> Vec<Step> {
    let mut steps = Vec::new();
    for part in field.split('.') {
        let (key, indexes) = part
            .split_once('[')
            .map_or((part, ""), |(k, rest)| (k, rest));
        steps.push(Step::Key(key.to_string()));
        for index in indexes.split('[') {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                steps.push(Step::Index(i));
            }
        }
    }
    steps
}

/// The decoder's words for the unknown fields: `unknown field "spec.replcas"`, each one (a
/// warning each in `Warn`, joined in `Strict`'s error).
pub fn words(fields: &[String]) -> Vec<String> {
    fields
        .iter()
        .map(|f| format!("unknown field \"{f}\""))
        .collect()
}

/// A create's or update's refusal under `Strict`: the apiserver's 400 BadRequest message.
pub fn refused_body(kind: &str, version: &str, fields: &[String]) -> String {
    unreadable_body(
        kind,
        version,
        &format!("strict decoding error: {}", words(fields).join(", ")),
    )
}

/// A create's or update's refusal of a body its kind cannot hold (400 BadRequest).
pub fn unreadable_body(kind: &str, version: &str, why: &str) -> String {
    format!("{kind} in version \"{version}\" cannot be handled as a {kind}: {why}")
}

/// The value a patch's refusal shows: a strategic merge patch as Go prints the map it made of
/// it (`map[spec:map[replcas:5]]`); a JSON or merge patch as the patched object's JSON (the
/// apiserver writes its fields in the type's order, this in key order).
pub fn patch_shown(strategic: bool, patch: &Value, patched: &Value) -> String {
    if strategic {
        go_print(patch)
    } else {
        patched.to_string()
    }
}

/// A patch's refusal under `Strict`, as the apiserver's patch handler words it: a 422 on the
/// field `patch` with [`patch_shown`] as its value. Its Status message and its one cause's.
pub fn refused_patch(shown: &str, fields: &[String]) -> (String, String) {
    unreadable_patch(
        shown,
        &format!("strict decoding error: {}", words(fields).join(", ")),
    )
}

/// A patch's refusal when what it makes cannot be read as its kind (the same 422).
pub fn unreadable_patch(shown: &str, why: &str) -> (String, String) {
    let cause = format!("Invalid value: {}: {why}", go_quote(shown));
    (format!(" \"\" is invalid: patch: {cause}"), cause)
}

/// A JSON value as Go's `%v` prints what `json.Unmarshal` made of it (integers as integers:
/// the apiserver's decoder keeps them so; map keys sorted, as `fmt` sorts them).
fn go_print(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(go_print).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(map) => format!("map[{}]", go_map(map)),
    }
}

fn go_map(map: &Map<String, Value>) -> String {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys.iter()
        .map(|k| format!("{k}:{}", go_print(&map[k.as_str()])))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Go's `%q` of a string (what the field error prints an invalid value as).
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `Warning` header's value for `text` (RFC 7234: code 299, agent `-`, quoted text), as the
/// apiserver sends each warning.
pub fn warning_header(text: &str) -> String {
    format!("299 - {}", go_quote(text))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn deployment() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"any.key/x": "y"}, "creationTimestamp": null},
            "spec": {"replcas": 5, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"},
                        {"name": "side", "image": "busybox", "imagePullPolic": "Always"}]}}}})
    }

    #[test]
    fn typos_are_named_as_the_decoder_names_them_and_maps_take_any_key() {
        let found = unknown_fields("apps", "v1", "Deployment", &deployment());
        assert_eq!(
            found,
            Some(vec![
                "spec.replcas".to_string(),
                "spec.template.spec.containers[1].imagePullPolic".to_string()
            ])
        );
        let clean = json!({"metadata": {"name": "c", "annotations": {"a.b/c": "d"}},
            "data": {"k": "v"}});
        assert_eq!(unknown_fields("", "v1", "ConfigMap", &clean), Some(vec![]));
        assert_eq!(
            unknown_fields("tekton.dev", "v1", "PipelineRun", &clean),
            None
        );
    }

    #[test]
    fn what_the_type_cannot_read_is_said_with_its_path() {
        // A quantity written as a number is read (as the apiserver reads it).
        let numeric = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c",
            "resources": {"limits": {"cpu": 1}}, "typo": true}]}});
        assert_eq!(
            unknown_fields("", "v1", "Pod", &numeric),
            Some(vec!["spec.containers[0].typo".to_string()])
        );
        let wrong = json!({"metadata": {"name": "web", "labels": {"version": 1.5}},
            "spec": {"typo": 1}});
        assert_eq!(
            decode("apps", "v1", "Deployment", &wrong),
            Decoded::Unreadable(
                "metadata.labels.version: invalid type: floating point `1.5`, expected a string"
                    .into()
            )
        );
    }

    /// What the simulator stores has only fields its kind has, and values they can hold, as on
    /// a real cluster (a client that sends an object back with strict validation, `kubectl
    /// replace`, would be refused otherwise): every seeded object of every checked kind.
    #[test]
    fn the_seeded_world_has_no_unknown_fields() {
        let store = crate::store::Store::new(100);
        let mut events = crate::events::EventLog::default();
        let scale = crate::world::Scale {
            pods: 120,
            ..crate::world::Scale::default()
        };
        crate::seed::seed(&scale, &store, &mut events, jiff::Timestamp::now());
        let mut checked = 0;
        for served in crate::resources::SERVED {
            let Some(kind) = served
                .store
                .filter(|_| served.view == crate::resources::View::Stored)
            else {
                continue;
            };
            for obj in &store.snapshot(kind).items {
                match decode(served.group, served.version, served.kind_name, obj) {
                    Decoded::Unchecked => {}
                    Decoded::Read(unknown) if unknown.is_empty() => checked += 1,
                    other => panic!("{} {other:?}: {obj}", served.kind_name),
                }
            }
        }
        assert!(checked > 200, "{checked}");
    }

    #[test]
    fn dropped_fields_leave_the_rest() {
        let mut d = deployment();
        let Some(fields) = unknown_fields("apps", "v1", "Deployment", &d) else {
            panic!("checked")
        };
        drop_fields(&mut d, &fields);
        assert_eq!(unknown_fields("apps", "v1", "Deployment", &d), Some(vec![]));
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][1]["image"],
            "busybox"
        );
        assert_eq!(d["metadata"]["labels"]["any.key/x"], "y");
    }

    /// The apiserver's words, from refusals quoted in public issues and docs (a KEP's
    /// `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field
    /// "spec.securityContext.supplementalGroupsPolicy"`, kubectl apply's `patch: Invalid
    /// value: "map[...]": strict decoding error: unknown field "spec.volumes"`).
    #[test]
    fn refusals_read_as_the_apiservers() {
        let fields = vec!["spec.replcas".to_string(), "spec.x".to_string()];
        assert_eq!(
            refused_body("Deployment", "v1", &fields),
            "Deployment in version \"v1\" cannot be handled as a Deployment: strict decoding error: unknown field \"spec.replcas\", unknown field \"spec.x\""
        );
        let patch =
            json!({"spec": {"replcas": 5, "template": {"spec": {"volumes": [{"name": "a"}]}}}});
        let (message, cause) = refused_patch(&patch_shown(true, &patch, &json!({})), &fields[..1]);
        assert_eq!(
            cause,
            "Invalid value: \"map[spec:map[replcas:5 template:map[spec:map[volumes:[map[name:a]]]]]]\": strict decoding error: unknown field \"spec.replcas\""
        );
        assert_eq!(message, format!(" \"\" is invalid: patch: {cause}"));
        assert_eq!(
            warning_header("unknown field \"spec.replcas\""),
            "299 - \"unknown field \\\"spec.replcas\\\"\""
        );
    }
}
