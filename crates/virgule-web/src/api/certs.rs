//! `POST /api/v1/certs`: certify another member as apprentice, journeyer or master, or
//! withdraw one's certification with `"none"` (TRUST.md "Certifications"). The profile page's
//! form calls the same [`set_cert`].

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use virgule_store::{CertLevel, Member};

use crate::api::people::find_member;
use crate::api::{ApiJson, ApiMember};
use crate::error::{ApiResult, Failure};
use crate::state::AppState;

/// The body of `POST /api/v1/certs`.
#[derive(Debug, Deserialize)]
pub struct CertInput {
    pub subject: String,
    /// `apprentice`, `journeyer`, `master`, or `none` to withdraw.
    pub level: String,
}

/// The answer: the subject's name and the level now recorded (`none` after a withdrawal).
#[derive(Debug, Serialize)]
pub struct CertOutput {
    pub subject: String,
    pub level: &'static str,
}

/// The word that withdraws a certification.
pub const NONE: &str = "none";

/// Parses a submitted level: `Some` level, `None` for `none` (a withdrawal), 400 otherwise.
pub fn parse_choice(raw: &str) -> Result<Option<CertLevel>, Failure> {
    match raw.trim() {
        NONE => Ok(None),
        word => CertLevel::parse(word).map(Some).ok_or_else(|| {
            Failure::bad_request(
                "bad_level",
                format!("unknown level {word:?}: use apprentice, journeyer, master or none"),
            )
        }),
    }
}

/// Records (or, for `None`, withdraws) `issuer`'s certification of `subject`. Certifying
/// oneself, or withdrawing from oneself, is a 400.
pub async fn set_cert(
    state: &AppState,
    issuer: &Member,
    subject: &Member,
    choice: Option<CertLevel>,
) -> Result<(), Failure> {
    if issuer.id == subject.id {
        return Err(Failure::bad_request("refused", "members cannot certify themselves"));
    }
    match choice {
        Some(level) => state.store.certify(issuer.id, subject.id, level).await?,
        None => {
            state.store.withdraw_cert(issuer.id, subject.id).await?;
        }
    }
    // Levels follow in the background, a moment later (TRUST.md: recompute on every change).
    state.trust.changed();
    let level = choice.map_or(NONE, CertLevel::as_str);
    tracing::info!(issuer = %issuer.name, subject = %subject.name, level, "certification set");
    Ok(())
}

/// 200 with `{"subject", "level"}`; 400 for a bad level or oneself, 404 for an unknown
/// subject, 401 without a member.
pub async fn create(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    ApiJson(input): ApiJson<CertInput>,
) -> ApiResult<Json<CertOutput>> {
    let choice = parse_choice(&input.level)?;
    let subject = find_member(&state, input.subject.trim()).await?;
    set_cert(&state, &member, &subject, choice).await?;
    Ok(Json(CertOutput {
        subject: subject.name.to_string(),
        level: choice.map_or(NONE, CertLevel::as_str),
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_the_api_words() {
        assert_eq!(parse_choice("master"), Ok(Some(CertLevel::Master)));
        assert_eq!(parse_choice(" journeyer "), Ok(Some(CertLevel::Journeyer)));
        assert_eq!(parse_choice("none"), Ok(None));
        let err = parse_choice("observer").unwrap_err();
        assert_eq!((err.status.as_u16(), err.code), (400, "bad_level"));
    }
}
