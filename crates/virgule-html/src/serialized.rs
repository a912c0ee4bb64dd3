//! A small reader for the HTML that ammonia (html5ever) serializes, so that the policy can
//! drop whole elements and `excerpt` can pull text out without a second HTML parser.
//!
//! It is not a general HTML tokenizer: it relies on the canonical form html5ever writes
//! after sanitizing. Every tag is `<name attr="value" …>` or `</name>`, attribute values are
//! double-quoted with `"`, `<`, `>` and `&` escaped, text escapes `<`, `>` and `&`, comments
//! are stripped, and only the children of raw-text elements (of which our policy lets through
//! `iframe`, and `noscript`, `noembed` and `noframes` until the post-pass replaces them) are
//! written unescaped. Anything that does not fit is passed on as text, exactly
//! as ammonia wrote it, so a misread can never make the output less safe than ammonia's.

use std::borrow::Cow;

/// One piece of serialized HTML, borrowed from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token<'a> {
    /// Text as serialized: entities are still encoded.
    Text(&'a str),
    Start(StartTag<'a>),
    End {
        name: &'a str,
        raw: &'a str,
    },
}

/// A start tag with its attributes, values still entity-encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StartTag<'a> {
    pub(crate) name: &'a str,
    attrs: Vec<(&'a str, &'a str)>,
    raw: &'a str,
}

impl<'a> StartTag<'a> {
    /// The decoded value of attribute `name`, if the tag has it.
    pub(crate) fn attr(&self, name: &str) -> Option<Cow<'a, str>> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| html_escape::decode_html_entities(*v))
    }

    /// Every attribute in order, values decoded.
    pub(crate) fn attrs(&self) -> impl Iterator<Item = (&'a str, Cow<'a, str>)> + '_ {
        self.attrs.iter().map(|(n, v)| (*n, html_escape::decode_html_entities(*v)))
    }
}

/// A start tag as html5ever writes it: `<name attr="value" …>`, values escaped as its
/// serializer escapes them (`&`, `"`, `<`, `>` and U+00A0), so that a rewritten tag reads
/// back like any other.
pub(crate) fn start_tag(name: &str, attrs: &[(&str, Cow<'_, str>)]) -> String {
    let mut tag = String::with_capacity(64);
    tag.push('<');
    tag.push_str(name);
    for (attr, value) in attrs {
        tag.push(' ');
        tag.push_str(attr);
        tag.push_str("=\"");
        for c in value.chars() {
            match c {
                '&' => tag.push_str("&amp;"),
                '"' => tag.push_str("&quot;"),
                '<' => tag.push_str("&lt;"),
                '>' => tag.push_str("&gt;"),
                '\u{a0}' => tag.push_str("&nbsp;"),
                c => tag.push(c),
            }
        }
        tag.push('"');
    }
    tag.push('>');
    tag
}

/// What to do with an element met in the serialized output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Keep the element and everything in it.
    Keep,
    /// Drop the element's tags, keep what it holds.
    Unwrap,
    /// Keep the element and everything in it, writing this start tag instead of the one
    /// read (its attributes rewritten; see [`start_tag`]).
    KeepAs(String),
    /// Keep the element but drop its children (an iframe's fallback content), writing this
    /// start tag instead of the one read.
    KeepEmptyAs(String),
    /// Drop the element and everything in it.
    Drop,
    /// Drop the element, putting in its place what `prune`'s `recover` makes of its text.
    /// Only for raw-text elements (their content is one text, written unescaped).
    Recover,
}

/// Elements html5ever writes without an end tag (its serializer's list).
pub(crate) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "basefont"
            | "bgsound"
            | "br"
            | "col"
            | "embed"
            | "frame"
            | "hr"
            | "img"
            | "input"
            | "keygen"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Elements whose text html5ever writes unescaped (its serializer's list).
fn is_raw_text(name: &str) -> bool {
    matches!(
        name,
        "style" | "script" | "xmp" | "iframe" | "noembed" | "noframes" | "plaintext" | "noscript"
    )
}

/// Reads serialized HTML token by token.
pub(crate) struct Tokens<'a> {
    src: &'a str,
    pos: usize,
    /// Set after the start tag of a raw-text element: its text runs to `</name>`.
    raw_text_of: Option<&'a str>,
}

pub(crate) fn tokens(src: &str) -> Tokens<'_> {
    Tokens { src, pos: 0, raw_text_of: None }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        let rest = &self.src[self.pos..];
        if rest.is_empty() {
            return None;
        }
        if let Some(name) = self.raw_text_of.take() {
            let end_tag = format!("</{name}>");
            let len = rest.find(&end_tag).unwrap_or(rest.len());
            if len > 0 {
                self.pos += len;
                return Some(Token::Text(&rest[..len]));
            }
        }
        if rest.starts_with('<') {
            if let Some((token, len)) = read_tag(rest) {
                if let Token::Start(tag) = &token
                    && is_raw_text(tag.name)
                {
                    self.raw_text_of = Some(tag.name);
                }
                self.pos += len;
                return Some(token);
            }
            // Not a tag after all: pass the `<` on untouched.
            self.pos += 1;
            return Some(Token::Text(&rest[..1]));
        }
        let len = rest.find('<').unwrap_or(rest.len());
        self.pos += len;
        Some(Token::Text(&rest[..len]))
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-'
}

