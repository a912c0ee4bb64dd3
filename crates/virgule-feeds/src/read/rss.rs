//! RSS in all its versions: 0.9x and 2.0 (`<rss>`, or a bare `<channel>`), 0.90 and 1.0
//! (`<rdf:RDF>`, items beside the channel). One reader, because the versions differ less than
//! the feeds that claim them: a missing or odd `version` is read as 2.0; elements are matched
//! by name in whatever default namespace the feed chose; Dublin Core and iTunes fill the
//! fields the feed left out (`dc:date` for a date, `dc:creator` and `itunes:author` for an
//! author, `dc:subject` as tags, `itunes:summary`/`itunes:subtitle` for a description).

use url::Url;

use super::xml::{Element, Ns};
use super::{
    Link, Person, RawEntry, RawFeed, Text, atom, date, entry_label, person_from_line, push_tag,
    resolve_href, scoped_base,
};

/// Reads a document whose root is `<rss>`, `<channel>` or `<rdf:RDF>`.
pub(super) fn read(root: &Element, source_url: Option<&Url>) -> RawFeed {
    let mut feed = RawFeed::default();
    let channel = if root.local == "channel" {
        feed.warnings.push("the channel has no <rss> element around it; read as RSS 2.0".into());
        root
    } else {
        root.elements().find(|e| e.local == "channel").unwrap_or(root)
    };
    feed.format = format(root, channel, &mut feed.warnings);
    let root_base = scoped_base(None, root, source_url);
    let channel_base = if std::ptr::eq(channel, root) {
        root_base.clone()
    } else {
        scoped_base(root_base.as_ref(), channel, source_url)
    };
    let core = |e: &Element| {
        matches!(e.ns, Ns::None | Ns::Rss10 | Ns::Rss090 | Ns::Rss20) || e.ns == channel.ns
    };

    let mut published = None;
    let mut updated = None;
    let mut fallback_date = None;
    let (mut itunes_summary, mut itunes_subtitle) = (None, None);
    for e in channel.elements() {
        match (core(e), &e.ns, e.local.as_str()) {
            (true, _, "title") => {
                feed.title = feed.title.take().or(e.trimmed_text().map(Text::plain))
            }
            (true, _, "link") => {
                push_text_link(&mut feed.links, e, channel_base.as_ref(), source_url)
            }
            (_, Ns::Atom10, "link") => {
                atom::push_link(&mut feed.links, e, channel_base.as_ref(), source_url)
            }
            (true, _, "description") => {
                feed.subtitle = feed.subtitle.take().or(e.trimmed_text().map(Text::plain));
            }
            (_, Ns::Itunes, "summary") => itunes_summary = itunes_summary.or(e.trimmed_text()),
            (_, Ns::Itunes, "subtitle") => itunes_subtitle = itunes_subtitle.or(e.trimmed_text()),
            (true, _, "language") | (_, Ns::Dc, "language") => {
                feed.language = feed.language.take().or(e.trimmed_text().map(|l| l.to_lowercase()));
            }
            (true, _, "lastbuilddate") => updated = updated.or(e.trimmed_text()),
            (true, _, "pubdate") => published = published.or(e.trimmed_text()),
            (_, Ns::Dc, "date") | (_, Ns::Atom10, "updated") => {
                fallback_date = fallback_date.or(e.trimmed_text());
            }
            (true, _, "ttl") => feed.ttl = e.trimmed_text().and_then(|t| t.parse().ok()),
            (_, Ns::Dc, "creator") | (_, Ns::Itunes, "author") => {
                feed.authors.extend(e.trimmed_text().as_deref().and_then(person_from_line));
            }
            _ => {}
        }
    }
    // A subtitle is short: iTunes' own subtitle before its summary.
    feed.subtitle = feed.subtitle.take().or(itunes_subtitle.or(itunes_summary).map(Text::plain));
    let warnings = &mut feed.warnings;
    feed.updated =
        date(updated, "the feed", warnings).or(date(fallback_date, "the feed", warnings));
    feed.published = date(published, "the feed", warnings);

    // Items inside the channel (RSS 0.9x, 2.0) and beside it (RSS 0.90, 1.0), in order.
    let mut items: Vec<(&Element, Option<&Url>)> = channel
        .elements()
        .filter(|e| e.local == "item")
        .map(|item| (item, channel_base.as_ref()))
        .collect();
    if !std::ptr::eq(channel, root) {
        items.extend(
            root.elements().filter(|e| e.local == "item").map(|item| (item, root_base.as_ref())),
        );
    }
    // An item the document ended inside of is skipped (`read` warns about the cut).
    for (item, base) in items.into_iter().filter(|(item, _)| item.complete) {
        let position = feed.entries.len();
        let bases = Bases { outer: base, source_url };
        let entry = read_item(item, position, bases, &core, &mut feed.warnings);
        feed.entries.push(entry);
    }
    feed
}

