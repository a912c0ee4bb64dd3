//! `virgule-fuzz <target|all> --seconds N`: fuzzes one target (feed, sanitize, markdown,
//! wxr, site-import) or each in turn, prints what each run did, and exits non-zero on the
//! first failure, its input saved under the crash directory.
//! `virgule-fuzz <target> --replay FILE…` runs saved inputs once each.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use virgule_fuzz::{Config, TARGETS, Target, fuzz, load_seeds, replay, seed_dir, target};

#[derive(Debug, Parser)]
#[command(name = "virgule-fuzz", about = "Fuzz Virgule's readers on stable Rust")]
struct Args {
    /// feed, sanitize, markdown, wxr, site-import, or all (one after the other).
    target: String,
    /// How long to fuzz each target.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// An input running longer than this is a hang.
    #[arg(long, default_value_t = 10)]
    hang_seconds: u64,
    /// Resident memory, in MiB, past which the process has blown up.
    #[arg(long, default_value_t = 2048)]
    rss_limit_mib: u64,
    /// Where failing inputs are saved (`<dir>/<target>/`).
    #[arg(long, default_value = "/var/tmp/virgule-fuzz/crashes")]
    crash_dir: PathBuf,
    /// The seed corpus directory (default: the crate's `seeds/<target>`; one target only).
    #[arg(long)]
    seeds: Option<PathBuf>,
    /// The mutator's random seed (default: from the clock; printed, to repeat a run).
    #[arg(long)]
    seed: Option<u64>,
    /// Longest mutated input, in bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_len: usize,
    /// Run these saved inputs once each instead of fuzzing.
    #[arg(long, num_args = 1..)]
    replay: Vec<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let targets: Vec<&'static Target> = if args.target == "all" {
        TARGETS.iter().collect()
    } else if let Some(one) = target(&args.target) {
        vec![one]
    } else {
        let names: Vec<&str> = TARGETS.iter().map(|t| t.name).collect();
        eprintln!("unknown target {:?}: expected all or one of {}", args.target, names.join(", "));
        return ExitCode::from(2);
    };
    if !args.replay.is_empty() {
        return replay_files(targets[0], &args.replay);
    }
    if args.seeds.is_some() && targets.len() > 1 {
        eprintln!("--seeds names one target's corpus: give one target");
        return ExitCode::from(2);
    }
    let config = Config {
        duration: Duration::from_secs(args.seconds),
        hang_after: Duration::from_secs(args.hang_seconds),
        rss_limit: args.rss_limit_mib << 20,
        crash_dir: args.crash_dir.clone(),
        seed: args.seed.unwrap_or_else(|| Config::default().seed),
        max_len: args.max_len,
        ..Config::default()
    };
    println!("seed {} (repeat with --seed {})", config.seed, config.seed);
    let mut reports = Vec::new();
    for target in targets {
        let dir = args.seeds.clone().unwrap_or_else(|| seed_dir(target.name));
        let seeds = match load_seeds(&dir) {
            Ok(seeds) => seeds,
            Err(e) => {
                eprintln!("{}: cannot read the seeds in {}: {e}", target.name, dir.display());
                return ExitCode::from(2);
            }
        };
        let report = fuzz(target, seeds, &config);
        println!("{report}");
        if let Some(failure) = &report.failure {
            eprintln!("\n{} failed ({}):\n{}", target.name, failure.kind, failure.message);
            // A hung or runaway worker cannot be stopped: end the process, not wait for it.
            return ExitCode::FAILURE;
        }
        reports.push(report);
    }
    if reports.len() > 1 {
        let execs: u64 = reports.iter().map(|r| r.execs).sum();
        println!("all: {execs} execs, no failure");
    }
    ExitCode::SUCCESS
}

fn replay_files(target: &Target, files: &[PathBuf]) -> ExitCode {
    let mut failed = false;
    for file in files {
        let input = match std::fs::read(file) {
            Ok(input) => input,
            Err(e) => {
                eprintln!("{}: {e}", file.display());
                return ExitCode::from(2);
            }
        };
        match replay(target, &input) {
            Ok(_) => println!("{}: ok", file.display()),
            Err((kind, message)) => {
                failed = true;
                println!("{}: {kind}: {message}", file.display());
            }
        }
    }
    if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
