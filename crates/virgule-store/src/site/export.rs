//! Export: the whole site from one read-only snapshot, one function per record kind, each
//! reading its table in keyset batches (rows after the last key read), so memory stays
//! bounded whatever the size of the site.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Encode, FromRow, Postgres, Sqlite, Type};

use super::{
    ApiTokenRecord, ArticleRecord, CertRecord, EndRecord, EntryRecord, FORMAT_VERSION,
    FeedItemRecord, FeedRecord, HeaderRecord, MemberRecord, NewsRecord, ProjectPersonRecord,
    ProjectRecord, RatingRecord, ReplyRecord, SiteCounts, SiteError, SiteRecord, micros,
};
use crate::db::{Conn, Db, limit, on_conn, on_pool};
use crate::feeds::stored_warnings;
use crate::model::stored_level;
use crate::{Store, StoreError};

/// Rows read per query.
const EXPORT_BATCH: i64 = 1_000;

/// Makes the export's transaction one snapshot on PostgreSQL (SQLite's read transaction in WAL
/// mode is one already): records written later never refer to rows the export missed.
const SNAPSHOT_POSTGRES: &str = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

const COUNT_SITE: &str = "SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM api_tokens), \
     (SELECT COUNT(*) FROM entries), (SELECT COUNT(*) FROM certs), (SELECT COUNT(*) FROM feeds), \
     (SELECT COUNT(*) FROM feed_items), (SELECT COUNT(*) FROM news), \
     (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM replies), \
     (SELECT COUNT(*) FROM projects), (SELECT COUNT(*) FROM project_people), \
     (SELECT COUNT(*) FROM ratings)";

impl Store {
    /// How many rows of each exported kind the database holds now (for a progress bar's
    /// length before [`Store::export_site`]).
    pub async fn site_counts(&self) -> Result<SiteCounts, SiteError> {
        let row: (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64) = on_pool!(&self.db, pool => {
            sqlx::query_as(COUNT_SITE).fetch_one(pool).await?
        });
        let n = |v: i64| u64::try_from(v).unwrap_or_default();
        Ok(SiteCounts {
            members: n(row.0),
            api_tokens: n(row.1),
            entries: n(row.2),
            certs: n(row.3),
            feeds: n(row.4),
            feed_items: n(row.5),
            news: n(row.6),
            articles: n(row.7),
            replies: n(row.8),
            projects: n(row.9),
            project_people: n(row.10),
            ratings: n(row.11),
        })
    }

    /// Writes the whole site to `sink`, one record at a time in file order (header first, end
    /// record last), from one consistent snapshot read in batches: memory stays bounded
    /// whatever the size of the site. Returns what was written.
    pub async fn export_site(
        &self,
        exported_at: DateTime<Utc>,
        mut sink: impl FnMut(&SiteRecord) -> std::io::Result<()>,
    ) -> Result<SiteCounts, SiteError> {
        let mut put = |record: SiteRecord| sink(&record).map_err(SiteError::Write);
        put(SiteRecord::Header(HeaderRecord {
            version: FORMAT_VERSION,
            exported_at: micros(exported_at),
        }))?;
        let counts = on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            if let Db::Postgres(_) = &self.db {
                sqlx::query(SNAPSHOT_POSTGRES).execute(&mut *tx).await?;
            }
            // In file order: a record refers only to records of the kinds before it.
            let members = export_members(Conn::from(&mut *tx), &mut put).await?;
            let api_tokens = export_api_tokens(Conn::from(&mut *tx), &mut put).await?;
            let entries = export_entries(Conn::from(&mut *tx), &mut put).await?;
            let certs = export_certs(Conn::from(&mut *tx), &mut put).await?;
            let ratings = export_ratings(Conn::from(&mut *tx), &mut put).await?;
            let feeds = export_feeds(Conn::from(&mut *tx), &mut put).await?;
            let feed_items = export_feed_items(Conn::from(&mut *tx), &mut put).await?;
            let news = export_news(Conn::from(&mut *tx), &mut put).await?;
            let articles = export_articles(Conn::from(&mut *tx), &mut put).await?;
            let replies = export_replies(Conn::from(&mut *tx), &mut put).await?;
            let projects = export_projects(Conn::from(&mut *tx), &mut put).await?;
            let project_people = export_project_people(Conn::from(&mut *tx), &mut put).await?;
            tx.commit().await?;
            SiteCounts {
                members, api_tokens, entries, certs, ratings, feeds, feed_items, news, articles,
                replies, projects, project_people,
            }
        });
        put(SiteRecord::End(EndRecord { counts }))?;
        Ok(counts)
    }
}

