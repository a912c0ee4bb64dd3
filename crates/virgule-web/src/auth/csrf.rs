//! CSRF protection for forms: [`CsrfForm`] parses a urlencoded form and refuses it (403)
//! unless its `csrf` field equals the viewer's token: the session's for a member, the
//! anonymous cookie's otherwise. A cross-site page cannot read either. The token is checked
//! before the other fields are read, so a forged request is refused as forged (403), not as
//! malformed.
//!
//! A page shows the token through a [`crate::auth::viewer::FormToken`], which records that it was shown; only a
//! response that shows an anonymous browser its token gets the anonymous CSRF cookie, and
//! that response is personal ([`token_shown`]). Every other anonymous page is the same bytes
//! for every reader, with no cookie, so caches can share it.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::response::Response;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::constant_time_eq;
use crate::auth::session::csrf_cookie;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageError};

/// The token alone: read before the form's other fields, so that a forged request is
/// refused as forged whatever else it holds.
#[derive(Deserialize, Default)]
struct Token {
    #[serde(default)]
    csrf: String,
}

/// A form whose CSRF token has been checked. Fields of `T` should be `String`s (or
/// `Option<String>`): the form is read as text.
pub struct CsrfForm<T>(pub T);

impl<S, T> FromRequest<S> for CsrfForm<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let viewer = request.extensions().get::<Viewer>().cloned().ok_or_else(Failure::internal)?;
        let body = Bytes::from_request(request, state).await.map_err(|e| {
            Failure::unreadable_body(
                e.status(),
                "bad_form",
                format!("the form could not be read: {e}"),
            )
        })?;
        let Token { csrf } = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        if viewer.csrf_token.is_empty() || !constant_time_eq(&csrf, &viewer.csrf_token) {
            return Err(Failure::csrf().into());
        }
        let form = serde_urlencoded::from_bytes(&body).map_err(|e| {
            Failure::bad_request("bad_form", format!("the form could not be read: {e}"))
        })?;
        Ok(CsrfForm(form))
    }
}

/// What [`token_shown`] must do for an anonymous browser's response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnonymousToken {
    /// The response wrote the token into a form.
    pub shown: bool,
    /// The browser sent no CSRF cookie: the token was made for this request.
    pub new: bool,
}

/// The one rule for the anonymous CSRF cookie: a response that shows an anonymous browser
/// its token (a login or registration form) is `Cache-Control: private, no-store` (the token
/// is this browser's secret), and sets the cookie holding `token` if the browser has none
/// yet, so that the form's POST carries both. A response that shows no token is left alone:
/// no cookie, nothing personal.
pub fn token_shown(response: &mut Response, anonymous: AnonymousToken, token: &str, secure: bool) {
    if !anonymous.shown {
        return;
    }
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    if anonymous.new {
        let cookie = csrf_cookie(token.to_owned(), secure);
        match HeaderValue::from_str(&cookie.to_string()) {
            Ok(value) => {
                headers.append(SET_COOKIE, value);
            }
            Err(e) => tracing::error!(error = %e, "the CSRF cookie is not a valid header"),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::header::SET_COOKIE;

    use super::*;

    fn answer() -> Response {
        Response::new(axum::body::Body::empty())
    }

    #[test]
    fn no_token_shown_no_cookie_nothing_private() {
        let mut response = answer();
        token_shown(&mut response, AnonymousToken { shown: false, new: true }, "t", false);
        assert!(response.headers().is_empty());
    }

    #[test]
    fn a_new_shown_token_comes_with_its_cookie() {
        let mut response = answer();
        token_shown(&mut response, AnonymousToken { shown: true, new: true }, "t0k", true);
        assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
        let cookie = response.headers()[SET_COOKIE].to_str().unwrap_or_default().to_owned();
        assert!(cookie.starts_with("virgule_csrf=t0k;"), "{cookie}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("Secure"), "{cookie}");
    }

    #[test]
    fn a_known_token_shown_is_private_without_a_new_cookie() {
        let mut response = answer();
        token_shown(&mut response, AnonymousToken { shown: true, new: false }, "t0k", false);
        assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
        assert!(!response.headers().contains_key(SET_COOKIE));
    }
}
