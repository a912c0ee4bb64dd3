//! `virgule trust compute`: reruns the trust metric on the site's database and stores the
//! levels (what `serve` does after each certification), then recomputes the diary ratings'
//! interest scores, or ranks an exported certification
//! graph offline with the same metric, so an admin can compare levels against another
//! site's export (mod_virgule's `issuer,subject,Level` lines) or try other seeds and
//! capacities.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use virgule_site::InterestSummary;
use virgule_site::trust::{TrustReport, TrustSummary, recompute};
use virgule_trust::{Capacities, CapacityMode, Graph, diagnose, parse_graph};

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Recompute every member's level from the site's certifications and store it (and the
    /// interest scores from diary ratings); with
    /// --graph, print `name,Level` for every member of an exported graph, sorted by name.
    Compute(ComputeArgs),
}

#[derive(Debug, Args)]
pub struct ComputeArgs {
    /// A certification export, one `issuer,subject,Level` per line.
    #[arg(long)]
    graph: Option<PathBuf>,
    /// The seeds, in order (their order decides ties for ROOT's capacity) [default: the
    /// configured `trust_seeds`].
    #[arg(long, value_delimiter = ',')]
    seeds: Vec<String>,
    /// Capacities by distance from ROOT; the last one repeats [default: the configured
    /// `trust_caps`].
    #[arg(long, value_delimiter = ',')]
    caps: Vec<u32>,
    /// `growing` (the root's and seeds' capacities follow the number of certified members)
    /// or `fixed` (the capacities as given, as mod_virgule ran them) [default: the configured
    /// `trust_capacity`].
    #[arg(long)]
    capacity: Option<CapacityMode>,
}

pub async fn run(config: &Config, command: TrustCommand) -> anyhow::Result<()> {
    match command {
        TrustCommand::Compute(mut args) => {
            if args.caps.is_empty() {
                args.caps = config.trust_caps.clone();
            }
            if args.graph.is_some() {
                if args.seeds.is_empty() {
                    args.seeds = config.trust_seeds.iter().map(|s| s.as_str().to_owned()).collect();
                }
                let capacity = args.capacity.unwrap_or(config.trust_capacity);
                let (levels, report) = compute_levels(&args, capacity)?;
                // The levels alone on standard output, so it stays a `name,Level` file.
                print!("{levels}");
                eprint!("{report}");
            } else {
                print!("{}", compute_site(config, &args).await?);
            }
            Ok(())
        }
    }
}

/// Recomputes against the configured database and describes what it did.
async fn compute_site(config: &Config, args: &ComputeArgs) -> anyhow::Result<String> {
    let mut settings = config.site().trust;
    settings.caps.clone_from(&args.caps);
    if let Some(capacity) = args.capacity {
        settings.capacity = capacity;
    }
    if !args.seeds.is_empty() {
        settings.seeds = args
            .seeds
            .iter()
            .map(|s| virgule_store::MemberName::parse(s.trim()))
            .collect::<Result<_, _>>()
            .context("bad --seeds")?;
    }
    let store = super::open_store(config).await?;
    let summary = recompute(&store, &settings).await;
    // Interest scores travel along the same certifications: recompute them too.
    let interest = match &summary {
        Ok(_) => Some(virgule_site::interest::recompute(&store).await),
        Err(_) => None,
    };
    store.close().await;
    let mut out = describe(&summary.context("cannot recompute the trust levels")?);
    if let Some(interest) = interest {
        out.push_str(&describe_interest(&interest.context("cannot recompute interest scores")?));
    }
    Ok(out)
}

/// The interest computation in one line.
fn describe_interest(summary: &InterestSummary) -> String {
    let how = if summary.converged { "converged" } else { "stopped at the hop bound" };
    format!(
        "interest scores recomputed: {} stored from {} ratings ({} passes, {how})\n",
        summary.scores, summary.ratings, summary.passes
    )
}

/// The summary as the admin reads it: the capacities and accepted per level with the loads
/// of the root and the seeds, the attack bound, the seeds, then the warnings.
fn describe(summary: &TrustSummary) -> String {
    let mut out =
        format!("{} members ranked, {} levels changed\n", summary.members, summary.changed);
    match &summary.report {
        Some(report) => out.push_str(&lines(report)),
        None => {
            for (level, accepted) in summary.accepted {
                out.push_str(&format!("accepted at {}: {accepted}\n", level.as_str()));
            }
        }
    }
    if summary.admin_fallback {
        out.push_str("no trust_seeds configured: the site's admins are the seeds\n");
    }
    for seed in &summary.seeds {
        out.push_str(&format!("seed {}: certifies {}\n", seed.name, seed.certifications));
    }
    for warning in &summary.warnings {
        out.push_str(&format!("warning: {warning}\n"));
    }
    out
}

fn lines(report: &TrustReport) -> String {
    report.lines().iter().map(|line| format!("{line}\n")).collect()
}

/// Ranks the `--graph` file: the levels (`name,Level` for every member, sorted by name) and
/// the report (capacities, accepted per level, what binds, the attack bound, warnings).
fn compute_levels(args: &ComputeArgs, capacity: CapacityMode) -> anyhow::Result<(String, String)> {
    let Some(path) = &args.graph else {
        bail!("no graph file given; use --graph FILE");
    };
    if args.seeds.is_empty() {
        bail!("ranking a graph file needs --seeds (or trust_seeds in the configuration)");
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the graph {}", path.display()))?;
    let certs = parse_graph(&text).with_context(|| format!("{} is not a graph", path.display()))?;
    // Names exactly as `--seeds` splits them at its commas: the graph keeps every name as
    // written (a trailing space makes another member), so a trimmed seed could name nobody.
    let graph = Graph::new(args.seeds.clone(), certs)?;
    let (ranking, report) = diagnose(&graph, &Capacities::new(capacity, &args.caps, &graph));
    let report = TrustReport::new(&report, |i| graph.members()[i].clone());
    let mut described = lines(&report);
    for warning in report.warnings() {
        described.push_str(&format!("warning: {warning}\n"));
    }
    let mut ranked: Vec<(&String, virgule_trust::Level)> =
        graph.members().iter().zip(ranking.levels().iter().copied()).collect();
    ranked.sort();
    let levels = ranked.iter().map(|(name, level)| format!("{name},{level}\n")).collect();
    Ok((levels, described))
}
