//! The domain types the store reads and writes: validated once at the boundary, trusted inside.

use std::fmt;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// The current time, truncated to microseconds so that it round-trips through both backends
/// (PostgreSQL keeps microseconds) and compares equal after a read.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A member's account name: 1–32 characters of `[a-z0-9_-]`, lower-cased on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct MemberName(String);

/// Why a proposed member name was refused, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("a name is required")]
    Empty,
    #[error("a name has at most 32 characters")]
    TooLong,
    #[error("a name may contain only letters a-z, digits, '_' and '-'")]
    BadCharacter,
}

impl MemberName {
    pub const MAX_LEN: usize = 32;

    /// Validates and lower-cases a name typed by a person or sent to the API.
    pub fn parse(raw: &str) -> Result<Self, NameError> {
        let name = raw.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(NameError::Empty);
        }
        if name.chars().count() > Self::MAX_LEN {
            return Err(NameError::TooLong);
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        {
            return Err(NameError::BadCharacter);
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Read back through [`MemberName::parse`], so that stored JSON cannot smuggle in a bad name.
impl<'de> Deserialize<'de> for MemberName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        MemberName::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for MemberName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A member's entry number: 0-based and per member, as on Advogato; never reused.
pub type EntryNumber = i64;

/// A member's account as pages and the API show it (no password hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Member {
    pub id: i64,
    pub name: MemberName,
    pub display_name: String,
    pub email: Option<String>,
    pub homepage: String,
    /// The notes as the member wrote them (Markdown).
    pub notes_source: String,
    /// The notes rendered and sanitized, safe to embed.
    pub notes_html: String,
    pub is_admin: bool,
    pub suspended: bool,
    pub created_at: DateTime<Utc>,
    /// How many entries the diary holds now.
    pub entry_count: i64,
    /// Changes whenever an entry of this member is written, edited or deleted: a cache key
    /// for what derives from the diary.
    pub diary_version: i64,
    /// The level the trust metric last computed; [`TrustLevel::Observer`] until it runs.
    pub trust_level: TrustLevel,
    /// Others may reply to this member's diary entries (a setting of theirs).
    pub replies_open: bool,
}

/// A validated registration, with the password already hashed by the caller.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub name: MemberName,
    pub email: Option<String>,
    pub password_hash: String,
}

/// The editable parts of a profile, already validated; `notes_html` already sanitized.
#[derive(Debug, Clone, Default)]
pub struct ProfileUpdate {
    pub display_name: String,
    pub homepage: String,
    pub notes_source: String,
    pub notes_html: String,
}

/// How the member wrote an entry's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryFormat {
    Markdown,
    Html,
}

impl EntryFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryFormat::Markdown => "markdown",
            EntryFormat::Html => "html",
        }
    }

    /// Parses the stored or submitted word; `None` for anything else.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "markdown" => Some(EntryFormat::Markdown),
            "html" => Some(EntryFormat::Html),
            _ => None,
        }
    }
}

/// One diary entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub author: MemberName,
    /// The author's trust level when the entry was read (pages colour names by it).
    pub author_level: TrustLevel,
    pub number: EntryNumber,
    pub title: String,
    pub format: EntryFormat,
    /// Rendered and sanitized HTML, safe to embed in a page or a feed. (What the member
    /// typed is read only for the edit form: [`crate::Store::entry_source`].)
    pub html: String,
    pub tags: Vec<String>,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// Where the entry came from, when it was syndicated from the member's feed.
    pub syndicated: Option<Syndication>,
    /// The replies its thread shows (placeholders of deleted replies, and replies hidden as
    /// spam, do not count), read with the entry.
    pub reply_count: i64,
}

/// The origin of a syndicated entry, for its "Syndicated DATE from FEED TITLE" footer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Syndication {
    /// The feed's title when the post was last ingested.
    pub feed_title: String,
    /// The original post, when the feed gave its link.
    pub original_url: Option<String>,
    /// The post's date as the feed gave it (clamped, or first seen): the footer's date.
    pub at: DateTime<Utc>,
}

/// A new or edited entry, already validated; `html` already rendered and sanitized; tags
/// already normalized (lower-case, trimmed, de-duplicated).
#[derive(Debug, Clone)]
pub struct EntryDraft {
    pub title: String,
    pub format: EntryFormat,
    pub body_source: String,
    pub html: String,
    pub tags: Vec<String>,
}

