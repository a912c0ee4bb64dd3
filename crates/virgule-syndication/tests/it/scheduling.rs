//! Who fetches what, when: one host is never hammered, the background loop finds due feeds
//! on its own and stops when told, and several fetchers sharing a database fetch each feed
//! exactly once (docs/design.md §6: claims under a lease, `FOR UPDATE SKIP LOCKED` on PostgreSQL).

use std::time::{Duration, Instant};

use virgule_syndication::{Settings, Syndicator};

use crate::origin::Reply;
use crate::support::{Post, World, lax, rss};

fn feed_of(member: &str) -> String {
    let guid = format!("https://{member}.example.net/1");
    let title = format!("{member}'s post");
    rss(member, &[Post::new(&guid, &title, Some("Mon, 01 Jan 2024 00:00:00 GMT"), "hello")])
}

/// Six members whose blogs share one host (a hosted blog service): the run fetches all six,
/// but never more than two at once from that host.
#[tokio::test]
async fn fetches_from_one_host_are_limited_per_host() {
    let world = World::with(Settings { per_host: 2, concurrency: 8, ..lax() }).await;
    let mut members = Vec::new();
    for n in 0..6 {
        let name = format!("blogger{n}");
        let id = world.member(&name).await;
        let path = format!("/{name}/feed");
        // Slow enough that fetches would overlap if nothing held them back.
        world.origin.set(&path, Reply::rss(feed_of(&name)).delay(Duration::from_millis(150)));
        world.link(id, &path).await;
        members.push(id);
    }

    assert_eq!(world.syndicator.run_once().await.expect("run"), 6);

    assert_eq!(world.origin.request_count(), 6);
    let most = world.origin.max_in_flight();
    assert!(most <= 2, "{most} requests at once to one host");
    assert_eq!(most, 2, "the two allowed did run side by side");
    for id in members {
        assert_eq!(world.diary(id).await.len(), 1);
    }
}

/// `virgule serve` runs the loop in the background: a feed that becomes due is fetched
/// without anyone calling `run_once`, and the loop ends soon after shutdown is signalled.
#[tokio::test]
async fn the_scheduler_fetches_due_feeds_and_stops_on_shutdown() {
    let world = World::with(Settings { idle_poll: Duration::from_millis(50), ..lax() }).await;
    let member = world.member("member").await;
    world.origin.set("/feed", Reply::rss(feed_of("member")));

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let syndicator = world.syndicator.clone();
    let running = tokio::spawn(async move {
        syndicator
            .run(async {
                let _ = stopped.await;
            })
            .await
    });

    // Linked while the loop is idle: the next poll finds it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    world.link(member, "/feed").await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while world.diary(member).await.is_empty() {
        assert!(Instant::now() < deadline, "the loop never fetched the due feed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(world.origin.request_count(), 1);
    let feed = world.feed(member).await;
    assert!(feed.next_fetch_at.expect("scheduled") > feed.last_fetch_at.expect("fetched"));

    let asked = Instant::now();
    stop.send(()).expect("the loop is running");
    tokio::time::timeout(Duration::from_secs(2), running)
        .await
        .expect("the loop stops promptly")
        .expect("the loop did not panic");
    assert!(asked.elapsed() < Duration::from_millis(500), "stopped in {:?}", asked.elapsed());
    assert_eq!(world.origin.request_count(), 1, "not fetched again before it is due");
}

/// More feeds due than fetch slots: the loop claims the next feed as soon as a slot frees up,
/// instead of sleeping its idle interval (the benchmark caught a loop that fetched 32 feeds
/// every 5 s on PostgreSQL that way).
#[tokio::test]
async fn the_scheduler_refills_free_slots_without_waiting_for_the_idle_poll() {
    let settings =
        Settings { concurrency: 2, per_host: 2, idle_poll: Duration::from_secs(30), ..lax() };
    let world = World::with(settings).await;
    let mut members = Vec::new();
    for n in 0..10 {
        let name = format!("m{n}");
        let id = world.member(&name).await;
        let path = format!("/{name}/feed");
        world.origin.set(&path, Reply::rss(feed_of(&name)).delay(Duration::from_millis(20)));
        world.link(id, &path).await;
        members.push(id);
    }
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let syndicator = world.syndicator.clone();
    let running = tokio::spawn(async move {
        syndicator
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    let deadline = Instant::now() + Duration::from_secs(10);
    for member in members {
        while world.diary(member).await.is_empty() {
            assert!(Instant::now() < deadline, "the loop stalled with feeds still due");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert_eq!(world.origin.request_count(), 10);
    stop.send(()).expect("the loop is running");
    running.await.expect("the loop did not panic");
}

/// Two fetcher processes share one database (`virgule worker` scaled out): running at the
/// same time over twenty due feeds, they fetch each feed exactly once between them, and no
/// post is stored twice.
#[tokio::test]
async fn two_fetchers_sharing_a_database_fetch_each_feed_exactly_once() {
    // Batches smaller than the work, so both fetchers claim several times and overlap.
    let settings = Settings { concurrency: 6, per_host: 6, ..lax() };
    let world = World::with(settings.clone()).await;
    let mut members = Vec::new();
    for n in 0..20 {
        let name = format!("m{n}");
        let id = world.member(&name).await;
        let path = format!("/{name}/feed");
        world.origin.set(&path, Reply::rss(feed_of(&name)).delay(Duration::from_millis(30)));
        world.link(id, &path).await;
        members.push((id, path));
    }
    // The second fetcher has its own connections to the database, as another process would.
    let other_store = world.db.reopen().await;
    let other = Syndicator::new(other_store, settings).expect("syndicator");

    let drain = |syndicator: Syndicator| async move {
        let mut fetched = 0;
        loop {
            match syndicator.run_once().await.expect("run") {
                0 => return fetched,
                n => fetched += n,
            }
        }
    };
    let (a, b) = tokio::join!(drain(world.syndicator.clone()), drain(other));

    assert_eq!(a + b, 20, "first fetcher {a}, second {b}");
    for (id, path) in &members {
        assert_eq!(world.origin.requests_to(path).len(), 1, "{path}");
        assert_eq!(world.diary(*id).await.len(), 1, "{path}");
        assert_eq!(world.known_items(*id).await, 1, "{path}");
    }
    assert_eq!(world.origin.request_count(), 20);
    assert_eq!(world.recent_log().await.len(), 20);
}
