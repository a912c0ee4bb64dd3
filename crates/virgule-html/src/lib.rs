//! Virgule's one HTML policy: every member-written entry, article, reply and profile note,
//! and every syndicated post, becomes HTML that is safe to put in our pages and feeds by
//! going through this crate. Nothing else in Virgule sanitizes HTML.
//!
//! - [`sanitize`] cleans HTML under the policy (docs/design.md §4, kept in the `policy` module);
//!   [`sanitize_with_base`] does the same for feed items, resolving relative URLs.
//! - [`markdown_to_html`] renders Markdown and sanitizes the result.
//! - [`markdown_with_shortcuts`] and [`sanitize_with_shortcuts`] do the same for what a member
//!   writes, turning mod_virgule's `<person>NAME</person>` and `<proj>NAME</proj>` into links
//!   first ([`shortcuts`]).
//! - [`text_to_html`] turns a plain-text field into escaped paragraphs.
//! - [`excerpt`] gives the plain text of some HTML, cut to length, for summaries;
//!   [`searchable_text`] all of it, for the full-text index.
//!
//! ```
//! let html = virgule_html::sanitize(r#"<p onclick="x()">Hi <a href="https://example.org/">there</a><script>x()</script></p>"#);
//! assert_eq!(
//!     html,
//!     r#"<p>Hi <a href="https://example.org/" rel="nofollow noopener noreferrer">there</a></p>"#
//! );
//! ```
//!
//! Store what the member wrote and sanitize when rendering, or store the sanitized HTML
//! beside it; either way the output of these functions is what reaches a browser.

mod markdown;
mod nesting;
mod policy;
mod rawtext;
mod serialized;
pub mod shortcuts;
mod text;
mod ugc;

pub use ugc::add_ugc;

/// The one sanitizer policy: every member-written entry, article, reply, profile note, and
/// every syndicated post goes through it. Relative URLs are kept as they are.
pub fn sanitize(html: &str) -> String {
    policy::clean(html, None)
}

/// Same policy, resolving relative `href`/`src`/`srcset`/`poster` against `base` (an
/// absolute http(s) URL string); used by feed ingest. If `base` does not parse as an
/// absolute http(s) URL, behaves like [`sanitize`] (relative URLs are then kept as they are).
pub fn sanitize_with_base(html: &str, base: &str) -> String {
    policy::clean(html, policy::parse_base(base))
}

/// Markdown (CommonMark + tables, strikethrough, footnotes, task lists) rendered, then
/// sanitized by the same policy. Raw HTML inside Markdown is allowed through the sanitizer
/// (so the same rules apply). Footnotes become plain numbered notes and task-list boxes
/// become ☑/☐, since the policy strips the `id`s and checkboxes pulldown-cmark would use.
pub fn markdown_to_html(markdown: &str) -> String {
    markdown::to_html(markdown, &shortcuts::Names::default())
}

/// [`markdown_to_html`] for what a member writes: shortcuts naming a member or project in
/// `known` become links, other shortcuts plain text (see [`shortcuts`]).
pub fn markdown_with_shortcuts(markdown: &str, known: &shortcuts::Names) -> String {
    markdown::to_html(markdown, known)
}

/// [`sanitize`] for HTML a member writes: shortcuts naming a member or project in `known`
/// become links, other shortcuts plain text (see [`shortcuts`]).
pub fn sanitize_with_shortcuts(html: &str, known: &shortcuts::Names) -> String {
    policy::clean(&shortcuts::expand(html, known), None)
}

/// Plain text of some HTML (sanitized first, so script and style content never shows; tags
/// stripped, entities decoded, whitespace collapsed), cut at a word boundary with "…"
/// appended when cut, so that the whole result is at most `max_chars` characters. For feed
/// summaries and `<meta name=description>`; escape it like any text when putting it in HTML.
pub fn excerpt(html: &str, max_chars: usize) -> String {
    text::excerpt(html, max_chars)
}

