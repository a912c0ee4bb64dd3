//! Deciding what a fetched feed changes in a diary, without I/O: which posts are new (and in
//! what order they are numbered), which were edited, which are tombstones to leave alone, and
//! which few new posts reach the site's recent log (docs/design.md §3).

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use url::Url;
use virgule_feeds::{NormalizedEntry, NormalizedFeed, identity_key};
use virgule_store::{KnownItem, SyndicatedDraft};

/// How many of the posts one fetch adds reach the recent log: a newly linked blog fills the
/// member's diary with its archive, but shows only its newest few site-wide.
pub const RECENTLOG_NEW_POSTS: usize = 3;

/// The changes one fetch brings to a diary.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct IngestPlan {
    /// New posts, oldest first: the order they are numbered in.
    pub creates: Vec<SyndicatedDraft>,
    /// Posts whose content changed since they were stored, to edit in place.
    pub updates: Vec<SyndicatedDraft>,
    /// Posts the member deleted that the feed still carries (left deleted).
    pub tombstoned: usize,
}

/// Compares the feed with the posts already seen and plans the writes. `now` is the fetch
/// time: the first-seen time of new posts and the date of undated ones.
pub fn plan_ingest(
    feed: &NormalizedFeed,
    feed_title: &str,
    known: &HashMap<String, KnownItem>,
    now: DateTime<Utc>,
) -> IngestPlan {
    let mut plan = IngestPlan::default();
    for (entry, identity) in oldest_first(feed) {
        let draft = draft(entry, identity, feed_title, now);
        match known.get(&draft.identity) {
            None => plan.creates.push(draft),
            Some(item) if item.entry_id.is_none() => plan.tombstoned += 1,
            Some(item) if item.content_hash != draft.content_hash => plan.updates.push(draft),
            Some(_) => {}
        }
    }
    let newest: Vec<usize> = {
        let mut order: Vec<usize> = (0..plan.creates.len()).collect();
        order.sort_by_key(|&i| Reverse((plan.creates[i].sort_at, i)));
        order.into_iter().take(RECENTLOG_NEW_POSTS).collect()
    };
    for (i, draft) in plan.creates.iter_mut().enumerate() {
        draft.in_recentlog = newest.contains(&i);
    }
    plan
}

/// The feed's entries with their identities, each post once (a feed listing one twice gets
/// its first listing), oldest first: by date; undated ones (dated now, so the newest) last.
/// Among equal dates the later in the document is the older, since feeds list newest first.
fn oldest_first(feed: &NormalizedFeed) -> Vec<(&NormalizedEntry, String)> {
    let mut seen = HashSet::new();
    let mut entries: Vec<(usize, &NormalizedEntry, String)> = feed
        .entries
        .iter()
        .enumerate()
        .filter_map(|(position, entry)| {
            let identity = identity_key(&entry.id);
            seen.insert(identity.clone()).then_some((position, entry, identity))
        })
        .collect();
    entries.sort_by_key(|&(position, entry, _)| {
        (entry.published.is_none(), entry.published, Reverse(position))
    });
    entries.into_iter().map(|(_, entry, identity)| (entry, identity)).collect()
}

fn draft(
    entry: &NormalizedEntry,
    identity: String,
    feed_title: &str,
    now: DateTime<Utc>,
) -> SyndicatedDraft {
    let title = entry.title.clone().unwrap_or_default();
    let html = entry.body_html().unwrap_or_default().to_owned();
    // `normalize` already clamps future dates to the fetch time.
    let published = entry.published.map_or(now, |p| p.min(now));
    // A feed's categories follow the same rules as tags members type, so tag pages find them.
    let tags = virgule_store::tags::from_feed(&entry.tags);
    SyndicatedDraft {
        content_hash: content_hash(&title, &html, entry.link.as_deref(), &tags),
        identity,
        title,
        html,
        tags,
        original_url: entry.link.clone(),
        feed_title: feed_title.to_owned(),
        published,
        sort_at: published.min(now),
        in_recentlog: false,
    }
}

