//! `update`, table-driven: every action (and every kind of message) from a known state, with
//! the state and effects it must leave. The state is the shared fixture (`fixture::app`).

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::Timestamp;

use super::action::{Action, Effect, OnConfirm};
use super::detail::DetailKind;
use super::fixture::{self, app, cluster, obj};
use super::layout::DASHBOARD;
use super::msg::{Done, Msg};
use super::notice::Notice;
use super::state::{App, Mode, Severity, View};
use super::update::{on_action, update};
use crate::kube::actions::ActionError;
use crate::kube::error::ApiError;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{Change, InformerState, InformerUpdate, ResourceKind};
use crate::kube::log_request::LogTarget;
use crate::kube::logs::{LogEvent, LogReport};
use crate::logline::source::{Source, SourceState};
use crate::pty::keys::Modes;
use crate::pty::session::{Input, SessionEvent, SessionState};

type Setup = fn(&mut App);
type Check = fn(&App, &[Effect]);

struct Case {
    name: &'static str,
    setup: Setup,
    actions: &'static [Action],
    check: Check,
}

fn run(cases: &[Case]) {
    for c in cases {
        let mut a = app();
        (c.setup)(&mut a);
        let mut effects = Vec::new();
        for &action in c.actions {
            effects.extend(on_action(&mut a, action));
        }
        let check =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (c.check)(&a, &effects)));
        if let Err(e) = check {
            let why = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("case {:?}: {why}", c.name);
        }
    }
}

fn nothing(_: &mut App) {}

fn selected_pod(a: &App) -> String {
    a.tables
        .pods
        .selected_row()
        .map(|r| r.name.clone())
        .unwrap_or_default()
}

/// What the status line says, as the status bar words it.
pub fn said(a: &App) -> String {
    a.notice
        .as_ref()
        .map(crate::views::notice::text)
        .unwrap_or_default()
}

fn with_log_pane(a: &mut App) {
    a.tables.pods.select(1); // web-1: one container, so `l` opens its pane at once
    on_action(a, Action::Logs);
}

fn with_terminal(a: &mut App) {
    on_action(a, Action::LocalShell);
}

fn in_view(view: View) -> impl Fn(&mut App) {
    move |a: &mut App| a.view = view
}

fn on_nodes(a: &mut App) {
    in_view(View::Nodes)(a);
}

fn on_runs(a: &mut App) {
    in_view(View::PipelineRuns)(a);
}

fn described(a: &mut App) {
    on_action(a, Action::Describe);
}

fn yaml(a: &mut App) {
    on_action(a, Action::Yaml);
}

fn readonly(a: &mut App) {
    a.readonly = true;
}

#[test]
fn movement_sorting_and_the_input_line() {
    run(&[
        Case {
            name: "down then up",
            setup: nothing,
            actions: &[Action::Down],
            check: |a, e| {
                assert_eq!(selected_pod(a), "web-1");
                assert!(e.is_empty());
            },
        },
        Case {
            name: "up stops at the top",
            setup: nothing,
            actions: &[Action::Down, Action::Up, Action::Up],
            check: |a, _| assert_eq!(selected_pod(a), "crasher"),
        },
        Case {
            name: "bottom and top",
            setup: nothing,
            actions: &[Action::Bottom],
            check: |a, _| assert_eq!(selected_pod(a), "web-1"),
        },
        Case {
            name: "top",
            setup: nothing,
            actions: &[Action::Bottom, Action::Top],
            check: |a, _| assert_eq!(selected_pod(a), "crasher"),
        },
        Case {
            name: "page down and up",
            setup: nothing,
            actions: &[Action::PageDown],
            check: |a, _| assert_eq!(selected_pod(a), "web-1"),
        },
        Case {
            name: "page up",
            setup: nothing,
            actions: &[Action::PageDown, Action::PageUp],
            check: |a, _| assert_eq!(selected_pod(a), "crasher"),
        },
        Case {
            name: "sort by name, then reversed",
            setup: nothing,
            actions: &[Action::SortBy(1), Action::SortBy(1)],
            check: |a, _| {
                assert_eq!(a.tables.pods.row(0).map(|r| r.name.as_str()), Some("web-1"));
                assert!(a.tables.pods.descending);
            },
        },
        Case {
            name: "a filter typed applies live and Enter keeps it",
            setup: nothing,
            actions: &[
                Action::StartFilter,
                Action::Input('w'),
                Action::Input('e'),
                Action::Input('b'),
                Action::Submit,
            ],
            check: |a, _| {
                assert_eq!(a.prompt.mode, Mode::Table);
                assert_eq!(a.tables.pods.len(), 1);
                assert_eq!(a.tables.pods.filter.text, "web");
            },
        },
        Case {
            name: "backspace edits the filter",
            setup: nothing,
            actions: &[
                Action::StartFilter,
                Action::Input('w'),
                Action::Input('e'),
                Action::Input('b'),
                Action::Input('x'),
                Action::Backspace,
            ],
            check: |a, _| {
                assert_eq!(a.prompt.input, "web");
                assert_eq!(a.tables.pods.len(), 1, "web-1 matches web");
            },
        },
        Case {
            name: "Esc in the prompt puts back what was applied",
            setup: nothing,
            actions: &[Action::StartFilter, Action::Input('z'), Action::Back],
            check: |a, _| {
                assert_eq!(a.prompt.mode, Mode::Table);
                assert_eq!(a.tables.pods.len(), 2);
            },
        },
        Case {
            name: "a command line runs on Enter",
            setup: nothing,
            actions: &[
                Action::StartCommand,
                Action::Input('n'),
                Action::Input('o'),
                Action::Submit,
            ],
            check: |a, _| {
                assert_eq!(a.view, View::Nodes);
                assert_eq!(a.prompt.mode, Mode::Table);
            },
        },
        Case {
            name: "help opens and closes",
            setup: nothing,
            actions: &[Action::ToggleHelp],
            check: |a, _| assert_eq!(a.prompt.mode, Mode::Help),
        },
        Case {
            name: "help scrolls with the movement keys",
            setup: nothing,
            actions: &[Action::ToggleHelp, Action::Down, Action::Down],
            check: |a, _| {
                assert_eq!(a.prompt.help_scroll, 2);
                assert_eq!(selected_pod(a), "crasher", "the table did not move");
            },
        },
        Case {
            name: "flagged rows only, then all",
            setup: nothing,
            actions: &[Action::ToggleFlagged],
            check: |a, _| {
                assert!(a.tables.pods.only_flagged);
                assert!(said(a).contains("rows needing attention"));
            },
        },
    ]);
}