/// Reads a table in batches of [`EXPORT_BATCH`] rows with `sql`, whose `$1` is the key of the
/// last row read (`first` before the first batch) and `$2` the batch size, and hands each row
/// to `each` in key order. Returns how many rows it read.
async fn in_batches<K, R>(
    conn: Conn<'_>,
    sql: &'static str,
    first: K,
    key: impl Fn(&R) -> K,
    mut each: impl FnMut(R) -> Result<(), SiteError>,
) -> Result<u64, SiteError>
where
    K: Clone + Send + Type<Sqlite> + Type<Postgres>,
    K: for<'q> Encode<'q, Sqlite> + for<'q> Encode<'q, Postgres>,
    R: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
{
    let mut after = first;
    let mut count = 0;
    on_conn!(conn, conn => loop {
        let rows: Vec<R> =
            sqlx::query_as(sql).bind(after.clone()).bind(EXPORT_BATCH).fetch_all(&mut *conn).await?;
        let Some(last) = rows.last() else { return Ok(count) };
        after = key(last);
        for row in rows {
            count += 1;
            each(row)?;
        }
    })
}

/// Oldest account first.
const EXPORT_MEMBERS: &str = concat!(
    "SELECT id, name, display_name, email, homepage, notes_source, \
     notes_html, password_hash, is_admin, suspended, created_at, next_entry_number, \
     diary_version, trust_level, replies_open FROM members WHERE id > $1 ORDER BY id",
    limit!("$2")
);

/// A member's record with its key and its stored trust rank, which the record spells as a
/// word.
#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    trust_level: i16,
    #[sqlx(flatten)]
    record: MemberRecord,
}

async fn export_members(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    in_batches(
        conn,
        EXPORT_MEMBERS,
        0_i64,
        |row: &MemberRow| row.id,
        |row| {
            let trust_level = stored_level(row.trust_level, &row.record.name)?;
            put(SiteRecord::Member(MemberRecord { trust_level, ..row.record }))
        },
    )
    .await
}

/// By hash (the key): tokens have no order that means anything.
const EXPORT_API_TOKENS: &str = concat!(
    "SELECT t.token_hash, m.name AS member, t.created_at \
     FROM api_tokens t JOIN members m ON m.id = t.member_id \
     WHERE t.token_hash > $1 ORDER BY t.token_hash",
    limit!("$2")
);

async fn export_api_tokens(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let key = |token: &ApiTokenRecord| token.token_hash.clone();
    in_batches(conn, EXPORT_API_TOKENS, String::new(), key, |token| {
        put(SiteRecord::ApiToken(token))
    })
    .await
}

/// In creation order. Tags come joined by the unit separator, which the import's checker
/// keeps out of tags.
const EXPORT_ENTRIES: &str = concat!(
    "SELECT e.id, m.name AS author, e.number, e.title, e.format, \
     e.body_source, e.html, e.published_at, e.updated_at, e.sort_at, e.in_recentlog, \
     e.syndicated_feed, e.syndicated_url, \
     (SELECT string_agg(t.tag, '\x1f') FROM entry_tags t WHERE t.entry_id = e.id) AS tags \
     FROM entries e JOIN members m ON m.id = e.member_id WHERE e.id > $1 ORDER BY e.id",
    limit!("$2")
);

/// An entry's record with its key and its tags as one joined string.
#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    tags: Option<String>,
    #[sqlx(flatten)]
    record: EntryRecord,
}

async fn export_entries(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    in_batches(
        conn,
        EXPORT_ENTRIES,
        0_i64,
        |row: &EntryRow| row.id,
        |row| {
            let mut tags: Vec<String> = match &row.tags {
                Some(joined) => joined.split('\x1f').map(str::to_owned).collect(),
                None => Vec::new(),
            };
            tags.sort_unstable();
            put(SiteRecord::Entry(EntryRecord { tags, ..row.record }))
        },
    )
    .await
}

/// In creation order: the trust metric breaks ties by it.
const EXPORT_CERTS: &str = concat!(
    "SELECT c.id, i.name AS issuer, s.name AS subject, c.level, \
     c.created_at FROM certs c JOIN members i ON i.id = c.issuer_id \
     JOIN members s ON s.id = c.subject_id WHERE c.id > $1 ORDER BY c.id",
    limit!("$2")
);

