//! Front-page articles: the archive (`/article/`), one article with its threaded replies
//! (`/article/N.html`), and writing (`/article/new`) and editing (`/article/N/edit`) one's
//! own, with preview. One action per file.

mod edit;
mod list;
mod new;
mod show;

pub use edit::{edit_form, update};
pub use list::list;
pub use new::{create, new_form};
pub use show::show;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use virgule_site::articles::ArticleText;
use virgule_site::{Site, SiteResult};
use virgule_store::{Article, ArticleDraft, ArticleSource};

use crate::auth::viewer::Viewer;
use crate::error::Failure;
use crate::layout::Layout;
use crate::pages::view::{LevelMark, Stamp, article_href, reply_count_text};
use crate::pages::{FormTarget, PreviewForm, render};
use crate::state::AppState;

/// An article as a list shows it (the front page, the archive): title, author, lead.
pub struct ArticleSummary {
    pub number: i64,
    pub href: String,
    pub title: String,
    pub author: String,
    pub author_level: LevelMark,
    pub lead_html: String,
    pub published: Stamp,
    pub replies: String,
}

impl ArticleSummary {
    pub fn new(article: Article) -> Self {
        ArticleSummary {
            number: article.number,
            href: article_href(article.number),
            title: article.title,
            author: article.author.to_string(),
            author_level: LevelMark::of(article.author_level),
            lead_html: crate::pages::view::shown_html(article.lead_html, article.author_level),
            published: Stamp::new(article.published),
            replies: reply_count_text(article.reply_count),
        }
    }
}

/// The page layout of the articles' pages, offering their feeds.
fn articles_layout(state: &AppState, viewer: &Viewer, title: impl Into<String>) -> Layout {
    let site = &state.config.site_name;
    Layout::new(&state.config, viewer, title).with_feeds(
        &format!("{site} articles"),
        "/article/rss.xml".to_owned(),
        "/article/atom.xml".to_owned(),
        "/article/feed.json".to_owned(),
    )
}

/// What the article form sends (new and edit); `action` is "preview" or "post".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ArticleForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub format: String,
    #[serde(default)]
    pub action: String,
}

impl ArticleForm {
    fn text(&self) -> ArticleText<'_> {
        ArticleText { title: &self.title, lead: &self.lead, body: &self.body, format: &self.format }
    }

    fn blank() -> Self {
        ArticleForm { format: "markdown".to_owned(), ..ArticleForm::default() }
    }

    fn from_article(article: &Article, source: ArticleSource) -> Self {
        ArticleForm {
            title: article.title.clone(),
            lead: source.lead,
            body: source.body,
            format: article.format.as_str().to_owned(),
            action: String::new(),
        }
    }
}

#[derive(Template)]
#[template(path = "article_form.html")]
struct ArticleFormPage {
    layout: Layout,
    action: String,
    form: ArticleForm,
    preview: Option<ArticleDraft>,
    error: Option<Failure>,
    /// Why the viewer may not post (below the article gate): shown instead of the form.
    gate: Option<Failure>,
    cancel: String,
}

fn form_response(
    state: &AppState,
    viewer: &Viewer,
    target: FormTarget,
    form: ArticleForm,
    outcome: Result<Option<ArticleDraft>, Failure>,
    gate: Option<Failure>,
) -> Result<Response, Failure> {
    let (status, preview, error) = match outcome {
        Ok(draft) => (StatusCode::OK, draft, None),
        Err(failure) => (failure.status, None, Some(failure)),
    };
    let page = ArticleFormPage {
        layout: Layout::new(&state.config, viewer, target.title),
        action: target.action,
        form,
        preview,
        error,
        gate,
        cancel: target.cancel,
    };
    Ok((status, render(&page)?).into_response())
}

impl PreviewForm for ArticleForm {
    type Draft = ArticleDraft;

    fn is_preview(&self) -> bool {
        self.action == "preview"
    }

    async fn preview(&self, site: &Site) -> SiteResult<ArticleDraft> {
        site.article_draft(self.text()).await
    }

    fn page(
        self,
        state: &AppState,
        viewer: &Viewer,
        target: FormTarget,
        outcome: Result<Option<ArticleDraft>, Failure>,
    ) -> Result<Response, Failure> {
        form_response(state, viewer, target, self, outcome, None)
    }
}