#[test]
fn navigation_describe_yaml_and_events() {
    run(&[
        Case {
            name: "Enter on a pod lists its containers (as k9s)",
            setup: nothing,
            actions: &[Action::Open],
            check: |a, e| {
                assert_eq!(a.view, View::Containers);
                let of = a.containers_of.as_ref().map(|o| o.name.clone());
                assert_eq!(of.as_deref(), Some("crasher"));
                assert!(e.is_empty(), "the rows come from the projection's fetch");
            },
        },
        Case {
            name: "d describes a pod",
            setup: nothing,
            actions: &[Action::Describe],
            check: |a, e| {
                assert_eq!(a.view, View::Detail);
                let d = a.detail.as_ref().map(|d| (d.target.name.clone(), d.kind));
                assert_eq!(d, Some(("crasher".into(), DetailKind::Describe)));
                assert!(e.is_empty(), "describe is built by the projection");
                assert!(a.stale.describe);
            },
        },
        Case {
            name: "YAML is fetched",
            setup: nothing,
            actions: &[Action::Yaml],
            check: |a, e| {
                assert_eq!(a.view, View::Detail);
                assert_eq!(
                    e,
                    [Effect::FetchYaml(obj(
                        ResourceKind::Pods,
                        "demo",
                        "crasher"
                    ))]
                );
            },
        },
        Case {
            name: "managed fields switch refetches the YAML",
            setup: yaml,
            actions: &[Action::ToggleManagedFields],
            check: |a, e| {
                assert!(a.detail.as_ref().is_some_and(|d| d.show_managed_fields));
                assert_eq!(
                    e,
                    [Effect::FetchYaml(obj(
                        ResourceKind::Pods,
                        "demo",
                        "crasher"
                    ))]
                );
            },
        },
        Case {
            name: "Esc goes back with the selection",
            setup: |a| {
                a.tables.pods.select(1);
                on_action(a, Action::Describe);
            },
            actions: &[Action::Back],
            check: |a, _| {
                assert_eq!(a.view, View::Pods);
                assert_eq!(selected_pod(a), "web-1");
            },
        },
        Case {
            name: "events of the selection are pinned to it",
            setup: nothing,
            actions: &[Action::Events],
            check: |a, _| {
                assert_eq!(a.view, View::Events);
                assert_eq!(
                    a.tables.events.pin,
                    Some(obj(ResourceKind::Pods, "demo", "crasher"))
                );
                assert_eq!(a.tables.events.len(), 1);
            },
        },
        Case {
            name: "n and N in a describe search",
            setup: |a| {
                described(a);
                if let Some(d) = a.detail.as_mut() {
                    let line = |t: &str| vec![super::detail::span(super::detail::Role::Plain, t)];
                    d.set_lines(vec![line("a x"), line("b"), line("c x")]);
                    d.search = "x".into();
                    d.find();
                }
            },
            actions: &[Action::NextMatch, Action::NextMatch, Action::PrevMatch],
            check: |a, _| {
                let d = a.detail.as_ref().map(|d| d.matches.clone());
                assert_eq!(d, Some(vec![0, 2]));
                assert!(!said(a).contains("no match"));
            },
        },
        Case {
            name: "Enter on a node lists its pods, the biggest first",
            setup: on_nodes,
            actions: &[Action::Open],
            check: |a, _| {
                assert_eq!(a.view, View::Pods);
                assert_eq!(
                    a.tables.pods.pin,
                    Some(obj(ResourceKind::Nodes, "", "worker-01"))
                );
                assert!(a.tables.pods.filter.is_empty(), "only the node is kept");
            },
        },
        Case {
            name: "Enter on a PipelineRun watches its TaskRuns",
            setup: on_runs,
            actions: &[Action::Open],
            check: |a, e| {
                assert_eq!(a.view, View::TaskRuns);
                let run = a.taskruns_of.clone();
                assert_eq!(e, [Effect::WatchTaskRuns(run)]);
            },
        },
        Case {
            name: "Enter on the (all) namespace row watches every namespace",
            setup: |a| a.view = View::Namespaces,
            actions: &[Action::Open],
            check: |a, e| {
                assert_eq!(a.fleet.scope, Scope::All);
                assert!(matches!(e, [Effect::Connect(w)] if w[0].scope == Scope::All));
            },
        },
        Case {
            name: "Enter on a namespace named like a keyword is that namespace",
            setup: |a| {
                a.view = View::Namespaces;
                let row = crate::kube::namespace_row::NamespaceRow {
                    name: "all".into(),
                    uid: "all".into(),
                    status: "Active".into(),
                    created: None,
                    every: false,
                };
                a.tables.namespaces.set_rows(vec![Arc::new(row)]);
            },
            actions: &[Action::Open],
            check: |a, _| assert_eq!(a.fleet.scope, Scope::Namespace("all".into())),
        },
        Case {
            name: "Enter on a context switches to it",
            setup: |a| {
                a.view = View::Contexts;
                a.tables.contexts.select(1);
            },
            actions: &[Action::Open],
            check: |_, e| assert_eq!(e, [Effect::SwitchContext(vec![ClusterId::new("staging")])]),
        },
    ]);
}

#[test]
fn changes_to_the_cluster_are_confirmed_and_named() {
    run(&[
        Case {
            name: "delete asks, naming the object and its cluster",
            setup: nothing,
            actions: &[Action::Delete],
            check: |a, e| {
                assert!(e.is_empty());
                assert_eq!(a.prompt.mode, Mode::Confirm);
                let p = a
                    .prompt
                    .pending
                    .as_ref()
                    .map(crate::views::notice::question)
                    .unwrap_or_default();
                assert_eq!(p, "Delete pod/demo/crasher (context prod)?");
            },
        },
        Case {
            name: "y confirms",
            setup: nothing,
            actions: &[Action::Delete, Action::Confirm],
            check: |a, e| {
                assert_eq!(
                    e,
                    [Effect::Delete(obj(ResourceKind::Pods, "demo", "crasher"))]
                );
                assert_eq!(a.prompt.mode, Mode::Table);
            },
        },
        Case {
            name: "anything else cancels",
            setup: nothing,
            actions: &[Action::Delete, Action::Back],
            check: |a, e| {
                assert!(e.is_empty());
                assert_eq!(said(a), "cancelled");
            },
        },
        Case {
            name: "read-only refuses at once",
            setup: readonly,
            actions: &[Action::Delete],
            check: |a, e| {
                assert!(e.is_empty());
                assert_eq!(a.prompt.mode, Mode::Table);
                assert!(said(a).contains("read-only"));
            },
        },
        Case {
            name: "cancel a running PipelineRun",
            setup: on_runs,
            actions: &[Action::CancelRun, Action::Confirm],
            check: |_, e| {
                let run = obj(ResourceKind::PipelineRuns, "ci", "build-1");
                assert_eq!(e, [Effect::CancelRun(run)]);
            },
        },
        Case {
            name: "a finished run cannot be cancelled",
            setup: |a| {
                on_runs(a);
                a.tables.runs.select(1);
            },
            actions: &[Action::CancelRun],
            check: |a, _| assert!(said(a).contains("already finished"), "{}", said(a)),
        },
        Case {
            name: "rerun",
            setup: on_runs,
            actions: &[Action::Rerun, Action::Confirm],
            check: |_, e| assert!(matches!(e, [Effect::Rerun(r)] if r.name == "build-1")),
        },
        Case {
            name: "rerun applies to runs only",
            setup: nothing,
            actions: &[Action::Rerun],
            check: |a, _| assert!(said(a).contains("apply to PipelineRuns")),
        },
        Case {
            name: "cordon a node",
            setup: on_nodes,
            actions: &[Action::Cordon, Action::Confirm],
            check: |_, e| {
                let node = obj(ResourceKind::Nodes, "", "worker-01");
                assert_eq!(e, [Effect::Cordon(node, true)]);
            },
        },
        Case {
            name: "uncordon a node",
            setup: on_nodes,
            actions: &[Action::Uncordon],
            check: |a, _| {
                let p = a
                    .prompt
                    .pending
                    .as_ref()
                    .map(crate::views::notice::question)
                    .unwrap_or_default();
                assert!(p.starts_with("Uncordon node/worker-01"), "{p}");
            },
        },
        Case {
            name: "cordon needs a node",
            setup: nothing,
            actions: &[Action::Cordon],
            check: |a, _| assert!(said(a).contains("select a node")),
        },
    ]);
}

