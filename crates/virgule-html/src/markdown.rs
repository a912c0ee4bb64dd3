//! Markdown rendering: CommonMark with tables, strikethrough, footnotes and task lists,
//! rendered by pulldown-cmark and then put through the one sanitizer policy.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};

use crate::policy;
use crate::shortcuts::{self, Names};

/// Renders `markdown` to sanitized HTML. Raw HTML in the source is passed to the sanitizer
/// like any other member-written HTML, after its shortcuts are expanded with `known` names
/// (on the rendered HTML, so that a shortcut inside a code span stays text).
pub(crate) fn to_html(markdown: &str, known: &Names) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS;
    let mut footnotes = FootnoteNumbers::default();
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // The policy drops form controls, so a task's checkbox becomes a glyph.
        Event::TaskListMarker(done) => {
            Event::Text(CowStr::Borrowed(if done { "\u{2611} " } else { "\u{2610} " }))
        }
        // pulldown-cmark links footnotes by `id`, which the policy strips (ids from many
        // entries on one page would clash), so footnotes become plain numbered notes.
        Event::FootnoteReference(name) => {
            let number = footnotes.number(name);
            Event::InlineHtml(format!("<sup>{number}</sup>").into())
        }
        Event::Start(Tag::FootnoteDefinition(name)) => {
            let number = footnotes.number(name);
            Event::Html(format!("<div class=\"footnote-definition\"><sup>{number}</sup>\n").into())
        }
        Event::End(TagEnd::FootnoteDefinition) => Event::Html("</div>\n".into()),
        other => other,
    });
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut rendered, events);
    // Table column alignment comes out as `style`, which the policy never lets through;
    // the `align` attribute it does allow says the same.
    for side in ["left", "center", "right"] {
        rendered = rendered
            .replace(&format!(" style=\"text-align: {side}\">"), &format!(" align=\"{side}\">"));
    }
    policy::clean(&shortcuts::expand(&rendered, known), None)
}

/// Numbers footnotes in order of first mention, reference or definition, as pulldown-cmark
/// does.
#[derive(Default)]
struct FootnoteNumbers<'a> {
    numbers: HashMap<CowStr<'a>, usize>,
}

impl<'a> FootnoteNumbers<'a> {
    fn number(&mut self, name: CowStr<'a>) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(name).or_insert(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_html_plain(markdown: &str) -> String {
        to_html(markdown, &Names::default())
    }

    #[test]
    fn headings_and_emphasis() {
        let html = to_html_plain("# Title\n\nSome *emphasis* and **strong** and ~~gone~~.");
        assert!(html.contains("<h1>Title</h1>"), "{html}");
        assert!(html.contains("<em>emphasis</em>"), "{html}");
        assert!(html.contains("<strong>strong</strong>"), "{html}");
        assert!(html.contains("<del>gone</del>"), "{html}");
    }

    #[test]
    fn fenced_code_keeps_language_class() {
        let html = to_html_plain("```rust\nfn main() { if a < b {} }\n```\n");
        assert!(
            html.contains(r#"<pre><code class="language-rust">fn main() { if a &lt; b {} }"#),
            "{html}"
        );
        let indented = to_html_plain("    plain code\n");
        assert!(indented.contains("<pre><code>plain code"), "{indented}");
    }

    #[test]
    fn tables() {
        let html = to_html_plain("| a | b |\n|---|--:|\n| 1 | 2 |\n");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<th>a</th>"), "{html}");
        assert!(html.contains("<td>1</td>"), "{html}");
        assert!(html.contains(r#"<td align="right">2</td>"#), "{html}");
        assert!(!html.contains("style"), "{html}");
    }

    #[test]
    fn footnotes_are_numbered_notes() {
        let html =
            to_html_plain("Claim.[^src] Again.[^two]\n\n[^two]: Second.\n[^src]: The source.\n");
        assert!(html.contains("Claim.<sup>1</sup> Again.<sup>2</sup>"), "{html}");
        assert!(html.contains("<sup>1</sup>\n<p>The source.</p>"), "{html}");
        assert!(html.contains("<sup>2</sup>\n<p>Second.</p>"), "{html}");
        assert!(!html.contains("id="), "{html}");
    }

    #[test]
    fn task_lists_become_glyphs() {
        let html = to_html_plain("- [x] done\n- [ ] to do\n");
        assert!(html.contains("\u{2611} done"), "{html}");
        assert!(html.contains("\u{2610} to do"), "{html}");
        assert!(!html.contains("<input"), "{html}");
    }

    #[test]
    fn raw_html_goes_through_the_policy() {
        let html = to_html_plain(
            "Hello <b onclick=\"x()\">there</b>\n\n<script>alert(1)</script>\n\n[link](javascript:alert(1))",
        );
        assert!(html.contains("<b>there</b>"), "{html}");
        assert!(!html.contains("script"), "{html}");
        assert!(!html.contains("alert"), "{html}");
        assert!(!html.contains("onclick"), "{html}");
        assert!(html.contains(">link</a>"), "{html}");
    }

    #[test]
    fn markdown_links_get_rel() {
        let html = to_html_plain("[Virgule](https://example.org/)");
        assert!(
            html.contains(
                r#"<a href="https://example.org/" rel="nofollow noopener noreferrer">Virgule</a>"#
            ),
            "{html}"
        );
    }
}
