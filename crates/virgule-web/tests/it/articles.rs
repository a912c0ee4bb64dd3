//! Front-page articles (docs/design.md §2, docs/trust.md "The gates"): only members at the
//! article gate (Journeyer by default) post them; anyone reads them on the front page, the
//! archive, their own page, the API and the feeds; only the author edits one.

#![allow(clippy::unwrap_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use virgule_store::TrustLevel;

use crate::api_support::{assert_error, call, get};
use crate::harness::{TestApp, syndication_settings, test_site};
use crate::pages_support::{location, log_in};
use crate::recentlog_thresh::set_level;

/// Registers the admin (out of the way), then `observer`, `apprentice` and `journeyer` at
/// their levels; returns their tokens in that order.
pub async fn members_at_levels(app: &TestApp) -> [String; 3] {
    app.register_api("root").await;
    let mut tokens = Vec::new();
    for level in [TrustLevel::Observer, TrustLevel::Apprentice, TrustLevel::Journeyer] {
        tokens.push(app.register_api(level.key()).await);
        set_level(app, level.key(), level).await;
    }
    tokens.try_into().unwrap()
}

fn article(title: &str) -> Value {
    json!({"title": title, "lead": "The *lead* of it.", "body": "The whole text.", "format": "markdown"})
}

pub async fn post_article(app: &TestApp, token: &str, title: &str) -> i64 {
    let (status, body) =
        call(app, Method::POST, "/api/v1/articles", Some(token), Some(article(title))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["number"].as_i64().unwrap()
}

#[tokio::test]
async fn only_members_at_the_article_gate_post_and_only_the_author_edits() {
    let app = TestApp::start().await;
    let [observer, apprentice, journeyer] = members_at_levels(&app).await;

    for token in [&observer, &apprentice] {
        let (status, body) =
            call(&app, Method::POST, "/api/v1/articles", Some(token), Some(article("No"))).await;
        assert_error(status, &body, StatusCode::FORBIDDEN, "level_too_low");
        assert!(body["error"].as_str().unwrap().contains("Journeyer"), "{body}");
        assert!(body["error"].as_str().unwrap().contains("certif"), "{body}");
    }
    let (status, body) =
        call(&app, Method::POST, "/api/v1/articles", Some(&journeyer), Some(article("Big news")))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["number"], 1);
    assert_eq!(body["url"], app.url("/article/1.html"));

    // Bad input is a 400 that stores nothing.
    let bad = [
        json!({"title": "T", "lead": "L", "body": "  ", "format": "markdown"}),
        json!({"title": "", "lead": "L", "body": "B", "format": "markdown"}),
        json!({"title": "T", "lead": "", "body": "B", "format": "markdown"}),
        json!({"title": "T", "lead": "L", "body": "B", "format": "rtf"}),
        json!({"title": "T", "lead": "<script>x</script>", "body": "B", "format": "html"}),
    ];
    for input in bad {
        let (status, body) =
            call(&app, Method::POST, "/api/v1/articles", Some(&journeyer), Some(input.clone()))
                .await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");
    }
    let (status, list) = get(&app, "/api/v1/articles").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 1);
    let first = &list["articles"][0];
    assert_eq!(first["title"], "Big news");
    assert_eq!(first["author"], "journeyer");
    assert_eq!(first["lead_html"], "<p>The <em>lead</em> of it.</p>\n");
    assert_eq!(first["reply_count"], 0);

    let (status, one) = get(&app, "/api/v1/articles/1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["html"], "<p>The whole text.</p>\n");
    assert_eq!(one["replies"], json!([]));
    assert_eq!(one["published"], one["updated"]);

    // Nobody edits another's article; the author does, keeping number and date.
    let edit = json!({"title": "Bigger news", "lead": "New lead", "body": "New text", "format": "markdown"});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/articles/1", Some(&apprentice), Some(edit.clone())).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, edited) =
        call(&app, Method::PUT, "/api/v1/articles/1", Some(&journeyer), Some(edit)).await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!((&edited["number"], &edited["title"]), (&json!(1), &json!("Bigger news")));
    assert_eq!(edited["published"], one["published"]);
    let bad = json!({"title": "x", "lead": "", "body": "y", "format": "markdown"});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/articles/1", Some(&journeyer), Some(bad)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");
    let (_, reread) = get(&app, "/api/v1/articles/1").await;
    assert_eq!(reread["title"], "Bigger news", "a refused edit changes nothing");

    let (status, body) = get(&app, "/api/v1/articles/2").await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) =
        call(&app, Method::POST, "/api/v1/articles", None, Some(article("x"))).await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");

    // Newest first, paged; the profile lists them.
    post_article(&app, &journeyer, "Second").await;
    let (_, page) = get(&app, "/api/v1/articles?start=1&limit=1").await;
    assert_eq!(page["total"], 2);
    assert_eq!(page["articles"][0]["number"], 1);
    let (_, page) = get(&app, "/api/v1/articles?limit=1").await;
    assert_eq!(page["articles"][0]["title"], "Second");
    let (_, person) = get(&app, "/api/v1/people/journeyer").await;
    assert_eq!(
        person["articles"],
        json!([{"number": 2, "title": "Second"}, {"number": 1, "title": "Bigger news"}])
    );
}

