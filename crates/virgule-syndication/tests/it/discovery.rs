//! Members paste their blog's home page more often than its feed: the engine finds the feed
//! the page announces and subscribes to that from then on; a page that announces none gets
//! an error telling the member what to give instead.

use crate::origin::Reply;
use crate::support::{World, titles};

const WORDPRESS: &[u8] = include_bytes!("../../testdata/etbe-wordpress.rss");

/// The head of a WordPress home page: the posts feed first, the comments feed after.
const HOME: &str = r#"<!DOCTYPE html>
<html lang="en-AU"><head><meta charset="UTF-8">
<title>etbe – Russell Coker</title>
<link rel="alternate" type="application/rss+xml" title="etbe &raquo; Feed" href="/feed/">
<link rel="alternate" type="application/rss+xml" title="etbe &raquo; Comments Feed" href="/comments/feed/">
</head><body><h1>etbe – Russell Coker</h1></body></html>"#;

#[tokio::test]
async fn a_home_page_address_is_followed_to_its_feed_which_becomes_the_subscription() {
    let world = World::new().await;
    let etbe = world.member("etbe").await;
    world.origin.set("/", Reply::ok("text/html; charset=UTF-8", HOME));
    world.origin.set("/feed/", Reply::rss(WORDPRESS));
    world.origin.set("/comments/feed/", Reply::rss(&b"<rss version=\"2.0\"/>"[..]));

    let home = world.origin.url("/");
    world.syndicator.subscribe(etbe, &home).await.expect("subscribe");
    let feed = world.refresh(etbe).await;

    assert_eq!(feed.url, Some(world.origin.url("/feed/")), "the feed, not the page");
    assert_eq!(feed.last_error, None);
    assert_eq!(feed.title, "etbe – Russell Coker");
    let diary = world.diary(etbe).await;
    assert_eq!(diary.len(), 10);
    assert_eq!(titles(&diary)[0], "Minikube and Debian");
    assert!(world.origin.requests_to("/comments/feed/").is_empty(), "the posts feed wins");
    // The page was read once, by the first fetch; "fetch now" went to the feed itself.
    assert_eq!(world.origin.requests_to("/").len(), 1);
    assert_eq!(world.origin.requests_to("/feed/").len(), 2);
}

#[tokio::test]
async fn a_page_without_a_feed_link_is_a_clear_error() {
    let world = World::new().await;
    let member = world.member("member").await;
    let page = "<!DOCTYPE html><html><head><title>My photos</title></head>\
                <body><a href=\"/feed/\">not announced</a></body></html>";
    world.origin.set("/photos", Reply::ok("text/html", page));
    world.link(member, "/photos").await;
    let feed = world.refresh(member).await;

    let error = feed.last_error.expect("an error");
    assert!(error.contains("links to no feed"), "{error}");
    assert!(error.contains("give the address of the feed itself"), "{error}");
    assert_eq!(feed.url, Some(world.origin.url("/photos")), "the member's address is kept");
    assert!(world.diary(member).await.is_empty());
    assert_eq!(world.origin.request_count(), 1);
}
