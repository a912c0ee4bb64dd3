//! The recent log's trust threshold (docs/trust.md "The gates"): by default only Apprentices and
//! above, `?thresh=N` for another level, on the page and in the API; and names coloured by
//! level wherever entries are listed.

#![allow(clippy::unwrap_used)]

use reqwest::StatusCode;
use serde_json::Value;
use virgule_store::TrustLevel;

use crate::api_support::{assert_error, get};
use crate::harness::{TestApp, syndication_settings, test_site};
use crate::pages_support::{articles, member_id};

/// Sets `name`'s stored trust level directly, as a recomputation would.
pub async fn set_level(app: &TestApp, name: &str, level: TrustLevel) {
    let id = member_id(&app.store, name).await;
    app.store.set_trust_levels(&[(id, level)]).await.unwrap();
    app.caught_up().await;
}

/// Registers one member per level, named after it, each with one entry titled after it
/// (observer first, master last, so the log lists them master first), after an admin.
async fn one_member_per_level(app: &TestApp) {
    // The first member is the admin, the trust metric's seed: keep it out of the way.
    app.register_api("root").await;
    for level in LEVELS {
        let token = app.register_api(level.key()).await;
        app.post_entry(&token, &format!("{} writes", level.as_str()), "text").await;
        set_level(app, level.key(), level).await;
    }
}

const LEVELS: [TrustLevel; 4] =
    [TrustLevel::Observer, TrustLevel::Apprentice, TrustLevel::Journeyer, TrustLevel::Master];

