//! Feed bytes to UTF-8 text, choosing the character encoding the way docs/design.md §3 says (BOM,
//! then HTTP charset, then XML declaration, then UTF-8 validity, then windows-1252), so that
//! mis-labelled feeds do not turn into mojibake.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Which rule of the decoding order chose the encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeRule {
    /// A byte-order mark (UTF-8, UTF-16LE or UTF-16BE).
    Bom,
    /// The `charset` parameter of the HTTP `Content-Type`.
    HttpCharset,
    /// The `encoding="…"` of the XML declaration.
    XmlDeclaration,
    /// Nothing usable was declared and the bytes are valid UTF-8.
    Utf8Validity,
    /// The last resort: nothing usable was declared and the bytes are not valid UTF-8.
    Windows1252Fallback,
}

/// The text of a feed, with how its encoding was chosen.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The document as UTF-8; an XML declaration now says `encoding="UTF-8"` so that the
    /// parser does not decode it a second time.
    pub text: String,
    /// The encoding the bytes were decoded from (its WHATWG name, e.g. "windows-1252").
    pub encoding: &'static str,
    /// The rule that chose it.
    pub rule: DecodeRule,
    /// Disagreements and guesses worth showing to the feed's owner.
    pub warnings: Vec<String>,
}

/// Decodes feed bytes to UTF-8. `content_type` is the HTTP `Content-Type` header, if any.
/// Never fails: malformed sequences become U+FFFD (with a warning).
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let mut warnings = Vec::new();
    let http_label = content_type.and_then(charset_param);
    let xml_label = xml_declared_encoding(bytes);

    let (encoding, rule, body) =
        choose(bytes, http_label.as_deref(), xml_label.as_deref(), &mut warnings);

    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    if had_errors {
        warnings.push(format!(
            "the feed has bytes that are not valid {}; they were replaced with U+FFFD",
            encoding.name()
        ));
    }
    Decoded { text: rewrite_declaration(&text), encoding: encoding.name(), rule, warnings }
}

/// Applies the decoding order; returns the encoding, the rule, and the bytes to decode
/// (without a BOM).
fn choose<'a>(
    bytes: &'a [u8],
    http_label: Option<&str>,
    xml_label: Option<&str>,
    warnings: &mut Vec<String>,
) -> (&'static Encoding, DecodeRule, &'a [u8]) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        for (what, label) in [("HTTP charset", http_label), ("XML declaration", xml_label)] {
            if let Some(declared) = label.and_then(known_encoding)
                && !same_family(declared, encoding)
            {
                warnings.push(format!(
                    "the {what} says {}, but a byte-order mark says {}; using {}",
                    declared.name(),
                    encoding.name(),
                    encoding.name()
                ));
            }
        }
        return (encoding, DecodeRule::Bom, &bytes[bom_len..]);
    }

    let utf8_valid = std::str::from_utf8(bytes).is_ok();
    for (what, rule, label) in [
        ("HTTP charset", DecodeRule::HttpCharset, http_label),
        ("XML declaration", DecodeRule::XmlDeclaration, xml_label),
    ] {
        let Some(label) = label else { continue };
        let Some(encoding) = known_encoding(label) else {
            warnings.push(format!("the {what} names an unknown encoding \"{label}\"; ignored"));
            continue;
        };
        // A document decoded here is UTF-8, so the UTF-16 labels cannot be right without a BOM.
        if encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE {
            warnings.push(format!(
                "the {what} says {} but there is no byte-order mark; ignored",
                encoding.name()
            ));
            continue;
        }
        if encoding == UTF_8 && !utf8_valid {
            warnings
                .push(format!("the {what} says UTF-8, but the bytes are not valid UTF-8; ignored"));
            continue;
        }
        if rule == DecodeRule::HttpCharset
            && let Some(xml) = xml_label.and_then(known_encoding)
            && xml != encoding
        {
            warnings.push(format!(
                "the HTTP charset says {} but the XML declaration says {}; using {}",
                encoding.name(),
                xml.name(),
                encoding.name()
            ));
        }
        return (encoding, rule, bytes);
    }

    if utf8_valid {
        return (UTF_8, DecodeRule::Utf8Validity, bytes);
    }
    warnings.push(
        "the feed declares no usable encoding and is not valid UTF-8; decoded as windows-1252"
            .into(),
    );
    (WINDOWS_1252, DecodeRule::Windows1252Fallback, bytes)
}

fn known_encoding(label: &str) -> Option<&'static Encoding> {
    // "replacement" is what WHATWG maps dangerous legacy labels to; it decodes to nothing useful.
    Encoding::for_label(label.trim().as_bytes()).filter(|e| *e != encoding_rs::REPLACEMENT)
}

/// A BOM says UTF-16LE while a prolog says "UTF-16": that is agreement, not a conflict.
fn same_family(a: &'static Encoding, b: &'static Encoding) -> bool {
    let utf16 = |e: &'static Encoding| e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE;
    a == b || (utf16(a) && utf16(b))
}

/// The `charset` parameter of a `Content-Type` header value, unquoted.
fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let value = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        (!value.is_empty()).then(|| value.to_string())
    })
}

