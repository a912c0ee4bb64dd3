//! A streaming reader of WordPress exports (WXR 1.0, 1.1 and 1.2): the channel's header
//! first, then one [`Record`] per `<item>`, holding only the item being read.
//!
//! Posts come out with their content already turned into HTML ([`content_to_html`]),
//! their categories with every ancestor category, and their approved comments; pages,
//! attachments, menu items and other post types come out as [`Record::Skipped`] so the
//! caller can say what it left behind.

mod content;
mod record;
mod shortcode;

use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

pub use content::content_to_html;
pub use record::{Comment, Post, PostStatus, Record};

use crate::xml::{self, CountingReader};

/// What went wrong, and on which line of the file (1-based) it was noticed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct WxrError {
    pub line: u64,
    pub reason: String,
}

/// The site an export came from, as its `<channel>` describes it before the first item.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Channel {
    /// `wp:wxr_version`: "1.0", "1.1" or "1.2" in files WordPress wrote.
    pub wxr_version: Option<String>,
    pub title: String,
    pub link: Option<String>,
    pub base_site_url: Option<String>,
    pub base_blog_url: Option<String>,
    /// Every `<wp:category>`, by its nicename (slug).
    pub categories: HashMap<String, Category>,
}

/// A category the export declares, with its parent's nicename if it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub name: String,
    pub parent_nicename: Option<String>,
}

/// Reads an export as a stream of records: `WxrReader::new` reads the channel's header (up
/// to the first `<item>`), then each call to `next` reads one item. Memory stays bounded by
/// the largest single item, whatever the size of the file.
///
/// A malformed file gives one `Err` naming the line where the problem was noticed, and
/// the iteration ends there; records already returned stay valid. A problem in the header
/// is the first thing the iterator returns.
pub struct WxrReader<R: BufRead> {
    xml: NsReader<CountingReader<R>>,
    buf: Vec<u8>,
    channel: Channel,
    state: State,
}

enum State {
    /// The start tag of an `<item>` has been read; its body is next.
    AtItem,
    /// Between items, inside `<channel>`.
    InChannel,
    /// A problem found while reading the header, waiting to be returned.
    Failed(WxrError),
    Done,
}

/// Elements deeper than this inside one item are not a WordPress export.
const MAX_DEPTH: usize = 64;

impl<R: BufRead> WxrReader<R> {
    /// Starts reading an export and reads its channel header, up to the first item.
    pub fn new(mut reader: R) -> Self {
        // UTF-16 is refused from its first bytes, whatever quick-xml's features would make of
        // it (with `encoding`, which another crate of the build may turn on, it decodes it).
        let utf16 = reader.fill_buf().is_ok_and(|start| {
            start.starts_with(&[0xFF, 0xFE])
                || start.starts_with(&[0xFE, 0xFF])
                || (start.len() >= 2 && (start[0] == 0 || start[1] == 0))
        });
        let mut xml = NsReader::from_reader(CountingReader::new(reader));
        let config = xml.config_mut();
        config.trim_text(false);
        config.check_end_names = true;
        config.expand_empty_elements = false;
        let mut this =
            WxrReader { xml, buf: Vec::new(), channel: Channel::default(), state: State::Done };
        this.state = if utf16 {
            State::Failed(WxrError {
                line: 1,
                reason: "the file is UTF-16 text; WordPress exports are UTF-8, convert the file \
                         to UTF-8 first"
                    .to_owned(),
            })
        } else {
            match this.read_header() {
                Ok(state) => state,
                Err(e) => State::Failed(e),
            }
        };
        this
    }

    /// The export's channel: its title, URLs, WXR version and categories. Complete once
    /// [`WxrReader::new`] has returned (WordPress writes all of it before the first item).
    pub fn channel(&self) -> &Channel {
        &self.channel
    }

