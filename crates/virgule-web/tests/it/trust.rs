//! Trust recomputation through the site: certifications made by API move the computed levels
//! a moment later (the background recomputer, with the admin as the only seed), withdrawals
//! move them back, and certifications from unranked members count for nothing.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use virgule_site::trust::{LEASE, SeedUse, TrustSettings, recompute};
use virgule_store::testing::fresh_store;
use virgule_store::{CertLevel, MemberName, NewMember, Store, TrustLevel};

use crate::api_support::{call, get};
use crate::harness::TestApp;

async fn certify(app: &TestApp, token: &str, subject: &str, level: &str) {
    let body = json!({"subject": subject, "level": level});
    let (status, answer) = call(app, Method::POST, "/api/v1/certs", Some(token), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

async fn level_of(app: &TestApp, name: &str) -> String {
    let (status, person) = get(app, &format!("/api/v1/people/{name}")).await;
    assert_eq!(status, StatusCode::OK, "{person}");
    person["level"].as_str().unwrap().to_owned()
}

/// Polls until `name` shows `level` (the recomputer waits a second for quiet first).
async fn wait_for_level(app: &TestApp, name: &str, level: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = level_of(app, name).await;
        if seen == level {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{name} should become {level} but is still {seen}");
}

#[tokio::test]
async fn certifications_move_levels_in_the_background() {
    let app = TestApp::start().await;
    // The first account is the admin, hence the seed (no trust_seeds configured).
    let root = app.register_api("root").await;
    app.register_api("alice").await;
    let mallory = app.register_api("mallory").await;
    app.register_api("eve").await;

    // An Observer's certification first, then the seed's: once alice's level shows, the
    // recomputation that set it had both.
    certify(&app, &mallory, "eve", "master").await;
    certify(&app, &root, "alice", "journeyer").await;
    wait_for_level(&app, "alice", "journeyer").await;
    assert_eq!(level_of(&app, "root").await, "master", "the seed is accepted at every level");
    assert_eq!(level_of(&app, "eve").await, "observer", "mallory is unranked");
    assert_eq!(level_of(&app, "mallory").await, "observer");

    // Raising and withdrawing follow too.
    certify(&app, &root, "alice", "master").await;
    wait_for_level(&app, "alice", "master").await;
    certify(&app, &root, "alice", "none").await;
    wait_for_level(&app, "alice", "observer").await;
}

/// The gate, end to end: a new member's diary works at once, but their entry reaches the
/// default recent log (Apprentice and above) only once a seed's certification ranks them.
#[tokio::test]
async fn an_unranked_members_entry_reaches_the_recent_log_once_a_seed_certifies_them() {
    let app = TestApp::start().await;
    let root = app.register_api("root").await;
    let newcomer = app.register_api("newcomer").await;
    let number = app.post_entry(&newcomer, "Hello from a newcomer", "My *first* entry.").await;

    let titles = |log: serde_json::Value| -> Vec<String> {
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, diary) = get(&app, "/api/v1/people/newcomer/entries").await;
    assert_eq!(status, StatusCode::OK, "{diary}");
    assert_eq!(diary["entries"][0]["number"], number, "their own diary shows it at once");
    let (_, log) = get(&app, "/api/v1/recentlog").await;
    assert!(!titles(log).contains(&"Hello from a newcomer".to_owned()), "hidden while unranked");
    let (_, everyone) = get(&app, "/api/v1/recentlog?thresh=0").await;
    assert!(titles(everyone).contains(&"Hello from a newcomer".to_owned()));
    let (_, page) = app.get(&reqwest::Client::new(), "/recentlog.html").await;
    assert!(!page.contains("Hello from a newcomer"), "{page}");

    certify(&app, &root, "newcomer", "apprentice").await;
    wait_for_level(&app, "newcomer", "apprentice").await;
    let (_, log) = get(&app, "/api/v1/recentlog").await;
    assert!(titles(log).contains(&"Hello from a newcomer".to_owned()));
    let (_, page) = app.get(&reqwest::Client::new(), "/recentlog.html").await;
    assert!(page.contains("Hello from a newcomer"), "{page}");
}

#[tokio::test]
async fn a_member_certified_through_a_ranked_member_is_ranked() {
    let app = TestApp::start().await;
    let root = app.register_api("root").await;
    let alice = app.register_api("alice").await;
    app.register_api("bob").await;

    // bob's only certifier is alice: while alice is unranked, bob is an Observer.
    certify(&app, &alice, "bob", "apprentice").await;
    certify(&app, &root, "alice", "master").await;
    wait_for_level(&app, "alice", "master").await;
    wait_for_level(&app, "bob", "apprentice").await;
    certify(&app, &root, "alice", "none").await;
    wait_for_level(&app, "alice", "observer").await;
    assert_eq!(level_of(&app, "bob").await, "observer", "bob's certifier lost its rank");
}

fn name(raw: &str) -> MemberName {
    MemberName::parse(raw).unwrap()
}

async fn member_id(store: &Store, raw: &str) -> i64 {
    let new = NewMember { name: name(raw), email: None, password_hash: "x".to_owned() };
    store.create_member(&new).await.unwrap().id
}

#[tokio::test]
async fn recompute_reports_seeds_counts_and_writes_only_changes() {
    let (store, _db) = fresh_store().await;
    let admin = member_id(&store, "admin").await;
    let raph = member_id(&store, "raph").await;
    // miguel, a seed, certifies nobody.
    member_id(&store, "miguel").await;
    let etbe = member_id(&store, "etbe").await;
    store.certify(raph, etbe, CertLevel::Journeyer).await.unwrap();
    store.certify(raph, admin, CertLevel::Apprentice).await.unwrap();

    let settings = TrustSettings {
        seeds: vec![name("raph"), name("ghost"), name("miguel")],
        ..TrustSettings::default()
    };
    let summary = recompute(&store, &settings).await.unwrap();
    assert!(!summary.admin_fallback);
    assert_eq!(summary.members, 4);
    assert_eq!(
        summary.seeds,
        [
            SeedUse { name: name("raph"), certifications: 2 },
            SeedUse { name: name("miguel"), certifications: 0 },
        ]
    );
    assert_eq!(
        summary.accepted,
        [(TrustLevel::Apprentice, 4), (TrustLevel::Journeyer, 3), (TrustLevel::Master, 2)]
    );
    assert_eq!(summary.changed, 4);
    assert_eq!(summary.warnings.len(), 2, "{:?}", summary.warnings);
    assert!(summary.warnings[0].contains("ghost"), "{:?}", summary.warnings);
    assert!(summary.warnings[1].contains("miguel certifies nobody"), "{:?}", summary.warnings);
    let levels: Vec<(String, TrustLevel)> = store
        .members_by_id()
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.name.to_string(), m.trust_level))
        .collect();
    assert_eq!(
        levels,
        [
            ("admin".to_owned(), TrustLevel::Apprentice),
            ("raph".to_owned(), TrustLevel::Master),
            ("miguel".to_owned(), TrustLevel::Master),
            ("etbe".to_owned(), TrustLevel::Journeyer),
        ]
    );

    // Nothing changed since: nothing is written. Without seeds, the admin is the seed.
    assert_eq!(recompute(&store, &settings).await.unwrap().changed, 0);
    let fallback = TrustSettings { seeds: Vec::new(), ..settings.clone() };
    let summary = recompute(&store, &fallback).await.unwrap();
    assert!(summary.admin_fallback);
    assert_eq!(summary.seeds, [SeedUse { name: name("admin"), certifications: 0 }]);
    // admin up to Master; raph, miguel and etbe down to Observer.
    assert_eq!(summary.changed, 4);
    assert_eq!(summary.accepted.map(|(_, n)| n), [1, 1, 1]);
}

/// A suspended member is out of the graph: ranked Observer, and those they vouched for lose
/// what they had through them; reinstating them brings it back.
#[tokio::test]
async fn suspended_members_are_unranked_and_their_certifications_count_for_nobody() {
    let (store, _db) = fresh_store().await;
    let raph = member_id(&store, "raph").await;
    let spammer = member_id(&store, "spammer").await;
    let sock = member_id(&store, "sock").await;
    store.certify(raph, spammer, CertLevel::Master).await.unwrap();
    store.certify(spammer, sock, CertLevel::Master).await.unwrap();
    let settings = TrustSettings { seeds: vec![name("raph")], ..TrustSettings::default() };
    let levels = |store: Store| async move {
        let members = store.members_by_id().await.unwrap();
        members.into_iter().map(|m| m.trust_level).collect::<Vec<_>>()
    };

    recompute(&store, &settings).await.unwrap();
    assert_eq!(levels(store.clone()).await, [TrustLevel::Master; 3]);

    store.set_suspended(&name("spammer"), true).await.unwrap();
    let summary = recompute(&store, &settings).await.unwrap();
    assert_eq!(summary.members, 2, "the suspended member is not ranked");
    assert_eq!(
        levels(store.clone()).await,
        [TrustLevel::Master, TrustLevel::Observer, TrustLevel::Observer]
    );

    store.set_suspended(&name("spammer"), false).await.unwrap();
    recompute(&store, &settings).await.unwrap();
    assert_eq!(levels(store.clone()).await, [TrustLevel::Master; 3]);

    // A suspended seed is skipped, with a warning.
    store.set_suspended(&name("raph"), true).await.unwrap();
    let summary = recompute(&store, &settings).await.unwrap();
    assert!(summary.seeds.is_empty());
    assert!(summary.warnings.iter().any(|w| w.contains("raph is suspended")), "{summary:?}");
    assert_eq!(levels(store.clone()).await, [TrustLevel::Observer; 3]);
}

/// Recomputations run one at a time across nodes: one waits while another node holds the
/// lease, then runs and sees what changed meanwhile.
#[tokio::test]
async fn a_recomputation_waits_for_another_nodes_lease() {
    let (store, db) = fresh_store().await;
    let other_node = db.reopen().await;
    let raph = member_id(&store, "raph").await;
    let etbe = member_id(&store, "etbe").await;
    let settings = TrustSettings { seeds: vec![name("raph")], ..TrustSettings::default() };

    let held = other_node.try_lease(LEASE, Duration::from_secs(60)).await.unwrap().unwrap();
    let waiting = tokio::spawn({
        let (store, settings) = (store.clone(), settings.clone());
        async move { recompute(&store, &settings).await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(!waiting.is_finished(), "it must wait for the lease");
    // A certification made while the other node runs is seen by the waiting run.
    store.certify(raph, etbe, CertLevel::Journeyer).await.unwrap();
    other_node.release_lease(&held).await.unwrap();
    let summary = tokio::time::timeout(Duration::from_secs(10), waiting).await.unwrap().unwrap();
    assert_eq!(summary.accepted.map(|(_, n)| n), [2, 2, 1]);
    // And it gave the lease back.
    assert!(other_node.try_lease(LEASE, Duration::from_secs(1)).await.unwrap().is_some());
}

/// The admin page says what the metric started from: with no trust_seeds configured, the
/// admin accounts are the seeds, and it says so. Only an admin sees it.
#[tokio::test]
async fn the_admin_page_names_the_seeds_and_the_admin_fallback() {
    let app = TestApp::start().await;
    let admin = app.browser();
    app.register_browser(&admin, "root").await;
    let member = app.browser();
    app.register_browser(&member, "alice").await;

    let (status, _) = app.get(&app.browser(), "/admin/").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "anonymous readers are sent to log in");
    let (status, _) = app.get(&member, "/admin/").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Registering changes no certification; a certification makes the recomputer run again.
    let token = app.register_api("bob").await;
    certify(&app, &token, "alice", "apprentice").await;
    let mut page = String::new();
    for _ in 0..100 {
        let (status, body) = app.get(&admin, "/admin/").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        page = body;
        if page.contains("over 3 members") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(page.contains("over 3 members"), "{page}");
    assert!(page.contains("the site's admin accounts are the seeds"), "{page}");
    assert!(page.contains("seed root certifies nobody"), "{page}");
    assert!(page.contains(r#"<a href="/person/root/">root</a>: 0 certifications given"#), "{page}");
    assert!(page.contains("<th scope=\"row\">Apprentice</th>\n        <td>1</td>"), "{page}");

    // A recomputation outside this site's recomputer (as another node or the CLI runs it,
    // here with seeds configured): this node's admin page shows that run.
    let other_node = app.store.clone();
    let settings = TrustSettings { seeds: vec![name("bob")], ..TrustSettings::default() };
    recompute(&other_node, &settings).await.unwrap();
    let (_, page) = app.get(&admin, "/admin/").await;
    assert!(!page.contains("admin accounts are the seeds"), "{page}");
    assert!(page.contains(r#"<a href="/person/bob/">bob</a>: 1 certifications given"#), "{page}");
}

/// With fixed capacities too small for the site, the admin page names the root and the seed
/// that bind and the members they keep out, and states the attack bound; growing
/// capacities rank everyone, and the warnings go.
#[tokio::test]
async fn the_admin_page_names_the_capacity_that_binds_and_states_the_attack_bound() {
    let app = TestApp::start().await;
    let admin = app.browser();
    app.register_browser(&admin, "root").await;
    let store = &app.store;
    let (one, two) = (member_id(store, "one").await, member_id(store, "two").await);
    // Each seed certifies 15 members: m1..m15 by one, m16..m30 by two.
    for k in 1..=30 {
        let member = member_id(store, &format!("m{k}")).await;
        let seed = if k <= 15 { one } else { two };
        store.certify(seed, member, CertLevel::Journeyer).await.unwrap();
    }
    // Root 20 (19 to hand out), seeds 10: the root adopts both seeds, one passes 9 and two
    // the 8 left. One more root unit would go through two (one spare) to m24..m30; one more
    // unit of one's capacity, the root having room, to m10..m15.
    let fixed = TrustSettings {
        seeds: vec![name("one"), name("two")],
        caps: vec![20, 10, 3, 1],
        capacity: virgule_trust::CapacityMode::Fixed,
    };
    let summary = recompute(store, &fixed).await.unwrap();
    assert_eq!(summary.accepted[0], (TrustLevel::Apprentice, 19));
    let (status, page) = app.get(&admin, "/admin/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Fixed (<code>trust_capacity</code>)"), "{page}");
    assert!(
        page.contains(
            "Apprentice: 19 accepted, the root&#39;s capacity allows 19: it binds, keeping out 7 \
             members certified by ranked members: m24, m25, m26, m27, m28, m29, m30;"
        ),
        "{page}"
    );
    assert!(
        page.contains(
            "Apprentice: seed one&#39;s subtree holds 10 of its capacity 10: it binds, keeping \
             out 6 members certified by ranked members: m10, m11, m12, m13, m14, m15;"
        ),
        "{page}"
    );
    assert!(page.contains("<td>19 of 19 (100%)</td>"), "{page}");
    assert!(page.contains("<td>one 10 of 10, two 9 of 10</td>"), "{page}");
    // Levien's bound for these capacities: a seed lets 9 in, a member they certify 2.
    assert!(page.contains("<tr><td>a seed</td><td>10</td><td>9</td></tr>"), "{page}");
    assert!(page.contains("<tr><td>distance 2</td><td>3</td><td>2</td></tr>"), "{page}");
    assert!(page.contains("<tr><td>distance 3 or further</td><td>1</td><td>0</td></tr>"), "{page}");

    // Growing: 30 certified members give a root of 60 and seeds of 30 each.
    let growing = TrustSettings { capacity: virgule_trust::CapacityMode::Growing, ..fixed };
    let summary = recompute(store, &growing).await.unwrap();
    assert_eq!(summary.accepted[0], (TrustLevel::Apprentice, 32));
    assert!(summary.warnings.is_empty(), "{:?}", summary.warnings);
    let (_, page) = app.get(&admin, "/admin/").await;
    assert!(page.contains("<code>60,30,3,1</code> (configured"), "{page}");
    assert!(page.contains("<tr><td>a seed</td><td>30</td><td>29</td></tr>"), "{page}");
    assert!(!page.contains("it binds"), "{page}");
}
