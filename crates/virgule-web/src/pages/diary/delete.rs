//! `/diary/{number}/delete`: a confirmation page, then deleting the viewer's own entry K (its
//! number is not given out again).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::layout::Layout;
use crate::pages::params::login_redirect;
use crate::pages::render;
use crate::pages::view::EntryView;
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
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(&format!("/diary/{number}/delete")));
    };
    let (entry, _) = state.site.own_entry_source(member, &number).await?;
    let page = DeletePage {
        layout: Layout::new(&state.config, &viewer, "Delete entry"),
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
    let member = viewer.require_member()?;
    state.site.delete_entry(member, member.name.as_str(), &number).await?;
    Ok(Redirect::to(&format!("/person/{}/diary.html", member.name)).into_response())
}
