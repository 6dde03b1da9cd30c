//! The default bindings: every key kubedeck answers to, with its config name, action, help
//! text and where it applies.

use crossterm::event::KeyCode;

use super::{Binding, Key, Section, Views};
use crate::app::action::Action;
use crate::app::view::View;

fn b(name: &'static str, keys: Vec<Key>, action: Action, desc: &'static str) -> Binding {
    Binding {
        name,
        keys,
        action,
        desc,
        section: Section::Global,
        views: Views::All,
    }
}

/// Answering only in some of the dashboard's views (or in all but some).
fn views(views: Views, mut binding: Binding) -> Binding {
    binding.views = views;
    binding
}

/// Helm's views.
const HELM: &[View] = &[View::Helm, View::HelmHistory];

/// `:xray`'s trees.
const XRAY: &[View] = &[View::Xray];

/// Where `c` cancels and `r` reruns instead of copying.
const RUNS: &[View] = &[View::PipelineRuns, View::TaskRuns];

fn in_section(section: Section, mut binding: Binding) -> Binding {
    binding.section = section;
    binding
}

/// Dashboard-only bindings among the defaults.
const TABLE_ONLY: &[&str] = &[
    "open",
    "fold_close",
    "fold_open",
    "helm_values",
    "describe",
    "yaml",
    "events",
    "flagged",
    "managed_fields",
    "reveal_secret",
    "delete",
    "cancel_run",
    "rerun",
    "mark",
    "mark_range",
    "clear_marks",
    "previous_view",
    "copy_name",
    "copy_namespace",
    "save_table",
    "wide",
    "scale",
    "rollout_restart",
    "owner",
    "edit",
    "port_forward",
];

fn log_and_pane_bindings() -> Vec<Binding> {
    use KeyCode::*;
    let t = |b| in_section(Section::Table, b);
    let l = |b| in_section(Section::Logs, b);
    let p = |b| in_section(Section::Panes, b);
    vec![
        t(b(
            "logs",
            vec![Key::ch('l')],
            Action::Logs,
            "logs of the selection (pod: pick a container; run/TaskRun: its steps)",
        )),
        t(b(
            "owner_logs",
            vec![Key::ch('L')],
            Action::OwnerLogs,
            "logs of all pods of the selected pod's owner (Deployment, StatefulSet, Job...)",
        )),
        l(b(
            "log_follow",
            vec![Key::ch('f')],
            Action::ToggleFollow,
            "follow on/off (paused: new lines are counted)",
        )),
        l(b(
            "log_wrap",
            vec![Key::ch('w')],
            Action::ToggleWrap,
            "wrap long lines on/off",
        )),
        l(b(
            "log_timestamps",
            vec![Key::ch('t')],
            Action::ToggleTimestamps,
            "timestamps on/off",
        )),
        l(b(
            "log_level",
            vec![Key::ch('L')],
            Action::CycleLevel,
            "level filter: all → INFO+ → WARN+ → ERROR",
        )),
        l(b(
            "log_filter",
            vec![Key::ch('&')],
            Action::FilterLines,
            "show only matching lines (!text hides them; ~regex)",
        )),
        l(b(
            "log_previous",
            vec![Key::ch('p')],
            Action::Previous,
            "previous container instance (after a crash) / back to current",
        )),
        l(b(
            "log_failed",
            vec![Key::ch('F')],
            Action::FailedOnly,
            "Tekton: only failed steps",
        )),
        l(b(
            "log_expand",
            vec![Key::plain(Enter)],
            Action::Expand,
            "JSON line: show the whole object / compact again",
        )),
        l(b(
            "log_mark",
            vec![Key::ch('v')],
            Action::Mark,
            "mark the start of a selection",
        )),
        l(b(
            "log_copy",
            vec![Key::ch('c')],
            Action::Copy,
            "copy the selection (or the line) to the clipboard (OSC 52)",
        )),
        l(b(
            "log_save",
            vec![Key::ch('S')],
            Action::Save,
            "save the lines shown (filtered) to a file",
        )),
        t(b(
            "cordon",
            vec![Key::ch('C')],
            Action::Cordon,
            "nodes: cordon the selected node (asks first)",
        )),
        t(b(
            "uncordon",
            vec![Key::ch('U')],
            Action::Uncordon,
            "nodes: uncordon the selected node (asks first)",
        )),
        t(b(
            "shell",
            vec![Key::ch('s')],
            Action::Shell,
            "shell in the selected pod (bash, else sh) or on the selected node",
        )),
        t(b(
            "debug",
            vec![Key::ch('D')],
            Action::Debug,
            "debug the selected pod: an ephemeral container profile, or the node agent",
        )),
        t(b(
            "attach",
            vec![Key::ch('i')],
            Action::Attach,
            "attach to the container's main process in a pane; ending it detaches",
        )),
        t(b(
            "local_shell",
            vec![Key::ch('!')],
            Action::LocalShell,
            "a shell on this machine with the current context (:shell)",
        )),
        in_section(
            Section::Terminal,
            b(
                "scrollback",
                vec![Key::ch('[')],
                Action::Scrollback,
                "scroll back (↑↓ PgUp PgDn g G; Esc returns)",
            ),
        ),
        in_section(
            Section::Terminal,
            b(
                "record",
                vec![Key::ch('r')],
                Action::Record,
                "record to an asciicast file / stop",
            ),
        ),
        in_section(
            Section::Terminal,
            b(
                "detach",
                vec![Key::ch('d')],
                Action::Detach,
                "close the pane, keep the session (:sessions)",
            ),
        ),
        in_section(
            Section::Terminal,
            b(
                "end_session",
                vec![Key::ch('K')],
                Action::EndSession,
                "end the session (asks while it runs)",
            ),
        ),
        p(b(
            "focus_next",
            vec![Key::plain(Tab)],
            Action::FocusNext,
            "focus the next pane",
        )),
        p(b(
            "focus_prev",
            vec![Key::plain(BackTab)],
            Action::FocusPrev,
            "focus the previous pane",
        )),
        p(b(
            "zoom",
            vec![Key::ch('z')],
            Action::Zoom,
            "zoom the focused pane / unzoom",
        )),
        p(b(
            "close_pane",
            vec![Key::ch('x')],
            Action::ClosePane,
            "close the focused pane",
        )),
        p(b(
            "grow",
            vec![Key::ch('>')],
            Action::Grow,
            "grow the focused pane",
        )),
        p(b(
            "shrink",
            vec![Key::ch('<')],
            Action::Shrink,
            "shrink the focused pane",
        )),
        p(b(
            "flip",
            vec![Key::ch('%')],
            Action::Flip,
            "turn the focused split: side by side ↔ stacked",
        )),
    ]
}

