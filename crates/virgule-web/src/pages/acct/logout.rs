//! `/acct/logout` (POST only, with the CSRF token, so no other site can log a member out):
//! ends this browser's session and goes to the front page.

use std::collections::HashMap;

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;

use crate::auth::csrf::CsrfForm;
use crate::auth::session;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::state::AppState;

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> PageResult<Response> {
    let jar = session::end(&state.store, jar, viewer.session_hash.as_deref()).await?;
    Ok((jar, Redirect::to("/")).into_response())
}
