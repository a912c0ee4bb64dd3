//! The syndicated feed by API: linking a member's blog, fetching it into the diary (sanitized,
//! with absolute links, each entry naming its origin everywhere it is shown), failures kept
//! in the status, refused addresses changing nothing, and stopping.

#![allow(clippy::unwrap_used)]

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use virgule_store::MemberName;

use crate::api_support::{assert_error, call, get};
use crate::feed_origin::{
    FEED_TITLE, FIRST_AT, FIRST_AT_RFC3339, FIRST_TITLE, FUTURE_RFC3339, FeedOrigin, SECOND_AT,
    SECOND_TITLE,
};
use crate::harness::{TestApp, syndication_settings};

const FEED: &str = "/api/v1/settings/feed";
const REFRESH: &str = "/api/v1/settings/feed/refresh";

async fn member_id(app: &TestApp, name: &str) -> i64 {
    let name = MemberName::parse(name).unwrap();
    app.store.member_by_name(&name).await.unwrap().unwrap().id
}

/// Links `url` and fetches it now; returns the status after the fetch.
async fn link_and_fetch(app: &TestApp, token: &str, url: &str) -> Value {
    let (status, linked) =
        call(app, Method::PUT, FEED, Some(token), Some(json!({"url": url}))).await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    let (status, fetched) = call(app, Method::POST, REFRESH, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    fetched
}

fn entry_titled<'a>(entries: &'a Value, title: &str) -> &'a Value {
    entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["title"] == title)
        .unwrap_or_else(|| panic!("no entry {title:?} in {entries}"))
}

