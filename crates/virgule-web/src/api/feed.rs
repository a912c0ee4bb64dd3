//! One's own syndicated feed by API: its status, linking or unlinking it, and a fetch now.
//! The engine does the work; these handlers only read the address and shape the status, which
//! the settings page shows too.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use virgule_store::Feed;

use crate::api::{ApiJson, ApiMember};
use crate::error::ApiResult;
use crate::state::AppState;

/// The feed's status as its owner sees it; `status` is "none" (and `url` null) when no feed
/// was ever linked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedStatusJson {
    pub url: Option<String>,
    /// The feed's own title; null until a fetch has read it.
    pub title: Option<String>,
    pub status: &'static str,
    pub last_success: Option<DateTime<Utc>>,
    /// The last fetch's failure in words (with the HTTP status when there was one).
    pub last_error: Option<String>,
    /// The faults the last successful read recovered from, one line each, for the owner to
    /// fix; always present, `[]` when none.
    pub warnings: Vec<String>,
    /// Null when the feed is not polled (gone, stopped, none).
    pub next_fetch: Option<DateTime<Utc>>,
    /// Diary entries that came from the feed and still exist.
    pub entries: i64,
}

impl FeedStatusJson {
    pub fn of(feed: Option<&Feed>) -> Self {
        let Some(feed) = feed else {
            return FeedStatusJson {
                url: None,
                title: None,
                status: "none",
                last_success: None,
                last_error: None,
                warnings: Vec::new(),
                next_fetch: None,
                entries: 0,
            };
        };
        FeedStatusJson {
            url: feed.url.clone(),
            title: (!feed.title.is_empty()).then(|| feed.title.clone()),
            status: feed.status.as_str(),
            last_success: feed.last_success_at,
            last_error: feed.last_error.clone(),
            warnings: feed.last_warnings.clone(),
            next_fetch: feed.next_fetch_at,
            entries: feed.entry_count,
        }
    }
}

/// The body of `PUT /api/v1/settings/feed`. `url` must be present: null or "" stops
/// syndication, so a client that forgot the field does not unlink the feed by accident.
#[derive(Debug, Deserialize)]
pub struct FeedInput {
    #[serde(deserialize_with = "nullable")]
    pub url: Option<String>,
}

/// A field that may be null but not missing (serde treats a missing `Option` as null unless
/// the field has its own deserializer).
fn nullable<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(deserializer)
}

pub async fn show(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
) -> ApiResult<Json<FeedStatusJson>> {
    let feed = state.site.feed_of(&member).await?;
    Ok(Json(FeedStatusJson::of(feed.as_ref())))
}

/// 200 with the status; 400 `feed_url_refused` (nothing changed) for an address the fetcher
/// refuses.
pub async fn update(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<FeedInput>,
) -> ApiResult<Json<FeedStatusJson>> {
    let feed = state.site.link_feed(&member, input.url.as_deref()).await?;
    Ok(Json(FeedStatusJson::of(feed.as_ref())))
}

/// 200 with the status after a fetch (a conditional GET); 404 `no_feed` if none is linked.
pub async fn refresh(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
) -> ApiResult<Json<FeedStatusJson>> {
    let feed = state.site.refresh_feed(&member).await?;
    Ok(Json(FeedStatusJson::of(Some(&feed))))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_url_field_may_be_null_but_not_missing() {
        let set: FeedInput = serde_json::from_str(r#"{"url": "https://x.org/feed"}"#).unwrap();
        assert_eq!(set.url.as_deref(), Some("https://x.org/feed"));
        let stop: FeedInput = serde_json::from_str(r#"{"url": null}"#).unwrap();
        assert_eq!(stop.url, None);
        assert!(serde_json::from_str::<FeedInput>("{}").is_err());
        assert!(serde_json::from_str::<FeedInput>(r#"{"url": 3}"#).is_err());
    }

    #[test]
    fn no_feed_reads_as_none() {
        let status = serde_json::to_value(FeedStatusJson::of(None)).unwrap();
        assert_eq!(
            status,
            serde_json::json!({"url": null, "title": null, "status": "none",
                "last_success": null, "last_error": null, "warnings": [], "next_fetch": null,
                "entries": 0})
        );
    }
}
