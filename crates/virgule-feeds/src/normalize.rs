//! One model for every feed format: ids, dates, absolute URLs, plain-text titles and
//! sanitized HTML, decided here once so that ingest, `virgule feed inspect` and tests agree.

use std::time::Duration;

use crate::read::{Link, Person, RawEntry, Text, TextKind};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use url::Url;

use crate::parse::ParsedFeed;

/// A feed normalized and sanitized, ready to store; serializes to docs/design.md §8's JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NormalizedFeed {
    /// "rss0", "rss1", "rss2", "atom" or "json".
    pub format: String,
    pub feed: FeedInfo,
    /// In document order.
    pub entries: Vec<NormalizedEntry>,
    /// Things the feed's owner may want to fix (encoding trouble, future dates, …).
    pub warnings: Vec<String>,
    /// RSS 2.0 `<ttl>`: how long the publisher says the feed may be cached, a hint for
    /// [`crate::SchedulePolicy::next_after_success`]. Not part of docs/design.md §8's JSON.
    #[serde(skip)]
    pub ttl: Option<Duration>,
}

/// The feed's own metadata.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FeedInfo {
    /// Plain text.
    pub title: Option<String>,
    /// The site's home page, absolute.
    pub link: Option<String>,
    /// Plain text.
    pub subtitle: Option<String>,
    pub id: Option<String>,
    pub language: Option<String>,
    #[serde(serialize_with = "rfc3339")]
    pub updated: Option<DateTime<Utc>>,
}

/// One entry (post) of a feed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NormalizedEntry {
    /// As published (GUID / Atom id / JSON Feed id), else the link, else `sha256:` + the hex
    /// SHA-256 of title and content. Compare ids with [`identity_key`], not `==`.
    pub id: String,
    /// Plain text, entities decoded once.
    pub title: Option<String>,
    /// The entry's permalink, absolute.
    pub link: Option<String>,
    /// `published`, else `updated`; never after the `now` given to [`normalize`]. `None` when
    /// the feed gives no date: the ingester then uses the first-seen time.
    #[serde(serialize_with = "rfc3339")]
    pub published: Option<DateTime<Utc>>,
    #[serde(serialize_with = "rfc3339")]
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<Author>,
    pub tags: Vec<String>,
    /// Sanitized HTML of the summary / description.
    pub summary_html: Option<String>,
    /// Sanitized HTML of the full content (`content:encoded`, Atom `content`, JSON
    /// `content_html`/`content_text`).
    pub content_html: Option<String>,
}

/// An entry's (or, inherited, the feed's) author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Author {
    pub name: Option<String>,
    pub email: Option<String>,
    pub uri: Option<String>,
}

impl NormalizedEntry {
    /// The HTML to show: content preferred over summary (docs/design.md §3).
    pub fn body_html(&self) -> Option<&str> {
        self.content_html.as_deref().or(self.summary_html.as_deref())
    }

    /// The key under which this entry is the same entry across fetches: [`identity_key`] of
    /// its id.
    pub fn identity_key(&self) -> String {
        identity_key(&self.id)
    }
}

impl NormalizedFeed {
    /// The entries in the order to ingest them: by published date, then document position;
    /// entries without a date come last (the ingester dates them at first sight, i.e. now),
    /// in document order.
    pub fn sorted_oldest_first(&self) -> Vec<&NormalizedEntry> {
        let mut entries: Vec<(usize, &NormalizedEntry)> = self.entries.iter().enumerate().collect();
        entries.sort_by_key(|(position, entry)| {
            (entry.published.is_none(), entry.published, *position)
        });
        entries.into_iter().map(|(_, entry)| entry).collect()
    }
}

/// The identity of an entry id, so that republishing a URL id under https or with(out) a
/// trailing slash is not a new entry: for an http(s) URL, the lower-cased host (with a port
/// if not the default), path without trailing slash, and query and fragment as published;
/// any other id is itself, trimmed.
pub fn identity_key(id: &str) -> String {
    let id = id.trim();
    let Ok(url) = Url::parse(id) else {
        return id.to_string();
    };
    if !matches!(url.scheme(), "http" | "https") {
        return id.to_string();
    }
    let Some(host) = url.host_str() else {
        return id.to_string();
    };
    let mut key = host.to_ascii_lowercase();
    if let Some(port) = url.port().filter(|p| *p != 80 && *p != 443) {
        key.push_str(&format!(":{port}"));
    }
    key.push_str(url.path().trim_end_matches('/'));
    if let Some(query) = url.query() {
        key.push('?');
        key.push_str(query);
    }
    if let Some(fragment) = url.fragment() {
        key.push('#');
        key.push_str(fragment);
    }
    key
}

