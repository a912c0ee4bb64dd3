//! `/diary/{number}/edit`: the viewer's own entry K in the entry form, with preview; saving
//! keeps its number and permalink. Another member's entries are out of reach: the number is
//! looked up among the viewer's own.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{EntryForm, form_response, no_such_entry};
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::{login_redirect, path_number};
use crate::pages::view::permalink;
use crate::state::AppState;
use virgule_store::StoreError;

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let number = path_number(&number)?;
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(&format!("/diary/{number}/edit")));
    };
    let (entry, source) = tokio::try_join!(
        state.store.entry_by_number(&member.name, number),
        state.store.entry_source(&member.name, number),
    )?;
    let (entry, source) = entry.zip(source).ok_or_else(no_such_entry)?;
    let link = permalink(member.name.as_str(), number);
    let form = EntryForm::from_entry(&entry, source);
    let action = format!("/diary/{number}/edit");
    Ok(form_response(&state, &viewer, "Edit entry", action, link, form, Ok(None))?)
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> PageResult<Response> {
    let number = path_number(&number)?;
    let member = viewer.require_member()?;
    let link = permalink(member.name.as_str(), number);
    let action = format!("/diary/{number}/edit");
    // Refuse before showing a preview of an entry the viewer does not have.
    if state.store.entry_by_number(&member.name, number).await?.is_none() {
        return Err(no_such_entry().into());
    }
    let draft = match form.compose() {
        Ok(draft) => draft,
        Err(failure) => {
            return Ok(form_response(
                &state,
                &viewer,
                "Edit entry",
                action,
                link,
                form,
                Err(failure),
            )?);
        }
    };
    if form.is_preview() {
        return Ok(form_response(
            &state,
            &viewer,
            "Edit entry",
            action,
            link,
            form,
            Ok(Some(draft)),
        )?);
    }
    match state.store.update_entry(member.id, number, &draft).await {
        Ok(_) => Ok(Redirect::to(&link).into_response()),
        Err(StoreError::NotFound) => Err(no_such_entry().into()),
        Err(e) => Err(e.into()),
    }
}
