//! Writes the site-import target's seed: a small site with a row of every kind the site file
//! carries, built in a throw-away SQLite store and exported by the store's own writer.
//!
//! ```sh
//! cargo run -p virgule-fuzz --example site_seed > crates/virgule-fuzz/seeds/site-import/small-site.jsonl
//! ```

use chrono::{DateTime, Duration, TimeZone, Utc};
use virgule_store::site::to_line;
use virgule_store::testing::fresh_sqlite;
use virgule_store::{
    ArticleDraft, CertLevel, EntryDraft, EntryFormat, FetchRecord, FetchResult, MemberName,
    NewMember, ProfileUpdate, ProjectDraft, ProjectName, Relation, ReplyDraft, ReplyTarget, Store,
    SyndicatedDraft, TrustLevel,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2016, 2, day, hour, 0, 0).single().unwrap_or_default()
}

async fn member(store: &Store, name: &str) -> Result<i64> {
    let member = store
        .create_member(&NewMember {
            name: MemberName::parse(name)?,
            email: Some(format!("{name}@example.org")),
            password_hash: format!("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA${name}"),
        })
        .await?;
    Ok(member.id)
}

fn entry(title: &str, source: &str, html: &str, tags: &[&str]) -> EntryDraft {
    EntryDraft {
        title: title.to_owned(),
        format: EntryFormat::Markdown,
        body_source: source.to_owned(),
        html: html.to_owned(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

fn post(identity: &str, day: u32) -> SyndicatedDraft {
    SyndicatedDraft {
        identity: identity.to_owned(),
        content_hash: format!("sha256:{identity}"),
        title: format!("Post “{identity}” & more"),
        html: format!(r#"<p>{identity} <a href="https://blog.example/{identity}/">link</a></p>"#),
        tags: vec!["linux".to_owned(), "c++".to_owned()],
        original_url: Some(format!("https://blog.example/{identity}/")),
        feed_title: "Bob’s blog".to_owned(),
        published: at(day, 0),
        sort_at: at(day, 0),
        in_recentlog: true,
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let (store, _db) = fresh_sqlite().await;
    let alice = member(&store, "alice").await?;
    let bob = member(&store, "bob").await?;
    let carol = member(&store, "carol").await?;
    store
        .update_profile(
            alice,
            &ProfileUpdate {
                display_name: "Alice \"A.\" Ünïcode".to_owned(),
                homepage: "https://alice.example/".to_owned(),
                notes_source: "I *hack*.\nSecond line\twith a tab.".to_owned(),
                notes_html: "<p>I <em>hack</em>.<br>Second line\twith a tab.</p>".to_owned(),
            },
        )
        .await?;
    store.create_api_token("token-hash-alice", alice).await?;
    store.set_suspended(&MemberName::parse("carol")?, true).await?;

    store
        .create_entry(
            alice,
            &entry(
                "First",
                "Hello **world** <script>x</script>",
                "<p>Hello <strong>world</strong></p>",
                &["zebra", "apple"],
            ),
            at(1, 9),
        )
        .await?;
    let html = EntryDraft {
        format: EntryFormat::Html,
        ..entry("Raw", "<b>raw</b> &amp; <i>", "<b>raw</b> &amp; <i></i>", &["html"])
    };
    store.create_entry(bob, &html, at(1, 10)).await?;
    store.create_entry(alice, &entry("Gone", "x", "<p>x</p>", &[]), at(2, 9)).await?;
    store.delete_entry(alice, 1).await?;

    store.certify(bob, alice, CertLevel::Master).await?;
    store.certify(alice, bob, CertLevel::Journeyer).await?;
    store.certify(alice, carol, CertLevel::Apprentice).await?;
    store.set_trust_levels(&[(alice, TrustLevel::Master), (bob, TrustLevel::Journeyer)]).await?;
    store.rate(bob, alice, 8).await?;

    let now = at(4, 12);
    store.subscribe_feed(bob, "https://bob.example/feed", now).await?;
    let lease = Duration::minutes(2);
    let claim = store.claim_due_feeds(now, lease, 10).await?.remove(0);
    let fetched = FetchRecord {
        at: at(5, 0),
        url: "https://bob.example/feed".to_owned(),
        etag: Some("\"v1\"".to_owned()),
        last_modified: Some("Fri, 05 Feb 2016 00:00:00 GMT".to_owned()),
        result: FetchResult::Fetched {
            title: "Bob’s blog".to_owned(),
            site_link: Some("https://bob.example/".to_owned()),
            creates: vec![post("p1", 1), post("p2", 2)],
            updates: vec![],
            warnings: vec![
                "entry 2: date 2099-01-01T00:00:00Z is in the future; clamped".to_owned(),
            ],
        },
        next_fetch_at: at(5, 1),
    };
    store.record_feed_fetch(&claim, &fetched).await?;
    store.delete_entry(bob, 1).await?;

    store.create_news(alice, "Welcome", "Hello *all*", "<p>Hello <em>all</em></p>").await?;
    let article = store
        .create_article(
            carol,
            &ArticleDraft {
                title: "Carol's news".to_owned(),
                format: EntryFormat::Markdown,
                lead_source: "The *lead*".to_owned(),
                lead_html: "<p>The <em>lead</em></p>".to_owned(),
                body_source: "Body\n\n| a | b |\n|---|---|\n| 1 | 2 |".to_owned(),
                html: "<p>Body</p><table><tr><td>1</td></tr></table>".to_owned(),
            },
        )
        .await?;
    let reply = |text: &str| ReplyDraft {
        format: EntryFormat::Markdown,
        body_source: text.to_owned(),
        html: format!("<p>{text}</p>"),
    };
    let on_article = ReplyTarget::Article(article.id);
    let top = store.create_reply(on_article, None, bob, &reply("top")).await?;
    store.create_reply(on_article, Some(top.id), alice, &reply("answer")).await?;
    let first = store.entry_by_number(&MemberName::parse("alice")?, 0).await?.ok_or("no entry")?;
    store.create_reply(ReplyTarget::Entry(first.id), None, bob, &reply("on entry")).await?;

    let project = store
        .create_project(
            alice,
            &ProjectName::parse("virgule")?,
            &ProjectDraft {
                description_source: "A *weblog*".to_owned(),
                description_html: "<p>A <em>weblog</em></p>".to_owned(),
                homepage: "https://virgule.example/".to_owned(),
                license: "AGPL-3.0-or-later".to_owned(),
            },
        )
        .await?;
    store.set_project_relation(project.id, bob, Some(Relation::Developer)).await?;

    let mut out = String::new();
    store
        .export_site(at(23, 12), |record| {
            out.push_str(&to_line(record));
            out.push('\n');
            Ok(())
        })
        .await?;
    print!("{out}");
    Ok(())
}
