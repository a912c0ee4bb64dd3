//! Members type feed addresses, so the fetcher must not become a way into the server's own
//! network: loopback, private and link-local addresses are refused with a reason, whether
//! written as an address or as a name that resolves to one, before any request is sent and
//! again at every fetch (docs/design.md §3).

use virgule_feeds::fetch::FetchError;
use virgule_syndication::{Settings, SubscribeError, Syndicator};

use crate::origin::Reply;
use crate::support::{Post, World, rss};

/// The production policy: no private addresses.
fn strict() -> Settings {
    Settings::default()
}

#[tokio::test]
async fn private_addresses_are_refused_with_a_reason_and_never_fetched() {
    let world = World::with(strict()).await;
    let mallory = world.member("mallory").await;
    let port = world.origin.port();
    world.origin.set("/", Reply::rss(rss("Internal", &[])));
    let cases = [
        (format!("http://127.0.0.1:{port}/"), "loopback"),
        (format!("http://localhost:{port}/"), "loopback"),
        ("http://[::1]/".to_owned(), "loopback"),
        ("http://10.0.0.1/".to_owned(), "private"),
        // The cloud metadata service, the classic SSRF target.
        ("http://169.254.169.254/latest/meta-data/".to_owned(), "link-local"),
    ];
    for (url, reason) in &cases {
        let refused = world.syndicator.check_url(url).await.expect_err(url);
        assert!(matches!(refused, FetchError::Refused { .. }), "{url}: {refused:?}");
        let message = refused.to_string();
        assert!(message.starts_with("refused:"), "{url}: {message}");
        assert!(message.contains(reason), "{url}: {message}");

        let refused = world.syndicator.subscribe(mallory, url).await.expect_err(url);
        assert!(matches!(refused, SubscribeError::Refused(_)), "{url}: {refused:?}");
        assert!(refused.to_string().contains(reason), "{url}: {refused}");
    }
    assert_eq!(world.store.feed_for_member(mallory).await.expect("feed"), None, "nothing linked");
    assert_eq!(world.origin.request_count(), 0);
}

/// An address that passed the check once (or was stored by an older version, or whose name
/// now resolves elsewhere) is checked again when it is fetched: the connection is refused,
/// the feed gets the reason as its error, and the origin sees no request.
#[tokio::test]
async fn a_stored_private_address_is_refused_at_fetch_time() {
    let world = World::with(strict()).await;
    let mallory = world.member("mallory").await;
    let port = world.origin.port();
    world.origin.set("/feed", Reply::rss(rss("Internal", &[Post::new("a", "A", None, "x")])));
    let url = format!("http://localhost:{port}/feed");
    world.store.subscribe_feed(mallory, &url, virgule_store::now()).await.expect("subscribe");

    assert_eq!(world.syndicator.run_once().await.expect("run"), 1);

    let feed = world.feed(mallory).await;
    let error = feed.last_error.expect("an error");
    assert!(error.contains("refused") && error.contains("loopback"), "{error}");
    assert!(world.diary(mallory).await.is_empty());
    assert_eq!(world.origin.request_count(), 0);

    // The same feed under a policy that allows private addresses is fetched: the refusal
    // above was the guard's doing, not a broken origin.
    let lax = Syndicator::new(world.store.clone(), crate::support::lax()).expect("syndicator");
    let feed = lax.refresh(mallory).await.expect("refresh").expect("feed");
    assert_eq!(feed.last_error, None);
    assert_eq!(world.origin.request_count(), 1);
}
