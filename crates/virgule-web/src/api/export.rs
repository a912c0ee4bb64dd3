//! `GET /api/v1/settings/export?format=json|wxr`: all of the caller's own writing, to take
//! elsewhere (docs/design.md §2). JSON carries everything ([`virgule_site::export::Writing`]:
//! entries with what was typed, articles, replies, certifications given, drafts an import
//! kept aside); WXR 1.2 carries the entries and articles as WordPress posts, and the drafts
//! with their status, for WordPress's importer. Both are downloads.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use virgule_site::export::Writing;
use virgule_site::rules::{ExportFormat, export_format};

use crate::api::{ApiMember, ApiQuery};
use crate::error::{ApiResult, Failure};
use crate::feeds::render::xml_safe;
use crate::feeds::{article_url, diary_url, permalink, reply_url, site_base};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn export(
    State(state): State<AppState>,
    ApiMember(member): ApiMember,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let format = export_format(query.format.as_deref())?;
    let writing = state.site.writing_of(&member).await?;
    let base = site_base(&state.config, &headers);
    let name = member.name.as_str();
    let (content_type, file, body) = match format {
        ExportFormat::Json => {
            let json = serde_json::to_string_pretty(&WritingJson::new(writing, &base))
                .map_err(|e| rendering_failed(&e.to_string()))?;
            ("application/json", format!("virgule-{name}.json"), json)
        }
        ExportFormat::Wxr => {
            let wxr = Wxr::new(writing, &base, &state.config.site_name)
                .render()
                .map_err(|e| rendering_failed(&e.to_string()))?;
            ("application/xml; charset=utf-8", format!("virgule-{name}.wordpress.xml"), wxr)
        }
    };
    let disposition = format!("attachment; filename=\"{file}\"");
    Ok(([(CONTENT_TYPE, content_type.to_owned()), (CONTENT_DISPOSITION, disposition)], body)
        .into_response())
}

fn rendering_failed(error: &str) -> Failure {
    tracing::error!(error, "an export failed to render");
    Failure::internal()
}

#[derive(Serialize)]
struct WritingJson {
    name: String,
    display_name: String,
    homepage: String,
    exported: DateTime<Utc>,
    entries: Vec<EntryOut>,
    articles: Vec<ArticleOut>,
    replies: Vec<ReplyOut>,
    certifications_given: Vec<CertOut>,
    /// Drafts, pending and private posts an import kept aside.
    drafts: Vec<DraftOut>,
}

#[derive(Serialize)]
struct DraftOut {
    /// WordPress's status: `draft`, `pending`, `private`, `future`, ...
    status: String,
    title: String,
    html: String,
    tags: Vec<String>,
    dated: Option<DateTime<Utc>>,
    /// The blog it was imported from.
    imported_from: String,
}

#[derive(Serialize)]
struct EntryOut {
    number: i64,
    url: String,
    title: String,
    format: &'static str,
    /// What the member typed (or what their feed gave).
    source: String,
    html: String,
    tags: Vec<String>,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    /// The original post, for an entry syndicated from the member's blog.
    syndicated_from: Option<String>,
}

#[derive(Serialize)]
struct ArticleOut {
    number: i64,
    url: String,
    title: String,
    lead_html: String,
    html: String,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
}

#[derive(Serialize)]
struct ReplyOut {
    url: String,
    html: String,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
}

#[derive(Serialize)]
struct CertOut {
    name: String,
    level: &'static str,
    at: DateTime<Utc>,
}

impl WritingJson {
    fn new(writing: Writing, base: &str) -> Self {
        let member = writing.member;
        let entries = writing.entries.into_iter().map(|(e, source)| EntryOut {
            url: permalink(base, &e.author, e.number),
            number: e.number,
            title: e.title,
            format: e.format.as_str(),
            source,
            html: e.html,
            tags: e.tags,
            published: e.published,
            updated: e.updated,
            syndicated_from: e.syndicated.and_then(|s| s.original_url),
        });
        let articles = writing.articles.into_iter().map(|a| ArticleOut {
            url: article_url(base, a.number),
            number: a.number,
            title: a.title,
            lead_html: a.lead_html,
            html: a.html,
            published: a.published,
            updated: a.updated,
        });
        let replies = writing.replies.into_iter().map(|r| ReplyOut {
            url: reply_url(base, &r.place, r.id),
            html: r.html,
            published: r.published,
            updated: r.updated,
        });
        let drafts = writing.kept.into_iter().map(|k| DraftOut {
            tags: k.tags,
            status: k.status,
            title: k.title,
            html: k.html,
            dated: k.published_at,
            imported_from: k.source,
        });
        let certs = writing.certs_given.into_iter().map(|c| CertOut {
            name: c.name.to_string(),
            level: c.level.as_str(),
            at: c.at,
        });
        WritingJson {
            name: member.name.to_string(),
            display_name: member.display_name,
            homepage: member.homepage,
            exported: Utc::now(),
            entries: entries.collect(),
            articles: articles.collect(),
            replies: replies.collect(),
            certifications_given: certs.collect(),
            drafts: drafts.collect(),
        }
    }
}

