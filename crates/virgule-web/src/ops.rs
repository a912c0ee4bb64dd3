//! Operational endpoints and static assets: liveness, metrics and the stylesheet.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::limits::ClientIp;
use crate::metrics;
use crate::state::AppState;

/// 200 when the process serves and the database answers; 503 otherwise.
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.site.store().member_count().await {
        Ok(_) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}

/// The metrics in Prometheus's text format, to the addresses `metrics_allow` names; 403 with
/// the reason to anyone else (and to any request relayed by a proxy).
pub async fn metrics(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
) -> Response {
    if !state.config.metrics_allow.allows(client, &headers) {
        let why = "metrics are served only to the addresses in the metrics_allow setting, \
                   and never through a proxy\n";
        return (StatusCode::FORBIDDEN, why).into_response();
    }
    match state.metrics.render() {
        Ok(text) => ([(CONTENT_TYPE, metrics::CONTENT_TYPE), (CACHE_CONTROL, "no-store")], text)
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be written");
            (StatusCode::INTERNAL_SERVER_ERROR, "metrics could not be written\n").into_response()
        }
    }
}

const STYLESHEET: &str = include_str!("../static/style.css");

pub async fn stylesheet() -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")],
        STYLESHEET,
    )
}

const FAVICON: &str = include_str!("../static/favicon.svg");

/// The site's icon, a virgule; also at `/favicon.ico`, where browsers and feed readers look
/// for one without being told (served as the SVG it is: every current browser reads it).
pub async fn favicon() -> impl IntoResponse {
    ([(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "public, max-age=86400")], FAVICON)
}
