//! Feeds out: every member's diary and the recent log as RSS 2.0, Atom 1.0 and JSON Feed 1.1,
//! the latest 20 entries with their full content and absolute links. The handlers here load
//! entries; [`render`] turns them into feed text without I/O.

pub mod articles;
pub mod opml;
pub mod render;

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, HOST, LAST_MODIFIED};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use virgule_store::{ArticleNumber, EntryNumber, HitPlace, MemberName, Page, ReplyPlace};

use crate::config::WebConfig;
use crate::error::{Failure, PageResult};
use crate::state::AppState;
use render::{FeedAuthor, FeedItem, FeedMeta};

/// How many entries a feed carries.
pub const FEED_ENTRIES: i64 = 20;

pub const RSS_TYPE: &str = "application/rss+xml; charset=utf-8";
pub const ATOM_TYPE: &str = "application/atom+xml; charset=utf-8";
pub const JSON_FEED_TYPE: &str = "application/feed+json; charset=utf-8";

/// Feeds may be reused for a minute without asking. Planets and readers poll every 5 to 60
/// minutes, so a minute never delays what they see by a whole poll, while a reverse proxy or
/// shared cache in front answers a burst of polls with one request to us. Pages, which a
/// member reloads right after writing, revalidate every time instead
/// ([`crate::http::conditional::PUBLIC_CACHE_CONTROL`]).
pub const FEED_CACHE_CONTROL: &str = "public, max-age=60";