#[test]
fn log_panes_and_their_keys() {
    run(&[
        Case {
            name: "l opens a pane with its own stream",
            setup: nothing,
            actions: &[Action::Down, Action::Logs],
            check: |a, e| {
                let pane = a
                    .panes
                    .focused_log()
                    .map(|p| (p.stream, p.request.cluster.clone()));
                assert!(matches!(e, [Effect::OpenLogs { key, request }]
                    if Some((*key, request.cluster.clone())) == pane));
            },
        },
        Case {
            name: "a pod with several containers asks which",
            setup: |a| {
                let mut row = (*fixture::pod(
                    "demo",
                    "multi",
                    "Running",
                    crate::kube::pod_row::Health::Ok,
                    0,
                ))
                .clone();
                row.containers = vec!["app".into(), "envoy".into()];
                a.tables.pods.set_rows(vec![Arc::new(row)]);
            },
            actions: &[Action::Logs],
            check: |a, e| {
                assert!(e.is_empty());
                assert_eq!(a.prompt.mode, Mode::Pick);
            },
        },
        Case {
            name: "a for all containers",
            setup: |a| {
                let mut row = (*fixture::pod(
                    "demo",
                    "multi",
                    "Running",
                    crate::kube::pod_row::Health::Ok,
                    0,
                ))
                .clone();
                row.containers = vec!["app".into(), "envoy".into()];
                a.tables.pods.set_rows(vec![Arc::new(row)]);
                on_action(a, Action::Logs);
            },
            actions: &[Action::AllContainers],
            check: |_, e| {
                assert!(matches!(e, [Effect::OpenLogs { request, .. }]
                    if matches!(&request.target, LogTarget::Pod { container: None, .. })));
            },
        },
        Case {
            name: "L: every pod of the owner",
            setup: |a| {
                let mut row = (*fixture::pod(
                    "demo",
                    "web-1",
                    "Running",
                    crate::kube::pod_row::Health::Ok,
                    0,
                ))
                .clone();
                row.owner = Some(("ReplicaSet".into(), "web-abc".into()));
                a.tables.pods.set_rows(vec![Arc::new(row)]);
            },
            actions: &[Action::OwnerLogs],
            check: |_, e| {
                assert!(matches!(e, [Effect::OpenLogs { request, .. }]
                    if matches!(&request.target, LogTarget::Selector { selector, .. } if selector == "app=web-1")));
            },
        },
        Case {
            name: "follow toggles",
            setup: with_log_pane,
            actions: &[Action::ToggleFollow],
            check: |a, _| assert_eq!(a.panes.focused_log().map(|p| p.follow), Some(false)),
        },
        Case {
            name: "wrap toggles",
            setup: with_log_pane,
            actions: &[Action::ToggleWrap],
            check: |a, _| assert_eq!(a.panes.focused_log().map(|p| p.wrap), Some(false)),
        },
        Case {
            name: "timestamps toggle",
            setup: with_log_pane,
            actions: &[Action::ToggleTimestamps],
            check: |a, _| assert_eq!(a.panes.focused_log().map(|p| p.timestamps), Some(true)),
        },
        Case {
            name: "level filter cycles",
            setup: with_log_pane,
            actions: &[Action::CycleLevel],
            check: |a, _| {
                assert!(a.panes.focused_log().is_some_and(|p| p.min_level.is_some()));
                assert!(said(a).starts_with("showing "));
            },
        },
        Case {
            name: "previous instance restarts the stream under a new key",
            setup: with_log_pane,
            actions: &[Action::Previous],
            check: |a, e| {
                let now = a.panes.focused_log().map(|p| p.stream);
                assert!(
                    matches!(e, [Effect::StopLogs(old), Effect::OpenLogs { key, request }]
                    if Some(*key) == now && *old != *key && request.options.previous)
                );
            },
        },
        Case {
            name: "failed steps only applies to Tekton",
            setup: with_log_pane,
            actions: &[Action::FailedOnly],
            check: |a, _| assert!(said(a).contains("PipelineRun/TaskRun")),
        },
        Case {
            name: "& opens the line filter",
            setup: with_log_pane,
            actions: &[Action::FilterLines, Action::Input('x'), Action::Submit],
            check: |a, _| assert!(a.panes.focused_log().is_some_and(|p| p.filter.is_some())),
        },
        Case {
            name: "Enter expands an entry (paused)",
            setup: with_log_pane,
            actions: &[Action::Expand],
            check: |a, e| {
                assert!(e.is_empty());
                assert!(a.panes.focused_log().is_some());
            },
        },
        Case {
            name: "v marks and pauses",
            setup: with_log_pane,
            actions: &[Action::Mark],
            check: |a, _| {
                assert_eq!(a.panes.focused_log().map(|p| p.follow), Some(false));
                assert!(said(a).contains("mark set"));
            },
        },
        Case {
            name: "c copies nothing from an empty pane",
            setup: with_log_pane,
            actions: &[Action::Copy],
            check: |_, e| assert!(e.is_empty()),
        },
        Case {
            name: "S asks where to save",
            setup: with_log_pane,
            actions: &[Action::Save],
            check: |a, _| {
                assert_eq!(a.prompt.mode, Mode::Save);
                assert!(
                    a.prompt.input.starts_with("kubedeck-web-1-"),
                    "{}",
                    a.prompt.input
                );
            },
        },
        Case {
            name: "Enter on the save prompt writes the pane",
            setup: with_log_pane,
            actions: &[Action::Save, Action::Submit],
            check: |_, e| {
                assert!(
                    matches!(e, [Effect::SaveFile { path, .. }] if path.starts_with("kubedeck-web-1-"))
                )
            },
        },
        Case {
            name: "Tab moves the focus between panes",
            setup: with_log_pane,
            actions: &[Action::FocusNext],
            check: |a, _| assert_eq!(a.panes.layout.focus, DASHBOARD),
        },
        Case {
            name: "Shift-Tab too",
            setup: with_log_pane,
            actions: &[Action::FocusPrev],
            check: |a, _| assert_eq!(a.panes.layout.focus, DASHBOARD),
        },
        Case {
            name: "z zooms",
            setup: with_log_pane,
            actions: &[Action::Zoom],
            check: |a, _| assert!(a.panes.layout.zoomed),
        },
        Case {
            name: "> and < resize, % flips",
            setup: with_log_pane,
            actions: &[Action::Grow, Action::Shrink, Action::Flip],
            check: |a, e| {
                assert!(e.is_empty());
                assert!(a.panes.layout.is_split());
            },
        },
        Case {
            name: "x closes the pane and stops its stream",
            setup: with_log_pane,
            actions: &[Action::ClosePane],
            check: |a, e| {
                assert!(a.panes.logs.is_empty());
                assert!(matches!(e, [Effect::StopLogs(_)]));
            },
        },
        Case {
            name: "the dashboard pane stays",
            setup: nothing,
            actions: &[Action::ClosePane],
            check: |a, _| assert!(said(a).contains("stays open")),
        },
    ]);
}

