//! Feeds out, read back by a real feed parser (feed-rs, as a feed reader would): every diary
//! and the recent log in RSS 2.0, Atom 1.0 and JSON Feed 1.1, with full content, absolute
//! links, dates, and well-formed XML whatever the entries contain.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, TimeZone, Utc};
use feed_rs::model::{Feed, FeedType};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use virgule_store::{EntryDraft, EntryFormat, MemberName, TrustLevel};

use crate::harness::TestApp;
use crate::recentlog_thresh::set_level;

const DIARY_TITLE: &str = "Recent blog entries for alice – Virgule Test";

/// GETs a feed, checks its content type, and returns its text.
async fn fetch(app: &TestApp, path: &str, content_type: &str) -> String {
    let response = Client::new().get(app.url(path)).send().await.expect("GET feed");
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let got =
        response.headers().get("content-type").expect("content type").to_str().unwrap().to_owned();
    assert_eq!(got, format!("{content_type}; charset=utf-8"), "{path}");
    response.text().await.expect("feed text")
}

async fn parse(app: &TestApp, path: &str, content_type: &str) -> Feed {
    let text = fetch(app, path, content_type).await;
    feed_rs::parser::parse(text.as_bytes())
        .unwrap_or_else(|e| panic!("{path} does not parse ({e}): {text}"))
}

