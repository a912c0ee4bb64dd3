//! The fetch loop `serve` and `worker` run: claim due feeds from the database as fetch slots
//! free up, fetch each in its own task, and on shutdown stop, let nothing half-stored remain
//! (a fetch's result is one transaction) and give back the claims, so another fetcher takes
//! those feeds at once instead of after the lease.

use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use virgule_store::{FeedClaim, StoreError};

use crate::engine::Engine;

/// One pass: claims up to `concurrency` due feeds and fetches them all; returns how many.
pub(crate) async fn run_once(engine: &Arc<Engine>) -> Result<usize, StoreError> {
    let limit = i64::try_from(engine.settings.concurrency.max(1)).unwrap_or(i64::MAX);
    let claims = engine.store.claim_due_feeds(virgule_store::now(), engine.lease(), limit).await?;
    let count = claims.len();
    let mut tasks = JoinSet::new();
    for claim in claims {
        let engine = Arc::clone(engine);
        tasks.spawn(async move { engine.fetch_claimed(claim).await });
    }
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!(error = %e, "storing a fetch failed"),
            Err(e) => tracing::error!(error = %e, "a fetch task failed"),
        }
    }
    Ok(count)
}

/// Runs until `shutdown` completes.
pub(crate) async fn run(engine: Arc<Engine>, shutdown: impl Future<Output = ()>) {
    let slots = Arc::new(Semaphore::new(engine.settings.concurrency.max(1)));
    let mut tasks: JoinSet<()> = JoinSet::new();
    // The claims of the tasks under way, to give back if they are stopped.
    let in_flight: Arc<std::sync::Mutex<Vec<FeedClaim>>> = Arc::default();
    tokio::pin!(shutdown);
    tracing::info!(
        concurrency = engine.settings.concurrency,
        per_host = engine.settings.per_host,
        "feed fetcher started"
    );
    loop {
        while tasks.try_join_next().is_some() {}
        // Wait for a free fetch slot; then claim as many feeds as there are free slots.
        let first_slot = tokio::select! {
            () = &mut shutdown => break,
            slot = Arc::clone(&slots).acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let free = slots.available_permits() + 1;
        let limit = i64::try_from(free).unwrap_or(i64::MAX);
        let claims = engine
            .store
            .claim_due_feeds(virgule_store::now(), engine.lease(), limit)
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot claim due feeds");
                Vec::new()
            });
        if claims.is_empty() {
            drop(first_slot);
            tokio::select! {
                () = &mut shutdown => break,
                () = tokio::time::sleep(engine.settings.idle_poll) => {}
            }
            continue;
        }
        let mut first_slot = Some(first_slot);
        for claim in claims {
            // Only this loop takes slots, so the ones counted free are still free.
            let slot = match first_slot.take() {
                Some(slot) => slot,
                None => match Arc::clone(&slots).acquire_owned().await {
                    Ok(slot) => slot,
                    Err(_) => break,
                },
            };
            let engine = Arc::clone(&engine);
            let in_flight = Arc::clone(&in_flight);
            lock(&in_flight).push(claim.clone());
            tasks.spawn(async move {
                let key = (claim.feed.id, claim.token.clone());
                if let Err(e) = engine.fetch_claimed(claim).await {
                    tracing::error!(error = %e, "storing a fetch failed");
                }
                lock(&in_flight).retain(|c| (c.feed.id, &c.token) != (key.0, &key.1));
                drop(slot);
            });
        }
    }
    // A fetch cut short stores nothing (its transaction is never committed).
    tasks.shutdown().await;
    let unfinished = std::mem::take(&mut *lock(&in_flight));
    for claim in &unfinished {
        if let Err(e) = engine.store.release_feed_claim(claim).await {
            tracing::warn!(error = %e, "could not give back a feed claim; it expires by itself");
        }
    }
    tracing::info!(released = unfinished.len(), "feed fetcher stopped");
}

fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
