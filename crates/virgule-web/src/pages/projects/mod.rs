//! Projects: `/proj/` (the list, 100 a page), `/proj/NAME/` (a project with its people grouped
//! by relation, and the form a member states their own relation with), `/proj/new` and
//! `/proj/NAME/edit` (the creator's form). One action per file.

mod edit;
mod new;
mod relation;
mod show;

pub use edit::{edit_form, update};
pub use new::{create, new_form};
pub use relation::relation;
pub use show::{add_slash, list, show};

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use virgule_site::projects::ProjectText;

use crate::auth::viewer::Viewer;
use crate::error::Failure;
use crate::layout::Layout;
use crate::pages::render;
use crate::state::AppState;

/// The creator's form, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ProjectForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    homepage: String,
    #[serde(default)]
    license: String,
}

impl ProjectForm {
    /// What the form says, for the site to check (the name only when creating: an edit form
    /// shows it but does not send it).
    fn text(&self, with_name: bool) -> ProjectText<'_> {
        ProjectText {
            name: with_name.then_some(self.name.as_str()),
            description: Some(&self.description),
            homepage: Some(&self.homepage),
            license: Some(&self.license),
        }
    }
}

#[derive(Template)]
#[template(path = "project_form.html")]
struct ProjectFormPage {
    layout: Layout,
    /// Where the form posts.
    action: String,
    /// A new project (the name is typed) rather than an edit (the name is fixed).
    new: bool,
    form: ProjectForm,
    error: Option<Failure>,
    cancel: String,
}

/// The form, with `error` (and its status) when the input was refused.
fn form_response(
    state: &AppState,
    viewer: &Viewer,
    action: String,
    cancel: String,
    form: ProjectForm,
    error: Option<Failure>,
) -> Result<Response, Failure> {
    let new = action == "/proj/new";
    let title = if new { "New project".to_owned() } else { format!("Edit {}", form.name) };
    let status = error.as_ref().map_or(StatusCode::OK, |e| e.status);
    let page = ProjectFormPage {
        layout: Layout::new(&state.config, viewer, title),
        action,
        new,
        form,
        error,
        cancel,
    };
    Ok((status, render(&page)?).into_response())
}
