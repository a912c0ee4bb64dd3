//! A forgiving XML tree for feeds: quick-xml's tokenizer, with the recovery a feed reader
//! needs and an XML parser refuses. Undeclared HTML entities decode (or stay as written);
//! a bare `&` is text; a mismatched end tag closes what it matches or is ignored; attribute
//! values may be unquoted; namespace prefixes resolve through their declarations, else
//! through the prefixes everyone uses (`content:`, `dc:`, `itunes:` …); element names are
//! matched without regard to case. A document cut off part way keeps what was read, with
//! the unfinished elements marked, so that the format readers can drop a half entry.
//!
//! What stays refused, before anything is built: a DOCTYPE that declares entities (the
//! "billion laughs" family) and nesting deeper than the limit.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::entities;
use crate::FeedError;

/// The namespaces feed readers care about, and the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Ns {
    /// No namespace (no prefix and no default namespace, or `xmlns=""`).
    None,
    Atom10,
    Atom03,
    /// RSS 1.0's `http://purl.org/rss/1.0/`.
    Rss10,
    /// RSS 0.90's `http://my.netscape.com/rdf/simple/0.9/`.
    Rss090,
    /// The namespaces some RSS 2.0 feeds declare as default (Userland's, Harvard's).
    Rss20,
    Rdf,
    Content,
    Dc,
    DcTerms,
    Itunes,
    Xhtml,
    /// Anything else, by its URI.
    Other(Box<str>),
}

impl Ns {
    fn from_uri(uri: &str) -> Ns {
        let uri = uri.trim();
        match uri {
            "" => Ns::None,
            "http://www.w3.org/2005/Atom" => Ns::Atom10,
            "http://purl.org/atom/ns#" => Ns::Atom03,
            "http://purl.org/rss/1.0/" => Ns::Rss10,
            "http://my.netscape.com/rdf/simple/0.9/" => Ns::Rss090,
            "http://backend.userland.com/rss2" | "http://blogs.law.harvard.edu/tech/rss" => {
                Ns::Rss20
            }
            "http://www.w3.org/1999/02/22-rdf-syntax-ns#" => Ns::Rdf,
            "http://purl.org/rss/1.0/modules/content/" => Ns::Content,
            "http://purl.org/dc/elements/1.1/" => Ns::Dc,
            "http://purl.org/dc/terms/" => Ns::DcTerms,
            "http://www.w3.org/1999/xhtml" => Ns::Xhtml,
            _ if uri.eq_ignore_ascii_case("http://www.itunes.com/dtds/podcast-1.0.dtd") => {
                Ns::Itunes
            }
            _ => Ns::Other(uri.into()),
        }
    }

    /// The namespace a prefix means when the feed uses it without declaring it.
    fn conventional(prefix: &str) -> Option<Ns> {
        Some(match prefix.to_ascii_lowercase().as_str() {
            "atom" | "atom10" => Ns::Atom10,
            "rdf" => Ns::Rdf,
            "content" => Ns::Content,
            "dc" => Ns::Dc,
            "dcterms" => Ns::DcTerms,
            "itunes" => Ns::Itunes,
            "xhtml" => Ns::Xhtml,
            _ => return None,
        })
    }
}

/// A piece of an element's content.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    Element(Element),
    /// Text with every reference decoded (CDATA as written).
    Text(String),
}

/// An element with its resolved namespace and its content.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Element {
    /// The local name, ASCII lower-case (`pubDate` is `pubdate`).
    pub local: String,
    pub ns: Ns,
    /// Attributes by name as written (`xml:base`, `rdf:about`), values decoded.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// False for an element the document ended inside of.
    pub complete: bool,
}

impl Element {
    fn new(local: String, ns: Ns, attrs: Vec<(String, String)>) -> Element {
        Element { local, ns, attrs, children: Vec::new(), complete: false }
    }

    /// The value of an attribute, by its name as written, compared without regard to case.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|node| match node {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// All the text inside, descendants included, as written (not trimmed).
    pub fn text(&self) -> String {
        let mut out = String::new();
        self.push_text(&mut out);
        out
    }

