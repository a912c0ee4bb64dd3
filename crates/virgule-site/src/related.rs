//! Related posts (docs/design.md "Related posts"): under each entry, up to three entries
//! like it, the same member's first, then the site's, each with its title and a short
//! excerpt, as WordPress's related-posts plugins show them on the seed blog.
//!
//! Similarity is the full-text index's relevance (BM25 on SQLite, `ts_rank` on PostgreSQL)
//! for an entry's key words ([`key_words`]: its title's words, its tags, its body's most used
//! long words). Lists are computed away from requests, by [`Site::refresh_related`], which
//! `serve` and `worker` run while any list is due ([`run_related`]); a page only reads the
//! stored list.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use virgule_store::{RelatedEntry, RelatedSource, SearchQuery, SearchTerm};

use crate::Site;
use crate::error::SiteResult;

/// Entries shown under an entry.
pub const RELATED_SHOWN: usize = 3;
/// Key words an entry's list is computed from, at most.
pub const MAX_KEY_WORDS: usize = 12;
/// Words of the body considered: at least this long (shorter ones are mostly grammar).
const MIN_BODY_WORD: usize = 4;
/// Lists computed per pass.
const BATCH: i64 = 100;
/// How often the refresher looks for due lists when it found none.
const IDLE: Duration = Duration::from_secs(2);

/// English function words, which say nothing about what a post is about.
const STOP_WORDS: &[&str] = &[
    "about", "above", "after", "again", "also", "an", "and", "any", "are", "because", "been",
    "before", "being", "between", "both", "but", "can", "could", "did", "does", "doing", "down",
    "during", "each", "even", "every", "few", "for", "from", "further", "had", "has", "have",
    "having", "her", "here", "hers", "him", "his", "how", "into", "its", "just", "like", "more",
    "most", "much", "must", "not", "now", "off", "once", "only", "other", "our", "ours", "out",
    "over", "own", "same", "she", "should", "some", "such", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "through", "too", "under", "until", "very",
    "was", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "you", "your", "yours", "really", "think", "thing", "things", "still", "well", "make",
    "made", "many", "want", "used", "using", "use",
];

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word)
}

fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase)
}

/// The words an entry is about, most telling first: its tags, its title's words (three
/// letters or more), then its body's words of [`MIN_BODY_WORD`] letters or more, most used
/// first (longer first among equals); function words left out, none twice, at most
/// [`MAX_KEY_WORDS`]. Pure.
pub fn key_words(title: &str, tags: &[String], text: &str) -> Vec<String> {
    let mut chosen: Vec<String> = Vec::new();
    let take = |word: String, chosen: &mut Vec<String>| {
        if chosen.len() < MAX_KEY_WORDS && !is_stop_word(&word) && !chosen.contains(&word) {
            chosen.push(word);
        }
    };
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.chars().any(char::is_alphanumeric) {
            take(tag, &mut chosen);
        }
    }
    for word in words(title).filter(|w| w.chars().count() >= 3) {
        take(word, &mut chosen);
    }
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (position, word) in words(text).enumerate() {
        if word.chars().count() >= MIN_BODY_WORD && !word.chars().all(|c| c.is_ascii_digit()) {
            counts.entry(word).or_insert((0, position)).0 += 1;
        }
    }
    let mut body: Vec<(String, (usize, usize))> = counts.into_iter().collect();
    // Most used first; then longer; then earlier in the text (a stable, deterministic order).
    body.sort_by(|(a, (ca, pa)), (b, (cb, pb))| {
        cb.cmp(ca).then(b.chars().count().cmp(&a.chars().count())).then(pa.cmp(pb))
    });
    for (word, _) in body {
        take(word, &mut chosen);
    }
    chosen
}

/// Up to [`RELATED_SHOWN`] entries for `source`: the same member's best first, then the
/// site's, never the entry itself nor one twice. Pure.
pub fn pick_related(source_id: i64, same_member: &[i64], site: &[i64]) -> Vec<i64> {
    let mut picked = Vec::with_capacity(RELATED_SHOWN);
    for &id in same_member.iter().chain(site) {
        if picked.len() == RELATED_SHOWN {
            break;
        }
        if id != source_id && !picked.contains(&id) {
            picked.push(id);
        }
    }
    picked
}

impl Site {
    /// Computes the related lists that are due, up to one batch. Returns how many entries it
    /// looked at (0: none was due).
    pub async fn refresh_related(&self) -> SiteResult<usize> {
        let due = self.store.entries_due_for_related(BATCH).await?;
        for source in &due {
            let related = self.related_to(source).await?;
            self.store.set_related(source, &related).await?;
        }
        Ok(due.len())
    }

    async fn related_to(&self, source: &RelatedSource) -> SiteResult<Vec<i64>> {
        let key = key_words(&source.title, &source.tags, &source.text);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let query = SearchQuery {
            any: key.into_iter().map(|text| SearchTerm { text, prefix: false }).collect(),
            ..SearchQuery::default()
        };
        // One more than shown: the entry itself is among its own best matches.
        let wanted = RELATED_SHOWN as i64 + 1;
        let (mine, site) = tokio::try_join!(
            self.store.best_matching_entries(&query, Some(source.member_id), wanted),
            self.store.best_matching_entries(&query, None, wanted + RELATED_SHOWN as i64),
        )?;
        Ok(pick_related(source.id, &mine, &site))
    }

    /// The related list stored for entry `entry_id` (empty until computed).
    pub async fn related_posts(&self, entry_id: i64) -> SiteResult<Vec<RelatedEntry>> {
        Ok(self.store.related_for_entry(entry_id).await?)
    }
}

/// Keeps related lists current until `shutdown` completes: a pass whenever some are due,
/// else a look every two seconds (entries written by other processes included). A failure is
/// logged and retried at the next look.
pub async fn run_related(site: Site, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        let pause = match site.refresh_related().await {
            Ok(0) => IDLE,
            Ok(n) => {
                tracing::debug!(entries = n, "related posts computed");
                Duration::ZERO
            }
            Err(e) => {
                tracing::error!(error = %e, "computing related posts failed");
                IDLE
            }
        };
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = &mut shutdown => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_words_are_tags_title_then_the_bodys_most_used_long_words() {
        let text = "Packaging SELinux policy. The policy modules need packaging; \
                    packaging policy is work. We were there and that was that.";
        let words = key_words("SE Linux on Debian", &["debian".into(), "SE Linux".into()], text);
        assert_eq!(
            words,
            [
                "debian",
                "se linux",
                "linux",
                "packaging",
                "policy",
                "selinux",
                "modules",
                "need",
                "work"
            ]
        );
        let long = "word ".repeat(3) + &(0..40).map(|i| format!("term{i} ")).collect::<String>();
        assert_eq!(key_words("", &[], &long).len(), MAX_KEY_WORDS);
        assert!(key_words("The and of", &[], "that this with").is_empty());
    }

    #[test]
    fn the_same_members_entries_come_first_without_the_entry_or_repeats() {
        assert_eq!(pick_related(7, &[7, 3], &[9, 3, 7, 4, 5]), [3, 9, 4]);
        assert_eq!(pick_related(7, &[], &[7]), Vec::<i64>::new());
    }
}
