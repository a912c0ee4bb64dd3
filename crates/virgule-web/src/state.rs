//! What every handler shares: the store, the site configuration, the rate limiters and the
//! syndication engine that members' feed settings drive, and the trust recomputer that
//! certifications wake.

use std::sync::Arc;

use virgule_store::{Store, TrustLevel};
use virgule_syndication::Syndicator;

use crate::cache::VersionedCache;
use crate::limits::RateLimits;
use crate::pages::view::Sidebar;
use crate::trust::TrustRecomputer;

/// The web layer's part of the site configuration, built once by the binary from file, env
/// and flags.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Shown in every page's header and in feed titles.
    pub site_name: String,
    /// The public address of the site (e.g. `https://virgule.example.org`), used for absolute
    /// links in feeds. Without it, links are built from the request's `Host`.
    pub base_url: Option<String>,
    /// Mark cookies `Secure` (set when the site is served over TLS, directly or by a proxy).
    pub secure_cookies: bool,
    /// Whose entries the recent log (page, API, feeds, front page) shows unless a reader asks
    /// otherwise with `?thresh=`: authors at this level or above (DESIGN §5's site setting).
    pub recentlog_threshold: TrustLevel,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "Virgule".to_owned(),
            base_url: None,
            secure_cookies: false,
            recentlog_threshold: TrustLevel::Apprentice,
        }
    }
}

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<WebConfig>,
    pub limits: Arc<RateLimits>,
    /// Each member's diary sidebar (archive months, tags), by diary version.
    pub sidebars: Arc<VersionedCache<Sidebar>>,
    /// Subscribes, unsubscribes and fetches members' own feeds (the same engine the
    /// background scheduler runs, so a "fetch now" and a scheduled fetch never overlap).
    pub syndicator: Syndicator,
    /// Reruns the trust metric after certifications change (see [`TrustRecomputer::run`]).
    pub trust: TrustRecomputer,
}

impl AppState {
    pub fn new(
        store: Store,
        config: WebConfig,
        syndicator: Syndicator,
        trust: TrustRecomputer,
    ) -> Self {
        AppState {
            store,
            config: Arc::new(config),
            limits: Arc::new(RateLimits::default()),
            sidebars: Arc::new(VersionedCache::new(10_000)),
            syndicator,
            trust,
        }
    }
}
