//! HTML pages: the shared [`Layout`] every template extends, and error pages (a real 404 and
//! every other failure) rendered in that layout.

pub mod acct;
pub mod admin;
pub mod diary;
pub mod front;
pub mod news;
pub mod params;
pub mod people;
pub mod recentlog;
pub mod view;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageError};
use crate::state::AppState;

/// A feed that a page offers to feed readers (`<link rel="alternate">`).
#[derive(Debug, Clone)]
pub struct FeedLink {
    pub title: String,
    pub mime: &'static str,
    pub href: String,
}

/// What `base.html` needs on every page.
#[derive(Debug, Clone)]
pub struct Layout {
    pub site_name: String,
    /// The `<title>`, without the site name.
    pub title: String,
    /// The logged-in member's name, if any.
    pub viewer: Option<String>,
    pub viewer_is_admin: bool,
    /// Every form's hidden `csrf` field.
    pub csrf: String,
    pub feeds: Vec<FeedLink>,
}

impl Layout {
    pub fn new(state: &AppState, viewer: &Viewer, title: impl Into<String>) -> Self {
        Layout {
            site_name: state.config.site_name.clone(),
            title: title.into(),
            viewer: viewer.member.as_ref().map(|m| m.name.to_string()),
            viewer_is_admin: viewer.member.as_ref().is_some_and(|m| m.is_admin),
            csrf: viewer.csrf_token.clone(),
            feeds: Vec::new(),
        }
    }

    /// Adds the RSS, Atom and JSON Feed links for the feeds under `prefix`
    /// (`/person/NAME/` gives `/person/NAME/rss.xml` etc.).
    pub fn with_feeds(mut self, title: &str, rss: String, atom: String, json: String) -> Self {
        self.feeds = vec![
            FeedLink { title: format!("{title} (RSS)"), mime: "application/rss+xml", href: rss },
            FeedLink { title: format!("{title} (Atom)"), mime: "application/atom+xml", href: atom },
            FeedLink {
                title: format!("{title} (JSON Feed)"),
                mime: "application/feed+json",
                href: json,
            },
        ];
        self
    }
}

/// Renders a page template; a template failure is logged and becomes a 500 page.
pub fn render(page: &impl Template) -> Result<Html<String>, Failure> {
    page.render().map(Html).map_err(|e| {
        tracing::error!(error = %e, "page failed to render");
        Failure::internal()
    })
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    failure: &'a Failure,
}

/// A page handler's failure, as a response the [`render_errors`] middleware turns into a page.
pub fn error_page(failure: &Failure) -> Response {
    let mut response = failure.status.into_response();
    response.extensions_mut().insert(failure.clone());
    response
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        error_page(&self)
    }
}

/// Middleware: renders a [`Failure`] left by a page handler as a full page in the site's
/// layout, knowing who is logged in.
pub async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let viewer = request.extensions().get::<Viewer>().cloned();
    let response = next.run(request).await;
    let Some(failure) = response.extensions().get::<Failure>().cloned() else {
        return response;
    };
    let Some(viewer) = viewer else {
        return (failure.status, failure.message).into_response();
    };
    let title = match failure.status {
        StatusCode::NOT_FOUND => "Not found".to_owned(),
        StatusCode::FORBIDDEN => "Not allowed".to_owned(),
        StatusCode::UNAUTHORIZED => "Please log in".to_owned(),
        _ => "Something went wrong".to_owned(),
    };
    let page = ErrorPage { layout: Layout::new(&state, &viewer, title), failure: &failure };
    match page.render() {
        Ok(html) => {
            let mut response = (failure.status, Html(html)).into_response();
            response.extensions_mut().insert(failure);
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (failure.status, failure.message).into_response()
        }
    }
}

/// The fallback for any path no route matches.
pub async fn not_found() -> PageError {
    PageError(Failure::not_found("There is no page at this address."))
}
