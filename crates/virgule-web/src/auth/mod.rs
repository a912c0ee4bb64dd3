//! Who is asking: browser sessions (cookie), API bearer tokens, CSRF tokens on forms. The
//! secrets themselves are made and hashed by `virgule_site::password`.

pub mod csrf;
pub mod resolve;
pub mod session;
pub mod viewer;

/// Compares secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use virgule_site::password::random_token;

    use super::*;

    #[test]
    fn secrets_compare_whole() {
        let (a, b) = (random_token(), random_token());
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert!(!constant_time_eq("ab", "abc"));
    }
}
