#[cfg(feature = "demo")]
mod demo;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr, eyre};

use kubedeck::app::{App, View};
use kubedeck::cli::{Cli, Command};
use kubedeck::kube::client::KubeconfigSource;
use kubedeck::kube::cluster::Cluster;
use kubedeck::kube::credentials::ClientHandle;
use kubedeck::kube::ids::{ClusterId, Scope};
use kubedeck::runtime::{self, RunnerConfig, StartView};

/// jemalloc returns the pages freed after a big list (see [`return_freed_memory`]).
#[cfg(all(unix, not(target_os = "macos")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Start jemalloc's background thread, which hands pages unused for its decay time (10 s) back
/// to the system: without it they are only purged when the allocator is next busy, so the
/// peak of the initial lists (or of a relist) stays resident while kubedeck is idle.
fn return_freed_memory() {
    #[cfg(all(unix, not(target_os = "macos")))]
    if let Err(e) = tikv_jemalloc_ctl::background_thread::write(true) {
        eprintln!(
            "kubedeck: jemalloc's background thread did not start ({e}): memory freed after a list is returned later"
        );
    }
}

/// With `KUBEDECK_LOG`: jemalloc's own counts each 30 s, to tell the heap kubedeck holds
/// (allocated) from what the allocator keeps resident around it.
async fn log_memory() {
    #[cfg(all(unix, not(target_os = "macos")))]
    loop {
        use tikv_jemalloc_ctl::{epoch, stats};
        let mib = |bytes: Result<usize, _>| bytes.map(|b| b / (1 << 20)).unwrap_or(0);
        if epoch::advance().is_ok() {
            tracing::debug!(
                "memory: allocated {} MiB, active {} MiB, resident {} MiB, retained {} MiB, metadata {} MiB",
                mib(stats::allocated::read()),
                mib(stats::active::read()),
                mib(stats::resident::read()),
                mib(stats::retained::read()),
                mib(stats::metadata::read()),
            );
        }
        tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    }
}

