//! HTML pages, one module per area; every template extends `base.html` through the shared
//! [`Layout`](crate::layout::Layout). Failures become pages in `crate::error`.

pub mod acct;
pub mod admin;
pub mod articles;
pub mod diary;
pub mod front;
pub mod graph;
pub mod news;
pub mod params;
pub mod people;
pub mod projects;
pub mod recentlog;
pub mod replies;
pub mod spam;
pub mod view;

use askama::Template;
use axum::response::Html;

use crate::error::Failure;

/// Renders a page template; a template failure is logged and becomes a 500 page.
pub fn render(page: &impl Template) -> Result<Html<String>, Failure> {
    page.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "page failed to render");
        Failure::internal()
    })
}
