//! What anyone may read about a member and the recent log: the reads that carry a rule (who
//! is shown, how a page is cut), so that pages, the API and feeds read them alike.

use virgule_store::{Cert, CertLevel, Entry, Member, MemberProject, Page, TrustLevel};

use crate::Site;
use crate::error::SiteResult;

/// A member's public profile with what it lists.
#[derive(Debug, Clone)]
pub struct Profile {
    pub member: Member,
    /// The homepage, only if it is an absolute http(s) address (settings accept nothing
    /// else; this guards rows written by other means, e.g. an imported file).
    pub homepage: Option<String>,
    /// The newest entries, newest first, as many as asked for.
    pub latest: Vec<Entry>,
    /// Certifications received, by issuer name, and given, by subject name.
    pub received: Vec<Cert>,
    pub given: Vec<Cert>,
    /// The blog feed syndicated into the diary, while one is linked.
    pub feed_url: Option<String>,
    /// The member's front-page articles as `(number, title)`, newest first.
    pub articles: Vec<(virgule_store::ArticleNumber, String)>,
    /// The projects the member stated a relation to, by project name.
    pub projects: Vec<MemberProject>,
    /// The reader's own certification of this member, when the reader is another signed-in
    /// member (`Some(None)`: none yet); `None` when the reader may not certify them.
    pub reader_cert: Option<Option<CertLevel>>,
    /// The reader's own rating of this member's diary, when the reader is another signed-in
    /// member (`Some(None)`: none yet); `None` when the reader may not rate it.
    pub reader_rating: Option<Option<u8>>,
}

/// A page of the recent log.
#[derive(Debug, Clone)]
pub struct RecentLog {
    pub entries: Vec<Entry>,
    /// An older page exists.
    pub has_more: bool,
}

impl Site {
    /// The profile of the member named `name` (404 if none), with their `latest` entries,
    /// as `reader` sees it.
    pub async fn profile(
        &self,
        name: &str,
        latest: i64,
        reader: Option<&Member>,
    ) -> SiteResult<Profile> {
        let member = self.member_named(name).await?;
        let store = &self.store;
        let (latest, received, given, feed, articles, projects) = tokio::try_join!(
            async {
                match latest {
                    0 => Ok(Vec::new()),
                    limit => store.entries_for_member(member.id, Page { start: 0, limit }).await,
                }
            },
            store.certs_received(member.id),
            store.certs_given(member.id),
            store.feed_for_member(member.id),
            store.articles_for_member(member.id),
            store.member_projects(member.id),
        )?;
        let (reader_cert, reader_rating) = match reader {
            Some(reader) if reader.id != member.id => {
                let (cert, rating) = tokio::try_join!(
                    store.cert_level(reader.id, member.id),
                    store.rating(reader.id, member.id),
                )?;
                (Some(cert), Some(rating))
            }
            _ => (None, None),
        };
        let homepage = Some(member.homepage.clone())
            .filter(|h| h.starts_with("https://") || h.starts_with("http://"));
        Ok(Profile {
            homepage,
            latest,
            received,
            given,
            feed_url: feed.and_then(|feed| feed.url),
            articles,
            projects,
            reader_cert,
            reader_rating,
            member,
        })
    }

    /// The recent log at trust `level` and above: every member's entries, newest first, a
    /// page of `page.limit` from `page.start`, and whether an older page exists.
    pub async fn recent_log(&self, level: TrustLevel, page: Page) -> SiteResult<RecentLog> {
        // One more than a page tells whether an older page exists, without counting.
        let mut entries = self
            .store
            .recent_entries(level, Page { start: page.start, limit: page.limit.saturating_add(1) })
            .await?;
        let has_more = entries.len() as i64 > page.limit;
        entries.truncate(usize::try_from(page.limit).unwrap_or(0));
        Ok(RecentLog { entries, has_more })
    }
}