/// A record of a table keyed by id, with its key.
#[derive(sqlx::FromRow)]
struct ById<T> {
    id: i64,
    #[sqlx(flatten)]
    record: T,
}

async fn export_certs(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let key = |row: &ById<CertRecord>| row.id;
    in_batches(conn, EXPORT_CERTS, 0_i64, key, |row| put(SiteRecord::Cert(row.record))).await
}

/// In creation order.
const EXPORT_RATINGS: &str = concat!(
    "SELECT r.id, a.name AS rater, b.name AS author, r.rating, \
     r.rated_at FROM ratings r JOIN members a ON a.id = r.rater_id \
     JOIN members b ON b.id = r.author_id WHERE r.id > $1 ORDER BY r.id",
    limit!("$2")
);

async fn export_ratings(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let key = |row: &ById<RatingRecord>| row.id;
    in_batches(conn, EXPORT_RATINGS, 0_i64, key, |row| put(SiteRecord::Rating(row.record))).await
}

const EXPORT_FEEDS: &str = concat!(
    "SELECT f.id, m.name AS member, f.url, f.status, f.title, \
     f.site_link, f.etag, f.last_modified, f.last_fetch_at, f.last_success_at, f.last_error, \
     f.last_warnings, f.consecutive_failures, f.next_fetch_at, f.created_at FROM feeds f \
     JOIN members m ON m.id = f.member_id WHERE f.id > $1 ORDER BY f.id",
    limit!("$2")
);

/// A feed's record with its key and its warnings as stored (JSON), which the record holds as
/// a list.
#[derive(sqlx::FromRow)]
struct FeedRow {
    id: i64,
    last_warnings: String,
    #[sqlx(flatten)]
    record: FeedRecord,
}

async fn export_feeds(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    in_batches(
        conn,
        EXPORT_FEEDS,
        0_i64,
        |row: &FeedRow| row.id,
        |row| {
            let last_warnings = stored_warnings(&row.last_warnings).map_err(|e| {
                StoreError::Corrupt(format!("the feed of {}: {e}", row.record.member))
            })?;
            put(SiteRecord::Feed(FeedRecord { last_warnings, ..row.record }))
        },
    )
    .await
}

/// By the primary key (feed, identity), whose order carries no meaning: a key of two columns,
/// so this table has its own loop rather than [`in_batches`]'s one-value key.
const EXPORT_FEED_ITEMS: &str = concat!(
    "SELECT i.feed_id, i.identity, m.name AS member, \
     e.number AS entry, i.content_hash, i.first_seen_at FROM feed_items i \
     JOIN feeds f ON f.id = i.feed_id JOIN members m ON m.id = f.member_id \
     LEFT JOIN entries e ON e.id = i.entry_id \
     WHERE (i.feed_id, i.identity) > ($1, $2) ORDER BY i.feed_id, i.identity",
    limit!("$3")
);

/// A feed item's record with its feed's id, the first half of its key.
#[derive(sqlx::FromRow)]
struct FeedItemRow {
    feed_id: i64,
    #[sqlx(flatten)]
    record: FeedItemRecord,
}

async fn export_feed_items(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let mut after = (0_i64, String::new());
    let mut count = 0;
    on_conn!(conn, conn => loop {
        let rows: Vec<FeedItemRow> = sqlx::query_as(EXPORT_FEED_ITEMS)
            .bind(after.0)
            .bind(after.1.as_str())
            .bind(EXPORT_BATCH)
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = rows.last() else { return Ok(count) };
        after = (last.feed_id, last.record.identity.clone());
        for row in rows {
            count += 1;
            put(SiteRecord::FeedItem(row.record))?;
        }
    })
}

/// In publication order.
const EXPORT_NEWS: &str = concat!(
    "SELECT n.id, m.name AS author, n.title, n.body_source, n.html, \
     n.published_at FROM news n JOIN members m ON m.id = n.member_id \
     WHERE n.id > $1 ORDER BY n.id",
    limit!("$2")
);

async fn export_news(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let key = |row: &ById<NewsRecord>| row.id;
    in_batches(conn, EXPORT_NEWS, 0_i64, key, |row| put(SiteRecord::News(row.record))).await
}

