//! `/opml.xml`: the site's subscription list, every member's syndicated feed as OPML 2.0, for
//! a planet or a feed reader to subscribe to all of them at once. Only feeds being polled,
//! of members neither suspended nor hidden as spam ([`virgule_site::Site::listed_feeds`]).

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use virgule_store::Feed;

use super::render::xml_safe;
use super::{FEED_CACHE_CONTROL, diary_url, site_base};
use crate::error::{Failure, PageResult};
use crate::state::AppState;

pub const OPML_TYPE: &str = "text/x-opml; charset=utf-8";

#[derive(Template)]
#[template(path = "feeds/opml.xml")]
struct Opml {
    title: String,
    outlines: Vec<Outline>,
}

/// One feed: its title and its owner's name, its address, and the page it belongs to (the
/// blog's own, else the member's diary here).
struct Outline {
    text: String,
    xml_url: String,
    html_url: String,
}

impl Outline {
    fn of(feed: Feed, base: &str) -> Option<Self> {
        let xml_url = xml_safe(feed.url.as_deref()?).into_owned();
        let name = feed.member.as_str();
        let title = feed.title.trim();
        let text = if title.is_empty() { name.to_owned() } else { format!("{title} ({name})") };
        let html_url = feed.site_link.unwrap_or_else(|| diary_url(base, &feed.member));
        Some(Outline {
            text: xml_safe(&text).into_owned(),
            xml_url,
            html_url: xml_safe(&html_url).into_owned(),
        })
    }
}

pub async fn export(State(state): State<AppState>, headers: HeaderMap) -> PageResult<Response> {
    let base = site_base(&state.config, &headers);
    let feeds = state.site.listed_feeds().await?;
    let page = Opml {
        title: xml_safe(&format!("{}: members' feeds", state.config.site_name)).into_owned(),
        outlines: feeds.into_iter().filter_map(|feed| Outline::of(feed, &base)).collect(),
    };
    let body = page.render().map_err(|e| {
        tracing::error!(error = %e, "the OPML list failed to render");
        Failure::internal()
    })?;
    Ok(([(CONTENT_TYPE, OPML_TYPE), (CACHE_CONTROL, FEED_CACHE_CONTROL)], body).into_response())
}