/// The default bindings, in help order.
pub fn default_bindings() -> Vec<Binding> {
    use KeyCode::*;
    let mut out = vec![
        b(
            "down",
            vec![Key::ch('j'), Key::plain(Down)],
            Action::Down,
            "move down",
        ),
        b(
            "up",
            vec![Key::ch('k'), Key::plain(Up)],
            Action::Up,
            "move up",
        ),
        b(
            "page_down",
            vec![Key::ctrl('f'), Key::plain(PageDown)],
            Action::PageDown,
            "page down",
        ),
        b(
            "page_up",
            vec![Key::ctrl('b'), Key::plain(PageUp)],
            Action::PageUp,
            "page up",
        ),
        b(
            "top",
            vec![Key::ch('g'), Key::plain(Home)],
            Action::Top,
            "first row",
        ),
        b(
            "bottom",
            vec![Key::ch('G'), Key::plain(End)],
            Action::Bottom,
            "last row",
        ),
        b(
            "open",
            vec![Key::plain(Enter)],
            Action::Open,
            "open: PipelineRun → TaskRuns → step logs, node → its pods, triage row → the object",
        ),
        b(
            "back",
            vec![Key::plain(Esc)],
            Action::Back,
            "back: close help, clear the filter, then the previous view",
        ),
        b(
            "describe",
            vec![Key::ch('d')],
            Action::Describe,
            "describe the selection",
        ),
        b(
            "yaml",
            vec![Key::ch('y')],
            Action::Yaml,
            "YAML of the selection",
        ),
        b(
            "events",
            vec![Key::ch('e')],
            Action::Events,
            "events of the selection",
        ),
        b(
            "mark",
            vec![Key::ch(' ')],
            Action::MarkRow,
            "mark the row (actions then act on every marked row; contexts: Enter shows them together)",
        ),
        b(
            "mark_range",
            vec![Key::ctrl(' ')],
            Action::MarkRange,
            "mark every row from the last marked one to the cursor",
        ),
        b(
            "clear_marks",
            vec![Key::ctrl('\\'), Key::ctrl('4')],
            Action::ClearMarks,
            "clear the marks",
        ),
        b(
            "previous_view",
            vec![Key::ch('-')],
            Action::PreviousView,
            "toggle to the previous view (as cd -)",
        ),
        views(
            Views::Except(RUNS),
            b(
                "copy_name",
                vec![Key::ch('c')],
                Action::CopyName,
                "copy the selected name (OSC 52)",
            ),
        ),
        views(
            Views::Except(&[View::Detail]),
            b(
                "copy_namespace",
                vec![Key::ch('n')],
                Action::CopyNamespace,
                "copy the selected object's namespace (OSC 52)",
            ),
        ),
        b(
            "save_table",
            vec![Key::ctrl('s')],
            Action::SaveTable,
            "save the table as shown (filter and sort) to a CSV file in the data dir",
        ),
        b(
            "wide",
            vec![Key::ctrl('w')],
            Action::ToggleWide,
            "wide: every column, as -o wide (again: as fits)",
        ),
        b(
            "flagged",
            vec![Key::ch('w')],
            Action::ToggleFlagged,
            "only warnings (events) / only rows needing attention",
        ),
        b(
            "filter",
            vec![Key::ch('/')],
            Action::StartFilter,
            "filter rows: text, !text inverts, -l key=value; search in describe and log panes",
        ),
        views(
            Views::Only(&[View::Detail]),
            b(
                "next_match",
                vec![Key::ch('n')],
                Action::NextMatch,
                "next search match (describe/YAML, log panes)",
            ),
        ),
        b(
            "prev_match",
            vec![Key::ch('N')],
            Action::PrevMatch,
            "previous search match (describe/YAML, log panes)",
        ),
        b(
            "managed_fields",
            vec![Key::ch('m')],
            Action::ToggleManagedFields,
            "YAML: show/hide managedFields",
        ),
        b(
            "reveal_secret",
            vec![Key::ch('X')],
            Action::RevealSecret,
            "show a Secret's values or a Helm release's credentials, or hide them again",
        ),
        b(
            "command",
            vec![Key::ch(':')],
            Action::StartCommand,
            "command line: :pods :deploy :svc NS (any kind), :api-resources; Tab completes",
        ),
        b("help", vec![Key::ch('?')], Action::ToggleHelp, "this help"),
        b(
            "retry",
            vec![Key::ch('R')],
            Action::RetryNow,
            "try again now: reconnect without waiting out the backoff (also :retry)",
        ),
        b(
            "delete",
            vec![Key::ctrl('d')],
            Action::Delete,
            "delete the selected object: a pod, a run, any kind in :KIND views (asks first)",
        ),
        b(
            "port_forward",
            vec![Key::ch('P')],
            Action::PortForward,
            "port-forward to the selected pod, Service or workload: types :pf for the ports",
        ),
        b(
            "edit",
            vec![Key::ch('E')],
            Action::Edit,
            "edit the YAML in $KUBE_EDITOR/$EDITOR (a pane); applied on exit, a refusal reopens it",
        ),
        b(
            "owner",
            vec![Key::ch('o')],
            Action::Owner,
            "the selection's owner (a pod's ReplicaSet, a ReplicaSet's Deployment...)",
        ),
        b(
            "scale",
            vec![Key::ch('a')],
            Action::Scale,
            "scale the selected Deployment, StatefulSet or ReplicaSet: types :scale (asks first)",
        ),
        b(
            "rollout_restart",
            vec![Key::ch('A')],
            Action::RolloutRestart,
            "rollout restart of the selected Deployment, StatefulSet or DaemonSet (asks first)",
        ),
        views(
            Views::Only(XRAY),
            b(
                "fold_close",
                vec![Key::ch('h'), Key::plain(KeyCode::Left)],
                Action::FoldClose,
                "xray: close the node under the cursor (again: go to its parent)",
            ),
        ),
        views(
            Views::Only(XRAY),
            b(
                "fold_open",
                vec![Key::plain(KeyCode::Right)],
                Action::FoldOpen,
                "xray: open the node under the cursor (l too, on a closed node; Enter toggles)",
            ),
        ),
        views(
            Views::Only(HELM),
            b(
                "helm_values",
                vec![Key::ch('v')],
                Action::HelmValues,
                "Helm: the values given to the selected revision (a there: every computed value)",
            ),
        ),
        views(
            Views::Only(RUNS),
            b(
                "cancel_run",
                vec![Key::ch('c')],
                Action::CancelRun,
                "cancel the selected PipelineRun (asks first; c copies a name in other views)",
            ),
        ),
        b(
            "rerun",
            vec![Key::ch('r')],
            Action::Rerun,
            "rerun the selected PipelineRun (asks first)",
        ),
    ];
    const SORT_DESCS: [&str; 10] = [
        "sort by column 1 (again: reverse)",
        "sort by column 2 (again: reverse)",
        "sort by column 3 (again: reverse)",
        "sort by column 4 (again: reverse)",
        "sort by column 5 (again: reverse)",
        "sort by column 6 (again: reverse)",
        "sort by column 7 (again: reverse)",
        "sort by column 8 (again: reverse)",
        "sort by column 9 (again: reverse)",
        "sort by column 10 (again: reverse)",
    ];
    const SORT_NAMES: [&str; 10] = [
        "sort_1", "sort_2", "sort_3", "sort_4", "sort_5", "sort_6", "sort_7", "sort_8", "sort_9",
        "sort_10",
    ];
    const FAVOURITE_NAMES: [&str; 10] = [
        "favourite_1",
        "favourite_2",
        "favourite_3",
        "favourite_4",
        "favourite_5",
        "favourite_6",
        "favourite_7",
        "favourite_8",
        "favourite_9",
        "favourite_0",
    ];
    const FAVOURITE_DESCS: [&str; 10] = [
        "namespaces view: the favourite namespace N (the latest switched to; 0: all)",
        "namespaces view: the second favourite namespace",
        "namespaces view: the third favourite namespace",
        "namespaces view: the fourth favourite namespace",
        "namespaces view: the fifth favourite namespace",
        "namespaces view: the sixth favourite namespace",
        "namespaces view: the seventh favourite namespace",
        "namespaces view: the eighth favourite namespace",
        "namespaces view: the ninth favourite namespace",
        "namespaces view: every namespace",
    ];
    const NAMESPACES: &[View] = &[View::Namespaces];
    for (i, name) in FAVOURITE_NAMES.into_iter().enumerate() {
        let (digit, rank) = if i == 9 {
            ('0', 0)
        } else {
            (char::from(b'1' + i as u8), i + 1)
        };
        let mut binding = views(
            Views::Only(NAMESPACES),
            b(
                name,
                vec![Key::ch(digit)],
                Action::Favourite(rank),
                FAVOURITE_DESCS[i],
            ),
        );
        binding.section = Section::Table;
        out.push(binding);
    }
    for (i, name) in SORT_NAMES.into_iter().enumerate() {
        // 1-9, then 0 for the tenth column (the nodes view's PRESSURE).
        let digit = if i == 9 {
            '0'
        } else {
            char::from(b'1' + i as u8)
        };
        out.push(views(
            Views::Except(NAMESPACES),
            b(name, vec![Key::ch(digit)], Action::SortBy(i), SORT_DESCS[i]),
        ));
    }
    out.push(b(
        "quit",
        vec![Key::ctrl('c')],
        Action::Quit,
        "quit (also :q)",
    ));
    for binding in &mut out {
        if TABLE_ONLY.contains(&binding.name) || binding.name.starts_with("sort_") {
            binding.section = Section::Table;
        }
    }
    out.extend(log_and_pane_bindings());
    out
}

/// Actions that change the cluster: hidden from help in read-only mode.
pub fn is_mutation(action: Action) -> bool {
    matches!(
        action,
        Action::Delete
            | Action::CancelRun
            | Action::Rerun
            | Action::Scale
            | Action::RolloutRestart
            | Action::Edit
            | Action::PortForward
            | Action::Shell
            | Action::Debug
            | Action::Attach
            | Action::Cordon
            | Action::Uncordon
    )
}
