//! The one way rows go into `entries`, and their tags into `entry_tags`, whoever writes them:
//! a member's form or the API ([`Store::create_entry`]), a bulk load
//! ([`Store::create_entries_bulk`], `virgule demo`), a feed's new posts
//! ([`Store::record_feed_fetch`]) and a site import. Each calls it inside its own transaction
//! and differs only in the values of a row, so the columns, the numbering, the tag rule and
//! the batching cannot drift apart. (`recent_rank` is not written here: triggers set it from
//! the author's row on both backends.)
//!
//! [`Store::create_entry`]: crate::Store::create_entry
//! [`Store::create_entries_bulk`]: crate::Store::create_entries_bulk
//! [`Store::record_feed_fetch`]: crate::Store::record_feed_fetch

use std::collections::HashMap;

use chrono::{DateTime, Datelike, SubsecRound, Utc};

use super::tag_set;
use crate::db::{Conn, keep_prepared, on_conn};
use crate::search::searchable_text;
use crate::{EntryNumber, Result, StoreError};

/// Where an entry goes: its author's member id and its number in their diary.
pub(crate) type EntryKey = (i64, EntryNumber);

/// The values of one new `entries` row. Timestamps are truncated to the microseconds both
/// backends keep; `published_month` is derived from `published_at`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewEntryRow<'a> {
    pub title: &'a str,
    /// `markdown` or `html`, as [`crate::EntryFormat::as_str`] spells it.
    pub format: &'a str,
    /// What the member typed; a syndicated post's sanitized HTML.
    pub body_source: &'a str,
    pub html: &'a str,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The recent log's order.
    pub sort_at: DateTime<Utc>,
    pub in_recentlog: bool,
    /// The feed's title, for a syndicated entry.
    pub syndicated_feed: Option<&'a str>,
    pub syndicated_url: Option<&'a str>,
    /// Stored as [`tag_set`] makes them.
    pub tags: &'a [String],
}

/// Reserves `$2` entry numbers for member `$1` and counts them in. It is the first statement
/// of every transaction that adds entries, which (like every writing transaction) opens with
/// `Db::begin_write`, so concurrent writers wait for each other instead of failing.
const RESERVE_ENTRY_NUMBERS: &str = "UPDATE members \
     SET next_entry_number = next_entry_number + $2, entry_count = entry_count + $2, \
     diary_version = diary_version + 1 \
     WHERE id = $1 RETURNING next_entry_number - $2 AS first_number, name, trust_level";

/// The head of every insert into `entries`: the rows follow as `VALUES (...), (...)` from a
/// `QueryBuilder`, then [`INSERT_ENTRIES_TAIL`].
const INSERT_ENTRIES_HEAD: &str = "INSERT INTO entries (member_id, number, title, format, \
     body_source, html, published_month, published_at, updated_at, sort_at, in_recentlog, \
     syndicated_feed, syndicated_url, search_text) ";

/// A number the member already has is skipped rather than aborting the transaction, and shows
/// as the row missing from `RETURNING`: a site import names the file's line; the other
/// writers reserved their numbers, so for them it is a corrupt `next_entry_number`.
const INSERT_ENTRIES_TAIL: &str =
    " ON CONFLICT (member_id, number) DO NOTHING RETURNING id, member_id, number";

const INSERT_TAGS_HEAD: &str = "INSERT INTO entry_tags (entry_id, member_id, tag) ";

const DELETE_ENTRY_TAGS: &str = "DELETE FROM entry_tags WHERE entry_id = $1";

/// Rows per multi-row `INSERT`: 14 parameters each keeps a statement far below both backends'
/// parameter limits, and full chunks share one prepared statement.
const ENTRY_ROWS_PER_INSERT: usize = 100;
/// Rows per multi-row tag `INSERT` (3 parameters each).
const TAG_ROWS_PER_INSERT: usize = 300;

/// The numbers reserved for a member's new entries, and the author as entries show them.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct Reserved {
    pub first_number: EntryNumber,
    pub name: String,
    pub trust_level: i16,
}

/// Adds `rows` at the end of member `member_id`'s diary, numbered in order from the member's
/// next number (which moves past them, as does the entry count). Returns the reservation and
/// the new entries' ids in row order. [`StoreError::NotFound`] if there is no such member.
pub(crate) async fn append_entries(
    mut conn: Conn<'_>,
    member_id: i64,
    rows: &[NewEntryRow<'_>],
) -> Result<(Reserved, Vec<i64>)> {
    let count = i64::try_from(rows.len()).expect("a slice is shorter than i64::MAX");
    let reserved: Option<Reserved> = on_conn!(conn.reborrow(), conn => {
        sqlx::query_as(RESERVE_ENTRY_NUMBERS)
            .bind(member_id)
            .bind(count)
            .fetch_optional(conn)
            .await?
    });
    let reserved = reserved.ok_or(StoreError::NotFound)?;
    let keyed: Vec<(EntryKey, NewEntryRow<'_>)> =
        (reserved.first_number..).map(|n| (member_id, n)).zip(rows.iter().copied()).collect();
    let ids = insert_entries(conn, &keyed)
        .await?
        .into_iter()
        .zip(&keyed)
        .map(|(id, ((_, number), _))| {
            id.ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "member {member_id}'s reserved entry number {number} is already taken"
                ))
            })
        })
        .collect::<Result<Vec<i64>>>()?;
    Ok((reserved, ids))
}