#[test]
fn sessions_open_send_keys_and_end() {
    run(&[
        Case {
            name: "! opens a local shell in a pane",
            setup: nothing,
            actions: &[Action::LocalShell],
            check: |a, e| {
                assert!(a.panes.terminal_focused());
                let spec = crate::app::sessions::SessionSpec::Local {
                    cluster: cluster(),
                    scope: Scope::All,
                };
                let record = None;
                assert_eq!(
                    e,
                    [Effect::OpenSession {
                        id: 1,
                        spec,
                        record
                    }]
                );
            },
        },
        Case {
            name: "s execs into the selected pod's container",
            setup: nothing,
            actions: &[Action::Shell],
            check: |_, e| {
                assert!(
                    matches!(e, [Effect::OpenSession { spec: crate::app::sessions::SessionSpec::Exec { pod, container }, .. }]
                    if pod.name == "crasher" && container == "app" && pod.cluster == cluster())
                );
            },
        },
        Case {
            name: "s is refused read-only before any picker",
            setup: readonly,
            actions: &[Action::Shell],
            check: |a, e| {
                assert!(e.is_empty());
                assert_eq!(a.prompt.mode, Mode::Table);
                assert!(said(a).contains("read-only"));
            },
        },
        Case {
            name: "D picks a profile first",
            setup: nothing,
            actions: &[Action::Debug],
            check: |a, _| {
                assert_eq!(a.prompt.mode, Mode::Pick);
                assert_eq!(
                    a.prompt.picker.as_ref().map(|p| p.purpose.clone()),
                    Some(super::picker::PickFor::Profile)
                );
            },
        },
        Case {
            name: "D then a profile opens the debug session",
            setup: nothing,
            actions: &[Action::Debug, Action::Submit],
            check: |_, e| {
                assert!(
                    matches!(e, [Effect::CheckAgent(_), Effect::OpenSession { spec: crate::app::sessions::SessionSpec::Debug { target, .. }, .. }] if target == "app")
                );
            },
        },
        Case {
            name: "D on a pod with a live debug session goes back to it",
            setup: |a| {
                on_action(a, Action::Debug);
                on_action(a, Action::Submit);
                on_action(a, Action::FocusNext);
                if let Some(s) = a.sessions.open.get_mut(&1) {
                    s.state = SessionState::Running;
                }
                // Detach it: the pane goes, the session runs on.
                a.panes.terms.clear();
                a.panes.layout = Default::default();
            },
            actions: &[Action::Debug],
            check: |a, e| {
                assert!(e.is_empty(), "no second session: {e:?}");
                assert_eq!(a.sessions.open.len(), 1);
                assert!(a.panes.terminal_focused(), "shown again");
            },
        },
        Case {
            name: "scrollback after the prefix",
            setup: with_terminal,
            actions: &[Action::Scrollback],
            check: |a, _| assert!(a.panes.terms.values().all(|t| t.scroll > 0)),
        },
        Case {
            name: "record asks the session to record",
            setup: with_terminal,
            actions: &[Action::Record],
            check: |_, e| {
                assert!(matches!(
                    e,
                    [Effect::SessionInput(1, Input::Record(Some(_)))]
                ))
            },
        },
        Case {
            name: "detach keeps the session",
            setup: with_terminal,
            actions: &[Action::Detach],
            check: |a, e| {
                assert!(e.is_empty());
                assert!(a.panes.terms.is_empty());
                assert_eq!(a.sessions.open.len(), 1);
            },
        },
        Case {
            name: "ending a running session asks",
            setup: with_terminal,
            actions: &[Action::EndSession],
            check: |a, _| {
                assert_eq!(a.prompt.mode, Mode::Confirm);
                assert_eq!(
                    a.prompt.pending.as_ref().map(|p| p.on_confirm.clone()),
                    Some(OnConfirm::EndSession(1))
                );
            },
        },
        Case {
            name: "and y ends it",
            setup: with_terminal,
            actions: &[Action::EndSession, Action::Confirm],
            check: |a, e| {
                assert_eq!(e, [Effect::EndSession(1)]);
                assert!(a.sessions.open.is_empty() && a.panes.terms.is_empty());
            },
        },
        Case {
            name: "quit asks while a session runs",
            setup: with_terminal,
            actions: &[Action::Quit],
            check: |a, _| {
                assert!(!a.should_quit);
                assert_eq!(
                    a.prompt.pending.as_ref().map(|p| p.on_confirm.clone()),
                    Some(OnConfirm::Quit)
                );
            },
        },
        Case {
            name: ":q asks the same",
            setup: with_terminal,
            actions: &[Action::StartCommand, Action::Input('q'), Action::Submit],
            check: |a, _| {
                assert!(!a.should_quit);
                assert_eq!(a.prompt.mode, Mode::Confirm);
            },
        },
        Case {
            name: "and y quits",
            setup: with_terminal,
            actions: &[Action::Quit, Action::Confirm],
            check: |a, _| assert!(a.should_quit),
        },
        Case {
            name: "nothing runs: quit at once",
            setup: nothing,
            actions: &[Action::Quit],
            check: |a, _| assert!(a.should_quit),
        },
    ]);
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// `Esc :` typed fast inside tmux (or over a slow link) arrives as one Alt-: : it is taken as
/// typed, leaving the filter and opening the command line, instead of a ':' typed into the
/// filter; in a shell pane an Alt-key stays the shell's.
#[test]
fn an_alt_key_nothing_binds_is_the_escape_and_the_key_it_was_typed_as() {
    let alt = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT);
    let mut a = app();
    update(&mut a, Msg::Key(key(KeyCode::Char('/'))));
    update(&mut a, Msg::Key(key(KeyCode::Char('w'))));
    assert_eq!(a.prompt.mode, Mode::Filter);
    update(&mut a, Msg::Key(alt(':')));
    assert_eq!(a.prompt.mode, Mode::Command);
    assert_eq!(a.prompt.input, "");
    update(&mut a, Msg::Key(alt('q')));
    assert_eq!(
        a.prompt.mode,
        Mode::Table,
        "Esc left the command line, q typed after it"
    );
    with_terminal(&mut a);
    let e = update(&mut a, Msg::Key(alt('b')));
    assert_eq!(
        e,
        [Effect::SessionInput(1, Input::Bytes(b"\x1bb".to_vec()))]
    );
}

#[test]
fn keys_reach_the_focused_pane_and_the_prefix_reaches_kubedeck() {
    let mut a = app();
    with_terminal(&mut a);
    // A plain key goes to the session, byte-exact, as an effect.
    let e = update(&mut a, Msg::Key(key(KeyCode::Char('j'))));
    assert_eq!(e, [Effect::SessionInput(1, Input::Bytes(b"j".to_vec()))]);
    // The program asked for application cursor keys: arrows are encoded for it.
    let modes = Modes {
        application_cursor: true,
        bracketed_paste: true,
    };
    update(&mut a, Msg::Session(SessionEvent::Modes(1, modes)));
    let e = update(&mut a, Msg::Key(key(KeyCode::Up)));
    assert_eq!(
        e,
        [Effect::SessionInput(1, Input::Bytes(b"\x1bOA".to_vec()))]
    );
    // Pasted text is bracketed when the program asked for it.
    let e = update(&mut a, Msg::Paste("hi".into()));
    assert_eq!(
        e,
        [Effect::SessionInput(
            1,
            Input::Bytes(b"\x1b[200~hi\x1b[201~".to_vec())
        )]
    );
    // The prefix, then `d`: kubedeck detaches the pane.
    let prefix = a.sessions.settings.prefix;
    assert!(update(&mut a, Msg::Key(prefix)).is_empty());
    assert!(update(&mut a, Msg::Key(key(KeyCode::Char('d')))).is_empty());
    assert!(a.panes.terms.is_empty(), "detached");
    // In the dashboard, keys map through the keymap.
    update(&mut a, Msg::Key(key(KeyCode::Char('j'))));
    assert_eq!(selected_pod(&a), "web-1");
}