    fn push_text(&self, out: &mut String) {
        for node in &self.children {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => e.push_text(out),
            }
        }
    }

    /// The text inside, trimmed; `None` when blank.
    pub fn trimmed_text(&self) -> Option<String> {
        let text = self.text();
        let trimmed = text.trim();
        (!trimmed.is_empty()).then(|| trimmed.to_string())
    }

    /// Whether any child is an element (markup written unescaped inside a text field).
    pub fn has_element_children(&self) -> bool {
        self.elements().next().is_some()
    }

    /// The content as HTML markup: child elements written as tags (by local name, so that
    /// `xhtml:p` is `p`), text escaped when `escape_text` (XHTML, where text is text) or
    /// passed through (an RSS description mixing escaped HTML and raw tags).
    pub fn inner_markup(&self, escape_text: bool) -> String {
        let mut out = String::new();
        for node in &self.children {
            write_node(node, escape_text, &mut out);
        }
        out
    }
}

fn write_node(node: &Node, escape_text: bool, out: &mut String) {
    match node {
        Node::Text(t) if escape_text => escape_into(t, false, out),
        Node::Text(t) => out.push_str(t),
        Node::Element(e) => {
            out.push('<');
            out.push_str(&e.local);
            for (name, value) in &e.attrs {
                if name.starts_with("xmlns") || name.contains(':') {
                    continue;
                }
                out.push(' ');
                out.push_str(name);
                out.push_str("=\"");
                escape_into(value, true, out);
                out.push('"');
            }
            out.push('>');
            if is_void(&e.local) {
                // An unclosed `<br>` in a description swallowed what followed it: that
                // text was meant after it.
                for child in &e.children {
                    write_node(child, escape_text, out);
                }
                return;
            }
            for child in &e.children {
                write_node(child, escape_text, out);
            }
            out.push_str("</");
            out.push_str(&e.local);
            out.push('>');
        }
    }
}

/// HTML's void elements: written without an end tag (an HTML parser reads `</br>` as a
/// second `<br>`).
fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

fn escape_into(text: &str, attribute: bool, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// A parsed document: its root element and what had to be recovered from.
#[derive(Debug)]
pub(crate) struct Document {
    pub root: Element,
    /// Set when the document ended before its elements were closed, or the tokenizer could
    /// not go on: a sentence for the feed's owner.
    pub cut_off: Option<String>,
    /// Entity names neither XML nor HTML 4 knows, kept as written.
    pub unknown_entities: Vec<String>,
}

/// Builds the tree of `text`. Errors: entity declarations, nesting beyond `max_depth`, and a
/// document with no root element at all.
pub(crate) fn parse(text: &str, max_depth: usize) -> Result<Document, FeedError> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.allow_dangling_amp = true;
    config.allow_unmatched_ends = true;
    config.check_end_names = false;
    config.check_comments = false;
    config.expand_empty_elements = false;
    config.trim_text(false);

    let mut builder = Builder::default();
    let mut cut_off = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                builder.open(&e);
                if builder.open.len() > max_depth {
                    return Err(FeedError::TooDeep { limit: max_depth });
                }
            }
            Ok(Event::Empty(e)) => {
                builder.open(&e);
                builder.close_top(true);
            }
            Ok(Event::End(e)) => builder.close(e.local_name().as_ref()),
            Ok(Event::Text(t)) => {
                let raw = t.xml10_content();
                let text = entities::decode(&raw, &mut builder.unknown_entities);
                builder.text(&text);
            }
            Ok(Event::CData(c)) => builder.text(&c),
            Ok(Event::GeneralRef(r)) => {
                // The same decoding as in text runs: known once, unknown kept and noted.
                let reference = format!("&{};", &*r);
                let text = entities::decode(&reference, &mut builder.unknown_entities);
                builder.text(&text);
            }
            Ok(Event::DocType(d)) => {
                if d.to_ascii_uppercase().contains("<!ENTITY") {
                    return Err(FeedError::DeclaresEntities);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                cut_off = Some(format!("at byte {}: {e}", reader.error_position()));
                break;
            }
        }
        if builder.root.is_some() && builder.open.is_empty() {
            // Whatever follows the root element (a second root, junk) is not the feed.
            break;
        }
    }
    if !builder.open.is_empty() && cut_off.is_none() {
        cut_off = Some(format!(
            "at its end (byte {}), inside <{}>",
            text.len(),
            builder.open.last().map_or("", |(e, _)| e.local.as_str())
        ));
    }
    while !builder.open.is_empty() {
        builder.close_top(false);
    }
    let root = builder.root.ok_or_else(|| {
        FeedError::Unreadable(if text.trim().is_empty() {
            "the document is empty".into()
        } else {
            "the document has no XML element".into()
        })
    })?;
    Ok(Document { root, cut_off, unknown_entities: builder.unknown_entities })
}

