//! Posts and comments imported from a WordPress export (`virgule import wxr`), written so
//! that importing the same export again updates what the first import made (migration 0015
//! remembers what each post and comment became). A published post is an entry of the
//! member's diary; a draft, pending or private post is kept aside, shown nowhere; an approved
//! comment is a reply under its entry, by a named guest.
//!
//! Each call is one transaction over a batch of posts: the importer (virgule-site) has read
//! and checked the whole export before it writes the first batch. A batch takes a handful of
//! statements, whatever its size, for what a first import writes (posts looked up, entries,
//! tags, replies and what each post became are multi-row); only updating what an earlier
//! import wrote goes post by post.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};

use crate::db::{Conn, Db};
use crate::entries::{
    BUMP_DIARY_VERSION, NewEntryRow, UNCOUNT_ENTRY, append_entries, replace_entry_tags, tag_set,
};
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

/// A post an import kept aside (a draft, pending, private or scheduled post): shown nowhere,
/// but its member's own, in their export.
#[derive(Debug, Clone, PartialEq)]
pub struct KeptPost {
    /// The blog it came from (the export's address).
    pub source: String,
    /// WordPress's status: `draft`, `pending`, `private`, `future`, ...
    pub status: String,
    pub title: String,
    /// Sanitized, as an entry's.
    pub html: String,
    /// As the tag rule made them.
    pub tags: Vec<String>,
    /// Its date in the export, if it had one.
    pub published_at: Option<DateTime<Utc>>,
}

/// What one import call changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub entries_created: u64,
    pub entries_updated: u64,
    /// Entries an earlier import made, found as the export has them.
    pub entries_unchanged: u64,
    /// Posts kept aside (not published), new or updated.
    pub kept_aside: u64,
    /// Entries removed because their post is no longer published in the export.
    pub unpublished: u64,
    pub replies_created: u64,
    pub replies_updated: u64,
    pub replies_unchanged: u64,
}

impl std::ops::AddAssign for ImportCounts {
    fn add_assign(&mut self, other: Self) {
        self.entries_created += other.entries_created;
        self.entries_updated += other.entries_updated;
        self.entries_unchanged += other.entries_unchanged;
        self.kept_aside += other.kept_aside;
        self.unpublished += other.unpublished;
        self.replies_created += other.replies_created;
        self.replies_updated += other.replies_updated;
        self.replies_unchanged += other.replies_unchanged;
    }
}

/// Rows per multi-row statement: at most 9 parameters each, far below both backends' limits.
const ROWS_PER_STATEMENT: usize = 500;

/// A kept post's tags are stored in one column, joined by this: a control character, which
/// no tag holds (`tags::normalize`), where a comma may be in one ("life, the universe").
const KEPT_TAGS_SEPARATOR: &str = "\u{1f}";

/// A member's kept posts, oldest first (undated ones last).
const KEPT_POSTS: &str = "SELECT source, status, title, html, tags, published_at \
     FROM imported_posts WHERE member_id = $1 AND entry_id IS NULL AND status <> 'publish' \
     ORDER BY published_at IS NULL, published_at, source, wp_id";

/// What the batch's posts became in an earlier import, `(wp_id, entry_id)`: the member, the
/// source and the ids follow.
const KNOWN_POSTS_HEAD: &str = "SELECT wp_id, entry_id FROM imported_posts WHERE member_id = ";

/// What posts became: their entry (published) or their text (kept aside); the rows follow.
const REMEMBER_POSTS_HEAD: &str = "INSERT INTO imported_posts \
     (member_id, source, wp_id, entry_id, status, title, html, tags, published_at) ";

const REMEMBER_POSTS_TAIL: &str = " ON CONFLICT (member_id, source, wp_id) DO UPDATE \
     SET entry_id = excluded.entry_id, status = excluded.status, title = excluded.title, \
     html = excluded.html, tags = excluded.tags, published_at = excluded.published_at";

/// An imported post's entry, rewritten if the export has it otherwise (a rewrite is shown as
/// an edit and re-indexed); its number, date and place in the recent log stay.
const UPDATE_IMPORTED_ENTRY: &str = "UPDATE entries SET title = $2, format = 'html', \
     body_source = $3, html = $3, search_text = $4, updated_at = $5 \
     WHERE id = $1 AND member_id = $6 \
     AND (title <> $2 OR body_source <> $3 OR format <> 'html')";

/// The tags of entries an earlier import made, `(entry_id, tag)`: the entry ids follow.
const IMPORTED_ENTRY_TAGS: &str = "SELECT entry_id, tag FROM entry_tags WHERE entry_id IN ";

const REMOVE_ENTRY: &str = "DELETE FROM entries WHERE id = $1 AND member_id = $2";

