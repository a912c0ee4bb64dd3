//! Member accounts: registration, lookup, profile, password, admin and suspension flags.

use chrono::{DateTime, Utc};

use crate::db::{Db, limit, on_pool};
use crate::{Member, MemberName, NewMember, Page, ProfileUpdate, Result, Store, StoreError};

/// The columns of a [`MemberRow`], unqualified (for `RETURNING` and single-table reads).
macro_rules! member_columns {
    () => {
        "id, name, display_name, email, homepage, notes_source, notes_html, is_admin, suspended, \
         created_at, entry_count, diary_version, trust_level, replies_open"
    };
}

/// The columns of a [`MemberRow`] from a join in which `members` is aliased `m`.
macro_rules! m_member_columns {
    () => {
        "m.id, m.name, m.display_name, m.email, m.homepage, m.notes_source, m.notes_html, \
         m.is_admin, m.suspended, m.created_at, m.entry_count, m.diary_version, \
         m.trust_level, m.replies_open"
    };
}
pub(crate) use {m_member_columns, member_columns};

/// A `members` row as stored, before its name is validated.
#[derive(sqlx::FromRow)]
pub(crate) struct MemberRow {
    pub(crate) id: i64,
    name: String,
    display_name: String,
    email: Option<String>,
    homepage: String,
    notes_source: String,
    notes_html: String,
    is_admin: bool,
    suspended: bool,
    created_at: DateTime<Utc>,
    entry_count: i64,
    diary_version: i64,
    trust_level: i16,
    replies_open: bool,
}

impl MemberRow {
    pub(crate) fn into_member(self) -> Result<Member> {
        Ok(Member {
            id: self.id,
            name: stored_name(&self.name)?,
            display_name: self.display_name,
            email: self.email,
            homepage: self.homepage,
            notes_source: self.notes_source,
            notes_html: self.notes_html,
            is_admin: self.is_admin,
            suspended: self.suspended,
            created_at: self.created_at,
            entry_count: self.entry_count,
            diary_version: self.diary_version,
            trust_level: crate::model::stored_level(self.trust_level, &self.name)?,
            replies_open: self.replies_open,
        })
    }
}

/// Validates a member name read back from the database.
pub(crate) fn stored_name(raw: &str) -> Result<MemberName> {
    MemberName::parse(raw).map_err(|e| StoreError::Corrupt(format!("member name {raw:?}: {e}")))
}

#[derive(sqlx::FromRow)]
struct MemberWithHashRow {
    #[sqlx(flatten)]
    member: MemberRow,
    password_hash: String,
}

/// The first member ever registered becomes the site's admin; deciding it inside the INSERT
/// means two registrations racing on an empty SQLite database cannot both win (PostgreSQL
/// takes [`LOCK_FIRST_MEMBER`] first).
/// Serializes registrations on PostgreSQL for the length of one transaction (the number is
/// an arbitrary constant that names this lock).
const LOCK_FIRST_MEMBER: &str = "SELECT pg_advisory_xact_lock(7401815)";

const CREATE_MEMBER: &str = concat!(
    "INSERT INTO members (name, email, password_hash, is_admin, created_at) \
     SELECT $1, $2, $3, NOT EXISTS (SELECT 1 FROM members WHERE password_hash <> '!unclaimed'), $4 \
     RETURNING ",
    member_columns!()
);

const MEMBER_BY_NAME: &str = concat!("SELECT ", member_columns!(), " FROM members WHERE name = $1");

const MEMBER_WITH_PASSWORD_HASH: &str =
    concat!("SELECT ", member_columns!(), ", password_hash FROM members WHERE name = $1");

const UPDATE_PROFILE: &str = concat!(
    "UPDATE members SET display_name = $2, homepage = $3, notes_source = $4, notes_html = $5 \
     WHERE id = $1 RETURNING ",
    member_columns!()
);

const SET_PASSWORD_HASH: &str = "UPDATE members SET password_hash = $2 WHERE id = $1";

const SET_ADMIN: &str =
    concat!("UPDATE members SET is_admin = $2 WHERE name = $1 RETURNING ", member_columns!());

const SET_SUSPENDED: &str =
    concat!("UPDATE members SET suspended = $2 WHERE name = $1 RETURNING ", member_columns!());
const DELETE_MEMBER_SESSIONS: &str = "DELETE FROM sessions WHERE member_id = $1";
const DELETE_MEMBER_API_TOKENS: &str = "DELETE FROM api_tokens WHERE member_id = $1";

const MEMBERS: &str = concat!(
    "SELECT ",
    member_columns!(),
    " FROM members ORDER BY name",
    limit!("$1"),
    " OFFSET $2"
);

const MEMBER_COUNT: &str = "SELECT COUNT(*) FROM members";

const MEMBER_NAMES_IN: &str = "SELECT name FROM members WHERE name IN (";

const MEMBERS_BY_ID: &str = concat!("SELECT ", member_columns!(), " FROM members ORDER BY id");

