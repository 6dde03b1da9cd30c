//! `:helm [NS]`: Helm releases read from their Secrets (no helm binary needed), `Enter` a
//! release's history, and for a revision `Enter` its status and notes, `v` the values given
//! (`a` there: every computed value), `y` the manifest, each searchable in the pane. A
//! rollback (`:rollback` in the history) runs `helm rollback` in a pane after confirmation,
//! since Helm's hooks and three-way patch are Helm's own.

use std::sync::Arc;

use super::action::{Effect, OnConfirm};
use super::detail::{Detail, DetailKind, DocLine, HelmPart, Role, span};
use super::helm_rows::{HelmRow, RevisionRow};
use super::navigate::{go_view, navigate};
use super::notice::Notice;
use super::prompt::Question;
use super::state::{App, Mode, Pending, View};
use crate::kube::error::ApiError;
use crate::kube::helm::{Content, HelmError, Summary, latest, to_yaml};
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;

/// `:helm [NS]`: the releases of NS (else the namespace shown, else every namespace), in
/// every cluster shown, listed again each time.
pub fn open(app: &mut App, namespace: Option<String>) -> Vec<Effect> {
    let namespace = namespace
        .filter(|n| n != "all" && n != "-A")
        .or_else(|| app.fleet.scope.namespace().map(str::to_string));
    if app.helm.namespace != namespace {
        app.helm.revisions.clear();
    }
    app.helm.namespace = namespace.clone();
    app.helm.failed.clear();
    go_view(app, View::Helm);
    refresh(app);
    app.fleet
        .clusters
        .iter()
        .map(|c| Effect::LoadHelm(c.clone(), namespace.clone()))
        .collect()
}

/// A cluster's releases came (or could not be listed: said, with what `:helm` needs).
pub fn listed(
    app: &mut App,
    cluster: ClusterId,
    result: Result<(Vec<Summary>, Vec<HelmError>), ApiError>,
) {
    match result {
        Ok((revisions, unreadable)) => {
            app.helm.failed.remove(&cluster);
            app.helm.revisions.insert(cluster, revisions);
            if let Some(first) = unreadable.first() {
                app.say(Notice::HelmUnreadable {
                    count: unreadable.len(),
                    first: first.to_string(),
                });
            }
        }
        Err(e) => {
            app.helm.revisions.remove(&cluster);
            app.say(Notice::HelmFailed(e.clone()));
            app.helm.failed.insert(cluster, e);
        }
    }
    refresh(app);
}

/// The tables from what was listed: each release's newest revision, and the history shown.
fn refresh(app: &mut App) {
    let mut releases = Vec::new();
    let mut history = Vec::new();
    for (cluster, revisions) in &app.helm.revisions {
        releases.extend(
            latest(revisions)
                .into_iter()
                .map(|r| Arc::new(HelmRow::new(cluster.clone(), r))),
        );
        if let Some((c, ns, name)) = &app.helm.history_of
            && c == cluster
        {
            history.extend(
                revisions
                    .iter()
                    .filter(|r| r.namespace == *ns && r.name == *name)
                    .map(|r| Arc::new(RevisionRow(HelmRow::new(cluster.clone(), r.clone())))),
            );
        }
    }
    app.tables.helm.set_rows(releases);
    app.tables.helm_history.set_rows(history);
}

/// `Enter` on a release: its history.
pub fn open_history(app: &mut App) {
    let Some(row) = app.tables.helm.selected_row().cloned() else {
        return;
    };
    let r = &row.release;
    app.helm.history_of = Some((row.cluster.clone(), r.namespace.clone(), r.name.clone()));
    navigate(app, View::HelmHistory);
    app.tables.helm_history = Default::default();
    refresh(app);
}

/// The revision under the cursor: in the history, or a release's newest in the list.
fn selected(app: &App) -> Option<HelmRow> {
    match app.view {
        View::HelmHistory => app.tables.helm_history.selected_row().map(|r| r.0.clone()),
        View::Helm => app.tables.helm.selected_row().map(|r| (*r).clone()),
        _ => None,
    }
}

/// Show `part` of the selected revision in the pane (fetched and decoded now).
pub fn show(app: &mut App, part: HelmPart) -> Vec<Effect> {
    let Some(row) = selected(app) else {
        app.say(Notice::Tip("select a release or a revision"));
        return Vec::new();
    };
    let r = &row.release;
    let target = ObjectRef::new(&row.cluster, ResourceKind::Generic, &r.namespace, &r.name);
    navigate(app, View::Detail);
    app.detail = Some(Detail::new(target, DetailKind::Helm(part)));
    app.helm.content = None;
    vec![Effect::FetchHelmRelease {
        cluster: row.cluster.clone(),
        namespace: r.namespace.clone(),
        secret: r.secret.clone(),
    }]
}

/// A revision's content came: the pane shows the part asked for.
pub fn fetched(app: &mut App, secret: &str, result: Result<Content, HelmError>) {
    let Some(d) = app.detail.as_mut() else {
        return;
    };
    let DetailKind::Helm(part) = d.kind else {
        return;
    };
    match result {
        Ok(content) if content.summary.secret == secret => {
            d.set_lines(lines(&content, part, d.revealed));
            app.helm.content = Some(Arc::new(content));
        }
        Ok(_) => {}
        Err(e) => {
            let e = match e {
                HelmError::Api(a) => crate::kube::actions::ActionError::Api(a),
                other => crate::kube::actions::ActionError::Decode(other.to_string()),
            };
            d.status = Some(super::detail::DetailStatus::CannotGet(e));
        }
    }
}

