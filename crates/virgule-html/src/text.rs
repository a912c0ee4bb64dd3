//! Plain text in and out of HTML: excerpts of sanitized HTML for feed summaries and
//! `<meta name=description>`, and plain-text fields rendered as HTML paragraphs.

use crate::{policy, serialized};

/// The text of `html`, whitespace collapsed, cut at a word boundary so that the result
/// (with its "…") is at most `max_chars` characters.
pub(crate) fn excerpt(html: &str, max_chars: usize) -> String {
    let text = plain_text(&policy::clean(html, None));
    cut_at_word(&text, max_chars)
}

/// The words of HTML this crate sanitized, for a full-text index: [`plain_text`] without
/// control characters (search snippets mark their matches with them).
pub(crate) fn searchable(sanitized: &str) -> String {
    let mut text = plain_text(sanitized);
    text.retain(|c| !c.is_control());
    text
}

/// The text of sanitized HTML: entities decoded, block boundaries as spaces, whitespace
/// collapsed.
fn plain_text(sanitized: &str) -> String {
    let mut text = String::with_capacity(sanitized.len());
    for token in serialized::tokens(sanitized) {
        match token {
            serialized::Token::Text(raw) => text.push_str(&html_escape::decode_html_entities(raw)),
            serialized::Token::Start(tag) if !is_inline(tag.name) => text.push(' '),
            serialized::Token::End { name, .. } if !is_inline(name) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Tags that sit inside a line of text: they separate no words.
fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "cite"
            | "code"
            | "del"
            | "dfn"
            | "em"
            | "i"
            | "ins"
            | "kbd"
            | "mark"
            | "q"
            | "rp"
            | "rt"
            | "ruby"
            | "s"
            | "samp"
            | "small"
            | "span"
            | "strong"
            | "sub"
            | "sup"
            | "time"
            | "u"
            | "var"
            | "wbr"
    )
}

pub(crate) fn cut_at_word(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    if max_chars == 0 {
        return String::new();
    }
    // Room for the text before the ellipsis, as a byte index.
    let keep = max_chars - 1;
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let head = &text[..end];
    let next_is_space = text[end..].starts_with(char::is_whitespace);
    let head = if next_is_space {
        head
    } else {
        // Back up to the last space; a single word longer than the room is cut hard.
        head.rfind(char::is_whitespace).map_or(head, |i| &head[..i])
    };
    let head = head.trim_end_matches(|c: char| c.is_whitespace() || ",;:".contains(c));
    format!("{head}\u{2026}")
}

/// Plain text as HTML: escaped, paragraphs at blank lines, `<br>` at single newlines.
pub(crate) fn to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !lines.is_empty() {
                paragraphs.push(paragraph(&lines));
                lines.clear();
            }
        } else {
            lines.push(line.trim_end());
        }
    }
    if !lines.is_empty() {
        paragraphs.push(paragraph(&lines));
    }
    paragraphs.join("\n")
}

fn paragraph(lines: &[&str]) -> String {
    let escaped: Vec<_> = lines.iter().map(|line| html_escape::encode_text(line)).collect();
    format!("<p>{}</p>", escaped.join("<br>\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_decodes_entities_and_cuts_at_a_word() {
        let html = "<p>Fish &amp; chips&nbsp;are &lt;great&gt;</p><p>Second paragraph here.</p>";
        assert_eq!(excerpt(html, 100), "Fish & chips are <great> Second paragraph here.");
        // 20 characters: "Fish & chips are" (16) fits with the ellipsis, "<great>" does not.
        assert_eq!(excerpt(html, 20), "Fish & chips are\u{2026}");
        assert!(excerpt(html, 20).chars().count() <= 20);
    }

    #[test]
    fn excerpt_separates_blocks_but_not_inline_tags() {
        let html = "<h1>Title</h1><p>One <em>two</em>th<b>ree</b></p><ul><li>a</li><li>b</li></ul>";
        assert_eq!(excerpt(html, 200), "Title One twothree a b");
    }

    #[test]
    fn searchable_text_is_all_the_words_without_control_characters() {
        let html = crate::sanitize(
            "<h2>Title</h2><p>Fish &amp; <em>chi</em>ps\u{2}\u{3}</p><pre>a\n  b</pre>",
        );
        assert_eq!(searchable(&html), "Title Fish & chips a b");
    }

    #[test]
    fn excerpt_ignores_script_and_style() {
        let html = "<style>p{}</style><p>Visible</p><script>hidden()</script>";
        assert_eq!(excerpt(html, 50), "Visible");
    }

    #[test]
    fn excerpt_edge_cases() {
        assert_eq!(excerpt("", 10), "");
        assert_eq!(excerpt("<p>Hello world</p>", 0), "");
        assert_eq!(excerpt("<p>Hello world</p>", 11), "Hello world");
        assert_eq!(excerpt("<p>Hello world</p>", 10), "Hello\u{2026}");
        // One word longer than the room is cut inside the word.
        assert_eq!(excerpt("Supercalifragilistic", 6), "Super\u{2026}");
        // Trailing punctuation before the cut is dropped, multi-byte text is safe.
        assert_eq!(excerpt("Ünïcödé, wörds everywhere", 12), "Ünïcödé\u{2026}");
    }

    #[test]
    fn text_to_html_escapes_and_splits() {
        assert_eq!(
            to_html("a < b & c\nnext line\n\n\r\nsecond <script>"),
            "<p>a &lt; b &amp; c<br>\nnext line</p>\n<p>second &lt;script&gt;</p>"
        );
        assert_eq!(to_html(""), "");
        assert_eq!(to_html("\n\n  \n"), "");
    }
}
