//! WordPress shortcodes (`[caption]`, `[embed]`, `[code]`…) turned into the HTML they
//! would have shown, or removed when what they showed cannot come with the export.
//!
//! Brackets are common in prose (`[1]`, `[sic]`), so a bracket is read as a shortcode only
//! when its name is one we know, or when a matching `[/name]` follows; otherwise it stays
//! text. `[[name]]` is WordPress's way of writing a shortcode literally.

use std::collections::HashSet;

use crate::xml::escape_html;

/// The shortcodes that mean something without a closing tag, and what they become.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Known {
    /// `[caption]` (and `[wp_caption]`, its older name): an image with its caption.
    Caption,
    /// `[embed]URL[/embed]`: a link to what would have been embedded.
    Embed,
    /// `[audio]`, `[video]`: a link to the media file.
    Media,
    /// `[gallery]`, `[playlist]`: they list attachments, which the export does not keep with
    /// the post; removed.
    Removed,
    /// `[code]`, `[sourcecode]`, `[source]` (SyntaxHighlighter): preformatted, escaped code.
    Code,
}

impl Known {
    fn of(name: &str) -> Option<Known> {
        Some(match name {
            "caption" | "wp_caption" => Known::Caption,
            "embed" => Known::Embed,
            "audio" | "video" => Known::Media,
            "gallery" | "playlist" => Known::Removed,
            "code" | "sourcecode" | "source" => Known::Code,
            _ => return None,
        })
    }
}

/// How far past `[` a shortcode's opening tag may reach: keeps a stray `[` in a long post
/// from costing a scan of the rest of it.
const MAX_TAG_LEN: usize = 2048;

/// Replaces the shortcodes in `text` by their HTML. Code blocks come out as
/// `<pre><code>…</code></pre>` with their content escaped.
pub(super) fn expand(text: &str) -> String {
    if !text.contains('[') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    // Names whose `[/name]` was looked for and is not in the rest of the text: it will not
    // be there for a later `[name` either, so prose full of brackets costs one search each.
    let mut never_closed: HashSet<&str> = HashSet::new();
    let mut i = 0;
    while let Some(found) = text[i..].find('[') {
        let at = i + found;
        out.push_str(&text[i..at]);
        if let Some((literal, end)) = escaped(text, at) {
            out.push('[');
            out.push_str(literal);
            out.push(']');
            i = end;
            continue;
        }
        let Some(open) = Open::parse(text, at) else {
            out.push('[');
            i = at + 1;
            continue;
        };
        let close = if open.self_closed || never_closed.contains(open.name) {
            None
        } else {
            find_close(text, open.end, open.name)
        };
        if close.is_none() {
            never_closed.insert(open.name);
        }
        let inner = close.map(|(inner_end, _)| &text[open.end..inner_end]);
        let after = close.map_or(open.end, |(_, after)| after);
        match (Known::of(open.name), inner) {
            (None, None) | (Some(Known::Code), None) => {
                // Prose in brackets, or a code block never closed: text as written.
                out.push('[');
                i = at + 1;
                continue;
            }
            (None, Some(inner)) => out.push_str(&expand(inner)),
            (Some(Known::Code), Some(inner)) => out.push_str(&code(&open, inner)),
            (Some(Known::Caption), inner) => out.push_str(&caption(&open, inner.unwrap_or(""))),
            (Some(Known::Embed), inner) => {
                if let Some(url) = inner.map(str::trim).filter(|u| is_url(u)) {
                    out.push_str(&link(url));
                }
            }
            (Some(Known::Media), inner) => {
                let from_attrs = MEDIA_ATTRS.iter().find_map(|name| open.attr(name));
                if let Some(url) = from_attrs.or(inner.map(str::trim)).filter(|u| is_url(u)) {
                    out.push_str(&link(url));
                }
            }
            (Some(Known::Removed), _) => {}
        }
        i = after;
    }
    out.push_str(&text[i..]);
    out
}

