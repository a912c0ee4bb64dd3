//! Syndicated feeds: a member's subscription and its fetch status, the leases that let any
//! number of fetchers share the work (each feed fetched by one at a time, a crashed fetcher's
//! claim expiring), the posts already seen (with tombstones), and the one transaction that
//! stores a fetch's result, so that a post is never ingested twice. The warnings of the last
//! read are bounded here ([`bounded_warnings`]), where every writer of them passes.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};

use crate::db::{Conn, Db, keep_prepared, limit, on_pool};
use crate::entries::{BUMP_DIARY_VERSION, NewEntryRow, append_entries, replace_entry_tags};
use crate::members::stored_name;
use crate::search::searchable_text;
use crate::{MemberName, Result, Store, StoreError};

/// Whether a feed is polled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedStatus {
    /// Polled on its schedule.
    Active,
    /// The server answered 410 Gone: not polled until the member sets the URL again or asks
    /// for a fetch.
    Gone,
    /// The member unlinked it.
    Stopped,
}

impl FeedStatus {
    /// The word stored and shown in the API: "active", "gone", "stopped".
    pub fn as_str(self) -> &'static str {
        match self {
            FeedStatus::Active => "active",
            FeedStatus::Gone => "gone",
            FeedStatus::Stopped => "stopped",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(FeedStatus::Active),
            "gone" => Some(FeedStatus::Gone),
            "stopped" => Some(FeedStatus::Stopped),
            _ => None,
        }
    }
}

/// A member's feed and what its owner sees of its fetching.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub id: i64,
    pub member_id: i64,
    pub member: MemberName,
    /// The address polled; `None` once the member stopped syndication.
    pub url: Option<String>,
    pub status: FeedStatus,
    /// The feed's own title, from its last successful fetch ("" before the first).
    pub title: String,
    pub site_link: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last fetch's error in words; `None` when the last fetch succeeded.
    pub last_error: Option<String>,
    /// The faults the last successful read recovered from, in words, for the owner to fix;
    /// empty when it was clean. Kept by a 304 and by a failure; bounded by
    /// [`bounded_warnings`].
    pub last_warnings: Vec<String>,
    pub consecutive_failures: i64,
    /// `None` when the feed is not polled (gone or stopped).
    pub next_fetch_at: Option<DateTime<Utc>>,
    /// Diary entries that came from this feed and still exist.
    pub entry_count: i64,
}

/// A feed claimed by one fetcher until `until`: only the holder of `token` can store the
/// result ([`Store::record_feed_fetch`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedClaim {
    pub feed: Feed,
    pub token: String,
    pub until: DateTime<Utc>,
}

/// A post already seen in a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownItem {
    /// `None` when the member deleted its entry: a tombstone.
    pub entry_id: Option<i64>,
    /// A digest of what was stored, to notice edits.
    pub content_hash: String,
    pub first_seen: DateTime<Utc>,
}

/// One post to store as a diary entry (new) or onto its entry (an edit), already sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct SyndicatedDraft {
    /// `virgule_feeds::identity_key` of the post's id: unique within the feed.
    pub identity: String,
    pub content_hash: String,
    pub title: String,
    pub html: String,
    pub tags: Vec<String>,
    pub original_url: Option<String>,
    pub feed_title: String,
    /// The post's date: the feed's, clamped, or first seen. Ignored for edits.
    pub published: DateTime<Utc>,
    /// The recent log's order: min(published, first seen). Ignored for edits.
    pub sort_at: DateTime<Utc>,
    /// Whether the new entry shows in the site's recent log. Ignored for edits.
    pub in_recentlog: bool,
}

impl SyndicatedDraft {
    /// The new entry a post becomes: in HTML (its sanitized HTML is also its source), with
    /// the feed's footer, at the post's date and place in the recent log.
    fn entry_row(&self) -> NewEntryRow<'_> {
        NewEntryRow {
            title: &self.title,
            format: crate::EntryFormat::Html.as_str(),
            body_source: &self.html,
            html: &self.html,
            published_at: self.published,
            updated_at: self.published,
            sort_at: self.sort_at,
            in_recentlog: self.in_recentlog,
            syndicated_feed: Some(&self.feed_title),
            syndicated_url: self.original_url.as_deref(),
            tags: &self.tags,
        }
    }
}

