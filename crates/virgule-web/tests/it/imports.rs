//! Moving in: a WordPress export imported into a member's diary (what readers then see,
//! what stays hidden, a second import updating, a malformed file changing nothing), and a
//! planet's OPML list made into members who claim their accounts by link.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use reqwest::StatusCode;
use virgule_import::opml::read_opml;
use virgule_site::imports::check_wxr;
use virgule_store::MemberName;

use crate::harness::{PASSWORD, TestApp};

/// A WXR 1.2 export of `title` (a published post with a relative link, a category under a
/// parent, a `]]>` split across CDATA sections, two approved comments, one answering the
/// other, and a spam one), a draft, and a page.
fn export(title: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Old blog</title><link>https://old.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://old.example.org</wp:base_blog_url>
<wp:category><wp:category_nicename>linux</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name>Linux</wp:cat_name></wp:category>
<wp:category><wp:category_nicename>selinux</wp:category_nicename><wp:category_parent>linux</wp:category_parent><wp:cat_name>SELinux</wp:cat_name></wp:category>
<item>
<title>{title}</title><link>https://old.example.org/2016/02/policy/</link>
<content:encoded><![CDATA[{body}

See <a href="/about/">about</a>; a CDATA end: ]]]]><![CDATA[> stays.]]></content:encoded>
<wp:post_id>11</wp:post_id><wp:post_date_gmt>2016-02-04 09:48:52</wp:post_date_gmt>
<wp:post_name>policy</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="selinux"><![CDATA[SELinux]]></category>
<category domain="post_tag" nicename="debian"><![CDATA[Debian]]></category>
<wp:comment><wp:comment_id>5</wp:comment_id><wp:comment_author>Margaret</wp:comment_author><wp:comment_author_url>https://margaret.example.net/</wp:comment_author_url><wp:comment_date_gmt>2016-02-05 10:00:00</wp:comment_date_gmt><wp:comment_content>Nice walrus &amp;lt;policy&amp;gt;.</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>6</wp:comment_id><wp:comment_author>Russell</wp:comment_author><wp:comment_author_url></wp:comment_author_url><wp:comment_date_gmt>2016-02-05 11:00:00</wp:comment_date_gmt><wp:comment_content>Thanks!</wp:comment_content><wp:comment_approved>1</wp:comment_approved><wp:comment_type>comment</wp:comment_type><wp:comment_parent>5</wp:comment_parent></wp:comment>
<wp:comment><wp:comment_id>7</wp:comment_id><wp:comment_author>Spammer</wp:comment_author><wp:comment_date_gmt>2016-02-05 12:00:00</wp:comment_date_gmt><wp:comment_content>buy pills</wp:comment_content><wp:comment_approved>spam</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment>
</item>
<item>
<title>Half-written narwhal thoughts</title><link>https://old.example.org/?p=12</link>
<content:encoded><![CDATA[Not ready.]]></content:encoded>
<wp:post_id>12</wp:post_id><wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt><wp:post_date>2016-03-01 10:00:00</wp:post_date>
<wp:status>draft</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="life"><![CDATA[Life, the Universe]]></category>
<category domain="post_tag" nicename="whales"><![CDATA[Whales]]></category>
</item>
<item>
<title>About</title><link>https://old.example.org/about/</link>
<content:encoded><![CDATA[About me.]]></content:encoded>
<wp:post_id>2</wp:post_id><wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
</item>
</channel>
</rss>
"#
    )
}

async fn import(app: &TestApp, name: &str, wxr: &str) -> virgule_site::imports::WxrSummary {
    check_wxr(wxr.as_bytes()).unwrap();
    app.state.site.import_wxr(name, Cursor::new(wxr.to_owned()), |_| {}).await.unwrap()
}

