use chrono::Duration;
use virgule_store::now;
use virgule_store::testing::fresh_store;

use crate::support::{member, name};

#[tokio::test]
async fn a_session_finds_its_member_and_csrf_token() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let expires = now() + Duration::days(30);
    store.create_session("hash-1", etbe.id, "csrf-1", expires).await.unwrap();
    let session = store.session_by_token_hash("hash-1").await.unwrap().unwrap();
    assert_eq!(session.member, etbe);
    assert_eq!(session.csrf_token, "csrf-1");
    assert_eq!(session.expires_at, expires);
    assert!(store.session_by_token_hash("hash-2").await.unwrap().is_none());

    store.delete_session("hash-1").await.unwrap();
    assert!(store.session_by_token_hash("hash-1").await.unwrap().is_none());
    store.delete_session("hash-1").await.unwrap();
}

#[tokio::test]
async fn sessions_expire() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    store.create_session("old", etbe.id, "c", now() - Duration::seconds(1)).await.unwrap();
    store.create_session("new", etbe.id, "c", now() + Duration::hours(1)).await.unwrap();
    assert!(store.session_by_token_hash("old").await.unwrap().is_none());
    assert!(store.session_by_token_hash("new").await.unwrap().is_some());
    assert_eq!(store.delete_expired_sessions().await.unwrap(), 1);
    assert_eq!(store.delete_expired_sessions().await.unwrap(), 0);
    assert!(store.session_by_token_hash("new").await.unwrap().is_some());
}

#[tokio::test]
async fn a_password_change_ends_the_other_sessions() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    let later = now() + Duration::hours(1);
    for hash in ["a", "b", "c"] {
        store.create_session(hash, etbe.id, "c", later).await.unwrap();
    }
    store.create_session("r", raph.id, "c", later).await.unwrap();
    assert_eq!(store.delete_sessions_for_member(etbe.id, Some("b")).await.unwrap(), 2);
    assert!(store.session_by_token_hash("b").await.unwrap().is_some());
    assert!(store.session_by_token_hash("a").await.unwrap().is_none());
    assert!(store.session_by_token_hash("r").await.unwrap().is_some());
    assert_eq!(store.delete_sessions_for_member(etbe.id, None).await.unwrap(), 1);
    assert!(store.session_by_token_hash("b").await.unwrap().is_none());
}

#[tokio::test]
async fn suspension_ends_sessions_and_tokens() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    store.create_session("s", etbe.id, "c", now() + Duration::hours(1)).await.unwrap();
    store.create_api_token("t", etbe.id).await.unwrap();
    store.set_suspended(&name("etbe"), true).await.unwrap();
    assert!(store.session_by_token_hash("s").await.unwrap().is_none());
    assert!(store.member_by_api_token("t").await.unwrap().is_none());

    // Reinstated, the member must log in again: the old session and token are gone for good.
    store.set_suspended(&name("etbe"), false).await.unwrap();
    assert!(store.session_by_token_hash("s").await.unwrap().is_none());
    assert!(store.member_by_api_token("t").await.unwrap().is_none());

    // A session created while suspended (should one slip through) is still refused.
    store.set_suspended(&name("etbe"), true).await.unwrap();
    store.create_session("late", etbe.id, "c", now() + Duration::hours(1)).await.unwrap();
    assert!(store.session_by_token_hash("late").await.unwrap().is_none());
}
