//! HTML pages, one module per area; every template extends `base.html` through the shared
//! [`Layout`](crate::layout::Layout). Failures become pages in `crate::error`.

pub mod acct;
pub mod admin;
pub mod articles;
pub mod diary;
pub mod feed_health;
pub mod front;
pub mod graph;
pub mod news;
pub mod params;
pub mod people;
pub mod projects;
pub mod recentlog;
pub mod replies;
pub mod search;
pub mod spam;
pub mod view;

use askama::Template;
use axum::response::{Html, Response};
use virgule_site::{ErrorKind, Site, SiteResult};

use crate::auth::viewer::Viewer;
use crate::error::Failure;
use crate::state::AppState;

/// Renders a page template; a template failure is logged and becomes a 500 page.
pub fn render(page: &impl Template) -> Result<Html<String>, Failure> {
    page.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "page failed to render");
        Failure::internal()
    })
}

/// Where a writing form posts, its page's title, and where its "Cancel" leads.
pub struct FormTarget {
    pub title: &'static str,
    pub action: String,
    pub cancel: String,
}

/// A writing form with a "Preview" button (a diary entry, an article): the preview shows the
/// draft the site would store, by the same rules as saving.
pub(crate) trait PreviewForm: Sized {
    type Draft;
    /// The "Preview" button was pressed rather than the one that saves.
    fn is_preview(&self) -> bool;
    /// The draft a preview shows, checked and rendered by the site.
    async fn preview(&self, site: &Site) -> SiteResult<Self::Draft>;
    /// The form page again, with a preview (`Ok(Some)`), as it was (`Ok(None)`), or with the
    /// reason its input was refused.
    fn page(
        self,
        state: &AppState,
        viewer: &Viewer,
        target: FormTarget,
        outcome: Result<Option<Self::Draft>, Failure>,
    ) -> Result<Response, Failure>;
}

/// Answers a writing form's post: a preview, or the result of `save`; a refusal of the input
/// shows the form again with the reason, any other refusal (below a gate, not the author) is
/// an error page.
pub(crate) async fn preview_or_save<F: PreviewForm>(
    state: &AppState,
    viewer: &Viewer,
    target: FormTarget,
    form: F,
    save: impl AsyncFnOnce(&F) -> SiteResult<Response>,
) -> Result<Response, Failure> {
    if form.is_preview() {
        let outcome = form.preview(&state.site).await.map(Some).map_err(Failure::from);
        return form.page(state, viewer, target, outcome);
    }
    match save(&form).await {
        Ok(saved) => Ok(saved),
        Err(refused) if refused.kind == ErrorKind::BadInput => {
            form.page(state, viewer, target, Err(refused.into()))
        }
        Err(other) => Err(other.into()),
    }
}
