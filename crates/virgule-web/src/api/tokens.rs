//! `POST /api/v1/tokens`: trading a name and password for a bearer token. Only the token's
//! hash is stored; the token itself is shown once.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tokio::sync::OnceCell;
use virgule_store::MemberName;

use crate::api::{ApiJson, ClientIp};
use crate::auth::{password, random_token, token_hash};
use crate::error::{ApiResult, Failure};
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

const WRONG: &str = "wrong name or password";

/// 201 `{"token"}`; 401 for an unknown name or a wrong password (one message for both);
/// 403 for a suspended account; 429 when attempts come too fast.
pub async fn create(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(input): ApiJson<Credentials>,
) -> ApiResult<(StatusCode, Json<TokenCreated>)> {
    let account = input.name.trim().to_ascii_lowercase();
    if !state.limits.allow_login(ip, &account) {
        return Err(Failure::too_many_requests().into());
    }
    let found = match MemberName::parse(&account) {
        Ok(name) => state.store.member_with_password_hash(&name).await?,
        Err(_) => None,
    };
    let Some((member, stored)) = found else {
        // Spend the time a real check takes, so that timing does not tell which names exist.
        password::verify(input.password, dummy_hash().await?).await;
        return Err(Failure::unauthorized(WRONG).into());
    };
    if !password::verify(input.password, stored).await {
        return Err(Failure::unauthorized(WRONG).into());
    }
    if member.suspended {
        return Err(
            Failure::new(StatusCode::FORBIDDEN, "suspended", "this account is suspended").into()
        );
    }
    let token = random_token();
    state.store.create_api_token(&token_hash(&token), member.id).await?;
    tracing::info!(member = %member.name, "API token issued");
    Ok((StatusCode::CREATED, Json(TokenCreated { token })))
}

/// A hash of a random password, made once per process, to verify against when the name is
/// unknown.
async fn dummy_hash() -> Result<String, Failure> {
    static DUMMY: OnceCell<String> = OnceCell::const_new();
    DUMMY.get_or_try_init(|| password::hash(random_token())).await.cloned()
}
