//! Helpers for the API tests: JSON calls with or without a bearer token, and the check that
//! an error body has the contract's `{"error","code"}` shape.

#![allow(clippy::unwrap_used, dead_code)]

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;

use crate::harness::TestApp;

/// Sends `body` (if any) as JSON with `method` to `path`, with a bearer token if given, and
/// returns the status and the body parsed as JSON (`Value::Null` for an empty body).
pub async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Client::new().request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    read(request.send().await.expect("API call")).await
}

/// Status and JSON body of a response; panics if a non-empty body is not JSON.
pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    if text.is_empty() {
        return (status, Value::Null);
    }
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

pub async fn get(app: &TestApp, path: &str) -> (StatusCode, Value) {
    call(app, Method::GET, path, None, None).await
}

/// Asserts the API's error shape and returns its code.
pub fn error_code(body: &Value) -> String {
    let message =
        body["error"].as_str().unwrap_or_else(|| panic!("no \"error\" message in {body}"));
    assert!(!message.is_empty(), "empty error message in {body}");
    body["code"].as_str().unwrap_or_else(|| panic!("no \"code\" in {body}")).to_owned()
}

/// Asserts `status` and the error shape with `code`.
pub fn assert_error(status: StatusCode, body: &Value, want_status: StatusCode, want_code: &str) {
    assert_eq!(status, want_status, "body: {body}");
    assert_eq!(error_code(body), want_code, "body: {body}");
}
