//! `rel="ugc"` on the links of members the trust metric has not ranked (docs/trust.md
//! "Spam"): decided when a page is shown, since an author's level changes.

/// Adds `ugc` to the `rel` of every `<a>` in `html`, which must be this crate's output
/// (serialized by it: attribute values in double quotes, `"` inside them escaped, `<` in text
/// escaped). Everything else is left byte for byte.
pub fn add_ugc(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + 16);
    let mut rest = html;
    while let Some(at) = find_a_tag(rest) {
        out.push_str(&rest[..at]);
        let tag_and_after = &rest[at..];
        let end = tag_end(tag_and_after);
        out.push_str(&with_ugc(&tag_and_after[..end]));
        rest = &tag_and_after[end..];
    }
    out.push_str(rest);
    out
}

/// Where the next `<a` start tag begins (`<a` followed by a space or `>`).
fn find_a_tag(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut from = 0;
    while let Some(i) = s[from..].find("<a") {
        let at = from + i;
        match bytes.get(at + 2) {
            Some(b' ' | b'\t' | b'\n' | b'>') => return Some(at),
            _ => from = at + 2,
        }
    }
    None
}

/// The length of the start tag at the beginning of `s`, up to and including its `>` outside
/// quotes (the whole of `s` if it does not close).
fn tag_end(s: &str) -> usize {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// One start tag with `ugc` in its `rel`.
fn with_ugc(tag: &str) -> String {
    if let Some(at) = tag.find(" rel=\"") {
        let value_start = at + " rel=\"".len();
        let Some(len) = tag[value_start..].find('"') else { return tag.to_owned() };
        let value = &tag[value_start..value_start + len];
        if value.split_ascii_whitespace().any(|t| t.eq_ignore_ascii_case("ugc")) {
            return tag.to_owned();
        }
        let sep = if value.is_empty() { "" } else { " " };
        format!("{}{sep}ugc{}", &tag[..value_start + len], &tag[value_start + len..])
    } else {
        let close = if tag.ends_with("/>") {
            tag.len() - 2
        } else if tag.ends_with('>') {
            tag.len() - 1
        } else {
            tag.len()
        };
        format!("{} rel=\"ugc\"{}", &tag[..close], &tag[close..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_of_sanitized_html_gets_ugc_and_nothing_else_changes() {
        let html = crate::sanitize(
            r#"<p>See <a href="https://a.example/">a</a> and <a href="https://b.example/?x=1&amp;y=2" title="b > c">b</a>.</p><abbr title="x">y</abbr>"#,
        );
        let out = add_ugc(&html);
        assert_eq!(out.matches("rel=\"nofollow noopener noreferrer ugc\"").count(), 2, "{out}");
        assert_eq!(out.replace(" ugc\"", "\""), html);
    }

    #[test]
    fn rel_is_added_when_absent_and_ugc_not_doubled() {
        assert_eq!(add_ugc(r#"<a href="/x">x</a>"#), r#"<a href="/x" rel="ugc">x</a>"#);
        assert_eq!(add_ugc(r#"<a href="/x" rel="ugc">x</a>"#), r#"<a href="/x" rel="ugc">x</a>"#);
        assert_eq!(add_ugc(r#"<a rel="">x</a>"#), r#"<a rel="ugc">x</a>"#);
    }

    #[test]
    fn html_without_links_is_unchanged() {
        for html in
            ["", "<p>no links</p>", "<abbr>a</abbr><address>b</address>", "&lt;a href=x&gt;"]
        {
            assert_eq!(add_ugc(html), html);
        }
    }
}
