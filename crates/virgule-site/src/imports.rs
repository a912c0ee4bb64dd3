//! Bringing a blog in: a WordPress export (WXR 1.0–1.2, `virgule import wxr FILE --user
//! NAME`) becomes entries of the member's diary (docs/design.md §8). The export is read
//! twice, streaming ([`virgule_import::wxr`]): once to check all of it, so that a malformed
//! file stops with its line and reason before anything is written ([`check_wxr`]); then to
//! import it in batches ([`Site::import_wxr`]). Importing the same export again updates what
//! the first import made (the store remembers each post and comment).
//!
//! Published posts become entries dated by `post_date_gmt`, their HTML sanitized with links
//! and images resolved against the post's address (so they keep pointing at the old blog);
//! tags and categories (with their parents) become tags by the feeds' rule; approved comments
//! become replies by named guests. Drafts, pending, private and scheduled posts are kept,
//! not shown. Pages, attachments, menu items and other types are skipped and counted.

use std::collections::{BTreeMap, HashSet};
use std::io::BufRead;

use virgule_import::wxr::{Comment, Post, PostStatus, Record, WxrReader};
use virgule_store::tags;
use virgule_store::{ImportCounts, ImportedComment, ImportedPost};

use crate::error::{SiteError, SiteResult};
use crate::{Site, rules};

/// Posts written per transaction.
const BATCH: usize = 200;
/// A guest's name is cut to this many characters.
const MAX_GUEST_NAME_CHARS: usize = 100;

/// What an export holds, and what importing it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WxrSummary {
    /// Posts read (of type `post`), published or not.
    pub posts: u64,
    /// Of those, published.
    pub published: u64,
    /// Approved comments on published posts.
    pub comments: u64,
    /// Comments left out (unapproved, spam, pingbacks, trackbacks).
    pub comments_skipped: u64,
    /// Items of other types, by type (`page`, `attachment`, `nav_menu_item`, …).
    pub skipped: BTreeMap<String, u64>,
    /// What the import wrote (zero after a check alone).
    pub counts: ImportCounts,
}

/// A refusal naming the export's line.
fn malformed(error: &virgule_import::wxr::WxrError) -> SiteError {
    SiteError::bad_input("bad_import", format!("line {}: {}", error.line, error.reason))
}

/// Reads the whole export without writing anything: its summary, or the first problem with
/// its line.
pub fn check_wxr(reader: impl BufRead) -> SiteResult<WxrSummary> {
    let mut tally = Tally::default();
    for record in WxrReader::new(reader) {
        tally.count(&record.map_err(|e| malformed(&e))?)?;
    }
    Ok(tally.summary)
}

/// What a pass over the export has read so far.
#[derive(Default)]
struct Tally {
    summary: WxrSummary,
    /// The posts' ids, each of which an export has once.
    posts: HashSet<u64>,
}

impl Tally {
    /// Counts `record` in; a post whose id came before is refused (a file made of two
    /// exports, or edited by hand), since which of the two is meant cannot be told.
    fn count(&mut self, record: &Record) -> SiteResult<()> {
        if let Record::Post(post) = record
            && !self.posts.insert(post.wp_id)
        {
            return Err(SiteError::bad_input(
                "bad_import",
                format!("post {} appears twice in the export", post.wp_id),
            ));
        }
        count(&mut self.summary, record);
        Ok(())
    }
}

fn count(summary: &mut WxrSummary, record: &Record) {
    match record {
        Record::Post(post) => {
            summary.posts += 1;
            if post.status.is_public() {
                summary.published += 1;
                summary.comments += post.comments.len() as u64;
            }
            summary.comments_skipped += post.comments_skipped as u64;
        }
        Record::Skipped { kind, .. } => *summary.skipped.entry(kind.clone()).or_default() += 1,
    }
}

fn status_name(status: &PostStatus) -> &str {
    match status {
        PostStatus::Publish => "publish",
        PostStatus::Draft => "draft",
        PostStatus::Pending => "pending",
        PostStatus::Private => "private",
        PostStatus::Future => "future",
        PostStatus::Other(other) => other,
    }
}

