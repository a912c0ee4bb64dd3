//! The one HTML policy (docs/design.md §4): which tags, attributes and URLs survive, which iframes
//! may embed, and which images are trackers. Every other function in this crate goes
//! through [`clean`]; change the rules here and nowhere else.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

use ammonia::{Builder, Url, UrlRelative};

use crate::serialized::{self, StartTag, Verdict};
use crate::{nesting, rawtext};

/// Tags a blog post may use; anything else is unwrapped (its text kept, the tag dropped).
#[rustfmt::skip]
const TAGS: &[&str] = &[
    // Text blocks and headings.
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "div",
    // Inline text.
    "code", "kbd", "samp", "var", "em", "strong", "b", "i", "u", "s", "del", "ins", "sub", "sup",
    "small", "mark", "abbr", "cite", "q", "dfn", "span", "time", "ruby", "rt", "rp", "wbr", "a",
    // Media.
    "img", "figure", "figcaption", "picture", "source", "video", "audio", "track", "iframe",
    // Lists.
    "ul", "ol", "li", "dl", "dt", "dd",
    // Tables.
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "colgroup", "col",
    // Disclosure.
    "details", "summary",
];

/// Tags removed together with everything inside them. Every other element the policy does
/// not keep loses its markup but keeps its readable text (issue 12): `object` and `applet`
/// fallback, `button` labels, `select` options, `form`s and unknown tags are unwrapped;
/// `textarea`, `title` and `xmp` text stays text, as browsers show it; `input`, `embed`,
/// `param` and `frame` are void, so nothing of them remains (and the parser ignores
/// `frameset` and `frame` in a post). See [`FALLBACK_TAGS`] for `noscript`, `noembed`,
/// `noframes` and the fallback of a dropped `iframe`, and the `rawtext` module for such
/// elements left open.
///
/// - `script`, `style`: their content is code.
/// - `template`: its content is inert markup for a script to clone, never shown (html5ever
///   does not even give it as children, so unwrapping would not keep it).
/// - `svg`: a drawing; its `<text>` is labels placed in a picture that is not there, and
///   unwrapping keeps none of it anyway (ammonia removes every SVG element that loses its
///   `<svg>` parent, against namespace-confusion attacks).
/// - `math`: the same holds for MathML (`<math><mi>x</mi></math>` keeps nothing of `x`
///   once `math` goes); letting MathML through to flatten it would reopen those attacks,
///   and a formula flattened to text misreads (x² becomes "x2").
#[rustfmt::skip]
const REMOVED_WITH_CONTENT: &[&str] = &["script", "style", "template", "svg", "math"];

/// Raw-text elements whose content is fallback markup for readers who cannot see the
/// element: `noscript` (readers without script: ours, since posts run none of theirs, so
/// this is e.g. the real `<img>` of a lazy-loading plugin), `noembed`, `noframes`, and a
/// dropped `iframe` (its source is not an allowed player: the fallback, often a link to the
/// content, is what our readers can have instead). HTML parses their content as text, which
/// unwrapped would show markup as literal text; ammonia keeps them, and the post-pass puts
/// their content through the whole policy again, as markup, in their place
/// ([`Verdict::Recover`]). A kept iframe's fallback is dropped: browsers never show it.
const FALLBACK_TAGS: &[&str] = &["noscript", "noembed", "noframes"];

/// Attributes allowed on any allowed tag.
const GENERIC_ATTRIBUTES: &[&str] = &["title", "lang"];

