//! The pure half of an import: checks each record of a site file against the lines before it
//! (order, references, duplicates, values) and counts them, without touching a database, so
//! that what it passes on can be inserted as is.

use std::collections::{HashMap, HashSet};

use super::{FORMAT_VERSION, SiteCounts, SiteError, SiteRecord, invalid, micros};
use crate::{CertLevel, EntryFormat, FeedStatus, MemberName, Relation, bounded_warnings, tags};

/// What the import checker knows of a member from earlier lines.
#[derive(Debug)]
struct KnownMember {
    next_entry_number: i64,
    has_feed: bool,
}

/// The pure half of an import: checks each record against the ones before it (order,
/// references, duplicates, values) and counts them, without touching a database. What it
/// passes on, the writer can insert as is.
#[derive(Debug, Default)]
pub(super) struct Checker {
    /// The last line checked.
    pub(super) lines: u64,
    ended: bool,
    counts: SiteCounts,
    members: HashMap<String, KnownMember>,
    /// Project names seen so far.
    projects: HashSet<String>,
    /// Article numbers seen.
    articles: HashSet<i64>,
    /// The item of each reply seen, by position: what a later reply's `parent` names.
    replies: Vec<ReplyItem>,
}

/// The item a reply belongs to, by the names the file uses.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ReplyItem {
    Article(i64),
    Entry(String, i64),
}

