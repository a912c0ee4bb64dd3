//! The two backends behind one handle: opening, tuning, migrating, and the dispatch macro that
//! runs the same query text on whichever pool is live.

use std::borrow::Cow;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};

use crate::StoreError;

/// The live connection pool, SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which database a [`crate::Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs `$body` with `$pool` bound to the live pool (or `$tx` to a transaction on it). The
/// body is compiled once per backend, so shared SQL with `$1` placeholders needs no copies.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// ` LIMIT $n` written so that SQLite keeps the prepared statement: since 3.47, SQLite reads
/// the value bound to a bare `LIMIT $n` when it plans, and so prepares the statement again
/// every time it is bound anew (measured: ~50 µs a query, 9% of the CPU of a signed-in
/// diary page). A `CAST` is not read ahead; PostgreSQL plans both alike. Every bound
/// `LIMIT` of the store is written with this.
macro_rules! limit {
    ($param:literal) => {
        concat!(" LIMIT CAST(", $param, " AS BIGINT)")
    };
}
pub(crate) use limit;

/// Whether a multi-row statement over `chunk` stays prepared (sqlx's statement cache): only
/// when it is a full `batch`, the shape that comes back. The last, shorter chunk's text
/// changes with the data, and each size kept would hold the connection's memory for a
/// statement that may never run again (docs/design.md, "only the statements that come back").
pub(crate) fn keep_prepared<T>(chunk: &[T], batch: usize) -> bool {
    chunk.len() == batch
}

/// A connection of either backend borrowed from a transaction (`Conn::from(&mut *tx)` inside
/// [`on_pool!`]), so that one step of a write, such as inserting entries, can be a plain
/// function that several writers call within their own transactions.
pub(crate) enum Conn<'c> {
    Sqlite(&'c mut SqliteConnection),
    Postgres(&'c mut PgConnection),
}

impl Conn<'_> {
    /// The same connection for one more step, leaving `self` usable after it.
    pub(crate) fn reborrow(&mut self) -> Conn<'_> {
        match self {
            Conn::Sqlite(conn) => Conn::Sqlite(conn),
            Conn::Postgres(conn) => Conn::Postgres(conn),
        }
    }
}

impl<'c> From<&'c mut SqliteConnection> for Conn<'c> {
    fn from(conn: &'c mut SqliteConnection) -> Self {
        Conn::Sqlite(conn)
    }
}

impl<'c> From<&'c mut PgConnection> for Conn<'c> {
    fn from(conn: &'c mut PgConnection) -> Self {
        Conn::Postgres(conn)
    }
}

/// Runs `$body` with `$conn` bound to the `&mut` connection inside a [`Conn`]: as
/// [`on_pool!`], the body is compiled once per backend.
macro_rules! on_conn {
    ($c:expr, $conn:ident => $body:expr) => {
        match $c {
            $crate::db::Conn::Sqlite($conn) => $body,
            $crate::db::Conn::Postgres($conn) => $body,
        }
    };
}
pub(crate) use on_conn;

/// The file name of the SQLite database inside the data directory.
pub const SQLITE_FILE: &str = "virgule.sqlite3";

impl Db {
    pub(crate) async fn open_sqlite(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Open(format!("cannot create data directory {}: {e}", data_dir.display()))
        })?;
        let options = SqliteConnectOptions::new()
            .filename(data_dir.join(SQLITE_FILE))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL loses no committed transaction on an application crash.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub(crate) async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let options = sqlx::postgres::PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Open(format!("bad PostgreSQL URL: {e}")))?
            // Our queries are short index reads; a plan costed without its LIMIT (a generic
            // plan of `LIMIT $1`) would otherwise pay milliseconds of JIT compilation.
            .options([("jit", "off")]);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Db::Postgres(pool))
    }

    /// The statement that opens every transaction that writes. SQLite's plain `BEGIN` takes
    /// the write lock only at the first write, and inside an open transaction that write does
    /// not always wait for it: after a read, or while another connection still holds the lock
    /// (a transaction dropped on an error path, its rollback not yet run), it fails at once
    /// with "database is locked" (`SQLITE_BUSY`), never calling the busy handler. `BEGIN
    /// IMMEDIATE` takes the lock up front, waiting (`busy_timeout`) like any writer; SQLite
    /// has one writer at a time anyway, so it costs no concurrency.
    pub(crate) fn begin_write(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "BEGIN IMMEDIATE",
            Db::Postgres(_) => "BEGIN",
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies every embedded migration of this backend that has not run yet.
    pub(crate) async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(pool) => migrator(SQLITE_MIGRATIONS).run(pool).await?,
            Db::Postgres(pool) => migrator(POSTGRES_MIGRATIONS).run(pool).await?,
        }
        Ok(())
    }

    pub(crate) async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// A pool of its own for reader searches, on the same database, connected when first
    /// used: at most [`SEARCH_CONNECTIONS`], so that a burst of slow searches waits for these
    /// rather than taking the connections pages need; a wait for one bounded by `budget` (at
    /// least [`SEARCH_WAIT_MIN`]); on PostgreSQL every statement stopped at `budget`
    /// (`statement_timeout`, set when the connection starts: nothing to reset afterwards).
    pub(crate) fn search_pool(&self, budget: Duration) -> Self {
        let wait = budget.max(SEARCH_WAIT_MIN);
        match self {
            Db::Sqlite(pool) => Db::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(SEARCH_CONNECTIONS)
                    .acquire_timeout(wait)
                    .connect_lazy_with((*pool.connect_options()).clone()),
            ),
            Db::Postgres(pool) => {
                // 0 would be no timeout at all.
                let ms = budget.as_millis().max(1);
                let options =
                    (*pool.connect_options()).clone().options([("statement_timeout", ms)]);
                Db::Postgres(
                    PgPoolOptions::new()
                        .max_connections(SEARCH_CONNECTIONS)
                        .acquire_timeout(wait)
                        .connect_lazy_with(options),
                )
            }
        }
    }
}