/// Normalizes a parsed feed. Pure: `now` (the fetch time) is the latest date allowed.
pub fn normalize(parsed: ParsedFeed, now: DateTime<Utc>) -> NormalizedFeed {
    let ParsedFeed { feed, source_url, .. } = parsed;
    let mut warnings = feed.warnings;

    // Links come resolved against any `xml:base` in scope; what is still relative is
    // relative to the feed's own URL.
    let home = pick_link(&feed.links).and_then(|href| absolute(href, source_url.as_ref()));
    let (updated, future) = clamp(feed.updated.or(feed.published), now);
    warn_future("the feed", &[future], &mut warnings);
    let info = FeedInfo {
        title: feed.title.as_ref().and_then(plain_text),
        link: home.as_ref().map(Url::to_string),
        subtitle: feed.subtitle.as_ref().and_then(plain_text),
        id: feed.id.clone(),
        language: feed.language.clone(),
        updated,
    };

    let entries = feed
        .entries
        .iter()
        .enumerate()
        .map(|(n, entry)| {
            normalize_entry(&feed.authors, entry, source_url.as_ref(), now, n, &mut warnings)
        })
        .collect();

    // `<ttl>` is in minutes; u32 minutes in seconds cannot overflow a u64.
    let ttl = feed.ttl.map(|minutes| Duration::from_secs(u64::from(minutes) * 60));
    NormalizedFeed { format: feed.format.to_string(), feed: info, entries, warnings, ttl }
}

fn normalize_entry(
    feed_authors: &[Person],
    entry: &RawEntry,
    source_url: Option<&Url>,
    now: DateTime<Utc>,
    position: usize,
    warnings: &mut Vec<String>,
) -> NormalizedEntry {
    let title = entry.title.as_ref().and_then(plain_text);
    let link = pick_link(&entry.links).and_then(|href| absolute(href, source_url));
    let base = entry.xml_base.clone().or_else(|| link.clone()).or_else(|| source_url.cloned());
    let base = base.as_ref().map(Url::as_str);

    let content_html = entry.content.as_ref().and_then(|c| to_safe_html(c, base));
    // Sanitize once when a feed repeats its content as the summary (many do).
    let summary_html = match (&entry.summary, &entry.content) {
        (Some(summary), Some(content)) if summary == content => content_html.clone(),
        (summary, _) => summary.as_ref().and_then(|s| to_safe_html(s, base)),
    };

    let id = match entry.id.as_deref() {
        Some(id) => id.to_string(),
        None => match &link {
            Some(link) => link.to_string(),
            None => content_hash_id(entry),
        },
    };
    let what = format!("entry {} ({id})", position + 1);

    let published = entry.published.or(entry.updated);
    let persons = if entry.authors.is_empty() { feed_authors } else { &entry.authors };
    let authors = persons.iter().filter_map(|p| author(p, base)).collect();

    let (published, future_published) = clamp(published, now);
    let (updated, future_updated) = clamp(entry.updated, now);
    warn_future(&what, &[future_published, future_updated], warnings);

    NormalizedEntry {
        id,
        title,
        link: link.map(|l| l.to_string()),
        published,
        updated,
        authors,
        tags: entry.tags.clone(),
        summary_html,
        content_html,
    }
}

/// The entry's permalink among its links: an alternate (or unlabelled) one first, then any
/// other but `self` and the comment feeds.
fn pick_link(links: &[Link]) -> Option<&str> {
    links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .or_else(|| links.iter().find(|l| !matches!(l.rel.as_deref(), Some("self" | "replies"))))
        .map(|l| l.href.trim())
        .filter(|href| !href.is_empty())
}

