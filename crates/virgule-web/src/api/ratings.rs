//! `PUT /api/v1/people/{name}/rating`: rate how interesting a member's diary is, 1 to 10, or
//! withdraw one's rating with `null` (docs/trust.md "Diary ratings"). The profile page's form
//! calls the same `Site::rate`.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use virgule_site::rules::NO_RATING;

use crate::api::{ApiJson, ApiMember};
use crate::error::ApiResult;
use crate::state::AppState;

/// The body: `{"rating": 1..10}` or `{"rating": null}`.
#[derive(Debug, Deserialize)]
pub struct RatingInput {
    pub rating: Value,
}

/// The answer: the author's name and the rating now recorded (`null` after a withdrawal).
#[derive(Debug, Serialize)]
pub struct RatingOutput {
    pub name: String,
    pub rating: Option<u8>,
}

/// The rating as the site's rule reads it: `null` withdraws; a number as written (so that
/// `7.5` or `1e1` is refused as not a whole number); anything else as its JSON text, which
/// the rule refuses.
fn rating_text(rating: &Value) -> String {
    match rating {
        Value::Null => NO_RATING.to_owned(),
        other => other.to_string(),
    }
}

/// 200 with `{"name", "rating"}`; 400 `bad_rating` for anything but a whole number 1–10 or
/// null, 400 `refused` for one's own diary, 404 for an unknown member, 401 without a member.
pub async fn update(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    Path(name): Path<String>,
    ApiJson(input): ApiJson<RatingInput>,
) -> ApiResult<Json<RatingOutput>> {
    let (author, rating) = state.site.rate(&member, &name, &rating_text(&input.rating)).await?;
    Ok(Json(RatingOutput { name: author.name.to_string(), rating }))
}
