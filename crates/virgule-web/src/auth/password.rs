//! Password rules and Argon2id hashing, off the async runtime (hashing takes tens of ms).

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::error::Failure;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 1024;

/// Refuses passwords that are short, absurdly long, the member's own name, or among the
/// most common ones, with a message saying why.
pub fn check_strength(password: &str, name: &str) -> Result<(), Failure> {
    let weak = |why: &str| Err(Failure::bad_request("weak_password", why));
    let chars = password.chars().count();
    if chars < MIN_LEN {
        return weak("a password needs at least 8 characters");
    }
    if chars > MAX_LEN {
        return weak("a password has at most 1024 characters");
    }
    let lower = password.to_lowercase();
    if !name.is_empty() && lower.contains(&name.to_lowercase()) {
        return weak("a password must not contain your name");
    }
    let mut distinct = lower.chars().collect::<Vec<_>>();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return weak("a password needs at least 4 different characters");
    }
    const COMMON: &[&str] = &[
        "password",
        "password1",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "qwerty123",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "abc12345",
        "letmein1",
        "trustno1",
        "passw0rd",
        "superman",
        "11111111",
        "00000000",
    ];
    if COMMON.contains(&lower.as_str()) {
        return weak("that password is among the most common ones; choose another");
    }
    Ok(())
}

/// Hashes with Argon2id and a random salt, in a blocking thread.
pub async fn hash(password: String) -> Result<String, Failure> {
    tokio::task::spawn_blocking(move || {
        PasswordHasher::<PasswordHash>::hash_password(&Argon2::default(), password.as_bytes())
            .map(|h| h.to_string())
    })
    .await
    .map_err(|_| Failure::internal())?
    .map_err(|e| {
        tracing::error!(error = %e, "password hashing failed");
        Failure::internal()
    })
}

/// True if `password` matches the stored hash; false for a wrong password or a bad hash.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || {
        Argon2::default().verify_password(password.as_bytes(), stored.as_str()).is_ok()
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(check_strength("short", "bob").is_err());
        assert!(check_strength("password", "bob").is_err());
        assert!(check_strength("aaaaaaaaaaaa", "bob").is_err());
        assert!(check_strength("xxbobxx-2024", "bob").is_err());
        assert!(check_strength("correct horse battery", "bob").is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), stored.clone()).await);
        assert!(!verify("wrong horse battery".into(), stored.clone()).await);
        assert!(!verify("anything".into(), "not a hash".into()).await);
    }
}
