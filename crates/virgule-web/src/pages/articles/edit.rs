//! `/article/{number}/edit`: one's own article in the article form, with preview; it keeps
//! its number and publication time. Another member's article is refused (403).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{ArticleForm, form_response};
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::login_redirect;
use crate::pages::view::article_href;
use crate::pages::{FormTarget, preview_or_save};
use crate::state::AppState;

fn target(number: i64) -> FormTarget {
    FormTarget {
        title: "Edit article",
        action: format!("/article/{number}/edit"),
        cancel: article_href(number),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(&format!("/article/{number}/edit")));
    };
    let (article, source) = state.site.own_article_source(member, &number).await?;
    let form = ArticleForm::from_article(&article, source);
    Ok(form_response(&state, &viewer, target(article.number), form, Ok(None), None)?)
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
    CsrfForm(form): CsrfForm<ArticleForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    // Refuse before showing a preview of someone else's article.
    let (article, _) = state.site.own_article_source(member, &number).await?;
    let site = &state.site;
    let n = article.number;
    Ok(preview_or_save(&state, &viewer, target(n), form, async |form: &ArticleForm| {
        site.edit_article(member, &number, form.text()).await?;
        Ok(Redirect::to(&article_href(n)).into_response())
    })
    .await?)
}
