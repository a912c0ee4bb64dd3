//! Rendered pages and feeds served from memory: what an anonymous reader gets is rendered once
//! per version of the site's content, then served as stored bytes.
//!
//! - **What is kept:** the answers to anonymous reads (`GET`/`HEAD` without a session cookie
//!   or bearer token) that may be stored (`200`, no cookie set, not `private`/`no-store`),
//!   by host and path with query, with their headers (validators included), in an LRU list
//!   under a byte budget (`page_cache_bytes`; 0 turns the cache off, and every page is then
//!   the same, only rendered each time).
//! - **When it is stale:** every stored page carries the content version
//!   ([`virgule_store::Store::content_version`]) current when its rendering began; a page is
//!   served only while that is still the current version. The current version is read by
//!   [`crate::http::cached::poll_versions`] a few times a second (writes by other processes and nodes show within
//!   that interval), and at once after every write this node handles (a member sees their
//!   write on the next page). No request reads the database to find out. The middleware and
//!   the poller are in [`crate::http::cached`]; this module is the store of pages.
//! - **Conditional requests** are answered here from the stored validators (a planet polling
//!   a cached feed gets its `304` without the feed being rendered or even looked up).

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use hashlink::LinkedHashMap;

/// How often [`crate::http::cached::poll_versions`] reads the content version: writes by other processes show
/// within this interval (the promise is a second).
pub const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// The budget a site gets unless its configuration says otherwise.
pub const DEFAULT_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// A page larger than this share of the budget is served but not kept (one page may not
/// push out dozens).
const LARGEST_SHARE: usize = 8;

/// One stored answer.
#[derive(Debug)]
pub(crate) struct Page {
    pub(crate) version: i64,
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

impl Page {
    /// What the page costs the budget: its body, its headers, and the key.
    fn cost(&self, key: &str) -> usize {
        let headers: usize =
            self.headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 32).sum();
        self.body.len() + headers + key.len() + 64
    }

    pub(crate) fn response(&self, head: bool) -> Response {
        let body = if head { Body::empty() } else { Body::from(self.body.clone()) };
        let mut response = Response::new(body);
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

/// The cache: pages by key, least recently used first, and the content version.
pub struct PageCache {
    budget: usize,
    /// The newest content version known; 0 until first read (nothing is kept until then).
    version: AtomicI64,
    lru: Mutex<Lru>,
}

#[derive(Default)]
struct Lru {
    pages: LinkedHashMap<String, std::sync::Arc<Page>>,
    bytes: usize,
}

/// What [`PageCache::stats`] reports (hits and misses are counted by `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCacheStats {
    pub entries: usize,
    pub bytes: usize,
}

impl PageCache {
    /// A cache holding at most `budget` bytes of pages; 0 keeps nothing.
    pub fn new(budget: usize) -> Self {
        PageCache { budget, version: AtomicI64::new(0), lru: Mutex::new(Lru::default()) }
    }

    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// Notes the content version read from the database; versions only move forward, so a
    /// slow reader cannot bring back an older one.
    pub fn observe_version(&self, version: i64) {
        self.version.fetch_max(version, Ordering::AcqRel);
    }

    pub fn version(&self) -> i64 {
        self.version.load(Ordering::Acquire)
    }

    pub fn stats(&self) -> PageCacheStats {
        let lru = self.lock();
        PageCacheStats { entries: lru.pages.len(), bytes: lru.bytes }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru> {
        // A panic while holding the lock leaves a consistent map (every change is one call).
        self.lru.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The page under `key` if it was rendered at `version`; a stale one is dropped.
    pub(crate) fn get(&self, key: &str, version: i64) -> Option<std::sync::Arc<Page>> {
        let mut lru = self.lock();
        let page = lru.pages.to_back(key)?.clone();
        if page.version == version {
            return Some(page);
        }
        if let Some(stale) = lru.pages.remove(key) {
            lru.bytes -= stale.cost(key);
        }
        None
    }

    /// Keeps `page` under `key`, dropping the least recently used pages beyond the budget.
    pub(crate) fn put(&self, key: String, page: Page) {
        let cost = page.cost(&key);
        if cost > self.budget / LARGEST_SHARE {
            return;
        }
        let mut lru = self.lock();
        if let Some(old) = lru.pages.remove(&key) {
            lru.bytes -= old.cost(&key);
        }
        while lru.bytes + cost > self.budget {
            let Some((old_key, old)) = lru.pages.pop_front() else { break };
            lru.bytes -= old.cost(&old_key);
        }
        lru.bytes += cost;
        lru.pages.insert(key, std::sync::Arc::new(page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(version: i64, body: &'static str) -> Page {
        Page { version, status: StatusCode::OK, headers: HeaderMap::new(), body: Bytes::from(body) }
    }

    #[test]
    fn a_page_is_served_only_at_the_version_it_was_rendered_at() {
        let cache = PageCache::new(1 << 20);
        cache.put("h/a".into(), page(3, "three"));
        assert_eq!(cache.get("h/a", 3).map(|p| p.body.clone()), Some(Bytes::from("three")));
        assert!(cache.get("h/a", 4).is_none(), "stale after a write");
        assert_eq!(cache.stats().entries, 0, "the stale page was dropped");
        assert!(cache.get("h/b", 3).is_none());
    }

    #[test]
    fn the_byte_budget_holds_and_the_least_recently_used_go_first() {
        let one = page(1, "x").cost("h/0");
        let cache = PageCache::new(one * 3 * LARGEST_SHARE / 2);
        // Room for a little over one and a half pages per eighth: fill far beyond it.
        for n in 0..100 {
            cache.put(format!("h/{n}"), page(1, "x"));
            assert!(cache.stats().bytes <= one * 3 * LARGEST_SHARE / 2);
            // Keep h/0 in use: it must survive.
            assert!(cache.get("h/0", 1).is_some(), "after {n}");
        }
        assert!(cache.get("h/1", 1).is_none(), "h/1 was the least recently used");
        assert!(cache.get("h/99", 1).is_some());
    }

    #[test]
    fn pages_too_large_for_their_share_are_not_kept_and_versions_only_move_forward() {
        let cache = PageCache::new(LARGEST_SHARE * 100);
        cache.put("h/big".into(), page(1, "this body is over one hundred bytes long, which is more than an eighth of this tiny budget allows for one page"));
        assert_eq!(cache.stats().entries, 0);
        cache.observe_version(5);
        cache.observe_version(4);
        assert_eq!(cache.version(), 5);
        assert!(!PageCache::new(0).enabled());
    }
}
