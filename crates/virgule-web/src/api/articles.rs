//! Articles by API: list and read them (with their replies), post one (at the article
//! gate), edit one's own, reply to one (at the reply gate).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use virgule_site::articles::ArticleText;
use virgule_site::replies::ThreadReply;
use virgule_store::{Article, ArticleNumber};

use crate::api::replies::{ReplyInput, ReplyJson, created};
use crate::api::{ApiJson, ApiMember, ApiQuery, WindowQuery};
use crate::error::ApiResult;
use crate::feeds::{article_url, site_base};
use crate::state::AppState;

/// The body of `POST /api/v1/articles` and `PUT /api/v1/articles/{number}`.
#[derive(Debug, Deserialize)]
pub struct ArticleInput {
    pub title: String,
    pub lead: String,
    pub body: String,
    pub format: String,
}

impl ArticleInput {
    fn text(&self) -> ArticleText<'_> {
        ArticleText { title: &self.title, lead: &self.lead, body: &self.body, format: &self.format }
    }
}

#[derive(Debug, Serialize)]
pub struct ArticleCreated {
    pub number: ArticleNumber,
    pub url: String,
}

/// An article in a list.
#[derive(Debug, Serialize)]
pub struct ArticleSummaryJson {
    pub number: ArticleNumber,
    pub title: String,
    pub lead_html: String,
    pub author: String,
    pub published: DateTime<Utc>,
    pub reply_count: i64,
}

impl From<Article> for ArticleSummaryJson {
    fn from(a: Article) -> Self {
        ArticleSummaryJson {
            number: a.number,
            title: a.title,
            lead_html: a.lead_html,
            author: a.author.to_string(),
            published: a.published,
            reply_count: a.reply_count,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ArticleList {
    pub total: i64,
    pub articles: Vec<ArticleSummaryJson>,
}

/// One article with its replies in thread order.
#[derive(Debug, Serialize)]
pub struct ArticleJson {
    pub number: ArticleNumber,
    pub title: String,
    pub lead_html: String,
    pub html: String,
    pub author: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub replies: Vec<ReplyJson>,
}

impl ArticleJson {
    fn new(a: Article, replies: Vec<ThreadReply>) -> Self {
        ArticleJson {
            number: a.number,
            title: a.title,
            lead_html: a.lead_html,
            html: a.html,
            author: a.author.to_string(),
            published: a.published,
            updated: a.updated,
            replies: ReplyJson::thread(replies),
        }
    }
}

/// 201 `{"number","url"}`; 403 `level_too_low` below the article gate.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<Response> {
    let article = state.site.post_article(&member, input.text()).await?;
    let url = article_url(&site_base(&state.config, &headers), article.number);
    let location = [(LOCATION, url.clone())];
    Ok((StatusCode::CREATED, location, Json(ArticleCreated { number: article.number, url }))
        .into_response())
}

/// `{"total","articles"}`, newest first, `?start=N&limit=M`.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<ArticleList>> {
    let list = state.site.articles(query.page()?).await?;
    Ok(Json(ArticleList {
        total: list.total,
        articles: list.articles.into_iter().map(Into::into).collect(),
    }))
}

pub async fn show(
    State(state): State<AppState>,
    Path(number): Path<String>,
) -> ApiResult<Json<ArticleJson>> {
    let (article, replies) = state.site.article_with_replies(&number).await?;
    Ok(Json(ArticleJson::new(article, replies)))
}

/// Rewrites one's own article (403 for anyone else's); 200 with it.
pub async fn update(
    State(state): State<AppState>,
    Path(number): Path<String>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<ArticleInput>,
) -> ApiResult<Json<ArticleJson>> {
    let article = state.site.edit_article(&member, &number, input.text()).await?;
    let replies = state.site.thread(virgule_store::ReplyTarget::Article(article.id)).await?;
    Ok(Json(ArticleJson::new(article, replies)))
}

/// `POST /api/v1/articles/{number}/replies`: 201 `{"id","url"}`.
pub async fn reply(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<ReplyInput>,
) -> ApiResult<Response> {
    let reply = state.site.reply_to_article(&member, &number, input.text()).await?;
    Ok(created(&state, &headers, &reply))
}
