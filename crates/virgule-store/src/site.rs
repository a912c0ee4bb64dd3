//! The whole site as one portable file, for `virgule export` and `virgule import site`: the
//! way to move a site between databases (SQLite to PostgreSQL) or machines.
//!
//! # Format
//!
//! JSON Lines: one record per line, each an object whose `"type"` says what it is. Timestamps
//! are RFC 3339 in UTC. Records name members by their NAME and an entry by its author's name
//! and entry number, never by a database id, so the file does not depend on the backend or
//! on how ids were handed out. In this order:
//!
//! 1. `{"type":"virgule-site","version":1,"exported_at":"…"}`, always the first line;
//! 2. `member` (every column but the derived `entry_count`, including the password hash, the
//!    admin and suspension flags, `next_entry_number` — numbers are never reused, so it can be
//!    above the highest entry — `diary_version` and the last computed `trust_level`), oldest
//!    account first;
//! 3. `api_token` (the token's hash, never the token: tokens keep working after a move);
//! 4. `entry` (author, number, format, source, HTML, tags, dates including the recent log's
//!    `sort_at`, `in_recentlog`, and the syndication footer), in creation order;
//! 5. `cert` (issuer, subject, level), in creation order: the trust metric breaks ties by the
//!    order certifications were made, so an import inserts them in file order;
//! 6. `feed` (status, schedule, HTTP validators, last error), one per member at most;
//! 7. `feed_item` (a post already seen: its identity, hash, and the number of the owner's
//!    entry it became, or `null` for a tombstone: a post whose entry was deleted and must not
//!    come back);
//! 8. `news`, in publication order;
//! 9. `{"type":"end","counts":{"members":N,…}}`, always the last line.
//!
//! Not carried: sessions (everyone logs in again after a move), feed claims and named leases
//! (they belong to the processes of the old database), the last trust run's summary (the next
//! run writes it) and what is derived from the rows above (entry counts per member, months of
//! the archive, the entries' place in the recent log by level), which the import recomputes.
//!
//! # Guarantees
//!
//! Export reads one consistent snapshot in batches by id (keyset pagination), and import
//! writes in batches: a site of a million entries moves with bounded memory. Import loads only
//! into an empty database, checks every line (names, levels, formats, references to members
//! and entries earlier in the file, duplicates, the end record's counts) and writes everything
//! in one transaction: a bad line anywhere, or a truncated file, leaves the database empty,
//! with an error naming the line and why.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use crate::db::on_pool;
use crate::entries::month_key;
use crate::{EntryFormat, FeedStatus, MemberName, Store, StoreError, TrustLevel, tags};

