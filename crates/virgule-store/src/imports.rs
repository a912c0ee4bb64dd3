//! Posts and comments imported from a WordPress export (`virgule import wxr`), written so
//! that importing the same export again updates what the first import made (migration 0015
//! remembers what each post and comment became). A published post is an entry of the
//! member's diary; a draft, pending or private post is kept aside, shown nowhere; an approved
//! comment is a reply under its entry, by a named guest.
//!
//! Each call is one transaction over a batch of posts: the importer (virgule-site) has read
//! and checked the whole export before it writes the first batch.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};

use crate::db::{Conn, Db};
use crate::entries::{NewEntryRow, UNCOUNT_ENTRY, append_entries, replace_entry_tags};
use crate::search::searchable_text;
use crate::{Result, Store};

/// A post as the importer made it: sanitized HTML, tags by the site's rules.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedPost {
    /// Its id in the export.
    pub wp_id: i64,
    /// Published: an entry. Otherwise kept aside, with its WordPress `status`.
    pub public: bool,
    pub status: String,
    pub title: String,
    pub html: String,
    pub tags: Vec<String>,
    pub published: DateTime<Utc>,
    /// Approved comments, parents before their answers.
    pub comments: Vec<ImportedComment>,
}

/// An approved comment, as a guest's reply.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedComment {
    pub wp_id: i64,
    /// The comment it answers, by its id in the export.
    pub parent_wp_id: Option<i64>,
    pub author: String,
    pub author_url: Option<String>,
    pub published: DateTime<Utc>,
    pub html: String,
}

/// What one import call changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub entries_created: u64,
    pub entries_updated: u64,
    /// Posts kept aside (not published), new or updated.
    pub kept_aside: u64,
    /// Entries removed because their post is no longer published in the export.
    pub unpublished: u64,
    pub replies_created: u64,
    pub replies_updated: u64,
}

impl std::ops::AddAssign for ImportCounts {
    fn add_assign(&mut self, other: Self) {
        self.entries_created += other.entries_created;
        self.entries_updated += other.entries_updated;
        self.kept_aside += other.kept_aside;
        self.unpublished += other.unpublished;
        self.replies_created += other.replies_created;
        self.replies_updated += other.replies_updated;
    }
}

const KNOWN_POST: &str = "SELECT entry_id FROM imported_posts \
     WHERE member_id = $1 AND source = $2 AND wp_id = $3";

/// What a post became: its entry (published) or its text (kept aside).
const REMEMBER_POST: &str = "INSERT INTO imported_posts \
     (member_id, source, wp_id, entry_id, status, title, html, tags, published_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
     ON CONFLICT (member_id, source, wp_id) DO UPDATE SET entry_id = excluded.entry_id, \
     status = excluded.status, title = excluded.title, html = excluded.html, \
     tags = excluded.tags, published_at = excluded.published_at";

/// An imported post's entry, rewritten; its number, date and place in the recent log stay.
const UPDATE_IMPORTED_ENTRY: &str = "UPDATE entries SET title = $2, format = 'html', \
     body_source = $3, html = $3, search_text = $4, updated_at = $5 \
     WHERE id = $1 AND member_id = $6";

const REMOVE_ENTRY: &str = "DELETE FROM entries WHERE id = $1 AND member_id = $2";

const KNOWN_COMMENTS: &str = "SELECT wp_id, reply_id FROM imported_comments WHERE entry_id = $1";

const CREATE_GUEST_REPLY: &str = "INSERT INTO replies (entry_id, parent_id, member_id, format, \
     body_source, html, published_at, updated_at, search_text, guest_name, guest_url) \
     VALUES ($1, $2, $3, 'html', $4, $4, $5, $5, $6, $7, $8) RETURNING id";

const UPDATE_GUEST_REPLY: &str = "UPDATE replies SET body_source = $2, html = $2, \
     search_text = $3, guest_name = $4, guest_url = $5 WHERE id = $1 AND NOT deleted";

const REMEMBER_COMMENT: &str =
    "INSERT INTO imported_comments (entry_id, wp_id, reply_id) VALUES ($1, $2, $3)";

