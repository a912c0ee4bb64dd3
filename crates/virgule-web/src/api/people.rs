//! `GET /api/v1/people/{name}`: a member's public profile, with their trust level and the
//! certifications they received and gave.

use axum::Json;
use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::Serialize;
use virgule_store::{CertLevel, Member, Relation, TrustLevel};

use crate::error::ApiResult;
use crate::state::AppState;

/// A certification received, as the profile lists it: `{"from", "level"}`, the level in the
/// API's lower-case words (`apprentice`, `journeyer`, `master`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertReceivedJson {
    pub from: String,
    pub level: CertLevel,
}

/// A certification given: `{"to", "level"}`, the mirror of [`CertReceivedJson`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CertGivenJson {
    pub to: String,
    pub level: CertLevel,
}

/// A project the member stated a relation to: `{"name", "relation"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberProjectJson {
    pub name: String,
    pub relation: Relation,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonJson {
    pub name: String,
    pub display_name: String,
    pub homepage: String,
    pub notes_html: String,
    /// The trust level the metric last computed: `observer` (until it runs), `apprentice`,
    /// `journeyer` or `master`.
    pub level: TrustLevel,
    /// By issuer name.
    pub certs_received: Vec<CertReceivedJson>,
    /// By subject name.
    pub certs_given: Vec<CertGivenJson>,
    pub created: DateTime<Utc>,
    /// The blog feed syndicated into the diary, while one is linked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_url: Option<String>,
    /// By project name.
    pub projects: Vec<MemberProjectJson>,
    /// The member's front-page articles, newest first.
    pub articles: Vec<ArticleLinkJson>,
}

/// An article on a profile: `{"number", "title"}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticleLinkJson {
    pub number: i64,
    pub title: String,
}

impl From<Member> for PersonJson {
    fn from(member: Member) -> Self {
        PersonJson {
            name: member.name.to_string(),
            display_name: member.display_name,
            homepage: member.homepage,
            notes_html: member.notes_html,
            level: member.trust_level,
            certs_received: Vec::new(),
            certs_given: Vec::new(),
            created: member.created_at,
            feed_url: None,
            articles: Vec::new(),
            projects: Vec::new(),
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<PersonJson>> {
    let profile = state.site.profile(&name, 0, None).await?;
    Ok(Json(PersonJson {
        feed_url: profile.feed_url,
        articles: profile
            .articles
            .into_iter()
            .map(|(number, title)| ArticleLinkJson { number, title })
            .collect(),
        projects: profile
            .projects
            .into_iter()
            .map(|p| MemberProjectJson { name: p.project.to_string(), relation: p.relation })
            .collect(),
        certs_received: profile
            .received
            .into_iter()
            .map(|c| CertReceivedJson { from: c.name.to_string(), level: c.level })
            .collect(),
        certs_given: profile
            .given
            .into_iter()
            .map(|c| CertGivenJson { to: c.name.to_string(), level: c.level })
            .collect(),
        ..profile.member.into()
    }))
}
