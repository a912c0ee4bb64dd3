//! Helpers the page tests share: writing entries through the form, filling a diary fast,
//! reading redirects and cookies.

#![allow(clippy::unwrap_used, dead_code)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::{Client, Response, StatusCode};
use virgule_store::{EntryDraft, EntryFormat, MemberName, Store};

use crate::harness::TestApp;

/// The `Location` of a redirect.
pub fn location(res: &Response) -> String {
    res.headers()
        .get(reqwest::header::LOCATION)
        .unwrap_or_else(|| panic!("no Location on a {} response", res.status()))
        .to_str()
        .expect("ASCII location")
        .to_owned()
}

/// The value a response sets for cookie `name`, if it sets one.
pub fn set_cookie(res: &Response, name: &str) -> Option<String> {
    res.headers().get_all(reqwest::header::SET_COOKIE).iter().find_map(|v| {
        let v = v.to_str().ok()?;
        let (pair, _) = v.split_once(';').unwrap_or((v, ""));
        let (k, value) = pair.split_once('=')?;
        (k.trim() == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// Posts a Markdown entry through the "new entry" form (button "Post").
pub async fn write_entry(
    app: &TestApp,
    client: &Client,
    title: &str,
    body: &str,
    tags: &str,
) -> Response {
    app.submit(
        client,
        "/diary/new",
        "/diary/new",
        &[
            ("title", title),
            ("body", body),
            ("format", "markdown"),
            ("tags", tags),
            ("action", "post"),
        ],
    )
    .await
}

/// Writes an entry and checks that it landed at `/person/NAME/diary/K.html`; returns K.
pub async fn write_entry_ok(
    app: &TestApp,
    client: &Client,
    name: &str,
    title: &str,
    body: &str,
) -> i64 {
    let res = write_entry(app, client, title, body, "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "posting {title:?} should redirect");
    let to = location(&res);
    let prefix = format!("/person/{name}/diary/");
    let number = to
        .strip_prefix(&prefix)
        .and_then(|rest| rest.strip_suffix(".html"))
        .unwrap_or_else(|| panic!("unexpected permalink {to}"));
    number.parse().expect("entry number")
}

pub async fn member_id(store: &Store, name: &str) -> i64 {
    let name = MemberName::parse(name).expect("valid name");
    store.member_by_name(&name).await.expect("lookup").expect("member exists").id
}

/// A Markdown draft titled `title` with `tags`.
pub fn draft(title: &str, body: &str, tags: &[&str]) -> EntryDraft {
    EntryDraft {
        title: title.to_owned(),
        format: EntryFormat::Markdown,
        body_source: body.to_owned(),
        html: virgule_html::markdown_to_html(body),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// `n` entries "Entry 0" … "Entry n-1", an hour apart from 2016-01-01, so that entry K is the
/// K-th oldest.
pub async fn fill_diary(store: &Store, member_id: i64, n: usize) {
    let base = Utc.with_ymd_and_hms(2016, 1, 1, 0, 0, 0).single().expect("valid date");
    let items: Vec<(EntryDraft, DateTime<Utc>)> = (0..n)
        .map(|i| {
            let title = format!("Entry {i}");
            (
                draft(&title, &format!("Text of entry number {i}."), &[]),
                base + Duration::hours(i as i64),
            )
        })
        .collect();
    store.create_entries_bulk(member_id, &items).await.expect("bulk entries");
}

/// How many entries a page shows.
pub fn articles(page: &str) -> usize {
    page.matches("<article class=\"entry\">").count()
}

/// Logs `client` in through the form; returns the response (303 on success).
pub async fn log_in(app: &TestApp, client: &Client, name: &str, password: &str) -> Response {
    app.submit(client, "/acct/login", "/acct/login", &[("name", name), ("password", password)])
        .await
}