/// Tags as every entry stores them, whoever wrote it (the member's form, the API, a feed's
/// categories): lower-case, inner whitespace collapsed, usable in a `/tag/T/` URL.
pub mod tags {
    /// Tags an entry may carry.
    pub const MAX_TAGS: usize = 20;
    /// Characters in one tag.
    pub const MAX_TAG_CHARS: usize = 50;

    /// Why a tag was refused, in words a person can act on.
    #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
    pub enum TagError {
        #[error("the tag \"{0}\" is longer than 50 characters")]
        TooLong(String),
        #[error("the tag \"{0}\" may not contain '/', '?' or '#'")]
        BadCharacter(String),
    }

    /// One tag normalized; `None` for a blank one.
    pub fn normalize(raw: &str) -> Result<Option<String>, TagError> {
        let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if tag.is_empty() {
            return Ok(None);
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(TagError::TooLong(tag));
        }
        if tag.chars().any(|c| c == '/' || c == '?' || c == '#' || c.is_control()) {
            return Err(TagError::BadCharacter(tag));
        }
        Ok(Some(tag))
    }

    /// A feed's categories as tags: the ones that normalize, without duplicates, at most
    /// [`MAX_TAGS`]; the others are dropped, since the feed's author cannot be asked.
    pub fn from_feed(raw: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for tag in raw.iter().filter_map(|t| normalize(t).ok().flatten()) {
            if !out.contains(&tag) && out.len() < MAX_TAGS {
                out.push(tag);
            }
        }
        out
    }

    #[cfg(test)]
    #[allow(clippy::unwrap_used)]
    mod tests {
        use super::*;

        #[test]
        fn tags_are_lower_case_single_spaced_and_url_safe() {
            assert_eq!(normalize("  Free   Software ").unwrap().as_deref(), Some("free software"));
            assert_eq!(normalize(" ").unwrap(), None);
            assert!(matches!(normalize("a/b"), Err(TagError::BadCharacter(_))));
            assert!(matches!(normalize(&"x".repeat(51)), Err(TagError::TooLong(_))));
        }

        #[test]
        fn feed_categories_keep_what_normalizes() {
            let raw: Vec<String> =
                ["Debian", "debian", "Linux/Unix", "SE Linux", ""].map(String::from).into();
            assert_eq!(from_feed(&raw), ["debian", "se linux"]);
            let many: Vec<String> = (0..30).map(|i| format!("t{i}")).collect();
            assert_eq!(from_feed(&many).len(), MAX_TAGS);
        }
    }
}

/// One item of site news.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsItem {
    pub id: i64,
    pub author: MemberName,
    pub title: String,
    pub body_source: String,
    pub html: String,
    pub published: DateTime<Utc>,
}

/// A month of a member's archive and how many entries it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ArchiveMonth {
    pub year: i32,
    pub month: u32,
    pub count: i64,
}

/// A tag and how many of a member's entries carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagCount {
    pub tag: String,
    pub count: i64,
}

/// A window over a list: skip `start`, take at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub start: i64,
    pub limit: i64,
}

impl Page {
    /// `(limit, offset)` for SQL; negative values count as 0, since SQLite would read a negative
    /// LIMIT as "no limit" and PostgreSQL would refuse it.
    pub(crate) fn limit_offset(self) -> (i64, i64) {
        (self.limit.max(0), self.start.max(0))
    }
}

/// A logged-in browser session, looked up by the hash of its cookie.
#[derive(Debug, Clone)]
pub struct Session {
    pub member: Member,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lower_cased_and_checked() {
        assert_eq!(MemberName::parse(" Etbe ").unwrap().as_str(), "etbe");
        assert_eq!(MemberName::parse("a_b-9").unwrap().as_str(), "a_b-9");
        assert_eq!(MemberName::parse(""), Err(NameError::Empty));
        assert_eq!(MemberName::parse("a b"), Err(NameError::BadCharacter));
        assert_eq!(MemberName::parse("ünï"), Err(NameError::BadCharacter));
        assert_eq!(MemberName::parse(&"x".repeat(33)), Err(NameError::TooLong));
        assert!(MemberName::parse(&"x".repeat(32)).is_ok());
    }
}

/// The level one member certifies another at (docs/trust.md "Certifications"); a withdrawal is the
/// absence of a certification, not a level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CertLevel {
    Apprentice,
    Journeyer,
    Master,
}

