//! Diary pages: writing through the form (preview, post, edit, delete), who may do it,
//! hostile HTML, pagination at 0, 10, 11 and 1,168 entries, archives and tags, and data that
//! outlives a restart.

#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use virgule_store::{MemberName, Store, TrustLevel};

use crate::harness::{TestApp, csrf_token};
use crate::pages_support::{
    articles, draft, fill_diary, location, member_id, write_entry, write_entry_ok,
};
use crate::recentlog_thresh::set_level;

#[tokio::test]
async fn preview_does_not_save_and_post_goes_to_the_permalink() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;

    let res = app
        .submit(
            &browser,
            "/diary/new",
            "/diary/new",
            &[
                ("title", "First light"),
                ("body", "Hello *world*"),
                ("format", "markdown"),
                ("tags", "Debian, selinux"),
                ("action", "preview"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("Hello <em>world</em>"), "the preview is rendered");
    assert!(page.contains(">Hello *world*</textarea>"), "the form keeps the text");
    assert!(page.contains("value=\"Debian, selinux\""));
    let id = member_id(&app.store, "alice").await;
    assert_eq!(app.store.entry_count_for_member(id).await.unwrap(), 0, "a preview saves nothing");

    let res = write_entry(&app, &browser, "First light", "Hello *world*", "Debian, selinux").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/person/alice/diary/0.html");
    let (status, page) = app.get(&app.browser(), "/person/alice/diary/0.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("First light"));
    assert!(page.contains("Hello <em>world</em>"));
    assert!(page.contains("href=\"/person/alice/tag/debian/\""), "tags are lower-cased links");
    assert!(page.contains("<time datetime=\""));

    assert_eq!(write_entry_ok(&app, &browser, "alice", "Second", "More.").await, 1);
    let (_, page) = app.get(&browser, "/person/alice/diary/1.html").await;
    assert!(page.contains("href=\"/person/alice/diary/0.html\">Previous entry"));
    assert!(page.contains("href=\"/diary/1/edit\""), "the owner may edit");
    let (_, page) = app.get(&app.browser(), "/person/alice/diary/1.html").await;
    assert!(!page.contains("/diary/1/edit"), "a reader may not");
}

#[tokio::test]
async fn invalid_entries_are_refused_with_the_form_still_filled() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    let long_title = "t".repeat(201);
    let cases: [(&str, &str, &str, &str); 3] = [
        ("Kept title", "   ", "markdown", "the entry has no text"),
        (&long_title, "text", "markdown", "at most 200 characters"),
        ("Kept title", "text", "latex", "the format must be"),
    ];
    for (title, body, format, message) in cases {
        let res = app
            .submit(
                &browser,
                "/diary/new",
                "/diary/new",
                &[
                    ("title", title),
                    ("body", body),
                    ("format", format),
                    ("tags", ""),
                    ("action", "post"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let page = res.text().await.unwrap();
        assert!(page.contains(message), "expected {message:?}");
        assert!(page.contains("class=\"flash error\""));
        assert!(page.contains(&format!("value=\"{title}\"")), "the typed title is kept");
    }
    let id = member_id(&app.store, "alice").await;
    assert_eq!(app.store.entry_count_for_member(id).await.unwrap(), 0);
}

#[tokio::test]
async fn the_owner_edits_and_deletes_an_entry() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    write_entry_ok(&app, &browser, "alice", "Draft title", "Original *text*").await;

    let (status, form) = app.get(&browser, "/diary/0/edit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(">Original *text*</textarea>"), "the form holds the source");
    assert!(form.contains("value=\"Draft title\""));

    let fields = [
        ("title", "Final title"),
        ("body", "Edited **text**"),
        ("format", "markdown"),
        ("tags", "news"),
    ];
    let mut preview = fields.to_vec();
    preview.push(("action", "preview"));
    let res = app.submit(&browser, "/diary/0/edit", "/diary/0/edit", &preview).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Edited <strong>text</strong>"));
    let (_, page) = app.get(&browser, "/person/alice/diary/0.html").await;
    assert!(page.contains("Original <em>text</em>"), "a preview changes nothing");

    let mut post = fields.to_vec();
    post.push(("action", "post"));
    let res = app.submit(&browser, "/diary/0/edit", "/diary/0/edit", &post).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/person/alice/diary/0.html");
    let (_, page) = app.get(&browser, "/person/alice/diary/0.html").await;
    assert!(page.contains("Final title") && page.contains("Edited <strong>text</strong>"));
    assert!(!page.contains("Original"));

    let (status, confirm) = app.get(&browser, "/diary/0/delete").await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Delete this entry?") && confirm.contains("Final title"));
    let res = app.submit(&browser, "/diary/0/delete", "/diary/0/delete", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/person/alice/diary.html");
    let (status, _) = app.get(&browser, "/person/alice/diary/0.html").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Numbers are not reused: the next entry is number 1.
    assert_eq!(write_entry_ok(&app, &browser, "alice", "Next", "After the deletion.").await, 1);
}

#[tokio::test]
async fn another_member_cannot_edit_or_delete() {
    let app = TestApp::start().await;
    let alice = app.browser();
    app.register_browser(&alice, "alice").await;
    write_entry_ok(&app, &alice, "alice", "Mine", "Alice wrote this.").await;
    let bob = app.browser();
    app.register_browser(&bob, "bob").await;

    let (status, page) = app.get(&bob, "/diary/0/edit").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("You have no entry with that number."));
    let (status, _) = app.get(&bob, "/diary/0/delete").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, page) = app.get(&bob, "/").await;
    let token = csrf_token(&page);
    let edit = [
        ("title", "Bob was here"),
        ("body", "defaced"),
        ("format", "markdown"),
        ("action", "post"),
        ("csrf", &token),
    ];
    let res = bob.post(app.url("/diary/0/edit")).form(&edit).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = bob.post(app.url("/diary/0/delete")).form(&[("csrf", &token)]).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Bob's own entry 0 is his: editing it leaves Alice's alone.
    write_entry_ok(&app, &bob, "bob", "Bob's", "Bob's own.").await;
    let res = bob.post(app.url("/diary/0/edit")).form(&edit).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/person/bob/diary/0.html");

    let entry =
        app.store.entry_by_number(&MemberName::parse("alice").unwrap(), 0).await.unwrap().unwrap();
    assert_eq!(entry.title, "Mine");
    let alice = MemberName::parse("alice").unwrap();
    let source = app.store.entry_source(&alice, 0).await.unwrap();
    assert_eq!(source.as_deref(), Some("Alice wrote this."));
}

#[tokio::test]
async fn anonymous_visitors_cannot_write() {
    let app = TestApp::start().await;
    let alice = app.browser();
    app.register_browser(&alice, "alice").await;
    write_entry_ok(&app, &alice, "alice", "Mine", "Alice wrote this.").await;

    let anon = app.browser();
    for path in ["/diary/new", "/diary/0/edit", "/diary/0/delete", "/acct/settings"] {
        let res = anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&res).starts_with("/acct/login?next="), "{path}");
    }
    let (_, page) = app.get(&anon, "/acct/login").await;
    let token = csrf_token(&page);
    let entry = [
        ("title", "t"),
        ("body", "anonymous"),
        ("format", "markdown"),
        ("action", "post"),
        ("csrf", &token),
    ];
    for path in ["/diary/new", "/diary/0/edit", "/diary/0/delete"] {
        let res = anon.post(app.url(path)).form(&entry).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(res.text().await.unwrap().contains("log in first"));
    }
    let (_, log) = app.get(&anon, "/recentlog.html?thresh=0").await;
    assert_eq!(articles(&log), 1, "nothing new in the recent log");
    let (status, _) = app.get(&anon, "/person/alice/diary/0.html").await;
    assert_eq!(status, StatusCode::OK, "the entry is intact");
}

#[tokio::test]
async fn hostile_html_never_reaches_the_page() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "mallory").await;
    let body = "<p>Hi</p><script>alert('x')</script><img src=\"/a.png\" onerror=\"alert(1)\">\
                <a href=\"javascript:alert(2)\">click</a><p style=\"color:red\" onclick=\"alert(3)\">styled</p>";
    let res = app
        .submit(
            &browser,
            "/diary/new",
            "/diary/new",
            &[
                ("title", "<b>bold</b> title"),
                ("body", body),
                ("format", "html"),
                ("tags", ""),
                ("action", "post"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // Past the default threshold, so the recent log and the front page list the entry.
    set_level(&app, "mallory", TrustLevel::Apprentice).await;
    for path in
        ["/person/mallory/diary.html", "/person/mallory/diary/0.html", "/recentlog.html", "/"]
    {
        let (_, page) = app.get(&browser, path).await;
        let lower = page.to_lowercase();
        for bad in ["<script", "onerror", "onclick", "javascript:", "style=", "<b>bold"] {
            assert!(!lower.contains(bad), "{path} contains {bad}");
        }
        assert!(page.contains("&#60;b&#62;bold&#60;/b&#62; title"), "{path}: the title is text");
    }
    let (_, page) = app.get(&browser, "/person/mallory/diary/0.html").await;
    assert!(page.contains("<p>Hi</p>") && page.contains(">click</a>"), "the harmless parts stay");
}

#[tokio::test]
async fn an_empty_diary_says_so_without_a_pager() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    let (status, page) = app.get(&app.browser(), "/person/alice/diary.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Recent blog entries for alice</h1>"));
    assert!(page.contains("alice has not written any entries yet."));
    assert!(!page.contains("class=\"pager\""));
    assert_eq!(articles(&page), 0);
    let (_, own) = app.get(&browser, "/person/alice/diary.html").await;
    assert!(own.contains("href=\"/diary/new\""), "the owner is invited to write");
}

