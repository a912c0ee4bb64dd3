//! A member's blog for the syndication tests: a tiny axum server on 127.0.0.1 serving an
//! RSS 2.0 feed of two posts (one with hostile and relative-linked `content:encoded`) and a
//! home page that announces the feed, answering any status the test sets instead; the feed
//! may carry a date in the future, a fault the reader recovers from with a warning.

#![allow(clippy::unwrap_used, dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicUsize, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The feed's title, as on the Advogato seed's syndicated entries.
pub const FEED_TITLE: &str = "etbe – Russell Coker";
pub const FIRST_TITLE: &str = "Compatibility and a Linux Community Server";
pub const SECOND_TITLE: &str = "Using LetsEncrypt";
/// The first post's date (its pubDate), as its "Syndicated" line shows it.
pub const FIRST_AT: &str = "2016-02-04 09:48:52";
pub const FIRST_AT_RFC3339: &str = "2016-02-04T09:48:52Z";
pub const SECOND_AT: &str = "2016-02-02 05:44:52";
/// The feed's own date when [`FeedOrigin::date_in_the_future`] is set, as its warning says it.
pub const FUTURE_RFC3339: &str = "2100-01-01T00:00:00Z";

#[derive(Clone)]
struct Shared {
    base: Arc<str>,
    /// 200 serves the feed; anything else is answered bare.
    status: Arc<AtomicU16>,
    feed_requests: Arc<AtomicUsize>,
    /// The channel carries a `pubDate` in 2100 (a blog whose clock ran ahead).
    future: Arc<AtomicBool>,
}

pub struct FeedOrigin {
    pub base: String,
    shared: Shared,
}

impl FeedOrigin {
    pub async fn start() -> FeedOrigin {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Shared {
            base: base.as_str().into(),
            status: Arc::new(AtomicU16::new(200)),
            feed_requests: Arc::new(AtomicUsize::new(0)),
            future: Arc::new(AtomicBool::new(false)),
        };
        let app = Router::new()
            .route("/", get(home))
            .route("/feed.xml", get(feed))
            .with_state(shared.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.expect("origin serves") });
        FeedOrigin { base, shared }
    }

    /// The feed's own address.
    pub fn feed_url(&self) -> String {
        format!("{}/feed.xml", self.base)
    }

    /// The blog's home page, which links the feed.
    pub fn home_url(&self) -> String {
        format!("{}/", self.base)
    }

    /// The original post of the first item.
    pub fn first_post_url(&self) -> String {
        format!("{}/2016/02/compatibility/", self.base)
    }

    pub fn second_post_url(&self) -> String {
        format!("{}/2016/02/letsencrypt/", self.base)
    }

    /// From now on the feed (and the home page) answer `status`; 200 serves them again.
    pub fn answer(&self, status: StatusCode) {
        self.shared.status.store(status.as_u16(), Ordering::SeqCst);
    }

    /// From now on the feed is dated in 2100 (`true`) or not at all (`false`, as at first).
    pub fn date_in_the_future(&self, future: bool) {
        self.shared.future.store(future, Ordering::SeqCst);
    }

    pub fn feed_requests(&self) -> usize {
        self.shared.feed_requests.load(Ordering::SeqCst)
    }
}

fn current_status(shared: &Shared) -> StatusCode {
    StatusCode::from_u16(shared.status.load(Ordering::SeqCst)).unwrap()
}

async fn home(State(shared): State<Shared>) -> Response {
    let status = current_status(&shared);
    if status != StatusCode::OK {
        return status.into_response();
    }
    let page = "<!DOCTYPE html><html><head><title>etbe</title>\
        <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Feed\" href=\"/feed.xml\">\
        </head><body><h1>etbe</h1></body></html>";
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response()
}

async fn feed(State(shared): State<Shared>) -> Response {
    shared.feed_requests.fetch_add(1, Ordering::SeqCst);
    let status = current_status(&shared);
    if status != StatusCode::OK {
        return status.into_response();
    }
    let base = &shared.base;
    let date = if shared.future.load(Ordering::SeqCst) {
        "<pubDate>Fri, 01 Jan 2100 00:00:00 +0000</pubDate>"
    } else {
        ""
    };
    let body = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{FEED_TITLE}</title>
<link>{base}/</link>
<description>Russell Coker's blog</description>{date}
<item>
<title>{FIRST_TITLE}</title>
<link>{base}/2016/02/compatibility/</link>
<guid isPermaLink="false">post-1</guid>
<pubDate>Thu, 04 Feb 2016 09:48:52 +0000</pubDate>
<description>A short summary.</description>
<content:encoded><![CDATA[<p>Full text<script>alert("owned")</script> with a picture <img src="/img/a.png" alt="a diagram"></p>]]></content:encoded>
</item>
<item>
<title>{SECOND_TITLE}</title>
<link>{base}/2016/02/letsencrypt/</link>
<guid isPermaLink="false">post-2</guid>
<pubDate>Tue, 02 Feb 2016 05:44:52 +0000</pubDate>
<description>Certificates for everyone.</description>
</item>
</channel>
</rss>
"#
    );
    ([(header::CONTENT_TYPE, "application/rss+xml; charset=utf-8")], body).into_response()
}
