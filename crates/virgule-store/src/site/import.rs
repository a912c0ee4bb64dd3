//! Import: the records the checker passed, written in one transaction in multi-row batches of
//! one kind, one function per record kind. Duplicates that only the database can see without
//! holding every key of the file in memory (API token hashes, entry numbers, certified pairs,
//! feed item identities) are skipped by `ON CONFLICT DO NOTHING` instead of aborting the
//! transaction, and found again as the rows missing from `RETURNING`: the error names their
//! line.

use std::collections::{HashMap, HashSet};

use super::check::Checker;
use super::{
    ApiTokenRecord, ArticleRecord, CertRecord, EntryRecord, FeedItemRecord, FeedRecord,
    MemberRecord, NewsRecord, ProjectPersonRecord, ProjectRecord, RatingRecord, ReplyRecord,
    SiteCounts, SiteError, SiteRecord, invalid,
};
use crate::Store;
use crate::db::{Conn, on_conn, on_pool};
use crate::entries::{EntryKey, NewEntryRow, insert_entries};
use crate::feeds::warnings_json;
use crate::model::rank_of_level;
use crate::search::{article_search_text, searchable_text};

/// Records written per multi-row `INSERT`: 13 parameters at most each, far below both
/// backends' limits.
const IMPORT_BATCH: usize = 100;

const MEMBER_COUNT: &str = "SELECT COUNT(*) FROM members";

/// `entry_count` is derived: the entries the member has now.
const RECOUNT_ENTRIES: &str = "UPDATE members SET entry_count = \
     (SELECT COUNT(*) FROM entries e WHERE e.member_id = members.id)";

impl Store {
    /// Loads a site file into this database, which must be empty (no member). `records` are
    /// the file's lines in order — item `n` is line `n` — as [`super::read_records`] yields
    /// them. Every record is checked, and everything is written in one transaction: on any
    /// error (a bad line, a truncated file, counts that disagree) nothing is written, and the
    /// error names the line. `progress` hears how many lines have been written so far.
    pub async fn import_site(
        &self,
        records: impl IntoIterator<Item = Result<SiteRecord, SiteError>>,
        mut progress: impl FnMut(u64),
    ) -> Result<SiteCounts, SiteError> {
        let mut checker = Checker::default();
        on_pool!(&self.db, pool => {
            // The transaction reads (the member count) before it writes: on SQLite it must
            // hold the write lock from its start (see `Db::begin_write`).
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            match load(Conn::from(&mut *tx), records, &mut checker, &mut progress).await {
                Ok(counts) => {
                    tx.commit().await?;
                    progress(checker.lines);
                    Ok(counts)
                }
                Err(refused) => {
                    // Dropping the transaction would only queue its rollback on the
                    // connection: the write lock would outlive this call, and the caller's next
                    // write (another import, say) could find the database locked.
                    if let Err(e) = tx.rollback().await {
                        tracing::warn!(error = %e, "rolling back a refused site import failed");
                    }
                    Err(refused)
                }
            }
        })
    }
}

/// The writing half of [`Store::import_site`], inside its transaction: checks each record and
/// inserts them in batches of one kind. Nothing is committed here.
async fn load(
    mut conn: Conn<'_>,
    records: impl IntoIterator<Item = Result<SiteRecord, SiteError>>,
    checker: &mut Checker,
    progress: &mut impl FnMut(u64),
) -> Result<SiteCounts, SiteError> {
    let members: i64 = on_conn!(conn.reborrow(), conn => {
        sqlx::query_scalar(MEMBER_COUNT).fetch_one(conn).await?
    });
    if members > 0 {
        return Err(SiteError::NotEmpty { members });
    }
    let mut ids = Ids::default();
    let mut batch: Option<Batch> = None;
    for (item, line) in records.into_iter().zip(1_u64..) {
        let record = item?;
        let Some(record) = checker.check(line, record).map_err(|message| invalid(line, message))?
        else {
            continue;
        };
        let record = match &mut batch {
            Some(pending) => match pending.join(line, record) {
                None => continue,
                Some(record) => record,
            },
            None => record,
        };
        if let Some(full) = batch.take() {
            full.write(conn.reborrow(), &mut ids).await?;
            progress(line - 1);
        }
        batch = Batch::of(line, record);
    }
    if let Some(last) = batch {
        last.write(conn.reborrow(), &mut ids).await?;
    }
    let counts = checker.finish()?;
    on_conn!(conn, conn => {
        sqlx::query(RECOUNT_ENTRIES).execute(conn).await?;
    });
    Ok(counts)
}

