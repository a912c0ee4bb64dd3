//! The fetcher against a real origin: conditional GET, redirects, status codes, timeouts,
//! body caps and the SSRF guard.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use url::Url;
use virgule_feeds::fetch::{FetchError, FetchOutcome, FetchPolicy, Fetcher, Validators};

const FEED: &str =
    r#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>"#;
const ETAG: &str = "\"v1\"";
const LAST_MODIFIED: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
const MAX_BODY: u64 = 1024 * 1024;

struct Origin {
    addr: SocketAddr,
    requests: Arc<AtomicUsize>,
}

impl Origin {
    fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).expect("test url")
    }

    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

async fn count(State(n): State<Arc<AtomicUsize>>, request: Request, next: Next) -> Response {
    n.fetch_add(1, Ordering::SeqCst);
    next.run(request).await
}

async fn feed(headers: HeaderMap) -> Response {
    let matches =
        |name, value: &str| headers.get(name).and_then(|v| v.to_str().ok()) == Some(value);
    if matches(header::IF_NONE_MATCH, ETAG) || matches(header::IF_MODIFIED_SINCE, LAST_MODIFIED) {
        return (
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, ETAG), (header::CACHE_CONTROL, "max-age=900")],
        )
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml; charset=utf-8"),
            (header::ETAG, ETAG),
            (header::LAST_MODIFIED, LAST_MODIFIED),
            (header::CACHE_CONTROL, "public, max-age=600"),
        ],
        FEED,
    )
        .into_response()
}

fn redirect(status: StatusCode, to: &'static str) -> Response {
    (status, [(header::LOCATION, to)]).into_response()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

/// 16 MiB of zeros, about 16 KiB on the wire: inflates far past MAX_BODY.
static BOMB: LazyLock<Vec<u8>> = LazyLock::new(|| gzip(&vec![0u8; 16 * 1024 * 1024]));

async fn origin() -> Origin {
    let requests = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route("/feed", get(feed))
        .route(
            "/gz",
            get(|| async { ([(header::CONTENT_ENCODING, "gzip")], gzip(FEED.as_bytes())) }),
        )
        .route("/moved", get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/moved-again") }))
        .route("/moved-again", get(|| async { redirect(StatusCode::PERMANENT_REDIRECT, "/feed") }))
        .route("/temp", get(|| async { redirect(StatusCode::FOUND, "/feed") }))
        .route(
            "/moved-then-temp",
            get(|| async { redirect(StatusCode::MOVED_PERMANENTLY, "/temp") }),
        )
        .route("/temp-then-moved", get(|| async { redirect(StatusCode::FOUND, "/moved-again") }))
        .route("/loop-a", get(|| async { redirect(StatusCode::FOUND, "/loop-b") }))
        .route("/loop-b", get(|| async { redirect(StatusCode::FOUND, "/loop-a") }))
        .route("/no-location", get(|| async { StatusCode::FOUND }))
        .route("/chain/{n}", get(chain))
        .route("/gone", get(|| async { StatusCode::GONE }))
        .route(
            "/busy",
            get(|| async { (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "120")]) }),
        )
        .route("/unavailable", get(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .route("/broken", get(|| async { StatusCode::INTERNAL_SERVER_ERROR }))
        .route("/missing", get(|| async { StatusCode::NOT_FOUND }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                FEED
            }),
        )
        .route("/big", get(|| async { vec![b'x'; MAX_BODY as usize + 1] }))
        .route("/exact", get(|| async { vec![b'x'; MAX_BODY as usize] }))
        .route("/bomb", get(|| async { ([(header::CONTENT_ENCODING, "gzip")], BOMB.as_slice()) }))
        .route("/to-ftp", get(|| async { redirect(StatusCode::FOUND, "ftp://example.com/feed") }))
        .layer(middleware::from_fn_with_state(Arc::clone(&requests), count));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    Origin { addr, requests }
}

async fn chain(axum::extract::Path(n): axum::extract::Path<u32>) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, format!("/chain/{}", n + 1))]).into_response()
}

/// Every test origin is on loopback, so all but the SSRF tests allow private addresses.
fn lax() -> FetchPolicy {
    FetchPolicy { allow_private: true, max_body: MAX_BODY, ..FetchPolicy::default() }
}

fn fetcher(policy: FetchPolicy) -> Fetcher {
    Fetcher::new(policy).expect("fetcher")
}

async fn get_ok(origin: &Origin, path: &str, validators: &Validators) -> FetchOutcome {
    fetcher(lax()).fetch(&origin.url(path), validators).await.expect("fetch")
}

