//! Atom 1.0 and 0.3 in one reader: 0.3's names (`tagline`, `issued`, `created`,
//! `modified`, `url`) and content modes (`xml`, `escaped`, `base64`) beside 1.0's; text
//! constructs of any `type` (an unknown one reads as text, with a warning; XHTML, in either
//! spelling, as markup); `xml:base` scoped per element; Dublin Core for what is missing.

use base64::Engine;
use url::Url;

use super::xml::{Element, Node, Ns};
use super::{
    Link, Person, RawEntry, RawFeed, Text, date, entry_label, person_from_line, push_tag,
    resolve_href, scoped_base,
};

/// Reads a document whose root is `<feed>`.
pub(super) fn read(root: &Element, source_url: Option<&Url>) -> RawFeed {
    let mut feed = RawFeed { format: "atom", ..RawFeed::default() };
    let core = |e: &Element| e.ns == root.ns || matches!(e.ns, Ns::Atom10 | Ns::Atom03);
    let base = scoped_base(None, root, source_url);
    feed.language =
        root.attr("xml:lang").map(|l| l.trim().to_lowercase()).filter(|l| !l.is_empty());

    let (mut updated, mut published, mut fallback_date) = (None, None, None);
    for e in root.elements() {
        match (core(e), &e.ns, e.local.as_str()) {
            (true, _, "title") => {
                feed.title =
                    feed.title.take().or(text_construct(e, "the feed's title", &mut feed.warnings));
            }
            (true, _, "subtitle" | "tagline") => {
                feed.subtitle = feed.subtitle.take().or(text_construct(
                    e,
                    "the feed's subtitle",
                    &mut feed.warnings,
                ));
            }
            (true, _, "link") => push_link(&mut feed.links, e, base.as_ref(), source_url),
            (true, _, "id") => feed.id = feed.id.take().or(e.trimmed_text()),
            (true, _, "updated" | "modified") => updated = updated.or(e.trimmed_text()),
            (true, _, "published" | "issued") => published = published.or(e.trimmed_text()),
            (_, Ns::Dc, "date") => fallback_date = fallback_date.or(e.trimmed_text()),
            (true, _, "author") | (_, Ns::Dc, "creator") => feed.authors.extend(person(e)),
            // An entry the document ended inside of is skipped (`read` warns about the cut).
            (true, _, "entry") if !e.complete => {}
            (true, _, "entry") => {
                let position = feed.entries.len();
                let entry =
                    read_entry(e, position, base.as_ref(), source_url, &core, &mut feed.warnings);
                feed.entries.push(entry);
            }
            _ => {}
        }
    }
    let warnings = &mut feed.warnings;
    feed.updated =
        date(updated, "the feed", warnings).or(date(fallback_date, "the feed", warnings));
    feed.published = date(published, "the feed", warnings);
    feed
}

fn read_entry(
    entry_element: &Element,
    position: usize,
    feed_base: Option<&Url>,
    source_url: Option<&Url>,
    core: &impl Fn(&Element) -> bool,
    warnings: &mut Vec<String>,
) -> RawEntry {
    let what = entry_label(position);
    let entry_base = scoped_base(feed_base, entry_element, source_url);
    let mut entry = RawEntry { xml_base: entry_base.clone(), ..RawEntry::default() };
    // The content's `xml:base` wins over the summary's.
    let mut content_seen = false;
    let (mut published, mut issued, mut created, mut updated, mut dc_date) =
        (None, None, None, None, None);
    let mut dc_authors = Vec::new();
    for e in entry_element.elements() {
        match (core(e), &e.ns, e.local.as_str()) {
            (true, _, "id") => entry.id = entry.id.take().or(e.trimmed_text()),
            (true, _, "title") => {
                entry.title =
                    entry.title.take().or(text_construct(e, &format!("{what}'s title"), warnings));
            }
            (true, _, "link") => push_link(&mut entry.links, e, entry_base.as_ref(), source_url),
            (true, _, "published") => published = published.or(e.trimmed_text()),
            (true, _, "issued") => issued = issued.or(e.trimmed_text()),
            (true, _, "created") => created = created.or(e.trimmed_text()),
            (true, _, "updated" | "modified") => updated = updated.or(e.trimmed_text()),
            (_, Ns::Dc, "date") => dc_date = dc_date.or(e.trimmed_text()),
            (true, _, "author") => entry.authors.extend(person(e)),
            (_, Ns::Dc, "creator") => dc_authors.extend(person(e)),
            (true, _, "category") => {
                let tag = e.attr("label").filter(|l| !l.trim().is_empty()).or(e.attr("term"));
                push_tag(&mut entry.tags, tag.unwrap_or_default());
            }
            (_, Ns::Dc, "subject") => push_tag(&mut entry.tags, &e.text()),
            (true, _, "summary") if entry.summary.is_none() => {
                entry.summary = text_construct(e, &format!("{what}'s summary"), warnings);
                if !content_seen {
                    entry.xml_base = scoped_base(entry_base.as_ref(), e, source_url);
                }
            }
            (true, _, "content") if entry.content.is_none() => {
                entry.content = content(e, &format!("{what}'s content"), warnings);
                content_seen = true;
                entry.xml_base = scoped_base(entry_base.as_ref(), e, source_url);
            }
            _ => {}
        }
    }
    if entry.authors.is_empty() {
        entry.authors = dc_authors;
    }
    entry.published = date(published, &what, warnings)
        .or(date(issued, &what, warnings))
        .or(date(created, &what, warnings))
        .or(date(dc_date, &what, warnings));
    entry.updated = date(updated, &what, warnings);
    entry
}

