//! `update` for what comes back from outside the keyboard: informer states and signals, metrics
//! samples, the results of background tasks (actions, fetches, a context's client), and the
//! clock. Reports from a cluster that is no longer shown are dropped here.

use std::sync::Arc;

use jiff::Timestamp;

use super::action::Effect;
use super::detail::{DetailKind, DetailStatus};
use super::msg::{Done, StartView};
use super::notice::Notice;
use super::sessions::update as sessions;
use super::state::{App, Severity, View};
use super::yaml;
use crate::kube::actions::ActionError;
use crate::kube::client::ConnectError;
use crate::kube::ids::{ClusterId, Scope};
use crate::kube::informer::{Change, InformerUpdate, ResourceKind};
use crate::kube::metrics::MetricsUpdate;

/// An informer's signal: mark what it feeds stale, or record its state.
pub fn informer(app: &mut App, u: InformerUpdate) -> Vec<Effect> {
    if !app.fleet.shows(&u.cluster) {
        return Vec::new();
    }
    match u.change {
        Change::State(state) => app.fleet.informer_state(&u.cluster, u.kind, state, app.now),
        Change::Timeline(records) => return super::timeline::recorded(app, u.cluster, records),
        Change::Changed => app.stale.describe = true,
    }
    // Its rows changed, or their ages and marks change with the new state.
    app.stale.kinds.insert(u.kind);
    Vec::new()
}

/// A metrics sample (or why there is none): usage columns and node rows change.
pub fn metrics(app: &mut App, cluster: ClusterId, m: MetricsUpdate) -> Vec<Effect> {
    if !app.fleet.shows(&cluster) {
        return Vec::new();
    }
    app.fleet.metrics_reported(&cluster, m);
    app.stale.kinds.insert(ResourceKind::Pods);
    app.stale.kinds.insert(ResourceKind::Nodes);
    app.stale.describe = true;
    Vec::new()
}

/// The loop starts: the contexts to list, the view to open (triage once the first sync shows
/// something broken, unless another was asked for), and what the first cluster serves.
pub fn start(
    app: &mut App,
    view: StartView,
    contexts: Vec<Arc<super::contexts::ContextRow>>,
) -> Vec<Effect> {
    app.tables.contexts.set_rows(contexts);
    match view {
        StartView::View(v) if v != View::Detail && v != View::TaskRuns => app.view = v,
        StartView::View(_) => {}
        StartView::Auto => app.auto_triage = true,
    }
    let mut effects = super::kinds::discover(app, None);
    effects.push(watch_k9s_files(app));
    effects.extend(super::timeline::start(app));
    // `--at`: straight to the past.
    if let Some(at) = app.start_at.take() {
        effects.extend(super::travel::at(app, &at));
    }
    // A node shell's pod left by a kubedeck that was killed outright goes now.
    if !app.readonly {
        let namespace = &app.sessions.settings.node_shell_namespace;
        effects.extend(
            app.fleet
                .clusters
                .iter()
                .map(|c| Effect::SweepNodeShells(c.clone(), namespace.clone())),
        );
    }
    effects
}

/// k9s's files for the context shown first (its cluster's and its own folder).
pub fn watch_k9s_files(app: &App) -> Effect {
    let context = app.fleet.cluster.context().to_string();
    let cluster = app
        .tables
        .contexts
        .all_rows()
        .iter()
        .find(|r| r.name == context)
        .map(|r| r.cluster.clone());
    Effect::WatchK9sFiles(cluster.map(|c| (c, context)))
}

/// k9s's files, read (again): plugins, hotkeys and aliases from now on; what was wrong said
/// once (again only when it changed). A kind on screen whose own columns (views.yaml) came or
/// changed is watched again with them.
pub fn k9s_files(app: &mut App, files: &crate::k9s_files::K9sFiles) -> Vec<Effect> {
    let before = std::mem::take(&mut app.extensions.problems);
    let reload = app.extensions.loaded;
    app.extensions = super::extensions::Extensions::resolve(files, &app.own_plugins, &app.keymap);
    app.extensions.loaded = true;
    let e = &app.extensions;
    if !e.problems.is_empty() && e.problems != before {
        app.say(Notice::ExtensionProblems(e.problems.clone()));
    } else if reload {
        // An edit was taken: said, so the user knows it is in force.
        app.say(Notice::ExtensionsRead {
            plugins: e.plugins.len(),
            hotkeys: e.hotkeys.len(),
            aliases: e.aliases.len(),
            views: e.views.len(),
        });
    }
    super::kinds::follow_view_setting(app)
}

/// How long a piece of information stays in the status bar.
pub const INFO_SECONDS: i64 = 8;