/// How many connections reader searches have ([`Db::search_pool`]), beside the pool's. With
/// 4, at a million entries on SQLite, half the searches of `bench/load.sh` waited past their
/// budget behind the few slow ones; sharing the 8 of the main pool, 5% ran past it.
pub(crate) const SEARCH_CONNECTIONS: u32 = 8;

/// The shortest wait for a search connection, whatever the budget.
pub(crate) const SEARCH_WAIT_MIN: Duration = Duration::from_secs(1);

/// `(version, description, sql)`: the same numbers in both trees (a test checks it).
type Embedded = &'static [(i64, &'static str, &'static str)];

pub(crate) const SQLITE_MIGRATIONS: Embedded = &[
    (1, "init", include_str!("../migrations/sqlite/0001_init.sql")),
    (2, "syndication", include_str!("../migrations/sqlite/0002_syndication.sql")),
    (3, "certs", include_str!("../migrations/sqlite/0003_certs.sql")),
    (4, "leases", include_str!("../migrations/sqlite/0004_leases.sql")),
    (5, "recent rank", include_str!("../migrations/sqlite/0005_recent_rank.sql")),
    (6, "articles", include_str!("../migrations/sqlite/0006_articles.sql")),
    (7, "projects", include_str!("../migrations/sqlite/0007_projects.sql")),
    (8, "ratings", include_str!("../migrations/sqlite/0008_ratings.sql")),
    (9, "spam", include_str!("../migrations/sqlite/0009_spam.sql")),
    (10, "feed warnings", include_str!("../migrations/sqlite/0010_feed_warnings.sql")),
    (11, "content version", include_str!("../migrations/sqlite/0011_content_version.sql")),
    (
        12,
        "content version of sessions",
        include_str!("../migrations/sqlite/0012_content_version_sessions.sql"),
    ),
    (13, "search", include_str!("../migrations/sqlite/0013_search.sql")),
    (14, "related posts", include_str!("../migrations/sqlite/0014_related.sql")),
    (15, "imports", include_str!("../migrations/sqlite/0015_imports.sql")),
    (
        16,
        "content version at commit",
        include_str!("../migrations/sqlite/0016_content_version_at_commit.sql"),
    ),
    (17, "attempts", include_str!("../migrations/sqlite/0017_attempts.sql")),
];
pub(crate) const POSTGRES_MIGRATIONS: Embedded = &[
    (1, "init", include_str!("../migrations/postgres/0001_init.sql")),
    (2, "syndication", include_str!("../migrations/postgres/0002_syndication.sql")),
    (3, "certs", include_str!("../migrations/postgres/0003_certs.sql")),
    (4, "leases", include_str!("../migrations/postgres/0004_leases.sql")),
    (5, "recent rank", include_str!("../migrations/postgres/0005_recent_rank.sql")),
    (6, "articles", include_str!("../migrations/postgres/0006_articles.sql")),
    (7, "projects", include_str!("../migrations/postgres/0007_projects.sql")),
    (8, "ratings", include_str!("../migrations/postgres/0008_ratings.sql")),
    (9, "spam", include_str!("../migrations/postgres/0009_spam.sql")),
    (10, "feed warnings", include_str!("../migrations/postgres/0010_feed_warnings.sql")),
    (11, "content version", include_str!("../migrations/postgres/0011_content_version.sql")),
    (
        12,
        "content version of sessions",
        include_str!("../migrations/postgres/0012_content_version_sessions.sql"),
    ),
    (13, "search", include_str!("../migrations/postgres/0013_search.sql")),
    (14, "related posts", include_str!("../migrations/postgres/0014_related.sql")),
    (15, "imports", include_str!("../migrations/postgres/0015_imports.sql")),
    (
        16,
        "content version at commit",
        include_str!("../migrations/postgres/0016_content_version_at_commit.sql"),
    ),
    (17, "attempts", include_str!("../migrations/postgres/0017_attempts.sql")),
];

fn migrator(embedded: Embedded) -> Migrator {
    let migrations = embedded
        .iter()
        .map(|&(version, description, sql)| {
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                SqlStr::from_static(sql),
                false,
            )
        })
        .collect::<Vec<_>>();
    Migrator { migrations: Cow::Owned(migrations), ..Migrator::DEFAULT }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_backends_have_the_same_migrations() {
        let numbers = |m: Embedded| m.iter().map(|(v, d, _)| (*v, *d)).collect::<Vec<_>>();
        assert_eq!(numbers(SQLITE_MIGRATIONS), numbers(POSTGRES_MIGRATIONS));
        let dir = |b: &str| {
            let mut names =
                std::fs::read_dir(format!("{}/migrations/{b}", env!("CARGO_MANIFEST_DIR")))
                    .expect("migrations directory")
                    .map(|e| e.expect("dir entry").file_name().into_string().expect("utf-8 name"))
                    .collect::<Vec<_>>();
            names.sort();
            names
        };
        assert_eq!(dir("sqlite"), dir("postgres"));
        assert_eq!(dir("sqlite").len(), SQLITE_MIGRATIONS.len(), "every file is embedded");
    }
}
