//! Named leases: one holder at a time across every connection (and so every process), given
//! back on release, taken over once expired.

use std::time::Duration;

use virgule_store::testing::fresh_store;

const LONG: Duration = Duration::from_secs(60);

#[tokio::test]
async fn one_holder_at_a_time_until_released() {
    let (store, db) = fresh_store().await;
    // A second connection pool on the same database: another process, as far as the
    // database can tell.
    let other = db.reopen().await;

    let first = store.try_lease("trust", LONG).await.unwrap().expect("a free lease is taken");
    assert_eq!(other.try_lease("trust", LONG).await.unwrap(), None, "held by the first");
    assert_eq!(store.try_lease("trust", LONG).await.unwrap(), None, "not even twice by one");
    // Other names are independent.
    assert!(other.try_lease("another job", LONG).await.unwrap().is_some());

    store.release_lease(&first).await.unwrap();
    let second = other.try_lease("trust", LONG).await.unwrap().expect("free again");
    // Releasing a lease one no longer holds leaves the new holder's alone.
    store.release_lease(&first).await.unwrap();
    assert_eq!(store.try_lease("trust", LONG).await.unwrap(), None);
    other.release_lease(&second).await.unwrap();
}

#[tokio::test]
async fn an_expired_lease_is_taken_over() {
    let (store, db) = fresh_store().await;
    let other = db.reopen().await;
    let crashed = store.try_lease("trust", Duration::from_millis(200)).await.unwrap().unwrap();
    assert_eq!(other.try_lease("trust", LONG).await.unwrap(), None);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let next = other.try_lease("trust", LONG).await.unwrap().expect("expired: taken over");
    assert!(next.expires_at > crashed.expires_at);
}

#[tokio::test]
async fn racing_takers_get_it_once() {
    let (store, db) = fresh_store().await;
    let mut stores = vec![store];
    for _ in 0..3 {
        stores.push(db.reopen().await);
    }
    let attempts: Vec<_> = stores
        .into_iter()
        .map(|s| tokio::spawn(async move { s.try_lease("trust", LONG).await.unwrap() }))
        .collect();
    let mut winners = 0;
    for attempt in attempts {
        winners += usize::from(attempt.await.unwrap().is_some());
    }
    assert_eq!(winners, 1);
}
