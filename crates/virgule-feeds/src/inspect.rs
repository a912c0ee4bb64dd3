//! The JSON that `virgule feed inspect` prints (docs/design.md §8): parse, normalize and sanitize
//! one feed exactly as ingest does, so the command is a thin wrapper.

use chrono::{DateTime, Utc};
use url::Url;

use crate::{FeedError, normalize, parse};

/// Parses and normalizes `bytes` (`content_type` as the HTTP header, `base_url` as the feed's
/// final URL) and returns docs/design.md §8's JSON: `{"format", "feed", "entries", "warnings"}`.
pub fn inspect_json(
    bytes: &[u8],
    content_type: Option<&str>,
    base_url: Option<&Url>,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, FeedError> {
    let feed = normalize(parse(bytes, content_type, base_url)?, now);
    serde_json::to_value(&feed)
        .map_err(|e| FeedError::Unreadable(format!("could not serialize the feed: {e}")))
}
