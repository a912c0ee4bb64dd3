//! `/admin/feeds`: every syndicated feed with its health, for the site's admins: owner, last
//! success, last error (in words, with the HTTP status), the reader's warnings, next fetch and
//! entries; failing longest first ([`virgule_site::feeds::by_health`]), or by member with
//! `?sort=name`. A member sees the same of their own feed in their settings.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use virgule_site::feeds::is_failing;
use virgule_store::Feed;

use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::layout::Layout;
use crate::pages::params::login_redirect;
use crate::pages::render;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "admin_feeds.html")]
struct FeedsPage {
    layout: Layout,
    rows: Vec<Row>,
    failing: usize,
    by_name: bool,
}

/// One feed as the table shows it.
struct Row {
    member: String,
    url: String,
    title: String,
    status: &'static str,
    last_success: String,
    last_error: Option<String>,
    failures: i64,
    warnings: Vec<String>,
    next_fetch: String,
    entries: i64,
    failing: bool,
}

fn when(at: Option<DateTime<Utc>>, otherwise: &str) -> String {
    at.map_or_else(|| otherwise.to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

impl Row {
    fn of(feed: Feed) -> Self {
        Row {
            failing: is_failing(&feed),
            member: feed.member.to_string(),
            url: feed.url.unwrap_or_default(),
            title: feed.title,
            status: feed.status.as_str(),
            last_success: when(feed.last_success_at, "never"),
            last_error: feed.last_error,
            failures: feed.consecutive_failures,
            warnings: feed.last_warnings,
            next_fetch: when(feed.next_fetch_at, "not polled"),
            entries: feed.entry_count,
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Response> {
    if viewer.member.is_none() {
        return Ok(login_redirect("/admin/feeds"));
    }
    let admin = viewer.require_admin()?;
    let mut feeds = state.site.feed_health(admin).await?;
    let by_name = query.as_deref() == Some("sort=name");
    if by_name {
        feeds.sort_by(|a, b| a.member.as_str().cmp(b.member.as_str()));
    }
    let rows: Vec<Row> = feeds.into_iter().map(Row::of).collect();
    let page = FeedsPage {
        layout: Layout::new(&state.config, &viewer, "Syndicated feeds"),
        failing: rows.iter().filter(|row| row.failing).count(),
        rows,
        by_name,
    };
    Ok(render(&page)?.into_response())
}
