//! Placeholder for the validators module (replaced when the http branch merges).

use axum::body::Body;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_LOCATION, COOKIE, ETAG, EXPIRES, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, SET_COOKIE, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use std::hash::{DefaultHasher, Hasher};

use crate::auth::session::SESSION_COOKIE;

pub fn is_anonymous_read(method: &Method, headers: &HeaderMap) -> bool {
    if !(method == Method::GET || method == Method::HEAD) || headers.contains_key(AUTHORIZATION) {
        return false;
    }
    !headers.get_all(COOKIE).iter().filter_map(|v| v.to_str().ok()).any(|cookies| {
        cookies.split(';').any(|c| c.trim().split('=').next() == Some(SESSION_COOKIE))
    })
}

pub fn strong_etag(body: &[u8]) -> HeaderValue {
    let mut hasher = DefaultHasher::new();
    hasher.write(body);
    HeaderValue::from_str(&format!("\"{:016x}\"", hasher.finish()))
        .expect("hex is a valid header value")
}

pub fn is_not_modified(request: &HeaderMap, response: &HeaderMap) -> bool {
    if let Some(inm) = request.get(IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
        let Some(etag) = response.get(ETAG).and_then(|v| v.to_str().ok()) else { return false };
        let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
        return inm.split(',').any(|t| t.trim() == "*" || bare(t) == bare(etag));
    }
    let _ = (IF_MODIFIED_SINCE, LAST_MODIFIED);
    false
}

pub fn not_modified(response: &HeaderMap) -> Response {
    let mut out = Response::new(Body::empty());
    *out.status_mut() = StatusCode::NOT_MODIFIED;
    for name in [ETAG, LAST_MODIFIED, CACHE_CONTROL, VARY, EXPIRES, CONTENT_LOCATION] {
        for value in response.get_all(&name) {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

pub fn is_storable(status: StatusCode, headers: &HeaderMap) -> bool {
    status == StatusCode::OK
        && !headers.contains_key(SET_COOKIE)
        && !headers.get_all(CACHE_CONTROL).iter().filter_map(|v| v.to_str().ok()).any(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("private") || v.contains("no-store")
        })
}
