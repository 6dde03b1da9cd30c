//! `:timeline` (`:tl`): what changed, per cluster, newest first, live: each change the
//! informers see (see `kube::timeline`), kept in memory and written to the cluster's journal
//! (the flight recorder, `journal`), which is read back at start so what an earlier run saw is
//! here too, with where nothing was watching said. `/kind=pod`, `/ns=demo` and any text filter
//! it; `w` keeps what needs attention; `Enter` goes to the object, or says it is gone.

use std::sync::Arc;

use jiff::Timestamp;

use super::action::Effect;
use super::navigate::go_view;
use super::notice::Notice;
use super::state::{App, View};
use super::timeline_rows::TimelineRow;
use super::timeline_state::Recorder;
use crate::journal::{JournalError, Loaded, marker};
use crate::kube::ids::ClusterId;
use crate::kube::informer::ResourceKind;
use crate::kube::timeline::{Change, Record};

/// Changes read back from a journal at start.
pub const READ_BACK: usize = 10_000;

/// The start: each cluster's journal is read back, and this run's start is marked in it.
pub fn start(app: &mut App) -> Vec<Effect> {
    let now = app.now;
    let clusters = app.fleet.clusters.clone();
    let mut effects = Vec::new();
    app.timeline.alive = Some(now);
    for c in clusters {
        let mut m = marker(Change::Watching, now);
        m.detail = "kubedeck started watching".into();
        app.timeline.push(&c, [m.clone()]);
        app.timeline.since.push((c.clone(), now));
        if app.timeline.recorder == Recorder::On {
            effects.push(Effect::Record(c.clone(), vec![m]));
            effects.push(Effect::LoadJournal(c));
        }
    }
    effects
}

/// Changes an informer saw: kept, shown, and written to the journal. A failed PipelineRun
/// says which task failed (its pods say: the run's own status only counts them).
pub fn recorded(app: &mut App, cluster: ClusterId, mut records: Vec<Record>) -> Vec<Effect> {
    for r in records
        .iter_mut()
        .filter(|r| r.kind == "pipelinerun" && r.change == Change::Failed)
    {
        let tasks = failed_tasks(app, &cluster, &r.namespace, &r.name);
        if !tasks.is_empty() {
            r.detail = format!("failed task: {}; {}", tasks.join(", "), r.detail);
        }
    }
    app.timeline.push(&cluster, records.iter().cloned());
    if app.view == View::Timeline {
        refresh(app);
    }
    if app.timeline.recorder == Recorder::On {
        vec![Effect::Record(cluster, records)]
    } else {
        Vec::new()
    }
}

/// The tasks of a PipelineRun whose pods failed (Tekton's `tekton.dev/pipelineTask` label).
fn failed_tasks(app: &App, cluster: &ClusterId, namespace: &str, run: &str) -> Vec<String> {
    let mut tasks: Vec<String> = app
        .tables
        .pods
        .all_rows()
        .iter()
        .filter(|p| {
            p.cluster == *cluster
                && p.namespace == namespace
                && p.labels.get("tekton.dev/pipelineRun") == Some(run)
                && (p.phase == "Failed" || p.health == crate::kube::pod_row::Health::Error)
        })
        .filter_map(|p| p.labels.get("tekton.dev/pipelineTask").map(str::to_string))
        .collect();
    // The pods table is refreshed only while a view needs it: the timeline's own record of a
    // pod of the run that failed (`RUN-TASK-pod`, as Tekton names them) says it too.
    let prefix = format!("{run}-");
    tasks.extend(
        app.timeline
            .changes
            .iter()
            .rev()
            .take(2_000)
            .filter(|(c, r)| {
                c == cluster
                    && r.kind == "pod"
                    && r.namespace == namespace
                    && r.change == Change::Failed
            })
            .filter_map(|(_, r)| r.name.strip_prefix(&prefix)?.strip_suffix("-pod"))
            .map(str::to_string),
    );
    tasks.sort();
    tasks.dedup();
    tasks
}

