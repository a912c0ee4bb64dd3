//! Diary entries by API: numbering and permalinks, who may write what, sanitizing, and
//! pagination at the sizes that matter (0, 10, 11 and 1,168 entries, as on the seed diary).

#![allow(clippy::unwrap_used)]

use chrono::{Duration, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use virgule_store::{EntryDraft, EntryFormat, MemberName};

use crate::api_support::{assert_error, call, get, read};
use crate::harness::{PASSWORD, TestApp, csrf_token};

fn entry_body(title: &str, body: &str) -> Value {
    json!({"title": title, "body": body, "format": "markdown", "tags": ["Debian", "SE Linux"]})
}

async fn create(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, "/api/v1/entries", Some(token), Some(body)).await
}

#[tokio::test]
async fn entries_are_numbered_from_zero_with_absolute_permalinks() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    for expected in 0..2 {
        let (status, body) = create(&app, &token, entry_body("Hello", "First *post*")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["number"], expected);
        assert_eq!(body["url"], app.url(&format!("/person/alice/diary/{expected}.html")));
    }
    let (status, entry) = get(&app, "/api/v1/people/alice/entries/1").await;
    assert_eq!(status, StatusCode::OK, "{entry}");
    assert_eq!(entry["number"], 1);
    assert_eq!(entry["title"], "Hello");
    assert!(entry["html"].as_str().unwrap().contains("First <em>post</em>"), "{entry}");
    assert_eq!(entry["tags"], json!(["debian", "se linux"]));
    let published = entry["published"].as_str().expect("published is a string");
    assert!(chrono::DateTime::parse_from_rfc3339(published).is_ok(), "{published}");
    assert!(published.ends_with('Z'), "UTC: {published}");
    assert!(entry.get("author").is_none(), "a diary's entries do not repeat the author");
}

#[tokio::test]
async fn anonymous_writes_are_refused() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    app.post_entry(&token, "Mine", "text").await;
    let (status, body) =
        call(&app, Method::POST, "/api/v1/entries", None, Some(entry_body("x", "y"))).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let path = "/api/v1/people/alice/entries/0";
    let (status, body) = call(&app, Method::PUT, path, None, Some(entry_body("x", "y"))).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = call(&app, Method::DELETE, path, None, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (_, entry) = get(&app, path).await;
    assert_eq!(entry["title"], "Mine");
}

