//! Closes the raw-text elements a post leaves open, before html5ever reads it.
//!
//! In HTML, the text after `<iframe>`, `<script>`, `<style>`, `<xmp>`, `<noembed>`,
//! `<noframes>`, `<noscript>` (raw text), `<textarea>` and `<title>` (escapable raw text)
//! is not markup: it runs to the matching end tag, and without one to the end of the
//! document; after `<plaintext>` everything is text. A feed author's missing `</iframe>` or
//! an XHTML-style `<iframe … />` (HTML ignores the `/`) would so turn the rest of the post
//! into the content of an element the policy drops or keeps empty: the rest of the post
//! lost (issue 12). This pass writes the missing end tag right after such a start tag
//! (taking the element as empty, which is what the author meant), and removes `<plaintext>`
//! start tags, so that html5ever reads the rest as markup.
//!
//! `<svg>` and `<math>` left open are not touched: HTML already ends them at the next
//! paragraph, heading, list, `<b>`, `<i>` and the like, and closing them early would do
//! worse (their children would become HTML elements with SVG or MathML names, which
//! ammonia removes together with everything they then hold).
//!
//! It is a scan, not a parser ([`tags`], which the `nesting` pass uses too): it follows the
//! tokenizer far enough to find tags (skipping comments, quoted attribute values and the text
//! of raw-text elements that are closed), and errs only towards writing an end tag html5ever
//! then ignores. Safety does not rest on it:
//! whatever it returns goes through the whole policy. (One case it does not follow: a
//! `<script>` whose text holds `<!--<script>`, where HTML keeps reading past the first
//! `</script>`.)

use std::borrow::Cow;
use std::ops::Range;

/// Elements whose text is not markup, up to their end tag (lower case).
const RAW_TEXT: &[&str] =
    &["iframe", "script", "style", "xmp", "noembed", "noframes", "noscript", "textarea", "title"];

/// `html` with every unclosed (or `/>`-closed) raw-text element closed right after its start
/// tag and every `<plaintext>` start tag removed; borrowed when there is nothing to change.
pub(crate) fn close_unclosed(html: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut tags = tags(html);
    while let Some(tag) = tags.next() {
        if tag.is_end {
            continue;
        }
        let name = &html[tag.name.clone()];
        if name.eq_ignore_ascii_case("plaintext") {
            out.push_str(&html[copied..tag.span.start]);
            copied = tag.span.end;
            continue;
        }
        let Some(raw) = raw_text(name) else { continue };
        // Closed: its text is not markup, and the scan carries on at its end tag.
        if !tag.self_closing && tags.skip_raw_text(&tag) {
            continue;
        }
        out.push_str(&html[copied..tag.span.end]);
        out.push_str("</");
        out.push_str(raw);
        out.push('>');
        copied = tag.span.end;
    }
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// The raw-text element `name` is, in lower case.
pub(crate) fn raw_text(name: &str) -> Option<&'static str> {
    RAW_TEXT.iter().copied().find(|raw| name.eq_ignore_ascii_case(raw))
}

/// A start or end tag found by [`tags`]: where it is, and where its name is.
pub(crate) struct Tag {
    pub(crate) span: Range<usize>,
    pub(crate) name: Range<usize>,
    pub(crate) is_end: bool,
    /// A `/` came right before the `>` (which HTML ignores but for void and foreign tags).
    pub(crate) self_closing: bool,
}

/// The start and end tags of `html`, in order, as the tokenizer finds them: comments, `<!`
/// and `<?` constructs and quoted attribute values are skipped. The text of a raw-text
/// element is skipped only when asked ([`Tags::skip_raw_text`]); an unterminated tag at the
/// end ends the scan, as the tokenizer drops it.
pub(crate) fn tags(html: &str) -> Tags<'_> {
    Tags { html, pos: 0, end_tags: [None; RAW_TEXT.len()] }
}

pub(crate) struct Tags<'h> {
    html: &'h str,
    pos: usize,
    /// For each raw-text element, the result of the last search for its end tag: the first
    /// end tag at or after where that search started, or None if there is none. Valid for
    /// any later search still before that end tag, so each search runs once.
    end_tags: [Option<Option<usize>>; RAW_TEXT.len()],
}