/// Text as a CDATA section: a `]]>` inside is split across two sections, and characters
/// XML cannot carry are dropped ([`xml_safe`]).
fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", xml_safe(text).replace("]]>", "]]]]><![CDATA[>"))
}

/// A post's address part, as WordPress makes one: lower-case letters and digits joined by
/// hyphens; `fallback` when nothing is left.
fn slug(text: &str, fallback: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() { fallback.to_owned() } else { words.join("-") }
}

#[derive(Template)]
#[template(path = "export_wxr.xml")]
struct Wxr {
    title: String,
    description: String,
    diary_url: String,
    base: String,
    exported: String,
    login: String,
    email: String,
    display_name: String,
    posts: Vec<Post>,
}

/// One WordPress post; the fields marked raw are CDATA sections already ([`cdata`]).
struct Post {
    id: usize,
    url: String,
    pub_date: String,
    /// Raw.
    title: String,
    /// Raw.
    content: String,
    /// Raw.
    excerpt: String,
    /// Raw (WordPress's `Y-m-d H:i:s`, UTC).
    date: String,
    /// Raw.
    modified: String,
    /// Raw.
    slug: String,
    /// (nicename, raw label).
    tags: Vec<(String, String)>,
    /// Raw: `publish`, or a kept post's status.
    status: String,
}

fn wp_date(at: DateTime<Utc>) -> String {
    cdata(&at.format("%Y-%m-%d %H:%M:%S").to_string())
}

impl Wxr {
    fn new(writing: Writing, base: &str, site_name: &str) -> Self {
        let member = writing.member;
        let mut posts = Vec::new();
        for (entry, _) in writing.entries {
            posts.push(Post {
                id: posts.len() + 1,
                url: permalink(base, &entry.author, entry.number),
                pub_date: entry.published.to_rfc2822(),
                title: cdata(&entry.title),
                content: cdata(&entry.html),
                excerpt: cdata(""),
                date: wp_date(entry.published),
                modified: wp_date(entry.updated),
                slug: cdata(&slug(&entry.title, &format!("entry-{}", entry.number))),
                tags: entry.tags.iter().map(|t| (slug(t, "tag"), cdata(t))).collect(),
                status: cdata("publish"),
            });
        }
        for article in writing.articles {
            posts.push(Post {
                id: posts.len() + 1,
                url: article_url(base, article.number),
                pub_date: article.published.to_rfc2822(),
                title: cdata(&article.title),
                content: cdata(&format!("{}{}", article.lead_html, article.html)),
                excerpt: cdata(&article.lead_html),
                date: wp_date(article.published),
                modified: wp_date(article.updated),
                slug: cdata(&slug(&article.title, &format!("article-{}", article.number))),
                tags: Vec::new(),
                status: cdata("publish"),
            });
        }
        for kept in writing.kept {
            // Undated, it takes the export's moment, as WordPress dates a draft when saved.
            let dated = kept.published_at.unwrap_or_else(Utc::now);
            let id = posts.len() + 1;
            posts.push(Post {
                id,
                url: format!("{}#draft-{id}", diary_url(base, &member.name)),
                pub_date: dated.to_rfc2822(),
                title: cdata(&kept.title),
                content: cdata(&kept.html),
                excerpt: cdata(""),
                date: wp_date(dated),
                modified: wp_date(dated),
                slug: cdata(&slug(&kept.title, &format!("draft-{id}"))),
                tags: kept.tags.iter().map(|t| (slug(t, "tag"), cdata(t))).collect(),
                status: cdata(&kept.status),
            });
        }
        let name = member.name.to_string();
        Wxr {
            title: xml_safe(&format!("{name}'s writing on {site_name}")).into_owned(),
            description: xml_safe(&format!("Exported from {base}")).into_owned(),
            diary_url: diary_url(base, &member.name),
            base: base.to_owned(),
            exported: Utc::now().to_rfc2822(),
            email: cdata(member.email.as_deref().unwrap_or_default()),
            display_name: cdata(&member.display_name),
            login: cdata(&name),
            posts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cdata_splits_its_own_end_and_drops_what_xml_cannot_carry() {
        assert_eq!(cdata("a ]]> b"), "<![CDATA[a ]]]]><![CDATA[> b]]>");
        assert_eq!(cdata("x\u{1}y"), "<![CDATA[xy]]>");
        assert_eq!(cdata(""), "<![CDATA[]]>");
    }

    #[test]
    fn slugs_are_words_joined_by_hyphens() {
        assert_eq!(slug("Debian: SE Linux & Me!", "x"), "debian-se-linux-me");
        assert_eq!(slug("Café au lait", "x"), "café-au-lait");
        assert_eq!(slug("!!!", "entry-3"), "entry-3");
    }
}
