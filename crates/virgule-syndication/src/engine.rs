//! One fetch of one claimed feed, start to end: wait for the host's turn, fetch conditionally
//! (discovering the feed when the address is a web page), parse, normalize, plan against the
//! posts already seen, and store the whole outcome with the next fetch time in one
//! transaction. Every failure becomes the feed's `last_error`, in words, and nothing else;
//! every fault a read recovered from becomes a line of the feed's `last_warnings`, stored with
//! the read (the store bounds them), so the owner can fix their feed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use url::Url;
use virgule_feeds::fetch::{FetchError, FetchOutcome, Fetcher, Validators, check_url};
use virgule_feeds::{discover_feeds, looks_like_html};
use virgule_store::{Feed, FeedClaim, FetchRecord, FetchResult, Store, StoreError};

use crate::Settings;
use crate::activity::Activity;
use crate::plan::plan_ingest;

/// What one fetch did, for logs, tests and benchmarks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchSummary {
    pub created: u64,
    pub updated: u64,
    /// The error stored on the feed, if the fetch failed.
    pub error: Option<String>,
}

#[derive(Debug)]
pub(crate) struct Engine {
    pub(crate) store: Store,
    pub(crate) settings: Settings,
    fetcher: Fetcher,
    hosts: HostLimits,
    /// What this process's fetches did, for monitoring.
    pub(crate) activity: Activity,
}

impl Engine {
    pub(crate) fn new(store: Store, settings: Settings) -> Result<Self, FetchError> {
        let fetcher = Fetcher::new(settings.fetch.clone())?;
        let hosts = HostLimits::new(settings.per_host);
        Ok(Self { store, settings, fetcher, hosts, activity: Activity::default() })
    }

