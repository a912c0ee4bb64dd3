//! The debounced loop the background recomputations share (trust levels, interest scores):
//! wake on a change, wait for a moment of quiet so that a burst of changes costs one run,
//! run, repeat until shutdown.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Notify;

/// How long a task waits for quiet after a change before recomputing.
pub const DEBOUNCE: Duration = Duration::from_secs(1);

/// Past this, a steady stream of changes no longer postpones the recomputation.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

/// Runs `run` after every burst of notifications on `changes` (not at start), until
/// `shutdown` completes (also in the middle of a run).
///
/// The notifier must be woken with `notify_one`, which keeps a permit while the task is busy
/// running, so that a change made during a run is never missed.
pub(crate) async fn on_changes<F, Fut>(
    changes: &Notify,
    shutdown: impl Future<Output = ()>,
    mut run: F,
) where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = changes.notified() => {}
            () = &mut shutdown => return,
        }
        // Coalesce: wait until no change came for DEBOUNCE (or MAX_DELAY has passed).
        let deadline = tokio::time::Instant::now() + MAX_DELAY;
        loop {
            let quiet = tokio::time::sleep(DEBOUNCE);
            tokio::select! {
                () = quiet => break,
                () = changes.notified() => {
                    if tokio::time::Instant::now() >= deadline {
                        break;
                    }
                }
                () = &mut shutdown => return,
            }
        }
        tokio::select! {
            () = run() => {}
            () = &mut shutdown => return,
        }
    }
}