/// The open elements, each with the namespace declarations it made.
#[derive(Default)]
struct Builder {
    open: Vec<(Element, usize)>,
    /// Prefix declarations in scope, innermost last: (prefix, namespace); "" is the default.
    scopes: Vec<(String, Ns)>,
    root: Option<Element>,
    unknown_entities: Vec<String>,
}

impl Builder {
    fn open(&mut self, e: &BytesStart<'_>) {
        let declared_before = self.scopes.len();
        let mut attrs = Vec::new();
        let mut attributes = e.html_attributes();
        attributes.with_checks(false);
        for attribute in attributes.flatten() {
            let name = attribute.key.as_ref().to_string();
            let raw = &attribute.value;
            let value = entities::decode(raw, &mut self.unknown_entities).into_owned();
            if name == "xmlns" {
                self.scopes.push((String::new(), Ns::from_uri(&value)));
            } else if let Some(prefix) = name.strip_prefix("xmlns:") {
                self.scopes.push((prefix.to_string(), Ns::from_uri(&value)));
            }
            attrs.push((name, value));
        }
        let qname = e.name();
        let qname: &str = qname.as_ref();
        let (prefix, local) = match qname.split_once(':') {
            Some((prefix, local)) => (prefix, local),
            None => ("", qname),
        };
        let ns = self.resolve(prefix);
        let element = Element::new(local.to_ascii_lowercase(), ns, attrs);
        self.open.push((element, declared_before));
    }

    fn resolve(&self, prefix: &str) -> Ns {
        if let Some((_, ns)) = self.scopes.iter().rev().find(|(p, _)| p == prefix) {
            return ns.clone();
        }
        if prefix.is_empty() {
            return Ns::None;
        }
        if let Some((_, ns)) =
            self.scopes.iter().rev().find(|(p, _)| p.eq_ignore_ascii_case(prefix))
        {
            return ns.clone();
        }
        Ns::conventional(prefix).unwrap_or_else(|| Ns::Other(format!("{prefix}:").into()))
    }

    /// Closes the innermost element matching `name` (and, implicitly, any left open inside
    /// it); an end tag matching nothing open is ignored.
    fn close(&mut self, qname: &str) {
        let local = qname.rsplit(':').next().unwrap_or(qname).trim();
        let Some(at) = self.open.iter().rposition(|(e, _)| e.local.eq_ignore_ascii_case(local))
        else {
            return;
        };
        while self.open.len() > at + 1 {
            self.close_top(true);
        }
        self.close_top(true);
    }

    fn close_top(&mut self, complete: bool) {
        let Some((mut element, declared_before)) = self.open.pop() else { return };
        element.complete = complete;
        self.scopes.truncate(declared_before);
        match self.open.last_mut() {
            Some((parent, _)) => parent.children.push(Node::Element(element)),
            None => {
                if self.root.is_none() {
                    self.root = Some(element);
                }
            }
        }
    }

