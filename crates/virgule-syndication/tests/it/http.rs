//! How the engine treats what a blog's server answers: conditional GETs, moves, removals,
//! "come back later", failures with their backoff, slow and oversized answers, and hostile
//! or broken feeds. A bad answer gives that feed a readable error and changes nothing else
//! (docs/design.md §3).

use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use chrono::TimeDelta;
use virgule_feeds::fetch::FetchPolicy;
use virgule_store::FeedStatus;
use virgule_syndication::Settings;

use crate::origin::{Reply, gzip};
use crate::support::{Post, World, lax, rss};

const WORDPRESS: &[u8] = include_bytes!("../../testdata/etbe-wordpress.rss");
const BILLION_LAUGHS: &[u8] = include_bytes!("../../testdata/billion-laughs.rss");
const ETAG: &str = "\"wp-5908\"";
const LAST_MODIFIED: &str = "Thu, 20 May 2021 12:32:11 GMT";

fn small_feed() -> String {
    rss("Small", &[Post::new("post-1", "One post", Some("Mon, 01 Jan 2024 00:00:00 GMT"), "Hi")])
}

/// A WordPress server answers 304 when the validators it gave still hold: the second fetch
/// sends them back, transfers nothing, adds nothing, and still counts as a success.
#[tokio::test]
async fn an_unchanged_feed_is_a_304_that_duplicates_nothing() {
    let world = World::new().await;
    let etbe = world.member("etbe").await;
    world.origin.set(
        "/feed/",
        Reply::rss(WORDPRESS)
            .header(header::ETAG, ETAG)
            .header(header::LAST_MODIFIED, LAST_MODIFIED),
    );
    world.link(etbe, "/feed/").await;
    let first = world.refresh(etbe).await;
    assert_eq!(first.etag.as_deref(), Some(ETAG));
    assert_eq!(first.last_modified.as_deref(), Some(LAST_MODIFIED));
    let first_success = first.last_success_at.expect("a success");

    let second = world.refresh(etbe).await;

    let requests = world.origin.requests_to("/feed/");
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header(header::IF_NONE_MATCH), None, "nothing to validate yet");
    assert_eq!(requests[1].header(header::IF_NONE_MATCH), Some(ETAG));
    assert_eq!(requests[1].header(header::IF_MODIFIED_SINCE), Some(LAST_MODIFIED));
    assert_eq!(requests[1].status, StatusCode::NOT_MODIFIED);
    assert_eq!(world.diary(etbe).await.len(), 10);
    assert_eq!(world.known_items(etbe).await, 10);
    assert!(second.last_success_at.expect("a success") > first_success);
    assert_eq!(second.last_error, None);
    assert_eq!(second.etag.as_deref(), Some(ETAG), "the validators are kept for next time");
    assert!(second.next_fetch_at.expect("polled") > second.last_fetch_at.expect("fetched"));
}

/// A blog moved for good (301) is polled at its new address from then on; a temporary move
/// (302) keeps the address the member gave, since the next answer may differ.
#[tokio::test]
async fn a_301_moves_the_subscription_and_a_302_does_not() {
    let world = World::new().await;
    let moved = world.member("moved").await;
    let hopping = world.member("hopping").await;
    world.origin.set("/old-feed", Reply::redirect(301, "/new-feed"));
    world.origin.set("/new-feed", Reply::rss(small_feed()));
    world.origin.set("/campaign", Reply::redirect(302, "/today"));
    world.origin.set("/today", Reply::rss(small_feed()));
    world.link(moved, "/old-feed").await;
    world.link(hopping, "/campaign").await;

    let moved_feed = world.refresh(moved).await;
    let hopping_feed = world.refresh(hopping).await;

    assert_eq!(moved_feed.url, Some(world.origin.url("/new-feed")));
    assert_eq!(world.feed(moved).await.url, Some(world.origin.url("/new-feed")));
    assert_eq!(hopping_feed.url, Some(world.origin.url("/campaign")));
    assert_eq!(world.diary(moved).await.len(), 1);
    assert_eq!(world.diary(hopping).await.len(), 1);

    // The next fetch goes straight to the new address, and the temporary one is asked again.
    world.refresh(moved).await;
    world.refresh(hopping).await;
    assert_eq!(world.origin.requests_to("/old-feed").len(), 1);
    assert_eq!(world.origin.requests_to("/new-feed").len(), 2);
    assert_eq!(world.origin.requests_to("/campaign").len(), 2);
    assert_eq!(world.diary(moved).await.len(), 1, "no duplicates after the move");
}

