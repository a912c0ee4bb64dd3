use chrono::Duration;
use virgule_store::testing::fresh_store;
use virgule_store::{ArchiveMonth, Entry, Page, StoreError, TagCount, TrustLevel};

use crate::support::{Other, at, draft, member, name};

fn numbers(entries: &[Entry]) -> Vec<i64> {
    entries.iter().map(|e| e.number).collect()
}

const ALL: Page = Page { start: 0, limit: 100 };

#[tokio::test]
async fn entry_numbers_count_from_zero_per_member() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    let mut made = Vec::new();
    for i in 0..3 {
        made.push(store.create_entry(etbe.id, &draft("e", &[]), at(2010, 1, 1, i)).await.unwrap());
    }
    let r0 = store.create_entry(raph.id, &draft("r", &[]), at(2010, 1, 2, 0)).await.unwrap();
    assert_eq!(numbers(&made), [0, 1, 2]);
    assert_eq!(r0.number, 0);
    assert_eq!(made[1].author.as_str(), "etbe");
    assert_eq!(r0.author.as_str(), "raph");

    // What create_entry returns is what a read gives back.
    let read = store.entry_by_number(&name("etbe"), 1).await.unwrap().unwrap();
    assert_eq!(read, made[1]);
    assert_eq!(read.published, at(2010, 1, 1, 1));
    assert_eq!(read.updated, read.published);
    assert!(store.entry_by_number(&name("etbe"), 3).await.unwrap().is_none());
    assert!(store.entry_by_number(&name("nobody"), 0).await.unwrap().is_none());
}

#[tokio::test]
async fn writing_for_an_unknown_member_is_not_found() {
    let (store, _db) = fresh_store().await;
    let result = store.create_entry(4242, &draft("x", &[]), at(2010, 1, 1, 0)).await;
    assert!(matches!(result, Err(StoreError::NotFound)), "{result:?}");
    let bulk = store.create_entries_bulk(4242, &[(draft("x", &[]), at(2010, 1, 1, 0))]).await;
    assert!(matches!(bulk, Err(StoreError::NotFound)), "{bulk:?}");
}

#[tokio::test]
async fn concurrent_writers_get_distinct_numbers() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let writers = (0..16).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            store.create_entry(etbe.id, &draft("c", &["t"]), at(2011, 1, 1, i)).await
        })
    });
    let mut got = Vec::new();
    for writer in writers.collect::<Vec<_>>() {
        got.push(writer.await.unwrap().unwrap().number);
    }
    got.sort();
    assert_eq!(got, (0..16).collect::<Vec<_>>());
    assert_eq!(store.entry_count_for_member(etbe.id).await.unwrap(), 16);
}

#[tokio::test]
async fn a_deleted_number_is_not_reused() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    for i in 0..3 {
        store.create_entry(etbe.id, &draft("e", &["a"]), at(2010, 1, 1, i)).await.unwrap();
    }
    store.delete_entry(etbe.id, 2).await.unwrap();
    assert!(store.entry_by_number(&name("etbe"), 2).await.unwrap().is_none());
    assert!(matches!(store.delete_entry(etbe.id, 2).await, Err(StoreError::NotFound)));
    assert_eq!(store.entry_count_for_member(etbe.id).await.unwrap(), 2);
    assert_eq!(store.entry_count_for_tag(etbe.id, "a").await.unwrap(), 2);

    let next = store.create_entry(etbe.id, &draft("e", &[]), at(2010, 1, 2, 0)).await.unwrap();
    assert_eq!(next.number, 3);
    assert_eq!(numbers(&store.entries_for_member(etbe.id, ALL).await.unwrap()), [3, 1, 0]);
}

