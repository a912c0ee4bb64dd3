//! Feed discovery: members paste their blog's home page more often than its feed URL, so when
//! a fetch brings back HTML the engine looks for the feeds the page announces in
//! `<link rel="alternate">` instead of failing to parse it.
//!
//! The page is read with html5ever's tokenizer, not a pattern match, so that attributes in
//! any quoting and order, character references, and `<link>` text quoted inside `<script>`
//! or `<style>` are read the way a browser reads them.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{Attribute, TokenizerResult};
use url::Url;

/// The `type`s that announce a feed Virgule can read (JSON Feed was first announced as plain
/// `application/json`, and some sites still do).
const FEED_TYPES: [&str; 5] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
];

/// The feeds an HTML page announces, best first: every `<link>` whose `rel` has the token
/// `alternate` and whose `type` is a feed type, in document order (a blog lists its posts
/// feed before its comments feed), resolved against the page's `<base href>` or else
/// `page_url`, without duplicates, http and https only.
///
/// The bytes are decoded as feeds are ([`crate::decode`]: BOM, then the `charset` of
/// `content_type`, then UTF-8 if valid, else windows-1252); `<meta charset>` is not read,
/// which only matters for non-ASCII characters in an `href`. Links in the body count too:
/// a stray element in `<head>` makes browsers start the body early, and the feed links after
/// it are still the site's feeds. Never fails: a page that is not HTML has no feeds.
pub fn discover_feeds(html: &[u8], content_type: Option<&str>, page_url: &Url) -> Vec<Url> {
    let text = crate::decode(html, content_type).text;
    let sink = LinkSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from(text));
    // The sink never asks the tokenizer to pause for a script or a new encoding, so one
    // `feed` consumes everything; the loop is for the tokenizer's contract, not for us.
    while !matches!(tokenizer.feed(&input), TokenizerResult::Done) {}
    tokenizer.end();
    let LinkSink { base, hrefs } = tokenizer.sink;

    // The document's base URL is the first `<base href>`, wherever it is, and applies to
    // every link, also to those before it (HTML's "frozen base URL").
    let base = base.into_inner().and_then(|href| page_url.join(&href).ok());
    let base = base.as_ref().unwrap_or(page_url);

    let mut feeds: Vec<Url> = Vec::new();
    for href in hrefs.into_inner() {
        let Ok(url) = base.join(&href) else { continue };
        if matches!(url.scheme(), "http" | "https") && !feeds.contains(&url) {
            feeds.push(url);
        }
    }
    feeds
}

/// Whether a response is an HTML page (to try [`discover_feeds`] on) rather than a feed: its
/// `Content-Type` is `text/html` or `application/xhtml+xml`, or its text begins with
/// `<!doctype html` or `<html` (case-insensitive; after a BOM, white space, comments and an
/// XML declaration). A body that begins like an RSS, RDF or Atom document, or like JSON, is a
/// feed whatever the header says, because scripts that print feeds are often served as
/// `text/html` by default.
pub fn looks_like_html(body: &[u8], content_type: Option<&str>) -> bool {
    match sniff(body) {
        Sniffed::Html => true,
        Sniffed::Feed => false,
        Sniffed::Unknown => content_type.map(essence).is_some_and(|essence| {
            essence.eq_ignore_ascii_case("text/html")
                || essence.eq_ignore_ascii_case("application/xhtml+xml")
        }),
    }
}

/// A media type without its parameters: `text/html; charset=utf-8` → `text/html`.
fn essence(media_type: &str) -> &str {
    media_type.split(';').next().unwrap_or_default().trim()
}

/// What the start of a body says it is.
enum Sniffed {
    Html,
    Feed,
    Unknown,
}

