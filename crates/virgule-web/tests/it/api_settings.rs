//! One's own settings by API: the profile round trip, refused fields, and a password change
//! that retires the old password and every browser session.

#![allow(clippy::unwrap_used)]

use chrono::Duration;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use virgule_store::MemberName;

use crate::api_support::{assert_error, call};
use crate::harness::{PASSWORD, TestApp};

const PROFILE: &str = "/api/v1/settings/profile";

#[tokio::test]
async fn the_profile_round_trips() {
    let app = TestApp::start().await;
    let (status, _) = call(
        &app,
        Method::POST,
        "/api/v1/accounts",
        None,
        Some(json!({
            "name": "alice", "password": PASSWORD, "email": "alice@example.org"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, token) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        None,
        Some(json!({"name": "alice", "password": PASSWORD})),
    )
    .await;
    let token = token["token"].as_str().unwrap().to_owned();

    let (status, initial) = call(&app, Method::GET, PROFILE, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        initial,
        json!({"name": "alice", "display_name": "", "homepage": "", "notes": "", "email": "alice@example.org", "replies": true})
    );

    let wanted = json!({
        "name": "alice",
        "display_name": "Alice Liddell",
        "homepage": "https://alice.example.org/blog",
        "notes": "Writes about *Debian*.",
        "email": "alice@example.org",
        "replies": false
    });
    let (status, saved) =
        call(&app, Method::PUT, PROFILE, Some(&token), Some(wanted.clone())).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved, wanted);
    assert_eq!(call(&app, Method::GET, PROFILE, Some(&token), None).await.1, wanted);

    // A field left out keeps its value.
    let (status, saved) =
        call(&app, Method::PUT, PROFILE, Some(&token), Some(json!({"display_name": "Alice"})))
            .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["display_name"], "Alice");
    assert_eq!(saved["homepage"], "https://alice.example.org/blog");

    let (status, body) = call(&app, Method::GET, PROFILE, None, None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn refused_profile_fields_change_nothing() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    let (_, before) = call(
        &app,
        Method::PUT,
        PROFILE,
        Some(&token),
        Some(json!({"display_name": "Alice", "homepage": "http://alice.example.org/"})),
    )
    .await;
    let refusals = [
        (json!({"display_name": "Bob", "homepage": "alice.example.org"}), "invalid_homepage"),
        (json!({"display_name": "Bob", "homepage": "javascript:alert(1)"}), "invalid_homepage"),
        (
            json!({"display_name": "Bob", "homepage": "ftp://alice.example.org/"}),
            "invalid_homepage",
        ),
        (json!({"display_name": "x".repeat(101)}), "invalid"),
        (json!({"display_name": "Bob", "notes": "n".repeat(16 * 1024 + 1)}), "invalid"),
        (json!({"name": "bob"}), "invalid"),
        (json!({"display_name": 5}), "bad_json"),
    ];
    for (body, code) in refusals {
        let (status, answer) = call(&app, Method::PUT, PROFILE, Some(&token), Some(body)).await;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, code);
    }
    assert_eq!(call(&app, Method::GET, PROFILE, Some(&token), None).await.1, before);
}

#[tokio::test]
async fn a_password_change_retires_the_old_password_and_sessions() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    let member =
        app.store.member_by_name(&MemberName::parse("alice").unwrap()).await.unwrap().unwrap();
    let cookie = virgule_site::password::random_token();
    let session_hash = virgule_site::password::token_hash(&cookie);
    app.store
        .create_session(&session_hash, member.id, "csrf", virgule_store::now() + Duration::days(1))
        .await
        .unwrap();
    let path = "/api/v1/settings/password";
    let new_password = "a brand new passphrase";

    let (status, body) = call(
        &app,
        Method::PUT,
        path,
        Some(&token),
        Some(json!({"current": "wrong guess here", "new": new_password})),
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "wrong_password");
    let (status, body) = call(
        &app,
        Method::PUT,
        path,
        Some(&token),
        Some(json!({"current": PASSWORD, "new": "short"})),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "weak_password");
    let (status, body) = call(
        &app,
        Method::PUT,
        path,
        None,
        Some(json!({"current": PASSWORD, "new": new_password})),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert!(
        app.store.session_by_token_hash(&session_hash).await.unwrap().is_some(),
        "refusals change nothing"
    );

    let (status, body) = call(
        &app,
        Method::PUT,
        path,
        Some(&token),
        Some(json!({"current": PASSWORD, "new": new_password})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let tokens = "/api/v1/tokens";
    let (status, body) = call(
        &app,
        Method::POST,
        tokens,
        None,
        Some(json!({"name": "alice", "password": PASSWORD})),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = call(
        &app,
        Method::POST,
        tokens,
        None,
        Some(json!({"name": "alice", "password": new_password})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    assert!(
        app.store.session_by_token_hash(&session_hash).await.unwrap().is_none(),
        "browser sessions end"
    );
    let response = Client::new()
        .get(app.url(PROFILE))
        .header("cookie", format!("virgule_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}
