//! WordPress post content as the HTML a reader saw: Gutenberg's block comments removed,
//! shortcodes resolved, bare URLs on their own line linked, and, for classic posts,
//! paragraphs made from blank lines as WordPress's `wpautop` does when it shows them.
//!
//! The result is well-formed for well-formed input but not sanitized: it goes through
//! `virgule-html`'s policy before anyone sees it.

use std::borrow::Cow;
use std::collections::HashMap;

use super::shortcode;

/// Elements that are blocks of their own: never wrapped in a paragraph, never given `<br>`s
/// inside (except `blockquote`, whose loose text gets paragraphs as it would have on the
/// old site).
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "main",
    "map",
    "math",
    "menu",
    "nav",
    "ol",
    "option",
    "p",
    "pre",
    "script",
    "section",
    "select",
    "style",
    "summary",
    "table",
    "tbody",
    "td",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Elements whose content is not markup: the first end tag closes them.
const RAW: &[&str] = &["pre", "script", "style", "textarea"];

/// Turns a post's (or a comment's) stored content into HTML.
///
/// ```
/// use virgule_import::wxr::content_to_html;
///
/// assert_eq!(
///     content_to_html("One line\nand the next.\n\nA new paragraph."),
///     "<p>One line<br>\nand the next.</p>\n<p>A new paragraph.</p>"
/// );
/// assert_eq!(
///     content_to_html("<!-- wp:paragraph -->\n<p>Blocks stay as they are.</p>\n<!-- /wp:paragraph -->"),
///     "<p>Blocks stay as they are.</p>"
/// );
/// ```
///
/// Content with Gutenberg blocks gets no paragraphs added, as WordPress itself adds none
/// to block content; only classic content does.
pub fn content_to_html(raw: &str) -> String {
    let text = if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    };
    let (text, has_blocks) = remove_block_comments(&text);
    let text = shortcode::expand(&text);
    let text = link_bare_urls(&text);
    if has_blocks { text.trim().to_string() } else { autop(&text) }
}

/// Removes `<!-- wp:name {json} -->`, `<!-- /wp:name -->` and `<!-- wp:name /-->`; a line
/// that held only such a comment goes entirely. Says whether there were any.
fn remove_block_comments(text: &str) -> (String, bool) {
    let mut out = Output::default();
    let mut found = false;
    let mut rest = text;
    while let Some(at) = rest.find("<!--") {
        let after_open = &rest[at + 4..];
        let body = after_open.trim_start();
        let is_block = body.starts_with("wp:") || body.starts_with("/wp:");
        let close = if is_block { after_open.find("-->") } else { None };
        if is_block && close.is_none() {
            // Unclosed: neither this nor any later comment can end.
            break;
        }
        let Some(close) = close else {
            out.push(&rest[..at + 4]);
            rest = after_open;
            continue;
        };
        found = true;
        out.push(&rest[..at]);
        rest = &after_open[close + 3..];
        // Only spaces until the end of the line (or of the text)?
        let blank_after = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let alone_after = matches!(rest.as_bytes().get(blank_after), None | Some(b'\n'));
        if out.line_is_blank && alone_after {
            out.html.truncate(out.line_start);
            rest = rest.get(blank_after + 1..).unwrap_or("");
        }
    }
    out.push(rest);
    (out.html, found)
}

/// HTML being written, knowing where its last line starts and whether that line is blank so
/// far, without looking back over it.
#[derive(Default)]
struct Output {
    html: String,
    line_start: usize,
    line_is_blank: bool,
}

impl Output {
    fn push(&mut self, chunk: &str) {
        match chunk.rfind('\n') {
            Some(newline) => {
                self.line_start = self.html.len() + newline + 1;
                self.line_is_blank = chunk[newline + 1..].trim().is_empty();
            }
            None => {
                self.line_is_blank =
                    (self.line_is_blank || self.html.is_empty()) && chunk.trim().is_empty();
            }
        }
        self.html.push_str(chunk);
    }
}

/// A line holding nothing but a URL becomes a link to it, as WordPress would have embedded
/// it; not inside `<pre>` and not inside a link.
fn link_bare_urls(text: &str) -> String {
    if !text.contains("http") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let (mut in_pre, mut in_link) = (0i32, 0i32);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let url = line.trim();
        if in_pre <= 0 && in_link <= 0 && shortcode::is_url(url) {
            out.push_str(&shortcode::link(url));
            continue;
        }
        out.push_str(line);
        if !line.contains('<') {
            continue;
        }
        let lower = line.to_ascii_lowercase();
        in_pre += count_opening(&lower, "pre") - lower.matches("</pre>").count() as i32;
        in_link += count_opening(&lower, "a") - lower.matches("</a>").count() as i32;
    }
    out
}