#[tokio::test]
async fn a_linked_feed_fills_the_diary_and_names_its_origin() {
    let origin = FeedOrigin::start().await;
    let app = TestApp::start().await;
    let token = app.register_api("etbe").await;
    let own = app.post_entry(&token, "Written here", "Not from the blog.").await;

    let (status, linked) =
        call(&app, Method::PUT, FEED, Some(&token), Some(json!({"url": origin.feed_url()}))).await;
    assert_eq!(status, StatusCode::OK, "{linked}");
    assert_eq!(linked["url"], origin.feed_url());
    assert_eq!(linked["status"], "active");

    let (status, fetched) = call(&app, Method::POST, REFRESH, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{fetched}");
    assert_eq!(fetched["title"], FEED_TITLE);
    assert_eq!(fetched["status"], "active");
    assert_eq!(fetched["entries"], 2, "{fetched}");
    assert_eq!(fetched["last_error"], Value::Null);
    assert_eq!(fetched["warnings"], json!([]), "a clean feed: present, and empty");
    assert!(fetched["last_success"].is_string(), "{fetched}");
    assert!(fetched["next_fetch"].is_string(), "{fetched}");
    assert_eq!(call(&app, Method::GET, FEED, Some(&token), None).await.1, fetched);
    assert_eq!(get(&app, "/api/v1/people/etbe").await.1["feed_url"], origin.feed_url());

    let (status, list) = get(&app, "/api/v1/people/etbe/entries").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 3, "{list}");
    let first = entry_titled(&list["entries"], FIRST_TITLE);
    assert_eq!(first["syndicated"]["feed_title"], FEED_TITLE);
    assert_eq!(first["syndicated"]["original_url"], origin.first_post_url());
    assert_eq!(first["syndicated"]["at"], FIRST_AT_RFC3339);
    let html = first["html"].as_str().unwrap();
    assert!(!html.contains("script") && !html.contains("owned"), "{html}");
    assert!(html.contains(&format!("src=\"{}/img/a.png\"", origin.base)), "{html}");
    let second = entry_titled(&list["entries"], SECOND_TITLE);
    assert_eq!(second["syndicated"]["original_url"], origin.second_post_url());
    // An entry written here has no origin, and no key for one.
    let written = entry_titled(&list["entries"], "Written here");
    assert!(written.get("syndicated").is_none(), "{written}");
    assert_eq!(written["number"], own);

    // Every HTML page that shows the entries ends each with its origin, as on Advogato.
    let line = format!(
        "Syndicated {FIRST_AT} from <a href=\"{}\" rel=\"nofollow noopener noreferrer\">{FEED_TITLE}</a>",
        origin.first_post_url()
    );
    let browser = app.browser();
    let (status, diary) = app.get(&browser, "/person/etbe/diary.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(diary.contains(&line), "{diary}");
    assert!(diary.contains(&format!("Syndicated {SECOND_AT} from ")), "{diary}");
    assert_eq!(diary.matches("<p class=\"syndicated\">").count(), 2, "{diary}");
    let number = first["number"].as_i64().unwrap();
    let (_, permalink) = app.get(&browser, &format!("/person/etbe/diary/{number}.html")).await;
    assert!(permalink.contains(&line), "{permalink}");
    // etbe is a new member, an Observer: the whole log (threshold 0) shows the entries.
    let (_, recent) = app.get(&browser, "/recentlog.html?thresh=0").await;
    assert!(recent.contains(FIRST_TITLE) && recent.contains(SECOND_TITLE), "{recent}");
    assert!(recent.contains(&line), "{recent}");

    let (_, log) = get(&app, "/api/v1/recentlog?thresh=0").await;
    let first = entry_titled(&log["entries"], FIRST_TITLE);
    assert_eq!(first["author"], "etbe");
    assert_eq!(first["syndicated"]["feed_title"], FEED_TITLE);
    assert!(entry_titled(&log["entries"], SECOND_TITLE)["syndicated"].is_object());

    // Our own feeds keep our permalink as the link and carry the origin in the text.
    let (_, rss) = app.get(&browser, "/person/etbe/rss.xml").await;
    assert!(rss.contains(&format!("Syndicated {FIRST_AT} from")), "{rss}");
    assert!(rss.contains(&format!("<link>{}/person/etbe/diary/{number}.html</link>", app.base)));
}

/// A blog whose clock ran ahead dates its feed in 2100: the feed is read all the same, and
/// the status tells its owner what to fix, until a read finds it fixed.
#[tokio::test]
async fn a_fault_the_reader_recovered_from_is_listed_until_the_feed_is_fixed() {
    let origin = FeedOrigin::start().await;
    origin.date_in_the_future(true);
    let app = TestApp::start().await;
    let token = app.register_api("etbe").await;

    let fetched = link_and_fetch(&app, &token, &origin.feed_url()).await;
    assert_eq!((&fetched["last_error"], &fetched["entries"]), (&Value::Null, &json!(2)));
    let warnings = fetched["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{fetched}");
    let warning = warnings[0].as_str().unwrap();
    assert!(warning.contains(&format!("{FUTURE_RFC3339} is in the future")), "{warning}");
    assert_eq!(call(&app, Method::GET, FEED, Some(&token), None).await.1, fetched);

    origin.date_in_the_future(false);
    let (status, fixed) = call(&app, Method::POST, REFRESH, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{fixed}");
    assert_eq!(fixed["warnings"], json!([]), "{fixed}");
}

#[tokio::test]
async fn a_failing_feed_reports_the_error_and_keeps_the_last_success() {
    let origin = FeedOrigin::start().await;
    let app = TestApp::start().await;
    let token = app.register_api("etbe").await;
    let good = link_and_fetch(&app, &token, &origin.feed_url()).await;
    assert_eq!(good["entries"], 2);

    origin.answer(StatusCode::INTERNAL_SERVER_ERROR);
    let (status, failed) = call(&app, Method::POST, REFRESH, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK, "{failed}");
    let error = failed["last_error"].as_str().unwrap_or_else(|| panic!("no error: {failed}"));
    assert!(error.contains("500"), "{error}");
    assert_eq!(failed["last_success"], good["last_success"]);
    assert_eq!(failed["status"], "active");
    assert_eq!(failed["entries"], 2);
    assert_eq!(failed["title"], FEED_TITLE);
    assert!(failed["next_fetch"].is_string());

    // Once the blog answers again, the error goes.
    origin.answer(StatusCode::OK);
    let (_, again) = call(&app, Method::POST, REFRESH, Some(&token), None).await;
    assert_eq!(again["last_error"], Value::Null, "{again}");
    assert_eq!(again["entries"], 2, "a refetch must not duplicate: {again}");
}

#[tokio::test]
async fn a_refused_address_changes_nothing() {
    let app = TestApp::start_with(syndication_settings(false)).await;
    let token = app.register_api("etbe").await;
    // Linked straight in the store: under the production policy, a public name would be
    // resolved, and the tests reach no network.
    let id = member_id(&app, "etbe").await;
    let previous = "https://blog.example.org/feed/";
    app.store.subscribe_feed(id, previous, virgule_store::now()).await.unwrap();

    for refused in
        ["http://127.0.0.1:1/feed", "http://[::1]/feed", "ftp://example.org/feed", "not a url"]
    {
        let (status, body) =
            call(&app, Method::PUT, FEED, Some(&token), Some(json!({"url": refused}))).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "feed_url_refused");
        if refused.contains("127.0.0.1") {
            assert!(body["error"].as_str().unwrap().contains("127.0.0.1"), "{body}");
        }
    }
    let (status, body) = call(&app, Method::GET, FEED, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["url"], previous);
    assert_eq!(body["status"], "active");
}

#[tokio::test]
async fn feed_settings_need_a_member_and_a_well_formed_body() {
    let app = TestApp::start().await;
    let body = json!({"url": "http://127.0.0.1:1/feed"});
    for (method, path, body) in [
        (Method::GET, FEED, None),
        (Method::PUT, FEED, Some(body.clone())),
        (Method::POST, REFRESH, None),
    ] {
        let (status, answer) = call(&app, method.clone(), path, None, body).await;
        assert_error(status, &answer, StatusCode::UNAUTHORIZED, "unauthorized");
    }

    let token = app.register_api("etbe").await;
    let (status, none) = call(&app, Method::GET, FEED, Some(&token), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        none,
        json!({"url": null, "title": null, "status": "none", "last_success": null,
            "last_error": null, "warnings": [], "next_fetch": null, "entries": 0})
    );
    let (status, answer) = call(&app, Method::POST, REFRESH, Some(&token), None).await;
    assert_error(status, &answer, StatusCode::NOT_FOUND, "no_feed");

    // A forgotten field must not unlink a feed, and bad JSON is the API's 400.
    let (status, answer) = call(&app, Method::PUT, FEED, Some(&token), Some(json!({}))).await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "bad_json");
    let res = Client::new()
        .put(app.url(FEED))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"url\": ")
        .send()
        .await
        .unwrap();
    let (status, answer) = crate::api_support::read(res).await;
    assert_error(status, &answer, StatusCode::BAD_REQUEST, "bad_json");
    let (status, answer) = call(&app, Method::DELETE, FEED, Some(&token), None).await;
    assert_error(status, &answer, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
}

