//! Site news by API: anyone reads it, only a site admin posts it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::api::input::parse_window;
use crate::api::{ApiJson, ApiMember, ApiQuery, NewsJson, WindowQuery};
use crate::drafts::compose_news;
use crate::error::{ApiResult, Failure};
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
    let page = parse_window(query.start.as_deref(), query.limit.as_deref())?;
    let items = state.store.news_items(page).await?;
    Ok(Json(NewsList { news: items.into_iter().map(NewsJson::from).collect() }))
}

/// 201 with the new item; 403 for anyone but a site admin.
pub async fn create(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<NewsInput>,
) -> ApiResult<(StatusCode, Json<NewsJson>)> {
    if !member.is_admin {
        return Err(Failure::forbidden("only a site admin may post news").into());
    }
    let (title, html) = compose_news(&input.title, &input.body)?;
    let item = state.store.create_news(member.id, &title, &input.body, &html).await?;
    tracing::info!(member = %member.name, id = item.id, "news posted by API");
    Ok((StatusCode::CREATED, Json(item.into())))
}
