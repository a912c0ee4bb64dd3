//! The middleware that resolves the [`Viewer`] of every request once: the member behind a
//! bearer token or a session cookie, or an anonymous browser with its CSRF cookie.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use virgule_site::SiteError;
use virgule_site::password::{random_token, token_hash};

use crate::auth::session::{CSRF_COOKIE, SESSION_COOKIE, csrf_cookie};
use crate::auth::viewer::{AuthMethod, Viewer};
use crate::error::ApiError;
use crate::state::AppState;

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
        match state.site.store().member_by_api_token(&token_hash(&token)).await {
            Ok(Some(member)) => Viewer {
                member: Some(member),
                csrf_token: String::new(),
                method: AuthMethod::Bearer,
                session_hash: None,
            },
            Ok(None) => {
                return ApiError(SiteError::unauthorized("invalid or revoked API token").into())
                    .into_response();
            }
            Err(e) => return ApiError(e.into()).into_response(),
        }
    } else {
        let session = match jar.get(SESSION_COOKIE) {
            Some(cookie) => {
                let hash = token_hash(cookie.value());
                match state.site.store().session_by_token_hash(&hash).await {
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