/// The site's public address without a trailing slash: the configured `base_url`, else
/// built from the request's `Host` (`https` when the site marks its cookies secure, so is
/// served over TLS). A `Host` that is not a plain host name and port gives `localhost`.
pub fn site_base(config: &WebConfig, headers: &HeaderMap) -> String {
    if let Some(base) = config.base_url.as_deref().map(str::trim).filter(|b| !b.is_empty()) {
        return base.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| is_plain_host(h))
        .unwrap_or("localhost");
    let scheme = if config.secure_cookies { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// A host name or address with an optional port, nothing that could end or bend a URL.
fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 255
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// An entry's absolute permalink, `BASE/person/NAME/diary/K.html`.
pub fn permalink(base: &str, author: &MemberName, number: EntryNumber) -> String {
    format!("{base}/person/{author}/diary/{number}.html")
}

/// An article's absolute address, `BASE/article/N.html`.
pub fn article_url(base: &str, number: ArticleNumber) -> String {
    format!("{base}/article/{number}.html")
}

/// A reply's absolute address: its item's, with `#reply-ID`.
pub fn reply_url(base: &str, place: &ReplyPlace, id: i64) -> String {
    let item = match place {
        ReplyPlace::Article(number) => article_url(base, *number),
        ReplyPlace::Entry { author, number } => permalink(base, author, *number),
    };
    format!("{item}#reply-{id}")
}

/// A search hit's address: the entry's or article's permalink, or the reply's.
pub fn hit_url(base: &str, place: &HitPlace) -> String {
    match place {
        HitPlace::Entry { author, number } => permalink(base, author, *number),
        HitPlace::Article(number) => article_url(base, *number),
        HitPlace::Reply { id, on } => reply_url(base, on, *id),
    }
}

/// A member's diary page, the feed's home.
pub fn diary_url(base: &str, name: &MemberName) -> String {
    format!("{base}/person/{name}/diary.html")
}

/// A member's profile page, the feed author's URL.
pub fn profile_url(base: &str, name: &MemberName) -> String {
    format!("{base}/person/{name}/")
}

pub(crate) enum Format {
    Rss,
    Atom,
    Json,
}

pub(crate) fn respond(format: Format, meta: &FeedMeta, items: &[FeedItem]) -> PageResult<Response> {
    let (content_type, body) = match format {
        Format::Rss => (RSS_TYPE, render::rss(meta, items).map_err(|e| e.to_string())),
        Format::Atom => (ATOM_TYPE, render::atom(meta, items).map_err(|e| e.to_string())),
        Format::Json => (JSON_FEED_TYPE, render::json_feed(meta, items).map_err(|e| e.to_string())),
    };
    let body = body.map_err(|e| {
        tracing::error!(error = %e, "feed failed to render");
        Failure::internal()
    })?;
    let mut response =
        ([(CONTENT_TYPE, content_type), (CACHE_CONTROL, FEED_CACHE_CONTROL)], body).into_response();
    // The newest date of the entries listed: a new or edited entry moves it. (A deletion
    // can move it back; clients that send `If-None-Match` too, as planets do, still see it
    // at once, since the ETag comes from the bytes.) An empty feed has no such date.
    if let Some(newest) = render::latest_update(items) {
        let date = httpdate::fmt_http_date(std::time::SystemTime::from(newest));
        if let Ok(value) = HeaderValue::from_str(&date) {
            response.headers_mut().insert(LAST_MODIFIED, value);
        }
    }
    Ok(response)
}

/// The latest entries of one member's diary, as feed metadata and items.
async fn diary_feed(
    state: &AppState,
    headers: &HeaderMap,
    raw_name: &str,
) -> PageResult<(FeedMeta, Vec<FeedItem>)> {
    let missing = || Failure::not_found(format!("There is no member named {raw_name}."));
    let name = MemberName::parse(raw_name).map_err(|_| missing())?;
    let member = state.site.store().member_by_name(&name).await?.ok_or_else(missing)?;
    let entries = state
        .site
        .store()
        .entries_for_member(member.id, Page { start: 0, limit: FEED_ENTRIES })
        .await?;
    let base = site_base(&state.config, headers);
    let site = &state.config.site_name;
    let prefix = format!("{base}/person/{name}");
    let items: Vec<FeedItem> = entries.iter().map(|e| FeedItem::from_entry(e, &base)).collect();
    let meta = FeedMeta {
        title: format!("Recent blog entries for {name} – {site}"),
        description: format!("The diary of {name} on {site}"),
        home_url: diary_url(&base, &name),
        rss_url: format!("{prefix}/rss.xml"),
        atom_url: format!("{prefix}/atom.xml"),
        json_url: format!("{prefix}/feed.json"),
        author: Some(FeedAuthor { name: name.to_string(), url: profile_url(&base, &name) }),
        updated: render::latest_update(&items).unwrap_or(member.created_at),
    };
    Ok((meta, items))
}

/// The latest entries of the recent log at its default threshold, each carrying its author.
async fn recentlog_feed(
    state: &AppState,
    headers: &HeaderMap,
) -> PageResult<(FeedMeta, Vec<FeedItem>)> {
    let window = Page { start: 0, limit: FEED_ENTRIES };
    let entries = state
        .site
        .store()
        .recent_entries(state.site.settings().recentlog_threshold, window)
        .await?;
    let base = site_base(&state.config, headers);
    let site = &state.config.site_name;
    let items: Vec<FeedItem> = entries.iter().map(|e| FeedItem::from_entry(e, &base)).collect();
    let meta = FeedMeta {
        title: format!("Recent blog entries – {site}"),
        description: format!("The latest diary entries of every member of {site}"),
        home_url: format!("{base}/recentlog.html"),
        rss_url: format!("{base}/recentlog.rss"),
        atom_url: format!("{base}/recentlog.atom"),
        json_url: format!("{base}/recentlog.json"),
        author: None,
        // An empty log has no date of its own; the epoch keeps the output stable.
        updated: render::latest_update(&items).unwrap_or_default(),
    };
    Ok((meta, items))
}

pub async fn person_rss(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let (meta, items) = diary_feed(&state, &headers, &name).await?;
    respond(Format::Rss, &meta, &items)
}

pub async fn person_atom(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let (meta, items) = diary_feed(&state, &headers, &name).await?;
    respond(Format::Atom, &meta, &items)
}

pub async fn person_json(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let (meta, items) = diary_feed(&state, &headers, &name).await?;
    respond(Format::Json, &meta, &items)
}

pub async fn recentlog_rss(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let (meta, items) = recentlog_feed(&state, &headers).await?;
    respond(Format::Rss, &meta, &items)
}

pub async fn recentlog_atom(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let (meta, items) = recentlog_feed(&state, &headers).await?;
    respond(Format::Atom, &meta, &items)
}

pub async fn recentlog_json(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> PageResult<Response> {
    let (meta, items) = recentlog_feed(&state, &headers).await?;
    respond(Format::Json, &meta, &items)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn headers(host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(HOST, HeaderValue::from_str(host).unwrap());
        h
    }

    #[test]
    fn the_base_comes_from_config_else_a_plain_host() {
        let mut config = WebConfig::default();
        assert_eq!(site_base(&config, &headers("example.org:8080")), "http://example.org:8080");
        assert_eq!(site_base(&config, &headers("[::1]:80")), "http://[::1]:80");
        assert_eq!(site_base(&config, &headers("evil.org/x?")), "http://localhost");
        assert_eq!(site_base(&config, &HeaderMap::new()), "http://localhost");
        config.secure_cookies = true;
        assert_eq!(site_base(&config, &headers("example.org")), "https://example.org");
        config.base_url = Some("https://virgule.example.org/".into());
        assert_eq!(site_base(&config, &headers("other.org")), "https://virgule.example.org");
    }

    #[test]
    fn permalinks_follow_advogato_paths() {
        let name = MemberName::parse("etbe").unwrap();
        assert_eq!(
            permalink("http://x.org", &name, 1158),
            "http://x.org/person/etbe/diary/1158.html"
        );
    }
}
