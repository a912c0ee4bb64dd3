//! `/acct/new`: registration. A valid, free name, a strong password typed twice, an
//! optional e-mail address; then the new member is logged in and sees their profile.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use virgule_store::{MemberName, NewMember, StoreError};

use super::log_in;
use crate::auth::csrf::CsrfForm;
use crate::auth::password;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::ClientIp;
use crate::pages::{Layout, render};
use crate::state::AppState;

/// Longest e-mail address accepted (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

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
    error: Option<String>,
}

fn page(
    state: &AppState,
    viewer: &Viewer,
    form: &RegisterForm,
    failure: Option<Failure>,
) -> Result<Response, Failure> {
    let status = failure.as_ref().map_or(StatusCode::OK, |f| f.status);
    let page = RegisterPage {
        layout: Layout::new(state, viewer, "Register"),
        name: form.name.clone(),
        email: form.email.clone(),
        error: failure.map(|f| f.message),
    };
    Ok((status, render(&page)?).into_response())
}

pub async fn register_form(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    Ok(page(&state, &viewer, &RegisterForm::default(), None)?)
}

/// An optional address: empty is none; otherwise something@something, no spaces, bounded.
fn clean_email(raw: &str) -> Result<Option<String>, Failure> {
    let email = raw.trim();
    if email.is_empty() {
        return Ok(None);
    }
    let plausible = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@')
        });
    if plausible {
        Ok(Some(email.to_owned()))
    } else {
        Err(Failure::bad_request("bad_email", "that does not look like an e-mail address"))
    }
}

/// Checks the form and returns the validated name, password and e-mail.
fn validate(form: &RegisterForm) -> Result<(MemberName, Option<String>), Failure> {
    let name = MemberName::parse(&form.name)
        .map_err(|e| Failure::bad_request("bad_name", e.to_string()))?;
    if form.password != form.password2 {
        return Err(Failure::bad_request("password_mismatch", "the two passwords differ"));
    }
    password::check_strength(&form.password, name.as_str())?;
    let email = clean_email(&form.email)?;
    Ok((name, email))
}

pub async fn register(
    State(state): State<AppState>,
    viewer: Viewer,
    ClientIp(ip): ClientIp,
    jar: CookieJar,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> PageResult<Response> {
    if !state.limits.allow_registration(ip) {
        return Ok(page(&state, &viewer, &form, Some(Failure::too_many_requests()))?);
    }
    let (name, email) = match validate(&form) {
        Ok(valid) => valid,
        Err(failure) => return Ok(page(&state, &viewer, &form, Some(failure))?),
    };
    let password_hash = password::hash(form.password.clone()).await?;
    let new = NewMember { name, email, password_hash };
    let member = match state.store.create_member(&new).await {
        Ok(member) => member,
        Err(StoreError::Conflict(message)) => {
            return Ok(page(&state, &viewer, &form, Some(Failure::conflict(message)))?);
        }
        Err(e) => return Err(e.into()),
    };
    let jar = log_in(&state, &viewer, jar, &member).await?;
    Ok((jar, Redirect::to(&format!("/person/{}/", member.name))).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::clean_email;

    #[test]
    fn emails_are_optional_but_plausible() {
        assert_eq!(clean_email("  ").unwrap(), None);
        assert_eq!(clean_email(" a@b.org ").unwrap().as_deref(), Some("a@b.org"));
        assert!(clean_email("nobody").is_err());
        assert!(clean_email("a b@c.org").is_err());
        assert!(clean_email("@c.org").is_err());
        assert!(clean_email("a@").is_err());
        assert!(clean_email("a@b@c").is_err());
    }
}
