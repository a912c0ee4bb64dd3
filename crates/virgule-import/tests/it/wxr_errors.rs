//! Files that are not good exports: each gives one error naming the line where the problem
//! was noticed, after the records that came before it, and then the iteration ends.

use virgule_import::wxr::{Record, WxrReader};

use crate::{fixture, posts, read_all, read_from};

fn first_error(export: &[u8]) -> (usize, virgule_import::wxr::WxrError) {
    let (records, error) = read_from(WxrReader::new(export));
    (records.len(), error.expect("an error"))
}

#[test]
fn mismatched_end_tag_in_the_second_item() {
    let mut reader = WxrReader::new(fixture("wxr-mismatched-tag.xml"));
    let Some(Ok(Record::Post(first))) = reader.next() else { panic!("the first post reads") };
    assert_eq!(first.wp_id, 1);
    let error = reader.next().expect("an error").expect_err("the second item is broken");
    assert_eq!(error.line, 32);
    assert_eq!(
        error.to_string(),
        "line 32: the end tag </wp:post_title> does not match the open element <wp:post_name>"
    );
    assert!(reader.next().is_none(), "nothing after an error");
}

#[test]
fn truncated_file() {
    let (records, error) = read_all("wxr-truncated.xml");
    // The first post is whole; the draft is cut off inside its content.
    assert_eq!(posts(&records).iter().map(|p| p.wp_id).collect::<Vec<_>>(), [101]);
    let error = error.expect("an error");
    assert_eq!(error.line, 179, "{error}");
    assert!(
        error.reason.contains("not found before end of input") || error.reason.contains("cut off"),
        "{error}"
    );
}

#[test]
fn truncated_between_elements() {
    let export = b"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\">\n<channel>\n<wp:wxr_version>1.2</wp:wxr_version>\n<item>\n<wp:post_id>1</wp:post_id>\n";
    let (read, error) = first_error(export);
    assert_eq!(read, 0);
    assert_eq!(error.line, 5);
    assert_eq!(error.reason, "the file ends inside <item>: it was cut off");

    let (_, error) = first_error(b"<rss>\n<channel>\n<title>x</title>\n");
    assert_eq!(error.to_string(), "line 3: the file ends inside <channel>: it was cut off");
}

#[test]
fn not_an_export_at_all() {
    let (_, error) = first_error(b"<!DOCTYPE html>\n<html><body>Hello</body></html>");
    assert_eq!(
        error.to_string(),
        "line 2: this is not a WordPress export: the document is <html>, not <rss>"
    );

    let (_, error) = first_error(b"name,email\nada,ada@example.org\n");
    assert_eq!(error.line, 1);
    assert!(error.reason.starts_with("this is not a WordPress export"), "{error}");

    let (_, error) = first_error(b"");
    assert_eq!(
        error.to_string(),
        "line 1: this is not a WordPress export: the file has no XML element"
    );
}

#[test]
fn an_rss_feed_is_not_an_export() {
    let feed = b"<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Feed</title>\n<item><title>Post</title><link>https://e.org/1</link></item>\n</channel></rss>";
    let (_, error) = first_error(feed);
    assert_eq!(error.line, 3);
    assert!(error.reason.contains("no wp:post_type"), "{error}");
}

#[test]
fn a_post_without_an_id() {
    let export = b"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><wp:wxr_version>1.2</wp:wxr_version>\n\
        <item><wp:post_type>page</wp:post_type></item>\n\
        <item><title>No id</title>\n<wp:post_type>post</wp:post_type>\n</item>\n</channel></rss>";
    let (read, error) = first_error(export);
    // A page without an id is still only skipped; a post without one is an error.
    assert_eq!(read, 1);
    assert_eq!(error.to_string(), "line 5: a post has no wp:post_id");
}

#[test]
fn invalid_utf8() {
    let mut export = b"<rss xmlns:wp=\"http://wordpress.org/export/1.2/\"><channel><wp:wxr_version>1.2</wp:wxr_version>\n\
        <item><title>caf"
        .to_vec();
    export.extend_from_slice(&[0xE9, b'<']);
    export.extend_from_slice(b"/title><wp:post_id>1</wp:post_id></item></channel></rss>");
    let (_, error) = first_error(&export);
    assert_eq!(error.to_string(), "line 2: the file is not valid UTF-8 text");
}

#[test]
fn entity_declarations_are_refused() {
    let laughs = b"<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">\n]>\n<rss><channel><title>&b;</title></channel></rss>";
    let (_, error) = first_error(laughs);
    assert_eq!(error.line, 5);
    assert!(error.reason.contains("declares its own XML entities"), "{error}");
}

#[test]
fn other_encodings_are_refused() {
    let (_, error) = first_error(b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<rss/>");
    assert_eq!(error.line, 1);
    assert!(error.reason.contains("\"iso-8859-1\"") && error.reason.contains("UTF-8"), "{error}");
}

#[test]
fn an_error_display_is_line_then_reason() {
    let (_, error) = first_error(b"<rss>\n<channel>\n</rss>");
    assert_eq!(error.to_string(), format!("line {}: {}", error.line, error.reason));
    assert_eq!(error.line, 3);
}

#[test]
fn a_utf8_byte_order_mark_is_fine_and_utf16_is_refused() {
    let mut export = b"\xEF\xBB\xBF".to_vec();
    export.extend_from_slice(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss><channel><title>BOM</title></channel></rss>");
    let reader = WxrReader::new(export.as_slice());
    assert_eq!(reader.channel().title, "BOM");
    assert_eq!(read_from(reader), (vec![], None));

    let utf16: Vec<u8> = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss/>"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let (_, error) = first_error(&utf16);
    assert_eq!(error.line, 1);
    assert!(error.reason.contains("UTF-8"), "{error}");
}