/// Database ids handed out so far, by the names the file uses.
#[derive(Debug, Default)]
struct Ids {
    members: HashMap<String, i64>,
    /// Feed id by owner's member id.
    feeds: HashMap<i64, i64>,
    /// Article id by number.
    articles: HashMap<i64, i64>,
    /// Reply ids by position in the file.
    replies: Vec<i64>,
    projects: HashMap<String, i64>,
}

impl Ids {
    fn member(&self, line: u64, name: &str) -> Result<i64, SiteError> {
        self.members.get(name).copied().ok_or_else(|| invalid(line, format!("no member {name:?}")))
    }

    fn project(&self, line: u64, name: &str) -> Result<i64, SiteError> {
        self.projects
            .get(name)
            .copied()
            .ok_or_else(|| invalid(line, format!("no project {name:?}")))
    }
}

/// Records with their line numbers.
type Lines<R> = Vec<(u64, R)>;

/// Records of one kind waiting to be inserted together.
#[derive(Debug)]
enum Batch {
    Members(Lines<MemberRecord>),
    ApiTokens(Lines<ApiTokenRecord>),
    Entries(Lines<EntryRecord>),
    Certs(Lines<CertRecord>),
    Ratings(Lines<RatingRecord>),
    Feeds(Lines<FeedRecord>),
    FeedItems(Lines<FeedItemRecord>),
    News(Lines<NewsRecord>),
    Articles(Lines<ArticleRecord>),
    Replies(Lines<ReplyRecord>),
    Projects(Lines<ProjectRecord>),
    ProjectPeople(Lines<ProjectPersonRecord>),
}

impl Batch {
    /// A batch of the one record on `line`; `None` for the header and end records, which the
    /// checker keeps for itself.
    fn of(line: u64, record: SiteRecord) -> Option<Batch> {
        Some(match record {
            SiteRecord::Header(_) | SiteRecord::End(_) => return None,
            SiteRecord::Member(r) => Batch::Members(vec![(line, r)]),
            SiteRecord::ApiToken(r) => Batch::ApiTokens(vec![(line, r)]),
            SiteRecord::Entry(r) => Batch::Entries(vec![(line, r)]),
            SiteRecord::Cert(r) => Batch::Certs(vec![(line, r)]),
            SiteRecord::Rating(r) => Batch::Ratings(vec![(line, r)]),
            SiteRecord::Feed(r) => Batch::Feeds(vec![(line, r)]),
            SiteRecord::FeedItem(r) => Batch::FeedItems(vec![(line, r)]),
            SiteRecord::News(r) => Batch::News(vec![(line, r)]),
            SiteRecord::Article(r) => Batch::Articles(vec![(line, r)]),
            SiteRecord::Reply(r) => Batch::Replies(vec![(line, r)]),
            SiteRecord::Project(r) => Batch::Projects(vec![(line, r)]),
            SiteRecord::ProjectPerson(r) => Batch::ProjectPeople(vec![(line, r)]),
        })
    }

