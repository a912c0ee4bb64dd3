//! `/acct/new`: registration. A valid, free name, a strong password typed twice, an
//! optional e-mail address; then the new member is logged in and sees their profile.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use virgule_site::ErrorKind;
use virgule_site::accounts::Registration;

use super::log_in;
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::limits::ClientIp;
use crate::pages::render;
use crate::state::AppState;

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password2: String,
    #[serde(default)]
    email: String,
}

#[derive(Template)]
#[template(path = "acct_register.html")]
struct RegisterPage {
    layout: Layout,
    /// What was typed, to fill the form again (never the passwords).
    name: String,
    email: String,
    error: Option<Failure>,
}

fn page(
    state: &AppState,
    viewer: &Viewer,
    form: &RegisterForm,
    failure: Option<Failure>,
) -> Result<Response, Failure> {
    let status = failure.as_ref().map_or(StatusCode::OK, |f| f.status);
    let page = RegisterPage {
        layout: Layout::new(&state.config, viewer, "Register"),
        name: form.name.clone(),
        email: form.email.clone(),
        error: failure,
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn register_form(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    Ok(page(&state, &viewer, &RegisterForm::default(), None)?)
}

pub async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> PageResult<Response> {
    let registration = Registration {
        name: &form.name,
        password: &form.password,
        password_again: Some(&form.password2),
        email: Some(&form.email),
    };
    let registered = match state.limits.registration(ip).await {
        Ok(()) => state.site.register(registration).await,
        Err(refused) => Err(refused),
    };
    let member = match registered {
        Ok(member) => member,
        Err(refused) if refused.kind == ErrorKind::Internal => return Err(refused.into()),
        Err(refused) => return Ok(page(&state, &viewer, &form, Some(refused.into()))?),
    };
    let jar = log_in(&state, &viewer, jar, &member).await?;
    Ok((jar, Redirect::to(&format!("/person/{}/", member.name))).into_response())
}