/// The words of HTML that [`sanitize`] (or another function here) already cleaned, for a
/// full-text index: tags dropped, block boundaries as spaces, entities decoded, whitespace
/// collapsed, control characters removed. Cheaper than [`excerpt`], which sanitizes first;
/// given HTML from elsewhere, sanitize it before.
pub fn searchable_text(sanitized: &str) -> String {
    text::searchable(sanitized)
}

/// Plain text cut at a word boundary, with "…" when cut, to at most `max_chars` characters
/// (whitespace collapsed). For text that is already plain, such as [`searchable_text`]'s.
pub fn shorten(text: &str, max_chars: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text::cut_at_word(&text, max_chars)
}

/// Plain text → HTML paragraphs (escaped; blank lines separate paragraphs, single newlines
/// become `<br>`). For plain-text fields.
pub fn text_to_html(text: &str) -> String {
    text::to_html(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    const REL: &str = r#"rel="nofollow noopener noreferrer""#;

    #[test]
    fn script_and_style_are_removed_with_their_content() {
        let html = sanitize(
            "<p>before</p><script>alert('x')</script><style>body{display:none}</style>\
             <template><p>inert</p></template><p>after</p>",
        );
        assert_eq!(html, "<p>before</p><p>after</p>");
    }

    #[test]
    fn event_handlers_style_and_id_are_removed() {
        let html = sanitize(
            r#"<p id="top" style="color:red" onclick="steal()">x<img src="a.png" onerror="steal()" alt="a"></p>"#,
        );
        assert_eq!(html, r#"<p>x<img src="a.png" alt="a"></p>"#);
    }

    #[test]
    fn dangerous_url_schemes_are_removed() {
        for href in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "jav&#x61;script:alert(1)",
            "jav&#97;script&colon;alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        ] {
            let html = sanitize(&format!(r#"<a href="{href}">x</a><img src="{href}">"#));
            assert_eq!(html, format!("<a {REL}>x</a><img>"), "href {href:?}");
        }
        let html = sanitize(r#"<img src="data:image/png;base64,iVBORw0KGgo=" alt="p">"#);
        assert_eq!(html, r#"<img alt="p">"#);
        let html =
            sanitize(r#"<video poster="javascript:x" src="https://example.org/v.mp4"></video>"#);
        assert_eq!(html, r#"<video src="https://example.org/v.mp4"></video>"#);
    }

    #[test]
    fn allowed_schemes_and_relative_urls_are_kept() {
        let html = sanitize(
            r#"<a href="https://example.org/a?b=1&amp;c=2">h</a><a href="mailto:me@example.org">m</a><a href="/local">l</a>"#,
        );
        assert_eq!(
            html,
            format!(
                r#"<a href="https://example.org/a?b=1&amp;c=2" {REL}>h</a><a href="mailto:me@example.org" {REL}>m</a><a href="/local" {REL}>l</a>"#
            )
        );
    }

    #[test]
    fn links_get_rel_replacing_the_authors() {
        let html = sanitize(r#"<a href="https://example.org/" rel="author" target="_blank">x</a>"#);
        assert_eq!(html, format!(r#"<a href="https://example.org/" {REL}>x</a>"#));
    }

    #[test]
    fn allowed_youtube_iframe_is_kept_sandboxed() {
        let html = sanitize(
            r#"<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Video" frameborder="0" allow="autoplay" allowfullscreen onload="x()">fallback <b>text</b></iframe>"#,
        );
        assert!(html.starts_with("<iframe ") && html.ends_with("></iframe>"), "{html}");
        for attr in [
            r#"src="https://www.youtube.com/embed/dQw4w9WgXcQ""#,
            r#"width="560""#,
            r#"height="315""#,
            r#"title="Video""#,
            r#"allowfullscreen="""#,
            r#"sandbox="allow-scripts allow-same-origin allow-popups""#,
            r#"loading="lazy""#,
        ] {
            assert!(html.contains(attr), "missing {attr} in {html}");
        }
        for gone in ["frameborder", "allow=", "onload", "fallback"] {
            assert!(!html.contains(gone), "{gone} kept in {html}");
        }
    }

    /// The same post must sanitize to the same bytes in every process (ingest compares them
    /// to tell an edited post), so the forced attributes come in a fixed order.
    #[test]
    fn kept_iframe_is_written_one_way() {
        let html = sanitize(
            r#"<iframe loading="eager" src="https://player.vimeo.com/video/1" width="640" sandbox=""></iframe>"#,
        );
        assert_eq!(
            html,
            r#"<iframe src="https://player.vimeo.com/video/1" width="640" sandbox="allow-scripts allow-same-origin allow-popups" loading="lazy"></iframe>"#
        );
    }

    #[test]
    fn authors_sandbox_cannot_loosen_ours() {
        let html = sanitize(
            r#"<iframe src="https://player.vimeo.com/video/1" sandbox="allow-top-navigation"></iframe>"#,
        );
        assert!(
            html.contains(r#"sandbox="allow-scripts allow-same-origin allow-popups""#),
            "{html}"
        );
        assert!(!html.contains("allow-top-navigation"), "{html}");
    }

    /// A dropped iframe gives way to its fallback content, sanitized as markup: often a
    /// link to what it embeds, and all our readers get of it.
    #[test]
    fn other_iframes_give_way_to_their_fallback() {
        for (iframe, fallback) in [
            (
                r#"<iframe src="https://evil.example/embed/x">Watch <a href="https://evil.example/x" onclick="x()">it</a></iframe>"#,
                format!(r#"Watch <a href="https://evil.example/x" {REL}>it</a>"#),
            ),
            (r#"<iframe src="http://www.youtube.com/embed/x"></iframe>"#, String::new()),
            (r#"<iframe src="javascript:alert(1)"></iframe>"#, String::new()),
            (r#"<iframe srcdoc="<script>alert(1)</script>"></iframe>"#, String::new()),
            (r#"<iframe src="/embed/x">text</iframe>"#, "text".to_owned()),
            (r#"<iframe></iframe>"#, String::new()),
        ] {
            let html = sanitize(&format!("<p>a</p>{iframe}<p>b</p>"));
            assert_eq!(html, format!("<p>a</p>{fallback}<p>b</p>"), "from {iframe}");
        }
    }

    #[test]
    fn iframe_fallback_cannot_smuggle_markup() {
        // An iframe's content is raw text, serialized unescaped; it must never reach output.
        let html = sanitize(
            r#"<iframe src="https://www.youtube.com/embed/x"><img src=x onerror=alert(1)></iframe>"#,
        );
        assert!(!html.contains("onerror") && !html.contains("<img"), "{html}");
    }

    #[test]
    fn tracking_pixels_are_dropped_and_real_images_kept() {
        let html = sanitize(
            r#"<p>Post<img src="https://t.example/p.gif" width="1" height="1"><img src="https://t.example/q.gif" width="1px" height="0" alt=""><img src="https://example.org/photo.jpg" width="640" height="480" alt="A photo"><img src="https://example.org/icon.png" width="1" height="16"></p>"#,
        );
        assert_eq!(
            html,
            r#"<p>Post<img src="https://example.org/photo.jpg" width="640" height="480" alt="A photo"><img src="https://example.org/icon.png" width="1" height="16"></p>"#
        );
    }

    /// Issue 12: elements the policy removes lose their markup but keep their readable text.
    #[test]
    fn forms_and_plugins_lose_their_markup_but_keep_their_text() {
        let html = sanitize(
            r#"<form action="https://evil.example/"><p>Keep</p><input name="q" value="v"> <button onclick="x()">Go</button> <textarea>t &lt;b&gt;</textarea> <select><option>o1</option><option>o2</option></select></form> <object data="x.swf"><param name="a" value="b">fallback <a href="https://example.org/v">video</a></object><embed src="x.swf"> <applet code="x.class">applet text</applet>"#,
        );
        assert_eq!(
            html,
            format!(
                r#"<p>Keep</p> Go t &lt;b&gt; o1o2 fallback <a href="https://example.org/v" {REL}>video</a> applet text"#
            )
        );
    }

    #[test]
    fn noscript_noembed_and_noframes_give_way_to_their_content() {
        // A lazy-loading plugin's real image is in `<noscript>`: our readers run no script.
        let html = sanitize(
            r#"<p><img src="data:image/gif;base64,R0lGOD" data-src="a.jpg" alt="a"><noscript><img src="a.jpg" alt="a" onerror="x()"></noscript></p><noembed><b>no</b> embed</noembed><noframes><p>no frames</p></noframes>"#,
        );
        assert_eq!(
            html,
            r#"<p><img alt="a"><img src="a.jpg" alt="a"></p><b>no</b> embed<p>no frames</p>"#
        );
    }

    /// `xmp`, `textarea` and `title` text is shown as text, as browsers show it.
    #[test]
    fn xmp_textarea_and_title_text_stays_text() {
        let html =
            sanitize("<xmp><b>x</b></xmp><textarea><i>y</i> &amp;</textarea><title>t<u></title>");
        assert_eq!(html, "&lt;b&gt;x&lt;/b&gt;&lt;i&gt;y&lt;/i&gt; &amp;t&lt;u&gt;");
    }

    #[test]
    fn unknown_tags_are_unwrapped_keeping_text() {
        let html = sanitize("<article><font color=red>text</font><marquee>m</marquee></article>");
        assert_eq!(html, "textm");
    }

    /// svg and math stay removed with their content: see `REMOVED_WITH_CONTENT`.
    #[test]
    fn svg_and_math_are_removed() {
        let html = sanitize(
            r#"<p>a<svg><a href="javascript:x"><text>t</text></a><script>x</script></svg><math><mi>x</mi></math>b</p>"#,
        );
        assert_eq!(html, "<p>ab</p>");
    }

    #[test]
    fn blog_tags_and_attributes_survive() {
        let html = concat!(
            r#"<h2 title="t">H</h2><blockquote><p>q</p></blockquote>"#,
            r#"<ol start="3" reversed="" type="a"><li value="5">x</li></ol>"#,
            r#"<table><caption>c</caption><thead><tr><th colspan="2" align="left">h</th></tr></thead>"#,
            r#"<tbody><tr><td rowspan="2">d</td></tr></tbody></table>"#,
            r#"<details><summary>s</summary>more</details>"#,
            r#"<p><time datetime="2021-04-01">April</time> <abbr title="HyperText">HTML</abbr> <kbd>k</kbd> H<sub>2</sub>O <mark>m</mark> <ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby></p>"#,
            r#"<figure><picture><source srcset="https://example.org/a.webp" type="image/webp"><img src="https://example.org/a.jpg" alt="a" loading="lazy"></picture><figcaption>f</figcaption></figure>"#,
            r#"<pre class="language-rust"><code class="language-rust">fn x() {}</code></pre>"#,
        );
        assert_eq!(sanitize(html), html);
    }

    #[test]
    fn classes_other_than_language_are_dropped() {
        let html = sanitize(r#"<p class="x">a</p><code class="hljs language-sh">ls</code>"#);
        assert_eq!(html, r#"<p>a</p><code class="language-sh">ls</code>"#);
    }

    #[test]
    fn output_is_well_formed() {
        let html = sanitize("<p>unclosed <b>bold <i>both</p>text & more < less");
        assert_eq!(
            html,
            "<p>unclosed <b>bold <i>both</i></b></p><b><i>text &amp; more &lt; less</i></b>"
        );
    }

    #[test]
    fn output_uses_only_xml_entities() {
        let html =
            sanitize("<p title=\"a\u{a0}b\">no\u{a0}break &amp;nbsp; &copy; &quot;q&quot;</p>");
        assert_eq!(html, "<p title=\"a&#160;b\">no&#160;break &amp;nbsp; \u{a9} \"q\"</p>");
    }

    #[test]
    fn relative_urls_resolve_against_base() {
        let html = sanitize_with_base(
            r##"<a href="../other/">o</a><a href="/root">r</a><a href="#sec">s</a><img src="img/a.png" srcset="img/a.png 1x, /b.png 2x"><video src="v.mp4" poster="p.jpg"></video><a href="https://elsewhere.example/">e</a>"##,
            "https://blog.example/2021/04/post/",
        );
        assert_eq!(
            html,
            format!(
                r##"<a href="https://blog.example/2021/04/other/" {REL}>o</a><a href="https://blog.example/root" {REL}>r</a><a href="https://blog.example/2021/04/post/#sec" {REL}>s</a><img src="https://blog.example/2021/04/post/img/a.png" srcset="https://blog.example/2021/04/post/img/a.png 1x, https://blog.example/b.png 2x"><video src="https://blog.example/2021/04/post/v.mp4" poster="https://blog.example/2021/04/post/p.jpg"></video><a href="https://elsewhere.example/" {REL}>e</a>"##
            )
        );
    }

    #[test]
    fn resolved_urls_are_escaped_and_keep_the_scheme() {
        let html = sanitize_with_base(
            r#"<a href="?a=1&amp;b=&quot;2&quot;">q</a><a href="//other.example/x">p</a><img src="caf&eacute; 1.png" alt="a &amp; b">"#,
            "http://blog.example/p/",
        );
        assert_eq!(
            html,
            format!(
                r#"<a href="http://blog.example/p/?a=1&amp;b=%222%22" {REL}>q</a><a href="http://other.example/x" {REL}>p</a><img src="http://blog.example/p/caf%C3%A9%201.png" alt="a &amp; b">"#
            )
        );
    }

    #[test]
    fn base_does_not_rescue_bad_urls() {
        let html = sanitize_with_base(
            r#"<a href="javascript:alert(1)">x</a><img srcset="javascript:x 1x">"#,
            "https://blog.example/",
        );
        assert_eq!(html, format!("<a {REL}>x</a><img>"));
    }

    #[test]
    fn unusable_base_keeps_relative_urls() {
        for base in ["", "not a url", "blog.example/feed", "mailto:a@b.example"] {
            let html = sanitize_with_base(r#"<a href="/root">r</a><img src="a.png">"#, base);
            assert_eq!(
                html,
                format!(r#"<a href="/root" {REL}>r</a><img src="a.png">"#),
                "base {base:?}"
            );
        }
    }

    /// A real WordPress post body (etbe-wordpress.rss, "Minikube and Debian") keeps its
    /// paragraphs, headings, `<pre>` blocks and reference links through the sanitizer.
    #[test]
    fn wordpress_post_survives() {
        let post = include_str!("../testdata/etbe-minikube-post.html");
        let html = sanitize_with_base(post, "https://etbe.example/2021/04/minikube-and-debian/");
        assert!(html.contains("<h3>Add Kubernetes Apt Repository</h3>"), "{html}");
        assert!(
            html.contains(
                "<pre>gpg --recv-key 6A030B21BA07F4FB\ngpg --list-sigs 6A030B21BA07F4FB\n\
                 gpg --export 6A030B21BA07F4FB | apt-key add -</pre>"
            ),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                r#"interactive tutorial <a href="https://example.org/refs/minikube-and-debian/1" {REL}>[1]</a>, which"#
            )),
            "{html}"
        );
        assert!(html.contains("“<code>minikube start</code>”"), "{html}");
        assert_eq!(html.matches("<pre>").count(), post.matches("<pre>").count());
        assert_eq!(html.matches("<a ").count(), post.matches("<a ").count());
        assert_eq!(html.matches("<p>").count(), post.matches("<p>").count());
        // Nothing but the added rel differs from the original markup.
        assert_eq!(html.replace(&format!(" {REL}"), ""), post);
    }

    #[test]
    fn public_markdown_and_text_entry_points() {
        let html = markdown_to_html("## Notes\n\n<script>alert(1)</script>\n\nText");
        assert!(html.contains("<h2>Notes</h2>"), "{html}");
        assert!(!html.contains("script") && !html.contains("alert"), "{html}");
        assert_eq!(text_to_html("1 < 2"), "<p>1 &lt; 2</p>");
        assert_eq!(excerpt("<p>Tom &amp; Jerry run</p>", 12), "Tom & Jerry…");
    }

    /// What the sanitizer writes is what a browser reads back, so sanitizing it again
    /// changes nothing: unwrapping a `<button>` or `<object>` must not leave a paragraph in
    /// a paragraph, an item in an item or a heading in a heading.
    #[test]
    fn sanitizing_is_a_fixed_point() {
        let cases = [
            ("<p>a<button><p>b</p></button>c</p>", "<p>a</p><p>b</p>c<p></p>"),
            ("<ul><li>a<button><li>b</li></button></li></ul>", "<ul><li>a</li><li>b</li></ul>"),
            ("<h1>a<object><h2>b</h2></object></h1>", "<h1>a</h1><h2>b</h2>"),
            ("<p>x<marquee><div>y</div></marquee></p>", "<p>x</p><div>y</div><p></p>"),
            ("<!---->\u{feff}a", "&#65279;a"),
            (
                "<ruby>a<rt>b<p><rp>(</rp></p></rt></ruby>",
                "<ruby>a<rt>b<p></p></rt><rp>(</rp><p></p></ruby>",
            ),
            ("<p>a<li>b</li>", "<p>a</p><li>b</li>"),
            (
                "a&#13;b<a title='x&#13;y'>c</a>",
                r#"a&#13;b<a title="x&#13;y" rel="nofollow noopener noreferrer">c</a>"#,
            ),
            (
                "<a href=/a><table><tr><td><a href=/b>b</a></td></tr></table></a>",
                "<a href=\"/a\" rel=\"nofollow noopener noreferrer\"><table><tbody><tr><td>\
                 <a href=\"/b\" rel=\"nofollow noopener noreferrer\">b</a></td></tr></tbody></table></a>",
            ),
            // HTML drops one newline after `<pre>`: the second one is the text's own.
            ("<pre>\n\ncode</pre>", "<pre>\n\ncode</pre>"),
            (
                r#"<a href="/a">x<object><a href="/b">y</a></object>z</a>"#,
                r#"<a href="/a" rel="nofollow noopener noreferrer">xyz</a>"#,
            ),
            (
                // Misnested links in lists: html5ever's adoption agency splits them.
                "<a href=/a>1<ul><li><a href=/b>2<ul><li><a href=/c>3</a></li></ul></a></li></ul>",
                "<a href=\"/a\" rel=\"nofollow noopener noreferrer\">1</a><ul>\
                 <a href=\"/a\" rel=\"nofollow noopener noreferrer\"></a><li>\
                 <a href=\"/a\" rel=\"nofollow noopener noreferrer\"></a>\
                 <a href=\"/b\" rel=\"nofollow noopener noreferrer\">2</a><ul>\
                 <a href=\"/b\" rel=\"nofollow noopener noreferrer\"></a><li>\
                 <a href=\"/b\" rel=\"nofollow noopener noreferrer\"></a>\
                 <a href=\"/c\" rel=\"nofollow noopener noreferrer\">3</a></li></ul></li></ul>",
            ),
        ];
        for (html, expected) in cases {
            let once = sanitize(html);
            assert_eq!(once, expected, "{html}");
            assert_eq!(sanitize(&once), once, "{html}");
        }
        // A fallback recovered right after `<pre>` keeps its leading newline too.
        for html in ["<pre><noscript>\n\nx</noscript></pre>", "<pre><button>\n\ny</button></pre>"] {
            let once = sanitize(html);
            assert!(once.contains("\n\n"), "{html}: {once:?}");
            assert_eq!(sanitize(&once), once, "{html}");
        }
        // Ordinary posts are written in one pass, unchanged.
        let post =
            "<p>a <b>b</b></p><ul><li>c</li></ul><table><tbody><tr><td>d</td></tr></tbody></table>";
        assert_eq!(sanitize(post), post);
    }
}