/// An absolute http(s) URL for `href`, resolved against `base` when relative.
fn absolute(href: &str, base: Option<&Url>) -> Option<Url> {
    let url = match Url::parse(href) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// A title or subtitle as plain text: the reader has decoded the XML once; HTML-typed text
/// has its tags stripped and its HTML entities decoded (that is its one decoding).
fn plain_text(text: &Text) -> Option<String> {
    let plain = match text.kind {
        TextKind::Plain => text.value.split_whitespace().collect::<Vec<_>>().join(" "),
        TextKind::Html => virgule_html::excerpt(&text.value, usize::MAX),
    };
    (!plain.is_empty()).then_some(plain)
}

/// Sanitized HTML for an HTML or plain-text body.
fn to_safe_html(text: &Text, base: Option<&str>) -> Option<String> {
    let html = match text.kind {
        TextKind::Html => match base {
            Some(base) => virgule_html::sanitize_with_base(&text.value, base),
            None => virgule_html::sanitize(&text.value),
        },
        TextKind::Plain => virgule_html::text_to_html(&text.value),
    };
    let html = html.trim().to_string();
    (!html.is_empty()).then_some(html)
}

fn author(person: &Person, base: Option<&str>) -> Option<Author> {
    let clean = |s: &Option<String>| {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
    };
    let base = base.and_then(|b| Url::parse(b).ok());
    let author = Author {
        name: clean(&person.name),
        email: clean(&person.email),
        uri: clean(&person.uri).and_then(|u| absolute(&u, base.as_ref())).map(|u| u.to_string()),
    };
    (author.name.is_some() || author.email.is_some() || author.uri.is_some()).then_some(author)
}

/// The id of last resort: a hash of what the entry says, stable across fetches as long as
/// the entry is unchanged. A NUL separates title and content so that the split is unambiguous.
fn content_hash_id(entry: &RawEntry) -> String {
    let title = entry.title.as_ref().map_or("", |t| t.value.as_str());
    let content =
        entry.content.as_ref().or(entry.summary.as_ref()).map_or("", |c| c.value.as_str());
    let mut hasher = Sha256::new();
    hasher.update(title.as_bytes());
    hasher.update([0u8]);
    hasher.update(content.as_bytes());
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// `date`, but never after `now`; the second value says whether it was clamped.
fn clamp(
    date: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    match date {
        Some(date) if date > now => (Some(now), Some(date)),
        other => (other, None),
    }
}

fn warn_future(what: &str, dates: &[Option<DateTime<Utc>>], warnings: &mut Vec<String>) {
    if let Some(date) = dates.iter().flatten().next() {
        warnings.push(format!(
            "{what}: date {} is in the future; clamped to the fetch time",
            date.to_rfc3339_opts(SecondsFormat::Secs, true)
        ));
    }
}

fn rfc3339<S: serde::Serializer>(
    date: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match date {
        Some(date) => serializer.serialize_str(&date.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FeedError, inspect_json, parse};

    fn now() -> DateTime<Utc> {
        date("2026-01-01T00:00:00Z")
    }

    fn date(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("test date").with_timezone(&Utc)
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    fn load(bytes: &[u8], source: &str) -> NormalizedFeed {
        let parsed = parse(bytes, None, Some(&url(source))).expect("fixture parses");
        normalize(parsed, now())
    }

    #[test]
    fn wordpress_feed_keeps_content_tags_guids_and_dates() {
        let feed = load(
            include_bytes!("../testdata/etbe-wordpress.rss"),
            "https://etbe.coker.com.au/feed/",
        );
        assert_eq!(feed.format, "rss2");
        assert_eq!(feed.feed.title.as_deref(), Some("etbe – Russell Coker"));
        assert_eq!(feed.feed.link.as_deref(), Some("https://etbe.coker.com.au/"));
        assert_eq!(feed.feed.subtitle.as_deref(), Some("Russell Coker's blog"));
        // Language tags are case-insensitive; the reader lower-cases them.
        assert_eq!(feed.feed.language.as_deref(), Some("en-au"));
        assert_eq!(feed.entries.len(), 10);
        let first = &feed.entries[0];
        assert_eq!(first.title.as_deref(), Some("Minikube and Debian"));
        // guid isPermaLink="false" is kept as published, not replaced by the link.
        assert_eq!(first.id, "https://etbe.coker.com.au/?p=5908");
        assert_eq!(
            first.link.as_deref(),
            Some("https://etbe.coker.com.au/2021/05/20/minikube-and-debian/")
        );
        assert_eq!(first.published, Some(date("2021-05-20T10:32:11Z")));
        assert_eq!(first.tags, ["Debian", "Kubernetes", "Virtualisation"]);
        assert_eq!(first.authors[0].name.as_deref(), Some("etbe"));
        let content = first.content_html.as_deref().expect("content:encoded");
        assert!(
            content.starts_with("<p>I just started looking at the Kubernetes documentation"),
            "{content}"
        );
        assert!(content.contains("<h3>Add Kubernetes Apt Repository</h3>"));
        assert_eq!(first.body_html(), Some(content), "content is preferred over the description");
        assert!(feed.entries.iter().all(|e| e.id.starts_with("https://etbe.coker.com.au/?p=")
            && e.published.is_some()
            && e.content_html.is_some()
            && e.summary_html.is_some()
            && !e.tags.is_empty()));
        assert_eq!(feed.entries[1].title.as_deref(), Some("Echo Chambers vs Epistemic Bubbles"));
        assert_eq!(feed.entries[1].published, Some(date("2021-05-17T08:46:11Z")));
        assert!(feed.warnings.is_empty(), "{:?}", feed.warnings);
    }

    #[test]
    fn advogato_era_feed_has_its_ten_posts() {
        let feed =
            load(include_bytes!("../testdata/etbe-2016.rss"), "https://etbe.coker.com.au/feed/");
        assert_eq!(feed.entries.len(), 10);
        let first = &feed.entries[0];
        assert_eq!(first.title.as_deref(), Some("Unikernels"));
        assert_eq!(first.id, "https://etbe.coker.com.au/?p=4702");
        assert_eq!(first.published, Some(date("2016-02-04T09:48:52Z")));
        assert_eq!(first.tags, ["SE Linux", "Security", "Kernel"]);
        assert!(
            first
                .content_html
                .as_deref()
                .is_some_and(|c| c.contains("<h3>Single Address Space</h3>"))
        );
        assert_eq!(
            feed.entries[1].title.as_deref(),
            Some("Compatibility and a Linux Community Server")
        );
        assert_eq!(feed.entries[1].id, "https://etbe.coker.com.au/?p=4673");
        let oldest = feed.sorted_oldest_first();
        assert_eq!(oldest.last().map(|e| e.id.as_str()), Some("https://etbe.coker.com.au/?p=4702"));
        assert!(oldest.windows(2).all(|w| w[0].published <= w[1].published));
    }

    #[test]
    fn atom_xml_base_is_scoped_and_resolves_links_and_content() {
        let feed = load(
            include_bytes!("../testdata/atom10-xml-base.atom"),
            "https://fetched.example/feed.atom",
        );
        assert_eq!(feed.format, "atom");
        assert_eq!(
            feed.feed.title.as_deref(),
            Some("Notes & Queries"),
            "an html title is text, decoded once"
        );
        assert_eq!(feed.feed.link.as_deref(), Some("https://blog.example.org/"));
        assert_eq!(feed.feed.id.as_deref(), Some("tag:blog.example.org,2024:feed"));
        assert_eq!(feed.feed.updated, Some(date("2024-03-02T10:00:00Z")));

        let first = &feed.entries[0];
        // A type="text" title is text: its markup is literal characters.
        assert_eq!(first.title.as_deref(), Some("Relative <em>links</em>"));
        assert_eq!(first.link.as_deref(), Some("https://blog.example.org/2024/03/relative-links"));
        assert_eq!(first.published, Some(date("2024-03-02T08:00:00Z")));
        assert_eq!(first.tags, ["The Web", "atom"]);
        // The feed's author is inherited, its uri resolved against xml:base.
        assert_eq!(
            first.authors,
            [Author {
                name: Some("Ada".into()),
                email: Some("ada@example.org".into()),
                uri: Some("https://blog.example.org/about".into()),
            }]
        );
        let content = first.content_html.as_deref().unwrap_or_default();
        assert!(content.contains(r#"href="https://blog.example.org/2024/03/other""#), "{content}");
        assert!(
            content.contains(r#"src="https://blog.example.org/2024/03/images/cat.png""#),
            "{content}"
        );
        assert_eq!(
            first.summary_html.as_deref(),
            Some("<p>A summary with &lt;b&gt;markup&lt;/b&gt; shown as text</p>")
        );

        let second = &feed.entries[1];
        assert_eq!(second.title.as_deref(), Some("An XHTML title"));
        assert_eq!(second.link.as_deref(), Some("https://blog.example.org/2024/02/first"));
        assert_eq!(second.authors[0].name.as_deref(), Some("Grace"));
        assert_eq!(
            second.content_html.as_deref(),
            Some(
                r#"<p>Hello <a href="https://blog.example.org/hello" rel="nofollow noopener noreferrer">world</a></p>"#
            )
        );
    }

    #[test]
    fn rss1_rdf_items_with_dublin_core() {
        let feed =
            load(include_bytes!("../testdata/rss1-rdf.rdf"), "https://rdf.example.net/index.rdf");
        assert_eq!(feed.format, "rss1");
        assert_eq!(feed.feed.title.as_deref(), Some("An RDF site"));
        assert_eq!(feed.entries.len(), 2);
        assert_eq!(feed.entries[0].id, "https://rdf.example.net/2003/one");
        assert_eq!(feed.entries[0].published, Some(date("2003-05-01T08:00:00Z")));
        assert_eq!(feed.entries[0].authors[0].name.as_deref(), Some("raph"));
        assert_eq!(feed.entries[1].content_html.as_deref(), Some("<p>Second, in full</p>"));
        // Escaped HTML in an RSS 1.0 description is HTML, as the sites that wrote it meant.
        assert_eq!(feed.entries[0].summary_html.as_deref(), Some("First <i>post</i>"));
    }

    #[test]
    fn json_feed_1_1() {
        let feed = load(
            include_bytes!("../testdata/jsonfeed-1.1.json"),
            "https://json.example.com/feed.json",
        );
        assert_eq!(feed.format, "json");
        assert_eq!(feed.feed.title.as_deref(), Some("A JSON Feed"));
        assert_eq!(feed.feed.link.as_deref(), Some("https://json.example.com/"));
        let first = &feed.entries[0];
        assert_eq!(first.id, "https://json.example.com/2023/hello/");
        assert_eq!(first.published, Some(date("2023-07-01T10:00:00Z")));
        assert_eq!(first.updated, Some(date("2023-07-02T12:00:00Z")));
        assert_eq!(first.tags, ["hello", "json"]);
        assert_eq!(
            first.content_html.as_deref(),
            Some(r#"<p>Hello <img src="https://json.example.com/img/wave.png"></p>"#)
        );
        assert_eq!(first.authors[0].name.as_deref(), Some("Jay"));
        let second = &feed.entries[1];
        assert_eq!(second.id, "2");
        assert_eq!(
            second.content_html.as_deref(),
            Some("<p>Line one</p>\n<p>Line &lt;two&gt;</p>")
        );
    }

    #[test]
    fn atom03_issued_and_modified_fill_the_dates_feed_rs_drops() {
        let feed = load(
            include_bytes!("../testdata/atom03-issued-modified.atom"),
            "https://old.example.org/atom.xml",
        );
        assert_eq!(feed.format, "atom");
        assert_eq!(feed.feed.title.as_deref(), Some("Old Atom"));
        assert_eq!(feed.feed.updated, Some(date("2004-06-10T12:00:00Z")));
        assert_eq!(feed.entries.len(), 2);
        let first = &feed.entries[0];
        assert_eq!(first.id, "tag:old.example.org,2004:1");
        assert_eq!(first.link.as_deref(), Some("https://old.example.org/2004/06/09/one"));
        assert_eq!(first.published, Some(date("2004-06-09T12:30:00Z")));
        assert_eq!(first.updated, Some(date("2004-06-10T12:00:00Z")));
        assert_eq!(first.content_html.as_deref(), Some("<p>Atom 0.3 content</p>"));
        // A zone-less `created` is taken as UTC.
        assert_eq!(feed.entries[1].published, Some(date("2004-06-01T10:00:00Z")));
        assert_eq!(feed.entries[1].updated, None);
    }

    #[test]
    fn windows_1252_under_a_utf8_prolog_gets_the_right_characters_and_a_warning() {
        let feed = load(
            include_bytes!("../testdata/windows-1252-says-utf8.rss"),
            "https://cafe.example.org/feed",
        );
        assert_eq!(feed.feed.title.as_deref(), Some("Café notes"));
        assert_eq!(
            feed.entries[0].title.as_deref(),
            Some("\u{201c}Smart\u{201d} quotes \u{2013} and a dash")
        );
        assert_eq!(feed.entries[0].summary_html.as_deref(), Some("<p>It\u{2019}s naïve</p>"));
        assert!(
            feed.warnings
                .iter()
                .any(|w| w.contains("says UTF-8, but the bytes are not valid UTF-8")),
            "{:?}",
            feed.warnings
        );
    }

    #[test]
    fn utf16_with_bom() {
        let feed =
            load(include_bytes!("../testdata/utf16le-bom.rss"), "https://utf16.example.org/feed");
        assert_eq!(feed.feed.title.as_deref(), Some("日本語 ☃"));
        assert_eq!(feed.entries[0].title.as_deref(), Some("Grüße ☃"));
        assert_eq!(feed.entries[0].id, "utf16-1");
    }

    #[test]
    fn billion_laughs_fixture_is_refused() {
        let err = parse(include_bytes!("../testdata/billion-laughs.rss"), None, None).unwrap_err();
        assert!(matches!(err, FeedError::DeclaresEntities));
        assert_eq!(err.to_string(), "the feed declares XML entities, which are not accepted");
    }

    #[test]
    fn double_escaped_titles_are_decoded_once() {
        let feed = load(
            include_bytes!("../testdata/hostile-content.rss"),
            "https://hostile.example.com/feed",
        );
        // `AT&amp;amp;T` in the XML is the text `AT&amp;T`: the publisher escaped twice,
        // and decoding twice would hide other feeds' literal "&amp;".
        assert_eq!(feed.entries[0].title.as_deref(), Some("AT&amp;T & friends"));
        assert_eq!(feed.feed.title.as_deref(), Some("Hostile &amp; double-escaped"));
    }

    #[test]
    fn script_onerror_onclick_and_javascript_urls_are_removed() {
        let feed = load(
            include_bytes!("../testdata/hostile-content.rss"),
            "https://hostile.example.com/feed",
        );
        let content = feed.entries[0].content_html.as_deref().unwrap_or_default();
        for bad in ["script", "alert", "onerror", "onclick", "steal", "javascript:"] {
            assert!(!content.contains(bad), "{bad} in {content}");
        }
        // Relative URLs resolve against the entry's link (itself resolved against the feed URL).
        assert!(content.contains(r#"src="https://hostile.example.com/posts/x.png""#), "{content}");
        assert!(content.contains(r#"href="https://hostile.example.com/posts/more""#), "{content}");
        assert_eq!(feed.entries[0].link.as_deref(), Some("https://hostile.example.com/posts/at-t"));
    }

    #[test]
    fn a_future_date_is_clamped_to_now_with_one_warning() {
        let feed = load(
            include_bytes!("../testdata/hostile-content.rss"),
            "https://hostile.example.com/feed",
        );
        assert_eq!(feed.entries[0].published, Some(now()));
        assert_eq!(feed.warnings.len(), 1, "{:?}", feed.warnings);
        assert!(feed.warnings[0].contains("2050-01-01T00:00:00Z is in the future"));
        // A missing date stays missing: the ingester uses the first-seen time.
        assert_eq!(feed.entries[1].published, None);
    }

    #[test]
    fn without_guid_or_link_the_id_is_a_stable_content_hash() {
        let bytes = include_bytes!("../testdata/hostile-content.rss");
        let a = load(bytes, "https://hostile.example.com/feed");
        let b = load(bytes, "https://elsewhere.example/feed");
        let id = &a.entries[1].id;
        assert!(id.starts_with("sha256:") && id.len() == "sha256:".len() + 64, "{id}");
        assert_eq!(id, &b.entries[1].id);
        let edited = String::from_utf8_lossy(bytes).replace("Only words here", "Other words");
        assert_ne!(id, &load(edited.as_bytes(), "https://hostile.example.com/feed").entries[1].id);
    }

    #[test]
    fn identity_key_ignores_scheme_trailing_slash_and_host_case() {
        assert_eq!(identity_key("http://x/a/"), identity_key("https://x/a"));
        assert_eq!(
            identity_key("https://Blog.Example.org/2024/post/"),
            "blog.example.org/2024/post"
        );
        assert_eq!(identity_key("https://etbe.coker.com.au/?p=4702"), "etbe.coker.com.au?p=4702");
        assert_ne!(identity_key("https://x/a?p=1"), identity_key("https://x/a?p=2"));
        assert_ne!(identity_key("https://x/A"), identity_key("https://x/a"));
        assert_eq!(identity_key(" tag:blog.example.org,2024:1 "), "tag:blog.example.org,2024:1");
    }

    #[test]
    fn sorted_oldest_first_puts_undated_entries_last_in_document_order() {
        let doc = br#"<rss version="2.0"><channel><title>t</title>
            <item><guid>undated-1</guid></item>
            <item><guid>new</guid><pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate></item>
            <item><guid>undated-2</guid></item>
            <item><guid>old</guid><pubDate>Mon, 01 Jan 2024 00:00:00 GMT</pubDate></item>
            <item><guid>also-new</guid><pubDate>Tue, 02 Jan 2024 00:00:00 GMT</pubDate></item>
        </channel></rss>"#;
        let feed = load(doc, "https://t.example/feed");
        let order: Vec<&str> = feed.sorted_oldest_first().iter().map(|e| e.id.as_str()).collect();
        assert_eq!(order, ["old", "new", "also-new", "undated-1", "undated-2"]);
        let document: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(document, ["undated-1", "new", "undated-2", "old", "also-new"]);
    }

    #[test]
    fn rss_ttl_is_kept_in_minutes_and_absent_when_not_given() {
        let doc = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
            <link>https://t.example/</link><ttl>120</ttl>
            <item><guid>a</guid><title>A</title></item></channel></rss>"#;
        let feed = load(doc, "https://t.example/feed");
        assert_eq!(feed.ttl, Some(Duration::from_secs(2 * 60 * 60)));
        let json = serde_json::to_value(&feed).expect("serializes");
        assert!(json.get("ttl").is_none(), "ttl is not part of the inspect JSON: {json}");

        let without = load(include_bytes!("../testdata/etbe-wordpress.rss"), "https://t.example/");
        assert_eq!(without.ttl, None);
        let atom = load(
            include_bytes!("../testdata/atom10-xml-base.atom"),
            "https://blog.example.org/feed.atom",
        );
        assert_eq!(atom.ttl, None);
    }

    #[test]
    fn inspect_json_has_exactly_the_design_shape() {
        let base = url("https://blog.example.org/feed.atom");
        let json = inspect_json(
            include_bytes!("../testdata/atom10-xml-base.atom"),
            None,
            Some(&base),
            now(),
        )
        .expect("inspect");
        let keys = |v: &serde_json::Value| {
            let mut keys: Vec<String> =
                v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
            keys.sort();
            keys
        };
        assert_eq!(keys(&json), ["entries", "feed", "format", "warnings"]);
        assert_eq!(keys(&json["feed"]), ["id", "language", "link", "subtitle", "title", "updated"]);
        assert_eq!(
            keys(&json["entries"][0]),
            [
                "authors",
                "content_html",
                "id",
                "link",
                "published",
                "summary_html",
                "tags",
                "title",
                "updated"
            ]
        );
        assert_eq!(keys(&json["entries"][0]["authors"][0]), ["email", "name", "uri"]);
        assert_eq!(json["format"], "atom");
        assert_eq!(json["feed"]["updated"], "2024-03-02T10:00:00Z");
        assert_eq!(json["entries"][0]["published"], "2024-03-02T08:00:00Z");
        assert_eq!(json["entries"][1]["summary_html"], serde_json::Value::Null);
        assert_eq!(json["warnings"], serde_json::json!([]));
    }
}
