//! What the two syndication benchmarks share: a seeded random source (so every run fetches the
//! same corpus), a fresh database per run on either backend (so runs never see each other's
//! rows), members with one feed each, and the process's memory figures from `/proc`.
//!
//! Not an example itself: `ingest_bench.rs` and `fetch_bench.rs` include it as `mod common`.

#![allow(dead_code)] // each benchmark uses its own part of this module

pub mod corpus;

use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};
use tokio::task::JoinSet;
use virgule_feeds::fetch::FetchPolicy;
use virgule_store::{MemberName, NewMember, Store};
use virgule_syndication::{Settings, Syndicator};

/// Whatever a benchmark can fail with; they report it and exit non-zero.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// SplitMix64: tiny, fast and good enough to vary generated text; fixed by its seed so that
/// every run and both backends see byte-identical feeds.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        let span = (hi - lo + 1) as u64;
        lo + (self.next_u64() % span) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() - 1)]
    }
}

/// The benchmark's database: a new SQLite file in a temporary directory, or a new database on
/// the PostgreSQL server `--database-url` names (dropped again by [`BenchDb::finish`]).
pub struct BenchDb {
    pub store: Store,
    /// A pool of our own on the same database, for the few statements the store has no
    /// function for (making every feed due again, counting a round's fetches).
    pub raw: RawPool,
    place: Place,
}

enum Place {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// A connection pool on the benchmark's database, either backend.
#[derive(Clone)]
pub enum RawPool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl BenchDb {
    /// Opens a fresh, migrated store: on the PostgreSQL server at `database_url` when given
    /// (a `postgres://` URL of a database we may `CREATE DATABASE` from), else on SQLite.
    pub async fn open(database_url: Option<&str>) -> Result<Self, BenchError> {
        match database_url.map(str::trim).filter(|u| !u.is_empty()) {
            None => {
                let dir = tempfile::Builder::new().prefix("virgule-bench-").tempdir()?;
                let store = Store::open_sqlite(dir.path()).await?;
                let options = SqliteConnectOptions::new()
                    .filename(dir.path().join(virgule_store::SQLITE_FILE))
                    .busy_timeout(Duration::from_secs(30));
                let raw = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
                Ok(Self { store, raw: RawPool::Sqlite(raw), place: Place::Sqlite(dir) })
            }
            Some(admin_url) => {
                let admin_options = PgConnectOptions::from_str(admin_url)?;
                let mut admin = admin_options.connect().await?;
                let nanos = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.subsec_nanos());
                let name = format!("virgule_bench_{}_{nanos}", std::process::id());
                // A database name cannot be a bind parameter; this one is [a-z0-9_] only.
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await?;
                admin.close().await?;
                let options = admin_options.database(&name);
                let url = options.to_url_lossy().to_string();
                let store = Store::open_postgres(&url).await?;
                let raw = PgPoolOptions::new().max_connections(1).connect_with(options).await?;
                Ok(Self {
                    store,
                    raw: RawPool::Postgres(raw),
                    place: Place::Postgres { admin_url: admin_url.to_owned(), name },
                })
            }
        }
    }

    pub fn describe(&self) -> String {
        match &self.place {
            Place::Sqlite(dir) => format!("SQLite in {}", dir.path().display()),
            Place::Postgres { name, .. } => format!("PostgreSQL database {name}"),
        }
    }

    /// Closes every connection and removes the database.
    pub async fn finish(self) -> Result<(), BenchError> {
        self.store.close().await;
        match &self.raw {
            RawPool::Sqlite(pool) => pool.close().await,
            RawPool::Postgres(pool) => pool.close().await,
        }
        if let Place::Postgres { admin_url, name } = &self.place {
            let mut admin = sqlx::postgres::PgConnection::connect(admin_url).await?;
            sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await?;
            admin.close().await?;
        }
        Ok(())
    }
}

impl RawPool {
    /// Runs `sql`, whose one parameter `$1` is a time; returns the rows affected.
    pub async fn execute_at(
        &self,
        sql: &'static str,
        at: DateTime<Utc>,
    ) -> Result<u64, BenchError> {
        Ok(match self {
            RawPool::Sqlite(pool) => sqlx::query(sql).bind(at).execute(pool).await?.rows_affected(),
            RawPool::Postgres(pool) => {
                sqlx::query(sql).bind(at).execute(pool).await?.rows_affected()
            }
        })
    }

    /// Runs `sql`, a `SELECT COUNT(*)` whose one parameter `$1` is a time.
    pub async fn count_at(&self, sql: &'static str, at: DateTime<Utc>) -> Result<i64, BenchError> {
        Ok(match self {
            RawPool::Sqlite(pool) => sqlx::query_scalar(sql).bind(at).fetch_one(pool).await?,
            RawPool::Postgres(pool) => sqlx::query_scalar(sql).bind(at).fetch_one(pool).await?,
        })
    }
}