/// 410 Gone: the blogger removed the feed. It is not polled again until the member links it
/// again, and they see why in their settings.
#[tokio::test]
async fn a_410_stops_polling_until_the_member_subscribes_again() {
    let world = World::new().await;
    let quit = world.member("quit").await;
    world.origin.set("/feed", Reply::status(410));
    world.link(quit, "/feed").await;

    assert_eq!(world.syndicator.run_once().await.expect("run"), 1);
    let feed = world.feed(quit).await;
    assert_eq!(feed.status, FeedStatus::Gone);
    assert_eq!(feed.next_fetch_at, None);
    let error = feed.last_error.expect("an error");
    assert!(error.contains("410"), "{error}");
    assert_eq!(world.origin.request_count(), 1);

    // Even with the scheduler looking, a gone feed is left alone.
    assert_eq!(world.syndicator.run_once().await.expect("run"), 0);
    assert_eq!(world.origin.request_count(), 1);

    // The blog comes back and the member links it again: polled again, errors cleared.
    world.origin.set("/feed", Reply::rss(small_feed()));
    let url = world.origin.url("/feed");
    let feed = world.syndicator.subscribe(quit, &url).await.expect("subscribe again");
    assert_eq!(feed.status, FeedStatus::Active);
    assert!(feed.next_fetch_at.is_some());
    let feed = world.refresh(quit).await;
    assert_eq!(feed.status, FeedStatus::Active);
    assert_eq!(feed.last_error, None);
    assert_eq!(world.diary(quit).await.len(), 1);
}

/// 429 with `Retry-After: 7200`: the server asked for two hours' peace, longer than the
/// first retry would wait, so the next fetch is two hours out.
#[tokio::test]
async fn a_429_with_retry_after_waits_as_long_as_asked() {
    let world = World::new().await;
    let busy = world.member("busy").await;
    world.origin.set("/feed", Reply::status(429).header(header::RETRY_AFTER, "7200"));
    world.link(busy, "/feed").await;

    let before = virgule_store::now();
    let feed = world.refresh(busy).await;

    let error = feed.last_error.expect("an error");
    assert!(error.contains("429"), "{error}");
    let next = feed.next_fetch_at.expect("still polled");
    assert!(next >= before + TimeDelta::seconds(7200), "next fetch at {next}, fetched {before}");
    assert!(next <= virgule_store::now() + TimeDelta::seconds(7200));
    assert_eq!(feed.status, FeedStatus::Active);
}

/// A blog whose server breaks (500) keeps its entries and its last success; the engine
/// retries later and later (5 min, 10 min, ...) but never more than a day apart, and never
/// gives up.
#[tokio::test]
async fn a_failing_feed_backs_off_exponentially_up_to_a_day() {
    let world = World::new().await;
    let broken = world.member("broken").await;
    world.origin.set("/feed", Reply::rss(small_feed()));
    world.link(broken, "/feed").await;
    let healthy = world.refresh(broken).await;
    let last_success = healthy.last_success_at.expect("a success");

    world.origin.set("/feed", Reply::status(500));
    let mut intervals = Vec::new();
    for failures in 1..=12 {
        let feed = world.refresh(broken).await;
        let error = feed.last_error.as_deref().expect("an error");
        assert!(error.contains("500"), "{error}");
        assert_eq!(feed.consecutive_failures, failures);
        assert_eq!(feed.last_success_at, Some(last_success), "the last success is kept");
        assert_eq!(feed.status, FeedStatus::Active, "never given up on");
        let interval =
            feed.next_fetch_at.expect("still polled") - feed.last_fetch_at.expect("fetched");
        intervals.push(interval);
    }
    assert!(intervals[1] > intervals[0], "{intervals:?}");
    assert!(intervals[2] > intervals[1], "{intervals:?}");
    let day = TimeDelta::hours(24);
    assert!(intervals.iter().all(|i| *i <= day), "{intervals:?}");
    assert_eq!(intervals[11], day, "capped at a day: {intervals:?}");
    assert_eq!(world.diary(broken).await.len(), 1, "the entries stay");

    // The server is fixed: the next fetch succeeds and the failures are forgotten.
    world.origin.set("/feed", Reply::rss(small_feed()));
    let fixed = world.refresh(broken).await;
    assert_eq!((fixed.consecutive_failures, fixed.last_error), (0, None));
}

