//! `GET /api/v1/recentlog`: every member's entries, newest first, each with its author; only
//! authors at or above the trust threshold, as on the page. For a signed-in reader each entry
//! also carries the author's interest score, and `?interest=T` leaves out the entries of
//! authors whose mean score is below T (docs/trust.md "Diary ratings").

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use virgule_store::InterestScore;

use crate::api::{ApiQuery, EntryJson, WindowQuery};
use crate::auth::viewer::Viewer;
use crate::error::ApiResult;
use crate::state::AppState;

#[derive(Debug, Serialize)]
pub struct RecentLog {
    pub entries: Vec<LogEntryJson>,
    /// With `?interest=T`: how many entries of this page were left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<usize>,
}

/// An entry of the recent log: the entry with its author, and for a signed-in reader
/// `"interest"`, the author's score (`null` when no rating of the author reached the reader).
#[derive(Debug, Serialize)]
pub struct LogEntryJson {
    #[serde(flatten)]
    pub entry: EntryJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interest: Option<Option<InterestJson>>,
}

/// A reader's score for an author: the confidence-weighted mean rating (1–10) and the
/// confidence (1 for the reader's own rating, less the further it came).
#[derive(Debug, Serialize)]
pub struct InterestJson {
    pub mean: f64,
    pub confidence: f64,
}

impl From<InterestScore> for InterestJson {
    fn from(score: InterestScore) -> Self {
        InterestJson { mean: score.mean, confidence: score.confidence }
    }
}

/// `?start=N&limit=M` as for a diary; `?thresh=L` (0–3, default the site's
/// `recentlog_threshold`, 1 = Apprentice unless configured) keeps authors at `L` or above;
/// `?interest=T` (1–10) needs a signed-in reader (401 otherwise).
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<RecentLog>> {
    let page = query.page()?;
    let default = state.site.settings().recentlog_threshold;
    let level = virgule_site::rules::threshold(query.thresh.as_deref(), default)?;
    let interest = virgule_site::rules::interest_threshold(query.interest.as_deref())?;
    if interest.is_some() {
        viewer.require_member()?;
    }
    let Some(reader) = &viewer.member else {
        let log = state.site.recent_log(level, page).await?;
        let entries = EntryJson::counted(log.entries, true)
            .into_iter()
            .map(|entry| LogEntryJson { entry, interest: None })
            .collect();
        return Ok(Json(RecentLog { entries, suppressed: None }));
    };
    let log = state.site.recent_log_for(reader, level, page, interest).await?;
    let (entries, scores): (Vec<_>, Vec<_>) =
        log.entries.into_iter().map(|scored| (scored.entry, scored.interest)).unzip();
    let entries = EntryJson::counted(entries, true)
        .into_iter()
        .zip(scores)
        .map(|(entry, score)| LogEntryJson { entry, interest: Some(score.map(InterestJson::from)) })
        .collect();
    Ok(Json(RecentLog { entries, suppressed: interest.map(|_| log.suppressed) }))
}
