//! OPML 1.0 and 2.0 subscription lists: every `<outline>` with an `xmlUrl`, at any depth,
//! is a feed; outlines without one are folders, and name the feeds' category.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::xml::{self, CountingReader};

/// A feed someone subscribed to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    /// The outline's `title`, else its `text`, else the host of its feed URL.
    pub title: String,
    /// `xmlUrl`, as written.
    pub xml_url: String,
    /// `htmlUrl`, the site the feed belongs to.
    pub html_url: Option<String>,
    /// The folders the outline sits in, outermost first, joined by `/`; none at the top.
    pub category: Option<String>,
}

/// What went wrong, and on which line of the file (1-based) it was noticed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct OpmlError {
    pub line: u64,
    pub reason: String,
}

/// Reads an OPML file's subscriptions, in the file's order.
///
/// ```
/// let opml = r#"<opml version="2.0"><body>
///   <outline text="Tech">
///     <outline text="LWN" xmlUrl="https://lwn.net/headlines/rss" htmlUrl="https://lwn.net/"/>
///   </outline>
/// </body></opml>"#;
/// let subscriptions = virgule_import::opml::read_opml(opml.as_bytes()).expect("valid OPML");
/// assert_eq!(subscriptions[0].title, "LWN");
/// assert_eq!(subscriptions[0].category.as_deref(), Some("Tech"));
/// ```
pub fn read_opml(reader: impl BufRead) -> Result<Vec<Subscription>, OpmlError> {
    let mut xml = Reader::from_reader(CountingReader::new(reader));
    xml.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut subscriptions = Vec::new();
    // The enclosing outlines' labels; `None` for an outline that is a feed, not a folder.
    let mut folders: Vec<Option<String>> = Vec::new();
    let mut depth = 0usize;
    let mut seen_root = false;
    let mut seen_body = false;
    let mut in_body = false;
    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| OpmlError { line: xml.get_ref().line(), reason: xml::describe(&e) })?;
        let error = |reason: String| OpmlError { line: xml.get_ref().line(), reason };
        match event {
            Event::DocType(doctype) if xml::declares_entities(&doctype) => {
                return Err(error("the file declares its own XML entities; refused".into()));
            }
            Event::Start(ref start) | Event::Empty(ref start) => {
                let empty = matches!(event, Event::Empty(_));
                let name = local_name(start);
                if !seen_root {
                    if !name.eq_ignore_ascii_case("opml") {
                        return Err(error(format!(
                            "this is not an OPML file: the document is <{name}>, not <opml>"
                        )));
                    }
                    seen_root = true;
                } else if depth == 1 && name.eq_ignore_ascii_case("body") {
                    seen_body = true;
                    in_body = !empty;
                } else if in_body && name.eq_ignore_ascii_case("outline") {
                    let outline = Outline::from(start);
                    if let Some(xml_url) = outline.xml_url.clone() {
                        subscriptions.push(outline.subscription(xml_url, &folders));
                    }
                    if !empty {
                        folders.push(outline.xml_url.is_none().then(|| outline.label()));
                    }
                }
                if !empty {
                    depth += 1;
                }
            }
            Event::End(ref end) => {
                depth = depth.saturating_sub(1);
                let local = end.local_name();
                let name: &str = local.as_ref();
                if in_body && name.eq_ignore_ascii_case("outline") {
                    folders.pop();
                } else if depth == 1 && name.eq_ignore_ascii_case("body") {
                    in_body = false;
                } else if depth == 0 {
                    break;
                }
            }
            Event::Text(ref text) if !seen_root && !text.xml10_content().trim().is_empty() => {
                return Err(error("this is not an OPML file: it does not start with XML".into()));
            }
            Event::Eof => {
                return Err(error(if seen_root {
                    "the file ends before </opml>: it was cut off".into()
                } else {
                    "this is not an OPML file: it has no XML element".into()
                }));
            }
            _ => {}
        }
        if seen_root && depth == 0 {
            // An empty root element, `<opml/>`.
            break;
        }
    }
    if !seen_body {
        return Err(OpmlError {
            line: xml.get_ref().line(),
            reason: "the OPML file has no <body>".into(),
        });
    }
    Ok(subscriptions)
}

fn local_name(start: &BytesStart<'_>) -> String {
    let local = start.local_name();
    let local: &str = local.as_ref();
    local.to_string()
}

/// The attributes of an `<outline>` this reader uses (names matched without regard to
/// case: `xmlurl` is common in hand-made files).
struct Outline {
    text: Option<String>,
    title: Option<String>,
    xml_url: Option<String>,
    html_url: Option<String>,
}

impl From<&BytesStart<'_>> for Outline {
    fn from(start: &BytesStart<'_>) -> Outline {
        let mut outline = Outline { text: None, title: None, xml_url: None, html_url: None };
        for (key, value) in xml::attributes(start) {
            let value = value.trim();
            let value = (!value.is_empty()).then(|| value.to_string());
            match key.to_ascii_lowercase().as_str() {
                "text" => outline.text = value,
                "title" => outline.title = value,
                "xmlurl" => outline.xml_url = value,
                "htmlurl" => outline.html_url = value,
                _ => {}
            }
        }
        outline
    }
}

impl Outline {
    /// A folder's name: its `text`, which OPML requires, else its `title`.
    fn label(&self) -> String {
        self.text.clone().or_else(|| self.title.clone()).unwrap_or_default()
    }

    fn subscription(&self, xml_url: String, folders: &[Option<String>]) -> Subscription {
        let title = self.title.clone().or_else(|| self.text.clone()).unwrap_or_else(|| {
            url::Url::parse(&xml_url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| xml_url.clone())
        });
        let path: Vec<&str> =
            folders.iter().flatten().map(String::as_str).filter(|f| !f.is_empty()).collect();
        Subscription {
            title,
            xml_url,
            html_url: self.html_url.clone(),
            category: (!path.is_empty()).then(|| path.join("/")),
        }
    }
}
