//! mod_virgule's markup shortcuts: `<person>NAME</person>` and `<proj>NAME</proj>` in what a
//! member writes become links to `/person/NAME/` and `/proj/NAME/` when such a member or
//! project exists, and plain text otherwise.
//!
//! Pure: the caller finds the candidate [`names`] in a text, asks its database which exist,
//! and hands those in as the known [`Names`]. [`expand`] rewrites HTML that has not been
//! sanitized yet (a member's HTML, or Markdown once rendered, where a shortcut typed inside a
//! code span is already escaped text and stays so); the sanitizer runs after it, so nothing
//! typed between the tags can add markup, and shortcut tags that are not rewritten (an
//! unknown tag to the policy) are unwrapped like any other.
//!
//! A shortcut is exactly `<person>` or `<proj>` (any case, spaces allowed before the `>`),
//! text without `<`, and the matching closing tag. The text, trimmed and lower-cased, must be
//! a name by the site's rule (1–32 characters of `[a-z0-9_-]`); anything else is left alone
//! for the sanitizer, so `<person>"><script></person>` links nothing and keeps nothing.

use std::collections::BTreeSet;

/// The longest name a member or project can have.
const MAX_NAME_CHARS: usize = 32;

/// Distinct names of one kind looked up per text: more are left as plain text, so that one
/// text cannot ask the database about thousands of names.
pub const MAX_NAMES: usize = 100;

/// Member and project names, as shortcuts refer to them (lower-case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub people: BTreeSet<String>,
    pub projects: BTreeSet<String>,
}

impl Names {
    pub fn is_empty(&self) -> bool {
        self.people.is_empty() && self.projects.is_empty()
    }
}

/// Which kind of shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Person,
    Project,
}

impl Kind {
    fn tag(self) -> &'static str {
        match self {
            Kind::Person => "person",
            Kind::Project => "proj",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Person => "/person/",
            Kind::Project => "/proj/",
        }
    }
}

/// One shortcut found at a `<` of the text.
struct Found<'t> {
    kind: Kind,
    /// The text between the tags, as written.
    inner: &'t str,
    /// The valid name it names, lower-cased, if it names one.
    name: Option<String>,
    /// Bytes from the `<` to the end of the closing tag.
    len: usize,
}

/// The names the shortcuts of `text` mention (at most [`MAX_NAMES`] of each kind), to be
/// looked up; the source of a Markdown or HTML text will do, as it holds every shortcut the
/// rendering can.
pub fn names(text: &str) -> Names {
    let mut names = Names::default();
    let mut rest = text;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        match shortcut_at(rest) {
            Some(found) => {
                if let Some(name) = found.name {
                    let set = match found.kind {
                        Kind::Person => &mut names.people,
                        Kind::Project => &mut names.projects,
                    };
                    if set.len() < MAX_NAMES {
                        set.insert(name);
                    }
                }
                rest = &rest[found.len..];
            }
            None => rest = &rest[1..],
        }
    }
    names
}

