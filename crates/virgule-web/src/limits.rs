//! Rate limits on login and registration, per client address and per account name, so that
//! password guessing and sign-up floods are slowed without locking anyone out for long. The
//! attempts are counted in the database (`attempts`), so every node of a site shares the
//! quotas: a client spread over many nodes gets no more tries than on one.
//!
//! Each quota is per minute, as a sliding window: the attempts of the current minute plus
//! those of the previous minute weighted by how much of it still lies within the last sixty
//! seconds, so that a burst straddling a minute's turn is not counted afresh.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use chrono::Utc;
use virgule_site::{SiteError, SiteResult};
use virgule_store::{AttemptCount, Store};

/// Logins (or any proof of a password) a minute from one address.
pub const LOGINS_PER_ADDRESS: i64 = 20;
/// Logins a minute for one account name, from anywhere.
pub const LOGINS_PER_ACCOUNT: i64 = 10;
/// Registrations a minute from one address.
pub const REGISTRATIONS_PER_ADDRESS: i64 = 10;

/// Account names are counted as typed, lower-cased and cut to this many characters.
const KEY_NAME_CHARS: usize = 64;

/// The quotas over the site's database. Cheap to share.
pub struct RateLimits {
    store: Store,
}

impl RateLimits {
    pub fn new(store: Store) -> Self {
        RateLimits { store }
    }

    /// Counts a login attempt (or any proof of a password) against both keys; refused with
    /// `rate_limited` past either quota. `account` is the name as typed.
    pub async fn login(&self, ip: IpAddr, account: &str) -> SiteResult<()> {
        let name: String = account.trim().to_lowercase().chars().take(KEY_NAME_CHARS).collect();
        let keys = [format!("login address {ip}"), format!("login account {name}")];
        self.count(&keys, &[LOGINS_PER_ADDRESS, LOGINS_PER_ACCOUNT]).await
    }

    /// Counts a registration from `ip`; refused with `rate_limited` past the quota.
    pub async fn registration(&self, ip: IpAddr) -> SiteResult<()> {
        let keys = [format!("registration address {ip}")];
        self.count(&keys, &[REGISTRATIONS_PER_ADDRESS]).await
    }

    /// Forgets the counts that no longer weigh (older than the previous minute).
    pub async fn prune(&self) -> SiteResult<u64> {
        let (minute, _) = now_minute();
        Ok(self.store.forget_attempts_before(minute - 1).await?)
    }

    /// Counts one attempt under each key; refused when any key's count passes its quota.
    async fn count(&self, keys: &[String], quotas: &[i64]) -> SiteResult<()> {
        let (minute, elapsed_ms) = now_minute();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let counts = self.store.count_attempt(&keys, minute).await?;
        if counts.iter().zip(quotas).all(|(&count, &quota)| weighted(count, elapsed_ms) <= quota) {
            Ok(())
        } else {
            Err(SiteError::rate_limited())
        }
    }
}

/// The current Unix minute and the milliseconds elapsed in it.
fn now_minute() -> (i64, i64) {
    let ms = Utc::now().timestamp_millis();
    (ms.div_euclid(60_000), ms.rem_euclid(60_000))
}

/// The sliding window's count: this minute's attempts plus the previous minute's, weighted by
/// the part of it still within the last sixty seconds.
fn weighted(count: AttemptCount, elapsed_ms: i64) -> i64 {
    count.current + count.previous * (60_000 - elapsed_ms) / 60_000
}

/// The client's address, for rate limits. Without connection info (a router driven
/// in-process rather than by [`crate::serve`]) every client shares one unspecified address.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(addr)| addr.ip());
        Ok(ClientIp(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_minute_weighs_by_the_part_still_within_the_last_sixty_seconds() {
        let at = |current, previous, elapsed_ms| {
            weighted(AttemptCount { current, previous }, elapsed_ms)
        };
        // At the minute's turn the previous minute counts in full, at its end not at all.
        assert_eq!(at(1, 10, 0), 11);
        assert_eq!(at(1, 10, 30_000), 6);
        assert_eq!(at(1, 10, 59_999), 1);
        // Ten this minute is within a quota of ten; six plus half of ten is not.
        assert!(at(10, 0, 0) <= 10);
        assert!(at(6, 10, 30_000) > 10);
    }
}
