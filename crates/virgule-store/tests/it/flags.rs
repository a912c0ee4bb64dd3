//! Spam flags: a flag's weight, hiding past a threshold and showing again below it, an
//! account's flags hiding all its entries from the recent log (through `recent_rank`, kept by
//! the triggers whatever changes: the flag, the author's level, a suspension), an admin's
//! "not spam", and removing all of an account's writing.

use virgule_store::testing::fresh_store;
use virgule_store::{FlagKey, FlagKind, Page, SpamState, Store, TrustLevel};

use crate::support::{at, draft, member, name};

async fn recent_titles(store: &Store) -> Vec<String> {
    let page = Page { start: 0, limit: 50 };
    store
        .recent_entries(TrustLevel::Apprentice, page)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.title)
        .collect()
}

#[tokio::test]
async fn flags_hide_past_the_threshold_and_the_recent_log_follows() {
    let (store, _db) = fresh_store().await;
    let spammer = member(&store, "spammer").await;
    let judge = member(&store, "judge").await;
    let other = member(&store, "other").await;
    store
        .set_trust_levels(&[
            (spammer.id, TrustLevel::Apprentice),
            (judge.id, TrustLevel::Master),
            (other.id, TrustLevel::Apprentice),
        ])
        .await
        .unwrap();
    store.create_entry(spammer.id, &draft("pitch", &[]), at(2020, 1, 1, 0)).await.unwrap();
    store.create_entry(spammer.id, &draft("pitch two", &[]), at(2020, 1, 2, 0)).await.unwrap();
    assert_eq!(recent_titles(&store).await, ["pitch two", "pitch"]);

    let key = FlagKey::Entry { author: "spammer".into(), number: 0 };
    let subject = store.flag_subject(&key).await.unwrap().unwrap();
    assert_eq!(
        (subject.kind, subject.author_id, subject.state),
        (FlagKind::Entry, spammer.id, SpamState::Shown)
    );
    let tally = store.add_flag(other.id, &subject, 1, 3).await.unwrap();
    assert_eq!((tally.weight, tally.hidden), (1, false));
    assert!(store.add_flag(other.id, &subject, 1, 3).await.is_err(), "one flag per member");
    let tally = store.add_flag(judge.id, &subject, 3, 3).await.unwrap();
    assert_eq!((tally.weight, tally.hidden), (4, true));
    assert_eq!(recent_titles(&store).await, ["pitch two"]);
    // A level change of the author does not bring a hidden entry back.
    store.set_trust_levels(&[(spammer.id, TrustLevel::Journeyer)]).await.unwrap();
    assert_eq!(recent_titles(&store).await, ["pitch two"]);
    let queue = store.spam_queue().await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!((queue[0].target.as_str(), queue[0].weight), ("spammer/0", 4));
    assert_eq!(queue[0].href, "/person/spammer/diary/0.html");

    let tally = store.remove_flag(judge.id, &subject, 3).await.unwrap();
    assert_eq!((tally.weight, tally.hidden), (1, false));
    assert_eq!(recent_titles(&store).await, ["pitch two", "pitch"]);

    // The account: every entry leaves, new ones too, and a suspension lifted later does not
    // bring them back while it is hidden.
    let account = store.flag_subject(&FlagKey::Account("spammer".into())).await.unwrap().unwrap();
    assert!(store.add_flag(judge.id, &account, 3, 3).await.unwrap().hidden);
    assert!(recent_titles(&store).await.is_empty());
    store.create_entry(spammer.id, &draft("pitch three", &[]), at(2020, 1, 3, 0)).await.unwrap();
    store.set_suspended(&name("spammer"), true).await.unwrap();
    store.set_suspended(&name("spammer"), false).await.unwrap();
    assert!(recent_titles(&store).await.is_empty());

    // Not spam: shown again, flags gone.
    store.judge_not_spam(&account).await.unwrap();
    assert_eq!(recent_titles(&store).await, ["pitch three", "pitch two", "pitch"]);
    let account = store.flag_subject(&FlagKey::Account("spammer".into())).await.unwrap().unwrap();
    assert_eq!(account.state, SpamState::NotSpam);
    assert!(store.spam_queue().await.unwrap().is_empty());

    // Purge: every entry goes, the count with them.
    let purged = store.purge_member_writing(spammer.id).await.unwrap();
    assert_eq!(purged.entries, 3);
    assert_eq!(store.entry_count_for_member(spammer.id).await.unwrap(), 0);
    assert!(recent_titles(&store).await.is_empty());
    assert!(store.flag_subject(&key).await.unwrap().is_none());
}
