//! Accounts: registering, signing in (a browser session or an API token), the profile and
//! the password. Rate limits per client address stay with the web layer, which knows it.

use chrono::{DateTime, Duration, Utc};
use virgule_store::{Member, NewMember, Session};

use crate::error::{ErrorKind, SiteError, SiteResult};
use crate::password::{self, DUMMY_HASH, random_token, token_hash};
use crate::{Site, rules};

/// How long a browser session lasts without a new login.
pub const SESSION_DAYS: i64 = 30;

/// The one answer to an unknown name and to a wrong password, so that signing in does not
/// reveal who has an account.
const WRONG: &str = "wrong name or password";

/// What a new member sends. Forms ask for the password twice (`password_again`).
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub name: &'a str,
    pub password: &'a str,
    pub password_again: Option<&'a str>,
    pub email: Option<&'a str>,
}

/// A change of profile: a field left `None` keeps its value, so an API client may send back
/// what it read or only what changes; a form sends every field.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    /// The member's own name, if sent: it cannot change.
    pub name: Option<String>,
    pub display_name: Option<String>,
    pub homepage: Option<String>,
    pub notes: Option<String>,
    /// The e-mail address, if sent (`Some(None)`: none): it cannot change here yet.
    pub email: Option<Option<String>>,
    /// Whether others may reply to the member's diary entries.
    pub replies: Option<bool>,
}

/// A password change: the current one, and the new one (typed twice on forms).
#[derive(Debug, Clone, Copy)]
pub struct PasswordChange<'a> {
    pub current: &'a str,
    pub new: &'a str,
    pub new_again: Option<&'a str>,
}

/// A browser session just opened: the secret for the cookie, and when it ends.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub expires: DateTime<Utc>,
}

impl Site {
    /// A new account. The first account of a site becomes its admin (the store decides).
    pub async fn register(&self, registration: Registration<'_>) -> SiteResult<Member> {
        let name = rules::member_name(registration.name)?;
        if let Some(again) = registration.password_again {
            rules::passwords_match(registration.password, again)?;
        }
        rules::password_strength(registration.password, name.as_str())?;
        let email = rules::email(registration.email)?;
        let password_hash = password::hash(registration.password.to_owned()).await?;
        let member = self.store.create_member(&NewMember { name, email, password_hash }).await?;
        tracing::info!(member = %member.name, "account created");
        // A trust seed (the first account is the admin, and the admins are the seeds when
        // none are named) has its rank at once, so that it can post an article and certify
        // with weight from its first minute, rather than after the next certification.
        // The account stands whatever happens here (a failed run is logged, and the next one
        // ranks it).
        let seeds = &self.settings.trust.seeds;
        if ((member.is_admin && seeds.is_empty()) || seeds.contains(&member.name))
            && self.recompute_trust().await.is_ok()
            && let Ok(ranked) = self.member_named(member.name.as_str()).await
        {
            return Ok(ranked);
        }
        Ok(member)
    }

    /// The member with this name and password: 401 for an unknown name or a wrong password
    /// (one message, and the same time spent, for both), 403 for a suspended account.
    pub async fn authenticate(&self, name: &str, password: &str) -> SiteResult<Member> {
        let found = match virgule_store::MemberName::parse(name) {
            Ok(name) => self.store.member_with_password_hash(&name).await?,
            Err(_) => None,
        };
        let Some((member, stored)) = found else {
            // Spend the time a real check takes, so that timing does not tell which names exist.
            password::verify(password.to_owned(), DUMMY_HASH.to_owned()).await;
            return Err(SiteError::unauthorized(WRONG));
        };
        if !password::verify(password.to_owned(), stored).await {
            return Err(SiteError::unauthorized(WRONG));
        }
        if member.suspended {
            return Err(SiteError::new(
                ErrorKind::Forbidden,
                "suspended",
                "this account is suspended",
            ));
        }
        Ok(member)
    }

    /// Opens a browser session for `member` (a new random id, so a planted cookie is
    /// useless), first ending the one this browser had (`previous`, its hash), so a login over
    /// another login leaves no old session alive.
    pub async fn open_session(
        &self,
        member: &Member,
        previous: Option<&str>,
    ) -> SiteResult<NewSession> {
        if let Some(previous) = previous {
            self.store.delete_session(previous).await?;
        }
        let token = random_token();
        let expires = virgule_store::now() + Duration::days(SESSION_DAYS);
        self.store.create_session(&token_hash(&token), member.id, &random_token(), expires).await?;
        Ok(NewSession { token, expires })
    }

