//! Full-text search at scale, without HTTP: loads ENTRIES synthetic diary entries (text drawn
//! from a Zipf-distributed vocabulary, as natural language is, so that some words are in half
//! the entries and most in very few), then runs a mix of searches from CONCURRENCY tasks for
//! SECONDS and prints p50 and p99 per kind of query and over the whole mix. A fresh SQLite
//! store in a temporary directory, or a fresh PostgreSQL database when
//! VIRGULE_TEST_DATABASE_URL is set (ANALYZE'd after loading, as `virgule demo` does).
//!
//! ```text
//! cargo run --release -p virgule-store --example search_bench -- [ENTRIES] [SECONDS] [CONCURRENCY]
//! ```
//! Defaults: 1000000 entries over 1000 members, 10 seconds per query kind, 8 tasks. With
//! SEARCH_BENCH_DIR set, the SQLite store lives there and is kept: a later run finds it loaded
//! and only searches; SEARCH_BENCH_DATABASE_URL does the same with a PostgreSQL database
//! (which must exist).
//! `bench/search.sh` runs it on both backends.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use virgule_store::testing::fresh_store;
use virgule_store::{
    EntryDraft, EntryFormat, MemberName, NewMember, Page, SearchFilter, SearchKind, SearchQuery,
    SearchTerm, Store,
};

const MEMBERS: usize = 1000;
const VOCABULARY: usize = 50_000;
const WORDS_PER_ENTRY: usize = 80;

/// A deterministic generator (64-bit LCG, high bits), so every run loads the same text.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 =
            self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        self.next() as f64 / (1u64 << 53) as f64
    }
}

/// Word `rank` of the vocabulary (0 is the most frequent): syllables spelling the rank, so
/// that words are distinct, pronounceable, and share prefixes as real words do.
fn word(rank: usize) -> String {
    const SYLLABLES: [&str; 20] = [
        "ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "ba", "gu", "fe", "zo", "vi", "hu",
        "ja", "qe", "xo", "wy", "ce",
    ];
    let mut n = rank + SYLLABLES.len();
    let mut out = String::new();
    while n > 0 {
        out.push_str(SYLLABLES[n % SYLLABLES.len()]);
        n /= SYLLABLES.len();
    }
    out
}

/// Zipf (s = 1) over the vocabulary by inverse transform on the cumulative weights.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(size: usize) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=size)
            .map(|r| {
                total += 1.0 / r as f64;
                total
            })
            .collect::<Vec<_>>();
        let last = total;
        Zipf { cumulative: cumulative.into_iter().map(|c| c / last).collect() }
    }

    fn sample(&self, rng: &mut Lcg) -> usize {
        let u = rng.unit();
        self.cumulative.partition_point(|&c| c < u).min(self.cumulative.len() - 1)
    }
}

fn term(text: &str, prefix: bool) -> SearchTerm {
    SearchTerm { text: text.to_owned(), prefix }
}

