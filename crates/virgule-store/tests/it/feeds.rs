use chrono::Duration;
use virgule_store::testing::fresh_store;
use virgule_store::{
    FeedClaim, FeedStatus, FetchRecord, FetchResult, MAX_FEED_WARNINGS, MAX_WARNING_CHARS, Page,
    Store, StoreError, SyndicatedDraft, TrustLevel,
};

use crate::support::{at, member, name, post};

const ALL: Page = Page { start: 0, limit: 100 };
const LEASE: Duration = Duration::minutes(2);

pub(crate) fn fetched(
    claim: &FeedClaim,
    creates: Vec<SyndicatedDraft>,
    updates: Vec<SyndicatedDraft>,
) -> FetchRecord {
    let now = at(2016, 2, 5, 0);
    FetchRecord {
        at: now,
        url: claim.feed.url.clone().unwrap(),
        etag: Some("\"v1\"".to_owned()),
        last_modified: None,
        result: FetchResult::Fetched {
            title: "etbe – Russell Coker".to_owned(),
            site_link: Some("https://etbe.coker.com.au/".to_owned()),
            creates,
            updates,
            warnings: vec![],
        },
        next_fetch_at: now + Duration::hours(1),
    }
}

pub(crate) async fn claim_all(store: &Store, now: chrono::DateTime<chrono::Utc>) -> Vec<FeedClaim> {
    store.claim_due_feeds(now, LEASE, 100).await.unwrap()
}

#[tokio::test]
async fn a_fetch_stores_posts_as_numbered_syndicated_entries_in_one_step() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let now = at(2016, 2, 4, 12);
    let feed = store.subscribe_feed(etbe.id, "https://etbe.coker.com.au/feed/", now).await.unwrap();
    assert_eq!(
        (feed.status, feed.next_fetch_at, feed.entry_count),
        (FeedStatus::Active, Some(now), 0)
    );

    let claims = claim_all(&store, now).await;
    assert_eq!(claims.len(), 1);
    // Claimed: nobody else gets it while the lease runs.
    assert!(claim_all(&store, now).await.is_empty());
    let old = post("a", at(2016, 1, 12, 11));
    let new = SyndicatedDraft { in_recentlog: false, ..post("b", at(2016, 2, 4, 9)) };
    let counts = store
        .record_feed_fetch(&claims[0], &fetched(&claims[0], vec![old, new], vec![]))
        .await
        .unwrap();
    assert_eq!((counts.created, counts.updated), (2, 0));

    let entries = store.entries_for_member(etbe.id, ALL).await.unwrap();
    assert_eq!(
        entries.iter().map(|e| (e.number, e.title.as_str())).collect::<Vec<_>>(),
        [(1, "Post b"), (0, "Post a")]
    );
    let origin = entries[1].syndicated.as_ref().unwrap();
    assert_eq!(origin.feed_title, "etbe – Russell Coker");
    assert_eq!(origin.original_url.as_deref(), Some("https://blog.example/a/"));
    assert_eq!(origin.at, at(2016, 1, 12, 11));
    assert_eq!(entries[1].tags, ["linux"]);
    // Only the entry marked for it reaches the recent log.
    let recent = store.recent_entries(TrustLevel::Observer, ALL).await.unwrap();
    assert_eq!(recent.iter().map(|e| e.title.as_str()).collect::<Vec<_>>(), ["Post a"]);

    let feed = store.feed_for_member(etbe.id).await.unwrap().unwrap();
    assert_eq!(feed.title, "etbe – Russell Coker");
    assert_eq!(feed.etag.as_deref(), Some("\"v1\""));
    assert_eq!(feed.last_success_at, Some(at(2016, 2, 5, 0)));
    assert_eq!(feed.next_fetch_at, Some(at(2016, 2, 5, 1)));
    assert_eq!(feed.entry_count, 2);
    assert_eq!(store.member_by_name(&name("etbe")).await.unwrap().unwrap().entry_count, 2);
    let items = store.feed_items(feed.id).await.unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items["a"].content_hash, "hash-a");
}

