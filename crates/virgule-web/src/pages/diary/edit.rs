//! `/diary/{number}/edit`: the viewer's own entry K in the entry form, with preview; saving
//! keeps its number and permalink. Another member's entries are out of reach: the number is
//! looked up among the viewer's own.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::{EntryForm, form_response};
use crate::auth::csrf::CsrfForm;
use crate::auth::viewer::Viewer;
use crate::error::PageResult;
use crate::pages::params::login_redirect;
use crate::pages::view::permalink;
use crate::pages::{FormTarget, preview_or_save};
use crate::state::AppState;

fn target(name: &str, number: &str) -> FormTarget {
    FormTarget {
        title: "Edit entry",
        action: format!("/diary/{number}/edit"),
        cancel: match virgule_site::rules::entry_number(number) {
            Some(number) => permalink(name, number),
            None => format!("/person/{name}/diary.html"),
        },
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
) -> PageResult<Response> {
    let Some(member) = &viewer.member else {
        return Ok(login_redirect(&format!("/diary/{number}/edit")));
    };
    let (entry, source) = state.site.own_entry_source(member, &number).await?;
    let form = EntryForm::from_entry(&entry, source);
    let target = target(member.name.as_str(), &number);
    Ok(form_response(&state, &viewer, target, form, Ok(None))?)
}

pub async fn update(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(number): Path<String>,
    CsrfForm(form): CsrfForm<EntryForm>,
) -> PageResult<Response> {
    let member = viewer.require_member()?;
    // Refuse before showing a preview of an entry the viewer does not have.
    let (entry, _) = state.site.own_entry_source(member, &number).await?;
    let name = member.name.as_str();
    let site = &state.site;
    Ok(preview_or_save(&state, &viewer, target(name, &number), form, async |form: &EntryForm| {
        let tags = form.tags();
        site.edit_entry(member, name, &number, form.text(&tags)).await?;
        Ok(Redirect::to(&permalink(name, entry.number)).into_response())
    })
    .await?)
}
