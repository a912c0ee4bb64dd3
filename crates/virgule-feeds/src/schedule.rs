//! When to fetch a feed next: the polling policy as pure arithmetic on times, so that the
//! worker, the store and the tests agree on it without a clock or a database (docs/design.md §3).
//!
//! Servers may only slow Virgule down (a `Cache-Control`/`Expires` hint, an RSS `ttl`, a
//! `Retry-After`), never speed it up past the configured interval, and nothing pushes a feed
//! further out than `max_interval`: a feed that fails for a month is still tried daily, so it
//! recovers on its own when its server does.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// How often feeds are fetched, and how failures back off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchedulePolicy {
    /// The normal time between two fetches of a healthy feed.
    pub interval: Duration,
    /// The longest any hint or backoff can push the next fetch out.
    pub max_interval: Duration,
    /// The wait after the first failure; each further consecutive failure doubles it.
    pub first_retry: Duration,
}

impl Default for SchedulePolicy {
    /// Hourly, backing off from 5 minutes to at most a day.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(60 * 60),
            max_interval: Duration::from_secs(24 * 60 * 60),
            first_retry: Duration::from_secs(5 * 60),
        }
    }
}

impl SchedulePolicy {
    /// The next fetch after a success (200 or 304): `now` plus the longest of `interval` and
    /// the hints (`cache_hint` from `Cache-Control`/`Expires`, the feed's RSS `ttl`), each hint
    /// capped at `max_interval`. A hint shorter than `interval` changes nothing.
    pub fn next_after_success(
        &self,
        now: DateTime<Utc>,
        cache_hint: Option<Duration>,
        ttl: Option<Duration>,
    ) -> DateTime<Utc> {
        let hint = cache_hint.into_iter().chain(ttl).max().map(|hint| hint.min(self.max_interval));
        add(now, hint.map_or(self.interval, |hint| hint.max(self.interval)))
    }

    /// The next fetch after the `consecutive_failures`-th failure in a row (counting from 1;
    /// 0 is taken as 1): `now` plus `first_retry × 2^(n-1)`, capped at `max_interval`, or
    /// plus `retry_after` (the server's `Retry-After`, capped too) when that is longer.
    /// Always a time: a failing feed is slowed down, never given up on.
    pub fn next_after_failure(
        &self,
        now: DateTime<Utc>,
        consecutive_failures: u32,
        retry_after: Option<Duration>,
    ) -> DateTime<Utc> {
        let doublings = consecutive_failures.saturating_sub(1);
        // 2^doublings overflows u32 from 32 failures on, and the product overflows Duration
        // well before that for a large first_retry: either way the cap applies.
        let backoff = 2u32
            .checked_pow(doublings)
            .and_then(|factor| self.first_retry.checked_mul(factor))
            .map_or(self.max_interval, |backoff| backoff.min(self.max_interval));
        let delay = match retry_after {
            Some(after) => backoff.max(after.min(self.max_interval)),
            None => backoff,
        };
        add(now, delay)
    }
}

