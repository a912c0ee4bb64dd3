//! The [`Viewer`]: who is making this request (a member or nobody), resolved once per request
//! by [`resolve_viewer`] from the session cookie or a bearer token, and read by handlers as an
//! extractor.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::CookieJar;
use virgule_store::Member;

use crate::auth::session::{CSRF_COOKIE, SESSION_COOKIE, csrf_cookie};
use crate::auth::{random_token, token_hash};
use crate::error::Failure;
use crate::state::AppState;

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
}

impl Viewer {
    /// The logged-in member, or 401 with a message.
    pub fn require_member(&self) -> Result<&Member, Failure> {
        self.member.as_ref().ok_or_else(|| Failure::unauthorized("log in first"))
    }

    /// The logged-in admin, or 401/403.
    pub fn require_admin(&self) -> Result<&Member, Failure> {
        let member = self.require_member()?;
        if member.is_admin {
            Ok(member)
        } else {
            Err(Failure::forbidden("only a site admin may do that"))
        }
    }

    pub fn is(&self, name: &str) -> bool {
        self.member.as_ref().is_some_and(|m| m.name.as_str() == name)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Viewer>().cloned().ok_or_else(|| {
            tracing::error!("Viewer extractor used on a route without resolve_viewer");
            Failure::internal()
        })
    }
}

/// Middleware: looks up the session cookie or bearer token once, puts a [`Viewer`] in the
/// request's extensions, and gives a browser without one an anonymous CSRF cookie.
pub async fn resolve_viewer(
    State(state): State<AppState>,
    jar: CookieJar,
    mut request: Request,
    next: Next,
) -> Response {
    let bearer = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    let anonymous_csrf = jar.get(CSRF_COOKIE).map(|c| c.value().to_owned());
    let mut new_csrf_cookie = None;

    let viewer = if let Some(token) = bearer {
        match state.store.member_by_api_token(&token_hash(&token)).await {
            Ok(Some(member)) => Viewer {
                member: Some(member),
                csrf_token: String::new(),
                method: AuthMethod::Bearer,
                session_hash: None,
            },
            Ok(None) => {
                return crate::api::reject(Failure::unauthorized("invalid or revoked API token"));
            }
            Err(e) => return crate::api::reject(e.into()),
        }
    } else {
        let session = match jar.get(SESSION_COOKIE) {
            Some(cookie) => {
                let hash = token_hash(cookie.value());
                match state.store.session_by_token_hash(&hash).await {
                    Ok(found) => found.map(|s| (s, hash)),
                    Err(e) => {
                        tracing::error!(error = %e, "session lookup failed");
                        None
                    }
                }
            }
            None => None,
        };
        match session {
            Some((session, hash)) => Viewer {
                member: Some(session.member),
                csrf_token: session.csrf_token,
                method: AuthMethod::Session,
                session_hash: Some(hash),
            },
            None => {
                let csrf_token = anonymous_csrf.unwrap_or_else(|| {
                    let token = random_token();
                    new_csrf_cookie = Some(token.clone());
                    token
                });
                Viewer {
                    member: None,
                    csrf_token,
                    method: AuthMethod::Anonymous,
                    session_hash: None,
                }
            }
        }
    };

    request.extensions_mut().insert(viewer);
    let mut response = next.run(request).await;
    if let Some(token) = new_csrf_cookie {
        let cookie = csrf_cookie(token, state.config.secure_cookies);
        if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
            response.headers_mut().append(SET_COOKIE, value);
        }
    }
    response
}
