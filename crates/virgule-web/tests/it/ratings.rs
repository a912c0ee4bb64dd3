//! Diary ratings over HTTP (docs/trust.md "Diary ratings"): the form on a profile and
//! `PUT /api/v1/people/NAME/rating` (every refusal stores nothing), the scores the background
//! computation propagates through certifications, and the recent log's interest filter for
//! signed-in readers (anonymous readers get no scores).

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_support::{assert_error, call, get};
use crate::harness::{PASSWORD, TestApp};
use crate::pages_support::{articles, location, log_in};

async fn rate(app: &TestApp, token: &str, name: &str, rating: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/people/{name}/rating");
    call(app, Method::PUT, &path, Some(token), Some(json!({ "rating": rating }))).await
}

async fn rate_ok(app: &TestApp, token: &str, name: &str, rating: u8) {
    let (status, body) = rate(app, token, name, json!(rating)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn certify(app: &TestApp, token: &str, subject: &str, level: &str) {
    let body = json!({"subject": subject, "level": level});
    let (status, answer) = call(app, Method::POST, "/api/v1/certs", Some(token), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

/// The ratings stored, by ids.
async fn stored(app: &TestApp) -> Vec<(i64, i64, u8)> {
    app.store.all_ratings().await.unwrap()
}

/// The recent log as `token`'s owner reads it through the API.
async fn log_as(app: &TestApp, token: &str, query: &str) -> Value {
    let path = format!("/api/v1/recentlog{query}");
    let (status, body) = call(app, Method::GET, &path, Some(token), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `author`'s interest as the first entry of theirs in a recent log answer carries it.
fn interest_of(log: &Value, author: &str) -> Value {
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["author"] == author)
        .unwrap_or_else(|| panic!("no entry by {author} in {log}"))["interest"]
        .clone()
}

fn authors(log: &Value) -> Vec<String> {
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["author"].as_str().unwrap().to_owned())
        .collect()
}

/// Polls the recent log (everyone's entries) as `token`'s owner until `author`'s interest
/// has this mean and confidence (the computation waits a second for quiet first).
async fn wait_for_interest(app: &TestApp, token: &str, author: &str, mean: f64, confidence: f64) {
    let mut seen = Value::Null;
    for _ in 0..100 {
        seen = interest_of(&log_as(app, token, "?thresh=0").await, author);
        let close =
            |key: &str, want: f64| seen[key].as_f64().is_some_and(|v| (v - want).abs() < 1e-9);
        if close("mean", mean) && close("confidence", confidence) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{author}'s interest should become {mean} at {confidence} but is {seen}");
}

/// The `<option>` the rating form preselects, if the page has the form.
fn selected_rating(page: &str) -> Option<String> {
    let form = &page[page.find(r#"class="rate""#)?..];
    let end = form.find(" selected>")?;
    let start = form[..end].rfind("value=\"")? + "value=\"".len();
    Some(form[start..end].trim_end_matches('"').to_owned())
}

#[tokio::test]
async fn rating_from_the_profile_page() {
    let app = TestApp::start().await;
    app.register_api("etbe").await;
    let browser = app.browser();
    app.register_browser(&browser, "raph").await;

    // Anonymous visitors and the member themselves get no form.
    let (_, page) = app.get(&app.browser(), "/person/etbe/").await;
    assert_eq!(selected_rating(&page), None);
    assert!(!page.contains("/person/etbe/rate"), "no form for visitors");
    let (_, page) = app.get(&browser, "/person/raph/").await;
    assert!(!page.contains("/person/raph/rate"), "no form on one's own profile");

    let (_, page) = app.get(&browser, "/person/etbe/").await;
    assert!(page.contains("How interesting is etbe’s blog, on a 1 to 10 scale?"), "{page}");
    assert_eq!(selected_rating(&page).as_deref(), Some("none"));
    let res = app.submit(&browser, "/person/etbe/", "/person/etbe/rate", &[("rating", "7")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/person/etbe/");
    let (_, page) = app.get(&browser, "/person/etbe/").await;
    assert_eq!(selected_rating(&page).as_deref(), Some("7"), "the current rating");
    assert_eq!(stored(&app).await.iter().map(|r| r.2).collect::<Vec<_>>(), [7]);

    // Refusals store nothing: a forged token, a bad value, oneself, an unknown member,
    // an anonymous reader.
    let res = browser
        .post(app.url("/person/etbe/rate"))
        .form(&[("rating", "2"), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.submit(&browser, "/person/etbe/", "/person/etbe/rate", &[("rating", "11")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("a whole number from 1 to 10"));
    let res = app.submit(&browser, "/person/raph/", "/person/raph/rate", &[("rating", "5")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.text().await.unwrap().contains("cannot rate their own diary"));
    let res =
        app.submit(&browser, "/person/etbe/", "/person/nobody/rate", &[("rating", "5")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let anonymous = app.browser();
    let res = app.submit(&anonymous, "/acct/login", "/person/etbe/rate", &[("rating", "3")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(stored(&app).await.iter().map(|r| r.2).collect::<Vec<_>>(), [7]);

    // "No rating" withdraws.
    let res =
        app.submit(&browser, "/person/etbe/", "/person/etbe/rate", &[("rating", "none")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&browser, "/person/etbe/").await;
    assert_eq!(selected_rating(&page).as_deref(), Some("none"));
    assert!(stored(&app).await.is_empty());
}

#[tokio::test]
async fn rating_by_api_and_every_refusal_stores_nothing() {
    let app = TestApp::start().await;
    let raph = app.register_api("raph").await;
    app.register_api("etbe").await;

    let (status, body) = rate(&app, &raph, "etbe", json!(8)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"name": "etbe", "rating": 8}));
    let (_, body) = rate(&app, &raph, "ETBE", json!(9)).await;
    assert_eq!(body, json!({"name": "etbe", "rating": 9}), "names are case-insensitive");
    let before = stored(&app).await;
    assert_eq!(before.len(), 1);

    for bad in [json!(0), json!(11), json!(7.5), json!(-1), json!("7"), json!(true), json!([7])] {
        let (status, body) = rate(&app, &raph, "etbe", bad.clone()).await;
        assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_rating");
        assert!(body["error"].as_str().unwrap().contains("1 to 10"), "{bad}: {body}");
    }
    let (status, body) = rate(&app, &raph, "raph", json!(5)).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "refused");
    let (status, body) = rate(&app, &raph, "nobody", json!(5)).await;
    assert_error(status, &body, StatusCode::NOT_FOUND, "not_found");
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/people/etbe/rating", None, Some(json!({"rating": 3})))
            .await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) =
        call(&app, Method::PUT, "/api/v1/people/etbe/rating", Some(&raph), Some(json!({}))).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_json");
    assert_eq!(stored(&app).await, before, "no refusal changed anything");

    let (status, body) = rate(&app, &raph, "etbe", Value::Null).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, json!({"name": "etbe", "rating": null}));
    assert!(stored(&app).await.is_empty());
}

/// One hop through the site: alice certifies bob, bob rates carol 9, so alice's score for
/// carol becomes (0.95, 9) once the background computation has run; bob's own is (1, 9).
/// Then alice's own rating overrides what came through bob.
#[tokio::test]
async fn scores_follow_ratings_and_certifications_in_the_background() {
    let app = TestApp::start().await;
    app.register_api("root").await;
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    let carol = app.register_api("carol").await;
    app.post_entry(&carol, "Carol writes", "text").await;

    let log = log_as(&app, &alice, "?thresh=0").await;
    assert_eq!(interest_of(&log, "carol"), Value::Null, "nobody rated carol yet");
    assert!(log.get("suppressed").is_none(), "no threshold asked: {log}");

    certify(&app, &alice, "bob", "apprentice").await;
    rate_ok(&app, &bob, "carol", 9).await;
    wait_for_interest(&app, &alice, "carol", 9.0, 0.95).await;
    wait_for_interest(&app, &bob, "carol", 9.0, 1.0).await;

    rate_ok(&app, &alice, "carol", 2).await;
    wait_for_interest(&app, &alice, "carol", 2.0, 1.0).await;
    // Withdrawing it lets bob's rating through again.
    rate(&app, &alice, "carol", Value::Null).await;
    wait_for_interest(&app, &alice, "carol", 9.0, 0.95).await;
    // Withdrawing the certification cuts alice off: no score at all.
    certify(&app, &alice, "bob", "none").await;
    for _ in 0..100 {
        if interest_of(&log_as(&app, &alice, "?thresh=0").await, "carol").is_null() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("alice's score for carol should go once she no longer certifies bob");
}

/// alice certifies bob, who rates carol 3 and dave 8; erin is unrated. root (the seed)
/// certifies carol and dave, so they are Apprentices and erin an Observer.
async fn rated_site(app: &TestApp) -> String {
    let root = app.register_api("root").await;
    let alice = app.register_api("alice").await;
    let bob = app.register_api("bob").await;
    for name in ["carol", "dave", "erin"] {
        let token = app.register_api(name).await;
        app.post_entry(&token, &format!("{name} writes"), "text").await;
    }
    certify(app, &root, "carol", "apprentice").await;
    certify(app, &root, "dave", "apprentice").await;
    certify(app, &alice, "bob", "journeyer").await;
    rate_ok(app, &bob, "carol", 3).await;
    rate_ok(app, &bob, "dave", 8).await;
    wait_for_interest(app, &alice, "carol", 3.0, 0.95).await;
    wait_for_interest(app, &alice, "dave", 8.0, 0.95).await;
    for _ in 0..100 {
        if authors(&get(app, "/api/v1/recentlog").await.1).len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(authors(&get(app, "/api/v1/recentlog").await.1), ["dave", "carol"]);
    alice
}

#[tokio::test]
async fn the_interest_threshold_hides_low_scored_authors_and_counts_them() {
    let app = TestApp::start().await;
    let alice = rated_site(&app).await;

    // API: carol (3) is below 5 and left out; erin, unrated, is always shown, with null.
    let log = log_as(&app, &alice, "?thresh=0&interest=5").await;
    assert_eq!(authors(&log), ["erin", "dave"]);
    assert_eq!(log["suppressed"], 1);
    assert_eq!(interest_of(&log, "erin"), Value::Null);
    assert_eq!(interest_of(&log, "dave"), json!({"mean": 8.0, "confidence": 0.95}));
    // Combined with the trust threshold (Apprentice by default): erin is not in it at all.
    let log = log_as(&app, &alice, "?interest=5").await;
    assert_eq!(authors(&log), ["dave"]);
    assert_eq!(log["suppressed"], 1);
    let log = log_as(&app, &alice, "?interest=8.5").await;
    assert_eq!((authors(&log).len(), log["suppressed"].clone()), (0, json!(2)));
    let log = log_as(&app, &alice, "?interest=1").await;
    assert_eq!((authors(&log).len(), log["suppressed"].clone()), (2, json!(0)));
    let (status, body) =
        call(&app, Method::GET, "/api/v1/recentlog?interest=11", Some(&alice), None).await;
    assert_error(status, &body, StatusCode::BAD_REQUEST, "bad_query");

    // The page, for alice signed in: the scores beside the names, greyer when less sure,
    // and the count of what the threshold hid.
    let browser = app.browser();
    assert_eq!(log_in(&app, &browser, "alice", PASSWORD).await.status(), StatusCode::SEE_OTHER);
    let (status, page) = app.get(&browser, "/recentlog.html?thresh=0").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(articles(&page), 3);
    assert!(page.contains(r#"<span class="interest interest-sure" title="your interest score: 8.0 (confidence 0.95)">8.0</span>"#), "{page}");
    assert!(page.contains(">3.0</span>"), "{page}");
    assert!(page.contains(r#"name="interest""#), "the filter's form: {page}");
    assert!(!page.contains("suppressed at threshold"), "no threshold asked");
    let (_, page) = app.get(&browser, "/recentlog.html?thresh=0&interest=5").await;
    assert_eq!(articles(&page), 2);
    assert!(page.contains("1 entry suppressed at threshold 5"), "{page}");
    assert!(!page.contains("carol writes") && page.contains("erin writes"), "{page}");
    assert!(page.contains(r#"value="5""#), "the field keeps the threshold: {page}");
    assert!(page.contains(r#"<a href="/recentlog.html?interest=5">Apprentice</a>"#), "{page}");
    let (_, page) = app.get(&browser, "/recentlog.html?interest=8.5").await;
    assert!(page.contains("2 entries suppressed at threshold 8.5"), "{page}");
    assert_eq!(articles(&page), 0);
    let (status, _) = app.get(&browser, "/recentlog.html?interest=high").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn anonymous_readers_get_no_scores_and_no_interest_filter() {
    let app = TestApp::start().await;
    rated_site(&app).await;
    let anon = app.browser();

    // The page explains and ignores the threshold.
    let (status, page) = app.get(&anon, "/recentlog.html?interest=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(articles(&page), 2, "nothing hidden: {page}");
    assert!(page.contains("Interest scores are personal: log in"), "{page}");
    assert!(!page.contains("class=\"interest ") && !page.contains("suppressed at"), "{page}");
    assert!(!page.contains(r#"name="interest""#), "no filter form");
    let (_, page) = app.get(&anon, "/recentlog.html").await;
    assert!(!page.contains("Interest scores are personal"), "{page}");

    // The API says who must ask.
    let (status, body) = get(&app, "/api/v1/recentlog?interest=5").await;
    assert_error(status, &body, StatusCode::UNAUTHORIZED, "unauthorized");
    let (status, body) = get(&app, "/api/v1/recentlog").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("suppressed").is_none(), "{body}");
    assert!(
        body["entries"].as_array().unwrap().iter().all(|e| e.get("interest").is_none()),
        "{body}"
    );
}

/// The computation on the database directly: suspended members count for nobody (their
/// ratings and certifications are left out, and they get no scores), and the summary says
/// what was done.
#[tokio::test]
async fn suspended_members_ratings_and_certifications_count_for_nobody() {
    use virgule_site::interest::recompute;
    use virgule_store::testing::fresh_store;
    use virgule_store::{CertLevel, MemberName, NewMember};

    let (store, _db) = fresh_store().await;
    let mut ids = Vec::new();
    for raw in ["alice", "spammer", "carol", "dave"] {
        let name = MemberName::parse(raw).unwrap();
        let new = NewMember { name, email: None, password_hash: "x".to_owned() };
        ids.push(store.create_member(&new).await.unwrap().id);
    }
    let [alice, spammer, carol, dave] = ids[..] else { unreachable!() };
    // alice certifies the spammer, who rates carol 1 and certifies dave, who rates carol 9.
    store.certify(alice, spammer, CertLevel::Apprentice).await.unwrap();
    store.certify(spammer, dave, CertLevel::Apprentice).await.unwrap();
    store.rate(spammer, carol, 1).await.unwrap();
    store.rate(dave, carol, 9).await.unwrap();
    let carol_name = [MemberName::parse("carol").unwrap()];

    let summary = recompute(&store).await.unwrap();
    assert_eq!((summary.members, summary.ratings, summary.converged), (4, 2, true));
    // alice: the spammer's own 1 (confidence 0.95); the spammer: its own 1; dave: his 9.
    assert_eq!(summary.scores, 3);
    let alice_view = store.interest_scores(alice, &carol_name).await.unwrap();
    assert_eq!(alice_view[&carol_name[0]].mean, 1.0);

    store.set_suspended(&MemberName::parse("spammer").unwrap(), true).await.unwrap();
    let summary = recompute(&store).await.unwrap();
    assert_eq!((summary.members, summary.ratings, summary.scores), (3, 1, 1), "{summary:?}");
    assert!(store.interest_scores(alice, &carol_name).await.unwrap().is_empty());
    assert!(store.interest_scores(spammer, &carol_name).await.unwrap().is_empty());
    assert_eq!(store.interest_scores(dave, &carol_name).await.unwrap()[&carol_name[0]].mean, 9.0);
}
