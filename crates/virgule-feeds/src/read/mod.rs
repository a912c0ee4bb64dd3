//! Virgule's own liberal feed reader: UTF-8 text in (see [`crate::decode()`]), one raw model
//! out, for every format we accept, one module per format as the established readers do:
//! [`rss`] (0.9x, 1.0, 2.0), [`atom`] (0.3, 1.0) and [`json`] (JSON Feed 1.0, 1.1), over a
//! forgiving XML tree ([`xml`]) that decodes HTML's named entities ([`entities`]).
//!
//! Liberal means: a fault that can be read past is read past, with a line in `warnings`
//! for the feed's owner; only a document that is no feed at all, or a hostile one, is refused.
//! The model keeps what the feed says (text with its kind, raw hrefs, parsed dates); ids,
//! absolute URLs and sanitizing are [`crate::normalize`]'s.

mod atom;
mod entities;
mod json;
mod rss;
mod xml;

use chrono::{DateTime, Utc};
use url::Url;

use crate::FeedError;

/// How a piece of text is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextKind {
    Plain,
    Html,
}

/// A title, summary or content, with how to read it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Text {
    pub kind: TextKind,
    pub value: String,
}

impl Text {
    fn plain(value: String) -> Text {
        Text { kind: TextKind::Plain, value }
    }

    fn html(value: String) -> Text {
        Text { kind: TextKind::Html, value }
    }
}

/// A link as written (`href` not yet resolved); `rel` lower-case, `None` meaning alternate.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Link {
    pub href: String,
    pub rel: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Person {
    pub name: Option<String>,
    pub email: Option<String>,
    pub uri: Option<String>,
}

/// One entry as the feed wrote it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RawEntry {
    /// GUID, Atom id or JSON Feed id, trimmed; `None` when absent or blank.
    pub id: Option<String>,
    pub title: Option<Text>,
    /// Resolved against the `xml:base` in scope, if any (else as written).
    pub links: Vec<Link>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<Person>,
    pub tags: Vec<String>,
    pub summary: Option<Text>,
    pub content: Option<Text>,
    /// The base URL `xml:base` attributes set for the entry's content (else its summary,
    /// else the entry); `None` when no `xml:base` applies.
    pub xml_base: Option<Url>,
}

/// A feed as its document says it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RawFeed {
    /// "rss0", "rss1", "rss2", "atom" or "json".
    pub format: &'static str,
    pub title: Option<Text>,
    pub subtitle: Option<Text>,
    pub links: Vec<Link>,
    pub id: Option<String>,
    /// Lower-case.
    pub language: Option<String>,
    pub updated: Option<DateTime<Utc>>,
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<Person>,
    /// RSS `<ttl>`, minutes.
    pub ttl: Option<u32>,
    pub entries: Vec<RawEntry>,
    /// What was odd and read past.
    pub warnings: Vec<String>,
}

/// Reads a decoded document of any supported format. `max_depth` bounds XML nesting;
/// `source_url` is where relative `xml:base` values resolve.
pub(crate) fn read(
    text: &str,
    max_depth: usize,
    source_url: Option<&Url>,
) -> Result<RawFeed, FeedError> {
    let text = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    if text.starts_with('{') {
        return json::read(text);
    }
    let skipped = leading_junk(text);
    let text = match skipped {
        Some(at) => &text[at..],
        None if !text.is_empty() && !text.starts_with('<') => {
            let shown: String = text.chars().take(40).collect();
            return Err(FeedError::Unreadable(format!(
                "the document is neither XML nor JSON; it begins \"{shown}\""
            )));
        }
        None => text,
    };
    let document = xml::parse(text, max_depth)?;
    let root = &document.root;
    let mut feed = match (root.local.as_str(), &root.ns) {
        ("rss" | "channel" | "rdf", _) => rss::read(root, source_url),
        ("feed", _) => atom::read(root, source_url),
        ("html" | "body" | "head", _) => {
            return Err(FeedError::Unreadable(
                "this is an HTML page, not a feed; give the address of the feed itself, or a \
                 page that links to it"
                    .into(),
            ));
        }
        (other, _) => {
            return Err(FeedError::Unreadable(format!(
                "the document's root element is <{other}>, which is no feed format we know \
                 (RSS, RDF, Atom, JSON Feed)"
            )));
        }
    };
    if let Some(bytes) = skipped {
        feed.warnings.push(format!("{bytes} bytes of text before the feed itself were skipped"));
    }
    for name in &document.unknown_entities {
        feed.warnings.push(format!("unknown entity &{name}; kept as written"));
    }
    if let Some(place) = &document.cut_off {
        feed.warnings.push(format!(
            "the document is cut off or malformed {place}; read the entries finished before \
             that point ({}), skipped the one it cut through, if any",
            feed.entries.len()
        ));
    }
    Ok(feed)
}

