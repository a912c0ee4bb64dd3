//! A post is the same post across fetches: edits change its entry in place, deletions stay
//! deleted, republished ids do not duplicate it, its date never jumps, and a newly linked
//! blog fills the diary without flooding the recent log (docs/design.md §3).

use std::time::Duration;

use chrono::TimeDelta;

use crate::origin::Reply;
use crate::support::{Post, World, date, rss, titles};

const WORDPRESS: &str = include_str!("../../testdata/etbe-wordpress.rss");

/// The blogger fixes a typo in a published post: WordPress keeps the guid and the pubDate.
/// The diary entry changes in place (same number, same date), its `updated` moves on, and it
/// is not posted again.
#[tokio::test]
async fn an_edited_post_updates_its_entry_in_place() {
    let world = World::new().await;
    let blogger = world.member("blogger").await;
    let date_a = Some("Mon, 01 Jan 2024 09:00:00 GMT");
    let date_b = Some("Tue, 02 Jan 2024 09:00:00 GMT");
    let before = rss(
        "Blog",
        &[
            Post::new("https://blog.example.net/?p=2", "Second", date_b, "Teh body"),
            Post::new("https://blog.example.net/?p=1", "First", date_a, "First body"),
        ],
    );
    world.origin.set("/feed", Reply::rss(before));
    world.link(blogger, "/feed").await;
    world.refresh(blogger).await;
    let original = world.diary(blogger).await;
    assert_eq!(titles(&original), ["Second", "First"]);

    // Far enough apart that the edit's time differs from the first fetch's.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let after = rss(
        "Blog",
        &[
            Post::new("https://blog.example.net/?p=2", "Second (edited)", date_b, "The body"),
            Post::new("https://blog.example.net/?p=1", "First", date_a, "First body"),
        ],
    );
    world.origin.set("/feed", Reply::rss(after));
    world.refresh(blogger).await;

    let edited = world.diary(blogger).await;
    assert_eq!(edited.len(), 2, "not duplicated");
    assert_eq!(titles(&edited), ["Second (edited)", "First"]);
    let (was, now) = (&original[0], &edited[0]);
    assert_eq!(now.number, was.number, "same number, same permalink");
    assert_eq!(now.id, was.id);
    assert_eq!(now.html, "The body");
    assert_eq!(now.published, was.published, "an edit is not a new post");
    assert_eq!(now.published, date("2024-01-02T09:00:00Z"));
    assert!(now.updated > was.updated, "updated {} then {}", was.updated, now.updated);
    assert_eq!(edited[1], original[1], "the untouched post is untouched");
}

/// The member deletes a syndicated entry they do not want in their diary. The post is still
/// in their blog's feed, and even when they edit it there, it stays deleted here.
#[tokio::test]
async fn a_deleted_entry_leaves_a_tombstone_and_never_comes_back() {
    let world = World::new().await;
    let member = world.member("member").await;
    let posts = |body| {
        rss(
            "Blog",
            &[
                Post::new("keep", "Keep me", Some("Tue, 02 Jan 2024 09:00:00 GMT"), "kept"),
                Post::new("drop", "Drop me", Some("Mon, 01 Jan 2024 09:00:00 GMT"), body),
            ],
        )
    };
    world.origin.set("/feed", Reply::rss(posts("unwanted")));
    world.link(member, "/feed").await;
    world.refresh(member).await;
    let diary = world.diary(member).await;
    let unwanted = diary.iter().find(|e| e.title == "Drop me").expect("ingested");
    world.store.delete_entry(member, unwanted.number).await.expect("delete");

    let feed = world.feed(member).await;
    let items = world.store.feed_items(feed.id).await.expect("items");
    assert_eq!(items.len(), 2, "the post is still known");
    assert_eq!(items.get("drop").map(|i| i.entry_id), Some(None), "a tombstone: {items:?}");
    assert!(items.get("keep").and_then(|i| i.entry_id).is_some());

    world.refresh(member).await;
    assert_eq!(titles(&world.diary(member).await), ["Keep me"], "not re-added");

    world.origin.set("/feed", Reply::rss(posts("unwanted, now with an update")));
    let feed = world.refresh(member).await;
    assert_eq!(feed.last_error, None);
    assert_eq!(titles(&world.diary(member).await), ["Keep me"], "an edit does not revive it");
    assert_eq!(feed.entry_count, 1);
    let items = world.store.feed_items(feed.id).await.expect("items");
    assert_eq!(items.get("drop").map(|i| i.entry_id), Some(None));
}

/// WordPress moved behind TLS and a permalink plugin: every guid was republished as https,
/// some with a trailing slash. Planet sites showed the whole archive twice; the diary must
/// not.
#[tokio::test]
async fn guid_churn_between_http_and_https_and_trailing_slashes_does_not_duplicate() {
    let world = World::new().await;
    let member = world.member("member").await;
    let a = Some("Mon, 01 Jan 2024 09:00:00 GMT");
    let b = Some("Tue, 02 Jan 2024 09:00:00 GMT");
    let before = rss(
        "Blog",
        &[
            Post::new("http://blog.example.net/2024/01/02/b", "B", b, "b"),
            Post::new("http://blog.example.net/?p=1", "A", a, "a"),
        ],
    );
    let after = rss(
        "Blog",
        &[
            Post::new("https://blog.example.net/2024/01/02/b/", "B", b, "b"),
            Post::new("https://blog.example.net/?p=1", "A", a, "a"),
        ],
    );
    world.origin.set("/feed", Reply::rss(before));
    world.link(member, "/feed").await;
    world.refresh(member).await;
    world.origin.set("/feed", Reply::rss(after));
    world.refresh(member).await;

    let diary = world.diary(member).await;
    assert_eq!(titles(&diary), ["B", "A"]);
    assert_eq!(world.known_items(member).await, 2);
}