/// "rss0" for 0.9x (and RDF 0.90), "rss1" for RDF 1.0, "rss2" for 2.0 and for anything
/// else calling itself RSS, with a warning when the version was missing or odd.
fn format(root: &Element, channel: &Element, warnings: &mut Vec<String>) -> &'static str {
    if root.local == "rdf" {
        let rss090 = channel.ns == Ns::Rss090
            || root.attrs.iter().any(|(_, v)| v.trim() == "http://my.netscape.com/rdf/simple/0.9/");
        return if rss090 { "rss0" } else { "rss1" };
    }
    if root.local == "channel" {
        return "rss2";
    }
    match root.attr("version").map(str::trim) {
        Some(v) if v.starts_with("0.9") => "rss0",
        Some("2.0" | "2.0.1" | "2.00" | "2") => "rss2",
        Some(other) => {
            let shown: String = other.chars().take(20).collect();
            warnings.push(format!(
                "the rss element says version \"{shown}\", which no RSS has; read as RSS 2.0"
            ));
            "rss2"
        }
        None => {
            warnings.push("the rss element has no version attribute; read as RSS 2.0".into());
            "rss2"
        }
    }
}

/// Where an item's relative URLs resolve: the `xml:base` in scope around it, the feed's URL.
#[derive(Clone, Copy)]
struct Bases<'a> {
    outer: Option<&'a Url>,
    source_url: Option<&'a Url>,
}

