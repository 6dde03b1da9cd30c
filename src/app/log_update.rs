//! `update` for log panes and the pane layout: opening logs from the selection, the container
//! picker, pane focus/zoom/resize/close, and the keys of a focused log pane. No I/O.

use jiff::Timestamp;

use super::action::{Action, Effect};
use super::layout::DASHBOARD;
use super::logs::buffer::LogBuffer;
use super::logs::pane::LogPane;
use super::logs::pattern::{LineFilter, Pattern};
use super::state::{App, Mode, Picker, Severity, View};
use crate::kube::informer::ResourceKind;
use crate::kube::log_request::{LogRequest, LogTarget, parse_since, since_label};
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
    app.picker = Some(Picker {
        title: format!("logs of {}", row.name),
        items,
        values,
        selected: row
            .init_containers
            .min(row.containers.len().saturating_sub(1)),
        namespace: row.namespace.clone(),
        pod: row.name.clone(),
        purpose: super::sessions::PickFor::Logs,
    });
    app.mode = Mode::Pick;
    Vec::new()
}

fn find_pod(app: &App, namespace: &str, name: &str) -> Option<std::sync::Arc<PodRow>> {
    app.tables
        .pods
        .all_rows()
        .iter()
        .find(|p| p.namespace == namespace && p.name == name)
        .cloned()
}

/// `l`: the logs of whatever is selected.
pub fn open_logs(app: &mut App) -> Vec<Effect> {
    let obj = match app.view {
        View::Triage => app.tables.triage.selected_row().map(|r| r.target.clone()),
        _ => super::update::selected_object(app),
    };
    let Some(obj) = obj else {
        return Vec::new();
    };
    match obj.kind {
        ResourceKind::Pods => match find_pod(app, &obj.namespace, &obj.name) {
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
    let Some(obj) = super::update::selected_object(app) else {
        return Vec::new();
    };
    let row = find_pod(app, &obj.namespace, &obj.name);
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
    let selected = super::update::selected_object(app)
        .map(|o| o.namespace)
        .filter(|ns| !ns.is_empty());
    let scope = (!app.all_namespaces()).then(|| app.scope.clone());
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

/// Keys while the container picker is open.
pub fn picker_keys(app: &mut App, action: Action) -> Vec<Effect> {
    let Some(p) = app.picker.as_mut() else {
        app.mode = Mode::Table;
        return Vec::new();
    };
    let last = p.items.len().saturating_sub(1);
    let chosen = match action {
        Action::Down => {
            p.selected = (p.selected + 1).min(last);
            return Vec::new();
        }
        Action::Up => {
            p.selected = p.selected.saturating_sub(1);
            return Vec::new();
        }
        Action::Submit => p.values.get(p.selected).cloned(),
        Action::AllContainers => Some(String::new()),
        Action::Quit => {
            app.should_quit = true;
            return Vec::new();
        }
        _ => None,
    };
    let picker = app.picker.take();
    app.mode = Mode::Table;
    let (Some(container), Some(p)) = (chosen, picker) else {
        return Vec::new();
    };
    if p.purpose != super::sessions::PickFor::Logs {
        if container.is_empty() {
            // "All containers" means nothing for a shell.
            return Vec::new();
        }
        return super::sessions::picked(app, p, container);
    }
    let target = LogTarget::Pod {
        namespace: p.namespace,
        name: p.pod,
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

/// `:since`, `:tail` and `:logs`; `None` when `cmd` is not one of them.
pub fn log_command(app: &mut App, cmd: &str, args: &[&str]) -> Option<Vec<Effect>> {
    match (cmd, args) {
        ("logs", []) => Some(open_logs(app)),
        ("logs", ["-l", selector]) | ("logs", [selector]) if selector.contains('=') => {
            let namespace = (!app.all_namespaces()).then(|| app.scope.clone());
            let target = LogTarget::Selector {
                namespace,
                selector: selector.to_string(),
            };
            Some(open_pane(app, request(app, target)))
        }
        ("logs", [workload]) | ("logs", [workload, "-n", _]) | ("logs", ["-n", _, workload])
            if workload.contains('/') =>
        {
            Some(workload_logs(app, workload, args))
        }
        ("logs", _) => {
            say(
                app,
                Severity::Error,
                "usage: :logs [-l key=value,... | [-n NS] deploy|sts|ds|rs|job|pr|tr/NAME]",
            );
            Some(Vec::new())
        }
        ("since" | "tail", _) if app.focused_log().is_none() => {
            say(
                app,
                Severity::Error,
                format!(":{cmd} applies to the focused log pane (Tab to focus one)"),
            );
            Some(Vec::new())
        }
        ("since", ["off" | "all"]) => Some(restart(app, |r| r.options.since = None)),
        ("since", [d]) => match parse_since(d) {
            Ok(d) => {
                let effects = restart(app, |r| r.options.since = Some(d));
                say(
                    app,
                    Severity::Info,
                    format!("logs since {} ago", since_label(d)),
                );
                Some(effects)
            }
            Err(e) => {
                say(app, Severity::Error, e);
                Some(Vec::new())
            }
        },
        ("tail", [n]) => match n.parse::<i64>() {
            Ok(n) if n > 0 => Some(restart(app, |r| r.options.tail_lines = n)),
            _ => {
                say(app, Severity::Error, format!("bad line count {n:?}"));
                Some(Vec::new())
            }
        },
        ("since" | "tail", _) => {
            say(
                app,
                Severity::Error,
                format!(
                    "usage: :{cmd} {}",
                    if cmd == "since" { "5m|1h|off" } else { "LINES" }
                ),
            );
            Some(Vec::new())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opened(effects: &[Effect]) -> Option<LogTarget> {
        effects.iter().find_map(|e| match e {
            Effect::OpenLogs { request, .. } => Some(request.target.clone()),
            _ => None,
        })
    }

    #[test]
    fn workload_logs_by_kind_and_name_in_the_right_namespace() {
        let mut app = App::new("ctx".into(), "srv".into(), "demo".into(), false);
        let target = opened(&super::super::update::command(&mut app, "logs deploy/web"));
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
        let target = opened(&super::super::update::command(
            &mut app,
            "logs -n ci job/nightly",
        ));
        assert!(
            matches!(&target, Some(LogTarget::Owner { namespace, kind, .. }) if namespace == "ci" && kind.kind == "Job"),
            "{target:?}"
        );
        // Not a workload: refused with the kinds that are.
        let effects = super::super::update::command(&mut app, "logs pod/web-1");
        assert!(opened(&effects).is_none());
        let msg = app.message.clone().map(|m| m.1).unwrap_or_default();
        assert!(msg.contains("deploy, sts"), "{msg}");
        // A run by name, even one that is gone (its captured steps).
        let target = opened(&super::super::update::command(&mut app, "logs pr/build-1"));
        assert!(
            matches!(&target, Some(LogTarget::Tekton { kind: "PipelineRun", name, .. }) if name == "build-1"),
            "{target:?}"
        );
    }

    #[test]
    fn workload_logs_across_namespaces_ask_which_one() {
        let mut app = App::new("ctx".into(), "srv".into(), "all".into(), false);
        assert!(app.all_namespaces());
        let effects = super::super::update::command(&mut app, "logs sts/db");
        assert!(opened(&effects).is_none());
        let msg = app.message.clone().map(|m| m.1).unwrap_or_default();
        assert!(msg.contains(":logs -n NS sts/db"), "{msg}");
    }
}
