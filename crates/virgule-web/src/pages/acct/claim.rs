//! `/acct/claim/TOKEN`: the owner of an account an OPML import made (locked, no password)
//! claims it through the link an admin gave them (`virgule user claim NAME`): they choose a
//! password, the link is spent, and they are logged in on their profile. An unknown, spent
//! or expired link is a 404 in words.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use virgule_site::ErrorKind;

use super::log_in;
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::pages::render;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ClaimForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
}

#[derive(Template)]
#[template(path = "acct_claim.html")]
struct ClaimPage {
    layout: Layout,
    name: String,
    token: String,
    error: Option<Failure>,
}

fn page(
    state: &AppState,
    viewer: &Viewer,
    name: &str,
    token: &str,
    failure: Option<Failure>,
) -> Result<Response, Failure> {
    let status = failure.as_ref().map_or(StatusCode::OK, |f| f.status);
    let page = ClaimPage {
        layout: Layout::new(&state.config, viewer, format!("Claim {name}")),
        name: name.to_owned(),
        token: token.to_owned(),
        error: failure,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn claim_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(token): Path<String>,
) -> PageResult<Response> {
    let member = state.site.claimable(&token).await?;
    Ok(page(&state, &viewer, member.name.as_str(), &token, None)?)
}

pub async fn claim(
    State(state): State<AppState>,
    viewer: Viewer,
    jar: CookieJar,
    Path(token): Path<String>,
    CsrfForm(form): CsrfForm<ClaimForm>,
) -> PageResult<Response> {
    let member = state.site.claimable(&token).await?;
    let member = match state.site.claim(&token, &form.password, &form.password2).await {
        Ok(member) => member,
        Err(refused) if refused.kind == ErrorKind::BadInput => {
            return Ok(page(&state, &viewer, member.name.as_str(), &token, Some(refused.into()))?);
        }
        Err(refused) => return Err(refused.into()),
    };
    let jar = log_in(&state, &viewer, jar, &member).await?;
    Ok((jar, Redirect::to(&format!("/person/{}/", member.name))).into_response())
}
