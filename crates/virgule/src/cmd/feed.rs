//! `virgule feed inspect FILE`: parses, normalizes and sanitizes one feed exactly as ingest
//! does and prints it as JSON (DESIGN §8), so a member or an admin can see why a feed looks
//! wrong.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use url::Url;

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Print a feed file as Virgule reads it: the normalized, sanitized entries as JSON.
    Inspect(InspectArgs),
}

/// `--base-url URL` (given on the command line) is the address the feed was fetched from:
/// relative links resolve against it.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The feed file to read, or "-" for standard input.
    source: PathBuf,
}

/// `base_url` is the `--base-url` flag as typed (the global flag; for this command it names
/// the feed's address, so the site's configured URL from a file or the environment is not
/// used).
pub fn run(command: FeedCommand, base_url: Option<&str>) -> anyhow::Result<()> {
    match command {
        FeedCommand::Inspect(args) => {
            let json = inspect(&args, base_url)?;
            println!("{json}");
            Ok(())
        }
    }
}

fn inspect(args: &InspectArgs, base_url: Option<&str>) -> anyhow::Result<String> {
    let base = base_url.map(feed_url).transpose()?;
    let bytes = read_source(&args.source)?;
    let value = virgule_feeds::inspect_json(&bytes, None, base.as_ref(), chrono::Utc::now())
        .with_context(|| format!("{} is not a feed Virgule can read", args.source.display()))?;
    serde_json::to_string_pretty(&value).context("cannot print the feed as JSON")
}

fn feed_url(raw: &str) -> anyhow::Result<Url> {
    let url = Url::parse(raw).with_context(|| format!("--base-url {raw:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("--base-url must be an http or https address, not {raw:?}");
    }
    Ok(url)
}

/// Reads at most the fetcher's body cap (and one byte more, to tell an oversized file).
fn read_source(source: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let limit = virgule_feeds::Limits::default().max_bytes as u64 + 1;
    let mut bytes = Vec::new();
    if source.as_os_str() == "-" {
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
    } else {
        std::fs::File::open(source)
            .and_then(|file| file.take(limit).read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {}", source.display()))?;
    }
    Ok(bytes)
}