/// How many start tags `<name>` or `<name …>` a lower-cased line holds.
fn count_opening(lower: &str, name: &str) -> i32 {
    let open = format!("<{name}");
    lower
        .match_indices(&open)
        .filter(|(i, _)| {
            matches!(lower.as_bytes().get(i + open.len()), Some(b'>' | b' ' | b'\t' | b'\n') | None)
        })
        .count() as i32
}

/// Paragraphs from blank lines and `<br>` from single newlines, outside block elements.
/// The text is cut into top-level block elements (kept as written) and the loose text
/// between them (made into paragraphs); the pieces are joined by newlines.
fn autop(text: &str) -> String {
    Autop::new(text).run(0)
}

/// The longest HTML tag read as one; the longest real ones (an `<img>` with a long
/// `srcset`) are well under it.
const MAX_TAG_LEN: usize = 16 * 1024;

/// Blockquotes nested deeper than this keep their content as written.
const MAX_QUOTE_DEPTH: usize = 8;

/// One pass of [`autop`] over a text, with what it learns about the text along the way.
struct Autop<'a> {
    text: &'a str,
    lower: String,
    /// Block elements' start tags and their end tags ([`pair_block_tags`]).
    pairs: HashMap<usize, (usize, usize)>,
}

/// What starts at a `<`.
enum Found {
    /// A block element, to keep as a piece of its own.
    Block { end: usize, html: String },
    /// Inline markup (a comment inside a line) to leave in the loose text and step over.
    Inline { end: usize },
}

impl<'a> Autop<'a> {
    fn new(text: &'a str) -> Self {
        let lower = text.to_ascii_lowercase();
        let pairs = pair_block_tags(text, &lower);
        Autop { text, lower, pairs }
    }

    fn run(&self, quote_depth: usize) -> String {
        let text = self.text;
        let mut pieces: Vec<String> = Vec::new();
        let mut loose_from = 0;
        let mut i = 0;
        while let Some(found) = text[i..].find('<') {
            let at = i + found;
            match self.block_at(at, quote_depth) {
                None => i = at + 1,
                Some(Found::Inline { end }) => i = end,
                Some(Found::Block { end, html }) => {
                    paragraphs(&text[loose_from..at], &mut pieces);
                    if !html.is_empty() {
                        pieces.push(html);
                    }
                    loose_from = end;
                    i = end;
                }
            }
        }
        paragraphs(&text[loose_from..], &mut pieces);
        pieces.join("\n")
    }

    /// The block element (or comment on a line of its own) starting at `at`, if any.
    fn block_at(&self, at: usize, quote_depth: usize) -> Option<Found> {
        let text = self.text;
        if text[at..].starts_with("<!--") {
            // A comment never closed runs to the end, as it would in a browser.
            let Some(close) = text[at..].find("-->") else {
                return Some(Found::Block { end: text.len(), html: text[at..].to_string() });
            };
            let end = at + close + 3;
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
            let alone =
                text[line_start..at].trim().is_empty() && text[end..line_end].trim().is_empty();
            return Some(if alone {
                Found::Block { end, html: text[at..end].to_string() }
            } else {
                Found::Inline { end }
            });
        }
        let tag = Tag::at(text, at)?;
        if !BLOCKS.contains(&tag.name.as_str()) {
            return None;
        }
        let whole = |end: usize| Some(Found::Block { end, html: text[at..end].to_string() });
        if tag.closing || tag.self_closing || tag.name == "hr" {
            return whole(tag.end);
        }
        if RAW.contains(&tag.name.as_str()) {
            let close = format!("</{}", tag.name);
            let end = self.lower[tag.end..]
                .find(&close)
                .and_then(|i| text[tag.end + i..].find('>').map(|j| tag.end + i + j + 1))
                .unwrap_or(text.len());
            return whole(end);
        }
        let Some(&(inner_end, end)) = self.pairs.get(&at) else {
            // Never closed, relying on HTML's implied ends: a `<p>` is dropped, since the
            // loose text after it gets paragraphs of its own; anything else stays, alone.
            return if tag.name == "p" {
                Some(Found::Block { end: tag.end, html: String::new() })
            } else {
                whole(tag.end)
            };
        };
        if tag.name == "blockquote" && quote_depth < MAX_QUOTE_DEPTH {
            let inner = Autop::new(&text[tag.end..inner_end]).run(quote_depth + 1);
            let html = format!("{}{inner}{}", &text[at..tag.end], &text[inner_end..end]);
            return Some(Found::Block { end, html });
        }
        whole(end)
    }
}

