//! `GET /api/v1/people/{name}`: a member's public profile.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use virgule_store::{Member, MemberName};

use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// A certification as the profile lists it (who, at which level).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertJson {
    pub from: String,
    pub level: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonJson {
    pub name: String,
    pub display_name: String,
    pub homepage: String,
    pub notes_html: String,
    /// The member's trust level; "observer" for everyone until the trust metric exists.
    pub level: &'static str,
    /// Empty until certifications exist (a later issue).
    pub certs_received: Vec<CertJson>,
    pub certs_given: Vec<CertJson>,
    pub created: DateTime<Utc>,
    /// The blog feed syndicated into the diary, while one is linked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_url: Option<String>,
}

impl From<Member> for PersonJson {
    fn from(member: Member) -> Self {
        PersonJson {
            name: member.name.to_string(),
            display_name: member.display_name,
            homepage: member.homepage,
            notes_html: member.notes_html,
            level: "observer",
            certs_received: Vec::new(),
            certs_given: Vec::new(),
            created: member.created_at,
            feed_url: None,
        }
    }
}

/// The member named in a path, or the API's 404.
pub async fn find_member(state: &AppState, raw: &str) -> Result<Member, Failure> {
    let missing = || Failure::not_found(format!("there is no member named {raw}"));
    let name = MemberName::parse(raw).map_err(|_| missing())?;
    state.store.member_by_name(&name).await?.ok_or_else(missing)
}

pub async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<PersonJson>> {
    let member = find_member(&state, &name).await?;
    let feed_url = state.store.feed_for_member(member.id).await?.and_then(|feed| feed.url);
    Ok(Json(PersonJson { feed_url, ..member.into() }))
}