#[tokio::test]
async fn an_edit_from_the_feed_keeps_the_number_and_a_deleted_entry_leaves_a_tombstone() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let now = at(2016, 2, 4, 12);
    store.subscribe_feed(etbe.id, "https://blog.example/feed", now).await.unwrap();
    let claim = claim_all(&store, now).await.remove(0);
    let posts = vec![post("a", at(2016, 1, 1, 0)), post("b", at(2016, 1, 2, 0))];
    store.record_feed_fetch(&claim, &fetched(&claim, posts, vec![])).await.unwrap();

    let claim = claim_all(&store, at(2016, 2, 6, 0)).await.remove(0);
    let edited = SyndicatedDraft {
        title: "Post a, corrected".to_owned(),
        content_hash: "hash-a2".to_owned(),
        tags: vec!["debian".to_owned()],
        ..post("a", at(2030, 1, 1, 0))
    };
    let counts =
        store.record_feed_fetch(&claim, &fetched(&claim, vec![], vec![edited])).await.unwrap();
    assert_eq!(counts.updated, 1);
    let a = store.entry_by_number(&name("etbe"), 0).await.unwrap().unwrap();
    assert_eq!(
        (a.title.as_str(), a.tags.as_slice()),
        ("Post a, corrected", ["debian".to_owned()].as_slice())
    );
    assert_eq!(a.published, at(2016, 1, 1, 0), "an edit never moves the entry");
    assert_eq!(a.updated, at(2016, 2, 5, 0));

    store.delete_entry(etbe.id, 1).await.unwrap();
    let feed = store.feed_for_member(etbe.id).await.unwrap().unwrap();
    let items = store.feed_items(feed.id).await.unwrap();
    assert_eq!(items["b"].entry_id, None, "the item stays as a tombstone");
    assert!(items["a"].entry_id.is_some());
    assert_eq!(feed.entry_count, 1);
}

#[tokio::test]
async fn a_lost_claim_stores_nothing() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let now = at(2016, 2, 4, 12);
    store.subscribe_feed(etbe.id, "https://blog.example/feed", now).await.unwrap();
    let stale = claim_all(&store, now).await.remove(0);
    // The first fetcher stalls past its lease; another takes the feed and stores first.
    let mut renewed = stale.clone();
    let halfway = now + LEASE / 2;
    assert!(store.renew_feed_claim(&mut renewed, halfway, LEASE).await.unwrap());
    assert_eq!(renewed.until, halfway + LEASE);
    // Renewed: the feed is still held when the first lease would have ended.
    assert!(claim_all(&store, now + LEASE + Duration::seconds(1)).await.is_empty());
    let mut expired = renewed.clone();
    assert!(
        !store
            .renew_feed_claim(&mut expired, renewed.until + Duration::seconds(1), LEASE)
            .await
            .unwrap()
    );
    let later = renewed.until + Duration::seconds(1);
    let fresh = claim_all(&store, later).await.remove(0);
    assert_ne!(stale.token, fresh.token);
    let result =
        store.record_feed_fetch(&stale, &fetched(&stale, vec![post("a", now)], vec![])).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert!(store.entries_for_member(etbe.id, ALL).await.unwrap().is_empty());
    store.record_feed_fetch(&fresh, &fetched(&fresh, vec![post("a", now)], vec![])).await.unwrap();
    assert_eq!(store.entries_for_member(etbe.id, ALL).await.unwrap().len(), 1);

    // Re-linking while a fetch runs voids that fetch's claim too.
    let claim = claim_all(&store, at(2016, 2, 6, 0)).await.remove(0);
    store.subscribe_feed(etbe.id, "https://other.example/feed", now).await.unwrap();
    let result =
        store.record_feed_fetch(&claim, &fetched(&claim, vec![post("b", now)], vec![])).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    let feed = store.feed_for_member(etbe.id).await.unwrap().unwrap();
    assert_eq!(feed.url.as_deref(), Some("https://other.example/feed"));
}

