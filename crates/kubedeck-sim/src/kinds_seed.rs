//! The demo's objects beyond pods and their owners, derived from what is seeded: per namespace
//! its `default` ServiceAccount and `kube-root-ca.crt`; per app a Service with its Endpoints
//! and EndpointSlice (the pods' IPs), a ConfigMap and a Secret; in `demo` the odd ones an SRE
//! meets (a NodePort and an ExternalName Service, an Ingress with TLS, a bound and a pending
//! PVC, PersistentVolumes, an HPA, a PDB, RBAC, a CronJob over the `report` Jobs, a failed Job,
//! and a CRD with printer columns and its instances).

use std::collections::BTreeMap;

use base64::Engine;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::model::{ts, uid};
use super::resources::Kind;
use super::store::Store;

const CLUSTER_AGE: i64 = 86_400 * 40;

struct Seeder<'a> {
    store: &'a Store,
    now: Timestamp,
    n: u64,
}

impl Seeder<'_> {
    fn ago(&self, secs: i64) -> Value {
        ts(self.now - jiff::SignedDuration::from_secs(secs))
    }

    /// Metadata for a new object, `secs` old.
    fn meta(&mut self, ns: &str, name: &str, secs: i64) -> Value {
        self.n += 1;
        let mut m = json!({"name": name, "uid": uid(self.n.wrapping_mul(7919)),
            "creationTimestamp": self.ago(secs), "resourceVersion": "1"});
        if !ns.is_empty() {
            m["namespace"] = json!(ns);
        }
        m
    }

    fn put(&mut self, kind: Kind, api_version: &str, kind_name: &str, mut obj: Value) {
        obj["apiVersion"] = json!(api_version);
        obj["kind"] = json!(kind_name);
        self.store.put(kind, obj);
    }
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s)
}

/// A running, ready pod's IP and name, per (namespace, app).
fn pod_ips(store: &Store) -> BTreeMap<(String, String), Vec<(String, String)>> {
    let mut ips: BTreeMap<(String, String), Vec<(String, String)>> = BTreeMap::new();
    for pod in store.snapshot(Kind::Pod).items {
        let meta = &pod["metadata"];
        let (Some(ns), Some(app), Some(ip)) = (
            meta["namespace"].as_str(),
            meta["labels"]["app"].as_str(),
            pod["status"]["podIP"].as_str(),
        ) else {
            continue;
        };
        if pod["status"]["phase"] != "Running" {
            continue;
        }
        ips.entry((ns.to_string(), app.to_string()))
            .or_default()
            .push((
                ip.to_string(),
                meta["name"].as_str().unwrap_or_default().to_string(),
            ));
    }
    ips
}

/// `extras`: the `demo` namespace's odd objects (demo-sized worlds only; small test worlds keep
/// exactly what they seed).
fn namespace_names(store: &Store) -> Vec<String> {
    store
        .snapshot(Kind::Namespace)
        .items
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

pub fn seed_kinds(store: &Store, now: Timestamp, extras: bool) {
    let mut s = Seeder {
        store,
        now,
        n: 0x5eed,
    };
    let namespaces = namespace_names(store);
    for ns in &namespaces {
        let meta = s.meta(ns, "default", CLUSTER_AGE);
        s.put(
            Kind::ServiceAccount,
            "v1",
            "ServiceAccount",
            json!({"metadata": meta}),
        );
        let meta = s.meta(ns, "kube-root-ca.crt", CLUSTER_AGE);
        s.put(
            Kind::ConfigMap,
            "v1",
            "ConfigMap",
            json!({"metadata": meta, "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----\n"}}),
        );
    }
    let deployments: Vec<(String, String)> = store
        .snapshot(Kind::Deployment)
        .items
        .iter()
        .filter_map(|d| {
            let m = &d["metadata"];
            Some((
                m["namespace"].as_str()?.to_string(),
                m["name"].as_str()?.to_string(),
            ))
        })
        .collect();
    let ips = pod_ips(store);
    for (ns, app) in &deployments {
        let age = CLUSTER_AGE / 2;
        let cluster_ip = format!("10.96.{}.{}", (s.n % 200) + 10, (s.n * 7) % 250 + 2);
        service(&mut s, ns, app, &cluster_ip, age);
        endpoints(&mut s, ns, app, ips.get(&(ns.clone(), app.clone())), age);
        let meta = s.meta(ns, &format!("{app}-config"), age);
        s.put(
            Kind::ConfigMap,
            "v1",
            "ConfigMap",
            json!({"metadata": meta, "data": {"LOG_LEVEL": "info", "FEATURE_FLAGS": "search,reports"}}),
        );
        let meta = s.meta(ns, &format!("{app}-credentials"), age);
        s.put(
            Kind::Secret,
            "v1",
            "Secret",
            json!({"metadata": meta, "type": "Opaque",
                "data": {"username": b64(app), "password": b64("s3cr3t-not-real")}}),
        );
    }
    if extras {
        demo_extras(&mut s, &ips);
        super::helm_seed::seed(store, now);
    }
    cronjobs(&mut s);
}