#[tokio::test]
async fn ten_entries_fit_on_one_page() {
    let app = TestApp::start().await;
    app.register_browser(&app.browser(), "alice").await;
    fill_diary(&app.store, member_id(&app.store, "alice").await, 10).await;
    let (_, page) = app.get(&app.browser(), "/person/alice/diary.html").await;
    assert_eq!(articles(&page), 10);
    assert!(!page.contains("older entries"));
    assert!(!page.contains("class=\"pager\""));
    let newest = page.find("Entry 9").expect("newest shown");
    let oldest = page.find("Entry 0<").expect("oldest shown");
    assert!(newest < oldest, "newest first");
}

#[tokio::test]
async fn eleven_entries_make_two_pages() {
    let app = TestApp::start().await;
    app.register_browser(&app.browser(), "alice").await;
    fill_diary(&app.store, member_id(&app.store, "alice").await, 11).await;
    let reader = app.browser();
    let (_, page) = app.get(&reader, "/person/alice/diary.html").await;
    assert_eq!(articles(&page), 10);
    assert!(page.contains(
        "<a class=\"older\" href=\"/person/alice/diary.html?start=10\">1 older entries...</a>"
    ));
    assert!(!page.contains("Entry 0<"));

    let (_, second) = app.get(&reader, "/person/alice/diary.html?start=10").await;
    assert_eq!(articles(&second), 1);
    assert!(second.contains("Entry 0<"), "the oldest entry is on the second page");
    assert!(second.contains("<a class=\"newer\" href=\"/person/alice/diary.html\">"));
    assert!(second.contains("newer entries..."));
    assert!(!second.contains("older entries"));
}