/// The three feeds of a member's diary or of the recent log.
fn feeds_under(prefix: &str) -> [(String, &'static str, FeedType); 3] {
    if prefix == "/recentlog" {
        [
            ("/recentlog.rss".to_owned(), "application/rss+xml", FeedType::RSS2),
            ("/recentlog.atom".to_owned(), "application/atom+xml", FeedType::Atom),
            ("/recentlog.json".to_owned(), "application/feed+json", FeedType::JSON),
        ]
    } else {
        [
            (format!("{prefix}/rss.xml"), "application/rss+xml", FeedType::RSS2),
            (format!("{prefix}/atom.xml"), "application/atom+xml", FeedType::Atom),
            (format!("{prefix}/feed.json"), "application/feed+json", FeedType::JSON),
        ]
    }
}

fn title(feed_title: &Option<feed_rs::model::Text>) -> String {
    feed_title.as_ref().map(|t| t.content.clone()).unwrap_or_default()
}

fn link_hrefs(links: &[feed_rs::model::Link]) -> Vec<String> {
    links.iter().map(|l| l.href.clone()).collect()
}

#[tokio::test]
async fn diary_feeds_carry_titles_links_full_content_and_dates() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    for i in 0..3 {
        let response = Client::new()
            .post(app.url("/api/v1/entries"))
            .bearer_auth(&alice)
            .json(&json!({"title": format!("Entry {i}"), "body": format!("Full text of *entry {i}*, with [a link](/person/bob/)."), "format": "markdown", "tags": ["debian"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    app.post_entry(&bob, "Bob's", "not alice's").await;
    let (_, api_entry) = {
        let res =
            Client::new().get(app.url("/api/v1/people/alice/entries/2")).send().await.unwrap();
        (res.status(), res.json::<Value>().await.unwrap())
    };
    let published = chrono::DateTime::parse_from_rfc3339(api_entry["published"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);

    for (path, content_type, feed_type) in feeds_under("/person/alice") {
        let feed = parse(&app, &path, content_type).await;
        assert_eq!(feed.feed_type, feed_type, "{path}");
        assert_eq!(title(&feed.title), DIARY_TITLE, "{path}");
        assert!(
            link_hrefs(&feed.links).contains(&app.url("/person/alice/diary.html")),
            "{path}: {:?}",
            feed.links
        );
        assert_eq!(feed.entries.len(), 3, "{path}");
        let newest = &feed.entries[0];
        assert_eq!(title(&newest.title), "Entry 2", "{path}");
        assert_eq!(link_hrefs(&newest.links)[0], app.url("/person/alice/diary/2.html"), "{path}");
        let body = newest
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .unwrap_or_else(|| panic!("{path}: no content"));
        assert!(body.contains("Full text of <em>entry 2</em>"), "{path}: {body}");
        assert!(
            body.contains(&format!("href=\"{}\"", app.url("/person/bob/"))),
            "{path}: links are absolute: {body}"
        );
        // Feeds carry whole seconds.
        let got = newest.published.unwrap_or_else(|| panic!("{path}: no date"));
        assert!((got - published).num_seconds().abs() <= 1, "{path}: {got} vs {published}");
        assert!(
            newest.categories.iter().any(|c| c.term == "debian"),
            "{path}: {:?}",
            newest.categories
        );
        assert!(
            newest.authors.iter().any(|a| a.name.as_deref() == Some("alice")),
            "{path}: {:?}",
            newest.authors
        );
    }
    // The RSS item's id is its permalink; the Atom entry's too.
    let rss = fetch(&app, "/person/alice/rss.xml", "application/rss+xml").await;
    assert!(
        rss.contains(&format!(
            "<atom:link href=\"{}\" rel=\"self\"",
            app.url("/person/alice/rss.xml")
        )),
        "{rss}"
    );
    assert!(rss.contains(&format!(
        "<guid isPermaLink=\"true\">{}</guid>",
        app.url("/person/alice/diary/0.html")
    )));
    let atom = parse(&app, "/person/alice/atom.xml", "application/atom+xml").await;
    assert_eq!(atom.entries[2].id, app.url("/person/alice/diary/0.html"));
}

#[tokio::test]
async fn the_recent_log_feeds_name_each_author() {
    let app = TestApp::start().await;
    for (path, content_type, _) in feeds_under("/recentlog") {
        let feed = parse(&app, &path, content_type).await;
        assert!(feed.entries.is_empty(), "{path}: an empty site has an empty, valid feed");
    }
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    app.post_entry(&alice, "From alice", "a").await;
    app.post_entry(&bob, "From bob", "b").await;
    // The recent-log feeds show Apprentices and above.
    set_level(&app, "alice", TrustLevel::Apprentice).await;
    set_level(&app, "bob", TrustLevel::Apprentice).await;
    for (path, content_type, _) in feeds_under("/recentlog") {
        let feed = parse(&app, &path, content_type).await;
        assert_eq!(title(&feed.title), "Recent blog entries – Virgule Test", "{path}");
        let seen: Vec<(String, String)> = feed
            .entries
            .iter()
            .map(|e| {
                (
                    title(&e.title),
                    e.authors.first().and_then(|a| a.name.clone()).unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            vec![("From bob".into(), "bob".into()), ("From alice".into(), "alice".into())],
            "{path}"
        );
        assert_eq!(link_hrefs(&feed.entries[0].links)[0], app.url("/person/bob/diary/0.html"));
    }
}

#[tokio::test]
async fn feeds_hold_the_latest_twenty_entries() {
    let app = TestApp::start().await;
    app.register_api("alice").await;
    let member =
        app.store.member_by_name(&MemberName::parse("alice").unwrap()).await.unwrap().unwrap();
    let start = Utc.with_ymd_and_hms(2007, 1, 1, 9, 30, 0).unwrap();
    let drafts: Vec<_> = (0..25)
        .map(|i| {
            let html = format!("<p>Post number {i}</p>");
            let draft = EntryDraft {
                title: format!("Post {i}"),
                format: EntryFormat::Html,
                body_source: html.clone(),
                html,
                tags: vec![],
            };
            (draft, start + Duration::days(i))
        })
        .collect();
    app.store.create_entries_bulk(member.id, &drafts).await.unwrap();
    // The recent-log feeds show Apprentices and above.
    set_level(&app, "alice", TrustLevel::Apprentice).await;
    for (path, content_type, _) in
        feeds_under("/person/alice").into_iter().chain(feeds_under("/recentlog"))
    {
        let feed = parse(&app, &path, content_type).await;
        assert_eq!(feed.entries.len(), 20, "{path}");
        assert_eq!(title(&feed.entries[0].title), "Post 24", "{path}");
        assert_eq!(title(&feed.entries[19].title), "Post 5", "{path}");
        assert_eq!(feed.entries[0].published, Some(start + Duration::days(24)), "{path}");
        assert_eq!(feed.entries[0].updated, Some(start + Duration::days(24)), "{path}");
        let body =
            feed.entries[19].content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
        assert!(body.contains("Post number 5"), "{path}: {body}");
    }
}

#[tokio::test]
async fn hostile_titles_and_bodies_stay_well_formed_text() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let hostile_title = "Fish &amp; <b>chips</b> \"quoted\" & 'more'";
    let response = Client::new()
        .post(app.url("/api/v1/entries"))
        .bearer_auth(&alice)
        .json(&json!({
            "title": hostile_title,
            "body": "<p>before ]]> after &amp; <![CDATA[ x ]]> <b>bold</b></p>",
            "format": "html",
            "tags": ["q&a", "<tag>"]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // The recent-log feeds show Apprentices and above.
    set_level(&app, "alice", TrustLevel::Apprentice).await;
    for (path, content_type, _) in
        feeds_under("/person/alice").into_iter().chain(feeds_under("/recentlog"))
    {
        let feed = parse(&app, &path, content_type).await;
        let entry = &feed.entries[0];
        assert_eq!(title(&entry.title), hostile_title, "{path}: the title is text, escaped once");
        let body = entry.content.as_ref().and_then(|c| c.body.clone()).unwrap_or_default();
        assert!(body.contains("before ]]") && body.contains("after"), "{path}: {body}");
        assert!(body.contains("<b>bold</b>"), "{path}: {body}");
        let terms: Vec<&str> = entry.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, vec!["<tag>", "q&a"], "{path}");
    }
}

#[tokio::test]
async fn the_json_feed_is_version_1_1() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    app.post_entry(&alice, "Hello", "Hello *world*").await;
    let text = fetch(&app, "/person/alice/feed.json", "application/feed+json").await;
    let feed: Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(feed["title"], DIARY_TITLE);
    assert_eq!(feed["home_page_url"], app.url("/person/alice/diary.html"));
    assert_eq!(feed["feed_url"], app.url("/person/alice/feed.json"));
    let items = feed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["id"], app.url("/person/alice/diary/0.html"));
    assert_eq!(item["url"], item["id"]);
    assert_eq!(item["title"], "Hello");
    assert!(item["content_html"].as_str().unwrap().contains("<em>world</em>"));
    assert!(chrono::DateTime::parse_from_rfc3339(item["date_published"].as_str().unwrap()).is_ok());
    assert!(chrono::DateTime::parse_from_rfc3339(item["date_modified"].as_str().unwrap()).is_ok());
    assert_eq!(item["tags"], json!([]));
    assert_eq!(item["authors"], json!([{"name": "alice", "url": app.url("/person/alice/")}]));
}

#[tokio::test]
async fn an_unknown_person_has_no_feeds() {
    let app = TestApp::start().await;
    for (path, _, _) in
        feeds_under("/person/nobody").into_iter().chain(feeds_under("/person/Bad%20Name"))
    {
        let response = Client::new().get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}
