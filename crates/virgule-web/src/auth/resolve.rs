//! The middleware that resolves the [`Viewer`] of every request once: the member behind a
//! bearer token or a session cookie, or an anonymous browser with its CSRF cookie.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{AUTHORIZATION, SET_COOKIE};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use virgule_site::password::random_token;

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
        .map(str::trim);
    let viewer = match bearer {
        Some(token) => match state.site.member_for_api_token(token).await {
            Ok(member) => Viewer::bearer(member),
            Err(refused) => return ApiError(refused.into()).into_response(),
        },
        None => browser(&state, &jar).await,
    };
    // A browser that has neither a session nor an anonymous token gets one with this answer.
    let new_csrf_cookie = (viewer.method == AuthMethod::Anonymous
        && jar.get(CSRF_COOKIE).is_none())
    .then(|| viewer.csrf_token.clone());
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

/// The viewer behind a browser: its session's member, or anonymous with the CSRF token of
/// its cookie (a new one if it has none). A failed lookup is logged and reads as anonymous.
async fn browser(state: &AppState, jar: &CookieJar) -> Viewer {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        match state.site.session(cookie.value()).await {
            Ok(Some((session, hash))) => return Viewer::session(session, hash),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "session lookup failed"),
        }
    }
    let csrf_token = jar.get(CSRF_COOKIE).map_or_else(random_token, |c| c.value().to_owned());
    Viewer::anonymous(csrf_token)
}
