//! What every syndication test starts from: a fresh store (SQLite, or PostgreSQL when
//! `VIRGULE_TEST_DATABASE_URL` is set), an origin, members, and small RSS documents written
//! in the test so that each one shows exactly the feed behaviour it is about.

use chrono::{DateTime, Utc};
use virgule_feeds::fetch::FetchPolicy;
use virgule_store::testing::TestDb;
use virgule_store::{Entry, Feed, MemberName, NewMember, Page, Store, TrustLevel};
use virgule_syndication::{Settings, Syndicator};

use crate::origin::Origin;

/// A store with its guard, an origin, and an engine allowed to fetch from loopback.
pub struct World {
    pub store: Store,
    /// Keeps the test database alive.
    pub db: TestDb,
    pub origin: Origin,
    pub syndicator: Syndicator,
}

impl World {
    pub async fn new() -> Self {
        Self::with(lax()).await
    }

    pub async fn with(settings: Settings) -> Self {
        let (store, db) = virgule_store::testing::fresh_store().await;
        let origin = Origin::start().await;
        let syndicator = Syndicator::new(store.clone(), settings).expect("syndicator");
        Self { store, db, origin, syndicator }
    }

    /// A new member called `name`.
    pub async fn member(&self, name: &str) -> i64 {
        let new = NewMember {
            name: MemberName::parse(name).expect("a valid name"),
            email: None,
            password_hash: String::new(),
        };
        self.store.create_member(&new).await.expect("create member").id
    }

    /// Links `path` on the origin as the member's feed, due now, without fetching it (the
    /// way the scheduler finds feeds).
    pub async fn link(&self, member_id: i64, path: &str) -> Feed {
        self.store
            .subscribe_feed(member_id, &self.origin.url(path), virgule_store::now())
            .await
            .expect("subscribe feed")
    }

    /// Fetches the member's feed now and returns its status afterwards.
    pub async fn refresh(&self, member_id: i64) -> Feed {
        self.syndicator.refresh(member_id).await.expect("refresh").expect("a linked feed")
    }

    pub async fn feed(&self, member_id: i64) -> Feed {
        self.store.feed_for_member(member_id).await.expect("feed").expect("a linked feed")
    }

    /// The member's whole diary, newest first.
    pub async fn diary(&self, member_id: i64) -> Vec<Entry> {
        self.store.entries_for_member(member_id, all()).await.expect("diary")
    }

    /// The site's whole recent log, newest first.
    pub async fn recent_log(&self) -> Vec<Entry> {
        self.store.recent_entries(TrustLevel::Observer, all()).await.expect("recent log")
    }

    /// How many posts of the member's feed are known (entries and tombstones).
    pub async fn known_items(&self, member_id: i64) -> usize {
        let feed = self.feed(member_id).await;
        self.store.feed_items(feed.id).await.expect("feed items").len()
    }
}

/// Settings for a loopback origin: private addresses allowed, the rest as configured.
pub fn lax() -> Settings {
    Settings {
        fetch: FetchPolicy { allow_private: true, ..Default::default() },
        ..Default::default()
    }
}

fn all() -> Page {
    Page { start: 0, limit: 10_000 }
}

/// An RFC 3339 date.
pub fn date(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).expect("a test date").to_utc()
}

/// Titles of `entries`, in their order.
pub fn titles(entries: &[Entry]) -> Vec<&str> {
    entries.iter().map(|e| e.title.as_str()).collect()
}

/// One post of a feed written by [`rss`].
#[derive(Debug, Clone)]
pub struct Post<'a> {
    pub guid: &'a str,
    pub title: &'a str,
    /// RFC 822, as RSS has it; `None` for an undated post.
    pub date: Option<&'a str>,
    /// Escaped into the `<description>`.
    pub body: &'a str,
}

impl<'a> Post<'a> {
    pub fn new(guid: &'a str, title: &'a str, date: Option<&'a str>, body: &'a str) -> Self {
        Self { guid, title, date, body }
    }
}

/// An RSS 2.0 feed titled `title` with `posts`, newest first as blogs list them. Each post's
/// link is its guid when that is a URL.
pub fn rss(title: &str, posts: &[Post<'_>]) -> String {
    let items: String = posts
        .iter()
        .map(|p| {
            let date = p.date.map(|d| format!("<pubDate>{d}</pubDate>")).unwrap_or_default();
            let link = if p.guid.starts_with("http") {
                format!("<link>{}</link>", p.guid)
            } else {
                String::new()
            };
            format!(
                "<item><title>{}</title>{link}<guid isPermaLink=\"false\">{}</guid>{date}\
                 <description>{}</description></item>",
                escape(p.title),
                escape(p.guid),
                escape(p.body)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>{}</title><link>https://blog.example.net/</link>{items}</channel></rss>",
        escape(title)
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
