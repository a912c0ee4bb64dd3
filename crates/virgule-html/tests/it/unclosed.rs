//! Issue 12: "the text after a removed element is never lost". Raw-text elements (`iframe`,
//! `script`, `style`, `xmp`, `noembed`, `noframes`, `noscript`, `textarea`, `title`,
//! `plaintext`) swallow the rest of a document when a feed leaves them open; every variant
//! must give the rest of the post back as markup, and the output must stay safe whatever the
//! input hides in or after them.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use virgule_html::{sanitize, sanitize_with_base};

const REL: &str = r#"rel="nofollow noopener noreferrer""#;
const YOUTUBE: &str = "https://www.youtube.com/embed/dQw4w9WgXcQ";
const KEPT_IFRAME: &str = r#"<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" sandbox="allow-scripts allow-same-origin allow-popups" loading="lazy"></iframe>"#;

/// The issue's example, closed as the feed wrote it: the fallback and the rest both stay.
#[test]
fn the_issues_example() {
    let html =
        sanitize(r#"safe<iframe src="https://evil.example/x">…</iframe> <b>description</b>"#);
    assert_eq!(html, "safe… <b>description</b>");
}

#[test]
fn unclosed_iframes_do_not_swallow_the_rest() {
    let cases = [
        ("safe<iframe src=x> <b>description</b>", "safe <b>description</b>".to_owned()),
        (
            r#"safe<iframe src="https://evil.example/x"> <b>description</b>"#,
            "safe <b>description</b>".to_owned(),
        ),
        (
            &format!(r#"safe<iframe src="{YOUTUBE}" width="560"> <b>description</b>"#) as &str,
            format!(
                r#"safe<iframe src="{YOUTUBE}" width="560" sandbox="allow-scripts allow-same-origin allow-popups" loading="lazy"></iframe> <b>description</b>"#
            ),
        ),
        ("a<IFRAME SRC=x> <b>d</b>", "a <b>d</b>".to_owned()),
        ("<IFRAME SRC=x>f</IFRAME> <b>d</b>", "f <b>d</b>".to_owned()),
        ("a<iframe/> <b>d</b>", "a <b>d</b>".to_owned()),
        (&format!(r#"a<iframe src="{YOUTUBE}"/> <b>d</b>"#), format!("a{KEPT_IFRAME} <b>d</b>")),
        // Nested: HTML ends the outer iframe at the first `</iframe>`; the inner start tag is
        // fallback text, recovered as markup, whose own (empty) fallback is not recovered.
        (
            "a<iframe src=x><iframe src=y>in</iframe>mid</iframe> <b>d</b>",
            "ainmid <b>d</b>".to_owned(),
        ),
        ("<p>a<iframe src=x><p>b</p>", "<p>a</p><p>b</p>".to_owned()),
    ];
    for (input, expected) in cases {
        assert_eq!(sanitize(input), expected, "{input}");
    }
}

#[test]
fn every_raw_text_element_left_open_gives_the_rest_back() {
    for name in [
        "iframe",
        "IFRAME",
        "script",
        "style",
        "xmp",
        "noembed",
        "noframes",
        "noscript",
        "textarea",
        "title",
        "plaintext",
        "PlainText",
    ] {
        for open in [format!("<{name}>"), format!("<{name} class=\"x\">"), format!("<{name}/>")] {
            let input = format!("<div>before{open} <b>after</b> <a href=\"/next\">next</a></div>");
            let expected =
                format!(r#"<div>before <b>after</b> <a href="/next" {REL}>next</a></div>"#);
            assert_eq!(sanitize(&input), expected, "{input}");
            let based = sanitize_with_base(&input, "https://blog.example/post/");
            assert!(based.contains(r#"<a href="https://blog.example/next""#), "{input}: {based}");
        }
    }
}

/// An `<svg>` or `<math>` left open ends, as in HTML, at the next block or common inline tag.
#[test]
fn unclosed_svg_and_math_end_at_the_next_paragraph() {
    let html = sanitize(r#"a<svg viewBox="0 0 1 1"><path d="M0 0"/><p>after</p><b>more</b>"#);
    assert_eq!(html, "a<p>after</p><b>more</b>");
    let html = sanitize("a<math><mi>x</mi><div>after</div>");
    assert_eq!(html, "a<div>after</div>");
}

/// Fallback is recovered once (fallback inside fallback is dropped), so piling up iframes
/// cannot make the work grow with the square of the post.
#[test]
fn nested_fallback_takes_linear_time() {
    for input in ["<iframe>".repeat(20_000) + "</iframe>x", "<iframe>".repeat(20_000) + "x"] {
        let start = std::time::Instant::now();
        let html = sanitize(&input);
        assert!(html.ends_with('x'), "{}", &html[html.len().saturating_sub(80)..]);
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "{:?}", start.elapsed());
    }
}

#[test]
fn closed_raw_text_elements_keep_their_meaning() {
    let cases = [
        // Code goes.
        ("a<script>if (a<b) { x() }</script>b", "ab"),
        ("a<style>p > b { color: red }</style>b", "ab"),
        ("a<SCRIPT>x</SCRIPT >b", "ab"),
        // Text meant to be shown as text stays text.
        ("a<xmp><b>x</b></xmp>b", "a&lt;b&gt;x&lt;/b&gt;b"),
        ("a<textarea>1 &lt; 2</textarea>b", "a1 &lt; 2b"),
        // Fallback written as markup comes back as markup.
        ("a<noscript><b>x</b></noscript>b", "a<b>x</b>b"),
        ("a<noembed><i>x</i></noembed>b", "a<i>x</i>b"),
    ];
    for (input, expected) in cases {
        assert_eq!(sanitize(input), expected, "{input}");
    }
}

/// What the variants above wrap: script, handlers, `javascript:` URLs, frames, and markup
/// that tries to close the wrapper early or confuse namespaces.
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    r#"<a href="javascript:alert(1)">j</a>"#,
    r#"<a href="jav&#x61;script:alert(1)">j</a>"#,
    r#"<iframe src="https://evil.example/"></iframe>"#,
    r#"<iframe src="https://evil.example/">"#,
    "</iframe><img src=x onerror=alert(1)>",
    "</noscript><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<svg><iframe><a title=\"</iframe><img src onerror=alert(1)>\">t</a></iframe></svg>",
    "<math><mi><iframe><a title=\"</iframe><img src onerror=alert(1)>\">t</a></mi></math>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    r#"<object data="javascript:alert(1)"><embed src="javascript:alert(1)"></object>"#,
    r#"<button formaction="javascript:alert(1)">b</button><form action="javascript:alert(1)">"#,
    r#"<video poster="javascript:alert(1)"><source srcset="javascript:alert(1) 1x"></video>"#,
    "<style>@import 'https://evil.example/x.css';</style><div style=\"background:url(javascript:x)\">",
    "<template><script>alert(1)</script></template>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
];

/// The wrappers, `{}` standing for the payload.
const WRAPPERS: &[&str] = &[
    "{}",
    "<iframe src=x>{}</iframe>",
    "<iframe src=x>{}",
    "<iframe src=\"https://www.youtube.com/embed/x\">{}</iframe>",
    "<iframe src=\"https://www.youtube.com/embed/x\">{}",
    "<IFRAME SRC=x>{}</IFRAME>",
    "<iframe/>{}",
    "<iframe src=x><iframe src=y>{}</iframe>{}</iframe>",
    "<noscript>{}</noscript>",
    "<noscript>{}",
    "<noembed>{}</noembed>",
    "<noembed>{}",
    "<noframes>{}",
    "<xmp>{}</xmp>",
    "<xmp>{}",
    "<plaintext>{}",
    "<textarea>{}</textarea>",
    "<textarea>{}",
    "<title>{}",
    "<style>{}",
    "<script>{}",
    "<object>{}</object>",
    "<select><option>{}</option></select>",
    "<button>{}</button>",
];

#[test]
fn no_variant_lets_anything_executable_through() {
    for wrapper in WRAPPERS {
        for payload in PAYLOADS {
            let input = format!("<p>before</p>{} AFTER", wrapper.replace("{}", payload));
            for html in [sanitize(&input), sanitize_with_base(&input, "https://blog.example/p/")] {
                if let Err(why) = is_safe(&html) {
                    panic!("{why}\n  input:  {input}\n  output: {html}");
                }
                assert!(
                    html.contains("AFTER"),
                    "text after lost\n  input:  {input}\n  output: {html}"
                );
            }
        }
    }
}

/// Reads `html` as a browser's tokenizer would, tag by tag (stricter than a browser: tags
/// inside an iframe's text are checked too), and says what is unsafe in it, if anything.
fn is_safe(html: &str) -> Result<(), String> {
    struct Tags(RefCell<Vec<Token>>);
    impl TokenSink for Tags {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            self.0.borrow_mut().push(token);
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Tags(RefCell::new(Vec::new())), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    for token in tokenizer.sink.0.borrow().iter() {
        let Token::TagToken(tag) = token else { continue };
        if tag.kind != TagKind::StartTag {
            continue;
        }
        let name = &*tag.name;
        if matches!(
            name,
            "script"
                | "style"
                | "object"
                | "embed"
                | "form"
                | "svg"
                | "math"
                | "base"
                | "meta"
                | "link"
        ) {
            return Err(format!("<{name}> kept"));
        }
        for attr in &tag.attrs {
            let (attr_name, value) = (&*attr.name.local, attr.value.trim().to_ascii_lowercase());
            if attr_name.starts_with("on")
                || matches!(attr_name, "style" | "srcdoc" | "formaction" | "action")
            {
                return Err(format!("{attr_name} kept on <{name}>"));
            }
            let scheme = value.split(':').next().unwrap_or("").replace(['\t', '\n', '\r'], "");
            if value.contains(':')
                && !matches!(scheme.as_str(), "http" | "https" | "mailto")
                && !value.starts_with('/')
                && attr_name != "title"
                && attr_name != "alt"
                && attr_name != "sandbox"
            {
                return Err(format!("{attr_name}={value:?} on <{name}>"));
            }
        }
        if name == "iframe" {
            let src =
                tag.attrs.iter().find(|a| &*a.name.local == "src").map(|a| a.value.to_string());
            if !src.as_deref().is_some_and(|s| s.starts_with("https://www.youtube.com/embed/")) {
                return Err(format!("iframe with src {src:?} kept"));
            }
        }
    }
    Ok(())
}

#[test]
fn the_safety_check_can_fail() {
    assert!(is_safe("<img src=x onerror=alert(1)>").is_err());
    assert!(is_safe(r#"<a href=" javascript:x">"#).is_err());
    assert!(is_safe(r#"<iframe src="https://evil.example/"></iframe>"#).is_err());
    assert!(is_safe("<script>x</script>").is_err());
    assert!(is_safe(&format!(r#"<p title="a:b">x</p>{KEPT_IFRAME}<a href="/x">y</a>"#)).is_ok());
}
