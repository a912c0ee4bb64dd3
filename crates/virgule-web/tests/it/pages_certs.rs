//! Certifications on the profile page: the lists both ways, and the form another member
//! certifies with (`POST /person/NAME/certify`), CSRF-checked like every form.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::api_support::call;
use crate::harness::TestApp;
use crate::pages_support::location;

/// The `<option>` the certification form preselects, if the page has the form.
fn selected_option(page: &str) -> Option<String> {
    let form = &page[page.find(r#"class="certify""#)?..];
    let end = form.find(" selected>")?;
    let start = form[..end].rfind("value=\"")? + "value=\"".len();
    Some(form[start..end].trim_end_matches('"').to_owned())
}

#[tokio::test]
async fn certifying_from_the_profile_page() {
    let app = TestApp::start().await;
    let etbe_token = app.register_api("etbe").await;
    let browser = app.browser();
    app.register_browser(&browser, "raph").await;

    // Anonymous visitors and the member themselves get no form.
    let (_, page) = app.get(&app.browser(), "/person/etbe/").await;
    assert_eq!(selected_option(&page), None);
    assert!(!page.contains("/person/etbe/certify"), "no form for visitors");
    let (_, page) = app.get(&browser, "/person/raph/").await;
    assert!(!page.contains("/person/raph/certify"), "no form on one's own profile");

    let (_, page) = app.get(&browser, "/person/etbe/").await;
    assert_eq!(selected_option(&page).as_deref(), Some("none"));
    assert!(page.contains("No one has certified etbe yet."), "{page}");

    let res = app
        .submit(&browser, "/person/etbe/", "/person/etbe/certify", &[("level", "journeyer")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/person/etbe/");
    let (_, page) = app.get(&browser, "/person/etbe/").await;
    assert_eq!(selected_option(&page).as_deref(), Some("journeyer"), "the current level");
    assert!(page.contains(r#"<a href="/person/raph/">raph</a> certified etbe as Journeyer"#));

    // etbe certifies raph back by API; raph's profile lists both directions.
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/certs",
            Some(&etbe_token),
            Some(json!({"subject": "raph", "level": "master"}))
        )
        .await
        .0,
        StatusCode::OK
    );
    let (_, page) = app.get(&app.browser(), "/person/raph/").await;
    assert!(page.contains(r#"<a href="/person/etbe/">etbe</a> certified raph as Master"#));
    assert!(page.contains(r#"raph certified <a href="/person/etbe/">etbe</a> as Journeyer"#));

    // "Observer (none)" withdraws.
    let res =
        app.submit(&browser, "/person/etbe/", "/person/etbe/certify", &[("level", "none")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&browser, "/person/etbe/").await;
    assert_eq!(selected_option(&page).as_deref(), Some("none"));
    assert!(page.contains("No one has certified etbe yet."));
}

#[tokio::test]
async fn the_certify_form_is_checked() {
    let app = TestApp::start().await;
    app.register_api("etbe").await;
    let browser = app.browser();
    app.register_browser(&browser, "raph").await;

    // Without the form's token: 403, nothing stored.
    let res = browser
        .post(app.url("/person/etbe/certify"))
        .form(&[("level", "master"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A bad level, oneself, an unknown member.
    let res =
        app.submit(&browser, "/person/etbe/", "/person/etbe/certify", &[("level", "wizard")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res =
        app.submit(&browser, "/person/raph/", "/person/raph/certify", &[("level", "master")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("cannot certify themselves"));
    let res = app
        .submit(&browser, "/person/etbe/", "/person/nobody/certify", &[("level", "master")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Anonymous, with a valid anonymous form token (from the login form): log in first.
    let anonymous = app.browser();
    let res =
        app.submit(&anonymous, "/acct/login", "/person/etbe/certify", &[("level", "master")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(app.store.all_certs().await.unwrap().is_empty());
}
