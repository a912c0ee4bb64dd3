//! A blog's web server for the tests: a real axum server on 127.0.0.1:0 whose answers a test
//! sets per path and changes between fetches (the blogger posts, edits, moves or breaks the
//! feed), and which remembers what it was asked, so tests can check what the fetcher sent and
//! how often, and how many requests it had in flight at once.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// What the origin answers on one path.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(HeaderName, String)>,
    pub body: Vec<u8>,
    /// Waits this long before answering (a slow server).
    pub delay: Duration,
    /// Compresses the body with gzip when the request accepts it, as web servers do.
    pub gzip: bool,
}

impl Reply {
    /// 200 with `body` as `content_type`.
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: StatusCode::OK,
            headers: vec![(header::CONTENT_TYPE, content_type.to_owned())],
            body: body.into(),
            delay: Duration::ZERO,
            gzip: false,
        }
    }

    /// 200 with an RSS body.
    pub fn rss(body: impl Into<Vec<u8>>) -> Self {
        Self::ok("application/rss+xml; charset=utf-8", body)
    }

    /// `status` with an empty body.
    pub fn status(status: u16) -> Self {
        Self {
            status: StatusCode::from_u16(status).expect("a valid status code"),
            headers: Vec::new(),
            body: Vec::new(),
            delay: Duration::ZERO,
            gzip: false,
        }
    }

    /// A redirect with `status` to `location`.
    pub fn redirect(status: u16, location: &str) -> Self {
        Self::status(status).header(header::LOCATION, location)
    }

    pub fn header(mut self, name: HeaderName, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn gzip(mut self) -> Self {
        self.gzip = true;
        self
    }

    fn header_value(&self, name: &HeaderName) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// One request the origin received, and what it answered.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: HeaderMap,
    pub status: StatusCode,
    /// Whether the answer's body was gzip-compressed by the origin.
    pub gzipped: bool,
}

impl Recorded {
    pub fn header(&self, name: HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug, Default)]
struct Shared {
    routes: Mutex<HashMap<String, Reply>>,
    requests: Mutex<Vec<Recorded>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

/// The running server. Dropped with the test's runtime.
#[derive(Debug, Clone)]
pub struct Origin {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Origin {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(serve).with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local address");
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Self { addr, shared }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The absolute URL of `path` on this origin.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// From now on `path` answers `reply`.
    pub fn set(&self, path: &str, reply: Reply) {
        lock(&self.shared.routes).insert(path.to_owned(), reply);
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        lock(&self.shared.requests).clone()
    }

    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.path == path).collect()
    }

    /// The most requests the origin was answering at the same time.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

/// Counts a request in flight until dropped, which also happens when the client gives up
/// and the server drops the handler.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let path = request.uri().path().to_owned();
    let headers = request.headers().clone();
    let reply = lock(&shared.routes).get(&path).cloned();
    let Some(reply) = reply else {
        record(&shared, path, headers, StatusCode::NOT_FOUND, false);
        return StatusCode::NOT_FOUND.into_response();
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    // A real server honours its own validators: the same ETag or Last-Modified back means
    // nothing changed.
    let sent = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let etag = reply.header_value(&header::ETAG);
    let last_modified = reply.header_value(&header::LAST_MODIFIED);
    let unchanged = reply.status == StatusCode::OK
        && ((etag.is_some() && sent(header::IF_NONE_MATCH) == etag)
            || (last_modified.is_some() && sent(header::IF_MODIFIED_SINCE) == last_modified));
    if unchanged {
        record(&shared, path, headers, StatusCode::NOT_MODIFIED, false);
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Some(etag) = etag {
            response.headers_mut().insert(header::ETAG, value(etag));
        }
        return response;
    }
    let accepts_gzip = sent(header::ACCEPT_ENCODING).is_some_and(|v| v.contains("gzip"));
    let gzipped = reply.gzip && accepts_gzip;
    let body = if gzipped { gzip(&reply.body) } else { reply.body.clone() };
    record(&shared, path, headers, reply.status, gzipped);
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = reply.status;
    for (name, v) in &reply.headers {
        response.headers_mut().append(name.clone(), value(v));
    }
    if gzipped {
        response.headers_mut().insert(header::CONTENT_ENCODING, value("gzip"));
    }
    response
}

fn record(shared: &Shared, path: String, headers: HeaderMap, status: StatusCode, gzipped: bool) {
    lock(&shared.requests).push(Recorded { path, headers, status, gzipped });
}

fn value(v: &str) -> HeaderValue {
    HeaderValue::from_str(v).expect("a test header value")
}

/// `bytes` gzip-compressed.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).expect("gzip");
    encoder.finish().expect("gzip")
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
