//! A fresh, throw-away [`Store`] per test, on SQLite by default or on PostgreSQL when
//! `VIRGULE_TEST_DATABASE_URL` names a server (with the right to create databases), so that
//! one test suite runs on both backends. Enabled by the `testing` feature:
//!
//! ```toml
//! [dev-dependencies]
//! virgule-store = { workspace = true, features = ["testing"] }
//! ```
//!
//! ```no_run
//! # async fn demo() {
//! let (store, _db) = virgule_store::testing::fresh_store().await;
//! assert_eq!(store.member_count().await.unwrap(), 0);
//! # }
//! ```

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection};
use tempfile::TempDir;

use crate::db::on_pool;
use crate::{Backend, Store};

/// The environment variable naming a PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`. Unset or empty: tests use SQLite.
pub const DATABASE_URL_VAR: &str = "VIRGULE_TEST_DATABASE_URL";

/// Keeps a test's database alive; dropping it removes the database (best effort).
#[derive(Debug)]
pub struct TestDb {
    place: Place,
}

#[derive(Debug)]
enum Place {
    Sqlite(TempDir),
    Postgres {
        /// The server's URL as given, for dropping the database again.
        admin_url: String,
        /// `virgule_t_<16 hex digits>`.
        name: String,
        /// The URL of the test database itself.
        url: String,
    },
}

/// How many prepared statements the store's idle connections keep (sqlx's statement cache,
/// per connection): for tests that a statement whose text changes with its data is not kept
/// once per variant, holding the connection's memory.
pub async fn kept_statements(store: &Store) -> usize {
    on_pool!(&store.db, pool => {
        let mut held = Vec::new();
        for _ in 0..pool.num_idle() {
            held.push(pool.acquire().await.expect("cannot take a test store's connection"));
        }
        held.iter().map(|conn| conn.cached_statements_size()).sum()
    })
}

/// A new, empty, migrated store: a new PostgreSQL database if [`DATABASE_URL_VAR`] is set,
/// else an SQLite file in a new temporary directory.
///
/// # Panics
///
/// If the variable is set but the server cannot be reached or refuses to create a database:
/// a test run that was meant for PostgreSQL must not pass quietly on SQLite.
pub async fn fresh_store() -> (Store, TestDb) {
    match std::env::var(DATABASE_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => fresh_postgres(url.trim()).await,
        _ => fresh_sqlite().await,
    }
}

/// A new, empty, migrated SQLite store in a temporary directory, whatever the environment.
pub async fn fresh_sqlite() -> (Store, TestDb) {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory for a test store");
    let store = Store::open_sqlite(dir.path())
        .await
        .unwrap_or_else(|e| panic!("cannot open a test SQLite store: {e}"));
    (store, TestDb { place: Place::Sqlite(dir) })
}

async fn fresh_postgres(admin_url: &str) -> (Store, TestDb) {
    let admin_options = PgConnectOptions::from_str(admin_url)
        .unwrap_or_else(|e| panic!("{DATABASE_URL_VAR}={admin_url} is not a PostgreSQL URL: {e}"));
    let mut admin = admin_options.connect().await.unwrap_or_else(|e| {
        panic!(
            "{DATABASE_URL_VAR}={admin_url}, but PostgreSQL cannot be reached there: {e}. \
             Start PostgreSQL, or unset {DATABASE_URL_VAR} to test on SQLite."
        )
    });
    let mut random = [0_u8; 8];
    getrandom::fill(&mut random).expect("the operating system's random source works");
    let name =
        format!("virgule_t_{}", random.iter().map(|b| format!("{b:02x}")).collect::<String>());
    // A database name cannot be a bind parameter; this one is made above of [a-z0-9_] only.
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create test database {name} at {admin_url}: {e}"));
    // Best effort: an error here leaves only an idle connection behind.
    let _ = admin.close().await;
    let url = admin_options.database(&name).to_url_lossy().to_string();
    let test_db = TestDb {
        place: Place::Postgres { admin_url: admin_url.to_owned(), name, url: url.clone() },
    };
    let store = Store::open_postgres(&url)
        .await
        .unwrap_or_else(|e| panic!("cannot open the test store at {url}: {e}"));
    (store, test_db)
}

impl TestDb {
    pub fn backend(&self) -> Backend {
        match self.place {
            Place::Sqlite(_) => Backend::Sqlite,
            Place::Postgres { .. } => Backend::Postgres,
        }
    }

    /// The PostgreSQL URL of the test database (`None` on SQLite), e.g. for running the
    /// `virgule` binary against it with `--database-url`.
    pub fn database_url(&self) -> Option<&str> {
        match &self.place {
            Place::Sqlite(_) => None,
            Place::Postgres { url, .. } => Some(url),
        }
    }

    /// Opens another [`Store`] on the same database, e.g. to check that data outlives closing
    /// the first one.
    pub async fn reopen(&self) -> Store {
        match &self.place {
            Place::Sqlite(dir) => Store::open_sqlite(dir.path()).await,
            Place::Postgres { url, .. } => Store::open_postgres(url).await,
        }
        .unwrap_or_else(|e| panic!("cannot reopen the test store: {e}"))
    }
    /// The settings that point the `virgule` binary at this database: `--data-dir DIR` for
    /// SQLite, `--database-url URL` for PostgreSQL.
    pub fn cli_args(&self) -> [std::ffi::OsString; 2] {
        match &self.place {
            Place::Sqlite(dir) => ["--data-dir".into(), dir.path().into()],
            Place::Postgres { url, .. } => ["--database-url".into(), url.into()],
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Place::Postgres { admin_url, name, .. } = &self.place else {
            return; // the TempDir removes itself
        };
        // Drop cannot await, and may run inside the test's runtime: use a thread with its own.
        let (admin_url, name) = (admin_url.clone(), name.clone());
        let dropper = std::thread::spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(e) => return eprintln!("test database {name} left behind: {e}"),
            };
            runtime.block_on(async {
                let result = async {
                    let mut admin = PgConnection::connect(&admin_url).await?;
                    // FORCE ends the connections the test's pool may still hold.
                    sqlx::query(AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await?;
                    admin.close().await
                }
                .await;
                if let Err(e) = result {
                    eprintln!("test database {name} left behind: {e}");
                }
            });
        });
        let _ = dropper.join();
    }
}
