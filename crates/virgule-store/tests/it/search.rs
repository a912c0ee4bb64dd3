//! Full-text search on the backend under test: ranking, snippets, the query forms, filters,
//! paging, and the index following every kind of write.

use std::task::Poll;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use virgule_store::testing::fresh_store;
use virgule_store::{
    ArticleDraft, Backend, EntryDraft, EntryFormat, HitPlace, MATCH_END, MATCH_START, Member, Page,
    ReplyDraft, ReplyPlace, ReplyTarget, SearchFilter, SearchKind, SearchQuery, SearchResults,
    SearchTerm, Store, StoreError, SyndicatedDraft,
};

use crate::feeds::{claim_all, fetched};
use crate::support::{at, member, name, post};

const FIRST: Page = Page { start: 0, limit: 10 };

fn words(all: &[&str]) -> SearchQuery {
    SearchQuery {
        all: all.iter().map(|t| SearchTerm { text: (*t).to_owned(), prefix: false }).collect(),
        ..SearchQuery::default()
    }
}

fn entry(title: &str, html: &str) -> EntryDraft {
    EntryDraft {
        title: title.to_owned(),
        format: EntryFormat::Html,
        body_source: html.to_owned(),
        html: html.to_owned(),
        tags: vec![],
    }
}

async fn write(store: &Store, who: &Member, title: &str, html: &str, when: DateTime<Utc>) {
    store.create_entry(who.id, &entry(title, html), when).await.unwrap();
}

async fn find(store: &Store, query: &SearchQuery) -> SearchResults {
    store.search(query, &SearchFilter::default(), FIRST).await.unwrap()
}

/// The titles found, best first.
async fn titles(store: &Store, query: &SearchQuery) -> Vec<String> {
    find(store, query).await.hits.into_iter().map(|h| h.title).collect()
}

#[tokio::test]
async fn the_best_match_comes_first_with_its_words_marked() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    write(
        &store,
        &etbe,
        "Cooking",
        "<p>Soup, and a word on Debian at the end.</p>",
        at(2016, 1, 3, 0),
    )
    .await;
    write(
        &store,
        &etbe,
        "Debian packaging",
        "<p>How I build <b>Debian</b> packages.</p>",
        at(2016, 1, 1, 0),
    )
    .await;
    write(
        &store,
        &etbe,
        "SE Linux",
        "<p>Policy modules for Debian, Debian and more Debian.</p>",
        at(2016, 1, 2, 0),
    )
    .await;
    write(&store, &etbe, "Unrelated", "<p>Nothing to see.</p>", at(2016, 1, 4, 0)).await;

    let results = find(&store, &words(&["debian"])).await;
    assert_eq!(results.total, 3);
    let ranked: Vec<&str> = results.hits.iter().map(|h| h.title.as_str()).collect();
    // A title match weighs most; then the text that says it most often.
    assert_eq!(ranked, ["Debian packaging", "SE Linux", "Cooking"]);
    let best = &results.hits[0];
    assert_eq!(best.kind, SearchKind::Entry);
    assert_eq!(best.place, HitPlace::Entry { author: name("etbe"), number: 1 });
    assert_eq!(best.author, name("etbe"));
    assert_eq!(best.published, at(2016, 1, 1, 0));
    assert!(
        best.snippet.contains(&format!("{MATCH_START}Debian{MATCH_END} packages")),
        "{:?}",
        best.snippet
    );
    // Markup is not text: tag and attribute names find nothing.
    assert_eq!(find(&store, &words(&["b"])).await.total, 0);
    // Stemming: "packages" is found by "package", "build" by "building".
    assert_eq!(titles(&store, &words(&["package"])).await, ["Debian packaging"]);
    assert_eq!(titles(&store, &words(&["building"])).await, ["Debian packaging"]);
}

