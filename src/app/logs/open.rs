//! Opening log panes: from the selection (`l`, a container picker when a pod has several), a
//! pod's owner (`L`), a label selector or a workload (`:logs`), a captured run. Each pane gets
//! its own stream key and an `OpenLogs` effect for the runtime.

use super::buffer::LogBuffer;
use super::pane::LogPane;
use crate::app::action::Effect;
use crate::app::notice::Notice;
use crate::app::panes::Panes;
use crate::app::picker::{PickFor, Picked, Picker};
use crate::app::selection::{pod_row, selected_object};
use crate::app::state::App;
use crate::kube::informer::ResourceKind;
use crate::kube::log_request::{LogRequest, LogTarget};
use crate::kube::logs::StreamKey;
use crate::kube::object_ref::ObjectRef;
use crate::kube::pod_row::PodRow;

/// Labels a controller stamps on each generation of pods; dropped so the selector also
/// matches the pods of a rollout.
const GENERATED_LABELS: &[&str] = &[
    "pod-template-hash",
    "controller-revision-hash",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/job-completion-index",
    "job-name",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "batch.kubernetes.io/controller-uid",
];

/// Open a new log pane beside the focused pane and start its stream.
pub fn open_pane(app: &mut App, request: LogRequest) -> Vec<Effect> {
    let key = show_log_pane(&mut app.panes, request.clone(), app.fleet.multi());
    app.notice = None;
    vec![Effect::OpenLogs { key, request }]
}

/// A log pane for `request` beside the focused pane; the key of the stream it waits for.
fn show_log_pane(panes: &mut Panes, request: LogRequest, show_cluster: bool) -> StreamKey {
    let id = panes.new_pane();
    let key = panes.new_stream_key();
    let mut pane = LogPane::new(key, request, LogBuffer::new(panes.log_limits));
    pane.show_cluster = show_cluster;
    panes.logs.insert(id, pane);
    panes.split_beside_focus(id);
    key
}

/// A request to the cluster of the selection (the first cluster shown when nothing is
/// selected: `:logs deploy/NAME`).
fn request(app: &App, target: LogTarget) -> LogRequest {
    let cluster = super::super::selection::selected_object(app)
        .map_or_else(|| app.fleet.cluster.clone(), |o| o.cluster);
    LogRequest {
        cluster,
        target,
        options: app.panes.log_options.clone(),
    }
}

/// The previous instance's log (after a crash: its last words), not followed.
fn previous_of(mut request: LogRequest) -> LogRequest {
    request.options.previous = true;
    request.options.follow = false;
    request
}

/// `previous`: the container's previous instance first (a crash-looping pod from triage).
fn pod_logs(app: &mut App, row: &PodRow, previous: bool) -> Vec<Effect> {
    if row.containers.len() == 1 {
        let target = LogTarget::Pod {
            namespace: row.namespace.clone(),
            name: row.name.clone(),
            container: row.containers.first().cloned(),
        };
        let mut r = request(app, target);
        if previous {
            r = previous_of(r);
            let effects = open_pane(app, r);
            app.say(Notice::Tip(
                "the crashed instance's log (p: the current one)",
            ));
            return effects;
        }
        return open_pane(app, r);
    }
    let mut items = Vec::new();
    let mut values = Vec::new();
    for (i, c) in row.containers.iter().enumerate() {
        let init = if i < row.init_containers {
            " (init)"
        } else {
            ""
        };
        items.push(format!("{c}{init}"));
        values.push(c.clone());
    }
    items.push("all containers".into());
    values.push(String::new());
    let pod = ObjectRef::new(&row.cluster, ResourceKind::Pods, &row.namespace, &row.name);
    let selected = row
        .init_containers
        .min(row.containers.len().saturating_sub(1));
    app.prompt.open_picker(Picker {
        title: format!("logs of {}", row.name),
        items,
        values,
        selected,
        pod,
        purpose: if previous {
            PickFor::PreviousLogs
        } else {
            PickFor::Logs
        },
    });
    Vec::new()
}

/// The triage problem of the selected row, when triage is shown: it says which log helps first.
fn triage_problem(app: &App) -> Option<&'static str> {
    (app.view == crate::app::state::View::Triage)
        .then(|| app.tables.triage.selected_row().map(|r| r.problem))
        .flatten()
}

