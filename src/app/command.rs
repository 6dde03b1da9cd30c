//! The `:` command line: every command with its names, argument and description (the help is
//! built from this table), parsed into a typed [`Command`] before anything runs.

use super::action::Effect;
use super::filter::Filter;
use super::logs::update as logs;
use super::navigate::{go_view, switch_scope};
use super::notice::Notice;
use super::sessions::update as sessions;
use super::state::{App, View};
use crate::kube::ids::{ClusterId, Scope};

/// What a command is, without its arguments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommandName {
    Triage,
    Pods,
    PipelineRuns,
    Events,
    Nodes,
    Namespaces,
    Contexts,
    Theme,
    Logs,
    Since,
    Tail,
    Drain,
    Captured,
    Sessions,
    Shell,
    Retry,
    ApiResources,
    Scale,
    RolloutRestart,
    Edit,
    PortForward,
    Containers,
    CanI,
    WhoCan,
    SetImage,
    Rollback,
    Helm,
    Xray,
    Timeline,
    Export,
    At,
    Diff,
    Copy,
    Trigger,
    Suspend,
    Resume,
    Quit,
}

/// One entry of the table: the names it answers to (the first is its own), what argument it
/// takes, and what it does.
pub struct CommandSpec {
    pub names: &'static [&'static str],
    pub name: CommandName,
    pub args: &'static str,
    pub desc: &'static str,
}

const fn spec(
    names: &'static [&'static str],
    name: CommandName,
    args: &'static str,
    desc: &'static str,
) -> CommandSpec {
    CommandSpec {
        names,
        name,
        args,
        desc,
    }
}

