//! The trust gates (docs/trust.md "The gates"): what a level lets a member do. A refusal is
//! 403 with code `level_too_low` and a message that says which level is needed and how
//! certification works, so that a page can show it before the member even tries.

use virgule_store::{Member, TrustLevel};

use crate::Site;
use crate::error::{ErrorKind, SiteError, SiteResult};

/// An action behind a trust gate, each with its level in the site's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Posting a front-page article (`article_gate`, Journeyer by default).
    Article,
    /// Replying to an article or a diary entry (`reply_gate`, Apprentice by default).
    Reply,
    /// Flagging spam (always Apprentice: a flag weighs its flagger's level).
    Flag,
}

impl Gate {
    fn action(self) -> &'static str {
        match self {
            Gate::Article => "Posting an article",
            Gate::Reply => "Replying",
            Gate::Flag => "Flagging spam",
        }
    }
}

/// The refusal of `gate` to a member at `have`, when `needed` is the gate's level.
pub fn level_too_low(gate: Gate, needed: TrustLevel, have: TrustLevel) -> SiteError {
    SiteError::new(
        ErrorKind::Forbidden,
        "level_too_low",
        format!(
            "{} needs the {} level or above; you are {}. Levels come from certifications: \
             members who know your work certify you on your profile page, and the trust \
             metric computes every member's level from those certifications.",
            gate.action(),
            needed.as_str(),
            have.as_str(),
        ),
    )
}

impl Site {
    /// The lowest level `gate` lets through, by the site's settings.
    pub fn gate_level(&self, gate: Gate) -> TrustLevel {
        match gate {
            Gate::Article => self.settings.article_gate,
            Gate::Reply => self.settings.reply_gate,
            Gate::Flag => TrustLevel::Apprentice,
        }
    }

    /// Ok if `member`'s level passes `gate`; otherwise 403 `level_too_low`. Pages call it
    /// to say, above a form, why it would be refused.
    pub fn check_gate(&self, member: &Member, gate: Gate) -> SiteResult<()> {
        let needed = self.gate_level(gate);
        if member.trust_level >= needed {
            Ok(())
        } else {
            Err(level_too_low(gate, needed, member.trust_level))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_names_the_level_and_certification() {
        let e = level_too_low(Gate::Article, TrustLevel::Journeyer, TrustLevel::Apprentice);
        assert_eq!((e.kind, e.code), (ErrorKind::Forbidden, "level_too_low"));
        assert!(e.message.starts_with("Posting an article needs the Journeyer level"), "{e}");
        assert!(e.message.contains("you are Apprentice") && e.message.contains("certif"), "{e}");
    }
}