/// Attributes allowed per tag. No `style`, no `id`, no event handlers, ever.
const TAG_ATTRIBUTES: &[(&str, &[&str])] = &[
    ("a", &["href", "hreflang"]),
    ("img", &["src", "srcset", "sizes", "alt", "width", "height", "loading"]),
    ("source", &["src", "srcset", "sizes", "type", "media"]),
    ("video", &["src", "poster", "controls", "width", "height", "preload"]),
    ("audio", &["src", "controls", "preload"]),
    ("track", &["src", "kind", "srclang", "label", "default"]),
    ("iframe", &["src", "width", "height", "allowfullscreen"]),
    ("td", &["colspan", "rowspan", "align"]),
    ("th", &["colspan", "rowspan", "align", "scope"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("ol", &["start", "reversed", "type"]),
    ("li", &["value"]),
    ("time", &["datetime"]),
    ("del", &["datetime"]),
    ("ins", &["datetime"]),
    ("details", &["open"]),
    // Only `language-*` classes survive, see `filter_attribute`.
    ("code", &["class"]),
    ("pre", &["class"]),
];

/// Attributes forced onto every kept iframe, in this order: embedded players may run their
/// own script, but never navigate our page, and load only when scrolled to. (An author's own
/// `sandbox` or `loading` is not in [`TAG_ATTRIBUTES`], so ammonia has already removed it.)
const IFRAME_FORCED: &[(&str, &str)] =
    &[("sandbox", "allow-scripts allow-same-origin allow-popups"), ("loading", "lazy")];

/// The only places an iframe may load from: `https://HOST/PATH-PREFIX…`.
const EMBED_SOURCES: &[(&str, &str)] = &[
    ("www.youtube.com", "/embed/"),
    ("www.youtube-nocookie.com", "/embed/"),
    ("player.vimeo.com", "/video/"),
];

/// URL schemes a link or media source may use; relative URLs are kept (or resolved).
const URL_SCHEMES: &[&str] = &["http", "https", "mailto"];

/// Added to every link: we vouch for no one's page rank, and give linked pages no handle
/// on ours.
const LINK_REL: &str = "nofollow noopener noreferrer";

/// The policy, built once for every call: relative URLs pass through ammonia untouched and
/// are resolved against the caller's base in the post-pass ([`resolve_urls`]), so one
/// builder serves every feed (issue 12: building the allow-lists anew for every entry cost
/// about 8% of the instructions spent on a 5 KB post).
static POLICY: LazyLock<Builder<'static>> = LazyLock::new(builder);

/// Sanitizes `html` under the policy; relative URLs are resolved against `base` when given
/// (an absolute http(s) URL), otherwise kept as they are.
pub(crate) fn clean(html: &str, base: Option<Url>) -> String {
    let mut cleaned = clean_fragment(html, base.as_ref(), true);
    // Unwrapping an element can leave nesting that HTML reads back as another tree (a
    // paragraph inside a paragraph, once a `<button>` between them is gone; a link inside a
    // link, once an `<object>` is): cleaned again, the output is that tree, so that
    // sanitizing is a fixed point and what we store is what browsers and feed readers
    // build. Misnested links and lists can take a pass or two more to settle (html5ever's
    // own tree for them need not read back as itself); past that, the output stays as safe
    // as ever, only not settled.
    for _ in 0..MAX_EXTRA_PASSES {
        if nesting::reads_back_as_written(&cleaned) {
            break;
        }
        cleaned = clean_fragment(&cleaned, base.as_ref(), true);
    }
    cleaned
}

/// Elements a link inside does not end the link around (HTML's markers that the policy keeps).
const LINK_BOUNDARIES: &[&str] = &["td", "th", "caption"];

/// Passes after the first that [`clean`] may make for its output to read back as written.
const MAX_EXTRA_PASSES: usize = 3;

/// [`clean`], recovering the fallback content of [`FALLBACK_TAGS`] and dropped iframes if
/// `recover` (once: fallback inside fallback is dropped, so that nested `<iframe>`s cannot
/// make the work grow with the square of the input).
fn clean_fragment(html: &str, base: Option<&Url>, recover: bool) -> String {
    // Unclosed raw-text elements would otherwise swallow the rest of the post.
    let closed = rawtext::close_unclosed(html);
    // Nesting past what any post needs would cost html5ever time out of proportion.
    let html = nesting::limit(&closed);
    let mut cleaned = Vec::with_capacity(html.len() + html.len() / 8);
    // Into a Vec, rather than `to_string`, which copies the text twice more. Writing to a
    // Vec cannot fail, and html5ever writes only UTF-8; should either ever change, the
    // post comes out empty or with U+FFFD, never unsanitized.
    let cleaned = match POLICY.clean(&html).write_to(&mut cleaned) {
        Ok(()) => String::from_utf8(cleaned)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
        Err(_) => String::new(),
    };
    let pruned = serialized::prune(
        &cleaned,
        |tag, inside| judge_element(base, tag, inside),
        |fallback| if recover { clean_fragment(fallback, base, false) } else { String::new() },
    );
    // html5ever writes U+00A0 as `&nbsp;`, which XML does not know; `&#160;` means the same
    // in HTML and keeps the output usable in XHTML and feeds. (A literal "&nbsp;" in the
    // text is serialized as `&amp;nbsp;`, so it is not touched.)
    let pruned =
        if pruned.contains("&nbsp;") { pruned.replace("&nbsp;", "&#160;") } else { pruned };
    // A carriage return (from `&#13;`) written as itself reads back as a line feed, as HTML
    // turns every CR into LF before parsing: written as a reference, it stays.
    let pruned = if pruned.contains('\r') { pruned.replace('\r', "&#13;") } else { pruned };
    // So would a byte-order mark at the very start (a comment before it is gone): HTML drops
    // one there.
    match pruned.strip_prefix('\u{feff}') {
        Some(rest) => format!("&#65279;{rest}"),
        None => pruned,
    }
}

/// Parses `base` if it can serve as the base of a feed's relative URLs.
pub(crate) fn parse_base(base: &str) -> Option<Url> {
    let url = Url::parse(base.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.has_host()).then_some(url)
}

fn builder() -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().chain(FALLBACK_TAGS).copied().collect())
        .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect::<HashSet<_>>()))
                .collect(),
        )
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .id_prefix(None)
        .url_relative(UrlRelative::PassThrough)
        .attribute_filter(filter_attribute);
    builder
}