/// Looks at the first markup of `body`, skipping what may precede a root element.
fn sniff(body: &[u8]) -> Sniffed {
    // Real documents reach their root element well within this; a bound keeps a body of
    // nothing but comments from being walked to its end.
    const WINDOW: usize = 4096;
    let window = &body[..body.len().min(WINDOW)];
    let mut rest = window.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(window);
    loop {
        rest = rest.trim_ascii_start();
        let skip_to = if rest.starts_with(b"<?") {
            find(rest, b"?>").map(|end| end + 2)
        } else if rest.starts_with(b"<!--") {
            find(rest, b"-->").map(|end| end + 3)
        } else {
            break;
        };
        match skip_to {
            Some(end) => rest = &rest[end..],
            None => return Sniffed::Unknown,
        }
    }
    if starts_with_tag(rest, b"<!doctype html") || starts_with_tag(rest, b"<html") {
        Sniffed::Html
    } else if starts_with_tag(rest, b"<rss")
        || starts_with_tag(rest, b"<feed")
        || starts_with_tag(rest, b"<rdf:rdf")
        || rest.starts_with(b"{")
    {
        Sniffed::Feed
    } else {
        Sniffed::Unknown
    }
}

/// `bytes` begins with `prefix` (ASCII case-insensitive) followed by the end of the name, so
/// that `<html` does not match `<htmlish>`.
fn starts_with_tag(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() > prefix.len()
        && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
        && matches!(bytes[prefix.len()], b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Collects the first `<base href>` and the `href` of every feed `<link>`, unresolved.
#[derive(Default)]
struct LinkSink {
    base: RefCell<Option<String>>,
    hrefs: RefCell<Vec<String>>,
}

impl TokenSink for LinkSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        match &*tag.name {
            "link" => {
                if is_feed_link(&tag)
                    && let Some(href) = attr(&tag.attrs, "href").map(str::trim)
                    // An empty href would resolve to the page itself: HTML creates no link.
                    && !href.is_empty()
                {
                    self.hrefs.borrow_mut().push(href.to_string());
                }
                TokenSinkResult::Continue
            }
            "base" => {
                let mut base = self.base.borrow_mut();
                if base.is_none()
                    && let Some(href) = attr(&tag.attrs, "href")
                {
                    *base = Some(href.trim().to_string());
                }
                TokenSinkResult::Continue
            }
            // Without a tree builder the tokenizer does not know which elements hold raw
            // text; these switches are the ones html5ever's tree builder makes, so that
            // `<link>` written inside a script, a style sheet or a title is not a link.
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

/// `rel` has the token `alternate` (tokens are space-separated and case-insensitive, so
/// `rel="Alternate feed"` counts and `rel="alternates"` does not) and `type`, without its
/// parameters, is a feed type.
fn is_feed_link(tag: &Tag) -> bool {
    let alternate = attr(&tag.attrs, "rel").is_some_and(|rel| {
        rel.split_ascii_whitespace().any(|token| token.eq_ignore_ascii_case("alternate"))
    });
    let feed_type = attr(&tag.attrs, "type").is_some_and(|media_type| {
        let essence = essence(media_type);
        FEED_TYPES.iter().any(|feed| essence.eq_ignore_ascii_case(feed))
    });
    alternate && feed_type
}

/// The value of the attribute `name` (the tokenizer has lower-cased attribute names and kept
/// only the first of duplicates, as browsers do).
fn attr<'a>(attrs: &'a [Attribute], name: &str) -> Option<&'a str> {
    attrs.iter().find(|a| a.name.ns.is_empty() && &*a.name.local == name).map(|a| &*a.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).expect("test URL")
    }

    fn discover(html: &str, page: &str) -> Vec<String> {
        discover_feeds(html.as_bytes(), Some("text/html; charset=utf-8"), &url(page))
            .into_iter()
            .map(String::from)
            .collect()
    }

    #[test]
    fn wordpress_home_lists_the_posts_feed_then_the_comments_feed() {
        let html = include_bytes!("../testdata/wordpress-home.html");
        let page = url("https://etbe.coker.com.au/");
        let feeds = discover_feeds(html, Some("text/html; charset=UTF-8"), &page);
        // Not the RSD/REST API links, not the `<link>` quoted in the emoji script, and the
        // body's `<a rel="alternate">` is an anchor, not a link element.
        assert_eq!(
            feeds.iter().map(Url::as_str).collect::<Vec<_>>(),
            ["https://etbe.coker.com.au/feed/", "https://etbe.coker.com.au/comments/feed/"]
        );
        assert!(looks_like_html(html, None), "the fixture sniffs as HTML without a header");
    }

    #[test]
    fn atom_and_json_feed_types_are_found_and_media_type_parameters_ignored() {
        let html = r#"<html><head>
            <link rel="alternate" type="application/atom+xml" href="/atom.xml">
            <link rel="alternate" type="Application/Feed+JSON; charset=utf-8" href="/feed.json">
            <link rel="alternate" type="application/rdf+xml" href="/index.rdf">
            <link rel="alternate" type="application/json+oembed" href="/oembed">
            <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
            <link rel="alternate" href="/untyped">
            </head></html>"#;
        assert_eq!(
            discover(html, "https://blog.example/"),
            [
                "https://blog.example/atom.xml",
                "https://blog.example/feed.json",
                "https://blog.example/index.rdf"
            ]
        );
    }

    #[test]
    fn relative_hrefs_resolve_against_the_page_url() {
        let html = r#"<link rel=alternate type=application/rss+xml href="feed.xml">
            <link rel=alternate type=application/rss+xml href="../all.rss">
            <link rel=alternate type=application/rss+xml href="//cdn.example/f.rss">"#;
        assert_eq!(
            discover(html, "https://blog.example/member/diary/"),
            [
                "https://blog.example/member/diary/feed.xml",
                "https://blog.example/member/all.rss",
                "https://cdn.example/f.rss"
            ]
        );
    }

    #[test]
    fn base_href_wins_over_the_page_url_even_for_links_before_it() {
        let html = r#"<head>
            <link rel="alternate" type="application/rss+xml" href="before.rss">
            <base href="/blog/">
            <base href="https://ignored.example/">
            <link rel="alternate" type="application/rss+xml" href="after.rss">
            </head>"#;
        assert_eq!(
            discover(html, "https://site.example/some/page.html"),
            ["https://site.example/blog/before.rss", "https://site.example/blog/after.rss"]
        );
    }

    #[test]
    fn rel_is_a_case_insensitive_token_list() {
        let html = r#"
            <link rel="Alternate feed" type="application/rss+xml" href="/a.rss">
            <link rel="  home   ALTERNATE " type="application/rss+xml" href="/b.rss">
            <link rel="alternate stylesheet" type="text/css" href="/dark.css">
            <link rel="alternates" type="application/rss+xml" href="/c.rss">
            <link rel="stylesheet" type="application/rss+xml" href="/d.rss">
            <link type="application/rss+xml" href="/e.rss">"#;
        assert_eq!(
            discover(html, "https://blog.example/"),
            ["https://blog.example/a.rss", "https://blog.example/b.rss"]
        );
    }

    #[test]
    fn a_feed_link_in_the_body_counts() {
        // A plugin's stray <div> in <head> starts the body early; the feed links after it are
        // still the site's.
        let html = r#"<!doctype html><html><head><title>x</title></head><body>
            <div>widget</div>
            <link rel="alternate" type="application/atom+xml" href="/late.atom">
            </body></html>"#;
        assert_eq!(discover(html, "https://blog.example/"), ["https://blog.example/late.atom"]);
    }

    #[test]
    fn duplicates_are_dropped_keeping_the_first_position() {
        let html = r#"
            <link rel="alternate" type="application/rss+xml" href="https://blog.example/feed">
            <link rel="alternate" type="application/atom+xml" href="/atom">
            <link rel="alternate" type="application/rss+xml" href="/feed">"#;
        assert_eq!(
            discover(html, "https://blog.example/"),
            ["https://blog.example/feed", "https://blog.example/atom"]
        );
    }

    #[test]
    fn non_http_and_empty_hrefs_are_dropped() {
        let html = r#"
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            <link rel="alternate" type="application/rss+xml" href="feed://blog.example/rss">
            <link rel="alternate" type="application/rss+xml" href="ftp://blog.example/rss">
            <link rel="alternate" type="application/rss+xml" href="  ">
            <link rel="alternate" type="application/rss+xml" href="http://[::1">
            <link rel="alternate" type="application/rss+xml">
            <link rel="alternate" type="application/rss+xml" href="http://blog.example/ok">"#;
        assert_eq!(discover(html, "https://blog.example/"), ["http://blog.example/ok"]);
    }

    #[test]
    fn links_inside_scripts_styles_titles_and_comments_do_not_count() {
        let html = r#"<head>
            <title><link rel="alternate" type="application/rss+xml" href="/t"></title>
            <style>/* <link rel="alternate" type="application/rss+xml" href="/s"> */</style>
            <!-- <link rel="alternate" type="application/rss+xml" href="/c"> -->
            <script>var x = '<link rel="alternate" type="application/rss+xml" href="/j">';</script>
            <link rel="alternate" type="application/rss+xml" href="/real">
            </head>"#;
        assert_eq!(discover(html, "https://blog.example/"), ["https://blog.example/real"]);
    }

    #[test]
    fn character_references_in_href_are_decoded() {
        let html = r#"<link rel="alternate" type="application/rss+xml"
            href="/index.php?feed=rss2&amp;cat=3">"#;
        assert_eq!(
            discover(html, "https://blog.example/"),
            ["https://blog.example/index.php?feed=rss2&cat=3"]
        );
    }

    #[test]
    fn garbage_yields_nothing_and_does_not_panic() {
        let page = url("https://blog.example/");
        for garbage in [
            &b""[..],
            b"\x00\xff\xfe\x80<<<>>>",
            b"<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/unterminated",
            b"<script>never closed <link rel=alternate type=application/rss+xml href=/x>",
            b"</head></body></html><<!---->",
            b"{\"version\": \"https://jsonfeed.org/version/1.1\"}",
        ] {
            assert_eq!(discover_feeds(garbage, None, &page), Vec::<Url>::new(), "{garbage:?}");
        }
        // Tolerated sloppiness is read as browsers read it: unquoted values, odd case.
        let sloppy = b"<LINK REL=ALTERNATE TYPE=APPLICATION/RSS+XML HREF=/feed><p>unclosed";
        assert_eq!(discover_feeds(sloppy, None, &page), [url("https://blog.example/feed")]);
    }

    #[test]
    fn windows_1252_page_bytes_are_decoded_before_resolving() {
        // 0xE9 is é in windows-1252; the URL carries it percent-encoded as UTF-8.
        let html = b"<link rel=alternate type=application/rss+xml href=\"/caf\xe9.rss\">";
        let feeds = discover_feeds(html, Some("text/html"), &url("https://blog.example/"));
        assert_eq!(feeds, [url("https://blog.example/caf%C3%A9.rss")]);
    }

    #[test]
    fn html_is_recognised_by_header_or_by_its_first_markup() {
        assert!(looks_like_html(b"<p>hi", Some("text/html")));
        assert!(looks_like_html(b"<p>hi", Some("Text/HTML; charset=iso-8859-1")));
        assert!(looks_like_html(b"<p>hi", Some("application/xhtml+xml")));
        assert!(looks_like_html(b"  \n<!DOCTYPE html>\n<html>", None));
        assert!(looks_like_html(b"\xEF\xBB\xBF<!doctype HTML>", Some("application/octet-stream")));
        assert!(looks_like_html(b"<HTML lang=en>", Some("text/plain")));
        assert!(looks_like_html(b"<!-- generated --><html>", None));
        assert!(looks_like_html(
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\">",
            Some("application/xml")
        ));

        assert!(!looks_like_html(b"<rss version=\"2.0\">", Some("application/rss+xml")));
        assert!(!looks_like_html(b"<htmlish/>", None));
        assert!(!looks_like_html(b"<p>hi", None));
        assert!(!looks_like_html(b"", None));
        assert!(!looks_like_html(b"<!-- never closed", None));
    }

    #[test]
    fn a_feed_served_as_text_html_is_still_a_feed() {
        // Scripts that print RSS are often served with PHP's default text/html.
        for feed in [
            &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>"[..],
            b"<?xml version=\"1.0\"?><?xml-stylesheet href=\"s.xsl\"?><feed xmlns=\"x\">",
            b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">",
            b"  {\"version\": \"https://jsonfeed.org/version/1.1\", \"items\": []}",
        ] {
            assert!(!looks_like_html(feed, Some("text/html; charset=UTF-8")), "{feed:?}");
        }
    }
}
