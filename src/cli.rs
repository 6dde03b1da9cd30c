//! Command-line interface.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kubedeck",
    version,
    about = "A keyboard-driven terminal UI for Kubernetes clusters"
)]
pub struct Cli {
    /// Run against an embedded simulated cluster instead of a real one (`--demo=2`: two
    /// simulated clusters, shown together).
    #[cfg(feature = "demo")]
    #[arg(
        long,
        value_name = "CLUSTERS",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "1",
        value_parser = clap::value_parser!(u8).range(1..=9),
        conflicts_with_all = ["kubeconfig", "context", "all_contexts"]
    )]
    pub demo: Option<u8>,

    /// Kubeconfig file(s) to use (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use (default: the current context). Repeat it, or name a set
    /// from the config's [clusters], to show several clusters together.
    #[arg(long, value_name = "NAME")]
    pub context: Vec<String>,

    /// Show every context in the kubeconfig together.
    #[arg(long, conflicts_with = "context")]
    pub all_contexts: bool,

    /// Namespace to show (default: the context's namespace).
    #[arg(
        short = 'n',
        long,
        value_name = "NAME",
        conflicts_with = "all_namespaces"
    )]
    pub namespace: Option<String>,

    /// Show all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Refuse every mutation (delete, cancel, exec...).
    #[arg(long)]
    pub readonly: bool,

    /// Start in the past: the pods, nodes, events, PipelineRuns and workloads as the flight
    /// recorder's journal saw them then (HH:MM today, YYYY-MM-DD HH:MM, -15m; UTC),
    /// read-only; `:at now` returns to the live cluster.
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub at: Option<String>,

    /// For links under 64 kbit/s (a jump host over a slow VPN): at most 4 frames a second,
    /// keys included, and the clock redraws the ages once a minute, not every second.
    #[arg(long)]
    pub low_bandwidth: bool,

    /// Configuration file (default: the platform config dir's kubedeck/config.toml).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The view shown first: auto (triage when something is broken), triage, pods,
    /// pipelineruns, events, nodes, namespaces or contexts.
    #[arg(long, value_name = "VIEW", value_parser = clap::builder::PossibleValuesParser::new(crate::config::START_VIEWS))]
    pub view: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

impl Cli {
    /// How many simulated clusters `--demo` asked for (none in a build without the demo).
    pub fn demo_clusters(&self) -> Option<u8> {
        #[cfg(feature = "demo")]
        return self.demo;
        #[cfg(not(feature = "demo"))]
        None
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the simulated cluster standalone, for kubectl, kubedeck or benchmarks.
    #[cfg(feature = "demo")]
    Sim(SimArgs),
    /// The node agent (docs/agent.md): install or uninstall it in the chosen context.
    Agent(AgentArgs),
}

#[derive(Debug, Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub action: AgentAction,
}

#[derive(Debug, Subcommand)]
pub enum AgentAction {
    /// Apply deploy/agent.yaml (namespace kubedeck-system, its ServiceAccount, a Role for its
    /// users and the DaemonSet), after confirmation.
    Install {
        /// Print the manifests and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Delete the namespace kubedeck-system and everything in it, after confirmation.
    Uninstall {
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Args)]
pub struct SimArgs {
    #[arg(long, default_value_t = 60)]
    pub pods: usize,
    #[arg(long, default_value_t = 5)]
    pub nodes: usize,
    #[arg(long, default_value_t = 12)]
    pub pipelineruns: usize,
    #[arg(long, default_value_t = 200)]
    pub events: usize,
    /// Seed for the deterministic world.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
    /// Write a kubeconfig for the simulator here.
    #[arg(long, value_name = "FILE")]
    pub kubeconfig_out: Option<PathBuf>,
    /// The context (and cluster and user) name in that kubeconfig, so several simulators'
    /// files can be merged in KUBECONFIG.
    #[arg(long, value_name = "NAME", default_value = "kubedeck-sim")]
    pub context_name: String,
    /// Milliseconds between scenario ticks; 0 freezes the world.
    #[arg(long, default_value_t = 1000)]
    pub tick_ms: u64,
    /// Install the node agent (its namespace, DaemonSet and a pod per node).
    #[arg(long)]
    pub agent: bool,
}
