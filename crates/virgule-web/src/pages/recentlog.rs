//! `/recentlog.html?thresh=L&start=N`: every member's entries, newest first, twenty a page,
//! each with its author; only authors at trust level `L` or above (default Apprentice), so a
//! new account's posts wait on its own diary until someone certifies it (TRUST.md "The gates").

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use virgule_store::{Page, TrustLevel};

use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::{start_param, thresh_param};
use crate::pages::view::{EntryView, Pager};
use crate::pages::{Layout, render};
use crate::state::AppState;

pub const PER_PAGE: i64 = 20;

/// Whose entries the recent log (page, API, feeds, front page) shows unless asked otherwise.
pub const DEFAULT_THRESHOLD: TrustLevel = TrustLevel::Apprentice;

const LEVELS: [TrustLevel; 4] =
    [TrustLevel::Observer, TrustLevel::Apprentice, TrustLevel::Journeyer, TrustLevel::Master];

/// A `thresh` value: a rank 0–3 (`None` for anything else); blank or absent is the default.
pub fn parse_threshold(raw: Option<&str>) -> Option<TrustLevel> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Some(DEFAULT_THRESHOLD),
        Some(raw) => TrustLevel::from_rank(raw.parse().ok()?),
    }
}

/// The recent log at `level`, first page: the default level keeps the plain address.
fn thresh_href(level: TrustLevel) -> String {
    if level == DEFAULT_THRESHOLD {
        "/recentlog.html".to_owned()
    } else {
        format!("/recentlog.html?thresh={}", level.rank())
    }
}

/// One choice of the "Showing … · show …" line: a link unless it is the level shown.
struct ThreshChoice {
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "recentlog.html")]
struct RecentLogPage {
    layout: Layout,
    entries: Vec<EntryView>,
    pager: Pager,
    start: i64,
    /// "Apprentice and above", or "everyone" at Observer.
    showing: String,
    choices: Vec<ThreshChoice>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let level = thresh_param(query.as_deref())?;
    // One more than a page tells whether an older page exists, without counting.
    let mut entries =
        state.store.recent_entries(level, Page { start, limit: PER_PAGE + 1 }).await?;
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
            &thresh_href(level),
            start,
            PER_PAGE,
            has_more,
            "Previous 20 entries",
            "Next 20 entries...",
        ),
        start,
        showing: match level {
            TrustLevel::Observer => "everyone".to_owned(),
            level => format!("{} and above", level.title()),
        },
        choices: LEVELS
            .into_iter()
            .map(|l| ThreshChoice {
                label: match l {
                    TrustLevel::Observer => "show all (0)".to_owned(),
                    l => l.title().to_owned(),
                },
                href: thresh_href(l),
                current: l == level,
            })
            .collect(),
    };
    Ok(render(&page)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_ranks_zero_to_three() {
        assert_eq!(parse_threshold(None), Some(TrustLevel::Apprentice));
        assert_eq!(parse_threshold(Some(" ")), Some(TrustLevel::Apprentice));
        assert_eq!(parse_threshold(Some("0")), Some(TrustLevel::Observer));
        assert_eq!(parse_threshold(Some("3")), Some(TrustLevel::Master));
        for bad in ["4", "-1", "master", "1.5", "99999999999"] {
            assert_eq!(parse_threshold(Some(bad)), None, "{bad}");
        }
        assert_eq!(thresh_href(TrustLevel::Apprentice), "/recentlog.html");
        assert_eq!(thresh_href(TrustLevel::Observer), "/recentlog.html?thresh=0");
    }
}
