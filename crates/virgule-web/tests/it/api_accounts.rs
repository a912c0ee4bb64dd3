//! Registration and API tokens: shapes, status codes and the error body on every refusal.

#![allow(clippy::unwrap_used)]

use reqwest::{Client, Method, StatusCode};
use serde_json::json;
use virgule_store::MemberName;

use crate::api_support::{assert_error, call, error_code, read};
use crate::harness::{PASSWORD, TestApp};

#[tokio::test]
async fn an_account_is_created_with_its_lower_cased_name() {
    let app = TestApp::start().await;
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/accounts",
        None,
        Some(json!({
            "name": "Alice", "password": PASSWORD, "email": "alice@example.org"
        })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body, json!({"name": "alice"}));
    let member = app
        .store
        .member_by_name(&MemberName::parse("alice").unwrap())
        .await
        .unwrap()
        .expect("stored");
    assert_eq!(member.email.as_deref(), Some("alice@example.org"));
}

#[tokio::test]
async fn a_taken_name_is_a_conflict() {
    let app = TestApp::start().await;
    app.register_api("alice").await;
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/accounts",
        None,
        Some(json!({
            "name": "ALICE", "password": "another fine password"
        })),
    )
    .await;
    assert_error(status, &body, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn bad_names_passwords_and_emails_are_refused_and_nothing_is_stored() {
    let app = TestApp::start().await;
    let cases = [
        (json!({"name": "Bad Name!", "password": PASSWORD}), "invalid_name"),
        (json!({"name": "", "password": PASSWORD}), "invalid_name"),
        (json!({"name": "x".repeat(33), "password": PASSWORD}), "invalid_name"),
        (json!({"name": "bob", "password": "short"}), "weak_password"),
        (json!({"name": "bob", "password": "password"}), "weak_password"),
        (json!({"name": "bob", "password": "bob-is-great-2024"}), "weak_password"),
        (json!({"name": "bob", "password": PASSWORD, "email": "not-an-address"}), "invalid_email"),
        (json!({"name": "bob", "password": PASSWORD, "email": "a@b@c"}), "invalid_email"),
    ];
    for (body, code) in cases {
        let (status, answer) =
            call(&app, Method::POST, "/api/v1/accounts", None, Some(body.clone())).await;
        assert_error(status, &answer, StatusCode::BAD_REQUEST, code);
    }
    assert_eq!(app.store.member_count().await.unwrap(), 0);
}

#[tokio::test]
async fn malformed_or_wrongly_typed_json_is_a_json_400() {
    let app = TestApp::start().await;
    let client = Client::new();
    let bodies = [
        "{\"name\": \"bob\", ",
        "[1, 2]",
        "{\"name\": 5, \"password\": \"x\"}",
        "{\"password\": \"long enough 123\"}",
    ];
    for raw in bodies {
        let response = client
            .post(app.url("/api/v1/accounts"))
            .header("content-type", "application/json")
            .body(raw)
            .send()
            .await
            .unwrap();
        let (status, body) = read(response).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_json");
    }
    // No JSON content type at all: the same shape.
    let response = client.post(app.url("/api/v1/accounts")).body("name=bob").send().await.unwrap();
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_json");
    assert_eq!(app.store.member_count().await.unwrap(), 0);
}

#[tokio::test]
async fn registration_is_rate_limited_per_address() {
    let app = TestApp::start().await;
    let mut statuses = Vec::new();
    for _ in 0..12 {
        // Refused names are cheap and still count as attempts.
        let (status, body) = call(
            &app,
            Method::POST,
            "/api/v1/accounts",
            None,
            Some(json!({
                "name": "Bad Name!", "password": PASSWORD
            })),
        )
        .await;
        error_code(&body);
        statuses.push(status);
    }
    assert!(statuses[..10].iter().all(|s| *s == StatusCode::BAD_REQUEST), "{statuses:?}");
    assert_eq!(statuses[11], StatusCode::TOO_MANY_REQUESTS);
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/accounts",
        None,
        Some(json!({
            "name": "carol", "password": PASSWORD
        })),
    )
    .await;
    assert_error(status, &body, StatusCode::TOO_MANY_REQUESTS, "rate_limited");
}

#[tokio::test]
async fn tokens_are_issued_for_the_right_password_only() {
    let app = TestApp::start().await;
    let token = app.register_api("alice").await;
    assert!(token.len() >= 32, "{token}");
    // The token works.
    let (status, body) =
        call(&app, Method::GET, "/api/v1/settings/profile", Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["name"], "alice");

    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        None,
        Some(json!({
            "name": "alice", "password": "wrong horse battery staple"
        })),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let wrong_password_message = body["error"].clone();

    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/tokens",
        None,
        Some(json!({
            "name": "nobody", "password": PASSWORD
        })),
    )
    .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    assert_eq!(body["error"], wrong_password_message, "an unknown name must not be told apart");

    let (status, body) =
        call(&app, Method::POST, "/api/v1/tokens", None, Some(json!({"name": "alice"}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_json");

    // A token that was never issued is refused, in JSON.
    let (status, body) =
        call(&app, Method::GET, "/api/v1/settings/profile", Some("forged"), None).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
}

#[tokio::test]
async fn unknown_api_addresses_and_methods_answer_json() {
    let app = TestApp::start().await;
    for path in ["/api/v1/nothing", "/api/v2/accounts", "/api/"] {
        let (status, body) = call(&app, Method::GET, path, None, None).await;
        assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    }
    let response = Client::new().get(app.url("/api/v1/accounts")).send().await.unwrap();
    assert!(response.headers().get("allow").is_some(), "a 405 says what is allowed");
    let (status, body) = read(response).await;
    assert_error(status, &body, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}
