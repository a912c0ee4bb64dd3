//! The page cache as readers meet it: pages come from memory, a write shows at once on the
//! node that took it and within a second from another process on the same database, the byte
//! budget holds under a crawl, and a site without the cache serves the very same bytes.

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use virgule_web::WebConfig;

use crate::harness::{TestApp, TestConfig, syndication_settings, test_site};
use crate::pages_support::{draft, fill_diary, member_id};

fn with_cache(bytes: usize) -> TestConfig {
    let mut config = test_site();
    config.web = WebConfig {
        // One public address, so that two sites over one database write the same links.
        base_url: Some("https://virgule.example".into()),
        page_cache_bytes: bytes,
        ..config.web
    };
    config
}

/// The page cache's hits and misses, as `/metrics` reports them.
async fn cache_counts(app: &TestApp) -> (u64, u64) {
    let text = body(&Client::new(), &app.url("/metrics")).await;
    let value = |name: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(name)?.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{name} in {text}")) as u64
    };
    (value("virgule_page_cache_hits_total"), value("virgule_page_cache_misses_total"))
}

async fn body(client: &Client, url: &str) -> String {
    let res = client.get(url).send().await.expect("GET");
    assert_eq!(res.status(), StatusCode::OK, "{url}");
    res.text().await.expect("body")
}

#[tokio::test]
async fn pages_come_from_memory_and_a_write_here_shows_at_once() {
    let app = TestApp::start_configured(syndication_settings(true), with_cache(8 << 20)).await;
    let token = app.register_api("raph").await;
    app.post_entry(&token, "First post", "Hello.").await;
    let client = Client::new();
    let page = app.url("/person/raph/diary.html");

    let first = body(&client, &page).await;
    let (hits, misses) = cache_counts(&app).await;
    let second = body(&client, &page).await;
    assert_eq!(first, second);
    let (hits_after, misses_after) = cache_counts(&app).await;
    assert_eq!(misses_after, misses, "the second read was not rendered again");
    assert_eq!(hits_after, hits + 1);
    assert!(app.state.page_cache.stats().entries >= 1);

    // A write through this node: the very next read shows it.
    app.post_entry(&token, "Second post", "Again.").await;
    let after = body(&client, &page).await;
    assert!(after.contains("Second post"), "the write did not show at once");
}

