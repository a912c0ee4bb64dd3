//! Diary entries and their tags: numbering (per member, 0-based, never reused), writing,
//! editing, deleting, and the reads behind the diary, archive, tag and recent-log pages.
//!
//! Every [`Entry`] comes back with its author's name and its tags (in alphabetical order),
//! read in the same query as the entry: a page of entries is one round trip.

use chrono::{DateTime, Datelike, SubsecRound, Utc};

use crate::db::on_pool;
use crate::members::stored_name;
use crate::model::stored_level;
use crate::{
    ArchiveMonth, Entry, EntryDraft, EntryFormat, EntryNumber, MemberName, Page, Result, Store,
    StoreError, Syndication, TagCount, TrustLevel,
};

/// An `entries` row joined with its author's name and its tags, before validation.
#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    author: String,
    author_level: i16,
    number: i64,
    title: String,
    format: String,
    html: String,
    published_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    /// The entry's tags in order, joined by [`TAG_SEPARATOR`]; NULL when it has none.
    tags: Option<String>,
    /// The feed's title, for syndicated entries only.
    syndicated_feed: Option<String>,
    syndicated_url: Option<String>,
}

impl EntryRow {
    fn into_entry(self) -> Result<Entry> {
        let tags = match &self.tags {
            Some(joined) => {
                let mut tags: Vec<String> =
                    joined.split(TAG_SEPARATOR).map(str::to_owned).collect();
                tags.sort_unstable();
                tags
            }
            None => Vec::new(),
        };
        let format = EntryFormat::parse(&self.format).ok_or_else(|| {
            StoreError::Corrupt(format!("entry {} has format {:?}", self.id, self.format))
        })?;
        Ok(Entry {
            id: self.id,
            author_level: stored_level(self.author_level, &self.author)?,
            author: stored_name(&self.author)?,
            number: self.number,
            title: self.title,
            format,
            html: self.html,
            tags,
            published: self.published_at,
            updated: self.updated_at,
            syndicated: self.syndicated_feed.map(|feed_title| Syndication {
                feed_title,
                original_url: self.syndicated_url,
                at: self.published_at,
            }),
        })
    }
}

#[derive(sqlx::FromRow)]
struct NumberedRow {
    first_number: i64,
    name: String,
    trust_level: i16,
}

#[derive(sqlx::FromRow)]
pub(crate) struct InsertedRow {
    id: i64,
    number: i64,
}

/// What [`UPDATE_ENTRY`] returns: id, publication time, and origin (feed title, URL).
type UpdatedRow = (i64, DateTime<Utc>, Option<String>, Option<String>);

#[derive(sqlx::FromRow)]
struct MonthRow {
    published_month: i32,
    count: i64,
}

/// `SELECT` list and `FROM` clause of an [`EntryRow`]: entries `e` joined with members `m`
/// (the author's name and trust level are columns of that one join, not further queries).
/// The tags come from a correlated `string_agg` over the primary key of `entry_tags`
/// (same syntax on PostgreSQL and SQLite ≥ 3.44), so a list needs no second query; they are
/// sorted in Rust, which spares SQLite a temporary B-tree per entry.
macro_rules! entry_from {
    () => {
        "SELECT e.id, m.name AS author, m.trust_level AS author_level, e.number, e.title, \
         e.format, e.html, e.published_at, e.updated_at, \
         (SELECT string_agg(t.tag, '\x1f') FROM entry_tags t \
          WHERE t.entry_id = e.id) AS tags, e.syndicated_feed, e.syndicated_url \
         FROM entries e JOIN members m ON m.id = e.member_id"
    };
}

/// Joins an entry's tags in [`entry_from!`]: the ASCII unit separator, a control character,
/// which [`tag_set`] keeps out of tags.
const TAG_SEPARATOR: char = '\x1f';

/// Reserves `$2` entry numbers for member `$1` and counts them in. It is the first statement
/// of every transaction that adds entries: writing first makes SQLite take the write lock at
/// once, so concurrent writers wait (busy_timeout) instead of failing on a lock upgrade.
pub(crate) const RESERVE_ENTRY_NUMBERS: &str = "UPDATE members \
     SET next_entry_number = next_entry_number + $2, entry_count = entry_count + $2, \
     diary_version = diary_version + 1 \
     WHERE id = $1 RETURNING next_entry_number - $2 AS first_number, name, trust_level";