    fn len(&self) -> usize {
        match self {
            Batch::Members(rows) => rows.len(),
            Batch::ApiTokens(rows) => rows.len(),
            Batch::Entries(rows) => rows.len(),
            Batch::Certs(rows) => rows.len(),
            Batch::Ratings(rows) => rows.len(),
            Batch::Feeds(rows) => rows.len(),
            Batch::FeedItems(rows) => rows.len(),
            Batch::News(rows) => rows.len(),
            Batch::Articles(rows) => rows.len(),
            Batch::Replies(rows) => rows.len(),
            Batch::Projects(rows) => rows.len(),
            Batch::ProjectPeople(rows) => rows.len(),
        }
    }

    /// Adds the record on `line`, or gives it back when it cannot join: the batch is full, or
    /// the record is of another kind (whose references may need the ids this batch gets).
    fn join(&mut self, line: u64, record: SiteRecord) -> Option<SiteRecord> {
        if self.len() >= IMPORT_BATCH {
            return Some(record);
        }
        match (self, record) {
            (Batch::Members(rows), SiteRecord::Member(r)) => rows.push((line, r)),
            (Batch::ApiTokens(rows), SiteRecord::ApiToken(r)) => rows.push((line, r)),
            (Batch::Entries(rows), SiteRecord::Entry(r)) => rows.push((line, r)),
            (Batch::Certs(rows), SiteRecord::Cert(r)) => rows.push((line, r)),
            (Batch::Ratings(rows), SiteRecord::Rating(r)) => rows.push((line, r)),
            (Batch::Feeds(rows), SiteRecord::Feed(r)) => rows.push((line, r)),
            (Batch::FeedItems(rows), SiteRecord::FeedItem(r)) => rows.push((line, r)),
            (Batch::News(rows), SiteRecord::News(r)) => rows.push((line, r)),
            (Batch::Articles(rows), SiteRecord::Article(r)) => rows.push((line, r)),
            (Batch::Replies(rows), SiteRecord::Reply(r)) => rows.push((line, r)),
            (Batch::Projects(rows), SiteRecord::Project(r)) => rows.push((line, r)),
            (Batch::ProjectPeople(rows), SiteRecord::ProjectPerson(r)) => rows.push((line, r)),
            (_, other) => return Some(other),
        }
        None
    }

    /// Inserts the batch, recording the ids later kinds refer to in `ids`.
    async fn write(self, conn: Conn<'_>, ids: &mut Ids) -> Result<(), SiteError> {
        match self {
            Batch::Members(rows) => import_members(conn, &rows, ids).await,
            Batch::ApiTokens(rows) => import_api_tokens(conn, &rows, ids).await,
            Batch::Entries(rows) => import_entries(conn, &rows, ids).await,
            Batch::Certs(rows) => import_certs(conn, &rows, ids).await,
            Batch::Ratings(rows) => import_ratings(conn, &rows, ids).await,
            Batch::Feeds(rows) => import_feeds(conn, &rows, ids).await,
            Batch::FeedItems(rows) => import_feed_items(conn, &rows, ids).await,
            Batch::News(rows) => import_news(conn, &rows, ids).await,
            Batch::Articles(rows) => import_articles(conn, &rows, ids).await,
            Batch::Replies(rows) => import_replies(conn, &rows, ids).await,
            Batch::Projects(rows) => import_projects(conn, &rows, ids).await,
            Batch::ProjectPeople(rows) => import_project_people(conn, &rows, ids).await,
        }
    }
}

/// The first line of `rows` whose key did not come back from an `INSERT ... ON CONFLICT DO
/// NOTHING RETURNING key`: a duplicate of an earlier row (in this batch or before it).
fn first_skipped<K: Eq + std::hash::Hash>(
    rows: impl IntoIterator<Item = (u64, K)>,
    returned: impl IntoIterator<Item = K>,
) -> Option<u64> {
    let mut returned: HashSet<K> = returned.into_iter().collect();
    // Each returned key stands for one row: the first of the batch's rows with that key.
    rows.into_iter().find(|(_, key)| !returned.remove(key)).map(|(line, _)| line)
}

