//! HTTP caching as a cache, a planet or a browser sees it (docs/design.md §2): validators and
//! `304`s on every anonymous page and feed, ETags that follow every write, no cookie on an
//! anonymous read, the CSRF cookie only with a form, and compression negotiated.

#![allow(clippy::unwrap_used)]

use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, SET_COOKIE, VARY,
};
use reqwest::redirect::Policy;
use reqwest::{Client, Method, Response, StatusCode};
use serde_json::json;
use virgule_store::TrustLevel;

use crate::api_support::call;
use crate::articles::post_article;
use crate::feed_origin::FeedOrigin;
use crate::harness::{PASSWORD, TestApp, csrf_token};
use crate::pages_support::{log_in, set_cookie};
use crate::recentlog_thresh::set_level;

/// A client that keeps no cookies and decodes nothing: it sees the bytes as sent.
fn raw() -> Client {
    Client::builder().no_gzip().no_brotli().no_zstd().redirect(Policy::none()).build().unwrap()
}

fn header(res: &Response, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_owned())
}

/// A site with one of everything an anonymous reader can see: a journeyer's diary entry (in
/// the recent log), an article, a project and a news item. Returns alice's token and the
/// pages of her entry and of the article.
async fn furnished() -> (TestApp, String) {
    let app = TestApp::start().await;
    let admin = app.register_api("root").await;
    let alice = app.register_api("alice").await;
    set_level(&app, "alice", TrustLevel::Journeyer).await;
    let entry = app.post_entry(&alice, "First light", "The *first* entry.").await;
    assert_eq!(entry, FIRST_ENTRY);
    assert_eq!(post_article(&app, &alice, "An article").await, FIRST_ARTICLE);
    let (status, body) = call(
        &app,
        Method::POST,
        "/api/v1/projects",
        Some(&alice),
        Some(json!({"name": "gimp", "description": "Edits *pixels*."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let news = json!({"title": "Site news", "body": "Feeds *out*."});
    let (status, body) = call(&app, Method::POST, "/api/v1/news", Some(&admin), Some(news)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    (app, alice)
}

/// The numbers a fresh site gives its first diary entry and first article.
const FIRST_ENTRY: i64 = 0;
const FIRST_ARTICLE: i64 = 1;

const PAGES: [&str; 12] = [
    "/",
    "/person/alice/diary.html",
    "/person/alice/diary/0.html",
    "/recentlog.html",
    "/person/",
    "/person/alice/",
    "/article/",
    "/article/1.html",
    "/proj/",
    "/proj/gimp/",
    "/news/",
    "/news/1.html",
];

const FEEDS: [&str; 9] = [
    "/person/alice/rss.xml",
    "/person/alice/atom.xml",
    "/person/alice/feed.json",
    "/recentlog.rss",
    "/recentlog.atom",
    "/recentlog.json",
    "/article/rss.xml",
    "/article/atom.xml",
    "/article/feed.json",
];

/// GETs `path` anonymously: a 200 with a strong ETag, no cookie, `Vary: Accept-Encoding`.
/// Returns the response's ETag and body.
async fn anonymous_get(app: &TestApp, path: &str) -> (String, Response) {
    let res = raw().get(app.url(path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(header(&res, SET_COOKIE), None, "{path} sets a cookie");
    let vary = header(&res, VARY).unwrap_or_default().to_ascii_lowercase();
    assert!(vary.contains("accept-encoding"), "{path}: Vary {vary:?}");
    let etag = header(&res, ETAG).unwrap_or_else(|| panic!("{path} has no ETag"));
    assert!(etag.starts_with('"') && etag.len() == 34, "{path}: {etag}");
    (etag, res)
}

async fn etag_of(app: &TestApp, path: &str) -> String {
    anonymous_get(app, path).await.0
}

/// Asserts a 304 with no body that repeats the validators.
async fn assert_304(res: Response, path: &str, etag: &str) {
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
    assert_eq!(header(&res, ETAG).as_deref(), Some(etag), "{path}");
    assert!(header(&res, CACHE_CONTROL).is_some(), "{path}: the 304 repeats Cache-Control");
    assert!(header(&res, VARY).is_some(), "{path}: the 304 repeats Vary");
    assert_eq!(header(&res, SET_COOKIE), None, "{path}");
    assert_eq!(header(&res, reqwest::header::CONTENT_LENGTH), None, "{path}: a 304 has no length");
    assert!(res.bytes().await.unwrap().is_empty(), "{path}: a 304 has no body");
}

#[tokio::test]
async fn every_page_answers_304_to_its_etag_and_revalidates() {
    let (app, _) = furnished().await;
    // A browser that holds the anonymous CSRF cookie (it saw the login form).
    let with_cookie = app.browser();
    assert_eq!(app.get(&with_cookie, "/acct/login").await.0, StatusCode::OK);
    for path in PAGES {
        let (etag, res) = anonymous_get(&app, path).await;
        assert_eq!(header(&res, CACHE_CONTROL).as_deref(), Some("public, no-cache"), "{path}");
        let body = res.bytes().await.unwrap();
        // Every anonymous reader gets the same bytes, with or without the CSRF cookie.
        let (again, res) = anonymous_get(&app, path).await;
        assert_eq!(again, etag, "{path}");
        assert_eq!(res.bytes().await.unwrap(), body, "{path}");
        let res = with_cookie.get(app.url(path)).send().await.unwrap();
        // (This client takes compressed bodies and decodes them: the tag is the weak form.)
        let tag = header(&res, ETAG).unwrap_or_default();
        assert_eq!(tag.trim_start_matches("W/"), etag, "{path}");
        assert_eq!(header(&res, SET_COOKIE), None, "{path}");
        assert_eq!(res.bytes().await.unwrap(), body, "{path}");

        let res = raw().get(app.url(path)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
        assert_304(res, path, &etag).await;
        let listed = format!("\"nope\", W/{etag}");
        let res = raw().get(app.url(path)).header(IF_NONE_MATCH, listed).send().await.unwrap();
        assert_304(res, path, &etag).await;
        let res = raw().get(app.url(path)).header(IF_NONE_MATCH, "\"other\"").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");

        // HEAD: the GET's headers and validators, no body.
        let res = raw().head(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(header(&res, ETAG).as_deref(), Some(etag.as_str()), "{path}");
        assert_eq!(header(&res, SET_COOKIE), None, "{path}");
        assert!(res.bytes().await.unwrap().is_empty(), "{path}");
        let res = raw().head(app.url(path)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(header(&res, reqwest::header::CONTENT_LENGTH), None, "{path}");
    }
}

#[tokio::test]
async fn every_feed_answers_304_to_its_etag_and_its_date() {
    let (app, _) = furnished().await;
    for path in FEEDS {
        let (etag, res) = anonymous_get(&app, path).await;
        assert_eq!(header(&res, CACHE_CONTROL).as_deref(), Some("public, max-age=60"), "{path}");
        let modified = header(&res, LAST_MODIFIED).unwrap_or_else(|| panic!("{path}: no date"));
        let date = httpdate::parse_http_date(&modified).unwrap();

        let res = raw().get(app.url(path)).header(IF_NONE_MATCH, &etag).send().await.unwrap();
        assert_304(res, path, &etag).await;
        let res =
            raw().get(app.url(path)).header(IF_MODIFIED_SINCE, &modified).send().await.unwrap();
        assert_304(res, path, &etag).await;
        let later = httpdate::fmt_http_date(date + std::time::Duration::from_secs(3600));
        let res = raw().get(app.url(path)).header(IF_MODIFIED_SINCE, later).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
        let earlier = httpdate::fmt_http_date(date - std::time::Duration::from_secs(1));
        let res = raw().get(app.url(path)).header(IF_MODIFIED_SINCE, earlier).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        // A tag that misses decides, whatever the date says.
        let res = raw()
            .get(app.url(path))
            .header(IF_NONE_MATCH, "\"stale\"")
            .header(IF_MODIFIED_SINCE, &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert!(!res.bytes().await.unwrap().is_empty(), "{path}");
    }
}

#[tokio::test]
async fn a_feed_is_dated_by_its_newest_entry_even_when_edited() {
    let (app, alice) = furnished().await;
    let dated = |path: &'static str| {
        let app = &app;
        async move {
            let res = raw().get(app.url(path)).send().await.unwrap();
            httpdate::parse_http_date(&header(&res, LAST_MODIFIED).unwrap()).unwrap()
        }
    };
    let before = dated("/person/alice/atom.xml").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let edit = json!({"title": "First light", "body": "Edited.", "format": "markdown"});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/people/alice/entries/0", Some(&alice), Some(edit)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = dated("/person/alice/atom.xml").await;
    assert!(after > before, "an edit moves Last-Modified: {before:?} → {after:?}");
    assert_eq!(dated("/recentlog.rss").await, after);
}

/// The ETags of the pages and feeds a diary entry shows on.
async fn entry_etags(app: &TestApp) -> Vec<String> {
    let mut tags = Vec::new();
    for path in [
        "/person/alice/diary.html",
        "/recentlog.html",
        "/person/alice/atom.xml",
        "/recentlog.json",
        "/",
    ] {
        tags.push(etag_of(app, path).await);
    }
    tags
}

fn assert_all_changed(before: &[String], after: &[String], what: &str) {
    for (i, (b, a)) in before.iter().zip(after).enumerate() {
        assert_ne!(b, a, "page {i} kept its ETag after {what}");
    }
}

#[tokio::test]
async fn etags_change_when_an_entry_is_written_edited_or_deleted() {
    let (app, alice) = furnished().await;
    let first = entry_etags(&app).await;
    let second = app.post_entry(&alice, "Second", "Another one.").await;
    let written = entry_etags(&app).await;
    assert_all_changed(&first, &written, "a write");

    let path = format!("/api/v1/people/alice/entries/{second}");
    let edit = json!({"title": "Second, edited", "body": "Another one.", "format": "markdown"});
    let (status, body) = call(&app, Method::PUT, &path, Some(&alice), Some(edit)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let edited = entry_etags(&app).await;
    assert_all_changed(&written, &edited, "an edit");

    let (status, body) = call(&app, Method::DELETE, &path, Some(&alice), None).await;
    assert!(status.is_success(), "{status} {body}");
    let deleted = entry_etags(&app).await;
    assert_all_changed(&edited, &deleted, "a deletion");
}

#[tokio::test]
async fn the_recent_log_etag_follows_the_authors_level() {
    let (app, _) = furnished().await;
    let before = [etag_of(&app, "/recentlog.html").await, etag_of(&app, "/recentlog.rss").await];
    // Below the default threshold alice's entry leaves the recent log.
    set_level(&app, "alice", TrustLevel::Observer).await;
    let after = [etag_of(&app, "/recentlog.html").await, etag_of(&app, "/recentlog.rss").await];
    assert_ne!(before[0], after[0]);
    assert_ne!(before[1], after[1]);
}

#[tokio::test]
async fn etags_change_when_a_feed_is_syndicated_into_the_diary() {
    let origin = FeedOrigin::start().await;
    let (app, alice) = furnished().await;
    let paths = ["/person/alice/diary.html", "/person/alice/atom.xml", "/person/alice/feed.json"];
    let mut before = Vec::new();
    for path in paths {
        before.push(etag_of(&app, path).await);
    }
    let link = json!({"url": origin.feed_url()});
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/settings/feed", Some(&alice), Some(link)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) =
        call(&app, Method::POST, "/api/v1/settings/feed/refresh", Some(&alice), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["entries"], 2, "{body}");
    for (path, old) in paths.iter().zip(before) {
        assert_ne!(etag_of(&app, path).await, old, "{path} kept its ETag");
    }
}

#[tokio::test]
async fn anonymous_reads_set_no_cookie_and_forms_do() {
    let (app, _) = furnished().await;
    // Every page and feed above checked "no Set-Cookie" already; error pages neither.
    let res = raw().get(app.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&res, SET_COOKIE), None);

    for path in ["/acct/login", "/acct/new"] {
        let res = raw().get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let cookie =
            set_cookie(&res, "virgule_csrf").unwrap_or_else(|| panic!("{path}: no cookie"));
        assert_eq!(header(&res, CACHE_CONTROL).as_deref(), Some("private, no-store"), "{path}");
        assert_eq!(header(&res, ETAG), None, "{path}: a personal page has no shared validator");
        let page = res.text().await.unwrap();
        assert_eq!(csrf_token(&page), cookie, "{path}: the form carries the cookie's token");
    }

    // A browser that has the CSRF cookie gets the same front page as one that has none.
    let browser = app.browser();
    let (status, _) = app.get(&browser, "/acct/login").await;
    assert_eq!(status, StatusCode::OK);
    let with_cookie = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(header(&with_cookie, SET_COOKIE), None);
    let with_cookie = with_cookie.bytes().await.unwrap();
    let without = raw().get(app.url("/")).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(with_cookie, without);
    // The login form shown to a browser with the cookie keeps its token and sets nothing.
    let res = browser.get(app.url("/acct/login")).send().await.unwrap();
    assert_eq!(header(&res, SET_COOKIE), None);
    assert_eq!(header(&res, CACHE_CONTROL).as_deref(), Some("private, no-store"));
}

#[tokio::test]
async fn the_login_and_register_forms_still_work() {
    let (app, _) = furnished().await;
    let newcomer = app.browser();
    app.register_browser(&newcomer, "newcomer").await;
    let (status, page) = app.get(&newcomer, "/acct/settings").await;
    assert_eq!(status, StatusCode::OK, "{page}");

    let returning = app.browser();
    let res = log_in(&app, &returning, "newcomer", PASSWORD).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    // Signed-in pages are the reader's own: private, and no shared validator.
    let res = returning.get(app.url("/person/alice/diary.html")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(header(&res, CACHE_CONTROL).as_deref(), Some("private, no-cache"));
    assert_eq!(header(&res, ETAG), None);
}

#[tokio::test]
async fn forms_without_the_cookie_or_the_right_token_are_refused() {
    let (app, _) = furnished().await;
    let fields = [("name", "mallory"), ("password", PASSWORD), ("password2", PASSWORD)];

    // A token from the page but no cookie (a cross-site post, or a cookie-less client).
    let page = raw().get(app.url("/acct/new")).send().await.unwrap().text().await.unwrap();
    let token = csrf_token(&page);
    let mut form = fields.to_vec();
    form.push(("csrf", &token));
    let res = raw().post(app.url("/acct/new")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // No token at all, and a wrong one with the cookie.
    let res = raw().post(app.url("/acct/new")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let browser = app.browser();
    let (status, _) = app.get(&browser, "/acct/new").await;
    assert_eq!(status, StatusCode::OK);
    let mut forged = fields.to_vec();
    forged.push(("csrf", "forged"));
    let res = browser.post(app.url("/acct/new")).form(&forged).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = browser.post(app.url("/acct/new")).form(&fields).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (status, body) = call(&app, Method::GET, "/api/v1/people/mallory", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn compression_is_negotiated_and_decodes_to_the_same_bytes() {
    let (app, _) = furnished().await;
    for path in ["/person/alice/diary.html", "/person/alice/atom.xml", "/recentlog.json"] {
        let (etag, identity) = anonymous_get(&app, path).await;
        assert_eq!(header(&identity, CONTENT_ENCODING), None, "{path}");
        let identity = identity.bytes().await.unwrap();
        for coding in ["br", "gzip", "zstd"] {
            let res =
                raw().get(app.url(path)).header(ACCEPT_ENCODING, coding).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path} {coding}");
            assert_eq!(header(&res, CONTENT_ENCODING).as_deref(), Some(coding), "{path}");
            let vary = header(&res, VARY).unwrap_or_default().to_ascii_lowercase();
            assert_eq!(vary.matches("accept-encoding").count(), 1, "{path}: Vary {vary}");
            // The compressed bytes are not the identity's: their tag is the weak form of it.
            let weak = format!("W/{etag}");
            assert_eq!(header(&res, ETAG).as_deref(), Some(weak.as_str()), "{path} {coding}");
            let sent = res.bytes().await.unwrap();
            assert!(sent.len() < identity.len(), "{path} {coding}: {} bytes", sent.len());
            assert_ne!(sent, identity);

            // A decoding client reads the identity's bytes back.
            let decoding = Client::new();
            let res =
                decoding.get(app.url(path)).header(ACCEPT_ENCODING, coding).send().await.unwrap();
            assert_eq!(res.bytes().await.unwrap(), identity, "{path} {coding}");

            // Revalidating the compressed copy with its weak tag gets a 304.
            let res = raw()
                .get(app.url(path))
                .header(ACCEPT_ENCODING, coding)
                .header(IF_NONE_MATCH, &weak)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path} {coding}");
            assert_eq!(header(&res, CONTENT_ENCODING), None, "{path}: a 304 is not encoded");
            // It names the client's copy: the compressed one.
            assert_eq!(header(&res, ETAG).as_deref(), Some(weak.as_str()), "{path} {coding}");
            assert!(res.bytes().await.unwrap().is_empty());
        }
    }
}
