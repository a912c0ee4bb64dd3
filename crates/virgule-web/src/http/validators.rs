//! The HTTP caching rules as pure functions over headers, without I/O: who counts as an
//! anonymous reader, the ETag of a body, whether a conditional request is answered `304`,
//! what a `304` repeats, and which responses a cache may keep. The [`super::conditional`]
//! middleware calls them on every response, and the rendered-page cache calls the same ones,
//! so both layers agree on what is shared and when it is fresh.

use std::time::SystemTime;

use axum::body::Body;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_LOCATION, COOKIE, ETAG, EXPIRES, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, SET_COOKIE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use sha2::{Digest, Sha256};

use crate::auth::session::SESSION_COOKIE;

/// The headers a `304` repeats from the `200` it stands for (RFC 9110 §15.4.5), so that a
/// cache refreshing its copy gets the same validators and freshness rules.
const REPEATED_IN_304: [axum::http::HeaderName; 6] =
    [ETAG, LAST_MODIFIED, CACHE_CONTROL, VARY, EXPIRES, CONTENT_LOCATION];

/// Whether a request reads the site as nobody in particular: a `GET` or `HEAD` without an
/// `Authorization` header and without the session cookie. Such a request gets the same
/// bytes as every other anonymous reader of the same URL, so its answer may be validated,
/// cached and shared.
///
/// The anonymous CSRF cookie does not make a request personal: pages without a form never
/// show its token, and the pages with one mark themselves `private, no-store`. A session
/// cookie counts even if it has expired (the request may still be a member's, and telling
/// would need the database): such a request is answered as a personal one, which is only
/// slower, never wrong.
pub fn is_anonymous_read(method: &Method, headers: &HeaderMap) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && !headers.contains_key(AUTHORIZATION)
        && !has_cookie(headers, SESSION_COOKIE)
}

/// Whether any `Cookie` header names `name` (`a=1; b=2`, possibly split over several
/// headers, as HTTP/2 clients send them).
fn has_cookie(headers: &HeaderMap, name: &str) -> bool {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .any(|pair| pair.split_once('=').is_some_and(|(key, _)| key.trim() == name))
}

/// A strong ETag for exactly these bytes: the first 128 bits of their SHA-256, as 32 hex
/// digits in quotes.
///
/// SHA-256 because it is already in the workspace, fixed by its standard (so every process
/// and every node of a cluster gives the same tag for the same bytes, whatever the build),
/// and fast here: the `sha2` crate uses the CPU's SHA extensions where present, about
/// 0.1 ms for a 150 KB feed (docs/design.md §2). 128 bits make an accidental collision,
/// which would hide one change from one cache, out of reach.
pub fn strong_etag(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(34);
    tag.push('"');
    for byte in &digest[..16] {
        tag.push(char::from(HEX[usize::from(byte >> 4)]));
        tag.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    tag.push('"');
    // Quotes and hex digits are visible ASCII, always a valid header value.
    HeaderValue::from_str(&tag).unwrap_or_else(|_| HeaderValue::from_static("\"\""))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether a `GET` or `HEAD` whose request headers are `request` may be answered `304 Not
/// Modified` instead of the `200` whose headers are `response` (RFC 9110 §13.1–13.2).
///
/// `If-None-Match` decides when present: `*`, or any listed tag equal to the response's
/// `ETag` by the weak comparison (`W/"a"` matches `"a"`), means not modified; a list that
/// cannot be read matches nothing. Only without it, `If-Modified-Since` is compared with
/// `Last-Modified`: not modified when the response is no newer than the date. A date that
/// cannot be read (or a response without `Last-Modified`) means modified: when in doubt the
/// client gets the body.
pub fn is_not_modified(request: &HeaderMap, response: &HeaderMap) -> bool {
    if request.contains_key(IF_NONE_MATCH) {
        let current = response.get(ETAG).and_then(|v| v.to_str().ok()).and_then(opaque_tag);
        return request.get_all(IF_NONE_MATCH).iter().any(|value| none_match_hits(value, current));
    }
    let Some(since) = http_date(request.get(IF_MODIFIED_SINCE)) else { return false };
    let Some(modified) = http_date(response.get(LAST_MODIFIED)) else { return false };
    modified <= since
}

/// Whether one `If-None-Match` value matches the current tag's opaque part.
fn none_match_hits(value: &HeaderValue, current: Option<&str>) -> bool {
    let Ok(text) = value.to_str() else { return false };
    if text.trim() == "*" {
        // Any current representation matches `*`; only a 200 is ever checked here.
        return true;
    }
    let Some(current) = current else { return false };
    entity_tags(text).is_some_and(|tags| tags.contains(&current))
}

/// The opaque part of one entity tag (`"xyz"` or `W/"xyz"`, quotes included), for the weak
/// comparison; `None` if it is not one.
fn opaque_tag(tag: &str) -> Option<&str> {
    let tag = tag.trim();
    let opaque = tag.strip_prefix("W/").unwrap_or(tag);
    let inner = opaque.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(opaque)
}

/// The opaque tags of a comma-separated `If-None-Match` list. Commas may occur inside a tag,
/// so the list is read quote by quote; `None` if it is malformed.
fn entity_tags(list: &str) -> Option<Vec<&str>> {
    let mut tags = Vec::new();
    let mut rest = list;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        if rest.is_empty() {
            return Some(tags);
        }
        let quoted = rest.strip_prefix("W/").unwrap_or(rest);
        let close = quoted.strip_prefix('"')?.find('"')?;
        // The opaque tag with both its quotes.
        let length = close + 2;
        tags.push(&quoted[..length]);
        rest = quoted[length..].trim_start_matches([' ', '\t']);
        if !rest.is_empty() && !rest.starts_with(',') {
            return None;
        }
    }
}

/// An HTTP-date header as a time (`httpdate` reads the IMF-fixdate and both obsolete
/// forms, as RFC 9110 §5.6.7 asks of recipients).
fn http_date(value: Option<&HeaderValue>) -> Option<SystemTime> {
    httpdate::parse_http_date(value?.to_str().ok()?.trim()).ok()
}

/// A `304 Not Modified` standing for a `200` whose headers are `response`: no body, and the
/// headers a `304` must repeat (`ETag`, `Last-Modified`, `Cache-Control`, `Vary`, `Expires`,
/// `Content-Location`), each with all its values.
pub fn not_modified(response: &HeaderMap) -> Response {
    let mut answer = Response::new(Body::new(NoContent));
    *answer.status_mut() = StatusCode::NOT_MODIFIED;
    let headers = answer.headers_mut();
    for name in REPEATED_IN_304 {
        for value in response.get_all(&name) {
            headers.append(name.clone(), value.clone());
        }
    }
    answer
}

/// The body of a `304`: none, and of no stated length. (An empty body would make the router
/// send `Content-Length: 0`, which a `304` must not say unless the `200` was empty: RFC 9110
/// §8.6. With no length, hyper sends no `Content-Length` and no body for a `304`.)
struct NoContent;

impl http_body::Body for NoContent {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(None)
    }
}

