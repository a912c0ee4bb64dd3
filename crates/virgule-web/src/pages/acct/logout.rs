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
    if let Some(hash) = viewer.session_hash.as_deref() {
        state.site.close_session(hash).await?;
    }
    Ok((session::ended(jar), Redirect::to("/")).into_response())
}
