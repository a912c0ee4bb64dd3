//! Each feed format a member's blog may publish, fetched from a real server and read into
//! the diary as readers will see it: titles as text, content over summary, absolute links,
//! the right characters, and the "Syndicated … from FEED TITLE" credit (docs/design.md §3).

use axum::http::header;
use virgule_store::FeedStatus;

use crate::origin::Reply;
use crate::support::{World, date, titles};

const WORDPRESS: &[u8] = include_bytes!("../../testdata/etbe-wordpress.rss");
const ATOM_XML_BASE: &[u8] = include_bytes!("../../testdata/atom10-xml-base.atom");
const RSS1: &[u8] = include_bytes!("../../testdata/rss1-rdf.rdf");
const JSON_FEED: &[u8] = include_bytes!("../../testdata/jsonfeed-1.1.json");
const WINDOWS_1252: &[u8] = include_bytes!("../../testdata/windows-1252-says-utf8.rss");

/// Russell Coker's WordPress blog, as the seed diary syndicates it: ten posts become ten
/// entries, numbered oldest first, each crediting the feed and linking the original post.
#[tokio::test]
async fn a_wordpress_feed_becomes_diary_entries_numbered_oldest_first() {
    let world = World::new().await;
    let etbe = world.member("etbe").await;
    world.origin.set("/feed/", Reply::rss(WORDPRESS));

    // What the settings page does: link the feed (its first fetch starts at once), then the
    // member presses "fetch now", which waits for that first fetch and fetches again.
    let url = world.origin.url("/feed/");
    world.syndicator.subscribe(etbe, &url).await.expect("subscribe");
    let feed = world.refresh(etbe).await;

    let diary = world.diary(etbe).await;
    assert_eq!(diary.len(), 10, "one entry per post, the second fetch adding none");
    assert_eq!(
        titles(&diary),
        [
            "Minikube and Debian",
            "Echo Chambers vs Epistemic Bubbles",
            "More EVM",
            "DNS, Lots of IPs, and Postal",
            "Links April 2021",
            "Scanning with a MFC-9120CN on Bullseye",
            "HP ML350P Gen8",
            "IMA/EVM Certificates",
            "Basics of Linux Kernel Debugging",
            "Yama",
        ]
    );
    // The oldest post is entry 0 (Advogato numbering), the newest entry 9.
    let numbers: Vec<i64> = diary.iter().map(|e| e.number).collect();
    assert_eq!(numbers, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);

    let newest = &diary[0];
    assert_eq!(newest.published, date("2021-05-20T10:32:11Z"), "the pubDate");
    let credit = newest.syndicated.as_ref().expect("a syndicated entry");
    assert_eq!(credit.feed_title, "etbe – Russell Coker");
    assert_eq!(
        credit.original_url.as_deref(),
        Some("https://etbe.coker.com.au/2021/05/20/minikube-and-debian/")
    );
    assert_eq!(credit.at, date("2021-05-20T10:32:11Z"));
    // content:encoded, not the truncated description.
    assert!(newest.html.contains("<h3>Add Kubernetes Apt Repository</h3>"), "{}", newest.html);
    assert!(!newest.html.contains("[…]"), "{}", newest.html);
    // Categories become tags as members type them (lower-case), so tag pages find them.
    assert_eq!(newest.tags, ["debian", "kubernetes", "virtualisation"]);
    let oldest = &diary[9];
    assert_eq!(oldest.published, date("2021-04-18T16:18:11Z"));
    assert_eq!(
        oldest.syndicated.as_ref().and_then(|s| s.original_url.as_deref()),
        Some("https://etbe.coker.com.au/2021/04/18/yama/")
    );

    assert_eq!(feed.status, FeedStatus::Active);
    assert_eq!(feed.title, "etbe – Russell Coker");
    assert_eq!(feed.url.as_deref(), Some(url.as_str()));
    assert_eq!(feed.last_error, None);
    assert!(feed.last_success_at.is_some());
    assert_eq!(feed.entry_count, 10);
    assert_eq!(world.origin.requests_to("/feed/").len(), 2, "the first fetch and fetch now");
}

