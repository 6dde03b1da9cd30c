//! Helm 3 releases, read natively from where Helm keeps them: Secrets of type
//! `helm.sh/release.v1`, labelled `owner=helm`, named `sh.helm.release.v1.NAME.vN`, whose
//! `release` key holds base64 of gzip of the release's JSON. Decoded in memory only: values
//! can hold credentials, so nothing of a release is ever written anywhere.
//!
//! The list keeps each revision's summary; a revision's values, manifest and notes are fetched
//! and decoded when asked for, and dropped when the pane closes.

use std::io::Read;

use base64::Engine;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, ListParams};
use serde::Deserialize;
use serde_json::Value;

use super::error::ApiError;

/// Why a release could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HelmError {
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("release {secret}: {why}")]
    Decode { secret: String, why: String },
}

/// One revision of a release, as `helm list` and `helm history` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub name: String,
    pub namespace: String,
    pub revision: i64,
    pub status: String,
    /// `NAME-VERSION`, as helm prints the chart.
    pub chart: String,
    pub app_version: String,
    pub updated: Option<jiff::Timestamp>,
    pub description: String,
    /// The Secret it is kept in.
    pub secret: String,
}

/// A revision's content: what `helm get values|manifest|notes` print.
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    pub summary: Summary,
    /// The values given at install or upgrade (`helm get values`).
    pub values: Value,
    /// The chart's defaults with the given values over them (`helm get values --all`).
    pub computed: Value,
    pub manifest: String,
    pub notes: String,
}

#[derive(Deserialize, Default)]
struct RawInfo {
    #[serde(default)]
    status: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    last_deployed: Option<String>,
    #[serde(default)]
    notes: String,
}

#[derive(Deserialize, Default)]
struct RawMetadata {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default, rename = "appVersion")]
    app_version: String,
}

#[derive(Deserialize, Default)]
struct RawChart {
    #[serde(default)]
    metadata: RawMetadata,
    #[serde(default)]
    values: Value,
}

#[derive(Deserialize)]
struct RawRelease {
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    info: RawInfo,
    #[serde(default)]
    chart: RawChart,
    #[serde(default)]
    config: Value,
    #[serde(default)]
    manifest: String,
}

/// The release JSON from a Secret's `release` bytes (already un-base64'd once by the API
/// client): base64, then gzip (Helm also accepts it uncompressed).
fn release_json(bytes: &[u8], secret: &str) -> Result<RawRelease, HelmError> {
    let fail = |why: String| HelmError::Decode {
        secret: secret.to_string(),
        why,
    };
    let text: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let raw = base64::engine::general_purpose::STANDARD
        .decode(&text)
        .map_err(|e| fail(format!("not base64: {e}")))?;
    let json = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| fail(format!("not gzip: {e}")))?;
        out
    } else {
        raw
    };
    serde_json::from_slice(&json).map_err(|e| fail(format!("not a release: {e}")))
}

fn summary(r: &RawRelease, secret: &str) -> Summary {
    let chart = &r.chart.metadata;
    Summary {
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        revision: r.version,
        status: r.info.status.clone(),
        chart: format!("{}-{}", chart.name, chart.version),
        app_version: chart.app_version.clone(),
        updated: r
            .info
            .last_deployed
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok()),
        description: r.info.description.clone(),
        secret: secret.to_string(),
    }
}

