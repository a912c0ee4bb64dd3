//! Front-page articles: numbered site-wide from 1 (never reused), written by members at the
//! article gate, each read with its author's name and level and its reply count.

use chrono::{DateTime, Utc};

use crate::db::{limit, on_pool};
use crate::members::stored_name;
use crate::model::stored_level;
use crate::replies::reply_count_of;
use crate::search::article_search_text;
use crate::{
    Article, ArticleDraft, ArticleNumber, ArticleSource, EntryFormat, Page, Result, Store,
    StoreError,
};

/// An `articles` row joined with its author, before validation.
#[derive(sqlx::FromRow)]
struct ArticleRow {
    id: i64,
    number: i64,
    author: String,
    author_level: i16,
    title: String,
    format: String,
    lead_html: String,
    html: String,
    published_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    reply_count: i64,
}

impl ArticleRow {
    fn into_article(self) -> Result<Article> {
        let format = EntryFormat::parse(&self.format).ok_or_else(|| {
            StoreError::Corrupt(format!("article {} has format {:?}", self.number, self.format))
        })?;
        Ok(Article {
            id: self.id,
            number: self.number,
            author_level: stored_level(self.author_level, &self.author)?,
            author: stored_name(&self.author)?,
            title: self.title,
            format,
            lead_html: self.lead_html,
            html: self.html,
            published: self.published_at,
            updated: self.updated_at,
            reply_count: self.reply_count,
        })
    }
}

/// `SELECT` list and `FROM` clause of an [`ArticleRow`], with its reply count
/// ([`reply_count_of!`]).
macro_rules! article_from {
    () => {
        concat!(
            "SELECT a.id, a.number, m.name AS author, m.trust_level AS author_level, a.title, \
             a.format, a.lead_html, a.html, a.published_at, a.updated_at, ",
            reply_count_of!("article_id", "a.id"),
            " AS reply_count FROM articles a JOIN members m ON m.id = a.member_id"
        )
    };
}

/// The next number is taken in the insert itself; two writers racing for it on PostgreSQL
/// meet the `UNIQUE` constraint, and the loser tries again.
const CREATE_ARTICLE: &str = "INSERT INTO articles (number, member_id, title, format, \
     lead_source, lead_html, body_source, html, published_at, updated_at, search_text) \
     SELECT COALESCE(MAX(number), 0) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $8, $9 FROM articles \
     RETURNING number";

const UPDATE_ARTICLE: &str = "UPDATE articles SET title = $3, format = $4, lead_source = $5, \
     lead_html = $6, body_source = $7, html = $8, updated_at = $9, search_text = $10 \
     WHERE number = $1 AND member_id = $2";

const ARTICLE_BY_NUMBER: &str = concat!(article_from!(), " WHERE a.number = $1");

const ARTICLE_SOURCE: &str = "SELECT lead_source, body_source FROM articles WHERE number = $1";

/// Newest first: numbers grow with time.
/// Articles hidden as spam (the article's flags or its author's) are left out.
const ARTICLES: &str = concat!(
    article_from!(),
    " WHERE a.spam <> 1 AND m.spam <> 1 ORDER BY a.number DESC",
    limit!("$1"),
    " OFFSET $2"
);

const ARTICLE_COUNT: &str = "SELECT COUNT(*) FROM articles a JOIN members m \
     ON m.id = a.member_id WHERE a.spam <> 1 AND m.spam <> 1";

const ARTICLES_FOR_MEMBER: &str =
    "SELECT number, title FROM articles WHERE member_id = $1 ORDER BY number DESC";

/// Every article a member wrote, whole, oldest first (their export).
const ARTICLES_WRITTEN_BY: &str =
    concat!(article_from!(), " WHERE a.member_id = $1 ORDER BY a.number");

/// How often an insert retries after losing the race for a number.
const NUMBER_ATTEMPTS: usize = 5;

impl Store {
    /// Publishes an article by `member_id` now, under the next number.
    pub async fn create_article(&self, member_id: i64, draft: &ArticleDraft) -> Result<Article> {
        self.create_article_at(member_id, draft, crate::now()).await
    }