/// How many bytes of something else come before the feed: a PHP notice printed before
/// WordPress's XML is a classic. `None` when the text starts like a document (a declaration,
/// a comment, a DOCTYPE, a feed's root element, an HTML page), or when no feed follows.
fn leading_junk(text: &str) -> Option<usize> {
    let head: String = text.chars().take(9).collect::<String>().to_ascii_lowercase();
    let document_start = ["<?", "<!", "<rss", "<feed", "<rdf:", "<channel", "<html"];
    if document_start.iter().any(|start| head.starts_with(start)) {
        return None;
    }
    let mut window = text.len().min(64 * 1024);
    while !text.is_char_boundary(window) {
        window -= 1;
    }
    ["<?xml", "<rss", "<feed", "<rdf:RDF", "<channel"]
        .iter()
        .filter_map(|start| text[..window].find(start))
        .min()
}

/// A date field's value, with a warning when there is text but no date in it.
fn date(raw: Option<String>, what: &str, warnings: &mut Vec<String>) -> Option<DateTime<Utc>> {
    let raw = raw?;
    let date = crate::date::parse_date(&raw);
    if date.is_none() {
        let shown: String = raw.chars().take(80).collect();
        warnings.push(format!("{what}: could not read the date \"{shown}\"; ignored"));
    }
    date
}

/// The `xml:base` in scope inside `e`: its own, resolved against the one outside (or the
/// feed's URL), else the one outside. `None` while no `xml:base` applies.
fn scoped_base(outer: Option<&Url>, e: &xml::Element, source_url: Option<&Url>) -> Option<Url> {
    let Some(value) = e.attr("xml:base").map(str::trim) else {
        return outer.cloned();
    };
    match outer.or(source_url) {
        Some(against) => against.join(value).ok().or_else(|| outer.cloned()),
        None => Url::parse(value).ok(),
    }
}

/// `href` resolved against the `xml:base` in scope at its element `e` (inside `outer`), or
/// as written when no `xml:base` applies (normalize resolves it against the feed's URL).
fn resolve_href(
    href: String,
    outer: Option<&Url>,
    e: &xml::Element,
    source_url: Option<&Url>,
) -> String {
    match scoped_base(outer, e, source_url) {
        Some(base) => base.join(&href).map(String::from).unwrap_or(href),
        None => href,
    }
}

/// "entry N" for warnings, 1-based.
fn entry_label(position: usize) -> String {
    format!("entry {}", position + 1)
}

/// A person from an RSS-style one-line author: "jo@example.org (Jo Doe)", "Jo Doe
/// <jo@example.org>", an address or a name.
fn person_from_line(line: &str) -> Option<Person> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let clean = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    if let Some((before, after)) = line.split_once('(')
        && let Some(inside) = after.strip_suffix(')')
    {
        let email = clean(before).filter(|e| e.contains('@'));
        return Some(Person { name: clean(inside), email, uri: None });
    }
    if let Some((before, after)) = line.split_once('<')
        && let Some(inside) = after.strip_suffix('>')
    {
        return Some(Person {
            name: clean(before.trim().trim_matches('"')),
            email: clean(inside),
            uri: None,
        });
    }
    if line.contains('@') && !line.contains(' ') {
        return Some(Person { name: None, email: Some(line.to_string()), uri: None });
    }
    Some(Person { name: Some(line.to_string()), email: None, uri: None })
}

