//! Browser session cookies: set when a session opens (the domain makes the session, a new id
//! each time), cleared when it ends, and the anonymous CSRF cookie of login and registration
//! forms.

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use virgule_site::accounts::{NewSession, SESSION_DAYS};

pub const SESSION_COOKIE: &str = "virgule_session";
/// The CSRF token of a browser that is not logged in (login and registration forms).
pub const CSRF_COOKIE: &str = "virgule_csrf";

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

/// The jar that sets a just-opened session's cookie (and drops the anonymous CSRF cookie).
pub fn started(jar: CookieJar, session: NewSession, secure: bool) -> CookieJar {
    let mut cookie = base_cookie(SESSION_COOKIE, session.token, secure);
    // The cookie outlives a browser restart, like the session row does.
    cookie.set_max_age(time::Duration::days(SESSION_DAYS));
    jar.add(cookie).remove(Cookie::build(CSRF_COOKIE).path("/"))
}

/// The jar that clears the session cookie.
pub fn ended(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SESSION_COOKIE).path("/"))
}
