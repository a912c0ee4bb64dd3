//! The content version: one number, kept by triggers in the writing transactions (migration
//! 0011), that changes whenever anything an anonymous page or feed shows changes. Reading it
//! is how a process learns that pages it rendered earlier, or that another process's writes,
//! made its copies stale, without asking the database anything else.

use crate::db::on_pool;
use crate::{Result, Store};

const CONTENT_VERSION: &str = "SELECT version FROM content_version WHERE id = 1";

impl Store {
    /// The current content version: higher after any committed write to what pages show.
    pub async fn content_version(&self) -> Result<i64> {
        let version: i64 = on_pool!(&self.db, pool => {
            sqlx::query_scalar(CONTENT_VERSION).fetch_one(pool).await?
        });
        Ok(version)
    }
}
