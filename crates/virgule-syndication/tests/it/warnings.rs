//! What a read recovered from reaches the feed's owner: each fault becomes a line of the
//! feed's warnings, stored with the read that found it, kept while nothing is read again (a
//! 304, a failure) and replaced by the next read (docs/design.md §3, issue 12).

use axum::http::{StatusCode, header};
use virgule_store::MAX_FEED_WARNINGS;

use crate::origin::Reply;
use crate::support::{Post, World, rss};

const PAST: &str = "Mon, 01 Jan 2024 00:00:00 GMT";
const FUTURE: &str = "Thu, 01 Jan 2099 00:00:00 GMT";

/// A blog whose clock ran ahead dates its newest post in 2099: the post is taken (its date
/// clamped to the fetch) and the owner is told, until they fix the date.
#[tokio::test]
async fn a_recovered_fault_is_kept_until_a_clean_read_replaces_it() {
    let world = World::new().await;
    let etbe = world.member("etbe").await;
    let old = Post::new("post-1", "One post", Some(PAST), "Hi");
    let ahead = rss("Clock", &[Post::new("post-2", "Ahead", Some(FUTURE), "Soon"), old.clone()]);
    world.origin.set("/feed", Reply::rss(ahead).header(header::ETAG, "\"v1\""));
    world.link(etbe, "/feed").await;

    let read = world.refresh(etbe).await;
    assert_eq!(read.last_error, None);
    assert_eq!(read.last_warnings.len(), 1, "{:?}", read.last_warnings);
    assert!(read.last_warnings[0].contains("2099-01-01T00:00:00Z is in the future"), "{read:?}");
    assert_eq!(world.diary(etbe).await.len(), 2, "a recovered fault keeps no post out");

    // 304: nothing was read again, so what the last read found still holds.
    let unchanged = world.refresh(etbe).await;
    let last = world.origin.requests_to("/feed").pop().expect("a request");
    assert_eq!(last.status, StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.last_warnings, read.last_warnings);

    // A failure is news of its own; the faults of the last read stay beside it.
    world.origin.set("/feed", Reply::status(500));
    let failed = world.refresh(etbe).await;
    assert!(failed.last_error.is_some(), "{failed:?}");
    assert_eq!(failed.last_warnings, read.last_warnings);

    // The owner fixes the date: the next read is clean and says so.
    let fixed = rss("Clock", &[Post::new("post-2", "Ahead", Some(PAST), "Soon"), old]);
    world.origin.set("/feed", Reply::rss(fixed).header(header::ETAG, "\"v2\""));
    let clean = world.refresh(etbe).await;
    assert_eq!((clean.last_error, clean.last_warnings), (None, vec![]));
}

/// A feed of many future-dated posts has a warning for each: the owner sees the first ones and
/// how many more there were, not a row that grows with the feed.
#[tokio::test]
async fn many_faults_are_stored_as_a_bounded_list() {
    let world = World::new().await;
    let etbe = world.member("etbe").await;
    let guids: Vec<String> = (0..MAX_FEED_WARNINGS * 2).map(|n| format!("post-{n}")).collect();
    let posts: Vec<Post<'_>> =
        guids.iter().map(|guid| Post::new(guid, "Ahead", Some(FUTURE), "Soon")).collect();
    world.origin.set("/feed", Reply::rss(rss("Clock", &posts)));
    world.link(etbe, "/feed").await;

    let read = world.refresh(etbe).await;
    assert_eq!(world.diary(etbe).await.len(), posts.len());
    assert_eq!(read.last_warnings.len(), MAX_FEED_WARNINGS, "{:?}", read.last_warnings);
    assert!(read.last_warnings[0].contains("is in the future"), "{:?}", read.last_warnings);
    let more = read.last_warnings.last().expect("a last line");
    assert!(more.starts_with("… and ") && more.ends_with(" more"), "{more}");
}
