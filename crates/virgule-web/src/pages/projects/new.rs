//! `/proj/new`: any member creates a project; it goes to `/proj/NAME/`.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use virgule_site::ErrorKind;

use super::{ProjectForm, form_response};
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::login_redirect;
use crate::state::AppState;

const ACTION: &str = "/proj/new";

pub async fn new_form(State(state): State<AppState>, viewer: Viewer) -> PageResult<Response> {
    if viewer.member.is_none() {
        return Ok(login_redirect(ACTION));
    }
    let form = ProjectForm::default();
    Ok(form_response(&state, &viewer, ACTION.to_owned(), "/proj/".to_owned(), form, None)?)
}

pub async fn create(
    State(state): State<AppState>,
    viewer: Viewer,
    CsrfForm(form): CsrfForm<ProjectForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    match state.site.create_project(member, form.text(true)).await {
        Ok(project) => Ok(Redirect::to(&format!("/proj/{}/", project.name)).into_response()),
        // A bad field or a taken name: the form again, still filled, with the reason.
        Err(refused) if matches!(refused.kind, ErrorKind::BadInput | ErrorKind::Conflict) => {
            let error = Some(Failure::from(refused));
            let cancel = "/proj/".to_owned();
            Ok(form_response(&state, &viewer, ACTION.to_owned(), cancel, form, error)?)
        }
        Err(other) => Err(other.into()),
    }
}
