//! `/metrics`: what an operator's Prometheus scrapes, in the text exposition format 0.0.4.
//! Requests by route template and status with their latency, the page cache's hits, misses
//! and size, the feed fetcher's work and the trust computation's time, the process's resident
//! memory and its allocator's figures, and when the server started.
//!
//! [`track`] counts every request as routed (the route's template, such as
//! `/person/{name}/diary.html`, never the raw path, so the number of series stays bounded);
//! the page cache reports through [`Metrics::page_cache_hit`] and its siblings without knowing
//! the metrics library; the fetcher's and the trust recomputer's figures are plain counters in
//! the lower crates, read from the [`Site`] when scraped. Every figure is this process's since
//! it started: a cluster's totals are Prometheus's `sum` over its nodes.

pub mod access;

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{
    DescriptorEncoder, EncodeLabelSet, EncodeLabelValue, EncodeMetric, LabelValueEncoder,
};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use virgule_site::Site;

pub use access::MetricsAccess;

/// The `Content-Type` of the exposition (Prometheus's text format, version 0.0.4).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The latency histogram's upper bounds, in seconds: from half a millisecond (a page from
/// memory) to ten seconds (something is wrong), about three buckets per decade.
pub const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The route label of a request no route matched (the 404 page, whatever the path).
pub const UNMATCHED: &str = "unmatched";

/// What the process's memory allocator reports, in bytes: `allocated` in live allocations,
/// `active` in the pages that hold them, `resident` in the allocator's mappings that are in
/// RAM (free pages not yet given back included). Live data that keeps growing is a leak or a
/// cache filling; `resident` growing while `allocated` is flat is memory the allocator keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocatorFigures {
    pub allocated: u64,
    pub active: u64,
    pub resident: u64,
}

/// Reads the allocator's figures when `/metrics` is scraped; `None` when it cannot. The binary
/// that chose the allocator supplies it ([`Metrics::set_allocator`]).
pub type AllocatorStats = fn() -> Option<AllocatorFigures>;

/// The registry and the metrics the web layer updates itself. One per process, shared.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, fn() -> Histogram>,
    page_cache_hits: Counter,
    page_cache_misses: Counter,
    page_cache_entries: Gauge,
    page_cache_bytes: Gauge,
    allocator: Arc<OnceLock<AllocatorStats>>,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// `http_requests_total`'s labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: Route,
    method: &'static str,
    status: u16,
}

/// `http_request_duration_seconds`'s labels.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: Route,
    method: &'static str,
}

/// The route's template as axum matched it (shared, not copied, per request); `None` when
/// nothing matched.
#[derive(Clone, Debug)]
struct Route(Option<MatchedPath>);

impl Route {
    fn as_str(&self) -> &str {
        self.0.as_ref().map_or(UNMATCHED, MatchedPath::as_str)
    }
}

impl PartialEq for Route {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Route {}

impl std::hash::Hash for Route {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl EncodeLabelValue for Route {
    fn encode(&self, encoder: &mut LabelValueEncoder<'_>) -> fmt::Result {
        fmt::Write::write_str(encoder, self.as_str())
    }
}

/// The method as a label: the standard ones by name, any other as `other`, so that a client
/// inventing methods cannot grow the number of series.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

impl Metrics {
    /// The metrics of a server for `site`, whose fetcher and trust recomputer are read when
    /// scraped.
    pub fn new(site: Site) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let durations = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request (until its response starts), by route template and method",
            durations.clone(),
        );
        let page_cache_hits = Counter::default();
        registry.register(
            "virgule_page_cache_hits",
            "Pages and feeds served from the in-memory page cache",
            page_cache_hits.clone(),
        );
        let page_cache_misses = Counter::default();
        registry.register(
            "virgule_page_cache_misses",
            "Cacheable pages and feeds the page cache did not hold (rendered afresh)",
            page_cache_misses.clone(),
        );
        let page_cache_entries = Gauge::default();
        registry.register(
            "virgule_page_cache_entries",
            "Pages and feeds the page cache holds",
            page_cache_entries.clone(),
        );
        let page_cache_bytes = Gauge::default();
        registry.register(
            "virgule_page_cache_bytes",
            "Bytes the page cache holds, as counted against its budget",
            page_cache_bytes.clone(),
        );
        registry.register_collector(Box::new(SiteCollector { site, started: SystemTime::now() }));
        let allocator = Arc::new(OnceLock::new());
        registry.register_collector(Box::new(MemoryCollector { allocator: allocator.clone() }));
        Metrics {
            registry,
            requests,
            durations,
            page_cache_hits,
            page_cache_misses,
            page_cache_entries,
            page_cache_bytes,
            allocator,
        }
    }

    /// The page cache served a page or feed from memory.
    pub fn page_cache_hit(&self) {
        self.page_cache_hits.inc();
    }

    /// The page cache had no current copy of a cacheable page or feed.
    pub fn page_cache_miss(&self) {
        self.page_cache_misses.inc();
    }

    /// The page cache now holds `entries` pages and feeds in `bytes`.
    pub fn set_page_cache_size(&self, entries: usize, bytes: usize) {
        self.page_cache_entries.set(i64::try_from(entries).unwrap_or(i64::MAX));
        self.page_cache_bytes.set(i64::try_from(bytes).unwrap_or(i64::MAX));
    }

    fn observe_request(
        &self,
        route: Route,
        method: &'static str,
        status: StatusCode,
        elapsed: Duration,
    ) {
        self.requests
            .get_or_create(&RequestLabels { route: route.clone(), method, status: status.as_u16() })
            .inc();
        self.durations.get_or_create(&RouteLabels { route, method }).observe(elapsed.as_secs_f64());
    }

