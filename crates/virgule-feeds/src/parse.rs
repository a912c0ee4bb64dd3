//! Our seam over feed-rs: feed bytes (any supported format and encoding) in, a parsed feed
//! out, with hostile input refused before it reaches the parser.

use std::panic::{AssertUnwindSafe, catch_unwind};

use feed_rs::model::{Feed, FeedType};
use url::Url;

use crate::atom_extras::{self, AtomExtras};
use crate::decode::{self, DecodeRule};
use crate::{FeedError, guard};

/// Bounds on what [`parse_with_limits`] accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest body accepted, in bytes (after any HTTP decompression).
    pub max_bytes: usize,
    /// Deepest element nesting accepted in XML feeds.
    pub max_depth: usize,
}

impl Default for Limits {
    /// 16 MiB and 256 levels: far beyond any real feed, well short of hurting us.
    fn default() -> Self {
        Limits { max_bytes: 16 * 1024 * 1024, max_depth: 256 }
    }
}

/// A feed as the parser understood it, before normalization ([`crate::normalize`]).
#[derive(Debug)]
pub struct ParsedFeed {
    pub(crate) feed: Feed,
    pub(crate) format: &'static str,
    pub(crate) source_url: Option<Url>,
    pub(crate) atom_extras: Option<AtomExtras>,
    pub(crate) encoding: &'static str,
    pub(crate) decode_rule: DecodeRule,
    pub(crate) warnings: Vec<String>,
}

impl ParsedFeed {
    /// "rss0", "rss1", "rss2", "atom" (0.3 and 1.0) or "json" (JSON Feed 1.0 and 1.1).
    pub fn format(&self) -> &'static str {
        self.format
    }

    /// The encoding the bytes were decoded from, and the rule that chose it.
    pub fn encoding(&self) -> (&'static str, DecodeRule) {
        (self.encoding, self.decode_rule)
    }

    /// Problems noticed so far (encoding guesses and disagreements).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// How many entries the feed has.
    pub fn entry_count(&self) -> usize {
        self.feed.entries.len()
    }
}

/// Parses a feed with the default [`Limits`]. `content_type` is the HTTP `Content-Type` (for
/// its charset); `source_url` is the feed's final URL, against which relative links resolve.
pub fn parse(
    bytes: &[u8],
    content_type: Option<&str>,
    source_url: Option<&Url>,
) -> Result<ParsedFeed, FeedError> {
    parse_with_limits(bytes, content_type, source_url, Limits::default())
}

/// Parses a feed: refuses oversized bodies, decodes to UTF-8 ([`crate::decode()`]), refuses XML
/// that declares entities or nests too deeply, then hands the text to feed-rs.
pub fn parse_with_limits(
    bytes: &[u8],
    content_type: Option<&str>,
    source_url: Option<&Url>,
    limits: Limits,
) -> Result<ParsedFeed, FeedError> {
    if bytes.len() > limits.max_bytes {
        return Err(FeedError::TooLarge { size: bytes.len(), limit: limits.max_bytes });
    }
    let decoded = decode::decode(bytes, content_type);
    let text = atom03_as_atom10(decoded.text);
    let is_json = text.trim_start().starts_with('{');
    if !is_json {
        guard::check_xml(&text, limits.max_depth)?;
    }

    // Our own id rules apply (normalize): feed-rs's generated ids (hashes, random UUIDs)
    // must not fill the gap. Its optional sanitizer is ours to apply, not feed-rs's.
    let parser = feed_rs::parser::Builder::new()
        .base_uri(source_url.map(Url::as_str))
        .id_generator(|_links, _title, _uri| String::new())
        .sanitize_content(false)
        .build();
    // feed-rs has a few unwraps on paths we believe unreachable; a feed must never take the
    // process down, so a panic there becomes this feed's error.
    let feed = catch_unwind(AssertUnwindSafe(|| parser.parse(text.as_bytes())))
        .map_err(|_| FeedError::Unreadable("the feed parser failed on this document".into()))?
        .map_err(|e| FeedError::Unreadable(e.to_string()))?;

    let format = match feed.feed_type {
        FeedType::Atom => "atom",
        FeedType::JSON => "json",
        FeedType::RSS0 => "rss0",
        FeedType::RSS1 => "rss1",
        FeedType::RSS2 => "rss2",
    };
    let atom_extras = if feed.feed_type == FeedType::Atom {
        atom_extras::scan(&text, source_url)
            .filter(|extras| extras.entries.len() == feed.entries.len())
    } else {
        None
    };
    Ok(ParsedFeed {
        feed,
        format,
        source_url: source_url.cloned(),
        atom_extras,
        encoding: decoded.encoding,
        decode_rule: decoded.rule,
        warnings: decoded.warnings,
    })
}

