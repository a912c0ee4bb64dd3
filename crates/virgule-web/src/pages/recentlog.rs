//! `/recentlog.html?thresh=L&start=N`: every member's entries, newest first, twenty a page,
//! each with its author; only authors at trust level `L` or above (by default the site's
//! `recentlog_threshold`, Apprentice unless configured), so a new account's posts wait on its
//! own diary until someone certifies it (docs/trust.md "The gates").

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use virgule_site::people::RecentLog;
use virgule_store::{Page, TrustLevel};

use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::layout::Layout;
use crate::pages::params::{start_param, thresh_param};
use crate::pages::render;
use crate::pages::view::{EntryView, Pager};
use crate::state::AppState;

pub const PER_PAGE: i64 = 20;

const LEVELS: [TrustLevel; 4] =
    [TrustLevel::Observer, TrustLevel::Apprentice, TrustLevel::Journeyer, TrustLevel::Master];

/// The recent log at `level`, first page: the site's default level keeps the plain address.
fn thresh_href(level: TrustLevel, default: TrustLevel) -> String {
    if level == default {
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
    let default = state.site.settings().recentlog_threshold;
    let level = thresh_param(query.as_deref(), default)?;
    let log = state.site.recent_log(level, Page { start, limit: PER_PAGE }).await?;
    let site = &state.config.site_name;
    let layout = Layout::new(&state.config, &viewer, "Recent log").with_feeds(
        &format!("{site} recent log"),
        "/recentlog.rss".to_owned(),
        "/recentlog.atom".to_owned(),
        "/recentlog.json".to_owned(),
    );
    let shown = Shown { level, default, start };
    Ok(render(&RecentLogPage::new(layout, &viewer, log, shown))?)
}

/// Which part of the recent log a page shows.
struct Shown {
    level: TrustLevel,
    /// The site's default level (its links keep the plain address).
    default: TrustLevel,
    start: i64,
}

impl RecentLogPage {
    fn new(layout: Layout, viewer: &Viewer, log: RecentLog, shown: Shown) -> Self {
        let Shown { level, default, start } = shown;
        RecentLogPage {
            layout,
            entries: EntryView::list(log.entries, viewer, true),
            pager: Pager::window(
                &thresh_href(level, default),
                start,
                PER_PAGE,
                log.has_more,
                "Previous 20 entries",
                "Next 20 entries...",
            ),
            start,
            showing: match level {
                TrustLevel::Observer => "everyone".to_owned(),
                level => format!("{} and above", level.as_str()),
            },
            choices: LEVELS
                .into_iter()
                .map(|l| ThreshChoice {
                    label: match l {
                        TrustLevel::Observer => "show all (0)".to_owned(),
                        l => l.as_str().to_owned(),
                    },
                    href: thresh_href(l, default),
                    current: l == level,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_level_keeps_the_plain_address() {
        let site = TrustLevel::Apprentice;
        assert_eq!(thresh_href(TrustLevel::Apprentice, site), "/recentlog.html");
        assert_eq!(thresh_href(TrustLevel::Observer, site), "/recentlog.html?thresh=0");
    }

    #[test]
    fn the_site_setting_is_the_default_and_keeps_the_plain_address() {
        let site = TrustLevel::Journeyer;
        assert_eq!(thresh_href(TrustLevel::Journeyer, site), "/recentlog.html");
        assert_eq!(thresh_href(TrustLevel::Apprentice, site), "/recentlog.html?thresh=1");
    }
}