/// Per-attribute rules ammonia's allow-lists cannot express. Runs after ammonia's own
/// scheme check on `href`/`src`/`poster`; relative URLs are left for [`resolve_urls`].
fn filter_attribute<'v>(element: &str, attribute: &str, value: &'v str) -> Option<Cow<'v, str>> {
    match (element, attribute) {
        ("iframe", "src") => embed_source(value).map(Cow::Owned),
        (_, "srcset") => clean_srcset(None, value).map(Cow::Owned),
        (_, "class") => language_classes(value).map(Cow::Owned),
        _ => Some(Cow::Borrowed(value)),
    }
}

/// The iframe source, normalized, if it is one of the allowed video players.
/// Protocol-relative embeds (`//www.youtube.com/embed/…`, common in old posts) count as https.
fn embed_source(src: &str) -> Option<String> {
    let src = src.trim();
    let url = match src.strip_prefix("//") {
        Some(rest) => Url::parse(&format!("https://{rest}")).ok()?,
        None => Url::parse(src).ok()?,
    };
    let allowed = url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && url.port().is_none()
        && EMBED_SOURCES.iter().any(|(host, prefix)| {
            url.host_str() == Some(*host)
                && url.path().len() > prefix.len()
                && url.path().starts_with(prefix)
        });
    allowed.then(|| url.to_string())
}

/// Checks every candidate of a `srcset` as ammonia checks `src` (ammonia does not know
/// `srcset` holds URLs): allowed scheme or relative, resolved against `base` if given. One
/// bad candidate drops the whole attribute; `src` remains as the fallback.
fn clean_srcset(base: Option<&Url>, srcset: &str) -> Option<String> {
    let mut candidates = Vec::new();
    for candidate in srcset.split(',') {
        let mut parts = candidate.split_whitespace();
        let Some(url) = parts.next() else { continue };
        let descriptor: Vec<&str> = parts.collect();
        let descriptor_ok = descriptor.len() <= 1
            && descriptor.iter().all(|d| {
                d.len() > 1
                    && (d.ends_with('w') || d.ends_with('x'))
                    && d[..d.len() - 1].chars().all(|c| c.is_ascii_digit() || c == '.')
            });
        if !descriptor_ok {
            return None;
        }
        let url = match Url::parse(url) {
            Ok(absolute) if URL_SCHEMES.contains(&absolute.scheme()) => absolute.to_string(),
            Ok(_) => return None,
            Err(ammonia::url::ParseError::RelativeUrlWithoutBase) => match base {
                Some(base) => base.join(url).ok()?.to_string(),
                None => url.to_owned(),
            },
            Err(_) => return None,
        };
        candidates.push(match descriptor.first() {
            Some(d) => format!("{url} {d}"),
            None => url,
        });
    }
    (!candidates.is_empty()).then(|| candidates.join(", "))
}