/// An Atom feed whose links are relative to `xml:base` (on the feed, the entry, and the
/// content): every link and image in the diary must point at the blog, not at Virgule.
#[tokio::test]
async fn atom_xml_base_resolves_relative_links() {
    let world = World::new().await;
    let ada = world.member("ada").await;
    world.origin.set("/feed.atom", Reply::ok("application/atom+xml", ATOM_XML_BASE));
    world.link(ada, "/feed.atom").await;
    world.refresh(ada).await;

    let diary = world.diary(ada).await;
    assert_eq!(titles(&diary), ["Relative <em>links</em>", "An XHTML title"]);
    let relative = &diary[0];
    assert_eq!(relative.number, 1);
    assert_eq!(relative.published, date("2024-03-02T08:00:00Z"));
    let credit = relative.syndicated.as_ref().expect("syndicated");
    assert_eq!(credit.feed_title, "Notes & Queries", "an html title is text, decoded once");
    assert_eq!(
        credit.original_url.as_deref(),
        Some("https://blog.example.org/2024/03/relative-links")
    );
    assert!(
        relative.html.contains(r#"href="https://blog.example.org/2024/03/other""#),
        "{}",
        relative.html
    );
    assert!(
        relative.html.contains(r#"src="https://blog.example.org/2024/03/images/cat.png""#),
        "{}",
        relative.html
    );
    let xhtml = &diary[1];
    assert_eq!(xhtml.number, 0);
    assert_eq!(
        xhtml.syndicated.as_ref().and_then(|s| s.original_url.as_deref()),
        Some("https://blog.example.org/2024/02/first")
    );
    assert!(xhtml.html.contains(r#"href="https://blog.example.org/hello""#), "{}", xhtml.html);
    assert!(!xhtml.html.contains(&world.origin.url("")), "nothing resolved against Virgule");
}

/// RSS 1.0 (RDF), as Advogato-era sites published it: Dublin Core dates, and
/// `content:encoded` preferred over the description where an item has it.
#[tokio::test]
async fn rss_1_0_rdf_items_become_entries() {
    let world = World::new().await;
    let raph = world.member("raph").await;
    world.origin.set("/index.rdf", Reply::ok("application/rdf+xml", RSS1));
    world.link(raph, "/index.rdf").await;
    let feed = world.refresh(raph).await;

    assert_eq!(feed.title, "An RDF site");
    let diary = world.diary(raph).await;
    assert_eq!(titles(&diary), ["Two", "One"]);
    let (two, one) = (&diary[0], &diary[1]);
    assert_eq!((one.number, two.number), (0, 1));
    assert_eq!(one.published, date("2003-05-01T08:00:00Z"));
    // virgule-feeds reads an RSS 1.0 description as text (the markup shows escaped); only
    // that the description is the body is asserted here.
    assert!(one.html.contains("First"), "{}", one.html);
    assert_eq!(two.html, "<p>Second, in full</p>");
    assert_eq!(
        two.syndicated.as_ref().and_then(|s| s.original_url.as_deref()),
        Some("https://rdf.example.net/2003/two")
    );
}

/// JSON Feed 1.1: `content_html` sanitized (the `onerror` goes) with its relative image made
/// absolute, `content_text` shown as text, and an item without a URL still stored.
#[tokio::test]
async fn json_feed_items_become_sanitized_entries() {
    let world = World::new().await;
    let jay = world.member("jay").await;
    world.origin.set("/feed.json", Reply::ok("application/feed+json", JSON_FEED));
    world.link(jay, "/feed.json").await;
    let feed = world.refresh(jay).await;

    assert_eq!(feed.title, "A JSON Feed");
    let diary = world.diary(jay).await;
    assert_eq!(titles(&diary), ["Hello, JSON", "Plain text only"]);
    let hello = &diary[0];
    assert_eq!(hello.number, 1);
    assert_eq!(hello.published, date("2023-07-01T10:00:00Z"));
    assert_eq!(hello.html, r#"<p>Hello <img src="https://json.example.com/img/wave.png"></p>"#);
    assert_eq!(hello.tags, ["hello", "json"]);
    let plain = &diary[1];
    assert_eq!(plain.html, "<p>Line one</p>\n<p>Line &lt;two&gt;</p>");
    assert_eq!(plain.syndicated.as_ref().and_then(|s| s.original_url.as_deref()), None);
}

/// A blog whose software writes windows-1252 bytes under a prolog saying UTF-8: the diary
/// shows the smart quotes, the dash and the accents, not replacement characters.
#[tokio::test]
async fn windows_1252_under_a_utf8_prolog_decodes_to_the_right_characters() {
    let world = World::new().await;
    let cafe = world.member("cafe").await;
    world.origin.set("/feed", Reply::ok("application/rss+xml", WINDOWS_1252));
    world.link(cafe, "/feed").await;
    let feed = world.refresh(cafe).await;

    assert_eq!(feed.title, "Café notes");
    let diary = world.diary(cafe).await;
    assert_eq!(titles(&diary), ["\u{201c}Smart\u{201d} quotes \u{2013} and a dash"]);
    assert_eq!(diary[0].html, "<p>It\u{2019}s naïve</p>");
    assert!(!diary[0].html.contains('\u{fffd}'));
}

/// Most blogs serve their feed gzip-compressed to clients that ask: the fetcher asks, and
/// reads the compressed answer.
#[tokio::test]
async fn a_gzip_encoded_feed_is_decompressed() {
    let world = World::new().await;
    let etbe = world.member("etbe").await;
    world.origin.set("/feed/", Reply::rss(WORDPRESS).gzip());
    world.link(etbe, "/feed/").await;
    let feed = world.refresh(etbe).await;

    let requests = world.origin.requests_to("/feed/");
    assert_eq!(requests.len(), 1);
    let accept = requests[0].header(header::ACCEPT_ENCODING).unwrap_or_default();
    assert!(accept.contains("gzip"), "Accept-Encoding: {accept}");
    assert!(requests[0].gzipped, "the origin sent the feed compressed");
    assert_eq!(feed.last_error, None);
    assert_eq!(world.diary(etbe).await.len(), 10);
}
