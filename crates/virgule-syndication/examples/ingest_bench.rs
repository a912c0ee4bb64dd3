//! Ingest benchmark (the issue's "1,000 feeds × 20 entries of realistic 3–8 KB HTML: entries/s
//! parsed + sanitized + stored"): a generated WordPress-like corpus served by a local HTTP
//! server, one member subscribed to each feed, and `Syndicator::run_once` driven until every
//! feed has been fetched and stored. The pure part (parse, normalize with its sanitizing, and
//! planning) is also timed alone on one thread, so the figures say where the time goes;
//! `--breakdown` adds HTTP alone and the store alone.
//!
//! ```text
//! cargo run --release -p virgule-syndication --example ingest_bench -- --feeds 1000 --entries 20
//! cargo run --release -p virgule-syndication --example ingest_bench -- \
//!     --database-url postgres://postgres@127.0.0.1:5432/postgres
//! ```
//!
//! The last line, `RESULT key=value …`, is what `bench/syndication.sh` reads.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clap::Parser;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;
use virgule_feeds::fetch::{FetchPolicy, Fetcher, Validators};
use virgule_store::{FetchRecord, FetchResult};
use virgule_syndication::Syndicator;
use virgule_syndication::plan::plan_ingest;

use common::{BenchDb, BenchError, Driver, corpus};

const CONTENT_TYPE: &str = "application/rss+xml; charset=UTF-8";

#[derive(Debug, Parser)]
#[command(about = "Ingest benchmark: feeds × entries parsed, sanitized and stored")]
struct Args {
    /// Feeds (and members, one feed each).
    #[arg(long, default_value_t = 1000)]
    feeds: usize,
    /// Entries per feed.
    #[arg(long, default_value_t = 20)]
    entries: usize,
    /// Smallest `content:encoded` HTML per entry, in bytes.
    #[arg(long, default_value_t = 3000)]
    min_html: usize,
    /// Largest `content:encoded` HTML per entry, in bytes.
    #[arg(long, default_value_t = 8000)]
    max_html: usize,
    /// A PostgreSQL server to run on (a fresh database is created there and dropped after);
    /// unset: a fresh SQLite file in a temporary directory.
    #[arg(long, env = "VIRGULE_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Feeds fetched at once (`Settings::concurrency`).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Feeds fetched at once from one host; all feeds are on 127.0.0.1 here.
    #[arg(long, default_value_t = 64)]
    per_host: usize,
    /// `Settings::idle_poll` in milliseconds (default: the engine's, 5 s). Under `--driver
    /// run` the scheduler also waits this long whenever all its fetch slots are busy.
    #[arg(long)]
    idle_poll_ms: Option<u64>,
    /// How the engine is driven: a `run_once` loop (the default here) or the scheduler's
    /// `run`, stopped once every feed is stored.
    #[arg(long, value_enum, default_value_t = Driver::Once)]
    driver: Driver,
    /// Also time HTTP alone (fetching every feed) and the store alone (storing pre-planned
    /// fetches into a second fresh database).
    #[arg(long)]
    breakdown: bool,
    /// Print the generated feed with this index and exit (to look at the corpus).
    #[arg(long)]
    print_feed: Option<usize>,
}

