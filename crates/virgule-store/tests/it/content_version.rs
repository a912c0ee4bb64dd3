//! The content version moves with every write a page shows, and only with those: a feed's
//! fetch bookkeeping (claims, validators) leaves it alone, so pages stay cached while fetches
//! find nothing new.

use chrono::Duration;
use virgule_store::testing::fresh_store;
use virgule_store::{CertLevel, FetchRecord, FetchResult};

use crate::support::{at, draft, member};

#[tokio::test]
async fn writes_that_pages_show_move_the_version_and_fetch_bookkeeping_does_not() {
    let (store, _db) = fresh_store().await;
    let mut seen = store.content_version().await.unwrap();
    let mut moved = async |what: &str| {
        let now = store.content_version().await.unwrap();
        assert!(now > seen, "{what}: the version stayed at {seen}");
        seen = now;
    };

    let raph = member(&store, "raph").await;
    moved("a new member").await;
    let etbe = member(&store, "etbe").await;
    moved("another member").await;
    let entry =
        store.create_entry(etbe.id, &draft("hello", &["rust"]), at(2016, 1, 1, 0)).await.unwrap();
    moved("an entry").await;
    store.certify(raph.id, etbe.id, CertLevel::Master).await.unwrap();
    moved("a certification").await;
    store.delete_entry(etbe.id, entry.number).await.unwrap();
    moved("a deleted entry").await;

    let t0 = at(2016, 2, 1, 0);
    store.subscribe_feed(etbe.id, "https://etbe.coker.com.au/feed/", t0).await.unwrap();
    moved("a linked feed").await;
    let claims = store.claim_due_feeds(t0, Duration::minutes(2), 10).await.unwrap();
    let record = |title: &str| FetchRecord {
        at: t0,
        url: claims[0].feed.url.clone().unwrap(),
        etag: Some("\"v1\"".to_owned()),
        last_modified: None,
        result: FetchResult::Fetched {
            title: title.to_owned(),
            site_link: Some("https://etbe.coker.com.au/".to_owned()),
            creates: vec![],
            updates: vec![],
            warnings: vec![],
        },
        next_fetch_at: t0 + Duration::hours(1),
    };
    store.record_feed_fetch(&claims[0], &record("etbe")).await.unwrap();
    moved("a feed's first title").await;

    // Claiming and a fetch that changes nothing shown: the version stays.
    let t1 = t0 + Duration::hours(2);
    let claims = store.claim_due_feeds(t1, Duration::minutes(2), 10).await.unwrap();
    assert_eq!(claims.len(), 1);
    store.record_feed_fetch(&claims[0], &record("etbe")).await.unwrap();
    assert_eq!(store.content_version().await.unwrap(), seen, "bookkeeping moved the version");
}

#[tokio::test]
async fn an_ending_session_moves_the_version_and_a_new_one_does_not() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let expires = virgule_store::now() + Duration::days(30);
    let version = async || store.content_version().await.unwrap();

    let before = version().await;
    store.create_session("hash-1", etbe.id, "csrf", expires).await.unwrap();
    store.create_session("hash-2", etbe.id, "csrf", expires).await.unwrap();
    assert_eq!(version().await, before, "a new session is nobody's to forget");

    store.delete_session("hash-1").await.unwrap();
    let after_logout = version().await;
    assert!(after_logout > before, "a logout must retire remembered sessions");

    // Removing expired sessions when none has expired changes nothing.
    assert_eq!(store.delete_expired_sessions().await.unwrap(), 0);
    assert_eq!(version().await, after_logout);
    store.delete_sessions_for_member(etbe.id, None).await.unwrap();
    assert!(version().await > after_logout, "a password change ends sessions elsewhere");
}