impl Store {
    /// Imports `posts` of the export `source` (the blog's address) into member
    /// `member_id`'s diary, in one transaction: a post seen before updates what it became,
    /// a new one is created (new entries are numbered in the order given).
    pub async fn import_posts(
        &self,
        member_id: i64,
        source: &str,
        posts: &[ImportedPost],
    ) -> Result<ImportCounts> {
        let now = crate::now().trunc_subsecs(6);
        let _queued = match self.db {
            Db::Sqlite(_) => Some(self.ingest_writer.lock().await),
            Db::Postgres(_) => None,
        };
        crate::db::on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let mut counts = ImportCounts::default();
            // Each post's entry, once known: existing, or created below.
            let mut entry_of: Vec<Option<i64>> = Vec::with_capacity(posts.len());
            let mut creates: Vec<usize> = Vec::new();
            for (i, post) in posts.iter().enumerate() {
                let known: Option<Option<i64>> = sqlx::query_scalar(KNOWN_POST)
                    .bind(member_id)
                    .bind(source)
                    .bind(post.wp_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let entry = known.flatten();
                match (post.public, entry) {
                    (true, Some(id)) => {
                        let done = sqlx::query(UPDATE_IMPORTED_ENTRY)
                            .bind(id)
                            .bind(&post.title)
                            .bind(&post.html)
                            .bind(searchable_text(&post.html))
                            .bind(now)
                            .bind(member_id)
                            .execute(&mut *tx)
                            .await?
                            .rows_affected();
                        replace_entry_tags(Conn::from(&mut *tx), id, member_id, &post.tags)
                            .await?;
                        counts.entries_updated += done;
                        entry_of.push(Some(id));
                    }
                    (true, None) => {
                        creates.push(i);
                        entry_of.push(None);
                    }
                    (false, entry) => {
                        if let Some(id) = entry {
                            let removed = sqlx::query(REMOVE_ENTRY)
                                .bind(id)
                                .bind(member_id)
                                .execute(&mut *tx)
                                .await?
                                .rows_affected();
                            if removed > 0 {
                                sqlx::query(UNCOUNT_ENTRY).bind(member_id).execute(&mut *tx).await?;
                                counts.unpublished += 1;
                            }
                        }
                        counts.kept_aside += 1;
                        entry_of.push(None);
                    }
                }
            }
            if !creates.is_empty() {
                let rows: Vec<NewEntryRow<'_>> = creates
                    .iter()
                    .map(|&i| {
                        let post = &posts[i];
                        NewEntryRow {
                            title: &post.title,
                            format: "html",
                            body_source: &post.html,
                            html: &post.html,
                            published_at: post.published,
                            updated_at: post.published,
                            sort_at: post.published,
                            in_recentlog: true,
                            syndicated_feed: None,
                            syndicated_url: None,
                            tags: &post.tags,
                        }
                    })
                    .collect();
                let (_, ids) = append_entries(Conn::from(&mut *tx), member_id, &rows).await?;
                for (&i, id) in creates.iter().zip(ids) {
                    entry_of[i] = Some(id);
                }
                counts.entries_created += creates.len() as u64;
            }
            for (post, entry) in posts.iter().zip(&entry_of) {
                let (status, title, html, tags, published) = if post.public {
                    ("publish", "", "", String::new(), None)
                } else {
                    (
                        post.status.as_str(),
                        post.title.as_str(),
                        post.html.as_str(),
                        post.tags.join(","),
                        Some(post.published.trunc_subsecs(6)),
                    )
                };
                sqlx::query(REMEMBER_POST)
                    .bind(member_id)
                    .bind(source)
                    .bind(post.wp_id)
                    .bind(*entry)
                    .bind(status)
                    .bind(title)
                    .bind(html)
                    .bind(tags)
                    .bind(published)
                    .execute(&mut *tx)
                    .await?;
                let Some(entry) = *entry else { continue };
                if post.comments.is_empty() {
                    continue;
                }
                let known: Vec<(i64, i64)> =
                    sqlx::query_as(KNOWN_COMMENTS).bind(entry).fetch_all(&mut *tx).await?;
                let mut reply_of: HashMap<i64, i64> = known.into_iter().collect();
                for comment in &post.comments {
                    let text = searchable_text(&comment.html);
                    if let Some(&reply) = reply_of.get(&comment.wp_id) {
                        sqlx::query(UPDATE_GUEST_REPLY)
                            .bind(reply)
                            .bind(&comment.html)
                            .bind(&text)
                            .bind(&comment.author)
                            .bind(&comment.author_url)
                            .execute(&mut *tx)
                            .await?;
                        counts.replies_updated += 1;
                        continue;
                    }
                    let parent = comment.parent_wp_id.and_then(|p| reply_of.get(&p).copied());
                    let reply: i64 = sqlx::query_scalar(CREATE_GUEST_REPLY)
                        .bind(entry)
                        .bind(parent)
                        .bind(member_id)
                        .bind(&comment.html)
                        .bind(comment.published.trunc_subsecs(6))
                        .bind(&text)
                        .bind(&comment.author)
                        .bind(&comment.author_url)
                        .fetch_one(&mut *tx)
                        .await?;
                    sqlx::query(REMEMBER_COMMENT)
                        .bind(entry)
                        .bind(comment.wp_id)
                        .bind(reply)
                        .execute(&mut *tx)
                        .await?;
                    reply_of.insert(comment.wp_id, reply);
                    counts.replies_created += 1;
                }
            }
            tx.commit().await?;
            Ok(counts)
        })
    }
}
