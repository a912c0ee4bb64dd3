//! Public reads by API (a member's profile, the recent log, site news) and who may post news.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_support::{assert_error, call, get};
use crate::harness::TestApp;

#[tokio::test]
async fn a_profile_shows_its_public_fields() {
    let app = TestApp::start().await;
    app.register_api("root").await; // the first account: the admin, ranked at once
    let token = app.register_api("alice").await;
    let (status, _) = call(&app, Method::PUT, "/api/v1/settings/profile", Some(&token), Some(json!({
        "display_name": "Alice Liddell", "homepage": "https://alice.example.org/", "notes": "I *like* Debian."
    })))
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, person) = get(&app, "/api/v1/people/alice").await;
    assert_eq!(status, StatusCode::OK, "{person}");
    assert_eq!(person["name"], "alice");
    assert_eq!(person["display_name"], "Alice Liddell");
    assert_eq!(person["homepage"], "https://alice.example.org/");
    assert!(person["notes_html"].as_str().unwrap().contains("<em>like</em>"), "{person}");
    assert_eq!(person["level"], "observer");
    assert_eq!(person["certs_received"], json!([]));
    assert_eq!(person["certs_given"], json!([]));
    assert!(chrono::DateTime::parse_from_rfc3339(person["created"].as_str().unwrap()).is_ok());
    assert!(person.get("email").is_none(), "the e-mail address is private");
    assert!(person.get("password_hash").is_none());

    // Names are looked up case-insensitively, as they are stored lower-cased.
    assert_eq!(get(&app, "/api/v1/people/ALICE").await.1["name"], "alice");
    let (status, body) = get(&app, "/api/v1/people/nobody").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
}

#[tokio::test]
async fn the_recent_log_mixes_members_newest_first_with_authors() {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    let (_, empty) = get(&app, "/api/v1/recentlog").await;
    assert_eq!(empty, json!({"entries": []}));

    app.post_entry(&alice, "a0", "x").await;
    app.post_entry(&bob, "b0", "x").await;
    app.post_entry(&alice, "a1", "x").await;

    // New members are Observers: threshold 0 shows everyone.
    let (status, log) = get(&app, "/api/v1/recentlog?thresh=0").await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let seen: Vec<(String, String, i64)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["author"].as_str().unwrap().to_owned(),
                e["title"].as_str().unwrap().to_owned(),
                e["number"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("alice".to_owned(), "a1".to_owned(), 1),
            ("bob".to_owned(), "b0".to_owned(), 0),
            ("alice".to_owned(), "a0".to_owned(), 0),
        ]
    );
    // Paged, with the trust threshold kept.
    let (_, second) = get(&app, "/api/v1/recentlog?start=1&limit=1&thresh=0").await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 1);
    assert_eq!(second["entries"][0]["title"], "b0");
    let (status, body) = get(&app, "/api/v1/recentlog?limit=1000").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_query");
}

#[tokio::test]
async fn only_an_admin_posts_news() {
    let app = TestApp::start().await;
    // The first account of a site is its admin.
    let admin = app.register_api("root").await;
    let member = app.register_api("alice").await;
    let item = json!({"title": "New Virgule Features", "body": "Feeds *out*."});

    let (status, body) = call(&app, Method::POST, "/api/v1/news", None, Some(item.clone())).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) =
        call(&app, Method::POST, "/api/v1/news", Some(&member), Some(item.clone())).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(get(&app, "/api/v1/news").await.1, json!({"news": []}));

    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/news",
        Some(&admin),
        Some(json!({"title": " ", "body": "x"})),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");

    let (status, created) =
        call(&app, Method::POST, "/api/v1/news", Some(&admin), Some(item)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["title"], "New Virgule Features");
    assert_eq!(created["author"], "root");
    assert!(created["html"].as_str().unwrap().contains("<em>out</em>"));
    assert!(created["id"].is_i64());

    let (status, list) = get(&app, "/api/v1/news").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["news"], json!([created]));
}