#[tokio::test]
async fn the_article_gate_is_a_site_setting() {
    let mut config = test_site();
    config.site.article_gate = TrustLevel::Apprentice;
    let app = TestApp::start_configured(syndication_settings(true), config).await;
    let [observer, apprentice, _] = members_at_levels(&app).await;
    let (status, body) =
        call(&app, Method::POST, "/api/v1/articles", Some(&observer), Some(article("x"))).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "level_too_low");
    assert!(body["error"].as_str().unwrap().contains("Apprentice level"), "{body}");
    post_article(&app, &apprentice, "Allowed").await;
}

#[tokio::test]
async fn articles_lead_the_front_page_and_have_pages_forms_and_feeds() {
    let app = TestApp::start().await;
    let [_, _, journeyer] = members_at_levels(&app).await;
    let anon = app.browser();
    let (_, front) = app.get(&anon, "/").await;
    assert!(front.contains("No articles yet."), "{front}");

    // Below the gate, the form says what is needed and posting is refused.
    let observer = app.browser();
    assert_eq!(log_in(&app, &observer, "observer", crate::harness::PASSWORD).await.status(), 303);
    let (status, form) = app.get(&observer, "/article/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(r#"data-code="level_too_low""#), "{form}");
    assert!(form.contains("needs the Journeyer level") && form.contains("certif"), "{form}");
    assert!(!form.contains(r#"name="lead""#), "no form below the gate: {form}");
    let token = crate::harness::csrf_token(&form);
    let res = observer
        .post(app.url("/article/new"))
        .form(&[
            ("title", "T"),
            ("lead", "L"),
            ("body", "B"),
            ("format", "markdown"),
            ("action", "post"),
            ("csrf", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("needs the Journeyer level"));

    // A Journeyer previews, then posts through the form.
    let writer = app.browser();
    log_in(&app, &writer, "journeyer", crate::harness::PASSWORD).await;
    let fields = |action: &'static str| {
        vec![
            ("title", "Hello *world*"),
            ("lead", "Lead **text**"),
            ("body", "Body text"),
            ("format", "markdown"),
            ("action", action),
        ]
    };
    let res = app.submit(&writer, "/article/new", "/article/new", &fields("preview")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let preview = res.text().await.unwrap();
    assert!(
        preview.contains("Preview — not saved yet") && preview.contains("<strong>text</strong>")
    );
    let (_, list) = get(&app, "/api/v1/articles").await;
    assert_eq!(list["total"], 0, "a preview stores nothing");
    let mut bad = fields("post");
    bad[2] = ("body", "");
    let res = app.submit(&writer, "/article/new", "/article/new", &bad).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains(r#"data-code="invalid""#));
    let res = app.submit(&writer, "/article/new", "/article/new", &fields("post")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/article/1.html");

    let (status, page) = app.get(&anon, "/article/1.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Hello *world*") && page.contains("<p>Body text</p>"), "{page}");
    assert!(!page.contains("/article/1/edit"), "only the author is offered Edit");
    assert!(page.contains("to reply."), "anonymous readers are asked to log in: {page}");
    let (_, front) = app.get(&anon, "/").await;
    let articles_at = front.find("class=\"articles\"").unwrap();
    let news_at = front.find("news-box").unwrap();
    assert!(articles_at < news_at, "articles lead the front page");
    assert!(
        front.contains(r#"<a class="title" href="/article/1.html">Hello *world*</a>"#),
        "{front}"
    );
    assert!(front.contains("<p>Lead <strong>text</strong></p>") && front.contains("0 replies"));
    let (_, archive) = app.get(&anon, "/article/").await;
    assert!(archive.contains("/article/1.html") && archive.contains("1 article,"), "{archive}");
    let (status, _) = app.get(&anon, "/article/?start=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = app.get(&anon, "/article/7.html").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, profile) = app.get(&anon, "/person/journeyer/").await;
    assert!(profile.contains(r#"<a href="/article/1.html">Hello *world*</a>"#), "{profile}");

    // The author edits; another member may not even open the form.
    let res = app
        .submit(
            &writer,
            "/article/1/edit",
            "/article/1/edit",
            &[
                ("title", "Edited"),
                ("lead", "L2"),
                ("body", "B2"),
                ("format", "markdown"),
                ("action", "post"),
            ],
        )
        .await;
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::SEE_OTHER, "/article/1.html".to_owned())
    );
    let (status, _) = app.get(&observer, "/article/1/edit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = app.get(&writer, "/article/1.html").await;
    assert!(page.contains("Edited") && page.contains("/article/1/edit"));

    // Feeds of articles, as the other feeds: well-formed, absolute links.
    app.post_entry(&journeyer, "Not an article", "diary").await;
    for (path, kind) in [
        ("/article/rss.xml", feed_rs::model::FeedType::RSS2),
        ("/article/atom.xml", feed_rs::model::FeedType::Atom),
        ("/article/feed.json", feed_rs::model::FeedType::JSON),
    ] {
        let (status, text) = app.get(&anon, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let feed = feed_rs::parser::parse(text.as_bytes()).unwrap();
        assert_eq!(feed.feed_type, kind);
        assert_eq!(feed.entries.len(), 1, "{path}: {text}");
        assert_eq!(feed.entries[0].title.as_ref().unwrap().content, "Edited");
        assert!(text.contains(&app.url("/article/1.html")), "{path}: {text}");
        assert!(!text.contains("Not an article"));
    }
}
