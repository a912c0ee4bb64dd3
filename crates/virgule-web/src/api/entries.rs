//! Diary entries by API: list and show anyone's, write, edit and delete one's own.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use virgule_store::{EntryNumber, Member, MemberName};

use crate::api::input::parse_window;
use crate::api::people::find_member;
use crate::api::{ApiJson, ApiMember, ApiQuery, EntryJson, WindowQuery};
use crate::drafts::compose_entry;
use crate::error::{ApiResult, Failure};
use crate::feeds::{permalink, site_base};
use crate::state::AppState;

/// The body of `POST /api/v1/entries` and `PUT .../entries/{number}`. A missing title is an
/// untitled entry, as on Advogato.
#[derive(Debug, Deserialize)]
pub struct EntryInput {
    #[serde(default)]
    pub title: String,
    pub body: String,
    pub format: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EntryCreated {
    pub number: EntryNumber,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct EntryList {
    pub total: i64,
    pub entries: Vec<EntryJson>,
}

/// 201 `{"number","url"}` with the entry's absolute permalink (also in `Location`).
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Response> {
    let draft = compose_entry(&input.title, &input.body, &input.format, &input.tags)?;
    let entry = state.store.create_entry(member.id, &draft, virgule_store::now()).await?;
    let url = permalink(&site_base(&state.config, &headers), &entry.author, entry.number);
    let location = [(LOCATION, url.clone())];
    Ok((StatusCode::CREATED, location, Json(EntryCreated { number: entry.number, url }))
        .into_response())
}

/// `{"total","entries"}`, newest first, `?start=N&limit=M` (10 by default, at most 100).
pub async fn list(
    State(state): State<AppState>,
    Path(name): Path<String>,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> ApiResult<Json<EntryList>> {
    let page = parse_window(query.start.as_deref(), query.limit.as_deref())?;
    let member = find_member(&state, &name).await?;
    let total = member.entry_count;
    let entries = state.store.entries_for_member(member.id, page).await?;
    Ok(Json(EntryList { total, entries: entries.into_iter().map(EntryJson::new).collect() }))
}

pub async fn show(
    State(state): State<AppState>,
    Path((name, number)): Path<(String, String)>,
) -> ApiResult<Json<EntryJson>> {
    let missing = || Failure::not_found(format!("{name} has no entry {number}"));
    let author = MemberName::parse(&name).map_err(|_| missing())?;
    let number = parse_number(&number).ok_or_else(missing)?;
    let entry = state.store.entry_by_number(&author, number).await?.ok_or_else(missing)?;
    Ok(Json(EntryJson::new(entry)))
}

/// Replaces one's own entry; keeps its number and publication time. 200 with the entry.
pub async fn update(
    State(state): State<AppState>,
    Path((name, number)): Path<(String, String)>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Json<EntryJson>> {
    let number = own_entry_number(&member, &name, &number)?;
    let draft = compose_entry(&input.title, &input.body, &input.format, &input.tags)?;
    let entry = state
        .store
        .update_entry(member.id, number, &draft)
        .await
        .map_err(|e| not_found_as(e, &name, number))?;
    Ok(Json(EntryJson::new(entry)))
}

/// Deletes one's own entry; its number is never given out again. 204.
pub async fn delete(
    State(state): State<AppState>,
    Path((name, number)): Path<(String, String)>,
    ApiMember(member): ApiMember,
) -> ApiResult<StatusCode> {
    let number = own_entry_number(&member, &name, &number)?;
    state
        .store
        .delete_entry(member.id, number)
        .await
        .map_err(|e| not_found_as(e, &name, number))?;
    tracing::info!(member = %member.name, number, "entry deleted by API");
    Ok(StatusCode::NO_CONTENT)
}

/// An entry number as written in a path: a whole number ≥ 0.
fn parse_number(raw: &str) -> Option<EntryNumber> {
    raw.parse::<EntryNumber>().ok().filter(|n| *n >= 0)
}

/// The entry number of a write to `/people/{name}/entries/{number}`: 403 unless `name` is
/// the member's own, 404 for a number that cannot exist.
fn own_entry_number(member: &Member, name: &str, number: &str) -> Result<EntryNumber, Failure> {
    let is_own = MemberName::parse(name).is_ok_and(|n| n == member.name);
    if !is_own {
        return Err(Failure::forbidden("only its author may change an entry"));
    }
    parse_number(number).ok_or_else(|| Failure::not_found(format!("{name} has no entry {number}")))
}

fn not_found_as(err: virgule_store::StoreError, name: &str, number: EntryNumber) -> Failure {
    match err {
        virgule_store::StoreError::NotFound => {
            Failure::not_found(format!("{name} has no entry {number}"))
        }
        other => other.into(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn entry_numbers_are_whole_and_not_negative() {
        assert_eq!(parse_number("0"), Some(0));
        assert_eq!(parse_number("1158"), Some(1158));
        for bad in ["-1", "x", "1.html", "", " 1"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }
}