/// The checker refuses a name seen twice, so no conflict is expected here.
const IMPORT_MEMBERS: &str = "INSERT INTO members (name, display_name, email, homepage, \
     notes_source, notes_html, password_hash, is_admin, suspended, created_at, \
     next_entry_number, diary_version, trust_level, replies_open) ";

async fn import_members(
    conn: Conn<'_>,
    rows: &[(u64, MemberRecord)],
    ids: &mut Ids,
) -> Result<(), SiteError> {
    let inserted: Vec<(i64, String)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_MEMBERS);
        insert.push_values(rows, |mut row, (_, m)| {
            row.push_bind(m.name.as_str())
                .push_bind(m.display_name.as_str())
                .push_bind(m.email.as_deref())
                .push_bind(m.homepage.as_str())
                .push_bind(m.notes_source.as_str())
                .push_bind(m.notes_html.as_str())
                .push_bind(m.password_hash.as_str())
                .push_bind(m.is_admin)
                .push_bind(m.suspended)
                .push_bind(m.created_at)
                .push_bind(m.next_entry_number)
                .push_bind(m.diary_version)
                .push_bind(rank_of_level(m.trust_level))
                .push_bind(m.replies_open);
        });
        insert.push(" RETURNING id, name");
        insert.build_query_as().fetch_all(conn).await?
    });
    ids.members.extend(inserted.into_iter().map(|(id, name)| (name, id)));
    Ok(())
}

const IMPORT_API_TOKENS: &str = "INSERT INTO api_tokens (token_hash, member_id, created_at) ";
const IMPORT_API_TOKENS_TAIL: &str = " ON CONFLICT DO NOTHING RETURNING token_hash";

async fn import_api_tokens(
    conn: Conn<'_>,
    rows: &[(u64, ApiTokenRecord)],
    ids: &Ids,
) -> Result<(), SiteError> {
    let member_ids = rows
        .iter()
        .map(|(line, t)| ids.member(*line, &t.member))
        .collect::<Result<Vec<i64>, SiteError>>()?;
    let returned: Vec<String> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_API_TOKENS);
        insert.push_values(rows.iter().zip(&member_ids), |mut row, ((_, t), member_id)| {
            row.push_bind(t.token_hash.as_str()).push_bind(*member_id).push_bind(t.created_at);
        });
        insert.push(IMPORT_API_TOKENS_TAIL);
        insert.build_query_scalar().fetch_all(conn).await?
    });
    let keys = rows.iter().map(|(line, t)| (*line, t.token_hash.clone()));
    match first_skipped(keys, returned) {
        Some(line) => Err(invalid(line, "an API token hash that appears twice")),
        None => Ok(()),
    }
}

/// Entries go in through the store's one entry insert, at the numbers the file gives (the
/// members' `next_entry_number` came with their records).
async fn import_entries(
    conn: Conn<'_>,
    rows: &[(u64, EntryRecord)],
    ids: &Ids,
) -> Result<(), SiteError> {
    let keyed = rows
        .iter()
        .map(|(line, e)| {
            let key: EntryKey = (ids.member(*line, &e.author)?, e.number);
            let row = NewEntryRow {
                title: &e.title,
                format: &e.format,
                body_source: &e.body_source,
                html: &e.html,
                published_at: e.published_at,
                updated_at: e.updated_at,
                sort_at: e.sort_at,
                in_recentlog: e.in_recentlog,
                syndicated_feed: e.syndicated_feed.as_deref(),
                syndicated_url: e.syndicated_url.as_deref(),
                tags: &e.tags,
            };
            Ok((key, row))
        })
        .collect::<Result<Vec<_>, SiteError>>()?;
    let inserted = insert_entries(conn, &keyed).await?;
    match rows.iter().zip(inserted).find(|(_, id)| id.is_none()) {
        Some(((line, _), _)) => {
            Err(invalid(*line, "an entry number that appears twice for its author"))
        }
        None => Ok(()),
    }
}