/// In number order.
const EXPORT_ARTICLES: &str = concat!(
    "SELECT a.id, a.number, m.name AS author, a.title, a.format, \
     a.lead_source, a.lead_html, a.body_source, a.html, a.published_at, a.updated_at \
     FROM articles a JOIN members m ON m.id = a.member_id \
     WHERE a.id > $1 ORDER BY a.id",
    limit!("$2")
);

async fn export_articles(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let key = |row: &ById<ArticleRecord>| row.id;
    in_batches(conn, EXPORT_ARTICLES, 0_i64, key, |row| put(SiteRecord::Article(row.record))).await
}

/// In posting order (by id), so that a parent comes before its answers.
const EXPORT_REPLIES: &str = concat!(
    "SELECT r.id, r.parent_id, a.number AS article, \
     em.name AS entry_author, e.number AS entry_number, m.name AS author, r.format, \
     r.body_source, r.html, r.published_at, r.updated_at, r.deleted \
     FROM replies r JOIN members m ON m.id = r.member_id \
     LEFT JOIN articles a ON a.id = r.article_id \
     LEFT JOIN entries e ON e.id = r.entry_id LEFT JOIN members em ON em.id = e.member_id \
     WHERE r.id > $1 ORDER BY r.id",
    limit!("$2")
);

/// A reply's record with its key and its parent's id, which the record spells as the
/// parent's position in the file.
#[derive(sqlx::FromRow)]
struct ReplyRow {
    id: i64,
    parent_id: Option<i64>,
    #[sqlx(flatten)]
    record: ReplyRecord,
}

async fn export_replies(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    // Position in the file by reply id: one integer pair per reply.
    let mut positions: std::collections::HashMap<i64, u64> = std::collections::HashMap::new();
    in_batches(
        conn,
        EXPORT_REPLIES,
        0_i64,
        |row: &ReplyRow| row.id,
        |row| {
            let parent = match row.parent_id {
                Some(id) => Some(positions.get(&id).copied().ok_or_else(|| {
                    SiteError::Store(crate::StoreError::Corrupt(format!(
                        "reply {} answers reply {id}, which comes after it",
                        row.id
                    )))
                })?),
                None => None,
            };
            let position = positions.len() as u64;
            positions.insert(row.id, position);
            put(SiteRecord::Reply(ReplyRecord { parent, ..row.record }))
        },
    )
    .await
}

/// In creation order.
const EXPORT_PROJECTS: &str = concat!(
    "SELECT p.id, p.name, p.description_source, \
     p.description_html, p.homepage, p.license, m.name AS creator, p.created_at, p.updated_at \
     FROM projects p JOIN members m ON m.id = p.creator_id WHERE p.id > $1 ORDER BY p.id",
    limit!("$2")
);

async fn export_projects(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let key = |row: &ById<ProjectRecord>| row.id;
    in_batches(conn, EXPORT_PROJECTS, 0_i64, key, |row| put(SiteRecord::Project(row.record))).await
}

/// By the primary key (project, member): a key of two columns, like feed items'.
const EXPORT_PROJECT_PEOPLE: &str = concat!(
    "SELECT pp.project_id, pp.member_id, p.name AS project, \
     m.name AS member, pp.relation, pp.created_at FROM project_people pp \
     JOIN projects p ON p.id = pp.project_id JOIN members m ON m.id = pp.member_id \
     WHERE (pp.project_id, pp.member_id) > ($1, $2) \
     ORDER BY pp.project_id, pp.member_id",
    limit!("$3")
);

/// A relation's record with its key.
#[derive(sqlx::FromRow)]
struct ProjectPersonRow {
    project_id: i64,
    member_id: i64,
    #[sqlx(flatten)]
    record: ProjectPersonRecord,
}

async fn export_project_people(
    conn: Conn<'_>,
    put: &mut impl FnMut(SiteRecord) -> Result<(), SiteError>,
) -> Result<u64, SiteError> {
    let mut after = (0_i64, 0_i64);
    let mut count = 0;
    on_conn!(conn, conn => loop {
        let rows: Vec<ProjectPersonRow> = sqlx::query_as(EXPORT_PROJECT_PEOPLE)
            .bind(after.0)
            .bind(after.1)
            .bind(EXPORT_BATCH)
            .fetch_all(&mut *conn)
            .await?;
        let Some(last) = rows.last() else { return Ok(count) };
        after = (last.project_id, last.member_id);
        for row in rows {
            count += 1;
            put(SiteRecord::ProjectPerson(row.record))?;
        }
    })
}