/// What a fetch found, for [`Store::record_feed_fetch`].
#[derive(Debug, Clone, PartialEq)]
pub enum FetchResult {
    /// A feed was read (200): new posts in `creates` (numbered in this order, so oldest
    /// first), edited ones in `updates`, and the faults the reader recovered from in
    /// `warnings` (as many as it found: the store keeps [`bounded_warnings`] of them, in
    /// place of the previous read's).
    Fetched {
        title: String,
        site_link: Option<String>,
        creates: Vec<SyndicatedDraft>,
        updates: Vec<SyndicatedDraft>,
        warnings: Vec<String>,
    },
    /// 304: nothing changed.
    NotModified,
    /// The fetch or the feed failed; `gone` (410) stops polling.
    Failed { error: String, gone: bool },
}

/// The whole outcome of one fetch of a claimed feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchRecord {
    pub at: DateTime<Utc>,
    /// The address to poll from now on (moved by a permanent redirect or discovery).
    pub url: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub result: FetchResult,
    /// When to fetch next; ignored when the result is gone.
    pub next_fetch_at: DateTime<Utc>,
}

/// What [`Store::record_feed_fetch`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestCounts {
    pub created: u64,
    pub updated: u64,
}

#[derive(sqlx::FromRow)]
struct FeedRow {
    id: i64,
    member_id: i64,
    member: String,
    url: Option<String>,
    status: String,
    title: String,
    site_link: Option<String>,
    etag: Option<String>,
    last_modified: Option<String>,
    last_fetch_at: Option<DateTime<Utc>>,
    last_success_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    /// A JSON array of strings.
    last_warnings: String,
    consecutive_failures: i64,
    next_fetch_at: Option<DateTime<Utc>>,
    entry_count: i64,
}

