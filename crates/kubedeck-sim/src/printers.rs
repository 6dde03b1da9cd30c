//! The apiserver's table printers (`pkg/printers/internalversion` in Kubernetes 1.36) for the
//! built-in kinds the simulator serves, and the CRD printer for custom resources: what kubectl
//! prints for `kubectl get KIND`. Column definitions are the real server's, recorded from a
//! 1.36 cluster (`columns.json`, from `tests/fixtures/real-cluster/kinds/*.table.json`);
//! `tests/printers.rs` checks every cell against that cluster's own Tables.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::resources::Kind;
use crate::age;

static COLUMNS: LazyLock<BTreeMap<String, Vec<Value>>> =
    LazyLock::new(|| serde_json::from_str(include_str!("columns.json")).unwrap_or_default());

/// The recorded column definitions for a resource (by plural), if the server has a printer.
pub fn columns(plural: &str) -> Option<Vec<Value>> {
    COLUMNS.get(plural).cloned()
}

pub(super) fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

/// `translateTimestampSince`: `<unknown>` for no time.
pub(super) fn since(v: &Value, now: Timestamp) -> String {
    age::since(ts(v), now)
}

pub(super) fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn or(v: &Value, default: &str) -> String {
    match v.as_str() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => default.to_string(),
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn items(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

/// `labels.FormatLabels`: `k=v` sorted by key, `<none>` when empty.
fn format_labels(v: &Value) -> String {
    let mut pairs: Vec<String> = v
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", s(v)))
        .collect();
    if pairs.is_empty() {
        return "<none>".into();
    }
    pairs.sort();
    pairs.join(",")
}

/// `metav1.LabelSelectorAsSelector(...).String()`: requirements sorted by key; `<none>` for
/// no selector, an empty string for an empty one.
pub(super) fn format_selector(v: &Value) -> String {
    if v.is_null() {
        return "<none>".into();
    }
    let mut reqs: Vec<(String, String)> = v["matchLabels"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, val)| (k.clone(), format!("{k}={}", s(val))))
        .collect();
    for e in items(&v["matchExpressions"]) {
        let key = s(&e["key"]);
        let mut values: Vec<String> = items(&e["values"]).iter().map(s).collect();
        values.sort();
        let text = match e["operator"].as_str().unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.clone(),
            "DoesNotExist" => format!("!{key}"),
            _ => continue,
        };
        reqs.push((key, text));
    }
    reqs.sort();
    reqs.into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(",")
}

/// Container names and images of a pod template, comma-joined.
fn containers_images(pod_spec: &Value) -> (String, String) {
    let cs = items(&pod_spec["containers"]);
    (
        cs.iter()
            .map(|c| s(&c["name"]))
            .collect::<Vec<_>>()
            .join(","),
        cs.iter()
            .map(|c| s(&c["image"]))
            .collect::<Vec<_>>()
            .join(","),
    )
}

/// `listWithMoreString`: at most `max` entries, then ` + N more...`.
fn list_with_more(list: &[String], max: usize, sep: &str) -> String {
    let shown = list.iter().take(max).cloned().collect::<Vec<_>>().join(sep);
    if list.len() > max {
        format!("{shown} + {} more...", list.len() - max)
    } else {
        shown
    }
}

fn has_condition(obj: &Value, kind: &str) -> bool {
    items(&obj["status"]["conditions"])
        .iter()
        .any(|c| c["type"] == kind && c["status"] == "True")
}

/// `helper.GetAccessModesAsString`.
fn access_modes(v: &Value) -> String {
    let modes: Vec<&str> = items(v).iter().filter_map(Value::as_str).collect();
    [
        ("ReadWriteOnce", "RWO"),
        ("ReadOnlyMany", "ROX"),
        ("ReadWriteMany", "RWX"),
        ("ReadWriteOncePod", "RWOP"),
    ]
    .iter()
    .filter(|(long, _)| modes.contains(long))
    .map(|(_, short)| *short)
    .collect::<Vec<_>>()
    .join(",")
}

fn storage_class(obj: &Value) -> String {
    match obj["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"].as_str() {
        Some(c) => c.to_string(),
        None => s(&obj["spec"]["storageClassName"]),
    }
}