/// Keeps only `language-*` classes (Markdown code blocks, syntax highlighters).
fn language_classes(class: &str) -> Option<String> {
    let kept: Vec<&str> = class
        .split_ascii_whitespace()
        .filter(|c| {
            c.strip_prefix("language-").is_some_and(|lang| {
                !lang.is_empty()
                    && lang.len() <= 40
                    && lang.chars().all(|c| c.is_ascii_alphanumeric() || "_+#.-".contains(c))
            })
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// Element-level rules, applied to ammonia's output: iframes without an allowed source
/// (their `src` was removed by `filter_attribute`) give way to their fallback content, kept
/// ones get [`IFRAME_FORCED`] and lose their fallback content, [`FALLBACK_TAGS`] give way
/// to their content, and tracking pixels go. Kept elements get their relative URLs resolved
/// against `base`. A link inside a link (which HTML cannot hold, but a tree html5ever built
/// from misnested markup, or one an unwrapped `<object>` stood in, can) loses its tags and
/// keeps its text: written out, it would read back as another tree. (A table cell or
/// caption starts afresh: a link in a cell of a table inside a link reads back as written.)
fn judge_element(base: Option<&Url>, tag: &StartTag<'_>, inside: &[&str]) -> Verdict {
    match tag.name {
        "a" if inside
            .iter()
            .rev()
            .take_while(|open| !LINK_BOUNDARIES.contains(open))
            .any(|&o| o == "a") =>
        {
            Verdict::Unwrap
        }
        "iframe" if tag.attr("src").is_none() => Verdict::Recover,
        name if FALLBACK_TAGS.contains(&name) => Verdict::Recover,
        "iframe" => {
            // Added here rather than by ammonia's `set_tag_attribute_values`, whose HashMap
            // gives the attributes in a different order in every process: the same post
            // must always sanitize to the same bytes, or ingest would take it for edited.
            let attrs: Vec<(&str, Cow<'_, str>)> = tag
                .attrs()
                .chain(IFRAME_FORCED.iter().map(|(name, value)| (*name, Cow::Borrowed(*value))))
                .collect();
            Verdict::KeepEmptyAs(serialized::start_tag("iframe", &attrs))
        }
        "img" if is_tracking_pixel(tag) => Verdict::Drop,
        _ => match base.and_then(|base| resolve_urls(base, tag)) {
            Some(rewritten) => Verdict::KeepAs(rewritten),
            None => Verdict::Keep,
        },
    }
}

/// The start tag with its relative `href`, `src`, `poster` (on `video`) and `srcset`
/// resolved against `base`, or None when there is nothing to resolve. The same rules
/// ammonia's `UrlRelative::RewriteWithBase` applies to the first three (an attribute that
/// does not join is dropped); scheme checks have already run, on the unresolved value, and
/// an http(s) base keeps a relative URL http(s).
fn resolve_urls(base: &Url, tag: &StartTag<'_>) -> Option<String> {
    let is_url = |name: &str| match name {
        "href" | "src" | "srcset" => true,
        "poster" => tag.name == "video",
        _ => false,
    };
    let relative = |name: &str, value: &str| match name {
        "srcset" => value.split(',').any(|c| c.split_whitespace().next().is_some_and(is_relative)),
        _ => is_relative(value),
    };
    // Most tags have no relative URL: leave them as they are, without allocating.
    if !tag.attrs().any(|(name, value)| is_url(name) && relative(name, &value)) {
        return None;
    }
    let mut attrs: Vec<(&str, Cow<'_, str>)> = Vec::new();
    for (name, value) in tag.attrs() {
        if !(is_url(name) && relative(name, &value)) {
            attrs.push((name, value));
            continue;
        }
        let resolved = match name {
            "srcset" => clean_srcset(Some(base), &value),
            _ => base.join(&value).ok().map(String::from),
        };
        if let Some(resolved) = resolved {
            attrs.push((name, Cow::Owned(resolved)));
        }
    }
    Some(serialized::start_tag(tag.name, &attrs))
}

/// Whether `url` is relative, as ammonia and `Url::parse` decide it. A value that starts
/// with a scheme never is, which saves parsing the many absolute links of a post twice.
fn is_relative(url: &str) -> bool {
    // `Url::parse` trims C0 controls and spaces and ignores tabs and newlines anywhere.
    let mut chars =
        url.trim_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r'));
    let has_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
            .is_some_and(|c| c == ':');
    !has_scheme && matches!(Url::parse(url), Err(ammonia::url::ParseError::RelativeUrlWithoutBase))
}

/// An image declared at most 1×1 pixels exists only to report that the page was read.
fn is_tracking_pixel(img: &StartTag<'_>) -> bool {
    let tiny = |attribute: &str| {
        img.attr(attribute).is_some_and(|value| {
            let value = value.trim();
            let number = value
                .strip_suffix("px")
                .or_else(|| value.strip_suffix("PX"))
                .unwrap_or(value)
                .trim();
            number.parse::<f64>().is_ok_and(|n| (0.0..=1.0).contains(&n))
        })
    };
    tiny("width") && tiny("height")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embed_sources() {
        assert!(embed_source("https://www.youtube.com/embed/abc").is_some());
        assert_eq!(
            embed_source("//www.youtube-nocookie.com/embed/abc").as_deref(),
            Some("https://www.youtube-nocookie.com/embed/abc")
        );
        assert!(embed_source("https://player.vimeo.com/video/123").is_some());
        assert!(embed_source("http://www.youtube.com/embed/abc").is_none());
        assert!(embed_source("https://www.youtube.com/embed/").is_none());
        assert!(embed_source("https://www.youtube.com/watch?v=abc").is_none());
        assert!(embed_source("https://www.youtube.com.evil.example/embed/abc").is_none());
        assert!(embed_source("https://evil.example@www.youtube.com/embed/abc").is_none());
        assert!(embed_source("https://www.youtube.com:8443/embed/abc").is_none());
        assert!(embed_source("/embed/abc").is_none());
    }

    #[test]
    fn srcset_candidates() {
        assert_eq!(clean_srcset(None, "a.png 1x, b.png 2x").as_deref(), Some("a.png 1x, b.png 2x"));
        assert_eq!(clean_srcset(None, "a.png 1x, javascript:x 2x"), None);
        assert_eq!(clean_srcset(None, "a.png onerror=x"), None);
        let base = Url::parse("https://blog.example/2021/post/").ok();
        assert_eq!(
            clean_srcset(base.as_ref(), "small.jpg 480w,/big.jpg 1080w").as_deref(),
            Some(
                "https://blog.example/2021/post/small.jpg 480w, https://blog.example/big.jpg 1080w"
            )
        );
    }

    #[test]
    fn relative_means_what_url_parse_says() {
        for url in ["a.png", "/root", "//host.example/x", "?q", "#f", "", " /x", "1http:x", "a b:c"]
        {
            assert!(is_relative(url), "{url:?}");
        }
        for url in
            ["https://x.example/", "mailto:a@b", "HTTP://X", " java\tscript:x", "data:x", "http::"]
        {
            assert!(!is_relative(url), "{url:?}");
        }
    }

    #[test]
    fn language_classes_only() {
        assert_eq!(language_classes("language-rust hljs").as_deref(), Some("language-rust"));
        assert_eq!(language_classes("evil"), None);
        assert_eq!(language_classes("language-"), None);
    }

    #[test]
    fn base_must_be_absolute_http() {
        assert!(parse_base("https://blog.example/feed").is_some());
        assert!(parse_base("http://blog.example").is_some());
        assert!(parse_base("blog.example/feed").is_none());
        assert!(parse_base("mailto:me@blog.example").is_none());
        assert!(parse_base("file:///etc/passwd").is_none());
    }
}
