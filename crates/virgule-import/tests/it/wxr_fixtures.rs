//! The three WXR versions, field by field: what a member importing their blog gets.

use chrono::{TimeZone, Utc};
use virgule_import::wxr::{PostStatus, Record, WxrReader};

use crate::{fixture, posts, read_all};

#[test]
fn wxr_1_2_channel() {
    let reader = WxrReader::new(fixture("wxr-1.2-blog.xml"));
    let channel = reader.channel();
    assert_eq!(channel.wxr_version.as_deref(), Some("1.2"));
    assert_eq!(channel.title, "Ünïcödé Notes — ✓ 日本");
    assert_eq!(channel.link.as_deref(), Some("https://notes.example.org"));
    assert_eq!(channel.base_site_url.as_deref(), Some("https://notes.example.org"));
    assert_eq!(channel.base_blog_url.as_deref(), Some("https://notes.example.org"));
    assert_eq!(channel.categories.len(), 5);
    let async_rust = &channel.categories["async"];
    assert_eq!(async_rust.name, "Async Rust");
    assert_eq!(async_rust.parent_nicename.as_deref(), Some("rust"));
    assert_eq!(channel.categories["tech"].parent_nicename, None);
    assert_eq!(channel.categories["life"].name, "Life & Travel");
}

#[test]
fn wxr_1_2_records_and_what_was_skipped() {
    let (records, error) = read_all("wxr-1.2-blog.xml");
    assert_eq!(error, None);
    let summary: Vec<(String, Option<u64>)> = records
        .iter()
        .map(|r| match r {
            Record::Post(p) => ("post".to_string(), Some(p.wp_id)),
            Record::Skipped { kind, wp_id } => (kind.clone(), *wp_id),
        })
        .collect();
    let expected = [
        ("post", 101),
        ("post", 102),
        ("page", 103),
        ("attachment", 104),
        ("nav_menu_item", 105),
        ("post", 106),
        ("post", 107),
        ("post", 108),
        ("product", 109),
    ];
    let expected: Vec<(String, Option<u64>)> =
        expected.iter().map(|(k, id)| (k.to_string(), Some(*id))).collect();
    assert_eq!(summary, expected);

    let statuses: Vec<(u64, PostStatus, bool)> =
        posts(&records).iter().map(|p| (p.wp_id, p.status.clone(), p.status.is_public())).collect();
    assert_eq!(
        statuses,
        [
            (101, PostStatus::Publish, true),
            (102, PostStatus::Draft, false),
            (106, PostStatus::Pending, false),
            (107, PostStatus::Private, false),
            (108, PostStatus::Future, false),
        ]
    );
}

#[test]
fn wxr_1_2_published_post() {
    let (records, _) = read_all("wxr-1.2-blog.xml");
    let post = posts(&records)[0];
    assert_eq!(post.wp_id, 101);
    assert_eq!(post.title, "Hello ✓ 日本 — Ünïcödé & friends");
    assert_eq!(post.slug, "hello");
    assert_eq!(post.link.as_deref(), Some("https://notes.example.org/2024/03/hello/"));
    assert_eq!(post.published, Some(Utc.with_ymd_and_hms(2024, 3, 1, 8, 30, 0).unwrap()));
    assert_eq!(
        post.content_html,
        "<p>First paragraph with Ünïcödé — ✓ 日本.<br>\nSecond line of it.</p>\n\
         <p>A CDATA end marker in prose: a]]>b.</p>\n\
         <figure><a href=\"https://notes.example.org/cat.jpg\"><img src=\"https://notes.example.org/cat-300x200.jpg\" alt=\"A cat\" width=\"300\" height=\"200\" /></a><figcaption>The cat, asleep</figcaption></figure>\n\
         <p>Last words.</p>"
    );
    assert_eq!(post.excerpt.as_deref(), Some("<p>A short greeting.</p>"));
    assert_eq!(post.tags, ["tokio", "Ünïcödé"]);
    // async's ancestors follow it; "Uncategorized" is left out; Technology is not repeated;
    // the post format is not a category.
    assert_eq!(post.categories, ["Async Rust", "Rust", "Technology"]);
}