#[tokio::test]
async fn phrases_prefixes_and_exclusions() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    write(&store, &etbe, "One", "<p>Free software is about freedom.</p>", at(2016, 1, 1, 0)).await;
    write(&store, &etbe, "Two", "<p>Software that is free of charge.</p>", at(2016, 1, 2, 0)).await;
    write(
        &store,
        &etbe,
        "Three",
        "<p>The Debianization of everything, on debian.org.</p>",
        at(2016, 1, 3, 0),
    )
    .await;

    let mut both = titles(&store, &words(&["free", "software"])).await;
    both.sort();
    assert_eq!(both, ["One", "Two"]);
    assert_eq!(titles(&store, &words(&["free software"])).await, ["One"]);
    let prefix = SearchQuery {
        all: vec![SearchTerm { text: "debi".to_owned(), prefix: true }],
        ..SearchQuery::default()
    };
    assert_eq!(titles(&store, &prefix).await, ["Three"]);
    assert_eq!(titles(&store, &words(&["debi"])).await, Vec::<String>::new());
    assert_eq!(titles(&store, &words(&["debian.org"])).await, ["Three"]);
    let without = SearchQuery {
        all: vec![SearchTerm { text: "software".to_owned(), prefix: false }],
        none: vec![SearchTerm { text: "freedom".to_owned(), prefix: false }],
        ..SearchQuery::default()
    };
    assert_eq!(titles(&store, &without).await, ["Two"]);
    // Quotes and operators in a term are text, not syntax.
    assert_eq!(titles(&store, &words(&["\"free\" OR NOT software*"])).await, Vec::<String>::new());
}

#[tokio::test]
async fn filters_paging_and_every_kind() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    for day in 1..=12 {
        write(
            &store,
            &etbe,
            &format!("Kernel day {day}"),
            "<p>kernel notes</p>",
            at(2016, 1, day, 0),
        )
        .await;
    }
    write(&store, &raph, "Raph on kernels", "<p>kernel thoughts</p>", at(2016, 2, 1, 0)).await;
    let article = store
        .create_article(
            raph.id,
            &ArticleDraft {
                title: "The kernel article".to_owned(),
                format: EntryFormat::Html,
                lead_source: String::new(),
                lead_html: "<p>A lead about the kernel.</p>".to_owned(),
                body_source: String::new(),
                html: "<p>Body.</p>".to_owned(),
            },
        )
        .await
        .unwrap();
    let reply = ReplyDraft {
        format: EntryFormat::Html,
        body_source: String::new(),
        html: "<p>My kernel panicked &amp; rebooted.</p>".to_owned(),
    };
    let answer =
        store.create_reply(ReplyTarget::Article(article.id), None, etbe.id, &reply).await.unwrap();

    let query = words(&["kernel"]);
    let all = find(&store, &query).await;
    assert_eq!(all.total, 15);
    assert_eq!(all.hits.len(), 10);
    let second = store
        .search(&query, &SearchFilter::default(), Page { start: 10, limit: 10 })
        .await
        .unwrap();
    assert_eq!((second.total, second.hits.len()), (15, 5));
    let past = store
        .search(&query, &SearchFilter::default(), Page { start: 40, limit: 10 })
        .await
        .unwrap();
    assert_eq!((past.total, past.hits.len()), (15, 0));
    let mut seen: Vec<_> = all.hits.iter().chain(&second.hits).map(|h| h.place.clone()).collect();
    seen.sort_by_key(|p| format!("{p:?}"));
    seen.dedup();
    assert_eq!(seen.len(), 15, "pages neither repeat nor skip");

    let only = |filter: SearchFilter| {
        let store = store.clone();
        let query = query.clone();
        async move { store.search(&query, &filter, Page { start: 0, limit: 100 }).await.unwrap() }
    };
    let by_raph = only(SearchFilter { author: Some(raph.id), ..SearchFilter::default() }).await;
    assert_eq!(by_raph.total, 2);
    let replies =
        only(SearchFilter { kinds: vec![SearchKind::Reply], ..SearchFilter::default() }).await;
    assert_eq!(replies.total, 1);
    let hit = &replies.hits[0];
    assert_eq!(
        hit.place,
        HitPlace::Reply { id: answer.id, on: ReplyPlace::Article(article.number) }
    );
    assert_eq!(hit.title, "The kernel article");
    assert_eq!(hit.author, name("etbe"));
    assert!(hit.snippet.contains("panicked & rebooted"), "{:?}", hit.snippet);
    let articles =
        only(SearchFilter { kinds: vec![SearchKind::Article], ..SearchFilter::default() }).await;
    assert_eq!(articles.hits[0].place, HitPlace::Article(article.number));
    let january = only(SearchFilter {
        since: Some(at(2016, 1, 5, 0)),
        before: Some(at(2016, 1, 8, 0)),
        ..SearchFilter::default()
    })
    .await;
    let mut days: Vec<String> = january.hits.into_iter().map(|h| h.title).collect();
    days.sort();
    assert_eq!(days, ["Kernel day 5", "Kernel day 6", "Kernel day 7"]);
    // A period over whole years and months at either end finds what falls inside it: the
    // 13 entries of 2016, or the article and the reply written now.
    let around = |since, before| only(SearchFilter { since, before, ..SearchFilter::default() });
    assert_eq!(around(Some(at(2015, 11, 15, 0)), Some(at(2017, 2, 1, 0))).await.total, 13);
    assert_eq!(around(Some(at(2014, 1, 1, 0)), Some(at(2016, 1, 1, 0))).await.total, 0);
    assert_eq!(around(Some(at(2016, 1, 7, 0)), Some(at(2019, 1, 1, 0))).await.total, 7);
    let now = Utc::now();
    let today =
        around(Some(now - chrono::Duration::days(400)), Some(now + chrono::Duration::days(1)));
    assert_eq!(today.await.total, 2);
}