/// Reads one tag at the start of `s` (which begins with `<`): the token and its length.
fn read_tag(s: &str) -> Option<(Token<'_>, usize)> {
    if let Some(after) = s.strip_prefix("</") {
        let close = after.find('>')?;
        let name = &after[..close];
        if name.is_empty() || !name.chars().all(is_name_char) {
            return None;
        }
        let len = 2 + close + 1;
        return Some((Token::End { name, raw: &s[..len] }, len));
    }
    let body = &s[1..];
    let name_len = body.find(|c: char| !is_name_char(c))?;
    if name_len == 0 {
        return None;
    }
    let name = &body[..name_len];
    let mut attrs = Vec::new();
    let mut rest = &body[name_len..];
    loop {
        if let Some(after) = rest.strip_prefix('>') {
            let len = s.len() - after.len();
            let tag = StartTag { name, attrs, raw: &s[..len] };
            return Some((Token::Start(tag), len));
        }
        let attr = rest.strip_prefix(' ')?;
        let eq = attr.find("=\"")?;
        let attr_name = &attr[..eq];
        if attr_name.is_empty() || attr_name.contains(['>', ' ', '"']) {
            return None;
        }
        let value_and_rest = &attr[eq + 2..];
        let quote = value_and_rest.find('"')?;
        attrs.push((attr_name, &value_and_rest[..quote]));
        rest = &value_and_rest[quote + 1..];
    }
}

