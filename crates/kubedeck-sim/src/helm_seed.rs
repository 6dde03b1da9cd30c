//! Helm 3 releases as Helm stores them, for `:helm`: Secrets of type `helm.sh/release.v1`
//! named `sh.helm.release.v1.NAME.vN`, labelled `owner=helm`, `name`, `status` and `version`,
//! whose `release` key is base64 of gzip of the release JSON (base64'd once more as any Secret
//! data on the wire). In demo: `shop` with three revisions (the second upgrade failed, the third
//! fixed it) and `metrics` with one.

use std::io::Write;

use base64::Engine;
use serde_json::{Value, json};

use super::resources::Kind;
use super::store::Store;

struct Rev {
    version: i64,
    status: &'static str,
    description: &'static str,
    chart_version: &'static str,
    app_version: &'static str,
    config: Value,
    days_ago: i64,
}

fn release(name: &str, ns: &str, rev: &Rev, defaults: &Value, now: jiff::Timestamp) -> Value {
    let when = (now - jiff::SignedDuration::from_hours(24 * rev.days_ago)).to_string();
    let manifest = format!(
        "---\n# Source: {name}/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  ports:\n  - port: 80\n---\n# Source: {name}/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {}\n",
        rev.config["replicaCount"].as_i64().unwrap_or(1)
    );
    json!({
        "name": name, "namespace": ns, "version": rev.version,
        "info": {"first_deployed": when, "last_deployed": when, "deleted": "",
            "description": rev.description, "status": rev.status,
            "notes": format!("1. Get the application URL:\n  kubectl -n {ns} port-forward svc/{name} 8080:80\n")},
        "chart": {"metadata": {"name": name, "version": rev.chart_version,
                "appVersion": rev.app_version, "apiVersion": "v2", "type": "application"},
            "values": defaults, "templates": []},
        "config": rev.config,
        "manifest": manifest,
        "hooks": [],
    })
}

/// The Secret Helm keeps `release` in.
pub fn secret(release: &Value) -> Value {
    let name = release["name"].as_str().unwrap_or_default();
    let ns = release["namespace"].as_str().unwrap_or_default();
    let version = release["version"].as_i64().unwrap_or(1);
    let status = release["info"]["status"].as_str().unwrap_or_default();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let zipped = gz
        .write_all(release.to_string().as_bytes())
        .and_then(|()| gz.finish())
        .unwrap_or_default();
    let b64 = base64::engine::general_purpose::STANDARD;
    let stored = b64.encode(zipped);
    let created = release["info"]["last_deployed"].clone();
    json!({
        "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
        "metadata": {"name": format!("sh.helm.release.v1.{name}.v{version}"), "namespace": ns,
            "uid": format!("helm-{ns}-{name}-{version}"), "creationTimestamp": created,
            "labels": {"owner": "helm", "name": name, "status": status,
                "version": version.to_string()}},
        "data": {"release": b64.encode(stored)},
    })
}

pub fn seed(store: &Store, now: jiff::Timestamp) {
    let shop_defaults = json!({"replicaCount": 1,
        "image": {"repository": "ghcr.io/acme/shop", "tag": "", "pullPolicy": "IfNotPresent"},
        "service": {"type": "ClusterIP", "port": 80}, "resources": {}});
    let shop = [
        Rev {
            version: 1,
            status: "superseded",
            description: "Install complete",
            chart_version: "1.3.0",
            app_version: "1.9.0",
            config: json!({"replicaCount": 2}),
            days_ago: 30,
        },
        Rev {
            version: 2,
            status: "failed",
            description: "Upgrade \"shop\" failed: context deadline exceeded",
            chart_version: "1.4.0",
            app_version: "2.0.0",
            config: json!({"replicaCount": 3, "image": {"tag": "2.0.0"}}),
            days_ago: 3,
        },
        Rev {
            version: 3,
            status: "deployed",
            description: "Upgrade complete",
            chart_version: "1.4.1",
            app_version: "2.0.1",
            config: json!({"replicaCount": 3, "image": {"tag": "2.0.1"},
                "database": {"password": "s3cr3t-from-values"}}),
            days_ago: 1,
        },
    ];
    for rev in &shop {
        store.put(
            Kind::Secret,
            secret(&release("shop", "demo", rev, &shop_defaults, now)),
        );
    }
    let metrics = Rev {
        version: 1,
        status: "deployed",
        description: "Install complete",
        chart_version: "0.7.2",
        app_version: "0.7.2",
        config: json!({"scrapeInterval": "30s"}),
        days_ago: 12,
    };
    let defaults = json!({"replicaCount": 1, "scrapeInterval": "60s"});
    store.put(
        Kind::Secret,
        secret(&release("metrics", "demo", &metrics, &defaults, now)),
    );
}
