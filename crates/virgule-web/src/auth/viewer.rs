//! The [`Viewer`]: who is making this request (a member or nobody), resolved once per request
//! by [`crate::auth::resolve::resolve_viewer`] from the session cookie or a bearer token, and
//! read by handlers as an extractor.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use virgule_site::{SiteError, SiteResult};
use virgule_store::{Member, Session};

/// How the viewer proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    Anonymous,
    /// A browser session cookie: state-changing calls need the CSRF token.
    Session,
    /// `Authorization: Bearer T`: no CSRF token needed (browsers never send it on their own).
    Bearer,
}

/// The member behind a request, if any, and the CSRF token that its forms must carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub member: Option<Member>,
    pub csrf_token: String,
    pub method: AuthMethod,
    /// The hash of the session cookie, to end exactly this session at logout.
    pub session_hash: Option<String>,
    /// Set once a page writes `csrf_token` into a form ([`Viewer::form_token`]); shared by
    /// every copy of this request's viewer.
    token_shown: Arc<AtomicBool>,
}

impl Viewer {
    /// A member by API token: no CSRF token needed (browsers never send the header on their
    /// own).
    pub fn bearer(member: Member) -> Self {
        Viewer {
            member: Some(member),
            csrf_token: String::new(),
            method: AuthMethod::Bearer,
            session_hash: None,
            token_shown: Arc::default(),
        }
    }

    /// A member by browser session; `hash` is the session cookie's.
    pub fn session(session: Session, hash: String) -> Self {
        Viewer {
            member: Some(session.member),
            csrf_token: session.csrf_token,
            method: AuthMethod::Session,
            session_hash: Some(hash),
            token_shown: Arc::default(),
        }
    }

    /// Nobody signed in; `csrf_token` is the browser's anonymous one.
    pub fn anonymous(csrf_token: String) -> Self {
        Viewer {
            member: None,
            csrf_token,
            method: AuthMethod::Anonymous,
            session_hash: None,
            token_shown: Arc::default(),
        }
    }

    /// The CSRF token as a form shows it; showing it is recorded (see [`Viewer::token_shown`]).
    pub fn form_token(&self) -> FormToken {
        FormToken::new(self.csrf_token.clone(), Arc::clone(&self.token_shown))
    }

    /// Whether a page of this request has shown the CSRF token in a form.
    pub fn token_shown(&self) -> bool {
        self.token_shown.load(Ordering::Relaxed)
    }

    /// The logged-in member, or 401 with a message.
    pub fn require_member(&self) -> SiteResult<&Member> {
        self.member.as_ref().ok_or_else(SiteError::sign_in_first)
    }

    /// The logged-in admin, or 401/403.
    pub fn require_admin(&self) -> SiteResult<&Member> {
        virgule_site::news::require_admin(self.require_member()?)
    }

    pub fn is(&self, name: &str) -> bool {
        self.member.as_ref().is_some_and(|m| m.name.as_str() == name)
    }
}

/// The viewer's CSRF token as a page writes it into a form (`{{ layout.csrf }}`): writing it
/// records that this response shows the token, which [`crate::auth::csrf::token_shown`] then acts on.
#[derive(Debug, Clone)]
pub struct FormToken {
    value: String,
    shown: Arc<AtomicBool>,
}

impl FormToken {
    /// The token `value`, reporting its use to `shown` (shared with the request's viewer).
    pub fn new(value: String, shown: Arc<AtomicBool>) -> Self {
        FormToken { value, shown }
    }
}

impl fmt::Display for FormToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shown.store(true, Ordering::Relaxed);
        f.write_str(&self.value)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    /// A route without `resolve_viewer` is a bug in the router, not a request's fault.
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| {
            tracing::error!("Viewer extractor used on a route without resolve_viewer");
            StatusCode::INTERNAL_SERVER_ERROR
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_token_marks_its_flag() {
        let shown = Arc::new(AtomicBool::new(false));
        let token = FormToken::new("t0k".into(), Arc::clone(&shown));
        assert!(!shown.load(Ordering::Relaxed));
        assert_eq!(token.to_string(), "t0k");
        assert!(shown.load(Ordering::Relaxed));
    }
}
