//! A member's own blog, syndicated into their diary (docs/design.md §3): linking it (a feed
//! or a page that announces one), unlinking it, and fetching it now. The engine
//! (`virgule-syndication`) does the work; this is the member's side of it, and the site's:
//! every feed's health for its admins, and the list of feeds the site publishes as OPML.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};
use virgule_store::{Feed, FeedStatus, Member};

use crate::error::{ErrorKind, SiteError, SiteResult};
use crate::news::require_admin;
use crate::{Site, rules};

impl Site {
    /// Every linked feed with its health, failing longest first ([`by_health`]); 403 unless
    /// `actor` is an admin.
    pub async fn feed_health(&self, actor: &Member) -> SiteResult<Vec<Feed>> {
        require_admin(actor)?;
        let mut feeds = self.store.linked_feeds().await?;
        by_health(&mut feeds);
        Ok(feeds)
    }

    /// The feeds the site lists publicly (`/opml.xml`): those being polled, of members not
    /// suspended nor hidden as spam, by member name.
    pub async fn listed_feeds(&self) -> SiteResult<Vec<Feed>> {
        Ok(self.store.listed_feeds().await?)
    }

    /// The member's feed as stored (its address, status and last fetches), if one was ever
    /// linked.
    pub async fn feed_of(&self, member: &Member) -> SiteResult<Option<Feed>> {
        Ok(self.store.feed_for_member(member.id).await?)
    }

    /// Links the member's feed at `url` (a feed or a page that announces one), or stops
    /// syndication when `url` is absent or blank (the entries already syndicated stay).
    /// Returns the feed as stored: for a new address, due now, its first fetch already
    /// started. An address the fetcher's policy refuses changes nothing.
    pub async fn link_feed(&self, member: &Member, url: Option<&str>) -> SiteResult<Option<Feed>> {
        let url = rules::feed_url(url)?;
        let syndicator = self.syndicator()?;
        match url {
            Some(url) => {
                let feed = syndicator.subscribe(member.id, url).await?;
                tracing::info!(member = %member.name, url, "feed linked");
                Ok(Some(feed))
            }
            None => {
                syndicator.unsubscribe(member.id).await?;
                self.feed_of(member).await
            }
        }
    }

    /// Fetches the member's linked feed now (a conditional GET) and returns its status
    /// afterwards; 404 `no_feed` when none is linked (never, or stopped).
    pub async fn refresh_feed(&self, member: &Member) -> SiteResult<Feed> {
        let feed = self.syndicator()?.refresh(member.id).await?;
        feed.filter(|feed| feed.url.is_some()).ok_or_else(|| {
            SiteError::new(
                ErrorKind::NotFound,
                "no_feed",
                "no feed is linked to your diary; set its address first",
            )
        })
    }
}

/// Whether a feed is failing: its last fetch failed, or its server said it is gone.
pub fn is_failing(feed: &Feed) -> bool {
    feed.last_error.is_some() || feed.status == FeedStatus::Gone
}

/// Sorts feeds for an admin looking for trouble: failing feeds first, the one failing longest
/// (oldest last success; never read at all before that) at the top, more failures in a row
/// breaking ties; then the healthy ones, in the order given. Stable.
pub fn by_health(feeds: &mut [Feed]) {
    feeds.sort_by_key(|feed| {
        let failing = is_failing(feed);
        let since = feed.last_success_at.unwrap_or(DateTime::<Utc>::MIN_UTC);
        let failing_key = failing.then_some((since, Reverse(feed.consecutive_failures)));
        (Reverse(failing), failing_key)
    });
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use virgule_store::MemberName;

    use super::*;

    fn feed(name: &str, last_success: Option<u32>, error: bool, failures: i64) -> Feed {
        let day = |d: u32| Utc.with_ymd_and_hms(2026, 11, d, 12, 0, 0).unwrap();
        Feed {
            id: 1,
            member_id: 1,
            member: MemberName::parse(name).unwrap(),
            url: Some(format!("https://{name}.example/feed/")),
            status: FeedStatus::Active,
            title: String::new(),
            site_link: None,
            etag: None,
            last_modified: None,
            last_fetch_at: None,
            last_success_at: last_success.map(day),
            last_error: error.then(|| "HTTP 500".to_owned()),
            last_warnings: vec![],
            consecutive_failures: failures,
            next_fetch_at: None,
            entry_count: 0,
        }
    }

    #[test]
    fn failing_longest_comes_first_and_healthy_feeds_keep_their_order() {
        let mut feeds = vec![
            feed("alice", Some(20), false, 0),
            feed("bob", Some(10), true, 3),
            feed("carol", None, true, 1),
            feed("dave", Some(25), false, 0),
            feed("erin", Some(10), true, 9),
            feed("frank", Some(28), true, 1),
        ];
        let mut gone = feed("gwen", Some(27), false, 0);
        gone.status = FeedStatus::Gone;
        feeds.push(gone);
        by_health(&mut feeds);
        let order: Vec<&str> = feeds.iter().map(|f| f.member.as_str()).collect();
        assert_eq!(order, ["carol", "erin", "bob", "gwen", "frank", "alice", "dave"]);
    }
}