/// The replies earlier imports made under some entries: `(entry_id, imported_id, id)`; the
/// entry ids follow.
const KNOWN_COMMENTS: &str = "SELECT entry_id, imported_id, id FROM replies \
     WHERE imported_id IS NOT NULL AND entry_id IN ";

const CREATE_GUEST_REPLIES_HEAD: &str = "INSERT INTO replies (entry_id, imported_id, \
     parent_id, member_id, format, body_source, html, published_at, updated_at, search_text, \
     guest_name, guest_url) ";

const CREATE_GUEST_REPLIES_TAIL: &str = " RETURNING id, entry_id, imported_id";

/// A reply an earlier import made, rewritten if the export has it otherwise.
const UPDATE_GUEST_REPLY: &str = "UPDATE replies SET body_source = $2, html = $2, \
     search_text = $3, guest_name = $4, guest_url = $5 WHERE id = $1 AND NOT deleted \
     AND (body_source <> $2 OR guest_name <> $4 OR COALESCE(guest_url, '') <> COALESCE($5, ''))";

/// A comment by the entry it is under and its id in the export.
type CommentKey = (i64, i64);

impl Store {
    /// The posts imports kept aside for member `member_id` ([`KeptPost`]).
    pub async fn kept_posts(&self, member_id: i64) -> Result<Vec<KeptPost>> {
        type Row = (String, String, String, String, String, Option<DateTime<Utc>>);
        let rows: Vec<Row> = crate::db::on_pool!(&self.db, pool => {
            sqlx::query_as(KEPT_POSTS).bind(member_id).fetch_all(pool).await?
        });
        Ok(rows
            .into_iter()
            .map(|(source, status, title, html, tags, published_at)| KeptPost {
                source,
                status,
                title,
                html,
                tags: tags
                    .split(KEPT_TAGS_SEPARATOR)
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect(),
                published_at,
            })
            .collect())
    }

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
            let mut known: HashMap<i64, Option<i64>> = HashMap::new();
            for chunk in posts.chunks(ROWS_PER_STATEMENT) {
                let mut select = sqlx::QueryBuilder::new(KNOWN_POSTS_HEAD);
                select.push_bind(member_id).push(" AND source = ").push_bind(source);
                select.push(" AND wp_id IN ");
                let wp_ids: Vec<i64> = chunk.iter().map(|post| post.wp_id).collect();
                push_id_list(&mut select, &wp_ids);
                let rows: Vec<(i64, Option<i64>)> =
                    select.build_query_as().fetch_all(&mut *tx).await?;
                known.extend(rows);
            }
            // The tags of the entries to update, to rewrite only those that differ.
            let updating: Vec<i64> = posts
                .iter()
                .filter(|post| post.public)
                .filter_map(|post| known.get(&post.wp_id).copied().flatten())
                .collect();
            let mut tags_of: HashMap<i64, Vec<String>> = HashMap::new();
            for chunk in updating.chunks(ROWS_PER_STATEMENT) {
                let mut select = sqlx::QueryBuilder::new(IMPORTED_ENTRY_TAGS);
                push_id_list(&mut select, chunk);
                let rows: Vec<(i64, String)> =
                    select.build_query_as().fetch_all(&mut *tx).await?;
                for (entry, tag) in rows {
                    tags_of.entry(entry).or_default().push(tag);
                }
            }
            // Each post's entry, once known: existing, or created below.
            let mut entry_of: Vec<Option<i64>> = Vec::with_capacity(posts.len());
            let mut creates: Vec<usize> = Vec::new();
            // Entries an earlier import made, whose replies may be known.
            let mut existing: HashSet<i64> = HashSet::new();
            for (i, post) in posts.iter().enumerate() {
                let entry = known.get(&post.wp_id).copied().flatten();
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
                        let mut stored = tags_of.remove(&id).unwrap_or_default();
                        stored.sort_unstable();
                        let retagged = stored != tag_set(&post.tags);
                        if retagged {
                            replace_entry_tags(Conn::from(&mut *tx), id, member_id, &post.tags)
                                .await?;
                        }
                        if done > 0 || retagged {
                            counts.entries_updated += 1;
                        } else {
                            counts.entries_unchanged += 1;
                        }
                        existing.insert(id);
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
            if counts.entries_updated > 0 {
                // What the diary's pages show changed (new entries and removals say so
                // themselves).
                sqlx::query(BUMP_DIARY_VERSION).bind(member_id).execute(&mut *tx).await?;
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
            for chunk in posts.iter().zip(&entry_of).collect::<Vec<_>>().chunks(ROWS_PER_STATEMENT) {
                let mut insert = sqlx::QueryBuilder::new(REMEMBER_POSTS_HEAD);
                insert.push_values(chunk, |mut values, (post, entry)| {
                    let kept = (!post.public).then_some(*post);
                    values
                        .push_bind(member_id)
                        .push_bind(source)
                        .push_bind(post.wp_id)
                        .push_bind(**entry)
                        .push_bind(kept.map_or("publish", |p| p.status.as_str()))
                        .push_bind(kept.map_or("", |p| p.title.as_str()))
                        .push_bind(kept.map_or("", |p| p.html.as_str()))
                        .push_bind(kept.map_or_else(String::new, |p| p.tags.join(KEPT_TAGS_SEPARATOR)))
                        .push_bind(kept.map(|p| p.published.trunc_subsecs(6)));
                });
                insert.push(REMEMBER_POSTS_TAIL);
                insert.build().execute(&mut *tx).await?;
            }

            // Replies: those an earlier import made are updated; new ones are inserted a
            // generation at a time (a comment once the one it answers has its reply).
            let mut reply_of: HashMap<CommentKey, i64> = HashMap::new();
            let existing: Vec<i64> = existing.into_iter().collect();
            for chunk in existing.chunks(ROWS_PER_STATEMENT) {
                let mut select = sqlx::QueryBuilder::new(KNOWN_COMMENTS);
                push_id_list(&mut select, chunk);
                let rows: Vec<(i64, i64, i64)> =
                    select.build_query_as().fetch_all(&mut *tx).await?;
                reply_of.extend(rows.into_iter().map(|(entry, wp, id)| ((entry, wp), id)));
            }
            let mut waiting: Vec<(i64, &ImportedComment)> = Vec::new();
            for (post, entry) in posts.iter().zip(&entry_of) {
                let Some(entry) = *entry else { continue };
                for comment in &post.comments {
                    let Some(&reply) = reply_of.get(&(entry, comment.wp_id)) else {
                        waiting.push((entry, comment));
                        continue;
                    };
                    let done = sqlx::query(UPDATE_GUEST_REPLY)
                        .bind(reply)
                        .bind(&comment.html)
                        .bind(searchable_text(&comment.html))
                        .bind(&comment.author)
                        .bind(&comment.author_url)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if done > 0 {
                        counts.replies_updated += 1;
                    } else {
                        counts.replies_unchanged += 1;
                    }
                }
            }
            while !waiting.is_empty() {
                // A comment waits while the comment it answers is waiting too; one that
                // answers a comment not imported (unapproved, say) starts a thread.
                let pending: HashSet<CommentKey> =
                    waiting.iter().map(|(entry, c)| (*entry, c.wp_id)).collect();
                let (mut ready, mut later): (Vec<_>, Vec<_>) =
                    waiting.into_iter().partition(|(entry, comment)| {
                        comment.parent_wp_id.is_none_or(|p| !pending.contains(&(*entry, p)))
                    });
                if ready.is_empty() {
                    // Only loops are left (a comment answering itself, two answering each
                    // other, as a hand-edited file may have): each starts a thread.
                    std::mem::swap(&mut ready, &mut later);
                }
                waiting = later;
                for chunk in ready.chunks(ROWS_PER_STATEMENT) {
                    let mut insert = sqlx::QueryBuilder::new(CREATE_GUEST_REPLIES_HEAD);
                    insert.push_values(chunk, |mut values, (entry, comment)| {
                        let parent =
                            comment.parent_wp_id.and_then(|p| reply_of.get(&(*entry, p)).copied());
                        let published = comment.published.trunc_subsecs(6);
                        values
                            .push_bind(*entry)
                            .push_bind(comment.wp_id)
                            .push_bind(parent)
                            .push_bind(member_id)
                            .push("'html'")
                            .push_bind(comment.html.as_str())
                            .push_bind(comment.html.as_str())
                            .push_bind(published)
                            .push_bind(published)
                            .push_bind(searchable_text(&comment.html))
                            .push_bind(comment.author.as_str())
                            .push_bind(comment.author_url.as_deref());
                    });
                    insert.push(CREATE_GUEST_REPLIES_TAIL);
                    // `RETURNING` promises no row order: replies are matched by their key.
                    let made: Vec<(i64, i64, i64)> =
                        insert.build_query_as().fetch_all(&mut *tx).await?;
                    counts.replies_created += made.len() as u64;
                    reply_of.extend(made.into_iter().map(|(id, entry, wp)| ((entry, wp), id)));
                }
            }
            tx.commit().await?;
            Ok(counts)
        })
    }
}

/// Appends `(id, id, ...)` to a statement.
fn push_id_list<DB: sqlx::Database>(query: &mut sqlx::QueryBuilder<DB>, ids: &[i64])
where
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query.push("(");
    let mut list = query.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    list.push_unseparated(")");
}
