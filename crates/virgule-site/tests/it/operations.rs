//! Each operation refuses what its rules or permissions forbid, with the code a client
//! relies on, and a refusal changes nothing.

#![allow(clippy::unwrap_used)]

use virgule_site::accounts::{PasswordChange, ProfileChange, Registration};
use virgule_site::articles::ArticleText;
use virgule_site::entries::EntryText;
use virgule_site::{ErrorKind, Site, SiteSettings};
use virgule_store::testing::fresh_store;
use virgule_store::{Member, MemberName};

const PASSWORD: &str = "correct horse battery";

fn registration(name: &str) -> Registration<'_> {
    Registration { name, password: PASSWORD, password_again: None, email: None }
}

fn text<'a>(title: &'a str, body: &'a str) -> EntryText<'a> {
    EntryText { title, body, format: "markdown", tags: &[] }
}

async fn member(site: &Site, name: &str) -> Member {
    site.store().member_by_name(&MemberName::parse(name).unwrap()).await.unwrap().unwrap()
}

#[tokio::test]
async fn registration_and_sign_in_follow_the_rules() {
    let (store, _db) = fresh_store().await;
    let site = Site::new(store, SiteSettings::default());
    let alice = site.register(registration("Alice")).await.unwrap();
    assert_eq!(alice.name.as_str(), "alice");
    assert!(alice.is_admin, "the first account is the site's admin");

    let taken = site.register(registration("alice")).await.unwrap_err();
    assert_eq!((taken.kind, taken.code), (ErrorKind::Conflict, "conflict"));
    let typo =
        Registration { password_again: Some("correct horse batterie"), ..registration("bob") };
    assert_eq!(site.register(typo).await.unwrap_err().code, "password_mismatch");
    assert!(site.member_named("bob").await.is_err(), "a refused registration stores nothing");

    assert_eq!(site.authenticate(" ALICE ", PASSWORD).await.unwrap().id, alice.id);
    for (name, password) in [("alice", "wrong horse battery"), ("nobody", PASSWORD), ("", "")] {
        let err = site.authenticate(name, password).await.unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_str()),
            (ErrorKind::Unauthorized, "wrong name or password")
        );
    }
    site.set_suspended(&alice.name, true).await.unwrap();
    let err = site.authenticate("alice", PASSWORD).await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Forbidden, "suspended"));
}

/// The first account is the admin, and with no seeds named the admins are the trust seeds:
/// it is ranked Master from registration, so it can open the front page with an article at
/// once instead of after the site's first certification. Later accounts start unranked.
#[tokio::test]
async fn the_first_account_is_ranked_at_once() {
    let (store, _db) = fresh_store().await;
    let site = Site::new(store, SiteSettings::default());
    let root = site.register(registration("root")).await.unwrap();
    assert_eq!(root.trust_level, virgule_store::TrustLevel::Master);
    let lead = "The site is open.";
    let body = "Write your diary here.";
    let article = ArticleText { title: "Welcome", lead, body, format: "markdown" };
    site.post_article(&root, article).await.unwrap();
    let bob = site.register(registration("bob")).await.unwrap();
    assert_eq!(bob.trust_level, virgule_store::TrustLevel::Observer);
}

#[tokio::test]
async fn only_the_author_changes_an_entry() {
    let (store, _db) = fresh_store().await;
    let site = Site::new(store, SiteSettings::default());
    let alice = site.register(registration("alice")).await.unwrap();
    let bob = site.register(registration("bob")).await.unwrap();
    let entry = site.post_entry(&alice, text("Mine", "Alice wrote *this*.")).await.unwrap();
    assert_eq!(entry.number, 0);

    let err = site.edit_entry(&bob, "alice", "0", text("Bob's", "defaced")).await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Forbidden, "forbidden"));
    let err = site.delete_entry(&bob, "alice", "0").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    let err = site.own_entry_source(&bob, "0").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound, "another's entry is not the viewer's to reach");
    assert_eq!(site.entry("alice", "0").await.unwrap().title, "Mine");

    let err = site.edit_entry(&alice, "alice", "0", text("", " ")).await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::BadInput, "invalid"));
    assert_eq!(
        site.entry("alice", "0").await.unwrap().title,
        "Mine",
        "a refused edit keeps the entry"
    );

    let edited =
        site.edit_entry(&alice, "alice", "0", text("Still mine", "Edited.")).await.unwrap();
    assert_eq!((edited.number, edited.title.as_str()), (0, "Still mine"));
    site.delete_entry(&alice, "alice", "0").await.unwrap();
    assert_eq!(site.entry("alice", "0").await.unwrap_err().kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn profiles_passwords_news_and_certifications_check_who_asks() {
    let (store, _db) = fresh_store().await;
    let site = Site::new(store, SiteSettings::default());
    let admin = site.register(registration("admin")).await.unwrap();
    let bob = site.register(registration("bob")).await.unwrap();

    let err = site.post_news(&bob, "Hello", "News.").await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Forbidden, "forbidden"));
    assert_eq!(site.post_news(&admin, "Hello", "*News*.").await.unwrap().title, "Hello");

    let change =
        ProfileChange { homepage: Some("javascript:alert(1)".into()), ..Default::default() };
    assert_eq!(site.update_profile(&bob, change).await.unwrap_err().code, "invalid_homepage");
    let change = ProfileChange { name: Some("mallory".into()), ..Default::default() };
    assert_eq!(site.update_profile(&bob, change).await.unwrap_err().code, "invalid");
    let change = ProfileChange { display_name: Some("  Bob   B ".into()), ..Default::default() };
    assert_eq!(site.update_profile(&bob, change).await.unwrap().display_name, "Bob B");

    let wrong =
        PasswordChange { current: "not it", new: "a brand new passphrase", new_again: None };
    let err = site.change_password(&bob, wrong, None).await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Forbidden, "wrong_password"));
    let weak = PasswordChange { current: PASSWORD, new: "bobbobbob", new_again: None };
    assert_eq!(site.change_password(&bob, weak, None).await.unwrap_err().code, "weak_password");
    assert!(site.authenticate("bob", PASSWORD).await.is_ok(), "refusals keep the old password");

    let err = site.certify(&bob, "bob", "master").await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::BadInput, "refused"));
    assert_eq!(site.certify(&bob, "admin", "grandmaster").await.unwrap_err().code, "bad_level");
    assert_eq!(site.certify(&bob, "nobody", "master").await.unwrap_err().kind, ErrorKind::NotFound);
    let (subject, level) = site.certify(&admin, "bob", "journeyer").await.unwrap();
    assert_eq!((subject.id, level.map(|l| l.as_str())), (bob.id, Some("journeyer")));
    let summary = site.recompute_trust().await.unwrap();
    assert!(summary.admin_fallback, "with no seeds configured the admins are the seeds");
    assert_eq!(member(&site, "bob").await.trust_level.as_str(), "Journeyer");
}

#[tokio::test]
async fn a_process_without_syndication_says_so_instead_of_linking() {
    let (store, _db) = fresh_store().await;
    let site = Site::new(store, SiteSettings::default());
    let alice = site.register(registration("alice")).await.unwrap();
    let err = site.link_feed(&alice, Some("https://blog.example.org/feed/")).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Internal);
    let long = format!("https://blog.example.org/{}", "x".repeat(3000));
    let err = site.link_feed(&alice, Some(&long)).await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::BadInput, "feed_url_refused"), "rules first");
    assert_eq!(site.feed_of(&alice).await.unwrap(), None);
}
