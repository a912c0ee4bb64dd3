//! Fetching feeds over HTTP: conditional GET, redirects followed one hop at a time (each
//! checked by the SSRF guard, 301/308 reported so the subscription can move), timeouts, and a
//! body cap counted after decompression, so a gzip bomb stops at the cap (docs/design.md §3).
//!
//! The client is reqwest with rustls on the `ring` provider; [`Fetcher::new`] installs ring
//! as the process default when no provider is installed yet (docs/architecture.md, Conventions: aws-lc-sys costs
//! build time).

mod error;
mod headers;
mod ssrf;

use std::collections::HashSet;
use std::time::Duration;

use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::{Client, Response};
use url::Url;

pub use error::FetchError;
pub use ssrf::{check_hop, check_url, is_public, non_public_reason, redirect_target};

/// What the fetcher may do. One per process, from `Config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Allow loopback, private, link-local and other non-public addresses (tests, intranets).
    pub allow_private: bool,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Time for the whole fetch: every redirect hop and the body.
    pub total_timeout: Duration,
    /// Largest body accepted, counted after decompression.
    pub max_body: u64,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
    /// Sent as `User-Agent`.
    pub user_agent: String,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        Self {
            allow_private: false,
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(30),
            max_body: 16 * 1024 * 1024,
            max_redirects: 5,
            user_agent: format!("Virgule/{} (feed fetcher)", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// The validators of the last successful fetch, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, sent as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// A successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchOutcome {
    /// 304: nothing changed since the validators were issued.
    NotModified {
        /// The URL that answered, after redirects.
        final_url: Url,
        /// Where the feed moved for good, when the redirects from the subscribed URL began
        /// with 301/308.
        permanent_redirect_to: Option<Url>,
        /// Validators to keep: the new ones where the 304 sent them, else the old ones.
        validators: Validators,
        /// How long the server says the feed stays fresh.
        cache_hint: Option<Duration>,
    },
    /// 2xx with a body.
    Fetched {
        /// The URL that answered, after redirects; relative links resolve against it.
        final_url: Url,
        /// Where the feed moved for good, when the redirects from the subscribed URL began
        /// with 301/308: the last URL of that unbroken run of permanent redirects.
        permanent_redirect_to: Option<Url>,
        /// The body, decompressed, at most `max_body` bytes.
        body: Vec<u8>,
        /// `Content-Type`, for the charset rules in [`crate::decode`].
        content_type: Option<String>,
        /// `ETag` and `Last-Modified` of this response.
        validators: Validators,
        /// How long the server says the feed stays fresh.
        cache_hint: Option<Duration>,
    },
}

/// Fetches feeds under one [`FetchPolicy`]. Cheap to share: it holds one connection pool.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: Client,
    policy: FetchPolicy,
}

const ACCEPT: &str = "application/atom+xml, application/rss+xml, application/feed+json, \
     application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5";

impl Fetcher {
    /// Builds the HTTP client for `policy`.
    pub fn new(policy: FetchPolicy) -> Result<Self, FetchError> {
        // Err means a provider is installed already; reqwest uses whichever it is.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut default_headers = HeaderMap::new();
        default_headers.insert(header::ACCEPT, HeaderValue::from_static(ACCEPT));
        let client = Client::builder()
            // Redirects are followed by hand so each hop is checked and 301s are seen.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve names itself, out of the guard's sight.
            .no_proxy()
            .dns_resolver(ssrf::GuardedResolver { policy: policy.clone() })
            .connect_timeout(policy.connect_timeout)
            .timeout(policy.total_timeout)
            .user_agent(policy.user_agent.clone())
            .default_headers(default_headers)
            .build()
            .map_err(|e| FetchError::Setup(innermost(&e)))?;
        Ok(Self { client, policy })
    }

    /// The policy this fetcher enforces.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Fetches `url`, conditionally on `validators`, following and checking redirects.
    pub async fn fetch(
        &self,
        url: &Url,
        validators: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let total = self.policy.total_timeout;
        tokio::time::timeout(total, self.fetch_within_time(url, validators))
            .await
            .unwrap_or(Err(FetchError::Timeout { after: total }))
    }

