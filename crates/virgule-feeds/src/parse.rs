//! Feed bytes in, a parsed feed out: the size cap, the encoding ([`crate::decode()`]), then
//! Virgule's own liberal reader ([`crate::read`]), which refuses only hostile documents and
//! documents that are no feed, and reads past everything else with a warning.

use url::Url;

use crate::FeedError;
use crate::decode::{self, DecodeRule};
use crate::read::{self, RawFeed};

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

/// A feed as the reader understood it, before normalization ([`crate::normalize`]).
#[derive(Debug)]
pub struct ParsedFeed {
    pub(crate) feed: RawFeed,
    pub(crate) source_url: Option<Url>,
    pub(crate) encoding: &'static str,
    pub(crate) decode_rule: DecodeRule,
}

impl ParsedFeed {
    /// "rss0", "rss1", "rss2", "atom" (0.3 and 1.0) or "json" (JSON Feed 1.0 and 1.1).
    pub fn format(&self) -> &'static str {
        self.feed.format
    }

    /// The encoding the bytes were decoded from, and the rule that chose it.
    pub fn encoding(&self) -> (&'static str, DecodeRule) {
        (self.encoding, self.decode_rule)
    }

    /// What was odd and read past so far (encoding, versions, entities, dates, a cut-off
    /// document, …).
    pub fn warnings(&self) -> &[String] {
        &self.feed.warnings
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

/// Parses a feed: refuses oversized bodies, decodes to UTF-8 ([`crate::decode()`]), then
/// reads it, refusing XML that declares entities or nests too deeply.
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
    let mut feed = read::read(&decoded.text, limits.max_depth, source_url)?;
    let mut warnings = decoded.warnings;
    warnings.append(&mut feed.warnings);
    feed.warnings = warnings;
    Ok(ParsedFeed {
        feed,
        source_url: source_url.cloned(),
        encoding: decoded.encoding,
        decode_rule: decoded.rule,
    })
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
            // Some may parse (the reader is liberal); none may panic.
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
