//! A member takes their writing elsewhere: `GET /api/v1/settings/export` as JSON (everything,
//! with what they typed) and as a WordPress export (WXR 1.2) that an XML reader reads back to
//! the very HTML of each post, even when a post contains `]]>`.

#![allow(clippy::unwrap_used)]

use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use virgule_store::{CertLevel, EntryFormat, MemberName, ReplyDraft, ReplyTarget};

use crate::harness::TestApp;
use crate::pages_support::member_id;

async fn export(app: &TestApp, token: &str, format: &str) -> reqwest::Response {
    Client::new()
        .get(app.url(&format!("/api/v1/settings/export?format={format}")))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET export")
}

/// alice's diary (two entries, one with tags and a `]]>`), a certification she gave, and a
/// reply she wrote under bob's entry; bob's own entry must not come with hers.
async fn furnished() -> (TestApp, String) {
    let app = TestApp::start().await;
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    let res = Client::new()
        .post(app.url("/api/v1/entries"))
        .bearer_auth(&alice)
        .json(&json!({"title": "Debian & SE Linux", "body": "Hello *world*.", "format": "markdown",
            "tags": ["debian", "SE Linux"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    app.post_entry(&alice, "Odd bytes", "A CDATA end: ]]> and on.").await;
    let bobs = app.post_entry(&bob, "Bob's own", "Not alice's.").await;
    let (alice_id, bob_id) =
        (member_id(&app.store, "alice").await, member_id(&app.store, "bob").await);
    app.store.certify(alice_id, bob_id, CertLevel::Journeyer).await.unwrap();
    let entry =
        app.store.entry_by_number(&MemberName::parse("bob").unwrap(), bobs).await.unwrap().unwrap();
    let draft = ReplyDraft {
        format: EntryFormat::Html,
        body_source: "<p>Nice post.</p>".into(),
        html: "<p>Nice post.</p>".into(),
    };
    app.store.create_reply(ReplyTarget::Entry(entry.id), None, alice_id, &draft).await.unwrap();
    (app, alice)
}

#[tokio::test]
async fn the_json_export_holds_all_of_ones_own_writing_and_nothing_else() {
    let (app, alice) = furnished().await;
    let res = export(&app, &alice, "json").await;
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert_eq!(disposition, "attachment; filename=\"virgule-alice.json\"");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["name"], "alice");
    let entries = body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{body}");
    assert_eq!(entries[0]["title"], "Debian & SE Linux");
    assert_eq!(entries[0]["source"], "Hello *world*.", "what she typed");
    assert!(entries[0]["html"].as_str().unwrap().contains("<em>world</em>"));
    assert_eq!(entries[0]["tags"], json!(["debian", "se linux"]), "as the site keeps tags");
    assert!(entries[0]["url"].as_str().unwrap().ends_with("/person/alice/diary/0.html"));
    assert_eq!(
        body["certifications_given"],
        json!([{
            "name": "bob", "level": "journeyer", "at": body["certifications_given"][0]["at"]
        }])
    );
    let replies = body["replies"].as_array().unwrap();
    assert_eq!(replies.len(), 1);
    assert!(replies[0]["url"].as_str().unwrap().contains("/person/bob/diary/0.html#reply-"));
    assert!(!body.to_string().contains("Not alice's"), "bob's writing is his own");
}

/// The posts of a WXR document as (title, content, post_type, tags), which must be
/// well-formed XML whose root is `rss` with the WXR 1.2 namespace.
fn posts(wxr: &str) -> Vec<(String, String, String, Vec<String>)> {
    let mut reader = Reader::from_str(wxr);
    let (mut posts, mut path, mut text) = (Vec::new(), Vec::<String>::new(), String::new());
    let mut current: Option<(String, String, String, Vec<String>)> = None;
    loop {
        match reader.read_event().expect("well-formed WXR") {
            Event::Start(e) => {
                let name = e.name().as_ref().to_owned();
                if path.is_empty() {
                    let ns = e.try_get_attribute("xmlns:wp").unwrap().expect("wp namespace");
                    assert_eq!(&*ns.value, "http://wordpress.org/export/1.2/");
                }
                if name == "item" {
                    current = Some(Default::default());
                }
                path.push(name);
                text.clear();
            }
            // Every field read here is written as CDATA; text between is whitespace.
            Event::CData(t) => text.push_str(&t.into_inner()),
            Event::End(_) => {
                let name = path.pop().unwrap();
                if let Some(post) = current.as_mut() {
                    match name.as_str() {
                        "title" => post.0 = text.clone(),
                        "content:encoded" => post.1 = text.clone(),
                        "wp:post_type" => post.2 = text.clone(),
                        "category" => post.3.push(text.clone()),
                        "item" => posts.push(current.take().unwrap()),
                        _ => {}
                    }
                }
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    posts
}

#[tokio::test]
async fn the_wordpress_export_reads_back_to_the_same_posts() {
    let (app, alice) = furnished().await;
    let res = export(&app, &alice, "wxr").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/xml; charset=utf-8");
    let wxr = res.text().await.unwrap();
    let posts = posts(&wxr);
    assert_eq!(posts.len(), 2, "{wxr}");
    assert_eq!(posts[0].0, "Debian & SE Linux");
    assert_eq!(posts[0].2, "post");
    assert_eq!(posts[0].3, ["debian", "se linux"]);
    assert!(posts[0].1.contains("<em>world</em>"), "{wxr}");
    // A `]]>` in a post survives, split across two CDATA sections.
    assert!(posts[1].1.contains("A CDATA end: ]]&gt; and on."), "{wxr}");
    let stored =
        app.store.entry_by_number(&MemberName::parse("alice").unwrap(), 1).await.unwrap().unwrap();
    assert_eq!(posts[1].1, stored.html, "the post's HTML, byte for byte");
    assert!(!wxr.contains("Not alice's"));
}

#[tokio::test]
async fn an_export_needs_its_owner_and_a_known_format() {
    let (app, alice) = furnished().await;
    let res = export(&app, &alice, "csv").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "bad_query", "{body}");
    let res = Client::new().get(app.url("/api/v1/settings/export")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // A browser session reaches it from the settings page.
    let browser = app.browser();
    app.register_browser(&browser, "carol").await;
    let (_, settings) = app.get(&browser, "/acct/settings").await;
    assert!(settings.contains("href=\"/api/v1/settings/export?format=wxr\""), "{settings}");
    let res = browser.get(app.url("/api/v1/settings/export?format=json")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        (body["name"].as_str(), body["entries"].as_array().map(Vec::len)),
        (Some("carol"), Some(0))
    );
}