#[tokio::test]
async fn a_long_diary_counts_its_older_entries_like_advogato() {
    let app = TestApp::start().await;
    app.register_browser(&app.browser(), "etbe").await;
    fill_diary(&app.store, member_id(&app.store, "etbe").await, 1168).await;
    let reader = app.browser();
    let (status, page) = app.get(&reader, "/person/etbe/diary.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<h1>Recent blog entries for etbe</h1>"));
    assert_eq!(articles(&page), 10);
    assert!(page.contains("href=\"/person/etbe/diary.html?start=10\">1158 older entries...</a>"));
    assert!(page.contains("Entry 1167<"));

    let (_, last) = app.get(&reader, "/person/etbe/diary.html?start=1160").await;
    assert_eq!(articles(&last), 8);
    assert!(last.contains("Entry 7<") && last.contains("Entry 0<"));
    assert!(!last.contains("older entries"));
    assert!(last.contains("href=\"/person/etbe/diary.html?start=1150\""));

    let (_, beyond) = app.get(&reader, "/person/etbe/diary.html?start=5000").await;
    assert_eq!(articles(&beyond), 0);
    assert!(beyond.contains("no entries this far back"));

    // The sidebar's archive counts the months: 1,168 hours from 2016-01-01 span two months.
    assert!(page.contains(
        "href=\"/person/etbe/archive/2016/01/\">January 2016</a> <span class=\"muted\">(744)</span>"
    ));
    assert!(page.contains("February 2016</a> <span class=\"muted\">(424)</span>"));
}

