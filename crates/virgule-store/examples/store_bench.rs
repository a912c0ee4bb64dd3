//! Store-level figures without HTTP: bulk-load speed, then queries per second for the diary
//! page (`member_by_name`, which carries the entry count, + `entries_for_member`) and the
//! recent log, from many tasks
//! at once. A fresh SQLite store in a temporary directory, or a fresh PostgreSQL database when
//! VIRGULE_TEST_DATABASE_URL is set.
//!
//! ```text
//! cargo run --release -p virgule-store --example store_bench -- [ENTRIES] [MEMBERS] [SECONDS]
//! ```
//! Defaults: 100000 entries over 100 members, 5 seconds per query.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use virgule_store::testing::fresh_store;
use virgule_store::{EntryDraft, EntryFormat, MemberName, NewMember, Page, Store, TrustLevel};

const TASKS: usize = 16;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().expect("a number"));
    let entries = args.next().unwrap_or(100_000);
    let members = args.next().unwrap_or(100).max(1);
    let seconds = args.next().unwrap_or(5) as u64;
    let (store, db) = fresh_store().await;
    println!("backend: {:?}", db.backend());

    let per_member = entries / members;
    let start = Utc.with_ymd_and_hms(2005, 1, 1, 0, 0, 0).single().expect("a valid date");
    let mut names = Vec::new();
    let began = Instant::now();
    for m in 0..members {
        let name = MemberName::parse(&format!("member{m}")).expect("a valid name");
        let new = NewMember { name: name.clone(), email: None, password_hash: "x".into() };
        let member = store.create_member(&new).await.expect("create member");
        let items: Vec<_> = (0..per_member)
            .map(|n| {
                let draft = EntryDraft {
                    title: format!("Entry {n} of member {m}"),
                    format: EntryFormat::Markdown,
                    body_source: "Some *text* ".repeat(40),
                    html: "<p>Some <em>text</em> </p>".repeat(40),
                    tags: vec![format!("tag{}", n % 7), format!("tag{}", n % 3)],
                };
                let at = start + chrono::Duration::minutes((n * members + m) as i64 * 10);
                (draft, at)
            })
            .collect();
        store.create_entries_bulk(member.id, &items).await.expect("bulk load");
        names.push(name);
    }
    let elapsed = began.elapsed().as_secs_f64();
    let total = per_member * members;
    println!(
        "bulk load: {total} entries in {elapsed:.2} s = {:.0} entries/s",
        total as f64 / elapsed
    );

    let diary = move |store: Store, name: MemberName| async move {
        let member = store.member_by_name(&name).await.expect("member").expect("exists");
        let page = store.entries_for_member(member.id, Page { start: 0, limit: 10 }).await;
        assert_eq!(page.expect("diary page").len(), per_member.min(10));
    };
    run("diary page", seconds, &store, &names, diary).await;
    let recent = |store: Store, _: MemberName| async move {
        store
            .recent_entries(TrustLevel::Observer, Page { start: 0, limit: 20 })
            .await
            .expect("recent log");
    };
    run("recent log (20)", seconds, &store, &names, recent).await;
    store.close().await;
}

/// Runs `query` from [`TASKS`] tasks for `seconds`, then prints requests/s and latencies.
async fn run<F, Fut>(label: &str, seconds: u64, store: &Store, names: &[MemberName], query: F)
where
    F: Fn(Store, MemberName) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let cpu_before = cpu_seconds();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (store, names, query) = (store.clone(), names.to_vec(), query.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut i = t;
                while Instant::now() < deadline {
                    let began = Instant::now();
                    query(store.clone(), names[i % names.len()].clone()).await;
                    latencies.push(began.elapsed());
                    i += TASKS;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.expect("a bench task"));
    }
    let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    let cpu_per_request = match cpu {
        Some(cpu) => format!("{:.0} µs", cpu * 1e6 / latencies.len() as f64),
        None => "unknown".to_owned(),
    };
    println!(
        "{label}: {:.0} req/s, p50 {:?}, p99 {:?} ({TASKS} tasks), CPU per request {cpu_per_request}",
        latencies.len() as f64 / seconds as f64,
        at(0.5),
        at(0.99)
    );
}

/// This process's user + system CPU time so far (Linux), which other load on the machine does
/// not inflate as it does wall-clock rates.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields 14 and 15 (utime, stime), counted after the parenthesised command name.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
