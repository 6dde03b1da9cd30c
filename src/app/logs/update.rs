//! `update` for log panes and the pane layout: opening logs from the selection, the container
//! picker's choice, pane focus/zoom/resize/close, the keys of a focused log pane, and what the
//! streams report. No I/O.

use jiff::Timestamp;

use super::buffer::LogBuffer;
use super::pane::LogPane;
use super::pattern::{LineFilter, Pattern};
use crate::app::action::{Action, Effect};
use crate::app::layout::DASHBOARD;
use crate::app::picker::{PickFor, Picked, Picker};
use crate::app::selection::{pod_row, selected_object};
use crate::app::state::{App, Mode, Severity};
use crate::kube::informer::ResourceKind;
use crate::kube::log_request::{LogRequest, LogTarget, parse_since, since_label};
use crate::kube::logs::{LogEvent, LogReport};
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

fn say(app: &mut App, sev: Severity, text: impl Into<String>) {
    app.message = Some((sev, text.into()));
}

/// Open a new log pane beside the focused pane and start its stream.
pub fn open_pane(app: &mut App, request: LogRequest) -> Vec<Effect> {
    let id = app.next_pane;
    app.next_pane += 1;
    let key = app.new_stream_key();
    let pane = LogPane::new(key, request.clone(), LogBuffer::new(app.log_limits));
    app.logs.insert(id, pane);
    app.split_beside_focus(id);
    app.message = None;
    vec![Effect::OpenLogs { key, request }]
}

fn request(app: &App, target: LogTarget) -> LogRequest {
    LogRequest {
        cluster: app.cluster.clone(),
        target,
        options: app.log_options.clone(),
    }
}

fn pod_logs(app: &mut App, row: &PodRow) -> Vec<Effect> {
    if row.containers.len() == 1 {
        let target = LogTarget::Pod {
            namespace: row.namespace.clone(),
            name: row.name.clone(),
            container: row.containers.first().cloned(),
        };
        return open_pane(app, request(app, target));
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
    let pod = ObjectRef::new(&app.cluster, ResourceKind::Pods, &row.namespace, &row.name);
    let selected = row
        .init_containers
        .min(row.containers.len().saturating_sub(1));
    app.open_picker(Picker {
        title: format!("logs of {}", row.name),
        items,
        values,
        selected,
        pod,
        purpose: PickFor::Logs,
    });
    Vec::new()
}

/// `l`: the logs of whatever is selected.
pub fn open_logs(app: &mut App) -> Vec<Effect> {
    let Some(obj) = selected_object(app) else {
        return Vec::new();
    };
    match obj.kind {
        ResourceKind::Pods => match pod_row(app, &obj.namespace, &obj.name) {
            Some(row) => pod_logs(app, &row),
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
            open_pane(app, request(app, target))
        }
        other => {
            say(
                app,
                Severity::Error,
                format!("{} have no logs", other.label()),
            );
            Vec::new()
        }
    }
}

/// `L`: all pods of the selected pod's owner, by its labels less the generated ones.
pub fn owner_logs(app: &mut App) -> Vec<Effect> {
    let Some(obj) = selected_object(app) else {
        return Vec::new();
    };
    let row = pod_row(app, &obj.namespace, &obj.name);
    let Some(row) = row.filter(|_| obj.kind == ResourceKind::Pods) else {
        say(app, Severity::Error, "owner logs start from a pod");
        return Vec::new();
    };
    let Some((kind, owner)) = row.owner.clone() else {
        say(app, Severity::Error, format!("{} has no owner", row.name));
        return Vec::new();
    };
    let selector: Vec<String> = row
        .labels
        .iter()
        .filter(|(k, _)| !GENERATED_LABELS.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if selector.is_empty() {
        say(
            app,
            Severity::Error,
            format!("{kind} {owner}: its pods carry no labels to select them by"),
        );
        return Vec::new();
    }
    let target = LogTarget::Selector {
        namespace: Some(row.namespace.clone()),
        selector: selector.join(","),
    };
    let effects = open_pane(app, request(app, target));
    say(
        app,
        Severity::Info,
        format!("logs of {kind} {owner} and its siblings"),
    );
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
                say(
                    app,
                    Severity::Error,
                    format!(
                        "{word}: not a workload or run kind (deploy, sts, ds, rs, job, pr, tr)"
                    ),
                );
                return Vec::new();
            }
        },
    };
    if name.is_empty() {
        say(app, Severity::Error, format!("usage: :logs {word}/NAME"));
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
    let scope = app.scope.namespace().map(str::to_string);
    let Some(namespace) = flag.or(scope).or(selected) else {
        say(
            app,
            Severity::Error,
            format!("which namespace? :logs -n NS {word}/{name}"),
        );
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
    let (p, container) = (picker.pod, value);
    let target = LogTarget::Pod {
        namespace: p.namespace,
        name: p.name,
        container: (!container.is_empty()).then_some(container),
    };
    open_pane(app, request(app, target))
}

/// Pane layout keys; `None` when the action is not one of them.
pub fn pane_keys(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let l = &mut app.layout;
    match action {
        Action::FocusNext => l.cycle(true),
        Action::FocusPrev => l.cycle(false),
        Action::Zoom => l.toggle_zoom(),
        Action::Grow => l.resize(5),
        Action::Shrink => l.resize(-5),
        Action::Flip => l.flip(),
        Action::ClosePane => {
            let id = l.focus;
            if id == DASHBOARD || !l.close(id) {
                say(app, Severity::Info, "the dashboard pane stays open");
                return Some(Vec::new());
            }
            let stream = app.logs.remove(&id).map(|p| p.stream);
            if app.terms.remove(&id).is_some() {
                // A terminal pane closes; its session runs on (:sessions).
                say(
                    app,
                    Severity::Info,
                    "pane closed: the session runs on (:sessions)",
                );
                return Some(Vec::new());
            }
            return Some(stream.map(Effect::StopLogs).into_iter().collect());
        }
        _ => return None,
    }
    Some(Vec::new())
}

fn restart(app: &mut App, change: impl FnOnce(&mut LogRequest)) -> Vec<Effect> {
    let id = app.layout.focus;
    let key = app.new_stream_key();
    let Some(pane) = app.logs.get_mut(&id) else {
        return Vec::new();
    };
    let mut request = pane.request.clone();
    change(&mut request);
    let old = pane.stream;
    pane.reset(key, request.clone());
    vec![Effect::StopLogs(old), Effect::OpenLogs { key, request }]
}

/// A default file name for saving a pane.
fn save_path(pane: &LogPane, now: Timestamp) -> String {
    let who: String = match &pane.request.target {
        LogTarget::Pod { name, .. } => name.clone(),
        LogTarget::Selector { selector, .. } => selector.clone(),
        LogTarget::Tekton { name, .. } | LogTarget::Owner { name, .. } => name.clone(),
    }
    .chars()
    .map(|c| {
        if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
            c
        } else {
            '_'
        }
    })
    .collect();
    format!("kubedeck-{who}-{}.log", now.strftime("%Y%m%d-%H%M%S"))
}

