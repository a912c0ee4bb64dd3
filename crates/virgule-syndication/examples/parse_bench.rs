//! The reader against a peer, side by side in one run: the same generated WordPress-like
//! feeds (the ingest benchmark's corpus) parsed by feed-rs, the parser Virgule used before
//! issue 12, and by Virgule's own reader, then parsed + normalized + sanitized as ingest does.
//! Rounds alternate the three so that a busy machine slows them alike; each figure is the
//! median of the rounds. `--dump DIR` also writes the corpus to DIR for the Python reference
//! stack (`bench/reader.sh` runs feedparser + bleach on it).
//!
//! ```text
//! cargo run --release -p virgule-syndication --example parse_bench -- --feeds 200 --rounds 5
//! ```
//!
//! The last line, `RESULT key=value …`, is what `bench/reader.sh` reads.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use url::Url;

use common::{BenchError, corpus};

#[derive(Parser, Debug)]
#[command(about = "Parse speed: feed-rs against Virgule's reader, on the ingest corpus")]
struct Args {
    /// Feeds in the corpus.
    #[arg(long, default_value_t = 200)]
    feeds: usize,
    /// Entries per feed.
    #[arg(long, default_value_t = 20)]
    entries: usize,
    /// Smallest and largest HTML body per entry, bytes.
    #[arg(long, default_value_t = 3000)]
    min_html: usize,
    #[arg(long, default_value_t = 8000)]
    max_html: usize,
    /// Timed rounds; each figure is their median.
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Also write the corpus here, one file per feed.
    #[arg(long)]
    dump: Option<PathBuf>,
}

fn main() -> Result<(), BenchError> {
    let args = Args::parse();
    if args.feeds == 0 || args.entries == 0 || args.rounds == 0 {
        return Err("--feeds, --entries and --rounds must be positive".into());
    }
    let bodies: Vec<String> = (0..args.feeds)
        .map(|i| corpus::rss(&corpus::Blog::new(i), 0, args.entries, args.min_html, args.max_html))
        .collect();
    if let Some(dir) = &args.dump {
        std::fs::create_dir_all(dir)?;
        for (i, body) in bodies.iter().enumerate() {
            std::fs::write(dir.join(format!("feed{i:05}.rss")), body)?;
        }
    }
    let urls: Vec<Url> = (0..args.feeds)
        .map(|i| Url::parse(&format!("http://127.0.0.1/blog{i:05}/feed/")))
        .collect::<Result<_, _>>()?;
    let total = args.feeds * args.entries;
    let megabytes = bodies.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    println!(
        "corpus: {} feeds × {} entries, {megabytes:.1} MB; {} rounds",
        args.feeds, args.entries, args.rounds
    );

    let (mut feed_rs, mut ours, mut ours_full) = (Vec::new(), Vec::new(), Vec::new());
    let now = chrono::Utc::now();
    for round in 1..=args.rounds {
        let t = Instant::now();
        let mut entries = 0;
        for body in &bodies {
            entries += feed_rs::parser::parse(body.as_bytes())?.entries.len();
        }
        feed_rs.push(rate(total, entries, t.elapsed())?);

        let t = Instant::now();
        let mut entries = 0;
        for (body, url) in bodies.iter().zip(&urls) {
            entries += virgule_feeds::parse(body.as_bytes(), None, Some(url))?.entry_count();
        }
        ours.push(rate(total, entries, t.elapsed())?);

        let t = Instant::now();
        let mut entries = 0;
        for (body, url) in bodies.iter().zip(&urls) {
            let parsed = virgule_feeds::parse(body.as_bytes(), None, Some(url))?;
            entries += virgule_feeds::normalize(parsed, now).entries.len();
        }
        ours_full.push(rate(total, entries, t.elapsed())?);
        println!(
            "round {round}: feed-rs parse {:.0} entries/s, Virgule parse {:.0} entries/s, \
             Virgule parse + normalize + sanitize {:.0} entries/s",
            feed_rs[round - 1],
            ours[round - 1],
            ours_full[round - 1]
        );
    }
    let (feed_rs, ours, ours_full) = (median(feed_rs), median(ours), median(ours_full));
    println!(
        "medians: feed-rs parse {feed_rs:.0}/s, Virgule parse {ours:.0}/s ({:.2}× feed-rs), \
         Virgule parse + sanitize {ours_full:.0}/s",
        ours / feed_rs
    );
    println!(
        "RESULT feed_rs_parse_per_s={feed_rs:.1} virgule_parse_per_s={ours:.1} \
         virgule_parse_sanitize_per_s={ours_full:.1}"
    );
    Ok(())
}

/// Entries per second, after checking every entry was read.
fn rate(expected: usize, read: usize, took: Duration) -> Result<f64, BenchError> {
    if read != expected {
        return Err(format!("{read} entries read, not {expected}").into());
    }
    Ok(common::per_second(read, took))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}