/// An Atom link: `href` required, resolved against the `xml:base` in scope (if any); `rel`
/// lower-case (absent means alternate).
pub(super) fn push_link(
    links: &mut Vec<Link>,
    e: &Element,
    base: Option<&Url>,
    source_url: Option<&Url>,
) {
    let href = e.attr("href").map(|h| h.trim().to_string()).or_else(|| e.trimmed_text());
    if let Some(href) = href.filter(|h| !h.is_empty()) {
        let rel = e.attr("rel").map(|r| r.trim().to_ascii_lowercase()).filter(|r| !r.is_empty());
        links.push(Link { href: resolve_href(href, base, e, source_url), rel });
    }
}

/// An author or contributor: Atom's `name`, `email`, `uri` (0.3: `url`), or plain text.
pub(super) fn person(e: &Element) -> Option<Person> {
    if !e.has_element_children() {
        return e.trimmed_text().as_deref().and_then(person_from_line);
    }
    let mut person = Person::default();
    for child in e.elements() {
        let value = child.trimmed_text();
        match child.local.as_str() {
            "name" => person.name = person.name.or(value),
            "email" => person.email = person.email.or(value),
            "uri" | "url" => person.uri = person.uri.or(value),
            _ => {}
        }
    }
    (person.name.is_some() || person.email.is_some() || person.uri.is_some()).then_some(person)
}

/// How a text construct or content says to read it.
enum Kind {
    Text,
    Html,
    Xhtml,
    /// Inline XML of another vocabulary (`type="…+xml"`).
    Xml,
    /// A media type we do not show (an image, out-of-line content).
    Other,
}

/// A title, subtitle or summary. Unknown types read as text, with a warning.
fn text_construct(e: &Element, what: &str, warnings: &mut Vec<String>) -> Option<Text> {
    construct(e, what, warnings, true)
}

/// An entry's content: like a text construct, but other media types (and out-of-line
/// content, `src="…"`) are not shown.
fn content(e: &Element, what: &str, warnings: &mut Vec<String>) -> Option<Text> {
    if e.attr("src").is_some() && e.text().trim().is_empty() {
        return None;
    }
    // Atom 0.3: alternatives as nested `<content>`; the HTML one if there is one.
    let declared = e.attr("type").map(|t| t.trim().to_ascii_lowercase());
    if declared.as_deref() == Some("multipart/alternative") {
        let parts: Vec<&Element> = e.elements().filter(|c| c.local == "content").collect();
        let is_html =
            |c: &Element| c.attr("type").is_some_and(|t| t.to_ascii_lowercase().contains("html"));
        let part = parts.iter().find(|c| is_html(c)).or(parts.first())?;
        return content(part, what, warnings);
    }
    construct(e, what, warnings, false)
}

fn construct(e: &Element, what: &str, warnings: &mut Vec<String>, is_text: bool) -> Option<Text> {
    let declared = e.attr("type").map(|t| t.trim().to_ascii_lowercase());
    let mut kind = match declared.as_deref().map(|t| t.split(';').next().unwrap_or("").trim()) {
        None | Some("" | "text" | "text/plain") => Kind::Text,
        Some("html" | "text/html") => Kind::Html,
        Some("xhtml" | "application/xhtml+xml") => Kind::Xhtml,
        Some(t) if t.starts_with("text/") => Kind::Text,
        Some(t) if t.ends_with("+xml") || t.ends_with("/xml") => Kind::Xml,
        Some(t) if t.contains('/') && !is_text => Kind::Other,
        Some(t) => {
            let shown: String = t.chars().take(40).collect();
            warnings.push(format!("{what} has the unknown type \"{shown}\"; read as text"));
            Kind::Text
        }
    };
    let mode = e.attr("mode").map(|m| m.trim().to_ascii_lowercase());
    let body = match mode.as_deref() {
        Some("base64") => {
            let compact: String = e.text().split_ascii_whitespace().collect();
            match base64::engine::general_purpose::STANDARD.decode(compact.as_bytes()) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => {
                    warnings.push(format!("{what} is marked base64 but is not; ignored"));
                    return None;
                }
            }
        }
        // Atom 0.3's default mode is "xml": markup written inline, as XHTML.
        Some("xml") | None if e.has_element_children() => {
            if matches!(kind, Kind::Text | Kind::Html) {
                kind = Kind::Xhtml;
            }
            String::new()
        }
        Some("escaped" | "xml") | None => e.text(),
        Some(other) => {
            let shown: String = other.chars().take(20).collect();
            warnings.push(format!("{what} has the unknown mode \"{shown}\"; read as escaped"));
            e.text()
        }
    };
    let text = match kind {
        Kind::Text => Text::plain(body),
        Kind::Html => Text::html(body),
        Kind::Xhtml | Kind::Xml
            if e.has_element_children() && mode.as_deref() != Some("base64") =>
        {
            Text::html(xhtml_markup(e))
        }
        // Markup only when escaped or base64-encoded; otherwise there was none, only text.
        Kind::Xhtml if matches!(mode.as_deref(), Some("escaped" | "base64")) => Text::html(body),
        Kind::Xhtml => Text::plain(body),
        Kind::Xml => Text::plain(body),
        Kind::Other => return None,
    };
    (!text.value.trim().is_empty()).then_some(text)
}

/// XHTML content as markup, without the `<div>` Atom 1.0 wraps it in.
fn xhtml_markup(e: &Element) -> String {
    let only_div = {
        let mut elements = e.elements();
        match (elements.next(), elements.next()) {
            (Some(div), None) if div.local == "div" => Some(div),
            _ => None,
        }
    };
    let blank_text = e.children.iter().all(|n| match n {
        Node::Text(t) => t.trim().is_empty(),
        Node::Element(_) => true,
    });
    match only_div {
        Some(div) if blank_text => div.inner_markup(true),
        _ => e.inner_markup(true),
    }
}
