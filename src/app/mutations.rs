//! `update` for the changes to the cluster a key asks for (delete, cancel and rerun a
//! PipelineRun, scale and restart a workload): each is confirmed first, names its object and cluster, and is refused in
//! read-only mode.

use super::action::{Action, Effect};
use super::nodes::confirm;
use super::notice::Notice;
use super::prompt::Question;
use super::selection::selected_object;
use super::state::{App, View};
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;

/// The selection, if it is a resource with `subresource` or of one of `plurals` (apps group).
fn selected_workload(
    app: &mut App,
    what: &'static str,
    plurals: &'static [&'static str],
) -> Option<ObjectRef> {
    let obj = selected_object(app);
    let fits = obj
        .as_ref()
        .and_then(|o| o.api.as_ref())
        .is_some_and(|a| a.group == "apps" && plurals.contains(&a.plural.as_str()));
    if !fits {
        app.say(Notice::WorkloadsOnly {
            what,
            kinds: plurals,
        });
        return None;
    }
    obj
}

/// `:scale N`: set the selected workload's replicas, after confirmation.
pub fn scale(app: &mut App, replicas: Option<&str>) {
    let Some(obj) = selected_workload(
        app,
        "scale",
        &["deployments", "statefulsets", "replicasets"],
    ) else {
        return;
    };
    let Some(n) = replicas
        .and_then(|r| r.parse::<i32>().ok())
        .filter(|n| *n >= 0)
    else {
        app.say(Notice::Refused(
            "scale how far? :scale REPLICAS (0 or more)",
        ));
        return;
    };
    let question = Question::Scale {
        obj: obj.clone(),
        replicas: n,
    };
    confirm(app, Effect::Scale(obj, n), question);
}

/// `:restart`: restart the selected workload's pods, after confirmation.
pub fn rollout_restart(app: &mut App) {
    let Some(obj) = selected_workload(
        app,
        "rollout restart",
        &["deployments", "statefulsets", "daemonsets"],
    ) else {
        return;
    };
    let question = Question::RolloutRestart(obj.clone());
    confirm(app, Effect::RolloutRestart(obj), question);
}

/// Ask before deleting, cancelling or rerunning the selection.
pub fn ask(app: &mut App, action: Action) {
    let Some(obj) = selected_object(app) else {
        return;
    };
    match (action, obj.kind) {
        (
            Action::Delete,
            ResourceKind::Pods | ResourceKind::PipelineRuns | ResourceKind::TaskRuns,
        ) => {
            let question = Question::Delete {
                obj: obj.clone(),
                dependents: false,
            };
            confirm(app, Effect::Delete(obj), question);
            type_to_confirm(app);
        }
        (Action::Delete, ResourceKind::Generic) => {
            // As kubectl deletes: its dependents (a Deployment's ReplicaSets and pods) go too,
            // in the background.
            let question = Question::Delete {
                obj: obj.clone(),
                dependents: true,
            };
            confirm(app, Effect::Delete(obj), question);
            type_to_confirm(app);
        }
        (Action::Delete, kind) => app.say(Notice::CannotDelete(kind)),
        (Action::CancelRun, ResourceKind::PipelineRuns) => {
            let finished = app
                .tables
                .runs
                .selected_row()
                .is_some_and(|r| r.state.finished());
            if finished && app.view == View::PipelineRuns {
                app.say(Notice::AlreadyFinished(obj.name.clone()));
            } else {
                let question = Question::Cancel(obj.clone());
                confirm(app, Effect::CancelRun(obj), question);
            }
        }
        (Action::Rerun, ResourceKind::PipelineRuns) => {
            let question = Question::Rerun(obj.clone());
            confirm(app, Effect::Rerun(obj), question);
        }
        (Action::CancelRun | Action::Rerun, _) => {
            app.say(Notice::Refused("cancel and rerun apply to PipelineRuns"));
        }
        _ => {}
    }
}

/// A delete in a production-like cluster (marked in the config) asks for the object's name to
/// be typed instead of `y`.
fn type_to_confirm(app: &mut App) {
    let production =
        |app: &App, obj: &crate::kube::object_ref::ObjectRef| app.fleet.is_production(&obj.cluster);
    let Some(p) = app.prompt.pending.as_ref() else {
        return;
    };
    let super::action::OnConfirm::Run(effect) = &p.on_confirm else {
        return;
    };
    let Effect::Delete(obj) = effect.as_ref() else {
        return;
    };
    if !production(app, obj) {
        return;
    }
    let name = obj.name.clone();
    app.prompt.input.clear();
    if let Some(p) = app.prompt.pending.as_mut() {
        p.typed = Some(name);
    }
}
