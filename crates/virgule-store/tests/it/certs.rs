use virgule_store::testing::fresh_store;
use virgule_store::{CertLevel, StoreError, TrustLevel};

use crate::support::{member, name};

#[tokio::test]
async fn a_certification_is_listed_both_ways() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let etbe = member(&store, "etbe").await;
    let zaitcev = member(&store, "zaitcev").await;
    store.certify(raph.id, etbe.id, CertLevel::Master).await.unwrap();
    store.certify(zaitcev.id, etbe.id, CertLevel::Apprentice).await.unwrap();

    let received = store.certs_received(etbe.id).await.unwrap();
    let received: Vec<_> = received.iter().map(|c| (c.name.as_str(), c.level)).collect();
    assert_eq!(received, [("raph", CertLevel::Master), ("zaitcev", CertLevel::Apprentice)]);
    let given = store.certs_given(raph.id).await.unwrap();
    assert_eq!(given.len(), 1);
    assert_eq!((given[0].name.clone(), given[0].level), (name("etbe"), CertLevel::Master));
    assert!(store.certs_given(etbe.id).await.unwrap().is_empty());
    assert_eq!(store.cert_level(raph.id, etbe.id).await.unwrap(), Some(CertLevel::Master));
    assert_eq!(store.cert_level(etbe.id, raph.id).await.unwrap(), None);
}

#[tokio::test]
async fn certifying_again_replaces_the_level_and_moves_it_last() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let etbe = member(&store, "etbe").await;
    let zaitcev = member(&store, "zaitcev").await;
    store.certify(raph.id, etbe.id, CertLevel::Journeyer).await.unwrap();
    store.certify(zaitcev.id, etbe.id, CertLevel::Master).await.unwrap();
    store.certify(raph.id, etbe.id, CertLevel::Apprentice).await.unwrap();

    // One row per pair, and the newest certification comes last in the metric's order.
    assert_eq!(
        store.all_certs().await.unwrap(),
        [(zaitcev.id, etbe.id, CertLevel::Master), (raph.id, etbe.id, CertLevel::Apprentice)]
    );
    assert_eq!(store.cert_level(raph.id, etbe.id).await.unwrap(), Some(CertLevel::Apprentice));
}

#[tokio::test]
async fn a_withdrawal_deletes_the_certification() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let etbe = member(&store, "etbe").await;
    store.certify(raph.id, etbe.id, CertLevel::Master).await.unwrap();
    assert!(store.withdraw_cert(raph.id, etbe.id).await.unwrap());
    assert!(!store.withdraw_cert(raph.id, etbe.id).await.unwrap());
    assert!(store.certs_received(etbe.id).await.unwrap().is_empty());
    assert!(store.all_certs().await.unwrap().is_empty());
}

#[tokio::test]
async fn members_cannot_certify_themselves() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let err = store.certify(raph.id, raph.id, CertLevel::Master).await.unwrap_err();
    assert!(matches!(err, StoreError::Refused(ref m) if m.contains("themselves")), "{err:?}");
    assert!(store.all_certs().await.unwrap().is_empty());
}

#[test]
fn levels_round_trip_through_their_words() {
    for level in [CertLevel::Apprentice, CertLevel::Journeyer, CertLevel::Master] {
        assert_eq!(CertLevel::parse(level.as_str()), Some(level));
    }
    assert_eq!(CertLevel::parse("none"), None);
    assert_eq!(CertLevel::parse("Master"), None, "the API words are lower case");
    assert_eq!(CertLevel::Journeyer.trust_level(), TrustLevel::Journeyer);
}

#[tokio::test]
async fn trust_levels_are_stored_and_shown_on_the_member() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let etbe = member(&store, "etbe").await;
    assert_eq!(raph.trust_level, TrustLevel::Observer);
    store
        .set_trust_levels(&[(raph.id, TrustLevel::Master), (etbe.id, TrustLevel::Journeyer)])
        .await
        .unwrap();
    let read = |n: &'static str| {
        let store = store.clone();
        async move { store.member_by_name(&name(n)).await.unwrap().unwrap().trust_level }
    };
    assert_eq!(read("raph").await, TrustLevel::Master);
    assert_eq!(read("etbe").await, TrustLevel::Journeyer);
    store.set_trust_levels(&[(etbe.id, TrustLevel::Observer)]).await.unwrap();
    assert_eq!(read("etbe").await, TrustLevel::Observer);
    assert_eq!(read("raph").await, TrustLevel::Master, "members not listed keep their level");
}