async fn get_err(policy: FetchPolicy, url: &Url) -> FetchError {
    match fetcher(policy).fetch(url, &Validators::default()).await {
        Ok(outcome) => panic!("{url} should fail, got {outcome:?}"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn ok_returns_body_validators_and_cache_hint() {
    let origin = origin().await;
    let outcome = get_ok(&origin, "/feed", &Validators::default()).await;
    assert_eq!(
        outcome,
        FetchOutcome::Fetched {
            final_url: origin.url("/feed"),
            permanent_redirect_to: None,
            body: FEED.as_bytes().to_vec(),
            content_type: Some("application/rss+xml; charset=utf-8".into()),
            validators: Validators {
                etag: Some(ETAG.into()),
                last_modified: Some(LAST_MODIFIED.into())
            },
            cache_hint: Some(Duration::from_secs(600)),
        }
    );
}

#[tokio::test]
async fn gzip_bodies_are_inflated() {
    let origin = origin().await;
    let FetchOutcome::Fetched { body, .. } = get_ok(&origin, "/gz", &Validators::default()).await
    else {
        panic!("expected a body");
    };
    assert_eq!(body, FEED.as_bytes());
}

#[tokio::test]
async fn not_modified_on_matching_etag_or_date() {
    let origin = origin().await;
    let by_etag = Validators { etag: Some(ETAG.into()), last_modified: None };
    assert_eq!(
        get_ok(&origin, "/feed", &by_etag).await,
        FetchOutcome::NotModified {
            final_url: origin.url("/feed"),
            permanent_redirect_to: None,
            validators: by_etag.clone(),
            cache_hint: Some(Duration::from_secs(900)),
        }
    );
    let by_date = Validators { etag: None, last_modified: Some(LAST_MODIFIED.into()) };
    let FetchOutcome::NotModified { validators, .. } = get_ok(&origin, "/feed", &by_date).await
    else {
        panic!("expected 304");
    };
    // The 304's ETag is new information; the old Last-Modified is kept.
    assert_eq!(
        validators,
        Validators { etag: Some(ETAG.into()), last_modified: Some(LAST_MODIFIED.into()) }
    );
    let stale = Validators { etag: Some("\"v0\"".into()), last_modified: None };
    assert!(matches!(get_ok(&origin, "/feed", &stale).await, FetchOutcome::Fetched { .. }));
}

#[tokio::test]
async fn permanent_redirects_are_reported() {
    let origin = origin().await;
    let FetchOutcome::Fetched { final_url, permanent_redirect_to, body, .. } =
        get_ok(&origin, "/moved", &Validators::default()).await
    else {
        panic!("expected a body");
    };
    assert_eq!(final_url, origin.url("/feed"));
    assert_eq!(permanent_redirect_to, Some(origin.url("/feed")));
    assert_eq!(body, FEED.as_bytes());
}

#[tokio::test]
async fn temporary_redirects_are_followed_but_not_reported() {
    let origin = origin().await;
    let FetchOutcome::Fetched { final_url, permanent_redirect_to, .. } =
        get_ok(&origin, "/temp", &Validators::default()).await
    else {
        panic!("expected a body");
    };
    assert_eq!(final_url, origin.url("/feed"));
    assert_eq!(permanent_redirect_to, None);

    // Only the leading run of permanent moves counts.
    let FetchOutcome::Fetched { final_url, permanent_redirect_to, .. } =
        get_ok(&origin, "/moved-then-temp", &Validators::default()).await
    else {
        panic!("expected a body");
    };
    assert_eq!(final_url, origin.url("/feed"));
    assert_eq!(permanent_redirect_to, Some(origin.url("/temp")));
    let FetchOutcome::Fetched { permanent_redirect_to, .. } =
        get_ok(&origin, "/temp-then-moved", &Validators::default()).await
    else {
        panic!("expected a body");
    };
    assert_eq!(permanent_redirect_to, None);
}

#[tokio::test]
async fn redirect_loops_and_long_chains_fail() {
    let origin = origin().await;
    let err = get_err(lax(), &origin.url("/loop-a")).await;
    assert_eq!(err, FetchError::RedirectLoop { url: origin.url("/loop-a").to_string() });
    let err = get_err(lax(), &origin.url("/chain/0")).await;
    assert_eq!(err, FetchError::TooManyRedirects { limit: 5 });
    assert_eq!(err.to_string(), "the server redirected more than 5 times");
    let err = get_err(lax(), &origin.url("/no-location")).await;
    assert_eq!(err, FetchError::BadRedirect { status: 302 });
}

#[tokio::test]
async fn status_codes_become_errors() {
    let origin = origin().await;
    assert_eq!(get_err(lax(), &origin.url("/gone")).await, FetchError::Gone);
    assert_eq!(
        get_err(lax(), &origin.url("/busy")).await,
        FetchError::RetryLater { after: Some(Duration::from_secs(120)), status: 429 }
    );
    assert_eq!(
        get_err(lax(), &origin.url("/unavailable")).await,
        FetchError::RetryLater { after: None, status: 503 }
    );
    let err = get_err(lax(), &origin.url("/broken")).await;
    assert_eq!(err, FetchError::Status(500));
    assert_eq!(err.to_string(), "the server answered 500 Internal Server Error");
    assert_eq!(
        get_err(lax(), &origin.url("/missing")).await.to_string(),
        "the server answered 404 Not Found"
    );
}

#[tokio::test]
async fn slow_servers_time_out() {
    let origin = origin().await;
    let policy = FetchPolicy { total_timeout: Duration::from_millis(300), ..lax() };
    let started = Instant::now();
    let err = get_err(policy, &origin.url("/slow")).await;
    assert_eq!(err, FetchError::Timeout { after: Duration::from_millis(300) });
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn oversized_bodies_are_cut() {
    let origin = origin().await;
    let err = get_err(lax(), &origin.url("/big")).await;
    assert_eq!(err, FetchError::TooLarge { limit: MAX_BODY });
    assert_eq!(err.to_string(), "the feed is larger than 1 MiB");
    let FetchOutcome::Fetched { body, .. } =
        get_ok(&origin, "/exact", &Validators::default()).await
    else {
        panic!("a body of exactly max_body is accepted");
    };
    assert_eq!(body.len() as u64, MAX_BODY);
}

#[tokio::test]
async fn gzip_bombs_are_cut_at_the_cap_after_decompression() {
    let origin = origin().await;
    let started = Instant::now();
    let err = get_err(lax(), &origin.url("/bomb")).await;
    assert_eq!(err, FetchError::TooLarge { limit: MAX_BODY });
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[tokio::test]
async fn loopback_literals_are_refused_before_any_request() {
    let origin = origin().await;
    let err = get_err(FetchPolicy::default(), &origin.url("/feed")).await;
    assert_eq!(err.to_string(), "refused: 127.0.0.1 is a loopback address");
    assert_eq!(origin.requests(), 0);
}

#[tokio::test]
async fn names_resolving_to_loopback_are_refused() {
    let origin = origin().await;
    let url = Url::parse(&format!("http://localhost:{}/feed", origin.addr.port())).expect("url");
    let err = get_err(FetchPolicy::default(), &url).await;
    assert!(
        matches!(&err, FetchError::Refused { host: Some(h), reason: "a loopback address", .. } if h == "localhost"),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("refused: localhost resolves to "), "{err}");
    assert_eq!(origin.requests(), 0);

    // The same URL through the resolver is fetched when private addresses are allowed.
    let outcome = fetcher(lax()).fetch(&url, &Validators::default()).await;
    assert!(matches!(outcome, Ok(FetchOutcome::Fetched { .. })), "{outcome:?}");
}

#[tokio::test]
async fn allow_private_fetches_loopback() {
    let origin = origin().await;
    assert!(matches!(
        get_ok(&origin, "/feed", &Validators::default()).await,
        FetchOutcome::Fetched { .. }
    ));
    assert_eq!(origin.requests(), 1);
}

#[tokio::test]
async fn other_schemes_are_refused() {
    let url = Url::parse("file:///etc/passwd").expect("url");
    assert_eq!(get_err(lax(), &url).await, FetchError::UnsupportedScheme("file".into()));
    let origin = origin().await;
    assert_eq!(
        get_err(lax(), &origin.url("/to-ftp")).await,
        FetchError::UnsupportedScheme("ftp".into())
    );
}

/// The total timeout covers the body too: a server that sends its headers and then
/// trickles (or stalls) must not hold a fetch slot for ever.
#[tokio::test]
async fn stalled_bodies_time_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut socket, _) = listener.accept().await.expect("accept");
        // Answering before the request arrives would be a protocol error, not a stall.
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await.expect("read");
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/rss+xml\r\ncontent-length: 1000\r\n\r\n<rss>";
        socket.write_all(head.as_bytes()).await.expect("write");
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let policy = FetchPolicy { total_timeout: Duration::from_millis(300), ..lax() };
    let url = Url::parse(&format!("http://{addr}/feed")).expect("url");
    let started = Instant::now();
    assert_eq!(
        get_err(policy, &url).await,
        FetchError::Timeout { after: Duration::from_millis(300) }
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

/// TLS runs on rustls with ring (no aws-lc); an https request to a plain-HTTP port fails
/// the handshake with a readable network error rather than a panic over a missing provider.
#[tokio::test]
async fn tls_handshake_failures_are_network_errors() {
    let origin = origin().await;
    let url = Url::parse(&format!("https://{}/feed", origin.addr)).expect("url");
    let err = get_err(lax(), &url).await;
    assert!(matches!(err, FetchError::Network(_)), "{err:?}");
    assert!(err.to_string().starts_with("could not talk to the server: "), "{err}");
}

#[tokio::test]
async fn refused_connections_are_network_errors() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let url = Url::parse(&format!("http://{addr}/feed")).expect("url");
    let err = get_err(lax(), &url).await;
    assert!(matches!(err, FetchError::Network(_)), "{err:?}");
    assert!(err.to_string().starts_with("could not talk to the server: "), "{err}");
}