#[tokio::test]
async fn a_browser_session_needs_the_csrf_header_to_change_the_feed() {
    let origin = FeedOrigin::start().await;
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "etbe").await;
    let (_, page) = app.get(&browser, "/acct/settings").await;
    let csrf = crate::harness::csrf_token(&page);

    let body = json!({"url": origin.feed_url()});
    let res = browser.put(app.url(FEED)).json(&body).send().await.unwrap();
    let (status, answer) = crate::api_support::read(res).await;
    assert_error(status, &answer, StatusCode::FORBIDDEN, "csrf");
    let (_, status) =
        crate::api_support::read(browser.get(app.url(FEED)).send().await.unwrap()).await;
    assert_eq!(status["status"], "none", "the refused call changed nothing");

    let res =
        browser.put(app.url(FEED)).header("x-csrf-token", &csrf).json(&body).send().await.unwrap();
    let (status, answer) = crate::api_support::read(res).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["url"], origin.feed_url());
}

#[tokio::test]
async fn stopping_syndication_keeps_the_entries() {
    let origin = FeedOrigin::start().await;
    let app = TestApp::start().await;
    let token = app.register_api("etbe").await;
    assert_eq!(link_and_fetch(&app, &token, &origin.feed_url()).await["entries"], 2);

    let (status, stopped) =
        call(&app, Method::PUT, FEED, Some(&token), Some(json!({"url": null}))).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(stopped["status"], "stopped");
    assert_eq!(stopped["url"], Value::Null);
    assert_eq!(stopped["next_fetch"], Value::Null);
    assert_eq!(stopped["entries"], 2);
    assert_eq!(stopped["title"], FEED_TITLE);
    assert!(get(&app, "/api/v1/people/etbe").await.1.get("feed_url").is_none());

    let (_, list) = get(&app, "/api/v1/people/etbe/entries").await;
    assert_eq!(list["total"], 2, "{list}");
    assert!(entry_titled(&list["entries"], FIRST_TITLE)["syndicated"].is_object());

    // Nothing to fetch now, and the blog is not asked.
    let asked = origin.feed_requests();
    let (status, answer) = call(&app, Method::POST, REFRESH, Some(&token), None).await;
    assert_error(status, &answer, StatusCode::NOT_FOUND, "no_feed");
    assert_eq!(origin.feed_requests(), asked);

    // An empty address stops it too; linking again does not duplicate the posts.
    let (status, relinked) =
        call(&app, Method::PUT, FEED, Some(&token), Some(json!({"url": origin.feed_url()}))).await;
    assert_eq!(status, StatusCode::OK, "{relinked}");
    let (_, fetched) = call(&app, Method::POST, REFRESH, Some(&token), None).await;
    assert_eq!(fetched["entries"], 2, "{fetched}");
    assert_eq!(get(&app, "/api/v1/people/etbe/entries").await.1["total"], 2);
    let (status, stopped) =
        call(&app, Method::PUT, FEED, Some(&token), Some(json!({"url": "  "}))).await;
    assert_eq!(status, StatusCode::OK, "{stopped}");
    assert_eq!(stopped["status"], "stopped");
}
