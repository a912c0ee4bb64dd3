//! The five targets: each runs one input through the same calls production makes, checks
//! what is cheap to check about the result, and returns the result's shape (a hash the
//! harness uses to tell new behaviour) or the invariant it saw broken.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use url::Url;
use virgule_import::wxr::{Record, WxrReader};
use virgule_store::site::{SiteRecord, parse_line, read_records, to_line};

use crate::check::html_is_safe;

/// One thing to fuzz.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// The name on the command line and of the seed directory.
    pub name: &'static str,
    /// Runs one input: its shape, or the broken invariant. Panics are the harness's to catch.
    pub run: fn(&[u8]) -> Result<u64, String>,
    /// Tokens of the target's grammar for the mutator, beside the common ones.
    pub tokens: &'static [&'static [u8]],
}

/// Every target, in the order `all` runs them.
pub const TARGETS: &[Target] = &[
    Target { name: "feed", run: feed, tokens: FEED_TOKENS },
    Target { name: "sanitize", run: sanitize, tokens: &[] },
    Target { name: "markdown", run: markdown, tokens: MARKDOWN_TOKENS },
    Target { name: "wxr", run: wxr, tokens: WXR_TOKENS },
    Target { name: "site-import", run: site_import, tokens: SITE_TOKENS },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The fetch time every fuzzed feed is read at (the corpus's).
static NOW: LazyLock<DateTime<Utc>> = LazyLock::new(|| {
    DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").map(Into::into).unwrap_or_default()
});

/// The final URL every fuzzed feed is fetched from.
static FEED_URL: LazyLock<Url> =
    LazyLock::new(|| Url::parse("https://blog.example/feed/").unwrap_or_else(|e| panic!("{e}")));

const FEED_TOKENS: &[&[u8]] = &[
    b"Content-Type: application/rss+xml; charset=utf-8\n",
    b"Content-Type: text/xml; charset=iso-8859-1\n",
    b"Content-Type: application/json\n",
    b"Content-Type: application/atom+xml; charset=utf-16\n",
    b"Content-Type: text/html\n",
    b"<?xml version=\"1.0\" encoding=\"utf-16\"?>",
    b"<?xml version=\"1.0\" encoding=\"windows-1252\"?>",
    b"<rss version=\"2.0\">",
    b"<channel>",
    b"<item>",
    b"</item>",
    b"<guid isPermaLink=\"false\">",
    b"<link>",
    b"<description>",
    b"<content:encoded>",
    b"<pubDate>",
    b"<dc:date>",
    b"<feed xmlns=\"http://www.w3.org/2005/Atom\">",
    b"<entry>",
    b"<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">",
    b"<content type=\"html\">",
    b"<content mode=\"base64\">",
    b"<link rel=\"alternate\" href=\"",
    b"xml:base=\"",
    b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">",
    b"{\"version\":\"https://jsonfeed.org/version/1.1\",\"items\":[",
    b"{\"id\":\"1\",\"content_html\":\"",
    b"\"date_published\":\"",
    b"\"content_text\":\"",
];

const MARKDOWN_TOKENS: &[&[u8]] = &[
    b"\n\n",
    b"# ",
    b"> ",
    b"- [ ] ",
    b"- [x] ",
    b"1. ",
    b"```",
    b"~~~",
    b"    ",
    b"***",
    b"~~",
    b"**",
    b"__",
    b"`",
    b"\\",
    b"  \n",
    b"|---|---|\n",
    b"| a | b |\n",
    b"[^1]",
    b"[^1]: ",
    b"[x]: ",
    b"](",
    b"![",
    b"<https://",
    b"<person>",
    b"</person>",
    b"<proj>",
    b"</proj>",
];

const WXR_TOKENS: &[&[u8]] = &[
    b"<item>",
    b"</item>",
    b"<wp:post_type>post</wp:post_type>",
    b"<wp:post_type>",
    b"<wp:status>publish</wp:status>",
    b"<wp:post_id>",
    b"<wp:post_date_gmt>",
    b"0000-00-00 00:00:00",
    b"<content:encoded><![CDATA[",
    b"]]></content:encoded>",
    b"<wp:comment>",
    b"<wp:comment_approved>1</wp:comment_approved>",
    b"<wp:comment_parent>",
    b"<wp:category>",
    b"<wp:category_parent>",
    b"<category domain=\"post_tag\" nicename=\"",
    b"[caption",
    b"[/caption]",
    b"[gallery ids=\"1,2\"]",
    b"[[",
    b"]]",
    b"[code]",
    b"[/code]",
    b"[embed]",
    b"<!-- wp:paragraph -->",
    b"<!-- /wp:paragraph -->",
    b"xmlns:wp=\"http://wordpress.org/export/1.2/\"",
];

const SITE_TOKENS: &[&[u8]] = &[
    b"\n",
    b"{\"type\":\"",
    b"virgule-site",
    b"member",
    b"entry",
    b"reply",
    b"feed_item",
    b"project_person",
    b"end",
    b"\"version\":1",
    b"\"created_at\":\"2015-01-01T00:00:00Z\"",
    b"\"name\":\"",
    b"\"trust_level\":\"master\"",
    b"\"tags\":[",
    b"\"warnings\":",
    b"\"parent\":",
    b"\\n",
    b"\\\"",
    b"\\u2028",
    b"1.5",
    b"true",
    b"false",
];

/// Feed reading as the worker does it: `virgule_feeds::parse` (size cap, decoding, reading)
/// on the body with the response's `Content-Type` and final URL, `normalize` at the fetch
/// time, then the ingest plan against an empty diary. An input may start with a
/// `Content-Type: …` line, taken as the response's header.
fn feed(input: &[u8]) -> Result<u64, String> {
    let (content_type, body) = match input.strip_prefix(b"Content-Type: ") {
        Some(rest) => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let value = std::str::from_utf8(&rest[..end]).ok();
            (value, rest.get(end + 1..).unwrap_or_default())
        }
        None => (None, input),
    };
    let now = *NOW;
    let parsed = match virgule_feeds::parse(body, content_type, Some(&*FEED_URL)) {
        Ok(parsed) => parsed,
        Err(e) => return Ok(shape(("refused", words(&e.to_string())))),
    };
    let (format, (encoding, _)) = (parsed.format(), parsed.encoding());
    let warnings: Vec<String> = parsed.warnings().iter().map(|w| words(w)).collect();
    let feed = virgule_feeds::normalize(parsed, now);
    for entry in &feed.entries {
        if entry.published.is_some_and(|p| p > now) {
            return Err(format!("entry {:?} published {:?}, after now", entry.id, entry.published));
        }
        for html in [&entry.summary_html, &entry.content_html].into_iter().flatten() {
            html_is_safe(html).map_err(|e| format!("entry {:?}: {e}", entry.id))?;
        }
    }
    let title = virgule_syndication::plan::feed_title(&feed, &FEED_URL);
    let plan = virgule_syndication::plan::plan_ingest(&feed, &title, &HashMap::new(), now);
    if !plan.updates.is_empty() || plan.tombstoned != 0 {
        return Err("an empty diary got updates or tombstones".to_owned());
    }
    let mut identities = HashSet::new();
    let mut html_shape: u64 = 0;
    for draft in &plan.creates {
        if !identities.insert(&draft.identity) {
            return Err(format!("post {:?} planned twice", draft.identity));
        }
        if draft.published > now || draft.sort_at > now {
            return Err(format!("post {:?} dated after the fetch", draft.identity));
        }
        html_shape ^=
            html_is_safe(&draft.html).map_err(|e| format!("post {:?}: {e}", draft.identity))?;
    }
    Ok(shape((
        format,
        encoding,
        warnings,
        feed.entries.len().min(4),
        plan.creates.len().min(4),
        html_shape,
    )))
}

/// The sanitizer and its text helpers, on the input as text: [`virgule_html::sanitize`]
/// (whose output must be safe, and the same when sanitized again),
/// [`virgule_html::sanitize_with_base`], [`virgule_html::text_to_html`],
/// [`virgule_html::excerpt`] (never longer than asked) and [`virgule_html::searchable_text`]
/// (no control characters).
fn sanitize(input: &[u8]) -> Result<u64, String> {
    let text = String::from_utf8_lossy(input);
    let clean = virgule_html::sanitize(&text);
    let shape = html_is_safe(&clean)?;
    // A fixed point: what the sanitizer writes is what a browser reads back.
    let twice = virgule_html::sanitize(&clean);
    if twice != clean {
        return Err(format!("sanitizing again changed {clean:?} into {twice:?}"));
    }
    let based = virgule_html::sanitize_with_base(&text, "https://blog.example/2021/04/post/");
    html_is_safe(&based).map_err(|e| format!("with a base: {e}"))?;
    html_is_safe(&virgule_html::text_to_html(&text)).map_err(|e| format!("text_to_html: {e}"))?;
    let max_chars = input.len() % 300;
    let excerpt = virgule_html::excerpt(&text, max_chars);
    if excerpt.chars().count() > max_chars {
        return Err(format!("excerpt of {max_chars} chars is {:?}", excerpt));
    }
    let words = virgule_html::searchable_text(&clean);
    if let Some(c) = words.chars().find(|c| c.is_control()) {
        return Err(format!("searchable text holds the control character {c:?}"));
    }
    Ok(shape)
}

/// Markdown as a member writes it: [`virgule_html::markdown_to_html`], and
/// [`virgule_html::markdown_with_shortcuts`] with every shortcut the text names taken as a
/// known member or project; both outputs must be safe.
fn markdown(input: &[u8]) -> Result<u64, String> {
    let text = String::from_utf8_lossy(input);
    let shape = html_is_safe(&virgule_html::markdown_to_html(&text))?;
    let known = virgule_html::shortcuts::names(&text);
    let linked = virgule_html::markdown_with_shortcuts(&text, &known);
    html_is_safe(&linked).map_err(|e| format!("with shortcuts: {e}"))?;
    Ok(shape)
}

/// A WordPress export read as `virgule import wxr` reads it: the streaming reader, then each
/// post's and approved comment's HTML through the sanitizer (against the post's link, else
/// the blog's), as `virgule_site::imports` does. The reader ends after its one error.
fn wxr(input: &[u8]) -> Result<u64, String> {
    let reader = WxrReader::new(input);
    let channel = reader.channel();
    let base = channel
        .base_blog_url
        .clone()
        .or_else(|| channel.link.clone())
        .unwrap_or_else(|| "https://blog.example/".to_owned());
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut kinds = Vec::new();
    let mut failed = None;
    for record in reader {
        if let Some(line) = failed {
            return Err(format!("a record after the error on line {line}"));
        }
        if kinds.len() > input.len() {
            return Err("more records than bytes in the file".to_owned());
        }
        match record {
            Ok(Record::Post(post)) => {
                let base = post.link.as_deref().unwrap_or(&base);
                let html = virgule_html::sanitize_with_base(&post.content_html, base);
                html_is_safe(&html).map_err(|e| format!("post {}: {e}", post.wp_id))?;
                for comment in &post.comments {
                    let html = virgule_html::sanitize(&comment.content_html);
                    html_is_safe(&html).map_err(|e| format!("comment {}: {e}", comment.wp_id))?;
                }
                kinds.push(shape(("post", post.comments.len().min(3))));
            }
            Ok(Record::Skipped { kind, .. }) => kinds.push(shape(("skipped", kind))),
            Err(e) => {
                if e.line == 0 || e.line > lines + 1 {
                    return Err(format!("an error on line {} of a {lines}-line file: {e}", e.line));
                }
                kinds.push(shape(words(&e.reason)));
                failed = Some(e.line);
            }
        }
    }
    kinds.truncate(8);
    Ok(shape(kinds))
}

/// The reading half of `virgule import site`: `read_records` over the file, stopping at the
/// first bad line as the import does. Each record read must be written back by `to_line` as
/// one line that reads as the same record. (The checker between reading and the database,
/// `site::check`, is private to the store; it is reached only through `Store::import_site`.)
fn site_import(input: &[u8]) -> Result<u64, String> {
    let mut kinds = Vec::new();
    for (item, line) in read_records(input).zip(1_u64..) {
        let record = match item {
            Ok(record) => record,
            Err(e) => {
                kinds.push(shape(words(&e.to_string())));
                break;
            }
        };
        let written = to_line(&record);
        if written.contains('\n') {
            return Err(format!("line {line} written back over two lines: {written:?}"));
        }
        match parse_line(line, &written) {
            Ok(back) if back == record => {}
            Ok(back) => {
                return Err(format!(
                    "line {line} changed by its round trip: {record:?} → {back:?}"
                ));
            }
            Err(e) => return Err(format!("line {line} written back unreadable: {e}: {written:?}")),
        }
        kinds.push(shape(kind_of(&record)));
    }
    kinds.truncate(16);
    Ok(shape(kinds))
}

fn kind_of(record: &SiteRecord) -> &'static str {
    match record {
        SiteRecord::Header(_) => "header",
        SiteRecord::Member(_) => "member",
        SiteRecord::ApiToken(_) => "api_token",
        SiteRecord::Entry(_) => "entry",
        SiteRecord::Cert(_) => "cert",
        SiteRecord::Rating(_) => "rating",
        SiteRecord::Feed(_) => "feed",
        SiteRecord::FeedItem(_) => "feed_item",
        SiteRecord::News(_) => "news",
        SiteRecord::Article(_) => "article",
        SiteRecord::Reply(_) => "reply",
        SiteRecord::Project(_) => "project",
        SiteRecord::ProjectPerson(_) => "project_person",
        SiteRecord::End(_) => "end",
    }
}

