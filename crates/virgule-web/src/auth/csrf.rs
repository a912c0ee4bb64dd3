//! CSRF protection for forms: [`CsrfForm`] parses a urlencoded form and refuses it (403)
//! unless its `csrf` field equals the viewer's token: the session's for a member, the
//! anonymous cookie's otherwise. A cross-site page cannot read either.

use axum::extract::{Form, FromRequest, Request};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::constant_time_eq;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageError};

#[derive(Deserialize)]
struct WithCsrf<T> {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    inner: T,
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
        let Form(form) = Form::<WithCsrf<T>>::from_request(request, state).await.map_err(|e| {
            Failure::bad_request("bad_form", format!("the form could not be read: {e}"))
        })?;
        if viewer.csrf_token.is_empty() || !constant_time_eq(&form.csrf, &viewer.csrf_token) {
            return Err(Failure::csrf().into());
        }
        Ok(CsrfForm(form.inner))
    }
}