/// `l` with pods marked: their logs merged in one pane (one stream per container, each line
/// saying its pod), a pane per cluster when they are in several.
fn marked_pods_logs(app: &mut App, marked: Vec<ObjectRef>) -> Vec<Effect> {
    let mut by_cluster: Vec<(crate::kube::ids::ClusterId, Vec<(String, String)>)> = Vec::new();
    for o in marked.into_iter().filter(|o| o.kind == ResourceKind::Pods) {
        let pod = (o.namespace.clone(), o.name.clone());
        match by_cluster.iter_mut().find(|(c, _)| *c == o.cluster) {
            Some((_, pods)) => pods.push(pod),
            None => by_cluster.push((o.cluster.clone(), vec![pod])),
        }
    }
    if by_cluster.is_empty() {
        app.say(Notice::Refused(
            "merged logs are of marked pods: mark pods in the pods view",
        ));
        return Vec::new();
    }
    let mut effects = Vec::new();
    for (cluster, pods) in by_cluster {
        let first = pods.first().map(|(ns, _)| ns.clone());
        let namespace = first.filter(|ns| pods.iter().all(|(n, _)| n == ns));
        let request = LogRequest {
            cluster,
            target: LogTarget::Pods { namespace, pods },
            options: app.panes.log_options.clone(),
        };
        effects.extend(open_pane(app, request));
    }
    effects
}

/// `l`: the logs of whatever is selected (of every marked pod, merged, when pods are marked).
pub fn open_logs(app: &mut App) -> Vec<Effect> {
    let marked = crate::app::selection::marked_objects(app);
    if !marked.is_empty() {
        return marked_pods_logs(app, marked);
    }
    let Some(obj) = selected_object(app) else {
        return Vec::new();
    };
    let problem = triage_problem(app);
    // In the containers view: that container's log.
    if let Some(container) = crate::app::selection::selected_container(app) {
        let target = LogTarget::Pod {
            namespace: obj.namespace.clone(),
            name: obj.name.clone(),
            container: Some(container),
        };
        return open_pane(app, request(app, target));
    }
    match obj.kind {
        ResourceKind::Pods => match pod_row(app, &obj) {
            Some(row) => pod_logs(app, &row, problem == Some("CrashLoop")),
            None => {
                let target = LogTarget::Pod {
                    namespace: obj.namespace.clone(),
                    name: obj.name.clone(),
                    container: None,
                };
                open_pane(app, request(app, target))
            }
        },
        ResourceKind::PipelineRuns | ResourceKind::TaskRuns => {
            let kind = if obj.kind == ResourceKind::TaskRuns {
                "TaskRun"
            } else {
                "PipelineRun"
            };
            let target = LogTarget::Tekton {
                namespace: obj.namespace.clone(),
                kind,
                name: obj.name.clone(),
            };
            let effects = open_pane(app, request(app, target));
            if problem == Some("RunFailed") {
                // From a failed run in triage: the step that failed, not every step.
                if let Some(p) = app.panes.focused_log_mut() {
                    p.failed_only = true;
                }
                app.say(Notice::Tip("only the failed steps (F: every step)"));
            }
            effects
        }
        other => {
            app.say(Notice::NoLogs(other));
            Vec::new()
        }
    }
}

/// `L`: all pods of the selected pod's owner, by its labels less the generated ones.
pub fn owner_logs(app: &mut App) -> Vec<Effect> {
    let Some(obj) = selected_object(app) else {
        return Vec::new();
    };
    let row = pod_row(app, &obj);
    let Some(row) = row.filter(|_| obj.kind == ResourceKind::Pods) else {
        app.say(Notice::Refused("owner logs start from a pod"));
        return Vec::new();
    };
    let Some((kind, owner)) = row.owner.clone() else {
        app.say(Notice::NoOwner(row.name.clone()));
        return Vec::new();
    };
    let selector: Vec<String> = row
        .labels
        .iter()
        .filter(|(k, _)| !GENERATED_LABELS.contains(k))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if selector.is_empty() {
        app.say(Notice::NoLabels { kind, owner });
        return Vec::new();
    }
    let target = LogTarget::Selector {
        namespace: Some(row.namespace.clone()),
        selector: selector.join(","),
    };
    let effects = open_pane(app, request(app, target));
    app.say(Notice::OwnerLogs { kind, owner });
    effects
}

/// `:logs deploy/web` (or sts, ds, rs, job): every pod the workload selects; `:logs pr/NAME`
/// (or tr): a run's steps, live or captured. The namespace is `-n NS`, else the scope's, else
/// the selected row's.
fn workload_logs(app: &mut App, workload: &str, args: &[&str]) -> Vec<Effect> {
    let (word, name) = workload.split_once('/').unwrap_or((workload, ""));
    // A Tekton run by name (its live steps, or the captured ones once the run is gone), or a
    // workload.
    enum Whose {
        Run(&'static str),
        Workload(crate::kube::owner::OwnerKind),
    }
    let whose = match word.to_ascii_lowercase().as_str() {
        "pr" | "pipelinerun" | "pipelineruns" => Whose::Run("PipelineRun"),
        "tr" | "taskrun" | "taskruns" => Whose::Run("TaskRun"),
        _ => match crate::kube::owner::owner_kind(word) {
            Some(kind) => Whose::Workload(kind),
            None => {
                app.say(Notice::NotAWorkload(word.to_string()));
                return Vec::new();
            }
        },
    };
    if name.is_empty() {
        app.say(Notice::LogsUsage(word.to_string()));
        return Vec::new();
    }
    let flag = args
        .iter()
        .position(|a| *a == "-n")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.to_string());
    let selected = selected_object(app)
        .map(|o| o.namespace)
        .filter(|ns| !ns.is_empty());
    let scope = app.fleet.scope.namespace().map(str::to_string);
    let Some(namespace) = flag.or(scope).or(selected) else {
        app.say(Notice::WhichNamespace {
            kind: word.to_string(),
            name: name.to_string(),
        });
        return Vec::new();
    };
    let name = name.to_string();
    let target = match whose {
        Whose::Run(kind) => LogTarget::Tekton {
            namespace,
            kind,
            name,
        },
        Whose::Workload(kind) => LogTarget::Owner {
            namespace,
            kind,
            name,
        },
    };
    open_pane(app, request(app, target))
}