const INSERT_ENTRY: &str = "INSERT INTO entries (member_id, number, title, format, body_source, \
     html, published_month, published_at, updated_at, sort_at, in_recentlog) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, TRUE) RETURNING id";

/// The head of [`Store::create_entries_bulk`]'s multi-row insert; the rows follow as
/// `VALUES (...), (...)` from a `QueryBuilder`, then `RETURNING id, number`.
const INSERT_ENTRIES_HEAD: &str = "INSERT INTO entries (member_id, number, title, format, \
     body_source, html, published_month, published_at, updated_at, sort_at, in_recentlog) ";

const INSERT_TAG: &str = "INSERT INTO entry_tags (entry_id, member_id, tag) VALUES ($1, $2, $3)";

pub(crate) const INSERT_TAGS_HEAD: &str = "INSERT INTO entry_tags (entry_id, member_id, tag) ";

const UPDATE_ENTRY: &str = "UPDATE entries \
     SET title = $3, format = $4, body_source = $5, html = $6, updated_at = $7 \
     WHERE member_id = $1 AND number = $2 \
     RETURNING id, published_at, syndicated_feed, syndicated_url";

pub(crate) const DELETE_ENTRY_TAGS: &str = "DELETE FROM entry_tags WHERE entry_id = $1";

/// Marks the member's diary as changed (readers cache what derives from it, such as the
/// archive sidebar, by this version) and names the author.
pub(crate) const BUMP_DIARY_VERSION: &str = "UPDATE members SET diary_version = diary_version + 1 \
     WHERE id = $1 RETURNING name, trust_level";

const DELETE_ENTRY: &str = "DELETE FROM entries WHERE member_id = $1 AND number = $2";

const UNCOUNT_ENTRY: &str = "UPDATE members \
     SET entry_count = entry_count - 1, diary_version = diary_version + 1 WHERE id = $1";

const ENTRY_SOURCE: &str = "SELECT e.body_source FROM entries e JOIN members m \
     ON m.id = e.member_id WHERE m.name = $1 AND e.number = $2";

const ENTRY_BY_NUMBER: &str = concat!(entry_from!(), " WHERE m.name = $1 AND e.number = $2");

/// The diary page; reads index `entries_member_published` in order, no sort.
const ENTRIES_FOR_MEMBER: &str = concat!(
    entry_from!(),
    " WHERE e.member_id = $1 ORDER BY e.published_at DESC, e.number DESC LIMIT $2 OFFSET $3"
);

/// Kept in `members` by every write here, so the diary page's count is a primary-key read.
const ENTRY_COUNT_FOR_MEMBER: &str = "SELECT entry_count FROM members WHERE id = $1";

const ENTRIES_FOR_MONTH: &str = concat!(
    entry_from!(),
    " WHERE e.member_id = $1 AND e.published_month = $2 \
     ORDER BY e.published_at DESC, e.number DESC"
);

const ENTRIES_FOR_TAG: &str = concat!(
    entry_from!(),
    " JOIN entry_tags t ON t.entry_id = e.id WHERE t.member_id = $1 AND t.tag = $2 \
     ORDER BY e.published_at DESC, e.number DESC LIMIT $3 OFFSET $4"
);

const ENTRY_COUNT_FOR_TAG: &str =
    "SELECT COUNT(*) FROM entry_tags WHERE member_id = $1 AND tag = $2";

const ARCHIVE_MONTHS: &str = "SELECT published_month, COUNT(*) AS count FROM entries \
     WHERE member_id = $1 GROUP BY published_month ORDER BY published_month DESC";

const TAGS_FOR_MEMBER: &str = "SELECT tag, COUNT(*) AS count FROM entry_tags \
     WHERE member_id = $1 GROUP BY tag ORDER BY tag";

/// The site-wide recent log at trust threshold `$1` (a rank); reads the partial index
/// `entries_recentlog` in order, no sort. The suspension and level checks are a correlated
/// `NOT EXISTS` on the author's primary key, not conditions on the joined `m` nor an
/// `EXISTS` (which SQLite flattens into a semi-join): with `ANALYZE` statistics, SQLite would
/// otherwise build a Bloom filter over all of `members` first, a full scan on every request.
/// The recent log at one threshold: the entries whose `recent_rank` (kept by triggers: the
/// author's level, or -1 when not shown) is at least it, through that threshold's partial
/// index. The threshold is a literal so that the planner can match the index's predicate.
macro_rules! recent_entries_at {
    ($rank:literal) => {
        concat!(
            entry_from!(),
            " WHERE e.recent_rank >= ",
            $rank,
            " ORDER BY e.sort_at DESC, e.id DESC LIMIT $1 OFFSET $2"
        )
    };
}

