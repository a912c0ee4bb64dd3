//! The browser suite: the site in headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver by fantoccini, against the real `virgule serve`.
//! Its tests are ignored by the plain test run (they need a browser installed); `.ci/run`
//! installs Chromium when missing and runs them:
//!
//! ```sh
//! cargo nextest run -p virgule --test browser --run-ignored only
//! ```
//!
//! Screenshots go to `VIRGULE_ARTIFACTS_DIR` (default: a folder in the system's temp dir).

#![allow(clippy::unwrap_used)]

#[path = "../support/mod.rs"]
mod support;

mod chrome;
mod path;
mod xss;

use std::net::SocketAddr;

use serde_json::{Value, json};

use support::request;

/// Every member's password in the suite.
const PASSWORD: &str = "lantern-orchard-1977";

/// Registers `name` through the API and returns an API token for it.
fn register_with_token(addr: SocketAddr, name: &str) -> String {
    let account = json!({"name": name, "password": PASSWORD}).to_string();
    let (status, body) = request(addr, "POST", "/api/v1/accounts", &[], &account);
    assert_eq!(status, 201, "{name} registers: {body}");
    let (status, body) = request(addr, "POST", "/api/v1/tokens", &[], &account);
    assert_eq!(status, 201, "{name} gets a token: {body}");
    let token: Value = serde_json::from_str(&body).unwrap();
    token["token"].as_str().unwrap().to_owned()
}

/// A public API call that must answer 200: its JSON.
fn api_get(addr: SocketAddr, path: &str) -> Value {
    let (status, body) = request(addr, "GET", path, &[], "");
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap()
}