fn service(s: &mut Seeder, ns: &str, app: &str, cluster_ip: &str, age: i64) {
    let mut meta = s.meta(ns, app, age);
    meta["uid"] = json!(super::model::owner_uid(ns, "Service", app));
    meta["labels"] = json!({"app": app});
    s.put(
        Kind::Service,
        "v1",
        "Service",
        json!({"metadata": meta, "spec": {"type": "ClusterIP", "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip], "selector": {"app": app},
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": "http"}],
            "sessionAffinity": "None", "ipFamilies": ["IPv4"]}, "status": {"loadBalancer": {}}}),
    );
}

fn endpoints(s: &mut Seeder, ns: &str, app: &str, pods: Option<&Vec<(String, String)>>, age: i64) {
    let pods = pods.map_or(&[][..], Vec::as_slice);
    let addresses: Vec<Value> = pods
        .iter()
        .map(|(ip, pod)| json!({"ip": ip, "targetRef": {"kind": "Pod", "namespace": ns, "name": pod}}))
        .collect();
    let mut meta = s.meta(ns, app, age);
    meta["labels"] = json!({"app": app});
    let subsets = if addresses.is_empty() {
        json!([])
    } else {
        json!([{"addresses": addresses, "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}])
    };
    s.put(
        Kind::Endpoints,
        "v1",
        "Endpoints",
        json!({"metadata": meta, "subsets": subsets}),
    );
    let slice_name = format!("{app}-{}", &uid(s.n)[..5]);
    let mut meta = s.meta(ns, &slice_name, age);
    meta["labels"] = json!({"kubernetes.io/service-name": app, "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"});
    meta["ownerReferences"] = json!([{"apiVersion": "v1", "kind": "Service", "name": app,
        "uid": super::model::owner_uid(ns, "Service", app), "controller": true}]);
    let endpoints: Vec<Value> = pods
        .iter()
        .map(|(ip, pod)| json!({"addresses": [ip], "conditions": {"ready": true, "serving": true, "terminating": false},
            "targetRef": {"kind": "Pod", "namespace": ns, "name": pod}}))
        .collect();
    s.put(
        Kind::EndpointSlice,
        "discovery.k8s.io/v1",
        "EndpointSlice",
        json!({"metadata": meta, "addressType": "IPv4", "endpoints": endpoints,
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]}),
    );
}

/// A StatefulSet `db` of two pods, each with its claim, the set's ConfigMap and the `db`
/// Secret in its environment (so `:xray` has a set and a pod's references to show).
fn statefulset(s: &mut Seeder, ns: &str, age: i64) {
    let Some(node) = s
        .store
        .snapshot(Kind::Node)
        .items
        .iter()
        .filter_map(|n| n["metadata"]["name"].as_str().map(str::to_string))
        .find(|n| n != "control-plane")
    else {
        return;
    };
    let created = s.now - jiff::SignedDuration::from_secs(age);
    let labels = json!({"app": "db"});
    let mut meta = s.meta(ns, "db", age);
    meta["uid"] = json!(super::model::owner_uid(ns, "StatefulSet", "db"));
    meta["labels"] = labels.clone();
    let mut cm = s.meta(ns, "db-config", age);
    cm["labels"] = labels.clone();
    s.put(
        Kind::ConfigMap,
        "v1",
        "ConfigMap",
        json!({"metadata": cm, "data": {"postgresql.conf": "max_connections = 100\n"}}),
    );
    for i in 0..2u64 {
        let name = format!("db-{i}");
        s.n += 1;
        let shape = super::model::PodShape {
            name: name.clone(),
            namespace: ns.to_string(),
            app: "db".into(),
            owner: Some(("StatefulSet".into(), "db".into())),
            node: Some(node.clone()),
            ip: format!("10.244.7.{}", 10 + i),
            containers: vec!["postgres".into()],
            init_containers: Vec::new(),
            image: "postgres:16.4".into(),
            created,
            role: "db".into(),
            log_style: "worker".into(),
            n: 90_000 + s.n,
            memory_request_mi: 256,
            cpu_request_m: 100,
        };
        let mut pod = super::model::pod(
            &shape,
            "Running",
            &[super::model::CStatus::running(created)],
            true,
            None,
        );
        pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = json!(name);
        pod["spec"]["hostname"] = json!(name);
        pod["spec"]["subdomain"] = json!("db");
        pod["spec"]["volumes"] = json!([
            {"name": "data", "persistentVolumeClaim": {"claimName": format!("data-{name}")}},
            {"name": "config", "configMap": {"name": "db-config"}}]);
        pod["spec"]["containers"][0]["envFrom"] = json!([{"secretRef": {"name": "db"}}]);
        s.store.put(Kind::Pod, pod);
        let mut claim = s.meta(ns, &format!("data-{name}"), age);
        claim["labels"] = labels.clone();
        s.put(
            Kind::PersistentVolumeClaim,
            "v1",
            "PersistentVolumeClaim",
            json!({"metadata": claim, "spec": {"accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}}, "storageClassName": "standard",
                "volumeName": format!("pvc-{}", &super::model::uid(s.n)[..8])},
                "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}}}),
        );
    }
    let mut secret = s.meta(ns, "db", age);
    secret["labels"] = labels.clone();
    s.put(
        Kind::Secret,
        "v1",
        "Secret",
        json!({"metadata": secret, "type": "Opaque",
            "data": {"POSTGRES_PASSWORD": b64("not-a-real-password")}}),
    );
    // Two revisions: 16.3 first, then the upgrade to 16.4 that the pods run now.
    let set = |image: &str| {
        json!({"metadata": meta, "spec": {"replicas": 2, "serviceName": "db",
            "selector": {"matchLabels": labels}, "podManagementPolicy": "OrderedReady",
            "template": {"metadata": {"labels": labels},
                "spec": {"containers": [{"name": "postgres", "image": image}]}},
            "volumeClaimTemplates": [{"metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]},
            "status": {"replicas": 2, "readyReplicas": 2, "currentReplicas": 2, "updatedReplicas": 2,
                "availableReplicas": 2, "observedGeneration": 1, "collisionCount": 0}})
    };
    let key = (ns.to_string(), "db".to_string());
    s.put(
        Kind::StatefulSet,
        "apps/v1",
        "StatefulSet",
        set("postgres:16.3"),
    );
    super::revisions::record(s.store, Kind::StatefulSet, &key, created);
    s.put(
        Kind::StatefulSet,
        "apps/v1",
        "StatefulSet",
        set("postgres:16.4"),
    );
    super::revisions::record(
        s.store,
        Kind::StatefulSet,
        &key,
        s.now - jiff::SignedDuration::from_hours(26),
    );
}

fn demo_extras(s: &mut Seeder, ips: &BTreeMap<(String, String), Vec<(String, String)>>) {
    let ns = "demo";
    let age = 86_400 * 3;
    statefulset(s, ns, age);
    let mut meta = s.meta(ns, "web-nodeport", age);
    meta["labels"] = json!({"app": "web"});
    s.put(
        Kind::Service,
        "v1",
        "Service",
        json!({"metadata": meta, "spec": {"type": "NodePort", "clusterIP": "10.109.30.199",
            "selector": {"app": "web"},
            "ports": [{"port": 8080, "nodePort": 30080, "protocol": "TCP", "targetPort": 8080}]}}),
    );
    let meta = s.meta(ns, "upstream", age);
    s.put(
        Kind::Service,
        "v1",
        "Service",
        json!({"metadata": meta, "spec": {"type": "ExternalName", "externalName": "api.example.com"}}),
    );
    let meta = s.meta(ns, "web", age);
    s.put(
        Kind::Ingress,
        "networking.k8s.io/v1",
        "Ingress",
        json!({"metadata": meta, "spec": {"ingressClassName": "nginx",
            "tls": [{"hosts": ["web.example.com"], "secretName": "web-tls"}],
            "rules": [{"host": "web.example.com", "http": {"paths": [
                {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "api", "port": {"number": 80}}}}]}}]},
            "status": {"loadBalancer": {}}}),
    );
    let meta = s.meta(ns, "web-tls", age);
    s.put(
        Kind::Secret,
        "v1",
        "Secret",
        json!({"metadata": meta, "type": "kubernetes.io/tls",
            "data": {"tls.crt": b64("-----BEGIN CERTIFICATE-----\n(simulated)\n-----END CERTIFICATE-----\n"),
                     "tls.key": b64("(placeholder, not a key)")}}),
    );
    // Storage: a claim bound to a static volume, one pending on a class that does not exist.
    let meta = s.meta("", "pv-static", age);
    s.put(
        Kind::PersistentVolume,
        "v1",
        "PersistentVolume",
        json!({"metadata": meta, "spec": {"capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "", "volumeMode": "Filesystem",
            "hostPath": {"path": "/srv/data"},
            "claimRef": {"kind": "PersistentVolumeClaim", "namespace": ns, "name": "data-bound"}},
            "status": {"phase": "Bound"}}),
    );
    let meta = s.meta("", "pv-spare", age);
    s.put(
        Kind::PersistentVolume,
        "v1",
        "PersistentVolume",
        json!({"metadata": meta, "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
            "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "manual", "volumeMode": "Filesystem",
            "hostPath": {"path": "/srv/spare"}}, "status": {"phase": "Available"}}),
    );
    let meta = s.meta(ns, "data-bound", age);
    s.put(
        Kind::PersistentVolumeClaim,
        "v1",
        "PersistentVolumeClaim",
        json!({"metadata": meta, "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
            "volumeName": "pv-static", "volumeMode": "Filesystem", "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "2Gi"}}}),
    );
    // A pod of `cache` keeps its data on the bound claim.
    let cache = s
        .store
        .snapshot(Kind::Pod)
        .items
        .iter()
        .find(|p| p["metadata"]["namespace"] == ns && p["metadata"]["labels"]["app"] == "cache")
        .map(|p| super::store::key_of(p));
    if let Some(key) = cache {
        s.store.update(Kind::Pod, &key, |p| {
            let mut volumes = p["spec"]["volumes"].as_array().cloned().unwrap_or_default();
            volumes.push(
                json!({"name": "data", "persistentVolumeClaim": {"claimName": "data-bound"}}),
            );
            p["spec"]["volumes"] = Value::Array(volumes);
            true
        });
    }
    let meta = s.meta(ns, "scratch-pending", 3600);
    s.put(
        Kind::PersistentVolumeClaim,
        "v1",
        "PersistentVolumeClaim",
        json!({"metadata": meta, "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "standard",
            "volumeMode": "Filesystem", "resources": {"requests": {"storage": "1Gi"}}},
            "status": {"phase": "Pending"}}),
    );
    let meta = s.meta(ns, "api", age);
    s.put(
        Kind::HorizontalPodAutoscaler,
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        json!({"metadata": meta, "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"},
            "minReplicas": 2, "maxReplicas": 10,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]},
            "status": {"currentReplicas": 3, "desiredReplicas": 3,
            "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 41, "averageValue": "205m"}}}]}}),
    );
    let ready_web = ips
        .get(&(ns.to_string(), "web".to_string()))
        .map_or(0, Vec::len) as i64;
    let meta = s.meta(ns, "web", age);
    s.put(
        Kind::PodDisruptionBudget,
        "policy/v1",
        "PodDisruptionBudget",
        json!({"metadata": meta, "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
            "status": {"currentHealthy": ready_web, "desiredHealthy": 1, "expectedPods": ready_web,
                       "disruptionsAllowed": (ready_web - 1).max(0)}}),
    );
    // RBAC: a Role bound to an app's ServiceAccount, a ClusterRole for the custom resource.
    let meta = s.meta(ns, "app", age);
    s.put(
        Kind::ServiceAccount,
        "v1",
        "ServiceAccount",
        json!({"metadata": meta}),
    );
    let meta = s.meta(ns, "config-reader", age);
    s.put(
        Kind::Role,
        "rbac.authorization.k8s.io/v1",
        "Role",
        json!({"metadata": meta, "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}]}),
    );
    let meta = s.meta(ns, "app-config-reader", age);
    s.put(
        Kind::RoleBinding,
        "rbac.authorization.k8s.io/v1",
        "RoleBinding",
        json!({"metadata": meta, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "config-reader"},
            "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": ns}]}),
    );
    let meta = s.meta("", "widget-viewer", age);
    s.put(
        Kind::ClusterRole,
        "rbac.authorization.k8s.io/v1",
        "ClusterRole",
        json!({"metadata": meta, "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get", "list", "watch"]}]}),
    );
    // A migration that failed: its pod is gone, the Job stays Failed.
    let mut meta = s.meta(ns, "db-migrate", 7200);
    meta["labels"] = json!({"app": "db-migrate"});
    let job_uid = meta["uid"].clone();
    let started = s.ago(7200);
    let failed_at = s.ago(7150);
    s.put(
        Kind::Job,
        "batch/v1",
        "Job",
        json!({"metadata": meta, "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 1,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": job_uid}},
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "migrate", "image": "ghcr.io/acme/migrate:1.4.0"}]}}},
            "status": {"startTime": started, "failed": 2, "conditions": [
                {"type": "FailureTarget", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastTransitionTime": failed_at},
                {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit", "lastTransitionTime": failed_at}]}}),
    );
    widgets(s, age);
}

/// The `report` CronJob in every namespace whose Jobs it runs.
fn cronjobs(s: &mut Seeder) {
    let mut namespaces: BTreeMap<String, Option<String>> = BTreeMap::new();
    for job in s.store.snapshot(Kind::Job).items {
        let owned = job["metadata"]["ownerReferences"][0]["kind"] == "CronJob";
        if let (true, Some(ns)) = (owned, job["metadata"]["namespace"].as_str()) {
            let started = job["status"]["startTime"].as_str().map(str::to_string);
            let last = namespaces.entry(ns.to_string()).or_default();
            *last = last.take().max(started);
        }
    }
    for (ns, last) in namespaces {
        let mut meta = s.meta(&ns, "report", 86_400 * 20);
        meta["uid"] = json!(super::model::owner_uid(&ns, "CronJob", "report"));
        s.put(
            Kind::CronJob,
            "batch/v1",
            "CronJob",
            json!({"metadata": meta, "spec": {"schedule": "*/5 * * * *", "concurrencyPolicy": "Forbid",
                "suspend": false, "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
                "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "Never",
                    "containers": [{"name": "report", "image": "ghcr.io/acme/worker:2.14.1"}]}}}}},
                "status": {"lastScheduleTime": last}}),
        );
    }
}

