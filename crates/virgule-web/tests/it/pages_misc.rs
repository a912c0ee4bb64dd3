//! The other pages: front page, people, profiles, site news, error pages, and the security
//! headers every page carries.

#![allow(clippy::unwrap_used)]

use reqwest::StatusCode;
use virgule_store::TrustLevel;

use crate::harness::{TestApp, csrf_token};
use crate::pages_support::{location, write_entry_ok};
use crate::recentlog_thresh::set_level;

#[tokio::test]
async fn the_front_page_welcomes_and_shows_recent_entries() {
    let app = TestApp::start().await;
    let anon = app.browser();
    let (status, page) = app.get(&anon, "/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Welcome to Virgule Test"));
    assert!(page.contains("href=\"/acct/new\""), "anonymous visitors are invited to register");
    assert!(page.contains("New Virgule Test Features"));
    assert!(page.contains("Nobody has written anything yet."));

    let alice = app.browser();
    app.register_browser(&alice, "alice").await;
    write_entry_ok(&app, &alice, "alice", "", "An untitled thought about *Debian*.").await;
    // The front page shows the recent log at its default threshold, Apprentice.
    set_level(&app, "alice", TrustLevel::Apprentice).await;
    let (_, page) = app.get(&anon, "/").await;
    assert!(page.contains("href=\"/person/alice/diary/0.html\">Untitled</a>"));
    assert!(page.contains("An untitled thought about Debian."), "an excerpt of the text");
    assert!(page.contains(
        "<a class=\"author level-apprentice\" title=\"Apprentice\" href=\"/person/alice/\">alice</a>"
    ));
}