/// `VALUES` rows are inserted, and so numbered, in file order: the metric's tie-break.
const IMPORT_CERTS: &str = "INSERT INTO certs (issuer_id, subject_id, level, created_at) ";
const IMPORT_CERTS_TAIL: &str = " ON CONFLICT DO NOTHING RETURNING issuer_id, subject_id";

async fn import_certs(
    conn: Conn<'_>,
    rows: &[(u64, CertRecord)],
    ids: &Ids,
) -> Result<(), SiteError> {
    let pairs = rows
        .iter()
        .map(|(line, c)| Ok((ids.member(*line, &c.issuer)?, ids.member(*line, &c.subject)?)))
        .collect::<Result<Vec<(i64, i64)>, SiteError>>()?;
    let returned: Vec<(i64, i64)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_CERTS);
        insert.push_values(rows.iter().zip(&pairs), |mut row, ((_, c), (issuer, subject))| {
            row.push_bind(*issuer)
                .push_bind(*subject)
                .push_bind(c.level.as_str())
                .push_bind(c.created_at);
        });
        insert.push(IMPORT_CERTS_TAIL);
        insert.build_query_as().fetch_all(conn).await?
    });
    let keys = rows.iter().zip(&pairs).map(|((line, _), pair)| (*line, *pair));
    match first_skipped(keys, returned) {
        Some(line) => Err(invalid(line, "a certification of the same pair twice")),
        None => Ok(()),
    }
}

const IMPORT_RATINGS: &str = "INSERT INTO ratings (rater_id, author_id, rating, rated_at) ";
const IMPORT_RATINGS_TAIL: &str = " ON CONFLICT DO NOTHING RETURNING rater_id, author_id";

async fn import_ratings(
    conn: Conn<'_>,
    rows: &[(u64, RatingRecord)],
    ids: &Ids,
) -> Result<(), SiteError> {
    let pairs = rows
        .iter()
        .map(|(line, r)| Ok((ids.member(*line, &r.rater)?, ids.member(*line, &r.author)?)))
        .collect::<Result<Vec<(i64, i64)>, SiteError>>()?;
    let returned: Vec<(i64, i64)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_RATINGS);
        insert.push_values(rows.iter().zip(&pairs), |mut row, ((_, r), (rater, author))| {
            row.push_bind(*rater).push_bind(*author).push_bind(r.rating).push_bind(r.rated_at);
        });
        insert.push(IMPORT_RATINGS_TAIL);
        insert.build_query_as().fetch_all(conn).await?
    });
    let keys = rows.iter().zip(&pairs).map(|((line, _), pair)| (*line, *pair));
    match first_skipped(keys, returned) {
        Some(line) => Err(invalid(line, "a rating of the same diary by the same member twice")),
        None => Ok(()),
    }
}

/// The checker refuses a second feed of one member, so no conflict is expected here.
const IMPORT_FEEDS: &str = "INSERT INTO feeds (member_id, url, status, title, site_link, \
     etag, last_modified, last_fetch_at, last_success_at, last_error, last_warnings, \
     consecutive_failures, next_fetch_at, created_at) ";

async fn import_feeds(
    conn: Conn<'_>,
    rows: &[(u64, FeedRecord)],
    ids: &mut Ids,
) -> Result<(), SiteError> {
    let member_ids = rows
        .iter()
        .map(|(line, f)| ids.member(*line, &f.member))
        .collect::<Result<Vec<i64>, SiteError>>()?;
    let inserted: Vec<(i64, i64)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_FEEDS);
        insert.push_values(rows.iter().zip(&member_ids), |mut row, ((_, f), member_id)| {
            row.push_bind(*member_id)
                .push_bind(f.url.as_deref())
                .push_bind(f.status.as_str())
                .push_bind(f.title.as_str())
                .push_bind(f.site_link.as_deref())
                .push_bind(f.etag.as_deref())
                .push_bind(f.last_modified.as_deref())
                .push_bind(f.last_fetch_at)
                .push_bind(f.last_success_at)
                .push_bind(f.last_error.as_deref())
                .push_bind(warnings_json(&f.last_warnings))
                .push_bind(f.consecutive_failures)
                .push_bind(f.next_fetch_at)
                .push_bind(f.created_at);
        });
        insert.push(" RETURNING id, member_id");
        insert.build_query_as().fetch_all(conn).await?
    });
    ids.feeds.extend(inserted.into_iter().map(|(id, member_id)| (member_id, id)));
    Ok(())
}