fn hpa_targets(obj: &Value) -> String {
    let specs = items(&obj["spec"]["metrics"]);
    if specs.is_empty() {
        return "<none>".into();
    }
    let statuses = items(&obj["status"]["currentMetrics"]);
    let list: Vec<String> = specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let status = statuses.get(i).unwrap_or(&Value::Null);
            let (source, current) = match spec["type"].as_str().unwrap_or_default() {
                "Resource" => (&spec["resource"], &status["resource"]["current"]),
                "ContainerResource" => (
                    &spec["containerResource"],
                    &status["containerResource"]["current"],
                ),
                "Pods" => (&spec["pods"], &status["pods"]["current"]),
                "Object" => (&spec["object"], &status["object"]["current"]),
                "External" => (&spec["external"], &status["external"]["current"]),
                _ => return "<unknown type>".into(),
            };
            let target = &source["target"];
            let name = match spec["type"].as_str() {
                Some("Resource" | "ContainerResource") => format!("{}: ", s(&source["name"])),
                _ => String::new(),
            };
            let value_of = |key: &str| current[key].as_str().map(str::to_string);
            let unknown = || "<unknown>".to_string();
            if let Some(t) = target["averageValue"].as_str() {
                let cur = value_of("averageValue").unwrap_or_else(unknown);
                // Resource metrics name themselves; the others are averages over pods.
                if name.is_empty() {
                    format!("{cur}/{t} (avg)")
                } else {
                    format!("{name}{cur}/{t}")
                }
            } else if let Some(t) = target["value"].as_str() {
                format!("{name}{}/{t}", value_of("value").unwrap_or_else(unknown))
            } else {
                let cur = current["averageUtilization"]
                    .as_i64()
                    .map_or_else(unknown, |u| format!("{u}%"));
                let t = target["averageUtilization"]
                    .as_i64()
                    .map_or("<auto>".into(), |u| format!("{u}%"));
                format!("{name}{cur}/{t}")
            }
        })
        .collect();
    list_with_more(&list, 2, ", ")
}

/// A custom resource's cell for a CRD printer column (`.a.b` JSONPath; dates as ages).
fn crd_cell(obj: &Value, column: &Value, now: Timestamp) -> Value {
    let path = column["jsonPath"].as_str().unwrap_or_default();
    let mut v = obj;
    for part in path.trim_start_matches('.').split('.') {
        v = &v[part];
    }
    match (column["type"].as_str(), v) {
        (_, Value::Null) => Value::Null,
        (Some("date"), v) => json!(since(v, now)),
        (_, v) => v.clone(),
    }
}

/// The Table columns for a custom resource from its CRD's printer columns for `version`.
pub fn crd_columns(crd: &Value, version: &str) -> Vec<Value> {
    let name = COLUMNS
        .get("deployments")
        .and_then(|c| c.first().cloned())
        .unwrap_or_else(|| json!({"name": "Name", "type": "string", "format": "name", "description": "", "priority": 0}));
    let printer = printer_columns(crd, version);
    std::iter::once(name)
        .chain(printer.iter().map(|c| {
            let description = c["description"].as_str().map_or_else(
                || {
                    format!(
                        "Custom resource definition column (in JSONPath format): {}",
                        s(&c["jsonPath"])
                    )
                },
                str::to_string,
            );
            json!({"name": c["name"], "type": c["type"], "format": c["format"].as_str().unwrap_or_default(), "description": description, "priority": c["priority"].as_i64().unwrap_or(0)})
        }))
        .collect()
}

fn printer_columns<'a>(crd: &'a Value, version: &str) -> &'a [Value] {
    items(&crd["spec"]["versions"])
        .iter()
        .find(|v| v["name"] == version)
        .map_or(&[], |v| items(&v["additionalPrinterColumns"]))
}

/// A custom resource's cells, from its CRD's printer columns.
pub fn crd_cells(crd: &Value, version: &str, obj: &Value, now: Timestamp) -> Vec<Value> {
    std::iter::once(json!(s(&obj["metadata"]["name"])))
        .chain(
            printer_columns(crd, version)
                .iter()
                .map(|c| crd_cell(obj, c, now)),
        )
        .collect()
}

