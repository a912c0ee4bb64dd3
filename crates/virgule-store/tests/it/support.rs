//! Small builders shared by the tests.

use chrono::{DateTime, TimeZone, Utc};
use virgule_store::{
    EntryDraft, EntryFormat, Member, MemberName, NewMember, Store, SyndicatedDraft,
};

pub fn name(raw: &str) -> MemberName {
    MemberName::parse(raw).unwrap()
}

/// Registers `raw` with a placeholder password hash.
pub async fn member(store: &Store, raw: &str) -> Member {
    store
        .create_member(&NewMember {
            name: name(raw),
            email: Some(format!("{raw}@example.org")),
            password_hash: format!("hash-of-{raw}"),
        })
        .await
        .unwrap()
}

pub fn draft(title: &str, tags: &[&str]) -> EntryDraft {
    EntryDraft {
        title: title.to_owned(),
        format: EntryFormat::Markdown,
        body_source: format!("Body of *{title}*"),
        html: format!("<p>Body of <em>{title}</em></p>"),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

/// A UTC time on a given day and hour (2010s dates, as on the Advogato seed).
pub fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap()
}

/// A post as a feed fetch brings it, named by its identity in the feed.
pub fn post(identity: &str, published: DateTime<Utc>) -> SyndicatedDraft {
    SyndicatedDraft {
        identity: identity.to_owned(),
        content_hash: format!("hash-{identity}"),
        title: format!("Post {identity}"),
        html: format!("<p>{identity}</p>"),
        tags: vec!["linux".to_owned()],
        original_url: Some(format!("https://blog.example/{identity}/")),
        feed_title: "etbe – Russell Coker".to_owned(),
        published,
        sort_at: published,
        in_recentlog: true,
    }
}
