//! The web layer's part of the site configuration: what pages and feeds say and how cookies
//! are set, and who may read `/metrics`. Built once by the binary from file, environment and
//! flags.

use crate::metrics::MetricsAccess;

/// Presentation settings; the site's own rules and settings are `virgule_site::SiteSettings`.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Shown in every page's header and in feed titles.
    pub site_name: String,
    /// The public address of the site (e.g. `https://virgule.example.org`), used for absolute
    /// links in feeds. Without it, links are built from the request's `Host`.
    pub base_url: Option<String>,
    /// Mark cookies `Secure` (set when the site is served over TLS, directly or by a proxy).
    pub secure_cookies: bool,
    /// Bytes of rendered pages kept in memory for anonymous readers; 0 keeps none.
    pub page_cache_bytes: usize,
    /// The client networks allowed to read `/metrics` (by default this machine only).
    pub metrics_allow: MetricsAccess,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            site_name: "Virgule".to_owned(),
            base_url: None,
            secure_cookies: false,
            page_cache_bytes: crate::page_cache::DEFAULT_BUDGET_BYTES,
            metrics_allow: MetricsAccess::default(),
        }
    }
}
