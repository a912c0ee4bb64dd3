//! Diary entries by API: list and show anyone's, write, edit and delete one's own.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use virgule_site::entries::EntryText;
use virgule_store::EntryNumber;

use crate::api::{ApiJson, ApiMember, ApiQuery, EntryJson, RelatedJson, WindowQuery};
use crate::error::ApiResult;
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

impl EntryInput {
    fn text(&self) -> EntryText<'_> {
        EntryText { title: &self.title, body: &self.body, format: &self.format, tags: &self.tags }
    }
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
    let entry = state.site.post_entry(&member, input.text()).await?;
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
    let page = query.page()?;
    let member = state.site.member_named(&name).await?;
    let total = member.entry_count;
    let entries = state.site.store().entries_for_member(member.id, page).await?;
    let entries = EntryJson::counted(entries, false);
    Ok(Json(EntryList { total, entries }))
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((name, number)): Path<(String, String)>,
) -> ApiResult<Json<EntryJson>> {
    let entry = state.site.entry(&name, &number).await?;
    Ok(Json(with_replies(&state, &headers, entry).await?))
}

/// One entry as `GET` and `PUT` answer it: with its replies in thread order and their count,
/// and its related posts.
async fn with_replies(
    state: &AppState,
    headers: &HeaderMap,
    entry: virgule_store::Entry,
) -> virgule_site::SiteResult<EntryJson> {
    let (thread, related) = tokio::try_join!(
        state.site.thread(virgule_store::ReplyTarget::Entry(entry.id)),
        state.site.related_posts(entry.id),
    )?;
    let count = thread.iter().filter(|t| !t.reply.deleted).count() as i64;
    let base = site_base(&state.config, headers);
    let related = related
        .into_iter()
        .map(|r| RelatedJson {
            url: permalink(&base, &r.author, r.number),
            title: r.title,
            author: r.author.to_string(),
        })
        .collect();
    Ok(EntryJson {
        reply_count: Some(count),
        replies: Some(crate::api::replies::ReplyJson::thread(thread)),
        related: Some(related),
        ..EntryJson::new(entry)
    })
}

/// Replaces one's own entry; keeps its number and publication time. 200 with the entry.
pub async fn update(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((name, number)): Path<(String, String)>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<Json<EntryJson>> {
    let entry = state.site.edit_entry(&member, &name, &number, input.text()).await?;
    Ok(Json(with_replies(&state, &headers, entry).await?))
}

/// Deletes one's own entry; its number is never given out again. 204.
pub async fn delete(
    State(state): State<AppState>,
    Path((name, number)): Path<(String, String)>,
    ApiMember(member): ApiMember,
) -> ApiResult<StatusCode> {
    state.site.delete_entry(&member, &name, &number).await?;
    Ok(StatusCode::NO_CONTENT)
}
