//! Related posts: each entry's list of up to three entries like it, stored (migration 0014)
//! so that an entry's page reads it with one indexed query. The lists are computed away from
//! requests by virgule-site's related refresher, which reads the entries whose list is due
//! ([`Store::entries_due_for_related`]), finds their neighbours with the full-text index
//! ([`Store::search`]) and stores them ([`Store::set_related`]). Triggers make a list due
//! when its entry's words change and when an entry it named is deleted.

use chrono::{DateTime, SubsecRound, Utc};

use crate::db::{limit, on_pool};
use crate::members::stored_name;
use crate::{EntryNumber, MemberName, Result, Store};

/// An entry whose related list is due, with what its list is computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedSource {
    pub id: i64,
    pub member_id: i64,
    pub title: String,
    pub tags: Vec<String>,
    /// Its plain text, as the index holds it.
    pub text: String,
    /// When it was last changed: a list computed from an older read is not stored.
    pub updated: DateTime<Utc>,
}

/// One entry of a related list, as an entry's page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedEntry {
    pub author: MemberName,
    pub number: EntryNumber,
    pub title: String,
    /// The start of its plain text (a few hundred characters), for an excerpt.
    pub text_start: String,
}

#[derive(sqlx::FromRow)]
struct SourceRow {
    id: i64,
    member_id: i64,
    title: String,
    search_text: Option<String>,
    tags: Option<String>,
    updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct RelatedRow {
    author: String,
    number: i64,
    title: String,
    text_start: Option<String>,
}

const DUE_FOR_RELATED: &str = concat!(
    "SELECT e.id, e.member_id, e.title, e.search_text, e.updated_at, \
     (SELECT string_agg(t.tag, ' ') FROM entry_tags t WHERE t.entry_id = e.id) AS tags \
     FROM entries e WHERE e.related_at IS NULL ORDER BY e.id DESC",
    limit!("$1")
);

/// Marks the list computed; only if the entry is as it was read.
const MARK_RELATED: &str =
    "UPDATE entries SET related_at = $3 WHERE id = $1 AND updated_at = $2 AND related_at IS NULL";

const CLEAR_RELATED: &str = "DELETE FROM related_entries WHERE entry_id = $1";

const INSERT_RELATED: &str =
    "INSERT INTO related_entries (entry_id, position, related_id) VALUES ($1, $2, $3)";

/// The shown entries of a list, in order; a hidden one (spam, suspended author) is skipped.
const RELATED_FOR_ENTRY: &str = "SELECT m.name AS author, e.number, e.title, \
     substr(e.search_text, 1, 400) AS text_start FROM related_entries r \
     JOIN entries e ON e.id = r.related_id JOIN members m ON m.id = e.member_id \
     WHERE r.entry_id = $1 AND e.spam <> 1 AND NOT m.suspended AND m.spam <> 1 \
     ORDER BY r.position";

impl Store {
    /// Entries with a related list due, at most `limit`, newest first (the pages most read).
    pub async fn entries_due_for_related(&self, limit: i64) -> Result<Vec<RelatedSource>> {
        let rows: Vec<SourceRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(DUE_FOR_RELATED).bind(limit).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|row| RelatedSource {
                id: row.id,
                member_id: row.member_id,
                title: row.title,
                tags: row
                    .tags
                    .map(|t| t.split(' ').map(str::to_owned).collect())
                    .unwrap_or_default(),
                text: row.search_text.unwrap_or_default(),
                updated: row.updated_at,
            })
            .collect())
    }

    /// Stores `related` (entry ids, best first) as the list of `source`, unless the entry
    /// changed since it was read (its list is then still due) or is gone. Returns whether it
    /// was stored.
    pub async fn set_related(&self, source: &RelatedSource, related: &[i64]) -> Result<bool> {
        let now = crate::now().trunc_subsecs(6);
        Ok(on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let marked = sqlx::query(MARK_RELATED)
                .bind(source.id)
                .bind(source.updated)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if marked == 1 {
                sqlx::query(CLEAR_RELATED).bind(source.id).execute(&mut *tx).await?;
                for (position, id) in related.iter().enumerate() {
                    sqlx::query(INSERT_RELATED)
                        .bind(source.id)
                        .bind(position as i16)
                        .bind(*id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            marked == 1
        }))
    }

    /// The related list of entry `entry_id`, as stored (empty until computed).
    pub async fn related_for_entry(&self, entry_id: i64) -> Result<Vec<RelatedEntry>> {
        let rows: Vec<RelatedRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(RELATED_FOR_ENTRY).bind(entry_id).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(RelatedEntry {
                    author: stored_name(&row.author)?,
                    number: row.number,
                    title: row.title,
                    text_start: row.text_start.unwrap_or_default(),
                })
            })
            .collect()
    }
}
