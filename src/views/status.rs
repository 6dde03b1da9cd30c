//! The top bar (context, namespace, server) and the bottom bar (informer states, messages, or the
//! filter/command line being typed).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::clean;
use super::theme::Theme;
use crate::app::picker::PickFor;
use crate::app::{App, Mode, Severity, View};
use crate::kube::informer::{InformerState, ResourceKind};

pub fn draw_top(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut spans = vec![
        Span::styled(" kubedeck ", theme.accent),
        Span::raw(" ctx: "),
    ];
    // Production-like contexts (marked in the config) stand out.
    for (i, c) in app.fleet.clusters.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(", "));
        }
        let style = if app.fleet.is_production(c) {
            theme.error
        } else {
            theme.header
        };
        spans.push(Span::styled(clean(c.context()).into_owned(), style));
    }
    spans.push(Span::raw("  ns: "));
    spans.push(Span::styled(
        clean(app.fleet.scope.label()).into_owned(),
        theme.header,
    ));
    if !app.fleet.multi() {
        spans.push(Span::styled(format!("  {}", app.fleet.server), theme.muted));
    }
    if app.readonly {
        spans.push(Span::styled("  [read-only]", theme.warning));
    }
    let live = app
        .sessions
        .open
        .values()
        .filter(|s| s.state.is_live())
        .count();
    if live > 0 {
        spans.push(Span::styled(format!("  {live} session(s)"), theme.ok));
    }
    let recording = app
        .sessions
        .open
        .values()
        .filter(|s| s.recording.is_some())
        .count();
    if recording > 0 {
        spans.push(Span::styled(format!("  ● REC {recording}"), theme.error));
    }
    spans.push(Span::styled("   ? help", theme.muted));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn state_style(theme: &Theme, s: &InformerState) -> Style {
    match s {
        InformerState::Live => theme.ok,
        InformerState::Syncing => theme.pending,
        InformerState::Reconnecting(_)
        | InformerState::Unauthorized(_)
        | InformerState::Forbidden(_) => theme.error,
        InformerState::NotInstalled | InformerState::NotWatched => theme.muted,
    }
}

pub fn draw_bottom(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let line = match app.prompt.mode {
        Mode::Filter if !app.panes.dashboard_focused() => Line::from(vec![
            Span::styled("show lines matching (!hide, ~regex): ", theme.accent),
            Span::raw(clean(&app.prompt.input).into_owned()),
            Span::styled("█", theme.muted),
        ]),
        Mode::Filter => Line::from(vec![
            Span::styled("/", theme.accent),
            Span::raw(clean(&app.prompt.input).into_owned()),
            Span::styled("█", theme.muted),
        ]),
        Mode::Command => Line::from(vec![
            Span::styled(":", theme.accent),
            Span::raw(clean(&app.prompt.input).into_owned()),
            Span::styled("█", theme.muted),
        ]),
        Mode::Search => Line::from(vec![
            Span::styled("search: ", theme.accent),
            Span::raw(clean(&app.prompt.input).into_owned()),
            Span::styled("█", theme.muted),
        ]),
        Mode::Confirm
            if app
                .prompt
                .pending
                .as_ref()
                .is_some_and(|p| p.typed.is_some()) =>
        {
            match &app.notice {
                Some(n) if n.severity() == Severity::Error => {
                    Line::styled(format!(" {}", clean(&super::notice::text(n))), theme.error)
                }
                _ => Line::styled(
                    " type the name and Enter to confirm, Esc cancels",
                    theme.error,
                ),
            }
        }
        Mode::Confirm => Line::styled(" y confirms, any other key cancels", theme.warning),
        Mode::Pick => Line::styled(
            if app
                .prompt
                .picker
                .as_ref()
                .is_some_and(|p| matches!(p.purpose, PickFor::Logs | PickFor::PreviousLogs))
            {
                " j/k choose, Enter opens, a: all containers, Esc cancels"
            } else {
                " j/k choose, Enter opens, Esc cancels"
            },
            theme.header,
        ),
        Mode::PluginInput => {
            let ask = crate::app::extensions::run::asking(app).map(|(def, input)| {
                let label = input.label.clone().unwrap_or_else(|| input.name.clone());
                let hint = match input.kind {
                    crate::k9s_files::InputKind::String => String::new(),
                    crate::k9s_files::InputKind::Number => " (a number)".into(),
                    crate::k9s_files::InputKind::Bool => " (y/n)".into(),
                    crate::k9s_files::InputKind::Dropdown => {
                        format!(" ({}; Tab: next)", input.options.join("|"))
                    }
                };
                format!("{} · {label}{hint}: ", def.name)
            });
            Line::from(vec![
                Span::styled(clean(&ask.unwrap_or_default()).into_owned(), theme.accent),
                Span::raw(clean(&app.prompt.input).into_owned()),
                Span::styled("█", theme.muted),
            ])
        }
        Mode::Save => Line::from(vec![
            Span::styled("save to: ", theme.accent),
            Span::raw(clean(&app.prompt.input).into_owned()),
            Span::styled("█", theme.muted),
        ]),
        Mode::Table | Mode::Help => {
            let mut spans = Vec::new();
            if app.panes.terminal_focused() {
                let prefix = &app.sessions.settings.prefix_label;
                if app.sessions.prefix_armed {
                    spans.push(Span::styled(
                        format!(" {prefix}: Tab pane  z zoom  [ scroll  r record  d detach  K end  : command  ? help "),
                        theme.selection,
                    ));
                } else {
                    spans.push(Span::styled(
                        format!(" keys go to the shell; {prefix} then a key for kubedeck "),
                        theme.accent,
                    ));
                }
                spans.push(Span::styled("│", theme.muted));
            }
            // A message (an error, a result) goes first: the counts are the least urgent part.
            if let Some(notice) = &app.notice {
                let style = if notice.severity() == Severity::Error {
                    theme.error
                } else {
                    theme.header
                };
                let text = super::notice::text(notice);
                spans.push(Span::styled(format!(" {} ", clean(&text)), style));
                spans.push(Span::styled("│", theme.muted));
            }
            // Several clusters: each one's state and counts, its problems named.
            if app.fleet.multi() {
                for (text, state) in cluster_summaries(app) {
                    spans.push(Span::styled(text, state_style(theme, &state)));
                    spans.push(Span::styled("│", theme.muted));
                }
                return frame.render_widget(
                    Paragraph::new(Line::from(spans)).style(theme.status_bar),
                    area,
                );
            }
            // Every informer problem, each once with the kinds it affects: one kind failing
            // never hides another's (a reconnect error and a forbidden kind both show).
            for (kinds, problem) in problems(app) {
                spans.push(Span::styled(
                    format!(" {}: {} ", kinds.join(", "), clean(&problem)),
                    theme.error,
                ));
                spans.push(Span::styled("│", theme.muted));
            }
            // The rest: counts of the live kinds, the state of the others.
            for kind in ResourceKind::ALL {
                let state = app.fleet.informer(kind);
                if state.problem().is_some() {
                    continue;
                }
                let count = app.fleet.count(kind);
                let text = match &state {
                    InformerState::Live => format!(" {} {count} ", kind.label()),
                    other => format!(" {} {} ", kind.label(), other.short()),
                };
                spans.push(Span::styled(text, state_style(theme, &state)));
                spans.push(Span::styled("│", theme.muted));
            }
            if matches!(app.view, View::Nodes | View::Pods)
                && let Some(why) = &app.fleet.metrics().unavailable
            {
                spans.push(Span::styled(format!(" {} ", clean(why)), theme.warning));
                spans.push(Span::styled("│", theme.muted));
            }
            Line::from(spans)
        }
    };
    frame.render_widget(Paragraph::new(line).style(theme.status_bar), area);
}

