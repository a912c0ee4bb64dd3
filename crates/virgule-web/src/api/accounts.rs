//! `POST /api/v1/accounts`: registration by API, by the same rules as the form.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use virgule_site::accounts::Registration;

use crate::api::ApiJson;
use crate::error::ApiResult;
use crate::limits::ClientIp;
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
    state.limits.registration(ip).await?;
    let member = state
        .site
        .register(Registration {
            name: &input.name,
            password: &input.password,
            password_again: None,
            email: input.email.as_deref(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(AccountCreated { name: member.name.to_string() })))
}
