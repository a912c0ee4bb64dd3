//! Site news: `/news/` (newest first), `/news/N.html` (one item) and `/news/new`, where a
//! site admin writes it (Markdown, with a preview).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use virgule_site::{ErrorKind, SiteError};
use virgule_store::{NewsItem, Page};

use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::layout::Layout;
use crate::pages::params::{html_file_number, login_redirect, start_param};
use crate::pages::render;
use crate::pages::view::{Pager, Stamp};
use crate::state::AppState;

pub const PER_PAGE: i64 = 20;

/// One news item as the pages show it.
struct NewsView {
    href: String,
    title: String,
    author: String,
    html: String,
    published: Stamp,
}

impl NewsView {
    fn new(item: NewsItem) -> Self {
        NewsView {
            href: format!("/news/{}.html", item.id),
            title: item.title,
            author: item.author.to_string(),
            html: item.html,
            published: Stamp::new(item.published),
        }
    }
}

#[derive(Template)]
#[template(path = "news.html")]
struct NewsPage {
    layout: Layout,
    items: Vec<NewsView>,
    pager: Pager,
    /// One item on its own page rather than the list.
    single: bool,
}

fn news_title(state: &AppState) -> String {
    format!("New {} Features", state.config.site_name)
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> PageResult<Html<String>> {
    let start = start_param(query.as_deref())?;
    let mut items = state.site.store().news_items(Page { start, limit: PER_PAGE + 1 }).await?;
    let has_more = items.len() as i64 > PER_PAGE;
    items.truncate(PER_PAGE as usize);
    let page = NewsPage {
        layout: Layout::new(&state.config, &viewer, news_title(&state)),
        items: items.into_iter().map(NewsView::new).collect(),
        pager: Pager::window("/news/", start, PER_PAGE, has_more, "Newer news", "Older news..."),
        single: false,
    };
    Ok(render(&page)?)
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(file): Path<String>,
) -> PageResult<Html<String>> {
    let missing = || Failure::not_found("There is no news item at this address.");
    let id = html_file_number(&file).ok_or_else(missing)?;
    let item = state.site.store().news_by_id(id).await?.ok_or_else(missing)?;
    let page = NewsPage {
        layout: Layout::new(&state.config, &viewer, item.title.clone()),
        items: vec![NewsView::new(item)],
        pager: Pager::default(),
        single: true,
    };
    Ok(render(&page)?)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NewsForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    /// "preview" or "post".
    #[serde(default)]
    action: String,
}

#[derive(Template)]
#[template(path = "news_form.html")]
struct NewsFormPage {
    layout: Layout,
    form: NewsForm,
    preview: Option<String>,
    error: Option<Failure>,
}

fn form_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    form: NewsForm,
    preview: Option<String>,
    error: Option<Failure>,
) -> Result<Response, Failure> {
    let page = NewsFormPage {
        layout: Layout::new(&state.config, viewer, "Post site news"),
        form,
        preview,
        error,
    };
    Ok((status, render(&page)?).into_response())
}

/// The form again, with the reason its input was refused.
fn refused_form(
    state: &AppState,
    viewer: &Viewer,
    form: NewsForm,
    refused: SiteError,
) -> Result<Response, Failure> {
    let failure = Failure::from(refused);
    form_page(state, viewer, failure.status, form, None, Some(failure))
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    if viewer.member.is_none() {
        return Ok(login_redirect("/news/new"));
    }
    viewer.require_admin()?;
    Ok(form_page(&state, &viewer, StatusCode::OK, NewsForm::default(), None, None)?)
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<NewsForm>,
) -> PageResult<Response> {
    let admin = viewer.require_admin()?;
    if form.action == "preview" {
        return Ok(match state.site.news_draft(&form.title, &form.body).await {
            Ok((_, html)) => form_page(&state, &viewer, StatusCode::OK, form, Some(html), None)?,
            Err(refused) => refused_form(&state, &viewer, form, refused)?,
        });
    }
    let item = match state.site.post_news(admin, &form.title, &form.body).await {
        Ok(item) => item,
        Err(refused) if refused.kind == ErrorKind::BadInput => {
            return Ok(refused_form(&state, &viewer, form, refused)?);
        }
        Err(other) => return Err(other.into()),
    };
    Ok(Redirect::to(&format!("/news/{}.html", item.id)).into_response())
}