    /// The prolog and the root: an XML declaration saying UTF-8 (or nothing), no entity
    /// declarations, `<rss>` then `<channel>`; then the channel's fields up to the first item.
    fn read_header(&mut self) -> Result<State, WxrError> {
        loop {
            let next_line = self.xml.get_ref().next_line();
            match next_event(&mut self.xml, &mut self.buf)? {
                Event::Decl(decl) => {
                    if let Some(Ok(encoding)) = decl.encoding() {
                        let encoding = encoding.trim().to_ascii_lowercase();
                        if encoding != "utf-8" && encoding != "utf8" {
                            return Err(error_at(
                                &self.xml,
                                format!(
                                    "the file declares the encoding {encoding:?}; WordPress exports are UTF-8, \
                                 convert the file to UTF-8 first"
                                ),
                            ));
                        }
                    }
                }
                Event::DocType(doctype) => {
                    if xml::declares_entities(&doctype) {
                        return Err(error_at(
                            &self.xml,
                            "the file declares its own XML entities, which an export never does; refused",
                        ));
                    }
                }
                Event::Start(start) => {
                    let name = local_name(&start);
                    if name != "rss" {
                        return Err(error_at(
                            &self.xml,
                            format!(
                                "this is not a WordPress export: the document is <{name}>, not <rss>"
                            ),
                        ));
                    }
                    break;
                }
                Event::Empty(start) => {
                    let name = local_name(&start);
                    return Err(error_at(
                        &self.xml,
                        format!(
                            "this is not a WordPress export: the document is an empty <{name}>"
                        ),
                    ));
                }
                Event::Text(text) if text.xml10_content().trim().is_empty() => {}
                Event::Text(text) => {
                    // Named on the line where the text starts, not where it ends.
                    let content = text.xml10_content();
                    let leading = &content[..content.len() - content.trim_start().len()];
                    let line = next_line + leading.matches('\n').count() as u64;
                    let reason =
                        "this is not a WordPress export: it does not start with XML".to_string();
                    return Err(WxrError { line, reason });
                }
                Event::CData(_) | Event::GeneralRef(_) => {
                    return Err(error_at(
                        &self.xml,
                        "this is not a WordPress export: it does not start with XML",
                    ));
                }
                Event::Eof => {
                    return Err(error_at(
                        &self.xml,
                        "this is not a WordPress export: the file has no XML element",
                    ));
                }
                Event::End(_) | Event::Comment(_) | Event::PI(_) => {}
            }
        }
        // Inside <rss>: the one <channel>.
        loop {
            match next_event(&mut self.xml, &mut self.buf)? {
                Event::Start(start) if local_name(&start) == "channel" => break,
                Event::Start(start) => {
                    let name = local_name(&start);
                    self.skip_element(&name)?;
                }
                Event::End(_) => {
                    return Err(error_at(
                        &self.xml,
                        "this is not a WordPress export: the RSS document has no <channel>",
                    ));
                }
                Event::Eof => {
                    return Err(error_at(
                        &self.xml,
                        "the file ends before its <channel>: it was cut off",
                    ));
                }
                _ => {}
            }
        }
        self.advance_in_channel()
    }

    /// Reads channel-level elements until the next `<item>` starts or the channel ends.
    fn advance_in_channel(&mut self) -> Result<State, WxrError> {
        loop {
            let (ns, name) = match next_event(&mut self.xml, &mut self.buf)? {
                Event::Start(start) => {
                    let (ns, name) = resolve(&self.xml, &start);
                    if ns == Ns::None && name == "item" {
                        return Ok(State::AtItem);
                    }
                    (ns, name)
                }
                Event::End(_) => return Ok(State::Done),
                Event::Eof => {
                    return Err(error_at(
                        &self.xml,
                        "the file ends inside <channel>: it was cut off",
                    ));
                }
                _ => continue,
            };
            let element = self.read_element(ns, name, Vec::new(), 1)?;
            match (element.ns, element.name.as_str()) {
                (Ns::None, "title") => {
                    self.channel.title = xml::decode_html_references(element.text.trim())
                }
                (Ns::None, "link") => self.channel.link = non_empty(&element.text),
                (Ns::Wp, "wxr_version") => self.channel.wxr_version = non_empty(&element.text),
                (Ns::Wp, "base_site_url") => self.channel.base_site_url = non_empty(&element.text),
                (Ns::Wp, "base_blog_url") => self.channel.base_blog_url = non_empty(&element.text),
                (Ns::Wp, "category") => {
                    let nicename = element.child_text(Ns::Wp, "category_nicename");
                    if let Some(nicename) = non_empty(nicename) {
                        let name = xml::decode_html_references(
                            element.child_text(Ns::Wp, "cat_name").trim(),
                        );
                        let parent_nicename =
                            non_empty(element.child_text(Ns::Wp, "category_parent"));
                        self.channel
                            .categories
                            .insert(nicename, Category { name, parent_nicename });
                    }
                }
                _ => {}
            }
        }
    }

    /// Reads an element whose start tag was just read, with its children, up to its end tag.
    fn read_element(
        &mut self,
        ns: Ns,
        name: String,
        attrs: Vec<(String, String)>,
        depth: usize,
    ) -> Result<Element, WxrError> {
        let mut element = Element { ns, name, attrs, text: String::new(), children: Vec::new() };
        loop {
            match next_event(&mut self.xml, &mut self.buf)? {
                Event::Text(text) => element.text.push_str(&text.xml10_content()),
                Event::CData(cdata) => element.text.push_str(&cdata.xml10_content()),
                Event::GeneralRef(reference) => {
                    element.text.push_str(&xml::resolve_reference(&reference))
                }
                Event::Start(start) => {
                    if depth >= MAX_DEPTH {
                        return Err(error_at(
                            &self.xml,
                            format!("elements are nested more than {MAX_DEPTH} deep"),
                        ));
                    }
                    let attrs = xml::attributes(&start);
                    let (ns, name) = resolve(&self.xml, &start);
                    let child = self.read_element(ns, name, attrs, depth + 1)?;
                    element.children.push(child);
                }
                Event::Empty(start) => {
                    let attrs = xml::attributes(&start);
                    let (ns, name) = resolve(&self.xml, &start);
                    element.children.push(Element {
                        ns,
                        name,
                        attrs,
                        text: String::new(),
                        children: Vec::new(),
                    });
                }
                Event::End(_) => return Ok(element),
                Event::Eof => {
                    let name = element.name;
                    return Err(error_at(
                        &self.xml,
                        format!("the file ends inside <{name}>: it was cut off"),
                    ));
                }
                Event::DocType(_) => {
                    return Err(error_at(&self.xml, "a DOCTYPE inside the document"));
                }
                Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
            }
        }
    }