/// Enter in the captured-runs list: the run's steps (live if its pods still exist, else as
/// captured).
pub fn open_captured(app: &mut App) -> Vec<Effect> {
    let Some(row) = app.tables.captured.selected_row().cloned() else {
        return Vec::new();
    };
    let target = LogTarget::Tekton {
        namespace: row.namespace.clone(),
        kind: row.kind,
        name: row.name.clone(),
    };
    open_pane(app, request(app, target))
}

/// The container picker's choice for logs (empty: every container).
pub fn picked(app: &mut App, picked: Picked) -> Vec<Effect> {
    let Picked { picker, value } = picked;
    let previous = picker.purpose == PickFor::PreviousLogs;
    let (p, container) = (picker.pod, value);
    let target = LogTarget::Pod {
        namespace: p.namespace,
        name: p.name,
        container: (!container.is_empty()).then_some(container),
    };
    // The picked pod's cluster, whatever is selected by now.
    let r = LogRequest {
        cluster: p.cluster,
        ..request(app, target)
    };
    open_pane(app, if previous { previous_of(r) } else { r })
}

/// `:logs [-l SEL | [-n NS] KIND/NAME]`.
pub fn logs_command(app: &mut App, args: &[&str]) -> Vec<Effect> {
    match args {
        [] => open_logs(app),
        ["-l", selector] | [selector] if selector.contains('=') => {
            let namespace = app.fleet.scope.namespace().map(str::to_string);
            let target = LogTarget::Selector {
                namespace,
                selector: selector.to_string(),
            };
            open_pane(app, request(app, target))
        }
        [workload] | [workload, "-n", _] | ["-n", _, workload] if workload.contains('/') => {
            workload_logs(app, workload, args)
        }
        _ => {
            app.say(Notice::Refused(
                "usage: :logs [-l key=value,... | [-n NS] deploy|sts|ds|rs|job|pr|tr/NAME]",
            ));
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::ids::Scope;

    fn opened(effects: &[Effect]) -> Option<LogTarget> {
        effects.iter().find_map(|e| match e {
            Effect::OpenLogs { request, .. } => Some(request.target.clone()),
            _ => None,
        })
    }

    #[test]
    fn workload_logs_by_kind_and_name_in_the_right_namespace() {
        let mut app = App::new(
            "ctx".into(),
            "srv".into(),
            Scope::Namespace("demo".into()),
            false,
        );
        let target = opened(&crate::app::command::command(&mut app, "logs deploy/web"));
        match target {
            Some(LogTarget::Owner {
                namespace,
                kind,
                name,
            }) => {
                assert_eq!(
                    (namespace.as_str(), kind.kind, name.as_str()),
                    ("demo", "Deployment", "web")
                );
            }
            other => panic!("{other:?}"),
        }
        let target = opened(&crate::app::command::command(
            &mut app,
            "logs -n ci job/nightly",
        ));
        assert!(
            matches!(&target, Some(LogTarget::Owner { namespace, kind, .. }) if namespace == "ci" && kind.kind == "Job"),
            "{target:?}"
        );
        // Not a workload: refused with the kinds that are.
        let effects = crate::app::command::command(&mut app, "logs pod/web-1");
        assert!(opened(&effects).is_none());
        let msg = app
            .notice
            .as_ref()
            .map(crate::views::notice::text)
            .unwrap_or_default();
        assert!(msg.contains("deploy, sts"), "{msg}");
        // A run by name, even one that is gone (its captured steps).
        let target = opened(&crate::app::command::command(&mut app, "logs pr/build-1"));
        assert!(
            matches!(&target, Some(LogTarget::Tekton { kind: "PipelineRun", name, .. }) if name == "build-1"),
            "{target:?}"
        );
    }

    #[test]
    fn workload_logs_across_namespaces_ask_which_one() {
        let mut app = App::new("ctx".into(), "srv".into(), Scope::All, false);
        let effects = crate::app::command::command(&mut app, "logs sts/db");
        assert!(opened(&effects).is_none());
        let msg = app
            .notice
            .as_ref()
            .map(crate::views::notice::text)
            .unwrap_or_default();
        assert!(msg.contains(":logs -n NS sts/db"), "{msg}");
    }
}