/// The `encoding` pseudo-attribute of an XML declaration at the start of `bytes` (ASCII-
/// compatible encodings only, which is all a declaration without a BOM can be in practice).
fn xml_declared_encoding(bytes: &[u8]) -> Option<String> {
    // A UTF-8 BOM may precede the declaration (and disagree with it).
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[start..];
    if !rest.starts_with(b"<?xml") {
        return None;
    }
    let end = find(rest, b"?>").filter(|&end| end < 1024)?;
    let decl = std::str::from_utf8(&rest[..end]).ok()?;
    pseudo_attribute(decl, "encoding").map(str::to_string)
}

/// The value of `name="value"` (or single quotes) inside an XML declaration.
fn pseudo_attribute<'a>(decl: &'a str, name: &str) -> Option<&'a str> {
    let mut search = decl;
    while let Some(at) = search.find(name) {
        let after = search[at + name.len()..].trim_start();
        if let Some(after_eq) = after.strip_prefix('=') {
            let after_eq = after_eq.trim_start();
            let quote = after_eq.chars().next().filter(|c| *c == '"' || *c == '\'')?;
            let value = &after_eq[1..];
            let close = value.find(quote)?;
            return Some(&value[..close]);
        }
        search = &search[at + name.len()..];
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Rewrites a leading XML declaration so it says UTF-8: the text is UTF-8 now, and a parser
/// reading the declaration would otherwise decode it again from the declared encoding.
fn rewrite_declaration(text: &str) -> String {
    let trimmed = text.trim_start();
    if let Some(rest) = trimmed.strip_prefix("<?xml")
        && rest.starts_with(|c: char| c.is_ascii_whitespace() || c == '?')
        && let Some(end) = trimmed.find("?>")
    {
        let decl = &trimmed[..end];
        let version = pseudo_attribute(decl, "version").unwrap_or("1.0");
        let version = if version == "1.1" { "1.1" } else { "1.0" };
        return format!("<?xml version=\"{version}\" encoding=\"UTF-8\"?>{}", &trimmed[end + 2..]);
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_smart_quotes_under_a_utf8_prolog_decode_with_a_warning() {
        let bytes =
            b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss><t>\x93quoted\x94 caf\xe9</t></rss>";
        let d = decode(bytes, None);
        assert_eq!(d.rule, DecodeRule::Windows1252Fallback);
        assert!(d.text.contains("\u{201c}quoted\u{201d} caf\u{e9}"), "{}", d.text);
        assert!(d.text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(
            d.warnings.iter().any(|w| w.contains("says UTF-8, but the bytes are not valid UTF-8"))
        );
    }

    #[test]
    fn utf16_with_bom_decodes() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss>h\u{e9}llo \u{2603}</rss>";
        for (bom, units) in [
            ([0xFF, 0xFE], doc.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()),
            ([0xFE, 0xFF], doc.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<u8>>()),
        ] {
            let bytes = [bom.as_slice(), &units].concat();
            let d = decode(&bytes, Some("application/xml; charset=iso-8859-1"));
            assert_eq!(d.rule, DecodeRule::Bom);
            assert!(d.text.ends_with("<rss>h\u{e9}llo \u{2603}</rss>"), "{}", d.text);
            assert!(d.text.contains("encoding=\"UTF-8\""));
            assert!(d.warnings.iter().any(|w| w.contains("HTTP charset")), "{:?}", d.warnings);
        }
    }

    #[test]
    fn http_charset_wins_over_the_prolog_and_the_disagreement_is_noted() {
        let d = decode(
            b"<?xml version='1.0' encoding='utf-8'?><a>\xe9</a>",
            Some("text/xml; charset=\"ISO-8859-1\""),
        );
        assert_eq!(d.rule, DecodeRule::HttpCharset);
        assert_eq!(d.encoding, "windows-1252");
        assert!(d.text.ends_with("<a>\u{e9}</a>"));
        assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    }

    #[test]
    fn prolog_encoding_is_used_when_http_says_nothing() {
        let d = decode(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><a>\xa4</a>",
            Some("text/xml"),
        );
        assert_eq!(d.rule, DecodeRule::XmlDeclaration);
        assert!(d.text.ends_with("<a>\u{20ac}</a>"));
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn unknown_declared_encoding_is_ignored() {
        let d = decode("<?xml version=\"1.0\" encoding=\"x-klingon\"?><a>é</a>".as_bytes(), None);
        assert_eq!(d.rule, DecodeRule::Utf8Validity);
        assert!(d.text.ends_with("<a>é</a>"));
        assert!(d.warnings[0].contains("unknown encoding"));
    }

    #[test]
    fn undeclared_utf8_and_undeclared_legacy_bytes() {
        assert_eq!(decode("{\"a\":\"é\"}".as_bytes(), None).rule, DecodeRule::Utf8Validity);
        let d = decode(b"<a>\x93x\x94</a>", None);
        assert_eq!(d.rule, DecodeRule::Windows1252Fallback);
        assert_eq!(d.text, "<a>\u{201c}x\u{201d}</a>");
    }
}
