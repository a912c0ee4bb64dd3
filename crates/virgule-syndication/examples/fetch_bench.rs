//! Fetch benchmark (the issue's "10,000 feeds on a local server (mostly 304s) checked in
//! < 60 s with < 150 MB resident memory"). The origin runs in a child process (this binary
//! again, with `--origin`), so the memory measured is the fetcher's alone: 10,000 small
//! WordPress-like feeds over 127.0.0.1…127.0.0.N (all of 127/8 is loopback on Linux; the
//! origin listens on each address, never on a public one), answering 304 to a matching
//! `If-None-Match`. Between rounds `--change-percent` of the feeds get a new post and ETag.
//!
//! Round 1 is the initial ingest (every feed 200); then every feed is made due again with an
//! SQL `UPDATE feeds SET next_fetch_at = $1` (the store has no function for it) and round 2,
//! the one the target is about, is timed with the scheduler (`Syndicator::run`, stopped once
//! every feed was fetched, or `--driver once` for a `run_once` loop). Peak resident memory
//! (`VmHWM`) is reset between phases through `/proc/self/clear_refs`, so each phase's peak is
//! its own.
//!
//! ```text
//! cargo run --release -p virgule-syndication --example fetch_bench -- --feeds 10000
//! ```
//!
//! The last line, `RESULT key=value …`, is what `bench/syndication.sh` reads.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use clap::Parser;
use virgule_syndication::Syndicator;

use common::{BenchDb, BenchError, Driver, corpus};

#[derive(Debug, Parser)]
#[command(about = "Fetch benchmark: a round of mostly-304 conditional GETs over many feeds")]
struct Args {
    /// Feeds (and members, one feed each).
    #[arg(long, default_value_t = 10_000)]
    feeds: usize,
    /// Entries per feed.
    #[arg(long, default_value_t = 5)]
    entries: usize,
    /// Hosts the feeds spread over: 127.0.0.1 … 127.0.0.N (at most 254).
    #[arg(long, default_value_t = 100)]
    hosts: usize,
    /// Share of the feeds, in percent, with a new post (so a 200) in each later round.
    #[arg(long, default_value_t = 5)]
    change_percent: usize,
    /// Feeds fetched at once (`Settings::concurrency`).
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Feeds fetched at once from one host (`Settings::per_host`; 2 is the default).
    #[arg(long, default_value_t = 2)]
    per_host: usize,
    /// `Settings::idle_poll` in milliseconds (default: the engine's, 5 s). Under `--driver
    /// run` the scheduler also waits this long whenever all its fetch slots are busy.
    #[arg(long)]
    idle_poll_ms: Option<u64>,
    /// How the rounds are driven.
    #[arg(long, value_enum, default_value_t = Driver::Run)]
    driver: Driver,
    /// A PostgreSQL server to run on (a fresh database is created there and dropped after);
    /// unset: a fresh SQLite file in a temporary directory.
    #[arg(long, env = "VIRGULE_BENCH_DATABASE_URL")]
    database_url: Option<String>,
    /// Be the origin server (started by the benchmark itself).
    #[arg(long, hide = true)]
    origin: bool,
}

fn main() -> Result<(), BenchError> {
    let args = Args::parse();
    if args.feeds == 0 || args.entries == 0 || !(1..=254).contains(&args.hosts) {
        return Err("--feeds and --entries must be positive, --hosts in 1..=254".into());
    }
    let runtime = tokio::runtime::Runtime::new()?;
    if args.origin { runtime.block_on(origin(args)) } else { runtime.block_on(fetcher(args)) }
}

/// Makes every feed due now, for the next round (the store has no function for this).
const MAKE_ALL_DUE: &str = "UPDATE feeds SET next_fetch_at = $1 WHERE status = 'active'";

