//! Members as an admin manages them (admin rights, suspension) and as anyone finds them.

use virgule_store::{Member, MemberName};

use crate::Site;
use crate::error::{SiteError, SiteResult};
use crate::trust::TrustSummary;

/// What an admin action on a member did: the member afterwards, and the trust
/// recomputation that followed it.
#[derive(Debug, Clone)]
pub struct AdminOutcome {
    pub member: Member,
    pub trust: TrustSummary,
}

impl Site {
    /// The member named `raw` (as written in an address or a form): 404 for an invalid or
    /// unknown name. Remembered between writes ([`crate::recall`]).
    pub async fn member_named(&self, raw: &str) -> SiteResult<Member> {
        let unknown = || SiteError::not_found(format!("There is no member named “{raw}”."));
        let name = MemberName::parse(raw).map_err(|_| unknown())?;
        if let Some(member) = self.recall.member(&name) {
            return Ok(member);
        }
        let read_at = self.recall.version();
        let member = self.store.member_by_name(&name).await?.ok_or_else(unknown)?;
        self.recall.keep_member(&member, read_at);
        Ok(member)
    }

    /// Grants (or revokes) site admin rights, then recomputes trust levels at once: the
    /// admins are the seeds when none are configured.
    pub async fn set_admin(&self, name: &MemberName, admin: bool) -> SiteResult<AdminOutcome> {
        let member = self.store.set_admin(name, admin).await.map_err(|e| unknown_as(e, name))?;
        let trust = self.recompute_trust().await?;
        Ok(AdminOutcome { member, trust })
    }

    /// Suspends an account (its sessions and API tokens end at once) or reinstates it, then
    /// recomputes trust levels at once: a suspended member leaves the trust graph.
    pub async fn set_suspended(
        &self,
        name: &MemberName,
        suspended: bool,
    ) -> SiteResult<AdminOutcome> {
        let member =
            self.store.set_suspended(name, suspended).await.map_err(|e| unknown_as(e, name))?;
        let trust = self.recompute_trust().await?;
        Ok(AdminOutcome { member, trust })
    }

    /// Recomputes every member's trust level now with the site's settings (waiting for any
    /// other node's run to finish first).
    pub async fn recompute_trust(&self) -> SiteResult<TrustSummary> {
        self.trust.recompute().await.map_err(|e| {
            tracing::error!(error = %e, "trust recomputation failed");
            SiteError::internal()
        })
    }
}

fn unknown_as(err: virgule_store::StoreError, name: &MemberName) -> SiteError {
    match err {
        virgule_store::StoreError::NotFound => {
            SiteError::not_found(format!("no member named {name}"))
        }
        other => other.into(),
    }
}