const IMPORT_FEED_ITEMS: &str =
    "INSERT INTO feed_items (feed_id, identity, entry_id, content_hash, first_seen_at) ";
const IMPORT_FEED_ITEMS_TAIL: &str =
    " ON CONFLICT DO NOTHING RETURNING feed_id, identity, entry_id";

async fn import_feed_items(
    conn: Conn<'_>,
    rows: &[(u64, FeedItemRecord)],
    ids: &Ids,
) -> Result<(), SiteError> {
    // (owner's member id, feed id) of each row.
    let owners = rows
        .iter()
        .map(|(line, i)| {
            let member_id = ids.member(*line, &i.member)?;
            let feed_id = ids
                .feeds
                .get(&member_id)
                .copied()
                .ok_or_else(|| invalid(*line, format!("{} has no feed", i.member)))?;
            Ok((member_id, feed_id))
        })
        .collect::<Result<Vec<(i64, i64)>, SiteError>>()?;
    let returned: Vec<(i64, String, Option<i64>)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_FEED_ITEMS);
        insert.push_values(rows.iter().zip(&owners), |mut row, ((_, i), (member_id, feed_id))| {
            row.push_bind(*feed_id).push_bind(i.identity.as_str());
            // The entry is looked up by (owner, number) inside the insert; a number that
            // names no entry comes back as a NULL entry_id.
            match i.entry {
                Some(number) => {
                    row.push("(SELECT id FROM entries WHERE member_id = ")
                        .push_bind_unseparated(*member_id)
                        .push_unseparated(" AND number = ")
                        .push_bind_unseparated(number)
                        .push_unseparated(")");
                }
                None => {
                    row.push_bind(None::<i64>);
                }
            }
            row.push_bind(i.content_hash.as_str()).push_bind(i.first_seen_at);
        });
        insert.push(IMPORT_FEED_ITEMS_TAIL);
        insert.build_query_as().fetch_all(conn).await?
    });
    let unlinked: HashSet<(i64, &str)> = returned
        .iter()
        .filter(|(_, _, entry)| entry.is_none())
        .map(|(feed, identity, _)| (*feed, identity.as_str()))
        .collect();
    for ((line, i), (_, feed_id)) in rows.iter().zip(&owners) {
        if let Some(number) = i.entry
            && unlinked.contains(&(*feed_id, i.identity.as_str()))
        {
            return Err(invalid(
                *line,
                format!("{} has no entry {number} before this line", i.member),
            ));
        }
    }
    let keys =
        rows.iter().zip(&owners).map(|((line, i), (_, feed))| (*line, (*feed, i.identity.clone())));
    let returned = returned.into_iter().map(|(feed, identity, _)| (feed, identity));
    match first_skipped(keys, returned) {
        Some(line) => Err(invalid(line, "a feed item whose identity appears twice in its feed")),
        None => Ok(()),
    }
}

const IMPORT_NEWS: &str = "INSERT INTO news (member_id, title, body_source, html, published_at) ";

