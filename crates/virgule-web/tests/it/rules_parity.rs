//! One rule, one answer: the same bad input gets the same status, code and message from a
//! form as from the JSON API, because both ask the domain layer (`virgule_site::rules`).
//! Before it, the settings form took a 2,000-character homepage and the API 2,048 bytes,
//! the form let control characters into a display name, and a bad e-mail or threshold had
//! a different code on each path.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_support::{call, error_code, get};
use crate::harness::{PASSWORD, TestApp};

/// What a refused form or page says: its status, and the `data-code` and text of its error.
async fn page_refusal(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let page = response.text().await.unwrap();
    let at = page.find("data-code=\"").unwrap_or_else(|| panic!("no error code in {page}"));
    let rest = &page[at + "data-code=\"".len()..];
    let (code, rest) = rest.split_once('"').unwrap();
    let message = rest[rest.find('>').unwrap() + 1..].split_once('<').unwrap().0;
    (status, code.to_owned(), unescape(message))
}

/// The few entities the templates write for text.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn api_refusal(status: StatusCode, body: &Value) -> (StatusCode, String, String) {
    let code = error_code(body);
    (status, code, body["error"].as_str().unwrap().to_owned())
}

/// Asserts that both answers agree and have the expected status and code.
fn assert_same(
    what: &str,
    form: (StatusCode, String, String),
    api: (StatusCode, String, String),
    status: StatusCode,
    code: &str,
) {
    assert_eq!(form, api, "{what}: the form and the API answer differently");
    assert_eq!((form.0, form.1.as_str()), (status, code), "{what}");
}

/// A registration by form and by API with the same fields.
async fn register_both(
    app: &TestApp,
    name: &str,
    password: &str,
    email: &str,
) -> ((StatusCode, String, String), (StatusCode, String, String)) {
    let browser = app.browser();
    let fields =
        [("name", name), ("password", password), ("password2", password), ("email", email)];
    let form = page_refusal(app.submit(&browser, "/acct/new", "/acct/new", &fields).await).await;
    let body = json!({"name": name, "password": password, "email": email});
    let (status, answer) = call(app, Method::POST, "/api/v1/accounts", None, Some(body)).await;
    (form, api_refusal(status, &answer))
}

#[tokio::test]
async fn registration_refusals_agree() {
    let app = TestApp::start().await;

    let (form, api) = register_both(&app, "bob", PASSWORD, "a@b@c").await;
    assert_same("bad e-mail", form, api, StatusCode::BAD_REQUEST, "invalid_email");

    let (form, api) = register_both(&app, "bob", "short", "").await;
    assert_same("weak password", form, api, StatusCode::BAD_REQUEST, "weak_password");

    let (form, api) = register_both(&app, "Bad Name!", PASSWORD, "").await;
    assert_same("bad name", form, api, StatusCode::BAD_REQUEST, "invalid_name");

    app.register_api("alice").await;
    let (form, api) = register_both(&app, "alice", PASSWORD, "").await;
    assert_same("taken name", form, api, StatusCode::CONFLICT, "conflict");
}

#[tokio::test]
async fn profile_refusals_agree_and_save_nothing() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    let token = app.register_api("bob").await;

    let long_homepage = format!("https://example.org/{}", "x".repeat(2040));
    let cases = [
        ("over-long homepage", "Alice", long_homepage.as_str(), "invalid_homepage"),
        ("homepage without a scheme", "Alice", "example.org", "invalid_homepage"),
        ("control character in a display name", "Al\u{7}ice", "", "invalid"),
        ("over-long display name", &"x".repeat(101), "", "invalid"),
    ];
    for (what, display_name, homepage, code) in cases {
        let fields = [("display_name", display_name), ("homepage", homepage), ("notes", "")];
        let form =
            page_refusal(app.submit(&browser, "/acct/settings", "/acct/settings", &fields).await)
                .await;
        let body = json!({"display_name": display_name, "homepage": homepage});
        let (status, answer) =
            call(&app, Method::PUT, "/api/v1/settings/profile", Some(&token), Some(body)).await;
        assert_same(what, form, api_refusal(status, &answer), StatusCode::BAD_REQUEST, code);
    }
    for name in ["alice", "bob"] {
        let (_, person) = get(&app, &format!("/api/v1/people/{name}")).await;
        assert_eq!(
            (person["display_name"].as_str(), person["homepage"].as_str()),
            (Some(""), Some(""))
        );
    }
}

#[tokio::test]
async fn a_bad_threshold_or_start_is_the_same_refusal_on_the_page_and_the_api() {
    let app = TestApp::start().await;
    let reader = app.browser();
    for query in ["thresh=7", "thresh=master", "start=-1", "start=ten"] {
        let page = reader.get(app.url(&format!("/recentlog.html?{query}"))).send().await.unwrap();
        let (status, answer) = get(&app, &format!("/api/v1/recentlog?{query}")).await;
        assert_same(
            query,
            page_refusal(page).await,
            api_refusal(status, &answer),
            StatusCode::BAD_REQUEST,
            "bad_query",
        );
    }
}

#[tokio::test]
async fn a_wrong_current_password_is_the_same_refusal() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    let token = app.register_api("bob").await;
    let new = "a brand new passphrase";
    let fields =
        [("current_password", "not it at all"), ("new_password", new), ("new_password2", new)];
    let form =
        page_refusal(app.submit(&browser, "/acct/settings", "/acct/password", &fields).await).await;
    let body = json!({"current": "not it at all", "new": new});
    let (status, answer) =
        call(&app, Method::PUT, "/api/v1/settings/password", Some(&token), Some(body)).await;
    assert_same(
        "wrong password",
        form,
        api_refusal(status, &answer),
        StatusCode::FORBIDDEN,
        "wrong_password",
    );
}