fn read_item(
    item: &Element,
    position: usize,
    bases: Bases<'_>,
    core: &impl Fn(&Element) -> bool,
    warnings: &mut Vec<String>,
) -> RawEntry {
    let source_url = bases.source_url;
    let item_base = scoped_base(bases.outer, item, source_url);
    let mut entry = RawEntry { xml_base: item_base.clone(), ..RawEntry::default() };
    let (mut summary_base, mut content_base) = (None, None);
    let mut guid_link = None;
    let (mut published, mut fallback_published, mut updated) = (None, None, None);
    let (mut fallback_title, mut dc_description, mut xhtml_body) = (None, None, None);
    let (mut itunes_summary, mut itunes_subtitle) = (None, None);
    for e in item.elements() {
        match (core(e), &e.ns, e.local.as_str()) {
            (true, _, "title") => {
                entry.title = entry.title.take().or(e.trimmed_text().map(Text::plain))
            }
            (_, Ns::Dc | Ns::Itunes, "title") => {
                fallback_title = fallback_title.or(e.trimmed_text().map(Text::plain));
            }
            (true, _, "link") => {
                push_text_link(&mut entry.links, e, item_base.as_ref(), source_url)
            }
            (_, Ns::Atom10, "link") => {
                atom::push_link(&mut entry.links, e, item_base.as_ref(), source_url)
            }
            (true, _, "guid") if entry.id.is_none() => {
                entry.id = e.trimmed_text();
                let permalink =
                    e.attr("ispermalink").is_none_or(|v| !v.trim().eq_ignore_ascii_case("false"));
                guid_link = entry.id.clone().filter(|id| {
                    permalink && (id.starts_with("http://") || id.starts_with("https://"))
                });
            }
            (true, _, "description") if entry.summary.is_none() => {
                entry.summary = html_of(e);
                summary_base = scoped_base(item_base.as_ref(), e, source_url);
            }
            (_, Ns::Dc, "description") => dc_description = dc_description.or(html_of(e)),
            (_, Ns::Itunes, "summary") => itunes_summary = itunes_summary.or(e.trimmed_text()),
            (_, Ns::Itunes, "subtitle") => itunes_subtitle = itunes_subtitle.or(e.trimmed_text()),
            (_, Ns::Content, "encoded") if entry.content.is_none() => {
                entry.content = html_of(e);
                content_base = scoped_base(item_base.as_ref(), e, source_url);
            }
            (_, Ns::Xhtml, "body") => {
                xhtml_body = xhtml_body.or(Some(Text::html(e.inner_markup(true))));
            }
            (true, _, "pubdate") => published = published.or(e.trimmed_text()),
            (_, Ns::Dc, "date") | (_, Ns::DcTerms, "issued" | "created" | "date") => {
                fallback_published = fallback_published.or(e.trimmed_text());
            }
            (true, _, "updated") | (_, Ns::Atom10, "updated") | (_, Ns::DcTerms, "modified") => {
                updated = updated.or(e.trimmed_text());
            }
            (_, Ns::Atom10, "author") => entry.authors.extend(atom::person(e)),
            (true, _, "author") => {
                entry.authors.extend(e.trimmed_text().as_deref().and_then(person_from_line));
            }
            (_, Ns::Dc, "creator") | (_, Ns::Itunes, "author") => {
                let name = e.trimmed_text();
                if !entry.authors.iter().any(|a| a.name.is_some() && a.name == name) {
                    entry.authors.push(Person { name, ..Person::default() });
                    entry.authors.retain(|a| a.name.is_some() || a.email.is_some());
                }
            }
            (true, _, "category") | (_, Ns::Dc, "subject") => {
                push_tag(&mut entry.tags, &e.text());
            }
            _ => {}
        }
    }
    entry.title = entry.title.or(fallback_title);
    entry.summary =
        entry.summary.or(dc_description).or(itunes_summary.or(itunes_subtitle).map(Text::plain));
    // The base of the body shown: the content's, else the summary's, else the item's.
    entry.xml_base =
        if entry.content.is_some() { content_base } else { summary_base }.or(entry.xml_base);
    entry.content = entry.content.or(xhtml_body.filter(|t| !t.value.trim().is_empty()));
    if entry.links.is_empty() {
        let about = item.attr("rdf:about").map(|a| a.trim().to_string());
        if let Some(href) = guid_link.or(about).filter(|h| !h.is_empty()) {
            let href = resolve_href(href, item_base.as_ref(), item, source_url);
            entry.links.push(Link { href, rel: None });
        }
    }
    let what = entry_label(position);
    entry.published =
        date(published, &what, warnings).or(date(fallback_published, &what, warnings));
    entry.updated = date(updated, &what, warnings).or(entry.published);
    entry
}

/// An RSS description or `content:encoded`: HTML, whether escaped (the usual), in CDATA, or
/// written as raw tags inside the element.
fn html_of(e: &Element) -> Option<Text> {
    let html = if e.has_element_children() { e.inner_markup(false) } else { e.text() };
    (!html.trim().is_empty()).then(|| Text::html(html))
}

fn push_text_link(
    links: &mut Vec<Link>,
    e: &Element,
    base: Option<&Url>,
    source_url: Option<&Url>,
) {
    // Some feeds write an Atom-style `<link href="…"/>` in RSS.
    let href = e.trimmed_text().or_else(|| e.attr("href").map(|h| h.trim().to_string()));
    if let Some(href) = href.filter(|h| !h.is_empty()) {
        links.push(Link { href: resolve_href(href, base, e, source_url), rel: None });
    }
}
