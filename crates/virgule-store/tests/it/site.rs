//! `export_site` / `import_site`: a site with every kind of row survives the round trip
//! (export, import into a fresh database, export again: the same file), and bad files are
//! refused by line without leaving anything behind.

use chrono::Duration;
use virgule_store::site::{SiteError, SiteRecord, parse_line, to_line};
use virgule_store::testing::fresh_store;
use virgule_store::{
    ArticleDraft, CertLevel, EntryDraft, EntryFormat, FetchRecord, FetchResult, MAX_FEED_WARNINGS,
    Page, ProfileUpdate, ReplyDraft, ReplyTarget, Store, TrustLevel,
};

use crate::support::{Other, at, draft, member, name, post};

const ALL: Page = Page { start: 0, limit: 1000 };
const LEASE: Duration = Duration::minutes(2);

/// A small site with a row of every kind the file carries.
/// What Bob's last read of his feed recovered from.
const BOB_WARNING: &str = "entry 2: date 2099-01-01T00:00:00Z is in the future; clamped";

async fn build_site(store: &Store) {
    let alice = member(store, "alice").await; // the first member: the admin
    let bob = member(store, "bob").await;
    let carol = member(store, "carol").await;
    let dave = member(store, "dave").await;
    store
        .update_profile(
            alice.id,
            &ProfileUpdate {
                display_name: "Alice A.".to_owned(),
                homepage: "https://alice.example/".to_owned(),
                notes_source: "I *hack*.".to_owned(),
                notes_html: "<p>I <em>hack</em>.</p>".to_owned(),
            },
        )
        .await
        .unwrap();
    store.set_password_hash(bob.id, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA").await.unwrap();
    store.create_api_token("token-hash-alice", alice.id).await.unwrap();
    store.create_api_token("token-hash-bob", bob.id).await.unwrap();
    store.create_api_token("token-hash-dave", dave.id).await.unwrap();
    store.set_suspended(&name("dave"), true).await.unwrap();

    // Entries in both formats, with tags, interleaved between members; one deleted, so
    // alice's next number is above her highest.
    store
        .create_entry(alice.id, &draft("First", &["zebra", "apple"]), at(2015, 1, 1, 9))
        .await
        .unwrap();
    let html = EntryDraft {
        title: "Raw".to_owned(),
        format: EntryFormat::Html,
        body_source: "<b>raw</b>".to_owned(),
        html: "<b>raw</b>".to_owned(),
        tags: vec!["html".to_owned()],
    };
    store.create_entry(carol.id, &html, at(2015, 1, 1, 9)).await.unwrap();
    store.create_entry(alice.id, &draft("Second", &[]), at(2015, 1, 2, 9)).await.unwrap();
    store.create_entry(alice.id, &draft("Gone", &["x"]), at(2015, 1, 3, 9)).await.unwrap();
    store.delete_entry(alice.id, 2).await.unwrap();
    store.update_entry(alice.id, 1, &draft("Second, edited", &["edit"])).await.unwrap();

    // Certifications in an order that is not alphabetical.
    store.certify(carol.id, alice.id, CertLevel::Master).await.unwrap();
    store.certify(bob.id, alice.id, CertLevel::Journeyer).await.unwrap();
    store.certify(alice.id, carol.id, CertLevel::Apprentice).await.unwrap();
    store.certify(alice.id, bob.id, CertLevel::Master).await.unwrap();
    store.certify(bob.id, carol.id, CertLevel::Journeyer).await.unwrap();
    store
        .set_trust_levels(&[(alice.id, TrustLevel::Master), (bob.id, TrustLevel::Journeyer)])
        .await
        .unwrap();

    // Bob's feed: two posts, one then deleted (a tombstone), then a failed fetch.
    let now = at(2016, 2, 4, 12);
    store.subscribe_feed(bob.id, "https://bob.example/feed", now).await.unwrap();
    let claim = store.claim_due_feeds(now, LEASE, 10).await.unwrap().remove(0);
    let fetched = FetchRecord {
        at: at(2016, 2, 5, 0),
        url: "https://bob.example/feed".to_owned(),
        etag: Some("\"v1\"".to_owned()),
        last_modified: Some("Fri, 05 Feb 2016 00:00:00 GMT".to_owned()),
        result: FetchResult::Fetched {
            title: "Bob's blog".to_owned(),
            site_link: Some("https://bob.example/".to_owned()),
            creates: vec![post("p1", at(2016, 2, 1, 0)), post("p2", at(2016, 2, 2, 0))],
            updates: vec![],
            warnings: vec![BOB_WARNING.to_owned()],
        },
        next_fetch_at: at(2016, 2, 5, 1),
    };
    store.record_feed_fetch(&claim, &fetched).await.unwrap();
    store.delete_entry(bob.id, 0).await.unwrap();
    let claim = store.claim_due_feeds(at(2016, 2, 6, 0), LEASE, 10).await.unwrap().remove(0);
    let failed = FetchRecord {
        at: at(2016, 2, 6, 0),
        result: FetchResult::Failed { error: "the server answered 500".to_owned(), gone: false },
        next_fetch_at: at(2016, 2, 6, 2),
        ..fetched
    };
    store.record_feed_fetch(&claim, &failed).await.unwrap();

    store
        .create_news(alice.id, "Welcome", "Hello *all*", "<p>Hello <em>all</em></p>")
        .await
        .unwrap();

    // Articles and threads: an answer deleted while answered stays a placeholder; carol
    // closes her diary to replies.
    let first = store.create_article(carol.id, &article_draft("Carol's news")).await.unwrap();
    store.create_article(alice.id, &article_draft("Alice's view")).await.unwrap();
    let on_article = ReplyTarget::Article(first.id);
    let top = store.create_reply(on_article, None, bob.id, &reply_draft("top")).await.unwrap();
    let mid =
        store.create_reply(on_article, Some(top.id), carol.id, &reply_draft("mid")).await.unwrap();
    store.create_reply(on_article, Some(mid.id), alice.id, &reply_draft("deep")).await.unwrap();
    store.delete_reply(mid.id, carol.id).await.unwrap();
    let entry = store.entry_by_number(&name("alice"), 0).await.unwrap().unwrap();
    store
        .create_reply(ReplyTarget::Entry(entry.id), None, carol.id, &reply_draft("on entry"))
        .await
        .unwrap();
    store.set_replies_open(carol.id, false).await.unwrap();
}

fn article_draft(title: &str) -> ArticleDraft {
    ArticleDraft {
        title: title.to_owned(),
        format: EntryFormat::Markdown,
        lead_source: "The *lead*".to_owned(),
        lead_html: "<p>The <em>lead</em></p>".to_owned(),
        body_source: "Body".to_owned(),
        html: "<p>Body</p>".to_owned(),
    }
}

fn reply_draft(text: &str) -> ReplyDraft {
    ReplyDraft {
        format: EntryFormat::Markdown,
        body_source: text.to_owned(),
        html: format!("<p>{text}</p>"),
    }
}

/// A thread as (author, parent's author, text, deleted), in posting order.
async fn thread_of(
    store: &Store,
    target: ReplyTarget,
) -> Vec<(String, Option<String>, String, bool)> {
    let replies = store.replies_for(target).await.unwrap();
    let author_of = |id: Option<i64>| {
        id.map(|id| replies.iter().find(|r| r.id == id).unwrap().author.to_string())
    };
    replies
        .iter()
        .map(|r| (r.author.to_string(), author_of(r.parent), r.html.clone(), r.deleted))
        .collect()
}

async fn export(store: &Store) -> Vec<String> {
    let mut lines = Vec::new();
    store
        .export_site(at(2026, 11, 23, 12), |record| {
            lines.push(to_line(record));
            Ok(())
        })
        .await
        .unwrap();
    lines
}

async fn import(
    store: &Store,
    lines: &[String],
) -> Result<virgule_store::site::SiteCounts, SiteError> {
    let records = lines.iter().zip(1..).map(|(line, n)| parse_line(n, line));
    store.import_site(records, |_| {}).await
}

/// Certifications as (issuer, subject, level) names, in the metric's order (by id).
async fn certs_by_name(store: &Store) -> Vec<(String, String, CertLevel)> {
    let members = store.members_by_id().await.unwrap();
    let name_of = |id: i64| members.iter().find(|m| m.id == id).unwrap().name.to_string();
    store
        .all_certs()
        .await
        .unwrap()
        .into_iter()
        .map(|(i, s, level)| (name_of(i), name_of(s), level))
        .collect()
}

#[tokio::test]
async fn a_site_survives_export_and_import_unchanged() {
    let (source, _a) = fresh_store().await;
    build_site(&source).await;
    let first = export(&source).await;

    let (target, _b) = fresh_store().await;
    let counts = import(&target, &first).await.unwrap();
    assert_eq!(
        (counts.members, counts.api_tokens, counts.entries, counts.certs, counts.feeds),
        (4, 2, 4, 5, 1),
        "dave's token went with his suspension; alice and bob lost an entry each"
    );
    assert_eq!((counts.feed_items, counts.news), (2, 1));
    let second = export(&target).await;
    assert_eq!(first[1..], second[1..], "the same file but for the header's time");
    assert!(first[0].contains("\"type\":\"virgule-site\""), "{}", first[0]);
    assert!(first.last().unwrap().starts_with("{\"type\":\"end\""), "{}", first.last().unwrap());

    // Logins: the same password hash; API tokens: the same hash finds the same member.
    for who in ["alice", "bob", "dave"] {
        let before = source.member_with_password_hash(&name(who)).await.unwrap().unwrap();
        let after = target.member_with_password_hash(&name(who)).await.unwrap().unwrap();
        assert_eq!(before.1, after.1, "{who}'s password hash");
        let (b, a) = (before.0, after.0);
        assert_eq!(
            (&b.name, &b.display_name, &b.email, &b.homepage, &b.notes_html, b.created_at),
            (&a.name, &a.display_name, &a.email, &a.homepage, &a.notes_html, a.created_at)
        );
        assert_eq!(
            (b.is_admin, b.suspended, b.entry_count, b.diary_version, b.trust_level),
            (a.is_admin, a.suspended, a.entry_count, a.diary_version, a.trust_level),
            "{who}"
        );
    }
    let alice = target.member_by_name(&name("alice")).await.unwrap().unwrap();
    assert!(alice.is_admin);
    assert_eq!((alice.trust_level, alice.entry_count), (TrustLevel::Master, 2));
    assert!(target.member_by_name(&name("dave")).await.unwrap().unwrap().suspended);
    let by_token = target.member_by_api_token("token-hash-bob").await.unwrap().unwrap();
    assert_eq!(by_token.name, name("bob"));

    // Entries: numbers, tags, edits, syndication; the recent log in the same order.
    let entry = target.entry_by_number(&name("alice"), 1).await.unwrap().unwrap();
    assert_eq!(
        (entry.title.as_str(), entry.tags.as_slice()),
        ("Second, edited", &["edit".to_owned()][..])
    );
    assert!(entry.updated > entry.published);
    assert!(target.entry_by_number(&name("alice"), 2).await.unwrap().is_none());
    let first_entry = target.entry_by_number(&name("alice"), 0).await.unwrap().unwrap();
    assert_eq!(first_entry.tags, ["apple", "zebra"]);
    assert_eq!(
        target.entry_source(&name("carol"), 0).await.unwrap().as_deref(),
        Some("<b>raw</b>")
    );
    let synd = target.entry_by_number(&name("bob"), 1).await.unwrap().unwrap();
    assert_eq!(
        synd.syndicated,
        source.entry_by_number(&name("bob"), 1).await.unwrap().unwrap().syndicated
    );
    let titles = |entries: Vec<virgule_store::Entry>| {
        entries.into_iter().map(|e| (e.author.to_string(), e.number)).collect::<Vec<_>>()
    };
    assert_eq!(
        titles(target.recent_entries(TrustLevel::Observer, ALL).await.unwrap()),
        titles(source.recent_entries(TrustLevel::Observer, ALL).await.unwrap())
    );
    assert_eq!(
        target.tags_for_member(alice.id).await.unwrap(),
        source
            .tags_for_member(source.member_by_name(&name("alice")).await.unwrap().unwrap().id)
            .await
            .unwrap()
    );
    // The next entry gets the next number, not a reused one.
    let next = target
        .create_entry(alice.id, &draft("After the move", &[]), at(2026, 1, 1, 0))
        .await
        .unwrap();
    assert_eq!(next.number, 3);

    // Certifications in creation order (the metric's tie-break), and per profile.
    let certs = certs_by_name(&target).await;
    assert_eq!(certs, certs_by_name(&source).await);
    assert_eq!(certs[0], ("carol".to_owned(), "alice".to_owned(), CertLevel::Master));
    let received = target.certs_received(alice.id).await.unwrap();
    let received_before = source
        .certs_received(source.member_by_name(&name("alice")).await.unwrap().unwrap().id)
        .await
        .unwrap();
    assert_eq!(received, received_before);

    // The feed keeps its validators, error and schedule; the deleted post stays a tombstone.
    let bob = target.member_by_name(&name("bob")).await.unwrap().unwrap();
    let feed = target.feed_for_member(bob.id).await.unwrap().unwrap();
    assert_eq!(feed.etag.as_deref(), Some("\"v1\""));
    assert_eq!(feed.last_error.as_deref(), Some("the server answered 500"));
    assert_eq!(feed.last_warnings, [BOB_WARNING], "the failure kept them, and so does the move");
    assert_eq!((feed.consecutive_failures, feed.entry_count), (1, 1));
    assert_eq!(feed.next_fetch_at, Some(at(2016, 2, 6, 2)));
    let items = target.feed_items(feed.id).await.unwrap();
    assert_eq!(items["p1"].entry_id, None, "a tombstone");
    assert_eq!(items["p2"].entry_id, Some(synd.id));
    // Due at its time, as before the move.
    assert_eq!(target.claim_due_feeds(at(2016, 2, 6, 3), LEASE, 10).await.unwrap().len(), 1);

    let news = target.news_items(ALL).await.unwrap();
    assert_eq!((news.len(), news[0].title.as_str()), (1, "Welcome"));

    // Articles by number, with their sources; threads with their placeholder.
    assert_eq!((counts.articles, counts.replies), (2, 4));
    let (before, after) = (
        source.article_by_number(1).await.unwrap().unwrap(),
        target.article_by_number(1).await.unwrap().unwrap(),
    );
    assert_eq!(
        (&after.title, &after.author, after.reply_count, after.published),
        (&before.title, &before.author, 2, before.published)
    );
    assert_eq!(target.article_source(2).await.unwrap(), source.article_source(2).await.unwrap());
    let thread = thread_of(&target, ReplyTarget::Article(after.id)).await;
    assert_eq!(thread, thread_of(&source, ReplyTarget::Article(before.id)).await);
    assert_eq!(thread[1], ("carol".to_owned(), Some("bob".to_owned()), String::new(), true));
    assert_eq!(thread[2].1.as_deref(), Some("carol"), "the answer still hangs off the placeholder");
    let entry = target.entry_by_number(&name("alice"), 0).await.unwrap().unwrap();
    assert_eq!(thread_of(&target, ReplyTarget::Entry(entry.id)).await.len(), 1);
    assert!(!target.member_by_name(&name("carol")).await.unwrap().unwrap().replies_open);
    assert!(alice.replies_open);
    // The next article takes the next number.
    assert_eq!(target.create_article(alice.id, &article_draft("Next")).await.unwrap().number, 3);
}

#[tokio::test]
async fn a_reply_to_a_missing_entry_is_refused_by_line() {
    let (source, _a) = fresh_store().await;
    build_site(&source).await;
    let mut lines = export(&source).await;
    // Alice's entry 2 was deleted: its number is below her next, but nothing is there.
    let at_line = lines.iter().position(|l| l.contains("\"entry_number\":0")).unwrap();
    lines[at_line] = lines[at_line].replace("\"entry_number\":0", "\"entry_number\":2");
    let (target, _b) = fresh_store().await;
    let err = import(&target, &lines).await.unwrap_err();
    assert_eq!(line_of(&err), at_line as u64 + 1, "{err}");
    assert!(err.to_string().contains("no entry 2"), "{err}");
    assert_empty(&target).await;
}

/// The target holds no row of any kind.
async fn assert_empty(store: &Store) {
    assert_eq!(store.site_counts().await.unwrap().total(), 0, "the target stays empty");
}

fn line_of(err: &SiteError) -> u64 {
    match err {
        SiteError::Invalid { line, .. } => *line,
        other => panic!("expected a refused line, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_files_are_refused_by_line_and_change_nothing() {
    let (source, _a) = fresh_store().await;
    build_site(&source).await;
    let good = export(&source).await;
    let (target, _b) = fresh_store().await;
    let index_of = |kind: &str| {
        good.iter().position(|l| l.starts_with(&format!("{{\"type\":\"{kind}\""))).unwrap()
    };

    // Truncated: no end record.
    let truncated = &good[..good.len() - 1];
    let err = import(&target, truncated).await.unwrap_err();
    assert_eq!(line_of(&err), good.len() as u64, "{err}");
    assert!(err.to_string().contains("truncated"), "{err}");
    assert_empty(&target).await;
    // Cut in the middle of the entries.
    let err = import(&target, &good[..index_of("cert")]).await.unwrap_err();
    assert!(err.to_string().contains("truncated"), "{err}");
    assert_empty(&target).await;

    // Counts that disagree with the records.
    let mut lines = good.clone();
    let end = lines.len() - 1;
    lines[end] = lines[end].replace("\"entries\":4", "\"entries\":5");
    let err = import(&target, &lines).await.unwrap_err();
    assert_eq!(line_of(&err), lines.len() as u64);
    assert!(err.to_string().contains("5 entries (the file holds 4)"), "{err}");
    assert_empty(&target).await;

    // A bad line in the middle, after rows have been written in the same transaction.
    let cert = index_of("cert");
    let cases: [(usize, String, &str); 6] = [
        (cert, "{not json".to_owned(), "not a site record"),
        (
            cert,
            good[cert].replace("\"issuer\":\"carol\"", "\"issuer\":\"zoe\""),
            "no member \"zoe\"",
        ),
        (
            cert,
            good[cert].replace("\"level\":\"master\"", "\"level\":\"grandmaster\""),
            "unknown certification level",
        ),
        (
            index_of("entry"),
            good[index_of("entry")].replace("\"format\":\"markdown\"", "\"format\":\"rst\""),
            "unknown entry format",
        ),
        (
            index_of("feed_item"),
            good[index_of("feed_item") + 1].replace("\"entry\":1", "\"entry\":7"),
            "no entry 7",
        ),
        (index_of("member") + 1, good[index_of("member")].clone(), "appears twice"),
    ];
    for (index, replacement, why) in cases {
        let mut lines = good.clone();
        lines[index] = replacement;
        let err = import(&target, &lines).await.unwrap_err();
        assert_eq!(line_of(&err), index as u64 + 1, "{err}");
        assert!(err.to_string().contains(why), "{why}: {err}");
        assert_empty(&target).await;
    }
    // A duplicate the database finds (two certifications of one pair).
    let mut lines = good.clone();
    lines.insert(cert + 1, good[cert].clone());
    let end = lines.len() - 1;
    lines[end] = lines[end].replace("\"certs\":5", "\"certs\":6");
    let err = import(&target, &lines).await.unwrap_err();
    assert_eq!(line_of(&err), cert as u64 + 2, "{err}");
    assert_empty(&target).await;

    // The good file still loads, once.
    import(&target, &good).await.unwrap();
    let err = import(&target, &good).await.unwrap_err();
    assert!(matches!(err, SiteError::NotEmpty { members: 4 }), "{err}");
}

/// A feed line written before warnings were kept has none; one with more than a fetch may
/// store is cut as a fetch would cut it.
#[tokio::test]
async fn feed_warnings_may_be_absent_and_are_bounded_on_import() {
    let (source, _a) = fresh_store().await;
    build_site(&source).await;
    let good = export(&source).await;
    let feed = good.iter().position(|l| l.starts_with("{\"type\":\"feed\"")).unwrap();
    let listed = format!("\"last_warnings\":[\"{BOB_WARNING}\"],");
    assert!(good[feed].contains(&listed), "{}", good[feed]);
    let bob_warnings = |store: Store| async move {
        let bob = store.member_by_name(&name("bob")).await.unwrap().unwrap();
        store.feed_for_member(bob.id).await.unwrap().unwrap().last_warnings
    };

    let mut old = good.clone();
    old[feed] = good[feed].replace(&listed, "");
    let (target, _b) = fresh_store().await;
    import(&target, &old).await.unwrap();
    assert!(bob_warnings(target).await.is_empty());

    let mut flood = good.clone();
    let many: Vec<String> = (0..500).map(|n| format!("warning {n}")).collect();
    let many = format!("\"last_warnings\":{},", serde_json::to_string(&many).unwrap());
    flood[feed] = good[feed].replace(&listed, &many);
    let (target, _c) = fresh_store().await;
    import(&target, &flood).await.unwrap();
    let kept = bob_warnings(target).await;
    assert_eq!(kept.len(), MAX_FEED_WARNINGS);
    assert_eq!(kept.last().map(String::as_str), Some("… and 481 more"));
}

#[tokio::test]
async fn records_are_json_lines_with_names_not_ids() {
    let (source, _a) = fresh_store().await;
    build_site(&source).await;
    let lines = export(&source).await;
    for (line, n) in lines.iter().zip(1..) {
        assert!(!line.contains('\n'));
        let record = parse_line(n, line).unwrap();
        assert_eq!(&to_line(&record), line, "a record reads back as written");
        assert!(!line.contains("\"id\"") && !line.contains("_id\""), "no database ids: {line}");
    }
    let member = parse_line(2, &lines[1]).unwrap();
    let SiteRecord::Member(alice) = member else { panic!("members come first: {}", lines[1]) };
    assert_eq!((alice.name.as_str(), alice.trust_level), ("alice", TrustLevel::Master));
    assert_eq!(alice.next_entry_number, 3);
    assert!(lines.iter().all(|l| !l.contains("\"type\":\"session\"")));
    assert!(
        lines.iter().any(|l| l.contains("\"type\":\"feed_item\"") && l.contains("\"entry\":null")),
        "the tombstone"
    );
}

#[tokio::test]
async fn an_import_waits_for_another_writer_instead_of_failing() {
    let (source, _a) = fresh_store().await;
    build_site(&source).await;
    let good = export(&source).await;
    let (target, b) = fresh_store().await;

    // Another writer holds the lock while the import starts, and lets go a moment later. The
    // import reads (is the database empty?) before it writes: on SQLite, unless it took the
    // write lock at its BEGIN, its first insert would fail at once with "database is locked".
    let mut other = Other::connect(&b).await;
    other.lock_writes().await.unwrap();
    let release = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        other.unlock().await;
    });
    let counts = import(&target, &good).await.unwrap();
    release.await.unwrap();
    assert_eq!(counts.members, 4);
}

#[tokio::test]
async fn a_refused_import_has_let_go_of_the_database_when_it_returns() {
    let (source, _a) = fresh_store().await;
    build_site(&source).await;
    let good = export(&source).await;
    let (target, b) = fresh_store().await;
    let mut other = Other::connect(&b).await;

    // Every row is written before the missing end record is noticed: the transaction holds
    // the write lock until it has rolled back, which must be over by the time the error is.
    for _ in 0..20 {
        let err = import(&target, &good[..good.len() - 1]).await.unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        other.lock_writes().await.expect("another writer gets the lock at once");
        other.unlock().await;
    }
    assert_empty(&target).await;
}
