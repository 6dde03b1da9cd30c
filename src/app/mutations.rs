//! `update` for the changes to the cluster a key asks for (delete, cancel and rerun a
//! PipelineRun): each is confirmed first, names its object and cluster, and is refused in
//! read-only mode.

use super::action::{Action, Effect};
use super::nodes::confirm;
use super::selection::selected_object;
use super::state::{App, Severity, View};
use crate::kube::informer::ResourceKind;

fn error(app: &mut App, text: impl Into<String>) {
    app.message = Some((Severity::Error, text.into()));
}

/// Ask before deleting, cancelling or rerunning the selection.
pub fn ask(app: &mut App, action: Action) {
    let Some(obj) = selected_object(app) else {
        return;
    };
    let on = format!("{} (context {})", obj.label(), obj.cluster);
    match (action, obj.kind) {
        (
            Action::Delete,
            ResourceKind::Pods | ResourceKind::PipelineRuns | ResourceKind::TaskRuns,
        ) => {
            let prompt = format!("Delete {on}?");
            confirm(app, Effect::Delete(obj), prompt);
        }
        (Action::Delete, kind) => error(
            app,
            format!("kubedeck does not delete {} (use kubectl)", kind.label()),
        ),
        (Action::CancelRun, ResourceKind::PipelineRuns) => {
            let finished = app
                .tables
                .runs
                .selected_row()
                .is_some_and(|r| r.state.finished());
            if finished && app.view == View::PipelineRuns {
                error(app, format!("{} has already finished", obj.name));
            } else {
                let prompt = format!("Cancel {on}?");
                confirm(app, Effect::CancelRun(obj), prompt);
            }
        }
        (Action::Rerun, ResourceKind::PipelineRuns) => {
            let prompt = format!("Start a new run of {on} with the same spec?");
            confirm(app, Effect::Rerun(obj), prompt);
        }
        (Action::CancelRun | Action::Rerun, _) => {
            error(app, "cancel and rerun apply to PipelineRuns");
        }
        _ => {}
    }
}