async fn import_news(
    conn: Conn<'_>,
    rows: &[(u64, NewsRecord)],
    ids: &Ids,
) -> Result<(), SiteError> {
    let member_ids = rows
        .iter()
        .map(|(line, n)| ids.member(*line, &n.author))
        .collect::<Result<Vec<i64>, SiteError>>()?;
    on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_NEWS);
        insert.push_values(rows.iter().zip(&member_ids), |mut row, ((_, n), member_id)| {
            row.push_bind(*member_id)
                .push_bind(n.title.as_str())
                .push_bind(n.body_source.as_str())
                .push_bind(n.html.as_str())
                .push_bind(n.published_at);
        });
        insert.build().execute(conn).await?;
    });
    Ok(())
}

/// The checker refuses an article number seen twice, so no conflict is expected here.
const IMPORT_ARTICLES: &str = "INSERT INTO articles (number, member_id, title, format, \
     lead_source, lead_html, body_source, html, published_at, updated_at, search_text) ";

async fn import_articles(
    conn: Conn<'_>,
    rows: &[(u64, ArticleRecord)],
    ids: &mut Ids,
) -> Result<(), SiteError> {
    let member_ids = rows
        .iter()
        .map(|(line, a)| ids.member(*line, &a.author))
        .collect::<Result<Vec<i64>, SiteError>>()?;
    let texts: Vec<String> =
        rows.iter().map(|(_, a)| article_search_text(&a.lead_html, &a.html)).collect();
    let inserted: Vec<(i64, i64)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_ARTICLES);
        let values = rows.iter().zip(&member_ids).zip(&texts);
        insert.push_values(values, |mut row, (((_, a), member_id), text)| {
            row.push_bind(a.number)
                .push_bind(*member_id)
                .push_bind(a.title.as_str())
                .push_bind(a.format.as_str())
                .push_bind(a.lead_source.as_str())
                .push_bind(a.lead_html.as_str())
                .push_bind(a.body_source.as_str())
                .push_bind(a.html.as_str())
                .push_bind(a.published_at)
                .push_bind(a.updated_at)
                .push_bind(text.as_str());
        });
        insert.push(" RETURNING id, number");
        insert.build_query_as().fetch_all(conn).await?
    });
    ids.articles.extend(inserted.into_iter().map(|(id, number)| (number, id)));
    Ok(())
}

const ENTRY_ID: &str = "SELECT id FROM entries WHERE member_id = $1 AND number = $2";

const IMPORT_REPLY: &str = "INSERT INTO replies (article_id, entry_id, parent_id, member_id, \
     format, body_source, html, published_at, updated_at, deleted, search_text) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id";

/// One statement per reply: a reply's parent may be the row just before it, whose id only
/// its own insert tells.
async fn import_replies(
    mut conn: Conn<'_>,
    rows: &[(u64, ReplyRecord)],
    ids: &mut Ids,
) -> Result<(), SiteError> {
    for (line, r) in rows {
        let line = *line;
        let member_id = ids.member(line, &r.author)?;
        let parent = match r.parent {
            Some(position) => Some(
                usize::try_from(position)
                    .ok()
                    .and_then(|p| ids.replies.get(p))
                    .copied()
                    .ok_or_else(|| {
                        invalid(line, format!("no reply {position} before this line"))
                    })?,
            ),
            None => None,
        };
        let (article, entry) = match (r.article, &r.entry_author, r.entry_number) {
            (Some(number), _, _) => {
                let id = ids.articles.get(&number).copied().ok_or_else(|| {
                    invalid(line, format!("no article {number} before this line"))
                })?;
                (Some(id), None)
            }
            (None, Some(author), Some(number)) => {
                let author_id = ids.member(line, author)?;
                let id: Option<i64> = on_conn!(conn.reborrow(), conn => {
                    sqlx::query_scalar(ENTRY_ID)
                        .bind(author_id)
                        .bind(number)
                        .fetch_optional(conn)
                        .await?
                });
                let id = id.ok_or_else(|| {
                    invalid(line, format!("{author} has no entry {number} before this line"))
                })?;
                (None, Some(id))
            }
            _ => return Err(invalid(line, "a reply without its item")),
        };
        let search_text = searchable_text(&r.html);
        let id: i64 = on_conn!(conn.reborrow(), conn => {
            sqlx::query_scalar(IMPORT_REPLY)
                .bind(article)
                .bind(entry)
                .bind(parent)
                .bind(member_id)
                .bind(r.format.as_str())
                .bind(r.body_source.as_str())
                .bind(r.html.as_str())
                .bind(r.published_at)
                .bind(r.updated_at)
                .bind(r.deleted)
                .bind(search_text.as_str())
                .fetch_one(conn)
                .await?
        });
        ids.replies.push(id);
    }
    Ok(())
}

