//! What templates show of stored things: entries with their links and dates already
//! formatted, the diary sidebar, and pagers. Plain data, built once per request.

use chrono::{DateTime, SecondsFormat, Utc};
use virgule_store::{
    ArchiveMonth, ArticleNumber, Entry, EntryNumber, InterestScore, ReplyPlace, Syndication,
    TagCount, TrustLevel,
};

use crate::auth::viewer::Viewer;

/// A date as the pages show it ("2016-02-04 09:48", UTC) and as `<time datetime>` wants it.
#[derive(Debug, Clone)]
pub struct Stamp {
    pub iso: String,
    pub shown: String,
}

impl Stamp {
    pub fn new(at: DateTime<Utc>) -> Self {
        Stamp {
            iso: at.to_rfc3339_opts(SecondsFormat::Secs, true),
            shown: at.format("%Y-%m-%d %H:%M").to_string(),
        }
    }

    /// Only the day, for "member since".
    pub fn day(at: DateTime<Utc>) -> Self {
        Stamp {
            iso: at.to_rfc3339_opts(SecondsFormat::Secs, true),
            shown: at.format("%Y-%m-%d").to_string(),
        }
    }
}

/// `/person/NAME/diary/K.html`.
pub fn permalink(author: &str, number: EntryNumber) -> String {
    format!("/person/{author}/diary/{number}.html")
}

/// `/article/N.html`.
pub fn article_href(number: ArticleNumber) -> String {
    format!("/article/{number}.html")
}

/// The page a reply is shown on: its article's or its entry's.
pub fn place_href(place: &ReplyPlace) -> String {
    match place {
        ReplyPlace::Article(number) => article_href(*number),
        ReplyPlace::Entry { author, number } => permalink(author.as_str(), *number),
    }
}

/// "1 reply", "3 replies".
pub fn reply_count_text(count: i64) -> String {
    if count == 1 { "1 reply".to_owned() } else { format!("{count} replies") }
}

/// The text of a link to an entry: its title, or "Untitled".
pub fn link_text(title: &str) -> String {
    if title.is_empty() { "Untitled".to_owned() } else { title.to_owned() }
}

/// How a member's name shows their trust level, as Advogato coloured names: a CSS class
/// (`level-observer` … `level-master`, coloured in `style.css`) and a tooltip naming it, so
/// the level is not told by colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelMark {
    pub class: &'static str,
    pub title: &'static str,
}

impl LevelMark {
    pub fn of(level: TrustLevel) -> Self {
        let class = match level {
            TrustLevel::Observer => "level-observer",
            TrustLevel::Apprentice => "level-apprentice",
            TrustLevel::Journeyer => "level-journeyer",
            TrustLevel::Master => "level-master",
        };
        LevelMark { class, title: level.as_str() }
    }
}

/// An author's interest score for the reader, as the recent log shows it beside the name:
/// the mean with one decimal, greyer the less confident (a CSS class by confidence band), and
/// a tooltip with the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct InterestMark {
    pub mean: String,
    /// `interest-sure` (confidence ≥ 0.75), `interest-fair` (≥ 0.4) or `interest-faint`.
    pub class: &'static str,
    pub title: String,
}

impl InterestMark {
    pub fn of(score: InterestScore) -> Self {
        let class = match score.confidence {
            c if c >= 0.75 => "interest-sure",
            c if c >= 0.4 => "interest-fair",
            _ => "interest-faint",
        };
        InterestMark {
            mean: format!("{:.1}", score.mean),
            class,
            title: format!(
                "your interest score: {:.1} (confidence {:.2})",
                score.mean, score.confidence
            ),
        }
    }
}

/// An edit this soon after publishing is not worth mentioning.
const EDIT_NOTICE_AFTER_SECS: i64 = 60;

/// Member-written HTML as a page shows it: an author below Apprentice gets `rel="ugc"` on
/// every link too (decided now, from their current level; docs/trust.md "Spam").
pub fn shown_html(html: String, author_level: TrustLevel) -> String {
    if author_level < TrustLevel::Apprentice { virgule_html::add_ugc(&html) } else { html }
}