impl Checker {
    /// Checks line `line`; `Ok(Some(record))` for a record to write (timestamps truncated to
    /// the microseconds both backends keep), `Ok(None)` for the header and end lines.
    pub(super) fn check(
        &mut self,
        line: u64,
        record: SiteRecord,
    ) -> Result<Option<SiteRecord>, String> {
        self.lines = line;
        if self.ended {
            return Err("a record after the end record".to_owned());
        }
        if line == 1 && !matches!(record, SiteRecord::Header(_)) {
            return Err("the first line must be the \"virgule-site\" header".to_owned());
        }
        let checked = match record {
            SiteRecord::Header(header) => {
                if line != 1 {
                    return Err("a second header".to_owned());
                }
                if header.version != FORMAT_VERSION {
                    return Err(format!(
                        "the file is format version {}; this Virgule reads version \
                         {FORMAT_VERSION}",
                        header.version
                    ));
                }
                return Ok(None);
            }
            SiteRecord::End(end) => {
                let differences = end.counts.differences(&self.counts);
                if !differences.is_empty() {
                    return Err(format!(
                        "the end record counts {}: the file is incomplete or was edited",
                        differences.join(", ")
                    ));
                }
                self.ended = true;
                return Ok(None);
            }
            SiteRecord::Member(mut m) => {
                canonical_name(&m.name)?;
                if self.members.contains_key(&m.name) {
                    return Err(format!("the member {} appears twice", m.name));
                }
                if m.next_entry_number < 0 || m.diary_version < 0 {
                    return Err("next_entry_number and diary_version cannot be negative".into());
                }
                m.created_at = micros(m.created_at);
                self.members.insert(
                    m.name.clone(),
                    KnownMember { next_entry_number: m.next_entry_number, has_feed: false },
                );
                self.counts.members += 1;
                SiteRecord::Member(m)
            }
            SiteRecord::ApiToken(mut t) => {
                self.member(&t.member)?;
                if t.token_hash.is_empty() {
                    return Err("an empty token hash".to_owned());
                }
                t.created_at = micros(t.created_at);
                self.counts.api_tokens += 1;
                SiteRecord::ApiToken(t)
            }
            SiteRecord::Entry(mut e) => {
                let next = self.member(&e.author)?.next_entry_number;
                if !(0..next).contains(&e.number) {
                    return Err(format!(
                        "entry number {} of {} is not below the member's next_entry_number {next}",
                        e.number, e.author
                    ));
                }
                if EntryFormat::parse(&e.format).is_none() {
                    return Err(format!("unknown entry format {:?} (markdown or html)", e.format));
                }
                check_tags(&e.tags)?;
                e.published_at = micros(e.published_at);
                e.updated_at = micros(e.updated_at);
                e.sort_at = micros(e.sort_at);
                self.counts.entries += 1;
                SiteRecord::Entry(e)
            }
            SiteRecord::Cert(mut c) => {
                self.member(&c.issuer)?;
                self.member(&c.subject)?;
                if c.issuer == c.subject {
                    return Err(format!("{} certifies themselves", c.issuer));
                }
                if CertLevel::parse(&c.level).is_none() {
                    return Err(format!(
                        "unknown certification level {:?} (apprentice, journeyer or master)",
                        c.level
                    ));
                }
                c.created_at = micros(c.created_at);
                self.counts.certs += 1;
                SiteRecord::Cert(c)
            }
            SiteRecord::Rating(mut r) => {
                self.member(&r.rater)?;
                self.member(&r.author)?;
                if r.rater == r.author {
                    return Err(format!("{} rates their own diary", r.rater));
                }
                if !(1..=10).contains(&r.rating) {
                    return Err(format!("a rating of {} (ratings are 1 to 10)", r.rating));
                }
                r.rated_at = micros(r.rated_at);
                self.counts.ratings += 1;
                SiteRecord::Rating(r)
            }
            SiteRecord::Feed(mut f) => {
                let owner = self.member(&f.member)?;
                if owner.has_feed {
                    return Err(format!("a second feed of {}", f.member));
                }
                owner.has_feed = true;
                let statuses = [FeedStatus::Active, FeedStatus::Gone, FeedStatus::Stopped];
                if !statuses.iter().any(|s| s.as_str() == f.status) {
                    return Err(format!(
                        "unknown feed status {:?} (active, gone or stopped)",
                        f.status
                    ));
                }
                if f.consecutive_failures < 0 {
                    return Err("consecutive_failures cannot be negative".to_owned());
                }
                // Bounded as a fetch bounds them: a file is not a way around the limit.
                f.last_warnings = bounded_warnings(&f.last_warnings);
                f.last_fetch_at = f.last_fetch_at.map(micros);
                f.last_success_at = f.last_success_at.map(micros);
                f.next_fetch_at = f.next_fetch_at.map(micros);
                f.created_at = micros(f.created_at);
                self.counts.feeds += 1;
                SiteRecord::Feed(f)
            }
            SiteRecord::FeedItem(mut i) => {
                if !self.member(&i.member)?.has_feed {
                    return Err(format!("a feed item of {}, who has no feed before it", i.member));
                }
                i.first_seen_at = micros(i.first_seen_at);
                self.counts.feed_items += 1;
                SiteRecord::FeedItem(i)
            }
            SiteRecord::News(mut n) => {
                self.member(&n.author)?;
                n.published_at = micros(n.published_at);
                self.counts.news += 1;
                SiteRecord::News(n)
            }
            SiteRecord::Article(mut a) => {
                self.member(&a.author)?;
                if a.number < 1 {
                    return Err(format!("article number {} is below 1", a.number));
                }
                if !self.articles.insert(a.number) {
                    return Err(format!("the article number {} appears twice", a.number));
                }
                if EntryFormat::parse(&a.format).is_none() {
                    return Err(format!(
                        "unknown article format {:?} (markdown or html)",
                        a.format
                    ));
                }
                a.published_at = micros(a.published_at);
                a.updated_at = micros(a.updated_at);
                self.counts.articles += 1;
                SiteRecord::Article(a)
            }
            SiteRecord::Reply(mut r) => {
                self.member(&r.author)?;
                let item = match (r.article, &r.entry_author, r.entry_number) {
                    (Some(number), None, None) => {
                        if !self.articles.contains(&number) {
                            return Err(format!("a reply to article {number}, not before it"));
                        }
                        ReplyItem::Article(number)
                    }
                    (None, Some(author), Some(number)) => {
                        let next = self.member(author)?.next_entry_number;
                        if !(0..next).contains(&number) {
                            return Err(format!(
                                "a reply to entry {number} of {author}, who has no such entry number"
                            ));
                        }
                        ReplyItem::Entry(author.clone(), number)
                    }
                    _ => {
                        return Err(
                            "a reply names either an article, or an entry's author and number"
                                .into(),
                        );
                    }
                };
                if let Some(parent) = r.parent {
                    let position = self.replies.len();
                    let parent_item = usize::try_from(parent)
                        .ok()
                        .and_then(|p| self.replies.get(p))
                        .ok_or_else(|| format!("the parent reply {parent} is not among the {position} replies before this one"))?;
                    if *parent_item != item {
                        return Err(format!("the parent reply {parent} belongs to another item"));
                    }
                }
                if EntryFormat::parse(&r.format).is_none() {
                    return Err(format!("unknown reply format {:?} (markdown or html)", r.format));
                }
                if r.deleted != r.html.is_empty() {
                    return Err("a reply has text unless it is deleted".to_owned());
                }
                r.published_at = micros(r.published_at);
                r.updated_at = micros(r.updated_at);
                self.replies.push(item);
                self.counts.replies += 1;
                SiteRecord::Reply(r)
            }
            SiteRecord::Project(mut p) => {
                self.member(&p.creator)?;
                canonical_name(&p.name).map_err(|e| format!("project: {e}"))?;
                if !self.projects.insert(p.name.clone()) {
                    return Err(format!("the project {} appears twice", p.name));
                }
                p.created_at = micros(p.created_at);
                p.updated_at = micros(p.updated_at);
                self.counts.projects += 1;
                SiteRecord::Project(p)
            }
            SiteRecord::ProjectPerson(mut r) => {
                self.member(&r.member)?;
                if !self.projects.contains(&r.project) {
                    return Err(format!("no project {:?} before this line", r.project));
                }
                if Relation::parse(&r.relation).is_none() {
                    return Err(format!(
                        "unknown project relation {:?} (lead developer, developer, \
                         contributor, documenter, helper or user)",
                        r.relation
                    ));
                }
                r.created_at = micros(r.created_at);
                self.counts.project_people += 1;
                SiteRecord::ProjectPerson(r)
            }
        };
        Ok(Some(checked))
    }

