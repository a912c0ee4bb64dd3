//! Diary entries and their tags: numbering (per member, 0-based, never reused), writing,
//! editing, deleting, and the reads behind the diary, archive, tag and recent-log pages.
//!
//! Every [`Entry`] comes back with its author's name and its tags (in alphabetical order),
//! read in the same query as the entry: a page of entries is one round trip.

mod insert;

use chrono::{DateTime, SubsecRound, Utc};

pub(crate) use self::insert::{
    EntryKey, NewEntryRow, append_entries, insert_entries, replace_entry_tags,
};
use crate::db::{Conn, limit, on_pool};
use crate::members::stored_name;
use crate::model::stored_level;
use crate::replies::reply_count_of;
use crate::search::searchable_text;
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
    reply_count: i64,
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
            reply_count: self.reply_count,
        })
    }
}

/// What [`UPDATE_ENTRY`] returns: id, publication time, origin (feed title, URL), and reply
/// count.
type UpdatedRow = (i64, DateTime<Utc>, Option<String>, Option<String>, i64);

#[derive(sqlx::FromRow)]
struct MonthRow {
    published_month: i32,
    count: i64,
}

/// `SELECT` list and `FROM` clause of an [`EntryRow`]: entries `e` joined with members `m`
/// (the author's name and trust level are columns of that one join, not further queries).
/// The tags come from a correlated `string_agg` over the primary key of `entry_tags`
/// (same syntax on PostgreSQL and SQLite ≥ 3.44), so a list needs no second query; they are
/// sorted in Rust, which spares SQLite a temporary B-tree per entry. The reply count is a
/// column too ([`reply_count_of!`]).
macro_rules! entry_from {
    () => {
        concat!(
            "SELECT e.id, m.name AS author, m.trust_level AS author_level, e.number, e.title, \
             e.format, e.html, e.published_at, e.updated_at, \
             (SELECT string_agg(t.tag, '\x1f') FROM entry_tags t \
              WHERE t.entry_id = e.id) AS tags, e.syndicated_feed, e.syndicated_url, ",
            reply_count_of!("entry_id", "e.id"),
            " AS reply_count FROM entries e JOIN members m ON m.id = e.member_id"
        )
    };
}

/// Joins an entry's tags in [`entry_from!`]: the ASCII unit separator, a control character,
/// which [`tag_set`] keeps out of tags.
const TAG_SEPARATOR: char = '\x1f';

const UPDATE_ENTRY: &str = concat!(
    "UPDATE entries \
     SET title = $3, format = $4, body_source = $5, html = $6, updated_at = $7, \
     search_text = $8 WHERE member_id = $1 AND number = $2 \
     RETURNING id, published_at, syndicated_feed, syndicated_url, ",
    reply_count_of!("entry_id", "entries.id")
);

/// Marks the member's diary as changed (readers cache what derives from it, such as the
/// archive sidebar, by this version) and names the author.
pub(crate) const BUMP_DIARY_VERSION: &str = "UPDATE members SET diary_version = diary_version + 1 \
     WHERE id = $1 RETURNING name, trust_level";

const DELETE_ENTRY: &str = "DELETE FROM entries WHERE member_id = $1 AND number = $2";

pub(crate) const UNCOUNT_ENTRY: &str = "UPDATE members \
     SET entry_count = entry_count - 1, diary_version = diary_version + 1 WHERE id = $1";

const ENTRY_SOURCE: &str = "SELECT e.body_source FROM entries e JOIN members m \
     ON m.id = e.member_id WHERE m.name = $1 AND e.number = $2";

const ENTRY_BY_NUMBER: &str = concat!(entry_from!(), " WHERE m.name = $1 AND e.number = $2");

/// The diary page; reads index `entries_member_published` in order, no sort.
const ENTRIES_FOR_MEMBER: &str = concat!(
    entry_from!(),
    " WHERE e.member_id = $1 ORDER BY e.published_at DESC, e.number DESC",
    limit!("$2"),
    " OFFSET $3"
);

/// A whole diary, oldest first (its owner's export).
const ENTRIES_WRITTEN_BY: &str =
    concat!(entry_from!(), " WHERE e.member_id = $1 ORDER BY e.number");

/// What the owner typed for each entry of a diary (its export).
const ENTRY_SOURCES_OF: &str = "SELECT number, body_source FROM entries WHERE member_id = $1";

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
     ORDER BY e.published_at DESC, e.number DESC",
    limit!("$3"),
    " OFFSET $4"
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
            " ORDER BY e.sort_at DESC, e.id DESC",
            limit!("$1"),
            " OFFSET $2"
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

