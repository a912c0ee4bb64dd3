//! API bearer tokens, stored only as hashes (the caller hashes), each standing for one member.

use crate::db::on_pool;
use crate::members::{MemberRow, m_member_columns};
use crate::{Member, Result, Store};

const CREATE_API_TOKEN: &str =
    "INSERT INTO api_tokens (token_hash, member_id, created_at) VALUES ($1, $2, $3)";

const MEMBER_BY_API_TOKEN: &str = concat!(
    "SELECT ",
    m_member_columns!(),
    " FROM api_tokens t JOIN members m ON m.id = t.member_id \
     WHERE t.token_hash = $1 AND NOT m.suspended"
);

const DELETE_API_TOKEN: &str = "DELETE FROM api_tokens WHERE token_hash = $1";

impl Store {
    pub async fn create_api_token(&self, token_hash: &str, member_id: i64) -> Result<()> {
        let created_at = crate::now();
        on_pool!(&self.db, pool => {
            sqlx::query(CREATE_API_TOKEN)
                .bind(token_hash)
                .bind(member_id)
                .bind(created_at)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(|e| crate::conflict_or(e, || "that API token already exists".to_owned()))?;
        Ok(())
    }

    /// The member a bearer token stands for; `None` if the token is unknown or the member is
    /// suspended.
    pub async fn member_by_api_token(&self, token_hash: &str) -> Result<Option<Member>> {
        let row: Option<MemberRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(MEMBER_BY_API_TOKEN).bind(token_hash).fetch_optional(pool).await?
        });
        row.map(MemberRow::into_member).transpose()
    }

    /// Revokes a token. Revoking an unknown token is not an error.
    pub async fn delete_api_token(&self, token_hash: &str) -> Result<()> {
        on_pool!(&self.db, pool => {
            sqlx::query(DELETE_API_TOKEN).bind(token_hash).execute(pool).await?;
        });
        Ok(())
    }
}