/// The one-second clock: ages tick; information in the status bar expires (errors stay until
/// replaced); the captured-runs list follows new captures.
pub fn tick(app: &mut App, now: Timestamp) -> Vec<Effect> {
    app.now = now;
    match (&app.notice, &app.notice_seen) {
        (None, _) => app.notice_seen = None,
        (Some(m), Some((seen, at))) if m == seen => {
            if m.severity() == Severity::Info && now.as_second() - at.as_second() >= INFO_SECONDS {
                app.notice = None;
                app.notice_seen = None;
            }
        }
        (Some(m), _) => app.notice_seen = Some((m.clone(), now)),
    }
    // Triage depends on time too (a crash loop leaves once it has stayed up long enough).
    if now.as_second() % 10 == 0 && (app.view == View::Triage || app.auto_triage) {
        app.stale.triage = true;
    }
    if app.view == View::Captured && now.as_second() % 5 == 0 {
        return vec![Effect::LoadCaptured];
    }
    let mut effects = super::timeline::tick(app, now);
    effects.extend(super::xray::tick(app));
    effects
}

/// What a background task finished with.
pub fn done(app: &mut App, done: Done) -> Vec<Effect> {
    match done {
        Done::Access(cluster, namespace, result) => {
            super::access::reviewed(app, cluster, namespace, result);
        }
        Done::Revisions(obj, result) => super::workloads::revisions(app, obj, result),
        Done::Helm(cluster, result) => super::helm::listed(app, cluster, result),
        Done::CopyProgress(spec, bytes) => super::copy::progress(app, &spec, bytes),
        Done::Xray(cluster, root, result) => super::xray::loaded(app, cluster, root, result),
        Done::Journal(cluster, result) => super::timeline::journal_loaded(app, cluster, result),
        Done::State(cluster, at, result) => super::travel::loaded(app, cluster, at, result),
        Done::Diff(result) => super::travel::diffed(app, result),
        Done::RecorderFailed(e) => super::timeline::recorder_failed(app, e),
        Done::NodeShellsSwept(cluster, Ok(names)) if !names.is_empty() => {
            app.say(Notice::NodeShellsSwept { cluster, names });
        }
        // Not allowed to list pods there, or unreachable: nothing of ours is known to be left.
        Done::NodeShellsSwept(..) => {}
        Done::Copied(cluster, spec, result) => super::copy::done(app, cluster, spec, result),
        Done::HelmContent { secret, result } => super::helm::fetched(app, &secret, *result),
        Done::WhoCan(cluster, query, result) => {
            super::access::answered(app, cluster, &query, result);
        }
        Done::Action(Ok(acted)) => app.say(Notice::Acted(acted)),
        Done::Action(Err(e)) => app.say(Notice::ActionFailed(e)),
        Done::ServerWarned(warnings) => {
            let after = app.notice.take().map(Box::new);
            app.say(Notice::ServerWarned { warnings, after });
        }
        Done::Plugin { run, outcome } => {
            let outcome = outcome.map(|(code, output)| {
                let said = if run.overwrite_output {
                    output.split_whitespace().collect::<Vec<_>>().join(" ")
                } else {
                    output
                        .lines()
                        .rev()
                        .find(|l| !l.trim().is_empty())
                        .unwrap_or_default()
                        .trim()
                        .to_string()
                };
                (code, said)
            });
            app.say(Notice::PluginFinished {
                name: run.name.clone(),
                outcome,
            });
        }
        Done::Many(outcomes) => {
            let (mut done, mut failed) = (Vec::new(), Vec::new());
            for (obj, outcome) in outcomes {
                match outcome {
                    Ok(acted) => done.push(acted),
                    Err(e) => failed.push((obj, e)),
                }
            }
            app.say(Notice::ManyActed { done, failed });
        }
        Done::Saved {
            path,
            outcome: Ok(lines),
        } => app.say(Notice::Saved { path, lines }),
        Done::Saved {
            path,
            outcome: Err(reason),
        } => app.say(Notice::SaveFailed { path, reason }),
        Done::NoTekton(run) => {
            // Until Tekton is discovered, the TaskRuns are in the PipelineRuns' state.
            let status = app.fleet.status_mut(&run.cluster);
            let runs = status.informer(ResourceKind::PipelineRuns);
            status.informers.insert(ResourceKind::TaskRuns, runs);
            app.stale.kinds.insert(ResourceKind::TaskRuns);
        }
        Done::ClipboardFailed(e) => app.say(Notice::ClipboardFailed(e)),
        Done::CaptureOff => app.say(Notice::Tip(
            "step capture is off ([logs] capture_steps = false)",
        )),
        Done::Captured(runs) => {
            let rows = runs.into_iter().map(Arc::new).collect();
            app.tables.captured.set_rows(rows);
        }
        Done::Pod(obj, result) => {
            let Some(d) = app.described.as_mut().filter(|d| d.target == obj) else {
                return Vec::new();
            };
            d.in_flight = false;
            match result {
                Ok(pod) => {
                    d.pod = Some(pod);
                    // Rebuilt now; fetched again if the pod changed meanwhile.
                    app.stale.describe = true;
                }
                Err(e) => {
                    d.failed = true;
                    if let Some(detail) = app.detail.as_mut().filter(|x| x.target == obj) {
                        detail.status = Some(DetailStatus::CannotGet(e));
                    }
                }
            }
        }
        Done::DrillFetched(obj, result) => return super::kinds::drill_fetched(app, obj, result),
        Done::Forward(report) => super::forwarding::reported(app, report),
        Done::EditReady(result) => return sessions::edit_ready(app, result),
        Done::Edited(outcome) => return sessions::edited(app, outcome),
        Done::Discovered(cluster, result) => {
            if cluster == app.fleet.cluster {
                return super::kinds::discovered(app, result);
            }
        }
        Done::Yaml(obj, result)
            if app
                .described_object
                .as_ref()
                .is_some_and(|d| d.target == obj)
                && app
                    .detail
                    .as_ref()
                    .is_some_and(|d| d.target == obj && d.kind == DetailKind::Describe) =>
        {
            // A generic object's describe: built by the projection, with its events.
            if let Some(d) = app.described_object.as_mut() {
                d.in_flight = false;
                match result {
                    Ok(v) => {
                        d.version = v["metadata"]["resourceVersion"]
                            .as_str()
                            .map(str::to_string);
                        d.object = Some(Arc::new(v));
                        d.failed = false;
                    }
                    Err(e) => {
                        d.failed = true;
                        if let Some(detail) = app.detail.as_mut().filter(|x| x.target == obj) {
                            detail.status = Some(DetailStatus::CannotGet(e));
                        }
                    }
                }
            }
            app.stale.describe = true;
        }
        Done::Yaml(obj, result) => {
            let d = app
                .detail
                .as_mut()
                .filter(|d| d.target == obj && d.kind == DetailKind::Yaml);
            if let Some(d) = d {
                let lines = result.and_then(|v| {
                    yaml::yaml_lines(&v, d.show_managed_fields, d.revealed)
                        .map_err(|e| ActionError::Decode(e.to_string()))
                });
                match lines {
                    Ok(lines) => d.set_lines(lines),
                    Err(e) => d.status = Some(DetailStatus::CannotGet(e)),
                }
            }
        }
        Done::Context(answers) => return switched(app, answers),
        Done::Theme(name, Ok(())) => {
            app.say(Notice::ThemeSet(name.clone()));
            app.theme_name = name;
        }
        Done::Theme(_, Err(e)) => app.say(Notice::ThemeFailed(e)),
        Done::InputDropped(_) => app.say(Notice::InputDropped),
        Done::SessionFailed(id, why) => return sessions::failed(app, id, why),
        Done::Budgets(cluster, result) => super::nodes::budgets(app, cluster, result),
        Done::Agent(cluster, presence) => {
            super::sessions::update::agent_checked(app, cluster, presence);
        }
    }
    Vec::new()
}