    pub(crate) fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.lease).unwrap_or(chrono::Duration::minutes(2))
    }

    pub(crate) async fn check_url(&self, raw: &str) -> Result<Url, FetchError> {
        let url = check_url(raw, self.fetcher.policy())?;
        if self.fetcher.policy().allow_private {
            return Ok(url);
        }
        let Some(url::Host::Domain(host)) = url.host() else { return Ok(url) };
        let port = url.port_or_known_default().unwrap_or(80);
        let unknown = || FetchError::UnknownHost { host: host.to_owned() };
        let addresses = tokio::net::lookup_host((host, port)).await.map_err(|_| unknown())?;
        let mut any = false;
        for address in addresses {
            any = true;
            if let Some(reason) = virgule_feeds::fetch::non_public_reason(address.ip()) {
                return Err(FetchError::Refused {
                    host: Some(host.to_owned()),
                    ip: address.ip(),
                    reason,
                });
            }
        }
        if any { Ok(url) } else { Err(unknown()) }
    }

    pub(crate) async fn refresh(&self, member_id: i64) -> Result<Option<Feed>, StoreError> {
        let waited_since = std::time::Instant::now();
        loop {
            let claim =
                self.store.claim_member_feed(member_id, virgule_store::now(), self.lease()).await?;
            if let Some(claim) = claim {
                self.fetch_claimed(claim).await?;
                break;
            }
            match self.store.feed_for_member(member_id).await? {
                Some(feed) if feed.url.is_some() => {
                    // Another fetch holds it (one that may have begun before the member
                    // asked): wait for it to end, then fetch, conditionally, once more.
                    // A fetch ends within the total timeout; past that (a fetcher that died
                    // holding the claim), answer with the status as it is.
                    if waited_since.elapsed() > self.settings.fetch.total_timeout * 2 {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                other => return Ok(other),
            }
        }
        self.store.feed_for_member(member_id).await
    }

    /// Fetches a claimed feed and stores the outcome. A lost claim (the lease ran out and
    /// another fetcher took the feed, or the member re-linked it) stores nothing.
    pub(crate) async fn fetch_claimed(
        &self,
        mut claim: FeedClaim,
    ) -> Result<FetchSummary, StoreError> {
        let Some(url) = claim.feed.url.clone() else {
            self.store.release_feed_claim(&claim).await?;
            return Ok(FetchSummary { created: 0, updated: 0, error: None });
        };
        let url = url.as_str();
        let _turn = self.hosts.acquire(url).await;
        // A batch of feeds on one slow host may wait for its turn longer than half a lease:
        // renew it, so the fetch is not taken over (and done twice) while it runs.
        let lease = self.lease();
        if claim.until - virgule_store::now() < lease / 2
            && !self.store.renew_feed_claim(&mut claim, virgule_store::now(), lease).await?
        {
            let why = "the claim expired while waiting for the host's turn".to_owned();
            tracing::warn!(member = %claim.feed.member, url, "{why}; another fetcher has it");
            return Ok(FetchSummary { created: 0, updated: 0, error: Some(why) });
        }
        let started = std::time::Instant::now();
        let now = virgule_store::now();
        let record = self.fetch(&claim.feed, url, now).await;
        let (error, warnings) = match &record.result {
            FetchResult::Failed { error, .. } => (Some(error.clone()), 0),
            FetchResult::Fetched { warnings, .. } => (None, warnings.len()),
            FetchResult::NotModified => (None, 0),
        };
        match self.store.record_feed_fetch(&claim, &record).await {
            Ok(counts) => {
                self.activity.stored(&record.result, &counts);
                tracing::info!(
                    member = %claim.feed.member, url = %record.url, created = counts.created,
                    updated = counts.updated, error = error.as_deref().unwrap_or(""), warnings,
                    ms = started.elapsed().as_millis() as u64, "feed fetched"
                );
                Ok(FetchSummary { created: counts.created, updated: counts.updated, error })
            }
            // Not counted: the fetcher that holds the claim now counts its own fetch.
            Err(StoreError::Conflict(why)) => {
                tracing::warn!(member = %claim.feed.member, url, "{why}; result dropped");
                Ok(FetchSummary { created: 0, updated: 0, error: Some(why) })
            }
            Err(e) => {
                self.activity.not_stored();
                Err(e)
            }
        }
    }

    /// Everything of one fetch but storing it.
    async fn fetch(&self, feed: &Feed, url: &str, now: DateTime<Utc>) -> FetchRecord {
        let validators =
            Validators { etag: feed.etag.clone(), last_modified: feed.last_modified.clone() };
        let mut record = FetchRecord {
            at: now,
            url: url.to_owned(),
            etag: feed.etag.clone(),
            last_modified: feed.last_modified.clone(),
            result: FetchResult::NotModified,
            next_fetch_at: now,
        };
        let failed = |record: &mut FetchRecord, error: String, retry_after: Option<Duration>| {
            let failures = u32::try_from(feed.consecutive_failures + 1).unwrap_or(u32::MAX);
            record.next_fetch_at =
                self.settings.schedule.next_after_failure(now, failures, retry_after);
            record.result = FetchResult::Failed { error, gone: false };
        };
        let parsed_url = match Url::parse(url) {
            Ok(parsed) => parsed,
            Err(e) => {
                failed(&mut record, format!("this is not a valid URL: {e}"), None);
                return record;
            }
        };
        let outcome = match self.fetch_following_discovery(&parsed_url, &validators).await {
            Ok(outcome) => outcome,
            Err(Failure::NoFeedLinked) => {
                failed(&mut record, Failure::NoFeedLinked.to_string(), None);
                return record;
            }
            Err(Failure::Fetch(e)) if e.is_gone() => {
                // Not polled again until the member acts; they see why in settings.
                record.result = FetchResult::Failed { error: e.to_string(), gone: true };
                return record;
            }
            Err(Failure::Fetch(e)) => {
                failed(&mut record, e.to_string(), e.retry_after());
                return record;
            }
        };
        match outcome {
            Fetch {
                moved_to,
                outcome: FetchOutcome::NotModified { validators, cache_hint, .. },
            } => {
                record.url = moved_to.map_or(record.url, String::from);
                record.etag = validators.etag;
                record.last_modified = validators.last_modified;
                record.next_fetch_at =
                    self.settings.schedule.next_after_success(now, cache_hint, None);
            }
            Fetch {
                moved_to,
                outcome:
                    FetchOutcome::Fetched {
                        final_url, body, content_type, validators, cache_hint, ..
                    },
            } => {
                let parsed =
                    match virgule_feeds::parse(&body, content_type.as_deref(), Some(&final_url)) {
                        Ok(parsed) => parsed,
                        Err(e) => {
                            // `FeedError` already words it for the member ("the feed could
                            // not be read: …", "the feed declares XML entities, …").
                            failed(&mut record, e.to_string(), None);
                            return record;
                        }
                    };
                let normalized = virgule_feeds::normalize(parsed, now);
                let known = match self.store.feed_items(feed.id).await {
                    Ok(known) => known,
                    Err(e) => {
                        failed(&mut record, format!("the feed could not be stored: {e}"), None);
                        return record;
                    }
                };
                let title = crate::plan::feed_title(&normalized, &final_url);
                let plan = plan_ingest(&normalized, &title, &known, now);
                record.url = moved_to.map_or(record.url, String::from);
                record.etag = validators.etag;
                record.last_modified = validators.last_modified;
                record.next_fetch_at =
                    self.settings.schedule.next_after_success(now, cache_hint, normalized.ttl);
                record.result = FetchResult::Fetched {
                    title,
                    site_link: normalized.feed.link.clone(),
                    creates: plan.creates,
                    updates: plan.updates,
                    warnings: normalized.warnings,
                };
            }
        }
        record
    }

    /// Fetches `url`; when it answers with a web page, fetches the first feed the page links
    /// to instead, which then becomes the subscribed address.
    async fn fetch_following_discovery(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<Fetch, Failure> {
        let outcome = self.fetcher.fetch(url, validators).await?;
        let moved_to = permanent_move(&outcome);
        let FetchOutcome::Fetched { final_url, body, content_type, .. } = &outcome else {
            return Ok(Fetch { moved_to, outcome });
        };
        if !looks_like_html(body, content_type.as_deref()) {
            return Ok(Fetch { moved_to, outcome });
        }
        let Some(feed_url) = discover_feeds(body, content_type.as_deref(), final_url)
            .into_iter()
            .find(|found| found != final_url && found != url)
        else {
            return Err(Failure::NoFeedLinked);
        };
        let outcome = self.fetcher.fetch(&feed_url, &Validators::default()).await?;
        let moved_to = permanent_move(&outcome).or(Some(feed_url));
        Ok(Fetch { moved_to, outcome })
    }
}

/// Why a fetch brought no feed.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(
        "this address is a web page that links to no feed (no <link rel=\"alternate\">); \
         give the address of the feed itself"
    )]
    NoFeedLinked,
}