/// The checker refuses a project name seen twice, so no conflict is expected here.
const IMPORT_PROJECTS: &str = "INSERT INTO projects (name, description_source, \
     description_html, homepage, license, creator_id, created_at, updated_at) ";

async fn import_projects(
    conn: Conn<'_>,
    rows: &[(u64, ProjectRecord)],
    ids: &mut Ids,
) -> Result<(), SiteError> {
    let creator_ids = rows
        .iter()
        .map(|(line, p)| ids.member(*line, &p.creator))
        .collect::<Result<Vec<i64>, SiteError>>()?;
    let inserted: Vec<(i64, String)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_PROJECTS);
        insert.push_values(rows.iter().zip(&creator_ids), |mut row, ((_, p), creator_id)| {
            row.push_bind(p.name.as_str())
                .push_bind(p.description_source.as_str())
                .push_bind(p.description_html.as_str())
                .push_bind(p.homepage.as_str())
                .push_bind(p.license.as_str())
                .push_bind(*creator_id)
                .push_bind(p.created_at)
                .push_bind(p.updated_at);
        });
        insert.push(" RETURNING id, name");
        insert.build_query_as().fetch_all(conn).await?
    });
    ids.projects.extend(inserted.into_iter().map(|(id, name)| (name, id)));
    Ok(())
}

const IMPORT_PROJECT_PEOPLE: &str =
    "INSERT INTO project_people (project_id, member_id, relation, created_at) ";
const IMPORT_PROJECT_PEOPLE_TAIL: &str = " ON CONFLICT DO NOTHING RETURNING project_id, member_id";

async fn import_project_people(
    conn: Conn<'_>,
    rows: &[(u64, ProjectPersonRecord)],
    ids: &Ids,
) -> Result<(), SiteError> {
    let pairs = rows
        .iter()
        .map(|(line, r)| Ok((ids.project(*line, &r.project)?, ids.member(*line, &r.member)?)))
        .collect::<Result<Vec<(i64, i64)>, SiteError>>()?;
    let returned: Vec<(i64, i64)> = on_conn!(conn, conn => {
        let mut insert = sqlx::QueryBuilder::new(IMPORT_PROJECT_PEOPLE);
        insert.push_values(rows.iter().zip(&pairs), |mut row, ((_, r), (project, member))| {
            row.push_bind(*project)
                .push_bind(*member)
                .push_bind(r.relation.as_str())
                .push_bind(r.created_at);
        });
        insert.push(IMPORT_PROJECT_PEOPLE_TAIL);
        insert.build_query_as().fetch_all(conn).await?
    });
    let keys = rows.iter().zip(&pairs).map(|((line, _), pair)| (*line, *pair));
    match first_skipped(keys, returned) {
        Some(line) => Err(invalid(line, "a relation of the same member to the same project twice")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_row_missing_from_returning_is_the_duplicate() {
        let rows = [(10, "a"), (11, "b"), (12, "a"), (13, "c")];
        assert_eq!(first_skipped(rows, ["a", "b", "c"]), Some(12), "a repeat within the batch");
        assert_eq!(first_skipped(rows, ["a", "c"]), Some(11), "a repeat of an earlier batch");
        assert_eq!(first_skipped([(1, "a"), (2, "b")], ["b", "a"]), None);
    }
}
