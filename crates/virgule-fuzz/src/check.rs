//! The invariants the targets check that are about HTML: what the sanitizer lets out must be
//! safe to put in a page, read the way a browser reads it (html5ever's tokenizer), not with
//! the sanitizer's own reader of its output.

use std::cell::RefCell;
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Elements the policy never lets through: scripts, styles, plugins, forms, foreign content,
/// document-level elements and the raw-text elements that would hide markup from us.
const NEVER: &[&str] = &[
    "script",
    "style",
    "object",
    "embed",
    "applet",
    "param",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "option",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "frame",
    "frameset",
    "template",
    "noscript",
    "noembed",
    "noframes",
    "plaintext",
    "xmp",
    "title",
    "html",
    "head",
    "body",
    "portal",
    "dialog",
];

/// Attributes that carry script, styles or a document of their own.
const NEVER_ATTRIBUTES: &[&str] =
    &["style", "srcdoc", "formaction", "action", "xmlns", "xlink:href", "http-equiv"];

/// Attributes holding a URL (`srcset` a list of them).
const URL_ATTRIBUTES: &[&str] =
    &["href", "src", "poster", "cite", "action", "background", "longdesc", "data", "srcset"];

/// The one sandbox a kept iframe has (virgule-html's policy forces it).
const SANDBOX: &str = "allow-scripts allow-same-origin allow-popups";

/// Checks that `html` (a sanitizer's output) holds no script, event handler, style, unsafe
/// URL or unsandboxed iframe, reading it as a browser's tokenizer would (stricter than a
/// browser: it does not switch to raw text inside an iframe, so tags there are checked too).
/// On success, a hash of the distinct (element, attribute) pairs seen: the output's shape.
pub fn html_is_safe(html: &str) -> Result<u64, String> {
    struct Tags(RefCell<Vec<Tag>>);
    impl TokenSink for Tags {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            if let Token::TagToken(tag) = token
                && tag.kind == TagKind::StartTag
            {
                self.0.borrow_mut().push(tag);
            }
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Tags(RefCell::new(Vec::new())), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let tags = tokenizer.sink.0.take();
    let mut seen = HashSet::new();
    for tag in &tags {
        let name = &*tag.name;
        if NEVER.contains(&name) {
            return Err(format!("<{name}> in the output"));
        }
        if name == "iframe" {
            let attr = |wanted: &str| {
                tag.attrs.iter().find(|a| &*a.name.local == wanted).map(|a| &*a.value)
            };
            if attr("sandbox") != Some(SANDBOX) {
                return Err(format!("an iframe without our sandbox: {:?}", attr("sandbox")));
            }
            if !attr("src").is_some_and(|src| src.starts_with("https://")) {
                return Err(format!("an iframe loading {:?}", attr("src")));
            }
        }
        seen.insert((name.to_owned(), String::new()));
        for attr in &tag.attrs {
            let attr_name = &*attr.name.local;
            if attr_name.starts_with("on") || NEVER_ATTRIBUTES.contains(&attr_name) {
                return Err(format!("{attr_name}={:?} kept on <{name}>", &*attr.value));
            }
            if URL_ATTRIBUTES.contains(&attr_name) {
                let urls: Vec<&str> = if attr_name == "srcset" {
                    attr.value.split(',').filter_map(|c| c.split_whitespace().next()).collect()
                } else {
                    vec![&*attr.value]
                };
                for url in urls {
                    if let Some(scheme) = unsafe_scheme(url) {
                        return Err(format!("{attr_name}={url:?} ({scheme}:) on <{name}>"));
                    }
                }
            }
            seen.insert((name.to_owned(), attr_name.to_owned()));
        }
    }
    let mut shape: u64 = 0;
    for pair in seen {
        // Order-free: the set, not the order it was met in.
        let mut hasher = DefaultHasher::new();
        pair.hash(&mut hasher);
        shape = shape.wrapping_add(hasher.finish());
    }
    Ok(shape)
}

/// The scheme of `url` as a browser's URL parser would see it (leading spaces and controls
/// dropped, tabs and newlines removed anywhere, case folded), if it is one a link or
/// source must not have. Relative URLs have none.
fn unsafe_scheme(url: &str) -> Option<String> {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase();
    let end = cleaned.find([':', '/', '?', '#'])?;
    if !cleaned[end..].starts_with(':') {
        return None;
    }
    let scheme = &cleaned[..end];
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (is_scheme && !matches!(scheme, "http" | "https" | "mailto")).then(|| scheme.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_markup_is_named() {
        for (html, why) in [
            ("<p>a<script>x()</script></p>", "<script>"),
            ("<SCRIPT>x()</SCRIPT>", "<script>"),
            (r#"<img src="x" onerror="y()">"#, "onerror"),
            (r#"<a href=" java&#9;script:x">a</a>"#, "javascript:"),
            (r#"<a href="&#1;JAVASCRIPT:x">a</a>"#, "javascript:"),
            (r#"<img srcset="/a.png 1x, data:image/png,x 2x">"#, "data:"),
            (r#"<p style="color:red">a</p>"#, "style"),
            (r#"<iframe src="https://www.youtube.com/embed/x"></iframe>"#, "sandbox"),
            (
                r#"<iframe src="javascript:x" sandbox="allow-scripts allow-same-origin allow-popups"></iframe>"#,
                "loading",
            ),
            ("<svg><g></g></svg>", "<svg>"),
        ] {
            let err = html_is_safe(html).expect_err(html);
            assert!(err.contains(why), "{html}: {err}");
        }
    }

    #[test]
    fn safe_markup_passes_with_a_shape_of_its_tags() {
        let a = html_is_safe(
            r#"<p title="javascript:x">a <a href="https://example.org/" rel="nofollow">b</a> <a href="/x:y">c</a> <img src="a.png" srcset="a.png 1x, https://x.example/b.png 2x"></p><iframe src="https://www.youtube.com/embed/x" sandbox="allow-scripts allow-same-origin allow-popups"></iframe>"#,
        );
        assert!(a.is_ok(), "{a:?}");
        assert_eq!(html_is_safe("<p>x</p><b>y</b>"), html_is_safe("<b>z</b><p>w</p><p>v</p>"));
        assert_ne!(html_is_safe("<p>x</p>"), html_is_safe("<p>x</p><b>y</b>"));
    }
}