/// Each minute: the journal hears that kubedeck still watches (so a later run can tell where
/// it stopped).
pub fn tick(app: &mut App, now: Timestamp) -> Vec<Effect> {
    // A minute since the last (a clock tick can be skipped under load: counting from the
    // last marker never misses one).
    let due = app
        .timeline
        .alive
        .is_none_or(|last| now.as_second() - last.as_second() >= 60);
    if app.timeline.recorder != Recorder::On || !due {
        return Vec::new();
    }
    app.timeline.alive = Some(now);
    app.fleet
        .clusters
        .iter()
        .map(|c| Effect::Record(c.clone(), vec![marker(Change::Alive, now)]))
        .collect()
}

/// A cluster's journal was read: what it holds from before this run goes before it, and this
/// run's marker says since when nothing was watched.
pub fn journal_loaded(app: &mut App, cluster: ClusterId, result: Result<Loaded, JournalError>) {
    let loaded = match result {
        Ok(l) => l,
        Err(e) => {
            app.say(Notice::JournalUnreadable(e));
            return;
        }
    };
    let started = app
        .timeline
        .since
        .iter()
        .find(|(c, _)| *c == cluster)
        .map(|(_, at)| *at);
    let before: Vec<Record> = loaded
        .records
        .into_iter()
        .filter(|r| started.is_none_or(|s| r.at < s))
        .collect();
    if let Some(last) = before.last().map(|r| r.at) {
        // This run's marker: the gap since the last thing the journal heard.
        if let Some((_, m)) =
            app.timeline.changes.iter_mut().find(|(c, r)| {
                *c == cluster && r.change == Change::Watching && Some(r.at) == started
            })
        {
            m.detail = format!(
                "kubedeck started watching; not watching since {} (a gap: changes then are not here)",
                last.strftime("%Y-%m-%d %H:%M:%S UTC")
            );
            m.attention = true;
        }
    }
    if let (Some(since), Some(entry)) = (
        loaded.since,
        app.timeline.since.iter_mut().find(|(c, _)| *c == cluster),
    ) {
        entry.1 = entry.1.min(since);
    }
    let mut all: Vec<(ClusterId, Record)> =
        before.into_iter().map(|r| (cluster.clone(), r)).collect();
    all.extend(app.timeline.changes.drain(..));
    app.timeline.changes = all.into();
    while app.timeline.changes.len() > super::timeline_state::KEPT {
        app.timeline.changes.pop_front();
    }
    if app.view == View::Timeline {
        refresh(app);
    }
}

/// A journal write failed: the recorder is off from now on, said once; the rest works.
pub fn recorder_failed(app: &mut App, error: JournalError) {
    if app.timeline.recorder == Recorder::On {
        app.say(Notice::RecorderOff(error.clone()));
        app.timeline.recorder = Recorder::Failed(error);
    }
}

/// `:timeline`.
pub fn open(app: &mut App) -> Vec<Effect> {
    go_view(app, View::Timeline);
    refresh(app);
    if let Some(since) = app.timeline.since.iter().map(|(_, at)| *at).min() {
        app.say(Notice::TimelineSince {
            since,
            recorder: app.timeline.recorder.clone(),
        });
    }
    Vec::new()
}

/// The rows from what is kept. A cursor on the newest row stays on the newest (as a log pane
/// follows its end); one moved down stays on its row.
pub fn refresh(app: &mut App) {
    let following = app.tables.timeline.selected == 0;
    let rows: Vec<Arc<TimelineRow>> = app
        .timeline
        .changes
        .iter()
        .filter(|(_, r)| r.change != Change::Alive)
        .enumerate()
        .map(|(i, (c, r))| Arc::new(TimelineRow::new(c.clone(), r.clone(), i as u64)))
        .collect();
    app.tables.timeline.set_rows(rows);
    if following {
        app.tables.timeline.select(0);
    }
}

