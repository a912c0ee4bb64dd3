//! Readers find what was written: `/search` and `GET /api/v1/search` over HTTP, the header's
//! search box, paging that keeps the query, refusals in words, text that stays text, and
//! results that follow writes at once (the page cache included).

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{TimeZone, Utc};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use virgule_store::testing::fresh_store;

use crate::harness::TestApp;
use crate::pages_support::{draft, member_id};

async fn api(app: &TestApp, query: &str) -> (StatusCode, Value) {
    let res = Client::new().get(app.url(&format!("/api/v1/search?{query}"))).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

fn titles(body: &Value) -> Vec<String> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| hit["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_api_finds_ranks_and_marks_and_keeps_text_as_text() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    app.post_entry(&alice, "Packaging for Debian", "I build *Debian* packages.").await;
    app.post_entry(
        &bob,
        "Lunch",
        "A sandwich; debian &lt;b&gt; was mentioned. <script>alert(1)</script>",
    )
    .await;
    app.post_entry(&bob, "Other", "Nothing here.").await;

    let (status, body) = api(&app, "q=debian").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["total"], 2);
    assert_eq!(titles(&body), ["Packaging for Debian", "Lunch"]);
    let best = &body["results"][0];
    assert_eq!(best["kind"], "entry");
    assert_eq!(best["author"], "alice");
    assert!(best["url"].as_str().unwrap().ends_with("/person/alice/diary/0.html"), "{best}");
    assert!(best["url"].as_str().unwrap().starts_with("http"), "absolute: {best}");
    assert!(
        best["snippet_html"].as_str().unwrap().contains("<mark>Debian</mark> packages"),
        "{best}"
    );
    // The sanitizer dropped the script; what was text is escaped, never markup.
    let lunch = body["results"][1]["snippet_html"].as_str().unwrap();
    assert!(!lunch.contains("<script") && !lunch.contains("alert"), "{lunch}");
    assert!(lunch.contains("&lt;b&gt;"), "{lunch}");

    let (_, by_bob) = api(&app, "q=debian&author=bob").await;
    assert_eq!(titles(&by_bob), ["Lunch"]);
    let (_, replies) = api(&app, "q=debian&kind=reply").await;
    assert_eq!(replies["total"], 0);
    let (_, none_yet) = api(&app, "q=debian&until=2000-01-01").await;
    assert_eq!(none_yet["total"], 0);

    for (query, status, code) in [
        ("", StatusCode::BAD_REQUEST, "bad_query"),
        ("q=-debian", StatusCode::BAD_REQUEST, "bad_query"),
        ("q=debian&kind=page", StatusCode::BAD_REQUEST, "bad_query"),
        ("q=debian&since=yesterday", StatusCode::BAD_REQUEST, "bad_query"),
        ("q=debian&limit=1000", StatusCode::BAD_REQUEST, "bad_query"),
        ("q=debian&author=nobody", StatusCode::NOT_FOUND, "not_found"),
    ] {
        let (got, body) = api(&app, query).await;
        assert_eq!((got, body["code"].as_str().unwrap()), (status, code), "{query}: {body}");
        assert!(!body["error"].as_str().unwrap().is_empty());
    }
}

#[tokio::test]
async fn results_follow_writes_edits_and_deletes_at_once() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let client = app.browser();
    // Anonymous reads go through the page cache: a cached answer must not outlive a write.
    let (_, page) = app.get(&client, "/search?q=zebra").await;
    assert!(page.contains("Nothing found for “zebra”"), "{page}");
    let number = app.post_entry(&alice, "Stripes", "A zebra walked in.").await;
    let (_, page) = app.get(&client, "/search?q=zebra").await;
    assert!(page.contains("1 result for “zebra”"), "{page}");
    assert!(
        page.contains(&format!(r#"<a href="/person/alice/diary/{number}.html">Stripes</a>"#)),
        "{page}"
    );

    let entry = format!("/api/v1/people/alice/entries/{number}");
    let res = Client::new()
        .put(app.url(&entry))
        .bearer_auth(&alice)
        .json(&json!({"title": "Spots", "body": "A leopard walked in.", "format": "markdown"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(api(&app, "q=zebra").await.1["total"], 0);
    assert_eq!(titles(&api(&app, "q=leopard").await.1), ["Spots"]);
    let res = Client::new().delete(app.url(&entry)).bearer_auth(&alice).send().await.unwrap();
    assert!(res.status().is_success());
    assert_eq!(api(&app, "q=leopard").await.1["total"], 0);
    let (_, page) = app.get(&client, "/search?q=leopard").await;
    assert!(page.contains("Nothing found"), "{page}");
}

#[tokio::test]
async fn the_page_pages_keeps_its_filters_and_explains_a_refusal() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    for n in 0..12 {
        app.post_entry(&alice, &format!("Kernel note {n}"), "About the kernel & more.").await;
    }
    let client = app.browser();
    // Every page's header has the search box.
    let (_, front) = app.get(&client, "/").await;
    assert!(
        front.contains(r#"<form class="site-search" method="get" action="/search" role="search">"#)
    );

    let (status, page) = app.get(&client, "/search?q=kernel&author=alice").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("12 results for “kernel”"), "{page}");
    assert_eq!(page.matches(r#"<li class="hit" data-kind="entry">"#).count(), 10);
    assert!(page.contains("<mark>kernel</mark> &amp; more"), "{page}");
    assert!(page.contains(r#"<a class="older" href="/search?q=kernel&#38;author=alice&#38;start=10">More results</a>"#), "{page}");
    let (_, second) = app.get(&client, "/search?q=kernel&author=alice&start=10").await;
    assert_eq!(second.matches(r#"<li class="hit""#).count(), 2);
    assert!(second.contains(r#"<ol class="search-results" start="11">"#));
    assert!(second.contains("Previous results"));
    // The filters stay filled in, and open.
    assert!(second.contains(r#"name="author" value="alice""#) && second.contains("<details open>"));

    let (status, page) = app.get(&client, "/search?q=k*").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("a prefix needs at least 2 letters"), "{page}");
    assert!(page.contains(r#"name="q" value="k*""#));
    let (status, page) = app.get(&client, "/search").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("search-summary"));
}

/// A search stopped at the site's time budget is answered in words on both sides, never with
/// a server error: the API's 400 `search_too_broad`, and the page's form with the sentence.
#[tokio::test]
async fn a_search_past_the_time_budget_asks_the_reader_to_narrow_it() {
    let (store, _db) = fresh_store().await;
    // Spent before it starts: SQLite's progress handler stops the first statement at its
    // first look at the clock (the entries below give it enough to read), PostgreSQL's
    // search stops before its first statement.
    let store = store.with_search_budget(Duration::ZERO);
    let app = TestApp::serve(store).await;
    app.register_browser(&app.browser(), "etbe").await;
    let id = member_id(&app.store, "etbe").await;
    let at =
        |n: i64| Utc.with_ymd_and_hms(2021, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(n);
    let items: Vec<_> =
        (0..200).map(|n| (draft(&format!("Walrus {n}"), "The walrus.", &[]), at(n))).collect();
    app.store.create_entries_bulk(id, &items).await.unwrap();

    let (status, body) = api(&app, "q=walrus").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "search_too_broad");
    assert!(body["error"].as_str().unwrap().contains("narrow it"), "{body}");
    let client = app.browser();
    let (status, page) = app.get(&client, "/search?q=walrus").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("this search took longer than the site allows"), "{page}");
    assert!(page.contains(r#"name="q" value="walrus""#), "{page}");
}
