//! `/proj/NAME/edit`: the project's creator edits its description, homepage and licence;
//! anyone else is refused (403).

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use virgule_site::ErrorKind;

use super::{ProjectForm, form_response};
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::{Failure, PageResult};
use crate::pages::params::{login_redirect, path_segment};
use crate::state::AppState;

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(&format!("/proj/{}/edit", path_segment(&name))));
    };
    let project = state.site.own_project(member, &name).await?;
    let form = ProjectForm {
        name: project.name.to_string(),
        description: project.description_source,
        homepage: project.homepage,
        license: project.license,
    };
    let action = format!("/proj/{}/edit", project.name);
    let cancel = format!("/proj/{}/", project.name);
    Ok(form_response(&state, &viewer, action, cancel, form, None)?)
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    CsrfForm(mut form): CsrfForm<ProjectForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    match state.site.edit_project(member, &name, form.text(false)).await {
        Ok(page) => Ok(Redirect::to(&format!("/proj/{}/", page.project.name)).into_response()),
        Err(refused) if refused.kind == ErrorKind::BadInput => {
            let name = name.trim().to_ascii_lowercase();
            form.name.clone_from(&name);
            let (action, cancel) = (format!("/proj/{name}/edit"), format!("/proj/{name}/"));
            Ok(form_response(&state, &viewer, action, cancel, form, Some(Failure::from(refused)))?)
        }
        Err(other) => Err(other.into()),
    }
}
