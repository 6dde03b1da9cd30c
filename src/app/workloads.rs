//! `update` for the workload changes an on-call reaches for: set a container's image (`i` or
//! `:set-image`), roll a Deployment back to a revision (`:rollback`, from the revisions
//! listed), trigger a CronJob now (`:trigger`) and suspend or resume it. Each is confirmed
//! naming the object and the context (the name typed on a production-like cluster), refused
//! read-only, and a rollout it starts is followed on the status line.

use super::action::Effect;
use super::mutations::{confirm, type_to_confirm};
use super::notice::Notice;
use super::picker::{PickFor, Picked, Picker};
use super::prompt::Question;
use super::selection::selected_object;
use super::state::{App, Mode, View};
use crate::kube::object_ref::ObjectRef;
use crate::kube::workload_ops::Revision;

const WITH_TEMPLATE: &[&str] = &["deployments", "statefulsets", "daemonsets"];

/// The selection, when it is one of `plurals` of `group`; said otherwise.
fn selected_of(
    app: &mut App,
    what: &'static str,
    group: &str,
    plurals: &'static [&'static str],
) -> Option<ObjectRef> {
    let obj = selected_object(app).filter(|o| {
        o.api
            .as_ref()
            .is_some_and(|a| a.group == group && plurals.contains(&a.plural.as_str()))
    });
    if obj.is_none() {
        app.say(Notice::WorkloadsOnly {
            what,
            kinds: plurals,
        });
    }
    obj
}

/// The selected workload's containers and their images, from its row (the server's
/// CONTAINERS and IMAGES columns).
fn containers_of(app: &App) -> Vec<(String, String)> {
    let Some(row) = app.tables.resource.selected_row() else {
        return Vec::new();
    };
    let split = |s: Option<String>| -> Vec<String> {
        s.unwrap_or_default()
            .split(',')
            .map(|x| x.trim().to_string())
            .filter(|x| !x.is_empty())
            .collect()
    };
    let names = split(row.cell_named("Containers"));
    let images = split(row.cell_named("Images"));
    names
        .into_iter()
        .zip(images.into_iter().chain(std::iter::repeat(String::new())))
        .collect()
}

/// Open the command line with `set-image NAME=IMAGE` to edit.
fn edit_image(app: &mut App, container: &str, image: &str) {
    app.prompt.mode = Mode::Command;
    app.prompt.input = format!("set-image {container}={image}");
}

/// `i` on a workload: pick the container (when it has several), then edit its image on the
/// command line, the current one filled in.
pub fn start_set_image(app: &mut App) {
    let Some(obj) = selected_of(app, "set image", "apps", WITH_TEMPLATE) else {
        return;
    };
    if app.readonly {
        app.say(Notice::Refused(
            "read-only mode: changes to the cluster are disabled",
        ));
        return;
    }
    match containers_of(app).as_slice() {
        [] => {
            app.prompt.mode = Mode::Command;
            app.prompt.input = "set-image ".into();
        }
        [(name, image)] => {
            let (name, image) = (name.clone(), image.clone());
            edit_image(app, &name, &image);
        }
        several => {
            let items = several
                .iter()
                .map(|(n, i)| format!("{n:<24} {i}"))
                .collect();
            let values = several.iter().map(|(n, i)| format!("{n}={i}")).collect();
            app.prompt.open_picker(Picker {
                title: format!("set the image of a container of {}", obj.name),
                items,
                values,
                selected: 0,
                pod: obj,
                purpose: PickFor::ImageOf,
            });
        }
    }
}

/// `:set-image [NAME=]IMAGE`: set it on the selected workload, after confirmation.
pub fn set_image(app: &mut App, arg: Option<&str>) {
    let Some(obj) = selected_of(app, "set image", "apps", WITH_TEMPLATE) else {
        return;
    };
    let Some(arg) = arg.map(str::trim).filter(|a| !a.is_empty()) else {
        app.say(Notice::Refused(
            "which image? :set-image CONTAINER=IMAGE (or IMAGE for a single container)",
        ));
        return;
    };
    let containers = containers_of(app);
    let (container, image) = match arg.split_once('=') {
        Some((c, i)) => (c.to_string(), i.to_string()),
        None => match containers.as_slice() {
            [(name, _)] => (name.clone(), arg.to_string()),
            _ => {
                app.say(Notice::Refused(
                    "which container? :set-image CONTAINER=IMAGE (it has several)",
                ));
                return;
            }
        },
    };
    if image.is_empty() || image.contains(char::is_whitespace) {
        app.say(Notice::Invalid(format!("{image:?} is not an image")));
        return;
    }
    if !containers.is_empty() && !containers.iter().any(|(n, _)| *n == container) {
        let names: Vec<&str> = containers.iter().map(|(n, _)| n.as_str()).collect();
        app.say(Notice::Invalid(format!(
            "{} has no container {container} (it has {})",
            obj.name,
            names.join(", ")
        )));
        return;
    }
    let question = Question::SetImage {
        obj: obj.clone(),
        container: container.clone(),
        image: image.clone(),
    };
    confirm(
        app,
        Effect::SetImage {
            obj,
            container,
            image,
        },
        question,
    );
    type_to_confirm(app);
}

