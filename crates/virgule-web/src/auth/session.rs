//! Browser sessions: the cookies, starting a session at login (a new id each time) and ending
//! it at logout.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use virgule_store::{Member, Store};

use crate::auth::{random_token, token_hash};
use crate::error::Failure;

pub const SESSION_COOKIE: &str = "virgule_session";
/// The CSRF token of a browser that is not logged in (login and registration forms).
pub const CSRF_COOKIE: &str = "virgule_csrf";
/// How long a session lasts without a new login.
pub const SESSION_DAYS: i64 = 30;

fn base_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

pub fn csrf_cookie(token: String, secure: bool) -> Cookie<'static> {
    base_cookie(CSRF_COOKIE, token, secure)
}

/// Starts a fresh session for `member` (a new random id, so a planted cookie is useless) and
/// returns the jar that sets its cookie.
pub async fn start(
    store: &Store,
    jar: CookieJar,
    member: &Member,
    secure: bool,
) -> Result<CookieJar, Failure> {
    let token = random_token();
    let expires = virgule_store::now() + Duration::days(SESSION_DAYS);
    store.create_session(&token_hash(&token), member.id, &random_token(), expires).await?;
    let mut cookie = base_cookie(SESSION_COOKIE, token, secure);
    // The cookie outlives a browser restart, like the session row does.
    cookie.set_max_age(time::Duration::days(SESSION_DAYS));
    Ok(jar.add(cookie).remove(Cookie::build(CSRF_COOKIE).path("/")))
}

/// Ends the session whose cookie hash is given and clears the cookie.
pub async fn end(
    store: &Store,
    jar: CookieJar,
    session_hash: Option<&str>,
) -> Result<CookieJar, Failure> {
    if let Some(hash) = session_hash {
        store.delete_session(hash).await?;
    }
    Ok(jar.remove(Cookie::build(SESSION_COOKIE).path("/")))
}
