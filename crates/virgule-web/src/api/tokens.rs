//! `POST /api/v1/tokens`: trading a name and password for a bearer token. Only the token's
//! hash is stored; the token itself is shown once.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::api::ApiJson;
use crate::error::ApiResult;
use crate::limits::ClientIp;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct Credentials {
    pub name: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct TokenCreated {
    pub token: String,
}

/// 201 `{"token"}`; 401 for an unknown name or a wrong password (one message for both);
/// 403 for a suspended account; 429 when attempts come too fast.
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<Credentials>,
) -> ApiResult<(StatusCode, Json<TokenCreated>)> {
    state.limits.login(ip, &input.name).await?;
    let member = state.site.authenticate(input.name.trim(), &input.password).await?;
    let token = state.site.issue_api_token(&member).await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { token })))
}
