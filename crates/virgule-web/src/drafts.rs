//! Turning what a member typed into something storable: validation with readable messages,
//! Markdown or HTML rendered through the one sanitizer policy. Pure: no I/O.

use virgule_store::tags::{self, MAX_TAGS};
use virgule_store::{EntryDraft, EntryFormat};

use crate::error::Failure;

pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_BYTES: usize = 256 * 1024;

fn invalid(message: impl Into<String>) -> Failure {
    Failure::bad_request("invalid", message)
}

/// Validates and renders a diary entry. `format` is `"markdown"` or `"html"`.
pub fn compose_entry(
    title: &str,
    body: &str,
    format: &str,
    tags: &[String],
) -> Result<EntryDraft, Failure> {
    let format = EntryFormat::parse(format.trim())
        .ok_or_else(|| invalid("the format must be \"markdown\" or \"html\""))?;
    let title = clean_title(title)?;
    if body.trim().is_empty() {
        return Err(invalid("the entry has no text"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(invalid("an entry has at most 256 KiB of text"));
    }
    let html = render(format, body);
    if html.trim().is_empty() {
        return Err(invalid("nothing of the entry is left once unsafe HTML is removed"));
    }
    Ok(EntryDraft { title, format, body_source: body.to_owned(), html, tags: clean_tags(tags)? })
}

/// Renders a body in its format through the sanitizer.
pub fn render(format: EntryFormat, body: &str) -> String {
    match format {
        EntryFormat::Markdown => virgule_html::markdown_to_html(body),
        EntryFormat::Html => virgule_html::sanitize(body),
    }
}

/// A title is plain text on one line: trimmed, inner whitespace collapsed, bounded.
pub fn clean_title(title: &str) -> Result<String, Failure> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(invalid("a title has at most 200 characters"));
    }
    Ok(title)
}

/// Tags are lower-cased, trimmed, de-duplicated (first occurrence wins), without `/` or
/// control characters, at most 20 of at most 50 characters.
pub fn clean_tags(tags: &[String]) -> Result<Vec<String>, Failure> {
    let mut out: Vec<String> = Vec::new();
    for raw in tags {
        let Some(tag) = tags::normalize(raw).map_err(|e| invalid(e.to_string()))? else {
            continue;
        };
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(invalid(format!("an entry has at most {MAX_TAGS} tags")));
    }
    Ok(out)
}

/// Splits a form's comma-separated tag field.
pub fn split_tag_field(field: &str) -> Vec<String> {
    field.split(',').map(str::to_owned).collect()
}

/// Validates and renders a site news item (Markdown), returning (title, html).
pub fn compose_news(title: &str, body: &str) -> Result<(String, String), Failure> {
    let title = clean_title(title)?;
    if title.is_empty() {
        return Err(invalid("news needs a title"));
    }
    if body.trim().is_empty() {
        return Err(invalid("news needs some text"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(invalid("news has at most 256 KiB of text"));
    }
    Ok((title, virgule_html::markdown_to_html(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_validated_and_sanitized() {
        let draft = compose_entry(
            "  Hello \n world ",
            "Hi <script>alert(1)</script>*there*",
            "markdown",
            &[" Debian ".into(), "debian".into(), "".into(), "SE Linux".into()],
        )
        .unwrap();
        assert_eq!(draft.title, "Hello world");
        assert!(!draft.html.contains("script"));
        assert!(draft.html.contains("<em>there</em>"));
        assert_eq!(draft.tags, vec!["debian".to_string(), "se linux".to_string()]);

        assert!(compose_entry("t", "x", "latex", &[]).is_err());
        assert!(compose_entry("t", "   ", "html", &[]).is_err());
        assert!(compose_entry("t", "<script>x</script>", "html", &[]).is_err());
        assert!(compose_entry(&"t".repeat(201), "x", "html", &[]).is_err());
        assert!(compose_entry("t", "x", "html", &["a/b".into()]).is_err());
        let many = (0..21).map(|i| i.to_string()).collect::<Vec<_>>();
        assert!(compose_entry("t", "x", "html", &many).is_err());
    }

    #[test]
    fn tag_fields_split_on_commas() {
        assert_eq!(split_tag_field("a, b ,c"), vec!["a", " b ", "c"]);
    }
}
