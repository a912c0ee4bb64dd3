//! Certifications (docs/trust.md "Certifications"): one member vouching for another as
//! Apprentice, Journeyer or Master, or withdrawing it. Levels follow in the background.

use virgule_store::{CertLevel, Member};

use crate::error::{SiteError, SiteResult};
use crate::{Site, rules};

impl Site {
    /// Records `issuer`'s certification of the member named `subject` at `level` (the API's
    /// words: `apprentice`, `journeyer`, `master`, or `none` to withdraw). Returns the subject
    /// and the level now recorded (`None` after a withdrawal). Certifying oneself is refused;
    /// an unknown subject is a 404.
    pub async fn certify(
        &self,
        issuer: &Member,
        subject: &str,
        level: &str,
    ) -> SiteResult<(Member, Option<CertLevel>)> {
        let choice = rules::cert_choice(level)?;
        let subject = self.member_named(subject.trim()).await?;
        if issuer.id == subject.id {
            return Err(SiteError::bad_input("refused", "members cannot certify themselves"));
        }
        match choice {
            Some(level) => self.store.certify(issuer.id, subject.id, level).await?,
            None => {
                self.store.withdraw_cert(issuer.id, subject.id).await?;
            }
        }
        // Levels follow in the background, a moment later (recomputed on every change).
        self.trust.changed();
        // Interest scores travel along certifications of any level.
        self.interest.changed();
        let word = choice.map_or(rules::NO_CERT, CertLevel::as_str);
        tracing::info!(issuer = %issuer.name, subject = %subject.name, level = word, "certification set");
        Ok((subject, choice))
    }
}
