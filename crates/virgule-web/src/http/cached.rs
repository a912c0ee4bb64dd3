//! The page cache's middleware and its reader of the content version: anonymous reads
//! answered from [`crate::page_cache::PageCache`], everything else passed on (see that
//! module for what is kept and when it is stale).

use std::sync::Arc;

use axum::body::{Bytes, HttpBody as _};
use axum::extract::{Request, State};
use axum::http::header::{ETAG, HOST, IF_MODIFIED_SINCE, IF_NONE_MATCH};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::encoding::{Coding, MIN_SIZE};
use crate::http::validators::{
    is_anonymous_read, is_not_modified, is_storable, not_modified, strong_etag,
};
use crate::page_cache::{POLL_INTERVAL, Page};
use crate::state::AppState;

/// Reads the content version every [`POLL_INTERVAL`], so that writes made by other
/// processes (a `virgule worker`, another node) retire the pages, sessions and members they
/// change. Runs until the task is aborted; a failed read is logged and retried at the next
/// tick.
pub async fn poll_versions(state: AppState) {
    let mut tick = tokio::time::interval(POLL_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tick.tick().await;
        match state.site.store().content_version().await {
            Ok(version) => {
                state.site.observe_content_version(version);
                failing = false;
            }
            Err(e) if !failing => {
                tracing::warn!(error = %e, "could not read the content version; pages kept as they are");
                failing = true;
            }
            Err(_) => {}
        }
    }
}

/// The largest body this layer reads into memory to keep; a larger answer passes through.
const MAX_KEPT_BODY: usize = 8 * 1024 * 1024;

/// Middleware: serves anonymous reads from the cache, keeps what may be kept, and after a
/// write handled here reads the new content version before answering.
pub async fn layer(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let cache = &state.page_cache;
    if !is_anonymous_read(request.method(), request.headers()) {
        let writes = !request.method().is_safe();
        let response = next.run(request).await;
        if writes {
            // Whoever wrote sees their write on their next page.
            match state.site.store().content_version().await {
                Ok(version) => state.site.observe_content_version(version),
                Err(e) => tracing::warn!(error = %e, "could not read the content version"),
            }
        }
        return response;
    }
    if !cache.enabled() {
        return next.run(request).await;
    }

    let head = request.method() == Method::HEAD;
    let key = key(&request);
    let version = state.site.content_version();
    if version > 0
        && let Some(page) = cache.get(&key, version)
    {
        state.metrics.page_cache_hit();
        if is_not_modified(request.headers(), &page.headers) {
            return not_modified(&page.headers);
        }
        return answer(&state, &key, &page, head, Coding::negotiate(request.headers()));
    }
    if head || version == 0 {
        return next.run(request).await;
    }

    // Render in full (the validators are checked here, against what is kept), and compress
    // here too (the coding is kept with the page).
    let conditions = request.headers().clone();
    let coding = Coding::negotiate(&conditions);
    request.headers_mut().remove(IF_NONE_MATCH);
    request.headers_mut().remove(IF_MODIFIED_SINCE);
    let response = next.run(request).await;
    if !is_storable(response.status(), response.headers()) {
        return response;
    }
    // A miss is a page that could have come from memory, and was rendered.
    state.metrics.page_cache_miss();
    // Only a body of known size within the bound is read to be kept; others pass through.
    let (mut parts, body) = response.into_parts();
    if body.size_hint().exact().is_none_or(|n| n > MAX_KEPT_BODY as u64) {
        return Response::from_parts(parts, body);
    }
    let body = match axum::body::to_bytes(body, MAX_KEPT_BODY).await {
        Ok(body) => body,
        Err(e) => {
            tracing::error!(error = %e, key, "a rendered page could not be read to be kept");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    if !parts.headers.contains_key(ETAG) {
        parts.headers.insert(ETAG, strong_etag(&body));
    }
    let page = Arc::new(Page::new(version, parts.status, parts.headers, body));
    cache.put(key.clone(), Arc::clone(&page));
    if is_not_modified(&conditions, &page.headers) {
        report_size(&state);
        return not_modified(&page.headers);
    }
    answer(&state, &key, &page, false, coding)
}

/// `page` for a reader who asked for `coding`: its kept copy in that coding, or one made now
/// and kept; the body as stored if none was asked for, the body is too small to be worth
/// it, or compressing failed (logged).
fn answer(
    state: &AppState,
    key: &str,
    page: &Arc<Page>,
    head: bool,
    coding: Option<Coding>,
) -> Response {
    let Some(coding) = coding.filter(|_| page.body.len() >= MIN_SIZE) else {
        return page.response(head, None);
    };
    if let Some(coded) = page.coded(coding) {
        return page.response(head, Some((coding, coded)));
    }
    match coding.compress(&page.body) {
        Ok(coded) => {
            let coded = Bytes::from(coded);
            state.page_cache.keep_coded(key, page, coding, coded.clone());
            report_size(state);
            page.response(head, Some((coding, coded)))
        }
        Err(e) => {
            tracing::error!(error = %e, key, coding = coding.token(), "a kept page could not be compressed");
            page.response(head, None)
        }
    }
}

/// Tells `/metrics` how much the cache holds.
fn report_size(state: &AppState) {
    let stats = state.page_cache.stats();
    state.metrics.set_page_cache_size(stats.entries, stats.bytes);
}

/// Host, path and query: pages name the host in absolute links when no base URL is set.
fn key(request: &Request) -> String {
    let host = request
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()))
        .unwrap_or_default();
    let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
    format!("{host}{path}")
}
