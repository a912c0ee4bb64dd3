//! Articles and replies dated in the past (`virgule demo`'s load): they keep the date given,
//! numbers and thread order still follow the calls, and an article sorts by its number.

use virgule_store::testing::fresh_store;
use virgule_store::{ArticleDraft, EntryFormat, Page, ReplyDraft, ReplyTarget};

use crate::support::{at, member};

fn article(title: &str) -> ArticleDraft {
    ArticleDraft {
        title: title.to_owned(),
        format: EntryFormat::Html,
        lead_source: "<p>Lead</p>".to_owned(),
        lead_html: "<p>Lead</p>".to_owned(),
        body_source: "<p>Body</p>".to_owned(),
        html: "<p>Body</p>".to_owned(),
    }
}

fn reply(text: &str) -> ReplyDraft {
    ReplyDraft {
        format: EntryFormat::Markdown,
        body_source: text.to_owned(),
        html: format!("<p>{text}</p>"),
    }
}

#[tokio::test]
async fn backdated_articles_and_replies_keep_their_dates_and_order() {
    let (store, _db) = fresh_store().await;
    let raph = member(&store, "raph").await;
    let zork = member(&store, "zork").await;
    let first = store.create_article_at(raph.id, &article("Old"), at(2002, 3, 1, 9)).await.unwrap();
    let second =
        store.create_article_at(zork.id, &article("Later"), at(2002, 3, 2, 9)).await.unwrap();
    assert_eq!((first.number, second.number), (1, 2));
    assert_eq!((first.published, first.updated), (at(2002, 3, 1, 9), at(2002, 3, 1, 9)));
    let now = store.create_article(raph.id, &article("Now")).await.unwrap();
    assert_eq!(now.number, 3);
    assert!(now.published > at(2020, 1, 1, 0));

    let on = ReplyTarget::Article(first.id);
    let top = store.create_reply_at(on, None, zork.id, &reply("top"), at(2002, 3, 1, 10)).await;
    let top = top.unwrap();
    let answer = store
        .create_reply_at(on, Some(top.id), raph.id, &reply("answer"), at(2002, 3, 1, 11))
        .await
        .unwrap();
    assert_eq!(top.published, at(2002, 3, 1, 10));
    assert_eq!((answer.parent, answer.published), (Some(top.id), at(2002, 3, 1, 11)));
    let thread = store.replies_for(on).await.unwrap();
    assert_eq!(thread.iter().map(|r| r.id).collect::<Vec<_>>(), [top.id, answer.id]);

    let listed = store.articles(Page { start: 0, limit: 10 }).await.unwrap();
    assert_eq!(listed.iter().map(|a| a.number).collect::<Vec<_>>(), [3, 2, 1]);
    assert_eq!(listed[2].reply_count, 2);
}
