//! `POST /api/v1/flags` and `DELETE /api/v1/flags`: flag an item as spam, or withdraw one's
//! flag (docs/trust.md "Spam"). Both take `{"kind": "entry"|"article"|"reply"|"account",
//! "target": ...}`, the target as the item's address names it: an entry `"NAME/K"`, an
//! article's number, a reply's id (a JSON number or a string), an account's name. The pages'
//! "Flag as spam" forms call the same `Site::flag`.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;
use virgule_site::spam::FlagOutcome;

use crate::api::{ApiJson, ApiMember};
use crate::error::ApiResult;
use crate::state::AppState;

/// The body of both calls.
#[derive(Debug, Deserialize)]
pub struct FlagInput {
    pub kind: String,
    pub target: Value,
}

/// The target as the site's rule reads it: a string as it is, a number as written; anything
/// else as its JSON text, which the rule refuses.
fn target_text(target: &Value) -> String {
    match target {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// 200 with `{"kind", "target", "weight", "hidden"}`; 403 `level_too_low` below Apprentice,
/// 403 `own_item`, 400 `bad_kind`/`bad_target`, 404 for no such item, 409 for a second flag
/// or an item an admin judged not spam, 401 without a member.
pub async fn create(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<FlagInput>,
) -> ApiResult<Json<FlagOutcome>> {
    let outcome = state.site.flag(&member, &input.kind, &target_text(&input.target)).await?;
    Ok(Json(outcome))
}

/// 200 with the item's flags' weight after the withdrawal; 404 if the member had not
/// flagged it.
pub async fn delete(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<FlagInput>,
) -> ApiResult<Json<FlagOutcome>> {
    let outcome = state.site.unflag(&member, &input.kind, &target_text(&input.target)).await?;
    Ok(Json(outcome))
}
