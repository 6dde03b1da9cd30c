//! Time travel: `:at 03:12` (or `-15m`, or `--at`) shows the pods, nodes, events, PipelineRuns
//! and workloads as the flight recorder's journal saw them then, read-only, under a banner
//! that says when; `:po`, `:no`, `:ev`, `:pr`, `:deploy`, `:sts`, `:ds` switch the kind shown;
//! `Enter` shows an object's recorded fields and its changes until then; `:at now` returns.
//! `:diff KIND/[NS/]NAME T1 [T2]` says what changed in an object's recorded fields.

use std::sync::Arc;

use jiff::Timestamp;

use super::action::Effect;
use super::detail::{Detail, DetailKind, DocLine, Role, span};
use super::navigate::{go_view, navigate};
use super::notice::Notice;
use super::state::{App, View};
use super::travel_rows::{AsOfRow, columns_of};
use super::travel_state::{Diffed, Travel, kind_of, parse_moment};
use crate::journal_travel::{Snapshot, TravelError};
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;
use crate::kube::object_ref::ObjectRef;

/// `:at TIME`: travel there (every cluster shown); `:at now`: back.
pub fn at(app: &mut App, text: &str) -> Vec<Effect> {
    let moment = match parse_moment(text, app.now) {
        Ok(m) => m,
        Err(why) => {
            app.say(Notice::Invalid(format!(":at: {why}")));
            return Vec::new();
        }
    };
    let Some(at) = moment else {
        return back_to_now(app);
    };
    if app.timeline.journal.is_none() {
        app.say(Notice::TravelFailed(
            "no journal to travel in (no data directory, or [timeline] record = false)".into(),
        ));
        return Vec::new();
    }
    let kind = app
        .travel
        .as_ref()
        .map(|t| t.kind)
        .or_else(|| view_kind(app.view))
        .unwrap_or("pod");
    let clusters = app.fleet.clusters.clone();
    app.travel = Some(Travel {
        at,
        kind,
        snapshots: Vec::new(),
        waiting: clusters.len(),
    });
    show(app, kind);
    clusters
        .into_iter()
        .map(|c| Effect::LoadState(c, at))
        .collect()
}

/// The kind a live view shows, for `:at` to keep it.
fn view_kind(view: View) -> Option<&'static str> {
    Some(match view {
        View::Pods => "pod",
        View::Nodes => "node",
        View::Events => "event",
        View::PipelineRuns => "pipelinerun",
        _ => return None,
    })
}

fn back_to_now(app: &mut App) -> Vec<Effect> {
    let Some(t) = app.travel.take() else {
        app.say(Notice::Tip("already now (live)"));
        return Vec::new();
    };
    let view = match t.kind {
        "node" => View::Nodes,
        "event" => View::Events,
        "pipelinerun" => View::PipelineRuns,
        _ => View::Pods,
    };
    go_view(app, view);
    app.say(Notice::TravelEnded);
    Vec::new()
}

/// Show `kind` as of the moment.
pub fn show(app: &mut App, kind: &'static str) {
    if let Some(t) = app.travel.as_mut() {
        t.kind = kind;
    }
    if app.view != View::AsOf {
        navigate(app, View::AsOf);
    }
    app.tables.as_of.set_columns(columns_of(kind));
    refresh(app);
}

/// While travelling, a command naming a recorded kind shows it as of the moment. `None`: not
/// such a command.
pub fn command_kind(app: &mut App, word: &str) -> Option<Vec<Effect>> {
    app.travel.as_ref()?;
    let kind = kind_of(word)?;
    show(app, kind);
    Some(Vec::new())
}

/// A cluster's journal was read for the moment.
pub fn loaded(
    app: &mut App,
    cluster: ClusterId,
    at: Timestamp,
    result: Result<Snapshot, TravelError>,
) {
    let Some(t) = app.travel.as_mut().filter(|t| t.at == at) else {
        return;
    };
    t.waiting = t.waiting.saturating_sub(1);
    t.snapshots.retain(|(c, _)| *c != cluster);
    t.snapshots.push((cluster, result));
    if t.waiting == 0 {
        let failed: Vec<String> = t
            .snapshots
            .iter()
            .filter_map(|(c, r)| r.as_ref().err().map(|e| format!("{}: {e}", c.context())))
            .collect();
        let not_watching: Vec<String> = t
            .snapshots
            .iter()
            .filter(|(_, r)| r.as_ref().is_ok_and(|s| !s.watching()))
            .map(|(c, _)| c.context().to_string())
            .collect();
        if failed.is_empty() {
            app.say(Notice::Travelled { at, not_watching });
        } else {
            app.say(Notice::TravelFailed(failed.join("; ")));
        }
    }
    if app.view == View::AsOf {
        refresh(app);
    }
}

