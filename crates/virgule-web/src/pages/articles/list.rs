//! `/article/?start=N`: every article, newest first, 20 a page.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use virgule_store::Page;

use super::{ArticleSummary, articles_layout};
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::layout::Layout;
use crate::pages::params::start_param;
use crate::pages::render;
use crate::pages::view::Pager;
use crate::state::AppState;

pub const PER_PAGE: i64 = 20;

#[derive(Template)]
#[template(path = "articles.html")]
struct ArticlesPage {
    layout: Layout,
    articles: Vec<ArticleSummary>,
    total: i64,
    pager: Pager,
    /// The viewer may post one (at the article gate).
    may_post: bool,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let list = state.site.articles(Page { start, limit: PER_PAGE }).await?;
    let shown = list.articles.len() as i64;
    let has_more = start.saturating_add(shown) < list.total;
    let may_post = viewer
        .member
        .as_ref()
        .is_some_and(|m| state.site.check_gate(m, virgule_site::gates::Gate::Article).is_ok());
    let page = ArticlesPage {
        layout: articles_layout(&state, &viewer, "Articles"),
        articles: list.articles.into_iter().map(ArticleSummary::new).collect(),
        total: list.total,
        pager: Pager::window(
            "/article/",
            start,
            PER_PAGE,
            has_more,
            "Newer articles",
            "Older articles...",
        ),
        may_post,
    };
    Ok(render(&page)?)
}
