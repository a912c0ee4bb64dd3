//! `/article/new`: the form for a new article, with preview. Below the article gate the page
//! says which level is needed and how certification works, and posting is refused (403).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::{ArticleForm, form_response};
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::login_redirect;
use crate::pages::view::article_href;
use crate::pages::{FormTarget, preview_or_save};
use crate::state::AppState;

const ACTION: &str = "/article/new";

fn target() -> FormTarget {
    FormTarget { title: "New article", action: ACTION.to_owned(), cancel: "/article/".to_owned() }
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(ACTION));
    };
    let gate = state.site.check_gate(member, virgule_site::gates::Gate::Article).err();
    Ok(form_response(
        &state,
        &viewer,
        target(),
        ArticleForm::blank(),
        Ok(None),
        gate.map(Into::into),
    )?)
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<ArticleForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    // Below the gate, even a preview is refused: the form is not theirs to use.
    state.site.check_gate(member, virgule_site::gates::Gate::Article)?;
    let site = &state.site;
    Ok(preview_or_save(&state, &viewer, target(), form, async |form: &ArticleForm| {
        let article = site.post_article(member, form.text()).await?;
        Ok(Redirect::to(&article_href(article.number)).into_response())
    })
    .await?)
}
