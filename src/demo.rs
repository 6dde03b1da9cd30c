//! The simulated clusters of `--demo` and `kubedeck sim` (the `demo` feature): the only place
//! the product touches the simulator, which it reaches like any cluster, through a kubeconfig.

use color_eyre::eyre::{Result, WrapErr};
use kubedeck::cli::SimArgs;
use kubedeck_sim::{Scale, Sim, SimOptions};

fn sim_options(args: &SimArgs) -> SimOptions {
    SimOptions {
        scale: Scale {
            pods: args.pods,
            nodes: args.nodes,
            pipelineruns: args.pipelineruns,
            events: args.events,
            seed: args.seed,
        },
        tick: (args.tick_ms > 0).then(|| std::time::Duration::from_millis(args.tick_ms)),
        ..SimOptions::default()
    }
}

/// `kubedeck sim`: one simulator, standalone, until a signal.
pub async fn run_sim(args: &SimArgs) -> Result<()> {
    let sim = Sim::start(sim_options(args), args.listen).await?;
    if args.agent {
        sim.install_agent();
    }
    if let Some(path) = &args.kubeconfig_out {
        let kubeconfig = kubedeck_sim::kubeconfig_of(&[(args.context_name.as_str(), &sim)]);
        let text = serde_json::to_string_pretty(&kubeconfig).wrap_err("kubeconfig")?;
        std::fs::write(path, text)
            .wrap_err_with(|| format!("cannot write the kubeconfig {}", path.display()))?;
        println!("kubeconfig written to {}", path.display());
    }
    println!(
        "simulated cluster serving on {} (Ctrl-C stops it)",
        sim.url()
    );
    kubedeck::signals::wait_for_termination().await;
    Ok(())
}

/// The clusters of `--demo`, serving in this process, and the kubeconfig that reaches them
/// (removed when this is dropped).
pub struct Demo {
    _sims: Vec<Sim>,
    kubeconfig: tempfile::TempPath,
}

impl Demo {
    /// Start `n` simulated clusters (the agent installed in each) and a kubeconfig reaching
    /// them: contexts `kubedeck-sim`, `kubedeck-sim-2`, ...
    pub async fn start(n: u8) -> Result<Self> {
        let mut sims = Vec::new();
        for i in 0..n {
            let mut options = SimOptions::default();
            // Another seed per cluster: their objects differ, as real clusters' do.
            options.scale.seed += u64::from(i);
            let sim = Sim::start(options, "127.0.0.1:0".parse().wrap_err("demo address")?).await?;
            // The demo has the node agent installed, so agent sessions can be tried at once.
            sim.install_agent();
            sims.push(sim);
        }
        let names: Vec<String> = (1..=sims.len())
            .map(|i| match i {
                1 => "kubedeck-sim".to_string(),
                i => format!("kubedeck-sim-{i}"),
            })
            .collect();
        let pairs: Vec<(&str, &Sim)> = names.iter().map(String::as_str).zip(&sims).collect();
        let kubeconfig = kubedeck_sim::kubeconfig_of(&pairs);
        let file = tempfile::Builder::new()
            .prefix("kubedeck-demo-")
            .suffix(".kubeconfig")
            .tempfile()
            .wrap_err("cannot create the demo kubeconfig")?;
        let path = file.into_temp_path();
        let text = serde_json::to_string_pretty(&kubeconfig).wrap_err("demo kubeconfig")?;
        std::fs::write(&path, text).wrap_err("cannot write the demo kubeconfig")?;
        Ok(Self {
            _sims: sims,
            kubeconfig: path,
        })
    }

    pub fn kubeconfig(&self) -> std::path::PathBuf {
        self.kubeconfig.to_path_buf()
    }
}
