//! Every input rule of the site, written once: what a form, an API call and a CLI command may
//! send, how it is cleaned, and the code and message of each refusal. Pure: no I/O.
//!
//! Each function takes what a person typed (text, as sent) and returns the value the store
//! takes, or a [`SiteError`] of kind [`ErrorKind::BadInput`](crate::ErrorKind) whose code is
//! the API's and whose message a page shows as it is.

use url::Url;
use virgule_html::shortcuts::Names;
use virgule_store::tags::{self, MAX_TAGS};
use virgule_store::{
    ArticleDraft, ArticleNumber, CertLevel, EntryDraft, EntryFormat, EntryNumber, MemberName, Page,
    ProfileUpdate, ProjectDraft, ProjectName, Relation, ReplyDraft, SearchKind, SearchQuery,
    SearchTerm, TrustLevel,
};

use crate::error::{SiteError, SiteResult};

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 1024;
/// RFC 5321's path limit.
pub const MAX_EMAIL_CHARS: usize = 254;
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;
pub const MAX_HOMEPAGE_CHARS: usize = 2048;
pub const MAX_NOTES_BYTES: usize = 16 * 1024;
pub const MAX_TITLE_CHARS: usize = 200;
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// An article's lead: a paragraph or two for the front page.
pub const MAX_LEAD_BYTES: usize = 8 * 1024;
/// A reply is a comment, not an essay.
pub const MAX_REPLY_BYTES: usize = 64 * 1024;
/// Longest feed address accepted: longer ones are not real feeds, and the address is shown
/// back on every settings page.
pub const MAX_FEED_URL_CHARS: usize = 2048;
/// Items per call when an API client does not say.
pub const DEFAULT_LIMIT: i64 = 10;
/// The most items one API call returns.
pub const MAX_LIMIT: i64 = 100;
/// The word that withdraws a certification.
pub const NO_CERT: &str = "none";

fn invalid(message: impl Into<String>) -> SiteError {
    SiteError::bad_input("invalid", message)
}

/// Blank (after trimming) counts as absent.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

// Accounts.

/// A member name as typed: 1–32 characters of `[a-z0-9_-]`, lower-cased.
pub fn member_name(raw: &str) -> SiteResult<MemberName> {
    MemberName::parse(raw).map_err(|e| SiteError::bad_input("invalid_name", e.to_string()))
}

/// Refuses passwords that are short, absurdly long, contain the member's own name, or are
/// among the most common ones, with a message saying why.
pub fn password_strength(password: &str, name: &str) -> SiteResult<()> {
    let weak = |why: &str| Err(SiteError::bad_input("weak_password", why));
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return weak("a password needs at least 8 characters");
    }
    if chars > MAX_PASSWORD_CHARS {
        return weak("a password has at most 1024 characters");
    }
    let lower = password.to_lowercase();
    if !name.is_empty() && lower.contains(&name.to_lowercase()) {
        return weak("a password must not contain your name");
    }
    let mut distinct = lower.chars().collect::<Vec<_>>();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return weak("a password needs at least 4 different characters");
    }
    const COMMON: &[&str] = &[
        "password",
        "password1",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "qwerty123",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "welcome1",
        "abc12345",
        "letmein1",
        "trustno1",
        "passw0rd",
        "superman",
        "11111111",
        "00000000",
    ];
    if COMMON.contains(&lower.as_str()) {
        return weak("that password is among the most common ones; choose another");
    }
    Ok(())
}

/// A password typed twice (forms ask for it so; the API sends it once).
pub fn passwords_match(password: &str, again: &str) -> SiteResult<()> {
    if password == again {
        Ok(())
    } else {
        Err(SiteError::bad_input("password_mismatch", "the two passwords differ"))
    }
}

/// An optional e-mail address: absent or blank is none; otherwise it must look like one
/// (one `@` with text on both sides, no spaces, at most 254 characters).
pub fn email(raw: Option<&str>) -> SiteResult<Option<String>> {
    let Some(email) = present(raw) else {
        return Ok(None);
    };
    let bad = || SiteError::bad_input("invalid_email", "that does not look like an e-mail address");
    if email.chars().count() > MAX_EMAIL_CHARS {
        return Err(SiteError::bad_input(
            "invalid_email",
            "an e-mail address has at most 254 characters",
        ));
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    Ok(Some(email.to_owned()))
}

/// A display name: free text on one line, inner whitespace collapsed, no control
/// characters, at most 100 characters.
pub fn display_name(raw: &str) -> SiteResult<String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.chars().any(char::is_control) {
        return Err(invalid("a display name may not contain control characters"));
    }
    if name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(invalid("a display name has at most 100 characters"));
    }
    Ok(name)
}

/// A homepage: empty, or an absolute http(s) URL (returned in its normalized form).
pub fn homepage(raw: &str) -> SiteResult<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(String::new());
    }
    let bad = || {
        SiteError::bad_input(
            "invalid_homepage",
            "the homepage must be a full address starting with http:// or https://",
        )
    };
    if raw.chars().count() > MAX_HOMEPAGE_CHARS {
        return Err(SiteError::bad_input(
            "invalid_homepage",
            format!("the homepage address has at most {MAX_HOMEPAGE_CHARS} characters"),
        ));
    }
    let url = Url::parse(raw).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(bad());
    }
    Ok(url.to_string())
}