/// Whether a response may be kept and shared by a cache: a `200` that sets no cookie and
/// whose `Cache-Control` says neither `private` nor `no-store`. Personal answers (a login
/// form with its CSRF token, anything for a member) say one of them or set a cookie.
pub fn is_storable(status: StatusCode, headers: &HeaderMap) -> bool {
    status == StatusCode::OK
        && !headers.contains_key(SET_COOKIE)
        && !headers
            .get_all(CACHE_CONTROL)
            .iter()
            .any(|value| value.to_str().map_or(true, forbids_sharing))
}

/// Whether a `Cache-Control` value has `private` or `no-store` (with or without an
/// argument, in any case).
fn forbids_sharing(value: &str) -> bool {
    value.split(',').any(|directive| {
        let name = directive.split('=').next().unwrap_or("").trim();
        name.eq_ignore_ascii_case("private") || name.eq_ignore_ascii_case("no-store")
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::HeaderName;

    use super::*;

    fn headers(pairs: &[(HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    const TAG: &str = "\"abc\"";
    const MONDAY: &str = "Mon, 07 Dec 2026 10:00:00 GMT";
    const TUESDAY: &str = "Tue, 08 Dec 2026 10:00:00 GMT";

    fn tagged() -> HeaderMap {
        headers(&[(ETAG, TAG), (LAST_MODIFIED, MONDAY)])
    }

    #[test]
    fn only_plain_gets_and_heads_are_anonymous() {
        let none = HeaderMap::new();
        assert!(is_anonymous_read(&Method::GET, &none));
        assert!(is_anonymous_read(&Method::HEAD, &none));
        assert!(!is_anonymous_read(&Method::POST, &none));
        assert!(!is_anonymous_read(&Method::PUT, &none));
        assert!(!is_anonymous_read(&Method::OPTIONS, &none));
    }

    #[test]
    fn a_session_cookie_or_authorization_makes_a_read_personal() {
        let bearer = headers(&[(AUTHORIZATION, "Bearer t")]);
        assert!(!is_anonymous_read(&Method::GET, &bearer));
        let basic = headers(&[(AUTHORIZATION, "Basic eDp5")]);
        assert!(!is_anonymous_read(&Method::GET, &basic));
        let session = headers(&[(COOKIE, "virgule_session=s")]);
        assert!(!is_anonymous_read(&Method::GET, &session));
        let among = headers(&[(COOKIE, "a=1; virgule_session=s; b=2")]);
        assert!(!is_anonymous_read(&Method::HEAD, &among));
        let split = headers(&[(COOKIE, "a=1"), (COOKIE, " virgule_session=s")]);
        assert!(!is_anonymous_read(&Method::GET, &split));
    }

    #[test]
    fn the_csrf_cookie_and_look_alikes_stay_anonymous() {
        let csrf = headers(&[(COOKIE, "virgule_csrf=t")]);
        assert!(is_anonymous_read(&Method::GET, &csrf));
        let longer = headers(&[(COOKIE, "virgule_session_old=x; my_virgule_session=y")]);
        assert!(is_anonymous_read(&Method::GET, &longer));
        let in_value = headers(&[(COOKIE, "a=virgule_session")]);
        assert!(is_anonymous_read(&Method::GET, &in_value));
    }

    #[test]
    fn etags_are_quoted_hex_fixed_by_the_bytes() {
        let tag = strong_etag(b"hello");
        let text = tag.to_str().unwrap();
        assert_eq!(text.len(), 34);
        assert!(text.starts_with('"') && text.ends_with('"'));
        assert!(text[1..33].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        // SHA-256("hello") begins 2cf24dba5fb0a30e26e83b2ac5b9e29e: the tag is portable.
        assert_eq!(text, "\"2cf24dba5fb0a30e26e83b2ac5b9e29e\"");
        assert_eq!(strong_etag(b"hello"), tag);
        assert_ne!(strong_etag(b"hello!"), tag);
        assert_ne!(strong_etag(b""), tag);
    }

    #[test]
    fn if_none_match_hits_its_tag_weakly() {
        let response = tagged();
        for sent in [TAG, "W/\"abc\"", "\"x\", \"abc\"", "\"x\",W/\"abc\" , \"y\"", "*", " * "] {
            let request = headers(&[(IF_NONE_MATCH, sent)]);
            assert!(is_not_modified(&request, &response), "{sent} should match");
        }
        let weak_response = headers(&[(ETAG, "W/\"abc\"")]);
        assert!(is_not_modified(&headers(&[(IF_NONE_MATCH, TAG)]), &weak_response));
    }

    #[test]
    fn if_none_match_misses_other_tags() {
        let response = tagged();
        for sent in ["\"abd\"", "\"ab\"", "abc", "\"x\", \"y\"", "\"abc", "\"a,b\"", "", "W/"] {
            let request = headers(&[(IF_NONE_MATCH, sent)]);
            assert!(!is_not_modified(&request, &response), "{sent} should not match");
        }
    }

    #[test]
    fn tags_may_hold_commas_and_lists_may_span_headers() {
        let response = headers(&[(ETAG, "\"a,b\"")]);
        assert!(is_not_modified(&headers(&[(IF_NONE_MATCH, "\"x\", \"a,b\"")]), &response));
        let split = headers(&[(IF_NONE_MATCH, "\"x\""), (IF_NONE_MATCH, TAG)]);
        assert!(is_not_modified(&split, &tagged()));
    }

    #[test]
    fn a_malformed_list_matches_nothing() {
        let request = headers(&[(IF_NONE_MATCH, "\"abc\" junk")]);
        assert!(!is_not_modified(&request, &tagged()));
    }

    #[test]
    fn without_an_etag_only_star_matches() {
        let response = headers(&[(LAST_MODIFIED, MONDAY)]);
        assert!(!is_not_modified(&headers(&[(IF_NONE_MATCH, TAG)]), &response));
        assert!(is_not_modified(&headers(&[(IF_NONE_MATCH, "*")]), &response));
    }

    #[test]
    fn if_none_match_takes_precedence_over_the_date() {
        // A tag that misses wins over a date that would say "not modified".
        let request = headers(&[(IF_NONE_MATCH, "\"old\""), (IF_MODIFIED_SINCE, TUESDAY)]);
        assert!(!is_not_modified(&request, &tagged()));
        // And a tag that hits wins over a date that would say "modified".
        let request =
            headers(&[(IF_NONE_MATCH, TAG), (IF_MODIFIED_SINCE, "Sun, 06 Dec 2026 10:00:00 GMT")]);
        assert!(is_not_modified(&request, &tagged()));
    }

    #[test]
    fn if_modified_since_compares_with_last_modified() {
        let response = tagged();
        assert!(is_not_modified(&headers(&[(IF_MODIFIED_SINCE, MONDAY)]), &response));
        assert!(is_not_modified(&headers(&[(IF_MODIFIED_SINCE, TUESDAY)]), &response));
        let earlier = headers(&[(IF_MODIFIED_SINCE, "Mon, 07 Dec 2026 09:59:59 GMT")]);
        assert!(!is_not_modified(&earlier, &response));
    }

    #[test]
    fn obsolete_date_forms_are_read() {
        let response = tagged();
        let rfc850 = headers(&[(IF_MODIFIED_SINCE, "Monday, 07-Dec-26 10:00:00 GMT")]);
        assert!(is_not_modified(&rfc850, &response));
        let asctime = headers(&[(IF_MODIFIED_SINCE, "Mon Dec  7 10:00:00 2026")]);
        assert!(is_not_modified(&asctime, &response));
    }

    #[test]
    fn unreadable_or_missing_dates_mean_modified() {
        assert!(!is_not_modified(&headers(&[(IF_MODIFIED_SINCE, "yesterday")]), &tagged()));
        let undated = headers(&[(ETAG, TAG)]);
        assert!(!is_not_modified(&headers(&[(IF_MODIFIED_SINCE, TUESDAY)]), &undated));
        let bad = headers(&[(ETAG, TAG), (LAST_MODIFIED, "soon")]);
        assert!(!is_not_modified(&headers(&[(IF_MODIFIED_SINCE, TUESDAY)]), &bad));
        assert!(!is_not_modified(&HeaderMap::new(), &tagged()));
    }

    #[test]
    fn a_304_repeats_the_validators_and_nothing_else() {
        let response = headers(&[
            (ETAG, TAG),
            (LAST_MODIFIED, MONDAY),
            (CACHE_CONTROL, "public, no-cache"),
            (VARY, "Accept-Encoding"),
            (VARY, "Cookie"),
            (EXPIRES, TUESDAY),
            (CONTENT_LOCATION, "/x"),
            (axum::http::header::CONTENT_TYPE, "text/html"),
            (axum::http::header::CONTENT_LENGTH, "5"),
        ]);
        let answer = not_modified(&response);
        assert_eq!(answer.status(), StatusCode::NOT_MODIFIED);
        let h = answer.headers();
        assert_eq!(h[ETAG], TAG);
        assert_eq!(h[LAST_MODIFIED], MONDAY);
        assert_eq!(h[CACHE_CONTROL], "public, no-cache");
        assert_eq!(h.get_all(VARY).iter().count(), 2);
        assert_eq!(h[EXPIRES], TUESDAY);
        assert_eq!(h[CONTENT_LOCATION], "/x");
        assert!(!h.contains_key(axum::http::header::CONTENT_TYPE));
        assert!(!h.contains_key(axum::http::header::CONTENT_LENGTH));
        // No length is stated, so that none is sent.
        assert_eq!(axum::body::HttpBody::size_hint(answer.body()).exact(), None);
    }

    #[test]
    fn a_304_of_a_bare_response_is_bare() {
        let answer = not_modified(&HeaderMap::new());
        assert_eq!(answer.status(), StatusCode::NOT_MODIFIED);
        assert!(answer.headers().is_empty());
    }

    #[test]
    fn plain_200s_are_storable() {
        assert!(is_storable(StatusCode::OK, &HeaderMap::new()));
        for value in
            ["public, no-cache", "max-age=60", "no-cache", "public, max-age=0, must-revalidate"]
        {
            assert!(is_storable(StatusCode::OK, &headers(&[(CACHE_CONTROL, value)])), "{value}");
        }
    }

    #[test]
    fn other_statuses_are_not_storable() {
        for status in [
            StatusCode::CREATED,
            StatusCode::NOT_FOUND,
            StatusCode::SEE_OTHER,
            StatusCode::NOT_MODIFIED,
            StatusCode::INTERNAL_SERVER_ERROR,
        ] {
            assert!(!is_storable(status, &HeaderMap::new()), "{status}");
        }
    }

    #[test]
    fn cookies_private_and_no_store_are_not_storable() {
        assert!(!is_storable(StatusCode::OK, &headers(&[(SET_COOKIE, "a=b")])));
        for value in [
            "private",
            "PRIVATE",
            "private=\"set-cookie\"",
            "no-store",
            "public, No-Store",
            "max-age=0 , private",
        ] {
            assert!(!is_storable(StatusCode::OK, &headers(&[(CACHE_CONTROL, value)])), "{value}");
        }
        let split = headers(&[(CACHE_CONTROL, "public"), (CACHE_CONTROL, "no-store")]);
        assert!(!is_storable(StatusCode::OK, &split));
    }
}