/// A digest of everything of a post that its entry shows, to notice edits.
pub fn content_hash(title: &str, html: &str, link: Option<&str>, tags: &[String]) -> String {
    let mut hasher = Sha256::new();
    for part in [title, html, link.unwrap_or("")] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    for tag in tags {
        hasher.update(tag.as_bytes());
        hasher.update([0x1f]);
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The title entries credit: the feed's own, else its site's host, else the feed's host
/// (`final_url`, where it was fetched from).
pub fn feed_title(feed: &NormalizedFeed, final_url: &Url) -> String {
    feed.feed
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| {
            feed.feed
                .link
                .as_deref()
                .and_then(|l| Url::parse(l).ok())
                .and_then(|l| l.host_str().map(str::to_owned))
        })
        .unwrap_or_else(|| final_url.host_str().unwrap_or("feed").to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn feed(xml: &str) -> NormalizedFeed {
        let url = url::Url::parse("https://blog.example/feed/").unwrap();
        let parsed = virgule_feeds::parse(xml.as_bytes(), None, Some(&url)).unwrap();
        normalize_at(parsed)
    }

    fn normalize_at(parsed: virgule_feeds::ParsedFeed) -> NormalizedFeed {
        virgule_feeds::normalize(parsed, now())
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z").unwrap().to_utc()
    }

    fn rss(items: &[(&str, &str, Option<&str>)]) -> String {
        let items: String = items
            .iter()
            .map(|(guid, title, date)| {
                let date = date.map(|d| format!("<pubDate>{d}</pubDate>")).unwrap_or_default();
                format!(
                    "<item><guid>{guid}</guid><title>{title}</title>{date}\
                     <description>body of {title}</description></item>"
                )
            })
            .collect();
        format!("<rss version=\"2.0\"><channel><title>Blog</title>{items}</channel></rss>")
    }

    fn known(plan: &IngestPlan) -> HashMap<String, KnownItem> {
        plan.creates
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let item = KnownItem {
                    entry_id: Some(i as i64),
                    content_hash: d.content_hash.clone(),
                    first_seen: now(),
                };
                (d.identity.clone(), item)
            })
            .collect()
    }

    #[test]
    fn a_new_archive_is_numbered_oldest_first_and_only_the_newest_three_reach_the_recent_log() {
        let xml = rss(&[
            ("e", "E", Some("Fri, 05 Jan 2024 00:00:00 GMT")),
            ("d", "D", Some("Thu, 04 Jan 2024 00:00:00 GMT")),
            ("c", "C", Some("Wed, 03 Jan 2024 00:00:00 GMT")),
            ("b", "B", Some("Tue, 02 Jan 2024 00:00:00 GMT")),
            ("a", "A", Some("Mon, 01 Jan 2024 00:00:00 GMT")),
        ]);
        let plan = plan_ingest(&feed(&xml), "Blog", &HashMap::new(), now());
        let titles: Vec<&str> = plan.creates.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["A", "B", "C", "D", "E"]);
        let in_log: Vec<&str> =
            plan.creates.iter().filter(|d| d.in_recentlog).map(|d| d.title.as_str()).collect();
        assert_eq!(in_log, ["C", "D", "E"]);
        assert!(plan.updates.is_empty());
    }

    #[test]
    fn undated_posts_keep_the_feeds_newest_first_order_and_are_dated_first_seen() {
        let xml = rss(&[("new", "New", None), ("mid", "Mid", None), ("old", "Old", None)]);
        let plan = plan_ingest(&feed(&xml), "Blog", &HashMap::new(), now());
        let titles: Vec<&str> = plan.creates.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["Old", "Mid", "New"]);
        assert!(plan.creates.iter().all(|d| d.published == now() && d.sort_at == now()));
    }

    #[test]
    fn a_second_fetch_of_the_same_feed_changes_nothing() {
        let xml = rss(&[("a", "A", Some("Mon, 01 Jan 2024 00:00:00 GMT"))]);
        let first = plan_ingest(&feed(&xml), "Blog", &HashMap::new(), now());
        let again = plan_ingest(&feed(&xml), "Blog", &known(&first), now());
        assert_eq!(again, IngestPlan::default());
    }

    #[test]
    fn an_edited_post_is_an_update_not_a_new_entry() {
        let before = rss(&[("a", "A", Some("Mon, 01 Jan 2024 00:00:00 GMT"))]);
        let after = rss(&[("a", "A (fixed typo)", Some("Mon, 01 Jan 2024 00:00:00 GMT"))]);
        let first = plan_ingest(&feed(&before), "Blog", &HashMap::new(), now());
        let plan = plan_ingest(&feed(&after), "Blog", &known(&first), now());
        assert!(plan.creates.is_empty());
        assert_eq!(plan.updates.len(), 1);
        assert_eq!(plan.updates[0].title, "A (fixed typo)");
    }

    #[test]
    fn a_deleted_post_stays_deleted() {
        let xml = rss(&[("a", "A", Some("Mon, 01 Jan 2024 00:00:00 GMT"))]);
        let first = plan_ingest(&feed(&xml), "Blog", &HashMap::new(), now());
        let mut items = known(&first);
        items.values_mut().for_each(|item| item.entry_id = None);
        let changed = xml.replace("body of A", "body of A, edited");
        let plan = plan_ingest(&feed(&changed), "Blog", &items, now());
        assert_eq!((plan.creates.len(), plan.updates.len(), plan.tombstoned), (0, 0, 1));
    }

    /// WordPress behind a new TLS front end republished every GUID as https, some with a
    /// trailing slash: the same posts, not new ones.
    #[test]
    fn guid_churn_between_http_and_https_does_not_duplicate() {
        let before = rss(&[("http://blog.example/?p=1", "A", None)]);
        let after = rss(&[("https://blog.example/?p=1", "A", None)]);
        let first = plan_ingest(&feed(&before), "Blog", &HashMap::new(), now());
        let plan = plan_ingest(&feed(&after), "Blog", &known(&first), now());
        assert!(plan.creates.is_empty(), "{plan:?}");
        let slash_before = rss(&[("http://blog.example/2024/post", "B", None)]);
        let slash_after = rss(&[("https://blog.example/2024/post/", "B", None)]);
        let first = plan_ingest(&feed(&slash_before), "Blog", &HashMap::new(), now());
        let plan = plan_ingest(&feed(&slash_after), "Blog", &known(&first), now());
        assert!(plan.creates.is_empty(), "{plan:?}");
    }

    #[test]
    fn a_post_listed_twice_is_stored_once() {
        let xml = rss(&[("a", "A", None), ("a", "A again", None)]);
        let plan = plan_ingest(&feed(&xml), "Blog", &HashMap::new(), now());
        assert_eq!(plan.creates.len(), 1);
        assert_eq!(plan.creates[0].title, "A");
    }

    /// WordPress categories are capitalized ("Debian", "SE Linux"): stored as members' tags
    /// are, or the diary's tag links would lead nowhere.
    #[test]
    fn categories_become_tags_as_members_type_them() {
        let xml = r#"<rss version="2.0"><channel><title>Blog</title><item><guid>a</guid>
            <category>Debian</category><category>SE Linux</category><category>debian</category>
            <category>Linux/Unix</category></item></channel></rss>"#;
        let plan = plan_ingest(&feed(xml), "Blog", &HashMap::new(), now());
        assert_eq!(plan.creates[0].tags, ["debian", "se linux"]);
    }

    #[test]
    fn the_content_hash_changes_with_every_visible_part() {
        let tags = vec!["x".to_owned()];
        let base = content_hash("t", "<p>b</p>", Some("https://l/"), &tags);
        assert_ne!(base, content_hash("t2", "<p>b</p>", Some("https://l/"), &tags));
        assert_ne!(base, content_hash("t", "<p>c</p>", Some("https://l/"), &tags));
        assert_ne!(base, content_hash("t", "<p>b</p>", None, &tags));
        assert_ne!(base, content_hash("t", "<p>b</p>", Some("https://l/"), &[]));
        assert_eq!(base, content_hash("t", "<p>b</p>", Some("https://l/"), &tags));
    }
}
