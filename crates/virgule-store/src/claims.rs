//! Accounts made for someone else (an OPML import's feeds) and claimed later: made without a
//! password and without admin rights whatever the table holds, then claimed through a link
//! good once (migration 0015's `claim_tokens`, by hash).

/// The password hash of an account nobody has claimed: not a hash, so no password matches
/// it. The first account a person registers is the site's admin even when only unclaimed
/// accounts exist (`CREATE_MEMBER` in members.rs spells this value).
pub const UNCLAIMED: &str = "!unclaimed";

use chrono::{DateTime, SubsecRound, Utc};

use crate::db::on_pool;
use crate::members::{MemberRow, m_member_columns, member_columns};
use crate::{Member, MemberName, Result, Store};

/// Never an admin: the first account of a site is its admin only when a person registers it.
const CREATE_UNCLAIMED: &str = concat!(
    "INSERT INTO members (name, email, password_hash, is_admin, created_at) \
     VALUES ($1, NULL, $2, FALSE, $3) RETURNING ",
    member_columns!()
);

const CREATE_CLAIM_TOKEN: &str =
    "INSERT INTO claim_tokens (token_hash, member_id, expires_at) VALUES ($1, $2, $3)";

/// The member a live link stands for, while still unclaimed (`$3`: the locked marker).
const MEMBER_BY_CLAIM_TOKEN: &str = concat!(
    "SELECT ",
    m_member_columns!(),
    " FROM claim_tokens c JOIN members m ON m.id = c.member_id \
     WHERE c.token_hash = $1 AND c.expires_at > $2 AND m.password_hash = $3"
);

const CLAIM: &str = concat!(
    "UPDATE members SET password_hash = $4 WHERE password_hash = $3 AND id = \
     (SELECT member_id FROM claim_tokens WHERE token_hash = $1 AND expires_at > $2) RETURNING ",
    member_columns!()
);

const SPEND_CLAIM_TOKENS: &str = "DELETE FROM claim_tokens WHERE member_id = $1";

impl Store {
    /// A new account for `name` whose password hash is `locked` (which no password matches),
    /// never an admin. [`crate::StoreError::Conflict`] if the name is taken.
    pub async fn create_unclaimed_member(&self, name: &MemberName, locked: &str) -> Result<Member> {
        let row: MemberRow = on_pool!(&self.db, pool => {
            sqlx::query_as(CREATE_UNCLAIMED)
                .bind(name.as_str())
                .bind(locked)
                .bind(crate::now())
                .fetch_one(pool)
                .await
                .map_err(|e| crate::conflict_or(e, || format!("the name {name} is taken")))?
        });
        row.into_member()
    }

    /// Records a claim link for `member_id`, good until `expires`.
    pub async fn create_claim_token(
        &self,
        token_hash: &str,
        member_id: i64,
        expires: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(&self.db, pool => {
            sqlx::query(CREATE_CLAIM_TOKEN)
                .bind(token_hash)
                .bind(member_id)
                .bind(expires.trunc_subsecs(6))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The still locked account a live link stands for.
    pub async fn member_by_claim_token(
        &self,
        token_hash: &str,
        locked: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Member>> {
        let row: Option<MemberRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(MEMBER_BY_CLAIM_TOKEN)
                .bind(token_hash)
                .bind(now)
                .bind(locked)
                .fetch_optional(pool)
                .await?
        });
        row.map(MemberRow::into_member).transpose()
    }

    /// Gives the locked account a live link stands for its password (`password_hash`) and
    /// spends its links; `None` if the link is unknown, expired or spent.
    pub async fn claim_member(
        &self,
        token_hash: &str,
        locked: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Member>> {
        let row: Option<MemberRow> = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let row: Option<MemberRow> = sqlx::query_as(CLAIM)
                .bind(token_hash)
                .bind(now)
                .bind(locked)
                .bind(password_hash)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = &row {
                sqlx::query(SPEND_CLAIM_TOKENS).bind(row.id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            row
        });
        row.map(MemberRow::into_member).transpose()
    }
}
