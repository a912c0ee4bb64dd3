//! Replies to articles and diary entries, threaded by `parent`: writing, editing, deleting
//! (a reply with answers stays as a "[deleted]" placeholder), a thread's replies in posting
//! order, the reply count of lists ([`reply_count_of!`]), and a member's "replies open" setting.

use chrono::{DateTime, Utc};

use crate::db::on_pool;
use crate::members::stored_name;
use crate::model::stored_level;
use crate::search::searchable_text;
use crate::{
    EntryFormat, Guest, Reply, ReplyDraft, ReplyPlace, ReplyRemoval, ReplyTarget, Result, Store,
    StoreError,
};

/// A `replies` row with its author and its item's public names, before validation.
#[derive(sqlx::FromRow)]
struct ReplyRow {
    id: i64,
    article_id: Option<i64>,
    entry_id: Option<i64>,
    parent_id: Option<i64>,
    author: String,
    author_level: i16,
    format: String,
    html: String,
    published_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    deleted: bool,
    spam: bool,
    article_number: Option<i64>,
    entry_author: Option<String>,
    entry_number: Option<i64>,
    guest_name: Option<String>,
    guest_url: Option<String>,
}

impl ReplyRow {
    fn into_reply(self) -> Result<Reply> {
        let corrupt = || StoreError::Corrupt(format!("reply {} has no item", self.id));
        let (target, place) = match (self.article_id, self.entry_id) {
            (Some(article), _) => (
                ReplyTarget::Article(article),
                ReplyPlace::Article(self.article_number.ok_or_else(corrupt)?),
            ),
            (None, Some(entry)) => (
                ReplyTarget::Entry(entry),
                ReplyPlace::Entry {
                    author: stored_name(self.entry_author.as_deref().ok_or_else(corrupt)?)?,
                    number: self.entry_number.ok_or_else(corrupt)?,
                },
            ),
            (None, None) => return Err(corrupt()),
        };
        let format = EntryFormat::parse(&self.format).ok_or_else(|| {
            StoreError::Corrupt(format!("reply {} has format {:?}", self.id, self.format))
        })?;
        Ok(Reply {
            guest: self.guest_name.map(|name| Guest { name, url: self.guest_url }),
            id: self.id,
            target,
            place,
            parent: self.parent_id,
            author_level: stored_level(self.author_level, &self.author)?,
            author: stored_name(&self.author)?,
            format,
            html: self.html,
            published: self.published_at,
            updated: self.updated_at,
            deleted: self.deleted,
            spam: self.spam,
        })
    }
}

/// The number of replies a thread shows under the article or entry whose id is `$id`, as a
/// correlated subquery on `replies.$column` (read through the `replies_article` or
/// `replies_entry` index): placeholders of deleted replies, and replies hidden as spam, do
/// not count. Lists of articles and entries carry it as a column, so a page of them with
/// their counts is one query.
macro_rules! reply_count_of {
    ($column:literal, $id:literal) => {
        concat!(
            "(SELECT COUNT(*) FROM replies r WHERE r.",
            $column,
            " = ",
            $id,
            " AND NOT r.deleted AND r.spam <> 1)"
        )
    };
}
pub(crate) use reply_count_of;

/// `SELECT` list and `FROM` clause of a [`ReplyRow`].
macro_rules! reply_from {
    () => {
        "SELECT r.id, r.article_id, r.entry_id, r.parent_id, m.name AS author, \
         m.trust_level AS author_level, r.format, r.html, r.published_at, r.updated_at, \
         r.deleted, (r.spam = 1 OR m.spam = 1) AS spam, a.number AS article_number, em.name AS entry_author, \
         e.number AS entry_number, r.guest_name, r.guest_url \
         FROM replies r JOIN members m ON m.id = r.member_id \
         LEFT JOIN articles a ON a.id = r.article_id \
         LEFT JOIN entries e ON e.id = r.entry_id \
         LEFT JOIN members em ON em.id = e.member_id"
    };
}

