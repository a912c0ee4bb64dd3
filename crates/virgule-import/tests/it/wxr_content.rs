//! `content_to_html` on whole posts of the shapes WordPress stores, with the exact HTML out.

use virgule_import::wxr::content_to_html;

#[test]
fn classic_post_with_every_kind_of_line() {
    let raw = "Opening line\nwith a break.\n\n\
               <h2>A heading</h2>\n\
               Text right after a heading.\n\n\
               <ol>\n<li>one</li>\n<li>two\nlines</li>\n</ol>\n\n\
               <table><tr><td>a</td></tr></table>\n\
               <hr />\n\
               Closing.";
    assert_eq!(
        content_to_html(raw),
        "<p>Opening line<br>\nwith a break.</p>\n\
         <h2>A heading</h2>\n\
         <p>Text right after a heading.</p>\n\
         <ol>\n<li>one</li>\n<li>two\nlines</li>\n</ol>\n\
         <table><tr><td>a</td></tr></table>\n\
         <hr />\n\
         <p>Closing.</p>"
    );
}

#[test]
fn already_paragraphed_classic_html_is_unchanged() {
    let raw = "<p>One.</p>\n<p>Two <a href=\"https://e.org/\">link</a>.</p>\n<ul><li>x</li></ul>";
    assert_eq!(content_to_html(raw), raw);
}

#[test]
fn gutenberg_post_only_loses_its_comments() {
    let raw = "<!-- wp:paragraph {\"className\":\"lead\"} -->\n<p class=\"lead\">Lead.</p>\n<!-- /wp:paragraph -->\n\n\
               <!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>Item</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->\n\n\
               <!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><!-- wp:paragraph -->\n<p>Quoted</p>\n<!-- /wp:paragraph --></blockquote>\n<!-- /wp:quote -->";
    assert_eq!(
        content_to_html(raw),
        "<p class=\"lead\">Lead.</p>\n\n\
         <ul>\n<li>Item</li>\n</ul>\n\n\
         <blockquote class=\"wp-block-quote\">\n<p>Quoted</p>\n</blockquote>"
    );
}

#[test]
fn caption_inside_classic_content() {
    assert_eq!(
        content_to_html(
            "[caption id=\"attachment_5\" align=\"alignnone\" width=\"640\"]<img src=\"/a.jpg\" alt=\"\" /> A <em>fine</em> view[/caption]\nBelow."
        ),
        "<figure><img src=\"/a.jpg\" alt=\"\" /><figcaption>A <em>fine</em> view</figcaption></figure>\n<p>Below.</p>"
    );
}

#[test]
fn caption_without_text() {
    assert_eq!(
        content_to_html("[caption width=\"10\"]<img src=\"/a.jpg\">[/caption]"),
        "<figure><img src=\"/a.jpg\"></figure>"
    );
}

#[test]
fn embeds_become_links() {
    assert_eq!(
        content_to_html(
            "Look:\n[embed width=\"500\"]https://www.youtube.com/watch?v=a&amp;b=1[/embed]\n  https://twitter.com/x/status/1  \nend"
        ),
        "<p>Look:<br>\n<a href=\"https://www.youtube.com/watch?v=a&amp;b=1\">https://www.youtube.com/watch?v=a&amp;b=1</a><br>\n\
         <a href=\"https://twitter.com/x/status/1\">https://twitter.com/x/status/1</a><br>\nend</p>"
    );
}

#[test]
fn a_url_inside_a_sentence_or_a_link_stays_as_is() {
    let raw = "See https://e.org/ for more.\n\n<a href=\"https://e.org/\">\nhttps://e.org/\n</a>";
    assert_eq!(
        content_to_html(raw),
        "<p>See https://e.org/ for more.</p>\n<p><a href=\"https://e.org/\"><br>\nhttps://e.org/<br>\n</a></p>"
    );
}

#[test]
fn code_shortcode_content_is_escaped_verbatim() {
    assert_eq!(
        content_to_html(
            "[code lang=\"html\"]<p>hi</p>\n\n&lt;already escaped&gt; [b]not a shortcode[/b][/code]"
        ),
        "<pre><code class=\"language-html\">&lt;p&gt;hi&lt;/p&gt;\n\n&lt;already escaped&gt; [b]not a shortcode[/b]</code></pre>"
    );
}

#[test]
fn gallery_is_removed_and_unknown_shortcodes_keep_their_content() {
    assert_eq!(
        content_to_html(
            "[gallery ids=\"1,2\"]\n\n[note type=\"info\"]Remember this.[/note]\n\n[contact-form-7 id=\"9\"]"
        ),
        "<p>Remember this.</p>\n<p>[contact-form-7 id=\"9\"]</p>"
    );
}

#[test]
fn escaped_shortcode_is_literal() {
    assert_eq!(
        content_to_html("Type [[caption]] to add one."),
        "<p>Type [caption] to add one.</p>"
    );
}

#[test]
fn windows_line_endings() {
    assert_eq!(content_to_html("a\r\nb\r\n\r\nc"), "<p>a<br>\nb</p>\n<p>c</p>");
}

#[test]
fn empty_content() {
    assert_eq!(content_to_html(""), "");
    assert_eq!(content_to_html("\n  \n"), "");
}