/// Inserts entries at the given keys, with their tags, in multi-row statements. Returns each
/// row's new id in row order, or `None` for a row whose key was taken (by an entry already
/// stored or an earlier row): that row and its tags were not written.
pub(crate) async fn insert_entries(
    conn: Conn<'_>,
    rows: &[(EntryKey, NewEntryRow<'_>)],
) -> Result<Vec<Option<i64>>> {
    let mut ids = Vec::with_capacity(rows.len());
    let mut tag_rows: Vec<(i64, i64, String)> = Vec::new();
    on_conn!(conn, conn => {
        for chunk in rows.chunks(ENTRY_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(INSERT_ENTRIES_HEAD);
            insert.push_values(chunk, |mut values, ((member_id, number), row)| {
                let published = row.published_at.trunc_subsecs(6);
                values
                    .push_bind(*member_id)
                    .push_bind(*number)
                    .push_bind(row.title)
                    .push_bind(row.format)
                    .push_bind(row.body_source)
                    .push_bind(row.html)
                    .push_bind(month_key(published))
                    .push_bind(published)
                    .push_bind(row.updated_at.trunc_subsecs(6))
                    .push_bind(row.sort_at.trunc_subsecs(6))
                    .push_bind(row.in_recentlog)
                    .push_bind(row.syndicated_feed)
                    .push_bind(row.syndicated_url)
                    .push_bind(searchable_text(row.html));
            });
            insert.push(INSERT_ENTRIES_TAIL);
            // `RETURNING` promises no row order: rows are matched to ids by key.
            let returned: Vec<(i64, i64, EntryNumber)> = insert
                .build_query_as()
                .persistent(keep_prepared(chunk, ENTRY_ROWS_PER_INSERT))
                .fetch_all(&mut *conn)
                .await?;
            let mut by_key: HashMap<EntryKey, i64> =
                returned.into_iter().map(|(id, member, number)| ((member, number), id)).collect();
            for (key, row) in chunk {
                // Each returned key stands for one row: the first of the chunk with that key.
                let id = by_key.remove(key);
                if let Some(id) = id {
                    tag_rows.extend(tag_set(row.tags).into_iter().map(|tag| (id, key.0, tag)));
                }
                ids.push(id);
            }
        }
        insert_tag_rows(Conn::from(&mut *conn), &tag_rows).await?;
    });
    Ok(ids)
}

/// Replaces the tags of entry `entry_id` (of member `member_id`) with `tags`, as
/// [`tag_set`] stores them: for an edit by the member or by the feed.
pub(crate) async fn replace_entry_tags(
    mut conn: Conn<'_>,
    entry_id: i64,
    member_id: i64,
    tags: &[String],
) -> Result<()> {
    on_conn!(conn.reborrow(), conn => {
        sqlx::query(DELETE_ENTRY_TAGS).bind(entry_id).execute(conn).await?;
    });
    let rows: Vec<(i64, i64, String)> =
        tag_set(tags).into_iter().map(|tag| (entry_id, member_id, tag)).collect();
    insert_tag_rows(conn, &rows).await
}

/// Inserts `(entry id, member id, tag)` rows in multi-row statements.
async fn insert_tag_rows(conn: Conn<'_>, rows: &[(i64, i64, String)]) -> Result<()> {
    on_conn!(conn, conn => {
        for chunk in rows.chunks(TAG_ROWS_PER_INSERT) {
            let mut insert = sqlx::QueryBuilder::new(INSERT_TAGS_HEAD);
            insert.push_values(chunk, |mut values, (entry_id, member_id, tag)| {
                values.push_bind(*entry_id).push_bind(*member_id).push_bind(tag.as_str());
            });
            insert
                .build()
                .persistent(keep_prepared(chunk, TAG_ROWS_PER_INSERT))
                .execute(&mut *conn)
                .await?;
        }
    });
    Ok(())
}

/// `YYYYMM`, as stored in `entries.published_month`.
fn month_key(at: DateTime<Utc>) -> i32 {
    at.year() * 100 + at.month() as i32
}
