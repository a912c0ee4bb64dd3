//! `/acct/login`: name and password; rate-limited per address and per account. The same
//! message answers a wrong password and an unknown name, so the form does not reveal who
//! has an account.

use askama::Template;
use axum::extract::{RawQuery, State};
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
use crate::limits::ClientIp;
use crate::pages::params::{query_param, safe_next};
use crate::pages::render;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    /// Where to go afterwards (a path on this site).
    #[serde(default)]
    next: String,
}

#[derive(Template)]
#[template(path = "acct_login.html")]
struct LoginPage {
    layout: Layout,
    name: String,
    next: String,
    error: Option<Failure>,
}

fn page(
    state: &AppState,
    viewer: &Viewer,
    name: String,
    next: String,
    failure: Option<Failure>,
) -> Result<Response, Failure> {
    let status = failure.as_ref().map_or(StatusCode::OK, |f| f.status);
    let page = LoginPage {
        layout: Layout::new(&state.config, viewer, "Log in"),
        name,
        next,
        error: failure,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn login_form(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Response> {
    let next = safe_next(query_param(query.as_deref(), "next").as_deref()).unwrap_or_default();
    Ok(page(&state, &viewer, String::new(), next, None)?)
}

pub async fn login(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> PageResult<Response> {
    let next = safe_next(Some(&form.next));
    let retry = |failure: Failure| {
        page(&state, &viewer, form.name.clone(), next.clone().unwrap_or_default(), Some(failure))
    };
    let signed_in = match state.limits.login(ip, &form.name).await {
        Ok(()) => state.site.authenticate(&form.name, &form.password).await,
        Err(refused) => Err(refused),
    };
    let member = match signed_in {
        Ok(member) => member,
        Err(refused) if refused.kind == ErrorKind::Internal => return Err(refused.into()),
        Err(refused) => return Ok(retry(refused.into())?),
    };
    let jar = log_in(&state, &viewer, jar, &member).await?;
    let to = next.unwrap_or_else(|| format!("/person/{}/", member.name));
    Ok((jar, Redirect::to(&to)).into_response())
}
