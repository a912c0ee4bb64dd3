//! What this process's engine has done since it started, as plain counters that anyone
//! holding the [`Syndicator`](crate::Syndicator) can read: the web layer turns them into
//! `/metrics` at scrape time, so this crate knows nothing of monitoring formats.

use std::sync::atomic::{AtomicU64, Ordering};

use virgule_store::{FetchResult, IngestCounts};

/// The counters, bumped once per stored fetch. Relaxed atomics: each counter is read on its
/// own, and a scrape that sees one fetch's outcome a moment before its entries is harmless.
#[derive(Debug, Default)]
pub(crate) struct Activity {
    fetched: AtomicU64,
    not_modified: AtomicU64,
    failed: AtomicU64,
    created: AtomicU64,
    updated: AtomicU64,
}

/// A reading of the counters: totals since the process started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedActivity {
    /// Fetches that brought a feed document (parsed and stored).
    pub fetched: u64,
    /// Conditional fetches the origin answered with 304 Not Modified.
    pub not_modified: u64,
    /// Fetches that ended in an error stored on the feed (or could not be stored at all).
    pub failed: u64,
    /// Diary entries created from feed posts.
    pub created: u64,
    /// Syndicated diary entries updated because their post changed.
    pub updated: u64,
}

impl Activity {
    /// Counts a fetch whose outcome was stored, with the entries it wrote.
    pub(crate) fn stored(&self, result: &FetchResult, counts: &IngestCounts) {
        let outcome = match result {
            FetchResult::Fetched { .. } => &self.fetched,
            FetchResult::NotModified => &self.not_modified,
            FetchResult::Failed { .. } => &self.failed,
        };
        outcome.fetch_add(1, Ordering::Relaxed);
        self.created.fetch_add(counts.created, Ordering::Relaxed);
        self.updated.fetch_add(counts.updated, Ordering::Relaxed);
    }

    /// Counts a fetch whose outcome could not be stored (the database failed): to the
    /// operator it is a failed fetch, and the feed is fetched again after the lease.
    pub(crate) fn not_stored(&self) {
        self.failed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn read(&self) -> FeedActivity {
        FeedActivity {
            fetched: self.fetched.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
            failed: self.failed.load(Ordering::Relaxed),
            created: self.created.load(Ordering::Relaxed),
            updated: self.updated.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_has_its_counter_and_entries_add_up() {
        let activity = Activity::default();
        let fetched = FetchResult::Fetched {
            title: "a blog".into(),
            site_link: None,
            creates: Vec::new(),
            updates: Vec::new(),
            warnings: Vec::new(),
        };
        activity.stored(&fetched, &IngestCounts { created: 2, updated: 1 });
        activity.stored(&fetched, &IngestCounts { created: 1, updated: 0 });
        activity.stored(&FetchResult::NotModified, &IngestCounts::default());
        activity.stored(
            &FetchResult::Failed { error: "gone".into(), gone: true },
            &IngestCounts::default(),
        );
        activity.not_stored();
        assert_eq!(
            activity.read(),
            FeedActivity { fetched: 2, not_modified: 1, failed: 2, created: 3, updated: 1 }
        );
    }
}