/// The format version this code writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Rows read per query on export.
const EXPORT_BATCH: i64 = 1_000;
/// Records written per multi-row `INSERT` on import: 13 parameters at most each, far below
/// both backends' limits.
const IMPORT_BATCH: usize = 100;
/// Tag rows per multi-row `INSERT` (3 parameters each).
const TAG_BATCH: usize = 300;

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
    Feed(FeedRecord),
    FeedItem(FeedItemRecord),
    News(NewsRecord),
    End(EndRecord),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderRecord {
    pub version: u32,
    pub exported_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// `observer`, `apprentice`, `journeyer` or `master`: the metric's last result.
    pub trust_level: TrustLevel,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiTokenRecord {
    pub member: String,
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryRecord {
    pub author: String,
    pub number: i64,
    pub title: String,
    /// `markdown` or `html`.
    pub format: String,
    pub body_source: String,
    pub html: String,
    /// Alphabetical.
    pub tags: Vec<String>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The recent log's order.
    pub sort_at: DateTime<Utc>,
    pub in_recentlog: bool,
    pub syndicated_feed: Option<String>,
    pub syndicated_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertRecord {
    pub issuer: String,
    pub subject: String,
    /// `apprentice`, `journeyer` or `master`.
    pub level: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub consecutive_failures: i64,
    pub next_fetch_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewsRecord {
    pub author: String,
    pub title: String,
    pub body_source: String,
    pub html: String,
    pub published_at: DateTime<Utc>,
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
    pub feeds: u64,
    pub feed_items: u64,
    pub news: u64,
}

impl SiteCounts {
    /// Records of every kind together (without the header and end lines).
    pub fn total(&self) -> u64 {
        self.members
            + self.api_tokens
            + self.entries
            + self.certs
            + self.feeds
            + self.feed_items
            + self.news
    }

    fn differences(&self, other: &SiteCounts) -> Vec<String> {
        let pairs = [
            ("members", self.members, other.members),
            ("api_tokens", self.api_tokens, other.api_tokens),
            ("entries", self.entries, other.entries),
            ("certs", self.certs, other.certs),
            ("feeds", self.feeds, other.feeds),
            ("feed_items", self.feed_items, other.feed_items),
            ("news", self.news, other.news),
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
            "{} members, {} API tokens, {} entries, {} certifications, {} feeds, {} feed items, \
             {} news items",
            self.members,
            self.api_tokens,
            self.entries,
            self.certs,
            self.feeds,
            self.feed_items,
            self.news
        )
    }
}

/// Why an export or import failed.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    /// A line of the file is refused; nothing was imported.
    #[error("line {line}: {message}")]
    Invalid { line: u64, message: String },
    /// Import loads only into an empty database.
    #[error(
        "the database is not empty (it has {members} members): import a site only into a new, \
         empty database"
    )]
    NotEmpty { members: i64 },
    #[error("cannot read line {line}: {source}")]
    Read { line: u64, source: std::io::Error },
    #[error("cannot write the export: {0}")]
    Write(std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SiteError {
    fn from(e: sqlx::Error) -> Self {
        SiteError::Store(StoreError::Database(e))
    }
}

fn invalid(line: u64, message: impl Into<String>) -> SiteError {
    SiteError::Invalid { line, message: message.into() }
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
/// [`Store::import_site`] expects.
pub fn read_records(reader: impl BufRead) -> impl Iterator<Item = Result<SiteRecord, SiteError>> {
    reader.lines().zip(1_u64..).map(|(text, line)| match text {
        Ok(text) => parse_line(line, &text),
        Err(source) => Err(SiteError::Read { line, source }),
    })
}

/// What the import checker knows of a member from earlier lines.
#[derive(Debug)]
struct KnownMember {
    next_entry_number: i64,
    has_feed: bool,
}

/// The pure half of an import: checks each record against the ones before it (order,
/// references, duplicates, values) and counts them, without touching a database. What it
/// passes on, the writer can insert as is.
#[derive(Debug, Default)]
struct Checker {
    lines: u64,
    ended: bool,
    counts: SiteCounts,
    members: HashMap<String, KnownMember>,
}

impl Checker {
    /// Checks line `line`; `Ok(Some(record))` for a record to write (timestamps truncated to
    /// the microseconds both backends keep), `Ok(None)` for the header and end lines.
    fn check(&mut self, line: u64, record: SiteRecord) -> Result<Option<SiteRecord>, String> {
        self.lines = line;
        if self.ended {
            return Err("a record after the end record".to_owned());
        }
        if line == 1 && !matches!(record, SiteRecord::Header(_)) {
            return Err("the first line must be the \"virgule-site\" header".to_owned());
        }
        let checked = match record {
            SiteRecord::Header(header) => {
                if line != 1 {
                    return Err("a second header".to_owned());
                }
                if header.version != FORMAT_VERSION {
                    return Err(format!(
                        "the file is format version {}; this Virgule reads version \
                         {FORMAT_VERSION}",
                        header.version
                    ));
                }
                return Ok(None);
            }
            SiteRecord::End(end) => {
                let differences = end.counts.differences(&self.counts);
                if !differences.is_empty() {
                    return Err(format!(
                        "the end record counts {}: the file is incomplete or was edited",
                        differences.join(", ")
                    ));
                }
                self.ended = true;
                return Ok(None);
            }
            SiteRecord::Member(mut m) => {
                canonical_name(&m.name)?;
                if self.members.contains_key(&m.name) {
                    return Err(format!("the member {} appears twice", m.name));
                }
                if m.next_entry_number < 0 || m.diary_version < 0 {
                    return Err("next_entry_number and diary_version cannot be negative".into());
                }
                m.created_at = micros(m.created_at);
                self.members.insert(
                    m.name.clone(),
                    KnownMember { next_entry_number: m.next_entry_number, has_feed: false },
                );
                self.counts.members += 1;
                SiteRecord::Member(m)
            }
            SiteRecord::ApiToken(mut t) => {
                self.member(&t.member)?;
                if t.token_hash.is_empty() {
                    return Err("an empty token hash".to_owned());
                }
                t.created_at = micros(t.created_at);
                self.counts.api_tokens += 1;
                SiteRecord::ApiToken(t)
            }
            SiteRecord::Entry(mut e) => {
                let next = self.member(&e.author)?.next_entry_number;
                if !(0..next).contains(&e.number) {
                    return Err(format!(
                        "entry number {} of {} is not below the member's next_entry_number {next}",
                        e.number, e.author
                    ));
                }
                if EntryFormat::parse(&e.format).is_none() {
                    return Err(format!("unknown entry format {:?} (markdown or html)", e.format));
                }
                check_tags(&e.tags)?;
                e.published_at = micros(e.published_at);
                e.updated_at = micros(e.updated_at);
                e.sort_at = micros(e.sort_at);
                self.counts.entries += 1;
                SiteRecord::Entry(e)
            }
            SiteRecord::Cert(mut c) => {
                self.member(&c.issuer)?;
                self.member(&c.subject)?;
                if c.issuer == c.subject {
                    return Err(format!("{} certifies themselves", c.issuer));
                }
                if crate::CertLevel::parse(&c.level).is_none() {
                    return Err(format!(
                        "unknown certification level {:?} (apprentice, journeyer or master)",
                        c.level
                    ));
                }
                c.created_at = micros(c.created_at);
                self.counts.certs += 1;
                SiteRecord::Cert(c)
            }
            SiteRecord::Feed(mut f) => {
                let owner = self.member(&f.member)?;
                if owner.has_feed {
                    return Err(format!("a second feed of {}", f.member));
                }
                owner.has_feed = true;
                let statuses = [FeedStatus::Active, FeedStatus::Gone, FeedStatus::Stopped];
                if !statuses.iter().any(|s| s.as_str() == f.status) {
                    return Err(format!(
                        "unknown feed status {:?} (active, gone or stopped)",
                        f.status
                    ));
                }
                if f.consecutive_failures < 0 {
                    return Err("consecutive_failures cannot be negative".to_owned());
                }
                f.last_fetch_at = f.last_fetch_at.map(micros);
                f.last_success_at = f.last_success_at.map(micros);
                f.next_fetch_at = f.next_fetch_at.map(micros);
                f.created_at = micros(f.created_at);
                self.counts.feeds += 1;
                SiteRecord::Feed(f)
            }
            SiteRecord::FeedItem(mut i) => {
                if !self.member(&i.member)?.has_feed {
                    return Err(format!("a feed item of {}, who has no feed before it", i.member));
                }
                i.first_seen_at = micros(i.first_seen_at);
                self.counts.feed_items += 1;
                SiteRecord::FeedItem(i)
            }
            SiteRecord::News(mut n) => {
                self.member(&n.author)?;
                n.published_at = micros(n.published_at);
                self.counts.news += 1;
                SiteRecord::News(n)
            }
        };
        Ok(Some(checked))
    }

    fn member(&mut self, name: &str) -> Result<&mut KnownMember, String> {
        self.members.get_mut(name).ok_or_else(|| format!("no member {name:?} before this line"))
    }

    /// After the last line: the file must have ended with its end record.
    fn finish(&self) -> Result<SiteCounts, SiteError> {
        if self.lines == 0 {
            return Err(invalid(1, "the file is empty"));
        }
        if !self.ended {
            return Err(invalid(
                self.lines + 1,
                "the file ends without its \"end\" record: it is truncated",
            ));
        }
        Ok(self.counts)
    }
}

/// Refuses a name that is invalid or not in its stored form (lower case, trimmed).
fn canonical_name(raw: &str) -> Result<MemberName, String> {
    match MemberName::parse(raw) {
        Ok(name) if name.as_str() == raw => Ok(name),
        Ok(name) => Err(format!("the member name {raw:?} is not written as stored ({name:?})")),
        Err(e) => Err(format!("the member name {raw:?} is refused: {e}")),
    }
}

/// Tags as the store keeps them: each already in the form [`tags::normalize`] gives (so it
/// makes a working `/tag/T/` link, and holds no control character, the separator of the tag
/// lists entries are read with), no duplicates, at most [`tags::MAX_TAGS`].
fn check_tags(list: &[String]) -> Result<(), String> {
    if list.len() > tags::MAX_TAGS {
        return Err(format!("{} tags: an entry has at most {}", list.len(), tags::MAX_TAGS));
    }
    let mut seen = HashSet::new();
    for tag in list {
        match tags::normalize(tag) {
            Ok(Some(stored)) if stored == *tag => {}
            Ok(Some(stored)) => {
                return Err(format!("the tag {tag:?} is not written as stored ({stored:?})"));
            }
            Ok(None) => return Err("a tag is empty".to_owned()),
            Err(e) => return Err(e.to_string()),
        }
        if !seen.insert(tag.as_str()) {
            return Err(format!("the tag {tag:?} appears twice"));
        }
    }
    Ok(())
}

fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}

// ---------------------------------------------------------------------------------------------
// Export: one read-only snapshot, read by keyset pagination.

/// Makes the export's transaction one snapshot on PostgreSQL (SQLite's read transaction in WAL
/// mode is one already): records written later never refer to rows the export missed.
const SNAPSHOT_POSTGRES: &str = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

const EXPORT_MEMBERS: &str = "SELECT id, name, display_name, email, homepage, notes_source, \
     notes_html, password_hash, is_admin, suspended, created_at, next_entry_number, \
     diary_version, trust_level FROM members WHERE id > $1 ORDER BY id LIMIT $2";

/// By hash (the key): tokens have no order that means anything.
const EXPORT_API_TOKENS: &str = "SELECT t.token_hash, m.name, t.created_at FROM api_tokens t \
     JOIN members m ON m.id = t.member_id WHERE t.token_hash > $1 ORDER BY t.token_hash LIMIT $2";

/// Tags come joined by the unit separator, which [`check_tags`] keeps out of tags.
const EXPORT_ENTRIES: &str = "SELECT e.id, m.name AS author, e.number, e.title, e.format, \
     e.body_source, e.html, e.published_at, e.updated_at, e.sort_at, e.in_recentlog, \
     e.syndicated_feed, e.syndicated_url, \
     (SELECT string_agg(t.tag, '\x1f') FROM entry_tags t WHERE t.entry_id = e.id) AS tags \
     FROM entries e JOIN members m ON m.id = e.member_id WHERE e.id > $1 ORDER BY e.id LIMIT $2";

const EXPORT_CERTS: &str = "SELECT c.id, i.name AS issuer, s.name AS subject, c.level, \
     c.created_at FROM certs c JOIN members i ON i.id = c.issuer_id \
     JOIN members s ON s.id = c.subject_id WHERE c.id > $1 ORDER BY c.id LIMIT $2";

const EXPORT_FEEDS: &str = "SELECT f.id, m.name AS member, f.url, f.status, f.title, \
     f.site_link, f.etag, f.last_modified, f.last_fetch_at, f.last_success_at, f.last_error, \
     f.consecutive_failures, f.next_fetch_at, f.created_at FROM feeds f \
     JOIN members m ON m.id = f.member_id WHERE f.id > $1 ORDER BY f.id LIMIT $2";

/// By the primary key (feed, identity), whose order carries no meaning.
const EXPORT_FEED_ITEMS: &str = "SELECT i.feed_id, i.identity, m.name AS member, \
     e.number AS entry, i.content_hash, i.first_seen_at FROM feed_items i \
     JOIN feeds f ON f.id = i.feed_id JOIN members m ON m.id = f.member_id \
     LEFT JOIN entries e ON e.id = i.entry_id \
     WHERE (i.feed_id, i.identity) > ($1, $2) ORDER BY i.feed_id, i.identity LIMIT $3";

const EXPORT_NEWS: &str = "SELECT n.id, m.name AS author, n.title, n.body_source, n.html, \
     n.published_at FROM news n JOIN members m ON m.id = n.member_id \
     WHERE n.id > $1 ORDER BY n.id LIMIT $2";

const COUNT_SITE: &str = "SELECT (SELECT COUNT(*) FROM members), (SELECT COUNT(*) FROM api_tokens), \
     (SELECT COUNT(*) FROM entries), (SELECT COUNT(*) FROM certs), (SELECT COUNT(*) FROM feeds), \
     (SELECT COUNT(*) FROM feed_items), (SELECT COUNT(*) FROM news)";

#[derive(sqlx::FromRow)]
struct MemberRow {
    id: i64,
    name: String,
    display_name: String,
    email: Option<String>,
    homepage: String,
    notes_source: String,
    notes_html: String,
    password_hash: String,
    is_admin: bool,
    suspended: bool,
    created_at: DateTime<Utc>,
    next_entry_number: i64,
    diary_version: i64,
    trust_level: i16,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: i64,
    author: String,
    number: i64,
    title: String,
    format: String,
    body_source: String,
    html: String,
    published_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    sort_at: DateTime<Utc>,
    in_recentlog: bool,
    syndicated_feed: Option<String>,
    syndicated_url: Option<String>,
    tags: Option<String>,
}

#[derive(sqlx::FromRow)]
struct CertRow {
    id: i64,
    issuer: String,
    subject: String,
    level: String,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct FeedRow {
    id: i64,
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
    consecutive_failures: i64,
    next_fetch_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct FeedItemRow {
    feed_id: i64,
    identity: String,
    member: String,
    entry: Option<i64>,
    content_hash: String,
    first_seen_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct NewsRow {
    id: i64,
    author: String,
    title: String,
    body_source: String,
    html: String,
    published_at: DateTime<Utc>,
}

type CountRow = (i64, i64, i64, i64, i64, i64, i64);

impl MemberRow {
    fn into_record(self) -> Result<MemberRecord, StoreError> {
        let trust_level = crate::model::stored_level(self.trust_level, &self.name)?;
        Ok(MemberRecord {
            name: self.name,
            display_name: self.display_name,
            email: self.email,
            homepage: self.homepage,
            notes_source: self.notes_source,
            notes_html: self.notes_html,
            password_hash: self.password_hash,
            is_admin: self.is_admin,
            suspended: self.suspended,
            created_at: self.created_at,
            next_entry_number: self.next_entry_number,
            diary_version: self.diary_version,
            trust_level,
        })
    }
}

impl FeedRow {
    fn into_record(self) -> FeedRecord {
        FeedRecord {
            member: self.member,
            url: self.url,
            status: self.status,
            title: self.title,
            site_link: self.site_link,
            etag: self.etag,
            last_modified: self.last_modified,
            last_fetch_at: self.last_fetch_at,
            last_success_at: self.last_success_at,
            last_error: self.last_error,
            consecutive_failures: self.consecutive_failures,
            next_fetch_at: self.next_fetch_at,
            created_at: self.created_at,
        }
    }
}

impl EntryRow {
    fn into_record(self) -> EntryRecord {
        let mut tags: Vec<String> = match &self.tags {
            Some(joined) => joined.split('\x1f').map(str::to_owned).collect(),
            None => Vec::new(),
        };
        tags.sort_unstable();
        EntryRecord {
            author: self.author,
            number: self.number,
            title: self.title,
            format: self.format,
            body_source: self.body_source,
            html: self.html,
            tags,
            published_at: self.published_at,
            updated_at: self.updated_at,
            sort_at: self.sort_at,
            in_recentlog: self.in_recentlog,
            syndicated_feed: self.syndicated_feed,
            syndicated_url: self.syndicated_url,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Import: the checked records, written in multi-row batches of one kind.

const IMPORT_MEMBERS_HEAD: &str = "INSERT INTO members (name, display_name, email, homepage, \
     notes_source, notes_html, password_hash, is_admin, suspended, created_at, \
     next_entry_number, diary_version, trust_level) ";

/// Duplicates (checked by the database, so that no key set of the whole file is held in
/// memory) are skipped by `ON CONFLICT DO NOTHING` instead of aborting the transaction, and
/// found again as the rows missing from `RETURNING`: the error names their line.
const IMPORT_API_TOKENS_HEAD: &str = "INSERT INTO api_tokens (token_hash, member_id, created_at) ";

const IMPORT_ENTRIES_HEAD: &str = "INSERT INTO entries (member_id, number, title, format, \
     body_source, html, published_month, published_at, updated_at, sort_at, in_recentlog, \
     syndicated_feed, syndicated_url) ";

const IMPORT_TAGS_HEAD: &str = "INSERT INTO entry_tags (entry_id, member_id, tag) ";

const IMPORT_CERTS_HEAD: &str = "INSERT INTO certs (issuer_id, subject_id, level, created_at) ";

const IMPORT_FEEDS_HEAD: &str = "INSERT INTO feeds (member_id, url, status, title, site_link, \
     etag, last_modified, last_fetch_at, last_success_at, last_error, consecutive_failures, \
     next_fetch_at, created_at) ";

const IMPORT_FEED_ITEMS_HEAD: &str =
    "INSERT INTO feed_items (feed_id, identity, entry_id, content_hash, first_seen_at) ";

const IMPORT_NEWS_HEAD: &str =
    "INSERT INTO news (member_id, title, body_source, html, published_at) ";

const ON_CONFLICT_SKIP: &str = " ON CONFLICT DO NOTHING";

const MEMBER_COUNT: &str = "SELECT COUNT(*) FROM members";

/// `entry_count` is derived: the entries the member has now.
const RECOUNT_ENTRIES: &str = "UPDATE members SET entry_count = \
     (SELECT COUNT(*) FROM entries e WHERE e.member_id = members.id)";

/// Database ids handed out so far on import, by the names the file uses.
#[derive(Debug, Default)]
struct Ids {
    members: HashMap<String, i64>,
    /// Feed id by owner's member id.
    feeds: HashMap<i64, i64>,
}

impl Ids {
    fn member(&self, line: u64, name: &str) -> Result<i64, SiteError> {
        self.members.get(name).copied().ok_or_else(|| invalid(line, format!("no member {name:?}")))
    }
}

/// Records of one kind waiting to be inserted together, with their line numbers.
#[derive(Debug, Default)]
struct Batch {
    rows: Vec<(u64, SiteRecord)>,
}

impl Batch {
    /// Whether `next` cannot join the batch: it is full, or `next` is of another kind (whose
    /// references may need the ids this batch gets).
    fn must_flush_before(&self, next: &SiteRecord) -> bool {
        match self.rows.first() {
            None => false,
            Some((_, first)) => {
                self.rows.len() >= IMPORT_BATCH
                    || std::mem::discriminant(first) != std::mem::discriminant(next)
            }
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

/// Inserts a [`Batch`] on the transaction `$tx` (a macro, as each backend's transaction is its
/// own type), recording new ids in `$ids`.
macro_rules! write_batch {
    ($tx:expr, $batch:expr, $ids:expr) => {{
        let rows = std::mem::take(&mut $batch.rows);
        match rows.first().map(|(_, r)| r) {
            None | Some(SiteRecord::Header(_) | SiteRecord::End(_)) => {}
            Some(SiteRecord::Member(_)) => {
                let members: Vec<&MemberRecord> = rows
                    .iter()
                    .filter_map(|(_, r)| if let SiteRecord::Member(m) = r { Some(m) } else { None })
                    .collect();
                let mut insert = sqlx::QueryBuilder::new(IMPORT_MEMBERS_HEAD);
                insert.push_values(&members, |mut row, m| {
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
                        .push_bind(crate::model::rank_of_level(m.trust_level));
                });
                insert.push(" RETURNING id, name");
                let inserted: Vec<(i64, String)> =
                    insert.build_query_as().fetch_all(&mut *$tx).await?;
                for (id, name) in inserted {
                    $ids.members.insert(name, id);
                }
            }
            Some(SiteRecord::ApiToken(_)) => {
                let mut resolved = Vec::with_capacity(rows.len());
                for (line, r) in &rows {
                    if let SiteRecord::ApiToken(t) = r {
                        resolved.push((*line, t, $ids.member(*line, &t.member)?));
                    }
                }
                let mut insert = sqlx::QueryBuilder::new(IMPORT_API_TOKENS_HEAD);
                insert.push_values(&resolved, |mut row, (_, t, member_id)| {
                    row.push_bind(t.token_hash.as_str())
                        .push_bind(*member_id)
                        .push_bind(t.created_at);
                });
                insert.push(ON_CONFLICT_SKIP);
                insert.push(" RETURNING token_hash");
                let returned: Vec<String> =
                    insert.build_query_scalar().fetch_all(&mut *$tx).await?;
                let keys = resolved.iter().map(|(line, t, _)| (*line, t.token_hash.clone()));
                if let Some(line) = first_skipped(keys, returned) {
                    return Err(invalid(line, "an API token hash that appears twice"));
                }
            }
            Some(SiteRecord::Entry(_)) => {
                let mut resolved = Vec::with_capacity(rows.len());
                for (line, r) in &rows {
                    if let SiteRecord::Entry(e) = r {
                        resolved.push((*line, e, $ids.member(*line, &e.author)?));
                    }
                }
                let mut insert = sqlx::QueryBuilder::new(IMPORT_ENTRIES_HEAD);
                insert.push_values(&resolved, |mut row, (_, e, member_id)| {
                    row.push_bind(*member_id)
                        .push_bind(e.number)
                        .push_bind(e.title.as_str())
                        .push_bind(e.format.as_str())
                        .push_bind(e.body_source.as_str())
                        .push_bind(e.html.as_str())
                        .push_bind(month_key(e.published_at))
                        .push_bind(e.published_at)
                        .push_bind(e.updated_at)
                        .push_bind(e.sort_at)
                        .push_bind(e.in_recentlog)
                        .push_bind(e.syndicated_feed.as_deref())
                        .push_bind(e.syndicated_url.as_deref());
                });
                insert.push(ON_CONFLICT_SKIP);
                insert.push(" RETURNING id, member_id, number");
                let returned: Vec<(i64, i64, i64)> =
                    insert.build_query_as().fetch_all(&mut *$tx).await?;
                let entry_ids: HashMap<(i64, i64), i64> =
                    returned.iter().map(|&(id, member, number)| ((member, number), id)).collect();
                let keys = resolved.iter().map(|(line, e, member)| (*line, (*member, e.number)));
                if let Some(line) = first_skipped(keys, entry_ids.keys().copied()) {
                    return Err(invalid(line, "an entry number that appears twice for its author"));
                }
                let tags: Vec<(i64, i64, &str)> = resolved
                    .iter()
                    .flat_map(|(_, e, member)| {
                        let id = entry_ids[&(*member, e.number)];
                        e.tags.iter().map(move |tag| (id, *member, tag.as_str()))
                    })
                    .collect();
                for chunk in tags.chunks(TAG_BATCH) {
                    let mut insert = sqlx::QueryBuilder::new(IMPORT_TAGS_HEAD);
                    insert.push_values(chunk, |mut row, (id, member, tag)| {
                        row.push_bind(*id).push_bind(*member).push_bind(*tag);
                    });
                    insert.build().execute(&mut *$tx).await?;
                }
            }
            Some(SiteRecord::Cert(_)) => {
                let mut resolved = Vec::with_capacity(rows.len());
                for (line, r) in &rows {
                    if let SiteRecord::Cert(c) = r {
                        let issuer = $ids.member(*line, &c.issuer)?;
                        let subject = $ids.member(*line, &c.subject)?;
                        resolved.push((*line, c, issuer, subject));
                    }
                }
                // VALUES rows are inserted, and so numbered, in file order.
                let mut insert = sqlx::QueryBuilder::new(IMPORT_CERTS_HEAD);
                insert.push_values(&resolved, |mut row, (_, c, issuer, subject)| {
                    row.push_bind(*issuer)
                        .push_bind(*subject)
                        .push_bind(c.level.as_str())
                        .push_bind(c.created_at);
                });
                insert.push(ON_CONFLICT_SKIP);
                insert.push(" RETURNING issuer_id, subject_id");
                let returned: Vec<(i64, i64)> =
                    insert.build_query_as().fetch_all(&mut *$tx).await?;
                let keys = resolved.iter().map(|(line, _, i, s)| (*line, (*i, *s)));
                if let Some(line) = first_skipped(keys, returned) {
                    return Err(invalid(line, "a certification of the same pair twice"));
                }
            }
            Some(SiteRecord::Feed(_)) => {
                let mut resolved = Vec::with_capacity(rows.len());
                for (line, r) in &rows {
                    if let SiteRecord::Feed(f) = r {
                        resolved.push((f, $ids.member(*line, &f.member)?));
                    }
                }
                let mut insert = sqlx::QueryBuilder::new(IMPORT_FEEDS_HEAD);
                insert.push_values(&resolved, |mut row, (f, member_id)| {
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
                        .push_bind(f.consecutive_failures)
                        .push_bind(f.next_fetch_at)
                        .push_bind(f.created_at);
                });
                insert.push(" RETURNING id, member_id");
                let inserted: Vec<(i64, i64)> =
                    insert.build_query_as().fetch_all(&mut *$tx).await?;
                for (id, member_id) in inserted {
                    $ids.feeds.insert(member_id, id);
                }
            }
            Some(SiteRecord::FeedItem(_)) => {
                let mut resolved = Vec::with_capacity(rows.len());
                for (line, r) in &rows {
                    if let SiteRecord::FeedItem(i) = r {
                        let member_id = $ids.member(*line, &i.member)?;
                        let feed_id =
                            $ids.feeds.get(&member_id).copied().ok_or_else(|| {
                                invalid(*line, format!("{} has no feed", i.member))
                            })?;
                        resolved.push((*line, i, member_id, feed_id));
                    }
                }
                // The entry is looked up by (owner, number) inside the insert; a number
                // that names no entry comes back as a NULL entry_id.
                let mut insert = sqlx::QueryBuilder::new(IMPORT_FEED_ITEMS_HEAD);
                insert.push_values(&resolved, |mut row, (_, i, member_id, feed_id)| {
                    row.push_bind(*feed_id).push_bind(i.identity.as_str());
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
                insert.push(ON_CONFLICT_SKIP);
                insert.push(" RETURNING feed_id, identity, entry_id");
                let returned: Vec<(i64, String, Option<i64>)> =
                    insert.build_query_as().fetch_all(&mut *$tx).await?;
                let unlinked: HashSet<(i64, &str)> = returned
                    .iter()
                    .filter(|(_, _, entry)| entry.is_none())
                    .map(|(feed, identity, _)| (*feed, identity.as_str()))
                    .collect();
                for (line, i, _, feed_id) in &resolved {
                    if let Some(number) = i.entry {
                        if unlinked.contains(&(*feed_id, i.identity.as_str())) {
                            return Err(invalid(
                                *line,
                                format!("{} has no entry {number} before this line", i.member),
                            ));
                        }
                    }
                }
                let keys =
                    resolved.iter().map(|(line, i, _, feed)| (*line, (*feed, i.identity.clone())));
                let returned = returned.into_iter().map(|(feed, identity, _)| (feed, identity));
                if let Some(line) = first_skipped(keys, returned) {
                    return Err(invalid(
                        line,
                        "a feed item whose identity appears twice in its feed",
                    ));
                }
            }
            Some(SiteRecord::News(_)) => {
                let mut resolved = Vec::with_capacity(rows.len());
                for (line, r) in &rows {
                    if let SiteRecord::News(n) = r {
                        resolved.push((n, $ids.member(*line, &n.author)?));
                    }
                }
                let mut insert = sqlx::QueryBuilder::new(IMPORT_NEWS_HEAD);
                insert.push_values(&resolved, |mut row, (n, member_id)| {
                    row.push_bind(*member_id)
                        .push_bind(n.title.as_str())
                        .push_bind(n.body_source.as_str())
                        .push_bind(n.html.as_str())
                        .push_bind(n.published_at);
                });
                insert.build().execute(&mut *$tx).await?;
            }
        }
    }};
}

impl Store {
    /// How many rows of each exported kind the database holds now (for a progress bar's
    /// length before [`Store::export_site`]).
    pub async fn site_counts(&self) -> Result<SiteCounts, SiteError> {
        let row: CountRow = on_pool!(&self.db, pool => {
            sqlx::query_as(COUNT_SITE).fetch_one(pool).await?
        });
        Ok(counts_of(row))
    }

    /// Writes the whole site to `sink`, one record at a time in file order (header first, end
    /// record last), from one consistent snapshot read in batches: memory stays bounded
    /// whatever the size of the site. Returns what was written.
    pub async fn export_site(
        &self,
        exported_at: DateTime<Utc>,
        mut sink: impl FnMut(&SiteRecord) -> std::io::Result<()>,
    ) -> Result<SiteCounts, SiteError> {
        let mut put = |record: SiteRecord| sink(&record).map_err(SiteError::Write);
        let mut counts = SiteCounts::default();
        put(SiteRecord::Header(HeaderRecord {
            version: FORMAT_VERSION,
            exported_at: micros(exported_at),
        }))?;
        // One table in keyset batches: `key` is the last row's key, bound to the next query.
        macro_rules! export_table {
            ($tx:ident, $sql:expr, $row:ty, from $start:expr, key |$t:ident| $key:expr,
             count $count:ident, |$v:ident| $record:expr) => {{
                let mut last = $start;
                loop {
                    let rows: Vec<$row> = sqlx::query_as($sql)
                        .bind(&last)
                        .bind(EXPORT_BATCH)
                        .fetch_all(&mut *$tx)
                        .await?;
                    let Some($t) = rows.last() else { break };
                    last = $key;
                    for $v in rows {
                        counts.$count += 1;
                        put($record)?;
                    }
                }
            }};
        }
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            if let crate::db::Db::Postgres(_) = &self.db {
                sqlx::query(SNAPSHOT_POSTGRES).execute(&mut *tx).await?;
            }
            export_table!(tx, EXPORT_MEMBERS, MemberRow, from 0_i64, key |t| t.id,
                count members, |m| SiteRecord::Member(m.into_record()?));
            export_table!(tx, EXPORT_API_TOKENS, (String, String, DateTime<Utc>),
                from String::new(), key |t| t.0.clone(),
                count api_tokens, |t| SiteRecord::ApiToken(ApiTokenRecord {
                    member: t.1,
                    token_hash: t.0,
                    created_at: t.2,
                }));
            export_table!(tx, EXPORT_ENTRIES, EntryRow, from 0_i64, key |t| t.id,
                count entries, |e| SiteRecord::Entry(e.into_record()));
            export_table!(tx, EXPORT_CERTS, CertRow, from 0_i64, key |t| t.id,
                count certs, |c| SiteRecord::Cert(CertRecord {
                    issuer: c.issuer,
                    subject: c.subject,
                    level: c.level,
                    created_at: c.created_at,
                }));
            export_table!(tx, EXPORT_FEEDS, FeedRow, from 0_i64, key |t| t.id,
                count feeds, |f| SiteRecord::Feed(f.into_record()));
            let mut last = (0_i64, String::new());
            loop {
                let rows: Vec<FeedItemRow> = sqlx::query_as(EXPORT_FEED_ITEMS)
                    .bind(last.0)
                    .bind(last.1.as_str())
                    .bind(EXPORT_BATCH)
                    .fetch_all(&mut *tx)
                    .await?;
                let Some(tail) = rows.last() else { break };
                last = (tail.feed_id, tail.identity.clone());
                for i in rows {
                    counts.feed_items += 1;
                    put(SiteRecord::FeedItem(FeedItemRecord {
                        member: i.member,
                        identity: i.identity,
                        entry: i.entry,
                        content_hash: i.content_hash,
                        first_seen_at: i.first_seen_at,
                    }))?;
                }
            }
            export_table!(tx, EXPORT_NEWS, NewsRow, from 0_i64, key |t| t.id,
                count news, |n| SiteRecord::News(NewsRecord {
                    author: n.author,
                    title: n.title,
                    body_source: n.body_source,
                    html: n.html,
                    published_at: n.published_at,
                }));
            tx.commit().await?;
        });
        put(SiteRecord::End(EndRecord { counts }))?;
        Ok(counts)
    }

    /// Loads a site file into this database, which must be empty (no member). `records` are
    /// the file's lines in order — item `n` is line `n` — as [`read_records`] yields them.
    /// Every record is checked, and everything is written in one transaction: on any error
    /// (a bad line, a truncated file, counts that disagree) nothing is written, and the error
    /// names the line. `progress` hears how many lines have been written so far.
    pub async fn import_site(
        &self,
        records: impl IntoIterator<Item = Result<SiteRecord, SiteError>>,
        mut progress: impl FnMut(u64),
    ) -> Result<SiteCounts, SiteError> {
        let mut checker = Checker::default();
        let mut batch = Batch::default();
        let mut ids = Ids::default();
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin().await?;
            let members: i64 = sqlx::query_scalar(MEMBER_COUNT).fetch_one(&mut *tx).await?;
            if members > 0 {
                return Err(SiteError::NotEmpty { members });
            }
            for (item, line) in records.into_iter().zip(1_u64..) {
                let record = item?;
                let Some(record) =
                    checker.check(line, record).map_err(|message| invalid(line, message))?
                else {
                    continue;
                };
                if batch.must_flush_before(&record) {
                    write_batch!(tx, batch, ids);
                    progress(line - 1);
                }
                batch.rows.push((line, record));
            }
            write_batch!(tx, batch, ids);
            let counts = checker.finish()?;
            sqlx::query(RECOUNT_ENTRIES).execute(&mut *tx).await?;
            tx.commit().await?;
            progress(checker.lines);
            Ok(counts)
        })
    }
}

fn counts_of(row: CountRow) -> SiteCounts {
    let n = |v: i64| u64::try_from(v).unwrap_or_default();
    SiteCounts {
        members: n(row.0),
        api_tokens: n(row.1),
        entries: n(row.2),
        certs: n(row.3),
        feeds: n(row.4),
        feed_items: n(row.5),
        news: n(row.6),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_450_000_000, 123_456_789).unwrap()
    }

    fn header() -> SiteRecord {
        SiteRecord::Header(HeaderRecord { version: FORMAT_VERSION, exported_at: at() })
    }

    fn member(name: &str, next: i64) -> SiteRecord {
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
        })
    }

    fn entry(author: &str, number: i64, tags: &[&str]) -> SiteRecord {
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

    /// Feeds `records` to a checker from line 1; the first refusal as (line, message).
    fn check_all(records: Vec<SiteRecord>) -> Result<SiteCounts, (u64, String)> {
        let mut checker = Checker::default();
        for (record, line) in records.into_iter().zip(1..) {
            checker.check(line, record).map_err(|m| (line, m))?;
        }
        checker.finish().map_err(|e| match e {
            SiteError::Invalid { line, message } => (line, message),
            other => panic!("{other}"),
        })
    }

    fn end(members: u64, entries: u64) -> SiteRecord {
        SiteRecord::End(EndRecord {
            counts: SiteCounts { members, entries, ..SiteCounts::default() },
        })
    }

    #[test]
    fn a_well_formed_file_passes_with_its_counts() {
        let counts = check_all(vec![header(), member("a", 2), entry("a", 1, &["x"]), end(1, 1)]);
        assert_eq!(counts.map(|c| (c.members, c.entries, c.total())), Ok((1, 1, 2)));
    }

    #[test]
    fn order_references_and_values_are_checked_by_line() {
        let refused = |records: Vec<SiteRecord>| check_all(records).unwrap_err();
        assert_eq!(refused(vec![member("a", 0)]).0, 1, "the header comes first");
        assert_eq!(refused(vec![header(), header()]).0, 2);
        assert_eq!(refused(vec![header(), entry("a", 0, &[])]).0, 2, "unknown author");
        let (line, why) = refused(vec![header(), member("a", 1), entry("a", 1, &[])]);
        assert_eq!(line, 3);
        assert!(why.contains("next_entry_number 1"), "{why}");
        assert_eq!(refused(vec![header(), member("a", 1), member("a", 1)]).0, 3);
        assert_eq!(refused(vec![header(), member("A", 1)]).0, 2, "names as stored");
        assert_eq!(refused(vec![header(), member("a", 1), entry("a", 0, &["x", "x"])]).0, 3);
        assert_eq!(refused(vec![header(), member("a", 1), entry("a", 0, &["a\u{1f}b"])]).0, 3);
        for bad in ["Linux", "a/b", " spaced", ""] {
            let (line, why) = refused(vec![header(), member("a", 1), entry("a", 0, &[bad])]);
            assert_eq!(line, 3, "{bad:?}: {why}");
        }
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(refused(vec![header(), member("a", 1), entry("a", 0, &many)]).0, 3);
        assert_eq!(refused(vec![header(), end(0, 0), member("a", 0)]).0, 3, "after the end");
        let (line, why) = refused(vec![header(), member("a", 1), end(1, 1)]);
        assert_eq!(line, 3);
        assert!(why.contains("1 entries (the file holds 0)"), "{why}");
        let (line, why) = refused(vec![header(), member("a", 1)]);
        assert_eq!(line, 3);
        assert!(why.contains("truncated"), "{why}");
        assert_eq!(check_all(vec![]).unwrap_err().0, 1, "an empty file");
    }

    #[test]
    fn timestamps_keep_the_microseconds_both_backends_keep() {
        let mut checker = Checker::default();
        checker.check(1, header()).unwrap();
        let Some(SiteRecord::Member(m)) = checker.check(2, member("a", 0)).unwrap() else {
            panic!("a member")
        };
        assert_eq!(m.created_at.timestamp_subsec_nanos(), 123_456_000);
    }

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

    #[test]
    fn the_first_row_missing_from_returning_is_the_duplicate() {
        let rows = [(10, "a"), (11, "b"), (12, "a"), (13, "c")];
        assert_eq!(first_skipped(rows, ["a", "b", "c"]), Some(12), "a repeat within the batch");
        assert_eq!(first_skipped(rows, ["a", "c"]), Some(11), "a repeat of an earlier batch");
        assert_eq!(first_skipped([(1, "a"), (2, "b")], ["b", "a"]), None);
    }
}
