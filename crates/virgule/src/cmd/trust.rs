//! `virgule trust compute`: ranks an exported certification graph offline with the same
//! metric the site runs, so an admin can compare levels against another site's export
//! (mod_virgule's `issuer,subject,Level` lines) or try other seeds and capacities.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use virgule_trust::{DEFAULT_CAPS, Graph, Level, compute, parse_graph};

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Print `name,Level` for every member of a certification graph, sorted by name.
    Compute(ComputeArgs),
}

#[derive(Debug, Args)]
pub struct ComputeArgs {
    /// A certification export, one `issuer,subject,Level` per line.
    #[arg(long)]
    graph: Option<PathBuf>,
    /// The seeds, in order (their order decides ties for ROOT's capacity).
    #[arg(long, value_delimiter = ',', required = true)]
    seeds: Vec<String>,
    /// Capacities by distance from ROOT; the last one repeats.
    #[arg(long, value_delimiter = ',', default_values_t = DEFAULT_CAPS)]
    caps: Vec<u32>,
}

pub fn run(command: TrustCommand) -> anyhow::Result<()> {
    match command {
        TrustCommand::Compute(args) => {
            print!("{}", compute_levels(&args)?);
            Ok(())
        }
    }
}

fn compute_levels(args: &ComputeArgs) -> anyhow::Result<String> {
    let Some(path) = &args.graph else {
        bail!("reading from the database comes with certifications in the site; use --graph FILE");
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the graph {}", path.display()))?;
    let certs = parse_graph(&text).with_context(|| format!("{} is not a graph", path.display()))?;
    let seeds: Vec<String> = args.seeds.iter().map(|s| s.trim().to_owned()).collect();
    let graph = Graph::new(seeds, certs)?;
    for (index, seed) in graph.members()[..graph.seed_count()].iter().enumerate() {
        if graph.certifications_by(index, Level::Apprentice) == 0 {
            tracing::warn!(seed = %seed, "seed certifies nobody: its capacity goes unused");
        }
    }
    let ranking = compute(&graph, &args.caps);
    for level in Level::CERTIFIED {
        tracing::info!(%level, accepted = ranking.accepted_at(level), "trust flow");
    }
    let mut ranked: Vec<(&String, Level)> =
        graph.members().iter().zip(ranking.levels().iter().copied()).collect();
    ranked.sort();
    Ok(ranked.iter().map(|(name, level)| format!("{name},{level}\n")).collect())
}
