//! Validation of what API clients send, beyond what `drafts` covers: list windows, e-mail
//! addresses and profiles. Pure: no I/O, every refusal a 400 with a message a person can act on.

use url::Url;
use virgule_store::{Page, ProfileUpdate, TrustLevel};

use crate::error::Failure;

/// Entries per page when the client does not say.
pub const DEFAULT_LIMIT: i64 = 10;
/// The most entries one call returns.
pub const MAX_LIMIT: i64 = 100;
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
pub const MAX_HOMEPAGE_CHARS: usize = 2048;
pub const MAX_NOTES_BYTES: usize = 16 * 1024;

fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// `?start=N&limit=M`: start ≥ 0 (default 0), 1 ≤ limit ≤ 100 (default 10). An empty value
/// counts as absent.
pub fn parse_window(start: Option<&str>, limit: Option<&str>) -> Result<Page, Failure> {
    let start =
        match present(start) {
            None => 0,
            Some(raw) => raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
                Failure::bad_request("bad_query", "start must be a whole number ≥ 0")
            })?,
        };
    let limit = match present(limit) {
        None => DEFAULT_LIMIT,
        Some(raw) => {
            raw.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                Failure::bad_request("bad_query", "limit must be a whole number from 1 to 100")
            })?
        }
    };
    Ok(Page { start, limit })
}

/// `?thresh=L`, the recent log's trust threshold: 0–3, absent or empty for `default` (the
/// site's setting).
pub fn parse_thresh(raw: Option<&str>, default: TrustLevel) -> Result<TrustLevel, Failure> {
    crate::pages::recentlog::parse_threshold(raw, default).ok_or_else(|| {
        Failure::bad_request("bad_query", "thresh must be a trust level from 0 to 3")
    })
}

/// An optional e-mail address: absent or blank is none; otherwise it must look like one
/// (one `@` with text on both sides, no spaces, at most 254 characters).
pub fn check_email(email: Option<&str>) -> Result<Option<String>, Failure> {
    let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let bad = || Failure::bad_request("invalid_email", "that does not look like an e-mail address");
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(Failure::bad_request(
            "invalid_email",
            "an e-mail address has at most 254 characters",
        ));
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    Ok(Some(email.to_owned()))
}

/// A display name: free text on one line, trimmed, at most 100 characters.
pub fn clean_display_name(raw: &str) -> Result<String, Failure> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().any(char::is_control) {
        return Err(Failure::bad_request(
            "invalid",
            "a display name may not contain control characters",
        ));
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(Failure::bad_request("invalid", "a display name has at most 100 characters"));
    }
    Ok(name)
}

/// A homepage: empty, or an absolute http(s) URL (returned in its normalized form).
pub fn clean_homepage(raw: &str) -> Result<String, Failure> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let bad = || {
        Failure::bad_request(
            "invalid_homepage",
            "the homepage must be a full http:// or https:// address",
        )
    };
    if raw.len() > MAX_HOMEPAGE_CHARS {
        return Err(Failure::bad_request("invalid_homepage", "the homepage address is too long"));
    }
    let url = Url::parse(raw).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// A whole profile: display name, homepage and Markdown notes (at most 16 KiB), the notes
/// rendered through the one sanitizer.
pub fn compose_profile(
    display_name: &str,
    homepage: &str,
    notes: &str,
) -> Result<ProfileUpdate, Failure> {
    let display_name = clean_display_name(display_name)?;
    let homepage = clean_homepage(homepage)?;
    if notes.len() > MAX_NOTES_BYTES {
        return Err(Failure::bad_request("invalid", "the notes have at most 16 KiB of text"));
    }
    let notes_html =
        if notes.trim().is_empty() { String::new() } else { virgule_html::markdown_to_html(notes) };
    Ok(ProfileUpdate { display_name, homepage, notes_source: notes.to_owned(), notes_html })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn windows_default_and_refuse_bad_numbers() {
        assert_eq!(parse_window(None, None).unwrap(), Page { start: 0, limit: 10 });
        assert_eq!(parse_window(Some("20"), Some("100")).unwrap(), Page { start: 20, limit: 100 });
        assert_eq!(parse_window(Some(""), Some(" ")).unwrap(), Page { start: 0, limit: 10 });
        for (start, limit) in [
            (Some("-1"), None),
            (Some("x"), None),
            (None, Some("0")),
            (None, Some("101")),
            (None, Some("ten")),
            (None, Some("1.5")),
        ] {
            let err = parse_window(start, limit).unwrap_err();
            assert_eq!(err.code, "bad_query", "{start:?} {limit:?}");
        }
    }

    #[test]
    fn emails_are_checked_loosely() {
        assert_eq!(check_email(None).unwrap(), None);
        assert_eq!(check_email(Some("  ")).unwrap(), None);
        assert_eq!(check_email(Some(" a@b.org ")).unwrap().as_deref(), Some("a@b.org"));
        for bad in ["ab.org", "@b.org", "a@", "a@b@c", "a b@c.org"] {
            assert!(check_email(Some(bad)).is_err(), "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(check_email(Some(&long)).is_err());
    }

    #[test]
    fn homepages_must_be_absolute_http() {
        assert_eq!(clean_homepage("").unwrap(), "");
        assert_eq!(
            clean_homepage(" https://etbe.coker.com.au ").unwrap(),
            "https://etbe.coker.com.au/"
        );
        for bad in
            ["etbe.coker.com.au", "javascript:alert(1)", "ftp://x.org/", "/relative", "http://"]
        {
            assert!(clean_homepage(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn profiles_are_bounded_and_notes_sanitized() {
        let p =
            compose_profile("  Russell   Coker ", "", "Hi <script>x()</script>*there*").unwrap();
        assert_eq!(p.display_name, "Russell Coker");
        assert!(p.notes_html.contains("<em>there</em>"));
        assert!(!p.notes_html.contains("script"));
        assert!(compose_profile(&"x".repeat(101), "", "").is_err());
        assert!(compose_profile("x", "", &"n".repeat(16 * 1024 + 1)).is_err());
        assert_eq!(compose_profile("", "", "  ").unwrap().notes_html, "");
    }
}