/// Keys of a focused log pane (in `Mode::Table`); `None` when the key is not the pane's.
pub fn log_keys(app: &mut App, action: Action) -> Option<Vec<Effect>> {
    let now = app.now;
    let pane = app.focused_log_mut()?;
    let page = pane.page.max(1) as isize;
    let mut msg: Option<(Severity, String)> = None;
    match action {
        Action::Down => pane.move_by(1),
        Action::Up => pane.move_by(-1),
        Action::PageDown => pane.move_by(page),
        Action::PageUp => pane.move_by(-page),
        Action::Top => pane.to_top(),
        Action::Bottom => pane.resume(),
        Action::ToggleFollow => pane.toggle_follow(),
        Action::ToggleWrap => pane.wrap = !pane.wrap,
        Action::ToggleTimestamps => pane.timestamps = !pane.timestamps,
        Action::CycleLevel => {
            pane.cycle_level();
            let text = match pane.min_level {
                Some(l) => format!("showing {}+ lines", l.label()),
                None => "showing every level".into(),
            };
            msg = Some((Severity::Info, text));
        }
        Action::FailedOnly => {
            if pane.request.target.is_tekton() {
                pane.failed_only = !pane.failed_only;
                msg = Some((
                    Severity::Info,
                    if pane.failed_only {
                        "only failed steps".into()
                    } else {
                        "all steps".into()
                    },
                ));
            } else {
                msg = Some((
                    Severity::Error,
                    "failed-steps-only applies to PipelineRun/TaskRun logs".into(),
                ));
            }
        }
        Action::Expand => pane.toggle_expanded(),
        Action::Mark => {
            if pane.mark.is_some() {
                pane.mark = None;
            } else {
                pane.pause();
                pane.mark = pane.cursor;
                msg = Some((
                    Severity::Info,
                    "mark set: move, then c copies the lines between".into(),
                ));
            }
        }
        Action::Copy => {
            let text = pane.selection_text();
            pane.mark = None;
            if text.is_empty() {
                return Some(Vec::new());
            }
            let n = text.lines().count();
            app.message = Some((Severity::Info, format!("copied {n} lines (OSC 52)")));
            return Some(vec![Effect::Clipboard(text)]);
        }
        Action::Save => {
            app.input = save_path(pane, now);
            app.mode = Mode::Save;
        }
        Action::StartFilter => {
            let current = pane
                .search
                .as_ref()
                .map(|p| p.text.clone())
                .unwrap_or_default();
            app.open_prompt(Mode::Search, current);
        }
        Action::FilterLines => {
            let current = pane
                .filter
                .as_ref()
                .map(LineFilter::label)
                .unwrap_or_default();
            app.open_prompt(Mode::Filter, current);
        }
        Action::NextMatch | Action::PrevMatch => {
            if !pane.jump(action == Action::NextMatch) {
                let what = pane.search.as_ref().map(|p| p.text.clone());
                msg = Some(match what {
                    Some(t) => (Severity::Error, format!("no more matches for {t:?}")),
                    None => (Severity::Info, "/ to search".into()),
                });
            }
        }
        Action::Previous => {
            let was = pane.request.options.previous;
            let effects = restart(app, |r| {
                r.options.previous = !was;
                r.options.follow = was;
            });
            let text = if was {
                "current container"
            } else {
                "previous container instance"
            };
            app.message = Some((Severity::Info, text.into()));
            return Some(effects);
        }
        Action::Back => {
            if pane.search.is_some()
                || pane.filter.is_some()
                || pane.min_level.is_some()
                || pane.mark.is_some()
            {
                pane.search = None;
                pane.filter = None;
                pane.min_level = None;
                pane.mark = None;
                msg = Some((Severity::Info, "search and filters cleared".into()));
            } else {
                app.layout.focus = DASHBOARD;
                app.layout.zoomed = false;
            }
        }
        _ => return None,
    }
    if let Some(m) = msg {
        app.message = Some(m);
    }
    Some(Vec::new())
}