    /// Publishes an article dated `published` under the next number (for loads of earlier
    /// articles, such as `virgule demo`'s; numbers still follow the order of the calls).
    pub async fn create_article_at(
        &self,
        member_id: i64,
        draft: &ArticleDraft,
        published: DateTime<Utc>,
    ) -> Result<Article> {
        let search_text = article_search_text(&draft.lead_html, &draft.html);
        let mut attempt = 0;
        let number: i64 = loop {
            attempt += 1;
            let inserted: std::result::Result<i64, sqlx::Error> = on_pool!(&self.db, pool => {
                sqlx::query_scalar(CREATE_ARTICLE)
                    .bind(member_id)
                    .bind(draft.title.as_str())
                    .bind(draft.format.as_str())
                    .bind(draft.lead_source.as_str())
                    .bind(draft.lead_html.as_str())
                    .bind(draft.body_source.as_str())
                    .bind(draft.html.as_str())
                    .bind(published)
                    .bind(search_text.as_str())
                    .fetch_one(pool)
                    .await
            });
            match inserted {
                Ok(number) => break number,
                Err(sqlx::Error::Database(e))
                    if e.is_unique_violation() && attempt < NUMBER_ATTEMPTS => {}
                Err(e) => return Err(e.into()),
            }
        };
        self.article_by_number(number).await?.ok_or(StoreError::NotFound)
    }

    /// Rewrites article `number` of `member_id`, keeping its number and publication time.
    /// [`StoreError::NotFound`] unless that member wrote that article.
    pub async fn update_article(
        &self,
        member_id: i64,
        number: ArticleNumber,
        draft: &ArticleDraft,
    ) -> Result<Article> {
        let search_text = article_search_text(&draft.lead_html, &draft.html);
        let done = on_pool!(&self.db, pool => {
            sqlx::query(UPDATE_ARTICLE)
                .bind(number)
                .bind(member_id)
                .bind(draft.title.as_str())
                .bind(draft.format.as_str())
                .bind(draft.lead_source.as_str())
                .bind(draft.lead_html.as_str())
                .bind(draft.body_source.as_str())
                .bind(draft.html.as_str())
                .bind(crate::now())
                .bind(search_text.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.article_by_number(number).await?.ok_or(StoreError::NotFound)
    }

    pub async fn article_by_number(&self, number: ArticleNumber) -> Result<Option<Article>> {
        let row: Option<ArticleRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ARTICLE_BY_NUMBER).bind(number).fetch_optional(pool).await?
        });
        row.map(ArticleRow::into_article).transpose()
    }

    /// What the author typed for article `number`, for the edit form.
    pub async fn article_source(&self, number: ArticleNumber) -> Result<Option<ArticleSource>> {
        let row: Option<(String, String)> = on_pool!(&self.db, pool => {
            sqlx::query_as(ARTICLE_SOURCE).bind(number).fetch_optional(pool).await?
        });
        Ok(row.map(|(lead, body)| ArticleSource { lead, body }))
    }

    /// One page of articles, newest first.
    /// Every article `member_id` wrote, oldest first, whether hidden as spam or not.
    pub async fn articles_written_by(&self, member_id: i64) -> Result<Vec<Article>> {
        let rows: Vec<ArticleRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ARTICLES_WRITTEN_BY).bind(member_id).fetch_all(pool).await?
        });
        rows.into_iter().map(ArticleRow::into_article).collect()
    }

    pub async fn articles(&self, page: Page) -> Result<Vec<Article>> {
        let (limit, offset) = page.limit_offset();
        let rows: Vec<ArticleRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(ARTICLES).bind(limit).bind(offset).fetch_all(pool).await?
        });
        rows.into_iter().map(ArticleRow::into_article).collect()
    }

    pub async fn article_count(&self) -> Result<i64> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_scalar(ARTICLE_COUNT).fetch_one(pool).await?
        }))
    }

    /// Every article of a member as `(number, title)`, newest first (for the profile).
    pub async fn articles_for_member(
        &self,
        member_id: i64,
    ) -> Result<Vec<(ArticleNumber, String)>> {
        Ok(on_pool!(&self.db, pool => {
            sqlx::query_as(ARTICLES_FOR_MEMBER).bind(member_id).fetch_all(pool).await?
        }))
    }
}
