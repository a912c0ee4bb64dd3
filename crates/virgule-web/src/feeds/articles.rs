//! `/article/rss.xml`, `/article/atom.xml`, `/article/feed.json`: the latest articles, lead
//! and full text, as the other feeds render them.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use virgule_store::Page;

use super::render::{self, FeedItem, FeedMeta};
use super::{FEED_ENTRIES, Format, respond, site_base};
use crate::error::PageResult;
use crate::state::AppState;

async fn articles_feed(
    state: &AppState,
    headers: &HeaderMap,
) -> PageResult<(FeedMeta, Vec<FeedItem>)> {
    let articles = state.site.store().articles(Page { start: 0, limit: FEED_ENTRIES }).await?;
    let base = site_base(&state.config, headers);
    let site = &state.config.site_name;
    let items: Vec<FeedItem> = articles.iter().map(|a| FeedItem::from_article(a, &base)).collect();
    let meta = FeedMeta {
        title: format!("Articles – {site}"),
        description: format!("The front-page articles of {site}"),
        home_url: format!("{base}/article/"),
        rss_url: format!("{base}/article/rss.xml"),
        atom_url: format!("{base}/article/atom.xml"),
        json_url: format!("{base}/article/feed.json"),
        author: None,
        // No article yet: the epoch keeps the output stable.
        updated: render::latest_update(&items).unwrap_or_default(),
    };
    Ok((meta, items))
}

pub async fn rss(State(state): State<AppState>, headers: HeaderMap) -> PageResult<Response> {
    let (meta, items) = articles_feed(&state, &headers).await?;
    respond(Format::Rss, &meta, &items)
}

pub async fn atom(State(state): State<AppState>, headers: HeaderMap) -> PageResult<Response> {
    let (meta, items) = articles_feed(&state, &headers).await?;
    respond(Format::Atom, &meta, &items)
}

pub async fn json(State(state): State<AppState>, headers: HeaderMap) -> PageResult<Response> {
    let (meta, items) = articles_feed(&state, &headers).await?;
    respond(Format::Json, &meta, &items)
}
