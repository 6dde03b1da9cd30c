//! The status line's words: each [`Notice`] said as a sentence. The one place its text is
//! composed (what comes from the cluster is sanitised where it is drawn).

use crate::app::notice::Notice;
use crate::app::prompt::{ManyVerb, Pending, Question};
use crate::kube::ids::ClusterId;

fn names(clusters: &[ClusterId]) -> String {
    clusters
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `notice` says.
pub fn text(notice: &Notice) -> String {
    use Notice::*;
    match notice {
        Tip(text) | Refused(text) => (*text).to_string(),
        Invalid(why) => why.clone(),
        ConfigProblems { file, problems } => format!("{file}: {}", problems.join("; ")),
        Acted(acted) => acted.to_string(),
        ManyActed { done, failed } => many_done(done, failed),
        ActionFailed(e) => e.to_string(),
        Saved { path, lines } => format!("saved {lines} lines to {path}"),
        SaveFailed { path, reason } => format!("cannot save to {path}: {reason}"),
        ClipboardFailed(why) => format!("cannot copy: {why}"),
        Copied(n) => format!("copied {n} lines (OSC 52)"),
        ThemeSet(name) => format!("theme: {name}"),
        ThemeFailed(e) => e.to_string(),
        ThemeIs(name) => format!("theme: {name} (:theme NAME to switch)"),
        InputDropped => "the session is not taking input fast enough: key dropped".into(),
        SessionFailed(why) => why.to_string(),
        ServerWarned { warnings, after } => {
            // The warning first: the change's progress also shows in its table, the warning
            // nowhere else, and a narrow status line cuts the end.
            let warned = format!("the server warned: {}", warnings.join("; "));
            match after {
                Some(said) => format!("{warned} · {}", text(said)),
                None => warned,
            }
        }
        Connecting(clusters) => format!("connecting to {} …", names(clusters)),
        Switched { to, failed } => {
            let failed: Vec<String> = failed
                .iter()
                .map(|(c, e)| format!("cannot switch to {c}: {e}"))
                .collect();
            match (to.is_empty(), failed.is_empty()) {
                (true, _) => failed.join("; "),
                (false, true) => format!("switched to {}", names(to)),
                (false, false) => format!("switched to {}; {}", names(to), failed.join("; ")),
            }
        }
        RetryingNow(clusters) => format!("retrying now ({})", names(clusters)),
        UnknownNamespace(ns) => {
            format!("namespace {ns:?} is not in the namespaces list: switched anyway")
        }
        ContextsMarked(0) => "no context marked: Enter shows the one under the cursor".into(),
        ContextsMarked(n) => format!("{n} marked: Enter shows them together"),
        Discovering => "asking the server what it serves…".into(),
        DiscoveryFailed(e) => format!("cannot ask the server what it serves: {e}"),
        NoSuchKind(why) => why.clone(),
        NothingStartsWith(prefix) => format!("nothing starts with {prefix:?}"),
        Completions { shown, more } => {
            format!("{}{}", shown.join("  "), if *more { " …" } else { "" })
        }
        BadFilter(e) => e.to_string(),
        Cancelled => "cancelled".into(),
        NoFavourite(n) => {
            format!("no favourite namespace {n} yet: the namespaces you switch to become 1 to 9")
        }
        NotNamespaced(label) => format!("{label} is in no namespace: nothing to copy"),
        CopiedText(text) => format!("copied {text:?} (OSC 52)"),
        Wide(true) => "every column (Ctrl-w: those that fit)".into(),
        Wide(false) => "the columns that fit (Ctrl-w: every column)".into(),
        TypeToConfirm(name) => format!("type {name} exactly to confirm (Esc cancels)"),
        NoMatch(search) => format!("no match for {search:?}"),
        SecretValues { shown } => {
            format!("secret values {}", if *shown { "shown" } else { "hidden" })
        }
        OnlyFlagged { on: false, .. } => "showing all rows".into(),
        OnlyFlagged { events, on: true } => format!(
            "showing only {} (w: all)",
            if *events {
                "warnings"
            } else {
                "rows needing attention"
            }
        ),
        WorkloadsOnly { what, kinds } => format!(
            "{what} applies to {}: select one in its view (:deploy, :sts…)",
            kinds.join(", ")
        ),
        CannotDelete(kind) => format!("kubedeck does not delete {} (use kubectl)", kind.label()),
        PluginRefused { name, why } => format!("plugin {name} not run: {why}"),
        PluginStarted { name, target } => format!("plugin {name} running on {target} …"),
        PluginFinished {
            name,
            outcome: Ok((code, said)),
        } => {
            let how = match code {
                Some(0) => "done".to_string(),
                Some(c) => format!("exited {c}"),
                None => "killed by a signal".to_string(),
            };
            if said.is_empty() {
                format!("plugin {name}: {how}")
            } else {
                format!("plugin {name}: {how}: {said}")
            }
        }
        PluginFinished {
            name,
            outcome: Err(why),
        } => format!("plugin {name} could not run: {why}"),
        ExtensionsRead {
            plugins,
            hotkeys,
            aliases,
            views,
        } => format!(
            "k9s files read again: {plugins} plugin(s), {hotkeys} hotkey(s), {aliases} alias(es), {views} view(s)"
        ),
        ExtensionProblems(problems) => format!(
            "{} problem(s) in plugins, hotkeys or aliases: {}",
            problems.len(),
            problems.join("; ")
        ),
        NoneApplies { marked } => {
            format!("that applies to none of the {marked} marked rows (Ctrl-\\ clears the marks)")
        }
        AlreadyFinished(name) => format!("{name} has already finished"),
        RollingOut {
            label,
            updated,
            want,
            available,
            ready,
        } => format!(
            "rolling out {label}: {updated} of {want} updated, {available} available, {ready} ready"
        ),
        RolledOut { label, want } => {
            format!("{label} rolled out: {want} of {want} updated and available")
        }
        SelectsNoPods(label) => format!("{label} selects no pods"),
        Reading(label) => format!("reading {label}…"),
        CannotRead { label, error } => format!("cannot read {label}: {error}"),
        NoServiceBackends(label) => format!("{label} has no Service backends"),
        OwnerUnknown { kind, name, why } => format!("owner {kind}/{name}: {why}"),
        Forwarding {
            local,
            target,
            remote,
        } => {
            let local = match local {
                0 => "any".to_string(),
                p => p.to_string(),
            };
            format!("forwarding 127.0.0.1:{local} to {target}:{remote} (:pf lists forwards)")
        }
        ForwardListening {
            addr,
            target,
            remote,
        } => format!("{addr} → {target}:{remote}"),
        ForwardStopped(None) => "forward stopped".into(),
        ForwardStopped(Some(why)) => format!("forward stopped: {why}"),
        ForwardFailed { target, why } => {
            format!("a connection through the forward to {target} failed: {why}")
        }
        NoLogs(kind) => format!("{} have no logs", kind.label()),
        NoOwner(pod) => format!("{pod} has no owner"),
        NoLabels { kind, owner } => {
            format!("{kind} {owner}: its pods carry no labels to select them by")
        }
        OwnerLogs { kind, owner } => format!("logs of {kind} {owner} and its siblings"),
        NotAWorkload(word) => {
            format!("{word}: not a workload or run kind (deploy, sts, ds, rs, job, pr, tr)")
        }
        LogsUsage(word) => format!("usage: :logs {word}/NAME"),
        WhichNamespace { kind, name } => format!("which namespace? :logs -n NS {kind}/{name}"),
        NoMoreMatches(search) => format!("no more matches for {search:?}"),
        MinLevel(Some(level)) => format!("showing {}+ lines", level.label()),
        MinLevel(None) => "showing every level".into(),
        PreviousLog(true) => "previous container instance".into(),
        PreviousLog(false) => "current container".into(),
        FilterKeeps { kept: 0, held } => format!("no lines match (of {held})"),
        FilterKeeps { kept, held } => format!("{kept} of {held} lines match"),
        NeedsLogPane(cmd) => format!(":{cmd} applies to the focused log pane (Tab to focus one)"),
        LogsSince(ago) => format!("logs since {ago} ago"),
        BadLineCount(n) => format!("bad line count {n:?}"),
        SessionsRefused(kind) => format!("read-only mode: {kind} sessions are refused"),
        NodeShellsSwept { cluster, names } => format!(
            "{cluster}: deleted {} node-shell pod(s) an earlier kubedeck left: {}",
            names.len(),
            names.join(", ")
        ),
        BackToDebug {
            pod,
            prefix,
            end_key,
        } => format!(
            "back to the debug session in {pod} (end it with {prefix} {end_key} for a new one)"
        ),
        PodGone(name) => format!("pod {name} is gone"),
        NotAllowed {
            what,
            resource,
            namespace,
        } => format!(
            "{what}: not allowed: your RBAC rules do not let you create/get {resource} in {namespace} (:can-i {namespace} lists what you may do)"
        ),
        AccessReviewFailed(e) => format!("cannot ask the server what you may do: {e}"),
        Copying { from, bytes } => format!("copying {from}: {} received", size(*bytes)),
        CopiedOut(r) if r.skipped.is_empty() => format!(
            "copied {} file(s), {} to {}",
            r.files,
            size(r.bytes),
            r.local.display()
        ),
        CopiedOut(r) => format!(
            "copied {} file(s), {} to {}; skipped {}: {}",
            r.files,
            size(r.bytes),
            r.local.display(),
            r.skipped.len(),
            r.skipped
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
        CopyFailed(e) => format!("copy failed: {e}"),
        XrayFailed(e) => format!(":xray cannot read what its trees need: {e}"),
        JournalUnreadable(e) => format!("the timeline's journal could not be read back: {e}"),
        RecorderOff(e) => format!(
            "the flight recorder is off (the timeline is kept in memory only): cannot write {e}"
        ),
        TimelineSince { since, recorder } => {
            let from = since.strftime("%Y-%m-%d %H:%M:%S UTC");
            match recorder {
                crate::app::timeline_state::Recorder::On => {
                    format!(
                        "timeline: changes from {from} on (the journal keeps them across restarts)"
                    )
                }
                crate::app::timeline_state::Recorder::Off => {
                    format!("timeline: changes from {from} on, in memory only (no data directory)")
                }
                crate::app::timeline_state::Recorder::Failed(e) => {
                    format!("timeline: changes from {from} on; the recorder is off: {e}")
                }
            }
        }
        TimelineGone(obj) => format!("{obj} is gone (not in the cluster any more)"),
        TravelFailed(why) => format!("time travel: {why}"),
        Travelled { at, not_watching } => {
            let when = at.strftime("%Y-%m-%d %H:%M:%S UTC");
            if not_watching.is_empty() {
                format!("as of {when}, from the journal (read-only; :at now returns)")
            } else {
                format!(
                    "as of {when}: kubedeck was not watching {} then; shown as last seen before (read-only; :at now returns)",
                    not_watching.join(", ")
                )
            }
        }
        TravelEnded => "back to now: live".to_string(),
        AsOfReadOnly(at) => format!(
            "as of {}: read-only, nothing acts on the past (:at now returns to the live cluster)",
            at.strftime("%H:%M:%S UTC")
        ),
        TimelineCannotOpen(obj) => {
            format!("{obj}: Enter opens pods, nodes and PipelineRuns; use :KIND for the others")
        }
        HelmFailed(e) => {
            format!(":helm reads Helm's release Secrets and needs list and get on secrets: {e}")
        }
        HelmUnreadable { count, first } => {
            format!("{count} Helm release Secret(s) could not be read: {first}")
        }
        WhoCanFailed(e) => {
            format!("who-can needs to list (cluster)roles and (cluster)rolebindings: {e}")
        }
        ApplyingEdit(label) => format!("applying your edit of {label}…"),
        Recording { label, path } => format!("recording {label} to {}", path.display()),
        RecordingSaved(path) => {
            format!("recording saved: {} (asciinema play FILE)", path.display())
        }
        NotRecording => "not recording".into(),
        CannotRecord(why) => format!("cannot record: {why}"),
        CannotEditYet(label) => {
            format!("cannot edit {label}: the server's kinds are not known yet (discovery)")
        }
        FetchingToEdit(label) => format!("fetching {label} to edit…"),
        Editing(label) => format!("editing {label}: save and quit the editor to apply"),
        CannotEdit(e) => format!("cannot edit: {e}"),
        EditApplied(label) => format!("applied your edit of {label}"),
        EditNotApplied { label, why } => {
            format!("{label} not applied: {why} (your text is kept; the editor reopens)")
        }
    }
}

/// What a confirmation asks; a production-like cluster's delete asks for the name typed.
/// The context (or contexts) of `objects`.
fn contexts_of(objects: &[crate::kube::object_ref::ObjectRef]) -> Vec<String> {
    let mut contexts: Vec<String> = objects.iter().map(|o| o.cluster.to_string()).collect();
    contexts.sort();
    contexts.dedup();
    contexts
}

/// Where `objects` are, for a question: `(context a)`, or `(contexts a, b)`.
fn some_of(objects: &[crate::kube::object_ref::ObjectRef]) -> String {
    let contexts = contexts_of(objects);
    let word = if contexts.len() == 1 {
        "context"
    } else {
        "contexts"
    };
    format!("({word} {})", contexts.join(", "))
}

fn many_question(verb: ManyVerb, objects: &[crate::kube::object_ref::ObjectRef]) -> String {
    let n = objects.len();
    let which = some_of(objects);
    match verb {
        ManyVerb::Delete { dependents: false } => format!("Delete {n} marked {which}?"),
        ManyVerb::Delete { dependents: true } => format!(
            "Delete {n} marked {which}? Their dependents are deleted too (propagation: Background)"
        ),
        ManyVerb::Cancel => format!("Cancel {n} marked {which}?"),
        ManyVerb::Rerun => format!("Start a new run of each of {n} marked {which}?"),
        ManyVerb::RolloutRestart => {
            format!("Restart every pod of {n} marked (rollout restart) {which}?")
        }
        ManyVerb::Scale(replicas) => format!("Scale {n} marked to {replicas} replicas {which}?"),
        ManyVerb::Cordon(true) => {
            format!("Cordon {n} marked nodes {which}? New pods will not be scheduled on them.")
        }
        ManyVerb::Cordon(false) => {
            format!("Uncordon {n} marked nodes {which}? Pods may be scheduled on them again.")
        }
    }
}

/// What a change to many objects came to: how many went through, and each failure.
fn many_done(
    done: &[crate::kube::actions::Acted],
    failed: &[(
        crate::kube::object_ref::ObjectRef,
        crate::kube::actions::ActionError,
    )],
) -> String {
    const SHOWN: usize = 3;
    let total = done.len() + failed.len();
    if failed.is_empty() {
        return match done {
            [one] => one.to_string(),
            _ => {
                let first: Vec<String> = done.iter().take(SHOWN).map(ToString::to_string).collect();
                let more = if done.len() > SHOWN { ", …" } else { "" };
                format!("{total} done: {}{more}", first.join(", "))
            }
        };
    }
    let why: Vec<String> = failed
        .iter()
        .take(SHOWN)
        .map(|(o, e)| format!("{}: {e}", o.label()))
        .collect();
    let more = if failed.len() > SHOWN {
        format!("; and {} more failed", failed.len() - SHOWN)
    } else {
        String::new()
    };
    format!(
        "{} of {total} done, {} failed: {}{more}",
        done.len(),
        failed.len(),
        why.join("; ")
    )
}

/// The lines a confirmation lists below its question: every pod a drain evicts, or what
/// happens to each marked object (with its context).
pub fn listed(pending: &Pending) -> Vec<String> {
    if let Some(p) = &pending.preview {
        return p.lines();
    }
    let Question::Many { verb, objects, .. } = &pending.question else {
        return Vec::new();
    };
    let what = match verb {
        ManyVerb::Delete { .. } => "delete",
        ManyVerb::Cancel => "cancel",
        ManyVerb::Rerun => "rerun",
        ManyVerb::RolloutRestart => "restart",
        ManyVerb::Scale(_) => "scale",
        ManyVerb::Cordon(true) => "cordon",
        ManyVerb::Cordon(false) => "uncordon",
    };
    // Each object's context when they are in several (else the question says it).
    let several = contexts_of(objects).len() > 1;
    objects
        .iter()
        .map(|o| match several {
            true => format!("{what:<9}{}  (context {})", o.label(), o.cluster),
            false => format!("{what:<9}{}", o.label()),
        })
        .collect()
}

pub fn question(pending: &Pending) -> String {
    let on = |obj: &crate::kube::object_ref::ObjectRef| {
        format!("{} (context {})", obj.label(), obj.cluster)
    };
    let text = match &pending.question {
        Question::Scale { obj, replicas } => format!(
            "Scale {} to {replicas} replicas (context {})?",
            obj.label(),
            obj.cluster
        ),
        Question::SetImage {
            obj,
            container,
            image,
        } => format!(
            "Set the image of container {container} of {} to {image} (a rollout starts)?",
            on(obj)
        ),
        Question::Rollback {
            obj,
            revision,
            images,
        } => format!(
            "Roll {} back to revision {revision} ({})? A rollout starts",
            on(obj),
            images.join(", ")
        ),
        Question::Overwrite(path) => format!("{path} exists: replace it with the copy?"),
        Question::HelmRollback {
            release,
            revision,
            cluster,
        } => format!(
            "Roll Helm release {release} back to revision {revision} with helm rollback, in a pane (context {cluster})?"
        ),
        Question::Trigger(obj) => format!(
            "Create a Job from {} now (as kubectl create job --from)?",
            on(obj)
        ),
        Question::Suspend { obj, on: true } => {
            format!(
                "Suspend {}? No Job is scheduled until it is resumed",
                on(obj)
            )
        }
        Question::Suspend { obj, on: false } => format!("Resume {}?", on(obj)),
        Question::RolloutRestart(obj) => format!(
            "Restart every pod of {} (rollout restart, context {})?",
            obj.label(),
            obj.cluster
        ),
        Question::Delete {
            obj,
            dependents: false,
        } => format!("Delete {}?", on(obj)),
        Question::Delete {
            obj,
            dependents: true,
        } => format!(
            "Delete {}? Its dependents are deleted too (propagation: Background)",
            on(obj)
        ),
        Question::Cancel(obj) => format!("Cancel {}?", on(obj)),
        Question::Rerun(obj) => format!("Start a new run of {} with the same spec?", on(obj)),
        Question::Cordon { node, on: true } => {
            format!("Cordon node/{node}? New pods will not be scheduled on it.")
        }
        Question::Cordon { node, on: false } => {
            format!("Uncordon node/{node}? Pods may be scheduled on it again.")
        }
        Question::Drain {
            node,
            cluster,
            evict,
        } => format!(
            "Drain node/{node} (context {cluster})? Cordon it, then evict {evict} pod(s). j/k scroll."
        ),
        Question::EndSession(label) => format!("{label} is still running: end it? (y/N)"),
        Question::Quit { sessions } => {
            format!("{sessions} session(s) still running: quit and end them? (y/N)")
        }
        Question::Plugin {
            name,
            description,
            command,
            count: 1,
        } => format!("Run plugin {name} ({description}): {command}?"),
        Question::Plugin {
            name,
            description,
            command,
            count,
        } => format!(
            "Run plugin {name} ({description}) on {count} marked, one after another? First: {command}"
        ),
        Question::Many {
            verb,
            objects,
            left_out,
        } => {
            let mut text = many_question(*verb, objects);
            if *left_out > 0 {
                text.push_str(&format!(" ({left_out} other marked row(s) left alone)"));
            }
            text
        }
    };
    match &pending.typed {
        Some(name) => {
            format!("PRODUCTION {text} — type {name} and Enter to confirm (Esc cancels)")
        }
        None => text,
    }
}

/// A byte count as people read it.
fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::action::{Effect, OnConfirm};
    use crate::kube::informer::ResourceKind;
    use crate::kube::object_ref::ObjectRef;

    fn pending(objects: Vec<ObjectRef>) -> Pending {
        let effects = objects.iter().cloned().map(Effect::Delete).collect();
        Pending::ask(
            Question::Many {
                verb: ManyVerb::Delete { dependents: false },
                objects,
                left_out: 1,
            },
            OnConfirm::Run(Box::new(Effect::Many(effects))),
        )
    }

    #[test]
    fn an_action_on_many_lists_each_object_with_its_context_when_they_are_in_several() {
        let pod =
            |c: &str, n: &str| ObjectRef::new(&ClusterId::new(c), ResourceKind::Pods, "demo", n);
        let one = pending(vec![pod("eu", "a"), pod("eu", "b")]);
        assert_eq!(
            question(&one),
            "Delete 2 marked (context eu)? (1 other marked row(s) left alone)"
        );
        assert_eq!(listed(&one), ["delete   pod/demo/a", "delete   pod/demo/b"]);
        let two = pending(vec![pod("eu", "a"), pod("us", "a")]);
        assert!(question(&two).starts_with("Delete 2 marked (contexts eu, us)?"));
        assert_eq!(
            listed(&two),
            [
                "delete   pod/demo/a  (context eu)",
                "delete   pod/demo/a  (context us)"
            ]
        );
    }
}