/// Pairs every block element's start tag with its end tag, in one pass: start tags of a
/// name wait on a stack until an end tag of that name takes the innermost, as nesting
/// counts them. Keyed by where the start tag begins: where the content ends and where the
/// end tag ends.
fn pair_block_tags(text: &str, lower: &str) -> HashMap<usize, (usize, usize)> {
    let mut waiting: HashMap<String, Vec<usize>> = HashMap::new();
    let mut pairs = HashMap::new();
    let mut i = 0;
    while let Some(found) = lower[i..].find('<') {
        let at = i + found;
        if lower[at..].starts_with("<!--") {
            i = lower[at..].find("-->").map_or(lower.len(), |e| at + e + 3);
            continue;
        }
        let Some(tag) = Tag::at(text, at) else {
            i = at + 1;
            continue;
        };
        if BLOCKS.contains(&tag.name.as_str()) {
            if tag.closing {
                if let Some(start) = waiting.get_mut(&tag.name).and_then(Vec::pop) {
                    pairs.insert(start, (at, tag.end));
                }
            } else if !tag.self_closing {
                waiting.entry(tag.name).or_default().push(at);
            }
        }
        i = tag.end;
    }
    pairs
}

/// An HTML tag: its lower-cased name, whether it is an end tag or self-closed, and where it
/// ends (just past `>`).
struct Tag {
    name: String,
    closing: bool,
    self_closing: bool,
    end: usize,
}

impl Tag {
    fn at(text: &str, at: usize) -> Option<Tag> {
        let bytes = text.as_bytes();
        let mut i = at + 1;
        let closing = bytes.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let name_start = i;
        while bytes.get(i).is_some_and(|b| b.is_ascii_alphanumeric()) {
            i += 1;
        }
        if i == name_start || !bytes[name_start].is_ascii_alphabetic() {
            return None;
        }
        let name = text[name_start..i].to_ascii_lowercase();
        let mut quote = None;
        // A tag longer than this is a stray `<` (with an unclosed quote after it), not a tag.
        let limit = bytes.len().min(at + MAX_TAG_LEN);
        while let Some(&b) = bytes.get(i).filter(|_| i < limit) {
            match (quote, b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'>') => {
                    let self_closing = bytes[i - 1] == b'/';
                    return Some(Tag { name, closing, self_closing, end: i + 1 });
                }
                (None, b'<') => return None,
                _ => {}
            }
            i += 1;
        }
        None
    }
}

/// Loose text between blocks: blank lines separate paragraphs, single newlines become
/// `<br>` (not inside a tag, not after a `<br>` already there).
fn paragraphs(loose: &str, pieces: &mut Vec<String>) {
    let mut paragraph = String::new();
    for line in loose.split('\n') {
        if line.trim().is_empty() {
            flush_paragraph(&mut paragraph, pieces);
        } else {
            if !paragraph.is_empty() {
                paragraph.push('\n');
            }
            paragraph.push_str(line.trim_end());
        }
    }
    flush_paragraph(&mut paragraph, pieces);
}

fn flush_paragraph(paragraph: &mut String, pieces: &mut Vec<String>) {
    let text = paragraph.trim();
    if !text.is_empty() {
        pieces.push(format!("<p>{}</p>", line_breaks(text)));
    }
    paragraph.clear();
}

