//! What every handler shares: the site (the domain, which holds the store, the syndication
//! engine and the trust recomputer), the presentation settings, the rate limiters and the
//! small caches of derived page parts, and the metrics `/metrics` serves.

use std::sync::Arc;

use virgule_site::Site;

use crate::cache::VersionedCache;
use crate::config::WebConfig;
use crate::limits::RateLimits;
use crate::metrics::{AllocatorStats, Metrics};
use crate::page_cache::PageCache;
use crate::pages::view::Sidebar;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// Every operation a member or an admin performs, and the store to read from.
    pub site: Site,
    pub config: Arc<WebConfig>,
    pub limits: Arc<RateLimits>,
    /// Each member's diary sidebar (archive months, tags), by diary version.
    pub sidebars: Arc<VersionedCache<Sidebar>>,
    /// Rendered pages and feeds for anonymous readers, by content version.
    pub page_cache: Arc<PageCache>,
    /// Requests, cache, feed and trust figures for `/metrics`.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(site: Site, config: WebConfig) -> Self {
        AppState {
            page_cache: Arc::new(PageCache::new(config.page_cache_bytes)),
            metrics: Arc::new(Metrics::new(site.clone())),
            limits: Arc::new(RateLimits::new(site.store().clone())),
            site,
            config: Arc::new(config),
            sidebars: Arc::new(VersionedCache::new(10_000)),
        }
    }

    /// The same state, `/metrics` also reporting the memory allocator's figures (the binary
    /// knows which allocator it runs on; the web layer does not). Call before serving.
    #[must_use]
    pub fn with_allocator(self, stats: AllocatorStats) -> Self {
        self.metrics.set_allocator(stats);
        self
    }
}
