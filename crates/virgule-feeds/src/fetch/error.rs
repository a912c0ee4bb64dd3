//! What can go wrong while fetching a feed, each worded for the member who owns the feed:
//! the settings page shows the last error as is (docs/design.md §3).

use std::net::IpAddr;
use std::time::Duration;

/// A failed fetch. `Display` is the sentence a member reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The text is not a URL at all.
    #[error("this is not a valid URL: {0}")]
    InvalidUrl(String),
    /// Only `http` and `https` are fetched.
    #[error("only http and https addresses can be fetched, not {0}:")]
    UnsupportedScheme(String),
    /// The URL has no host (`http:///feed`).
    #[error("the URL has no host name")]
    NoHost,
    /// `user:pass@` in a URL would be shown to everyone who sees the feed's address.
    #[error("the URL contains a user name or password; feeds must be public")]
    Credentials,
    /// The address (literal or resolved) is one Virgule does not connect to (SSRF guard).
    #[error("{}", refused_message(host.as_deref(), *ip, reason))]
    Refused {
        /// The host name as written, when it was a name and not an address.
        host: Option<String>,
        /// The refused address.
        ip: IpAddr,
        /// Why, as a noun phrase: "a loopback address".
        reason: &'static str,
    },
    /// DNS found nothing for the host.
    #[error("could not find the host {host}")]
    UnknownHost {
        /// The host name.
        host: String,
    },
    /// Connecting, TLS or the HTTP exchange failed.
    #[error("could not talk to the server: {0}")]
    Network(String),
    /// The connect timeout or the total timeout passed.
    #[error("the server did not answer within {} seconds", .after.as_secs_f32())]
    Timeout {
        /// The timeout that passed.
        after: Duration,
    },
    /// The body, after decompression, passed the cap.
    #[error("the feed is larger than {}", human_size(*limit))]
    TooLarge {
        /// The cap in bytes.
        limit: u64,
    },
    /// More redirects than the policy allows.
    #[error("the server redirected more than {limit} times")]
    TooManyRedirects {
        /// The policy's limit.
        limit: u32,
    },
    /// A redirect led back to an address already visited.
    #[error("the server redirects in a loop (back to {url})")]
    RedirectLoop {
        /// The address seen twice.
        url: String,
    },
    /// A 3xx without a usable `Location`.
    #[error("the server answered {status} without saying where the feed moved")]
    BadRedirect {
        /// The 3xx status.
        status: u16,
    },
    /// 410: the owner removed the feed for good.
    #[error("the server says the feed is gone for good (410 Gone)")]
    Gone,
    /// 429 or 503, possibly with `Retry-After`.
    #[error("the server asked to retry later ({}){}", status_text(*status),
        .after.map(|d| format!(", after {} seconds", d.as_secs())).unwrap_or_default())]
    RetryLater {
        /// From `Retry-After`, when given and in the future.
        after: Option<Duration>,
        /// 429 or 503.
        status: u16,
    },
    /// Any other 4xx or 5xx answer.
    #[error("the server answered {}", status_text(*.0))]
    Status(u16),
    /// The HTTP client could not be built (TLS setup); not the feed's fault.
    #[error("the feed fetcher could not start: {0}")]
    Setup(String),
}

impl FetchError {
    /// The server's `Retry-After` on a 429 or 503, for
    /// [`SchedulePolicy::next_after_failure`](crate::SchedulePolicy::next_after_failure).
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RetryLater { after, .. } => *after,
            _ => None,
        }
    }

    /// Whether the server answered 410 Gone: the owner removed the feed, which the member
    /// should hear about more loudly than a passing error.
    pub fn is_gone(&self) -> bool {
        // The fetcher maps 410 to `Gone`; a `Status(410)` built elsewhere means the same.
        matches!(self, Self::Gone | Self::Status(410))
    }
}

fn refused_message(host: Option<&str>, ip: IpAddr, reason: &str) -> String {
    match host {
        Some(host) => format!("refused: {host} resolves to {ip}, {reason}"),
        None => format!("refused: {ip} is {reason}"),
    }
}

fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()) {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

/// `16 MiB`, `512 KiB`, `1000 bytes`: whole units only, else bytes.
fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_sentences() {
        assert_eq!(FetchError::Status(404).to_string(), "the server answered 404 Not Found");
        assert_eq!(
            FetchError::TooLarge { limit: 16 * 1024 * 1024 }.to_string(),
            "the feed is larger than 16 MiB"
        );
        assert_eq!(
            FetchError::Refused {
                host: None,
                ip: [127, 0, 0, 1].into(),
                reason: "a loopback address"
            }
            .to_string(),
            "refused: 127.0.0.1 is a loopback address"
        );
        assert_eq!(
            FetchError::Refused {
                host: Some("localhost".into()),
                ip: [127, 0, 0, 1].into(),
                reason: "a loopback address"
            }
            .to_string(),
            "refused: localhost resolves to 127.0.0.1, a loopback address"
        );
        assert_eq!(
            FetchError::RetryLater { after: Some(Duration::from_secs(120)), status: 429 }
                .to_string(),
            "the server asked to retry later (429 Too Many Requests), after 120 seconds"
        );
        assert_eq!(
            FetchError::RetryLater { after: None, status: 503 }.to_string(),
            "the server asked to retry later (503 Service Unavailable)"
        );
        assert_eq!(
            FetchError::Timeout { after: Duration::from_secs(30) }.to_string(),
            "the server did not answer within 30 seconds"
        );
        assert_eq!(
            FetchError::TooLarge { limit: 1000 }.to_string(),
            "the feed is larger than 1000 bytes"
        );
    }

    #[test]
    fn retry_after_and_gone_are_read_from_their_variants() {
        let after = Some(Duration::from_secs(120));
        assert_eq!(FetchError::RetryLater { after, status: 429 }.retry_after(), after);
        assert_eq!(FetchError::RetryLater { after: None, status: 503 }.retry_after(), None);
        assert_eq!(FetchError::Timeout { after: Duration::from_secs(30) }.retry_after(), None);
        assert_eq!(FetchError::Status(503).retry_after(), None);

        assert!(FetchError::Gone.is_gone());
        assert!(FetchError::Status(410).is_gone());
        assert!(!FetchError::Status(404).is_gone());
        assert!(!FetchError::RetryLater { after, status: 503 }.is_gone());
    }
}