const CREATE_REPLY: &str = "INSERT INTO replies (article_id, entry_id, parent_id, member_id, \
     format, body_source, html, published_at, updated_at, search_text) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9) RETURNING id";

const REPLY_BY_ID: &str = concat!(reply_from!(), " WHERE r.id = $1");

const REPLIES_FOR_ARTICLE: &str = concat!(reply_from!(), " WHERE r.article_id = $1 ORDER BY r.id");

const REPLIES_FOR_ENTRY: &str = concat!(reply_from!(), " WHERE r.entry_id = $1 ORDER BY r.id");

/// Every reply a member wrote and did not delete, oldest first (their export); not the
/// guests' replies they hold.
const REPLIES_WRITTEN_BY: &str = concat!(
    reply_from!(),
    " WHERE r.member_id = $1 AND NOT r.deleted AND r.guest_name IS NULL ORDER BY r.id"
);

const REPLY_SOURCE: &str = "SELECT body_source FROM replies WHERE id = $1 AND NOT deleted";

/// Only the author's own, not yet deleted.
const UPDATE_REPLY: &str = "UPDATE replies SET format = $3, body_source = $4, html = $5, \
     updated_at = $6, search_text = $7 WHERE id = $1 AND member_id = $2 AND NOT deleted";

const REPLY_OWNER: &str = "SELECT member_id, parent_id, deleted FROM replies WHERE id = $1";

const HAS_ANSWERS: &str = "SELECT EXISTS (SELECT 1 FROM replies WHERE parent_id = $1)";

const BLANK_REPLY: &str = "UPDATE replies SET deleted = TRUE, body_source = '', html = '', search_text = '' WHERE id = $1";

const DELETE_REPLY: &str = "DELETE FROM replies WHERE id = $1";

const SET_REPLIES_OPEN: &str = "UPDATE members SET replies_open = $2 WHERE id = $1";

impl Store {
    /// Adds a reply by `member_id` to `target`, answering `parent` (a reply of the same item,
    /// which the caller has checked) or the item itself.
    pub async fn create_reply(
        &self,
        target: ReplyTarget,
        parent: Option<i64>,
        member_id: i64,
        draft: &ReplyDraft,
    ) -> Result<Reply> {
        self.create_reply_at(target, parent, member_id, draft, crate::now()).await
    }