#[test]
fn reports_from_informers_streams_sessions_and_tasks() {
    let mut a = app();
    a.stale = Default::default();
    // Informer signals of the cluster shown mark what they feed; others are dropped.
    let changed = |c: &str| {
        Msg::Informer(InformerUpdate {
            cluster: ClusterId::new(c),
            kind: ResourceKind::Pods,
            change: Change::Changed,
        })
    };
    update(&mut a, changed("elsewhere"));
    assert!(a.stale.kinds.is_empty(), "another cluster's signal");
    update(&mut a, changed("prod"));
    assert!(a.stale.kinds.contains(&ResourceKind::Pods) && a.stale.describe);
    let forbidden = Msg::Informer(InformerUpdate {
        cluster: cluster(),
        kind: ResourceKind::PipelineRuns,
        change: Change::State(InformerState::Forbidden("no".into())),
    });
    update(&mut a, forbidden);
    assert_eq!(
        a.fleet.informer(ResourceKind::PipelineRuns),
        InformerState::Forbidden("no".into())
    );
    // Metrics: a sample is recorded and the usage columns go stale.
    let sample = Arc::new(crate::kube::metrics::Sample::default());
    let m = crate::kube::metrics::MetricsUpdate::Sample(sample);
    update(&mut a, Msg::Metrics(cluster(), m));
    assert_eq!(a.fleet.metrics().generation, 1);
    // A log stream's report lands in the pane that holds its key, and only there.
    with_log_pane(&mut a);
    let key_of = a.panes.focused_log().map(|p| p.stream);
    let Some(key_of) = key_of else {
        panic!("no pane")
    };
    let source = Source {
        pod: "web-1".into(),
        container: "app".into(),
        label: "app".into(),
        state: SourceState::Streaming,
    };
    update(
        &mut a,
        Msg::Log(LogEvent {
            key: key_of,
            report: LogReport::Source { id: 0, source },
        }),
    );
    assert_eq!(a.panes.focused_log().map(|p| p.sources.len()), Some(1));
    let stale = crate::kube::logs::StreamKey(key_of.0 + 100);
    update(
        &mut a,
        Msg::Log(LogEvent {
            key: stale,
            report: LogReport::Captured { at: "x".into() },
        }),
    );
    assert_eq!(a.panes.focused_log().and_then(|p| p.captured.clone()), None);
    // Sessions report their state.
    with_terminal(&mut a);
    update(
        &mut a,
        Msg::Session(SessionEvent::State(1, SessionState::Exited(3))),
    );
    assert_eq!(
        a.sessions.open.get(&1).map(|s| s.state.clone()),
        Some(SessionState::Exited(3))
    );
    // Task results: typed errors are rendered only here, at the status bar.
    let refused = ActionError::Api(ApiError::Forbidden("pods \"x\" is forbidden".into()));
    update(&mut a, Msg::Done(Done::Action(Err(refused.clone()))));
    assert_eq!(a.notice, Some(Notice::ActionFailed(refused)));
    assert_eq!(
        a.notice.as_ref().map(Notice::severity),
        Some(Severity::Error)
    );
    assert!(said(&a).contains("forbidden"));
    // The server's warnings come after a change's outcome: both said, the warning staying
    // (an error's severity) through the progress that follows.
    update(
        &mut a,
        Msg::Done(Done::Action(Ok(crate::kube::actions::Acted::Cordoned {
            node: "node-1".into(),
            on: true,
        }))),
    );
    let cordoned = said(&a);
    update(
        &mut a,
        Msg::Done(Done::ServerWarned(vec!["would violate PodSecurity".into()])),
    );
    assert_eq!(
        said(&a),
        format!("the server warned: would violate PodSecurity · {cordoned}")
    );
    assert_eq!(
        a.notice.as_ref().map(Notice::severity),
        Some(Severity::Error)
    );
    a.say_progress(Notice::Tip("next"));
    assert_eq!(
        said(&a),
        "the server warned: would violate PodSecurity · next"
    );
    a.say(Notice::Tip("other"));
    a.say_progress(Notice::Tip("next"));
    assert_eq!(said(&a), "next");
    update(&mut a, Msg::Done(Done::InputDropped(1)));
    assert!(said(&a).contains("key dropped"));
    update(&mut a, Msg::Done(Done::Theme("light".into(), Ok(()))));
    assert_eq!(a.theme_name, "light");
    update(&mut a, Msg::Done(Done::CaptureOff));
    assert!(said(&a).contains("capture is off"));
    // A session that cannot start is said, and forgotten.
    let why = ActionError::from(crate::kube::error::ApiError::NotConnected(ClusterId::new(
        "staging",
    )))
    .into();
    let e = update(&mut a, Msg::Done(Done::SessionFailed(1, why)));
    assert_eq!(e, [Effect::EndSession(1)]);
    assert!(a.sessions.open.is_empty());
    // The clock.
    let later: Timestamp = "2026-11-22T12:00:05Z".parse().unwrap_or_default();
    update(&mut a, Msg::Tick(later));
    assert_eq!(a.now, later);
}

#[test]
fn a_context_switch_connects_once_its_client_is_ready() {
    let mut a = app();
    a.view = View::Contexts;
    a.tables.contexts.select(1);
    let e = on_action(&mut a, Action::Open);
    assert_eq!(e, [Effect::SwitchContext(vec![ClusterId::new("staging")])]);
    assert_eq!(
        a.fleet.cluster,
        cluster(),
        "nothing changes until the client is ready"
    );
    let e = update(
        &mut a,
        Msg::Done(Done::Context(vec![(
            ClusterId::new("staging"),
            Ok("demo".into()),
        )])),
    );
    assert_eq!(a.fleet.cluster, ClusterId::new("staging"));
    assert_eq!(
        a.fleet.scope,
        Scope::All,
        "all namespaces stays all namespaces"
    );
    assert!(
        matches!(&e[..], [Effect::Connect(w), Effect::Discover(d), Effect::WatchK9sFiles(Some((_, ctx)))]
            if clusters_of(w) == [ClusterId::new("staging")] && *d == ClusterId::new("staging") && ctx == "staging"),
        "the new cluster is asked what it serves: {e:?}"
    );
    assert!(a.tables.pods.is_empty(), "the old cluster's rows are gone");
    let current: Vec<bool> = a
        .tables
        .contexts
        .all_rows()
        .iter()
        .map(|r| r.current)
        .collect();
    assert_eq!(current, [false, true]);
}

#[test]
fn several_contexts_are_chosen_by_list_or_set_and_one_failing_is_left_out() {
    let mut a = app();
    a.fleet
        .cluster_sets
        .insert("both".into(), vec!["prod".into(), "staging".into()]);
    // A list, a set, and an unknown name (which says what is known).
    let e = super::command::command(&mut a, "ctx staging,prod");
    let both = vec![ClusterId::new("staging"), ClusterId::new("prod")];
    assert_eq!(e, [Effect::SwitchContext(both)]);
    let e = super::command::command(&mut a, "ctx both");
    let set = vec![ClusterId::new("prod"), ClusterId::new("staging")];
    assert_eq!(e, [Effect::SwitchContext(set.clone())]);
    let e = super::command::command(&mut a, "ctx prod,nosuch");
    assert!(e.is_empty());
    let text = said(&a);
    assert!(
        text.contains("no context \"nosuch\"") && text.contains("sets: both"),
        "{text}"
    );
    // Both clients ready: both shown, the first first; the scope stays all namespaces.
    let e = update(
        &mut a,
        Msg::Done(Done::Context(vec![
            (ClusterId::new("prod"), Ok("default".into())),
            (ClusterId::new("staging"), Ok("demo".into())),
        ])),
    );
    assert_eq!(a.fleet.clusters, set);
    assert!(a.fleet.multi());
    assert!(
        matches!(&e[..], [Effect::Connect(w), ..] if clusters_of(w) == set && w.iter().all(|w| w.scope == Scope::All))
    );
    // One of two cannot be reached: the other is shown and the failure said.
    let e = update(
        &mut a,
        Msg::Done(Done::Context(vec![
            (
                ClusterId::new("prod"),
                Err(crate::kube::client::ConnectError::NoContext {
                    context: "prod".into(),
                    source_name: "kubeconfig".into(),
                    available: "staging".into(),
                }),
            ),
            (ClusterId::new("staging"), Ok("demo".into())),
        ])),
    );
    assert_eq!(a.fleet.clusters, [ClusterId::new("staging")]);
    assert!(matches!(&e[..], [Effect::Connect { .. }, ..]));
    assert!(
        matches!(&a.notice, Some(Notice::Switched { to, failed }) if to == &[ClusterId::new("staging")] && failed.len() == 1),
        "{:?}",
        a.notice
    );
    assert_eq!(
        a.notice.as_ref().map(Notice::severity),
        Some(Severity::Error)
    );
    let text = said(&a);
    assert!(
        text.contains("switched to staging") && text.contains("cannot switch to prod"),
        "{text:?}"
    );
}