async fn fetcher(args: Args) -> Result<(), BenchError> {
    common::init_logging();
    println!(
        "fetch: {} feeds × {} entries over {} hosts, {}% changing per round; concurrency {}, \
         per host {}, driver {:?}, {} cores",
        args.feeds,
        args.entries,
        args.hosts,
        args.change_percent,
        args.concurrency,
        args.per_host,
        args.driver,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let mut origin = OriginProcess::start(&args)?;
    let port = origin.port;
    let hosts = args.hosts;
    let url_of =
        move |i: usize| format!("http://127.0.0.{}:{port}/blog{i:05}/feed/", 1 + i % hosts);
    println!("origin: pid {}, port {port}", origin.child.id());

    let db = BenchDb::open(args.database_url.as_deref()).await?;
    println!("database: {}", db.describe());
    let outcome = rounds(&args, &db, &mut origin, url_of).await;
    // Dropped even after a failure, so no PostgreSQL database is left behind.
    db.finish().await?;
    outcome
}

/// Everything between opening the database and removing it: setup, both rounds, the report.
async fn rounds(
    args: &Args,
    db: &BenchDb,
    origin: &mut OriginProcess,
    url_of: impl Fn(usize) -> String,
) -> Result<(), BenchError> {
    let (ids, setup) =
        common::timed(common::members_with_feeds(&db.store, args.feeds, "fetch", &url_of)).await;
    let ids = ids?;
    println!(
        "setup: {} members with a feed each in {:.2} s; fetcher RSS {} MiB, peak {} MiB",
        ids.len(),
        setup.as_secs_f64(),
        common::mib(common::proc_status_kib("VmRSS")),
        common::mib(common::proc_status_kib("VmHWM"))
    );
    let peak_setup = common::proc_status_kib("VmHWM");
    let resets = common::reset_peak_rss();
    if !resets {
        println!("note: /proc/self/clear_refs refused; peaks below include the earlier phases");
    }

    let settings = common::settings(args.concurrency, args.per_host, args.idle_poll_ms);
    let syndicator = Syndicator::new(db.store.clone(), settings)?;

    let first = common::round(&syndicator, &db.raw, args.feeds, args.driver).await?;
    let (ok1, not_modified1, other1) = origin.stats()?;
    let peak_round1 = common::proc_status_kib("VmHWM");
    println!(
        "round 1 (initial ingest): {} feeds in {:.2} s = {:.0} feeds/s ({} failed); origin sent \
         {ok1} × 200, {not_modified1} × 304, {other1} other; peak RSS {} MiB",
        args.feeds,
        first.wall.as_secs_f64(),
        common::per_second(args.feeds, first.wall),
        first.failed,
        common::mib(peak_round1)
    );

    let changed = origin.next_round()?;
    let made_due = db.raw.execute_at(MAKE_ALL_DUE, virgule_store::now()).await?;
    common::reset_peak_rss();
    let second = common::round(&syndicator, &db.raw, args.feeds, args.driver).await?;
    let (ok2, not_modified2, other2) = origin.stats()?;
    let peak_round2 = common::proc_status_kib("VmHWM");
    let rss_end = common::proc_status_kib("VmRSS");
    let feeds_per_s = common::per_second(args.feeds, second.wall);
    println!(
        "round 2 ({changed} feeds changed, {made_due} made due by SQL): {} feeds in {:.2} s = \
         {feeds_per_s:.0} feeds/s ({} failed); origin sent {ok2} × 200, {not_modified2} × 304, \
         {other2} other; peak RSS {} MiB, RSS at end {} MiB",
        args.feeds,
        second.wall.as_secs_f64(),
        second.failed,
        common::mib(peak_round2),
        common::mib(rss_end)
    );

    let mut stored = 0_i64;
    for &id in &ids {
        stored += db.store.entry_count_for_member(id).await?;
    }
    let expected = (args.feeds * args.entries + changed) as i64;
    println!("entries stored: {stored} (expected {expected})");
    drop(syndicator);

    let peak_all = [peak_setup, peak_round1, peak_round2].into_iter().flatten().max();
    println!(
        "RESULT feeds={} round1_s={:.3} round1_feeds_per_s={:.1} round2_s={:.3} \
         round2_feeds_per_s={feeds_per_s:.1} round2_200={ok2} round2_304={not_modified2} \
         round2_other={other2} failed={} peak_rss_round1_mib={} peak_rss_round2_mib={} \
         peak_rss_mib={} rss_end_mib={} entries_stored={stored} entries_expected={expected}",
        args.feeds,
        first.wall.as_secs_f64(),
        common::per_second(args.feeds, first.wall),
        second.wall.as_secs_f64(),
        first.failed + second.failed,
        common::mib(peak_round1),
        common::mib(peak_round2),
        common::mib(peak_all),
        common::mib(rss_end),
    );
    if first.failed + second.failed > 0 || stored != expected || other1 + other2 > 0 {
        return Err("some fetches failed or stored the wrong number of entries".into());
    }
    Ok(())
}

/// The origin as a child process, controlled over its stdin and stdout; it exits when its
/// stdin closes, so it never outlives the benchmark.
struct OriginProcess {
    child: Child,
    to: Option<ChildStdin>,
    from: BufReader<ChildStdout>,
    port: u16,
}

impl OriginProcess {
    fn start(args: &Args) -> Result<Self, BenchError> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--origin", "--feeds", &args.feeds.to_string()])
            .args(["--entries", &args.entries.to_string(), "--hosts", &args.hosts.to_string()])
            .args(["--change-percent", &args.change_percent.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let to = child.stdin.take();
        let from = BufReader::new(child.stdout.take().ok_or("the origin has no stdout")?);
        let mut origin = Self { child, to, from, port: 0 };
        let line = origin.read_line()?;
        origin.port = line
            .strip_prefix("port ")
            .and_then(|p| p.trim().parse().ok())
            .ok_or_else(|| format!("the origin said {line:?}, not its port"))?;
        Ok(origin)
    }

    fn read_line(&mut self) -> Result<String, BenchError> {
        let mut line = String::new();
        if self.from.read_line(&mut line)? == 0 {
            return Err("the origin exited".into());
        }
        Ok(line.trim().to_owned())
    }

    fn ask(&mut self, command: &str) -> Result<String, BenchError> {
        let to = self.to.as_mut().ok_or("the origin's stdin is closed")?;
        writeln!(to, "{command}")?;
        to.flush()?;
        self.read_line()
    }

    /// Responses since the last call: (200s, 304s, others).
    fn stats(&mut self) -> Result<(u64, u64, u64), BenchError> {
        let line = self.ask("stats")?;
        let numbers: Vec<u64> =
            line.split_whitespace().skip(1).filter_map(|n| n.parse().ok()).collect();
        match numbers[..] {
            [ok, not_modified, other] => Ok((ok, not_modified, other)),
            _ => Err(format!("the origin said {line:?}, not its stats").into()),
        }
    }

    /// Changes the next round's share of the feeds; returns how many changed.
    fn next_round(&mut self) -> Result<usize, BenchError> {
        let line = self.ask("next")?;
        line.strip_prefix("changed ")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("the origin said {line:?}, not what changed").into())
    }
}

impl Drop for OriginProcess {
    fn drop(&mut self) {
        // Closing its stdin ends it; kill only if it did not go within a second.
        drop(self.to.take());
        for _ in 0..20 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The origin's state: each feed's version (how many posts it gained) and response counts.
struct Origin {
    entries: usize,
    versions: Vec<AtomicU32>,
    ok: AtomicU64,
    not_modified: AtomicU64,
    other: AtomicU64,
}

/// The origin process: serves the feeds on 127.0.0.1…127.0.0.N at one port, prints
/// `port P`, then answers `stats` and `next` on stdin until stdin closes.
async fn origin(args: Args) -> Result<(), BenchError> {
    let state = Arc::new(Origin {
        entries: args.entries,
        versions: (0..args.feeds).map(|_| AtomicU32::new(0)).collect(),
        ok: AtomicU64::new(0),
        not_modified: AtomicU64::new(0),
        other: AtomicU64::new(0),
    });
    let listeners = bind_hosts(args.hosts).await?;
    let port = listeners[0].local_addr()?.port();
    let app = Router::new().route("/{blog}/feed/", get(serve_feed)).with_state(Arc::clone(&state));
    for listener in listeners {
        let app = app.clone();
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("origin: a listener stopped: {e}");
            }
        });
    }
    println!("port {port}");
    std::io::stdout().flush()?;
    let percent = args.change_percent;
    // Commands come on a plain thread: stdin is blocking, and it ends the process at EOF.
    std::thread::spawn(move || {
        let mut round = 0;
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            let reply = match line.trim() {
                "stats" => format!(
                    "stats {} {} {}",
                    state.ok.swap(0, Ordering::Relaxed),
                    state.not_modified.swap(0, Ordering::Relaxed),
                    state.other.swap(0, Ordering::Relaxed)
                ),
                "next" => {
                    round += 1;
                    let mut changed = 0;
                    for (i, version) in state.versions.iter().enumerate() {
                        // Exactly `percent` of every hundred consecutive feeds, a different
                        // slice each round.
                        if (i + round) % 100 < percent {
                            version.fetch_add(1, Ordering::Relaxed);
                            changed += 1;
                        }
                    }
                    format!("changed {changed}")
                }
                other => format!("unknown command {other:?}"),
            };
            println!("{reply}");
            let _ = std::io::stdout().flush();
        }
        std::process::exit(0);
    });
    std::future::pending::<()>().await;
    Ok(())
}

