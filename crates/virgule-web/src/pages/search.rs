//! `/search?q=…`: full-text search over entries, articles and replies, ten a page, best first,
//! each hit with its title, kind, author, date and the text around the matches (docs/design.md
//! "Search"). The same parameters as `GET /api/v1/search`; the form in every page's header
//! sends `q` alone, this page's form also the filters. A bad field is shown above the form,
//! with status 400, and the form keeps what was typed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use virgule_site::search::Findings;
use virgule_store::SearchKind;

use crate::api::ApiQuery;
use crate::api::search::SearchParams;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::feeds::hit_url;
use crate::layout::Layout;
use crate::pages::render;
use crate::pages::view::{Pager, Stamp};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    layout: Layout,
    form: Form,
    error: Option<Failure>,
    /// `None` until something was searched for.
    results: Option<Results>,
}

/// The form's fields as sent, to show them again.
struct Form {
    q: String,
    author: String,
    kind: String,
    since: String,
    until: String,
    /// Open the filters when one is set.
    filtered: bool,
    kinds: [(&'static str, &'static str); 3],
}

struct Results {
    total: i64,
    /// The first hit's position, from 1.
    first: i64,
    hits: Vec<HitView>,
    pager: Pager,
}

struct HitView {
    href: String,
    title: String,
    kind: &'static str,
    /// "Diary entry", "Article", "Reply".
    kind_label: &'static str,
    author: String,
    /// The author has no account here (an imported comment's): no profile to link.
    guest: bool,
    published: Stamp,
    snippet_html: String,
}

fn kind_label(kind: SearchKind) -> &'static str {
    match kind {
        SearchKind::Entry => "Diary entry",
        SearchKind::Article => "Article",
        SearchKind::Reply => "Reply",
    }
}

/// This search's address without `start`, for the pager.
fn base_href(params: &SearchParams) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    let fields = [
        ("q", &params.q),
        ("author", &params.author),
        ("kind", &params.kind),
        ("since", &params.since),
        ("until", &params.until),
        ("limit", &params.limit),
    ];
    for (name, value) in fields {
        if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
            query.append_pair(name, value);
        }
    }
    format!("/search?{}", query.finish())
}

impl Results {
    fn new(findings: Findings, base: &str) -> Self {
        let page = findings.page;
        let shown = findings.found.len() as i64;
        let has_more = page.start.saturating_add(shown) < findings.total;
        Results {
            total: findings.total,
            first: page.start + 1,
            pager: Pager::window(
                base,
                page.start,
                page.limit,
                has_more,
                "Previous results",
                "More results",
            ),
            hits: findings
                .found
                .into_iter()
                .map(|found| HitView {
                    href: hit_url("", &found.hit.place),
                    kind: found.hit.kind.as_str(),
                    kind_label: kind_label(found.hit.kind),
                    guest: found.hit.guest.is_some(),
                    author: found.hit.guest.clone().unwrap_or_else(|| found.hit.author.to_string()),
                    published: Stamp::new(found.hit.published),
                    title: if found.hit.title.is_empty() {
                        "(untitled)".to_owned()
                    } else {
                        found.hit.title
                    },
                    snippet_html: found.snippet_html,
                })
                .collect(),
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> PageResult<Response> {
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_owned();
    let form = Form {
        q: text(&params.q),
        author: text(&params.author),
        kind: text(&params.kind).to_ascii_lowercase(),
        since: text(&params.since),
        until: text(&params.until),
        filtered: [&params.author, &params.kind, &params.since, &params.until]
            .iter()
            .any(|v| !text(v).is_empty()),
        kinds: SearchKind::ALL.map(|k| (k.as_str(), kind_label(k))),
    };
    let title = if form.q.is_empty() { "Search".to_owned() } else { format!("Search: {}", form.q) };
    let (status, error, results) = match state.site.search(&params.request()).await {
        Ok(findings) => {
            let base = base_href(&params);
            (StatusCode::OK, None, findings.map(|f| Results::new(f, &base)))
        }
        Err(err) => {
            let failure = Failure::from(err);
            if failure.status != StatusCode::BAD_REQUEST && failure.status != StatusCode::NOT_FOUND
            {
                return Err(failure.into());
            }
            (StatusCode::BAD_REQUEST, Some(failure), None)
        }
    };
    let page =
        SearchPage { layout: Layout::new(&state.config, &viewer, title), form, error, results };
    Ok((status, render(&page)?).into_response())
}