/// feed-rs only knows Atom 1.0's namespace, and skips every element of an Atom 0.3 feed
/// (`http://purl.org/atom/ns#`); the two share element names for everything it maps, so
/// Atom 0.3 is read as Atom 1.0. Only namespace declarations (`="…"`) are rewritten.
fn atom03_as_atom10(text: String) -> String {
    const ATOM03: &str = "http://purl.org/atom/ns#";
    const ATOM10: &str = "http://www.w3.org/2005/Atom";
    if !text.contains(ATOM03) {
        return text;
    }
    text.replace(&format!("=\"{ATOM03}\""), &format!("=\"{ATOM10}\""))
        .replace(&format!("='{ATOM03}'"), &format!("='{ATOM10}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_bodies_are_refused_before_parsing() {
        let limits = Limits { max_bytes: 10, ..Limits::default() };
        let err =
            parse_with_limits(b"<rss version=\"2.0\"></rss>", None, None, limits).unwrap_err();
        assert!(matches!(err, FeedError::TooLarge { size: 25, limit: 10 }));
    }

    #[test]
    fn billion_laughs_is_refused_with_the_entity_message() {
        let doc = br#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>
<rss version="2.0"><channel><title>&lol2;</title></channel></rss>"#;
        let err = parse(doc, None, None).unwrap_err();
        assert_eq!(err.to_string(), "the feed declares XML entities, which are not accepted");
    }

    #[test]
    fn deeply_nested_xml_is_refused() {
        let doc = format!(
            "<rss version=\"2.0\"><channel><item><description>{}{}</description></item></channel></rss>",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let err = parse(doc.as_bytes(), None, None).unwrap_err();
        assert!(matches!(err, FeedError::TooDeep { limit: 256 }), "{err}");
    }

    #[test]
    fn nesting_within_the_limit_and_a_plain_doctype_are_accepted() {
        let doc = format!(
            "<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n\
             <rss version=\"0.91\"><channel><title>t</title><item><title>i</title><description>{}x{}</description></item></channel></rss>",
            "<div>".repeat(200),
            "</div>".repeat(200)
        );
        let parsed = parse(doc.as_bytes(), None, None).expect("accepted");
        assert_eq!((parsed.format(), parsed.entry_count()), ("rss0", 1));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            b"\x00\xff\xfe\x01garbage".to_vec(),
            b"<".to_vec(),
            b"{".to_vec(),
            b"{\"version\": \"https://jsonfeed.org/version/9\"}".to_vec(),
            b"<html><body>not a feed</body></html>".to_vec(),
            b"<rss version=\"2.0\"><channel><item><title>x</titl".to_vec(),
            b"<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><content type=\"bogus/\">x</content></entry></feed>".to_vec(),
            b"\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss".to_vec(),
        ];
        // Deterministic pseudo-random bytes, some starting like a feed.
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for n in 0..200 {
            let mut bytes =
                if n % 2 == 0 { b"<rss version=\"2.0\"><channel>".to_vec() } else { vec![] };
            for _ in 0..(n * 7 % 300) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let alphabet = b"<>/&;\"'=abc \n\x80\xff!?[]-";
                bytes.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            inputs.push(bytes);
        }
        for input in inputs {
            // Some may parse (feed-rs is lenient); none may panic.
            if let Err(e) = parse(&input, None, None) {
                assert!(!e.to_string().is_empty());
            }
        }
        assert!(parse(b"\x00\xff\xfe\x01garbage", None, None).is_err());
    }

    #[test]
    fn formats_are_named() {
        let cases: [(&str, &str); 5] = [
            ("<rss version=\"2.0\"><channel><title>t</title></channel></rss>", "rss2"),
            ("<rss version=\"0.91\"><channel><title>t</title></channel></rss>", "rss0"),
            (
                "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\"><channel><title>t</title></channel></rdf:RDF>",
                "rss1",
            ),
            ("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title></feed>", "atom"),
            (
                "{\"version\":\"https://jsonfeed.org/version/1\",\"title\":\"t\",\"items\":[]}",
                "json",
            ),
        ];
        for (doc, format) in cases {
            assert_eq!(
                parse(doc.as_bytes(), None, None).map(|p| p.format()).ok(),
                Some(format),
                "{doc}"
            );
        }
    }
}