#[tokio::test]
async fn a_wordpress_export_becomes_the_members_diary_and_a_second_import_updates_it() {
    let app = TestApp::start().await;
    let token = app.register_api("etbe").await;
    let wxr = export("SE Linux policy", "First paragraph.\n\nSecond <em>walrus</em> paragraph.");
    let summary = import(&app, "etbe", &wxr).await;
    assert_eq!((summary.posts, summary.published, summary.comments), (2, 1, 2));
    assert_eq!(summary.skipped.get("page"), Some(&1));
    assert_eq!(summary.comments_skipped, 1);
    let c = summary.counts;
    assert_eq!((c.entries_created, c.kept_aside, c.replies_created), (1, 1, 2));
    app.caught_up().await;

    let client = app.browser();
    let (status, page) = app.get(&client, "/person/etbe/diary/0.html").await;
    assert_eq!(status, StatusCode::OK);
    // Paragraphs from blank lines, the old blog's links kept absolute, `]]>` intact.
    assert!(page.contains("<p>First paragraph.</p>"), "{page}");
    assert!(page.contains(r#"href="https://old.example.org/about/""#), "{page}");
    assert!(page.contains("a CDATA end: ]]&gt; stays."), "{page}");
    assert!(page.contains(r#"datetime="2016-02-04T09:48:52Z""#), "dated by post_date_gmt: {page}");
    for tag in ["debian", "selinux", "linux"] {
        assert!(page.contains(&format!("/person/etbe/tag/{tag}/")), "tag {tag}: {page}");
    }
    // Comments as replies by named guests, threaded; the spam one left out.
    assert!(page.contains(r#"<a class="author guest" href="https://margaret.example.net/" rel="nofollow ugc noopener">Margaret</a>"#), "{page}");
    assert!(page.contains(r#"<span class="author guest">Russell</span>"#), "{page}");
    assert!(page.contains("Nice walrus &lt;policy&gt;."), "{page}");
    assert!(!page.contains("buy pills"));
    // Russell's answers Margaret's: one level down, after it.
    let margaret = page.find("Margaret</a>").unwrap();
    let russell = page.find("Russell</span>").unwrap();
    let depth_before = |at: usize| page[..at].rfind("data-depth=\"").map(|i| &page[i + 12..i + 13]);
    assert!(margaret < russell, "{page}");
    assert_eq!((depth_before(margaret), depth_before(russell)), (Some("0"), Some("1")), "{page}");
    // The draft is kept, shown nowhere: not in the diary, not found by search.
    let (_, diary) = app.get(&client, "/person/etbe/diary.html").await;
    assert!(!diary.contains("narwhal"), "{diary}");
    let (_, found) = app.get(&client, "/search?q=narwhal").await;
    assert!(found.contains("Nothing found"), "{found}");
    // ... but it is its member's own: in their export, with its status, as JSON and as a
    // WordPress file that brings it back as a draft.
    let own = |format: &str| {
        reqwest::Client::new()
            .get(app.url(&format!("/api/v1/settings/export?format={format}")))
            .bearer_auth(&token)
            .send()
    };
    let json: serde_json::Value = own("json").await.unwrap().json().await.unwrap();
    let drafts = json["drafts"].as_array().unwrap();
    assert_eq!(drafts.len(), 1, "{json}");
    assert_eq!(drafts[0]["status"], "draft");
    assert_eq!(drafts[0]["title"], "Half-written narwhal thoughts");
    assert_eq!(drafts[0]["imported_from"], "https://old.example.org");
    assert_eq!(drafts[0]["tags"], serde_json::json!(["whales", "life, the universe"]));
    let exported = own("wxr").await.unwrap().text().await.unwrap();
    assert!(exported.contains("<wp:status><![CDATA[draft]]></wp:status>"), "{exported}");
    let again = check_wxr(exported.as_bytes()).unwrap();
    assert_eq!((again.posts, again.published), (2, 1));
    let (_, found) = app.get(&client, "/search?q=walrus").await;
    assert!(found.contains("2 results"), "the post and Margaret's reply: {found}");

    // The same export, edited on the old blog: updated in place, nothing doubled.
    let edited = export("SE Linux policy, revised", "Revised walrus text.");
    let again = import(&app, "etbe", &edited).await.counts;
    assert_eq!((again.entries_created, again.entries_updated), (0, 1));
    assert_eq!((again.replies_created, again.replies_updated, again.replies_unchanged), (0, 0, 2));
    app.caught_up().await;
    let (_, page) = app.get(&client, "/person/etbe/diary/0.html").await;
    assert!(page.contains("SE Linux policy, revised") && page.contains("Revised walrus text."));
    assert_eq!(page.matches(r#"class="author guest""#).count(), 2, "{page}");
    let (status, _) = app.get(&client, "/person/etbe/diary/1.html").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no second entry");

    // Once more, the same file: nothing to rewrite, and no entry marked as edited again.
    let before = app.get(&client, "/api/v1/people/etbe/entries/0").await.1;
    let third = import(&app, "etbe", &edited).await.counts;
    assert_eq!((third.entries_updated, third.entries_unchanged), (0, 1));
    assert_eq!((third.replies_updated, third.replies_unchanged), (0, 2));
    app.caught_up().await;
    assert_eq!(app.get(&client, "/api/v1/people/etbe/entries/0").await.1, before);
    // A comment edited on the old blog, and a tag gone: both rewritten.
    let retouched = edited.replace("Nice walrus", "Very nice walrus").replace(
        "<category domain=\"post_tag\" nicename=\"debian\"><![CDATA[Debian]]></category>",
        "",
    );
    assert!(retouched.len() < edited.len(), "the tag is gone");
    let fourth = import(&app, "etbe", &retouched).await.counts;
    assert_eq!(
        (fourth.entries_updated, fourth.replies_updated, fourth.replies_unchanged),
        (1, 1, 1)
    );
    app.caught_up().await;
    let (_, page) = app.get(&client, "/person/etbe/diary/0.html").await;
    assert!(
        page.contains("Very nice walrus") && !page.contains("/person/etbe/tag/debian/"),
        "{page}"
    );
}

/// One comment of a WXR item: its id, the comment it answers (0: none) and its text.
fn comment(id: u64, parent: u64, text: &str) -> String {
    format!(
        "<wp:comment><wp:comment_id>{id}</wp:comment_id><wp:comment_author>Guest {id}</wp:comment_author>\
         <wp:comment_date_gmt>2016-02-05 10:00:00</wp:comment_date_gmt><wp:comment_content>{text}</wp:comment_content>\
         <wp:comment_approved>1</wp:comment_approved><wp:comment_parent>{parent}</wp:comment_parent></wp:comment>"
    )
}

/// An export of published posts `(id, title, comments)`.
fn posts_export(posts: &[(u64, &str, String)]) -> String {
    let items: String = posts
        .iter()
        .map(|(id, title, comments)| {
            format!(
                "<item><title>{title}</title><content:encoded><![CDATA[About {title}.]]></content:encoded>\
                 <wp:post_id>{id}</wp:post_id><wp:post_date_gmt>2016-02-04 09:48:52</wp:post_date_gmt>\
                 <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>{comments}</item>\n"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Old blog</title><link>https://old.example.org</link><wp:wxr_version>1.2</wp:wxr_version>
{items}</channel>
</rss>
"#
    )
}

#[tokio::test]
async fn comments_that_answer_themselves_each_other_or_share_an_id_still_import() {
    let app = TestApp::start().await;
    app.register_api("etbe").await;
    // 1 answers itself; 2 and 3 answer each other; 4 comes twice (the second is dropped);
    // 5 answers 4.
    let comments = [
        comment(1, 1, "Myself."),
        comment(2, 3, "You first."),
        comment(3, 2, "No, you."),
        comment(4, 0, "Twice, once."),
        comment(4, 0, "Twice, again."),
        comment(5, 4, "An answer."),
    ]
    .concat();
    let wxr = posts_export(&[(11, "Loops", comments)]);
    let summary = import(&app, "etbe", &wxr).await;
    assert_eq!(summary.counts.replies_created, 5);
    app.caught_up().await;
    let (_, page) = app.get(&app.browser(), "/person/etbe/diary/0.html").await;
    for text in ["Myself.", "You first.", "No, you.", "Twice, once.", "An answer."] {
        assert!(page.contains(text), "{text}: {page}");
    }
    assert!(!page.contains("Twice, again."), "{page}");
    // Importing it again finds every one of them.
    let again = import(&app, "etbe", &wxr).await.counts;
    assert_eq!((again.replies_created, again.replies_unchanged), (0, 5));
}

#[tokio::test]
async fn an_export_with_a_post_twice_is_refused_before_anything_is_written() {
    let app = TestApp::start().await;
    app.register_api("etbe").await;
    let wxr = posts_export(&[(11, "First", String::new()), (11, "Again", String::new())]);
    let err = check_wxr(wxr.as_bytes()).unwrap_err();
    assert_eq!(err.code, "bad_import");
    assert!(err.message.contains("post 11 appears twice"), "{}", err.message);
    // Without the check, the import itself stops there too.
    let err =
        app.state.site.import_wxr("etbe", Cursor::new(wxr.clone()), |_| {}).await.unwrap_err();
    assert!(err.message.contains("post 11 appears twice"), "{}", err.message);
}

#[tokio::test]
async fn a_malformed_export_is_refused_with_its_line_before_anything_is_written() {
    let app = TestApp::start().await;
    app.register_api("etbe").await;
    let good = export("Fine post", "Text.");
    // The draft's closing tag is misspelt: the first post reads, then the file fails.
    let broken = good.replace("<wp:status>draft</wp:status>", "<wp:status>draft</wp:stats>");
    let line = broken.lines().position(|l| l.contains("</wp:stats>")).unwrap() as u64 + 1;
    let err = check_wxr(broken.as_bytes()).unwrap_err();
    assert_eq!(err.code, "bad_import");
    assert!(err.message.starts_with(&format!("line {line}: ")), "{}", err.message);
    assert!(err.message.contains("wp:status"), "{}", err.message);
    let member =
        app.store.member_by_name(&MemberName::parse("etbe").unwrap()).await.unwrap().unwrap();
    assert_eq!(member.entry_count, 0, "nothing written");
}

#[tokio::test]
async fn every_wxr_version_imports() {
    let app = TestApp::start().await;
    app.register_api("ada").await;
    for (file, published) in [
        (include_str!("../../../virgule-import/tests/fixtures/wxr-1.0-legacy.xml"), 1),
        (include_str!("../../../virgule-import/tests/fixtures/wxr-1.1-classic.xml"), 1),
        (include_str!("../../../virgule-import/tests/fixtures/wxr-1.2-blog.xml"), 1),
    ] {
        let summary = import(&app, "ada", file).await;
        assert_eq!(summary.published, published);
        assert_eq!(summary.counts.entries_created, published);
    }
}

const OPML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>Planet</title></head><body>
<outline text="Debian people">
  <outline type="rss" text="etbe – Russell Coker" title="etbe – Russell Coker" xmlUrl="https://etbe.coker.com.au/feed/" htmlUrl="https://etbe.coker.com.au/"/>
  <outline type="rss" text="Planet" xmlUrl="https://one.example.org/feed"/>
  <outline type="rss" text="Planet" xmlUrl="https://two.example.org/feed"/>
  <outline type="rss" text="Bad" xmlUrl="ftp://files.example.org/feed"/>
</outline>
</body></opml>"#;

#[tokio::test]
async fn an_opml_list_becomes_locked_members_who_claim_them_by_link() {
    let app = TestApp::start().await;
    let subscriptions = read_opml(OPML.as_bytes()).unwrap();
    let summary = app.state.site.import_opml(&subscriptions).await.unwrap();
    let made: Vec<String> = summary.created.iter().map(|(n, _)| n.to_string()).collect();
    assert_eq!(made, ["etbe-russell-coker", "planet", "planet-2"]);
    assert_eq!(summary.refused.len(), 1);
    // Again: every feed is already syndicated.
    let again = app.state.site.import_opml(&subscriptions).await.unwrap();
    assert_eq!((again.created.len(), again.already), (0, 3));
    app.caught_up().await;

    // The site's own list names them, round trip.
    let client = app.browser();
    let (_, opml) = app.get(&client, "/opml.xml").await;
    let mut listed: Vec<String> =
        read_opml(opml.as_bytes()).unwrap().into_iter().map(|s| s.xml_url).collect();
    listed.sort();
    assert_eq!(
        listed,
        [
            "https://etbe.coker.com.au/feed/",
            "https://one.example.org/feed",
            "https://two.example.org/feed"
        ]
    );

    // Locked: no password opens it, and the first person to register is still the admin.
    let res = app
        .submit(
            &client,
            "/acct/login",
            "/acct/login",
            &[("name", "planet"), ("password", "!unclaimed")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    app.register_api("admin").await;
    let admin =
        app.store.member_by_name(&MemberName::parse("admin").unwrap()).await.unwrap().unwrap();
    assert!(admin.is_admin);
    let planet =
        app.store.member_by_name(&MemberName::parse("planet").unwrap()).await.unwrap().unwrap();
    assert!(!planet.is_admin);

    // Claimed by link: a password, then logged in; the link is spent.
    let token = app.state.site.claim_link("planet").await.unwrap();
    let link = format!("/acct/claim/{token}");
    let (status, form) = app.get(&client, &link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Claim planet"), "{form}");
    let weak =
        app.submit(&client, &link, &link, &[("password", "planet"), ("password2", "planet")]).await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let res =
        app.submit(&client, &link, &link, &[("password", PASSWORD), ("password2", PASSWORD)]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let (_, settings) = app.get(&client, "/acct/settings").await;
    assert!(settings.contains("planet"), "logged in: {settings}");
    let (status, spent) = app.get(&app.browser(), &link).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(spent.contains("not valid"), "{spent}");
    assert!(app.state.site.authenticate("planet", PASSWORD).await.is_ok());
    // Nothing left to claim.
    assert_eq!(app.state.site.claim_link("planet").await.unwrap_err().code, "already_claimed");
}
