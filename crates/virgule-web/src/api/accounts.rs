//! `POST /api/v1/accounts`: registration by API, with the same rules as the form.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use virgule_store::{MemberName, NewMember};

use crate::api::input::check_email;
use crate::api::{ApiJson, ClientIp};
use crate::auth::password;
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct NewAccount {
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AccountCreated {
    pub name: String,
}

/// 201 `{"name"}`; 400 on a bad name, weak password or bad e-mail; 409 if the name is
/// taken; 429 when this address registers too often.
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<NewAccount>,
) -> ApiResult<(StatusCode, Json<AccountCreated>)> {
    if !state.limits.allow_registration(ip) {
        return Err(Failure::too_many_requests().into());
    }
    let name = MemberName::parse(&input.name)
        .map_err(|e| Failure::bad_request("invalid_name", e.to_string()))?;
    password::check_strength(&input.password, name.as_str())?;
    let email = check_email(input.email.as_deref())?;
    let password_hash = password::hash(input.password).await?;
    let member = state.store.create_member(&NewMember { name, email, password_hash }).await?;
    tracing::info!(member = %member.name, "account created by API");
    Ok((StatusCode::CREATED, Json(AccountCreated { name: member.name.to_string() })))
}
