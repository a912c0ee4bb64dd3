//! Site news (the front page's "New Virgule Features" box and `/news/`).

use chrono::{DateTime, Utc};

use crate::db::{limit, on_pool};
use crate::members::stored_name;
use crate::{NewsItem, Page, Result, Store};

#[derive(sqlx::FromRow)]
struct NewsRow {
    id: i64,
    author: String,
    title: String,
    body_source: String,
    html: String,
    published_at: DateTime<Utc>,
}

impl NewsRow {
    fn into_news_item(self) -> Result<NewsItem> {
        Ok(NewsItem {
            id: self.id,
            author: stored_name(&self.author)?,
            title: self.title,
            body_source: self.body_source,
            html: self.html,
            published: self.published_at,
        })
    }
}

/// `SELECT` list and `FROM` clause of a [`NewsRow`].
macro_rules! news_from {
    () => {
        "SELECT n.id, m.name AS author, n.title, n.body_source, n.html, n.published_at \
         FROM news n JOIN members m ON m.id = n.member_id"
    };
}

const CREATE_NEWS: &str = "INSERT INTO news (member_id, title, body_source, html, published_at) \
     VALUES ($1, $2, $3, $4, $5) RETURNING id";

const NEWS_ITEMS: &str =
    concat!(news_from!(), " ORDER BY n.published_at DESC, n.id DESC", limit!("$1"), " OFFSET $2");

const NEWS_BY_ID: &str = concat!(news_from!(), " WHERE n.id = $1");

impl Store {
    /// Publishes an item of site news now; `html` is already rendered and sanitized.
    pub async fn create_news(
        &self,
        member_id: i64,
        title: &str,
        body_source: &str,
        html: &str,
    ) -> Result<NewsItem> {
        let published = crate::now();
        let row: NewsRow = on_pool!(&self.db, pool => {
            let mut tx = pool.begin_with(self.db.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(CREATE_NEWS)
                .bind(member_id)
                .bind(title)
                .bind(body_source)
                .bind(html)
                .bind(published)
                .fetch_one(&mut *tx)
                .await?;
            let row = sqlx::query_as(NEWS_BY_ID).bind(id).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            row
        });
        row.into_news_item()
    }

    /// One page of site news, newest first.
    pub async fn news_items(&self, page: Page) -> Result<Vec<NewsItem>> {
        let (limit, offset) = page.limit_offset();
        let rows: Vec<NewsRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(NEWS_ITEMS).bind(limit).bind(offset).fetch_all(pool).await?
        });
        rows.into_iter().map(NewsRow::into_news_item).collect()
    }

    pub async fn news_by_id(&self, id: i64) -> Result<Option<NewsItem>> {
        let row: Option<NewsRow> = on_pool!(&self.db, pool => {
            sqlx::query_as(NEWS_BY_ID).bind(id).fetch_optional(pool).await?
        });
        row.map(NewsRow::into_news_item).transpose()
    }
}
