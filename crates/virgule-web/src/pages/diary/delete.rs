//! `/diary/{number}/delete`: a confirmation page, then deleting the viewer's own entry K (its
//! number is not given out again).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use virgule_store::StoreError;

use super::no_such_entry;
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::{login_redirect, path_number};
use crate::pages::view::EntryView;
use crate::pages::{Layout, render};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "diary_delete.html")]
struct DeletePage {
    layout: Layout,
    entry: EntryView,
}

pub async fn delete_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let number = path_number(&number)?;
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(&format!("/diary/{number}/delete")));
    };
    let entry =
        state.store.entry_by_number(&member.name, number).await?.ok_or_else(no_such_entry)?;
    let page = DeletePage {
        layout: Layout::new(&state, &viewer, "Delete entry"),
        entry: EntryView::new(entry, &viewer, false),
    };
    Ok(render(&page)?.into_response())
}

pub async fn delete(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
    CsrfForm(_): CsrfForm<HashMap<String, String>>,
) -> PageResult<Response> {
    let number = path_number(&number)?;
    let member = viewer.require_member()?;
    match state.store.delete_entry(member.id, number).await {
        Ok(()) => Ok(Redirect::to(&format!("/person/{}/diary.html", member.name)).into_response()),
        Err(StoreError::NotFound) => Err(no_such_entry().into()),
        Err(e) => Err(e.into()),
    }
}
