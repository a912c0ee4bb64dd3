//! `/diary/new`: the form for a new entry; "Preview" renders it without saving, "Post" saves
//! it and goes to its permalink.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::{EntryForm, form_response};
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::login_redirect;
use crate::pages::view::permalink;
use crate::pages::{FormTarget, preview_or_save};
use crate::state::AppState;

const ACTION: &str = "/diary/new";

fn target(viewer_name: &str) -> FormTarget {
    FormTarget {
        title: "New entry",
        action: ACTION.to_owned(),
        cancel: format!("/person/{viewer_name}/diary.html"),
    }
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(ACTION));
    };
    let target = target(member.name.as_str());
    Ok(form_response(&state, &viewer, target, EntryForm::blank(), Ok(None))?)
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    let target = target(member.name.as_str());
    let site = &state.site;
    Ok(preview_or_save(&state, &viewer, target, form, async |form: &EntryForm| {
        let tags = form.tags();
        let entry = site.post_entry(member, form.text(&tags)).await?;
        Ok(Redirect::to(&permalink(entry.author.as_str(), entry.number)).into_response())
    })
    .await?)
}