/// A member's new entry as [`append_entries`] writes it: published at `published`, not
/// edited since, in the recent log in publication order.
fn member_entry_row(draft: &EntryDraft, published: DateTime<Utc>) -> NewEntryRow<'_> {
    NewEntryRow {
        title: &draft.title,
        format: draft.format.as_str(),
        body_source: &draft.body_source,
        html: &draft.html,
        published_at: published,
        updated_at: published,
        sort_at: published,
        in_recentlog: true,
        syndicated_feed: None,
        syndicated_url: None,
        tags: &draft.tags,
    }
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
        let row = member_entry_row(draft, published);
        let (reserved, ids) = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let appended = append_entries(Conn::from(&mut *tx), member_id, &[row]).await?;
            tx.commit().await?;
            appended
        });
        let id = ids.first().copied().expect("one row in, one id out");
        Ok(Entry {
            id,
            author_level: stored_level(reserved.trust_level, &reserved.name)?,
            author: stored_name(&reserved.name)?,
            number: reserved.first_number,
            title: draft.title.clone(),
            format: draft.format,
            html: draft.html.clone(),
            tags: tag_set(&draft.tags),
            published,
            updated: published,
            syndicated: None,
            reply_count: 0,
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
        let rows: Vec<NewEntryRow<'_>> =
            items.iter().map(|(draft, published)| member_entry_row(draft, *published)).collect();
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            append_entries(Conn::from(&mut *tx), member_id, &rows).await?;
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
        let search_text = searchable_text(&draft.html);
        let (id, published, origin, author) = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let row: Option<UpdatedRow> =
                sqlx::query_as(UPDATE_ENTRY)
                .bind(member_id)
                .bind(number)
                .bind(draft.title.as_str())
                .bind(draft.format.as_str())
                .bind(draft.body_source.as_str())
                .bind(draft.html.as_str())
                .bind(updated)
                .bind(search_text.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let (id, published, feed, url, replies) = row.ok_or(StoreError::NotFound)?;
            replace_entry_tags(Conn::from(&mut *tx), id, member_id, &draft.tags).await?;
            let author: (String, i16) =
                sqlx::query_as(BUMP_DIARY_VERSION).bind(member_id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            (id, published, (feed, url, replies), author)
        });
        Ok(Entry {
            id,
            author_level: stored_level(author.1, &author.0)?,
            author: stored_name(&author.0)?,
            number,
            title: draft.title.clone(),
            format: draft.format,
            html: draft.html.clone(),
            tags: tag_set(&draft.tags),
            published,
            updated,
            syndicated: origin.0.map(|feed_title| Syndication {
                feed_title,
                original_url: origin.1,
                at: published,
            }),
            reply_count: origin.2,
        })
    }

    /// Deletes an entry and its tags; its number is not given out again.
    /// [`StoreError::NotFound`] if the member has no entry with that number.
    pub async fn delete_entry(&self, member_id: i64, number: EntryNumber) -> Result<()> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
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

    /// A member's whole diary, oldest first, each entry with what its author typed.
    pub async fn entries_written_by(&self, member_id: i64) -> Result<Vec<(Entry, String)>> {
        let (rows, sources): (Vec<EntryRow>, Vec<(i64, String)>) = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let rows = sqlx::query_as(ENTRIES_WRITTEN_BY).bind(member_id).fetch_all(&mut *tx).await?;
            let sources =
                sqlx::query_as(ENTRY_SOURCES_OF).bind(member_id).fetch_all(&mut *tx).await?;
            tx.commit().await?;
            (rows, sources)
        });
        let mut sources: std::collections::HashMap<i64, String> = sources.into_iter().collect();
        into_entries(rows)?
            .into_iter()
            .map(|entry| {
                let source = sources.remove(&entry.number).unwrap_or_default();
                Ok((entry, source))
            })
            .collect()
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

    /// Entries hidden as spam (their own flags, or their author's) leave the recent log's
    /// partial indexes (`recent_rank` -1): the log still walks only rows it shows, in order.
    #[tokio::test]
    async fn the_recent_log_reads_no_spam_rows() {
        let (store, _db) = crate::testing::fresh_sqlite().await;
        let mut ids = Vec::new();
        for i in 0..4 {
            let name = MemberName::parse(&format!("m{i}")).expect("valid name");
            let new = NewMember { name, email: None, password_hash: String::new() };
            let member = store.create_member(&new).await.expect("member");
            store.set_trust_levels(&[(member.id, TrustLevel::Master)]).await.expect("level");
            let start = DateTime::<Utc>::from_timestamp(1_200_000_000 + i * 7_000, 0).expect("t");
            let items: Vec<_> = (0..50)
                .map(|n| {
                    let draft = EntryDraft {
                        title: format!("{n}"),
                        format: EntryFormat::Html,
                        body_source: String::new(),
                        html: String::new(),
                        tags: Vec::new(),
                    };
                    (draft, start + chrono::Duration::hours(n))
                })
                .collect();
            store.create_entries_bulk(member.id, &items).await.expect("entries");
            ids.push(member.id);
        }
        let Db::Sqlite(pool) = &store.db else { unreachable!("an SQLite store") };
        // m0's account and ten of m1's entries are hidden as spam.
        sqlx::query("UPDATE members SET spam = 1 WHERE id = $1")
            .bind(ids[0])
            .execute(pool)
            .await
            .expect("hide account");
        sqlx::query("UPDATE entries SET spam = 1 WHERE member_id = $1 AND number < 10")
            .bind(ids[1])
            .execute(pool)
            .await
            .expect("hide entries");
        sqlx::query("ANALYZE").execute(pool).await.expect("analyze");
        for (rank, sql) in RECENT_ENTRIES.iter().enumerate() {
            let recent = plan(&store, sql).await;
            assert_eq!(
                recent[0],
                format!("SCAN e USING INDEX entries_recent_{rank}"),
                "{recent:?}"
            );
        }
        // What the index holds is exactly what the log shows: 200 − 50 − 10 entries.
        let indexed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM entries INDEXED BY entries_recent_1 WHERE recent_rank >= 1",
        )
        .fetch_one(pool)
        .await
        .expect("count");
        assert_eq!(indexed, 140);
        let shown = store
            .recent_entries(TrustLevel::Apprentice, Page { start: 0, limit: 500 })
            .await
            .expect("log");
        assert_eq!(shown.len(), 140);
        assert!(shown.iter().all(|e| e.author.as_str() != "m0"));
    }
}
