//! The middleware that gives every anonymous page and feed its validators and answers
//! conditional requests with `304`, and marks personal reads as private.
//!
//! For an anonymous read ([`is_anonymous_read`]) whose answer a cache may keep
//! ([`is_storable`]), the body is read into memory (it is a rendered page or feed, already
//! whole), and the response gets, unless its handler set them: a strong `ETag` of the bytes,
//! `Cache-Control: public, no-cache`, and `Vary: Accept-Encoding` (the compression layer
//! outside varies the bytes; a `304` must say so too, and the compression layer adds nothing
//! to a `304`). A matching `If-None-Match` / `If-Modified-Since` then gets a `304` without a
//! body. Everything else passes untouched, except that a signed-in reader's page without a
//! `Cache-Control` of its own gets `private, no-cache`.
//!
//! Why `public, no-cache` for pages: any cache may keep the page but must ask us before every
//! use, so a member sees their write at once and a reader's repeat visit costs a `304` with
//! no body. Feeds set their own `Cache-Control` with a short freshness
//! ([`crate::feeds::FEED_CACHE_CONTROL`]).

use axum::body::{Body, HttpBody};
use axum::extract::Request;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, ETAG, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::encoding::{Coding, accepted};
use super::validators::{
    is_anonymous_read, is_not_modified, is_storable, not_modified, strong_etag,
};

/// Bodies up to this size are validated; a larger (or streamed) one passes without an ETag.
/// The largest page or feed the site renders (a feed of 20 long entries) is a few hundred
/// KB, and nothing is rendered from more than the request limit allows to be written.
pub const MAX_VALIDATED_BYTES: usize = 8 * 1024 * 1024;

/// An anonymous page's default: any cache may store it, and must revalidate before use.
pub const PUBLIC_CACHE_CONTROL: &str = "public, no-cache";

/// A signed-in reader's page: only their browser may keep it, revalidating each time.
pub const PERSONAL_CACHE_CONTROL: &str = "private, no-cache";

/// Middleware: validators and `304`s for anonymous reads, `private` for personal ones.
pub async fn conditional(mut request: Request, next: Next) -> Response {
    let method = request.method().clone();
    if !is_anonymous_read(&method, request.headers()) {
        let personal_read = method == Method::GET || method == Method::HEAD;
        let mut response = next.run(request).await;
        if personal_read && !response.headers().contains_key(CACHE_CONTROL) {
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static(PERSONAL_CACHE_CONTROL));
        }
        return response;
    }
    let conditions = conditions_of(request.headers());
    // A HEAD is answered as the GET would be, without the body (RFC 9110 §9.3.2): its
    // validators must be those of the GET's bytes, which the router would drop for a HEAD.
    let head = method == Method::HEAD;
    if head {
        *request.method_mut() = Method::GET;
    }
    let response = validate(next.run(request).await, &conditions).await;
    // (A 304 has no body already, and must keep stating no length.)
    if head && response.status() != StatusCode::NOT_MODIFIED {
        without_body(response)
    } else {
        response
    }
}

/// The request's conditional headers, kept while the handler runs.
fn conditions_of(request: &HeaderMap) -> HeaderMap {
    let mut conditions = HeaderMap::new();
    for name in [IF_NONE_MATCH, IF_MODIFIED_SINCE] {
        for value in request.get_all(&name) {
            conditions.append(name.clone(), value.clone());
        }
    }
    conditions
}

/// Adds the missing validators and defaults to a storable response, and answers `304` when
/// the request's conditions say the client has these bytes.
async fn validate(response: Response, conditions: &HeaderMap) -> Response {
    if !is_storable(response.status(), response.headers())
        || response.headers().contains_key(CONTENT_ENCODING)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let whole = body.size_hint().exact().is_some_and(|n| n <= MAX_VALIDATED_BYTES as u64);
    if !whole && !parts.headers.contains_key(ETAG) {
        return Response::from_parts(parts, body);
    }
    let body = if parts.headers.contains_key(ETAG) {
        body
    } else {
        let bytes = match axum::body::to_bytes(body, MAX_VALIDATED_BYTES).await {
            Ok(bytes) => bytes,
            Err(e) => {
                tracing::error!(error = %e, "a response body could not be read for its ETag");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        };
        parts.headers.insert(ETAG, strong_etag(&bytes));
        Body::from(bytes)
    };
    if !parts.headers.contains_key(CACHE_CONTROL) {
        parts.headers.insert(CACHE_CONTROL, HeaderValue::from_static(PUBLIC_CACHE_CONTROL));
    }
    let varies = parts.headers.get_all(VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.split(',').any(|n| n.trim().eq_ignore_ascii_case("accept-encoding")))
    });
    if !varies {
        parts.headers.append(VARY, HeaderValue::from_static(ACCEPT_ENCODING.as_str()));
    }
    if is_not_modified(conditions, &parts.headers) {
        return not_modified(&parts.headers);
    }
    Response::from_parts(parts, body)
}

/// The response to a HEAD: the GET's headers, its length, no body.
fn without_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Some(length) = body.size_hint().exact() {
        parts.headers.insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    Response::from_parts(parts, Body::empty())
}

/// The compression layer's test, with its default one: not a `304` or `204`, which have no
/// body to compress (a `304` states no length, so the default test alone would wrap it).
pub fn has_content(
    status: StatusCode,
    _: axum::http::Version,
    _: &HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    !matches!(status, StatusCode::NOT_MODIFIED | StatusCode::NO_CONTENT)
}

/// Middleware for outside the compression layer: a compressed body is not the bytes its
/// strong `ETag` names, so the tag becomes weak (`W/"…"`), as nginx does. A `304` to a
/// client that accepts compression gets the weak tag too, the one its stored copy carries
/// (every page and feed is large enough to be compressed). Weak tags still match in
/// `If-None-Match` (the weak comparison), so revalidation is unchanged.
pub async fn weaken_encoded_etag(request: Request, next: Next) -> Response {
    let compressed_for_client = accepts_compression(request.headers());
    let mut response = next.run(request).await;
    let encoded = response.headers().contains_key(CONTENT_ENCODING)
        || (response.status() == StatusCode::NOT_MODIFIED && compressed_for_client);
    if !encoded {
        return response;
    }
    let weak = response
        .headers()
        .get(ETAG)
        .and_then(|tag| tag.to_str().ok())
        .filter(|tag| tag.starts_with('"'))
        .and_then(|tag| HeaderValue::from_str(&format!("W/{tag}")).ok());
    if let Some(weak) = weak {
        response.headers_mut().insert(ETAG, weak);
    }
    response
}

/// Whether `Accept-Encoding` lets the compression layer pick one of its codings (gzip,
/// brotli, zstd, or `*`) at a quality above zero.
fn accepts_compression(request: &HeaderMap) -> bool {
    accepted(request)
        .any(|(token, quality)| quality > 0 && (token == "*" || Coding::parse(token).is_some()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn accept(value: &str) -> bool {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        accepts_compression(&headers)
    }

    #[test]
    fn clients_that_take_a_served_coding_accept_compression() {
        for value in
            ["gzip", "br", "zstd", "gzip, deflate, br, zstd", "GZIP", "identity, br;q=0.5", "*"]
        {
            assert!(accept(value), "{value}");
        }
    }

    #[test]
    fn identity_other_codings_and_q0_do_not() {
        for value in ["identity", "deflate", "compress", "gzip;q=0", "br; q=0.0, zstd;q=0", ""] {
            assert!(!accept(value), "{value}");
        }
        assert!(!accepts_compression(&HeaderMap::new()));
    }
}
