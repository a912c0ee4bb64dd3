//! Threaded replies on articles and diary entries: the reply gate (Apprentice by default),
//! threads with depth, "[deleted]" keeping a thread readable, authors alone editing and
//! deleting, diaries closed to replies, and bad input refused without storing anything.

#![allow(clippy::unwrap_used)]

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::api_support::{assert_error, call, get};
use crate::articles::{members_at_levels, post_article};
use crate::harness::{PASSWORD, TestApp};
use crate::pages_support::{location, log_in};

async fn reply(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(app, Method::POST, path, Some(token), Some(body)).await
}

async fn reply_ok(app: &TestApp, path: &str, token: &str, text: &str, parent: Option<i64>) -> i64 {
    let (status, body) =
        reply(app, path, token, json!({"body": text, "format": "markdown", "parent": parent}))
            .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().unwrap()
}

/// `(id, depth, deleted, author)` of each reply, in thread order.
fn shape(replies: &Value) -> Vec<(i64, i64, bool, Value)> {
    replies
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_i64().unwrap(),
                r["depth"].as_i64().unwrap(),
                r["deleted"].as_bool().unwrap(),
                r["author"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn article_threads_nest_and_deleted_replies_keep_them_readable() {
    let app = TestApp::start().await;
    let [observer, apprentice, journeyer] = members_at_levels(&app).await;
    let number = post_article(&app, &journeyer, "Topic").await;
    let other = post_article(&app, &journeyer, "Other topic").await;
    let path = format!("/api/v1/articles/{number}/replies");

    let (status, body) =
        reply(&app, &path, &observer, json!({"body": "hi", "format": "markdown"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "level_too_low");
    assert!(body["error"].as_str().unwrap().contains("Apprentice"), "{body}");

    let (status, body) =
        reply(&app, &path, &apprentice, json!({"body": "First!", "format": "markdown"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let top = body["id"].as_i64().unwrap();
    assert_eq!(body["url"], app.url(&format!("/article/{number}.html#reply-{top}")));
    let answer = reply_ok(&app, &path, &journeyer, "An answer", Some(top)).await;
    let deeper = reply_ok(&app, &path, &apprentice, "Deeper", Some(answer)).await;
    let second = reply_ok(&app, &path, &journeyer, "Second top", None).await;
    let elsewhere =
        reply_ok(&app, &format!("/api/v1/articles/{other}/replies"), &journeyer, "x", None).await;

    // Bad input: a clear 400, nothing stored.
    for bad in [
        json!({"body": " ", "format": "markdown"}),
        json!({"body": "x", "format": "bbcode"}),
        json!({"body": "x", "format": "markdown", "parent": 999_999}),
        json!({"body": "x", "format": "markdown", "parent": elsewhere}),
    ] {
        let (status, body) = reply(&app, &path, &apprentice, bad.clone()).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");
        if bad.get("parent") == Some(&json!(elsewhere)) {
            assert!(body["error"].as_str().unwrap().contains("another"), "{body}");
        }
    }
    let (status, body) = reply(
        &app,
        "/api/v1/articles/99/replies",
        &apprentice,
        json!({"body": "x", "format": "markdown"}),
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    let (_, article) = get(&app, &format!("/api/v1/articles/{number}")).await;
    let a = |n: &str| json!(n);
    assert_eq!(
        shape(&article["replies"]),
        [
            (top, 0, false, a("apprentice")),
            (answer, 1, false, a("journeyer")),
            (deeper, 2, false, a("apprentice")),
            (second, 0, false, a("journeyer"))
        ]
    );
    assert_eq!(article["replies"][1]["parent"], top);
    assert_eq!(article["replies"][0]["parent"], Value::Null);
    assert_eq!(article["replies"][0]["html"], "<p>First!</p>\n");

    // Only the author edits or deletes a reply.
    let edit = json!({"body": "First, *edited*", "format": "markdown"});
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/replies/{top}"),
        Some(&journeyer),
        Some(edit.clone()),
    )
    .await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, body) =
        call(&app, Method::DELETE, &format!("/api/v1/replies/{top}"), Some(&journeyer), None).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "forbidden");
    let (status, edited) =
        call(&app, Method::PUT, &format!("/api/v1/replies/{top}"), Some(&apprentice), Some(edit))
            .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(
        (edited["html"].as_str(), edited["depth"].as_i64()),
        (Some("<p>First, <em>edited</em></p>\n"), Some(0))
    );
    let (status, body) = call(
        &app,
        Method::PUT,
        &format!("/api/v1/replies/{top}"),
        Some(&apprentice),
        Some(json!({"body": "", "format": "markdown"})),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");

    // Deleting a reply with answers leaves "[deleted]"; its answers still show, and a reply
    // to the deleted one is still shown.
    let (status, _) =
        call(&app, Method::DELETE, &format!("/api/v1/replies/{answer}"), Some(&journeyer), None)
            .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, article) = get(&app, &format!("/api/v1/articles/{number}")).await;
    assert_eq!(
        shape(&article["replies"]),
        [
            (top, 0, false, a("apprentice")),
            (answer, 1, true, Value::Null),
            (deeper, 2, false, a("apprentice")),
            (second, 0, false, a("journeyer"))
        ]
    );
    assert_eq!(article["replies"][1]["html"], "");
    let (_, list) = get(&app, "/api/v1/articles").await;
    let counted =
        list["articles"].as_array().unwrap().iter().find(|x| x["number"] == number).unwrap();
    assert_eq!(counted["reply_count"], 3, "placeholders are not counted");
    let (status, body) =
        call(&app, Method::DELETE, &format!("/api/v1/replies/{answer}"), Some(&journeyer), None)
            .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    let anon = app.browser();
    let (_, page) = app.get(&anon, &format!("/article/{number}.html")).await;
    assert!(
        page.contains(&format!(r#"<article class="reply depth-1" id="reply-{answer}""#)),
        "{page}"
    );
    assert!(page.contains("[deleted]") && page.contains("Deeper") && !page.contains("An answer"));
    assert!(page.contains(&format!(r#"class="reply depth-2" id="reply-{deeper}""#)));

    // A reply without answers disappears, and so does the placeholder it leaves alone.
    let (status, _) =
        call(&app, Method::DELETE, &format!("/api/v1/replies/{deeper}"), Some(&apprentice), None)
            .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, article) = get(&app, &format!("/api/v1/articles/{number}")).await;
    assert_eq!(
        shape(&article["replies"]),
        [(top, 0, false, a("apprentice")), (second, 0, false, a("journeyer"))]
    );
}

#[tokio::test]
async fn entries_take_replies_unless_their_author_closes_the_diary() {
    let app = TestApp::start().await;
    let [observer, apprentice, journeyer] = members_at_levels(&app).await;
    let k = app.post_entry(&journeyer, "My entry", "text").await;
    let path = format!("/api/v1/people/journeyer/entries/{k}/replies");

    let (status, body) =
        reply(&app, &path, &observer, json!({"body": "hi", "format": "markdown"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "level_too_low");
    let id = reply_ok(&app, &path, &apprentice, "Nice entry", None).await;
    let (status, body) =
        reply(&app, &path, &apprentice, json!({"body": "", "format": "markdown"})).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "invalid");
    let (status, body) = reply(
        &app,
        "/api/v1/people/journeyer/entries/9/replies",
        &apprentice,
        json!({"body": "x", "format": "markdown"}),
    )
    .await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");

    let (_, entry) = get(&app, &format!("/api/v1/people/journeyer/entries/{k}")).await;
    assert_eq!(entry["reply_count"], 1);
    assert_eq!(shape(&entry["replies"]), [(id, 0, false, json!("apprentice"))]);
    let (_, list) = get(&app, "/api/v1/people/journeyer/entries").await;
    assert_eq!(list["entries"][0]["reply_count"], 1);
    let (_, log) = get(&app, "/api/v1/recentlog").await;
    assert_eq!(log["entries"][0]["reply_count"], 1);

    // The owner closes the diary to replies: no more replies, by API or page.
    let (status, profile) = call(
        &app,
        Method::PUT,
        "/api/v1/settings/profile",
        Some(&journeyer),
        Some(json!({"replies": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(profile["replies"], false);
    let (status, body) =
        reply(&app, &path, &apprentice, json!({"body": "more", "format": "markdown"})).await;
    assert_error(status, &body, StatusCode::FORBIDDEN, "replies_closed");
    let (_, entry) = get(&app, &format!("/api/v1/people/journeyer/entries/{k}")).await;
    assert_eq!(entry["reply_count"], 1, "the refused reply was not stored");

    let reader = app.browser();
    log_in(&app, &reader, "apprentice", PASSWORD).await;
    let (_, page) = app.get(&reader, &format!("/person/journeyer/diary/{k}.html")).await;
    assert!(page.contains(r#"data-code="replies_closed""#), "{page}");
    assert!(!page.contains("id=\"reply-form\""), "{page}");
    assert!(page.contains("Nice entry"), "earlier replies stay");
    // A bad value is refused like any profile field.
    let (status, body) = call(
        &app,
        Method::PUT,
        "/api/v1/settings/profile",
        Some(&journeyer),
        Some(json!({"replies": "no"})),
    )
    .await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_json");
}

/// Posts the reply form of `page_path` (answering `parent`, if any) with `body`.
async fn reply_by_form(
    app: &TestApp,
    client: &Client,
    page_path: &str,
    action: &str,
    body: &str,
    parent: &str,
) -> reqwest::Response {
    app.submit(
        client,
        page_path,
        action,
        &[("body", body), ("format", "markdown"), ("parent", parent)],
    )
    .await
}

#[tokio::test]
async fn reply_forms_under_entries_show_the_gate_and_the_thread() {
    let app = TestApp::start().await;
    let [_, _, journeyer] = members_at_levels(&app).await;
    let k = app.post_entry(&journeyer, "Diary entry", "text").await;
    let page_path = format!("/person/journeyer/diary/{k}.html");
    let action = format!("/person/journeyer/diary/{k}/reply");

    let anon = app.browser();
    let (_, page) = app.get(&anon, &page_path).await;
    assert!(page.contains("to reply.") && !page.contains("id=\"reply-form\""), "{page}");
    let observer = app.browser();
    log_in(&app, &observer, "observer", PASSWORD).await;
    let (_, page) = app.get(&observer, &page_path).await;
    assert!(
        page.contains(r#"data-code="level_too_low""#)
            && page.contains("needs the Apprentice level"),
        "{page}"
    );
    assert!(!page.contains("id=\"reply-form\""));
    let res = reply_by_form(&app, &observer, &page_path, &action, "sneaky", "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let writer = app.browser();
    log_in(&app, &writer, "apprentice", PASSWORD).await;
    let res = reply_by_form(&app, &writer, &page_path, &action, "A *reply*", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    let id: i64 = to.rsplit_once("#reply-").unwrap().1.parse().unwrap();
    assert_eq!(to, format!("{page_path}#reply-{id}"));
    let res = reply_by_form(&app, &writer, &page_path, &action, "  ", "").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains(r#"data-code="invalid""#));
    let res = reply_by_form(&app, &writer, &page_path, &action, "x", "abc").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Answering a reply: the page offers it, the answer sits one level deeper.
    let (_, page) = app.get(&writer, &format!("{page_path}?parent={id}")).await;
    assert!(
        page.contains(&format!(r#"<input type="hidden" name="parent" value="{id}">"#)),
        "{page}"
    );
    let res = reply_by_form(
        &app,
        &writer,
        &format!("{page_path}?parent={id}"),
        &action,
        "Answer",
        &id.to_string(),
    )
    .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&anon, &page_path).await;
    assert!(page.contains(&format!(r#"class="reply depth-0" id="reply-{id}""#)), "{page}");
    assert!(page.contains(r#"class="reply depth-1""#) && page.contains("<em>reply</em>"));
    assert!(page.contains("2 replies"));
    let (_, diary) = app.get(&anon, "/person/journeyer/diary.html").await;
    assert!(diary.contains(&format!(r##"href="{page_path}#replies">2 replies</a>"##)), "{diary}");

    // The author edits and deletes through the pages; nobody else may.
    let (status, _) = app.get(&observer, &format!("/reply/{id}/edit")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = app
        .submit(
            &writer,
            &format!("/reply/{id}/edit"),
            &format!("/reply/{id}/edit"),
            &[("body", "Edited reply"), ("format", "markdown")],
        )
        .await;
    assert_eq!(
        (res.status(), location(&res)),
        (StatusCode::SEE_OTHER, format!("{page_path}#reply-{id}"))
    );
    let (_, page) = app.get(&observer, &page_path).await;
    let token = crate::harness::csrf_token(&page);
    let res = observer
        .post(app.url(&format!("/reply/{id}/delete")))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.submit(&writer, &page_path, &format!("/reply/{id}/delete"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&anon, &page_path).await;
    assert!(
        page.contains("[deleted]") && page.contains("Answer") && !page.contains("Edited reply"),
        "{page}"
    );
    assert!(page.contains("1 reply"));

    // Closing the diary from the settings form removes the form.
    let owner = app.browser();
    log_in(&app, &owner, "journeyer", PASSWORD).await;
    let (_, settings) = app.get(&owner, "/acct/settings").await;
    assert!(settings.contains(r#"<input type="checkbox" name="replies" checked>"#), "{settings}");
    let res = app
        .submit(
            &owner,
            "/acct/settings",
            "/acct/settings",
            &[("display_name", ""), ("homepage", ""), ("notes", ""), ("replies_shown", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, settings) = app.get(&owner, "/acct/settings").await;
    assert!(settings.contains(r#"<input type="checkbox" name="replies">"#), "{settings}");
    let (_, page) = app.get(&writer, &page_path).await;
    assert!(page.contains(r#"data-code="replies_closed""#) && !page.contains("id=\"reply-form\""));
    let res = reply_by_form(&app, &writer, &page_path, &action, "still?", "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
