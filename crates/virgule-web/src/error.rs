//! The web layer's error policy, in one place: every failure a request meets — a domain
//! refusal ([`virgule_site::SiteError`]), a bad form or JSON body, a CSRF mismatch, a route
//! the router does not serve — becomes a [`Failure`] (status, code, message), rendered as the
//! API's `{"error","code"}` under `/api/` and as a page in the site's layout elsewhere.

use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use virgule_site::{ErrorKind, SiteError};

use crate::auth::viewer::Viewer;
use crate::config::WebConfig;
use crate::layout::Layout;

/// Something a request could not do, with the status, a machine code and a message a person
/// can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Failure { status, code, message: message.into() }
    }
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }
    /// A body past its route's limit (`routes.rs`, `lib.rs`).
    pub fn too_large() -> Self {
        Self::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", "the request body is too large")
    }
    /// A body that could not be read: too large (413), or else malformed (400 `code`).
    pub fn unreadable_body(
        status: StatusCode,
        code: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Self::too_large()
        } else {
            Self::bad_request(code, detail)
        }
    }
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the form expired or came from another site; reload the page and try again",
        )
    }
    pub fn internal() -> Self {
        SiteError::internal().into()
    }
}

/// The one mapping from a domain refusal to HTTP.
impl From<SiteError> for Failure {
    fn from(err: SiteError) -> Self {
        let status = match err.kind {
            ErrorKind::BadInput => StatusCode::BAD_REQUEST,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Forbidden => StatusCode::FORBIDDEN,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure { status, code: err.code, message: err.message }
    }
}

impl From<virgule_store::StoreError> for Failure {
    fn from(err: virgule_store::StoreError) -> Self {
        SiteError::from(err).into()
    }
}

/// A failure rendered as the API's JSON error.
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl<E: Into<Failure>> From<E> for ApiError {
    fn from(err: E) -> Self {
        ApiError(err.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.0.message, "code": self.0.code });
        (self.0.status, Json(body)).into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A failure rendered as an HTML page (the same layout as every page), by [`render_errors`].
#[derive(Debug)]
pub struct PageError(pub Failure);

impl<E: Into<Failure>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

pub type PageResult<T> = Result<T, PageError>;

/// A page handler's failure: its status, with the failure attached for [`render_errors`].
impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    failure: &'a Failure,
}

/// Middleware: renders a [`Failure`] left by a page handler as a full page in the site's
/// layout, knowing who is logged in.
pub async fn render_errors(
    State(config): State<Arc<WebConfig>>,
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
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::UNAUTHORIZED => "Please log in",
        StatusCode::BAD_REQUEST => "That did not work",
        _ => "Something went wrong",
    };
    let page = ErrorPage { layout: Layout::new(&config, &viewer, title), failure: &failure };
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

/// Middleware: gives the API's error shape to the failures answered under `/api/` by
/// something else than an API handler (axum's bare 405 for a method an address does not
/// serve, its plain-text path rejections, the site's HTML 404), so that every API client
/// can read every error the same way.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let method = request.method().clone();
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let failure = match status {
        StatusCode::NOT_FOUND => no_api_call(),
        StatusCode::METHOD_NOT_ALLOWED => Failure::new(
            status,
            "method_not_allowed",
            format!("this address does not accept {method}"),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => Failure::too_large(),
        _ if status.is_client_error() => Failure::new(
            status,
            "bad_request",
            status.canonical_reason().unwrap_or("the request could not be read"),
        ),
        _ => Failure::internal(),
    };
    let (parts, _) = response.into_parts();
    let mut json = ApiError(failure).into_response();
    // Keep what the router said besides the body (e.g. `Allow` on a 405).
    for (name, value) in &parts.headers {
        if name != CONTENT_TYPE && name != CONTENT_LENGTH {
            json.headers_mut().append(name, value.clone());
        }
    }
    json
}

fn no_api_call() -> Failure {
    Failure::not_found("there is no API call at this address")
}

/// Any `/api/...` address that no route serves.
pub async fn api_not_found() -> ApiError {
    ApiError(no_api_call())
}

/// The fallback for any other path no route matches.
pub async fn page_not_found() -> PageError {
    PageError(Failure::not_found("There is no page at this address."))
}