/// The attributes `[audio]` and `[video]` name their file by, in the order WordPress tries.
const MEDIA_ATTRS: &[&str] =
    &["src", "mp4", "m4v", "webm", "ogv", "wmv", "flv", "mp3", "m4a", "ogg", "oga", "wav"];

/// `[[name …]]` at `at`: the text between the doubled brackets, and where it ends.
fn escaped(text: &str, at: usize) -> Option<(&str, usize)> {
    let rest = text[at..].strip_prefix("[[")?;
    if !rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') {
        return None;
    }
    let end = prefix(rest, MAX_TAG_LEN + 2).find("]]")?;
    Some((&rest[..end], at + 2 + end + 2))
}

/// The first `max` bytes of `text` at most, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// An opening tag: `[name attr="value" positional]` or `[name … /]`.
struct Open<'a> {
    name: &'a str,
    attrs: Vec<(String, String)>,
    /// Just past the closing `]`.
    end: usize,
    self_closed: bool,
}

impl<'a> Open<'a> {
    fn parse(text: &'a str, at: usize) -> Option<Open<'a>> {
        let rest = &text[at + 1..];
        let name_len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let name = &rest[..name_len];
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        let after_name = &rest[name_len..];
        if name == "audio"
            && let Some(old_style) = after_name.strip_prefix(':')
        {
            // The Audio Player plugin's `[audio:URL,URL|titles=…]` of WordPress 2.x blogs.
            let close = prefix(old_style, MAX_TAG_LEN).find(']')?;
            let url = old_style[..close].split([',', '|']).next().unwrap_or("").trim();
            let attrs = vec![("src".to_string(), url.to_string())];
            let end = at + 1 + name_len + 1 + close + 1;
            return Some(Open { name, attrs, end, self_closed: true });
        }
        if !after_name.starts_with([']', '/', ' ', '\t', '\n']) {
            return None;
        }
        // The tag's end: the first `]` outside quotes; no `[` may come before it.
        let mut quote = None;
        let mut close = None;
        for (i, c) in after_name.char_indices().take(MAX_TAG_LEN) {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '[') => return None,
                (None, ']') => {
                    close = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let close = close?;
        let mut body = after_name[..close].trim();
        let self_closed = body.ends_with('/');
        if self_closed {
            body = body[..body.len() - 1].trim_end();
        }
        Some(Open {
            name,
            attrs: parse_attrs(body),
            end: at + 1 + name_len + close + 1,
            self_closed,
        })
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// `key="value" key='value' key=value positional "positional"`; positional values get an
/// empty key.
fn parse_attrs(mut body: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    loop {
        body = body.trim_start();
        if body.is_empty() {
            return attrs;
        }
        let key_len = body
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(body.len());
        let key = &body[..key_len];
        let after_key = body[key_len..].trim_start();
        if key_len > 0
            && let Some(value) = after_key.strip_prefix('=')
        {
            let (value, rest) = take_value(value.trim_start());
            attrs.push((key.to_string(), value.to_string()));
            body = rest;
        } else if key_len > 0 {
            attrs.push((String::new(), key.to_string()));
            body = &body[key_len..];
        } else {
            let (value, rest) = take_value(body);
            attrs.push((String::new(), value.to_string()));
            body = if rest.len() < body.len() { rest } else { &body[1..] };
        }
    }
}

/// A quoted or bare value at the start of `text`, and what follows it.
fn take_value(text: &str) -> (&str, &str) {
    for q in ['"', '\''] {
        if let Some(quoted) = text.strip_prefix(q) {
            return match quoted.find(q) {
                Some(end) => (&quoted[..end], &quoted[end + 1..]),
                None => (quoted, ""),
            };
        }
    }
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (&text[..end], &text[end..])
}

/// The first `[/name]` from `from`: where the inner content ends and where the tag ends.
fn find_close(text: &str, from: usize, name: &str) -> Option<(usize, usize)> {
    let tag = format!("[/{name}]");
    text[from..].find(&tag).map(|i| (from + i, from + i + tag.len()))
}

fn code(open: &Open<'_>, inner: &str) -> String {
    let inner = inner.strip_prefix('\n').unwrap_or(inner);
    let inner = inner.strip_suffix('\n').unwrap_or(inner);
    let language = open.attr("language").or(open.attr("lang")).filter(|l| {
        l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '+' || c == '#')
    });
    match language {
        Some(language) => {
            format!("<pre><code class=\"language-{language}\">{}</code></pre>", escape_html(inner))
        }
        None => format!("<pre><code>{}</code></pre>", escape_html(inner)),
    }
}

/// `[caption]<img …> Caption text[/caption]`, the image possibly inside a link, the text
/// possibly in a `caption="…"` attribute instead (exports before WordPress 3.4).
fn caption(open: &Open<'_>, inner: &str) -> String {
    let inner = expand(inner.trim());
    let (media, text) = split_media(&inner);
    let text = open.attr("caption").unwrap_or(text).trim();
    if text.is_empty() {
        format!("<figure>{media}</figure>")
    } else {
        format!("<figure>{media}<figcaption>{text}</figcaption></figure>")
    }
}

/// The leading `<a …>…</a>` or `<img …>` of a caption's content, and the rest.
fn split_media(inner: &str) -> (&str, &str) {
    let lower = inner.get(..4).unwrap_or("").to_ascii_lowercase();
    let end = if lower.starts_with("<a ") || lower.starts_with("<a>") {
        inner.to_ascii_lowercase().find("</a>").map(|i| i + 4)
    } else if lower.starts_with("<img") {
        inner.find('>').map(|i| i + 1)
    } else {
        None
    };
    match end {
        Some(end) => (&inner[..end], &inner[end..]),
        None => ("", inner),
    }
}

pub(super) fn is_url(text: &str) -> bool {
    (text.starts_with("http://") || text.starts_with("https://"))
        && text.len() > "https://".len()
        && !text.contains(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
}

pub(super) fn link(url: &str) -> String {
    let url = escape_html(url);
    format!("<a href=\"{url}\">{url}</a>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_brackets_stay_text() {
        let text = "As noted [1], the text [sic] says [b]old and [foo bar=\"x\"] stays.";
        assert_eq!(expand(text), text);
    }

    #[test]
    fn unknown_shortcodes_keep_their_content() {
        assert_eq!(expand("a [column width=\"1/2\"][box]inside[/box][/column] b"), "a inside b");
    }

    #[test]
    fn escaped_shortcodes_are_literal() {
        assert_eq!(
            expand("write [[gallery]] or [[foo]x[/foo]]"),
            "write [gallery] or [foo]x[/foo]"
        );
    }

    #[test]
    fn media_link_to_their_file() {
        assert_eq!(
            expand(
                "[video width=\"640\" mp4=\"https://e.org/v.mp4\"][/video][audio src=\"https://e.org/a.mp3\"]"
            ),
            "<a href=\"https://e.org/v.mp4\">https://e.org/v.mp4</a><a href=\"https://e.org/a.mp3\">https://e.org/a.mp3</a>"
        );
        assert_eq!(expand("[gallery ids=\"1,2,3\"][playlist ids=\"4\"]"), "");
        assert_eq!(expand("[audio]not a url[/audio]"), "");
    }

    #[test]
    fn old_caption_attribute() {
        assert_eq!(
            expand(
                "[caption id=\"a\" align=\"alignleft\" width=\"300\" caption=\"The &amp; cat\"]<img src=\"c.jpg\" />[/caption]"
            ),
            "<figure><img src=\"c.jpg\" /><figcaption>The &amp; cat</figcaption></figure>"
        );
    }

    #[test]
    fn many_brackets_cost_little() {
        // 200,000 unclosed brackets of prose: one search for `[/x]`, not one per bracket.
        let text = "[x] [[y ".repeat(25_000);
        assert_eq!(expand(&text), text);
    }

    #[test]
    fn unclosed_code_stays_text() {
        assert_eq!(expand("see [code] for details"), "see [code] for details");
    }
}
