//! The one failure type of the web layer and its two renderings: a JSON body
//! `{"error","code"}` for the API, an HTML page for browsers.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use virgule_store::StoreError;
use virgule_syndication::SubscribeError;

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
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", message)
    }
    pub fn too_many_requests() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many attempts; wait a minute and try again",
        )
    }
    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "csrf",
            "the form expired or came from another site; reload the page and try again",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(message) => Failure::conflict(message),
            StoreError::NotFound => Failure::not_found("not found"),
            StoreError::Refused(message) => Failure::bad_request("refused", message),
            other => {
                tracing::error!(error = %other, "store failure");
                Failure::internal()
            }
        }
    }
}

impl From<SubscribeError> for Failure {
    fn from(err: SubscribeError) -> Self {
        match err {
            // The fetcher's own words say what is wrong with the address and how to fix it.
            SubscribeError::Refused(reason) => {
                Failure::bad_request("feed_url_refused", reason.to_string())
            }
            SubscribeError::Store(e) => e.into(),
        }
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

/// A failure rendered as an HTML page (the same layout as every page).
#[derive(Debug)]
pub struct PageError(pub Failure);

impl<E: Into<Failure>> From<E> for PageError {
    fn from(err: E) -> Self {
        PageError(err.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        crate::pages::error_page(&self.0)
    }
}

pub type PageResult<T> = Result<T, PageError>;
