//! Virgule's storage: one [`Store`] over SQLite (embedded, the default) or PostgreSQL
//! (scale-out), with migrations per backend and typed, noun-first query functions that return
//! domain structs. Nothing here knows about HTTP.
//!
//! Queries live beside their functions, one module per table or aggregate (`members`,
//! `sessions`, `tokens`, `entries`, `feeds`, `news`, `certs`, `ratings`), as `const` SQL shared by both
//! backends. The `testing` feature adds `testing::fresh_store` for other crates' tests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), virgule_store::StoreError> {
//! let store = virgule_store::Store::open_sqlite(std::path::Path::new("./virgule-data")).await?;
//! let name = virgule_store::MemberName::parse("etbe").expect("valid name");
//! let member = store.member_by_name(&name).await?;
//! # Ok(()) }
//! ```

mod articles;
mod attempts;
mod certs;
mod claims;
mod content_version;
mod db;
mod entries;
mod feeds;
mod flags;
mod imports;
mod leases;
mod members;
mod model;
mod news;
mod projects;
mod ratings;
mod related;
mod replies;
mod search;
mod sessions;
pub mod site;
#[cfg(feature = "testing")]
pub mod testing;
mod tokens;

pub use attempts::AttemptCount;
pub use claims::UNCLAIMED;
pub use db::{Backend, SQLITE_FILE};
pub use feeds::{
    Feed, FeedClaim, FeedStatus, FetchRecord, FetchResult, IngestCounts, KnownItem,
    MAX_FEED_WARNINGS, MAX_WARNING_CHARS, SyndicatedDraft, bounded_warnings,
};
pub use flags::{FlagKey, FlagKind, FlagSubject, FlagTally, Purged, SpamItem, SpamState};
pub use imports::{ImportCounts, ImportedComment, ImportedPost, KeptPost};
pub use leases::Lease;
pub use model::*;
pub use projects::{MemberProject, Project, ProjectDraft, ProjectName, ProjectPerson, Relation};
pub use ratings::{InterestRow, InterestScore};
pub use related::{RelatedEntry, RelatedSource};
pub use search::{
    CANDIDATES, HitPlace, MATCH_END, MATCH_START, SEARCH_BUDGET, SearchFilter, SearchHit,
    SearchKind, SearchQuery, SearchResults, SearchTerm,
};

use db::Db;

/// What went wrong in the store, with a message a person can read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write; the message says which, in user terms.
    #[error("{0}")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    /// A write that a domain rule forbids (e.g. certifying oneself); the message says why.
    #[error("{0}")]
    Refused(String),
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value that the domain types refuse (e.g. an unknown entry format).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// A search ran past its time budget ([`Store::with_search_budget`]) and was stopped.
    #[error("the search ran past its time budget")]
    SearchOverBudget,
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Turns a unique-constraint violation (either backend) into [`StoreError::Conflict`] with the
/// user-facing `message`; any other error stays a database error.
pub(crate) fn conflict_or(err: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match err {
        sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Conflict(message()),
        other => StoreError::Database(other),
    }
}

/// The database handle the whole application shares. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// Queues this process's feed-ingest transactions on SQLite, which has one writer at a
    /// time: waiting here is cheaper than SQLite's busy handler polling with sleeps.
    ingest_writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// How long a reader's search may take (see [`SEARCH_BUDGET`]).
    search_budget: std::time::Duration,
    /// The connections reader searches run on ([`Db::search_pool`]).
    search_db: Db,
}

impl Store {
    /// Opens (creating if needed) the SQLite file in `data_dir` and migrates it.
    pub async fn open_sqlite(data_dir: &std::path::Path) -> Result<Self> {
        let store = Store::over(Db::open_sqlite(data_dir).await?);
        store.db.migrate().await?;
        store.fill_search_text().await?;
        Ok(store)
    }

    /// Connects to PostgreSQL at `url` (`postgres://...`) and migrates it.
    pub async fn open_postgres(url: &str) -> Result<Self> {
        let store = Store::over(Db::open_postgres(url).await?);
        store.db.migrate().await?;
        store.fill_search_text().await?;
        Ok(store)
    }

    fn over(db: Db) -> Self {
        Store {
            search_db: db.search_pool(SEARCH_BUDGET),
            db,
            ingest_writer: std::sync::Arc::default(),
            search_budget: SEARCH_BUDGET,
        }
    }

    /// The same store, with `budget` for each reader's search rather than
    /// [`SEARCH_BUDGET`].
    pub fn with_search_budget(mut self, budget: std::time::Duration) -> Self {
        self.search_budget = budget;
        self.search_db = self.db.search_pool(budget);
        self
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// After a bulk load (the demo data, an import): has PostgreSQL read the new tables'
    /// statistics now rather than at autovacuum's next pass, so that the first pages are
    /// planned on them (measured: a diary page without the page cache went from ~2,000 to
    /// ~2,700 req/s on a fresh demo site). Nothing on SQLite, which is left without
    /// statistics on purpose: with them, its STAT4 planner would read the bound value of every
    /// parameter compared with an indexed column, and prepare those statements again at every
    /// binding (as a bare `LIMIT $n` would; see `limit!` in `db.rs`).
    pub async fn refresh_statistics(&self) -> Result<()> {
        if let Db::Postgres(pool) = &self.db {
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Ok(())
    }

    /// Waits for in-flight queries and closes every connection (at shutdown).
    pub async fn close(&self) {
        self.search_db.close().await;
        self.db.close().await
    }
}
