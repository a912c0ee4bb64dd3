//! Certifications by API (`POST /api/v1/certs`, and as `GET /api/v1/people/NAME` lists them):
//! the newest certification of a pair wins, `none` withdraws, nobody certifies themselves.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use virgule_store::TrustLevel;

use crate::api_support::{assert_error, call, get, read};
use crate::harness::{TestApp, csrf_token};
use crate::pages_support::member_id;

async fn certify(app: &TestApp, token: &str, subject: &str, level: &str) -> (StatusCode, Value) {
    let body = json!({"subject": subject, "level": level});
    call(app, Method::POST, "/api/v1/certs", Some(token), Some(body)).await
}

#[tokio::test]
async fn certify_recertify_and_withdraw_by_api() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    let zaitcev = app.register_api("zaitcev").await;
    app.register_api("etbe").await;

    let (status, body) = certify(&app, &raph, "etbe", "journeyer").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"subject": "etbe", "level": "journeyer"}));
    let (status, body) = certify(&app, &zaitcev, "ETBE", "apprentice").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["subject"], "etbe", "the name is answered as stored");

    let (_, etbe) = get(&app, "/api/v1/people/etbe").await;
    assert_eq!(
        etbe["certs_received"],
        json!([{"from": "raph", "level": "journeyer"}, {"from": "zaitcev", "level": "apprentice"}])
    );
    assert_eq!(etbe["certs_given"], json!([]));
    let (_, raph_profile) = get(&app, "/api/v1/people/raph").await;
    assert_eq!(raph_profile["certs_given"], json!([{"to": "etbe", "level": "journeyer"}]));
    assert_eq!(raph_profile["certs_received"], json!([]));

    // Certifying again replaces the level: still one certification from raph.
    let (status, _) = certify(&app, &raph, "etbe", "master").await;
    assert_eq!(status, StatusCode::OK);
    let (_, etbe) = get(&app, "/api/v1/people/etbe").await;
    assert_eq!(
        etbe["certs_received"],
        json!([{"from": "raph", "level": "master"}, {"from": "zaitcev", "level": "apprentice"}])
    );

    let (status, body) = certify(&app, &raph, "etbe", "none").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"subject": "etbe", "level": "none"}));
    let (_, etbe) = get(&app, "/api/v1/people/etbe").await;
    assert_eq!(etbe["certs_received"], json!([{"from": "zaitcev", "level": "apprentice"}]));
    // Withdrawing what is not there is no error.
    assert_eq!(certify(&app, &raph, "etbe", "none").await.0, StatusCode::OK);
}

#[tokio::test]
async fn bad_certifications_are_refused_and_store_nothing() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    app.register_api("etbe").await;

    let (status, body) = certify(&app, &raph, "raph", "master").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "refused");
    let (status, body) = certify(&app, &raph, "raph", "none").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "refused");
    let (status, body) = certify(&app, &raph, "etbe", "grandmaster").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_level");
    let (status, body) = certify(&app, &raph, "etbe", "Master").await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_level");
    let (status, body) = certify(&app, &raph, "nobody", "master").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) = certify(&app, &raph, "not a name!", "master").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) =
        call(&app, Method::POST, "/api/v1/certs", Some(&raph), Some(json!({"subject": "etbe"})))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a missing level: {body}");

    let body = json!({"subject": "etbe", "level": "master"});
    let (status, answer) = call(&app, Method::POST, "/api/v1/certs", None, Some(body)).await;
    assert_error(status, &answer, StatusCode::UNAUTHORIZED, "unauthorized");

    assert!(app.store.all_certs().await.unwrap().is_empty(), "nothing was recorded");
}

#[tokio::test]
async fn a_browser_session_needs_the_csrf_header() {
    let app = TestApp::start().await;
    app.register_api("etbe").await;
    let browser = app.browser();
    app.register_browser(&browser, "raph").await;
    let (_, page) = app.get(&browser, "/acct/settings").await;
    let csrf = csrf_token(&page);
    let body = json!({"subject": "etbe", "level": "master"});

    let res = browser.post(app.url("/api/v1/certs")).json(&body).send().await.unwrap();
    let (status, answer) = read(res).await;
    assert_error(status, &answer, StatusCode::FORBIDDEN, "csrf");
    let res = browser
        .post(app.url("/api/v1/certs"))
        .header("x-csrf-token", "not-the-token")
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, answer) = read(res).await;
    assert_error(status, &answer, StatusCode::FORBIDDEN, "csrf");
    assert!(app.store.all_certs().await.unwrap().is_empty(), "a refused call stores nothing");

    let res = browser
        .post(app.url("/api/v1/certs"))
        .header("x-csrf-token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, answer) = read(res).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(app.store.all_certs().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_profile_shows_the_computed_level() {
    let app = TestApp::start().await;
    app.register_api("root").await; // the first account: the admin, ranked at once
    app.register_api("raph").await;
    let (_, raph) = get(&app, "/api/v1/people/raph").await;
    assert_eq!(raph["level"], "observer");
    let id = member_id(&app.store, "raph").await;
    app.store.set_trust_levels(&[(id, TrustLevel::Journeyer)]).await.unwrap();
    app.caught_up().await;
    let (_, raph) = get(&app, "/api/v1/people/raph").await;
    assert_eq!(raph["level"], "journeyer");
    let (status, page) = app.get(&app.browser(), "/person/raph/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(r#"<dd class="trust-level">Journeyer</dd>"#), "{page}");
}