#[tokio::main]
async fn main() -> Result<(), BenchError> {
    common::init_logging();
    let args = Args::parse();
    if args.feeds == 0 || args.entries == 0 || args.min_html > args.max_html {
        return Err("--feeds and --entries must be positive, --min-html ≤ --max-html".into());
    }
    if let Some(i) = args.print_feed {
        let blog = corpus::Blog::new(i);
        print!("{}", corpus::rss(&blog, 0, args.entries, args.min_html, args.max_html));
        return Ok(());
    }
    let total_entries = args.feeds * args.entries;
    println!(
        "ingest: {} feeds × {} entries ({}–{} B of HTML each), concurrency {}, per host {}, \
         {} cores",
        args.feeds,
        args.entries,
        args.min_html,
        args.max_html,
        args.concurrency,
        args.per_host,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let started = Instant::now();
    let bodies: Vec<Bytes> = (0..args.feeds)
        .map(|i| {
            Bytes::from(corpus::rss(
                &corpus::Blog::new(i),
                0,
                args.entries,
                args.min_html,
                args.max_html,
            ))
        })
        .collect();
    let corpus_bytes: usize = bodies.iter().map(Bytes::len).sum();
    println!(
        "corpus: {:.1} MB in {} feeds (mean {:.1} KB per feed, {:.2} KB per entry with its XML), \
         generated in {:.2} s",
        corpus_bytes as f64 / 1e6,
        bodies.len(),
        corpus_bytes as f64 / bodies.len() as f64 / 1e3,
        corpus_bytes as f64 / total_entries as f64 / 1e3,
        started.elapsed().as_secs_f64()
    );

    let pure = pure_phase(&bodies, args.entries)?;
    let pure_total = pure.parse + pure.normalize + pure.plan;
    println!(
        "pure, one thread: parse {:.2} s ({:.0} entries/s), normalize+sanitize {:.2} s \
         ({:.0} entries/s), plan {:.2} s; together {:.2} s = {:.0} entries/s \
         (mean sanitized HTML {:.2} KB)",
        pure.parse.as_secs_f64(),
        common::per_second(total_entries, pure.parse),
        pure.normalize.as_secs_f64(),
        common::per_second(total_entries, pure.normalize),
        pure.plan.as_secs_f64(),
        pure_total.as_secs_f64(),
        common::per_second(total_entries, pure_total),
        pure.sanitized_bytes as f64 / total_entries as f64 / 1e3,
    );

    let bodies = Arc::new(bodies);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let app = Router::new().route("/{blog}/feed/", get(serve_feed)).with_state(Arc::clone(&bodies));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            eprintln!("the feed server stopped: {e}");
        }
    });
    let url_of = move |i: usize| format!("http://127.0.0.1:{port}/blog{i:05}/feed/");

    let db = BenchDb::open(args.database_url.as_deref()).await?;
    println!("database: {}", db.describe());
    // Everything that uses the database in one block, so that it is removed even after a
    // failure (no PostgreSQL database left behind).
    let outcome: Result<_, BenchError> = async {
        let members = common::members_with_feeds(&db.store, args.feeds, "ingest", &url_of);
        let (ids, setup) = common::timed(members).await;
        let ids = ids?;
        println!("setup: {} members with a feed each in {:.2} s", ids.len(), setup.as_secs_f64());

        let settings = common::settings(args.concurrency, args.per_host, args.idle_poll_ms);
        let syndicator = Syndicator::new(db.store.clone(), settings)?;
        let round = common::round(&syndicator, &db.raw, args.feeds, args.driver).await?;
        let wall = round.wall;

        let mut stored = 0_i64;
        let mut failed = Vec::new();
        for &id in &ids {
            stored += db.store.entry_count_for_member(id).await?;
            if let Some(feed) = db.store.feed_for_member(id).await?
                && let Some(error) = feed.last_error
            {
                failed.push(error);
            }
        }
        let entries_per_s = stored as f64 / wall.as_secs_f64();
        println!(
            "ingest: {} feeds fetched ({:?} driver, {} run_once passes), {stored} entries stored \
             (expected {total_entries}) in {:.2} s = {entries_per_s:.0} entries/s",
            args.feeds,
            args.driver,
            round.passes,
            wall.as_secs_f64()
        );
        if let Some(first) = failed.first() {
            println!("  {} feeds failed; the first: {first}", failed.len());
        }

        let mut extra = String::new();
        if args.breakdown {
            let http = http_phase(&bodies, &url_of, args.concurrency).await?;
            println!(
                "breakdown: HTTP alone (every feed fetched, concurrency {}): {:.2} s = {:.0} \
                 entries/s",
                args.concurrency,
                http.as_secs_f64(),
                common::per_second(total_entries, http)
            );
            let store_only = store_phase(
                &bodies,
                &url_of,
                args.database_url.as_deref(),
                args.concurrency,
                args.entries,
            )
            .await?;
            println!(
                "breakdown: store alone (pre-planned fetches recorded, {} at once): {:.2} s = \
                 {:.0} entries/s",
                args.concurrency,
                store_only.as_secs_f64(),
                common::per_second(total_entries, store_only)
            );
            extra = format!(
                " http_s={:.3} store_only_s={:.3} store_only_entries_per_s={:.1}",
                http.as_secs_f64(),
                store_only.as_secs_f64(),
                common::per_second(total_entries, store_only)
            );
        }
        Ok((stored, failed, wall, entries_per_s, extra))
    }
    .await;
    db.finish().await?;
    let (stored, failed, wall, entries_per_s, extra) = outcome?;

    println!(
        "RESULT entries_stored={stored} expected={total_entries} failed_feeds={} wall_s={:.3} \
         entries_per_s={entries_per_s:.1} pure_entries_per_s={:.1} parse_entries_per_s={:.1} \
         normalize_entries_per_s={:.1} peak_rss_mib={}{extra}",
        failed.len(),
        wall.as_secs_f64(),
        common::per_second(total_entries, pure_total),
        common::per_second(total_entries, pure.parse),
        common::per_second(total_entries, pure.normalize),
        common::mib(common::proc_status_kib("VmHWM")),
    );
    if stored != total_entries as i64 || !failed.is_empty() {
        return Err(format!("stored {stored} entries, expected {total_entries}").into());
    }
    Ok(())
}

/// Serves `/blogNNNNN/feed/` from the generated corpus, as a WordPress would: with validators.
async fn serve_feed(State(bodies): State<Arc<Vec<Bytes>>>, Path(blog): Path<String>) -> Response {
    let Some(body) =
        blog.strip_prefix("blog").and_then(|n| n.parse::<usize>().ok()).and_then(|n| bodies.get(n))
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, CONTENT_TYPE.to_owned()),
            (header::ETAG, format!("\"{blog}-1\"")),
            (header::LAST_MODIFIED, "Thu, 20 May 2021 12:32:11 GMT".to_owned()),
        ],
        body.clone(),
    )
        .into_response()
}

struct PureTimes {
    parse: Duration,
    normalize: Duration,
    plan: Duration,
    sanitized_bytes: usize,
}

