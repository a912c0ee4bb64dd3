//! Full-text search over the site's entries, articles and replies (`/search`,
//! `GET /api/v1/search`): the request as sent, read by the input rules, answered by the
//! store's engine, with each hit's snippet as HTML.

use chrono::{Days, NaiveTime};
use virgule_store::{MATCH_END, MATCH_START, Page, SearchFilter, SearchHit, SearchQuery};

use crate::error::{SiteError, SiteResult};
use crate::{Site, rules};

/// A search as sent by a form or the API: every field as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct SearchRequest<'a> {
    pub q: Option<&'a str>,
    /// A member name.
    pub author: Option<&'a str>,
    /// `entry`, `article` or `reply`.
    pub kind: Option<&'a str>,
    /// `YYYY-MM-DD`, included.
    pub since: Option<&'a str>,
    /// `YYYY-MM-DD`, included.
    pub until: Option<&'a str>,
    pub start: Option<&'a str>,
    pub limit: Option<&'a str>,
}

/// One hit as pages and the API show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub hit: SearchHit,
    /// The text around the matches, escaped, each match in `<mark>`.
    pub snippet_html: String,
}

/// A page of hits, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Findings {
    pub total: i64,
    /// More match than `total` counts (see `virgule_store::CANDIDATES`).
    pub more: bool,
    pub page: Page,
    pub found: Vec<Found>,
}

impl Site {
    /// The hits for `request`; `Ok(None)` when it has no query (a blank search box). A bad
    /// field is refused whole, with the rule's message.
    pub async fn search(&self, request: &SearchRequest<'_>) -> SiteResult<Option<Findings>> {
        let page = rules::window(request.start, request.limit)?;
        let kinds = rules::search_kinds(request.kind)?;
        let since = rules::search_day(request.since, "since")?;
        let until = rules::search_day(request.until, "until")?;
        let query: Option<SearchQuery> = rules::search_query(request.q.unwrap_or_default())?;
        let author = match request.author.map(str::trim).filter(|a| !a.is_empty()) {
            Some(name) => Some(self.member_named(name).await?.id),
            None => None,
        };
        let Some(query) = query else {
            return Ok(None);
        };
        let midnight = |day: chrono::NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
        let before = match until {
            Some(day) => Some(midnight(day.checked_add_days(Days::new(1)).ok_or_else(|| {
                SiteError::bad_input("bad_query", "“until” is past the last date we know")
            })?)),
            None => None,
        };
        let filter = SearchFilter { author, kinds, since: since.map(midnight), before };
        let results = self.store.search(&query, &filter, page).await?;
        let found = results
            .hits
            .into_iter()
            .map(|hit| Found { snippet_html: snippet_html(&hit.snippet), hit })
            .collect();
        Ok(Some(Findings { total: results.total, more: results.more, page, found }))
    }
}

/// A store snippet as HTML: the text escaped, each match between [`MATCH_START`] and
/// [`MATCH_END`] in `<mark>`, every `<mark>` closed.
pub fn snippet_html(snippet: &str) -> String {
    let mut html = String::with_capacity(snippet.len() + 32);
    let mut open = false;
    for c in snippet.chars() {
        match c {
            MATCH_START if !open => {
                html.push_str("<mark>");
                open = true;
            }
            MATCH_END if open => {
                html.push_str("</mark>");
                open = false;
            }
            MATCH_START | MATCH_END => {}
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
    if open {
        html.push_str("</mark>");
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_escape_the_text_and_mark_the_matches() {
        let snippet = format!("a <b> & {MATCH_START}debian{MATCH_END} \"x\" {MATCH_START}apt");
        assert_eq!(
            snippet_html(&snippet),
            "a &lt;b&gt; &amp; <mark>debian</mark> &quot;x&quot; <mark>apt</mark>"
        );
        assert_eq!(
            snippet_html(&format!("{MATCH_END}x{MATCH_START}{MATCH_START}y")),
            "x<mark>y</mark>"
        );
    }
}