/// A whole profile: display name, homepage and Markdown notes (at most 16 KiB), the notes
/// rendered through the one sanitizer, their `<person>`/`<proj>` shortcuts linking the
/// `known` names.
pub fn profile(display: &str, home: &str, notes: &str, known: &Names) -> SiteResult<ProfileUpdate> {
    let display_name = display_name(display)?;
    let homepage = homepage(home)?;
    if notes.len() > MAX_NOTES_BYTES {
        return Err(invalid("the notes have at most 16 KiB of text"));
    }
    let notes_html = if notes.trim().is_empty() { String::new() } else { markdown(notes, known) };
    Ok(ProfileUpdate { display_name, homepage, notes_source: notes.to_owned(), notes_html })
}

// Writing.

/// Validates and renders a diary entry. `format` is `"markdown"` or `"html"`; a missing
/// title is an untitled entry, as on Advogato. Shortcuts link the `known` names.
pub fn entry(
    title: &str,
    body: &str,
    format: &str,
    tags: &[String],
    known: &Names,
) -> SiteResult<EntryDraft> {
    let format = EntryFormat::parse(format.trim())
        .ok_or_else(|| invalid("the format must be \"markdown\" or \"html\""))?;
    let title = title_text(title)?;
    if body.trim().is_empty() {
        return Err(invalid("the entry has no text"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(invalid("an entry has at most 256 KiB of text"));
    }
    let html = render(format, body, known);
    if html.trim().is_empty() {
        return Err(invalid("nothing of the entry is left once unsafe HTML is removed"));
    }
    Ok(EntryDraft { title, format, body_source: body.to_owned(), html, tags: tag_list(tags)? })
}

/// Renders a body in its format through the sanitizer; mod_virgule's `<person>NAME</person>`
/// and `<proj>NAME</proj>` become links for the `known` names (`Site::shortcut_links` finds
/// them), plain text for others.
pub fn render(format: EntryFormat, body: &str, known: &Names) -> String {
    match format {
        EntryFormat::Markdown => markdown(body, known),
        EntryFormat::Html => virgule_html::sanitize_with_shortcuts(body, known),
    }
}

/// Markdown a member wrote, rendered and sanitized, with its shortcuts.
fn markdown(body: &str, known: &Names) -> String {
    virgule_html::markdown_with_shortcuts(body, known)
}

/// A title is plain text on one line: trimmed, inner whitespace collapsed, bounded.
pub fn title_text(title: &str) -> SiteResult<String> {
    let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(invalid("a title has at most 200 characters"));
    }
    Ok(title)
}

/// Tags are lower-cased, trimmed, de-duplicated (first occurrence wins), without `/` or
/// control characters, at most 20 of at most 50 characters (the store's tag rules).
pub fn tag_list(tags: &[String]) -> SiteResult<Vec<String>> {
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

/// A site news item (Markdown): a title and some text, shortcuts linking the `known` names.
/// Returns (title, html).
pub fn news(title: &str, body: &str, known: &Names) -> SiteResult<(String, String)> {
    let title = title_text(title)?;
    if title.is_empty() {
        return Err(invalid("news needs a title"));
    }
    if body.trim().is_empty() {
        return Err(invalid("news needs some text"));
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(invalid("news has at most 256 KiB of text"));
    }
    Ok((title, markdown(body, known)))
}

/// The format word of an entry, an article or a reply.
fn format_word(format: &str) -> SiteResult<EntryFormat> {
    EntryFormat::parse(format.trim())
        .ok_or_else(|| invalid("the format must be \"markdown\" or \"html\""))
}

/// One part of a text (`what`: "the lead", "the text") in its format: required, bounded,
/// rendered through the sanitizer, and not empty once sanitized.
fn rendered_part(
    format: EntryFormat,
    text: &str,
    what: &str,
    max: usize,
    known: &Names,
) -> SiteResult<String> {
    if text.trim().is_empty() {
        return Err(invalid(format!("{what} is empty")));
    }
    if text.len() > max {
        return Err(invalid(format!("{what} has at most {} KiB", max / 1024)));
    }
    let html = render(format, text, known);
    if html.trim().is_empty() {
        return Err(invalid(format!("nothing of {what} is left once unsafe HTML is removed")));
    }
    Ok(html)
}

/// Validates and renders a front-page article: a title (required), a lead (the front page's
/// summary, at most 8 KiB) and a body (at most 256 KiB), both in `format`.
pub fn article(
    title: &str,
    lead: &str,
    body: &str,
    format: &str,
    known: &Names,
) -> SiteResult<ArticleDraft> {
    let format = format_word(format)?;
    let title = title_text(title)?;
    if title.is_empty() {
        return Err(invalid("an article needs a title"));
    }
    let lead_html = rendered_part(format, lead, "the article's lead", MAX_LEAD_BYTES, known)?;
    let html = rendered_part(format, body, "the article's text", MAX_BODY_BYTES, known)?;
    Ok(ArticleDraft {
        title,
        format,
        lead_source: lead.to_owned(),
        lead_html,
        body_source: body.to_owned(),
        html,
    })
}

/// Validates and renders a reply's text (at most 64 KiB).
pub fn reply(body: &str, format: &str, known: &Names) -> SiteResult<ReplyDraft> {
    let format = format_word(format)?;
    let html = rendered_part(format, body, "the reply", MAX_REPLY_BYTES, known)?;
    Ok(ReplyDraft { format, body_source: body.to_owned(), html })
}

/// A form's `parent` field: blank is an answer to the item itself; otherwise a reply's id.
pub fn reply_parent(raw: &str) -> SiteResult<Option<i64>> {
    let Some(raw) = present(Some(raw)) else {
        return Ok(None);
    };
    reply_id(raw).map(Some).ok_or_else(|| invalid(format!("there is no reply “{raw}” to answer")))
}

/// A feed (or blog page) address to link: `None` (stop syndicating) when absent or blank;
/// bounded in length. Whether it may be fetched is the fetcher's policy, checked on linking.
pub fn feed_url(raw: Option<&str>) -> SiteResult<Option<&str>> {
    match present(raw) {
        Some(url) if url.chars().count() > MAX_FEED_URL_CHARS => Err(SiteError::bad_input(
            "feed_url_refused",
            format!("the address is too long (at most {MAX_FEED_URL_CHARS} characters)"),
        )),
        url => Ok(url),
    }
}

/// A certification as chosen: `Some` level, `None` for `none` (a withdrawal).
pub fn cert_choice(raw: &str) -> SiteResult<Option<CertLevel>> {
    match raw.trim() {
        NO_CERT => Ok(None),
        word => CertLevel::parse(word).map(Some).ok_or_else(|| {
            SiteError::bad_input(
                "bad_level",
                format!("unknown level {word:?}: use apprentice, journeyer, master or none"),
            )
        }),
    }
}

// Projects.

/// The longest licence line.
pub const MAX_LICENSE_CHARS: usize = 200;
/// The longest project description.
pub const MAX_DESCRIPTION_BYTES: usize = 64 * 1024;
/// The word that withdraws one's relation to a project.
pub const NO_RELATION: &str = "none";

/// A project name as typed: the member-name rule (1–32 characters of `[a-z0-9_-]`,
/// lower-cased).
pub fn project_name(raw: &str) -> SiteResult<ProjectName> {
    ProjectName::parse(raw).map_err(|e| SiteError::bad_input("invalid_name", e.to_string()))
}

/// A project's description (Markdown, required, at most 64 KiB, shortcuts linking the
/// `known` names), homepage (as a member's) and licence (free text on one line, at most 200
/// characters, inner whitespace collapsed).
pub fn project(
    description: &str,
    home: &str,
    license: &str,
    known: &Names,
) -> SiteResult<ProjectDraft> {
    if description.trim().is_empty() {
        return Err(invalid("a project needs a description"));
    }
    if description.len() > MAX_DESCRIPTION_BYTES {
        return Err(invalid("a project description has at most 64 KiB of text"));
    }
    if license.chars().any(|c| c.is_control() && c != '\t' && c != ' ') {
        return Err(invalid("the licence is one line of text"));
    }
    let license = license.split_whitespace().collect::<Vec<_>>().join(" ");
    if license.chars().count() > MAX_LICENSE_CHARS {
        return Err(invalid(format!("the licence has at most {MAX_LICENSE_CHARS} characters")));
    }
    let description_html = markdown(description, known);
    if description_html.trim().is_empty() {
        return Err(invalid("nothing of the description is left once unsafe HTML is removed"));
    }
    Ok(ProjectDraft {
        description_source: description.to_owned(),
        description_html,
        homepage: homepage(home)?,
        license,
    })
}

/// A relation to a project as chosen: `Some` relation, `None` for `none` (a withdrawal).
pub fn relation_choice(raw: &str) -> SiteResult<Option<Relation>> {
    match raw.trim() {
        NO_RELATION => Ok(None),
        word => Relation::parse(word).map(Some).ok_or_else(|| {
            SiteError::bad_input(
                "bad_relation",
                format!(
                    "unknown relation {word:?}: use lead developer, developer, contributor, \
                     documenter, helper, user or none"
                ),
            )
        }),
    }
}

// Reading.

/// An entry number as written in an address: a whole number ≥ 0.
pub fn entry_number(raw: &str) -> Option<EntryNumber> {
    raw.parse::<EntryNumber>().ok().filter(|n| *n >= 0)
}

/// An article number as written in an address: a whole number ≥ 1.
pub fn article_number(raw: &str) -> Option<ArticleNumber> {
    raw.parse::<ArticleNumber>().ok().filter(|n| *n >= 1)
}

/// A reply id as written in an address or a form: a whole number ≥ 1.
pub fn reply_id(raw: &str) -> Option<i64> {
    raw.trim().parse::<i64>().ok().filter(|n| *n >= 1)
}

/// `start=N`: absent or blank is 0; anything but a whole number ≥ 0 is refused.
pub fn start(raw: Option<&str>) -> SiteResult<i64> {
    let Some(raw) = present(raw) else {
        return Ok(0);
    };
    raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
        SiteError::bad_input(
            "bad_query",
            format!("“start” must be a whole number, 0 or more (got “{raw}”)"),
        )
    })
}

