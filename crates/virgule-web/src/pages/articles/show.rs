//! `/article/N.html`: one article, its threaded replies and the reply form (or why there is
//! none).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;

use super::articles_layout;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::pages::params::{html_file_number, query_param};
use crate::pages::render;
use crate::pages::replies::ThreadSection;
use crate::pages::view::{LevelMark, Stamp, article_href};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    layout: Layout,
    number: i64,
    title: String,
    author: String,
    author_level: LevelMark,
    lead_html: String,
    html: String,
    published: Stamp,
    edited: Option<Stamp>,
    /// The viewer wrote it: offer Edit.
    editable: bool,
    /// The viewer may flag it as spam.
    flaggable: bool,
    thread: ThreadSection,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let missing = || Failure::not_found("There is no article at this address.");
    let number = html_file_number(&file).ok_or_else(missing)?;
    let (article, replies) = state.site.article_with_replies(&number.to_string()).await?;
    let href = article_href(article.number);
    let access = state.site.reply_access(viewer.member.as_ref(), None);
    let parent = query_param(query.as_deref(), "parent").and_then(|p| p.parse().ok());
    let action = format!("/article/{}/reply", article.number);
    let author = article.author.to_string();
    let edited = (article.updated - article.published).num_seconds() > 60;
    let page = ArticlePage {
        layout: articles_layout(&state, &viewer, article.title.clone()),
        number: article.number,
        editable: viewer.is(&author),
        flaggable: crate::pages::view::may_flag(&viewer, &author),
        author,
        author_level: LevelMark::of(article.author_level),
        title: article.title,
        lead_html: crate::pages::view::shown_html(article.lead_html, article.author_level),
        html: crate::pages::view::shown_html(article.html, article.author_level),
        published: Stamp::new(article.published),
        edited: edited.then(|| Stamp::new(article.updated)),
        thread: ThreadSection::new(replies, &viewer, href, action, access, parent),
    };
    Ok(render(&page)?)
}
