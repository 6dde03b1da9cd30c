//! `update` for the changes to the cluster a key asks for (delete, cancel and rerun a
//! PipelineRun, scale and restart a workload): each is confirmed first, names its object and cluster, and is refused in
//! read-only mode.

use super::action::{Action, Effect, OnConfirm};
use super::notice::Notice;
use super::prompt::{ManyVerb, Question};
use super::selection::{marked_objects, selected_object};
use super::state::{App, Mode, Pending, View};
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;

/// Ask before a destructive action; refuse it outright in read-only mode.
pub fn confirm(app: &mut App, effect: Effect, question: Question) {
    if app.readonly {
        app.say(Notice::Refused(
            "read-only mode: changes to the cluster are disabled",
        ));
        return;
    }
    app.prompt.pending = Some(Pending::ask(question, OnConfirm::Run(Box::new(effect))));
    app.prompt.mode = Mode::Confirm;
}

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
    let Some(n) = replicas
        .and_then(|r| r.parse::<i32>().ok())
        .filter(|n| *n >= 0)
    else {
        app.say(Notice::Refused(
            "scale how far? :scale REPLICAS (0 or more)",
        ));
        return;
    };
    if on_marked(app, ManyVerb::Scale(n)) {
        return;
    }
    let Some(obj) = selected_workload(
        app,
        "scale",
        &["deployments", "statefulsets", "replicasets"],
    ) else {
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
    if on_marked(app, ManyVerb::RolloutRestart) {
        return;
    }
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

/// Ask before deleting, cancelling or rerunning the selection (every marked row, when rows
/// are marked).
pub fn ask(app: &mut App, action: Action) {
    let verb = match action {
        Action::Delete => Some(ManyVerb::Delete { dependents: false }),
        Action::CancelRun => Some(ManyVerb::Cancel),
        Action::Rerun => Some(ManyVerb::Rerun),
        _ => None,
    };
    if verb.is_some_and(|v| on_marked(app, v)) {
        return;
    }
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

/// Whether `obj` is something `verb` applies to (the rest are left out, and said).
fn applies(verb: ManyVerb, obj: &ObjectRef) -> bool {
    let apps = |plurals: &[&str]| {
        obj.api
            .as_ref()
            .is_some_and(|a| a.group == "apps" && plurals.contains(&a.plural.as_str()))
    };
    match verb {
        ManyVerb::Delete { .. } => matches!(
            obj.kind,
            ResourceKind::Pods
                | ResourceKind::PipelineRuns
                | ResourceKind::TaskRuns
                | ResourceKind::Generic
        ),
        ManyVerb::Cancel | ManyVerb::Rerun => obj.kind == ResourceKind::PipelineRuns,
        ManyVerb::RolloutRestart => apps(&["deployments", "statefulsets", "daemonsets"]),
        ManyVerb::Scale(_) => apps(&["deployments", "statefulsets", "replicasets"]),
        ManyVerb::Cordon(_) => obj.kind == ResourceKind::Nodes,
    }
}

/// With rows marked, ask to do `verb` to every marked object it applies to; `false` when none
/// are marked (the action is then the selection's).
pub fn on_marked(app: &mut App, verb: ManyVerb) -> bool {
    let marked = marked_objects(app);
    if marked.is_empty() {
        return false;
    }
    let (objects, left_out): (Vec<ObjectRef>, Vec<ObjectRef>) =
        marked.into_iter().partition(|o| applies(verb, o));
    if objects.is_empty() {
        app.say(Notice::NoneApplies {
            marked: left_out.len(),
        });
        return true;
    }
    let verb = match verb {
        ManyVerb::Delete { .. } => ManyVerb::Delete {
            // As kubectl deletes: a workload's dependents go too.
            dependents: objects.iter().any(|o| o.kind == ResourceKind::Generic),
        },
        other => other,
    };
    let effects = objects
        .iter()
        .cloned()
        .map(|o| match verb {
            ManyVerb::Delete { .. } => Effect::Delete(o),
            ManyVerb::Cancel => Effect::CancelRun(o),
            ManyVerb::Rerun => Effect::Rerun(o),
            ManyVerb::RolloutRestart => Effect::RolloutRestart(o),
            ManyVerb::Scale(n) => Effect::Scale(o, n),
            ManyVerb::Cordon(on) => Effect::Cordon(o, on),
        })
        .collect();
    let production = objects.iter().any(|o| app.fleet.is_production(&o.cluster));
    let count = objects.len();
    confirm(
        app,
        Effect::Many(effects),
        Question::Many {
            verb,
            objects,
            left_out: left_out.len(),
        },
    );
    // A delete of many in a production-like cluster: their number is typed, not `y`.
    if production && matches!(verb, ManyVerb::Delete { .. }) {
        app.prompt.input.clear();
        if let Some(p) = app.prompt.pending.as_mut() {
            p.typed = Some(count.to_string());
        }
    }
    true
}

/// A delete in a production-like cluster (marked in the config) asks for the object's name to
/// be typed instead of `y`.
/// On a production-like cluster, the object's name must be typed to confirm.
pub fn type_to_confirm(app: &mut App) {
    let production =
        |app: &App, obj: &crate::kube::object_ref::ObjectRef| app.fleet.is_production(&obj.cluster);
    let Some(p) = app.prompt.pending.as_ref() else {
        return;
    };
    let super::action::OnConfirm::Run(effect) = &p.on_confirm else {
        return;
    };
    let Some(obj) = effect.target() else {
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