/// Whether the viewer is offered "Flag as spam" on what `author` wrote: a ranked member,
/// not its author.
pub fn may_flag(viewer: &Viewer, author: &str) -> bool {
    viewer
        .member
        .as_ref()
        .is_some_and(|m| m.trust_level >= TrustLevel::Apprentice && m.name.as_str() != author)
}

/// One diary entry as `_entry.html` renders it.
#[derive(Debug, Clone)]
pub struct EntryView {
    /// The database id, to look up its reply count.
    pub id: i64,
    pub author: String,
    /// The author's trust level, for the colour of their name.
    pub author_level: LevelMark,
    pub number: EntryNumber,
    /// Possibly empty: an untitled entry shows no heading.
    pub title: String,
    pub link_text: String,
    pub permalink: String,
    /// Sanitized when stored; embedded as is.
    pub html: String,
    pub tags: Vec<String>,
    pub published: Stamp,
    pub edited: Option<Stamp>,
    /// Show the author's name (pages that mix members' entries).
    pub byline: bool,
    /// The viewer wrote it: offer Edit and Delete.
    pub editable: bool,
    /// The viewer may flag it as spam.
    pub flaggable: bool,
    /// For a syndicated entry, its closing "Syndicated ... from ..." paragraph, as HTML.
    pub syndicated: Option<String>,
    /// "3 replies", on pages that count them.
    pub replies: Option<String>,
    /// The author's interest score for a signed-in reader (the recent log only).
    pub interest: Option<InterestMark>,
}

impl EntryView {
    pub fn new(entry: Entry, viewer: &Viewer, byline: bool) -> Self {
        let author = entry.author.to_string();
        let edited = (entry.updated - entry.published).num_seconds() > EDIT_NOTICE_AFTER_SECS;
        EntryView {
            id: entry.id,
            replies: None,
            author_level: LevelMark::of(entry.author_level),
            editable: viewer.is(&author),
            flaggable: may_flag(viewer, &author),
            permalink: permalink(&author, entry.number),
            link_text: link_text(&entry.title),
            number: entry.number,
            title: entry.title,
            html: shown_html(entry.html, entry.author_level),
            tags: entry.tags,
            published: Stamp::new(entry.published),
            edited: edited.then(|| Stamp::new(entry.updated)),
            syndicated: entry.syndicated.as_ref().map(syndication_line),
            interest: None,
            byline,
            author,
        }
    }

    pub fn list(entries: Vec<Entry>, viewer: &Viewer, byline: bool) -> Vec<Self> {
        entries.into_iter().map(|e| EntryView::new(e, viewer, byline)).collect()
    }

    /// A page of one member's diary: no byline, and each entry's reply count ("3 replies").
    pub fn diary(entries: Vec<Entry>, viewer: &Viewer) -> Vec<Self> {
        let view = |entry: Entry| EntryView {
            replies: Some(reply_count_text(entry.reply_count)),
            ..EntryView::new(entry, viewer, false)
        };
        entries.into_iter().map(view).collect()
    }
}