    /// Skips an element whose start tag was just read, without keeping anything.
    fn skip_element(&mut self, name: &str) -> Result<(), WxrError> {
        let mut depth = 1usize;
        while depth > 0 {
            match next_event(&mut self.xml, &mut self.buf)? {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                Event::Eof => {
                    return Err(error_at(
                        &self.xml,
                        format!("the file ends inside <{name}>: it was cut off"),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn read_item(&mut self) -> Result<Record, WxrError> {
        let item = self.read_element(Ns::None, "item".to_string(), Vec::new(), 1)?;
        record::from_item(&item, &self.channel).map_err(|reason| error_at(&self.xml, reason))
    }
}

impl<R: BufRead> Iterator for WxrReader<R> {
    type Item = Result<Record, WxrError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match std::mem::replace(&mut self.state, State::Done) {
                State::Done => return None,
                State::Failed(e) => return Some(Err(e)),
                State::InChannel => match self.advance_in_channel() {
                    Ok(state) => self.state = state,
                    Err(e) => return Some(Err(e)),
                },
                State::AtItem => {
                    let record = self.read_item();
                    if record.is_ok() {
                        self.state = State::InChannel;
                    }
                    return Some(record);
                }
            }
        }
    }
}

/// The next event, with quick-xml's error turned into ours. Borrows only the reader and the
/// buffer, so the caller can still read the rest of `WxrReader` while the event lives.
fn next_event<'b, R: BufRead>(
    reader: &mut NsReader<CountingReader<R>>,
    buf: &'b mut Vec<u8>,
) -> Result<Event<'b>, WxrError> {
    buf.clear();
    reader.read_event_into(buf).map_err(|e| {
        let reason = xml::describe(&e);
        error_at(reader, reason)
    })
}

fn error_at<R: BufRead>(
    reader: &NsReader<CountingReader<R>>,
    reason: impl Into<String>,
) -> WxrError {
    WxrError { line: reader.get_ref().line(), reason: reason.into() }
}

fn resolve<R>(reader: &NsReader<R>, start: &BytesStart<'_>) -> (Ns, String) {
    let (resolved, local) = reader.resolver().resolve_element(start.name());
    let local: &str = local.as_ref();
    let ns = match resolved {
        ResolveResult::Bound(Namespace(uri)) => Ns::from_uri(uri),
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Unknown(prefix) => Ns::conventional(&prefix),
    };
    (ns, local.to_string())
}

fn local_name(start: &BytesStart<'_>) -> String {
    let local = start.local_name();
    let local: &str = local.as_ref();
    local.to_string()
}

pub(crate) fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// The namespaces an export uses, recognised by URI whatever their prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No namespace: RSS's own elements (`title`, `link`, `item`, `category`, `pubDate`).
    None,
    /// `http://wordpress.org/export/1.x/`, any version.
    Wp,
    /// `http://wordpress.org/export/1.x/excerpt/`.
    Excerpt,
    /// `http://purl.org/rss/1.0/modules/content/`.
    Content,
    /// `http://purl.org/dc/elements/1.1/`.
    Dc,
    Other,
}

impl Ns {
    fn from_uri(uri: &str) -> Ns {
        let uri = uri.trim();
        if let Some(rest) = uri.strip_prefix("http://wordpress.org/export/") {
            // "1.2/" or "1.2/excerpt/"
            let mut parts = rest.trim_end_matches('/').split('/');
            let version = parts.next().unwrap_or("");
            if version.starts_with("1.") {
                return match parts.next() {
                    None => Ns::Wp,
                    Some("excerpt") => Ns::Excerpt,
                    Some(_) => Ns::Other,
                };
            }
        }
        match uri {
            "http://purl.org/rss/1.0/modules/content/" => Ns::Content,
            "http://purl.org/dc/elements/1.1/" => Ns::Dc,
            _ => Ns::Other,
        }
    }

    /// An undeclared prefix, read as everyone writes it.
    fn conventional(prefix: &str) -> Ns {
        match prefix {
            "wp" => Ns::Wp,
            "excerpt" => Ns::Excerpt,
            "content" => Ns::Content,
            "dc" => Ns::Dc,
            _ => Ns::Other,
        }
    }
}

/// One element of an item, with its text (text and CDATA concatenated) and children.
#[derive(Debug)]
pub(crate) struct Element {
    pub(crate) ns: Ns,
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) text: String,
    pub(crate) children: Vec<Element>,
}

impl Element {
    pub(crate) fn child(&self, ns: Ns, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.ns == ns && c.name == name)
    }

    /// The text of the first such child, or "" if there is none.
    pub(crate) fn child_text(&self, ns: Ns, name: &str) -> &str {
        self.child(ns, name).map_or("", |c| c.text.as_str())
    }

    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}