fn api_authors(body: &Value) -> Vec<String> {
    body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["author"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_recent_log_page_shows_apprentices_and_above_by_default() {
    let app = TestApp::start().await;
    one_member_per_level(&app).await;
    let anon = app.browser();

    let (status, page) = app.get(&anon, "/recentlog.html").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains("Observer writes"), "an Observer's entry waits: {page}");
    assert!(page.contains("Apprentice writes"));
    assert_eq!(articles(&page), 3);
    // It says what it shows and links the other thresholds.
    assert!(page.contains("Showing Apprentice and above"), "{page}");
    assert!(page.contains(r#"<a href="/recentlog.html?thresh=0">show all (0)</a>"#), "{page}");
    assert!(page.contains(r#"<a href="/recentlog.html?thresh=3">Master</a>"#), "{page}");
    assert!(!page.contains(r#"<a href="/recentlog.html">Apprentice</a>"#), "{page}");

    let (_, all) = app.get(&anon, "/recentlog.html?thresh=0").await;
    assert!(all.contains("Observer writes") && all.contains("Apprentice writes"));
    assert_eq!(articles(&all), 4);
    assert!(all.contains("Showing everyone"));
    assert!(all.contains(r#"<a href="/recentlog.html">Apprentice</a>"#), "{all}");

    let (_, masters) = app.get(&anon, "/recentlog.html?thresh=3").await;
    assert_eq!(articles(&masters), 1);
    assert!(masters.contains("Master writes"));
    assert!(masters.contains("Showing Master and above"));

    let (_, journeyers) = app.get(&anon, "/recentlog.html?thresh=2").await;
    assert_eq!(articles(&journeyers), 2);
    assert!(!journeyers.contains("Apprentice writes"));
}

#[tokio::test]
async fn the_default_threshold_is_a_site_setting() {
    let mut config = test_site();
    config.site.recentlog_threshold = TrustLevel::Journeyer;
    let app = TestApp::start_configured(syndication_settings(true), config).await;
    one_member_per_level(&app).await;
    let anon = app.browser();

    // Page, API, feeds and front page all start from the site's level.
    let (_, page) = app.get(&anon, "/recentlog.html").await;
    assert_eq!(articles(&page), 2, "{page}");
    assert!(page.contains("Showing Journeyer and above"), "{page}");
    assert!(!page.contains("Apprentice writes"));
    assert!(page.contains(r#"<a href="/recentlog.html?thresh=1">Apprentice</a>"#), "{page}");
    let (_, body) = get(&app, "/api/v1/recentlog").await;
    assert_eq!(api_authors(&body), ["master", "journeyer"]);
    let (_, rss) = app.get(&anon, "/recentlog.rss").await;
    assert!(rss.contains("Journeyer writes") && !rss.contains("Apprentice writes"), "{rss}");
    let (_, front) = app.get(&anon, "/").await;
    assert!(front.contains("Journeyer writes") && !front.contains("Apprentice writes"));

    // A reader still chooses another level.
    let (_, all) = app.get(&anon, "/recentlog.html?thresh=0").await;
    assert_eq!(articles(&all), 4);
    let (_, body) = get(&app, "/api/v1/recentlog?thresh=1").await;
    assert_eq!(api_authors(&body), ["master", "journeyer", "apprentice"]);
}

#[tokio::test]
async fn the_recent_log_pager_keeps_the_threshold() {
    let app = TestApp::start().await;
    app.register_api("root").await; // the first account: the admin, ranked at once
    let token = app.register_api("alice").await;
    for i in 0..21 {
        app.post_entry(&token, &format!("Entry {i}"), "text").await;
    }
    let anon = app.browser();
    // alice is an Observer: nothing at the default threshold, all of it at 0.
    let (_, page) = app.get(&anon, "/recentlog.html").await;
    assert_eq!(articles(&page), 0);
    assert!(page.contains("No entries by Apprentice and above yet."), "{page}");

    let (_, page) = app.get(&anon, "/recentlog.html?thresh=0").await;
    assert_eq!(articles(&page), 20);
    assert!(page.contains(r#"href="/recentlog.html?thresh=0&#38;start=20""#), "{page}");
    let (_, next) = app.get(&anon, "/recentlog.html?thresh=0&start=20").await;
    assert_eq!(articles(&next), 1);
    assert!(next.contains(r#"href="/recentlog.html?thresh=0">Previous 20 entries</a>"#));
}

#[tokio::test]
async fn the_recent_log_api_filters_by_threshold() {
    let app = TestApp::start().await;
    one_member_per_level(&app).await;

    let (status, body) = get(&app, "/api/v1/recentlog").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(api_authors(&body), ["master", "journeyer", "apprentice"]);
    let (_, body) = get(&app, "/api/v1/recentlog?thresh=0").await;
    assert_eq!(api_authors(&body), ["master", "journeyer", "apprentice", "observer"]);
    let (_, body) = get(&app, "/api/v1/recentlog?thresh=3").await;
    assert_eq!(api_authors(&body), ["master"]);
    let (_, body) = get(&app, "/api/v1/recentlog?thresh=2&start=1&limit=1").await;
    assert_eq!(api_authors(&body), ["journeyer"]);
    let (_, body) = get(&app, "/api/v1/recentlog?thresh=").await;
    assert_eq!(api_authors(&body), ["master", "journeyer", "apprentice"]);
}

#[tokio::test]
async fn a_bad_threshold_is_a_400() {
    let app = TestApp::start().await;
    for bad in ["4", "-1", "master", "1.5"] {
        let (status, body) = get(&app, &format!("/api/v1/recentlog?thresh={bad}")).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_query");

        let (status, page) =
            app.get(&app.browser(), &format!("/recentlog.html?thresh={bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "thresh={bad}");
        assert!(page.contains("“thresh” must be a trust level"), "{page}");
    }
}

#[tokio::test]
async fn names_carry_their_trust_level() {
    let app = TestApp::start().await;
    one_member_per_level(&app).await;
    let anon = app.browser();
    let named = |level: &str, title: &str| {
        format!(
            r#"<a class="author level-{level}" title="{title}" href="/person/{level}/">{level}</a>"#
        )
    };

    let (_, log) = app.get(&anon, "/recentlog.html?thresh=0").await;
    for level in LEVELS {
        assert!(log.contains(&named(level.key(), level.as_str())), "{level:?}: {log}");
    }
    let (_, front) = app.get(&anon, "/").await;
    assert!(front.contains(&named("journeyer", "Journeyer")), "{front}");
    assert!(!front.contains("Observer writes"), "the front page uses the default threshold");

    let (_, entry) = app.get(&anon, "/person/master/diary/0.html").await;
    assert!(entry.contains(r#"class="author level-master" title="Master""#), "{entry}");
    let (_, diary) = app.get(&anon, "/person/apprentice/diary.html").await;
    assert!(diary.contains(r#"class="author level-apprentice" title="Apprentice""#), "{diary}");

    let (_, people) = app.get(&anon, "/person/").await;
    assert!(
        people.contains(r#"<a class="level-observer" title="Observer" href="/person/observer/">"#),
        "{people}"
    );
    let (_, profile) = app.get(&anon, "/person/journeyer/").await;
    assert!(
        profile.contains(r#"<span class="level-journeyer" title="Journeyer">journeyer</span>"#),
        "{profile}"
    );
}

#[tokio::test]
async fn the_recent_log_feeds_use_the_default_threshold() {
    let app = TestApp::start().await;
    one_member_per_level(&app).await;
    for path in ["/recentlog.rss", "/recentlog.atom", "/recentlog.json"] {
        let (status, body) = app.get(&app.browser(), path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains("Apprentice writes"), "{path}: {body}");
        assert!(!body.contains("Observer writes"), "{path}: {body}");
    }
}