impl Store {
    /// Registers a member. The first member ever created is the site's admin. A name already
    /// in use is a [`StoreError::Conflict`].
    pub async fn create_member(&self, new: &NewMember) -> Result<Member> {
        let created_at = crate::now();
        let inserted = match &self.db {
            // One statement is atomic on SQLite: a single writer at a time.
            Db::Sqlite(pool) => {
                sqlx::query_as(CREATE_MEMBER)
                    .bind(new.name.as_str())
                    .bind(new.email.as_deref())
                    .bind(new.password_hash.as_str())
                    .bind(created_at)
                    .fetch_one(pool)
                    .await
            }
            // On PostgreSQL two first registrations could both see an empty table; a
            // transaction-scoped advisory lock makes "am I the first?" a serial question.
            Db::Postgres(pool) => {
                async {
                    let mut tx = pool.begin_with(self.db.begin_write()).await?;
                    sqlx::query(LOCK_FIRST_MEMBER).execute(&mut *tx).await?;
                    let row: MemberRow = sqlx::query_as(CREATE_MEMBER)
                        .bind(new.name.as_str())
                        .bind(new.email.as_deref())
                        .bind(new.password_hash.as_str())
                        .bind(created_at)
                        .fetch_one(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    Ok(row)
                }
                .await
            }
        };
        let row: MemberRow = inserted.map_err(|e| {
            crate::conflict_or(e, || format!("the name {} is already taken", new.name))
        })?;
        row.into_member()
    }

    pub async fn member_by_name(&self, name: &MemberName) -> Result<Option<Member>> {
        let row: Option<MemberRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(MEMBER_BY_NAME).bind(name.as_str()).fetch_optional(pool).await?
        });
        row.map(MemberRow::into_member).transpose()
    }

    /// The member and their password hash, for checking a login.
    pub async fn member_with_password_hash(
        &self,
        name: &MemberName,
    ) -> Result<Option<(Member, String)>> {
        let row: Option<MemberWithHashRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(MEMBER_WITH_PASSWORD_HASH)
                .bind(name.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(|r| Ok((r.member.into_member()?, r.password_hash))).transpose()
    }

    /// Replaces the editable parts of a profile. [`StoreError::NotFound`] if there is no such
    /// member.
    pub async fn update_profile(&self, member_id: i64, update: &ProfileUpdate) -> Result<Member> {
        let row: Option<MemberRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(UPDATE_PROFILE)
                .bind(member_id)
                .bind(update.display_name.as_str())
                .bind(update.homepage.as_str())
                .bind(update.notes_source.as_str())
                .bind(update.notes_html.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_member()
    }

    /// Stores a new password hash (the caller hashes). [`StoreError::NotFound`] if there is no
    /// such member.
    pub async fn set_password_hash(&self, member_id: i64, password_hash: &str) -> Result<()> {
        let done = on_pool!(&self.db, pool => {
            sqlx::query(SET_PASSWORD_HASH)
                .bind(member_id)
                .bind(password_hash)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Grants or withdraws the admin flag. [`StoreError::NotFound`] if there is no such member.
    pub async fn set_admin(&self, name: &MemberName, is_admin: bool) -> Result<Member> {
        let row: Option<MemberRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(SET_ADMIN)
                .bind(name.as_str())
                .bind(is_admin)
                .fetch_optional(pool)
                .await?
        });
        row.ok_or(StoreError::NotFound)?.into_member()
    }

    /// Suspends or reinstates an account. Suspending also ends every session and revokes every
    /// API token of the member, in the same transaction. [`StoreError::NotFound`] if there is
    /// no such member.
    pub async fn set_suspended(&self, name: &MemberName, suspended: bool) -> Result<Member> {
        let row: MemberRow = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let row: Option<MemberRow> = sqlx::query_as(SET_SUSPENDED)
                .bind(name.as_str())
                .bind(suspended)
                .fetch_optional(&mut *tx)
                .await?;
            let row = row.ok_or(StoreError::NotFound)?;
            if suspended {
                sqlx::query(DELETE_MEMBER_SESSIONS).bind(row.id).execute(&mut *tx).await?;
                sqlx::query(DELETE_MEMBER_API_TOKENS).bind(row.id).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            row
        });
        row.into_member()
    }

    /// One page of members, by name.
    pub async fn members(&self, page: Page) -> Result<Vec<Member>> {
        let (limit, offset) = page.limit_offset();
        let rows: Vec<MemberRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(MEMBERS).bind(limit).bind(offset).fetch_all(pool).await?
        });
        rows.into_iter().map(MemberRow::into_member).collect()
    }

    /// Every member, oldest account first (by id): the trust metric registers them all as
    /// nodes in this stable order, and finds the seeds and admins among them.
    pub async fn members_by_id(&self) -> Result<Vec<Member>> {
        let rows: Vec<MemberRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(MEMBERS_BY_ID).fetch_all(pool).await?
        });
        rows.into_iter().map(MemberRow::into_member).collect()
    }

    pub async fn member_count(&self) -> Result<i64> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_scalar(MEMBER_COUNT).fetch_one(pool).await?
        }))
    }

    /// Which of `names` are members (one query; the caller bounds the list).
    pub async fn existing_member_names(&self, names: &[&str]) -> Result<Vec<String>> {
        self.names_in(MEMBER_NAMES_IN, names).await
    }
}