pub const COMMANDS: &[CommandSpec] = &[
    spec(
        &["triage", "tri"],
        CommandName::Triage,
        "",
        "what is broken now",
    ),
    spec(&["pods", "po", "pod"], CommandName::Pods, "", "pods"),
    spec(
        &["pipelineruns", "pr", "pipelinerun", "prs"],
        CommandName::PipelineRuns,
        "",
        "Tekton PipelineRuns",
    ),
    spec(
        &["events", "ev", "event"],
        CommandName::Events,
        "",
        "events, newest first",
    ),
    spec(&["nodes", "no", "node"], CommandName::Nodes, "", "nodes"),
    spec(
        &["namespaces", "ns", "namespace"],
        CommandName::Namespaces,
        "[NAME|all]",
        "pick a namespace, or switch to NAME",
    ),
    spec(
        &["contexts", "ctx", "context"],
        CommandName::Contexts,
        "[NAME|A,B|SET]",
        "pick contexts (Space marks several), or show NAME, several, or a config set",
    ),
    spec(
        &["theme"],
        CommandName::Theme,
        "NAME",
        "switch theme (default, light, high-contrast, 16, no-color)",
    ),
    spec(
        &["logs", "log"],
        CommandName::Logs,
        "[-l SEL | deploy/NAME]",
        "logs of the selection, of a label selector's pods, or of a workload's pods (deploy, sts, ds, rs, job)",
    ),
    spec(
        &["since"],
        CommandName::Since,
        "5m|1h|off",
        "log pane: only lines newer than this (restarts the stream)",
    ),
    spec(
        &["tail"],
        CommandName::Tail,
        "LINES",
        "log pane: lines of backlog per container",
    ),
    spec(
        &["drain"],
        CommandName::Drain,
        "",
        "nodes: cordon the selected node and evict its pods (a preview asks first)",
    ),
    spec(
        &["retry"],
        CommandName::Retry,
        "",
        "try again now: informers and metrics waiting out a backoff reconnect at once",
    ),
    spec(
        &["captured"],
        CommandName::Captured,
        "",
        "Tekton runs whose step logs were captured (Enter: their logs, even once deleted)",
    ),
    spec(
        &["sessions", "ss"],
        CommandName::Sessions,
        "",
        "terminal sessions: Enter shows one, Ctrl-d ends one",
    ),
    spec(
        &["shell", "sh"],
        CommandName::Shell,
        "",
        "a shell on this machine with the current context (KUBECONFIG set)",
    ),
    spec(
        &["scale"],
        CommandName::Scale,
        "REPLICAS",
        "scale the selected Deployment, StatefulSet or ReplicaSet (asks first)",
    ),
    spec(
        &["restart", "rollout-restart"],
        CommandName::RolloutRestart,
        "",
        "rollout restart of the selected Deployment, StatefulSet or DaemonSet (asks first)",
    ),
    spec(
        &["pf", "port-forward", "portforward"],
        CommandName::PortForward,
        "[[LOCAL:]REMOTE]",
        "port-forwards (Ctrl-d stops, r restarts); with ports: forward 127.0.0.1:LOCAL to the selected pod, Service or workload",
    ),
    spec(
        &["containers", "co", "container"],
        CommandName::Containers,
        "",
        "the selected pod's containers: image, ready, state and why, restarts, last termination, probes, ports (l s D P act on one)",
    ),
    spec(
        &["edit"],
        CommandName::Edit,
        "",
        "the selection's YAML in $KUBE_EDITOR/$EDITOR in a pane; applied on exit with the version it was read at (asks nothing: quitting unsaved cancels)",
    ),
    spec(
        &["api-resources", "apis", "kinds"],
        CommandName::ApiResources,
        "",
        "every kind the server serves (Enter: its objects); any of their names is a command: :deploy, :svc NS, :crd, :certificates.cert-manager.io",
    ),
    spec(
        &["cp", "copy"],
        CommandName::Copy,
        "[NS/]POD:PATH [LOCAL] [-c C]",
        "copy a file or folder out of a container (PATH alone: the selected pod), as kubectl cp, every tar entry checked; asks before replacing LOCAL",
    ),
    spec(
        &["helm", "charts", "hr"],
        CommandName::Helm,
        "[NS|all]",
        "Helm releases read from their Secrets (no helm needed): Enter history, then Enter status and notes, v values (a: all computed), y manifest; :rollback there runs helm rollback in a pane",
    ),
    spec(
        &["timeline", "tl"],
        CommandName::Timeline,
        "",
        "what changed, newest first, live and kept across restarts: pods (created, scheduled, started, ready, restarted with why, evicted, deleted and by whom), workloads (scaled, rollouts, paused), nodes (conditions, cordon, taints), PipelineRuns, warnings; /kind=pod /ns=NS filter, w what needs attention, Enter the object",
    ),
    spec(
        &["export", "save"],
        CommandName::Export,
        "[csv|jsonl]",
        "save the table as shown (filter and sort) to the data dir, as CSV or JSON lines; in :timeline each change whole (time, cluster, object, change, detail)",
    ),
    spec(
        &["at"],
        CommandName::At,
        "TIME|-15m|now",
        "travel back: pods, nodes, events, PipelineRuns and workloads as the journal saw them then (HH:MM today, YYYY-MM-DD HH:MM, -15m, -2h); read-only, a banner says when; :at now returns",
    ),
    spec(
        &["diff"],
        CommandName::Diff,
        "[CONTEXT:]KIND/[NS/]NAME T1 [T2]",
        "what changed in an object's recorded fields between two times (T2: now), from the journal (of the first cluster shown, or CONTEXT's)",
    ),
    spec(
        &["xray", "x"],
        CommandName::Xray,
        "KIND [NS|all] [/FILTER]",
        "what belongs to what, as trees: deploy (ReplicaSets, pods, containers), sts, ds, job, cj (jobs, pods), svc (pods, EndpointSlices), po (containers, ConfigMaps, Secrets, PVCs, ServiceAccount); Enter/h/l fold",
    ),
    spec(
        &["set-image", "image"],
        CommandName::SetImage,
        "[CONTAINER=]IMAGE",
        "set a container's image in the selected Deployment, StatefulSet or DaemonSet (asks first; the rollout is followed); i opens it with the current image",
    ),
    spec(
        &["rollback", "undo"],
        CommandName::Rollback,
        "[REVISION]",
        "roll the selected Deployment, StatefulSet or DaemonSet back: its revisions listed (image, change-cause, age, pods) to pick from (asks first)",
    ),
    spec(
        &["trigger"],
        CommandName::Trigger,
        "",
        "create a Job from the selected CronJob now, as kubectl create job --from=cronjob (asks first)",
    ),
    spec(
        &["suspend"],
        CommandName::Suspend,
        "",
        "suspend the selected CronJob (asks first)",
    ),
    spec(
        &["resume"],
        CommandName::Resume,
        "",
        "resume the selected CronJob (asks first)",
    ),
    spec(
        &["can-i", "cani"],
        CommandName::CanI,
        "[NS]",
        "what you may do in NS (else the namespace shown): each resource and its verbs, from the server's review of your rules",
    ),
    spec(
        &["who-can", "whocan"],
        CommandName::WhoCan,
        "VERB RESOURCE[/SUB] [NS]",
        "who may do it, through which (Cluster)RoleBinding and role: :who-can create pods/exec demo",
    ),
    spec(
        &["quit", "q", "q!", "exit"],
        CommandName::Quit,
        "",
        "quit (asks while sessions run)",
    ),
];

