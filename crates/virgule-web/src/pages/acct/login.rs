//! `/acct/login`: name and password; rate-limited per address and per account. The same
//! message answers a wrong password and an unknown name, so the form does not reveal who
//! has an account.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use virgule_store::MemberName;

use super::log_in;
use crate::auth::csrf::CsrfForm;
use crate::auth::password;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::{ClientIp, query_param, safe_next};
use crate::pages::{Layout, render};
use crate::state::AppState;

/// Verified when the name is unknown, so that the answer takes as long as for a known name.
/// A well-formed Argon2id hash (default parameters) of no password anyone knows.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const WRONG: &str = "wrong name or password";

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
    error: Option<String>,
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
        layout: Layout::new(state, viewer, "Log in"),
        name,
        next,
        error: failure.map(|f| f.message),
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
    let key = form.name.trim().to_ascii_lowercase();
    if !state.limits.allow_login(ip, &key) {
        return Ok(retry(Failure::too_many_requests())?);
    }
    let found = match MemberName::parse(&form.name) {
        Ok(name) => state.store.member_with_password_hash(&name).await?,
        Err(_) => None,
    };
    let (member, stored) = match found {
        Some(found) => found,
        None => {
            password::verify(form.password.clone(), DUMMY_HASH.to_owned()).await;
            return Ok(retry(Failure::unauthorized(WRONG))?);
        }
    };
    if !password::verify(form.password.clone(), stored).await {
        return Ok(retry(Failure::unauthorized(WRONG))?);
    }
    if member.suspended {
        return Ok(retry(Failure::forbidden("this account is suspended"))?);
    }
    let jar = log_in(&state, &viewer, jar, &member).await?;
    let to = next.unwrap_or_else(|| format!("/person/{}/", member.name));
    Ok((jar, Redirect::to(&to)).into_response())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use argon2::{Argon2, PasswordHash, PasswordVerifier};

    use super::DUMMY_HASH;

    #[test]
    fn the_dummy_hash_costs_a_real_verification() {
        // A malformed hash would be refused at once, and the quick answer would tell
        // unknown names from known ones.
        let parsed = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        let err = Argon2::default().verify_password(b"a guess", &parsed).unwrap_err();
        assert_eq!(err, argon2::password_hash::Error::PasswordInvalid);
    }
}
