//! The "Flag as spam" form under entries, articles, replies and profiles (`POST /flags`),
//! and the admin's decisions on hidden items (`POST /admin/spam`); the admin page lists
//! them (docs/trust.md "Spam").

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::state::AppState;

/// The flag form: what is flagged and the page to go back to.
#[derive(Deserialize)]
pub struct FlagForm {
    kind: String,
    target: String,
    #[serde(default)]
    back: String,
}

/// Only a path of this site: anything else goes back to the front page.
fn local(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/"
    }
}

/// `POST /flags`: the viewer flags an item, then back to its page.
pub async fn flag(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    state.site.flag(member, &form.kind, &form.target).await?;
    Ok(Redirect::to(local(&form.back)).into_response())
}

/// An admin's decision form.
#[derive(Deserialize)]
pub struct DecisionForm {
    kind: String,
    target: String,
    /// `not_spam` or `remove`.
    decision: String,
}

/// `POST /admin/spam`: an admin decides on a hidden item, then back to the admin page.
pub async fn decide(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    state.site.decide_spam(member, &form.kind, &form.target, &form.decision).await?;
    Ok(Redirect::to("/admin/#spam").into_response())
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_local_paths_are_followed_back() {
        assert_eq!(local("/person/bob/diary/1.html"), "/person/bob/diary/1.html");
        for away in ["https://evil.example/", "//evil.example/", "/\\evil.example", ""] {
            assert_eq!(local(away), "/");
        }
    }
}