    fn text(&mut self, text: &str) {
        if let Some((parent, _)) = self.open.last_mut() {
            match parent.children.last_mut() {
                Some(Node::Text(t)) => t.push_str(text),
                _ => parent.children.push(Node::Text(text.to_string())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        parse(text, 256).expect("parses")
    }

    #[test]
    fn html_entities_cdata_and_bare_ampersands_are_text() {
        let d = doc("<t>caf&eacute; AT&T &amp;lt; <![CDATA[<b>&amp;</b>]]> &bogus;</t>");
        assert_eq!(d.root.text(), "caf\u{e9} AT&T &lt; <b>&amp;</b> &bogus;");
        assert_eq!(d.unknown_entities, ["bogus"]);
        assert!(d.cut_off.is_none());
    }

    #[test]
    fn prefixes_resolve_declared_or_conventional_and_names_ignore_case() {
        let d = doc(
            r#"<RSS xmlns:c="http://purl.org/rss/1.0/modules/content/"><c:Encoded/><content:encoded/><dc:Creator/><x:y/></RSS>"#,
        );
        assert_eq!(d.root.local, "rss");
        let kids: Vec<(&str, &Ns)> = d.root.elements().map(|e| (e.local.as_str(), &e.ns)).collect();
        assert_eq!(kids[0], ("encoded", &Ns::Content));
        assert_eq!(kids[1], ("encoded", &Ns::Content));
        assert_eq!(kids[2], ("creator", &Ns::Dc));
        assert!(matches!(kids[3].1, Ns::Other(_)));
    }

    #[test]
    fn default_namespaces_scope_and_empty_one_is_none() {
        let d = doc(
            r#"<feed xmlns="http://www.w3.org/2005/Atom"><a/><b xmlns=""><c/></b><d xmlns="http://www.w3.org/1999/xhtml"/><e/></feed>"#,
        );
        let ns: Vec<Ns> = d.root.elements().map(|e| e.ns.clone()).collect();
        assert_eq!(ns, [Ns::Atom10, Ns::None, Ns::Xhtml, Ns::Atom10]);
        let b = d.root.elements().nth(1).expect("b");
        assert_eq!(b.elements().next().map(|c| &c.ns), Some(&Ns::None));
    }

    #[test]
    fn mismatched_end_tags_close_what_they_match_or_are_ignored() {
        let d = doc("<r><d><p>one<br>two</d><x>after</x></zzz></r>");
        let r = &d.root;
        assert_eq!(r.elements().map(|e| e.local.as_str()).collect::<Vec<_>>(), ["d", "x"]);
        assert_eq!(r.text(), "onetwoafter");
        assert!(r.elements().all(|e| e.complete));
        assert!(d.cut_off.is_none());
    }

    #[test]
    fn a_cut_off_document_keeps_what_was_read_and_marks_the_unfinished() {
        let d = doc("<rss><channel><item><title>one</title></item><item><title>tw");
        assert!(d.cut_off.is_some());
        let channel = d.root.elements().next().expect("channel");
        let items: Vec<&Element> = channel.elements().collect();
        assert_eq!(items.len(), 2);
        assert!(items[0].complete);
        assert!(!items[1].complete);
        assert_eq!(items[1].text(), "tw");
        let d = doc("<rss><channel><item><title>one</title></item><item><title");
        assert!(d.cut_off.is_some(), "a tag cut in the middle");
    }

    #[test]
    fn unquoted_attributes_and_markup_out() {
        let d = doc(
            r#"<d><a href=/x title="a &quot;q&quot; &amp; b">l</a><br/><img src='i.png'/>t&lt;</d>"#,
        );
        assert_eq!(d.root.elements().next().and_then(|a| a.attr("HREF")), Some("/x"));
        assert_eq!(
            d.root.inner_markup(true),
            r#"<a href="/x" title="a &quot;q&quot; &amp; b">l</a><br><img src="i.png">t&lt;"#
        );
        assert_eq!(
            d.root.inner_markup(false),
            r#"<a href="/x" title="a &quot;q&quot; &amp; b">l</a><br><img src="i.png">t<"#
        );
    }

    #[test]
    fn refused_documents() {
        let laughs = r#"<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>"#;
        assert!(matches!(parse(laughs, 256), Err(FeedError::DeclaresEntities)));
        let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
        assert!(matches!(parse(&deep, 256), Err(FeedError::TooDeep { limit: 256 })));
        let wide = format!("<r>{}</r>", "<a x='>'/><b></b>".repeat(1000));
        assert!(parse(&wide, 2).is_ok());
        assert!(matches!(parse("", 256), Err(FeedError::Unreadable(_))));
        assert!(matches!(parse("just text", 256), Err(FeedError::Unreadable(_))));
        let doctype =
            r#"<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd"><rss/>"#;
        assert_eq!(doc(doctype).root.local, "rss");
    }

    #[test]
    fn junk_after_the_root_is_ignored() {
        let d = doc("<rss><channel/></rss><rss><other/></rss> trailing &");
        assert_eq!(d.root.elements().count(), 1);
        assert!(d.cut_off.is_none());
    }
}