/// By threshold rank, 0 (Observer) to 3 (Master).
const RECENT_ENTRIES: [&str; 4] = [
    recent_entries_at!("0"),
    recent_entries_at!("1"),
    recent_entries_at!("2"),
    recent_entries_at!("3"),
];

/// Rows per multi-row `INSERT` in a bulk load: 10 parameters each keeps a statement far below
/// both backends' parameter limits, and full chunks share one prepared statement.
pub(crate) const BULK_ENTRY_ROWS: usize = 100;
/// Rows per multi-row tag `INSERT` (3 parameters each).
pub(crate) const BULK_TAG_ROWS: usize = 300;

/// The ids of a multi-row entry insert in number order (`RETURNING` promises no row order):
/// the rows numbered `first..first + len`.
pub(crate) fn ids_by_number(rows: Vec<InsertedRow>, first: i64, len: usize) -> Result<Vec<i64>> {
    let mut ids = vec![0_i64; len];
    for row in rows {
        let slot = usize::try_from(row.number - first)
            .ok()
            .and_then(|i| ids.get_mut(i))
            .ok_or_else(|| StoreError::Corrupt(format!("insert returned number {}", row.number)))?;
        *slot = row.id;
    }
    Ok(ids)
}

/// Inserts `(entry id, tag)` rows of member `$member_id` in multi-row statements on the
/// transaction `$tx` (a macro, as each backend's transaction is its own type).
macro_rules! insert_tag_rows {
    ($tx:expr, $member_id:expr, $rows:expr) => {
        for chunk in $rows.chunks($crate::entries::BULK_TAG_ROWS) {
            let mut insert = sqlx::QueryBuilder::new($crate::entries::INSERT_TAGS_HEAD);
            insert.push_values(chunk, |mut row, (id, tag)| {
                row.push_bind(*id).push_bind($member_id).push_bind(tag.as_str());
            });
            insert
                .build()
                .persistent(chunk.len() == $crate::entries::BULK_TAG_ROWS)
                .execute($tx)
                .await?;
        }
    };
}
pub(crate) use insert_tag_rows;

/// `YYYYMM`, as stored in `entries.published_month`.
pub(crate) fn month_key(at: DateTime<Utc>) -> i32 {
    at.year() * 100 + at.month() as i32
}

/// The draft's tags as stored: no control characters (they would break
/// [`TAG_SEPARATOR`]), no empty ones, no duplicates, alphabetical (the order reads give back).
pub(crate) fn tag_set(tags: &[String]) -> Vec<String> {
    let mut set: Vec<String> = tags
        .iter()
        .map(|t| t.chars().filter(|c| !c.is_control()).collect::<String>())
        .filter(|t| !t.is_empty())
        .collect();
    set.sort();
    set.dedup();
    set
}

impl Store {
    /// Adds an entry to a member's diary under the member's next number, published at
    /// `published`, in the recent log. [`StoreError::NotFound`] if there is no such member.
    pub async fn create_entry(
        &self,
        member_id: i64,
        draft: &EntryDraft,
        published: DateTime<Utc>,
    ) -> Result<Entry> {
        let published = published.trunc_subsecs(6);
        let tags = tag_set(&draft.tags);
        let (id, numbered) = on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let numbered: Option<NumberedRow> = sqlx::query_as(RESERVE_ENTRY_NUMBERS)
                .bind(member_id)
                .bind(1_i64)
                .fetch_optional(&mut *tx)
                .await?;
            let numbered = numbered.ok_or(StoreError::NotFound)?;
            let id: i64 = sqlx::query_scalar(INSERT_ENTRY)
                .bind(member_id)
                .bind(numbered.first_number)
                .bind(draft.title.as_str())
                .bind(draft.format.as_str())
                .bind(draft.body_source.as_str())
                .bind(draft.html.as_str())
                .bind(month_key(published))
                .bind(published)
                .fetch_one(&mut *tx)
                .await?;
            for tag in &tags {
                sqlx::query(INSERT_TAG)
                    .bind(id)
                    .bind(member_id)
                    .bind(tag.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            (id, numbered)
        });
        Ok(Entry {
            id,
            author_level: stored_level(numbered.trust_level, &numbered.name)?,
            author: stored_name(&numbered.name)?,
            number: numbered.first_number,
            title: draft.title.clone(),
            format: draft.format,
            html: draft.html.clone(),
            tags,
            published,
            updated: published,
            syndicated: None,
        })
    }

