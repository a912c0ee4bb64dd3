//! What one `<item>` of an export becomes: a post with its comments, or a note of what was
//! skipped. The rules for dates, categories and comments live here.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDateTime, Utc};

use super::{Channel, Element, Ns, content_to_html, non_empty};
use crate::xml::decode_html_references;

/// One item of an export.
// Records are made one at a time and moved straight to the caller, and most are posts:
// boxing the post would cost an allocation per post to save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Post(Post),
    /// An item that is not a blog post: `kind` is its `wp:post_type` (`page`, `attachment`,
    /// `nav_menu_item`, a plugin's own type…), so the caller can count what it left behind.
    Skipped {
        kind: String,
        wp_id: Option<u64>,
    },
}

/// A blog post (`wp:post_type` `post`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Post {
    /// `wp:post_id`: the post's number on the old site.
    pub wp_id: u64,
    /// The title as plain text, entities decoded.
    pub title: String,
    /// `wp:post_name`, the post's slug ("" for drafts WordPress never named).
    pub slug: String,
    /// The post's address on the old site.
    pub link: Option<String>,
    pub status: PostStatus,
    /// When it was published: `wp:post_date_gmt`; for drafts, which WordPress writes as
    /// `0000-00-00 00:00:00`, `wp:post_date` read as UTC (it is the blog's local time, a
    /// known approximation), then `pubDate`.
    pub published: Option<DateTime<Utc>>,
    /// `content:encoded` through [`content_to_html`]: HTML, not yet sanitized.
    pub content_html: String,
    /// `excerpt:encoded` through [`content_to_html`], if the author wrote one.
    pub excerpt: Option<String>,
    /// The post's tags (`<category domain="post_tag">`), in order, without repeats.
    pub tags: Vec<String>,
    /// The post's categories, each followed by its ancestors (nearest first), in order,
    /// without repeats. WordPress's default category, `uncategorized`, is left out: every
    /// post nobody filed carries it, and no one means it as a topic.
    pub categories: Vec<String>,
    /// Approved comments, pingbacks and trackbacks left out, in the export's order.
    pub comments: Vec<Comment>,
    /// Comments not imported: unapproved, spam, trashed, pingbacks, trackbacks, or
    /// without a readable date.
    pub comments_skipped: usize,
}

/// `wp:status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostStatus {
    Publish,
    Draft,
    Pending,
    Private,
    Future,
    /// Anything else WordPress or a plugin wrote (`trash`, `inherit`…), as written.
    Other(String),
}

impl PostStatus {
    fn parse(status: &str) -> PostStatus {
        match status.trim() {
            "publish" => PostStatus::Publish,
            "draft" | "auto-draft" => PostStatus::Draft,
            "pending" => PostStatus::Pending,
            "private" => PostStatus::Private,
            "future" => PostStatus::Future,
            other => PostStatus::Other(other.to_string()),
        }
    }

    /// Whether the post was public on the old site: only published posts were.
    pub fn is_public(&self) -> bool {
        matches!(self, PostStatus::Publish)
    }
}

/// An approved comment on a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub wp_id: u64,
    /// The comment this one answers (`wp:comment_parent`), if any.
    pub parent_wp_id: Option<u64>,
    /// The commenter's name as plain text.
    pub author: String,
    pub author_url: Option<String>,
    /// `wp:comment_date_gmt`, else `wp:comment_date` read as UTC.
    pub published: DateTime<Utc>,
    /// `wp:comment_content` through [`content_to_html`].
    pub content_html: String,
}