/// The chart's defaults with `given` over them, as Helm coalesces values: maps merge key by
/// key, anything else is replaced, and a given `null` removes the default.
pub fn coalesce(defaults: &Value, given: &Value) -> Value {
    match (defaults, given) {
        (Value::Object(d), Value::Object(g)) => {
            let mut out = d.clone();
            for (k, v) in g {
                if v.is_null() {
                    out.remove(k);
                    continue;
                }
                let merged = match out.get(k) {
                    Some(dv) => coalesce(dv, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            Value::Object(out)
        }
        (_, Value::Null) => defaults.clone(),
        (_, g) => g.clone(),
    }
}

fn secret_bytes(s: &Secret) -> Option<&[u8]> {
    s.data.as_ref()?.get("release").map(|b| b.0.as_slice())
}

/// A release Secret's summary (`None` for a Secret that is not one).
pub fn summarize(s: &Secret) -> Option<Result<Summary, HelmError>> {
    let name = s.metadata.name.clone().unwrap_or_default();
    let bytes = secret_bytes(s)?;
    Some(release_json(bytes, &name).map(|r| summary(&r, &name)))
}

/// A release Secret's content.
pub fn content(s: &Secret) -> Result<Content, HelmError> {
    let name = s.metadata.name.clone().unwrap_or_default();
    let bytes = secret_bytes(s).ok_or_else(|| HelmError::Decode {
        secret: name.clone(),
        why: "no release data".into(),
    })?;
    let r = release_json(bytes, &name)?;
    Ok(Content {
        summary: summary(&r, &name),
        computed: coalesce(&r.chart.values, &r.config),
        values: r.config.clone(),
        manifest: r.manifest.clone(),
        notes: r.info.notes.clone(),
    })
}

/// Every revision of every release in `namespace` (all namespaces when `None`), and the
/// Secrets that could not be read (said, the rest listed).
pub async fn list(
    client: Client,
    namespace: Option<String>,
) -> Result<(Vec<Summary>, Vec<HelmError>), ApiError> {
    let api: Api<Secret> = match &namespace {
        Some(ns) => Api::namespaced(client, ns),
        None => Api::all(client),
    };
    let lp = ListParams::default().labels("owner=helm");
    let secrets = api.list(&lp).await.map_err(ApiError::from)?;
    let mut out = Vec::new();
    let mut failed = Vec::new();
    for s in &secrets.items {
        match summarize(s) {
            Some(Ok(summary)) => out.push(summary),
            Some(Err(e)) => failed.push(e),
            None => {}
        }
    }
    Ok((out, failed))
}

/// One revision's content, from its Secret.
pub async fn fetch(
    client: Client,
    namespace: String,
    secret: String,
) -> Result<Content, HelmError> {
    let s = Api::<Secret>::namespaced(client, &namespace)
        .get(&secret)
        .await
        .map_err(ApiError::from)?;
    content(&s)
}

/// The newest revision of each release: what `helm list` shows.
pub fn latest(revisions: &[Summary]) -> Vec<Summary> {
    let mut by_release: std::collections::BTreeMap<(String, String), &Summary> =
        std::collections::BTreeMap::new();
    for r in revisions {
        let key = (r.namespace.clone(), r.name.clone());
        let newer = by_release
            .get(&key)
            .is_none_or(|have| r.revision > have.revision);
        if newer {
            by_release.insert(key, r);
        }
    }
    by_release.into_values().cloned().collect()
}

/// A value as YAML text, for the pane.
pub fn to_yaml(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Object(m) if m.is_empty() => String::new(),
        other => serde_yaml_ng::to_string(other).unwrap_or_default(),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use k8s_openapi::ByteString;
    use serde_json::json;

    /// A release Secret as Helm 3 stores it: JSON, gzipped, base64'd (and base64'd once more
    /// on the wire, which the client undoes).
    pub fn release_secret(release: &Value) -> Secret {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, release.to_string().as_bytes()).unwrap();
        let zipped = gz.finish().unwrap();
        let stored = base64::engine::general_purpose::STANDARD.encode(zipped);
        let name = format!(
            "sh.helm.release.v1.{}.v{}",
            release["name"].as_str().unwrap(),
            release["version"]
        );
        let mut data = std::collections::BTreeMap::new();
        data.insert("release".to_string(), ByteString(stored.into_bytes()));
        Secret {
            metadata: kube::api::ObjectMeta {
                name: Some(name),
                namespace: release["namespace"].as_str().map(str::to_string),
                ..Default::default()
            },
            data: Some(data),
            type_: Some("helm.sh/release.v1".into()),
            ..Default::default()
        }
    }

    fn release(version: i64, status: &str, replicas: i64) -> Value {
        json!({"name": "shop", "namespace": "demo", "version": version,
            "info": {"status": status, "description": "Upgrade complete",
                "first_deployed": "2026-12-01T10:00:00Z", "last_deployed": "2026-12-05T10:00:00.123456789Z",
                "notes": "Visit http://shop.demo"},
            "chart": {"metadata": {"name": "shop", "version": "1.4.2", "appVersion": "2.0.1"},
                "values": {"replicas": 1, "image": {"repository": "shop", "tag": "latest"}, "debug": false}},
            "config": {"replicas": replicas, "image": {"tag": "2.0.1"}},
            "manifest": "---\n# Source: shop/templates/deployment.yaml\nkind: Deployment\n"})
    }

    #[test]
    fn a_release_secret_decodes_as_helm_list_and_get_show_it() {
        let s = release_secret(&release(3, "deployed", 4));
        let sum = summarize(&s).unwrap().unwrap();
        assert_eq!(sum.name, "shop");
        assert_eq!(sum.revision, 3);
        assert_eq!(sum.status, "deployed");
        assert_eq!(sum.chart, "shop-1.4.2");
        assert_eq!(sum.app_version, "2.0.1");
        assert_eq!(sum.secret, "sh.helm.release.v1.shop.v3");
        assert!(sum.updated.is_some());
        let c = content(&s).unwrap();
        assert_eq!(c.values, json!({"replicas": 4, "image": {"tag": "2.0.1"}}));
        // --all: the chart's defaults under the given values, maps merged.
        assert_eq!(
            c.computed,
            json!({"replicas": 4, "image": {"repository": "shop", "tag": "2.0.1"}, "debug": false})
        );
        assert!(c.manifest.contains("kind: Deployment"));
        assert_eq!(c.notes, "Visit http://shop.demo");
    }

    #[test]
    fn the_newest_revision_of_each_release_is_listed() {
        let revs: Vec<Summary> = [(1, "superseded"), (2, "superseded"), (3, "deployed")]
            .iter()
            .map(|(v, st)| {
                summarize(&release_secret(&release(*v, st, 2)))
                    .unwrap()
                    .unwrap()
            })
            .collect();
        let l = latest(&revs);
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].revision, 3);
    }

    #[test]
    fn what_is_not_a_release_is_said_not_guessed() {
        let mut s = release_secret(&release(1, "deployed", 1));
        s.data
            .as_mut()
            .unwrap()
            .insert("release".into(), ByteString(b"%%%".to_vec()));
        let e = summarize(&s).unwrap().unwrap_err();
        assert!(e.to_string().contains("not base64"), "{e}");
        let plain = Secret::default();
        assert!(summarize(&plain).is_none());
    }

    #[test]
    fn a_given_null_removes_a_default() {
        let v = coalesce(
            &json!({"a": 1, "b": {"c": 2}}),
            &json!({"a": null, "b": {"d": 3}}),
        );
        assert_eq!(v, json!({"b": {"c": 2, "d": 3}}));
    }
}