#[tokio::test]
async fn another_member_cannot_edit_or_delete() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let mallory = app.register_api("mallory").await;
    app.post_entry(&alice, "Mine", "my text").await;
    let path = "/api/v1/people/alice/entries/0";
    let (_, before) = get(&app, path).await;

    let (status, body) =
        call(&app, Method::PUT, path, Some(&mallory), Some(entry_body("Pwned", "pwned"))).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) = call(&app, Method::DELETE, path, Some(&mallory), None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    // Not even a number that does not exist tells mallory anything but "forbidden".
    let (status, body) =
        call(&app, Method::DELETE, "/api/v1/people/alice/entries/7", Some(&mallory), None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");

    let (status, after) = get(&app, path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after, before, "the entry is unchanged");
}

#[tokio::test]
async fn the_owner_edits_in_place() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    app.post_entry(&token, "First", "one").await;
    app.post_entry(&token, "Second", "two").await;
    let path = "/api/v1/people/alice/entries/0";
    let (_, before) = get(&app, path).await;

    let (status, edited) = call(&app, Method::PUT, path, Some(&token), Some(json!({
        "title": "First, edited", "body": "<p>one <b>more</b></p>", "format": "html", "tags": ["edited"]
    })))
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["number"], 0);
    assert_eq!(edited["published"], before["published"], "publication time is kept");
    assert_eq!(edited["title"], "First, edited");
    assert_eq!(edited["html"], "<p>one <b>more</b></p>");
    assert_eq!(edited["tags"], json!(["edited"]));
    let (published, updated) = (&edited["published"], &edited["updated"]);
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
    assert!(parse(updated) >= parse(published));
    let (_, reread) = get(&app, path).await;
    assert_eq!(reread, edited);

    // The edit did not move it to the top of the diary.
    let (_, list) = get(&app, "/api/v1/people/alice/entries").await;
    assert_eq!(list["entries"][0]["number"], 1);

    // A refused edit changes nothing.
    let (status, body) = call(
        &app,
        Method::PUT,
        path,
        Some(&token),
        Some(json!({
            "title": "x", "body": "y", "format": "latex"
        })),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");
    assert_eq!(get(&app, path).await.1, edited);

    let (status, body) = call(
        &app,
        Method::PUT,
        "/api/v1/people/alice/entries/9",
        Some(&token),
        Some(entry_body("x", "y")),
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn a_deleted_entry_is_gone_and_its_number_is_not_reused() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    app.post_entry(&token, "Zero", "0").await;
    app.post_entry(&token, "One", "1").await;
    let path = "/api/v1/people/alice/entries/1";
    let (status, body) = call(&app, Method::DELETE, path, Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let (status, body) = get(&app, path).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = call(&app, Method::DELETE, path, Some(&token), None).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    assert_eq!(app.post_entry(&token, "Two", "2").await, 2);
    let (_, list) = get(&app, "/api/v1/people/alice/entries").await;
    assert_eq!(list["total"], 2);
    let numbers: Vec<i64> =
        list["entries"].as_array().unwrap().iter().map(|e| e["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, vec![2, 0]);
}

#[tokio::test]
async fn hostile_html_comes_back_neutralized() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    let hostile = "<p>Hi</p><script>alert(1)</script><img src=x onerror=alert(1)>\
                   <a href=\"javascript:alert(2)\">click</a>";
    for format in ["html", "markdown"] {
        let (status, created) =
            create(&app, &token, json!({"title": "<b>t</b>", "body": hostile, "format": format}))
                .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let (_, entry) =
            get(&app, &format!("/api/v1/people/alice/entries/{}", created["number"])).await;
        let html = entry["html"].as_str().unwrap();
        assert!(html.contains("Hi"), "{format}: {html}");
        assert!(html.contains("click"), "{format}: {html}");
        for bad in ["<script", "alert(1)", "onerror", "javascript:"] {
            assert!(!html.contains(bad), "{format}: {bad} survived in {html}");
        }
    }
}

#[tokio::test]
async fn refused_entries_say_why_and_store_nothing() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    for body in [
        json!({"title": "t", "body": "   ", "format": "markdown"}),
        json!({"title": "t", "body": "x", "format": "latex"}),
        json!({"title": "t".repeat(201), "body": "x", "format": "html"}),
        json!({"title": "t", "body": "<script>x()</script>", "format": "html"}),
        json!({"title": "t", "body": "x", "format": "html", "tags": ["a/b"]}),
    ] {
        let (status, answer) = create(&app, &token, body).await;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, "invalid");
    }
    let (status, answer) =
        create(&app, &token, json!({"title": "t", "body": "x", "format": "html", "tags": "a"}))
            .await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "bad_json");
    let (_, list) = get(&app, "/api/v1/people/alice/entries").await;
    assert_eq!(list, json!({"total": 0, "entries": []}));
}