#[tokio::test]
async fn the_index_follows_edits_deletes_feeds_replies_and_spam() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    write(&store, &etbe, "First", "<p>about walruses</p>", at(2016, 1, 1, 0)).await;
    store.update_entry(etbe.id, 0, &entry("First, edited", "<p>about narwhals</p>")).await.unwrap();
    assert_eq!(find(&store, &words(&["walruses"])).await.total, 0);
    assert_eq!(titles(&store, &words(&["narwhals"])).await, ["First, edited"]);
    assert_eq!(titles(&store, &words(&["edited"])).await, ["First, edited"]);
    store.delete_entry(etbe.id, 0).await.unwrap();
    assert_eq!(find(&store, &words(&["narwhals"])).await.total, 0);

    // A feed's new post, then its edit.
    let now = at(2016, 2, 4, 12);
    store.subscribe_feed(etbe.id, "https://blog.example/feed", now).await.unwrap();
    let claim = claim_all(&store, now).await.remove(0);
    let first = SyndicatedDraft {
        html: "<p>octopus garden</p>".to_owned(),
        ..post("a", at(2016, 2, 1, 0))
    };
    store.record_feed_fetch(&claim, &fetched(&claim, vec![first], vec![])).await.unwrap();
    assert_eq!(titles(&store, &words(&["octopus"])).await, ["Post a"]);
    let claim = claim_all(&store, at(2016, 2, 6, 0)).await.remove(0);
    let edited = SyndicatedDraft {
        html: "<p>squid garden</p>".to_owned(),
        content_hash: "hash-a2".to_owned(),
        ..post("a", at(2016, 2, 1, 0))
    };
    store.record_feed_fetch(&claim, &fetched(&claim, vec![], vec![edited])).await.unwrap();
    assert_eq!(find(&store, &words(&["octopus"])).await.total, 0);
    assert_eq!(titles(&store, &words(&["squid"])).await, ["Post a"]);

    // Replies: written, edited, deleted.
    let target = store.entry_by_number(&name("etbe"), 1).await.unwrap().unwrap();
    let said = |html: &str| ReplyDraft {
        format: EntryFormat::Html,
        body_source: String::new(),
        html: html.to_owned(),
    };
    let reply = store
        .create_reply(
            ReplyTarget::Entry(target.id),
            None,
            raph.id,
            &said("<p>lovely cuttlefish</p>"),
        )
        .await
        .unwrap();
    let hit = find(&store, &words(&["cuttlefish"])).await.hits.remove(0);
    assert_eq!(
        hit.place,
        HitPlace::Reply { id: reply.id, on: ReplyPlace::Entry { author: name("etbe"), number: 1 } }
    );
    assert_eq!(hit.title, "Post a");
    store.update_reply(reply.id, raph.id, &said("<p>lovely nautilus</p>")).await.unwrap();
    assert_eq!(find(&store, &words(&["cuttlefish"])).await.total, 0);
    assert_eq!(find(&store, &words(&["nautilus"])).await.total, 1);
    store.delete_reply(reply.id, raph.id).await.unwrap();
    assert_eq!(find(&store, &words(&["nautilus"])).await.total, 0);

    // A suspended author's writing is not found, and is again once reinstated.
    store.set_suspended(&name("etbe"), true).await.unwrap();
    assert_eq!(find(&store, &words(&["squid"])).await.total, 0);
    store.set_suspended(&name("etbe"), false).await.unwrap();
    assert_eq!(find(&store, &words(&["squid"])).await.total, 1);
}