    /// The member an API bearer token belongs to; 401 for an unknown or revoked token (or a
    /// suspended member's, whose tokens end with the suspension).
    pub async fn member_for_api_token(&self, token: &str) -> SiteResult<Member> {
        self.store
            .member_by_api_token(&token_hash(token))
            .await?
            .ok_or_else(|| SiteError::unauthorized("invalid or revoked API token"))
    }

    /// The live session a session cookie holds, with the cookie's hash (which ends exactly
    /// this session at logout); `None` for an unknown or expired one.
    /// Remembered between writes ([`crate::recall`]); an expired one is never returned.
    pub async fn session(&self, cookie: &str) -> SiteResult<Option<(Session, String)>> {
        let hash = token_hash(cookie);
        if let Some(session) = self.recall.session(&hash)
            && session.expires_at > chrono::Utc::now()
        {
            return Ok(Some((session, hash)));
        }
        let read_at = self.recall.version();
        let session = self.store.session_by_token_hash(&hash).await?;
        if let Some(session) = &session {
            self.recall.keep_session(&hash, session, read_at);
        }
        Ok(session.map(|session| (session, hash)))
    }

    /// Ends the session whose cookie hash is given.
    pub async fn close_session(&self, session_hash: &str) -> SiteResult<()> {
        self.store.delete_session(session_hash).await?;
        Ok(())
    }

    /// A new API token for `member`; only its hash is stored, the token is shown once.
    pub async fn issue_api_token(&self, member: &Member) -> SiteResult<String> {
        let token = random_token();
        self.store.create_api_token(&token_hash(&token), member.id).await?;
        tracing::info!(member = %member.name, "API token issued");
        Ok(token)
    }

    /// Saves a profile change; refuses the whole change (nothing saved) if any field is bad.
    pub async fn update_profile(
        &self,
        member: &Member,
        change: ProfileChange,
    ) -> SiteResult<Member> {
        if let Some(name) = change.name.as_deref()
            && name.trim().to_ascii_lowercase() != member.name.as_str()
        {
            return Err(SiteError::bad_input("invalid", "a member's name cannot be changed"));
        }
        if let Some(email) = &change.email
            && rules::email(email.as_deref())? != member.email
        {
            // The store keeps the address given at registration and has no call to change it.
            return Err(SiteError::bad_input(
                "unsupported",
                "the e-mail address cannot be changed here yet",
            ));
        }
        let notes = change.notes.as_deref().unwrap_or(&member.notes_source);
        let known = self.shortcut_links(notes).await?;
        let update = rules::profile(
            change.display_name.as_deref().unwrap_or(&member.display_name),
            change.homepage.as_deref().unwrap_or(&member.homepage),
            notes,
            &known,
        )?;
        // Every field is valid: now save them.
        if let Some(open) = change.replies
            && open != member.replies_open
        {
            self.store.set_replies_open(member.id, open).await?;
        }
        Ok(self.store.update_profile(member.id, &update).await?)
    }

    /// Changes the password once the current one is proven; every session of the member
    /// then ends but `keep_session` (the hash of the browser session that asked, if any).
    /// Returns how many sessions ended.
    pub async fn change_password(
        &self,
        member: &Member,
        change: PasswordChange<'_>,
        keep_session: Option<&str>,
    ) -> SiteResult<u64> {
        let stored = self.store.member_with_password_hash(&member.name).await?.map(|(_, h)| h);
        let current_ok = match stored {
            Some(stored) => password::verify(change.current.to_owned(), stored).await,
            None => false,
        };
        if !current_ok {
            return Err(SiteError::new(
                ErrorKind::Forbidden,
                "wrong_password",
                "the current password is wrong",
            ));
        }
        if let Some(again) = change.new_again {
            rules::passwords_match(change.new, again)?;
        }
        rules::password_strength(change.new, member.name.as_str())?;
        let hash = password::hash(change.new.to_owned()).await?;
        self.store.set_password_hash(member.id, &hash).await?;
        let ended = self.store.delete_sessions_for_member(member.id, keep_session).await?;
        tracing::info!(member = %member.name, sessions_ended = ended, "password changed");
        Ok(ended)
    }
}
