//! Rate limits on login and registration, per client address and per account name, so that
//! password guessing and sign-up floods are slowed without locking anyone out for long.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota};

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
    /// True if this login attempt may go ahead; counts it against both keys.
    pub fn allow_login(&self, ip: IpAddr, account: &str) -> bool {
        let by_ip = self.login_by_ip.check_key(&ip).is_ok();
        let by_account = self.login_by_account.check_key(&account.to_owned()).is_ok();
        by_ip && by_account
    }

    pub fn allow_registration(&self, ip: IpAddr) -> bool {
        self.register_by_ip.check_key(&ip).is_ok()
    }

    /// Forgets keys whose quota has fully recovered, so memory stays bounded.
    pub fn prune(&self) {
        self.login_by_ip.retain_recent();
        self.login_by_account.retain_recent();
        self.register_by_ip.retain_recent();
    }
}