/// One segment per shown cluster: `eu-1: live · 120 pods · 5 nodes`, `us-1: syncing`, or its
/// problems with the kinds they affect (`us-1: pods forbidden: …`); the state colours it.
fn cluster_summaries(app: &App) -> Vec<(String, InformerState)> {
    // A cluster is syncing until these are listed; problems are said for every reported kind.
    let syncing_kinds = [
        ResourceKind::Pods,
        ResourceKind::Nodes,
        ResourceKind::Events,
        ResourceKind::PipelineRuns,
    ];
    let reported = reported_kinds(app);
    app.fleet
        .clusters
        .iter()
        .map(|c| {
            let status = app.fleet.status_of(c);
            let name = clean(c.context()).into_owned();
            let mut problems: Vec<(Vec<String>, String, InformerState)> = Vec::new();
            for (k, label) in reported.iter().cloned() {
                let state = status.informer(k);
                if let Some(text) = state.problem() {
                    let text = format!("{} ({})", state.short(), clean(text));
                    match problems.iter_mut().find(|(_, t, _)| *t == text) {
                        Some((ks, _, _)) => ks.push(label),
                        None => problems.push((vec![label], text, state.clone())),
                    }
                }
            }
            if let Some((_, _, first)) = problems.first() {
                let first = first.clone();
                let said: Vec<String> = problems
                    .into_iter()
                    .map(|(ks, text, _)| format!("{} {text}", ks.join(", ")))
                    .collect();
                return (format!(" {name}: {} ", said.join("; ")), first);
            }
            if syncing_kinds
                .iter()
                .any(|k| status.informer(*k) == InformerState::Syncing)
            {
                return (format!(" {name}: syncing "), InformerState::Syncing);
            }
            let count = |k: ResourceKind| status.counts.get(&k).copied().unwrap_or(0);
            (
                format!(
                    " {name}: live · {} pods · {} nodes ",
                    count(ResourceKind::Pods),
                    count(ResourceKind::Nodes)
                ),
                InformerState::Live,
            )
        })
        .collect()
}

/// The kinds whose watch problems the bar says on this view, with the name it says them by:
/// every view's kinds, the workloads on the timeline (without them its rollouts, scales and
/// image changes are missing), and the kind a `:KIND` view shows (by its plural).
fn reported_kinds(app: &App) -> Vec<(ResourceKind, String)> {
    let shown = app
        .resource
        .as_ref()
        .filter(|_| app.view == View::Resource)
        .map(|r| (ResourceKind::Generic, clean(&r.api.plural).into_owned()));
    let workloads = (app.view == View::Timeline).then(|| {
        (
            ResourceKind::Workloads,
            "workloads (rollouts, scales)".to_string(),
        )
    });
    ResourceKind::ALL
        .into_iter()
        .map(|k| (k, k.label().to_string()))
        .chain(workloads)
        .chain(shown)
        .collect()
}

/// The informers' problems, in kind order, each once with the kinds that have it:
/// `pods, events: reconnecting: cannot reach the API server: …` (the kind a `:KIND` view
/// shows by its name, while it is shown).
fn problems(app: &App) -> Vec<(Vec<String>, String)> {
    let mut out: Vec<(Vec<String>, String)> = Vec::new();
    for (kind, label) in reported_kinds(app) {
        let state = app.fleet.informer(kind);
        let Some(text) = state.problem() else {
            continue;
        };
        let text = format!("{}: {text}", state.short());
        match out.iter_mut().find(|(_, t)| *t == text) {
            Some((kinds, _)) => kinds.push(label),
            None => out.push((vec![label], text)),
        }
    }
    out
}
