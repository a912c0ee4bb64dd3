//! What the `/metrics` middleware costs a request: the same trivial route driven in-process
//! (no sockets, no database) with and without `metrics::track`, in rounds, and the medians'
//! difference; then how long one scrape takes once every route of the site has a series.
//!
//! `cargo run --release -p virgule-web --example metrics_overhead`

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::middleware;
use axum::routing::get;
use tower::ServiceExt;
use virgule_site::{Site, SiteSettings};
use virgule_web::metrics::{self, Metrics};

const REQUESTS: u32 = 200_000;
const ROUNDS: usize = 9;

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Nanoseconds per request for `REQUESTS` GETs of one diary page through `app`.
async fn per_request(app: &Router) -> f64 {
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let request = Request::get("/person/demo0000/diary.html").body(Body::empty()).unwrap();
        let response = app.clone().oneshot(request).await.unwrap();
        assert!(response.status().is_success());
    }
    started.elapsed().as_nanos() as f64 / f64::from(REQUESTS)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (store, _db) = virgule_store::testing::fresh_store().await;
    let metrics = Arc::new(Metrics::new(Site::new(store, SiteSettings::default())));
    let plain = Router::new().route("/person/{name}/diary.html", get(|| async { "diary" }));
    let tracked =
        plain.clone().layer(middleware::from_fn_with_state(metrics.clone(), metrics::track));

    // Warm up both (the tracked route's series is created on its first request).
    per_request(&plain).await;
    per_request(&tracked).await;
    let (mut without, mut with) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        without.push(per_request(&plain).await);
        with.push(per_request(&tracked).await);
    }
    let (without, with) = (median(without), median(with));
    println!(
        "per request, median of {ROUNDS} rounds of {REQUESTS}: without the layer {without:.0} ns, \
         with it {with:.0} ns, the layer costs {:.0} ns",
        with - without
    );

    // A scrape once 80 routes × 3 statuses have series (more than the site has).
    let mut site = Router::new();
    for i in 0..80 {
        site = site.route(&format!("/route{i}/{{name}}"), get(|| async { "x" }));
    }
    let site = site.layer(middleware::from_fn_with_state(metrics.clone(), metrics::track));
    for i in 0..80 {
        for path in [format!("/route{i}/a"), format!("/missing{i}")] {
            let request = Request::get(path).body(Body::empty()).unwrap();
            site.clone().oneshot(request).await.unwrap();
        }
    }
    let mut scrapes = Vec::new();
    let mut bytes = 0;
    for _ in 0..ROUNDS {
        let started = Instant::now();
        bytes = metrics.render().unwrap().len();
        scrapes.push(started.elapsed().as_secs_f64() * 1e6);
    }
    println!("one scrape ({bytes} bytes): median {:.0} µs", median(scrapes));
}