/// The cells the real printer gives `obj` of `kind`, or `None` for kinds printed elsewhere.
pub fn cells(kind: Kind, obj: &Value, now: Timestamp) -> Option<Vec<Value>> {
    let meta = &obj["metadata"];
    let name = json!(s(&meta["name"]));
    let age = json!(since(&meta["creationTimestamp"], now));
    let spec = &obj["spec"];
    let status = &obj["status"];
    let cells = match kind {
        Kind::Deployment => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    int(&status["readyReplicas"]),
                    int(&spec["replicas"])
                )),
                json!(int(&status["updatedReplicas"])),
                json!(int(&status["availableReplicas"])),
                age,
                json!(c),
                json!(i),
                json!(format_selector(&spec["selector"])),
            ]
        }
        Kind::ReplicaSet => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            vec![
                name,
                json!(int(&spec["replicas"])),
                json!(int(&status["replicas"])),
                json!(int(&status["readyReplicas"])),
                age,
                json!(c),
                json!(i),
                json!(format_selector(&spec["selector"])),
            ]
        }
        Kind::StatefulSet => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            vec![
                name,
                json!(format!(
                    "{}/{}",
                    int(&status["readyReplicas"]),
                    int(&spec["replicas"])
                )),
                age,
                json!(c),
                json!(i),
            ]
        }
        // As the apiserver's printControllerRevision: CONTROLLER is `kind.group/name`.
        Kind::ControllerRevision => {
            let controller = obj["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["controller"] == true)
                .map_or_else(
                    || "<none>".to_string(),
                    |r| {
                        let group = r["apiVersion"]
                            .as_str()
                            .and_then(|v| v.split_once('/'))
                            .map_or("", |(g, _)| g);
                        let kind = r["kind"].as_str().unwrap_or_default().to_ascii_lowercase();
                        let name = r["name"].as_str().unwrap_or_default();
                        if group.is_empty() {
                            format!("{kind}/{name}")
                        } else {
                            format!("{kind}.{group}/{name}")
                        }
                    },
                );
            vec![name, json!(controller), json!(int(&obj["revision"])), age]
        }
        Kind::DaemonSet => {
            let (c, i) = containers_images(&spec["template"]["spec"]);
            vec![
                name,
                json!(int(&status["desiredNumberScheduled"])),
                json!(int(&status["currentNumberScheduled"])),
                json!(int(&status["numberReady"])),
                json!(int(&status["updatedNumberScheduled"])),
                json!(int(&status["numberAvailable"])),
                json!(format_labels(&spec["template"]["spec"]["nodeSelector"])),
                age,
                json!(c),
                json!(i),
                json!(format_selector(&spec["selector"])),
            ]
        }
        Kind::Job => {
            let state = if has_condition(obj, "Complete") {
                "Complete"
            } else if has_condition(obj, "Failed") {
                "Failed"
            } else if !meta["deletionTimestamp"].is_null() {
                "Terminating"
            } else if has_condition(obj, "Suspended") {
                "Suspended"
            } else if has_condition(obj, "FailureTarget") {
                "FailureTarget"
            } else if has_condition(obj, "SuccessCriteriaMet") {
                "SuccessCriteriaMet"
            } else {
                "Running"
            };
            let succeeded = int(&status["succeeded"]);
            let completions = match spec["completions"].as_i64() {
                Some(n) => format!("{succeeded}/{n}"),
                None => match spec["parallelism"].as_i64() {
                    Some(p) if p > 1 => format!("{succeeded}/1 of {p}"),
                    _ => format!("{succeeded}/1"),
                },
            };
            let duration = match (ts(&status["startTime"]), ts(&status["completionTime"])) {
                (None, _) => String::new(),
                (Some(start), None) => age::since(Some(start), now),
                (Some(start), Some(end)) => age::since(Some(start), end),
            };
            let (c, i) = containers_images(&spec["template"]["spec"]);
            vec![
                name,
                json!(state),
                json!(completions),
                json!(duration),
                age,
                json!(c),
                json!(i),
                json!(format_selector(&spec["selector"])),
            ]
        }
        Kind::CronJob => {
            let job = &spec["jobTemplate"]["spec"];
            let (c, i) = containers_images(&job["template"]["spec"]);
            let last = if status["lastScheduleTime"].is_null() {
                "<none>".to_string()
            } else {
                since(&status["lastScheduleTime"], now)
            };
            vec![
                name,
                json!(s(&spec["schedule"])),
                json!(or(&spec["timeZone"], "<none>")),
                json!(if spec["suspend"] == true {
                    "True"
                } else {
                    "False"
                }),
                json!(items(&status["active"]).len()),
                json!(last),
                age,
                json!(c),
                json!(i),
                json!(format_selector(&job["selector"])),
            ]
        }
        Kind::Service => {
            let kind = or(&spec["type"], "ClusterIP");
            let external: Vec<String> = items(&spec["externalIPs"]).iter().map(s).collect();
            let external = match kind.as_str() {
                "ExternalName" => s(&spec["externalName"]),
                "LoadBalancer" => {
                    let mut ips: Vec<String> = items(&status["loadBalancer"]["ingress"])
                        .iter()
                        .map(|i| or(&i["ip"], &s(&i["hostname"])))
                        .collect();
                    ips.extend(external);
                    if ips.is_empty() {
                        "<pending>".into()
                    } else {
                        ips.join(",")
                    }
                }
                _ if external.is_empty() => "<none>".into(),
                _ => external.join(","),
            };
            let ports: Vec<String> = items(&spec["ports"])
                .iter()
                .map(|p| {
                    let proto = or(&p["protocol"], "TCP");
                    match p["nodePort"].as_i64().filter(|n| *n > 0) {
                        Some(node) => format!("{}:{node}/{proto}", int(&p["port"])),
                        None => format!("{}/{proto}", int(&p["port"])),
                    }
                })
                .collect();
            vec![
                name,
                json!(kind),
                json!(or(&spec["clusterIP"], "<none>")),
                json!(external),
                json!(if ports.is_empty() {
                    "<none>".into()
                } else {
                    ports.join(",")
                }),
                age,
                json!(format_labels(&spec["selector"])),
            ]
        }
        Kind::Endpoints => {
            let mut list = Vec::new();
            for subset in items(&obj["subsets"]) {
                let addresses: Vec<String> = items(&subset["addresses"])
                    .iter()
                    .map(|a| s(&a["ip"]))
                    .collect();
                let ports = items(&subset["ports"]);
                if ports.is_empty() {
                    list.extend(addresses);
                    continue;
                }
                for p in ports {
                    list.extend(
                        addresses
                            .iter()
                            .map(|ip| format!("{ip}:{}", int(&p["port"]))),
                    );
                }
            }
            let text = if obj["subsets"].as_array().is_none_or(Vec::is_empty) {
                "<none>".into()
            } else {
                list_with_more(&list, 3, ",")
            };
            vec![name, json!(text), age]
        }
        Kind::EndpointSlice => {
            let ports = match obj["ports"].as_array() {
                None => "<unset>".into(),
                Some(ports) => {
                    let list: Vec<String> = ports
                        .iter()
                        .map(|p| match p["port"].as_i64() {
                            Some(n) => n.to_string(),
                            None => or(&p["name"], "*"),
                        })
                        .collect();
                    list_with_more(&list, 3, ",")
                }
            };
            let addresses: Vec<String> = items(&obj["endpoints"])
                .iter()
                .flat_map(|e| items(&e["addresses"]).iter().map(s))
                .collect();
            let endpoints = if addresses.is_empty() {
                "<unset>".into()
            } else {
                list_with_more(&addresses, 3, ",")
            };
            vec![
                name,
                json!(s(&obj["addressType"])),
                json!(ports),
                json!(endpoints),
                age,
            ]
        }
        Kind::Ingress => {
            let hosts: Vec<String> = items(&spec["rules"])
                .iter()
                .filter_map(|r| r["host"].as_str().filter(|h| !h.is_empty()))
                .map(str::to_string)
                .collect();
            let hosts = if hosts.is_empty() {
                "*".into()
            } else {
                list_with_more(&hosts, 3, ",")
            };
            let address: Vec<String> = items(&status["loadBalancer"]["ingress"])
                .iter()
                .map(|i| or(&i["ip"], &s(&i["hostname"])))
                .collect();
            let ports = if items(&spec["tls"]).is_empty() {
                "80"
            } else {
                "80, 443"
            };
            vec![
                name,
                json!(or(&spec["ingressClassName"], "<none>")),
                json!(hosts),
                json!(address.join(",")),
                json!(ports),
                age,
            ]
        }
        Kind::ConfigMap => {
            let n = obj["data"].as_object().map_or(0, |m| m.len())
                + obj["binaryData"].as_object().map_or(0, |m| m.len());
            vec![name, json!(n), age]
        }
        Kind::Secret => {
            let n = obj["data"].as_object().map_or(0, |m| m.len());
            vec![name, json!(s(&obj["type"])), json!(n), age]
        }
        Kind::PersistentVolumeClaim => {
            let phase = if meta["deletionTimestamp"].is_null() {
                s(&status["phase"])
            } else {
                "Terminating".into()
            };
            let bound = !s(&spec["volumeName"]).is_empty();
            let (capacity, modes) = if bound {
                (
                    s(&status["capacity"]["storage"]),
                    access_modes(&status["accessModes"]),
                )
            } else {
                (String::new(), String::new())
            };
            vec![
                name,
                json!(phase),
                json!(s(&spec["volumeName"])),
                json!(capacity),
                json!(modes),
                json!(storage_class(obj)),
                json!(or(&spec["volumeAttributesClassName"], "<unset>")),
                age,
                json!(or(&spec["volumeMode"], "<unset>")),
            ]
        }
        Kind::PersistentVolume => {
            let phase = if meta["deletionTimestamp"].is_null() {
                s(&status["phase"])
            } else {
                "Terminating".into()
            };
            let claim = &spec["claimRef"];
            let claim = if claim.is_null() {
                String::new()
            } else {
                format!("{}/{}", s(&claim["namespace"]), s(&claim["name"]))
            };
            vec![
                name,
                json!(s(&spec["capacity"]["storage"])),
                json!(access_modes(&spec["accessModes"])),
                json!(s(&spec["persistentVolumeReclaimPolicy"])),
                json!(phase),
                json!(claim),
                json!(storage_class(obj)),
                json!(or(&spec["volumeAttributesClassName"], "<unset>")),
                json!(s(&status["reason"])),
                age,
                json!(or(&spec["volumeMode"], "<unset>")),
            ]
        }
        Kind::HorizontalPodAutoscaler => {
            let target = &spec["scaleTargetRef"];
            vec![
                name,
                json!(format!("{}/{}", s(&target["kind"]), s(&target["name"]))),
                json!(hpa_targets(obj)),
                json!(
                    spec["minReplicas"]
                        .as_i64()
                        .map_or("<unset>".into(), |n| n.to_string())
                ),
                json!(int(&spec["maxReplicas"])),
                json!(int(&status["currentReplicas"])),
                age,
            ]
        }
        Kind::PodDisruptionBudget => {
            let or_na = |v: &Value| match v {
                Value::Null => "N/A".to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            vec![
                name,
                json!(or_na(&spec["minAvailable"])),
                json!(or_na(&spec["maxUnavailable"])),
                json!(int(&status["disruptionsAllowed"])),
                age,
            ]
        }
        Kind::ServiceAccount => vec![name, age],
        Kind::RoleBinding | Kind::ClusterRoleBinding => {
            let role = &obj["roleRef"];
            let subjects = |kind: &str| {
                items(&obj["subjects"])
                    .iter()
                    .filter(|s| s["kind"] == kind)
                    .map(|sub| match kind {
                        "ServiceAccount" => format!("{}/{}", s(&sub["namespace"]), s(&sub["name"])),
                        _ => s(&sub["name"]),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            vec![
                name,
                json!(format!("{}/{}", s(&role["kind"]), s(&role["name"]))),
                age,
                json!(subjects("User")),
                json!(subjects("Group")),
                json!(subjects("ServiceAccount")),
            ]
        }
        Kind::Role | Kind::ClusterRole | Kind::CustomResourceDefinition => {
            vec![name, json!(s(&meta["creationTimestamp"]))]
        }
        Kind::Event => {
            let first = if obj["firstTimestamp"].is_null() {
                since(&obj["eventTime"], now)
            } else {
                since(&obj["firstTimestamp"], now)
            };
            let mut last = if obj["lastTimestamp"].is_null() {
                first.clone()
            } else {
                since(&obj["lastTimestamp"], now)
            };
            let mut count = int(&obj["count"]);
            if obj["series"].is_object() {
                last = since(&obj["series"]["lastObservedTime"], now);
                count = int(&obj["series"]["count"]);
            } else if count == 0 {
                count = 1;
            }
            let io = &obj["involvedObject"];
            let target = if s(&io["name"]).is_empty() {
                s(&io["kind"]).to_lowercase()
            } else {
                format!("{}/{}", s(&io["kind"]).to_lowercase(), s(&io["name"]))
            };
            let component = or(&obj["source"]["component"], &s(&obj["reportingComponent"]));
            let instance = or(&obj["source"]["host"], &s(&obj["reportingInstance"]));
            let source = if instance.is_empty() {
                component
            } else {
                format!("{component}, {instance}")
            };
            vec![
                json!(last),
                json!(s(&obj["type"])),
                json!(s(&obj["reason"])),
                json!(target),
                json!(s(&io["fieldPath"])),
                json!(source),
                json!(s(&obj["message"]).trim()),
                json!(first),
                json!(count),
                name,
            ]
        }
        _ => return None,
    };
    Some(cells)
}