/// Parse, normalize (which sanitizes every body) and plan each feed on this thread, the work
/// the engine does per fetch between the HTTP response and the store.
fn pure_phase(bodies: &[Bytes], entries: usize) -> Result<PureTimes, BenchError> {
    let now = virgule_store::now();
    let known = HashMap::new();
    let mut times = PureTimes {
        parse: Duration::ZERO,
        normalize: Duration::ZERO,
        plan: Duration::ZERO,
        sanitized_bytes: 0,
    };
    for (i, body) in bodies.iter().enumerate() {
        let url = Url::parse(&format!("http://127.0.0.1/blog{i:05}/feed/"))?;
        let t = Instant::now();
        let parsed = virgule_feeds::parse(body, Some(CONTENT_TYPE), Some(&url))?;
        times.parse += t.elapsed();
        let t = Instant::now();
        let normalized = virgule_feeds::normalize(parsed, now);
        times.normalize += t.elapsed();
        let t = Instant::now();
        let plan = plan_ingest(&normalized, "blog", &known, now);
        times.plan += t.elapsed();
        if plan.creates.len() != entries {
            return Err(
                format!("feed {i}: {} posts planned, not {entries}", plan.creates.len()).into()
            );
        }
        times.sanitized_bytes += plan.creates.iter().map(|d| d.html.len()).sum::<usize>();
    }
    Ok(times)
}

/// Fetches every feed with the engine's HTTP client and nothing else.
async fn http_phase(
    bodies: &[Bytes],
    url_of: &impl Fn(usize) -> String,
    concurrency: usize,
) -> Result<Duration, BenchError> {
    let fetcher = Fetcher::new(FetchPolicy { allow_private: true, ..FetchPolicy::default() })?;
    let slots = Arc::new(Semaphore::new(concurrency.max(1)));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for i in 0..bodies.len() {
        let url = Url::parse(&url_of(i))?;
        let fetcher = fetcher.clone();
        let slot = Arc::clone(&slots).acquire_owned().await?;
        tasks.spawn(async move {
            let outcome = fetcher.fetch(&url, &Validators::default()).await;
            drop(slot);
            outcome
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(started.elapsed())
}

/// Stores every feed's planned posts into a second fresh database through
/// `Store::record_feed_fetch`, `concurrency` at once, as the engine would after its fetches.
async fn store_phase(
    bodies: &[Bytes],
    url_of: &impl Fn(usize) -> String,
    database_url: Option<&str>,
    concurrency: usize,
    entries: usize,
) -> Result<Duration, BenchError> {
    let now = virgule_store::now();
    // What each feed's fetch stores, as the engine builds it.
    let mut plans: HashMap<String, FetchResult> = HashMap::new();
    for (i, body) in bodies.iter().enumerate() {
        let url = Url::parse(&url_of(i))?;
        let parsed = virgule_feeds::parse(body, Some(CONTENT_TYPE), Some(&url))?;
        let normalized = virgule_feeds::normalize(parsed, now);
        let plan = plan_ingest(&normalized, "blog", &HashMap::new(), now);
        let result = FetchResult::Fetched {
            title: "blog".to_owned(),
            site_link: normalized.feed.link.clone(),
            creates: plan.creates,
            updates: Vec::new(),
            warnings: normalized.warnings,
        };
        plans.insert(url.to_string(), result);
    }
    let db = BenchDb::open(database_url).await?;
    let outcome: Result<_, BenchError> = async {
        common::members_with_feeds(&db.store, bodies.len(), "store", url_of).await?;
        let limit = i64::try_from(bodies.len()).unwrap_or(i64::MAX);
        // Due from their subscription on, which came after `now`.
        let claims = db
            .store
            .claim_due_feeds(virgule_store::now(), chrono::Duration::minutes(10), limit)
            .await?;
        if claims.len() != bodies.len() {
            return Err(format!("claimed {} feeds, not {}", claims.len(), bodies.len()).into());
        }
        let slots = Arc::new(Semaphore::new(concurrency.max(1)));
        let started = Instant::now();
        let mut tasks = JoinSet::new();
        for claim in claims {
            let url = claim.feed.url.clone().unwrap_or_default();
            let result = plans.remove(&url).ok_or("a claimed feed was not planned")?;
            let record = FetchRecord {
                at: now,
                url,
                etag: None,
                last_modified: None,
                result,
                next_fetch_at: now + chrono::Duration::hours(1),
            };
            let store = db.store.clone();
            let slot = Arc::clone(&slots).acquire_owned().await?;
            tasks.spawn(async move {
                let counts = store.record_feed_fetch(&claim, &record).await;
                drop(slot);
                counts
            });
        }
        let mut created = 0;
        while let Some(done) = tasks.join_next().await {
            created += done??.created;
        }
        Ok((created, started.elapsed()))
    }
    .await;
    db.finish().await?;
    let (created, elapsed) = outcome?;
    let expected = bodies.len() * entries;
    if created != expected as u64 {
        return Err(format!("the store alone created {created} entries, not {expected}").into());
    }
    Ok(elapsed)
}