fn query(all: &[SearchTerm], none: &[SearchTerm]) -> SearchQuery {
    SearchQuery { all: all.to_vec(), any: vec![], none: none.to_vec() }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().expect("a number"));
    let entries = args.next().unwrap_or(1_000_000);
    let seconds = args.next().unwrap_or(10) as u64;
    let concurrency = args.next().unwrap_or(8).max(1);
    let kept_dir = std::env::var_os("SEARCH_BENCH_DIR");
    let kept_url = std::env::var("SEARCH_BENCH_DATABASE_URL").ok();
    let (store, _db) = match (&kept_dir, &kept_url) {
        (Some(dir), _) => {
            let store =
                Store::open_sqlite(std::path::Path::new(dir)).await.expect("open the store");
            (store, None)
        }
        (None, Some(url)) => (Store::open_postgres(url).await.expect("open the store"), None),
        (None, None) => {
            let (store, db) = fresh_store().await;
            (store, Some(db))
        }
    };
    println!("backend: {:?}", store.backend());

    let zipf = Zipf::new(VOCABULARY);
    let mut rng = Lcg(42);
    let per_member = (entries / MEMBERS).max(1);
    let start = Utc.with_ymd_and_hms(2005, 1, 1, 0, 0, 0).single().expect("a valid date");
    let began = Instant::now();
    let mut ids = Vec::new();
    for m in 0..MEMBERS.min(entries) {
        let name = MemberName::parse(&format!("member{m}")).expect("a valid name");
        if let Some(member) = store.member_by_name(&name).await.expect("read a member") {
            ids.push(member.id);
            continue;
        }
        let new = NewMember { name, email: None, password_hash: "x".into() };
        let member = store.create_member(&new).await.expect("create member");
        ids.push(member.id);
        let items: Vec<_> = (0..per_member)
            .map(|n| {
                let title: Vec<String> = (0..4).map(|_| word(zipf.sample(&mut rng))).collect();
                let mut html = String::from("<p>");
                for i in 0..WORDS_PER_ENTRY {
                    if i > 0 && i % 40 == 0 {
                        html.push_str("</p><p>");
                    } else if i > 0 {
                        html.push(' ');
                    }
                    html.push_str(&word(zipf.sample(&mut rng)));
                }
                html.push_str("</p>");
                let draft = EntryDraft {
                    title: title.join(" "),
                    format: EntryFormat::Html,
                    body_source: html.clone(),
                    html,
                    tags: vec![],
                };
                let at = start + chrono::Duration::minutes((n * MEMBERS + m) as i64 * 10);
                (draft, at)
            })
            .collect();
        store.create_entries_bulk(member.id, &items).await.expect("bulk load");
        if (m + 1) % 100 == 0 {
            eprintln!("loaded {} entries", (m + 1) * per_member);
        }
    }
    store.refresh_statistics().await.expect("statistics");
    let elapsed = began.elapsed().as_secs_f64();
    let total = per_member * MEMBERS.min(entries);
    println!(
        "load: {total} entries ({WORDS_PER_ENTRY} words each, vocabulary {VOCABULARY}, Zipf) in \
         {elapsed:.1} s = {:.0} entries/s",
        total as f64 / elapsed
    );

    // Words by how many entries hold them (rank 50: about 1 in 7; 500: 1 in 60; 5000: 1 in 600).
    let (frequent, medium, rare) = (word(50), word(500), word(5000));
    let author = SearchFilter { author: Some(ids[ids.len() / 2]), ..SearchFilter::default() };
    let everything = SearchFilter::default();
    let mixes: Vec<(&str, SearchQuery, SearchFilter)> = vec![
        ("rare word", query(&[term(&rare, false)], &[]), everything.clone()),
        ("medium word", query(&[term(&medium, false)], &[]), everything.clone()),
        ("frequent word", query(&[term(&frequent, false)], &[]), everything.clone()),
        (
            "two words",
            query(&[term(&word(120), false), term(&word(300), false)], &[]),
            everything.clone(),
        ),
        (
            "phrase",
            query(&[term(&format!("{} {}", word(3), word(7)), false)], &[]),
            everything.clone(),
        ),
        ("prefix", query(&[term(&medium[..4], true)], &[]), everything.clone()),
        (
            "word, not word",
            query(&[term(&medium, false)], &[term(&word(40), false)]),
            everything.clone(),
        ),
        ("frequent word, one author", query(&[term(&frequent, false)], &[]), author.clone()),
        (
            "frequent word, one year",
            query(&[term(&frequent, false)], &[]),
            SearchFilter {
                since: Utc.with_ymd_and_hms(2010, 1, 1, 0, 0, 0).single(),
                before: Utc.with_ymd_and_hms(2011, 1, 1, 0, 0, 0).single(),
                ..SearchFilter::default()
            },
        ),
        (
            "medium word, entries only",
            query(&[term(&medium, false)], &[]),
            SearchFilter { kinds: vec![SearchKind::Entry], ..SearchFilter::default() },
        ),
    ];
    let page = Page { start: 0, limit: 10 };
    for (label, q, filter) in &mixes {
        let found = store.search(q, filter, page).await.expect("search");
        println!("  {label:<28} {:>8} matches", found.total);
    }
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>9}   ({concurrency} tasks, {seconds} s each)",
        "query", "searches", "per s", "p50 ms", "p99 ms"
    );
    let mut all = Vec::new();
    for (label, q, filter) in &mixes {
        let latencies = run(&store, q, filter, page, concurrency, seconds).await;
        print_row(label, &latencies, seconds);
        all.extend(latencies);
    }
    print_row("all of the above", &all, seconds * mixes.len() as u64);
    store.close().await;
}

/// Runs one search from `concurrency` tasks for `seconds`; every latency, in order of end.
async fn run(
    store: &Store,
    q: &SearchQuery,
    filter: &SearchFilter,
    page: Page,
    concurrency: usize,
    seconds: u64,
) -> Vec<Duration> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (store, q, filter) = (store.clone(), q.clone(), filter.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    let began = Instant::now();
                    store.search(&q, &filter, page).await.expect("search");
                    latencies.push(began.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("a search task"));
    }
    all
}

fn print_row(label: &str, latencies: &[Duration], seconds: u64) {
    let mut sorted = latencies.to_vec();
    sorted.sort();
    let at = |q: f64| {
        sorted
            .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{label:<28} {:>9} {:>9.0} {:>9.2} {:>9.2}",
        sorted.len(),
        sorted.len() as f64 / seconds as f64,
        at(0.50),
        at(0.99)
    );
}
