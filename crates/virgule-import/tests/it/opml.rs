//! OPML subscription lists: feeds at any depth, their folders as a category, and the files
//! that are not subscription lists.

use virgule_import::opml::{Subscription, read_opml};

use crate::fixture;

fn sub(title: &str, xml_url: &str, html_url: Option<&str>, category: Option<&str>) -> Subscription {
    Subscription {
        title: title.to_string(),
        xml_url: xml_url.to_string(),
        html_url: html_url.map(str::to_string),
        category: category.map(str::to_string),
    }
}

#[test]
fn opml_2_0_with_nested_folders() {
    let subscriptions = read_opml(fixture("subscriptions-2.0.opml")).unwrap();
    assert_eq!(
        subscriptions,
        [
            sub(
                "Loose feed at the top",
                "https://top.example.org/feed.xml",
                Some("https://top.example.org/"),
                None
            ),
            sub("LWN.net", "https://lwn.net/headlines/rss", Some("https://lwn.net/"), Some("Tech")),
            sub(
                "This Week in Rust",
                "https://this-week-in-rust.org/atom.xml",
                None,
                Some("Tech/Rust")
            ),
            // No title and no text: the feed's host.
            sub(
                "blog.rust-lang.org",
                "https://blog.rust-lang.org/feed.xml",
                None,
                Some("Tech/Rust")
            ),
            sub(
                "Ünïcödé — ✓ 日本",
                "https://unicode.example.jp/rss?a=1&b=2",
                None,
                Some("日本 & more")
            ),
            sub("A feed with children", "https://parent.example.org/rss", None, None),
            // A feed inside a feed's outline is not in a folder.
            sub("Child", "https://child.example.org/rss", None, None),
        ]
    );
}

#[test]
fn opml_1_0() {
    let subscriptions = read_opml(fixture("subscriptions-1.0.opml")).unwrap();
    assert_eq!(
        subscriptions,
        [
            sub(
                "Scripting News",
                "http://scripting.com/rss.xml",
                Some("http://scripting.com/"),
                None
            ),
            sub("Daring Fireball", "http://daringfireball.net/index.xml", None, None),
        ]
    );
}

#[test]
fn not_opml() {
    let error = read_opml("<rss>\n<channel/></rss>".as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 1: this is not an OPML file: the document is <rss>, not <opml>"
    );

    let error = read_opml("just some text".as_bytes()).unwrap_err();
    assert!(error.reason.starts_with("this is not an OPML file"), "{error}");

    let error = read_opml("".as_bytes()).unwrap_err();
    assert_eq!(error.to_string(), "line 1: this is not an OPML file: it has no XML element");
}

#[test]
fn no_body() {
    let error =
        read_opml("<opml version=\"2.0\">\n<head><title>x</title></head>\n</opml>\n".as_bytes())
            .unwrap_err();
    assert_eq!(error.to_string(), "line 3: the OPML file has no <body>");
    let error = read_opml("<opml/>".as_bytes()).unwrap_err();
    assert_eq!(error.reason, "the OPML file has no <body>");
}

#[test]
fn an_empty_body_is_an_empty_list() {
    assert_eq!(read_opml("<opml><head/><body/></opml>".as_bytes()).unwrap(), []);
}

#[test]
fn malformed_and_truncated() {
    let error =
        read_opml("<opml>\n<body>\n<outline text=\"a\">\n</body>\n</opml>".as_bytes()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "line 4: the end tag </body> does not match the open element <outline>"
    );

    let error =
        read_opml("<opml>\n<body>\n<outline text=\"a\" xmlUrl=\"https://e.org/\"/>\n".as_bytes())
            .unwrap_err();
    assert_eq!(error.to_string(), "line 3: the file ends before </opml>: it was cut off");
}

#[test]
fn entity_declarations_are_refused() {
    let laughs = "<!DOCTYPE opml [<!ENTITY a \"aaaa\">]>\n<opml><body><outline text=\"&a;\" xmlUrl=\"https://e.org/\"/></body></opml>";
    let error = read_opml(laughs.as_bytes()).unwrap_err();
    assert_eq!(error.line, 1);
    assert!(error.reason.contains("entities"), "{error}");
}
