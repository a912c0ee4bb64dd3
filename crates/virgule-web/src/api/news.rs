//! Site news by API: anyone reads it, only a site admin posts it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::api::{ApiJson, ApiMember, ApiQuery, NewsJson, WindowQuery};
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct NewsList {
    pub news: Vec<NewsJson>,
}

/// The body of `POST /api/v1/news`: a title and Markdown text.
#[derive(Debug, Deserialize)]
pub struct NewsInput {
    pub title: String,
    pub body: String,
}

/// `{"news": [...]}`, newest first, `?start=N&limit=M` as for a diary.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<NewsList>> {
    let page = query.page()?;
    let items = state.site.store().news_items(page).await?;
    Ok(Json(NewsList { news: items.into_iter().map(NewsJson::from).collect() }))
}

/// 201 with the new item; 403 for anyone but a site admin.
pub async fn create(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<NewsInput>,
) -> ApiResult<(StatusCode, Json<NewsJson>)> {
    let item = state.site.post_news(&member, &input.title, &input.body).await?;
    Ok((StatusCode::CREATED, Json(item.into())))
}