#[tokio::test]
async fn an_update_keeps_number_and_date_and_replaces_tags() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    let published = at(2012, 5, 6, 7);
    let original = store
        .create_entry(etbe.id, &draft("Old", &["selinux", "debian"]), published)
        .await
        .unwrap();
    assert_eq!(original.tags, ["debian", "selinux"]);
    store.create_entry(etbe.id, &draft("Other", &[]), at(2012, 5, 7, 0)).await.unwrap();

    let mut edit = draft("New", &["linux", "debian", "linux"]);
    edit.format = virgule_store::EntryFormat::Html;
    let updated = store.update_entry(etbe.id, 0, &edit).await.unwrap();
    assert_eq!(updated.number, 0);
    assert_eq!(updated.id, original.id);
    assert_eq!(updated.published, published);
    assert!(updated.updated > published);
    assert_eq!(updated.title, "New");
    assert_eq!(updated.format, virgule_store::EntryFormat::Html);
    assert_eq!(updated.tags, ["debian", "linux"]);
    assert_eq!(store.entry_by_number(&name("etbe"), 0).await.unwrap(), Some(updated));
    assert_eq!(store.entry_count_for_tag(etbe.id, "selinux").await.unwrap(), 0);

    // The edit does not move the entry up its diary or the recent log.
    assert_eq!(numbers(&store.entries_for_member(etbe.id, ALL).await.unwrap()), [1, 0]);
    assert_eq!(numbers(&store.recent_entries(TrustLevel::Observer, ALL).await.unwrap()), [1, 0]);

    // Only the author's own entries: raph has no entry 0.
    assert!(matches!(store.update_entry(raph.id, 0, &edit).await, Err(StoreError::NotFound)));
    assert!(matches!(store.update_entry(etbe.id, 9, &edit).await, Err(StoreError::NotFound)));
    let deleted = store.delete_entry(raph.id, 0).await;
    assert!(matches!(deleted, Err(StoreError::NotFound)), "{deleted:?}");
}

#[tokio::test]
async fn writers_wait_for_another_writer_instead_of_failing() {
    let (store, db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    for i in 0..3 {
        store.create_entry(etbe.id, &draft("e", &[]), at(2010, 1, 1, i)).await.unwrap();
    }
    // Another connection holds the write lock (as a transaction dropped on an error path does
    // until its rollback runs) and lets go a moment later: each write waits for it, none fails
    // with "database is locked".
    let mut other = Other::connect(&db).await;
    other.lock_writes().await.unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        other.unlock().await;
    });
    let (new, edit) = (draft("new", &["a"]), draft("edited", &["b"]));
    let (created, updated, deleted) = tokio::join!(
        store.create_entry(etbe.id, &new, at(2011, 1, 1, 0)),
        store.update_entry(etbe.id, 1, &edit),
        store.delete_entry(etbe.id, 2),
    );
    release.await.unwrap();
    assert_eq!(created.unwrap().number, 3);
    assert_eq!(updated.unwrap().title, "edited");
    deleted.unwrap();
    assert_eq!(numbers(&store.entries_for_member(etbe.id, ALL).await.unwrap()), [3, 1, 0]);
}

#[tokio::test]
async fn diary_pages_at_zero_ten_and_eleven_entries() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let first_page = Page { start: 0, limit: 10 };
    let second_page = Page { start: 10, limit: 10 };
    assert!(store.entries_for_member(etbe.id, first_page).await.unwrap().is_empty());
    assert_eq!(store.entry_count_for_member(etbe.id).await.unwrap(), 0);

    for i in 0..10 {
        store.create_entry(etbe.id, &draft("e", &[]), at(2013, 1, 1, i)).await.unwrap();
    }
    let page = store.entries_for_member(etbe.id, first_page).await.unwrap();
    assert_eq!(numbers(&page), (0..10).rev().collect::<Vec<_>>());
    assert!(store.entries_for_member(etbe.id, second_page).await.unwrap().is_empty());
    assert_eq!(store.entry_count_for_member(etbe.id).await.unwrap(), 10);

    store.create_entry(etbe.id, &draft("e", &[]), at(2013, 1, 1, 10)).await.unwrap();
    let page = store.entries_for_member(etbe.id, first_page).await.unwrap();
    assert_eq!(numbers(&page), (1..11).rev().collect::<Vec<_>>());
    assert_eq!(numbers(&store.entries_for_member(etbe.id, second_page).await.unwrap()), [0]);
    assert_eq!(store.entry_count_for_member(etbe.id).await.unwrap(), 11);
    assert_eq!(store.entry_count_for_member(4242).await.unwrap(), 0);
}

#[tokio::test]
async fn entries_of_the_same_moment_order_by_number() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let moment = at(2014, 2, 3, 4);
    for _ in 0..3 {
        store.create_entry(etbe.id, &draft("same", &[]), moment).await.unwrap();
    }
    // Published earlier than the others, though written last.
    store.create_entry(etbe.id, &draft("old", &[]), moment - Duration::days(1)).await.unwrap();
    assert_eq!(numbers(&store.entries_for_member(etbe.id, ALL).await.unwrap()), [2, 1, 0, 3]);
}