#[tokio::test]
async fn failures_count_up_gone_stops_polling_and_relinking_resumes() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let now = at(2016, 2, 4, 12);
    store.subscribe_feed(etbe.id, "https://blog.example/feed", now).await.unwrap();
    let claim = claim_all(&store, now).await.remove(0);
    store.record_feed_fetch(&claim, &fetched(&claim, vec![post("a", now)], vec![])).await.unwrap();

    let failing = |claim: &FeedClaim, gone: bool, next| FetchRecord {
        result: FetchResult::Failed { error: "the server answered 500".to_owned(), gone },
        next_fetch_at: next,
        ..fetched(claim, vec![], vec![])
    };
    let claim = claim_all(&store, at(2016, 2, 6, 0)).await.remove(0);
    store.record_feed_fetch(&claim, &failing(&claim, false, at(2016, 2, 6, 1))).await.unwrap();
    let feed = store.feed_for_member(etbe.id).await.unwrap().unwrap();
    assert_eq!(feed.consecutive_failures, 1);
    assert_eq!(feed.last_error.as_deref(), Some("the server answered 500"));
    assert_eq!(feed.last_success_at, Some(at(2016, 2, 5, 0)), "the last success is kept");
    assert_eq!(feed.next_fetch_at, Some(at(2016, 2, 6, 1)));

    let claim = claim_all(&store, at(2016, 2, 7, 0)).await.remove(0);
    store.record_feed_fetch(&claim, &failing(&claim, true, at(2016, 2, 7, 1))).await.unwrap();
    let feed = store.feed_for_member(etbe.id).await.unwrap().unwrap();
    assert_eq!(
        (feed.status, feed.next_fetch_at, feed.consecutive_failures),
        (FeedStatus::Gone, None, 2)
    );
    assert!(claim_all(&store, at(2020, 1, 1, 0)).await.is_empty(), "a gone feed is not polled");
    // ... but the member can still ask for a fetch.
    assert!(store.claim_member_feed(etbe.id, at(2020, 1, 1, 0), LEASE).await.unwrap().is_some());

    let feed = store
        .subscribe_feed(etbe.id, "https://blog.example/feed", at(2020, 1, 2, 0))
        .await
        .unwrap();
    assert_eq!(
        (feed.status, feed.consecutive_failures, feed.last_error),
        (FeedStatus::Active, 0, None)
    );
    assert_eq!(feed.etag.as_deref(), Some("\"v1\""), "same URL: validators kept");
    let feed = store
        .subscribe_feed(etbe.id, "https://moved.example/feed", at(2020, 1, 2, 0))
        .await
        .unwrap();
    assert_eq!(feed.etag, None, "another URL: validators dropped");

    store.unsubscribe_feed(etbe.id).await.unwrap();
    let feed = store.feed_for_member(etbe.id).await.unwrap().unwrap();
    assert_eq!((feed.status, feed.url, feed.next_fetch_at), (FeedStatus::Stopped, None, None));
    assert_eq!(feed.entry_count, 1, "the entries stay");
    assert!(store.claim_member_feed(etbe.id, at(2020, 1, 3, 0), LEASE).await.unwrap().is_none());
}

