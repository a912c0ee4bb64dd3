use virgule_store::testing::fresh_store;

use crate::support::member;

#[tokio::test]
async fn an_api_token_finds_its_member_until_deleted() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    store.create_api_token("token-hash", etbe.id).await.unwrap();
    assert_eq!(store.member_by_api_token("token-hash").await.unwrap(), Some(etbe));
    assert_eq!(store.member_by_api_token("other").await.unwrap(), None);
    store.delete_api_token("token-hash").await.unwrap();
    assert_eq!(store.member_by_api_token("token-hash").await.unwrap(), None);
    store.delete_api_token("token-hash").await.unwrap();
}