impl Tags<'_> {
    /// After `tag`, the start tag of a raw-text element, moves the scan to its end tag and
    /// says true; false (and nothing moves) if it has none or `tag` is no such start tag.
    pub(crate) fn skip_raw_text(&mut self, tag: &Tag) -> bool {
        let name = &self.html[tag.name.clone()];
        let Some(index) = RAW_TEXT.iter().position(|raw| name.eq_ignore_ascii_case(raw)) else {
            return false;
        };
        let from = tag.span.end;
        let known = self.end_tags[index].filter(|found| found.is_none_or(|at| at >= from));
        let found = known.unwrap_or_else(|| find_end_tag(self.html, from, RAW_TEXT[index]));
        self.end_tags[index] = Some(found);
        match found {
            Some(at) => {
                self.pos = at;
                true
            }
            None => false,
        }
    }
}

impl Iterator for Tags<'_> {
    type Item = Tag;

    fn next(&mut self) -> Option<Tag> {
        let html = self.html;
        let bytes = html.as_bytes();
        while let Some(offset) = memchr(b'<', html, self.pos) {
            let lt = self.pos + offset;
            let rest = &bytes[lt + 1..];
            if rest.starts_with(b"!--") {
                self.pos = comment_end(html, lt + 4).unwrap_or(bytes.len());
                continue;
            }
            let is_start = rest.first().is_some_and(u8::is_ascii_alphabetic);
            let is_end =
                rest.first() == Some(&b'/') && rest.get(1).is_some_and(u8::is_ascii_alphabetic);
            if !is_start && !matches!(rest.first(), Some(b'!' | b'?')) && !is_end {
                self.pos = lt + 1;
                continue;
            }
            let name_start = if is_end { lt + 2 } else { lt + 1 };
            let name_end = name_start
                + bytes[name_start..]
                    .iter()
                    .position(|&b| ends_name(b))
                    .unwrap_or(bytes.len() - name_start);
            let Some((tag_end, self_closing)) = tag_end(html, name_end) else {
                self.pos = bytes.len();
                return None;
            };
            self.pos = tag_end;
            if is_start || is_end {
                return Some(Tag {
                    span: lt..tag_end,
                    name: name_start..name_end,
                    is_end,
                    self_closing,
                });
            }
        }
        self.pos = bytes.len();
        None
    }
}

/// Where the ASCII `needle` first occurs in `html` at or after `from`, as an offset from
/// `from` (`str::find` searches a word at a time: the scan for `<` is most of this pass's
/// work). Every `from` here follows an ASCII byte, so it is a character boundary.
fn memchr(needle: u8, html: &str, from: usize) -> Option<usize> {
    html.get(from..)?.find(char::from(needle))
}

/// Bytes that end a tag name (the tokenizer's whitespace, `/` and `>`).
fn ends_name(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ' | b'/' | b'>')
}

/// Just past the `>` ending the tag whose name ends at `from`, and whether a `/` came right
/// before it; None if the document ends first. A `>` inside a quoted value does not count.
fn tag_end(html: &str, from: usize) -> Option<(usize, bool)> {
    let bytes = html.as_bytes();
    let mut i = from;
    loop {
        match *bytes.get(i)? {
            b'>' => return Some((i + 1, i > from && bytes[i - 1] == b'/')),
            b'=' => {
                i += 1;
                while bytes.get(i).is_some_and(|&b| ends_name(b) && b != b'/' && b != b'>') {
                    i += 1;
                }
                if let Some(&quote @ (b'"' | b'\'')) = bytes.get(i) {
                    i += 1 + memchr(quote, html, i + 1)? + 1;
                }
            }
            _ => i += 1,
        }
    }
}

/// Just past the comment whose text starts at `from` (after `<!--`); None if it runs to the
/// end. `<!-->` and `<!--->` are whole comments, and `--!>` ends one too, as in HTML.
fn comment_end(html: &str, from: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let rest = &bytes[from..];
    if rest.starts_with(b">") {
        return Some(from + 1);
    }
    if rest.starts_with(b"->") {
        return Some(from + 2);
    }
    let mut i = from;
    while let Some(offset) = memchr(b'-', html, i) {
        let at = i + offset;
        if bytes[at..].starts_with(b"-->") {
            return Some(at + 3);
        }
        if bytes[at..].starts_with(b"--!>") {
            return Some(at + 4);
        }
        i = at + 1;
    }
    None
}