/// The engine's settings for a benchmark: loopback origins allowed, the rest as given or as
/// the engine's defaults.
pub fn settings(concurrency: usize, per_host: usize, idle_poll_ms: Option<u64>) -> Settings {
    let defaults = Settings::default();
    Settings {
        fetch: FetchPolicy { allow_private: true, ..FetchPolicy::default() },
        concurrency,
        per_host,
        idle_poll: idle_poll_ms.map_or(defaults.idle_poll, Duration::from_millis),
        ..defaults
    }
}

/// How a benchmark drives the engine through a round of fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Driver {
    /// `Syndicator::run`, the loop `serve` and `worker` run, stopped when all are fetched.
    Run,
    /// `Syndicator::run_once` until nothing is due.
    Once,
}

/// Feeds whose fetch since `$1` is stored (and no longer claimed).
const FETCHED_SINCE: &str =
    "SELECT COUNT(*) FROM feeds WHERE last_fetch_at >= $1 AND claimed_by IS NULL";
const FAILED_SINCE: &str =
    "SELECT COUNT(*) FROM feeds WHERE last_fetch_at >= $1 AND last_error IS NOT NULL";

/// A timed round: every due feed fetched once.
pub struct Round {
    pub wall: Duration,
    /// Passes of `run_once` (0 under [`Driver::Run`]).
    pub passes: usize,
    /// Feeds whose fetch failed.
    pub failed: i64,
}

/// Fetches every due feed once (there must be `feeds` of them) with the scheduler, timed.
pub async fn round(
    syndicator: &Syndicator,
    raw: &RawPool,
    feeds: usize,
    driver: Driver,
) -> Result<Round, BenchError> {
    let since = virgule_store::now();
    let started = Instant::now();
    let mut passes = 0;
    match driver {
        Driver::Once => {
            while syndicator.run_once().await? > 0 {
                passes += 1;
            }
        }
        Driver::Run => {
            // Watches the database from another task and stops the scheduler once every
            // feed's fetch of this round is stored (or after ten minutes).
            let (done, stop) = tokio::sync::oneshot::channel::<()>();
            let watched = raw.clone();
            let watcher = tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(600);
                while Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(25)).await;
                    match watched.count_at(FETCHED_SINCE, since).await {
                        Ok(n) if usize::try_from(n).is_ok_and(|n| n >= feeds) => break,
                        Ok(_) => {}
                        Err(e) => {
                            eprintln!("cannot count the round's fetches: {e}");
                            break;
                        }
                    }
                }
                let _ = done.send(());
            });
            syndicator
                .run(async move {
                    let _ = stop.await;
                })
                .await;
            watcher.await?;
        }
    }
    let wall = started.elapsed();
    let fetched = raw.count_at(FETCHED_SINCE, since).await?;
    if usize::try_from(fetched).ok() != Some(feeds) {
        return Err(format!("the round fetched {fetched} feeds, not {feeds}").into());
    }
    let failed = raw.count_at(FAILED_SINCE, since).await?;
    Ok(Round { wall, passes, failed })
}

/// Creates members `{prefix}00000`… and subscribes member `i` to `url_of(i)`; returns their
/// ids in order. A few at a time: PostgreSQL commits each in its own transaction.
pub async fn members_with_feeds(
    store: &Store,
    count: usize,
    prefix: &str,
    url_of: impl Fn(usize) -> String,
) -> Result<Vec<i64>, BenchError> {
    const IN_FLIGHT: usize = 8;
    let mut ids = vec![0_i64; count];
    let mut tasks: JoinSet<Result<(usize, i64), BenchError>> = JoinSet::new();
    for i in 0..count {
        if tasks.len() >= IN_FLIGHT
            && let Some(done) = tasks.join_next().await
        {
            let (index, id) = done??;
            ids[index] = id;
        }
        let store = store.clone();
        let name = MemberName::parse(&format!("{prefix}{i:05}"))?;
        let url = url_of(i);
        tasks.spawn(async move {
            let member = store
                .create_member(&NewMember { name, email: None, password_hash: String::new() })
                .await?;
            store.subscribe_feed(member.id, &url, virgule_store::now()).await?;
            Ok((i, member.id))
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (index, id) = done??;
        ids[index] = id;
    }
    Ok(ids)
}

/// A `VmHWM:`/`VmRSS:`-style line of `/proc/self/status`, in KiB.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Resets the peak resident size (`VmHWM`) to the current one, so that the next phase's peak
/// is its own (Linux ≥ 4.0). False where the kernel refuses.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

pub fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(|| "?".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0))
}

pub fn per_second(count: usize, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(1e-9)
}

/// Runs `f` and returns its result with the time it took.
pub async fn timed<T>(f: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = f.await;
    (out, started.elapsed())
}

/// Logs to stderr at `RUST_LOG` (default: warnings only, so a failed fetch is seen).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}