/// `a` in the values: every computed value, and back.
pub fn toggle_all_values(app: &mut App) -> bool {
    let Some(d) = app.detail.as_mut() else {
        return false;
    };
    let next = match d.kind {
        DetailKind::Helm(HelmPart::Values) => HelmPart::AllValues,
        DetailKind::Helm(HelmPart::AllValues) => HelmPart::Values,
        _ => return false,
    };
    d.kind = DetailKind::Helm(next);
    if let Some(content) = &app.helm.content {
        d.set_lines(lines(content, next, d.revealed));
    }
    true
}

fn text(out: &mut Vec<DocLine>, role: Role, s: &str) {
    for l in s.lines() {
        out.push(vec![span(role, l.to_string())]);
    }
}

fn field(out: &mut Vec<DocLine>, key: &str, value: String) {
    out.push(vec![
        span(Role::Key, format!("{key:<15}")),
        span(Role::Plain, value),
    ]);
}

/// The pane's lines for `part`, worded as helm prints it; credentials in the values and the
/// manifest's Secrets hidden unless `reveal` (`helm_mask`).
pub fn lines(c: &Content, part: HelmPart, reveal: bool) -> Vec<DocLine> {
    let shown = |v: &serde_json::Value| {
        if reveal {
            to_yaml(v)
        } else {
            to_yaml(&super::helm_mask::values(v))
        }
    };
    let mut out = Vec::new();
    let s = &c.summary;
    match part {
        HelmPart::Status => {
            field(&mut out, "NAME:", s.name.clone());
            field(
                &mut out,
                "LAST DEPLOYED:",
                // As helm prints it (Go's ANSIC layout).
                s.updated
                    .map(|t| t.strftime("%a %b %e %H:%M:%S %Y").to_string())
                    .unwrap_or_default(),
            );
            field(&mut out, "NAMESPACE:", s.namespace.clone());
            field(&mut out, "STATUS:", s.status.clone());
            field(&mut out, "REVISION:", s.revision.to_string());
            field(&mut out, "CHART:", s.chart.clone());
            field(&mut out, "APP VERSION:", s.app_version.clone());
            field(&mut out, "DESCRIPTION:", s.description.clone());
            out.push(vec![span(Role::Heading, "NOTES:".to_string())]);
            text(&mut out, Role::Plain, &c.notes);
        }
        HelmPart::Values => {
            out.push(vec![span(
                Role::Heading,
                "USER-SUPPLIED VALUES: (a: every computed value)".to_string(),
            )]);
            let yaml = shown(&c.values);
            text(
                &mut out,
                Role::Plain,
                if yaml.is_empty() { "null" } else { &yaml },
            );
        }
        HelmPart::AllValues => {
            out.push(vec![span(
                Role::Heading,
                "COMPUTED VALUES: (a: only those given)".to_string(),
            )]);
            text(&mut out, Role::Plain, &shown(&c.computed));
        }
        HelmPart::Manifest if reveal => text(&mut out, Role::Plain, &c.manifest),
        HelmPart::Manifest => text(
            &mut out,
            Role::Plain,
            &super::helm_mask::manifest(&c.manifest),
        ),
    }
    out
}

/// `:rollback [REVISION]` in a release's history: `helm rollback` of the revision under the
/// cursor (or the one named), in a pane, after confirmation. Helm must be on PATH; the pane
/// says so when it is not.
pub fn rollback(app: &mut App, revision: Option<&str>) {
    if app.readonly {
        app.say(Notice::Refused(
            "read-only mode: changes to the cluster are disabled",
        ));
        return;
    }
    let Some((cluster, ns, name)) = app.helm.history_of.clone() else {
        return;
    };
    let revisions: Vec<&Summary> = app
        .helm
        .revisions
        .get(&cluster)
        .into_iter()
        .flatten()
        .filter(|r| r.namespace == ns && r.name == name)
        .collect();
    let current = revisions.iter().map(|r| r.revision).max();
    let wanted = match revision {
        Some(n) => n.parse::<i64>().ok(),
        None => selected(app).map(|r| r.release.revision),
    };
    let Some(to) = wanted.filter(|n| revisions.iter().any(|r| r.revision == *n)) else {
        app.say(Notice::Invalid(format!(
            "{name} has no revision {}",
            revision.unwrap_or("under the cursor")
        )));
        return;
    };
    if Some(to) == current {
        app.say(Notice::Invalid(format!("revision {to} is the current one")));
        return;
    }
    let script = format!(
        "command -v helm >/dev/null 2>&1 || {{ echo 'kubedeck: rolling back a Helm release needs helm on PATH (its hooks and three-way patch are Helm'\\''s own); not found'; exit 127; }}\nexec helm rollback '{name}' {to} --namespace '{ns}' --wait"
    );
    let run = super::extensions::job::PluginRun {
        name: "helm rollback".into(),
        cluster: cluster.clone(),
        namespace: Some(ns.clone()),
        script,
        target: format!("{ns}/{name} to revision {to}"),
        overwrite_output: false,
    };
    app.prompt.pending = Some(Pending::ask(
        Question::HelmRollback {
            release: format!("{ns}/{name}"),
            revision: to,
            cluster,
        },
        OnConfirm::Plugin {
            runs: vec![run],
            background: false,
        },
    ));
    app.prompt.mode = Mode::Confirm;
}

/// Whether the view is one of Helm's.
pub fn in_helm(app: &App) -> bool {
    matches!(app.view, View::Helm | View::HelmHistory)
}
