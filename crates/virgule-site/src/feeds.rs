//! A member's own blog, syndicated into their diary (docs/design.md §3): linking it (a feed
//! or a page that announces one), unlinking it, and fetching it now. The engine
//! (`virgule-syndication`) does the work; this is the member's side of it.

use virgule_store::{Feed, Member};

use crate::error::{ErrorKind, SiteError, SiteResult};
use crate::{Site, rules};

impl Site {
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