/// `start=N&limit=M` of an API list: start ≥ 0 (default 0), 1 ≤ limit ≤ 100 (default 10).
pub fn window(start_raw: Option<&str>, limit_raw: Option<&str>) -> SiteResult<Page> {
    let start = start(start_raw)?;
    let limit = match present(limit_raw) {
        None => DEFAULT_LIMIT,
        Some(raw) => {
            raw.parse::<i64>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
                SiteError::bad_input(
                    "bad_query",
                    format!("“limit” must be a whole number from 1 to {MAX_LIMIT} (got “{raw}”)"),
                )
            })?
        }
    };
    Ok(Page { start, limit })
}

/// `thresh=L`, the recent log's trust threshold, a rank 0–3: absent or blank is `default`
/// (the site's setting).
pub fn threshold(raw: Option<&str>, default: TrustLevel) -> SiteResult<TrustLevel> {
    let Some(raw) = present(raw) else {
        return Ok(default);
    };
    raw.parse().ok().and_then(TrustLevel::from_rank).ok_or_else(|| {
        SiteError::bad_input(
            "bad_query",
            format!("“thresh” must be a trust level from 0 (Observer) to 3 (Master) (got “{raw}”)"),
        )
    })
}

/// The file a member's export is written as (`format=` of `GET /api/v1/settings/export`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Everything, as JSON: entries, articles, replies, certifications given.
    Json,
    /// A WordPress export (WXR 1.2) of the entries and articles, for WordPress's importer.
    Wxr,
}