/// Turns an `<item>` into a record, or says in words why it cannot be one.
pub(super) fn from_item(item: &Element, channel: &Channel) -> Result<Record, String> {
    let wp_text = |name: &str| item.child_text(Ns::Wp, name).trim();
    let kind = match wp_text("post_type") {
        "" if channel.wxr_version.is_none() => {
            return Err("this is not a WordPress export: an <item> has no wp:post_type and the \
                        channel no wp:wxr_version (an RSS feed, perhaps?)"
                .to_string());
        }
        // WordPress's importer reads a missing type as a post.
        "" => "post",
        kind => kind,
    };
    let id = wp_text("post_id");
    let wp_id = id.parse::<u64>().ok();
    if kind != "post" {
        return Ok(Record::Skipped { kind: kind.to_string(), wp_id });
    }
    let Some(wp_id) = wp_id else {
        return Err(if id.is_empty() {
            "a post has no wp:post_id".to_string()
        } else {
            format!("a post's wp:post_id {id:?} is not a number")
        });
    };

    let published = wordpress_date(wp_text("post_date_gmt"))
        .or_else(|| wordpress_date(wp_text("post_date")))
        .or_else(|| {
            DateTime::parse_from_rfc2822(item.child_text(Ns::None, "pubDate").trim())
                .ok()
                .map(|d| d.with_timezone(&Utc))
        });
    let (tags, categories) = terms(item, channel);
    let (comments, comments_skipped) = comments(item);
    let excerpt = non_empty(item.child_text(Ns::Excerpt, "encoded")).map(|e| content_to_html(&e));
    Ok(Record::Post(Post {
        wp_id,
        title: decode_html_references(item.child_text(Ns::None, "title").trim()),
        slug: wp_text("post_name").to_string(),
        link: non_empty(item.child_text(Ns::None, "link")),
        status: PostStatus::parse(wp_text("status")),
        published,
        content_html: content_to_html(item.child_text(Ns::Content, "encoded")),
        excerpt: excerpt.filter(|e| !e.is_empty()),
        tags,
        categories,
        comments,
        comments_skipped,
    }))
}

/// WordPress's `YYYY-MM-DD HH:MM:SS`, read as UTC; `0000-00-00 00:00:00` (never set) is none.
fn wordpress_date(text: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").ok().map(|d| d.and_utc())
}

/// The item's tags and categories, each list without repeats, in the item's order;
/// every category followed by its ancestors as the channel declares them.
fn terms(item: &Element, channel: &Channel) -> (Vec<String>, Vec<String>) {
    let mut tags = Unique::default();
    let mut categories = Unique::default();
    let terms: Vec<&Element> =
        item.children.iter().filter(|c| c.ns == Ns::None && c.name == "category").collect();
    // WXR 1.0 also repeats each term as a bare <category> (RSS's own, tags included);
    // only when no term has a domain are the bare ones all there is to go on.
    let any_domain = terms.iter().any(|t| t.attr("domain").is_some());
    for term in terms {
        let name = decode_html_references(term.text.trim());
        match term.attr("domain") {
            Some("post_tag") | Some("tag") => tags.push(name),
            Some("category") => {
                let nicename = term.attr("nicename").unwrap_or("");
                if nicename == "uncategorized" {
                    continue;
                }
                categories.push(name);
                let mut seen = HashSet::from([nicename]);
                let mut next =
                    channel.categories.get(nicename).and_then(|c| c.parent_nicename.as_deref());
                // The parents' chain, stopping at a loop a hand-edited file might contain.
                while let Some(parent) = next.filter(|p| seen.insert(*p)) {
                    let Some(category) = channel.categories.get(parent) else { break };
                    categories.push(category.name.clone());
                    next = category.parent_nicename.as_deref();
                }
            }
            None if !any_domain && !name.eq_ignore_ascii_case("uncategorized") => {
                categories.push(name)
            }
            _ => {}
        }
    }
    (tags.0, categories.0)
}

#[derive(Default)]
struct Unique(Vec<String>);

impl Unique {
    fn push(&mut self, name: String) {
        if !name.is_empty() && !self.0.contains(&name) {
            self.0.push(name);
        }
    }
}

/// The approved, non-ping comments, and how many others there were.
fn comments(item: &Element) -> (Vec<Comment>, usize) {
    let mut kept = Vec::new();
    let mut skipped = 0;
    for c in item.children.iter().filter(|c| c.ns == Ns::Wp && c.name == "comment") {
        let text = |name: &str| c.child_text(Ns::Wp, name).trim();
        let approved = text("comment_approved") == "1";
        let ping = matches!(text("comment_type"), "pingback" | "trackback" | "pings");
        let wp_id = text("comment_id").parse::<u64>().ok();
        let published = wordpress_date(text("comment_date_gmt"))
            .or_else(|| wordpress_date(text("comment_date")));
        match (approved && !ping, wp_id, published) {
            (true, Some(wp_id), Some(published)) => kept.push(Comment {
                wp_id,
                parent_wp_id: text("comment_parent").parse::<u64>().ok().filter(|&p| p != 0),
                author: decode_html_references(text("comment_author")),
                author_url: non_empty(text("comment_author_url")),
                published,
                content_html: content_to_html(c.child_text(Ns::Wp, "comment_content")),
            }),
            _ => skipped += 1,
        }
    }
    (kept, skipped)
}