impl CertLevel {
    /// The stored and submitted word: `apprentice`, `journeyer` or `master`.
    pub fn as_str(self) -> &'static str {
        match self {
            CertLevel::Apprentice => "apprentice",
            CertLevel::Journeyer => "journeyer",
            CertLevel::Master => "master",
        }
    }

    /// Parses the stored or submitted word; `None` for anything else (including `none`).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "apprentice" => Some(CertLevel::Apprentice),
            "journeyer" => Some(CertLevel::Journeyer),
            "master" => Some(CertLevel::Master),
            _ => None,
        }
    }

    /// The trust level this certification vouches for.
    pub fn trust_level(self) -> TrustLevel {
        match self {
            CertLevel::Apprentice => TrustLevel::Apprentice,
            CertLevel::Journeyer => TrustLevel::Journeyer,
            CertLevel::Master => TrustLevel::Master,
        }
    }
}

/// A member's computed trust level, stored as a rank 0–3 in `members.trust_level`; everyone
/// is an Observer until the trust metric says otherwise. The metric's own level type, so the
/// metric, the store and the pages spell a level one way.
pub use virgule_trust::Level as TrustLevel;

/// The level of `name`'s stored `members.trust_level` rank; corrupt outside 0–3.
pub(crate) fn stored_level(rank: i16, name: &str) -> crate::Result<TrustLevel> {
    u8::try_from(rank)
        .ok()
        .and_then(TrustLevel::from_rank)
        .ok_or_else(|| crate::StoreError::Corrupt(format!("trust level {rank} of {name}")))
}

/// The stored rank of a level.
pub(crate) fn rank_of_level(level: TrustLevel) -> i16 {
    i16::from(level.rank())
}

/// One certification as a profile lists it: the other member (the issuer for certifications
/// received, the subject for those given), the level and when it was last set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cert {
    pub name: MemberName,
    pub level: CertLevel,
    pub at: DateTime<Utc>,
}

/// A front-page article's number: site-wide, from 1, never reused (`/article/N.html`).
pub type ArticleNumber = i64;

/// A front-page article as stored, with how many replies it has.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub id: i64,
    pub number: ArticleNumber,
    pub author: MemberName,
    /// The author's trust level when the article was read.
    pub author_level: TrustLevel,
    pub title: String,
    pub format: EntryFormat,
    /// The lead (the front page's summary), rendered and sanitized.
    pub lead_html: String,
    /// The body, rendered and sanitized.
    pub html: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// Replies shown (not counting "[deleted]" placeholders).
    pub reply_count: i64,
}

/// A new or edited article, already validated; the HTML already rendered and sanitized.
#[derive(Debug, Clone)]
pub struct ArticleDraft {
    pub title: String,
    pub format: EntryFormat,
    pub lead_source: String,
    pub lead_html: String,
    pub body_source: String,
    pub html: String,
}

/// What the author typed for an article (Markdown or HTML, per its format), for the edit form.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleSource {
    pub lead: String,
    pub body: String,
}

/// What a reply answers: an article or a diary entry, by database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReplyTarget {
    Article(i64),
    Entry(i64),
}

/// Someone without an account who wrote a reply (an imported comment's author).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guest {
    pub name: String,
    /// Their web address, if they gave one (http or https).
    pub url: Option<String>,
}

/// Where a reply's item lives, by its public names (for its permalink).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyPlace {
    Article(ArticleNumber),
    Entry { author: MemberName, number: EntryNumber },
}

/// One reply as stored. A deleted reply kept as a placeholder has `deleted` set and no text.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub id: i64,
    pub target: ReplyTarget,
    pub place: ReplyPlace,
    /// The reply it answers; `None` for an answer to the item itself.
    pub parent: Option<i64>,
    pub author: MemberName,
    pub author_level: TrustLevel,
    pub format: EntryFormat,
    pub html: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub deleted: bool,
    /// Hidden as spam (its flags or its author's): threads show a placeholder.
    pub spam: bool,
    /// Written by someone without an account here (an imported comment): `author` is then
    /// the member who holds it (the entry's), and this names the writer.
    pub guest: Option<Guest>,
}

/// A new or edited reply's text, already validated, rendered and sanitized.
#[derive(Debug, Clone)]
pub struct ReplyDraft {
    pub format: EntryFormat,
    pub body_source: String,
    pub html: String,
}

/// What deleting a reply did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyRemoval {
    /// It had answers: it stays as a "[deleted]" placeholder.
    Placeholder,
    /// It had none: it is gone (and so is any placeholder it leaves without answers).
    Removed,
}
