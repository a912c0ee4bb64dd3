//! Virgule's web layer: the axum router with every page, feed and JSON API call, browser
//! sessions with CSRF protection, and the security headers every response carries.
//!
//! Handlers are thin: they read the request, make one call to the domain
//! ([`virgule_site::Site`]) and render its answer; `error` maps every refusal to a page or to
//! the API's JSON, once. The binary builds an [`AppState`] from a `Site` and a [`WebConfig`],
//! then calls [`serve`] (or [`router`] for tests).

pub mod api;
pub mod auth;
pub mod cache;
pub mod config;
pub mod error;
pub mod feeds;
pub mod http;
pub mod layout;
pub mod limits;
pub mod metrics;
#[cfg(test)]
mod module_graph;
pub mod ops;
pub mod page_cache;
pub mod pages;
pub mod routes;
mod server;
pub mod state;

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::middleware;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use config::WebConfig;
pub use state::AppState;

/// No inline script anywhere; media from anywhere (posts embed images); frames only from the
/// video hosts the sanitizer allows.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'none'; \
    style-src 'self'; img-src 'self' https: http: data:; media-src 'self' https: http:; \
    frame-src https://www.youtube.com https://www.youtube-nocookie.com https://player.vimeo.com; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Largest request body accepted (an entry is at most 256 KiB of text; forms encode it).
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// The whole site as a router, with its security headers, request logging and metrics.
///
/// The layers, outermost first: metrics, request logging, panic catching, the body limit, the
/// security headers, weak ETags for compressed bodies, compression (gzip, brotli, zstd, for
/// clients that accept them), the rendered-page cache ([`http::cached`], which answers hits
/// and their `304`s without rendering or hashing anything), validators and `304`s
/// ([`http::conditional`]), then inside [`routes::build`]: the viewer (and the anonymous CSRF
/// cookie rule), error pages, the routes. Compression is outside the validators so that
/// ETags and `304`s are computed on the identity bytes, once, whatever the client accepts.
/// The page cache compresses what it keeps itself, once per coding ([`http::encoding`]), and
/// the compression layer leaves an answer that already has a `Content-Encoding` alone.
pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    let cache_state = state.clone();
    routes::build(state)
        .layer(middleware::from_fn(http::conditional::conditional))
        .layer(middleware::from_fn_with_state(cache_state, http::cached::layer))
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .br(true)
                .zstd(true)
                .quality(CompressionLevel::Precise(http::encoding::LEVEL as i32))
                .compress_when(DefaultPredicate::new().and(http::conditional::has_content)),
        )
        .layer(middleware::from_fn(http::conditional::weaken_encoded_etag))
        .layer(SetResponseHeaderLayer::if_not_present(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY_VALUE),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        // Outermost, so a panic turned into a 500 is counted; still after routing (every
        // `Router::layer` is), so the route's template is known.
        .layer(middleware::from_fn_with_state(metrics, metrics::track))
}

/// Serves the site on `listener` until `shutdown` completes, then lets in-flight requests
/// finish. Also runs the housekeeping (expired sessions, rate-limit memory) and the reading
/// of the content version (for the page cache and the sessions and members the site
/// remembers) meanwhile.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, ConnectionLimits::default()).await
}

/// What one client connection may hold, against slow-loris clients that open many
/// connections and send their headers a byte at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// How long a request's headers may take to arrive (the wait for the next request on a
    /// kept-alive connection included); the connection is closed after it.
    pub header_timeout: Duration,
    /// Connections served at once; more wait in the kernel's accept queue until one closes.
    pub max_connections: usize,
    /// How long a request may take from its headers to its answer, body upload included: a
    /// client trickling its body is answered 408 after it.
    pub request_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 4096,
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// [`serve`] with explicit [`ConnectionLimits`] (tests use short ones).
pub async fn serve_with(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    limits: ConnectionLimits,
) -> std::io::Result<()> {
    let housekeeping = tokio::spawn(housekeeping(state.clone()));
    let versions = tokio::spawn(http::cached::poll_versions(state.clone()));
    server::accept_loop(listener, router(state), shutdown, limits).await;
    housekeeping.abort();
    versions.abort();
    Ok(())
}

async fn housekeeping(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        if let Err(e) = state.limits.prune().await {
            tracing::warn!(error = %e, "could not forget old rate-limit counts");
        }
        match state.site.store().delete_expired_sessions().await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "expired sessions removed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
    }
}
