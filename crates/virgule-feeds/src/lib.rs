//! Virgule's syndication core, without I/O: the bytes of a feed (any of RSS 0.9x, 1.0, 2.0,
//! Atom 0.3 and 1.0, JSON Feed 1.0 and 1.1, in any declared or guessed encoding) in, one
//! normalized model with sanitized HTML out (docs/design.md §3). The [`fetch`] module gets those bytes
//! over HTTP behind an SSRF guard; storing lives elsewhere.
//!
//! Around that core, still without I/O: [`discover_feeds`] finds the feeds an HTML page
//! announces (when a member gives their home page, which [`looks_like_html`] tells apart
//! from a feed), and [`SchedulePolicy`] says when to fetch next, after a success (lengthened
//! by cache hints and the RSS `ttl` on [`NormalizedFeed`]) or a failure (exponential backoff,
//! lengthened by [`fetch::FetchError::retry_after`]).
//!
//! ```
//! use chrono::Utc;
//! let bytes = br#"<rss version="2.0"><channel><title>Blog</title><link>https://blog.example/</link>
//!   <item><title>AT&amp;amp;T</title><link>/posts/1</link>
//!   <description>&lt;p&gt;Hi&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;</description></item>
//! </channel></rss>"#;
//! let url = url::Url::parse("https://blog.example/feed").unwrap();
//! let parsed = virgule_feeds::parse(bytes, Some("application/rss+xml"), Some(&url)).unwrap();
//! let feed = virgule_feeds::normalize(parsed, Utc::now());
//! let entry = &feed.entries[0];
//! assert_eq!(entry.title.as_deref(), Some("AT&amp;T"));
//! assert_eq!(entry.link.as_deref(), Some("https://blog.example/posts/1"));
//! assert_eq!(entry.id, "https://blog.example/posts/1");
//! assert_eq!(entry.body_html(), Some("<p>Hi</p>"));
//! ```
//!
//! [`parse`] refuses hostile input (over-size bodies, entity declarations, deep nesting) and
//! every parser failure as a [`FeedError`]; [`normalize`] is pure, taking the fetch time as
//! `now`; [`inspect_json`] does both and prints what `virgule feed inspect` shows.

mod date;
mod decode;
mod discover;
mod error;
pub mod fetch;
mod inspect;
mod normalize;
mod parse;
mod read;
mod schedule;

pub use date::parse_date;
pub use decode::{DecodeRule, Decoded, decode};
pub use discover::{discover_feeds, looks_like_html};
pub use error::FeedError;
pub use inspect::inspect_json;
pub use normalize::{Author, FeedInfo, NormalizedEntry, NormalizedFeed, identity_key, normalize};
pub use parse::{Limits, ParsedFeed, parse, parse_with_limits};
pub use schedule::SchedulePolicy;