/// `:rollback [REVISION]`: the selected Deployment's, StatefulSet's or DaemonSet's revisions
/// (its ReplicaSets, or its ControllerRevisions) are listed to pick from (or
/// the one named is used once they are known).
pub fn rollback(app: &mut App, revision: Option<&str>) -> Vec<Effect> {
    let Some(obj) = selected_of(
        app,
        "roll back",
        "apps",
        &["deployments", "statefulsets", "daemonsets"],
    ) else {
        return Vec::new();
    };
    if app.readonly {
        app.say(Notice::Refused(
            "read-only mode: changes to the cluster are disabled",
        ));
        return Vec::new();
    }
    let wanted = match revision.map(str::parse::<i64>) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            app.say(Notice::Invalid(":rollback [REVISION]: a number".into()));
            return Vec::new();
        }
    };
    app.workloads.wanted_revision = wanted;
    app.say(Notice::Reading(format!("revisions of {}", obj.label())));
    vec![Effect::LoadRevisions(obj)]
}

/// The revisions came: listed to pick from (newest first, the current one said), or the one
/// `:rollback N` named is confirmed.
pub fn revisions(
    app: &mut App,
    obj: ObjectRef,
    result: Result<Vec<Revision>, crate::kube::actions::ActionError>,
) {
    let revisions = match result {
        Ok(r) => r,
        Err(error) => {
            app.say(Notice::CannotRead {
                label: format!("the revisions of {}", obj.label()),
                error,
            });
            return;
        }
    };
    let current = revisions.first().map(|r| r.number);
    if revisions.len() < 2 {
        app.say(Notice::Invalid(format!(
            "{} has no earlier revision to roll back to",
            obj.label()
        )));
        return;
    }
    if let Some(n) = app.workloads.wanted_revision.take() {
        match revisions.iter().find(|r| r.number == n) {
            Some(_) if Some(n) == current => {
                app.say(Notice::Invalid(format!("revision {n} is the current one")));
            }
            Some(r) => ask_rollback(app, obj, r.clone()),
            None => app.say(Notice::Invalid(format!(
                "{} has no revision {n}",
                obj.label()
            ))),
        }
        return;
    }
    let now = app.now;
    let items = revisions
        .iter()
        .map(|r| {
            let age = crate::kube::age::since(r.created, now);
            let cause = r.change_cause.clone().unwrap_or_else(|| "<none>".into());
            let current = if Some(r.number) == current {
                " (current)"
            } else {
                ""
            };
            format!(
                "{:<4} {:<40} {:<24} {:>6} {} pods{current}",
                r.number,
                r.images.join(","),
                cause,
                age,
                r.pods
            )
        })
        .collect();
    let values = revisions.iter().map(|r| r.number.to_string()).collect();
    app.workloads.revisions = Some((obj.clone(), revisions));
    app.prompt.open_picker(Picker {
        title: format!(
            "roll {} back to: REVISION IMAGES CHANGE-CAUSE AGE PODS",
            obj.name
        ),
        items,
        values,
        selected: 1,
        pod: obj,
        purpose: PickFor::Revision,
    });
}

fn ask_rollback(app: &mut App, obj: ObjectRef, to: Revision) {
    let question = Question::Rollback {
        obj: obj.clone(),
        revision: to.number,
        images: to.images.clone(),
    };
    confirm(app, Effect::Rollback(obj, to), question);
    type_to_confirm(app);
}

/// A choice from the container or revision pickers.
pub fn picked(app: &mut App, picked: Picked) -> Vec<Effect> {
    let Picked { picker, value } = picked;
    match picker.purpose {
        PickFor::ImageOf => {
            let (name, image) = value.split_once('=').unwrap_or((value.as_str(), ""));
            edit_image(app, name, image);
        }
        PickFor::Revision => {
            let chosen = app.workloads.revisions.take().and_then(|(obj, revs)| {
                let n: i64 = value.parse().ok()?;
                let current = revs.first().map(|r| r.number);
                let r = revs.into_iter().find(|r| r.number == n)?;
                Some((obj, r, current))
            });
            match chosen {
                Some((_, r, current)) if Some(r.number) == current => app.say(Notice::Invalid(
                    format!("revision {} is the current one", r.number),
                )),
                Some((obj, r, _)) => ask_rollback(app, obj, r),
                None => {}
            }
        }
        _ => {}
    }
    Vec::new()
}

/// `:trigger`: a Job from the selected CronJob, now, after confirmation.
pub fn trigger(app: &mut App) {
    let Some(obj) = selected_of(app, "trigger", "batch", &["cronjobs"]) else {
        return;
    };
    confirm(
        app,
        Effect::TriggerCronJob(obj.clone()),
        Question::Trigger(obj),
    );
    type_to_confirm(app);
}

/// `:suspend` / `:resume` the selected CronJob, after confirmation.
pub fn suspend(app: &mut App, on: bool) {
    let what = if on { "suspend" } else { "resume" };
    let Some(obj) = selected_of(app, what, "batch", &["cronjobs"]) else {
        return;
    };
    confirm(
        app,
        Effect::SuspendCronJob(obj.clone(), on),
        Question::Suspend { obj, on },
    );
    type_to_confirm(app);
}

/// Whether `i` sets an image here (a workload's row) rather than attaching.
pub fn sets_image_here(app: &App) -> bool {
    app.view == View::Resource
        && app.resource.as_ref().is_some_and(|r| {
            r.api.group == "apps" && WITH_TEMPLATE.contains(&r.api.plural.as_str())
        })
}