#[test]
fn wxr_1_2_comments_keep_approved_and_threading() {
    let (records, _) = read_all("wxr-1.2-blog.xml");
    let post = posts(&records)[0];
    // Unapproved (13), a pingback (14) and spam (15) are counted, not kept.
    assert_eq!(post.comments_skipped, 3);
    assert_eq!(post.comments.len(), 2);
    let first = &post.comments[0];
    assert_eq!(first.wp_id, 11);
    assert_eq!(first.parent_wp_id, None);
    assert_eq!(first.author, "Grace Hopper");
    assert_eq!(first.author_url.as_deref(), Some("https://grace.example.org/"));
    assert_eq!(first.published, Utc.with_ymd_and_hms(2024, 3, 1, 9, 0, 0).unwrap());
    assert_eq!(first.content_html, "<p>Lovely post.</p>\n<p>Two paragraphs, even.</p>");
    let reply = &post.comments[1];
    assert_eq!(reply.wp_id, 12);
    assert_eq!(reply.parent_wp_id, Some(11));
    assert_eq!(reply.author_url, None);
    assert_eq!(reply.content_html, "<p>Thank you, Grace ✓</p>");
}

#[test]
fn wxr_1_2_gutenberg_draft() {
    let (records, _) = read_all("wxr-1.2-blog.xml");
    let draft = posts(&records)[1];
    assert_eq!(draft.wp_id, 102);
    assert_eq!(draft.slug, "");
    // post_date_gmt is WordPress's "never" for drafts: post_date, read as UTC.
    assert_eq!(draft.published, Some(Utc.with_ymd_and_hms(2024, 3, 2, 10, 0, 0).unwrap()));
    assert_eq!(draft.excerpt, None);
    assert_eq!(draft.categories, ["Life & Travel"]);
    assert!(draft.tags.is_empty() && draft.comments.is_empty() && draft.comments_skipped == 0);
    assert_eq!(
        draft.content_html,
        "<h3 class=\"wp-block-heading\">Blocks</h3>\n\n\
         <p>A paragraph with <a href=\"/relative/\">a relative link</a>\n\
         and a newline that must stay a newline.</p>\n\n\
         <figure class=\"wp-block-image size-large\"><img src=\"https://notes.example.org/cat.jpg\" alt=\"\" class=\"wp-image-104\"/><figcaption>A cat</figcaption></figure>\n\n\n\
         <figure class=\"wp-block-embed is-type-video\"><div class=\"wp-block-embed__wrapper\">\n\
         <a href=\"https://www.youtube.com/watch?v=abc\">https://www.youtube.com/watch?v=abc</a>\n\
         </div></figure>\n\n\
         <pre class=\"wp-block-code\"><code>let x = 1;\n\nlet y = 2;</code></pre>"
    );
}

#[test]
fn wxr_1_2_shortcodes_and_brackets() {
    let (records, _) = read_all("wxr-1.2-blog.xml");
    let post = posts(&records)[2];
    assert_eq!(post.wp_id, 106);
    assert_eq!(post.title, "Shortcodes & brackets [1]");
    assert_eq!(post.tags, ["meta"]);
    assert!(post.categories.is_empty());
    assert_eq!(
        post.content_html,
        "<p>As the paper says [1], it works [sic].</p>\n\
         <p><a href=\"https://vimeo.com/123\">https://vimeo.com/123</a></p>\n\
         <p><a href=\"https://example.org/a-bare-link\">https://example.org/a-bare-link</a></p>\n\
         <pre><code>if a &lt; b &amp;&amp; c &gt; d { return; }\n\ndone();</code></pre>\n\
         <p>Keep <strong>this</strong> and [gallery] literally.</p>"
    );
}

#[test]
fn wxr_1_2_date_falls_back_to_pub_date() {
    let (records, _) = read_all("wxr-1.2-blog.xml");
    let future = posts(&records)[4];
    assert_eq!(future.wp_id, 108);
    assert_eq!(future.published, Some(Utc.with_ymd_and_hms(2024, 3, 11, 7, 0, 0).unwrap()));
}

