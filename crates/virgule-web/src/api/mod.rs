//! The JSON API under `/api/v1`: the same data as the pages and the same actions as the
//! forms, in the shapes docs/design.md's contract table fixes. Errors are `{"error","code"}`.

pub mod accounts;
pub mod articles;
pub mod certs;
pub mod entries;
pub mod export;
pub mod feed;
pub mod flags;
pub mod news;
pub mod people;
pub mod projects;
pub mod ratings;
pub mod recentlog;
pub mod replies;
pub mod search;
pub mod settings;
pub mod tokens;

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::Method;
use axum::http::request::Parts;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use virgule_store::{Entry, EntryNumber, Member, NewsItem, Syndication};

use crate::auth::constant_time_eq;
use crate::auth::viewer::{AuthMethod, Viewer};
use crate::error::{ApiError, Failure};

/// The header a browser-session API call must carry on anything but GET/HEAD.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The member making an API call: by bearer token, or by browser session with the CSRF
/// token in the `X-CSRF-Token` header for state-changing methods. 401 otherwise.
pub struct ApiMember(pub Member);

impl<S: Send + Sync> FromRequestParts<S> for ApiMember {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let viewer =
            Viewer::from_request_parts(parts, state).await.map_err(|_| Failure::internal())?;
        let member = viewer.require_member()?.clone();
        if viewer.method == AuthMethod::Session
            && !matches!(parts.method, Method::GET | Method::HEAD)
        {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !constant_time_eq(sent, &viewer.csrf_token) {
                return Err(Failure::csrf().into());
            }
        }
        Ok(ApiMember(member))
    }
}

/// A JSON request body whose every failure (malformed JSON, a wrong type, a missing field,
/// no JSON content type) is the API's JSON 400, not axum's plain-text rejection.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(&rejection).into()),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> Failure {
    Failure::unreadable_body(rejection.status(), "bad_json", rejection.body_text())
}

/// A query string read into `T`, failing with the API's JSON 400.
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(query_rejection(&rejection).into()),
        }
    }
}

fn query_rejection(rejection: &QueryRejection) -> Failure {
    Failure::bad_request("bad_query", rejection.body_text())
}

/// `?start=N&limit=M` as sent; read as text so that a bad number gets our own message.
#[derive(Debug, Default, Deserialize)]
pub struct WindowQuery {
    pub start: Option<String>,
    pub limit: Option<String>,
    /// The recent log's trust threshold, 0–3 (diaries ignore it).
    pub thresh: Option<String>,
    /// The recent log's interest threshold, 1–10, for a signed-in reader (diaries ignore it).
    pub interest: Option<String>,
}

impl WindowQuery {
    /// `start` and `limit` by the site's rule.
    pub fn page(&self) -> virgule_site::SiteResult<virgule_store::Page> {
        virgule_site::rules::window(self.start.as_deref(), self.limit.as_deref())
    }
}

/// One diary entry as every API call shows it; `author` only where entries of several
/// members are mixed (the recent log).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryJson {
    pub number: EntryNumber,
    pub title: String,
    pub html: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Where a syndicated entry came from; absent for entries written here.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub syndicated: Option<Syndication>,
    /// Replies shown (without placeholders), in lists and on one entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_count: Option<i64>,
    /// The replies in thread order, on one entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<replies::ReplyJson>>,
    /// Up to three entries like it, on one entry (once computed; docs/design.md "Related
    /// posts").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Vec<RelatedJson>>,
}

/// An entry under "Related posts:".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RelatedJson {
    pub url: String,
    pub title: String,
    pub author: String,
}

impl EntryJson {
    pub fn new(entry: Entry) -> Self {
        EntryJson {
            number: entry.number,
            title: entry.title,
            html: entry.html,
            published: entry.published,
            updated: entry.updated,
            tags: entry.tags,
            author: None,
            syndicated: entry.syndicated,
            reply_count: None,
            replies: None,
            related: None,
        }
    }

    /// Entries of a list, each with its reply count.
    pub fn counted(entries: Vec<Entry>, with_author: bool) -> Vec<Self> {
        let json = |e: Entry| {
            let count = e.reply_count;
            let json = if with_author { EntryJson::with_author(e) } else { EntryJson::new(e) };
            EntryJson { reply_count: Some(count), ..json }
        };
        entries.into_iter().map(json).collect()
    }

    /// The entry with its author's name, for lists that mix members.
    pub fn with_author(entry: Entry) -> Self {
        let author = entry.author.to_string();
        EntryJson { author: Some(author), ..EntryJson::new(entry) }
    }
}

/// One item of site news.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewsJson {
    pub id: i64,
    pub title: String,
    pub html: String,
    pub published: DateTime<Utc>,
    pub author: String,
}

impl From<NewsItem> for NewsJson {
    fn from(item: NewsItem) -> Self {
        NewsJson {
            id: item.id,
            title: item.title,
            html: item.html,
            published: item.published,
            author: item.author.to_string(),
        }
    }
}