/// The table's rows: every cluster's objects of the kind shown.
pub fn refresh(app: &mut App) {
    let Some(t) = &app.travel else {
        return app.tables.as_of.set_rows(Vec::new());
    };
    let rows: Vec<Arc<AsOfRow>> = t
        .snapshots
        .iter()
        .filter_map(|(c, r)| r.as_ref().ok().map(|s| (c, s)))
        .flat_map(|(c, s)| {
            s.kinds
                .get(t.kind)
                .into_iter()
                .flatten()
                .map(|(key, fields)| {
                    Arc::new(AsOfRow::new(
                        c.clone(),
                        t.kind,
                        key.clone(),
                        fields.clone(),
                        t.at,
                    ))
                })
        })
        .collect();
    app.tables.as_of.set_rows(rows);
}

/// The banner's text: when, read-only, how to return (and what the journal lacked).
pub fn banner(app: &App) -> Option<String> {
    let t = app.travel.as_ref()?;
    let when = t.at.strftime("%Y-%m-%d %H:%M:%S UTC");
    let mut text = format!(" AS OF {when} · {} · read-only · :at now returns ", t.kind);
    if t.waiting > 0 {
        text.push_str("· reading the journal… ");
    }
    for (c, r) in &t.snapshots {
        match r {
            Ok(s) if !s.watching() => {
                let heard = s
                    .heard
                    .map(|h| h.strftime("%H:%M:%S").to_string())
                    .unwrap_or_else(|| "-".into());
                text.push_str(&format!(
                    "· {}: not watching then (as last seen {heard}) ",
                    c.context()
                ));
            }
            Err(e) => text.push_str(&format!("· {}: {e} ", c.context())),
            _ => {}
        }
    }
    Some(text)
}

/// Whether `action` is refused because it would act on the past (a row as of a moment, or a
/// recorded object's pane): only moving, sorting, filtering, saving and leaving are allowed.
pub fn refuses(app: &mut App, action: super::action::Action) -> bool {
    use super::action::Action as A;
    // What is typed into the input line is the line's.
    if app.prompt.mode != super::state::Mode::Table {
        return false;
    }
    let past = app.view == View::AsOf
        || (app.view == View::Detail
            && app
                .detail
                .as_ref()
                .is_some_and(|d| d.kind == DetailKind::Recorded));
    if !past {
        return false;
    }
    let allowed = matches!(
        action,
        A::Quit
            | A::Up
            | A::Down
            | A::PageUp
            | A::PageDown
            | A::Top
            | A::Bottom
            | A::SortBy(_)
            | A::PreviousView
            | A::Back
            | A::CopyName
            | A::CopyNamespace
            | A::SaveTable
            | A::ToggleWide
            | A::ToggleFlagged
            | A::StartFilter
            | A::StartCommand
            | A::ToggleHelp
            | A::Open
            | A::Describe
            | A::Yaml
            | A::MarkRow
            | A::MarkRange
            | A::ClearMarks
            | A::Favourite(_)
            | A::RetryNow
    );
    if !allowed {
        let at = app.travel.as_ref().map_or(app.now, |t| t.at);
        app.say(Notice::AsOfReadOnly(at));
    }
    !allowed
}