#[test]
fn wxr_1_1_classic_post() {
    let mut reader = WxrReader::new(fixture("wxr-1.1-classic.xml"));
    assert_eq!(reader.channel().wxr_version.as_deref(), Some("1.1"));
    assert_eq!(reader.channel().base_blog_url.as_deref(), Some("http://classic.example.org/blog"));
    let Some(Ok(Record::Post(post))) = reader.next() else { panic!("a post first") };
    assert_eq!(post.title, "Tokyo – day one");
    assert_eq!(post.published, Some(Utc.with_ymd_and_hms(2012, 9, 15, 12, 34, 56).unwrap()));
    assert_eq!(post.tags, ["food"]);
    // 日本's parent is Travel; Loop A and Loop B name each other as parent, and the walk stops.
    assert_eq!(post.categories, ["日本", "Travel", "Loop A", "Loop B"]);
    assert_eq!(
        post.content_html,
        "<p>We landed at Narita.<br>\nThe train was quiet.</p>\n\
         <figure><img class=\"size-medium wp-image-8\" src=\"http://classic.example.org/blog/wp-content/uploads/2012/09/shinjuku-300x225.jpg\" alt=\"\" width=\"300\" height=\"225\" /><figcaption>Shinjuku at night</figcaption></figure>\n\
         <blockquote><p>Mind the gap.</p>\n<p>Please.</p></blockquote>\n\
         <pre><code class=\"language-python\">print(&quot;こんにちは &lt;world&gt;&quot;)</code></pre>\n\
         <ul>\n<li>Ramen</li>\n<li>Sushi</li>\n</ul>\n\
         <p>That's all.</p>"
    );
    assert_eq!(post.excerpt.as_deref(), Some("<p>Day one in Tokyo.</p>"));
    // The comment's GMT date was never set: its local date, read as UTC. The trackback is skipped.
    assert_eq!(post.comments.len(), 1);
    assert_eq!(post.comments_skipped, 1);
    let comment = &post.comments[0];
    assert_eq!(comment.author, "Kenji & Yuki");
    assert_eq!(comment.published, Utc.with_ymd_and_hms(2012, 9, 16, 8, 0, 0).unwrap());
    assert_eq!(comment.content_html, "<p>Welcome!<br>\nSee you soon.</p>");

    let Some(Ok(Record::Post(trashed))) = reader.next() else { panic!("a second post") };
    assert_eq!(trashed.status, PostStatus::Other("trash".to_string()));
    assert!(!trashed.status.is_public());
    assert!(reader.next().is_none());
}

#[test]
fn wxr_1_0_legacy_post() {
    let (records, error) = read_all("wxr-1.0-legacy.xml");
    assert_eq!(error, None);
    assert_eq!(records.len(), 2);
    assert!(matches!(&records[1], Record::Skipped { kind, wp_id: Some(43) } if kind == "page"));
    let post = posts(&records)[0];
    assert_eq!(post.wp_id, 42);
    assert_eq!(post.title, "Kind of Blue, again");
    // WXR 1.0 repeats terms as bare <category> elements; the typed ones win, and tags used
    // the domain "tag" then.
    assert_eq!(post.categories, ["Jazz", "Music"]);
    assert_eq!(post.tags, ["vinyl"]);
    assert_eq!(
        post.content_html,
        "<p>Spun it <em>once more</em>.</p>\n\
         <p><a href=\"http://old.example.org/so-what.mp3\">http://old.example.org/so-what.mp3</a></p>\n\
         <p><a href=\"http://old.example.org/clip.mp4\">http://old.example.org/clip.mp4</a></p>"
    );
    assert_eq!(post.comments.len(), 1);
    assert_eq!(post.comments[0].author, "Miles Fan");
    assert_eq!(post.excerpt, None);
}

#[test]
fn prefixes_are_read_by_namespace() {
    // The same export with unusual prefixes: what counts is the namespace URI.
    let export = r#"<?xml version="1.0"?>
<rss xmlns:wordpress="http://wordpress.org/export/1.2/" xmlns:body="http://purl.org/rss/1.0/modules/content/"
     xmlns:wp="http://example.org/not-wordpress/">
<channel><title>T</title><wordpress:wxr_version>1.2</wordpress:wxr_version>
<item><title>P</title><wordpress:post_id>5</wordpress:post_id><wp:post_id>999</wp:post_id>
<wordpress:post_type>post</wordpress:post_type><body:encoded>Hi</body:encoded></item>
</channel></rss>"#;
    let (records, error) = crate::read_from(WxrReader::new(export.as_bytes()));
    assert_eq!(error, None);
    let post = posts(&records)[0];
    assert_eq!(post.wp_id, 5);
    assert_eq!(post.content_html, "<p>Hi</p>");
}

#[test]
fn text_mixing_cdata_and_entities() {
    let export = r#"<rss xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><wp:wxr_version>1.2</wp:wxr_version>
<item><title>A &lt;b&gt; &amp; <![CDATA[c &amp; d]]> &#x2713;</title><wp:post_id>1</wp:post_id><wp:post_type>post</wp:post_type>
<content:encoded>&lt;p&gt;one <![CDATA[<em>two</em>]]]]><![CDATA[>&amp;</p>]]></content:encoded></item>
</channel></rss>"#;
    let (records, error) = crate::read_from(WxrReader::new(export.as_bytes()));
    assert_eq!(error, None);
    let post = posts(&records)[0];
    // The title's HTML references (from CDATA) decode too: it is plain text.
    assert_eq!(post.title, "A <b> & c & d ✓");
    assert_eq!(post.content_html, "<p>one <em>two</em>]]>&amp;</p>");
}
