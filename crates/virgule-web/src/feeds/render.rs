//! Feed text from entries, without I/O: RSS 2.0 and Atom 1.0 through askama's XML-escaping
//! templates (`templates/feeds/`), JSON Feed 1.1 through serde. Every string is made safe for
//! XML first (characters XML 1.0 forbids are dropped), so the output is always well-formed.

use std::borrow::Cow;

use askama::Template;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use virgule_store::{Article, Entry};

use crate::feeds::{article_url, permalink, profile_url};
use crate::pages::view::syndication_line;

/// Characters in a feed's plain-text summary.
pub const SUMMARY_CHARS: usize = 300;
/// Characters of the text used as the title of an untitled entry.
pub const UNTITLED_CHARS: usize = 80;

/// Who wrote an entry (or a whole diary).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedAuthor {
    pub name: String,
    pub url: String,
}

/// What a feed says about itself. URLs are absolute.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedMeta {
    pub title: String,
    pub description: String,
    /// The HTML page the feed mirrors.
    pub home_url: String,
    pub rss_url: String,
    pub atom_url: String,
    pub json_url: String,
    /// The diary's author; `None` for feeds that mix members (each item names its own).
    pub author: Option<FeedAuthor>,
    pub updated: DateTime<Utc>,
}

impl FeedMeta {
    pub fn updated_rfc2822(&self) -> String {
        self.updated.to_rfc2822()
    }
    pub fn updated_rfc3339(&self) -> String {
        rfc3339(self.updated)
    }
}

/// One entry as every feed format shows it: absolute permalink, a title that is never
/// empty, full sanitized HTML with absolute links, and a plain-text summary.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedItem {
    pub url: String,
    pub title: String,
    pub html: String,
    pub summary: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub tags: Vec<String>,
    pub author: FeedAuthor,
}

impl FeedItem {
    /// The feed item of `entry` on the site at `base` (no trailing slash).
    pub fn from_entry(entry: &Entry, base: &str) -> Self {
        let url = permalink(base, &entry.author, entry.number);
        // Relative links in an entry would point at the feed reader's own site: resolve them
        // against the permalink (the HTML is already clean; this only rewrites URLs).
        let mut html = virgule_html::sanitize_with_base(&entry.html, &url);
        let summary = virgule_html::excerpt(&html, SUMMARY_CHARS);
        let title = if !entry.title.trim().is_empty() {
            entry.title.clone()
        } else {
            let text = virgule_html::excerpt(&html, UNTITLED_CHARS);
            if text.is_empty() { format!("Entry {}", entry.number) } else { text }
        };
        // The link stays our permalink; the origin goes into the text, as on the pages, so
        // readers of our feeds see where a syndicated post first appeared.
        if let Some(origin) = &entry.syndicated {
            html.push_str(&syndication_line(origin));
        }
        FeedItem {
            author: FeedAuthor {
                name: entry.author.to_string(),
                url: profile_url(base, &entry.author),
            },
            title: xml_safe(&title).into_owned(),
            html: xml_safe(&html).into_owned(),
            summary: xml_safe(&summary).into_owned(),
            tags: entry.tags.iter().map(|t| xml_safe(t).into_owned()).collect(),
            published: entry.published,
            updated: entry.updated,
            url,
        }
    }

    /// The feed item of `article` on the site at `base`: its lead, then its text.
    pub fn from_article(article: &Article, base: &str) -> Self {
        let url = article_url(base, article.number);
        let lead = virgule_html::sanitize_with_base(&article.lead_html, &url);
        let html = virgule_html::sanitize_with_base(&article.html, &url);
        let summary = virgule_html::excerpt(&lead, SUMMARY_CHARS);
        FeedItem {
            author: FeedAuthor {
                name: article.author.to_string(),
                url: profile_url(base, &article.author),
            },
            title: xml_safe(&article.title).into_owned(),
            html: xml_safe(&format!("{lead}{html}")).into_owned(),
            summary: xml_safe(&summary).into_owned(),
            tags: Vec::new(),
            published: article.published,
            updated: article.updated,
            url,
        }
    }

    pub fn published_rfc2822(&self) -> String {
        self.published.to_rfc2822()
    }
    pub fn published_rfc3339(&self) -> String {
        rfc3339(self.published)
    }
    pub fn updated_rfc3339(&self) -> String {
        rfc3339(self.updated)
    }
}