/// One blog's server hangs: that fetch is cut at the timeout with an error saying so, and
/// another member's feed fetched in the same run is ingested regardless.
#[tokio::test]
async fn a_slow_server_times_out_without_stalling_other_feeds() {
    let policy = FetchPolicy {
        allow_private: true,
        connect_timeout: Duration::from_secs(1),
        total_timeout: Duration::from_secs(1),
        ..Default::default()
    };
    let world = World::with(Settings { fetch: policy, ..lax() }).await;
    let slow = world.member("slow").await;
    let quick = world.member("quick").await;
    world.origin.set("/slow", Reply::rss(small_feed()).delay(Duration::from_secs(4)));
    world.origin.set("/quick", Reply::rss(small_feed()));
    world.link(slow, "/slow").await;
    world.link(quick, "/quick").await;

    let started = Instant::now();
    assert_eq!(world.syndicator.run_once().await.expect("run"), 2);
    assert!(started.elapsed() < Duration::from_secs(3), "cut at 1 s: {:?}", started.elapsed());

    let error = world.feed(slow).await.last_error.expect("an error");
    assert!(error.contains("did not answer within 1 seconds"), "{error}");
    assert!(world.diary(slow).await.is_empty());
    assert_eq!(world.feed(quick).await.last_error, None);
    assert_eq!(world.diary(quick).await.len(), 1);
}

/// A "feed" bigger than the body cap (a misconfigured server sending a video) is refused.
#[tokio::test]
async fn an_oversized_feed_is_refused() {
    let policy = FetchPolicy { allow_private: true, max_body: 4096, ..Default::default() };
    let world = World::with(Settings { fetch: policy, ..lax() }).await;
    let big = world.member("big").await;
    world.origin.set("/feed/", Reply::rss(WORDPRESS));
    world.link(big, "/feed/").await;
    let feed = world.refresh(big).await;

    let error = feed.last_error.expect("an error");
    assert!(error.contains("larger than 4 KiB"), "{error}");
    assert!(world.diary(big).await.is_empty());
    assert_eq!(feed.last_success_at, None);
}

/// A gzip bomb: a few KiB on the wire that inflate far past the cap. Decompression stops at
/// the cap and the feed gets an error.
#[tokio::test]
async fn a_gzip_bomb_is_cut_at_the_body_cap() {
    let policy = FetchPolicy { allow_private: true, max_body: 64 * 1024, ..Default::default() };
    let world = World::with(Settings { fetch: policy, ..lax() }).await;
    let bomber = world.member("bomber").await;
    let bomb = gzip(&vec![b' '; 4 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024, "small on the wire: {} bytes", bomb.len());
    world.origin.set("/feed", Reply::rss(bomb).header(header::CONTENT_ENCODING, "gzip"));
    world.link(bomber, "/feed").await;
    let feed = world.refresh(bomber).await;

    let error = feed.last_error.expect("an error");
    assert!(error.contains("larger than"), "{error}");
    assert!(world.diary(bomber).await.is_empty());
}

/// The "billion laughs" entity expansion: refused before any expansion, with an error the
/// member can read, and nothing stored.
#[tokio::test]
async fn billion_laughs_is_refused_and_nothing_is_stored() {
    let world = World::new().await;
    let lol = world.member("lol").await;
    world.origin.set("/feed", Reply::rss(BILLION_LAUGHS));
    world.link(lol, "/feed").await;
    let feed = world.refresh(lol).await;

    let error = feed.last_error.expect("an error");
    assert!(error.contains("declares XML entities"), "{error}");
    assert!(world.diary(lol).await.is_empty());
    assert_eq!(world.known_items(lol).await, 0);
    assert_eq!(feed.title, "", "not even the title is taken");
    assert_eq!(feed.last_success_at, None);
}

/// A feed cut off mid-document (a PHP error in the middle of WordPress's output): the posts
/// finished before the cut are read (a warning says what happened); the one it cut through
/// is not.
#[tokio::test]
async fn a_cut_off_feed_gives_the_posts_before_the_cut() {
    let world = World::new().await;
    let broken = world.member("broken").await;
    let cut = &WORDPRESS[..WORDPRESS.len() / 2];
    let finished = cut.windows(b"</item>".len()).filter(|w| w == b"</item>").count();
    assert!(finished >= 2, "the fixture cut keeps some posts whole");
    let mut body = cut.to_vec();
    body.extend_from_slice(b"<b>Fatal error</b>: Allowed memory size exhausted");
    world.origin.set("/feed/", Reply::rss(body));
    world.link(broken, "/feed/").await;
    let feed = world.refresh(broken).await;

    assert_eq!(feed.last_error, None);
    assert_eq!(feed.consecutive_failures, 0);
    assert_eq!(world.diary(broken).await.len(), finished);
}
