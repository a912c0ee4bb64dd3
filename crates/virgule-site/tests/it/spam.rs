//! Spam flags through the domain: who may flag, what a refusal leaves (nothing), the admin's
//! decisions and the purge of an account.

#![allow(clippy::unwrap_used)]

use virgule_site::accounts::Registration;
use virgule_site::entries::EntryText;
use virgule_site::spam::Decision;
use virgule_site::{ErrorKind, Site, SiteSettings};
use virgule_store::testing::fresh_store;
use virgule_store::{Member, MemberName, TrustLevel};

const PASSWORD: &str = "correct horse battery";

async fn at_level(site: &Site, name: &str, level: TrustLevel) -> Member {
    let m = site
        .register(Registration { name, password: PASSWORD, password_again: None, email: None })
        .await
        .unwrap();
    site.store().set_trust_levels(&[(m.id, level)]).await.unwrap();
    site.member_named(name).await.unwrap()
}

#[tokio::test]
async fn refused_flags_and_decisions_change_nothing_and_a_purge_takes_everything() {
    let (store, _db) = fresh_store().await;
    let site = Site::new(store, SiteSettings::default());
    let admin = at_level(&site, "admin", TrustLevel::Master).await;
    let spammer = at_level(&site, "spammer", TrustLevel::Apprentice).await;
    let newbie = at_level(&site, "newbie", TrustLevel::Observer).await;
    let journ = at_level(&site, "journ", TrustLevel::Journeyer).await;
    let text = EntryText { title: "Pills", body: "cheap", format: "markdown", tags: &[] };
    site.post_entry(&spammer, text).await.unwrap();
    site.post_entry(&spammer, text).await.unwrap();

    let err = site.flag(&newbie, "entry", "spammer/0").await.unwrap_err();
    assert_eq!((err.kind, err.code), (ErrorKind::Forbidden, "level_too_low"));
    // The refused flag weighs nothing: a Journeyer's flag alone is 2, below the threshold 3.
    let out = site.flag(&journ, "entry", "spammer/0").await.unwrap();
    assert_eq!((out.weight, out.hidden), (2, false));
    let err = site.decide_spam(&journ, "entry", "spammer/0", "remove").await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Forbidden);
    assert_eq!(site.spam_queue(&journ).await.unwrap_err().kind, ErrorKind::Forbidden);
    let err = site.decide_spam(&admin, "entry", "spammer/0", "burn").await.unwrap_err();
    assert_eq!(err.code, "bad_decision");
    assert!(site.entry("spammer", "0").await.is_ok(), "refused decisions removed nothing");

    let out = site.flag(&admin, "account", "spammer").await.unwrap();
    assert!(out.hidden);
    let queue = site.spam_queue(&admin).await.unwrap();
    assert_eq!(queue.len(), 1, "{queue:?}");
    assert_eq!(queue[0].target, "spammer");
    let done = site.decide_spam(&admin, "account", "spammer", "remove").await.unwrap();
    let Decision::Purged(purged) = done else { panic!("{done:?}") };
    assert_eq!(purged.entries, 2);
    assert!(site.member_named("spammer").await.unwrap().suspended);
    assert!(site.spam_queue(&admin).await.unwrap().is_empty());
    let err = site.purge_account(&MemberName::parse("ghost").unwrap()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
}