pub use super::view_args::{NamespaceArg, ViewArgs, ViewTarget};

/// A parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// One of kubedeck's own views, with k9s's arguments (`:po demo /web`).
    View(View, ViewArgs),
    /// `:ns`: the namespaces view, or a switch.
    Namespaces(Option<NamespaceArg>),
    /// `:ctx`: the contexts view, or a switch.
    Contexts(Option<String>),
    Theme(Option<String>),
    Logs(Vec<String>),
    Since(Vec<String>),
    Tail(Vec<String>),
    Drain,
    Captured,
    Sessions,
    Shell,
    Retry,
    ApiResources,
    Scale(Option<String>),
    RolloutRestart,
    Edit,
    PortForward(Option<String>),
    Containers,
    CanI(Option<String>),
    WhoCan(Vec<String>),
    SetImage(Option<String>),
    Rollback(Option<String>),
    Helm(Option<String>),
    Xray(Vec<String>),
    Timeline,
    Export(Option<String>),
    At(Vec<String>),
    Diff(Vec<String>),
    Copy(Vec<String>),
    Trigger,
    Suspend(bool),
    /// `:KIND [ARGS]`: any kind the server serves (resolved through discovery).
    Resource(String, ViewArgs),
    Quit,
}

/// Why a line is not a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("unknown command :{0} (press ? for help)")]
    Unknown(String),
    /// Arguments a command does not take, or that do not parse.
    #[error(":{command}: {why}")]
    Args { command: String, why: String },
    #[error("empty command")]
    Empty,
}

/// The command a word names.
pub fn lookup(word: &str) -> Option<&'static CommandSpec> {
    COMMANDS.iter().find(|c| c.names.contains(&word))
}