/// `format=json|wxr`: absent or blank is JSON.
pub fn export_format(raw: Option<&str>) -> SiteResult<ExportFormat> {
    match present(raw).map(str::to_ascii_lowercase).as_deref() {
        None | Some("json") => Ok(ExportFormat::Json),
        Some("wxr") => Ok(ExportFormat::Wxr),
        Some(_) => Err(SiteError::bad_input(
            "bad_query",
            format!("“format” must be json or wxr (got “{}”)", raw.unwrap_or_default().trim()),
        )),
    }
}

// Diary ratings (docs/trust.md "Diary ratings").

/// The word (or a blank) that withdraws a rating.
pub const NO_RATING: &str = "none";

/// A diary rating as sent: a whole number from 1 to 10, or `none` (or blank) to withdraw
/// (`Ok(None)`).
pub fn rating(raw: &str) -> SiteResult<Option<u8>> {
    let raw = raw.trim();
    if raw.is_empty() || raw == NO_RATING {
        return Ok(None);
    }
    let whole = raw.bytes().all(|b| b.is_ascii_digit());
    match raw.parse::<u8>() {
        Ok(r @ 1..=10) if whole => Ok(Some(r)),
        _ => Err(SiteError::bad_input(
            "bad_rating",
            format!("a rating is a whole number from 1 to 10 (got “{raw}”)"),
        )),
    }
}

/// `interest=T`, the recent log's interest threshold: a number from 1 to 10 (decimals
/// allowed); absent or blank is no threshold.
pub fn interest_threshold(raw: Option<&str>) -> SiteResult<Option<f64>> {
    let Some(raw) = present(raw) else {
        return Ok(None);
    };
    match raw.parse::<f64>() {
        Ok(t) if (1.0..=10.0).contains(&t) => Ok(Some(t)),
        _ => Err(SiteError::bad_input(
            "bad_query",
            format!("“interest” must be a number from 1 to 10 (got “{raw}”)"),
        )),
    }
}

/// A spam flag's item, from its kind (`entry`, `article`, `reply`, `account`) and its target
/// as written: an entry `NAME/K`, an article's number, a reply's id, a member's name. 400
/// `bad_kind` for another kind, `bad_target` for a target that cannot name an item of it.
pub fn flag_key(kind: &str, target: &str) -> SiteResult<virgule_store::FlagKey> {
    use virgule_store::{FlagKey, FlagKind};
    let kind = FlagKind::parse(kind.trim()).ok_or_else(|| {
        SiteError::bad_input("bad_kind", "the kind is entry, article, reply or account")
    })?;
    let target = target.trim();
    let bad = |shape: &str| {
        SiteError::bad_input("bad_target", format!("a {} is named {shape}", kind.as_str()))
    };
    match kind {
        FlagKind::Entry => {
            let (author, number) = target.rsplit_once('/').ok_or_else(|| bad("NAME/K"))?;
            let number = number.parse::<i64>().ok().filter(|n| *n >= 0 && !author.is_empty());
            Ok(FlagKey::Entry {
                author: author.to_owned(),
                number: number.ok_or_else(|| bad("NAME/K"))?,
            })
        }
        FlagKind::Article => {
            article_number(target).map(FlagKey::Article).ok_or_else(|| bad("by its number"))
        }
        FlagKind::Reply => reply_id(target).map(FlagKey::Reply).ok_or_else(|| bad("by its id")),
        FlagKind::Account if target.is_empty() => Err(bad("by the member's name")),
        FlagKind::Account => Ok(FlagKey::Account(target.to_owned())),
    }
}

