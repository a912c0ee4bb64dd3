//! The one HTML policy (docs/design.md §4): which tags, attributes and URLs survive, which iframes
//! may embed, and which images are trackers. Every other function in this crate goes
//! through [`clean`]; change the rules here and nowhere else.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, Url, UrlRelative};

use crate::serialized::{self, StartTag, Verdict};

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

/// Tags removed together with everything inside them: code, styling, plugins, templates,
/// form controls and drawings, whose inner text means nothing outside its widget. (A `form`
/// itself is merely unwrapped, like any other unlisted tag.)
#[rustfmt::skip]
const REMOVED_WITH_CONTENT: &[&str] = &[
    "script", "style", "noscript", "template", "object", "embed", "applet", "input", "button",
    "textarea", "select", "frameset", "frame", "math", "svg",
];

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

/// Attributes forced onto every kept iframe: embedded players may run their own script, but
/// never navigate our page, and load only when scrolled to.
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

/// The policy for text with no base URL, built once.
static POLICY: LazyLock<Builder<'static>> = LazyLock::new(|| builder(None));

/// Sanitizes `html` under the policy; relative URLs are resolved against `base` when given
/// (an absolute http(s) URL), otherwise kept as they are.
pub(crate) fn clean(html: &str, base: Option<Url>) -> String {
    let cleaned = match base {
        None => POLICY.clean(html).to_string(),
        Some(base) => builder(Some(base)).clean(html).to_string(),
    };
    // html5ever writes U+00A0 as `&nbsp;`, which XML does not know; `&#160;` means the same
    // in HTML and keeps the output usable in XHTML and feeds. (A literal "&nbsp;" in the
    // text is serialized as `&amp;nbsp;`, so it is not touched.)
    serialized::prune(&cleaned, judge_element).replace("&nbsp;", "&#160;")
}

/// Parses `base` if it can serve as the base of a feed's relative URLs.
pub(crate) fn parse_base(base: &str) -> Option<Url> {
    let url = Url::parse(base.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.has_host()).then_some(url)
}

fn builder(base: Option<Url>) -> Builder<'static> {
    let mut builder = Builder::empty();
    builder
        .tags(TAGS.iter().copied().collect())
        .clean_content_tags(REMOVED_WITH_CONTENT.iter().copied().collect())
        .generic_attributes(GENERIC_ATTRIBUTES.iter().copied().collect())
        .tag_attributes(
            TAG_ATTRIBUTES
                .iter()
                .map(|(tag, attrs)| (*tag, attrs.iter().copied().collect::<HashSet<_>>()))
                .collect(),
        )
        .set_tag_attribute_values(HashMap::from([(
            "iframe",
            IFRAME_FORCED.iter().copied().collect::<HashMap<_, _>>(),
        )]))
        .url_schemes(URL_SCHEMES.iter().copied().collect())
        .link_rel(Some(LINK_REL))
        .strip_comments(true)
        .id_prefix(None);
    match base.clone() {
        Some(base) => builder.url_relative(UrlRelative::RewriteWithBase(base)),
        None => builder.url_relative(UrlRelative::PassThrough),
    };
    builder.attribute_filter(move |element, attribute, value| {
        filter_attribute(base.as_ref(), element, attribute, value)
    });
    builder
}

/// Per-attribute rules ammonia's allow-lists cannot express. Runs after ammonia's own
/// scheme check on `href`/`src`/`poster` and before it resolves relative URLs.
fn filter_attribute<'v>(
    base: Option<&Url>,
    element: &str,
    attribute: &str,
    value: &'v str,
) -> Option<Cow<'v, str>> {
    match (element, attribute) {
        ("iframe", "src") => embed_source(value).map(Cow::Owned),
        (_, "srcset") => clean_srcset(base, value).map(Cow::Owned),
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
/// (their `src` was removed by `filter_attribute`) go entirely, kept ones lose their
/// fallback content, and tracking pixels go.
fn judge_element(tag: &StartTag<'_>) -> Verdict {
    match tag.name {
        "iframe" if tag.attr("src").is_none() => Verdict::Drop,
        "iframe" => Verdict::KeepEmpty,
        "img" if is_tracking_pixel(tag) => Verdict::Drop,
        _ => Verdict::Keep,
    }
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
