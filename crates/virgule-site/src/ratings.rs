//! Diary ratings (docs/trust.md "Diary ratings"): a member rating how interesting another's
//! diary is, 1 to 10, and the recent log as a signed-in reader sees it, with each author's
//! propagated score and the reader's interest threshold. Scores follow in the background.

use virgule_store::{Entry, InterestScore, Member, MemberName, Page, TrustLevel};

use crate::error::{SiteError, SiteResult};
use crate::{Site, rules};

/// One entry of the recent log with its author's score for this reader (`None`: no rating
/// of the author reached the reader).
#[derive(Debug, Clone)]
pub struct ScoredEntry {
    pub entry: Entry,
    pub interest: Option<InterestScore>,
}

/// A page of the recent log as a signed-in reader sees it.
#[derive(Debug, Clone)]
pub struct ScoredLog {
    /// The entries shown.
    pub entries: Vec<ScoredEntry>,
    /// An older page exists.
    pub has_more: bool,
    /// Entries of this page hidden by the interest threshold.
    pub suppressed: usize,
}

impl Site {
    /// Records `rater`'s rating of the diary of the member named `author`: `rating` as sent
    /// (1 to 10, or `none` to withdraw; see [`rules::rating`]). Returns the author and the
    /// rating now recorded. Rating oneself is refused; an unknown author is a 404; a refusal
    /// stores nothing.
    pub async fn rate(
        &self,
        rater: &Member,
        author: &str,
        rating: &str,
    ) -> SiteResult<(Member, Option<u8>)> {
        let rating = rules::rating(rating)?;
        let author = self.member_named(author.trim()).await?;
        if rater.id == author.id {
            return Err(SiteError::bad_input("refused", "members cannot rate their own diary"));
        }
        match rating {
            Some(rating) => self.store.rate(rater.id, author.id, rating).await?,
            None => {
                self.store.withdraw_rating(rater.id, author.id).await?;
            }
        }
        // Scores follow in the background, a moment later.
        self.interest.changed();
        tracing::info!(rater = %rater.name, author = %author.name, ?rating, "rating set");
        Ok((author, rating))
    }

    /// The recent log at trust `level` and above as `reader` sees it: each entry with its
    /// author's score for the reader, and with `interest` (a threshold from
    /// [`rules::interest_threshold`]) the entries whose author's mean is below it left out
    /// and counted. Unrated authors (no score) are always shown.
    pub async fn recent_log_for(
        &self,
        reader: &Member,
        level: TrustLevel,
        page: Page,
        interest: Option<f64>,
    ) -> SiteResult<ScoredLog> {
        let log = self.recent_log(level, page).await?;
        let mut authors: Vec<MemberName> = log.entries.iter().map(|e| e.author.clone()).collect();
        authors.sort_unstable();
        authors.dedup();
        let scores = self.store.interest_scores(reader.id, &authors).await?;
        let mut suppressed = 0;
        let entries = log
            .entries
            .into_iter()
            .map(|entry| ScoredEntry { interest: scores.get(&entry.author).copied(), entry })
            .filter(|scored| match (interest, scored.interest) {
                (Some(threshold), Some(score)) if score.mean < threshold => {
                    suppressed += 1;
                    false
                }
                _ => true,
            })
            .collect();
        Ok(ScoredLog { entries, has_more: log.has_more, suppressed })
    }
}