/// A post as the store keeps it: title on one line and cut to the site's length, HTML
/// sanitized against `base` (the post's address, else the blog's), tags and categories by
/// the feeds' tag rule, undated posts dated `now`. Pure.
pub fn imported_post(post: Post, base: &str, now: chrono::DateTime<chrono::Utc>) -> ImportedPost {
    let base = post.link.as_deref().unwrap_or(base);
    let title = post.title.split_whitespace().collect::<Vec<_>>().join(" ");
    let title: String = title.chars().take(rules::MAX_TITLE_CHARS).collect();
    let raw_tags: Vec<String> = post.tags.iter().chain(&post.categories).cloned().collect();
    let public = post.status.is_public();
    ImportedPost {
        wp_id: i64::try_from(post.wp_id).unwrap_or(i64::MAX),
        public,
        status: status_name(&post.status).to_owned(),
        title,
        html: virgule_html::sanitize_with_base(&post.content_html, base),
        tags: tags::from_feed(&raw_tags),
        published: post.published.unwrap_or(now),
        comments: if public {
            // A comment id given twice is kept once, as first given.
            let mut seen = HashSet::new();
            post.comments
                .into_iter()
                .filter(|comment| seen.insert(comment.wp_id))
                .map(imported_comment)
                .collect()
        } else {
            Vec::new()
        },
    }
}

fn imported_comment(comment: Comment) -> ImportedComment {
    let author = comment.author.split_whitespace().collect::<Vec<_>>().join(" ");
    let author: String = author.chars().take(MAX_GUEST_NAME_CHARS).collect();
    ImportedComment {
        wp_id: i64::try_from(comment.wp_id).unwrap_or(i64::MAX),
        parent_wp_id: comment.parent_wp_id.and_then(|p| i64::try_from(p).ok()),
        author: if author.is_empty() { "Anonymous".to_owned() } else { author },
        // Only an address the profile rule would take (http or https, bounded).
        author_url: comment
            .author_url
            .and_then(|url| rules::homepage(&url).ok())
            .filter(|url| !url.is_empty()),
        published: comment.published,
        html: virgule_html::sanitize(&comment.content_html),
    }
}

/// Batches the reader hands the writer ahead of time: enough for the two to overlap, few
/// enough that memory stays flat whatever the export's size.
const BATCHES_AHEAD: usize = 2;

/// Reads the export on its own thread, handing batches of posts, ready to store, to `batches`:
/// reading and sanitizing overlap the database's writing. Returns what it read.
fn read_batches(
    mut records: WxrReader<impl BufRead>,
    base: &str,
    batches: &tokio::sync::mpsc::Sender<Vec<ImportedPost>>,
) -> SiteResult<WxrSummary> {
    let now = chrono::Utc::now();
    let mut tally = Tally::default();
    let mut batch: Vec<ImportedPost> = Vec::with_capacity(BATCH);
    while let Some(record) = records.next().transpose().map_err(|e| malformed(&e))? {
        tally.count(&record)?;
        if let Record::Post(post) = record {
            batch.push(imported_post(post, base, now));
        }
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if batches.blocking_send(full).is_err() {
                // The writer stopped on an error of its own, which is the one to report.
                return Ok(tally.summary);
            }
        }
    }
    if !batch.is_empty() {
        let _ = batches.blocking_send(batch);
    }
    Ok(tally.summary)
}

impl Site {
    /// Imports the export `reader` reads into member `name`'s diary, in batches; `progress`
    /// hears the number of posts written so far after each batch. Check the export first
    /// ([`check_wxr`]): a problem found here stops the import with what was written so far
    /// kept, and importing again completes it.
    pub async fn import_wxr(
        &self,
        name: &str,
        reader: impl BufRead + Send + 'static,
        mut progress: impl FnMut(u64),
    ) -> SiteResult<WxrSummary> {
        let member = self.member_named(name).await?;
        let records = WxrReader::new(reader);
        let channel = records.channel();
        let base =
            channel.base_blog_url.clone().or_else(|| channel.link.clone()).unwrap_or_default();
        // The blog an export is from, so that two blogs' posts never meet.
        let source = if base.is_empty() { channel.title.clone() } else { base.clone() };
        let (sender, mut batches) = tokio::sync::mpsc::channel(BATCHES_AHEAD);
        let reading = tokio::task::spawn_blocking(move || read_batches(records, &base, &sender));
        let mut counts = ImportCounts::default();
        let mut written = 0;
        while let Some(batch) = batches.recv().await {
            counts += self.store.import_posts(member.id, &source, &batch).await?;
            written += batch.len() as u64;
            progress(written);
        }
        let mut summary = reading.await.map_err(|e| {
            tracing::error!(error = %e, "the export's reader stopped");
            SiteError::internal()
        })??;
        summary.counts = counts;
        Ok(summary)
    }
}