    /// From now on, the allocator's figures are read by `stats` when scraped. Set once, before
    /// the server runs: a second call changes nothing.
    pub fn set_allocator(&self, stats: AllocatorStats) {
        let _ = self.allocator.set(stats);
    }

    /// The exposition: every metric with its `# HELP` and `# TYPE` lines.
    pub fn render(&self) -> Result<String, fmt::Error> {
        let mut text = String::with_capacity(16 * 1024);
        // Without OpenMetrics' closing `# EOF`: the 0.0.4 format has none.
        prometheus_client::encoding::text::encode_registry(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// Middleware: counts and times every request by the route it was routed to. It runs after
/// routing (it is added with `Router::layer`), where axum has put the [`MatchedPath`].
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = Route(request.extensions().get::<MatchedPath>().cloned());
    let method = method_label(request.method());
    let started = Instant::now();
    let response = next.run(request).await;
    metrics.observe_request(route, method, response.status(), started.elapsed());
    response
}

/// The figures kept by the lower crates, read when scraped: the fetcher's, the trust
/// recomputer's, and the process's start.
struct SiteCollector {
    site: Site,
    started: SystemTime,
}

impl fmt::Debug for SiteCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SiteCollector").field("started", &self.started).finish_non_exhaustive()
    }
}

impl Collector for SiteCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        let started = self.started.duration_since(UNIX_EPOCH).unwrap_or_default();
        let gauge = ConstGauge::new(started.as_secs_f64());
        gauge.encode(encoder.encode_descriptor(
            "process_start_time_seconds",
            "When this server started, in seconds since the Unix epoch",
            None,
            gauge.metric_type(),
        )?)?;

        // A process without syndication has no fetcher to report on.
        if let Some(activity) = self.site.feed_activity() {
            let mut family = encoder.encode_descriptor(
                "virgule_feeds_fetched",
                "Feed fetches by this process, by outcome: fetched (a document read), \
                 not_modified (304) or failed (the error shown to the feed's owner)",
                None,
                prometheus_client::metrics::MetricType::Counter,
            )?;
            for (outcome, n) in [
                ("fetched", activity.fetched),
                ("not_modified", activity.not_modified),
                ("failed", activity.failed),
            ] {
                ConstCounter::new(n).encode(family.encode_family(&[("outcome", outcome)])?)?;
            }
            let mut family = encoder.encode_descriptor(
                "virgule_ingest_entries",
                "Diary entries written from members' feeds by this process: created or updated",
                None,
                prometheus_client::metrics::MetricType::Counter,
            )?;
            for (kind, n) in [("created", activity.created), ("updated", activity.updated)] {
                ConstCounter::new(n).encode(family.encode_family(&[("kind", kind)])?)?;
            }
        }

        let runs = self.site.trust().runs();
        let mut family = encoder.encode_descriptor(
            "virgule_trust_computations",
            "Trust level recomputations run by this process, by outcome",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (outcome, n) in [("succeeded", runs.succeeded), ("failed", runs.failed)] {
            ConstCounter::new(n).encode(family.encode_family(&[("outcome", outcome)])?)?;
        }
        if let Some(elapsed) = runs.last_elapsed {
            let gauge = ConstGauge::new(elapsed.as_secs_f64());
            gauge.encode(encoder.encode_descriptor(
                "virgule_trust_computation_seconds",
                "How long this process's last trust recomputation took (graph, metric, levels \
                 written)",
                None,
                gauge.metric_type(),
            )?)?;
        }
        Ok(())
    }
}

/// The process's resident memory, and its allocator's figures when the binary supplied them.
#[derive(Debug)]
struct MemoryCollector {
    allocator: Arc<OnceLock<AllocatorStats>>,
}

impl Collector for MemoryCollector {
    fn encode(&self, mut encoder: DescriptorEncoder<'_>) -> fmt::Result {
        if let Some(bytes) = resident_bytes() {
            let gauge = ConstGauge::new(bytes);
            gauge.encode(encoder.encode_descriptor(
                "process_resident_memory_bytes",
                "This process's resident memory (VmRSS), in bytes",
                None,
                gauge.metric_type(),
            )?)?;
        }
        let Some(figures) = self.allocator.get().and_then(|stats| stats()) else {
            return Ok(());
        };
        for (name, help, bytes) in [
            (
                "virgule_allocator_allocated_bytes",
                "Bytes in the live allocations of the server's memory allocator",
                figures.allocated,
            ),
            (
                "virgule_allocator_active_bytes",
                "Bytes in the pages the allocator's live allocations occupy",
                figures.active,
            ),
            (
                "virgule_allocator_resident_bytes",
                "Bytes the allocator holds in RAM, free pages not yet returned included",
                figures.resident,
            ),
        ] {
            let gauge = ConstGauge::new(bytes);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

/// VmRSS from `/proc/self/status`, in bytes; `None` where there is no such file.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    parse_vm_rss(&status)
}

/// The `VmRSS:` line of a `/proc/<pid>/status` text (in kB there), in bytes.
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

#[cfg(test)]
mod tests {
    use super::parse_vm_rss;

    #[test]
    fn resident_memory_is_read_from_the_status_text_in_bytes() {
        let status = "Name:\tvirgule\nVmPeak:\t  900000 kB\nVmRSS:\t  123456 kB\nThreads:\t9\n";
        assert_eq!(parse_vm_rss(status), Some(123_456 * 1024));
        assert_eq!(parse_vm_rss("Name:\tvirgule\n"), None);
        assert_eq!(parse_vm_rss("VmRSS:\t  12 pages\n"), None);
    }
}