/// A member links a blog with years of posts: the whole archive goes into their diary, but
/// only the newest three reach the site's recent log, so one newcomer does not push every
/// other member off the front page. Posts written after that reach it as usual.
#[tokio::test]
async fn a_new_archive_fills_the_diary_but_only_its_newest_three_reach_the_recent_log() {
    let world = World::new().await;
    let etbe = world.member("etbe").await;
    world.origin.set("/feed/", Reply::rss(WORDPRESS));
    world.link(etbe, "/feed/").await;
    world.refresh(etbe).await;

    assert_eq!(world.diary(etbe).await.len(), 10);
    assert_eq!(
        titles(&world.recent_log().await),
        ["Minikube and Debian", "Echo Chambers vs Epistemic Bubbles", "More EVM"]
    );

    // Russell writes a new post; WordPress puts it at the top of the feed.
    let new_post = "<item><title>Kubernetes on Bullseye</title>\
        <link>https://etbe.coker.com.au/2021/05/22/kubernetes-on-bullseye/</link>\
        <pubDate>Sat, 22 May 2021 09:00:00 +0000</pubDate>\
        <guid isPermaLink=\"false\">https://etbe.coker.com.au/?p=5912</guid>\
        <content:encoded><![CDATA[<p>Following on from Minikube.</p>]]></content:encoded>\
        </item>";
    let marker = "<item>";
    let at = WORDPRESS.find(marker).expect("an item");
    let with_new = format!("{}{new_post}{}", &WORDPRESS[..at], &WORDPRESS[at..]);
    world.origin.set("/feed/", Reply::rss(with_new));
    world.refresh(etbe).await;

    let diary = world.diary(etbe).await;
    assert_eq!(diary.len(), 11);
    assert_eq!(diary[0].title, "Kubernetes on Bullseye");
    assert_eq!(diary[0].number, 10);
    assert_eq!(
        titles(&world.recent_log().await),
        [
            "Kubernetes on Bullseye",
            "Minikube and Debian",
            "Echo Chambers vs Epistemic Bubbles",
            "More EVM"
        ]
    );
}

/// A blog with a broken clock (or a scheduled post leaking into the feed) dates a post next
/// year: it is dated when it was fetched, so it does not sit on top of the recent log for a
/// year.
#[tokio::test]
async fn a_future_dated_post_is_clamped_to_the_fetch_time() {
    let world = World::new().await;
    let member = world.member("member").await;
    let next_year = (chrono::Utc::now() + TimeDelta::days(365)).to_rfc2822();
    world.origin.set(
        "/feed",
        Reply::rss(rss("Blog", &[Post::new("future", "From the future", Some(&next_year), "x")])),
    );
    world.link(member, "/feed").await;
    let before = virgule_store::now();
    let feed = world.refresh(member).await;

    let diary = world.diary(member).await;
    assert_eq!(diary.len(), 1);
    let published = diary[0].published;
    assert!(published >= before, "{published} before the fetch at {before}");
    assert!(published <= feed.last_fetch_at.expect("fetched"), "{published}");
    let recent = world.recent_log().await;
    assert_eq!(recent[0].published, published);
}

/// A feed without dates (some static-site generators): each post is dated when first seen,
/// and keeps that date at every later fetch, also when it is edited, rather than becoming
/// "now" again at every refresh and climbing back to the top.
#[tokio::test]
async fn an_undated_post_keeps_its_first_seen_date() {
    let world = World::new().await;
    let member = world.member("member").await;
    world
        .origin
        .set("/feed", Reply::rss(rss("Blog", &[Post::new("undated", "Undated", None, "v1")])));
    world.link(member, "/feed").await;
    let before = virgule_store::now();
    world.refresh(member).await;
    let first = world.diary(member).await;
    assert_eq!(first.len(), 1);
    let first_seen = first[0].published;
    assert!(first_seen >= before);

    tokio::time::sleep(Duration::from_millis(5)).await;
    world.refresh(member).await;
    let again = world.diary(member).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].published, first_seen, "unchanged post, unchanged date");

    world
        .origin
        .set("/feed", Reply::rss(rss("Blog", &[Post::new("undated", "Undated", None, "v2")])));
    world.refresh(member).await;
    let edited = world.diary(member).await;
    assert_eq!(edited.len(), 1);
    assert_eq!(edited[0].html, "v2");
    assert_eq!(edited[0].published, first_seen, "an edit keeps the first-seen date");
    assert!(edited[0].updated > first_seen);
    let feed = world.feed(member).await;
    let items = world.store.feed_items(feed.id).await.expect("items");
    assert_eq!(items.get("undated").map(|i| i.first_seen), Some(first_seen));
}
