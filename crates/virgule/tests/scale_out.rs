//! Scale-out on one database (docs/design.md §6): two `virgule serve` and three `virgule worker`
//! processes over 500 members' feeds on a local origin. Every feed is fetched and stored,
//! no feed is fetched by two processes at once, no entry is stored twice, and a worker
//! killed with SIGKILL while it holds claims loses nothing: its claims expire and the others
//! fetch those feeds. A member's API token and certifications work through either web node.
//! Runs on PostgreSQL when VIRGULE_TEST_DATABASE_URL is set (as `.ci/run` does), else on one
//! SQLite file shared by the five processes.

#![allow(clippy::unwrap_used)]

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use virgule_store::testing::{TestDb, fresh_store};
use virgule_store::{MemberName, NewMember, Page, Store};

use support::{Server, Worker, request};

const FEEDS: usize = 500;
const POSTS_PER_FEED: usize = 2;
/// Short, so that the killed worker's claims expire within the test.
const LEASE_SECS: u64 = 3;
/// Each feed answers this late, so that fetches overlap in time if they ever could.
const ORIGIN_DELAY: Duration = Duration::from_millis(20);

/// What the origin saw, per feed.
struct Seen {
    in_flight: Vec<AtomicUsize>,
    fetches: Vec<AtomicUsize>,
    /// Requests that arrived while another request for the same feed was being answered.
    overlaps: AtomicUsize,
    total: AtomicUsize,
}

/// Counts a request in flight until dropped: a worker killed mid-request drops it too.
struct InFlight<'a>(&'a AtomicUsize);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn feed(State(seen): State<Arc<Seen>>, Path(file): Path<String>) -> impl IntoResponse {
    let n: usize = file.trim_end_matches(".xml").parse().unwrap();
    if seen.in_flight[n].fetch_add(1, Ordering::SeqCst) > 0 {
        seen.overlaps.fetch_add(1, Ordering::SeqCst);
    }
    let _in_flight = InFlight(&seen.in_flight[n]);
    tokio::time::sleep(ORIGIN_DELAY).await;
    seen.fetches[n].fetch_add(1, Ordering::SeqCst);
    seen.total.fetch_add(1, Ordering::SeqCst);
    let items: String = (0..POSTS_PER_FEED)
        .map(|k| {
            format!(
                "<item><title>Post {k} of blog {n}</title>\
                 <link>http://blog{n}.example.org/{k}</link>\
                 <guid>http://blog{n}.example.org/{k}</guid>\
                 <pubDate>Mon, 02 Nov 2026 1{k}:00:00 +0000</pubDate>\
                 <description>Hello from blog {n}, post {k}.</description></item>"
            )
        })
        .collect();
    let body = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Blog {n}</title>\
         <link>http://blog{n}.example.org/</link><description>d</description>{items}\
         </channel></rss>"
    );
    ([(header::CONTENT_TYPE, "application/rss+xml")], body)
}