#[tokio::test]
async fn the_first_member_is_admin_and_posts_site_news() {
    let app = TestApp::start().await;
    let admin = app.browser();
    app.register_browser(&admin, "root").await;
    let bob = app.browser();
    app.register_browser(&bob, "bob").await;

    let (status, page) = app.get(&admin, "/news/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Post site news"));

    let res = app
        .submit(
            &admin,
            "/news/new",
            "/news/new",
            &[
                ("title", "New HTML Parser"),
                ("body", "The long-awaited parser is *live*."),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("The long-awaited parser is <em>live</em>."));
    assert!(
        app.store.news_items(virgule_store::Page { start: 0, limit: 5 }).await.unwrap().is_empty()
    );

    let res = app
        .submit(
            &admin,
            "/news/new",
            "/news/new",
            &[("title", ""), ("body", "text"), ("action", "post")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("news needs a title"));

    let res = app
        .submit(
            &admin,
            "/news/new",
            "/news/new",
            &[
                ("title", "New HTML Parser"),
                ("body", "The long-awaited parser is *live*."),
                ("action", "post"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let item = location(&res);
    assert!(item.starts_with("/news/") && item.ends_with(".html"), "{item}");

    let anon = app.browser();
    let (_, front) = app.get(&anon, "/").await;
    let news_box = &front[front.find("class=\"news-box\"").expect("news box")..];
    assert!(news_box.contains("New Virgule Test Features"));
    assert!(news_box.contains(&format!("href=\"{item}\">New HTML Parser</a>")));
    assert!(news_box.contains("The long-awaited parser is <em>live</em>."));
    let (_, list) = app.get(&anon, "/news/").await;
    assert!(list.contains("New HTML Parser") && list.contains("href=\"/person/root/\""));
    let (status, one) = app.get(&anon, &item).await;
    assert_eq!(status, StatusCode::OK);
    assert!(one.contains("<h1>New HTML Parser</h1>"));
    assert_eq!(app.get(&anon, "/news/999.html").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&anon, "/news/x.html").await.0, StatusCode::NOT_FOUND);

    // Bob is not an admin: no form, and a forged post is refused.
    let (status, page) = app.get(&bob, "/news/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(page.contains("only a site admin may do that"));
    let (_, any) = app.get(&bob, "/").await;
    let token = csrf_token(&any);
    let res = bob
        .post(app.url("/news/new"))
        .form(&[("title", "Bob's news"), ("body", "nope"), ("action", "post"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, anon_page) = app.get(&anon, "/acct/login").await;
    let token = csrf_token(&anon_page);
    let res = anon
        .post(app.url("/news/new"))
        .form(&[("title", "Anon news"), ("body", "nope"), ("action", "post"), ("csrf", &token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let items = app.store.news_items(virgule_store::Page { start: 0, limit: 5 }).await.unwrap();
    assert_eq!(items.len(), 1, "only the admin's item exists");
}

#[tokio::test]
async fn people_and_profiles() {
    let app = TestApp::start().await;
    let alice = app.browser();
    app.register_browser(&alice, "alice").await;
    app.register_browser(&app.browser(), "bob").await;
    write_entry_ok(&app, &alice, "alice", "Hello", "First words.").await;
    let anon = app.browser();

    let (status, people) = app.get(&anon, "/person/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(people.contains("2 members"));
    assert!(people.contains("href=\"/person/alice/\"") && people.contains("href=\"/person/bob/\""));

    let res = anon.get(app.url("/person/Alice")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(location(&res), "/person/alice/");

    let (status, profile) = app.get(&anon, "/person/alice/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(profile.contains("Member since"));
    assert!(profile.contains("href=\"/person/alice/diary/0.html\">Hello</a>"), "latest entries");
    assert!(profile.contains("href=\"/person/alice/diary.html\">1 entry</a>"));
    assert!(!profile.contains("Edit your profile"), "only for the member");
}

#[tokio::test]
async fn unknown_people_and_pages_get_a_real_404() {
    let app = TestApp::start().await;
    let anon = app.browser();
    for path in [
        "/person/nobody/",
        "/person/nobody/diary.html",
        "/person/Not%20A%20Name/",
        "/person/Not%20A%20Name",
        "/nonexistent",
        "/person/nobody/tag/x/",
    ] {
        let (status, page) = app.get(&anon, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("<h1>Not found</h1>"), "{path}: {page}");
        assert!(
            page.contains("Virgule Test") && page.contains("/static/style.css"),
            "{path}: site layout"
        );
    }
    let (_, page) = app.get(&anon, "/person/nobody/").await;
    assert!(page.contains("There is no member named “nobody”."));
}

/// Browsers ask for an icon on every page (a 404 in every console otherwise): pages name
/// one, and `/favicon.ico`, where readers look unasked, serves it too.
#[tokio::test]
async fn the_site_icon_is_served_where_browsers_look() {
    let app = TestApp::start().await;
    let browser = app.browser();
    let (_, page) = app.get(&browser, "/").await;
    assert!(page.contains(r#"<link rel="icon" type="image/svg+xml" href="/static/favicon.svg">"#));
    for path in ["/static/favicon.svg", "/favicon.ico"] {
        let res = browser.get(app.url(path)).send().await.expect("GET");
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()["content-type"], "image/svg+xml", "{path}");
        assert!(res.text().await.expect("body").starts_with("<svg "), "{path}");
    }
}

#[tokio::test]
async fn every_page_carries_the_content_security_policy() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    write_entry_ok(&app, &browser, "alice", "Hi", "There.").await;
    let paths = [
        "/",
        "/recentlog.html",
        "/person/",
        "/person/alice/",
        "/person/alice",
        "/person/alice/diary.html",
        "/person/alice/diary/0.html",
        "/person/alice/archive/2030/01/",
        "/diary/new",
        "/diary/0/edit",
        "/diary/0/delete",
        "/news/",
        "/news/new",
        "/acct/new",
        "/acct/login",
        "/acct/settings",
        "/nonexistent",
        "/recentlog.html?start=-1",
    ];
    for path in paths {
        let res = browser.get(app.url(path)).send().await.unwrap();
        let csp = res
            .headers()
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path} has no CSP"))
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("script-src 'none'"), "{path}: {csp}");
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("<script") && !body.contains(" style=\""),
            "{path} has inline script or style"
        );
    }
    let res = browser
        .post(app.url("/acct/settings"))
        .form(&[("display_name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.headers().contains_key("content-security-policy"));
}
