//! Browser sessions, looked up by the hash of the cookie's token (the token itself is never
//! stored), each with its CSRF token.

use chrono::{DateTime, Utc};

use crate::db::on_pool;
use crate::members::{MemberRow, m_member_columns};
use crate::{Result, Session, Store};

#[derive(sqlx::FromRow)]
struct SessionRow {
    #[sqlx(flatten)]
    member: MemberRow,
    csrf_token: String,
    expires_at: DateTime<Utc>,
}

const CREATE_SESSION: &str = "INSERT INTO sessions \
     (token_hash, member_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

const SESSION_BY_TOKEN_HASH: &str = concat!(
    "SELECT ",
    m_member_columns!(),
    ", s.csrf_token, s.expires_at \
     FROM sessions s JOIN members m ON m.id = s.member_id \
     WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT m.suspended"
);

const DELETE_SESSION: &str = "DELETE FROM sessions WHERE token_hash = $1";

const DELETE_SESSIONS_FOR_MEMBER: &str =
    "DELETE FROM sessions WHERE member_id = $1 AND ($2 IS NULL OR token_hash <> $2)";

const DELETE_EXPIRED_SESSIONS: &str = "DELETE FROM sessions WHERE expires_at <= $1";

impl Store {
    /// Records a new session for `member_id` (at login). The caller makes the token and hashes
    /// it.
    pub async fn create_session(
        &self,
        token_hash: &str,
        member_id: i64,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        let created_at = crate::now();
        on_pool!(&self.db, pool => {
            sqlx::query(CREATE_SESSION)
                .bind(token_hash)
                .bind(member_id)
                .bind(csrf_token)
                .bind(created_at)
                .bind(expires_at)
                .execute(pool)
                .await
                .map(drop)
        })
        .map_err(|e| crate::conflict_or(e, || "that session already exists".to_owned()))?;
        Ok(())
    }

    /// The live session with this token hash; `None` if there is none, it has expired, or its
    /// member is suspended.
    pub async fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<Session>> {
        let now = crate::now();
        let row: Option<SessionRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(SESSION_BY_TOKEN_HASH)
                .bind(token_hash)
                .bind(now)
                .fetch_optional(pool)
                .await?
        });
        row.map(|r| {
            Ok(Session {
                member: r.member.into_member()?,
                csrf_token: r.csrf_token,
                expires_at: r.expires_at,
            })
        })
        .transpose()
    }

    /// Ends one session (logout). Ending a session that does not exist is not an error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        on_pool!(&self.db, pool => {
            sqlx::query(DELETE_SESSION).bind(token_hash).execute(pool).await?;
        });
        Ok(())
    }

    /// Ends every session of a member except, if given, the one making the request (after a
    /// password change). Returns how many ended.
    pub async fn delete_sessions_for_member(
        &self,
        member_id: i64,
        except_token_hash: Option<&str>,
    ) -> Result<u64> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query(DELETE_SESSIONS_FOR_MEMBER)
                .bind(member_id)
                .bind(except_token_hash)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Removes sessions past their expiry (periodic housekeeping). Returns how many.
    pub async fn delete_expired_sessions(&self) -> Result<u64> {
        let now = crate::now();
        Ok(on_pool!(&self.db, pool => {
            sqlx::query(DELETE_EXPIRED_SESSIONS).bind(now).execute(pool).await?.rows_affected()
        }))
    }
}
