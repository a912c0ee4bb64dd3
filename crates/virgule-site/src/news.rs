//! Site news ("New Virgule Features"): only a site admin posts it.

use virgule_store::{Member, NewsItem};

use crate::error::{SiteError, SiteResult};
use crate::{Site, rules};

impl Site {
    /// Posts a news item (a title and Markdown text); 403 for anyone but a site admin.
    pub async fn post_news(
        &self,
        author: &Member,
        title: &str,
        body: &str,
    ) -> SiteResult<NewsItem> {
        require_admin(author)?;
        let (title, html) = self.news_draft(title, body).await?;
        let item = self.store.create_news(author.id, &title, body, &html).await?;
        tracing::info!(member = %author.name, id = item.id, "news posted");
        Ok(item)
    }

    /// A news item as it would be posted, for a preview: (title, html), shortcuts linked.
    pub async fn news_draft(&self, title: &str, body: &str) -> SiteResult<(String, String)> {
        let known = self.shortcut_links(body).await?;
        rules::news(title, body, &known)
    }
}

/// The permission of every admin-only action.
pub fn require_admin(member: &Member) -> SiteResult<&Member> {
    if member.is_admin {
        Ok(member)
    } else {
        Err(SiteError::forbidden("only a site admin may do that"))
    }
}