    async fn fetch_within_time(
        &self,
        url: &Url,
        old: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let mut current = url.clone();
        check_hop(&current, &self.policy)?;
        let mut visited = HashSet::from([current.as_str().to_owned()]);
        let mut permanent_redirect_to = None;
        let mut still_permanent = true;
        let mut hops = 0;
        loop {
            let response = self.send(&current, old).await?;
            let status = response.status();
            match status.as_u16() {
                301 | 302 | 303 | 307 | 308 => {
                    hops += 1;
                    if hops > self.policy.max_redirects {
                        return Err(FetchError::TooManyRedirects {
                            limit: self.policy.max_redirects,
                        });
                    }
                    let location = response
                        .headers()
                        .get(header::LOCATION)
                        .and_then(|v| v.to_str().ok())
                        .ok_or(FetchError::BadRedirect { status: status.as_u16() })?;
                    let next = redirect_target(&current, location, &self.policy)?;
                    if !visited.insert(next.as_str().to_owned()) {
                        return Err(FetchError::RedirectLoop { url: next.to_string() });
                    }
                    // Only a run of permanent moves from the subscribed URL moves the
                    // subscription; behind a temporary hop the next may change any time.
                    still_permanent &= matches!(status.as_u16(), 301 | 308);
                    if still_permanent {
                        permanent_redirect_to = Some(next.clone());
                    }
                    current = next;
                }
                304 => {
                    let new = headers::validators(response.headers());
                    return Ok(FetchOutcome::NotModified {
                        final_url: current,
                        permanent_redirect_to,
                        validators: Validators {
                            etag: new.etag.or_else(|| old.etag.clone()),
                            last_modified: new.last_modified.or_else(|| old.last_modified.clone()),
                        },
                        cache_hint: headers::cache_hint(response.headers()),
                    });
                }
                410 => return Err(FetchError::Gone),
                429 | 503 => {
                    return Err(FetchError::RetryLater {
                        after: headers::retry_after(response.headers()),
                        status: status.as_u16(),
                    });
                }
                _ if status.is_success() => {
                    let headers = response.headers();
                    let validators = headers::validators(headers);
                    let cache_hint = headers::cache_hint(headers);
                    let content_type = headers
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let body = self.read_body(response).await?;
                    return Ok(FetchOutcome::Fetched {
                        final_url: current,
                        permanent_redirect_to,
                        body,
                        content_type,
                        validators,
                        cache_hint,
                    });
                }
                code => return Err(FetchError::Status(code)),
            }
        }
    }

    async fn send(&self, url: &Url, validators: &Validators) -> Result<Response, FetchError> {
        let mut request = self.client.get(url.clone());
        // A stored validator that is not a valid header value is dropped, not fatal.
        let conditional = [
            (header::IF_NONE_MATCH, &validators.etag),
            (header::IF_MODIFIED_SINCE, &validators.last_modified),
        ];
        for (name, value) in conditional {
            if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                request = request.header(name, value);
            }
        }
        request.send().await.map_err(|e| self.error_from(&e))
    }

    /// Reads the body chunk by chunk; reqwest has already inflated gzip and brotli, so the
    /// count is of decompressed bytes and a bomb stops at the cap.
    async fn read_body(&self, mut response: Response) -> Result<Vec<u8>, FetchError> {
        let limit = self.policy.max_body;
        let too_large = FetchError::TooLarge { limit };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.error_from(&e))? {
            if (body.len() + chunk.len()) as u64 > limit {
                return Err(too_large);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn error_from(&self, error: &reqwest::Error) -> FetchError {
        // The resolver's refusals travel inside reqwest's error; give them back as they were.
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
        while let Some(e) = source {
            if let Some(ours) = e.downcast_ref::<FetchError>() {
                return ours.clone();
            }
            source = e.source();
        }
        if error.is_timeout() {
            let after = if error.is_connect() {
                self.policy.connect_timeout
            } else {
                self.policy.total_timeout
            };
            return FetchError::Timeout { after };
        }
        FetchError::Network(innermost(error))
    }
}

/// The most specific message in an error chain ("Connection refused (os error 111)"),
/// rather than reqwest's outer "error sending request for url (...)".
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    let mut last = error;
    while let Some(next) = last.source() {
        last = next;
    }
    last.to_string()
}