/// The paragraph that ends every syndicated entry, in pages and in our own feeds, worded as
/// on Advogato: `Syndicated 2016-02-04 09:48:52 from <a href="…">etbe – Russell Coker</a>`
/// (the date in UTC). The link is left out unless the original is an http(s) address: the
/// feed chose it, and a `javascript:` link must never reach a page.
pub fn syndication_line(origin: &Syndication) -> String {
    let at = origin.at.format("%Y-%m-%d %H:%M:%S");
    let title =
        if origin.feed_title.trim().is_empty() { "their blog" } else { origin.feed_title.as_str() };
    let title = escape_html(title);
    let link = origin
        .original_url
        .as_deref()
        .filter(|url| url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")));
    match link {
        Some(url) => format!(
            "<p class=\"syndicated\">Syndicated {at} from <a href=\"{}\" \
             rel=\"nofollow noopener noreferrer\">{title}</a></p>",
            escape_html(url)
        ),
        None => format!("<p class=\"syndicated\">Syndicated {at} from {title}</p>"),
    }
}

/// Text made safe for HTML content and quoted attribute values (`&<>"'` escaped).
fn escape_html(text: &str) -> String {
    html_escape::encode_quoted_attribute(text).into_owned()
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// "March 2021"; `None` for a month outside 1..=12.
pub fn month_label(year: i32, month: u32) -> Option<String> {
    let name = MONTH_NAMES.get(usize::try_from(month).ok()?.checked_sub(1)?)?;
    Some(format!("{name} {year}"))
}

/// One line of the sidebar's "Archives".
#[derive(Debug, Clone)]
pub struct MonthLink {
    pub href: String,
    pub label: String,
    pub count: i64,
}

/// The WordPress-like sidebar of every diary page: archives by month and tags.
#[derive(Debug, Clone)]
pub struct Sidebar {
    pub name: String,
    pub months: Vec<MonthLink>,
    pub tags: Vec<TagCount>,
}

impl Sidebar {
    pub fn new(name: &str, months: Vec<ArchiveMonth>, tags: Vec<TagCount>) -> Self {
        let months = months
            .into_iter()
            .filter_map(|m| {
                Some(MonthLink {
                    href: format!("/person/{name}/archive/{:04}/{:02}/", m.year, m.month),
                    label: month_label(m.year, m.month)?,
                    count: m.count,
                })
            })
            .collect();
        Sidebar { name: name.to_owned(), months, tags }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PagerLink {
    pub href: String,
    pub text: String,
}

/// Links to the newer (earlier in the list) and older (later) pages of a list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pager {
    pub newer: Option<PagerLink>,
    pub older: Option<PagerLink>,
}

/// `base` at `start`; `base` may carry a query of its own (`/recentlog.html?thresh=0`).
fn page_href(base: &str, start: i64) -> String {
    if start <= 0 {
        base.to_owned()
    } else if base.contains('?') {
        format!("{base}&start={start}")
    } else {
        format!("{base}?start={start}")
    }
}

impl Pager {
    /// A diary-like list whose total is known, worded as on Advogato: "1158 older entries..."
    /// and "10 newer entries...". `shown` entries are on this page, from `start`.
    pub fn counted(base: &str, start: i64, shown: i64, total: i64, per_page: i64) -> Self {
        let remaining = total - start.saturating_add(shown);
        let older = (remaining > 0 && shown > 0).then(|| PagerLink {
            href: page_href(base, start.saturating_add(per_page)),
            text: format!("{remaining} older entries..."),
        });
        let newer = (start > 0 && total > 0).then(|| {
            // Past the end, "newer" leads to the last page that has entries.
            let last_page = (total - 1) / per_page * per_page;
            PagerLink {
                href: page_href(base, (start - per_page).min(last_page).max(0)),
                text: format!("{} newer entries...", start.min(total)),
            }
        });
        Pager { newer, older }
    }

    /// A list whose total is not counted: `has_more` says whether a further page exists.
    pub fn window(
        base: &str,
        start: i64,
        per_page: i64,
        has_more: bool,
        newer_text: &str,
        older_text: &str,
    ) -> Self {
        Pager {
            newer: (start > 0).then(|| PagerLink {
                href: page_href(base, (start - per_page).max(0)),
                text: newer_text.to_owned(),
            }),
            older: has_more.then(|| PagerLink {
                href: page_href(base, start.saturating_add(per_page)),
                text: older_text.to_owned(),
            }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.newer.is_none() && self.older.is_none()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn counted_pager_speaks_like_advogato() {
        let base = "/person/etbe/diary.html";
        let first = Pager::counted(base, 0, 10, 1168, 10);
        assert_eq!(first.newer, None);
        let older = first.older.unwrap();
        assert_eq!(older.text, "1158 older entries...");
        assert_eq!(older.href, "/person/etbe/diary.html?start=10");

        let last = Pager::counted(base, 1160, 8, 1168, 10);
        assert_eq!(last.older, None);
        let newer = last.newer.unwrap();
        assert_eq!(newer.href, "/person/etbe/diary.html?start=1150");
        assert_eq!(newer.text, "1160 newer entries...");

        assert!(Pager::counted(base, 0, 10, 10, 10).is_empty());
        assert!(Pager::counted(base, 0, 0, 0, 10).is_empty());
        let second = Pager::counted(base, 10, 1, 11, 10);
        assert_eq!(second.older, None);
        assert_eq!(second.newer.unwrap().href, base);

        // Far past the end: no older link, and "newer" goes to the last real page.
        let beyond = Pager::counted(base, 5000, 0, 11, 10);
        assert_eq!(beyond.older, None);
        assert_eq!(beyond.newer.unwrap().href, "/person/etbe/diary.html?start=10");
    }

    #[test]
    fn window_pager_links_both_ways() {
        let p = Pager::window("/recentlog.html", 20, 20, true, "Previous", "Next");
        assert_eq!(p.newer.unwrap().href, "/recentlog.html");
        assert_eq!(p.older.unwrap().href, "/recentlog.html?start=40");
        assert!(Pager::window("/x", 0, 20, false, "a", "b").is_empty());
        // A base with its own query keeps it on every page.
        let q = Pager::window("/recentlog.html?thresh=0", 20, 20, true, "Previous", "Next");
        assert_eq!(q.newer.unwrap().href, "/recentlog.html?thresh=0");
        assert_eq!(q.older.unwrap().href, "/recentlog.html?thresh=0&start=40");
    }

    #[test]
    fn level_marks_name_each_level() {
        let marks: Vec<_> = [
            TrustLevel::Observer,
            TrustLevel::Apprentice,
            TrustLevel::Journeyer,
            TrustLevel::Master,
        ]
        .into_iter()
        .map(LevelMark::of)
        .map(|m| (m.class, m.title))
        .collect();
        assert_eq!(
            marks,
            [
                ("level-observer", "Observer"),
                ("level-apprentice", "Apprentice"),
                ("level-journeyer", "Journeyer"),
                ("level-master", "Master"),
            ]
        );
    }

    #[test]
    fn months_have_names() {
        assert_eq!(month_label(2021, 3).as_deref(), Some("March 2021"));
        assert_eq!(month_label(2021, 0), None);
        assert_eq!(month_label(2021, 13), None);
    }

    fn origin(title: &str, url: Option<&str>) -> Syndication {
        Syndication {
            feed_title: title.into(),
            original_url: url.map(Into::into),
            at: DateTime::parse_from_rfc3339("2016-02-04T20:48:52+11:00").unwrap().into(),
        }
    }

    #[test]
    fn syndicated_entries_end_as_on_advogato() {
        let line = syndication_line(&origin(
            "etbe – Russell Coker",
            Some("https://etbe.coker.com.au/2016/02/04/x/?a=1&b=2"),
        ));
        assert_eq!(
            line,
            "<p class=\"syndicated\">Syndicated 2016-02-04 09:48:52 from \
             <a href=\"https://etbe.coker.com.au/2016/02/04/x/?a=1&amp;b=2\" \
             rel=\"nofollow noopener noreferrer\">etbe – Russell Coker</a></p>"
        );
    }

    #[test]
    fn syndication_lines_escape_and_refuse_odd_links() {
        let line =
            syndication_line(&origin("<b>Fish</b> & \"chips\"", Some("javascript:alert(1)")));
        assert_eq!(
            line,
            "<p class=\"syndicated\">Syndicated 2016-02-04 09:48:52 from \
             &lt;b&gt;Fish&lt;/b&gt; &amp; &quot;chips&quot;</p>"
        );
        assert!(!syndication_line(&origin("t", None)).contains("<a"));
        assert!(syndication_line(&origin(" ", None)).ends_with("from their blog</p>"));
    }

    #[test]
    fn stamps_are_utc_minutes() {
        let at = DateTime::parse_from_rfc3339("2016-02-04T09:48:52Z").unwrap().with_timezone(&Utc);
        let s = Stamp::new(at);
        assert_eq!(s.shown, "2016-02-04 09:48");
        assert_eq!(s.iso, "2016-02-04T09:48:52Z");
    }
}
