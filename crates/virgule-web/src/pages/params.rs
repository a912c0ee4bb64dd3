//! Reading what a page request carries: query parameters (checked by the site's rules), a
//! safe `next` address, file names such as `K.html`.

use axum::response::{IntoResponse, Redirect, Response};
use virgule_site::{SiteResult, rules};
use virgule_store::TrustLevel;

/// The value of `key` in a raw query string, decoded; the first one if repeated.
pub fn query_param(query: Option<&str>, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// `s` percent-encoded for use as one path segment (spaces as `%20`, `/` encoded).
pub fn path_segment(s: &str) -> String {
    // form_urlencoded writes a space as '+', which a path would read literally; a real '+'
    // is already '%2B' by then.
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>().replace('+', "%20")
}

/// `?start=N`, by the site's rule.
pub fn start_param(query: Option<&str>) -> SiteResult<i64> {
    rules::start(query_param(query, "start").as_deref())
}

/// `?thresh=L`, the recent log's trust threshold, by the site's rule (`default`: the site's
/// setting).
pub fn thresh_param(query: Option<&str>, default: TrustLevel) -> SiteResult<TrustLevel> {
    rules::threshold(query_param(query, "thresh").as_deref(), default)
}

/// `?interest=T`, the recent log's interest threshold (1–10), by the site's rule.
pub fn interest_param(query: Option<&str>) -> SiteResult<Option<f64>> {
    rules::interest_threshold(query_param(query, "interest").as_deref())
}

/// A `next` address is followed after login only if it is a path on this site: one leading
/// `/`, not `//` or `/\` (which browsers read as another host), no control characters.
pub fn safe_next(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let local = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control)
        && raw.len() <= 2000;
    local.then(|| raw.to_owned())
}

/// 303 to the login page, coming back to `next` afterwards.
pub fn login_redirect(next: &str) -> Response {
    let next: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
    Redirect::to(&format!("/acct/login?next={next}")).into_response()
}

/// The number in a file name `K.html` (K a non-negative integer written without leading
/// zeros, so each entry has one address); `None` otherwise.
pub fn html_file_number(file: &str) -> Option<i64> {
    let digits = file.strip_suffix(".html")?;
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if canonical { digits.parse().ok() } else { None }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn start_is_a_whole_number() {
        assert_eq!(start_param(None).unwrap(), 0);
        assert_eq!(start_param(Some("")).unwrap(), 0);
        assert_eq!(start_param(Some("start=")).unwrap(), 0);
        assert_eq!(start_param(Some("x=1&start=30")).unwrap(), 30);
        assert!(start_param(Some("start=-1")).is_err());
        assert!(start_param(Some("start=ten")).is_err());
        assert!(start_param(Some("start=99999999999999999999")).is_err());
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(path_segment("se linux"), "se%20linux");
        assert_eq!(path_segment("c++/x"), "c%2B%2B%2Fx");
        assert_eq!(path_segment("debian"), "debian");
    }

    #[test]
    fn next_must_stay_on_the_site() {
        assert_eq!(safe_next(Some("/acct/settings")).as_deref(), Some("/acct/settings"));
        assert_eq!(safe_next(Some("//evil.example/")), None);
        assert_eq!(safe_next(Some("/\\evil.example/")), None);
        assert_eq!(safe_next(Some("https://evil.example/")), None);
        assert_eq!(safe_next(Some("/a\nb")), None);
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn entry_files_are_canonical_numbers() {
        assert_eq!(html_file_number("0.html"), Some(0));
        assert_eq!(html_file_number("1158.html"), Some(1158));
        assert_eq!(html_file_number("01.html"), None);
        assert_eq!(html_file_number("-1.html"), None);
        assert_eq!(html_file_number("1.htm"), None);
        assert_eq!(html_file_number(".html"), None);
        assert_eq!(html_file_number("99999999999999999999.html"), None);
    }
}
