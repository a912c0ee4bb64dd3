//! Crash safety (issue 15): `virgule serve` is killed with SIGKILL at random moments, and a
//! `virgule worker` every other time, while members post entries with tags, replies and
//! certifications through the API and both processes ingest feeds that keep gaining posts.
//! Every restart must come up and answer its health check; afterwards every write answered 2xx
//! is there, nothing is half-written (an entry without its tags, a feed item without its
//! entry, a counter or a search row out of step), and on SQLite the file passes
//! `PRAGMA integrity_check`. The number of kills is `VIRGULE_CRASH_KILLS` (10 by default).
//! Runs on PostgreSQL when VIRGULE_TEST_DATABASE_URL is set, else on SQLite. (Checked to fail,
//! on both, when the store wrote an entry's tags in a second transaction.)

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqliteRow};
use virgule_store::Backend;
use virgule_store::testing::{TestDb, fresh_store};

use support::{Server, Worker, try_request};

/// Members writing at once, one client thread each.
const MEMBERS: usize = 6;
/// The first this many members link a feed on the origin.
const FEEDS: usize = 3;
const PASSWORD: &str = "correct horse battery staple";
/// Each feed gains a post this often...
const POST_EVERY: Duration = Duration::from_millis(250);
/// ...and shows its newest this many.
const FEED_WINDOW: u64 = 10;
/// How long after a restarted server's first answered write the kill comes, in milliseconds.
const KILL_DELAY_MS: std::ops::Range<u64> = 50..400;
/// Short, so that a claim held by a killed process expires within the run.
const LEASE_SECS: u64 = 2;
/// How long a restarted server has to answer its health check.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// Writes acknowledged before the first kill, and after the last restart, at least.
const ACKS_AROUND_KILLS: usize = 20;
const TAGS: [&str; 6] = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"];

/// A small xorshift generator seeded by the process's random hasher keys: no dependency, and
/// randomness is all the test needs (timings make runs unrepeatable anyway).
struct Rng(u64);

