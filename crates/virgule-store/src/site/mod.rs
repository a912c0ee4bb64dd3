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
//! 6. `rating` (rater, author, rating 1–10, when), in creation order;
//! 7. `feed` (status, schedule, HTTP validators, last error, the last read's warnings), one
//!    per member at most;
//! 8. `feed_item` (a post already seen: its identity, hash, and the number of the owner's
//!    entry it became, or `null` for a tombstone: a post whose entry was deleted and must not
//!    come back);
//! 9. `news`, in publication order;
//! 10. `article` (number, author, lead and body as typed and as HTML), in number order;
//! 11. `reply` (its item — an article's number, or an entry's author and number — and the
//!     reply it answers as that reply's position among the file's `reply` records, 0-based;
//!     a "[deleted]" placeholder has `deleted` and no text), in posting order, so a parent
//!     always comes before its answers;
//! 12. `project` (name, description, homepage, licence, creator's name), in creation order;
//! 13. `project_person` (project name, member name, relation), by project then member;
//! 14. `{"type":"end","counts":{"members":N,…}}`, always the last line.
//!
//! Not carried: sessions (everyone logs in again after a move), feed claims, named leases and
//! the rate limits' attempt counts (they belong to the processes of the old database), the last trust run's summary (the next
//! run writes it), the interest scores derived from ratings (the next computation makes
//! them) and what is derived from the rows above (entry counts per member, months of the
//! archive, the entries' place in the recent log by level), which the import recomputes.
//!
//! Spam flags and the spam state of items and accounts (migration 0009) are deliberately not
//! carried either, in this version: they are pending moderation, not content. What admins
//! removed is gone from the file already; everything else arrives shown and unflagged, and an
//! admin's "not spam" is forgotten. Decide the admin page's queue before a move (or purge
//! spam accounts with `virgule user purge NAME`); carrying flags by names (flagger, item as
//! its address names it, weight, time) and the states is future work.
//!
//! # Guarantees
//!
//! Export reads one consistent snapshot in batches by id (keyset pagination), and import
//! writes in batches: a site of a million entries moves with bounded memory. Import loads only
//! into an empty database, checks every line (names, levels, formats, references to members
//! and entries earlier in the file, duplicates, the end record's counts) and writes everything
//! in one transaction: a bad line anywhere, or a truncated file, leaves the database empty,
//! with an error naming the line and why.
//!
//! # Layout
//!
//! `format` holds the records (the file's one definition), `check` the pure checker of a
//! file's lines, `export` and `import` the database side: one function per record kind.
//! Entries go in through the store's one entry insert, the same as every other writer's.

mod check;
mod export;
mod format;
mod import;

use chrono::{DateTime, SubsecRound, Utc};

pub use self::format::{
    ApiTokenRecord, ArticleRecord, CertRecord, EndRecord, EntryRecord, FORMAT_VERSION,
    FeedItemRecord, FeedRecord, HeaderRecord, MemberRecord, NewsRecord, ProjectPersonRecord,
    ProjectRecord, RatingRecord, ReplyRecord, SiteCounts, SiteRecord, parse_line, read_records,
    to_line,
};
use crate::StoreError;

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

/// A time as both backends keep it (PostgreSQL keeps microseconds), so that a record reads
/// back as it was written.
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    at.trunc_subsecs(6)
}
