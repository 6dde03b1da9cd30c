use clap::Parser;
use color_eyre::eyre::{Result, WrapErr};

use kubedeck::cli::{Cli, Command, SimArgs};
use kubedeck::sim::{Scale, Sim, SimOptions};

fn main() -> Result<()> {
    color_eyre::install()?;
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    match cli.command {
        Some(Command::Sim(args)) => rt.block_on(run_sim(args)),
        None => Ok(()),
    }
}

async fn run_sim(args: SimArgs) -> Result<()> {
    let opts = SimOptions {
        scale: Scale {
            pods: args.pods,
            nodes: args.nodes,
            pipelineruns: args.pipelineruns,
            events: args.events,
            seed: args.seed,
        },
        tick: (args.tick_ms > 0).then(|| std::time::Duration::from_millis(args.tick_ms)),
        ..SimOptions::default()
    };
    let sim = Sim::start(opts, args.listen).await?;
    if let Some(path) = &args.kubeconfig_out {
        sim.write_kubeconfig(path)?;
        println!("kubeconfig written to {}", path.display());
    }
    println!("simulated cluster serving on {}", sim.url());
    kubedeck::signals::wait_for_termination().await;
    Ok(())
}