#[test]
fn with_several_clusters_a_kind_is_live_if_any_cluster_has_it_live_and_counts_add_up() {
    let mut a = app();
    let (prod, staging) = (ClusterId::new("prod"), ClusterId::new("staging"));
    a.fleet.clusters = vec![prod.clone(), staging.clone()];
    a.fleet.status.clear();
    let say = |a: &mut App, c: &ClusterId, s: InformerState| {
        update(
            a,
            Msg::Informer(InformerUpdate {
                cluster: c.clone(),
                kind: ResourceKind::Pods,
                change: Change::State(s),
            }),
        )
    };
    say(&mut a, &prod, InformerState::Live);
    say(&mut a, &staging, InformerState::Forbidden("no".into()));
    assert_eq!(a.fleet.informer(ResourceKind::Pods), InformerState::Live);
    assert_eq!(
        a.fleet.status_of(&staging).informer(ResourceKind::Pods),
        InformerState::Forbidden("no".into())
    );
    // A cluster not shown is not heard.
    say(&mut a, &ClusterId::new("elsewhere"), InformerState::Live);
    assert!(!a.fleet.status.contains_key(&ClusterId::new("elsewhere")));
    a.fleet
        .status_mut(&prod)
        .counts
        .insert(ResourceKind::Pods, 3);
    a.fleet
        .status_mut(&staging)
        .counts
        .insert(ResourceKind::Pods, 4);
    assert_eq!(a.fleet.count(ResourceKind::Pods), 7);
    // Both not live: last-known since the first stopped.
    say(&mut a, &prod, InformerState::Reconnecting("down".into()));
    assert!(a.fleet.not_live(&[ResourceKind::Pods]).is_some());
}

#[test]
fn pod_metrics_are_asked_for_the_namespaces_on_screen_or_all_when_sorted_by_usage() {
    use crate::app::columns::PodCol;
    use crate::kube::metrics::PodMetricsWanted;
    let mut a = app();
    a.view = View::Pods;
    let on_screen: std::collections::BTreeSet<String> = a
        .tables
        .pods
        .all_rows()
        .iter()
        .map(|r| r.namespace.clone())
        .collect();
    assert!(!on_screen.is_empty());
    let here = crate::app::fixture::cluster();
    let elsewhere = ClusterId::new("elsewhere");
    let wanted = a.pod_metrics_wanted();
    assert_eq!(wanted.of(&here), PodMetricsWanted::Namespaces(on_screen));
    assert_eq!(
        wanted.of(&elsewhere),
        PodMetricsWanted::None,
        "a cluster with no row on screen lists none"
    );
    a.tables.pods.sort_by_col(PodCol::Mem as usize, false);
    let wanted = a.pod_metrics_wanted();
    assert_eq!(wanted.of(&here), PodMetricsWanted::All);
    assert_eq!(
        wanted.of(&elsewhere),
        PodMetricsWanted::All,
        "sorted by usage"
    );
    a.view = View::Nodes;
    assert_eq!(a.pod_metrics_wanted().of(&here), PodMetricsWanted::None);
}

/// In triage, select the row of `problem`.
fn on_triage(a: &mut App, problem: &str) {
    a.view = View::Triage;
    let at = (0..a.tables.triage.len())
        .find(|&i| a.tables.triage.row(i).is_some_and(|r| r.problem == problem))
        .unwrap_or_else(|| panic!("no {problem} row"));
    a.tables.triage.select(at);
}

#[test]
fn triage_gets_to_the_cause_in_one_key() {
    run(&[
        Case {
            name: "l on a failed run: only its failed steps",
            setup: |a| on_triage(a, "RunFailed"),
            actions: &[Action::Logs],
            check: |a, e| {
                assert!(matches!(e, [Effect::OpenLogs { request, .. }]
                    if matches!(&request.target, LogTarget::Tekton { name, .. } if name == "build-2")));
                assert!(a.panes.focused_log().is_some_and(|p| p.failed_only));
            },
        },
        Case {
            name: "l on a crash loop: the crashed instance first",
            setup: |a| on_triage(a, "CrashLoop"),
            actions: &[Action::Logs],
            check: |_, e| {
                assert!(matches!(e, [Effect::OpenLogs { request, .. }]
                    if request.options.previous && !request.options.follow));
            },
        },
        Case {
            name: "Enter on node pressure: its pods, the biggest user first",
            setup: |a| on_triage(a, "NodePressure"),
            actions: &[Action::Open],
            check: |a, _| {
                assert_eq!(a.view, View::Pods);
                assert_eq!(
                    a.tables.pods.pin,
                    Some(obj(ResourceKind::Nodes, "", "worker-01"))
                );
                assert_eq!(a.tables.pods.sort, super::columns::PodCol::MemRl as usize);
            },
        },
        Case {
            name: "e on a broken pod: its warnings",
            setup: |a| on_triage(a, "CrashLoop"),
            actions: &[Action::Events],
            check: |a, _| {
                assert_eq!(a.view, View::Events);
                assert!(a.tables.events.only_flagged);
                assert_eq!(
                    a.tables.events.len(),
                    1,
                    "the BackOff warning, not the Pulled event"
                );
            },
        },
    ]);
}

#[test]
fn a_drain_previews_every_pod_with_its_owner_and_budget() {
    let mut a = app();
    // Twelve pods on worker-01, one under a budget.
    let mut rows = Vec::new();
    for i in 0..12 {
        let mut r = (*fixture::pod(
            "demo",
            &format!("p{i:02}"),
            "Running",
            crate::kube::pod_row::Health::Ok,
            0,
        ))
        .clone();
        r.owner = Some(("ReplicaSet".into(), "web-abc".into()));
        if i == 3 {
            r.labels = [("app".to_string(), "guarded".to_string())]
                .into_iter()
                .collect();
        }
        rows.push(Arc::new(r));
    }
    a.tables.pods.set_rows(rows);
    a.view = View::Nodes;
    let e = super::command::command(&mut a, "drain");
    assert_eq!(e, [Effect::LoadBudgets(cluster())]);
    assert_eq!(a.prompt.mode, Mode::Confirm);
    let lines = |a: &App| {
        a.prompt
            .pending
            .as_ref()
            .and_then(|p| p.preview.as_ref())
            .map(|p| p.lines())
            .unwrap_or_default()
    };
    assert_eq!(
        lines(&a)
            .iter()
            .filter(|l| l.contains("ReplicaSet/web-abc"))
            .count(),
        12
    );
    assert!(lines(&a)[1].contains("PDB: checking"), "{:?}", lines(&a));
    let pdb: k8s_openapi::api::policy::v1::PodDisruptionBudget = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "guarded-pdb", "namespace": "demo"},
        "spec": {"selector": {"matchLabels": {"app": "guarded"}}},
        "status": {"disruptionsAllowed": 0, "currentHealthy": 1, "desiredHealthy": 1, "expectedPods": 1}
    }))
    .unwrap_or_default();
    let budgets = vec![crate::kube::pdb::Budget::of(&pdb)];
    update(&mut a, Msg::Done(Done::Budgets(cluster(), Ok(budgets))));
    let guarded = lines(&a)
        .into_iter()
        .find(|l| l.contains("demo/p03"))
        .unwrap_or_default();
    assert!(
        guarded.contains("guarded-pdb allows no disruption now"),
        "{guarded}"
    );
    // j scrolls the preview; the question stays open; y drains.
    on_action(&mut a, Action::Down);
    assert_eq!(a.prompt.mode, Mode::Confirm);
    assert_eq!(a.prompt.pending.as_ref().map(|p| p.scroll), Some(1));
    let e = on_action(&mut a, Action::Confirm);
    assert!(
        matches!(&e[..], [Effect::Drain(c, plan)] if *c == cluster() && plan.evict.len() == 12)
    );
}

#[test]
fn switching_to_an_unknown_namespace_says_so() {
    let mut a = app();
    let e = super::command::command(&mut a, "ns nosuch");
    assert!(
        matches!(&e[..], [Effect::Connect(w)] if w[0].scope == Scope::Namespace("nosuch".into()))
    );
    assert!(
        said(&a).contains("\"nosuch\" is not in the namespaces list"),
        "{}",
        said(&a)
    );
    let mut a = app();
    super::command::command(&mut a, "ns demo");
    assert!(!said(&a).contains("not in the namespaces list"));
}