/// Adds a tag unless blank or already there.
fn push_tag(tags: &mut Vec<String>, tag: &str) {
    let tag = tag.trim();
    if !tag.is_empty() && !tags.iter().any(|t| t == tag) {
        tags.push(tag.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authors_in_every_one_line_shape() {
        let p = |s| person_from_line(s).expect("a person");
        let jo = p("jo@example.org (Jo Doe)");
        assert_eq!(
            (jo.name.as_deref(), jo.email.as_deref()),
            (Some("Jo Doe"), Some("jo@example.org"))
        );
        let jo = p("\"Jo Doe\" <jo@example.org>");
        assert_eq!(
            (jo.name.as_deref(), jo.email.as_deref()),
            (Some("Jo Doe"), Some("jo@example.org"))
        );
        assert_eq!(p("jo@example.org").email.as_deref(), Some("jo@example.org"));
        assert_eq!(p("Jo Doe").name.as_deref(), Some("Jo Doe"));
        assert_eq!(person_from_line("  "), None);
    }

    fn feed(doc: &str) -> RawFeed {
        read(doc, 256, None).unwrap_or_else(|e| panic!("{e}: {doc}"))
    }

    fn title(feed: &RawFeed, n: usize) -> &str {
        feed.entries[n].title.as_ref().map_or("", |t| t.value.as_str())
    }

    /// The faults issue 12 found feeds refused or garbled for, each read now.
    #[test]
    fn faults_that_used_to_cost_the_whole_feed() {
        for version in ["", " version=\" 2.0\"", " version=\"2.2\""] {
            let f = feed(&format!(
                "<rss{version}><channel><title>t</title><item><title>x</title></item></channel></rss>"
            ));
            assert_eq!((f.format, f.entries.len(), title(&f, 0)), ("rss2", 1, "x"), "{version}");
        }
        let f = feed(
            r#"<rss version="2.0" xmlns=""><channel><item><title>x</title></item></channel></rss>"#,
        );
        assert_eq!(title(&f, 0), "x");
        let podcast = feed(
            r#"<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
            <itunes:subtitle>Show</itunes:subtitle><item><itunes:summary>Episode notes</itunes:summary>
            <guid>e1</guid></item></channel></rss>"#,
        );
        assert_eq!(podcast.subtitle.as_ref().map(|t| t.value.as_str()), Some("Show"));
        assert_eq!(
            podcast.entries[0].summary.as_ref().map(|t| t.value.as_str()),
            Some("Episode notes")
        );
        let atom = feed(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><entry><title type="">T</title>
            <summary type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml"><p>S</p></div></summary></entry></feed>"#,
        );
        assert_eq!(title(&atom, 0), "T");
        assert_eq!(atom.entries[0].summary, Some(Text::html("<p>S</p>".into())));
        let titles = feed(
            "<rss version='2.0'><channel><item><title>caf&eacute; &nbsp; &mdash;</title></item></channel></rss>",
        );
        assert_eq!(title(&titles, 0), "caf\u{e9} \u{a0} \u{2014}");
    }

    #[test]
    fn atom03_content_modes() {
        let f = feed(
            r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><entry>
            <content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">a <b>b</b></div></content></entry>
            <entry><content type="text/html" mode="escaped">&lt;i&gt;i&lt;/i&gt;</content></entry>
            <entry><content type="text/html" mode="base64">PHA+YmFzZTY0PC9wPg==</content></entry>
            <entry><content type="text/plain" mode="base64">PHA+</content></entry>
            <entry><content type="image/png" mode="base64">iVBORw0KGgo=</content></entry></feed>"#,
        );
        let contents: Vec<Option<Text>> = f.entries.iter().map(|e| e.content.clone()).collect();
        assert_eq!(
            contents,
            [
                Some(Text::html("a <b>b</b>".into())),
                Some(Text::html("<i>i</i>".into())),
                Some(Text::html("<p>base64</p>".into())),
                Some(Text::plain("<p>".into())),
                None,
            ]
        );
    }

    #[test]
    fn a_cut_off_feed_keeps_its_finished_entries_and_says_so() {
        let f = feed(
            "<rss version='2.0'><channel><item><title>one</title></item><item><title>two</title></item><item><title>thr",
        );
        assert_eq!(f.entries.len(), 2);
        assert!(f.warnings.iter().any(|w| w.contains("cut off")), "{:?}", f.warnings);
    }

    #[test]
    fn text_before_the_feed_is_skipped_with_a_warning() {
        let f = feed(
            "<b>Notice</b> ignore\nWarning: something on line 12\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>x</title></item></channel></rss>",
        );
        assert_eq!(title(&f, 0), "x");
        assert!(f.warnings.iter().any(|w| w.contains("skipped")), "{:?}", f.warnings);
        let err = read("# A README\n\nSome <pre>text</pre>", 256, None).expect_err("not a feed");
        assert!(err.to_string().contains("neither XML nor JSON"), "{err}");
    }

    #[test]
    fn roots_that_are_not_feeds() {
        let err = |doc: &str| read(doc, 256, None).expect_err("refused").to_string();
        assert!(err("<html><head><link rel=alternate></head></html>").contains("HTML page"));
        assert!(err("<opml version='2.0'/>").contains("<opml>"));
        assert!(err("").contains("empty"));
    }
}
