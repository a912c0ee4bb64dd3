//! `GET /api/v1/search?q=&start=&limit=&author=&kind=&since=&until=`: full-text search over
//! entries, articles and replies, best first (docs/design.md §2 and "Search"). The query
//! syntax and every filter are the site's rules (`virgule_site::rules::search_query`); the
//! page `/search` takes the same parameters.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use virgule_site::search::{Found, SearchRequest};

use crate::api::ApiQuery;
use crate::error::{ApiResult, Failure};
use crate::feeds::{hit_url, site_base};
use crate::state::AppState;

/// A search's parameters as sent, read as text so that each gets the rule's own message.
#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
    pub author: Option<String>,
    pub kind: Option<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub start: Option<String>,
    pub limit: Option<String>,
}

impl SearchParams {
    pub fn request(&self) -> SearchRequest<'_> {
        SearchRequest {
            q: self.q.as_deref(),
            author: self.author.as_deref(),
            kind: self.kind.as_deref(),
            since: self.since.as_deref(),
            until: self.until.as_deref(),
            start: self.start.as_deref(),
            limit: self.limit.as_deref(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct SearchJson {
    pub total: i64,
    /// More items match than `total` counts.
    pub more: bool,
    pub start: i64,
    pub limit: i64,
    pub results: Vec<HitJson>,
}

/// One hit: `kind` is `entry`, `article` or `reply`; a reply's `title` is its item's.
#[derive(Debug, Serialize)]
pub struct HitJson {
    pub kind: &'static str,
    pub url: String,
    pub title: String,
    pub author: String,
    /// The text around the matches, HTML-escaped, each match in `<mark>`.
    pub snippet_html: String,
    pub published: DateTime<Utc>,
}

impl HitJson {
    pub fn new(found: Found, base: &str) -> Self {
        let hit = found.hit;
        HitJson {
            kind: hit.kind.as_str(),
            url: hit_url(base, &hit.place),
            title: hit.title,
            author: hit.guest.unwrap_or_else(|| hit.author.to_string()),
            snippet_html: found.snippet_html,
            published: hit.published,
        }
    }
}

pub async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> ApiResult<Json<SearchJson>> {
    let Some(findings) = state.site.search(&params.request()).await? else {
        return Err(Failure::bad_request("bad_query", "“q” is required: what to search for").into());
    };
    let base = site_base(&state.config, &headers);
    Ok(Json(SearchJson {
        total: findings.total,
        more: findings.more,
        start: findings.page.start,
        limit: findings.page.limit,
        results: findings.found.into_iter().map(|found| HitJson::new(found, &base)).collect(),
    }))
}
