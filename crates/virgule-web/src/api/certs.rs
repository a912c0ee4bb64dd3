//! `POST /api/v1/certs`: certify another member as apprentice, journeyer or master, or
//! withdraw one's certification with `"none"` (docs/trust.md "Certifications"). The profile
//! page's form calls the same `Site::certify`.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use virgule_site::rules::NO_CERT;
use virgule_store::CertLevel;

use crate::api::{ApiJson, ApiMember};
use crate::error::ApiResult;
use crate::state::AppState;

/// The body of `POST /api/v1/certs`.
#[derive(Debug, Deserialize)]
pub struct CertInput {
    pub subject: String,
    /// `apprentice`, `journeyer`, `master`, or `none` to withdraw.
    pub level: String,
}

/// The answer: the subject's name and the level now recorded (`none` after a withdrawal).
#[derive(Debug, Serialize)]
pub struct CertOutput {
    pub subject: String,
    pub level: &'static str,
}

/// 200 with `{"subject", "level"}`; 400 for a bad level or oneself, 404 for an unknown
/// subject, 401 without a member.
pub async fn create(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<CertInput>,
) -> ApiResult<Json<CertOutput>> {
    let (subject, choice) = state.site.certify(&member, &input.subject, &input.level).await?;
    Ok(Json(CertOutput {
        subject: subject.name.to_string(),
        level: choice.map_or(NO_CERT, CertLevel::as_str),
    }))
}
