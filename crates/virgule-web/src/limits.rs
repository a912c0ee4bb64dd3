//! Rate limits on login and registration, per client address and per account name, so that
//! password guessing and sign-up floods are slowed without locking anyone out for long.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use governor::{DefaultKeyedRateLimiter, Quota};
use virgule_site::{SiteError, SiteResult};

/// The limiters, shared by every request. State is per node, which is harmless: a client
/// spread over N nodes gets at most N times the quota.
pub struct RateLimits {
    login_by_ip: DefaultKeyedRateLimiter<IpAddr>,
    login_by_account: DefaultKeyedRateLimiter<String>,
    register_by_ip: DefaultKeyedRateLimiter<IpAddr>,
}

fn per_minute(n: u32) -> Quota {
    Quota::per_minute(NonZeroU32::new(n).expect("quota is a positive constant"))
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            login_by_ip: DefaultKeyedRateLimiter::keyed(per_minute(20)),
            login_by_account: DefaultKeyedRateLimiter::keyed(per_minute(10)),
            register_by_ip: DefaultKeyedRateLimiter::keyed(per_minute(10)),
        }
    }
}

impl RateLimits {
    /// Counts a login attempt (or any proof of a password) against both keys; refused with
    /// `rate_limited` past either quota. `account` is the name as typed.
    pub fn login(&self, ip: IpAddr, account: &str) -> SiteResult<()> {
        let by_ip = self.login_by_ip.check_key(&ip).is_ok();
        let key = account.trim().to_ascii_lowercase();
        let by_account = self.login_by_account.check_key(&key).is_ok();
        if by_ip && by_account { Ok(()) } else { Err(SiteError::rate_limited()) }
    }

    /// Counts a registration from `ip`; refused with `rate_limited` past the quota.
    pub fn registration(&self, ip: IpAddr) -> SiteResult<()> {
        self.register_by_ip.check_key(&ip).map(|_| ()).map_err(|_| SiteError::rate_limited())
    }

    /// Forgets keys whose quota has fully recovered, so memory stays bounded.
    pub fn prune(&self) {
        self.login_by_ip.retain_recent();
        self.login_by_account.retain_recent();
        self.register_by_ip.retain_recent();
    }
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