/// The newest date among the items (`updated`, or `published` should it be later), the
/// feed's own date and its `Last-Modified`.
pub fn latest_update(items: &[FeedItem]) -> Option<DateTime<Utc>> {
    items.iter().map(|i| i.updated.max(i.published)).max()
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Drops the characters XML 1.0 forbids (C0 controls but tab, newline and carriage return;
/// U+FFFE and U+FFFF), which no escaping can carry. Surrogates cannot occur in a `str`.
pub fn xml_safe(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
}

#[derive(Template)]
#[template(path = "feeds/rss.xml")]
struct RssFeed<'a> {
    meta: &'a FeedMeta,
    items: &'a [FeedItem],
}

#[derive(Template)]
#[template(path = "feeds/atom.xml")]
struct AtomFeed<'a> {
    meta: &'a FeedMeta,
    items: &'a [FeedItem],
}

/// RSS 2.0 with `content:encoded` (full HTML), `dc:creator` and `atom:link rel="self"`.
pub fn rss(meta: &FeedMeta, items: &[FeedItem]) -> Result<String, askama::Error> {
    RssFeed { meta, items }.render()
}

/// Atom 1.0; each entry's id is its permalink.
pub fn atom(meta: &FeedMeta, items: &[FeedItem]) -> Result<String, askama::Error> {
    AtomFeed { meta, items }.render()
}

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<&'a FeedAuthor>,
    items: Vec<JsonFeedItem<'a>>,
}

#[derive(Serialize)]
struct JsonFeedItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    summary: &'a str,
    date_published: String,
    date_modified: String,
    tags: &'a [String],
    authors: [&'a FeedAuthor; 1],
}