#[tokio::test]
async fn month_archives_and_tag_counts() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    let plan = [
        (at(2010, 12, 31, 23), &["debian"][..]),
        (at(2011, 1, 1, 0), &["debian", "selinux"][..]),
        (at(2011, 1, 20, 0), &[][..]),
        (at(2011, 3, 5, 0), &["selinux"][..]),
        (at(2011, 3, 6, 0), &["debian"][..]),
    ];
    for (published, tags) in plan {
        store.create_entry(etbe.id, &draft("e", tags), published).await.unwrap();
    }
    store.create_entry(raph.id, &draft("r", &["debian"]), at(2011, 3, 1, 0)).await.unwrap();

    let months = store.archive_months(etbe.id).await.unwrap();
    let month = |year, month, count| ArchiveMonth { year, month, count };
    assert_eq!(months, [month(2011, 3, 2), month(2011, 1, 2), month(2010, 12, 1)]);

    let january = store.entries_for_month(etbe.id, 2011, 1).await.unwrap();
    assert_eq!(numbers(&january), [2, 1]);
    assert_eq!(january[1].tags, ["debian", "selinux"]);
    assert!(store.entries_for_month(etbe.id, 2011, 2).await.unwrap().is_empty());
    assert!(store.entries_for_month(etbe.id, 2011, 13).await.unwrap().is_empty());

    let tag = |tag: &str, count| TagCount { tag: tag.to_owned(), count };
    assert_eq!(
        store.tags_for_member(etbe.id).await.unwrap(),
        [tag("debian", 3), tag("selinux", 2)]
    );
    assert_eq!(store.tags_for_member(raph.id).await.unwrap(), [tag("debian", 1)]);

    let debian = store.entries_for_tag(etbe.id, "debian", ALL).await.unwrap();
    assert_eq!(numbers(&debian), [4, 1, 0]);
    let page = store.entries_for_tag(etbe.id, "debian", Page { start: 1, limit: 1 }).await.unwrap();
    assert_eq!(numbers(&page), [1]);
    assert_eq!(store.entry_count_for_tag(etbe.id, "debian").await.unwrap(), 3);
    assert_eq!(store.entry_count_for_tag(etbe.id, "nothing").await.unwrap(), 0);
    assert!(store.entries_for_tag(etbe.id, "nothing", ALL).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_recent_log_is_newest_first_without_suspended_authors() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    let spam = member(&store, "spammer").await;
    store.create_entry(etbe.id, &draft("e0", &[]), at(2015, 1, 1, 0)).await.unwrap();
    store.create_entry(raph.id, &draft("r0", &[]), at(2015, 1, 1, 2)).await.unwrap();
    store.create_entry(spam.id, &draft("s0", &[]), at(2015, 1, 1, 3)).await.unwrap();
    store.create_entry(etbe.id, &draft("e1", &[]), at(2015, 1, 1, 4)).await.unwrap();
    // Same moment as e1, written later: the later id comes first.
    store.create_entry(raph.id, &draft("r1", &["x"]), at(2015, 1, 1, 4)).await.unwrap();

    let titles = |entries: Vec<Entry>| entries.into_iter().map(|e| e.title).collect::<Vec<_>>();
    assert_eq!(
        titles(store.recent_entries(TrustLevel::Observer, ALL).await.unwrap()),
        ["r1", "e1", "s0", "r0", "e0"]
    );
    let log =
        store.recent_entries(TrustLevel::Observer, Page { start: 0, limit: 1 }).await.unwrap();
    assert_eq!(log[0].author.as_str(), "raph");
    assert_eq!(log[0].tags, ["x"]);

    store.set_suspended(&name("spammer"), true).await.unwrap();
    assert_eq!(
        titles(store.recent_entries(TrustLevel::Observer, ALL).await.unwrap()),
        ["r1", "e1", "r0", "e0"]
    );
    let page =
        store.recent_entries(TrustLevel::Observer, Page { start: 2, limit: 2 }).await.unwrap();
    assert_eq!(titles(page), ["r0", "e0"]);
    // The suspended member's own diary still holds the entry.
    assert_eq!(store.entries_for_member(spam.id, ALL).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_bulk_load_of_an_advogato_sized_diary() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    store.create_entry(etbe.id, &draft("before", &[]), at(2005, 1, 1, 0)).await.unwrap();
    let start = at(2006, 1, 1, 0);
    let items: Vec<_> = (0..1168_i64)
        .map(|i| {
            let tags: &[&str] = match i % 3 {
                0 => &["debian"],
                1 => &["selinux", "debian", "selinux"],
                _ => &[],
            };
            (draft(&format!("Post {i}"), tags), start + Duration::hours(12 * i))
        })
        .collect();
    assert_eq!(store.create_entries_bulk(etbe.id, &items).await.unwrap(), 1168);
    assert_eq!(store.entry_count_for_member(etbe.id).await.unwrap(), 1169);

    let oldest = store.entries_for_member(etbe.id, Page { start: 1160, limit: 10 }).await.unwrap();
    assert_eq!(numbers(&oldest), (0..9).rev().collect::<Vec<_>>());
    assert_eq!(oldest[0].title, "Post 7");
    assert_eq!(oldest[0].tags, ["debian", "selinux"]);
    assert_eq!(oldest[8].title, "before");

    let newest = store.entries_for_member(etbe.id, Page { start: 0, limit: 10 }).await.unwrap();
    assert_eq!(newest[0].number, 1168);
    assert_eq!(newest[0].title, "Post 1167");
    assert_eq!(newest[0].published, start + Duration::hours(12 * 1167));
    assert_eq!(newest[0].tags, ["debian"]);
    assert_eq!(newest[1].tags, Vec::<String>::new());
    assert_eq!(store.entry_count_for_tag(etbe.id, "debian").await.unwrap(), 779);
    assert_eq!(store.entry_count_for_tag(etbe.id, "selinux").await.unwrap(), 389);

    // Numbering carries on after the bulk load.
    let next = store.create_entry(etbe.id, &draft("after", &[]), at(2020, 1, 1, 0)).await.unwrap();
    assert_eq!(next.number, 1169);
    assert_eq!(store.create_entries_bulk(etbe.id, &[]).await.unwrap(), 0);
}

#[tokio::test]
async fn data_survives_closing_and_reopening() {
    let (store, db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let entry =
        store.create_entry(etbe.id, &draft("kept", &["t"]), at(2016, 1, 1, 0)).await.unwrap();
    let etbe = store.member_by_name(&name("etbe")).await.unwrap().unwrap();
    assert_eq!((etbe.entry_count, etbe.diary_version), (1, 1));
    store.close().await;

    let reopened = db.reopen().await;
    assert_eq!(reopened.member_by_name(&name("etbe")).await.unwrap(), Some(etbe.clone()));
    assert_eq!(reopened.entry_by_number(&name("etbe"), 0).await.unwrap(), Some(entry));
    let next =
        reopened.create_entry(etbe.id, &draft("next", &[]), at(2016, 1, 2, 0)).await.unwrap();
    assert_eq!(next.number, 1);
    reopened.close().await;
}

/// Pages cache the archive sidebar under `diary_version`: a write that did not bump it would
/// leave a stale sidebar on every node.
#[tokio::test]
async fn every_diary_write_bumps_the_diary_version() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let version = async |store: &virgule_store::Store| {
        store.member_by_name(&name("etbe")).await.unwrap().unwrap().diary_version
    };
    assert_eq!(version(&store).await, 0);
    store.create_entry(etbe.id, &draft("one", &["a"]), at(2016, 1, 1, 0)).await.unwrap();
    assert_eq!(version(&store).await, 1);
    store.update_entry(etbe.id, 0, &draft("one", &["b"])).await.unwrap();
    assert_eq!(version(&store).await, 2);
    store.create_entries_bulk(etbe.id, &[(draft("two", &[]), at(2016, 1, 2, 0))]).await.unwrap();
    assert_eq!(version(&store).await, 3);
    store.delete_entry(etbe.id, 0).await.unwrap();
    assert_eq!(version(&store).await, 4);
    assert_eq!(
        store.update_entry(etbe.id, 0, &draft("gone", &[])).await.err().map(|e| e.to_string()),
        Some("not found".into())
    );
    assert_eq!(version(&store).await, 4, "a failed edit changes nothing");
}

#[tokio::test]
async fn the_source_is_read_only_for_editing() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let written = draft("one", &[]);
    store.create_entry(etbe.id, &written, at(2016, 1, 1, 0)).await.unwrap();
    let source = store.entry_source(&name("etbe"), 0).await.unwrap();
    assert_eq!(source, Some(written.body_source.clone()));
    assert_eq!(store.entry_source(&name("etbe"), 1).await.unwrap(), None);
    assert_eq!(store.entry_source(&name("nobody"), 0).await.unwrap(), None);
}

