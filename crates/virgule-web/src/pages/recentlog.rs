//! `/recentlog.html?thresh=L&start=N`: every member's entries, newest first, twenty a page,
//! each with its author; only authors at trust level `L` or above (by default the site's
//! `recentlog_threshold`, Apprentice unless configured), so a new account's posts wait on its
//! own diary until someone certifies it (docs/trust.md "The gates").
//!
//! A signed-in reader also sees each author's interest score (docs/trust.md "Diary
//! ratings"), and `?interest=T` hides the entries of authors whose mean score for this
//! reader is below T, saying how many on this page; unrated authors are always shown. The
//! scores are personal, so for an anonymous reader `?interest=` is explained and ignored.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use virgule_site::people::RecentLog;
use virgule_site::ratings::ScoredLog;
use virgule_store::{Member, Page, TrustLevel};

use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::layout::Layout;
use crate::pages::params::{interest_param, start_param, thresh_param};
use crate::pages::render;
use crate::pages::view::{EntryView, InterestMark, Pager};
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

/// `href` with the interest threshold `t` added, if any.
fn with_interest(href: String, interest: Option<f64>) -> String {
    match interest {
        None => href,
        Some(t) if href.contains('?') => format!("{href}&interest={}", number(t)),
        Some(t) => format!("{href}?interest={}", number(t)),
    }
}

/// A threshold as a person writes it: `7`, `6.5`.
fn number(t: f64) -> String {
    if t.fract() == 0.0 { format!("{t:.0}") } else { format!("{t}") }
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
    /// A signed-in reader: offer the interest filter.
    signed_in: bool,
    /// The interest filter's field: the threshold asked for, or empty.
    interest_value: String,
    /// The trust threshold to keep when the interest form is sent, unless the default.
    thresh_kept: Option<u8>,
    /// "N entries suppressed at threshold T", when a signed-in reader asked for a threshold.
    suppressed: Option<String>,
    /// An anonymous reader asked for `?interest=`: say why it is ignored.
    interest_ignored: bool,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let default = state.site.settings().recentlog_threshold;
    let level = thresh_param(query.as_deref(), default)?;
    let interest = interest_param(query.as_deref())?;
    let page = Page { start, limit: PER_PAGE };
    let log = match &viewer.member {
        Some(reader) => {
            Log::Scored(state.site.recent_log_for(reader, level, page, interest).await?)
        }
        None => Log::Plain(state.site.recent_log(level, page).await?),
    };
    let site = &state.config.site_name;
    let layout = Layout::new(&state.config, &viewer, "Recent log").with_feeds(
        &format!("{site} recent log"),
        "/recentlog.rss".to_owned(),
        "/recentlog.atom".to_owned(),
        "/recentlog.json".to_owned(),
    );
    let shown = Shown { level, default, start, interest };
    Ok(render(&RecentLogPage::new(layout, &viewer, log, shown))?)
}

/// The recent log as read: with scores for a signed-in reader, plain for anyone else.
enum Log {
    Scored(ScoredLog),
    Plain(RecentLog),
}

/// Which part of the recent log a page shows.
struct Shown {
    level: TrustLevel,
    /// The site's default level (its links keep the plain address).
    default: TrustLevel,
    start: i64,
    /// The interest threshold asked for.
    interest: Option<f64>,
}

impl RecentLogPage {
    fn new(layout: Layout, viewer: &Viewer, log: Log, shown: Shown) -> Self {
        let Shown { level, default, start, interest } = shown;
        let reader: Option<&Member> = viewer.member.as_ref();
        let (entries, has_more, suppressed) = match log {
            Log::Scored(log) => {
                let entries = log
                    .entries
                    .into_iter()
                    .map(|scored| EntryView {
                        interest: scored.interest.map(InterestMark::of),
                        ..EntryView::new(scored.entry, viewer, true)
                    })
                    .collect();
                let suppressed = interest.map(|t| {
                    let n = log.suppressed;
                    let noun = if n == 1 { "entry" } else { "entries" };
                    format!("{n} {noun} suppressed at threshold {}", number(t))
                });
                (entries, log.has_more, suppressed)
            }
            Log::Plain(log) => (EntryView::list(log.entries, viewer, true), log.has_more, None),
        };
        // A reader's threshold follows them through the pages and the trust choices.
        let interest_kept = interest.filter(|_| reader.is_some());
        RecentLogPage {
            layout,
            entries,
            pager: Pager::window(
                &with_interest(thresh_href(level, default), interest_kept),
                start,
                PER_PAGE,
                has_more,
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
                    href: with_interest(thresh_href(l, default), interest_kept),
                    current: l == level,
                })
                .collect(),
            signed_in: reader.is_some(),
            interest_value: interest_kept.map(number).unwrap_or_default(),
            thresh_kept: (level != default).then(|| level.rank()),
            suppressed,
            interest_ignored: reader.is_none() && interest.is_some(),
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

    #[test]
    fn the_interest_threshold_joins_the_address() {
        assert_eq!(
            with_interest("/recentlog.html".to_owned(), Some(7.0)),
            "/recentlog.html?interest=7"
        );
        assert_eq!(
            with_interest("/recentlog.html?thresh=0".to_owned(), Some(6.5)),
            "/recentlog.html?thresh=0&interest=6.5"
        );
        assert_eq!(with_interest("/recentlog.html".to_owned(), None), "/recentlog.html");
    }
}
