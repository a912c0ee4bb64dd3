//! Cheap checks on a decoded XML document before the parser sees it: no entity declarations
//! (the "billion laughs" family) and bounded element nesting.

use crate::FeedError;

/// Walks the markup once (skipping comments, CDATA, processing instructions and quoted
/// attribute values), refusing a DOCTYPE that declares entities and nesting deeper than
/// `max_depth`. Unterminated markup ends the walk quietly: the parser reports it properly.
pub(crate) fn check_xml(text: &str, max_depth: usize) -> Result<(), FeedError> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(offset) = memchr(b'<', &bytes[i..]) {
        let at = i + offset;
        let rest = &bytes[at..];
        let skip_to = |end: &[u8]| find(rest, end).map(|e| at + e + end.len());
        let next = if rest.starts_with(b"<!--") {
            skip_to(b"-->")
        } else if rest.starts_with(b"<![CDATA[") {
            skip_to(b"]]>")
        } else if rest.starts_with(b"<?") {
            skip_to(b"?>")
        } else if rest.starts_with(b"<!DOCTYPE") || rest.starts_with(b"<!doctype") {
            let end = doctype_end(rest);
            let doctype = &rest[..end.unwrap_or(rest.len())];
            if find(doctype, b"<!ENTITY").is_some() {
                return Err(FeedError::DeclaresEntities);
            }
            end.map(|e| at + e)
        } else if rest.starts_with(b"<!") {
            skip_to(b">")
        } else if rest.starts_with(b"</") {
            depth = depth.saturating_sub(1);
            skip_to(b">")
        } else {
            let end = tag_end(rest);
            if let Some(end) = end
                && rest[end - 2] != b'/'
            {
                depth += 1;
                if depth > max_depth {
                    return Err(FeedError::TooDeep { limit: max_depth });
                }
            }
            end.map(|e| at + e)
        };
        match next {
            Some(next) => i = next,
            None => return Ok(()),
        }
    }
    Ok(())
}

/// Length of a start tag up to and including its `>`, skipping quoted attribute values.
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote = None;
    for (n, &b) in tag.iter().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'>') => return Some(n + 1),
            _ => {}
        }
    }
    None
}

/// Length of a DOCTYPE up to and including its final `>`, past any internal subset `[…]`.
fn doctype_end(doctype: &[u8]) -> Option<usize> {
    let mut quote = None;
    let mut in_subset = false;
    for (n, &b) in doctype.iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if q == b => quote = None,
            (None, b'[') => in_subset = true,
            (None, b']') => in_subset = false,
            (None, b'>') if !in_subset => return Some(n + 1),
            _ => {}
        }
    }
    None
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn billion_laughs_is_refused() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<rss version="2.0"><channel><title>&lol2;</title></channel></rss>"#;
        assert!(matches!(check_xml(doc, 256), Err(FeedError::DeclaresEntities)));
    }

    #[test]
    fn a_doctype_without_entities_and_markup_in_cdata_pass() {
        let doc = r#"<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><description><![CDATA[<!ENTITY x "y"> <a><b><c>]]></description><!-- <d><e> --></channel></rss>"#;
        assert!(check_xml(doc, 3).is_ok());
    }

    #[test]
    fn nesting_is_bounded_but_siblings_and_empty_elements_are_not_counted() {
        let deep = format!("{}{}", "<a>".repeat(300), "</a>".repeat(300));
        assert!(matches!(check_xml(&deep, 256), Err(FeedError::TooDeep { limit: 256 })));
        let wide = format!("<r>{}</r>", "<a x='>'/><b></b>".repeat(10_000));
        assert!(check_xml(&wide, 2).is_ok());
    }
}