/// A fetch's outcome and, when the feed's address changed for good (a permanent redirect or
/// discovery from a page), the new one.
struct Fetch {
    moved_to: Option<Url>,
    outcome: FetchOutcome,
}

fn permanent_move(outcome: &FetchOutcome) -> Option<Url> {
    match outcome {
        FetchOutcome::NotModified { permanent_redirect_to, .. }
        | FetchOutcome::Fetched { permanent_redirect_to, .. } => permanent_redirect_to.clone(),
    }
}

/// At most `per_host` fetches at once from one host (name and port), process-wide.
#[derive(Debug)]
struct HostLimits {
    per_host: usize,
    hosts: Mutex<HashMap<String, Arc<Semaphore>>>,
}

impl HostLimits {
    fn new(per_host: usize) -> Self {
        Self { per_host: per_host.max(1), hosts: Mutex::new(HashMap::new()) }
    }

    async fn acquire(&self, url: &str) -> Option<OwnedSemaphorePermit> {
        let key = Url::parse(url).ok().map(|u| {
            format!("{}:{}", u.host_str().unwrap_or(""), u.port_or_known_default().unwrap_or(0))
        })?;
        let semaphore = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            // Hosts with nobody fetching or waiting are forgotten, so the map stays small.
            hosts.retain(|_, s| Arc::strong_count(s) > 1);
            Arc::clone(hosts.entry(key).or_insert_with(|| Arc::new(Semaphore::new(self.per_host))))
        };
        semaphore.acquire_owned().await.ok()
    }
}