impl FeedRow {
    fn into_feed(self) -> Result<Feed> {
        let status = FeedStatus::parse(&self.status).ok_or_else(|| {
            StoreError::Corrupt(format!("feed {} has status {:?}", self.id, self.status))
        })?;
        let last_warnings = stored_warnings(&self.last_warnings)
            .map_err(|e| StoreError::Corrupt(format!("feed {}: {e}", self.id)))?;
        Ok(Feed {
            id: self.id,
            member_id: self.member_id,
            member: stored_name(&self.member)?,
            url: self.url,
            status,
            title: self.title,
            site_link: self.site_link,
            etag: self.etag,
            last_modified: self.last_modified,
            last_fetch_at: self.last_fetch_at,
            last_success_at: self.last_success_at,
            last_error: self.last_error,
            last_warnings,
            consecutive_failures: self.consecutive_failures,
            next_fetch_at: self.next_fetch_at,
            entry_count: self.entry_count,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ClaimedRow {
    #[sqlx(flatten)]
    feed: FeedRow,
    claimed_until: DateTime<Utc>,
}

/// The columns of a [`FeedRow`] for feeds `f`; the entry count is a count over the primary key
/// of `feed_items`, read only for one feed at a time.
macro_rules! feed_columns {
    () => {
        "f.id, f.member_id, (SELECT name FROM members m WHERE m.id = f.member_id) AS member, \
         f.url, f.status, f.title, f.site_link, f.etag, f.last_modified, f.last_fetch_at, \
         f.last_success_at, f.last_error, f.last_warnings, f.consecutive_failures, \
         f.next_fetch_at, (SELECT COUNT(*) FROM feed_items i WHERE i.feed_id = f.id AND i.entry_id IS NOT NULL) \
         AS entry_count"
    };
}

const FEED_FOR_MEMBER: &str =
    concat!("SELECT ", feed_columns!(), " FROM feeds f WHERE f.member_id = $1");

/// Every feed with an address (a stopped one has none), by owner.
const LINKED_FEEDS: &str =
    concat!("SELECT ", feed_columns!(), " FROM feeds f WHERE f.url IS NOT NULL ORDER BY member");

/// The feeds being polled whose owners are in good standing (not suspended, not hidden as
/// spam), by owner: what the site's subscription list (`/opml.xml`) shows.
const LISTED_FEEDS: &str = concat!(
    "SELECT ",
    feed_columns!(),
    " FROM feeds f JOIN members o ON o.id = f.member_id \
     WHERE f.status = 'active' AND f.url IS NOT NULL AND NOT o.suspended AND o.spam <> 1 \
     ORDER BY member"
);

/// Links (or re-links) a member's feed and makes it due at once. Validators, and the warnings
/// of the last read (a 304 would keep them), survive only when the URL is unchanged; the lease
/// is dropped, so a fetch of the old address still running cannot store its result over the
/// new subscription.
const SUBSCRIBE_FEED: &str = "INSERT INTO feeds (member_id, url, status, next_fetch_at, created_at) \
     VALUES ($1, $2, 'active', $3, $3) \
     ON CONFLICT (member_id) DO UPDATE SET url = excluded.url, status = 'active', \
     next_fetch_at = excluded.next_fetch_at, consecutive_failures = 0, last_error = NULL, \
     etag = CASE WHEN feeds.url = excluded.url THEN feeds.etag END, \
     last_modified = CASE WHEN feeds.url = excluded.url THEN feeds.last_modified END, \
     last_warnings = CASE WHEN feeds.url = excluded.url THEN feeds.last_warnings ELSE '[]' END, \
     claimed_by = NULL, claimed_until = NULL";

/// A stopped feed is not read: the faults of its last read are nobody's to fix any more.
const UNSUBSCRIBE_FEED: &str = "UPDATE feeds SET url = NULL, status = 'stopped', \
     next_fetch_at = NULL, etag = NULL, last_modified = NULL, last_warnings = '[]', \
     claimed_by = NULL, claimed_until = NULL WHERE member_id = $1";

/// Claims up to `$4` due, unclaimed (or expired) active feeds, most overdue first, under the
/// token `$1`. PostgreSQL skips rows another claimer has locked, so concurrent workers never
/// block on or take the same feed; SQLite has one writer at a time, so the subquery needs no
/// lock. (SQLite's `RETURNING` cannot hold the subqueries of [`feed_columns!`]: the claimed
/// feeds are read back by token with [`CLAIMED_FEEDS`].)
const CLAIM_DUE_FEEDS_SQLITE: &str = concat!(
    "UPDATE feeds SET claimed_by = $1, claimed_until = $3 \
     WHERE id IN (SELECT d.id FROM feeds d WHERE d.status = 'active' AND d.next_fetch_at <= $2 \
     AND (d.claimed_until IS NULL OR d.claimed_until < $2) \
     ORDER BY d.next_fetch_at",
    limit!("$4"),
    ")"
);

const CLAIM_DUE_FEEDS_POSTGRES: &str = concat!(
    "UPDATE feeds SET claimed_by = $1, claimed_until = $3 \
     WHERE id IN (SELECT d.id FROM feeds d WHERE d.status = 'active' AND d.next_fetch_at <= $2 \
     AND (d.claimed_until IS NULL OR d.claimed_until < $2) \
     ORDER BY d.next_fetch_at",
    limit!("$4"),
    " FOR UPDATE SKIP LOCKED)"
);

/// Claims one member's feed now, due or not (a "fetch now"), unless another fetcher holds it.
const CLAIM_MEMBER_FEED: &str = "UPDATE feeds SET claimed_by = $2, claimed_until = $4 \
     WHERE member_id = $1 AND url IS NOT NULL \
     AND (claimed_until IS NULL OR claimed_until < $3)";

const CLAIMED_FEEDS: &str = concat!(
    "SELECT ",
    feed_columns!(),
    ", f.claimed_until FROM feeds f WHERE f.claimed_by = $1 ORDER BY f.next_fetch_at"
);

const RENEW_CLAIM: &str = "UPDATE feeds SET claimed_until = $3 \
     WHERE id = $1 AND claimed_by = $2 AND claimed_until >= $4";

const RELEASE_CLAIM: &str = "UPDATE feeds SET claimed_by = NULL, claimed_until = NULL \
     WHERE id = $1 AND claimed_by = $2";

const FEED_ITEMS: &str =
    "SELECT identity, entry_id, content_hash, first_seen_at FROM feed_items WHERE feed_id = $1";

/// The first statement of the transaction that stores a fetch: checks the lease (no row if it
/// was lost) and takes the write lock at once. The read's warnings replace the last ones.
const RECORD_SUCCESS: &str = "UPDATE feeds SET url = $3, status = 'active', title = $4, \
     site_link = $5, etag = $6, last_modified = $7, last_fetch_at = $8, last_success_at = $8, \
     last_error = NULL, last_warnings = $10, consecutive_failures = 0, next_fetch_at = $9, \
     claimed_by = NULL, claimed_until = NULL WHERE id = $1 AND claimed_by = $2 \
     RETURNING member_id";

/// Nothing was read: the warnings of the last read still describe the feed, and stay.
const RECORD_NOT_MODIFIED: &str = "UPDATE feeds SET url = $3, status = 'active', \
     etag = $4, last_modified = $5, last_fetch_at = $6, last_success_at = $6, \
     last_error = NULL, consecutive_failures = 0, next_fetch_at = $7, claimed_by = NULL, \
     claimed_until = NULL WHERE id = $1 AND claimed_by = $2 RETURNING member_id";

/// The error is the news; the warnings of the last successful read stay.
const RECORD_FAILURE: &str = "UPDATE feeds SET url = $3, status = $4, last_fetch_at = $5, \
     last_error = $6, consecutive_failures = consecutive_failures + 1, next_fetch_at = $7, \
     claimed_by = NULL, claimed_until = NULL \
     WHERE id = $1 AND claimed_by = $2 RETURNING member_id";

const INSERT_FEED_ITEMS_HEAD: &str =
    "INSERT INTO feed_items (feed_id, identity, entry_id, content_hash, first_seen_at) ";

/// Rows per multi-row `feed_items` insert (5 parameters each).
const BULK_ITEM_ROWS: usize = 200;

/// An edit from the feed: same number, same date, same place in the recent log.
const UPDATE_SYNDICATED_ENTRY: &str = "UPDATE entries SET title = $2, body_source = $3, \
     html = $3, updated_at = $4, syndicated_feed = $5, syndicated_url = $6, search_text = $8 \
     WHERE id = (SELECT entry_id FROM feed_items WHERE feed_id = $1 AND identity = $7) \
     RETURNING id";

const UPDATE_FEED_ITEM_HASH: &str =
    "UPDATE feed_items SET content_hash = $3 WHERE feed_id = $1 AND identity = $2";

impl Store {
    /// The member's feed, whatever its status; `None` if they never linked one.
    pub async fn feed_for_member(&self, member_id: i64) -> Result<Option<Feed>> {
        let row: Option<FeedRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(FEED_FOR_MEMBER).bind(member_id).fetch_optional(pool).await?
        });
        row.map(FeedRow::into_feed).transpose()
    }

    /// Every linked feed (any status but stopped), by owner's name.
    pub async fn linked_feeds(&self) -> Result<Vec<Feed>> {
        self.feeds_by(LINKED_FEEDS).await
    }

    /// The feeds being polled whose owners are in good standing, by owner's name.
    pub async fn listed_feeds(&self) -> Result<Vec<Feed>> {
        self.feeds_by(LISTED_FEEDS).await
    }

    async fn feeds_by(&self, query: &'static str) -> Result<Vec<Feed>> {
        let rows: Vec<FeedRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(query).fetch_all(pool).await?
        });
        rows.into_iter().map(FeedRow::into_feed).collect()
    }