// Search (docs/design.md "Search").

/// The longest query a search takes, in characters.
pub const MAX_SEARCH_CHARS: usize = 200;
/// The most terms (words, phrases, exclusions) a search takes.
pub const MAX_SEARCH_TERMS: usize = 12;
/// Letters and digits a prefix term needs before its `*`: shorter prefixes match too much of
/// the index to be useful.
pub const MIN_PREFIX_CHARS: usize = 2;

/// A search as typed: words (all must match), `"quoted phrases"`, `prefix*` (a word's start),
/// and `-word` or `-"phrase"` to leave out what has them. Everything else that is not a letter
/// or a digit separates words, as in the indexed text. `Ok(None)` for a blank query.
pub fn search_query(raw: &str) -> SiteResult<Option<SearchQuery>> {
    let bad = |message: String| SiteError::bad_input("bad_query", message);
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.chars().count() > MAX_SEARCH_CHARS {
        return Err(bad(format!("A search is at most {MAX_SEARCH_CHARS} characters.")));
    }
    let mut query = SearchQuery::default();
    let mut chars = raw.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        let negated = first == '-';
        if negated {
            chars.next();
        }
        let mut text = String::new();
        if chars.next_if_eq(&'"').is_some() {
            // A phrase runs to the closing quote (or the end, if it is missing).
            text.extend(chars.by_ref().take_while(|&c| c != '"'));
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '"' && *c != '*') {
                text.push(c);
            }
        }
        let prefix = chars.next_if_eq(&'*').is_some();
        // Stray stars and signs, and terms of punctuation only, find nothing: dropped.
        while chars.next_if_eq(&'*').is_some() {}
        if !text.chars().any(char::is_alphanumeric) {
            continue;
        }
        if prefix {
            let last = text.split(|c: char| !c.is_alphanumeric()).rfind(|w| !w.is_empty());
            if last.is_some_and(|w| w.chars().count() < MIN_PREFIX_CHARS) {
                return Err(bad(format!(
                    "“{text}*”: a prefix needs at least {MIN_PREFIX_CHARS} letters before the *."
                )));
            }
        }
        let term = SearchTerm { text: text.trim().to_owned(), prefix };
        if negated { query.none.push(term) } else { query.all.push(term) }
    }
    if query.all.len() + query.none.len() > MAX_SEARCH_TERMS {
        return Err(bad(format!("A search has at most {MAX_SEARCH_TERMS} words and phrases.")));
    }
    if query.all.is_empty() {
        if query.none.is_empty() {
            return Err(bad("Search for some words: letters or digits.".to_owned()));
        }
        return Err(bad("Say what to find, not only what to leave out.".to_owned()));
    }
    Ok(Some(query))
}

/// `kind=entry|article|reply`: what a search looks at; absent or blank is all three.
pub fn search_kinds(raw: Option<&str>) -> SiteResult<Vec<SearchKind>> {
    let Some(raw) = present(raw) else {
        return Ok(SearchKind::ALL.to_vec());
    };
    SearchKind::ALL
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(raw))
        .map(|k| vec![k])
        .ok_or_else(|| {
            SiteError::bad_input(
                "bad_query",
                format!("“kind” must be entry, article or reply (got “{raw}”)"),
            )
        })
}