    /// [`Store::create_reply`] dated `published` (for loads of earlier replies, such as
    /// `virgule demo`'s; a thread lists replies in the order of the calls).
    pub async fn create_reply_at(
        &self,
        target: ReplyTarget,
        parent: Option<i64>,
        member_id: i64,
        draft: &ReplyDraft,
        published: DateTime<Utc>,
    ) -> Result<Reply> {
        let (article, entry) = match target {
            ReplyTarget::Article(id) => (Some(id), None),
            ReplyTarget::Entry(id) => (None, Some(id)),
        };
        let search_text = searchable_text(&draft.html);
        let id: i64 = on_pool!(&self.db, pool => {
            sqlx::query_scalar(CREATE_REPLY)
                .bind(article)
                .bind(entry)
                .bind(parent)
                .bind(member_id)
                .bind(draft.format.as_str())
                .bind(draft.body_source.as_str())
                .bind(draft.html.as_str())
                .bind(published)
                .bind(search_text.as_str())
                .fetch_one(pool)
                .await?
        });
        self.reply_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    pub async fn reply_by_id(&self, id: i64) -> Result<Option<Reply>> {
        let row: Option<ReplyRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(REPLY_BY_ID).bind(id).fetch_optional(pool).await?
        });
        row.map(ReplyRow::into_reply).transpose()
    }

    /// Every reply of an item (placeholders included), in posting order: a parent always
    /// comes before its answers.
    pub async fn replies_for(&self, target: ReplyTarget) -> Result<Vec<Reply>> {
        let (sql, id) = match target {
            ReplyTarget::Article(id) => (REPLIES_FOR_ARTICLE, id),
            ReplyTarget::Entry(id) => (REPLIES_FOR_ENTRY, id),
        };
        let rows: Vec<ReplyRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(sql).bind(id).fetch_all(pool).await?
        });
        rows.into_iter().map(ReplyRow::into_reply).collect()
    }

    /// Every reply `member_id` wrote and did not delete, oldest first.
    pub async fn replies_written_by(&self, member_id: i64) -> Result<Vec<Reply>> {
        let rows: Vec<ReplyRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(REPLIES_WRITTEN_BY).bind(member_id).fetch_all(pool).await?
        });
        rows.into_iter().map(ReplyRow::into_reply).collect()
    }

    /// What the author typed for a reply (for the edit form); `None` once deleted.
    pub async fn reply_source(&self, id: i64) -> Result<Option<String>> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_scalar(REPLY_SOURCE).bind(id).fetch_optional(pool).await?
        }))
    }

    /// Rewrites `member_id`'s reply `id`. [`StoreError::NotFound`] unless it is theirs and
    /// not deleted.
    pub async fn update_reply(&self, id: i64, member_id: i64, draft: &ReplyDraft) -> Result<Reply> {
        let search_text = searchable_text(&draft.html);
        let done = on_pool!(&self.db, pool => {
            sqlx::query(UPDATE_REPLY)
                .bind(id)
                .bind(member_id)
                .bind(draft.format.as_str())
                .bind(draft.body_source.as_str())
                .bind(draft.html.as_str())
                .bind(crate::now())
                .bind(search_text.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.reply_by_id(id).await?.ok_or(StoreError::NotFound)
    }

    /// Deletes `member_id`'s reply `id`: a reply with answers becomes a placeholder (so the
    /// thread still reads); one without is removed, and so is each placeholder above it that
    /// is left without answers. [`StoreError::NotFound`] unless it is theirs and not deleted.
    pub async fn delete_reply(&self, id: i64, member_id: i64) -> Result<ReplyRemoval> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let owner: Option<(i64, Option<i64>, bool)> =
                sqlx::query_as(REPLY_OWNER).bind(id).fetch_optional(&mut *tx).await?;
            let Some((owner, mut parent, deleted)) = owner else {
                return Err(StoreError::NotFound);
            };
            if owner != member_id || deleted {
                return Err(StoreError::NotFound);
            }
            let answered: bool = sqlx::query_scalar(HAS_ANSWERS).bind(id).fetch_one(&mut *tx).await?;
            if answered {
                sqlx::query(BLANK_REPLY).bind(id).execute(&mut *tx).await?;
                tx.commit().await?;
                return Ok(ReplyRemoval::Placeholder);
            }
            sqlx::query(DELETE_REPLY).bind(id).execute(&mut *tx).await?;
            // A placeholder was kept only for its answers.
            while let Some(up) = parent {
                let row: Option<(i64, Option<i64>, bool)> =
                    sqlx::query_as(REPLY_OWNER).bind(up).fetch_optional(&mut *tx).await?;
                let Some((_, above, true)) = row else { break };
                let answered: bool =
                    sqlx::query_scalar(HAS_ANSWERS).bind(up).fetch_one(&mut *tx).await?;
                if answered {
                    break;
                }
                sqlx::query(DELETE_REPLY).bind(up).execute(&mut *tx).await?;
                parent = above;
            }
            tx.commit().await?;
            Ok(ReplyRemoval::Removed)
        })
    }

    /// Opens or closes a member's diary to replies.
    pub async fn set_replies_open(&self, member_id: i64, open: bool) -> Result<()> {
        let done = on_pool!(&self.db, pool => {
            sqlx::query(SET_REPLIES_OPEN).bind(member_id).bind(open).execute(pool).await?.rows_affected()
        });
        if done == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}
