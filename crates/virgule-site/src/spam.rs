//! Spam (docs/trust.md "Spam"): ranked members flag entries, articles, replies and accounts;
//! a flag weighs its flagger's level (Apprentice 1, Journeyer 2, Master 3); an item whose
//! flags weigh the site's `spam_threshold` leaves the shared pages (the recent log, the front
//! page, the article list and the feeds); an account that does takes all its writing with it.
//! Admins then judge each hidden item: not spam (its flags are dropped, it is shown again and
//! no member's flag of it is taken any more), or removed — for an account, all its writing
//! removed and the account suspended.

use serde::Serialize;
use virgule_store::{
    FlagKind, FlagSubject, Member, MemberName, Purged, ReplyRemoval, SpamItem, SpamState,
    TrustLevel,
};

use crate::error::{ErrorKind, SiteError, SiteResult};
use crate::gates::Gate;
use crate::news::require_admin;
use crate::{Site, rules};

/// What a flag (or its withdrawal) left: the item's flags' weight, and whether it is hidden.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlagOutcome {
    pub kind: FlagKind,
    pub target: String,
    pub weight: i64,
    pub hidden: bool,
}

/// What an admin's decision did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "decision")]
pub enum Decision {
    NotSpam,
    Removed,
    /// A reply with answers stays as "[deleted]".
    LeftPlaceholder,
    Purged(Purged),
}

/// What a flag of a member at `level` weighs: its rank (0 for an Observer, who may not flag).
pub fn flag_weight(level: TrustLevel) -> i16 {
    i16::from(level.rank())
}

fn own_item() -> SiteError {
    SiteError::new(ErrorKind::Forbidden, "own_item", "you cannot flag your own writing or account")
}

fn judged_not_spam() -> SiteError {
    SiteError::new(
        ErrorKind::Conflict,
        "judged_not_spam",
        "an admin has judged this not spam; it takes no more flags",
    )
}

impl Site {
    async fn flag_subject(&self, kind: &str, target: &str) -> SiteResult<FlagSubject> {
        let key = rules::flag_key(kind, target)?;
        self.store.flag_subject(&key).await?.ok_or_else(|| {
            SiteError::not_found(format!("There is no {} {}.", key.kind().as_str(), target.trim()))
        })
    }

    /// `actor` flags an item as spam. 403 `level_too_low` below Apprentice, 400 `bad_kind` or
    /// `bad_target` for a kind or target that cannot name an item, 404 for none, 403
    /// `own_item` for one's own, 409 for a second flag of the same item or an item an admin
    /// judged not spam.
    pub async fn flag(&self, actor: &Member, kind: &str, target: &str) -> SiteResult<FlagOutcome> {
        self.check_gate(actor, Gate::Flag)?;
        let subject = self.flag_subject(kind, target).await?;
        if subject.author_id == actor.id {
            return Err(own_item());
        }
        if subject.state == SpamState::NotSpam {
            return Err(judged_not_spam());
        }
        let tally = self
            .store
            .add_flag(
                actor.id,
                &subject,
                flag_weight(actor.trust_level),
                self.settings.spam_threshold,
            )
            .await?;
        tracing::info!(member = %actor.name, kind = subject.kind.as_str(), id = subject.id,
            weight = tally.weight, hidden = tally.hidden, "spam flag");
        Ok(FlagOutcome {
            kind: subject.kind,
            target: target.trim().to_owned(),
            weight: tally.weight,
            hidden: tally.hidden,
        })
    }

    /// Withdraws `actor`'s flag of an item: 404 if they had not flagged it.
    pub async fn unflag(
        &self,
        actor: &Member,
        kind: &str,
        target: &str,
    ) -> SiteResult<FlagOutcome> {
        let subject = self.flag_subject(kind, target).await?;
        let tally = self
            .store
            .remove_flag(actor.id, &subject, self.settings.spam_threshold)
            .await
            .map_err(|e| match e {
                virgule_store::StoreError::NotFound => {
                    SiteError::not_found("you have not flagged this")
                }
                other => other.into(),
            })?;
        Ok(FlagOutcome {
            kind: subject.kind,
            target: target.trim().to_owned(),
            weight: tally.weight,
            hidden: tally.hidden,
        })
    }

    /// The items hidden as spam, for the admin page; 403 for anyone but an admin.
    pub async fn spam_queue(&self, actor: &Member) -> SiteResult<Vec<SpamItem>> {
        require_admin(actor)?;
        Ok(self.store.spam_queue().await?)
    }

    /// An admin's decision on a flagged item: `not_spam`, or `remove` (for an account, all
    /// its writing and a suspension, as [`Site::purge_account`]). 403 unless `actor` is an
    /// admin; 400 `bad_decision` for another word.
    pub async fn decide_spam(
        &self,
        actor: &Member,
        kind: &str,
        target: &str,
        decision: &str,
    ) -> SiteResult<Decision> {
        require_admin(actor)?;
        let subject = self.flag_subject(kind, target).await?;
        let done = match (decision, subject.kind) {
            ("not_spam", _) => {
                self.store.judge_not_spam(&subject).await?;
                Decision::NotSpam
            }
            ("remove", FlagKind::Account) => {
                let name = MemberName::parse(target.trim())
                    .map_err(|_| SiteError::not_found("no such member"))?;
                Decision::Purged(self.purge_account(&name).await?)
            }
            ("remove", FlagKind::Reply) => {
                match self.store.delete_reply(subject.id, subject.author_id).await? {
                    ReplyRemoval::Placeholder => Decision::LeftPlaceholder,
                    ReplyRemoval::Removed => Decision::Removed,
                }
            }
            ("remove", _) => {
                self.store.remove_flagged(&subject).await?;
                Decision::Removed
            }
            _ => {
                return Err(SiteError::bad_input(
                    "bad_decision",
                    "the decision is \"not_spam\" or \"remove\"",
                ));
            }
        };
        tracing::info!(admin = %actor.name, kind = subject.kind.as_str(), target, ?done, "spam decision");
        Ok(done)
    }

    /// Deletes every entry, article and reply of the account `name` (replies others
    /// answered stay as "[deleted]") and suspends it. The admin page's "Remove all their
    /// writing" and `virgule user purge NAME`.
    pub async fn purge_account(&self, name: &MemberName) -> SiteResult<Purged> {
        let member =
            self.store.member_by_name(name).await?.ok_or_else(|| {
                SiteError::not_found(format!("There is no member named “{name}”."))
            })?;
        let purged = self.store.purge_member_writing(member.id).await?;
        self.set_suspended(name, true).await?;
        tracing::info!(member = %name, ?purged, "account purged");
        Ok(purged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_weigh_the_level() {
        assert_eq!(flag_weight(TrustLevel::Observer), 0);
        assert_eq!(flag_weight(TrustLevel::Apprentice), 1);
        assert_eq!(flag_weight(TrustLevel::Journeyer), 2);
        assert_eq!(flag_weight(TrustLevel::Master), 3);
    }
}