    fn member(&mut self, name: &str) -> Result<&mut KnownMember, String> {
        self.members.get_mut(name).ok_or_else(|| format!("no member {name:?} before this line"))
    }

    /// After the last line: the file must have ended with its end record.
    pub(super) fn finish(&self) -> Result<SiteCounts, SiteError> {
        if self.lines == 0 {
            return Err(invalid(1, "the file is empty"));
        }
        if !self.ended {
            return Err(invalid(
                self.lines + 1,
                "the file ends without its \"end\" record: it is truncated",
            ));
        }
        Ok(self.counts)
    }
}

/// Refuses a name that is invalid or not in its stored form (lower case, trimmed).
fn canonical_name(raw: &str) -> Result<MemberName, String> {
    match MemberName::parse(raw) {
        Ok(name) if name.as_str() == raw => Ok(name),
        Ok(name) => Err(format!("the member name {raw:?} is not written as stored ({name:?})")),
        Err(e) => Err(format!("the member name {raw:?} is refused: {e}")),
    }
}

/// Tags as the store keeps them: each already in the form [`tags::normalize`] gives (so it
/// makes a working `/tag/T/` link, and holds no control character, the separator of the tag
/// lists entries are read with), no duplicates, at most [`tags::MAX_TAGS`].
fn check_tags(list: &[String]) -> Result<(), String> {
    if list.len() > tags::MAX_TAGS {
        return Err(format!("{} tags: an entry has at most {}", list.len(), tags::MAX_TAGS));
    }
    let mut seen = HashSet::new();
    for tag in list {
        match tags::normalize(tag) {
            Ok(Some(stored)) if stored == *tag => {}
            Ok(Some(stored)) => {
                return Err(format!("the tag {tag:?} is not written as stored ({stored:?})"));
            }
            Ok(None) => return Err("a tag is empty".to_owned()),
            Err(e) => return Err(e.to_string()),
        }
        if !seen.insert(tag.as_str()) {
            return Err(format!("the tag {tag:?} appears twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::format::samples::{end, entry, header, member};
    use super::*;

    /// Feeds `records` to a checker from line 1; the first refusal as (line, message).
    fn check_all(records: Vec<SiteRecord>) -> Result<SiteCounts, (u64, String)> {
        let mut checker = Checker::default();
        for (record, line) in records.into_iter().zip(1..) {
            checker.check(line, record).map_err(|m| (line, m))?;
        }
        checker.finish().map_err(|e| match e {
            SiteError::Invalid { line, message } => (line, message),
            other => panic!("{other}"),
        })
    }

    #[test]
    fn a_well_formed_file_passes_with_its_counts() {
        let counts = check_all(vec![header(), member("a", 2), entry("a", 1, &["x"]), end(1, 1)]);
        assert_eq!(counts.map(|c| (c.members, c.entries, c.total())), Ok((1, 1, 2)));
    }

    #[test]
    fn order_references_and_values_are_checked_by_line() {
        let refused = |records: Vec<SiteRecord>| check_all(records).unwrap_err();
        assert_eq!(refused(vec![member("a", 0)]).0, 1, "the header comes first");
        assert_eq!(refused(vec![header(), header()]).0, 2);
        assert_eq!(refused(vec![header(), entry("a", 0, &[])]).0, 2, "unknown author");
        let (line, why) = refused(vec![header(), member("a", 1), entry("a", 1, &[])]);
        assert_eq!(line, 3);
        assert!(why.contains("next_entry_number 1"), "{why}");
        assert_eq!(refused(vec![header(), member("a", 1), member("a", 1)]).0, 3);
        assert_eq!(refused(vec![header(), member("A", 1)]).0, 2, "names as stored");
        assert_eq!(refused(vec![header(), member("a", 1), entry("a", 0, &["x", "x"])]).0, 3);
        assert_eq!(refused(vec![header(), member("a", 1), entry("a", 0, &["a\u{1f}b"])]).0, 3);
        for bad in ["Linux", "a/b", " spaced", ""] {
            let (line, why) = refused(vec![header(), member("a", 1), entry("a", 0, &[bad])]);
            assert_eq!(line, 3, "{bad:?}: {why}");
        }
        let many: Vec<String> = (0..21).map(|i| format!("t{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(refused(vec![header(), member("a", 1), entry("a", 0, &many)]).0, 3);
        assert_eq!(refused(vec![header(), end(0, 0), member("a", 0)]).0, 3, "after the end");
        let (line, why) = refused(vec![header(), member("a", 1), end(1, 1)]);
        assert_eq!(line, 3);
        assert!(why.contains("1 entries (the file holds 0)"), "{why}");
        let (line, why) = refused(vec![header(), member("a", 1)]);
        assert_eq!(line, 3);
        assert!(why.contains("truncated"), "{why}");
        assert_eq!(check_all(vec![]).unwrap_err().0, 1, "an empty file");
    }

    #[test]
    fn replies_name_their_item_and_an_earlier_parent_of_it() {
        use super::super::EndRecord;
        use super::super::format::samples::{article, reply};
        let start = || vec![header(), member("a", 1), article("a", 1), article("a", 2)];
        let with = |more: Vec<SiteRecord>| start().into_iter().chain(more).collect::<Vec<_>>();
        let ok = with(vec![reply("a", 1, None), reply("a", 1, Some(0)), reply("a", 2, None)]);
        let counts = check_all(
            [
                ok,
                vec![SiteRecord::End(EndRecord {
                    counts: SiteCounts {
                        members: 1,
                        articles: 2,
                        replies: 3,
                        ..SiteCounts::default()
                    },
                })],
            ]
            .concat(),
        );
        assert_eq!(counts.map(|c| c.replies), Ok(3));
        let refused = |records: Vec<SiteRecord>| check_all(records).unwrap_err();
        let (line, why) = refused(with(vec![reply("a", 1, Some(0))]));
        assert_eq!(line, 5, "a parent that is not before it: {why}");
        let (line, why) = refused(with(vec![reply("a", 1, None), reply("a", 2, Some(0))]));
        assert_eq!(line, 6);
        assert!(why.contains("another item"), "{why}");
        assert_eq!(refused(with(vec![reply("a", 3, None)])).0, 5, "an unknown article");
        assert_eq!(refused(with(vec![article("a", 1)])).0, 5, "an article number twice");
    }

    #[test]
    fn timestamps_keep_the_microseconds_both_backends_keep() {
        let mut checker = Checker::default();
        checker.check(1, header()).unwrap();
        let Some(SiteRecord::Member(m)) = checker.check(2, member("a", 0)).unwrap() else {
            panic!("a member")
        };
        assert_eq!(m.created_at.timestamp_subsec_nanos(), 123_456_000);
    }
}
