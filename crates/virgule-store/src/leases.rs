//! Named leases: a job that must run on one node at a time (the trust recomputation) takes
//! the lease of its name before it starts and gives it back when done. Every process on the
//! database sees the same row, so two web nodes (or a node and the CLI) never run the job
//! at once; a holder that crashes never gives it back, and its lease expires instead.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::db::on_pool;
use crate::{Result, Store};

/// A lease this process holds: give it back with [`Store::release_lease`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub name: String,
    /// Random, one per taking: only this holder can release or renew it.
    token: String,
    pub expires_at: DateTime<Utc>,
}

/// Takes the row when it is free (no row, or expired); an unexpired row held by someone else
/// makes the `WHERE` false, so nothing is written and nothing returned.
const TAKE_LEASE: &str = "INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3) \
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
     WHERE leases.expires_at <= $4 \
     RETURNING holder";

const RELEASE_LEASE: &str = "DELETE FROM leases WHERE name = $1 AND holder = $2";

/// A random token: 128 bits, hex (lease holders, feed claims).
pub(crate) fn random_token() -> String {
    let mut bytes = [0_u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// Takes the lease `name` for `ttl` if nobody holds it (or its holder's time ran out);
    /// `None` while another holder has it.
    pub async fn try_lease(&self, name: &str, ttl: Duration) -> Result<Option<Lease>> {
        let now = crate::now();
        let expires_at = now + TimeDelta::from_std(ttl).unwrap_or(TimeDelta::MAX);
        let token = random_token();
        let taken: Option<String> = on_pool!(&self.db, pool => {
            sqlx::query_scalar(TAKE_LEASE)
                .bind(name)
                .bind(&token)
                .bind(expires_at)
                .bind(now)
                .fetch_optional(pool)
                .await?
        });
        Ok(taken.filter(|holder| *holder == token).map(|_| Lease {
            name: name.to_owned(),
            token,
            expires_at,
        }))
    }

    /// Gives a lease back so that the next holder need not wait for it to expire. A lease
    /// that expired and was taken by someone else meanwhile stays theirs.
    pub async fn release_lease(&self, lease: &Lease) -> Result<()> {
        on_pool!(&self.db, pool => {
            sqlx::query(RELEASE_LEASE).bind(&lease.name).bind(&lease.token).execute(pool).await?;
        });
        Ok(())
    }
}