impl Rng {
    fn new() -> Rng {
        let seed = std::collections::hash_map::RandomState::new().build_hasher().finish();
        Rng(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn range(&mut self, range: std::ops::Range<u64>) -> u64 {
        range.start + self.below(range.end - range.start)
    }
}

// The feed origin: feed n gains post k at `started + k × POST_EVERY`.

struct Origin {
    started: Instant,
    epoch: DateTime<Utc>,
}

async fn feed(State(origin): State<Arc<Origin>>, Path(file): Path<String>) -> impl IntoResponse {
    let n: usize = file.trim_end_matches(".xml").parse().unwrap();
    let published = origin.started.elapsed().as_millis() as u64 / POST_EVERY.as_millis() as u64 + 1;
    let items: String = (published.saturating_sub(FEED_WINDOW)..published)
        .rev()
        .map(|k| {
            let date = origin.epoch + POST_EVERY * k as u32;
            format!(
                "<item><title>Feed {n} post {k}</title>\
                 <link>http://blog{n}.example.org/{k}</link>\
                 <guid>http://blog{n}.example.org/{k}</guid>\
                 <category>feed{n}</category><category>post{k}</category>\
                 <pubDate>{}</pubDate>\
                 <description>Post {k} of feed {n}.</description></item>",
                date.to_rfc2822()
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

async fn start_origin() -> SocketAddr {
    let origin = Arc::new(Origin { started: Instant::now(), epoch: Utc::now() });
    let app = Router::new().route("/f/{file}", get(feed)).with_state(origin);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// The binary on the test database, fetching from 127.0.0.1 with short leases, replies open
/// to every member (no trust needed).
fn node(db: &TestDb) -> std::process::Command {
    let mut command = support::node(db, LEASE_SECS);
    command.env("VIRGULE_REPLY_GATE", "observer");
    command
}

/// Starts `serve` and waits for its health check: "the server starts every time".
fn start_server(db: &TestDb) -> (Server, Duration) {
    let began = Instant::now();
    let server = Server::spawn(node(db));
    loop {
        if let Ok((200, _)) = try_request(server.addr, "GET", "/healthz", &[], "") {
            return (server, began.elapsed());
        }
        let waited = began.elapsed();
        assert!(waited < START_DEADLINE, "serve not healthy {waited:?} after a restart");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> =
        bearer.as_deref().map(|b| vec![("Authorization", b)]).unwrap_or_default();
    try_request(addr, method, path, &headers, body)
}

/// A call that must succeed with `want` (set-up and read-back, with the server up).
fn must(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: &str,
    want: u16,
) -> serde_json::Value {
    let (status, answer) = call(addr, method, path, token, body).unwrap();
    assert_eq!(status, want, "{method} {path}: {answer}");
    serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null)
}

// What the clients wrote.

#[derive(Debug, Clone)]
enum Kind {
    /// An entry titled `Entry MARKER`, with these tags.
    Entry { marker: String, tags: BTreeSet<String> },
    /// A reply `Reply MARKER` to entry `number` of `author`.
    Reply { marker: String, author: String, number: i64 },
    /// A certification of `subject` at `level` (`none` withdraws).
    Cert { subject: String, level: &'static str },
    /// "Fetch now" of the member's feed.
    Refresh,
}

impl Kind {
    fn label(&self) -> &'static str {
        match self {
            Kind::Entry { .. } => "entries",
            Kind::Reply { .. } => "replies",
            Kind::Cert { .. } => "certifications",
            Kind::Refresh => "feed refreshes",
        }
    }
}

#[derive(Debug, Clone)]
enum Outcome {
    /// Answered 2xx: the entry's number, the reply's id, the feed's entry count (0 for a
    /// certification), and how many kills had happened by then.
    Acked { value: i64, kills: usize },
    /// A status other than 2xx.
    Refused(u16),
    /// Refused, reset or cut off: the server was down or died under it.
    Lost,
}

#[derive(Debug, Clone)]
struct Write {
    member: usize,
    kind: Kind,
    outcome: Outcome,
}

impl Write {
    /// The answer's value if the write was answered 2xx.
    fn acked(&self) -> Option<i64> {
        match self.outcome {
            Outcome::Acked { value, .. } => Some(value),
            _ => None,
        }
    }
}

struct Shared {
    /// The live server's address; `None` while it is down.
    addr: RwLock<Option<SocketAddr>>,
    stop: AtomicBool,
    kills: AtomicUsize,
    acked: AtomicUsize,
    /// Entries answered 201, `(author, number)`, for replies to answer.
    entries: Mutex<Vec<(String, i64)>>,
}

fn member_name(i: usize) -> String {
    format!("writer{i}")
}

/// One member writing through the API until told to stop; returns every write tried.
fn client(member: usize, token: String, shared: Arc<Shared>) -> Vec<Write> {
    let mut rng = Rng::new();
    let mut writes = Vec::new();
    let name = member_name(member);
    for seq in 0.. {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Some(addr) = *shared.addr.read().unwrap() else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let marker = format!("crash-{member}-{seq}");
        let target = {
            let entries = shared.entries.lock().unwrap();
            (!entries.is_empty()).then(|| entries[rng.below(entries.len() as u64) as usize].clone())
        };
        let (kind, method, path, body) = match (rng.below(100), target) {
            (50..75, Some((author, number))) => {
                let body =
                    serde_json::json!({"body": format!("Reply {marker}"), "format": "markdown"});
                let path = format!("/api/v1/people/{author}/entries/{number}/replies");
                (Kind::Reply { marker, author, number }, "POST", path, body)
            }
            (75..92, _) => {
                let other = (member + 1 + rng.below(MEMBERS as u64 - 1) as usize) % MEMBERS;
                let level = ["apprentice", "journeyer", "master", "none"][rng.below(4) as usize];
                let subject = member_name(other);
                let body = serde_json::json!({"subject": subject, "level": level});
                (Kind::Cert { subject, level }, "POST", "/api/v1/certs".to_owned(), body)
            }
            (92.., _) if member < FEEDS => {
                let path = "/api/v1/settings/feed/refresh".to_owned();
                (Kind::Refresh, "POST", path, serde_json::Value::Null)
            }
            _ => {
                let count = rng.below(4);
                let tags: BTreeSet<String> = (0..count)
                    .map(|_| TAGS[rng.below(TAGS.len() as u64) as usize].to_owned())
                    .collect();
                let body = serde_json::json!({
                    "title": format!("Entry {marker}"),
                    "body": format!("Written by {name} under fire: {marker}."),
                    "format": "markdown",
                    "tags": tags,
                });
                (Kind::Entry { marker, tags }, "POST", "/api/v1/entries".to_owned(), body)
            }
        };
        let body = if body.is_null() { String::new() } else { body.to_string() };
        let outcome = match call(addr, method, &path, Some(&token), &body) {
            Ok((status @ 200..=299, answer)) => {
                // A 2xx whose body was cut off is no answer: count it as lost.
                match serde_json::from_str::<serde_json::Value>(&answer) {
                    Ok(json) => {
                        let value = match &kind {
                            Kind::Entry { .. } => json["number"].as_i64(),
                            Kind::Reply { .. } => json["id"].as_i64(),
                            Kind::Cert { .. } => Some(0),
                            Kind::Refresh => json["entries"].as_i64(),
                        };
                        let value = value.unwrap_or_else(|| panic!("{status} {path}: {answer}"));
                        if let Kind::Entry { .. } = kind {
                            shared.entries.lock().unwrap().push((name.clone(), value));
                        }
                        shared.acked.fetch_add(1, Ordering::SeqCst);
                        Outcome::Acked { value, kills: shared.kills.load(Ordering::SeqCst) }
                    }
                    Err(_) => Outcome::Lost,
                }
            }
            Ok((status, _)) => Outcome::Refused(status),
            Err(_) => Outcome::Lost,
        };
        writes.push(Write { member, kind, outcome });
        std::thread::sleep(Duration::from_millis(rng.below(15)));
    }
    writes
}

// A look into the database, beside the processes: sqlx on either backend.

enum Probe {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Probe {
    async fn open(db: &TestDb) -> Probe {
        match db.backend() {
            Backend::Postgres => {
                Probe::Postgres(PgPool::connect(db.database_url().unwrap()).await.unwrap())
            }
            Backend::Sqlite => {
                let [_, dir] = db.cli_args();
                let file = std::path::Path::new(&dir).join(virgule_store::SQLITE_FILE);
                let options = SqliteConnectOptions::new()
                    .filename(file)
                    .busy_timeout(Duration::from_secs(10));
                Probe::Sqlite(SqlitePool::connect_with(options).await.unwrap())
            }
        }
    }

    async fn rows<T>(&self, sql: &'static str) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin,
    {
        match self {
            Probe::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await,
            Probe::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn count(&self, sql: &'static str) -> i64 {
        let rows: Vec<(i64,)> = self.rows(sql).await;
        rows[0].0
    }

    /// Makes every feed due now, as a short polling interval would: the processes' schedulers
    /// then fetch them (a worker as soon as it starts). Errors are the database being busy.
    async fn make_feeds_due(&self) {
        const DUE: &str =
            "UPDATE feeds SET next_fetch_at = $1 WHERE status = 'active' AND next_fetch_at > $1";
        let now = virgule_store::now();
        let _ = match self {
            Probe::Sqlite(pool) => sqlx::query(DUE).bind(now).execute(pool).await.map(drop),
            Probe::Postgres(pool) => sqlx::query(DUE).bind(now).execute(pool).await.map(drop),
        };
    }

    async fn close(&self) {
        match self {
            Probe::Sqlite(pool) => pool.close().await,
            Probe::Postgres(pool) => pool.close().await,
        }
    }
}

const ENTRIES: &str = "SELECT e.id, m.name, e.number, e.title, e.syndicated_url \
                       FROM entries e JOIN members m ON m.id = e.member_id";
const ENTRY_TAGS: &str = "SELECT entry_id, tag FROM entry_tags";
const FEED_ITEMS: &str = "SELECT m.name, fi.identity, fi.entry_id FROM feed_items fi \
                          JOIN feeds f ON f.id = fi.feed_id JOIN members m ON m.id = f.member_id";
/// Items whose entry is missing (never written, or dangling): none was deleted in this test.
const ITEMS_WITHOUT_ENTRY: &str = "SELECT COUNT(*) FROM feed_items fi \
                                   LEFT JOIN entries e ON e.id = fi.entry_id WHERE e.id IS NULL";
const MEMBER_COUNTERS: &str = "SELECT m.name, m.entry_count, m.next_entry_number, \
                               (SELECT COUNT(*) FROM entries e WHERE e.member_id = m.id), \
                               (SELECT COALESCE(MAX(e.number), -1) FROM entries e WHERE e.member_id = m.id) \
                               FROM members m";
const REPLIES: &str = "SELECT r.id, r.entry_id, m.name, r.body_source \
                       FROM replies r JOIN members m ON m.id = r.member_id";
const CERTS: &str = "SELECT i.name, s.name, c.level FROM certs c \
                     JOIN members i ON i.id = c.issuer_id JOIN members s ON s.id = c.subject_id";
const UNSEARCHABLE: &str = "SELECT (SELECT COUNT(*) FROM entries WHERE search_text IS NULL) \
                            + (SELECT COUNT(*) FROM replies WHERE search_text IS NULL)";
/// SQLite's external-content full-text indexes, each checked against its table.
const FTS_CHECKS: [&str; 5] = [
    "INSERT INTO entries_fts (entries_fts, rank) VALUES ('integrity-check', 1)",
    "INSERT INTO entries_title_fts (entries_title_fts, rank) VALUES ('integrity-check', 1)",
    "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)",
    "INSERT INTO articles_title_fts (articles_title_fts, rank) VALUES ('integrity-check', 1)",
    "INSERT INTO replies_fts (replies_fts, rank) VALUES ('integrity-check', 1)",
];

/// The number of kills asked for.
fn kills_wanted() -> usize {
    match std::env::var("VIRGULE_CRASH_KILLS") {
        Ok(n) if !n.trim().is_empty() => n.trim().parse().expect("VIRGULE_CRASH_KILLS is a number"),
        _ => 10,
    }
}

#[test]
fn acknowledged_writes_survive_sigkill_of_serve_and_worker() {
    let wanted = kills_wanted();
    let began = Instant::now();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let origin = runtime.block_on(start_origin());
    let (store, db) = runtime.block_on(fresh_store());
    // Only the processes (and the probe) use the database from here on.
    runtime.block_on(store.close());
    let backend = db.backend();

    let (mut server, _) = start_server(&db);
    let mut worker = Worker::spawn(node(&db));
    let mut tokens = Vec::new();
    for i in 0..MEMBERS {
        let account = serde_json::json!({"name": member_name(i), "password": PASSWORD}).to_string();
        must(server.addr, "POST", "/api/v1/accounts", None, &account, 201);
        let token = must(server.addr, "POST", "/api/v1/tokens", None, &account, 201);
        let token = token["token"].as_str().unwrap().to_owned();
        if i < FEEDS {
            let url = serde_json::json!({"url": format!("http://{origin}/f/{i}.xml")}).to_string();
            must(server.addr, "PUT", "/api/v1/settings/feed", Some(&token), &url, 200);
        }
        tokens.push(token);
    }

    let probe = Arc::new(runtime.block_on(Probe::open(&db)));
    let nudger = runtime.spawn({
        let probe = Arc::clone(&probe);
        async move {
            loop {
                probe.make_feeds_due().await;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    });
    let shared = Arc::new(Shared {
        addr: RwLock::new(Some(server.addr)),
        stop: AtomicBool::new(false),
        kills: AtomicUsize::new(0),
        acked: AtomicUsize::new(0),
        entries: Mutex::new(Vec::new()),
    });
    let clients: Vec<_> = (0..MEMBERS)
        .map(|i| {
            let (shared, token) = (Arc::clone(&shared), tokens[i].clone());
            std::thread::spawn(move || client(i, token, shared))
        })
        .collect();
    let wait_for_acks = |floor: usize, what: &str| {
        let deadline = Instant::now() + Duration::from_secs(30);
        while shared.acked.load(Ordering::SeqCst) < floor {
            assert!(Instant::now() < deadline, "no writes acknowledged {what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    };
    wait_for_acks(ACKS_AROUND_KILLS, "before the first kill");

    // The killer: a healthy server, a random moment, SIGKILL, a restart that must come up.
    // Each server answers a write first, so that every kill falls among acknowledged writes
    // even on a loaded machine, where a write may take longer than the delay.
    let mut rng = Rng::new();
    let mut restarts = 0;
    let mut worker_kills = 0;
    let mut slowest_start = Duration::ZERO;
    for kill in 0..wanted {
        if kill > 0 {
            wait_for_acks(shared.acked.load(Ordering::SeqCst) + 1, "by a restarted server");
        }
        std::thread::sleep(Duration::from_millis(rng.range(KILL_DELAY_MS)));
        *shared.addr.write().unwrap() = None;
        server.kill();
        shared.kills.fetch_add(1, Ordering::SeqCst);
        if kill % 2 == 0 {
            let exited = worker.0.try_wait().unwrap();
            assert!(exited.is_none(), "the worker stopped on its own: {exited:?}");
            drop(worker); // SIGKILL
            worker_kills += 1;
            worker = Worker::spawn(node(&db));
        }
        let (restarted, took) = start_server(&db);
        server = restarted;
        restarts += 1;
        slowest_start = slowest_start.max(took);
        *shared.addr.write().unwrap() = Some(server.addr);
    }
    let after_kills = shared.acked.load(Ordering::SeqCst);
    wait_for_acks(after_kills + ACKS_AROUND_KILLS, "after the last restart");
    shared.stop.store(true, Ordering::SeqCst);
    let writes: Vec<Write> = clients.into_iter().flat_map(|c| c.join().unwrap()).collect();
    nudger.abort();

    // Every write answered 2xx reads back through the API.
    let cert_checks = check_through_api(server.addr, &writes, &tokens);

    // A last crash, then the database as it was left: nothing half-written.
    server.kill();
    let exited = worker.0.try_wait().unwrap();
    assert!(exited.is_none(), "the worker stopped on its own: {exited:?}");
    drop(worker);
    let (unanswered, ingested) = runtime.block_on(check_database(&probe, backend, &writes));
    runtime.block_on(probe.close());

    // Kills happened between acknowledged writes: before the first, after the last.
    let kills = shared.kills.load(Ordering::SeqCst);
    assert_eq!(kills, wanted);
    assert_eq!(restarts, wanted);
    let acked_at = |pick: fn(usize, usize) -> bool| {
        writes
            .iter()
            .any(|w| matches!(w.outcome, Outcome::Acked { kills: k, .. } if pick(k, wanted)))
    };
    assert!(acked_at(|k, _| k == 0), "no write acknowledged before the first kill");
    assert!(acked_at(|k, n| k == n), "no write acknowledged after the last restart");

    let mut figures: Vec<String> = ["entries", "replies", "certifications", "feed refreshes"]
        .iter()
        .map(|label| {
            let mine: Vec<&Write> = writes.iter().filter(|w| w.kind.label() == *label).collect();
            let acked = mine.iter().filter(|w| w.acked().is_some()).count();
            let lost = mine.iter().filter(|w| matches!(w.outcome, Outcome::Lost)).count();
            format!("{label} {acked} acknowledged of {} tried ({lost} cut off)", mine.len())
        })
        .collect();
    figures.push(format!("{cert_checks} certification pairs checked"));
    let refused: Vec<u16> = writes
        .iter()
        .filter_map(|w| match w.outcome {
            Outcome::Refused(status) => Some(status),
            _ => None,
        })
        .collect();
    eprintln!(
        "crash safety on {backend:?}: {kills} SIGKILLs of serve survived ({worker_kills} of the \
         worker), {restarts} restarts (slowest healthy after {:.2} s); {}; {unanswered} written \
         though unanswered; {} answered 5xx; {ingested} feed items ingested; every acknowledged \
         write verified; {:.1} s",
        slowest_start.as_secs_f64(),
        figures.join(", "),
        refused.len(),
        began.elapsed().as_secs_f64()
    );
    assert!(refused.iter().all(|&s| s >= 500), "writes refused with {refused:?}");
    drop(db);
}

/// Reads every write answered 2xx back through the API of the server at `addr`: each entry
/// with its title and exactly its tags, each reply on its entry, each member's certifications,
/// each feed's entries. Returns how many certification pairs had an answered write.
fn check_through_api(addr: SocketAddr, writes: &[Write], tokens: &[String]) -> usize {
    let mut replies_by_entry: HashMap<(String, i64), Vec<(i64, String)>> = HashMap::new();
    for write in writes {
        let Some(value) = write.acked() else { continue };
        match &write.kind {
            Kind::Entry { marker, tags } => {
                let path = format!("/api/v1/people/{}/entries/{value}", member_name(write.member));
                let entry = must(addr, "GET", &path, None, "", 200);
                assert_eq!(entry["title"], format!("Entry {marker}"), "{path}");
                let stored: BTreeSet<String> = entry["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(&stored, tags, "{path}: its tags");
            }
            Kind::Reply { marker, author, number } => replies_by_entry
                .entry((author.clone(), *number))
                .or_default()
                .push((value, marker.clone())),
            Kind::Cert { .. } | Kind::Refresh => {}
        }
    }
    for ((author, number), replies) in &replies_by_entry {
        let path = format!("/api/v1/people/{author}/entries/{number}");
        let entry = must(addr, "GET", &path, None, "", 200);
        let shown = entry["replies"].as_array().unwrap();
        for (id, marker) in replies {
            let reply = shown.iter().find(|r| r["id"].as_i64() == Some(*id));
            let reply = reply.unwrap_or_else(|| panic!("reply {id} ({marker}) lost from {path}"));
            assert!(reply["html"].as_str().unwrap().contains(marker.as_str()), "{reply}");
        }
    }
    // A certification's final level is the last one answered, or one tried after it whose
    // answer the kill cut off (it may have been committed).
    let mut cert_checks = 0;
    for issuer in 0..MEMBERS {
        let person =
            must(addr, "GET", &format!("/api/v1/people/{}", member_name(issuer)), None, "", 200);
        let given: HashMap<String, String> = person["certs_given"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (c["to"].as_str().unwrap().to_owned(), c["level"].as_str().unwrap().to_owned())
            })
            .collect();
        for subject in (0..MEMBERS).filter(|&s| s != issuer).map(member_name) {
            let tries: Vec<(&str, bool)> = writes
                .iter()
                .filter(|w| w.member == issuer)
                .filter_map(|w| match (&w.kind, &w.outcome) {
                    (Kind::Cert { subject: s, level }, Outcome::Acked { .. }) if *s == subject => {
                        Some((*level, true))
                    }
                    (Kind::Cert { subject: s, level }, Outcome::Lost) if *s == subject => {
                        Some((*level, false))
                    }
                    _ => None,
                })
                .collect();
            let last_acked = tries.iter().rposition(|(_, acked)| *acked);
            let mut allowed: BTreeSet<&str> =
                tries[last_acked.map_or(0, |i| i + 1)..].iter().map(|(level, _)| *level).collect();
            allowed.insert(last_acked.map_or("none", |i| tries[i].0));
            let level = given.get(&subject).map_or("none", String::as_str);
            assert!(allowed.contains(level), "{issuer} → {subject}: {level}, allowed {allowed:?}");
            cert_checks += usize::from(last_acked.is_some());
        }
    }
    // "Fetch now" answered with N entries: at least N are there.
    for (member, token) in tokens.iter().enumerate().take(FEEDS) {
        let most = writes
            .iter()
            .filter(|w| w.member == member && matches!(w.kind, Kind::Refresh))
            .filter_map(Write::acked)
            .max()
            .unwrap_or(0);
        let path = "/api/v1/settings/feed";
        let status = must(addr, "GET", path, Some(token), "", 200);
        let now = status["entries"].as_i64().unwrap();
        assert!(
            now >= most,
            "{}'s feed: {now} entries, a refresh answered {most}",
            member_name(member)
        );
    }
    cert_checks
}

/// Checks the database left by a SIGKILL: every client entry with exactly its tags, every
/// reply one the clients wrote, every feed item with its entry and every syndicated entry with
/// its item and its tags, counters and search rows in step; on SQLite, `integrity_check`,
/// `foreign_key_check` and the full-text indexes. Returns how many writes were committed
/// though their answer never arrived, and the feed items stored.
async fn check_database(probe: &Probe, backend: Backend, writes: &[Write]) -> (usize, usize) {
    if let Probe::Sqlite(pool) = probe {
        let integrity: Vec<(String,)> =
            sqlx::query_as("PRAGMA integrity_check").fetch_all(pool).await.unwrap();
        assert_eq!(integrity, vec![("ok".to_owned(),)], "PRAGMA integrity_check");
        let dangling = sqlx::query("PRAGMA foreign_key_check").fetch_all(pool).await.unwrap();
        assert!(dangling.is_empty(), "PRAGMA foreign_key_check: {} rows", dangling.len());
        for check in FTS_CHECKS {
            sqlx::query(check).execute(pool).await.unwrap_or_else(|e| panic!("{check}: {e}"));
        }
    }
    assert_eq!(backend == Backend::Sqlite, matches!(probe, Probe::Sqlite(_)));

    let tries: HashMap<&str, &Write> = writes
        .iter()
        .filter_map(|w| match &w.kind {
            Kind::Entry { marker, .. } | Kind::Reply { marker, .. } => Some((marker.as_str(), w)),
            _ => None,
        })
        .collect();
    let mut tags: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for (entry, tag) in probe.rows::<(i64, String)>(ENTRY_TAGS).await {
        tags.entry(entry).or_default().insert(tag);
    }
    let entries: Vec<(i64, String, i64, String, Option<String>)> = probe.rows(ENTRIES).await;
    let mut unanswered = 0;
    let mut found: HashMap<&str, (String, i64, i64)> = HashMap::new();
    let mut syndicated: HashMap<i64, (String, String)> = HashMap::new();
    for (id, author, number, title, syndicated_url) in &entries {
        let stored = tags.remove(id).unwrap_or_default();
        if syndicated_url.is_some() {
            // "Feed N post K", tagged by its categories.
            let words: Vec<&str> = title.split(' ').collect();
            let want: BTreeSet<String> =
                [format!("feed{}", words[1]), format!("post{}", words[3])].into();
            assert_eq!(stored, want, "syndicated entry {author}/{number} \"{title}\": its tags");
            syndicated.insert(*id, (author.clone(), title.clone()));
            continue;
        }
        let marker =
            title.strip_prefix("Entry ").unwrap_or_else(|| panic!("unknown entry {title}"));
        let write = tries.get(marker).unwrap_or_else(|| panic!("entry {title} never written"));
        let Kind::Entry { tags: want, .. } = &write.kind else { panic!("{title} is not an entry") };
        assert_eq!(&stored, want, "entry {author}/{number} \"{title}\": its tags");
        assert_eq!(*author, member_name(write.member));
        match write.outcome {
            Outcome::Acked { value, .. } => assert_eq!(*number, value, "{title}"),
            _ => unanswered += 1,
        }
        found.insert(marker, (author.clone(), *number, *id));
    }
    assert!(tags.is_empty(), "tags of entries that do not exist: {tags:?}");
    for write in writes.iter().filter(|w| w.acked().is_some()) {
        if let Kind::Entry { marker, .. } = &write.kind {
            assert!(found.contains_key(marker.as_str()), "acknowledged entry {marker} lost");
        }
    }

    // Feed items and their entries, one to one.
    assert_eq!(probe.count(ITEMS_WITHOUT_ENTRY).await, 0, "feed items without their entry");
    let items: Vec<(String, String, Option<i64>)> = probe.rows(FEED_ITEMS).await;
    let mut itemized = BTreeSet::new();
    for (owner, identity, entry) in &items {
        let entry = entry.unwrap_or_else(|| panic!("{owner}'s item {identity} has no entry"));
        let (author, title) = syndicated
            .get(&entry)
            .unwrap_or_else(|| panic!("{owner}'s item {identity}: entry {entry} not syndicated"));
        assert_eq!(author, owner);
        let k = title.rsplit(' ').next().unwrap();
        assert!(identity.ends_with(&format!("/{k}")), "{identity} became \"{title}\"");
        assert!(itemized.insert(entry), "two items share entry {entry}");
    }
    assert_eq!(itemized.len(), syndicated.len(), "syndicated entries without their feed item");
    let titles: BTreeSet<&(String, String)> = syndicated.values().collect();
    assert_eq!(titles.len(), syndicated.len(), "a feed post stored twice");

    // Counters and the search text in step with the rows.
    let counters: Vec<(String, i64, i64, i64, i64)> = probe.rows(MEMBER_COUNTERS).await;
    for (name, entry_count, next_number, rows, highest) in counters {
        assert_eq!(entry_count, rows, "{name}'s entry_count");
        assert!(
            next_number > highest,
            "{name}'s next entry number {next_number}, highest {highest}"
        );
    }
    assert_eq!(probe.count(UNSEARCHABLE).await, 0, "rows without their search text");

    // Replies: each one a client wrote, on the entry it answered; every answered one there.
    let entry_ids: HashMap<(String, i64), i64> =
        entries.iter().map(|(id, author, number, ..)| ((author.clone(), *number), *id)).collect();
    let mut replies_found = BTreeSet::new();
    for (id, entry, author, body) in probe.rows::<(i64, Option<i64>, String, String)>(REPLIES).await
    {
        let marker = body.strip_prefix("Reply ").unwrap_or_else(|| panic!("unknown reply {body}"));
        let write = tries.get(marker).unwrap_or_else(|| panic!("reply {body} never written"));
        let Kind::Reply { author: to, number, .. } = &write.kind else { panic!("{body}") };
        assert_eq!(author, member_name(write.member));
        assert_eq!(entry, entry_ids.get(&(to.clone(), *number)).copied(), "{body}'s entry");
        match write.outcome {
            Outcome::Acked { value, .. } => assert_eq!(id, value, "{body}"),
            _ => unanswered += 1,
        }
        replies_found.insert(marker.to_owned());
    }
    for write in writes.iter().filter(|w| w.acked().is_some()) {
        if let Kind::Reply { marker, .. } = &write.kind {
            assert!(replies_found.contains(marker), "acknowledged reply {marker} lost");
        }
    }
    let certs: Vec<(String, String, String)> = probe.rows(CERTS).await;
    assert!(certs.iter().all(|(i, s, _)| i != s));
    (unanswered, items.len())
}
