//! `/metrics`: the exposition is well-formed Prometheus text (checked line by line by a small
//! reader below, not by the library that wrote it), requests are counted under their route's
//! template, the fetcher's and the trust recomputer's figures follow what they did, the page
//! cache's API reports, and only allowed clients may read it.

#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, HashMap};

use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use virgule_site::{Site, SiteSettings};
use virgule_store::testing::fresh_store;
use virgule_web::metrics::{AllocatorFigures, Metrics};

use crate::api_support::call;
use crate::feed_origin::FeedOrigin;
use crate::harness::{TestApp, syndication_settings, test_site};

/// A sample's name and its labels, sorted.
type Key = (String, BTreeMap<String, String>);

/// The samples of an exposition by name and labels, after checking its shape: every line is
/// `# HELP name text`, `# TYPE name type` or `name{label="value",...} value`; each family has
/// one HELP then one TYPE before its samples, and each sample belongs to the family declared
/// last (its name, or the name with the suffix its type allows). Panics naming the bad line.
fn parse_exposition(text: &str) -> HashMap<Key, f64> {
    let mut samples = HashMap::new();
    let mut families: HashMap<String, String> = HashMap::new();
    let mut help_for: Option<String> = None;
    let mut current: Option<(String, String)> = None;
    for (n, line) in text.lines().enumerate() {
        let at = || format!("line {}: {line:?}", n + 1);
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').unwrap_or_else(|| panic!("{}", at()));
            assert!(valid_name(name) && !help.is_empty(), "{}", at());
            help_for = Some(name.to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{}", at()));
            assert_eq!(help_for.take().as_deref(), Some(name), "HELP must precede {}", at());
            assert!(
                matches!(kind, "counter" | "gauge" | "histogram" | "summary" | "untyped"),
                "{}",
                at()
            );
            assert!(families.insert(name.to_owned(), kind.to_owned()).is_none(), "{}", at());
            current = Some((name.to_owned(), kind.to_owned()));
        } else {
            assert!(!line.starts_with('#'), "only HELP and TYPE comments: {}", at());
            let (family, kind) = current.as_ref().unwrap_or_else(|| panic!("no TYPE: {}", at()));
            let (name, labels, value) = parse_sample(line).unwrap_or_else(|| panic!("{}", at()));
            let suffixes: &[&str] = match kind.as_str() {
                "counter" => &["_total", ""],
                "histogram" => &["_bucket", "_sum", "_count"],
                _ => &[""],
            };
            assert!(
                suffixes.iter().any(|s| name == format!("{family}{s}")),
                "sample outside its family {family}: {}",
                at()
            );
            assert!(samples.insert((name, labels), value).is_none(), "repeated: {}", at());
        }
    }
    samples
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `name{a="x",b="y\"z"} 1.5` → its parts; `None` if it is not that shape.
fn parse_sample(line: &str) -> Option<(String, BTreeMap<String, String>, f64)> {
    let name_end = line.find(['{', ' '])?;
    let name = &line[..name_end];
    if !valid_name(name) {
        return None;
    }
    let mut labels = BTreeMap::new();
    let mut rest = &line[name_end..];
    if let Some(mut inner) = rest.strip_prefix('{') {
        loop {
            if let Some(after) = inner.strip_prefix('}') {
                rest = after;
                break;
            }
            let (key, after) = inner.split_once("=\"")?;
            if !valid_name(key) {
                return None;
            }
            let mut value = String::new();
            let mut chars = after.char_indices();
            let end = loop {
                match chars.next()? {
                    (i, '"') => break i,
                    (_, '\\') => match chars.next()?.1 {
                        'n' => value.push('\n'),
                        c @ ('\\' | '"') => value.push(c),
                        _ => return None,
                    },
                    (_, c) => value.push(c),
                }
            };
            labels.insert(key.to_owned(), value);
            inner = &after[end + 1..];
            inner = inner.strip_prefix(',').unwrap_or(inner);
        }
    }
    let value = rest.strip_prefix(' ')?;
    let value = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        other => other.parse().ok()?,
    };
    Some((name.to_owned(), labels, value))
}

/// The sample `name{labels}`, if present.
fn sample(samples: &HashMap<Key, f64>, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let labels = labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    samples.get(&(name.to_owned(), labels)).copied()
}

async fn scrape(app: &TestApp) -> HashMap<Key, f64> {
    let res = Client::new().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    parse_exposition(&res.text().await.unwrap())
}