/// `Enter`, `d` or `y` on a row: its recorded fields then, and its changes until then.
pub fn enter(app: &mut App) -> Vec<Effect> {
    let (Some(row), Some(at)) = (
        app.tables.as_of.selected_row().cloned(),
        app.travel.as_ref().map(|t| t.at),
    ) else {
        return Vec::new();
    };
    let mut lines: Vec<DocLine> = vec![vec![span(
        Role::Heading,
        format!(
            "{}/{} as recorded at {}",
            row.kind,
            if row.namespace.is_empty() {
                row.name.clone()
            } else {
                format!("{}/{}", row.namespace, row.name)
            },
            at.strftime("%Y-%m-%d %H:%M:%S UTC")
        ),
    )]];
    for (title, value) in crate::kube::recorded::columns(row.kind)
        .iter()
        .zip(&row.fields)
    {
        lines.push(vec![
            span(Role::Key, format!("{:<12}", format!("{title}:"))),
            span(Role::Plain, value.clone()),
        ]);
    }
    let changes: Vec<_> = app
        .timeline
        .changes
        .iter()
        .rev()
        .filter(|(c, r)| {
            *c == row.cluster
                && r.kind == row.kind
                && r.namespace == row.namespace
                && r.name == row.name
                && r.at <= at
        })
        .take(20)
        .collect();
    if !changes.is_empty() {
        lines.push(Vec::new());
        lines.push(vec![span(Role::Heading, "History (until then):")]);
        for (_, r) in changes {
            lines.push(vec![
                span(
                    Role::Muted,
                    format!("  {:<19} ", r.at.strftime("%Y-%m-%d %H:%M:%S")),
                ),
                span(
                    if r.attention {
                        Role::Warning
                    } else {
                        Role::Plain
                    },
                    format!("{:<13} ", r.change.text()),
                ),
                span(Role::Plain, r.detail.clone()),
            ]);
        }
    }
    let target = ObjectRef::new(
        &row.cluster,
        ResourceKind::Generic,
        &row.namespace,
        &row.name,
    );
    show_lines(app, target, lines);
    Vec::new()
}

fn show_lines(app: &mut App, target: ObjectRef, lines: Vec<DocLine>) {
    navigate(app, View::Detail);
    let mut d = Detail::new(target, DetailKind::Recorded);
    d.set_lines(lines);
    d.status = None;
    app.detail = Some(d);
}

/// `:diff [CONTEXT:]KIND/[NS/]NAME T1 [T2]`.
pub fn diff(app: &mut App, args: &[String]) -> Vec<Effect> {
    let usage = "[CONTEXT:]KIND/[NS/]NAME T1 [T2] (times as :at takes them; T2: now)";
    let (Some(object), Some(t1)) = (args.first(), args.get(1)) else {
        app.say(Notice::Invalid(format!(":diff {usage}")));
        return Vec::new();
    };
    // A context (names never hold ':', contexts may: the last one separates them).
    let (cluster, object) = match object.rsplit_once(':') {
        Some((context, object)) => {
            match app.fleet.clusters.iter().find(|c| c.context() == context) {
                Some(c) => (c.clone(), object),
                None => {
                    let shown: Vec<&str> = app.fleet.clusters.iter().map(|c| c.context()).collect();
                    app.say(Notice::Invalid(format!(
                        ":diff: {context:?} is not a cluster shown ({})",
                        shown.join(", ")
                    )));
                    return Vec::new();
                }
            }
        }
        None => (app.fleet.cluster.clone(), object.as_str()),
    };
    let parts: Vec<&str> = object.split('/').collect();
    let (kind, ns, name) = match parts.as_slice() {
        [k, n] => (*k, "", *n),
        [k, ns, n] => (*k, *ns, *n),
        _ => {
            app.say(Notice::Invalid(format!(":diff {usage}")));
            return Vec::new();
        }
    };
    let Some(kind) = kind_of(kind) else {
        app.say(Notice::Invalid(format!(
            ":diff: {kind:?} is not recorded (pod, node, event, pipelinerun, deploy, sts, ds)"
        )));
        return Vec::new();
    };
    // A namespaced object named without its namespace: the one shown.
    let ns = if ns.is_empty() && kind != "node" {
        match &app.fleet.scope {
            crate::kube::ids::Scope::Namespace(n) => n.clone(),
            _ => "default".to_string(),
        }
    } else {
        ns.to_string()
    };
    let moment = |text: Option<&String>| match text {
        None => Ok(app.now),
        Some(t) => parse_moment(t, app.now).map(|m| m.unwrap_or(app.now)),
    };
    let (t1, t2) = match (moment(Some(t1)), moment(args.get(2))) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            app.say(Notice::Invalid(format!(":diff: {e}")));
            return Vec::new();
        }
    };
    if app.timeline.journal.is_none() {
        app.say(Notice::TravelFailed(
            "no journal to read (no data directory)".into(),
        ));
        return Vec::new();
    }
    vec![Effect::LoadDiff {
        cluster,
        kind,
        namespace: ns,
        name: name.to_string(),
        times: (t1, t2),
    }]
}