    /// Adds many entries to a member's diary in one transaction, numbered in slice order, as
    /// [`Store::create_entry`] would one by one (for imports, demo data and benchmarks).
    /// Returns how many were added. [`StoreError::NotFound`] if there is no such member.
    pub async fn create_entries_bulk(
        &self,
        member_id: i64,
        items: &[(EntryDraft, DateTime<Utc>)],
    ) -> Result<u64> {
        let count = i64::try_from(items.len()).expect("a slice is shorter than i64::MAX");
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let numbered: Option<NumberedRow> = sqlx::query_as(RESERVE_ENTRY_NUMBERS)
                .bind(member_id)
                .bind(count)
                .fetch_optional(&mut *tx)
                .await?;
            let first = numbered.ok_or(StoreError::NotFound)?.first_number;
            let mut tag_rows: Vec<(i64, String)> = Vec::new();
            for (chunk_index, chunk) in items.chunks(BULK_ENTRY_ROWS).enumerate() {
                let chunk_first = first + (chunk_index * BULK_ENTRY_ROWS) as i64;
                let mut insert = sqlx::QueryBuilder::new(INSERT_ENTRIES_HEAD);
                insert.push_values(chunk.iter().enumerate(), |mut row, (i, (draft, published))| {
                    let published = published.trunc_subsecs(6);
                    row.push_bind(member_id)
                        .push_bind(chunk_first + i as i64)
                        .push_bind(draft.title.as_str())
                        .push_bind(draft.format.as_str())
                        .push_bind(draft.body_source.as_str())
                        .push_bind(draft.html.as_str())
                        .push_bind(month_key(published))
                        .push_bind(published)
                        .push_bind(published)
                        .push_bind(published)
                        .push("TRUE");
                });
                insert.push(" RETURNING id, number");
                let inserted: Vec<InsertedRow> = insert
                    .build_query_as()
                    .persistent(chunk.len() == BULK_ENTRY_ROWS)
                    .fetch_all(&mut *tx)
                    .await?;
                let ids = ids_by_number(inserted, chunk_first, chunk.len())?;
                for (id, (draft, _)) in ids.into_iter().zip(chunk) {
                    tag_rows.extend(tag_set(&draft.tags).into_iter().map(|tag| (id, tag)));
                }
            }
            insert_tag_rows!(&mut *tx, member_id, &tag_rows);
            tx.commit().await?;
        });
        Ok(items.len() as u64)
    }

    /// Replaces an entry's title, body and tags; keeps its number, publication time and place
    /// in the recent log, and sets `updated` to now. [`StoreError::NotFound`] if the member has
    /// no entry with that number.
    pub async fn update_entry(
        &self,
        member_id: i64,
        number: EntryNumber,
        draft: &EntryDraft,
    ) -> Result<Entry> {
        let updated = crate::now();
        let tags = tag_set(&draft.tags);
        let (id, published, origin, author) = on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let row: Option<UpdatedRow> =
                sqlx::query_as(UPDATE_ENTRY)
                .bind(member_id)
                .bind(number)
                .bind(draft.title.as_str())
                .bind(draft.format.as_str())
                .bind(draft.body_source.as_str())
                .bind(draft.html.as_str())
                .bind(updated)
                .fetch_optional(&mut *tx)
                .await?;
            let (id, published, feed, url) = row.ok_or(StoreError::NotFound)?;
            sqlx::query(DELETE_ENTRY_TAGS).bind(id).execute(&mut *tx).await?;
            for tag in &tags {
                sqlx::query(INSERT_TAG)
                    .bind(id)
                    .bind(member_id)
                    .bind(tag.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            let author: (String, i16) =
                sqlx::query_as(BUMP_DIARY_VERSION).bind(member_id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            (id, published, (feed, url), author)
        });
        Ok(Entry {
            id,
            author_level: stored_level(author.1, &author.0)?,
            author: stored_name(&author.0)?,
            number,
            title: draft.title.clone(),
            format: draft.format,
            html: draft.html.clone(),
            tags,
            published,
            updated,
            syndicated: origin.0.map(|feed_title| Syndication {
                feed_title,
                original_url: origin.1,
                at: published,
            }),
        })
    }

    /// Deletes an entry and its tags; its number is not given out again.
    /// [`StoreError::NotFound`] if the member has no entry with that number.
    pub async fn delete_entry(&self, member_id: i64, number: EntryNumber) -> Result<()> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let deleted = sqlx::query(DELETE_ENTRY)
                .bind(member_id)
                .bind(number)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if deleted == 0 {
                return Err(StoreError::NotFound);
            }
            sqlx::query(UNCOUNT_ENTRY).bind(member_id).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// What the member typed for entry `number` (Markdown or HTML, per the entry's format),
    /// for the edit form; lists and pages never need it, so entry reads leave it out.
    pub async fn entry_source(
        &self,
        author: &MemberName,
        number: EntryNumber,
    ) -> Result<Option<String>> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_scalar(ENTRY_SOURCE)
                .bind(author.as_str())
                .bind(number)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// One entry by its author's name and number (the permalink `/person/NAME/diary/K.html`).
    pub async fn entry_by_number(
        &self,
        author: &crate::MemberName,
        number: EntryNumber,
    ) -> Result<Option<Entry>> {
        let rows: Vec<EntryRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ENTRY_BY_NUMBER)
                .bind(author.as_str())
                .bind(number)
                .fetch_all(pool)
                .await?
        });
        Ok(into_entries(rows)?.pop())
    }

    /// One page of a member's diary, newest first.
    pub async fn entries_for_member(&self, member_id: i64, page: Page) -> Result<Vec<Entry>> {
        let (limit, offset) = page.limit_offset();
        let rows: Vec<EntryRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ENTRIES_FOR_MEMBER)
                .bind(member_id)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?
        });
        into_entries(rows)
    }

    /// How many entries a member's diary holds (0 for an unknown member).
    pub async fn entry_count_for_member(&self, member_id: i64) -> Result<i64> {
        let count: Option<i64> = on_pool!(&self.db, pool => {
            sqlx::query_scalar(ENTRY_COUNT_FOR_MEMBER).bind(member_id).fetch_optional(pool).await?
        });
        Ok(count.unwrap_or(0))
    }

    /// All of a member's entries published in one month (UTC), newest first.
    pub async fn entries_for_month(
        &self,
        member_id: i64,
        year: i32,
        month: u32,
    ) -> Result<Vec<Entry>> {
        let key = match (1..=12).contains(&month).then(|| year.checked_mul(100)).flatten() {
            Some(y) => y + month as i32,
            None => return Ok(Vec::new()),
        };
        let rows: Vec<EntryRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ENTRIES_FOR_MONTH).bind(member_id).bind(key).fetch_all(pool).await?
        });
        into_entries(rows)
    }

    /// One page of a member's entries carrying `tag`, newest first.
    pub async fn entries_for_tag(
        &self,
        member_id: i64,
        tag: &str,
        page: Page,
    ) -> Result<Vec<Entry>> {
        let (limit, offset) = page.limit_offset();
        let rows: Vec<EntryRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ENTRIES_FOR_TAG)
                .bind(member_id)
                .bind(tag)
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?
        });
        into_entries(rows)
    }

    pub async fn entry_count_for_tag(&self, member_id: i64, tag: &str) -> Result<i64> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_scalar(ENTRY_COUNT_FOR_TAG).bind(member_id).bind(tag).fetch_one(pool).await?
        }))
    }

    /// The months in which a member published, newest first, with their entry counts.
    pub async fn archive_months(&self, member_id: i64) -> Result<Vec<ArchiveMonth>> {
        let rows: Vec<MonthRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ARCHIVE_MONTHS).bind(member_id).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|r| ArchiveMonth {
                year: r.published_month / 100,
                month: (r.published_month % 100).unsigned_abs(),
                count: r.count,
            })
            .collect())
    }

    /// A member's tags, alphabetical, with how many entries carry each.
    pub async fn tags_for_member(&self, member_id: i64) -> Result<Vec<TagCount>> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_as::<_, (String, i64)>(TAGS_FOR_MEMBER)
                .bind(member_id)
                .fetch_all(pool)
                .await?
        })
        .into_iter()
        .map(|(tag, count)| TagCount { tag, count })
        .collect())
    }

    /// One page of the site-wide recent log: entries marked for it, by authors who are not
    /// suspended and whose trust level is at least `min_level`, newest (by `sort_at`) first.
    pub async fn recent_entries(&self, min_level: TrustLevel, page: Page) -> Result<Vec<Entry>> {
        let (limit, offset) = page.limit_offset();
        let rows: Vec<EntryRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(RECENT_ENTRIES[usize::from(min_level.rank())])
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?
        });
        into_entries(rows)
    }
}

