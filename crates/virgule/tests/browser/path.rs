//! A new member's path through the site in a real browser: register, write and edit an entry
//! in Markdown, link a feed served on loopback, certify someone, post an article and reply
//! to it, rate a diary, search, export and log out. Screenshots of the main pages are saved
//! as artifacts; no page logs an error to the console (a Content-Security-Policy violation
//! would).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::header;
use axum::routing::get;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

use crate::chrome::{Driver, console, screenshot};
use crate::support::{Server, request};
use crate::{PASSWORD, api_get, register_with_token};

/// The member's own blog, as the site will fetch it.
const BLOG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Ada's workbench</title><link>http://blog.example.org/</link>
<description>notes</description>
<item><title>Soldering the analytical engine</title><link>http://blog.example.org/engine</link>
<guid>http://blog.example.org/engine</guid><pubDate>Tue, 01 Dec 2026 09:00:00 +0000</pubDate>
<description>&lt;p&gt;Gears, &lt;em&gt;many&lt;/em&gt; gears.&lt;/p&gt;</description></item>
</channel></rss>"#;

async fn serve_blog() -> SocketAddr {
    let app = Router::new().route(
        "/feed.xml",
        get(|| async { ([(header::CONTENT_TYPE, "application/rss+xml")], BLOG) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the browser suite: needs chromium and chromium-driver; .ci/run runs it"]
async fn a_new_member_walks_the_site_in_chromium() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(data.path(), &[("VIRGULE_FETCH_ALLOW_PRIVATE", "true")]);
    let blog = serve_blog().await;
    let site = format!("http://{}", server.addr);
    let driver = Driver::start();
    let b = driver.browser().await;
    let at = |path: &str| format!("{site}{path}");

    // The front page of an empty site, then registration: the first member is the admin,
    // and so a trust seed, who may post articles.
    b.goto(&at("/")).await.unwrap();
    screenshot(&b, "01-front-empty").await;
    b.goto(&at("/acct/new")).await.unwrap();
    fill(&b, "form[action='/acct/new'] input[name=name]", "ada").await;
    fill(&b, "form[action='/acct/new'] input[name=password]", PASSWORD).await;
    fill(&b, "form[action='/acct/new'] input[name=password2]", PASSWORD).await;
    fill(&b, "form[action='/acct/new'] input[name=email]", "ada@example.org").await;
    screenshot(&b, "02-register").await;
    submit(&b, "form[action='/acct/new']").await;
    wait_for(&b, "form[action='/acct/logout']", "Log out").await;

    // Someone to certify and whose diary to rate, made through the API.
    let grace = register_with_token(server.addr, "grace");
    let (status, _) = request(
        server.addr,
        "POST",
        "/api/v1/entries",
        &[("Authorization", &format!("Bearer {grace}"))],
        &json!({"title": "Compilers", "body": "A *compiler* story.", "format": "markdown"})
            .to_string(),
    );
    assert_eq!(status, 201);

    // A diary entry in Markdown, then an edit of it.
    b.goto(&at("/diary/new")).await.unwrap();
    fill(&b, "input[name=title]", "First light").await;
    fill(
        &b,
        "textarea[name=body]",
        "Hello **bold world**.\n\n- one\n- two\n\n[Virgule](https://example.org/)",
    )
    .await;
    fill(&b, "input[name=tags]", "rust, virgule").await;
    b.find(Locator::Css("select[name=format]"))
        .await
        .unwrap()
        .select_by_value("markdown")
        .await
        .unwrap();
    click(&b, "button[name=action][value=post]").await;
    wait_for(&b, "article strong", "bold world").await;
    let entry_url = b.current_url().await.unwrap();
    screenshot(&b, "03-entry").await;
    let number = entry_url.path().rsplit('/').next().unwrap().trim_end_matches(".html").to_owned();
    b.goto(&at(&format!("/diary/{number}/edit"))).await.unwrap();
    let body = b.find(Locator::Css("textarea[name=body]")).await.unwrap();
    body.clear().await.unwrap();
    body.send_keys("Hello *edited* world, with `code`.").await.unwrap();
    click(&b, "button[name=action][value=post]").await;
    wait_for(&b, "article em", "edited").await;
    b.goto(entry_url.as_str()).await.unwrap();
    wait_for(&b, "article code", "code").await;
    let page = b.source().await.unwrap();
    assert!(!page.contains("bold world"), "the edit replaced the first text");

    // Link the blog served on loopback; the entry it syndicates shows in the diary.
    b.goto(&at("/acct/settings")).await.unwrap();
    fill(
        &b,
        "form[action='/acct/settings/feed'] input[name=url]",
        &format!("http://{blog}/feed.xml"),
    )
    .await;
    submit(&b, "form[action='/acct/settings/feed']").await;
    screenshot(&b, "04-settings").await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        b.goto(&at("/person/ada/diary.html")).await.unwrap();
        if b.source().await.unwrap().contains("Soldering the analytical engine") {
            break;
        }
        assert!(Instant::now() < deadline, "the linked blog's post reached the diary within 30 s");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    screenshot(&b, "05-diary").await;

    // Certify grace and rate her diary, from her page.
    b.goto(&at("/person/grace/")).await.unwrap();
    b.find(Locator::Css("select#cert-level"))
        .await
        .unwrap()
        .select_by_value("journeyer")
        .await
        .unwrap();
    submit(&b, "form.certify").await;
    b.goto(&at("/person/grace/")).await.unwrap();
    let selected = b.find(Locator::Css("select#cert-level option[selected]")).await.unwrap();
    assert_eq!(selected.attr("value").await.unwrap().as_deref(), Some("journeyer"));
    b.find(Locator::Css("select#rating")).await.unwrap().select_by_value("8").await.unwrap();
    submit(&b, "form.rate").await;
    b.goto(&at("/person/grace/")).await.unwrap();
    let rated = b.find(Locator::Css("select#rating option[selected]")).await.unwrap();
    assert_eq!(rated.attr("value").await.unwrap().as_deref(), Some("8"));
    screenshot(&b, "06-profile").await;
    let grace_page = api_get(server.addr, "/api/v1/people/grace");
    assert!(
        grace_page["certs_received"].as_array().unwrap().iter().any(|c| c["from"] == "ada"),
        "the certification is stored: {grace_page}"
    );

    // An article, and a reply under it.
    b.goto(&at("/article/new")).await.unwrap();
    fill(&b, "input[name=title]", "Why diaries matter").await;
    fill(&b, "textarea[name=lead]", "Because *writing* is thinking.").await;
    fill(&b, "textarea[name=body]", "Longer thoughts, with **emphasis**.").await;
    click(&b, "button[name=action][value=post]").await;
    wait_for(&b, "h1, h2", "Why diaries matter").await;
    fill(&b, "#reply-form textarea[name=body]", "A reply, *in Markdown*.").await;
    submit(&b, "#reply-form").await;
    wait_for(&b, ".replies em, .reply em, [id^=reply-] em", "in Markdown").await;
    screenshot(&b, "07-article").await;

    // Search from the header's box.
    b.goto(&at("/")).await.unwrap();
    screenshot(&b, "08-front").await;
    fill(&b, "form.site-search input[name=q]", "diaries").await;
    submit(&b, "form.site-search").await;
    wait_for(&b, "main", "Why diaries matter").await;
    screenshot(&b, "09-search").await;
    b.goto(&at("/recentlog.html")).await.unwrap();
    wait_for(&b, "main", "First light").await;
    screenshot(&b, "10-recentlog").await;

    // Export, as the settings page's link downloads it, with the browser's session.
    b.goto(&at("/acct/settings")).await.unwrap();
    let href = b.find(Locator::Css("#export a[href*='format=json']")).await.unwrap();
    let href = href.attr("href").await.unwrap().unwrap();
    let export = b
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0], {credentials: 'same-origin'})
                 .then(r => r.text().then(t => done([r.status, t])));",
            vec![json!(href)],
        )
        .await
        .unwrap();
    assert_eq!(export[0], 200, "the export answers");
    let export: Value = serde_json::from_str(export[1].as_str().unwrap()).unwrap();
    let titles: Vec<&str> =
        export["entries"].as_array().unwrap().iter().filter_map(|e| e["title"].as_str()).collect();
    assert!(titles.contains(&"First light"), "the export has the entry: {titles:?}");
    assert!(titles.contains(&"Soldering the analytical engine"), "and the syndicated one");
    assert_eq!(export["articles"][0]["title"], "Why diaries matter");
    assert_eq!(export["replies"].as_array().map(Vec::len), Some(1));
    assert_eq!(export["certifications_given"][0]["name"], "grace");

    // Log out: the header offers to log in again, and the settings are out of reach.
    click(&b, "form[action='/acct/logout'] button").await;
    wait_for(&b, "a[href^='/acct/login']", "Log in").await;
    b.goto(&at("/acct/settings")).await.unwrap();
    assert!(b.find(Locator::Css("form[action='/acct/logout']")).await.is_err(), "logged out");
    screenshot(&b, "11-logged-out").await;

    // Not one error on any page, the browser's own request for the site's icon included.
    let errors: Vec<String> = console(&b)
        .await
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .map(|(_, message)| message)
        .collect();
    assert!(errors.is_empty(), "no page logged an error: {errors:#?}");
    b.close().await.unwrap();
}

/// Types `text` into the field `css` (emptied first).
async fn fill(b: &Client, css: &str, text: &str) {
    let field = b.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

async fn click(b: &Client, css: &str) {
    b.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

/// Submits the form `css` with its (first) submit button, as a reader clicks it.
async fn submit(b: &Client, css: &str) {
    click(b, &format!("{css} button[type=submit], {css} input[type=submit]")).await;
}

/// Waits up to 15 s for an element `css` whose text contains `needle`.
async fn wait_for(b: &Client, css: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        for element in b.find_all(Locator::Css(css)).await.unwrap_or_default() {
            if element.text().await.is_ok_and(|text| text.contains(needle)) {
                return;
            }
        }
        if Instant::now() > deadline {
            let url = b.current_url().await.unwrap();
            let page = b.source().await.unwrap_or_default();
            panic!("no {css} with {needle:?} on {url} within 15 s; the page:\n{page}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
