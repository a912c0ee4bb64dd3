use virgule_store::testing::fresh_store;
use virgule_store::{Page, ProfileUpdate, StoreError, TrustLevel};

use crate::support::{member, name};

#[tokio::test]
async fn first_member_is_admin_and_the_second_is_not() {
    let (store, _db) = fresh_store().await;
    let first = member(&store, "raph").await;
    let second = member(&store, "etbe").await;
    assert!(first.is_admin);
    assert!(!second.is_admin);
    assert!(!first.suspended);
    assert_eq!(second.email.as_deref(), Some("etbe@example.org"));
    assert_eq!(store.member_count().await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_first_registrations_make_exactly_one_admin() {
    let (store, _db) = fresh_store().await;
    let racers = (0..8).map(|i| {
        let store = store.clone();
        tokio::spawn(async move { member(&store, &format!("racer{i}")).await })
    });
    let mut admins = 0;
    for racer in racers {
        admins += usize::from(racer.await.unwrap().is_admin);
    }
    assert_eq!(admins, 1, "exactly one of the first registrations becomes admin");
}

#[tokio::test]
async fn a_taken_name_is_a_conflict_with_a_readable_message() {
    let (store, _db) = fresh_store().await;
    member(&store, "etbe").await;
    let again = store
        .create_member(&virgule_store::NewMember {
            name: name("ETBE"),
            email: None,
            password_hash: "x".into(),
        })
        .await;
    match again {
        Err(StoreError::Conflict(message)) => {
            assert_eq!(message, "the name etbe is already taken")
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(store.member_count().await.unwrap(), 1);
}

#[tokio::test]
async fn lookups_by_name_and_for_login() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    assert_eq!(store.member_by_name(&name("etbe")).await.unwrap(), Some(etbe.clone()));
    assert_eq!(store.member_by_name(&name("nobody")).await.unwrap(), None);

    let (found, hash) = store.member_with_password_hash(&name("etbe")).await.unwrap().unwrap();
    assert_eq!((found, hash.as_str()), (etbe.clone(), "hash-of-etbe"));
    store.set_password_hash(etbe.id, "new-hash").await.unwrap();
    let (_, hash) = store.member_with_password_hash(&name("etbe")).await.unwrap().unwrap();
    assert_eq!(hash, "new-hash");
    assert!(matches!(store.set_password_hash(9999, "h").await, Err(StoreError::NotFound)));
    assert_eq!(store.member_with_password_hash(&name("nobody")).await.unwrap(), None);
}

#[tokio::test]
async fn profile_updates_are_stored() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let update = ProfileUpdate {
        display_name: "Russell Coker".into(),
        homepage: "https://etbe.coker.com.au/".into(),
        notes_source: "SE Linux *developer*".into(),
        notes_html: "<p>SE Linux <em>developer</em></p>".into(),
    };
    let updated = store.update_profile(etbe.id, &update).await.unwrap();
    assert_eq!(updated.display_name, "Russell Coker");
    assert_eq!(updated.notes_html, "<p>SE Linux <em>developer</em></p>");
    assert_eq!(updated.created_at, etbe.created_at);
    assert_eq!(store.member_by_name(&name("etbe")).await.unwrap(), Some(updated));
    assert!(matches!(store.update_profile(9999, &update).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn admin_and_suspension_flags() {
    let (store, _db) = fresh_store().await;
    member(&store, "raph").await;
    member(&store, "etbe").await;
    assert!(store.set_admin(&name("etbe"), true).await.unwrap().is_admin);
    assert!(!store.set_admin(&name("raph"), false).await.unwrap().is_admin);
    assert!(store.set_suspended(&name("etbe"), true).await.unwrap().suspended);
    assert!(store.member_by_name(&name("etbe")).await.unwrap().unwrap().suspended);
    assert!(!store.set_suspended(&name("etbe"), false).await.unwrap().suspended);
    assert!(matches!(store.set_admin(&name("nobody"), true).await, Err(StoreError::NotFound)));
    assert!(matches!(store.set_suspended(&name("nobody"), true).await, Err(StoreError::NotFound)));
}

#[tokio::test]
async fn members_are_listed_by_name_a_page_at_a_time() {
    let (store, _db) = fresh_store().await;
    for raw in ["zed", "alan", "mary", "bob"] {
        member(&store, raw).await;
    }
    let names = |members: Vec<virgule_store::Member>| {
        members.into_iter().map(|m| m.name.to_string()).collect::<Vec<_>>()
    };
    let all = store.members(Page { start: 0, limit: 10 }).await.unwrap();
    assert_eq!(names(all), ["alan", "bob", "mary", "zed"]);
    let second = store.members(Page { start: 2, limit: 1 }).await.unwrap();
    assert_eq!(names(second), ["mary"]);
    assert!(store.members(Page { start: 4, limit: 10 }).await.unwrap().is_empty());
}

#[tokio::test]
async fn members_by_id_lists_everyone_oldest_first() {
    let (store, _db) = fresh_store().await;
    // Names chosen so that name order and registration order differ.
    let zed = member(&store, "zed").await;
    let amy = member(&store, "amy").await;
    let max = member(&store, "max").await;
    store.set_trust_levels(&[(amy.id, TrustLevel::Journeyer)]).await.unwrap();

    let all = store.members_by_id().await.unwrap();
    let listed: Vec<(i64, &str, bool, TrustLevel)> =
        all.iter().map(|m| (m.id, m.name.as_str(), m.is_admin, m.trust_level)).collect();
    assert_eq!(
        listed,
        [
            (zed.id, "zed", true, TrustLevel::Observer),
            (amy.id, "amy", false, TrustLevel::Journeyer),
            (max.id, "max", false, TrustLevel::Observer),
        ]
    );
}