/// `Enter`: the object's describe, or why not (gone, or a kind the timeline cannot open).
pub fn enter(app: &mut App) -> Vec<Effect> {
    let Some(row) = app.tables.timeline.selected_row().cloned() else {
        return Vec::new();
    };
    let Some(obj) = row.object() else {
        app.say(Notice::TimelineCannotOpen(row.record.object()));
        return Vec::new();
    };
    // Its newest change says it is gone (the tables catch up at the next frame).
    let deleted = app
        .timeline
        .of(&obj.cluster, &row.record.kind, &obj.namespace, &obj.name, 1)
        .first()
        .is_some_and(|r| r.change == Change::Deleted);
    let there = !deleted
        && match obj.kind {
            ResourceKind::Pods => super::selection::pod_row(app, &obj).is_some(),
            ResourceKind::Nodes => app
                .tables
                .nodes
                .all_rows()
                .iter()
                .any(|n| n.name == obj.name && n.cluster == obj.cluster),
            ResourceKind::PipelineRuns => app.tables.runs.all_rows().iter().any(|r| {
                r.name == obj.name && r.namespace == obj.namespace && r.cluster == obj.cluster
            }),
            // A workload is fetched by its describe, which says when it is gone.
            ResourceKind::Generic => true,
            _ => false,
        };
    if !there {
        app.say(Notice::TimelineGone(row.record.object()));
        return Vec::new();
    }
    super::navigate::open_detail(app, obj, super::detail::DetailKind::Describe)
}

/// Changes of an object a describe shows (its last few, newest first).
const HISTORY: usize = 8;

