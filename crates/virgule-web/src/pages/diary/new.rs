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
use crate::state::AppState;

const ACTION: &str = "/diary/new";

fn cancel(viewer_name: &str) -> String {
    format!("/person/{viewer_name}/diary.html")
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(ACTION));
    };
    let cancel = cancel(member.name.as_str());
    let form = EntryForm::blank();
    Ok(form_response(&state, &viewer, "New entry", ACTION.to_owned(), cancel, form, Ok(None))?)
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    let cancel = cancel(member.name.as_str());
    let draft = match form.compose() {
        Ok(draft) => draft,
        Err(failure) => {
            return Ok(form_response(
                &state,
                &viewer,
                "New entry",
                ACTION.to_owned(),
                cancel,
                form,
                Err(failure),
            )?);
        }
    };
    if form.is_preview() {
        return Ok(form_response(
            &state,
            &viewer,
            "New entry",
            ACTION.to_owned(),
            cancel,
            form,
            Ok(Some(draft)),
        )?);
    }
    let entry = state.store.create_entry(member.id, &draft, virgule_store::now()).await?;
    Ok(Redirect::to(&permalink(entry.author.as_str(), entry.number)).into_response())
}
