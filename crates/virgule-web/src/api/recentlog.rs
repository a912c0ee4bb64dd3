//! `GET /api/v1/recentlog`: every member's entries, newest first, each with its author; only
//! authors at or above the trust threshold, as on the page.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::api::{ApiQuery, EntryJson, WindowQuery};
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct RecentLog {
    pub entries: Vec<EntryJson>,
}

/// `?start=N&limit=M` as for a diary; `?thresh=L` (0–3, default the site's
/// `recentlog_threshold`, 1 = Apprentice unless configured) keeps authors at `L` or above.
pub async fn list(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<RecentLog>> {
    let page = query.page()?;
    let default = state.site.settings().recentlog_threshold;
    let level = virgule_site::rules::threshold(query.thresh.as_deref(), default)?;
    let log = state.site.recent_log(level, page).await?;
    let entries = EntryJson::counted(state.site.store(), log.entries, true).await?;
    Ok(Json(RecentLog { entries }))
}