fn requests(route: &str, method: &str, status: &str) -> [(&'static str, String); 3] {
    [("route", route.to_owned()), ("method", method.to_owned()), ("status", status.to_owned())]
}

fn count(samples: &HashMap<Key, f64>, labels: [(&'static str, String); 3]) -> f64 {
    let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
    sample(samples, "http_requests_total", &labels).unwrap_or(0.0)
}

#[test]
fn the_checker_refuses_what_prometheus_would() {
    let good = "# HELP a_b A thing.\n# TYPE a_b counter\na_b_total{x=\"1\\\"2\"} 3\n";
    let samples = parse_exposition(good);
    assert_eq!(sample(&samples, "a_b_total", &[("x", "1\"2")]), Some(3.0));
    for bad in [
        "# TYPE a counter\na_total 1\n",              // no HELP
        "# HELP a A.\n# TYPE a counter\nb_total 1\n", // outside its family
        "# HELP a A.\n# TYPE a gauge\na{x=1} 1\n",    // unquoted label
        "# HELP a A.\n# TYPE a gauge\na one\n",       // not a number
        "# HELP a A.\n# TYPE a gauge\na 1\n# EOF\n",  // another comment
        "# HELP a A.\n# TYPE a gauge\na 1\na 2\n",    // repeated sample
    ] {
        let refused = std::panic::catch_unwind(|| parse_exposition(bad)).is_err();
        assert!(refused, "accepted: {bad:?}");
    }
}

#[tokio::test]
async fn requests_are_counted_by_route_template_and_unmatched_ones_apart() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    app.post_entry(&token, "Hello", "A first entry.").await;
    let client = Client::new();
    let before = scrape(&app).await;
    for path in ["/healthz", "/healthz", "/person/alice/diary.html", "/no/such/page"] {
        client.get(app.url(path)).send().await.unwrap();
    }
    client.post(app.url("/healthz")).send().await.unwrap();
    let after = scrape(&app).await;

    let grew = |labels: [(&'static str, String); 3]| {
        count(&after, labels.clone()) - count(&before, labels)
    };
    assert_eq!(grew(requests("/healthz", "GET", "200")), 2.0);
    assert_eq!(grew(requests("/person/{name}/diary.html", "GET", "200")), 1.0);
    assert_eq!(grew(requests("unmatched", "GET", "404")), 1.0);
    assert_eq!(grew(requests("/healthz", "POST", "405")), 1.0);
    // The first scrape is counted by the second.
    assert_eq!(count(&after, requests("/metrics", "GET", "200")), 1.0);
    // Raw paths never become labels: only templates.
    for (_, labels) in after.keys() {
        let route = labels.get("route").map(String::as_str).unwrap_or("");
        assert!(!route.contains("alice") && !route.contains("/no/such"), "{labels:?}");
    }

    // The latency histogram: cumulative buckets up to +Inf, which equals the count.
    let healthz = [("route", "/healthz"), ("method", "GET")];
    let total = sample(&after, "http_request_duration_seconds_count", &healthz).unwrap();
    assert!(total >= 2.0, "{total}");
    let bucket = |le: &str| {
        let labels = [healthz[0], healthz[1], ("le", le)];
        sample(&after, "http_request_duration_seconds_bucket", &labels).unwrap()
    };
    assert_eq!(bucket("+Inf"), total);
    assert!(bucket("0.0005") <= bucket("0.01") && bucket("0.01") <= bucket("10.0"));
    assert!(sample(&after, "http_request_duration_seconds_sum", &healthz).unwrap() > 0.0);
    assert!(sample(&after, "process_start_time_seconds", &[]).unwrap() > 1.7e9);
    app.stop().await;
}

#[tokio::test]
async fn feed_fetches_and_ingested_entries_are_counted() {
    let origin = FeedOrigin::start().await;
    let app = TestApp::start().await;
    let before = scrape(&app).await;
    let fetched = |s: &HashMap<Key, f64>, outcome| {
        sample(s, "virgule_feeds_fetched_total", &[("outcome", outcome)]).unwrap()
    };
    let entries =
        |s: &HashMap<Key, f64>, kind| sample(s, "virgule_ingest_entries_total", &[("kind", kind)]);
    assert_eq!(fetched(&before, "fetched"), 0.0);
    assert_eq!(entries(&before, "created"), Some(0.0));

    let token = app.register_api("etbe").await;
    let url = json!({"url": origin.feed_url()});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/settings/feed", Some(&token), Some(url)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        call(&app, Method::POST, "/api/v1/settings/feed/refresh", Some(&token), None).await;
    assert_eq!(body["entries"], 2, "{body}");
    assert_eq!(status, StatusCode::OK);
    let read = scrape(&app).await;
    // The first fetch (started on linking) and the refresh after it: both read the feed.
    let documents = fetched(&read, "fetched");
    assert!(documents >= 1.0, "{documents}");
    assert_eq!(entries(&read, "created"), Some(2.0));
    assert_eq!(entries(&read, "updated"), Some(0.0));
    assert_eq!(fetched(&read, "failed"), 0.0);

    origin.answer(StatusCode::INTERNAL_SERVER_ERROR);
    call(&app, Method::POST, "/api/v1/settings/feed/refresh", Some(&token), None).await;
    let failed = scrape(&app).await;
    assert_eq!(fetched(&failed, "failed"), 1.0);
    assert_eq!(fetched(&failed, "fetched"), documents);
    assert_eq!(fetched(&failed, "not_modified"), 0.0);
    app.stop().await;
}

#[tokio::test]
async fn the_trust_computation_is_timed_and_counted() {
    // The harness runs one computation before serving.
    let app = TestApp::start().await;
    let samples = scrape(&app).await;
    let runs = |outcome| {
        sample(&samples, "virgule_trust_computations_total", &[("outcome", outcome)]).unwrap()
    };
    assert_eq!(runs("succeeded"), 1.0);
    assert_eq!(runs("failed"), 0.0);
    let seconds = sample(&samples, "virgule_trust_computation_seconds", &[]).unwrap();
    assert!(seconds > 0.0 && seconds < 60.0, "{seconds}");
    app.stop().await;
}

#[tokio::test]
async fn the_page_cache_reports_through_three_calls() {
    let (store, _db) = fresh_store().await;
    // A site without syndication and before any trust run: those families stay out.
    let metrics = Metrics::new(Site::new(store, SiteSettings::default()));
    metrics.page_cache_hit();
    metrics.page_cache_hit();
    metrics.page_cache_miss();
    metrics.set_page_cache_size(12, 345_678);
    let text = metrics.render().unwrap();
    let samples = parse_exposition(&text);
    assert_eq!(sample(&samples, "virgule_page_cache_hits_total", &[]), Some(2.0));
    assert_eq!(sample(&samples, "virgule_page_cache_misses_total", &[]), Some(1.0));
    assert_eq!(sample(&samples, "virgule_page_cache_entries", &[]), Some(12.0));
    assert_eq!(sample(&samples, "virgule_page_cache_bytes", &[]), Some(345_678.0));
    assert!(!text.contains("virgule_feeds_fetched"), "{text}");
    assert!(!text.contains("virgule_trust_computation_seconds"), "{text}");
    metrics.set_page_cache_size(3, 1_000);
    let samples = parse_exposition(&metrics.render().unwrap());
    assert_eq!(sample(&samples, "virgule_page_cache_entries", &[]), Some(3.0));
    assert_eq!(sample(&samples, "virgule_page_cache_bytes", &[]), Some(1_000.0));
}

#[tokio::test]
async fn memory_is_reported_and_the_allocator_when_the_binary_supplies_it() {
    let (store, _db) = fresh_store().await;
    let site = Site::new(store, SiteSettings::default());
    let text = Metrics::new(site.clone()).render().unwrap();
    let samples = parse_exposition(&text);
    // A test process holds at least a MiB and far less than what this machine has.
    let rss = sample(&samples, "process_resident_memory_bytes", &[]).unwrap();
    assert!((1_048_576.0..64e9).contains(&rss), "{rss}");
    assert!(!text.contains("virgule_allocator"), "{text}");

    fn figures() -> Option<AllocatorFigures> {
        Some(AllocatorFigures { allocated: 1_000, active: 4_096, resident: 8_192 })
    }
    let metrics = Metrics::new(site);
    metrics.set_allocator(figures);
    let samples = parse_exposition(&metrics.render().unwrap());
    assert_eq!(sample(&samples, "virgule_allocator_allocated_bytes", &[]), Some(1_000.0));
    assert_eq!(sample(&samples, "virgule_allocator_active_bytes", &[]), Some(4_096.0));
    assert_eq!(sample(&samples, "virgule_allocator_resident_bytes", &[]), Some(8_192.0));
}

#[tokio::test]
async fn only_allowed_clients_read_the_metrics() {
    let mut config = test_site();
    config.web.metrics_allow = "10.0.0.0/8".parse().unwrap();
    let app = TestApp::start_configured(syndication_settings(true), config).await;
    let res = Client::new().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let why = res.text().await.unwrap();
    assert!(why.contains("metrics_allow"), "{why}");
    assert!(!why.contains("http_requests"), "{why}");
    app.stop().await;

    // From this machine, allowed by default, unless a proxy relayed the request.
    let app = TestApp::start().await;
    let res = Client::new()
        .get(app.url("/metrics"))
        .header("X-Forwarded-For", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = Client::new().get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    app.stop().await;
}