fn main() -> ExitCode {
    return_freed_memory();
    if color_eyre::install().is_err() {
        eprintln!("kubedeck: cannot install the error reporter");
    }
    let cli = Cli::parse();
    let logging = match kubedeck::debug_log::start_from_env() {
        Ok(on) => on,
        Err(e) => {
            eprintln!("kubedeck: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kubedeck: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        if logging {
            tokio::spawn(kubedeck::debug_log::watch_runtime());
            tokio::spawn(log_memory());
        }
        match cli.command {
            #[cfg(feature = "demo")]
            Some(Command::Sim(ref args)) => demo::run_sim(args).await,
            Some(Command::Agent(ref args)) => run_agent(&cli, args).await,
            None => run_ui(&cli).await,
        }
    });
    // Do not wait for informer tasks or blocked reads: exit promptly (SIGHUP on a jump host).
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // One clear line, not a debug dump (and no panic if stderr is a terminal gone).
            let _ = writeln!(std::io::stderr(), "kubedeck: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_agent(cli: &Cli, args: &kubedeck::cli::AgentArgs) -> Result<()> {
    use kubedeck::cli::AgentAction;
    if let AgentAction::Install { dry_run: true, .. } = args.action {
        print!("{}", kubedeck::agent_install::MANIFESTS);
        return Ok(());
    }
    if cli.readonly {
        return Err(color_eyre::eyre::eyre!(
            "read-only mode: installing or removing the agent is disabled"
        ));
    }
    let source = kubedeck::kube::client::KubeconfigSource::load(cli.kubeconfig.as_ref())?;
    if cli.context.len() > 1 || cli.all_contexts {
        return Err(eyre!(
            "the agent is installed in one context at a time: name it with --context"
        ));
    }
    let context = source.resolve_context(cli.context.first().map(String::as_str))?;
    let (client, _) = source.client(&context).await?;
    match args.action {
        AgentAction::Install { yes, .. } => {
            kubedeck::agent_install::install(&client, &context, yes).await
        }
        AgentAction::Uninstall { yes } => {
            kubedeck::agent_install::uninstall(&client, &context, yes).await
        }
    }
}

/// How long leaving waits for node shells' pods to be deleted.
const NODE_SHELL_REAP: std::time::Duration = std::time::Duration::from_secs(5);

async fn run_ui(cli: &Cli) -> Result<()> {
    // Caught from now on: a SIGTERM during start-up exits through the same clean path.
    let stop = kubedeck::signals::Termination::catch();
    let loaded = kubedeck::config::load(cli.config.as_deref())?;
    let (mut settings, problems) = kubedeck::app::settings::from_config(&loaded);
    let config = &loaded.config;
    let mut warnings = loaded.warnings.clone();
    warnings.extend(problems);
    let config_name = loaded
        .path
        .as_ref()
        .map_or_else(|| "config".to_string(), |p| p.display().to_string());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (theme, theme_name, theme_problem) =
        kubedeck::views::theme::chosen(config.theme.as_deref(), no_color);
    let terminal_depth = kubedeck::views::theme::Depth::detect(
        std::env::var("COLORTERM").ok().as_deref(),
        std::env::var("TERM").ok().as_deref(),
    );
    let theme = theme.capped(terminal_depth);
    if let Some(problem) = theme_problem {
        warnings.push(format!("{}{problem}", loaded.at("theme")));
    }
    let start = match cli.view.as_deref().or(config.start_view.as_deref()) {
        None | Some("auto") => StartView::Auto,
        Some(name) => View::from_name(name).map_or(StartView::Auto, StartView::View),
    };
    // The demo clusters run in this process; kubedeck reaches them through a kubeconfig like
    // any other. They stop (and their kubeconfig goes) when `_demo` is dropped.
    #[cfg(feature = "demo")]
    let _demo = match cli.demo_clusters() {
        Some(n) => Some(demo::Demo::start(n).await?),
        None => None,
    };
    #[cfg(feature = "demo")]
    let kubeconfig_path = match &_demo {
        Some(d) => Some(d.kubeconfig()),
        None => cli.kubeconfig.clone(),
    };
    #[cfg(not(feature = "demo"))]
    let kubeconfig_path = cli.kubeconfig.clone();
    let source = KubeconfigSource::load(kubeconfig_path.as_ref())?;
    let contexts = chosen_contexts(cli, config, &source)?;
    let multi = contexts.len() > 1;
    // Each context's client, built side by side (an exec plugin may be slow); with several,
    // one that cannot be built is said and left out.
    let built = futures::future::join_all(contexts.iter().map(|c| source.client(c))).await;
    let mut connected = Vec::new();
    for (context, result) in contexts.iter().zip(built) {
        match result {
            Ok((client, ns)) => connected.push((context.clone(), client, ns)),
            Err(e) if multi => warnings.push(format!("{context} left out: {e}")),
            Err(e) => return Err(e.into()),
        }
    }
    let Some((context, _, default_ns)) = connected.first().cloned() else {
        return Err(eyre!(
            "none of the contexts could be reached: {}",
            warnings.join("; ")
        ));
    };
    let namespace = cli.namespace.clone().or_else(|| config.namespace.clone());
    let everywhere = config.all_namespaces || cli.demo_clusters().is_some();
    let scope = if cli.all_namespaces || (namespace.is_none() && everywhere) {
        Scope::All
    } else if let Some(ns) = namespace {
        Scope::Namespace(ns)
    } else if multi {
        // Several clusters, none named: each in its own context's namespace, as kubectl
        // --context would.
        Scope::ContextDefaults
    } else {
        Scope::Namespace(default_ns)
    };
    let context_namespaces = connected
        .iter()
        .map(|(c, _, ns)| (ClusterId::new(c), ns.clone()))
        .collect();
    let server = source.server_of(&context);
    let cluster_id = ClusterId::new(&context);
    settings.readonly |= cli.readonly;
    let readonly = settings.readonly;
    let metrics_interval = settings.metrics_interval;
    let step_capture = settings.step_capture.clone();
    let mut app = App::configured(cluster_id.clone(), server, scope.clone(), settings);
    app.fleet.clusters = connected
        .iter()
        .map(|(c, _, _)| ClusterId::new(c))
        .collect();
    app.theme_name = theme_name;
    app.start_at = cli.at.clone();
    app.fleet.context_namespaces = context_namespaces;
    if let Some(path) = app.favourites_file() {
        app.fleet.favourites = runtime::load_favourites(&path);
    }
    if !warnings.is_empty() {
        app.say(kubedeck::app::notice::Notice::ConfigProblems {
            file: config_name,
            problems: warnings,
        });
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    // The flight recorder's writer: the informers record through it from their start.
    let recorder = app
        .timeline
        .journal
        .as_ref()
        .and_then(|(_, cap)| kubedeck::journal::start_recorder(*cap));
    let tap = |context: &str| {
        let (root, _) = app.timeline.journal.as_ref()?;
        let dir = kubedeck::journal::dir_for(root, context, &source.server_of(context));
        Some(kubedeck::journal::tap(&recorder.as_ref()?.writes, dir))
    };
    let mut clusters = connected.into_iter().map(|(context, client, ns)| {
        let clients = ClientHandle::renewable(client, source.clone(), &context);
        let mut kinds = app.fleet.watched_kinds(&ClusterId::new(&context), multi);
        // Started on the PipelineRuns view: their list is not held back behind the pods'.
        if start == StartView::View(View::PipelineRuns) {
            kinds.sort_by_key(|k| *k != kubedeck::kube::informer::ResourceKind::PipelineRuns);
        }
        let scope = match &scope {
            Scope::ContextDefaults => Scope::Namespace(ns),
            other => other.clone(),
        };
        let tap = tap(&context);
        Cluster::start_watching(
            clients,
            ClusterId::new(&context),
            scope,
            tx.clone(),
            &kinds,
            tap,
        )
    });
    let Some(cluster) = clusters.next() else {
        return Err(eyre!("no context to show"));
    };
    let others: Vec<Cluster> = clusters.collect();

    // Local shells' kubeconfig copies: a crashed run's are removed now, ours on every way out.
    let private_root = kubedeck::kube::shell_kubeconfig::root().ok();
    if let Some(root) = &private_root {
        kubedeck::kube::shell_kubeconfig::sweep_stale(root);
    }
    // ratatui::init (inside) installs a panic hook that restores the terminal first.
    let mut terminal = runtime::open_terminal().wrap_err("cannot open the terminal")?;
    let restore = std::panic::take_hook();
    let panic_root = private_root.clone();
    std::panic::set_hook(Box::new(move |info| {
        if let Some(root) = &panic_root {
            kubedeck::kube::shell_kubeconfig::remove_ours(root);
        }
        // A node shell's privileged pod must not outlive us (k9s#978).
        kubedeck::kube::node_shell::reap_blocking(NODE_SHELL_REAP);
        restore(info);
    }));
    // Pasted text arrives in one piece, so a terminal pane can bracket it for the program.
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    // What the journals were given last is flushed on the way out (a crash loses at most
    // the last `FLUSH_EVERY`).
    let sync = recorder.as_ref().map(|r| r.writes.clone());
    let runner = RunnerConfig {
        kubeconfig: source,
        cluster,
        others,
        theme,
        terminal_depth,
        readonly,
        metrics_interval,
        step_capture,
        scrollback: app.sessions.settings.scrollback,
        k9s_dirs: kubedeck::k9s_files::Dirs::from_env(),
        instance: kubedeck::kube::node_shell::Instance::load(app.data_dir.as_deref()),
        journal: app.timeline.journal.clone(),
        recorder,
        low_bandwidth: cli.low_bandwidth,
    };
    let outcome = runtime::run(&mut terminal, &mut app, runner, start, (rx, tx), stop).await;
    if let Some(writes) = &sync {
        kubedeck::journal::sync(writes, std::time::Duration::from_secs(2));
    }
    // Quit, a signal (SIGHUP, SIGTERM) or the terminal going away: sessions may still hold
    // their copies on threads that never get to drop them.
    if let Some(root) = &private_root {
        kubedeck::kube::shell_kubeconfig::remove_ours(root);
    }
    // Node shells' pods, whichever way we leave (their sessions may not have ended yet).
    kubedeck::kube::node_shell::reap_blocking(NODE_SHELL_REAP);
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    // The terminal may be gone (the SSH session dropped): then there is nothing to restore,
    // and nothing may be printed about it. ratatui's `restore` and the terminal's drop print
    // their failure to stderr, the dead terminal too, which panics; that panic, met again by
    // the panic hook's own restore, aborts before the demo's kubeconfig and the rest go.
    let _ = ratatui::try_restore();
    if terminal.show_cursor().is_err() {
        // Its drop would try again and print the failure.
        std::mem::forget(terminal);
    }
    outcome
        .map(|_| ())
        .map_err(|e| eyre!("terminal error: {e}"))
}

/// The contexts to show: `--all-contexts`, each `--context` (sets from `[clusters]`
/// expanded), every demo cluster, or the current context.
fn chosen_contexts(
    cli: &Cli,
    config: &kubedeck::config::Config,
    source: &KubeconfigSource,
) -> Result<Vec<String>> {
    let known: Vec<String> = source
        .config
        .contexts
        .iter()
        .map(|c| c.name.clone())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let wanted: Vec<String> = if cli.all_contexts || cli.demo_clusters().is_some_and(|n| n > 1) {
        known.clone()
    } else {
        cli.context
            .iter()
            .flat_map(|c| kubedeck::app::contexts::expand_set(&config.clusters, c))
            .collect()
    };
    for context in wanted {
        let context = source.resolve_context(Some(&context))?;
        if !out.contains(&context) {
            out.push(context);
        }
    }
    if out.is_empty() {
        out.push(source.resolve_context(None)?);
    }
    Ok(out)
}
