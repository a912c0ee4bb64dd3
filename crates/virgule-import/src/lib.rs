//! Readers for what a member brings from another site, without storage or network: a
//! WordPress export (WXR 1.0–1.2) read as a stream of posts with their comments, WordPress
//! post content turned into plain, well-formed HTML, and an OPML list of feed subscriptions.
//!
//! - [`wxr::WxrReader`] iterates over the `<item>`s of an export read from any
//!   [`std::io::BufRead`], holding one item at a time, so a file of any size imports in
//!   bounded memory; [`wxr::WxrReader::channel`] gives the site's title, URLs and categories.
//! - [`wxr::content_to_html`] removes Gutenberg block comments, resolves the common
//!   shortcodes and adds paragraphs as WordPress does when it shows a classic post. Its
//!   output still goes through `virgule-html`'s sanitizer before it is shown.
//! - [`opml::read_opml`] lists the feeds of an OPML 1.0 or 2.0 file, with their folders.
//!
//! ```
//! use virgule_import::wxr::{Record, WxrReader};
//!
//! let export = r#"<?xml version="1.0" encoding="UTF-8"?>
//! <rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"
//!      xmlns:content="http://purl.org/rss/1.0/modules/content/">
//! <channel><title>My blog</title><wp:wxr_version>1.2</wp:wxr_version>
//! <item><title>Hello</title><wp:post_id>7</wp:post_id><wp:post_type>post</wp:post_type>
//! <wp:status>publish</wp:status><content:encoded><![CDATA[First line
//!
//! Second paragraph]]></content:encoded></item>
//! </channel></rss>"#;
//! let mut reader = WxrReader::new(export.as_bytes());
//! assert_eq!(reader.channel().title, "My blog");
//! let Some(Ok(Record::Post(post))) = reader.next() else { panic!("one post") };
//! assert_eq!(post.wp_id, 7);
//! assert_eq!(post.content_html, "<p>First line</p>\n<p>Second paragraph</p>");
//! assert!(reader.next().is_none());
//! ```
//!
//! Nothing here reads a file or decides what to store: the caller opens the file, chooses
//! the member the posts go to, and sanitizes the HTML.

pub mod opml;
pub mod wxr;
mod xml;