/// The diff's lines: each field that changed (before → after), then those that did not.
pub fn diff_lines(d: &Diffed) -> Vec<DocLine> {
    let when = |t: Timestamp| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string();
    let object = if d.namespace.is_empty() {
        format!("{}/{}", d.kind, d.name)
    } else {
        format!("{}/{}/{}", d.kind, d.namespace, d.name)
    };
    let mut lines = vec![vec![span(
        Role::Heading,
        format!("{object}: {} → {}", when(d.times.0), when(d.times.1)),
    )]];
    let titles = crate::kube::recorded::columns(d.kind);
    match (&d.before, &d.after) {
        (None, None) => lines.push(vec![span(
            Role::Warning,
            "not in the journal at either time (not there, or not watched then)",
        )]),
        (None, Some(_)) => lines.push(vec![span(
            Role::Warning,
            format!(
                "not there at {} (created, or first seen, since)",
                when(d.times.0)
            ),
        )]),
        (Some(_), None) => lines.push(vec![span(
            Role::Warning,
            format!("gone at {} (deleted since)", when(d.times.1)),
        )]),
        (Some(a), Some(b)) if a == b => {
            lines.push(vec![span(Role::Ok, "no recorded field changed")]);
        }
        _ => {}
    }
    // There at one time only: what it was then.
    let (a, b) = match (&d.before, &d.after) {
        (Some(a), Some(b)) => (a, b),
        (Some(only), None) | (None, Some(only)) => {
            for (title, value) in titles.iter().zip(only) {
                lines.push(vec![
                    span(Role::Key, format!("  {:<12}", format!("{title}:"))),
                    span(Role::Plain, value.clone()),
                ]);
            }
            return lines;
        }
        (None, None) => return lines,
    };
    let field = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_else(|| "-".into());
    let (mut changed, mut same) = (Vec::new(), Vec::new());
    for (i, title) in titles.iter().enumerate() {
        let (x, y) = (field(a, i), field(b, i));
        if x == y {
            same.push(vec![
                span(Role::Muted, format!("  {:<12}", format!("{title}:"))),
                span(Role::Muted, x),
            ]);
        } else {
            changed.push(vec![
                span(Role::Key, format!("  {:<12}", format!("{title}:"))),
                span(Role::Error, x),
                span(Role::Plain, " → "),
                span(Role::Ok, y),
            ]);
        }
    }
    if !changed.is_empty() {
        lines.push(vec![span(Role::Heading, "Changed:")]);
        lines.extend(changed);
    }
    if !same.is_empty() {
        lines.push(vec![span(Role::Heading, "The same:")]);
        lines.extend(same);
    }
    lines
}