fn state(kind: ResourceKind, s: InformerState) -> Msg {
    Msg::Informer(InformerUpdate {
        cluster: cluster(),
        kind,
        change: Change::State(s),
    })
}

#[test]
fn rows_are_last_known_from_the_moment_their_kind_stops_being_live() {
    let mut a = app();
    a.fleet.primary_status().informers.clear();
    let down = || InformerState::Reconnecting("cannot reach the API server".into());
    // Never live: nothing was shown, nothing is stale.
    update(&mut a, state(ResourceKind::Pods, down()));
    assert_eq!(a.fleet.not_live(&[ResourceKind::Pods]), None);
    update(&mut a, state(ResourceKind::Pods, InformerState::Live));
    let t0 = a.now;
    let later = t0 + jiff::SignedDuration::from_secs(30);
    update(&mut a, Msg::Tick(later));
    update(&mut a, state(ResourceKind::Pods, down()));
    assert_eq!(
        a.fleet.not_live(&[ResourceKind::Pods]),
        Some((later, down()))
    );
    // Still down, another way: still since it stopped being live.
    update(
        &mut a,
        Msg::Tick(later + jiff::SignedDuration::from_secs(5)),
    );
    update(
        &mut a,
        state(ResourceKind::Pods, InformerState::Unauthorized("x".into())),
    );
    assert_eq!(
        a.fleet.not_live(&[ResourceKind::Pods]).map(|(at, _)| at),
        Some(later)
    );
    // The earliest of several kinds.
    update(&mut a, state(ResourceKind::Events, InformerState::Live));
    update(&mut a, state(ResourceKind::Events, down()));
    assert_eq!(
        a.fleet
            .not_live(&[ResourceKind::Events, ResourceKind::Pods])
            .map(|(at, _)| at),
        Some(later)
    );
    update(&mut a, state(ResourceKind::Pods, InformerState::Live));
    assert_eq!(a.fleet.not_live(&[ResourceKind::Pods]), None);
    // Gone (the API was removed): its store was emptied, nothing last-known remains.
    update(
        &mut a,
        state(ResourceKind::Events, InformerState::NotInstalled),
    );
    assert_eq!(a.fleet.not_live(&[ResourceKind::Events]), None);
}

#[test]
fn information_expires_and_errors_stay() {
    let mut a = app();
    let t0 = a.now;
    let at = |s: i64| Msg::Tick(t0 + jiff::SignedDuration::from_secs(s));
    a.say(Notice::Switched {
        to: vec![ClusterId::new("prod")],
        failed: Vec::new(),
    });
    update(&mut a, at(1));
    update(&mut a, at(1 + super::results::INFO_SECONDS - 1));
    assert!(a.notice.is_some(), "still fresh");
    update(&mut a, at(1 + super::results::INFO_SECONDS));
    assert_eq!(a.notice, None);
    a.say(Notice::ActionFailed(ActionError::Api(ApiError::Forbidden(
        "pods \"x\" is forbidden".into(),
    ))));
    update(&mut a, at(100));
    update(&mut a, at(1000));
    assert!(a.notice.is_some(), "an error waits to be read");
    // A new piece of information gets its own time.
    a.say(Notice::RetryingNow(vec![ClusterId::new("prod")]));
    update(&mut a, at(1001));
    update(&mut a, at(1002));
    assert!(a.notice.is_some());
}

#[test]
fn usage_is_dropped_when_metrics_become_unavailable() {
    let mut a = app();
    let sample = Arc::new(crate::kube::metrics::Sample::default());
    let m = crate::kube::metrics::MetricsUpdate::Sample(sample);
    update(&mut a, Msg::Metrics(cluster(), m));
    assert!(a.fleet.metrics().sample.is_some());
    let lost = crate::kube::metrics::MetricsUpdate::Unavailable("usage unavailable: 503".into());
    update(&mut a, Msg::Metrics(cluster(), lost));
    assert!(a.fleet.metrics().sample.is_none());
    assert_eq!(
        a.fleet.metrics().generation,
        2,
        "the usage columns are made again"
    );
    assert_eq!(
        a.fleet.metrics().unavailable.as_deref(),
        Some("usage unavailable: 503")
    );
}

#[test]
fn retry_now_asks_the_runtime_and_says_so() {
    let mut a = app();
    let effects = on_action(&mut a, Action::RetryNow);
    assert!(matches!(effects.as_slice(), [Effect::RetryNow(c)] if *c == cluster()));
    assert!(said(&a).contains("retrying now"));
    let effects = super::command::command(&mut a, "retry");
    assert!(matches!(effects.as_slice(), [Effect::RetryNow(_)]));
}

#[test]
fn the_debug_picker_offers_the_agent_as_installed_or_says_it_is_not() {
    use crate::kube::agent::AgentPresence;
    let agent_line = |a: &App| {
        a.prompt
            .picker
            .as_ref()
            .and_then(|p| p.items.last().cloned())
            .unwrap_or_default()
    };
    // D asks whether the agent is installed; the line says so when the answer comes.
    let mut a = app();
    let e = on_action(&mut a, Action::Debug);
    assert_eq!(e, [Effect::CheckAgent(cluster())]);
    assert!(agent_line(&a).contains("checking"), "{}", agent_line(&a));
    // A profile's line says what it is for before its image (a narrow terminal clips the end).
    let restricted = a
        .prompt
        .picker
        .as_ref()
        .and_then(|p| {
            p.items
                .iter()
                .find(|i| i.starts_with("restricted"))
                .cloned()
        })
        .unwrap_or_default();
    assert!(
        restricted.contains("a shell Pod Security restricted admits")
            && restricted.ends_with("[busybox:1.37]"),
        "{restricted}"
    );
    update(
        &mut a,
        Msg::Done(Done::Agent(
            cluster(),
            AgentPresence::Installed {
                ready: 3,
                profiles: vec!["netshoot".into()],
            },
        )),
    );
    assert!(
        agent_line(&a).starts_with("agent: netshoot")
            && agent_line(&a).contains("netshoot tools (3 nodes ready)"),
        "{}",
        agent_line(&a)
    );
    // Picking it opens an agent session in the pod's container.
    for _ in 0..10 {
        on_action(&mut a, Action::Down);
    }
    let e = on_action(&mut a, Action::Submit);
    assert!(
        matches!(&e[..], [Effect::OpenSession { spec: crate::app::sessions::SessionSpec::Agent { container, profile, .. }, .. }] if container == "app" && profile.as_deref() == Some("netshoot")),
        "{e:?}"
    );

    // Not installed: said on the line, and picking it opens nothing but says how to install.
    let mut a = app();
    on_action(&mut a, Action::Debug);
    update(
        &mut a,
        Msg::Done(Done::Agent(cluster(), AgentPresence::Absent)),
    );
    assert!(agent_line(&a).contains("not installed (kubedeck agent install)"));
    for _ in 0..10 {
        on_action(&mut a, Action::Down);
    }
    let e = on_action(&mut a, Action::Submit);
    assert!(e.is_empty(), "{e:?}");
    assert!(
        said(&a).contains("`kubedeck agent install` installs it"),
        "{}",
        said(&a)
    );
}

/// The clusters a connect starts, in order.
fn clusters_of(watched: &[crate::app::action::Watched]) -> Vec<ClusterId> {
    watched.iter().map(|w| w.cluster.clone()).collect()
}

