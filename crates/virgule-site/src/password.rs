//! Argon2id password hashing, off the async runtime (hashing takes tens of milliseconds), and
//! the random secrets and their stored hashes (sessions, CSRF and API tokens).

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::{SiteError, SiteResult};

/// Hashes with Argon2id and a random salt, in a blocking thread.
pub async fn hash(password: String) -> SiteResult<String> {
    tokio::task::spawn_blocking(move || {
        PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| SiteError::internal())?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        SiteError::internal()
    })
}

/// True if `password` matches the stored hash; false for a wrong password or a value that is
/// no hash (such as an unclaimed account's marker), which takes the time a real check does,
/// so that timing tells nothing about the account.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let argon = Argon2::default();
        match PasswordHash::new(&stored) {
            Ok(hash) => argon.verify_password(password.as_bytes(), &hash).is_ok(),
            Err(_) => {
                let dummy = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
                _ = argon.verify_password(password.as_bytes(), &dummy);
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// Verified when a name is unknown, so that the answer takes as long as for a known name.
/// A well-formed Argon2id hash (default parameters) of no password anyone knows.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// A fresh random secret (256 bits), URL-safe text: session ids, CSRF and API tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps instead of a secret: its SHA-256, hex. A leaked table then
/// opens no session.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), stored.clone()).await);
        assert!(!verify("wrong horse battery".into(), stored.clone()).await);
        assert!(!verify("anything".into(), "not a hash".into()).await);
    }

    #[test]
    fn the_dummy_hash_costs_a_real_verification() {
        // A malformed hash would be refused at once, and the quick answer would tell
        // unknown names from known ones.
        let parsed = PasswordHash::new(DUMMY_HASH).expect("the dummy hash parses");
        assert!(Argon2::default().verify_password(b"anything", &parsed).is_err());
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash("x"), token_hash("x"));
        assert_eq!(token_hash("x").len(), 64);
    }
}