/// Text typed into the search or filter line of a focused log pane (`submit`: Enter).
pub fn log_typed(app: &mut App, mode: Mode, input: &str, submit: bool) -> bool {
    let Some(pane) = app.focused_log_mut() else {
        return false;
    };
    let result = match mode {
        Mode::Search => Pattern::new(input).map(|p| {
            pane.search = p;
            if pane.search.is_some() && (submit || !pane.follow) {
                pane.jump(false);
            }
        }),
        Mode::Filter => LineFilter::new(input).map(|f| pane.filter = f),
        _ => return false,
    };
    if let (Err(e), true) = (result, submit) {
        say(app, Severity::Error, e);
    }
    true
}

/// `:logs [-l SEL | [-n NS] KIND/NAME]`.
pub fn logs_command(app: &mut App, args: &[&str]) -> Vec<Effect> {
    match args {
        [] => open_logs(app),
        ["-l", selector] | [selector] if selector.contains('=') => {
            let namespace = app.scope.namespace().map(str::to_string);
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
            say(
                app,
                Severity::Error,
                "usage: :logs [-l key=value,... | [-n NS] deploy|sts|ds|rs|job|pr|tr/NAME]",
            );
            Vec::new()
        }
    }
}

/// Whether a log pane has the focus, else says that `:cmd` needs one.
fn needs_pane(app: &mut App, cmd: &str) -> bool {
    if app.focused_log().is_none() {
        say(
            app,
            Severity::Error,
            format!(":{cmd} applies to the focused log pane (Tab to focus one)"),
        );
        return false;
    }
    true
}

/// `:since 5m|off`: restart the focused pane's stream from then.
pub fn since_command(app: &mut App, args: &[&str]) -> Vec<Effect> {
    if !needs_pane(app, "since") {
        return Vec::new();
    }
    match args {
        ["off" | "all"] => restart(app, |r| r.options.since = None),
        [d] => match parse_since(d) {
            Ok(d) => {
                let effects = restart(app, |r| r.options.since = Some(d));
                let text = format!("logs since {} ago", since_label(d));
                say(app, Severity::Info, text);
                effects
            }
            Err(e) => {
                say(app, Severity::Error, e);
                Vec::new()
            }
        },
        _ => {
            say(app, Severity::Error, "usage: :since 5m|1h|off");
            Vec::new()
        }
    }
}

/// `:tail N`: restart the focused pane's stream with N lines of backlog.
pub fn tail_command(app: &mut App, args: &[&str]) -> Vec<Effect> {
    if !needs_pane(app, "tail") {
        return Vec::new();
    }
    match args {
        [n] => match n.parse::<i64>() {
            Ok(n) if n > 0 => restart(app, |r| r.options.tail_lines = n),
            _ => {
                say(app, Severity::Error, format!("bad line count {n:?}"));
                Vec::new()
            }
        },
        _ => {
            say(app, Severity::Error, "usage: :tail LINES");
            Vec::new()
        }
    }
}

/// What a stream reported, into the pane it feeds (ignored once the pane has closed or been
/// given another stream).
pub fn reported(app: &mut App, ev: LogEvent) {
    let Some(p) = app.logs.values_mut().find(|p| p.stream == ev.key) else {
        return;
    };
    match ev.report {
        LogReport::Source { id, source } => p.set_source(id, source),
        LogReport::State { id, state } => p.set_state(id, state),
        LogReport::Lines { id, lines } => p.push_lines(id, lines),
        LogReport::Note { id, kind, text, at } => p.note_at(id, kind, text, at),
        LogReport::Failed(error) => p.error = Some(error),
        LogReport::Captured { at } => p.captured = Some(at),
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
        let msg = app.message.clone().map(|m| m.1).unwrap_or_default();
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
        let msg = app.message.clone().map(|m| m.1).unwrap_or_default();
        assert!(msg.contains(":logs -n NS sts/db"), "{msg}");
    }
}
