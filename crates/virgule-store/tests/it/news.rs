use virgule_store::Page;
use virgule_store::testing::fresh_store;

use crate::support::member;

#[tokio::test]
async fn news_comes_newest_first() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let first = store.create_news(raph.id, "Diaries", "src 1", "<p>1</p>").await.unwrap();
    let second = store.create_news(raph.id, "Feeds", "src 2", "<p>2</p>").await.unwrap();
    let third = store.create_news(raph.id, "Trust", "src 3", "<p>3</p>").await.unwrap();
    assert_eq!(first.author.as_str(), "raph");
    assert_eq!(first.html, "<p>1</p>");

    let items = store.news_items(Page { start: 0, limit: 10 }).await.unwrap();
    assert_eq!(items, [third.clone(), second.clone(), first.clone()]);
    let page = store.news_items(Page { start: 1, limit: 1 }).await.unwrap();
    assert_eq!(page, [second]);
    assert_eq!(store.news_by_id(first.id).await.unwrap(), Some(first));
    assert_eq!(store.news_by_id(third.id + 100).await.unwrap(), None);
}
