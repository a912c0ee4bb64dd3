//! Reading the response headers the scheduler cares about: validators for the next
//! conditional GET, and how long the server asks us to wait (`Cache-Control: max-age`,
//! `Expires`, `Retry-After`). These only ever lengthen the interval (docs/design.md §3).

use std::time::{Duration, SystemTime};

use reqwest::header::{self, HeaderMap};

use super::Validators;

/// `ETag` and `Last-Modified` of a response, kept verbatim to be sent back.
pub(crate) fn validators(headers: &HeaderMap) -> Validators {
    Validators {
        etag: text(headers, header::ETAG),
        last_modified: text(headers, header::LAST_MODIFIED),
    }
}

fn text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// The server's clock when it answered, falling back to ours; deadlines in `Expires` and
/// `Retry-After` dates are measured from it so a skewed server clock does not matter.
fn server_now(headers: &HeaderMap) -> SystemTime {
    text(headers, header::DATE)
        .and_then(|d| httpdate::parse_http_date(&d).ok())
        .unwrap_or_else(SystemTime::now)
}

/// How long the response may be cached: `Cache-Control: max-age` wins over `Expires`
/// (RFC 9111 §5.3); `no-store`/`no-cache` or an expired date give no hint.
pub(crate) fn cache_hint(headers: &HeaderMap) -> Option<Duration> {
    if let Some(cc) = text(headers, header::CACHE_CONTROL) {
        let mut max_age = None;
        for directive in cc.split(',').map(str::trim) {
            let lower = directive.to_ascii_lowercase();
            if lower == "no-store" || lower == "no-cache" {
                return None;
            }
            if let Some(v) = lower.strip_prefix("max-age=") {
                max_age = v.trim_matches('"').parse::<u64>().ok();
            }
        }
        if let Some(secs) = max_age {
            return (secs > 0).then(|| Duration::from_secs(secs));
        }
    }
    let expires = text(headers, header::EXPIRES)?;
    // An unparsable Expires ("0", "-1") means "already expired".
    let at = httpdate::parse_http_date(&expires).ok()?;
    at.duration_since(server_now(headers)).ok().filter(|d| !d.is_zero())
}

/// `Retry-After` as seconds or as an HTTP date; `None` when absent, unreadable or past.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = text(headers, header::RETRY_AFTER)?;
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(&value).ok()?;
    at.duration_since(server_now(headers)).ok().filter(|d| !d.is_zero())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    const DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";

    #[test]
    fn max_age_wins_over_expires() {
        let h = headers(&[
            ("cache-control", "public, max-age=3600"),
            ("date", DATE),
            ("expires", "Sun, 06 Nov 1994 08:50:37 GMT"),
        ]);
        assert_eq!(cache_hint(&h), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn expires_is_measured_from_the_server_date() {
        let h = headers(&[("date", DATE), ("expires", "Sun, 06 Nov 1994 09:49:37 GMT")]);
        assert_eq!(cache_hint(&h), Some(Duration::from_secs(3600)));
        let past = headers(&[("date", DATE), ("expires", "Sun, 06 Nov 1994 07:49:37 GMT")]);
        assert_eq!(cache_hint(&past), None);
        assert_eq!(cache_hint(&headers(&[("expires", "0")])), None);
    }

    #[test]
    fn no_cache_and_zero_max_age_give_no_hint() {
        assert_eq!(cache_hint(&headers(&[("cache-control", "no-cache, max-age=600")])), None);
        assert_eq!(cache_hint(&headers(&[("cache-control", "max-age=0")])), None);
        assert_eq!(cache_hint(&headers(&[])), None);
        assert_eq!(
            cache_hint(&headers(&[("cache-control", "Max-Age=\"60\"")])),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(
            retry_after(&headers(&[("retry-after", "120")])),
            Some(Duration::from_secs(120))
        );
        let h = headers(&[("date", DATE), ("retry-after", "Sun, 06 Nov 1994 08:51:37 GMT")]);
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        assert_eq!(retry_after(&headers(&[("retry-after", "soon")])), None);
        assert_eq!(retry_after(&headers(&[])), None);
    }

    #[test]
    fn validators_are_kept_verbatim() {
        let h = headers(&[("etag", "W/\"abc\""), ("last-modified", DATE)]);
        assert_eq!(
            validators(&h),
            Validators { etag: Some("W/\"abc\"".into()), last_modified: Some(DATE.into()) }
        );
        assert_eq!(validators(&headers(&[])), Validators::default());
    }
}
