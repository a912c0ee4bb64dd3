//! Counted attempts, for rate limits that every node of a site shares (the quotas are
//! `virgule-web`'s `limits.rs`): one row per key and time window, raised by one statement per
//! attempt, so two nodes counting the same key at once both see the other's attempt.

use crate::db::on_pool;
use crate::{Result, Store};

/// Adds one to the key's count in its window and hands back the new count.
const COUNT_ATTEMPT: &str = "INSERT INTO attempts (key, window_start, count) VALUES ($1, $2, 1) \
     ON CONFLICT (key, window_start) DO UPDATE SET count = attempts.count + 1 \
     RETURNING count";

const FORGET_ATTEMPTS: &str = "DELETE FROM attempts WHERE window_start < $1";

const PREVIOUS_COUNT: &str = "SELECT count FROM attempts WHERE key = $1 AND window_start = $2";

/// One key's attempts: in the current window (this one included) and in the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCount {
    pub current: i64,
    pub previous: i64,
}

impl Store {
    /// Counts one attempt under each of `keys` in window `window` (consecutive numbers for
    /// consecutive windows, e.g. Unix minutes) and returns each key's counts in that window,
    /// this attempt included, and in the window before it.
    pub async fn count_attempt(&self, keys: &[&str], window: i64) -> Result<Vec<AttemptCount>> {
        let mut counts = Vec::with_capacity(keys.len());
        for key in keys {
            let (current, previous): (i64, Option<i64>) = on_pool!(&self.db, pool => {
                let current = sqlx::query_scalar(COUNT_ATTEMPT)
                    .bind(*key)
                    .bind(window)
                    .fetch_one(pool)
                    .await?;
                let previous = sqlx::query_scalar(PREVIOUS_COUNT)
                    .bind(*key)
                    .bind(window - 1)
                    .fetch_optional(pool)
                    .await?;
                (current, previous)
            });
            counts.push(AttemptCount { current, previous: previous.unwrap_or(0) });
        }
        Ok(counts)
    }

    /// Deletes the counts of windows before `window`; returns how many.
    pub async fn forget_attempts_before(&self, window: i64) -> Result<u64> {
        let deleted = on_pool!(&self.db, pool => {
            sqlx::query(FORGET_ATTEMPTS).bind(window).execute(pool).await?.rows_affected()
        });
        Ok(deleted)
    }
}