/// `widgets.example.com` (printer columns as on the real cluster's fixture) and three widgets.
fn widgets(s: &mut Seeder, age: i64) {
    let meta = s.meta("", "widgets.example.com", age);
    s.put(
        Kind::CustomResourceDefinition,
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        json!({"metadata": meta, "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList",
                      "shortNames": ["wd"], "categories": ["all"]},
            "versions": [{"name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                "additionalPrinterColumns": [
                    {"jsonPath": ".spec.size", "name": "Size", "type": "string"},
                    {"jsonPath": ".spec.replicas", "name": "Replicas", "type": "integer"},
                    {"jsonPath": ".status.phase", "name": "Phase", "type": "string"},
                    {"jsonPath": ".status.ready", "name": "Ready", "priority": 1, "type": "boolean"},
                    {"description": "team that owns the widget", "jsonPath": ".spec.owner", "name": "Owner", "priority": 1, "type": "string"},
                    {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"}]}]},
            "status": {"acceptedNames": {"plural": "widgets", "kind": "Widget"}, "storedVersions": ["v1"]}}),
    );
    for (name, size, replicas, status) in [
        (
            "alpha",
            "small",
            1,
            json!({"phase": "Ready", "ready": true}),
        ),
        (
            "beta",
            "medium",
            3,
            json!({"phase": "Provisioning", "ready": false}),
        ),
        ("gamma", "large", 0, Value::Null),
    ] {
        let meta = s.meta("demo", name, age);
        let mut w = json!({"metadata": meta, "spec": {"size": size, "replicas": replicas}});
        if !status.is_null() {
            w["spec"]["owner"] = json!(format!("team-{}", &name[..1]));
            w["status"] = status;
        }
        s.put(Kind::Widget, "example.com/v1", "Widget", w);
    }
}

/// `count` more objects of `kind` (deployments, services or configmaps), spread over the
/// namespaces, each as big as a typical one: for the benchmarks (`/_sim/bulk`).
pub fn bulk(store: &Store, kind: &str, count: usize) -> Result<(), String> {
    let namespaces = namespace_names(store);
    if namespaces.is_empty() {
        return Err("no namespaces".into());
    }
    let mut s = Seeder {
        store,
        now: Timestamp::now(),
        n: 0xb01c,
    };
    for i in 0..count {
        let ns = &namespaces[i % namespaces.len()];
        let name = format!("bulk-{i:06}");
        let mut meta = s.meta(ns, &name, 86_400 + (i as i64 % 86_400));
        meta["labels"] =
            json!({"app": name, "team": format!("team-{:02}", i % 40), "tier": "backend"});
        meta["annotations"] = json!({"example.com/owner": format!("team-{:02}", i % 40)});
        match kind {
            "configmaps" => s.put(
                Kind::ConfigMap,
                "v1",
                "ConfigMap",
                json!({"metadata": meta, "data": {
                    "application.properties": format!("server.port=8080\nlogging.level=INFO\nfeature.{i}=true\n"),
                    "LOG_LEVEL": "info"}}),
            ),
            "services" => s.put(
                Kind::Service,
                "v1",
                "Service",
                json!({"metadata": meta, "spec": {"type": "ClusterIP",
                    "clusterIP": format!("10.{}.{}.{}", 96 + i / 65_536 % 16, i / 256 % 256, i % 256),
                    "selector": {"app": name},
                    "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]},
                    "status": {"loadBalancer": {}}}),
            ),
            "deployments" => {
                meta["generation"] = json!(1);
                s.put(
                    Kind::Deployment,
                    "apps/v1",
                    "Deployment",
                    json!({"metadata": meta, "spec": {"replicas": 2,
                        "selector": {"matchLabels": {"app": name}},
                        "strategy": {"type": "RollingUpdate"},
                        "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                            {"name": "app", "image": "ghcr.io/acme/app:1.0.0",
                             "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]}}},
                        "status": {"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2,
                            "readyReplicas": 2, "availableReplicas": 2}}),
                )
            }
            other => return Err(format!("bulk: unknown kind {other:?} (deployments, services, configmaps)")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bulk_adds_what_it_is_asked_for() {
        let store = Store::new(100);
        assert!(bulk(&store, "configmaps", 3).is_err(), "no namespaces yet");
        store.put(Kind::Namespace, json!({"metadata": {"name": "a"}}));
        store.put(Kind::Namespace, json!({"metadata": {"name": "b"}}));
        for (kind, k) in [
            ("configmaps", Kind::ConfigMap),
            ("services", Kind::Service),
            ("deployments", Kind::Deployment),
        ] {
            assert_eq!(bulk(&store, kind, 5), Ok(()));
            assert_eq!(store.count(k), 5, "{kind}");
        }
        assert!(bulk(&store, "widgets", 1).is_err());
    }
}
