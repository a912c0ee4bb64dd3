//! JSON Feed 1.0 and 1.1, read field by field from a `serde_json::Value` so that one odd
//! field (a number where a string belongs, an item that is not an object) costs that field,
//! not the feed: `author` (1.0) and `authors` (1.1), `content_html` before `content_text`,
//! numeric ids as their decimal string.

use serde_json::{Map, Value};

use super::{Link, Person, RawEntry, RawFeed, Text, date, entry_label, push_tag};
use crate::FeedError;

/// Reads a document that starts with `{`.
pub(super) fn read(text: &str) -> Result<RawFeed, FeedError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| FeedError::Unreadable(format!("the JSON is not valid: {e}")))?;
    let Value::Object(top) = value else {
        return Err(FeedError::Unreadable("the JSON document is not an object".into()));
    };
    let version = string(&top, "version");
    let items = top.get("items");
    if version.as_deref().is_none_or(|v| !v.contains("jsonfeed.org/version/")) && items.is_none() {
        return Err(FeedError::Unreadable(
            "the JSON document is not a JSON Feed: it has neither a JSON Feed version nor items"
                .into(),
        ));
    }

    let mut feed = RawFeed { format: "json", ..RawFeed::default() };
    match version.as_deref() {
        Some(v) if v.contains("jsonfeed.org/version/1") => {}
        Some(v) => {
            let shown: String = v.chars().take(60).collect();
            feed.warnings
                .push(format!("the JSON Feed version \"{shown}\" is not one we know; read as 1.1"));
        }
        None => feed.warnings.push("the JSON Feed has no version; read as 1.1".into()),
    }
    feed.title = string(&top, "title").map(Text::plain);
    feed.subtitle = string(&top, "description").map(Text::plain);
    if let Some(home) = string(&top, "home_page_url") {
        feed.links.push(Link { href: home, rel: None });
    }
    feed.id = string(&top, "feed_url");
    feed.language = string(&top, "language").map(|l| l.to_lowercase());
    feed.authors = authors(&top);

    match items {
        Some(Value::Array(items)) => {
            for (n, item) in items.iter().enumerate() {
                match item {
                    Value::Object(item) => {
                        let position = feed.entries.len();
                        let entry = read_item(item, position, &mut feed.warnings);
                        feed.entries.push(entry);
                    }
                    _ => feed.warnings.push(format!("item {} is not an object; skipped", n + 1)),
                }
            }
        }
        Some(_) => feed.warnings.push("\"items\" is not a list; no entries read".into()),
        None => feed.warnings.push("the JSON Feed has no \"items\"; no entries read".into()),
    }
    Ok(feed)
}

fn read_item(item: &Map<String, Value>, position: usize, warnings: &mut Vec<String>) -> RawEntry {
    let what = entry_label(position);
    let mut entry = RawEntry {
        id: string(item, "id"),
        title: string(item, "title").map(Text::plain),
        summary: string(item, "summary").map(Text::plain),
        content: string(item, "content_html")
            .map(Text::html)
            .or_else(|| string(item, "content_text").map(Text::plain)),
        authors: authors(item),
        ..RawEntry::default()
    };
    if let Some(url) = string(item, "url") {
        entry.links.push(Link { href: url, rel: None });
    }
    if let Some(external) = string(item, "external_url") {
        entry.links.push(Link { href: external, rel: Some("related".into()) });
    }
    if let Some(Value::Array(tags)) = item.get("tags") {
        for tag in tags.iter().filter_map(Value::as_str) {
            push_tag(&mut entry.tags, tag);
        }
    }
    entry.published = date(string(item, "date_published"), &what, warnings);
    entry.updated = date(string(item, "date_modified"), &what, warnings);
    entry
}

/// A string field, trimmed; a number is its decimal form; blank or any other type is absent.
fn string(object: &Map<String, Value>, key: &str) -> Option<String> {
    let text = match object.get(key)? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// `authors` (1.1), else `author` (1.0).
fn authors(object: &Map<String, Value>) -> Vec<Person> {
    let person = |value: &Value| {
        let Value::Object(author) = value else { return None };
        let person =
            Person { name: string(author, "name"), email: None, uri: string(author, "url") };
        (person.name.is_some() || person.uri.is_some()).then_some(person)
    };
    match (object.get("authors"), object.get("author")) {
        (Some(Value::Array(list)), _) => list.iter().filter_map(person).collect(),
        (_, Some(one)) => person(one).into_iter().collect(),
        _ => Vec::new(),
    }
}
