//! The plumbing both readers share: a byte source that knows which line it has reached,
//! quick-xml's errors in plain words, references resolved without ever expanding a declared
//! entity, and the escaping and decoding of HTML text.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};

use quick_xml::XmlVersion;
use quick_xml::errors::{Error as XmlError, IllFormedError};
use quick_xml::events::{BytesRef, BytesStart};

/// A [`BufRead`] that counts the newlines in the bytes its reader has consumed, so an
/// error can name the line it was found on without anyone keeping the file.
pub(crate) struct CountingReader<R> {
    inner: R,
    newlines: u64,
    last_was_newline: bool,
}

impl<R: BufRead> CountingReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        CountingReader { inner, newlines: 0, last_was_newline: false }
    }

    /// The 1-based line of the last byte consumed (line 1 before anything is read). A
    /// newline belongs to the line it ends, so a file cut off after a final newline is
    /// reported on its last line, not on an empty one after it.
    pub(crate) fn line(&self) -> u64 {
        1 + self.newlines - u64::from(self.last_was_newline)
    }

    /// The 1-based line of the next byte to be consumed.
    pub(crate) fn next_line(&self) -> u64 {
        1 + self.newlines
    }
}

impl<R: BufRead> Read for CountingReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CountingReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        if amount > 0
            && let Ok(buffered) = self.inner.fill_buf()
        {
            // `consume` is only ever called with bytes that `fill_buf` returned, which
            // are still buffered: asking again reads nothing new.
            let consumed = &buffered[..amount.min(buffered.len())];
            self.newlines += consumed.iter().filter(|&&b| b == b'\n').count() as u64;
            if let Some(&last) = consumed.last() {
                self.last_was_newline = last == b'\n';
            }
        }
        self.inner.consume(amount);
    }
}

/// quick-xml's error, in words a person importing a file can act on.
pub(crate) fn describe(error: &XmlError) -> String {
    match error {
        XmlError::IllFormed(IllFormedError::MismatchedEndTag { expected, found }) => {
            format!("the end tag </{found}> does not match the open element <{expected}>")
        }
        XmlError::IllFormed(IllFormedError::UnmatchedEndTag(name)) => {
            format!("the end tag </{name}> closes an element that was never opened")
        }
        XmlError::IllFormed(IllFormedError::MissingEndTag(name)) => {
            format!("the element <{name}> is never closed")
        }
        XmlError::IllFormed(other) => format!("the XML is not well-formed: {other}"),
        XmlError::Syntax(e) => format!("the XML is broken: {e}"),
        XmlError::Encoding(_) => "the file is not valid UTF-8 text".to_string(),
        XmlError::Io(e) if e.kind() == io::ErrorKind::InvalidData => {
            "the file is not valid UTF-8 text".to_string()
        }
        XmlError::Io(e) => format!("the file could not be read: {e}"),
        XmlError::InvalidAttr(e) => format!("an attribute is malformed: {e}"),
        XmlError::Escape(e) => format!("a character or entity reference is malformed: {e}"),
        XmlError::Namespace(e) => format!("a namespace declaration is malformed: {e}"),
    }
}

/// Whether a DOCTYPE declares entities: refused outright, since expanding them is how a
/// small file becomes gigabytes ("billion laughs"). A plain `<!DOCTYPE rss>` is fine.
pub(crate) fn declares_entities(doctype: &str) -> bool {
    doctype.to_ascii_uppercase().contains("<!ENTITY")
}

/// The text an entity or character reference in text stands for. XML's five and
/// character references resolve; any other name stays as written (`&nbsp;`), which for
/// HTML content is what its author meant and for plain text is left for
/// [`decode_html_references`].
pub(crate) fn resolve_reference(reference: &BytesRef<'_>) -> Cow<'static, str> {
    if let Ok(Some(c)) = reference.resolve_char_ref() {
        return Cow::Owned(c.to_string());
    }
    let name: &str = reference;
    match name {
        "amp" => Cow::Borrowed("&"),
        "lt" => Cow::Borrowed("<"),
        "gt" => Cow::Borrowed(">"),
        "quot" => Cow::Borrowed("\""),
        "apos" => Cow::Borrowed("'"),
        _ => Cow::Owned(format!("&{name};")),
    }
}

/// An attribute's value with references resolved; a value whose references cannot be
/// resolved is kept as written rather than failing the whole file.
pub(crate) fn attributes(start: &BytesStart<'_>) -> Vec<(String, String)> {
    let mut all = start.attributes();
    all.with_checks(false);
    all.flatten()
        .map(|a| {
            let key = String::from(a.key.as_ref());
            let value = match a.normalized_value(XmlVersion::Implicit1_0) {
                Ok(v) => v.into_owned(),
                Err(_) => String::from(&*a.value),
            };
            (key, value)
        })
        .collect()
}

/// Decodes the HTML character references a plain-text field (a title, an author's name)
/// may still carry after XML decoding: WordPress stores `&amp;` and `&#8217;` in titles.
/// Numeric references and a few common names decode; unknown names stay as written.
pub(crate) fn decode_html_references(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest[1..]
            .find(';')
            .filter(|&end| end > 0 && end <= 32)
            .and_then(|end| named_or_numeric(&rest[1..=end]).map(|c| (c, end + 2)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn named_or_numeric(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" | "#039" => '\'',
        "nbsp" => '\u{a0}',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "bull" => '•',
        "middot" => '·',
        "times" => '×',
        "euro" => '€',
        _ => return None,
    })
}

/// Escapes text for HTML, but leaves an `&` that already begins a character reference
/// alone, so text a WordPress editor already escaped is not escaped twice.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for (i, c) in text.char_indices() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '&' if begins_reference(&text[i..]) => out.push('&'),
            '&' => out.push_str("&amp;"),
            _ => out.push(c),
        }
    }
    out
}

fn begins_reference(at_amp: &str) -> bool {
    let body = &at_amp[1..];
    let Some(end) = body.find(';') else { return false };
    let name = &body[..end];
    if let Some(number) = name.strip_prefix('#') {
        let (digits, radix) = match number.strip_prefix(['x', 'X']) {
            Some(hex) => (hex, 16),
            None => (number, 10),
        };
        !digits.is_empty() && digits.len() <= 8 && digits.chars().all(|c| c.is_digit(radix))
    } else {
        !name.is_empty()
            && name.len() <= 32
            && name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counting_reader_names_the_line_of_the_last_byte_consumed() {
        let mut r = CountingReader::new("ab\ncd\n\nef".as_bytes());
        assert_eq!(r.line(), 1);
        r.consume(3);
        assert_eq!(r.line(), 1, "a newline belongs to the line it ends");
        r.consume(1);
        assert_eq!(r.line(), 2);
        r.consume(3);
        assert_eq!(r.line(), 3);
        r.consume(2);
        assert_eq!(r.line(), 4);
    }

    #[test]
    fn html_references_in_titles_decode_once() {
        assert_eq!(decode_html_references("Tom &amp; Jerry&#8217;s &#x2713;"), "Tom & Jerry’s ✓");
        assert_eq!(decode_html_references("AT&T &bogus; & done&"), "AT&T &bogus; & done&");
        assert_eq!(decode_html_references("&amp;amp;"), "&amp;");
    }

    #[test]
    fn escaping_keeps_existing_references() {
        assert_eq!(
            escape_html("a < b && &lt;c&gt; &#39; &x"),
            "a &lt; b &amp;&amp; &lt;c&gt; &#39; &amp;x"
        );
    }
}