/// A context switch's clients are ready: show the clusters whose client is (a context whose
/// client cannot be built is said and left out), in all namespaces if that was the scope or
/// several clusters are shown, else in the first context's own namespace.
fn switched(app: &mut App, answers: Vec<(ClusterId, Result<String, ConnectError>)>) -> Vec<Effect> {
    let mut clusters = Vec::new();
    let mut default_ns = None;
    let mut failed = Vec::new();
    for (cluster, answer) in answers {
        match answer {
            Ok(ns) => {
                default_ns.get_or_insert(ns.clone());
                app.fleet.context_namespaces.insert(cluster.clone(), ns);
                clusters.push(cluster);
            }
            Err(e) => failed.push((cluster, e)),
        }
    }
    let Some(cluster) = clusters.first().cloned() else {
        app.say(Notice::Switched {
            to: Vec::new(),
            failed,
        });
        return Vec::new();
    };
    // One cluster: its context's namespace unless every namespace was shown. Several: what
    // was shown stays (every namespace, a namespace in each, or each context's own).
    let scope = match default_ns {
        Some(ns) if clusters.len() == 1 && !app.fleet.scope.is_all() => Scope::Namespace(ns),
        _ if clusters.len() == 1 => Scope::All,
        _ => app.fleet.scope.clone(),
    };
    app.fleet.scope = scope.clone();
    super::contexts::change_rows(&mut app.tables.contexts, |r| {
        r.current = clusters.iter().any(|c| c.context() == r.name);
    });
    app.tables.contexts.clear_marks();
    app.fleet.server = app
        .tables
        .contexts
        .all_rows()
        .iter()
        .find(|r| r.name == cluster.context())
        .map(|r| r.server.clone())
        .unwrap_or_default();
    app.say(Notice::Switched {
        to: clusters.clone(),
        failed,
    });
    let mut effects = super::navigate::connect(app, clusters, scope);
    // The new context's own plugins, hotkeys and aliases.
    effects.push(watch_k9s_files(app));
    // A `:KIND @CONTEXT`: its view, now that the context is shown.
    if let Some((target, args)) = app.after_switch.take() {
        effects.extend(super::command::show_view(app, target, args));
    }
    effects
}
