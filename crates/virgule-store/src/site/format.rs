//! The site file's records: one type per kind of line, exactly as serde writes and reads them,
//! and the functions between a record and its line. The file's order and guarantees are told
//! in the `site` module's documentation; these types are the format's one definition.
//!
//! The records mirror their tables' columns on purpose (a reference to another row is that
//! row's name, never its id), so export reads them straight from its queries (`sqlx::FromRow`)
//! instead of through a copy of each type.

use std::io::BufRead;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{SiteError, invalid};
use crate::TrustLevel;

/// The format version this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// One line of a site file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SiteRecord {
    #[serde(rename = "virgule-site")]
    Header(HeaderRecord),
    Member(MemberRecord),
    ApiToken(ApiTokenRecord),
    Entry(EntryRecord),
    Cert(CertRecord),
    Rating(RatingRecord),
    Feed(FeedRecord),
    FeedItem(FeedItemRecord),
    News(NewsRecord),
    Article(ArticleRecord),
    Reply(ReplyRecord),
    Project(ProjectRecord),
    ProjectPerson(ProjectPersonRecord),
    End(EndRecord),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderRecord {
    pub version: u32,
    pub exported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct MemberRecord {
    pub name: String,
    pub display_name: String,
    pub email: Option<String>,
    pub homepage: String,
    pub notes_source: String,
    pub notes_html: String,
    pub password_hash: String,
    pub is_admin: bool,
    pub suspended: bool,
    pub created_at: DateTime<Utc>,
    /// The number the member's next entry gets: above every entry's, never reused.
    pub next_entry_number: i64,
    pub diary_version: i64,
    /// `observer`, `apprentice`, `journeyer` or `master`: the metric's last result. (Stored
    /// as a rank: export decodes it beside the other columns.)
    #[sqlx(skip)]
    pub trust_level: TrustLevel,
    /// Others may reply to the member's diary (absent in older files: open).
    #[serde(default = "open")]
    pub replies_open: bool,
}

fn open() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenRecord {
    pub member: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct EntryRecord {
    pub author: String,
    pub number: i64,
    pub title: String,
    /// `markdown` or `html`.
    pub format: String,
    pub body_source: String,
    pub html: String,
    /// Alphabetical. (Stored in their own table: export reads them joined beside the
    /// other columns.)
    #[sqlx(skip)]
    pub tags: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The recent log's order.
    pub sort_at: DateTime<Utc>,
    pub in_recentlog: bool,
    pub syndicated_feed: Option<String>,
    pub syndicated_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct CertRecord {
    pub issuer: String,
    pub subject: String,
    /// `apprentice`, `journeyer` or `master`.
    pub level: String,
    pub created_at: DateTime<Utc>,
}

/// A diary rating: how interesting `rater` finds `author`'s diary, 1 to 10.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct RatingRecord {
    pub rater: String,
    pub author: String,
    pub rating: i16,
    pub rated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct FeedRecord {
    pub member: String,
    pub url: Option<String>,
    /// `active`, `gone` or `stopped`.
    pub status: String,
    pub title: String,
    pub site_link: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// The faults the last successful read recovered from. They travel with `last_error`:
    /// the validators travel too, so the next fetch is likely a 304, which keeps the
    /// warnings it finds; left behind, they would vanish until the feed changes. Absent
    /// from files written before warnings were kept (none, then). Stored as JSON, so export
    /// reads the column apart.
    #[serde(default)]
    #[sqlx(skip)]
    pub last_warnings: Vec<String>,
    pub consecutive_failures: i64,
    pub next_fetch_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct FeedItemRecord {
    /// The feed's owner, whose diary holds the entry.
    pub member: String,
    pub identity: String,
    /// The owner's entry number; `None` for a tombstone.
    pub entry: Option<i64>,
    pub content_hash: String,
    pub first_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct NewsRecord {
    pub author: String,
    pub title: String,
    pub body_source: String,
    pub html: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ArticleRecord {
    /// Site-wide, from 1.
    pub number: i64,
    pub author: String,
    pub title: String,
    /// `markdown` or `html`, for both the lead and the body.
    pub format: String,
    pub lead_source: String,
    pub lead_html: String,
    pub body_source: String,
    pub html: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A reply names its item by the article's number, or the entry's author and number, and the
/// reply it answers by that reply's position among the file's `reply` records (0 for the
/// first): replies come in posting order, so a parent is always earlier in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ReplyRecord {
    /// The article's number, for a reply to an article.
    pub article: Option<i64>,
    /// The entry's author and number, for a reply to a diary entry.
    pub entry_author: Option<String>,
    pub entry_number: Option<i64>,
    /// The position of the answered reply among the file's replies; `None` at the top.
    #[sqlx(skip)]
    pub parent: Option<u64>,
    pub author: String,
    /// `markdown` or `html`.
    pub format: String,
    /// Empty for a "[deleted]" placeholder.
    pub body_source: String,
    pub html: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// A deleted reply kept because it has answers.
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ProjectRecord {
    pub name: String,
    pub description_source: String,
    pub description_html: String,
    pub homepage: String,
    pub license: String,
    /// The member who created it (and alone edits it).
    pub creator: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A member's relation to a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct ProjectPersonRecord {
    pub project: String,
    pub member: String,
    /// `lead developer`, `developer`, `contributor`, `documenter`, `helper` or `user`.
    pub relation: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndRecord {
    pub counts: SiteCounts,
}

/// How many records of each kind a site file holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteCounts {
    pub members: u64,
    pub api_tokens: u64,
    pub entries: u64,
    pub certs: u64,
    /// Absent from files written before ratings existed.
    #[serde(default)]
    pub ratings: u64,
    pub feeds: u64,
    pub feed_items: u64,
    pub news: u64,
    #[serde(default)]
    pub articles: u64,
    #[serde(default)]
    pub replies: u64,
    /// Absent from files written before projects existed.
    #[serde(default)]
    pub projects: u64,
    #[serde(default)]
    pub project_people: u64,
}

impl SiteCounts {
    /// Records of every kind together (without the header and end lines).
    pub fn total(&self) -> u64 {
        self.members
            + self.api_tokens
            + self.entries
            + self.certs
            + self.ratings
            + self.feeds
            + self.feed_items
            + self.news
            + self.articles
            + self.replies
            + self.projects
            + self.project_people
    }

    /// Each kind whose count differs from `other`'s, in words.
    pub(super) fn differences(&self, other: &SiteCounts) -> Vec<String> {
        let pairs = [
            ("members", self.members, other.members),
            ("api_tokens", self.api_tokens, other.api_tokens),
            ("entries", self.entries, other.entries),
            ("certs", self.certs, other.certs),
            ("ratings", self.ratings, other.ratings),
            ("feeds", self.feeds, other.feeds),
            ("feed_items", self.feed_items, other.feed_items),
            ("news", self.news, other.news),
            ("articles", self.articles, other.articles),
            ("replies", self.replies, other.replies),
            ("projects", self.projects, other.projects),
            ("project_people", self.project_people, other.project_people),
        ];
        pairs
            .into_iter()
            .filter(|(_, a, b)| a != b)
            .map(|(kind, a, b)| format!("{a} {kind} (the file holds {b})"))
            .collect()
    }
}

impl std::fmt::Display for SiteCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} members, {} API tokens, {} entries, {} certifications, {} ratings, {} feeds, \
             {} feed items, {} news items, {} articles, {} replies, {} projects, {} project relations",
            self.members,
            self.api_tokens,
            self.entries,
            self.certs,
            self.ratings,
            self.feeds,
            self.feed_items,
            self.news,
            self.articles,
            self.replies,
            self.projects,
            self.project_people
        )
    }
}

/// One record as a line of the file, without the newline.
pub fn to_line(record: &SiteRecord) -> String {
    serde_json::to_string(record).expect("a site record always serializes")
}

/// Parses line `line` (1-based, for the message) of a site file.
pub fn parse_line(line: u64, text: &str) -> Result<SiteRecord, SiteError> {
    serde_json::from_str(text).map_err(|e| invalid(line, format!("not a site record: {e}")))
}

/// The records of a site file, one per line, parsed lazily: item `n` is line `n`, as
/// [`crate::Store::import_site`] expects.
pub fn read_records(reader: impl BufRead) -> impl Iterator<Item = Result<SiteRecord, SiteError>> {
    reader.lines().zip(1_u64..).map(|(text, line)| match text {
        Ok(text) => parse_line(line, &text),
        Err(source) => Err(SiteError::Read { line, source }),
    })
}

/// Records for the tests of this module and of the checker.
#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod samples {
    use super::*;

    pub(crate) fn at() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_450_000_000, 123_456_789).unwrap()
    }

    pub(crate) fn header() -> SiteRecord {
        SiteRecord::Header(HeaderRecord { version: FORMAT_VERSION, exported_at: at() })
    }

    pub(crate) fn member(name: &str, next: i64) -> SiteRecord {
        SiteRecord::Member(MemberRecord {
            name: name.to_owned(),
            display_name: String::new(),
            email: None,
            homepage: String::new(),
            notes_source: String::new(),
            notes_html: String::new(),
            password_hash: "h".to_owned(),
            is_admin: false,
            suspended: false,
            created_at: at(),
            next_entry_number: next,
            diary_version: 0,
            trust_level: TrustLevel::Observer,
            replies_open: true,
        })
    }

    pub(crate) fn article(author: &str, number: i64) -> SiteRecord {
        SiteRecord::Article(ArticleRecord {
            number,
            author: author.to_owned(),
            title: "t".to_owned(),
            format: "markdown".to_owned(),
            lead_source: String::new(),
            lead_html: String::new(),
            body_source: String::new(),
            html: String::new(),
            published_at: at(),
            updated_at: at(),
        })
    }

    /// A reply by `author` to article `article`, answering the reply at `parent`.
    pub(crate) fn reply(author: &str, article: i64, parent: Option<u64>) -> SiteRecord {
        SiteRecord::Reply(ReplyRecord {
            article: Some(article),
            entry_author: None,
            entry_number: None,
            parent,
            author: author.to_owned(),
            format: "markdown".to_owned(),
            body_source: "hi".to_owned(),
            html: "<p>hi</p>".to_owned(),
            published_at: at(),
            updated_at: at(),
            deleted: false,
        })
    }

    pub(crate) fn entry(author: &str, number: i64, tags: &[&str]) -> SiteRecord {
        SiteRecord::Entry(EntryRecord {
            author: author.to_owned(),
            number,
            title: "t".to_owned(),
            format: "markdown".to_owned(),
            body_source: String::new(),
            html: String::new(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            published_at: at(),
            updated_at: at(),
            sort_at: at(),
            in_recentlog: true,
            syndicated_feed: None,
            syndicated_url: None,
        })
    }

    pub(crate) fn end(members: u64, entries: u64) -> SiteRecord {
        SiteRecord::End(EndRecord {
            counts: SiteCounts { members, entries, ..SiteCounts::default() },
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::samples::{header, member};
    use super::*;

    #[test]
    fn lines_read_back_as_written_and_unknown_fields_are_refused() {
        let line = to_line(&member("a", 3));
        assert!(line.starts_with("{\"type\":\"member\",\"name\":\"a\""), "{line}");
        assert_eq!(parse_line(2, &line).unwrap(), member("a", 3));
        let header = to_line(&header());
        assert!(header.starts_with("{\"type\":\"virgule-site\",\"version\":1,"), "{header}");
        let extra = line.replacen("{", "{\"colour\":\"red\",", 1);
        let err = parse_line(7, &extra).unwrap_err().to_string();
        assert!(err.starts_with("line 7: ") && err.contains("colour"), "{err}");
        assert!(parse_line(3, "{\"type\":\"session\"}").is_err());
    }
}
