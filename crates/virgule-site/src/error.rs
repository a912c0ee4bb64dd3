//! The one failure type of the domain: what kind of refusal it is (which the web layer maps
//! to an HTTP status, once), a stable machine code (the API's `"code"`) and a message a person
//! can act on (the API's `"error"`, and the sentence a page shows).

use virgule_store::StoreError;
use virgule_syndication::SubscribeError;

/// What kind of refusal a [`SiteError`] is. Each kind is one HTTP status in the web layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input breaks a rule (400).
    BadInput,
    /// Nobody is signed in, or the credentials are wrong (401).
    Unauthorized,
    /// The actor may not do this: not the owner, not an admin, below a trust gate, a wrong
    /// current password, a suspended account (403).
    Forbidden,
    /// What was asked for does not exist (404).
    NotFound,
    /// A uniqueness rule refused the write, e.g. a taken name (409).
    Conflict,
    /// Too many attempts in a short time (429).
    RateLimited,
    /// Our fault; logged where it happened (500).
    Internal,
}

/// Something an operation could not do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SiteError {
    pub kind: ErrorKind,
    /// Stable, lower-case, for programs: `invalid_name`, `weak_password`, `not_found`, ...
    pub code: &'static str,
    pub message: String,
}

pub type SiteResult<T> = Result<T, SiteError>;

impl SiteError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> Self {
        SiteError { kind, code, message: message.into() }
    }
    pub fn bad_input(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadInput, code, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, "not_found", message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthorized, "unauthorized", message)
    }
    /// The request needs a signed-in member.
    pub fn sign_in_first() -> Self {
        Self::unauthorized("log in first")
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, "forbidden", message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, "conflict", message)
    }
    pub fn rate_limited() -> Self {
        Self::new(
            ErrorKind::RateLimited,
            "rate_limited",
            "too many attempts; wait a minute and try again",
        )
    }
    pub fn internal() -> Self {
        Self::new(
            ErrorKind::Internal,
            "internal",
            "something went wrong on our side; it has been logged",
        )
    }
}

impl From<StoreError> for SiteError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Conflict(message) => SiteError::conflict(message),
            StoreError::NotFound => SiteError::not_found("not found"),
            StoreError::Refused(message) => SiteError::bad_input("refused", message),
            // The search was stopped, as designed: the reader can ask for less.
            StoreError::SearchOverBudget => SiteError::bad_input(
                "search_too_broad",
                "this search took longer than the site allows: narrow it with more words, an \
                 author, a kind or dates, or try again later",
            ),
            other => {
                tracing::error!(error = %other, "store failure");
                SiteError::internal()
            }
        }
    }
}

impl From<SubscribeError> for SiteError {
    fn from(err: SubscribeError) -> Self {
        match err {
            // The fetcher's own words say what is wrong with the address and how to fix it.
            SubscribeError::Refused(reason) => {
                SiteError::bad_input("feed_url_refused", reason.to_string())
            }
            SubscribeError::Store(e) => e.into(),
        }
    }
}