/// Rewrites the shortcuts of `html` (not yet sanitized): a known name becomes
/// `<a href="/person/NAME/">NAME</a>` (or `/proj/NAME/`), an unknown one its text as written;
/// anything that is not a shortcut of a valid name is left for the sanitizer.
pub fn expand(html: &str, known: &Names) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(found) = shortcut_at(rest) else {
            out.push('<');
            rest = &rest[1..];
            continue;
        };
        match &found.name {
            Some(name) => {
                let set = match found.kind {
                    Kind::Person => &known.people,
                    Kind::Project => &known.projects,
                };
                if set.contains(name) {
                    // The name is 1–32 of [a-z0-9_-]: nothing in it needs escaping.
                    out.push_str(&format!("<a href=\"{}{name}/\">{name}</a>", found.kind.path()));
                } else {
                    out.push_str(found.inner);
                }
                rest = &rest[found.len..];
            }
            None => {
                out.push('<');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The shortcut starting at the `<` that begins `text`, if one does.
fn shortcut_at(text: &str) -> Option<Found<'_>> {
    let (kind, open) = [Kind::Person, Kind::Project]
        .into_iter()
        .find_map(|k| Some((k, tag_len(text, k, false)?)))?;
    let body = &text[open..];
    let end = body.find('<')?;
    let close = tag_len(&body[end..], kind, true)?;
    let inner = &body[..end];
    Some(Found { kind, inner, name: name_of(inner), len: open + end + close })
}

/// The length of `<tag>` (or `</tag>` when `closing`) at the start of `text`, ASCII case
/// ignored, spaces allowed before the `>`.
fn tag_len(text: &str, kind: Kind, closing: bool) -> Option<usize> {
    let prefix = if closing { "</" } else { "<" };
    let rest = text.strip_prefix(prefix)?;
    let tag = kind.tag();
    if rest.len() < tag.len() || !rest.as_bytes()[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
    {
        return None;
    }
    let after = &rest[tag.len()..];
    let spaces = after.len() - after.trim_start_matches(|c: char| c.is_ascii_whitespace()).len();
    after[spaces..].starts_with('>').then_some(prefix.len() + tag.len() + spaces + 1)
}

/// The name a shortcut's text gives: trimmed, lower-cased, 1–32 of `[a-z0-9_-]`.
fn name_of(inner: &str) -> Option<String> {
    let name = inner.trim_matches(|c: char| c.is_ascii_whitespace()).to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME_CHARS
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    valid.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(people: &[&str], projects: &[&str]) -> Names {
        Names {
            people: people.iter().map(|s| (*s).to_owned()).collect(),
            projects: projects.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    #[test]
    fn known_names_become_links_and_unknown_ones_text() {
        let names = known(&["raph"], &["gimp"]);
        assert_eq!(
            expand("Ask <person>raph</person> about <proj>gimp</proj>.", &names),
            r#"Ask <a href="/person/raph/">raph</a> about <a href="/proj/gimp/">gimp</a>."#
        );
        assert_eq!(
            expand("<person>nobody</person> and <proj>raph</proj>", &names),
            "nobody and raph",
            "an unknown member, and a member's name used as a project"
        );
    }

    #[test]
    fn case_and_whitespace_are_forgiven() {
        let names = known(&["alan_cox-2"], &[]);
        assert_eq!(
            expand("<PERSON >\n Alan_Cox-2\t</Person\n>", &names),
            r#"<a href="/person/alan_cox-2/">alan_cox-2</a>"#
        );
        assert_eq!(expand("<person>Nobody</person>", &names), "Nobody", "kept as written");
        // `< person>` is no tag in HTML, and attributes make another tag.
        assert_eq!(expand("< person>alan_cox-2</person>", &names), "< person>alan_cox-2</person>");
        let attr = r#"<person class="x">alan_cox-2</person>"#;
        assert_eq!(expand(attr, &names), attr);
    }

    #[test]
    fn nested_shortcuts_link_the_inner_one_only() {
        let names = known(&["raph"], &["gimp"]);
        assert_eq!(
            expand("<person><person>raph</person></person>", &names),
            r#"<person><a href="/person/raph/">raph</a></person>"#,
            "the outer pair is left for the sanitizer, which unwraps it"
        );
        assert_eq!(
            expand("<proj><b>gimp</b></proj>", &names),
            "<proj><b>gimp</b></proj>",
            "markup inside is no name"
        );
        let html = crate::sanitize_with_shortcuts("<person><person>raph</person></person>", &names);
        assert_eq!(html, r#"<a href="/person/raph/" rel="nofollow noopener noreferrer">raph</a>"#);
    }

    #[test]
    fn hostile_names_inject_nothing() {
        let names = known(&["raph"], &[]);
        for hostile in [
            r#"<person>"><script>alert(1)</script></person>"#,
            r#"<person>raph" onclick="x</person>"#,
            "<person>../../admin</person>",
            "<person>javascript:alert(1)</person>",
            "<proj>a&amp;b</proj>",
            &format!("<person>{}</person>", "x".repeat(33)),
        ] {
            let html = crate::sanitize_with_shortcuts(hostile, &names);
            assert!(!html.contains("<script"), "{hostile}: {html}");
            assert!(!html.contains("<person") && !html.contains("<proj"), "{hostile}: {html}");
            assert!(!html.contains("<a"), "{hostile} links nothing: {html}");
            let markdown = crate::markdown_with_shortcuts(hostile, &names);
            assert!(!markdown.contains("<a") && !markdown.contains("<script"), "{markdown}");
        }
    }

    #[test]
    fn markdown_code_keeps_a_shortcut_as_typed() {
        let names = known(&["raph"], &[]);
        let html = crate::markdown_with_shortcuts(
            "Type `<person>raph</person>` for <person>raph</person>.",
            &names,
        );
        assert_eq!(
            html,
            "<p>Type <code>&lt;person&gt;raph&lt;/person&gt;</code> for \
             <a href=\"/person/raph/\" rel=\"nofollow noopener noreferrer\">raph</a>.</p>\n"
        );
    }

    #[test]
    fn candidate_names_are_the_valid_ones_lower_cased_and_bounded() {
        let found = names(
            "<person>Raph</person> <proj> GIMP </proj> <person>raph</person> <person>a b</person> <person><person>x</person>",
        );
        assert_eq!(found, known(&["raph", "x"], &["gimp"]));
        assert!(names("no shortcuts < here").is_empty());
        let many: String = (0..150).map(|i| format!("<person>m{i}</person>")).collect();
        assert_eq!(names(&many).people.len(), MAX_NAMES);
    }
}