#[test]
fn each_context_is_watched_in_its_own_namespace_with_its_own_kinds() {
    let mut a = app();
    a.fleet
        .watch
        .insert("prod-*".into(), vec!["pods".into(), "nodes".into()]);
    a.fleet
        .context_namespaces
        .insert(ClusterId::new("prod-eu"), "shop".into());
    let clusters = vec![ClusterId::new("prod-eu"), ClusterId::new("staging")];
    let e = super::navigate::connect(&mut a, clusters, Scope::ContextDefaults);
    let [Effect::Connect(w), ..] = &e[..] else {
        panic!("no connect: {e:?}");
    };
    assert_eq!(w[0].scope, Scope::Namespace("shop".into()));
    assert_eq!(w[0].kinds, [ResourceKind::Pods, ResourceKind::Nodes]);
    // A context whose namespace is not known is watched everywhere, every kind.
    assert_eq!(w[1].scope, Scope::All);
    assert_eq!(w[1].kinds, ResourceKind::WATCHABLE);
}

#[test]
fn the_namespaces_switched_to_become_favourites_on_the_number_keys() {
    let mut a = app();
    a.data_dir = Some(std::path::PathBuf::from("/data"));
    let e = update(&mut a, Msg::Action(Action::StartCommand));
    assert!(e.is_empty());
    // Each switch that changes the order is kept; the same one again changes nothing.
    for (ns, kept) in [
        ("demo", true),
        ("ci", true),
        ("demo", true),
        ("demo", false),
    ] {
        a.prompt.input = format!("ns {ns}");
        let e = on_action(&mut a, Action::Submit);
        let saved = e.iter().any(|e| matches!(e, Effect::SaveFavourites { path, .. } if path.ends_with("favourite-namespaces.json")));
        assert_eq!(saved, kept, "{ns}: {e:?}");
        a.prompt.mode = Mode::Command;
    }
    // The latest first, each once.
    assert_eq!(a.fleet.favourites(), ["demo", "ci"]);
    a.prompt.mode = Mode::Table;
    a.view = View::Namespaces;
    on_action(&mut a, Action::Favourite(2));
    assert_eq!(a.fleet.scope, Scope::Namespace("ci".into()));
    assert_eq!(a.view, View::Pods);
    a.view = View::Namespaces;
    on_action(&mut a, Action::Favourite(0));
    assert_eq!(a.fleet.scope, Scope::All);
    a.view = View::Namespaces;
    on_action(&mut a, Action::Favourite(7));
    assert!(
        matches!(a.notice, Some(Notice::NoFavourite(7))),
        "{:?}",
        a.notice
    );
    // Kept per context.
    assert!(a.fleet.favourites.contains_key(a.fleet.cluster.context()));
}

#[test]
fn a_delete_of_marked_rows_in_production_asks_for_their_count_and_failures_are_listed() {
    let mut a = app();
    a.view = View::Pods;
    a.fleet.production = vec!["*".into()];
    a.tables.pods.select(0);
    a.tables.pods.toggle_mark();
    a.tables.pods.select(1);
    a.tables.pods.toggle_mark();
    on_action(&mut a, Action::Delete);
    assert_eq!(a.prompt.mode, Mode::Confirm);
    let typed = a.prompt.pending.as_ref().and_then(|p| p.typed.clone());
    assert_eq!(typed.as_deref(), Some("2"), "the count is typed, not y");
    // `y` is not enough.
    assert!(on_action(&mut a, Action::Input('y')).is_empty());
    on_action(&mut a, Action::Backspace);
    on_action(&mut a, Action::Input('2'));
    let e = on_action(&mut a, Action::Submit);
    let [Effect::Many(each)] = &e[..] else {
        panic!("{e:?}");
    };
    assert_eq!(each.len(), 2);
    assert_eq!(a.tables.pods.marked(), 0, "the marks have served");
    // One went, one was refused: the refusal is named with its object.
    let objects: Vec<_> = each.iter().filter_map(|e| e.target().cloned()).collect();
    update(
        &mut a,
        Msg::Done(Done::Many(vec![
            (
                objects[0].clone(),
                Ok(crate::kube::actions::Acted::Deleted(objects[0].clone())),
            ),
            (
                objects[1].clone(),
                Err(ActionError::Api(ApiError::Forbidden(
                    "pods is forbidden".into(),
                ))),
            ),
        ])),
    );
    let text = said(&a);
    assert!(text.starts_with("1 of 2 done, 1 failed: "), "{text}");
    assert!(text.contains(&objects[1].label()), "{text}");
    assert_eq!(
        a.notice.as_ref().map(Notice::severity),
        Some(Severity::Error)
    );
}

/// `s` on a node opens a node shell on that node, with the configured namespace and image for
/// its pod; read-only refuses it; the start sweeps each cluster's leftovers unless read-only.
#[test]
fn s_on_a_node_is_a_node_shell_and_the_start_sweeps_leftovers() {
    use crate::app::sessions::SessionSpec;
    let mut a = app();
    on_nodes(&mut a);
    let e = on_action(&mut a, Action::Shell);
    assert!(
        matches!(&e[..], [Effect::OpenSession { spec: SessionSpec::Node { node, namespace, image }, .. }]
            if node.name == "worker-01" && namespace == "default" && image == "busybox:1.37"),
        "{e:?}"
    );
    let start = |a: &mut App| {
        update(
            a,
            Msg::Start {
                view: super::msg::StartView::Auto,
                contexts: Vec::new(),
            },
        )
    };
    let e = start(&mut a);
    assert!(
        e.iter().any(
            |e| matches!(e, Effect::SweepNodeShells(c, ns) if *c == cluster() && ns == "default")
        ),
        "{e:?}"
    );
    let mut ro = app();
    ro.readonly = true;
    on_nodes(&mut ro);
    assert!(on_action(&mut ro, Action::Shell).is_empty());
    assert!(
        !start(&mut ro)
            .iter()
            .any(|e| matches!(e, Effect::SweepNodeShells(..)))
    );
}

/// `E` in the first second after start, before discovery answered: a core kind is known
/// without it (this said "the server's kinds are not known yet").
#[test]
fn a_pod_can_be_edited_before_discovery_answers() {
    let mut a = app();
    assert!(a.catalog.api.resolve("pods").is_err(), "no discovery yet");
    let e = on_action(&mut a, Action::Edit);
    assert!(
        matches!(&e[..], [Effect::PrepareEdit(obj)] if obj.api.as_ref().is_some_and(|api| api.kind == "Pod" && api.version == "v1" && api.plural == "pods")),
        "{e:?}"
    );
}

/// In a namespace that enforces Pod Security, the debug picker says which profiles it would
/// refuse before one is tried, and starts on the first it admits.
#[test]
fn the_debug_picker_says_which_profiles_pod_security_refuses() {
    let mut a = app();
    let enforce = |a: &mut App, level: &str| {
        let cluster = a.fleet.cluster.clone();
        a.fleet.pod_security.insert(
            cluster,
            [("demo".to_string(), level.to_string())]
                .into_iter()
                .collect(),
        );
    };
    enforce(&mut a, "baseline");
    on_action(&mut a, Action::Debug);
    let picker = a.prompt.picker.clone().expect("the picker");
    let line = |name: &str| {
        picker
            .items
            .iter()
            .find(|i| i.starts_with(name))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        line("net").contains("(Pod Security baseline refuses it: adds NET_ADMIN, NET_RAW)"),
        "{}",
        line("net")
    );
    assert!(!line("busybox").contains("refuses"), "{}", line("busybox"));
    assert!(line("jvm").contains("adds SYS_PTRACE"), "{}", line("jvm"));
    assert_eq!(picker.values[picker.selected], "busybox");

    // restricted: only the restricted profile is admitted.
    enforce(&mut a, "restricted");
    a.prompt.picker = None;
    a.prompt.mode = crate::app::Mode::Table;
    on_action(&mut a, Action::Debug);
    let picker = a.prompt.picker.clone().expect("the picker");
    assert_eq!(picker.values[picker.selected], "restricted");
    assert!(
        picker.items[0].contains("Pod Security restricted refuses it: runs as root"),
        "{}",
        picker.items[0]
    );
}
