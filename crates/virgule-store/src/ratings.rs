//! Diary ratings (docs/trust.md "Diary ratings"): one current rating 1–10 per (rater,
//! author), and the per-reader interest scores the background computation derives from them
//! and the certifications.

use std::collections::HashMap;

use crate::db::{keep_prepared, on_pool};
use crate::members::stored_name;
use crate::{MemberName, Result, Store, StoreError};

/// One reader's computed view of one author's diary (see `virgule_trust::interest`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InterestScore {
    /// 1.0 for the reader's own rating; less the further it travelled.
    pub confidence: f64,
    /// The confidence-weighted mean rating, 1 to 10.
    pub mean: f64,
    /// The confidence-weighted mean of the squared ratings.
    pub mean_sq: f64,
}

/// A computed score to store: `(reader_id, author_id, score)`.
pub type InterestRow = (i64, i64, InterestScore);

const UPSERT_RATING: &str = "INSERT INTO ratings (rater_id, author_id, rating, rated_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (rater_id, author_id) \
     DO UPDATE SET rating = excluded.rating, rated_at = excluded.rated_at";

const DELETE_RATING: &str = "DELETE FROM ratings WHERE rater_id = $1 AND author_id = $2";

const RATING: &str = "SELECT rating FROM ratings WHERE rater_id = $1 AND author_id = $2";

const ALL_RATINGS: &str = "SELECT rater_id, author_id, rating FROM ratings ORDER BY id";

const DELETE_INTEREST_SCORES: &str = "DELETE FROM interest_scores";

const INSERT_INTEREST_SCORES: &str =
    "INSERT INTO interest_scores (reader_id, author_id, confidence, mean, mean_sq) ";

const INTEREST_SCORES_HEAD: &str = "SELECT m.name, s.confidence, s.mean, s.mean_sq \
     FROM interest_scores s JOIN members m ON m.id = s.author_id WHERE s.reader_id = ";

const INTEREST_SCORE_COUNT: &str = "SELECT COUNT(*) FROM interest_scores";

/// Scores written per multi-row `INSERT`: 5 parameters each, far below both backends' limits.
const SCORE_BATCH: usize = 1_000;

fn stored_rating(raw: i16) -> Result<u8> {
    u8::try_from(raw)
        .ok()
        .filter(|r| (1..=10).contains(r))
        .ok_or_else(|| StoreError::Corrupt(format!("rating {raw}")))
}

impl Store {
    /// Records that `rater_id` rates `author_id`'s diary `rating` (1–10), replacing an earlier
    /// rating of the pair. Rating oneself, or out of range, is [`StoreError::Refused`].
    pub async fn rate(&self, rater_id: i64, author_id: i64, rating: u8) -> Result<()> {
        if rater_id == author_id {
            return Err(StoreError::Refused("members cannot rate their own diary".to_owned()));
        }
        if !(1..=10).contains(&rating) {
            return Err(StoreError::Refused(format!("a rating is 1 to 10, not {rating}")));
        }
        let rated_at = crate::now();
        on_pool!(&self.db, pool => {
            sqlx::query(UPSERT_RATING)
                .bind(rater_id)
                .bind(author_id)
                .bind(i16::from(rating))
                .bind(rated_at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Withdraws `rater_id`'s rating of `author_id`; `false` if there was none.
    pub async fn withdraw_rating(&self, rater_id: i64, author_id: i64) -> Result<bool> {
        let deleted = on_pool!(&self.db, pool => {
            sqlx::query(DELETE_RATING)
                .bind(rater_id)
                .bind(author_id)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }

    /// `rater_id`'s current rating of `author_id`, if any.
    pub async fn rating(&self, rater_id: i64, author_id: i64) -> Result<Option<u8>> {
        let rating: Option<i16> = on_pool!(&self.db, pool => {
            sqlx::query_scalar(RATING).bind(rater_id).bind(author_id).fetch_optional(pool).await?
        });
        rating.map(stored_rating).transpose()
    }

    /// Every current rating as `(rater_id, author_id, rating)`, oldest first: the interest
    /// computation's input.
    pub async fn all_ratings(&self) -> Result<Vec<(i64, i64, u8)>> {
        let rows: Vec<(i64, i64, i16)> = on_pool!(&self.db, pool => {
            sqlx::query_as(ALL_RATINGS).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(rater, author, rating)| Ok((rater, author, stored_rating(rating)?)))
            .collect()
    }

    /// Replaces every stored interest score with `scores`, in one transaction, so that pages
    /// read either the previous computation or this one, never a mix.
    pub async fn replace_interest_scores(&self, scores: &[InterestRow]) -> Result<()> {
        on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            sqlx::query(DELETE_INTEREST_SCORES).execute(&mut *tx).await?;
            for chunk in scores.chunks(SCORE_BATCH) {
                let mut insert = sqlx::QueryBuilder::new(INSERT_INTEREST_SCORES);
                insert.push_values(chunk, |mut row, (reader, author, score)| {
                    row.push_bind(*reader)
                        .push_bind(*author)
                        .push_bind(score.confidence)
                        .push_bind(score.mean)
                        .push_bind(score.mean_sq);
                });
                // The last chunk's size changes with every computation.
                let keep = keep_prepared(chunk, SCORE_BATCH);
                insert.build().persistent(keep).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many interest scores are stored (for the computation's log line and tests).
    pub async fn interest_score_count(&self) -> Result<i64> {
        let count = on_pool!(&self.db, pool => {
            sqlx::query_scalar(INTEREST_SCORE_COUNT).fetch_one(pool).await?
        });
        Ok(count)
    }

    /// `reader_id`'s stored scores for the diaries of `authors` (those without one are
    /// absent): one query for a page of the recent log.
    pub async fn interest_scores(
        &self,
        reader_id: i64,
        authors: &[MemberName],
    ) -> Result<HashMap<MemberName, InterestScore>> {
        if authors.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, f64, f64, f64)> = on_pool!(&self.db, pool => {
            let mut query = sqlx::QueryBuilder::new(INTEREST_SCORES_HEAD);
            query.push_bind(reader_id).push(" AND m.name IN (");
            let mut names = query.separated(", ");
            for author in authors {
                names.push_bind(author.as_str());
            }
            query.push(")");
            query.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(name, confidence, mean, mean_sq)| {
                Ok((stored_name(&name)?, InterestScore { confidence, mean, mean_sq }))
            })
            .collect()
    }
}