/// JSON Feed 1.1.
pub fn json_feed(meta: &FeedMeta, items: &[FeedItem]) -> Result<String, serde_json::Error> {
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &meta.title,
        home_page_url: &meta.home_url,
        feed_url: &meta.json_url,
        description: &meta.description,
        authors: meta.author.iter().collect(),
        items: items
            .iter()
            .map(|item| JsonFeedItem {
                id: &item.url,
                url: &item.url,
                title: &item.title,
                content_html: &item.html,
                summary: &item.summary,
                date_published: item.published_rfc3339(),
                date_modified: item.updated_rfc3339(),
                tags: &item.tags,
                authors: [&item.author],
            })
            .collect(),
    };
    serde_json::to_string_pretty(&feed)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::TimeZone;
    use virgule_store::{EntryFormat, MemberName, TrustLevel};

    use super::*;

    fn entry(number: i64, title: &str, html: &str, tags: &[&str]) -> Entry {
        let at =
            Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap() + chrono::Duration::days(number);
        Entry {
            id: number + 1,
            author: MemberName::parse("etbe").unwrap(),
            author_level: TrustLevel::Journeyer,
            number,
            title: title.into(),
            format: EntryFormat::Html,
            html: html.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            published: at,
            updated: at + chrono::Duration::hours(1),
            syndicated: None,
            reply_count: 0,
        }
    }

    fn meta(items: &[FeedItem]) -> FeedMeta {
        FeedMeta {
            title: "Recent blog entries for etbe – Site & <Co>".into(),
            description: "d".into(),
            home_url: "http://x.org/person/etbe/diary.html".into(),
            rss_url: "http://x.org/person/etbe/rss.xml".into(),
            atom_url: "http://x.org/person/etbe/atom.xml".into(),
            json_url: "http://x.org/person/etbe/feed.json".into(),
            author: Some(FeedAuthor {
                name: "etbe".into(),
                url: "http://x.org/person/etbe/".into(),
            }),
            updated: latest_update(items).unwrap(),
        }
    }

    fn hostile_items() -> Vec<FeedItem> {
        vec![
            FeedItem::from_entry(
                &entry(
                    1,
                    "Fish &amp; <b>chips</b> \"now\"",
                    "<p>a ]]> b &amp; c</p>",
                    &["se linux", "a&b"],
                ),
                "http://x.org",
            ),
            FeedItem::from_entry(
                &entry(0, "", "<p>Hello <a href=\"/person/bob/\">bob</a>\u{1}</p>", &[]),
                "http://x.org",
            ),
        ]
    }

    #[test]
    fn items_have_absolute_links_titles_and_summaries() {
        let items = hostile_items();
        assert_eq!(items[0].url, "http://x.org/person/etbe/diary/1.html");
        assert_eq!(items[1].title, "Hello bob");
        assert!(items[1].html.contains("href=\"http://x.org/person/bob/\""), "{}", items[1].html);
        assert!(!items[1].html.contains('\u{1}'));
        assert_eq!(items[0].summary, "a ]]> b & c");
        assert_eq!(latest_update(&items), Some(items[0].updated));
    }

    /// What a feed reader makes of the text: parsing proves it well-formed.
    fn parsed(xml: &str) -> feed_rs::model::Feed {
        feed_rs::parser::parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}: {xml}"))
    }

    #[test]
    fn rss_escapes_everything_and_carries_full_content() {
        let items = hostile_items();
        let xml = rss(&meta(&items), &items).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(!xml.contains("]]>"), "{xml}");
        assert!(xml.contains("<pubDate>Sat, 2 Mar 2024 12:00:00 +0000</pubDate>"), "{xml}");
        assert!(
            xml.contains("<guid isPermaLink=\"true\">http://x.org/person/etbe/diary/1.html</guid>")
        );
        assert!(xml.contains("<dc:creator>etbe</dc:creator>"));
        let feed = parsed(&xml);
        assert_eq!(feed.title.unwrap().content, "Recent blog entries for etbe – Site & <Co>");
        let first = &feed.entries[0];
        assert_eq!(first.title.as_ref().unwrap().content, "Fish &amp; <b>chips</b> \"now\"");
        assert_eq!(
            first.content.as_ref().unwrap().body.as_deref(),
            Some("<p>a ]]&gt; b &amp; c</p>")
        );
        assert_eq!(first.summary.as_ref().unwrap().content, "a ]]> b & c");
        let terms: Vec<_> = first.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, vec!["se linux", "a&b"]);
        assert_eq!(feed.entries.len(), 2);
    }

    #[test]
    fn atom_has_ids_dates_and_html_content() {
        let items = hostile_items();
        let xml = atom(&meta(&items), &items).unwrap();
        assert!(xml.contains("<id>http://x.org/person/etbe/diary/1.html</id>"));
        assert!(xml.contains("<published>2024-03-02T12:00:00Z</published>"), "{xml}");
        assert!(xml.contains("<updated>2024-03-02T13:00:00Z</updated>"));
        assert!(!xml.contains("]]>"), "{xml}");
        let feed = parsed(&xml);
        assert_eq!(feed.updated, Some(items[0].updated));
        assert!(
            feed.links.iter().any(|l| l.rel.as_deref() == Some("self")
                && l.href == "http://x.org/person/etbe/atom.xml")
        );
        let first = &feed.entries[0];
        assert_eq!(first.id, "http://x.org/person/etbe/diary/1.html");
        assert_eq!(first.title.as_ref().unwrap().content, "Fish &amp; <b>chips</b> \"now\"");
        assert_eq!(
            first.content.as_ref().unwrap().body.as_deref(),
            Some("<p>a ]]&gt; b &amp; c</p>")
        );
        assert_eq!(first.published, Some(items[0].published));
        assert_eq!(first.categories[0].term, "se linux");
    }

    #[test]
    fn json_feed_is_version_1_1_with_items() {
        let items = hostile_items();
        let text = json_feed(&meta(&items), &items).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(v["feed_url"], "http://x.org/person/etbe/feed.json");
        assert_eq!(v["items"][0]["title"], "Fish &amp; <b>chips</b> \"now\"");
        assert_eq!(v["items"][0]["date_published"], "2024-03-02T12:00:00Z");
        assert_eq!(v["items"][0]["tags"][0], "se linux");
        assert_eq!(v["items"][1]["authors"][0]["name"], "etbe");
    }

    #[test]
    fn syndicated_items_keep_our_link_and_name_their_origin() {
        let mut syndicated = entry(2, "", "<p>From the blog</p>", &[]);
        syndicated.syndicated = Some(virgule_store::Syndication {
            feed_title: "etbe – Russell Coker".into(),
            original_url: Some("https://etbe.coker.com.au/2024/03/x/".into()),
            at: Utc.with_ymd_and_hms(2024, 3, 3, 1, 2, 3).unwrap(),
        });
        let item = FeedItem::from_entry(&syndicated, "http://x.org");
        assert_eq!(item.url, "http://x.org/person/etbe/diary/2.html");
        assert!(
            item.html.ends_with(
                "<p class=\"syndicated\">Syndicated 2024-03-03 01:02:03 from \
                 <a href=\"https://etbe.coker.com.au/2024/03/x/\" \
                 rel=\"nofollow noopener noreferrer\">etbe – Russell Coker</a></p>"
            ),
            "{}",
            item.html
        );
        // The summary and the fallback title are the post's own words.
        assert_eq!(item.summary, "From the blog");
        assert_eq!(item.title, "From the blog");
        let items = vec![item];
        let feed = parsed(&rss(&meta(&items), &items).unwrap());
        let body = feed.entries[0].content.as_ref().unwrap().body.clone().unwrap();
        assert!(body.contains("Syndicated 2024-03-03 01:02:03 from"), "{body}");
    }

    #[test]
    fn forbidden_xml_characters_are_dropped() {
        assert_eq!(xml_safe("a\u{0}b\u{8}c\td\u{FFFF}"), "abc\td");
        assert!(matches!(xml_safe("plain ü"), Cow::Borrowed(_)));
    }
}
