//! `POST /proj/NAME/relation`: the viewer states (or, with `none`, withdraws) their relation
//! to the project, then back to its page.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::state::AppState;

/// The project page's relation form.
#[derive(Deserialize)]
pub struct RelationForm {
    #[serde(default)]
    relation: String,
}

pub async fn relation(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    CsrfForm(form): CsrfForm<RelationForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    let (project, _) = state.site.set_project_relation(member, &name, &form.relation).await?;
    Ok(Redirect::to(&format!("/proj/{}/", project.name)).into_response())
}