    /// Links `url` as the member's feed (replacing any other), due at `now`. The posts seen
    /// under an earlier subscription stay known, so re-linking never duplicates them.
    pub async fn subscribe_feed(
        &self,
        member_id: i64,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<Feed> {
        let now = now.trunc_subsecs(6);
        on_pool!(&self.db, pool => {
            sqlx::query(SUBSCRIBE_FEED)
                .bind(member_id)
                .bind(url)
                .bind(now)
                .execute(pool)
                .await?;
        });
        self.feed_for_member(member_id).await?.ok_or(StoreError::NotFound)
    }

    /// Stops syndication for the member; their syndicated entries stay in the diary.
    pub async fn unsubscribe_feed(&self, member_id: i64) -> Result<()> {
        on_pool!(&self.db, pool => {
            sqlx::query(UNSUBSCRIBE_FEED).bind(member_id).execute(pool).await?;
        });
        Ok(())
    }

    /// Claims up to `limit` feeds due at `now` for `lease`.
    /// Each claim carries a fresh token; a claim not recorded or released before its lease
    /// ends may be taken by another fetcher.
    pub async fn claim_due_feeds(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<FeedClaim>> {
        let now = now.trunc_subsecs(6);
        let token = crate::leases::random_token();
        let until = now + lease;
        let claim = match &self.db {
            Db::Sqlite(_) => CLAIM_DUE_FEEDS_SQLITE,
            Db::Postgres(_) => CLAIM_DUE_FEEDS_POSTGRES,
        };
        let claimed = on_pool!(&self.db, pool => {
            sqlx::query(claim)
                .bind(&token)
                .bind(now)
                .bind(until)
                .bind(limit)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if claimed == 0 {
            return Ok(Vec::new());
        }
        self.claimed_feeds(&token).await
    }

    /// The feeds claimed under `token`.
    async fn claimed_feeds(&self, token: &str) -> Result<Vec<FeedClaim>> {
        let rows: Vec<ClaimedRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(CLAIMED_FEEDS).bind(token).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(FeedClaim {
                    feed: row.feed.into_feed()?,
                    token: token.to_owned(),
                    until: row.claimed_until,
                })
            })
            .collect()
    }

    /// Claims the member's feed now, due or not, for a fetch the member asked for. `None` when
    /// there is no linked feed or another fetcher holds it.
    pub async fn claim_member_feed(
        &self,
        member_id: i64,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<Option<FeedClaim>> {
        let now = now.trunc_subsecs(6);
        let token = crate::leases::random_token();
        let claimed = on_pool!(&self.db, pool => {
            sqlx::query(CLAIM_MEMBER_FEED)
                .bind(member_id)
                .bind(&token)
                .bind(now)
                .bind(now + lease)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if claimed == 0 {
            return Ok(None);
        }
        Ok(self.claimed_feeds(&token).await?.pop())
    }

    /// Extends a claim to `now + lease`, for a fetch that waited its turn (its host's limit)
    /// before starting. `false`, and nothing changed, when the claim has already expired or
    /// been taken: the fetch must then not run.
    pub async fn renew_feed_claim(
        &self,
        claim: &mut FeedClaim,
        now: DateTime<Utc>,
        lease: chrono::Duration,
    ) -> Result<bool> {
        let now = now.trunc_subsecs(6);
        let until = now + lease;
        let renewed = on_pool!(&self.db, pool => {
            sqlx::query(RENEW_CLAIM)
                .bind(claim.feed.id)
                .bind(&claim.token)
                .bind(until)
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        });
        if renewed == 1 {
            claim.until = until;
        }
        Ok(renewed == 1)
    }

    /// Gives a claim back without recording a fetch (at shutdown), so the feed is due again
    /// at once for any fetcher.
    pub async fn release_feed_claim(&self, claim: &FeedClaim) -> Result<()> {
        on_pool!(&self.db, pool => {
            sqlx::query(RELEASE_CLAIM)
                .bind(claim.feed.id)
                .bind(&claim.token)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Every post seen in the feed, by identity.
    pub async fn feed_items(&self, feed_id: i64) -> Result<HashMap<String, KnownItem>> {
        let rows: Vec<(String, Option<i64>, String, DateTime<Utc>)> = on_pool!(&self.db, pool => {
            sqlx::query_as(FEED_ITEMS).bind(feed_id).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(identity, entry_id, content_hash, first_seen)| {
                (identity, KnownItem { entry_id, content_hash, first_seen })
            })
            .collect())
    }

    /// Stores one fetch of a claimed feed in one transaction: its status, its schedule, and
    /// the posts it brought (new entries numbered in order, edits in place). Fails with
    /// [`StoreError::Conflict`] and changes nothing when the claim was lost (its lease ran out
    /// and another fetcher took the feed, or the member re-linked it meanwhile).
    pub async fn record_feed_fetch(
        &self,
        claim: &FeedClaim,
        record: &FetchRecord,
    ) -> Result<IngestCounts> {
        let at = record.at.trunc_subsecs(6);
        let next = record.next_fetch_at.trunc_subsecs(6);
        let feed_id = claim.feed.id;
        let lost = || StoreError::Conflict(format!("the claim on feed {feed_id} was lost"));
        let _queued = match self.db {
            Db::Sqlite(_) => Some(self.ingest_writer.lock().await),
            Db::Postgres(_) => None,
        };
        let counts = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let mut counts = IngestCounts::default();
            match &record.result {
                FetchResult::Fetched { title, site_link, creates, updates, warnings } => {
                    let warnings = warnings_json(&bounded_warnings(warnings));
                    let member_id: i64 = sqlx::query_scalar(RECORD_SUCCESS)
                        .bind(feed_id)
                        .bind(&claim.token)
                        .bind(&record.url)
                        .bind(title)
                        .bind(site_link)
                        .bind(&record.etag)
                        .bind(&record.last_modified)
                        .bind(at)
                        .bind(next)
                        .bind(&warnings)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(lost)?;
                    if !creates.is_empty() {
                        let rows: Vec<NewEntryRow<'_>> =
                            creates.iter().map(SyndicatedDraft::entry_row).collect();
                        let (_, ids) =
                            append_entries(Conn::from(&mut *tx), member_id, &rows).await?;
                        let item_rows: Vec<(&SyndicatedDraft, i64)> =
                            creates.iter().zip(ids).collect();
                        for chunk in item_rows.chunks(BULK_ITEM_ROWS) {
                            let mut insert = sqlx::QueryBuilder::new(INSERT_FEED_ITEMS_HEAD);
                            insert.push_values(chunk, |mut row, (draft, id)| {
                                row.push_bind(feed_id)
                                    .push_bind(draft.identity.as_str())
                                    .push_bind(*id)
                                    .push_bind(draft.content_hash.as_str())
                                    .push_bind(at);
                            });
                            insert
                                .build()
                                .persistent(keep_prepared(chunk, BULK_ITEM_ROWS))
                                .execute(&mut *tx)
                                .await?;
                        }
                        counts.created = creates.len() as u64;
                    }
                    for draft in updates {
                        let id: Option<i64> = sqlx::query_scalar(UPDATE_SYNDICATED_ENTRY)
                            .bind(feed_id)
                            .bind(&draft.title)
                            .bind(&draft.html)
                            .bind(at)
                            .bind(&draft.feed_title)
                            .bind(&draft.original_url)
                            .bind(&draft.identity)
                            .bind(searchable_text(&draft.html))
                            .fetch_optional(&mut *tx)
                            .await?;
                        sqlx::query(UPDATE_FEED_ITEM_HASH)
                            .bind(feed_id)
                            .bind(&draft.identity)
                            .bind(&draft.content_hash)
                            .execute(&mut *tx)
                            .await?;
                        // No entry: the member deleted it meanwhile; the tombstone stays.
                        let Some(id) = id else { continue };
                        replace_entry_tags(Conn::from(&mut *tx), id, member_id, &draft.tags)
                            .await?;
                        counts.updated += 1;
                    }
                    if counts.updated > 0 {
                        sqlx::query(BUMP_DIARY_VERSION).bind(member_id).execute(&mut *tx).await?;
                    }
                }
                FetchResult::NotModified => {
                    sqlx::query_scalar::<_, i64>(RECORD_NOT_MODIFIED)
                        .bind(feed_id)
                        .bind(&claim.token)
                        .bind(&record.url)
                        .bind(&record.etag)
                        .bind(&record.last_modified)
                        .bind(at)
                        .bind(next)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(lost)?;
                }
                FetchResult::Failed { error, gone } => {
                    let (status, next) = if *gone {
                        (FeedStatus::Gone, None)
                    } else {
                        (FeedStatus::Active, Some(next))
                    };
                    sqlx::query_scalar::<_, i64>(RECORD_FAILURE)
                        .bind(feed_id)
                        .bind(&claim.token)
                        .bind(&record.url)
                        .bind(status.as_str())
                        .bind(at)
                        .bind(error)
                        .bind(next)
                        .fetch_optional(&mut *tx)
                        .await?
                        .ok_or_else(lost)?;
                }
            }
            tx.commit().await?;
            counts
        });
        Ok(counts)
    }
}

/// At most this many warning lines are kept per feed, the last of them saying how many more
/// there were.
pub const MAX_FEED_WARNINGS: usize = 20;

/// At most this many characters are kept of one warning line.
pub const MAX_WARNING_CHARS: usize = 300;

/// The warnings of a read as the store keeps them: at most [`MAX_FEED_WARNINGS`] lines, the
/// last one "… and N more" when there were more, each line cut to [`MAX_WARNING_CHARS`]
/// characters (ending in "…" when cut) and on one line (control characters become spaces).
///
/// A rule about what a feed may leave in our database, so it lives where that is written:
/// a hostile or broken feed (a thousand posts dated in the future, each with its warning)
/// must not bloat its row, whoever writes it (a fetch, or a site import). Keeping the same
/// bounded list again changes nothing.
pub fn bounded_warnings(warnings: &[String]) -> Vec<String> {
    let line = |warning: &String| -> String {
        let one_line = warning.chars().map(|c| if c.is_control() { ' ' } else { c });
        if warning.chars().count() <= MAX_WARNING_CHARS {
            one_line.collect()
        } else {
            one_line.take(MAX_WARNING_CHARS - 1).chain(['…']).collect()
        }
    };
    if warnings.len() <= MAX_FEED_WARNINGS {
        return warnings.iter().map(line).collect();
    }
    let kept = MAX_FEED_WARNINGS - 1;
    let mut bounded: Vec<String> = warnings[..kept].iter().map(line).collect();
    bounded.push(format!("… and {} more", warnings.len() - kept));
    bounded
}

/// Warnings as stored in `feeds.last_warnings`: a JSON array of strings.
pub(crate) fn warnings_json(warnings: &[String]) -> String {
    // A list of strings always serializes; the fallback is the empty list, never reached.
    serde_json::to_string(warnings).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads `feeds.last_warnings` back.
pub(crate) fn stored_warnings(raw: &str) -> std::result::Result<Vec<String>, String> {
    serde_json::from_str(raw)
        .map_err(|e| format!("last_warnings is not a JSON list of strings: {e}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn lines(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("entry {i}: date 2099-01-01T00:00:00Z is in the future")).collect()
    }

    #[test]
    fn a_few_short_warnings_are_kept_as_they_are() {
        assert_eq!(bounded_warnings(&[]), Vec::<String>::new());
        let few = lines(MAX_FEED_WARNINGS);
        assert_eq!(bounded_warnings(&few), few);
    }

    #[test]
    fn many_warnings_end_with_how_many_more_there_were() {
        let bounded = bounded_warnings(&lines(1000));
        assert_eq!(bounded.len(), MAX_FEED_WARNINGS);
        assert_eq!(bounded[..MAX_FEED_WARNINGS - 1], lines(MAX_FEED_WARNINGS - 1)[..]);
        assert_eq!(bounded[MAX_FEED_WARNINGS - 1], "… and 981 more");
        // One over the limit: the last line counts two.
        let bounded = bounded_warnings(&lines(MAX_FEED_WARNINGS + 1));
        assert_eq!(bounded.last().unwrap(), "… and 2 more");
    }

    #[test]
    fn a_long_warning_is_cut_on_a_character_and_says_so() {
        let long = "é".repeat(MAX_WARNING_CHARS + 50);
        let bounded = bounded_warnings(&[long]);
        assert_eq!(bounded[0].chars().count(), MAX_WARNING_CHARS);
        assert!(bounded[0].ends_with("é…"), "{}", bounded[0]);
        let exact = "x".repeat(MAX_WARNING_CHARS);
        assert_eq!(bounded_warnings(std::slice::from_ref(&exact)), [exact]);
    }

    #[test]
    fn a_warning_stays_on_one_line() {
        let bounded = bounded_warnings(&["the title\nsays <b>\u{0}hi</b>".to_owned()]);
        assert_eq!(bounded, ["the title says <b> hi</b>"]);
    }

    #[test]
    fn bounding_twice_changes_nothing() {
        let mut many = lines(40);
        many[3] = "w".repeat(1000);
        let once = bounded_warnings(&many);
        assert_eq!(bounded_warnings(&once), once);
    }

    #[test]
    fn warnings_read_back_as_written() {
        let warnings = vec!["a \"quoted\" label".to_owned(), "ü …".to_owned()];
        assert_eq!(stored_warnings(&warnings_json(&warnings)).unwrap(), warnings);
        assert_eq!(stored_warnings("[]").unwrap(), Vec::<String>::new());
        assert!(stored_warnings("not json").is_err());
    }
}