fn line_breaks(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_tag = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!') =>
            {
                in_tag = true;
            }
            '>' => in_tag = false,
            '\n' if !in_tag && !ends_with_br(&out) => out.push_str("<br>"),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Whether HTML ends (before trailing spaces) with `<br>`, `<br/>` or `<br />`.
fn ends_with_br(html: &str) -> bool {
    let tail = html.trim_end().as_bytes();
    ["<br>", "<br/>", "<br />"].iter().any(|br| {
        tail.len() >= br.len() && tail[tail.len() - br.len()..].eq_ignore_ascii_case(br.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_paragraphs_and_line_breaks() {
        assert_eq!(
            content_to_html("First para,\nsecond line.\n\n\nSecond <em>para</em>.\r\n"),
            "<p>First para,<br>\nsecond line.</p>\n<p>Second <em>para</em>.</p>"
        );
    }

    #[test]
    fn no_paragraphs_around_or_inside_blocks() {
        let input = "Intro\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\nOutro\n<h2>Head</h2>";
        assert_eq!(
            content_to_html(input),
            "<p>Intro</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<p>Outro</p>\n<h2>Head</h2>"
        );
    }

    #[test]
    fn pre_is_kept_exactly() {
        let input = "Code:\n\n<pre>fn main() {\n\n    println!(\"<b>\");\n}</pre>\n\nAfter.";
        assert_eq!(
            content_to_html(input),
            "<p>Code:</p>\n<pre>fn main() {\n\n    println!(\"<b>\");\n}</pre>\n<p>After.</p>"
        );
    }

    #[test]
    fn nested_divs_are_one_block() {
        let input = "<div class=\"a\">\n<div>inner\n\ntext</div>\n</div>\ntail";
        assert_eq!(
            content_to_html(input),
            "<div class=\"a\">\n<div>inner\n\ntext</div>\n</div>\n<p>tail</p>"
        );
    }

    #[test]
    fn blockquote_text_gets_paragraphs() {
        assert_eq!(
            content_to_html("<blockquote>One\n\nTwo</blockquote>"),
            "<blockquote><p>One</p>\n<p>Two</p></blockquote>"
        );
    }

    #[test]
    fn existing_br_is_not_doubled_and_tags_spanning_lines_are_kept() {
        assert_eq!(
            content_to_html("a<br />\nb <a\nhref=\"x\">c</a>"),
            "<p>a<br />\nb <a\nhref=\"x\">c</a></p>"
        );
    }

    #[test]
    fn more_comment_on_its_own_line_is_not_a_paragraph() {
        assert_eq!(
            content_to_html("Teaser.\n<!--more-->\nRest."),
            "<p>Teaser.</p>\n<!--more-->\n<p>Rest.</p>"
        );
    }

    #[test]
    fn gutenberg_blocks_come_out_unchanged() {
        let input = "<!-- wp:heading {\"level\":3} -->\n<h3>Title</h3>\n<!-- /wp:heading -->\n\n\
                     <!-- wp:paragraph -->\n<p>Text with\na newline.</p>\n<!-- /wp:paragraph -->\n\n\
                     <!-- wp:separator /-->\n<!-- wp:separator --><hr class=\"wp-block-separator\"/><!-- /wp:separator -->";
        assert_eq!(
            content_to_html(input),
            "<h3>Title</h3>\n\n<p>Text with\na newline.</p>\n\n<hr class=\"wp-block-separator\"/>"
        );
    }

    #[test]
    fn bare_url_lines_become_links_but_not_in_pre() {
        assert_eq!(
            content_to_html(
                "Watch:\n\nhttps://www.youtube.com/watch?v=x&t=1\n\n<pre>\nhttps://e.org/\n</pre>"
            ),
            "<p>Watch:</p>\n<p><a href=\"https://www.youtube.com/watch?v=x&amp;t=1\">https://www.youtube.com/watch?v=x&amp;t=1</a></p>\n<pre>\nhttps://e.org/\n</pre>"
        );
    }

    #[test]
    fn code_shortcodes_are_escaped_and_not_paragraphed() {
        assert_eq!(
            content_to_html(
                "Before\n\n[sourcecode language=\"rust\"]\nlet a = b < c;\n\nx & y\n[/sourcecode]\nAfter"
            ),
            "<p>Before</p>\n<pre><code class=\"language-rust\">let a = b &lt; c;\n\nx &amp; y</code></pre>\n<p>After</p>"
        );
    }

    #[test]
    fn pathological_markup_costs_little() {
        // Each of these would cost a scan of the rest of the post per occurrence if the
        // scanner did not remember what it had found; 40,000 occurrences, well under a second.
        for (unit, end) in [
            ("<li>x ", "</li>"),
            ("<div>x ", ""),
            ("<a title=\"x ", ""),
            ("a <!-- b ", ""),
            ("<!-- wp:x ", ""),
            ("<!-- wp:x -->", ""),
            ("line<br>\n", ""),
        ] {
            let text = unit.repeat(40_000) + end;
            let started = std::time::Instant::now();
            let _ = content_to_html(&text);
            assert!(started.elapsed().as_secs() < 5, "{unit:?} took {:?}", started.elapsed());
        }
    }

    #[test]
    fn unclosed_paragraph_tag_does_not_swallow_the_post() {
        assert_eq!(content_to_html("<p>one\n\ntwo"), "<p>one</p>\n<p>two</p>");
    }
}