/// Validates rows into entries.
fn into_entries(rows: Vec<EntryRow>) -> Result<Vec<Entry>> {
    rows.into_iter().map(EntryRow::into_entry).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;
    use crate::{MemberName, NewMember};

    /// SQLite's plan for `sql`, one line per step.
    async fn plan(store: &Store, sql: &'static str) -> Vec<String> {
        let Db::Sqlite(pool) = &store.db else { unreachable!("an SQLite store") };
        let explain = sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}"));
        let rows: Vec<(i64, i64, i64, String)> =
            sqlx::query_as(explain).fetch_all(pool).await.expect("explain");
        rows.into_iter().map(|(_, _, _, step)| step).collect()
    }

    /// The pages served most read their rows through an index, in order: no table scan and no
    /// sort, with or without the statistics `ANALYZE` gathers (which change SQLite's choices).
    #[tokio::test]
    async fn hot_queries_use_indexes_on_sqlite() {
        let (store, _db) = crate::testing::fresh_sqlite().await;
        for i in 0..20 {
            let name = MemberName::parse(&format!("m{i}")).expect("valid name");
            let new = NewMember { name, email: None, password_hash: String::new() };
            let member = store.create_member(&new).await.expect("member");
            let start = DateTime::<Utc>::from_timestamp(1_200_000_000 + i * 7_000, 0).expect("t");
            let items: Vec<_> = (0..100)
                .map(|n| {
                    let draft = EntryDraft {
                        title: format!("{n}"),
                        format: EntryFormat::Html,
                        body_source: String::new(),
                        html: String::new(),
                        tags: vec![format!("t{}", n % 5)],
                    };
                    (draft, start + chrono::Duration::hours(n * 20))
                })
                .collect();
            store.create_entries_bulk(member.id, &items).await.expect("entries");
        }
        let ordered = [
            ENTRIES_FOR_MEMBER,
            ENTRY_COUNT_FOR_MEMBER,
            RECENT_ENTRIES[0],
            RECENT_ENTRIES[1],
            RECENT_ENTRIES[3],
            ENTRIES_FOR_MONTH,
            ARCHIVE_MONTHS,
            TAGS_FOR_MEMBER,
            ENTRY_COUNT_FOR_TAG,
            ENTRY_BY_NUMBER,
            "SELECT entry_id, tag FROM entry_tags WHERE entry_id IN ($1, $2) ORDER BY entry_id, tag",
        ];
        for analyzed in [false, true] {
            if analyzed {
                let Db::Sqlite(pool) = &store.db else { unreachable!("an SQLite store") };
                sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
            }
            for sql in ordered {
                let steps = plan(&store, sql).await;
                let fine = |step: &String| {
                    (step.starts_with("SEARCH ")
                        || step.starts_with("CORRELATED SCALAR SUBQUERY")
                        || step.starts_with("SCAN e USING INDEX entries_recent_"))
                        && !step.contains("TEMP B-TREE")
                };
                assert!(steps.iter().all(fine), "analyzed: {analyzed}\n{sql}\n{steps:#?}");
            }
            let diary = plan(&store, ENTRIES_FOR_MEMBER).await;
            assert!(diary.iter().any(|s| s.contains("entries_member_published")), "{diary:?}");
            let month = plan(&store, ENTRIES_FOR_MONTH).await;
            assert!(month.iter().any(|s| s.contains("entries_member_month")), "{month:?}");
            // A member's tag page sorts that member's entries with the tag: a short list.
            let tag = plan(&store, ENTRIES_FOR_TAG).await;
            assert!(tag[0].contains("entry_tags_member_tag"), "{tag:?}");
            // The recent log at each threshold walks that threshold's index in order: no
            // filtering of entries it will not show.
            for (rank, sql) in RECENT_ENTRIES.iter().enumerate() {
                let recent = plan(&store, sql).await;
                let index = format!("SCAN e USING INDEX entries_recent_{rank}");
                assert_eq!(recent[0], index, "{recent:?}");
            }
        }
    }
}