/// Parse a command line (without the `:`).
pub fn parse(line: &str) -> Result<Command, CommandError> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&word, args)) = words.split_first() else {
        return Err(CommandError::Empty);
    };
    let arg = args.first().map(|a| a.to_string());
    let view_args = || {
        ViewArgs::parse(args).map_err(|why| CommandError::Args {
            command: word.to_string(),
            why,
        })
    };
    // What takes no argument says so, rather than ignoring it.
    let none = |command: Command| match args {
        [] => Ok(command),
        [first, ..] => Err(CommandError::Args {
            command: word.to_string(),
            why: format!("takes no argument ({first:?})"),
        }),
    };
    let Some(spec) = lookup(word) else {
        // Not one of kubedeck's: a kind, if the server serves one by that name.
        if word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
        {
            return Ok(Command::Resource(word.to_string(), view_args()?));
        }
        return Err(CommandError::Unknown(word.to_string()));
    };
    let rest = || args.iter().map(|a| a.to_string()).collect();
    Ok(match spec.name {
        CommandName::Triage => Command::View(View::Triage, view_args()?),
        CommandName::Pods => Command::View(View::Pods, view_args()?),
        CommandName::PipelineRuns => Command::View(View::PipelineRuns, view_args()?),
        CommandName::Events => Command::View(View::Events, view_args()?),
        CommandName::Nodes => Command::View(View::Nodes, view_args()?),
        CommandName::Namespaces => Command::Namespaces(arg.map(|a| match a.as_str() {
            "all" | "-A" | "*" => NamespaceArg::All,
            _ => NamespaceArg::Named(a),
        })),
        CommandName::Contexts => Command::Contexts(arg),
        CommandName::Theme => Command::Theme(arg),
        CommandName::Logs => Command::Logs(rest()),
        CommandName::Since => Command::Since(rest()),
        CommandName::Tail => Command::Tail(rest()),
        CommandName::Drain => none(Command::Drain)?,
        CommandName::Captured => none(Command::Captured)?,
        CommandName::Sessions => none(Command::Sessions)?,
        CommandName::Shell => none(Command::Shell)?,
        CommandName::Retry => none(Command::Retry)?,
        CommandName::ApiResources => none(Command::ApiResources)?,
        CommandName::Scale => Command::Scale(arg),
        CommandName::RolloutRestart => none(Command::RolloutRestart)?,
        CommandName::Edit => none(Command::Edit)?,
        CommandName::PortForward => Command::PortForward(arg),
        CommandName::Containers => none(Command::Containers)?,
        CommandName::CanI => match args {
            [] | [_] => Command::CanI(arg),
            [_, extra, ..] => {
                return Err(CommandError::Args {
                    command: word.to_string(),
                    why: format!("takes one namespace ({extra:?} is one too many)"),
                });
            }
        },
        CommandName::WhoCan => Command::WhoCan(rest()),
        CommandName::SetImage => Command::SetImage(arg),
        CommandName::Rollback => Command::Rollback(arg),
        CommandName::Helm => Command::Helm(arg),
        CommandName::Xray => Command::Xray(rest()),
        CommandName::Timeline => none(Command::Timeline)?,
        CommandName::Export => Command::Export(arg),
        CommandName::At => Command::At(rest()),
        CommandName::Diff => Command::Diff(rest()),
        CommandName::Copy => Command::Copy(rest()),
        CommandName::Trigger => none(Command::Trigger)?,
        CommandName::Suspend => none(Command::Suspend(true))?,
        CommandName::Resume => none(Command::Suspend(false))?,
        CommandName::Quit => none(Command::Quit)?,
    })
}

/// A command while travelling: a recorded kind is shown as of the moment; `:at`, `:diff`,
/// `:timeline`, `:export`, `:theme` and `:q` run as ever; anything else is refused (it would
/// act on, or show, the live cluster under the banner). `None`: not travelling, or run it.
fn travelling(app: &mut App, cmd: &Command) -> Option<Vec<Effect>> {
    use super::travel::command_kind;
    use Command as C;
    let at = app.travel.as_ref()?.at;
    match cmd {
        C::View(view, _) => {
            let word = match view {
                View::Pods => "pod",
                View::Nodes => "node",
                View::Events => "event",
                View::PipelineRuns => "pipelinerun",
                _ => "",
            };
            if let Some(effects) = command_kind(app, word) {
                return Some(effects);
            }
        }
        C::Resource(word, _) => {
            if let Some(effects) = command_kind(app, word) {
                return Some(effects);
            }
        }
        C::At(_) | C::Diff(_) | C::Timeline | C::Export(_) | C::Theme(_) | C::Quit => {
            return None;
        }
        _ => {}
    }
    app.say(Notice::AsOfReadOnly(at));
    Some(Vec::new())
}

/// Parse and run a command line.
pub fn command(app: &mut App, line: &str) -> Vec<Effect> {
    let line = expand_alias(app, line);
    match parse(&line) {
        Ok(cmd) => run(app, cmd),
        Err(CommandError::Empty) => Vec::new(),
        Err(e) => {
            app.say(Notice::Invalid(e.to_string()));
            Vec::new()
        }
    }
}