#[tokio::test]
async fn the_recent_log_keeps_authors_at_or_above_the_threshold() {
    let (store, _db) = fresh_store().await;
    let levels =
        [TrustLevel::Observer, TrustLevel::Apprentice, TrustLevel::Journeyer, TrustLevel::Master];
    let mut assigned = Vec::new();
    for (hour, level) in levels.into_iter().enumerate() {
        let who = member(&store, level.key()).await;
        let title = level.key();
        let hour = u32::try_from(hour).unwrap();
        store.create_entry(who.id, &draft(title, &[]), at(2015, 1, 1, hour)).await.unwrap();
        assigned.push((who.id, level));
    }
    store.set_trust_levels(&assigned).await.unwrap();

    let titles = |entries: Vec<Entry>| entries.into_iter().map(|e| e.title).collect::<Vec<_>>();
    let expected: [&[&str]; 4] = [
        &["master", "journeyer", "apprentice", "observer"],
        &["master", "journeyer", "apprentice"],
        &["master", "journeyer"],
        &["master"],
    ];
    for (threshold, want) in levels.into_iter().zip(expected) {
        let log = store.recent_entries(threshold, ALL).await.unwrap();
        // Each entry carries its author's level, read with it.
        for entry in &log {
            assert_eq!(entry.author_level.key(), entry.author.as_str(), "{threshold:?}");
        }
        assert_eq!(titles(log), want, "threshold {threshold:?}");
    }
    // Paging counts only the entries that pass.
    let second = store.recent_entries(TrustLevel::Apprentice, Page { start: 1, limit: 1 });
    assert_eq!(titles(second.await.unwrap()), ["journeyer"]);
    // A suspended Master is out at every threshold.
    store.set_suspended(&name("master"), true).await.unwrap();
    assert!(store.recent_entries(TrustLevel::Master, ALL).await.unwrap().is_empty());

    // Other reads carry the level too; a member not yet computed is an Observer.
    let read = store.entry_by_number(&name("journeyer"), 0).await.unwrap().unwrap();
    assert_eq!(read.author_level, TrustLevel::Journeyer);
    let newcomer = member(&store, "newcomer").await;
    let made = store.create_entry(newcomer.id, &draft("n", &[]), at(2016, 1, 1, 0)).await;
    assert_eq!(made.unwrap().author_level, TrustLevel::Observer);
    let edited = store.update_entry(newcomer.id, 0, &draft("n2", &[])).await.unwrap();
    assert_eq!(edited.author_level, TrustLevel::Observer);

    // Entries written after a level is set, and after a suspension ends, are placed by it.
    store.set_trust_levels(&[(newcomer.id, TrustLevel::Journeyer)]).await.unwrap();
    store.create_entry(newcomer.id, &draft("later", &[]), at(2017, 1, 1, 0)).await.unwrap();
    let journeyers = store.recent_entries(TrustLevel::Journeyer, ALL).await.unwrap();
    assert_eq!(titles(journeyers), ["later", "n2", "journeyer"]);
    store.set_suspended(&name("master"), false).await.unwrap();
    let masters = store.recent_entries(TrustLevel::Master, ALL).await.unwrap();
    assert_eq!(titles(masters), ["master"]);
}