#[tokio::test]
async fn a_bad_start_is_a_clear_400() {
    let app = TestApp::start().await;
    app.register_browser(&app.browser(), "alice").await;
    let reader = app.browser();
    for path in [
        "/person/alice/diary.html?start=-1",
        "/person/alice/diary.html?start=ten",
        "/recentlog.html?start=-5",
    ] {
        let (status, page) = app.get(&reader, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
        assert!(page.contains("must be a whole number"), "{path}");
        assert!(page.contains("Virgule Test"), "in the site layout");
    }
}

#[tokio::test]
async fn month_archives_and_tags_list_the_right_entries() {
    let app = TestApp::start().await;
    app.register_browser(&app.browser(), "etbe").await;
    let id = member_id(&app.store, "etbe").await;
    let at = |m: u32, d: u32| Utc.with_ymd_and_hms(2021, m, d, 12, 0, 0).single().unwrap();
    let items = vec![
        (draft("Feb post", "x", &["debian"]), at(2, 27)),
        (draft("March one", "x", &["debian", "se linux"]), at(3, 1)),
        (draft("March two", "x", &["selinux"]), at(3, 15)),
        (draft("March three", "x", &["debian"]), at(3, 31)),
        (draft("April post", "x", &[]), at(4, 1)),
    ];
    app.store.create_entries_bulk(id, &items).await.unwrap();
    let reader = app.browser();

    let (status, march) = app.get(&reader, "/person/etbe/archive/2021/03/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(march.contains("<h1>Entries for etbe from March 2021</h1>"));
    assert_eq!(articles(&march), 3);
    for title in ["March one", "March two", "March three"] {
        assert!(march.contains(title));
    }
    assert!(!march.contains("Feb post<") && !march.contains("April post<"));
    assert!(march.contains("March 2021</a> <span class=\"muted\">(3)</span>"), "sidebar counts");

    let (status, empty) = app.get(&reader, "/person/etbe/archive/2020/03/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(empty.contains("etbe wrote no entries in March 2020."));
    for bad in [
        "/person/etbe/archive/2021/13/",
        "/person/etbe/archive/2021/00/",
        "/person/etbe/archive/year/03/",
        "/person/nobody/archive/2021/03/",
    ] {
        assert_eq!(app.get(&reader, bad).await.0, StatusCode::NOT_FOUND, "{bad}");
    }

    let (status, debian) = app.get(&reader, "/person/etbe/tag/debian/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(debian.contains("<h1>Entries for etbe tagged “debian”</h1>"));
    assert_eq!(articles(&debian), 3);
    assert!(
        debian.contains("Feb post")
            && debian.contains("March one")
            && debian.contains("March three")
    );
    assert!(!debian.contains("March two<"));
    assert!(debian.contains(
        "href=\"/person/etbe/tag/debian/\" rel=\"tag\">debian</a> <span class=\"muted\">(3)</span>"
    ));

    let (status, spaced) = app.get(&reader, "/person/etbe/tag/se%20linux/").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(articles(&spaced), 1);
    assert!(
        spaced.contains("href=\"/person/etbe/tag/se%20linux/\""),
        "tags with spaces are encoded"
    );

    assert_eq!(app.get(&reader, "/person/etbe/tag/nothing/").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tag_pages_are_paged_by_ten() {
    let app = TestApp::start().await;
    app.register_browser(&app.browser(), "alice").await;
    let id = member_id(&app.store, "alice").await;
    let base = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).single().unwrap();
    let items: Vec<_> = (0..12)
        .map(|i| (draft(&format!("Tagged {i}"), "x", &["rust"]), base + chrono::Duration::days(i)))
        .collect();
    app.store.create_entries_bulk(id, &items).await.unwrap();
    let (_, first) = app.get(&app.browser(), "/person/alice/tag/rust/").await;
    assert_eq!(articles(&first), 10);
    assert!(first.contains("href=\"/person/alice/tag/rust/?start=10\">2 older entries...</a>"));
    let (_, second) = app.get(&app.browser(), "/person/alice/tag/rust/?start=10").await;
    assert_eq!(articles(&second), 2);
    assert!(second.contains("Tagged 0<"));
}

#[tokio::test]
async fn entry_addresses_are_checked() {
    let app = TestApp::start().await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    write_entry_ok(&app, &browser, "alice", "Only", "One entry.").await;
    for path in [
        "/person/alice/diary/1.html",
        "/person/alice/diary/01.html",
        "/person/alice/diary/-1.html",
        "/person/alice/diary/x.html",
        "/person/alice/diary/0",
        "/person/bob/diary/0.html",
        "/diary/x/edit",
    ] {
        let (status, page) = app.get(&browser, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("Virgule Test"), "{path} is a page in the layout");
    }
}

#[tokio::test]
async fn the_recent_log_shows_every_member_newest_first() {
    let app = TestApp::start().await;
    let alice = app.browser();
    app.register_browser(&alice, "alice").await;
    let bob = app.browser();
    app.register_browser(&bob, "bob").await;
    let alice_id = member_id(&app.store, "alice").await;
    fill_diary(&app.store, alice_id, 24).await;
    write_entry_ok(&app, &bob, "bob", "Bob speaks", "Newest of all.").await;
    // Both past the default threshold, so the plain address shows them.
    set_level(&app, "alice", TrustLevel::Apprentice).await;
    set_level(&app, "bob", TrustLevel::Journeyer).await;

    let reader = app.browser();
    let (status, page) = app.get(&reader, "/recentlog.html").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(articles(&page), 20);
    let bob_at = page.find("Bob speaks").expect("bob's entry");
    let alice_at = page.find("Entry 23<").expect("alice's newest");
    assert!(bob_at < alice_at, "newest first");
    assert!(page.contains(
        "<a class=\"author level-journeyer\" title=\"Journeyer\" href=\"/person/bob/\">bob</a>"
    ));
    assert!(page.contains("href=\"/recentlog.html?start=20\">Next 20 entries...</a>"));
    assert!(page.contains("href=\"/recentlog.rss\""));
    assert!(page.contains("href=\"/recentlog.atom\""));
    assert!(page.contains("href=\"/recentlog.json\""));

    let (_, next) = app.get(&reader, "/recentlog.html?start=20").await;
    assert_eq!(articles(&next), 5);
    assert!(next.contains("Entry 0<"));
    assert!(next.contains("href=\"/recentlog.html\">Previous 20 entries</a>"));
    assert!(!next.contains("Next 20 entries"));
}

#[tokio::test]
async fn diary_pages_offer_their_feeds() {
    let app = TestApp::start().await;
    app.register_browser(&app.browser(), "alice").await;
    let (_, page) = app.get(&app.browser(), "/person/alice/diary.html").await;
    for (mime, href) in [
        ("application/rss+xml", "/person/alice/rss.xml"),
        ("application/atom+xml", "/person/alice/atom.xml"),
        ("application/feed+json", "/person/alice/feed.json"),
    ] {
        assert!(
            page.contains(&format!("type=\"{mime}\""))
                && page.contains(&format!("href=\"{href}\"")),
            "{href}"
        );
    }
}

#[tokio::test]
async fn entries_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_sqlite(dir.path()).await.unwrap();
    let app = TestApp::serve(store.clone()).await;
    let browser = app.browser();
    app.register_browser(&browser, "alice").await;
    write_entry_ok(&app, &browser, "alice", "Durable", "Written *before* the restart.").await;
    app.stop().await;
    store.close().await;

    let reopened = Store::open_sqlite(dir.path()).await.unwrap();
    let app = TestApp::serve(reopened).await;
    let (status, page) = app.get(&app.browser(), "/person/alice/diary/0.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Durable") && page.contains("Written <em>before</em> the restart."));
    let (_, log) = app.get(&app.browser(), "/recentlog.html?thresh=0").await;
    assert!(log.contains("Durable"));
}

/// The sidebar is cached per member under the diary's version: a new entry with a new tag,
/// an edit that renames a tag, and a deletion all show at once.
#[tokio::test]
async fn the_sidebar_follows_every_change_to_the_diary() {
    let app = TestApp::start().await;
    let token = app.register_api("etbe").await;
    let reader = app.browser();
    let client = reqwest::Client::new();
    let post = |tags: serde_json::Value| {
        client
            .post(app.url("/api/v1/entries"))
            .bearer_auth(&token)
            .json(
                &serde_json::json!({"title": "t", "body": "b", "format": "markdown", "tags": tags}),
            )
            .send()
    };
    post(serde_json::json!(["alpha"])).await.unwrap();
    let (_, page) = app.get(&reader, "/person/etbe/diary.html").await;
    assert!(page.contains("/person/etbe/tag/alpha/"));
    assert!(!page.contains("/person/etbe/tag/beta/"));

    post(serde_json::json!(["beta"])).await.unwrap();
    let (_, page) = app.get(&reader, "/person/etbe/diary.html").await;
    assert!(page.contains("/person/etbe/tag/beta/"), "a new tag shows at once");

    let res = client
        .put(app.url("/api/v1/people/etbe/entries/0"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"title": "t", "body": "b", "format": "markdown", "tags": ["gamma"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let (_, page) = app.get(&reader, "/person/etbe/diary.html").await;
    assert!(page.contains("/person/etbe/tag/gamma/") && !page.contains("/person/etbe/tag/alpha/"));

    let res = client
        .delete(app.url("/api/v1/people/etbe/entries/1"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, page) = app.get(&reader, "/person/etbe/diary.html").await;
    assert!(!page.contains("/person/etbe/tag/beta/"), "a deleted entry's tag is gone");
}