/// `now + delay`, saturating at the latest time chrono represents: only a configured delay
/// of hundreds of millennia gets there, and a far-future time is the honest reading of it.
fn add(now: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    TimeDelta::from_std(delay)
        .ok()
        .and_then(|delay| now.checked_add_signed(delay))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);
    const HOUR: Duration = Duration::from_secs(60 * 60);

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").expect("test date").with_timezone(&Utc)
    }

    /// How long after `now()` a scheduled time is.
    fn after(at: DateTime<Utc>) -> Duration {
        (at - now()).to_std().expect("scheduled in the future")
    }

    #[test]
    fn defaults_are_hourly_with_a_five_minute_first_retry_and_a_daily_cap() {
        let policy = SchedulePolicy::default();
        assert_eq!(policy.interval, HOUR);
        assert_eq!(policy.first_retry, 5 * MINUTE);
        assert_eq!(policy.max_interval, 24 * HOUR);
    }

    #[test]
    fn success_without_hints_waits_the_interval() {
        let policy = SchedulePolicy::default();
        assert_eq!(after(policy.next_after_success(now(), None, None)), HOUR);
    }

    #[test]
    fn hints_shorter_than_the_interval_are_ignored() {
        // `Cache-Control: max-age=60` or `<ttl>5</ttl>` must not make Virgule poll faster.
        let policy = SchedulePolicy::default();
        assert_eq!(after(policy.next_after_success(now(), Some(MINUTE), None)), HOUR);
        assert_eq!(after(policy.next_after_success(now(), None, Some(5 * MINUTE))), HOUR);
        assert_eq!(after(policy.next_after_success(now(), Some(Duration::ZERO), None)), HOUR);
    }

    #[test]
    fn longer_hints_lengthen_and_the_longest_wins() {
        let policy = SchedulePolicy::default();
        assert_eq!(after(policy.next_after_success(now(), Some(3 * HOUR), None)), 3 * HOUR);
        assert_eq!(after(policy.next_after_success(now(), None, Some(2 * HOUR))), 2 * HOUR);
        assert_eq!(
            after(policy.next_after_success(now(), Some(2 * HOUR), Some(6 * HOUR))),
            6 * HOUR
        );
        assert_eq!(
            after(policy.next_after_success(now(), Some(6 * HOUR), Some(2 * HOUR))),
            6 * HOUR
        );
    }

    #[test]
    fn hints_are_capped_at_max_interval() {
        // A year-long `max-age` (common on static hosting) still means a daily fetch.
        let policy = SchedulePolicy::default();
        let year = 365 * 24 * HOUR;
        assert_eq!(after(policy.next_after_success(now(), Some(year), None)), 24 * HOUR);
        assert_eq!(after(policy.next_after_success(now(), None, Some(48 * HOUR))), 24 * HOUR);
        assert_eq!(
            after(policy.next_after_success(now(), Some(Duration::MAX), Some(Duration::MAX))),
            24 * HOUR
        );
    }

    #[test]
    fn failures_back_off_exponentially_up_to_the_cap() {
        let policy = SchedulePolicy::default();
        let minutes: Vec<u64> = (1..=11)
            .map(|n| after(policy.next_after_failure(now(), n, None)).as_secs() / 60)
            .collect();
        assert_eq!(minutes, [5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]);
    }

    #[test]
    fn zero_failures_is_taken_as_the_first() {
        let policy = SchedulePolicy::default();
        assert_eq!(after(policy.next_after_failure(now(), 0, None)), 5 * MINUTE);
    }

    #[test]
    fn retry_after_only_lengthens_and_is_capped() {
        let policy = SchedulePolicy::default();
        // Longer than the backoff: used.
        assert_eq!(after(policy.next_after_failure(now(), 1, Some(2 * HOUR))), 2 * HOUR);
        // Shorter than the backoff (third failure: 20 min): the backoff stands.
        assert_eq!(after(policy.next_after_failure(now(), 3, Some(MINUTE))), 20 * MINUTE);
        // A week: capped at a day.
        assert_eq!(after(policy.next_after_failure(now(), 1, Some(7 * 24 * HOUR))), 24 * HOUR);
        assert_eq!(after(policy.next_after_failure(now(), 1, Some(Duration::MAX))), 24 * HOUR);
    }

    #[test]
    fn huge_failure_counts_saturate_at_the_cap_without_panicking() {
        let policy = SchedulePolicy::default();
        for n in [31, 32, 33, 64, 1000, u32::MAX] {
            assert_eq!(after(policy.next_after_failure(now(), n, None)), 24 * HOUR, "n = {n}");
        }
        // A first_retry so large that even one doubling overflows Duration.
        let policy = SchedulePolicy {
            first_retry: Duration::MAX,
            max_interval: Duration::MAX,
            ..SchedulePolicy::default()
        };
        assert_eq!(policy.next_after_failure(now(), 2, None), DateTime::<Utc>::MAX_UTC);
        assert_eq!(
            policy.next_after_success(now(), Some(Duration::MAX), None),
            DateTime::<Utc>::MAX_UTC
        );
    }

    #[test]
    fn a_custom_policy_is_followed() {
        let policy =
            SchedulePolicy { interval: 15 * MINUTE, max_interval: 2 * HOUR, first_retry: MINUTE };
        assert_eq!(after(policy.next_after_success(now(), Some(MINUTE), None)), 15 * MINUTE);
        assert_eq!(after(policy.next_after_success(now(), Some(HOUR), None)), HOUR);
        let minutes: Vec<u64> = (1..=9)
            .map(|n| after(policy.next_after_failure(now(), n, None)).as_secs() / 60)
            .collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 64, 120, 120]);
    }
}
