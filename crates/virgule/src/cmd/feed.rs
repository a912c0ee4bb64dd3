//! `virgule feed inspect FILE|URL`: fetches (with the same fetcher and SSRF guard as the
//! syndication engine) or reads one feed, parses, normalizes and sanitizes it exactly as
//! ingest does and prints it as JSON (docs/design.md §8), so a member or an admin can see why a feed
//! looks wrong.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use url::Url;
use virgule_feeds::fetch::{FetchOutcome, Fetcher, Validators};

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum FeedCommand {
    /// Print a feed (a file, "-" for standard input, or an http(s) URL) as Virgule reads it:
    /// the normalized, sanitized entries as JSON.
    Inspect(InspectArgs),
}

/// `--base-url URL` (given on the command line) is the address the feed was fetched from:
/// relative links resolve against it.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The feed: a file, "-" for standard input, or an http:// or https:// URL to fetch.
    source: String,
}

/// `base_url` is the `--base-url` flag as typed (the global flag; for this command it names
/// the feed's address, so the site's configured URL from a file or the environment is not
/// used).
pub async fn run(
    config: &Config,
    command: FeedCommand,
    base_url: Option<&str>,
) -> anyhow::Result<()> {
    match command {
        FeedCommand::Inspect(args) => {
            let json = inspect(config, &args, base_url).await?;
            println!("{json}");
            Ok(())
        }
    }
}

async fn inspect(
    config: &Config,
    args: &InspectArgs,
    base_url: Option<&str>,
) -> anyhow::Result<String> {
    let mut base = base_url.map(feed_url).transpose()?;
    let source = &args.source;
    let (bytes, content_type) = if source.starts_with("http://") || source.starts_with("https://") {
        let (bytes, content_type, final_url) = fetch(config, source).await?;
        // Relative links resolve against where the feed was found, unless told otherwise.
        base = base.or(Some(final_url));
        (bytes, content_type)
    } else {
        (read_source(&PathBuf::from(source))?, None)
    };
    let value = virgule_feeds::inspect_json(
        &bytes,
        content_type.as_deref(),
        base.as_ref(),
        chrono::Utc::now(),
    )
    .with_context(|| format!("{source} is not a feed Virgule can read"))?;
    serde_json::to_string_pretty(&value).context("cannot print the feed as JSON")
}

fn feed_url(raw: &str) -> anyhow::Result<Url> {
    let url = Url::parse(raw).with_context(|| format!("--base-url {raw:?} is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("--base-url must be an http or https address, not {raw:?}");
    }
    Ok(url)
}

/// Fetches `url` as the syndication engine would (same policy, same SSRF guard):
/// `(body, content type, final URL)`.
async fn fetch(config: &Config, url: &str) -> anyhow::Result<(Vec<u8>, Option<String>, Url)> {
    let policy = config.fetch_policy();
    let url = virgule_feeds::fetch::check_url(url, &policy)?;
    let fetcher = Fetcher::new(policy)?;
    match fetcher.fetch(&url, &Validators::default()).await? {
        FetchOutcome::Fetched { body, content_type, final_url, .. } => {
            Ok((body, content_type, final_url))
        }
        FetchOutcome::NotModified { .. } => {
            bail!("{url} answered 304 Not Modified to a request without validators")
        }
    }
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