/// A search's date bound, `YYYY-MM-DD` (UTC): `since` counts from the start of that day,
/// `until` to its end, so that both days are included. `field` names it in the message.
pub fn search_day(raw: Option<&str>, field: &'static str) -> SiteResult<Option<chrono::NaiveDate>> {
    let Some(raw) = present(raw) else {
        return Ok(None);
    };
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(Some).map_err(|_| {
        SiteError::bad_input(
            "bad_query",
            format!("“{field}” must be a date written YYYY-MM-DD (got “{raw}”)"),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(password_strength("short", "bob").is_err());
        assert!(password_strength("password", "bob").is_err());
        assert!(password_strength("aaaaaaaaaaaa", "bob").is_err());
        assert!(password_strength("xxbobxx-2024", "bob").is_err());
        assert!(password_strength("correct horse battery", "bob").is_ok());
        assert_eq!(password_strength("short", "bob").unwrap_err().code, "weak_password");
        assert_eq!(passwords_match("a", "b").unwrap_err().code, "password_mismatch");
    }

    #[test]
    fn emails_are_optional_but_plausible() {
        assert_eq!(email(None).unwrap(), None);
        assert_eq!(email(Some("  ")).unwrap(), None);
        assert_eq!(email(Some(" a@b.org ")).unwrap().as_deref(), Some("a@b.org"));
        for bad in ["nobody", "ab.org", "@b.org", "a@", "a@b@c", "a b@c.org"] {
            assert_eq!(email(Some(bad)).unwrap_err().code, "invalid_email", "{bad}");
        }
        let long = format!("{}@example.org", "a".repeat(250));
        assert!(email(Some(&long)).is_err());
    }

    #[test]
    fn homepages_must_be_absolute_http() {
        assert_eq!(homepage("").unwrap(), "");
        assert_eq!(homepage(" https://etbe.coker.com.au ").unwrap(), "https://etbe.coker.com.au/");
        for bad in
            ["etbe.coker.com.au", "javascript:alert(1)", "ftp://x.org/", "/relative", "http://"]
        {
            assert_eq!(homepage(bad).unwrap_err().code, "invalid_homepage", "{bad}");
        }
        let long = format!("https://example.org/{}", "x".repeat(MAX_HOMEPAGE_CHARS));
        assert_eq!(homepage(&long).unwrap_err().code, "invalid_homepage");
    }

    #[test]
    fn profiles_are_bounded_and_notes_sanitized() {
        let none = &Names::default();
        let p = profile("  Russell   Coker ", "", "Hi <script>x()</script>*there*", none).unwrap();
        assert_eq!(p.display_name, "Russell Coker");
        assert!(p.notes_html.contains("<em>there</em>"));
        assert!(!p.notes_html.contains("script"));
        assert!(profile(&"x".repeat(101), "", "", none).is_err());
        assert!(profile("Bob\u{7}", "", "", none).is_err());
        assert!(profile("x", "", &"n".repeat(16 * 1024 + 1), none).is_err());
        assert_eq!(profile("", "", "  ", none).unwrap().notes_html, "");
    }

    #[test]
    fn entries_are_validated_and_sanitized() {
        let draft = entry(
            "  Hello \n world ",
            "Hi <script>alert(1)</script>*there*",
            "markdown",
            &[" Debian ".into(), "debian".into(), "".into(), "SE Linux".into()],
            &Names::default(),
        )
        .unwrap();
        assert_eq!(draft.title, "Hello world");
        assert!(!draft.html.contains("script"));
        assert!(draft.html.contains("<em>there</em>"));
        assert_eq!(draft.tags, vec!["debian".to_string(), "se linux".to_string()]);

        assert!(entry("t", "x", "latex", &[], &Names::default()).is_err());
        assert!(entry("t", "   ", "html", &[], &Names::default()).is_err());
        assert!(entry("t", "<script>x</script>", "html", &[], &Names::default()).is_err());
        assert!(entry(&"t".repeat(201), "x", "html", &[], &Names::default()).is_err());
        assert!(entry("t", "x", "html", &["a/b".into()], &Names::default()).is_err());
        let many = (0..21).map(|i| i.to_string()).collect::<Vec<_>>();
        assert!(entry("t", "x", "html", &many, &Names::default()).is_err());
    }

    #[test]
    fn tag_fields_split_on_commas() {
        assert_eq!(split_tag_field("a, b ,c"), vec!["a", " b ", "c"]);
    }

    #[test]
    fn news_needs_a_title_and_text() {
        assert!(news("", "text", &Names::default()).is_err());
        assert!(news("Title", " ", &Names::default()).is_err());
        let (title, html) = news(" New  features ", "*now*", &Names::default()).unwrap();
        assert_eq!(title, "New features");
        assert!(html.contains("<em>now</em>"));
    }

    #[test]
    fn levels_are_the_api_words() {
        assert_eq!(cert_choice("master"), Ok(Some(CertLevel::Master)));
        assert_eq!(cert_choice(" journeyer "), Ok(Some(CertLevel::Journeyer)));
        assert_eq!(cert_choice("none"), Ok(None));
        assert_eq!(cert_choice("observer").unwrap_err().code, "bad_level");
    }

    #[test]
    fn windows_default_and_refuse_bad_numbers() {
        assert_eq!(window(None, None).unwrap(), Page { start: 0, limit: 10 });
        assert_eq!(window(Some("20"), Some("100")).unwrap(), Page { start: 20, limit: 100 });
        assert_eq!(window(Some(""), Some(" ")).unwrap(), Page { start: 0, limit: 10 });
        for (start, limit) in [
            (Some("-1"), None),
            (Some("x"), None),
            (Some("99999999999999999999"), None),
            (None, Some("0")),
            (None, Some("101")),
            (None, Some("ten")),
            (None, Some("1.5")),
        ] {
            let err = window(start, limit).unwrap_err();
            assert_eq!(err.code, "bad_query", "{start:?} {limit:?}");
        }
    }

    #[test]
    fn thresholds_are_ranks_zero_to_three() {
        let site = TrustLevel::Apprentice;
        assert_eq!(threshold(None, site), Ok(TrustLevel::Apprentice));
        assert_eq!(threshold(Some(" "), site), Ok(TrustLevel::Apprentice));
        assert_eq!(threshold(Some("0"), site), Ok(TrustLevel::Observer));
        assert_eq!(threshold(Some("3"), site), Ok(TrustLevel::Master));
        assert_eq!(threshold(None, TrustLevel::Journeyer), Ok(TrustLevel::Journeyer));
        for bad in ["4", "-1", "master", "1.5", "99999999999"] {
            assert_eq!(threshold(Some(bad), site).unwrap_err().code, "bad_query", "{bad}");
        }
    }

    #[test]
    fn articles_need_a_title_a_lead_and_a_text() {
        let a = article(" Big  news ", "The *lead*", "The body", "markdown", &Names::default())
            .unwrap();
        assert_eq!(a.title, "Big news");
        assert!(a.lead_html.contains("<em>lead</em>"), "{}", a.lead_html);
        assert!(
            article("", "l", "b", "markdown", &Names::default())
                .unwrap_err()
                .message
                .contains("title")
        );
        assert!(
            article("t", " ", "b", "markdown", &Names::default())
                .unwrap_err()
                .message
                .contains("lead")
        );
        assert!(
            article("t", "l", "", "markdown", &Names::default())
                .unwrap_err()
                .message
                .contains("text")
        );
        assert!(
            article("t", "l", "b", "rtf", &Names::default())
                .unwrap_err()
                .message
                .contains("format")
        );
        let safe =
            article("t", "<script>x()</script><b>ok</b>", "b", "html", &Names::default()).unwrap();
        assert_eq!(safe.lead_html, "<b>ok</b>");
        assert!(article("t", "<script>x()</script>", "b", "html", &Names::default()).is_err());
        assert!(
            article("t", &"x".repeat(MAX_LEAD_BYTES + 1), "b", "markdown", &Names::default())
                .is_err()
        );
    }

    #[test]
    fn replies_are_text_in_a_format_and_parents_are_ids() {
        assert_eq!(
            reply("*hi*", "markdown", &Names::default()).unwrap().html,
            "<p><em>hi</em></p>\n"
        );
        assert_eq!(reply("  ", "markdown", &Names::default()).unwrap_err().code, "invalid");
        assert!(reply("hi", "bbcode", &Names::default()).is_err());
        assert!(reply(&"x".repeat(MAX_REPLY_BYTES + 1), "markdown", &Names::default()).is_err());
        assert_eq!(reply_parent("").unwrap(), None);
        assert_eq!(reply_parent(" 12 ").unwrap(), Some(12));
        assert!(reply_parent("0").is_err() && reply_parent("x").is_err());
        assert_eq!(article_number("1"), Some(1));
        assert_eq!(article_number("0"), None);
    }

    #[test]
    fn entry_numbers_are_whole_and_not_negative() {
        assert_eq!(entry_number("0"), Some(0));
        assert_eq!(entry_number("1158"), Some(1158));
        for bad in ["-1", "x", "1.html", "", " 1"] {
            assert_eq!(entry_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn feed_urls_are_bounded_and_blank_stops() {
        assert_eq!(feed_url(None).unwrap(), None);
        assert_eq!(feed_url(Some("  ")).unwrap(), None);
        assert_eq!(feed_url(Some(" https://x.org/feed ")).unwrap(), Some("https://x.org/feed"));
        let long = format!("https://x.org/{}", "a".repeat(MAX_FEED_URL_CHARS));
        assert_eq!(feed_url(Some(&long)).unwrap_err().code, "feed_url_refused");
    }

    #[test]
    fn shortcuts_link_known_names_in_every_kind_of_text() {
        let known =
            Names { people: ["raph".to_owned()].into(), projects: ["gimp".to_owned()].into() };
        let text = "<person>raph</person> hacks <proj>gimp</proj>, not <proj>nothing</proj>";
        let draft = entry("", text, "html", &[], &known).unwrap();
        assert!(draft.html.contains(r#"<a href="/person/raph/" rel="#), "{}", draft.html);
        assert!(draft.html.contains(r#"<a href="/proj/gimp/" rel="#), "{}", draft.html);
        assert!(draft.html.ends_with("not nothing"), "{}", draft.html);
        assert_eq!(draft.body_source, text, "the source keeps the shortcuts for editing");
        let markdown = entry("", text, "markdown", &[], &known).unwrap();
        assert!(markdown.html.contains(r#"href="/person/raph/""#), "{}", markdown.html);
        let notes = profile("", "", text, &known).unwrap().notes_html;
        assert!(notes.contains(r#"href="/proj/gimp/""#), "{notes}");
        let (_, news_html) = news("t", text, &known).unwrap();
        assert!(news_html.contains(r#"href="/person/raph/""#), "{news_html}");
        let project = project(text, "", "", &known).unwrap();
        assert!(project.description_html.contains(r#"href="/proj/gimp/""#));
        // Unknown to the caller: plain text.
        let plain = entry("", text, "html", &[], &Names::default()).unwrap();
        assert_eq!(plain.html, "raph hacks gimp, not nothing");
    }

    #[test]
    fn projects_need_a_description_and_bounded_fields() {
        let none = &Names::default();
        let p = project("*Pixels*", " https://gimp.org ", "  GPL  3 ", none).unwrap();
        assert!(p.description_html.contains("<em>Pixels</em>"));
        assert_eq!((p.homepage.as_str(), p.license.as_str()), ("https://gimp.org/", "GPL 3"));
        assert_eq!(project(" ", "", "", none).unwrap_err().code, "invalid");
        assert_eq!(project("<script>x</script>", "", "", none).unwrap_err().code, "invalid");
        assert_eq!(project("d", "gimp.org", "", none).unwrap_err().code, "invalid_homepage");
        assert_eq!(project("d", "", "GPL\nMIT", none).unwrap_err().code, "invalid");
        assert!(project("d", "", &"x".repeat(MAX_LICENSE_CHARS), none).is_ok());
        assert!(project("d", "", &"x".repeat(MAX_LICENSE_CHARS + 1), none).is_err());
        assert!(project(&"d".repeat(MAX_DESCRIPTION_BYTES + 1), "", "", none).is_err());
        assert_eq!(project_name(" GIMP ").unwrap().as_str(), "gimp");
        assert_eq!(project_name("g i m p").unwrap_err().code, "invalid_name");
    }

    #[test]
    fn relations_are_mod_virgules_words_or_none() {
        assert_eq!(relation_choice("lead developer"), Ok(Some(Relation::LeadDeveloper)));
        assert_eq!(relation_choice(" user "), Ok(Some(Relation::User)));
        assert_eq!(relation_choice("none"), Ok(None));
        for bad in ["Lead Developer", "lead  developer", "fan", ""] {
            assert_eq!(relation_choice(bad).unwrap_err().code, "bad_relation", "{bad:?}");
        }
    }

    #[test]
    fn ratings_are_whole_numbers_from_one_to_ten_or_a_withdrawal() {
        assert_eq!(rating("1"), Ok(Some(1)));
        assert_eq!(rating(" 10 "), Ok(Some(10)));
        assert_eq!(rating("none"), Ok(None));
        assert_eq!(rating(""), Ok(None));
        for bad in ["0", "11", "7.5", "-3", "+5", "seven", "1e1", "256", "\"7\""] {
            assert_eq!(rating(bad).unwrap_err().code, "bad_rating", "{bad}");
        }
    }

    #[test]
    fn interest_thresholds_are_numbers_from_one_to_ten() {
        assert_eq!(interest_threshold(None), Ok(None));
        assert_eq!(interest_threshold(Some(" ")), Ok(None));
        assert_eq!(interest_threshold(Some("7")), Ok(Some(7.0)));
        assert_eq!(interest_threshold(Some("6.5")), Ok(Some(6.5)));
        for bad in ["0", "10.5", "NaN", "inf", "high"] {
            assert_eq!(interest_threshold(Some(bad)).unwrap_err().code, "bad_query", "{bad}");
        }
    }

    #[test]
    fn flag_keys_name_items_by_their_addresses() {
        use virgule_store::FlagKey;
        assert_eq!(
            flag_key("entry", " bob/3 ").unwrap(),
            FlagKey::Entry { author: "bob".into(), number: 3 }
        );
        assert_eq!(flag_key("article", "7").unwrap(), FlagKey::Article(7));
        assert_eq!(flag_key("reply", "12").unwrap(), FlagKey::Reply(12));
        assert_eq!(flag_key("account", "eve").unwrap(), FlagKey::Account("eve".into()));
        assert_eq!(flag_key("post", "1").unwrap_err().code, "bad_kind");
        for (kind, target) in [
            ("entry", "bob"),
            ("entry", "/3"),
            ("entry", "bob/x"),
            ("article", "0"),
            ("reply", "x"),
            ("account", " "),
        ] {
            assert_eq!(flag_key(kind, target).unwrap_err().code, "bad_target", "{kind} {target}");
        }
    }

    fn term(text: &str, prefix: bool) -> SearchTerm {
        SearchTerm { text: text.to_owned(), prefix }
    }

    #[test]
    fn a_search_reads_words_phrases_prefixes_and_exclusions() {
        let query = search_query(r#"  debian "free software" pack* -spam -"buy now" mod_virgule "#)
            .unwrap()
            .unwrap();
        assert_eq!(
            query.all,
            vec![
                term("debian", false),
                term("free software", false),
                term("pack", true),
                term("mod_virgule", false)
            ]
        );
        assert_eq!(query.none, vec![term("spam", false), term("buy now", false)]);
        // An unclosed quote runs to the end; a phrase may be a prefix.
        let query = search_query(r#""linux kern"*"#).unwrap().unwrap();
        assert_eq!(query.all, vec![term("linux kern", true)]);
        // Punctuation alone is no term.
        let query = search_query("etbe & -- ** \"\"").unwrap().unwrap();
        assert_eq!(query.all, vec![term("etbe", false)]);
    }

    #[test]
    fn a_search_is_refused_with_a_reason() {
        assert_eq!(search_query("   ").unwrap(), None);
        for (raw, says) in [
            ("-spam", "not only what to leave out"),
            ("& ! ?", "letters or digits"),
            ("d*", "at least 2 letters"),
            (&"word ".repeat(13), "at most 12"),
            (&"x".repeat(201), "at most 200 characters"),
        ] {
            let err = search_query(raw).unwrap_err();
            assert_eq!(err.code, "bad_query", "{raw}");
            assert!(err.message.contains(says), "{raw}: {}", err.message);
        }
        assert_eq!(search_kinds(Some("Reply")).unwrap(), vec![SearchKind::Reply]);
        assert_eq!(search_kinds(None).unwrap().len(), 3);
        assert!(search_kinds(Some("page")).is_err());
        assert!(search_day(Some("2016-02-30"), "since").is_err());
        assert_eq!(
            search_day(Some(" 2016-02-29 "), "since").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2016, 2, 29)
        );
    }
}