/// Where the first end tag of `name` at or after `from` begins: `</name` in any case,
/// followed by whitespace, `/` or `>`, as the tokenizer ends raw text.
fn find_end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut i = from;
    while let Some(offset) = memchr(b'<', html, i) {
        let at = i + offset;
        let after = at + 2 + name.len();
        if bytes.get(at + 1) == Some(&b'/')
            && bytes.get(at + 2..after).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes()))
            && bytes.get(after).is_some_and(|&b| ends_name(b))
        {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_elements_and_plain_markup_are_untouched() {
        for html in [
            "",
            "plain text",
            r#"<p>a <iframe src="x">fallback</iframe> <b>b</b></p>"#,
            "<script>if (a<b) x()</script><style>p>a{}</style><textarea>t</textarea>",
            "<IFRAME src=x>f</IFRAME ><Title>t</tItle>",
            "<xmp><iframe></xmp>",
            "a < b and c <3 d",
        ] {
            assert!(matches!(close_unclosed(html), Cow::Borrowed(_)), "{html}");
        }
    }

    #[test]
    fn unclosed_raw_text_elements_are_closed_where_they_start() {
        let cases = [
            (r#"safe<iframe src="x"> <b>d</b>"#, r#"safe<iframe src="x"></iframe> <b>d</b>"#),
            ("a<IFRAME SRC=x> <b>d</b>", "a<IFRAME SRC=x></iframe> <b>d</b>"),
            ("a<textarea>t <b>d</b>", "a<textarea></textarea>t <b>d</b>"),
            ("a<title>t<style>s", "a<title></title>t<style></style>s"),
            (
                "<noscript><noembed><noframes><xmp>x",
                "<noscript></noscript><noembed></noembed><noframes></noframes><xmp></xmp>x",
            ),
            ("a<script src=x>b", "a<script src=x></script>b"),
        ];
        for (html, closed) in cases {
            assert_eq!(close_unclosed(html), closed, "{html}");
        }
    }

    #[test]
    fn self_closed_raw_text_elements_are_empty() {
        assert_eq!(
            close_unclosed(r#"a<iframe src="x"/> b <iframe></iframe>"#),
            r#"a<iframe src="x"/></iframe> b <iframe></iframe>"#
        );
        assert_eq!(close_unclosed("<script src=x />b"), "<script src=x /></script>b");
    }

    #[test]
    fn plaintext_start_tags_are_removed() {
        assert_eq!(close_unclosed("a<plaintext class=x><b>d</b>"), "a<b>d</b>");
        assert_eq!(close_unclosed("a<PLAINTEXT/>b"), "ab");
    }

    #[test]
    fn end_tags_must_be_whole_names() {
        // `</iframex>` does not end an iframe; `</iframe ` and `</iframe/` do.
        assert_eq!(close_unclosed("<iframe>a</iframex>b"), "<iframe></iframe>a</iframex>b");
        assert!(matches!(close_unclosed("<iframe>a</iframe >b"), Cow::Borrowed(_)));
        assert!(matches!(close_unclosed("<iframe>a</iframe/>b"), Cow::Borrowed(_)));
    }

    #[test]
    fn tags_in_comments_attributes_and_raw_text_are_not_tags() {
        for html in [
            "<!-- <iframe> -->after",
            "<!--><iframe></iframe>",
            r#"<a title="<iframe>">x</a>"#,
            r#"<a title='x>y' href=z>x</a><img alt=">">"#,
            "<script>document.write('<iframe>')</script>after",
            "<textarea><title></textarea>",
        ] {
            assert!(matches!(close_unclosed(html), Cow::Borrowed(_)), "{html}");
        }
        assert_eq!(close_unclosed("<!--x--!><iframe>y"), "<!--x--!><iframe></iframe>y");
    }

    #[test]
    fn a_quoted_gt_does_not_end_the_tag() {
        assert_eq!(
            close_unclosed(r#"<iframe title="a>b" src='c>d'>e"#),
            r#"<iframe title="a>b" src='c>d'></iframe>e"#
        );
    }

    /// Every prefix of inputs mixing multi-byte text into tags, quotes and comments: no
    /// slicing inside a character, and the output still holds all of the input's text.
    #[test]
    fn cut_and_multibyte_inputs_do_not_panic() {
        let inputs = [
            "<iframe title='é>ü' src=\"ß\">€<b>ø</b></iframe>ñ<!-- ☃ --!>😀<textarea/>文",
            "<é<iframe é=é 'x'=\"y\"/><plaintext>🙂</Title><script>\u{a0}",
        ];
        for input in inputs {
            for (at, _) in input.char_indices() {
                let closed = close_unclosed(&input[..at]);
                assert!(closed.len() >= at.saturating_sub(11), "{closed}");
            }
        }
    }

    #[test]
    fn many_unclosed_tags_take_linear_time() {
        let html = "<iframe>".repeat(50_000) + "</x>";
        let start = std::time::Instant::now();
        let closed = close_unclosed(&html);
        assert_eq!(closed.matches("</iframe>").count(), 50_000);
        assert!(start.elapsed() < std::time::Duration::from_secs(2), "{:?}", start.elapsed());
    }
}