/// `:diff`'s answer came.
pub fn diffed(app: &mut App, result: Result<Diffed, TravelError>) {
    match result {
        Ok(d) => {
            let target = ObjectRef::new(&d.cluster, ResourceKind::Generic, &d.namespace, &d.name);
            let lines = diff_lines(&d);
            show_lines(app, target, lines);
        }
        Err(e) => app.say(Notice::TravelFailed(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture::app;
    use crate::app::table::TableRow;

    fn snapshot(at: Timestamp, status: &str) -> Snapshot {
        let mut s = Snapshot {
            at,
            heard: Some(at),
            ..Snapshot::default()
        };
        s.kinds.entry("pod".into()).or_default().insert(
            ("demo".into(), "web-1".into()),
            vec!["1/1".into(), status.into()],
        );
        s
    }

    /// `:at` shows the moment's objects under a banner, refuses actions, switches kinds with
    /// their commands, and `:at now` returns.
    #[test]
    fn travel_there_and_back() {
        let mut a = app();
        a.timeline.journal = Some(("/nowhere".into(), 1 << 20));
        a.now = "2026-12-06T10:00:00Z".parse().unwrap_or_default();
        let effects = at(&mut a, "-15m");
        let when: Timestamp = "2026-12-06T09:45:00Z".parse().unwrap_or_default();
        assert!(matches!(&effects[..], [Effect::LoadState(_, t)] if *t == when));
        assert_eq!(a.view, View::AsOf);
        let c = a.fleet.cluster.clone();
        loaded(&mut a, c, when, Ok(snapshot(when, "Evicted")));
        assert_eq!(a.tables.as_of.len(), 1);
        let row = a.tables.as_of.selected_row().map(|r| r.cell_at(3, a.now));
        assert_eq!(row.as_deref(), Some("Evicted"));
        let banner = banner(&a).unwrap_or_default();
        assert!(banner.contains("AS OF 2026-12-06 09:45:00 UTC"), "{banner}");
        assert!(banner.contains("read-only"), "{banner}");
        // Another kind by its command.
        assert!(command_kind(&mut a, "no").is_some());
        assert_eq!(a.travel.as_ref().map(|t| t.kind), Some("node"));
        assert_eq!(a.tables.as_of.len(), 0);
        // Typed on the input line as ever: `:po` shows the pods then; `d` would delete, refused.
        use crate::app::action::Action;
        use crate::app::update::on_action;
        on_action(&mut a, Action::StartCommand);
        for c in "po".chars() {
            on_action(&mut a, Action::Input(c));
        }
        on_action(&mut a, Action::Submit);
        assert_eq!(a.travel.as_ref().map(|t| t.kind), Some("pod"));
        assert_eq!(a.tables.as_of.len(), 1);
        assert!(on_action(&mut a, Action::Delete).is_empty());
        assert!(matches!(a.notice, Some(Notice::AsOfReadOnly(_))));
        // Back.
        at(&mut a, "now");
        assert!(a.travel.is_none());
        assert_eq!(a.view, View::Pods);
        assert!(command_kind(&mut a, "po").is_none(), "live again");
    }

    /// `:diff` reads the first cluster's journal, or the one named before the object.
    #[test]
    fn a_diff_names_its_cluster() {
        let mut a = app();
        a.timeline.journal = Some(("/nowhere".into(), 1 << 20));
        let first = a.fleet.cluster.clone();
        let other = ClusterId::new("arn:aws:eks:eu-1:123:cluster/prod");
        a.fleet.clusters = vec![first.clone(), other.clone()];
        let args = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        let cluster_of = |e: &[Effect]| match e {
            [Effect::LoadDiff { cluster, kind, .. }] => Some((cluster.clone(), *kind)),
            _ => None,
        };
        let e = diff(&mut a, &args("po/demo/web-1 -10m"));
        assert_eq!(cluster_of(&e), Some((first, "pod")));
        let e = diff(
            &mut a,
            &args("arn:aws:eks:eu-1:123:cluster/prod:deploy/shop/web -1h now"),
        );
        assert_eq!(cluster_of(&e), Some((other, "deployment")));
        assert!(diff(&mut a, &args("staging:po/demo/web-1 -10m")).is_empty());
        assert!(matches!(&a.notice, Some(Notice::Invalid(m)) if m.contains("not a cluster shown")));
    }

    #[test]
    fn a_diff_says_what_changed() {
        let t = |s: &str| s.parse::<Timestamp>().unwrap_or_default();
        let d = Diffed {
            cluster: ClusterId::new("prod"),
            kind: "pod",
            namespace: "demo".into(),
            name: "web-1".into(),
            times: (t("2026-12-06T03:00:00Z"), t("2026-12-06T03:30:00Z")),
            before: Some(vec!["1/1".into(), "Running".into(), "0".into()]),
            after: Some(vec!["0/1".into(), "CrashLoopBackOff".into(), "0".into()]),
        };
        let text: Vec<String> = diff_lines(&d)
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect();
        assert_eq!(
            text[0],
            "pod/demo/web-1: 2026-12-06 03:00:00 UTC → 2026-12-06 03:30:00 UTC"
        );
        assert!(
            text.contains(&"  READY:      1/1 → 0/1".to_string()),
            "{text:#?}"
        );
        assert!(
            text.contains(&"  STATUS:     Running → CrashLoopBackOff".to_string()),
            "{text:#?}"
        );
        assert!(text.contains(&"  RESTARTS:   0".to_string()), "{text:#?}");
        let gone = Diffed { after: None, ..d };
        let lines = diff_lines(&gone);
        assert!(lines[1][0].text.starts_with("gone at"));
        assert_eq!(lines[3][1].text, "Running", "what it was before it went");
    }
}
