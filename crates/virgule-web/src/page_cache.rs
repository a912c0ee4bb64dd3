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
//!   served only while that is still the current version, as the site last observed it
//!   ([`virgule_site::Site::content_version`], which also retires the sessions and members
//!   the site remembers). The current version is read by
//!   [`crate::http::cached::poll_versions`] a few times a second (writes by other processes
//!   and nodes show within that interval), and at once after every write this node handles
//!   (a member sees their write on the next page). No request reads the database to find
//!   out. The middleware and the poller are in [`crate::http::cached`]; this module is the
//!   store of pages.
//! - **Compressed copies:** a page's body in a coding (gzip, brotli, zstd) is made the first
//!   time a reader asks for that coding and kept beside it, counted against the budget, so
//!   that a hit is never compressed again.
//! - **Conditional requests** are answered here from the stored validators (a planet polling
//!   a cached feed gets its `304` without the feed being rendered or even looked up).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use hashlink::LinkedHashMap;

use crate::http::encoding::Coding;

/// How often [`crate::http::cached::poll_versions`] reads the content version: writes by
/// other processes show within this interval (the promise is a second).
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
    /// The body in each coding asked for so far, by [`Coding::index`]; set only by
    /// [`PageCache::keep_coded`], which counts it against the budget.
    coded: [OnceLock<Bytes>; Coding::ALL.len()],
}

impl Page {
    pub(crate) fn new(version: i64, status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Page { version, status, headers, body, coded: Default::default() }
    }

    /// What the page costs the budget: its bodies, its headers, and the key.
    fn cost(&self, key: &str) -> usize {
        let headers: usize =
            self.headers.iter().map(|(name, value)| name.as_str().len() + value.len() + 32).sum();
        let coded: usize = self.coded.iter().filter_map(OnceLock::get).map(Bytes::len).sum();
        self.body.len() + coded + headers + key.len() + 64
    }

    /// The body in `coding`, if kept.
    pub(crate) fn coded(&self, coding: Coding) -> Option<Bytes> {
        self.coded[coding.index()].get().cloned()
    }

    /// The stored answer, its body in `coding` (with `Content-Encoding` and `Vary`) when
    /// given; without a body for `HEAD`.
    pub(crate) fn response(&self, head: bool, coded: Option<(Coding, Bytes)>) -> Response {
        let mut headers = self.headers.clone();
        let body = match coded {
            Some((coding, body)) => {
                headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding.token()));
                headers.remove(CONTENT_LENGTH);
                let varies = headers.get_all(VARY).iter().any(|value| {
                    value.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
                });
                if !varies {
                    headers.append(VARY, HeaderValue::from_static("accept-encoding"));
                }
                body
            }
            None => self.body.clone(),
        };
        let mut response = Response::new(if head { Body::empty() } else { Body::from(body) });
        *response.status_mut() = self.status;
        *response.headers_mut() = headers;
        response
    }
}

/// The cache: pages by key, least recently used first.
pub struct PageCache {
    budget: usize,
    lru: Mutex<Lru>,
}

#[derive(Default)]
struct Lru {
    pages: LinkedHashMap<String, Arc<Page>>,
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
        PageCache { budget, lru: Mutex::new(Lru::default()) }
    }

    pub fn enabled(&self) -> bool {
        self.budget > 0
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
    pub(crate) fn get(&self, key: &str, version: i64) -> Option<Arc<Page>> {
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
    pub(crate) fn put(&self, key: String, page: Arc<Page>) {
        let cost = page.cost(&key);
        if cost > self.budget / LARGEST_SHARE {
            return;
        }
        let mut lru = self.lock();
        if let Some(old) = lru.pages.remove(&key) {
            lru.bytes -= old.cost(&key);
        }
        lru.bytes += cost;
        lru.pages.insert(key, page);
        lru.evict_beyond(self.budget);
    }

    /// Keeps `body`, `page`'s body in `coding`, if `page` is still the one under `key` and
    /// stays within its share of the budget with it.
    pub(crate) fn keep_coded(&self, key: &str, page: &Arc<Page>, coding: Coding, body: Bytes) {
        let mut lru = self.lock();
        if !lru.pages.get(key).is_some_and(|kept| Arc::ptr_eq(kept, page)) {
            return;
        }
        let added = body.len();
        if page.cost(key) + added > self.budget / LARGEST_SHARE
            || page.coded[coding.index()].set(body).is_err()
        {
            return;
        }
        lru.bytes += added;
        lru.evict_beyond(self.budget);
    }
}

impl Lru {
    /// Drops the least recently used pages until `budget` holds.
    fn evict_beyond(&mut self, budget: usize) {
        while self.bytes > budget {
            let Some((key, page)) = self.pages.pop_front() else { break };
            self.bytes -= page.cost(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(version: i64, body: &'static str) -> Arc<Page> {
        Arc::new(Page::new(version, StatusCode::OK, HeaderMap::new(), Bytes::from(body)))
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
    fn pages_too_large_for_their_share_are_not_kept() {
        let cache = PageCache::new(LARGEST_SHARE * 100);
        cache.put("h/big".into(), page(1, "this body is over one hundred bytes long, which is more than an eighth of this tiny budget allows for one page"));
        assert_eq!(cache.stats().entries, 0);
        assert!(!PageCache::new(0).enabled());
    }

    #[test]
    fn a_kept_coding_counts_against_the_budget_and_goes_with_its_page() {
        let cache = PageCache::new(1 << 20);
        let first = page(1, "the page as rendered");
        cache.put("h/a".into(), Arc::clone(&first));
        let plain = cache.stats().bytes;
        cache.keep_coded("h/a", &first, Coding::Gzip, Bytes::from_static(b"gzipped"));
        assert_eq!(cache.stats().bytes, plain + 7);
        let kept = cache.get("h/a", 1).unwrap();
        assert_eq!(kept.coded(Coding::Gzip), Some(Bytes::from_static(b"gzipped")));
        assert_eq!(kept.coded(Coding::Zstd), None);

        // A coding made for a page since replaced is not kept (nor counted).
        let second = page(2, "the page as rendered again");
        cache.put("h/a".into(), Arc::clone(&second));
        let replaced = cache.stats().bytes;
        cache.keep_coded("h/a", &first, Coding::Zstd, Bytes::from_static(b"zstd"));
        assert_eq!(cache.stats().bytes, replaced);
        assert_eq!(second.coded(Coding::Zstd), None);

        // Going stale drops the page with its codings, to the byte.
        cache.keep_coded("h/a", &second, Coding::Brotli, Bytes::from_static(b"br"));
        assert!(cache.get("h/a", 3).is_none());
        assert_eq!(cache.stats(), PageCacheStats { entries: 0, bytes: 0 });
    }
}