/// A message's words without its numbers and quoted values: the kind of message it is.
fn words(message: &str) -> String {
    message
        .split(['"', '`'])
        .step_by(2)
        .flat_map(str::split_whitespace)
        .filter(|w| !w.starts_with(|c: char| c.is_ascii_digit()))
        .take(6)
        .collect::<Vec<_>>()
        .join(" ")
}

fn shape(value: impl Hash) -> u64 {
    let mut hasher = DefaultHasher::new();
    value.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_content_type_line_is_the_responses_header() {
        let body = br#"<rss version="2.0"><channel><title>Caf\xe9</title><item><guid>1</guid><description>&lt;p&gt;x&lt;script&gt;y()&lt;/script&gt;&lt;/p&gt;</description></item></channel></rss>"#;
        let with = [b"Content-Type: text/xml; charset=iso-8859-1\n".as_slice(), body].concat();
        assert!(feed(&with).is_ok());
        assert!(feed(body).is_ok());
        assert_ne!(feed(&with), feed(body), "the charset changes the decoding, so the shape");
    }

    #[test]
    fn message_words_drop_numbers_and_quoted_values() {
        assert_eq!(words(r#"line 12: no member "bob" at 3"#), "line no member at");
    }

    #[test]
    fn site_records_round_trip_and_bad_lines_stop_the_read() {
        let good = b"{\"type\":\"virgule-site\",\"version\":1,\"exported_at\":\"2015-01-01T00:00:00+02:00\"}\n";
        let ok = site_import(good).expect("a header reads");
        let bad = [good.as_slice(), b"{\"type\":\"nope\"}\n", good].concat();
        assert_ne!(site_import(&bad).expect("a bad line is no invariant"), ok);
    }
}
