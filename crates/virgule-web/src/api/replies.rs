//! Replies by API: replying to a diary entry (replies to articles are under `articles`),
//! editing and deleting one's own, and the flat thread-order list every item carries.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use virgule_site::replies::{ReplyText, ThreadReply};
use virgule_store::Reply;

use crate::api::{ApiJson, ApiMember};
use crate::error::ApiResult;
use crate::feeds::{reply_url, site_base};
use crate::state::AppState;

/// One reply in an item's answer: the thread in order, each with its depth (0 at the top).
/// A "[deleted]" placeholder has `deleted`, no author and empty html; a reply hidden as spam
/// has `spam` and empty html (docs/trust.md "Spam").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReplyJson {
    pub id: i64,
    pub parent: Option<i64>,
    pub depth: u32,
    /// The member who wrote it; for a guest's reply (an imported comment), the guest's name.
    pub author: Option<String>,
    /// A guest's reply: `author` has no account here; `author_url` is their address, if any.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub guest: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author_url: Option<String>,
    pub html: String,
    pub published: DateTime<Utc>,
    pub deleted: bool,
    pub spam: bool,
}

impl ReplyJson {
    pub fn new(t: ThreadReply) -> Self {
        let ThreadReply { reply, depth } = t;
        ReplyJson {
            id: reply.id,
            parent: reply.parent,
            depth,
            author: (!reply.deleted).then(|| match &reply.guest {
                Some(guest) => guest.name.clone(),
                None => reply.author.to_string(),
            }),
            guest: reply.guest.is_some(),
            author_url: reply.guest.as_ref().and_then(|g| g.url.clone()).filter(|_| !reply.deleted),
            html: if reply.deleted || reply.spam { String::new() } else { reply.html },
            published: reply.published,
            deleted: reply.deleted,
            spam: reply.spam,
        }
    }

    pub fn thread(thread: Vec<ThreadReply>) -> Vec<Self> {
        thread.into_iter().map(ReplyJson::new).collect()
    }
}

/// The body of a new reply: `parent` names the reply answered (absent or null: the item).
#[derive(Debug, Deserialize)]
pub struct ReplyInput {
    pub body: String,
    pub format: String,
    #[serde(default)]
    pub parent: Option<i64>,
}

impl ReplyInput {
    pub fn text(&self) -> ReplyText<'_> {
        ReplyText { body: &self.body, format: &self.format, parent: self.parent }
    }
}

/// The body of `PUT /api/v1/replies/{id}`.
#[derive(Debug, Deserialize)]
pub struct ReplyEdit {
    pub body: String,
    pub format: String,
}

#[derive(Debug, Serialize)]
pub struct ReplyCreated {
    pub id: i64,
    pub url: String,
}

/// 201 `{"id","url"}`: the item's absolute permalink with `#reply-ID` (also in `Location`).
pub fn created(state: &AppState, headers: &HeaderMap, reply: &Reply) -> Response {
    let url = reply_url(&site_base(&state.config, headers), &reply.place, reply.id);
    let location = [(LOCATION, url.clone())];
    (StatusCode::CREATED, location, Json(ReplyCreated { id: reply.id, url })).into_response()
}

/// `POST /api/v1/people/{name}/entries/{number}/replies`.
pub async fn to_entry(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((name, number)): Path<(String, String)>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<ReplyInput>,
) -> ApiResult<Response> {
    let reply = state.site.reply_to_entry(&member, &name, &number, input.text()).await?;
    Ok(created(&state, &headers, &reply))
}

/// `PUT /api/v1/replies/{id}`: one's own reply, rewritten; 200 with it.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<ReplyEdit>,
) -> ApiResult<Json<ReplyJson>> {
    let reply = state.site.edit_reply(&member, &id, &input.body, &input.format).await?;
    // Its depth is its thread's business; an edit does not move it.
    let depth = state
        .site
        .thread(reply.target)
        .await?
        .into_iter()
        .find(|t| t.reply.id == reply.id)
        .map_or(0, |t| t.depth);
    Ok(Json(ReplyJson::new(ThreadReply { reply, depth })))
}

/// `DELETE /api/v1/replies/{id}`: 204; a reply with answers stays as "[deleted]".
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiMember(member): ApiMember,
) -> ApiResult<StatusCode> {
    state.site.delete_reply(&member, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