/// Workers racing for due feeds (PostgreSQL: `FOR UPDATE SKIP LOCKED`) never share one.
/// A WordPress blog whose every post is dated in 2099 (a misconfigured clock): each post
/// brings a warning, and the owner must see what to fix without the row growing with the feed.
#[tokio::test]
async fn the_last_reads_warnings_are_bounded_kept_by_a_304_or_a_failure_and_replaced() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let url = "https://blog.example/feed";
    let feed = store.subscribe_feed(etbe.id, url, at(2016, 2, 4, 12)).await.unwrap();
    assert!(feed.last_warnings.is_empty(), "nothing read yet");
    let claim = || async { store.claim_member_feed(etbe.id, at(2016, 2, 5, 0), LEASE).await };
    let record =
        |claim: &FeedClaim, result| FetchRecord { result, ..fetched(claim, vec![], vec![]) };
    let read = |warnings: Vec<String>| FetchResult::Fetched {
        title: "etbe".to_owned(),
        site_link: None,
        creates: vec![],
        updates: vec![],
        warnings,
    };

    let mut many: Vec<String> = (0..MAX_FEED_WARNINGS + 5)
        .map(|n| format!("entry {n}: date 2099-01-01T00:00:00Z is in the future"))
        .collect();
    many[0] = format!("the feed names an unknown encoding \"{}\"", "x".repeat(1000));
    let c = claim().await.unwrap().unwrap();
    store.record_feed_fetch(&c, &record(&c, read(many.clone()))).await.unwrap();
    let warned = store.feed_for_member(etbe.id).await.unwrap().unwrap().last_warnings;
    assert_eq!(warned.len(), MAX_FEED_WARNINGS, "{warned:?}");
    assert_eq!(warned[0].chars().count(), MAX_WARNING_CHARS);
    assert!(
        warned[0].starts_with("the feed names an unknown encoding \"xxx")
            && warned[0].ends_with('…')
    );
    assert_eq!(warned[1..MAX_FEED_WARNINGS - 1], many[1..MAX_FEED_WARNINGS - 1]);
    assert_eq!(warned[MAX_FEED_WARNINGS - 1], "… and 6 more");

    // 304: nothing was read again, the faults are still there.
    let c = claim().await.unwrap().unwrap();
    store.record_feed_fetch(&c, &record(&c, FetchResult::NotModified)).await.unwrap();
    assert_eq!(store.feed_for_member(etbe.id).await.unwrap().unwrap().last_warnings, warned);
    // A failure: the error is the news, the faults of the last read stay.
    let c = claim().await.unwrap().unwrap();
    let failed = FetchResult::Failed { error: "the server answered 500".to_owned(), gone: false };
    store.record_feed_fetch(&c, &record(&c, failed)).await.unwrap();
    let feed = store.feed_for_member(etbe.id).await.unwrap().unwrap();
    assert_eq!(feed.last_error.as_deref(), Some("the server answered 500"));
    assert_eq!(feed.last_warnings, warned);
    // Saving the same address keeps them (its validators are kept, so a 304 may follow).
    let feed = store.subscribe_feed(etbe.id, url, at(2016, 2, 6, 0)).await.unwrap();
    assert_eq!(feed.last_warnings, warned);

    // The next read replaces them; a clean one clears them.
    let c = claim().await.unwrap().unwrap();
    let one = vec!["the feed: date 2099-01-01T00:00:00Z is in the future".to_owned()];
    store.record_feed_fetch(&c, &record(&c, read(one.clone()))).await.unwrap();
    assert_eq!(store.feed_for_member(etbe.id).await.unwrap().unwrap().last_warnings, one);
    let c = claim().await.unwrap().unwrap();
    store.record_feed_fetch(&c, &record(&c, read(vec![]))).await.unwrap();
    assert!(store.feed_for_member(etbe.id).await.unwrap().unwrap().last_warnings.is_empty());

    // Another address, or stopping, forgets the faults of the old one.
    let c = claim().await.unwrap().unwrap();
    store.record_feed_fetch(&c, &record(&c, read(one.clone()))).await.unwrap();
    let feed = store.subscribe_feed(etbe.id, "https://blog.example/atom", at(2016, 2, 7, 0)).await;
    assert!(feed.unwrap().last_warnings.is_empty());
    let c = claim().await.unwrap().unwrap();
    store.record_feed_fetch(&c, &record(&c, read(one))).await.unwrap();
    store.unsubscribe_feed(etbe.id).await.unwrap();
    assert!(store.feed_for_member(etbe.id).await.unwrap().unwrap().last_warnings.is_empty());
}

#[tokio::test]
async fn concurrent_claims_split_the_due_feeds() {
    let (store, _db) = fresh_store().await;
    let now = at(2016, 2, 4, 12);
    for i in 0..40 {
        let m = member(&store, &format!("m{i}")).await;
        store.subscribe_feed(m.id, &format!("https://blog{i}.example/feed"), now).await.unwrap();
    }
    let claimers: Vec<_> = (0..4)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let batch = store.claim_due_feeds(now, LEASE, 3).await.unwrap();
                    if batch.is_empty() {
                        break mine;
                    }
                    mine.extend(batch.into_iter().map(|c| c.feed.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap());
    }
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!((before, all.len()), (40, 40), "every feed claimed exactly once");
}