/// Rewrites serialized HTML, asking `judge` about every start tag (and telling it the
/// elements it is inside, outermost first); `recover` turns the raw text of an element
/// judged [`Verdict::Recover`] into what goes in its place.
pub(crate) fn prune(
    html: &str,
    judge: impl Fn(&StartTag<'_>, &[&str]) -> Verdict,
    recover: impl Fn(&str) -> String,
) -> String {
    let mut out = String::with_capacity(html.len());
    let mut tokens = tokens(html);
    // The elements open around the current token, and whether each one's tags are kept.
    let mut open: Vec<&str> = Vec::new();
    let mut kept: Vec<bool> = Vec::new();
    // Where the content of the last `<pre>` written starts, until some is written.
    let mut pre_content: Option<usize> = None;
    while let Some(token) = tokens.next() {
        match token {
            Token::Text(text) => out.push_str(text),
            Token::End { name, raw } => {
                // The serialization nests properly; should an end tag not close the innermost
                // element all the same, it is written and nothing is taken off.
                if open.last() == Some(&name) {
                    open.pop();
                    if kept.pop() == Some(false) {
                        continue;
                    }
                }
                out.push_str(raw);
            }
            Token::Start(tag) => match judge(&tag, &open) {
                verdict @ (Verdict::Keep | Verdict::KeepAs(_) | Verdict::Unwrap) => {
                    let keep = verdict != Verdict::Unwrap;
                    if !is_void(tag.name) {
                        open.push(tag.name);
                        kept.push(keep);
                    }
                    match verdict {
                        Verdict::KeepAs(start) => out.push_str(&start),
                        Verdict::Keep => out.push_str(tag.raw),
                        _ => {}
                    }
                    if keep && tag.name == "pre" {
                        pre_content = Some(out.len());
                    }
                }
                Verdict::KeepEmptyAs(start) => {
                    out.push_str(&start);
                    if !is_void(tag.name)
                        && let Some(end) = skip_element(&mut tokens, tag.name)
                    {
                        out.push_str(end);
                    }
                }
                Verdict::Drop => {
                    if !is_void(tag.name) {
                        skip_element(&mut tokens, tag.name);
                    }
                }
                Verdict::Recover => {
                    let mut text = String::new();
                    for token in tokens.by_ref() {
                        match token {
                            Token::Text(raw) => text.push_str(raw),
                            Token::End { name, .. } if name == tag.name => break,
                            // Raw text holds nothing else; anything that is not a tag above
                            // would be a misread, and is dropped with the element.
                            _ => {}
                        }
                    }
                    out.push_str(&recover(&text));
                }
            },
        }
        if let Some(at) = pre_content
            && out.len() > at
        {
            // A newline right after `<pre>` is dropped when HTML is read, so content that
            // starts with one is written with one more, as the HTML standard's serializing
            // algorithm does and html5ever's does not: otherwise it reads back shorter.
            if out.as_bytes()[at] == b'\n' {
                out.insert(at, '\n');
            }
            pre_content = None;
        }
    }
    out
}

/// Skips the content of an element whose start tag was just read, through its end tag;
/// returns that end tag (None if the input ended first).
fn skip_element<'a>(tokens: &mut Tokens<'a>, name: &str) -> Option<&'a str> {
    let mut depth = 1usize;
    for token in tokens.by_ref() {
        match token {
            Token::Start(tag) if tag.name == name => depth += 1,
            Token::End { name: end, raw } if end == name => {
                depth -= 1;
                if depth == 0 {
                    return Some(raw);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_recover_replaces_the_raw_text() {
        let html = "a<noembed><b>x</b></noembed>b";
        let out = prune(
            html,
            |tag, _| if tag.name == "noembed" { Verdict::Recover } else { Verdict::Keep },
            |text| text.to_uppercase(),
        );
        assert_eq!(out, "a<B>X</B>b");
    }

    #[test]
    fn reads_tags_attributes_and_text() {
        let got: Vec<_> = tokens(r#"a &amp; b<p title="x &quot;y&quot;">c</p><br>"#).collect();
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], Token::Text("a &amp; b"));
        match &got[1] {
            Token::Start(tag) => {
                assert_eq!(tag.name, "p");
                assert_eq!(tag.attr("title").as_deref(), Some("x \"y\""));
                assert_eq!(tag.attr("id"), None);
            }
            other => panic!("expected a start tag, got {other:?}"),
        }
        assert_eq!(got[2], Token::Text("c"));
        assert!(matches!(got[3], Token::End { name: "p", .. }));
        assert!(matches!(&got[4], Token::Start(tag) if tag.name == "br"));
    }

    #[test]
    fn iframe_text_is_raw_until_its_end_tag() {
        let got: Vec<_> = tokens("<iframe><p>not a tag</iframe>x").collect();
        assert_eq!(got[1], Token::Text("<p>not a tag"));
        assert!(matches!(got[2], Token::End { name: "iframe", .. }));
        assert_eq!(got[3], Token::Text("x"));
    }

    #[test]
    fn stray_angle_bracket_is_text() {
        let got: Vec<_> = tokens("<3 <>").collect();
        assert!(got.iter().all(|t| matches!(t, Token::Text(_))));
        let joined: String = got
            .iter()
            .map(|t| match t {
                Token::Text(s) => *s,
                _ => "",
            })
            .collect();
        assert_eq!(joined, "<3 <>");
    }

    #[test]
    fn prune_drops_nested_elements_whole() {
        let html = "<div>a<div>b</div>c</div><p>d</p>";
        let out = prune(
            html,
            |tag, _| if tag.name == "div" { Verdict::Drop } else { Verdict::Keep },
            |_| unreachable!("nothing is recovered"),
        );
        assert_eq!(out, "<p>d</p>");
    }

    #[test]
    fn prune_keep_empty_drops_children_only() {
        let html = r#"<iframe src="x">fallback</iframe>after"#;
        let out = prune(
            html,
            |_, _| Verdict::KeepEmptyAs(r#"<iframe src="y">"#.to_owned()),
            |_| unreachable!("nothing is recovered"),
        );
        assert_eq!(out, r#"<iframe src="y"></iframe>after"#);
    }
}