#[tokio::test]
async fn past_the_candidates_title_matches_come_first_then_the_newest() {
    let (store, _db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let raph = member(&store, "raph").await;
    // An old entry with the word in its title, then more entries saying it than a search ranks.
    write(&store, &etbe, "Walrus facts", "<p>Tusks of the walrus.</p>", at(2001, 1, 1, 0)).await;
    let many = virgule_store::CANDIDATES as usize + 5;
    let items: Vec<(EntryDraft, DateTime<Utc>)> = (0..many)
        .map(|n| {
            let when = at(2010, 1, 1, 0) + chrono::Duration::hours(n as i64);
            (entry(&format!("Note {n}"), "<p>a walrus again</p>"), when)
        })
        .collect();
    store.create_entries_bulk(etbe.id, &items).await.unwrap();
    write(&store, &raph, "Raph's walrus", "<p>walrus</p>", at(2011, 1, 1, 0)).await;

    let results = find(&store, &words(&["walrus"])).await;
    assert!(results.more, "more match than are counted");
    assert_eq!(results.total, virgule_store::CANDIDATES);
    let shown: Vec<&str> = results.hits.iter().map(|h| h.title.as_str()).collect();
    // Every match with the word in its title, newest first (however old), then the newest
    // of the rest.
    assert_eq!(shown[0], "Raph's walrus");
    assert_eq!(shown[1], "Walrus facts");
    assert_eq!(shown[2], format!("Note {}", many - 1));
    assert_eq!(shown[3], format!("Note {}", many - 2));
    // The same order under an author, and without the matches an excluded word is in (in
    // the title or in the text).
    let by_etbe = SearchFilter { author: Some(etbe.id), ..SearchFilter::default() };
    let hers = store.search(&words(&["walrus"]), &by_etbe, FIRST).await.unwrap();
    assert!(hers.more);
    assert_eq!(hers.hits[0].title, "Walrus facts");
    assert_eq!(hers.hits[1].title, format!("Note {}", many - 1));
    let mut without = words(&["walrus"]);
    without.none = words(&["tusks", "raph"]).all;
    let rest = find(&store, &without).await;
    let titles: Vec<&str> = rest.hits.iter().map(|h| h.title.as_str()).collect();
    assert_eq!(titles.len(), 10, "a full page: {titles:?}");
    assert_eq!(titles[0], format!("Note {}", many - 1));
    // The second page goes on from there.
    let second = store
        .search(&words(&["walrus"]), &SearchFilter::default(), Page { start: 10, limit: 10 })
        .await
        .unwrap();
    assert_eq!(second.hits[0].title, format!("Note {}", many - 9));
    // Below the bound, the same word is ranked by relevance and counted exactly.
    let by_raph = SearchFilter { author: Some(raph.id), ..SearchFilter::default() };
    let exact = store.search(&words(&["walrus"]), &by_raph, FIRST).await.unwrap();
    assert_eq!((exact.total, exact.more, exact.hits.len()), (1, false, 1));
    let old = find(&store, &words(&["walrus", "facts"])).await;
    assert_eq!((old.total, old.more), (1, false));
    assert_eq!(old.hits[0].title, "Walrus facts");
}

/// A reader's search that runs past its time budget is stopped and says so, and gives its
/// connection back as it found it: the searches after it, under the budget as it ships, find
/// what they should, also after searches dropped half-way (a reader who went away).
#[tokio::test]
async fn a_search_past_its_budget_is_stopped_and_leaves_the_pool_as_it_was() {
    let (store, db) = fresh_store().await;
    let etbe = member(&store, "etbe").await;
    let items: Vec<(EntryDraft, DateTime<Utc>)> = (0..200)
        .map(|n| {
            let when = at(2010, 1, 1, 0) + chrono::Duration::hours(n);
            (entry(&format!("Walrus {n}"), "<p>The walrus and the carpenter.</p>"), when)
        })
        .collect();
    store.create_entries_bulk(etbe.id, &items).await.unwrap();
    let walrus = words(&["walrus"]);
    let search = |store: Store| {
        let walrus = walrus.clone();
        async move { store.search(&walrus, &SearchFilter::default(), FIRST).await }
    };

    match store.backend() {
        // The deadline has passed at the progress handler's first look at the clock.
        Backend::Sqlite => {
            let hurried = store.clone().with_search_budget(Duration::ZERO);
            for _ in 0..3 {
                let stopped = search(hurried.clone()).await;
                assert!(matches!(stopped, Err(StoreError::SearchOverBudget)), "{stopped:?}");
            }
        }
        // Another connection holds the entries table, so the search would wait for its lock
        // as long as it is held; `statement_timeout` stops it at the budget.
        Backend::Postgres => {
            let url = db.database_url().unwrap();
            let mut holder = PgConnection::connect(url).await.unwrap();
            sqlx::query("BEGIN").execute(&mut holder).await.unwrap();
            sqlx::query("LOCK TABLE entries IN ACCESS EXCLUSIVE MODE")
                .execute(&mut holder)
                .await
                .unwrap();
            let hurried = store.clone().with_search_budget(Duration::from_millis(300));
            let started = Instant::now();
            let stopped = search(hurried).await;
            assert!(matches!(stopped, Err(StoreError::SearchOverBudget)), "{stopped:?}");
            assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
            sqlx::query("ROLLBACK").execute(&mut holder).await.unwrap();
        }
    }
    // Searches dropped at every point of their work, each under a budget already spent: a
    // connection given back with its handler still set would stop the next statement run on
    // it (related posts' search, which has no budget, reads enough to be stopped).
    let hurried = store.clone().with_search_budget(Duration::ZERO);
    for turns in 0..300 {
        abandon_after(search(hurried.clone()), turns).await;
    }
    for _ in 0..20 {
        let related = store.best_matching_entries(&walrus, None, 5).await.unwrap();
        assert_eq!(related.len(), 5);
        let found = search(store.clone()).await.unwrap();
        assert_eq!(found.total, 200);
        assert_eq!(found.hits.len(), 10);
    }
}

/// Polls `work` until it is done or `turns` turns of the runtime have passed, then drops it
/// (the runtime's timers are too coarse to stop a search half-way).
async fn abandon_after<F: Future>(work: F, turns: usize) {
    let mut work = std::pin::pin!(work);
    for _ in 0..turns {
        let done = std::future::poll_fn(|cx| Poll::Ready(work.as_mut().poll(cx).is_ready())).await;
        if done {
            return;
        }
        tokio::task::yield_now().await;
    }
}