/// A k9s alias (`aliases.yaml`) as the command it stands for, with the rest of the line after
/// it: `pp demo` with `pp: v1/pods` is `pods demo`.
fn expand_alias(app: &App, line: &str) -> String {
    let trimmed = line.trim();
    let (word, rest) = trimmed
        .split_once(char::is_whitespace)
        .unwrap_or((trimmed, ""));
    match app.extensions.alias(word) {
        Some(command) if rest.trim().is_empty() => command.to_string(),
        Some(command) => format!("{command} {}", rest.trim()),
        None => trimmed.to_string(),
    }
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Try again now instead of waiting out the backoff (after a login, a VPN reconnect).
pub fn retry_now(app: &mut App) -> Vec<Effect> {
    app.say(Notice::RetryingNow(app.fleet.clusters.clone()));
    app.fleet
        .clusters
        .iter()
        .cloned()
        .map(Effect::RetryNow)
        .collect()
}

/// Run a command.
pub fn run(app: &mut App, cmd: Command) -> Vec<Effect> {
    if let Some(effects) = travelling(app, &cmd) {
        return effects;
    }
    match cmd {
        Command::View(view, args) => return show_view(app, ViewTarget::View(view), args),
        Command::Namespaces(None) => go_view(app, View::Namespaces),
        Command::Namespaces(Some(NamespaceArg::All)) => return switch_scope(app, Scope::All),
        Command::Namespaces(Some(NamespaceArg::Named(ns))) => {
            let known = !app.tables.namespaces.all_rows().is_empty();
            let exists = app
                .tables
                .namespaces
                .all_rows()
                .iter()
                .any(|r| r.name == ns);
            if known && !exists {
                // The informer may be forbidden or still syncing: switch, but say so.
                app.say(Notice::UnknownNamespace(ns.clone()));
            }
            return switch_scope(app, Scope::Namespace(ns));
        }
        Command::Contexts(None) => go_view(app, View::Contexts),
        Command::Contexts(Some(names)) => match chosen_contexts(app, &names) {
            Ok(clusters) => {
                app.say(Notice::Connecting(clusters.clone()));
                return vec![Effect::SwitchContext(clusters)];
            }
            Err(why) => app.say(Notice::Invalid(why)),
        },
        Command::Theme(Some(theme)) => return vec![Effect::SetTheme(theme)],
        Command::Theme(None) => {
            app.say(Notice::ThemeIs(app.theme_name.clone()));
        }
        Command::Logs(args) => return super::logs::open::logs_command(app, &strs(&args)),
        Command::Since(args) => return logs::since_command(app, &strs(&args)),
        Command::Tail(args) => return logs::tail_command(app, &strs(&args)),
        Command::Drain => return super::nodes::drain(app),
        Command::Captured => {
            go_view(app, View::Captured);
            return vec![Effect::LoadCaptured];
        }
        Command::Sessions => {
            sessions::refresh_rows(app);
            go_view(app, View::Sessions);
        }
        Command::Shell => return sessions::open_local(app),
        Command::Retry => return retry_now(app),
        Command::ApiResources => return super::kinds::api_resources(app),
        Command::Scale(replicas) => super::mutations::scale(app, replicas.as_deref()),
        Command::RolloutRestart => super::mutations::rollout_restart(app),
        Command::Edit => return sessions::edit(app),
        Command::PortForward(ports) => {
            return super::forwarding::command(app, ports.as_deref());
        }
        Command::Containers => match super::selection::selected_object(app) {
            Some(pod) if pod.kind == crate::kube::informer::ResourceKind::Pods => {
                super::navigate::open_containers(app, pod);
            }
            _ => app.say(Notice::Refused("select a pod to list its containers")),
        },
        Command::CanI(namespace) => return super::access::can_i(app, namespace),
        Command::SetImage(arg) => super::workloads::set_image(app, arg.as_deref()),
        Command::Rollback(revision) if app.view == View::HelmHistory => {
            super::helm::rollback(app, revision.as_deref());
        }
        Command::Rollback(revision) => return super::workloads::rollback(app, revision.as_deref()),
        Command::Helm(namespace) => return super::helm::open(app, namespace),
        Command::Xray(args) => return super::xray::open(app, &args),
        Command::Timeline => return super::timeline::open(app),
        Command::Export(format) => return super::habits::export(app, format.as_deref()),
        Command::At(args) => return super::travel::at(app, &args.join(" ")),
        Command::Diff(args) => return super::travel::diff(app, &args),
        Command::Copy(args) => return super::copy::command(app, &args),
        Command::Trigger => super::workloads::trigger(app),
        Command::Suspend(on) => super::workloads::suspend(app, on),
        Command::WhoCan(args) => return super::access::who_can(app, &args),
        Command::Resource(name, args) => return show_view(app, ViewTarget::Kind(name), args),
        Command::Quit => sessions::ask_quit(app),
    }
    Vec::new()
}

/// A view with k9s's arguments: in a context (switched to first, the rest done once its
/// client is ready), a namespace (kubedeck's views switch to it; a kind's view lists it), a
/// label selector and a filter (the table's filter).
pub fn show_view(app: &mut App, shown: ViewTarget, args: ViewArgs) -> Vec<Effect> {
    if let Some(context) = &args.context {
        return match chosen_contexts(app, context) {
            Ok(clusters) => {
                app.after_switch = Some((shown, args.without_context()));
                app.say(Notice::Connecting(clusters.clone()));
                vec![Effect::SwitchContext(clusters)]
            }
            Err(why) => {
                app.say(Notice::Invalid(why));
                Vec::new()
            }
        };
    }
    let filter = match args.table_filter().map(|f| Filter::parse(&f)).transpose() {
        Ok(f) => f,
        Err(e) => {
            app.say(Notice::BadFilter(e));
            return Vec::new();
        }
    };
    match shown {
        ViewTarget::View(view) => {
            let mut effects = Vec::new();
            if let Some(ns) = args.namespace {
                if matches!(view, View::Nodes) {
                    app.say(Notice::Invalid(format!(
                        "{} are not namespaced: :{} {}",
                        view.title(),
                        view.title(),
                        super::view_args::USAGE.replace("[NAMESPACE|all] ", "")
                    )));
                    return Vec::new();
                }
                let scope = match ns {
                    NamespaceArg::All => Scope::All,
                    NamespaceArg::Named(n) => Scope::Namespace(n),
                };
                if scope != app.fleet.scope {
                    effects = switch_scope(app, scope);
                }
            }
            go_view(app, view);
            if let Some(f) = filter {
                super::navigate::on_table!(app, view, t => t.set_filter(f));
            }
            effects
        }
        ViewTarget::Kind(name) => {
            let mut effects = Vec::new();
            let namespace = match args.namespace {
                Some(NamespaceArg::Named(n)) => Some(n),
                // Every namespace: the views' scope widens to it.
                Some(NamespaceArg::All) => {
                    if !app.fleet.scope.is_all() {
                        effects = switch_scope(app, Scope::All);
                    }
                    None
                }
                None => None,
            };
            effects.extend(super::kinds::command(app, &name, namespace, filter));
            effects
        }
    }
}

/// Tab on the command line: complete the first word from the commands and the kinds.
pub fn complete(app: &mut App) {
    if app.prompt.input.contains(' ') {
        return;
    }
    let prefix = app.prompt.input.to_lowercase();
    let mut names: Vec<String> = COMMANDS
        .iter()
        .flat_map(|c| c.names.iter().map(|n| n.to_string()))
        .filter(|n| n.starts_with(&prefix))
        .chain(app.catalog.api.completions(&prefix))
        .collect();
    names.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    names.dedup();
    match names.as_slice() {
        [] => app.say(Notice::NothingStartsWith(prefix)),
        [one] => app.prompt.input = format!("{one} "),
        many => {
            // As far as they agree, then the choices.
            let first = &many[0];
            let common = (prefix.len()..=first.len())
                .rev()
                .find(|&n| many.iter().all(|m| m.get(..n) == first.get(..n)))
                .unwrap_or(prefix.len());
            app.prompt.input = first[..common].to_string();
            let shown = many.iter().take(12).cloned().collect();
            let more = many.len() > 12;
            app.say(Notice::Completions { shown, more });
        }
    }
}

/// `:ctx a,b` / `:ctx SET`: the contexts named (sets from the config expanded), each once, in
/// the order given; an unknown name says which names are known.
/// A parser of what a user typed (or wrote in the config): its `Err` is the sentence they read.
pub fn chosen_contexts(app: &App, names: &str) -> Result<Vec<ClusterId>, String> {
    let known = app.context_names();
    let mut out: Vec<ClusterId> = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        for context in super::contexts::expand_set(&app.fleet.cluster_sets, name) {
            if !known.contains(&context) {
                let sets: Vec<&str> = app.fleet.cluster_sets.keys().map(String::as_str).collect();
                let sets = if sets.is_empty() {
                    String::new()
                } else {
                    format!("; sets: {}", sets.join(", "))
                };
                return Err(format!(
                    "no context {context:?}; known: {}{sets}",
                    known.join(", ")
                ));
            }
            let id = ClusterId::new(&context);
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    if out.is_empty() {
        return Err("name a context (:ctx NAME, :ctx A,B or :ctx SET)".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_aliases_and_arguments_parse_to_typed_commands() {
        let plain = ViewArgs::default;
        assert_eq!(parse("po"), Ok(Command::View(View::Pods, plain())));
        assert_eq!(
            parse("pipelineruns"),
            Ok(Command::View(View::PipelineRuns, plain()))
        );
        assert_eq!(parse("ns"), Ok(Command::Namespaces(None)));
        assert_eq!(
            parse("ns all"),
            Ok(Command::Namespaces(Some(NamespaceArg::All)))
        );
        assert_eq!(
            parse("ns -A"),
            Ok(Command::Namespaces(Some(NamespaceArg::All)))
        );
        assert_eq!(
            parse("namespace shop"),
            Ok(Command::Namespaces(Some(NamespaceArg::Named(
                "shop".into()
            ))))
        );
        assert_eq!(
            parse("logs -l app=web"),
            Ok(Command::Logs(vec!["-l".into(), "app=web".into()]))
        );
        assert_eq!(parse("q!"), Ok(Command::Quit));
        assert_eq!(parse("  "), Err(CommandError::Empty));
        assert_eq!(
            parse("deploy"),
            Ok(Command::Resource("deploy".into(), plain()))
        );
        assert_eq!(
            parse("svc kube-system"),
            Ok(Command::Resource(
                "svc".into(),
                ViewArgs {
                    namespace: Some(NamespaceArg::Named("kube-system".into())),
                    ..plain()
                }
            ))
        );
        assert_eq!(
            parse("certificates.cert-manager.io"),
            Ok(Command::Resource(
                "certificates.cert-manager.io".into(),
                plain()
            ))
        );
        assert_eq!(parse("what?"), Err(CommandError::Unknown("what?".into())));
    }

    #[test]
    fn every_view_takes_k9s_arguments_and_the_rest_say_what_they_refuse() {
        let Ok(Command::View(View::Pods, args)) = parse("po demo @prod -l app=web /front") else {
            panic!("{:?}", parse("po demo @prod -l app=web /front"));
        };
        assert_eq!(args.namespace, Some(NamespaceArg::Named("demo".into())));
        assert_eq!(args.context.as_deref(), Some("prod"));
        assert_eq!(args.table_filter().as_deref(), Some("-l app=web front"));
        assert!(matches!(
            parse("pr ci"),
            Ok(Command::View(View::PipelineRuns, ViewArgs { namespace: Some(NamespaceArg::Named(ns)), .. })) if ns == "ci"
        ));
        // A command that takes no argument says so.
        let err = parse("sessions demo")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains(":sessions") && err.contains("takes no argument"),
            "{err}"
        );
        let err = parse("po demo shop")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("two namespaces"), "{err}");
        let err = parse("deploy --wide")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("not understood"), "{err}");
    }

    #[test]
    fn every_name_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in COMMANDS {
            for n in c.names {
                assert!(seen.insert(*n), "{n} is listed twice");
            }
        }
    }
}