/// One listener per loopback address 127.0.0.1…127.0.0.`hosts`, all on the same port (the
/// first free one that is free on every address).
async fn bind_hosts(hosts: usize) -> Result<Vec<tokio::net::TcpListener>, BenchError> {
    'attempt: for _ in 0..20 {
        let first = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = first.local_addr()?.port();
        let mut listeners = vec![first];
        for host in 2..=hosts {
            match tokio::net::TcpListener::bind(format!("127.0.0.{host}:{port}")).await {
                Ok(listener) => listeners.push(listener),
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue 'attempt,
                Err(e) => return Err(e.into()),
            }
        }
        return Ok(listeners);
    }
    Err("no port was free on every loopback address".into())
}

/// `/blogNNNNN/feed/`: 304 when `If-None-Match` names the current version, else the feed.
async fn serve_feed(
    State(origin): State<Arc<Origin>>,
    Path(blog): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((index, version)) = blog
        .strip_prefix("blog")
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| Some((n, origin.versions.get(n)?.load(Ordering::Relaxed))))
    else {
        origin.other.fetch_add(1, Ordering::Relaxed);
        return StatusCode::NOT_FOUND.into_response();
    };
    let etag = format!("\"{blog}-v{version}\"");
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    if matches {
        origin.not_modified.fetch_add(1, Ordering::Relaxed);
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    origin.ok.fetch_add(1, Ordering::Relaxed);
    // Version v lists posts v … v + entries - 1: each change adds a newer post and drops the
    // oldest, as a blog's feed does.
    let body = corpus::rss(&corpus::Blog::new(index), version as usize, origin.entries, 300, 1200);
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=UTF-8".to_owned()),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}
