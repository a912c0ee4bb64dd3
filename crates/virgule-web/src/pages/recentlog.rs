//! `/recentlog.html?start=N`: every member's entries, newest first, twenty a page, each with
//! its author.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use virgule_store::Page;

use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::start_param;
use crate::pages::view::{EntryView, Pager};
use crate::pages::{Layout, render};
use crate::state::AppState;

pub const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "recentlog.html")]
struct RecentLogPage {
    layout: Layout,
    entries: Vec<EntryView>,
    pager: Pager,
    start: i64,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    // One more than a page tells whether an older page exists, without counting.
    let mut entries = state.store.recent_entries(Page { start, limit: PER_PAGE + 1 }).await?;
    let has_more = entries.len() as i64 > PER_PAGE;
    entries.truncate(PER_PAGE as usize);
    let site = state.config.site_name.clone();
    let page = RecentLogPage {
        layout: Layout::new(&state, &viewer, "Recent log").with_feeds(
            &format!("{site} recent log"),
            "/recentlog.rss".to_owned(),
            "/recentlog.atom".to_owned(),
            "/recentlog.json".to_owned(),
        ),
        entries: EntryView::list(entries, &viewer, true),
        pager: Pager::window(
            "/recentlog.html",
            start,
            PER_PAGE,
            has_more,
            "Previous 20 entries",
            "Next 20 entries...",
        ),
        start,
    };
    Ok(render(&page)?)
}
