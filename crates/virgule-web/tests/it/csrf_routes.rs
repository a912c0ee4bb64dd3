//! Every state-changing route refuses a browser that does not prove the request came from
//! one of the site's own pages. The routes are read from `src/routes.rs` itself, so a route
//! added there is checked without anyone remembering to add it here.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::harness::TestApp;

/// The routing table, as written.
const ROUTES: &str = include_str!("../../src/routes.rs");

/// Routes that change state without acting for a signed-in browser, and why a forged
/// cross-site request gains nothing there.
const NOT_SESSION_ROUTES: [(&str, &str); 2] = [
    // Authenticated by the name and password in the body, never by the session cookie.
    ("POST", "/api/v1/accounts"),
    ("POST", "/api/v1/tokens"),
];

/// Every (method, path) of `routes.rs` whose method changes state.
fn state_changing_routes() -> Vec<(Method, String)> {
    let mut found = Vec::new();
    let mut rest = ROUTES;
    while let Some(start) = rest.find(".route(") {
        rest = &rest[start + ".route(".len()..];
        // The call's text, up to its closing parenthesis.
        let mut depth = 1;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })
            .map(|(i, _)| i)
            .expect("a closed .route( call");
        let call = &rest[..end];
        let path = call.split('"').nth(1).expect("a path literal").to_owned();
        for (word, method) in [
            ("post(", Method::POST),
            ("put(", Method::PUT),
            ("patch(", Method::PATCH),
            ("delete(", Method::DELETE),
        ] {
            let called = call.match_indices(word).any(|(i, _)| {
                i == 0
                    || !call[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if called {
                found.push((method, path.clone()));
            }
        }
    }
    found
}

/// A concrete address for a route's path: every parameter gets a value that names
/// something real (bob, his entry 0, article 1, …) where the route needs one.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| match segment {
            "{name}" => "bob",
            "{number}" | "{id}" => "1",
            "{token}" => "no-such-claim",
            s if s.starts_with('{') => "x",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_state_changing_route_refuses_a_browser_without_the_csrf_token() {
    let routes = state_changing_routes();
    // The parser found the table: forms and API writes alike.
    assert!(routes.len() > 30, "{routes:?}");
    assert!(routes.contains(&(Method::POST, "/diary/new".to_owned())));
    assert!(routes.contains(&(Method::DELETE, "/api/v1/replies/{id}".to_owned())));

    let app = TestApp::start().await;
    let bob = app.register_api("bob").await;
    app.post_entry(&bob, "Bob's entry", "Something to reply to").await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    let before = app.store.content_version().await.unwrap();

    let mut unguarded = Vec::new();
    for (method, path) in &routes {
        let url = app.url(&concrete(path));
        // Forms get a wrong token, API calls none (a cross-site page can send neither the
        // right field nor a custom header); the session cookie goes with both.
        let request = if path.starts_with("/api/") {
            browser.request(method.clone(), url).json(&json!({}))
        } else {
            browser.request(method.clone(), url).form(&[("csrf", "forged"), ("title", "x")])
        };
        let status = request.send().await.unwrap().status();
        let exempt = NOT_SESSION_ROUTES.iter().any(|&(m, p)| m == method.as_str() && p == path);
        if status != StatusCode::FORBIDDEN && !exempt {
            unguarded.push(format!("{method} {path} answered {status}"));
        }
    }
    assert!(unguarded.is_empty(), "routes that did not refuse a forged request: {unguarded:#?}");
    assert_eq!(app.store.content_version().await.unwrap(), before, "nothing changed");
    // Every exemption is still a route (a stale one would hide nothing, but mislead).
    for (m, p) in NOT_SESSION_ROUTES {
        assert!(routes.iter().any(|(method, path)| method.as_str() == m && path == p), "{m} {p}");
    }
}
