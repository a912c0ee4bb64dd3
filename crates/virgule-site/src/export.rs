//! A member's own writing, whole, for them to take elsewhere (`GET /api/v1/settings/export`):
//! their diary with what they typed, their articles, their replies, the certifications they
//! gave, and the drafts an import of their blog kept aside. Only the member themself may ask:
//! the web layer passes the signed-in member.

use virgule_store::{Article, Cert, Entry, KeptPost, Member, Reply};

use crate::Site;
use crate::error::SiteResult;

/// Everything one member wrote, oldest first in each list.
#[derive(Debug, Clone)]
pub struct Writing {
    pub member: Member,
    /// Each diary entry with its source (Markdown or HTML, as typed or syndicated).
    pub entries: Vec<(Entry, String)>,
    pub articles: Vec<Article>,
    /// Replies not deleted, wherever they were posted.
    pub replies: Vec<Reply>,
    pub certs_given: Vec<Cert>,
    /// Drafts, pending and private posts an import of their blog kept aside.
    pub kept: Vec<KeptPost>,
}

impl Site {
    /// `member`'s own writing, whole ([`Writing`]).
    pub async fn writing_of(&self, member: &Member) -> SiteResult<Writing> {
        let (entries, articles, replies, certs_given, kept) = tokio::try_join!(
            self.store.entries_written_by(member.id),
            self.store.articles_written_by(member.id),
            self.store.replies_written_by(member.id),
            self.store.certs_given(member.id),
            self.store.kept_posts(member.id),
        )?;
        Ok(Writing { member: member.clone(), entries, articles, replies, certs_given, kept })
    }
}