/// The "History:" section of `obj`'s describe: its last changes the timeline holds (a pod, a
/// node, a PipelineRun, a workload); nothing when there are none.
pub fn history_lines(
    app: &App,
    obj: &crate::kube::object_ref::ObjectRef,
    now: Timestamp,
) -> Vec<super::detail::DocLine> {
    use super::detail::{Role, span};
    // The timeline names kinds as kubectl's singular does (`pod`, `deployment`).
    let changes = app.timeline.of(
        &obj.cluster,
        obj.singular(),
        &obj.namespace,
        &obj.name,
        HISTORY,
    );
    if changes.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![vec![span(Role::Heading, "History:".to_string())]];
    for r in changes {
        let role = if r.attention {
            Role::Warning
        } else {
            Role::Plain
        };
        lines.push(vec![
            span(
                Role::Muted,
                format!("  {:<19} ", super::timeline_rows::when(r.at, now)),
            ),
            span(role, format!("{:<13} ", r.change.text())),
            span(Role::Plain, r.detail.clone()),
        ]);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::fixture::app;

    fn rec(at: i64, name: &str, change: Change) -> Record {
        Record {
            at: Timestamp::from_second(at).unwrap_or_default(),
            kind: "pod".into(),
            namespace: "demo".into(),
            name: name.into(),
            change,
            detail: String::new(),
            attention: change == Change::Restarted,
        }
    }

    /// The journal's records go before this run's, the gap is said on this run's marker, and
    /// what this run already holds is not read twice.
    #[test]
    fn a_journal_read_back_goes_before_and_says_the_gap() {
        let mut a = app();
        a.now = Timestamp::from_second(10_000).unwrap_or_default();
        let c = a.fleet.cluster.clone();
        let effects = start(&mut a);
        assert!(matches!(
            &effects[..],
            [Effect::Record(..), Effect::LoadJournal(_)]
        ));
        recorded(&mut a, c.clone(), vec![rec(10_010, "new", Change::Created)]);
        let loaded = Loaded {
            records: vec![
                rec(1_000, "old", Change::Restarted),
                rec(2_000, "old", Change::Deleted),
                // Written by this run already (the marker): not taken twice.
                marker(Change::Watching, a.now),
            ],
            since: Some(Timestamp::from_second(1_000).unwrap_or_default()),
        };
        journal_loaded(&mut a, c.clone(), Ok(loaded));
        let order: Vec<(&str, Change)> = a
            .timeline
            .changes
            .iter()
            .map(|(_, r)| (r.name.as_str(), r.change))
            .collect();
        assert_eq!(
            order,
            [
                ("old", Change::Restarted),
                ("old", Change::Deleted),
                ("journal", Change::Watching),
                ("new", Change::Created),
            ]
        );
        let marker = &a.timeline.changes[2].1;
        assert!(
            marker
                .detail
                .contains("not watching since 1970-01-01 00:33:20 UTC"),
            "{}",
            marker.detail
        );
        assert_eq!(
            a.timeline.since[0].1,
            Timestamp::from_second(1_000).unwrap_or_default()
        );
        // In the view: newest first; w keeps what needs attention.
        open(&mut a);
        let first = a
            .tables
            .timeline
            .selected_row()
            .map(|r| r.record.name.clone());
        assert_eq!(first.as_deref(), Some("new"));
        // At the top, the cursor follows what comes; moved down, it stays on its row.
        let name = |a: &App| {
            a.tables
                .timeline
                .selected_row()
                .map(|r| r.record.name.clone())
        };
        recorded(
            &mut a,
            c.clone(),
            vec![rec(10_020, "newer", Change::Created)],
        );
        assert_eq!(name(&a).as_deref(), Some("newer"));
        a.tables.timeline.select(1);
        recorded(&mut a, c, vec![rec(10_030, "newest", Change::Created)]);
        assert_eq!(name(&a).as_deref(), Some("new"));
    }

    /// A failed run names its failed task, from the failed pod the timeline saw.
    #[test]
    fn a_failed_run_names_its_failed_task() {
        let mut a = app();
        let c = a.fleet.cluster.clone();
        let pod = Record {
            kind: "pod".into(),
            namespace: "ci".into(),
            ..rec(100, "build-7-compile-pod", Change::Failed)
        };
        recorded(&mut a, c.clone(), vec![pod]);
        let run = Record {
            kind: "pipelinerun".into(),
            namespace: "ci".into(),
            detail: "Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0".into(),
            ..rec(110, "build-7", Change::Failed)
        };
        let effects = recorded(&mut a, c, vec![run]);
        let told = &a.timeline.changes.back().map(|(_, r)| r.detail.clone());
        assert_eq!(
            told.as_deref(),
            Some("failed task: compile; Tasks Completed: 2 (Failed: 1, Cancelled 0), Skipped: 0")
        );
        // The journal gets it so too.
        assert!(
            matches!(&effects[..], [Effect::Record(_, r)] if r[0].detail.starts_with("failed task: compile"))
        );
    }

    #[test]
    fn a_failed_write_turns_the_recorder_off_once() {
        let mut a = app();
        let c = a.fleet.cluster.clone();
        let e = JournalError {
            path: "/full/disk".into(),
            why: "No space left on device".into(),
        };
        recorder_failed(&mut a, e.clone());
        assert_eq!(a.timeline.recorder, Recorder::Failed(e));
        assert!(recorded(&mut a, c, vec![rec(1, "p", Change::Created)]).is_empty());
        assert!(tick(&mut a, Timestamp::from_second(60).unwrap_or_default()).is_empty());
    }

    /// Each minute from the last marker (a skipped clock tick does not skip a minute).
    #[test]
    fn kubedeck_says_it_watches_each_minute() {
        let mut a = app();
        let t = |s: i64| Timestamp::from_second(s).unwrap_or_default();
        a.now = t(1_000);
        start(&mut a);
        assert!(tick(&mut a, t(1_030)).is_empty());
        // The tick of 1060 was skipped: 1061 says it.
        assert!(!tick(&mut a, t(1_061)).is_empty());
        assert!(tick(&mut a, t(1_062)).is_empty());
        assert!(!tick(&mut a, t(1_121)).is_empty());
    }
}
