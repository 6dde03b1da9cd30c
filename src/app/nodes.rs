//! `update` for node actions: cordon, uncordon and drain (each asks first, and names what it
//! will do).

use super::action::{Effect, OnConfirm};
use super::selection::selected_node;
use super::state::{App, Mode, Pending, Severity};

fn error(app: &mut App, text: impl Into<String>) {
    app.message = Some((Severity::Error, text.into()));
}

/// Ask before a destructive action; refuse it outright in read-only mode.
pub fn confirm(app: &mut App, effect: Effect, prompt: String) {
    if app.readonly {
        error(app, "read-only mode: changes to the cluster are disabled");
        return;
    }
    app.pending = Some(Pending {
        prompt,
        on_confirm: OnConfirm::Run(Box::new(effect)),
    });
    app.mode = Mode::Confirm;
}

/// `:drain`: show what would be evicted, and drain after confirmation.
pub fn drain(app: &mut App) {
    let Some(node) = selected_node(app) else {
        error(app, "select a node to drain");
        return;
    };
    let plan = crate::kube::drain::DrainPlan::for_node(&node.name, app.tables.pods.all_rows());
    let prompt = plan.summary();
    confirm(app, Effect::Drain(node.cluster, plan), prompt);
}

/// Cordon or uncordon the selected node, after confirmation.
pub fn cordon(app: &mut App, on: bool) {
    let Some(node) = selected_node(app) else {
        error(app, "select a node to cordon or uncordon");
        return;
    };
    let name = &node.name;
    let prompt = if on {
        format!("Cordon node/{name}? New pods will not be scheduled on it.")
    } else {
        format!("Uncordon node/{name}? Pods may be scheduled on it again.")
    };
    confirm(app, Effect::Cordon(node, on), prompt);
}
