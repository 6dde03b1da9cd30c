//! Why a table is empty, in words a person can act on: still loading, filtered away, forbidden,
//! not installed, or simply nothing there.

use super::table::Empty;
use super::text::clean;
use super::theme::Theme;
use crate::app::App;
use crate::app::table::{Table, TableRow};
use crate::kube::informer::{InformerState, ResourceKind};

pub fn message<R: TableRow>(
    app: &App,
    table: &Table<R>,
    kind: ResourceKind,
    theme: &Theme,
) -> Empty {
    let resource = app
        .resource
        .as_ref()
        .filter(|_| kind == ResourceKind::Generic);
    let what = resource.map_or_else(|| kind.label().to_string(), |r| r.api.plural.clone());
    let cluster_wide = resource.is_some_and(|r| !r.api.namespaced);
    if !table.filter.is_empty() && table.total() > 0 {
        return Empty {
            style: theme.muted,
            text: format!(
                "No {what} match the filter {:?} (Esc clears it)",
                table.filter.text
            ),
        };
    }
    if table.only_flagged && table.total() > 0 {
        return Empty {
            style: theme.ok,
            text: format!("No {what} need attention (w shows all)"),
        };
    }
    let (style, text) = match app.fleet.informer(kind) {
        InformerState::Syncing => (
            theme.pending,
            format!("Loading {what} from {} …", app.fleet.server),
        ),
        InformerState::Live => match &table.pin {
            Some(pin) => (theme.muted, format!("No {what} for {}", pin.label())),
            None if kind == ResourceKind::Nodes
                || kind == ResourceKind::Namespaces
                || cluster_wide =>
            {
                (theme.muted, format!("No {what}"))
            }
            None => (
                theme.muted,
                format!(
                    "No {what} in {}",
                    match resource
                        .and_then(|r| r.namespace.as_deref())
                        .or(app.fleet.scope.namespace())
                    {
                        None => "any namespace".into(),
                        Some(ns) => format!("namespace {}", clean(ns)),
                    }
                ),
            ),
        },
        InformerState::Reconnecting(e) => (
            theme.error,
            format!(
                "{} — {}\nRetrying with backoff…",
                app.fleet.server,
                clean(&e)
            ),
        ),
        InformerState::Unauthorized(e) => (
            theme.error,
            format!(
                "{} — {}\nRenew the credentials (log in again); kubedeck reads the kubeconfig again on each retry",
                app.fleet.server,
                clean(&e)
            ),
        ),
        InformerState::Forbidden(e) => (
            theme.error,
            format!(
                "Forbidden: {}\nAsk for list/watch on {what}, or pick a namespace with :ns NAME",
                clean(&e)
            ),
        ),
        InformerState::NotWatched => (
            theme.muted,
            format!("{what} are not watched in this cluster ([watch] in the config)"),
        ),
        InformerState::NotInstalled => (
            theme.muted,
            if kind == ResourceKind::PipelineRuns || kind == ResourceKind::TaskRuns {
                "Tekton is not installed in this cluster (no tekton.dev/v1 or v1beta1 API)".into()
            } else {
                format!("The {what} API is not served by this cluster")
            },
        ),
    };
    Empty { style, text }
}

/// The triage screen's empty state: good news, or why we cannot tell yet.
pub fn triage(app: &App, theme: &Theme) -> Empty {
    let syncing: Vec<&str> = [
        ResourceKind::Pods,
        ResourceKind::Nodes,
        ResourceKind::Events,
    ]
    .into_iter()
    .filter(|k| app.fleet.informer(*k) == InformerState::Syncing)
    .map(ResourceKind::label)
    .collect();
    if !syncing.is_empty() {
        return Empty {
            style: theme.pending,
            text: format!("Loading {} …", syncing.join(", ")),
        };
    }
    if !app.tables.triage.filter.is_empty() && app.tables.triage.total() > 0 {
        return Empty {
            style: theme.muted,
            text: "No problems match the filter (Esc clears it)".into(),
        };
    }
    Empty {
        style: theme.ok,
        text:
            "Nothing looks broken: no crash loops, OOM kills, image pull errors, failing probes, \
               stuck pending pods, failed PipelineRuns, unhealthy nodes or warning events."
                .into(),
    }
}
