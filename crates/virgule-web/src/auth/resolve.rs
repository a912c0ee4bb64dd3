//! The middleware that resolves the [`Viewer`] of every request once: the member behind a
//! bearer token or a session cookie, or an anonymous browser with its CSRF token (its
//! cookie's, or a new one that is sent as a cookie only if a form shows it).

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use virgule_site::password::random_token;

use crate::auth::csrf::{AnonymousToken, token_shown};
use crate::auth::session::{CSRF_COOKIE, SESSION_COOKIE};
use crate::auth::viewer::{AuthMethod, Viewer};
use crate::error::ApiError;
use crate::state::AppState;

/// Middleware: looks up the session cookie or bearer token once, puts a [`Viewer`] in the
/// request's extensions, and applies the anonymous CSRF cookie rule
/// ([`token_shown`]) to the answer.
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
    let anonymous = (viewer.method == AuthMethod::Anonymous).then(|| viewer.clone());
    request.extensions_mut().insert(viewer);
    let mut response = next.run(request).await;
    if let Some(viewer) = anonymous {
        let shown =
            AnonymousToken { shown: viewer.token_shown(), new: jar.get(CSRF_COOKIE).is_none() };
        token_shown(&mut response, shown, &viewer.csrf_token, state.config.secure_cookies);
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
