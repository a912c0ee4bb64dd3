//! Virgule's syndication engine: members' own blogs flowing into their diaries (docs/design.md §3).
//! It joins the pure feed core (`virgule-feeds`: fetch, parse, normalize, sanitize) to the
//! store: feeds are claimed from the database under a lease, fetched with a per-host limit,
//! planned against the posts already seen ([`plan`]) and stored in one transaction.
//!
//! `virgule serve` runs [`Syndicator::run`] beside the web server, `virgule worker` runs only
//! it; the web layer calls [`Syndicator::subscribe`] and [`Syndicator::refresh`] for the
//! member's settings.
//!
//! ```no_run
//! # async fn demo(store: virgule_store::Store) -> Result<(), Box<dyn std::error::Error>> {
//! let syndicator = virgule_syndication::Syndicator::new(store, Default::default())?;
//! let feed = syndicator.subscribe(1, "https://blog.example/feed/").await?;
//! let status = syndicator.refresh(feed.member_id).await?;
//! # Ok(()) }
//! ```

mod activity;
mod engine;
pub mod plan;
mod scheduler;

use std::sync::Arc;
use std::time::Duration;

use virgule_feeds::SchedulePolicy;
use virgule_feeds::fetch::{FetchError, FetchPolicy};
use virgule_store::{Feed, Store, StoreError};

pub use activity::FeedActivity;
pub use engine::FetchSummary;

/// How long a claim on a feed lasts unless configured otherwise: the fetch itself is bounded
/// at 30 s, and parsing and storing take well under a second; twice that plus margin.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(120);

/// How the engine fetches and schedules. One per process, from `Config`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub fetch: FetchPolicy,
    pub schedule: SchedulePolicy,
    /// Feeds fetched at once by this process.
    pub concurrency: usize,
    /// Feeds fetched at once from one host (so one site is never hammered).
    pub per_host: usize,
    /// How long a claim lasts; a fetcher that dies holding one loses it after this.
    pub lease: Duration,
    /// How often the scheduler looks for due feeds when none were due.
    pub idle_poll: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            fetch: FetchPolicy::default(),
            schedule: SchedulePolicy::default(),
            concurrency: 32,
            per_host: 2,
            lease: DEFAULT_LEASE,
            idle_poll: Duration::from_secs(5),
        }
    }
}

/// Why a member's feed address was refused; `Display` is the reason shown to them.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    /// Not a URL the fetcher may fetch (syntax, scheme, credentials, a non-public address).
    #[error("{0}")]
    Refused(#[from] FetchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The engine, shared by the scheduler and the web layer. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Syndicator {
    inner: Arc<engine::Engine>,
}

impl Syndicator {
    /// Builds the engine (its HTTP client) over `store`.
    pub fn new(store: Store, settings: Settings) -> Result<Self, FetchError> {
        Ok(Self { inner: Arc::new(engine::Engine::new(store, settings)?) })
    }

    /// Checks `raw` as a feed (or page) address the way the fetcher will, resolving its host
    /// name so that a name pointing at a private address is refused now, not at every fetch.
    pub async fn check_url(&self, raw: &str) -> Result<url::Url, FetchError> {
        self.inner.check_url(raw).await
    }

    /// Links `raw` as the member's feed after [`Syndicator::check_url`], and starts its first
    /// fetch at once in the background. Returns the status as stored (due now).
    pub async fn subscribe(&self, member_id: i64, raw: &str) -> Result<Feed, SubscribeError> {
        let url = self.check_url(raw).await?;
        let feed =
            self.inner.store.subscribe_feed(member_id, url.as_str(), virgule_store::now()).await?;
        // Claimed before returning, so that a "fetch now" right after this call finds the
        // first fetch under way and waits for it. Claimed inside the task instead, a refresh
        // could win the claim and return while the first fetch was still to run. `None`: a
        // scheduler claimed the feed (due now) first, and that fetch is the first.
        let claim =
            self.inner.store.claim_member_feed(member_id, virgule_store::now(), self.inner.lease());
        if let Some(claim) = claim.await? {
            let engine = Arc::clone(&self.inner);
            tokio::spawn(async move {
                if let Err(e) = engine.fetch_claimed(claim).await {
                    tracing::warn!(member_id, error = %e, "first fetch of a new feed failed to run");
                }
            });
        }
        Ok(feed)
    }

    /// Stops syndication for the member (their entries stay).
    pub async fn unsubscribe(&self, member_id: i64) -> Result<(), StoreError> {
        self.inner.store.unsubscribe_feed(member_id).await
    }

    /// Fetches the member's feed now (a conditional GET), waiting for a fetch already running
    /// to finish first, and returns its status afterwards; `None` if no feed is linked.
    pub async fn refresh(&self, member_id: i64) -> Result<Option<Feed>, StoreError> {
        self.inner.refresh(member_id).await
    }

    /// Claims the feeds due now (up to the concurrency) and fetches them; returns how many.
    /// The scheduler's one step, also what benchmarks and tests drive directly.
    pub async fn run_once(&self) -> Result<usize, StoreError> {
        scheduler::run_once(&self.inner).await
    }

    /// What this process's fetches have done since it started (fetches by outcome, entries
    /// created and updated): plain totals that the web layer's `/metrics` reads when scraped.
    /// Counters rather than a callback into the caller, so that this crate depends on no
    /// monitoring library and the fetch path pays one relaxed atomic add per outcome.
    pub fn activity(&self) -> FeedActivity {
        self.inner.activity.read()
    }

    /// Fetches due feeds until `shutdown` completes, then waits for the fetches under way and
    /// gives back the claims not yet started.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) {
        scheduler::run(Arc::clone(&self.inner), shutdown).await
    }
}
