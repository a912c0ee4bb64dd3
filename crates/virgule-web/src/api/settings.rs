//! One's own account settings by API: the profile and the password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use virgule_store::Member;

use crate::api::input::{check_email, compose_profile};
use crate::api::{ApiJson, ApiMember, ClientIp};
use crate::auth::password;
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// The profile as its owner edits it: the notes as written (Markdown), and the e-mail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileJson {
    pub name: String,
    pub display_name: String,
    pub homepage: String,
    pub notes: String,
    pub email: Option<String>,
}

impl From<Member> for ProfileJson {
    fn from(member: Member) -> Self {
        ProfileJson {
            name: member.name.to_string(),
            display_name: member.display_name,
            homepage: member.homepage,
            notes: member.notes_source,
            email: member.email,
        }
    }
}

/// The body of `PUT /api/v1/settings/profile`: the fields of [`ProfileJson`]; a field left
/// out keeps its value, so a client may send back what it read or only what changes.
#[derive(Debug, Deserialize)]
pub struct ProfileInput {
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub homepage: Option<String>,
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
}

/// Tells `"email": null` (present, none) from a missing field.
fn present<'de, D>(deserializer: D) -> Result<Option<Option<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(deserializer).map(Some)
}

/// `{"current","new"}` of `PUT /api/v1/settings/password`.
#[derive(Debug, Deserialize)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

pub async fn profile(ApiMember(member): ApiMember) -> Json<ProfileJson> {
    Json(member.into())
}

/// 200 with the saved profile; 400 (nothing saved) if any field is refused.
pub async fn update_profile(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<ProfileInput>,
) -> ApiResult<Json<ProfileJson>> {
    if let Some(name) = input.name.as_deref()
        && name.trim().to_ascii_lowercase() != member.name.as_str()
    {
        return Err(Failure::bad_request("invalid", "a member's name cannot be changed").into());
    }
    if let Some(email) = &input.email
        && check_email(email.as_deref())? != member.email
    {
        // The store keeps the address given at registration and has no call to change it.
        return Err(Failure::bad_request(
            "unsupported",
            "the e-mail address cannot be changed here yet",
        )
        .into());
    }
    let update = compose_profile(
        input.display_name.as_deref().unwrap_or(&member.display_name),
        input.homepage.as_deref().unwrap_or(&member.homepage),
        input.notes.as_deref().unwrap_or(&member.notes_source),
    )?;
    let saved = state.store.update_profile(member.id, &update).await?;
    Ok(Json(saved.into()))
}

/// 204 once the password is changed; every browser session of the member then ends.
/// 400 for a weak new password, 403 for a wrong current one, 429 when guesses come fast.
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    // A stolen session must not become a way to guess the password quickly.
    if !state.limits.allow_login(ip, member.name.as_str()) {
        return Err(Failure::too_many_requests().into());
    }
    password::check_strength(&input.new, member.name.as_str())?;
    let (_, stored) = state
        .store
        .member_with_password_hash(&member.name)
        .await?
        .ok_or_else(|| Failure::unauthorized("log in first"))?;
    if !password::verify(input.current, stored).await {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "wrong_password",
            "the current password is not right",
        )
        .into());
    }
    let hash = password::hash(input.new).await?;
    state.store.set_password_hash(member.id, &hash).await?;
    let ended = state.store.delete_sessions_for_member(member.id, None).await?;
    tracing::info!(member = %member.name, sessions_ended = ended, "password changed by API");
    Ok(StatusCode::NO_CONTENT)
}
