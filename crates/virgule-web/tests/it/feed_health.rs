//! The site's feeds as an admin and a planet see them: `/admin/feeds` lists every linked
//! feed, failing longest first, to admins only; `/opml.xml` lists the feeds being polled, of
//! members in good standing, as OPML 2.0.

#![allow(clippy::unwrap_used)]

use chrono::{Duration, Utc};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use reqwest::{Client, StatusCode};
use virgule_store::{FetchRecord, FetchResult, MemberName, Store};

use crate::harness::{TestApp, syndication_settings};
use crate::pages_support::member_id;

/// Links `name`'s feed and records one fetch of it, `hours_ago`: a success with `title`, or
/// the failure `error`.
async fn fetched(store: &Store, name: &str, hours_ago: i64, outcome: Result<&str, &str>) {
    let id = member_id(store, name).await;
    let at = Utc::now() - Duration::hours(hours_ago);
    let url = format!("https://{name}.example/feed/");
    store.subscribe_feed(id, &url, at).await.expect("linked");
    let claim = store.claim_member_feed(id, at, Duration::minutes(2)).await;
    let claim = claim.expect("claim").expect("claimed");
    let result = match outcome {
        Ok(title) => FetchResult::Fetched {
            title: title.to_owned(),
            site_link: Some(format!("https://{name}.example/")),
            creates: vec![],
            updates: vec![],
            warnings: vec![],
        },
        Err(error) => FetchResult::Failed { error: error.to_owned(), gone: false },
    };
    let record = FetchRecord {
        at,
        url,
        etag: None,
        last_modified: None,
        result,
        next_fetch_at: at + Duration::hours(1),
    };
    store.record_feed_fetch(&claim, &record).await.expect("recorded");
}

/// The members of the table's rows, in order.
fn rows(page: &str) -> Vec<&str> {
    page.split("data-member=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect()
}

#[tokio::test]
async fn admins_see_every_feed_failing_longest_first() {
    let app = TestApp::start_with(syndication_settings(false)).await;
    let admin = app.browser();
    app.register_browser(&admin, "root").await; // the first account: the admin
    for name in ["alice", "bob", "carol", "dave"] {
        app.register_api(name).await;
    }
    fetched(&app.store, "alice", 1, Ok("Alice's blog")).await;
    fetched(&app.store, "bob", 2, Ok("Bob's blog")).await;
    // Bob's feed then fails: failing since his success two hours ago.
    fetched(&app.store, "bob", 0, Err("HTTP 500 Internal Server Error")).await;
    // Carol's has never been read.
    fetched(&app.store, "carol", 0, Err("connection refused")).await;
    // Dave linked a feed that was never fetched yet: healthy until it fails.
    let dave = member_id(&app.store, "dave").await;
    app.store.subscribe_feed(dave, "https://dave.example/feed/", Utc::now()).await.unwrap();

    let (status, page) = app.get(&admin, "/admin/feeds").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(rows(&page), ["carol", "bob", "alice", "dave"], "{page}");
    assert!(page.contains("2 failing"), "{page}");
    assert!(page.contains("HTTP 500 Internal Server Error (1 in a row)"), "{page}");
    assert!(page.contains("Alice&#39;s blog") || page.contains("Alice&#x27;s blog"), "{page}");
    let (_, by_name) = app.get(&admin, "/admin/feeds?sort=name").await;
    assert_eq!(rows(&by_name), ["alice", "bob", "carol", "dave"]);
    let (_, admin_page) = app.get(&admin, "/admin/").await;
    assert!(admin_page.contains("href=\"/admin/feeds\""), "linked from /admin/");

    // Nobody else sees it.
    let member = app.browser();
    app.register_browser(&member, "erin").await;
    let (status, _) = app.get(&member, "/admin/feeds").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get(&app.browser(), "/admin/feeds").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "anonymous: to the login form");
}

/// The `(text, xmlUrl, htmlUrl)` of every outline of an OPML document, which must be
/// well-formed XML with an `opml version="2.0"` root.
fn outlines(opml: &str) -> Vec<(String, String, String)> {
    let mut reader = Reader::from_str(opml);
    let mut found = Vec::new();
    let mut root = None;
    loop {
        match reader.read_event().expect("well-formed OPML") {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.try_get_attribute(name).expect("attribute").map(|a| {
                        a.normalized_value(XmlVersion::Explicit1_0).expect("escaped").into_owned()
                    })
                };
                let tag = e.name().as_ref().to_owned();
                if root.is_none() {
                    root = Some((tag.clone(), attr("version")));
                }
                if tag == "outline" {
                    found.push((
                        attr("text").expect("text"),
                        attr("xmlUrl").expect("xmlUrl"),
                        attr("htmlUrl").expect("htmlUrl"),
                    ));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(root, Some(("opml".to_owned(), Some("2.0".to_owned()))));
    found
}

#[tokio::test]
async fn the_opml_list_names_the_feeds_being_polled_of_members_in_good_standing() {
    let app = TestApp::start_with(syndication_settings(false)).await;
    for name in ["root", "alice", "bob", "carol", "dave"] {
        app.register_api(name).await;
    }
    fetched(&app.store, "alice", 1, Ok("Alice & <Co>")).await;
    fetched(&app.store, "bob", 1, Err("HTTP 404 Not Found")).await;
    fetched(&app.store, "carol", 1, Ok("Carol's")).await;
    fetched(&app.store, "dave", 1, Ok("Dave's")).await;
    // Carol unlinks hers; Dave is suspended.
    let carol = member_id(&app.store, "carol").await;
    app.store.unsubscribe_feed(carol).await.unwrap();
    app.store.set_suspended(&MemberName::parse("dave").unwrap(), true).await.unwrap();

    let res = Client::new().get(app.url("/opml.xml")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(content_type, "text/x-opml; charset=utf-8");
    assert!(res.headers().get("set-cookie").is_none());
    let opml = res.text().await.unwrap();
    let base = app.url("");
    let base = base.trim_end_matches('/');
    assert_eq!(
        outlines(&opml),
        [
            (
                "Alice & <Co> (alice)".to_owned(),
                "https://alice.example/feed/".to_owned(),
                "https://alice.example/".to_owned()
            ),
            // A failing feed is still polled, so still listed; never read, it has no
            // title nor site link yet: the member's name and diary stand in.
            (
                "bob".to_owned(),
                "https://bob.example/feed/".to_owned(),
                format!("{base}/person/bob/diary.html")
            ),
        ],
        "{opml}"
    );
}