async fn start_origin(seen: Arc<Seen>) -> SocketAddr {
    let app = Router::new().route("/f/{file}", get(feed)).with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

fn name(raw: &str) -> MemberName {
    MemberName::parse(raw).unwrap()
}

/// 500 members, each with a linked feed due now.
async fn subscribe_all(store: &Store, origin: SocketAddr) -> Vec<i64> {
    let mut ids = Vec::new();
    for n in 0..FEEDS {
        let new = NewMember {
            name: name(&format!("blogger{n:03}")),
            email: None,
            password_hash: "not used".to_owned(),
        };
        let member = store.create_member(&new).await.unwrap();
        let url = format!("http://{origin}/f/{n}.xml");
        store.subscribe_feed(member.id, &url, virgule_store::now()).await.unwrap();
        ids.push(member.id);
    }
    ids
}

/// The binary on the test database, fetching from 127.0.0.1 with short leases; the trust
/// metric's seed is `root`.
fn node(db: &TestDb) -> std::process::Command {
    let mut command = support::node(db, LEASE_SECS);
    command.env("VIRGULE_TRUST_SEEDS", "root");
    command
}

/// A `virgule worker` on the test database, killed (SIGKILL) when dropped if still running.
fn start_worker(db: &TestDb) -> Worker {
    Worker::spawn(node(db))
}

/// How many feeds have been fetched and stored (a success recorded), and the entries stored.
async fn progress(store: &Store, members: &[i64]) -> (usize, i64) {
    let mut fetched = 0;
    let mut entries = 0;
    for &id in members {
        let feed = store.feed_for_member(id).await.unwrap().unwrap();
        fetched += usize::from(feed.last_success_at.is_some());
        entries += feed.entry_count;
    }
    (fetched, entries)
}

fn json_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> (u16, String) {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> =
        bearer.as_deref().map(|b| vec![("Authorization", b)]).unwrap_or_default();
    request(addr, method, path, &headers, body)
}

/// The string at `key` in a JSON answer.
fn json_string(body: &str, key: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(body).unwrap();
    value[key].as_str().unwrap_or_else(|| panic!("no {key} in {body}")).to_owned()
}

#[test]
fn two_web_nodes_and_three_workers_share_one_database() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen = Arc::new(Seen {
        in_flight: (0..FEEDS).map(|_| AtomicUsize::new(0)).collect(),
        fetches: (0..FEEDS).map(|_| AtomicUsize::new(0)).collect(),
        overlaps: AtomicUsize::new(0),
        total: AtomicUsize::new(0),
    });
    let origin = runtime.block_on(start_origin(seen.clone()));
    let (store, db) = runtime.block_on(fresh_store());
    let members = runtime.block_on(subscribe_all(&store, origin));

    // The first worker starts alone and is killed (SIGKILL: no clean-up at all) while it
    // holds claims: what it claimed and had not stored yet waits for its lease to expire.
    let mut first = start_worker(&db);
    let started = Instant::now();
    while seen.total.load(Ordering::SeqCst) < 20 {
        assert!(started.elapsed() < Duration::from_secs(60), "the first worker fetches nothing");
        std::thread::sleep(Duration::from_millis(10));
    }
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let (fetched_before, _) = runtime.block_on(progress(&store, &members));
    // Every due feed nobody holds can be claimed now; the rest are the dead worker's.
    let claimable = runtime.block_on(async {
        let lease = chrono::Duration::seconds(1);
        let claims = store.claim_due_feeds(virgule_store::now(), lease, FEEDS as i64).await;
        let claims = claims.unwrap();
        for claim in &claims {
            store.release_feed_claim(claim).await.unwrap();
        }
        claims.len()
    });
    let held_by_the_dead = FEEDS - fetched_before - claimable;
    assert!(held_by_the_dead > 0, "the killed worker held no claims ({fetched_before} fetched)");

    // Two web nodes and two more workers: five fetchers, one of them dead.
    let web_a = Server::spawn(node(&db));
    let web_b = Server::spawn(node(&db));
    let _workers = [start_worker(&db), start_worker(&db)];

    let deadline = Instant::now() + Duration::from_secs(120);
    let (fetched, entries) = loop {
        let (fetched, entries) = runtime.block_on(progress(&store, &members));
        if fetched == FEEDS || Instant::now() > deadline {
            break (fetched, entries);
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert_eq!(fetched, FEEDS, "every feed fetched and stored");
    assert_eq!(entries, (FEEDS * POSTS_PER_FEED) as i64, "each post stored once");
    assert_eq!(seen.overlaps.load(Ordering::SeqCst), 0, "a feed fetched by two at once");
    // No duplicates: every member's diary holds exactly its feed's posts, once each.
    runtime.block_on(async {
        for (n, &id) in members.iter().enumerate() {
            let page = Page { start: 0, limit: 10 };
            let mut titles: Vec<String> = store
                .entries_for_member(id, page)
                .await
                .unwrap()
                .into_iter()
                .map(|e| e.title)
                .collect();
            titles.sort();
            let want: Vec<String> =
                (0..POSTS_PER_FEED).map(|k| format!("Post {k} of blog {n}")).collect();
            assert_eq!(titles, want, "blogger{n:03}");
            let items = store.feed_for_member(id).await.unwrap().unwrap();
            assert_eq!(store.feed_items(items.id).await.unwrap().len(), POSTS_PER_FEED);
        }
    });
    // Refetched at most once more than needed: the dead worker's unfinished fetches.
    let refetched = seen.fetches.iter().filter(|c| c.load(Ordering::SeqCst) > 1).count();
    assert!(refetched <= held_by_the_dead, "{refetched} refetched, {held_by_the_dead} held");
    eprintln!(
        "{FEEDS} feeds: {fetched_before} stored before the SIGKILL, {held_by_the_dead} held by \
         the killed worker, {refetched} fetched twice, all stored {:.1} s after the first worker started",
        started.elapsed().as_secs_f64()
    );

    // Shared state between requests lives in the database: a token made on one node works
    // on the other, and a certification made through one shows on both.
    let password = r#"{"name":"root","password":"correct horse battery staple"}"#;
    let (status, body) = json_request(web_a.addr, "POST", "/api/v1/accounts", None, password);
    assert_eq!(status, 201, "{body}");
    let alice = r#"{"name":"alice","password":"correct horse battery staple"}"#;
    let (status, body) = json_request(web_b.addr, "POST", "/api/v1/accounts", None, alice);
    assert_eq!(status, 201, "{body}");
    let (status, body) = json_request(web_a.addr, "POST", "/api/v1/tokens", None, password);
    assert_eq!(status, 201, "{body}");
    let token = json_string(&body, "token");
    let cert = r#"{"subject":"alice","level":"journeyer"}"#;
    let (status, body) = json_request(web_b.addr, "POST", "/api/v1/certs", Some(&token), cert);
    assert_eq!(status, 200, "{body}");
    for web in [&web_a, &web_b] {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, body) = json_request(web.addr, "GET", "/api/v1/people/alice", None, "");
            assert_eq!(status, 200, "{body}");
            if json_string(&body, "level") == "journeyer" {
                break;
            }
            assert!(Instant::now() < deadline, "alice's level never reached {}: {body}", web.addr);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    assert!(web_a.terminate().success());
    assert!(web_b.terminate().success());
    runtime.block_on(store.close());
    drop(db);
}