#[tokio::test]
async fn a_write_by_another_process_shows_within_a_second() {
    let app = TestApp::start_configured(syndication_settings(true), with_cache(8 << 20)).await;
    let token = app.register_api("raph").await;
    app.post_entry(&token, "First post", "Hello.").await;
    let client = Client::new();
    let urls = ["/person/raph/diary.html", "/person/raph/rss.xml", "/person/raph/atom.xml"];
    for url in urls {
        body(&client, &app.url(url)).await;
    }

    // Another process on the same database (as a `virgule worker` ingesting a feed would).
    let other = app.second_store().await;
    let raph = member_id(&other, "raph").await;
    other
        .create_entry(
            raph,
            &draft("From elsewhere", "Written by another process.", &[]),
            chrono::Utc::now(),
        )
        .await
        .expect("entry");
    let written = Instant::now();
    for url in urls {
        loop {
            if body(&client, &app.url(url)).await.contains("From elsewhere") {
                break;
            }
            assert!(written.elapsed() < Duration::from_secs(1), "{url} still stale after a second");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn a_session_ended_by_another_process_ends_here_within_a_second() {
    let app = TestApp::start_configured(syndication_settings(true), with_cache(8 << 20)).await;
    let browser = app.browser();
    app.register_browser(&browser, "raph").await;
    let settings = app.url("/acct/settings");
    for _ in 0..2 {
        // The second time, the session comes from what the site remembers.
        let res = browser.get(&settings).send().await.expect("GET");
        assert_eq!(res.status(), StatusCode::OK, "signed in");
    }

    // Another node ends every session of raph's (as a password change there would).
    let other = app.second_store().await;
    let raph = member_id(&other, "raph").await;
    other.delete_sessions_for_member(raph, None).await.expect("sessions ended");
    let ended = Instant::now();
    loop {
        let res = browser.get(&settings).send().await.expect("GET");
        if res.status() == StatusCode::SEE_OTHER {
            break;
        }
        assert!(ended.elapsed() < Duration::from_secs(1), "the session still opens pages");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn conditional_requests_are_answered_from_memory() {
    let app = TestApp::start_configured(syndication_settings(true), with_cache(8 << 20)).await;
    let token = app.register_api("raph").await;
    app.post_entry(&token, "First post", "Hello.").await;
    let client = Client::new();
    let feed = app.url("/person/raph/atom.xml");
    let res = client.get(&feed).send().await.expect("GET");
    let etag = res.headers().get("etag").expect("an ETag").clone();
    let res = client.get(&feed).header("if-none-match", etag.clone()).send().await.expect("GET");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(res.headers().get("etag"), Some(&etag));
    assert!(res.bytes().await.expect("body").is_empty());

    app.post_entry(&token, "Second post", "Again.").await;
    let res = client.get(&feed).header("if-none-match", etag.clone()).send().await.expect("GET");
    assert_eq!(res.status(), StatusCode::OK, "a new entry is a new feed");
    assert_ne!(res.headers().get("etag"), Some(&etag));
}

#[tokio::test]
async fn a_compressed_page_is_kept_and_served_again_without_compressing() {
    let app = TestApp::start_configured(syndication_settings(true), with_cache(8 << 20)).await;
    let token = app.register_api("raph").await;
    app.post_entry(&token, "First post", &"Hello, compressible world. ".repeat(200)).await;
    // No automatic decoding: the bytes on the wire are what is compared.
    let raw = Client::builder().no_gzip().no_brotli().no_zstd().build().expect("client");
    let feed = app.url("/person/raph/atom.xml");
    let plain = body(&raw, &feed).await;
    let plain_bytes = app.state.page_cache.stats().bytes;

    let gzip = |client: &Client| client.get(&feed).header("accept-encoding", "gzip").send();
    let first = gzip(&raw).await.expect("GET");
    assert_eq!(first.headers().get("content-encoding").map(|v| v.as_bytes()), Some(&b"gzip"[..]));
    let first = first.bytes().await.expect("body");
    let kept = app.state.page_cache.stats().bytes;
    assert_eq!(kept, plain_bytes + first.len(), "the gzip copy is counted against the budget");

    let (hits, misses) = cache_counts(&app).await;
    let second = gzip(&raw).await.expect("GET");
    let etag = second.headers().get("etag").expect("an ETag").clone();
    assert!(etag.as_bytes().starts_with(b"W/"), "a compressed copy has the weak tag");
    assert_eq!(second.bytes().await.expect("body"), first, "the very bytes kept");
    assert_eq!(cache_counts(&app).await, (hits + 1, misses));
    assert_eq!(app.state.page_cache.stats().bytes, kept, "nothing compressed again");

    // A decoding reader gets the page's bytes; its copy revalidates.
    assert_eq!(body(&Client::new(), &feed).await, plain);
    let res = raw
        .get(&feed)
        .header("accept-encoding", "gzip")
        .header("if-none-match", etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);

    // A write retires the page with its compressed copy.
    app.post_entry(&token, "Second post", "Again.").await;
    let res = gzip(&Client::new()).await.expect("GET");
    assert!(res.text().await.expect("body").contains("Second post"));
}

#[tokio::test]
async fn the_byte_budget_holds_under_a_crawl_of_every_page() {
    let budget = 256 * 1024;
    let app = TestApp::start_configured(syndication_settings(true), with_cache(budget)).await;
    for name in ["raph", "etbe", "miguel", "zaitcev"] {
        app.register_api(name).await;
        let id = member_id(&app.store, name).await;
        fill_diary(&app.store, id, 40).await;
    }
    app.caught_up().await;
    let client = Client::new();
    let mut urls = vec!["/".to_owned(), "/recentlog.html".into(), "/person/".into()];
    for name in ["raph", "etbe", "miguel", "zaitcev"] {
        for page in ["/", "/diary.html", "/rss.xml", "/atom.xml", "/feed.json"] {
            urls.push(format!("/person/{name}{page}"));
        }
        for n in 0..40 {
            urls.push(format!("/person/{name}/diary/{n}.html"));
        }
        urls.push(format!("/person/{name}/diary.html?start=20"));
    }
    // Each page twice in a row (the second read from memory when the page fits), the whole
    // crawl twice (a scan larger than the budget: the least recently used go).
    for _ in 0..2 {
        for url in &urls {
            for _ in 0..2 {
                let res = client.get(app.url(url)).send().await.expect("GET");
                assert_eq!(res.status(), StatusCode::OK, "{url}");
                let stats = app.state.page_cache.stats();
                assert!(stats.bytes <= budget, "{url}: {stats:?}");
            }
        }
    }
    let stats = app.state.page_cache.stats();
    assert!(stats.entries > 10, "{stats:?}");
    let (hits, _) = cache_counts(&app).await;
    assert!(hits > 0, "the second crawl found pages in memory");
}

#[tokio::test]
async fn without_the_cache_every_page_is_the_same() {
    let cached = TestApp::start_configured(syndication_settings(true), with_cache(8 << 20)).await;
    let token = cached.register_api("raph").await;
    cached.post_entry(&token, "First post", "Hello <b>world</b>.").await;
    cached.post_entry(&token, "Second post", "Again.").await;
    let plain =
        TestApp::serve_with(cached.store.clone(), syndication_settings(true), with_cache(0)).await;
    assert!(!plain.state.page_cache.enabled());
    let client = Client::new();
    for url in [
        "/",
        "/recentlog.html",
        "/person/",
        "/person/raph/",
        "/person/raph/diary.html",
        "/person/raph/diary/1.html",
        "/person/raph/rss.xml",
        "/person/raph/atom.xml",
        "/person/raph/feed.json",
    ] {
        for _ in 0..2 {
            assert_eq!(
                body(&client, &cached.url(url)).await,
                body(&client, &plain.url(url)).await,
                "{url}"
            );
        }
    }
    plain.stop().await;
}
