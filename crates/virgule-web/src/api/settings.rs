//! One's own account settings by API: the profile and the password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use virgule_store::Member;

use virgule_site::accounts::{PasswordChange, ProfileChange};

use crate::api::{ApiJson, ApiMember};
use crate::error::ApiResult;
use crate::limits::ClientIp;
use crate::state::AppState;

/// The profile as its owner edits it: the notes as written (Markdown), and the e-mail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileJson {
    pub name: String,
    pub display_name: String,
    pub homepage: String,
    pub notes: String,
    pub email: Option<String>,
    /// Others may reply to the member's diary entries.
    pub replies: bool,
}

impl From<Member> for ProfileJson {
    fn from(member: Member) -> Self {
        ProfileJson {
            name: member.name.to_string(),
            display_name: member.display_name,
            homepage: member.homepage,
            notes: member.notes_source,
            email: member.email,
            replies: member.replies_open,
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
    pub replies: Option<bool>,
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
pub struct PasswordInput {
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
    let change = ProfileChange {
        name: input.name,
        display_name: input.display_name,
        homepage: input.homepage,
        notes: input.notes,
        email: input.email,
        replies: input.replies,
    };
    let saved = state.site.update_profile(&member, change).await?;
    Ok(Json(saved.into()))
}

/// 204 once the password is changed; every browser session of the member then ends.
/// 400 for a weak new password, 403 for a wrong current one, 429 when guesses come fast.
pub async fn change_password(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<PasswordInput>,
) -> ApiResult<StatusCode> {
    // A stolen session must not become a way to guess the password quickly.
    state.limits.login(ip, member.name.as_str()).await?;
    let change = PasswordChange { current: &input.current, new: &input.new, new_again: None };
    state.site.change_password(&member, change, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