/// The numbers of a page of `name`'s diary, and the total.
async fn page(app: &TestApp, name: &str, query: &str) -> (i64, Vec<i64>) {
    let (status, body) = get(app, &format!("/api/v1/people/{name}/entries{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let numbers =
        body["entries"].as_array().unwrap().iter().map(|e| e["number"].as_i64().unwrap()).collect();
    (body["total"].as_i64().unwrap(), numbers)
}

#[tokio::test]
async fn pagination_at_zero_ten_and_eleven_entries() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    assert_eq!(page(&app, "alice", "").await, (0, vec![]));
    for i in 0..10 {
        app.post_entry(&token, &format!("Entry {i}"), "text").await;
    }
    assert_eq!(page(&app, "alice", "").await, (10, (0..10).rev().collect()));
    assert_eq!(page(&app, "alice", "?start=10").await, (10, vec![]));
    app.post_entry(&token, "Entry 10", "text").await;
    assert_eq!(page(&app, "alice", "").await, (11, (1..11).rev().collect()));
    assert_eq!(page(&app, "alice", "?start=10").await, (11, vec![0]));
    assert_eq!(page(&app, "alice", "?start=3&limit=2").await, (11, vec![7, 6]));
}

#[tokio::test]
async fn pagination_over_a_diary_of_1168_entries() {
    let app = TestApp::start().await;
    app.register_api("etbe").await;
    let member =
        app.store.member_by_name(&MemberName::parse("etbe").unwrap()).await.unwrap().unwrap();
    let start = Utc.with_ymd_and_hms(2006, 1, 1, 0, 0, 0).unwrap();
    let drafts: Vec<(EntryDraft, _)> = (0..1168)
        .map(|i| {
            let draft = EntryDraft {
                title: format!("Post {i}"),
                format: EntryFormat::Html,
                body_source: format!("<p>post {i}</p>"),
                html: format!("<p>post {i}</p>"),
                tags: vec![],
            };
            (draft, start + Duration::hours(i))
        })
        .collect();
    assert_eq!(app.store.create_entries_bulk(member.id, &drafts).await.unwrap(), 1168);
    // Written past the site, as another process would: the site sees it once it has read
    // the content version (its poller does a few times a second), not from a member it
    // remembered at registration.
    app.caught_up().await;

    assert_eq!(page(&app, "etbe", "").await, (1168, (1158..1168).rev().collect()));
    assert_eq!(page(&app, "etbe", "?start=10").await, (1168, (1148..1158).rev().collect()));
    assert_eq!(page(&app, "etbe", "?start=1160").await, (1168, (0..8).rev().collect()));
    assert_eq!(page(&app, "etbe", "?start=1168").await, (1168, vec![]));
    assert_eq!(page(&app, "etbe", "?start=5000").await, (1168, vec![]));
    let (_, hundred) = page(&app, "etbe", "?start=100&limit=100").await;
    assert_eq!(hundred, (968..1068).rev().collect::<Vec<_>>());
    let (_, oldest) = get(&app, "/api/v1/people/etbe/entries/0").await;
    assert_eq!(oldest["published"], "2006-01-01T00:00:00Z");
}

#[tokio::test]
async fn bad_windows_and_unknown_people_are_refused() {
    let app = TestApp::start().await;
    app.register_api("alice").await;
    for query in
        ["?limit=abc", "?limit=0", "?limit=101", "?limit=-5", "?start=-1", "?start=x", "?limit=1.5"]
    {
        let (status, body) = get(&app, &format!("/api/v1/people/alice/entries{query}")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_query");
    }
    for path in [
        "/api/v1/people/nobody/entries",
        "/api/v1/people/Bad%20Name/entries",
        "/api/v1/people/alice/entries/0",
        "/api/v1/people/alice/entries/-1",
        "/api/v1/people/alice/entries/zero",
        "/api/v1/people/nobody/entries/0",
    ] {
        let (status, body) = get(&app, path).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
}

#[tokio::test]
async fn browser_session_writes_need_the_csrf_header() {
    let app = TestApp::start().await;
    app.register_api("alice").await;
    // A browser logged in through the login form.
    let browser = app.browser();
    let response = app
        .submit(
            &browser,
            "/acct/login",
            "/acct/login",
            &[("name", "alice"), ("password", PASSWORD)],
        )
        .await;
    assert!(response.status().is_redirection(), "login: {}", response.status());
    let (status, settings) = app.get(&browser, "/acct/settings").await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_token(&settings);

    // Reading needs no token.
    let (status, body) =
        read(browser.get(app.url("/api/v1/settings/profile")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "alice");

    let post = |token: Option<&str>| {
        let mut request =
            browser.post(app.url("/api/v1/entries")).json(&entry_body("From a browser", "text"));
        if let Some(token) = token {
            request = request.header("x-csrf-token", token);
        }
        request.send()
    };
    let (status, body) = read(post(None).await.unwrap()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "csrf");
    let (status, body) = read(post(Some("not-the-token")).await.unwrap()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "csrf");
    let path = "/api/v1/people/alice/entries/0";
    let (status, body) = read(browser.delete(app.url(path)).send().await.unwrap()).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "csrf");
    assert_eq!(page(&app, "alice", "").await, (0, vec![]), "a refused write stores nothing");

    let (status, body) = read(post(Some(&csrf)).await.unwrap()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["number"], 0);
}
