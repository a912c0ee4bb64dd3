//! `GET /api/v1/recentlog`: every member's entries, newest first, each with its author.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::api::input::parse_window;
use crate::api::{ApiQuery, EntryJson, WindowQuery};
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct RecentLog {
    pub entries: Vec<EntryJson>,
}

/// `?start=N&limit=M` as for a diary. `?thresh=L` is accepted and ignored until the trust
/// metric exists: every member's entries pass it for now.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<RecentLog>> {
    let page = parse_window(query.start.as_deref(), query.limit.as_deref())?;
    let entries = state.store.recent_entries(page).await?;
    Ok(Json(RecentLog { entries: entries.into_iter().map(EntryJson::with_author).collect() }))
}