/// An entry as its writer cannot choose: everything but the database id.
fn stored_shape(entry: Entry) -> Entry {
    Entry { id: 0, ..entry }
}

async fn entry_zero(store: &virgule_store::Store, who: &str) -> Entry {
    store.entry_by_number(&name(who), 0).await.unwrap().unwrap()
}

/// Every writer of entries goes through the store's one insert, so they cannot disagree on
/// what a row is: the same draft written by the form or API (`create_entry`) and by a bulk
/// load (`virgule demo`) reads back the same (number, tags as stored, times to the
/// microsecond, archive month, counts, place in the recent log), a feed's post follows the
/// same rules, and a site import writes each of them back as it was.
#[tokio::test]
async fn every_writer_of_entries_stores_the_same_row() {
    let (store, _db) = fresh_store().await;
    let single = member(&store, "single").await;
    let bulk = member(&store, "bulk").await;
    let feed = member(&store, "feed").await;
    // Nanoseconds neither backend keeps; tags as typed, repeated and with a control character.
    let when = at(2015, 3, 4, 5) + Duration::nanoseconds(123_456_789);
    let kept = at(2015, 3, 4, 5) + Duration::microseconds(123_456);
    let typed = draft("Same", &["zebra", "apple", "zebra", "ap\u{1}ple"]);

    let created = store.create_entry(single.id, &typed, when).await.unwrap();
    store.create_entries_bulk(bulk.id, &[(typed.clone(), when)]).await.unwrap();
    assert_eq!(created, entry_zero(&store, "single").await, "create_entry returns what it stored");
    let (one, many) = (entry_zero(&store, "single").await, entry_zero(&store, "bulk").await);
    assert_eq!((one.number, one.published, one.updated), (0, kept, kept));
    assert_eq!(one.tags, ["apple", "zebra"]);
    assert_eq!(stored_shape(Entry { author: name("bulk"), ..one }), stored_shape(many));
    for who in [&single, &bulk] {
        assert_eq!(store.entry_count_for_member(who.id).await.unwrap(), 1);
        assert_eq!(
            store.archive_months(who.id).await.unwrap(),
            [ArchiveMonth { year: 2015, month: 3, count: 1 }]
        );
        let source = store.entry_source(&who.name, 0).await.unwrap();
        assert_eq!(source.as_deref(), Some(typed.body_source.as_str()));
    }

    // A feed's new post: the same numbering, tag rule and truncation, in HTML with its footer.
    store.subscribe_feed(feed.id, "https://feed.example/", at(2016, 1, 1, 0)).await.unwrap();
    let claim =
        store.claim_due_feeds(at(2016, 1, 1, 0), Duration::minutes(2), 10).await.unwrap().remove(0);
    let mut post = crate::support::post("p1", when);
    post.tags = vec!["zebra".to_owned(), "apple".to_owned(), "zebra".to_owned()];
    let fetched = virgule_store::FetchRecord {
        at: at(2016, 1, 1, 0),
        url: "https://feed.example/".to_owned(),
        etag: None,
        last_modified: None,
        result: virgule_store::FetchResult::Fetched {
            title: "Feed".to_owned(),
            site_link: None,
            creates: vec![post.clone()],
            updates: vec![],
            warnings: vec![],
        },
        next_fetch_at: at(2016, 1, 1, 1),
    };
    store.record_feed_fetch(&claim, &fetched).await.unwrap();
    let syndicated = entry_zero(&store, "feed").await;
    assert_eq!((syndicated.number, syndicated.published, syndicated.updated), (0, kept, kept));
    assert_eq!(syndicated.tags, ["apple", "zebra"]);
    assert_eq!(syndicated.format, virgule_store::EntryFormat::Html);
    let origin = syndicated.syndicated.as_ref().unwrap();
    assert_eq!(
        (origin.feed_title.as_str(), origin.original_url.as_ref()),
        (post.feed_title.as_str(), post.original_url.as_ref())
    );
    assert_eq!(store.entry_source(&name("feed"), 0).await.unwrap(), Some(post.html.clone()));
    assert_eq!(store.entry_count_for_member(feed.id).await.unwrap(), 1);
    let recent = store.recent_entries(TrustLevel::Observer, ALL).await.unwrap();
    assert_eq!(recent.len(), 3, "all three in the recent log");

    // A site import writes each of them back through the same insert.
    let mut lines = Vec::new();
    store
        .export_site(at(2026, 1, 1, 0), |record| {
            lines.push(virgule_store::site::to_line(record));
            Ok(())
        })
        .await
        .unwrap();
    let (target, _target_db) = fresh_store().await;
    let records = lines.iter().zip(1..).map(|(line, n)| virgule_store::site::parse_line(n, line));
    target.import_site(records, |_| {}).await.unwrap();
    for who in ["single", "bulk", "feed"] {
        assert_eq!(
            stored_shape(entry_zero(&target, who).await),
            stored_shape(entry_zero(&store, who).await),
            "{who}"
        );
        let source = target.entry_source(&name(who), 0).await.unwrap();
        assert_eq!(source, store.entry_source(&name(who), 0).await.unwrap(), "{who}");
    }
    let moved = target.recent_entries(TrustLevel::Observer, ALL).await.unwrap();
    assert_eq!(moved.into_iter().map(stored_shape).collect::<Vec<_>>(), {
        recent.into_iter().map(stored_shape).collect::<Vec<_>>()
    });
}
