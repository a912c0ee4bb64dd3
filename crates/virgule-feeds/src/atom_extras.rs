//! What feed-rs drops from Atom documents, read from the raw XML: Atom 0.3's `issued`,
//! `created` and `modified` dates, and the `xml:base` in scope at each entry's content
//! (feed-rs keeps only a `<content xml:base>` attribute itself, unresolved and unscoped).

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use url::Url;

/// What the scan found: the feed's own Atom 0.3 `modified`, and per-entry extras in order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct AtomExtras {
    pub feed_modified: Option<DateTime<Utc>>,
    pub entries: Vec<AtomEntryExtras>,
}

/// Per `<entry>`, in document order.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct AtomEntryExtras {
    pub issued: Option<DateTime<Utc>>,
    pub created: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    /// The base URL set by `xml:base` attributes in scope at the entry's `<content>` (else its
    /// `<summary>`, else the entry itself); `None` when no `xml:base` applies.
    pub xml_base: Option<Url>,
}

#[derive(Clone, Copy, PartialEq)]
enum DateField {
    Issued,
    Created,
    Modified,
}

/// Scans an Atom document; `None` if it is not well-formed (feed-rs would have refused it,
/// and entries could no longer be matched up by position).
pub(crate) fn scan(text: &str, source_url: Option<&Url>) -> Option<AtomExtras> {
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut bases: Vec<(usize, Url)> = Vec::new();
    let mut entry: Option<(usize, AtomEntryExtras, u8)> = None; // depth, extras, rank of base source
    let mut capturing: Option<(DateField, String)> = None;
    let mut extras_found = AtomExtras::default();
    let mut feed_modified: Option<String> = None;

    loop {
        let event = reader.read_event().ok()?;
        let (start, empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            depth += 1;
            push_base(e, depth, source_url, &mut bases);
            let local = e.local_name();
            let name = local.as_ref();
            match &mut entry {
                None if name == "entry" && depth <= 2 => {
                    let extras = AtomEntryExtras {
                        xml_base: bases.last().map(|(_, u)| u.clone()),
                        ..Default::default()
                    };
                    entry = Some((depth, extras, 0));
                }
                Some((entry_depth, extras, rank)) if depth == *entry_depth + 1 => {
                    let field = match name {
                        "issued" => Some(DateField::Issued),
                        "created" => Some(DateField::Created),
                        "modified" => Some(DateField::Modified),
                        _ => None,
                    };
                    capturing = field.map(|f| (f, String::new()));
                    let this_rank = match name {
                        "content" => 2,
                        "summary" => 1,
                        _ => 0,
                    };
                    if this_rank > *rank {
                        *rank = this_rank;
                        extras.xml_base = bases.last().map(|(_, u)| u.clone());
                    }
                }
                None if depth == 2 && name == "modified" => feed_modified = Some(String::new()),
                _ => {}
            }
        }
        if empty || matches!(event, Event::End(_)) {
            if let Some((field, raw)) = capturing.take()
                && let Some((_, extras, _)) = &mut entry
            {
                let date = parse_date(&raw);
                match field {
                    DateField::Issued => extras.issued = date,
                    DateField::Created => extras.created = date,
                    DateField::Modified => extras.modified = date,
                }
            }
            if let Some((entry_depth, _, _)) = &entry
                && *entry_depth == depth
                && let Some((_, extras, _)) = entry.take()
            {
                extras_found.entries.push(extras);
            }
            if depth == 2
                && let Some(raw) = feed_modified.take()
            {
                extras_found.feed_modified = parse_date(&raw);
            }
            while bases.last().is_some_and(|(d, _)| *d >= depth) {
                bases.pop();
            }
            depth = depth.saturating_sub(1);
        }
        match &event {
            Event::Text(t) => {
                if let Some(raw) = capturing.as_mut().map(|(_, raw)| raw).or(feed_modified.as_mut())
                {
                    raw.push_str(&t.xml10_content());
                }
            }
            Event::Eof => return Some(extras_found),
            _ => {}
        }
    }
}

/// Pushes the element's `xml:base`, resolved against the one in scope (or the feed's URL).
fn push_base(
    e: &BytesStart<'_>,
    depth: usize,
    source_url: Option<&Url>,
    bases: &mut Vec<(usize, Url)>,
) {
    let Some(value) =
        e.attributes().flatten().find(|a| a.key.as_ref() == "xml:base").and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.trim().to_string())
        })
    else {
        return;
    };
    let resolved = match bases.last().map(|(_, u)| u).or(source_url) {
        Some(outer) => outer.join(&value).ok(),
        None => Url::parse(&value).ok(),
    };
    if let Some(url) = resolved {
        bases.push((depth, url));
    }
}

/// Atom 0.3 dates are W3C-DTF (RFC 3339), though `created` may lack a zone (taken as UTC).
fn parse_date(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(raw) {
        return Some(date.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
        .map(|naive| naive.and_utc())
}
